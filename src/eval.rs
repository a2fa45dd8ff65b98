//! Scoring a question set: how often the first (or any of the top K) quoted paragraphs
//! answers, and how well unanswerable questions are refused.
//!
//! A question set is JSON Lines: `{"id", "q", "expect": [substrings], "tags": [...]}`.
//! A returned paragraph is a hit if it contains any expected substring; `expect: []`
//! means the articles do not answer it and the right response is `answered: false`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::answer::{Answer, Engine};
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

/// The outcome for one question.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub question: String,
    pub tags: Vec<String>,
    pub negative: bool,
    pub answered: bool,
    /// 1-based rank of the first hit among the returned passages, if any.
    pub hit_rank: Option<usize>,
    pub confidence: f32,
    /// The first returned paragraph (for reading misses).
    pub first: Option<String>,
}

impl Outcome {
    fn judge(question: &Question, answer: &Answer) -> Outcome {
        let hit_rank = answer
            .passages
            .iter()
            .position(|p| question.expect.iter().any(|e| p.text.contains(e.as_str())))
            .map(|i| i + 1);
        Outcome {
            id: question.id.clone(),
            question: question.q.clone(),
            tags: question.tags.clone(),
            negative: question.expect.is_empty(),
            answered: answer.answered,
            hit_rank,
            confidence: answer.confidence,
            first: answer.passages.first().map(|p| p.text.clone()),
        }
    }

    /// Counted in R@1: answered, and the first paragraph is a hit.
    pub fn correct_at_1(&self) -> bool {
        self.hit_rank == Some(1)
    }
}

/// Figures over a question set.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub top: usize,
    pub positives: usize,
    pub negatives: usize,
    pub recall_at_1: f64,
    pub recall_at_k: f64,
    pub mrr: f64,
    /// Share of unanswerable questions refused.
    pub negatives_refused: f64,
    /// Share of answerable questions answered (right or wrong).
    pub positives_answered: f64,
    /// R@1 among answerable questions with each tag, and how many there were.
    pub recall_at_1_by_tag: BTreeMap<String, (f64, usize)>,
    pub outcomes: Vec<Outcome>,
}

/// Asks every question with `top` passages and scores the answers.
pub fn evaluate(engine: &Engine, questions: &[Question], top: usize) -> Result<Report, EvalError> {
    let outcomes: Vec<Outcome> = questions
        .iter()
        .map(|q| Ok(Outcome::judge(q, &engine.ask(&q.q, top)?)))
        .collect::<Result<_, SearchError>>()?;
    Ok(report(top, outcomes))
}

fn report(top: usize, outcomes: Vec<Outcome>) -> Report {
    let positives: Vec<&Outcome> = outcomes.iter().filter(|o| !o.negative).collect();
    let negatives: Vec<&Outcome> = outcomes.iter().filter(|o| o.negative).collect();
    let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let mean = |values: &[f64]| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };

    let mut by_tag: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for o in &positives {
        for tag in &o.tags {
            let entry = by_tag.entry(tag.clone()).or_default();
            entry.0 += usize::from(o.correct_at_1());
            entry.1 += 1;
        }
    }
    let reciprocal: Vec<f64> = positives
        .iter()
        .map(|o| o.hit_rank.map_or(0.0, |r| 1.0 / r as f64))
        .collect();
    Report {
        top,
        positives: positives.len(),
        negatives: negatives.len(),
        recall_at_1: share(
            positives.iter().filter(|o| o.correct_at_1()).count(),
            positives.len(),
        ),
        recall_at_k: share(
            positives.iter().filter(|o| o.hit_rank.is_some()).count(),
            positives.len(),
        ),
        mrr: mean(&reciprocal),
        negatives_refused: share(
            negatives.iter().filter(|o| !o.answered).count(),
            negatives.len(),
        ),
        positives_answered: share(
            positives.iter().filter(|o| o.answered).count(),
            positives.len(),
        ),
        recall_at_1_by_tag: by_tag
            .into_iter()
            .map(|(tag, (hits, n))| (tag, (share(hits, n), n)))
            .collect(),
        outcomes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(negative: bool, answered: bool, hit_rank: Option<usize>, tag: &str) -> Outcome {
        Outcome {
            id: "x".into(),
            question: "q".into(),
            tags: vec![tag.into()],
            negative,
            answered,
            hit_rank,
            confidence: 0.0,
            first: None,
        }
    }

    #[test]
    fn figures_follow_their_definitions() {
        let r = report(
            3,
            vec![
                outcome(false, true, Some(1), "a"),
                outcome(false, true, Some(2), "a"),
                outcome(false, false, None, "b"),
                outcome(true, false, None, "neg"),
                outcome(true, true, None, "neg"),
            ],
        );
        assert_eq!((r.positives, r.negatives), (3, 2));
        assert!((r.recall_at_1 - 1.0 / 3.0).abs() < 1e-9);
        assert!((r.recall_at_k - 2.0 / 3.0).abs() < 1e-9);
        assert!((r.mrr - 0.5).abs() < 1e-9);
        assert!((r.negatives_refused - 0.5).abs() < 1e-9);
        assert!((r.positives_answered - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.recall_at_1_by_tag["a"], (0.5, 2));
        assert_eq!(r.recall_at_1_by_tag["b"], (0.0, 1));
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let err = parse_questions("{\"id\":\"1\",\"q\":\"x\",\"expect\":[]}\nnot json\n")
            .expect_err("bad");
        assert!(matches!(err, EvalError::BadLine { line: 2, .. }));
        assert!(matches!(parse_questions("\n\n"), Err(EvalError::Empty)));
    }
}
