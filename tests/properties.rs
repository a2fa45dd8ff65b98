//! Property tests: the article parser, question analysis, the engine and answer
//! formatting on arbitrary strings and bytes. None may panic; every formatted reply is
//! Telegram HTML the (strict) fake Bot API accepts, within 4096 characters; highlights
//! are character ranges inside the quoted text.
//!
//! CI runs proptest's default number of cases; a longer run, e.g. a million cases each:
//! `PROPTEST_CASES=1000000 cargo test --release --test properties`.

mod support;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use support::fake_telegram::visible_html;
use support::{repo_path, Workspace};
use yunqi_bot::answer::{Engine, Quote};
use yunqi_bot::corpus;
use yunqi_bot::telegram::format;
use yunqi_bot::text::{Analyzer, Discovered};

fn analyzer() -> &'static Analyzer {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    ANALYZER.get_or_init(|| {
        Analyzer::for_data_dir(&repo_path("data"), &Discovered::default()).expect("lexicon")
    })
}

/// The engine on the shipped article, opened once (its workspace kept for the run).
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(Workspace, Engine)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let ws = Workspace::with_shipped_data();
            let engine = ws.engine();
            (ws, engine)
        })
        .1
}

/// Text that looks like articles and questions often enough to reach the interesting
/// branches: front matter, headings, section numbers, CJK, mixed scripts, markup.
fn article_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "---",
        "\n",
        "\r\n",
        "title: ",
        "source: ",
        "tags: [a, 雲]",
        "# ",
        "## ",
        "——",
        "--",
        "01",
        "。",
        "，",
        "：",
        "?",
        "雲棲大會",
        "阿里云",
        "Qwen2.5",
        "97%",
        "<b>",
        "&amp;",
        "\u{FEFF}",
        "\u{3000}",
        " ",
        "\"",
        "'",
        "…",
        "ッing",
        "🙂",
        "\u{200D}",
        "é",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_owned), any::<String>()],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn quote() -> impl Strategy<Value = Quote> {
    let text = prop_oneof![
        any::<String>(),
        article_like(),
        // Long enough to be cut, with and without sentence ends.
        ("[a-z雲<&>。🙂]{1,4}", 1000usize..3000).prop_map(|(s, n)| s.repeat(n)),
    ];
    let highlights = prop::collection::vec((0usize..8000, 0usize..8000), 0..12);
    let title = prop_oneof![
        any::<String>(),
        "[雲<&\"]{1,3}".prop_map(|s| s.repeat(2000))
    ];
    (
        text,
        highlights,
        title,
        prop::option::of(any::<String>()),
        prop::option::of(prop_oneof![any::<String>(), "https?://[a-z\"<&>]{0,20}"]),
        any::<u32>(),
    )
        .prop_map(
            |(text, highlights, title, section, source, paragraph)| Quote {
                article: "a".to_owned(),
                title,
                section,
                paragraph,
                score: 1.0,
                coverage: 1.0,
                display_text: text.clone(),
                text,
                highlights,
                source,
            },
        )
}

/// What the fake Bot API (strict like Telegram) would say about a message.
fn check_message(html: &str) -> Result<(), TestCaseError> {
    let visible = visible_html(html).map_err(|e| TestCaseError::fail(format!("{e}: {html}")))?;
    prop_assert!(
        format::utf16_len(&visible) <= format::MAX_MESSAGE_UTF16,
        "{} UTF-16 units",
        format::utf16_len(&visible)
    );
    Ok(())
}

proptest! {
    #[test]
    fn the_article_parser_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let _ = corpus::parse_article_bytes("a", Path::new("a.md"), &bytes);
    }

    #[test]
    fn parsed_articles_have_numbered_non_empty_paragraphs(text in article_like()) {
        if let Ok(article) = corpus::parse_article("a", Path::new("a.md"), &text) {
            prop_assert!(!article.title.is_empty());
            prop_assert!(!article.passages.is_empty());
            for (i, p) in article.passages.iter().enumerate() {
                prop_assert_eq!(p.paragraph as usize, i + 1);
                prop_assert!(!p.text.trim().is_empty());
            }
        }
    }

    #[test]
    fn question_analysis_never_panics(question in prop_oneof![any::<String>(), article_like()]) {
        let _ = analyzer().question(&question);
    }

    #[test]
    fn formatted_quotes_are_valid_html_within_the_limit(p in quote()) {
        check_message(&format::passage_html(&p))?;
        check_message(&format::unsure_html(&p))?;
        prop_assert!(format::inline_title(&p).chars().count() <= 60);
        prop_assert!(format::snippet(&p).chars().count() <= 80);
    }

    #[test]
    fn plain_messages_are_valid_html_within_the_limit(
        text in prop_oneof![any::<String>(), ("[^\n]{1,5}\n?", 1usize..3000).prop_map(|(s, n)| s.repeat(n))]
    ) {
        for message in format::plain_messages(&text) {
            check_message(&message)?;
        }
    }
}

proptest! {
    // Each case asks the engine (about a millisecond, more in a debug build).
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn answers_highlight_character_ranges_of_their_quotes(
        question in prop_oneof![any::<String>(), article_like()]
    ) {
        let answer = engine()
            .ask(&question, 5)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for q in answer.passages.iter().chain(&answer.related) {
            let chars = q.display_text.chars().count();
            prop_assert_eq!(chars, q.text.chars().count());
            for &(start, end) in &q.highlights {
                prop_assert!(start < end && end <= chars, "{:?} in {} chars", (start, end), chars);
            }
            check_message(&format::passage_html(q))?;
        }
    }
}
