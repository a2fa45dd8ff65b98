//! The `yunqi-bot` binary as other tools use it: `index`, `ask` (text, JSON, stdin batch)
//! and `eval`, on real files in temporary directories.

mod support;

use std::process::Stdio;

use serde_json::Value;
use support::{
    repo_path, run, run_args, run_bytes, stderr, stdout, yunqi, Workspace, SHIPPED_ARTICLE,
};

#[test]
fn ask_json_follows_the_contract() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    cmd.args([
        "ask",
        "--json",
        "--top",
        "2",
        "通义千问API调用价格下降了多少",
    ]);
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1);
    let answer: Value = serde_json::from_str(lines[0]).expect("one JSON object");
    assert_eq!(answer["question"], "通义千问API调用价格下降了多少");
    assert_eq!(answer["answered"], true);
    let passages = answer["passages"].as_array().expect("passages");
    assert!(!passages.is_empty() && passages.len() <= 2);
    let article = std::fs::read_to_string(ws.data_dir().join(SHIPPED_ARTICLE)).expect("read");
    for p in passages {
        assert_eq!(p["article"], "000_93422ca121d765e5");
        assert_eq!(p["title"], "阿里雲,後退一步爲的是前進兩步");
        assert!(p["section"].is_string() || p["section"].is_null());
        assert!(p["paragraph"].as_u64().is_some_and(|n| n >= 1));
        assert!(p["score"].as_f64().is_some_and(|s| s > 0.0));
        assert!(p["coverage"]
            .as_f64()
            .is_some_and(|c| (0.0..=1.0).contains(&c)));
        let text = p["text"].as_str().expect("text");
        assert!(
            article.lines().any(|line| line == text),
            "not verbatim: {text}"
        );
    }
    assert!(passages[0]["text"]
        .as_str()
        .is_some_and(|t| t.contains("下降了97%")));
    assert_eq!(answer["verdict"], "answer");
    assert_eq!(answer["related"].as_array().map(Vec::len), Some(0));
}

#[test]
fn ask_json_says_when_it_is_not_sure_and_lists_related_passages() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    // Nothing reaches an answer threshold of 1.
    cmd.args([
        "--min-confidence",
        "1",
        "ask",
        "--json",
        "通义千问API调用价格下降了多少",
    ]);
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let answer: Value = serde_json::from_str(stdout(&out).trim()).expect("JSON");
    assert_eq!(answer["answered"], false);
    assert_eq!(answer["verdict"], "unsure");
    assert_eq!(answer["passages"].as_array().map(Vec::len), Some(0));
    let related = answer["related"].as_array().expect("related");
    assert!(
        related[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("下降了97%")),
        "{answer}"
    );
}

#[test]
fn ask_reads_questions_from_stdin_one_json_line_each() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    cmd.args(["ask", "--json"]);
    let out = run(
        cmd,
        Some("今天天气怎么样\nQwen2.5下载量多少\n\n雲棲大會是誰的生態大會\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let answers: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let summary: Vec<(&str, bool)> = answers
        .iter()
        .map(|a| {
            (
                a["question"].as_str().unwrap_or(""),
                a["answered"].as_bool().unwrap_or(true),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("今天天气怎么样", false),
            ("Qwen2.5下载量多少", true),
            ("", false),
            ("雲棲大會是誰的生態大會", true),
        ]
    );
    assert_eq!(answers[0]["passages"], Value::Array(vec![]));
}

#[test]
fn ask_prints_quotes_with_their_source_for_people() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    cmd.args(["ask", "Qwen2.5", "下载量多少"]);
    let out = run(cmd, None);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Q: Qwen2.5 下载量多少"), "{text}");
    assert!(text.contains("4000万"), "quote shown in Simplified: {text}");
    assert!(
        text.contains("阿里雲,後退一步爲的是前進兩步 · 03 當仁不讓 · ¶"),
        "{text}"
    );
    // The first run built the index and said so on stderr.
    assert!(stderr(&out).contains("rebuilt"), "{}", stderr(&out));
}

#[test]
fn index_summarizes_and_names_skipped_files() {
    let ws = Workspace::with_shipped_data();
    ws.write_article("broken.txt", b"\xff\xfe\xfd");
    let mut cmd = yunqi(&ws);
    cmd.arg("index");
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 articles, 46 passages"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("broken.txt"), "{}", stderr(&out));
}

#[test]
fn index_fails_clearly_when_nothing_can_be_indexed() {
    let ws = Workspace::empty();
    ws.write_article("empty.md", "");
    let mut cmd = yunqi(&ws);
    cmd.arg("index");
    let out = run(cmd, None);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let error_line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .expect("an error line");
    assert!(error_line.contains("empty.md is empty"), "{err}");
}

#[test]
fn flags_override_the_environment() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    cmd.env("DATA_DIR", "/nonexistent/data")
        .arg("--data-dir")
        .arg(ws.data_dir())
        .args(["ask", "--json", "含阿量"]);
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"answered\":true"));
}

/// The figure on the line of `eval`'s output that starts with `label`.
fn figure(text: &str, label: &str) -> f64 {
    text.lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix(label)
                .map(|v| v.trim().parse().expect("a number"))
        })
        .unwrap_or_else(|| panic!("{label} missing from:\n{text}"))
}

#[test]
fn eval_reports_ranking_and_decision_apart_on_the_holdout_set() {
    let ws = Workspace::with_shipped_data();
    let holdout = repo_path("tests/fixtures/blind_holdout.jsonl");
    let mut cmd = yunqi(&ws);
    cmd.args(["eval", "--sweep", "--fit"]).arg(&holdout);
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for heading in [
        "ranking (gate off)",
        "decision (min confidence 0.35)",
        "by tag:",
        "sweep:",
    ] {
        assert!(text.contains(heading), "{heading} missing from:\n{text}");
    }
    // Far above what a broken ranker scores (near 0), below what this one scores now.
    assert!(figure(&text, "R@1") >= 0.6, "{text}");
    assert!(figure(&text, "R@3") >= figure(&text, "R@1"), "{text}");
    let accuracy = figure(&text, "answer accuracy");
    assert!(accuracy > 0.5, "{text}");
    let weights = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("weights: ["))
        .expect("fitted weights");
    assert_eq!(
        weights.split(',').filter(|w| !w.trim().is_empty()).count(),
        10,
        "{weights}"
    );
    // A stricter threshold refuses more and answers less, and something in between.
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip_while(|l| !l.starts_with("sweep:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            l.split_whitespace()
                .map(|x| x.parse().expect("number"))
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 20, "{text}");
    for pair in rows.windows(2) {
        assert!(
            pair[1][1] >= pair[0][1] && pair[1][2] <= pair[0][2],
            "{pair:?}"
        );
    }
    assert!(
        rows.iter().any(|r| r[1] > 0.3 && r[2] > 0.7),
        "no useful threshold: {rows:?}"
    );
}

#[test]
fn min_confidence_sets_the_threshold_and_rejects_nonsense() {
    let ws = Workspace::with_shipped_data();
    let holdout = repo_path("tests/fixtures/blind_holdout.jsonl");
    let mut strict = yunqi(&ws);
    strict
        .args(["eval", "--min-confidence", "0.95"])
        .arg(&holdout);
    let strict = stdout(&run(strict, None));
    let mut lax = yunqi(&ws);
    lax.env("MIN_CONFIDENCE", "0").arg("eval").arg(&holdout);
    let lax = stdout(&run(lax, None));
    assert!(
        strict.contains("decision (min confidence 0.95)"),
        "{strict}"
    );
    assert!(figure(&strict, "negatives refused") > figure(&lax, "negatives refused"));
    assert_eq!(figure(&lax, "positives answered"), 1.0, "{lax}");
    let mut bad = yunqi(&ws);
    bad.args(["ask", "--min-confidence", "2", "云栖大会"]);
    let out = run(bad, None);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a usage error: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("between 0 and 1"), "{}", stderr(&out));
}

#[test]
fn eval_rejects_a_malformed_question_set() {
    let ws = Workspace::with_shipped_data();
    let bad = ws.root.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\":\"1\",\"q\":\"x\",\"expect\":[]}\n{oops\n").expect("write");
    let mut cmd = yunqi(&ws);
    cmd.arg("eval").arg(&bad);
    let out = run(cmd, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("line 2"), "{}", stderr(&out));
}

#[test]
fn add_shows_the_rebuild_progress_on_a_large_corpus() {
    let ws = Workspace::empty();
    for i in 0..59 {
        ws.write_article(
            &format!("a{i:02}.md"),
            format!("第{i}篇\n這是第{i}篇文章的段落，講雲棲大會。\n"),
        );
    }
    let new = ws.root.path().join("new.md");
    std::fs::write(&new, "新的一篇\n杭州是雲棲大會的舉辦地。\n").expect("write");
    let mut cmd = yunqi(&ws);
    cmd.arg("add").arg(&new);
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("30/60 articles"), "{}", stderr(&out));
    assert!(stdout(&out).contains("added new"), "{}", stdout(&out));
}

#[test]
fn index_shows_progress_on_a_large_corpus() {
    let ws = Workspace::empty();
    for i in 0..60 {
        ws.write_article(
            &format!("a{i:02}.md"),
            format!("第{i}篇\n這是第{i}篇文章的段落，講雲棲大會。\n"),
        );
    }
    let mut cmd = yunqi(&ws);
    cmd.arg("index");
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("30/60 articles"), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("60 articles, 60 passages"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn concurrent_first_runs_all_answer() {
    let ws = Workspace::with_shipped_data();
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = yunqi(&ws);
            cmd.args(["ask", "--json", "含阿量"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("\"answered\":true"));
    }
}

#[test]
fn bad_values_in_flags_or_their_variables_are_usage_errors() {
    let ws = Workspace::with_shipped_data();
    for (var, value) in [("ANSWER_SCRIPT", "cyrillic"), ("MIN_CONFIDENCE", "2")] {
        let mut cmd = yunqi(&ws);
        cmd.env(var, value).args(["ask", "云栖大会"]);
        let out = run(cmd, None);
        assert_eq!(out.status.code(), Some(2), "{var}: {}", stderr(&out));
        assert!(stderr(&out).contains(value), "{}", stderr(&out));
    }
    let mut cmd = yunqi(&ws);
    cmd.args(["--script", "cyrillic", "ask", "云栖大会"]);
    assert_eq!(run(cmd, None).status.code(), Some(2));
}

#[test]
fn an_empty_variable_means_the_default() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    // The workspace root holds `data/`, the default data directory.
    cmd.env("DATA_DIR", "")
        .env("ANSWER_SCRIPT", " ")
        .env("MIN_CONFIDENCE", "")
        .args(["ask", "--json", "含阿量"]);
    let out = run(cmd, None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"answered\":true"));
}

#[test]
fn a_line_that_is_not_utf8_costs_only_itself() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    cmd.args(["ask", "--json"]);
    let out = run_bytes(
        cmd,
        Some(b"Qwen2.5\xe4\xb8\n\xff\xfe bad\n\xe5\x90\xab\xe9\x98\xbf\xe9\x87\x8f\n"),
    );
    // The rest was answered, but the caller hears that input was lost.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 line(s)"), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]
        .as_str()
        .is_some_and(|e| e.contains("UTF-8")));
    assert_eq!(lines[2]["question"], "含阿量");
    assert_eq!(lines[2]["answered"], true);

    let mut cmd = yunqi(&ws);
    cmd.arg("ask");
    let out = run_bytes(cmd, Some(b"\xff\n\xe5\x90\xab\xe9\x98\xbf\xe9\x87\x8f\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("Q: 含阿量"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("line 1: not valid UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_question_is_a_usage_error() {
    let ws = Workspace::with_shipped_data();
    let out = run_args(&ws, &["ask", ""]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("a question cannot be empty"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let ws = Workspace::with_shipped_data();
    let mut cmd = yunqi(&ws);
    cmd.arg("ask")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run yunqi-bot");
    // The reader (`head`, a pager) is gone before the first answer is written.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, "含阿量\n".repeat(50).as_bytes()).expect("write");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("Broken pipe"), "{}", stderr(&out));
}
