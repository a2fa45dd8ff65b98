//! The answer engine: a question in, the passages that answer it out, or an honest "no".
//!
//! Ranking: tantivy's BM25 over words, bigrams and section context picks candidates;
//! each candidate is then scored again by how much of the question it covers (terms
//! weighted by rarity, alias alternatives counting for the term they stand for). The same
//! coverage decides whether the best passage answers the question at all: raw BM25 cannot,
//! since a near-domain question can outscore a weak real match.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::search::{
    BuildReport, FieldWeights, Hit, LiveIndex, SearchError, SearchIndex, LEXICON_DIR,
};
use crate::text::{Analyzer, QueryTerms, TextError};

/// How many candidates BM25 hands to the coverage re-ranking.
const CANDIDATES: usize = 20;

/// Which script quotes are displayed in (the JSON `text` is always the original).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Script {
    /// Simplified for a question written in Simplified, the original otherwise.
    #[default]
    Auto,
    /// Always as written in the article.
    Original,
    /// Always converted to Simplified.
    Simplified,
}

impl std::str::FromStr for Script {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Script::Auto),
            "original" => Ok(Script::Original),
            "simplified" => Ok(Script::Simplified),
            other => Err(format!(
                "unknown script {other:?}: expected auto, original or simplified"
            )),
        }
    }
}

/// Tunables of ranking and of the no-answer decision.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The least coverage of the question by the best passage for it to count as an answer.
    pub min_coverage: f32,
    /// Passages after the first are kept only if their score is at least this share of
    /// the best one's.
    pub min_relative_score: f32,
    pub weights: FieldWeights,
    pub script: Script,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_coverage: 0.45,
            min_relative_score: 0.0,
            weights: FieldWeights::default(),
            script: Script::Auto,
        }
    }
}

/// Where the engine reads articles from and keeps its index.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub index_dir: PathBuf,
    pub settings: Settings,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Text(#[from] TextError),
}

/// The answer to one question.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub question: String,
    pub answered: bool,
    pub passages: Vec<Passage>,
    /// Share of the question (weighted by term rarity) that the best passage covers.
    pub confidence: f32,
}

/// A quoted paragraph with where it comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Passage {
    pub article: String,
    pub title: String,
    pub section: Option<String>,
    pub paragraph: u32,
    pub score: f32,
    /// The paragraph exactly as in the article.
    pub text: String,
    /// The paragraph as it should be shown to this asker (see [`Script`]); it has as many
    /// characters as `text`, so `highlights` apply to both.
    pub display_text: String,
    /// Character ranges `[start, end)` of the question's terms in the paragraph.
    pub highlights: Vec<(usize, usize)>,
    pub source: Option<String>,
}

/// Questions answered and refused since start.
#[derive(Debug, Default)]
pub struct Counters {
    answered: AtomicU64,
    refused: AtomicU64,
}

impl Counters {
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// Answers questions from the live index. Cheap to share (`Arc`), safe to use from many
/// threads, and synchronous: a question takes well under a millisecond of CPU.
pub struct Engine {
    live: LiveIndex,
    settings: Settings,
    counters: Counters,
}

impl Engine {
    /// Loads the lexicon and opens the index, rebuilding it first if it is missing,
    /// unreadable or stale; the report is `Some` when it was rebuilt.
    pub fn open(config: &EngineConfig) -> Result<(Engine, Option<BuildReport>), EngineError> {
        let analyzer = load_analyzer(config)?;
        let (live, report) = LiveIndex::open(&config.data_dir, &config.index_dir, analyzer)?;
        let engine = Engine {
            live,
            settings: config.settings,
            counters: Counters::default(),
        };
        Ok((engine, report))
    }

    /// Up to `top` passages that answer `question`, best first, or `answered: false`.
    pub fn ask(&self, question: &str, top: usize) -> Result<Answer, SearchError> {
        let answer = self.rank(question, top)?;
        let counter = if answer.answered {
            &self.counters.answered
        } else {
            &self.counters.refused
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(answer)
    }

    fn rank(&self, question: &str, top: usize) -> Result<Answer, SearchError> {
        let analyzer = self.live.analyzer();
        let terms = analyzer.question(question);
        let index = self.live.current();
        let hits = index.search(&terms, self.settings.weights, CANDIDATES.max(top))?;
        let scorer = CoverageScorer::new(&index, &terms);

        let mut ranked: Vec<(f32, f32, Hit, Vec<(usize, usize)>)> = hits
            .into_iter()
            .map(|hit| {
                let (coverage, highlights) = scorer.coverage(analyzer, &hit.text);
                let score = hit.score * (0.5 + coverage);
                (score, coverage, hit, highlights)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));

        let confidence = ranked.first().map_or(0.0, |r| r.1);
        let answered = confidence >= self.settings.min_coverage;
        let best = ranked.first().map_or(0.0, |r| r.0);
        let simplified = match self.settings.script {
            Script::Auto => !analyzer.normalizer().is_traditional(question),
            Script::Original => false,
            Script::Simplified => true,
        };
        let passages = if answered {
            ranked
                .into_iter()
                .filter(|r| r.0 >= best * self.settings.min_relative_score)
                .take(top)
                .map(|(score, _, hit, highlights)| Passage {
                    display_text: if simplified {
                        analyzer.normalizer().simplify_aligned(&hit.text)
                    } else {
                        hit.text.clone()
                    },
                    article: hit.article,
                    title: hit.title,
                    section: hit.section,
                    paragraph: hit.paragraph,
                    score,
                    text: hit.text,
                    highlights,
                    source: hit.source,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(Answer {
            question: question.to_owned(),
            answered,
            passages,
            confidence,
        })
    }

    /// Rebuilds the index from the data directory and swaps it in; questions keep being
    /// answered from the old index meanwhile, and a failure leaves it serving.
    pub fn rebuild(&self) -> Result<BuildReport, SearchError> {
        self.live.rebuild()
    }

    /// Picks up an index that another process (`yunqi-bot index`) published.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        self.live.refresh()
    }

    /// The index generation currently answering (articles, sizes, manifest).
    pub fn index(&self) -> Arc<SearchIndex> {
        self.live.current()
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.live.data_dir()
    }
}

fn load_analyzer(config: &EngineConfig) -> Result<Arc<Analyzer>, TextError> {
    Ok(Arc::new(Analyzer::load(
        &config.data_dir.join(LEXICON_DIR),
    )?))
}

/// How much of a question a passage covers: each concept of the question weighs its
/// terms' IDF; a concept counts as covered when any of its terms occurs in the passage.
/// Words and bigrams are measured apart and averaged, so a name the segmenter splits
/// differently still counts through its bigrams.
struct CoverageScorer<'q> {
    terms: &'q QueryTerms,
    /// For words (index 0) and bigrams (index 1): concept → its weight.
    concept_weight: [HashMap<usize, f32>; 2],
}

impl<'q> CoverageScorer<'q> {
    fn new(index: &SearchIndex, terms: &'q QueryTerms) -> Self {
        let mut concept_weight: [HashMap<usize, f32>; 2] = Default::default();
        for t in terms.terms.iter().filter(|t| t.weight >= 1.0) {
            let idf = index.idf(&t.term, t.bigram);
            let w = concept_weight[usize::from(t.bigram)]
                .entry(t.concept)
                .or_insert(0.0);
            *w = w.max(idf);
        }
        CoverageScorer {
            terms,
            concept_weight,
        }
    }

    /// The coverage in [0, 1] and the character spans of matched terms in `text`.
    fn coverage(&self, analyzer: &Analyzer, text: &str) -> (f32, Vec<(usize, usize)>) {
        let words = analyzer.words(text);
        let bigrams = analyzer.bigrams(text);
        let mut highlights = Vec::new();
        let mut shares = Vec::new();
        for (kind, tokens) in [(0, &words), (1, &bigrams)] {
            let present: HashSet<&str> = tokens.iter().map(|t| t.term.as_str()).collect();
            let mut covered: HashSet<usize> = HashSet::new();
            for t in self.terms.terms.iter().filter(|t| t.bigram == (kind == 1)) {
                if present.contains(t.term.as_str()) {
                    covered.insert(t.concept);
                }
            }
            let weights = &self.concept_weight[kind];
            let total: f32 = weights.values().sum();
            if total > 0.0 {
                let got: f32 = covered.iter().filter_map(|c| weights.get(c)).sum();
                shares.push(got / total);
            }
            let wanted: HashSet<&str> = self
                .terms
                .terms
                .iter()
                .filter(|t| t.bigram == (kind == 1))
                .map(|t| t.term.as_str())
                .collect();
            highlights.extend(
                tokens
                    .iter()
                    .filter(|t| wanted.contains(t.term.as_str()))
                    .map(|t| (t.start, t.end)),
            );
        }
        let coverage = if shares.is_empty() {
            0.0
        } else {
            shares.iter().sum::<f32>() / shares.len() as f32
        };
        (coverage, merge_spans(highlights))
    }
}

/// Sorts and merges overlapping or touching spans.
fn merge_spans(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_merge_when_they_overlap_or_touch() {
        assert_eq!(
            merge_spans(vec![(5, 7), (0, 2), (1, 3), (3, 4), (9, 10)]),
            vec![(0, 4), (5, 7), (9, 10)]
        );
    }
}
