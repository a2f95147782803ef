//! Families of variants: 两个维护 ⊂ 做到两个维护 ⊂ 增强四个意识、坚定四个自信、做到两个维护.
//!
//! Each slogan's family head is the highest-ranked slogan among the token sequences it contains
//! (itself included), where among slogans of equal document and term frequency the shortest
//! ranks first (a formulation always introduced by the same verb heads its verb-led form, which
//! the phrase order alone would put first). Because a contained phrase ranks by a document
//! frequency at least as high, the head is usually the shortest core of its variants, and a head
//! is always its own head: everything a head contains is contained in each of its members too.
//! The families are therefore a partition, not overlapping clusters, and need no iteration to
//! settle.

use std::cmp::Reverse;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// For token sequences listed in rank order, with their `(df, tf)`, the rank index of each
/// one's family head.
pub fn heads(ranked: &[&[u32]], freq: &[(u32, u32)]) -> Vec<usize> {
    let index: FxHashMap<&[u32], usize> = ranked.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    let key = |j: usize| {
        let (df, tf) = freq.get(j).copied().unwrap_or_default();
        (Reverse(df), Reverse(tf), ranked[j].len(), j)
    };
    ranked
        .par_iter()
        .enumerate()
        .map(|(i, tokens)| {
            let mut best = i;
            for start in 0..tokens.len() {
                for end in start + 1..=tokens.len() {
                    if let Some(&j) = index.get(&tokens[start..end]) {
                        if key(j) < key(best) {
                            best = j;
                        }
                    }
                }
            }
            best
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_of_variants_shares_one_head() {
        // 1=两个维护, 2=做到, 3=、, 4=增强四个意识; ranked by df.
        let ranked: Vec<&[u32]> = vec![&[1], &[2, 1], &[4, 3, 2, 1], &[5, 6]];
        let freq = [(9, 9), (5, 5), (3, 3), (2, 2)];
        assert_eq!(heads(&ranked, &freq), vec![0, 0, 0, 3]);
    }

    #[test]
    fn among_equals_the_shortest_heads() {
        // 坚持X ranks before X by phrase order, with the same counts: X heads it.
        let ranked: Vec<&[u32]> = vec![&[5, 1], &[1], &[5, 1, 2]];
        let freq = [(4, 6), (4, 6), (2, 2)];
        assert_eq!(heads(&ranked, &freq), vec![1, 1, 1]);
    }

    #[test]
    fn head_is_the_highest_ranked_contained_slogan() {
        // The enumeration holds two ranked slogans; the better-ranked one heads it.
        let ranked: Vec<&[u32]> = vec![&[7], &[1], &[1, 3, 7], &[9, 1]];
        let freq = [(9, 9), (8, 8), (3, 3), (2, 2)];
        assert_eq!(heads(&ranked, &freq), vec![0, 1, 0, 1]);
        // A head is always its own head.
        let h = heads(&ranked, &freq);
        for &x in &h {
            assert_eq!(h[x], x);
        }
    }
}
