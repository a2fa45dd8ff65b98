//! Deployment end to end: `yunqi-bot serve` as separate processes against the fake Bot
//! API on loopback. Two webhook replicas share one data directory; updates are POSTed to
//! each replica's listener with the secret header, as Telegram (through a load balancer)
//! would; a polling bot serves the health endpoints with `--listen`.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::fake_telegram::{Call, Failure, FakeTelegram, WebhookSet, TOKEN};
use support::replica::{metric, Replica};
use support::running_bot::{text_of, WAIT};
use support::{eventually, stderr, yunqi, Workspace, HANGZHOU};
use yunqi_bot::telegram::format;

const SECRET: &str = "replica-Secret_0123456789";
/// The public URL Telegram is given (a load balancer's, never contacted here).
const PUBLIC_URL: &str = "http://127.0.0.1:8443/telegram/yunqi";
/// Its path, which each replica serves.
const HOOK: &str = "/telegram/yunqi";
const ADMIN: i64 = 4242;
const ALICE: i64 = 1001;
const BOB: i64 = 1002;
/// Long enough for a replica's periodic refresh (every 5 s) on a busy machine.
const REFRESH_WAIT: Duration = Duration::from_secs(90);

/// The one update the fake has queued, taken out of its queue for delivery.
fn the_update(fake: &FakeTelegram) -> Value {
    let mut updates = fake.take_updates();
    assert_eq!(updates.len(), 1, "{updates:#?}");
    updates.remove(0)
}

/// Runs a command that should fail quickly; killed if it is still running after the wait.
async fn run_to_end(cmd: std::process::Command) -> std::process::Output {
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
    tokio::time::timeout(WAIT * 4, cmd.output())
        .await
        .expect("the command ends by itself")
        .expect("run yunqi-bot")
}

fn generation(metrics: &str) -> Option<String> {
    metrics
        .lines()
        .find(|l| l.starts_with("yunqi_index_generation_info{"))
        .map(str::to_owned)
}

/// Waits for `count` successful sendMessage calls to `chat`.
async fn sent_to(fake: &FakeTelegram, chat: i64, count: usize) -> Vec<Call> {
    eventually(WAIT, Duration::from_millis(20), async || {
        let sent: Vec<Call> = fake
            .successful("sendMessage")
            .into_iter()
            .filter(|c| c.params["chat_id"] == chat)
            .collect();
        if sent.len() >= count {
            Ok(sent)
        } else {
            Err(format!(
                "expected {count} messages to {chat}: {:#?}",
                fake.calls()
            ))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_replicas_share_the_updates_and_a_reindex_in_one_reaches_the_other() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    fake.accept_loopback_webhooks();
    let args = ["--webhook", PUBLIC_URL];
    let vars = [("WEBHOOK_SECRET", SECRET), ("BOT_ADMINS", "4242")];
    // The first builds the index in the shared directory, the second loads it.
    let a = Replica::start(&ws, &fake, &args, &vars).await;
    assert!(a.wait_ready().await.contains("passages"));
    let b = Replica::start(&ws, &fake, &args, &vars).await;
    b.wait_ready().await;
    let (metrics_a, metrics_b) = (a.get("/metrics").await.1, b.get("/metrics").await.1);
    assert!(generation(&metrics_a).is_some(), "{metrics_a}");
    assert_eq!(generation(&metrics_a), generation(&metrics_b));

    // Each set the same webhook and secret; neither polls.
    for set in fake.wait_for("setWebhook", 2, WAIT).await {
        assert_eq!(set.params["url"], PUBLIC_URL);
        assert_eq!(set.params["secret_token"], SECRET);
    }
    let expected = WebhookSet {
        url: PUBLIC_URL.to_owned(),
        secret_token: Some(SECRET.to_owned()),
    };
    assert_eq!(fake.webhook(), Some(expected.clone()));
    assert!(fake.statuses("getUpdates").is_empty());

    // A question through each replica.
    fake.user_says(ALICE, "通义千问API调用价格下降了多少");
    assert_eq!(a.deliver(HOOK, Some(SECRET), &the_update(&fake)).await, 200);
    let to_alice = &sent_to(&fake, ALICE, 1).await[0];
    assert!(text_of(to_alice).contains("97%"), "{to_alice:?}");
    fake.user_says(BOB, "阿里云的打法");
    assert_eq!(b.deliver(HOOK, Some(SECRET), &the_update(&fake)).await, 200);
    let to_bob = sent_to(&fake, BOB, 1).await.remove(0);

    // B's pager button pressed, delivered to A: the page is in the callback data and the
    // question in the message, so any replica can turn it.
    let message_id = to_bob.result["message_id"].as_i64().expect("message id");
    fake.press_button(BOB, BOB, message_id, &format::callback_data(1));
    assert_eq!(a.deliver(HOOK, Some(SECRET), &the_update(&fake)).await, 200);
    let edit = &fake.wait_for("editMessageText", 1, WAIT).await[0];
    assert_eq!(edit.params["message_id"], message_id);
    assert_ne!(edit.params["text"], to_bob.params["text"]);

    // Without the secret, or with another one, or at another path: refused.
    fake.user_says(ALICE, "云栖大会在哪里举办");
    let forged = the_update(&fake);
    assert_eq!(a.deliver(HOOK, None, &forged).await, 401);
    assert_eq!(b.deliver(HOOK, Some("not-the-secret"), &forged).await, 401);
    assert_eq!(a.deliver("/elsewhere", Some(SECRET), &forged).await, 404);

    // An admin adds an article through A; B adopts the new index by itself.
    fake.add_file("doc-1", "documents/file_1.md", HANGZHOU.as_bytes());
    fake.user_sends_document(ADMIN, "doc-1", "hangzhou.md", Some("/add"));
    assert_eq!(a.deliver(HOOK, Some(SECRET), &the_update(&fake)).await, 200);
    sent_to(&fake, ADMIN, 1).await;
    let two_articles = |m: &str| metric(m, "yunqi_index_articles") == Some(2.0);
    a.wait_for_metrics(REFRESH_WAIT, two_articles).await;
    b.wait_for_metrics(REFRESH_WAIT, two_articles).await;
    fake.user_says(BOB, "雲棲小鎮在哪裡");
    assert_eq!(b.deliver(HOOK, Some(SECRET), &the_update(&fake)).await, 200);
    let answer = text_of(&sent_to(&fake, BOB, 2).await[1]);
    assert!(answer.contains("西湖區"), "{answer}");

    // Each replica counts what it answered, and how long its two updates took (timed when
    // the handler returns, just after the fake has seen the reply).
    for replica in [&a, &b] {
        let metrics = replica
            .wait_for_metrics(WAIT, |m| {
                metric(m, "yunqi_update_duration_seconds_count") >= Some(2.0)
            })
            .await;
        let answered = metric(&metrics, "yunqi_questions_total{outcome=\"answered\"}");
        assert!(answered >= Some(1.0), "{metrics}");
    }

    // SIGTERM stops each cleanly; the webhook stays set while any replica may serve it.
    let (status, log) = a.terminate().await;
    assert!(status.success(), "{log}");
    assert_eq!(fake.webhook(), Some(expected));
    let (status, log_b) = b.terminate().await;
    assert!(status.success(), "{log_b}");
    assert!(fake.statuses("deleteWebhook").is_empty());
    for log in [log, log_b] {
        assert!(log.contains("webhook set"), "{log}");
        assert!(!log.contains(SECRET) && !log.contains(TOKEN), "{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_refuses_a_webhook_that_is_not_https_and_serve_says_why() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await; // strict, as Telegram
    let mut cmd = yunqi(&ws);
    cmd.env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", fake.url())
        .env("WEBHOOK_SECRET", SECRET)
        .args(["serve", "--listen", "127.0.0.1:0", "--webhook"])
        .arg("http://bot.example.com/hook-path-kept-private");
    let out = run_to_end(cmd).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Telegram refused the webhook http://bot.example.com/…"),
        "{err}"
    );
    assert!(err.contains("HTTPS URL must be provided"), "{err}");
    for private in [SECRET, TOKEN, "hook-path-kept-private"] {
        assert!(!err.contains(private), "{private} shown: {err}");
    }
    assert_eq!(fake.webhook(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_needs_a_valid_secret_before_anything_starts() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    for secret in [None, Some("has spaces")] {
        let mut cmd = yunqi(&ws);
        cmd.env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", fake.url())
            .args(["serve", "--webhook", "https://bot.example.com/hook"]);
        if let Some(secret) = secret {
            cmd.env("WEBHOOK_SECRET", secret);
        }
        let out = run_to_end(cmd).await;
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("WEBHOOK_SECRET"), "{err}");
        assert!(!err.contains("has spaces"), "{err}");
    }
    assert!(fake.calls().is_empty(), "{:#?}", fake.calls());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_deletes_a_webhook_serves_health_with_listen_and_drains_at_sigterm() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    fake.accept_loopback_webhooks();
    // A webhook left by an earlier webhook deployment: Telegram refuses getUpdates then.
    let hook = PUBLIC_URL.parse().expect("url");
    teloxide::requests::Requester::set_webhook(&fake.bot(), hook)
        .await
        .expect("set");
    let refused = teloxide::requests::Requester::get_updates(&fake.bot()).await;
    assert!(refused.is_err(), "{refused:?}");

    let bot = Replica::start(&ws, &fake, &[], &[]).await;
    fake.wait_for("getUpdates", 1, WAIT).await;
    assert_eq!(fake.webhook(), None);
    assert_eq!(fake.successful("deleteWebhook").len(), 1);
    assert_eq!(bot.get("/healthz").await, (200, "ok\n".to_owned()));
    assert!(bot.wait_ready().await.contains("passages"));
    let metrics = bot.get("/metrics").await.1;
    assert!(
        metric(&metrics, "yunqi_index_passages") > Some(0.0),
        "{metrics}"
    );
    assert_eq!(metric(&metrics, "yunqi_index_articles"), Some(1.0));

    // A reply held up by a 429 is in flight when SIGTERM arrives: it is still sent.
    fake.fail_next("sendMessage", Failure::RetryAfter(2), 1);
    fake.user_says(ALICE, "通义千问API调用价格下降了多少");
    eventually(WAIT, Duration::from_millis(20), async || {
        match fake.statuses("sendMessage").contains(&429) {
            true => Ok(()),
            false => Err(format!("no 429 yet: {:#?}", fake.calls())),
        }
    })
    .await;
    let (status, log) = bot.terminate().await;
    assert!(status.success(), "{log}");
    let sent = fake.successful("sendMessage");
    assert_eq!(sent.len(), 1, "the answer in flight was dropped: {log}");
    assert!(text_of(&sent[0]).contains("97%"));
}
