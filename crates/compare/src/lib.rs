//! tifa's compare stage: from the statistics of every recurring phrase to a ranked list of
//! formulaic slogans (提法), with their families, spread over reports and years, examples in
//! context, and comparisons between groups of reports.
//!
//! The stage is one function, [`run`], which is [`select`] (from the count stage's [`Counts`])
//! then [`complete`] (with the segment stage's [`Segmented`], for examples in context), so that
//! a caller can free the counts before the corpus is needed. It works in five steps:
//!
//! 1. **Candidates** (`candidates.rs`). A candidate starts and ends with a word, never with a
//!    particle or function word or punctuation; it may hold the enumeration comma 、 between
//!    items (`shape.rs`); its length, kind (`classify.rs`) and branching entropy are checked.
//! 2. **Maximality** (`maximal.rs`). A phrase whose occurrences nearly all sit inside one longer
//!    phrase (one more word, or one more item across 、) is a fragment of that phrase, not a
//!    unit of its own.
//!    A formulation nearly always introduced by the same verb comes back as a candidate of its
//!    own (`introduced.rs`), the verbs learned from the corpus's marked formulations.
//! 3. **Part counts and score** (`parts.rs`, `score.rs`). Cohesion (normalised PMI over the
//!    weakest split), boundary freedom (branching entropy on the weaker side), dispersion
//!    (Gries' DP) and formulaic signals (numbered, enumerated, quoted, long) are measured and
//!    combined into a `score` (`measures.rs`); the evidence then says whether the unit is a
//!    slogan, a name or vocabulary (`evidence.rs`).
//! 4. **Rank** (`rank.rs`). Slogans are ranked by document frequency, then term frequency, then
//!    phrase; each names its family head (`family.rs`).
//! 5. **Context and groups** (`lib.rs`, [`complete`]). Per-year document frequency,
//!    keyword-in-context lines (`kwic.rs`) and keyness by group of reports (`groups.rs`).
//!
//! Every threshold is in [`Config`], whose default is `config/compare.toml`. Parallel work is
//! collected in input order and sorted afterwards, so the output is the same for any number of
//! threads.

use std::collections::BTreeMap;

use rayon::prelude::*;
use tifa_core::{
    Comparison, CorpusSummary, Counts, Kwic, PerDocAside, Progress, Segmented, Slogan,
};

mod candidates;
mod classify;
mod config;
mod contain;
mod evidence;
mod examples;
mod family;
mod groups;
mod introduced;
mod kwic;
mod maximal;
mod measures;
mod members;
mod parts;
mod rank;
mod score;
mod selection;
mod shape;
mod trie;

pub use config::{Config, Weights};
pub use examples::examples_from_file;
pub use selection::{Examples, Selection};

/// What can go wrong in the compare stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The count and segment outputs describe different corpora.
    #[error("count and segment outputs disagree: {counts} reports counted, {segmented} segmented")]
    DocMismatch {
        /// Reports in the counts.
        counts: usize,
        /// Reports in the segmented corpus.
        segmented: usize,
    },
    /// A counted phrase names a token id the vocabulary does not have.
    #[error("counted phrase {index} holds token id {id}, outside the vocabulary of {vocab} terms")]
    TokenOutOfRange {
        /// Index of the phrase in the counts.
        index: usize,
        /// The token id.
        id: u32,
        /// Size of the vocabulary.
        vocab: usize,
    },
    /// A counted phrase names a report that does not exist.
    #[error("counted phrase {index} occurs in report {doc}, but there are {docs} reports")]
    DocOutOfRange {
        /// Index of the phrase in the counts.
        index: usize,
        /// The report index.
        doc: u32,
        /// Number of reports.
        docs: usize,
    },
    /// segment.bin could not be read for the examples.
    #[error(transparent)]
    Read(#[from] tifa_core::FormatError),
    /// segment.bin changed while tifa was running.
    #[error("{path}: changed while tifa was running")]
    Changed {
        /// The file.
        path: String,
    },
    /// The per-report counts set aside in a scratch file could not be read back.
    #[error("reading back the per-report counts set aside: {0}")]
    Aside(std::io::Error),
    /// The thread taking the examples stopped.
    #[error("taking the examples in context failed")]
    ExamplesFailed,
    /// A setting is out of range.
    #[error("invalid compare setting `{key}`: {reason}")]
    Config {
        /// The setting.
        key: &'static str,
        /// Why it is invalid.
        reason: String,
    },
}

impl Error {
    /// True when the counts contradict themselves: a count.bin that passed its checksum yet
    /// is damaged (or was made by a different tifa).
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            Error::TokenOutOfRange { .. } | Error::DocOutOfRange { .. }
        )
    }
}

/// Progress is reported in chunks so that a bar is not hammered from every worker thread.
const CHUNK: usize = 4096;

/// Candidates handled together where the working set grows with them: maximality's automaton
/// (about 80 bytes a candidate) and the split parts' counts (on a big corpus a million
/// candidates have about seven million distinct parts, which with their frequencies and table
/// take about 120 MB).
const GROUP: usize = 1 << 20;

/// Chosen slogans made into rows at a time ([`Completed::into_comparison`]).
const SLOGAN_CHUNK: usize = 1 << 16;

/// Rows made at a time while they are written ([`Completed::streamed`]): enough to keep every
/// core busy, a few megabytes.
const ROWS_WRITTEN: usize = 1 << 13;

/// Runs the compare stage: scores, classifies, ranks and groups the slogans of a corpus.
/// [`select`] then [`complete`]; a caller that holds the counts only to pass them here can call
/// the two itself and free the counts in between.
pub fn run(
    counts: &Counts,
    seg: &Segmented,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Comparison, Error> {
    if counts.docs.len() != seg.docs.len() {
        return Err(Error::DocMismatch {
            counts: counts.docs.len(),
            segmented: seg.docs.len(),
        });
    }
    let selection = select(counts, None, config, progress)?;
    let mut examples = selection.examples(config, progress);
    examples.segmented(seg);
    let lines = examples.into_lines();
    complete(selection, lines, seg.docs.len(), config, progress)
}

/// Steps 1 to 4: checks the counts, then finds, measures, ranks and groups into families the
/// slogans among the counted phrases. `aside` holds the phrases' per-report counts when the
/// counts were read without them ([`tifa_core::read_aside`]): only the phrases scored and
/// ranked are read back from it, one at a time.
pub fn select(
    counts: &Counts,
    aside: Option<&PerDocAside>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Selection, Error> {
    let accepted = accept(counts, aside, config, progress)?;
    rank::rank(counts, aside, accepted, config, progress)
}

/// [`select`] on counts it takes over, read with their per-report counts set aside (under a
/// memory budget): the same selection, but the counts are let go of once the ranked slogans
/// have taken their tokens, so that their copies of the per-report counts, read back from
/// `aside`, never come on top of the counts.
pub fn select_owned(
    counts: Counts,
    aside: &PerDocAside,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Selection, Error> {
    let accepted = accept(&counts, Some(aside), config, progress)?;
    rank::rank_owned(counts, aside, accepted, config, progress)
}

/// Steps 1 to 3: the slogans and names among the counted phrases, measured, in any order.
fn accept(
    counts: &Counts,
    aside: Option<&PerDocAside>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Vec<score::Accepted>, Error> {
    config.validate()?;
    progress.start("compare: checks", 0);
    candidates::check_ids(counts)?;
    progress.finish();
    let lexicon = shape::Lexicon::new(&counts.vocab, config);
    let found = candidates::find(counts, &lexicon, config, progress);
    let found = maximal::keep_maximal(counts, found, &lexicon, config, progress);
    let found = introduced::add_introduced(counts, found, &lexicon, config, progress);
    let cohesion = parts::cohesions(counts, &found, &lexicon, progress);
    // The parts' term frequencies were made and let go of on other threads.
    tifa_core::memory::give_back();
    score::score_all(counts, aside, found, &cohesion, config, progress)
}

/// Step 5: per-year spread and examples in context from the segmented corpus, then the group
/// comparisons; `seg` must be the corpus the selection's counts were made from.
pub fn complete(
    selection: Selection,
    lines: Vec<Vec<Kwic>>,
    n_streams: usize,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Comparison, Error> {
    Ok(prepare(selection, lines, n_streams, config, progress)?.into_comparison(progress))
}

/// Step 5 up to the rows: the families, the members and the group comparisons, from the chosen
/// slogans, which the rows are then made from, held whole ([`Completed::into_comparison`],
/// which is [`complete`]) or written out a chunk at a time ([`Completed::streamed`]).
pub fn prepare(
    selection: Selection,
    lines: Vec<Vec<Kwic>>,
    n_streams: usize,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Completed, Error> {
    config.validate()?;
    let Selection {
        docs,
        n_tokens,
        n_phrases,
        min_df,
        n_skipped,
        chosen,
        heads,
        ..
    } = selection;
    if docs.len() != n_streams {
        return Err(Error::DocMismatch {
            counts: docs.len(),
            segmented: n_streams,
        });
    }
    let n_docs = docs.len();
    // Each report's date (its manifest's `date`, else its year), read once.
    let doc_dates: Vec<Option<tifa_core::When>> = docs.iter().map(|d| d.meta.date()).collect();
    let mut lines = lines;
    lines.resize_with(chosen.len(), Vec::new);

    let items: Vec<members::Item> = chosen
        .iter()
        .enumerate()
        .map(|(r, c)| members::Item {
            rank: r as u32 + 1,
            phrase: &c.text,
            kind: c.kind,
            per_doc: c.per_doc.view(),
        })
        .collect();
    let members = members::members(&items, config);
    drop(items);

    // Group comparisons.
    progress.start("compare: groups", config.group_by.len() as u64);
    let mut fields: Vec<&String> = Vec::new();
    for f in &config.group_by {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    // Names are listed apart, never counted as slogans: no group is typical of a name.
    let items: Vec<groups::Item> = if fields.is_empty() {
        Vec::new()
    } else {
        chosen
            .iter()
            .filter(|c| c.kind.is_slogan())
            .map(|c| groups::Item {
                phrase: &c.text,
                per_doc: c.per_doc.view(),
            })
            .collect()
    };
    for f in &fields {
        let known = docs
            .iter()
            .any(|d| d.meta.field(f).is_some_and(|v| !v.is_empty()));
        if !known && !docs.is_empty() {
            progress.warn(&format!(
                "grouping by `{f}`: no report has that field (region, level, body, year or a \
                 manifest column), so every report is in {}",
                groups::UNKNOWN
            ));
        }
    }
    let groups = fields
        .iter()
        .map(|f| {
            let g = groups::compare(f, &docs, &items, config.max_group_rows);
            progress.inc(1);
            g
        })
        .collect();
    drop(items);
    progress.finish();

    let years = docs.iter().filter_map(|d| d.meta.year);
    let years = years.clone().min().zip(years.max());
    let mut settings = config.settings();
    settings.insert("count.min_df".to_string(), min_df.to_string());
    Ok(Completed {
        summary: CorpusSummary {
            n_docs: n_docs as u32,
            n_chars: docs.iter().map(|d| d.chars).sum(),
            n_tokens,
            n_phrases,
            years,
            n_skipped,
        },
        settings,
        docs,
        doc_dates,
        chosen,
        lines,
        heads,
        members,
        groups,
    })
}

/// A comparison but for its rows, with the chosen slogans and example lines they are made from
/// ([`prepare`]).
pub struct Completed {
    summary: CorpusSummary,
    settings: BTreeMap<String, String>,
    docs: Vec<tifa_core::DocInfo>,
    /// Each report's date, its manifest's `date`, else its year.
    doc_dates: Vec<Option<tifa_core::When>>,
    /// The slogans in rank order.
    chosen: Vec<selection::Chosen>,
    /// The example lines of each slogan.
    lines: Vec<Vec<Kwic>>,
    /// Family head (index into `chosen`) of each slogan.
    heads: Vec<usize>,
    /// The members of the slogans that have any, by index.
    members: Vec<(usize, Vec<String>)>,
    groups: Vec<tifa_core::GroupComparison>,
}

impl Completed {
    /// Number of slogans.
    pub fn len(&self) -> usize {
        self.chosen.len()
    }

    /// Number of them that are names (kind `name`: listed apart, never counted as slogans).
    pub fn names(&self) -> usize {
        self.chosen.iter().filter(|c| !c.kind.is_slogan()).count()
    }

    /// True when no slogan was found.
    pub fn is_empty(&self) -> bool {
        self.chosen.is_empty()
    }

    /// The row of the slogan ranked `r + 1`, made from its chosen copy and example lines, but
    /// for its family and members.
    fn row(&self, r: usize, c: selection::Chosen, kwic: Vec<Kwic>) -> Slogan {
        let mut per_year: BTreeMap<u16, u32> = BTreeMap::new();
        let (mut first, mut last): (Option<&tifa_core::When>, Option<&tifa_core::When>) =
            (None, None);
        for (d, _) in c.per_doc.iter() {
            if let Some(y) = self.docs.get(d as usize).and_then(|d| d.meta.year) {
                *per_year.entry(y).or_insert(0) += 1;
            }
            if let Some(Some(w)) = self.doc_dates.get(d as usize) {
                if first.is_none_or(|f| w.before(f)) {
                    first = Some(w);
                }
                if last.is_none_or(|l| l.before(w)) {
                    last = Some(w);
                }
            }
        }
        Slogan {
            rank: r as u32 + 1,
            phrase: c.text,
            kind: c.kind,
            df: c.df,
            df_pct: groups::pct(u64::from(c.df), self.docs.len() as u64),
            tf: c.tf,
            score: round(c.score),
            dp: round(c.dp),
            cohesion: round(c.cohesion),
            left_entropy: round(f64::from(c.left_entropy)),
            right_entropy: round(f64::from(c.right_entropy)),
            quoted_share: round(c.quoted_share),
            evidence: c.evidence.into(),
            n_tokens: c.tokens.len() as u32,
            first_year: per_year.keys().next().copied(),
            last_year: per_year.keys().next_back().copied(),
            first_date: first.map(|w| w.text.as_str().into()),
            last_date: last.map(|w| w.text.as_str().into()),
            family: Default::default(),
            members: Vec::new(),
            per_doc: c.per_doc,
            per_year: per_year.into_iter().collect(),
            kwic,
        }
    }

    /// The whole comparison. The chosen slogans and their example lines are consumed, so each
    /// slogan's phrase, counts and examples move into its row instead of being copied. They are
    /// taken from the end, a chunk at a time, and the chosen list shrinks as the rows' list
    /// grows (then turned around): on a big corpus the two lists are hundreds of megabytes,
    /// never held whole together.
    pub fn into_comparison(mut self, progress: &dyn Progress) -> Comparison {
        progress.start("compare: slogans", self.chosen.len() as u64);
        let mut chosen = std::mem::take(&mut self.chosen);
        let mut lines = std::mem::take(&mut self.lines);
        let mut slogans = Vec::with_capacity(chosen.len());
        while !chosen.is_empty() {
            let start = chosen.len().saturating_sub(SLOGAN_CHUNK);
            let (tail, tail_lines) = (chosen.split_off(start), lines.split_off(start));
            chosen.shrink_to_fit();
            lines.shrink_to_fit();
            let mut made: Vec<Slogan> = tail
                .into_par_iter()
                .zip(tail_lines)
                .enumerate()
                .map(|(i, (c, kwic))| self.row(start + i, c, kwic))
                .collect();
            progress.inc(made.len() as u64);
            made.reverse();
            slogans.append(&mut made);
        }
        slogans.reverse();
        // Each slogan's family head, and the members of the few that have any, set in place:
        // on a big corpus a list with an entry per slogan is tens of megabytes.
        for (r, &h) in self.heads.iter().enumerate() {
            if let Some(family) = slogans.get(h).map(|s| s.phrase.clone()) {
                slogans[r].family = family;
            }
        }
        for (r, m) in std::mem::take(&mut self.members) {
            slogans[r].members = m;
        }
        progress.finish();
        Comparison {
            summary: self.summary,
            settings: self.settings,
            docs: self.docs,
            slogans,
            groups: self.groups,
        }
    }

    /// The comparison to serialise as [`Comparison`] is, byte for byte, its rows made from
    /// copies a chunk at a time as they are written, so they are never held whole: compare
    /// under a memory budget writes compare.bin with it.
    pub fn streamed<'a>(&'a self, progress: &'a dyn Progress) -> Streamed<'a> {
        Streamed {
            completed: self,
            progress,
        }
    }

    /// The row of the slogan ranked `r + 1`, copied, with its family and members.
    fn row_copied(&self, r: usize) -> Slogan {
        let c = &self.chosen[r];
        let mut s = self.row(r, c.clone(), self.lines.get(r).cloned().unwrap_or_default());
        if let Some(head) = self.heads.get(r).and_then(|&h| self.chosen.get(h)) {
            s.family = head.text.clone();
        }
        if let Ok(k) = self.members.binary_search_by_key(&r, |m| m.0) {
            s.members = self.members[k].1.clone();
        }
        s
    }
}

/// A [`Completed`] serialised as the [`Comparison`] it stands for ([`Completed::streamed`]).
pub struct Streamed<'a> {
    completed: &'a Completed,
    progress: &'a dyn Progress,
}

/// The same fields in the same order as [`Comparison`]'s.
impl serde::Serialize for Streamed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let c = self.completed;
        let mut st = s.serialize_struct("Comparison", 5)?;
        st.serialize_field("summary", &c.summary)?;
        st.serialize_field("settings", &c.settings)?;
        st.serialize_field("docs", &c.docs)?;
        st.serialize_field("slogans", &StreamedRows(self))?;
        st.serialize_field("groups", &c.groups)?;
        st.end()
    }
}

/// The rows of a [`Streamed`], made a chunk at a time on every core as they are written.
struct StreamedRows<'a>(&'a Streamed<'a>);

impl serde::Serialize for StreamedRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let (c, progress) = (self.0.completed, self.0.progress);
        let n = c.len();
        progress.start("compare: slogans", n as u64);
        let mut seq = s.serialize_seq(Some(n))?;
        for start in (0..n).step_by(ROWS_WRITTEN) {
            let end = (start + ROWS_WRITTEN).min(n);
            let made: Vec<Slogan> = (start..end)
                .into_par_iter()
                .map(|r| c.row_copied(r))
                .collect();
            for row in &made {
                seq.serialize_element(row)?;
            }
            progress.inc(made.len() as u64);
        }
        progress.finish();
        seq.end()
    }
}

/// Rounds a measure to 6 decimals so that the written numbers are short and stable.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests;
