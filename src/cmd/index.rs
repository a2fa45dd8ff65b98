use super::progress::Progress;
use crate::config::Config;
use yunqi_bot::search;

/// `yunqi-bot index`: rebuilds the index from the data directory, whatever its state,
/// and prints what it holds. Bad article files are listed and skipped. Safe while `serve`
/// runs: the build goes to a new directory, and the bot switches to it on its own.
/// Progress goes to stderr: a bar on a terminal, a line every tenth of a large corpus
/// otherwise.
pub fn index(config: &Config) -> anyhow::Result<()> {
    eprintln!("indexing {} ...", config.data_dir.display());
    let report = {
        let progress = Progress::on_stderr("articles");
        search::build_with_progress(&config.data_dir, &config.index_dir, &|done, total| {
            progress.update(done, total)
        })?
    };
    super::print_problems(&report);
    println!(
        "indexed {} into {}",
        super::summary(&report),
        report.generation.display()
    );
    Ok(())
}
