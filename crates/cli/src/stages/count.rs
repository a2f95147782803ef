//! `tifa count`: segment.bin → count.bin.

use std::path::Path;

use tifa_core::format::{Header, Stage};
use tifa_core::{fingerprint_value, Counts, Segmented};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

pub(crate) fn count_line(c: &Counts, out: &Path) -> String {
    format!(
        "count: {} phrases in {} reports -> {}",
        c.phrases.len(),
        c.docs.len(),
        out.display()
    )
}

pub(crate) fn count_config(flags: &Global) -> anyhow::Result<(tifa_count::Config, u64)> {
    let config: tifa_count::Config = config::load(&flags.config, "count")?;
    let fp = fingerprint_value(&("count", VERSION, &config));
    Ok((config, fp))
}

/// The count stage on a segmented corpus it takes over (and lets go of as its stream is laid
/// out), with its scratch files beside `out`: the one entry point of `tifa count` and `tifa run`.
/// Under a memory budget each pass's suffixes take at most a wave's share of it
/// ([`wave_bytes`]); the stage still holds its token stream and its output whole.
pub(crate) fn count_corpus(
    seg: Segmented,
    config: &tifa_count::Config,
    bars: &Bars,
    out: &Path,
    budget: Option<u64>,
) -> anyhow::Result<Counts> {
    let prepared = tifa_count::prepare(seg, config, bars)?;
    let max_pass = budget.map(|b| wave_bytes(b) as usize / tifa_count::SUFFIX_BYTES);
    Ok(tifa_count::finish(
        prepared,
        config,
        bars,
        Some(&scratch_dir(out)?),
        max_pass,
    )?)
}

/// `tifa count`: segment.bin → count.bin. The segmented corpus is freed as soon as the count
/// no longer needs it.
pub fn count(flags: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    let (config, config_fp) = count_config(flags)?;
    let t = Timer::start(flags);
    memory_for(input);
    let (h, seg): (Header, Segmented) = read(bars, input, Stage::Segment)?;
    let budget = crate::config::max_memory(flags)?;
    let counts = count_corpus(seg, &config, bars, out, budget)?;
    let header = write(bars, out, Stage::Count, h.checksum, config_fp, &counts)?;
    say(flags, count_line(&counts, out));
    t.done(flags, "count");
    Ok(header)
}
