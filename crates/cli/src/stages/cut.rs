//! `tifa cut`: how the segmenter cuts a text.

use super::*;
use crate::Global;

/// `tifa cut`: how the segmenter cuts a text.
pub fn cut(flags: &Global, text: &str) -> anyhow::Result<()> {
    crate::to_stdout(&format!("{}\n", cut_words(flags, text)?.join(" / ")))
}

/// The words `tifa cut` shows.
pub fn cut_words(flags: &Global, text: &str) -> anyhow::Result<Vec<String>> {
    // Only the dictionary words the text uses: it cuts the same, and starts in milliseconds.
    let (seg, _) = segmenter_for(flags, &[text])?;
    Ok(seg.cut(text).into_iter().map(|(w, _)| w).collect())
}
