//! How much of a question a passage covers: each unit of the question (see
//! `text::Unit`) weighs its rarity in the index, and a passage covers it fully when one of
//! its forms occurs (the asker's word, an alias member, a translation), or in part by the
//! share of its syllable pairs it has (a homophone typo of a name still counts).

use std::cell::OnceCell;

use crate::search::SearchIndex;
use crate::text::{is_han, Analyzer, QueryTerms, Syllables, TermFinder, TermKind, Unit};

/// How much a dictionary translation found in a passage covers of an English word.
const TRANSLATION_SHARE: f32 = 0.6;

/// A unit of the question with what the index knows of it.
#[derive(Debug, Clone)]
pub struct WeightedUnit {
    /// The rarity (BM25 idf) of its rarest form that occurs in the index, or of its
    /// characters; single characters weigh half, since segmentation finds them
    /// inconsistently.
    pub weight: f32,
    /// Nothing in the index has any of its forms, nor all of its syllables.
    pub absent: bool,
    /// A name (a dictionary-tagged Han name or a capitalized Latin word) or a number: a
    /// thing the question is about, not a way of asking.
    pub salient: bool,
}

/// What a passage covers of a question.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    /// Weighted share of the question's units covered, in [0, 1].
    pub share: f32,
    /// How much of the focus unit the passage covers (1 when the question has none).
    pub focus: f32,
    /// Share of the question's units, unweighted, that the passage does not cover even
    /// half: a rare name covered does not hide the rest of the question missing.
    pub uncovered: f32,
    /// Character spans of the question's units in the passage.
    pub highlights: Vec<(usize, usize)>,
}

/// Scores passages against one question.
pub struct CoverageScorer<'q> {
    terms: &'q QueryTerms,
    pub units: Vec<WeightedUnit>,
    /// Each unit's forms, ready to be searched for in every candidate.
    forms: Vec<Vec<TermFinder<'q>>>,
}

impl<'q> CoverageScorer<'q> {
    pub fn new(index: &SearchIndex, analyzer: &Analyzer, terms: &'q QueryTerms) -> Self {
        let units = terms
            .units
            .iter()
            .map(|unit| weigh(index, analyzer, unit))
            .collect();
        let forms = terms
            .units
            .iter()
            .map(|unit| unit.forms().map(TermFinder::new).collect())
            .collect();
        CoverageScorer {
            terms,
            units,
            forms,
        }
    }

    /// Weighted share of the question's units that are absent from the index.
    pub fn absent_share(&self) -> f32 {
        let total: f32 = self.units.iter().map(|u| u.weight).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let absent: f32 = self
            .units
            .iter()
            .filter(|u| u.absent)
            .map(|u| u.weight)
            .sum();
        absent / total
    }

    /// Whether everything the question asks about is a single character (「好的」): too
    /// little to tell an answer by.
    pub fn too_little(&self) -> bool {
        self.terms.units.iter().all(Unit::is_single_char)
    }

    /// Whether the question names something (a name, a Latin word, a number) that the
    /// articles never mention.
    pub fn names_unknown(&self) -> bool {
        self.units.iter().any(|u| u.absent && u.salient)
    }

    /// Whether what the question asks for (its focus: 总部, 估值, 参数) occurs nowhere in
    /// the articles: then no passage states it, however much else of the question matches.
    pub fn focus_absent(&self) -> bool {
        self.terms
            .focus
            .and_then(|f| self.units.get(f))
            .is_some_and(|u| u.absent)
    }

    /// How much of the question a passage covers; `normalized` is the passage normalized.
    pub fn coverage(&self, normalized: &str) -> Coverage {
        let mut highlights = Vec::new();
        let (mut got, mut total) = (0.0f32, 0.0f32);
        let mut shares = Vec::with_capacity(self.units.len());
        // The passage's syllables, computed only if a unit needs them: most units are found
        // by one of their forms, or not at all.
        let syllables: OnceCell<Syllables> = OnceCell::new();
        for ((unit, weighted), forms) in self.terms.units.iter().zip(&self.units).zip(&self.forms) {
            let mut share = forms_share(unit, forms, normalized, &mut highlights);
            // Syllables vouch for a typo of something the articles contain, not for an
            // everyday word they never use (今天天气 is not half of 天天).
            if share == 0.0 && !weighted.absent && !unit.pinyin.is_empty() {
                share = pinyin_share(unit, syllables.get_or_init(|| Syllables::of(normalized)));
            }
            shares.push(share);
            got += weighted.weight * share;
            total += weighted.weight;
        }
        let uncovered = shares.iter().filter(|&&s| s < 0.5).count() as f32;
        Coverage {
            share: if total > 0.0 { got / total } else { 0.0 },
            uncovered: uncovered / shares.len().max(1) as f32,
            focus: self
                .terms
                .focus
                .and_then(|f| shares.get(f).copied())
                .unwrap_or(1.0),
            highlights: merge_spans(highlights),
        }
    }
}

/// 1 when the unit's surface or an alias occurs in the passage, less when only one of its
/// translations does (see `Unit::translated`), 0 otherwise; the spans found go to
/// `highlights`.
/// `forms` are the unit's forms (see `Unit::forms`).
fn forms_share(
    unit: &Unit,
    forms: &[TermFinder],
    normalized: &str,
    highlights: &mut Vec<(usize, usize)>,
) -> f32 {
    let mut share: f32 = 0.0;
    for (i, form) in forms.iter().enumerate() {
        let spans = form.positions(normalized);
        if !spans.is_empty() {
            let exact = i == 0 || !unit.translated;
            share = share.max(if exact { 1.0 } else { TRANSLATION_SHARE });
        }
        highlights.extend(spans);
    }
    share
}

/// The share of the unit's syllable pairs that the passage has.
fn pinyin_share(unit: &Unit, syllables: &Syllables) -> f32 {
    if unit.pinyin.is_empty() {
        return 0.0;
    }
    let matched = unit.pinyin.iter().filter(|p| syllables.has_pair(p)).count();
    matched as f32 / unit.pinyin.len() as f32
}

fn weigh(index: &SearchIndex, analyzer: &Analyzer, unit: &Unit) -> WeightedUnit {
    let word_idf = unit
        .forms()
        .filter(|form| index.doc_freq(TermKind::Words, form) > 0)
        .map(|form| index.idf(TermKind::Words, form))
        .reduce(f32::max);
    // Segmentation may split a form the index holds whole in a passage (云计算 → 云, 计算):
    // a Latin form is also known as a whole term, a Han one by all its syllable pairs.
    let known_elsewhere = |form: &str| {
        let pairs = analyzer.syllable_pairs(form);
        index.doc_freq(TermKind::Chars, form) > 0
            || (!pairs.is_empty()
                && pairs
                    .iter()
                    .all(|p| index.doc_freq(TermKind::Pinyin, p) > 0))
    };
    let absent = word_idf.is_none() && !unit.forms().any(known_elsewhere);
    // The surface is normalized already: its characters are the index's character terms.
    let han: Vec<char> = unit.surface.chars().filter(|&c| is_han(c)).collect();
    let char_idf = if han.is_empty() {
        index.idf(TermKind::Chars, &unit.surface)
    } else {
        let mut buf = [0u8; 4];
        han.iter()
            .map(|c| index.idf(TermKind::Chars, c.encode_utf8(&mut buf)))
            .sum::<f32>()
            / han.len() as f32
    };
    let digits = unit.surface.chars().any(|c| c.is_ascii_digit());
    let salient = unit.name || (unit.alphanumeric && digits);
    let mut weight = word_idf.unwrap_or(char_idf);
    // A single character is found inconsistently by segmentation; an everyday word the
    // articles never use may be the asker's paraphrase: both are weak evidence either way.
    if unit.is_single_char() || (absent && !salient) {
        weight *= 0.5;
    }
    WeightedUnit {
        weight,
        absent,
        salient,
    }
}

/// Sorts and merges overlapping or touching spans.
pub fn merge_spans(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_merge_when_they_overlap_or_touch() {
        assert_eq!(
            merge_spans(vec![(5, 7), (0, 2), (1, 3), (3, 4), (9, 10)]),
            vec![(0, 4), (5, 7), (9, 10)]
        );
    }

    #[test]
    fn a_unit_is_covered_by_any_form_or_in_part_by_its_syllables() {
        let unit = Unit {
            surface: "吴咏铭".into(),
            alternatives: vec!["eddie wu".into()],
            pinyin: vec!["wu_yong".into(), "yong_ming".into()],
            name: true,
            alphanumeric: false,
            translated: false,
        };
        let forms: Vec<TermFinder> = unit.forms().map(TermFinder::new).collect();
        let mut spans = Vec::new();
        assert_eq!(
            forms_share(&unit, &forms, "作为主人的吴泳铭", &mut spans),
            0.0
        );
        assert!(spans.is_empty());
        assert_eq!(pinyin_share(&unit, &Syllables::of("作为主人的吴泳铭")), 1.0);
        assert_eq!(pinyin_share(&unit, &Syllables::of("吴泳和铭")), 0.5);
        assert_eq!(
            forms_share(&unit, &forms, "eddie wu spoke", &mut spans),
            1.0
        );
        assert_eq!(spans, vec![(0, 8)]);
    }
}
