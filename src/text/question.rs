//! Question analysis: the terms that search for a question, the units it asks about
//! (which a passage covers or not), and its focus, the thing it asks for.

use std::collections::HashMap;

use super::lexicon::AnswerType;
use super::segment::{is_han, Analyzer, Segment, TermKind};

/// Weight of a search term that an alias or a dictionary translation contributed rather
/// than the asker: evidence, but second-hand.
const ALTERNATIVE_WEIGHT: f32 = 0.6;
/// Translations kept for an English word or phrase, best first (the glossary keeps up to
/// eight). Each one adds terms to look up and forms to find in every candidate, and the
/// long English questions were the slowest of all; on the tune set four rank as well as
/// eight (R@1 0.827 either way, English R@1 0.615), and the holdout's p99 drops from 0.62
/// to 0.46 ms.
const TRANSLATIONS_PER_WORD: usize = 4;

/// One search term of a question.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryTerm {
    pub kind: TermKind,
    pub term: String,
    /// 1 for what the asker wrote, less for what an alias or a translation added.
    pub weight: f32,
}

/// Something the question asks about: one content word, or an alias occurrence with the
/// words it overlaps, or an English word or phrase with its translations.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// Normalized, as asked (`吴泳铭`, `qwen2.5`, `download`).
    pub surface: String,
    /// Other forms that cover it when found in a passage: alias members, translations.
    pub alternatives: Vec<String>,
    /// Syllable pairs of a Han surface: a passage that has them covers the unit in part,
    /// which is how a homophone typo of a name still counts.
    pub pinyin: Vec<String>,
    /// Looks like a name (see `Analyzer::looks_like_name`).
    pub name: bool,
    /// Letters or digits rather than Han characters.
    pub alphanumeric: bool,
    /// Its alternatives are dictionary translations, which are looser than aliases: a
    /// word has several, and one of them may occur by chance (`ok` → 确定).
    pub translated: bool,
}

impl Unit {
    /// Every form that covers the unit fully.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.surface.as_str()).chain(self.alternatives.iter().map(String::as_str))
    }

    pub fn is_single_char(&self) -> bool {
        self.surface.chars().count() == 1
    }
}

/// An analyzed question.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryTerms {
    pub terms: Vec<QueryTerm>,
    pub units: Vec<Unit>,
    /// The unit nearest to the question word (`融资` in 「融资了多少」, `大学` in
    /// 「毕业于哪所大学」): what the answer must state, not merely mention.
    pub focus: Option<usize>,
    /// The kind of answer asked for (多少 a number, 谁 a person, 哪里 a place, 何时 a time).
    pub answer_type: Option<AnswerType>,
}

impl QueryTerms {
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn push(&mut self, kind: TermKind, term: String, weight: f32) {
        match self
            .terms
            .iter_mut()
            .find(|t| t.kind == kind && t.term == term)
        {
            Some(t) => t.weight = t.weight.max(weight),
            None => self.terms.push(QueryTerm { kind, term, weight }),
        }
    }
}

impl Analyzer {
    /// Analyzes a question: search terms of every kind, its units and its focus.
    pub fn question(&self, question: &str) -> QueryTerms {
        let norm_text = self.normalize(question);
        let norm: Vec<char> = norm_text.chars().collect();
        let original: Vec<char> = question.chars().collect();
        let segments = self.segments(&norm);
        let span_text = |start: usize, end: usize| norm[start..end].iter().collect::<String>();

        let mut q = QueryTerms::default();
        for kind in TermKind::ALL {
            for t in self.terms_of(&norm, &segments, kind) {
                q.push(kind, t.term, 1.0);
            }
        }

        let aliases = self.alias_occurrences(&norm_text);
        // Only the word the question starts with may be capitalized for that reason alone.
        let first_word = norm.iter().position(|c| c.is_alphanumeric());
        // Which unit each segment belongs to, for finding the focus.
        let mut unit_of_segment: Vec<Option<usize>> = vec![None; segments.len()];
        let mut alias_units: HashMap<usize, usize> = HashMap::new(); // alias occurrence → unit
        let mut i = 0;
        while i < segments.len() {
            let seg = segments[i];
            if seg.stop {
                i += 1;
                continue;
            }
            let surface = span_text(seg.start, seg.end);
            // A lone letter is a fragment (the `s` of `alibaba's`), not something asked about.
            if !seg.han
                && surface.chars().count() == 1
                && !surface.chars().all(|c| c.is_ascii_digit())
            {
                i += 1;
                continue;
            }
            // A capitalized first word may just start the sentence.
            let excused = Some(seg.start) == first_word && original[seg.start].is_ascii();
            let name = !excused && self.looks_like_name(&surface, &original[seg.start..seg.end]);
            if let Some(k) = aliases
                .iter()
                .position(|&(s, e, _)| seg.start < e && s < seg.end)
            {
                let unit = *alias_units.entry(k).or_insert_with(|| {
                    let (s, e, group) = aliases[k];
                    q.units.push(Unit {
                        surface: span_text(s, e),
                        alternatives: self.lexicon.alias_groups[group].clone(),
                        pinyin: Vec::new(),
                        name: false,
                        alphanumeric: !norm[s..e].iter().copied().any(is_han),
                        translated: false,
                    });
                    q.units.len() - 1
                });
                q.units[unit].name |= name;
                unit_of_segment[i] = Some(unit);
                i += 1;
                continue;
            }
            let (surface, end, alternatives) = if seg.han {
                (surface, i + 1, Vec::new())
            } else {
                self.english_unit(&norm, &segments, i)
            };
            let pinyin = self.syllable_pairs(&surface);
            q.units.push(Unit {
                surface,
                translated: !alternatives.is_empty(),
                alternatives,
                pinyin,
                name,
                alphanumeric: !seg.han,
            });
            for slot in &mut unit_of_segment[i..end] {
                *slot = Some(q.units.len() - 1);
            }
            i = end;
        }

        let alternatives: Vec<String> = q
            .units
            .iter()
            .flat_map(|u| u.alternatives.iter().cloned())
            .collect();
        for alternative in &alternatives {
            let alt: Vec<char> = alternative.chars().collect();
            let alt_segments = self.segments(&alt);
            for kind in TermKind::ALL {
                for t in self.terms_of(&alt, &alt_segments, kind) {
                    q.push(kind, t.term, ALTERNATIVE_WEIGHT);
                }
            }
        }
        q.focus = self.focus(&norm, &segments, &unit_of_segment);
        let words: Vec<String> = segments
            .iter()
            .map(|s| norm[s.start..s.end].iter().collect())
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        q.answer_type = self.lexicon.answer_type(&words);
        q
    }

    /// Where alias members occur in the normalized question, as (start, end, group); the
    /// longest match wins: `阿里` inside `阿里云` is not a second alias.
    fn alias_occurrences(&self, norm_text: &str) -> Vec<(usize, usize, usize)> {
        let all: Vec<(usize, usize, usize)> = self
            .alias_finders
            .iter()
            .enumerate()
            .flat_map(|(g, group)| {
                group
                    .iter()
                    .flat_map(|member| member.positions(norm_text))
                    .map(move |(s, e)| (s, e, g))
            })
            .collect();
        all.iter()
            .filter(|&&(s, e, _)| {
                !all.iter()
                    .any(|&(s2, e2, _)| s2 <= s && e <= e2 && e2 - s2 > e - s)
            })
            .copied()
            .collect()
    }

    /// An English word, or a two-word phrase the dictionary knows (`open source`), with
    /// its translations; returns the surface, the segment after it and the translations.
    fn english_unit(
        &self,
        norm: &[char],
        segments: &[Segment],
        i: usize,
    ) -> (String, usize, Vec<String>) {
        let text = |s: &Segment| norm[s.start..s.end].iter().collect::<String>();
        let word = text(&segments[i]);
        if let Some(next) = segments.get(i + 1).filter(|s| !s.han) {
            let second = text(next);
            let phrase = self.glossary.lookup_phrase(&word, &second);
            if !phrase.is_empty() {
                let phrase = phrase
                    .into_iter()
                    .take(TRANSLATIONS_PER_WORD)
                    .map(str::to_owned)
                    .collect();
                return (format!("{word} {second}"), i + 2, phrase);
            }
        }
        let translations = self
            .glossary
            .lookup(&word)
            .into_iter()
            .take(TRANSLATIONS_PER_WORD)
            .map(str::to_owned)
            .collect();
        (word, i + 1, translations)
    }

    /// The unit nearest to a question word, counting segments; on a tie the one after it
    /// (「哪所大学」 asks for a 大学).
    fn focus(
        &self,
        norm: &[char],
        segments: &[Segment],
        unit_of_segment: &[Option<usize>],
    ) -> Option<usize> {
        let text = |s: &Segment| norm[s.start..s.end].iter().collect::<String>();
        let asking = segments
            .iter()
            .position(|s| self.lexicon.is_question_word(&text(s)))?;
        let after =
            (asking + 1..segments.len()).find_map(|j| unit_of_segment[j].map(|u| (j - asking, u)));
        let before = (0..asking)
            .rev()
            .find_map(|j| unit_of_segment[j].map(|u| (asking - j, u)));
        match (before, after) {
            (Some((db, b)), Some((da, a))) => Some(if da <= db { a } else { b }),
            (Some((_, u)), None) | (None, Some((_, u))) => Some(u),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Lexicon;

    fn analyzer() -> Analyzer {
        Analyzer::new(Lexicon::builtin())
    }

    fn surfaces(q: &QueryTerms) -> Vec<&str> {
        q.units.iter().map(|u| u.surface.as_str()).collect()
    }

    #[test]
    fn question_words_and_particles_are_dropped() {
        let a = analyzer();
        let q = a.question("Qwen2.5下载量是多少呢？");
        let all: Vec<&str> = q.terms.iter().map(|t| t.term.as_str()).collect();
        assert!(all.contains(&"下载量") || all.contains(&"下载"), "{all:?}");
        for stop in ["多少", "呢", "是", "少呢"] {
            assert!(!all.contains(&stop), "{stop} in {all:?}");
        }
        assert_eq!(q.answer_type, Some(AnswerType::Number));
    }

    #[test]
    fn question_words_say_what_kind_of_answer_is_wanted() {
        let a = analyzer();
        let kind = |text: &str| a.question(text).answer_type;
        assert_eq!(kind("月之暗面总部在哪"), Some(AnswerType::Place));
        assert_eq!(kind("百度世界大會什麼時候舉辦"), Some(AnswerType::Time));
        assert_eq!(kind("何小鹏在台上讲了多久"), Some(AnswerType::Time));
        assert_eq!(kind("圆桌的主持人是谁"), Some(AnswerType::Person));
        assert_eq!(kind("How many downloads"), Some(AnswerType::Number));
        assert_eq!(
            kind("小鹏今年一共卖了多少辆车"),
            Some(AnswerType::Count('辆'))
        );
        assert_eq!(
            kind("哪几家人形机器人公司上了圆桌"),
            Some(AnswerType::Count('家'))
        );
        assert_eq!(kind("吴泳铭今年多大了"), Some(AnswerType::Age));
        assert_eq!(kind("How old is Eddie Wu?"), Some(AnswerType::Age));
        assert_eq!(kind("宇树的机器狗卖多少钱啊"), Some(AnswerType::Money));
        assert_eq!(kind("今年雲棲大會是幾月幾號開幕"), Some(AnswerType::Date));
        assert_eq!(kind("杨植麟毕业于哪所大学"), Some(AnswerType::Education));
        assert_eq!(kind("Qwen2.5几乎是最强的吗"), None);
        assert_eq!(kind("阿里云为什么后退一步"), None);
        assert_eq!(kind("阿里云几乎所有模型都降价了吗"), None);
        assert_eq!(kind("很多大模型降价"), None);
    }

    #[test]
    fn the_focus_is_what_the_question_asks_for() {
        let a = analyzer();
        let focus = |text: &str| {
            let q = a.question(text);
            q.focus.map(|f| q.units[f].surface.clone())
        };
        assert_eq!(focus("阶跃星辰融资了多少").as_deref(), Some("融资"));
        assert_eq!(focus("杨植麟毕业于哪所大学").as_deref(), Some("大学"));
        assert_eq!(focus("云栖大会 吴泳铭"), None);
    }

    #[test]
    fn aliases_make_one_unit_with_their_members() {
        let mut lexicon = Lexicon::builtin();
        lexicon.alias_groups = vec![vec!["xpeng".into(), "小鹏".into()]];
        let a = Analyzer::new(lexicon);
        let q = a.question("How much does XPeng invest?");
        let unit = q
            .units
            .iter()
            .find(|u| u.surface == "xpeng")
            .expect("alias unit");
        assert!(unit.alternatives.contains(&"小鹏".to_owned()));
        let alias_term = q
            .terms
            .iter()
            .find(|t| t.term == "小鹏")
            .expect("alias term");
        assert!(alias_term.weight < 1.0);
        assert!(!a
            .question("what did he say")
            .terms
            .iter()
            .any(|t| t.term == "小鹏"));
    }

    #[test]
    fn english_words_bring_their_translations() {
        let a = analyzer();
        let q = a.question("how many downloads");
        let unit = q
            .units
            .iter()
            .find(|u| u.surface == "downloads")
            .expect("unit");
        assert!(
            unit.alternatives.iter().any(|t| t == "下载"),
            "{:?}",
            unit.alternatives
        );
        assert!(q
            .terms
            .iter()
            .any(|t| t.kind == TermKind::Words && t.term == "下载"));
        assert_eq!(q.answer_type, Some(AnswerType::Number));
    }

    #[test]
    fn names_are_told_from_everyday_words() {
        let a = analyzer();
        let names = |text: &str| -> Vec<String> {
            let q = a.question(text);
            q.units
                .into_iter()
                .filter(|u| u.name)
                .map(|u| u.surface)
                .collect()
        };
        assert_eq!(names("特斯拉的自动驾驶"), vec!["特斯拉"]);
        assert_eq!(names("通义千问APP怎么下载"), vec!["app"]);
        assert!(names("Download the app").is_empty());
        for everyday in ["第一场圆桌的名单", "推理成本降得比去年还快"] {
            assert!(
                names(everyday).is_empty(),
                "{everyday}: {:?}",
                names(everyday)
            );
        }
    }

    #[test]
    fn empty_and_punctuation_only_questions_have_no_terms() {
        let a = analyzer();
        for text in ["", "   ", "？？！", "👀", "什么？"] {
            let q = a.question(text);
            assert!(
                q.is_empty() && q.units.is_empty(),
                "{text:?}: {:?}",
                surfaces(&q)
            );
        }
    }
}
