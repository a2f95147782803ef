//! Step 1, candidates: the checks that need only a phrase's own statistics (document
//! frequency, shape, length by kind, branching entropy), run on every counted phrase in
//! parallel. They are cheap and discard most phrases, so what passes is kept small: the index of
//! its counted phrase, its length and its kind.

use rayon::prelude::*;
use tifa_core::{Counts, Kind, PerDocAside, Phrase, Progress, TokenKind};

use crate::{classify, shape, Config, Error, CHUNK};

/// Refuses counts whose phrases name a token id beyond the vocabulary. Report indices are
/// checked later, only for the chosen slogans ([`check_docs`]): every other reader of the
/// per-report counts looks reports up with a bounds check, and decoding every phrase's packed
/// counts here cost a noticeable share of the stage on a large corpus.
pub(crate) fn check_ids(counts: &Counts) -> Result<(), Error> {
    let vocab = counts.vocab.len();
    // In parallel; the first damaged phrase in order is the one reported.
    let bad = (0..counts.phrases.len())
        .into_par_iter()
        .find_map_first(|index| {
            let tokens = counts.phrases.tokens(index);
            tokens
                .iter()
                .find(|&&t| t as usize >= vocab)
                .map(|&id| Error::TokenOutOfRange { index, id, vocab })
        });
    bad.map_or(Ok(()), Err)
}

/// A phrase that passed the checks that need no other phrase: shape, length, kind, entropy.
/// There are millions of them on a big corpus, so each names its counted phrase by index and
/// keeps only what the later steps cannot read from it; the text is built again only for the
/// phrases that are accepted.
#[derive(Clone, Copy)]
pub(crate) struct Candidate {
    /// Index of the counted phrase.
    pub index: u32,
    /// Tokens of the counted phrase left out at its start: 0, or 1 for a formulation that the
    /// counts hold only inside its closed extension led by a fixed verb ([`crate::introduced`]).
    pub skip: u32,
    /// Length of its text in characters.
    pub chars: u32,
    /// Its formal kind.
    pub kind: Kind,
}

impl Candidate {
    pub fn index(&self) -> usize {
        self.index as usize
    }

    /// Its token ids.
    pub fn tokens<'a>(&self, phrases: &'a tifa_core::Phrases) -> &'a [u32] {
        let t = phrases.tokens(self.index());
        t.get(self.skip as usize..).unwrap_or(&[])
    }

    /// Its statistics. A phrase the counts hold only inside its closed extension has that
    /// extension's counts, with the one left neighbour that always precedes it.
    pub fn phrase<'a>(&self, phrases: &'a tifa_core::Phrases) -> Option<Phrase<'a>> {
        let p = phrases.get(self.index())?;
        if self.skip == 0 {
            return Some(p);
        }
        Some(Phrase {
            tokens: p.tokens.get(self.skip as usize..)?,
            left: left_closed(),
            ..p
        })
    }

    /// Its statistics with its per-report counts, which are read into `buf` when the counts
    /// were read with them set aside ([`tifa_core::read_aside`]).
    pub fn phrase_with<'a>(
        &self,
        phrases: &'a tifa_core::Phrases,
        aside: Option<&PerDocAside>,
        buf: &'a mut Vec<u8>,
    ) -> Result<Option<Phrase<'a>>, Error> {
        let Some(p) = self.phrase(phrases) else {
            return Ok(None);
        };
        Ok(Some(match aside {
            None => p,
            Some(aside) => Phrase {
                per_doc: aside
                    .read(phrases, self.index(), buf)
                    .map_err(Error::Aside)?,
                ..p
            },
        }))
    }
}

/// The branching of a phrase whose left neighbour is always the same word.
pub(crate) fn left_closed() -> tifa_core::Branching {
    tifa_core::Branching {
        distinct: 1,
        boundary: 0,
        entropy: 0.0,
    }
}

/// The share of a phrase's occurrences that are directly quoted.
pub(crate) fn quoted_share(p: &Phrase) -> f64 {
    (f64::from(p.quoted) / f64::from(p.tf)).min(1.0)
}

/// True when the phrase's weaker side has less branching entropy than `min_entropy`. An
/// enumeration is held to this on the right only: formulations are often introduced by a fixed
/// verb (提高政治判断力、政治领悟力、政治执行力), and the list itself is marked as a unit by its
/// commas.
pub(crate) fn too_closed(p: &Phrase, lex: &shape::Lexicon, config: &Config) -> bool {
    let enumeration = p.tokens.iter().any(|&t| lex.kind(t) == TokenKind::Enum);
    let h = if enumeration {
        p.right.entropy
    } else {
        p.left.entropy.min(p.right.entropy)
    };
    f64::from(h) < config.min_entropy
}

/// True when a term or formula's right side is too closed: less branching entropy than
/// `min_entropy` or than `min_right_entropy_term` (see [`prefilter`]).
pub(crate) fn too_closed_right(p: &Phrase, config: &Config) -> bool {
    let h = f64::from(p.right.entropy);
    h < config.min_entropy || h < config.min_right_entropy_term
}

/// Checks that need only the phrase's own statistics: document frequency, shape, length by
/// kind, branching entropy. They run first because they are cheap and discard most phrases.
fn prefilter(
    index: usize,
    p: &Phrase,
    text: &str,
    lex: &shape::Lexicon,
    config: &Config,
) -> Option<Candidate> {
    if p.df < config.min_df || p.tf == 0 {
        return None;
    }
    let sh = lex.shape(p.tokens, text).ok()?;
    if sh.chars > config.max_chars {
        return None;
    }
    let kind = classify::kind(text, sh.items, sh.chars, quoted_share(p), config);
    let min_chars = if matches!(kind, Kind::Numbered | Kind::Enumeration | Kind::Quoted) {
        config.min_chars_formulaic
    } else {
        config.min_chars
    };
    if sh.chars < min_chars {
        return None;
    }
    if p.tokens.len() == 1 && kind == Kind::Term && sh.chars < config.single_token_min_chars {
        return None;
    }
    if too_closed(p, lex, config) {
        return None;
    }
    if matches!(kind, Kind::Term | Kind::Formula)
        && f64::from(p.right.entropy) < config.min_right_entropy_term
    {
        return None;
    }
    Some(Candidate {
        index: u32::try_from(index).ok()?,
        skip: 0,
        chars: u32::try_from(sh.chars).ok()?,
        kind,
    })
}

/// Step 1: the counted phrases that pass the checks on a phrase alone, in counted order.
pub(crate) fn find(
    counts: &Counts,
    lexicon: &shape::Lexicon,
    config: &Config,
    progress: &dyn Progress,
) -> Vec<Candidate> {
    progress.start("compare: candidates", counts.phrases.len() as u64);
    let phrases = &counts.phrases;
    let n_phrases = phrases.len();
    let found: Vec<Candidate> = (0..n_phrases.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let range = c * CHUNK..((c + 1) * CHUNK).min(n_phrases);
            let len = range.len();
            // One text buffer for the chunk: allocating a string per phrase made the threads
            // queue on the allocator's lock.
            let mut text = String::new();
            let out: Vec<Candidate> = range
                .filter_map(|i| Some((i, phrases.get(i)?)))
                // The numeric checks run before the phrase's text is built, which most phrases
                // never need.
                .filter(|(_, p)| p.df >= config.min_df && !too_closed(p, lexicon, config))
                .filter_map(|(i, p)| {
                    counts.vocab.phrase_into(p.tokens, &mut text);
                    prefilter(i, &p, &text, lexicon, config)
                })
                .collect();
            progress.inc(len as u64);
            out
        })
        .collect();
    progress.finish();
    found
}
