use crate::config::Config;
use yunqi_bot::articles;

/// `yunqi-bot articles`: the indexed articles with their ids, titles and passage counts.
pub fn articles(config: &Config) -> anyhow::Result<()> {
    let engine = super::open_engine(config)?;
    for article in articles::list(&engine) {
        println!(
            "{}\t{}\t{} passages",
            article.id, article.title, article.passages
        );
    }
    Ok(())
}
