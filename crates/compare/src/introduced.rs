//! Step 2b, introduced formulations: a formulation that reports nearly always introduce with
//! the same verb (坚持…工作总基调, 贯彻…理念) has one left neighbour, so branching entropy drops
//! it, and when the verb precedes every occurrence the counts hold it only inside its verb-led
//! form (see [`tifa_core::Counts`]). Only the verb-led form would then be a row.
//!
//! The verbs that introduce formulations are learned from the corpus: the first words of the
//! verb-led forms of its numbered, enumerated and quoted formulations (增强 before 四个意识,
//! 坚持 before an enumeration), words of two characters or more that lead at least two and that
//! the segmenter's dictionary does not tag as nouns ([`tifa_core::WordClass`]). A term
//! or formula led by one of them, the rest a well-formed phrase, brings the rest back as a
//! candidate: its own counts when the counts hold it, else those of its verb-led form, the one
//! phrase it always occurs in. An enumeration led by one of them outside its first item brings
//! the enumeration back the same way. The rest is judged as any candidate is,
//! and the verb-led form joins its family. Where the verb itself follows fixed words
//! (完整准确全面贯彻新发展理念), the verb-led form is closed on its left too and is no candidate:
//! such rests are found among the counted phrases led by a learned verb
//! ([`closed_after_verbs`]).

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tifa_core::{Counts, Kind, Progress, WordClass};

use crate::candidates::{quoted_share, too_closed_right, Candidate};
use crate::maximal::first_item_short;
use crate::{classify, contain, shape, Config};

/// True for an enumeration led by a word outside its first item (坚持 in 坚持有件必备、有备必审、
/// 有错必纠: its first item is not shorter than the second, see [`first_item_short`], and the
/// word does not belong to that item, see [`leads_first_item`]).
fn verb_led_enumeration(c: &Candidate, phrases: &tifa_core::Phrases, lex: &shape::Lexicon) -> bool {
    let tokens = c.tokens(phrases);
    c.kind == Kind::Enumeration
        && tokens.len() > 1
        && !first_item_short(tokens, lex)
        && !leads_first_item(tokens, lex)
        && {
            // The rest is itself an enumeration: the word before the first comma is not alone.
            let first_comma = tokens
                .iter()
                .position(|&t| lex.kind(t) == tifa_core::TokenKind::Enum);
            first_comma.is_some_and(|i| i > 1)
        }
}

/// True when an enumeration's first word is part of its first item by the parallel structure:
/// with it, the first item comes closer to the second's length in characters than without it.
/// 服务 belongs to 服务贸易 in 服务贸易、绿色贸易、数字贸易 (4 and 4, against 2), and 重点 to
/// 重点领域 in 重点领域、重点行业; 坚持 does not belong to 坚持人民至上、生命至上 (6 against 4).
/// Characters, not words: the segmenter may keep one item whole and cut its twin (人民至上 /
/// 生命 至上).
fn leads_first_item(tokens: &[u32], lex: &shape::Lexicon) -> bool {
    let mut items = tokens.split(|&t| lex.kind(t) == tifa_core::TokenKind::Enum);
    let (Some(first @ [word, ..]), Some(second)) = (items.next(), items.next()) else {
        return false;
    };
    let second = lex.chars(second) as i64;
    let with = lex.chars(first) as i64;
    let without = with - lex.chars(std::slice::from_ref(word)) as i64;
    (with - second).abs() < (without - second).abs()
}

/// Step 2b: `found` (the candidates that passed maximality), with the formulations their
/// verb-led terms introduce added at the end, in `found`'s order.
pub(crate) fn add_introduced(
    counts: &Counts,
    mut found: Vec<Candidate>,
    lex: &shape::Lexicon,
    config: &Config,
    progress: &dyn Progress,
) -> Vec<Candidate> {
    progress.start("compare: introduced", 0);
    let phrases = &counts.phrases;
    let marked: FxHashSet<&[u32]> = found
        .iter()
        .filter(|c| matches!(c.kind, Kind::Numbered | Kind::Enumeration | Kind::Quoted))
        .map(|c| c.tokens(phrases))
        .collect();
    // The verbs that lead marked formulations in this corpus: words of two characters or more
    // (not the prepositions that open frames, 以…为…) that lead at least two of them, and that
    // the dictionary does not tag as nouns: a noun before a formulation is mostly its own
    // modifier (群众身边不正之风和腐败问题, 国家中长期科学和技术发展规划纲要).
    let mut led: FxHashMap<u32, usize> = FxHashMap::default();
    for c in &found {
        if let [v, rest @ ..] = c.tokens(phrases) {
            if !rest.is_empty()
                && marked.contains(rest)
                && counts.vocab.term(*v).chars().nth(1).is_some()
                && counts.vocab.class(*v) != WordClass::Nominal
            {
                *led.entry(*v).or_insert(0) += 1;
            }
        }
    }
    let verbs: FxHashSet<u32> = led
        .into_iter()
        .filter(|&(_, n)| n >= 2)
        .map(|(v, _)| v)
        .collect();
    let present: FxHashSet<&[u32]> = found.iter().map(|c| c.tokens(phrases)).collect();
    // The verb-led candidates, the first (in `found`'s order) for each rest, which decides for
    // it; their rests are then judged on every thread.
    let mut seen: FxHashSet<&[u32]> = FxHashSet::default();
    let verb_led: Vec<(&Candidate, &[u32], bool)> = found
        .par_iter()
        .filter_map(|c| {
            let enumeration = verb_led_enumeration(c, phrases, lex);
            if !enumeration && !matches!(c.kind, Kind::Term | Kind::Formula) {
                return None;
            }
            let [v, rest @ ..] = c.tokens(phrases) else {
                return None;
            };
            (!rest.is_empty() && verbs.contains(v) && !present.contains(rest)).then_some((
                c,
                rest,
                enumeration,
            ))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .filter(|&(_, rest, _)| seen.insert(rest))
        .collect();
    let added: Vec<Candidate> = verb_led
        .into_par_iter()
        .filter_map(|(c, rest, enumeration)| introduced(counts, c, rest, enumeration, lex, config))
        .collect();
    found.extend(added);
    let closed = closed_after_verbs(counts, &verbs, &present, &mut seen, lex, config, progress);
    found.extend(closed);
    progress.finish();
    found
}

/// The formulations that a learned verb introduces after other words (完整准确全面贯彻新发展理念,
/// 坚持和完善民族区域自治制度), so that neither they nor their verb-led forms are candidates:
/// both are closed on their left. A counted phrase led by one of `verbs`, closed on its left,
/// brings back its rest when the counts hold the rest, closed on its left, open on its right,
/// in at least `min_df` reports, and led by that verb in at least half its occurrences; the
/// rest is then judged as [`introduced`] judges any. Unlike the rests of verb-led candidates, it
/// has not been through maximality: it is dropped when a longer counted phrase holds nearly all
/// its occurrences, as there, except its forms led by a learned verb after any words. Rests
/// already found, or brought back by a verb-led candidate (`seen`), are passed over.
fn closed_after_verbs<'a>(
    counts: &'a Counts,
    verbs: &FxHashSet<u32>,
    present: &FxHashSet<&[u32]>,
    seen: &mut FxHashSet<&'a [u32]>,
    lex: &shape::Lexicon,
    config: &Config,
    progress: &dyn Progress,
) -> Vec<Candidate> {
    let phrases = &counts.phrases;
    let closed = |h: tifa_core::Branching| f64::from(h.entropy) < config.min_entropy;
    let mut sorted: Vec<u32> = verbs.iter().copied().collect();
    sorted.sort_unstable();
    // The phrases led by each verb lie together, the counts being in token order.
    let led: Vec<(usize, &[u32])> = sorted
        .par_iter()
        .flat_map_iter(|&v| {
            (phrases.lower_bound(&[v])..phrases.len())
                .take_while(move |&i| phrases.tokens(i).first() == Some(&v))
                .filter_map(|i| {
                    let q = phrases.get(i)?;
                    let rest = q.tokens.get(1..).filter(|r| !r.is_empty())?;
                    // Most verb-led phrases are open on their left: they are passed over
                    // before their rest is looked up.
                    if !closed(q.left) || present.contains(rest) {
                        return None;
                    }
                    let r = phrases.get(phrases.lower_bound(rest))?;
                    let wanted = r.tokens == rest
                        && closed(r.left)
                        && !closed(r.right)
                        && r.df >= config.min_df
                        && 2 * u64::from(q.tf) >= u64::from(r.tf);
                    wanted.then_some((i, rest))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let fresh: Vec<(usize, &[u32])> = led.into_iter().filter(|&(_, r)| seen.insert(r)).collect();
    let rests: Vec<Candidate> = fresh
        .into_par_iter()
        .filter_map(|(i, rest)| {
            let c = Candidate {
                index: u32::try_from(i).ok()?,
                skip: 0,
                chars: 0,
                kind: Kind::Term,
            };
            introduced(counts, &c, rest, false, lex, config)
        })
        .collect();
    let wanted: Vec<&[u32]> = rests.iter().map(|c| c.tokens(phrases)).collect();
    let inside = contain::max_containing_unless(
        counts,
        &wanted,
        |_, t, start, m| start >= 1 && start + m == t.len() && verbs.contains(&t[start - 1]),
        progress,
    );
    rests
        .into_iter()
        .zip(inside)
        .filter(|(c, inside)| {
            phrases
                .get(c.index())
                .is_some_and(|p| f64::from(*inside) < config.max_nested_share * f64::from(p.tf))
        })
        .map(|(c, _)| c)
        .collect()
}

/// The formulation `rest` that the verb-led candidate `c` introduces, as a candidate, when it
/// is one: its own counts when the counts hold it, else those of `c`.
fn introduced(
    counts: &Counts,
    c: &Candidate,
    rest: &[u32],
    enumeration: bool,
    lex: &shape::Lexicon,
    config: &Config,
) -> Option<Candidate> {
    let phrases = &counts.phrases;
    let mut text = String::new();
    counts.vocab.phrase_into(rest, &mut text);
    let sh = lex.shape(rest, &text).ok()?;
    // The counts hold the rest when something other than the verb precedes it at times;
    // else its counts are the verb-led form's.
    let (index, skip) = match phrases.lower_bound(rest) {
        i if phrases.tokens(i) == rest => (i, 0),
        _ => (c.index(), c.skip + 1),
    };
    let candidate = Candidate {
        index: u32::try_from(index).ok()?,
        skip,
        chars: sh.chars as u32,
        kind: Kind::Term,
    };
    let p = candidate.phrase(phrases)?;
    let kind = classify::kind(&text, sh.items, sh.chars, quoted_share(&p), config);
    let keep = if enumeration {
        kind == Kind::Enumeration && sh.chars >= config.min_chars_formulaic
    } else {
        matches!(kind, Kind::Term | Kind::Formula)
            && sh.chars >= config.min_chars
            && !too_closed_right(&p, config)
    };
    (keep && p.df >= config.min_df).then_some(Candidate { kind, ..candidate })
}
