//! Text analysis: normalization, Traditional → Simplified conversion, segmentation,
//! pinyin, an English glossary, the domain lexicon and the names and terms the articles
//! introduce. A leaf module: it knows nothing of indexes, bots or terminals.

mod discover;
mod english;
pub mod lexicon;
mod normalize;
mod pinyin;
mod question;
mod segment;
mod stem;

use std::path::PathBuf;

pub use discover::{discover, Discovered};
pub use english::Glossary;
pub use lexicon::{AnswerType, Lexicon};
pub use normalize::{fold_char, Normalizer};
pub use pinyin::Syllables;
pub use question::{QueryTerm, QueryTerms, Unit};
pub use segment::{is_han, term_positions, Analyzer, TermBuffer, TermFinder, TermKind, Token};

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("cannot read lexicon file {path}: {source}")]
    Lexicon {
        path: PathBuf,
        source: std::io::Error,
    },
}
