use std::sync::Arc;

use crate::config::Config;
use yunqi_bot::search;
use yunqi_bot::text::Analyzer;

/// Articles from which `index` reports its progress.
const LARGE_CORPUS: usize = 50;

/// `yunqi-bot index`: rebuilds the index from the data directory, whatever its state,
/// and prints what it holds. Bad article files are listed and skipped. Safe while `serve`
/// runs: the build goes to a new directory, and the bot switches to it on its own.
pub fn index(config: &Config) -> anyhow::Result<()> {
    let analyzer = Arc::new(Analyzer::for_data_dir(&config.data_dir)?);
    eprintln!("indexing {} ...", config.data_dir.display());
    let report = search::build_with_progress(
        &config.data_dir,
        &config.index_dir,
        &analyzer,
        &|done, total| {
            // Progress only where it is worth watching: a large corpus, every tenth of it.
            if total >= LARGE_CORPUS && done % (total / 10) == 0 {
                eprintln!("  {done}/{total} articles");
            }
        },
    )?;
    super::print_problems(&report);
    println!(
        "indexed {} into {}",
        super::summary(&report),
        report.generation.display()
    );
    Ok(())
}
