use crate::admin;
use crate::config::Config;

/// `yunqi-bot remove ID`: moves the article's file to the trash folder of the data
/// directory (it is never deleted) and reindexes.
pub fn remove(config: &Config, id: &str) -> anyhow::Result<()> {
    let engine = super::open_engine(config)?;
    let removed = admin::remove_article(&engine, id)?;
    println!(
        "removed {}{}; its file is in {}; index now {}",
        removed.id,
        removed
            .title
            .map(|t| format!(" \"{t}\""))
            .unwrap_or_default(),
        removed.trashed.display(),
        super::summary(&removed.report)
    );
    Ok(())
}
