//! Scoring a question set, ranking and decision apart: how often the first (or any of
//! the top K) ranked paragraphs answers with the refusal gate off, then how well the
//! answer/refuse decision does at a confidence threshold (or at every one: a sweep).
//!
//! A question set is JSON Lines: `{"id", "q", "expect": [substrings], "tags": [...]}`.
//! A returned paragraph is a hit if it contains any expected substring; `expect: []`
//! means the articles do not answer it and the right response is `answered: false`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answer::{Engine, Features, Model};
use crate::search::SearchError;
#[derive(Debug, Clone, Deserialize)]
pub struct Question {
    pub id: String,
    pub q: String,
    pub expect: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("line {line}: not a question object: {reason}")]
    BadLine { line: usize, reason: String },
    #[error("the question set is empty")]
    Empty,
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Parses a JSON Lines question set; blank lines are skipped.
pub fn parse_questions(text: &str) -> Result<Vec<Question>, EvalError> {
    let questions: Vec<Question> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| EvalError::BadLine {
                line: i + 1,
                reason: e.to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    if questions.is_empty() {
        return Err(EvalError::Empty);
    }
    Ok(questions)
}

/// The outcome for one question, before any threshold is applied.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub question: String,
    pub tags: Vec<String>,
    pub negative: bool,
    /// 1-based rank of the first hit among the top K ranked paragraphs (gate off).
    pub hit_rank: Option<usize>,
    pub confidence: f32,
    pub features: Features,
    /// The first ranked paragraph (for reading misses).
    pub first: Option<String>,
}

impl Outcome {
    /// Whether the engine handles the question right at `threshold`: the right paragraph
    /// first for an answerable question, a refusal for an unanswerable one.
    pub fn right_at(&self, threshold: f32) -> bool {
        let answered = self.confidence >= threshold;
        if self.negative {
            !answered
        } else {
            answered && self.hit_rank == Some(1)
        }
    }
}

/// How the decision does at one threshold.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Decision {
    pub threshold: f32,
    /// Share of unanswerable questions refused.
    pub negatives_refused: f64,
    /// Share of answerable questions answered (right or wrong).
    pub positives_answered: f64,
    /// Share of all questions handled right (see [`Outcome::right_at`]).
    pub accuracy: f64,
}

/// Figures for the questions with one tag.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TagFigures {
    pub questions: usize,
    /// Ranking R@1 among the answerable ones (gate off); `None` with none.
    pub recall_at_1: Option<f64>,
    pub accuracy: f64,
}

/// Figures over a question set.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub top: usize,
    pub positives: usize,
    pub negatives: usize,
    /// Ranking alone (gate off), over answerable questions.
    pub recall_at_1: f64,
    pub recall_at_k: f64,
    pub mrr: f64,
    /// The decision at the engine's threshold.
    pub decision: Decision,
    pub by_tag: BTreeMap<String, TagFigures>,
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// The decision at `threshold`.
    pub fn decision_at(&self, threshold: f32) -> Decision {
        decision(&self.outcomes, threshold)
    }

    /// The decision at thresholds 0, 0.05, … 0.95.
    pub fn sweep(&self) -> Vec<Decision> {
        (0..20).map(|i| self.decision_at(i as f32 * 0.05)).collect()
    }

    /// A decision model fitted to these questions (answerable or not).
    pub fn fit(&self) -> Model {
        let examples: Vec<(Features, bool)> = self
            .outcomes
            .iter()
            .map(|o| (o.features, !o.negative))
            .collect();
        Model::fit(&examples)
    }
}

/// Asks every question, keeping the top `top` ranked paragraphs, and scores ranking and
/// the decision at the engine's threshold.
pub fn evaluate(engine: &Engine, questions: &[Question], top: usize) -> Result<Report, EvalError> {
    let outcomes: Vec<Outcome> = questions
        .iter()
        .map(|q| {
            let assessment = engine.assess(&q.q, top)?;
            let hit_rank = assessment
                .ranked
                .iter()
                .position(|p| q.expect.iter().any(|e| p.text.contains(e.as_str())))
                .map(|i| i + 1);
            Ok(Outcome {
                id: q.id.clone(),
                question: q.q.clone(),
                tags: q.tags.clone(),
                negative: q.expect.is_empty(),
                hit_rank,
                confidence: assessment.confidence,
                features: assessment.features,
                first: assessment.ranked.first().map(|p| p.text.clone()),
            })
        })
        .collect::<Result<_, SearchError>>()?;
    Ok(report(top, engine.settings().min_confidence, outcomes))
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

fn decision(outcomes: &[Outcome], threshold: f32) -> Decision {
    let count = |keep: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| keep(o)).count();
    let negatives = count(&|o| o.negative);
    let positives = outcomes.len() - negatives;
    Decision {
        threshold,
        negatives_refused: share(
            count(&|o| o.negative && o.confidence < threshold),
            negatives,
        ),
        positives_answered: share(
            count(&|o| !o.negative && o.confidence >= threshold),
            positives,
        ),
        accuracy: share(count(&|o| o.right_at(threshold)), outcomes.len()),
    }
}

fn report(top: usize, threshold: f32, outcomes: Vec<Outcome>) -> Report {
    let positives: Vec<&Outcome> = outcomes.iter().filter(|o| !o.negative).collect();
    let mut tagged: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
    for o in &outcomes {
        for tag in &o.tags {
            tagged.entry(tag.clone()).or_default().push(o.clone());
        }
    }
    let by_tag = tagged
        .into_iter()
        .map(|(tag, os)| {
            let answerable: Vec<&Outcome> = os.iter().filter(|o| !o.negative).collect();
            let figures = TagFigures {
                questions: os.len(),
                recall_at_1: (!answerable.is_empty()).then(|| {
                    share(
                        answerable.iter().filter(|o| o.hit_rank == Some(1)).count(),
                        answerable.len(),
                    )
                }),
                accuracy: decision(&os, threshold).accuracy,
            };
            (tag, figures)
        })
        .collect();
    let reciprocal: f64 = positives
        .iter()
        .map(|o| o.hit_rank.map_or(0.0, |r| 1.0 / r as f64))
        .sum();
    Report {
        top,
        positives: positives.len(),
        negatives: outcomes.len() - positives.len(),
        recall_at_1: share(
            positives.iter().filter(|o| o.hit_rank == Some(1)).count(),
            positives.len(),
        ),
        recall_at_k: share(
            positives.iter().filter(|o| o.hit_rank.is_some()).count(),
            positives.len(),
        ),
        mrr: if positives.is_empty() {
            0.0
        } else {
            reciprocal / positives.len() as f64
        },
        decision: decision(&outcomes, threshold),
        by_tag,
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(negative: bool, confidence: f32, hit_rank: Option<usize>, tag: &str) -> Outcome {
        Outcome {
            id: "x".into(),
            question: "q".into(),
            tags: vec![tag.into()],
            negative,
            hit_rank,
            confidence,
            features: Features::default(),
            first: None,
        }
    }

    #[test]
    fn figures_follow_their_definitions() {
        let r = report(
            3,
            0.5,
            vec![
                outcome(false, 0.9, Some(1), "a"),
                outcome(false, 0.9, Some(2), "a"),
                outcome(false, 0.1, Some(1), "b"),
                outcome(false, 0.1, None, "b"),
                outcome(true, 0.2, None, "neg"),
                outcome(true, 0.7, None, "neg"),
            ],
        );
        assert_eq!((r.positives, r.negatives), (4, 2));
        assert!(
            (r.recall_at_1 - 0.5).abs() < 1e-9,
            "gate off: {}",
            r.recall_at_1
        );
        assert!((r.recall_at_k - 0.75).abs() < 1e-9);
        assert!((r.mrr - 2.5 / 4.0).abs() < 1e-9);
        assert!((r.decision.negatives_refused - 0.5).abs() < 1e-9);
        assert!((r.decision.positives_answered - 0.5).abs() < 1e-9);
        // Right: the first (answered at rank 1) and the refused negative.
        assert!((r.decision.accuracy - 2.0 / 6.0).abs() < 1e-9);
        assert_eq!(r.by_tag["a"].recall_at_1, Some(0.5));
        assert_eq!(r.by_tag["neg"].recall_at_1, None);
        assert!((r.by_tag["neg"].accuracy - 0.5).abs() < 1e-9);
        let sweep = r.sweep();
        assert_eq!(sweep.len(), 20);
        assert_eq!(sweep[0].negatives_refused, 0.0);
        assert_eq!(sweep[0].positives_answered, 1.0);
        assert_eq!(sweep[19].positives_answered, 0.0);
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let err = parse_questions("{\"id\":\"1\",\"q\":\"x\",\"expect\":[]}\nnot json\n")
            .expect_err("bad");
        assert!(matches!(err, EvalError::BadLine { line: 2, .. }));
        assert!(matches!(parse_questions("\n\n"), Err(EvalError::Empty)));
    }
}
