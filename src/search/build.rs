//! Building a new index generation from the data directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use tantivy::{doc, Index, IndexSettings};

/// Bytes per compressed block of the document store (see `write_generation`).
const DOCSTORE_BLOCK_BYTES: usize = 2048;
/// Indexing threads at most, and the memory each may fill before writing a segment. On
/// the 50 MB corpus (2 threads) 24 MB gives a peak of 221 MB against 311 MB with 40, in
/// about the same time, and the same 4 segments after merging.
const MAX_INDEXING_THREADS: usize = 4;
const MEMORY_PER_INDEXING_THREAD: usize = 24_000_000;

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
///
/// The articles are read twice rather than held: once to find the names they introduce
/// (the analyzer needs all of them before the first passage is indexed), then in chunks
/// to index them. A 50 MB archive and its normalized copy held whole were 170 MB of the
/// build's peak memory; reading and normalizing again costs well under a second there.
pub(super) fn build_returning_analyzer(
    data_dir: &Path,
    index_dir: &Path,
    progress: &dyn Fn(usize, usize),
) -> Result<(BuildReport, Arc<Analyzer>), SearchError> {
    let started = Instant::now();
    let fingerprint = store::fingerprint(data_dir)?;
    let files = corpus::article_files(data_dir)?;
    let survey = survey(&files, &Normalizer::new());
    for problem in &survey.problems {
        tracing::info!(%problem, "article skipped");
    }
    if survey.articles == 0 {
        let reasons = if survey.problems.is_empty() {
            "no .md or .txt article files".to_owned()
        } else {
            survey.problems.join("; ")
        };
        return Err(SearchError::NothingIndexed {
            dir: data_dir.to_owned(),
            reasons,
        });
    }

    // The articles' own names and terms shape how they are segmented, so the analyzer
    // made from them is the one this generation is read with.
    let analyzer = Arc::new(Analyzer::for_data_dir(data_dir, &survey.discovered)?);
    let discovered_words = survey.discovered.words.len();
    let build_dir = store::new_build_dir(index_dir)?;
    let written = write_generation(
        &build_dir,
        &files,
        fingerprint,
        (&analyzer, survey.discovered),
        progress,
    );
    // An article that was read for the survey may be gone or broken when it is read again
    // for indexing: a build that ends up with none publishes nothing.
    let written = written.and_then(|written| {
        if written.articles.is_empty() {
            Err(SearchError::NothingIndexed {
                dir: data_dir.to_owned(),
                reasons: written.problems.join("; "),
            })
        } else {
            Ok(written)
        }
    });
    let written = match written {
        Ok(written) => written,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&build_dir);
            return Err(e);
        }
    };
    let generation = store::publish(index_dir, &build_dir)?;
    store::remove_old_generations(index_dir, store::GENERATION_GRACE);
    let report = BuildReport {
        articles: written.articles.len(),
        discovered_words,
        passages: written.articles.iter().map(|a| a.passages).sum(),
        problems: written.problems,
        elapsed: started.elapsed(),
        generation,
    };
    Ok((report, analyzer))
}

/// The first reading of the articles: what they introduce, how many could be read, and
/// what was wrong with the others.
struct Survey {
    discovered: Discovered,
    articles: usize,
    problems: Vec<String>,
}

fn survey(files: &[PathBuf], normalizer: &Normalizer) -> Survey {
    let found: Vec<Result<Discovered, String>> = files
        .par_iter()
        .map(|path| {
            let (_, normalized) = load_normalized(path, normalizer).map_err(|e| e.to_string())?;
            Ok(discover(normalized.iter().map(String::as_str)))
        })
        .collect();
    let mut survey = Survey {
        discovered: Discovered::default(),
        articles: 0,
        problems: Vec::new(),
    };
    let mut parts = Vec::new();
    for result in found {
        match result {
            Ok(part) => {
                survey.articles += 1;
                parts.push(part);
            }
            Err(problem) => survey.problems.push(problem),
        }
    }
    survey.discovered = Discovered::combine(parts);
    survey
}

/// One article file, and each of its passages normalized.
fn load_normalized(
    path: &Path,
    normalizer: &Normalizer,
) -> Result<(corpus::Article, Vec<String>), corpus::CorpusError> {
    let article = corpus::load_article(path)?;
    let normalized = article
        .passages
        .iter()
        .map(|p| normalizer.normalize(&p.text))
        .collect();
    Ok((article, normalized))
}

/// Articles read per chunk of the second reading: enough to keep both cores busy
/// normalizing, few enough that a chunk is a megabyte or two.
const ARTICLES_PER_CHUNK: usize = 256;

/// What was indexed: the manifest's articles, and the files skipped.
struct Written {
    articles: Vec<ArticleInfo>,
    problems: Vec<String>,
}

fn write_generation(
    dir: &Path,
    files: &[PathBuf],
    fingerprint: Vec<store::FileStamp>,
    (analyzer, discovered): (&Arc<Analyzer>, Discovered),
    progress: &dyn Fn(usize, usize),
) -> Result<Written, SearchError> {
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
    let mut written = Written {
        articles: Vec::with_capacity(files.len()),
        problems: Vec::new(),
    };
    for (chunk_number, chunk) in files.chunks(ARTICLES_PER_CHUNK).enumerate() {
        let loaded: Vec<_> = chunk
            .par_iter()
            .map(|path| load_normalized(path, analyzer.normalizer()))
            .collect();
        for (i, result) in loaded.into_iter().enumerate() {
            progress(chunk_number * ARTICLES_PER_CHUNK + i, files.len());
            let (article, normalized) = match result {
                Ok(loaded) => loaded,
                Err(problem) => {
                    written.problems.push(problem.to_string());
                    continue;
                }
            };
            for (passage, normalized) in article.passages.iter().zip(&normalized) {
                let section = passage.section.as_deref().unwrap_or_default();
                writer.add_document(doc!(
                    f.article => article.id.as_str(),
                    f.title => article.title.as_str(),
                    f.section => section,
                    f.paragraph => u64::from(passage.paragraph),
                    f.text => passage.text.as_str(),
                    f.normalized => normalized.as_str(),
                    f.chars => normalized.as_str(),
                    f.words => normalized.as_str(),
                    f.pinyin => normalized.as_str(),
                ))?;
            }
            written.articles.push(ArticleInfo {
                id: article.id,
                title: article.title,
                source: article.source,
                passages: article.passages.len(),
            });
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
        articles: written.articles,
        problems: written.problems,
        discovered,
    };
    store::write_manifest(dir, &manifest)?;
    Ok(Written {
        articles: manifest.articles,
        problems: manifest.problems,
    })
}
