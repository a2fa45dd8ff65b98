//! Sending to Telegram, for the handlers and the admin commands alike: replies and edits
//! with an optional keyboard, and every request tried again when Telegram answers 429.
//! Text is HTML: the bot's requests carry HTML as their parse mode by default
//! (teloxide's `DefaultParseMode`), so nothing here sets it.

use teloxide::prelude::*;
use teloxide::requests::{Output, Request};
use teloxide::types::{InlineKeyboardMarkup, MessageId, ReplyParameters};
use teloxide::RequestError;

use super::TelegramBot;

/// How often a request Telegram answered with 429 is tried again after waiting.
const RETRIES_AFTER_429: usize = 3;
/// How often a request that certainly did not reach Telegram is tried again.
const RETRIES_AFTER_FAILURE: usize = 2;
/// The wait before trying again a request that could not connect.
const RECONNECT_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Replies to `msg` with `html` (already escaped).
pub async fn reply_html(
    bot: &TelegramBot,
    msg: &Message,
    html: String,
) -> Result<Message, RequestError> {
    reply_with_keyboard(bot, msg, html, None).await
}

/// Replies to `msg` with `html`, and under it `keyboard` if there is one.
pub async fn reply_with_keyboard(
    bot: &TelegramBot,
    msg: &Message,
    html: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    retrying(|| {
        let send = bot
            .send_message(msg.chat.id, html.clone())
            .reply_parameters(ReplyParameters::new(msg.id).allow_sending_without_reply());
        with_optional(send, keyboard.clone(), |send, k| send.reply_markup(k))
    })
    .await
}

/// Replaces the text of the bot's message `id` in `chat` with `html`, and its keyboard
/// with `keyboard` if there is one.
pub async fn edit_html(
    bot: &TelegramBot,
    chat: ChatId,
    id: MessageId,
    html: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    retrying(|| {
        let edit = bot.edit_message_text(chat, id, html.clone());
        with_optional(edit, keyboard.clone(), |edit, k| edit.reply_markup(k))
    })
    .await
}

/// `request` with `set` applied when there is a `value`: an optional keyboard, button or
/// notice, which teloxide's builders only take as a value.
pub fn with_optional<R, T>(request: R, value: Option<T>, set: impl FnOnce(R, T) -> R) -> R {
    match value {
        Some(value) => set(request, value),
        None => request,
    }
}

/// Sends a request, and when Telegram answers 429 waits the time it asks for and tries
/// again. teloxide's Throttle adaptor does this for `send_*` only; edits, callback and
/// inline answers need it too.
///
/// A request that certainly did not reach Telegram is tried again as well: one that could
/// not connect, and one answered by a proxy's error page (a 5xx with an HTML body, after
/// which teloxide has already waited 10 s). One that timed out or lost its connection
/// after it was sent is not: Telegram may have acted on it, and it offers no way to
/// send a message only once, so a retry could answer twice.
pub async fn retrying<R>(make: impl Fn() -> R) -> Result<Output<R>, RequestError>
where
    R: Request<Err = RequestError>,
{
    let mut throttled = 0;
    let mut failed = 0;
    loop {
        match make().send().await {
            Err(RequestError::RetryAfter(wait)) if throttled < RETRIES_AFTER_429 => {
                throttled += 1;
                tracing::warn!(seconds = wait.seconds(), "Telegram asked to retry later");
                tokio::time::sleep(wait.duration()).await;
            }
            Err(error) if never_reached_telegram(&error) && failed < RETRIES_AFTER_FAILURE => {
                failed += 1;
                tracing::warn!(%error, "request did not reach Telegram; trying again");
                if matches!(error, RequestError::Network(_)) {
                    tokio::time::sleep(RECONNECT_WAIT).await;
                }
            }
            result => return result,
        }
    }
}

/// Whether a failed request surely never reached the Bot API: no connection, or an
/// answer that is not the Bot API's JSON (a proxy's error page).
fn never_reached_telegram(error: &RequestError) -> bool {
    match error {
        RequestError::Network(error) => error.is_connect(),
        RequestError::InvalidJson { raw, .. } => {
            serde_json::from_str::<serde_json::Value>(raw).is_err()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_setting_is_applied_only_when_present() {
        let set = |request: Vec<u8>, value: u8| [request, vec![value]].concat();
        assert_eq!(with_optional(vec![1], Some(2), set), vec![1, 2]);
        assert_eq!(with_optional(vec![1], None, set), vec![1]);
    }
}
