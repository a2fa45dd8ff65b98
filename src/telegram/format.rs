//! Answers → Telegram HTML, within Telegram's limits. Every piece of article or user text
//! goes through [`escape`] before it is wrapped in tags.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};
use teloxide::utils::html;

use super::messages;
use crate::answer::Quote;

/// Telegram's limit on a message, in UTF-16 code units of its visible text.
pub const MAX_MESSAGE_UTF16: usize = 4096;
/// Telegram's limit on a button's callback data, in bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;
/// Telegram's limit on results in one inline answer.
pub const MAX_INLINE_RESULTS: usize = 50;
/// Characters of an inline result's description.
const SNIPPET_CHARS: usize = 80;
/// Characters of an inline result's title.
const TITLE_CHARS: usize = 60;
/// Characters of the title, and of the section, in a quote's citation: a title is a line
/// of an article file, which may be of any length, and the quote must keep its room.
const CITATION_PART_CHARS: usize = 200;

const SENTENCE_ENDS: &[char] = &['。', '！', '？', '；', '!', '?', ';', '”'];
const ELLIPSIS: char = '…';
const CALLBACK_PREFIX: &str = "p:";

/// Escapes text for Telegram's HTML mode (`&`, `<`, `>`; Telegram needs no more outside
/// attributes).
pub use teloxide::utils::html::escape;

/// Escapes text for a double-quoted attribute: teloxide's [`escape`] leaves `"` as is,
/// which would end the attribute early.
fn escape_attribute(text: &str) -> String {
    escape(text).replace('"', "&quot;")
}

/// A passage as a message: the quote in a blockquote with the matched terms in bold,
/// then where it comes from. Never longer than Telegram allows: a long quote is cut at a
/// sentence end, with an ellipsis, and the citation is kept.
pub fn passage_html(p: &Quote) -> String {
    quote_message("", p)
}

/// A passage the engine is not sure answers: a plain note first, then the passage as in
/// [`passage_html`], the whole within Telegram's limit.
pub fn unsure_html(p: &Quote) -> String {
    quote_message(messages::UNSURE, p)
}

fn quote_message(note: &str, p: &Quote) -> String {
    let citation = citation_text(p);
    let note_len = if note.is_empty() {
        0
    } else {
        utf16_len(note) + 1
    };
    let budget = MAX_MESSAGE_UTF16.saturating_sub(utf16_len(&citation) + 1 + note_len);
    let quote = quote_html(&p.display_text, &p.highlights, budget);
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("{}\n", escape(note))
    };
    format!("{note}{}\n{}", html::blockquote(&quote), citation_html(p))
}

/// `— title · section · ¶N`, the title linked to the article's source when it has one.
fn citation_html(p: &Quote) -> String {
    let title = match &p.source {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            // teloxide's `html::link` does not escape `"` in the URL.
            format!(
                "<a href=\"{}\">{}</a>",
                escape_attribute(url),
                escape(&citation_part(&p.title))
            )
        }
        _ => escape(&citation_part(&p.title)),
    };
    let section = p
        .section
        .as_deref()
        .map(|s| format!(" · {}", escape(&citation_part(s))))
        .unwrap_or_default();
    format!("— {title}{section} · ¶{}", p.paragraph)
}

/// The visible text of [`citation_html`].
fn citation_text(p: &Quote) -> String {
    let section = p
        .section
        .as_deref()
        .map(|s| format!(" · {}", citation_part(s)))
        .unwrap_or_default();
    format!("— {}{section} · ¶{}", citation_part(&p.title), p.paragraph)
}

fn citation_part(text: &str) -> String {
    shorten(text, CITATION_PART_CHARS)
}

/// `text` escaped, with the character ranges in `bold` wrapped in `<b>`, cut so that its
/// visible length stays within `budget` UTF-16 units.
fn quote_html(text: &str, bold: &[(usize, usize)], budget: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let keep = visible_prefix(&chars, budget);
    let mut out = String::with_capacity(text.len() + bold.len() * 7);
    let is_bold = |i: usize| bold.iter().any(|&(s, e)| s <= i && i < e);
    // Runs of characters that are all bold or all not, each escaped and wrapped once.
    let mut start = 0;
    while start < keep {
        let in_bold = is_bold(start);
        let end = (start..keep)
            .find(|&i| is_bold(i) != in_bold)
            .unwrap_or(keep);
        let run = escape(&chars[start..end].iter().collect::<String>());
        out.push_str(&if in_bold { html::bold(&run) } else { run });
        start = end;
    }
    if keep < chars.len() {
        out.push(ELLIPSIS);
    }
    out
}

/// How many characters of `chars` to keep so that they (plus an ellipsis when cut) fit
/// in `budget` UTF-16 units: all of them if they fit, else up to the last sentence end
/// that fits, else as many as fit.
fn visible_prefix(chars: &[char], budget: usize) -> usize {
    if chars.iter().map(|c| c.len_utf16()).sum::<usize>() <= budget {
        return chars.len();
    }
    let room = budget.saturating_sub(ELLIPSIS.len_utf16());
    let mut used = 0;
    let mut fits = 0;
    let mut sentence_end = None;
    for (i, c) in chars.iter().enumerate() {
        used += c.len_utf16();
        if used > room {
            break;
        }
        fits = i + 1;
        if SENTENCE_ENDS.contains(c) {
            sentence_end = Some(i + 1);
        }
    }
    sentence_end.unwrap_or(fits)
}

/// Plain text as escaped HTML messages within Telegram's limit, split between lines; a
/// line too long for one message is cut like a long quote. Empty text gives none.
pub fn plain_messages(text: &str) -> Vec<String> {
    let mut messages = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let keep = visible_prefix(&chars, MAX_MESSAGE_UTF16);
        let mut line: String = chars[..keep].iter().collect();
        if keep < chars.len() {
            line.push(ELLIPSIS);
        }
        if !current.is_empty() && utf16_len(&current) + 1 + utf16_len(&line) > MAX_MESSAGE_UTF16 {
            messages.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        messages.push(current);
    }
    messages.iter().map(|m| escape(m)).collect()
}

/// Keyboard under passage `shown` (0-based) of `total`: back and more buttons.
pub fn pager(shown: usize, total: usize) -> Option<InlineKeyboardMarkup> {
    let mut row = Vec::new();
    if shown > 0 {
        row.push(InlineKeyboardButton::callback(
            messages::back_button(shown, total),
            callback_data(shown - 1),
        ));
    }
    if shown + 1 < total {
        row.push(InlineKeyboardButton::callback(
            messages::more_button(shown + 2, total),
            callback_data(shown + 1),
        ));
    }
    (!row.is_empty()).then(|| InlineKeyboardMarkup::new([row]))
}

/// The callback data of a button that shows passage `index`.
pub fn callback_data(index: usize) -> String {
    let data = format!("{CALLBACK_PREFIX}{index}");
    debug_assert!(data.len() <= MAX_CALLBACK_DATA_BYTES);
    data
}

/// The passage index a button's callback data asks for.
pub fn parse_callback_data(data: &str) -> Option<usize> {
    data.strip_prefix(CALLBACK_PREFIX)?.parse().ok()
}

/// An inline result's title: article and section, shortened.
pub fn inline_title(p: &Quote) -> String {
    let title = match &p.section {
        Some(section) => format!("{} · {section}", p.title),
        None => p.title.clone(),
    };
    shorten(&title, TITLE_CHARS)
}

/// An inline result's description: the start of the quote.
pub fn snippet(p: &Quote) -> String {
    shorten(&p.display_text, SNIPPET_CHARS)
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max_chars - 1).collect();
    short.push(ELLIPSIS);
    short
}

pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(text: &str, highlights: Vec<(usize, usize)>) -> Quote {
        Quote {
            article: "a1".into(),
            title: "標題 <1> & \"2\"".into(),
            section: Some("01 <節>".into()),
            paragraph: 7,
            score: 1.0,
            coverage: 1.0,
            text: text.into(),
            display_text: text.into(),
            highlights,
            source: Some("https://example.com/a?x=1&y=\"2\"".into()),
        }
    }

    #[test]
    fn a_title_longer_than_a_message_is_shortened_in_the_citation() {
        // Found by the property tests: the quote's budget underflowed and panicked.
        let mut p = passage("段落。", vec![]);
        p.title = "長".repeat(5000);
        p.section = Some("節".repeat(5000));
        let shown = visible(&passage_html(&p));
        assert!(
            utf16_len(&shown) <= MAX_MESSAGE_UTF16,
            "{}",
            utf16_len(&shown)
        );
        assert!(shown.starts_with("段落。\n— 長長"), "{shown}");
        assert!(shown.contains("長… · 節"), "{shown}");
    }

    /// The visible text of our HTML: tags dropped, entities decoded.
    fn visible(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    }

    #[test]
    fn escape_covers_html_specials_and_attributes_also_quotes() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;\"c\"");
        assert_eq!(
            escape_attribute("a<b>&\"c\""),
            "a&lt;b&gt;&amp;&quot;c&quot;"
        );
    }

    #[test]
    fn passages_are_quoted_with_bold_terms_and_an_escaped_citation() {
        let html = passage_html(&passage("價格<下降>了97%", vec![(0, 2), (3, 5)]));
        assert_eq!(
            html,
            "<blockquote><b>價格</b>&lt;<b>下降</b>&gt;了97%</blockquote>\n\
             — <a href=\"https://example.com/a?x=1&amp;y=&quot;2&quot;\">標題 &lt;1&gt; &amp; \"2\"</a> · 01 &lt;節&gt; · ¶7"
        );
    }

    #[test]
    fn a_long_passage_is_cut_at_a_sentence_end_and_keeps_its_citation() {
        let sentence = "雲棲大會在杭州舉行，這是一句話。";
        let text = sentence.repeat(400); // ~6400 characters
        let html = passage_html(&passage(&text, vec![(0, 4)]));
        let shown = visible(&html);
        assert!(
            utf16_len(&shown) <= MAX_MESSAGE_UTF16,
            "{}",
            utf16_len(&shown)
        );
        assert!(shown.contains("。…\n— 標題"), "cut at a sentence end");
        assert!(shown.ends_with("¶7"));
    }

    #[test]
    fn a_cut_never_splits_a_surrogate_pair_budget() {
        let text = "😀".repeat(3000); // 2 UTF-16 units each, no sentence end
        let shown = visible(&passage_html(&passage(&text, vec![])));
        assert!(utf16_len(&shown) <= MAX_MESSAGE_UTF16);
        assert!(shown.contains('…'));
    }

    #[test]
    fn pager_buttons_fit_callback_limits_and_round_trip() {
        let keyboard = pager(1, 5).expect("buttons");
        let row = &keyboard.inline_keyboard[0];
        assert_eq!(row.len(), 2);
        assert_eq!(row[0].text, messages::back_button(1, 5));
        assert_eq!(row[1].text, messages::more_button(3, 5));
        assert!(pager(0, 1).is_none());
        assert_eq!(pager(0, 3).expect("more").inline_keyboard[0].len(), 1);
        let data = callback_data(usize::MAX);
        assert!(data.len() <= MAX_CALLBACK_DATA_BYTES);
        assert_eq!(parse_callback_data(&data), Some(usize::MAX));
        assert_eq!(parse_callback_data("x:1"), None);
        assert_eq!(parse_callback_data("p:-1"), None);
    }

    #[test]
    fn long_plain_text_is_split_between_lines_within_the_limit() {
        let lines: Vec<String> = (0..400)
            .map(|i| format!("• article-{i}：《標題 & <{i}>》，12 个段落"))
            .collect();
        let messages = plain_messages(&lines.join("\n"));
        assert!(messages.len() > 1);
        assert!(messages
            .iter()
            .all(|m| utf16_len(&visible(m)) <= MAX_MESSAGE_UTF16));
        assert_eq!(messages.join("\n"), escape(&lines.join("\n")));
    }

    #[test]
    fn a_line_longer_than_a_message_is_cut_and_escaped_after() {
        let messages = plain_messages(&"&".repeat(MAX_MESSAGE_UTF16 + 10));
        assert_eq!(messages.len(), 1);
        assert!(utf16_len(&visible(&messages[0])) <= MAX_MESSAGE_UTF16);
        assert!(messages[0].ends_with("&amp;…"));
        assert!(
            plain_messages("").is_empty(),
            "Telegram refuses empty messages"
        );
    }

    #[test]
    fn inline_titles_and_snippets_are_short() {
        let p = passage(&"字".repeat(500), vec![]);
        assert!(snippet(&p).chars().count() <= SNIPPET_CHARS);
        assert!(inline_title(&p).starts_with("標題"));
    }
}
