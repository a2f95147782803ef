//! `tifa cut`: how the segmenter cuts a text.

use super::*;
use crate::Global;

/// `tifa cut`: how the segmenter cuts a text.
pub fn cut(flags: &Global, text: &str) -> anyhow::Result<()> {
    crate::to_stdout(&format!("{}\n", cut_words(flags, text)?.join(" / ")))
}

/// The words `tifa cut` shows.
pub fn cut_words(flags: &Global, text: &str) -> anyhow::Result<Vec<String>> {
    // As the clean stage would have written it (２０２５, ＧＤＰ, 發展), so that it is cut as
    // the pipeline cuts the reports.
    let text = cleaned_as_reports(flags, &[text])?.remove(0);
    // Only the dictionary words the text uses: it cuts the same, and starts in milliseconds.
    let (seg, _) = segmenter_for(flags, &[&text])?;
    Ok(seg.cut(&text).into_iter().map(|(w, _)| w).collect())
}

/// `texts` normalised as the clean stage normalises report text, with the clean config of
/// `flags` ([`tifa_clean::normalise_text`]): what a user types, for `tifa cut` ([`cleaned_as`] for
/// `tifa lookup`).
pub(crate) fn cleaned_as_reports<S: AsRef<str>>(
    flags: &Global,
    texts: &[S],
) -> anyhow::Result<Vec<String>> {
    let config: tifa_clean::Config = crate::config::load(&flags.config, "clean")?;
    Ok(normalised(&config, texts))
}

/// `texts` normalised as the clean stage normalises report text with `config`.
fn normalised<S: AsRef<str>>(config: &tifa_clean::Config, texts: &[S]) -> Vec<String> {
    texts
        .iter()
        .map(|t| tifa_clean::normalise_text(t.as_ref(), config))
        .collect()
}

/// [`cleaned_as_reports`] for a search of the clean.bin whose header is `clean`: when that
/// file was made with this build and the clean settings of `flags` but for
/// `traditional_to_simplified`, the one setting that changes what is searched for, the query is
/// normalised as that file's texts were (共產黨 as 共产党 in texts made simplified), whatever
/// `--config` says.
pub(crate) fn cleaned_as<S: AsRef<str>>(
    flags: &Global,
    clean: &tifa_core::format::Header,
    texts: &[S],
) -> anyhow::Result<Vec<String>> {
    let mut config: tifa_clean::Config = crate::config::load(&flags.config, "clean")?;
    let fingerprint =
        |c: &tifa_clean::Config| tifa_core::fingerprint_value(&("clean", code("clean"), c));
    if fingerprint(&config) != clean.config_fingerprint {
        config.traditional_to_simplified = !config.traditional_to_simplified;
        if fingerprint(&config) != clean.config_fingerprint {
            config.traditional_to_simplified = !config.traditional_to_simplified;
        }
    }
    Ok(normalised(&config, texts))
}
