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

/// Before the closest passage when the engine is not sure it answers the question.
pub const UNSURE: &str = "不太确定文章是否回答了这个问题，最接近的段落是：";

/// `/ask` with nothing after it.
pub const ASK_USAGE: &str = "用法：/ask 你的问题，例如 /ask 通义千问API调用价格下降了多少";

/// Too many questions from one person in a short time.
/// An unknown command in a private chat: how to ask instead.
pub const UNKNOWN_COMMAND: &str = "没有这个命令。直接发问题给我就行，或者看看 /help。";

/// Telling of a button pressed too often; a pager button asks the engine like a question.
pub const RATE_LIMITED: &str = "问得有点快了，请稍等一分钟再问。";

/// The answer engine failed (the index could not be read).
pub const ENGINE_ERROR: &str = "抱歉，查询暂时出错了，请稍后再试。";

/// The "more" button's question is no longer available (the original message is gone).
pub const MORE_EXPIRED: &str = "这条回答已过期，请重新提问。";

/// The "more" button could not show its passage (Telegram refused the edit).
pub const MORE_FAILED: &str = "暂时无法显示，请稍后再试。";

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

/// Anyone but an admin trying an admin command.
pub const ADMIN_ONLY: &str = "只有管理员可以使用这个命令。";

/// `/add` with no document.
pub const ADD_USAGE: &str =
    "添加文章：发送一个 .md 或 .txt 文件，并在文件说明里写 /add；或者用 /add 回复这样的文件。";

/// `/remove` with no id.
pub const REMOVE_USAGE: &str = "用法：/remove 文章ID（/articles 列出所有文章）";

/// Said while a rebuild runs, so the admin knows it started.
pub const REINDEXING: &str = "正在重建索引……";

pub fn reindexed(articles: usize, passages: usize, millis: u128) -> String {
    format!("索引已重建：{articles} 篇文章，{passages} 个段落，用时 {millis} 毫秒。")
}

/// After `reindexed`, when the build skipped files: one line per file with the reason.
pub fn skipped_files(problems: &[String]) -> String {
    format!(
        "跳过了 {} 个有问题的文件：\n{}",
        problems.len(),
        problems.join("\n")
    )
}

pub fn reindex_failed(reason: &str) -> String {
    format!("重建失败，仍在使用原来的索引：{reason}")
}

pub fn added(title: &str, id: &str, passages: usize) -> String {
    format!("已添加《{title}》（ID：{id}），共 {passages} 个段落，现在就可以提问了。")
}

pub fn not_added(reason: &str) -> String {
    format!("没有添加这个文件：{reason}")
}

pub fn removed(id: &str, trash: &str) -> String {
    format!("已删除文章 {id}（文件移到了 {trash}），索引已重建。")
}

pub fn not_removed(reason: &str) -> String {
    format!("没有删除：{reason}")
}

/// One line of `/articles`.
pub fn article_line(id: &str, title: &str, passages: usize) -> String {
    format!("• {id}：《{title}》，{passages} 个段落")
}

pub fn stats(
    articles: usize,
    passages: usize,
    index_kib: u64,
    answered: u64,
    refused: u64,
    uptime_minutes: u64,
) -> String {
    format!(
        "文章：{articles}\n段落：{passages}\n索引大小：{index_kib} KiB\n\
         启动以来回答 {answered} 个问题，无法回答 {refused} 个\n运行时间：{uptime_minutes} 分钟"
    )
}
