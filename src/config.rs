//! Configuration: `.env` loaded into the environment (by dotenvy), the command line and
//! its environment variables (owned by clap, see `cli`), and the variables only `serve`
//! needs; read once at start-up and passed down. The bot token is kept out of `Debug`.

use std::fmt;
use std::path::PathBuf;

use yunqi_bot::answer::Script;
use yunqi_bot::telegram::WebhookSecret;

use crate::cli::{Options, OPTION_VARS, SERVE_VARS};

/// Everything the commands need from the command line and the environment.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub index_dir: PathBuf,
    /// `TELOXIDE_TOKEN`; only `serve` needs it.
    pub token: Option<String>,
    /// `TELOXIDE_API_URL`: a self-hosted Bot API server, or a fake one in tests.
    pub api_url: Option<String>,
    /// `TELOXIDE_PROXY`: a proxy for every Bot API request, as teloxide's `Bot::new`
    /// honours it (the bot builds its own client, to set its timeout).
    pub proxy: Option<String>,
    /// `BOT_ADMINS`: numeric Telegram user ids.
    pub admins: Vec<u64>,
    /// `WEBHOOK_SECRET`: what Telegram sends with each webhook request; `serve --webhook`
    /// needs it. Kept out of `Debug`.
    pub webhook_secret: Option<WebhookSecret>,
    /// `--script` / `ANSWER_SCRIPT`: which script quotes are shown in.
    pub script: Script,
    /// `--min-confidence` / `MIN_CONFIDENCE`: the answer threshold; `None` for the
    /// engine's default.
    pub min_confidence: Option<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("BOT_ADMINS must be comma-separated numeric Telegram user ids; {0:?} is not one")]
    BadAdmin(String),
    // The value is a secret: never repeated.
    #[error("WEBHOOK_SECRET must be 1 to 256 characters, each A-Z, a-z, 0-9, _ or -")]
    BadWebhookSecret,
}

/// Loads `.env` (if present) into the environment, before clap reads it. Real environment
/// variables win over the file.
pub fn load_env_file() {
    // A missing .env is normal; a malformed one is reported by dotenvy's own error.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            tracing::warn!(error = %e, "ignoring unreadable .env");
        }
    }
    // `DATA_DIR=` (as a copied .env.example may have) has always meant "the default";
    // clap would take it for an empty value. Runs before any other thread exists.
    for name in OPTION_VARS.iter().chain(SERVE_VARS) {
        if std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty()) {
            std::env::remove_var(name);
        }
    }
}

impl Config {
    /// The parsed command line plus the variables only `serve` reads, from any lookup
    /// (the environment, or a map in tests).
    pub fn new(
        options: Options,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let non_empty = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let admins = match non_empty("BOT_ADMINS") {
            Some(list) => parse_admins(&list)?,
            None => Vec::new(),
        };
        let webhook_secret = match non_empty("WEBHOOK_SECRET") {
            Some(secret) => Some(WebhookSecret::new(&secret).ok_or(ConfigError::BadWebhookSecret)?),
            None => None,
        };
        Ok(Config {
            data_dir: options.data_dir,
            index_dir: options.index_dir,
            token: non_empty("TELOXIDE_TOKEN"),
            api_url: non_empty("TELOXIDE_API_URL"),
            proxy: non_empty("TELOXIDE_PROXY"),
            admins,
            webhook_secret,
            script: options.script.into(),
            min_confidence: options.min_confidence,
        })
    }
}

fn parse_admins(list: &str) -> Result<Vec<u64>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| id.parse().map_err(|_| ConfigError::BadAdmin(id.to_owned())))
        .collect()
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("index_dir", &self.index_dir)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("api_url", &self.api_url)
            // A proxy URL may hold a password.
            .field("proxy", &self.proxy.as_ref().map(|_| "<set>"))
            .field("admins", &self.admins)
            .field("webhook_secret", &self.webhook_secret)
            .field("script", &self.script)
            .field("min_confidence", &self.min_confidence)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use clap::Parser;

    use super::*;
    use crate::cli::Cli;

    fn config(args: &[&str], vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let cli = Cli::try_parse_from(["yunqi-bot"].iter().chain(args).chain(&["index"]))
            .expect("valid command line");
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::new(cli.options, |name| map.get(name).cloned())
    }

    #[test]
    fn flags_and_defaults_reach_the_config() {
        // Defaults depend on the test's own environment; flags do not.
        let c = config(&[], &[]).expect("valid");
        assert!(c.token.is_none() && c.admins.is_empty());
        let c = config(
            &[
                "--data-dir",
                "articles",
                "--script",
                "original",
                "--min-confidence",
                "0.7",
            ],
            &[],
        )
        .expect("valid");
        assert_eq!(c.data_dir, PathBuf::from("articles"));
        assert_eq!(c.script, Script::Original);
        assert_eq!(c.min_confidence, Some(0.7));
    }

    #[test]
    fn admins_are_numeric_ids() {
        let c = config(&[], &[("BOT_ADMINS", " 12345, 678 ,")]).expect("valid");
        assert_eq!(c.admins, vec![12345, 678]);
        assert!(matches!(
            config(&[], &[("BOT_ADMINS", "12345,@alice")]),
            Err(ConfigError::BadAdmin(id)) if id == "@alice"
        ));
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let c = config(&[], &[("TELOXIDE_TOKEN", "123:SECRET")]).expect("valid");
        assert_eq!(c.token.as_deref(), Some("123:SECRET"));
        assert!(!format!("{c:?}").contains("SECRET"));
    }

    #[test]
    fn the_webhook_secret_is_checked_and_never_shown() {
        let c = config(&[], &[("WEBHOOK_SECRET", " Hook_SECRET-42 ")]).expect("valid");
        let secret = c.webhook_secret.as_ref().expect("read");
        assert_eq!(secret.expose(), "Hook_SECRET-42");
        assert!(!format!("{c:?}").contains("SECRET-42"));
        for bad in ["with space", "ünicode", &"x".repeat(257)] {
            let err = config(&[], &[("WEBHOOK_SECRET", bad)]).expect_err(bad);
            assert!(matches!(err, ConfigError::BadWebhookSecret));
            assert!(
                !err.to_string().contains(bad),
                "the error repeats the secret"
            );
        }
    }
}
