use std::io::Read;
use std::path::Path;

use anyhow::Context;

use crate::admin::{self, MAX_ARTICLE_BYTES};
use crate::config::Config;

/// `yunqi-bot add FILE`: checks the file, copies it into the data directory under its own
/// name and reindexes. A running `serve` picks the new index up by itself.
pub fn add(config: &Config, file: &Path) -> anyhow::Result<()> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .with_context(|| format!("{} does not name a file", file.display()))?;
    let bytes = read_limited(file)?;
    // Check before opening the engine, which may have to build the index first: bad input
    // is refused quickly and without side effects.
    admin::check_article(&name, &bytes)?;
    let engine = super::open_engine(config)?;
    let added = admin::add_article(&engine, &name, &bytes)?;
    super::print_problems(&added.report);
    println!(
        "added {} \"{}\" ({} passages); index now {}",
        added.id,
        added.title,
        added.passages,
        super::summary(&added.report)
    );
    Ok(())
}

/// Reads at most one byte more than the limit, so a huge file is refused without being
/// read whole.
fn read_limited(file: &Path) -> anyhow::Result<Vec<u8>> {
    let handle =
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_ARTICLE_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", file.display()))?;
    Ok(bytes)
}
