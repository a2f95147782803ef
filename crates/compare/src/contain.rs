//! For token sequences, the largest term frequency of a longer counted phrase that contains
//! them: maximality needs it for every candidate, and it is the term frequency of a sub-phrase
//! the counts did not store (such a part always occurs inside one closed phrase of the same
//! frequency, and every other phrase containing it occurs at most as often).
//!
//! Each counted phrase is read once through an automaton of the wanted sequences
//! ([`Trie::occurrences`]), so a phrase costs its length plus the occurrences found in it, not
//! a walk from every position, which costs the square of its length on the long phrases that
//! repeated passages make.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use tifa_core::{Counts, Progress};

use crate::trie::Trie;
use crate::CHUNK;

/// For each wanted sequence, the largest term frequency of a counted phrase that contains it
/// and is longer (0 when none does). The wanted sequences are distinct (of two equal ones, only
/// the later is credited).
///
/// Every occurrence of the longer phrase holds an occurrence of the wanted one, so for a
/// candidate `containing / tf` is the share of its occurrences that sit inside that one phrase.
/// Every counted phrase is a container, not only one-word extensions, because the count stage
/// may store a long phrase only in its closed form (the full enumeration, not the enumeration
/// minus its last word).
pub fn max_containing(counts: &Counts, wanted: &[&[u32]], progress: &dyn Progress) -> Vec<u32> {
    max_containing_except(counts, wanted, None, progress)
}

/// [`max_containing`], except that a wanted sequence `k` with `free_left[k]` set is not
/// credited by a phrase that is exactly one token followed by it (its verb-led form).
pub fn max_containing_except(
    counts: &Counts,
    wanted: &[&[u32]],
    free_left: Option<&[bool]>,
    progress: &dyn Progress,
) -> Vec<u32> {
    max_containing_unless(
        counts,
        wanted,
        |k, t, start, m| {
            start == 1
                && 1 + m == t.len()
                && free_left.is_some_and(|f| f.get(k).copied().unwrap_or(false))
        },
        progress,
    )
}

/// [`max_containing`], except that wanted sequence `k`, found at `start` for `m` tokens in the
/// counted phrase `t`, is not credited by it when `unless(k, t, start, m)`.
pub fn max_containing_unless(
    counts: &Counts,
    wanted: &[&[u32]],
    unless: impl Fn(usize, &[u32], usize, usize) -> bool + Sync,
    progress: &dyn Progress,
) -> Vec<u32> {
    let trie = Trie::new(wanted);
    let best: Vec<AtomicU32> = (0..wanted.len()).map(|_| AtomicU32::new(0)).collect();
    // max is order-independent, so relaxed atomics give the same result for any thread count.
    let credit = |k: usize, tf: u32| {
        best[k].fetch_max(tf, Ordering::Relaxed);
    };
    // A phrase no longer than the shortest wanted sequence contains none of them.
    let shortest = wanted.iter().map(|w| w.len()).min().unwrap_or(usize::MAX);
    let phrases = &counts.phrases;
    let n_phrases = phrases.len();
    (0..n_phrases.div_ceil(CHUNK))
        .into_par_iter()
        .for_each(|c| {
            let chunk = c * CHUNK..((c + 1) * CHUNK).min(n_phrases);
            let len = chunk.len();
            for q in chunk.filter_map(|i| phrases.get(i)) {
                let (t, n) = (q.tokens, q.tokens.len());
                if n <= shortest {
                    continue;
                }
                trie.occurrences(t, |k, start, m| {
                    if m < n && !unless(k, t, start, m) {
                        credit(k, q.tf);
                    }
                });
            }
            progress.inc(len as u64);
        });
    best.into_iter().map(AtomicU32::into_inner).collect()
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
        let got = max_containing(&counts, &wanted, &NoProgress);
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
            let got = max_containing(&counts, &wanted, &NoProgress);
            prop_assert_eq!(got, brute(&counts, &wanted));
        }
    }
}
