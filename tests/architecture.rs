//! Architecture Invariants (ARCHITECTURE.md), checked on the source text:
//! - the search side (`text`, `corpus`, `search`, `answer`, `eval`, `articles`) never
//!   imports teloxide or tokio and never reads the environment;
//! - the library has no command line and prints nothing: clap, the environment and
//!   printing belong to the binary (`main.rs`, `cli.rs`, `config.rs`, `cmd/`);
//! - tantivy's types do not leave `search`.

mod support;

use std::path::{Path, PathBuf};

const SEARCH_SIDE: &[&str] = &[
    "src/text",
    "src/corpus.rs",
    "src/search",
    "src/answer",
    "src/eval.rs",
    "src/articles.rs",
];
const SEARCH_SIDE_FORBIDDEN: &[&str] = &["teloxide", "tokio", "std::env", "env::var", "dotenvy"];

/// The binary's own modules; everything else under `src/` is the library.
const BINARY: &[&str] = &["src/main.rs", "src/cli.rs", "src/config.rs", "src/cmd"];
const LIBRARY_FORBIDDEN: &[&str] = &[
    "clap",
    "print!",
    "println!",
    "eprint!",
    "eprintln!",
    "std::env",
    "dotenvy",
    "indicatif",
    "process::exit",
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read dir") {
            rust_files(&entry.expect("entry").path(), out);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_owned());
    }
}

fn files_under(parts: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for part in parts {
        let path = support::repo_path(part);
        assert!(
            path.exists(),
            "{part} named by the invariant does not exist"
        );
        rust_files(&path, &mut files);
    }
    files
}

fn library_files() -> Vec<PathBuf> {
    let binary = files_under(BINARY);
    let mut all = Vec::new();
    rust_files(&support::repo_path("src"), &mut all);
    all.retain(|f| !binary.contains(f));
    all
}

fn read(file: &Path) -> String {
    std::fs::read_to_string(file).expect("read source")
}

#[test]
fn the_search_side_knows_nothing_of_telegram_runtimes_or_the_environment() {
    let files = files_under(SEARCH_SIDE);
    assert!(files.len() >= 8, "search side not found: {files:?}");
    for file in files {
        let source = read(&file);
        for word in SEARCH_SIDE_FORBIDDEN {
            assert!(!source.contains(word), "{} mentions {word}", file.display());
        }
    }
}

#[test]
fn the_library_has_no_command_line_and_prints_nothing() {
    let files = library_files();
    assert!(
        files.iter().any(|f| f.ends_with("src/lib.rs")) && files.len() >= 20,
        "library not found: {files:?}"
    );
    for file in &files {
        let source = read(file);
        for word in LIBRARY_FORBIDDEN {
            assert!(!source.contains(word), "{} mentions {word}", file.display());
        }
    }
    let lib = read(&support::repo_path("src/lib.rs"));
    for module in ["mod cli", "mod cmd", "mod config"] {
        assert!(!lib.contains(module), "the library declares `{module}`");
    }
}

/// The lines of `search` allowed to spell out a tantivy type: the opaque wrapper of its
/// error and the conversion `?` uses.
const TANTIVY_WRAPPER: &[&str] = &[
    "inner: tantivy::TantivyError,",
    "impl From<tantivy::TantivyError> for SearchError {",
    "fn from(error: tantivy::TantivyError) -> Self {",
];

/// Names a file imports from tantivy (`use tantivy::{doc, Index};` gives `Index`).
fn tantivy_imports(source: &str) -> Vec<String> {
    source
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("use tantivy::"))
        .flat_map(|l| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A text check on every library file: outside `search` tantivy is never named; inside
/// it, `tantivy::` only in private imports, local variables and the error wrapper, and no
/// `pub` line names a type imported from tantivy. `schema` is private and re-exported by
/// nothing, so it may use tantivy freely.
#[test]
fn tantivy_stays_inside_search() {
    let search = support::repo_path("src/search");
    let private_schema = search.join("schema.rs");
    assert!(read(&search.join("mod.rs")).contains("\nmod schema;"));
    for file in library_files() {
        if file == private_schema {
            continue;
        }
        let source = read(&file);
        let in_search = file.starts_with(&search);
        for line in source.lines().map(str::trim) {
            if line.starts_with("//") || !line.contains("tantivy::") {
                continue;
            }
            let allowed = in_search
                && (line.starts_with("use tantivy::")
                    || line.starts_with("let ")
                    || TANTIVY_WRAPPER.contains(&line));
            assert!(allowed, "{} names tantivy: {line}", file.display());
        }
        let imported = tantivy_imports(&source);
        for line in source
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("pub "))
        {
            let words: Vec<&str> = line
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect();
            if let Some(name) = imported.iter().find(|n| words.contains(&n.as_str())) {
                panic!("{} exposes tantivy's {name}: {line}", file.display());
            }
        }
    }
}
