//! The clean stage's output: the reports of the corpus as cleaned text with metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Metadata of one report. Every field is `None` when unknown; `extra` holds any further
/// columns of `manifest.tsv` (for `--group-by` on them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// Region, e.g. `北京市`, `全国` for national reports.
    pub region: Option<String>,
    /// `national`, `provincial`, `city` or `county`.
    pub level: Option<String>,
    /// `government`, `npc`, `cppcc`, `party`, `court`, `procuratorate` or `media`.
    pub body: Option<String>,
    /// Year the report was given.
    pub year: Option<u16>,
    /// Further manifest columns, by column name.
    pub extra: BTreeMap<String, String>,
}

/// When a report was given, as far as its metadata says: a sortable text (`2024`, `2024-03`,
/// `2024-03-05`) and the same as a fractional year.
#[derive(Debug, Clone, PartialEq)]
pub struct When {
    /// The date as written (or the year).
    pub text: String,
    /// Years, with months as twelfths and days as 365ths.
    pub years: f64,
    /// True when the date is only a year.
    pub year_only: bool,
    /// The date's Julian day number (of the first of its month when it gives no day); 0 when
    /// the date is only a year.
    pub days: i64,
}

/// Days in a mean Gregorian year: a lag in days over this is a lag in years.
const DAYS_PER_YEAR: f64 = 365.2425;

impl When {
    /// The lag from `earlier` to this date, in years: when both dates give at least the month,
    /// the days between them (from the first of a month without a day) over the mean year of
    /// 365.2425 days; else the difference of the years.
    pub fn lag_after(&self, earlier: &When) -> f64 {
        if self.year_only || earlier.year_only {
            self.years.floor() - earlier.years.floor()
        } else {
            (self.days - earlier.days) as f64 / DAYS_PER_YEAR
        }
    }

    /// True when this date is surely before `other`: compared as far as both say, so that
    /// `2025-01` is not before `2025-01-14` (it may be the 20th), nor `2025` before `2025-03`.
    pub fn surely_before(&self, other: &When) -> bool {
        // The text is `YYYY`, `YYYY-MM` or `YYYY-MM-DD`: its common prefix is the date both
        // give.
        let shared = self.text.len().min(other.text.len());
        self.text.as_bytes()[..shared] < other.text.as_bytes()[..shared]
    }

    /// True when this date comes before `other` (by date, then by text).
    pub fn before(&self, other: &When) -> bool {
        self.years < other.years || (self.years == other.years && self.text < other.text)
    }

    /// Parses `YYYY-MM-DD` or `YYYY-MM` (also with `/` or `.` between the parts); `None` for
    /// anything else, a day the month does not have (`2022-02-30`) included.
    pub fn parse(s: &str) -> Option<When> {
        let parts: Vec<&str> = s.trim().split(['-', '/', '.']).collect();
        let num = |p: &str, lo: u32, hi: u32| {
            p.parse::<u32>()
                .ok()
                .filter(|v| (lo..=hi).contains(v) && !p.is_empty())
        };
        let (y, m, d) = match parts.as_slice() {
            [y, m] => (num(y, 1000, 9999)?, num(m, 1, 12)?, None),
            [y, m, d] => (num(y, 1000, 9999)?, num(m, 1, 12)?, Some(num(d, 1, 31)?)),
            _ => return None,
        };
        // A day the month has (not 2022-02-30), and the day number of the date.
        let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
        let day = u8::try_from(d.unwrap_or(1)).ok()?;
        let date = time::Date::from_calendar_date(i32::try_from(y).ok()?, month, day).ok()?;
        let text = match d {
            Some(d) => format!("{y:04}-{m:02}-{d:02}"),
            None => format!("{y:04}-{m:02}"),
        };
        let years = f64::from(y) + f64::from(m - 1) / 12.0 + f64::from(d.unwrap_or(1) - 1) / 365.0;
        Some(When {
            text,
            years,
            year_only: false,
            days: i64::from(date.to_julian_day()),
        })
    }
}

impl Meta {
    /// The manifest's `date` column (`YYYY-MM-DD` or `YYYY-MM`) when it holds a valid one: the
    /// `date` of `slogan-reports.tsv` and of Python's `documents`.
    pub fn given_date(&self) -> Option<When> {
        self.extra.get("date").and_then(|d| When::parse(d))
    }

    /// The report's date: [`Meta::given_date`] when there is one, else its year; `None` when
    /// neither is known.
    pub fn date(&self) -> Option<When> {
        if let Some(d) = self.given_date() {
            return Some(d);
        }
        let y = self.year?;
        Some(When {
            text: y.to_string(),
            years: f64::from(y),
            year_only: true,
            days: 0,
        })
    }

    /// The value of a metadata field by name (`region`, `level`, `body`, `year` or any manifest
    /// column), as text; `None` when unknown.
    pub fn field(&self, name: &str) -> Option<String> {
        match name {
            "region" => self.region.clone(),
            "level" => self.level.clone(),
            "body" => self.body.clone(),
            "year" => self.year.map(|y| y.to_string()),
            other => self.extra.get(other).cloned(),
        }
    }
}

/// One report after cleaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Stable identifier: the input file's path relative to the corpus folder, plus `#N` for the
    /// N-th report (from 1) of a compilation file.
    pub id: String,
    /// Title of the report.
    pub title: String,
    /// The input file, relative to the corpus folder.
    pub source: String,
    /// Metadata, from `manifest.tsv` or inferred.
    pub meta: Meta,
    /// Cleaned text, paragraphs joined by `\n`.
    pub text: String,
}

/// One row of `clean-log.tsv`: what cleaning did to one report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CleanLogRow {
    /// Document id.
    pub id: String,
    /// Detected encoding of the input file.
    pub encoding: String,
    /// Characters of the report before cleaning.
    pub chars_in: u64,
    /// Characters of the cleaned text.
    pub chars_out: u64,
    /// Lines (or spans) removed, by reason (`page_number`, `advert`, `mojibake` …).
    pub removed: BTreeMap<String, u64>,
}

/// An input file that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The file, relative to the corpus folder.
    pub source: String,
    /// Why it was skipped.
    pub reason: String,
}

/// The whole cleaned corpus: `clean.bin`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corpus {
    /// The reports, in a deterministic order (by source path, then position in the file).
    pub documents: Vec<Document>,
    /// What cleaning did, one row per report.
    pub log: Vec<CleanLogRow>,
    /// Input files that were skipped.
    pub skipped: Vec<Skipped>,
}

/// A cleaned corpus whose reports wait in a scratch file instead of memory: the clean stage
/// under a memory budget appends them wave by wave ([`SpilledCorpus::push`]) and then writes
/// clean.bin from it ([`SpilledCorpus::write`]), byte for byte the [`Corpus`] of the same
/// reports, log and skipped files. The reports wait in a [`crate::format::Scratch`] file in the
/// folder given (the work folder).
pub struct SpilledCorpus {
    file: crate::format::Scratch,
    documents: usize,
    /// What cleaning did, one row per report (small: held in memory).
    pub log: Vec<CleanLogRow>,
    /// Input files that were skipped.
    pub skipped: Vec<Skipped>,
}

impl SpilledCorpus {
    /// An empty corpus spilling to a scratch file in `dir`.
    pub fn new(dir: &std::path::Path) -> std::io::Result<SpilledCorpus> {
        Ok(SpilledCorpus {
            file: crate::format::Scratch::new(dir)?,
            documents: 0,
            log: Vec::new(),
            skipped: Vec::new(),
        })
    }

    /// Appends the next reports, in corpus order, with their log rows.
    pub fn push(&mut self, documents: Vec<Document>, log: Vec<CleanLogRow>) -> Result<(), String> {
        self.file.append(&documents)?;
        self.documents += documents.len();
        self.log.extend(log);
        Ok(())
    }

    /// Reports pushed.
    pub fn documents(&self) -> usize {
        self.documents
    }

    /// Writes clean.bin to `path`: byte for byte the [`Corpus`] of every report pushed, whose
    /// reports are copied from the scratch file as they were encoded there, not decoded and
    /// encoded again.
    pub fn write(
        &self,
        path: &std::path::Path,
        input_fingerprint: u64,
        config_fingerprint: u64,
    ) -> Result<crate::Header, crate::FormatError> {
        let stage = crate::Stage::Clean;
        crate::format::write_parts(path, stage, input_fingerprint, config_fingerprint, |p| {
            let scratch = |e| format!("scratch file: {e}");
            // The fields of `Corpus` in order: the reports, the log, the skipped files.
            p.len(self.documents)?;
            p.copy(&mut self.file.replay().map_err(scratch)?)
                .map_err(scratch)?;
            p.value(&self.log)?;
            p.value(&self.skipped)
        })
    }
}

/// Reads the texts of a cleaned corpus wave by wave instead of whole, with
/// [`crate::format::read_seed`]: the texts are handed to `each` as they are decoded, in waves
/// of at least `bytes` bytes (the last may be smaller), as bytes (not checked as UTF-8: the
/// file's checksum says tifa wrote them from strings); everything else is read past. A reader
/// that searches the texts (`tifa lookup`) then holds a few waves instead of the corpus, and
/// can search one wave while the next is decoded. The value is the number of reports.
pub struct TextWaves<F> {
    /// Bytes of text per wave (at least one text).
    pub bytes: usize,
    /// Called with each wave of texts, in the corpus's order.
    pub each: F,
}

impl<'de, F: FnMut(Vec<Vec<u8>>)> serde::de::DeserializeSeed<'de> for TextWaves<F> {
    type Value = usize;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_struct("Corpus", &["documents", "log", "skipped"], self)
    }
}

impl<'de, F: FnMut(Vec<Vec<u8>>)> serde::de::Visitor<'de> for TextWaves<F> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a cleaned corpus")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<usize, A::Error> {
        let each = |wave: Vec<TextOnly>| (self.each)(wave.into_iter().map(|t| t.0).collect());
        waves(&mut seq, self.bytes, |t: &TextOnly| t.0.len(), each, |_| {})
    }
}

/// Reads the reports of a cleaned corpus wave by wave, whole, with
/// [`crate::format::read_seed`]: each wave of at least `bytes` bytes of text (the last may be
/// smaller) is handed to `each` in the corpus's order. The value is the skipped input files;
/// the log is read past. The segment stage under a memory budget holds a wave at a time.
pub struct DocumentWaves<F> {
    /// Bytes of text per wave (at least one report).
    pub bytes: usize,
    /// Called with each wave of reports, in the corpus's order.
    pub each: F,
}

impl<'de, F: FnMut(Vec<Document>)> serde::de::DeserializeSeed<'de> for DocumentWaves<F> {
    type Value = Vec<Skipped>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Skipped>, D::Error> {
        d.deserialize_struct("Corpus", &["documents", "log", "skipped"], self)
    }
}

impl<'de, F: FnMut(Vec<Document>)> serde::de::Visitor<'de> for DocumentWaves<F> {
    type Value = Vec<Skipped>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a cleaned corpus")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Skipped>, A::Error> {
        let mut skipped = Vec::new();
        let size = |d: &Document| d.text.len();
        waves(&mut seq, self.bytes, size, self.each, |s| skipped.push(s))?;
        Ok(skipped)
    }
}

/// Reads a cleaned corpus's three fields from `seq`: its reports as `T`, handed to `each` in
/// waves of at least `bytes` by `size`, its log read past, and its skipped files handed to
/// `skipped`. Returns the number of reports.
fn waves<'de, A, T>(
    seq: &mut A,
    bytes: usize,
    size: impl Fn(&T) -> usize,
    mut each: impl FnMut(Vec<T>),
    skipped: impl FnMut(Skipped),
) -> Result<usize, A::Error>
where
    A: serde::de::SeqAccess<'de>,
    T: Deserialize<'de>,
{
    use serde::de::Error;
    let missing = |i| A::Error::invalid_length(i, &"3 fields");
    let mut n = 0;
    let mut wave = Vec::new();
    let mut held = 0;
    seq.next_element_seed(crate::skim::Each::new(|d: T| {
        n += 1;
        held += size(&d);
        wave.push(d);
        if held >= bytes {
            each(std::mem::take(&mut wave));
            held = 0;
        }
    }))?
    .ok_or_else(|| missing(0))?;
    if !wave.is_empty() {
        each(wave);
    }
    seq.next_element_seed(crate::skim::Each::new(|_: CleanLogRow| {}))?
        .ok_or_else(|| missing(1))?;
    seq.next_element_seed(crate::skim::Each::new(skipped))?
        .ok_or_else(|| missing(2))?;
    Ok(n)
}

/// The text of a [`Document`], the other fields read past. Reads the fields in their order:
/// the test `text_waves_hand_over_every_text_in_order` fails when they change.
struct TextOnly(Vec<u8>);

impl<'de> Deserialize<'de> for TextOnly {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<TextOnly, D::Error> {
        d.deserialize_struct(
            "Document",
            &["id", "title", "source", "meta", "text"],
            TextOnlyVisitor,
        )
    }
}

struct TextOnlyVisitor;

impl<'de> serde::de::Visitor<'de> for TextOnlyVisitor {
    type Value = TextOnly;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a report")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<TextOnly, A::Error> {
        use crate::skim::{Bytes, SkippedStr};
        use serde::de::Error;
        let missing = |i| A::Error::invalid_length(i, &"5 fields");
        for i in 0..3 {
            seq.next_element::<SkippedStr>()?
                .ok_or_else(|| missing(i))?;
        }
        seq.next_element::<Meta>()?.ok_or_else(|| missing(3))?;
        let text = seq.next_element::<Bytes>()?.ok_or_else(|| missing(4))?;
        Ok(TextOnly(text.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spilled_corpus_writes_the_bytes_of_the_corpus_it_holds() {
        let doc = |i: usize| Document {
            id: format!("r{i}.txt"),
            title: format!("报告{i}"),
            source: format!("r{i}.txt"),
            meta: Meta {
                year: Some(2000 + i as u16),
                ..Meta::default()
            },
            text: "全过程人民民主".repeat(i),
        };
        let row = |i: usize| CleanLogRow {
            id: format!("r{i}.txt"),
            chars_out: 7 * i as u64,
            ..CleanLogRow::default()
        };
        let corpus = Corpus {
            documents: (0..300).map(doc).collect(),
            log: (0..300).map(row).collect(),
            skipped: vec![Skipped {
                source: "bad.txt".into(),
                reason: "empty".into(),
            }],
        };
        let dir = tempfile::tempdir().unwrap();
        let mut spilled = SpilledCorpus::new(dir.path()).unwrap();
        for (lo, hi) in [(0, 1), (1, 1), (1, 120), (120, 300)] {
            spilled
                .push((lo..hi).map(doc).collect(), (lo..hi).map(row).collect())
                .unwrap();
        }
        spilled.skipped = corpus.skipped.clone();
        assert_eq!(spilled.documents(), 300);
        let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
        crate::format::write(&a, crate::Stage::Clean, 1, 2, &corpus).unwrap();
        // Written twice: each write reads the scratch file from its start.
        for _ in 0..2 {
            spilled.write(&b, 1, 2).unwrap();
            assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        }
        // The scratch file is unnamed: nothing is left in the folder but the two outputs.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_date_is_surely_before_another_only_as_far_as_both_say() {
        let w = |s: &str| When::parse(s).unwrap();
        let year = |y: u16| {
            Meta {
                year: Some(y),
                ..Meta::default()
            }
            .date()
            .unwrap()
        };
        assert!(When::parse("2022-02-30").is_none());
        assert!(When::parse("2024-02-29").is_some());
        assert!(When::parse("2023-02-29").is_none());
        assert!(w("2024-12").surely_before(&w("2025-01-14")));
        assert!(w("2025-01-13").surely_before(&w("2025-01-14")));
        assert!(!w("2025-01").surely_before(&w("2025-01-14")));
        assert!(!w("2025-01-14").surely_before(&w("2025-01")));
        assert!(!year(2025).surely_before(&w("2025-03")));
        assert!(year(2024).surely_before(&w("2025-03")));
        assert!(!w("2025-03").surely_before(&year(2025)));
    }

    #[test]
    fn a_lag_between_days_is_the_days_over_the_mean_year() {
        let w = |s: &str| When::parse(s).unwrap();
        assert_eq!(w("2000-03-01").days - w("1970-01").days, 11_017);
        // 2025-01-15 to 2025-03-05: 49 days.
        let lag = w("2025-01-15").lag_after(&w("2025-03-05"));
        assert!((lag - -49.0 / 365.2425).abs() < 1e-12, "{lag}");
        // 2024-03-05 to 2025-01-15: 316 days, across a leap day.
        let lag = w("2025-01-15").lag_after(&w("2024-03-05"));
        assert!((lag - 316.0 / 365.2425).abs() < 1e-12, "{lag}");
        // A month without a day counts from its first.
        let lag = w("2025-03").lag_after(&w("2025-01-01"));
        assert!((lag - 59.0 / 365.2425).abs() < 1e-12, "{lag}");
        let year = Meta {
            year: Some(2020),
            ..Meta::default()
        }
        .date()
        .unwrap();
        assert_eq!(w("2025-03-05").lag_after(&year), 5.0);
    }

    #[test]
    fn text_waves_hand_over_every_text_in_order() {
        let doc = |i: usize, text: &str| Document {
            id: format!("r{i}.txt"),
            title: format!("报告{i}"),
            source: format!("r{i}.txt"),
            meta: Meta {
                region: Some("北京市".into()),
                year: Some(2025),
                extra: [("date".to_string(), "2025-01".to_string())].into(),
                ..Meta::default()
            },
            text: text.into(),
        };
        let texts = ["增强“四个意识”", "", "两个确立", "一带一路一带一路"];
        let corpus = Corpus {
            documents: texts.iter().enumerate().map(|(i, t)| doc(i, t)).collect(),
            log: vec![CleanLogRow {
                id: "r0.txt".into(),
                removed: [("advert".to_string(), 2)].into(),
                ..CleanLogRow::default()
            }],
            skipped: vec![Skipped {
                source: "bad.txt".into(),
                reason: "empty".into(),
            }],
        };
        // Every field of a report is one the reader reads past or takes: a new field fails
        // to compile here until `TextOnly` reads it.
        let Document {
            id: _,
            title: _,
            source: _,
            meta: _,
            text: _,
        } = &corpus.documents[0];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clean.bin");
        crate::format::write(&path, crate::Stage::Clean, 0, 0, &corpus).unwrap();
        for bytes in [0, 8, 1 << 20] {
            let mut waves: Vec<Vec<Vec<u8>>> = Vec::new();
            let each = |w| waves.push(w);
            let (_, n) =
                crate::format::read_seed(&path, crate::Stage::Clean, TextWaves { bytes, each })
                    .unwrap();
            assert_eq!(n, texts.len());
            let got: Vec<&[u8]> = waves.iter().flatten().map(Vec::as_slice).collect();
            let want: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
            assert_eq!(got, want, "waves of {bytes} bytes");
            assert!(waves.iter().all(|w| !w.is_empty()));
            if bytes == 0 {
                assert_eq!(waves.len(), texts.len());
            }
            // The same waves of whole reports, and the skipped files after them.
            let mut waves: Vec<Vec<Document>> = Vec::new();
            let each = |w| waves.push(w);
            let (_, skipped) =
                crate::format::read_seed(&path, crate::Stage::Clean, DocumentWaves { bytes, each })
                    .unwrap();
            assert_eq!(skipped, corpus.skipped);
            assert!(waves.iter().all(|w| !w.is_empty()));
            if bytes == 0 {
                assert_eq!(waves.len(), texts.len());
            }
            assert_eq!(waves.concat(), corpus.documents, "waves of {bytes} bytes");
        }
    }
}
