//! Character-level normalization: width folding, case folding and Traditional → Simplified.
//!
//! Every step maps one character to exactly one character, so a normalized string is
//! aligned with its original: character `i` of one is character `i` of the other. That
//! is what lets highlights found in normalized text be drawn on the original quote.

use opencc_fmmseg::OpenCC;

/// Folds full-width ASCII and the ideographic space to their half-width forms and
/// lowercases, one character in, one character out.
pub fn fold_char(c: char) -> char {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // A few characters lowercase to several (İ → i̇); keep the first to stay aligned.
    c.to_lowercase().next().unwrap_or(c)
}

/// Traditional → Simplified conversion plus folding, aligned character for character.
pub struct Normalizer {
    opencc: OpenCC,
}

impl Normalizer {
    pub fn new() -> Self {
        Normalizer {
            opencc: OpenCC::new(),
        }
    }

    /// Normalizes `text`; the result has exactly as many characters as `text`.
    pub fn normalize(&self, text: &str) -> String {
        let folded: String = text.chars().map(fold_char).collect();
        self.simplify_aligned(&folded)
    }

    /// Traditional → Simplified with exactly as many characters as `text`, so character
    /// spans found in one apply to the other.
    pub fn simplify_aligned(&self, text: &str) -> String {
        let simplified = self.to_simplified(text);
        if simplified.chars().count() == text.chars().count() {
            simplified
        } else {
            // A phrase rule changed the length: convert per character to keep alignment.
            text.chars()
                .map(|c| {
                    let mut buf = [0u8; 4];
                    let one = self.to_simplified(c.encode_utf8(&mut buf));
                    let mut chars = one.chars();
                    match (chars.next(), chars.next()) {
                        (Some(s), None) => s,
                        _ => c,
                    }
                })
                .collect()
        }
    }

    /// Converts Traditional Chinese to Simplified (for display; not necessarily aligned).
    pub fn to_simplified(&self, text: &str) -> String {
        self.opencc.t2s(text, false)
    }

    /// True when `text` reads as Traditional Chinese (OpenCC's script check says so).
    pub fn is_traditional(&self, text: &str) -> bool {
        self.opencc.zho_check(text) == 1
    }
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_width_and_case() {
        let folded: String = "ＱＷＥＮ２．５　Ok！".chars().map(fold_char).collect();
        assert_eq!(folded, "qwen2.5 ok!");
    }

    #[test]
    fn traditional_becomes_simplified_and_stays_aligned() {
        let n = Normalizer::new();
        for text in [
            "阿里雲,後退一步爲的是前進兩步",
            "通義千問API在阿里雲百鍊上的調用價格下降了97%",
            "小鵬汽車宣佈每年投入35億元用於研發",
        ] {
            let out = n.normalize(text);
            assert_eq!(out.chars().count(), text.chars().count(), "{out}");
        }
        assert_eq!(n.normalize("雲棲大會"), "云栖大会");
        assert_eq!(n.normalize("Qwen2.5下載量"), "qwen2.5下载量");
    }

    #[test]
    fn detects_traditional_script() {
        let n = Normalizer::new();
        assert!(n.is_traditional("去年雲棲大會前夜發生了什麼事"));
        assert!(!n.is_traditional("去年云栖大会前夜发生了什么事"));
    }
}
