//! `tifa report`: compare.bin → the report files, and the stamp that says they are up to date.

use std::path::Path;

use anyhow::Context;
use tifa_core::format::{Header, Stage};
use tifa_core::{fingerprint_value, Comparison};

use super::*;
use crate::progress::Bars;
use crate::{config, Global};

pub(crate) fn report_config(flags: &Global) -> anyhow::Result<(tifa_report::Config, u64)> {
    let mut config: tifa_report::Config = config::load(&flags.config, "report")?;
    if let Some(r) = &flags.diffusion_reference {
        if !r.contains('=') {
            anyhow::bail!("--diffusion-reference {r}: expected FIELD=VALUE, e.g. level=national");
        }
        config.diffusion_reference = r.clone();
    }
    if let Some(b) = &flags.diffusion_by {
        config.diffusion_by = b.clone();
    }
    let fp = fingerprint_value(&("report", VERSION, &config));
    Ok((config, fp))
}

/// `tifa report`: compare.bin → the report files.
pub fn report(flags: &Global, bars: &Bars, input: &Path, out_dir: &Path) -> anyhow::Result<()> {
    let (config, config_fp) = report_config(flags)?;
    let t = Timer::start(flags);
    memory_for(input);
    let (h, cmp): (Header, Comparison) = read(bars, input, Stage::Compare)?;
    tifa_report::run(&cmp, &config, out_dir, bars)?;
    write_stamp(out_dir, h.checksum, config_fp)?;
    say(flags, report_line(out_dir));
    t.done(flags, "report");
    // As after `tifa run`: the process ends next, and the system frees the comparison at once.
    std::mem::forget(cmp);
    Ok(())
}

pub(crate) fn report_line(out_dir: &Path) -> String {
    format!("report: {}", out_dir.join("report.html").display())
}

/// The report folder records which compare output and config it was made from, so `tifa run`
/// can tell whether it is up to date.
pub(crate) const STAMP: &str = ".tifa-report";

pub(crate) fn stamp_text(input_fp: u64, config_fp: u64) -> String {
    format!("{input_fp:016x} {config_fp:016x}\n")
}

pub(crate) fn write_stamp(out_dir: &Path, input_fp: u64, config_fp: u64) -> anyhow::Result<()> {
    let p = out_dir.join(STAMP);
    tifa_core::atomic::write_atomic(&p, stamp_text(input_fp, config_fp).as_bytes())
        .with_context(|| format!("writing {}", p.display()))
}

pub(crate) fn report_fresh(out_dir: &Path, input_fp: u64, config_fp: u64) -> bool {
    let stamp = std::fs::read_to_string(out_dir.join(STAMP)).unwrap_or_default();
    stamp == stamp_text(input_fp, config_fp)
        && ["slogans.tsv", "slogans.json", "report.html"]
            .iter()
            .all(|f| out_dir.join(f).is_file())
}
