//! English stemming by suffix rules, enough to find a glossary key from an inflected
//! word ("applied" → "apply"). Plain `std` on purpose: tools/en-zh compiles this same file
//! (`#[path]`) to drop keys that would hide a better base form, so the glossary and its
//! generator cannot drift apart.

/// The base forms an inflected word may come from, most likely first. Wrong guesses are
/// cheap: a form that is not a key is skipped.
pub fn stems(word: &str) -> Vec<String> {
    let word = word.replace('\u{2019}', "'");
    let bare = word
        .strip_suffix("'s")
        .or_else(|| word.strip_suffix('\''))
        .unwrap_or(&word);
    let mut out = Vec::new();
    if bare != word {
        out.push(bare.to_string());
    }
    // The suffix rules below work on bytes and only know English words.
    if !bare.is_ascii() {
        return out;
    }
    let mut push = |stem: &str, suffix: &str| {
        if stem.len() >= 2 && stem.bytes().any(is_vowel) {
            out.push(format!("{stem}{suffix}"));
        }
    };
    if let Some(stem) = bare.strip_suffix("ies") {
        push(stem, "y");
    }
    if let Some(stem) = bare.strip_suffix('s') {
        // Not "process", "bus", "analysis": their s is no plural.
        if !(stem.ends_with('s') || stem.ends_with('u') || stem.ends_with('i')) {
            push(stem, "");
            if let Some(stem) = stem.strip_suffix('e') {
                push(stem, "");
            }
        }
    }
    for suffix in ["ed", "ing", "er", "est"] {
        let Some(stem) = bare.strip_suffix(suffix) else {
            continue;
        };
        if suffix != "ing" {
            if let Some(stem) = stem.strip_suffix('i') {
                // "applied", "easier": the y turned into i.
                push(stem, "y");
                continue;
            }
            // "priced", "larger": the suffix joined a silent e.
            if let Some(with_e) = bare.strip_suffix(&suffix[1..]) {
                push(with_e, "");
            }
        } else if stem.bytes().last().is_some_and(|b| !is_vowel(b)) {
            // "hoping", "computing": the silent e was dropped.
            push(stem, "e");
        }
        let bytes = stem.as_bytes();
        let last = bytes.len().checked_sub(1).map(|i| bytes[i]);
        let doubled = bytes.len() >= 2 && Some(bytes[bytes.len() - 2]) == last;
        match last {
            // "stopped", "bigger": the consonant was doubled for the suffix; "called",
            // "passing" keep a double letter of their own.
            Some(c) if doubled && !is_vowel(c) && !matches!(c, b'l' | b's' | b'z' | b'f') => {
                push(&stem[..stem.len() - 1], "");
                push(stem, "");
            }
            _ => push(stem, ""),
        }
    }
    out
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_words_find_their_base_form() {
        for (word, base) in [
            ("applied", "apply"),
            ("stopped", "stop"),
            ("hoping", "hope"),
            ("priced", "price"),
            ("robots", "robot"),
            ("alibaba's", "alibaba"),
        ] {
            assert!(
                stems(word).contains(&base.to_owned()),
                "{word}: {:?}",
                stems(word)
            );
        }
        assert!(!stems("process").contains(&"proces".to_owned()));
        assert!(stems("ッing").is_empty(), "non-ASCII words are left alone");
    }
}
