//! The Telegram bot: long polling or a webhook, with a dptree dispatcher, answering in private chats,
//! groups and inline mode by quoting what the answer engine finds.
//!
//! This side only calls `answer::Engine`; the search side knows nothing of Telegram.

pub mod admin;
pub mod commands;
pub mod format;
pub mod handlers;
pub mod messages;
pub mod ops;
pub mod rate_limit;
mod send;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use teloxide::adaptors::throttle::Limits;
use teloxide::adaptors::{DefaultParseMode, Throttle};
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::update_listeners::{webhooks, Polling};
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
    /// The sending limits replies are paced by (Telegram's, by default); a benchmark lifts
    /// them to measure the bot rather than the pacing.
    pub send_limits: Limits,
    /// The timeout of the HTTP client of the `Bot` given to [`run`]: the caller builds
    /// the client with it (see [`api_client`]), and long polling asks Telegram to hold a
    /// `getUpdates` for [`poll_timeout`] of it, so that an idle poll is answered before
    /// the client gives up.
    pub api_timeout: Duration,
}

/// Telegram's documented sending limits: 30 messages a second overall, one a second per
/// chat, and 20 a minute in a group (Throttle's default for groups is 10).
pub fn telegram_send_limits() -> Limits {
    Limits {
        messages_per_min_channel_or_supergroup: 20,
        ..Limits::default()
    }
}

impl Default for BotOptions {
    fn default() -> Self {
        BotOptions {
            questions_per_minute: 20,
            refresh_every: Duration::from_secs(5),
            admins: Vec::new(),
            send_limits: telegram_send_limits(),
            api_timeout: DEFAULT_API_TIMEOUT,
        }
    }
}

/// teloxide's own client timeout for a Bot API request.
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(17);

/// teloxide's client settings (connect timeout, `TCP_NODELAY`) with requests timing out
/// after `timeout`. A request that times out after it was sent is not tried again (see
/// `send.rs`); a poll that times out is, by teloxide, with the same offset, so no update
/// is lost.
pub fn api_client(timeout: Duration) -> reqwest::ClientBuilder {
    teloxide::net::default_reqwest_settings().timeout(timeout)
}

/// How long a long poll asks Telegram to wait for updates, for a client whose requests
/// time out after `api_timeout`: teloxide's ratio (a 10 s poll for its 17 s client), in
/// whole seconds as Telegram takes it, so the answer to an idle poll always comes with
/// time to spare. Below 2 s it is 0: short polling.
pub fn poll_timeout(api_timeout: Duration) -> Duration {
    Duration::from_secs((api_timeout.as_millis() * 10 / 17 / 1000) as u64)
}

#[derive(Debug, thiserror::Error)]
pub enum BotError {
    #[error("Telegram rejected the bot token (check TELOXIDE_TOKEN): {0}")]
    TokenRejected(teloxide::RequestError),
    #[error("cannot reach the Telegram Bot API: {0}")]
    Unreachable(teloxide::RequestError),
    #[error("Telegram refused the webhook {url}: {error}")]
    WebhookRefused {
        url: String,
        error: teloxide::RequestError,
    },
    #[error("the HTTP listener failed: {0}")]
    Listen(std::io::Error),
}

/// How updates reach the bot, and what it serves over HTTP.
pub enum Updates {
    /// Long polling (`getUpdates`; any webhook is deleted first). With a listener, it
    /// serves `/healthz`, `/readyz` and `/metrics` (see [`ops`]).
    Polling { listener: Option<TcpListener> },
    /// Telegram POSTs updates to `webhook.url`, which a reverse proxy forwards to
    /// `listener`; the health and metrics endpoints are served beside it.
    Webhook {
        webhook: Webhook,
        listener: TcpListener,
    },
}

/// Where Telegram delivers updates, and the secret it sends with each.
#[derive(Clone)]
pub struct Webhook {
    /// The public HTTPS URL given to `setWebhook`; its path is the route served.
    pub url: url::Url,
    /// Sent by Telegram in `X-Telegram-Bot-Api-Secret-Token`; requests without it are
    /// refused (401). Replicas behind one URL must share it. Never logged.
    pub secret: WebhookSecret,
}

impl Webhook {
    /// The URL as logs and errors show it: without its path and query, where some put the
    /// bot token to make the URL hard to guess.
    pub fn shown_url(&self) -> String {
        let hidden = self.url.path() != "/" || self.url.query().is_some();
        format!(
            "{}{}",
            self.url.origin().ascii_serialization(),
            if hidden { "/…" } else { "/" }
        )
    }
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.shown_url())
            .field("secret", &self.secret)
            .finish()
    }
}

/// A webhook secret: 1 to 256 of `A-Z a-z 0-9 _ -`, as Telegram requires. Its `Debug`
/// hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret(String);

impl WebhookSecret {
    /// The secret, if Telegram would accept it.
    pub fn new(secret: &str) -> Option<WebhookSecret> {
        let valid = (1..=256).contains(&secret.len())
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        valid.then(|| WebhookSecret(secret.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Checks the token, registers the commands, then answers updates by long polling until
/// `stop` resolves (or Ctrl-C). Handler errors are logged and never stop the bot; failed
/// polls are retried by teloxide.
pub async fn run(
    bot: Bot,
    engine: Arc<Engine>,
    options: BotOptions,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), BotError> {
    let updates = Updates::Polling { listener: None };
    run_with(bot, engine, options, updates, stop).await
}

/// [`run`], with updates arriving as `updates` says. Stopping (`stop`, or Ctrl-C) first
/// turns `/readyz` to 503 and stops taking updates, then waits for the updates being
/// handled to finish (their replies sent), then closes the listener. A webhook stays set
/// on Telegram's side when the bot stops: other replicas may still be serving it, and
/// Telegram keeps updates for a while until one is back.
pub async fn run_with(
    bot: Bot,
    engine: Arc<Engine>,
    options: BotOptions,
    updates: Updates,
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
    if let Updates::Webhook { webhook, .. } = &updates {
        // Every replica sets the same URL and secret: idempotent on Telegram's side.
        bot.set_webhook(webhook.url.clone())
            .secret_token(webhook.secret.expose().to_owned())
            .await
            .map_err(|error| BotError::WebhookRefused {
                url: webhook.shown_url(),
                error,
            })?;
        tracing::info!(url = %webhook.shown_url(), "webhook set");
    }

    let ops = Arc::new(ops::Ops::new(engine.clone()));
    let refresher = tokio::spawn(keep_index_fresh(engine.clone(), options.refresh_every));
    let limiter = Arc::new(RateLimiter::new(
        options.questions_per_minute,
        Duration::from_secs(60),
    ));
    let sender = bot
        .clone()
        .throttle(options.send_limits)
        .parse_mode(ParseMode::Html);
    let mut dispatcher = Dispatcher::builder(
        sender.clone(),
        ops::timed(ops.clone()).chain(handlers::handler_tree()),
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
    .build();
    let shutdown = dispatcher.shutdown_token();
    let stopping = ops.clone();
    let stopper = tokio::spawn(async move {
        tokio::select! {
            () = stop => {}
            interrupted = tokio::signal::ctrl_c() => {
                if let Err(error) = interrupted {
                    tracing::warn!(%error, "cannot listen for Ctrl-C");
                    std::future::pending::<()>().await;
                }
            }
        }
        stopping.set_ready(false);
        tracing::info!("stopping: taking no more updates, finishing those in hand");
        // Refused only while the dispatcher is not running yet: try again until it is.
        loop {
            match shutdown.shutdown() {
                Ok(done) => break done.await,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    });

    let served = match updates {
        Updates::Polling { listener } => {
            let (close, closed) = tokio::sync::oneshot::channel::<()>();
            let server = listener.map(|listener| {
                tokio::spawn(serve_http(listener, ops::router(ops.clone()), async {
                    let _ = closed.await;
                }))
            });
            // As `Dispatcher::dispatch` does, with the poll's timeout fitted to the client's.
            let polling = Polling::builder(sender)
                .timeout(poll_timeout(options.api_timeout))
                .delete_webhook()
                .await
                .build();
            ops.set_ready(true);
            dispatcher
                .dispatch_with_listener(
                    polling,
                    LoggingErrorHandler::with_custom_text("An error from the update listener"),
                )
                .await;
            let _ = close.send(());
            match server {
                Some(server) => server.await.unwrap_or(Ok(())),
                None => Ok(()),
            }
        }
        Updates::Webhook { webhook, listener } => {
            let address = listener.local_addr().map_err(BotError::Listen)?;
            let mut options = webhooks::Options::new(address, webhook.url.clone());
            options.secret_token = Some(webhook.secret.expose().to_owned());
            // The listener that teloxide's axum route feeds; it ends when the route is
            // dropped, which is when the server has closed after `stop`.
            let (updates, stopped, route) = webhooks::axum_no_setup(options);
            let app = route.merge(ops::router(ops.clone()));
            let server = tokio::spawn(serve_http(listener, app, stopped));
            ops.set_ready(true);
            let dispatched = dispatcher
                .try_dispatch_with_listener(
                    updates,
                    LoggingErrorHandler::with_custom_text("webhook listener failed"),
                )
                .await;
            let served = server.await.unwrap_or(Ok(()));
            dispatched.map_err(BotError::Unreachable)?;
            served
        }
    };
    stopper.abort();
    refresher.abort();
    served.map_err(BotError::Listen)?;
    tracing::info!("stopped");
    Ok(())
}

/// Serves `app` on `listener` until `close` resolves, then lets open requests finish.
async fn serve_http(
    listener: TcpListener,
    app: axum::Router,
    close: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(close)
        .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_poll_ends_well_before_the_client_gives_up() {
        assert_eq!(poll_timeout(DEFAULT_API_TIMEOUT), Duration::from_secs(10));
        assert_eq!(poll_timeout(Duration::from_secs(2)), Duration::from_secs(1));
        for secs in 2..=600 {
            let client = Duration::from_secs(secs);
            let poll = poll_timeout(client);
            assert!(poll >= Duration::from_secs(1), "{secs} s: short polling");
            assert!(poll * 17 <= client * 10, "{secs} s: poll {poll:?}");
        }
    }
}
