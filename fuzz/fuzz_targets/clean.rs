//! Fuzzes the clean stage on one file: arbitrary bytes as a file's content go through decoding,
//! HTML stripping, mojibake repair, normalisation, reflow, boilerplate removal, compilation
//! splitting and metadata inference. The cleaner must never panic, must refuse only with
//! `Error::Skipped`, and whatever it keeps must hold the promises the later stages rely on.
//!
//! The first input byte picks the file name's ending (plain text or HTML) and the config
//! switches (reflow, traditional-to-simplified, mojibake repair); the rest is the content.

#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tifa_clean::{Cleaner, Config, Error};

/// One cleaner per combination of the three config switches, patterns compiled once.
fn cleaners() -> &'static [Cleaner] {
    static CLEANERS: OnceLock<Vec<Cleaner>> = OnceLock::new();
    CLEANERS.get_or_init(|| {
        (0..8u8)
            .map(|bits| {
                let config = Config {
                    reflow: bits & 1 == 0,
                    traditional_to_simplified: bits & 2 != 0,
                    repair_mojibake: bits & 4 == 0,
                    ..Config::default()
                };
                Cleaner::new(config).expect("the default patterns compile")
            })
            .collect()
    })
}

/// Characters that normalisation removes or turns into a plain space; none may survive.
fn banned(c: char) -> bool {
    matches!(
        c,
        '\r' | '\t' | '\u{FFFD}' | '\u{00A0}' | '\u{00AD}' | '\u{200B}'
            ..='\u{200D}' | '\u{2028}' | '\u{2029}' | '\u{2060}' | '\u{3000}' | '\u{FEFF}'
    ) || (c.is_control() && c != '\n')
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, content)) = data.split_first() else {
        return;
    };
    let name = if flags & 0x80 != 0 {
        "a/report.html"
    } else {
        "a/report.txt"
    };
    let cleaner = &cleaners()[(flags & 7) as usize];
    let corpus = match cleaner.clean_bytes(name, content) {
        Ok(corpus) => corpus,
        Err(Error::Skipped { name: n, reason }) => {
            assert_eq!(n, name);
            assert!(!reason.is_empty());
            return;
        }
        Err(e) => panic!("unexpected error: {e}"),
    };
    assert_eq!(corpus.documents.len(), corpus.log.len());
    let mut ids = HashSet::new();
    for (doc, log) in corpus.documents.iter().zip(&corpus.log) {
        assert_eq!(doc.source, name);
        assert!(
            doc.id == name
                || doc
                    .id
                    .strip_prefix(name)
                    .and_then(|k| k.strip_prefix('#'))
                    .and_then(|k| k.parse::<usize>().ok())
                    .is_some_and(|k| k >= 1),
            "id {:?}",
            doc.id
        );
        assert!(ids.insert(doc.id.clone()), "duplicate id {}", doc.id);
        assert_eq!(log.id, doc.id);
        assert!(!doc.text.is_empty(), "empty document {}", doc.id);
        assert_eq!(log.chars_out, doc.text.chars().count() as u64);
        assert!(
            !doc.text.chars().any(banned),
            "text keeps a character normalisation removes: {:?}",
            doc.text
        );
        for para in doc.text.split('\n') {
            assert_eq!(para, para.trim(), "untrimmed paragraph");
            assert!(
                para.chars().any(char::is_alphanumeric),
                "paragraph without a letter or digit: {para:?}"
            );
        }
        assert!(
            !doc.title.contains('\n') && !doc.title.chars().any(banned),
            "title {:?}",
            doc.title
        );
    }
    for s in &corpus.skipped {
        assert!(s.reason.starts_with("exact duplicate of "), "{s:?}");
    }
});
