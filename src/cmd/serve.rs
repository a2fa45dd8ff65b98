//! `yunqi-bot serve`: the Telegram bot's process edge. Reads the token and API URL from the
//! configuration, opens the engine, binds the HTTP listener when there is one, and runs the
//! bot on its own tokio runtime (the rest of the binary is synchronous, so `main` stays a
//! plain function).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::ServeArgs;
use crate::config::Config;
use yunqi_bot::telegram::{self, BotOptions, Updates, Webhook};

/// Where a webhook bot listens unless `--listen` says otherwise.
const DEFAULT_LISTEN: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), 8080);

/// `yunqi-bot serve`: runs the Telegram bot until Ctrl-C or SIGTERM, by long polling or,
/// with `--webhook`, by webhook. Needs `TELOXIDE_TOKEN` (and `WEBHOOK_SECRET` for a
/// webhook); `TELOXIDE_API_URL` points it at another Bot API server.
pub fn serve(config: &Config, args: &ServeArgs) -> anyhow::Result<()> {
    let token = config.token.clone().context(
        "TELOXIDE_TOKEN is not set: create a bot with @BotFather and put its token in .env (see README)",
    )?;
    let api_timeout = Duration::from_secs(args.api_timeout);
    let mut client = telegram::api_client(api_timeout);
    if let Some(proxy) = &config.proxy {
        // Neither the URL nor reqwest's error (which may hold it) is shown: a proxy URL may
        // hold a password.
        let proxy = reqwest::Proxy::all(proxy)
            .map_err(|_| anyhow::anyhow!("TELOXIDE_PROXY is not a proxy URL"))?;
        client = client.proxy(proxy);
    }
    let client = client.build().context("cannot set up the HTTP client")?;
    let mut bot = teloxide::Bot::with_client(token, client);
    if let Some(url) = &config.api_url {
        let url = url
            .parse()
            .with_context(|| format!("TELOXIDE_API_URL is not a URL: {url:?}"))?;
        bot = bot.set_api_url(url);
    }
    let webhook = match &args.webhook {
        Some(url) => Some(Webhook {
            url: url.clone(),
            secret: config.webhook_secret.clone().context(
                "--webhook needs WEBHOOK_SECRET, the same on every replica: 1 to 256 characters \
                 of A-Z, a-z, 0-9, _ and - (for example the output of `openssl rand -hex 32`)",
            )?,
        }),
        None => None,
    };
    let engine = Arc::new(super::open_engine(config)?);
    release_freed_memory();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listen = args.listen.or(webhook.as_ref().map(|_| DEFAULT_LISTEN));
        let listener = match listen {
            Some(address) => Some(bind(address).await?),
            None => None,
        };
        let updates = match (webhook, listener) {
            (Some(webhook), Some(listener)) => Updates::Webhook { webhook, listener },
            (_, listener) => Updates::Polling { listener },
        };
        let options = BotOptions {
            api_timeout,
            ..options(config)
        };
        telegram::run_with(bot, engine, options, updates, terminated()).await?;
        Ok(())
    })
}

/// Hands the memory freed while the engine was opened back to the system. Loading the
/// dictionaries frees about as much as it keeps (OpenCC's unused tables, decompression
/// buffers); glibc keeps such memory in the process, where it counts as resident for as
/// long as the bot runs, about 10 MiB of it.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Binds the HTTP listener and says where (with `--listen 127.0.0.1:0`, the port the
/// system chose).
async fn bind(address: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let bound = listener
        .local_addr()
        .context("the listener has no address")?;
    eprintln!("listening on http://{bound}");
    Ok(listener)
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
/// bot's run loop itself.
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
