//! What every stage command shares: finding its files, reading and writing intermediates with
//! their fingerprints, deciding whether an output is up to date, saying what was done, timing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use tifa_core::format::{self, Header, Stage};
use tifa_core::{fingerprint, Progress};

use crate::progress::Bars;
use crate::{Global, StageArgs};

/// The tool version is part of every config fingerprint, so a new tifa rebuilds everything.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The code of a stage: the tool version and a hash of the stage's sources (core's, its own
/// crate's, and the lock file's, made by build.rs). Part of the stage's config fingerprint, so
/// that another build of tifa, whose code may count or rank otherwise, rebuilds the stage's
/// output instead of taking it for up to date.
pub(crate) fn code(stage: &str) -> String {
    let hash = match stage {
        "clean" => env!("TIFA_CODE_CLEAN"),
        "segment" => env!("TIFA_CODE_SEGMENT"),
        "count" => env!("TIFA_CODE_COUNT"),
        "compare" => env!("TIFA_CODE_COMPARE"),
        "report" => env!("TIFA_CODE_REPORT"),
        _ => "",
    };
    format!("{VERSION}+{hash}")
}

/// Default corpus folder.
pub(crate) const DEFAULT_CORPUS: &str = "data/corpus";

/// Input and output paths of a stage command, with defaults in `work/`.
pub fn paths(args: StageArgs, default_in: &str, default_out: &str) -> (PathBuf, PathBuf) {
    let input = args
        .input
        .unwrap_or_else(|| Path::new("work").join(default_in));
    let out = args
        .out
        .unwrap_or_else(|| input.with_file_name(default_out));
    (input, out)
}

pub(crate) fn inputs_fingerprint(parts: &[u64]) -> u64 {
    let bytes: Vec<u8> = parts.iter().flat_map(|p| p.to_le_bytes()).collect();
    fingerprint(&bytes)
}

/// Sets the process's memory policy for a stage command reading `input`, by its size
/// ([`tifa_core::memory::for_input`]). A file that cannot be read is left to the read to report.
pub(crate) fn memory_for(input: &Path) {
    if let Ok(m) = std::fs::metadata(input) {
        tifa_core::memory::for_input(m.len());
    }
}

/// The folder `out` goes in, made if it is missing: where a stage keeps its scratch files
/// (count's finished passes, the waves of clean and segment under a memory budget).
pub(crate) fn scratch_dir(out: &Path) -> anyhow::Result<PathBuf> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    Ok(dir)
}

/// Bytes of input per wave of a stage under a memory budget of `budget` bytes (clean: of
/// input files; segment: of clean.bin's texts). A wave holds its input and what the stage
/// makes of it, each about the input's size, with what the allocator keeps beside them; an
/// eighth of the budget leaves room for what the stage holds besides (jieba's dictionary, the
/// reports' metadata).
pub(crate) fn wave_bytes(budget: u64) -> u64 {
    budget / 8
}

/// `f`, as a phase of its own named `what` (shown, and timed under `-v`), with no count.
pub(crate) fn phase<T>(bars: &Bars, what: &str, f: impl FnOnce() -> T) -> T {
    bars.start(what, 0);
    let r = f();
    bars.finish();
    r
}

/// Reads an intermediate, as a timed phase of its own.
pub(crate) fn read<T: format::Intermediate>(
    bars: &Bars,
    path: &Path,
    stage: Stage,
) -> anyhow::Result<(Header, T)> {
    let what = format!("read {}", file_name(path));
    Ok(phase(bars, &what, || T::read_file(path, stage))?)
}

/// Reads count.bin with its per-report counts set aside in a scratch file beside `out`
/// ([`tifa_core::read_aside`]), as a timed phase of its own: compare under a memory budget,
/// which reads them back only for the phrases it scores and ranks.
pub(crate) fn read_counts_aside(
    bars: &Bars,
    path: &Path,
    out: &Path,
) -> anyhow::Result<(Header, tifa_core::Counts, tifa_core::PerDocAside)> {
    let dir = scratch_dir(out)?;
    let what = format!("read {}", file_name(path));
    Ok(phase(bars, &what, || tifa_core::read_aside(path, &dir))?)
}

/// Reads an intermediate whose header was read earlier in this run, refusing it when the file
/// was replaced since.
pub(crate) fn read_again<T: format::Intermediate>(
    bars: &Bars,
    path: &Path,
    stage: Stage,
    known: &Header,
) -> anyhow::Result<T> {
    let (h, v) = read(bars, path, stage)?;
    if h.checksum != known.checksum {
        anyhow::bail!("{}: changed while tifa was running", path.display());
    }
    Ok(v)
}

/// The corpus summary and the rows and names of compare.bin, whose header was read earlier
/// in this run, as a timed phase of its own: the file is checked whole, but its slogans are read
/// past, not built ([`tifa_core::SomeSlogans`] keeping none).
pub(crate) fn read_figures(
    bars: &Bars,
    path: &Path,
    known: &Header,
) -> anyhow::Result<(tifa_core::CorpusSummary, super::Found)> {
    let mut found = super::Found { rows: 0, names: 0 };
    let keep = |_: &str, kind: tifa_core::Kind| {
        found.rows += 1;
        found.names += usize::from(!kind.is_slogan());
        false
    };
    let what = format!("read {} (its figures)", file_name(path));
    let seed = tifa_core::SomeSlogans { keep };
    let (h, (summary, _)) = phase(bars, &what, || {
        format::read_seed(path, Stage::Compare, seed)
    })?;
    if h.checksum != known.checksum {
        anyhow::bail!("{}: changed while tifa was running", path.display());
    }
    Ok((summary, found))
}

/// A stage's error `e` on the intermediate at `input`: named as damaged when `damage` says the
/// file contradicts itself. It passed its checksum, so it was damaged before it was summed, or
/// made by a different tifa.
pub(crate) fn damaged_if<E>(input: &Path, damage: bool, e: E) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    if damage {
        anyhow::anyhow!("{}: damaged: {e}", input.display())
    } else {
        e.into()
    }
}

/// Writes an intermediate atomically, as a timed phase of its own.
pub(crate) fn write<T: serde::Serialize>(
    bars: &Bars,
    path: &Path,
    stage: Stage,
    input_fp: u64,
    config_fp: u64,
    value: &T,
) -> anyhow::Result<Header> {
    let what = format!("write {}", file_name(path));
    Ok(phase(bars, &what, || {
        format::write(path, stage, input_fp, config_fp, value)
    })?)
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// The header of `out` when it is a complete, undamaged output of `stage` built from the given
/// input and config fingerprints; `None` when it must be (re)built.
pub(crate) fn fresh(out: &Path, stage: Stage, input_fp: u64, config_fp: u64) -> Option<Header> {
    // The fingerprints are in the header; the whole file is read only when they match.
    let h = format::read_header(out, Some(stage)).ok()?;
    if h.input_fingerprint != input_fp || h.config_fingerprint != config_fp {
        return None;
    }
    format::verify(out, Some(stage)).ok()
}

pub(crate) fn say(flags: &Global, msg: impl AsRef<str>) {
    if !flags.quiet {
        flags.sink.say(msg.as_ref());
    }
}

/// A stage's wall time and peak memory, for `-v`. With `-v` each stage starts a new peak.
pub(crate) struct Timer(pub(crate) Instant);

impl Timer {
    pub(crate) fn start(flags: &Global) -> Timer {
        if flags.verbose && !flags.quiet {
            crate::memory::reset_peak();
        }
        Timer(Instant::now())
    }

    /// Prints the stage's time and its own peak.
    pub(crate) fn done(self, flags: &Global, stage: &str) {
        self.done_with(flags, stage, crate::memory::peak);
    }

    /// Prints the time and the peak `peak` gives.
    pub(crate) fn done_with(self, flags: &Global, stage: &str, peak: fn() -> Option<u64>) {
        if flags.verbose && !flags.quiet {
            crate::to_stderr(&format!(
                "{stage:>10}: {:.2} s{}",
                self.0.elapsed().as_secs_f64(),
                crate::memory::note(peak())
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_stage_has_its_own_code_beyond_the_version() {
        let stages = ["clean", "segment", "count", "compare", "report"];
        let codes: Vec<String> = stages.iter().map(|s| code(s)).collect();
        for (s, c) in stages.iter().zip(&codes) {
            let hash = c.strip_prefix(&format!("{VERSION}+")).unwrap_or_default();
            assert_eq!(hash.len(), 16, "{s}: {c}");
            assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()), "{s}: {c}");
        }
        let mut distinct = codes.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), stages.len(), "{codes:?}");
    }
}
