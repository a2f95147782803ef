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

    /// The suffix array of phrase starts, and the bucket boundaries (suffixes with the same
    /// first token are `sa[bounds[i]..bounds[i + 1]]`).
    pub fn suffix_array(&self, max_len: u32) -> (Vec<u32>, Vec<usize>) {
        let t = &self.text;
        let mut counts = vec![0usize; self.classes.len() + 1];
        for &x in t {
            if !is_sentinel(x) && self.class(x) != Class::Enum {
                counts[x as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let n = *counts.last().unwrap_or(&0);
        let mut sa = vec![0u32; n];
        let mut next = counts.clone();
        for (pos, &x) in t.iter().enumerate() {
            if !is_sentinel(x) && self.class(x) != Class::Enum {
                sa[next[x as usize]] = pos as u32;
                next[x as usize] += 1;
            }
        }
        // Non-empty buckets only; each is sorted independently from its second token on.
        let mut bounds: Vec<usize> = Vec::new();
        bounds.push(0);
        for w in counts.windows(2) {
            if w[1] > w[0] {
                bounds.push(w[1]);
            }
        }
        let mut slices: Vec<&mut [u32]> = Vec::with_capacity(bounds.len());
        let mut rest: &mut [u32] = &mut sa;
        for w in bounds.windows(2) {
            let (head, tail) = rest.split_at_mut(w[1] - w[0]);
            slices.push(head);
            rest = tail;
        }
        slices.into_par_iter().for_each(|bucket| {
            let cmp = |a: &u32, b: &u32| self.cmp_from(*a, *b, 1, max_len);
            if bucket.len() >= PAR_SORT_MIN {
                bucket.par_sort_unstable_by(cmp);
            } else {
                bucket.sort_unstable_by(cmp);
            }
        });
        (sa, bounds)
    }
}
