//! Character-level normalization: width folding, case folding and Traditional → Simplified.
//!
//! Every step maps one character to exactly one character, so a normalized string is
//! aligned with its original: character `i` of one is character `i` of the other. That
//! is what lets highlights found in normalized text be drawn on the original quote.

use opencc_fmmseg::{DictionaryMaxlength, OpenCC};

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
        let mut opencc = OpenCC::from_dictionary(t2s_dictionary());
        // Conversions here are a sentence or a paragraph long: rayon's pool (a thread per
        // core, each with a stack and a malloc arena) would cost more than it saves.
        opencc.set_parallel(false);
        Normalizer { opencc }
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

/// The dictionaries `t2s` and `zho_check` read, out of the two dozen OpenCC ships (Taiwan,
/// Hong Kong, Japanese and seal-script variants, the other direction's phrases): the whole
/// set keeps about 20 MiB resident, these three about 3 MiB. A dictionary left out is
/// empty, so a conversion that needed it would change nothing rather than fail.
fn t2s_dictionary() -> DictionaryMaxlength {
    // `OpenCC::new` falls back to empty dictionaries the same way when the embedded ones
    // cannot be read (they are compiled in, so they can).
    let mut all = DictionaryMaxlength::new().unwrap_or_default();
    let mut kept = DictionaryMaxlength::default();
    kept.ts_phrases = std::mem::take(&mut all.ts_phrases);
    kept.ts_characters = std::mem::take(&mut all.ts_characters);
    // `zho_check` converts the other way too, character by character.
    kept.st_characters = std::mem::take(&mut all.st_characters);
    kept
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
    fn converts_as_the_full_opencc_does() {
        // Phrase rules (乾燥, 頭髮, 著作, 瞭解) as well as single characters.
        let full = OpenCC::new();
        let n = Normalizer::new();
        for text in [
            "去年雲棲大會前夜發生了什麼事",
            "頭髮乾燥，著作等身，我瞭解了，後來他們在阿里雲裡面測試",
            "通義千問開源模型的下載量超過四千萬",
        ] {
            assert_eq!(n.to_simplified(text), full.t2s(text, false), "{text}");
            assert_eq!(n.is_traditional(text), full.zho_check(text) == 1, "{text}");
        }
    }

    #[test]
    fn detects_traditional_script() {
        let n = Normalizer::new();
        assert!(n.is_traditional("去年雲棲大會前夜發生了什麼事"));
        assert!(!n.is_traditional("去年云栖大会前夜发生了什么事"));
    }
}
