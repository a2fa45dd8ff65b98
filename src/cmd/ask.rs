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
    // Lines are read as bytes, so one that is not UTF-8 costs only itself.
    let mut unreadable = 0;
    for (index, line) in std::io::stdin().lock().split(b'\n').enumerate() {
        let line = line?;
        let Ok(line) = String::from_utf8(line) else {
            unreadable += 1;
            report_unreadable(index + 1, json, &mut out)?;
            continue;
        };
        if line.trim().is_empty() && !json {
            continue;
        }
        answer_one(&engine, line.trim(), top, json, &mut out)?;
    }
    if unreadable > 0 {
        anyhow::bail!("{unreadable} line(s) of standard input were not UTF-8 and were skipped");
    }
    Ok(())
}

/// Says which input line could not be read: as a JSON object in its place with `--json`,
/// so that output lines still match input lines, and on stderr otherwise.
fn report_unreadable(line: usize, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let error = "not valid UTF-8";
    if json {
        serde_json::to_writer(
            &mut *out,
            &serde_json::json!({ "line": line, "error": error }),
        )?;
        writeln!(out)?;
        out.flush()?;
    } else {
        eprintln!("line {line}: {error}; skipped");
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
