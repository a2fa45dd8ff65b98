//! Index generations on disk and the pointer to the live one.
//!
//! ```text
//! index/CURRENT             name of the live generation, replaced atomically
//! index/gen-<stamp>/        a complete tantivy index + manifest.json
//! index/build-<stamp>/      a generation being built (renamed to gen- when complete)
//! ```
//! A build never touches the live generation, so a failed build changes nothing, and a
//! reader holding an old generation keeps answering from it until it switches.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::SearchError;
use crate::corpus;
use crate::text::{lexicon, Discovered};

const CURRENT_FILE: &str = "CURRENT";
const MANIFEST_FILE: &str = "manifest.json";
const GEN_PREFIX: &str = "gen-";
const BUILD_PREFIX: &str = "build-";
/// A build directory untouched for this long belongs to a build that died.
const ABANDONED_BUILD_AGE: Duration = Duration::from_secs(3600);

/// Bump when analysis or the schema changes, so indexes built by older code are rebuilt.
pub const ANALYSIS_VERSION: u32 = 3;

/// What was indexed, saved beside the index: the data files it was built from (to
/// detect staleness) and the articles it holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub analysis_version: u32,
    pub fingerprint: Vec<FileStamp>,
    pub built_at_unix: u64,
    pub articles: Vec<ArticleInfo>,
    /// Files that could not be indexed, with the reason.
    pub problems: Vec<String>,
    /// Names and terms found in the articles, which the analysis of this generation (its
    /// index and the questions asked of it) uses.
    pub discovered: Discovered,
}

impl Manifest {
    /// Whether the generation still matches the data directory and the analysis code.
    pub fn is_fresh(&self, data_dir: &Path) -> Result<bool, SearchError> {
        Ok(self.analysis_version == ANALYSIS_VERSION && self.fingerprint == fingerprint(data_dir)?)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ArticleInfo {
    pub id: String,
    pub title: String,
    pub source: Option<String>,
    pub passages: usize,
}

/// Name, size and modification time of one input file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileStamp {
    pub name: String,
    pub size: u64,
    pub modified_ns: u128,
}

/// The inputs an index depends on: the article files and the lexicon files.
pub fn fingerprint(data_dir: &Path) -> Result<Vec<FileStamp>, SearchError> {
    let mut files = corpus::article_files(data_dir)?;
    let lexicon_dir = data_dir.join(lexicon::LEXICON_DIR);
    for name in [lexicon::USER_DICT_FILE, lexicon::ALIASES_FILE] {
        let path = lexicon_dir.join(name);
        if path.is_file() {
            files.push(path);
        }
    }
    files
        .iter()
        .map(|path| {
            let meta = fs::metadata(path).map_err(|e| SearchError::io(path, e))?;
            let modified_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            Ok(FileStamp {
                name: path
                    .strip_prefix(data_dir)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .into_owned(),
                size: meta.len(),
                modified_ns,
            })
        })
        .collect()
}

/// The live generation's directory, if `CURRENT` names one.
pub fn current_generation(index_dir: &Path) -> Option<PathBuf> {
    let name = fs::read_to_string(index_dir.join(CURRENT_FILE)).ok()?;
    let name = name.trim();
    (name.starts_with(GEN_PREFIX) && !name.contains(['/', '\\'])).then(|| index_dir.join(name))
}

/// A fresh, uniquely named directory to build a generation in.
pub fn new_build_dir(index_dir: &Path) -> Result<PathBuf, SearchError> {
    fs::create_dir_all(index_dir).map_err(|e| SearchError::io(index_dir, e))?;
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let dir = index_dir.join(format!("{BUILD_PREFIX}{stamp}-{}", unique_suffix()));
    fs::create_dir(&dir).map_err(|e| SearchError::io(&dir, e))?;
    Ok(dir)
}

pub fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), SearchError> {
    let json = serde_json::to_vec_pretty(manifest).map_err(|e| SearchError::Manifest {
        path: dir.join(MANIFEST_FILE),
        reason: e.to_string(),
    })?;
    write_atomically(&dir.join(MANIFEST_FILE), &json)
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, SearchError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = fs::read(&path).map_err(|e| SearchError::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| SearchError::Manifest {
        path,
        reason: e.to_string(),
    })
}

/// Turns a finished build directory into a generation and makes it the live one.
pub fn publish(index_dir: &Path, build_dir: &Path) -> Result<PathBuf, SearchError> {
    let name = build_dir
        .file_name()
        .map(|n| n.to_string_lossy().replacen(BUILD_PREFIX, GEN_PREFIX, 1))
        .ok_or_else(|| SearchError::io(build_dir, std::io::ErrorKind::InvalidInput.into()))?;
    let gen_dir = index_dir.join(&name);
    fs::rename(build_dir, &gen_dir).map_err(|e| SearchError::io(&gen_dir, e))?;
    write_atomically(&index_dir.join(CURRENT_FILE), name.as_bytes())?;
    Ok(gen_dir)
}

/// How long a replaced generation is kept: another process may have just published it
/// and be about to open it (several `yunqi-bot ask` starting at once on a stale index).
pub const GENERATION_GRACE: Duration = Duration::from_secs(60);

/// Removes generations other than the live one that are older than `grace`, and builds
/// abandoned long ago. Open readers of a removed generation keep working: its files stay
/// mapped until dropped.
pub fn remove_old_generations(index_dir: &Path, grace: Duration) {
    let Ok(entries) = fs::read_dir(index_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default();
        // Read the pointer for each candidate: another process may have just published.
        let old_gen = name.starts_with(GEN_PREFIX)
            && age >= grace
            && current_generation(index_dir).as_ref() != Some(&path);
        let abandoned = name.starts_with(BUILD_PREFIX) && age > ABANDONED_BUILD_AGE;
        if old_gen || abandoned {
            if let Err(e) = fs::remove_dir_all(&path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove old index generation");
            }
        }
    }
}

/// `<pid>-<n>`, different for every call in every process, so that concurrent builds
/// never share a directory.
fn unique_suffix() -> String {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    format!("{}-{n}", std::process::id())
}

/// Bytes on disk under `dir`.
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Writes `bytes` to `path` so that readers see the old content or the new, never a
/// mix: a uniquely named temporary file beside it, fsync, rename.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), SearchError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let result = (|| {
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    result.map_err(|e| SearchError::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_switches_current_and_cleanup_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = new_build_dir(dir.path()).expect("build dir");
        let first = publish(dir.path(), &first).expect("publish");
        assert_eq!(current_generation(dir.path()), Some(first.clone()));

        let second = new_build_dir(dir.path()).expect("build dir");
        let second = publish(dir.path(), &second).expect("publish");
        assert_eq!(current_generation(dir.path()), Some(second.clone()));

        remove_old_generations(dir.path(), GENERATION_GRACE);
        assert!(first.exists(), "a recent generation is kept for a while");
        remove_old_generations(dir.path(), Duration::ZERO);
        assert!(!first.exists());
        assert!(second.exists());
    }

    #[test]
    fn an_atomic_write_replaces_the_content_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(CURRENT_FILE);
        write_atomically(&path, b"gen-1").expect("write");
        write_atomically(&path, b"gen-2").expect("replace");
        assert_eq!(fs::read(&path).expect("read"), b"gen-2");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_tampered_current_pointer_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(CURRENT_FILE), "../../etc").expect("write");
        assert_eq!(current_generation(dir.path()), None);
    }
}
