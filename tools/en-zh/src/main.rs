//! Generates the English → Simplified Chinese glossary `src/text/en_zh.tsv` from the
//! CC-CEDICT entries embedded in the `chinese_dictionary` crate.
//!
//! Usage: `en-zh OUTPUT [--explain KEY]...`; `--explain` prints the ranked candidates of a
//! key to stderr, which is how the ranking rules below were tuned.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::OnceLock;

use chinese_dictionary::WordEntry;
use opencc_fmmseg::OpenCC;

/// The glossary's own stemming rules, the same file the bot compiles.
#[path = "../../../src/text/stem.rs"]
mod stem;
use stem::stems;

/// The entry table `chinese_dictionary` embeds (located by build.rs): the crate answers
/// look-ups but cannot list its entries, and a glossary needs all of them.
static CEDICT: &[u8] = include_bytes!(env!("CEDICT_DATA"));

const MAX_HEADWORDS: usize = 8;
/// Longer senses are explanations rather than translations.
const MAX_SENSE_WORDS: usize = 3;
/// A two-word key is kept only when both words are this common in CC-CEDICT's English:
/// "cloud computing" can turn up in a question, "zygomatic arch" hardly, and the rare
/// phrases would make up a third of the table.
const MIN_PHRASE_WORD_ENTRIES: u32 = 14;
/// Longer headwords are mostly names and set phrases that English questions never match.
const MAX_HEADWORD_CHARS: usize = 6;

/// English words that say how a question is asked rather than what it is about; a key for
/// one would only add noise to a query.
const STOP_WORDS: &str = "
a about above after again against all also am an and any are as at be been before being
below between both but by can could did do does doing done down during each either else
ever every few for from further get gets got had has have having he her here hers
herself him himself his how i if in into is it its itself just know make makes many may
me might more most much must my myself neither no nor not of off on once only or other
our ours ourselves out over own per please same say says shall she should so some such
than that the their theirs them themselves then there these they this those through to
too under until up us very was we were what when where whether which while who whom
whose why will with would yes yet you your yours yourself yourselves
";

/// CC-CEDICT's stand-ins for an object ("to help sb"): not words anyone searches for.
const PLACEHOLDERS: &str = "sb sth sb's sth's one's oneself someone's somebody's etc";

/// Senses that point elsewhere or describe the character rather than translate it.
const SKIP_PREFIXES: &[&str] = &[
    "variant of",
    "old variant of",
    "archaic variant of",
    "japanese variant of",
    "erhua variant of",
    "also written",
    "also pr",
    "pr.",
    "surname",
    "used in",
    "used as",
    "see ",
    "cl:",
    "classifier",
    "radical",
    "kangxi radical",
    "abbr. to",
    "name of",
    "component in",
    "(used in",
];

/// Notes that mark a sense as regional, dated or figurative: still a translation, but not
/// the word a modern Mainland article would use.
const MARKED_NOTES: &[&str] = &[
    "tw",
    "taiwan",
    "hk",
    "cantonese",
    "dialect",
    "old",
    "archaic",
    "classical",
    "literary",
    "obsolete",
    "ancient",
    "former",
    "dated",
    "fig",
    "slang",
    "vulgar",
    "onom",
    "buddhism",
    "taoism",
    "chinese medicine",
    "tcm",
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(output) = args.next() else {
        eprintln!("usage: en-zh OUTPUT [--explain KEY]...");
        return ExitCode::FAILURE;
    };
    let mut explain = Vec::new();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--explain", Some(key)) => explain.push(key.to_lowercase()),
            _ => {
                eprintln!("usage: en-zh OUTPUT [--explain KEY]...");
                return ExitCode::FAILURE;
            }
        }
    }

    let entries = match load_entries() {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("cannot read the CC-CEDICT table: {e}");
            return ExitCode::FAILURE;
        }
    };
    let glossary = build(&entries, &explain);
    let table = render(&glossary, entries.len());
    if let Err(e) = std::fs::write(&output, &table) {
        eprintln!("cannot write {output}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "{output}: {} keys, {} bytes, from {} CC-CEDICT entries",
        glossary.len(),
        table.len(),
        entries.len()
    );
    ExitCode::SUCCESS
}

fn load_entries() -> Result<Vec<WordEntry>, String> {
    let table: HashMap<u32, WordEntry> = bincode::deserialize(CEDICT).map_err(|e| e.to_string())?;
    // The file is read behind the crate's back; make sure it is the one its look-ups use.
    let probe = chinese_dictionary::query_by_simplified("下载");
    let agrees = probe
        .first()
        .is_some_and(|e| table.get(&e.word_id).is_some_and(|t| t == *e));
    if !agrees {
        return Err("the data file disagrees with chinese_dictionary's own look-up".into());
    }
    let mut entries: Vec<WordEntry> = table.into_values().collect();
    entries.sort_by_key(|e| e.word_id);
    Ok(entries)
}

/// How well a headword answers a key; smaller is better, compared field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// Regional, dated or figurative sense.
    marked: bool,
    /// The key is one word of a longer sense rather than the whole sense.
    partial: bool,
    /// One of the first three senses or later: dictionaries list the main meanings first,
    /// but 会议 "meeting; conference" should not lose "conference" to 座谈会.
    tier: u8,
    /// Content words in the sense: "price" says more about 价格 than "price list".
    sense_words: usize,
    /// Reached through an abbreviation ("abbr. for 开放源码") rather than its own sense.
    inherited: bool,
    /// 0 for 2–4 characters (and a lone character in its main meaning), 1 otherwise.
    length_class: u8,
    /// Among equally good senses, the word Chinese text uses most often wins.
    rarity: u64,
    /// The sense's index, for the last ties.
    position: usize,
    /// On an HSK list: a learner's word in its own right.
    hsk: bool,
}

impl Rank {
    /// The headword's main meaning: its first sense, whole and unmarked.
    fn is_primary(&self) -> bool {
        !self.marked && !self.partial && !self.inherited && self.position == 0
    }
}

fn length_class(headword: &str, primary: bool) -> u8 {
    match headword.chars().count() {
        2..=4 => 0,
        1 if primary => 0,
        _ => 1,
    }
}

enum Sense {
    Words { words: Vec<String>, marked: bool },
    Abbreviation(String),
}

type Candidates = HashMap<String, HashMap<String, Rank>>;

fn build(entries: &[WordEntry], explain: &[String]) -> BTreeMap<String, Vec<String>> {
    let opencc = OpenCC::new();
    let headwords: Vec<Option<String>> = entries
        .iter()
        .map(|e| normalize_headword(&opencc, &e.simplified))
        .collect();
    let rarity = rarity(&headwords);
    let word_entries = word_entries(entries);
    let common =
        |word: &str| word_entries.get(word).copied().unwrap_or(0) >= MIN_PHRASE_WORD_ENTRIES;
    let hsk: HashSet<&str> = entries
        .iter()
        .zip(&headwords)
        .filter(|(e, _)| e.hsk > 0)
        .filter_map(|(_, h)| h.as_deref())
        .collect();

    let mut candidates: Candidates = HashMap::new();
    let mut abbreviations = Vec::new();
    for (entry, headword) in entries.iter().zip(&headwords) {
        let Some(headword) = headword else { continue };
        let mut position = 0;
        for raw in entry.english.iter().flat_map(|s| s.split(';')) {
            if let Some(name) = name_key(raw, &entry.pinyin_numbers) {
                if headword.chars().count() > 1 {
                    let rank = Rank {
                        marked: false,
                        partial: false,
                        tier: u8::from(position > 2),
                        sense_words: 1,
                        inherited: false,
                        length_class: length_class(headword, false),
                        rarity: rarity.get(headword).copied().unwrap_or(u64::MAX),
                        position,
                        hsk: hsk.contains(headword.as_str()),
                    };
                    offer(&mut candidates, name, headword, rank);
                }
            }
            match parse_sense(raw) {
                Some(Sense::Abbreviation(target)) => {
                    abbreviations.push((headword.clone(), target));
                }
                // A long sense gives no key but still counts: it may be the main meaning
                // (京 "capital city of a country" before "big").
                Some(Sense::Words { words, .. }) if words.len() > MAX_SENSE_WORDS => {
                    position += 1;
                }
                Some(Sense::Words { words, marked }) => {
                    let base = Rank {
                        marked,
                        partial: false,
                        tier: u8::from(position > 2),
                        sense_words: words.iter().filter(|w| is_key_word(w)).count(),
                        inherited: false,
                        length_class: 0,
                        rarity: rarity.get(headword).copied().unwrap_or(u64::MAX),
                        position,
                        hsk: hsk.contains(headword.as_str()),
                    };
                    for (key, partial) in keys_of(&words) {
                        if key.contains(' ') && !key.split(' ').all(common) {
                            continue;
                        }
                        let mut rank = Rank { partial, ..base };
                        rank.length_class = length_class(headword, rank.is_primary());
                        offer(&mut candidates, key, headword, rank);
                    }
                    position += 1;
                }
                None => {}
            }
        }
    }
    inherit_abbreviations(&mut candidates, &abbreviations, &rarity, &hsk);

    let mut glossary: BTreeMap<String, (Vec<String>, bool)> = BTreeMap::new();
    for (key, heads) in candidates {
        let mut ranked: Vec<(Rank, String)> = heads.into_iter().map(|(h, r)| (r, h)).collect();
        ranked.sort();
        if explain.contains(&key) {
            eprintln!("{key}:");
            for (rank, head) in &ranked {
                eprintln!("  {head} {rank:?}");
            }
        }
        let mut chosen: Vec<String> = Vec::new();
        for (rank, head) in &ranked {
            if chosen.len() == MAX_HEADWORDS {
                break;
            }
            if head.chars().count() == 1 && !single_char_fits(*rank, &ranked) {
                continue;
            }
            // 北京大学 for "university" finds nothing that 大学 does not: the segmenter
            // splits long words into the shorter words they contain.
            let redundant = rank.partial
                && chosen
                    .iter()
                    .any(|c| c.chars().count() > 1 && head.contains(c.as_str()));
            if !redundant {
                chosen.push(head.clone());
            }
        }
        let whole = ranked
            .iter()
            .any(|(rank, h)| !rank.partial && chosen.contains(h));
        if !chosen.is_empty() {
            glossary.insert(key, (chosen, whole));
        }
    }
    // "lessons" only ever appears inside longer senses, while "lesson" has senses of its
    // own; the key would stop the glossary's stemming from reaching the better answer.
    let shadowing: Vec<String> = glossary
        .iter()
        .filter(|(key, (_, whole))| !whole && stems(key).iter().any(|s| glossary.contains_key(s)))
        .map(|(key, _)| key.clone())
        .collect();
    for key in shadowing {
        glossary.remove(&key);
    }
    glossary
        .into_iter()
        .map(|(key, (heads, _))| (key, heads))
        .collect()
}

/// A lone character matches far too much Chinese text to stand for a key unless no word
/// translates it (费 for "fee", beside only 学费 and 手续费), or Chinese prefers it: its
/// main meaning, a learner's word (HSK) and more common than every word that translates
/// the key as well (云 for "cloud", not 价 beside 价格 for "price").
fn single_char_fits(rank: Rank, ranked: &[(Rank, String)]) -> bool {
    let words = || ranked.iter().filter(|(_, h)| h.chars().count() > 1);
    if words().next().is_none() {
        return true;
    }
    let mut translations = words().filter(|(other, _)| !other.partial).peekable();
    if translations.peek().is_none() {
        return !rank.partial;
    }
    rank.is_primary()
        && rank.hsk
        && translations
            .filter(|(other, _)| !other.marked)
            .all(|(other, _)| other.rarity > rank.rarity)
}

fn offer(candidates: &mut Candidates, key: String, headword: &str, rank: Rank) {
    let heads = candidates.entry(key).or_default();
    match heads.get_mut(headword) {
        Some(best) => *best = (*best).min(rank),
        None => {
            heads.insert(headword.to_string(), rank);
        }
    }
}

/// An abbreviation is what articles actually write (开源 rather than 开放源码), but
/// CC-CEDICT gives it no English of its own: it takes its full form's keys.
fn inherit_abbreviations(
    candidates: &mut Candidates,
    abbreviations: &[(String, String)],
    rarity: &HashMap<String, u64>,
    hsk: &HashSet<&str>,
) {
    let mut by_headword: HashMap<&str, Vec<(String, Rank)>> = HashMap::new();
    for (key, heads) in candidates.iter() {
        for (head, rank) in heads.iter().filter(|(_, r)| !r.partial) {
            by_headword
                .entry(head.as_str())
                .or_default()
                .push((key.clone(), *rank));
        }
    }
    let mut inherited = Vec::new();
    for (short, full) in abbreviations {
        if short.chars().count() < 2 {
            continue;
        }
        for (key, rank) in by_headword.get(full.as_str()).into_iter().flatten() {
            let rank = Rank {
                inherited: true,
                length_class: length_class(short, false),
                rarity: rarity.get(short).copied().unwrap_or(u64::MAX),
                hsk: hsk.contains(short.as_str()),
                ..*rank
            };
            inherited.push((key.clone(), short.clone(), rank));
        }
    }
    for (key, short, rank) in inherited {
        offer(candidates, key, &short, rank);
    }
}

/// The keys a sense provides, each with whether it is only part of the sense.
fn keys_of(words: &[String]) -> Vec<(String, bool)> {
    let content: Vec<&String> = words.iter().filter(|w| is_key_word(w)).collect();
    match words.len() {
        1 => content.iter().map(|w| (w.to_string(), false)).collect(),
        // "to make a speech", "a hard disk": function words before the one content word
        // add nothing to it. Not "give up", where the trailing word changes the verb, nor
        // "100 million".
        _ if content.len() == 1
            && words.last() == content.first().copied()
            && words[..words.len() - 1].iter().all(|w| is_function_word(w)) =>
        {
            vec![(content[0].to_string(), false)]
        }
        2 => {
            let mut keys = Vec::new();
            if content.len() == 2 {
                keys.push((words.join(" "), false));
            }
            keys.extend(content.iter().map(|w| (w.to_string(), true)));
            keys
        }
        // "to make a speech" still says what 演讲 means; "open source software" says too
        // much to stand for any one of its words.
        _ if content.len() <= 2 => content.iter().map(|w| (w.to_string(), true)).collect(),
        _ => Vec::new(),
    }
}

fn is_key_word(word: &str) -> bool {
    let bytes = word.as_bytes();
    // Letters only, but for a few shapes people do type: "3d", "5g", "mp3". Not the
    // chemical formulas and ordinals CC-CEDICT also has ("c10h8", "1960s").
    let shaped = bytes.iter().all(u8::is_ascii_lowercase)
        || matches!(bytes, [d, l] if d.is_ascii_digit() && l.is_ascii_lowercase())
        || matches!(bytes, [rest @ .., d] if d.is_ascii_digit()
            && rest.len() >= 2 && rest.iter().all(u8::is_ascii_lowercase));
    word.len() >= 2 && shaped && !is_function_word(word)
}

fn is_function_word(word: &str) -> bool {
    static STOP: OnceLock<HashSet<&str>> = OnceLock::new();
    let stop = STOP.get_or_init(|| STOP_WORDS.split_whitespace().collect());
    stop.contains(word) || is_placeholder(word)
}

fn is_placeholder(word: &str) -> bool {
    PLACEHOLDERS.split_whitespace().any(|p| p == word)
}

/// A name CC-CEDICT explains rather than translates ("Hangzhou subprovincial city and
/// capital of Zhejiang province") still starts with its own pinyin: that word is a key.
fn name_key(sense: &str, pinyin_numbers: &str) -> Option<String> {
    let first = sense.trim().split([' ', ',', '(']).next()?;
    if !first.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let spelled: String = pinyin_numbers
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let first = first.to_ascii_lowercase();
    (first == spelled && is_key_word(&first)).then_some(first)
}

/// Reads one sense (one `/` or `;` part of an entry's English) into its words.
fn parse_sense(raw: &str) -> Option<Sense> {
    let lower = raw.trim().to_lowercase();
    if let Some(rest) = lower
        .strip_prefix("abbr. for ")
        .or_else(|| lower.strip_prefix("abbr for "))
    {
        // "abbr. for 開放源碼|开放源码[kai1 fang4 yuan2 ma3]": the Simplified form follows '|'
        // when it differs from the Traditional one.
        let reference = rest.split('[').next().unwrap_or("");
        let target = reference.rsplit('|').next().unwrap_or("").trim();
        if !target.is_empty() && target.chars().all(is_han) {
            return Some(Sense::Abbreviation(target.to_string()));
        }
        return None;
    }
    if lower
        .chars()
        .any(|c| is_han(c) || matches!(c, '[' | '|' | '/'))
    {
        return None;
    }
    if SKIP_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return None;
    }

    let mut text = String::new();
    let mut notes = String::new();
    let mut depth = 0usize;
    for c in lower.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            _ if depth > 0 => notes.push(c),
            _ => text.push(c),
        }
        if c == ')' {
            notes.push(' ');
        }
    }
    if depth != 0 {
        return None;
    }
    let text = text.trim();
    // "fig. livelihood", "lit. iron rice bowl": a note written without parentheses.
    let (text, figurative) = match text.strip_prefix("fig. ") {
        Some(rest) => (rest, true),
        None => (text.strip_prefix("lit. ").unwrap_or(text), false),
    };
    if SKIP_PREFIXES.iter().any(|p| text.starts_with(p)) {
        return None;
    }
    let note_words: Vec<&str> = notes
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .collect();
    let marked = figurative
        || MARKED_NOTES.iter().any(|m| {
            let mut parts = m.split(' ');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => note_words.windows(2).any(|w| w[0] == a && w[1] == b),
                (Some(a), None) => note_words.contains(&a),
                _ => false,
            }
        });

    let mut words = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || c == '-') {
        let token = token.trim_matches(|c: char| matches!(c, ',' | '.' | '!' | '?' | '"' | ':'));
        if token.is_empty() || is_placeholder(token) {
            continue;
        }
        if !token
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        {
            return None;
        }
        if looks_like_pinyin(token) {
            return None;
        }
        words.push(token.to_string());
    }
    // "to be open", "a model", "the internet": the particle is not part of the meaning.
    let leading: &[&str] = match words.first().map(String::as_str) {
        Some("to") => &["to", "be"],
        Some("a" | "an" | "the") => &["a", "an", "the"],
        _ => &[],
    };
    for particle in leading {
        if words.len() > 1 && words[0] == *particle {
            words.remove(0);
        }
    }
    if words.is_empty() {
        return None;
    }
    Some(Sense::Words { words, marked })
}

/// Tone-numbered syllables ("yun2") mark a transcription, not a translation.
fn looks_like_pinyin(token: &str) -> bool {
    let bytes = token.as_bytes();
    bytes.len() >= 2
        && matches!(bytes[bytes.len() - 1], b'1'..=b'5')
        && bytes[..bytes.len() - 1].iter().all(u8::is_ascii_lowercase)
}

/// The form the search index holds: the engine converts every text with OpenCC's t2s, and
/// CC-CEDICT's Simplified occasionally differs from OpenCC's.
fn normalize_headword(opencc: &OpenCC, simplified: &str) -> Option<String> {
    let count = simplified.chars().count();
    if count == 0 || count > MAX_HEADWORD_CHARS || !simplified.chars().all(is_han) {
        return None;
    }
    let converted = opencc.t2s(simplified, false);
    if converted.chars().count() == count {
        Some(converted)
    } else {
        Some(simplified.to_string())
    }
}

/// In how many entries each English word occurs: a rough measure of how common it is.
fn word_entries(entries: &[WordEntry]) -> HashMap<String, u32> {
    let mut counts: HashMap<String, u32> = HashMap::new();
    for entry in entries {
        let mut words: Vec<String> = entry
            .english
            .iter()
            .flat_map(|s| s.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        words.sort();
        words.dedup();
        for word in words {
            *counts.entry(word).or_default() += 1;
        }
    }
    counts
}

/// Smaller for common words, from the word frequencies of jieba (the segmenter the
/// engine uses): CC-CEDICT itself says nothing of how common a word is.
fn rarity(headwords: &[Option<String>]) -> HashMap<String, u64> {
    let jieba = jieba_rs::Jieba::new();
    headwords
        .iter()
        .flatten()
        .map(|head| {
            // suggest_freq of a dictionary word is its frequency plus one.
            let frequency = if jieba.has_word(head) {
                jieba.suggest_freq(head) as u64
            } else {
                0
            };
            (head.clone(), u64::MAX - frequency)
        })
        .collect()
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3007}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2EBEF}')
}

fn render(glossary: &BTreeMap<String, Vec<String>>, entry_count: usize) -> String {
    let mut out = String::new();
    out.push_str(
        "# English → Simplified Chinese glossary: lets English questions match Chinese text.\n",
    );
    let _ = writeln!(
        out,
        "# Source: CC-CEDICT ({entry_count} entries) as embedded in the Rust crate chinese_dictionary 2.1.4."
    );
    out.push_str(
        "# License: Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0), like CC-CEDICT;\n",
    );
    out.push_str("# https://creativecommons.org/licenses/by-sa/4.0/\n");
    out.push_str(
        "# Generated by tools/en-zh (see its README.md); edit the generator, not this file.\n",
    );
    out.push_str(
        "# Each line: key<TAB>headwords separated by spaces, best first. Keys are lowercase\n",
    );
    out.push_str(
        "# English words or two-word phrases; headwords are in OpenCC t2s Simplified form.\n",
    );
    for (key, heads) in glossary {
        let _ = writeln!(out, "{key}\t{}", heads.join(" "));
    }
    out
}

