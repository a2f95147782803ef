//! `tifa count`: segment.bin → count.bin.

use std::path::Path;

use tifa_core::format::{self, Header, Stage};
use tifa_core::{
    fingerprint_value, Counts, Document, Progress, SegDoc, SegDocWaves, Segmented, SpilledCounts,
};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

/// What the count stage says it did: `phrases` counted in `reports` reports.
pub(crate) fn count_line(phrases: usize, reports: usize, out: &Path) -> String {
    format!(
        "count: {} in {} -> {}",
        tifa_core::text::counted(phrases, "phrase"),
        tifa_core::text::counted(reports, "report"),
        out.display()
    )
}

pub(crate) fn count_config(flags: &Global) -> anyhow::Result<(tifa_count::Config, u64)> {
    let config: tifa_count::Config = config::load(&flags.config, "count")?;
    config::checked(&flags.config, "count", config.validate())?;
    let fp = fingerprint_value(&("count", code("count"), &config));
    Ok((config, fp))
}

/// The count stage on a segmented corpus it takes over (and lets go of as its stream is laid
/// out), that of the segment.bin at `input`, with its scratch files beside `out`: the entry
/// point of `tifa count` and `tifa run` without a memory budget.
pub(crate) fn count_corpus(
    seg: Segmented,
    input: &Path,
    config: &tifa_count::Config,
    bars: &Bars,
    out: &Path,
) -> anyhow::Result<Counts> {
    let prepared = tifa_count::prepare(seg, config, bars).map_err(|e| damaged(input, e))?;
    Ok(tifa_count::finish(
        prepared,
        config,
        bars,
        Some(&scratch_dir(out)?),
        None,
    )?)
}

/// The count stage's error `e` on the segment.bin at `input`, named as damaged when it is.
fn damaged(input: &Path, e: tifa_count::Error) -> anyhow::Error {
    let damage = e.is_damage();
    damaged_if(input, damage, e)
}

/// Reports per wave of token streams read from segment.bin under a memory budget.
const COUNT_WAVE_REPORTS: usize = 256;

/// The count stage under a memory budget of `budget` bytes, on the segment.bin at `input`,
/// with its scratch files beside `out`: the entry point of `tifa count` and `tifa run` with
/// one. The token streams are read in waves and laid out to a scratch file, which each pass
/// reads in turn ([`tifa_count::Layout`]); a pass's suffixes take at most a quarter of the
/// budget ([`count_pass_bytes`]). The phrases of each pass go to scratch files, from which
/// count.bin is written ([`SpilledCounts`]). Returns the header of segment.bin with the
/// counts.
pub(crate) fn count_file(
    input: &Path,
    config: &tifa_count::Config,
    bars: &Bars,
    out: &Path,
    budget: u64,
) -> anyhow::Result<(Header, SpilledCounts)> {
    let dir = scratch_dir(out)?;
    // A wave's token streams are held twice (read back, and laid out), 4 bytes a token.
    let mut layout = tifa_count::Layout::new(&dir, wave_bytes(budget) as usize / 8)?;
    let mut failed = None;
    bars.start(&format!("read {}", file_name(input)), 0);
    let waves = SegDocWaves {
        size: COUNT_WAVE_REPORTS,
        each: |_: &mut [Document], wave: Vec<(usize, SegDoc)>| {
            for (_, doc) in &wave {
                if failed.is_none() {
                    failed = layout.push(&doc.tokens).err();
                }
            }
        },
    };
    let read = format::read_seed(input, Stage::Segment, waves);
    bars.finish();
    let (h, head) = read?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    let chars = tifa_core::segmented::chars_beside(input, &h, head.documents.len())?;
    let prepared = layout
        .prepare(
            &head.documents,
            &chars,
            head.vocab,
            head.skipped,
            config,
            bars,
        )
        .map_err(|e| damaged(input, e))?;
    let pass = Some(count_pass_bytes(budget));
    let counts = tifa_count::finish_on_disk(prepared, config, bars, &dir, pass)?;
    Ok((h, counts))
}

/// Bytes of one pass's suffixes, with the tokens copied after their keys, under a memory
/// budget of `budget` bytes. Under a budget the stage holds no token stream, so the passes get
/// a quarter of it: fewer passes, each of which reads the whole stream from its scratch file.
pub(crate) fn count_pass_bytes(budget: u64) -> usize {
    (budget / 4) as usize
}

/// `tifa count`: segment.bin → count.bin. The segmented corpus is freed as soon as the count
/// no longer needs it.
pub fn count(flags: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    let (config, config_fp) = count_config(flags)?;
    let t = Timer::start(flags);
    memory_for(input);
    let (header, line) = match crate::config::max_memory(flags)? {
        Some(budget) => {
            let (h, c) = count_file(input, &config, bars, out, budget)?;
            let header = write(bars, out, Stage::Count, h.checksum, config_fp, &c)?;
            (
                header,
                count_line(c.phrases.size().phrases, c.docs.len(), out),
            )
        }
        None => {
            let (h, seg): (Header, Segmented) = read(bars, input, Stage::Segment)?;
            let c = count_corpus(seg, input, &config, bars, out)?;
            let header = write(bars, out, Stage::Count, h.checksum, config_fp, &c)?;
            (header, count_line(c.phrases.len(), c.docs.len(), out))
        }
    };
    say(flags, line);
    t.done(flags, "count");
    Ok(header)
}
