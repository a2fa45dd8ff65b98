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
pub async fn retrying<R>(make: impl Fn() -> R) -> Result<Output<R>, RequestError>
where
    R: Request<Err = RequestError>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match make().send().await {
            Err(RequestError::RetryAfter(wait)) if attempt <= RETRIES_AFTER_429 => {
                tracing::warn!(seconds = wait.seconds(), "Telegram asked to retry later");
                tokio::time::sleep(wait.duration()).await;
            }
            result => return result,
        }
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
