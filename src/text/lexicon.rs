//! The domain vocabulary that text analysis is configured with: stop words, a user
//! dictionary for segmentation and groups of equivalent terms (aliases).
//!
//! The dictionary and alias files live in the data directory (`lexicon/`) as plain text
//! so an admin can edit them; stop words are built in, because they describe how people
//! ask questions rather than what the articles are about.

use std::collections::HashSet;
use std::path::Path;

use super::discover::Discovered;
use super::TextError;

/// The lexicon's folder inside the data directory.
pub const LEXICON_DIR: &str = "lexicon";

/// File names inside the lexicon directory.
pub const USER_DICT_FILE: &str = "userdict.txt";
pub const ALIASES_FILE: &str = "aliases.txt";

/// Question words, particles and function words (Simplified, since analysis runs after
/// conversion) that say how something is asked, not what is asked about.
const STOP_WORDS: &str = "
的 了 是 在 和 与 于 及 或 也 都 就 还 又 而 被 把 给 对 从 向 让 将 着 过 吗 呢 啊 吧 呀 嘛 么 呗 哦 哇 啦 喔
什么 什么样 啥 多少 几 几个 几位 几年 几次 多久 多大 多长 怎么 怎么样 怎样 如何 为什么 为啥 为何 凭啥 凭什么 干嘛 哪 哪些 哪个 哪里 哪儿 哪位
谁 是不是 是否 有没有 有无 能不能 会不会 可不可以 可以 请问 问 问下 一下 告诉 知道 说说 讲讲 介绍 到底 究竟
这 那 这个 那个 这些 那些 这么 那么 这样 那样 这里 那里 这次 这届 有 没有 我 你 他 她 它 我们 你们 他们 她们 它们 咱们
大家 人 一个 一些 些 个 之 其 所 则 要 能 会 得 去 来 做 事 事情 东西 情况 样子 但 但是 而且 并且 还是 以及 如果 因为 所以 嗯 哈 多 很 太 最 更 挺 真
the a an of to in on at for by with from and or but is are was were be been being do does did done
what which who whom whose when where why how much many there here this that these those it its
i you he she we they me my your our their his her them us can could will would shall should may might
about any some each every per as into than then so if not no yes please tell
say says said think thinks thought know knows want wants wanted mean means meant
talk talks talked mention mentioned happen happened happens get gets got make makes
really actually also just still ever ok okay hi hello hey thanks thank
";

/// Characters that only ever mark a question or a tone; a term containing one carries
/// no content (`大吗`, `么事`).
const PARTICLE_CHARS: &[char] = &['吗', '呢', '啊', '吧', '呀', '嘛', '么', '呗', '哦', '啥'];

/// Stop words that ask for something; the content word next to one is the question's
/// focus (see `QueryTerms::focus`).
const QUESTION_WORDS: &[&str] = &[
    "什么",
    "什么样",
    "啥",
    "多少",
    "几",
    "几个",
    "几位",
    "几年",
    "怎么",
    "怎么样",
    "怎样",
    "如何",
    "为什么",
    "为啥",
    "为何",
    "凭啥",
    "凭什么",
    "哪",
    "哪些",
    "哪个",
    "哪里",
    "哪儿",
    "哪位",
    "谁",
    "几次",
    "多久",
    "多大",
    "多长",
    "what",
    "which",
    "who",
    "whom",
    "when",
    "where",
    "why",
    "how",
];

/// What a question asks for, when its question words say so. The finer kinds (an age, a
/// sum of money, a date, a count of things) come first: their answers have a shape a
/// paragraph either has or lacks (岁, 元, 月/日, 「三家」), which is what tells a question
/// the article does not answer from one it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerType {
    Age,
    Money,
    Date,
    Time,
    Education,
    Place,
    Person,
    /// A number of things counted with this measure word (「多少辆」 → 辆).
    Count(char),
    Number,
}

/// Phrases that ask for each kind of answer, checked in this order (「多久」 asks for a
/// time, not a number). They match whole segmented words, or two adjacent ones, so
/// 「几乎」 and 「很多大模型」 ask for nothing. After them comes [`AnswerType::Count`], from
/// the measure word after 多少 or 几, and last a plain number (`NUMBER_PHRASES`).
const ANSWER_TYPE_PHRASES: &[(AnswerType, &[&str])] = &[
    (
        AnswerType::Age,
        &[
            "几岁",
            "多少岁",
            "岁数",
            "年龄",
            "年纪",
            "多大了",
            "今年多大",
            "how old",
        ],
    ),
    (
        AnswerType::Money,
        &[
            "多少钱",
            "几块钱",
            "多少元",
            "多少美元",
            "啥价",
            "什么价",
            "价格多少",
            "how much money",
        ],
    ),
    (
        AnswerType::Date,
        &["几月", "几号", "哪天", "哪一天", "what date", "which day"],
    ),
    (
        AnswerType::Time,
        &[
            "什么时候",
            "何时",
            "哪年",
            "哪一年",
            "几点",
            "多久",
            "多长时间",
            "when",
            "what time",
            "what year",
            "how long",
        ],
    ),
    (
        AnswerType::Education,
        &[
            "哪所",
            "大学",
            "学校",
            "毕业",
            "本科",
            "读书",
            "university",
            "graduate",
            "graduated",
        ],
    ),
    (
        AnswerType::Place,
        &["哪里", "哪儿", "在哪", "哪个城市", "哪个国家", "where"],
    ),
    (AnswerType::Person, &["谁", "哪位", "who", "whom"]),
];

/// Phrases that ask for a number when nothing above, nor a measure word, says more.
const NUMBER_PHRASES: &[&str] = &[
    "多少", "几个", "几位", "几年", "几次", "几", "多大", "多长", "how many", "how much",
];

/// Measure words that count things, as in 「多少辆车」 or 「三家厂商」. Not among them: time
/// units (「几年」 asks for a time), and 个, which answers often leave out (「总数超过5万」).
const MEASURE_WORDS: &str = "位名家场张台辆部款条次座篇本件只种项届所间人";

/// Stop words, the user dictionary and alias groups, all normalized.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    stop_words: HashSet<String>,
    /// Words added to the segmentation dictionary, with an optional frequency.
    pub user_words: Vec<(String, Option<usize>)>,
    /// Words found in the articles (see `discover`), with their part-of-speech tag.
    pub discovered_words: Vec<(String, String)>,
    /// Groups of terms that mean the same thing (`qwen`, `通义千问`, `通义`).
    pub alias_groups: Vec<Vec<String>>,
}

impl Lexicon {
    /// The built-in stop words with no user dictionary and no aliases.
    pub fn builtin() -> Self {
        Lexicon {
            stop_words: STOP_WORDS.split_whitespace().map(str::to_owned).collect(),
            user_words: Vec::new(),
            discovered_words: Vec::new(),
            alias_groups: Vec::new(),
        }
    }

    /// Loads `userdict.txt` and `aliases.txt` from `dir` on top of the built-in stop
    /// words; a missing file is an empty one. `normalize` turns each entry into the
    /// form analysis compares (Simplified, lowercase, half-width).
    pub fn load(dir: &Path, normalize: impl Fn(&str) -> String) -> Result<Self, TextError> {
        let mut lexicon = Self::builtin();
        if let Some(text) = read_optional(&dir.join(USER_DICT_FILE))? {
            lexicon.user_words = parse_user_dict(&text, &normalize);
        }
        if let Some(text) = read_optional(&dir.join(ALIASES_FILE))? {
            lexicon.alias_groups = parse_aliases(&text, &normalize);
        }
        Ok(lexicon)
    }

    /// Adds what was found in the articles: its words for segmentation, and its alias
    /// groups, each merged into a group of the files that shares a member, so that no
    /// term is in two groups.
    pub fn add_discovered(&mut self, found: &Discovered) {
        let stop_words = &self.stop_words;
        self.discovered_words.extend(
            found
                .words
                .iter()
                .filter(|(w, _)| !stop_words.contains(w))
                .cloned(),
        );
        for group in &found.alias_groups {
            let members = group.iter().filter(|m| !stop_words.contains(*m));
            match self
                .alias_groups
                .iter_mut()
                .find(|g| group.iter().any(|m| g.contains(m)))
            {
                Some(existing) => {
                    for member in members {
                        if !existing.contains(member) {
                            existing.push(member.clone());
                        }
                    }
                }
                None => {
                    let members: Vec<String> = members.cloned().collect();
                    if members.len() > 1 {
                        self.alias_groups.push(members);
                    }
                }
            }
        }
    }

    pub fn is_stop_word(&self, term: &str) -> bool {
        self.stop_words.contains(term)
    }

    /// True for a character that only marks a question or a tone.
    pub fn is_particle(&self, c: char) -> bool {
        PARTICLE_CHARS.contains(&c)
    }

    pub fn is_question_word(&self, word: &str) -> bool {
        QUESTION_WORDS.contains(&word)
    }

    /// The kind of answer a question asks for, if its words (normalized, segmented, in
    /// order) say.
    pub fn answer_type(&self, words: &[&str]) -> Option<AnswerType> {
        let mut phrases: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        for pair in words.windows(2) {
            phrases.push(format!("{}{}", pair[0], pair[1]));
            phrases.push(format!("{} {}", pair[0], pair[1]));
        }
        let asks = |asking: &[&str]| phrases.iter().any(|p| asking.contains(&p.as_str()));
        ANSWER_TYPE_PHRASES
            .iter()
            .find(|(_, asking)| asks(asking))
            .map(|(kind, _)| *kind)
            .or_else(|| counted_with(words).map(AnswerType::Count))
            .or_else(|| asks(NUMBER_PHRASES).then_some(AnswerType::Number))
    }
}

/// The measure word after 多少 or 几 (「多少辆」, 「几家」), whether the segmenter kept it
/// in the same word or not.
fn counted_with(words: &[&str]) -> Option<char> {
    let measure = |rest: &str| {
        let mut chars = rest.chars();
        chars.next().filter(|c| MEASURE_WORDS.contains(*c))
    };
    words.iter().enumerate().find_map(|(i, word)| {
        let rest = word
            .strip_prefix("多少")
            .or_else(|| word.strip_prefix('几'))?;
        if rest.is_empty() {
            measure(words.get(i + 1)?)
        } else if rest.chars().count() == 1 {
            measure(rest)
        } else {
            None
        }
    })
}

fn read_optional(path: &Path) -> Result<Option<String>, TextError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(TextError::Lexicon {
            path: path.to_owned(),
            source,
        }),
    }
}

/// `word [freq] [tag]` per line, jieba's format; `#` starts a comment.
fn parse_user_dict(
    text: &str,
    normalize: &impl Fn(&str) -> String,
) -> Vec<(String, Option<usize>)> {
    content_lines(text)
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let word = normalize(parts.next()?);
            let freq = parts.next().and_then(|f| f.parse().ok());
            Some((word, freq))
        })
        .collect()
}

/// One group per line, members separated by `=`: `Qwen = 通义千问 = 通义`.
fn parse_aliases(text: &str, normalize: &impl Fn(&str) -> String) -> Vec<Vec<String>> {
    content_lines(text)
        .map(|line| {
            line.split('=')
                .map(|member| normalize(member.trim()))
                .filter(|member| !member.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|group| group.len() > 1)
        .collect()
}

fn content_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold_char;

    /// Normalization without script conversion, enough for these entries.
    fn fold(text: &str) -> String {
        text.chars().map(fold_char).collect()
    }

    #[test]
    fn parses_user_dict_with_comments_and_frequencies() {
        let words = parse_user_dict("# names\n云栖大会 50000 n\n吴泳铭\n\n", &fold);
        assert_eq!(
            words,
            vec![
                ("云栖大会".to_owned(), Some(50000)),
                ("吴泳铭".to_owned(), None)
            ]
        );
    }

    #[test]
    fn parses_alias_groups_and_drops_singletons() {
        let groups = parse_aliases(
            "Qwen = 通义千问 = 通义\nlonely\n XPeng=小鹏 # car maker\n",
            &fold,
        );
        assert_eq!(
            groups,
            vec![
                vec!["qwen".to_owned(), "通义千问".to_owned(), "通义".to_owned()],
                vec!["xpeng".to_owned(), "小鹏".to_owned()],
            ]
        );
    }

    #[test]
    fn stop_words_cover_question_words_not_content() {
        let lexicon = Lexicon::builtin();
        for w in ["什么", "多少", "吗", "怎么", "哪些", "是不是", "how", "the"] {
            assert!(lexicon.is_stop_word(w), "{w}");
        }
        for w in ["云栖大会", "下载量", "qwen2.5", "ai"] {
            assert!(!lexicon.is_stop_word(w), "{w}");
        }
    }

    #[test]
    fn missing_lexicon_files_are_empty() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lexicon =
            Lexicon::load(&dir.path().join("missing"), fold).expect("missing files are fine");
        assert!(lexicon.user_words.is_empty() && lexicon.alias_groups.is_empty());
    }
}
