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

impl Meta {
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
