//! One opened, immutable index generation, and querying it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use super::schema::{self, Fields};
use super::store::{self, ArticleInfo, Manifest};
use super::SearchError;
use crate::text::{Analyzer, QueryTerms, TermKind};

/// A passage found for a question, with its BM25 score for each kind of term.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub article: String,
    pub title: String,
    pub source: Option<String>,
    pub section: Option<String>,
    pub paragraph: u32,
    /// The paragraph exactly as in the article.
    pub text: String,
    /// `text` normalized, aligned character for character with it.
    pub normalized: String,
    /// BM25 of the question's terms of each kind, in [`TermKind::ALL`] order; 0 where the
    /// passage was not among the best of that kind.
    pub scores: [f32; 3],
}

/// One opened, immutable index generation.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
    manifest: Manifest,
    articles: HashMap<String, ArticleInfo>,
    /// Passages in the generation, counted once: every idf needs it.
    passages: usize,
    dir: PathBuf,
    /// The analysis this generation was built with: the lexicon of its data directory and
    /// the names found in its articles.
    analyzer: Arc<Analyzer>,
}

impl SearchIndex {
    /// Opens a generation with the analysis it was built with, made anew from the
    /// lexicon in `data_dir` and the names its manifest records.
    pub(super) fn open(dir: &Path, data_dir: &Path) -> Result<SearchIndex, SearchError> {
        let manifest = store::read_manifest(dir)?;
        let analyzer = Arc::new(Analyzer::for_data_dir(data_dir, &manifest.discovered)?);
        Self::open_with(dir, manifest, analyzer)
    }

    /// Opens a generation whose analyzer is at hand (the build just made it).
    pub(super) fn open_with(
        dir: &Path,
        manifest: Manifest,
        analyzer: Arc<Analyzer>,
    ) -> Result<SearchIndex, SearchError> {
        let index = Index::open_in_dir(dir)?;
        schema::register_tokenizers(&index, &analyzer);
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
        let passages = manifest.articles.iter().map(|a| a.passages).sum();
        Ok(SearchIndex {
            reader,
            fields,
            manifest,
            articles,
            passages,
            dir: dir.to_owned(),
            analyzer,
        })
    }

    /// The passages among the best `per_kind` for any kind of the question's terms, each
    /// with its score for every kind; unordered.
    pub fn search(&self, terms: &QueryTerms, per_kind: usize) -> Result<Vec<Hit>, SearchError> {
        if terms.is_empty() || per_kind == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut scores: HashMap<DocAddress, [f32; 3]> = HashMap::new();
        for (k, kind) in TermKind::ALL.into_iter().enumerate() {
            let field = self.fields.of(kind);
            let clauses: Vec<(Occur, Box<dyn Query>)> = terms
                .terms
                .iter()
                .filter(|t| t.kind == kind)
                .map(|t| {
                    let query = TermQuery::new(
                        Term::from_field_text(field, &t.term),
                        IndexRecordOption::WithFreqs,
                    );
                    let boosted: Box<dyn Query> =
                        Box::new(BoostQuery::new(Box::new(query), t.weight));
                    (Occur::Should, boosted)
                })
                .collect();
            if clauses.is_empty() {
                continue;
            }
            let top = searcher.search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(per_kind).order_by_score(),
            )?;
            for (score, address) in top {
                scores.entry(address).or_default()[k] = score;
            }
        }
        scores
            .into_iter()
            .map(|(address, scores)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                Ok(self.hit(&doc, scores))
            })
            .collect()
    }

    fn hit(&self, doc: &TantivyDocument, scores: [f32; 3]) -> Hit {
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
            normalized: text(f.normalized),
            article,
            scores,
        }
    }

    /// How many passages contain `term` of `kind`.
    pub fn doc_freq(&self, kind: TermKind, term: &str) -> u64 {
        let searcher = self.reader.searcher();
        searcher
            .doc_freq(&Term::from_field_text(self.fields.of(kind), term))
            .unwrap_or(0)
    }

    /// The inverse document frequency of `term` in BM25's form (highest when absent).
    pub fn idf(&self, kind: TermKind, term: &str) -> f32 {
        let n = self.passage_count() as f32;
        let df = self.doc_freq(kind, term) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn passage_count(&self) -> usize {
        self.passages
    }

    /// Bytes this generation takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        store::dir_size(&self.dir)
    }

    pub fn generation(&self) -> &Path {
        &self.dir
    }
}
