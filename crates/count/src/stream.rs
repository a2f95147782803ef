//! The corpus as one flat token stream, and its suffix array.
//!
//! Every report's token ids are laid end to end in one `Vec<u32>`, with a sentinel before the
//! first report, after every report, and in place of every token that no phrase may contain
//! (clause and sentence marks, brackets). Sentinels never match anything, so no common prefix
//! of two suffixes — and so no counted phrase — crosses one. Quotation and title marks
//! ([`tifa_core::text::Quote`]) are left out of the stream, so that phrases run across them, and
//! remembered per position in two bit sets: where an opening mark and where a closing mark
//! stood just before a position. The walk reads them to treat a mark as a boundary of an
//! occurrence (for branching entropy) and to count quoted occurrences.
//!
//! The suffix array holds only the positions where a phrase may start (not a sentinel, not
//! `、`), ordered by the tokens up to the first sentinel, at most `max_len` of them, with ties
//! broken by position. That is all the order the phrase statistics need: two suffixes that agree
//! up to a sentinel share no longer phrase. So instead of a general suffix sorter (SA-IS,
//! libsais) it is a bucket sort by first token, then, per bucket, a sort of 128-bit keys that pack
//! the next tokens at the vocabulary's bit width, read once in text order; only suffixes with
//! equal full keys (long verbatim repeats) are compared further in the stream. The LCP of
//! neighbours falls out of the keys, and so does the token after a shared prefix when the walk
//! needs it. Suffixes are sorted in passes by
//! first token to bound memory; the result is the same whatever the number of threads.

use std::borrow::Cow;
use std::cmp::Ordering;

use rayon::prelude::*;
use tifa_core::text::{quote_term, Quote};
use tifa_core::{DocInfo, SegDoc, TokenKind, Vocab};

use crate::Error;

/// Sentinel for a hard boundary or a report edge.
pub(crate) const HARD: u32 = u32::MAX;
/// Sentinel for an opening bracket.
pub(crate) const OPEN: u32 = u32::MAX - 1;
/// Sentinel for a closing bracket.
pub(crate) const CLOSE: u32 = u32::MAX - 2;
/// The smallest sentinel value; token ids must stay below it.
pub(crate) const FIRST_SENTINEL: u32 = CLOSE;

/// A pass's suffixes are gathered from the stream by this many parallel scans.
const FILL_PARTS: usize = 2;

/// Fewest reports per run laid out into the stream by one thread (see `lay_out_wave`).
const BUILD_MIN_REPORTS: usize = 64;

/// The reports are laid out into the stream in about this many waves (see [`Stream::build`]).
const BUILD_WAVES: usize = 4;

/// Fewest tokens in a wave of reports laid out into the stream.
const BUILD_MIN_WAVE: usize = 1 << 22;

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
    /// Positions with an opening quotation mark just before them, one bit each (empty when the
    /// corpus has no quotation marks).
    opened: Vec<u64>,
    /// Positions with a closing quotation mark just before them, likewise.
    closed: Vec<u64>,
    /// Positions from which a number follows within [`NUMBER_REACH`] tokens, before a boundary
    /// (empty when the corpus has no numbers).
    numbers: Vec<u64>,
}

/// How many tokens from the end of an occurrence a number may lie for the occurrence to count
/// as followed by a number (地区生产总值 / 增长 / 5.2: two).
const NUMBER_REACH: usize = 3;

/// The positions of `text` from which a number token follows within [`NUMBER_REACH`] tokens,
/// before a sentinel, as a bit set; empty when the vocabulary has no numbers. Each 64 positions
/// are one independent piece of work, so the set is made on all threads.
fn number_bits(text: &[u32], kinds: &[TokenKind]) -> Vec<u64> {
    if !kinds.contains(&TokenKind::Number) {
        return Vec::new();
    }
    let is_number = |t: u32| !is_sentinel(t) && kinds.get(t as usize) == Some(&TokenKind::Number);
    (0..text.len().div_ceil(64))
        .into_par_iter()
        .with_min_len(1024)
        .map(|w| {
            let mut bits = 0u64;
            for i in 0..64 {
                let p = w * 64 + i;
                let reach = text
                    .get(p..(p + NUMBER_REACH).min(text.len()))
                    .unwrap_or(&[]);
                for &t in reach {
                    if is_number(t) {
                        bits |= 1 << i;
                        break;
                    }
                    if is_sentinel(t) {
                        break;
                    }
                }
            }
            bits
        })
        .collect()
}

/// Bit `pos` of a bit set (false beyond its end).
#[inline]
fn bit(set: &[u64], pos: usize) -> bool {
    set.get(pos / 64).is_some_and(|w| w >> (pos % 64) & 1 == 1)
}

/// Lays the reports `streams` out into their `places` in the stream (which start at
/// `starts`): the sentinels stand in for the boundary tokens and the quotation marks are left
/// out. The reports are cut into one run of whole reports per tally in `tallies`, of about
/// equal numbers of `tokens`, laid out on all threads; each run adds its reports' ids to its
/// own tally, which lives from wave to wave, so the waves add no tallies the size of the
/// vocabulary to make and sum. Returns the stream positions that a
/// quotation mark stands just before, with the mark, or the index of the first report (in
/// `streams`) with an id the vocabulary does not have, whatever the threads.
fn lay_out_wave(
    streams: &[SegDoc],
    tokens: &[usize],
    places: Vec<&mut [u32]>,
    starts: &[u32],
    tallies: &mut [Vec<u64>],
    quotes: &[Option<Quote>],
    kinds: &[TokenKind],
) -> Result<Vec<(u32, Quote)>, usize> {
    let total: usize = tokens.iter().sum();
    let mut runs = Vec::with_capacity(tallies.len());
    let mut places = places.into_iter();
    let (mut from, mut acc) = (0, 0);
    for k in 1..=tallies.len() {
        let mut to = from;
        while to < streams.len() && (k == tallies.len() || acc * tallies.len() < total * k) {
            acc += tokens[to];
            to += 1;
        }
        let run: Vec<&mut [u32]> = places.by_ref().take(to - from).collect();
        runs.push((from, to, run));
        from = to;
    }
    let found: Vec<Result<Vec<(u32, Quote)>, usize>> = runs
        .into_par_iter()
        .zip(tallies.par_iter_mut())
        .map(|((from, to, run), tf)| {
            let mut marks = Vec::new();
            for (d, (doc, place)) in streams[from..to].iter().zip(run).enumerate() {
                let start = starts[from + d];
                let mut at = 0usize;
                for &id in &doc.tokens {
                    let Some(kind) = kinds.get(id as usize) else {
                        return Err(from + d);
                    };
                    tf[id as usize] += 1;
                    if let Some(Some(q)) = quotes.get(id as usize) {
                        marks.push((start + at as u32, *q));
                        continue;
                    }
                    place[at] = match kind {
                        TokenKind::Clause | TokenKind::Sentence => HARD,
                        TokenKind::Open => OPEN,
                        TokenKind::Close => CLOSE,
                        _ => id,
                    };
                    at += 1;
                }
                place[at] = HARD;
            }
            Ok(marks)
        })
        .collect();
    // The runs are in report order, so the first error is the first bad report.
    found.into_iter().try_fold(Vec::new(), |mut all, marks| {
        all.extend(marks?);
        Ok(all)
    })
}

impl Stream {
    /// Lays the token streams of the reports `docs` out as one stream, and counts the corpus
    /// frequency of every token id in the same read, on all threads. Checks every token id
    /// against the vocabulary, so later indexing cannot go out of bounds; an unknown id is
    /// reported in the first report (in corpus order) that has one.
    ///
    /// Given the token streams to own, it lets go of them wave by wave (about
    /// [`BUILD_WAVES`] waves of reports) as they are laid out, and returns the freed pages to
    /// the system, so that the stream and the reports' token streams, about as large, are not
    /// in memory whole together.
    pub fn build(
        streams: Cow<'_, [SegDoc]>,
        vocab: &Vocab,
        docs: &[DocInfo],
    ) -> Result<(Stream, Vec<u64>), Error> {
        Stream::build_in_waves(streams, vocab, docs, BUILD_MIN_WAVE)
    }

    /// [`Stream::build`] with waves of at least `min_wave` tokens (tests use tiny waves).
    fn build_in_waves(
        mut streams: Cow<'_, [SegDoc]>,
        vocab: &Vocab,
        docs: &[DocInfo],
        min_wave: usize,
    ) -> Result<(Stream, Vec<u64>), Error> {
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
        let total: u64 = streams
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
        // Which ids are quotation marks, left out of the stream.
        let quotes: Vec<Option<Quote>> = vocab
            .terms
            .iter()
            .zip(kinds)
            .map(|(term, kind)| match kind {
                TokenKind::Open | TokenKind::Close => quote_term(term),
                _ => None,
            })
            .collect();
        let any_quotes = quotes.iter().any(Option::is_some);
        // Each report's place in the stream: its tokens but the quotation marks, and a sentinel.
        let laid: Vec<usize> = if any_quotes {
            streams
                .par_iter()
                .with_min_len(BUILD_MIN_REPORTS)
                .map(|doc| {
                    let marks = doc
                        .tokens
                        .iter()
                        .filter(|&&id| quotes.get(id as usize).is_some_and(Option::is_some))
                        .count();
                    doc.tokens.len() - marks
                })
                .collect()
        } else {
            streams.iter().map(|d| d.tokens.len()).collect()
        };
        let total: u64 = laid.iter().map(|&n| n as u64 + 1).sum::<u64>() + 1;
        // Each report's tokens go to their own place in the stream, after a sentinel; the
        // reports are laid out and counted in parallel, in groups of whole reports. The stream
        // starts zeroed (fresh pages the system has not handed over yet), so the writing, where
        // its page faults happen, is shared by the threads too.
        let mut text = vec![0u32; total as usize];
        text[0] = HARD;
        let mut doc_starts = Vec::with_capacity(streams.len());
        let mut places = Vec::with_capacity(streams.len());
        let mut rest = &mut text[1..];
        for &n in &laid {
            doc_starts.push((total as usize - rest.len()) as u32);
            let (place, tail) = rest.split_at_mut(n + 1);
            places.push(place);
            rest = tail;
        }
        // Each wave is laid out in runs of reports, a few per thread so that a slow run does
        // not leave the other threads idle, each counting ids into a tally of its own; the
        // positions of the quotation marks are gathered and set in the bit sets afterwards.
        let parts = (4 * rayon::current_num_threads())
            .clamp(1, streams.len().div_ceil(BUILD_MIN_REPORTS).max(1));
        let mut tallies = vec![vec![0u64; kinds.len()]; parts];
        let mut marks: Vec<(u32, Quote)> = Vec::new();
        let n_tokens: usize = laid.iter().sum();
        let wave_tokens = (n_tokens / BUILD_WAVES).max(min_wave);
        let mut places = places.into_iter();
        let mut from = 0;
        while from < streams.len() {
            let mut to = from;
            let mut size = 0;
            while to < streams.len() && (to == from || size < wave_tokens) {
                size += laid[to];
                to += 1;
            }
            let wave: Vec<&mut [u32]> = places.by_ref().take(to - from).collect();
            let wave_marks = lay_out_wave(
                &streams[from..to],
                &laid[from..to],
                wave,
                &doc_starts[from..to],
                &mut tallies,
                &quotes,
                kinds,
            )
            .map_err(|bad| {
                let doc = &streams[from + bad];
                let id = doc
                    .tokens
                    .iter()
                    .copied()
                    .find(|&id| id as usize >= kinds.len())
                    .unwrap_or_default();
                Error::UnknownToken {
                    doc: docs
                        .get(from + bad)
                        .map(|x| x.id.clone())
                        .unwrap_or_default(),
                    id,
                    vocab: vocab.len(),
                }
            })?;
            marks.extend(wave_marks);
            if let Cow::Owned(owned) = &mut streams {
                owned[from..to]
                    .iter_mut()
                    .for_each(|d| *d = SegDoc::default());
                if to < owned.len() {
                    tifa_core::memory::give_back();
                }
            }
            from = to;
        }
        drop(places);
        drop(streams);
        let mut tallies = tallies.into_iter();
        let mut unigram_tf = tallies.next().unwrap_or_else(|| vec![0u64; kinds.len()]);
        for tf in tallies {
            unigram_tf.iter_mut().zip(&tf).for_each(|(x, y)| *x += y);
        }
        let (mut opened, mut closed) = (Vec::new(), Vec::new());
        if !marks.is_empty() {
            let words = (total as usize).div_ceil(64);
            opened = vec![0u64; words];
            closed = vec![0u64; words];
            for (pos, q) in marks {
                let set = match q {
                    Quote::Open => &mut opened,
                    Quote::Close => &mut closed,
                };
                set[pos as usize / 64] |= 1 << (pos % 64);
            }
        }
        let numbers = number_bits(&text, kinds);
        Ok((
            Stream {
                text,
                doc_starts,
                classes,
                opened,
                closed,
                numbers,
            },
            unigram_tf,
        ))
    }

    /// True when a quotation mark (opening or closing) stands just before stream position
    /// `pos`: an occurrence that starts at `pos`, or ends just before it, has a boundary there.
    #[inline]
    pub fn mark_before(&self, pos: usize) -> bool {
        !self.opened.is_empty() && (bit(&self.opened, pos) || bit(&self.closed, pos))
    }

    /// True when the corpus has numbers at all.
    #[inline]
    pub fn has_numbers(&self) -> bool {
        !self.numbers.is_empty()
    }

    /// True when a number follows within [`NUMBER_REACH`] tokens from stream position `pos`
    /// (that token included), before any boundary.
    #[inline]
    pub fn number_from(&self, pos: usize) -> bool {
        bit(&self.numbers, pos)
    }

    /// True when the corpus has quotation marks at all.
    #[inline]
    pub fn has_marks(&self) -> bool {
        !self.opened.is_empty()
    }

    /// True when an opening quotation mark stands just before stream position `pos`.
    #[inline]
    pub fn quoted_start(&self, pos: usize) -> bool {
        !self.opened.is_empty() && bit(&self.opened, pos)
    }

    /// True when the occurrence of `len` tokens at `pos` is quoted: an opening mark just before
    /// it, a closing mark just after it and none between (“四个意识”、坚定“四个自信” is not one
    /// quotation).
    #[inline]
    pub fn quoted(&self, pos: usize, len: usize) -> bool {
        !self.opened.is_empty()
            && bit(&self.opened, pos)
            && bit(&self.closed, pos + len)
            && (pos + 1..pos + len).all(|p| !self.mark_before(p))
    }

    /// Class of a non-sentinel token.
    #[inline]
    pub fn class(&self, t: u32) -> Class {
        self.classes[t as usize]
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

    /// Number of phrase starts of each token id, from the corpus frequencies `unigram_tf`:
    /// every occurrence of an id starts a suffix unless the id is `、` or stands for a sentinel.
    pub fn bucket_sizes(kinds: &[TokenKind], unigram_tf: &[u64]) -> Vec<usize> {
        kinds
            .iter()
            .zip(unigram_tf)
            .map(|(kind, &tf)| match kind {
                TokenKind::Clause
                | TokenKind::Sentence
                | TokenKind::Open
                | TokenKind::Close
                | TokenKind::Enum => 0,
                _ => tf as usize,
            })
            .collect()
    }

    /// Splits the token ids into ranges `lo..hi` whose phrase starts are processed together:
    /// as few passes as keep them at about `pass_size` suffixes, all of about the same size (a
    /// pass ends at the bucket boundary nearest its share), so that no small last pass pays for
    /// a whole scan of the stream and the largest pass, which sets the memory, is as small as it
    /// can be. A single bucket bigger than a share gets a pass of its own. The ranges depend
    /// only on the data, so the output never depends on the thread count.
    pub fn plan_passes(sizes: &[usize], pass_size: usize) -> Vec<(u32, u32)> {
        let total: usize = sizes.iter().sum();
        let count = total.div_ceil(pass_size.max(1)).max(1);
        // Pass `k` (from 1) should end after about `goal(k)` suffixes.
        let goal = |k: usize| (k * total).div_ceil(count);
        let mut passes = Vec::new();
        let (mut lo, mut start) = (0usize, 0usize);
        let mut k = 1;
        let mut acc = 0usize;
        for (id, &size) in sizes.iter().enumerate() {
            // Cut before this bucket when most of it lies beyond the goal.
            if size > 0 && acc > start && acc + size / 2 >= goal(k) {
                passes.push((lo as u32, id as u32));
                (lo, start) = (id, acc);
                while goal(k) <= acc + size / 2 {
                    k += 1;
                }
            }
            acc += size;
        }
        if acc > start {
            passes.push((lo as u32, sizes.len() as u32));
        }
        passes
    }

    /// Sorts the suffixes whose first token is in `lo..hi` (see [`Pass`]) into `pass`, whose
    /// buffers are reused from one pass to the next: refilling memory already touched is much
    /// cheaper than faulting in fresh pages for every pass.
    pub fn pass(&self, lo: u32, hi: u32, sizes: &[usize], max_len: u32, pass: &mut Pass) {
        let (lo, hi) = (lo as usize, hi as usize);
        let mut start = vec![0usize; hi - lo + 1];
        for id in lo..hi {
            start[id - lo + 1] = start[id - lo] + sizes[id];
        }
        let n = start[hi - lo];
        let bits = (u32::BITS - (self.classes.len() as u32).leading_zeros()).max(1);
        let slots = (128 / bits).min(max_len - 1) as usize;
        // Keys are read in text order, so the stream is read sequentially; only the writes into
        // the buckets are scattered. The pass's token range is cut into a fixed number of parts
        // of about equal size, each filled by its own scan of the stream in parallel; a bucket's
        // suffixes are in text order either way.
        let Pass {
            keyed,
            lcp,
            bounds,
            tokens,
            ..
        } = pass;
        refill(keyed, n, Suffix::default());
        let mut cuts = vec![lo];
        for id in lo..hi {
            if start[id - lo] * FILL_PARTS >= n * cuts.len() && id > *cuts.last().unwrap_or(&lo) {
                cuts.push(id);
            }
        }
        cuts.push(hi);
        let mut parts = Vec::with_capacity(cuts.len());
        let mut rest = keyed.as_mut_slice();
        for w in cuts.windows(2) {
            let (head, tail) = rest.split_at_mut(start[w[1] - lo] - start[w[0] - lo]);
            parts.push((w[0], w[1], head));
            rest = tail;
        }
        parts.into_par_iter().for_each(|(a, b, out)| {
            let mut next: Vec<usize> = (a..b).map(|id| start[id - lo] - start[a - lo]).collect();
            let (first, width) = (a as u32, (b - a) as u32);
            // Report by report, so each suffix learns its report without a search.
            for (doc, &from) in self.doc_starts.iter().enumerate() {
                let to = self
                    .doc_starts
                    .get(doc + 1)
                    .map_or(self.text.len(), |&s| s as usize);
                for pos in from as usize..to {
                    // One comparison tests the range: ids below it wrap around, and sentinels
                    // lie above every id. Most tokens fail it, so it is all the scan costs.
                    let r = self.text[pos].wrapping_sub(first);
                    if r < width && self.classes[(first + r) as usize] != Class::Enum {
                        out[next[r as usize]] = Suffix {
                            key: self.key(pos, bits, slots),
                            pos: pos as u32,
                            left: self.text[pos - 1],
                            doc: doc as u32,
                        };
                        next[r as usize] += 1;
                    }
                }
            }
        });
        bounds.clear();
        bounds.push(0);
        for w in start.windows(2) {
            if w[1] > w[0] {
                bounds.push(w[1]);
            }
        }
        refill(lcp, n, 0);
        {
            let mut parts = Vec::with_capacity(bounds.len());
            let (mut k, mut b) = (keyed.as_mut_slice(), lcp.as_mut_slice());
            for w in bounds.windows(2) {
                let m = w[1] - w[0];
                let (k0, k1) = k.split_at_mut(m);
                let (b0, b1) = b.split_at_mut(m);
                parts.push((k0, b0));
                (k, b) = (k1, b1);
            }
            parts
                .into_par_iter()
                .for_each(|(keyed, lcp)| self.sort_bucket(keyed, lcp, bits, slots, max_len));
        }
        tokens.clear();
        tokens.extend(
            bounds[..bounds.len() - 1]
                .iter()
                .map(|&b| self.text[keyed[b].pos as usize]),
        );
        pass.bits = bits;
        pass.slots = slots;
    }

    /// The tokens after the first of the suffix at `pos`, packed `bits` bits each into `slots`
    /// slots from the top, as token id + 1; a sentinel packs as 0 and ends the key, so keys
    /// order like the suffixes they stand for.
    #[inline]
    fn key(&self, pos: usize, bits: u32, slots: usize) -> u128 {
        let mut key = 0u128;
        for j in 0..slots {
            let x = self.text[pos + 1 + j];
            if is_sentinel(x) {
                break;
            }
            key |= (x as u128 + 1) << (128 - bits as usize * (j + 1));
        }
        key
    }

    /// Sorts one bucket of suffixes that share their first token, and fills in their LCP with
    /// the suffix before (0 for the first). The tokens after the first are packed into a 128-bit key, as many as
    /// fit at the vocabulary's bit width (a sentinel packs as 0 and ends the key), read together
    /// with the token before: that is one read of the stream per suffix, after which the sort
    /// and most LCPs run over contiguous memory. Only suffixes with equal full keys (long
    /// repeats) are compared further in the stream.
    fn sort_bucket(
        &self,
        keyed: &mut [Suffix],
        lcp: &mut [u32],
        bits: u32,
        slots: usize,
        max_len: u32,
    ) {
        let mask = (1u128 << bits) - 1;
        let slot = |key: u128, j: usize| (key >> (128 - bits as usize * (j + 1))) & mask;
        if keyed.len() >= PAR_SORT_MIN {
            keyed.par_sort_unstable();
        } else {
            keyed.sort_unstable();
        }
        // A key is full when its last slot holds a token: then the suffix goes on beyond it.
        let full = |key: u128| slots > 0 && slot(key, slots - 1) != 0;
        let from = 1 + slots;
        let mut i = 0;
        while i < keyed.len() {
            let mut j = i + 1;
            while j < keyed.len() && keyed[j].key == keyed[i].key {
                j += 1;
            }
            if j - i > 1 && full(keyed[i].key) && (from as u32) < max_len {
                let run = &mut keyed[i..j];
                let cmp = |a: &Suffix, b: &Suffix| self.cmp_from(a.pos, b.pos, from, max_len);
                if run.len() >= PAR_SORT_MIN {
                    run.par_sort_unstable_by(cmp);
                } else {
                    run.sort_unstable_by(cmp);
                }
            }
            i = j;
        }
        for i in 0..keyed.len() {
            if i == 0 {
                lcp[i] = 0;
                continue;
            }
            let (k, p) = (keyed[i].key, keyed[i].pos);
            let (prev, q) = (keyed[i - 1].key, keyed[i - 1].pos);
            let h = if k != prev {
                // Slots before the first difference hold equal tokens (a sentinel would zero
                // both keys from there on).
                1 + (k ^ prev).leading_zeros() / bits
            } else if !full(k) {
                1 + (0..slots).find(|&j| slot(k, j) == 0).unwrap_or(slots) as u32
            } else {
                from as u32 + self.lcp(p + from as u32, q + from as u32, max_len - from as u32)
            };
            lcp[i] = h.min(max_len);
        }
    }
}

/// Sets `v` to `n` copies of `x`, growing its allocation to exactly `n` when it is too small.
fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.reserve_exact(n);
    v.resize(n, x);
}

/// A suffix being sorted. Ordered by key, then position (which is unique), which is suffix
/// order; the report index fills what would be padding after the 128-bit key, so carrying it
/// costs no memory and spares the walk a search of the report starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Suffix {
    /// The tokens after the first (see [`Stream::key`]).
    pub key: u128,
    /// Stream position.
    pub pos: u32,
    /// The token before the suffix.
    pub left: u32,
    /// Index of the report the suffix lies in.
    pub doc: u32,
}

/// The sorted suffixes of one pass, with per suffix (in array order): its key, position, the
/// token before it and its report, and its LCP with the suffix before (0 at the start of each
/// first-token bucket). The token that follows a common prefix is not stored: it is read from
/// the key (or the stream) by [`Pass::token`].
#[derive(Default)]
pub(crate) struct Pass {
    /// The suffixes in suffix order.
    pub keyed: Vec<Suffix>,
    /// LCP with the previous suffix.
    pub lcp: Vec<u32>,
    /// Bucket boundaries: bucket `i` is `bounds[i]..bounds[i + 1]`.
    pub bounds: Vec<usize>,
    /// First token of each bucket.
    pub tokens: Vec<u32>,
    /// Bits per token in a key.
    pub bits: u32,
    /// Tokens in a key.
    pub slots: usize,
}

impl Pass {
    /// Token `j` (from 0) of suffix `i`, which must lie inside a prefix that suffix shares with
    /// another or right after it (so no sentinel comes before it); a sentinel there reads as a
    /// sentinel ([`HARD`] when read from the key). Read from the key when it holds that token,
    /// so the walk rarely touches the stream.
    #[inline]
    pub fn token(&self, stream: &Stream, i: usize, j: usize) -> u32 {
        if j == 0 {
            let b = self.bounds.partition_point(|&x| x <= i) - 1;
            self.tokens[b]
        } else if j <= self.slots {
            let mask = (1u128 << self.bits) - 1;
            let r = (self.keyed[i].key >> (128 - self.bits as usize * j)) & mask;
            (r as u32).wrapping_sub(1)
        } else {
            stream.text[self.keyed[i].pos as usize + j]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Suffixes per pass of a plan.
    fn loads(sizes: &[usize], plan: &[(u32, u32)]) -> Vec<usize> {
        plan.iter()
            .map(|&(lo, hi)| sizes[lo as usize..hi as usize].iter().sum())
            .collect()
    }

    /// Reports of 0 to 6 tokens cycling through a word, a clause mark, another word and an
    /// opening quote; more of them than one thread lays out at a time.
    fn many_reports() -> (Vocab, Vec<SegDoc>, Vec<DocInfo>) {
        use TokenKind::*;
        let vocab = Vocab::new(
            ["甲", "，", "乙", "“"].map(String::from).to_vec(),
            vec![Word, Clause, Word, Open],
        );
        let streams: Vec<SegDoc> = (0..5 * BUILD_MIN_REPORTS)
            .map(|d| {
                let mut doc = SegDoc::default();
                doc.tokens = (0..d % 7).map(|i| ((d + i) % 4) as u32).collect();
                doc
            })
            .collect();
        let docs = (0..streams.len())
            .map(|d| DocInfo {
                id: format!("r{d}.txt"),
                ..DocInfo::default()
            })
            .collect();
        (vocab, streams, docs)
    }

    #[test]
    fn reports_laid_out_in_parallel_make_the_stream_in_order() {
        let (vocab, streams, docs) = many_reports();
        // One wave, borrowed; then waves of a few reports, owned and let go of wave by wave.
        let (stream, tf) = Stream::build(Cow::Borrowed(&streams), &vocab, &docs).unwrap();
        for min_wave in [1, 10, 200] {
            let (waved, waved_tf) =
                Stream::build_in_waves(Cow::Owned(streams.clone()), &vocab, &docs, min_wave)
                    .unwrap();
            assert_eq!(waved.text, stream.text, "waves of {min_wave} tokens");
            assert_eq!(waved.doc_starts, stream.doc_starts);
            assert_eq!(
                (&waved.opened, &waved.closed),
                (&stream.opened, &stream.closed)
            );
            assert_eq!(waved_tf, tf);
        }
        // The plain definition: one report after the other, each followed by a sentinel; a
        // clause mark is a sentinel, and the quotation mark is left out, remembered at the
        // position after it.
        let mut text = vec![HARD];
        let mut starts = Vec::new();
        let mut counts = vec![0u64; 4];
        let mut opened = Vec::new();
        for doc in &streams {
            starts.push(text.len() as u32);
            for &id in &doc.tokens {
                counts[id as usize] += 1;
                match id {
                    3 => opened.push(text.len()),
                    1 => text.push(HARD),
                    _ => text.push(id),
                }
            }
            text.push(HARD);
        }
        assert_eq!(stream.text, text);
        assert_eq!(stream.doc_starts, starts);
        assert_eq!(tf, counts);
        let marked: Vec<usize> = (0..text.len()).filter(|&p| stream.mark_before(p)).collect();
        opened.dedup();
        assert_eq!(marked, opened);
        assert!(opened.iter().all(|&p| stream.quoted_start(p)));
    }

    #[test]
    fn an_unknown_token_names_the_first_report_that_has_one() {
        let (vocab, mut streams, docs) = many_reports();
        // Two bad reports far apart, so different threads may find them: the earlier is named,
        // with its first unknown id.
        streams[4 * BUILD_MIN_REPORTS].tokens.push(77);
        streams[BUILD_MIN_REPORTS + 3].tokens.extend([99, 98]);
        for min_wave in [BUILD_MIN_WAVE, 1, 30] {
            match Stream::build_in_waves(Cow::Owned(streams.clone()), &vocab, &docs, min_wave) {
                Err(Error::UnknownToken { doc, id, vocab }) => {
                    assert_eq!((doc.as_str(), id, vocab), ("r67.txt", 99, 4));
                }
                other => panic!("expected an unknown token, got {:?}", other.map(|_| ())),
            }
        }
    }

    #[test]
    fn passes_cover_every_id_once_in_order() {
        let sizes = [3, 0, 5, 1, 0, 7, 2, 2, 0];
        for pass_size in [1, 2, 4, 6, 10, 100] {
            let plan = Stream::plan_passes(&sizes, pass_size);
            assert_eq!(plan.first().map(|p| p.0), Some(0));
            assert_eq!(plan.last().map(|p| p.1), Some(sizes.len() as u32));
            assert!(plan.windows(2).all(|w| w[0].1 == w[1].0 && w[0].0 < w[0].1));
            assert!(loads(&sizes, &plan).iter().all(|&n| n > 0));
        }
    }

    #[test]
    fn passes_are_balanced_with_no_small_last_pass() {
        // 18 suffixes in passes of at most about 4: five passes of three or four, where filling
        // each up to 4 would leave a last pass of two.
        let sizes = [1; 18];
        let plan = Stream::plan_passes(&sizes, 4);
        assert_eq!(loads(&sizes, &plan), [4, 4, 3, 4, 3]);
        // A bucket bigger than a share is a pass of its own.
        let sizes = [1, 1, 20, 1, 1, 1];
        assert_eq!(loads(&sizes, &Stream::plan_passes(&sizes, 5)), [2, 20, 3]);
    }
}
