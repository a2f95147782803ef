//! The selection: the chosen slogans with their own copies of what the rest of the stage needs,
//! and the examples in context filled from the segmented corpus wave by wave.

use tifa_core::{Kind, Kwic, Progress, SegDoc, Segmented, Vocab};

use crate::{kwic, Config};

/// The slogans of a corpus, chosen and ranked from its counts, with everything the rest of the
/// stage needs copied out of the counts: per-report counts, tokens and measures of each slogan,
/// the report list and the vocabulary. The examples in context then need only the segmented
/// corpus, report by report ([`Selection::examples`]), so the two large inputs never have to be
/// in memory together, nor the whole segmented corpus.
pub struct Selection {
    pub(crate) docs: Vec<tifa_core::DocInfo>,
    pub(crate) vocab: Vocab,
    pub(crate) n_tokens: u64,
    pub(crate) n_phrases: u64,
    pub(crate) min_df: u32,
    /// Input files the clean stage skipped.
    pub(crate) n_skipped: u32,
    /// The slogans in rank order.
    pub(crate) chosen: Vec<Chosen>,
    /// Family head (index into `chosen`) of each slogan.
    pub(crate) heads: Vec<usize>,
}

impl Selection {
    /// Starts the examples in context of the chosen slogans: give it the segmented corpus's
    /// token streams in waves, in corpus order ([`Examples::wave`]), then pass
    /// [`Examples::into_lines`] to [`crate::complete`].
    pub fn examples<'s>(&'s self, config: &Config, progress: &'s dyn Progress) -> Examples<'s> {
        progress.start("compare: examples", self.docs.len() as u64);
        let n = match config.kwic_slogans {
            0 => self.chosen.len(),
            n => n.min(self.chosen.len()),
        };
        let items: Vec<kwic::Item> = self.chosen[..n]
            .iter()
            .map(|c| (c.tokens.as_slice(), c.others.as_slice(), c.per_doc.view()))
            .collect();
        Examples {
            lines: kwic::Lines::new(
                items,
                self.docs.len(),
                config.kwic_per_slogan,
                config.kwic_context_chars,
            ),
            vocab: &self.vocab,
            progress,
        }
    }
}

/// The examples in context of a [`Selection`], filled wave by wave of reports.
pub struct Examples<'s> {
    lines: kwic::Lines<'s>,
    vocab: &'s Vocab,
    progress: &'s dyn Progress,
}

impl Examples<'_> {
    /// Reports per wave that keeps every thread busy (any size gives the same lines).
    pub fn wave_size() -> usize {
        kwic::wave_size()
    }

    /// Takes the lines of a wave of `(report index, text, token stream)`, in corpus order.
    pub fn wave(&mut self, docs: &[(usize, &str, &SegDoc)]) {
        self.lines.wave(docs, self.vocab);
        self.progress.inc(docs.len() as u64);
    }

    /// Takes the lines of a whole segmented corpus in memory.
    pub fn segmented(&mut self, seg: &Segmented) {
        let progress = self.progress;
        self.lines.segmented(seg, |n| progress.inc(n as u64));
    }

    /// The lines of each slogan, in rank order.
    pub fn into_lines(self) -> Vec<Vec<Kwic>> {
        self.progress.finish();
        self.lines.into_lines()
    }
}

/// A chosen slogan with its own copy of what it needs from the counts.
#[derive(Clone)]
pub(crate) struct Chosen {
    /// Index of its counted phrase.
    pub(crate) index: u32,
    pub(crate) tokens: Vec<u32>,
    /// The other token sequences of its text, whose counts it holds too
    /// (`rank::merge_same_texts`): its examples are taken from any of them.
    pub(crate) others: Vec<Vec<u32>>,
    /// Packed: a big corpus's million slogans hold tens of millions of entries.
    pub(crate) per_doc: tifa_core::PackedPerDoc,
    pub(crate) text: tifa_core::CompactString,
    pub(crate) kind: Kind,
    pub(crate) evidence: &'static str,
    pub(crate) df: u32,
    pub(crate) tf: u32,
    pub(crate) score: f64,
    pub(crate) dp: f64,
    pub(crate) cohesion: f64,
    pub(crate) quoted_share: f64,
    pub(crate) left_entropy: f32,
    pub(crate) right_entropy: f32,
}
