//! Administering the articles: add, remove, list, and what the running bot is doing.
//!
//! Every change is checked before it touches anything and undone if the rebuild after it
//! fails, so bad input changes nothing: not the data directory, not the live index.
//! Files are written atomically (temporary file, fsync, rename) and removed articles go
//! to a trash folder, never deleted. Used by the CLI and by the bot's admin commands.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::answer::Engine;
use crate::corpus::{self, CorpusError};
use crate::search::{ArticleInfo, BuildReport, SearchError};

/// The largest article accepted, in bytes.
pub const MAX_ARTICLE_BYTES: usize = 2 * 1024 * 1024;
/// Where removed articles go, inside the data directory.
pub const TRASH_DIR: &str = "trash";
/// The longest file name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ArticleError {
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

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ArticleError + '_ {
    move |source| ArticleError::Io {
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
pub fn add(engine: &Engine, file_name: &str, bytes: &[u8]) -> Result<Added, ArticleError> {
    add_with_progress(engine, file_name, bytes, &|_, _| {})
}

/// [`add`], calling `progress(articles_done, articles_total)` as the rebuild goes.
pub fn add_with_progress(
    engine: &Engine,
    file_name: &str,
    bytes: &[u8],
    progress: &dyn Fn(usize, usize),
) -> Result<Added, ArticleError> {
    let data_dir = engine.data_dir();
    check_name(file_name)?;
    check_size(file_name, bytes.len() as u64)?;
    let path = data_dir.join(file_name);
    let id = corpus::article_id(&path);
    let article = corpus::parse_article_bytes(&id, Path::new(file_name), bytes)?;
    if path.exists() || find_article(data_dir, &id)?.is_some() {
        return Err(ArticleError::Exists(id));
    }

    write_new_file(data_dir, &path, bytes).map_err(|e| match e {
        ArticleError::Io { source, .. } if source.kind() == io::ErrorKind::AlreadyExists => {
            ArticleError::Exists(id.clone())
        }
        other => other,
    })?;
    match engine.rebuild_with_progress(progress) {
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
pub fn remove(engine: &Engine, id: &str) -> Result<(PathBuf, BuildReport), ArticleError> {
    let data_dir = engine.data_dir();
    let path =
        find_article(data_dir, id)?.ok_or_else(|| ArticleError::UnknownArticle(id.to_owned()))?;
    if engine
        .index()
        .manifest()
        .articles
        .iter()
        .all(|a| a.id == id)
    {
        return Err(ArticleError::LastArticle(id.to_owned()));
    }
    let target = move_to_trash(data_dir, &path)?;
    match engine.rebuild() {
        Ok(report) => Ok((target, report)),
        Err(error) => {
            // Back under its own name, unless a new file took that name meanwhile: then
            // it stays in the trash rather than replace that file.
            if let Err(undo) = move_no_clobber(&target, &path) {
                tracing::error!(file = %path.display(), error = %undo, "cannot undo a failed remove");
            }
            Err(error.into())
        }
    }
}

/// The articles being answered from.
pub fn list(engine: &Engine) -> Vec<ArticleInfo> {
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

/// Refuses an article over [`MAX_ARTICLE_BYTES`]; callers that know a file's size before
/// reading or downloading it check first.
pub fn check_size(file_name: &str, size: u64) -> Result<(), ArticleError> {
    if size > MAX_ARTICLE_BYTES as u64 {
        return Err(ArticleError::TooLarge {
            name: file_name.to_owned(),
            size: usize::try_from(size).unwrap_or(usize::MAX),
        });
    }
    Ok(())
}

/// A plain file name with an article extension: no folders, no `..`, no hidden files.
fn check_name(name: &str) -> Result<(), ArticleError> {
    let bad = name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.starts_with('.')
        || name.contains(['/', '\\', '\0'])
        || name.contains("..")
        || name.chars().any(char::is_control)
        || Path::new(name).file_name().and_then(|n| n.to_str()) != Some(name);
    if bad {
        return Err(ArticleError::BadName(name.to_owned()));
    }
    if !corpus::is_article_file(Path::new(name)) {
        return Err(ArticleError::BadExtension(name.to_owned()));
    }
    Ok(())
}

/// The article file with this id, whatever its extension.
fn find_article(data_dir: &Path, id: &str) -> Result<Option<PathBuf>, ArticleError> {
    let files = corpus::article_files(data_dir)?;
    Ok(files.into_iter().find(|p| corpus::article_id(p) == id))
}

/// Writes `bytes` as the new file `target`, failing with `AlreadyExists` rather than
/// replacing a file that appeared since the caller looked (another admin, the CLI). The
/// bytes are written and synced under a unique staging name that the corpus loader
/// ignores, then renamed to the final name only if it is free (tempfile's
/// `persist_noclobber`): never a half-written article, never an overwrite. A staging file
/// left by a failure is removed when it is dropped.
fn write_new_file(data_dir: &Path, target: &Path, bytes: &[u8]) -> Result<(), ArticleError> {
    let mut staging = tempfile::Builder::new()
        .prefix(".incoming-")
        .suffix(".part")
        .tempfile_in(data_dir)
        .map_err(io(data_dir))?;
    staging.write_all(bytes).map_err(io(staging.path()))?;
    staging.as_file().sync_all().map_err(io(staging.path()))?;
    staging
        .persist_noclobber(target)
        .map_err(|e| io(target)(e.error))?;
    sync_dir(data_dir);
    Ok(())
}

/// Moves `file` into the trash under its own name or, when the trash already holds one
/// of that name, the first free `stem-N.ext`: every removed copy is kept.
fn move_to_trash(data_dir: &Path, file: &Path) -> Result<PathBuf, ArticleError> {
    let trash = data_dir.join(TRASH_DIR);
    fs::create_dir_all(&trash).map_err(io(&trash))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = corpus::article_id(file);
    let ext = file
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 0u32.. {
        let candidate = if n == 0 {
            trash.join(&name)
        } else {
            trash.join(format!("{stem}-{n}.{ext}"))
        };
        match move_no_clobber(file, &candidate) {
            Ok(()) => {
                sync_dir(data_dir);
                sync_dir(&trash);
                return Ok(candidate);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(io(file)(e)),
        }
    }
    unreachable!("a free trash name exists among 4 billion candidates")
}

/// Renames `from` to `to` unless `to` exists. A hard link is the atomic way to claim a
/// name only if it is free (a rename would replace the file there); where links are not
/// supported, a check and a rename. (tempfile's `persist_noclobber` does this for files
/// it created; these are existing articles.)
fn move_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if to.exists() => Err(io::ErrorKind::AlreadyExists.into()),
        Err(_) => fs::rename(from, to),
    }
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
                matches!(check_name(bad), Err(ArticleError::BadName(_))),
                "{bad}"
            );
        }
        for other in ["a.pdf", "a", "a.md.exe"] {
            assert!(
                matches!(check_name(other), Err(ArticleError::BadExtension(_))),
                "{other}"
            );
        }
    }

    #[test]
    fn a_new_file_never_replaces_an_existing_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a.md");
        write_new_file(dir.path(), &target, b"first").expect("write");
        let second = write_new_file(dir.path(), &target, b"second");
        assert!(
            matches!(second, Err(ArticleError::Io { ref source, .. }) if source.kind() == io::ErrorKind::AlreadyExists),
            "{second:?}"
        );
        assert_eq!(fs::read(&target).expect("read"), b"first");
        let left: Vec<_> = fs::read_dir(dir.path())
            .expect("read dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("a.md")],
            "no staging file left"
        );
    }

    #[test]
    fn the_trash_keeps_every_removed_copy() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut trashed = Vec::new();
        for content in ["one", "two", "three"] {
            let file = dir.path().join("a.md");
            fs::write(&file, content).expect("write");
            trashed.push(move_to_trash(dir.path(), &file).expect("trash"));
            assert!(!file.exists());
        }
        let trash = dir.path().join(TRASH_DIR);
        assert_eq!(
            trashed,
            vec![
                trash.join("a.md"),
                trash.join("a-1.md"),
                trash.join("a-2.md")
            ]
        );
        let kept: Vec<String> = trashed
            .iter()
            .map(|p| fs::read_to_string(p).expect("read"))
            .collect();
        assert_eq!(kept, ["one", "two", "three"]);
    }

    #[test]
    fn of_two_writers_racing_for_one_name_exactly_one_wins_with_its_own_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a.md");
        for _ in 0..20 {
            let writers: Vec<_> = [b"first".as_slice(), b"second".as_slice()]
                .into_iter()
                .map(|bytes| {
                    let (dir, target) = (dir.path().to_owned(), target.clone());
                    std::thread::spawn(move || {
                        write_new_file(&dir, &target, bytes).map(|()| bytes.to_vec())
                    })
                })
                .collect();
            let won: Vec<Vec<u8>> = writers
                .into_iter()
                .filter_map(|w| w.join().expect("writer").ok())
                .collect();
            assert_eq!(won.len(), 1);
            assert_eq!(fs::read(&target).expect("read"), won[0]);
            fs::remove_file(&target).expect("reset");
        }
    }
}
