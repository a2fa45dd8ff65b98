//! Article files → articles and their passages.
//!
//! An article is a UTF-8 `.md` or `.txt` file in the data directory: optional front
//! matter (`title`, `source`, `date`, `tags` between `---` lines), then the body, where
//! every non-empty line is a paragraph. Headings (Markdown `#` lines, section numbers such
//! as `01`, `——導語`, short lines without sentence punctuation) are not passages: they
//! name the section of the paragraphs that follow. Ids are stable: the article id is the
//! file name without extension, and paragraphs are numbered from 1 within the article.

use std::path::{Path, PathBuf};

/// Extensions of article files; anything else in the data directory is ignored.
pub const ARTICLE_EXTENSIONS: &[&str] = &["md", "txt"];

/// The longest line that can still be a heading (a title line, not a paragraph).
const MAX_HEADING_CHARS: usize = 24;

#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub source: Option<String>,
    pub date: Option<String>,
    pub tags: Vec<String>,
    pub passages: Vec<Passage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Passage {
    /// 1-based number among the article's paragraphs (headings are not counted).
    pub paragraph: u32,
    pub section: Option<String>,
    /// The paragraph exactly as in the file (without its line ending).
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("cannot read data directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not UTF-8 text (first bad byte at offset {offset})")]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("{path} is empty")]
    Empty { path: PathBuf },
    #[error("{path} has no paragraphs, only headings or front matter")]
    NoParagraphs { path: PathBuf },
    #[error("{path}: front matter opened with --- is never closed")]
    UnclosedFrontMatter { path: PathBuf },
}

/// The articles that could be read, and what was wrong with the files that could not.
#[derive(Debug, Default)]
pub struct Corpus {
    pub articles: Vec<Article>,
    pub problems: Vec<CorpusError>,
}

/// The article files directly inside `dir`, sorted by name.
pub fn article_files(dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let dir_err = |source| CorpusError::Dir {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(dir_err)? {
        let path = entry.map_err(dir_err)?.path();
        if path.is_file() && is_article_file(&path) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

pub fn is_article_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ARTICLE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// The stable id of the article stored at `path`: its file name without extension.
pub fn article_id(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads every article in `dir`. A bad file is recorded in `problems` and skipped; only
/// an unreadable directory is an error.
pub fn load_dir(dir: &Path) -> Result<Corpus, CorpusError> {
    let mut corpus = Corpus::default();
    for path in article_files(dir)? {
        match load_article(&path) {
            Ok(article) => corpus.articles.push(article),
            Err(problem) => corpus.problems.push(problem),
        }
    }
    Ok(corpus)
}

pub fn load_article(path: &Path) -> Result<Article, CorpusError> {
    let bytes = std::fs::read(path).map_err(|source| CorpusError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_article_bytes(&article_id(path), path, &bytes)
}

/// Parses the bytes of an article file; `path` is only used in error messages.
pub fn parse_article_bytes(id: &str, path: &Path, bytes: &[u8]) -> Result<Article, CorpusError> {
    let text = std::str::from_utf8(bytes).map_err(|e| CorpusError::NotUtf8 {
        path: path.to_owned(),
        offset: e.valid_up_to(),
    })?;
    parse_article(id, path, text)
}

pub fn parse_article(id: &str, path: &Path, text: &str) -> Result<Article, CorpusError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CorpusError::Empty {
            path: path.to_owned(),
        });
    }
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut article = Article {
        id: id.to_owned(),
        title: String::new(),
        source: None,
        date: None,
        tags: Vec::new(),
        passages: Vec::new(),
    };

    let mut body_start = 0;
    let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0);
    if lines[first].trim() == "---" {
        let close = lines[first + 1..]
            .iter()
            .position(|l| l.trim() == "---")
            .ok_or_else(|| CorpusError::UnclosedFrontMatter {
                path: path.to_owned(),
            })?;
        for line in &lines[first + 1..first + 1 + close] {
            if let Some((key, value)) = line.split_once(':') {
                set_front_matter(&mut article, key.trim(), value.trim());
            }
        }
        body_start = first + close + 2;
    }

    let mut section: Option<String> = None;
    let mut heading_run = false;
    for line in &lines[body_start..] {
        let line_trimmed = line.trim();
        if line_trimmed.is_empty() {
            continue;
        }
        if let Some(heading) = heading_text(line_trimmed) {
            if article.title.is_empty() && article.passages.is_empty() && section.is_none() {
                article.title = heading;
                continue;
            }
            // A bare section number (`01`) and the title line after it name one section.
            section = Some(match section {
                Some(number) if heading_run && is_section_number(&number) => {
                    format!("{number} {heading}")
                }
                _ => heading,
            });
            heading_run = true;
            continue;
        }
        heading_run = false;
        article.passages.push(Passage {
            paragraph: article.passages.len() as u32 + 1,
            section: section.clone(),
            text: (*line).to_owned(),
        });
    }

    if article.passages.is_empty() {
        return Err(CorpusError::NoParagraphs {
            path: path.to_owned(),
        });
    }
    if article.title.is_empty() {
        article.title = article.id.clone();
    }
    Ok(article)
}

fn set_front_matter(article: &mut Article, key: &str, value: &str) {
    let value = unquote(value.trim());
    if value.is_empty() {
        return;
    }
    match key.to_ascii_lowercase().as_str() {
        "title" => article.title = value.to_owned(),
        "source" | "url" => article.source = Some(value.to_owned()),
        "date" => article.date = Some(value.to_owned()),
        "tags" => {
            article.tags = value
                .trim_matches(|c| c == '[' || c == ']')
                .split([',', '，'])
                .map(|t| t.trim().trim_matches(|c| c == '"' || c == '\'').to_owned())
                .filter(|t| !t.is_empty())
                .collect()
        }
        _ => {}
    }
}

/// A front-matter value without the quotes that wrap it whole (`"a: b"` → `a: b`).
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner.trim();
        }
    }
    value
}

/// The heading text of a heading line, or `None` for a paragraph.
fn heading_text(line: &str) -> Option<String> {
    if let Some(rest) = line.strip_prefix('#') {
        return Some(rest.trim_start_matches('#').trim().to_owned());
    }
    if let Some(rest) = line.strip_prefix("——").or_else(|| line.strip_prefix("--")) {
        let rest = rest.trim();
        if !rest.is_empty()
            && rest.chars().count() <= MAX_HEADING_CHARS
            && !has_sentence_punctuation(rest)
        {
            return Some(rest.to_owned());
        }
    }
    let short = line.chars().count() <= MAX_HEADING_CHARS;
    if short && !has_sentence_punctuation(line) {
        return Some(line.to_owned());
    }
    None
}

fn is_section_number(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_ascii_digit())
}

fn has_sentence_punctuation(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            c,
            '。' | '，' | ',' | '！' | '!' | '？' | '?' | '；' | ';' | '：' | ':' | '、' | '…'
        ) || (c == '.' && !text.contains(|d: char| d.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Article {
        parse_article("a1", Path::new("a1.md"), text).expect("parses")
    }

    fn err(text: &[u8]) -> CorpusError {
        parse_article_bytes("a1", Path::new("a1.md"), text).expect_err("fails")
    }

    #[test]
    fn first_heading_line_is_the_title_and_headings_name_sections() {
        let a = parse(
            "阿里雲後退一步\n第一段，文字。\n——導語\n01\n阿里雲不再“自戀”\n第二段。\n第三段。\n",
        );
        assert_eq!(a.title, "阿里雲後退一步");
        let got: Vec<_> = a
            .passages
            .iter()
            .map(|p| (p.paragraph, p.section.as_deref(), p.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, None, "第一段，文字。"),
                (2, Some("01 阿里雲不再“自戀”"), "第二段。"),
                (3, Some("01 阿里雲不再“自戀”"), "第三段。"),
            ]
        );
    }

    #[test]
    fn front_matter_sets_metadata_and_markdown_headings_sections() {
        let a = parse(
            "---\ntitle: 雲棲大會\nsource: https://example.com/a\ndate: 2024-09-20\ntags: [AI, 雲]\n---\n\n# 開場\n這是第一段，很長的一段。\n## 第二節\n第二段。\n",
        );
        assert_eq!(a.title, "雲棲大會");
        assert_eq!(a.source.as_deref(), Some("https://example.com/a"));
        assert_eq!(a.date.as_deref(), Some("2024-09-20"));
        assert_eq!(a.tags, vec!["AI", "雲"]);
        let quoted = parse("---\ntitle: \"A: B\"\n---\n第一段，文字。\n");
        assert_eq!(quoted.title, "A: B");
        let inner = parse("---\ntitle: <Tags> & \"Quotes\"\n---\n第一段，文字。\n");
        assert_eq!(inner.title, "<Tags> & \"Quotes\"");
        assert_eq!(a.passages[0].section.as_deref(), Some("開場"));
        assert_eq!(a.passages[1].section.as_deref(), Some("第二節"));
    }

    #[test]
    fn crlf_bom_and_blank_lines_are_tolerated() {
        let a = parse("\u{FEFF}標題\r\n\r\n第一段，文字。\r\n\r\n\r\n第二段，文字。\r\n");
        assert_eq!(a.title, "標題");
        let texts: Vec<_> = a.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["第一段，文字。", "第二段，文字。"]);
    }

    #[test]
    fn long_first_line_is_a_paragraph_and_the_id_is_the_title() {
        let a = parse("這是一個很長的段落，沒有標題，直接開始講述雲棲大會的故事和細節。\n");
        assert_eq!(a.title, "a1");
        assert_eq!(a.passages.len(), 1);
    }

    #[test]
    fn bad_files_are_refused_with_reasons() {
        assert!(matches!(err(b""), CorpusError::Empty { .. }));
        assert!(matches!(err(b" \n\r\n"), CorpusError::Empty { .. }));
        assert!(matches!(
            err(b"\xff\xfe\x00bad"),
            CorpusError::NotUtf8 { offset: 0, .. }
        ));
        assert!(matches!(
            err("標題\n01\n".as_bytes()),
            CorpusError::NoParagraphs { .. }
        ));
        assert!(matches!(
            err("---\ntitle: x\n第一段，文字。\n".as_bytes()),
            CorpusError::UnclosedFrontMatter { .. }
        ));
    }

    #[test]
    fn version_numbers_do_not_make_a_line_a_paragraph() {
        assert!(heading_text("Qwen2.5 發佈").is_some());
        assert!(heading_text("第一段，文字。").is_none());
    }
}
