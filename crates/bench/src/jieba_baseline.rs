//! The yardstick of `make bench`: jieba-rs alone segmenting every file of a corpus, on the same
//! threads tifa gets, with nothing else. tifa's whole pipeline is measured against this time.
//!
//! Usage: `jieba-baseline [--no-hmm] [-j N] DIR...`; prints `bytes tokens seconds MB/s`.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;

fn main() {
    let mut hmm = true;
    let mut threads = 0usize;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-hmm" => hmm = false,
            "-j" => threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            _ => dirs.push(PathBuf::from(a)),
        }
    }
    if threads > 0 {
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    let mut paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| tifa_bench::files(d, None))
        .collect();
    paths.sort();
    let start = Instant::now();
    let jieba = jieba_rs::Jieba::new();
    let (bytes, tokens) = paths
        .par_iter()
        .map(|p| {
            let raw = std::fs::read(p).unwrap_or_default();
            let text = String::from_utf8_lossy(&raw);
            let n = jieba.cut(&text, hmm).len() as u64;
            (raw.len() as u64, n)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{bytes} {tokens} {secs:.3} {:.2}",
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
}
