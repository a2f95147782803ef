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
        None => write_clean(bars, out, &plan, &cleaned(flags, bars, &plan, out)?)?,
    };
    t.done(flags, "clean");
    Ok(header)
}

/// The clean stage but for writing clean.bin (`out`): cleans the corpus, writes clean-log.tsv
/// beside `out` and says what it did.
pub(crate) fn cleaned(
    flags: &Global,
    bars: &Bars,
    plan: &CleanPlan,
    out: &Path,
) -> anyhow::Result<Corpus> {
    let corpus: Corpus = tifa_clean::run(&plan.roots, &plan.config, bars)?;
    log_and_say(
        flags,
        out,
        corpus.documents.len(),
        &corpus.log,
        &corpus.skipped,
    )?;
    Ok(corpus)
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
    log_and_say(
        flags,
        out,
        spilled.documents(),
        &spilled.log,
        &spilled.skipped,
    )?;
    let what = format!("write {}", file_name(out));
    Ok(phase(bars, &what, || {
        spilled.write(out, plan.input_fp, plan.config_fp)
    })?)
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

/// Writes clean-log.tsv beside `out` and says what the stage did.
fn log_and_say(
    flags: &Global,
    out: &Path,
    reports: usize,
    log_rows: &[tifa_core::CleanLogRow],
    skipped: &[tifa_core::Skipped],
) -> anyhow::Result<()> {
    let log = out.with_file_name("clean-log.tsv");
    tifa_core::atomic::write_atomic(&log, tifa_clean::log_tsv(log_rows, skipped).as_bytes())
        .with_context(|| format!("writing {}", log.display()))?;
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
    Ok(())
}
