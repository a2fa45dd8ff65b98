//! The bot's commands. Their doc comments become the command list Telegram shows (and
//! /help); `setMyCommands` registers them at start-up.

use teloxide::macros::BotCommands;

/// Commands anyone can use.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase", description = "可用的命令：")]
pub enum Command {
    /// 介绍与示例问题
    // Telegram sends `/start PARAMETER` for deep links (t.me/bot?start=…, and the inline
    // hint button); a unit variant would reject the parameter and leave /start unanswered.
    Start(String),
    /// 怎么提问
    Help,
    /// 提问，例如 /ask 通义千问API调用价格下降了多少
    Ask(String),
}

/// Parses `/ask` in the forms `filter_command` does not accept: followed by a full-width
/// space (common with Chinese input methods) or a newline instead of an ASCII space.
/// Returns the question, or `None` when the text is not an `/ask` for this bot.
pub fn loose_ask(text: &str, bot_username: &str) -> Option<String> {
    let rest = text.strip_prefix("/ask")?;
    let rest = match rest.strip_prefix('@') {
        Some(addressed) => {
            let name_end = addressed
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(addressed.len());
            if !addressed[..name_end].eq_ignore_ascii_case(bot_username) {
                return None; // addressed to another bot
            }
            &addressed[name_end..]
        }
        None => rest,
    };
    match rest.chars().next() {
        None => Some(String::new()),
        Some(c) if c.is_whitespace() => Some(rest.trim().to_owned()),
        Some(_) => None, // `/asking` is another command
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_ask_accepts_full_width_spaces_and_newlines() {
        let bot = "yunqi_bot";
        assert_eq!(
            loose_ask("/ask\u{3000}通义千问", bot).as_deref(),
            Some("通义千问")
        );
        assert_eq!(
            loose_ask("/ask\n通义千问\n", bot).as_deref(),
            Some("通义千问")
        );
        assert_eq!(
            loose_ask("/ask@Yunqi_Bot\u{3000}问题", bot).as_deref(),
            Some("问题")
        );
        assert_eq!(loose_ask("/ask", bot).as_deref(), Some(""));
        assert_eq!(loose_ask("/ask@other_bot 问题", bot), None);
        assert_eq!(loose_ask("/asking 问题", bot), None);
        assert_eq!(loose_ask("问题 /ask", bot), None);
    }
}
