//! Building a new index generation from the data directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use tantivy::{doc, Index, IndexSettings};

/// Bytes per compressed block of the document store (see `write_generation`).
const DOCSTORE_BLOCK_BYTES: usize = 2048;
/// Indexing threads at most, and the memory each may fill before writing a segment.
const MAX_INDEXING_THREADS: usize = 4;
const MEMORY_PER_INDEXING_THREAD: usize = 40_000_000;

use super::schema::{self, Fields};
use super::store::{self, ArticleInfo, Manifest};
use super::SearchError;
use crate::corpus;
use crate::text::{discover, Analyzer, Discovered, Normalizer};

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub articles: usize,
    /// Names and terms found in the articles (see `text::discover`).
    pub discovered_words: usize,
    pub passages: usize,
    /// Files that were skipped, each with the reason.
    pub problems: Vec<String>,
    pub elapsed: Duration,
    pub generation: PathBuf,
}

/// Builds a new generation from `data_dir` and publishes it. Bad article files are
/// skipped and reported; it fails only when no article at all can be indexed.
pub fn build(data_dir: &Path, index_dir: &Path) -> Result<BuildReport, SearchError> {
    build_with_progress(data_dir, index_dir, &|_, _| {})
}

/// [`build`], calling `progress(articles_done, articles_total)` after each article.
pub fn build_with_progress(
    data_dir: &Path,
    index_dir: &Path,
    progress: &dyn Fn(usize, usize),
) -> Result<BuildReport, SearchError> {
    build_returning_analyzer(data_dir, index_dir, progress).map(|(report, _)| report)
}

/// [`build_with_progress`], also returning the analyzer the generation was built with, so
/// that opening it right away need not make another.
pub(super) fn build_returning_analyzer(
    data_dir: &Path,
    index_dir: &Path,
    progress: &dyn Fn(usize, usize),
) -> Result<(BuildReport, Arc<Analyzer>), SearchError> {
    let started = Instant::now();
    let fingerprint = store::fingerprint(data_dir)?;
    let corpus = corpus::load_dir(data_dir)?;
    let problems: Vec<String> = corpus.problems.iter().map(|p| p.to_string()).collect();
    for problem in &problems {
        tracing::info!(%problem, "article skipped");
    }
    if corpus.articles.is_empty() {
        let reasons = if problems.is_empty() {
            "no .md or .txt article files".to_owned()
        } else {
            problems.join("; ")
        };
        return Err(SearchError::NothingIndexed {
            dir: data_dir.to_owned(),
            reasons,
        });
    }

    // The articles' own names and terms shape how they are segmented, so they are found
    // first, and the analyzer made from them is the one this generation is read with.
    let normalizer = Normalizer::new();
    let normalized: Vec<String> = corpus
        .articles
        .par_iter()
        .flat_map_iter(|a| &a.passages)
        .map(|p| normalizer.normalize(&p.text))
        .collect();
    let discovered = discover(normalized.iter().map(String::as_str));
    let analyzer = Arc::new(Analyzer::for_data_dir(data_dir, &discovered)?);
    let discovered_words = discovered.words.len();
    let build_dir = store::new_build_dir(index_dir)?;
    let result = write_generation(
        &build_dir,
        &corpus,
        fingerprint,
        problems.clone(),
        (&analyzer, discovered, &normalized),
        progress,
    );
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&build_dir);
        return Err(e);
    }
    let generation = store::publish(index_dir, &build_dir)?;
    store::remove_old_generations(index_dir, store::GENERATION_GRACE);
    let report = BuildReport {
        articles: corpus.articles.len(),
        discovered_words,
        passages: corpus.passage_count(),
        problems,
        elapsed: started.elapsed(),
        generation,
    };
    Ok((report, analyzer))
}

fn write_generation(
    dir: &Path,
    corpus: &corpus::Corpus,
    fingerprint: Vec<store::FileStamp>,
    problems: Vec<String>,
    (analyzer, discovered, normalized): (&Arc<Analyzer>, Discovered, &[String]),
    progress: &dyn Fn(usize, usize),
) -> Result<(), SearchError> {
    // Small store blocks: every question fetches a few dozen passages, each from its own
    // block, and decompressing 16 KiB (tantivy's default) for one paragraph was the second
    // largest cost of a question on a large corpus.
    let settings = IndexSettings {
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    };
    let index = Index::builder()
        .schema(schema::build_schema())
        .settings(settings)
        .create_in_dir(dir)?;
    schema::register_tokenizers(&index, analyzer);
    let f = Fields::from_schema(&index.schema())?;
    // Analysis happens in tantivy's indexing threads, as each field is tokenized: one
    // thread per core, each writing its own segment within its share of the budget.
    let threads =
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_INDEXING_THREADS));
    let mut writer: tantivy::IndexWriter =
        index.writer_with_num_threads(threads, threads * MEMORY_PER_INDEXING_THREAD)?;
    let mut normalized = normalized.iter();
    for (done, article) in corpus.articles.iter().enumerate() {
        progress(done, corpus.articles.len());
        for passage in &article.passages {
            let section = passage.section.clone().unwrap_or_default();
            let normalized = normalized
                .next()
                .cloned()
                .unwrap_or_else(|| analyzer.normalize(&passage.text));
            writer.add_document(doc!(
                f.article => article.id.as_str(),
                f.title => article.title.as_str(),
                f.section => section.as_str(),
                f.paragraph => u64::from(passage.paragraph),
                f.text => passage.text.as_str(),
                f.normalized => normalized.as_str(),
                f.chars => normalized.as_str(),
                f.words => normalized.as_str(),
                f.pinyin => normalized.as_str(),
            ))?;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let manifest = Manifest {
        analysis_version: store::ANALYSIS_VERSION,
        fingerprint,
        built_at_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs(),
        articles: corpus
            .articles
            .iter()
            .map(|a| ArticleInfo {
                id: a.id.clone(),
                title: a.title.clone(),
                source: a.source.clone(),
                passages: a.passages.len(),
            })
            .collect(),
        problems,
        discovered,
    };
    store::write_manifest(dir, &manifest)
}
