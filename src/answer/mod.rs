//! The answer engine: a question in, the passages that answer it out, or an honest "no".
//!
//! Candidates come from the index (`search`), are ranked by fused BM25 and coverage
//! (`rank`, `coverage`), and a logistic model over a few signals decides whether the best
//! one answers (`decision`). Three outcomes: a confident answer; "not sure", with the
//! closest passages as related reading; and "the articles don't say".

mod coverage;
mod decision;
mod rank;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::search::{BuildReport, LiveIndex, SearchError, SearchIndex};
use crate::text::{Analyzer, Normalizer, QueryTerms, TermKind, TextError};
use coverage::CoverageScorer;
pub use decision::{Features, Model};
use rank::Ranked;

/// How many candidates each kind of term contributes to ranking. Fewer let tantivy's
/// block-max WAND skip more postings and fetch fewer passages: on a 20 MB corpus 20
/// instead of 30 cut a question from about 2.1 to 1.75 ms, with tune R@1 unchanged
/// (10 cost 0.01 of it).
const CANDIDATES_PER_KIND: usize = 20;

/// A later passage is quoted beside the first only if it covers the question almost as
/// well and ranks not far behind.
const LATER_COVERAGE: f32 = 0.75;
const LATER_SCORE: f32 = 0.6;

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

/// Tunables of the answer/refuse decision and of display.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The least confidence for the best passage to be quoted as the answer.
    pub min_confidence: f32,
    /// Below `min_confidence` but at least this: "not sure", with related passages.
    pub min_related: f32,
    pub script: Script,
}

/// The default answer threshold: the highest that still answers 0.93 of the tune set's
/// answerable questions (README). A group bot can be made stricter with `MIN_CONFIDENCE`:
/// 0.6 balances refusing and answering, 0.75 refuses 0.95 of unanswerable ones.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.35;
/// The default floor of the "not sure" middle ground: below it, nothing is quoted.
pub const DEFAULT_MIN_RELATED: f32 = 0.2;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            min_related: DEFAULT_MIN_RELATED,
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

/// What the engine makes of a question.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The first passage answers it.
    Answer,
    /// Something is close, but not surely an answer: see `related`.
    Unsure,
    /// The articles do not say.
    None,
}

/// The answer to one question.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Answer {
    pub question: String,
    pub answered: bool,
    pub verdict: Verdict,
    pub passages: Vec<Quote>,
    /// When unsure: the closest passages, for the asker to judge.
    pub related: Vec<Quote>,
    /// How likely it is that the best passage answers (see `decision`).
    pub confidence: f32,
}

impl Answer {
    /// What to show: the passages when answered, the related ones when unsure.
    pub fn quotes(&self) -> &[Quote] {
        if self.answered {
            &self.passages
        } else {
            &self.related
        }
    }
}

/// A quoted paragraph with where it comes from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quote {
    pub article: String,
    pub title: String,
    pub section: Option<String>,
    pub paragraph: u32,
    pub score: f32,
    /// The weighted share of the question this paragraph contains, in [0, 1].
    pub coverage: f32,
    /// The paragraph exactly as in the article.
    pub text: String,
    /// The paragraph as it should be shown to this asker (see [`Script`]); it has as many
    /// characters as `text`, so `highlights` apply to both.
    pub display_text: String,
    /// Character ranges `[start, end)` of the question's terms in the paragraph.
    pub highlights: Vec<(usize, usize)>,
    pub source: Option<String>,
}

/// Everything the engine found for a question before deciding: the ranking, the
/// decision's signals and its confidence. `eval` reads it to score ranking and decision
/// apart.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub ranked: Vec<Quote>,
    pub features: Features,
    pub confidence: f32,
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
    model: Model,
    counters: Counters,
}

impl Engine {
    /// Loads the lexicon and opens the index, rebuilding it first if it is missing,
    /// unreadable or stale; the report is `Some` when it was rebuilt.
    pub fn open(config: &EngineConfig) -> Result<(Engine, Option<BuildReport>), EngineError> {
        let (live, report) = LiveIndex::open(&config.data_dir, &config.index_dir)?;
        let engine = Engine {
            live,
            settings: config.settings,
            model: Model::FITTED,
            counters: Counters::default(),
        };
        Ok((engine, report))
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Up to `top` passages that answer `question`, best first; or, when unsure, related
    /// passages; or nothing.
    pub fn ask(&self, question: &str, top: usize) -> Result<Answer, SearchError> {
        let assessment = self.assess(question, top)?;
        let answer = self.decide(question, assessment);
        let counter = if answer.answered {
            &self.counters.answered
        } else {
            &self.counters.refused
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(answer)
    }

    /// Ranks up to `top` passages for `question` and computes the decision's signals,
    /// without deciding.
    pub fn assess(&self, question: &str, top: usize) -> Result<Assessment, SearchError> {
        // The question is analyzed as the generation answering it was built.
        let index = self.live.current();
        let analyzer = index.analyzer();
        let terms = analyzer.question(question);
        tracing::debug!(?terms, "question terms");
        let hits = index.search(&terms, CANDIDATES_PER_KIND.max(top))?;
        let scorer = CoverageScorer::new(&index, analyzer, &terms);
        let ranked = rank::rank(hits, &scorer);
        let features = features(analyzer, &index, &terms, &scorer, &ranked);
        // A passage that covers nothing of the question cannot answer it, nor be close;
        // nor can single characters tell an answer.
        let confidence = if features.coverage <= 0.0 || scorer.too_little() {
            0.0
        } else {
            self.model.confidence(&features)
        };
        let ranked = ranked.into_iter().take(top).map(quote).collect();
        Ok(Assessment {
            ranked,
            features,
            confidence,
        })
    }

    fn decide(&self, question: &str, assessment: Assessment) -> Answer {
        let Assessment {
            ranked, confidence, ..
        } = assessment;
        // Nothing found, or nothing of the question in what was found: no threshold, even
        // 0, makes that an answer.
        let verdict = if ranked.is_empty() || confidence <= 0.0 {
            Verdict::None
        } else if confidence >= self.settings.min_confidence {
            Verdict::Answer
        } else if confidence >= self.settings.min_related.min(self.settings.min_confidence) {
            Verdict::Unsure
        } else {
            Verdict::None
        };
        let (first_score, first_coverage) =
            ranked.first().map_or((0.0, 0.0), |q| (q.score, q.coverage));
        let close: Vec<Quote> = ranked
            .into_iter()
            .enumerate()
            .filter(|(i, quote)| {
                *i == 0
                    || (quote.coverage >= LATER_COVERAGE * first_coverage
                        && quote.score >= LATER_SCORE * first_score)
            })
            .map(|(_, quote)| quote)
            .collect();
        // Script conversion does not depend on the lexicon: any generation's will do.
        let index = self.live.current();
        let normalizer = index.analyzer().normalizer();
        let simplified = self.shows_simplified(normalizer, question);
        let close: Vec<Quote> = close
            .into_iter()
            .map(|q| display(normalizer, q, simplified))
            .collect();
        let (passages, related) = match verdict {
            Verdict::Answer => (close, Vec::new()),
            Verdict::Unsure => (Vec::new(), close),
            Verdict::None => (Vec::new(), Vec::new()),
        };
        Answer {
            question: question.to_owned(),
            answered: verdict == Verdict::Answer,
            verdict,
            passages,
            related,
            confidence,
        }
    }

    /// Whether quotes for this question are shown in Simplified (see [`Script`]).
    fn shows_simplified(&self, normalizer: &Normalizer, question: &str) -> bool {
        match self.settings.script {
            Script::Auto => !normalizer.is_traditional(question),
            Script::Original => false,
            Script::Simplified => true,
        }
    }

    /// Rebuilds the index from the data directory and swaps it in; questions keep being
    /// answered from the old index meanwhile, and a failure leaves it serving.
    pub fn rebuild(&self) -> Result<BuildReport, SearchError> {
        self.live.rebuild(&|_, _| {})
    }

    /// [`Engine::rebuild`], calling `progress(articles_done, articles_total)` as it goes.
    pub fn rebuild_with_progress(
        &self,
        progress: &dyn Fn(usize, usize),
    ) -> Result<BuildReport, SearchError> {
        self.live.rebuild(progress)
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

/// A ranked candidate as a quote, shown as written until [`Engine::display`] says otherwise.
fn quote(ranked: Ranked) -> Quote {
    let Ranked {
        hit,
        score,
        coverage,
    } = ranked;
    Quote {
        display_text: hit.text.clone(),
        article: hit.article,
        title: hit.title,
        section: hit.section,
        paragraph: hit.paragraph,
        score,
        coverage: coverage.share,
        text: hit.text,
        highlights: coverage.highlights,
        source: hit.source,
    }
}

/// Shows a quote in the script this asker reads (see [`Script`]); done only for the quotes
/// that are shown, since conversion is the costliest step of a quote.
fn display(normalizer: &Normalizer, mut quote: Quote, simplified: bool) -> Quote {
    if simplified {
        // The normalized text is Simplified and aligned, but also lowercased: convert the
        // original instead, so Latin words keep their case.
        quote.display_text = normalizer.simplify_aligned(&quote.text);
    }
    quote
}

/// The decision's signals for the best-ranked passage.
fn features(
    analyzer: &Analyzer,
    index: &SearchIndex,
    terms: &QueryTerms,
    scorer: &CoverageScorer,
    ranked: &[Ranked],
) -> Features {
    let Some(first) = ranked.first() else {
        return Features::default();
    };
    let second = ranked.get(1).map_or(0.0, |r| r.score);
    let char_terms = terms.terms.iter().filter(|t| t.kind == TermKind::Chars);
    let char_ideal: f32 = char_terms
        .map(|t| t.weight * index.idf(TermKind::Chars, &t.term))
        .sum();
    Features {
        coverage: first.coverage.share,
        focus: first.coverage.focus,
        has_focus: f32::from(u8::from(terms.focus.is_some())),
        absent: scorer.absent_share(),
        unknown_name: f32::from(u8::from(scorer.names_unknown())),
        margin: if first.score > 0.0 {
            (first.score - second) / first.score
        } else {
            0.0
        },
        type_missing: f32::from(u8::from(
            terms
                .answer_type
                .is_some_and(|kind| !analyzer.mentions(&first.hit.normalized, kind)),
        )),
        char_match: if char_ideal > 0.0 {
            (first.hit.scores[0] / char_ideal).min(2.0)
        } else {
            0.0
        },
        uncovered: first.coverage.uncovered,
        focus_absent: f32::from(u8::from(scorer.focus_absent())),
    }
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
    fn a_fully_covered_question_is_answered() {
        let (_dir, engine) = engine(ARTICLE);
        let answer = check(&engine, "小鹏汽车每年研发投入多少", true);
        assert_eq!(answer.verdict, Verdict::Answer);
        assert!(answer.passages[0].text.contains("35億元"));
        assert!(answer.related.is_empty());
    }

    #[test]
    fn a_homophone_typo_of_a_name_still_finds_it() {
        let (_dir, engine) = engine(ARTICLE);
        let answer = engine.assess("吴咏铭在大会上做了什么", 3).expect("assess");
        assert!(
            answer.ranked[0].text.contains("吳泳銘"),
            "{:?}",
            answer.ranked[0].text
        );
    }

    #[test]
    fn the_verdict_follows_the_thresholds() {
        let (dir, _) = engine(ARTICLE);
        let open = |min_confidence: f32, min_related: f32| {
            let config = EngineConfig {
                data_dir: dir.path().join("data"),
                index_dir: dir.path().join("index"),
                settings: Settings {
                    min_confidence,
                    min_related,
                    script: Script::Auto,
                },
            };
            Engine::open(&config).expect("engine").0
        };
        let question = "小鹏汽车每年研发投入多少";
        let unsure = open(1.0, 0.0).ask(question, 3).expect("ask");
        assert_eq!(unsure.verdict, Verdict::Unsure);
        assert!(!unsure.answered && unsure.passages.is_empty());
        assert!(unsure.related[0].text.contains("35億元"));
        assert_eq!(unsure.quotes(), unsure.related.as_slice());
        let none = open(1.0, 1.0).ask(question, 3).expect("ask");
        assert_eq!(none.verdict, Verdict::None);
        assert!(none.quotes().is_empty());
    }

    #[test]
    fn a_capitalized_english_name_inside_the_question_is_a_name() {
        let (_dir, engine) = engine(ARTICLE);
        let tesla = engine
            .assess("How much did Tesla invest in R&D", 3)
            .expect("assess");
        assert_eq!(tesla.features.unknown_name, 1.0);
        let xpeng = engine
            .assess("How much did 小鹏 invest in 研发", 3)
            .expect("assess");
        assert_eq!(xpeng.features.unknown_name, 0.0);
    }

    #[test]
    fn odd_input_is_refused_not_answered_even_at_threshold_zero() {
        let (dir, _) = engine(ARTICLE);
        let config = EngineConfig {
            data_dir: dir.path().join("data"),
            index_dir: dir.path().join("index"),
            settings: Settings {
                min_confidence: 0.0,
                min_related: 0.0,
                script: Script::Auto,
            },
        };
        let (engine, _) = Engine::open(&config).expect("engine");
        // Multi-byte letters before English suffixes once split a character in stemming.
        for question in ["ッing", "ぁed", "x₂ed", "😀", "xyzzy", "ok"] {
            let answer = engine.ask(question, 3).expect("ask");
            assert_eq!(answer.verdict, Verdict::None, "{question}");
            assert!(answer.quotes().is_empty(), "{question}");
        }
    }

    #[test]
    fn a_name_the_articles_never_mention_lowers_the_confidence() {
        let (_dir, engine) = engine(ARTICLE);
        let known = check(&engine, "小鹏汽车每年研发投入多少", true);
        let unknown = engine.ask("特斯拉每年研发投入多少", 3).expect("ask");
        assert!(
            unknown.confidence < known.confidence - 0.3,
            "{} vs {}",
            unknown.confidence,
            known.confidence
        );
        check(&engine, "NBA总冠军是谁", false);
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
}
