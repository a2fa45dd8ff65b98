use std::path::Path;

use crate::config::Config;
use crate::eval::{evaluate, parse_questions, Report};

/// `yunqi-bot eval FILE.jsonl`: asks every question of the set and prints R@1, R@K, MRR,
/// the share of unanswerable questions refused, the share of answerable ones answered,
/// and R@1 per tag.
pub fn eval(config: &Config, file: &Path, top: usize, verbose: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read question set {}: {e}", file.display()))?;
    let questions =
        parse_questions(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let engine = super::open_engine(config)?;
    let report = evaluate(&engine, &questions, top)?;
    print!("{}", render(&report, verbose));
    Ok(())
}

fn render(r: &Report, verbose: bool) -> String {
    let mut s = format!(
        "questions: {} answerable, {} unanswerable (top {})\n\
         R@1                 {:.3}\n\
         R@{}                 {:.3}\n\
         MRR                 {:.3}\n\
         negatives refused   {:.3}\n\
         positives answered  {:.3}\n\
         R@1 by tag:\n",
        r.positives,
        r.negatives,
        r.top,
        r.recall_at_1,
        r.top,
        r.recall_at_k,
        r.mrr,
        r.negatives_refused,
        r.positives_answered
    );
    for (tag, (recall, n)) in &r.recall_at_1_by_tag {
        s.push_str(&format!("  {tag:<12} {recall:.3}  (n={n})\n"));
    }
    if verbose {
        s.push_str("questions (✓ right at rank 1, or rightly refused):\n");
        for o in &r.outcomes {
            let right = if o.negative {
                !o.answered
            } else {
                o.correct_at_1()
            };
            let first: String = o.first.as_deref().unwrap_or("-").chars().take(30).collect();
            let rank = o.hit_rank.map_or("-".to_owned(), |r| r.to_string());
            let mark = if right { "✓" } else { "✗" };
            s.push_str(&format!(
                "  {mark} {} conf={:.2} rank={rank} {} | {first}\n",
                o.id, o.confidence, o.question
            ));
        }
    }
    s
}
