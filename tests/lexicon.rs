//! Lint of the shipped lexicon: every entry must be justified by the articles, never by a
//! question, and no entry may contradict another.

mod support;

use std::collections::HashMap;

use support::repo_path;
use yunqi_bot::corpus;
use yunqi_bot::text::{lexicon, term_positions, Lexicon, Normalizer};

/// The shipped articles and lexicon, normalized like any text.
fn shipped() -> (String, Lexicon) {
    let normalizer = Normalizer::new();
    let corpus = corpus::load_dir(&repo_path("data")).expect("shipped data");
    let text: String = corpus
        .articles
        .iter()
        .flat_map(|a| {
            a.passages
                .iter()
                .map(|p| p.text.as_str())
                .chain([a.title.as_str()])
        })
        .map(|t| normalizer.normalize(t) + "\n")
        .collect();
    let lexicon = Lexicon::load(&repo_path("data").join(lexicon::LEXICON_DIR), |s| {
        normalizer.normalize(s)
    })
    .expect("shipped lexicon");
    (text, lexicon)
}

#[test]
fn every_alias_group_names_something_the_articles_contain() {
    let (text, lexicon) = shipped();
    let unjustified: Vec<&Vec<String>> = lexicon
        .alias_groups
        .iter()
        .filter(|group| group.iter().all(|m| term_positions(&text, m).is_empty()))
        .collect();
    assert!(
        unjustified.is_empty(),
        "groups with no member in the articles: {unjustified:?}"
    );
}

#[test]
fn no_term_is_in_two_alias_groups_or_a_stop_word() {
    let (_, lexicon) = shipped();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (g, group) in lexicon.alias_groups.iter().enumerate() {
        for member in group {
            assert!(
                !lexicon.is_stop_word(member),
                "{member:?} is an alias and a stop word"
            );
            if let Some(other) = seen.insert(member, g) {
                assert_eq!(
                    other, g,
                    "{member:?} is in two groups: {:?} and {group:?}",
                    lexicon.alias_groups[other]
                );
            }
        }
    }
}

#[test]
fn every_user_dictionary_word_occurs_in_the_articles() {
    let (text, lexicon) = shipped();
    let missing: Vec<&str> = lexicon
        .user_words
        .iter()
        .map(|(word, _)| word.as_str())
        .filter(|word| !text.contains(word))
        .collect();
    assert!(
        missing.is_empty(),
        "user dictionary words the articles never use: {missing:?}"
    );
}
