//! `tifa lookup`: exact tf and df of any strings over clean.bin's texts, with their slogan rows.

use std::path::Path;

use tifa_core::format::{self, Header, Stage};

use super::*;
use crate::Global;

/// `tifa lookup`: tf and df of each phrase, searched in the cleaned texts of clean.bin, and
/// its slogan row from compare.bin when that file is there and was made from this clean.bin.
/// compare.bin is read on a thread of its own while clean.bin is read and searched.
pub fn lookup(flags: &Global, work_dir: &Path, phrases: &[String]) -> anyhow::Result<()> {
    let (hits, kept, searched) = lookup_hits(flags, work_dir, phrases)?;
    let rows = tifa_count::lookup::slogans(&kept, &searched);
    crate::to_stdout(&tifa_count::lookup::table(phrases, &hits, &rows))
}

/// What `tifa lookup` prints, before it is printed: the hits of each phrase, the slogans of
/// compare.bin among the phrases (none when compare.bin is absent or stale), and the phrases as
/// searched: normalised as the clean stage normalises the texts (`"四个意识",` is searched as
/// `“四个意识”，`, ＧＤＰ as GDP).
pub fn lookup_hits(
    flags: &Global,
    work_dir: &Path,
    phrases: &[String],
) -> anyhow::Result<(
    Vec<tifa_count::lookup::Hits>,
    Vec<tifa_core::Slogan>,
    Vec<String>,
)> {
    let path = work_dir.join("clean.bin");
    let hc = format::read_header(&path, Some(Stage::Clean))?;
    let searched = cleaned_as(flags, &hc, phrases)?;
    let phrases = &searched;
    let lookup = tifa_count::Lookup::new(phrases);
    let (hits, rows) = std::thread::scope(|scope| {
        let rows = scope.spawn(|| slogans_of(flags, work_dir, &hc, &lookup));
        (lookup.search_file(&path), rows.join())
    });
    let (h, hits) = hits?;
    if h.checksum != hc.checksum {
        anyhow::bail!("{}: changed while tifa was running", path.display());
    }
    let kept = rows.map_err(|_| anyhow::anyhow!("reading compare.bin failed"))??;
    Ok((hits, kept, searched))
}

/// The slogans of compare.bin in `work_dir` that `lookup` wants, when compare.bin exists and
/// was made from the clean.bin whose header is `clean` (through segment.bin and count.bin); a
/// missing or stale one is passed over with a warning (unless quiet).
pub(crate) fn slogans_of(
    flags: &Global,
    work_dir: &Path,
    clean: &Header,
    lookup: &tifa_count::Lookup,
) -> anyhow::Result<Vec<tifa_core::Slogan>> {
    let path = work_dir.join("compare.bin");
    let why = if path.exists() {
        not_made_from(work_dir, clean)?
    } else {
        Some("not there (the compare stage makes it)".to_string())
    };
    if let Some(why) = why {
        if !flags.quiet {
            flags.sink.say(&format!(
                "warning: {}: {why}; rank, kind and score left empty",
                path.display()
            ));
        }
        return Ok(Vec::new());
    }
    let keep = |p: &str, _| lookup.wants(p);
    let seed = tifa_core::SomeSlogans { keep };
    let (_, (_, kept)) = format::read_seed(&path, Stage::Compare, seed)?;
    Ok(kept)
}

/// Why the compare.bin in `work_dir` cannot be taken for one made from the clean.bin whose
/// header is `clean`, through the segment.bin and count.bin beside it: `None` when it was, else
/// the reason, said as a warning names it (stale, or an intermediate between them missing).
pub(crate) fn not_made_from(work_dir: &Path, clean: &Header) -> anyhow::Result<Option<String>> {
    let header = |f: &str, stage| format::read_header(&work_dir.join(f), Some(stage));
    let h = format::read_header(&work_dir.join("compare.bin"), Some(Stage::Compare))?;
    let clean_bin = work_dir.join("clean.bin");
    let (hs, hc) = match (
        header("segment.bin", Stage::Segment),
        header("count.bin", Stage::Count),
    ) {
        (Ok(hs), Ok(hc)) => (hs, hc),
        (Err(e), _) | (_, Err(e)) => {
            return Ok(Some(format!(
                "cannot be traced to {} ({e})",
                clean_bin.display()
            )))
        }
    };
    let current = hs.input_fingerprint == clean.checksum
        && hc.input_fingerprint == hs.checksum
        && h.input_fingerprint == inputs_fingerprint(&[hc.checksum, hs.checksum]);
    Ok((!current).then(|| format!("stale: not made from {}", clean_bin.display())))
}
