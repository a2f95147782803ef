//! `tifa segment`: clean.bin → segment.bin, with the segmenter its config describes.

use std::path::Path;

use tifa_core::format::{Header, Stage};
use tifa_core::{fingerprint, Corpus, Segmented};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

pub(crate) fn segmenter(flags: &Global) -> anyhow::Result<(tifa_segment::Segmenter, u64)> {
    let config: tifa_segment::Config = config::load(&flags.config, "segment")?;
    let seg = tifa_segment::Segmenter::new(&config, &flags.config)?;
    let fp = inputs_fingerprint(&[fingerprint(VERSION.as_bytes()), seg.fingerprint()]);
    Ok((seg, fp))
}

/// The config fingerprint segment.bin gets from [`segmenter`], without loading jieba.
pub(crate) fn segment_fingerprint(flags: &Global) -> anyhow::Result<u64> {
    let config: tifa_segment::Config = config::load(&flags.config, "segment")?;
    let fp = tifa_segment::fingerprint(&config, &flags.config)?;
    Ok(inputs_fingerprint(&[fingerprint(VERSION.as_bytes()), fp]))
}

/// `tifa segment`: clean.bin → segment.bin.
pub fn segment(flags: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    let (seg, config_fp) = segmenter(flags)?;
    let t = Timer::start(flags);
    let (h, corpus): (Header, Corpus) = read(bars, input, Stage::Clean)?;
    let segmented = tifa_segment::run(corpus, &seg, bars)?;
    let header = write(bars, out, Stage::Segment, h.checksum, config_fp, &segmented)?;
    say(flags, segment_line(&segmented, out));
    t.done(flags, "segment");
    Ok(header)
}

/// The line a finished stage prints.
pub(crate) fn segment_line(s: &Segmented, out: &Path) -> String {
    let tokens: usize = s.docs.iter().map(|d| d.tokens.len()).sum();
    format!(
        "segment: {} tokens, {} distinct -> {}",
        tokens,
        s.vocab.len(),
        out.display()
    )
}
