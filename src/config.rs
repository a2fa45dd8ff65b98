//! Configuration: the environment (with `.env` loaded by dotenvy), overridden by flags,
//! read once at start-up and passed down. The bot token is kept out of `Debug` output.

use std::fmt;
use std::path::PathBuf;

use crate::answer::Script;

/// Everything the commands need from the environment.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub index_dir: PathBuf,
    /// `TELOXIDE_TOKEN`; only `serve` needs it.
    pub token: Option<String>,
    /// `TELOXIDE_API_URL`: a self-hosted Bot API server, or a fake one in tests.
    pub api_url: Option<String>,
    /// `BOT_ADMINS`: numeric Telegram user ids.
    pub admins: Vec<u64>,
    /// `ANSWER_SCRIPT`: which script quotes are shown in.
    pub script: Script,
    /// `MIN_CONFIDENCE`: the answer threshold; `None` for the engine's default.
    pub min_confidence: Option<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("BOT_ADMINS must be comma-separated numeric Telegram user ids; {0:?} is not one")]
    BadAdmin(String),
    #[error("ANSWER_SCRIPT: {0}")]
    BadScript(String),
    #[error("MIN_CONFIDENCE: {0}")]
    BadConfidence(String),
}

impl Config {
    /// Reads `.env` (if present) and the environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        // A missing .env is normal; a malformed one is reported by dotenvy's own error.
        if let Err(e) = dotenvy::dotenv() {
            if !e.not_found() {
                tracing::warn!(error = %e, "ignoring unreadable .env");
            }
        }
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds a config from any variable lookup (the environment, or a map in tests).
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let non_empty = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let admins = match non_empty("BOT_ADMINS") {
            Some(list) => parse_admins(&list)?,
            None => Vec::new(),
        };
        let script = match non_empty("ANSWER_SCRIPT") {
            Some(s) => s.parse().map_err(ConfigError::BadScript)?,
            None => Script::Auto,
        };
        let min_confidence = match non_empty("MIN_CONFIDENCE") {
            Some(p) => Some(crate::cli::parse_confidence(&p).map_err(ConfigError::BadConfidence)?),
            None => None,
        };
        Ok(Config {
            data_dir: non_empty("DATA_DIR").map_or_else(|| "data".into(), PathBuf::from),
            index_dir: non_empty("INDEX_DIR").map_or_else(|| "index".into(), PathBuf::from),
            token: non_empty("TELOXIDE_TOKEN"),
            api_url: non_empty("TELOXIDE_API_URL"),
            admins,
            script,
            min_confidence,
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
            .field("admins", &self.admins)
            .field("script", &self.script)
            .field("min_confidence", &self.min_confidence)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let c = config(&[]).expect("valid");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert_eq!(c.index_dir, PathBuf::from("index"));
        assert!(c.token.is_none() && c.admins.is_empty());
    }

    #[test]
    fn admins_are_numeric_ids() {
        let c = config(&[("BOT_ADMINS", " 12345, 678 ,")]).expect("valid");
        assert_eq!(c.admins, vec![12345, 678]);
        assert!(
            matches!(config(&[("BOT_ADMINS", "12345,@alice")]), Err(ConfigError::BadAdmin(id)) if id == "@alice")
        );
    }

    #[test]
    fn min_confidence_is_a_number_between_0_and_1() {
        let c = config(&[("MIN_CONFIDENCE", "0.7")]).expect("valid");
        assert_eq!(c.min_confidence, Some(0.7));
        assert!(config(&[]).expect("valid").min_confidence.is_none());
        for bad in ["1.5", "-0.1", "strict"] {
            assert!(
                matches!(
                    config(&[("MIN_CONFIDENCE", bad)]),
                    Err(ConfigError::BadConfidence(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let c = config(&[("TELOXIDE_TOKEN", "123:SECRET")]).expect("valid");
        assert!(!format!("{c:?}").contains("SECRET"));
    }
}
