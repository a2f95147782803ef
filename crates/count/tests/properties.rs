//! Property tests: the counts of random small corpora against a brute-force count of every
//! substring, the count invariants and thread-count independence.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use tifa_core::text::{quote_term, Quote};
use tifa_core::{Branching, Counts, NoProgress, Segmented, Stage, TokenKind};
use tifa_count::{run, Config};

/// Terms the random corpora draw from. `甲乙` is also `甲` `乙`, so a text has several cuts.
const TERMS: &[&str] = &[
    "甲", "乙", "丙", "甲乙", "丁", "、", "，", "。", "“", "”", "·", "2", "《", "》", "（", "）",
];
/// Draw weights: mostly words, so phrases repeat; punctuation often enough to cut.
const WEIGHTS: &[u32] = &[8, 8, 5, 3, 2, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1];

fn term() -> impl Strategy<Value = &'static str> {
    let choices: Vec<(u32, Just<&'static str>)> = WEIGHTS
        .iter()
        .zip(TERMS)
        .map(|(&w, &t)| (w, Just(t)))
        .collect();
    proptest::strategy::Union::new_weighted(choices)
}

fn docs() -> impl Strategy<Value = Vec<Vec<&'static str>>> {
    prop::collection::vec(prop::collection::vec(term(), 0..40), 1..6)
}

/// Mostly words, some `、`: long runs without a boundary.
fn word() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["甲", "乙", "丙", "丁", "甲乙", "2", "、"])
}

/// Reports assembled from a few long shared pieces with random tokens between them, so that long
/// phrases recur verbatim.
fn repetitive_docs() -> impl Strategy<Value = Vec<Vec<&'static str>>> {
    let pieces = prop::collection::vec(prop::collection::vec(word(), 5..40), 1..4);
    let part = (0usize..4, prop::collection::vec(term(), 0..4));
    let docs = prop::collection::vec(prop::collection::vec(part, 0..5), 1..5);
    (pieces, docs).prop_map(|(pieces, docs)| {
        docs.into_iter()
            .map(|parts| {
                parts
                    .into_iter()
                    .flat_map(|(i, extra)| pieces[i % pieces.len()].iter().copied().chain(extra))
                    .collect()
            })
            .collect()
    })
}

/// The same corpus with thousands of unused terms added to the vocabulary, so that fewer tokens
/// fit in a sort key and long repeats are compared in the stream.
fn padded(mut seg: Segmented) -> Segmented {
    let mut terms = seg.vocab.terms.clone();
    let mut kinds = seg.vocab.kinds.clone();
    for i in 0..5000 {
        terms.push(format!("x{i}"));
        kinds.push(TokenKind::Word);
    }
    seg.vocab = tifa_core::Vocab::new(terms, kinds);
    seg
}

fn config() -> impl Strategy<Value = Config> {
    (1u32..4, 0u32..5, 1u32..12).prop_map(|(min_df, max_short, max_len)| Config {
        min_df,
        max_short,
        max_len,
    })
}

/// A neighbour: `None` for a boundary (report edge or any punctuation), else the token id.
type Neighbour = Option<u32>;

#[derive(Default, Debug)]
struct Occ {
    per_doc: BTreeMap<u32, u32>,
    left: Vec<Neighbour>,
    right: Vec<Neighbour>,
    quoted: u32,
    /// Occurrences followed by a number within three tokens, before a boundary.
    numeric: u32,
    /// Occurrences followed by an opening quotation mark.
    open_after: u32,
    /// Some occurrence has a quotation mark just before it, or just after it.
    marked_left: bool,
    marked_right: bool,
}

impl Occ {
    fn tf(&self) -> u32 {
        self.per_doc.values().sum()
    }
}

fn kind(seg: &Segmented, id: u32) -> TokenKind {
    seg.vocab.kind(id)
}

fn neighbour(seg: &Segmented, toks: &[u32], i: Option<usize>) -> Neighbour {
    let id = *toks.get(i?)?;
    matches!(kind(seg, id), TokenKind::Word | TokenKind::Number).then_some(id)
}

/// A report as counting sees it: its tokens without the quotation marks, which are transparent,
/// and for every position `i` (up to the end) whether an opening or closing mark stood just
/// before token `i`.
fn transparent(seg: &Segmented, tokens: &[u32]) -> (Vec<u32>, Vec<bool>, Vec<bool>) {
    let (mut toks, mut opened, mut closed) = (Vec::new(), vec![false], vec![false]);
    for &id in tokens {
        match quote_term(seg.vocab.term(id)) {
            Some(Quote::Open) => *opened.last_mut().unwrap() = true,
            Some(Quote::Close) => *closed.last_mut().unwrap() = true,
            None => {
                toks.push(id);
                opened.push(false);
                closed.push(false);
            }
        }
    }
    (toks, opened, closed)
}

/// Every phrase of the corpus up to `max_len` tokens, with its occurrences.
fn brute(seg: &Segmented, max_len: usize) -> BTreeMap<Vec<u32>, Occ> {
    let mut map: BTreeMap<Vec<u32>, Occ> = BTreeMap::new();
    for (d, doc) in seg.docs.iter().enumerate() {
        let (toks, opened, closed) = transparent(seg, &doc.tokens);
        let toks = &toks;
        let marked = |i: usize| opened[i] || closed[i];
        for i in 0..toks.len() {
            for len in 1..=max_len.min(toks.len() - i) {
                let p = &toks[i..i + len];
                let k = kind(seg, p[len - 1]);
                if matches!(
                    k,
                    TokenKind::Clause | TokenKind::Sentence | TokenKind::Open | TokenKind::Close
                ) || kind(seg, p[0]) == TokenKind::Enum
                {
                    break;
                }
                if k == TokenKind::Enum {
                    continue;
                }
                let e = map.entry(p.to_vec()).or_default();
                *e.per_doc.entry(d as u32).or_default() += 1;
                let left = neighbour(seg, toks, i.checked_sub(1)).filter(|_| !marked(i));
                let right = neighbour(seg, toks, Some(i + len)).filter(|_| !marked(i + len));
                e.left.push(left);
                e.right.push(right);
                e.marked_left |= marked(i);
                e.marked_right |= marked(i + len);
                if opened[i] && closed[i + len] && (i + 1..i + len).all(|j| !marked(j)) {
                    e.quoted += 1;
                }
                let number = toks[i + len..]
                    .iter()
                    .take(3)
                    .map(|&id| kind(seg, id))
                    .take_while(|k| {
                        !matches!(
                            k,
                            TokenKind::Clause
                                | TokenKind::Sentence
                                | TokenKind::Open
                                | TokenKind::Close
                        )
                    })
                    .any(|k| k == TokenKind::Number);
                e.numeric += u32::from(number);
                e.open_after += u32::from(opened[i + len]);
            }
        }
    }
    map
}

fn branching(neigh: &[Neighbour]) -> Branching {
    let tf = neigh.len() as f64;
    let mut words: BTreeMap<u32, u32> = BTreeMap::new();
    let mut boundary = 0;
    for n in neigh {
        match n {
            Some(id) => *words.entry(*id).or_default() += 1,
            None => boundary += 1,
        }
    }
    let mut h = 0.0f64;
    for &c in words.values() {
        let p = c as f64 / tf;
        h -= p * p.ln();
    }
    h += boundary as f64 * (tf.ln() / tf);
    Branching {
        distinct: words.len() as u32,
        boundary,
        entropy: h as f32,
    }
}

/// The phrases `run` must store, per its documentation.
fn expected(seg: &Segmented, map: &BTreeMap<Vec<u32>, Occ>, config: &Config) -> BTreeSet<Vec<u32>> {
    let ids: BTreeSet<u32> = seg
        .docs
        .iter()
        .flat_map(|d| d.tokens.iter().copied())
        .collect();
    let tf_of = |q: &[u32]| map.get(q).map_or(0, Occ::tf);
    let mut out = BTreeSet::new();
    for (p, occ) in map {
        let tf = occ.tf();
        if tf < 2 || (occ.per_doc.len() as u32) < config.min_df {
            continue;
        }
        let len = p.len() as u32;
        // Closed: no one-token extension that is itself a counted phrase has the same tf, where
        // an extension across a quotation mark does not count.
        let closed = len == config.max_len
            || !ids.iter().any(|&x| {
                let mut left = vec![x];
                left.extend_from_slice(p);
                let mut right = p.clone();
                right.push(x);
                (tf_of(&left) == tf && !occ.marked_left)
                    || (tf_of(&right) == tf && !occ.marked_right)
            });
        if len <= config.max_short || closed {
            out.insert(p.clone());
        }
    }
    out
}

fn check_branching(got: &Branching, want: &Branching) {
    assert_eq!(got.distinct, want.distinct);
    assert_eq!(got.boundary, want.boundary);
    assert!(
        (got.entropy - want.entropy).abs() < 1e-4,
        "{got:?} vs {want:?}"
    );
}

fn check_against_brute(seg: &Segmented, config: &Config, counts: &Counts) {
    let map = brute(seg, config.max_len as usize);
    let want = expected(seg, &map, config);
    let got: BTreeSet<Vec<u32>> = counts.phrases.iter().map(|p| p.tokens.to_vec()).collect();
    assert_eq!(got, want, "stored phrases");
    for p in counts.phrases.iter() {
        let occ = &map[p.tokens];
        assert_eq!(p.tf, occ.tf(), "tf of {:?}", p.tokens);
        assert_eq!(p.df as usize, occ.per_doc.len());
        let per_doc: Vec<(u32, u32)> = occ.per_doc.iter().map(|(&d, &n)| (d, n)).collect();
        assert_eq!(p.per_doc, per_doc);
        check_branching(&p.left, &branching(&occ.left));
        check_branching(&p.right, &branching(&occ.right));
        assert_eq!(p.quoted, occ.quoted, "quoted of {:?}", p.tokens);
        assert_eq!(p.numeric, occ.numeric, "numeric of {:?}", p.tokens);
        assert_eq!(p.open_after, occ.open_after, "open_after of {:?}", p.tokens);
    }
}

fn check_invariants(seg: &Segmented, counts: &Counts) {
    assert!(
        (1..counts.phrases.len()).all(|i| counts.phrases.tokens(i - 1) < counts.phrases.tokens(i))
    );
    assert_eq!(counts.docs.len(), seg.documents.len());
    let n: u64 = seg.docs.iter().map(|d| d.tokens.len() as u64).sum();
    assert_eq!(counts.n_tokens, n);
    assert_eq!(counts.unigram_tf.iter().sum::<u64>(), n);
    for p in counts.phrases.iter() {
        assert!(p.df as usize <= counts.docs.len(), "df ≤ reports");
        assert!(p.tf >= p.df, "tf ≥ df");
        assert_eq!(p.per_doc.iter().map(|x| x.1).sum::<u32>(), p.tf);
        assert!(p.quoted <= p.tf);
        for &id in p.tokens {
            assert!(
                counts.unigram_tf[id as usize] >= p.tf as u64,
                "unigram ≥ phrase"
            );
        }
        // Every stored part of a phrase occurs at least as often, in at least as many reports.
        for a in 0..p.tokens.len() {
            for b in a + 1..=p.tokens.len() {
                if let Some(q) = counts.get(&p.tokens[a..b]) {
                    assert!(
                        q.tf >= p.tf && q.df >= p.df,
                        "part {:?} of {:?}",
                        q.tokens,
                        p.tokens
                    );
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn counts_equal_brute_force(docs in docs(), config in config()) {
        let seg = tifa_core::testing::corpus(&docs);
        let counts = run(&seg, &config, &NoProgress).unwrap();
        check_against_brute(&seg, &config, &counts);
        check_invariants(&seg, &counts);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn long_repeats_equal_brute_force(
        docs in repetitive_docs(),
        min_df in 1u32..3,
        max_short in 0u32..8,
        max_len in prop::sample::select(vec![1u32, 2, 3, 5, 9, 17, 40, 200]),
    ) {
        let seg = padded(tifa_core::testing::corpus(&docs));
        let config = Config { min_df, max_short, max_len };
        let counts = run(&seg, &config, &NoProgress).unwrap();
        check_against_brute(&seg, &config, &counts);
        check_invariants(&seg, &counts);
        // The same from a stream in a scratch file, read by passes of a few suffixes each,
        // read back or written out from the passes' scratch files.
        let encoded = tifa_core::format::encode(Stage::Count, 0, 0, &counts).unwrap();
        for bytes in [1, 500] {
            prop_assert_eq!(&from_file(&seg, &config, bytes), &counts);
            prop_assert!(on_disk(&seg, &config, bytes) == encoded);
        }
    }
}

/// The counts of `seg` from its token streams handed over one by one and laid out to a
/// scratch file in `dir`.
fn laid_out(seg: &Segmented, config: &Config, dir: &std::path::Path) -> tifa_count::Prepared {
    let mut layout = tifa_count::Layout::new(dir, 7).unwrap();
    for d in &seg.docs {
        layout.push(&d.tokens).unwrap();
    }
    let chars: Vec<u64> = seg
        .documents
        .iter()
        .map(|d| d.text.chars().count() as u64)
        .collect();
    let (vocab, skipped) = (seg.vocab.clone(), seg.skipped.clone());
    layout
        .prepare(&seg.documents, &chars, vocab, skipped, config, &NoProgress)
        .unwrap()
}

/// The counts of `seg` under a memory budget: laid out to a scratch file, and read from there
/// by passes of at most `pass_bytes`.
fn from_file(seg: &Segmented, config: &Config, pass_bytes: usize) -> Counts {
    let dir = tempfile::tempdir().unwrap();
    let prepared = laid_out(seg, config, dir.path());
    tifa_count::finish(
        prepared,
        config,
        &NoProgress,
        Some(dir.path()),
        Some(pass_bytes),
    )
    .unwrap()
}

/// The bytes of count.bin's payload, written under a memory budget from the scratch files of
/// passes of at most `pass_bytes`.
fn on_disk(seg: &Segmented, config: &Config, pass_bytes: usize) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let prepared = laid_out(seg, config, dir.path());
    let c = tifa_count::finish_on_disk(prepared, config, &NoProgress, dir.path(), Some(pass_bytes));
    tifa_core::format::encode(Stage::Count, 0, 0, &c.unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn output_is_independent_of_thread_count(docs in prop::collection::vec(prop::collection::vec(term(), 0..400), 1..8)) {
        let seg = tifa_core::testing::corpus(&docs);
        let config = Config::default();
        let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
        let one = pool(1).install(|| run(&seg, &config, &NoProgress).unwrap());
        let four = pool(4).install(|| run(&seg, &config, &NoProgress).unwrap());
        prop_assert_eq!(one, four);
    }
}
