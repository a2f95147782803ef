//! `tifa segment`: clean.bin → segment.bin, with the segmenter its config describes.

use std::path::Path;

use anyhow::Context;

use tifa_core::format::{Header, Stage};
use tifa_core::{fingerprint, Corpus, Progress, Segmented};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

/// The segmenter with jieba's whole dictionary, and segment.bin's config fingerprint.
pub(crate) fn segmenter(flags: &Global) -> anyhow::Result<(tifa_segment::Segmenter, u64)> {
    let config: tifa_segment::Config = config::load(&flags.config, "segment")?;
    Ok(with_fingerprint(tifa_segment::Segmenter::new(
        &config,
        &flags.config,
    )?))
}

/// The segmenter for `texts` (with only the dictionary words they use, when they are few:
/// [`tifa_segment::Segmenter::for_texts`]), and segment.bin's config fingerprint.
pub(crate) fn segmenter_for(
    flags: &Global,
    texts: &[&str],
) -> anyhow::Result<(tifa_segment::Segmenter, u64)> {
    let config: tifa_segment::Config = config::load(&flags.config, "segment")?;
    Ok(with_fingerprint(tifa_segment::Segmenter::for_texts(
        &config,
        &flags.config,
        texts,
    )?))
}

/// The segmenter for the corpus's reports, timed as the phase `dictionary`.
pub(crate) fn segmenter_for_corpus(
    flags: &Global,
    bars: &Bars,
    corpus: &Corpus,
) -> anyhow::Result<(tifa_segment::Segmenter, u64)> {
    let texts: Vec<&str> = corpus.documents.iter().map(|d| d.text.as_str()).collect();
    phase(bars, "dictionary", || segmenter_for(flags, &texts))
}

/// The segmenter with segment.bin's config fingerprint.
fn with_fingerprint(seg: tifa_segment::Segmenter) -> (tifa_segment::Segmenter, u64) {
    let fp = inputs_fingerprint(&[fingerprint(code("segment").as_bytes()), seg.fingerprint()]);
    (seg, fp)
}

/// The config fingerprint segment.bin gets from [`segmenter`], without loading jieba.
pub(crate) fn segment_fingerprint(flags: &Global) -> anyhow::Result<u64> {
    let config: tifa_segment::Config = config::load(&flags.config, "segment")?;
    let fp = tifa_segment::fingerprint(&config, &flags.config)?;
    Ok(inputs_fingerprint(&[
        fingerprint(code("segment").as_bytes()),
        fp,
    ]))
}

/// `tifa segment`: clean.bin → segment.bin.
pub fn segment(flags: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    // The config and the user dictionaries are checked before clean.bin is read.
    segment_fingerprint(flags)?;
    let t = Timer::start(flags);
    memory_for(input);
    let size = std::fs::metadata(input).map_or(0, |m| m.len());
    // Read whole, a clean.bin of several waves and its token streams were twice the corpus in
    // memory, and no faster.
    let waves = match crate::config::max_memory(flags)? {
        Some(budget) => Some(segment_wave(budget)),
        None if size > SEGMENT_WAVE_BYTES => Some(SEGMENT_WAVE_BYTES),
        None => None,
    };
    let header = match waves {
        Some(wave) => segment_in_waves(flags, bars, input, None, out, wave, None)?,
        None => {
            let (h, corpus): (Header, Corpus) = read(bars, input, Stage::Clean)?;
            let (seg, config_fp) = segmenter_for_corpus(flags, bars, &corpus)?;
            let segmented = tifa_segment::run(corpus, &seg, bars)?;
            let header = write(bars, out, Stage::Segment, h.checksum, config_fp, &segmented)?;
            say(flags, segment_line(&segmented, out));
            header
        }
    };
    t.done(flags, "segment");
    Ok(header)
}

/// Bytes of text per wave of `tifa segment`, at most: of a clean.bin larger than one wave, or
/// under a memory budget (then less when an eighth of the budget is less). On the 1 GB
/// corpus, reading clean.bin whole took 27.7 s at a peak of 2.0 GB; in waves of 64 MiB the
/// stage took 23–24 s at 274 MB, and waves of 256 and 512 MiB took as long at 0.6 and 1.1 GB.
const SEGMENT_WAVE_BYTES: u64 = 64 << 20;

/// Bytes of text per wave of segment under a memory budget of `budget` bytes.
pub(crate) fn segment_wave(budget: u64) -> u64 {
    wave_bytes(budget).min(SEGMENT_WAVE_BYTES)
}

/// The segment stage in waves of `wave` bytes of text (under a memory budget, or on a large
/// clean.bin): clean.bin (`input`, whose header is `known` when this run read it before) is
/// read in waves of reports ([`tifa_core::DocumentWaves`]), each cut on its own
/// ([`tifa_segment::InWaves`]) and its token streams appended to a scratch file in the folder
/// of `out`, from which segment.bin is written once the vocabulary of every wave is known:
/// byte for byte the whole stage's file.
/// The segmenter has jieba's whole dictionary (`loaded`, or loaded now): finding the words a
/// corpus uses would need all its texts at once, and it cuts the same.
pub(crate) fn segment_in_waves(
    flags: &Global,
    bars: &Bars,
    input: &Path,
    known: Option<&Header>,
    out: &Path,
    wave: u64,
    loaded: Option<(tifa_segment::Segmenter, u64)>,
) -> anyhow::Result<Header> {
    let (seg, config_fp) = match loaded {
        Some(l) => l,
        None => phase(bars, "dictionary", || segmenter(flags))?,
    };
    let dir = &scratch_dir(out)?;
    let mut spilled = tifa_core::SpilledSegmented::new(dir)
        .with_context(|| format!("making a scratch file in {}", dir.display()))?;
    let mut waves = tifa_segment::InWaves::default();
    let mut failed: Option<anyhow::Error> = None;
    // Counted in bytes of text, which the file's size bounds.
    let size = std::fs::metadata(input).map_or(0, |m| m.len());
    bars.start("segment", size);
    let each = |mut wave: Vec<tifa_core::Document>| {
        if failed.is_some() {
            return;
        }
        let bytes: u64 = wave.iter().map(|d| d.text.len() as u64).sum();
        let cut = waves
            .cut(&mut wave, &seg, &tifa_core::NoProgress)
            .map_err(anyhow::Error::from)
            .and_then(|(docs, chars)| {
                spilled
                    .push(wave, docs, chars)
                    .map_err(|e| anyhow::anyhow!("{}: scratch file: {e}", dir.display()))
            });
        failed = cut.err();
        bars.inc(bytes);
    };
    let seed = tifa_core::DocumentWaves {
        bytes: wave as usize,
        each,
    };
    let read = tifa_core::format::read_seed(input, Stage::Clean, seed);
    bars.finish();
    let (h, skipped) = read?;
    if let Some(e) = failed {
        return Err(e);
    }
    if known.is_some_and(|k| k.checksum != h.checksum) {
        anyhow::bail!("{}: changed while tifa was running", input.display());
    }
    bars.start("vocabulary", 0);
    let (vocab, ids) = waves.finish(&seg)?;
    bars.finish();
    spilled
        .renumber(vocab, ids)
        .map_err(|e| anyhow::anyhow!("{}: {e}", input.display()))?;
    spilled.skipped = skipped;
    let header = write(bars, out, Stage::Segment, h.checksum, config_fp, &spilled)?;
    say(
        flags,
        tokens_line(spilled.tokens(), spilled.vocab.len(), out),
    );
    Ok(header)
}

/// The line a finished stage prints.
pub(crate) fn segment_line(s: &Segmented, out: &Path) -> String {
    let tokens: usize = s.docs.iter().map(|d| d.tokens.len()).sum();
    tokens_line(tokens as u64, s.vocab.len(), out)
}

fn tokens_line(tokens: u64, distinct: usize, out: &Path) -> String {
    format!(
        "segment: {}, {distinct} distinct -> {}",
        tifa_core::text::counted(tokens, "token"),
        out.display()
    )
}
