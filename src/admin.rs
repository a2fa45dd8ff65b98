//! Administering the articles: add, remove, list, and what the running bot is doing.
//!
//! Every change is checked before it touches anything and undone if the rebuild after it
//! fails, so bad input changes nothing: not the data directory, not the live index.
//! Files are written atomically (temporary file, fsync, rename) and removed articles go
//! to a trash folder, never deleted. Used by the CLI and by the bot's admin commands.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::answer::Engine;
use crate::corpus::{self, CorpusError};
use crate::search::{store, ArticleInfo, BuildReport, SearchError};

/// The largest article accepted, in bytes.
pub const MAX_ARTICLE_BYTES: usize = 2 * 1024 * 1024;
/// Where removed articles go, inside the data directory.
pub const TRASH_DIR: &str = "trash";
/// The longest file name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the file name {0:?} is not allowed: use a plain name such as yunqi-2024.md, without folders")]
    BadName(String),
    #[error("{0:?} is not an article: only .md and .txt files are accepted")]
    BadExtension(String),
    #[error("{name} has {size} bytes; articles are limited to {} MB", MAX_ARTICLE_BYTES / 1024 / 1024)]
    TooLarge { name: String, size: usize },
    #[error("an article with id {0:?} already exists: remove it first, or rename the file")]
    Exists(String),
    #[error("no article has the id {0:?}; /articles lists them")]
    UnknownArticle(String),
    #[error("removing {0:?} would leave no article to answer from")]
    LastArticle(String),
    #[error("{0}")]
    Invalid(#[from] CorpusError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Search(#[from] SearchError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AdminError + '_ {
    move |source| AdminError::Io {
        path: path.to_owned(),
        source,
    }
}

/// An article that was added and is now answered from.
#[derive(Debug)]
pub struct Added {
    pub id: String,
    pub title: String,
    pub passages: usize,
    pub report: BuildReport,
}

/// Checks that `bytes`, named `file_name`, make a valid new article, saves it into the data
/// directory and rebuilds. Nothing is changed when any check or the rebuild fails.
pub fn add_article(engine: &Engine, file_name: &str, bytes: &[u8]) -> Result<Added, AdminError> {
    let data_dir = engine.data_dir();
    check_name(file_name)?;
    if bytes.len() > MAX_ARTICLE_BYTES {
        return Err(AdminError::TooLarge {
            name: file_name.to_owned(),
            size: bytes.len(),
        });
    }
    let path = data_dir.join(file_name);
    let id = corpus::article_id(&path);
    let article = corpus::parse_article_bytes(&id, Path::new(file_name), bytes)?;
    if path.exists() || find_article(data_dir, &id)?.is_some() {
        return Err(AdminError::Exists(id));
    }

    store::write_atomically(&path, bytes)?;
    sync_dir(data_dir);
    match engine.rebuild() {
        Ok(report) => Ok(Added {
            id,
            title: article.title,
            passages: article.passages.len(),
            report,
        }),
        Err(error) => {
            // Undo, so the data directory matches the index still serving.
            let _ = fs::remove_file(&path);
            Err(error.into())
        }
    }
}

/// Moves the article `id` into the trash folder and rebuilds. Refuses to remove the last
/// article; puts the file back if the rebuild fails.
pub fn remove_article(engine: &Engine, id: &str) -> Result<(PathBuf, BuildReport), AdminError> {
    let data_dir = engine.data_dir();
    let path =
        find_article(data_dir, id)?.ok_or_else(|| AdminError::UnknownArticle(id.to_owned()))?;
    if engine
        .index()
        .manifest()
        .articles
        .iter()
        .all(|a| a.id == id)
    {
        return Err(AdminError::LastArticle(id.to_owned()));
    }
    let trash = data_dir.join(TRASH_DIR);
    fs::create_dir_all(&trash).map_err(io(&trash))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut target = trash.join(&file_name);
    if target.exists() {
        // Keep every removed version: suffix the newer one with the time of removal.
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        target = trash.join(format!("{stamp}-{file_name}"));
    }
    fs::rename(&path, &target).map_err(io(&path))?;
    sync_dir(data_dir);
    match engine.rebuild() {
        Ok(report) => Ok((target, report)),
        Err(error) => {
            let _ = fs::rename(&target, &path);
            Err(error.into())
        }
    }
}

/// The articles being answered from.
pub fn articles(engine: &Engine) -> Vec<ArticleInfo> {
    engine.index().manifest().articles.clone()
}

/// What the running bot holds and has done.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub articles: usize,
    pub passages: usize,
    pub index_bytes: u64,
    pub answered: u64,
    pub refused: u64,
    pub uptime: Duration,
}

pub fn stats(engine: &Engine, uptime: Duration) -> Stats {
    let index = engine.index();
    Stats {
        articles: index.manifest().articles.len(),
        passages: index.passage_count(),
        index_bytes: index.size_on_disk(),
        answered: engine.counters().answered(),
        refused: engine.counters().refused(),
        uptime,
    }
}

/// A plain file name with an article extension: no folders, no `..`, no hidden files.
fn check_name(name: &str) -> Result<(), AdminError> {
    let bad = name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || name.contains("..")
        || name.chars().any(char::is_control)
        || Path::new(name).file_name().and_then(|n| n.to_str()) != Some(name);
    if bad {
        return Err(AdminError::BadName(name.to_owned()));
    }
    if !corpus::is_article_file(Path::new(name)) {
        return Err(AdminError::BadExtension(name.to_owned()));
    }
    Ok(())
}

/// The article file with this id, whatever its extension.
fn find_article(data_dir: &Path, id: &str) -> Result<Option<PathBuf>, AdminError> {
    let files = corpus::article_files(data_dir)?;
    Ok(files.into_iter().find(|p| corpus::article_id(p) == id))
}

/// Makes a rename durable; best effort, since not every file system supports it.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_article_names_pass() {
        for good in ["a.md", "yunqi-2024.txt", "雲棲.md", "A.MD"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../a.md",
            "x/../a.md",
            "/etc/a.md",
            "dir/a.md",
            "a\\b.md",
            ".hidden.md",
            "a..md",
        ] {
            assert!(
                matches!(check_name(bad), Err(AdminError::BadName(_))),
                "{bad}"
            );
        }
        for other in ["a.pdf", "a", "a.md.exe"] {
            assert!(
                matches!(check_name(other), Err(AdminError::BadExtension(_))),
                "{other}"
            );
        }
    }
}
