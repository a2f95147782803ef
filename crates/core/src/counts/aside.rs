//! count.bin read with its per-report counts set aside in a scratch file: the compare stage
//! under a memory budget. The per-report counts are most of count.bin, and compare reads them
//! only for the phrases it scores and ranks, a few at a time; everything else is read as
//! [`Counts`] always is.

use std::path::Path;

use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};
use serde::Deserializer;

use super::per_doc::PerDocRepr;
use super::{Counts, PerDoc, Phrases};
use crate::format::{FormatError, Header, Scratch, Stage};
use crate::packed::{ToFile, Unpacked};

/// The per-report counts of a [`Counts`] read by [`read_aside`]: the packed bytes of every
/// phrase, end to end, in a [`crate::format::Scratch`] file.
#[derive(Debug)]
pub struct PerDocAside {
    file: Scratch,
    len: u64,
}

/// Where the per-report counts of one phrase lie in a [`PerDocAside`], from
/// [`PerDocAside::span`]: enough to read them back once the phrase list is gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsideSpan {
    start: u64,
    end: u64,
}

impl PerDocAside {
    /// The per-report counts of phrase `i` of `phrases`, the list they were read with, read
    /// into `buf`. Offsets out of range or out of order give an empty list, as
    /// [`Phrases::get`] does.
    pub fn read<'b>(
        &self,
        phrases: &Phrases,
        i: usize,
        buf: &'b mut Vec<u8>,
    ) -> std::io::Result<PerDoc<'b>> {
        self.read_span(self.span(phrases, i), buf)
    }

    /// Where the per-report counts of phrase `i` of `phrases`, the list they were read with,
    /// lie; offsets out of range or out of order give an empty span.
    pub fn span(&self, phrases: &Phrases, i: usize) -> AsideSpan {
        let ends = &phrases.per_doc_ends;
        let start = if i == 0 {
            Some(0)
        } else {
            ends.get(i - 1).copied()
        };
        match (start, ends.get(i)) {
            (Some(start), Some(&end)) if start <= end && end <= self.len => {
                AsideSpan { start, end }
            }
            _ => AsideSpan::default(),
        }
    }

    /// The per-report counts at `span` (from [`PerDocAside::span`]), read into `buf`.
    pub fn read_span<'b>(
        &self,
        span: AsideSpan,
        buf: &'b mut Vec<u8>,
    ) -> std::io::Result<PerDoc<'b>> {
        buf.clear();
        buf.resize((span.end - span.start) as usize, 0);
        self.file.read_at(buf, span.start)?;
        Ok(PerDoc(PerDocRepr::Packed(buf)))
    }
}

/// Reads the count.bin at `path` as [`crate::format::read`] does, checked whole, except that
/// the per-report counts go to a scratch file in `dir` instead of memory: the phrases of the
/// [`Counts`] returned have empty per-report counts, which [`PerDocAside::read`] reads back.
pub fn read_aside(path: &Path, dir: &Path) -> Result<(Header, Counts, PerDocAside), FormatError> {
    let io = |source| FormatError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let file = Scratch::new(dir).map_err(io)?;
    let (header, (counts, len)) = crate::format::read_seed(path, Stage::Count, CountsSeed(&file))?;
    Ok((header, counts, PerDocAside { file, len }))
}

/// Decodes [`Counts`] field by field, the per-report counts into a file.
struct CountsSeed<'a>(&'a Scratch);

const COUNTS_FIELDS: &[&str] = &[
    "docs",
    "vocab",
    "n_tokens",
    "unigram_tf",
    "min_df",
    "phrases",
    "skipped",
];

const PHRASES_FIELDS: &[&str] = &["tokens", "token_ends", "per_doc", "per_doc_ends", "fixed"];

/// The next field of a struct decoded as a sequence, or an error naming it when it is missing.
fn field<'de, A: SeqAccess<'de>, T: serde::Deserialize<'de>>(
    seq: &mut A,
    name: &str,
) -> Result<T, A::Error> {
    seq.next_element()?
        .ok_or_else(|| A::Error::custom(format!("missing field `{name}`")))
}

impl<'de> DeserializeSeed<'de> for CountsSeed<'_> {
    type Value = (Counts, u64);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(Counts, u64), D::Error> {
        d.deserialize_struct("Counts", COUNTS_FIELDS, self)
    }
}

impl<'de> Visitor<'de> for CountsSeed<'_> {
    type Value = (Counts, u64);
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the count stage's output")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(Counts, u64), A::Error> {
        let docs = field(&mut seq, "docs")?;
        let vocab = field(&mut seq, "vocab")?;
        let n_tokens = field(&mut seq, "n_tokens")?;
        let Unpacked::<u64, false>(unigram_tf) = field(&mut seq, "unigram_tf")?;
        let min_df = field(&mut seq, "min_df")?;
        let (phrases, len) = seq
            .next_element_seed(PhrasesSeed(self.0))?
            .ok_or_else(|| A::Error::custom("missing field `phrases`"))?;
        let skipped = field(&mut seq, "skipped")?;
        let counts = Counts {
            docs,
            vocab,
            n_tokens,
            unigram_tf,
            min_df,
            phrases,
            skipped,
        };
        Ok((counts, len))
    }
}

/// Reads the phrases' fixed records kept encoded.
struct FixedSeed;

impl<'de> DeserializeSeed<'de> for FixedSeed {
    type Value = super::phrases::FixedColumn;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        super::phrases::deserialize_fixed_encoded(d)
    }
}

/// Decodes [`Phrases`] with its per-report counts into a file.
struct PhrasesSeed<'a>(&'a Scratch);

impl<'de> DeserializeSeed<'de> for PhrasesSeed<'_> {
    type Value = (Phrases, u64);
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(Phrases, u64), D::Error> {
        d.deserialize_struct("Phrases", PHRASES_FIELDS, self)
    }
}

impl<'de> Visitor<'de> for PhrasesSeed<'_> {
    type Value = (Phrases, u64);
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of phrases")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(Phrases, u64), A::Error> {
        let Unpacked::<u32, false>(tokens) = field(&mut seq, "tokens")?;
        let Unpacked::<u32, false>(token_ends) = field(&mut seq, "token_ends")?;
        let len = seq
            .next_element_seed(ToFile(self.0))?
            .ok_or_else(|| A::Error::custom("missing field `per_doc`"))?;
        let Unpacked::<u64, false>(per_doc_ends) = field(&mut seq, "per_doc_ends")?;
        // Kept as count.bin stores them, so that the list costs half as much; compare looks
        // up the few it scores.
        let fixed = seq
            .next_element_seed(FixedSeed)?
            .ok_or_else(|| A::Error::custom("missing field `fixed`"))?;
        let phrases = Phrases {
            tokens,
            token_ends,
            per_doc: Vec::new(),
            per_doc_ends,
            fixed,
        };
        Ok((phrases, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::{Branching, PhraseStats};

    fn sample() -> Counts {
        let phrases: Phrases = (0..5000u32)
            .map(|i| PhraseStats {
                tokens: vec![i / 7, i % 7 + 1, i % 3][..1 + i as usize % 3].to_vec(),
                tf: 2 + i % 11,
                df: 1 + i % 5,
                per_doc: (0..1 + i % 40)
                    .map(|d| (d * 3 + i % 2, 1 + d % 4))
                    .collect(),
                left: Branching {
                    distinct: i % 13,
                    boundary: i % 2,
                    entropy: i as f32 / 100.0,
                },
                quoted: i % 4,
                ..PhraseStats::default()
            })
            .collect();
        Counts {
            n_tokens: 123_456,
            unigram_tf: (0..900).collect(),
            min_df: 2,
            phrases,
            ..Counts::default()
        }
    }

    #[test]
    fn reads_everything_but_the_per_report_counts_which_are_read_back_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("count.bin");
        let counts = sample();
        crate::format::write(&path, Stage::Count, 1, 2, &counts).unwrap();
        let (h, lean, aside) = read_aside(&path, dir.path()).unwrap();
        assert_eq!(h, crate::format::read_header(&path, None).unwrap());
        assert_eq!(lean.docs, counts.docs);
        assert_eq!(lean.unigram_tf, counts.unigram_tf);
        assert_eq!(
            (lean.n_tokens, lean.min_df),
            (counts.n_tokens, counts.min_df)
        );
        assert_eq!(lean.phrases.len(), counts.phrases.len());
        assert!(lean.phrases.per_doc.is_empty());
        // The fixed records are kept as count.bin stores them, and stand for the same ones.
        assert!(matches!(
            lean.phrases.fixed,
            super::super::phrases::FixedColumn::Encoded(_)
        ));
        assert_eq!(lean.phrases.fixed, counts.phrases.fixed);
        let mut buf = Vec::new();
        for (i, p) in counts.phrases.iter().enumerate() {
            let q = lean.phrases.get(i).unwrap();
            assert_eq!(
                (q.tokens, q.tf, q.df, q.left, q.quoted),
                (p.tokens, p.tf, p.df, p.left, p.quoted)
            );
            assert_eq!(aside.read(&lean.phrases, i, &mut buf).unwrap(), p.per_doc);
        }
        // Past the end: nothing, no panic.
        let n = counts.phrases.len();
        assert!(aside.read(&lean.phrases, n, &mut buf).unwrap().is_empty());
    }

    #[test]
    fn a_damaged_count_bin_is_refused_as_read_whole_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("count.bin");
        crate::format::write(&path, Stage::Count, 1, 2, &sample()).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let whole = crate::format::read::<Counts>(&path, Stage::Count).unwrap_err();
        let aside = read_aside(&path, dir.path()).unwrap_err();
        assert_eq!(aside.to_string(), whole.to_string());
    }
}
