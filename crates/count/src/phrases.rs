//! Phrase statistics from the suffix array: one bottom-up walk over the LCP intervals.
//!
//! Every phrase that occurs at least twice is a prefix shared by a run of adjacent suffixes.
//! Walking the array with a stack of open intervals (Abouelhoda, Kurtz & Ohlebusch's bottom-up
//! traversal) yields each LCP interval once, with its width `tf`, its length `ℓ` and its parent's
//! length `ℓp`: the interval stands for the phrases of lengths `ℓp+1 ..= ℓ` that start with its
//! first suffix, which all occur at exactly the same positions (Yamamoto & Church's classes).
//! So per_doc, the left neighbours and the quoted count are shared by the whole class, and one
//! scan of the interval measures every phrase of it that is stored.
//!
//! Intervals never span two first tokens, so the array is cut at first-token buckets into
//! chunks that are walked in parallel; each chunk's phrases are sorted, and the chunks are
//! concatenated in array order, which is token order, so the result is sorted and the same for
//! any number of threads.

use rayon::prelude::*;
use tifa_core::{Branching, PhraseStats, Progress};

use crate::stream::{is_sentinel, Class, Stream, OPEN};
use crate::Config;

/// Bounds of the number of suffixes per chunk of parallel work (whole buckets are added until a
/// chunk is big enough). Chunks are small on small inputs so that they too are split.
const CHUNK_MIN: usize = 64;
const CHUNK_MAX: usize = 1 << 16;

/// Measures every stored phrase. `sa` and `bounds` come from [`Stream::suffix_array`].
pub(crate) fn collect(
    stream: &Stream,
    sa: &[u32],
    bounds: &[usize],
    config: &Config,
    progress: &dyn Progress,
) -> Vec<PhraseStats> {
    // Chunk limits depend only on the data, never on the thread count.
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    let chunk = (sa.len() / 1024).clamp(CHUNK_MIN, CHUNK_MAX);
    let mut start = 0usize;
    for &b in bounds.iter().skip(1) {
        if b - start >= chunk {
            chunks.push((start, b));
            start = b;
        }
    }
    if start < sa.len() {
        chunks.push((start, sa.len()));
    }
    let parts: Vec<Vec<PhraseStats>> = chunks
        .par_iter()
        .map(|&(a, b)| {
            let mut walker = Walker::new(stream, config);
            walker.walk(&sa[a..b]);
            progress.inc((b - a) as u64);
            let mut out = walker.out;
            out.sort_unstable_by(|x, y| x.tokens.cmp(&y.tokens));
            out
        })
        .collect();
    let mut phrases = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        phrases.extend(part);
    }
    phrases
}

/// Walks one chunk of the suffix array, with scratch buffers reused across intervals.
struct Walker<'a> {
    stream: &'a Stream,
    config: &'a Config,
    docs: Vec<u32>,
    neighbours: Vec<u32>,
    out: Vec<PhraseStats>,
}

impl<'a> Walker<'a> {
    fn new(stream: &'a Stream, config: &'a Config) -> Walker<'a> {
        Walker {
            stream,
            config,
            docs: Vec::new(),
            neighbours: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Bottom-up traversal of the LCP intervals of `sa` (whose first suffix starts a new first
    /// token, so its LCP with the one before is 0).
    fn walk(&mut self, sa: &[u32]) {
        let max_len = self.config.max_len;
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        for i in 1..=sa.len() {
            let cur = if i < sa.len() {
                self.stream.lcp(sa[i - 1], sa[i], max_len)
            } else {
                0
            };
            let mut lb = i - 1;
            while let Some(&(top, b)) = stack.last() {
                if cur >= top {
                    break;
                }
                stack.pop();
                let below = stack.last().map_or(0, |s| s.0);
                self.interval(&sa[b..i], top, cur.max(below));
                lb = b;
            }
            if cur > stack.last().map_or(0, |s| s.0) {
                stack.push((cur, lb));
            }
        }
    }

    /// Measures the stored phrases of one interval: suffixes `occ` share their first `len`
    /// tokens, and the phrases of lengths `parent + 1 ..= len` occur exactly there.
    fn interval(&mut self, occ: &[u32], len: u32, parent: u32) {
        let s = self.stream;
        let t = &s.text;
        let c = self.config;
        let first = occ[0] as usize;
        let tf = occ.len() as u32;
        if tf < c.min_df {
            return;
        }
        // Which lengths of the class are stored. A phrase never ends with `、`. It is right-closed
        // when it is the whole shared prefix or the next shared token is `、` (a phrase cannot
        // end there, so no one-token extension to the right is a phrase).
        let valid = |k: u32| s.class(t[first + k as usize - 1]) != Class::Enum;
        let right_closed = |k: u32| k == len || s.class(t[first + k as usize]) == Class::Enum;
        let any_short = (parent + 1..=len.min(c.max_short)).any(valid);
        let any_closed_long =
            (parent + 1..=len).any(|k| k > c.max_short && valid(k) && right_closed(k));
        if !any_short && !any_closed_long {
            return;
        }
        // Left-closed: not every occurrence follows the same token that could extend it.
        let left_closed = {
            let l0 = t[occ[0] as usize - 1];
            let extendable = !is_sentinel(l0) && s.class(l0) != Class::Enum;
            !extendable || occ.iter().any(|&p| t[p as usize - 1] != l0)
        };
        if !any_short && !left_closed && len < c.max_len {
            return;
        }

        // Reports.
        self.docs.clear();
        self.docs.extend(occ.iter().map(|&p| s.doc_of(p)));
        self.docs.sort_unstable();
        let per_doc = runs(&self.docs);
        let df = per_doc.len() as u32;
        if df < c.min_df {
            return;
        }

        // Left neighbours are shared by every length of the class.
        self.neighbours.clear();
        let mut boundary = 0u32;
        for &p in occ {
            let x = t[p as usize - 1];
            if is_sentinel(x) || s.class(x) != Class::Word {
                boundary += 1;
            } else {
                self.neighbours.push(x);
            }
        }
        self.neighbours.sort_unstable();
        let left = branching(&self.neighbours, boundary, tf);
        let opened: Vec<u32> = occ
            .iter()
            .copied()
            .filter(|&p| t[p as usize - 1] == OPEN)
            .collect();

        for k in parent + 1..=len {
            if !valid(k) {
                continue;
            }
            let short = k <= c.max_short;
            let closed = right_closed(k) && (left_closed || k == c.max_len);
            if !short && !closed {
                continue;
            }
            let right = if k < len {
                // Every occurrence is followed by the same token.
                let x = t[first + k as usize];
                if s.class(x) == Class::Word {
                    Branching {
                        distinct: 1,
                        boundary: 0,
                        entropy: 0.0,
                    }
                } else {
                    branching(&[], tf, tf)
                }
            } else {
                self.neighbours.clear();
                let mut boundary = 0u32;
                for &p in occ {
                    let x = t[p as usize + k as usize];
                    if is_sentinel(x) || s.class(x) != Class::Word {
                        boundary += 1;
                    } else {
                        self.neighbours.push(x);
                    }
                }
                self.neighbours.sort_unstable();
                branching(&self.neighbours, boundary, tf)
            };
            // Only the whole shared prefix can be followed by a closing quote: a shorter one is
            // followed by a token of the prefix.
            let quoted = if k == len {
                opened
                    .iter()
                    .filter(|&&p| t[p as usize + k as usize] == crate::stream::CLOSE)
                    .count() as u32
            } else {
                0
            };
            self.out.push(PhraseStats {
                tokens: t[first..first + k as usize].to_vec(),
                tf,
                df,
                per_doc: per_doc.clone(),
                left,
                right,
                quoted,
            });
        }
    }
}

/// Run-length encoding of a sorted slice: `(value, count)` pairs.
fn runs(sorted: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &x in sorted {
        match out.last_mut() {
            Some((v, n)) if *v == x => *n += 1,
            _ => out.push((x, 1)),
        }
    }
    out
}

/// Branching statistics from the sorted ids of the word neighbours and the number of boundary
/// occurrences, each of which counts as a distinct neighbour of its own in the entropy.
pub(crate) fn branching(sorted_words: &[u32], boundary: u32, tf: u32) -> Branching {
    let total = tf as f64;
    let mut entropy = 0.0f64;
    let mut distinct = 0u32;
    let mut i = 0;
    while i < sorted_words.len() {
        let mut j = i + 1;
        while j < sorted_words.len() && sorted_words[j] == sorted_words[i] {
            j += 1;
        }
        let p = (j - i) as f64 / total;
        entropy -= p * p.ln();
        distinct += 1;
        i = j;
    }
    if boundary > 0 {
        entropy += boundary as f64 / total * total.ln();
    }
    Branching {
        distinct,
        boundary,
        entropy: entropy.max(0.0) as f32,
    }
}
