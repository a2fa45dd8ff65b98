//! What an admin can do to the corpus while the bot keeps answering: add an article,
//! remove one, rebuild the index, and look at what is indexed.
//!
//! Every change follows the same rule: check first, then change the data directory with
//! operations that are atomic on their own (a file appears complete under its final name
//! or not at all; a removal is a rename into `trash/`), then rebuild through the engine,
//! which swaps the new index in only when it is complete. When the rebuild fails the
//! file change is undone, so bad input leaves the data directory and the live index as
//! they were. Nothing is ever deleted: removed articles go to `trash/` inside the data
//! directory, which the corpus loader ignores because it reads top-level files only.
//!
//! This module is synchronous and knows nothing of Telegram; the bot runs it on a
//! blocking thread, the CLI calls it directly.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::answer::Engine;
use crate::corpus::{self, Article, CorpusError};
use crate::search::store::{self, ArticleInfo};
use crate::search::{BuildReport, SearchError};

/// The largest article file accepted (2 MiB), far above any real article and small
/// enough that a mistaken upload cannot fill the disk or stall a rebuild.
pub const MAX_ARTICLE_BYTES: u64 = 2 * 1024 * 1024;

/// Where removed article files go, inside the data directory.
pub const TRASH_DIR: &str = "trash";

/// The longest file name accepted, in bytes (the usual file system limit).
const MAX_NAME_BYTES: usize = 255;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("the file name {name:?} is not acceptable: {reason}")]
    BadName { name: String, reason: &'static str },
    #[error("{name:?} is not an article file: only .md and .txt files are accepted")]
    WrongExtension { name: String },
    #[error("{name:?} is {size} bytes; the limit is {limit} bytes (2 MB)", limit = MAX_ARTICLE_BYTES)]
    TooLarge { name: String, size: u64 },
    #[error("{0}")]
    Invalid(#[from] CorpusError),
    #[error(
        "an article with the id {id:?} already exists ({existing}); remove it first or choose another file name"
    )]
    Exists { id: String, existing: String },
    #[error("there is no article with the id {id:?}")]
    NoSuchArticle { id: String },
    #[error("{id:?} is the only article; the index cannot be empty")]
    LastArticle { id: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("the index could not be rebuilt, so nothing was changed: {0}")]
    Rebuild(#[source] SearchError),
}

impl AdminError {
    fn io(path: &Path, source: io::Error) -> Self {
        AdminError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// An article that was added and is now answering.
#[derive(Debug, Clone)]
pub struct Added {
    pub id: String,
    pub title: String,
    pub passages: usize,
    pub file: PathBuf,
    pub report: BuildReport,
}

/// An article that was taken out of the index; its file is kept in the trash.
#[derive(Debug, Clone)]
pub struct Removed {
    pub id: String,
    /// The title the live index knew it by, if it was indexed.
    pub title: Option<String>,
    pub trashed: PathBuf,
    pub report: BuildReport,
}

/// What `/stats` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Stats {
    pub articles: usize,
    pub passages: usize,
    pub index_bytes: u64,
    pub answered: u64,
    pub refused: u64,
    pub uptime: Duration,
}

/// Refuses a declared size over the limit before anything is downloaded or read.
pub fn check_size(name: &str, size: u64) -> Result<(), AdminError> {
    if size > MAX_ARTICLE_BYTES {
        return Err(AdminError::TooLarge {
            name: name.to_owned(),
            size,
        });
    }
    Ok(())
}

/// Checks a file name for the data directory: a plain name (no directories, no `..`,
/// not hidden, no control characters) with an article extension.
pub fn check_name(name: &str) -> Result<(), AdminError> {
    let bad = |reason| {
        Err(AdminError::BadName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.len() > MAX_NAME_BYTES {
        return bad("it is longer than 255 bytes");
    }
    if name.contains(['/', '\\']) || name.contains("..") {
        return bad("it must be a plain file name, without directories or \"..\"");
    }
    if name.starts_with('.') {
        return bad("hidden files (starting with \".\") are not articles");
    }
    if name.trim() != name {
        return bad("it starts or ends with white space");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains control characters");
    }
    let path = Path::new(name);
    if !corpus::is_article_file(path) {
        return Err(AdminError::WrongExtension {
            name: name.to_owned(),
        });
    }
    if corpus::article_id(path).trim().is_empty() {
        return bad("it has no name before the extension");
    }
    Ok(())
}

/// Checks an incoming article without touching the disk: its name, its size, and that it
/// parses into an article with paragraphs (with the same parser the index uses).
pub fn check_article(name: &str, bytes: &[u8]) -> Result<Article, AdminError> {
    check_name(name)?;
    check_size(name, bytes.len() as u64)?;
    let path = Path::new(name);
    Ok(corpus::parse_article_bytes(
        &corpus::article_id(path),
        path,
        bytes,
    )?)
}

/// Saves a new article into the data directory and rebuilds the index with it. Refuses a
/// name whose article id is taken (whatever the extension): nothing is overwritten.
pub fn add_article(engine: &Engine, name: &str, bytes: &[u8]) -> Result<Added, AdminError> {
    let article = check_article(name, bytes)?;
    let data_dir = engine.data_dir();
    if let Some(existing) = find_article_file(data_dir, &article.id)? {
        return Err(exists(&article.id, &existing));
    }
    let target = data_dir.join(name);
    write_new_file(data_dir, &target, bytes).map_err(|e| match e {
        AdminError::Io { source, .. } if source.kind() == io::ErrorKind::AlreadyExists => {
            exists(&article.id, &target)
        }
        other => other,
    })?;
    tracing::info!(id = %article.id, file = %target.display(), "article added; rebuilding");
    match engine.rebuild() {
        Ok(report) => Ok(Added {
            id: article.id,
            title: article.title,
            passages: article.passages.len(),
            file: target,
            report,
        }),
        Err(e) => {
            // The file was ours a moment ago: taking it back restores the data directory
            // the live index was built from.
            if let Err(undo) = fs::remove_file(&target) {
                tracing::error!(file = %target.display(), error = %undo, "cannot undo a failed add");
            }
            Err(AdminError::Rebuild(e))
        }
    }
}

/// Moves an article's file into the trash and rebuilds the index without it. A file of
/// the same name already in the trash is kept: the new one gets a numbered name.
pub fn remove_article(engine: &Engine, id: &str) -> Result<Removed, AdminError> {
    let data_dir = engine.data_dir();
    let file = find_article_file(data_dir, id)?
        .ok_or_else(|| AdminError::NoSuchArticle { id: id.to_owned() })?;
    let others = corpus::article_files(data_dir)?.len() - 1;
    if others == 0 {
        return Err(AdminError::LastArticle { id: id.to_owned() });
    }
    let title = engine
        .index()
        .manifest()
        .articles
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.title.clone());
    let trashed = move_to_trash(data_dir, &file)?;
    tracing::info!(%id, trashed = %trashed.display(), "article moved to the trash; rebuilding");
    match engine.rebuild() {
        Ok(report) => Ok(Removed {
            id: id.to_owned(),
            title,
            trashed,
            report,
        }),
        Err(e) => {
            if let Err(undo) = move_no_clobber(&trashed, &file) {
                tracing::error!(file = %file.display(), error = %undo, "cannot undo a failed remove");
            }
            Err(AdminError::Rebuild(e))
        }
    }
}

/// Rebuilds the index from the data directory; the old index serves until the new one is
/// complete, and keeps serving if the build fails.
pub fn reindex(engine: &Engine) -> Result<BuildReport, AdminError> {
    engine.rebuild().map_err(AdminError::Rebuild)
}

/// The articles the live index holds, in id order.
pub fn articles(engine: &Engine) -> Vec<ArticleInfo> {
    let mut list = engine.index().manifest().articles.clone();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list
}

/// Figures about the live index and the questions since start; `uptime` is measured by
/// the caller, which knows when it started.
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

fn exists(id: &str, existing: &Path) -> AdminError {
    AdminError::Exists {
        id: id.to_owned(),
        existing: existing
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// The article file in `data_dir` whose id is `id`, if any. Ids are file stems, so
/// `a.md` and `a.txt` would collide.
fn find_article_file(data_dir: &Path, id: &str) -> Result<Option<PathBuf>, AdminError> {
    Ok(corpus::article_files(data_dir)?
        .into_iter()
        .find(|path| corpus::article_id(path) == id))
}

/// Writes `bytes` as the new file `target`, failing with `AlreadyExists` rather than
/// replacing a file that appeared meanwhile (another admin, another process). The bytes
/// are first written and synced under a staging name the corpus loader ignores, then
/// linked to the final name, which either creates it or fails: never a half file, never
/// an overwrite.
fn write_new_file(data_dir: &Path, target: &Path, bytes: &[u8]) -> Result<(), AdminError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let staging = data_dir.join(format!(".incoming-{}-{name}.part", std::process::id()));
    store::write_atomically(&staging, bytes).map_err(|e| match e {
        SearchError::Io { path, source } => AdminError::Io { path, source },
        other => AdminError::Rebuild(other),
    })?;
    let linked = move_no_clobber(&staging, target);
    if linked.is_err() {
        let _ = fs::remove_file(&staging);
    }
    linked.map_err(|e| AdminError::io(target, e))?;
    sync_dir(data_dir);
    Ok(())
}

/// Moves `file` to `trash/`, under its own name or, if the trash already holds one, the
/// first free `stem-N.ext`.
fn move_to_trash(data_dir: &Path, file: &Path) -> Result<PathBuf, AdminError> {
    let trash = data_dir.join(TRASH_DIR);
    fs::create_dir_all(&trash).map_err(|e| AdminError::io(&trash, e))?;
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
            Err(e) => return Err(AdminError::io(file, e)),
        }
    }
    unreachable!("u32 names run out only after 4 billion removals of one file name")
}

/// Renames `from` to `to` unless `to` exists. A hard link is the atomic way to say "create
/// this name only if it is free"; where links are unsupported, a check and a rename.
fn move_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if to.exists() => Err(io::ErrorKind::AlreadyExists.into()),
        Err(_) => fs::rename(from, to),
    }
}

/// Makes a rename durable; a failure only weakens durability after a crash, so it is
/// logged, not returned.
fn sync_dir(dir: &Path) {
    if let Err(e) = fs::File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "cannot sync directory");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: 測試\n---\n雲棲大會在杭州舉行,這是一個段落。\n";

    fn check(name: &str, bytes: &[u8]) -> String {
        match check_article(name, bytes) {
            Ok(article) => format!("ok {} {}", article.id, article.passages.len()),
            Err(AdminError::BadName { .. }) => "bad name".into(),
            Err(AdminError::WrongExtension { .. }) => "wrong extension".into(),
            Err(AdminError::TooLarge { .. }) => "too large".into(),
            Err(AdminError::Invalid(e)) => match e {
                CorpusError::NotUtf8 { .. } => "not utf-8".into(),
                CorpusError::Empty { .. } => "empty".into(),
                CorpusError::NoParagraphs { .. } => "no paragraphs".into(),
                CorpusError::UnclosedFrontMatter { .. } => "unclosed front matter".into(),
                other => format!("other: {other}"),
            },
            Err(other) => format!("other: {other}"),
        }
    }

    #[test]
    fn names_must_be_plain_article_file_names() {
        let good = GOOD.as_bytes();
        assert_eq!(check("new.md", good), "ok new 1");
        assert_eq!(check("雲棲 2024.TXT", good), "ok 雲棲 2024 1");
        for name in [
            "",
            "../x.md",
            "a/b.md",
            "a\\b.md",
            "..md",
            "x..md",
            ".hidden.md",
            " x.md",
            "x\n.md",
        ] {
            assert_eq!(check(name, good), "bad name", "{name:?}");
        }
        assert_eq!(check(&format!("{}.md", "a".repeat(300)), good), "bad name");
        for name in ["x.pdf", "x", "x.md.exe", "md"] {
            assert_eq!(check(name, good), "wrong extension", "{name:?}");
        }
    }

    #[test]
    fn contents_must_be_a_utf8_article_with_paragraphs() {
        assert_eq!(check("a.md", b"\xff\xfe\x00a"), "not utf-8");
        assert_eq!(check("a.md", b""), "empty");
        assert_eq!(check("a.md", b" \n\n  \n"), "empty");
        assert_eq!(
            check("a.md", "---\ntitle: x\n---\n# 標題\n".as_bytes()),
            "no paragraphs"
        );
        assert_eq!(check("a.md", b"---\ntitle: x\n"), "unclosed front matter");
    }

    #[test]
    fn the_size_limit_is_checked_on_the_declared_and_the_actual_size() {
        assert!(check_size("a.md", MAX_ARTICLE_BYTES).is_ok());
        assert!(matches!(
            check_size("a.md", MAX_ARTICLE_BYTES + 1),
            Err(AdminError::TooLarge { size, .. }) if size == MAX_ARTICLE_BYTES + 1
        ));
        let mut big = GOOD.as_bytes().to_vec();
        big.resize(MAX_ARTICLE_BYTES as usize + 1, b'\n');
        assert_eq!(check("a.md", &big), "too large");
    }

    #[test]
    fn a_new_file_never_replaces_an_existing_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("a.md");
        write_new_file(dir.path(), &target, b"first").expect("write");
        let second = write_new_file(dir.path(), &target, b"second");
        assert!(
            matches!(second, Err(AdminError::Io { ref source, .. }) if source.kind() == io::ErrorKind::AlreadyExists)
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
        assert_eq!(fs::read_to_string(&trashed[2]).expect("read"), "three");
    }
}
