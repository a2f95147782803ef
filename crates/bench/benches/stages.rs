//! One benchmark per pipeline stage (clean, segment, count, compare, report) on the seed corpus
//! in `data/corpus`, each running the stage's real `run` with the shipped `config/*.toml` and
//! checking its own answer on every iteration.
//!
//! ```text
//! cargo bench -p tifa-bench --bench stages                      # all five stages
//! cargo bench -p tifa-bench --bench stages -- --sort location   # in pipeline order
//! cargo bench -p tifa-bench --bench stages -- --sample-count 10 # a quick run
//! cargo bench -p tifa-bench --bench stages -- segment           # one stage, by name
//! cargo test  -p tifa-bench --bench stages                      # each stage once, as a test
//! ```
//!
//! Throughput is in bytes of the raw corpus files per second for every stage, so the figures of
//! the five stages compare directly and add up (as times) to the whole pipeline. Each stage's
//! input is the previous stage's output, computed once before any timing; inputs a stage consumes
//! are cloned outside the timed region. Reference answers are computed once, before timing, by a
//! simpler and independent route where one exists:
//!
//! - clean: the number of reports the corpus is documented to hold, and the same corpus as the
//!   first run;
//! - segment: token counts per report and the number of distinct terms, from cutting each report
//!   on its own with [`Segmenter::tokens`] (no chunking, interning or vocabulary merge);
//! - count: the number of short phrases and the tf, df and per-report counts of the most frequent
//!   phrase of each short length, from a brute-force n-gram count in a hash map;
//! - compare: the number of slogans and the ranked list of phrases of the first run, whose top
//!   row is checked against a plain substring scan of the reports;
//! - report: the files written and one `slogans.tsv` line per slogan plus the header.
//!
//! divan is used rather than criterion because it needs four small crates beside the `clap` the
//! workspace already builds, and its minimum Rust version matches the workspace's.
//!
//! The benchmarks are timed on one benchmark thread; each stage uses rayon's pool inside, so
//! `RAYON_NUM_THREADS` sets how many cores a stage gets.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use divan::counter::BytesCount;
use divan::Bencher;
use serde::de::DeserializeOwned;
use tifa_core::{Comparison, Corpus, Counts, NoProgress, Segmented, TokenKind};
use tifa_segment::Segmenter;

fn main() {
    divan::main();
}

/// The seed corpus has five files holding 35 reports (two newspaper summaries, a PDF export, a
/// news story and a compilation of 31 reports), as its README says. This is a fact about the
/// fixed input, not a tuned result.
const SEED_REPORTS: usize = 35;

/// The repository's root, two levels above this crate.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixed corpus every stage is measured on.
fn corpus_dir() -> PathBuf {
    root().join("data/corpus")
}

/// The folder of the shipped stage configs.
fn config_dir() -> PathBuf {
    root().join("config")
}

/// A stage's config as shipped in `config/<stage>.toml`.
fn config<T: DeserializeOwned>(stage: &str) -> T {
    let path = config_dir().join(format!("{stage}.toml"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("invalid {}: {e}", path.display()))
}

/// Bytes of the raw corpus files: the throughput unit of every stage.
static CORPUS_BYTES: LazyLock<u64> = LazyLock::new(|| {
    let dir = corpus_dir();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    entries
        .map(|e| {
            let e = e.expect("corpus folder entry");
            e.metadata().expect("corpus file metadata").len()
        })
        .sum()
});

static CLEAN_CONFIG: LazyLock<tifa_clean::Config> = LazyLock::new(|| config("clean"));
static SEGMENT_CONFIG: LazyLock<tifa_segment::Config> = LazyLock::new(|| config("segment"));
static COUNT_CONFIG: LazyLock<tifa_count::Config> = LazyLock::new(|| config("count"));
static COMPARE_CONFIG: LazyLock<tifa_compare::Config> = LazyLock::new(|| config("compare"));
static REPORT_CONFIG: LazyLock<tifa_report::Config> = LazyLock::new(|| config("report"));

/// Runs the clean stage on the fixed corpus.
fn clean_once() -> Corpus {
    tifa_clean::run(&[corpus_dir()], &CLEAN_CONFIG, &NoProgress).expect("clean stage")
}

/// The clean stage's output, computed once: the segment stage's input and clean's reference.
static CLEANED: LazyLock<Corpus> = LazyLock::new(clean_once);

/// The segmenter, built once (loading jieba's dictionary is setup, not segmentation).
static SEGMENTER: LazyLock<Segmenter> = LazyLock::new(|| {
    Segmenter::new(&SEGMENT_CONFIG, &config_dir()).expect("segmenter from config/segment.toml")
});

/// The segment stage's output, computed once: the count and compare stages' input.
static SEGMENTED: LazyLock<Segmented> = LazyLock::new(|| {
    tifa_segment::run(CLEANED.clone(), &SEGMENTER, &NoProgress).expect("segment stage")
});

/// The count stage's output, computed once: the compare stage's input.
static COUNTED: LazyLock<Counts> =
    LazyLock::new(|| tifa_count::run(&SEGMENTED, &COUNT_CONFIG, &NoProgress).expect("count stage"));

/// The compare stage's output, computed once: the report stage's input and compare's reference.
static COMPARED: LazyLock<Comparison> = LazyLock::new(|| {
    tifa_compare::run(&COUNTED, &SEGMENTED, &COMPARE_CONFIG, &NoProgress).expect("compare stage")
});

#[divan::bench]
fn clean(bencher: Bencher) {
    let reference = &*CLEANED;
    assert_eq!(
        reference.documents.len(),
        SEED_REPORTS,
        "reports in the seed corpus"
    );
    assert!(
        reference.skipped.is_empty(),
        "seed files skipped: {:?}",
        reference.skipped
    );
    bencher
        .counter(BytesCount::new(*CORPUS_BYTES))
        .bench_local(|| {
            let corpus = clean_once();
            assert_eq!(corpus.documents.len(), SEED_REPORTS);
            assert!(corpus == *reference, "clean output differs between runs");
            corpus
        });
}

/// What segmenting each report on its own gives: tokens per report and distinct terms.
struct SegmentReference {
    tokens_per_doc: Vec<usize>,
    distinct_terms: usize,
    first_doc_terms: Vec<String>,
}

fn segment_reference(corpus: &Corpus, segmenter: &Segmenter) -> SegmentReference {
    let mut terms = BTreeSet::new();
    let mut tokens_per_doc = Vec::with_capacity(corpus.documents.len());
    let mut first_doc_terms = Vec::new();
    for (i, d) in corpus.documents.iter().enumerate() {
        let tokens = segmenter.tokens(&d.text);
        tokens_per_doc.push(tokens.len());
        if i == 0 {
            first_doc_terms = tokens.iter().map(|t| t.term.to_string()).collect();
        }
        terms.extend(tokens.into_iter().map(|t| t.term));
    }
    SegmentReference {
        tokens_per_doc,
        distinct_terms: terms.len(),
        first_doc_terms,
    }
}

#[divan::bench]
fn segment(bencher: Bencher) {
    let corpus = &*CLEANED;
    let segmenter = &*SEGMENTER;
    let reference = segment_reference(corpus, segmenter);
    assert!(
        reference.tokens_per_doc.iter().all(|&n| n > 0),
        "a report has no tokens"
    );
    bencher
        .counter(BytesCount::new(*CORPUS_BYTES))
        .with_inputs(|| corpus.clone())
        .bench_local_values(|corpus| {
            let seg = tifa_segment::run(corpus, segmenter, &NoProgress).expect("segment stage");
            let per_doc: Vec<usize> = seg.docs.iter().map(|d| d.tokens.len()).collect();
            assert_eq!(per_doc, reference.tokens_per_doc, "tokens per report");
            assert_eq!(seg.vocab.len(), reference.distinct_terms, "distinct terms");
            let first: Vec<&str> = seg.docs[0]
                .tokens
                .iter()
                .map(|&id| seg.vocab.term(id))
                .collect();
            assert_eq!(
                first, reference.first_doc_terms,
                "terms of the first report"
            );
            seg
        });
}

/// Brute-force statistics of one n-gram: tf, df and `(document, occurrences)` pairs.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Gram {
    tf: u32,
    per_doc: Vec<(u32, u32)>,
}

/// Every phrase of 1 to `max_n` tokens by hashing n-grams: a phrase contains no clause or
/// sentence mark and no quote, and neither starts nor ends with `、` (the rule documented on
/// [`Counts`]). Only phrases that occur at least twice and in at least `min_df` reports are kept.
fn brute_force_grams(seg: &Segmented, max_n: usize, min_df: u32) -> HashMap<Vec<u32>, Gram> {
    let kind = |id: u32| seg.vocab.kind(id);
    let breaks = |id: u32| {
        matches!(
            kind(id),
            TokenKind::Clause | TokenKind::Sentence | TokenKind::Open | TokenKind::Close
        )
    };
    let mut grams: HashMap<Vec<u32>, Gram> = HashMap::new();
    for (d, doc) in seg.docs.iter().enumerate() {
        let t = &doc.tokens;
        for start in 0..t.len() {
            if breaks(t[start]) || kind(t[start]) == TokenKind::Enum {
                continue;
            }
            for end in start + 1..=(start + max_n).min(t.len()) {
                let last = t[end - 1];
                if breaks(last) {
                    break;
                }
                if kind(last) == TokenKind::Enum {
                    continue;
                }
                let g = grams.entry(t[start..end].to_vec()).or_default();
                g.tf += 1;
                match g.per_doc.last_mut() {
                    Some((doc_index, n)) if *doc_index == d as u32 => *n += 1,
                    _ => g.per_doc.push((d as u32, 1)),
                }
            }
        }
    }
    grams.retain(|_, g| g.tf >= 2 && g.per_doc.len() as u32 >= min_df);
    grams
}

/// Phrases up to this many tokens are checked against a brute-force count.
const CHECKED_LEN: usize = 6;

#[divan::bench]
fn count(bencher: Bencher) {
    let seg = &*SEGMENTED;
    let config = &*COUNT_CONFIG;
    let max_n = CHECKED_LEN.min(config.max_len as usize);
    let grams = brute_force_grams(seg, max_n, config.min_df);
    // Probes: the most frequent phrase of each short length (ties to the smallest ids).
    let mut probes: Vec<(&Vec<u32>, &Gram)> = Vec::new();
    for n in 1..=max_n {
        let best = grams
            .iter()
            .filter(|(k, _)| k.len() == n)
            .max_by(|a, b| a.1.tf.cmp(&b.1.tf).then_with(|| b.0.cmp(a.0)));
        if let Some(best) = best {
            probes.push(best);
        }
    }
    assert!(!probes.is_empty(), "no recurring phrase in the seed corpus");
    bencher
        .counter(BytesCount::new(*CORPUS_BYTES))
        .bench_local(|| {
            let counts = tifa_count::run(seg, config, &NoProgress).expect("count stage");
            // Every stored short phrase has its brute-force counts.
            for p in counts.phrases.iter().filter(|p| p.tokens.len() <= max_n) {
                let gram = grams.get(p.tokens).unwrap_or_else(|| {
                    panic!("{} stored but not recurring", seg.vocab.phrase(p.tokens))
                });
                assert_eq!(p.tf, gram.tf, "tf of {}", seg.vocab.phrase(p.tokens));
                assert_eq!(p.per_doc, &gram.per_doc[..], "per-report counts");
            }
            // A probe is stored, or inside a stored phrase with its counts (its closed
            // extension), and no stored phrase containing it occurs more often.
            for (tokens, gram) in &probes {
                let name = seg.vocab.phrase(tokens);
                let inside = counts
                    .phrases
                    .iter()
                    .filter(|q| q.tokens.windows(tokens.len()).any(|w| w == &tokens[..]))
                    .max_by_key(|q| q.tf)
                    .unwrap_or_else(|| panic!("no stored phrase holds {name}"));
                assert_eq!(inside.tf, gram.tf, "tf of {name}");
                assert_eq!(
                    inside.per_doc,
                    &gram.per_doc[..],
                    "per-report counts of {name}"
                );
            }
            counts
        });
}

/// Number of reports whose text contains `phrase`, and its occurrences in all of them.
fn substring_counts(corpus: &Corpus, phrase: &str) -> (u32, u32) {
    let mut df = 0;
    let mut tf = 0;
    for d in &corpus.documents {
        let n = d.text.matches(phrase).count() as u32;
        df += u32::from(n > 0);
        tf += n;
    }
    (df, tf)
}

#[divan::bench]
fn compare(bencher: Bencher) {
    let counts = &*COUNTED;
    let seg = &*SEGMENTED;
    let config = &*COMPARE_CONFIG;
    let reference = &*COMPARED;
    let ranked: Vec<&str> = reference
        .slogans
        .iter()
        .map(|s| s.phrase.as_str())
        .collect();
    let top = reference
        .slogans
        .first()
        .expect("the seed corpus has slogans");
    // A token-level occurrence is a textual one, so the plain substring scan bounds the top row.
    let (text_df, text_tf) = substring_counts(&CLEANED, &top.phrase);
    assert!(
        top.df <= text_df && top.tf <= text_tf,
        "top slogan {} counted in {} reports ({} times), its text in {text_df} ({text_tf} times)",
        top.phrase,
        top.df,
        top.tf
    );
    assert_eq!(
        top.per_doc.len(),
        top.df as usize,
        "per-report list of the top slogan"
    );
    assert!(
        reference.slogans.windows(2).all(|w| w[0].df >= w[1].df),
        "slogans ranked by df"
    );
    bencher
        .counter(BytesCount::new(*CORPUS_BYTES))
        .bench_local(|| {
            let cmp = tifa_compare::run(counts, seg, config, &NoProgress).expect("compare stage");
            assert_eq!(cmp.slogans.len(), ranked.len(), "number of slogans");
            let first = &cmp.slogans[0];
            assert_eq!(
                (&first.phrase, first.df, first.tf),
                (&top.phrase, top.df, top.tf),
                "top slogan"
            );
            assert!(
                cmp.slogans
                    .iter()
                    .map(|s| s.phrase.as_str())
                    .eq(ranked.iter().copied()),
                "ranked slogans differ between runs"
            );
            cmp
        });
}

#[divan::bench]
fn report(bencher: Bencher) {
    let cmp = &*COMPARED;
    let config = &*REPORT_CONFIG;
    let out = tempfile::tempdir().expect("temporary folder");
    let mut expected: BTreeSet<String> = [
        "report.html",
        "slogans.csv",
        "slogans.json",
        "slogans.tsv",
        "summary.md",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    expected.extend(
        cmp.groups
            .iter()
            .map(|g| format!("compare-{}.tsv", g.field)),
    );
    let tsv_lines = cmp.slogans.len() + 1;
    bencher
        .counter(BytesCount::new(*CORPUS_BYTES))
        .bench_local(|| {
            let written =
                tifa_report::run(cmp, config, out.path(), &NoProgress).expect("report stage");
            let names: BTreeSet<String> = written
                .iter()
                .filter_map(|p| p.file_name()?.to_str().map(String::from))
                .collect();
            assert_eq!(names, expected, "files written");
            let tsv = std::fs::read(out.path().join("slogans.tsv")).expect("slogans.tsv");
            let lines = tsv.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(
                lines, tsv_lines,
                "slogans.tsv: header and one line per slogan"
            );
            written
        });
}
