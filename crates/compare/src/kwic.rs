//! Keyword-in-context lines: a few example uses of each slogan, taken from reports spread across
//! the ones it occurs in.
//!
//! The choice is deterministic: the reports are taken at even steps through the slogan's
//! reports in corpus order, and in each the first occurrence is shown. Context stops at a
//! paragraph break so that a line never runs into a heading or the next paragraph.

use std::cell::RefCell;

use rayon::prelude::*;
use tifa_core::{Kwic, SegDoc, Segmented, Vocab};

/// One slogan as the examples need it: its tokens, the other token sequences its text is cut
/// into (a text cut one way in plain text and another inside quotation marks), and its
/// `(document, occurrences)` list.
pub type Item<'a> = (&'a [u32], &'a [Vec<u32>], tifa_core::PerDoc<'a>);

thread_local! {
    /// Each thread keeps, per token id, where the current report's list of positions of that
    /// token is (0: not wanted), instead of hashing every token of every report. Kept from
    /// report to report (every report puts back the zeros it changed): a fresh table per wave
    /// was a fresh mapping, zeroed page by page by the kernel.
    static SLOTS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Reports per wave, per thread.
const WAVE_PER_THREAD: usize = 16;

/// Reports per wave: [`Lines::wave`] handles a wave's reports in parallel.
pub fn wave_size() -> usize {
    (rayon::current_num_threads() * WAVE_PER_THREAD).max(1)
}

/// The example lines of a list of slogans, filled report by report.
///
/// Requests are grouped by report so that each report's tokens are scanned once, whatever the
/// number of slogans shown from it. Reports come in waves, in corpus order (from a segmented
/// corpus in memory, or as segment.bin is read), are handled in parallel within a wave, and
/// each wave's lines are moved to their slogans before the next: no list of all the lines
/// exists beside the result, which would add to the stage's peak, and the token streams need not all be in memory. A slogan's requests go to its reports in
/// increasing order, so taking the reports in order puts each slogan's lines in request order,
/// whatever the scheduling.
pub struct Lines<'a> {
    items: Vec<Item<'a>>,
    /// Slogans asking each report for a line.
    by_doc: Vec<Vec<usize>>,
    context_chars: usize,
    out: Vec<Vec<Kwic>>,
}

impl<'a> Lines<'a> {
    /// Up to `per_slogan` lines for each item, from reports at even steps through its reports.
    pub fn new(
        items: Vec<Item<'a>>,
        n_docs: usize,
        per_slogan: usize,
        context_chars: usize,
    ) -> Lines<'a> {
        let mut by_doc: Vec<Vec<usize>> = vec![Vec::new(); n_docs];
        let mut out = Vec::with_capacity(items.len());
        let mut per_doc = Vec::new();
        for (s, (tokens, _, packed)) in items.iter().enumerate() {
            per_doc.clear();
            per_doc.extend(packed.iter());
            out.push(Vec::with_capacity(per_slogan.min(per_doc.len())));
            if tokens.is_empty() {
                continue;
            }
            let k = per_slogan.min(per_doc.len());
            for j in 0..k {
                let (d, _) = per_doc[j * per_doc.len() / k];
                if let Some(reqs) = by_doc.get_mut(d as usize) {
                    reqs.push(s);
                }
            }
        }
        Lines {
            items,
            by_doc,
            context_chars,
            out,
        }
    }

    /// Takes the lines of a wave of `(report index, text, token stream)`, in corpus order;
    /// `vocab` gives the token lengths.
    pub fn wave(&mut self, docs: &[(usize, &str, &SegDoc)], vocab: &Vocab) {
        let (items, by_doc, context_chars) = (&self.items, &self.by_doc, self.context_chars);
        let lines: Vec<Vec<(usize, Kwic)>> = docs
            .par_iter()
            .map(|&(d, text, doc)| {
                let reqs = by_doc.get(d).map_or(&[][..], Vec::as_slice);
                if reqs.is_empty() {
                    return Vec::new();
                }
                SLOTS.with_borrow_mut(|slot| {
                    if slot.len() < vocab.len() {
                        slot.resize(vocab.len(), 0);
                    }
                    lines_of(d, doc, text, reqs, items, vocab, slot, context_chars)
                })
            })
            .collect();
        for (s, line) in lines.into_iter().flatten() {
            self.out[s].push(line);
        }
    }

    /// Takes the lines of a segmented corpus in memory, wave by wave; `after_wave(n)` is told
    /// the number of reports of each wave done.
    pub fn segmented(&mut self, seg: &Segmented, mut after_wave: impl FnMut(usize)) {
        let docs: Vec<(usize, &str, &SegDoc)> = seg
            .docs
            .iter()
            .zip(&seg.documents)
            .enumerate()
            .map(|(d, (doc, report))| (d, report.text.as_str(), doc))
            .collect();
        for wave in docs.chunks(wave_size()) {
            self.wave(wave, &seg.vocab);
            after_wave(wave.len());
        }
    }

    /// The lines of each item, in item order.
    pub fn into_lines(self) -> Vec<Vec<Kwic>> {
        self.out
    }
}

/// The lines report `d` (token stream `doc`, text `text`) gives to the slogans that asked it
/// for one, as `(slogan, line)`. `slot` is zeroed, one entry per token id, and is left zeroed.
#[allow(clippy::too_many_arguments)]
fn lines_of(
    d: usize,
    doc: &SegDoc,
    text: &str,
    reqs: &[usize],
    items: &[Item],
    vocab: &Vocab,
    slot: &mut [u32],
    context_chars: usize,
) -> Vec<(usize, Kwic)> {
    let mut out = Vec::new();
    // Every token sequence of a slogan: its own, then the others of its text.
    let sequences = |s: usize| {
        let (tokens, others, _) = &items[s];
        std::iter::once(*tokens)
            .chain(others.iter().map(Vec::as_slice))
            .filter(|t| !t.is_empty())
    };
    // Positions of each first token that some request needs.
    let mut positions: Vec<Vec<usize>> = Vec::new();
    for &s in reqs {
        for tokens in sequences(s) {
            if let Some(x) = slot.get_mut(tokens[0] as usize) {
                if *x == 0 {
                    positions.push(Vec::new());
                    *x = positions.len() as u32;
                }
            }
        }
    }
    for (i, &t) in doc.tokens.iter().enumerate() {
        if let Some(&x) = slot.get(t as usize).filter(|&&x| x != 0) {
            positions[x as usize - 1].push(i);
        }
    }
    for &s in reqs {
        // The first occurrence of any of its sequences.
        let at = sequences(s)
            .filter_map(|tokens| {
                slot.get(tokens[0] as usize)
                    .filter(|&&x| x != 0)
                    .and_then(|&x| {
                        positions[x as usize - 1]
                            .iter()
                            .find_map(|&i| Some((i, match_at(&doc.tokens, i, tokens, vocab)?)))
                    })
            })
            .min();
        let line =
            at.and_then(|(at, last)| line_at(at, last, d as u32, doc, text, vocab, context_chars));
        if let Some(line) = line {
            out.push((s, line));
        }
    }
    for &s in reqs {
        for tokens in sequences(s) {
            if let Some(x) = slot.get_mut(tokens[0] as usize) {
                *x = 0;
            }
        }
    }
    out
}

/// Whether the phrase `tokens` occurs in the stream `stream` from token `at`, reading across
/// quotation marks as counting does ([`tifa_core::text::Quote`]); the index of its last token.
fn match_at(stream: &[u32], at: usize, tokens: &[u32], vocab: &Vocab) -> Option<usize> {
    let mut j = at;
    for (k, &t) in tokens.iter().enumerate() {
        if k > 0 {
            while stream
                .get(j)
                .is_some_and(|&x| tifa_core::text::quote_term(vocab.term(x)).is_some())
            {
                j += 1;
            }
        }
        if stream.get(j) != Some(&t) {
            return None;
        }
        j += 1;
    }
    Some(j - 1)
}

fn line_at(
    at: usize,
    last: usize,
    d: u32,
    doc: &SegDoc,
    text: &str,
    vocab: &Vocab,
    context_chars: usize,
) -> Option<Kwic> {
    let (start, end) = doc.span(at, vocab)?;
    // A one-token phrase (the most common) ends where its token does.
    let end = if last == at {
        end
    } else {
        doc.end(last, vocab)?
    };
    let (start, end) = balanced(text, start as usize, end as usize);
    let phrase = text.get(start..end)?;
    let before = text.get(..start)?;
    let after = text.get(end..)?;
    // Only the context itself is scanned, never the whole paragraph: a report without line
    // breaks would otherwise be read end to end for every line.
    // The context is a slice of the text: found by walking characters, copied once.
    let from = before
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c != '\n')
        .take(context_chars)
        .last()
        .map_or(before.len(), |(i, _)| i);
    let to = after
        .char_indices()
        .take_while(|&(_, c)| c != '\n')
        .take(context_chars)
        .last()
        .map_or(0, |(i, c)| i + c.len_utf8());
    Some(Kwic::new(d, &before[from..], phrase, &after[..to]))
}

/// The span `start..end` of `text`, widened by a quotation mark on either side that closes one
/// opened inside it (做到“两个维护 + ”) or opens one closed inside it (“ + 十四五”规划), so that a
/// highlighted phrase holds both marks of a pair or neither.
fn balanced(text: &str, start: usize, end: usize) -> (usize, usize) {
    use tifa_core::text::{quote_mark, Quote};
    let Some(phrase) = text.get(start..end) else {
        return (start, end);
    };
    // Marks opened and not closed inside the phrase, and closed without being opened there.
    let (mut open, mut unopened) = (0usize, 0usize);
    for c in phrase.chars() {
        match quote_mark(c) {
            Some(Quote::Open) => open += 1,
            Some(Quote::Close) if open > 0 => open -= 1,
            Some(Quote::Close) => unopened += 1,
            None => {}
        }
    }
    let mut end = end;
    for c in text[end..].chars().take(open) {
        if quote_mark(c) != Some(Quote::Close) {
            break;
        }
        end += c.len_utf8();
    }
    let mut start = start;
    for c in text[..start].chars().rev().take(unopened) {
        if quote_mark(c) != Some(Quote::Open) {
            break;
        }
        start -= c.len_utf8();
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::{Document, Meta, SegDoc};

    #[test]
    fn a_highlight_holds_both_marks_of_a_pair_or_neither() {
        let at = |text: &str, phrase: &str| {
            let start = text.find(phrase).unwrap();
            let (s, e) = balanced(text, start, start + phrase.len());
            format!("{}【{}】{}", &text[..s], &text[s..e], &text[e..])
        };
        assert_eq!(
            at("坚决做到“两个维护”。", "做到“两个维护"),
            "坚决【做到“两个维护”】。"
        );
        assert_eq!(
            at("完成“十四五”规划目标任务", "十四五”规划目标任务"),
            "完成【“十四五”规划目标任务】"
        );
        assert_eq!(at("增强“四个意识”", "四个意识"), "增强“【四个意识】”");
        assert_eq!(at("增强“四个意识”", "增强“四个意识”"), "【增强“四个意识”】");
    }

    /// Up to `per_slogan` lines for each item, in item order, from a segmented corpus in memory.
    fn all(
        items: &[Item],
        seg: &Segmented,
        per_slogan: usize,
        context_chars: usize,
    ) -> Vec<Vec<Kwic>> {
        let mut lines = Lines::new(items.to_vec(), seg.docs.len(), per_slogan, context_chars);
        lines.segmented(seg, |_| {});
        lines.into_lines()
    }

    fn seg_of(texts: &[(&str, &[&str])]) -> (Segmented, Vec<String>) {
        let mut terms: Vec<String> = Vec::new();
        let mut documents = Vec::new();
        let mut docs = Vec::new();
        for (i, (text, toks)) in texts.iter().enumerate() {
            let mut doc = SegDoc::default();
            let mut pos = 0;
            for t in toks.iter() {
                let at = text[pos..].find(t).unwrap() + pos;
                let id = terms.iter().position(|x| x == t).unwrap_or_else(|| {
                    terms.push(t.to_string());
                    terms.len() - 1
                });
                doc.push(id as u32, t, at as u32, (at + t.len()) as u32);
                pos = at + t.len();
            }
            docs.push(doc);
            documents.push(Document {
                id: format!("d{i}"),
                title: String::new(),
                source: String::new(),
                meta: Meta::default(),
                text: text.to_string(),
            });
        }
        (
            Segmented {
                documents,
                docs,
                vocab: tifa_core::Vocab::new(
                    terms.clone(),
                    vec![tifa_core::TokenKind::Word; terms.len()],
                ),
                skipped: Vec::new(),
                chars: Vec::new(),
            },
            terms,
        )
    }

    #[test]
    fn context_stops_at_paragraphs_and_is_spread() {
        let (seg, terms) = seg_of(&[
            ("标题\n我们要增强四个意识，坚定不移", &["增强", "四个意识"]),
            ("另一篇", &[]),
            ("必须增强四个意识。", &["增强", "四个意识"]),
        ]);
        let id = |t: &str| terms.iter().position(|x| x == t).unwrap() as u32;
        let phrase = [id("增强"), id("四个意识")];
        let per_doc = [(0, 1), (2, 1)];
        let k = &all(
            &[(&phrase, &[], tifa_core::PerDoc::plain(&per_doc))],
            &seg,
            5,
            3,
        )[0];
        assert_eq!(k.len(), 2);
        assert_eq!(
            (k[0].doc, k[0].left(), k[0].phrase(), k[0].right()),
            (0, "我们要", "增强四个意识", "，坚定")
        );
        assert_eq!((k[1].left(), k[1].right()), ("必须", "。"));
        // One line asked for: the first report.
        let one = &all(
            &[(&phrase, &[], tifa_core::PerDoc::plain(&per_doc))],
            &seg,
            1,
            3,
        )[0];
        assert_eq!(one[0].doc, 0);
    }

    #[test]
    fn a_text_cut_two_ways_is_shown_from_either_cut() {
        // 吃大锅饭 is one word in plain text, two inside quotation marks.
        let (seg, terms) = seg_of(&[
            ("不能吃大锅饭。", &["吃大锅饭"]),
            ("打破吃“大锅饭”的做法", &["吃", "“", "大锅饭", "”"]),
        ]);
        let id = |t: &str| terms.iter().position(|x| x == t).unwrap() as u32;
        let word = [id("吃大锅饭")];
        let others = [vec![id("吃"), id("大锅饭")]];
        let per_doc = [(0, 1), (1, 1)];
        let k = &all(
            &[(&word, &others, tifa_core::PerDoc::plain(&per_doc))],
            &seg,
            5,
            2,
        )[0];
        let shown: Vec<(u32, &str)> = k.iter().map(|l| (l.doc, l.phrase())).collect();
        // The highlight takes the closing mark too: both marks of a pair or neither.
        assert_eq!(shown, [(0, "吃大锅饭"), (1, "吃“大锅饭”")]);
    }
}
