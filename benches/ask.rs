//! Latency and memory of the answer engine on the shipped article, measured rather than
//! asserted: `cargo bench --bench ask`. Prints the cost of opening the engine (with and
//! without an index build), per-question latency over the public question set, and the
//! process's peak resident memory.

use std::path::Path;
use std::time::{Duration, Instant};

use yunqi_bot::answer::{Engine, EngineConfig, Settings};

const ROUNDS: usize = 50;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The blind holdout questions: unseen by tuning, and shipped with the repository.
    let questions: Vec<String> =
        std::fs::read_to_string(root.join("tests/fixtures/blind_holdout.jsonl"))
            .expect("tests/fixtures/blind_holdout.jsonl")
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v["q"].as_str().map(str::to_owned))
            .collect();

    let index = tempfile::tempdir().expect("temp dir");
    let config = EngineConfig {
        data_dir: root.join("data"),
        index_dir: index.path().to_owned(),
        settings: Settings::default(),
    };
    let started = Instant::now();
    let (engine, built) = Engine::open(&config).expect("open with build");
    assert!(built.is_some());
    println!("open + build index     {:>10.1} ms", ms(started.elapsed()));
    drop(engine);
    let started = Instant::now();
    let (engine, _) = Engine::open(&config).expect("open");
    println!("open existing index    {:>10.1} ms", ms(started.elapsed()));

    let mut latencies = Vec::with_capacity(ROUNDS * questions.len());
    for _ in 0..ROUNDS {
        for q in &questions {
            let started = Instant::now();
            let answer = engine.ask(q, 3).expect("ask");
            latencies.push(started.elapsed());
            std::hint::black_box(answer);
        }
    }
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
    if let Some(peak) = peak_rss_kib() {
        println!("peak resident memory   {:>10.1} MiB", peak as f64 / 1024.0);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// VmHWM from /proc (Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
