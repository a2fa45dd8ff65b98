//! The bot end to end: the real dispatcher and teloxide's real HTTP client against the
//! fake Telegram Bot API server on loopback, on the shipped article.

mod support;

use serde_json::Value;
use support::fake_telegram::{visible_html, Call, Failure, FakeTelegram, BOT_USERNAME, TOKEN};
use support::running_bot::{text_of, RunningBot, WAIT};
use support::{run_args, yunqi, Workspace};
use yunqi_bot::answer::Settings;
use yunqi_bot::telegram::{format, messages, BotOptions};

const ALICE: i64 = 1001;
const GROUP: i64 = -100_777;

async fn start() -> RunningBot {
    RunningBot::start(Workspace::with_shipped_data(), BotOptions::default()).await
}

fn replied_to(call: &Call) -> Option<i64> {
    call.params["reply_parameters"]["message_id"].as_i64()
}

fn button_texts(call: &Call) -> Vec<String> {
    call.params["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["text"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_question_gets_the_quote_with_bold_terms_and_its_citation() {
    let bot = start().await;
    let asked = bot.fake.user_says(ALICE, "通义千问API调用价格下降了多少");
    let reply = bot.nth_reply(1).await;
    assert_eq!(reply.params["chat_id"], ALICE);
    assert_eq!(reply.params["parse_mode"], "HTML");
    assert_eq!(replied_to(&reply), Some(asked));
    let text = text_of(&reply);
    assert!(text.starts_with("<blockquote>"), "{text}");
    assert!(text.contains("<b>") && text.contains("97%"), "{text}");
    assert!(
        text.contains("— 阿里雲,後退一步爲的是前進兩步 · 03 當仁不讓 · ¶"),
        "{text}"
    );
    // Asked in Simplified, quoted in Simplified.
    assert!(visible_html(&text)
        .expect("valid HTML")
        .contains("通义千问API在阿里云百炼上"));
    let commands = bot.fake.wait_for("setMyCommands", 1, WAIT).await;
    let names: Vec<&str> = commands[0].params["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    assert_eq!(names, vec!["start", "help", "ask"]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsure_answer_says_so_before_the_closest_passage() {
    let ws = Workspace::with_shipped_data();
    // Nothing reaches an answer threshold of 1: the best the engine can say is "not sure".
    let engine = ws.engine_with(Settings {
        min_confidence: 1.0,
        min_related: 0.0,
        ..Settings::default()
    });
    let bot = RunningBot::start_with_engine(ws, engine, BotOptions::default()).await;
    bot.fake.user_says(ALICE, "通义千问API调用价格下降了多少");
    let reply = text_of(&bot.nth_reply(1).await);
    let note = format::escape(messages::UNSURE);
    assert!(reply.starts_with(&note), "{reply}");
    assert!(reply.contains("97%"), "{reply}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswerable_question_gets_a_polite_no_with_examples() {
    let bot = start().await;
    bot.fake.user_says(ALICE, "今天天气怎么样");
    let reply = bot.nth_reply(1).await;
    assert_eq!(text_of(&reply), format::escape(messages::NO_ANSWER));
    assert!(button_texts(&reply).is_empty());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_and_help_explain_the_bot() {
    let bot = start().await;
    bot.fake.user_says(ALICE, "/start");
    bot.fake.user_says(ALICE, "/help");
    let replies = bot.fake.wait_for("sendMessage", 2, WAIT).await;
    for reply in &replies {
        assert_eq!(text_of(reply), messages::HELP);
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_groups_only_questions_addressed_to_the_bot_are_answered() {
    let bot = start().await;
    let f = &bot.fake;
    // Chatter, other bots' commands and unknown commands are ignored. One chat's updates
    // are handled in order, so if any of these were answered, the first reply below would
    // not be to the first addressed question.
    f.group_message(GROUP, ALICE, "大家好，今天去云栖大会吗？");
    f.group_message(GROUP, ALICE, "/ask@other_bot 含阿量是什么");
    f.group_message(GROUP, ALICE, "/weather 杭州");

    let addressed = [
        "/ask 含阿量是什么".to_owned(),
        format!("/ask@{BOT_USERNAME} 含阿量是什么"),
        format!("@{BOT_USERNAME} 含阿量是什么"),
        format!("请问@{BOT_USERNAME}含阿量是什么"),
        "/ask\u{3000}含阿量是什么".to_owned(),
        "/ask\n含阿量是什么".to_owned(),
    ];
    let mut asked = Vec::new();
    for (i, text) in addressed.iter().enumerate() {
        asked.push(f.group_message(GROUP, ALICE, text));
        let reply = bot.nth_reply(i + 1).await;
        assert_eq!(replied_to(&reply), Some(asked[i]), "{text}");
        assert!(
            text_of(&reply).contains("含阿量"),
            "{text}: {}",
            text_of(&reply)
        );
    }

    // A reply to the bot's own message is a question too.
    let bot_message = f.successful("sendMessage")[0].result["message_id"]
        .as_i64()
        .expect("id");
    let follow_up = f.group_reply(GROUP, ALICE, "Qwen2.5下载量多少", bot_message);
    let reply = bot.nth_reply(addressed.len() + 1).await;
    assert_eq!(replied_to(&reply), Some(follow_up));
    assert!(text_of(&reply).contains("4000"), "{}", text_of(&reply));

    // `/ask` alone gets the usage hint.
    f.group_message(GROUP, ALICE, "/ask");
    let reply = bot.nth_reply(addressed.len() + 2).await;
    assert_eq!(text_of(&reply), format::escape(messages::ASK_USAGE));
    assert_eq!(
        f.successful("sendMessage").len(),
        addressed.len() + 2,
        "only addressed messages are answered: {:#?}",
        f.calls()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_more_button_pages_through_passages() {
    let bot = start().await;
    let f = &bot.fake;
    f.user_says(ALICE, "阿里云的打法");
    let first = bot.nth_reply(1).await;
    let buttons = button_texts(&first);
    assert_eq!(buttons.len(), 1, "{first:?}");
    assert!(buttons[0].starts_with("更多 (2/"), "{buttons:?}");
    let message_id = first.result["message_id"].as_i64().expect("id");

    f.press_button(ALICE, ALICE, message_id, &format::callback_data(1));
    let edit = &f.wait_for("editMessageText", 1, WAIT).await[0];
    assert_eq!(edit.params["message_id"], message_id);
    // HTML is the bot's default parse mode, for edits as for sends.
    assert_eq!(edit.params["parse_mode"], "HTML");
    assert_ne!(edit.params["text"], first.params["text"]);
    assert!(button_texts(edit)[0].starts_with("上一条 (1/"));
    f.wait_for("answerCallbackQuery", 1, WAIT).await;

    // A button whose question is gone still gets an answer, with a notice.
    f.press_button(ALICE, ALICE, message_id, "p:99");
    let answered = f.wait_for("answerCallbackQuery", 2, WAIT).await;
    assert_eq!(answered[1].params["text"], messages::MORE_EXPIRED);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_more_button_works_for_a_group_question_asked_by_replying_to_the_bot() {
    let bot = start().await;
    let f = &bot.fake;
    f.group_message(GROUP, ALICE, "/ask 含阿量是什么");
    let first = bot.nth_reply(1).await;
    let first_id = first.result["message_id"].as_i64().expect("id");
    // Telegram quotes this reply without its own reply_to_message in the answer to it.
    f.group_reply(GROUP, ALICE, "阿里云的打法", first_id);
    let answer = bot.nth_reply(2).await;
    assert!(
        button_texts(&answer)[0].starts_with("更多 (2/"),
        "{answer:?}"
    );
    let answer_id = answer.result["message_id"].as_i64().expect("id");

    f.press_button(ALICE, GROUP, answer_id, &format::callback_data(1));
    let edit = &f.wait_for("editMessageText", 1, WAIT).await[0];
    assert_eq!(edit.params["message_id"], answer_id);
    assert_ne!(edit.params["text"], answer.params["text"]);
    let answered = &f.wait_for("answerCallbackQuery", 1, WAIT).await[0];
    assert_eq!(answered.params["text"], Value::Null, "{answered:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_button_is_answered_even_when_its_edit_fails() {
    let bot = start().await;
    let f = &bot.fake;
    f.user_says(ALICE, "阿里云的打法");
    let first = bot.nth_reply(1).await;
    let message_id = first.result["message_id"].as_i64().expect("id");
    let more = format::callback_data(1);

    f.press_button(ALICE, ALICE, message_id, &more);
    f.wait_for("answerCallbackQuery", 1, WAIT).await;
    // A double tap: Telegram refuses an edit that changes nothing; nothing to tell.
    f.press_button(ALICE, ALICE, message_id, &more);
    let answers = f.wait_for("answerCallbackQuery", 2, WAIT).await;
    assert_eq!(answers[1].params["text"], Value::Null, "{:?}", answers[1]);
    // Any other refusal: the user hears that it did not work.
    f.fail_next(
        "editMessageText",
        Failure::BadRequest("message to edit not found"),
        1,
    );
    f.press_button(ALICE, ALICE, message_id, &format::callback_data(0));
    let answers = f.wait_for("answerCallbackQuery", 3, WAIT).await;
    assert_eq!(answers[2].params["text"], messages::MORE_FAILED);
    let refused = f.statuses("editMessageText");
    assert_eq!(refused, vec![200, 400, 400]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_queries_offer_quotes_to_send_anywhere() {
    let bot = start().await;
    let f = &bot.fake;
    f.inline_query(ALICE, "Qwen2.5下载量多少");
    let answer = &f.wait_for("answerInlineQuery", 1, WAIT).await[0];
    let results = answer.params["results"].as_array().expect("results");
    assert!((1..=5).contains(&results.len()), "{results:?}");
    let first = &results[0];
    assert_eq!(first["type"], "article");
    assert!(first["title"]
        .as_str()
        .is_some_and(|t| t.starts_with("阿里雲")));
    let content = first["input_message_content"]["message_text"]
        .as_str()
        .expect("text");
    assert!(
        content.contains("<blockquote>") && content.contains("4000"),
        "{content}"
    );
    assert_eq!(first["input_message_content"]["parse_mode"], "HTML");

    assert_eq!(answer.params["button"], Value::Null);

    // Nothing typed yet: no results, a hint that opens a chat with /start.
    f.inline_query(ALICE, "   ");
    let answers = f.wait_for("answerInlineQuery", 2, WAIT).await;
    assert_eq!(answers[1].params["results"], Value::Array(vec![]));
    let button = &answers[1].params["button"];
    assert_eq!(button["text"], messages::INLINE_HINT);
    let start = button["start_parameter"].as_str().expect("a deep link");
    f.user_says(ALICE, &format!("/start {start}"));
    assert_eq!(text_of(&bot.nth_reply(1).await), messages::HELP);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_in_questions_and_articles_is_escaped() {
    let ws = Workspace::with_shipped_data();
    ws.write_article(
        "html.md",
        "---\ntitle: <Tags> & \"Quotes\"\n---\n# <節>\n測試段落：a<b && c>d 的雲棲小鎮展臺位置。\n",
    );
    let bot = RunningBot::start(ws, BotOptions::default()).await;
    bot.fake
        .user_says(ALICE, "<b>云栖小镇</b> & <i>展台</i>在哪");
    let reply = bot.nth_reply(1).await;
    let text = text_of(&reply);
    let shown = visible_html(&text).expect("Telegram can parse it");
    assert!(shown.contains("a<b && c>d"), "{shown}");
    assert!(shown.contains("<Tags> & \"Quotes\" · <節>"), "{shown}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_question_about_a_longer_paragraph_gets_a_reply_cut_to_the_limit() {
    let ws = Workspace::with_shipped_data();
    // One paragraph of about 6000 characters: quoted whole, it would be over the limit.
    let sentence = "雲棲小鎮的長段落展臺展示了通義千問大模型的最新進展。";
    let paragraph = sentence.repeat(6000 / sentence.chars().count());
    ws.write_article("long.md", format!("---\ntitle: 長段落\n---\n{paragraph}\n"));
    let engine = ws.engine_with(Settings {
        min_confidence: 0.0,
        ..Settings::default()
    });
    let bot = RunningBot::start_with_engine(ws, engine, BotOptions::default()).await;
    let question = "云栖小镇的长段落展台在哪".repeat(330);
    assert!(question.chars().count() > 3900);
    bot.fake.user_says(ALICE, &question);
    let reply = bot.nth_reply(1).await;
    let shown = visible_html(&text_of(&reply)).expect("valid");
    let length = format::utf16_len(&shown);
    assert!(length <= format::MAX_MESSAGE_UTF16, "{length}");
    // Cut near the limit at a sentence end, the citation kept.
    assert!(
        length > 3900,
        "{length}: the quote was not the long paragraph"
    );
    assert!(shown.contains("。…\n— 長段落 · ¶1"), "{shown}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_the_first_send_is_waited_out_and_the_answer_delivered() {
    let bot = start().await;
    bot.fake.fail_next("sendMessage", Failure::RetryAfter(1), 1);
    bot.fake.user_says(ALICE, "含阿量");
    let reply = bot.nth_reply(1).await;
    assert!(text_of(&reply).contains("含阿量"));
    let sends = bot.fake.statuses("sendMessage");
    assert_eq!(sends, vec![429, 200]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_an_edit_is_retried_too() {
    let bot = start().await;
    let f = &bot.fake;
    f.user_says(ALICE, "阿里云的打法");
    let first = bot.nth_reply(1).await;
    let message_id = first.result["message_id"].as_i64().expect("id");
    f.fail_next("editMessageText", Failure::RetryAfter(1), 1);
    f.press_button(ALICE, ALICE, message_id, &format::callback_data(1));
    f.wait_for("editMessageText", 1, WAIT).await;
    f.wait_for("answerCallbackQuery", 1, WAIT).await;
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_handler_does_not_stop_the_bot() {
    let bot = start().await;
    // Telegram refuses the first reply for good; the next question is answered.
    bot.fake
        .fail_next("sendMessage", Failure::BadRequest("chat not found"), 1);
    bot.fake.user_says(ALICE, "含阿量");
    bot.fake.user_says(ALICE, "Qwen2.5下载量多少");
    let reply = &bot.fake.wait_for("sendMessage", 1, WAIT).await[0];
    assert!(text_of(reply).contains("4000"));
    let sends = bot.fake.statuses("sendMessage");
    assert_eq!(sends, vec![400, 200]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_502_page_on_a_send_is_tried_again_and_the_answer_delivered_once() {
    let bot = start().await;
    bot.fake.fail_next("sendMessage", Failure::Status(502), 1);
    bot.fake.user_says(ALICE, "含阿量");
    // teloxide waits 10 s after any 5xx before reading the body.
    let reply = &bot.fake.wait_for("sendMessage", 1, WAIT * 2).await[0];
    assert!(text_of(reply).contains("含阿量"));
    // One chat is handled in order: once /help is answered, no retry is left to come.
    bot.fake.user_says(ALICE, "/help");
    bot.fake.wait_for("sendMessage", 2, WAIT).await;
    assert_eq!(bot.fake.statuses("sendMessage"), vec![502, 200, 200]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_goes_on_after_a_502_and_a_429_on_get_updates() {
    let bot = start().await;
    let f = &bot.fake;
    f.fail_next("getUpdates", Failure::Status(502), 1);
    f.fail_next("getUpdates", Failure::RetryAfter(1), 1);
    f.user_says(ALICE, "含阿量");
    // teloxide waits 10 s after any 5xx before reading the body.
    let reply = &f.wait_for("sendMessage", 1, WAIT * 2).await[0];
    assert!(text_of(reply).contains("含阿量"));
    let polls: Vec<u16> = f
        .calls()
        .iter()
        .filter(|c| c.method == "getUpdates" && c.status != 200)
        .map(|c| c.status)
        .collect();
    assert_eq!(polls, vec![502, 429]);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_questions_get_one_polite_notice() {
    let options = BotOptions {
        questions_per_minute: 2,
        ..BotOptions::default()
    };
    let bot = RunningBot::start(Workspace::with_shipped_data(), options).await;
    for _ in 0..4 {
        bot.fake.user_says(ALICE, "含阿量");
    }
    // Commands are not limited, and one chat's updates are handled in order: once /help
    // is answered, the fourth question has been handled too.
    bot.fake.user_says(ALICE, "/help");
    let replies = bot.fake.wait_for("sendMessage", 4, WAIT).await;
    assert_eq!(text_of(&replies[2]), format::escape(messages::RATE_LIMITED));
    assert_eq!(
        text_of(&replies[3]),
        messages::HELP,
        "the fourth question is silently dropped"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_a_rejected_token_fails_clearly_without_leaking_it() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    let wrong_token = "999:WRONG-secret-token";
    let output = tokio::process::Command::from(yunqi(&ws))
        .arg("serve")
        .env("TELOXIDE_TOKEN", wrong_token)
        .env("TELOXIDE_API_URL", fake.url())
        .env("RUST_LOG", "trace")
        .output();
    let output = tokio::time::timeout(WAIT, output)
        .await
        .expect("exits")
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Telegram rejected the bot token"),
        "{stderr}"
    );
    assert!(!stderr.contains("WRONG-secret"), "token leaked: {stderr}");
    assert!(!stderr.contains(TOKEN));
    let me = fake.calls();
    assert_eq!(me[0].method, "getMe");
    assert_eq!(me[0].status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_and_stops_gracefully_on_sigterm() {
    let ws = Workspace::with_shipped_data();
    let fake = FakeTelegram::start().await;
    let mut child = tokio::process::Command::from(yunqi(&ws))
        .arg("serve")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", fake.url())
        .env("BOT_ADMINS", ALICE.to_string())
        .env("RUST_LOG", "trace")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start serve");
    // Read the log as it comes, so a full pipe never blocks the bot.
    let mut stderr = child.stderr.take().expect("piped");
    let log = tokio::spawn(async move {
        let mut log = Vec::new();
        let _ = tokio::io::AsyncReadExt::read_to_end(&mut stderr, &mut log).await;
        String::from_utf8_lossy(&log).into_owned()
    });
    // Failures whose errors get logged, at trace level, with the URLs they involve.
    fake.fail_next("getUpdates", Failure::Hangup, 1);
    fake.fail_next("sendMessage", Failure::RetryAfter(1), 1);
    fake.user_says(ALICE, "含阿量");
    let reply = &fake.wait_for("sendMessage", 1, WAIT).await[0];
    assert!(text_of(reply).contains("含阿量"));
    // BOT_ADMINS from the environment reaches the admin commands.
    fake.user_says(ALICE, "/stats");
    let stats = &fake.wait_for("sendMessage", 2, WAIT).await[1];
    assert_ne!(text_of(stats), format::escape(messages::ADMIN_ONLY));
    assert!(text_of(stats).contains("段落："), "{}", text_of(stats));

    let pid = child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .expect("stops")
        .expect("status");
    assert!(status.success(), "{status:?}");
    let log = log.await.expect("log read");
    assert!(log.contains("connected to Telegram"), "{log}");
    assert!(!log.contains(TOKEN), "the token is in the log");
    let secret = TOKEN.split(':').nth(1).expect("id:secret");
    assert!(!log.contains(secret), "the token's secret is in the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_that_cannot_reach_telegram_says_so_without_leaking_the_token() {
    let ws = Workspace::with_shipped_data();
    // A port nothing listens on: bound, then freed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", closed.local_addr().expect("addr"));
    drop(closed);
    let output = tokio::process::Command::from(yunqi(&ws))
        .arg("serve")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", url)
        .env("RUST_LOG", "trace")
        .output();
    let output = tokio::time::timeout(WAIT * 2, output)
        .await
        .expect("exits")
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot reach the Telegram Bot API"),
        "{stderr}"
    );
    let secret = TOKEN.split(':').nth(1).expect("id:secret");
    assert!(!stderr.contains(secret), "token leaked: {stderr}");
}

#[test]
fn serve_without_a_token_says_how_to_get_one() {
    let ws = Workspace::with_shipped_data();
    let output = run_args(&ws, &["serve"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TELOXIDE_TOKEN is not set") && stderr.contains("@BotFather"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_command_in_a_private_chat_gets_a_hint() {
    let bot = start().await;
    bot.fake.user_says(ALICE, "/foo");
    let reply = bot.nth_reply(1).await;
    assert_eq!(text_of(&reply), format::escape(messages::UNKNOWN_COMMAND));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_from_other_bots_are_ignored() {
    let bot = start().await;
    let f = &bot.fake;
    let other_bot = 555;
    f.bot_message(GROUP, other_bot, "/ask 含阿量是什么");
    f.bot_message(GROUP, other_bot, &format!("@{BOT_USERNAME} 含阿量是什么"));
    f.bot_message(GROUP, other_bot, "/help");
    // One chat's updates are handled in order: the first reply would be to a bot.
    let asked = f.group_message(GROUP, ALICE, "/ask 含阿量是什么");
    let reply = bot.nth_reply(1).await;
    assert_eq!(replied_to(&reply), Some(asked));
    assert_eq!(f.successful("sendMessage").len(), 1, "{:#?}", f.calls());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_question_asks_nothing_new() {
    let options = BotOptions {
        questions_per_minute: 1,
        ..BotOptions::default()
    };
    let bot = RunningBot::start(Workspace::with_shipped_data(), options).await;
    let f = &bot.fake;
    let asked = f.user_says(ALICE, "含阿量");
    bot.nth_reply(1).await;
    for question in ["Qwen2.5下载量多少", "通义千问API调用价格下降了多少"] {
        f.user_edits(ALICE, asked, question);
    }
    // Commands are not limited and one chat is handled in order: after /help's reply,
    // the edits have been seen, and none was answered.
    f.user_says(ALICE, "/help");
    let replies = bot.replies_to(ALICE, 2).await;
    assert_eq!(replies[1], messages::HELP, "{replies:#?}");
    // The edits did not use up the limit either: the next question is limited, once.
    f.user_says(ALICE, "Qwen2.5下载量多少");
    let replies = bot.replies_to(ALICE, 3).await;
    assert_eq!(replies[2], format::escape(messages::RATE_LIMITED));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_and_inline_queries_count_against_the_question_limit() {
    let options = BotOptions {
        questions_per_minute: 2,
        ..BotOptions::default()
    };
    let bot = RunningBot::start(Workspace::with_shipped_data(), options).await;
    let f = &bot.fake;
    f.user_says(ALICE, "阿里云的打法");
    let first = bot.nth_reply(1).await;
    let message_id = first.result["message_id"].as_i64().expect("id");
    f.press_button(ALICE, ALICE, message_id, &format::callback_data(1));
    f.wait_for("answerCallbackQuery", 1, WAIT).await;
    // The third question of the minute, as a button: refused with a notice, no edit.
    f.press_button(ALICE, ALICE, message_id, &format::callback_data(2));
    let answers = f.wait_for("answerCallbackQuery", 2, WAIT).await;
    assert_eq!(answers[1].params["text"], messages::RATE_LIMITED);
    assert_eq!(f.successful("editMessageText").len(), 1);

    // Inline queries share the same limit: nothing more for Alice this minute.
    f.inline_query(ALICE, "Qwen2.5下载量多少");
    let inline = f.wait_for("answerInlineQuery", 1, WAIT).await;
    assert_eq!(inline[0].params["results"], Value::Array(vec![]));
    // Bob is limited on his own: an inline query of his is answered.
    let bob = 1002;
    f.inline_query(bob, "Qwen2.5下载量多少");
    let inline = f.wait_for("answerInlineQuery", 2, WAIT).await;
    assert!(inline[1].params["results"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));
    bot.stop().await;
}
