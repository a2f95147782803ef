//! The plain-text outputs: `slogans.tsv`, `slogans.csv`, `compare-FIELD.tsv` and `summary.md`.
//!
//! The TSV and CSV files share one column list ([`COLUMNS`]) and one row builder, so they can
//! never disagree. Rows follow the comparison's order (df, then tf, then phrase).

use std::cmp::Reverse;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;

use tifa_core::{Comparison, DocInfo, GroupComparison, Slogan};

use crate::stream::{write_chunks_to, Fail, CHUNK};
use crate::text::{
    fixed, guard_formula, md_cell, push_csv_field, push_fixed, push_int, tsv_field, tsv_text,
};
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
    "first_date",
    "last_date",
    "family",
    "n_tokens",
    "cohesion",
    "left_entropy",
    "right_entropy",
    "quoted_share",
    "evidence",
    "members",
    "top_reports",
    "example",
];

/// Whether the column at this index holds corpus text (and so needs CSV formula guarding).
fn is_text_column(i: usize) -> bool {
    matches!(
        COLUMNS[i],
        "phrase" | "family" | "members" | "top_reports" | "example"
    )
}

/// How many report titles go into `top_reports`.
const TOP_REPORTS: usize = 3;

/// The fields of one slogan row, unescaped, in [`COLUMNS`] order, written end to end into one
/// reused buffer so that a row costs no allocation (there can be hundreds of thousands).
#[derive(Default)]
struct Row {
    text: String,
    ends: Vec<usize>,
}

impl Row {
    /// Ends the field written since the previous call.
    fn end_field(&mut self) {
        self.ends.push(self.text.len());
    }

    /// Fills the row with the fields of slogan `s`.
    /// Fills the fields of `s`; without `detail` (see [`crate::Config::detail`]) `top_reports`
    /// and `example` are left empty.
    fn fill(&mut self, s: &Slogan, docs: &[DocInfo], detail: bool) {
        self.text.clear();
        self.ends.clear();
        push_int(&mut self.text, s.rank);
        self.end_field();
        self.text.push_str(&s.phrase);
        self.end_field();
        self.text.push_str(s.kind.name());
        self.end_field();
        push_int(&mut self.text, s.df);
        self.end_field();
        push_fixed(&mut self.text, s.df_pct, 2);
        self.end_field();
        push_int(&mut self.text, s.tf);
        self.end_field();
        push_fixed(&mut self.text, s.score, 4);
        self.end_field();
        push_fixed(&mut self.text, s.dp, 4);
        self.end_field();
        for y in [s.first_year, s.last_year] {
            if let Some(y) = y {
                push_int(&mut self.text, y);
            }
            self.end_field();
        }
        for d in [&s.first_date, &s.last_date] {
            if let Some(d) = d {
                self.text.push_str(d);
            }
            self.end_field();
        }
        self.text.push_str(&s.family);
        self.end_field();
        push_int(&mut self.text, s.n_tokens);
        self.end_field();
        for x in [s.cohesion, s.left_entropy, s.right_entropy, s.quoted_share] {
            push_fixed(&mut self.text, x, 4);
            self.end_field();
        }
        self.text.push_str(&s.evidence);
        self.end_field();
        for (i, m) in s.members.iter().enumerate() {
            if i > 0 {
                self.text.push('、');
            }
            self.text.push_str(m);
        }
        self.end_field();
        if detail {
            for (i, d) in top_reports(s, docs).into_iter().flatten().enumerate() {
                if i > 0 {
                    self.text.push_str(" | ");
                }
                self.text
                    .push_str(if d.title.is_empty() { &d.id } else { &d.title });
            }
        }
        self.end_field();
        if let Some(k) = s.kwic.first().filter(|_| detail) {
            for part in [k.left(), "【", k.phrase(), "】", k.right()] {
                self.text.push_str(part);
            }
        }
        self.end_field();
    }

    /// The fields, in [`COLUMNS`] order.
    fn fields(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.text[a..b])
    }
}

/// The reports where the slogan occurs most often, ties by report order: the first
/// [`TOP_REPORTS`] of `per_doc` sorted by count descending, then report index. Picked in one
/// pass instead of sorting a copy of `per_doc`, which can list thousands of reports.
fn top_reports<'a>(s: &Slogan, docs: &'a [DocInfo]) -> [Option<&'a DocInfo>; TOP_REPORTS] {
    let mut top: [Option<(Reverse<u32>, u32)>; TOP_REPORTS] = [None; TOP_REPORTS];
    for (d, count) in &s.per_doc {
        if docs.get(d as usize).is_none() {
            continue;
        }
        let key = (Reverse(count), d);
        // Insert after equal keys, as a stable sort would order them.
        if let Some(pos) = top.iter().position(|t| t.is_none_or(|t| key < t)) {
            top[pos..].rotate_right(1);
            top[pos] = Some(key);
        }
    }
    top.map(|t| t.and_then(|(_, d)| docs.get(d as usize)))
}

/// Calls `each` with every field of `slogans.tsv` exactly as the file writes it, row by row,
/// each with its column's index in [`COLUMNS`]: for a caller that builds the table in memory
/// (the Python package) without reading the file back, and without a string per field.
pub fn each_slogan_field(cmp: &Comparison, config: &Config, mut each: impl FnMut(usize, &str)) {
    let mut row = Row::default();
    for s in &cmp.slogans {
        row.fill(s, &cmp.docs, config.detail(s.rank));
        for (c, field) in row.fields().enumerate() {
            each(c, &tsv_text(field));
        }
    }
}

/// Writes `slogans.tsv` to `tsv` and `slogans.csv` to `csv`, filling each row once for both.
///
/// `slogans.tsv`: UTF-8, tab-separated, a header row, one row per slogan. `slogans.csv`: the
/// same rows, comma-separated with RFC 4180 quoting and CRLF line ends, behind a UTF-8
/// byte-order mark so that Excel detects the encoding.
pub(crate) fn write_slogan_tables(
    cmp: &Comparison,
    config: &Config,
    tsv: &mut (dyn Write + Send),
    csv: &mut (dyn Write + Send),
) -> Result<(), Fail> {
    tsv.write_all(COLUMNS.join("\t").as_bytes())?;
    tsv.write_all(b"\n")?;
    let mut head = b"\xEF\xBB\xBF".to_vec();
    for (i, c) in COLUMNS.iter().enumerate() {
        if i > 0 {
            head.push(b',');
        }
        push_csv_field(&mut head, c);
    }
    head.extend_from_slice(b"\r\n");
    csv.write_all(&head)?;
    let text: Vec<bool> = (0..COLUMNS.len()).map(is_text_column).collect();
    write_chunks_to([tsv, csv], &cmp.slogans, CHUNK, |_, slogans, [tsv, csv]| {
        let mut row = Row::default();
        for s in slogans {
            row.fill(s, &cmp.docs, config.detail(s.rank));
            for ((i, f), &text) in row.fields().enumerate().zip(&text) {
                if i > 0 {
                    tsv.push(b'\t');
                    csv.push(b',');
                }
                if text {
                    let clean = tsv_text(f);
                    tsv.extend_from_slice(clean.as_bytes());
                    push_csv_field(csv, &guard_formula(f, clean));
                } else {
                    // Numbers and kind names, formatted here: nothing in them is escaped or
                    // quoted in either file, so they are not scanned.
                    tsv.extend_from_slice(f.as_bytes());
                    csv.extend_from_slice(f.as_bytes());
                }
            }
            tsv.push(b'\n');
            csv.extend_from_slice(b"\r\n");
        }
        Ok(())
    })
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
    let _ = writeln!(out, "| slogans | {} |", cmp.n_slogans());
    let _ = writeln!(out, "| names (listed apart) | {} |", cmp.n_names());
    let _ = writeln!(
        out,
        "| input files skipped (see clean-log.tsv) | {} |",
        s.n_skipped
    );
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

    // Names (kind `name`) are not slogans: counted and listed apart.
    let slogans: Vec<&Slogan> = cmp.slogans.iter().filter(|s| s.kind.is_slogan()).collect();
    let n_names = cmp.slogans.len() - slogans.len();
    let n = config.summary_rows.min(slogans.len());
    let _ = writeln!(
        out,
        "\n## Top {n} of {} slogans by reports (df)\n",
        slogans.len()
    );
    if n_names > 0 {
        let _ = writeln!(
            out,
            "{n_names} names (institutions, offices, meetings, documents, statistical \
             indicators) are listed apart, with kind `name` in slogans.tsv.\n"
        );
    }
    if n == 0 {
        let _ = writeln!(out, "No slogans were found.");
    } else {
        let _ = writeln!(
            out,
            "| rank | phrase | kind | df | df % | tf | score | years | family |"
        );
        let _ = writeln!(out, "|---:|---|---|---:|---:|---:|---:|---|---|");
        for sl in &slogans[..n] {
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

    for (g, file) in cmp.groups.iter().zip(compare_file_names(cmp)) {
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
            let rows: Vec<&tifa_core::GroupRow> =
                g.rows.iter().filter(|r| r.group == info.name).collect();
            for r in rows.iter().take(config.group_rows) {
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
            if let Some(more) = tied_beyond(cmp, &rows, config.group_rows, &file) {
                let _ = writeln!(out, "| {} | {more} | | | | | |", md_cell(&info.name));
            }
        }
    }
    out
}

/// A group's rows (in the order of its table) shown up to `shown`: when the rows left out
/// begin with ties of the last one shown, how many, said for a table to end with, naming the
/// group table `file` (the order among rows of one G2 is the phrases', which says nothing).
pub(crate) fn tied_beyond(
    cmp: &Comparison,
    rows: &[&tifa_core::GroupRow],
    shown: usize,
    file: &str,
) -> Option<String> {
    let last = rows.get(shown.checked_sub(1)?)?;
    let tied = rows[shown..].iter().take_while(|r| r.g2 == last.g2).count();
    if tied == 0 {
        return None;
    }
    let g2 = fixed(last.g2, 2);
    // compare.toml's `max_group_rows` may have cut the group's rows, ties among them.
    let cap: usize = cmp
        .settings
        .get("max_group_rows")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Some(if cap > 0 && rows.len() >= cap {
        format!("… and {tied} more at G2 {g2} or more, past the {cap} rows per group {file} keeps (max_group_rows)")
    } else {
        format!("… and {tied} more at G2 {g2} ({file} has every row)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{csv_text, year};

    /// The row of a slogan built the plain way, one `String` per field.
    fn plain_row(s: &Slogan, docs: &[DocInfo], detail: bool) -> Vec<String> {
        let mut per_doc = s.per_doc.to_vec();
        per_doc.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let top: Vec<&str> = per_doc
            .iter()
            .filter_map(|&(d, _)| docs.get(d as usize))
            .take(TOP_REPORTS)
            .map(|d| if d.title.is_empty() { &d.id } else { &d.title }.as_str())
            .collect();
        vec![
            s.rank.to_string(),
            s.phrase.to_string(),
            s.kind.name().to_string(),
            s.df.to_string(),
            fixed(s.df_pct, 2),
            s.tf.to_string(),
            fixed(s.score, 4),
            fixed(s.dp, 4),
            year(s.first_year),
            year(s.last_year),
            s.first_date.as_deref().unwrap_or_default().to_string(),
            s.last_date.as_deref().unwrap_or_default().to_string(),
            s.family.to_string(),
            s.n_tokens.to_string(),
            fixed(s.cohesion, 4),
            fixed(s.left_entropy, 4),
            fixed(s.right_entropy, 4),
            fixed(s.quoted_share, 4),
            s.evidence.to_string(),
            s.members.join("、"),
            if detail {
                top.join(" | ")
            } else {
                String::new()
            },
            s.kwic
                .first()
                .filter(|_| detail)
                .map(|k| format!("{}【{}】{}", k.left(), k.phrase(), k.right()))
                .unwrap_or_default(),
        ]
    }

    #[test]
    fn a_group_table_cut_among_ties_says_how_many_more_tie() {
        let mut cmp = crate::tests::sample_with_many_slogans(3);
        let row = |phrase: &str, g2: f64| tifa_core::GroupRow {
            group: "2001".to_string(),
            phrase: phrase.to_string(),
            df: 2,
            df_pct: 66.666,
            df_rest: 0,
            g2,
            log_ratio: 1.0,
        };
        cmp.groups[0].rows = vec![
            row("甲", 9.0),
            row("乙", 6.2),
            row("丙", 6.2),
            row("丁", 6.2),
        ];
        let config = Config {
            group_rows: 2,
            ..Config::default()
        };
        let md = summary_md(&cmp, &config);
        assert!(
            md.contains("| 2001 | … and 2 more at G2 6.20 (compare-year.tsv has every row) |"),
            "{md}"
        );
        // Rows cut by compare.toml's max_group_rows: the ties may go on past them.
        cmp.settings.insert("max_group_rows".into(), "4".into());
        let md = summary_md(&cmp, &config);
        assert!(
            md.contains("… and 2 more at G2 6.20 or more, past the 4 rows"),
            "{md}"
        );
        // Cut where the next row does not tie: nothing said.
        let config = Config {
            group_rows: 1,
            ..Config::default()
        };
        assert!(!summary_md(&cmp, &config).contains("more at G2"));
        let config = Config {
            group_rows: 4,
            ..Config::default()
        };
        assert!(!summary_md(&cmp, &config).contains("more at G2"));
    }

    #[test]
    fn streamed_tsv_and_csv_equal_plain_rows() {
        let cmp = crate::tests::sample_with_many_slogans(2 * CHUNK + 5);
        // Rows past the first chunk and a bit have their figures alone.
        let config = Config {
            detail_slogans: CHUNK + 3,
            ..Config::default()
        };
        let mut tsv = Vec::new();
        let mut csv_bytes = Vec::new();
        write_slogan_tables(&cmp, &config, &mut tsv, &mut csv_bytes).unwrap();
        let mut want = COLUMNS.join("\t") + "\n";
        let mut without = 0;
        for s in &cmp.slogans {
            let detail = s.rank as usize <= CHUNK + 3;
            let row = plain_row(s, &cmp.docs, detail);
            if !detail && !s.kwic.is_empty() {
                assert!(row[COLUMNS.len() - 1].is_empty() && row[COLUMNS.len() - 2].is_empty());
                without += 1;
            }
            let fields: Vec<String> = row.iter().map(|f| tsv_field(f)).collect();
            want += &(fields.join("\t") + "\n");
        }
        assert_eq!(String::from_utf8(tsv).unwrap(), want);
        assert!(without > 0, "some rows with examples are past the detail");

        let mut plain = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(b"\xEF\xBB\xBF".to_vec());
        plain.write_record(COLUMNS).unwrap();
        for s in &cmp.slogans {
            let fields = plain_row(s, &cmp.docs, s.rank as usize <= CHUNK + 3)
                .into_iter()
                .enumerate()
                .map(|(i, f)| if is_text_column(i) { csv_text(&f) } else { f });
            plain.write_record(fields).unwrap();
        }
        assert_eq!(
            String::from_utf8(csv_bytes).unwrap(),
            String::from_utf8(plain.into_inner().unwrap()).unwrap()
        );
    }

    #[test]
    fn top_reports_by_count_then_report_order() {
        let cmp = crate::tests::sample_with_many_slogans(1);
        let mut s = cmp.slogans[0].clone();
        let title = |d: Option<&DocInfo>| d.map(|d| d.id.clone());
        // (occurrences per report, the reports picked)
        type Case<'a> = (&'a [(u32, u32)], [Option<&'a str>; 3]);
        let cases: &[Case] = &[
            (&[], [None, None, None]),
            (&[(4, 1)], [Some("r4.txt"), None, None]),
            (
                &[(1, 2), (0, 2), (5, 9), (3, 2), (99, 50)],
                [Some("r5.txt"), Some("r0.txt"), Some("r1.txt")],
            ),
            (
                &[(2, 1), (1, 1), (7, 1), (6, 3)],
                [Some("r6.txt"), Some("r1.txt"), Some("r2.txt")],
            ),
        ];
        for (per_doc, want) in cases {
            s.per_doc = (*per_doc).into();
            let got = top_reports(&s, &cmp.docs).map(title);
            assert_eq!(got, want.map(|w| w.map(String::from)), "{per_doc:?}");
        }
    }
}
