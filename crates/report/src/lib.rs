//! tifa's report stage: turns the compare stage's [`Comparison`] into the files people open.
//!
//! Each reader gets what it expects: `slogans.tsv` for programs (pandas, R, `cut`),
//! `slogans.csv` with a UTF-8 byte-order mark so that Excel shows Chinese correctly,
//! `slogans.json` with a stable documented schema (see [`json`]), `summary.md` to paste into a
//! paper or an issue, `report.html` — one self-contained offline page with the sortable slogan
//! table, charts and keyword-in-context lines — and one `compare-FIELD.tsv` per group comparison.
//!
//! Every file is written atomically and every byte of it is a function of the input and the
//! config alone: no timestamps, no hash-map order. Corpus text is untrusted: everything from it
//! that reaches `report.html` goes through the escaping builder in [`html`], whose only way to
//! emit raw markup is a `&'static str` written in this crate.

mod diffusion;
mod html;
mod json;
mod page;
mod spread;
mod stream;
mod svg;
mod tables;
mod text;

use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use stream::Fail;

pub use diffusion::{editions, slogan_reports, Edition, SloganReports, SLOGAN_REPORT_COLUMNS};
pub use tables::{each_slogan_field, COLUMNS};
use tifa_core::atomic::Staged;
use tifa_core::{Comparison, Progress};

/// Settings of the report stage, loaded from `config/report.toml`. Every key is optional;
/// [`Config::default`] equals the shipped file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Slogans in the bar chart of `report.html` (the most widely recurring, by df).
    pub top_n_chart: usize,
    /// Slogans (rows) in the heat map of `report.html`.
    pub heatmap_slogans: usize,
    /// Up to this many reports the heat map has one column per report; beyond it, one column
    /// per group (the first `--group-by` field, else year, region, body or level).
    pub heatmap_max_columns: usize,
    /// Slogans in the table of `summary.md`.
    pub summary_rows: usize,
    /// Slogans carried into `report.html` (its table and detail view); 0 means all. The TSV,
    /// CSV and JSON files always hold every slogan.
    pub html_slogans: usize,
    /// Slogans, the most widely recurring, given in full detail (0 means all): their report
    /// lists, reports per year and example lines in `slogans.json`, and their `top_reports` and
    /// `example` in `slogans.tsv` and `slogans.csv`. The other rows carry the figures alone;
    /// `slogan-reports.tsv` is the full record of which slogan occurs in which report.
    pub detail_slogans: usize,
    /// Keyword-in-context lines per slogan in `report.html` (the JSON holds all of them).
    pub kwic_lines: usize,
    /// Rows per group shown in the group comparison tables of `report.html` and `summary.md`
    /// (each `compare-FIELD.tsv` holds every row).
    pub group_rows: usize,
    /// The reference reports of the diffusion tables, as `field=value`.
    pub diffusion_reference: String,
    /// The field the other reports are grouped by in the diffusion tables.
    pub diffusion_by: String,
    /// Slogans in `diffusion.tsv`, `adoption.tsv` and `leaders.tsv`, the most widely recurring
    /// (0 = all); `slogan-reports.tsv` and `diff.tsv` always cover every slogan.
    pub diffusion_slogans: usize,
    /// Whether to write the diffusion views: `slogan-reports.tsv`, `diffusion.tsv`,
    /// `adoption.tsv`, `leaders.tsv`, `diff.tsv`, the `diffusion` member of `slogans.json` and
    /// the two sections of `report.html` on how slogans spread and what each report adds.
    pub diffusion: bool,
}

impl Config {
    /// True when the slogan of rank `rank` (from 1) is given in full detail
    /// ([`Config::detail_slogans`]).
    pub fn detail(&self, rank: u32) -> bool {
        self.detail_slogans == 0 || rank as usize <= self.detail_slogans
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            top_n_chart: 30,
            heatmap_slogans: 40,
            heatmap_max_columns: 60,
            summary_rows: 50,
            html_slogans: 3000,
            detail_slogans: 3000,
            kwic_lines: 8,
            group_rows: 15,
            diffusion_reference: "level=national".to_string(),
            diffusion_by: "region".to_string(),
            diffusion_slogans: 1000,
            diffusion: true,
        }
    }
}

/// What can go wrong while writing the reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An output file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A slogan or group row refers to a report that the comparison does not list.
    #[error(
        "slogan {phrase:?} refers to report #{index}, but the comparison lists {n_docs} reports"
    )]
    DocIndex {
        /// The slogan.
        phrase: String,
        /// The index it refers to.
        index: u32,
        /// Number of reports listed.
        n_docs: usize,
    },
    /// Serialising `slogans.json` or the page data failed.
    #[error("cannot serialise {what}: {source}")]
    Json {
        /// Which file or block.
        what: &'static str,
        /// The cause.
        source: serde_json::Error,
    },
}

/// Writes `slogans.tsv`, `slogans.csv` (UTF-8 BOM), `slogans.json`, `summary.md`,
/// `report.html` and one `compare-FIELD.tsv` per group comparison into `out_dir`, each
/// atomically, once all of them are made ([`stage`]). Returns the paths written, sorted.
pub fn run(
    cmp: &Comparison,
    config: &Config,
    out_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, Error> {
    let staged = stage(cmp, config, out_dir, progress)?;
    let paths = staged.iter().map(|s| s.path().to_path_buf()).collect();
    for s in staged {
        let path = s.path().to_path_buf();
        s.commit().map_err(|source| Error::Write { path, source })?;
    }
    Ok(paths)
}

/// The report files of [`run`], each written in full beside its destination but not yet in
/// its place, sorted by path: the caller commits them ([`tifa_core::atomic::Staged`]) once
/// every one is made, so that a report that fails halfway (a full disk) leaves the folder's
/// files as they were, all of one report. Dropped, they are removed.
///
/// The comparison is checked first: a slogan that points at a report the comparison does not
/// list is refused with [`Error::DocIndex`] before any file is touched. The files are written
/// in parallel (the large ones streamed in chunks rendered on every core); when several fail,
/// the error is that of the first in the order of [`run`].
pub fn stage(
    cmp: &Comparison,
    config: &Config,
    out_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<Staged>, Error> {
    validate(cmp)?;
    let compare_names = tables::compare_file_names(cmp);
    let mut outputs = vec![Output::SlogansTables, Output::SlogansJson, Output::Summary];
    if config.diffusion {
        outputs.extend([Output::SloganReports, Output::Diffusion, Output::Diff]);
        let groups =
            diffusion::Groups::new(&cmp.docs, &config.diffusion_reference, &config.diffusion_by);
        let default = Config::default();
        let chosen = (
            config.diffusion_reference != default.diffusion_reference,
            config.diffusion_by != default.diffusion_by,
        );
        for w in groups.warnings(&config.diffusion_reference, &config.diffusion_by, chosen) {
            progress.warn(&w);
        }
    }
    outputs.extend((0..cmp.groups.len()).map(Output::Compare));
    outputs.push(Output::Html);
    // Files, not outputs: the tables are two.
    progress.start("report", outputs.len() as u64 + 1);

    let write_output = |output: Output| -> Result<Vec<Staged>, Error> {
        let name = match output {
            Output::SlogansTables => "slogans.tsv",
            Output::SlogansJson => "slogans.json",
            Output::Summary => "summary.md",
            Output::Compare(i) => &compare_names[i],
            Output::Html => "report.html",
            Output::SloganReports => "slogan-reports.tsv",
            Output::Diffusion => "diffusion.tsv",
            Output::Diff => "diff.tsv",
        };
        let path = out_dir.join(name);
        let mut staged = Vec::new();
        let main = write_file(&path, |w| match output {
            Output::SlogansTables => {
                // slogans.csv is written inside slogans.tsv, from the same rows.
                let csv_path = out_dir.join("slogans.csv");
                staged.push(write_file(&csv_path, |csv| {
                    tables::write_slogan_tables(cmp, config, w, csv)
                })?);
                Ok(())
            }
            Output::SlogansJson => json::write_slogans_json(cmp, config, w),
            Output::Summary => Ok(w.write_all(tables::summary_md(cmp, config).as_bytes())?),
            Output::Compare(i) => Ok(w.write_all(tables::compare_tsv(&cmp.groups[i]).as_bytes())?),
            Output::Html => page::write_report_html(cmp, config, w),
            Output::SloganReports => diffusion::write_slogan_reports(cmp, w),
            Output::Diffusion => {
                // adoption.tsv and leaders.tsv are written inside diffusion.tsv, from the same
                // first uses.
                let (table, adoption, leaders) = diffusion::diffusion_tables(
                    cmp,
                    &config.diffusion_reference,
                    &config.diffusion_by,
                    config.diffusion_slogans,
                );
                for (name, text) in [("adoption.tsv", adoption), ("leaders.tsv", leaders)] {
                    let extra = out_dir.join(name);
                    staged.push(write_file(&extra, |x| Ok(x.write_all(text.as_bytes())?))?);
                }
                Ok(w.write_all(table.as_bytes())?)
            }
            Output::Diff => Ok(w.write_all(diffusion::diff_tsv(cmp).as_bytes())?),
        })?;
        staged.push(main);
        progress.inc(staged.len() as u64);
        Ok(staged)
    };
    // Started largest first: each file ends in an fsync that leaves its thread waiting for the
    // disk, and the longest one (slogans.json) should overlap with the others' rendering
    // instead of trailing after it. Errors are still taken in the order of `outputs`.
    let mut start_order: Vec<usize> = (0..outputs.len()).collect();
    start_order.sort_by_key(|&i| outputs[i].start_rank());
    let mut results: Vec<(usize, Result<Vec<Staged>, Error>)> = start_order
        .into_par_iter()
        .map(|i| (i, write_output(outputs[i])))
        .collect();
    results.sort_by_key(|&(i, _)| i);
    let mut written = Vec::new();
    for (_, staged) in results {
        written.extend(staged?);
    }
    progress.finish();

    written.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(written)
}

/// One output of [`run`]: a file, or two made together.
#[derive(Debug, Clone, Copy)]
enum Output {
    /// `slogans.tsv` and `slogans.csv`, which share their rows.
    SlogansTables,
    SlogansJson,
    Summary,
    /// The `compare-FIELD.tsv` of the group comparison at this index.
    Compare(usize),
    Html,
    /// `slogan-reports.tsv`, the long table.
    SloganReports,
    /// `diffusion.tsv`, `adoption.tsv` and `leaders.tsv`.
    Diffusion,
    /// `diff.tsv`, the edition diff.
    Diff,
}

impl Output {
    /// Position in the order [`run`] starts the files in: by size, the largest first.
    fn start_rank(self) -> usize {
        match self {
            Output::SlogansJson => 0,
            Output::SlogansTables => 1,
            Output::SloganReports => 2,
            Output::Html => 3,
            Output::Diffusion => 4,
            Output::Diff => 5,
            Output::Compare(_) => 6,
            Output::Summary => 7,
        }
    }
}

/// Writes one file in full beside `path`, streaming what `fill` writes into it, to be put in
/// its place by [`Staged::commit`].
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut (dyn io::Write + Send)) -> Result<(), Fail>,
) -> Result<Staged, Error> {
    // A rendering error has to pass through the writer's `io::Result`; it is kept aside and
    // returned as itself.
    let mut failed = None;
    let written = tifa_core::atomic::stage_atomic_with(path, |w| {
        fill(w).map_err(|e| match e {
            Fail::Io(e) => e,
            Fail::Report(e) => {
                failed = Some(e);
                io::Error::other("rendering failed")
            }
        })
    });
    match (failed, written) {
        (Some(e), _) => Err(e),
        (None, r) => r.map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Checks that every document index in the comparison points at a listed report, so the
/// writers below can index without a panic path.
fn validate(cmp: &Comparison) -> Result<(), Error> {
    let n = cmp.docs.len();
    for s in &cmp.slogans {
        let bad = s
            .per_doc
            .iter()
            .map(|(d, _)| d)
            .chain(s.kwic.iter().map(|k| k.doc))
            .find(|&d| d as usize >= n);
        if let Some(index) = bad {
            return Err(Error::DocIndex {
                phrase: s.phrase.to_string(),
                index,
                n_docs: n,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::{
        CorpusSummary, DocInfo, GroupComparison, GroupInfo, GroupRow, Kind, Kwic, Slogan,
    };

    /// A comparison with `n` slogans whose fields vary from one to the next: floats near
    /// decimal ties, untitled and hostile report titles, control characters, CSV formula
    /// starts, quotes and commas, missing years and KWIC lines.
    pub(crate) fn sample_with_many_slogans(n: usize) -> Comparison {
        let titles = ["", "关于\t政府工作的报告", "=SUM(A1)", "a,\"b\"", "<b>&"];
        let docs: Vec<DocInfo> = (0..11)
            .map(|i| DocInfo {
                id: format!("r{i}.txt"),
                title: titles[i % titles.len()].to_string(),
                source: format!("r{i}.txt"),
                meta: tifa_core::Meta {
                    year: (i % 4 != 0).then_some(2000 + i as u16),
                    ..Default::default()
                },
                tokens: 100 * i as u64,
                chars: 150 * i as u64,
            })
            .collect();
        let phrases = ["全面从严治党", "-两个维护", "@\u{85}x", "a\u{7f}\"b,c\r\n"];
        let slogans = (0..n)
            .map(|i| {
                let per_doc: Vec<(u32, u32)> = (0..(i % 11) as u32)
                    .map(|d| (d, 1 + (d * 7 + i as u32) % 4))
                    .collect();
                let x = i as f64;
                Slogan {
                    rank: i as u32 + 1,
                    phrase: format!("{}{i}", phrases[i % phrases.len()]).into(),
                    kind: [Kind::Numbered, Kind::Quoted, Kind::Term][i % 3],
                    df: per_doc.len() as u32,
                    df_pct: 100.0 * (i % 8) as f64 / 8.0 + 0.005 * (i % 3) as f64,
                    tf: 3 * i as u32,
                    score: x / 8.0 + 0.00005,
                    dp: (x * 0.1).fract() - 0.5,
                    cohesion: 1.0 / (1.0 + x),
                    left_entropy: -x / 1e5,
                    right_entropy: if i % 97 == 5 { f64::NAN } else { x.sqrt() },
                    quoted_share: 0.125 * (i % 9) as f64,
                    evidence: ["coinage", "quoted+new", ""][i % 3].into(),
                    n_tokens: 2 + (i % 5) as u32,
                    first_year: (i % 5 != 0).then_some(2001),
                    last_year: (i % 5 != 0).then_some(2010),
                    first_date: None,
                    last_date: None,
                    family: phrases[(i + 1) % phrases.len()].into(),
                    members: if i % 4 == 0 {
                        vec!["甲".into(), "乙".into()]
                    } else {
                        Vec::new()
                    },
                    per_year: vec![(2001, 1), (2003, i as u32)],
                    kwic: (0..i % 3)
                        .map(|k| Kwic::new((k % 11) as u32, "左\t", phrases[k], "<右>"))
                        .collect(),
                    per_doc: per_doc.into(),
                }
            })
            .collect();
        Comparison {
            summary: CorpusSummary {
                n_docs: docs.len() as u32,
                n_chars: 1234,
                n_tokens: 567,
                n_phrases: 89,
                n_skipped: 0,
                years: Some((2001, 2010)),
            },
            settings: [("min_df".to_string(), "2".to_string())].into(),
            docs,
            slogans,
            groups: vec![GroupComparison {
                field: "year".to_string(),
                groups: vec![GroupInfo {
                    name: "2001".to_string(),
                    n_docs: 3,
                }],
                rows: vec![GroupRow {
                    group: "2001".to_string(),
                    phrase: "全面从严治党".to_string(),
                    df: 2,
                    df_pct: 66.666,
                    df_rest: 1,
                    g2: 12.34567,
                    log_ratio: -0.5,
                }],
            }],
        }
    }

    #[test]
    fn same_bytes_whatever_the_number_of_threads() {
        let cmp = sample_with_many_slogans(3 * stream::CHUNK + 11);
        let write_with = |threads: usize| {
            let dir = tempfile::tempdir().unwrap();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let paths = pool
                .install(|| run(&cmp, &Config::default(), dir.path(), &tifa_core::NoProgress))
                .unwrap();
            paths
                .iter()
                .map(|p| (p.file_name().unwrap().to_owned(), std::fs::read(p).unwrap()))
                .collect::<Vec<_>>()
        };
        let one = write_with(1);
        assert_eq!(one.len(), 11);
        assert_eq!(write_with(3), one);
    }

    #[test]
    fn default_config_equals_shipped_file() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/report.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let parsed: Config = toml::from_str(&text).unwrap();
        assert_eq!(parsed, Config::default());
        // Every key is in the file, commented, so a user sees what can be set.
        let json = serde_json::to_value(Config::default()).unwrap();
        for key in json.as_object().unwrap().keys() {
            assert!(text.contains(&format!("# {key} = ")), "{key} missing");
        }
        // Uncommenting every key changes nothing either: the comments show the defaults.
        let uncommented: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.contains(" = "))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            toml::from_str::<Config>(&uncommented).unwrap(),
            Config::default()
        );
        // An empty file gives the defaults too.
        assert_eq!(toml::from_str::<Config>("").unwrap(), Config::default());
        assert!(toml::from_str::<Config>("top_n = 3").is_err());
    }
}
