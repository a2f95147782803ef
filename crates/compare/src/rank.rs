//! Step 4, rank: slogans ordered by document frequency, then term frequency, then phrase; each
//! slogan names its family head (a formulation heads its verb-led forms) and takes its own copy
//! of what the rest of the stage needs from the counts.

use rayon::prelude::*;
use tifa_core::{AsideSpan, Counts, PackedPerDoc, PerDocAside, Phrase, Phrases, Progress, Vocab};

use crate::score::Accepted;
use crate::selection::{Chosen, Selection};
use crate::{family, Config, Error};

/// Step 4: ranks the accepted units, groups them into families and makes the selection, each
/// slogan copying its tokens and per-report counts from the counts (or from `aside`).
pub(crate) fn rank(
    counts: &Counts,
    aside: Option<&PerDocAside>,
    accepted: Vec<Accepted>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Selection, Error> {
    let (phrases, vocab) = (&counts.phrases, &counts.vocab);
    progress.start("compare: ranking", 0);
    let (accepted, heads) = order(phrases, vocab, accepted, config);
    // One buffer per thread for per-report counts read back from `aside`.
    let chosen: Result<Vec<Chosen>, Error> = accepted
        .into_par_iter()
        .map_init(Vec::new, |buf, c| {
            let Some(p) = c.candidate().phrase_with(phrases, aside, buf)? else {
                return Ok(None);
            };
            let per_doc = PackedPerDoc::new(&p.per_doc);
            Ok(Some(Chosen::new(c, &p, vocab, per_doc)))
        })
        .filter_map(Result::transpose)
        .collect();
    let chosen = chosen?;
    progress.finish();
    check_docs(&chosen, counts.docs.len())?;
    Ok(Selection {
        docs: counts.docs.clone(),
        vocab: counts.vocab.clone(),
        n_tokens: counts.n_tokens,
        n_phrases: phrases.len() as u64,
        min_df: counts.min_df,
        n_skipped: counts.skipped.len() as u32,
        chosen,
        heads,
    })
}

/// [`rank`] on counts it owns, whose per-report counts are in `aside`: each slogan first takes
/// its tokens and figures and notes where its per-report counts lie, then the counts are let
/// go of, and only then are the per-report counts read back. On a large corpus the slogans'
/// copies are about as large as the counts, and the two are then never held together.
pub(crate) fn rank_owned(
    counts: Counts,
    aside: &PerDocAside,
    accepted: Vec<Accepted>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Selection, Error> {
    progress.start("compare: ranking", 0);
    let (phrases, vocab) = (&counts.phrases, &counts.vocab);
    // The slogans are made a chunk at a time from the end of the ranked units, whose list
    // shrinks as theirs grows (then turned around), each chunk added to their list as it is
    // made: gathered in pieces and joined at the end, they were held twice.
    let (mut accepted, heads) = order(phrases, vocab, accepted, config);
    let mut chosen: Vec<Chosen> = Vec::with_capacity(accepted.len());
    let mut spans: Vec<AsideSpan> = Vec::with_capacity(accepted.len());
    while !accepted.is_empty() {
        let tail = accepted.split_off(accepted.len().saturating_sub(crate::SLOGAN_CHUNK));
        accepted.shrink_to_fit();
        let made: Vec<Option<(Chosen, AsideSpan)>> = tail
            .into_par_iter()
            .map(|c| {
                let p = c.candidate().phrase(phrases)?;
                let span = aside.span(phrases, c.index as usize);
                Some((Chosen::new(c, &p, vocab, PackedPerDoc::default()), span))
            })
            .collect();
        for (c, span) in made.into_iter().rev().flatten() {
            chosen.push(c);
            spans.push(span);
        }
    }
    chosen.reverse();
    spans.reverse();
    let Counts {
        docs,
        vocab,
        n_tokens,
        min_df,
        phrases,
        skipped,
        unigram_tf,
    } = counts;
    let n_phrases = phrases.len() as u64;
    drop((phrases, unigram_tf));
    tifa_core::memory::give_back();
    chosen
        .par_iter_mut()
        .zip(spans)
        .try_for_each_init(Vec::new, |buf, (c, span)| {
            c.per_doc = PackedPerDoc::new(&aside.read_span(span, buf).map_err(Error::Aside)?);
            Ok::<(), Error>(())
        })?;
    progress.finish();
    check_docs(&chosen, docs.len())?;
    Ok(Selection {
        docs,
        vocab,
        n_tokens,
        n_phrases,
        min_df,
        n_skipped: skipped.len() as u32,
        chosen,
        heads,
    })
}

/// The accepted units in rank order, cut to `max_slogans`, and the family head of each (an
/// index into them). A unit without a phrase (only in a damaged file) is dropped before it is
/// ranked, so that every unit returned makes a slogan and the heads index the slogans made.
fn order(
    phrases: &Phrases,
    vocab: &Vocab,
    mut accepted: Vec<Accepted>,
    config: &Config,
) -> (Vec<Accepted>, Vec<usize>) {
    accepted.retain(|c| c.candidate().phrase(phrases).is_some());
    // The texts are compared as the bytes of their words, end to end: the order of the texts
    // themselves, without making them.
    let text = |c: &Accepted| {
        c.tokens(phrases)
            .iter()
            .flat_map(|&t| vocab.term(t).bytes())
    };
    accepted.par_sort_by(|a, b| {
        b.df.cmp(&a.df)
            .then(b.tf.cmp(&a.tf))
            .then_with(|| text(a).cmp(text(b)))
    });
    if config.max_slogans > 0 {
        accepted.truncate(config.max_slogans);
    }
    let token_lists: Vec<&[u32]> = accepted.iter().map(|c| c.tokens(phrases)).collect();
    let freq: Vec<(u32, u32)> = accepted.iter().map(|c| (c.df, c.tf)).collect();
    let heads = family::heads(&token_lists, &freq);
    (accepted, heads)
}

impl Chosen {
    /// The accepted unit `c`, whose statistics are `p` and words are in `vocab`, with its
    /// per-report counts.
    fn new(c: Accepted, p: &Phrase<'_>, vocab: &Vocab, per_doc: PackedPerDoc) -> Chosen {
        Chosen {
            index: c.index,
            tokens: p.tokens.to_vec(),
            per_doc,
            text: p.tokens.iter().map(|&t| vocab.term(t)).collect(),
            kind: c.kind,
            evidence: c.evidence,
            df: p.df,
            tf: p.tf,
            score: c.score,
            dp: c.dp,
            cohesion: c.cohesion,
            quoted_share: c.quoted_share,
            left_entropy: p.left.entropy,
            right_entropy: p.right.entropy,
        }
    }
}

/// Refuses chosen slogans whose per-report counts name a report beyond the `docs` there are;
/// the first in rank order is reported, with the index of its counted phrase.
fn check_docs(chosen: &[Chosen], docs: usize) -> Result<(), Error> {
    let bad = chosen.iter().find_map(|c| {
        c.per_doc
            .view()
            .iter()
            .find(|&(d, _)| d as usize >= docs)
            .map(|(doc, _)| (c, doc))
    });
    match bad {
        Some((c, doc)) => Err(Error::DocOutOfRange {
            index: c.index as usize,
            doc,
            docs,
        }),
        None => Ok(()),
    }
}
