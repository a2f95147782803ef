//! The plain-text outputs: `slogans.tsv`, `slogans.csv`, `compare-FIELD.tsv` and `summary.md`.
//!
//! The TSV and CSV files share one column list ([`COLUMNS`]) and one row builder, so they can
//! never disagree. Rows follow the comparison's order (df, then tf, then phrase).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use tifa_core::{Comparison, DocInfo, GroupComparison, Slogan};

use crate::text::{csv_text, fixed, md_cell, tsv_field, year};
use crate::Config;

/// Columns of `slogans.tsv` and `slogans.csv`, in order. The first seven are the user
/// contract; the rest may grow at the end.
pub const COLUMNS: &[&str] = &[
    "rank",
    "phrase",
    "kind",
    "df",
    "df_pct",
    "tf",
    "score",
    "dp",
    "first_year",
    "last_year",
    "family",
    "n_tokens",
    "cohesion",
    "left_entropy",
    "right_entropy",
    "quoted_share",
    "top_reports",
    "example",
];

/// Whether the column at this index holds corpus text (and so needs CSV formula guarding).
fn is_text_column(i: usize) -> bool {
    matches!(COLUMNS[i], "phrase" | "family" | "top_reports" | "example")
}

/// How many report titles go into `top_reports`.
const TOP_REPORTS: usize = 3;

/// The fields of one slogan row, unescaped, in [`COLUMNS`] order.
fn row(s: &Slogan, docs: &[DocInfo]) -> Vec<String> {
    vec![
        s.rank.to_string(),
        s.phrase.clone(),
        s.kind.name().to_string(),
        s.df.to_string(),
        fixed(s.df_pct, 2),
        s.tf.to_string(),
        fixed(s.score, 4),
        fixed(s.dp, 4),
        year(s.first_year),
        year(s.last_year),
        s.family.clone(),
        s.n_tokens.to_string(),
        fixed(s.cohesion, 4),
        fixed(s.left_entropy, 4),
        fixed(s.right_entropy, 4),
        fixed(s.quoted_share, 4),
        top_reports(s, docs).join(" | "),
        s.kwic
            .first()
            .map(|k| format!("{}【{}】{}", k.left, k.phrase, k.right))
            .unwrap_or_default(),
    ]
}

/// Titles of the reports where the slogan occurs most often (ties by report order).
pub(crate) fn top_reports(s: &Slogan, docs: &[DocInfo]) -> Vec<String> {
    let mut per_doc = s.per_doc.clone();
    per_doc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    per_doc
        .iter()
        .filter_map(|&(d, _)| docs.get(d as usize))
        .take(TOP_REPORTS)
        .map(|d| {
            if d.title.is_empty() {
                d.id.clone()
            } else {
                d.title.clone()
            }
        })
        .collect()
}

/// `slogans.tsv`: UTF-8, tab-separated, a header row, one row per slogan.
pub fn slogans_tsv(cmp: &Comparison) -> String {
    let mut out = COLUMNS.join("\t");
    out.push('\n');
    for s in &cmp.slogans {
        let fields: Vec<String> = row(s, &cmp.docs).iter().map(|f| tsv_field(f)).collect();
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

/// `slogans.csv`: the same rows as the TSV, comma-separated with RFC 4180 quoting and CRLF line
/// ends, behind a UTF-8 byte-order mark so that Excel detects the encoding.
pub fn slogans_csv(cmp: &Comparison) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    // Writing into a Vec cannot fail, and every record has the same length; errors are
    // therefore impossible, but are still not unwrapped.
    let _ = w.write_record(COLUMNS);
    for s in &cmp.slogans {
        let fields: Vec<String> = row(s, &cmp.docs)
            .into_iter()
            .enumerate()
            .map(|(i, f)| if is_text_column(i) { csv_text(&f) } else { f })
            .collect();
        let _ = w.write_record(&fields);
    }
    w.into_inner().unwrap_or_default()
}

/// File names of the `compare-FIELD.tsv` files, one per group comparison, in order. The field
/// name comes from the user's manifest, so it is reduced to letters, digits, `-` and `_`
/// (no path separators, no dots), and made unique.
pub fn compare_file_names(cmp: &Comparison) -> Vec<String> {
    let mut seen = BTreeSet::new();
    cmp.groups
        .iter()
        .map(|g| {
            let mut base: String = g
                .field
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(64)
                .collect();
            if base.trim_matches('_').is_empty() {
                base = "field".to_string();
            }
            let mut name = format!("compare-{base}.tsv");
            let mut n = 2;
            while !seen.insert(name.clone()) {
                name = format!("compare-{base}-{n}.tsv");
                n += 1;
            }
            name
        })
        .collect()
}

/// Columns of `compare-FIELD.tsv`.
pub const COMPARE_COLUMNS: &[&str] = &[
    "group",
    "group_docs",
    "phrase",
    "df",
    "df_pct",
    "df_rest",
    "g2",
    "log_ratio",
];

/// One `compare-FIELD.tsv`: every row of a group comparison, by group, then keyness.
pub fn compare_tsv(gc: &GroupComparison) -> String {
    let mut out = COMPARE_COLUMNS.join("\t");
    out.push('\n');
    for r in &gc.rows {
        let n = gc
            .groups
            .iter()
            .find(|g| g.name == r.group)
            .map(|g| g.n_docs.to_string())
            .unwrap_or_default();
        let fields = [
            tsv_field(&r.group),
            n,
            tsv_field(&r.phrase),
            r.df.to_string(),
            fixed(r.df_pct, 2),
            r.df_rest.to_string(),
            fixed(r.g2, 4),
            fixed(r.log_ratio, 4),
        ];
        out.push_str(&fields.join("\t"));
        out.push('\n');
    }
    out
}

/// `summary.md`: the corpus summary, the settings and the top slogans as Markdown tables.
pub fn summary_md(cmp: &Comparison, config: &Config) -> String {
    let s = &cmp.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# tifa: slogans that recur across reports\n");
    let _ = writeln!(out, "| corpus | |\n|---|---:|");
    let _ = writeln!(out, "| reports | {} |", s.n_docs);
    let _ = writeln!(out, "| characters | {} |", s.n_chars);
    let _ = writeln!(out, "| tokens | {} |", s.n_tokens);
    let _ = writeln!(out, "| phrases counted | {} |", s.n_phrases);
    let _ = writeln!(out, "| slogans | {} |", cmp.slogans.len());
    match s.years {
        Some((a, b)) if a == b => {
            let _ = writeln!(out, "| year | {a} |");
        }
        Some((a, b)) => {
            let _ = writeln!(out, "| years | {a}–{b} |");
        }
        None => {}
    }
    for g in &cmp.groups {
        let _ = writeln!(
            out,
            "| groups by {} | {} |",
            md_cell(&g.field),
            g.groups.len()
        );
    }
    if !cmp.settings.is_empty() {
        let _ = writeln!(out, "\n| setting | value |\n|---|---|");
        for (k, v) in &cmp.settings {
            let _ = writeln!(out, "| {} | {} |", md_cell(k), md_cell(v));
        }
    }

    let n = config.summary_rows.min(cmp.slogans.len());
    let _ = writeln!(
        out,
        "\n## Top {n} of {} slogans by reports (df)\n",
        cmp.slogans.len()
    );
    if n == 0 {
        let _ = writeln!(out, "No slogans were found.");
    } else {
        let _ = writeln!(
            out,
            "| rank | phrase | kind | df | df % | tf | score | years | family |"
        );
        let _ = writeln!(out, "|---:|---|---|---:|---:|---:|---:|---|---|");
        for sl in &cmp.slogans[..n] {
            let years = match (sl.first_year, sl.last_year) {
                (Some(a), Some(b)) if a == b => a.to_string(),
                (Some(a), Some(b)) => format!("{a}–{b}"),
                _ => String::new(),
            };
            let family = if sl.family == sl.phrase {
                String::new()
            } else {
                md_cell(&sl.family)
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                sl.rank,
                md_cell(&sl.phrase),
                sl.kind.name(),
                sl.df,
                fixed(sl.df_pct, 1),
                sl.tf,
                fixed(sl.score, 3),
                years,
                family
            );
        }
    }

    for g in &cmp.groups {
        let _ = writeln!(
            out,
            "\n## Most distinctive slogans by {}\n",
            md_cell(&g.field)
        );
        let _ = writeln!(
            out,
            "| {} | phrase | df | df % | df rest | G2 | log ratio |",
            md_cell(&g.field)
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
        for info in &g.groups {
            for r in g
                .rows
                .iter()
                .filter(|r| r.group == info.name)
                .take(config.group_rows)
            {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    md_cell(&r.group),
                    md_cell(&r.phrase),
                    r.df,
                    fixed(r.df_pct, 1),
                    r.df_rest,
                    fixed(r.g2, 2),
                    fixed(r.log_ratio, 2)
                );
            }
        }
    }
    out
}
