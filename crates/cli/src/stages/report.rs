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
    if !config.diffusion_reference.contains('=') {
        anyhow::bail!(
            "{}: diffusion_reference {:?}: expected FIELD=VALUE, e.g. level=national",
            flags.config.join("report.toml").display(),
            config.diffusion_reference
        );
    }
    let fp = fingerprint_value(&("report", code("report"), &config));
    Ok((config, fp))
}

/// `tifa report`: compare.bin → the report files.
pub fn report(flags: &Global, bars: &Bars, input: &Path, out_dir: &Path) -> anyhow::Result<()> {
    let (config, config_fp) = report_config(flags)?;
    let t = Timer::start(flags);
    memory_for(input);
    let (h, cmp): (Header, Comparison) = read(bars, input, Stage::Compare)?;
    write_reports(&cmp, &config, out_dir, bars, || Ok(h.checksum), config_fp)?;
    say(flags, report_line(out_dir));
    t.done(flags, "report");
    // As after `tifa run`: the process ends next, and the system frees the comparison at once.
    std::mem::forget(cmp);
    Ok(())
}

pub(crate) fn report_line(out_dir: &Path) -> String {
    format!("report: {}", out_dir.join("report.html").display())
}

/// The report folder records which compare output and config it was made from, and the files
/// it holds, so `tifa run` can tell whether it is up to date: its first line holds the two
/// fingerprints, then one line names each file written.
pub(crate) use tifa_core::atomic::REPORT_STAMP as STAMP;

fn stamp_line(input_fp: u64, config_fp: u64) -> String {
    format!("{input_fp:016x} {config_fp:016x}")
}

/// Writes the report files of `cmp` into `out_dir`, then the stamp, with compare.bin's checksum
/// (asked for once the files are written: in `tifa run` it waits for the write of compare.bin).
/// Every file is made in full beside its place first ([`tifa_report::stage`]): a report that
/// fails there (a full disk) leaves the folder as it was, the last report's files and stamp.
/// Then the old stamp goes, so a report stopped while its files are put in place is never taken
/// for up to date; the files go in; and the files the last report wrote that this one does not
/// (the `compare-FIELD.tsv` of a grouping no longer asked for, the diffusion views switched
/// off) are removed, so the folder holds one report's files.
pub(crate) fn write_reports(
    cmp: &Comparison,
    config: &tifa_report::Config,
    out_dir: &Path,
    bars: &Bars,
    checksum: impl FnOnce() -> anyhow::Result<u64>,
    config_fp: u64,
) -> anyhow::Result<()> {
    if out_dir.exists() && !out_dir.is_dir() {
        anyhow::bail!(
            "{}: not a folder: the report files are written into the folder named",
            out_dir.display()
        );
    }
    let stamp = out_dir.join(STAMP);
    let before = stamped(out_dir).map(|(_, files)| files).unwrap_or_default();
    let staged = tifa_report::stage(cmp, config, out_dir, bars)?;
    // A folder where a file goes would stop the renames halfway; found now, the last report
    // stays whole.
    if let Some(folder) = staged.iter().map(|f| f.path()).find(|p| p.is_dir()) {
        anyhow::bail!(
            "cannot write {}: a folder is in its place",
            folder.display()
        );
    }
    remove_if_there(&stamp)?;
    let mut written: Vec<String> = Vec::with_capacity(staged.len());
    for file in staged {
        let path = file.path().to_path_buf();
        written.extend(
            path.file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string),
        );
        file.commit()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    for gone in before.iter().filter(|f| !written.contains(f)) {
        remove_if_there(&out_dir.join(gone))?;
    }
    let mut text = stamp_line(checksum()?, config_fp);
    for f in &written {
        text.push('\n');
        text.push_str(f);
    }
    text.push('\n');
    tifa_core::atomic::write_atomic(&stamp, text.as_bytes())
        .with_context(|| format!("writing {}", stamp.display()))
}

/// The stamp's fingerprint line and the files it names, when it is there and names files; only
/// plain file names count, so a damaged stamp cannot point outside the folder.
fn stamped(out_dir: &Path) -> Option<(String, Vec<String>)> {
    let text = std::fs::read_to_string(out_dir.join(STAMP)).ok()?;
    let mut lines = text.lines();
    let first = lines.next()?.to_string();
    let files: Vec<String> = lines
        .filter(|f| {
            let p = Path::new(f);
            p.file_name().is_some_and(|n| n == p.as_os_str()) && *f != STAMP
        })
        .map(str::to_string)
        .collect();
    (!files.is_empty()).then_some((first, files))
}

fn remove_if_there(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// True when the stamp says the reports were made from this compare output and config, and
/// every file it names is there.
pub(crate) fn report_fresh(out_dir: &Path, input_fp: u64, config_fp: u64) -> bool {
    stamped(out_dir).is_some_and(|(line, files)| {
        line == stamp_line(input_fp, config_fp) && files.iter().all(|f| out_dir.join(f).is_file())
    })
}
