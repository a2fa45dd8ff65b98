//! Architecture Invariant (ARCHITECTURE.md): the search side (`text`, `corpus`, `search`,
//! `answer`, `eval`, `admin`) never imports teloxide or tokio and never reads the
//! environment.

mod support;

use std::path::Path;

const SEARCH_SIDE: &[&str] = &[
    "src/text",
    "src/corpus.rs",
    "src/search",
    "src/answer",
    "src/eval.rs",
    "src/admin.rs",
];
const FORBIDDEN: &[&str] = &["teloxide", "tokio", "std::env", "env::var", "dotenvy"];

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read dir") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

#[test]
fn the_search_side_knows_nothing_of_telegram_runtimes_or_the_environment() {
    let mut files = Vec::new();
    for part in SEARCH_SIDE {
        rust_files(&support::repo_path(part), &mut files);
    }
    assert!(files.len() >= 8, "search side not found: {files:?}");
    for file in files {
        let source = std::fs::read_to_string(&file).expect("read source");
        for word in FORBIDDEN {
            assert!(!source.contains(word), "{} mentions {word}", file.display());
        }
    }
}
