//! The passage index: building it from the data directory, opening it, querying it, and
//! swapping a rebuilt one in while questions keep being answered.
//!
//! Tantivy stays inside this module: callers pass analyzed question terms and get
//! passages with scores back.

mod schema;
pub mod store;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::corpus::{self, CorpusError};
use crate::text::{Analyzer, QueryTerms};
use schema::Fields;
pub use store::{ArticleInfo, Manifest};

/// Relative weight of each analyzed field in a passage's score.
#[derive(Debug, Clone, Copy)]
pub struct FieldWeights {
    pub words: f32,
    pub bigrams: f32,
    pub context_words: f32,
    pub context_bigrams: f32,
}

impl Default for FieldWeights {
    fn default() -> Self {
        FieldWeights {
            words: 1.0,
            bigrams: 0.6,
            context_words: 0.3,
            context_bigrams: 0.2,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index manifest {path} is unreadable: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("no index has been built in {0}")]
    Missing(PathBuf),
    #[error("nothing could be indexed in {dir}: {reasons}")]
    NothingIndexed { dir: PathBuf, reasons: String },
}

impl SearchError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        SearchError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A passage found for a question, with its BM25 score.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub article: String,
    pub title: String,
    pub source: Option<String>,
    pub section: Option<String>,
    pub paragraph: u32,
    pub text: String,
    pub score: f32,
}

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

/// One opened, immutable index generation.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    manifest: Manifest,
    articles: HashMap<String, ArticleInfo>,
    dir: PathBuf,
}

impl SearchIndex {
    fn open(dir: &Path, analyzer: &Arc<Analyzer>) -> Result<SearchIndex, SearchError> {
        let manifest = store::read_manifest(dir)?;
        let index = Index::open_in_dir(dir)?;
        schema::register_tokenizers(&index, analyzer);
        let fields = Fields::from_schema(&index.schema())?;
        // A generation never changes after it is published: no reloading needed.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let articles = manifest
            .articles
            .iter()
            .map(|a| (a.id.clone(), a.clone()))
            .collect();
        Ok(SearchIndex {
            reader,
            fields,
            manifest,
            articles,
            dir: dir.to_owned(),
        })
    }

    /// The best `limit` passages for `terms`, best first.
    pub fn search(
        &self,
        terms: &QueryTerms,
        weights: FieldWeights,
        limit: usize,
    ) -> Result<Vec<Hit>, SearchError> {
        if terms.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &terms.terms {
            let (fields, field_weights) = if t.bigram {
                (
                    [f.bigrams, f.context_bigrams],
                    [weights.bigrams, weights.context_bigrams],
                )
            } else {
                (
                    [f.words, f.context_words],
                    [weights.words, weights.context_words],
                )
            };
            for (field, weight) in fields.into_iter().zip(field_weights) {
                let query = TermQuery::new(
                    Term::from_field_text(field, &t.term),
                    IndexRecordOption::WithFreqs,
                );
                let boosted = BoostQuery::new(Box::new(query), weight * t.weight);
                clauses.push((Occur::Should, Box::new(boosted)));
            }
        }
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        top.into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(self.hit(&doc, score))
            })
            .collect()
    }

    fn hit(&self, doc: &TantivyDocument, score: f32) -> Hit {
        let f = self.fields;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned()
        };
        let article = text(f.article);
        let section = text(f.section);
        Hit {
            source: self.articles.get(&article).and_then(|a| a.source.clone()),
            title: text(f.title),
            section: (!section.is_empty()).then_some(section),
            paragraph: doc
                .get_first(f.paragraph)
                .and_then(|v| v.as_u64())
                .unwrap_or_default() as u32,
            text: text(f.text),
            article,
            score,
        }
    }

    /// Passages containing a word term (`bigram == false`) or a bigram, in their text or
    /// their section heading, and the term's inverse document frequency in BM25's form
    /// (highest for an absent term).
    pub fn term_stats(&self, term: &str, bigram: bool) -> (u64, f32) {
        let f = self.fields;
        let fields = if bigram {
            [f.bigrams, f.context_bigrams]
        } else {
            [f.words, f.context_words]
        };
        let searcher = self.reader.searcher();
        let n = searcher.num_docs() as f32;
        let df = fields
            .iter()
            .map(|field| {
                searcher
                    .doc_freq(&Term::from_field_text(*field, term))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0);
        let idf = (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
        (df, idf)
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn passage_count(&self) -> usize {
        self.manifest.articles.iter().map(|a| a.passages).sum()
    }

    /// Bytes this generation takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        store::dir_size(&self.dir)
    }

    pub fn generation(&self) -> &Path {
        &self.dir
    }
}

/// The index being served: one generation at a time, replaced atomically by a rebuild
/// (here or in another process) while readers keep the generation they started with.
pub struct LiveIndex {
    data_dir: PathBuf,
    index_dir: PathBuf,
    analyzer: Arc<Analyzer>,
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
        analyzer: Arc<Analyzer>,
    ) -> Result<(LiveIndex, Option<BuildReport>), SearchError> {
        let fresh = match Self::open_current(data_dir, index_dir, &analyzer) {
            Ok(index) => Some(index),
            Err(reason) => {
                tracing::info!(%reason, "index needs a rebuild");
                None
            }
        };
        let (index, report) = match fresh {
            Some(index) => (index, None),
            None => {
                let report = build(data_dir, index_dir, &analyzer)?;
                (
                    open_published(index_dir, &report.generation, &analyzer)?,
                    Some(report),
                )
            }
        };
        let live = LiveIndex {
            data_dir: data_dir.to_owned(),
            index_dir: index_dir.to_owned(),
            analyzer,
            current: ArcSwap::from_pointee(index),
            build_lock: Mutex::new(()),
        };
        Ok((live, report))
    }

    fn open_current(
        data_dir: &Path,
        index_dir: &Path,
        analyzer: &Arc<Analyzer>,
    ) -> Result<SearchIndex, SearchError> {
        let dir = store::current_generation(index_dir)
            .ok_or_else(|| SearchError::Missing(index_dir.to_owned()))?;
        let index = SearchIndex::open(&dir, analyzer)?;
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

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Rebuilds from the data directory and swaps the result in. On failure the live
    /// generation keeps serving and the error says why.
    pub fn rebuild(&self) -> Result<BuildReport, SearchError> {
        let _one_at_a_time = self.build_lock.lock().unwrap_or_else(|p| p.into_inner());
        let report = build(&self.data_dir, &self.index_dir, &self.analyzer)?;
        let index = open_published(&self.index_dir, &report.generation, &self.analyzer)?;
        self.current.store(Arc::new(index));
        store::remove_old_generations(&self.index_dir, store::GENERATION_GRACE);
        Ok(report)
    }

    /// Rebuilds if the data directory changed since the live generation was built (a file
    /// copied in or edited by hand); `None` when it is up to date.
    pub fn rebuild_if_stale(&self) -> Result<Option<BuildReport>, SearchError> {
        if self.current().manifest.is_fresh(&self.data_dir)? {
            return Ok(None);
        }
        self.rebuild().map(Some)
    }

    /// Switches to a generation that another process published since; true if it did.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        let Some(dir) = store::current_generation(&self.index_dir) else {
            return Ok(false);
        };
        if dir == self.current().dir {
            return Ok(false);
        }
        let _no_build_meanwhile = self.build_lock.lock().unwrap_or_else(|p| p.into_inner());
        self.current
            .store(Arc::new(SearchIndex::open(&dir, &self.analyzer)?));
        Ok(true)
    }
}

/// Opens the generation a build just published, or, if another process has meanwhile
/// published a newer one and cleaned ours up, the one `CURRENT` names: either is complete
/// and built from the same data.
fn open_published(
    index_dir: &Path,
    built: &Path,
    analyzer: &Arc<Analyzer>,
) -> Result<SearchIndex, SearchError> {
    SearchIndex::open(built, analyzer).or_else(|first_error| {
        let current = store::current_generation(index_dir).ok_or(first_error)?;
        SearchIndex::open(&current, analyzer)
    })
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
            let context = format!("{section}\n{}", article.title);
            writer.add_document(doc!(
                f.article => article.id.as_str(),
                f.title => article.title.as_str(),
                f.section => section.as_str(),
                f.paragraph => u64::from(passage.paragraph),
                f.text => passage.text.as_str(),
                f.words => passage.text.as_str(),
                f.bigrams => passage.text.as_str(),
                f.context_words => context.as_str(),
                f.context_bigrams => context.as_str(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lexicon;

    #[test]
    fn a_build_cleaned_up_by_another_process_opens_the_current_generation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (data, index) = (dir.path().join("data"), dir.path().join("index"));
        std::fs::create_dir(&data).expect("data dir");
        std::fs::write(data.join("a.md"), "標題\n第一段，文字。\n").expect("article");
        let analyzer = Arc::new(Analyzer::new(Lexicon::builtin()));
        let ours = build(&data, &index, &analyzer).expect("build").generation;
        let theirs = build(&data, &index, &analyzer).expect("build").generation;
        store::remove_old_generations(&index, Duration::ZERO);
        assert!(!ours.exists(), "cleaned up");
        let opened = open_published(&index, &ours, &analyzer).expect("falls back");
        assert_eq!(opened.generation(), theirs);
        assert_eq!(opened.passage_count(), 1);
    }
}
