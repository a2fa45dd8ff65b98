//! The passage index: building it from the data directory (`build`), querying one
//! generation (`query`), and swapping a rebuilt one in while questions keep being
//! answered (`live`).
//!
//! Tantivy stays inside this module: callers pass analyzed question terms and get
//! passages with one score per kind of term back.

mod build;
mod live;
mod query;
mod schema;
pub mod store;

use std::path::{Path, PathBuf};

use crate::corpus::CorpusError;
use crate::text::TextError;

pub use build::{build, build_with_progress, BuildReport};
pub use live::LiveIndex;
pub use query::{Hit, SearchIndex};
pub use store::{ArticleInfo, Manifest};

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error(transparent)]
    Text(#[from] TextError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Index(IndexError),
    #[error("index manifest {path} is unreadable: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("no index has been built in {0}")]
    Missing(PathBuf),
    #[error("nothing could be indexed in {dir}: {reasons}")]
    NothingIndexed { dir: PathBuf, reasons: String },
}

/// A failure of the index engine underneath. Opaque: its message and source chain are
/// there for people, but its type, tantivy's, stays inside `search`.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct IndexError {
    inner: tantivy::TantivyError,
}

// For `?` inside this module; callers only ever see `SearchError::Index`.
impl From<tantivy::TantivyError> for SearchError {
    fn from(error: tantivy::TantivyError) -> Self {
        SearchError::Index(IndexError { inner: error })
    }
}

impl SearchError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        SearchError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_failure_keeps_its_message_but_not_its_type() {
        let error = SearchError::from(tantivy::TantivyError::InvalidArgument("bad".into()));
        assert!(matches!(error, SearchError::Index(_)));
        assert!(error.to_string().starts_with("index error: "), "{error}");
        assert!(error.to_string().contains("bad"), "{error}");
    }
}
