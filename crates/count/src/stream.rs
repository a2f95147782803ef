//! The corpus as one flat token stream, and its suffix array.
//!
//! Every report's token ids are laid end to end, with a sentinel before the first report, after
//! every report, and in place of every token that no phrase may contain (clause and sentence
//! marks, brackets). Sentinels never match anything, so no common prefix of two suffixes — and
//! so no counted phrase — crosses one. Quotation and title marks ([`tifa_core::text::Quote`])
//! are left out of the stream, so that phrases run across them, and remembered per position in
//! bit sets (where an opening mark and where a closing mark stood just before a position, kept
//! side by side with where a number follows, [`Marks`]). The walk reads them to treat a mark as
//! a boundary of an occurrence (for branching entropy) and to count quoted occurrences, mostly
//! as gathered for each suffix of a pass once it is sorted ([`Near`]). The stream is kept in
//! memory, or under a memory budget in a scratch file (module `text`): a pass reads it once, in
//! order.
//!
//! The suffix array holds only the positions where a phrase may start (not a sentinel, not
//! `、`), ordered by the tokens up to the first sentinel, at most `max_len` of them, with ties
//! broken by position. That is all the order the phrase statistics need: two suffixes that agree
//! up to a sentinel share no longer phrase. So instead of a general suffix sorter (SA-IS,
//! libsais) it is a bucket sort by first token, then, per bucket, a sort of 128-bit keys that pack
//! the next tokens at the vocabulary's bit width, read once in text order. A suffix whose key is
//! full (no sentinel in it) also has its following tokens, up to the first sentinel or
//! `max_len`, copied aside in the same read (the pass's arena): only suffixes with equal full
//! keys (long verbatim repeats) are compared further, there. The LCP of neighbours falls out of
//! the keys and the arena, and so does the token after a shared prefix when the walk needs it,
//! so after the read the pass never touches the stream. Suffixes are sorted in passes by first
//! token to bound memory; the result is the same whatever the number of threads.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use rayon::prelude::*;
use tifa_core::text::{quote_term, Quote};
use tifa_core::{DocInfo, SegDoc, TokenKind, Vocab};

use crate::text::{Text, TextFile};
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

/// How suffixes are keyed: `bits` bits per token, `slots` tokens after the first in a key
/// (at least 1 bit, and at most `max_len - 1` slots), and phrases of at most `max_len` tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    pub bits: u32,
    pub slots: usize,
    pub max_len: u32,
}

impl Shape {
    /// The shape for a vocabulary of `terms` ids and phrases of at most `max_len` tokens.
    pub fn new(terms: usize, max_len: u32) -> Shape {
        let bits = (u32::BITS - (terms as u32).leading_zeros()).max(1);
        let slots = (128 / bits).min(max_len.max(1) - 1) as usize;
        Shape {
            bits,
            slots,
            max_len,
        }
    }

    /// The tokens after the first of the suffix at `w[i]`, packed `bits` bits each into
    /// `slots` slots from the top, as token id + 1; a sentinel packs as 0 and ends the key, so
    /// keys order like the suffixes they stand for.
    #[inline]
    fn key(self, w: &[u32], i: usize) -> u128 {
        let mut key = 0u128;
        for j in 0..self.slots {
            let x = w[i + 1 + j];
            if is_sentinel(x) {
                break;
            }
            key |= (x as u128 + 1) << (128 - self.bits as usize * (j + 1));
        }
        key
    }

    /// How many tokens [`Shape::extras`] gives for a suffix whose next sentinel lies `d` tokens
    /// on: none when it comes among the key's tokens, else those after the key up to it or to
    /// token `max_len`.
    #[inline]
    fn extras_len(self, d: usize) -> usize {
        if d > self.slots {
            d.min(self.max_len as usize) - self.slots
        } else {
            0
        }
    }

    /// The tokens of the suffix at `w[i]` that its key cannot hold and the pass may read: when
    /// no sentinel comes among the key's tokens, those from just after them up to the first
    /// sentinel (included) or to token `max_len` (the one after the longest phrase), whichever
    /// comes first; otherwise none. `w` must hold them (a stream ends with a sentinel).
    #[inline]
    fn extras(self, w: &[u32], i: usize) -> &[u32] {
        // Read up to the first sentinel only: the stream may end there.
        if (1..=self.slots).any(|j| is_sentinel(w[i + j])) {
            return &[];
        }
        let from = i + 1 + self.slots;
        let mut to = from;
        while to <= i + self.max_len as usize {
            to += 1;
            if is_sentinel(w[to - 1]) {
                break;
            }
        }
        &w[from..to]
    }
}

/// The flat token stream with its report boundaries and token classes.
pub(crate) struct Stream {
    /// Token ids and sentinels; starts and ends with [`HARD`].
    text: Text,
    /// Offset in the stream of each report's first token.
    pub doc_starts: Vec<u32>,
    /// Class of each vocabulary id.
    pub classes: Vec<Class>,
    /// How suffixes are keyed.
    pub shape: Shape,
    /// Tokens copied aside ([`Shape::extras`]) for the suffixes starting with each id: the
    /// room they take in a pass.
    pub extras: Vec<u64>,
    /// What stands just before, or follows, each position, 64 positions to an entry (empty
    /// when the corpus has neither quotation marks nor numbers).
    marks: Vec<Marks>,
    /// True when the corpus has quotation marks.
    any_marks: bool,
    /// True when the corpus has numbers.
    any_numbers: bool,
}

/// The bits of 64 stream positions, side by side. A pass reads all of them at each of its
/// suffixes, which lie all over the stream ([`Near`]): kept together they cost one cache line
/// a suffix, not one per bit set (on the 1 GB corpus, whose sets outgrow the cache, the
/// gathering took 0.17 s a pass instead of 0.29 s).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(32))]
struct Marks {
    /// A quotation mark, opening or closing, just before the position.
    marked: u64,
    /// An opening quotation mark just before the position.
    opened: u64,
    /// A closing quotation mark just before the position.
    closed: u64,
    /// A number follows within [`NUMBER_REACH`] tokens from the position, before a boundary.
    numbers: u64,
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

/// Sets in `set` the bits of `part`, a bit set of positions from `base` on.
fn or_shifted(set: &mut Vec<u64>, part: &[u64], base: usize) {
    // An empty part (a corpus without numbers) sets nothing and makes no room.
    if part.is_empty() {
        return;
    }
    let (w0, shift) = (base / 64, base % 64);
    if set.len() < w0 + part.len() + 1 {
        set.resize(w0 + part.len() + 1, 0);
    }
    for (i, &w) in part.iter().enumerate().filter(|(_, &w)| w != 0) {
        set[w0 + i] |= w << shift;
        if shift > 0 {
            set[w0 + i + 1] |= w >> (64 - shift);
        }
    }
}

/// Bit `pos` of the bit set `which` (false beyond its end).
#[inline]
fn bit(set: &[Marks], pos: usize, which: fn(&Marks) -> u64) -> bool {
    set.get(pos / 64)
        .is_some_and(|m| which(m) >> (pos % 64) & 1 == 1)
}

/// Bits `pos..pos + NEAR` of the bit set `which`, from the lowest (false beyond its end).
#[inline]
fn window(set: &[Marks], pos: usize, which: fn(&Marks) -> u64) -> u64 {
    let (w, s) = (pos / 64, pos % 64);
    let lo = set.get(w).map_or(0, |m| which(m) >> s);
    let hi = match s {
        0..=48 => 0,
        _ => set.get(w + 1).map_or(0, |m| which(m) << (64 - s)),
    };
    (lo | hi) & ((1 << NEAR) - 1)
}

/// How many positions from a suffix's start on [`Near`] holds.
pub(crate) const NEAR: usize = 16;

/// The position bit sets of a suffix's first [`NEAR`] positions, gathered once a pass is
/// sorted ([`Stream::pass`]). The walk reads them at every occurrence of a class, in suffix
/// order, which is all over the stream: read from the sets, each was a cache miss, and a
/// suffix is read in about two classes, several times in each. Bit `j` of each field stands
/// for position `pos + j` of the suffix at `pos`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Near {
    /// A quotation mark just before the position.
    marked: u16,
    /// An opening quotation mark just before the position.
    opened: u16,
    /// A closing quotation mark just before the position.
    closed: u16,
    /// A number within [`NUMBER_REACH`] tokens from the position.
    numbers: u16,
}

/// Bit `j` of a [`Near`] field, or, beyond it, `far()`.
#[inline]
fn near_or(bits: u16, j: usize, far: impl FnOnce() -> bool) -> bool {
    match j {
        j if j < NEAR => bits >> j & 1 == 1,
        _ => far(),
    }
}

/// What a run of reports adds up as it is laid out: the corpus frequency of each id, and the
/// tokens copied aside for the suffixes starting with each id ([`Stream::extras`]).
#[derive(Clone)]
struct Tally {
    tf: Vec<u64>,
    extras: Vec<u64>,
}

/// Lays the reports `streams` out into their `places` in the stream (which start at
/// `starts`): the sentinels stand in for the boundary tokens and the quotation marks are left
/// out. The reports are cut into one run of whole reports per tally in `tallies`, of about
/// equal numbers of `tokens`, laid out on all threads; each run adds to its own tally, which
/// lives from wave to wave, so the waves add no tallies the size of the vocabulary to make and
/// sum. Returns the stream positions that a quotation mark stands just before, with the mark,
/// or the index of the first report (in `streams`) with an id the vocabulary does not have,
/// whatever the threads.
#[allow(clippy::too_many_arguments)]
fn lay_out_wave(
    streams: &[SegDoc],
    tokens: &[usize],
    places: Vec<&mut [u32]>,
    starts: &[u32],
    tallies: &mut [Tally],
    quotes: &[Option<Quote>],
    kinds: &[TokenKind],
    classes: &[Class],
    shape: Shape,
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
        .map(|((from, to, run), tally)| {
            let mut marks = Vec::new();
            for (d, (doc, place)) in streams[from..to].iter().zip(run).enumerate() {
                let start = starts[from + d];
                let mut at = 0usize;
                for &id in &doc.tokens {
                    let Some(kind) = kinds.get(id as usize) else {
                        return Err(from + d);
                    };
                    tally.tf[id as usize] += 1;
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
                // Backwards, so the distance to the next sentinel is known at every position.
                let mut sentinel = at;
                for i in (0..at).rev() {
                    let t = place[i];
                    if is_sentinel(t) {
                        sentinel = i;
                    } else if classes[t as usize] != Class::Enum {
                        tally.extras[t as usize] += shape.extras_len(sentinel - i) as u64;
                    }
                }
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

/// Consecutive waves of whole reports, the reports of `tokens[i]` tokens each: each wave as
/// few reports as reach `wave` tokens, and at least one (the last may hold fewer).
pub(crate) fn waves(tokens: &[u64], wave: usize) -> Vec<Range<usize>> {
    let mut waves = Vec::new();
    let mut from = 0;
    while from < tokens.len() {
        let (mut to, mut size) = (from, 0);
        while to < tokens.len() && (to == from || size < wave) {
            size += tokens[to] as usize;
            to += 1;
        }
        waves.push(from..to);
        from = to;
    }
    waves
}

/// Where a stream is laid out to.
enum Sink {
    /// A vector of zeros as long as the stream can be, truncated at the end.
    Memory(Vec<u32>),
    /// A scratch file, each wave laid out in `buf` first.
    File { file: TextFile, buf: Vec<u32> },
}

/// A stream laid out wave by wave of reports ([`Builder::wave`]), in memory or to a file.
pub(crate) struct Builder<'v> {
    vocab: &'v Vocab,
    classes: Vec<Class>,
    /// Which ids are quotation marks, left out of the stream.
    quotes: Vec<Option<Quote>>,
    any_quotes: bool,
    shape: Shape,
    sink: Sink,
    /// Positions laid out so far.
    len: usize,
    doc_starts: Vec<u32>,
    tallies: Vec<Tally>,
    marks: Vec<(u32, Quote)>,
    numbers: Vec<u64>,
}

impl<'v> Builder<'v> {
    /// A stream of `reports` reports to come, cut into words of `vocab` and counted up to
    /// `max_len` tokens, laid out in memory (`room` tokens at most) or, with a folder, to a
    /// scratch file there. Checks the vocabulary.
    pub fn new(
        vocab: &'v Vocab,
        max_len: u32,
        reports: usize,
        room: usize,
        scratch: Option<&std::path::Path>,
    ) -> Result<Builder<'v>, Error> {
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
        let kinds = &vocab.kinds;
        let classes = kinds
            .iter()
            .map(|k| match k {
                TokenKind::Word | TokenKind::Number => Class::Word,
                TokenKind::Enum => Class::Enum,
                _ => Class::Symbol,
            })
            .collect();
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
        let mut sink = match scratch {
            // Zeroed pages the system has not handed over yet: the writing, where their page
            // faults happen, is shared by the threads.
            None => Sink::Memory(vec![0u32; room.max(1)]),
            Some(dir) => Sink::File {
                file: TextFile::new(dir)?,
                buf: Vec::new(),
            },
        };
        match &mut sink {
            Sink::Memory(text) => text[0] = HARD,
            Sink::File { file, .. } => file.write(&[HARD])?,
        }
        // A few runs per thread, so that a slow run does not leave the other threads idle.
        let parts =
            (4 * rayon::current_num_threads()).clamp(1, reports.div_ceil(BUILD_MIN_REPORTS).max(1));
        let tally = Tally {
            tf: vec![0; kinds.len()],
            extras: vec![0; kinds.len()],
        };
        Ok(Builder {
            vocab,
            classes,
            quotes,
            any_quotes,
            shape: Shape::new(kinds.len(), max_len),
            sink,
            len: 1,
            doc_starts: Vec::with_capacity(reports),
            tallies: vec![tally; parts],
            marks: Vec::new(),
            numbers: Vec::new(),
        })
    }

    /// Lays out the next reports, `streams`, whose entries are `docs` (for errors), and counts
    /// their ids, on all threads. Checks every token id against the vocabulary, so later
    /// indexing cannot go out of bounds; an unknown id is reported in the first report (in
    /// corpus order) that has one.
    pub fn wave(&mut self, streams: &[SegDoc], docs: &[DocInfo]) -> Result<(), Error> {
        let Builder {
            vocab,
            classes,
            quotes,
            any_quotes,
            shape,
            sink,
            len,
            doc_starts,
            tallies,
            marks,
            numbers,
        } = self;
        let kinds = &vocab.kinds;
        // Each report's place in the stream: its tokens but the quotation marks, and a sentinel.
        let laid: Vec<usize> = if *any_quotes {
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
        let size: usize = laid.iter().map(|&n| n + 1).sum();
        if (*len + size) as u64 >= FIRST_SENTINEL as u64 {
            return Err(Error::TooLarge {
                what: "tokens",
                count: (*len + size) as u64,
            });
        }
        let base = *len;
        let wave: &mut [u32] = match sink {
            Sink::Memory(text) => {
                if text.len() < base + size {
                    text.resize(base + size, 0);
                }
                &mut text[base..base + size]
            }
            Sink::File { buf, .. } => {
                buf.clear();
                buf.resize(size, 0);
                buf
            }
        };
        let mut starts = Vec::with_capacity(laid.len());
        let mut places = Vec::with_capacity(laid.len());
        let mut rest = &mut *wave;
        for &n in &laid {
            starts.push((base + size - rest.len()) as u32);
            let (place, tail) = rest.split_at_mut(n + 1);
            places.push(place);
            rest = tail;
        }
        let wave_marks = lay_out_wave(
            streams, &laid, places, &starts, tallies, quotes, kinds, classes, *shape,
        )
        .map_err(|bad| {
            let doc = &streams[bad];
            let id = doc
                .tokens
                .iter()
                .copied()
                .find(|&id| id as usize >= kinds.len())
                .unwrap_or_default();
            Error::UnknownToken {
                doc: docs.get(bad).map(|x| x.id.clone()).unwrap_or_default(),
                id,
                vocab: vocab.len(),
            }
        })?;
        marks.extend(wave_marks);
        doc_starts.extend(starts);
        // A wave ends with a report's sentinel, so no number is reached across it.
        or_shifted(numbers, &number_bits(wave, kinds), base);
        if let Sink::File { file, buf } = sink {
            file.write(buf)?;
        }
        *len += size;
        Ok(())
    }

    /// The stream, and the corpus frequency of every id.
    pub fn finish(self) -> Result<(Stream, Vec<u64>), Error> {
        let len = self.len;
        let text = match self.sink {
            Sink::Memory(mut text) => {
                text.truncate(len);
                Text::Memory(text)
            }
            Sink::File { file, .. } => file.finish()?,
        };
        let mut tallies = self.tallies.into_iter();
        let first = tallies.next();
        let (mut tf, mut extras) = first.map_or_else(
            || (vec![0; self.classes.len()], vec![0; self.classes.len()]),
            |t| (t.tf, t.extras),
        );
        for t in tallies {
            tf.iter_mut().zip(&t.tf).for_each(|(x, y)| *x += y);
            extras.iter_mut().zip(&t.extras).for_each(|(x, y)| *x += y);
        }
        let any_marks = !self.marks.is_empty();
        let any_numbers = self.vocab.kinds.contains(&TokenKind::Number);
        let mut marks = Vec::new();
        if any_marks || any_numbers {
            marks = vec![Marks::default(); len.div_ceil(64)];
            for (pos, q) in self.marks {
                let m = &mut marks[pos as usize / 64];
                let b = 1 << (pos % 64);
                m.marked |= b;
                match q {
                    Quote::Open => m.opened |= b,
                    Quote::Close => m.closed |= b,
                }
            }
            for (m, &w) in marks.iter_mut().zip(&self.numbers) {
                m.numbers = w;
            }
        }
        Ok((
            Stream {
                text,
                doc_starts: self.doc_starts,
                classes: self.classes,
                shape: self.shape,
                extras,
                marks,
                any_marks,
                any_numbers,
            },
            tf,
        ))
    }
}

impl Stream {
    /// Lays the token streams of the reports `docs` out as one stream in memory, for phrases of
    /// at most `max_len` tokens, and counts the corpus frequency of every token id in the same
    /// read, on all threads ([`Builder`]).
    ///
    /// Given the token streams to own, it lets go of them wave by wave (about
    /// [`BUILD_WAVES`] waves of reports) as they are laid out, and returns the freed pages to
    /// the system, so that the stream and the reports' token streams, about as large, are not
    /// in memory whole together.
    pub fn build(
        streams: Cow<'_, [SegDoc]>,
        vocab: &Vocab,
        docs: &[DocInfo],
        max_len: u32,
    ) -> Result<(Stream, Vec<u64>), Error> {
        Stream::build_in_waves(streams, vocab, docs, max_len, BUILD_MIN_WAVE)
    }

    /// [`Stream::build`] with waves of at least `min_wave` tokens (tests use tiny waves).
    fn build_in_waves(
        mut streams: Cow<'_, [SegDoc]>,
        vocab: &Vocab,
        docs: &[DocInfo],
        max_len: u32,
        min_wave: usize,
    ) -> Result<(Stream, Vec<u64>), Error> {
        let room: u64 = streams
            .iter()
            .map(|d| d.tokens.len() as u64 + 1)
            .sum::<u64>()
            + 1;
        if room >= FIRST_SENTINEL as u64 {
            return Err(Error::TooLarge {
                what: "tokens",
                count: room,
            });
        }
        let mut builder = Builder::new(vocab, max_len, streams.len(), room as usize, None)?;
        let tokens: Vec<u64> = streams.iter().map(|d| d.tokens.len() as u64).collect();
        let wave_tokens = (tokens.iter().sum::<u64>() as usize / BUILD_WAVES).max(min_wave);
        for range in waves(&tokens, wave_tokens) {
            builder.wave(
                &streams[range.clone()],
                docs.get(range.start..).unwrap_or(&[]),
            )?;
            if let Cow::Owned(owned) = &mut streams {
                owned[range.clone()]
                    .iter_mut()
                    .for_each(|d| *d = SegDoc::default());
                if range.end < owned.len() {
                    tifa_core::memory::give_back();
                }
            }
        }
        drop(streams);
        builder.finish()
    }

    /// True when a quotation mark (opening or closing) stands just before stream position
    /// `pos`: an occurrence that starts at `pos`, or ends just before it, has a boundary there.
    #[inline]
    pub fn mark_before(&self, pos: usize) -> bool {
        self.any_marks && bit(&self.marks, pos, |m| m.marked)
    }

    /// True when the corpus has numbers at all.
    #[inline]
    pub fn has_numbers(&self) -> bool {
        self.any_numbers
    }

    /// True when a number follows within [`NUMBER_REACH`] tokens from stream position `pos`
    /// (that token included), before any boundary.
    #[inline]
    pub fn number_from(&self, pos: usize) -> bool {
        bit(&self.marks, pos, |m| m.numbers)
    }

    /// True when the corpus has quotation marks at all.
    #[inline]
    pub fn has_marks(&self) -> bool {
        self.any_marks
    }

    /// True when an opening quotation mark stands just before stream position `pos`.
    #[inline]
    pub fn quoted_start(&self, pos: usize) -> bool {
        self.any_marks && bit(&self.marks, pos, |m| m.opened)
    }

    /// True when the occurrence of `len` tokens at `pos` is quoted: an opening mark just before
    /// it, a closing mark just after it and none between (“四个意识”、坚定“四个自信” is not one
    /// quotation).
    #[inline]
    pub fn quoted(&self, pos: usize, len: usize) -> bool {
        self.any_marks
            && bit(&self.marks, pos, |m| m.opened)
            && bit(&self.marks, pos + len, |m| m.closed)
            && (pos + 1..pos + len).all(|p| !self.mark_before(p))
    }

    /// The bits of the [`NEAR`] positions from `pos` on.
    #[inline]
    fn near(&self, pos: usize) -> Near {
        let bits = |which| window(&self.marks, pos, which) as u16;
        Near {
            marked: bits(|m| m.marked),
            opened: bits(|m| m.opened),
            closed: bits(|m| m.closed),
            numbers: bits(|m| m.numbers),
        }
    }

    /// [`Stream::mark_before`] at `j` tokens from the suffix at `pos`, whose [`Near`] is `near`.
    #[inline]
    pub fn mark_at(&self, near: Near, pos: usize, j: usize) -> bool {
        near_or(near.marked, j, || self.mark_before(pos + j))
    }

    /// [`Stream::quoted_start`] at `j` tokens from the suffix at `pos` (see [`Stream::mark_at`]).
    #[inline]
    pub fn open_at(&self, near: Near, pos: usize, j: usize) -> bool {
        near_or(near.opened, j, || self.quoted_start(pos + j))
    }

    /// [`Stream::number_from`] at `j` tokens from the suffix at `pos` (see [`Stream::mark_at`]).
    #[inline]
    pub fn number_at(&self, near: Near, pos: usize, j: usize) -> bool {
        near_or(near.numbers, j, || self.number_from(pos + j))
    }

    /// [`Stream::quoted`] for the first `len` tokens of the suffix at `pos` (see
    /// [`Stream::mark_at`]).
    #[inline]
    pub fn quoted_at(&self, near: Near, pos: usize, len: usize) -> bool {
        if len >= NEAR {
            return self.quoted(pos, len);
        }
        // Opened at 0, closed at `len`, no mark at 1..len.
        let inside = ((1u32 << len) - 1) as u16 & !1;
        near.opened & 1 == 1 && near.closed >> len & 1 == 1 && near.marked & inside == 0
    }

    /// Class of a non-sentinel token.
    #[inline]
    pub fn class(&self, t: u32) -> Class {
        self.classes[t as usize]
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
    pub fn pass(&self, lo: u32, hi: u32, sizes: &[usize], pass: &mut Pass) -> Result<(), Error> {
        let (lo, hi) = (lo as usize, hi as usize);
        let shape = self.shape;
        // Where each first token's suffixes, and the tokens copied aside for them, go.
        let mut start = vec![0usize; hi - lo + 1];
        let mut room = vec![0usize; hi - lo + 1];
        for id in lo..hi {
            start[id - lo + 1] = start[id - lo] + sizes[id];
            room[id - lo + 1] = room[id - lo] + self.extras[id] as usize;
        }
        let n = start[hi - lo];
        if room[hi - lo] > u32::MAX as usize {
            return Err(Error::TooLarge {
                what: "tokens after the keys of one pass's suffixes",
                count: room[hi - lo] as u64,
            });
        }
        let Pass {
            keyed,
            lcp,
            near,
            bounds,
            tokens,
            extras,
            ..
        } = pass;
        refill(keyed, n, Suffix::default());
        refill(extras, room[hi - lo], 0);
        // Keys are read in text order, so the stream is read sequentially; only the writes into
        // the buckets are scattered. The pass's token range is cut into a fixed number of parts
        // of about equal size, each filled by its own scan of the stream (or of each window of
        // it) in parallel; a bucket's suffixes are in text order either way.
        let mut cuts = vec![lo];
        for id in lo..hi {
            if start[id - lo] * FILL_PARTS >= n * cuts.len() && id > *cuts.last().unwrap_or(&lo) {
                cuts.push(id);
            }
        }
        cuts.push(hi);
        let mut parts = Vec::with_capacity(cuts.len());
        let (mut rest, mut rest_extras) = (keyed.as_mut_slice(), extras.as_mut_slice());
        for w in cuts.windows(2) {
            let (a, b) = (w[0] - lo, w[1] - lo);
            let (out, tail) = rest.split_at_mut(start[b] - start[a]);
            let (copied, tail_extras) = rest_extras.split_at_mut(room[b] - room[a]);
            parts.push(Fill {
                first: w[0] as u32,
                width: (w[1] - w[0]) as u32,
                next: (a..b).map(|k| start[k] - start[a]).collect(),
                next_extra: room[a..b].to_vec(),
                extras_from: room[a],
                out,
                extras: copied,
            });
            (rest, rest_extras) = (tail, tail_extras);
        }
        self.text
            .windows(shape.max_len as usize + 1, |w, base, range| {
                parts
                    .par_iter_mut()
                    .for_each(|part| part.scan(self, w, base, range.clone()));
            })?;
        drop(parts);
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
            let extras = extras.as_slice();
            parts
                .into_par_iter()
                .for_each(|(keyed, lcp)| sort_bucket(keyed, lcp, extras, shape));
        }
        // Gathered in suffix order: the loads are independent of each other, so they overlap,
        // where the walk, which needs them, would wait on each.
        refill(near, n, Near::default());
        if !self.marks.is_empty() {
            near.par_iter_mut()
                .zip(keyed.par_iter())
                .with_min_len(1 << 12)
                .for_each(|(near, x)| *near = self.near(x.pos as usize));
        }
        tokens.clear();
        tokens.extend((lo..hi).filter(|&id| sizes[id] > 0).map(|id| id as u32));
        pass.shape = shape;
        Ok(())
    }
}

/// One part of a pass's first tokens (`first..first + width`), with where its suffixes and the
/// tokens copied aside for them go.
struct Fill<'p> {
    first: u32,
    width: u32,
    /// Index in `out` of the next suffix of each first token.
    next: Vec<usize>,
    /// Offset in the pass's arena of the next tokens copied aside for each first token.
    next_extra: Vec<usize>,
    /// Offset in the pass's arena of `extras`.
    extras_from: usize,
    out: &'p mut [Suffix],
    extras: &'p mut [u32],
}

impl Fill<'_> {
    /// Gathers this part's suffixes at the positions `range` of the stream, whose tokens from
    /// position `base` on are `w`, report by report, so each suffix learns its report without
    /// a search.
    fn scan(&mut self, stream: &Stream, w: &[u32], base: usize, range: Range<usize>) {
        let starts = &stream.doc_starts;
        let shape = stream.shape;
        let mut doc = starts
            .partition_point(|&s| s as usize <= range.start)
            .saturating_sub(1);
        let mut from = range.start;
        while from < range.end {
            let to = starts
                .get(doc + 1)
                .map_or(range.end, |&s| (s as usize).min(range.end));
            for pos in from..to {
                let i = pos - base;
                // One comparison tests the range: ids below it wrap around, and sentinels lie
                // above every id. Most tokens fail it, so it is all the scan costs.
                let r = w[i].wrapping_sub(self.first);
                if r < self.width && stream.classes[w[i] as usize] != Class::Enum {
                    let r = r as usize;
                    let copied = shape.extras(w, i);
                    let at = self.next_extra[r];
                    self.extras[at - self.extras_from..at - self.extras_from + copied.len()]
                        .copy_from_slice(copied);
                    self.next_extra[r] += copied.len();
                    self.out[self.next[r]] = Suffix {
                        key: shape.key(w, i),
                        pos: pos as u32,
                        left: w[i - 1],
                        doc: doc as u32,
                        more: at as u32,
                    };
                    self.next[r] += 1;
                }
            }
            from = to;
            doc += 1;
        }
    }
}

/// Sorts one bucket of suffixes that share their first token, and fills in their LCP with the
/// suffix before (0 for the first). The sort and most LCPs run over the keys, in contiguous
/// memory; only suffixes with equal full keys (long repeats) are compared further, on the
/// tokens copied aside for them (`extras`).
fn sort_bucket(keyed: &mut [Suffix], lcp: &mut [u32], extras: &[u32], shape: Shape) {
    let Shape {
        bits,
        slots,
        max_len,
    } = shape;
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
    let beyond = (max_len as usize).saturating_sub(from);
    let mut i = 0;
    while i < keyed.len() {
        let mut j = i + 1;
        while j < keyed.len() && keyed[j].key == keyed[i].key {
            j += 1;
        }
        if j - i > 1 && full(keyed[i].key) && beyond > 0 {
            let run = &mut keyed[i..j];
            let cmp = |a: &Suffix, b: &Suffix| {
                cmp_extras(extras, a, b, beyond).then_with(|| a.pos.cmp(&b.pos))
            };
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
        let (k, prev) = (keyed[i].key, keyed[i - 1].key);
        let h = if k != prev {
            // Slots before the first difference hold equal tokens (a sentinel would zero
            // both keys from there on).
            1 + (k ^ prev).leading_zeros() / bits
        } else if !full(k) {
            1 + (0..slots).find(|&j| slot(k, j) == 0).unwrap_or(slots) as u32
        } else {
            from as u32 + lcp_extras(extras, &keyed[i], &keyed[i - 1], beyond)
        };
        lcp[i] = h.min(max_len);
    }
}

/// The tokens copied aside for suffix `x`, from the first after its key on.
#[inline]
fn copied<'a>(extras: &'a [u32], x: &Suffix) -> &'a [u32] {
    &extras[x.more as usize..]
}

/// Order of two suffixes with equal full keys by the tokens after them, at most `n` of them,
/// up to the first sentinel: a sentinel sorts before every token, and two end the comparison.
#[inline]
fn cmp_extras(extras: &[u32], a: &Suffix, b: &Suffix, n: usize) -> Ordering {
    let (x, y) = (copied(extras, a), copied(extras, b));
    for k in 0..n {
        match (is_sentinel(x[k]), is_sentinel(y[k])) {
            (true, true) => break,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) if x[k] != y[k] => return x[k].cmp(&y[k]),
            _ => {}
        }
    }
    Ordering::Equal
}

/// How many of the tokens after the equal full keys of two suffixes they share, at most `n`,
/// stopping at the first sentinel.
#[inline]
fn lcp_extras(extras: &[u32], a: &Suffix, b: &Suffix, n: usize) -> u32 {
    let (x, y) = (copied(extras, a), copied(extras, b));
    let mut k = 0;
    while k < n && x[k] == y[k] && !is_sentinel(x[k]) {
        k += 1;
    }
    k as u32
}

/// Sets `v` to `n` copies of `x`, growing its allocation to exactly `n` when it is too small.
fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.reserve_exact(n);
    v.resize(n, x);
}

/// A suffix being sorted. Ordered by key, then position (which is unique), which is suffix
/// order; the report index and the offset of its copied tokens fill what would be padding
/// after the 128-bit key, so carrying them costs no memory, and spares the walk a search of
/// the report starts and the stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Suffix {
    /// The tokens after the first (see [`Shape::key`]).
    pub key: u128,
    /// Stream position.
    pub pos: u32,
    /// The token before the suffix.
    pub left: u32,
    /// Index of the report the suffix lies in.
    pub doc: u32,
    /// Offset in the pass's arena of the tokens after the key ([`Shape::extras`]).
    pub more: u32,
}

/// The sorted suffixes of one pass, with per suffix (in array order): its key, position, the
/// token before it, its report and where the tokens after its key were copied, its LCP with
/// the suffix before (0 at the start of each first-token bucket), and the quotation marks and
/// numbers near it ([`Near`]). The token that follows
/// a common prefix is not stored: it is read from the key or the copied tokens by
/// [`Pass::token`].
#[derive(Default)]
pub(crate) struct Pass {
    /// The suffixes in suffix order.
    pub keyed: Vec<Suffix>,
    /// LCP with the previous suffix.
    pub lcp: Vec<u32>,
    /// The position bits near each suffix.
    pub near: Vec<Near>,
    /// Bucket boundaries: bucket `i` is `bounds[i]..bounds[i + 1]`.
    pub bounds: Vec<usize>,
    /// First token of each bucket.
    pub tokens: Vec<u32>,
    /// The tokens after the full keys, copied from the stream ([`Shape::extras`]).
    pub extras: Vec<u32>,
    /// How the keys are packed.
    pub shape: Shape,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape::new(0, 1)
    }
}

impl Pass {
    /// Token `j` (from 0) of suffix `i`, which must lie inside a prefix that suffix shares with
    /// another or right after it (so no sentinel comes before it); a sentinel there reads as a
    /// sentinel ([`HARD`] when read from the key).
    #[inline]
    pub fn token(&self, i: usize, j: usize) -> u32 {
        if j == 0 {
            let b = self.bounds.partition_point(|&x| x <= i) - 1;
            self.tokens[b]
        } else {
            self.after(&self.keyed[i], j)
        }
    }

    /// Token `j` (at least 1, at most `max_len`) of suffix `x` of this pass, on the terms of
    /// [`Pass::token`]: read from its key, or from the tokens copied after it.
    #[inline]
    pub fn after(&self, x: &Suffix, j: usize) -> u32 {
        let Shape { bits, slots, .. } = self.shape;
        if j <= slots {
            let mask = (1u128 << bits) - 1;
            let r = (x.key >> (128 - bits as usize * j)) & mask;
            (r as u32).wrapping_sub(1)
        } else {
            self.extras[x.more as usize + j - 1 - slots]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Stream {
        /// The whole stream, read through its windows.
        fn tokens(&self) -> Vec<u32> {
            let mut all = Vec::new();
            self.text
                .windows(0, |w, base, range| {
                    all.extend_from_slice(&w[range.start - base..range.end - base]);
                })
                .unwrap();
            all
        }
    }

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
    fn bits_near_a_suffix_read_as_the_bit_sets() {
        use TokenKind::*;
        let vocab = Vocab::new(
            ["甲", "“", "”", "5", "，"].map(String::from).to_vec(),
            vec![Word, Open, Close, Number, Clause],
        );
        // A pseudo-random mix, long enough that windows cross many 64-bit words.
        let mut x = 7u32;
        let streams: Vec<SegDoc> = (0..40)
            .map(|_| {
                let mut doc = SegDoc::default();
                doc.tokens = (0..97)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        [0, 0, 0, 1, 2, 3, 4][(x >> 16) as usize % 7]
                    })
                    .collect();
                doc
            })
            .collect();
        let docs = vec![DocInfo::default(); streams.len()];
        let (stream, _) = Stream::build(Cow::Borrowed(&streams), &vocab, &docs, 8).unwrap();
        let len = stream.tokens().len();
        assert!(stream.has_marks() && stream.has_numbers());
        let (mut marks, mut numbers) = (0, 0);
        for pos in 0..len {
            let near = stream.near(pos);
            for j in 0..NEAR + 8 {
                let p = pos + j;
                let near_bits = [
                    stream.mark_at(near, pos, j),
                    stream.open_at(near, pos, j),
                    stream.number_at(near, pos, j),
                    stream.quoted_at(near, pos, j),
                ];
                let sets = [
                    stream.mark_before(p),
                    stream.quoted_start(p),
                    stream.number_from(p),
                    stream.quoted(pos, j),
                ];
                assert_eq!(near_bits, sets, "{pos}+{j}");
                marks += usize::from(stream.mark_before(p));
                numbers += usize::from(stream.number_from(p));
            }
        }
        // The test means something: there are marks and numbers to find.
        assert!(marks > 100 && numbers > 100, "{marks} {numbers}");
    }

    #[test]
    fn reports_laid_out_in_parallel_make_the_stream_in_order() {
        let (vocab, streams, docs) = many_reports();
        // One wave, borrowed; then waves of a few reports, owned and let go of wave by wave.
        let (stream, tf) = Stream::build(Cow::Borrowed(&streams), &vocab, &docs, 4).unwrap();
        let same = |waved: &Stream, what: &str| {
            assert_eq!(waved.tokens(), stream.tokens(), "{what}");
            assert_eq!(waved.doc_starts, stream.doc_starts, "{what}");
            assert_eq!(
                (&waved.marks, waved.any_marks, waved.any_numbers),
                (&stream.marks, stream.any_marks, stream.any_numbers),
                "{what}"
            );
            assert_eq!(waved.extras, stream.extras, "{what}");
        };
        for min_wave in [1, 10, 200] {
            let (waved, waved_tf) =
                Stream::build_in_waves(Cow::Owned(streams.clone()), &vocab, &docs, 4, min_wave)
                    .unwrap();
            same(&waved, &format!("waves of {min_wave} tokens"));
            assert_eq!(waved_tf, tf);
        }
        // Laid out to a scratch file, in waves of every size.
        let dir = tempfile::tempdir().unwrap();
        for wave in [1, 7, streams.len()] {
            let mut b = Builder::new(&vocab, 4, streams.len(), 0, Some(dir.path())).unwrap();
            for (s, d) in streams.chunks(wave).zip(docs.chunks(wave)) {
                b.wave(s, d).unwrap();
            }
            let (filed, filed_tf) = b.finish().unwrap();
            assert!(matches!(filed.text, Text::File { .. }));
            same(&filed, &format!("a file in waves of {wave} reports"));
            assert_eq!(filed_tf, tf);
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
        assert_eq!(stream.tokens(), text);
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
            match Stream::build_in_waves(Cow::Owned(streams.clone()), &vocab, &docs, 9, min_wave) {
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
