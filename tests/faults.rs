//! Faults from the Bot API's side, end to end: dropped connections, a server slower than
//! the client's timeout, and what becomes of updates when the bot stops or dies. Telegram forgets an update once a `getUpdates`
//! call asks for a later `offset`; teloxide asks for the next one as soon as an update is
//! handed to its handler, and on a graceful stop makes one last call to confirm what it
//! handled.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::fake_telegram::{Call, Failure, FakeTelegram, TOKEN};
use support::replica::Replica;
use support::running_bot::{text_of, RunningBot, WAIT};
use support::{eventually, yunqi, Workspace};
use tokio::sync::oneshot;
use yunqi_bot::telegram::{self, BotOptions};

const ALICE: i64 = 1001;
const BOB: i64 = 1002;

/// A client timeout short enough for a test (teloxide's is 17 s): the bot gives up on a
/// request after 2 s, and its polls ask Telegram to wait 1 s.
const SHORT_TIMEOUT: Duration = Duration::from_secs(2);
/// How late the fake answers when told to: after the bot has given up.
const TOO_LATE: Duration = Duration::from_secs(3);

async fn impatient_bot() -> RunningBot {
    let options = BotOptions {
        api_timeout: SHORT_TIMEOUT,
        ..BotOptions::default()
    };
    RunningBot::start(Workspace::with_shipped_data(), options).await
}

/// Checks that the bot gave up on the polls the fake answered late, whatever they held:
/// some held updates, and the poll after each asked from the same offset, so they came
/// again. And that every poll asked Telegram to answer before the client would give up
/// (the last one, at shutdown, asks for no wait at all).
fn late_polls_were_given_up(calls: &[Call]) {
    let polls: Vec<&Call> = calls.iter().filter(|c| c.method == "getUpdates").collect();
    let held_updates = |c: &Call| c.result.as_array().is_some_and(|u| !u.is_empty());
    assert!(
        polls.iter().any(|c| c.late && held_updates(c)),
        "{polls:#?}"
    );
    for pair in polls.windows(2) {
        if pair[0].late {
            assert_eq!(
                pair[1].params["offset"], pair[0].params["offset"],
                "a late poll's updates were taken: {polls:#?}"
            );
        }
    }
    let waits: Vec<_> = polls.iter().map(|c| c.params["timeout"].as_u64()).collect();
    assert!(
        waits
            .iter()
            .all(|w| w.is_some_and(|w| w < SHORT_TIMEOUT.as_secs())),
        "{waits:?}"
    );
}

/// How many of the bot's successful sends replied to message `id`.
fn replies_to(fake: &FakeTelegram, id: i64) -> usize {
    fake.successful("sendMessage")
        .iter()
        .filter(|c| c.params["reply_parameters"]["message_id"] == id)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polls_answered_after_the_client_timeout_lose_no_update_and_repeat_none() {
    let bot = impatient_bot().await;
    let f = &bot.fake;
    f.fail_next("getUpdates", Failure::Late(TOO_LATE), 3);
    let asked = [
        f.user_says(ALICE, "含阿量"),
        f.user_says(BOB, "Qwen2.5下载量多少"),
    ];
    // Three timeouts with teloxide's backoff after each (1, 2, 4 s): about 13 s.
    f.wait_for("sendMessage", 2, Duration::from_secs(40)).await;
    let calls = f.calls();
    let late: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "getUpdates" && c.late)
        .collect();
    assert_eq!(late.len(), 3, "{calls:#?}");
    late_polls_were_given_up(&calls);
    f.wait_idle(Duration::from_millis(500)).await;
    for id in asked {
        assert_eq!(replies_to(f, id), 1, "question {id}");
    }
    assert_eq!(f.successful("sendMessage").len(), 2);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_answered_after_the_client_timeout_is_not_sent_twice() {
    let bot = impatient_bot().await;
    let f = &bot.fake;
    // Telegram delivers the answer but says so too late: the bot cannot tell this from a
    // send that never arrived, and does not try again (see telegram/send.rs).
    f.fail_next("sendMessage", Failure::Late(TOO_LATE), 1);
    let first = f.user_says(ALICE, "含阿量");
    let second = f.user_says(ALICE, "Qwen2.5下载量多少");
    let replies = f.wait_for("sendMessage", 2, WAIT).await;
    assert!(replies[0].late && !replies[1].late, "{replies:#?}");
    assert!(
        text_of(&replies[1]).contains("4000"),
        "{}",
        text_of(&replies[1])
    );
    f.user_says(BOB, "/help");
    f.wait_for("sendMessage", 3, WAIT).await;
    f.wait_idle(Duration::from_millis(500)).await;
    assert_eq!(replies_to(f, first), 1, "the late answer was sent again");
    assert_eq!(replies_to(f, second), 1);
    assert_eq!(f.statuses("sendMessage"), vec![200, 200, 200]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_recovers_from_dropped_connections_and_loses_no_update() {
    let bot = RunningBot::start(Workspace::with_shipped_data(), BotOptions::default()).await;
    let f = &bot.fake;
    f.fail_next("getUpdates", Failure::Hangup, 2);
    f.user_says(ALICE, "含阿量");
    let reply = &f.wait_for("sendMessage", 1, WAIT).await[0];
    assert!(text_of(reply).contains("含阿量"));
    let polls = f.statuses("getUpdates");
    assert_eq!(polls.iter().filter(|s| **s == 0).count(), 2, "{polls:?}");
    f.user_says(ALICE, "/help");
    f.wait_for("sendMessage", 2, WAIT).await;
    assert_eq!(
        f.statuses("sendMessage"),
        vec![200, 200],
        "answered once each"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_whose_connection_drops_is_not_sent_twice() {
    let bot = RunningBot::start(Workspace::with_shipped_data(), BotOptions::default()).await;
    let f = &bot.fake;
    // The bot cannot know whether Telegram acted on it: it does not try again (see
    // telegram/send.rs), and the next question is answered as usual.
    f.fail_next("sendMessage", Failure::Hangup, 1);
    f.user_says(ALICE, "含阿量");
    f.user_says(ALICE, "Qwen2.5下载量多少");
    let reply = &f.wait_for("sendMessage", 1, WAIT).await[0];
    assert!(text_of(reply).contains("4000"), "{}", text_of(reply));
    f.user_says(ALICE, "/help");
    f.wait_for("sendMessage", 2, WAIT).await;
    assert_eq!(f.statuses("sendMessage"), vec![0, 200, 200]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_takes_its_api_timeout_from_the_command_line() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    let args = ["--api-timeout", &SHORT_TIMEOUT.as_secs().to_string()];
    let replica = Replica::start(&ws, &fake, &args, &[]).await;
    fake.wait_for("getUpdates", 1, WAIT).await;
    fake.fail_next("getUpdates", Failure::Late(TOO_LATE), 2);
    let asked = fake.user_says(ALICE, "含阿量");
    // Two timeouts with teloxide's backoff after each (1, 2 s): about 7 s.
    fake.wait_for("sendMessage", 1, WAIT * 2).await;
    let (status, stderr) = replica.terminate().await;
    assert!(status.success(), "{stderr}");
    late_polls_were_given_up(&fake.calls());
    assert_eq!(replies_to(&fake, asked), 1);
}

/// Runs the bot on `fake` until the returned sender is used.
fn run_bot(
    fake: &FakeTelegram,
    ws: &Workspace,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), telegram::BotError>>,
) {
    let engine = Arc::new(ws.engine());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(telegram::run(
        fake.bot(),
        engine,
        BotOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    (stop, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_finishes_answering_and_a_restart_answers_nothing_twice() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    let (stop, task) = run_bot(&fake, &ws);
    fake.wait_for("getUpdates", 1, WAIT).await;
    // The answer is still waiting out a 429 when the stop comes: it is sent all the same.
    fake.fail_next("sendMessage", Failure::RetryAfter(1), 1);
    let first = fake.user_says(ALICE, "含阿量");
    eventually(WAIT, Duration::from_millis(20), async || {
        match fake.statuses("sendMessage").is_empty() {
            true => Err("never answered".to_owned()),
            false => Ok(()),
        }
    })
    .await;
    let _ = stop.send(());
    let stopped = tokio::time::timeout(WAIT, task).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
    assert_eq!(fake.statuses("sendMessage"), vec![429, 200]);
    // The last poll confirmed the update it handled.
    let last_poll = fake
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.method == "getUpdates")
        .expect("polled");
    assert!(
        last_poll.params["offset"].as_i64() > Some(0),
        "{last_poll:?}"
    );

    // A question sent while the bot is down waits for the restart; the old one is not
    // answered again.
    fake.user_says(ALICE, "Qwen2.5下载量多少");
    let (stop, task) = run_bot(&fake, &ws);
    let replies = fake.wait_for("sendMessage", 2, WAIT).await;
    assert!(
        text_of(&replies[1]).contains("4000"),
        "{}",
        text_of(&replies[1])
    );
    fake.user_says(ALICE, "/help");
    let replies = fake.wait_for("sendMessage", 3, WAIT).await;
    let answered_first = replies
        .iter()
        .filter(|c| c.params["reply_parameters"]["message_id"] == first)
        .count();
    assert_eq!(answered_first, 1);
    let _ = stop.send(());
    assert!(matches!(
        tokio::time::timeout(WAIT, task).await,
        Ok(Ok(Ok(())))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_being_handled_when_the_process_is_killed_is_lost() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    let serve = || {
        let mut cmd = tokio::process::Command::from(yunqi(&ws));
        cmd.arg("serve")
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", fake.url())
            .kill_on_drop(true)
            .spawn()
            .expect("start serve")
    };
    let mut first = serve();
    fake.wait_for("getUpdates", 1, WAIT).await;
    // The answer waits out a long 429 while the process is killed.
    fake.fail_next("sendMessage", Failure::RetryAfter(60), 1);
    let asked = fake.user_says(ALICE, "含阿量");
    // Killed once the bot has asked for the updates after it: Telegram has forgotten it.
    eventually(WAIT, Duration::from_millis(20), async || {
        let confirmed = fake.calls().iter().any(|c| {
            c.method == "getUpdates" && c.params["offset"].as_i64().is_some_and(|o| o > 1)
        }) && !fake.statuses("sendMessage").is_empty();
        match confirmed {
            true => Ok(()),
            false => Err(format!("not confirmed: {:#?}", fake.calls())),
        }
    })
    .await;
    first.kill().await.expect("kill -9");

    let mut second = serve();
    fake.user_says(ALICE, "Qwen2.5下载量多少");
    let replies = fake.wait_for("sendMessage", 1, WAIT).await;
    assert!(text_of(&replies[0]).contains("4000"));
    assert!(
        replies
            .iter()
            .all(|c| c.params["reply_parameters"]["message_id"] != asked),
        "the killed bot's question came back"
    );
    second.kill().await.expect("kill");
}

#[test]
fn the_bots_errors_print_without_the_token() {
    // What a panic message or an error chain would show. (teloxide's `Bot` itself prints
    // its token with `{:?}`: SECURITY.md says never to log it.)
    let secret = TOKEN.split(':').nth(1).expect("id:secret");
    let error = telegram::BotError::Unreachable(teloxide::RequestError::Io(Arc::new(
        std::io::Error::other("connection refused"),
    )));
    assert!(!format!("{error} {error:?}").contains(secret));
}
