//! Throughput of the whole bot, measured rather than asserted: `cargo bench --bench bot`.
//! The real bot (teloxide's HTTP client, the dispatcher, the engine on the shipped
//! article) answers a burst of private questions from many users through the test suite's
//! fake Bot API over loopback, with Telegram's send pacing lifted so that the bot itself is
//! measured. Prints answered updates per second and the process's resident memory, then
//! the same figures as one JSON line (read by `bench/run`).
//!
//! `BENCH_USERS` (default 200) users each ask `BENCH_PER_USER` (default 10) questions.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::running_bot::RunningBot;
use support::{rss_kib, Workspace};
use teloxide::adaptors::throttle::Limits;
use yunqi_bot::telegram::BotOptions;

const QUESTIONS: [&str; 4] = [
    "通义千问API调用价格下降了多少",
    "Qwen2.5下载量多少",
    "含阿量是什么",
    "阿里云今年主论坛有几场圆桌",
];

/// This process's resident memory in KiB (the bot and the fake server both).
fn rss_now() -> u64 {
    rss_kib(std::process::id()).map_or(0, |(now, _)| now)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let users = env_usize("BENCH_USERS", 200).max(1);
    let per_user = env_usize("BENCH_PER_USER", 10).max(1);
    // Far above anything measured; not u32::MAX, as Throttle keeps a queue that size.
    let unlimited = 100_000;
    let options = BotOptions {
        // Neither the per-user question limit nor Telegram's pacing may be what is measured.
        questions_per_minute: per_user * 10,
        send_limits: Limits {
            messages_per_sec_chat: unlimited,
            messages_per_min_chat: unlimited,
            messages_per_min_channel_or_supergroup: unlimited,
            messages_per_sec_overall: unlimited,
        },
        refresh_every: Duration::from_secs(3600),
        ..BotOptions::default()
    };
    let bot = RunningBot::start(Workspace::with_shipped_data(), options).await;
    let rss_idle = rss_now();

    let total = users * per_user;
    let started = Instant::now();
    for round in 0..per_user {
        for user in 0..users {
            let question = QUESTIONS[(user + round) % QUESTIONS.len()];
            bot.fake.user_says(10_000 + user as i64, question);
        }
    }
    let answered = bot
        .fake
        .wait_for("sendMessage", total, Duration::from_secs(600))
        .await
        .len();
    let elapsed = started.elapsed();
    let rss_loaded = rss_now();
    bot.stop().await;

    let per_second = answered as f64 / elapsed.as_secs_f64();
    println!("bot throughput (fake Bot API over loopback, send pacing lifted)");
    println!("  updates             {total} from {users} users");
    println!(
        "  answered            {answered} in {:.2} s",
        elapsed.as_secs_f64()
    );
    println!("  answered per second {per_second:.0}");
    println!(
        "  RSS (bot and fake)  idle {} MiB, after the burst {} MiB",
        rss_idle / 1024,
        rss_loaded / 1024
    );
    println!(
        "{}",
        serde_json::json!({
            "updates": total,
            "users": users,
            "answered": answered,
            "seconds": elapsed.as_secs_f64(),
            "answered_per_second": per_second,
            "rss_idle_kib": rss_idle,
            "rss_loaded_kib": rss_loaded,
        })
    );
}
