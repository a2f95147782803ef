//! `tifa._tifa`, the native module of the Python package `tifa`: the command-line tool's
//! commands ([`tifa_cli::api`]) called from Python, with the interpreter's lock released while
//! they work. Tables are handed over by column (a list per column, typed), never a Python
//! object per row until the wrapper (`python/tifa/__init__.py`) builds its data frame.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tifa_cli::api::{self, Settings};
use tifa_cli::Sink;
use tifa_core::Comparison;

create_exception!(
    _tifa,
    TifaError,
    PyException,
    "An error of tifa, with the one-line message the command line prints."
);

/// The error as the command line prints it, as a `TifaError`.
fn error(e: anyhow::Error) -> PyErr {
    TifaError::new_err(tifa_cli::one_line(&e))
}

/// Settings for a call: messages go to Python's `sys.stderr`, so that a notebook shows them.
/// `threads` is taken signed, so that a negative count is refused as the command refuses it
/// (a conversion to an unsigned number raised OverflowError).
fn settings(config: PathBuf, threads: Option<i64>, progress: bool) -> PyResult<Settings> {
    let threads = threads
        .map(|n| tifa_cli::thread_count(n).map_err(error))
        .transpose()?;
    Ok(Settings {
        config,
        threads,
        progress,
        max_memory: None,
        sink: Sink::to(|line: &str| {
            Python::with_gil(|py| {
                if let Ok(stderr) = py.import("sys").and_then(|sys| sys.getattr("stderr")) {
                    let _ = stderr.call_method1("write", (format!("{line}\n"),));
                    let _ = stderr.call_method0("flush");
                }
            });
        }),
    })
}

/// `tifa run`: every stage that is not up to date.
#[pyfunction]
#[pyo3(signature = (corpus, work_dir, out_dir, config, threads=None, progress=true, group_by=Vec::new(), force=false, max_memory=None))]
#[allow(clippy::too_many_arguments)]
fn run(
    py: Python<'_>,
    corpus: Vec<PathBuf>,
    work_dir: PathBuf,
    out_dir: PathBuf,
    config: PathBuf,
    threads: Option<i64>,
    progress: bool,
    group_by: Vec<String>,
    force: bool,
    max_memory: Option<String>,
) -> PyResult<Work> {
    let mut s = settings(config, threads, progress)?;
    s.max_memory = max_memory
        .map(|m| tifa_cli::config::parse_size(&m))
        .transpose()
        .map_err(|e| TifaError::new_err(format!("max_memory: {e}")))?;
    let cmp = py
        .allow_threads(|| api::run(&s, corpus, work_dir, out_dir, group_by, force))
        .map_err(error)?;
    Ok(Work { cmp })
}

/// `tifa lookup`: columns `phrase tf df rank kind score`, as a dict of lists.
#[pyfunction]
#[pyo3(signature = (phrases, work_dir, config, threads=None))]
fn lookup<'py>(
    py: Python<'py>,
    phrases: Vec<String>,
    work_dir: PathBuf,
    config: PathBuf,
    threads: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = settings(config, threads, false)?;
    let rows = py
        .allow_threads(|| api::lookup(&s, &work_dir, &phrases))
        .map_err(error)?;
    let out = PyDict::new(py);
    out.set_item("phrase", rows.iter().map(|r| &r.phrase).collect::<Vec<_>>())?;
    out.set_item("tf", rows.iter().map(|r| r.tf).collect::<Vec<_>>())?;
    out.set_item("df", rows.iter().map(|r| r.df).collect::<Vec<_>>())?;
    out.set_item("rank", rows.iter().map(|r| r.rank).collect::<Vec<_>>())?;
    out.set_item(
        "kind",
        rows.iter().map(|r| r.kind.clone()).collect::<Vec<_>>(),
    )?;
    out.set_item("score", rows.iter().map(|r| r.score).collect::<Vec<_>>())?;
    Ok(out)
}

/// `tifa cut`: the words of `text`.
#[pyfunction]
#[pyo3(signature = (text, config))]
fn cut(py: Python<'_>, text: String, config: PathBuf) -> PyResult<Vec<String>> {
    let s = settings(config, None, false)?;
    py.allow_threads(|| api::cut(&s, &text)).map_err(error)
}

/// The results of a run: the comparison a run returned, or read from a work folder's
/// compare.bin. Freed with the last Python reference to it.
#[pyclass(frozen)]
struct Work {
    cmp: Arc<Comparison>,
}

/// How a column's fields are typed in Python.
#[derive(Clone, Copy)]
enum Type {
    Int,
    Float,
    Text,
}

/// How the fields of a column of slogans.tsv or slogan-reports.tsv are typed, by its name.
fn column_type(name: &str) -> Type {
    match name {
        "rank" | "df" | "tf" | "first_year" | "last_year" | "n_tokens" | "year" | "count" => {
            Type::Int
        }
        "df_pct" | "score" | "dp" | "cohesion" | "left_entropy" | "right_entropy"
        | "quoted_share" => Type::Float,
        _ => Type::Text,
    }
}

/// A field as the TSV file writes it, typed: an empty field is `None`.
fn field(py: Python<'_>, f: &str, ty: Type) -> PyResult<PyObject> {
    if f.is_empty() {
        return Ok(py.None());
    }
    let bad = || TifaError::new_err(format!("field {f:?} is not a number"));
    Ok(match ty {
        Type::Int => f
            .parse::<i64>()
            .map_err(|_| bad())?
            .into_pyobject(py)?
            .into_any()
            .unbind(),
        Type::Float => f
            .parse::<f64>()
            .map_err(|_| bad())?
            .into_pyobject(py)?
            .into_any()
            .unbind(),
        Type::Text => f.into_pyobject(py)?.into_any().unbind(),
    })
}

#[pymethods]
impl Work {
    /// The rows of `slogans.tsv`, by column, every row in full detail (`top_reports`, and
    /// `example` where compare.bin holds lines), whatever report.toml's `detail_slogans`.
    fn slogans<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let all = tifa_report::Config {
            detail_slogans: 0,
            ..tifa_report::Config::default()
        };
        let names = tifa_report::COLUMNS;
        let types: Vec<Type> = names.iter().map(|&name| column_type(name)).collect();
        let n = self.cmp.slogans.len();
        let mut columns: Vec<Vec<PyObject>> = names.iter().map(|_| Vec::with_capacity(n)).collect();
        let mut failed = None;
        tifa_report::each_slogan_field(&self.cmp, &all, |c, f| {
            if failed.is_none() {
                match field(py, f, types[c]) {
                    Ok(v) => columns[c].push(v),
                    Err(e) => failed = Some(e),
                }
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        let out = PyDict::new(py);
        for (name, values) in names.iter().zip(columns) {
            out.set_item(name, PyList::new(py, values)?)?;
        }
        Ok(out)
    }

    /// The rows of `slogan-reports.tsv`, by column. The rows repeat their slogan's and their
    /// report's fields: each is made into a Python object once and shared by its rows, which
    /// on a big corpus makes a few hundred thousand objects instead of tens of millions.
    fn slogan_reports<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = py.allow_threads(|| tifa_report::slogan_reports(&self.cmp));
        let names = tifa_report::SLOGAN_REPORT_COLUMNS;
        let types: Vec<Type> = names.iter().map(|&name| column_type(name)).collect();
        // Each slogan's fields are the first two columns, each report's the next seven.
        let typed = |fields: &[String], types: &[Type]| -> PyResult<Vec<PyObject>> {
            fields
                .iter()
                .zip(types)
                .map(|(f, &ty)| field(py, f, ty))
                .collect()
        };
        let slogans = t
            .slogans
            .iter()
            .map(|f| typed(f, &types[..2]))
            .collect::<PyResult<Vec<_>>>()?;
        let reports = t
            .reports
            .iter()
            .map(|f| typed(f, &types[2..]))
            .collect::<PyResult<Vec<_>>>()?;
        let out = PyDict::new(py);
        for (c, name) in names.iter().enumerate() {
            let list = if c + 1 == names.len() {
                PyList::new(py, t.rows.iter().map(|&(_, _, count)| count))?
            } else {
                PyList::new(
                    py,
                    t.rows.iter().map(|&(s, d, _)| match c {
                        0 | 1 => slogans[s as usize][c].clone_ref(py),
                        _ => reports[d as usize][c - 2].clone_ref(py),
                    }),
                )?
            };
            out.set_item(name, list)?;
        }
        Ok(out)
    }

    /// The reports, with their metadata, by column.
    fn documents<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let docs = &self.cmp.docs;
        let text = |f: &dyn Fn(&tifa_core::DocInfo) -> Option<String>| -> Vec<Option<String>> {
            docs.iter().map(f).collect()
        };
        let out = PyDict::new(py);
        out.set_item("id", text(&|d| Some(d.id.clone())))?;
        out.set_item("title", text(&|d| Some(d.title.clone())))?;
        out.set_item("source", text(&|d| Some(d.source.clone())))?;
        out.set_item("region", text(&|d| d.meta.region.clone()))?;
        out.set_item("level", text(&|d| d.meta.level.clone()))?;
        out.set_item("body", text(&|d| d.meta.body.clone()))?;
        out.set_item("year", docs.iter().map(|d| d.meta.year).collect::<Vec<_>>())?;
        out.set_item("date", text(&|d| d.meta.given_date().map(|w| w.text)))?;
        out.set_item("chars", docs.iter().map(|d| d.chars).collect::<Vec<_>>())?;
        out.set_item("tokens", docs.iter().map(|d| d.tokens).collect::<Vec<_>>())?;
        // The manifest's further columns, for grouping, as text, each named `manifest_` and its
        // name: never the name of a column above (the manifest's `source`, the publication,
        // beside `source`, the input file) nor of one typed as a number (`rank`, `count`).
        let extra: std::collections::BTreeSet<&String> =
            docs.iter().flat_map(|d| d.meta.extra.keys()).collect();
        for key in extra.into_iter().filter(|k| k.as_str() != "date") {
            let column = text(&|d| d.meta.extra.get(key).cloned());
            out.set_item(format!("manifest_{key}"), column)?;
        }
        Ok(out)
    }

    /// The keyword-in-context lines of a slogan, by column (`report title left phrase right`);
    /// `None` when the phrase is not a slogan of the list.
    fn kwic<'py>(&self, py: Python<'py>, phrase: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(s) = self.cmp.slogans.iter().find(|s| s.phrase == phrase) else {
            return Ok(None);
        };
        let doc = |k: &tifa_core::Kwic| self.cmp.docs.get(k.doc as usize);
        let column = |f: &dyn Fn(&tifa_core::Kwic) -> Option<String>| -> Vec<Option<String>> {
            s.kwic.iter().map(f).collect()
        };
        let out = PyDict::new(py);
        out.set_item("report", column(&|k| doc(k).map(|d| d.id.clone())))?;
        out.set_item("title", column(&|k| doc(k).map(|d| d.title.clone())))?;
        out.set_item("left", column(&|k| Some(k.left().to_string())))?;
        out.set_item("phrase", column(&|k| Some(k.phrase().to_string())))?;
        out.set_item("right", column(&|k| Some(k.right().to_string())))?;
        Ok(Some(out))
    }

    /// Number of reports and of slogans (names included).
    fn __len__(&self) -> usize {
        self.cmp.slogans.len()
    }

    /// The corpus summary: reports, characters, tokens, distinct phrases, years, skipped files,
    /// and how many rows are names.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = &self.cmp.summary;
        let out = PyDict::new(py);
        out.set_item("n_docs", s.n_docs)?;
        out.set_item("n_chars", s.n_chars)?;
        out.set_item("n_tokens", s.n_tokens)?;
        out.set_item("n_phrases", s.n_phrases)?;
        out.set_item("years", s.years)?;
        out.set_item("n_skipped", s.n_skipped)?;
        out.set_item("n_names", self.cmp.n_names())?;
        Ok(out)
    }
}

/// Reads the results in `work_dir` (its compare.bin, checked whole).
#[pyfunction]
fn open(py: Python<'_>, work_dir: PathBuf) -> PyResult<Work> {
    let cmp = py.allow_threads(|| api::open(&work_dir)).map_err(error)?;
    Ok(Work { cmp: Arc::new(cmp) })
}

/// The native module.
#[pymodule]
fn _tifa(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("TifaError", m.py().get_type::<TifaError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(lookup, m)?)?;
    m.add_function(wrap_pyfunction!(cut, m)?)?;
    m.add_function(wrap_pyfunction!(open, m)?)?;
    m.add_class::<Work>()?;
    Ok(())
}
