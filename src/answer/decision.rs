//! Whether the best passage answers the question: a logistic model over a few signals,
//! fitted on the `tune` question set (`yunqi-bot eval FILE --fit` prints the weights),
//! reported on `holdout`. Its output is the answer's confidence, in [0, 1].
//!
//! No one signal decides: a near-domain question (「杨植麟毕业于哪所大学」) covers the
//! name but not the thing asked for; a paraphrase covers little but what it covers sits
//! together in one passage, far ahead of the rest.

use serde::Serialize;

/// How many signals there are.
const N: usize = 10;

/// The signals, all computed for the best-ranked passage.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Features {
    /// Weighted share of the question's units it covers.
    pub coverage: f32,
    /// How much of the focus (the thing asked for) it covers; 1 with no focus.
    pub focus: f32,
    /// The question has a focus.
    pub has_focus: f32,
    /// Weighted share of the question's units found nowhere in the articles.
    pub absent: f32,
    /// 1 when the question names something the articles never mention.
    pub unknown_name: f32,
    /// (first − second) / first of the ranking score.
    pub margin: f32,
    /// 1 when the question asks for a kind of answer (a number, a time, a place, a
    /// person) that the passage does not state.
    pub type_missing: f32,
    /// How much of the question's characters it matches, in BM25 terms, relative to a
    /// passage holding each of them once.
    pub char_match: f32,
    /// Unweighted share of the question's units it does not cover even half.
    pub uncovered: f32,
    pub focus_absent: f32,
}

impl Features {
    pub const NAMES: [&'static str; N] = [
        "coverage",
        "focus",
        "has_focus",
        "absent",
        "unknown_name",
        "margin",
        "type_missing",
        "char_match",
        "uncovered",
        "focus_absent",
    ];

    pub fn values(&self) -> [f32; N] {
        [
            self.coverage,
            self.focus,
            self.has_focus,
            self.absent,
            self.unknown_name,
            self.margin,
            self.type_missing,
            self.char_match,
            self.uncovered,
            self.focus_absent,
        ]
    }
}

/// A logistic model: `σ(bias + Σ weightᵢ · featureᵢ)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Model {
    pub bias: f32,
    pub weights: [f32; N],
}

impl Model {
    /// Fitted on `tests/fixtures/blind_tune.jsonl` with `yunqi-bot eval … --fit`.
    pub const FITTED: Model = Model {
        bias: 1.194,
        weights: [
            1.053, 0.282, -0.742, -0.723, -1.500, -0.938, -2.547, 0.845, -0.846, -0.551,
        ],
    };

    pub fn confidence(&self, features: &Features) -> f32 {
        let z = self.bias
            + self
                .weights
                .iter()
                .zip(features.values())
                .map(|(w, x)| w * x)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }

    /// Fits a model to labelled examples (true: the question is answerable) by gradient
    /// descent on the L2-regularized log loss, each class weighing half, so that the few
    /// unanswerable questions are not drowned by the many answerable ones. Features are
    /// standardized while fitting so one step size suits them all; the weights returned
    /// apply to raw features.
    pub fn fit(examples: &[(Features, bool)]) -> Model {
        const STEPS: usize = 5_000;
        const RATE: f64 = 0.1;
        const L2: f64 = 0.05;
        let n = examples.len().max(1) as f64;
        let positives = examples.iter().filter(|(_, y)| *y).count().max(1) as f64;
        let negatives = (examples.len() as f64 - positives).max(1.0);
        let class_weight = |y: bool| n / 2.0 / if y { positives } else { negatives };
        let rows: Vec<[f64; N]> = examples
            .iter()
            .map(|(f, _)| f.values().map(f64::from))
            .collect();
        let mut mean = [0.0f64; N];
        let mut sd = [0.0f64; N];
        for j in 0..N {
            mean[j] = rows.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = rows.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
            sd[j] = if var > 1e-12 { var.sqrt() } else { 1.0 };
        }
        let z: Vec<[f64; N]> = rows
            .iter()
            .map(|r| std::array::from_fn(|j| (r[j] - mean[j]) / sd[j]))
            .collect();
        let (mut b, mut w) = (0.0f64, [0.0f64; N]);
        for _ in 0..STEPS {
            let (mut gb, mut gw) = (0.0f64, [0.0f64; N]);
            for (x, (_, y)) in z.iter().zip(examples) {
                let s = b + (0..N).map(|j| w[j] * x[j]).sum::<f64>();
                let err = (1.0 / (1.0 + (-s).exp()) - f64::from(u8::from(*y))) * class_weight(*y);
                gb += err;
                for j in 0..N {
                    gw[j] += err * x[j];
                }
            }
            b -= RATE * gb / n;
            for j in 0..N {
                w[j] -= RATE * (gw[j] / n + L2 * w[j]);
            }
        }
        let weights: [f32; N] = std::array::from_fn(|j| (w[j] / sd[j]) as f32);
        let bias = b - (0..N).map(|j| w[j] * mean[j] / sd[j]).sum::<f64>();
        Model {
            bias: bias as f32,
            weights,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(coverage: f32, focus: f32) -> Features {
        Features {
            coverage,
            focus,
            has_focus: 1.0,
            ..Features::default()
        }
    }

    #[test]
    fn a_fitted_model_separates_what_it_was_fitted_on() {
        let mut examples = Vec::new();
        for i in 0..20 {
            let x = i as f32 / 20.0;
            examples.push((features(0.6 + x * 0.4, 1.0), true));
            examples.push((features(x * 0.5, x), false));
        }
        let model = Model::fit(&examples);
        let right = examples
            .iter()
            .filter(|(f, y)| (model.confidence(f) >= 0.5) == *y)
            .count();
        assert!(right >= 38, "{right} of 40");
        assert!(
            model.weights[0] > 0.0,
            "coverage counts for an answer: {model:?}"
        );
    }

    #[test]
    fn the_fitted_model_trusts_coverage_and_distrusts_what_is_missing() {
        let m = Model::FITTED;
        let base = features(0.5, 1.0);
        let more = Features {
            coverage: 0.9,
            ..base
        };
        let unknown = Features {
            unknown_name: 1.0,
            ..base
        };
        let wrong_kind = Features {
            type_missing: 1.0,
            ..base
        };
        assert!(m.confidence(&more) > m.confidence(&base));
        assert!(m.confidence(&unknown) < m.confidence(&base));
        assert!(m.confidence(&wrong_kind) < m.confidence(&base));
    }
}
