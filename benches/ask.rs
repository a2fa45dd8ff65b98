//! Latency and memory of the answer engine, measured rather than asserted:
//! `cargo bench --bench ask`. Prints the cost of opening the engine (with and without an
//! index build), per-question latency, known-item R@1 and the process's peak resident
//! memory, then the same figures as one JSON line (read by `bench/run`).
//!
//! By default it runs the blind holdout questions on the shipped article. The environment
//! points it elsewhere:
//! - `BENCH_DATA_DIR`: the article directory (default `data/`);
//! - `BENCH_QUESTIONS`: a question file in the eval format (default the blind holdout);
//! - `BENCH_INDEX_DIR`: an index directory to open (built there if missing or stale);
//!   without it, the index is built in a temporary directory and opened again;
//! - `BENCH_ROUNDS`: how many times every question is asked (default 50);
//! - `BENCH_WARMUP`: questions asked once, untimed, before measuring (default 10).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use yunqi_bot::answer::{Engine, EngineConfig, Settings};

/// How many of the slowest questions are named.
const SLOWEST_SHOWN: usize = 8;

struct Question {
    id: String,
    q: String,
    expect: Vec<String>,
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let env_path = |name: &str| std::env::var_os(name).map(PathBuf::from);
    let env_usize = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let data_dir = env_path("BENCH_DATA_DIR").unwrap_or_else(|| root.join("data"));
    // The blind holdout questions: unseen by tuning, and shipped with the repository.
    let question_file = env_path("BENCH_QUESTIONS")
        .unwrap_or_else(|| root.join("tests/fixtures/blind_holdout.jsonl"));
    let rounds = env_usize("BENCH_ROUNDS", 50).max(1);
    let warmup = env_usize("BENCH_WARMUP", 10);

    let questions: Vec<Question> = std::fs::read_to_string(&question_file)
        .unwrap_or_else(|e| panic!("{}: {e}", question_file.display()))
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            let id = v["id"].as_str().unwrap_or_default().to_owned();
            let q = v["q"].as_str()?.to_owned();
            let expect = v["expect"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| e.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            Some(Question { id, q, expect })
        })
        .collect();

    let temp = tempfile::tempdir().expect("temp dir");
    let given_index = env_path("BENCH_INDEX_DIR");
    let config = EngineConfig {
        data_dir,
        index_dir: given_index
            .clone()
            .unwrap_or_else(|| temp.path().to_owned()),
        settings: Settings::default(),
    };
    let mut build_ms = None;
    if given_index.is_none() {
        let started = Instant::now();
        let (engine, built) = Engine::open(&config).expect("open with build");
        assert!(built.is_some());
        build_ms = Some(ms(started.elapsed()));
        println!("open + build index     {:>10.1} ms", ms(started.elapsed()));
        drop(engine);
    }
    let started = Instant::now();
    let (engine, built) = Engine::open(&config).expect("open");
    let open_ms = ms(started.elapsed());
    if built.is_some() {
        build_ms = Some(open_ms);
    }
    println!("open existing index    {open_ms:>10.1} ms");

    for q in questions.iter().take(warmup) {
        std::hint::black_box(engine.ask(&q.q, 3).expect("ask"));
    }
    // Each question's own times, for naming the slowest; all of them, for percentiles.
    let mut per_question: Vec<Vec<Duration>> = vec![Vec::with_capacity(rounds); questions.len()];
    let mut answered = 0usize;
    for _ in 0..rounds {
        for (q, times) in questions.iter().zip(&mut per_question) {
            let started = Instant::now();
            let answer = engine.ask(&q.q, 3).expect("ask");
            times.push(started.elapsed());
            answered += usize::from(answer.answered);
            std::hint::black_box(answer);
        }
    }
    let mut latencies: Vec<Duration> = per_question.iter().flatten().copied().collect();
    latencies.sort();
    let pick = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "ask ({} questions)     p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
        latencies.len(),
        ms(pick(0.5)),
        ms(pick(0.9)),
        ms(pick(0.99)),
        ms(pick(1.0))
    );

    // Where the tail comes from: the questions whose median time is highest.
    let mut medians: Vec<(Duration, &Question)> = per_question
        .iter_mut()
        .zip(&questions)
        .map(|(times, q)| {
            times.sort();
            (times[times.len() / 2], q)
        })
        .collect();
    medians.sort_by_key(|&(median, _)| std::cmp::Reverse(median));
    println!("slowest questions (median of {rounds}):");
    for (median, q) in medians.iter().take(SLOWEST_SHOWN) {
        println!("  {:>8.3} ms  {}  {}", ms(*median), q.id, q.q);
    }

    // Ranking with the answer gate off, as `eval` scores it: does the top passage contain
    // an expected substring?
    let positives: Vec<&Question> = questions.iter().filter(|q| !q.expect.is_empty()).collect();
    let missed: Vec<&str> = positives
        .iter()
        .filter(|q| {
            let assessment = engine.assess(&q.q, 1).expect("assess");
            !assessment
                .ranked
                .first()
                .is_some_and(|top| q.expect.iter().any(|e| top.text.contains(e.as_str())))
        })
        .map(|q| q.id.as_str())
        .collect();
    let hits = positives.len() - missed.len();
    let r1 = (!positives.is_empty()).then(|| hits as f64 / positives.len() as f64);
    if let Some(r1) = r1 {
        println!("R@1 ({} with expect)   {r1:>10.3}", positives.len());
    }
    let peak = peak_rss_kib().map(|kib| kib as f64 / 1024.0);
    if let Some(peak) = peak {
        println!("peak resident memory   {peak:>10.1} MiB");
    }
    let json = serde_json::json!({
        "system": "yunqi-bot",
        "build_ms": build_ms,
        "open_ms": open_ms,
        "asked": latencies.len(),
        "answered": answered,
        "p50_us": us(pick(0.5)),
        "p99_us": us(pick(0.99)),
        "r1": r1,
        "positives": positives.len(),
        "missed": missed,
        "peak_rss_mib": peak,
    });
    println!("{json}");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// VmHWM from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
