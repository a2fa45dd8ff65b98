use std::path::Path;

use anyhow::Context;

use super::progress::Progress;
use crate::config::Config;
use yunqi_bot::articles;

/// `yunqi-bot add FILE`: checks an article file, copies it into the data directory and
/// rebuilds the index; a bad file is refused and nothing changes.
pub fn add(config: &Config, file: &Path) -> anyhow::Result<()> {
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} has no usable file name", file.display()))?;
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    articles::check_size(name, size)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let engine = super::open_engine(config)?;
    // The rebuild is what takes time on a large corpus; the bar is cleared before the
    // summary (or an error) is printed.
    let added = {
        let progress = Progress::on_stderr("articles");
        articles::add_with_progress(&engine, name, &bytes, &|done, total| {
            progress.update(done, total)
        })?
    };
    println!(
        "added {} ({}): {} passages; index now {}",
        added.id,
        added.title,
        added.passages,
        super::summary(&added.report)
    );
    Ok(())
}
