//! Term and document frequency of a phrase given as text.
//!
//! A token-aligned occurrence is a run of consecutive tokens whose terms, joined, spell the
//! phrase. The same text may be cut into tokens in several ways (`两个确立` as one token in one
//! sentence, `两个` `确立` in another), so the phrase's occurrences are those of all its
//! segmentations into vocabulary terms. When every segmentation was counted, or provably never
//! occurs (it uses a term that never occurs), the answer comes from the counts; otherwise the
//! segmented corpus is scanned.

use rayon::prelude::*;
use tifa_core::{Counts, Segmented, Vocab};

/// More segmentations than this and the corpus is scanned instead.
const MAX_SEGMENTATIONS: usize = 256;

/// `(tf, df)` of `phrase`; see the module documentation. Without `seg`, a phrase some of whose
/// segmentations were not counted gets only the occurrences of those that were.
pub fn lookup(counts: &Counts, seg: Option<&Segmented>, phrase: &str) -> (u64, u64) {
    // Quotation marks are transparent to counting, so they are dropped from the query too.
    let phrase: String = phrase
        .chars()
        .filter(|&c| tifa_core::text::quote_mark(c).is_none())
        .collect();
    let phrase = phrase.as_str();
    if phrase.is_empty() {
        return (0, 0);
    }
    let cuts = segmentations(&counts.vocab, phrase);
    let from_counts = cuts.as_ref().map(|cuts| {
        let mut complete = true;
        let mut tf = 0u64;
        let mut docs: Vec<u32> = Vec::new();
        for ids in cuts {
            if ids
                .iter()
                .any(|&id| counts.unigram_tf.get(id as usize).copied().unwrap_or(0) == 0)
            {
                continue;
            }
            match counts.get(ids) {
                Some(p) => {
                    tf += p.tf as u64;
                    docs.extend(p.per_doc.iter().map(|(d, _)| d));
                }
                None => complete = false,
            }
        }
        docs.sort_unstable();
        docs.dedup();
        (complete, tf, docs.len() as u64)
    });
    match (from_counts, seg) {
        (Some((true, tf, df)), _) => (tf, df),
        (_, Some(seg)) => scan(seg, phrase),
        (Some((false, tf, df)), None) => (tf, df),
        (None, None) => (0, 0),
    }
}

/// Every way to cut `phrase` into vocabulary terms, as token ids; `None` when there are more
/// than [`MAX_SEGMENTATIONS`].
fn segmentations(vocab: &Vocab, phrase: &str) -> Option<Vec<Vec<u32>>> {
    let bounds: Vec<usize> = phrase
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(phrase.len()))
        .collect();
    // edges[i]: (end index into bounds, id) of each term starting at bounds[i].
    let mut edges: Vec<Vec<(usize, u32)>> = vec![Vec::new(); bounds.len()];
    for i in 0..bounds.len() {
        for j in i + 1..bounds.len() {
            if let Some(id) = vocab.id(&phrase[bounds[i]..bounds[j]]) {
                edges[i].push((j, id));
            }
        }
    }
    // Number of segmentations from each start, saturating, to refuse explosions up front.
    let last = bounds.len() - 1;
    let mut ways = vec![0usize; bounds.len()];
    ways[last] = 1;
    for i in (0..last).rev() {
        ways[i] = edges[i]
            .iter()
            .fold(0usize, |acc, &(j, _)| acc.saturating_add(ways[j]));
    }
    if ways[0] > MAX_SEGMENTATIONS {
        return None;
    }
    let mut out = Vec::new();
    let mut path = Vec::new();
    extend(&edges, 0, last, &mut path, &mut out);
    Some(out)
}

fn extend(
    edges: &[Vec<(usize, u32)>],
    at: usize,
    last: usize,
    path: &mut Vec<u32>,
    out: &mut Vec<Vec<u32>>,
) {
    if at == last {
        out.push(path.clone());
        return;
    }
    for &(j, id) in &edges[at] {
        path.push(id);
        extend(edges, j, last, path, out);
        path.pop();
    }
}

/// Counts token-aligned occurrences of `phrase` by reading every token stream.
pub fn scan(seg: &Segmented, phrase: &str) -> (u64, u64) {
    let vocab = &seg.vocab;
    seg.docs
        .par_iter()
        .map(|doc| {
            // Quotation marks are transparent to counting: they are skipped here too.
            let toks: Vec<u32> = doc
                .tokens
                .iter()
                .copied()
                .filter(|&id| tifa_core::text::quote_term(vocab.term(id)).is_none())
                .collect();
            let mut n = 0u64;
            for i in 0..toks.len() {
                let mut rest = phrase;
                let mut j = i;
                while !rest.is_empty() && j < toks.len() {
                    let term = vocab.term(toks[j]);
                    if term.is_empty() || !rest.starts_with(term) {
                        break;
                    }
                    rest = &rest[term.len()..];
                    j += 1;
                }
                if rest.is_empty() {
                    n += 1;
                }
            }
            (n, u64::from(n > 0))
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}
