//! Admin commands: reindex, add an article sent as a document, list, remove, stats.
//! Admins are the numeric user ids of `BOT_ADMINS`; anyone else gets a short refusal and
//! the attempt is logged. Rebuilds run on blocking threads, so questions keep being
//! answered from the old index meanwhile.

use std::sync::Arc;
use std::time::Instant;

use teloxide::dispatching::{HandlerExt, UpdateFilterExt, UpdateHandler};
use teloxide::macros::BotCommands;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{FileId, Me};
use teloxide::utils::command::BotCommands as _;

use super::send::reply_html;
use super::{format, messages, TelegramBot};
use crate::answer::Engine;
use crate::articles::{self, MAX_ARTICLE_BYTES};

/// Commands only admins may use.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase", description = "管理员命令：")]
pub enum AdminCommand {
    /// 从数据目录重建索引
    Reindex,
    /// 添加文章：发送 .md/.txt 文件并在说明里写 /add，或用 /add 回复文件
    Add,
    /// 列出文章
    Articles,
    /// 删除文章（移到回收站）：/remove 文章ID
    Remove(String),
    /// 统计
    Stats,
}

/// The numeric Telegram user ids allowed to administer the bot.
#[derive(Clone, Debug)]
pub struct Admins(pub Arc<Vec<u64>>);

impl Admins {
    pub fn contains(&self, msg: &Message) -> bool {
        msg.from.as_ref().is_some_and(|u| self.0.contains(&u.id.0))
    }
}

/// When the bot started, for `/stats`.
#[derive(Clone, Copy, Debug)]
pub struct StartedAt(pub Instant);

/// A document an admin wants added.
#[derive(Clone, Debug)]
pub struct Upload {
    file_id: FileId,
    file_name: String,
    size: u32,
}

/// What admins can do; anyone else trying it gets [`messages::ADMIN_ONLY`].
pub fn admin_tree() -> UpdateHandler<anyhow::Error> {
    Update::filter_message()
        .branch(
            dptree::filter(|admins: Admins, msg: Message| admins.contains(&msg))
                .branch(dptree::filter_map(upload_in).endpoint(on_upload))
                .branch(
                    dptree::entry()
                        .filter_command::<AdminCommand>()
                        .endpoint(on_command),
                ),
        )
        .branch(dptree::filter(is_admin_request).endpoint(refuse))
}

/// A document with the caption `/add`, or `/add` replying to a document.
fn upload_in(msg: Message, me: Me) -> Option<Upload> {
    let is_add = |text: &str| {
        matches!(
            AdminCommand::parse(text, me.username()),
            Ok(AdminCommand::Add)
        )
    };
    let document = if msg.caption().is_some_and(is_add) {
        msg.document()
    } else if msg.text().is_some_and(is_add) {
        msg.reply_to_message().and_then(|m| m.document())
    } else {
        None
    }?;
    Some(Upload {
        file_id: document.file.id.clone(),
        file_name: document.file_name.clone().unwrap_or_default(),
        size: document.file.size,
    })
}

fn is_admin_request(msg: Message, me: Me) -> bool {
    let text = msg.text().or(msg.caption()).unwrap_or_default();
    AdminCommand::parse(text, me.username()).is_ok()
}

async fn refuse(bot: TelegramBot, msg: Message) -> anyhow::Result<()> {
    let user = msg.from.as_ref().map(|u| u.id.0);
    tracing::warn!(
        ?user,
        text = msg.text().or(msg.caption()).unwrap_or_default(),
        "admin command refused"
    );
    reply_html(&bot, &msg, format::escape(messages::ADMIN_ONLY)).await?;
    Ok(())
}

async fn on_command(
    bot: TelegramBot,
    msg: Message,
    cmd: AdminCommand,
    engine: Arc<Engine>,
    started: StartedAt,
) -> anyhow::Result<()> {
    let reply = match cmd {
        AdminCommand::Reindex => {
            reply_html(&bot, &msg, format::escape(messages::REINDEXING)).await?;
            let worker = engine.clone();
            match tokio::task::spawn_blocking(move || worker.rebuild()).await? {
                Ok(report) if report.problems.is_empty() => messages::reindexed(
                    report.articles,
                    report.passages,
                    report.elapsed.as_millis(),
                ),
                // Files the build skipped are what the admin most needs to hear about.
                Ok(report) => {
                    let data_dir = format!("{}/", engine.data_dir().display());
                    let problems: Vec<String> = report
                        .problems
                        .iter()
                        .map(|p| p.replace(&data_dir, ""))
                        .collect();
                    format!(
                        "{}\n{}",
                        messages::reindexed(
                            report.articles,
                            report.passages,
                            report.elapsed.as_millis()
                        ),
                        messages::skipped_files(&problems)
                    )
                }
                Err(error) => messages::reindex_failed(&error.to_string()),
            }
        }
        AdminCommand::Add => messages::ADD_USAGE.to_owned(),
        AdminCommand::Articles => articles::list(&engine)
            .iter()
            .map(|a| messages::article_line(&a.id, &a.title, a.passages))
            .collect::<Vec<_>>()
            .join("\n"),
        AdminCommand::Remove(id) if id.trim().is_empty() => messages::REMOVE_USAGE.to_owned(),
        AdminCommand::Remove(id) => {
            let id = id.trim().to_owned();
            let removing = id.clone();
            let worker = engine.clone();
            match tokio::task::spawn_blocking(move || articles::remove(&worker, &removing)).await? {
                // Relative to the data directory: the chat needs no server paths.
                Ok((trash, _)) => messages::removed(
                    &id,
                    &trash
                        .strip_prefix(engine.data_dir())
                        .unwrap_or(&trash)
                        .display()
                        .to_string(),
                ),
                Err(error) => messages::not_removed(&error.to_string()),
            }
        }
        AdminCommand::Stats => {
            let s = articles::stats(&engine, started.0.elapsed());
            messages::stats(
                s.articles,
                s.passages,
                s.index_bytes / 1024,
                s.answered,
                s.refused,
                s.uptime.as_secs() / 60,
            )
        }
    };
    // A long article list or many skipped files may not fit in one message.
    for html in format::plain_messages(&reply) {
        reply_html(&bot, &msg, html).await?;
    }
    Ok(())
}

/// Downloads the document, then adds it as an article (checked, saved, indexed).
async fn on_upload(
    bot: TelegramBot,
    msg: Message,
    upload: Upload,
    engine: Arc<Engine>,
) -> anyhow::Result<()> {
    if let Err(too_large) = articles::check_size(&upload.file_name, upload.size.into()) {
        reply_html(
            &bot,
            &msg,
            format::escape(&messages::not_added(&too_large.to_string())),
        )
        .await?;
        return Ok(());
    }
    let bytes = match download(&bot, &upload).await {
        Ok(bytes) => bytes,
        Err(error) => {
            // The admin is told, not left waiting; the details go to the log.
            tracing::warn!(%error, file = %upload.file_name, "document download failed");
            let reason = messages::not_added(&format!("下载文件失败：{error}"));
            reply_html(&bot, &msg, format::escape(&reason)).await?;
            return Ok(());
        }
    };
    let engine = engine.clone();
    let name = upload.file_name.clone();
    let added = tokio::task::spawn_blocking(move || articles::add(&engine, &name, &bytes)).await?;
    let reply = match added {
        Ok(added) => messages::added(&added.title, &added.id, added.passages),
        Err(error) => messages::not_added(&error.to_string()),
    };
    reply_html(&bot, &msg, format::escape(&reply)).await?;
    Ok(())
}

/// getFile, then the download through the bot's API URL.
async fn download(bot: &TelegramBot, upload: &Upload) -> anyhow::Result<Vec<u8>> {
    let file = bot.get_file(upload.file_id.clone()).await?;
    let mut bytes = Vec::with_capacity((file.meta.size as usize).min(MAX_ARTICLE_BYTES));
    bot.download_file(&file.path, &mut bytes).await?;
    Ok(bytes)
}
