//! Timing harness for the clean stage (not a test): cleans the given corpus folders and
//! reports throughput. `--dump` prints every cleaned report; `-j N` sets the thread count.
//!
//! cargo run --release -p tifa-clean --example clean_bench -- [-j N] [--dump] DIR...

use std::path::PathBuf;
use std::time::Instant;

struct Warn;
impl tifa_core::Progress for Warn {
    fn start(&self, _: &str, _: u64) {}
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
    fn warn(&self, m: &str) {
        eprintln!("warning: {m}");
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dump = false;
    let mut roots = Vec::new();
    let mut threads = 0;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dump" => dump = true,
            "-j" => threads = args.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            _ => roots.push(PathBuf::from(a)),
        }
    }
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .ok();
    }
    let config = tifa_clean::Config::default();
    let bytes: u64 = roots
        .iter()
        .flat_map(|r| std::fs::read_dir(r).into_iter().flatten().flatten())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    let t = Instant::now();
    let corpus = match tifa_clean::run(&roots, &config, &Warn) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let secs = t.elapsed().as_secs_f64();
    let chars: usize = corpus
        .documents
        .iter()
        .map(|d| d.text.chars().count())
        .sum();
    eprintln!(
        "{} reports, {} chars out, {} skipped, {:.1} MB in {:.2} s = {:.1} MB/s on {} threads",
        corpus.documents.len(),
        chars,
        corpus.skipped.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        rayon::current_num_threads()
    );
    if dump {
        for d in &corpus.documents {
            println!("=== {} | {} | {:?}\n{}", d.id, d.title, d.meta, d.text);
        }
        print!("{}", tifa_clean::log_tsv(&corpus.log, &corpus.skipped));
    }
}
