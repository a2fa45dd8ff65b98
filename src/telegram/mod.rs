//! The Telegram bot: long polling with a dptree dispatcher, answering in private chats,
//! groups and inline mode by quoting what the answer engine finds.
//!
//! This side only calls `answer::Engine`; the search side knows nothing of Telegram.

pub mod admin;
pub mod commands;
pub mod format;
pub mod handlers;
pub mod messages;
pub mod rate_limit;
mod send;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::{DefaultParseMode, Throttle};
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::utils::command::BotCommands;

use crate::answer::Engine;
use commands::Command;
use rate_limit::RateLimiter;

/// The bot as handlers see it: sends are queued to stay within Telegram's rate limits, and
/// every text is HTML unless a request says otherwise.
pub type TelegramBot = DefaultParseMode<Throttle<Bot>>;

/// How the bot behaves, beyond what the engine decides.
#[derive(Clone, Debug)]
pub struct BotOptions {
    /// Questions one user may ask per minute.
    pub questions_per_minute: usize,
    /// How often to look for an index rebuilt by another process or a changed data dir.
    pub refresh_every: Duration,
    /// Numeric Telegram user ids allowed to use admin commands.
    pub admins: Vec<u64>,
}

impl Default for BotOptions {
    fn default() -> Self {
        BotOptions {
            questions_per_minute: 20,
            refresh_every: Duration::from_secs(5),
            admins: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("Telegram rejected the bot token (check TELOXIDE_TOKEN): {0}")]
    TokenRejected(teloxide::RequestError),
    #[error("cannot reach the Telegram Bot API: {0}")]
    Unreachable(teloxide::RequestError),
}

/// Checks the token, registers the commands, then answers updates until `stop` resolves
/// (or Ctrl-C). Handler errors are logged and never stop the bot; failed polls are
/// retried by teloxide.
pub async fn run(
    bot: Bot,
    engine: Arc<Engine>,
    options: BotOptions,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BotError> {
    // Telegram answers a bad token with 401 or 404: any API error here means the token.
    let me = bot.get_me().await.map_err(|e| match e {
        teloxide::RequestError::Api(_) => BotError::TokenRejected(e),
        other => BotError::Unreachable(other),
    })?;
    tracing::info!(username = %me.username(), "connected to Telegram");
    // Telegram wants command names without the slash that teloxide's list includes.
    let commands = Command::bot_commands().into_iter().map(|mut c| {
        c.command = c.command.trim_start_matches('/').to_owned();
        c
    });
    if let Err(error) = bot.set_my_commands(commands).await {
        tracing::warn!(%error, "could not register the command list");
    }

    let refresher = tokio::spawn(keep_index_fresh(engine.clone(), options.refresh_every));
    let limits = Limits {
        // Telegram documents 20 messages a minute in a group; Throttle defaults to 10.
        messages_per_min_channel_or_supergroup: 20,
        ..Limits::default()
    };
    let limiter = Arc::new(RateLimiter::new(
        options.questions_per_minute,
        Duration::from_secs(60),
    ));
    let mut dispatcher = Dispatcher::builder(
        bot.throttle(limits).parse_mode(ParseMode::Html),
        handlers::handler_tree(),
    )
    .dependencies(dptree::deps![
        engine,
        limiter,
        admin::Admins(Arc::new(options.admins.clone())),
        admin::StartedAt(std::time::Instant::now())
    ])
    .default_handler(|update| async move {
        tracing::trace!(?update.id, "update ignored");
    })
    .error_handler(LoggingErrorHandler::with_custom_text("handler failed"))
    .enable_ctrlc_handler()
    .build();
    let shutdown = dispatcher.shutdown_token();
    tokio::spawn(async move {
        stop.await;
        // Fails only if the dispatcher is not running yet or already stopping.
        if let Ok(done) = shutdown.shutdown() {
            done.await;
        }
    });
    dispatcher.dispatch().await;
    refresher.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Adopts an index that `yunqi-bot index` published, or rebuilds when the data directory
/// changed behind the bot's back, so a restart is never needed.
async fn keep_index_fresh(engine: Arc<Engine>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        let engine = engine.clone();
        let checked = tokio::task::spawn_blocking(move || {
            let adopted = engine.refresh()?;
            let rebuilt = engine.rebuild_if_stale()?;
            Ok::<_, crate::search::SearchError>((adopted, rebuilt))
        })
        .await;
        match checked {
            Ok(Ok((true, _))) => tracing::info!("switched to an index built elsewhere"),
            Ok(Ok((_, Some(report)))) => {
                tracing::info!(
                    articles = report.articles,
                    passages = report.passages,
                    "data changed; index rebuilt"
                )
            }
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::warn!(%error, "index refresh failed; still serving the old one")
            }
            Err(error) => tracing::warn!(%error, "index refresh task failed"),
        }
    }
}
