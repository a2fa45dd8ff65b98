//! Admin commands through the bot, end to end against the fake Telegram Bot API: each
//! command for an admin and for anyone else, documents good and bad, and questions
//! answered while a rebuild runs.

mod support;

use std::time::Duration;
use support::running_bot::{RunningBot, WAIT};

use support::{BuildGate, Workspace, HANGZHOU};
use yunqi_bot::articles::MAX_ARTICLE_BYTES;
use yunqi_bot::telegram::{format, messages, BotOptions};

const ADMIN: i64 = 42;
const STRANGER: i64 = 7;

async fn start() -> RunningBot {
    let options = BotOptions {
        admins: vec![ADMIN as u64],
        ..BotOptions::default()
    };
    RunningBot::start(Workspace::with_shipped_data(), options).await
}

fn refusal() -> String {
    format::escape(messages::ADMIN_ONLY)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_work_for_admins_and_are_refused_to_others() {
    let bot = start().await;
    let f = &bot.fake;
    for command in [
        "/reindex",
        "/articles",
        "/stats",
        "/remove 000_93422ca121d765e5",
    ] {
        f.user_says(STRANGER, command);
    }
    let refused = bot.replies_to(STRANGER, 4).await;
    assert!(refused.iter().all(|t| *t == refusal()), "{refused:#?}");

    f.user_says(ADMIN, "/reindex");
    let replies = bot.replies_to(ADMIN, 2).await;
    assert_eq!(replies[0], format::escape(messages::REINDEXING));
    assert!(
        replies[1].starts_with("索引已重建：1 篇文章，46 个段落"),
        "{}",
        replies[1]
    );

    f.user_says(ADMIN, "/articles");
    let replies = bot.replies_to(ADMIN, 3).await;
    assert_eq!(
        replies[2],
        messages::article_line("000_93422ca121d765e5", "阿里雲,後退一步爲的是前進兩步", 46)
    );

    f.user_says(ADMIN, "/stats");
    let replies = bot.replies_to(ADMIN, 4).await;
    assert!(
        replies[3].starts_with("文章：1\n段落：46\n索引大小："),
        "{}",
        replies[3]
    );

    f.user_says(ADMIN, "/remove");
    let replies = bot.replies_to(ADMIN, 5).await;
    assert_eq!(replies[4], format::escape(messages::REMOVE_USAGE));

    // /help lists the admin commands to admins only.
    f.user_says(ADMIN, "/help");
    f.user_says(STRANGER, "/help");
    assert!(bot.replies_to(ADMIN, 6).await[5].contains("/reindex"));
    assert!(!bot.replies_to(STRANGER, 5).await[4].contains("/reindex"));
    assert!(bot.ws.data_dir().join(support::SHIPPED_ARTICLE).exists());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_document_is_answered_and_a_removed_one_is_not() {
    let bot = start().await;
    let f = &bot.fake;
    f.add_file("doc-1", "documents/file_1.md", HANGZHOU.as_bytes());
    f.user_sends_document(ADMIN, "doc-1", "hangzhou.md", Some("/add"));
    let replies = bot.replies_to(ADMIN, 1).await;
    assert_eq!(
        replies[0],
        format::escape(&messages::added("雲棲小鎮", "hangzhou", 1))
    );
    assert!(bot.ws.data_dir().join("hangzhou.md").exists());

    f.user_says(STRANGER, "云栖小镇在哪里");
    let answer = &bot.replies_to(STRANGER, 1).await[0];
    assert!(
        answer.contains("西湖區") || answer.contains("西湖区"),
        "{answer}"
    );

    f.user_says(ADMIN, "/remove hangzhou");
    let replies = bot.replies_to(ADMIN, 2).await;
    assert!(
        replies[1].starts_with("已删除文章 hangzhou"),
        "{}",
        replies[1]
    );
    // Where the file went, relative to the data directory: no server paths in the chat.
    assert!(
        replies[1].contains("（文件移到了 trash/hangzhou.md）"),
        "{}",
        replies[1]
    );
    assert!(bot.ws.data_dir().join("trash/hangzhou.md").exists());
    f.user_says(STRANGER, "云栖小镇在哪里");
    let answer = &bot.replies_to(STRANGER, 2).await[1];
    assert_eq!(*answer, format::escape(messages::NO_ANSWER));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_works_as_a_reply_to_a_document_and_not_for_strangers() {
    let bot = start().await;
    let f = &bot.fake;
    f.add_file("doc-2", "documents/file_2.txt", HANGZHOU.as_bytes());
    let document = f.user_sends_document(ADMIN, "doc-2", "hangzhou.txt", None);
    f.user_replies(ADMIN, "/add", document);
    let replies = bot.replies_to(ADMIN, 1).await;
    assert_eq!(
        replies[0],
        format::escape(&messages::added("雲棲小鎮", "hangzhou", 1))
    );

    f.add_file("doc-3", "documents/file_3.md", HANGZHOU.as_bytes());
    f.user_sends_document(STRANGER, "doc-3", "other.md", Some("/add"));
    assert_eq!(bot.replies_to(STRANGER, 1).await[0], refusal());
    assert!(!bot.ws.data_dir().join("other.md").exists());

    f.user_says(ADMIN, "/add");
    assert_eq!(
        bot.replies_to(ADMIN, 2).await[1],
        format::escape(messages::ADD_USAGE)
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_documents_are_refused_with_a_reason_and_change_nothing() {
    let bot = start().await;
    let f = &bot.fake;
    let files_in_data = || std::fs::read_dir(bot.ws.data_dir()).expect("dir").count();
    let before = files_in_data();
    let cases: [(&str, &[u8], &str); 6] = [
        ("bad-utf8", b"caf\xe9\n", "latin1.md"),
        ("bad-empty", b"", "empty.md"),
        ("bad-headings", "標題\n01\n".as_bytes(), "headings.txt"),
        ("bad-ext", HANGZHOU.as_bytes(), "hangzhou.pdf"),
        ("bad-path", HANGZHOU.as_bytes(), "../escape.md"),
        ("bad-exists", HANGZHOU.as_bytes(), support::SHIPPED_ARTICLE),
    ];
    for (i, (id, bytes, name)) in cases.iter().enumerate() {
        f.add_file(id, &format!("documents/{id}"), bytes);
        f.user_sends_document(ADMIN, id, name, Some("/add"));
        let reply = &bot.replies_to(ADMIN, i + 1).await[i];
        assert!(reply.starts_with("没有添加这个文件："), "{name}: {reply}");
    }
    // Too large: refused from the size Telegram reports, without downloading it.
    f.user_sends_document_of_size(
        ADMIN,
        "huge",
        "huge.md",
        Some("/add"),
        Some(MAX_ARTICLE_BYTES + 1),
    );
    let reply = &bot.replies_to(ADMIN, 7).await[6];
    assert!(reply.contains("limited to 2 MB"), "{reply}");
    assert!(f.calls().iter().all(|c| c.params["file_id"] != "huge"));

    assert_eq!(files_in_data(), before);
    assert!(!bot.ws.root.path().join("escape.md").exists());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_during_a_reindex_are_answered() {
    let options = BotOptions {
        admins: vec![ADMIN as u64],
        // Only /reindex builds here: the refresher would wait at the gate as well.
        refresh_every: Duration::from_secs(3600),
        ..BotOptions::default()
    };
    let bot = RunningBot::start(Workspace::with_shipped_data(), options).await;
    let f = &bot.fake;
    let gate = BuildGate::close(&bot.ws);
    f.user_says(ADMIN, "/reindex");
    assert_eq!(
        bot.replies_to(ADMIN, 1).await[0],
        format::escape(messages::REINDEXING)
    );
    for i in 0..5 {
        f.user_says(STRANGER + i, "通义千问API调用价格下降了多少");
    }
    for i in 0..5 {
        let answer = &bot.replies_to(STRANGER + i, 1).await[0];
        assert!(answer.contains("97%"), "{answer}");
    }
    // The rebuild is held at the gate: every answer above came while it ran.
    assert_eq!(bot.replies_to(ADMIN, 1).await.len(), 1);
    let opened = tokio::time::timeout(WAIT, tokio::task::spawn_blocking(move || gate.open()));
    assert!(
        matches!(opened.await, Ok(Ok(()))),
        "no build was waiting at the gate"
    );
    let done = &bot.replies_to(ADMIN, 2).await[1];
    assert!(done.starts_with("索引已重建：1 篇文章"), "{done}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_that_cannot_be_downloaded_is_reported_to_the_admin() {
    let bot = start().await;
    let f = &bot.fake;
    let before = std::fs::read_dir(bot.ws.data_dir()).expect("dir").count();
    // Never registered with the fake server: getFile fails as Telegram's would.
    f.user_sends_document_of_size(ADMIN, "gone", "gone.md", Some("/add"), Some(100));
    let reply = &bot.replies_to(ADMIN, 1).await[0];
    assert!(reply.starts_with("没有添加这个文件："), "{reply}");
    assert_eq!(
        std::fs::read_dir(bot.ws.data_dir()).expect("dir").count(),
        before
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_article_list_comes_in_several_messages_within_the_limit() {
    const EXTRA: usize = 150;
    let ws = Workspace::with_shipped_data();
    for i in 0..EXTRA {
        ws.write_article(
            &format!("extra-article-{i:03}.md"),
            format!("---\ntitle: 第{i}篇：一個相當長的標題，好讓文章列表超過一條訊息\n---\n第{i}篇文章的正文段落。\n"),
        );
    }
    let options = BotOptions {
        admins: vec![ADMIN as u64],
        ..BotOptions::default()
    };
    let bot = RunningBot::start(ws, options).await;
    bot.fake.user_says(ADMIN, "/articles");
    let mut replies = bot.replies_to(ADMIN, 2).await;
    // Wait for every part: they are sent one after another.
    while !replies
        .last()
        .is_some_and(|r| r.contains("extra-article-149"))
    {
        replies = bot.replies_to(ADMIN, replies.len() + 1).await;
    }
    let listed: usize = replies.iter().map(|r| r.lines().count()).sum();
    assert_eq!(listed, EXTRA + 1);
    assert!(replies
        .iter()
        .all(|r| format::utf16_len(r) <= format::MAX_MESSAGE_UTF16));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reindex_names_the_files_it_skipped() {
    let bot = start().await;
    bot.ws.write_article("broken.md", b"caf\xe9\n");
    bot.fake.user_says(ADMIN, "/reindex");
    let reply = &bot.replies_to(ADMIN, 2).await[1];
    assert!(reply.starts_with("索引已重建：1 篇文章"), "{reply}");
    assert!(
        reply.contains("跳过了 1 个有问题的文件：\nbroken.md is not UTF-8"),
        "{reply}"
    );
    bot.stop().await;
}
