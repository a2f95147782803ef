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

pub mod html;
pub mod json;
mod page;
mod svg;
mod tables;
pub mod text;

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
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
    /// Keyword-in-context lines per slogan in `report.html` (the JSON holds all of them).
    pub kwic_lines: usize,
    /// Rows per group shown in the group comparison tables of `report.html` and `summary.md`
    /// (each `compare-FIELD.tsv` holds every row).
    pub group_rows: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            top_n_chart: 30,
            heatmap_slogans: 40,
            heatmap_max_columns: 60,
            summary_rows: 50,
            html_slogans: 3000,
            kwic_lines: 8,
            group_rows: 15,
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
/// atomically. Returns the paths written, sorted.
///
/// The comparison is checked first: a slogan that points at a report the comparison does not
/// list is refused with [`Error::DocIndex`] before any file is touched.
pub fn run(
    cmp: &Comparison,
    config: &Config,
    out_dir: &Path,
    progress: &dyn Progress,
) -> Result<Vec<PathBuf>, Error> {
    validate(cmp)?;
    let compare_names = tables::compare_file_names(cmp);
    let total = 5 + compare_names.len() as u64;
    progress.start("report", total);

    let mut written = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), Error> {
        let path = out_dir.join(name);
        tifa_core::atomic::write_atomic(&path, &bytes).map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
        progress.inc(1);
        Ok(())
    };

    put("slogans.tsv", tables::slogans_tsv(cmp).into_bytes())?;
    put("slogans.csv", tables::slogans_csv(cmp))?;
    put("slogans.json", json::slogans_json(cmp)?)?;
    put("summary.md", tables::summary_md(cmp, config).into_bytes())?;
    for (gc, name) in cmp.groups.iter().zip(&compare_names) {
        put(name, tables::compare_tsv(gc).into_bytes())?;
    }
    put("report.html", page::report_html(cmp, config)?.into_bytes())?;
    progress.finish();

    written.sort();
    Ok(written)
}

/// Checks that every document index in the comparison points at a listed report, so the
/// writers below can index without a panic path.
fn validate(cmp: &Comparison) -> Result<(), Error> {
    let n = cmp.docs.len();
    for s in &cmp.slogans {
        let bad = s
            .per_doc
            .iter()
            .map(|&(d, _)| d)
            .chain(s.kwic.iter().map(|k| k.doc))
            .find(|&d| d as usize >= n);
        if let Some(index) = bad {
            return Err(Error::DocIndex {
                phrase: s.phrase.clone(),
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
