//! A set of token-id sequences, found in a token stream in one pass (Aho–Corasick).
//!
//! Every occurrence of every sequence of the set in a stream is reported after reading each
//! token once: the automaton follows the stream and, where the next token does not continue the
//! sequence it is in, falls back to the longest suffix of what it read that still starts some
//! sequence. Trying every start position instead costs the square of the stream's length where
//! long sequences repeat, as whole passages do in a big corpus.
//!
//! The trie is laid out level by level, each level in the order of its prefixes: the
//! sequences are sorted once (as indices, 4 bytes each, and not at all when they come sorted),
//! the nodes of depth `d` are then the distinct `d`-token prefixes in sorted order, so the
//! children of a node are contiguous and sorted by token, and a child is found by a binary
//! search in a short slice. Building needs no hash map of edges (which for millions of
//! sequences was most of the work, on one thread), and the failure links of one level, which
//! depend only on shallower levels, are computed in parallel. A node holds five 4-byte fields;
//! the length of a match is kept per sequence, not per node.

use std::ops::Range;

use rayon::prelude::*;

/// No node.
const NONE: u32 = u32::MAX;

/// The root: the empty sequence.
const ROOT: u32 = 0;

/// Nodes of a level below this many get their failure links on one thread.
const PAR_LEVEL_MIN: usize = 1 << 12;

/// A set of token-id sequences, each known by its index in the list it was built from.
pub struct Trie {
    /// Child of the root for each token id (`NONE` when there is none).
    root: Vec<u32>,
    /// Last token of each node's sequence (unused for the root).
    token: Vec<u32>,
    /// `first_child[v]..first_child[v + 1]`: the children of node `v`, sorted by token.
    first_child: Vec<u32>,
    /// Index of the sequence that ends at each node, or [`NONE`].
    ends: Vec<u32>,
    /// Length of each sequence, by its index.
    lens: Vec<u32>,
    /// The node of the longest proper suffix of each node's sequence that is in the trie.
    fail: Vec<u32>,
    /// The nearest node on the `fail` chain (itself excluded) where a sequence ends, or
    /// [`NONE`].
    out: Vec<u32>,
}

impl Trie {
    /// A trie of `seqs`; sequence `k` of the slice is reported as `k`. Empty sequences are
    /// ignored; of two equal sequences the later one is kept.
    pub fn new(seqs: &[&[u32]]) -> Trie {
        // The indices of the non-empty sequences in the order of their tokens, of equal
        // sequences only the later kept: 4 bytes each. Sequences given sorted and distinct (the
        // parts of compare's splits are) keep their own order, with no sort.
        let mut order: Vec<u32> = (0..seqs.len() as u32)
            .filter(|&k| !seqs[k as usize].is_empty())
            .collect();
        if !seqs.par_windows(2).all(|w| w[0] < w[1]) {
            order.par_sort_unstable_by(|&a, &b| {
                seqs[a as usize].cmp(seqs[b as usize]).then(b.cmp(&a))
            });
            order.dedup_by(|later, earlier| seqs[*later as usize] == seqs[*earlier as usize]);
        }
        let seq = |i: usize| seqs[order[i] as usize];

        // Tokens each sequence shares with the one before it: it adds the nodes below that.
        let lcp: Vec<u32> = (0..order.len())
            .into_par_iter()
            .map(|i| match i {
                0 => 0,
                _ => common_prefix(seq(i - 1), seq(i)) as u32,
            })
            .collect();
        // Nodes per level, then where each level starts (level 0 is the root alone).
        let max_depth = (0..order.len()).map(|i| seq(i).len()).max().unwrap_or(0);
        let mut level_start = vec![0usize; max_depth + 2];
        level_start[1] = 1;
        for (i, &l) in lcp.iter().enumerate() {
            for d in l as usize + 1..=seq(i).len() {
                level_start[d + 1] += 1;
            }
        }
        for d in 1..level_start.len() {
            level_start[d] += level_start[d - 1];
        }
        let n = level_start[max_depth + 1];
        // Each sequence's new nodes take the next free id of their level; the nodes of its
        // shared prefix are those of the sequence before it (`path`).
        let mut next = level_start.clone();
        let mut token = vec![0u32; n];
        let mut parent = vec![ROOT; n];
        let mut ends = vec![NONE; n];
        let mut path = vec![ROOT; max_depth + 1];
        for (i, &l) in lcp.iter().enumerate() {
            let (s, k) = (seq(i), order[i]);
            for d in l as usize + 1..=s.len() {
                let v = next[d];
                next[d] += 1;
                token[v] = s[d - 1];
                parent[v] = path[d - 1];
                path[d] = v as u32;
            }
            ends[path[s.len()] as usize] = k;
        }
        drop(lcp);
        // The length of each sequence, for the occurrences: per sequence, not per node.
        let lens: Vec<u32> = seqs.iter().map(|s| s.len() as u32).collect();
        // Children are contiguous and in the order of their parents: a prefix sum of the
        // number of children gives each node's first child.
        let mut first_child = vec![0u32; n + 1];
        for &p in &parent[1..] {
            first_child[p as usize + 1] += 1;
        }
        first_child[0] = 1;
        for v in 1..=n {
            first_child[v] += first_child[v - 1];
        }
        let root_len = (0..order.len())
            .map(|i| seq(i)[0] as usize + 1)
            .max()
            .unwrap_or(0);
        drop(order);
        let mut root = vec![NONE; root_len];
        for v in level_start[1]..level_start[2.min(max_depth + 1)] {
            root[token[v] as usize] = v as u32;
        }
        let mut trie = Trie {
            root,
            token,
            first_child,
            ends,
            lens,
            fail: vec![ROOT; n],
            out: vec![NONE; n],
        };
        // Failure links level by level: a node's link comes from its parent's, which is
        // shallower, and points to a shallower node, so the nodes of one level are independent.
        for d in 2..=max_depth {
            let level: Range<usize> = level_start[d]..level_start[d + 1];
            let links: Vec<(u32, u32)> = if level.len() >= PAR_LEVEL_MIN {
                level
                    .clone()
                    .into_par_iter()
                    .map(|v| trie.links(parent[v], trie.token[v]))
                    .collect()
            } else {
                level
                    .clone()
                    .map(|v| trie.links(parent[v], trie.token[v]))
                    .collect()
            };
            for (v, (f, o)) in level.zip(links) {
                trie.fail[v] = f;
                trie.out[v] = o;
            }
        }
        trie
    }

    /// Failure and output links of the child of `parent` by token `t` (not of the root).
    fn links(&self, parent: u32, t: u32) -> (u32, u32) {
        let f = self.step(self.fail[parent as usize], t);
        let o = if self.ends[f as usize] != NONE {
            f
        } else {
            self.out[f as usize]
        };
        (f, o)
    }

    fn child(&self, node: u32, t: u32) -> Option<u32> {
        if node == ROOT {
            return self.root.get(t as usize).copied().filter(|&c| c != NONE);
        }
        let (a, b) = (
            self.first_child[node as usize] as usize,
            self.first_child[node as usize + 1] as usize,
        );
        let kids = &self.token[a..b];
        kids.binary_search(&t).ok().map(|i| (a + i) as u32)
    }

    /// The node reached from `node` by reading `t`, falling back along failure links.
    fn step(&self, mut node: u32, t: u32) -> u32 {
        loop {
            if let Some(c) = self.child(node, t) {
                return c;
            }
            if node == ROOT {
                return ROOT;
            }
            node = self.fail[node as usize];
        }
    }

    /// Calls `found(k, start, len)` for every occurrence of every sequence `k` of the set in
    /// `tokens`: `tokens[start..start + len]` is sequence `k`.
    pub fn occurrences(&self, tokens: &[u32], mut found: impl FnMut(usize, usize, usize)) {
        let mut node = ROOT;
        for (i, &t) in tokens.iter().enumerate() {
            node = self.step(node, t);
            let mut m = if self.ends[node as usize] != NONE {
                node
            } else {
                self.out[node as usize]
            };
            while m != NONE {
                let k = self.ends[m as usize] as usize;
                let len = self.lens[k] as usize;
                found(k, i + 1 - len, len);
                m = self.out[m as usize];
            }
        }
    }
}

/// Number of leading tokens `a` and `b` share.
fn common_prefix(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(trie: &Trie, tokens: &[u32]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        trie.occurrences(tokens, |k, start, len| out.push((k, start, len)));
        out.sort();
        out
    }

    /// Every occurrence, by trying every start.
    fn plain(seqs: &[Vec<u32>], tokens: &[u32]) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        for (k, s) in seqs.iter().enumerate() {
            // The later of two equal sequences is the one kept.
            if s.is_empty() || seqs[k + 1..].contains(s) {
                continue;
            }
            for start in 0..tokens.len() {
                if tokens[start..].starts_with(s) {
                    out.push((k, start, s.len()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn finds_every_occurrence_of_every_sequence() {
        let seqs: Vec<Vec<u32>> = vec![vec![1, 2], vec![1], vec![1, 2, 3], vec![2, 3], vec![]];
        let trie = Trie::new(&seqs.iter().map(|s| s.as_slice()).collect::<Vec<_>>());
        assert_eq!(
            found(&trie, &[1, 2, 3, 4]),
            vec![(0, 0, 2), (1, 0, 1), (2, 0, 3), (3, 1, 2)]
        );
        assert_eq!(
            found(&trie, &[7, 1, 1, 2]),
            vec![(0, 2, 2), (1, 1, 1), (1, 2, 1)]
        );
        assert_eq!(found(&trie, &[]), vec![]);
    }

    #[test]
    fn equal_sequences_keep_the_later_index() {
        let seqs: Vec<Vec<u32>> = vec![vec![5, 6], vec![5, 6]];
        let trie = Trie::new(&seqs.iter().map(|s| s.as_slice()).collect::<Vec<_>>());
        assert_eq!(found(&trie, &[5, 6]), vec![(1, 0, 2)]);
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_trying_every_start(
            seqs in proptest::collection::vec(proptest::collection::vec(0u32..3, 0..6), 0..12),
            tokens in proptest::collection::vec(0u32..3, 0..40),
        ) {
            let trie = Trie::new(&seqs.iter().map(|s| s.as_slice()).collect::<Vec<_>>());
            prop_assert_eq!(found(&trie, &tokens), plain(&seqs, &tokens));
        }
    }
}
