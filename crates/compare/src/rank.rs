//! Step 4, rank: slogans ordered by document frequency, then term frequency, then phrase; each
//! slogan names its family head (a formulation heads its verb-led forms) and takes its own copy
//! of what the rest of the stage needs from the counts.

use rayon::prelude::*;
use tifa_core::{Counts, PerDocAside, Progress};

use crate::score::Accepted;
use crate::selection::{Chosen, Selection};
use crate::{family, Config, Error};

/// Step 4: ranks the accepted units, groups them into families and makes the selection.
pub(crate) fn rank(
    counts: &Counts,
    aside: Option<&PerDocAside>,
    mut accepted: Vec<Accepted>,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Selection, Error> {
    let phrases = &counts.phrases;
    // Step 4: rank, then families.
    progress.start("compare: ranking", 0);
    accepted.par_sort_by(|a, b| {
        b.df.cmp(&a.df)
            .then(b.tf.cmp(&a.tf))
            .then_with(|| a.text.cmp(&b.text))
    });
    if config.max_slogans > 0 {
        accepted.truncate(config.max_slogans);
    }
    let token_lists: Vec<&[u32]> = accepted.iter().map(|c| c.tokens(phrases)).collect();
    let freq: Vec<(u32, u32)> = accepted.iter().map(|c| (c.df, c.tf)).collect();
    let heads = family::heads(&token_lists, &freq);
    // The counts are not needed after this: each slogan takes its own copy of what it uses.
    // One buffer per thread for per-report counts read back from `aside`.
    let chosen: Result<Vec<Chosen>, Error> = accepted
        .into_par_iter()
        .map_init(Vec::new, |buf, c| {
            let Some(p) = c.candidate().phrase_with(phrases, aside, buf)? else {
                return Ok(None);
            };
            Ok(Some(Chosen {
                tokens: p.tokens.to_vec(),
                per_doc: p.per_doc.to_vec(),
                text: c.text,
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
            }))
        })
        .filter_map(Result::transpose)
        .collect();
    let chosen = chosen?;
    progress.finish();
    check_docs(&chosen, counts)?;
    Ok(Selection {
        docs: counts.docs.clone(),
        vocab: counts.vocab.clone(),
        n_tokens: counts.n_tokens,
        n_phrases: counts.phrases.len() as u64,
        min_df: counts.min_df,
        n_skipped: counts.skipped.len() as u32,
        chosen,
        heads,
    })
}

/// Refuses chosen slogans whose per-report counts name a report that does not exist; the first
/// in rank order is reported, with its index in the counts.
fn check_docs(chosen: &[Chosen], counts: &Counts) -> Result<(), Error> {
    let docs = counts.docs.len();
    let bad = chosen.iter().find_map(|c| {
        c.per_doc
            .iter()
            .find(|&&(d, _)| d as usize >= docs)
            .map(|&(doc, _)| (c, doc))
    });
    match bad {
        Some((c, doc)) => Err(Error::DocOutOfRange {
            index: counts.phrases.lower_bound(&c.tokens),
            doc,
            docs,
        }),
        None => Ok(()),
    }
}
