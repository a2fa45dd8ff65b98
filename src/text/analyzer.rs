//! The one analysis that passages and questions both go through, so they cannot drift:
//! normalize (width, case, Traditional → Simplified), split into Han and alphanumeric
//! runs, segment Han runs with jieba and cut them into character bigrams, drop stop words.

use std::collections::HashSet;
use std::path::Path;

use jieba_rs::Jieba;

use super::lexicon::Lexicon;
use super::normalize::Normalizer;
use super::TextError;

/// One term of analyzed text with its character span in the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    /// Character offsets (not bytes) into the analyzed text.
    pub start: usize,
    pub end: usize,
}

/// Text analyzed once: see [`Analyzer::analyze`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// Aligned character for character with the text.
    pub normalized: String,
    pub words: Vec<Token>,
    pub bigrams: Vec<Token>,
}

/// One term of a question, for retrieval.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub term: String,
    /// A character bigram rather than a word.
    pub bigram: bool,
    /// 1 for what the asker wrote, less for what an alias added.
    pub weight: f32,
    /// Index of the concept the term stands for in [`QueryTerms::concepts`]; `None` for
    /// a bigram across two words, which helps ranking but is not something asked about.
    pub concept: Option<usize>,
}

/// Something the question asks about: a content word of the question, or an alias
/// occurrence with the words it overlaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// Normalized forms that, found in a passage, cover the concept: the question's own
    /// word, and an alias group's members (`xpeng`, `小鹏`, `小鹏汽车`).
    pub surfaces: Vec<String>,
    /// The asker's word looks like a name (see `Analyzer::question`).
    pub name: bool,
}

/// The de-duplicated terms of a question and the concepts they stand for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryTerms {
    pub terms: Vec<QueryTerm>,
    pub concepts: Vec<Concept>,
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn push(&mut self, term: QueryTerm) {
        if !self
            .terms
            .iter()
            .any(|t| t.term == term.term && t.bigram == term.bigram)
        {
            self.terms.push(term);
        }
    }
}

/// Weight of a term that an alias group contributed rather than the asker.
const ALIAS_WEIGHT: f32 = 0.7;

/// Built once per process (the jieba dictionary alone takes ~80 ms and ~30 MB) and
/// shared behind an `Arc`.
pub struct Analyzer {
    normalizer: Normalizer,
    jieba: Jieba,
    lexicon: Lexicon,
}

/// One word of the base segmentation, as a character span of normalized text.
struct Segment {
    start: usize,
    end: usize,
    han: bool,
    stop: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum RunKind {
    Han,
    Alnum,
}

impl Analyzer {
    pub fn new(lexicon: Lexicon) -> Self {
        Self::with_normalizer(Normalizer::new(), lexicon)
    }

    /// Loads the lexicon that lives in `data_dir` (entries normalized like any text).
    pub fn for_data_dir(data_dir: &Path) -> Result<Self, TextError> {
        let normalizer = Normalizer::new();
        let lexicon_dir = data_dir.join(super::lexicon::LEXICON_DIR);
        let lexicon = Lexicon::load(&lexicon_dir, |s| normalizer.normalize(s))?;
        Ok(Self::with_normalizer(normalizer, lexicon))
    }

    fn with_normalizer(normalizer: Normalizer, lexicon: Lexicon) -> Self {
        let mut jieba = Jieba::new();
        for (word, freq) in &lexicon.user_words {
            jieba.add_word(word, *freq, None);
        }
        Analyzer {
            normalizer,
            jieba,
            lexicon,
        }
    }

    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Normalized text, aligned character for character with `text`.
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// Normalizes and segments `text` once, for callers that need its words, its bigrams
    /// and its normalized form alike.
    pub fn analyze(&self, text: &str) -> Analysis {
        let normalized = self.normalize(text);
        let norm: Vec<char> = normalized.chars().collect();
        let segments = self.segments(&norm);
        Analysis {
            words: self.words_of(&norm),
            bigrams: self.bigrams_of(&norm, &segments),
            normalized,
        }
    }

    /// Word terms: jieba's search-mode segmentation of Han runs (compounds and their
    /// parts) plus alphanumeric terms (`qwen2.5`, `97%`, `l4`) and their parts.
    pub fn words(&self, text: &str) -> Vec<Token> {
        let norm: Vec<char> = self.normalize(text).chars().collect();
        self.words_of(&norm)
    }

    fn words_of(&self, norm: &[char]) -> Vec<Token> {
        let mut out = Vec::new();
        for (kind, start, end) in runs(norm) {
            let run: String = norm[start..end].iter().collect();
            match kind {
                RunKind::Han => {
                    for t in self.jieba.cut_for_search(&run, true) {
                        self.push_word(&mut out, t.word, start + t.start, start + t.end);
                    }
                }
                RunKind::Alnum => {
                    self.push_word(&mut out, &run, start, end);
                    let parts = alnum_parts(&norm[start..end]);
                    if parts != [(0, end - start)] {
                        for (s, e) in parts {
                            let part: String = norm[start + s..start + e].iter().collect();
                            self.push_word(&mut out, &part, start + s, start + e);
                        }
                    }
                }
            }
        }
        out
    }

    /// Overlapping character bigrams of Han text: they match names and compounds that the
    /// segmenter splits differently in a question and in a passage. Stop words cut the
    /// text into content spans first, so no bigram straddles a question word (`是谁`,
    /// `书是`): such bigrams match nothing and would only make a question look unanswered.
    pub fn bigrams(&self, text: &str) -> Vec<Token> {
        let norm: Vec<char> = self.normalize(text).chars().collect();
        self.bigrams_of(&norm, &self.segments(&norm))
    }

    fn bigrams_of(&self, norm: &[char], segments: &[Segment]) -> Vec<Token> {
        let mut out = Vec::new();
        let mut span: Option<(usize, usize)> = None;
        for seg in segments {
            let extends = span.is_some_and(|(_, end)| end == seg.start);
            if seg.han && !seg.stop {
                span = match span {
                    Some((start, _)) if extends => Some((start, seg.end)),
                    _ => {
                        if let Some((start, end)) = span {
                            self.push_bigrams(&mut out, norm, start, end);
                        }
                        Some((seg.start, seg.end))
                    }
                };
            } else if let Some((start, end)) = span.take() {
                self.push_bigrams(&mut out, norm, start, end);
            }
        }
        if let Some((start, end)) = span {
            self.push_bigrams(&mut out, norm, start, end);
        }
        out
    }

    fn push_bigrams(&self, out: &mut Vec<Token>, norm: &[char], start: usize, end: usize) {
        for i in start..end.saturating_sub(1) {
            let term: String = norm[i..i + 2].iter().collect();
            if self.lexicon.has_particle(&term) || self.lexicon.is_stop_word(&term) {
                continue;
            }
            out.push(Token {
                term,
                start: i,
                end: i + 2,
            });
        }
    }

    /// The base segmentation of normalized text: jieba's words for Han runs, whole
    /// alphanumeric runs, each marked if it is a stop word.
    fn segments(&self, norm: &[char]) -> Vec<Segment> {
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

    /// The weighted, de-duplicated terms of a question, grouped into concepts, with
    /// alias expansions.
    ///
    /// Each content word of the question's base segmentation is a concept; the search-mode
    /// parts of a word (通义千问 → 通义, 千问) and the bigrams inside it belong to it, so a
    /// passage matching them all still covers one concept, not three. An alias occurrence
    /// and the words it overlaps form one concept with the alias's other members. Bigrams
    /// that straddle two words help retrieval but belong to no concept.
    pub fn question(&self, question: &str) -> QueryTerms {
        let norm_text = self.normalize(question);
        let norm: Vec<char> = norm_text.chars().collect();
        // Where alias members occur in the question (character spans) and their group.
        let occurrences: Vec<(usize, usize, usize)> = self
            .lexicon
            .alias_groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| {
                group
                    .iter()
                    .flat_map(|member| term_positions(&norm_text, member))
                    .map(move |(s, e)| (s, e, g))
            })
            .collect();
        // The longest match wins: `阿里` inside `阿里云` is not a second alias.
        let occurrences: Vec<(usize, usize, usize)> = occurrences
            .iter()
            .filter(|&&(s, e, _)| {
                !occurrences
                    .iter()
                    .any(|&(s2, e2, _)| s2 <= s && e <= e2 && e2 - s2 > e - s)
            })
            .copied()
            .collect();

        let original: Vec<char> = question.chars().collect();
        let segments = self.segments(&norm);
        let first_word_start = segments.iter().find(|s| !s.stop).map(|s| s.start);
        let span_text = |start: usize, end: usize| norm[start..end].iter().collect::<String>();
        let looks_like_name = |start: usize, end: usize| {
            let excused = Some(start) == first_word_start && original[start].is_ascii();
            !excused && self.looks_like_name(&span_text(start, end), &original[start..end])
        };

        // Concepts: one per alias occurrence first, then one per other content word.
        let mut terms = QueryTerms::default();
        let mut spans: Vec<(usize, usize, usize)> = Vec::new(); // (start, end, concept)
        for &(s, e, group) in &occurrences {
            let mut surfaces = vec![span_text(s, e)];
            surfaces.extend(self.lexicon.alias_groups[group].iter().cloned());
            spans.push((s, e, terms.concepts.len()));
            terms.concepts.push(Concept {
                surfaces,
                name: false,
            });
        }
        for seg in segments.iter().filter(|s| !s.stop) {
            let alias = occurrences
                .iter()
                .position(|&(s, e, _)| seg.start < e && s < seg.end);
            match alias {
                Some(k) => {
                    terms.concepts[k].name |= looks_like_name(seg.start, seg.end);
                    spans.push((seg.start, seg.end, k));
                }
                None => {
                    spans.push((seg.start, seg.end, terms.concepts.len()));
                    terms.concepts.push(Concept {
                        surfaces: vec![span_text(seg.start, seg.end)],
                        name: looks_like_name(seg.start, seg.end),
                    });
                }
            }
        }
        let concept_of = |start: usize, end: usize, nested_only: bool| {
            spans
                .iter()
                .find(|&&(s, e, _)| {
                    (s <= start && end <= e) || (!nested_only && start < e && s < end)
                })
                .map(|&(_, _, c)| c)
        };

        let words = self.words_of(&norm).into_iter().map(|t| (t, false));
        let bigrams = self.bigrams_of(&norm, &segments).into_iter();
        for (t, bigram) in words.chain(bigrams.map(|t| (t, true))) {
            terms.push(QueryTerm {
                concept: concept_of(t.start, t.end, bigram),
                term: t.term,
                bigram,
                weight: 1.0,
            });
        }
        let mut expanded_groups = HashSet::new();
        for (k, &(_, _, group)) in occurrences.iter().enumerate() {
            if !expanded_groups.insert(group) {
                continue;
            }
            for member in &self.lexicon.alias_groups[group] {
                let Analysis { words, bigrams, .. } = self.analyze(member);
                let words = words.into_iter().map(|t| (t, false));
                for (t, bigram) in words.chain(bigrams.into_iter().map(|t| (t, true))) {
                    terms.push(QueryTerm {
                        term: t.term,
                        bigram,
                        weight: ALIAS_WEIGHT,
                        concept: Some(k),
                    });
                }
            }
        }
        terms
    }

    /// Whether a question word looks like a name rather than an everyday word: a Han word
    /// the segmenter's dictionary tags as a person, place, organization or product
    /// (特斯拉, 上海), or a capitalized Latin word (NBA, APP, Tesla). Han words missing from
    /// the dictionary are not counted: most are fragments the segmenter guessed (降得).
    /// The caller excuses a capitalized first word, which may just start a sentence.
    fn looks_like_name(&self, term: &str, original: &[char]) -> bool {
        if term.chars().all(is_han) {
            const NAME_TAGS: [&str; 4] = ["nr", "ns", "nt", "nz"];
            self.jieba.has_word(term)
                && matches!(self.jieba.tag(term, false).as_slice(),
                    [tag] if NAME_TAGS.iter().any(|n| tag.tag.starts_with(n)))
        } else {
            original.iter().any(|c| c.is_uppercase()) && term.chars().any(|c| c.is_alphabetic())
        }
    }

    fn push_word(&self, out: &mut Vec<Token>, word: &str, start: usize, end: usize) {
        if word.trim().is_empty() || self.lexicon.is_stop_word(word) {
            return;
        }
        out.push(Token {
            term: word.to_owned(),
            start,
            end,
        });
    }
}

/// Character spans where `term` occurs in `text`. A term must not be glued to letters
/// or digits of the same kind: `ai` is not found in `said`, nor `2` in `25`, but `qwen`
/// is found in `qwen2.5`.
pub fn term_positions(text: &str, term: &str) -> Vec<(usize, usize)> {
    if term.is_empty() {
        return Vec::new();
    }
    let glued = |a: Option<char>, b: Option<char>| matches!((a, b), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric());
    text.match_indices(term)
        .filter(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + term.len()..].chars().next();
            !glued(before, term.chars().next()) && !glued(after, term.chars().next_back())
        })
        .map(|(i, _)| {
            let start = text[..i].chars().count();
            (start, start + term.chars().count())
        })
        .collect()
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

    fn terms(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.term.as_str()).collect()
    }

    #[test]
    fn traditional_and_simplified_analyze_alike() {
        let a = analyzer();
        assert_eq!(
            terms(&a.words("雲棲大會的生態")),
            terms(&a.words("云栖大会的生态"))
        );
        assert_eq!(terms(&a.bigrams("雲棲大會")), vec!["云栖", "栖大", "大会"]);
    }

    #[test]
    fn analyze_agrees_with_words_bigrams_and_normalize() {
        let a = analyzer();
        let text = "通義千問API在阿里雲百鍊上的調用價格下降了97%";
        let analysis = a.analyze(text);
        assert_eq!(analysis.words, a.words(text));
        assert_eq!(analysis.bigrams, a.bigrams(text));
        assert_eq!(analysis.normalized, a.normalize(text));
    }

    #[test]
    fn alphanumerics_are_kept_whole_and_in_parts() {
        let a = analyzer();
        let words = a.words("Qwen2.5下載量突破4000萬，降了97%，L4 與 R&D");
        let words = terms(&words);
        for expected in ["qwen2.5", "qwen", "2.5", "4000", "97%", "97", "l4", "r&d"] {
            assert!(
                words.contains(&expected),
                "{expected} missing from {words:?}"
            );
        }
    }

    #[test]
    fn question_words_and_particles_are_dropped() {
        let a = analyzer();
        let q = a.question("Qwen2.5下载量是多少呢？");
        let all: HashSet<&str> = q.terms.iter().map(|t| t.term.as_str()).collect();
        assert!(all.contains("下载量") || all.contains("下载"), "{all:?}");
        for stop in ["多少", "呢", "是", "少呢"] {
            assert!(!all.contains(stop), "{stop} in {all:?}");
        }
    }

    #[test]
    fn spans_point_into_the_original_text() {
        let a = analyzer();
        let text = "阿里雲百鍊上的調用價格";
        let chars: Vec<char> = text.chars().collect();
        for t in a.words(text).iter().chain(&a.bigrams(text)) {
            let original: String = chars[t.start..t.end].iter().collect();
            assert_eq!(a.normalize(&original), t.term);
        }
    }

    #[test]
    fn aliases_expand_questions() {
        let mut lexicon = Lexicon::builtin();
        lexicon.alias_groups = vec![vec!["xpeng".into(), "小鹏".into()]];
        let a = Analyzer::new(lexicon);
        let q = a.question("How much does XPeng invest?");
        let xpeng = q
            .terms
            .iter()
            .find(|t| t.term == "xpeng")
            .expect("asker's term");
        let expansion = q
            .terms
            .iter()
            .find(|t| t.term == "小鹏")
            .expect("alias term");
        assert!(expansion.weight < 1.0);
        assert_eq!(expansion.concept, xpeng.concept);
        let concept = &q.concepts[xpeng.concept.expect("has a concept")];
        assert_eq!(concept.surfaces, vec!["xpeng", "xpeng", "小鹏"]);
        let invest = q
            .terms
            .iter()
            .find(|t| t.term == "invest")
            .expect("other term");
        assert_ne!(invest.concept, xpeng.concept);
        let none = a.question("what did he say");
        assert!(!none.terms.iter().any(|t| t.term == "小鹏"));
    }

    #[test]
    fn names_are_told_from_everyday_words() {
        let a = analyzer();
        let names = |q: &str| -> Vec<String> {
            let concepts = a.question(q).concepts.into_iter();
            concepts
                .filter(|c| c.name)
                .map(|c| c.surfaces[0].clone())
                .collect()
        };
        assert_eq!(names("特斯拉的自动驾驶"), vec!["特斯拉"]);
        assert_eq!(names("上海今天多少度"), vec!["上海"]);
        assert_eq!(names("通义千问APP怎么下载"), vec!["app"]);
        // A capitalized first word only starts the sentence.
        assert!(names("Download the app").is_empty());
        for everyday in [
            "第一场圆桌的名单",
            "推理成本降得比去年还快",
            "艰难繁巨的工作谁来做",
        ] {
            assert!(
                names(everyday).is_empty(),
                "{everyday}: {:?}",
                names(everyday)
            );
        }
    }

    #[test]
    fn the_user_dictionary_keeps_domain_words_whole() {
        let plain = analyzer();
        let text = "持續的以價換量";
        assert!(
            !terms(&plain.words(text)).contains(&"以价换量"),
            "{:?}",
            terms(&plain.words(text))
        );
        let mut lexicon = Lexicon::builtin();
        lexicon.user_words = vec![("以价换量".to_owned(), None)];
        let tuned = Analyzer::new(lexicon);
        assert!(terms(&tuned.words(text)).contains(&"以价换量"));
    }

    #[test]
    fn empty_and_punctuation_only_questions_have_no_terms() {
        let a = analyzer();
        for q in ["", "   ", "？？！", "👀", "什么？"] {
            assert!(a.question(q).is_empty(), "{q:?}");
        }
    }

    #[test]
    fn alias_terms_match_whole_words_only() {
        assert_eq!(term_positions("who is the ceo", "ceo"), vec![(11, 14)]);
        assert!(term_positions("he said so", "ai").is_empty());
        assert_eq!(term_positions("问通义千问", "通义"), vec![(1, 3)]);
    }
}
