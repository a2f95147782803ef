//! Looks at what the compare stage ranks on a real corpus: reads `segment.bin` and `count.bin`
//! from a work folder (as written by `tifa segment` and `tifa count`), runs the stage and prints
//! the top rows with every measure, plus the boundary shares the score does not show.
//!
//! ```text
//! cargo run --release -p tifa-compare --example top -- WORK_DIR [ROWS] [CONFIG.toml]
//! ```

use std::path::PathBuf;

use std::sync::Mutex;
use std::time::Instant;
use tifa_core::format::{self, Stage};

use tifa_core::{Counts, Progress};

/// Prints how long each phase of the stage took.
struct Timer(Mutex<Option<(String, Instant)>>);

impl Progress for Timer {
    fn start(&self, phase: &str, _total: u64) {
        if let Ok(mut g) = self.0.lock() {
            *g = Some((phase.to_string(), Instant::now()));
        }
    }
    fn inc(&self, _n: u64) {}
    fn finish(&self) {
        if let Ok(mut g) = self.0.lock() {
            if let Some((phase, t)) = g.take() {
                eprintln!("{phase}: {:.3}s", t.elapsed().as_secs_f64());
            }
        }
    }
    fn warn(&self, message: &str) {
        eprintln!("warning: {message}");
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let work = PathBuf::from(
        args.next()
            .ok_or("usage: top WORK_DIR [ROWS] [CONFIG.toml]")?,
    );
    let rows: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200);
    let config: tifa_compare::Config = match args.next() {
        Some(path) => toml::from_str(&std::fs::read_to_string(path)?)?,
        None => tifa_compare::Config::default(),
    };
    let (_, seg) = tifa_core::segmented::read_with_texts(&work.join("segment.bin"))?;
    let (_, counts): (_, Counts) = format::read(&work.join("count.bin"), Stage::Count)?;
    // `WHY=phrase` prints the raw statistics of every counted phrase with that text.
    if let Ok(why) = std::env::var("WHY") {
        for p in counts
            .phrases
            .iter()
            .filter(|p| counts.vocab.phrase(p.tokens) == why)
        {
            let terms: Vec<&str> = p.tokens.iter().map(|&t| counts.vocab.term(t)).collect();
            eprintln!(
                "{:?} tf {} df {} quoted {} left {:?} right {:?}",
                terms, p.tf, p.df, p.quoted, p.left, p.right
            );
        }
    }
    let t = std::time::Instant::now();
    let cmp = tifa_compare::run(&counts, &seg, &config, &Timer(Mutex::new(None)))?;
    eprintln!(
        "{} slogans from {} phrases in {:.2}s",
        cmp.slogans.len(),
        counts.phrases.len(),
        t.elapsed().as_secs_f64()
    );
    println!("rank\tphrase\tkind\tdf\ttf\tscore\tdp\tcohesion\th_left\th_right\tbound_left\tbound_right\tquoted\tfirst_year\tfamily");
    for s in cmp.slogans.iter().take(rows) {
        let ids: Option<Vec<u32>> = None;
        let _ = ids;
        let stats = counts
            .phrases
            .iter()
            .find(|p| counts.vocab.phrase(p.tokens) == s.phrase);
        let (bl, br) = stats
            .map(|p| {
                (
                    f64::from(p.left.boundary) / f64::from(p.tf),
                    f64::from(p.right.boundary) / f64::from(p.tf),
                )
            })
            .unwrap_or((f64::NAN, f64::NAN));
        println!(
            "{}\t{}\t{}\t{}\t{}\t{:.3}\t{:.3}\t{:.3}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{}\t{}",
            s.rank,
            s.phrase,
            s.kind.name(),
            s.df,
            s.tf,
            s.score,
            s.dp,
            s.cohesion,
            s.left_entropy,
            s.right_entropy,
            bl,
            br,
            s.quoted_share,
            s.first_year.map(|y| y.to_string()).unwrap_or_default(),
            s.family
        );
    }
    Ok(())
}
