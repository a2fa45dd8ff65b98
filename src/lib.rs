//! yunqi-bot: answers questions about the 2024 Yunqi (Apsara) Conference by quoting the
//! paragraphs of articles that answer them. See ARCHITECTURE.md for the map.
//!
//! The search side (`text`, `corpus`, `search`, `answer`, `eval`, `articles`) is synchronous
//! and knows nothing of Telegram, terminals or the environment; `telegram` is the bot. The
//! command line (flags, environment, printing) belongs to the binary, not to this library.

pub mod answer;
pub mod articles;
pub mod corpus;
pub mod eval;
pub mod search;
pub mod telegram;
pub mod text;
