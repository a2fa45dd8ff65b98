//! The answer engine: a question in, the passages that answer it out, or an honest "no".
//!
//! Ranking: tantivy's BM25 over words, bigrams and section context picks candidates;
//! each candidate is then scored again by how much of the question it covers (concepts
//! weighted by rarity, alias alternatives counting for the term they stand for). The same
//! coverage decides whether the best passage answers the question at all: raw BM25 cannot,
//! since a near-domain question can outscore a weak real match.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::search::{BuildReport, FieldWeights, Hit, LiveIndex, SearchError, SearchIndex};
use crate::text::{term_positions, Analyzer, QueryTerm, QueryTerms, TextError};

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
    /// The least confidence for the best passage to count as an answer. Chosen on the
    /// public question set: its answerable questions score 0.42 and up, its unanswerable
    /// ones 0.35 and below, except one near-domain question (see README).
    pub min_confidence: f32,
    pub weights: FieldWeights,
    pub script: Script,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_confidence: 0.38,
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
    /// How surely the best passage answers: the share of the question (weighted by term
    /// rarity) it covers, lowered when the question's parts are only found apart.
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
        let analyzer = Arc::new(Analyzer::for_data_dir(&config.data_dir)?);
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
        tracing::debug!(?terms, "question terms");
        let index = self.live.current();
        let hits = index.search(&terms, self.settings.weights, CANDIDATES.max(top))?;
        let scorer = CoverageScorer::new(&index, &terms);

        let mut ranked: Vec<(f32, Coverage, Hit)> = hits
            .into_iter()
            .map(|hit| {
                // Coverage dominates; BM25 orders passages that cover the question alike.
                let coverage = scorer.coverage(analyzer, &hit.text, hit.section.as_deref());
                (hit.score * (0.1 + coverage.share).powi(3), coverage, hit)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));

        let found_anywhere: HashSet<usize> = ranked
            .iter()
            .flat_map(|r| r.1.found.iter().copied())
            .collect();
        let confidence = ranked.first().map_or(0.0, |(_, coverage, _)| {
            coverage.share * scorer.togetherness(&coverage.found, &found_anywhere)
        });
        let answered = confidence >= self.settings.min_confidence;
        let simplified = self.shows_simplified(question);
        let passages = if answered {
            ranked
                .into_iter()
                // Later passages must each answer the question on their own.
                .filter(|(_, coverage, _)| coverage.share >= self.settings.min_confidence)
                .take(top)
                .map(|(score, coverage, hit)| self.passage(hit, score, coverage, simplified))
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

    /// Whether quotes for this question are shown in Simplified (see [`Script`]).
    fn shows_simplified(&self, question: &str) -> bool {
        match self.settings.script {
            Script::Auto => !self.live.analyzer().normalizer().is_traditional(question),
            Script::Original => false,
            Script::Simplified => true,
        }
    }

    fn passage(&self, hit: Hit, score: f32, coverage: Coverage, simplified: bool) -> Passage {
        let display_text = if simplified {
            self.live
                .analyzer()
                .normalizer()
                .simplify_aligned(&hit.text)
        } else {
            hit.text.clone()
        };
        Passage {
            display_text,
            article: hit.article,
            title: hit.title,
            section: hit.section,
            paragraph: hit.paragraph,
            score,
            text: hit.text,
            highlights: coverage.highlights,
            source: hit.source,
        }
    }

    /// Rebuilds the index from the data directory and swaps it in; questions keep being
    /// answered from the old index meanwhile, and a failure leaves it serving.
    pub fn rebuild(&self) -> Result<BuildReport, SearchError> {
        self.live.rebuild()
    }

    /// Rebuilds when the data directory changed behind the engine's back; `None` if it
    /// did not. Cheap when nothing changed: it only reads file metadata.
    pub fn rebuild_if_stale(&self) -> Result<Option<BuildReport>, SearchError> {
        self.live.rebuild_if_stale()
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

/// How much of a question a passage covers, in [0, 1].
///
/// Each concept of the question (see `Analyzer::question`) weighs the IDF of its rarest
/// term that occurs in the index, and the passage (with its section heading) covers it:
/// - fully, when one of its surfaces occurs: the asker's word or an alias's member;
/// - partly otherwise, by the share of its bigrams present, so a misspelt or differently
///   segmented name still counts for what it shares.
///
/// Two kinds of concept are unreliable evidence either way and weigh half:
/// - a single Han character (写, 大), which segmentation finds inconsistently;
/// - an everyday word the articles never use (名单, 力度): it may be the asker's
///   paraphrase.
///
/// A name the articles never mention (特斯拉, NBA, APP) means the question is about
/// something they do not cover: nothing covers such a question. Nor does a passage that
/// covers none of the question's known concepts longer than one character (「好的」).
struct CoverageScorer<'q> {
    terms: &'q QueryTerms,
    concepts: Vec<ConceptWeight>,
    /// The question names something the articles never mention.
    unknown_name: bool,
}

/// What a passage covers of a question.
struct Coverage {
    /// Weighted share of the question's concepts covered, in [0, 1].
    share: f32,
    /// The concepts known to the index that the passage covers fully.
    found: HashSet<usize>,
    /// Character spans of the question's terms in the passage.
    highlights: Vec<(usize, usize)>,
}

#[derive(Debug, Default, Clone)]
struct ConceptWeight {
    weight: f32,
    /// How many of the asker's bigrams stand for it.
    bigrams: usize,
    /// Whether any of its terms (aliases' included) occurs in the index.
    known: bool,
    /// Known, and more than a single character: evidence that can make a passage an
    /// answer by itself.
    telling: bool,
}

impl<'q> CoverageScorer<'q> {
    fn new(index: &SearchIndex, terms: &'q QueryTerms) -> Self {
        let mut concepts = vec![ConceptWeight::default(); terms.concepts.len()];
        // Weight: the rarest of the asker's terms that occurs in the index; failing that,
        // the rarest of the aliases' terms that does; failing that, the rarest term.
        let mut alias_weight = vec![0.0f32; terms.concepts.len()];
        let mut unknown_weight = vec![0.0f32; terms.concepts.len()];
        for t in &terms.terms {
            let Some(id) = t.concept else { continue };
            let (df, idf) = index.term_stats(&t.term, t.bigram);
            let concept = &mut concepts[id];
            let asked = t.weight >= 1.0;
            if df > 0 {
                concept.known = true;
                if asked {
                    concept.weight = concept.weight.max(idf);
                } else {
                    alias_weight[id] = alias_weight[id].max(idf);
                }
            } else {
                unknown_weight[id] = unknown_weight[id].max(idf);
            }
            if asked && t.bigram {
                concept.bigrams += 1;
            }
        }
        for (concept, alias) in concepts.iter_mut().zip(alias_weight) {
            if concept.weight == 0.0 {
                concept.weight = alias;
            }
        }
        let mut unknown_name = false;
        for ((concept, spec), unknown) in
            concepts.iter_mut().zip(&terms.concepts).zip(unknown_weight)
        {
            if !concept.known {
                concept.weight = unknown;
                unknown_name |= spec.name;
            }
            let single_char = spec.surfaces[0].chars().count() == 1;
            if single_char || (!concept.known && !spec.name) {
                concept.weight *= 0.5;
            }
            concept.telling = concept.known && !single_char;
        }
        tracing::debug!(?concepts, unknown_name, "question concepts");
        CoverageScorer {
            terms,
            concepts,
            unknown_name,
        }
    }

    /// How much of the question a paragraph covers, with its section heading: a heading
    /// says what the paragraphs under it are about. Highlights are in `text` only.
    fn coverage(&self, analyzer: &Analyzer, text: &str, section: Option<&str>) -> Coverage {
        let passage = analyzer.analyze(text);
        let heading = analyzer.analyze(section.unwrap_or_default());
        let context = format!("{}\n{}", passage.normalized, heading.normalized);
        let present = |t: &QueryTerm| {
            let (tokens, in_heading) = if t.bigram {
                (&passage.bigrams, &heading.bigrams)
            } else {
                (&passage.words, &heading.words)
            };
            tokens
                .iter()
                .chain(in_heading)
                .any(|token| token.term == t.term)
        };

        let matched: Vec<&QueryTerm> = self.terms.terms.iter().filter(|t| present(t)).collect();
        let (mut got, mut total, mut any_telling) = (0.0, 0.0, false);
        let mut found = HashSet::new();
        for (id, (concept, spec)) in self.concepts.iter().zip(&self.terms.concepts).enumerate() {
            let surfaced = spec
                .surfaces
                .iter()
                .any(|s| !term_positions(&context, s).is_empty());
            let share = if surfaced {
                1.0
            } else {
                let bigrams_found = matched
                    .iter()
                    .filter(|t| t.bigram && t.weight >= 1.0 && t.concept == Some(id))
                    .count();
                bigrams_found as f32 / concept.bigrams.max(1) as f32
            };
            any_telling |= concept.telling && share > 0.0;
            if concept.known && share >= 1.0 {
                found.insert(id);
            }
            got += concept.weight * share;
            total += concept.weight;
        }
        let share = if total > 0.0 && any_telling && !self.unknown_name {
            got / total
        } else {
            0.0
        };
        tracing::trace!(share, passage = %text.chars().take(20).collect::<String>(), "coverage");

        let wanted: HashSet<(&str, bool)> = matched
            .iter()
            .map(|t| (t.term.as_str(), t.bigram))
            .collect();
        let highlights = passage
            .words
            .iter()
            .filter(|t| wanted.contains(&(t.term.as_str(), false)))
            .chain(
                passage
                    .bigrams
                    .iter()
                    .filter(|t| wanted.contains(&(t.term.as_str(), true))),
            )
            .map(|t| (t.start, t.end))
            .collect();
        Coverage {
            share,
            found,
            highlights: merge_spans(highlights),
        }
    }

    /// How much of what the candidates found is found together in one passage: the
    /// square root of the weight of `found` over that of `found_anywhere`. A question
    /// whose parts the articles mention only apart (the CEO here, OpenAI there) asks about
    /// a connection they do not make.
    fn togetherness(&self, found: &HashSet<usize>, found_anywhere: &HashSet<usize>) -> f32 {
        let weight = |set: &HashSet<usize>| -> f32 {
            set.iter()
                .filter_map(|id| self.concepts.get(*id))
                .map(|c| c.weight)
                .sum()
        };
        let anywhere = weight(found_anywhere);
        if anywhere <= 0.0 {
            return 1.0;
        }
        (weight(found) / anywhere).sqrt()
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

    /// An engine over a small article written to a temporary directory.
    fn engine(article: &str) -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("data")).expect("data dir");
        std::fs::write(dir.path().join("data/a.md"), article).expect("article");
        let config = EngineConfig {
            data_dir: dir.path().join("data"),
            index_dir: dir.path().join("index"),
            settings: Settings::default(),
        };
        let (engine, _) = Engine::open(&config).expect("engine");
        (dir, engine)
    }

    const ARTICLE: &str = "---\ntitle: 測試\n---\n\
        小鵬汽車宣佈每年投入35億元用於研發。\n\
        阿里雲CEO吳泳銘在雲棲大會上發表了演講。\n\
        OpenAI發佈了o1模型，引發廣泛注意。\n\
        人形機器人廠商認爲五年內會大規模落地。\n";

    fn check(engine: &Engine, question: &str, answered: bool) -> Answer {
        let answer = engine.ask(question, 3).expect("ask");
        assert_eq!(
            answer.answered, answered,
            "{question}: confidence {}",
            answer.confidence
        );
        answer
    }

    #[test]
    fn a_fully_covered_question_is_answered_with_full_confidence() {
        let (_dir, engine) = engine(ARTICLE);
        let answer = check(&engine, "小鹏汽车每年研发投入多少", true);
        assert!(
            (answer.confidence - 1.0).abs() < 1e-6,
            "{}",
            answer.confidence
        );
        assert!(answer.passages[0].text.contains("35億元"));
    }

    #[test]
    fn a_name_the_articles_never_mention_makes_a_question_unanswered() {
        let (_dir, engine) = engine(ARTICLE);
        check(&engine, "特斯拉每年研发投入多少", false);
        check(&engine, "NBA总冠军是谁", false);
    }

    #[test]
    fn parts_found_only_apart_lower_the_confidence() {
        let (_dir, engine) = engine(ARTICLE);
        let apart = check(&engine, "Who is the CEO of OpenAI?", false);
        let together = check(&engine, "阿里云的CEO是谁", true);
        assert!(apart.confidence < together.confidence);
    }

    #[test]
    fn an_everyday_word_the_articles_never_use_does_not_sink_a_question() {
        let (_dir, engine) = engine(ARTICLE);
        // 名单 (list) never occurs, but the rest of the question is found together.
        check(&engine, "人形机器人厂商名单", true);
    }

    #[test]
    fn aliases_answer_english_questions() {
        let (dir, _) = engine(ARTICLE);
        std::fs::create_dir(dir.path().join("data/lexicon")).expect("lexicon dir");
        std::fs::write(
            dir.path().join("data/lexicon/aliases.txt"),
            "XPeng = 小鹏\nR&D = 研发\n",
        )
        .expect("aliases");
        let config = EngineConfig {
            data_dir: dir.path().join("data"),
            index_dir: dir.path().join("index"),
            settings: Settings::default(),
        };
        let (engine, rebuilt) = Engine::open(&config).expect("engine");
        assert!(rebuilt.is_some(), "a lexicon change makes the index stale");
        let answer = check(&engine, "XPeng R&D", true);
        assert!(answer.passages[0].text.contains("研發"));
    }

    #[test]
    fn spans_merge_when_they_overlap_or_touch() {
        assert_eq!(
            merge_spans(vec![(5, 7), (0, 2), (1, 3), (3, 4), (9, 10)]),
            vec![(0, 4), (5, 7), (9, 10)]
        );
    }
}
