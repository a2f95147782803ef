//! Step 2, maximality: a phrase whose occurrences nearly all sit inside one longer counted
//! phrase is a fragment of it, not a unit of its own ([`crate::contain`]), with two exceptions
//! that keep a formulation from vanishing because of the words around it.

use tifa_core::{Counts, Kind, Progress, TokenKind};

use crate::candidates::{quoted_share, Candidate};
use crate::{contain, shape, Config};

/// Step 2: the candidates that are not fragments of a longer counted phrase, in order.
pub(crate) fn keep_maximal(
    counts: &Counts,
    pre: Vec<Candidate>,
    lexicon: &shape::Lexicon,
    config: &Config,
    progress: &dyn Progress,
) -> Vec<Candidate> {
    let phrases = &counts.phrases;
    let n_phrases = phrases.len();
    // Each group of candidates reads every counted phrase through its own automaton.
    let groups = pre.len().div_ceil(crate::GROUP).max(1);
    progress.start("compare: maximality", (n_phrases * groups) as u64);
    let wanted: Vec<&[u32]> = pre.iter().map(|c| phrases.tokens(c.index())).collect();
    // A numbered, enumerated or quoted phrase is not a fragment of itself led by one more word
    // (做到两个维护, 提高政治判断力、…): those are its verb-led forms, in its family.
    let free_left: Vec<bool> = pre
        .iter()
        .map(|c| {
            matches!(c.kind, Kind::Numbered | Kind::Enumeration | Kind::Quoted)
                && !first_item_short(phrases.tokens(c.index()), lexicon)
        })
        .collect();
    // The candidates are taken a million at a time, each group's automaton let go of before the
    // next one's is made: the automaton of all of a big corpus's candidates is hundreds of
    // megabytes. A candidate's share depends on the counted phrases alone, whatever the group.
    let mut inside = Vec::with_capacity(pre.len());
    for (wanted, free_left) in wanted
        .chunks(crate::GROUP)
        .zip(free_left.chunks(crate::GROUP))
    {
        inside.extend(contain::max_containing_except(
            counts,
            wanted,
            Some(free_left),
            progress,
        ));
        // The automaton was built on other threads, whose heaps the next steps do not reuse:
        // its memory goes back to the system (`tifa_core::memory`).
        tifa_core::memory::give_back();
    }
    drop(wanted);
    let pre: Vec<Candidate> = pre
        .into_iter()
        .zip(inside)
        .filter(|(c, inside)| {
            // A phrase the writers mostly quote is marked as a unit by them, even where the
            // quoted phrase always goes on into a longer one (“四个全面”战略布局).
            let Some(p) = phrases.get(c.index()) else {
                return false;
            };
            quoted_share(&p) >= config.quoted_min_share
                || f64::from(*inside) < config.max_nested_share * f64::from(p.tf)
        })
        .map(|(c, _)| c)
        .collect();
    progress.finish();

    pre
}

/// True for an enumeration whose first item has fewer words than its second: the parallel
/// structure says the word before it belongs to it (四个意识、坚定四个自信 wants its 增强), so the
/// form led by that word is the whole formulation, not a verb-led form of it.
pub(crate) fn first_item_short(tokens: &[u32], lex: &shape::Lexicon) -> bool {
    let mut items = tokens.split(|&t| lex.kind(t) == TokenKind::Enum);
    match (items.next(), items.next()) {
        (Some(first), Some(second)) => first.len() < second.len(),
        _ => false,
    }
}
