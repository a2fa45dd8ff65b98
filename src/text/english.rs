//! An English → Simplified Chinese glossary, so that an English question can reach
//! Chinese paragraphs: "downloads" → 下载, "open source" → 开放源码 开源. The table,
//! `en_zh.tsv`, is derived from CC-CEDICT (CC BY-SA 4.0) by `tools/en-zh` and compiled
//! in; its header says how it was made. Headwords are in the Simplified form the search
//! index holds.

use std::borrow::Cow;
use std::fmt;

use super::stem::stems;

/// Compiled in so that the glossary needs no data directory and cannot go missing.
const BUILTIN: &str = include_str!("en_zh.tsv");

/// English words and two-word phrases with their Chinese translations, best first.
///
/// Kept as the table's own text plus a sorted index of its lines rather than a map of
/// owned strings: fifty thousand keys with their headwords cost about 8 MiB as a
/// `HashMap<String, Vec<String>>`, and 0.6 MiB this way (the built-in text is not copied).
/// A lookup is a binary search, a few microseconds for the handful of English words a
/// question has.
pub struct Glossary {
    /// `key<TAB>headword headword ...` lines whose keys are lowercase and trimmed: the
    /// built-in table itself, or a copy of a table whose keys needed folding.
    text: Cow<'static, str>,
    /// One entry per key: byte offsets of its line start, its tab and its line end in
    /// `text`, sorted by key.
    entries: Vec<[u32; 3]>,
}

impl Glossary {
    /// The glossary built into the binary.
    pub fn builtin() -> Self {
        Self::index(Cow::Borrowed(BUILTIN))
    }

    /// Reads a table of `key<TAB>headword headword ...` lines; `#` lines are comments.
    /// A line without a tab or without headwords is skipped rather than refused: the
    /// table is generated, and one bad line should not cost the rest.
    pub fn parse(text: &str) -> Self {
        Self::index(Cow::Owned(text.to_owned()))
    }

    fn index(text: Cow<'static, str>) -> Self {
        if !lines(&text).all(|(key, _)| is_folded(key)) {
            // Keys must be stored as they are looked up: copy the table with them folded.
            let folded: String = lines(&text)
                .map(|(key, heads)| format!("{}\t{heads}\n", key.trim().to_lowercase()))
                .collect();
            return Self::index(Cow::Owned(folded));
        }
        let base = text.as_ptr() as usize;
        let mut entries: Vec<[u32; 3]> = lines(&text)
            .filter(|(key, heads)| !key.is_empty() && heads.split_whitespace().next().is_some())
            .map(|(key, heads)| {
                let start = key.as_ptr() as usize - base;
                let tab = start + key.len();
                let end = heads.as_ptr() as usize - base + heads.len();
                // The table is compiled in or read from one file: far below 4 GiB.
                [start, tab, end].map(|offset| offset as u32)
            })
            .collect();
        let key = |e: &[u32; 3]| &text[e[0] as usize..e[1] as usize];
        // A key given twice keeps its last line, as a map insert would: sort later lines
        // first among equal keys, then keep the first of each key.
        entries.sort_by(|a, b| key(a).cmp(key(b)).then(b[0].cmp(&a[0])));
        entries.dedup_by(|duplicate, kept| key(duplicate) == key(kept));
        entries.shrink_to_fit();
        Glossary { text, entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The translations of one English word, best first; empty when unknown. An
    /// inflected word the table lacks ("downloads", "stopped", "hoping") falls back to
    /// its stem, since the table keeps base forms.
    pub fn lookup(&self, word: &str) -> Vec<&str> {
        let word = word.trim().to_lowercase();
        self.heads(&word)
            .or_else(|| stems(&word).iter().find_map(|stem| self.heads(stem)))
            .map_or_else(Vec::new, |heads| heads.split_whitespace().collect())
    }

    /// The translations of a two-word phrase ("open source", "artificial intelligence");
    /// empty when the pair is not a phrase of its own. Only the last word is stemmed, as
    /// English inflects a compound at its head ("language models").
    pub fn lookup_phrase(&self, first: &str, second: &str) -> Vec<&str> {
        let first = first.trim().to_lowercase();
        let second = second.trim().to_lowercase();
        self.heads(&format!("{first} {second}"))
            .or_else(|| {
                stems(&second)
                    .iter()
                    .find_map(|stem| self.heads(&format!("{first} {stem}")))
            })
            .map_or_else(Vec::new, |heads| heads.split_whitespace().collect())
    }

    /// The headwords of `key` as written in the table.
    fn heads(&self, key: &str) -> Option<&str> {
        let text: &str = &self.text;
        let at = |offset: u32| offset as usize;
        self.entries
            .binary_search_by(|e| text[at(e[0])..at(e[1])].cmp(key))
            .ok()
            .map(|i| {
                let [_, tab, end] = self.entries[i];
                &text[at(tab) + 1..at(end)]
            })
    }
}

/// The `(key, headwords)` of every line that is not a comment and has a tab.
fn lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
}

/// True when `key` is already as lookups spell it: trimmed and lowercase.
fn is_folded(key: &str) -> bool {
    key.trim() == key && key.chars().flat_map(char::to_lowercase).eq(key.chars())
}

impl fmt::Debug for Glossary {
    // Fifty thousand entries would drown any log line the glossary appears in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Glossary")
            .field("keys", &self.entries.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn glossary() -> &'static Glossary {
        static GLOSSARY: OnceLock<Glossary> = OnceLock::new();
        GLOSSARY.get_or_init(Glossary::builtin)
    }

    fn has(heads: &[&str], word: &str) -> bool {
        heads.contains(&word)
    }

    #[test]
    fn the_builtin_table_is_large() {
        assert!(glossary().len() > 40_000, "{:?}", glossary());
    }

    #[test]
    fn common_words_translate() {
        let g = glossary();
        for (english, chinese) in [
            ("download", "下载"),
            ("model", "模型"),
            ("robot", "机器人"),
            ("cloud", "云"),
            ("conference", "会议"),
            ("speech", "演讲"),
            ("price", "价格"),
            ("company", "公司"),
            ("founder", "创始人"),
            ("university", "大学"),
            ("developer", "开发者"),
            ("hangzhou", "杭州"),
            ("alibaba", "阿里巴巴"),
        ] {
            assert!(
                has(&g.lookup(english), chinese),
                "{english}: {:?}",
                g.lookup(english)
            );
        }
    }

    #[test]
    fn the_best_translation_comes_first() {
        let g = glossary();
        assert_eq!(g.lookup("download")[0], "下载");
        assert_eq!(g.lookup("price")[0], "价格");
        assert_eq!(g.lookup("cloud")[0], "云");
        assert_eq!(g.lookup("robot")[0], "机器人");
    }

    #[test]
    fn lookup_ignores_case_and_surrounding_space() {
        let g = glossary();
        assert_eq!(g.lookup(" Download "), g.lookup("download"));
        assert_eq!(
            g.lookup_phrase("Open", "SOURCE"),
            g.lookup_phrase("open", "source")
        );
    }

    #[test]
    fn two_word_phrases_have_their_own_translations() {
        let g = glossary();
        let open_source = g.lookup_phrase("open", "source");
        assert!(has(&open_source, "开放源码"), "{open_source:?}");
        // CC-CEDICT knows 开源 only as an abbreviation of 开放源码.
        assert!(has(&open_source, "开源"), "{open_source:?}");
        assert!(has(
            &g.lookup_phrase("artificial", "intelligence"),
            "人工智能"
        ));
        assert!(has(&g.lookup_phrase("cloud", "computing"), "云计算"));
        assert!(g.lookup_phrase("cloud", "robot").is_empty());
    }

    #[test]
    fn inflected_words_fall_back_to_their_stem() {
        let g = glossary();
        assert_eq!(g.lookup("downloads"), g.lookup("download"));
        assert_eq!(g.lookup("downloaded"), g.lookup("download"));
        assert_eq!(g.lookup("downloading"), g.lookup("download"));
        assert_eq!(g.lookup("models"), g.lookup("model"));
        assert_eq!(g.lookup("robots"), g.lookup("robot"));
        assert_eq!(g.lookup("alibaba's"), g.lookup("alibaba"));
        assert_eq!(g.lookup("alibaba\u{2019}s"), g.lookup("alibaba"));
        assert_eq!(g.lookup("companies"), g.lookup("company"));
        assert_eq!(g.lookup("cheapest"), g.lookup("cheap"));
        assert_eq!(g.lookup("founders"), g.lookup("founder"));
        assert_eq!(g.lookup("speeches"), g.lookup("speech"));
        assert_eq!(g.lookup("universities"), g.lookup("university"));
        // Senses of their own make these keys, which come before any stem: "to get
        // cheaper" (降价), "(commodity) prices" (物价).
        assert!(has(&g.lookup("cheaper"), "降价"));
        assert!(has(&g.lookup("prices"), "物价"));
        // "computing" only turns up inside longer senses, so the table leaves it to stemming.
        assert!(has(&g.lookup("computing"), "计算"));
        let engines = g.lookup_phrase("search", "engines");
        assert!(has(&engines, "搜索引擎"), "{engines:?}");
    }

    #[test]
    fn unknown_words_have_no_translation() {
        let g = glossary();
        assert!(g.lookup("qwenlike").is_empty());
        assert!(g.lookup("").is_empty());
        assert!(g.lookup("'s").is_empty());
        assert!(g.lookup("下载").is_empty());
        assert!(g.lookup_phrase("", "").is_empty());
        // Question words are left to the stop-word list, not translated.
        assert!(g.lookup("how").is_empty());
        assert!(g.lookup("the").is_empty());
    }

    #[test]
    fn stemming_undoes_english_inflection() {
        let table = "hope\t希望\nstop\t停止\ncall\t打电话\nbox\t盒子\nprice\t价格\n\
                     apply\t申请\nbig\t大\nlarge\t大型\ncompute\t计算\nanalysis\t分析\n\
                     easy\t容易\n";
        let g = Glossary::parse(table);
        for (inflected, base) in [
            ("hoping", "hope"),
            ("hoped", "hope"),
            ("stopped", "stop"),
            ("stopping", "stop"),
            ("stops", "stop"),
            ("called", "call"),
            ("calling", "call"),
            ("boxes", "box"),
            ("prices", "price"),
            ("priced", "price"),
            ("applies", "apply"),
            ("applied", "apply"),
            ("bigger", "big"),
            ("biggest", "big"),
            ("larger", "large"),
            ("largest", "large"),
            ("easier", "easy"),
            ("computing", "compute"),
        ] {
            assert_eq!(g.lookup(inflected), g.lookup(base), "{inflected} → {base}");
            assert!(!g.lookup(inflected).is_empty(), "{inflected}");
        }
        // An s that is no plural ending: "analysis" must not become "analysi".
        assert!(g.lookup("analysis").len() == 1);
        assert!(g.lookup("bus").is_empty());
    }

    #[test]
    fn an_exact_key_wins_over_a_stem() {
        let g = Glossary::parse("news\t新闻\nnew\t新\n");
        assert_eq!(g.lookup("news"), ["新闻"]);
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_line() {
        let g = Glossary::parse("cloud\t云\nCloud\t云朵\nsky\t天\n");
        assert_eq!(g.len(), 2);
        assert_eq!(g.lookup("cloud"), ["云朵"]);
        assert_eq!(g.lookup("sky"), ["天"]);
    }

    #[test]
    fn parse_skips_comments_and_broken_lines() {
        let g = Glossary::parse(
            "# a comment\tthat has a tab\n\nno tab here\nempty\t \nCloud\t云  云朵\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g.lookup("cloud"), ["云", "云朵"]);
    }
}
