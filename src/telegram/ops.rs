//! What operators see over HTTP when the bot listens (`serve --listen`, or `--webhook`):
//! `/healthz` (the process answers), `/readyz` (an index is loaded and updates are being
//! taken) and `/metrics` (Prometheus text format: questions answered and refused, the time
//! to handle an update, the index generation).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::{self, HandlerDescription};

use crate::answer::Engine;

/// Upper bounds (seconds) of the update-handling histogram's buckets: a question takes a
/// millisecond of search, the rest is Telegram's round trip (and a reindex, for `/add`).
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A Prometheus histogram of durations, lock-free.
#[derive(Debug)]
pub struct Histogram {
    /// Per bucket of [`BUCKETS`] (not cumulative), then the overflow past the last bound.
    counts: Vec<AtomicU64>,
    sum_micros: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: (0..=BUCKETS.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|&bound| seconds <= bound)
            .unwrap_or(BUCKETS.len());
        if let Some(count) = self.counts.get(bucket) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Observations so far.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
    }

    fn render(&self, name: &str, out: &mut String) {
        let mut cumulative = 0;
        for (bound, count) in BUCKETS.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let total = self.count();
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {total}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {total}");
    }
}

/// The state behind the endpoints: the engine (its counters and index) and what the run
/// loop reports.
pub struct Ops {
    engine: Arc<Engine>,
    ready: AtomicBool,
    /// Time from the dispatcher handing an update to the handler tree until the handler
    /// is done (the reply sent), for updates a handler took.
    pub update_seconds: Histogram,
}

impl Ops {
    pub fn new(engine: Arc<Engine>) -> Ops {
        Ops {
            engine,
            ready: AtomicBool::new(false),
            update_seconds: Histogram::default(),
        }
    }

    /// Ready once updates are being taken; not ready again while stopping (draining).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// The metrics in Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters = self.engine.counters();
        out.push_str(
            "# HELP yunqi_questions_total Questions the engine answered or refused since start \
             (messages, inline queries and page turns), on this replica.\n\
             # TYPE yunqi_questions_total counter\n",
        );
        let _ = writeln!(
            out,
            "yunqi_questions_total{{outcome=\"answered\"}} {}",
            counters.answered()
        );
        let _ = writeln!(
            out,
            "yunqi_questions_total{{outcome=\"refused\"}} {}",
            counters.refused()
        );
        out.push_str(
            "# HELP yunqi_update_duration_seconds Time to handle one update, from the \
             dispatcher to the reply sent.\n\
             # TYPE yunqi_update_duration_seconds histogram\n",
        );
        self.update_seconds
            .render("yunqi_update_duration_seconds", &mut out);
        let index = self.engine.index();
        let manifest = index.manifest();
        out.push_str(
            "# HELP yunqi_index_generation_info The index generation answering (its directory \
             name).\n# TYPE yunqi_index_generation_info gauge\n",
        );
        let _ = writeln!(
            out,
            "yunqi_index_generation_info{{generation=\"{}\"}} 1",
            label_value(&generation_name(&index))
        );
        out.push_str(
            "# HELP yunqi_index_built_timestamp_seconds When the answering generation was \
             built (Unix time); equal on replicas that share it.\n\
             # TYPE yunqi_index_built_timestamp_seconds gauge\n",
        );
        let _ = writeln!(
            out,
            "yunqi_index_built_timestamp_seconds {}",
            manifest.built_at_unix
        );
        out.push_str(
            "# HELP yunqi_index_articles Articles in the answering generation.\n\
             # TYPE yunqi_index_articles gauge\n",
        );
        let _ = writeln!(out, "yunqi_index_articles {}", manifest.articles.len());
        out.push_str(
            "# HELP yunqi_index_passages Passages in the answering generation.\n\
             # TYPE yunqi_index_passages gauge\n",
        );
        let _ = writeln!(out, "yunqi_index_passages {}", index.passage_count());
        out
    }
}

fn generation_name(index: &crate::search::SearchIndex) -> String {
    index
        .generation()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A Prometheus label value: backslash, quote and newline escaped.
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `/healthz`, `/readyz` and `/metrics`.
pub fn router(ops: Arc<Ops>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(ops)
}

/// Liveness: the process runs and answers HTTP.
async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: an index generation is loaded (the engine cannot exist without one) and
/// updates are being taken; 503 before that and while draining at shutdown.
async fn readyz(State(ops): State<Arc<Ops>>) -> impl IntoResponse {
    let index = ops.engine.index();
    let generation = generation_name(&index);
    let passages = index.passage_count();
    if ops.is_ready() {
        (
            StatusCode::OK,
            format!("ready: index {generation}, {passages} passages\n"),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: starting or stopping\n".to_owned(),
        )
    }
}

async fn metrics(State(ops): State<Arc<Ops>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        ops.render(),
    )
}

/// An entry of the handler tree that times every update a handler takes into
/// `ops.update_seconds`; updates no handler takes are not counted. It describes itself as
/// an entry, so it changes nothing in the updates teloxide asks Telegram for.
pub fn timed(ops: Arc<Ops>) -> UpdateHandler<anyhow::Error> {
    dptree::from_fn_with_description(
        DpHandlerDescription::entry(),
        move |deps, cont| {
            let ops = ops.clone();
            async move {
                let started = Instant::now();
                let flow = cont(deps).await;
                if flow.is_break() {
                    ops.update_seconds.observe(started.elapsed());
                }
                flow
            }
        },
        dptree::HandlerSignature::Entry,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_histogram_is_cumulative_with_an_overflow_bucket() {
        let h = Histogram::default();
        h.observe(Duration::from_millis(3));
        h.observe(Duration::from_millis(30));
        h.observe(Duration::from_secs(60));
        let mut out = String::new();
        h.render("t", &mut out);
        assert!(out.contains("t_bucket{le=\"0.005\"} 1\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"0.05\"} 2\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"10\"} 2\n"), "{out}");
        assert!(out.contains("t_bucket{le=\"+Inf\"} 3\n"), "{out}");
        assert!(out.contains("t_count 3\n"), "{out}");
        assert!(out.contains("t_sum 60.033\n"), "{out}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
