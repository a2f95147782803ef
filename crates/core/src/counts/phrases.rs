//! The stored list of phrase statistics, column-wise: token ids in one arena, packed per-report
//! counts in another, a fixed record per phrase.

use serde::{Deserialize, Serialize};

use super::per_doc::PerDocRepr;
use super::{Branching, PerDoc, Phrase, PhraseStats};

/// The fixed-size part of a phrase's statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Fixed {
    tf: u32,
    df: u32,
    left: Branching,
    right: Branching,
    quoted: u32,
    numeric: u32,
    open_after: u32,
}

impl crate::packed::Record for Fixed {
    const WIDTH: usize = 44;
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
            self.open_after,
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
            open_after: w(10),
        }
    }
}

/// The fixed-size records of a [`Phrases`]: plain, or, for a list only read (compare under a
/// memory budget), kept as the variable-length integers count.bin stores them as, about 23
/// bytes a phrase with its offset instead of 44, each decoded when it is looked up.
#[derive(Debug, Clone)]
pub(super) enum FixedColumn {
    Plain(Vec<Fixed>),
    Encoded(crate::packed::varint::Encoded),
}

impl Default for FixedColumn {
    fn default() -> FixedColumn {
        FixedColumn::Plain(Vec::new())
    }
}

/// Equal when they hold the same records, whatever their form.
impl PartialEq for FixedColumn {
    fn eq(&self, other: &FixedColumn) -> bool {
        match (self, other) {
            (FixedColumn::Plain(a), FixedColumn::Plain(b)) => a == b,
            _ => self.len() == other.len() && (0..self.len()).all(|i| self.get(i) == other.get(i)),
        }
    }
}

impl FixedColumn {
    pub(super) fn len(&self) -> usize {
        match self {
            FixedColumn::Plain(v) => v.len(),
            FixedColumn::Encoded(e) => e.ends.len(),
        }
    }

    pub(super) fn get(&self, i: usize) -> Option<Fixed> {
        use crate::packed::Record;
        match self {
            FixedColumn::Plain(v) => v.get(i).copied(),
            FixedColumn::Encoded(e) => {
                let mut le = [0u8; <Fixed as Record>::WIDTH];
                e.get_le(i, &mut le).then(|| Fixed::get(&le))
            }
        }
    }

    /// The records as a plain list, decoding them if they are kept encoded.
    fn plain(&mut self) -> &mut Vec<Fixed> {
        if let FixedColumn::Encoded(_) = self {
            let plain = (0..self.len()).filter_map(|i| self.get(i)).collect();
            *self = FixedColumn::Plain(plain);
        }
        match self {
            FixedColumn::Plain(v) => v,
            FixedColumn::Encoded(_) => unreachable!("decoded above"),
        }
    }

    /// Keeps only the first `n` records.
    pub(super) fn truncate(&mut self, n: usize) {
        match self {
            FixedColumn::Plain(v) => v.truncate(n),
            FixedColumn::Encoded(e) => {
                e.ends.truncate(n);
                let end = e.ends.last().map_or(0, |&x| x as usize);
                e.bytes.truncate(end);
            }
        }
    }
}

/// `#[serde(with)]` for a [`FixedColumn`]: the records' variable-length integers, the same
/// bytes in either form; read back plain.
mod fixed_column {
    use super::{Fixed, FixedColumn};
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &FixedColumn, s: S) -> Result<S::Ok, S::Error> {
        match v {
            FixedColumn::Plain(v) => crate::packed::varint::serialize(v, s),
            FixedColumn::Encoded(e) => crate::packed::varint::serialize_encoded::<Fixed, S>(e, s),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FixedColumn, D::Error> {
        crate::packed::varint::deserialize(d).map(FixedColumn::Plain)
    }

    /// Reads the records kept as their integers (plain only when these would outgrow 32-bit
    /// offsets).
    pub(in crate::counts) fn deserialize_encoded<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<FixedColumn, D::Error> {
        Ok(
            match crate::packed::varint::deserialize_encoded::<Fixed, D>(d)? {
                Ok(e) => FixedColumn::Encoded(e),
                Err(plain) => FixedColumn::Plain(plain),
            },
        )
    }
}

pub(super) use fixed_column::deserialize_encoded as deserialize_fixed_encoded;

/// A list of phrase statistics stored column-wise: the token ids of all phrases in one arena
/// and their per-report counts, packed (see [`PerDoc`]), in another, with end offsets per
/// phrase. Millions of phrases then cost a few flat arrays instead of two heap allocations each
/// (much less memory, and far fewer allocations to decode).
///
/// Offsets come from a file, so every accessor checks them and yields empty slices for a
/// phrase whose offsets are out of range or out of order rather than panicking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Phrases {
    /// Token ids of every phrase, concatenated.
    #[serde(with = "crate::packed")]
    pub(super) tokens: Vec<u32>,
    /// `token_ends[i]`: end of phrase `i`'s tokens in `tokens`.
    #[serde(with = "crate::packed")]
    pub(super) token_ends: Vec<u32>,
    /// Per-report counts of every phrase, packed ([`PerDoc`]), concatenated; stored in chunks
    /// like the other columns, so that it too can be written without being held whole
    /// ([`SpilledPhrases`]).
    #[serde(with = "crate::packed")]
    pub(super) per_doc: Vec<u8>,
    /// `per_doc_ends[i]`: end of phrase `i`'s packed counts in `per_doc`.
    #[serde(with = "crate::packed")]
    pub(super) per_doc_ends: Vec<u64>,
    /// tf, df, branching, quoted and numeric of each phrase; mostly small numbers, stored as
    /// variable-length integers.
    #[serde(with = "fixed_column")]
    pub(super) fixed: FixedColumn,
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
        self.fixed.plain().push(Fixed {
            tf: p.tf,
            df: p.df,
            left: p.left,
            right: p.right,
            quoted: p.quoted,
            numeric: p.numeric,
            open_after: p.open_after,
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
        let fixed = self.fixed.plain();
        match &other.fixed {
            FixedColumn::Plain(v) => fixed.extend_from_slice(&v[..n]),
            other => fixed.extend((0..n).filter_map(|i| other.get(i))),
        }
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
        self.fixed.plain().reserve_exact(more.phrases);
    }

    /// Removes every phrase, keeping the columns' room for reuse.
    pub fn clear(&mut self) {
        self.tokens.clear();
        self.token_ends.clear();
        self.per_doc.clear();
        self.per_doc_ends.clear();
        self.fixed.truncate(0);
    }

    /// Releases spare capacity of the arenas.
    pub fn shrink_to_fit(&mut self) {
        self.tokens.shrink_to_fit();
        self.token_ends.shrink_to_fit();
        self.per_doc.shrink_to_fit();
        self.per_doc_ends.shrink_to_fit();
        match &mut self.fixed {
            FixedColumn::Plain(v) => v.shrink_to_fit(),
            FixedColumn::Encoded(e) => {
                e.bytes.shrink_to_fit();
                e.ends.shrink_to_fit();
            }
        }
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
            open_after: f.open_after,
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

/// One column of a [`SpilledPhrases`]: its records' little-endian bytes in a scratch file,
/// appended part by part.
#[derive(Debug)]
struct Column {
    file: crate::format::Scratch,
    records: usize,
}

impl Column {
    fn new(dir: &std::path::Path) -> std::io::Result<Column> {
        Ok(Column {
            file: crate::format::Scratch::new(dir)?,
            records: 0,
        })
    }

    /// Appends `records` records, whose bytes `put` writes to a buffer.
    fn append(
        &mut self,
        records: usize,
        put: impl FnOnce(&mut Vec<u8>),
        buf: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        buf.clear();
        put(buf);
        self.file.append_bytes(buf)?;
        self.records += records;
        Ok(())
    }

    /// Appends the column's records to `out`, read a chunk at a time.
    fn read_into<T: crate::packed::Record>(&self, out: &mut Vec<T>) -> std::io::Result<()> {
        use std::io::Read;
        let mut r = self.file.reader()?;
        let mut buf = vec![0u8; (1 << 20) / T::WIDTH * T::WIDTH];
        let mut left = self.records;
        while left > 0 {
            let n = left.min(buf.len() / T::WIDTH);
            let bytes = &mut buf[..n * T::WIDTH];
            r.read_exact(bytes)?;
            T::get_all(bytes, out);
            left -= n;
        }
        Ok(())
    }

    /// The column as the packed array it stands for.
    fn packed<T: crate::packed::Record>(&self, varint: bool) -> PackedColumn<'_, T> {
        PackedColumn {
            column: self,
            varint,
            record: std::marker::PhantomData,
        }
    }
}

/// A [`Column`] serialised as the packed array of its records.
struct PackedColumn<'a, T> {
    column: &'a Column,
    varint: bool,
    record: std::marker::PhantomData<T>,
}

impl<T: crate::packed::Record> Serialize for PackedColumn<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        use std::io::Read;
        let scratch = |e: std::io::Error| S::Error::custom(format!("scratch file: {e}"));
        let mut r = self.column.file.reader().map_err(scratch)?;
        crate::packed::serialize_read::<T, S>(self.column.records, self.varint, s, |b| {
            r.read_exact(b)
        })
    }
}

/// Phrases appended part by part ([`SpilledPhrases::push`]) to scratch files in a folder, one
/// per column, each part's offsets shifted by what came before, as [`Phrases::append`] does.
/// It serialises as the [`Phrases`] of all parts together would, reading the files back a
/// chunk at a time, so the list is never in memory whole (count's output under a memory
/// budget); [`SpilledPhrases::read_back`] reads it back whole instead. The files are unnamed
/// temporary files, removed by the system when they are closed; their pages are the page
/// cache's, not the process's own memory.
#[derive(Debug)]
pub struct SpilledPhrases {
    tokens: Column,
    token_ends: Column,
    per_doc: Column,
    per_doc_ends: Column,
    fixed: Column,
    /// A buffer for the bytes of one part's column.
    buf: Vec<u8>,
}

impl SpilledPhrases {
    /// An empty list, with its scratch files in `dir`.
    pub fn new(dir: &std::path::Path) -> std::io::Result<SpilledPhrases> {
        Ok(SpilledPhrases {
            tokens: Column::new(dir)?,
            token_ends: Column::new(dir)?,
            per_doc: Column::new(dir)?,
            per_doc_ends: Column::new(dir)?,
            fixed: Column::new(dir)?,
            buf: Vec::new(),
        })
    }

    /// What the columns hold.
    pub fn size(&self) -> PhrasesSize {
        PhrasesSize {
            phrases: self.fixed.records,
            tokens: self.tokens.records,
            per_doc: self.per_doc.records,
        }
    }

    /// Appends every phrase of `part`, in order. Fails, appending nothing, when the token
    /// arena would outgrow 32-bit offsets (`Ok(Err(PhrasesFull))`), or with the error of a
    /// scratch file.
    pub fn push(&mut self, part: &Phrases) -> std::io::Result<Result<(), PhrasesFull>> {
        use crate::packed::Record;
        let n = part.len();
        let base = self.tokens.records;
        if u32::try_from(base + part.tokens.len()).is_err() {
            return Ok(Err(PhrasesFull));
        }
        let buf = &mut self.buf;
        self.tokens.append(
            part.tokens.len(),
            |b| part.tokens.iter().for_each(|t| t.put(b)),
            buf,
        )?;
        self.token_ends.append(
            n,
            |b| {
                for &e in &part.token_ends[..n] {
                    e.saturating_add(base as u32).put(b);
                }
            },
            buf,
        )?;
        let base = self.per_doc.records as u64;
        self.per_doc.append(
            part.per_doc.len(),
            |b| b.extend_from_slice(&part.per_doc),
            buf,
        )?;
        self.per_doc_ends.append(
            n,
            |b| {
                for &e in &part.per_doc_ends[..n] {
                    e.saturating_add(base).put(b);
                }
            },
            buf,
        )?;
        self.fixed.append(
            n,
            |b| {
                (0..n)
                    .filter_map(|i| part.fixed.get(i))
                    .for_each(|f| f.put(b))
            },
            buf,
        )?;
        Ok(Ok(()))
    }

    /// Every phrase pushed, then those of `last`, read back into columns of exactly their
    /// size.
    pub fn read_back(self, last: &Phrases) -> std::io::Result<Result<Phrases, PhrasesFull>> {
        let mut all = Phrases::new();
        let mut size = self.size();
        size += last.size();
        all.reserve_exact(size);
        self.tokens.read_into(&mut all.tokens)?;
        self.token_ends.read_into(&mut all.token_ends)?;
        self.per_doc.read_into(&mut all.per_doc)?;
        self.per_doc_ends.read_into(&mut all.per_doc_ends)?;
        self.fixed.read_into(all.fixed.plain())?;
        Ok(all.append(last).map(|()| all))
    }
}

/// Stored as the [`Phrases`] of every part pushed.
impl Serialize for SpilledPhrases {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Phrases", 5)?;
        st.serialize_field("tokens", &self.tokens.packed::<u32>(false))?;
        st.serialize_field("token_ends", &self.token_ends.packed::<u32>(false))?;
        st.serialize_field("per_doc", &self.per_doc.packed::<u8>(false))?;
        st.serialize_field("per_doc_ends", &self.per_doc_ends.packed::<u64>(false))?;
        st.serialize_field("fixed", &self.fixed.packed::<Fixed>(true))?;
        st.end()
    }
}
