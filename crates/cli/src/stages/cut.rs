//! `tifa cut`: how the segmenter cuts a text.

use super::*;
use crate::Global;

/// `tifa cut`: how the segmenter cuts a text.
pub fn cut(flags: &Global, text: &str) -> anyhow::Result<()> {
    let (seg, _) = segmenter(flags)?;
    let words: Vec<String> = seg.cut(text).into_iter().map(|(w, _)| w).collect();
    println!("{}", words.join(" / "));
    Ok(())
}
