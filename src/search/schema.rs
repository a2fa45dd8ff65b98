//! The index schema, declared in one place, and the tokenizers its analyzed fields use.

use std::sync::Arc;

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};
use tantivy::Index;

use crate::text::{Analyzer, TermKind, Token};

/// One document per passage. `text` is stored verbatim and `normalized` beside it, so
/// answering checks a candidate's words without analyzing it again; the text is indexed
/// once per kind of term, each in its own field, so each kind is scored apart.
#[derive(Clone, Copy)]
pub struct Fields {
    pub article: Field,
    pub title: Field,
    pub section: Field,
    pub paragraph: Field,
    pub text: Field,
    pub normalized: Field,
    pub chars: Field,
    pub words: Field,
    pub pinyin: Field,
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
            normalized: f("normalized")?,
            chars: f(field_name(TermKind::Chars))?,
            words: f(field_name(TermKind::Words))?,
            pinyin: f(field_name(TermKind::Pinyin))?,
        })
    }

    /// The field that holds terms of `kind`.
    pub fn of(&self, kind: TermKind) -> Field {
        match kind {
            TermKind::Chars => self.chars,
            TermKind::Words => self.words,
            TermKind::Pinyin => self.pinyin,
        }
    }
}

fn field_name(kind: TermKind) -> &'static str {
    match kind {
        TermKind::Chars => "chars",
        TermKind::Words => "words",
        TermKind::Pinyin => "pinyin",
    }
}

fn tokenizer_name(kind: TermKind) -> &'static str {
    match kind {
        TermKind::Chars => "yunqi_chars",
        TermKind::Words => "yunqi_words",
        TermKind::Pinyin => "yunqi_pinyin",
    }
}

pub fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("article", STRING | STORED);
    builder.add_text_field("title", STORED);
    builder.add_text_field("section", STORED);
    builder.add_u64_field("paragraph", STORED | FAST);
    builder.add_text_field("text", STORED);
    builder.add_text_field("normalized", STORED);
    for kind in TermKind::ALL {
        let options = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer_name(kind))
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        builder.add_text_field(field_name(kind), options);
    }
    builder.build()
}

/// Registers our tokenizers on an index; needed every time an index is created or opened.
pub fn register_tokenizers(index: &Index, analyzer: &Arc<Analyzer>) {
    let tokenizers = index.tokenizers();
    for kind in TermKind::ALL {
        tokenizers.register(
            tokenizer_name(kind),
            AnalyzerTokenizer {
                analyzer: analyzer.clone(),
                kind,
            },
        );
    }
}

/// Adapts the shared `Analyzer` to tantivy, for indexing only (questions are analyzed by
/// the `Analyzer` itself). The analyzed fields are fed the passage's normalized text, so
/// it is not normalized again for each of them. Tantivy clones a tokenizer for every use,
/// so it holds only an `Arc`.
#[derive(Clone)]
struct AnalyzerTokenizer {
    analyzer: Arc<Analyzer>,
    kind: TermKind,
}

impl Tokenizer for AnalyzerTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(text, self.analyzer.normalized_terms(text, self.kind))
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
