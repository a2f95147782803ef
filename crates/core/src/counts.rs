//! The count stage's output: exact statistics of every recurring phrase.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::corpus::Meta;
use crate::segmented::Vocab;

/// What later stages need to know about one report, without its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocInfo {
    /// Document id (as in [`crate::Document::id`]).
    pub id: String,
    /// Title.
    pub title: String,
    /// Input file.
    pub source: String,
    /// Metadata.
    pub meta: Meta,
    /// Number of tokens (punctuation included).
    pub tokens: u64,
    /// Number of characters of the cleaned text.
    pub chars: u64,
}

/// Branching statistics on one side of a phrase: which tokens occur next to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Branching {
    /// Number of distinct neighbouring tokens (boundaries not included).
    pub distinct: u32,
    /// Occurrences next to a hard boundary, a document edge or punctuation.
    pub boundary: u32,
    /// Branching entropy in nats, each boundary occurrence counted as its own distinct
    /// neighbour.
    pub entropy: f32,
}

/// Exact statistics of one phrase (a token sequence that crosses no hard boundary), owned: the
/// form in which a phrase is built before it is pushed into [`Phrases`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhraseStats {
    /// Token ids of the phrase.
    pub tokens: Vec<u32>,
    /// Term frequency: occurrences in the corpus.
    pub tf: u32,
    /// Document frequency: reports it occurs in.
    pub df: u32,
    /// `(document index, occurrences)` for every report it occurs in, by document index.
    pub per_doc: Vec<(u32, u32)>,
    /// Left neighbours.
    pub left: Branching,
    /// Right neighbours.
    pub right: Branching,
    /// Occurrences directly enclosed in an opening and a closing quote (“…”).
    pub quoted: u32,
    /// Occurrences followed by a number within the next three tokens of their clause, as
    /// statistical terms are (地区生产总值增长5.2%).
    pub numeric: u32,
}

/// Exact statistics of one phrase, borrowed from [`Phrases`]: the same fields as
/// [`PhraseStats`], with the token ids as a slice of a shared arena and the per-report counts
/// as a [`PerDoc`] view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phrase<'a> {
    /// Token ids of the phrase.
    pub tokens: &'a [u32],
    /// Term frequency: occurrences in the corpus.
    pub tf: u32,
    /// Document frequency: reports it occurs in.
    pub df: u32,
    /// `(document index, occurrences)` for every report it occurs in, by document index.
    pub per_doc: PerDoc<'a>,
    /// Left neighbours.
    pub left: Branching,
    /// Right neighbours.
    pub right: Branching,
    /// Occurrences directly enclosed in an opening and a closing quote (“…”).
    pub quoted: u32,
    /// Occurrences followed by a number within the next three tokens of their clause, as
    /// statistical terms are (地区生产总值增长5.2%).
    pub numeric: u32,
}

impl PhraseStats {
    /// The borrowed view of these statistics.
    pub fn as_phrase(&self) -> Phrase<'_> {
        Phrase {
            tokens: &self.tokens,
            tf: self.tf,
            df: self.df,
            per_doc: PerDoc::plain(&self.per_doc),
            left: self.left,
            right: self.right,
            quoted: self.quoted,
            numeric: self.numeric,
        }
    }
}

impl Phrase<'_> {
    /// An owned copy.
    pub fn to_stats(&self) -> PhraseStats {
        PhraseStats {
            tokens: self.tokens.to_vec(),
            tf: self.tf,
            df: self.df,
            per_doc: self.per_doc.to_vec(),
            left: self.left,
            right: self.right,
            quoted: self.quoted,
            numeric: self.numeric,
        }
    }
}

/// The per-report counts of one phrase, `(document index, occurrences)` by document index: a
/// plain slice (a phrase being built) or the packed bytes [`Phrases`] keeps them in. Read them
/// with [`PerDoc::iter`].
///
/// Packed, each entry is one variable-length integer (7 bits a byte, low bits first) holding
/// the gap to the previous document index (zigzag-coded, so any order round-trips) and a flag
/// for a count other than 1, followed by that count when the flag is set. Document indices
/// come in order and most counts are 1, so an entry takes about 2 bytes instead of 8: per-report
/// counts are most of the counts' memory (about 200 MB of 340 MB on the news corpus, 2 GB of
/// 2.4 GB on the 1 GB corpus, before packing). Bytes that do not decode (a damaged file) end
/// the list early; nothing panics.
#[derive(Clone, Copy)]
pub struct PerDoc<'a>(PerDocRepr<'a>);

#[derive(Clone, Copy)]
enum PerDocRepr<'a> {
    Plain(&'a [(u32, u32)]),
    Packed(&'a [u8]),
}

impl<'a> PerDoc<'a> {
    /// A view of plain `(document index, occurrences)` pairs.
    pub fn plain(pairs: &'a [(u32, u32)]) -> PerDoc<'a> {
        PerDoc(PerDocRepr::Plain(pairs))
    }

    /// The `(document index, occurrences)` pairs, in order.
    pub fn iter(&self) -> PerDocIter<'a> {
        match self.0 {
            PerDocRepr::Plain(pairs) => PerDocIter(IterRepr::Plain(pairs.iter())),
            PerDocRepr::Packed(bytes) => PerDocIter(IterRepr::Packed {
                bytes,
                at: 0,
                prev: -1,
            }),
        }
    }

    /// The pairs as a vector.
    pub fn to_vec(&self) -> Vec<(u32, u32)> {
        self.iter().collect()
    }

    /// True when the phrase occurs in no report.
    pub fn is_empty(&self) -> bool {
        match self.0 {
            PerDocRepr::Plain(pairs) => pairs.is_empty(),
            PerDocRepr::Packed(_) => self.iter().next().is_none(),
        }
    }

    /// Appends the packed form of these pairs to `out`.
    fn pack_into(&self, out: &mut Vec<u8>) {
        match self.0 {
            PerDocRepr::Packed(bytes) => out.extend_from_slice(bytes),
            PerDocRepr::Plain(pairs) => {
                let mut prev = -1i64;
                for &(doc, count) in pairs {
                    let gap = i64::from(doc) - (prev + 1);
                    let zigzag = ((gap << 1) ^ (gap >> 63)) as u64;
                    put_varint(out, zigzag << 1 | u64::from(count != 1));
                    if count != 1 {
                        put_varint(out, u64::from(count));
                    }
                    prev = i64::from(doc);
                }
            }
        }
    }
}

impl fmt::Debug for PerDoc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for PerDoc<'_> {
    fn eq(&self, other: &PerDoc<'_>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl PartialEq<Vec<(u32, u32)>> for PerDoc<'_> {
    fn eq(&self, other: &Vec<(u32, u32)>) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl PartialEq<&[(u32, u32)]> for PerDoc<'_> {
    fn eq(&self, other: &&[(u32, u32)]) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

/// The pairs of a [`PerDoc`], in order.
#[derive(Clone)]
pub struct PerDocIter<'a>(IterRepr<'a>);

#[derive(Clone)]
enum IterRepr<'a> {
    Plain(std::slice::Iter<'a, (u32, u32)>),
    Packed {
        bytes: &'a [u8],
        at: usize,
        prev: i64,
    },
}

impl Iterator for PerDocIter<'_> {
    type Item = (u32, u32);

    fn next(&mut self) -> Option<(u32, u32)> {
        match &mut self.0 {
            IterRepr::Plain(it) => it.next().copied(),
            IterRepr::Packed { bytes, at, prev } => {
                let decoded = (|| {
                    let v = get_varint(bytes, at)?;
                    let zigzag = v >> 1;
                    let gap = (zigzag >> 1) as i64 ^ -((zigzag & 1) as i64);
                    let doc = u32::try_from(prev.checked_add(1)?.checked_add(gap)?).ok()?;
                    let count = if v & 1 == 1 {
                        u32::try_from(get_varint(bytes, at)?).ok()?
                    } else {
                        1
                    };
                    Some((doc, count))
                })();
                match decoded {
                    Some((doc, count)) => {
                        *prev = i64::from(doc);
                        Some((doc, count))
                    }
                    None => {
                        // Damaged bytes: the list ends here.
                        *at = bytes.len();
                        None
                    }
                }
            }
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The variable-length integer at `bytes[*at..]`, advancing `at`; `None` when the bytes end
/// first or it does not fit 64 bits.
#[inline]
fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    // Most entries take one or two bytes.
    match bytes.get(*at..*at + 2) {
        Some(&[b0, _]) if b0 < 0x80 => {
            *at += 1;
            return Some(u64::from(b0));
        }
        Some(&[b0, b1]) if b1 < 0x80 => {
            *at += 2;
            return Some(u64::from(b0 & 0x7f) | u64::from(b1) << 7);
        }
        _ => {}
    }
    let mut v = 0u64;
    let mut shift = 0u32;
    loop {
        let b = *bytes.get(*at)?;
        *at += 1;
        let bits = u64::from(b & 0x7f);
        if shift > 63 || (shift > 0 && bits >> (64 - shift) != 0) {
            return None;
        }
        v |= bits << shift;
        if b < 0x80 {
            return Some(v);
        }
        shift += 7;
    }
}

/// The fixed-size part of a phrase's statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Fixed {
    tf: u32,
    df: u32,
    left: Branching,
    right: Branching,
    quoted: u32,
    numeric: u32,
}

impl crate::packed::Record for Fixed {
    const WIDTH: usize = 40;
    fn put(&self, out: &mut Vec<u8>) {
        for w in [
            self.tf,
            self.df,
            self.left.distinct,
            self.left.boundary,
            self.left.entropy.to_bits(),
            self.right.distinct,
            self.right.boundary,
            self.right.entropy.to_bits(),
            self.quoted,
            self.numeric,
        ] {
            crate::packed::Record::put(&w, out);
        }
    }
    fn get(b: &[u8]) -> Fixed {
        let w = |i: usize| <u32 as crate::packed::Record>::get(&b[4 * i..4 * i + 4]);
        Fixed {
            tf: w(0),
            df: w(1),
            left: Branching {
                distinct: w(2),
                boundary: w(3),
                entropy: f32::from_bits(w(4)),
            },
            right: Branching {
                distinct: w(5),
                boundary: w(6),
                entropy: f32::from_bits(w(7)),
            },
            quoted: w(8),
            numeric: w(9),
        }
    }
}

/// A list of phrase statistics stored column-wise: the token ids of all phrases in one arena
/// and their per-report counts, packed (see [`PerDoc`]), in another, with end offsets per
/// phrase. Millions of phrases then cost a few flat arrays instead of two heap allocations each
/// (about 40% less memory on a news corpus, and far fewer allocations to decode).
///
/// Offsets come from a file, so every accessor checks them and yields empty slices for a
/// phrase whose offsets are out of range or out of order rather than panicking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Phrases {
    /// Token ids of every phrase, concatenated.
    #[serde(with = "crate::packed")]
    tokens: Vec<u32>,
    /// `token_ends[i]`: end of phrase `i`'s tokens in `tokens`.
    #[serde(with = "crate::packed")]
    token_ends: Vec<u32>,
    /// Per-report counts of every phrase, packed ([`PerDoc`]), concatenated.
    #[serde(with = "crate::packed::bytes")]
    per_doc: Vec<u8>,
    /// `per_doc_ends[i]`: end of phrase `i`'s packed counts in `per_doc`.
    #[serde(with = "crate::packed")]
    per_doc_ends: Vec<u64>,
    /// tf, df, branching, quoted and numeric of each phrase.
    #[serde(with = "crate::packed")]
    fixed: Vec<Fixed>,
}

/// How much a [`Phrases`] holds, column by column: what [`Phrases::reserve_exact`] needs to
/// make room for phrases appended later, so that the columns never regrow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhrasesSize {
    /// Phrases.
    pub phrases: usize,
    /// Token ids, all phrases together.
    pub tokens: usize,
    /// Bytes of packed per-report counts, all phrases together.
    pub per_doc: usize,
}

impl std::ops::AddAssign for PhrasesSize {
    fn add_assign(&mut self, o: PhrasesSize) {
        self.phrases += o.phrases;
        self.tokens += o.tokens;
        self.per_doc += o.per_doc;
    }
}

/// A [`Phrases`] arena outgrew its 32-bit offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many phrase tokens for 32-bit offsets")]
pub struct PhrasesFull;

impl Phrases {
    /// An empty list.
    pub fn new() -> Phrases {
        Phrases::default()
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.fixed
            .len()
            .min(self.token_ends.len())
            .min(self.per_doc_ends.len())
    }

    /// True when there is no phrase.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a phrase, copied from wherever its slices live (a [`PhraseStats`] through
    /// [`PhraseStats::as_phrase`], or a producer's own arenas); fails when the token arena
    /// would outgrow 32-bit offsets.
    pub fn push(&mut self, p: Phrase<'_>) -> Result<(), PhrasesFull> {
        let token_end =
            u32::try_from(self.tokens.len() + p.tokens.len()).map_err(|_| PhrasesFull)?;
        self.tokens.extend_from_slice(p.tokens);
        self.token_ends.push(token_end);
        p.per_doc.pack_into(&mut self.per_doc);
        self.per_doc_ends.push(self.per_doc.len() as u64);
        self.fixed.push(Fixed {
            tf: p.tf,
            df: p.df,
            left: p.left,
            right: p.right,
            quoted: p.quoted,
            numeric: p.numeric,
        });
        Ok(())
    }

    /// Appends every phrase of `other`, in order; fails, appending nothing, when the token
    /// arena would outgrow 32-bit offsets.
    pub fn append(&mut self, other: &Phrases) -> Result<(), PhrasesFull> {
        let n = other.len();
        let base = self.tokens.len();
        u32::try_from(base + other.tokens.len()).map_err(|_| PhrasesFull)?;
        // Offsets are shifted by what is already held. `other` is taken as it is: if its
        // offsets are damaged (out of order, or past its arena), its phrases and those appended
        // after it read wrong or empty slices, never a panic.
        self.tokens.extend_from_slice(&other.tokens);
        self.token_ends.extend(
            other.token_ends[..n]
                .iter()
                .map(|&e| e.saturating_add(base as u32)),
        );
        let base = self.per_doc.len() as u64;
        self.per_doc.extend_from_slice(&other.per_doc);
        self.per_doc_ends.extend(
            other.per_doc_ends[..n]
                .iter()
                .map(|&e| e.saturating_add(base)),
        );
        self.fixed.extend_from_slice(&other.fixed[..n]);
        Ok(())
    }

    /// What the columns hold.
    pub fn size(&self) -> PhrasesSize {
        PhrasesSize {
            phrases: self.len(),
            tokens: self.tokens.len(),
            per_doc: self.per_doc.len(),
        }
    }

    /// Makes room for exactly `more` on top of what is held.
    pub fn reserve_exact(&mut self, more: PhrasesSize) {
        self.tokens.reserve_exact(more.tokens);
        self.token_ends.reserve_exact(more.phrases);
        self.per_doc.reserve_exact(more.per_doc);
        self.per_doc_ends.reserve_exact(more.phrases);
        self.fixed.reserve_exact(more.phrases);
    }

    /// Removes every phrase, keeping the columns' room for reuse.
    pub fn clear(&mut self) {
        self.tokens.clear();
        self.token_ends.clear();
        self.per_doc.clear();
        self.per_doc_ends.clear();
        self.fixed.clear();
    }

    /// Releases spare capacity of the arenas.
    pub fn shrink_to_fit(&mut self) {
        self.tokens.shrink_to_fit();
        self.token_ends.shrink_to_fit();
        self.per_doc.shrink_to_fit();
        self.per_doc_ends.shrink_to_fit();
        self.fixed.shrink_to_fit();
    }

    /// The slice `arena[ends[i-1]..ends[i]]`, empty when the offsets are damaged.
    fn span<'a, T, E: Copy + Into<u64>>(arena: &'a [T], ends: &[E], i: usize) -> &'a [T] {
        let at = |k: usize| ends.get(k).and_then(|&e| usize::try_from(e.into()).ok());
        let start = if i == 0 { Some(0) } else { at(i - 1) };
        match (start, at(i)) {
            (Some(s), Some(e)) => arena.get(s..e).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Index of the first phrase whose tokens are not below `tokens`, for phrases sorted by
    /// tokens (as [`Counts::phrases`] are): where `tokens` is, or would be inserted.
    pub fn lower_bound(&self, tokens: &[u32]) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.tokens(mid) < tokens {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Token ids of phrase `i` (empty when out of range).
    pub fn tokens(&self, i: usize) -> &[u32] {
        Phrases::span(&self.tokens, &self.token_ends, i)
    }

    /// The token ids of every phrase, end to end: phrase `i`'s are at
    /// [`Phrases::token_range`]`(i)`. Lets a caller hold a piece of a phrase as two integers
    /// instead of a slice.
    pub fn token_arena(&self) -> &[u32] {
        &self.tokens
    }

    /// Where phrase `i`'s token ids are in [`Phrases::token_arena`] (an empty range when out of
    /// range).
    pub fn token_range(&self, i: usize) -> std::ops::Range<usize> {
        let end = |k: usize| self.token_ends.get(k).map(|&e| e as usize);
        let start = if i == 0 { Some(0) } else { end(i - 1) };
        match (start, end(i)) {
            // The same checks as `span`, so the range holds exactly `tokens(i)`.
            (Some(s), Some(e)) if s <= e && e <= self.tokens.len() => s..e,
            _ => 0..0,
        }
    }

    /// Phrase `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<Phrase<'_>> {
        if i >= self.len() {
            return None;
        }
        let f = self.fixed.get(i)?;
        Some(Phrase {
            tokens: self.tokens(i),
            tf: f.tf,
            df: f.df,
            per_doc: PerDoc(PerDocRepr::Packed(Phrases::span(
                &self.per_doc,
                &self.per_doc_ends,
                i,
            ))),
            left: f.left,
            right: f.right,
            quoted: f.quoted,
            numeric: f.numeric,
        })
    }

    /// Every phrase, in order.
    pub fn iter(&self) -> impl Iterator<Item = Phrase<'_>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl FromIterator<PhraseStats> for Phrases {
    /// Collects owned phrases. Stops at the first phrase that would outgrow the 32-bit offsets;
    /// a caller that must know uses [`Phrases::push`], which reports it.
    fn from_iter<I: IntoIterator<Item = PhraseStats>>(iter: I) -> Phrases {
        let mut out = Phrases::new();
        for p in iter {
            if out.push(p.as_phrase()).is_err() {
                break;
            }
        }
        out
    }
}

/// Phrase statistics of the corpus: `count.bin`.
///
/// A phrase is a run of tokens inside one clause: it contains no clause or sentence mark
/// ([`crate::TokenKind::is_hard_boundary`]) and no opening or closing quote, and it neither starts
/// nor ends with the enumeration comma `、`, which it may contain.
///
/// [`Counts::phrases`] holds, for a count run with `min_df`, `max_short` and `max_len`:
/// - every phrase, up to `max_len` tokens, that occurs at least twice and in at least `min_df`
///   reports and is closed: no one-token extension to the left or right (that is itself a
///   phrase) has the same term frequency. A phrase of exactly `max_len` tokens counts as closed;
/// - every phrase of at most `max_short` tokens (0 by default: none) that passes the same
///   thresholds, closed or not.
///
/// Not held: phrases that occur once; phrases below `min_df`; phrases longer than `max_short`
/// that always occur inside the same longer phrase. Such a phrase has the tf, df and per-report
/// counts of its closed extension, which is held, and every other held phrase containing it
/// occurs at most as often: its tf is the largest among the held phrases that contain it. [`Counts::get`] returns `None` for all of these; `tifa lookup`
/// answers for any string from the cleaned texts instead. `unigram_tf` covers every token id,
/// punctuation included, whatever its frequency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// The reports, in the same order as the segment stage's documents.
    pub docs: Vec<DocInfo>,
    /// The vocabulary of the segment stage.
    pub vocab: Vocab,
    /// Total number of tokens in the corpus.
    pub n_tokens: u64,
    /// Corpus frequency of every token id (`unigram_tf[id]`).
    #[serde(with = "crate::packed")]
    pub unigram_tf: Vec<u64>,
    /// The `min_df` the phrases were counted with.
    pub min_df: u32,
    /// Every counted phrase, sorted by token ids so [`Counts::get`] can binary-search.
    pub phrases: Phrases,
    /// Input files the clean stage skipped, carried on so that the report can count them.
    pub skipped: Vec<crate::corpus::Skipped>,
}

impl Counts {
    /// Statistics of a phrase given as token ids, if it was counted.
    pub fn get(&self, tokens: &[u32]) -> Option<Phrase<'_>> {
        self.phrases
            .get(self.phrases.lower_bound(tokens))
            .filter(|p| p.tokens == tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(tokens: &[u32], per_doc: &[(u32, u32)]) -> PhraseStats {
        PhraseStats {
            tokens: tokens.to_vec(),
            tf: per_doc.iter().map(|x| x.1).sum(),
            df: per_doc.len() as u32,
            per_doc: per_doc.to_vec(),
            ..PhraseStats::default()
        }
    }

    #[test]
    fn phrases_give_back_what_was_pushed() {
        let owned = vec![
            stats(&[1], &[(0, 2), (3, 1)]),
            stats(&[1, 2], &[(0, 1)]),
            stats(&[2, 5, 7], &[(1, 4), (2, 1), (3, 1)]),
        ];
        let phrases: Phrases = owned.iter().cloned().collect();
        assert_eq!(phrases.len(), 3);
        let back: Vec<PhraseStats> = phrases.iter().map(|p| p.to_stats()).collect();
        assert_eq!(back, owned);
        assert_eq!(phrases.tokens(2), &[2, 5, 7]);
        for i in 0..4 {
            assert_eq!(
                &phrases.token_arena()[phrases.token_range(i)],
                phrases.tokens(i)
            );
        }
        assert_eq!(phrases.token_range(1), 1..3);
        assert!(phrases.get(3).is_none());
        assert!(phrases.tokens(3).is_empty());
        let counts = Counts {
            phrases,
            ..Counts::default()
        };
        assert_eq!(counts.get(&[1, 2]).map(|p| p.tf), Some(1));
        assert!(counts.get(&[2]).is_none());
    }

    #[test]
    fn appended_lists_read_as_one() {
        let owned = [
            stats(&[1], &[(0, 2), (3, 1)]),
            stats(&[1, 2], &[(0, 1)]),
            stats(&[2, 5, 7], &[(1, 4), (2, 1), (3, 1)]),
            stats(&[4, 4], &[(2, 7)]),
        ];
        let (a, b): (Phrases, Phrases) = (
            owned[..2].iter().cloned().collect(),
            owned[2..].iter().cloned().collect(),
        );
        let mut all = Phrases::new();
        let mut size = a.size();
        size += b.size();
        all.reserve_exact(size);
        all.append(&a).unwrap();
        all.append(&b).unwrap();
        let whole: Phrases = owned.iter().cloned().collect();
        assert_eq!(all, whole);
        assert_eq!(all.size(), size);
        assert_eq!(size.phrases, 4);
        assert_eq!(size.tokens, 8);
        // Cleared, a list is empty and takes new phrases from offset 0.
        all.clear();
        assert!(all.is_empty());
        all.append(&b).unwrap();
        assert_eq!(all, b);
    }

    proptest::proptest! {
        /// Any pairs, in any order, with any report index, come back as they were pushed.
        #[test]
        fn per_report_counts_round_trip(
            lists in proptest::collection::vec(
                proptest::collection::vec((0u32..=u32::MAX, 0u32..100_000), 0..20),
                0..8,
            ),
            sorted in proptest::bool::ANY,
        ) {
            let owned: Vec<PhraseStats> = lists
                .into_iter()
                .enumerate()
                .map(|(i, mut pairs)| {
                    if sorted {
                        pairs.sort_unstable();
                        pairs.dedup_by_key(|p| p.0);
                        for p in &mut pairs {
                            p.1 %= 3;
                        }
                    }
                    stats(&[i as u32], &pairs)
                })
                .collect();
            let phrases: Phrases = owned.iter().cloned().collect();
            let back: Vec<Vec<(u32, u32)>> = phrases.iter().map(|p| p.per_doc.to_vec()).collect();
            let want: Vec<Vec<(u32, u32)>> = owned.iter().map(|p| p.per_doc.clone()).collect();
            proptest::prop_assert_eq!(back, want);
        }

        /// Packed bytes that do not decode end the list; nothing panics.
        #[test]
        fn damaged_per_report_bytes_end_the_list(
            bytes in proptest::collection::vec(0u8..=255, 0..64),
        ) {
            let p = PerDoc(PerDocRepr::Packed(&bytes));
            let n = p.iter().count();
            proptest::prop_assert!(n <= bytes.len());
        }
    }

    #[test]
    fn per_report_counts_take_about_two_bytes_each() {
        // Reports in order, a few hundred apart, mostly one occurrence: two bytes an entry.
        let pairs: Vec<(u32, u32)> = (0..1000)
            .map(|i| (i * 450, 1 + u32::from(i % 10 == 0)))
            .collect();
        let phrases: Phrases = [stats(&[1], &pairs)].into_iter().collect();
        assert_eq!(phrases.get(0).map(|p| p.per_doc.to_vec()), Some(pairs));
        assert!(
            phrases.per_doc.len() <= 2100,
            "{} bytes",
            phrases.per_doc.len()
        );
    }

    #[test]
    fn damaged_offsets_give_empty_slices_not_panics() {
        let mut phrases: Phrases = [stats(&[1, 2], &[(0, 1)]), stats(&[3], &[(1, 1)])]
            .into_iter()
            .collect();
        phrases.token_ends[0] = 99;
        phrases.per_doc_ends[1] = 0;
        assert!(phrases.tokens(0).is_empty());
        assert!(phrases.tokens(1).is_empty());
        assert!(phrases
            .get(1)
            .map(|p| p.per_doc.is_empty())
            .unwrap_or(false));
        phrases.fixed.pop();
        assert_eq!(phrases.len(), 1);
    }
}
