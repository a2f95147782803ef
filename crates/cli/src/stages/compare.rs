//! `tifa compare`: count.bin (+ segment.bin for keyword-in-context) → compare.bin.

use std::path::Path;
use std::sync::Arc;

use tifa_core::format::{self, Header, Stage};
use tifa_core::{fingerprint_value, Counts};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

pub(crate) fn compare_line(found: Found, out: &Path) -> String {
    format!("compare: {found} -> {}", out.display())
}

/// What compare found: its rows, of which `names` are names (kind `name`, never counted as
/// slogans), said as summary.md and the page say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) rows: usize,
    pub(crate) names: usize,
}

impl Found {
    pub(crate) fn of(slogans: &[tifa_core::Slogan]) -> Found {
        Found {
            rows: slogans.len(),
            names: slogans.iter().filter(|s| !s.kind.is_slogan()).count(),
        }
    }
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use tifa_core::text::counted;
        write!(f, "{}", counted(self.rows - self.names, "slogan"))?;
        match self.names {
            0 => Ok(()),
            n => write!(f, " and {}", counted(n, "name")),
        }
    }
}

/// The examples in context of a selection, from segment.bin ([`tifa_compare::examples_from_file`]).
pub(crate) fn examples(
    bars: &Bars,
    selection: &tifa_compare::Selection,
    config: &tifa_compare::Config,
    segment: &Path,
    known: &Header,
) -> anyhow::Result<(Vec<Vec<tifa_core::Kwic>>, usize)> {
    Ok(tifa_compare::examples_from_file(
        selection, config, segment, known, bars,
    )?)
}

pub(crate) fn compare_config(
    flags: &Global,
    group_by: &[String],
) -> anyhow::Result<(tifa_compare::Config, u64)> {
    let mut config: tifa_compare::Config = config::load(&flags.config, "compare")?;
    config::checked(&flags.config, "compare", config.validate())?;
    for f in group_by {
        if !config.group_by.contains(f) {
            config.group_by.push(f.clone());
        }
    }
    let fp = fingerprint_value(&("compare", code("compare"), &config));
    Ok((config, fp))
}

/// `tifa compare`: count.bin (+ segment.bin for keyword-in-context) → compare.bin. The counts
/// are freed before segment.bin is read, so the two are never in memory together, and
/// segment.bin is read wave by wave of token streams.
pub fn compare(
    flags: &Global,
    bars: &Bars,
    input: &Path,
    segment: &Path,
    out: &Path,
    group_by: &[String],
) -> anyhow::Result<Header> {
    let (config, config_fp) = compare_config(flags, group_by)?;
    let t = Timer::start(flags);
    let hs = format::read_header(segment, Some(Stage::Segment))?;
    memory_for(input);
    // Under a memory budget the per-report counts stay in a scratch file.
    let budget = config::max_memory(flags)?.is_some();
    let (hc, counts) = if budget {
        let (hc, counts, aside) = read_counts_aside(bars, input, out)?;
        (hc, Taken::Aside(Box::new(counts), aside))
    } else {
        let (hc, counts): (Header, Counts) = read(bars, input, Stage::Count)?;
        (hc, Taken::Whole(Arc::new(counts)))
    };
    same_run(input, &hc, segment, &hs)?;
    let done = compare_counts(counts, input, &config, segment, &hs, bars)?;
    let input_fp = inputs_fingerprint(&[hc.checksum, hs.checksum]);
    let (header, found) = write_comparison(bars, out, input_fp, config_fp, done, budget)?;
    say(flags, compare_line(found, out));
    t.done(flags, "compare");
    Ok(header)
}

/// The counts the compare stage takes over.
pub(crate) enum Taken {
    /// Held whole; `tifa run` may share them with the thread writing count.bin.
    Whole(Arc<Counts>),
    /// Read with their per-report counts set aside in a scratch file (under a memory budget):
    /// the counts are let go of as soon as the ranked slogans have what they need of them.
    Aside(Box<Counts>, tifa_core::PerDocAside),
}

/// Writes the comparison to `out`, and gives its header and number of slogans. Under a memory
/// budget the rows are made as they are written, never held whole; else the comparison is
/// made whole first, as `tifa run` hands it to report.
pub(crate) fn write_comparison(
    bars: &Bars,
    out: &Path,
    input_fp: u64,
    config_fp: u64,
    done: tifa_compare::Completed,
    budget: bool,
) -> anyhow::Result<(Header, Found)> {
    let found = Found {
        rows: done.len(),
        names: done.names(),
    };
    let header = if budget {
        write(
            bars,
            out,
            Stage::Compare,
            input_fp,
            config_fp,
            &done.streamed(bars),
        )?
    } else {
        let cmp = done.into_comparison(bars);
        write(bars, out, Stage::Compare, input_fp, config_fp, &cmp)?
    };
    Ok((header, found))
}

/// The compare stage on counts it takes over, those of the count.bin at `input`: selects the
/// slogans, lets go of the counts, reads the examples in context from `segment` (whose header
/// is `known`), and makes all but the rows, which [`tifa_compare::Completed`] makes as a whole
/// comparison or as they are written. The one entry point of `tifa compare` and `tifa run`.
pub(crate) fn compare_counts(
    counts: Taken,
    input: &Path,
    config: &tifa_compare::Config,
    segment: &Path,
    known: &Header,
    bars: &Bars,
) -> anyhow::Result<tifa_compare::Completed> {
    // The counts are let go of before the segmented corpus is read, so the two are not in
    // memory together.
    let selection = match counts {
        Taken::Whole(counts) => tifa_compare::select(&counts, None, config, bars),
        Taken::Aside(counts, aside) => tifa_compare::select_owned(*counts, &aside, config, bars),
    };
    let selection = selection.map_err(|e| {
        let damage = e.is_damage();
        damaged_if(input, damage, e)
    })?;
    let (lines, n_streams) = examples(bars, &selection, config, segment, known)?;
    Ok(tifa_compare::prepare(
        selection, lines, n_streams, config, bars,
    )?)
}

/// Refuses a count.bin that was not made from this segment.bin: mixing a stale count with a
/// fresh segmentation would give keyword-in-context lines and lookups that do not match.
pub(crate) fn same_run(
    count: &Path,
    hc: &Header,
    segment: &Path,
    hs: &Header,
) -> anyhow::Result<()> {
    if hc.input_fingerprint != hs.checksum {
        anyhow::bail!(
            "{}: stale: not made from {} (re-run `tifa count`)",
            count.display(),
            segment.display()
        );
    }
    Ok(())
}
