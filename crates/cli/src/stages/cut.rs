//! `tifa cut`: how the segmenter cuts a text.

use super::*;
use crate::Global;

/// `tifa cut`: how the segmenter cuts a text.
pub fn cut(flags: &Global, text: &str) -> anyhow::Result<()> {
    println!("{}", cut_words(flags, text)?.join(" / "));
    Ok(())
}

/// The words `tifa cut` shows.
pub fn cut_words(flags: &Global, text: &str) -> anyhow::Result<Vec<String>> {
    let (seg, _) = segmenter(flags)?;
    Ok(seg.cut(text).into_iter().map(|(w, _)| w).collect())
}
