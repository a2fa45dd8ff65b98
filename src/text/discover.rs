//! Names and terms that the articles themselves introduce, found when they are indexed,
//! so that a new article brings its own vocabulary instead of waiting for someone to
//! edit the lexicon:
//!
//! - a gloss in parentheses pairs a Latin term with a Chinese one: 「AGI(通用人工智能)」
//!   makes `agi` and `通用人工智能` one alias group;
//! - a person named after a title: 「創始人何小鵬就…」, 「CTO周靖人兩位」 (a name tag, so
//!   the question analysis knows the word as a name), and the organization named before
//!   it, when short and set off: 「、階躍星辰創始人」, 「,月之暗面Kimi創始人」;
//! - the items of a list of three or more short names: 「宇樹科技、星動紀元、銀河通用」;
//! - a coinage in quotation marks: 「“含阿量”」.
//!
//! Every pattern reads the normalized text (Simplified, half-width), and everything found
//! is normalized, as lexicon entries are.

use serde::{Deserialize, Serialize};

use super::segment::is_han;

/// What was found in a corpus; stored with the index it was built with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discovered {
    /// Words for the segmenter, each with its part-of-speech tag (`nr` a person, `nz` a
    /// proper noun, `n` a noun).
    pub words: Vec<(String, String)>,
    /// Terms that mean the same thing, Latin and Chinese.
    pub alias_groups: Vec<Vec<String>>,
}

/// Titles after which a person's name follows directly.
const TITLES: &[&str] = &[
    "创始人",
    "联合创始人",
    "董事长",
    "总裁",
    "副总裁",
    "总经理",
    "院长",
    "副院长",
    "教授",
    "主席",
    "首席科学家",
    "科学家",
    "负责人",
    "合伙人",
    "ceo",
    "cto",
    "coo",
    "cfo",
];

/// Words that may follow a name directly: 「何小鹏就」, 「周靖人两位」.
const AFTER_NAME: &str = "就说在和与两等也都的则曾称表认指";

/// Common Chinese surnames: a title followed by two or three characters is a name only
/// when the first is one.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";

/// Finds names and terms in `paragraphs`, each already normalized.
pub fn discover<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> Discovered {
    let mut found = Discovered::default();
    for paragraph in paragraphs {
        let chars: Vec<char> = paragraph.chars().collect();
        glosses(&chars, &mut found);
        titled_names(paragraph, &chars, &mut found);
        listed_names(&chars, &mut found);
        quoted_terms(&chars, &mut found);
    }
    found.tidy();
    found
}

impl Discovered {
    /// What was found in several parts of a corpus, as if found in all of it at once.
    pub fn combine(parts: impl IntoIterator<Item = Discovered>) -> Discovered {
        let mut found = Discovered::default();
        for part in parts {
            found.words.extend(part.words);
            found.alias_groups.extend(part.alias_groups);
        }
        found.tidy();
        found
    }

    /// Sorted, each word once (with the first of its tags in order), each group once.
    fn tidy(&mut self) {
        self.words.sort();
        self.words.dedup_by(|a, b| a.0 == b.0);
        self.alias_groups.sort();
        self.alias_groups.dedup();
    }
}

/// `latin(中文)` or `中文(latin)`: the Latin term is taken whole back to the previous
/// non-Latin character; a Chinese term before the parenthesis only when it is a short run
/// of its own (after punctuation), since nothing else tells where it starts.
fn glosses(chars: &[char], found: &mut Discovered) {
    let latin = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ' ' | '\'');
    for (open, _) in chars.iter().enumerate().filter(|(_, &c)| c == '(') {
        let Some(len) = chars[open + 1..].iter().position(|&c| c == ')') else {
            continue;
        };
        let inside: String = chars[open + 1..open + 1 + len].iter().collect();
        let inside = inside.trim();
        let start = chars[..open]
            .iter()
            .rposition(|&c| !latin(c))
            .map_or(0, |p| p + 1);
        let before: String = chars[start..open].iter().collect();
        let before = before.trim();
        let pair = if is_latin_term(before) && is_han_term(inside, 2, 10) {
            Some((before.to_owned(), inside.to_owned()))
        } else if is_latin_term(inside) {
            let han_start = chars[..open]
                .iter()
                .rposition(|&c| !is_han(c))
                .map_or(0, |p| p + 1);
            let han: String = chars[han_start..open].iter().collect();
            is_han_term(&han, 2, 6).then(|| (inside.to_owned(), han))
        } else {
            None
        };
        if let Some((latin_term, han_term)) = pair {
            found.words.push((han_term.clone(), "n".to_owned()));
            found.alias_groups.push(vec![latin_term, han_term]);
        }
    }
}

/// A title, then a surname and one or two more characters, then the end of the Han run or
/// a word that follows names.
fn titled_names(text: &str, chars: &[char], found: &mut Discovered) {
    for title in TITLES {
        for (byte, _) in text.match_indices(title) {
            let at = text[..byte].chars().count() + title.chars().count();
            let Some(&surname) = chars.get(at) else {
                continue;
            };
            if !SURNAMES.contains(surname) {
                continue;
            }
            let ends_name = |i: usize| {
                chars
                    .get(i)
                    .is_none_or(|&c| !is_han(c) || AFTER_NAME.contains(c))
            };
            let len = if ends_name(at + 3) && chars.get(at + 2).is_some_and(|&c| is_han(c)) {
                3
            } else if ends_name(at + 2) && chars.get(at + 1).is_some_and(|&c| is_han(c)) {
                2
            } else {
                continue;
            };
            let name: String = chars[at..at + len].iter().collect();
            if !name.chars().skip(1).any(|c| AFTER_NAME.contains(c)) {
                found.words.push((name, "nr".to_owned()));
                let before = at - title.chars().count();
                if let Some(org) = organization_before(chars, before) {
                    found.words.push((org, "nt".to_owned()));
                }
            }
        }
    }
}

/// The Han run that ends at `end` (or before a Latin name that ends there: 「月之暗面Kimi」),
/// when punctuation sets it off and it is two to four characters: longer runs usually
/// begin with words of the sentence (「例如小鵬汽車」).
fn organization_before(chars: &[char], end: usize) -> Option<String> {
    let end = chars[..end]
        .iter()
        .rposition(|c| !c.is_ascii_alphanumeric())
        .map_or(0, |p| p + 1);
    let start = chars[..end]
        .iter()
        .rposition(|&c| !is_han(c))
        .map_or(0, |p| p + 1);
    let set_off = start == 0 || is_punctuation(chars[start - 1]);
    (set_off && (2..=4).contains(&(end - start))).then(|| chars[start..end].iter().collect())
}

fn is_punctuation(c: char) -> bool {
    !is_han(c) && !c.is_alphanumeric()
}

/// Three or more items between enumeration commas (、), each a run of two to six Han
/// characters, the list set off by punctuation: a list of names, as articles write them.
fn listed_names(chars: &[char], found: &mut Discovered) {
    let mut items: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    let flush = |items: &mut Vec<(usize, usize)>, found: &mut Discovered| {
        let (first, last) = (items[0].0, items[items.len() - 1].1);
        let set_off = (first == 0 || is_punctuation(chars[first - 1]))
            && chars.get(last).is_none_or(|&c| is_punctuation(c));
        let clean = set_off
            && items.len() >= 3
            && items.iter().all(|&(s, e)| {
                let item = &chars[s..e];
                (2..=6).contains(&item.len()) && item.iter().all(|&c| is_han(c))
            });
        if clean {
            for &(s, e) in items.iter() {
                found
                    .words
                    .push((chars[s..e].iter().collect(), "nz".to_owned()));
            }
        }
        items.clear();
    };
    for (i, &c) in chars.iter().enumerate() {
        if c == '、' {
            items.push((start, i));
            start = i + 1;
        } else if !is_han(c) {
            if !items.is_empty() {
                items.push((start, i));
                flush(&mut items, found);
            }
            start = i + 1;
        }
    }
    if !items.is_empty() {
        items.push((start, chars.len()));
        flush(&mut items, found);
    }
}

/// A short Han term in quotation marks, the way an article introduces a coinage.
fn quoted_terms(chars: &[char], found: &mut Discovered) {
    for (open, _) in chars.iter().enumerate().filter(|(_, &c)| c == '“') {
        let Some(len) = chars[open + 1..].iter().position(|&c| c == '”') else {
            continue;
        };
        let term: String = chars[open + 1..open + 1 + len].iter().collect();
        if is_han_term(&term, 2, 6) {
            found.words.push((term, "n".to_owned()));
        }
    }
}

fn is_han_term(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n) && s.chars().all(is_han)
}

/// A Latin term: letters first, a word or two, not a bare number or a sentence.
fn is_latin_term(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.split_whitespace().count() <= 4
        && s.len() <= 40
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Normalizer;

    fn found(text: &str) -> Discovered {
        let normalized = Normalizer::new().normalize(text);
        discover([normalized.as_str()])
    }

    fn words(d: &Discovered, tag: &str) -> Vec<String> {
        d.words
            .iter()
            .filter(|(_, t)| t == tag)
            .map(|(w, _)| w.clone())
            .collect()
    }

    #[test]
    fn parts_combined_are_the_whole() {
        let normalizer = Normalizer::new();
        let paragraphs: Vec<String> = [
            "分別討論了AGI(通用人工智能)的未來,創始人何小鵬就說",
            "小鵬汽車創始人何小鵬表示,AGI(通用人工智能)",
            "宇樹科技、星動紀元、銀河通用、逐跡動力的創始人",
        ]
        .iter()
        .map(|p| normalizer.normalize(p))
        .collect();
        let whole = discover(paragraphs.iter().map(String::as_str));
        let parts = paragraphs.iter().map(|p| discover([p.as_str()]));
        assert!(!whole.words.is_empty() && !whole.alias_groups.is_empty());
        assert_eq!(Discovered::combine(parts), whole);
    }

    #[test]
    fn a_gloss_makes_an_alias_group() {
        let d = found(
            "分別討論了AGI(通用人工智能)的未來。而CoT(思維鏈)的出現……思维链(chain of thought)",
        );
        assert!(d
            .alias_groups
            .contains(&vec!["agi".into(), "通用人工智能".into()]));
        assert!(d
            .alias_groups
            .contains(&vec!["cot".into(), "思维链".into()]));
        assert!(d
            .alias_groups
            .contains(&vec!["chain of thought".into(), "思维链".into()]));
        assert!(found("發佈了(2024年)").alias_groups.is_empty());
    }

    #[test]
    fn a_name_after_a_title_is_a_person() {
        let d = found(
            "小鵬汽車創始人何小鵬就極爲樂觀,階躍星辰創始人姜大昕,副院長朱軍。阿里雲CTO周靖人兩位",
        );
        let people = words(&d, "nr");
        for name in ["何小鹏", "姜大昕", "朱军", "周靖人"] {
            assert!(people.contains(&name.to_owned()), "{name} in {people:?}");
        }
        let organizations = words(&d, "nt");
        assert!(
            organizations.contains(&"阶跃星辰".to_owned()),
            "{organizations:?}"
        );
        let d = found("例如小鵬汽車創始人何小鵬就表示,月之暗面Kimi創始人楊植麟");
        assert_eq!(words(&d, "nt"), vec!["月之暗面"]);
        // Not a surname, or no end in sight: nothing.
        assert!(words(&found("創始人們都認爲"), "nr").is_empty());
        assert!(words(&found("董事長兼CEO"), "nr").is_empty());
    }

    #[test]
    fn items_of_a_list_of_names_are_names() {
        let d = found("四家廠商——宇樹科技、星動紀元、銀河通用、逐跡動力,都表示");
        assert_eq!(
            words(&d, "nz"),
            vec!["宇树科技", "星动纪元", "逐迹动力", "银河通用"]
        );
        // Two items, or an item that runs on into the sentence: not a list of names.
        assert!(words(&found("大勢已起、大潮洶涌"), "nz").is_empty());
        assert!(words(&found("上架語言、音頻、視覺等一百多款模型"), "nz").is_empty());
        assert!(words(&found("同時上架語言、音頻、視覺等100多款"), "nz").is_empty());
    }

    #[test]
    fn a_quoted_coinage_is_a_word() {
        let d = found("“含阿量”大幅度下降,請AI的樂觀主義者來“擡樁”。他說:“我們這次得到的要求”");
        assert_eq!(words(&d, "n"), vec!["含阿量", "抬桩"]);
    }
}
