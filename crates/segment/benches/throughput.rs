//! Throughput of the segment stage against plain jieba-rs on a folder of `.txt` files.
//!
//! ```text
//! cargo bench -p tifa-segment --bench throughput -- DIR [ROUNDS]
//! ```
//!
//! (or set `TIFA_BENCH_CORPUS=DIR`). Plain jieba is `Jieba::new()` shared across rayon
//! threads, one `cut` per file, as jieba-rs' own benchmark does; the stage is [`run`] with the
//! bundled dictionary, which also classifies, interns and records offsets. Each figure is the
//! best of ROUNDS (default 3) rounds, in MB of text per second, and every round checks its
//! answer against the first.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jieba_rs::Jieba;
use rayon::prelude::*;
use tifa_core::{Corpus, Document, Meta, NoProgress};
use tifa_segment::{run, Config, Segmenter};

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let dir = args
        .next()
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("TIFA_BENCH_CORPUS").map(PathBuf::from));
    let Some(dir) = dir else {
        eprintln!("usage: throughput DIR [ROUNDS]  (or TIFA_BENCH_CORPUS=DIR)");
        return;
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let corpus = match load(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.display());
            std::process::exit(2);
        }
    };
    let bytes: usize = corpus.documents.iter().map(|d| d.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "corpus: {} files, {mb:.1} MB, {} threads",
        corpus.documents.len(),
        rayon::current_num_threads()
    );

    let t = Instant::now();
    let jieba = Jieba::new();
    println!("Jieba::new            {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let default_segmenter = Segmenter::new(&Config::default(), Path::new(".")).expect("segmenter");
    println!("Segmenter::new        {:>8.3} s", t.elapsed().as_secs_f64());
    drop(default_segmenter);

    // (jieba time, stage time) for hmm off and on.
    let mut times = Vec::new();
    for hmm in [false, true] {
        let config = Config {
            hmm,
            ..Config::default()
        };
        let segmenter = Segmenter::new(&config, Path::new(".")).expect("segmenter");
        // Alternate the two in every round, so that a change in machine load hits both alike.
        let mut plain = Best::default();
        let mut stage = Best::default();
        for _ in 0..rounds.max(1) {
            plain.time(|| {
                corpus
                    .documents
                    .par_iter()
                    .map(|d| jieba.cut(&d.text, hmm).len())
                    .sum::<usize>()
            });
            let input = corpus.clone();
            stage.time(|| {
                let s = run(input, &segmenter, &NoProgress).expect("run");
                let tokens: usize = s.docs.iter().map(|d| d.tokens.len()).sum();
                (tokens, s.vocab.len())
            });
        }
        let (plain_time, words) = plain.result();
        let (stage_time, (tokens, distinct)) = stage.result();
        report(&format!("jieba cut, hmm={hmm}"), plain_time, mb, None);
        println!("    {words} jieba words");
        report(
            &format!("segment run, hmm={hmm}"),
            stage_time,
            mb,
            Some(plain_time),
        );
        println!("    {tokens} tokens, {distinct} distinct");
        times.push((plain_time, stage_time));
    }
    // The pipeline's yardstick is jieba with its default HMM; the stage's default is without.
    if let [(_, stage_default), (jieba_default, _)] = times[..] {
        println!(
            "segment run (default config) / jieba cut (default, hmm=true): {:.2}x",
            stage_default.as_secs_f64() / jieba_default.as_secs_f64()
        );
    }
}

/// The best time of several runs, checking that every run gives the same answer.
struct Best<T> {
    best: Option<(Duration, T)>,
}

impl<T> Default for Best<T> {
    fn default() -> Self {
        Best { best: None }
    }
}

impl<T: PartialEq + std::fmt::Debug> Best<T> {
    fn time(&mut self, f: impl FnOnce() -> T) {
        let t = Instant::now();
        let answer = f();
        let d = t.elapsed();
        self.best = Some(match self.best.take() {
            None => (d, answer),
            Some((b, first)) => {
                assert_eq!(first, answer, "runs disagree");
                (b.min(d), first)
            }
        });
    }

    fn result(self) -> (Duration, T) {
        self.best
            .unwrap_or_else(|| unreachable!("at least one round is run"))
    }
}

fn report(name: &str, d: Duration, mb: f64, base: Option<Duration>) {
    let s = d.as_secs_f64();
    match base {
        Some(b) => println!(
            "{name:<22}{s:>8.3} s {:>8.1} MB/s  {:.2}x jieba",
            mb / s,
            s / b.as_secs_f64()
        ),
        None => println!("{name:<22}{s:>8.3} s {:>8.1} MB/s", mb / s),
    }
}

/// Reads every `.txt` file of `dir` (sorted by name) as one document, invalid UTF-8 replaced.
fn load(dir: &Path) -> std::io::Result<Corpus> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut documents = Vec::with_capacity(paths.len());
    for p in paths {
        let bytes = std::fs::read(&p)?;
        let name = p
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        documents.push(Document {
            id: name.clone(),
            title: name.clone(),
            source: name,
            meta: Meta::default(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    Ok(Corpus {
        documents,
        ..Corpus::default()
    })
}
