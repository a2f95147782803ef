//! Boilerplate blocks: a passage of several lines that recurs near the start or end of many
//! files of a corpus — a licence notice, a site footer, an editor's note — learned from the
//! corpus and removed, where the learned boilerplate lines are single short lines.
//!
//! A line is a block line when it stands among the first or last `boilerplate_block_edge_lines`
//! non-blank lines of at least `max(boilerplate_min_files, boilerplate_block_min_share × files)`
//! files. In a file, a run of at least `boilerplate_block_min_lines` consecutive non-blank block
//! lines inside those edge windows is removed, each line logged as `boilerplate_block`. The run
//! and the file share keep real report text: related reports share single formulaic sentences,
//! not runs of whole lines at their edges in a large share of the corpus.

use rustc_hash::FxHashSet;

use crate::Config;

/// The reason a removed block line is logged under in clean-log.tsv.
pub(crate) const REASON: &str = "boilerplate_block";

/// The non-blank lines of a file, as (index, trimmed text), and the positions among them of
/// the edge windows (the first and last `k`).
fn edges(lines: &[String], k: usize) -> (Vec<(usize, &str)>, Vec<std::ops::Range<usize>>) {
    let nonblank: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect();
    let n = nonblank.len();
    // One window when the file is short enough for the two to meet.
    let windows: Vec<std::ops::Range<usize>> = if 2 * k >= n {
        std::iter::once(0..n).collect()
    } else {
        vec![0..k, n - k..n]
    };
    (nonblank, windows)
}

/// True for a line of prose: a whole sentence, at least 15 characters ending with 。！？ or ；.
/// Reports that share a closing sentence (让我们更加紧密地团结在……而努力奋斗！) share report
/// text, so such a line is never a block line; the lines of a notice broken up by an export
/// are fragments.
fn is_sentence(line: &str) -> bool {
    line.chars().count() >= 15 && line.ends_with(['。', '！', '？', '；'])
}

/// The block lines a file offers: the lines of its edge windows that are short and not a
/// sentence, counted across the corpus (`crate::recurring`).
pub(crate) fn candidates<'a>(lines: &'a [String], config: &Config) -> FxHashSet<&'a str> {
    if !config.learn_boilerplate_blocks {
        return FxHashSet::default();
    }
    let (nonblank, windows) = edges(lines, config.boilerplate_block_edge_lines);
    windows
        .into_iter()
        .flat_map(|w| nonblank[w].iter().map(|(_, l)| *l))
        .filter(|l| l.chars().count() <= config.boilerplate_block_max_line_chars)
        .filter(|l| !is_sentence(l))
        .collect()
}

/// Marks the block runs of one file's `lines` in `reason` (lines with a reason already keep it).
pub(crate) fn mark(
    lines: &[String],
    learned: &FxHashSet<String>,
    config: &Config,
    reason: &mut [Option<String>],
) {
    if learned.is_empty() {
        return;
    }
    let (nonblank, windows) = edges(lines, config.boilerplate_block_edge_lines);
    for w in windows {
        let window = &nonblank[w];
        let mut start = 0;
        while start < window.len() {
            if !learned.contains(window[start].1) {
                start += 1;
                continue;
            }
            let mut end = start;
            while end < window.len() && learned.contains(window[end].1) {
                end += 1;
            }
            if end - start >= config.boilerplate_block_min_lines {
                for &(i, _) in &window[start..end] {
                    if reason[i].is_none() {
                        reason[i] = Some(REASON.to_string());
                    }
                }
            }
            start = end;
        }
    }
}
