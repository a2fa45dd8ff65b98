//! Every user-facing string of the bot, in one place, so that wording is consistent and
//! tests can assert against the same constants.

/// /start and /help: what the bot knows, how to ask, and examples.
pub const HELP: &str = "你好！我回答关于 <b>2024 云栖大会</b>（阿里云 Apsara Conference）的问题，\
并引用文章中回答问题的原文段落，注明出处。\n\n\
直接发问题给我即可（简体、繁体、英文都可以）。在群里请用 /ask 问题，或 @我 提问；\
在任何聊天里输入 @我的用户名 加问题也可以查询。\n\n\
例如：\n\
• 通义千问API调用价格下降了多少\n\
• 小鹏汽车每年研发投入多少\n\
• 嘉宾们怎么看AGI的发展\n\
• Qwen2.5下载量多少";

/// When no passage answers: polite, with questions that do work.
pub const NO_ANSWER: &str = "抱歉，文章里没有找到能回答这个问题的段落。\n\n\
可以试试这样问：\n\
• 通义千问API调用价格下降了多少\n\
• 今年代表阿里上台的都有谁\n\
• 机器人多久能走进家庭";

/// `/ask` with nothing after it.
pub const ASK_USAGE: &str = "用法：/ask 你的问题，例如 /ask 通义千问API调用价格下降了多少";

/// Too many questions from one person in a short time.
pub const RATE_LIMITED: &str = "问得有点快了，请稍等一分钟再问。";

/// The answer engine failed (the index could not be read).
pub const ENGINE_ERROR: &str = "抱歉，查询暂时出错了，请稍后再试。";

/// The "more" button's question is no longer available (the original message is gone).
pub const MORE_EXPIRED: &str = "这条回答已过期，请重新提问。";

/// Label of the button that shows the next passage: `更多 (2/5)`.
pub fn more_button(next: usize, total: usize) -> String {
    format!("更多 ({next}/{total})")
}

/// Label of the button that shows the previous passage.
pub fn back_button(previous: usize, total: usize) -> String {
    format!("上一条 ({previous}/{total})")
}

/// Inline mode: the title of the hint shown while nothing is typed yet.
pub const INLINE_HINT: &str = "输入关于 2024 云栖大会的问题";
