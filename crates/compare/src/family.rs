//! Families of variants: 两个维护 ⊂ 做到两个维护 ⊂ 增强四个意识、坚定四个自信、做到两个维护.
//!
//! Each slogan's family head is the highest-ranked slogan among the token sequences it contains
//! (itself included). Because a contained phrase ranks by a document frequency at least as high,
//! the head is usually the shortest core of its variants, and a head is always its own head:
//! everything a head contains is contained in each of its members too. The families are therefore
//! a partition, not overlapping clusters, and need no iteration to settle.

use rustc_hash::FxHashMap;

/// For token sequences listed in rank order, the rank index of each one's family head.
pub fn heads(ranked: &[&[u32]]) -> Vec<usize> {
    let index: FxHashMap<&[u32], usize> = ranked.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    ranked
        .iter()
        .enumerate()
        .map(|(i, tokens)| {
            let mut best = i;
            for start in 0..tokens.len() {
                for end in start + 1..=tokens.len() {
                    if let Some(&j) = index.get(&tokens[start..end]) {
                        best = best.min(j);
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
        assert_eq!(heads(&ranked), vec![0, 0, 0, 3]);
    }

    #[test]
    fn head_is_the_highest_ranked_contained_slogan() {
        // The enumeration holds two ranked slogans; the better-ranked one heads it.
        let ranked: Vec<&[u32]> = vec![&[7], &[1], &[1, 3, 7], &[9, 1]];
        assert_eq!(heads(&ranked), vec![0, 1, 0, 1]);
        // A head is always its own head.
        let h = heads(&ranked);
        for &x in &h {
            assert_eq!(h[x], x);
        }
    }
}
