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
//! chunks that are walked in parallel. The walk finds intervals bottom-up (children before their
//! parent), so each chunk's phrases are put in order afterwards by their first suffix and length
//! — the position of a phrase's interval in the suffix array is its place in token order — and
//! the chunks are concatenated in array order, which is token order, so the result is sorted and
//! the same for any number of threads.
//!
//! A chunk's phrases are written into flat arenas (token ids once per class, per-report counts
//! once per class) with a small fixed record per phrase, so the walk allocates nothing per
//! phrase or per interval.

use rayon::prelude::*;
use tifa_core::{Branching, PerDoc, Phrase, Phrases, PhrasesFull, Progress};

use crate::stream::{is_sentinel, Class, Near, Pass, Stream, Suffix};
use crate::Config;

/// Bounds of the number of suffixes per chunk of parallel work (whole buckets are added until a
/// chunk is big enough). Chunks are small on small inputs so that they too are split.
const CHUNK_MIN: usize = 64;
const CHUNK_MAX: usize = 1 << 16;

/// Chunks walked together, in parallel, while the phrases of the wave before are appended to
/// the output: the append is serial, and this keeps both it and the other cores busy and holds
/// only two waves of phrases outside the output at a time.
const WAVE: usize = 64;

/// Measures every stored phrase whose first token is in one pass and appends them, in order,
/// to `phrases`.
pub(crate) fn collect(
    stream: &Stream,
    pass: &Pass,
    config: &Config,
    progress: &dyn Progress,
    phrases: &mut Phrases,
) -> Result<(), PhrasesFull> {
    let n = pass.keyed.len();
    // Chunk limits depend only on the data, never on the thread count.
    let chunk = (n / 1024).clamp(CHUNK_MIN, CHUNK_MAX);
    let mut chunks: Vec<(usize, usize)> = Vec::new();
    let mut start = 0usize;
    for &b in pass.bounds.iter().skip(1) {
        if b - start >= chunk {
            chunks.push((start, b));
            start = b;
        }
    }
    if start < n {
        chunks.push((start, n));
    }
    let walk = |wave: &[(usize, usize)]| -> Vec<Found> {
        wave.par_iter()
            // The walker's dense counters are sized by the vocabulary; build one per rayon job,
            // not per chunk.
            .map_init(
                || Walker::new(stream, config),
                |walker, &(a, b)| {
                    walker.walk(Chunk {
                        pass,
                        start: a,
                        keyed: &pass.keyed[a..b],
                        lcp: &pass.lcp[a..b],
                        near: &pass.near[a..b],
                    });
                    progress.inc((b - a) as u64);
                    let mut found = std::mem::take(&mut walker.found);
                    found.items.sort_unstable_by_key(|x| x.order);
                    found
                },
            )
            .collect()
    };
    let mut push = |found: Vec<Found>| -> Result<(), PhrasesFull> {
        found.iter().try_for_each(|f| f.push_into(phrases))
    };
    let mut ready = Vec::new();
    for wave in chunks.chunks(WAVE) {
        let (pushed, next) = rayon::join(|| push(ready), || walk(wave));
        pushed?;
        ready = next;
    }
    push(ready)
}

/// The stored phrases of one chunk: token ids and per-report counts in flat arenas, shared by
/// the lengths of a class, and one [`Item`] per phrase.
#[derive(Default)]
pub(crate) struct Found {
    tokens: Vec<u32>,
    per_doc: Vec<(u32, u32)>,
    items: Vec<Item>,
}

/// One stored phrase of a [`Found`].
struct Item {
    /// Index of the first suffix of its interval in the pass, then its length: the phrase's
    /// place in token order.
    order: (usize, u32),
    /// Start of its tokens in the token arena (it has `order.1` of them).
    tokens: usize,
    /// Start of its per-report counts in that arena (it has `df` of them).
    per_doc: usize,
    tf: u32,
    df: u32,
    left: Branching,
    right: Branching,
    quoted: u32,
    numeric: u32,
    open_after: u32,
}

impl Found {
    /// Appends the phrases, in order, to `phrases`, straight from the chunk's arenas.
    pub fn push_into(&self, phrases: &mut Phrases) -> Result<(), PhrasesFull> {
        for x in &self.items {
            phrases.push(Phrase {
                tokens: &self.tokens[x.tokens..x.tokens + x.order.1 as usize],
                tf: x.tf,
                df: x.df,
                per_doc: PerDoc::plain(&self.per_doc[x.per_doc..x.per_doc + x.df as usize]),
                left: x.left,
                right: x.right,
                quoted: x.quoted,
                numeric: x.numeric,
                open_after: x.open_after,
            })?;
        }
        Ok(())
    }
}

/// A run of whole first-token buckets of a [`Pass`], from suffix `start` on.
#[derive(Clone, Copy)]
struct Chunk<'p> {
    pass: &'p Pass,
    start: usize,
    keyed: &'p [Suffix],
    lcp: &'p [u32],
    near: &'p [Near],
}

/// Walks one chunk of the suffix array, with scratch buffers reused across intervals.
struct Walker<'a> {
    stream: &'a Stream,
    config: &'a Config,
    /// Dense counters, indexed by report and by token id, and the indices touched in them, so
    /// that counting an interval costs its width and not a sort of it.
    doc_count: Tally,
    token_count: Tally,
    /// `(token, count)` pairs of word neighbours of the interval being measured.
    words: Vec<(u32, u32)>,
    /// The stack of open intervals of the walk, kept to reuse its memory.
    stack: Vec<(u32, usize)>,
    found: Found,
}

/// A dense counter that remembers which slots it touched, to read them out sorted and reset
/// only those.
struct Tally {
    count: Vec<u32>,
    touched: Vec<u32>,
}

impl Tally {
    fn new(size: usize) -> Tally {
        Tally {
            count: vec![0; size],
            touched: Vec::new(),
        }
    }

    #[inline]
    fn add(&mut self, i: u32) {
        let c = &mut self.count[i as usize];
        if *c == 0 {
            self.touched.push(i);
        }
        *c += 1;
    }

    /// Appends the `(slot, count)` pairs to `out` by slot, and empties the counter.
    fn drain_into(&mut self, out: &mut Vec<(u32, u32)>) {
        self.touched.sort_unstable();
        out.extend(
            self.touched
                .iter()
                .map(|&i| (i, std::mem::take(&mut self.count[i as usize]))),
        );
        self.touched.clear();
    }
}

impl<'a> Walker<'a> {
    fn new(stream: &'a Stream, config: &'a Config) -> Walker<'a> {
        Walker {
            stream,
            config,
            doc_count: Tally::new(stream.doc_starts.len()),
            token_count: Tally::new(stream.classes.len()),
            words: Vec::new(),
            stack: Vec::new(),
            found: Found::default(),
        }
    }

    /// Bottom-up traversal of the LCP intervals of `sa` (whose first suffix starts a new first
    /// token, so its LCP with the one before is 0).
    fn walk(&mut self, chunk: Chunk<'_>) {
        let lcp = chunk.lcp;
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push((0, 0));
        for i in 1..=lcp.len() {
            let cur = lcp.get(i).copied().unwrap_or(0);
            let mut lb = i - 1;
            while let Some(&(top, b)) = stack.last() {
                if cur >= top {
                    break;
                }
                stack.pop();
                let below = stack.last().map_or(0, |s| s.0);
                self.interval(chunk, b..i, top, cur.max(below));
                lb = b;
            }
            if cur > stack.last().map_or(0, |s| s.0) {
                stack.push((cur, lb));
            }
        }
        self.stack = stack;
    }

    /// Branching statistics of the left neighbours of `occ`, which are shared by every length
    /// of its class, and how many of the occurrences follow an opening quotation mark (only
    /// those can be quoted). A quotation mark just before an occurrence is a boundary.
    fn left(&mut self, occ: &[Suffix], near: &[Near]) -> (Branching, u32) {
        let s = self.stream;
        let mut boundary = 0u32;
        let mut opens = 0u32;
        for (x, &n) in occ.iter().zip(near) {
            let pos = x.pos as usize;
            opens += u32::from(s.open_at(n, pos, 0));
            if is_sentinel(x.left) || s.class(x.left) != Class::Word || s.mark_at(n, pos, 0) {
                boundary += 1;
            } else {
                self.token_count.add(x.left);
            }
        }
        self.words.clear();
        self.token_count.drain_into(&mut self.words);
        (branching(&self.words, boundary, occ.len() as u32), opens)
    }

    /// Measures the stored phrases of one interval: the suffixes `sa[range]` share their first
    /// `len` tokens, and the phrases of lengths `parent + 1 ..= len` occur exactly there.
    fn interval(&mut self, chunk: Chunk<'_>, range: std::ops::Range<usize>, len: u32, parent: u32) {
        let s = self.stream;
        let c = self.config;
        let occ = &chunk.keyed[range.clone()];
        let near = &chunk.near[range.clone()];
        // Each occurrence with the bits near it.
        let at_occ = || occ.iter().zip(near).map(|(x, &n)| (x.pos as usize, n));
        let tf = occ.len() as u32;
        // Tokens of the shared prefix (and the one after it), mostly from the first suffix's key.
        let at = chunk.start + range.start;
        let token = |j: u32| chunk.pass.token(at, j as usize);
        if tf < c.min_df {
            return;
        }
        // Left-closed: not every occurrence follows the same token that could extend it, with no
        // quotation mark between (an extension across a mark is not the same unit).
        let left_closed = {
            let l0 = occ[0].left;
            let extendable = !is_sentinel(l0) && s.class(l0) != Class::Enum;
            !extendable
                || occ.iter().any(|k| k.left != l0)
                || (s.has_marks() && at_occ().any(|(pos, n)| s.mark_at(n, pos, 0)))
        };
        // Cheap tests first, on data read in array order: a class with no short length whose
        // occurrences all extend to the left stores nothing, nor does a class in too few
        // reports. Only then is the stream read at the class's first occurrence.
        let has_short = parent < c.max_short;
        if !has_short && !left_closed && len < c.max_len {
            return;
        }
        // The per-report counts go straight into the arena, shared by the class's phrases, and
        // are taken back if none is stored.
        let per_doc = self.found.per_doc.len();
        for x in occ {
            self.doc_count.add(x.doc);
        }
        self.doc_count.drain_into(&mut self.found.per_doc);
        let df = (self.found.per_doc.len() - per_doc) as u32;
        if df < c.min_df {
            self.found.per_doc.truncate(per_doc);
            return;
        }
        // Which lengths of the class are stored. A phrase never ends with `、`. It is right-closed
        // when it is the whole shared prefix or the next shared token is `、` (a phrase cannot
        // end there, so no one-token extension to the right is a phrase).
        let valid = |k: u32| s.class(token(k - 1)) != Class::Enum;
        // A quotation mark after any occurrence also closes it on the right.
        let right_closed = |k: u32| {
            k == len
                || s.class(token(k)) == Class::Enum
                || (s.has_marks() && at_occ().any(|(pos, n)| s.mark_at(n, pos, k as usize)))
        };

        // The class's tokens, written once as far as its longest stored phrase needs.
        let tokens = self.found.tokens.len();
        let mut left = None;
        for k in parent + 1..=len {
            if !valid(k) {
                continue;
            }
            let short = k <= c.max_short;
            let closed = (left_closed || k == c.max_len) && right_closed(k);
            if !short && !closed {
                continue;
            }
            let (left, opens) = match left {
                Some(b) => b,
                None => *left.insert(self.left(occ, near)),
            };
            let right = if k < len {
                // Every occurrence is followed by the same token, across a quotation mark or not.
                let x = token(k);
                if s.class(x) == Class::Word {
                    let marked = at_occ()
                        .filter(|&(pos, n)| s.mark_at(n, pos, k as usize))
                        .count() as u32;
                    self.words.clear();
                    if marked < tf {
                        self.words.push((x, tf - marked));
                    }
                    branching(&self.words, marked, tf)
                } else {
                    branching(&[], tf, tf)
                }
            } else if len < c.max_len {
                // The occurrences are sorted by the token after the prefix, and an LCP equal to
                // `len` separates two groups, so one read per group gives the neighbours, in
                // token order (sentinels, which never match, come as groups of one).
                self.words.clear();
                let mut boundary = 0u32;
                let mut g = range.start;
                while g < range.end {
                    let mut h = g + 1;
                    while h < range.end && chunk.lcp[h] > len {
                        h += 1;
                    }
                    // The token after the prefix, mostly from the group's first key.
                    let x = chunk.pass.token(chunk.start + g, len as usize);
                    let n = (h - g) as u32;
                    if is_sentinel(x) || s.class(x) != Class::Word {
                        boundary += n;
                    } else {
                        // Occurrences with a quotation mark before the token after them end
                        // at a boundary.
                        let group = g - range.start..h - range.start;
                        let marked = occ[group.clone()]
                            .iter()
                            .zip(&near[group])
                            .filter(|&(o, &n)| s.mark_at(n, o.pos as usize, len as usize))
                            .count() as u32;
                        boundary += marked;
                        if marked < n {
                            self.words.push((x, n - marked));
                        }
                    }
                    g = h;
                }
                branching(&self.words, boundary, tf)
            } else {
                // At the length cap, suffixes were not ordered beyond it: count one by one.
                let mut boundary = 0u32;
                for (o, &n) in occ.iter().zip(near) {
                    let x = chunk.pass.after(o, k as usize);
                    if is_sentinel(x)
                        || s.class(x) != Class::Word
                        || s.mark_at(n, o.pos as usize, k as usize)
                    {
                        boundary += 1;
                    } else {
                        self.token_count.add(x);
                    }
                }
                self.words.clear();
                self.token_count.drain_into(&mut self.words);
                branching(&self.words, boundary, tf)
            };
            let quoted = if opens > 0 {
                at_occ()
                    .filter(|&(pos, n)| s.quoted_at(n, pos, k as usize))
                    .count() as u32
            } else {
                0
            };
            let numeric = if s.has_numbers() {
                at_occ()
                    .filter(|&(pos, n)| s.number_at(n, pos, k as usize))
                    .count() as u32
            } else {
                0
            };
            let open_after = if s.has_marks() {
                at_occ()
                    .filter(|&(pos, n)| s.open_at(n, pos, k as usize))
                    .count() as u32
            } else {
                0
            };
            for j in (self.found.tokens.len() - tokens) as u32..k {
                self.found.tokens.push(token(j));
            }
            self.found.items.push(Item {
                order: (at, k),
                tokens,
                per_doc,
                tf,
                df,
                left,
                right,
                quoted,
                numeric,
                open_after,
            });
        }
        if left.is_none() {
            self.found.per_doc.truncate(per_doc);
        }
    }
}

/// Branching statistics from the `(token, count)` pairs of the word neighbours, in token order,
/// and the number of boundary occurrences, each of which counts as a distinct neighbour of its
/// own in the entropy.
pub(crate) fn branching(words: &[(u32, u32)], boundary: u32, tf: u32) -> Branching {
    let total = tf as f64;
    let mut entropy = 0.0f64;
    // Most neighbours occur once, and they all contribute the same term: its logarithm is
    // taken once (the same operations, so the same bits).
    let once = {
        let p = 1.0 / total;
        p * p.ln()
    };
    for &(_, c) in words {
        if c == 1 {
            entropy -= once;
        } else {
            let p = c as f64 / total;
            entropy -= p * p.ln();
        }
    }
    if boundary > 0 {
        entropy += boundary as f64 / total * total.ln();
    }
    Branching {
        distinct: words.len() as u32,
        boundary,
        entropy: entropy.max(0.0) as f32,
    }
}
