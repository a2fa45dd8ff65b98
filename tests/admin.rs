//! Admin operations end to end on real files: adding, removing and reindexing articles
//! through the library and the `yunqi-bot` binary, with questions answered meanwhile.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};

use support::{repo_path, Workspace, SHIPPED_ARTICLE};
use yunqi_bot::admin::{self, AdminError, MAX_ARTICLE_BYTES, TRASH_DIR};
use yunqi_bot::answer::Engine;

/// Answered by the shipped article.
const SHIPPED_QUESTION: &str = "2024年雲棲大會主會場第一天有幾位嘉賓上臺發言";
/// Answered only by the fixture article `mascot.md`.
const MASCOT_QUESTION: &str = "阿雲貓是誰設計的";
const MASCOT_ID: &str = "mascot";

fn mascot() -> Vec<u8> {
    std::fs::read(repo_path("tests/fixtures/mascot.md")).expect("read fixture")
}

/// True when the best passage for `question` comes from article `id`.
fn answered_from(engine: &Engine, question: &str, id: &str) -> bool {
    let answer = engine.ask(question, 3).expect("ask");
    answer.answered && answer.passages.first().is_some_and(|p| p.article == id)
}

/// Every file under `dir` with its bytes, to show that a refused change changed nothing.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, files);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                files.insert(path.strip_prefix(root).expect("inside").to_owned(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

/// Runs the real binary on the workspace, isolated from the caller's environment.
fn run(ws: &Workspace, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yunqi-bot"))
        .current_dir(ws.root.path())
        .env_remove("DATA_DIR")
        .env_remove("INDEX_DIR")
        .env_remove("RUST_LOG")
        .arg("--data-dir")
        .arg(ws.data_dir())
        .arg("--index-dir")
        .arg(ws.index_dir())
        .args(args)
        .output()
        .expect("run yunqi-bot")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_bad_document_is_refused_and_changes_nothing() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let before = snapshot(&ws.data_dir());
    let generation = engine.index().generation().to_owned();
    let shipped_id = SHIPPED_ARTICLE.trim_end_matches(".md");

    let mut too_large = mascot();
    too_large.resize(MAX_ARTICLE_BYTES as usize + 1, b'\n');
    let cases: Vec<(String, Vec<u8>, &str)> = vec![
        (
            "latin1.md".into(),
            b"caf\xe9 au lait\n".to_vec(),
            "not UTF-8",
        ),
        ("empty.md".into(), Vec::new(), "is empty"),
        ("blank.txt".into(), b"\n  \n".to_vec(), "is empty"),
        (
            "headings.md".into(),
            "---\ntitle: 只有標題\n---\n# 第一節\n## 第二節\n".into(),
            "no paragraphs",
        ),
        ("huge.md".into(), too_large, "limit is 2097152 bytes"),
        ("article.pdf".into(), mascot(), "only .md and .txt"),
        ("../escape.md".into(), mascot(), "plain file name"),
        ("lexicon/x.md".into(), mascot(), "plain file name"),
        ("..".into(), mascot(), "plain file name"),
        (SHIPPED_ARTICLE.into(), mascot(), "already exists"),
        // Another extension would still collide on the article id.
        (format!("{shipped_id}.txt"), mascot(), "already exists"),
    ];
    for (name, bytes, reason) in cases {
        let err = admin::add_article(&engine, &name, &bytes)
            .expect_err(&format!("{name:?} must be refused"))
            .to_string();
        assert!(
            err.contains(reason),
            "{name:?}: {err:?} should say {reason:?}"
        );
        assert_eq!(
            snapshot(&ws.data_dir()),
            before,
            "{name:?} changed the data dir"
        );
        assert_eq!(
            engine.index().generation(),
            generation,
            "{name:?} reindexed"
        );
        assert!(answered_from(&engine, SHIPPED_QUESTION, shipped_id));
    }
    assert!(!ws.root.path().join("escape.md").exists());
}

#[test]
fn an_added_article_is_answered_at_once() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    assert!(!engine.ask(MASCOT_QUESTION, 3).expect("ask").answered);

    let added = admin::add_article(&engine, "mascot.md", &mascot()).expect("add");
    assert_eq!(added.id, MASCOT_ID);
    assert_eq!(added.title, "雲棲小鎮的吉祥物");
    assert_eq!(added.passages, 2);
    assert_eq!(added.report.articles, 2);
    assert!(answered_from(&engine, MASCOT_QUESTION, MASCOT_ID));
    assert_eq!(
        std::fs::read(ws.data_dir().join("mascot.md")).expect("saved"),
        mascot()
    );
    let listed: Vec<(String, usize)> = admin::articles(&engine)
        .into_iter()
        .map(|a| (a.id, a.passages))
        .collect();
    assert!(listed.contains(&(MASCOT_ID.to_owned(), 2)), "{listed:?}");

    // Adding it again is refused rather than overwriting it.
    let again = admin::add_article(
        &engine,
        "mascot.md",
        "---\ntitle: x\n---\n這是另一篇文章的正文段落,內容完全不同。\n".as_bytes(),
    );
    assert!(matches!(again, Err(AdminError::Exists { .. })), "{again:?}");
    assert_eq!(
        std::fs::read(ws.data_dir().join("mascot.md")).expect("kept"),
        mascot()
    );
}

#[test]
fn a_removed_article_is_no_longer_answered_and_its_file_is_in_the_trash() {
    let ws = Workspace::with_shipped_data();
    ws.write_article("mascot.md", mascot());
    let engine = ws.engine();
    assert!(answered_from(&engine, MASCOT_QUESTION, MASCOT_ID));

    let removed = admin::remove_article(&engine, MASCOT_ID).expect("remove");
    assert_eq!(removed.title.as_deref(), Some("雲棲小鎮的吉祥物"));
    assert_eq!(
        removed.trashed,
        ws.data_dir().join(TRASH_DIR).join("mascot.md")
    );
    assert_eq!(std::fs::read(&removed.trashed).expect("in trash"), mascot());
    assert!(!ws.data_dir().join("mascot.md").exists());
    assert!(!engine.ask(MASCOT_QUESTION, 3).expect("ask").answered);
    assert!(admin::articles(&engine).iter().all(|a| a.id != MASCOT_ID));

    // Added and removed again: the trash keeps both copies.
    admin::add_article(&engine, "mascot.md", &mascot()).expect("add again");
    let second = admin::remove_article(&engine, MASCOT_ID).expect("remove again");
    assert_eq!(
        second.trashed,
        ws.data_dir().join(TRASH_DIR).join("mascot-1.md")
    );
    assert!(ws.data_dir().join(TRASH_DIR).join("mascot.md").exists());

    // A fresh start does not bring trashed articles back.
    drop(engine);
    let reopened = ws.engine();
    assert!(!reopened.ask(MASCOT_QUESTION, 3).expect("ask").answered);
}

#[test]
fn removing_an_unknown_or_the_last_article_is_refused_and_changes_nothing() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let before = snapshot(&ws.data_dir());
    let generation = engine.index().generation().to_owned();
    for id in ["nope", "../data/000_93422ca121d765e5", ""] {
        let err = admin::remove_article(&engine, id).expect_err("unknown id");
        assert!(
            matches!(err, AdminError::NoSuchArticle { .. }),
            "{id:?}: {err}"
        );
    }
    let last = SHIPPED_ARTICLE.trim_end_matches(".md");
    let err = admin::remove_article(&engine, last).expect_err("last article");
    assert!(matches!(err, AdminError::LastArticle { .. }), "{err}");
    assert_eq!(snapshot(&ws.data_dir()), before);
    assert_eq!(engine.index().generation(), generation);
}

#[test]
fn a_failed_reindex_keeps_the_old_index_answering_and_says_why() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let generation = engine.index().generation().to_owned();
    // Someone empties the data directory by hand: there is nothing left to index.
    std::fs::rename(
        ws.data_dir().join(SHIPPED_ARTICLE),
        ws.root.path().join(SHIPPED_ARTICLE),
    )
    .expect("move away");
    let err = admin::reindex(&engine)
        .expect_err("nothing to index")
        .to_string();
    assert!(err.contains("nothing could be indexed"), "{err}");
    assert_eq!(engine.index().generation(), generation);
    assert!(answered_from(
        &engine,
        SHIPPED_QUESTION,
        "000_93422ca121d765e5"
    ));
}

#[test]
fn a_corrupted_index_is_rebuilt_at_start_up() {
    let ws = Workspace::with_shipped_data();
    let generation = ws.engine().index().generation().to_owned();
    std::fs::write(generation.join("manifest.json"), b"{ not json").expect("corrupt");
    let (engine, report) = Engine::open(&ws.engine_config()).expect("open");
    assert!(report.is_some(), "the corrupted index must be rebuilt");
    assert_ne!(engine.index().generation(), generation);
    assert!(answered_from(
        &engine,
        SHIPPED_QUESTION,
        "000_93422ca121d765e5"
    ));
}

#[test]
fn questions_asked_during_rebuilds_are_all_answered() {
    const ASKERS: usize = 3;
    const REBUILDS: usize = 3;
    const MIN_QUESTIONS: usize = 20;
    let ws = Workspace::with_shipped_data();
    let engine = Arc::new(ws.engine());
    let rebuilding = Arc::new(AtomicBool::new(true));
    let start = Arc::new(Barrier::new(ASKERS + 1));
    let askers: Vec<_> = (0..ASKERS)
        .map(|_| {
            let (engine, rebuilding, start) = (engine.clone(), rebuilding.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let mut asked = 0;
                let mut unanswered = 0;
                // Keep asking until the rebuilds are over, and at least a few times.
                while rebuilding.load(Ordering::Acquire) || asked < MIN_QUESTIONS {
                    let answer = engine.ask(SHIPPED_QUESTION, 3).expect("ask never fails");
                    unanswered += usize::from(!answer.answered);
                    asked += 1;
                }
                (asked, unanswered)
            })
        })
        .collect();
    start.wait();
    let mut generations = Vec::new();
    for _ in 0..REBUILDS {
        generations.push(admin::reindex(&engine).expect("rebuild").generation);
    }
    rebuilding.store(false, Ordering::Release);
    for asker in askers {
        let (asked, unanswered) = asker.join().expect("asker thread");
        assert!(asked >= MIN_QUESTIONS);
        assert_eq!(
            unanswered, 0,
            "{unanswered} of {asked} questions went unanswered"
        );
    }
    generations.dedup();
    assert_eq!(
        generations.len(),
        REBUILDS,
        "each rebuild is a new generation"
    );
    assert_eq!(engine.index().generation(), generations[REBUILDS - 1]);
}

#[test]
fn two_rebuilds_at_once_are_serialized() {
    let ws = Workspace::with_shipped_data();
    let engine = Arc::new(ws.engine());
    let start = Arc::new(Barrier::new(2));
    let builders: Vec<_> = (0..2)
        .map(|_| {
            let (engine, start) = (engine.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                engine.rebuild()
            })
        })
        .collect();
    let reports: Vec<_> = builders
        .into_iter()
        .map(|b| b.join().expect("builder thread").expect("rebuild succeeds"))
        .collect();
    assert_ne!(reports[0].generation, reports[1].generation);
    // The later one is live, and the older generation was cleaned up, not half-removed
    // under the other build.
    let live = engine.index().generation().to_owned();
    assert!(reports.iter().any(|r| r.generation == live));
    let left: Vec<_> = std::fs::read_dir(ws.index_dir())
        .expect("index dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "CURRENT")
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(live.ends_with(&left[0]));
    assert!(answered_from(
        &engine,
        SHIPPED_QUESTION,
        "000_93422ca121d765e5"
    ));
}

#[test]
fn cli_index_while_an_engine_is_open_is_picked_up_by_refresh() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let old = engine.index().generation().to_owned();
    assert!(!engine.refresh().expect("refresh"), "nothing new yet");

    let out = run(&ws, &["index"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("1 articles, 46 passages"),
        "{}",
        text(&out.stdout)
    );
    // The open engine still answers from the generation it holds, then switches.
    assert!(answered_from(
        &engine,
        SHIPPED_QUESTION,
        "000_93422ca121d765e5"
    ));
    assert!(engine.refresh().expect("refresh"));
    assert_ne!(engine.index().generation(), old);
    assert!(answered_from(
        &engine,
        SHIPPED_QUESTION,
        "000_93422ca121d765e5"
    ));

    // An article added from the CLI reaches the running engine the same way.
    let file = ws.root.path().join("mascot.md");
    std::fs::write(&file, mascot()).expect("write");
    let out = run(&ws, &["add", file.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(engine.refresh().expect("refresh"));
    assert!(answered_from(&engine, MASCOT_QUESTION, MASCOT_ID));
}

#[test]
fn cli_add_articles_remove() {
    let ws = Workspace::with_shipped_data();
    let outside = ws.root.path().join("incoming");
    std::fs::create_dir(&outside).expect("mkdir");

    // A bad file: a clear error, a failure exit code, nothing changed.
    let before = snapshot(&ws.data_dir());
    let bad = outside.join("bad.md");
    std::fs::write(&bad, b"\xff\xfe broken").expect("write");
    let out = run(&ws, &["add", bad.to_str().expect("utf-8 path")]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not UTF-8"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(snapshot(&ws.data_dir()), before);

    let good = outside.join("mascot.md");
    std::fs::write(&good, mascot()).expect("write");
    let out = run(&ws, &["add", good.to_str().expect("utf-8 path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("added mascot"),
        "{}",
        text(&out.stdout)
    );

    let out = run(&ws, &["articles"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let listing = text(&out.stdout);
    assert!(listing.contains("雲棲小鎮的吉祥物"), "{listing}");
    assert!(listing.contains("2 articles, 48 passages"), "{listing}");

    let out = run(&ws, &["remove", MASCOT_ID]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(ws.data_dir().join(TRASH_DIR).join("mascot.md").is_file());
    let out = run(&ws, &["ask", MASCOT_QUESTION]);
    assert!(
        text(&out.stdout).contains("No passage"),
        "{}",
        text(&out.stdout)
    );

    let out = run(&ws, &["remove", MASCOT_ID]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("no article with the id"),
        "{}",
        text(&out.stderr)
    );
}
