//! Reading parts of an intermediate without building them, for readers that need little of a
//! large file (`tifa lookup`): sequences handed over element by element instead of collected,
//! strings read past as bytes.

use serde::Deserialize;

/// A string read past: taken as bytes, so that it is neither checked as UTF-8 nor kept.
pub(crate) struct SkippedStr;

impl<'de> Deserialize<'de> for SkippedStr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SkippedStr, D::Error> {
        d.deserialize_byte_buf(SkippedStr)
    }
}

impl serde::de::Visitor<'_> for SkippedStr {
    type Value = SkippedStr;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, _: &str) -> Result<SkippedStr, E> {
        Ok(SkippedStr)
    }

    fn visit_bytes<E>(self, _: &[u8]) -> Result<SkippedStr, E> {
        Ok(SkippedStr)
    }
}

/// A sequence whose elements are handed to a function one by one instead of collected.
pub(crate) struct Each<T, F>(F, std::marker::PhantomData<fn(T)>);

impl<T, F> Each<T, F> {
    pub(crate) fn new(f: F) -> Self {
        Each(f, std::marker::PhantomData)
    }
}

impl<'de, T: Deserialize<'de>, F: FnMut(T)> serde::de::DeserializeSeed<'de> for Each<T, F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>, F: FnMut(T)> serde::de::Visitor<'de> for Each<T, F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(x) = seq.next_element::<T>()? {
            (self.0)(x);
        }
        Ok(())
    }
}

/// A string taken as its bytes, without checking that they are UTF-8: for a reader that
/// searches bytes, on a file whose checksum says tifa wrote it (from a `String`).
pub(crate) struct Bytes(pub(crate) Vec<u8>);

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        d.deserialize_byte_buf(BytesVisitor)
    }
}

struct BytesVisitor;

impl serde::de::Visitor<'_> for BytesVisitor {
    type Value = Bytes;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, v: &str) -> Result<Bytes, E> {
        Ok(Bytes(v.as_bytes().to_vec()))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<Bytes, E> {
        Ok(Bytes(v.to_vec()))
    }

    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Bytes, E> {
        Ok(Bytes(v))
    }
}

#[cfg(test)]
mod tests {
    use crate::format::{self, Stage};
    use crate::{SomeSlogans, TextWaves};
    use proptest::prelude::*;

    /// Bytes encoded as themselves: a payload of exactly these bytes, with a valid checksum.
    struct Raw(Vec<u8>);

    impl serde::Serialize for Raw {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeTuple;
            let mut t = s.serialize_tuple(self.0.len())?;
            for b in &self.0 {
                t.serialize_element(b)?;
            }
            t.end()
        }
    }

    proptest! {
        /// Arbitrary payloads behind a good header are refused or read, never a panic, and
        /// never read as more texts than they have bytes.
        #[test]
        fn partial_readers_take_any_payload(
            noise in prop::collection::vec(any::<u8>(), 0..300),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
            valid in any::<bool>(),
        ) {
            // Either noise, or a good payload of each stage with a few bytes changed.
            let mut bytes = noise;
            if valid {
                let doc = crate::Document {
                    id: "r.txt".into(),
                    title: "报告".into(),
                    source: "r.txt".into(),
                    meta: crate::Meta::default(),
                    text: "增强“四个意识”".into(),
                };
                let corpus = crate::Corpus {
                    documents: vec![doc.clone(), doc],
                    ..Default::default()
                };
                bytes = format::encode(Stage::Clean, 0, 0, &corpus).unwrap()[format::HEADER_LEN..].to_vec();
                for (i, b) in &flips {
                    let at = i.index(bytes.len());
                    bytes[at] = *b;
                }
            }
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("x.bin");
            for stage in [Stage::Clean, Stage::Compare] {
                format::write(&path, stage, 0, 0, &Raw(bytes.clone())).unwrap();
                let mut n = 0usize;
                let each = |w: Vec<Vec<u8>>| n += w.len();
                let _ = format::read_seed(&path, stage, TextWaves { bytes: 16, each });
                prop_assert!(n <= bytes.len());
                let keep = |p: &str, _| !p.is_empty();
                let _ = format::read_seed(&path, stage, SomeSlogans { keep });
            }
        }
    }
}
