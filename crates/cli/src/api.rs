//! The commands as functions that return values instead of printing them, for the Python
//! package: the same stages, up-to-date checks, files and error messages as the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tifa_core::format::{self, Stage};
use tifa_core::Comparison;

use crate::progress::Bars;
use crate::{stages, Global, RunArgs, Sink};

/// What every call takes, as the command line's global flags do.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Folder with one TOML file per stage; a missing folder or file means the defaults.
    pub config: PathBuf,
    /// Worker threads, 1 to 1024 (default: all cores).
    pub threads: Option<usize>,
    /// Whether stage lines and phases are given to `sink` (warnings always are).
    pub progress: bool,
    /// The memory budget in bytes (`--max-memory`); run.toml's when unset.
    pub max_memory: Option<u64>,
    /// Where messages go; stderr when empty.
    pub sink: Sink,
}

impl Settings {
    /// The flags of these settings; a config folder named that is not there is an error, as
    /// `--config` is for the command.
    fn flags(&self) -> anyhow::Result<Global> {
        crate::config::check_dir(&self.config)?;
        for w in crate::config::unknown_files(&self.config) {
            self.sink.say(&w);
        }
        Ok(Global {
            config: self.config.clone(),
            threads: self.threads,
            quiet: !self.progress,
            no_progress: !self.progress,
            verbose: false,
            diffusion_reference: None,
            diffusion_by: None,
            max_memory: self.max_memory,
            sink: self.sink.clone(),
        })
    }

    /// Runs `f` on a pool of `threads` workers, or on the global pool when unset. A pool of
    /// its own per call, since the global pool's size is fixed once it starts.
    fn in_pool<T: Send>(&self, f: impl FnOnce() -> anyhow::Result<T> + Send) -> anyhow::Result<T> {
        match self.threads {
            None => f(),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(crate::thread_count(n)?)
                .build()
                .map_err(|e| anyhow::anyhow!("cannot start {n} threads: {e}"))?
                .install(f),
        }
    }
}

/// `tifa run`: every stage that is not up to date, on the corpus folders, writing
/// intermediates to `work_dir` and reports to `out_dir`. Returns the comparison, as [`open`]
/// would read it from compare.bin: made by this run, or read by it for its summary. The caller
/// owns it: it is freed with the last handle.
pub fn run(
    settings: &Settings,
    corpus: Vec<PathBuf>,
    work_dir: PathBuf,
    out_dir: PathBuf,
    group_by: Vec<String>,
    force: bool,
) -> anyhow::Result<Arc<Comparison>> {
    let flags = settings.flags()?;
    let bars = Bars::new(&flags);
    let args = RunArgs {
        corpus,
        work_dir,
        out_dir,
        group_by,
        force,
    };
    let work_dir = args.work_dir.clone();
    match settings.in_pool(|| stages::run_all(&flags, &bars, args, true))? {
        Some(cmp) => Ok(cmp),
        // run_all returns it when asked to keep it; read as `open` does otherwise.
        None => open(&work_dir).map(Arc::new),
    }
}

/// The comparison in `work_dir`'s compare.bin, checked whole (a damaged file is an error
/// naming it).
pub fn open(work_dir: &Path) -> anyhow::Result<Comparison> {
    Ok(format::read(&work_dir.join("compare.bin"), Stage::Compare)?.1)
}

/// One row of `tifa lookup`.
#[derive(Debug, Clone, PartialEq)]
pub struct LookupRow {
    /// The string looked up.
    pub phrase: String,
    /// Occurrences in the cleaned texts (not overlapping).
    pub tf: u64,
    /// Reports holding it.
    pub df: u64,
    /// Its rank in slogans.tsv, when it is a row.
    pub rank: Option<u32>,
    /// Its kind, when it is a row.
    pub kind: Option<String>,
    /// Its score to 4 decimals, when it is a row.
    pub score: Option<f64>,
}

/// `tifa lookup`: the rows the command prints, one per phrase.
pub fn lookup(
    settings: &Settings,
    work_dir: &Path,
    phrases: &[String],
) -> anyhow::Result<Vec<LookupRow>> {
    // Lookup draws no progress; its warnings (a compare.bin it cannot use) are always said.
    let flags = Global {
        quiet: false,
        ..settings.flags()?
    };
    settings.in_pool(|| {
        let (hits, kept, searched) = stages::lookup_hits(&flags, work_dir, phrases)?;
        let rows = tifa_count::lookup::slogans(&kept, &searched);
        Ok(phrases
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let h = hits.get(i).copied().unwrap_or_default();
                let s = rows.get(i).copied().flatten();
                LookupRow {
                    phrase: p.clone(),
                    tf: h.tf,
                    df: h.df,
                    rank: s.map(|s| s.rank),
                    kind: s.map(|s| s.kind.name().to_string()),
                    score: s
                        .filter(|s| s.score.is_finite())
                        .map(|s| as_written(s.score)),
                }
            })
            .collect())
    })
}

/// A score as slogans.tsv and `tifa lookup` write it, to 4 decimals, read back: rounding the
/// scaled value instead gave 0.597 for the 0.59695 the files write as 0.5969.
fn as_written(score: f64) -> f64 {
    format!("{score:.4}").parse().unwrap_or(score)
}

/// `tifa cut`: the words the segmenter cuts `text` into, with the configured dictionaries.
pub fn cut(settings: &Settings, text: &str) -> anyhow::Result<Vec<String>> {
    stages::cut_words(&settings.flags()?, text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_score_is_given_as_the_files_write_it() {
        assert_eq!(super::as_written(0.59695), 0.5969);
        assert_eq!(format!("{:.4}", 0.59695), "0.5969");
        assert_eq!(super::as_written(0.12345678), 0.1235);
    }
}
