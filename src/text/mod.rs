//! Text analysis: normalization, Traditional → Simplified conversion, segmentation and
//! the domain lexicon. A leaf module: it knows nothing of indexes, bots or terminals.

mod analyzer;
pub mod lexicon;
mod normalize;

use std::path::PathBuf;

pub use analyzer::{
    is_han, term_positions, Analysis, Analyzer, Concept, QueryTerm, QueryTerms, Token,
};
pub use lexicon::Lexicon;
pub use normalize::{fold_char, Normalizer};

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("cannot read lexicon file {path}: {source}")]
    Lexicon {
        path: PathBuf,
        source: std::io::Error,
    },
}
