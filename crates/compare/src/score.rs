//! Step 3b, score: cohesion, boundary freedom, dispersion and formulaic signals combined into a
//! `score`, then the evidence that decides whether a unit is a slogan, a name or vocabulary
//! ([`crate::evidence`]).

use rayon::prelude::*;
use tifa_core::{Counts, Kind, PerDocAside, Phrase, Progress};

use crate::candidates::{quoted_share, Candidate};
use crate::{evidence, measures, Config, Error};

/// A phrase that passed the shape and maximality checks, with its measures. It names its
/// counted phrase by index, and keeps the two counts it is ranked by; its text is made again
/// from its tokens only for the slogans ranked (on a big corpus there are a million accepted
/// units, held beside the counts).
pub(crate) struct Accepted {
    pub(crate) index: u32,
    /// Tokens of the counted phrase left out at its start (see [`Candidate::skip`]).
    pub(crate) skip: u32,
    pub(crate) df: u32,
    pub(crate) tf: u32,
    pub(crate) kind: Kind,
    pub(crate) evidence: &'static str,
    pub(crate) score: f64,
    pub(crate) dp: f64,
    pub(crate) cohesion: f64,
    pub(crate) quoted_share: f64,
}

/// What scoring reads besides the phrase itself.
struct Context<'a> {
    counts: &'a Counts,
    config: &'a Config,
    doc_sizes: &'a measures::DocSizes<'a>,
    /// Year of each report, when known.
    doc_years: &'a [Option<u16>],
    /// The corpus's years, when any report has one.
    years: Option<evidence::Years>,
}

/// Step 3b: measures every candidate and keeps the slogans and names, in any order.
pub(crate) fn score_all(
    counts: &Counts,
    aside: Option<&PerDocAside>,
    pre: Vec<Candidate>,
    cohesion: &[f64],
    config: &Config,
    progress: &dyn Progress,
) -> Result<Vec<Accepted>, Error> {
    let phrases = &counts.phrases;
    let doc_tokens: Vec<u64> = counts.docs.iter().map(|d| d.tokens).collect();
    let doc_sizes = measures::DocSizes::new(&doc_tokens);
    let doc_years: Vec<Option<u16>> = counts.docs.iter().map(|d| d.meta.year).collect();
    let years = {
        let known = doc_years.iter().flatten();
        known
            .clone()
            .min()
            .zip(known.max())
            .map(|(&first, &last)| evidence::Years {
                first,
                span: last - first,
            })
    };
    let context = Context {
        counts,
        config,
        doc_sizes: &doc_sizes,
        doc_years: &doc_years,
        years,
    };

    // Step 3: dispersion, score and the decision, with each candidate's cohesion.
    progress.start("compare: scoring", pre.len() as u64);
    // Buffers per thread: per-report counts read back from `aside`, a phrase's text.
    let accepted: Result<Vec<Accepted>, Error> = pre
        .into_par_iter()
        .zip(cohesion)
        .map_init(
            || (Vec::new(), String::new()),
            |(buf, text), (c, &cohesion)| {
                let Some(p) = c.phrase_with(phrases, aside, buf)? else {
                    return Ok(None);
                };
                let out = measure(p, c, cohesion, &context, text);
                progress.inc(1);
                Ok(out)
            },
        )
        .filter_map(Result::transpose)
        .collect();
    progress.finish();
    accepted
}

/// What a score is made of (see the README's `score`).
pub(crate) struct Parts {
    pub cohesion: f64,
    /// The smaller of the left and right branching entropies.
    pub entropy: f64,
    pub dp: f64,
    pub quoted_share: f64,
    /// Characters of the phrase.
    pub chars: usize,
    /// A numbered or enumerated phrase, formulaic by its shape.
    pub numbered_or_enumerated: bool,
}

impl Parts {
    /// The weighted mean of cohesion, freedom, dispersion and formulaic, each in [0, 1].
    pub(crate) fn score(&self, config: &Config) -> f64 {
        let formulaic = if self.numbered_or_enumerated {
            1.0
        } else {
            let q = if config.quoted_min_share > 0.0 {
                self.quoted_share / config.quoted_min_share
            } else {
                1.0
            };
            let l = self.chars as f64 / config.formula_min_chars.max(1) as f64;
            q.max(l).min(1.0)
        };
        let w = &config.weights;
        (w.cohesion * self.cohesion.max(0.0)
            + w.freedom * measures::freedom(self.entropy)
            + w.dispersion * (1.0 - self.dp)
            + w.formulaic * formulaic)
            / (w.cohesion + w.freedom + w.dispersion + w.formulaic)
    }
}

/// Measures a candidate of the given `cohesion` ([`crate::parts::cohesions`]) and decides
/// whether it is a slogan; `text` is a buffer for its text.
fn measure(
    p: Phrase,
    pre: Candidate,
    cohesion: f64,
    cx: &Context,
    text: &mut String,
) -> Option<Accepted> {
    let Context {
        counts,
        config,
        doc_sizes,
        ..
    } = *cx;
    let Candidate {
        index,
        skip,
        chars,
        kind,
    } = pre;
    let quoted_share = quoted_share(&p);
    if cohesion < config.min_cohesion {
        return None;
    }
    let entropy = f64::from(p.left.entropy.min(p.right.entropy));
    let dp = doc_sizes.dp_norm(p.per_doc.iter());
    let parts = Parts {
        cohesion,
        entropy,
        dp,
        quoted_share,
        chars: chars as usize,
        numbered_or_enumerated: matches!(kind, Kind::Numbered | Kind::Enumeration),
    };
    let score = parts.score(config);
    if score < config.min_score {
        return None;
    }
    counts.vocab.phrase_into(p.tokens, text);
    let years_used = p
        .per_doc
        .iter()
        .filter_map(|(d, _)| cx.doc_years.get(d as usize).copied().flatten());
    let first_year = years_used.clone().min();
    let last_year = years_used.max();
    let (kind, evidence) = match evidence::judge(
        &p,
        text,
        kind,
        chars as usize,
        quoted_share,
        &counts.vocab,
        cx.years,
        first_year,
        last_year,
        config,
    ) {
        evidence::Verdict::Slogan(kind, evidence) => (kind, evidence),
        evidence::Verdict::Name(evidence) => (Kind::Name, evidence),
        evidence::Verdict::Vocabulary => return None,
    };
    Some(Accepted {
        index,
        skip,
        df: p.df,
        tf: p.tf,
        kind,
        evidence,
        score,
        dp,
        cohesion,
        quoted_share,
    })
}

impl Accepted {
    /// Its counted phrase, as a candidate (for its tokens and statistics).
    pub(crate) fn candidate(&self) -> Candidate {
        Candidate {
            index: self.index,
            skip: self.skip,
            chars: 0,
            kind: self.kind,
        }
    }

    /// Its token ids.
    pub(crate) fn tokens<'a>(&self, phrases: &'a tifa_core::Phrases) -> &'a [u32] {
        self.candidate().tokens(phrases)
    }
}
