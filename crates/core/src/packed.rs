//! Large arrays of fixed-width records (token ids, offsets, per-report counts) as they are
//! stored in an intermediate: a sequence of byte strings, each holding whole records in
//! little-endian order.
//!
//! The general encoding writes an array element by element, each integer a variable-length
//! integer; for the hundreds of millions of ids in a big corpus that is most of the time spent
//! writing and reading an intermediate. Stored as byte strings, an array is encoded and decoded
//! chunk by chunk with plain byte copies. Chunks keep the extra memory while writing to one
//! chunk, whatever the array's size, and the byte order is fixed whatever the machine's.
//!
//! Used through serde's field attributes: `#[serde(with = "crate::packed")]` on a `Vec<T>` whose
//! `T` is [`Record`].

use serde::de::{Error as _, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Deserializer, Serializer};

/// Bytes per stored chunk, at most (a chunk holds whole records).
const CHUNK_BYTES: usize = 1 << 20;

/// A fixed-width record that can be stored in a packed array.
pub trait Record: Sized {
    /// Bytes per record.
    const WIDTH: usize;
    /// Appends the record's little-endian bytes to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// Reads a record from exactly [`Record::WIDTH`] bytes.
    fn get(b: &[u8]) -> Self;
    /// Appends the records of `b`, a whole number of them, to `out`.
    fn get_all(b: &[u8], out: &mut Vec<Self>) {
        out.extend(b.chunks_exact(Self::WIDTH).map(Self::get));
    }
    /// Appends the records' bytes to `out`.
    fn put_all(v: &[Self], out: &mut Vec<u8>) {
        v.iter().for_each(|r| r.put(out));
    }
}

/// Reads the little-endian `u32` at `at` of `b`; callers pass records of their full width.
fn u32_le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl Record for u32 {
    const WIDTH: usize = 4;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> u32 {
        u32_le(b, 0)
    }
}

impl Record for u64 {
    const WIDTH: usize = 8;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
    fn get(b: &[u8]) -> u64 {
        u64::from(u32_le(b, 0)) | (u64::from(u32_le(b, 4)) << 32)
    }
}

impl Record for u8 {
    const WIDTH: usize = 1;
    fn put(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn get(b: &[u8]) -> u8 {
        b[0]
    }
    fn get_all(b: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(b);
    }
    fn put_all(v: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(v);
    }
}

impl Record for (u32, u32) {
    const WIDTH: usize = 8;
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.0.to_le_bytes());
        out.extend_from_slice(&self.1.to_le_bytes());
    }
    fn get(b: &[u8]) -> (u32, u32) {
        (u32_le(b, 0), u32_le(b, 4))
    }
}

/// A borrowed byte string, serialised as bytes rather than as a sequence of numbers.
pub(crate) struct Bytes<'a>(pub(crate) &'a [u8]);

impl serde::Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// An owned byte string read back.
struct ByteBuf(Vec<u8>);

impl<'de> serde::Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ByteBuf, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

/// Serialises `v` as a sequence of byte strings of whole records.
pub fn serialize<T: Record, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
    serialize_chunks(v, s, T::WIDTH, T::put_all)
}

/// A borrowed array, serialised as [`serialize`] does: for a writer that stores a packed array
/// outside a derived struct.
pub(crate) struct Packed<'a, T>(pub(crate) &'a [T]);

impl<T: Record> serde::Serialize for Packed<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize(self.0, s)
    }
}

/// Serialises `len` records as [`serialize`] (or, with `varint`, [`varint::serialize`]) would
/// a slice of them, taking their little-endian bytes a chunk at a time from `read`: a writer
/// can then store an array it never holds whole (count's output under a memory budget).
pub(crate) fn serialize_read<T: Record, S: Serializer>(
    len: usize,
    varint: bool,
    s: S,
    mut read: impl FnMut(&mut [u8]) -> std::io::Result<()>,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error;
    let record_bytes = if varint {
        T::WIDTH / 4 * varint::MAX_WORD_BYTES
    } else {
        T::WIDTH
    };
    let per_chunk = (CHUNK_BYTES / record_bytes.max(1)).max(1);
    let mut seq = s.serialize_seq(Some(len.div_ceil(per_chunk)))?;
    let mut raw = vec![0u8; per_chunk.min(len) * T::WIDTH];
    let mut buf = Vec::new();
    let mut left = len;
    while left > 0 {
        let n = left.min(per_chunk);
        let raw = &mut raw[..n * T::WIDTH];
        read(raw).map_err(S::Error::custom)?;
        if varint {
            buf.clear();
            varint::put_words(raw, &mut buf);
            seq.serialize_element(&Bytes(&buf))?;
        } else {
            seq.serialize_element(&Bytes(raw))?;
        }
        left -= n;
    }
    seq.end()
}

/// Serialises `v` as a sequence of byte strings of whole records, the records of each appended
/// by `put` in at most `record_bytes` bytes a record, as many records to a string as fit
/// [`CHUNK_BYTES`].
fn serialize_chunks<T, S: Serializer>(
    v: &[T],
    s: S,
    record_bytes: usize,
    mut put: impl FnMut(&[T], &mut Vec<u8>),
) -> Result<S::Ok, S::Error> {
    let per_chunk = (CHUNK_BYTES / record_bytes.max(1)).max(1);
    let mut seq = s.serialize_seq(Some(v.len().div_ceil(per_chunk)))?;
    let mut buf = Vec::with_capacity(per_chunk.min(v.len()) * record_bytes);
    for chunk in v.chunks(per_chunk) {
        buf.clear();
        put(chunk, &mut buf);
        seq.serialize_element(&Bytes(&buf))?;
    }
    seq.end()
}

/// Reads what [`serialize`] wrote. A chunk that is not a whole number of records is an error.
pub fn deserialize<'de, T: Record, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<'de, T: Record> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "byte strings of {}-byte records", T::WIDTH)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(ByteBuf(b)) = seq.next_element::<ByteBuf>()? {
                if b.len() % T::WIDTH != 0 {
                    return Err(A::Error::invalid_length(
                        b.len(),
                        &"a whole number of records",
                    ));
                }
                // Exact growth: an array of one chunk gets no spare capacity, and a larger one
                // grows by whole chunks (the allocator remaps big blocks instead of copying).
                out.reserve_exact(b.len() / T::WIDTH);
                T::get_all(&b, &mut out);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(V(std::marker::PhantomData))
}

/// An array read as [`deserialize`] (or, with `VARINT`, [`varint::deserialize`]) reads it: for
/// a reader that decodes a packed array outside a derived struct.
pub(crate) struct Unpacked<T, const VARINT: bool>(pub(crate) Vec<T>);

impl<'de, T: Record, const VARINT: bool> serde::Deserialize<'de> for Unpacked<T, VARINT> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if VARINT {
            varint::deserialize(d).map(Unpacked)
        } else {
            deserialize(d).map(Unpacked)
        }
    }
}

/// Reads a packed byte array ([`serialize`] of `u8`s) into a scratch file instead of memory,
/// chunk by chunk; its value is the number of bytes written.
pub(crate) struct ToFile<'a>(pub(crate) &'a crate::format::Scratch);

impl<'de> serde::de::DeserializeSeed<'de> for ToFile<'_> {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        struct V<'a>(&'a crate::format::Scratch);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = u64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("byte strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u64, A::Error> {
                let scratch = |e: std::io::Error| A::Error::custom(format!("scratch file: {e}"));
                let mut len = 0u64;
                // Chunks of a megabyte: each goes to the file as it is.
                while let Some(ByteBuf(b)) = seq.next_element::<ByteBuf>()? {
                    self.0.append_bytes(&b).map_err(scratch)?;
                    len += b.len() as u64;
                }
                Ok(len)
            }
        }
        d.deserialize_seq(V(self.0))
    }
}

/// Plain bytes (`Vec<u8>`), stored as one byte string: `#[serde(with = "crate::packed::bytes")]`.
pub mod bytes {
    use super::{ByteBuf, Bytes};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises `v` as one byte string.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        Bytes(v).serialize(s)
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(ByteBuf::deserialize(d)?.0)
    }
}

/// Records most of whose 32-bit words are small numbers, stored as the variable-length integers
/// (LEB128) of their little-endian words, in byte strings of whole records:
/// `#[serde(with = "crate::packed::varint")]` on a `Vec<T>` whose `T` is a [`Record`] of whole
/// words. count.bin's per-phrase statistics (tf, df, branching, mostly-zero counts of quoted and
/// numeric occurrences) take about 19 bytes a phrase instead of 44, for a decoding that is
/// still one pass over the bytes.
pub mod varint {
    use super::{u32_le, ByteBuf, Record};
    use serde::de::{Error as _, SeqAccess, Visitor};
    use serde::{Deserializer, Serializer};

    /// Most bytes of one word's integer.
    pub(super) const MAX_WORD_BYTES: usize = 5;

    /// Serialises `v` as a sequence of byte strings, each of whole records.
    pub fn serialize<T: Record, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        let mut record = Vec::with_capacity(T::WIDTH);
        let most = T::WIDTH / 4 * MAX_WORD_BYTES;
        super::serialize_chunks(v, s, most, |chunk, buf| {
            for r in chunk {
                record.clear();
                r.put(&mut record);
                put_words(&record, buf);
            }
        })
    }

    /// Appends the variable-length integers of the little-endian 32-bit words `le` to `out`.
    pub(super) fn put_words(le: &[u8], out: &mut Vec<u8>) {
        for w in le.chunks_exact(4) {
            let mut x = u32_le(w, 0);
            while x >= 0x80 {
                out.push((x as u8) | 0x80);
                x >>= 7;
            }
            out.push(x as u8);
        }
    }

    /// Reads what [`serialize`] wrote. A chunk that does not decode to whole records of whole
    /// 32-bit words is an error.
    pub fn deserialize<'de, T: Record, D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        let mut out = Vec::new();
        d.deserialize_seq(Records::<T, _>::new(|record: &[u8], _: Option<&[u8]>| {
            out.push(T::get(record))
        }))?;
        Ok(out)
    }

    /// Records per byte string, as [`serialize`] writes them.
    fn per_chunk<T: Record>() -> usize {
        (super::CHUNK_BYTES / (T::WIDTH / 4 * MAX_WORD_BYTES)).max(1)
    }

    /// Records kept as their integers: every record's bytes end to end, and where each ends.
    /// What [`deserialize_encoded`] reads and [`serialize_encoded`] writes.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub(crate) struct Encoded {
        /// The integers of every record, end to end, each in its shortest form.
        pub(crate) bytes: Vec<u8>,
        /// `ends[i]`: where record `i`'s integers end in `bytes`.
        pub(crate) ends: Vec<u32>,
    }

    impl Encoded {
        /// Appends a record given as its little-endian bytes, or as its integers when `short`
        /// has them in their shortest form; `false`, appending nothing, when the bytes would
        /// outgrow 32-bit offsets.
        pub(crate) fn push(&mut self, le: &[u8], short: Option<&[u8]>) -> bool {
            let at = self.bytes.len();
            match short {
                Some(b) => self.bytes.extend_from_slice(b),
                None => put_words(le, &mut self.bytes),
            }
            match u32::try_from(self.bytes.len()) {
                Ok(end) => {
                    self.ends.push(end);
                    true
                }
                Err(_) => {
                    self.bytes.truncate(at);
                    false
                }
            }
        }

        /// Record `i`'s little-endian bytes, written into `le` (a whole number of words);
        /// `false` when there is no record `i`.
        pub(crate) fn get_le(&self, i: usize, le: &mut [u8]) -> bool {
            let start = if i == 0 {
                0
            } else {
                match self.ends.get(i - 1) {
                    Some(&e) => e as usize,
                    None => return false,
                }
            };
            let Some(b) = self
                .ends
                .get(i)
                .and_then(|&e| self.bytes.get(start..e as usize))
            else {
                return false;
            };
            // Written by `push`, so whole and short; a word the bytes do not reach reads 0.
            let mut bytes = b.iter();
            for w in le.chunks_exact_mut(4) {
                let mut x: u32 = 0;
                for i in 0..MAX_WORD_BYTES {
                    let Some(&byte) = bytes.next() else { break };
                    x |= u32::from(byte & 0x7F)
                        .checked_shl(7 * i as u32)
                        .unwrap_or(0);
                    if byte < 0x80 {
                        break;
                    }
                }
                w.copy_from_slice(&x.to_le_bytes());
            }
            true
        }
    }

    /// Serialises records kept as [`Encoded`]: the same bytes as [`serialize`] of the records
    /// they stand for.
    pub(crate) fn serialize_encoded<T: Record, S: Serializer>(
        v: &Encoded,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let per = per_chunk::<T>();
        let mut seq = s.serialize_seq(Some(v.ends.len().div_ceil(per)))?;
        let mut start = 0usize;
        for chunk in v.ends.chunks(per) {
            let end = chunk.last().map_or(start, |&e| e as usize);
            let bytes = v.bytes.get(start..end).unwrap_or(&[]);
            seq.serialize_element(&super::Bytes(bytes))?;
            start = end;
        }
        seq.end()
    }

    /// Reads what [`serialize`] wrote, keeping the records as their integers (checked as
    /// [`deserialize`] checks them, and each written in its shortest form). `Err(records)`
    /// holds them decoded instead when their integers would outgrow 32-bit offsets.
    pub(crate) fn deserialize_encoded<'de, T: Record, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Result<Encoded, Vec<T>>, D::Error> {
        let mut out: Result<Encoded, Vec<T>> = Ok(Encoded::default());
        d.deserialize_seq(Records::<T, _>::new(
            |record: &[u8], short: Option<&[u8]>| {
                if let Ok(enc) = &mut out {
                    if enc.push(record, short) {
                        return;
                    }
                    let mut plain = Vec::with_capacity(enc.ends.len() + 1);
                    let mut le = vec![0u8; T::WIDTH];
                    for i in 0..enc.ends.len() {
                        enc.get_le(i, &mut le);
                        plain.push(T::get(&le));
                    }
                    out = Err(plain);
                }
                if let Err(plain) = &mut out {
                    plain.push(T::get(record));
                }
            },
        ))?;
        Ok(out)
    }

    /// Decodes byte strings of whole records, handing each record's little-endian bytes to
    /// `each`, with its integers' bytes when they are all in their shortest form.
    struct Records<T, F> {
        each: F,
        record: std::marker::PhantomData<T>,
    }

    impl<T: Record, F: FnMut(&[u8], Option<&[u8]>)> Records<T, F> {
        fn new(each: F) -> Records<T, F> {
            Records {
                each,
                record: std::marker::PhantomData,
            }
        }
    }

    impl<'de, T: Record, F: FnMut(&[u8], Option<&[u8]>)> Visitor<'de> for Records<T, F> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "byte strings of {}-byte records as integers", T::WIDTH)
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let damaged = || A::Error::custom("damaged variable-length integers");
            let mut record = vec![0u8; T::WIDTH];
            while let Some(ByteBuf(b)) = seq.next_element::<ByteBuf>()? {
                let mut at = 0;
                'records: loop {
                    let start = at;
                    // Whether every integer is in its shortest form (no final zero byte after
                    // the first), as [`serialize`] writes them.
                    let mut shortest = true;
                    for (k, w) in record.chunks_exact_mut(4).enumerate() {
                        let mut x: u64 = 0;
                        for i in 0..MAX_WORD_BYTES {
                            let Some(&byte) = b.get(at) else {
                                // The chunk ends between records, or it is cut short.
                                if k == 0 && i == 0 {
                                    break 'records;
                                }
                                return Err(damaged());
                            };
                            at += 1;
                            x |= u64::from(byte & 0x7F) << (7 * i);
                            if byte < 0x80 {
                                shortest &= i == 0 || byte != 0;
                                break;
                            }
                            if i + 1 == MAX_WORD_BYTES {
                                return Err(damaged());
                            }
                        }
                        let x = u32::try_from(x).map_err(|_| damaged())?;
                        w.copy_from_slice(&x.to_le_bytes());
                    }
                    (self.each)(&record, shortest.then(|| &b[start..at]));
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{varint, Record};
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Arrays {
        #[serde(with = "crate::packed")]
        ids: Vec<u32>,
        #[serde(with = "crate::packed")]
        big: Vec<u64>,
        #[serde(with = "crate::packed")]
        pairs: Vec<(u32, u32)>,
        #[serde(with = "crate::packed::bytes")]
        raw: Vec<u8>,
        #[serde(with = "crate::packed::varint")]
        small: Vec<(u32, u32)>,
    }

    fn round_trip(a: &Arrays) -> Arrays {
        let bytes = crate::format::encode(crate::Stage::Count, 0, 0, a).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        std::fs::write(&path, bytes).unwrap();
        crate::format::read(&path, crate::Stage::Count).unwrap().1
    }

    #[test]
    fn arrays_of_every_size_round_trip() {
        // Sizes around the chunk boundary, and empty arrays.
        for n in [0usize, 1, 7, (1 << 18) - 1, 1 << 18, (1 << 18) + 1, 600_000] {
            let a = Arrays {
                ids: (0..n as u32)
                    .map(|i| i.wrapping_mul(2_654_435_761))
                    .collect(),
                big: (0..(n / 3) as u64).map(|i| i << 33 | i).collect(),
                pairs: (0..(n / 5) as u32).map(|i| (i, u32::MAX - i)).collect(),
                raw: (0..n % 1000).map(|i| i as u8).collect(),
                // Every width of integer: 0, 1 to 5 bytes.
                small: (0..(n / 2) as u32)
                    .map(|i| {
                        (
                            i % 3,
                            [0, 1, 127, 128, 16_383, 16_384, 1 << 28, u32::MAX][i as usize % 8],
                        )
                    })
                    .collect(),
            };
            assert_eq!(round_trip(&a), a, "n = {n}");
        }
    }

    #[test]
    fn a_chunk_cut_inside_a_record_is_refused() {
        #[derive(Debug, Serialize, Deserialize)]
        struct Ids {
            #[serde(with = "crate::packed")]
            ids: Vec<u32>,
        }
        // A list of byte lists has the layout of a sequence of byte strings: here one chunk of
        // 6 bytes, which cannot hold whole 4-byte ids.
        let bytes =
            crate::format::encode(crate::Stage::Count, 0, 0, &vec![vec![1u8, 2, 3, 4, 5, 6]])
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        std::fs::write(&path, bytes).unwrap();
        let err = crate::format::read::<Ids>(&path, crate::Stage::Count).unwrap_err();
        assert!(err.to_string().contains("record"), "{err}");
    }

    #[test]
    fn damaged_integers_are_refused_not_read_as_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        // A record cut after its first word; a word of six bytes; a word past 32 bits; a chunk
        // ending inside a word. Then two whole records, which read back.
        let chunks: [&[u8]; 4] = [
            &[5],
            &[0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0],
            &[0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0],
            &[1, 0x80],
        ];
        for chunk in chunks {
            write_chunks(&path, &[chunk]);
            let err = crate::format::read::<Small>(&path, crate::Stage::Count).unwrap_err();
            assert!(err.to_string().contains("variable-length"), "{err}");
            // Kept encoded, they are refused the same way.
            let err = crate::format::read::<Kept>(&path, crate::Stage::Count).unwrap_err();
            assert!(err.to_string().contains("variable-length"), "{err}");
        }
        write_chunks(&path, &[&[1u8, 0x80, 0x01, 0, 0]]);
        let read = crate::format::read::<Small>(&path, crate::Stage::Count)
            .unwrap()
            .1;
        assert_eq!(read.pairs, vec![(1, 128), (0, 0)]);
    }

    /// Pairs of mostly small numbers, stored as variable-length integers.
    #[derive(Debug, Serialize, Deserialize)]
    struct Small {
        #[serde(with = "crate::packed::varint")]
        pairs: Vec<(u32, u32)>,
    }

    /// Writes an intermediate whose payload is these byte strings, as a packed array's chunks.
    fn write_chunks(path: &std::path::Path, chunks: &[&[u8]]) {
        let chunks: Vec<Vec<u8>> = chunks.iter().map(|c| c.to_vec()).collect();
        let bytes = crate::format::encode(crate::Stage::Count, 0, 0, &chunks).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Records read as [`varint::Encoded`] with their own visitor.
    #[derive(Debug)]
    struct Kept(Result<varint::Encoded, Vec<(u32, u32)>>);

    impl<'de> Deserialize<'de> for Kept {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Kept, D::Error> {
            varint::deserialize_encoded::<(u32, u32), D>(d).map(Kept)
        }
    }

    impl Serialize for Kept {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match &self.0 {
                Ok(e) => varint::serialize_encoded::<(u32, u32), S>(e, s),
                Err(v) => varint::serialize(v, s),
            }
        }
    }

    #[test]
    fn records_kept_encoded_read_and_write_as_decoded_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        // Around the chunk boundary (1 MiB over 10 bytes a record), every width of integer.
        for n in [0usize, 1, 104_856, 104_857, 104_858, 300_000] {
            let pairs: Vec<(u32, u32)> = (0..n as u32)
                .map(|i| {
                    (
                        i % 7,
                        [0, 1, 127, 128, 16_384, 1 << 28, u32::MAX][i as usize % 7],
                    )
                })
                .collect();
            let small = Small { pairs };
            let bytes = crate::format::encode(crate::Stage::Count, 0, 0, &small).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            let kept = crate::format::read::<Kept>(&path, crate::Stage::Count)
                .unwrap()
                .1;
            let Ok(enc) = &kept.0 else {
                panic!("n = {n}: decoded")
            };
            assert_eq!(enc.ends.len(), n);
            let mut le = [0u8; 8];
            for (i, p) in small.pairs.iter().enumerate() {
                assert!(enc.get_le(i, &mut le));
                assert_eq!(<(u32, u32) as Record>::get(&le), *p, "n = {n}, record {i}");
            }
            assert!(!enc.get_le(n, &mut le));
            let again = crate::format::encode(crate::Stage::Count, 0, 0, &kept).unwrap();
            assert_eq!(again, bytes, "n = {n}");
        }
        // A longer form than needed is kept in its shortest form.
        write_chunks(&path, &[&[0x81u8, 0x00, 0x80, 0x01]]);
        let kept = crate::format::read::<Kept>(&path, crate::Stage::Count)
            .unwrap()
            .1;
        assert_eq!(kept.0.as_ref().unwrap().bytes, vec![1, 0x80, 0x01]);
    }
}
