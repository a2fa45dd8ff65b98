//! The index schema, declared in one place, and the tokenizers its text fields use.

use std::sync::Arc;

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};
use tantivy::Index;

use crate::text::{Analyzer, Token};

const WORDS_TOKENIZER: &str = "yunqi_words";
const BIGRAMS_TOKENIZER: &str = "yunqi_bigrams";

/// One document per passage. `text` is stored verbatim and analyzed twice, into
/// `words` (jieba) and `bigrams` (Han character pairs); the section heading and the
/// article title are analyzed into their own fields so they can be boosted separately.
#[derive(Clone, Copy)]
pub struct Fields {
    pub article: Field,
    pub title: Field,
    pub section: Field,
    pub paragraph: Field,
    pub text: Field,
    pub words: Field,
    pub bigrams: Field,
    pub context_words: Field,
    pub context_bigrams: Field,
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            article: f("article")?,
            title: f("title")?,
            section: f("section")?,
            paragraph: f("paragraph")?,
            text: f("text")?,
            words: f("words")?,
            bigrams: f("bigrams")?,
            context_words: f("context_words")?,
            context_bigrams: f("context_bigrams")?,
        })
    }
}

pub fn build_schema() -> Schema {
    let analyzed = |tokenizer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let mut builder = Schema::builder();
    builder.add_text_field("article", STRING | STORED);
    builder.add_text_field("title", STORED);
    builder.add_text_field("section", STORED);
    builder.add_u64_field("paragraph", STORED | FAST);
    builder.add_text_field("text", STORED);
    builder.add_text_field("words", analyzed(WORDS_TOKENIZER));
    builder.add_text_field("bigrams", analyzed(BIGRAMS_TOKENIZER));
    // The section heading and title, which give a paragraph its context.
    builder.add_text_field("context_words", analyzed(WORDS_TOKENIZER));
    builder.add_text_field("context_bigrams", analyzed(BIGRAMS_TOKENIZER));
    builder.build()
}

/// Registers our tokenizers on an index; needed every time an index is created or opened.
pub fn register_tokenizers(index: &Index, analyzer: &Arc<Analyzer>) {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        WORDS_TOKENIZER,
        AnalyzerTokenizer {
            analyzer: analyzer.clone(),
            kind: Kind::Words,
        },
    );
    tokenizers.register(
        BIGRAMS_TOKENIZER,
        AnalyzerTokenizer {
            analyzer: analyzer.clone(),
            kind: Kind::Bigrams,
        },
    );
}

#[derive(Clone, Copy)]
enum Kind {
    Words,
    Bigrams,
}

/// Adapts the shared `Analyzer` to tantivy. Tantivy clones a tokenizer for every use, so
/// it holds only an `Arc`.
#[derive(Clone)]
struct AnalyzerTokenizer {
    analyzer: Arc<Analyzer>,
    kind: Kind,
}

impl Tokenizer for AnalyzerTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        let tokens = match self.kind {
            Kind::Words => self.analyzer.words(text),
            Kind::Bigrams => self.analyzer.bigrams(text),
        };
        VecTokenStream::new(text, tokens)
    }
}

struct VecTokenStream {
    tokens: Vec<TantivyToken>,
    next: usize,
}

impl VecTokenStream {
    fn new(text: &str, tokens: Vec<Token>) -> Self {
        // Our spans are in characters; tantivy's are in bytes.
        let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_at.push(text.len());
        let tokens = tokens
            .into_iter()
            .enumerate()
            .map(|(position, t)| TantivyToken {
                offset_from: byte_at[t.start.min(byte_at.len() - 1)],
                offset_to: byte_at[t.end.min(byte_at.len() - 1)],
                position,
                text: t.term,
                position_length: 1,
            })
            .collect();
        VecTokenStream { tokens, next: 0 }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &TantivyToken {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.tokens[self.next - 1]
    }
}
