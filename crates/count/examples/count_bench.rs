//! Throughput of the count stage on a folder of plain-text reports, without the segmenter:
//! every character is a token (a harder input than words, with about 1.5 times as many
//! tokens). Prints bytes, tokens, seconds, MB/s and the number of stored phrases.
//!
//! `cargo run --release -p tifa-count --example count_bench -- DIR [min_df]`
//!
//! Given a `segment.bin` instead of a folder, it counts the segment stage's real tokens.

use std::collections::HashMap;
use std::time::Instant;

use tifa_core::{Document, Meta, Progress, SegDoc, Segmented, TokenKind, Vocab};

/// Prints how long each phase took.
struct Phases(std::sync::Mutex<Option<(String, Instant)>>);

impl Progress for Phases {
    fn start(&self, phase: &str, _total: u64) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some((phase.to_string(), Instant::now()));
        }
    }
    fn inc(&self, _n: u64) {}
    fn finish(&self) {
        if let Ok(g) = self.0.lock() {
            if let Some((name, t)) = g.as_ref() {
                eprintln!("{name}: {:.2} s", t.elapsed().as_secs_f64());
            }
        }
    }
    fn warn(&self, message: &str) {
        eprintln!("warning: {message}");
    }
}

fn kind(c: char) -> TokenKind {
    match c {
        '，' | '：' | ',' | ':' => TokenKind::Clause,
        '。' | '！' | '？' | '；' | '\n' | '!' | '?' | ';' => TokenKind::Sentence,
        '、' => TokenKind::Enum,
        '“' | '《' | '「' | '（' | '(' => TokenKind::Open,
        '”' | '》' | '」' | '）' | ')' => TokenKind::Close,
        c if c.is_ascii_digit() => TokenKind::Number,
        c if c.is_alphanumeric() => TokenKind::Word,
        _ => TokenKind::Symbol,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: count_bench DIR [min_df]")?;
    let min_df: u32 = args.next().map_or(Ok(2), |s| s.parse())?;
    if dir.ends_with(".bin") {
        let t0 = Instant::now();
        let (_, seg) = tifa_core::segmented::read_with_texts(std::path::Path::new(&dir))?;
        eprintln!("read: {:.2} s", t0.elapsed().as_secs_f64());
        let bytes: usize = seg.documents.iter().map(|d| d.text.len()).sum();
        return bench(&seg, bytes, min_df);
    }
    let mut paths: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut ids: HashMap<char, u32> = HashMap::new();
    let mut terms = Vec::new();
    let mut seg = Segmented::default();
    let mut bytes = 0usize;
    for p in &paths {
        let text = std::fs::read_to_string(p)?;
        bytes += text.len();
        let mut sd = SegDoc::default();
        for (i, c) in text.char_indices() {
            if c == ' ' || c == '\r' || c == '\u{3000}' {
                continue;
            }
            let id = *ids.entry(c).or_insert_with(|| {
                terms.push(c.to_string());
                terms.len() as u32 - 1
            });
            sd.push(id, &c.to_string(), i as u32, (i + c.len_utf8()) as u32);
        }
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        seg.documents.push(Document {
            id: name.clone(),
            title: name.clone(),
            source: name,
            meta: Meta::default(),
            text,
        });
        seg.docs.push(sd);
    }
    let kinds = terms
        .iter()
        .map(|t: &String| kind(t.chars().next().unwrap_or(' ')))
        .collect();
    seg.vocab = Vocab::new(terms, kinds);
    bench(&seg, bytes, min_df)
}

fn bench(seg: &Segmented, bytes: usize, min_df: u32) -> Result<(), Box<dyn std::error::Error>> {
    let config = tifa_count::Config {
        min_df,
        ..Default::default()
    };
    let t0 = Instant::now();
    let counts = tifa_count::run(seg, &config, &Phases(Default::default()))?;
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "bytes {bytes}  tokens {}  reports {}  seconds {secs:.2}  MB/s {:.1}  phrases {}",
        counts.n_tokens,
        counts.docs.len(),
        bytes as f64 / 1e6 / secs,
        counts.phrases.len()
    );
    Ok(())
}
