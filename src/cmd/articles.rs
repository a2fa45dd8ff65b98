use std::io::Write;

use crate::admin;
use crate::config::Config;

/// `yunqi-bot articles`: one line per indexed article: id, passage count, title.
pub fn articles(config: &Config) -> anyhow::Result<()> {
    let engine = super::open_engine(config)?;
    let list = admin::articles(&engine);
    let width = list.iter().map(|a| a.id.chars().count()).max().unwrap_or(0);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for article in &list {
        writeln!(
            out,
            "{:<width$}  {:>5}  {}",
            article.id, article.passages, article.title
        )?;
    }
    writeln!(
        out,
        "{} articles, {} passages",
        list.len(),
        list.iter().map(|a| a.passages).sum::<usize>()
    )?;
    Ok(())
}
