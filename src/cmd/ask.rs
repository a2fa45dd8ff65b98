use std::io::{BufRead, Write};

use crate::config::Config;
use yunqi_bot::answer::{Answer, Engine, Verdict};

/// `yunqi-bot ask`: answers the question given as arguments, or every line of standard
/// input, as text or as one JSON object per question.
pub fn ask(config: &Config, top: usize, json: bool, question: &[String]) -> anyhow::Result<()> {
    let engine = super::open_engine(config)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if !question.is_empty() {
        return answer_one(&engine, &question.join(" "), top, json, &mut out);
    }
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() && !json {
            continue;
        }
        answer_one(&engine, line.trim(), top, json, &mut out)?;
    }
    Ok(())
}

fn answer_one(
    engine: &Engine,
    question: &str,
    top: usize,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let answer = engine.ask(question, top)?;
    if json {
        serde_json::to_writer(&mut *out, &answer)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render_text(&answer))?;
    }
    out.flush()?;
    Ok(())
}

/// The terminal rendering: each passage quoted, matched terms in brackets, then where it
/// comes from.
pub fn render_text(answer: &Answer) -> String {
    let mut text = format!("Q: {}\n", answer.question);
    match answer.verdict {
        Verdict::Answer => {}
        Verdict::Unsure => {
            text.push_str("Not sure the articles answer this question; the closest passages:\n")
        }
        Verdict::None => {
            text.push_str("No passage in the articles answers this question.\n\n");
            return text;
        }
    }
    for (i, p) in answer.quotes().iter().enumerate() {
        text.push_str(&format!(
            "\n[{}] {}\n",
            i + 1,
            highlight(&p.display_text, &p.highlights)
        ));
        let section = p
            .section
            .as_deref()
            .map(|s| format!(" · {s}"))
            .unwrap_or_default();
        text.push_str(&format!(
            "    — {}{} · ¶{} (score {:.2})\n",
            p.title, section, p.paragraph, p.score
        ));
    }
    text.push('\n');
    text
}

/// Wraps the character spans of `text` in 【】.
fn highlight(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 6);
    let mut spans = spans.iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if spans.peek().is_some_and(|s| s.0 == i) {
            out.push('【');
        }
        out.push(c);
        if let Some(&&(_, end)) = spans.peek() {
            if end == i + 1 {
                out.push('】');
                spans.next();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_wrap_character_spans() {
        assert_eq!(
            highlight("阿里雲百鍊", &[(0, 3), (4, 5)]),
            "【阿里雲】百【鍊】"
        );
        assert_eq!(highlight("abc", &[]), "abc");
    }
}
