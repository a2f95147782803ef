//! Step 4, rank: slogans ordered by document frequency, then term frequency, then phrase; each
//! slogan names its family head (a formulation heads its verb-led forms) and takes its own copy
//! of what the rest of the stage needs from the counts.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tifa_core::{
    AsideSpan, Counts, Kind, PackedPerDoc, PerDoc, PerDocAside, Phrase, Phrases, Progress, Vocab,
};

use crate::measures::DocSizes;

use crate::score::{Accepted, Parts};
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
    let accepted = order(phrases, vocab, accepted, config);
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
    let mut chosen = chosen?;
    check_docs(&chosen, counts.docs.len())?;
    let heads = merge_same_texts(&mut chosen, &counts.docs, config);
    progress.finish();
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
    let mut accepted = order(phrases, vocab, accepted, config);
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
    check_docs(&chosen, docs.len())?;
    let heads = merge_same_texts(&mut chosen, &docs, config);
    progress.finish();
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

/// The accepted units in rank order, cut to `max_slogans` texts. A unit without a phrase (only
/// in a damaged file) is dropped before it is ranked, so that every unit returned makes a
/// slogan and the heads index the slogans made.
fn order(
    phrases: &Phrases,
    vocab: &Vocab,
    mut accepted: Vec<Accepted>,
    config: &Config,
) -> Vec<Accepted> {
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
    if config.max_slogans > 0 && accepted.len() > config.max_slogans {
        // The first `max_slogans` texts, each with every cut of it, so that once the cuts of
        // one text are merged ([`merge_same_texts`]) the list holds as many slogans as asked
        // for, each with all its occurrences.
        let mut texts: FxHashSet<Vec<u8>> = FxHashSet::default();
        accepted.retain(|c| {
            let t: Vec<u8> = text(c).collect();
            if texts.contains(&t) {
                return true;
            }
            if texts.len() < config.max_slogans {
                texts.insert(t);
                return true;
            }
            false
        });
    }
    accepted
}

/// Makes one slogan of the slogans whose texts are the same but whose words are not: a phrase
/// cut one way in plain text and another inside quotation marks (吃大锅饭 is one word, 吃“大锅饭”
/// two), whose occurrences were counted apart. The first in rank order stands for them with the
/// sum of their per-report counts (so tf, df, quoted share and dispersion over the reports,
/// recomputed). Its kind, evidence, words and measures (cohesion, branching entropies) are
/// those of a cut that agrees with the quoted share of the whole: the quoted cut's when the
/// writers quote the phrase at least `quoted_min_share` of the time, else a plain cut's; its
/// score is made of its own columns, as the README gives it. Then ranks the slogans again, and
/// finds the family head of each (an index into them).
fn merge_same_texts(
    chosen: &mut Vec<Chosen>,
    docs: &[tifa_core::DocInfo],
    config: &Config,
) -> Vec<usize> {
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    let mut into: Vec<(usize, usize)> = Vec::new();
    for (i, c) in chosen.iter().enumerate() {
        match first.entry(c.text.as_str()) {
            std::collections::hash_map::Entry::Occupied(e) => into.push((*e.get(), i)),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(i);
            }
        }
    }
    drop(first);
    if !into.is_empty() {
        let doc_tokens: Vec<u64> = docs.iter().map(|d| d.tokens).collect();
        let sizes = DocSizes::new(&doc_tokens);
        for &(keep, other) in &into {
            let merged = add_per_doc(
                &chosen[keep].per_doc.to_vec(),
                &chosen[other].per_doc.to_vec(),
            );
            let o = &chosen[other];
            let (tf, quoted) = (o.tf, o.quoted_share * f64::from(o.tf));
            let label = (o.kind, o.evidence);
            let cut = (o.cohesion, o.left_entropy, o.right_entropy);
            let mut tokens = std::mem::take(&mut chosen[other].tokens);
            let mut sequences = std::mem::take(&mut chosen[other].others);
            let k = &mut chosen[keep];
            let quoted = quoted + k.quoted_share * f64::from(k.tf);
            k.tf += tf;
            k.df = merged.len() as u32;
            k.quoted_share = quoted / f64::from(k.tf.max(1));
            let quoted_whole = k.quoted_share >= config.quoted_min_share;
            if is_quoted(k.kind, k.evidence) != quoted_whole
                && is_quoted(label.0, label.1) == quoted_whole
            {
                // The row speaks of that cut: its label, words and measures.
                (k.kind, k.evidence) = label;
                (k.cohesion, k.left_entropy, k.right_entropy) = cut;
                std::mem::swap(&mut k.tokens, &mut tokens);
            }
            sequences.insert(0, tokens);
            k.others.extend(sequences);
            k.dp = sizes.dp_norm(merged.iter().copied());
            // The score of the row's own columns: its cut's measures, the counts of both.
            k.score = Parts {
                cohesion: k.cohesion,
                entropy: f64::from(k.left_entropy.min(k.right_entropy)),
                dp: k.dp,
                quoted_share: k.quoted_share,
                chars: k.text.chars().count(),
                numbered_or_enumerated: k.kind == Kind::Numbered || k.text.contains('、'),
            }
            .score(config);
            k.per_doc = PackedPerDoc::new(&PerDoc::plain(&merged));
        }
        let gone: FxHashSet<usize> = into.iter().map(|&(_, o)| o).collect();
        let mut i = 0;
        chosen.retain(|_| {
            i += 1;
            !gone.contains(&(i - 1))
        });
        chosen.par_sort_by(|a, b| {
            b.df.cmp(&a.df)
                .then(b.tf.cmp(&a.tf))
                .then_with(|| a.text.cmp(&b.text))
        });
    }
    let token_lists: Vec<&[u32]> = chosen.iter().map(|c| c.tokens.as_slice()).collect();
    let freq: Vec<(u32, u32)> = chosen.iter().map(|c| (c.df, c.tf)).collect();
    family::heads(&token_lists, &freq)
}

/// True for a slogan admitted as quoted: of kind `quoted`, or another kind whose evidence
/// says it is quoted (`numbered+quoted`).
fn is_quoted(kind: Kind, evidence: &str) -> bool {
    kind == Kind::Quoted || evidence.split('+').any(|e| e == "quoted")
}

/// The per-report counts of two phrases together (each sorted by report).
fn add_per_doc(a: &[(u32, u32)], b: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(&(da, ca)), Some(&(db, cb))) if da == db => {
                out.push((da, ca + cb));
                i += 1;
                j += 1;
            }
            (Some(&x), Some(&y)) if x.0 < y.0 => {
                out.push(x);
                i += 1;
            }
            (Some(&x), None) => {
                out.push(x);
                i += 1;
            }
            (_, Some(&y)) => {
                out.push(y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

impl Chosen {
    /// The accepted unit `c`, whose statistics are `p` and words are in `vocab`, with its
    /// per-report counts.
    fn new(c: Accepted, p: &Phrase<'_>, vocab: &Vocab, per_doc: PackedPerDoc) -> Chosen {
        Chosen {
            index: c.index,
            tokens: p.tokens.to_vec(),
            others: Vec::new(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::DocInfo;

    fn chosen(tokens: &[u32], text: &str, kind: Kind, per_doc: &[(u32, u32)]) -> Chosen {
        Chosen {
            index: tokens[0],
            tokens: tokens.to_vec(),
            others: Vec::new(),
            per_doc: PackedPerDoc::new(&PerDoc::plain(per_doc)),
            text: text.into(),
            kind,
            evidence: if kind == Kind::Quoted {
                "quoted"
            } else {
                "coinage"
            },
            df: per_doc.len() as u32,
            tf: per_doc.iter().map(|p| p.1).sum(),
            score: if kind == Kind::Quoted { 0.7 } else { 0.5 },
            dp: 0.0,
            cohesion: if kind == Kind::Quoted { 0.8 } else { 0.9 },
            quoted_share: if kind == Kind::Quoted { 1.0 } else { 0.0 },
            left_entropy: if kind == Kind::Quoted { 2.0 } else { 1.0 },
            right_entropy: if kind == Kind::Quoted { 1.5 } else { 1.0 },
        }
    }

    #[test]
    fn one_text_cut_two_ways_is_one_slogan_with_the_counts_of_both() {
        let docs: Vec<DocInfo> = (0..6)
            .map(|i| DocInfo {
                tokens: 100 + i,
                ..DocInfo::default()
            })
            .collect();
        // 吃大锅饭 as one word in reports 0, 1, 2 and 3; as 吃“大锅饭” (two words) in 2, 4, 5.
        let mut rows = vec![
            chosen(
                &[9],
                "改革开放",
                Kind::Term,
                &[(0, 3), (1, 1), (2, 1), (3, 1), (4, 1)],
            ),
            chosen(
                &[1],
                "吃大锅饭",
                Kind::Term,
                &[(0, 1), (1, 1), (2, 1), (3, 1)],
            ),
            chosen(&[2, 3], "吃大锅饭", Kind::Quoted, &[(2, 2), (4, 1), (5, 2)]),
        ];
        let heads = merge_same_texts(&mut rows, &docs, &Config::default());
        let texts: Vec<&str> = rows.iter().map(|c| c.text.as_str()).collect();
        // Now in six reports, it ranks first.
        assert_eq!(texts, ["吃大锅饭", "改革开放"]);
        let r = &rows[0];
        assert_eq!((r.df, r.tf), (6, 9));
        assert_eq!(
            r.per_doc.to_vec(),
            [(0, 1), (1, 1), (2, 3), (3, 1), (4, 1), (5, 2)]
        );
        // Quoted 5 times in 9, above quoted_min_share: the quoted cut's kind, evidence, words
        // and measures.
        assert_eq!(
            (r.kind, r.tokens.as_slice()),
            (Kind::Quoted, &[2u32, 3][..])
        );
        assert_eq!(r.evidence, "quoted");
        assert_eq!(
            (r.cohesion, r.left_entropy, r.right_entropy),
            (0.8, 2.0, 1.5)
        );
        // Its examples are looked for in both cuts.
        assert_eq!(r.others, [vec![1u32]]);
        assert!((r.quoted_share - 5.0 / 9.0).abs() < 1e-12);
        let sizes: Vec<u64> = docs.iter().map(|d| d.tokens).collect();
        assert_eq!(r.dp, DocSizes::new(&sizes).dp_norm(r.per_doc.iter()));
        // Its score is that of its own columns.
        let parts = Parts {
            cohesion: 0.8,
            entropy: 1.5,
            dp: r.dp,
            quoted_share: r.quoted_share,
            chars: 4,
            numbered_or_enumerated: false,
        };
        assert_eq!(r.score, parts.score(&Config::default()));
        assert_eq!(heads, [0, 1]);
    }

    #[test]
    fn a_text_mostly_written_plain_takes_the_plain_cut_label() {
        let docs: Vec<DocInfo> = (0..11).map(|_| DocInfo::default()).collect();
        // Quoted once in each of six reports, ranked first; written plain four times in each of
        // five others: quoted 6 times in 26, below quoted_min_share.
        let quoted: Vec<(u32, u32)> = (0..6).map(|d| (d, 1)).collect();
        let plain: Vec<(u32, u32)> = (6..11).map(|d| (d, 4)).collect();
        let mut rows = vec![
            chosen(&[2, 3], "吃大锅饭", Kind::Quoted, &quoted),
            chosen(&[1], "吃大锅饭", Kind::Term, &plain),
        ];
        merge_same_texts(&mut rows, &docs, &Config::default());
        let r = &rows[0];
        assert_eq!((r.df, r.tf), (11, 26));
        assert_eq!((r.kind, r.evidence), (Kind::Term, "coinage"));
        assert_eq!((r.tokens.as_slice(), r.cohesion), (&[1u32][..], 0.9));
        assert_eq!(r.others, [vec![2u32, 3]]);
    }

    #[test]
    fn per_report_counts_add_up_report_by_report() {
        assert_eq!(
            add_per_doc(&[(0, 1), (3, 2)], &[(1, 5), (3, 1), (7, 1)]),
            [(0, 1), (1, 5), (3, 3), (7, 1)]
        );
        assert_eq!(add_per_doc(&[], &[(2, 1)]), [(2, 1)]);
    }
}
