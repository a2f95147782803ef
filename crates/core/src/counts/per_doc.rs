//! The per-report counts of a phrase and their packed encoding: variable-length integers.

use std::fmt;

/// The per-report counts of one phrase, `(document index, occurrences)` by document index: a
/// plain slice (a phrase being built) or the packed bytes [`Phrases`] keeps them in. Read them
/// with [`PerDoc::iter`].
///
/// Packed, each entry is one variable-length integer (7 bits a byte, low bits first) holding
/// the gap to the previous document index (zigzag-coded, so any order round-trips) and a flag
/// for a count other than 1, followed by that count when the flag is set. Document indices
/// come in order and most counts are 1, so an entry takes about 2 bytes instead of 8: per-report
/// counts are most of the counts' memory before packing. Bytes that do not decode (a damaged
/// file) end
/// the list early; nothing panics.
#[derive(Clone, Copy)]
pub struct PerDoc<'a>(pub(super) PerDocRepr<'a>);

#[derive(Clone, Copy)]
pub(super) enum PerDocRepr<'a> {
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
    pub(super) fn pack_into(&self, out: &mut Vec<u8>) {
        match self.0 {
            PerDocRepr::Packed(bytes) => out.extend_from_slice(bytes),
            PerDocRepr::Plain(pairs) => {
                let mut prev = -1i64;
                for &pair in pairs {
                    put_pair(out, &mut prev, pair);
                }
            }
        }
    }
}

/// Per-report counts held on their own, `(document index, occurrences)` pairs packed as
/// [`Phrases`](super::Phrases) holds them: about 2 bytes an entry instead of 8, for lists of
/// many phrases' counts held together (compare's chosen slogans, a comparison's rows). Stored
/// and compared as the list of pairs it stands for; read it with [`PackedPerDoc::iter`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PackedPerDoc {
    bytes: Box<[u8]>,
    len: u32,
}

impl PackedPerDoc {
    /// The pairs of `p`, packed (packed bytes are copied as they are).
    pub fn new(p: &PerDoc<'_>) -> PackedPerDoc {
        let mut bytes = Vec::new();
        p.pack_into(&mut bytes);
        PackedPerDoc {
            bytes: bytes.into_boxed_slice(),
            len: u32::try_from(p.iter().count()).unwrap_or(u32::MAX),
        }
    }

    /// The pairs, as a view.
    pub fn view(&self) -> PerDoc<'_> {
        PerDoc(PerDocRepr::Packed(&self.bytes))
    }

    /// The pairs, in order.
    pub fn iter(&self) -> PerDocIter<'_> {
        self.view().iter()
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when there is no pair.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The pairs as a vector.
    pub fn to_vec(&self) -> Vec<(u32, u32)> {
        self.iter().collect()
    }
}

/// Appends the packed form of one pair to `out`, `prev` being the previous pair's document
/// index (-1 before the first).
fn put_pair(out: &mut Vec<u8>, prev: &mut i64, (doc, count): (u32, u32)) {
    let gap = i64::from(doc) - (*prev + 1);
    let zigzag = ((gap << 1) ^ (gap >> 63)) as u64;
    put_varint(out, zigzag << 1 | u64::from(count != 1));
    if count != 1 {
        put_varint(out, u64::from(count));
    }
    *prev = i64::from(doc);
}

/// Packs pairs one by one.
#[derive(Default)]
struct Packer {
    bytes: Vec<u8>,
    len: u32,
    prev: i64,
}

impl Packer {
    fn new() -> Packer {
        Packer {
            prev: -1,
            ..Packer::default()
        }
    }

    fn push(&mut self, pair: (u32, u32)) {
        put_pair(&mut self.bytes, &mut self.prev, pair);
        // A list holds at most one pair per report, and report indices are 32-bit.
        self.len = self.len.saturating_add(1);
    }

    fn done(self) -> PackedPerDoc {
        PackedPerDoc {
            bytes: self.bytes.into_boxed_slice(),
            len: self.len,
        }
    }
}

impl FromIterator<(u32, u32)> for PackedPerDoc {
    fn from_iter<I: IntoIterator<Item = (u32, u32)>>(iter: I) -> PackedPerDoc {
        let mut p = Packer::new();
        iter.into_iter().for_each(|x| p.push(x));
        p.done()
    }
}

impl From<Vec<(u32, u32)>> for PackedPerDoc {
    fn from(v: Vec<(u32, u32)>) -> PackedPerDoc {
        v.into_iter().collect()
    }
}

impl From<&[(u32, u32)]> for PackedPerDoc {
    fn from(v: &[(u32, u32)]) -> PackedPerDoc {
        v.iter().copied().collect()
    }
}

impl<'a> IntoIterator for &'a PackedPerDoc {
    type Item = (u32, u32);
    type IntoIter = PerDocIter<'a>;
    fn into_iter(self) -> PerDocIter<'a> {
        self.iter()
    }
}

impl PartialEq<Vec<(u32, u32)>> for PackedPerDoc {
    fn eq(&self, other: &Vec<(u32, u32)>) -> bool {
        self.iter().eq(other.iter().copied())
    }
}

impl fmt::Debug for PackedPerDoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.view().fmt(f)
    }
}

/// Stored as the list of pairs, as a `Vec<(u32, u32)>` is.
impl serde::Serialize for PackedPerDoc {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for pair in self.iter() {
            seq.serialize_element(&pair)?;
        }
        seq.end()
    }
}

/// Read from the list of pairs, packed as they come.
impl<'de> serde::Deserialize<'de> for PackedPerDoc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PackedPerDoc, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = PackedPerDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of (report, count) pairs")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PackedPerDoc, A::Error> {
                let mut p = Packer::new();
                while let Some(pair) = seq.next_element::<(u32, u32)>()? {
                    p.push(pair);
                }
                Ok(p.done())
            }
        }
        d.deserialize_seq(V)
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

pub(super) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The variable-length integer at `bytes[*at..]`, advancing `at`; `None` when the bytes end
/// first or it does not fit 64 bits.
#[inline]
pub(super) fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
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
