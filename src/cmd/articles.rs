use crate::admin;
use crate::config::Config;

/// `yunqi-bot articles`: the indexed articles with their ids, titles and passage counts.
pub fn articles(config: &Config) -> anyhow::Result<()> {
    let engine = super::open_engine(config)?;
    for article in admin::articles(&engine) {
        println!(
            "{}\t{}\t{} passages",
            article.id, article.title, article.passages
        );
    }
    Ok(())
}
