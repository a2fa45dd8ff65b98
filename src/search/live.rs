//! The index being served, swapped atomically for a rebuilt one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;

use super::build::{build_returning_analyzer, BuildReport};
use super::query::SearchIndex;
use super::{store, SearchError};
use crate::text::Analyzer;

/// The index being served: one generation at a time, replaced atomically by a rebuild
/// (here or in another process) while readers keep the generation they started with.
pub struct LiveIndex {
    data_dir: PathBuf,
    index_dir: PathBuf,
    current: ArcSwap<SearchIndex>,
    /// Serializes rebuilds in this process; other processes build in their own directory.
    build_lock: Mutex<()>,
}

impl LiveIndex {
    /// Opens the live generation, or builds one first when it is missing, unreadable or
    /// older than the data directory. The report says whether a build happened.
    pub fn open(
        data_dir: &Path,
        index_dir: &Path,
    ) -> Result<(LiveIndex, Option<BuildReport>), SearchError> {
        let fresh = match Self::open_current(data_dir, index_dir) {
            Ok(index) => Some(index),
            Err(reason) => {
                tracing::info!(%reason, "index needs a rebuild");
                None
            }
        };
        let (index, report) = match fresh {
            Some(index) => (index, None),
            None => {
                let (report, analyzer) = build_returning_analyzer(data_dir, index_dir, &|_, _| {})?;
                (
                    open_published(data_dir, index_dir, &report.generation, analyzer)?,
                    Some(report),
                )
            }
        };
        let live = LiveIndex {
            data_dir: data_dir.to_owned(),
            index_dir: index_dir.to_owned(),
            current: ArcSwap::from_pointee(index),
            build_lock: Mutex::new(()),
        };
        Ok((live, report))
    }

    fn open_current(data_dir: &Path, index_dir: &Path) -> Result<SearchIndex, SearchError> {
        let dir = store::current_generation(index_dir)
            .ok_or_else(|| SearchError::Missing(index_dir.to_owned()))?;
        let index = SearchIndex::open(&dir, data_dir)?;
        if !index.manifest().is_fresh(data_dir)? {
            return Err(SearchError::Manifest {
                path: dir,
                reason: "stale: the data directory or the analysis changed since it was built"
                    .into(),
            });
        }
        Ok(index)
    }

    /// The generation to answer from; cheap, and unaffected by later swaps.
    pub fn current(&self) -> Arc<SearchIndex> {
        self.current.load_full()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Rebuilds from the data directory and swaps the result in. On failure the live
    /// generation keeps serving and the error says why. `progress(done, total)` is called
    /// after each article.
    pub fn rebuild(&self, progress: &dyn Fn(usize, usize)) -> Result<BuildReport, SearchError> {
        let _one_at_a_time = self.build_lock.lock().unwrap_or_else(|p| p.into_inner());
        let (report, analyzer) =
            build_returning_analyzer(&self.data_dir, &self.index_dir, progress)?;
        let index = open_published(
            &self.data_dir,
            &self.index_dir,
            &report.generation,
            analyzer,
        )?;
        self.current.store(Arc::new(index));
        store::remove_old_generations(&self.index_dir, store::GENERATION_GRACE);
        Ok(report)
    }

    /// Rebuilds if the data directory changed since the live generation was built (a file
    /// copied in or edited by hand); `None` when it is up to date.
    pub fn rebuild_if_stale(&self) -> Result<Option<BuildReport>, SearchError> {
        if self.current().manifest().is_fresh(&self.data_dir)? {
            return Ok(None);
        }
        self.rebuild(&|_, _| {}).map(Some)
    }

    /// Switches to a generation that another process published since; true if it did.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        let Some(dir) = store::current_generation(&self.index_dir) else {
            return Ok(false);
        };
        if dir == self.current().generation() {
            return Ok(false);
        }
        let _no_build_meanwhile = self.build_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.current
            .store(Arc::new(SearchIndex::open(&dir, &self.data_dir)?));
        Ok(true)
    }
}

/// Opens the generation a build just published, or, if another process has meanwhile
/// published a newer one and cleaned ours up, the one `CURRENT` names: either is complete
/// and built from the same data.
fn open_published(
    data_dir: &Path,
    index_dir: &Path,
    built: &Path,
    analyzer: Arc<Analyzer>,
) -> Result<SearchIndex, SearchError> {
    store::read_manifest(built)
        .and_then(|manifest| SearchIndex::open_with(built, manifest, analyzer))
        .or_else(|first_error| {
            let current = store::current_generation(index_dir).ok_or(first_error)?;
            SearchIndex::open(&current, data_dir)
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::search::build;

    #[test]
    fn a_build_cleaned_up_by_another_process_opens_the_current_generation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (data, index) = (dir.path().join("data"), dir.path().join("index"));
        std::fs::create_dir(&data).expect("data dir");
        std::fs::write(data.join("a.md"), "標題\n第一段，文字。\n").expect("article");
        let (report, analyzer) =
            build_returning_analyzer(&data, &index, &|_, _| {}).expect("build");
        let ours = report.generation;
        let theirs = build(&data, &index).expect("build").generation;
        store::remove_old_generations(&index, Duration::ZERO);
        assert!(!ours.exists(), "cleaned up");
        let opened = open_published(&data, &index, &ours, analyzer).expect("falls back");
        assert_eq!(opened.generation(), theirs);
        assert_eq!(opened.passage_count(), 1);
    }
}
