//! The count stage's output: exact statistics of every recurring phrase.

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

/// Exact statistics of one phrase (a token sequence that crosses no hard boundary).
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
}

/// Phrase statistics of the corpus: `count.bin`.
///
/// A phrase is a run of tokens inside one clause: it contains no clause or sentence mark
/// ([`crate::TokenKind::is_hard_boundary`]) and no opening or closing quote, and it neither starts
/// nor ends with the enumeration comma `、`, which it may contain.
///
/// [`Counts::phrases`] holds, for a count run with `min_df`, `max_short` and `max_len`:
/// - every phrase of at most `max_short` tokens (6 by default) that occurs at least twice and in
///   at least `min_df` reports, so both halves of any split of such a phrase are here too when
///   they pass the same thresholds;
/// - every longer phrase, up to `max_len` tokens, that occurs at least twice and in at least
///   `min_df` reports and is closed: no one-token extension to the left or right (that is itself
///   a phrase) has the same term frequency. A phrase of exactly `max_len` tokens counts as closed.
///
/// Not held: phrases that occur once; phrases below `min_df`; phrases longer than `max_short`
/// that always occur inside the same longer phrase (their counts equal those of their shortest
/// closed extension). [`Counts::get`] returns `None` for all of these; the count stage's
/// `lookup` answers for them from the segmented corpus. `unigram_tf` covers every token id,
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
    pub unigram_tf: Vec<u64>,
    /// The `min_df` the phrases were counted with.
    pub min_df: u32,
    /// Every counted phrase, sorted by token ids so [`Counts::get`] can binary-search.
    pub phrases: Vec<PhraseStats>,
}

impl Counts {
    /// Statistics of a phrase given as token ids, if it was counted.
    pub fn get(&self, tokens: &[u32]) -> Option<&PhraseStats> {
        self.phrases
            .binary_search_by(|p| p.tokens.as_slice().cmp(tokens))
            .ok()
            .map(|i| &self.phrases[i])
    }
}
