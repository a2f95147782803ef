//! A set of token-id sequences, found in a token stream in one pass (Aho–Corasick).
//!
//! Every occurrence of every sequence of the set in a stream is reported after reading each
//! token once: the automaton follows the stream and, where the next token does not continue the
//! sequence it is in, falls back to the longest suffix of what it read that still starts some
//! sequence. Trying every start position instead costs the square of the stream's length where
//! long sequences repeat, as whole passages do in a big corpus.

use rustc_hash::FxHashMap;

/// No node.
const NONE: u32 = u32::MAX;

/// The root: the empty sequence.
const ROOT: u32 = 0;

/// A set of token-id sequences, each known by its index in the list it was built from.
pub struct Trie {
    /// Child of the root for each token id (`ROOT` when there is none: the root is never a
    /// child).
    root: Vec<u32>,
    /// `(node, token)` → child, below the root.
    edges: FxHashMap<(u32, u32), u32>,
    /// Index of the sequence that ends at each node, or [`NONE`].
    ends: Vec<u32>,
    /// Length of each node's sequence.
    depth: Vec<u32>,
    /// The node of the longest proper suffix of each node's sequence that is in the trie.
    fail: Vec<u32>,
    /// The nearest node on the `fail` chain (itself excluded) where a sequence ends, or
    /// [`NONE`].
    out: Vec<u32>,
}

impl Trie {
    /// A trie of `seqs`; sequence `k` of the iterator is reported as `k`. Empty sequences are
    /// ignored; of two equal sequences the later one is kept.
    pub fn new<'a>(seqs: impl IntoIterator<Item = &'a [u32]> + Clone) -> Trie {
        // Room for every node up front: growing a map of tens of millions of edges rehashes it
        // again and again.
        let tokens: usize = seqs.clone().into_iter().map(|s| s.len()).sum();
        let mut trie = Trie {
            root: Vec::new(),
            edges: FxHashMap::default(),
            ends: vec![NONE],
            depth: vec![0],
            fail: Vec::new(),
            out: Vec::new(),
        };
        trie.edges.reserve(tokens);
        trie.ends.reserve(tokens);
        trie.depth.reserve(tokens);
        // Parent and last token of each node, for the failure links.
        let mut parent: Vec<(u32, u32)> = Vec::with_capacity(tokens + 1);
        parent.push((ROOT, 0));
        for (k, seq) in seqs.into_iter().enumerate() {
            let mut node = ROOT;
            for &t in seq {
                node = match trie.child(node, t) {
                    Some(c) => c,
                    None => {
                        let c = trie.ends.len() as u32;
                        trie.ends.push(NONE);
                        trie.depth.push(trie.depth[node as usize] + 1);
                        parent.push((node, t));
                        if node == ROOT {
                            if t as usize >= trie.root.len() {
                                trie.root.resize(t as usize + 1, ROOT);
                            }
                            trie.root[t as usize] = c;
                        } else {
                            trie.edges.insert((node, t), c);
                        }
                        c
                    }
                };
            }
            if node != ROOT {
                trie.ends[node as usize] = k as u32;
            }
        }
        // Failure links in order of depth: a node's link is found from its parent's, which is
        // shallower.
        let n = trie.ends.len();
        // Nodes by depth (a counting sort: depths are small).
        let max_depth = trie.depth.iter().copied().max().unwrap_or(0) as usize;
        let mut start = vec![0usize; max_depth + 2];
        for &d in &trie.depth[1..] {
            start[d as usize + 1] += 1;
        }
        for d in 1..start.len() {
            start[d] += start[d - 1];
        }
        let mut order = vec![ROOT; n - 1];
        for v in 1..n as u32 {
            let d = trie.depth[v as usize] as usize;
            order[start[d]] = v;
            start[d] += 1;
        }
        trie.fail = vec![ROOT; n];
        trie.out = vec![NONE; n];
        for v in order {
            let (p, t) = parent[v as usize];
            let f = if p == ROOT {
                ROOT
            } else {
                trie.step(trie.fail[p as usize], t)
            };
            trie.fail[v as usize] = f;
            trie.out[v as usize] = if trie.ends[f as usize] != NONE {
                f
            } else {
                trie.out[f as usize]
            };
        }
        trie
    }

    fn child(&self, node: u32, t: u32) -> Option<u32> {
        if node == ROOT {
            self.root.get(t as usize).copied().filter(|&c| c != ROOT)
        } else {
            self.edges.get(&(node, t)).copied()
        }
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
                let len = self.depth[m as usize] as usize;
                found(self.ends[m as usize] as usize, i + 1 - len, len);
                m = self.out[m as usize];
            }
        }
    }
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
        let trie = Trie::new(seqs.iter().map(|s| s.as_slice()));
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
        let trie = Trie::new(seqs.iter().map(|s| s.as_slice()));
        assert_eq!(found(&trie, &[5, 6]), vec![(1, 0, 2)]);
    }

    use proptest::prelude::*;

    proptest! {
        #[test]
        fn agrees_with_trying_every_start(
            seqs in proptest::collection::vec(proptest::collection::vec(0u32..3, 0..6), 0..12),
            tokens in proptest::collection::vec(0u32..3, 0..40),
        ) {
            let trie = Trie::new(seqs.iter().map(|s| s.as_slice()));
            prop_assert_eq!(found(&trie, &tokens), plain(&seqs, &tokens));
        }
    }
}
