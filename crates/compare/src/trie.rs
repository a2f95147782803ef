//! A trie over token-id sequences: at any position of a token stream it finds every sequence of
//! a set that starts there, and stops as soon as no sequence of the set continues. Looking up
//! every length up to the longest sequence instead hashes a growing slice at each step; the trie
//! steps one token at a time and gives up after a token or two at almost every position.

use rustc_hash::FxHashMap;

/// No sequence ends at a node.
const NONE: u32 = u32::MAX;

/// A set of token-id sequences, each known by its index in the list it was built from.
pub struct Trie {
    /// Child of the root for each token id (`0` when there is none: the root is never a child).
    root: Vec<u32>,
    /// `(node, token)` → child, below the root.
    edges: FxHashMap<(u32, u32), u32>,
    /// Index of the sequence that ends at each node, or [`NONE`].
    ends: Vec<u32>,
}

impl Trie {
    /// A trie of `seqs`; sequence `k` of the iterator is reported as `k`. Empty sequences are
    /// ignored; of two equal sequences the later one is kept.
    pub fn new<'a>(seqs: impl IntoIterator<Item = &'a [u32]>) -> Trie {
        let mut trie = Trie {
            root: Vec::new(),
            edges: FxHashMap::default(),
            ends: vec![NONE],
        };
        for (k, seq) in seqs.into_iter().enumerate() {
            let Some((&first, rest)) = seq.split_first() else {
                continue;
            };
            let f = first as usize;
            if f >= trie.root.len() {
                trie.root.resize(f + 1, 0);
            }
            if trie.root[f] == 0 {
                trie.root[f] = trie.ends.len() as u32;
                trie.ends.push(NONE);
            }
            let mut node = trie.root[f];
            for &t in rest {
                let next = trie.ends.len() as u32;
                let child = *trie.edges.entry((node, t)).or_insert(next);
                if child == next {
                    trie.ends.push(NONE);
                }
                node = child;
            }
            trie.ends[node as usize] = k as u32;
        }
        trie
    }

    /// Calls `found(k, len)` for every sequence `k` of the set that `tokens` starts with, `len`
    /// being its length, shortest first.
    pub fn prefixes_of(&self, tokens: &[u32], mut found: impl FnMut(usize, usize)) {
        let Some((&first, rest)) = tokens.split_first() else {
            return;
        };
        let mut node = match self.root.get(first as usize) {
            Some(&n) if n != 0 => n,
            _ => return,
        };
        let mut len = 1;
        loop {
            if let Some(&k) = self.ends.get(node as usize).filter(|&&k| k != NONE) {
                found(k as usize, len);
            }
            let Some(&t) = rest.get(len - 1) else {
                return;
            };
            match self.edges.get(&(node, t)) {
                Some(&child) => node = child,
                None => return,
            }
            len += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(trie: &Trie, tokens: &[u32]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        trie.prefixes_of(tokens, |k, len| out.push((k, len)));
        out
    }

    #[test]
    fn finds_every_sequence_that_starts_the_tokens() {
        let seqs: Vec<Vec<u32>> = vec![vec![1, 2], vec![1], vec![1, 2, 3], vec![2, 3], vec![]];
        let trie = Trie::new(seqs.iter().map(|s| s.as_slice()));
        assert_eq!(found(&trie, &[1, 2, 3, 4]), vec![(1, 1), (0, 2), (2, 3)]);
        assert_eq!(found(&trie, &[1, 3]), vec![(1, 1)]);
        assert_eq!(found(&trie, &[2, 3]), vec![(3, 2)]);
        assert_eq!(found(&trie, &[2]), vec![]);
        assert_eq!(found(&trie, &[7, 1, 2]), vec![]);
        assert_eq!(found(&trie, &[]), vec![]);
    }

    #[test]
    fn equal_sequences_keep_the_later_index() {
        let seqs: Vec<Vec<u32>> = vec![vec![5, 6], vec![5, 6]];
        let trie = Trie::new(seqs.iter().map(|s| s.as_slice()));
        assert_eq!(found(&trie, &[5, 6]), vec![(1, 2)]);
    }
}
