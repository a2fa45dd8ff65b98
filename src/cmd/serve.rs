//! `yunqi-bot serve`: the Telegram bot's process edge. Reads the token and API URL from the
//! configuration, opens the engine, and runs the bot on its own tokio runtime (the rest of
//! the binary is synchronous, so `main` stays a plain function).

use std::sync::Arc;

use anyhow::Context;

use crate::config::Config;
use yunqi_bot::telegram::{self, BotOptions};

/// `yunqi-bot serve`: runs the Telegram bot with long polling until Ctrl-C or SIGTERM.
/// Needs `TELOXIDE_TOKEN`; `TELOXIDE_API_URL` points it at another Bot API server.
pub fn serve(config: &Config) -> anyhow::Result<()> {
    let token = config.token.clone().context(
        "TELOXIDE_TOKEN is not set: create a bot with @BotFather and put its token in .env (see README)",
    )?;
    let mut bot = teloxide::Bot::new(token);
    if let Some(url) = &config.api_url {
        let url = url
            .parse()
            .with_context(|| format!("TELOXIDE_API_URL is not a URL: {url:?}"))?;
        bot = bot.set_api_url(url);
    }
    let engine = Arc::new(super::open_engine(config)?);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(telegram::run(bot, engine, options(config), terminated()))?;
    Ok(())
}

/// The bot's options from the configuration: without this, `BOT_ADMINS` would never reach
/// the admin commands.
fn options(config: &Config) -> BotOptions {
    BotOptions {
        admins: config.admins.clone(),
        ..BotOptions::default()
    }
}

/// Resolves on SIGTERM (how service managers stop a process); Ctrl-C is handled by the
/// dispatcher itself.
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await;
}
