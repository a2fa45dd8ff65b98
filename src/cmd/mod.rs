//! One entry function per subcommand. Each takes the configuration, does its job and
//! returns an error for `main` to report once.

mod add;
mod articles;
mod ask;
mod eval;
mod index;
mod progress;
mod remove;
mod serve;

pub use add::add;
pub use articles::articles;
pub use ask::ask;
pub use eval::{eval, EvalOptions};
pub use index::index;
pub use remove::remove;
pub use serve::serve;

use crate::config::Config;
use yunqi_bot::answer::{Engine, EngineConfig, Settings};
use yunqi_bot::search::BuildReport;

/// Opens the engine for a command, saying on stderr when the index had to be rebuilt.
pub(crate) fn open_engine(config: &Config) -> anyhow::Result<Engine> {
    let engine_config = EngineConfig {
        data_dir: config.data_dir.clone(),
        index_dir: config.index_dir.clone(),
        settings: settings(config),
    };
    let (engine, report) = Engine::open(&engine_config).map_err(|e| {
        anyhow::anyhow!(e).context(format!(
            "cannot open the index in {} for the data in {}",
            config.index_dir.display(),
            config.data_dir.display()
        ))
    })?;
    if let Some(report) = report {
        eprintln!("index was missing or stale; rebuilt: {}", summary(&report));
        print_problems(&report);
    }
    Ok(engine)
}

/// The engine's settings as the configuration asks.
pub(crate) fn settings(config: &Config) -> Settings {
    let defaults = Settings::default();
    Settings {
        script: config.script,
        min_confidence: config.min_confidence.unwrap_or(defaults.min_confidence),
        ..defaults
    }
}

pub(crate) fn summary(report: &BuildReport) -> String {
    format!(
        "{} articles, {} passages in {:.0} ms",
        report.articles,
        report.passages,
        report.elapsed.as_secs_f64() * 1000.0
    )
}

pub(crate) fn print_problems(report: &BuildReport) {
    for problem in &report.problems {
        eprintln!("skipped: {problem}");
    }
}
