//! Command-line definitions. Flags override the environment (see `config`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "yunqi-bot",
    version,
    about = "Answers questions about the 2024 Yunqi (Apsara) Conference by quoting articles"
)]
pub struct Cli {
    /// Directory of article files (default: $DATA_DIR, else `data`).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory of the search index (default: $INDEX_DIR, else `index`).
    #[arg(long, global = true, value_name = "DIR")]
    pub index_dir: Option<PathBuf>,
    /// Script quotes are shown in: auto (the asker's), original or simplified
    /// (default: $ANSWER_SCRIPT, else auto).
    #[arg(long, global = true, value_name = "SCRIPT")]
    pub script: Option<String>,
    /// The least confidence (0 to 1) for a passage to be quoted as the answer; higher is
    /// stricter (default: $MIN_CONFIDENCE, else the engine's default).
    #[arg(long, global = true, value_name = "P", value_parser = parse_confidence)]
    pub min_confidence: Option<f32>,
    #[command(subcommand)]
    pub command: Command,
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
        #[arg(allow_hyphen_values = true)]
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
    /// Run the Telegram bot (needs TELOXIDE_TOKEN).
    Serve,
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

/// A confidence threshold: a number from 0 to 1.
pub fn parse_confidence(text: &str) -> Result<f32, String> {
    match text.trim().parse::<f32>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a confidence between 0 and 1")),
    }
}
