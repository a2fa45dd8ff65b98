//! One opened, immutable index generation, and querying it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, Scorer, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocSet, Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term,
};

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

    /// The passages among the best `per_kind` for words or syllable pairs of the question
    /// (or for its characters, when it has neither), each with its score for every kind;
    /// unordered.
    ///
    /// Characters score the candidates but do not find them: a question's commonest
    /// characters occur in a large share of a big corpus, and walking their postings was
    /// most of a question's time there (on 50 MB, about 3.7 of 4 ms), while the passages
    /// that rank first share the question's words or pairs anyway (eval figures in README).
    pub fn search(&self, terms: &QueryTerms, per_kind: usize) -> Result<Vec<Hit>, SearchError> {
        if terms.is_empty() || per_kind == 0 {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let mut scores: HashMap<DocAddress, [f32; 3]> = HashMap::new();
        for kind in [TermKind::Words, TermKind::Pinyin] {
            if let Some(query) = self.query_of(terms, kind) {
                top_passages(&searcher, &query, per_kind, slot(kind), &mut scores)?;
            }
        }
        if let Some(query) = self.query_of(terms, TermKind::Chars) {
            let chars = slot(TermKind::Chars);
            if scores.is_empty() {
                top_passages(&searcher, &query, per_kind, chars, &mut scores)?;
            } else {
                score_candidates(&searcher, &query, &mut scores, chars)?;
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

    /// The question's terms of one kind as one query, each term weighted; `None` if it has
    /// none of that kind.
    fn query_of(&self, terms: &QueryTerms, kind: TermKind) -> Option<BooleanQuery> {
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
                let boosted: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(query), t.weight));
                (Occur::Should, boosted)
            })
            .collect();
        (!clauses.is_empty()).then(|| BooleanQuery::new(clauses))
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

/// Where a kind's score goes in `Hit::scores`: [`TermKind::ALL`] order.
fn slot(kind: TermKind) -> usize {
    TermKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default()
}

/// Adds the best `limit` passages for `query` to `scores`, with their score in slot `kind`.
fn top_passages(
    searcher: &Searcher,
    query: &BooleanQuery,
    limit: usize,
    kind: usize,
    scores: &mut HashMap<DocAddress, [f32; 3]>,
) -> Result<(), SearchError> {
    for (score, address) in searcher.search(query, &TopDocs::with_limit(limit).order_by_score())? {
        scores.entry(address).or_default()[kind] = score;
    }
    Ok(())
}

/// Sets `scores[kind]` of each candidate to its score for `query`: the sum of its
/// clauses' scores, each clause's matches sought to the candidates one after another. A
/// union of the clauses would score every passage in a window of thousands around each
/// candidate; a term's postings skip straight to it.
fn score_candidates(
    searcher: &Searcher,
    query: &BooleanQuery,
    scores: &mut HashMap<DocAddress, [f32; 3]>,
    kind: usize,
) -> Result<(), SearchError> {
    let mut candidates: Vec<DocAddress> = scores.keys().copied().collect();
    candidates.sort();
    let mut sums = vec![0.0f32; candidates.len()];
    for (_, clause) in query.clauses() {
        let weight = clause.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut scorer: Option<(u32, Box<dyn Scorer>)> = None;
        for (address, sum) in candidates.iter().zip(&mut sums) {
            let current = match &mut scorer {
                Some((segment, s)) if *segment == address.segment_ord => s,
                _ => {
                    let reader = searcher.segment_reader(address.segment_ord);
                    &mut scorer
                        .insert((address.segment_ord, weight.scorer(reader, 1.0)?))
                        .1
                }
            };
            // A scorer starts on its first match and only moves forward.
            let at = if current.doc() >= address.doc_id {
                current.doc()
            } else {
                current.seek(address.doc_id)
            };
            if at == address.doc_id {
                *sum += current.score();
            }
        }
    }
    for (address, sum) in candidates.iter().zip(sums) {
        if let Some(s) = scores.get_mut(address) {
            s[kind] = sum;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::build;
    use crate::text::QueryTerm;

    fn index_of(paragraphs: &[&str]) -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("tempdir");
        let (data, index) = (dir.path().join("data"), dir.path().join("index"));
        std::fs::create_dir(&data).expect("data dir");
        let article = format!("標題\n{}\n", paragraphs.join("\n"));
        std::fs::write(data.join("a.md"), article).expect("article");
        let generation = build(&data, &index).expect("build").generation;
        let opened = SearchIndex::open(&generation, &data).expect("open");
        (dir, opened)
    }

    #[test]
    fn candidates_get_the_character_score_a_full_search_gives() {
        let (_dir, index) = index_of(&[
            "阿里雲的模型推理成本指數級下降,價格一年降了九成。",
            "雲棲大會今年有三場圓桌論壇。",
            "模型的價格戰,是以價換量。",
            "下午的論壇討論了機器人。",
        ]);
        let terms = index.analyzer().question("阿里云的模型价格下降了多少");
        let hits = index.search(&terms, 2).expect("search");
        assert!(hits.len() >= 2, "{hits:?}");
        let query = index
            .query_of(&terms, TermKind::Chars)
            .expect("character terms");
        let searcher = index.reader.searcher();
        let full: HashMap<String, f32> = searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .expect("full search")
            .into_iter()
            .map(|(score, address)| {
                let doc: TantivyDocument = searcher.doc(address).expect("doc");
                (index.hit(&doc, [0.0; 3]).text, score)
            })
            .collect();
        for hit in &hits {
            let expected = full.get(&hit.text).copied().unwrap_or(0.0);
            assert!(expected > 0.0, "{}", hit.text);
            assert!(
                (hit.scores[0] - expected).abs() < 1e-5,
                "{hit:?} vs {expected}"
            );
        }
    }

    #[test]
    fn characters_find_passages_when_no_word_or_pair_does() {
        let (_dir, index) = index_of(&["雲棲大會今年有三場圓桌論壇。", "下午討論了機器人。"]);
        let terms = QueryTerms {
            terms: vec![QueryTerm {
                kind: TermKind::Chars,
                term: "云".to_owned(),
                weight: 1.0,
            }],
            ..QueryTerms::default()
        };
        let hits = index.search(&terms, 5).expect("search");
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].scores[0] > 0.0);
    }
}
