//! The answer engine on real article files in temporary directories: script conversion,
//! English terms, headings, refusals, staleness and bad files.

mod support;

use support::{BuildGate, Workspace, SHIPPED_ARTICLE};
use yunqi_bot::answer::{Answer, Engine};
use yunqi_bot::search::SearchError;

fn first_text(answer: &Answer) -> &str {
    assert!(answer.answered, "not answered: {:?}", answer.question);
    &answer.passages[0].text
}

fn ask(engine: &Engine, question: &str) -> Answer {
    engine.ask(question, 3).expect("search works")
}

#[test]
fn simplified_traditional_and_english_questions_find_the_traditional_paragraph() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let cases = [
        ("通义千问API调用价格下降了多少", "下降了97%"),
        ("通義千問API調用價格下降了多少", "下降了97%"),
        ("小鹏汽车每年研发投入多少钱", "35億元用於研發"),
        ("Qwen2.5下载量多少", "4000萬"),
        ("qwen2.5 downloads", "4000萬"),
        (
            "How much does XPeng invest in R&D each year?",
            "35億元用於研發",
        ),
        ("吴泳铭是什么时候接棒阿里云的", "正式“接棒”阿里雲"),
        ("康纳曼", "康納曼"),
    ];
    for (question, expected) in cases {
        let answer = ask(&engine, question);
        assert!(
            first_text(&answer).contains(expected),
            "{question} → {}",
            first_text(&answer)
        );
    }
}

#[test]
fn headings_are_never_quoted() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let headings = [
        "阿里雲不再“自戀”",
        "他們都是AI樂觀主義者",
        "當仁不讓",
        "導語",
        "01",
    ];
    for heading in headings {
        let answer = ask(&engine, heading);
        for passage in &answer.passages {
            assert_ne!(passage.text.trim(), heading, "a heading was quoted");
            assert!(!headings.iter().any(|h| passage.text.trim().ends_with(h)));
        }
    }
    // Headings still name the section of the paragraphs under them.
    let assessment = engine.assess("阿里雲從C位上後退一步", 3).expect("assess");
    let section = assessment.ranked[0].section.as_deref();
    assert_eq!(section, Some("01 阿里雲不再“自戀”"));
}

#[test]
fn questions_the_article_does_not_answer_are_refused() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    for question in [
        "今天天气怎么样",
        "红烧肉怎么做",
        "上海今天多少度",
        "好的",
        "",
        "   ",
        "？？？！",
        "👀👀",
    ] {
        let answer = ask(&engine, question);
        assert!(!answer.answered, "{question:?} was answered");
        assert!(answer.passages.is_empty());
    }
    assert_eq!(engine.counters().refused(), 8);
    assert_eq!(engine.counters().answered(), 0);
}

#[test]
fn quotes_are_exact_with_highlights_inside_them() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let article = std::fs::read_to_string(ws.data_dir().join(SHIPPED_ARTICLE)).expect("read");
    let answer = ask(&engine, "推理成本降得比摩尔定律还快?");
    for p in &answer.passages {
        assert!(
            article.lines().any(|line| line == p.text),
            "not a paragraph: {}",
            p.text
        );
        let chars = p.text.chars().count();
        assert_eq!(p.display_text.chars().count(), chars);
        assert!(!p.highlights.is_empty());
        assert!(p.highlights.iter().all(|&(s, e)| s < e && e <= chars));
    }
    let best = &answer.passages[0];
    let highlighted: Vec<String> = best
        .highlights
        .iter()
        .map(|&(s, e)| best.text.chars().skip(s).take(e - s).collect())
        .collect();
    assert!(
        highlighted.iter().any(|h| h.contains("摩爾定律")),
        "{highlighted:?}"
    );
}

#[test]
fn quotes_are_shown_in_the_askers_script() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let simplified = ask(&engine, "摩尔定律");
    assert!(simplified.passages[0].display_text.contains("摩尔定律"));
    assert!(simplified.passages[0].text.contains("摩爾定律"));
    let traditional = ask(&engine, "摩爾定律是什麼");
    assert_eq!(
        traditional.passages[0].display_text,
        traditional.passages[0].text
    );
}

#[test]
fn a_stale_index_is_rebuilt_before_answering() {
    let ws = Workspace::with_shipped_data();
    drop(ws.engine());
    ws.write_article(
        "extra.md",
        "---\ntitle: 杭州\n---\n雲棲小鎮位於杭州西湖區，是大會的舉辦地。\n",
    );
    let (engine, report) = Engine::open(&ws.engine_config()).expect("open");
    let report = report.expect("stale index rebuilt");
    assert_eq!(report.articles, 2);
    let answer = ask(&engine, "云栖小镇在哪里");
    assert_eq!(answer.passages[0].article, "extra");
    assert_eq!(answer.passages[0].title, "杭州");

    // Unchanged data: the index is reused, not rebuilt.
    drop(engine);
    let (_, report) = Engine::open(&ws.engine_config()).expect("open");
    assert!(report.is_none());
}

#[test]
fn an_unreadable_index_is_rebuilt() {
    let ws = Workspace::with_shipped_data();
    drop(ws.engine());
    let current = std::fs::read_to_string(ws.index_dir().join("CURRENT")).expect("pointer");
    let generation = ws.index_dir().join(current.trim());
    for entry in std::fs::read_dir(&generation).expect("generation") {
        let path = entry.expect("entry").path();
        std::fs::write(&path, b"garbage").expect("corrupt");
    }
    let (engine, report) = Engine::open(&ws.engine_config()).expect("open");
    assert!(report.is_some());
    assert!(ask(&engine, "含阿量").answered);
}

#[test]
fn bad_files_are_skipped_with_their_names_and_the_rest_indexed() {
    let ws = Workspace::with_shipped_data();
    ws.write_article("latin1.txt", b"caf\xe9 au lait, tr\xe8s bien.\n");
    ws.write_article("empty.md", "");
    ws.write_article("headings.md", "標題\n01\n");
    ws.write_article("notes.pdf", "ignored: not an article extension");
    let (engine, report) = Engine::open(&ws.engine_config()).expect("open");
    let report = report.expect("built");
    assert_eq!(report.articles, 1);
    let problems = report.problems.join("\n");
    for name in ["latin1.txt", "empty.md", "headings.md"] {
        assert!(problems.contains(name), "{name} not reported in {problems}");
    }
    assert!(!problems.contains("notes.pdf"));
    assert!(ask(&engine, "含阿量").answered);
}

#[test]
fn nothing_indexable_is_an_error_that_names_the_reason() {
    let ws = Workspace::empty();
    ws.write_article("empty.md", "  \n");
    let err = Engine::open(&ws.engine_config()).err().expect("fails");
    let message = err.to_string();
    assert!(
        message.contains("empty.md") && message.contains("empty"),
        "{message}"
    );

    let missing = Workspace::empty();
    std::fs::remove_dir(missing.data_dir()).expect("remove");
    let err = Engine::open(&missing.engine_config()).err().expect("fails");
    assert!(matches!(
        err,
        yunqi_bot::answer::EngineError::Search(SearchError::Corpus(_))
    ));
}

#[test]
fn articles_gone_before_a_build_indexes_them_leave_the_live_index_serving() {
    // A build reads the articles twice: once to find their names, before it loads the
    // lexicon (where the gate holds it), and again to index them.
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    let question = "通义千问API调用价格下降了多少";
    assert!(ask(&engine, question).answered);
    let gate = BuildGate::close(&ws);
    let rebuilt = std::thread::scope(|s| {
        let build = s.spawn(|| engine.rebuild());
        let held = gate.wait_for_build();
        std::fs::remove_file(ws.data_dir().join(SHIPPED_ARTICLE)).expect("remove");
        held.release();
        build.join().expect("the build does not panic")
    });
    let err = rebuilt.expect_err("nothing was left to index");
    assert!(
        matches!(err, SearchError::NothingIndexed { .. })
            && err.to_string().contains(SHIPPED_ARTICLE),
        "{err}"
    );
    assert!(
        ask(&engine, question).answered,
        "the old index still serves"
    );
}

#[test]
fn a_running_engine_notices_data_changes_and_other_processes_builds() {
    let ws = Workspace::with_shipped_data();
    let engine = ws.engine();
    assert!(engine.rebuild_if_stale().expect("check").is_none());
    assert!(!engine.refresh().expect("refresh"));

    ws.write_article(
        "extra.md",
        "杭州\n雲棲小鎮位於杭州西湖區，是大會的舉辦地。\n",
    );
    let report = engine
        .rebuild_if_stale()
        .expect("rebuild")
        .expect("was stale");
    assert_eq!(report.articles, 2);
    assert_eq!(ask(&engine, "云栖小镇在哪里").passages[0].article, "extra");

    // Another engine (think `yunqi-bot index` in another process) publishes a build.
    std::fs::remove_file(ws.data_dir().join("extra.md")).expect("remove");
    ws.engine().rebuild().expect("rebuild elsewhere");
    assert!(engine.refresh().expect("refresh"));
    assert!(!ask(&engine, "云栖小镇在哪里").answered);
}

#[test]
fn a_rebuild_reads_the_lexicon_again() {
    // Each index generation brings the analysis it was built with, so an admin's new
    // alias counts after a reindex, without restarting the process.
    let ws = Workspace::empty();
    ws.write_article(
        "a.md",
        "標題\n杭州是今年雲棲大會的舉辦地，有上萬人蔘加。\n阿里雲發佈了新的模型。\n",
    );
    let engine = ws.engine();
    let question = "xyzzy";
    assert!(!ask(&engine, question).answered, "xyzzy means nothing yet");
    let lexicon = ws.data_dir().join("lexicon");
    std::fs::create_dir_all(&lexicon).expect("lexicon dir");
    std::fs::write(lexicon.join("aliases.txt"), "xyzzy = 杭州\n").expect("aliases");
    engine.rebuild().expect("rebuild");
    assert!(first_text(&ask(&engine, question)).contains("杭州是今年"));
}
