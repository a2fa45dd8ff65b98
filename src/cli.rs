//! Command-line definitions. Clap owns every flag, the environment variable behind it and
//! its default, so `--help` tells the whole story and a bad value is a usage error (exit 2).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use yunqi_bot::answer::Script;

#[derive(Debug, Parser)]
#[command(
    name = "yunqi-bot",
    version,
    about = "Answers questions about the 2024 Yunqi (Apsara) Conference by quoting articles"
)]
pub struct Cli {
    #[command(flatten)]
    pub options: Options,
    #[command(subcommand)]
    pub command: Command,
}

/// What every command reads: where the data is and how answers are decided and shown.
#[derive(Debug, Args)]
pub struct Options {
    /// Directory of article files.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "DATA_DIR",
        default_value = "data"
    )]
    pub data_dir: PathBuf,
    /// Directory of the search index.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "INDEX_DIR",
        default_value = "index"
    )]
    pub index_dir: PathBuf,
    /// Script quotes are shown in.
    #[arg(
        long,
        global = true,
        value_name = "SCRIPT",
        env = "ANSWER_SCRIPT",
        value_enum,
        ignore_case = true,
        default_value_t = ScriptArg::Auto
    )]
    pub script: ScriptArg,
    /// The least confidence (0 to 1) for a passage to be quoted as the answer; higher is
    /// stricter (default: the engine's threshold).
    #[arg(
        long,
        global = true,
        value_name = "P",
        env = "MIN_CONFIDENCE",
        value_parser = parse_confidence
    )]
    pub min_confidence: Option<f32>,
}

/// The environment variables clap reads for [`Options`]; an empty one counts as unset.
pub const OPTION_VARS: &[&str] = &["DATA_DIR", "INDEX_DIR", "ANSWER_SCRIPT", "MIN_CONFIDENCE"];

/// The environment variables clap reads for `serve`'s own flags ([`ServeArgs`]); an empty
/// one counts as unset too.
pub const SERVE_VARS: &[&str] = &["WEBHOOK_URL", "LISTEN_ADDR", "TELEGRAM_API_TIMEOUT"];

/// How `serve` receives updates and where it listens.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Receive updates by webhook at this public URL (HTTPS, port 443, 80, 88 or 8443, as
    /// Telegram requires) instead of long polling; needs WEBHOOK_SECRET. Telegram's
    /// requests to it must reach --listen, under the same path.
    #[arg(long, value_name = "URL", env = "WEBHOOK_URL", value_parser = parse_webhook_url)]
    pub webhook: Option<url::Url>,
    /// Address to listen on for the webhook and /healthz, /readyz, /metrics (default
    /// 0.0.0.0:8080 with --webhook; with long polling, health and metrics are served only
    /// when this is given).
    #[arg(long, value_name = "ADDR", env = "LISTEN_ADDR")]
    pub listen: Option<SocketAddr>,
    /// Seconds after which a request to the Bot API is given up (teloxide's default, 17).
    /// Long polling asks Telegram to hold each poll for 10/17 of it, whole seconds, so an
    /// idle poll is answered in time. A send that timed out is not sent again.
    #[arg(
        long,
        value_name = "SECS",
        env = "TELEGRAM_API_TIMEOUT",
        default_value_t = 17,
        value_parser = clap::value_parser!(u64).range(2..=600)
    )]
    pub api_timeout: u64,
}

/// [`Script`] as the command line spells it (the library knows nothing of clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScriptArg {
    /// Simplified for a question written in Simplified, as written otherwise.
    Auto,
    /// Always as written in the article.
    Original,
    /// Always converted to Simplified.
    Simplified,
}

impl From<ScriptArg> for Script {
    fn from(script: ScriptArg) -> Script {
        match script {
            ScriptArg::Auto => Script::Auto,
            ScriptArg::Original => Script::Original,
            ScriptArg::Simplified => Script::Simplified,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rebuild the index from the data directory and print a summary.
    Index,
    /// Answer a question (or, without one, each line of standard input).
    Ask {
        /// How many passages to show at most.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
        top: u16,
        /// One JSON object per question instead of text.
        #[arg(long)]
        json: bool,
        /// The question; the words are joined with spaces, so quotes are optional.
        #[arg(allow_hyphen_values = true, value_parser = parse_question_word)]
        question: Vec<String>,
    },
    /// Score a question set (JSON Lines) and print the figures.
    Eval {
        file: PathBuf,
        /// Passages per question considered for R@K.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
        top: u16,
        /// Also list every question with its confidence and first passage.
        #[arg(long)]
        verbose: bool,
        /// Also print, for thresholds 0 to 0.95, the share of unanswerable questions
        /// refused, of answerable ones answered, and of all handled right.
        #[arg(long)]
        sweep: bool,
        /// Also fit the answer/refuse model to this set and print its weights.
        #[arg(long)]
        fit: bool,
    },
    /// Run the Telegram bot (needs TELOXIDE_TOKEN): long polling, or a webhook.
    Serve(ServeArgs),
    /// Add an article file (.md or .txt, at most 2 MB) to the data directory and reindex.
    Add { file: PathBuf },
    /// Move an article to the data directory's trash folder and reindex.
    Remove {
        /// The article id (its file name without extension; see `articles`).
        id: String,
    },
    /// List the indexed articles: id, title, passages.
    Articles,
}

/// A webhook URL: absolute, http or https (Telegram itself insists on https; a local Bot
/// API server accepts http).
fn parse_webhook_url(text: &str) -> Result<url::Url, String> {
    match url::Url::parse(text.trim()) {
        Ok(url) if matches!(url.scheme(), "https" | "http") && url.host().is_some() => Ok(url),
        Ok(_) => Err(format!("{text:?} is not an http(s) URL")),
        Err(error) => Err(format!("{text:?} is not a URL: {error}")),
    }
}

/// A word of a question given as arguments. A blank one is a slip (`ask ""`, an unset
/// shell variable), not a question worth answering with "no passage answers this".
fn parse_question_word(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("a question cannot be empty".to_owned())
    } else {
        Ok(text.to_owned())
    }
}

/// A confidence threshold: a number from 0 to 1.
fn parse_confidence(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a confidence between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use clap::error::ErrorKind;
    use clap::CommandFactory;

    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("yunqi-bot").chain(args.iter().copied()))
    }

    #[test]
    fn the_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn a_bad_script_is_a_usage_error() {
        let err = parse(&["--script", "cyrillic", "index"]).expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert_eq!(err.exit_code(), 2);
        let cli = parse(&["ask", "--script", "Simplified", "q"]).expect("any case, any place");
        assert_eq!(cli.options.script, ScriptArg::Simplified);
        assert_eq!(Script::from(cli.options.script), Script::Simplified);
    }

    #[test]
    fn confidence_must_lie_between_0_and_1() {
        assert_eq!(parse_confidence(" 0.7 "), Ok(0.7));
        for bad in ["1.5", "-0.1", "strict", ""] {
            assert!(parse_confidence(bad).is_err(), "{bad}");
        }
        let err = parse(&["--min-confidence", "2", "index"]).expect_err("refused");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn serve_takes_a_webhook_url_and_a_listen_address() {
        let cli = parse(&["serve"]).expect("polling by default");
        assert!(matches!(
            cli.command,
            Command::Serve(ServeArgs {
                webhook: None,
                listen: None,
                api_timeout: 17,
            })
        ));
        let cli = parse(&[
            "serve",
            "--webhook",
            "https://bot.example.com/telegram",
            "--listen",
            "127.0.0.1:9000",
        ])
        .expect("valid");
        let Command::Serve(args) = cli.command else {
            panic!("not serve")
        };
        assert_eq!(args.webhook.expect("url").path(), "/telegram");
        assert_eq!(args.listen, Some(SocketAddr::from(([127, 0, 0, 1], 9000))));
        for bad in [
            "bot.example.com/telegram",
            "ftp://bot.example.com/x",
            "https://",
        ] {
            let err = parse(&["serve", "--webhook", bad]).expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
        let err = parse(&["serve", "--listen", "localhost"]).expect_err("needs a port");
        assert_eq!(err.exit_code(), 2);
        let cli = parse(&["serve", "--api-timeout", "3"]).expect("valid");
        assert!(matches!(
            cli.command,
            Command::Serve(ServeArgs { api_timeout: 3, .. })
        ));
        // Below 2 s a poll could not wait at all (see telegram::poll_timeout).
        for bad in ["1", "0", "x", "601"] {
            let err = parse(&["serve", "--api-timeout", bad]).expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn every_serve_variable_is_one_clap_reads() {
        let command = Cli::command();
        let serve = command.find_subcommand("serve").expect("serve");
        let mut read: Vec<String> = serve
            .get_arguments()
            .filter_map(|a| a.get_env())
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        read.sort();
        let mut listed: Vec<&str> = SERVE_VARS.to_vec();
        listed.sort();
        assert_eq!(read, listed);
    }

    #[test]
    fn an_empty_question_is_a_usage_error() {
        for blank in ["", "  ", "\u{3000}"] {
            let err = parse(&["ask", blank]).expect_err("refused");
            assert_eq!(err.kind(), ErrorKind::ValueValidation, "{blank:?}");
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains("cannot be empty"), "{err}");
        }
        assert!(parse(&["ask", "含阿量"]).is_ok());
    }

    #[test]
    fn every_option_variable_is_one_clap_reads() {
        let command = Cli::command();
        let mut read: Vec<String> = command
            .get_arguments()
            .filter_map(|a| a.get_env())
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        read.sort();
        let mut listed: Vec<&str> = OPTION_VARS.to_vec();
        listed.sort();
        assert_eq!(read, listed);
    }
}
