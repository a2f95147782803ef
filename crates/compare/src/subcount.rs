//! Exact term frequencies of sub-phrases that the count stage did not store.
//!
//! Cohesion needs the frequency of both parts of every split. The count stage keeps every
//! phrase with enough document frequency, but it may keep only some sub-phrases of a long
//! phrase (those a suffix-array class makes explicit). The few that are missing are counted
//! here in one pass over the token streams, in parallel per report and summed in a fixed order.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tifa_core::Segmented;

use crate::trie::Trie;

/// Term frequency of each sequence in `needed` (in the same order) over all reports.
pub fn count(needed: &[&[u32]], seg: &Segmented) -> Vec<u64> {
    if needed.is_empty() {
        return Vec::new();
    }
    let trie = Trie::new(needed.iter().copied());
    seg.docs
        .par_iter()
        .map(|doc| {
            let mut local: FxHashMap<usize, u64> = FxHashMap::default();
            let t = &doc.tokens;
            for i in 0..t.len() {
                trie.prefixes_of(&t[i..], |k, _| *local.entry(k).or_insert(0) += 1);
            }
            local
        })
        .fold(
            || vec![0u64; needed.len()],
            |mut acc, local| {
                for (i, c) in local {
                    acc[i] += c;
                }
                acc
            },
        )
        // Integer sums are exact, so the order of the reduction cannot change the result.
        .reduce(
            || vec![0u64; needed.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    *x += y;
                }
                a
            },
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::SegDoc;

    #[test]
    fn counts_overlapping_windows_exactly() {
        let doc = |t: Vec<u32>| SegDoc {
            starts: vec![0; t.len()],
            odd_ends: Vec::new(),
            tokens: t,
        };
        let seg = Segmented {
            docs: vec![doc(vec![1, 1, 1, 2]), doc(vec![1, 2, 1, 1])],
            ..Segmented::default()
        };
        let needed: Vec<&[u32]> = vec![&[1, 1], &[1, 2], &[3]];
        assert_eq!(count(&needed, &seg), vec![3, 2, 0]);
    }
}
