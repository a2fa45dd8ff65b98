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

/// One term of a question. Terms that stand for the same thing share a `concept`: an
/// alias group's members and the question words it was recognized in (`xpeng` and the
/// `小鹏` it expands to), so matching any of them counts as matching that concept.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub term: String,
    /// A character bigram rather than a word.
    pub bigram: bool,
    /// 1 for what the asker wrote, less for what an alias added.
    pub weight: f32,
    pub concept: usize,
}

/// The de-duplicated terms of a question.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryTerms {
    pub terms: Vec<QueryTerm>,
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Every distinct term, words and bigrams together.
    pub fn all_terms(&self) -> HashSet<&str> {
        self.terms.iter().map(|t| t.term.as_str()).collect()
    }

    fn push(&mut self, term: String, bigram: bool, weight: f32, concept: usize) {
        if !self
            .terms
            .iter()
            .any(|t| t.term == term && t.bigram == bigram)
        {
            self.terms.push(QueryTerm {
                term,
                bigram,
                weight,
                concept,
            });
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

#[derive(Clone, Copy, PartialEq)]
enum RunKind {
    Han,
    Alnum,
}

impl Analyzer {
    pub fn new(lexicon: Lexicon) -> Self {
        Self::with_normalizer(Normalizer::new(), lexicon)
    }

    /// Loads the lexicon files in `lexicon_dir` (entries normalized like any text).
    pub fn load(lexicon_dir: &Path) -> Result<Self, TextError> {
        let normalizer = Normalizer::new();
        let lexicon = Lexicon::load(lexicon_dir, |s| normalizer.normalize(s))?;
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

    /// Word terms: jieba's search-mode segmentation of Han runs (compounds and their
    /// parts) plus alphanumeric terms (`qwen2.5`, `97%`, `l4`) and their parts.
    pub fn words(&self, text: &str) -> Vec<Token> {
        let norm: Vec<char> = self.normalize(text).chars().collect();
        let mut out = Vec::new();
        for (kind, start, end) in runs(&norm) {
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
                    if parts.len() > 1 {
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

    /// Overlapping character bigrams of Han runs: they match names and compounds that the
    /// segmenter splits differently in a question and in a passage.
    pub fn bigrams(&self, text: &str) -> Vec<Token> {
        let norm: Vec<char> = self.normalize(text).chars().collect();
        let mut out = Vec::new();
        for (kind, start, end) in runs(&norm) {
            if kind != RunKind::Han {
                continue;
            }
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
        out
    }

    /// The weighted, de-duplicated terms of a question, with alias expansions.
    pub fn question(&self, question: &str) -> QueryTerms {
        let norm = self.normalize(question);
        // Where alias members occur in the question (character spans) and their group.
        let occurrences: Vec<(usize, usize, usize)> = self
            .lexicon
            .alias_groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| {
                group
                    .iter()
                    .flat_map(|member| term_positions(&norm, member))
                    .map(move |(s, e)| (s, e, g))
            })
            .collect();
        let mut concept_of_occurrence: Vec<Option<usize>> = vec![None; occurrences.len()];
        let mut next_concept = 0;
        let mut concept_for = |start: usize, end: usize| {
            let overlapping = occurrences
                .iter()
                .position(|&(s, e, _)| start < e && s < end);
            let slot = match overlapping {
                Some(k) => &mut concept_of_occurrence[k],
                None => return next_concept_id(&mut next_concept),
            };
            *slot.get_or_insert_with(|| next_concept_id(&mut next_concept))
        };

        let mut terms = QueryTerms::default();
        for (tokens, bigram) in [
            (self.words(question), false),
            (self.bigrams(question), true),
        ] {
            for t in tokens {
                let concept = concept_for(t.start, t.end);
                terms.push(t.term, bigram, 1.0, concept);
            }
        }
        let mut expanded_groups = HashSet::new();
        for &(s, e, group) in &occurrences {
            if !expanded_groups.insert(group) {
                continue;
            }
            let concept = concept_for(s, e);
            for member in &self.lexicon.alias_groups[group] {
                for t in self.words(member) {
                    terms.push(t.term, false, ALIAS_WEIGHT, concept);
                }
                for t in self.bigrams(member) {
                    terms.push(t.term, true, ALIAS_WEIGHT, concept);
                }
            }
        }
        terms
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

fn next_concept_id(next: &mut usize) -> usize {
    *next += 1;
    *next - 1
}

/// Character spans where `term` occurs in `text`; an alphanumeric term must stand alone
/// (`ai` is not found in `said`).
fn term_positions(text: &str, term: &str) -> Vec<(usize, usize)> {
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

pub(crate) fn is_han(c: char) -> bool {
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
        if is_han(c) {
            Some(RunKind::Han)
        } else if c.is_alphanumeric() {
            Some(RunKind::Alnum)
        } else if c == '.'
            && prev.is_some_and(|p| p.is_ascii_digit())
            && next.is_some_and(|n| n.is_ascii_digit())
        {
            Some(RunKind::Alnum)
        } else if c == '%' && prev.is_some_and(|p| p.is_ascii_digit()) {
            Some(RunKind::Alnum)
        } else if c == '&'
            && prev.is_some_and(|p| p.is_alphabetic())
            && next.is_some_and(|n| n.is_alphabetic())
        {
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

/// Letter and digit parts of an alphanumeric run, two characters or more each
/// (`qwen2.5` → `qwen`, `2.5`; `l4` → nothing).
fn alnum_parts(run: &[char]) -> Vec<(usize, usize)> {
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let is_digitish = |c: char| c.is_ascii_digit() || c == '.' || c == '%';
    for (i, &c) in run.iter().enumerate() {
        match parts.last_mut() {
            Some((s, e)) if *e == i && is_digitish(run[*s]) == is_digitish(c) => *e = i + 1,
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
        let all = q.all_terms();
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
