//! Boilerplate blocks: a passage of several lines that recurs near the start or end of many
//! files of a corpus — a licence notice, a site footer, an editor's note — learned from the
//! corpus and removed, where the learned boilerplate lines are single short lines.
//!
//! A line is a block line when it stands among the first or last `boilerplate_block_edge_lines`
//! non-blank lines of at least `max(boilerplate_min_files, boilerplate_block_min_share × files)`
//! files, of the corpus or of one of its folders. In a file, a run of at least
//! `boilerplate_block_min_lines` consecutive non-blank block lines that are not sentences,
//! inside those edge windows, is removed, each line logged as `boilerplate_block`. The run and the file share keep real report text: related reports share
//! single formulaic sentences, not runs of whole lines at their edges in a large share of the
//! corpus. A block line that is a sentence never starts a run: it goes only with the runs
//! around it, when block lines alone join it to a run on both sides, or to a run on one side
//! and the file's first or last line on the other (a notice's own sentence, between two of
//! its parts or closing it). A closing sentence that reports share stands between report text
//! and the notice, and stays.

use std::ops::Range;

use rustc_hash::FxHashSet;

use crate::Config;

/// The reason a removed block line is logged under in clean-log.tsv.
pub(crate) const REASON: &str = "boilerplate_block";

/// The non-blank lines of a file, as (index, trimmed text), and the positions among them of
/// the edge windows (the first and last `k`).
fn edges(lines: &[String], k: usize) -> (Vec<(usize, &str)>, Vec<Range<usize>>) {
    let nonblank: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let n = nonblank.len();
    // One window when the file is short enough for the two to meet.
    let windows: Vec<Range<usize>> = if 2 * k >= n {
        std::iter::once(0..n).collect()
    } else {
        vec![0..k, n - k..n]
    };
    (nonblank, windows)
}

/// True for a line of prose: a whole sentence, at least 15 characters ending with 。！？ or ；.
/// Reports that share a closing sentence (让我们更加紧密地团结在……而努力奋斗！) share report
/// text, so such a line never starts a run of block lines; the lines of a notice broken up by
/// an export are mostly fragments.
fn is_sentence(line: &str) -> bool {
    line.chars().count() >= 15 && line.ends_with(['。', '！', '？', '；'])
}

/// The block lines a file offers: the short lines of its edge windows, counted across the
/// corpus (`crate::recurring`).
pub(crate) fn candidates<'a>(lines: &'a [String], config: &Config) -> FxHashSet<&'a str> {
    if !config.learn_boilerplate_blocks {
        return FxHashSet::default();
    }
    let (nonblank, windows) = edges(lines, config.boilerplate_block_edge_lines);
    windows
        .into_iter()
        .flat_map(|w| nonblank[w].iter().map(|(_, l)| *l))
        .filter(|l| l.chars().count() <= config.boilerplate_block_max_line_chars)
        .collect()
}

/// Marks the block runs of one file's `lines` in `reason` (lines with a reason already keep it).
pub(crate) fn mark(
    lines: &[String],
    learned: &FxHashSet<u64>,
    config: &Config,
    reason: &mut [Option<String>],
) {
    if learned.is_empty() {
        return;
    }
    let (nonblank, windows) = edges(lines, config.boilerplate_block_edge_lines);
    let n = nonblank.len();
    for w in windows {
        let (first, last) = (w.start == 0, w.end == n);
        let window = &nonblank[w];
        let known: Vec<bool> = window
            .iter()
            .map(|(_, l)| learned.contains(&crate::line_key(l)))
            .collect();
        let block = |k: usize| known[k];
        let cores = runs(window.len(), |k| block(k) && !is_sentence(window[k].1))
            .filter(|r| r.len() >= config.boilerplate_block_min_lines)
            .collect::<Vec<_>>();
        let Some((head, tail)) = cores.first().zip(cores.last()) else {
            continue;
        };
        // The block lines between two runs, or between a run and the file's edge, go with them.
        let mut removed = Vec::new();
        if first && (0..head.start).all(block) {
            removed.push(0..head.start);
        }
        for pair in cores.windows(2) {
            let gap = pair[0].end..pair[1].start;
            if gap.clone().all(block) {
                removed.push(gap);
            }
        }
        if last && (tail.end..window.len()).all(block) {
            removed.push(tail.end..window.len());
        }
        removed.extend(cores);
        for &(i, _) in removed.into_iter().flat_map(|r| &window[r]) {
            if reason[i].is_none() {
                reason[i] = Some(REASON.to_string());
            }
        }
    }
}

/// The maximal runs of consecutive indices below `len` for which `keep` holds, in order.
fn runs(len: usize, keep: impl Fn(usize) -> bool) -> impl Iterator<Item = Range<usize>> {
    let mut start = 0;
    std::iter::from_fn(move || {
        while start < len && !keep(start) {
            start += 1;
        }
        let mut end = start;
        while end < len && keep(end) {
            end += 1;
        }
        let run = start..end;
        start = end;
        (!run.is_empty()).then_some(run)
    })
}
