//! Step 3a, part counts: the term frequency of both parts of every split of every candidate,
//! which cohesion needs. The parts are gathered, sorted and merged against the counted phrases
//! (sorted by tokens), which is far cheaper than a binary search over millions of phrases per
//! part. The suffixes the counts do not hold take their frequency from the longer suffixes of
//! their own phrases (`suffix_chains`), the prefixes of verb-led formulations from the counted
//! phrases that start with them (`led_prefixes`); only a part neither reaches goes through
//! [`crate::contain`], which reads every counted phrase.

use std::ops::Range;

use rayon::prelude::*;
use tifa_core::{Counts, Progress, TokenKind};

use crate::candidates::Candidate;
use crate::{contain, measures, shape, CHUNK};

/// Step 3a: the term frequencies of the parts of the splits of `pre`.
pub(crate) fn count<'a>(
    counts: &'a Counts,
    pre: &[Candidate],
    lexicon: &shape::Lexicon,
    progress: &dyn Progress,
) -> PartTf<'a> {
    let phrases = &counts.phrases;
    let n_phrases = phrases.len();
    // Term frequencies of both parts of every split. The parts are gathered, sorted and merged
    // against the counted phrases (sorted by tokens), which is far cheaper than a binary search
    // over millions of phrases per part.
    progress.start("compare: splits", pre.len() as u64);
    // Every part is a prefix (`true`) or a suffix of its phrase. Before deduplication there are
    // several per candidate, so they are gathered as places in the phrases' token arena, 8
    // bytes each instead of a slice and a flag in 24, and each chunk's are sorted and
    // deduplicated before they join the others, which lowers this phase's peak.
    let arena = phrases.token_arena();
    let order = |a: &Part, b: &Part| {
        arena[a.range()]
            .cmp(&arena[b.range()])
            .then(b.prefix().cmp(&a.prefix()))
    };
    let same = |a: &mut Part, b: &mut Part| arena[a.range()] == arena[b.range()];
    let mut parts: Vec<Part> = pre
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut out = Vec::new();
            for c in chunk {
                let r = phrases.token_range(c.index());
                // A phrase the counts hold only inside its verb-led form starts `skip` tokens
                // in, and is not closed on the left, so the prefix merge below does not hold
                // for its parts: they are looked up whole.
                let r = (r.start + c.skip as usize).min(r.end)..r.end;
                for (a, b) in splits(&arena[r.clone()], lexicon) {
                    for (x, prefix) in [(a, c.skip == 0), (b, false)] {
                        if x.len() > 1 {
                            out.push(Part::new(
                                (r.start + x.start) as u32,
                                x.len() as u32,
                                prefix,
                            ));
                        }
                    }
                }
            }
            out.sort_unstable_by(order);
            out.dedup_by(same);
            progress.inc(chunk.len() as u64);
            out
        })
        .collect();
    // Sorted and deduplicated, so the order is the same whatever the thread count; a part that
    // is the prefix of one phrase and the suffix of another counts as a prefix.
    parts.par_sort_unstable_by(order);
    parts.dedup_by(same);
    // A part the counts do not hold is a phrase that always occurs inside the same closed
    // phrase, which the counts do hold with the same term frequency (see `Counts`); every other
    // counted phrase that contains the part occurs at most as often. So its term frequency is
    // the largest among the counted phrases that contain it. For the prefix of a phrase that
    // passed maximality those all start with it: that phrase is closed on the left (a left
    // extension of the same frequency would have made it a fragment), so the part is too, and
    // its closed extension only grows to the right. The counted phrases that start with a part
    // follow it in sorted order, so one merge of the sorted parts with the counted phrases finds
    // both the parts the counts hold and the prefixes; each chunk of parts finds where it starts
    // by a binary search, so the merge runs on every thread.
    // Written in place, one chunk of parts per task, with no list of results to gather; a part
    // the counts do not hold is marked with a frequency no phrase can have (there are fewer
    // tokens than that), to be filled in below.
    let mut tf = vec![0u32; parts.len()];
    parts
        .par_chunks(CHUNK)
        .zip(tf.par_chunks_mut(CHUNK))
        .for_each(|(chunk, tf)| {
            let mut j = chunk
                .first()
                .map_or(n_phrases, |p| phrases.lower_bound(&arena[p.range()]));
            for (part, tf) in chunk.iter().zip(tf) {
                let w = &arena[part.range()];
                while j < n_phrases && phrases.tokens(j) < w {
                    j += 1;
                }
                let found = match phrases.get(j) {
                    Some(p) if p.tokens == w => Some(p.tf),
                    _ if part.prefix() => most_frequent_from(phrases, j, w),
                    _ => None,
                };
                *tf = found.unwrap_or(MISSING);
            }
        });
    progress.finish();
    // The suffix parts the counts do not hold, from the suffixes of their own phrases (see
    // `suffix_chains`); the few left, through an automaton.
    progress.start("compare: sub-phrase counts", pre.len() as u64);
    let mut part_tf = PartTf::new(arena, parts, tf);
    suffix_chains(counts, pre, lexicon, &mut part_tf, progress);
    let missing_at: Vec<u32> = (0..part_tf.tf.len() as u32)
        .filter(|&k| part_tf.tf[k as usize] == MISSING)
        .collect();
    if !missing_at.is_empty() {
        // The largest term frequency among the counted phrases that contain them, in one walk
        // over the counted phrases.
        let missing: Vec<&[u32]> = missing_at
            .iter()
            .map(|&k| &arena[part_tf.parts[k as usize].range()])
            .collect();
        let missing_tf = contain::max_containing(counts, &missing, &tifa_core::NoProgress);
        drop(missing);
        // The automaton was built on other threads, whose heaps the next steps do not reuse.
        tifa_core::memory::give_back();
        for (k, m) in missing_at.into_iter().zip(missing_tf) {
            part_tf.tf[k as usize] = m;
        }
    }
    progress.finish();
    part_tf
}

/// Step 3a: the cohesion of every candidate of `pre`, in its order: normalised PMI over the
/// weakest of its splits, from the term frequencies of both parts of every split ([`count`]).
/// Scoring needs nothing else from the parts, so they are made, used and let go of here, and
/// never held beside the scored units. A candidate's cohesion depends on its own parts only,
/// so the candidates are taken [`crate::GROUP`] at a time, each group's parts let go of before the
/// next group's are made: the parts of all candidates of a big corpus are hundreds of
/// megabytes. A part two groups share is counted in each.
pub(crate) fn cohesions(
    counts: &Counts,
    pre: &[Candidate],
    lexicon: &shape::Lexicon,
    progress: &dyn Progress,
) -> Vec<f64> {
    let mut cohesion = Vec::with_capacity(pre.len());
    for group in pre.chunks(crate::GROUP) {
        let part_tf = count(counts, group, lexicon, progress);
        progress.start("compare: cohesion", group.len() as u64);
        cohesion.par_extend(group.par_iter().map(|c| {
            progress.inc(1);
            cohesion_of(counts, c, &part_tf, lexicon)
        }));
        progress.finish();
    }
    cohesion
}

/// The cohesion of candidate `c`, the frequencies of whose parts `part_tf` holds.
fn cohesion_of(counts: &Counts, c: &Candidate, part_tf: &PartTf, lexicon: &shape::Lexicon) -> f64 {
    let tf = |part: &[u32]| -> u64 {
        if part.len() == 1 {
            counts
                .unigram_tf
                .get(part[0] as usize)
                .copied()
                .unwrap_or(0)
        } else {
            part_tf.get(part).unwrap_or(0)
        }
    };
    // A candidate without a phrase (only in a damaged file) is dropped by scoring.
    let Some(p) = c.phrase(&counts.phrases) else {
        return 0.0;
    };
    let t = p.tokens;
    splits(t, lexicon)
        .into_iter()
        .map(|(a, b)| measures::npmi(u64::from(p.tf), tf(&t[a]), tf(&t[b]), counts.n_tokens))
        .fold(1.0f64, f64::min)
}

/// The term frequency of the suffix parts the counts do not hold, from the suffixes of their
/// phrases, longest first.
///
/// A counted phrase `q` is closed on the right: its occurrences are not all followed by one
/// token (see [`tifa_core::Counts`]), so neither are those of any suffix `b` of it, which
/// include them. A suffix `b` the counts do not hold is not closed, so all its occurrences
/// share a left context `L` (the longest), and `L·b`, closed on both sides, is counted with
/// `b`'s term frequency. `L` and the rest of `q` before `b` both precede `b` at `q`'s
/// occurrences, so one ends the other: either `L·b` is a suffix of `q`, or `q` is a suffix of
/// `L·b`. Either way, every suffix of `q` from `b` to the shorter of `L·b` and `q` occurs
/// exactly as often as `b`; in particular the next longer suffix that is a phrase (not one
/// that starts with 、), or `q` itself. So the suffixes are walked from the longest, each one
/// the counts do not hold taking the frequency of the one before it.
///
/// A phrase of the counts' greatest length may be one cut at the longest phrase counted
/// (count.toml's `max_len`), closed by convention only: its parts are left to the automaton.
/// A part is the suffix of several phrases and gets the same frequency from each.
fn suffix_chains(
    counts: &Counts,
    pre: &[Candidate],
    lexicon: &shape::Lexicon,
    part_tf: &mut PartTf<'_>,
    progress: &dyn Progress,
) {
    let phrases = &counts.phrases;
    let n_phrases = phrases.len();
    let longest = (0..n_phrases)
        .into_par_iter()
        .map(|i| phrases.token_range(i).len())
        .max()
        .unwrap_or(0);
    let arena = part_tf.arena;
    let table = &*part_tf;
    // (part, frequency) for each part the counts do not hold, found in each chunk's phrases.
    let mut found: Vec<(u32, u32)> = pre
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut out = Vec::new();
            for c in chunk {
                let r = phrases.token_range(c.index());
                let Some(q) = phrases.get(c.index()) else {
                    continue;
                };
                // A phrase that may have been cut at the length cap, or (only in a damaged
                // file) one no longer than the words a formulation leaves out, is left to the
                // automaton.
                if r.len() >= longest || r.len() <= c.skip as usize {
                    continue;
                }
                if c.skip == 1 {
                    led_prefixes(phrases, r.clone(), lexicon, table, &mut out);
                }
                let mut last = q.tf;
                for j in 1..r.len().saturating_sub(1) {
                    if lexicon.kind(arena[r.start + j]) == TokenKind::Enum {
                        continue;
                    }
                    let Some(k) = table.index(&arena[r.start + j..r.end]) else {
                        // Not a part: the formulation a verb-led form holds, which always
                        // follows the verb and so occurs as often as the form: `last` stands.
                        continue;
                    };
                    match table.tf[k as usize] {
                        MISSING => out.push((k, last)),
                        t => last = t,
                    }
                }
            }
            progress.inc(chunk.len() as u64);
            out
        })
        .collect();
    // Sorted, so that of several frequencies found for a part (equal, as shown above) the
    // largest is written last, whatever the thread count.
    found.par_sort_unstable();
    for (k, t) in found {
        part_tf.tf[k as usize] = t;
    }
}

/// The prefixes of a formulation the counts hold only inside its verb-led form `q` (one word
/// before it, at `r`): its prefix parts the counts do not hold, with their term frequency, into
/// `out`.
///
/// Such a prefix `a` is not known to be closed on the left, as the prefixes of other candidates
/// are. If it is, its closed extension only grows to the right, so it is the most frequent of
/// the counted phrases that start with `a`. If not, all its occurrences share a word before
/// them, which at `q`'s occurrences is `q`'s first word `v`: then `a` occurs exactly as often as
/// `v·a`, a prefix of `q`, which is closed on the left as `q` is, and so is as frequent as the
/// most frequent counted phrase that starts with `v·a`. Either way the larger of the two is
/// `a`'s frequency: the other is that of phrases containing `a`.
fn led_prefixes(
    phrases: &tifa_core::Phrases,
    r: Range<usize>,
    lexicon: &shape::Lexicon,
    table: &PartTf<'_>,
    out: &mut Vec<(u32, u32)>,
) {
    let arena = table.arena;
    let most_frequent =
        |w: &[u32]| most_frequent_from(phrases, phrases.lower_bound(w), w).unwrap_or(0);
    let rest = r.start + 1;
    for (a, _) in splits(&arena[rest..r.end], lexicon) {
        if a.len() < 2 {
            continue;
        }
        let w = &arena[rest + a.start..rest + a.end];
        match table.index(w) {
            Some(k) if table.tf[k as usize] == MISSING => {
                let led = &arena[r.start..rest + a.end];
                out.push((k, most_frequent(w).max(most_frequent(led))));
            }
            _ => {}
        }
    }
}

/// The largest term frequency among the counted phrases that start with `w`, which in sorted
/// order follow it from `from` (where `w` is, or would be).
fn most_frequent_from(phrases: &tifa_core::Phrases, from: usize, w: &[u32]) -> Option<u32> {
    (from..phrases.len())
        .map_while(|k| phrases.get(k).filter(|p| p.tokens.starts_with(w)))
        .map(|p| p.tf)
        .max()
}

/// The mark of a part the counts do not hold, while its frequency is being found: above any
/// term frequency, since a corpus has fewer than `u32::MAX` tokens.
const MISSING: u32 = u32::MAX;

/// A part of a split of a candidate: `len` tokens of the phrases' token arena from `at` (which
/// has 32-bit offsets, see `Phrases`), the prefix or suffix of its phrase. There are millions
/// of parts on a big corpus, so whether it is a prefix is the top bit of `len`: 8 bytes a part
/// instead of 12.
#[derive(Clone, Copy)]
struct Part {
    at: u32,
    len: u32,
}

/// The bit of [`Part::len`] that marks a prefix.
const PREFIX: u32 = 1 << 31;

impl Part {
    /// `len` tokens from `at`; no part is as long as the [`PREFIX`] bit, since the arena has
    /// 32-bit offsets.
    fn new(at: u32, len: u32, prefix: bool) -> Part {
        Part {
            at,
            len: len | if prefix { PREFIX } else { 0 },
        }
    }

    fn prefix(&self) -> bool {
        self.len & PREFIX != 0
    }

    fn range(&self) -> Range<usize> {
        let len = (self.len & !PREFIX) as usize;
        self.at as usize..self.at as usize + len
    }
}

/// The term frequencies of the parts of the splits, found by their tokens. There are millions
/// of parts on a big corpus: a table of 4-byte indices into the sorted parts takes a fifth of
/// the memory of a map keyed by the parts' token slices.
pub(crate) struct PartTf<'a> {
    /// The phrases' token arena, which the parts are places in.
    arena: &'a [u32],
    /// The parts, sorted and distinct.
    parts: Vec<Part>,
    /// Term frequency of each part.
    tf: Vec<u32>,
    /// Index of each part in `parts`, hashed by its tokens.
    table: hashbrown::HashTable<u32>,
}

impl<'a> PartTf<'a> {
    fn new(arena: &'a [u32], parts: Vec<Part>, tf: Vec<u32>) -> PartTf<'a> {
        let tokens = |i: u32| parts.get(i as usize).map_or(&[][..], |p| &arena[p.range()]);
        let mut table = hashbrown::HashTable::with_capacity(parts.len());
        for k in 0..parts.len() as u32 {
            // The parts are distinct, so every insert is of a new key.
            table.insert_unique(hash_tokens(tokens(k)), k, |&i| hash_tokens(tokens(i)));
        }
        PartTf {
            arena,
            parts,
            tf,
            table,
        }
    }

    pub fn get(&self, w: &[u32]) -> Option<u64> {
        let k = self.index(w)?;
        self.tf.get(k as usize).map(|&t| u64::from(t))
    }

    /// The index of the part `w` in the sorted parts, if it is one.
    fn index(&self, w: &[u32]) -> Option<u32> {
        self.table
            .find(hash_tokens(w), |&i| {
                self.parts.get(i as usize).map(|p| &self.arena[p.range()]) == Some(w)
            })
            .copied()
    }
}

fn hash_tokens(w: &[u32]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(w)
}

/// The splits `p = a·b` cohesion is measured over, as token ranges of the phrase. A split never
/// leaves 、 on a part: across an enumeration comma the parts are the items on either side, the
/// comma itself dropped.
pub(crate) fn splits(tokens: &[u32], lex: &shape::Lexicon) -> Vec<(Range<usize>, Range<usize>)> {
    let is_enum = |t: u32| lex.kind(t) == TokenKind::Enum;
    let n = tokens.len();
    let mut out = Vec::new();
    for k in 1..n {
        if is_enum(tokens[k]) {
            out.push((0..k, k + 1..n));
        } else if !is_enum(tokens[k - 1]) {
            out.push((0..k, k..n));
        }
    }
    out
}
