//! The handler tree and its handlers: plain async functions that get their state injected
//! and only call the answer engine.

use std::sync::Arc;

use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{
    InlineQueryResult, InlineQueryResultArticle, InlineQueryResultsButton,
    InlineQueryResultsButtonKind, InputMessageContent, InputMessageContentText, Me,
};
use teloxide::utils::command::BotCommands;
use teloxide::{ApiError, RequestError};

use super::admin::{AdminCommand, Admins};
use super::commands::{self, Command};
use super::format;
use super::messages;
use super::rate_limit::{RateLimiter, Verdict};
use super::send::{edit_html, reply_html, reply_with_keyboard, retrying, with_optional};
use super::TelegramBot;
use crate::answer::{Answer, Engine, Quote, Verdict as AnswerVerdict};

/// Passages an answer pages through with its buttons (and inline results it offers).
pub const PASSAGES_PER_ANSWER: usize = 5;
/// The deep-link parameter of the inline hint's button (`/start inline`).
const INLINE_START_PARAMETER: &str = "inline";

/// A question found in a message (a newtype, so the handler tree can inject it).
#[derive(Clone, Debug)]
pub struct Question(pub String);

/// The whole bot: admin commands first, then commands, questions in messages, the
/// pager's buttons and inline queries.
pub fn handler_tree() -> UpdateHandler<anyhow::Error> {
    // Other bots are ignored outright: two bots answering each other would loop, and a
    // bot is no one's admin.
    dptree::filter(|update: Update| !update.from().is_some_and(|u| u.is_bot))
        .branch(super::admin::admin_tree())
        .branch(
            Update::filter_message()
                .branch(
                    dptree::entry()
                        .filter_command::<Command>()
                        .endpoint(on_command),
                )
                .branch(
                    dptree::filter_map(|msg: Message, me: Me| question_in(&msg, &me))
                        .endpoint(on_question),
                )
                .branch(dptree::filter(is_private_command).endpoint(on_unknown_command)),
        )
        .branch(Update::filter_callback_query().endpoint(on_button))
        .branch(Update::filter_inline_query().endpoint(on_inline_query))
}

/// The question a message asks the bot, if it asks one. In a private chat every text
/// is a question; in a group only `/ask`, a mention of the bot (also glued to Chinese
/// text, which Telegram does not mark as a mention) and a reply to the bot's own message.
pub fn question_in(msg: &Message, me: &Me) -> Option<Question> {
    let text = msg.text()?.trim();
    let username = me.username();
    if let Some(question) = commands::loose_ask(text, username) {
        return Some(Question(question));
    }
    if text.starts_with('/') {
        return None; // another command, or one addressed to another bot
    }
    if msg.chat.is_private() {
        return Some(Question(text.to_owned()));
    }
    if let Some(question) = without_mention(text, username) {
        return Some(Question(question));
    }
    let replies_to_us = msg
        .reply_to_message()
        .and_then(|original| original.from.as_ref())
        .is_some_and(|author| author.id == me.id);
    replies_to_us.then(|| Question(text.to_owned()))
}

/// `text` without `@username` (matched case-insensitively), if it mentions it.
fn without_mention(text: &str, username: &str) -> Option<String> {
    let mention = format!("@{}", username.to_lowercase());
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths outside ASCII; only trust a match that maps
    // back onto the same bytes.
    let at = lower.find(&mention).filter(|_| lower.len() == text.len())?;
    let end = at + mention.len();
    let glued_name = text[end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    if glued_name {
        return None; // @yunqi_bot_fan is someone else
    }
    Some(
        format!("{} {}", &text[..at], &text[end..])
            .trim()
            .to_owned(),
    )
}

async fn on_command(
    bot: TelegramBot,
    msg: Message,
    cmd: Command,
    engine: Arc<Engine>,
    limiter: Arc<RateLimiter>,
    admins: Admins,
) -> anyhow::Result<()> {
    match cmd {
        Command::Start(_) | Command::Help => {
            let mut help = messages::HELP.to_owned();
            if admins.contains(&msg) {
                help.push_str("\n\n");
                help.push_str(&format::escape(&AdminCommand::descriptions().to_string()));
            }
            reply_html(&bot, &msg, help).await?;
            Ok(())
        }
        Command::Ask(question) => answer(&bot, &msg, &question, &engine, &limiter).await,
    }
}

/// A command in a private chat that nothing above took: someone new trying things out.
fn is_private_command(msg: Message) -> bool {
    msg.chat.is_private() && msg.text().is_some_and(|t| t.trim_start().starts_with('/'))
}

async fn on_unknown_command(bot: TelegramBot, msg: Message) -> anyhow::Result<()> {
    reply_html(&bot, &msg, format::escape(messages::UNKNOWN_COMMAND)).await?;
    Ok(())
}

async fn on_question(
    bot: TelegramBot,
    msg: Message,
    question: Question,
    engine: Arc<Engine>,
    limiter: Arc<RateLimiter>,
) -> anyhow::Result<()> {
    answer(&bot, &msg, &question.0, &engine, &limiter).await
}

/// Replies to `msg` with the best passage for `question` and a pager, or says why not.
async fn answer(
    bot: &TelegramBot,
    msg: &Message,
    question: &str,
    engine: &Engine,
    limiter: &RateLimiter,
) -> anyhow::Result<()> {
    let question = question.trim();
    if question.is_empty() {
        reply_html(bot, msg, format::escape(messages::ASK_USAGE)).await?;
        return Ok(());
    }
    let asker = msg.from.as_ref().map_or(msg.chat.id.0 as u64, |u| u.id.0);
    match limiter.check(asker) {
        Verdict::Allowed => {}
        Verdict::LimitedNotify => {
            reply_html(bot, msg, format::escape(messages::RATE_LIMITED)).await?;
            return Ok(());
        }
        Verdict::LimitedQuiet => return Ok(()),
    }
    let (text, keyboard) = match ask(engine, question) {
        Some(answer) => match answer.quotes().first() {
            Some(first) => (
                page_html(&answer, first),
                format::pager(0, answer.quotes().len()),
            ),
            None => (format::escape(messages::NO_ANSWER), None),
        },
        None => (format::escape(messages::ENGINE_ERROR), None),
    };
    reply_with_keyboard(bot, msg, text, keyboard).await?;
    Ok(())
}

/// One quote of an answer as a message: as the answer, or hedged when the engine is
/// not sure.
fn page_html(answer: &Answer, quote: &Quote) -> String {
    match answer.verdict {
        AnswerVerdict::Unsure => format::unsure_html(quote),
        _ => format::passage_html(quote),
    }
}

/// Asks the engine; `None` (logged) if it failed. The search takes about a millisecond,
/// so it runs right here rather than on a blocking thread.
fn ask(engine: &Engine, question: &str) -> Option<Answer> {
    match engine.ask(question, PASSAGES_PER_ANSWER) {
        Ok(answer) => Some(answer),
        Err(error) => {
            tracing::error!(%error, "answer engine failed");
            None
        }
    }
}

/// A pager button: edits the answer to show another passage of the same question.
async fn on_button(
    bot: TelegramBot,
    query: CallbackQuery,
    me: Me,
    engine: Arc<Engine>,
    limiter: Arc<RateLimiter>,
) -> anyhow::Result<()> {
    // Each page asks the engine again, so a press counts as a question: buttons are no
    // way around the limit. The notice is a toast, so it is shown every time.
    let notice = if limiter.check(query.from.id.0) == Verdict::Allowed {
        match show_page(&bot, &query, &me, &engine).await {
            Ok(true) => None,
            Ok(false) => Some(messages::MORE_EXPIRED),
            // A double tap asks for the page already shown: nothing to tell the user.
            Err(RequestError::Api(ApiError::MessageNotModified)) => None,
            Err(error) => {
                tracing::warn!(%error, "could not show the requested passage");
                Some(messages::MORE_FAILED)
            }
        }
    } else {
        Some(messages::RATE_LIMITED)
    };
    // Always answer, even after a failed edit, or the user's client shows a spinner until
    // it times out.
    retrying(|| {
        let answer = bot.answer_callback_query(query.id.clone());
        with_optional(answer, notice, |answer, text| answer.text(text))
    })
    .await?;
    Ok(())
}

/// Edits the pressed answer to show the passage its button asks for; `false` when the
/// question or the passage is gone.
async fn show_page(
    bot: &TelegramBot,
    query: &CallbackQuery,
    me: &Me,
    engine: &Engine,
) -> Result<bool, RequestError> {
    let index = query.data.as_deref().and_then(format::parse_callback_data);
    let message = query.regular_message();
    let question = message
        .and_then(|m| m.reply_to_message())
        .and_then(|original| answered_question(original, me));
    let (Some(index), Some(message), Some(question)) = (index, message, question) else {
        return Ok(false);
    };
    let Some(answer) = ask(engine, &question.0) else {
        return Ok(false);
    };
    let Some(passage) = answer.quotes().get(index) else {
        return Ok(false);
    };
    let text = page_html(&answer, passage);
    let keyboard = format::pager(index, answer.quotes().len());
    edit_html(bot, message.chat.id, message.id, text, keyboard).await?;
    Ok(true)
}

/// The question of a message the bot has answered. Telegram drops the `reply_to_message`
/// of a message quoted as a reply, so a group question asked by replying to the bot no
/// longer looks addressed to it here; the bot answered it, so its text is the question.
fn answered_question(original: &Message, me: &Me) -> Option<Question> {
    question_in(original, me).or_else(|| {
        let text = original.text()?.trim();
        (!text.is_empty() && !text.starts_with('/')).then(|| Question(text.to_owned()))
    })
}

/// Inline mode: up to five passages as articles to send into any chat.
async fn on_inline_query(
    bot: TelegramBot,
    query: InlineQuery,
    engine: Arc<Engine>,
    limiter: Arc<RateLimiter>,
) -> anyhow::Result<()> {
    let question = query.query.trim();
    let passages = if question.is_empty() || limiter.check(query.from.id.0) != Verdict::Allowed {
        Vec::new()
    } else {
        ask(&engine, question)
            .filter(|a| a.answered)
            .map(|a| a.passages)
            .unwrap_or_default()
    };
    let results: Vec<InlineQueryResult> = passages
        .iter()
        .take(PASSAGES_PER_ANSWER.min(format::MAX_INLINE_RESULTS))
        .enumerate()
        .map(|(i, p)| {
            let content = InputMessageContentText::new(format::passage_html(p));
            InlineQueryResultArticle::new(
                format!("{i}-{}", p.paragraph),
                format::inline_title(p),
                InputMessageContent::Text(content),
            )
            .description(format::snippet(p))
            .into()
        })
        .collect();
    // Nothing typed yet: a button above the (empty) results opens a private chat with
    // /start, which explains what to ask.
    let hint = question.is_empty().then(|| InlineQueryResultsButton {
        text: messages::INLINE_HINT.to_owned(),
        kind: InlineQueryResultsButtonKind::StartParameter(INLINE_START_PARAMETER.to_owned()),
    });
    retrying(|| {
        let answer = bot
            .answer_inline_query(query.id.clone(), results.clone())
            .cache_time(60)
            .is_personal(false);
        with_optional(answer, hint.clone(), |answer, button| answer.button(button))
    })
    .await?;
    Ok(())
}
