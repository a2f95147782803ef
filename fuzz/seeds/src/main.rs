//! Writes one small intermediate per stage to `fuzz/corpus/intermediate/` and its payload,
//! behind the stage selector byte, to `fuzz/corpus/payload/`: one report, a six-term
//! vocabulary, one phrase, one slogan. Seeds only; the fuzzer finds the rest.

use std::collections::BTreeMap;
use tifa_core::format::{encode, Stage, HEADER_LEN};
use tifa_core::*;

fn doc() -> Document {
    Document {
        id: "a.txt".into(),
        title: "2024年某市政府工作报告".into(),
        source: "a.txt".into(),
        meta: Meta {
            region: Some("某市".into()),
            level: Some("city".into()),
            body: Some("government".into()),
            year: Some(2024),
            extra: BTreeMap::from([("source".into(), "x".into())]),
        },
        text: "坚持以人民为中心。\n全面深化改革。".into(),
    }
}
fn vocab() -> Vocab {
    Vocab::new(
        vec![
            "坚持".into(),
            "以".into(),
            "人民".into(),
            "为".into(),
            "中心".into(),
            "。".into(),
        ],
        vec![
            TokenKind::Word,
            TokenKind::Word,
            TokenKind::Word,
            TokenKind::Word,
            TokenKind::Word,
            TokenKind::Sentence,
        ],
    )
}
fn info() -> DocInfo {
    DocInfo {
        id: "a.txt".into(),
        title: "t".into(),
        source: "a.txt".into(),
        meta: doc().meta,
        tokens: 6,
        chars: 9,
    }
}
fn save(name: &str, code: u8, bytes: Vec<u8>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus");
    std::fs::write(format!("{dir}/intermediate/{name}"), &bytes).unwrap();
    let mut p = vec![code - 1];
    p.extend_from_slice(&bytes[HEADER_LEN..]);
    std::fs::write(format!("{dir}/payload/{name}"), p).unwrap();
}
fn main() {
    let corpus = Corpus {
        documents: vec![doc()],
        log: vec![CleanLogRow {
            id: "a.txt".into(),
            encoding: "UTF-8".into(),
            chars_in: 20,
            chars_out: 16,
            removed: BTreeMap::from([("page_number".into(), 1)]),
        }],
        skipped: vec![Skipped {
            source: "b.bin".into(),
            reason: "binary file".into(),
        }],
    };
    save("clean", 1, encode(Stage::Clean, 1, 2, &corpus).unwrap());
    // "坚持以人民为中心。" token by token, byte offsets; the last end is odd on purpose.
    let mut seg_doc = SegDoc::default();
    let v = vocab();
    let mut at = 0;
    for id in 0..6u32 {
        let len = v.term(id).len() as u32;
        let end = if id == 5 { at + len + 1 } else { at + len };
        seg_doc.push(id, v.term(id), at, end);
        at = end;
    }
    let seg = Segmented {
        documents: vec![doc()],
        docs: vec![seg_doc],
        vocab: v,
        skipped: vec![Skipped {
            source: "scan.pdf.txt".into(),
            reason: "binary".into(),
        }],
        chars: Vec::new(),
    };
    save("segment", 2, encode(Stage::Segment, 3, 4, &seg).unwrap());
    let b = Branching {
        distinct: 2,
        boundary: 1,
        entropy: 0.69,
    };
    let counts = Counts {
        docs: vec![info()],
        vocab: vocab(),
        n_tokens: 6,
        unigram_tf: vec![1; 6],
        min_df: 1,
        phrases: vec![PhraseStats {
            tokens: vec![1, 2, 3, 4],
            tf: 2,
            df: 1,
            per_doc: vec![(0, 2)],
            left: b,
            right: b,
            quoted: 0,
            numeric: 0,
            open_after: 0,
        }]
        .into_iter()
        .collect(),
        skipped: Vec::new(),
    };
    save("count", 3, encode(Stage::Count, 5, 6, &counts).unwrap());
    let slogan = Slogan {
        rank: 1,
        phrase: "以人民为中心".into(),
        kind: Kind::Formula,
        df: 1,
        df_pct: 100.0,
        tf: 2,
        score: 1.5,
        dp: 0.0,
        cohesion: 0.8,
        left_entropy: 0.7,
        right_entropy: 0.7,
        quoted_share: 0.0,
        evidence: "coinage".into(),
        n_tokens: 4,
        first_year: Some(2024),
        last_year: Some(2024),
        first_date: None,
        last_date: None,
        family: "以人民为中心".into(),
        members: Vec::new(),
        per_doc: vec![(0, 2)].into(),
        per_year: vec![(2024, 1)],
        kwic: vec![Kwic::new(0, "坚持", "以人民为中心", "。")],
    };
    let cmp = Comparison {
        summary: CorpusSummary {
            n_docs: 1,
            n_chars: 9,
            n_tokens: 6,
            n_phrases: 1,
            n_skipped: 0,
            years: Some((2024, 2024)),
        },
        settings: BTreeMap::from([("min_df".into(), "1".into())]),
        docs: vec![info()],
        slogans: vec![slogan],
        groups: vec![GroupComparison {
            field: "level".into(),
            groups: vec![GroupInfo {
                name: "city".into(),
                n_docs: 1,
            }],
            rows: vec![GroupRow {
                group: "city".into(),
                phrase: "以人民为中心".into(),
                df: 1,
                df_pct: 100.0,
                df_rest: 0,
                g2: 0.0,
                log_ratio: 0.0,
            }],
        }],
    };
    save("compare", 4, encode(Stage::Compare, 7, 8, &cmp).unwrap());
}
