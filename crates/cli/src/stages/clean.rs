//! `tifa clean`: corpus folders → clean.bin (+ clean-log.tsv beside it).

use std::path::{Path, PathBuf};

use anyhow::Context;
use tifa_core::format::{Header, Stage};
use tifa_core::{fingerprint_value, Corpus};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

pub(crate) struct CleanPlan {
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) config: tifa_clean::Config,
    pub(crate) input_fp: u64,
    /// Total size of the input files.
    pub(crate) input_bytes: u64,
    pub(crate) config_fp: u64,
}

pub(crate) fn plan_clean(flags: &Global, roots: &[PathBuf]) -> anyhow::Result<CleanPlan> {
    let roots = if roots.is_empty() {
        vec![PathBuf::from(DEFAULT_CORPUS)]
    } else {
        roots.to_vec()
    };
    // A corpus is a folder, or a single report file.
    for r in &roots {
        if !r.exists() {
            anyhow::bail!("{}: corpus folder not found", r.display());
        }
    }
    let config: tifa_clean::Config = config::load(&flags.config, "clean")?;
    config::checked(&flags.config, "clean", config.validate())?;
    let inputs = tifa_clean::inputs(&roots, &config)?;
    let config_fp = fingerprint_value(&("clean", code("clean"), &config));
    Ok(CleanPlan {
        roots,
        config,
        input_fp: inputs.fingerprint,
        input_bytes: inputs.bytes,
        config_fp,
    })
}

/// `tifa clean`: corpus folders → clean.bin (+ clean-log.tsv beside it).
pub fn clean(flags: &Global, bars: &Bars, roots: &[PathBuf], out: &Path) -> anyhow::Result<Header> {
    let plan = plan_clean(flags, roots)?;
    tifa_core::memory::for_input(plan.input_bytes);
    let t = Timer::start(flags);
    let header = match crate::config::max_memory(flags)? {
        Some(budget) => clean_in_waves(flags, bars, &plan, out, budget)?,
        None => {
            let (corpus, log) = cleaned(flags, bars, &plan, out)?;
            let header = write_clean(bars, out, &plan, &corpus)?;
            log.write()?;
            header
        }
    };
    t.done(flags, "clean");
    Ok(header)
}

/// The clean stage but for writing clean.bin (`out`) and its log: cleans the corpus and says
/// what it did. The log is to be written once clean.bin is: written first, it would describe a
/// corpus that a failed write of clean.bin never stored.
pub(crate) fn cleaned(
    flags: &Global,
    bars: &Bars,
    plan: &CleanPlan,
    out: &Path,
) -> anyhow::Result<(Corpus, CleanLog)> {
    let corpus: Corpus = tifa_clean::run(&plan.roots, &plan.config, bars)?;
    let log = say_cleaned(
        flags,
        out,
        corpus.documents.len(),
        &corpus.log,
        &corpus.skipped,
    );
    Ok((corpus, log))
}

/// The clean stage under a memory budget of `budget` bytes: the files are cleaned in waves
/// ([`tifa_clean::run_in_waves`]) whose reports wait in a scratch file in the folder of `out`
/// until clean.bin is written from it, byte for byte what [`cleaned`] and a write give.
pub(crate) fn clean_in_waves(
    flags: &Global,
    bars: &Bars,
    plan: &CleanPlan,
    out: &Path,
    budget: u64,
) -> anyhow::Result<Header> {
    let dir = &scratch_dir(out)?;
    let mut spilled = tifa_core::SpilledCorpus::new(dir)
        .with_context(|| format!("making a scratch file in {}", dir.display()))?;
    spilled.skipped = tifa_clean::run_in_waves(
        &plan.roots,
        &plan.config,
        bars,
        wave_bytes(budget),
        |documents, log| {
            spilled
                .push(documents, log)
                .map_err(|e| format!("scratch file in {}: {e}", dir.display()))
        },
    )?;
    let log = say_cleaned(
        flags,
        out,
        spilled.documents(),
        &spilled.log,
        &spilled.skipped,
    );
    let what = format!("write {}", file_name(out));
    let header = phase(bars, &what, || {
        spilled.write(out, plan.input_fp, plan.config_fp)
    })?;
    log.write()?;
    Ok(header)
}

/// Writes clean.bin (`out`) with the plan's fingerprints.
fn write_clean(
    bars: &Bars,
    out: &Path,
    plan: &CleanPlan,
    corpus: &impl serde::Serialize,
) -> anyhow::Result<Header> {
    write(
        bars,
        out,
        Stage::Clean,
        plan.input_fp,
        plan.config_fp,
        corpus,
    )
}

/// clean-log.tsv, made: the file beside clean.bin and its text.
pub(crate) struct CleanLog {
    path: PathBuf,
    text: String,
}

impl CleanLog {
    /// Writes the log, which goes once clean.bin is written.
    pub(crate) fn write(self) -> anyhow::Result<()> {
        tifa_core::atomic::write_atomic(&self.path, self.text.as_bytes())
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// Says what the stage did, and makes clean-log.tsv for beside `out`.
fn say_cleaned(
    flags: &Global,
    out: &Path,
    reports: usize,
    log_rows: &[tifa_core::CleanLogRow],
    skipped: &[tifa_core::Skipped],
) -> CleanLog {
    let log = CleanLog {
        path: out.with_file_name("clean-log.tsv"),
        text: tifa_clean::log_tsv(log_rows, skipped),
    };
    let chars: u64 = log_rows.iter().map(|r| r.chars_out).sum();
    say(
        flags,
        format!(
            "clean: {}, {} characters, {} skipped -> {}",
            tifa_core::text::counted(reports, "report"),
            chars,
            tifa_core::text::counted(skipped.len(), "file"),
            out.display()
        ),
    );
    log
}
