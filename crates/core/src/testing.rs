//! Test support for the stage crates (feature `test-support`): small segmented corpora written
//! by hand, as lists of terms, so that every crate's tests build them the same way.

use std::collections::BTreeMap;

use crate::{Document, Meta, SegDoc, Segmented, TokenKind, Vocab};

/// The kind a test gives a term.
pub fn kind_of(term: &str) -> TokenKind {
    match term {
        "，" | "：" => TokenKind::Clause,
        "。" | "；" | "\n" => TokenKind::Sentence,
        "、" => TokenKind::Enum,
        "“" | "《" | "（" => TokenKind::Open,
        "”" | "》" | "）" => TokenKind::Close,
        "·" | "%" => TokenKind::Symbol,
        t if t.chars().all(|c| c.is_ascii_digit()) => TokenKind::Number,
        _ => TokenKind::Word,
    }
}

/// A segmented corpus from documents given as lists of terms: report `i` is `doc{i}.txt`,
/// titled `报告{i}`, with no metadata; term ids in order of first sight.
pub fn corpus(docs: &[Vec<&str>]) -> Segmented {
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    let mut terms: Vec<String> = Vec::new();
    let mut documents = Vec::new();
    let mut seg_docs = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        let mut text = String::new();
        let mut sd = SegDoc::default();
        for term in doc {
            let id = *ids.entry(term.to_string()).or_insert_with(|| {
                terms.push(term.to_string());
                terms.len() as u32 - 1
            });
            let start = text.len() as u32;
            text.push_str(term);
            sd.push(id, term, start, text.len() as u32);
        }
        documents.push(Document {
            id: format!("doc{i}.txt"),
            title: format!("报告{i}"),
            source: format!("doc{i}.txt"),
            meta: Meta::default(),
            text,
        });
        seg_docs.push(sd);
    }
    let kinds = terms.iter().map(|t| kind_of(t)).collect();
    Segmented {
        documents,
        docs: seg_docs,
        vocab: Vocab::new(terms, kinds),
        skipped: Vec::new(),
        chars: Vec::new(),
    }
}

/// Documents written as space-separated terms.
pub fn corpus_str(docs: &[&str]) -> Segmented {
    let docs: Vec<Vec<&str>> = docs
        .iter()
        .map(|d| d.split(' ').filter(|t| !t.is_empty()).collect())
        .collect();
    corpus(&docs)
}

/// Token ids of space-separated terms.
pub fn ids(seg: &Segmented, terms: &str) -> Vec<u32> {
    terms
        .split(' ')
        .map(|t| seg.vocab.id(t).expect("term in vocabulary"))
        .collect()
}
