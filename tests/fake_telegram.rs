//! The fake Bot API in tests/support is only worth its tests if it is as strict as
//! Telegram: a table of requests, sent with teloxide's real client, and the status each
//! must get. Each limit is shown from both sides, so a fake that accepted everything (or
//! refused everything) would fail here.

mod support;

use support::fake_telegram::FakeTelegram;
use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResult, InlineQueryResultArticle,
    InputMessageContent, InputMessageContentText, MessageId, ParseMode, ReplyParameters,
};

const CHAT: i64 = 1001;

enum Request {
    Html(String),
    Button(String),
    InlineResults(usize),
    /// A reply to the user's message, or to one that does not exist.
    ReplyTo {
        existing: bool,
    },
    WrongToken,
}

async fn send(fake: &FakeTelegram, request: Request) -> u16 {
    let bot = fake.bot();
    let result = match request {
        Request::Html(text) => bot
            .send_message(ChatId(CHAT), text)
            .parse_mode(ParseMode::Html)
            .await
            .map(drop),
        Request::Button(data) => bot
            .send_message(ChatId(CHAT), "x")
            .reply_markup(InlineKeyboardMarkup::new([[
                InlineKeyboardButton::callback("more", data),
            ]]))
            .await
            .map(drop),
        Request::InlineResults(n) => {
            let results: Vec<InlineQueryResult> = (0..n)
                .map(|i| {
                    let content = InputMessageContentText::new(format!("result {i}"));
                    InlineQueryResultArticle::new(
                        format!("r{i}"),
                        "title",
                        InputMessageContent::Text(content),
                    )
                    .into()
                })
                .collect();
            bot.answer_inline_query("iq-1".into(), results)
                .await
                .map(drop)
        }
        Request::ReplyTo { existing } => {
            let asked = fake.user_says(CHAT, "hello");
            let target = if existing { asked } else { asked + 10_000 };
            let target = MessageId(i32::try_from(target).expect("small id"));
            bot.send_message(ChatId(CHAT), "reply")
                .reply_parameters(ReplyParameters::new(target))
                .await
                .map(drop)
        }
        Request::WrongToken => {
            let url = fake.url().parse().expect("url");
            teloxide::Bot::new("1:wrong")
                .set_api_url(url)
                .get_me()
                .await
                .map(drop)
        }
    };
    // The status is what the fake recorded; the client's view must agree.
    let status = fake.calls().last().expect("a call was made").status;
    assert_eq!(result.is_ok(), status == 200, "{result:?}");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_bot_api_refuses_what_telegram_refuses() {
    let fake = FakeTelegram::start().await;
    let table: Vec<(&str, Request, u16)> = vec![
        (
            "balanced tags",
            Request::Html("<b>a <i>b</i></b> &lt;c&gt;".into()),
            200,
        ),
        ("unclosed tag", Request::Html("<b>a".into()), 400),
        ("crossed tags", Request::Html("<b><i>a</b></i>".into()), 400),
        ("stray end tag", Request::Html("a</b>".into()), 400),
        ("unknown tag", Request::Html("<div>a</div>".into()), 400),
        ("unknown entity", Request::Html("a &nbsp; b".into()), 400),
        ("bare <", Request::Html("a < b".into()), 400),
        ("4096 visible", Request::Html("雲".repeat(4096)), 200),
        (
            "4096 visible, tags aside",
            Request::Html(format!("<b>{}</b>", "&amp;".repeat(4096))),
            200,
        ),
        ("4097 visible", Request::Html("雲".repeat(4097)), 400),
        (
            "4097 UTF-16 units",
            Request::Html(format!("{}🙂", "a".repeat(4095))),
            400,
        ),
        ("empty text", Request::Html("<b> </b>".into()), 400),
        (
            "64-byte callback data",
            Request::Button("p".repeat(64)),
            200,
        ),
        (
            "65-byte callback data",
            Request::Button("p".repeat(65)),
            400,
        ),
        ("50 inline results", Request::InlineResults(50), 200),
        ("51 inline results", Request::InlineResults(51), 400),
        (
            "reply to a message",
            Request::ReplyTo { existing: true },
            200,
        ),
        (
            "reply to a missing message",
            Request::ReplyTo { existing: false },
            400,
        ),
        ("wrong token", Request::WrongToken, 401),
    ];
    let mut wrong = Vec::new();
    for (name, request, expected) in table {
        let status = send(&fake, request).await;
        if status != expected {
            wrong.push(format!("{name}: {status}, expected {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
