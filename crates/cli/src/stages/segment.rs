//! `tifa segment`: clean.bin → segment.bin, with the segmenter its config describes.

use std::path::Path;

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
    bars.start("dictionary", 0);
    let texts: Vec<&str> = corpus.documents.iter().map(|d| d.text.as_str()).collect();
    let built = segmenter_for(flags, &texts);
    bars.finish();
    built
}

/// The segmenter with segment.bin's config fingerprint.
fn with_fingerprint(seg: tifa_segment::Segmenter) -> (tifa_segment::Segmenter, u64) {
    let fp = inputs_fingerprint(&[fingerprint(VERSION.as_bytes()), seg.fingerprint()]);
    (seg, fp)
}

/// The config fingerprint segment.bin gets from [`segmenter`], without loading jieba.
pub(crate) fn segment_fingerprint(flags: &Global) -> anyhow::Result<u64> {
    let config: tifa_segment::Config = config::load(&flags.config, "segment")?;
    let fp = tifa_segment::fingerprint(&config, &flags.config)?;
    Ok(inputs_fingerprint(&[fingerprint(VERSION.as_bytes()), fp]))
}

/// `tifa segment`: clean.bin → segment.bin.
pub fn segment(flags: &Global, bars: &Bars, input: &Path, out: &Path) -> anyhow::Result<Header> {
    // The config and the user dictionaries are checked before clean.bin is read.
    segment_fingerprint(flags)?;
    let t = Timer::start(flags);
    memory_for(input);
    let (h, corpus): (Header, Corpus) = read(bars, input, Stage::Clean)?;
    let (seg, config_fp) = segmenter_for_corpus(flags, bars, &corpus)?;
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
