//! The index schema, declared in one place, and the tokenizers its analyzed fields use.

use std::sync::Arc;

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{Token as TantivyToken, TokenStream, Tokenizer};
use tantivy::Index;

use crate::text::{Analyzer, TermBuffer, TermKind};

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
    type TokenStream<'a> = BufferTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufferTokenStream {
        BufferTokenStream::new(text, self.analyzer.index_terms(text, self.kind))
    }
}

/// Hands tantivy the terms of a [`TermBuffer`] one by one through a single token, whose
/// text is overwritten in place rather than allocated for every term.
struct BufferTokenStream {
    terms: TermBuffer,
    /// Byte offset of each character of the text, and of its end.
    byte_at: Vec<usize>,
    next: usize,
    token: TantivyToken,
}

impl BufferTokenStream {
    fn new(text: &str, terms: TermBuffer) -> Self {
        // Our spans are in characters; tantivy's are in bytes.
        let mut byte_at: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        byte_at.push(text.len());
        BufferTokenStream {
            terms,
            byte_at,
            next: 0,
            token: TantivyToken::default(),
        }
    }
}

impl TokenStream for BufferTokenStream {
    fn advance(&mut self) -> bool {
        if self.next >= self.terms.len() {
            return false;
        }
        let (term, start, end) = self.terms.get(self.next);
        let last = self.byte_at.len() - 1;
        self.token.text.clear();
        self.token.text.push_str(term);
        self.token.offset_from = self.byte_at[start.min(last)];
        self.token.offset_to = self.byte_at[end.min(last)];
        self.token.position = self.next;
        self.token.position_length = 1;
        self.next += 1;
        true
    }

    fn token(&self) -> &TantivyToken {
        &self.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.token
    }
}
