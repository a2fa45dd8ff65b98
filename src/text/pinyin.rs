//! Toneless pinyin of Han characters. Names and rare words are often typed with a
//! homophone (吴咏铭 for 吴泳铭) or written with a variant character (逐迹/逐际): their
//! syllables still match where their characters do not.

use pinyin::ToPinyin;

/// The toneless syllable of a Han character in its most common reading (`雲` → `yun`).
pub fn syllable(c: char) -> Option<&'static str> {
    c.to_pinyin().map(|p| p.plain())
}

/// The term that stands for two adjacent syllables in the index (`wu_yong`).
pub fn syllable_pair(a: &str, b: &str) -> String {
    let mut pair = String::with_capacity(a.len() + 1 + b.len());
    push_syllable_pair(&mut pair, a, b);
    pair
}

/// [`syllable_pair`] written into `out`, so a caller making many can reuse one string.
pub fn push_syllable_pair(out: &mut String, a: &str, b: &str) {
    out.push_str(a);
    out.push('_');
    out.push_str(b);
}

/// The syllable of each character of a normalized text, for asking whether it has a
/// given syllable pair. Cheaper than building the text's every pair term: a question
/// looks for a few pairs in each of its candidates, and building their terms
/// (formatting, hashing) once cost about a third of answering it.
pub struct Syllables(Vec<Option<&'static str>>);

impl Syllables {
    pub fn of(normalized: &str) -> Self {
        Syllables(normalized.chars().map(syllable).collect())
    }

    /// Whether two adjacent characters read `pair`, a term made by [`syllable_pair`].
    pub fn has_pair(&self, pair: &str) -> bool {
        // Syllables are plain letters, so the first `_` is the one between the two.
        let Some((a, b)) = pair.split_once('_') else {
            return false;
        };
        self.0
            .windows(2)
            .any(|w| w[0] == Some(a) && w[1] == Some(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_share_a_syllable() {
        assert_eq!(syllable('泳'), syllable('咏'));
        assert_eq!(syllable('雲'), Some("yun"));
        assert_eq!(syllable('a'), None);
    }

    #[test]
    fn a_text_has_the_pairs_of_its_adjacent_characters_only() {
        let text = Syllables::of("作为主人的吴泳铭a");
        assert!(text.has_pair("wu_yong"));
        assert!(text.has_pair("yong_ming"));
        assert!(!text.has_pair("wu_ming"));
        assert!(!text.has_pair("ming_a"));
        assert!(!text.has_pair("wu"));
    }
}
