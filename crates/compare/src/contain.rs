//! For token sequences, the largest term frequency of a longer counted phrase that contains
//! them: maximality needs it for every candidate, and it is the term frequency of a sub-phrase
//! the counts did not store (such a part always occurs inside one closed phrase of the same
//! frequency, and every other phrase containing it occurs at most as often).
//!
//! Walking every position of every counted phrase through a trie of the wanted sequences costs
//! the square of a phrase's length, which long repeated passages make ruinous on big corpora.
//! Most of that walk is redundant. If `q[1..]`, `q` without its first token, is itself counted,
//! everything found at positions 1.. of `q` lies inside `q[1..]`, which occurs at least as often
//! and is walked in its own turn: of those, only `q[1..]` itself must be credited with `q`'s
//! frequency. The same holds for `q` without its last token and the sequences `q` starts with.
//! So a long phrase is walked only on a side where its one-shorter neighbour was not counted (a
//! phrase the count stage kept only in its closed form, or one next to `、`), and otherwise
//! costs two look-ups. Short phrases, most of them, are walked plainly: for them a few trie
//! steps cost less than the look-ups. By induction on length every wanted sequence inside a
//! counted phrase is still credited with that phrase's frequency, so the result is exact.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tifa_core::{Counts, Progress};

use crate::trie::Trie;

/// Progress is reported per chunk of phrases.
const CHUNK: usize = 4096;

/// Phrases of at least this many tokens take the shortcut; shorter ones are walked plainly.
const LONG: usize = 8;

/// Multiplier of the rolling hash (odd, so multiplication is invertible modulo 2^64).
const BASE: u64 = 0x9E37_79B9_7F4A_7C15;

/// Rolling hash of a token sequence.
fn hash(tokens: &[u32]) -> u64 {
    tokens.iter().fold(0u64, |h, &t| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(t) + 1)
    })
}

/// The counted phrases, findable by their tokens.
pub struct Counted<'a> {
    counts: &'a Counts,
    /// Rolling hash → index of a counted phrase with that hash. Of two phrases with the same
    /// hash one is kept; a look-up of the other then misses, which only costs a walk.
    by_hash: FxHashMap<u64, u32>,
}

impl<'a> Counted<'a> {
    /// Indexes the counted phrases a long phrase may look up: those of at least `LONG - 1`
    /// tokens.
    pub fn new(counts: &'a Counts) -> Counted<'a> {
        let n = counts.phrases.len();
        let hashes: Vec<(u64, u32)> = (0..n)
            .into_par_iter()
            .filter_map(|i| {
                let t = counts.phrases.tokens(i);
                (t.len() + 1 >= LONG).then(|| (hash(t), i as u32))
            })
            .collect();
        let mut by_hash = FxHashMap::default();
        by_hash.reserve(hashes.len());
        for (h, i) in hashes {
            by_hash.entry(h).or_insert(i);
        }
        Counted { counts, by_hash }
    }

    /// Index of the counted phrase `tokens`, whose rolling hash is `h`.
    fn find(&self, tokens: &[u32], h: u64) -> Option<u32> {
        let &i = self.by_hash.get(&h)?;
        (self.counts.phrases.tokens(i as usize) == tokens).then_some(i)
    }

    /// For each wanted sequence, the largest term frequency of a counted phrase that contains
    /// it and is longer (0 when none does). The wanted sequences are distinct (of two equal
    /// ones, only the later is credited).
    pub fn max_containing(&self, wanted: &[&[u32]], progress: &dyn Progress) -> Vec<u32> {
        let trie = Trie::new(wanted.iter().copied());
        // Wanted sequences that are counted phrases, by phrase index; with equal sequences the
        // later one is kept, as in the trie.
        let mut by_phrase: FxHashMap<u32, usize> = FxHashMap::default();
        for (k, w) in wanted.iter().enumerate() {
            if let Some(i) = self.find(w, hash(w)) {
                by_phrase.insert(i, k);
            }
        }
        let best: Vec<AtomicU32> = (0..wanted.len()).map(|_| AtomicU32::new(0)).collect();
        // max is order-independent, so relaxed atomics give the same result for any thread
        // count.
        let credit = |k: usize, tf: u32| {
            best[k].fetch_max(tf, Ordering::Relaxed);
        };
        // A phrase no longer than the shortest wanted sequence contains none of them.
        let shortest = wanted.iter().map(|w| w.len()).min().unwrap_or(usize::MAX);
        let phrases = &self.counts.phrases;
        let n_phrases = phrases.len();
        (0..n_phrases.div_ceil(CHUNK))
            .into_par_iter()
            .for_each(|c| {
                let chunk = c * CHUNK..((c + 1) * CHUNK).min(n_phrases);
                let len = chunk.len();
                for q in chunk.filter_map(|i| phrases.get(i)) {
                    let t = q.tokens;
                    let n = t.len();
                    if n <= shortest {
                        continue;
                    }
                    if n < LONG {
                        trie.prefixes_of(t, |k, m| {
                            if m < n {
                                credit(k, q.tf);
                            }
                        });
                        for i in 1..n {
                            trie.prefixes_of(&t[i..], |k, _| credit(k, q.tf));
                        }
                        continue;
                    }
                    let head = hash(&t[..n - 1]);
                    let full = head
                        .wrapping_mul(BASE)
                        .wrapping_add(u64::from(t[n - 1]) + 1);
                    let lead = (0..n - 1).fold(u64::from(t[0]) + 1, |h, _| h.wrapping_mul(BASE));
                    let tail = full.wrapping_sub(lead);
                    // Positions 1..: inside q[1..].
                    match self.find(&t[1..], tail) {
                        Some(i) => {
                            if let Some(&k) = by_phrase.get(&i) {
                                credit(k, q.tf);
                            }
                        }
                        None => {
                            for i in 1..n {
                                trie.prefixes_of(&t[i..], |k, _| credit(k, q.tf));
                            }
                        }
                    }
                    // Sequences q starts with, shorter than q: inside q[..n-1].
                    match self.find(&t[..n - 1], head) {
                        Some(i) => {
                            if let Some(&k) = by_phrase.get(&i) {
                                credit(k, q.tf);
                            }
                        }
                        None => trie.prefixes_of(t, |k, m| {
                            if m < n {
                                credit(k, q.tf);
                            }
                        }),
                    }
                }
                progress.inc(len as u64);
            });
        best.into_iter().map(AtomicU32::into_inner).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::{NoProgress, PhraseStats, Phrases};

    /// The plain definition: every counted phrase at every position.
    fn brute(counts: &Counts, wanted: &[&[u32]]) -> Vec<u32> {
        wanted
            .iter()
            .map(|w| {
                counts
                    .phrases
                    .iter()
                    .filter(|q| {
                        q.tokens.len() > w.len() && q.tokens.windows(w.len()).any(|x| x == *w)
                    })
                    .map(|q| q.tf)
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    fn counts_of(phrases: &[(&[u32], u32)]) -> Counts {
        let mut sorted = phrases.to_vec();
        sorted.sort();
        let phrases: Phrases = sorted
            .into_iter()
            .map(|(t, tf)| PhraseStats {
                tokens: t.to_vec(),
                tf,
                df: 2,
                ..PhraseStats::default()
            })
            .collect();
        Counts {
            phrases,
            ..Counts::default()
        }
    }

    #[test]
    fn agrees_with_the_plain_definition() {
        // Counted phrases where some shorter neighbours are missing (as for long phrases kept
        // only closed) and some are present.
        let counts = counts_of(&[
            (&[1, 2, 3, 4, 5], 3),
            (&[2, 3, 4, 5], 4),
            (&[2, 3, 4], 6),
            (&[3, 4], 9),
            (&[1, 2], 5),
            (&[1, 2, 3], 4),
            (&[7, 1, 2, 3, 8], 2),
            (&[9, 9, 9], 2),
            (&[9, 9], 5),
            (&[3], 20),
        ]);
        let wanted: Vec<&[u32]> = vec![
            &[2, 3],
            &[3, 4],
            &[1, 2, 3, 4],
            &[2, 3, 4],
            &[3],
            &[9],
            &[9, 9],
            &[1, 2, 3, 4, 5],
            &[8],
            &[4, 5],
            &[6],
        ];
        let got = Counted::new(&counts).max_containing(&wanted, &NoProgress);
        assert_eq!(got, brute(&counts, &wanted));
    }

    use proptest::prelude::*;

    proptest! {
        /// Any set of counted phrases with exact frequencies (so a sub-phrase occurs at least as
        /// often as a phrase containing it), any wanted sequences: the shortcut walk gives the
        /// plain answer.
        #[test]
        fn agrees_with_the_plain_definition_on_any_text(
            text in proptest::collection::vec(0u32..4, 1..60),
            keep in proptest::collection::vec(any::<bool>(), 64),
            picks in proptest::collection::vec((0usize..60, 1usize..13), 1..20),
        ) {
            let n = text.len();
            let tf = |w: &[u32]| text.windows(w.len()).filter(|x| *x == w).count() as u32;
            let mut distinct: Vec<&[u32]> = (0..n)
                .flat_map(|i| (i + 1..=n.min(i + 14)).map(move |j| (i, j)))
                .map(|(i, j)| &text[i..j])
                .collect();
            distinct.sort();
            distinct.dedup();
            let counted: Vec<(&[u32], u32)> = distinct
                .iter()
                .enumerate()
                .filter(|(k, _)| keep[k % keep.len()])
                .map(|(_, w)| (*w, tf(w)))
                .collect();
            let counts = counts_of(&counted);
            let mut wanted: Vec<&[u32]> = picks
                .iter()
                .map(|&(i, l)| &text[i.min(n - 1)..(i.min(n - 1) + l).min(n)])
                .collect();
            wanted.sort();
            wanted.dedup();
            let got = Counted::new(&counts).max_containing(&wanted, &NoProgress);
            prop_assert_eq!(got, brute(&counts, &wanted));
        }
    }
}
