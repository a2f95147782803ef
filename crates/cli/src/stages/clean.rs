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
    for r in &roots {
        if !r.is_dir() {
            anyhow::bail!("{}: corpus folder not found", r.display());
        }
    }
    let config: tifa_clean::Config = config::load(&flags.config, "clean")?;
    let inputs = tifa_clean::inputs(&roots, &config)?;
    let config_fp = fingerprint_value(&("clean", VERSION, &config));
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
    let corpus = cleaned(flags, bars, &plan, out)?;
    let header = write(
        bars,
        out,
        Stage::Clean,
        plan.input_fp,
        plan.config_fp,
        &corpus,
    )?;
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
    let log = out.with_file_name("clean-log.tsv");
    tifa_core::atomic::write_atomic(&log, tifa_clean::log_tsv(&corpus).as_bytes())
        .with_context(|| format!("writing {}", log.display()))?;
    let chars: u64 = corpus.log.iter().map(|r| r.chars_out).sum();
    say(
        flags,
        format!(
            "clean: {} reports, {} characters, {} files skipped -> {}",
            corpus.documents.len(),
            chars,
            corpus.skipped.len(),
            out.display()
        ),
    );
    Ok(corpus)
}
