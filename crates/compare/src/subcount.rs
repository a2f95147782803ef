//! Exact term frequencies of sub-phrases that the count stage did not store.
//!
//! Cohesion needs the frequency of both parts of every split. The count stage keeps every
//! phrase with enough document frequency, but it may keep only some sub-phrases of a long
//! phrase (those a suffix-array class makes explicit). The few that are missing are counted
//! here in one pass over the token streams, in parallel per report and summed in a fixed order.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tifa_core::Segmented;

/// Term frequency of each sequence in `needed` (in the same order) over all reports.
pub fn count(needed: &[Vec<u32>], seg: &Segmented) -> Vec<u64> {
    if needed.is_empty() {
        return Vec::new();
    }
    let index: FxHashMap<&[u32], usize> = needed
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_slice(), i))
        .collect();
    // Only positions whose first two tokens start some needed sequence are looked at, and only
    // for the lengths needed there; one-token sequences are looked up directly.
    let mut starts: FxHashMap<(u32, Option<u32>), Vec<usize>> = FxHashMap::default();
    for t in needed.iter().filter(|t| !t.is_empty()) {
        starts
            .entry((t[0], t.get(1).copied()))
            .or_default()
            .push(t.len());
    }
    for lens in starts.values_mut() {
        lens.sort_unstable();
        lens.dedup();
    }
    // A table of first tokens rejects most positions before any hashing.
    let mut first: Vec<bool> = Vec::new();
    for &(f, _) in starts.keys() {
        let f = f as usize;
        if f >= first.len() {
            first.resize(f + 1, false);
        }
        first[f] = true;
    }
    seg.docs
        .par_iter()
        .map(|doc| {
            let mut local: FxHashMap<usize, u64> = FxHashMap::default();
            let t = &doc.tokens;
            for i in 0..t.len() {
                if !first.get(t[i] as usize).copied().unwrap_or(false) {
                    continue;
                }
                let pair = t.get(i + 1).map(|&n| (t[i], Some(n)));
                for key in [Some((t[i], None)), pair].into_iter().flatten() {
                    let Some(lens) = starts.get(&key) else {
                        continue;
                    };
                    for &len in lens {
                        if let Some(&k) = t.get(i..i + len).and_then(|w| index.get(w)) {
                            *local.entry(k).or_insert(0) += 1;
                        }
                    }
                }
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
        let needed = vec![vec![1, 1], vec![1, 2], vec![3]];
        assert_eq!(count(&needed, &seg), vec![3, 2, 0]);
    }
}
