//! Administering articles through the library and the CLI, on real files: adding,
//! refusing bad files without changing anything, removing to the trash, and rebuilding
//! while questions are being answered.

mod support;

use std::path::Path;
use std::sync::Arc;

use support::{run_args, Workspace, HANGZHOU, SHIPPED_ARTICLE};
use yunqi_bot::answer::Engine;
use yunqi_bot::articles::{self, ArticleError, MAX_ARTICLE_BYTES};

/// File names in a directory, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn live_generation(ws: &Workspace) -> String {
    std::fs::read_to_string(ws.index_dir().join("CURRENT")).expect("CURRENT")
}

fn answered_from(engine: &Engine, question: &str) -> Option<String> {
    let answer = engine.ask(question, 3).expect("ask");
    answer.passages.first().map(|p| p.article.clone())
}

#[test]
fn an_added_article_is_answered_right_away() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    assert_eq!(answered_from(&engine, "云栖小镇在哪里"), None);
    let added = articles::add(&engine, "hangzhou.md", HANGZHOU.as_bytes()).expect("added");
    assert_eq!(
        (added.id.as_str(), added.title.as_str(), added.passages),
        ("hangzhou", "雲棲小鎮", 1)
    );
    assert_eq!(
        answered_from(&engine, "云栖小镇在哪里").as_deref(),
        Some("hangzhou")
    );
    let ids: Vec<String> = articles::list(&engine).into_iter().map(|a| a.id).collect();
    assert_eq!(ids, vec!["000_93422ca121d765e5", "hangzhou"]);
}

#[test]
fn bad_files_are_refused_and_change_nothing() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let data_before = listing(&ws.data_dir());
    let generation_before = live_generation(&ws);
    let too_large = "段落。".repeat(MAX_ARTICLE_BYTES / 9 + 1);
    let cases: Vec<(&str, &[u8])> = vec![
        ("latin1.txt", b"caf\xe9 au lait\n"),
        ("empty.md", b""),
        ("headings.md", "標題\n01\n".as_bytes()),
        ("large.md", too_large.as_bytes()),
        ("notes.pdf", HANGZHOU.as_bytes()),
        ("../escape.md", HANGZHOU.as_bytes()),
        ("sub/dir.md", HANGZHOU.as_bytes()),
        (SHIPPED_ARTICLE, HANGZHOU.as_bytes()),
        ("000_93422ca121d765e5.txt", HANGZHOU.as_bytes()),
    ];
    for (name, bytes) in cases {
        let err = articles::add(&engine, name, bytes).expect_err(name);
        let expected = match name {
            "latin1.txt" | "empty.md" | "headings.md" => matches!(err, ArticleError::Invalid(_)),
            "large.md" => matches!(err, ArticleError::TooLarge { .. }),
            "notes.pdf" => matches!(err, ArticleError::BadExtension(_)),
            "../escape.md" | "sub/dir.md" => matches!(err, ArticleError::BadName(_)),
            _ => matches!(err, ArticleError::Exists(_)),
        };
        assert!(expected, "{name}: {err}");
        // The admin reads this in the chat: it names the file and says what is wrong.
        let message = err.to_string();
        let (subject, reason) = match name {
            "latin1.txt" => ("latin1.txt", "not UTF-8"),
            "empty.md" => ("empty.md", "is empty"),
            "headings.md" => ("headings.md", "no paragraphs"),
            "large.md" => ("large.md", "limited to 2 MB"),
            "notes.pdf" => ("notes.pdf", "only .md and .txt"),
            "../escape.md" | "sub/dir.md" => (name, "without folders"),
            _ => ("000_93422ca121d765e5", "already exists"),
        };
        assert!(
            message.contains(subject) && message.contains(reason),
            "{name}: {message}"
        );
    }
    assert_eq!(listing(&ws.data_dir()), data_before);
    assert_eq!(live_generation(&ws), generation_before);
    assert!(!ws.root.path().join("escape.md").exists());
    assert!(engine.ask("含阿量", 1).expect("ask").answered);
}

#[test]
fn a_removed_article_goes_to_the_trash_and_is_no_longer_answered() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    articles::add(&engine, "hangzhou.md", HANGZHOU.as_bytes()).expect("added");
    let (trashed, report) = articles::remove(&engine, "hangzhou").expect("removed");
    assert_eq!(report.articles, 1);
    assert_eq!(trashed, ws.data_dir().join("trash/hangzhou.md"));
    assert_eq!(std::fs::read_to_string(&trashed).expect("kept"), HANGZHOU);
    assert!(!ws.data_dir().join("hangzhou.md").exists());
    assert_eq!(answered_from(&engine, "云栖小镇在哪里"), None);

    // Adding and removing it again keeps both removed copies.
    articles::add(&engine, "hangzhou.md", HANGZHOU.as_bytes()).expect("added again");
    let (second, _) = articles::remove(&engine, "hangzhou").expect("removed again");
    assert_ne!(second, trashed);
    assert_eq!(listing(&ws.data_dir().join("trash")).len(), 2);

    assert!(matches!(
        articles::remove(&engine, "nope"),
        Err(ArticleError::UnknownArticle(_))
    ));
    assert!(matches!(
        articles::remove(&engine, "000_93422ca121d765e5"),
        Err(ArticleError::LastArticle(_))
    ));
    assert!(ws.data_dir().join(SHIPPED_ARTICLE).exists());
}

#[test]
fn questions_asked_during_rebuilds_are_all_answered() {
    let ws = Workspace::with_shipped_data();
    let engine = Arc::new(ws.engine());
    let rebuilder = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            for _ in 0..5 {
                engine.rebuild().expect("rebuild");
            }
        })
    };
    let mut asked = 0;
    while !rebuilder.is_finished() || asked < 50 {
        let answer = engine.ask("通义千问API调用价格下降了多少", 1).expect("ask");
        assert!(answer.answered && answer.passages[0].text.contains("97%"));
        asked += 1;
    }
    rebuilder.join().expect("rebuilder");
}

#[test]
fn concurrent_rebuilds_are_serialized_and_leave_a_complete_live_generation() {
    let ws = Workspace::with_shipped_data();
    let engine = Arc::new(ws.engine());
    let builders: Vec<_> = (0..3)
        .map(|_| {
            let engine = engine.clone();
            std::thread::spawn(move || engine.rebuild().map(|r| r.passages))
        })
        .collect();
    for builder in builders {
        assert_eq!(builder.join().expect("thread").expect("rebuild"), 46);
    }
    let live = live_generation(&ws);
    assert!(ws
        .index_dir()
        .join(live.trim())
        .join("manifest.json")
        .exists());
    // Replaced generations wait out a grace period before they are removed; no build
    // directory is left behind.
    let listed = listing(&ws.index_dir());
    assert!(
        listed.iter().all(|n| !n.starts_with("build-")),
        "{listed:?}"
    );
}

#[test]
fn the_cli_adds_lists_and_removes_articles() {
    let ws = Workspace::with_shipped_data();
    let file = ws.root.path().join("hangzhou.md");
    std::fs::write(&file, HANGZHOU).expect("write");
    let out = run_args(&ws, &["add", file.to_str().expect("utf-8 path")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("added hangzhou (雲棲小鎮): 1 passages"));

    let out = run_args(&ws, &["articles"]);
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        listed.contains("hangzhou\t雲棲小鎮\t1 passages"),
        "{listed}"
    );

    let bad = ws.root.path().join("bad.md");
    std::fs::write(&bad, b"\xff\xfe").expect("write");
    let out = run_args(&ws, &["add", bad.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));

    let huge = ws.root.path().join("huge.md");
    std::fs::write(&huge, vec![b'a'; MAX_ARTICLE_BYTES + 1]).expect("write");
    let out = run_args(&ws, &["add", huge.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limited to 2 MB"));
    assert!(!ws.data_dir().join("huge.md").exists());

    let out = run_args(&ws, &["remove", "hangzhou"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ws.data_dir().join("trash/hangzhou.md").exists());
}

#[test]
fn cli_index_while_an_engine_runs_is_picked_up_without_a_restart() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    ws.write_article("hangzhou.md", HANGZHOU);
    let out = run_args(&ws, &["index"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        engine.refresh().expect("refresh"),
        "the new generation is adopted"
    );
    assert_eq!(
        answered_from(&engine, "云栖小镇在哪里").as_deref(),
        Some("hangzhou")
    );
}

#[test]
fn an_existing_name_is_refused_and_the_old_file_kept_byte_for_byte() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    articles::add(&engine, "hangzhou.md", HANGZHOU.as_bytes()).expect("added");
    let other = "---\ntitle: 另一篇\n---\n這是另一篇文章的正文段落，內容完全不同。\n";
    for name in ["hangzhou.md", "hangzhou.txt"] {
        let err = articles::add(&engine, name, other.as_bytes()).expect_err(name);
        assert!(
            matches!(err, ArticleError::Exists(ref id) if id == "hangzhou"),
            "{err}"
        );
    }
    let kept = std::fs::read_to_string(ws.data_dir().join("hangzhou.md")).expect("kept");
    assert_eq!(kept, HANGZHOU);
    assert!(!ws.data_dir().join("hangzhou.txt").exists());
    assert_eq!(
        answered_from(&engine, "云栖小镇在哪里").as_deref(),
        Some("hangzhou")
    );
}

#[test]
fn a_failed_reindex_keeps_the_old_index_answering_and_says_why() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let generation_before = live_generation(&ws);
    // Someone takes the only article out of the data directory by hand.
    let aside = ws.root.path().join(SHIPPED_ARTICLE);
    std::fs::rename(ws.data_dir().join(SHIPPED_ARTICLE), &aside).expect("move aside");
    let err = engine.rebuild().expect_err("nothing left to index");
    assert!(
        err.to_string().contains("nothing could be indexed"),
        "{err}"
    );
    assert_eq!(live_generation(&ws), generation_before);
    assert!(engine.ask("含阿量", 1).expect("ask").answered);
}

#[test]
fn a_remove_whose_rebuild_fails_puts_the_file_back() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    articles::add(&engine, "hangzhou.md", HANGZHOU.as_bytes()).expect("added");
    let generation_before = live_generation(&ws);
    // The index still holds both articles, but only hangzhou.md is left on disk, so the
    // rebuild after removing it has nothing to index and fails.
    std::fs::rename(
        ws.data_dir().join(SHIPPED_ARTICLE),
        ws.root.path().join(SHIPPED_ARTICLE),
    )
    .expect("move aside");
    let err = articles::remove(&engine, "hangzhou").expect_err("rebuild fails");
    assert!(
        err.to_string().contains("nothing could be indexed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(ws.data_dir().join("hangzhou.md")).expect("put back"),
        HANGZHOU
    );
    assert_eq!(listing(&ws.data_dir().join("trash")), Vec::<String>::new());
    assert_eq!(live_generation(&ws), generation_before);
    assert_eq!(
        answered_from(&engine, "云栖小镇在哪里").as_deref(),
        Some("hangzhou")
    );
}
