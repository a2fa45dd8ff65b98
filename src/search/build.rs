//! Building a new index generation from the data directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tantivy::{doc, Index};

use super::schema::{self, Fields};
use super::store::{self, ArticleInfo, Manifest};
use super::SearchError;
use crate::corpus;
use crate::text::Analyzer;

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    pub articles: usize,
    pub passages: usize,
    /// Files that were skipped, each with the reason.
    pub problems: Vec<String>,
    pub elapsed: Duration,
    pub generation: PathBuf,
}

/// Builds a new generation from `data_dir` and publishes it. Bad article files are
/// skipped and reported; it fails only when no article at all can be indexed.
pub fn build(
    data_dir: &Path,
    index_dir: &Path,
    analyzer: &Arc<Analyzer>,
) -> Result<BuildReport, SearchError> {
    build_with_progress(data_dir, index_dir, analyzer, &|_, _| {})
}

/// [`build`], calling `progress(articles_done, articles_total)` after each article.
pub fn build_with_progress(
    data_dir: &Path,
    index_dir: &Path,
    analyzer: &Arc<Analyzer>,
    progress: &dyn Fn(usize, usize),
) -> Result<BuildReport, SearchError> {
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

    let build_dir = store::new_build_dir(index_dir)?;
    let result = write_generation(
        &build_dir,
        &corpus,
        fingerprint,
        problems.clone(),
        analyzer,
        progress,
    );
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&build_dir);
        return Err(e);
    }
    let generation = store::publish(index_dir, &build_dir)?;
    store::remove_old_generations(index_dir, store::GENERATION_GRACE);
    Ok(BuildReport {
        articles: corpus.articles.len(),
        passages: corpus.passage_count(),
        problems,
        elapsed: started.elapsed(),
        generation,
    })
}

fn write_generation(
    dir: &Path,
    corpus: &corpus::Corpus,
    fingerprint: Vec<store::FileStamp>,
    problems: Vec<String>,
    analyzer: &Arc<Analyzer>,
    progress: &dyn Fn(usize, usize),
) -> Result<(), SearchError> {
    let index = Index::create_in_dir(dir, schema::build_schema())?;
    schema::register_tokenizers(&index, analyzer);
    let f = Fields::from_schema(&index.schema())?;
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000)?;
    for (done, article) in corpus.articles.iter().enumerate() {
        progress(done, corpus.articles.len());
        for passage in &article.passages {
            let section = passage.section.clone().unwrap_or_default();
            let normalized = analyzer.normalize(&passage.text);
            writer.add_document(doc!(
                f.article => article.id.as_str(),
                f.title => article.title.as_str(),
                f.section => section.as_str(),
                f.paragraph => u64::from(passage.paragraph),
                f.text => passage.text.as_str(),
                f.normalized => normalized,
                f.chars => passage.text.as_str(),
                f.words => passage.text.as_str(),
                f.pinyin => passage.text.as_str(),
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
    };
    store::write_manifest(dir, &manifest)
}
