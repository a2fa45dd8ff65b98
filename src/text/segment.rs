//! The one analysis that passages and questions both go through, so they cannot drift:
//! normalize (width, case, Traditional → Simplified), split into Han and alphanumeric
//! runs, segment Han runs with jieba, drop stop words, and emit three kinds of term.

use std::path::Path;

use jieba_rs::Jieba;

use super::discover::Discovered;
use super::english::Glossary;
use super::lexicon::{AnswerType, Lexicon};
use super::normalize::Normalizer;
use super::pinyin::{push_syllable_pair, syllable, syllable_pair};
use super::TextError;

/// The kinds of term analysis produces; each is indexed in a field of its own and scored
/// apart, because they fail differently: characters survive any segmentation, words
/// carry meaning, syllables survive homophone typos and variant characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TermKind {
    /// Han characters one by one, and alphanumeric words (`qwen2.5`, `qwen`, `2.5`).
    Chars,
    /// jieba's search-mode words (compounds and their parts) and alphanumeric words.
    Words,
    /// Toneless pinyin of adjacent Han characters (`wu_yong`).
    Pinyin,
}

impl TermKind {
    pub const ALL: [TermKind; 3] = [TermKind::Chars, TermKind::Words, TermKind::Pinyin];
}

/// One term of analyzed text with its character span in the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    /// Character offsets (not bytes) into the analyzed text.
    pub start: usize,
    pub end: usize,
}

/// Where analysis puts the terms it finds: a `Vec<Token>` for questions, or a
/// [`TermBuffer`] when indexing, which keeps every term of a field in one string.
pub trait TermSink {
    fn push(&mut self, term: &str, start: usize, end: usize);
}

impl TermSink for Vec<Token> {
    fn push(&mut self, term: &str, start: usize, end: usize) {
        Vec::push(
            self,
            Token {
                term: term.to_owned(),
                start,
                end,
            },
        );
    }
}

/// The terms of one field of one passage without a string allocation per term: a
/// passage has hundreds, and a 50 MB archive tens of millions.
#[derive(Debug, Default)]
pub struct TermBuffer {
    text: String,
    /// Byte range of each term in `text`, and its character span in the analyzed text.
    terms: Vec<(usize, usize, usize, usize)>,
}

impl TermBuffer {
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The `i`th term and its character span.
    pub fn get(&self, i: usize) -> (&str, usize, usize) {
        let (from, to, start, end) = self.terms[i];
        (&self.text[from..to], start, end)
    }
}

impl TermSink for TermBuffer {
    fn push(&mut self, term: &str, start: usize, end: usize) {
        let from = self.text.len();
        self.text.push_str(term);
        self.terms.push((from, self.text.len(), start, end));
    }
}

/// One word of the base segmentation, as a character span of normalized text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub start: usize,
    pub end: usize,
    pub han: bool,
    pub stop: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum RunKind {
    Han,
    Alnum,
}

/// Built once per process (the jieba dictionary alone takes ~70 ms and ~30 MB) and
/// shared behind an `Arc`.
pub struct Analyzer {
    normalizer: Normalizer,
    jieba: Jieba,
    pub(super) lexicon: Lexicon,
    pub(super) glossary: Glossary,
    /// The members of `lexicon.alias_groups`, group by group, ready to be searched for in
    /// every question: set up once here rather than for each question.
    pub(super) alias_finders: Vec<Vec<TermFinder<'static>>>,
}

impl Analyzer {
    pub fn new(lexicon: Lexicon) -> Self {
        let infallible: Result<Self, std::convert::Infallible> = Self::load(|_| Ok(lexicon));
        match infallible {
            Ok(analyzer) => analyzer,
            Err(never) => match never {},
        }
    }

    /// Loads the lexicon that lives in `data_dir` (entries normalized like any text), on
    /// top of what was found in its articles.
    pub fn for_data_dir(data_dir: &Path, found: &Discovered) -> Result<Self, TextError> {
        let lexicon_dir = data_dir.join(super::lexicon::LEXICON_DIR);
        Self::load(|normalizer| {
            let mut lexicon = Lexicon::load(&lexicon_dir, |s| normalizer.normalize(s))?;
            lexicon.add_discovered(found);
            Ok(lexicon)
        })
    }

    /// Builds the analyzer around the lexicon `lexicon` makes. jieba's dictionary (about
    /// half of start-up) loads on a thread of its own meanwhile: it needs nothing from
    /// the lexicon until the user words are added.
    fn load<E>(lexicon: impl FnOnce(&Normalizer) -> Result<Lexicon, E>) -> Result<Self, E> {
        let (mut jieba, normalizer, lexicon, glossary) = std::thread::scope(|s| {
            let jieba = s.spawn(Jieba::new);
            let normalizer = Normalizer::new();
            let lexicon = lexicon(&normalizer);
            let glossary = Glossary::builtin();
            // jieba's loader only panics on a malformed built-in dictionary.
            let jieba = jieba
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            (jieba, normalizer, lexicon, glossary)
        });
        let lexicon = lexicon?;
        for (word, freq) in &lexicon.user_words {
            jieba.add_word(word, *freq, None);
        }
        // A found name is added even when the dictionary has the word, for its tag; other
        // found words only when it lacks them, so everyday words keep theirs.
        for (word, tag) in &lexicon.discovered_words {
            if tag == "nr" || !jieba.has_word(word) {
                jieba.add_word(word, None, Some(tag));
            }
        }
        let alias_finders = lexicon
            .alias_groups
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(|member| TermFinder::new(member).into_owned())
                    .collect()
            })
            .collect();
        Ok(Analyzer {
            normalizer,
            jieba,
            lexicon,
            glossary,
            alias_finders,
        })
    }

    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Normalized text, aligned character for character with `text`.
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// The terms of one kind in `text`, with their character spans.
    pub fn terms(&self, text: &str, kind: TermKind) -> Vec<Token> {
        self.normalized_terms(&self.normalize(text), kind)
    }

    /// The terms of one kind in text already normalized: indexing normalizes each passage
    /// once for all kinds (and to find names), not once per kind.
    pub fn normalized_terms(&self, normalized: &str, kind: TermKind) -> Vec<Token> {
        let norm: Vec<char> = normalized.chars().collect();
        self.terms_of(&norm, &self.segments(&norm), kind)
    }

    /// [`Analyzer::normalized_terms`] into a [`TermBuffer`], for indexing. The three
    /// fields of a passage are analyzed one after another on one thread, from the same
    /// text: the base segmentation of the last text is kept per thread and reused, so a
    /// passage is segmented once rather than once per field.
    pub fn index_terms(&self, normalized: &str, kind: TermKind) -> TermBuffer {
        thread_local! {
            static LAST: std::cell::RefCell<(String, Vec<char>, Vec<Segment>)> =
                std::cell::RefCell::default();
        }
        let mut out = TermBuffer::default();
        LAST.with_borrow_mut(|(text, norm, segments)| {
            if text != normalized {
                text.clear();
                text.push_str(normalized);
                *norm = normalized.chars().collect();
                *segments = self.segments(norm);
            }
            self.terms_into(norm, segments, kind, &mut out);
        });
        out
    }

    pub(super) fn terms_of(
        &self,
        norm: &[char],
        segments: &[Segment],
        kind: TermKind,
    ) -> Vec<Token> {
        let mut out = Vec::new();
        self.terms_into(norm, segments, kind, &mut out);
        out
    }

    fn terms_into(
        &self,
        norm: &[char],
        segments: &[Segment],
        kind: TermKind,
        out: &mut impl TermSink,
    ) {
        match kind {
            TermKind::Words => self.words_of(norm, segments, out),
            TermKind::Chars => self.chars_of(norm, segments, out),
            TermKind::Pinyin => self.pinyin_of(norm, segments, out),
        }
    }

    /// The syllable pairs of normalized text, for checking which of a question's pairs a
    /// passage has without segmenting it again.
    pub fn syllable_pairs(&self, normalized: &str) -> Vec<String> {
        let norm: Vec<char> = normalized.chars().collect();
        let mut out = Vec::new();
        for pair in norm.windows(2) {
            if let (Some(a), Some(b)) = (syllable(pair[0]), syllable(pair[1])) {
                out.push(syllable_pair(a, b));
            }
        }
        out
    }

    /// jieba's search mode over the base segmentation: each Han word's two- and
    /// three-character substrings that are dictionary words, then the word itself (what
    /// `cut_for_search` gives, without segmenting again).
    fn words_of(&self, norm: &[char], segments: &[Segment], out: &mut impl TermSink) {
        let mut word = String::new();
        for seg in segments {
            if !seg.han {
                self.push_alnum(out, norm, seg.start, seg.end);
                continue;
            }
            let len = seg.end - seg.start;
            for gram in [2, 3] {
                if len <= gram {
                    continue;
                }
                for start in seg.start..=seg.end - gram {
                    word.clear();
                    word.extend(&norm[start..start + gram]);
                    if self.jieba.has_word(&word) {
                        self.push_word(out, &word, start, start + gram);
                    }
                }
            }
            word.clear();
            word.extend(&norm[seg.start..seg.end]);
            self.push_word(out, &word, seg.start, seg.end);
        }
    }

    /// Content characters one by one: no segmentation to disagree with, so a question
    /// and a passage that split a name differently still share its characters.
    fn chars_of(&self, norm: &[char], segments: &[Segment], out: &mut impl TermSink) {
        let mut buf = [0u8; 4];
        for seg in segments.iter().filter(|s| !s.stop) {
            if !seg.han {
                self.push_alnum(out, norm, seg.start, seg.end);
                continue;
            }
            for (i, &c) in norm.iter().enumerate().take(seg.end).skip(seg.start) {
                if !self.lexicon.is_particle(c) {
                    out.push(c.encode_utf8(&mut buf), i, i + 1);
                }
            }
        }
    }

    /// Syllable pairs inside content spans (runs of Han words that are not stop words), so
    /// no pair straddles a question word (`是谁`), which would match nothing relevant.
    fn pinyin_of(&self, norm: &[char], segments: &[Segment], out: &mut impl TermSink) {
        let mut pair = String::new();
        for (start, end) in content_spans(segments) {
            for i in start..end.saturating_sub(1) {
                let (a, b) = (norm[i], norm[i + 1]);
                if self.lexicon.is_particle(a) || self.lexicon.is_particle(b) {
                    continue;
                }
                if let (Some(sa), Some(sb)) = (syllable(a), syllable(b)) {
                    pair.clear();
                    push_syllable_pair(&mut pair, sa, sb);
                    out.push(&pair, i, i + 2);
                }
            }
        }
    }

    /// The base segmentation of normalized text: jieba's words for Han runs, whole
    /// alphanumeric runs, each marked if it is a stop word.
    pub(super) fn segments(&self, norm: &[char]) -> Vec<Segment> {
        let mut out = Vec::new();
        for (kind, start, end) in runs(norm) {
            let run: String = norm[start..end].iter().collect();
            match kind {
                RunKind::Han => {
                    for w in self.jieba.cut(&run, true) {
                        out.push(Segment {
                            start: start + w.start,
                            end: start + w.end,
                            han: true,
                            stop: self.lexicon.is_stop_word(w.word),
                        });
                    }
                }
                RunKind::Alnum => out.push(Segment {
                    start,
                    end,
                    han: false,
                    stop: self.lexicon.is_stop_word(&run),
                }),
            }
        }
        out
    }

    /// Whether a question word looks like a name rather than an everyday word: a Han word
    /// the segmenter's dictionary tags as a person, place, organization or product
    /// (特斯拉, 上海), or a capitalized Latin word (NBA, APP, Tesla). Han words missing from
    /// the dictionary are not counted: most are fragments the segmenter guessed (降得).
    pub(super) fn looks_like_name(&self, term: &str, original: &[char]) -> bool {
        if term.chars().all(is_han) {
            const NAME_TAGS: [&str; 4] = ["nr", "ns", "nt", "nz"];
            self.jieba.has_word(term)
                && matches!(self.jieba.tag(term, false).as_slice(),
                    [tag] if NAME_TAGS.iter().any(|n| tag.tag.starts_with(n)))
        } else {
            original.iter().any(|c| c.is_uppercase()) && term.chars().any(|c| c.is_alphabetic())
        }
    }

    /// Whether a normalized passage states something of the kind a question asks for: a
    /// number, an age (岁), a sum of money (元, 美元, 5毛), a date (a number with 月/日/号), a
    /// time (a number with 年/月/日, or 今年, 去年…), a school, a count (a number with the
    /// measure word asked for: 「四家」 for 「几家」), a place or a person (words the
    /// segmenter's dictionary tags as such; its tags are rough, 嘉宾 is a place to it, so
    /// these two are weak evidence and the decision model weighs them as such).
    pub fn mentions(&self, normalized: &str, kind: AnswerType) -> bool {
        const NUMERALS: &str = "一二三四五六七八九十百千万亿两";
        const TIME_WORDS: [&str; 8] = [
            "今年", "去年", "明年", "前夜", "月底", "年底", "当年", "年初",
        ];
        let numeral = |c: char| c.is_ascii_digit() || NUMERALS.contains(c);
        let chars: Vec<char> = normalized.chars().collect();
        // A number followed by one of `units`, allowing 「十多家」 and 「3.5万个」.
        let counted = |units: &str| {
            chars.iter().enumerate().any(|(i, &c)| {
                units.contains(c)
                    && chars[..i]
                        .iter()
                        .rev()
                        .skip_while(|&&p| "多余几.".contains(p))
                        .take(1)
                        .any(|&p| numeral(p))
            })
        };
        let any_of = |words: &[&str]| words.iter().any(|w| normalized.contains(w));
        // Tags from the dictionary (where the articles' own names are, tagged `nr`), not
        // jieba's HMM guesses for unknown words: loading that model cost the first who or
        // where question 24 ms, and the eval figures are the same without it.
        let tagged = |prefix: &str| {
            self.jieba
                .tag(normalized, false)
                .iter()
                .any(|t| t.tag.starts_with(prefix))
        };
        match kind {
            AnswerType::Number => chars.iter().any(|&c| numeral(c)),
            AnswerType::Age => counted("岁") || any_of(&["年龄", "年纪", "years old"]),
            AnswerType::Money => {
                counted("元块毛") || any_of(&["$", "¥", "美金", "人民币", "dollar", "yuan"])
            }
            AnswerType::Date => counted("月日号") || any_of(&["月底", "月初", "月中"]),
            AnswerType::Time => counted("年月日号天") || any_of(&TIME_WORDS),
            AnswerType::Education => any_of(&["大学", "学院", "学校", "毕业", "university"]),
            AnswerType::Count(measure) => counted(&measure.to_string()),
            AnswerType::Place => tagged("ns"),
            AnswerType::Person => tagged("nr"),
        }
    }

    /// An alphanumeric run, whole and in its parts (`qwen2.5` → `qwen`, `2.5`).
    fn push_alnum(&self, out: &mut impl TermSink, norm: &[char], start: usize, end: usize) {
        let run: String = norm[start..end].iter().collect();
        self.push_word(out, &run, start, end);
        let parts = alnum_parts(&norm[start..end]);
        if parts != [(0, end - start)] {
            for (s, e) in parts {
                let part: String = norm[start + s..start + e].iter().collect();
                self.push_word(out, &part, start + s, start + e);
            }
        }
    }

    fn push_word(&self, out: &mut impl TermSink, word: &str, start: usize, end: usize) {
        if word.trim().is_empty() || self.lexicon.is_stop_word(word) {
            return;
        }
        out.push(word, start, end);
    }
}

/// Character spans of consecutive Han segments that are not stop words.
fn content_spans(segments: &[Segment]) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for seg in segments.iter().filter(|s| s.han && !s.stop) {
        match spans.last_mut() {
            Some((_, end)) if *end == seg.start => *end = seg.end,
            _ => spans.push((seg.start, seg.end)),
        }
    }
    spans
}

/// Character spans where `term` occurs in `text`. A term must not be glued to letters
/// or digits of the same kind: `ai` is not found in `said`, nor `2` in `25`, but `qwen`
/// is found in `qwen2.5`.
pub fn term_positions(text: &str, term: &str) -> Vec<(usize, usize)> {
    TermFinder::new(term).positions(text)
}

/// [`term_positions`] of one term in many texts: the substring searcher is set up once,
/// not once per text (a question looks for each of its forms in every candidate).
pub struct TermFinder<'t> {
    finder: memchr::memmem::Finder<'t>,
    /// The term's first and last characters, and its length in characters.
    first: Option<char>,
    last: Option<char>,
    chars: usize,
}

impl<'t> TermFinder<'t> {
    pub fn new(term: &'t str) -> Self {
        TermFinder {
            finder: memchr::memmem::Finder::new(term),
            first: term.chars().next(),
            last: term.chars().next_back(),
            chars: term.chars().count(),
        }
    }

    /// The same finder, owning its term: for terms kept as long as the analyzer.
    pub fn into_owned(self) -> TermFinder<'static> {
        TermFinder {
            finder: self.finder.into_owned(),
            first: self.first,
            last: self.last,
            chars: self.chars,
        }
    }

    /// Character spans where the term occurs in `text`, as [`term_positions`] says.
    pub fn positions(&self, text: &str) -> Vec<(usize, usize)> {
        let len = self.finder.needle().len();
        if len == 0 {
            return Vec::new();
        }
        let glued = |a: Option<char>, b: Option<char>| matches!((a, b), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric());
        // Characters are counted from the previous match on, not from the start each time.
        let (mut counted_to, mut chars_before) = (0, 0);
        // Non-overlapping, left to right, as `str::match_indices`.
        self.finder
            .find_iter(text.as_bytes())
            .filter(|&i| {
                let before = text[..i].chars().next_back();
                let after = text[i + len..].chars().next();
                !glued(before, self.first) && !glued(after, self.last)
            })
            .map(|i| {
                chars_before += text[counted_to..i].chars().count();
                counted_to = i;
                (chars_before, chars_before + self.chars)
            })
            .collect()
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Splits normalized text into runs of Han characters and of alphanumerics; everything
/// else (punctuation, spaces, emoji) separates runs. Inside an alphanumeric run, `.`
/// between digits (`2.5`), `%` after a digit and `&` between letters (`r&d`) are kept.
fn runs(chars: &[char]) -> Vec<(RunKind, usize, usize)> {
    let kind_at = |i: usize| -> Option<RunKind> {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
        let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphabetic());
        let joins_alnum = c.is_alphanumeric()
            || (c == '.' && digit(prev) && digit(next))
            || (c == '%' && digit(prev))
            || (c == '&' && letter(prev) && letter(next));
        if is_han(c) {
            Some(RunKind::Han)
        } else if joins_alnum {
            Some(RunKind::Alnum)
        } else {
            None
        }
    };
    let mut out: Vec<(RunKind, usize, usize)> = Vec::new();
    for i in 0..chars.len() {
        let Some(kind) = kind_at(i) else { continue };
        match out.last_mut() {
            Some((k, _, end)) if *k == kind && *end == i => *end = i + 1,
            _ => out.push((kind, i, i + 1)),
        }
    }
    out
}

/// Letter and number parts of an alphanumeric run, two characters or more each
/// (`qwen2.5` → `qwen`, `2.5`; `97%` → `97`; `l4` → nothing).
fn alnum_parts(run: &[char]) -> Vec<(usize, usize)> {
    #[derive(PartialEq)]
    enum Class {
        Number,
        Symbol,
        Letter,
    }
    let class = |c: char| match c {
        '0'..='9' | '.' => Class::Number,
        '%' | '&' => Class::Symbol,
        _ => Class::Letter,
    };
    let mut parts: Vec<(usize, usize)> = Vec::new();
    for (i, &c) in run.iter().enumerate() {
        match parts.last_mut() {
            Some((s, e)) if *e == i && class(run[*s]) == class(c) => *e = i + 1,
            _ => parts.push((i, i + 1)),
        }
    }
    parts.retain(|(s, e)| e - s >= 2 && run[*s..*e].iter().any(|c| c.is_alphanumeric()));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        Analyzer::new(Lexicon::builtin())
    }

    fn terms(a: &Analyzer, text: &str, kind: TermKind) -> Vec<String> {
        a.terms(text, kind).into_iter().map(|t| t.term).collect()
    }

    const SAMPLES: [&str; 3] = [
        "通義大模型仍迎來了年度重磅發佈,Qwen2.5系列累計下載量已經突破4000萬",
        "而在“機器人的圖靈時刻”對話中,四家知名的人形機器人公司宇樹科技、星動紀元",
        "阿里雲智能集團董事長兼CEO吳泳銘,WES-5.4.5 與 AGI(通用人工智能)",
    ];

    #[test]
    fn words_are_jiebas_search_mode_over_the_base_segmentation() {
        let a = analyzer();
        for sample in SAMPLES {
            let norm: Vec<char> = a.normalize(sample).chars().collect();
            let mut search_mode: Vec<Token> = Vec::new();
            for (kind, start, end) in runs(&norm) {
                let run: String = norm[start..end].iter().collect();
                match kind {
                    RunKind::Han => {
                        for t in a.jieba.cut_for_search(&run, true) {
                            a.push_word(&mut search_mode, t.word, start + t.start, start + t.end);
                        }
                    }
                    RunKind::Alnum => a.push_alnum(&mut search_mode, &norm, start, end),
                }
            }
            let words = a.terms_of(&norm, &a.segments(&norm), TermKind::Words);
            assert!(words.len() > norm.len() / 3, "{words:?}");
            assert_eq!(words, search_mode, "{sample}");
        }
    }

    #[test]
    fn index_terms_are_the_terms_whatever_was_analyzed_before() {
        let a = analyzer();
        // Alternating texts and kinds: the segmentation kept from the last text must never
        // serve another.
        for sample in SAMPLES.iter().chain(SAMPLES.iter().rev()) {
            for kind in TermKind::ALL {
                let normalized = a.normalize(sample);
                let buffer = a.index_terms(&normalized, kind);
                let indexed: Vec<Token> = (0..buffer.len())
                    .map(|i| {
                        let (term, start, end) = buffer.get(i);
                        Token {
                            term: term.to_owned(),
                            start,
                            end,
                        }
                    })
                    .collect();
                assert!(!indexed.is_empty());
                assert_eq!(indexed, a.normalized_terms(&normalized, kind), "{kind:?}");
            }
        }
    }

    #[test]
    fn normalizing_twice_changes_no_term() {
        // Indexing feeds the tokenizers normalized text; it must analyze as the original.
        let a = analyzer();
        let text = "阿里雲CTO周靖人發布了Qwen2.5,下載量超過4000萬次。";
        for kind in TermKind::ALL {
            let terms = a.terms(text, kind);
            assert!(!terms.is_empty(), "{kind:?}");
            assert_eq!(a.terms(&a.normalize(text), kind), terms, "{kind:?}");
        }
    }

    #[test]
    fn traditional_and_simplified_analyze_alike() {
        let a = analyzer();
        for kind in TermKind::ALL {
            assert_eq!(
                terms(&a, "雲棲大會的生態", kind),
                terms(&a, "云栖大会的生态", kind)
            );
        }
        assert_eq!(
            terms(&a, "雲棲大會", TermKind::Chars),
            vec!["云", "栖", "大", "会"]
        );
    }

    #[test]
    fn homophone_typos_share_syllable_pairs() {
        let a = analyzer();
        assert_eq!(
            terms(&a, "吴咏铭", TermKind::Pinyin),
            terms(&a, "吳泳銘", TermKind::Pinyin)
        );
        assert!(terms(&a, "吴泳铭是谁", TermKind::Pinyin)
            .iter()
            .all(|t| t != "ming_shi"));
    }

    #[test]
    fn alphanumerics_are_kept_whole_and_in_parts() {
        let a = analyzer();
        let words = terms(
            &a,
            "Qwen2.5下載量突破4000萬，降了97%，L4 與 R&D",
            TermKind::Words,
        );
        for expected in ["qwen2.5", "qwen", "2.5", "4000", "97%", "97", "l4", "r&d"] {
            assert!(
                words.iter().any(|w| w == expected),
                "{expected} missing from {words:?}"
            );
        }
        let chars = terms(&a, "Qwen2.5下載", TermKind::Chars);
        assert_eq!(chars, vec!["qwen2.5", "qwen", "2.5", "下", "载"]);
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let a = analyzer();
        let text = "阿里雲百鍊上的調用價格";
        let chars: Vec<char> = text.chars().collect();
        for kind in [TermKind::Words, TermKind::Chars] {
            for t in a.terms(text, kind) {
                let original: String = chars[t.start..t.end].iter().collect();
                assert_eq!(a.normalize(&original), t.term);
            }
        }
    }

    #[test]
    fn the_user_dictionary_keeps_domain_words_whole() {
        let plain = analyzer();
        let text = "持續的以價換量";
        assert!(!terms(&plain, text, TermKind::Words).contains(&"以价换量".to_owned()));
        let mut lexicon = Lexicon::builtin();
        lexicon.user_words = vec![("以价换量".to_owned(), None)];
        let tuned = Analyzer::new(lexicon);
        assert!(terms(&tuned, text, TermKind::Words).contains(&"以价换量".to_owned()));
    }

    #[test]
    fn passages_are_checked_for_the_kind_of_answer_asked() {
        let a = analyzer();
        let says = |text: &str, kind| a.mentions(&a.normalize(text), kind);
        assert!(says("下載量突破4000萬", AnswerType::Number));
        assert!(!says("嘉賓的發言都精彩", AnswerType::Number));
        assert!(says("2023年的雲棲大會", AnswerType::Time));
        assert!(!says("下載量突破4000萬", AnswerType::Time));
        assert!(says("大會在杭州舉行", AnswerType::Place));
        assert!(!says("發言都精彩", AnswerType::Place));
        assert!(says("創始人何小鵬表示", AnswerType::Person));
        assert!(says("每年投入35億元", AnswerType::Money));
        assert!(!says("下載量突破4000萬", AnswerType::Money));
        assert!(says("今年54歲", AnswerType::Age));
        assert!(!says("2023年的雲棲大會", AnswerType::Age));
        assert!(says("當年10月底", AnswerType::Date));
        assert!(!says("2023年的雲棲大會", AnswerType::Date));
        assert!(says("四家知名的人形機器人廠商", AnswerType::Count('家')));
        assert!(says("十多家企業", AnswerType::Count('家')));
        assert!(!says("廠家都來了", AnswerType::Count('家')));
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(term_positions("who is the ceo", "ceo"), vec![(11, 14)]);
        assert!(term_positions("he said so", "ai").is_empty());
        assert_eq!(term_positions("问通义千问", "通义"), vec![(1, 3)]);
        let finder = TermFinder::new("通义");
        assert_eq!(finder.positions("问通义千问通义"), vec![(1, 3), (5, 7)]);
        assert_eq!(finder.positions("通义通义"), vec![(0, 2), (2, 4)]);
        assert_eq!(
            TermFinder::new("aa").positions("aaa aa"),
            vec![(4, 6)],
            "a match glued to letters is dropped, and matches do not overlap"
        );
        assert!(TermFinder::new("").positions("abc").is_empty());
    }
}
