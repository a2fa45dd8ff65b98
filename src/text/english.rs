//! An English → Simplified Chinese glossary, so that an English question can reach
//! Chinese paragraphs: "downloads" → 下载, "open source" → 开放源码 开源. The table,
//! `en_zh.tsv`, is derived from CC-CEDICT (CC BY-SA 4.0) by `tools/en-zh` and compiled
//! in; its header says how it was made. Headwords are in the Simplified form the search
//! index holds.

use std::collections::HashMap;
use std::fmt;

use super::stem::stems;

/// Compiled in so that the glossary needs no data directory and cannot go missing.
const BUILTIN: &str = include_str!("en_zh.tsv");

/// English words and two-word phrases with their Chinese translations, best first.
pub struct Glossary {
    entries: HashMap<String, Vec<String>>,
}

impl Glossary {
    /// The glossary built into the binary.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN)
    }

    /// Reads a table of `key<TAB>headword headword ...` lines; `#` lines are comments.
    /// A line without a tab or without headwords is skipped rather than refused: the
    /// table is generated, and one bad line should not cost the rest.
    pub fn parse(text: &str) -> Self {
        let mut entries = HashMap::new();
        for line in text.lines() {
            if line.starts_with('#') {
                continue;
            }
            let Some((key, heads)) = line.split_once('\t') else {
                continue;
            };
            let key = key.trim().to_lowercase();
            let heads: Vec<String> = heads.split_whitespace().map(str::to_string).collect();
            if !key.is_empty() && !heads.is_empty() {
                entries.insert(key, heads);
            }
        }
        Glossary { entries }
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
    pub fn lookup(&self, word: &str) -> &[String] {
        let word = word.trim().to_lowercase();
        if let Some(heads) = self.entries.get(&word) {
            return heads;
        }
        stems(&word)
            .iter()
            .find_map(|stem| self.entries.get(stem))
            .map_or(&[], Vec::as_slice)
    }

    /// The translations of a two-word phrase ("open source", "artificial intelligence");
    /// empty when the pair is not a phrase of its own. Only the last word is stemmed, as
    /// English inflects a compound at its head ("language models").
    pub fn lookup_phrase(&self, first: &str, second: &str) -> &[String] {
        let first = first.trim().to_lowercase();
        let second = second.trim().to_lowercase();
        if let Some(heads) = self.entries.get(&format!("{first} {second}")) {
            return heads;
        }
        stems(&second)
            .iter()
            .find_map(|stem| self.entries.get(&format!("{first} {stem}")))
            .map_or(&[], Vec::as_slice)
    }
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

    fn has(heads: &[String], word: &str) -> bool {
        heads.iter().any(|h| h == word)
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
                has(g.lookup(english), chinese),
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
        assert!(has(open_source, "开放源码"), "{open_source:?}");
        // CC-CEDICT knows 开源 only as an abbreviation of 开放源码.
        assert!(has(open_source, "开源"), "{open_source:?}");
        assert!(has(
            g.lookup_phrase("artificial", "intelligence"),
            "人工智能"
        ));
        assert!(has(g.lookup_phrase("cloud", "computing"), "云计算"));
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
        assert!(has(g.lookup("cheaper"), "降价"));
        assert!(has(g.lookup("prices"), "物价"));
        // "computing" only turns up inside longer senses, so the table leaves it to stemming.
        assert!(has(g.lookup("computing"), "计算"));
        let engines = g.lookup_phrase("search", "engines");
        assert!(has(engines, "搜索引擎"), "{engines:?}");
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
        assert_eq!(g.lookup("news"), ["新闻".to_string()]);
    }

    #[test]
    fn parse_skips_comments_and_broken_lines() {
        let g = Glossary::parse(
            "# a comment\tthat has a tab\n\nno tab here\nempty\t \nCloud\t云  云朵\n",
        );
        assert_eq!(g.len(), 1);
        assert_eq!(g.lookup("cloud"), ["云".to_string(), "云朵".to_string()]);
    }
}
