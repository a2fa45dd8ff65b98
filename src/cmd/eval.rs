use std::fmt::Write as _;
use std::path::Path;

use crate::config::Config;
use yunqi_bot::eval::{evaluate, parse_questions, Decision, Report};

/// What `eval` prints besides the figures.
#[derive(Debug, Clone, Copy)]
pub struct EvalOptions {
    pub top: usize,
    /// Every question with its confidence and first paragraph.
    pub verbose: bool,
    /// Threshold → negatives refused / positives answered / accuracy.
    pub sweep: bool,
    /// A decision model fitted to this set, as Rust to paste into `answer::decision`.
    pub fit: bool,
}

/// `yunqi-bot eval FILE.jsonl`: asks every question of the set and prints ranking figures
/// with the gate off (R@1, R@K, MRR), then the decision at the configured threshold
/// (negatives refused, positives answered, answer accuracy), and both per tag.
pub fn eval(config: &Config, file: &Path, options: EvalOptions) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read question set {}: {e}", file.display()))?;
    let questions =
        parse_questions(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let engine = super::open_engine(config)?;
    let report = evaluate(&engine, &questions, options.top)?;
    print!("{}", render(&report, options));
    Ok(())
}

fn render(r: &Report, options: EvalOptions) -> String {
    let mut s = String::new();
    let d = &r.decision;
    let _ = write!(
        s,
        "questions: {} answerable, {} unanswerable\n\
         ranking (gate off)\n\
         \x20 R@1                 {:.3}\n\
         \x20 R@{:<2}                {:.3}\n\
         \x20 MRR                 {:.3}\n\
         decision (min confidence {:.2})\n\
         \x20 negatives refused   {:.3}\n\
         \x20 positives answered  {:.3}\n\
         \x20 answer accuracy     {:.3}\n\
         by tag:               n    R@1  accuracy\n",
        r.positives,
        r.negatives,
        r.recall_at_1,
        r.top,
        r.recall_at_k,
        r.mrr,
        d.threshold,
        d.negatives_refused,
        d.positives_answered,
        d.accuracy,
    );
    for (tag, t) in &r.by_tag {
        let recall = t
            .recall_at_1
            .map_or("    -".to_owned(), |x| format!("{x:.3}"));
        let _ = writeln!(
            s,
            "  {tag:<16} {:>5}  {recall}  {:.3}",
            t.questions, t.accuracy
        );
    }
    if options.sweep {
        s.push_str("sweep: threshold  negatives refused  positives answered  accuracy\n");
        for Decision {
            threshold,
            negatives_refused,
            positives_answered,
            accuracy,
        } in r.sweep()
        {
            let _ = writeln!(
                s,
                "  {threshold:>20.2}  {negatives_refused:>17.3}  {positives_answered:>18.3}  {accuracy:>8.3}"
            );
        }
    }
    if options.fit {
        let model = r.fit();
        let _ = writeln!(
            s,
            "fitted decision model (features: {:?}):",
            yunqi_bot::answer::Features::NAMES
        );
        let _ = writeln!(
            s,
            "  bias: {:.3},\n  weights: {:.3?},",
            model.bias, model.weights
        );
    }
    if options.verbose {
        let _ = writeln!(
            s,
            "questions (✓ right at the threshold; features: {:?}):",
            yunqi_bot::answer::Features::NAMES
        );
        for o in &r.outcomes {
            let first: String = o.first.as_deref().unwrap_or("-").chars().take(30).collect();
            let rank = o.hit_rank.map_or("-".to_owned(), |r| r.to_string());
            let mark = if o.right_at(d.threshold) {
                "✓"
            } else {
                "✗"
            };
            let _ = writeln!(
                s,
                "  {mark} {} conf={:.2} rank={rank} {} | {first}",
                o.id, o.confidence, o.question
            );
            let _ = writeln!(s, "      features {:.2?}", o.features.values());
        }
    }
    s
}
