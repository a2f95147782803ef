//! The compare stage's output: the slogans judged formulaic, ranked, with everything the
//! report stage shows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::counts::DocInfo;

/// The kind of a slogan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Numeral + measure or position word: 四个意识, 两个维护, 一府一委两院.
    Numbered,
    /// Parallel items joined by 、: 有件必备、有备必审、有错必纠.
    Enumeration,
    /// Mostly occurs inside quotes.
    Quoted,
    /// A long fixed sequence recurring verbatim.
    Formula,
    /// Any other recurring term.
    Term,
}

impl Kind {
    /// The name used in `slogans.tsv`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Numbered => "numbered",
            Kind::Enumeration => "enumeration",
            Kind::Quoted => "quoted",
            Kind::Formula => "formula",
            Kind::Term => "term",
        }
    }
}

/// One keyword-in-context line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kwic {
    /// Index of the document in [`Comparison::docs`].
    pub doc: u32,
    /// Text before the phrase.
    pub left: String,
    /// The phrase as it stands in the text.
    pub phrase: String,
    /// Text after the phrase.
    pub right: String,
}

/// One slogan: a row of `slogans.tsv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slogan {
    /// Rank from 1, by df, then tf, then phrase.
    pub rank: u32,
    /// The phrase, enumerations with 、 between items.
    pub phrase: String,
    /// Kind.
    pub kind: Kind,
    /// Reports the phrase occurs in.
    pub df: u32,
    /// `df` as a percentage of all reports.
    pub df_pct: f64,
    /// Occurrences in the corpus.
    pub tf: u32,
    /// Combined quality score (see the README for its parts).
    pub score: f64,
    /// Gries' deviation of proportions, normalised: 0 spread evenly, near 1 all in one report.
    pub dp: f64,
    /// Cohesion: normalised PMI over the weakest split (1 for a single token).
    pub cohesion: f64,
    /// Left branching entropy.
    pub left_entropy: f64,
    /// Right branching entropy.
    pub right_entropy: f64,
    /// Share of occurrences inside quotes.
    pub quoted_share: f64,
    /// Number of tokens.
    pub n_tokens: u32,
    /// First year it occurs in, when years are known.
    pub first_year: Option<u16>,
    /// Last year it occurs in, when years are known.
    pub last_year: Option<u16>,
    /// The head of its family (itself when it heads one).
    pub family: String,
    /// `(document index, occurrences)` for each report it occurs in.
    pub per_doc: Vec<(u32, u32)>,
    /// `(year, df)` for each year it occurs in.
    pub per_year: Vec<(u16, u32)>,
    /// A few keyword-in-context lines.
    pub kwic: Vec<Kwic>,
}

/// A group of reports under `--group-by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// Group value (`npc`, `2025`, `北京市` … or `(unknown)`).
    pub name: String,
    /// Reports in the group.
    pub n_docs: u32,
}

/// One row of `compare-FIELD.tsv`: a slogan in a group, with keyness against the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// Group name.
    pub group: String,
    /// Phrase.
    pub phrase: String,
    /// Reports of the group containing the phrase.
    pub df: u32,
    /// `df` as a percentage of the group's reports.
    pub df_pct: f64,
    /// Reports of the rest containing the phrase.
    pub df_rest: u32,
    /// Log-likelihood G2 of the document counts, group against rest.
    pub g2: f64,
    /// Log ratio (log2 of the ratio of relative document frequencies, 0.5 added to zeros).
    pub log_ratio: f64,
}

/// A comparison of groups of reports by one metadata field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupComparison {
    /// The metadata field grouped by.
    pub field: String,
    /// The groups, by name.
    pub groups: Vec<GroupInfo>,
    /// Rows by group, then descending keyness.
    pub rows: Vec<GroupRow>,
}

/// Corpus-level figures for report headers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusSummary {
    /// Reports.
    pub n_docs: u32,
    /// Characters of cleaned text.
    pub n_chars: u64,
    /// Tokens.
    pub n_tokens: u64,
    /// Phrases counted by the count stage.
    pub n_phrases: u64,
    /// Earliest and latest year, when known.
    pub years: Option<(u16, u16)>,
}

/// The compare stage's output: `compare.bin`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Corpus figures.
    pub summary: CorpusSummary,
    /// The settings used, for the report header (name → value, as text).
    pub settings: BTreeMap<String, String>,
    /// The reports.
    pub docs: Vec<DocInfo>,
    /// The slogans, ranked.
    pub slogans: Vec<Slogan>,
    /// Group comparisons, one per `--group-by` field.
    pub groups: Vec<GroupComparison>,
}
