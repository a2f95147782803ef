//! `tifa diff`: what is new in each report of a series (same region, level and body) and what
//! it dropped, edition by edition, from compare.bin. `diff.tsv` holds every series.

use std::fmt::Write as _;
use std::path::Path;

use tifa_core::format::{self, Header, Stage};
use tifa_core::Comparison;

/// Which series to show: reports whose region, level and body match the given ones.
pub struct Series {
    /// Region, e.g. 广东省.
    pub region: Option<String>,
    /// Level, e.g. provincial.
    pub level: Option<String>,
    /// Body, e.g. government.
    pub body: Option<String>,
}

/// Prints the edition diff of the matching series.
pub fn diff(work_dir: &Path, series: &Series, all: bool) -> anyhow::Result<()> {
    let path = work_dir.join("compare.bin");
    let (_, cmp): (Header, Comparison) = format::read(&path, Stage::Compare)?;
    // After `tifa clean` of another corpus, compare.bin still holds the one before.
    let clean = work_dir.join("clean.bin");
    if let Ok(h) = format::read_header(&clean, Some(Stage::Clean)) {
        if let Some(why) = crate::stages::not_made_from(work_dir, &h)? {
            crate::to_stderr(&format!(
                "warning: {}: {why}; its editions are those of the corpus it was made from \
                 (tifa run brings it up to date)",
                path.display(),
            ));
        }
    }
    let wanted = |x: &Option<String>, v: &str| x.as_deref().is_none_or(|w| w == v);
    let editions = tifa_report::editions(&cmp, |r, l, b| {
        wanted(&series.region, r) && wanted(&series.level, l) && wanted(&series.body, b)
    });
    if editions.is_empty() {
        anyhow::bail!(
            "{}: no series of reports with region, level, body and a year matches",
            path.display()
        );
    }
    let shown = if all { usize::MAX } else { 15 };
    let mut out = String::new();
    let mut current = None;
    for e in &editions {
        if current != Some(e.series) {
            let _ = writeln!(out, "== {} · {} · {}", e.series.0, e.series.1, e.series.2);
            current = Some(e.series);
        }
        let title = if e.doc.title.is_empty() {
            &e.doc.id
        } else {
            &e.doc.title
        };
        let _ = writeln!(
            out,
            "{}  {title}: {} new, {} dropped, {} carried on",
            e.when.text,
            e.new.len(),
            e.dropped.len(),
            e.carried
        );
        for (what, list) in [("new", &e.new), ("dropped", &e.dropped)] {
            if list.is_empty() {
                continue;
            }
            let mut line: Vec<&str> = list.iter().take(shown).copied().collect();
            let more = list.len().saturating_sub(shown);
            let rest = format!("… and {more} more");
            if more > 0 {
                line.push(&rest);
            }
            let _ = writeln!(out, "    {what}: {}", line.join(" | "));
        }
    }
    crate::to_stdout(&out)
}
