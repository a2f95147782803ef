//! The corpus as one flat token stream, and its suffix array.
//!
//! Every report's token ids are laid end to end in one `Vec<u32>`, with a sentinel before the
//! first report, after every report, and in place of every token that no phrase may contain
//! (clause and sentence marks, opening and closing quotes). Sentinels never match anything, so
//! no common prefix of two suffixes — and so no counted phrase — crosses one. Opening and
//! closing quotes get sentinels of their own so that quoted occurrences can still be seen.
//!
//! The suffix array holds only the positions where a phrase may start (not a sentinel, not
//! `、`), ordered by the tokens up to the first sentinel, at most `max_len` of them, with ties
//! broken by position. That is all the order the phrase statistics need: two suffixes that agree
//! up to a sentinel share no longer phrase. Because clauses are short, comparing two suffixes
//! reads only a few tokens, so a bucket sort by first token followed by a parallel comparison
//! sort of each bucket is fast, needs no memory beyond the array itself, and gives the same
//! array whatever the number of threads.

use std::cmp::Ordering;

use rayon::prelude::*;
use tifa_core::{Segmented, TokenKind};

use crate::Error;

/// Sentinel for a hard boundary or a report edge.
pub(crate) const HARD: u32 = u32::MAX;
/// Sentinel for an opening quote or title mark.
pub(crate) const OPEN: u32 = u32::MAX - 1;
/// Sentinel for a closing quote or title mark.
pub(crate) const CLOSE: u32 = u32::MAX - 2;
/// The smallest sentinel value; token ids must stay below it.
pub(crate) const FIRST_SENTINEL: u32 = CLOSE;

/// Buckets of the suffix array smaller than this are sorted on one thread.
const PAR_SORT_MIN: usize = 1 << 15;

/// True for a sentinel value.
#[inline]
pub(crate) fn is_sentinel(t: u32) -> bool {
    t >= FIRST_SENTINEL
}

/// How a token id behaves in a phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A word or number: an ordinary phrase token and an ordinary neighbour.
    Word,
    /// `、`: allowed inside a phrase, never at its start or end; a boundary as a neighbour.
    Enum,
    /// Other symbols: allowed inside a phrase; a boundary as a neighbour.
    Symbol,
}

/// The flat token stream with its report boundaries and token classes.
pub(crate) struct Stream {
    /// Token ids and sentinels; starts and ends with [`HARD`].
    pub text: Vec<u32>,
    /// Offset in `text` of each report's first token.
    pub doc_starts: Vec<u32>,
    /// Class of each vocabulary id.
    pub classes: Vec<Class>,
}

impl Stream {
    /// Lays the reports of `seg` out as one stream. Checks every token id against the
    /// vocabulary, so later indexing cannot go out of bounds.
    pub fn build(seg: &Segmented) -> Result<Stream, Error> {
        let vocab = &seg.vocab;
        if vocab.kinds.len() != vocab.terms.len() {
            return Err(Error::Vocab {
                terms: vocab.terms.len(),
                kinds: vocab.kinds.len(),
            });
        }
        if vocab.len() as u64 >= FIRST_SENTINEL as u64 {
            return Err(Error::TooLarge {
                what: "vocabulary terms",
                count: vocab.len() as u64,
            });
        }
        let total: u64 = seg
            .docs
            .iter()
            .map(|d| d.tokens.len() as u64 + 1)
            .sum::<u64>()
            + 1;
        if total >= FIRST_SENTINEL as u64 {
            return Err(Error::TooLarge {
                what: "tokens",
                count: total,
            });
        }
        let kinds = &vocab.kinds;
        let classes = kinds
            .iter()
            .map(|k| match k {
                TokenKind::Word | TokenKind::Number => Class::Word,
                TokenKind::Enum => Class::Enum,
                _ => Class::Symbol,
            })
            .collect();
        let mut text = Vec::with_capacity(total as usize);
        let mut doc_starts = Vec::with_capacity(seg.docs.len());
        text.push(HARD);
        for (d, doc) in seg.docs.iter().enumerate() {
            doc_starts.push(text.len() as u32);
            for &id in &doc.tokens {
                let kind = kinds.get(id as usize).ok_or_else(|| Error::UnknownToken {
                    doc: seg
                        .documents
                        .get(d)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                    id,
                    vocab: vocab.len(),
                })?;
                text.push(match kind {
                    TokenKind::Clause | TokenKind::Sentence => HARD,
                    TokenKind::Open => OPEN,
                    TokenKind::Close => CLOSE,
                    _ => id,
                });
            }
            text.push(HARD);
        }
        Ok(Stream {
            text,
            doc_starts,
            classes,
        })
    }

    /// Class of a non-sentinel token.
    #[inline]
    pub fn class(&self, t: u32) -> Class {
        self.classes[t as usize]
    }

    /// The report holding stream position `pos`.
    #[inline]
    pub fn doc_of(&self, pos: u32) -> u32 {
        (self.doc_starts.partition_point(|&s| s <= pos) - 1) as u32
    }

    /// Length of the common prefix of the suffixes at `a` and `b`, stopping at the first
    /// sentinel and at `max_len`.
    #[inline]
    pub fn lcp(&self, a: u32, b: u32, max_len: u32) -> u32 {
        let t = &self.text;
        let (a, b) = (a as usize, b as usize);
        let mut k = 0usize;
        // The stream ends with a sentinel, so the scan stops before running off its end.
        while (k as u32) < max_len && t[a + k] == t[b + k] && !is_sentinel(t[a + k]) {
            k += 1;
        }
        k as u32
    }

    /// Order of two suffixes that share their first `from` tokens: by tokens up to the first
    /// sentinel (a sentinel sorts before every token) and at most `max_len` of them, then by
    /// position.
    #[inline]
    fn cmp_from(&self, a: u32, b: u32, from: usize, max_len: u32) -> Ordering {
        let t = &self.text;
        let (ia, ib) = (a as usize, b as usize);
        let mut k = from;
        while k < max_len as usize {
            let (x, y) = (t[ia + k], t[ib + k]);
            match (is_sentinel(x), is_sentinel(y)) {
                (true, true) => break,
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                (false, false) if x != y => return x.cmp(&y),
                _ => k += 1,
            }
        }
        a.cmp(&b)
    }

    /// Number of phrase starts of each token id (0 for `、`, which starts no phrase).
    pub fn bucket_sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0usize; self.classes.len()];
        for &x in &self.text {
            if !is_sentinel(x) && self.class(x) != Class::Enum {
                sizes[x as usize] += 1;
            }
        }
        sizes
    }

    /// Splits the token ids into ranges `lo..hi` whose phrase starts are processed together,
    /// about `pass_size` suffixes each (a single bigger bucket gets a pass of its own). The
    /// ranges depend only on the data, so the output never depends on the thread count.
    pub fn plan_passes(sizes: &[usize], pass_size: usize) -> Vec<(u32, u32)> {
        let mut passes = Vec::new();
        let mut lo = 0usize;
        let mut n = 0usize;
        for (id, &size) in sizes.iter().enumerate() {
            if n > 0 && n + size > pass_size {
                passes.push((lo as u32, id as u32));
                lo = id;
                n = 0;
            }
            n += size;
        }
        if n > 0 {
            passes.push((lo as u32, sizes.len() as u32));
        }
        passes
    }

    /// Sorts the suffixes whose first token is in `lo..hi` (see [`Pass`]).
    pub fn pass(&self, lo: u32, hi: u32, sizes: &[usize], max_len: u32) -> Pass {
        let (lo, hi) = (lo as usize, hi as usize);
        let mut start = vec![0usize; hi - lo + 1];
        for id in lo..hi {
            start[id - lo + 1] = start[id - lo] + sizes[id];
        }
        let n = start[hi - lo];
        let mut sa = vec![0u32; n];
        let mut next = start.clone();
        for (pos, &x) in self.text.iter().enumerate() {
            let id = x as usize;
            if !is_sentinel(x) && id >= lo && id < hi && self.class(x) != Class::Enum {
                sa[next[id - lo]] = pos as u32;
                next[id - lo] += 1;
            }
        }
        drop(next);
        let mut bounds: Vec<usize> = vec![0];
        for w in start.windows(2) {
            if w[1] > w[0] {
                bounds.push(w[1]);
            }
        }
        let mut lcp = vec![0u32; n];
        let mut after = vec![HARD; n];
        let mut left = vec![HARD; n];
        {
            let mut parts = Vec::with_capacity(bounds.len());
            let (mut a, mut b, mut c, mut d) = (
                sa.as_mut_slice(),
                lcp.as_mut_slice(),
                after.as_mut_slice(),
                left.as_mut_slice(),
            );
            for w in bounds.windows(2) {
                let m = w[1] - w[0];
                let (a0, a1) = a.split_at_mut(m);
                let (b0, b1) = b.split_at_mut(m);
                let (c0, c1) = c.split_at_mut(m);
                let (d0, d1) = d.split_at_mut(m);
                parts.push((a0, b0, c0, d0));
                (a, b, c, d) = (a1, b1, c1, d1);
            }
            parts
                .into_par_iter()
                .for_each(|(sa, lcp, after, left)| self.sort_bucket(sa, lcp, after, left, max_len));
        }
        Pass {
            sa,
            lcp,
            after,
            left,
            bounds,
        }
    }

    /// Sorts one bucket of suffixes that share their first token, and fills in their LCP with
    /// the suffix before (0 for the first), the token after that common prefix and the token
    /// before the suffix. The next two tokens are read once into a packed key, together with the
    /// token before, so most of the sort and most LCPs need no further reads of the stream; only
    /// suffixes with equal keys are compared further.
    fn sort_bucket(
        &self,
        bucket: &mut [u32],
        lcp: &mut [u32],
        after: &mut [u32],
        left: &mut [u32],
        max_len: u32,
    ) {
        let t = &self.text;
        // A sentinel becomes 0 and ends the key, so keys order like the capped suffixes.
        let rank = |x: u32| if is_sentinel(x) { 0u64 } else { x as u64 + 1 };
        let unrank = |r: u64| if r == 0 { HARD } else { (r - 1) as u32 };
        let key = |p: u32| {
            let p = p as usize;
            let a = if max_len < 2 { 0 } else { rank(t[p + 1]) };
            let b = if a == 0 || max_len < 3 {
                0
            } else {
                rank(t[p + 2])
            };
            (a << 32) | b
        };
        let mut keyed: Vec<(u64, u32, u32)> = bucket
            .iter()
            .map(|&p| (key(p), p, t[p as usize - 1]))
            .collect();
        if keyed.len() >= PAR_SORT_MIN {
            keyed.par_sort_unstable();
        } else {
            keyed.sort_unstable();
        }
        // Runs of equal keys whose two tokens are both real are ordered by the tokens after.
        let mut i = 0;
        while i < keyed.len() {
            let mut j = i + 1;
            while j < keyed.len() && keyed[j].0 == keyed[i].0 {
                j += 1;
            }
            let k = keyed[i].0;
            if j - i > 1 && k >> 32 != 0 && k & 0xffff_ffff != 0 && max_len > 3 {
                let run = &mut keyed[i..j];
                let cmp =
                    |a: &(u64, u32, u32), b: &(u64, u32, u32)| self.cmp_from(a.1, b.1, 3, max_len);
                if run.len() >= PAR_SORT_MIN {
                    run.par_sort_unstable_by(cmp);
                } else {
                    run.sort_unstable_by(cmp);
                }
            }
            i = j;
        }
        for (i, &(k, p, l)) in keyed.iter().enumerate() {
            bucket[i] = p;
            left[i] = l;
            if i == 0 {
                lcp[i] = 0;
                continue;
            }
            let prev = keyed[i - 1].0;
            let (h, x) = if k >> 32 != prev >> 32 || k >> 32 == 0 {
                (1, unrank(k >> 32))
            } else if k & 0xffff_ffff != prev & 0xffff_ffff || k & 0xffff_ffff == 0 {
                (2, unrank(k & 0xffff_ffff))
            } else {
                let q = keyed[i - 1].1;
                let h = 3 + self.lcp(p + 3, q + 3, max_len.saturating_sub(3));
                (h, t[p as usize + h as usize])
            };
            // At the cap the token after is never used; the stream may not reach that far.
            if h >= max_len {
                lcp[i] = max_len;
                after[i] = HARD;
            } else {
                lcp[i] = h;
                after[i] = x;
            }
        }
    }
}

/// The sorted suffixes of one pass, with per suffix (in array order): its LCP with the suffix
/// before (0 at the start of each first-token bucket), the token that follows that common
/// prefix ([`HARD`] for any sentinel, and unused at the length cap), and the token before it.
pub(crate) struct Pass {
    /// Stream positions in suffix order.
    pub sa: Vec<u32>,
    /// LCP with the previous suffix.
    pub lcp: Vec<u32>,
    /// Token after the common prefix with the previous suffix.
    pub after: Vec<u32>,
    /// Token before the suffix.
    pub left: Vec<u32>,
    /// Bucket boundaries: bucket `i` is `bounds[i]..bounds[i + 1]`.
    pub bounds: Vec<usize>,
}
