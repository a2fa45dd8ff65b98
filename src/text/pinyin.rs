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
    format!("{a}_{b}")
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
}
