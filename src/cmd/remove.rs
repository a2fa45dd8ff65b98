use crate::config::Config;
use yunqi_bot::articles;

/// `yunqi-bot remove ID`: moves the article's file into the data directory's trash folder
/// (never deletes it) and rebuilds the index.
pub fn remove(config: &Config, id: &str) -> anyhow::Result<()> {
    let engine = super::open_engine(config)?;
    let (trashed, report) = articles::remove(&engine, id)?;
    println!(
        "removed {id} (kept as {}); index now {}",
        trashed.display(),
        super::summary(&report)
    );
    Ok(())
}
