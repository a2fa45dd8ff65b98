//! yunqi-bot: answers questions about the 2024 Yunqi (Apsara) Conference by quoting the
//! paragraphs of articles that answer them. See ARCHITECTURE.md for the map.
//!
//! The search side (`text`, `corpus`, `search`, `answer`, `eval`) is synchronous and knows
//! nothing of Telegram, terminals or the environment; `config`, `cli` and `cmd` are the edges.

pub mod admin;
pub mod answer;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod corpus;
pub mod eval;
pub mod search;
pub mod telegram;
pub mod text;
