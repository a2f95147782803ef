//! Diffusion: who used a slogan first, who followed and how fast, and what each new report of a
//! series adds or drops. Every table here is a function of the comparison's slogans (their
//! per-report counts) and the reports' metadata; names (kind `name`) are left out.
//!
//! - `slogan-reports.tsv`, the long table: one row per slogan and report it occurs in, with the
//!   report's metadata and the count — what pandas, R and DuckDB analyses start from.
//! - `diffusion.tsv`: per slogan and group (by default the `region` of the reports outside the
//!   reference, by default `level=national`), the group's first use, the reference's first use
//!   and the lag between them, in years.
//! - `adoption.tsv`: per slogan and year, the share of groups that have used it by then.
//! - `leaders.tsv`: per group, how early it adopts across slogans (median and mean lag).
//! - `diff.tsv`: per series of reports (same region, level and body) and edition, the slogans
//!   new in it (never in the series before), dropped (in the previous edition, not in this one)
//!   and carried on.
//!
//! A report's date is its manifest's `date` column (`YYYY-MM-DD` or `YYYY-MM`) when it has one,
//! else its year; lags are in years, a month counting a twelfth and a day a 365th.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use tifa_core::{Comparison, DocInfo, Slogan, When};

use crate::text::{fixed, tsv_text};

/// How many slogans of each list are named in a `diff.tsv` row.
const NAMED: usize = 20;

/// The date of a report: the manifest's `date` (`YYYY-MM-DD` or `YYYY-MM`), else its year.
pub fn when(doc: &DocInfo) -> Option<When> {
    doc.meta.date()
}

/// Which reports are the reference (`field=value`, e.g. `level=national`) and which field
/// the other reports are grouped by.
#[derive(Debug, Clone)]
pub struct Groups<'a> {
    /// For each report: `None` for a reference report or one without the field, else its group.
    pub of_doc: Vec<Option<&'a str>>,
    /// For each report: whether it is a reference report.
    pub reference: Vec<bool>,
    /// The groups, sorted.
    pub names: Vec<&'a str>,
}

impl<'a> Groups<'a> {
    /// Splits the reports of `docs` into the reference (`reference` as `field=value`) and
    /// groups by `by`.
    pub fn new(docs: &'a [DocInfo], reference: &str, by: &str) -> Groups<'a> {
        let (ref_field, ref_value) = reference.split_once('=').unwrap_or((reference, ""));
        let field = |d: &'a DocInfo, name: &str| -> Option<&'a str> {
            match name {
                "region" => d.meta.region.as_deref(),
                "level" => d.meta.level.as_deref(),
                "body" => d.meta.body.as_deref(),
                other => d.meta.extra.get(other).map(String::as_str),
            }
        };
        let reference: Vec<bool> = docs
            .iter()
            .map(|d| {
                if ref_field.trim() == "year" {
                    d.meta.year.map(|y| y.to_string()).as_deref() == Some(ref_value.trim())
                } else {
                    field(d, ref_field.trim()) == Some(ref_value.trim())
                }
            })
            .collect();
        let of_doc: Vec<Option<&str>> = docs
            .iter()
            .zip(&reference)
            .map(|(d, &r)| if r { None } else { field(d, by) })
            .collect();
        let names: BTreeSet<&str> = of_doc.iter().flatten().copied().collect();
        Groups {
            of_doc,
            reference,
            names: names.into_iter().collect(),
        }
    }

    /// What makes the diffusion views empty, to be said: a reference (`reference`) no report
    /// matches, or every report does; a field (`by`) no other report has, most often a misspelt
    /// name. Only the settings a user chose are said (`chosen`: reference, grouping): the
    /// defaults find nothing on a corpus without national reports, or of national reports
    /// only, as expected.
    pub fn warnings(&self, reference: &str, by: &str, chosen: (bool, bool)) -> Vec<String> {
        let mut out = Vec::new();
        if self.reference.is_empty() {
            return out;
        }
        if chosen.0 && !self.reference.iter().any(|&r| r) {
            out.push(format!(
                "diffusion reference `{reference}`: no report has it, so every lag is left empty"
            ));
        }
        let all_reference = self.reference.iter().all(|&r| r);
        if chosen.0 && all_reference {
            out.push(format!(
                "diffusion reference `{reference}`: every report has it, so no group is left \
                 to compare and the diffusion tables are empty"
            ));
        }
        // With every report in the reference there is no other report to have the field.
        if chosen.1 && self.names.is_empty() && !all_reference {
            out.push(format!(
                "diffusion grouping `{by}`: no report outside the reference has that field \
                 (region, level, body or a manifest column), so the diffusion tables are empty"
            ));
        }
        out
    }
}

/// First uses of one slogan: the reference's, and each group's with how many of its reports
/// use it.
pub struct FirstUses<'a> {
    /// The reference's first use.
    pub reference: Option<When>,
    /// Each group's first use and reports.
    pub groups: BTreeMap<&'a str, (When, u32)>,
}

/// The first uses of the first `limit` slogans (0 = all), names left out, in rank order.
pub fn all_first_uses<'a>(
    cmp: &'a Comparison,
    groups: &Groups<'a>,
    limit: usize,
) -> Vec<(&'a Slogan, FirstUses<'a>)> {
    slogans_of(cmp, limit)
        .map(|s| (s, first_uses(s, &cmp.docs, groups)))
        .collect()
}

fn first_uses<'a>(s: &Slogan, docs: &[DocInfo], groups: &Groups<'a>) -> FirstUses<'a> {
    let mut reference: Option<When> = None;
    let mut by_group: BTreeMap<&'a str, (When, u32)> = BTreeMap::new();
    let earlier = |a: &When, b: &When| a.before(b);
    for (d, _) in &s.per_doc {
        let (Some(doc), d) = (docs.get(d as usize), d as usize) else {
            continue;
        };
        let Some(w) = when(doc) else { continue };
        if groups.reference.get(d).copied().unwrap_or(false) {
            if reference.as_ref().is_none_or(|r| earlier(&w, r)) {
                reference = Some(w);
            }
        } else if let Some(Some(g)) = groups.of_doc.get(d) {
            let e = by_group.entry(g).or_insert((w.clone(), 0));
            if earlier(&w, &e.0) {
                e.0 = w;
            }
            e.1 += 1;
        }
    }
    FirstUses {
        reference,
        groups: by_group,
    }
}

/// A lag in years, shown with two decimals (or whole when both dates are years).
fn lag_text(lag: f64) -> String {
    if lag.fract() == 0.0 {
        format!("{lag:.0}")
    } else {
        fixed(lag, 2)
    }
}

/// The slogans of the diffusion tables: the first `limit` slogans by rank (all when 0), names
/// left out.
fn slogans_of(cmp: &Comparison, limit: usize) -> impl Iterator<Item = &Slogan> {
    let limit = if limit == 0 { usize::MAX } else { limit };
    cmp.slogans
        .iter()
        .filter(|s| s.kind.is_slogan())
        .take(limit)
}

/// Columns of `slogan-reports.tsv`, in order.
pub const SLOGAN_REPORT_COLUMNS: &[&str] = &[
    "slogan", "kind", "report", "title", "region", "level", "body", "year", "date", "count",
];

/// The fields of `slogan-reports.tsv` that describe the report (`report` to `date`), as the
/// file writes them.
fn report_fields(doc: &tifa_core::DocInfo) -> [String; 7] {
    let m = &doc.meta;
    let date = m.given_date().map(|w| w.text).unwrap_or_default();
    [
        tsv_text(&doc.id).into_owned(),
        tsv_text(&doc.title).into_owned(),
        tsv_text(m.region.as_deref().unwrap_or("")).into_owned(),
        tsv_text(m.level.as_deref().unwrap_or("")).into_owned(),
        tsv_text(m.body.as_deref().unwrap_or("")).into_owned(),
        m.year.map(|y| y.to_string()).unwrap_or_default(),
        date,
    ]
}

/// `slogan-reports.tsv`'s table by its parts, the fields as the file writes them: each
/// slogan's fields (`slogan`, `kind`), each report's (`report` to `date`), and a row per slogan
/// (names left out) and report it occurs in, as indices into those and the count. The rows
/// repeat their slogan's and report's fields, so a reader that builds the table (the Python
/// package) makes each field once instead of once per row: on a big corpus there are millions
/// of rows and thousands of reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SloganReports {
    /// `slogan` and `kind` of each slogan with rows, in rank order.
    pub slogans: Vec<[String; 2]>,
    /// `report`, `title`, `region`, `level`, `body`, `year` and `date` of each report, by its
    /// index in [`Comparison::docs`].
    pub reports: Vec<[String; 7]>,
    /// `(index in slogans, index in reports, count)`, in the file's order.
    pub rows: Vec<(u32, u32, u32)>,
}

/// The table of `slogan-reports.tsv` ([`SloganReports`]), in the file's order.
pub fn slogan_reports(cmp: &Comparison) -> SloganReports {
    let reports: Vec<[String; 7]> = cmp.docs.iter().map(report_fields).collect();
    let mut slogans = Vec::new();
    let mut rows = Vec::new();
    for s in cmp.slogans.iter().filter(|s| s.kind.is_slogan()) {
        let k = slogans.len() as u32;
        slogans.push([tsv_text(&s.phrase).into_owned(), s.kind.name().to_string()]);
        rows.extend(
            s.per_doc
                .iter()
                .filter(|&(d, _)| (d as usize) < reports.len())
                .map(|(d, count)| (k, d, count)),
        );
    }
    SloganReports {
        slogans,
        reports,
        rows,
    }
}

/// `slogan-reports.tsv`: one row per slogan and report it occurs in. On a big corpus the table
/// is larger than the corpus, so it is rendered in chunks of slogans on every core and
/// streamed in order, like `slogans.tsv`.
pub(crate) fn write_slogan_reports(
    cmp: &Comparison,
    w: &mut (dyn std::io::Write + Send),
) -> Result<(), crate::stream::Fail> {
    w.write_all((SLOGAN_REPORT_COLUMNS.join("\t") + "\n").as_bytes())?;
    // Each report's fields but the count, rendered once: every row of that report repeats them.
    let report_fields: Vec<String> = cmp
        .docs
        .iter()
        .map(|doc| report_fields(doc).join("\t"))
        .collect();
    crate::stream::write_chunks(w, &cmp.slogans, 256, |_, slogans, buf| {
        let mut line = String::new();
        for s in slogans.iter().filter(|s| s.kind.is_slogan()) {
            let head = format!("{}\t{}\t", tsv_text(&s.phrase), s.kind.name());
            for (d, count) in &s.per_doc {
                let Some(fields) = report_fields.get(d as usize) else {
                    continue;
                };
                line.clear();
                line.push_str(&head);
                line.push_str(fields);
                line.push('\t');
                crate::text::push_int(&mut line, count);
                line.push('\n');
                buf.extend_from_slice(line.as_bytes());
            }
        }
        Ok(())
    })
}

/// `diffusion.tsv`, `adoption.tsv` and `leaders.tsv` for the first `limit` slogans.
pub fn diffusion_tables(
    cmp: &Comparison,
    reference: &str,
    by: &str,
    limit: usize,
) -> (String, String, String) {
    let groups = Groups::new(&cmp.docs, reference, by);
    let mut diffusion = String::from(
        "slogan\tgroup\tfirst_use\treference_first_use\tlag_years\treports\tgroup_reports\n",
    );
    let mut adoption = String::from("slogan\tyear\tgroups\tof_groups\tshare\n");
    let group_reports: BTreeMap<&str, u32> =
        groups
            .of_doc
            .iter()
            .flatten()
            .fold(BTreeMap::new(), |mut m, g| {
                *m.entry(*g).or_insert(0) += 1;
                m
            });
    let n_groups = groups.names.len() as u32;
    let last_year = cmp.summary.years.map(|y| y.1);
    let mut lags: BTreeMap<&str, Vec<f64>> =
        groups.names.iter().map(|g| (*g, Vec::new())).collect();
    let mut firsts: BTreeMap<&str, u32> = BTreeMap::new();
    for s in slogans_of(cmp, limit) {
        let f = first_uses(s, &cmp.docs, &groups);
        let phrase = tsv_text(&s.phrase);
        for (g, (w, n)) in &f.groups {
            let lag = f.reference.as_ref().map(|r| w.lag_after(r));
            let _ = writeln!(
                diffusion,
                "{phrase}\t{}\t{}\t{}\t{}\t{n}\t{}",
                tsv_text(g),
                w.text,
                f.reference.as_ref().map_or("", |r| r.text.as_str()),
                lag.map(lag_text).unwrap_or_default(),
                group_reports.get(g).copied().unwrap_or(0)
            );
            if let Some(lag) = lag {
                lags.entry(g).or_default().push(lag);
            }
            // A first adopter: no other group surely used it before (`2025-01` and
            // `2025-01-14` may be either way round, so both are first).
            if !f.groups.values().any(|(o, _)| o.surely_before(w)) {
                *firsts.entry(g).or_insert(0) += 1;
            }
        }
        // The adoption curve, year by year from the first use to the corpus's last year.
        if n_groups > 0 {
            let first_years: Vec<i64> = f
                .groups
                .values()
                .map(|(w, _)| w.years.floor() as i64)
                .collect();
            let start = f
                .reference
                .iter()
                .map(|r| r.years.floor() as i64)
                .chain(first_years.iter().copied())
                .min();
            if let (Some(start), Some(end)) = (start, last_year.map(i64::from)) {
                for y in start..=end.max(start) {
                    let k = first_years.iter().filter(|&&f| f <= y).count() as u32;
                    let _ = writeln!(
                        adoption,
                        "{phrase}\t{y}\t{k}\t{n_groups}\t{}",
                        fixed(f64::from(k) / f64::from(n_groups), 4)
                    );
                }
            }
        }
    }
    let mut leaders =
        String::from("group\tslogans\tmedian_lag_years\tmean_lag_years\tfirst_adopter\n");
    let mut rows: Vec<LeaderRow> = lags
        .iter()
        .map(|(g, l)| {
            let mut v = l.clone();
            v.sort_by(f64::total_cmp);
            let median = (!v.is_empty()).then(|| {
                let n = v.len();
                if n % 2 == 1 {
                    v[n / 2]
                } else {
                    (v[n / 2 - 1] + v[n / 2]) / 2.0
                }
            });
            let mean = (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            (
                *g,
                v.len(),
                median,
                mean,
                firsts.get(g).copied().unwrap_or(0),
            )
        })
        .collect();
    // Leaders first: by median lag, then mean lag, then group; groups without a lag last.
    rows.sort_by(|a, b| {
        let key = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
        key(a.2)
            .total_cmp(&key(b.2))
            .then(key(a.3).total_cmp(&key(b.3)))
            .then(a.0.cmp(b.0))
    });
    for (g, n, median, mean, first) in rows {
        let _ = writeln!(
            leaders,
            "{}\t{n}\t{}\t{}\t{first}",
            tsv_text(g),
            median.map(|m| fixed(m, 2)).unwrap_or_default(),
            mean.map(|m| fixed(m, 2)).unwrap_or_default(),
        );
    }
    (diffusion, adoption, leaders)
}

/// A row of `leaders.tsv`: group, slogans with a lag, median lag, mean lag, first adoptions.
type LeaderRow<'a> = (&'a str, usize, Option<f64>, Option<f64>, u32);

/// Region, level and body: the key of a report series.
type SeriesKey<'a> = (&'a str, &'a str, &'a str);

/// One edition of a report series compared with the series before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition<'a> {
    /// Region, level and body of the series.
    pub series: SeriesKey<'a>,
    /// The report.
    pub doc: &'a DocInfo,
    /// Its date.
    pub when: When,
    /// Slogans never in the series before, by rank.
    pub new: Vec<&'a str>,
    /// Slogans in the previous edition and not in this one, by rank.
    pub dropped: Vec<&'a str>,
    /// Slogans in both.
    pub carried: usize,
}

/// Every edition of every series (reports with region, level, body and a date), in series
/// order then date order; `keep` chooses the series.
pub fn editions<'a>(
    cmp: &'a Comparison,
    keep: impl Fn(&str, &str, &str) -> bool,
) -> Vec<Edition<'a>> {
    let mut series: BTreeMap<SeriesKey, Vec<(When, usize)>> = BTreeMap::new();
    for (i, d) in cmp.docs.iter().enumerate() {
        let m = &d.meta;
        let (Some(r), Some(l), Some(b), Some(w)) = (
            m.region.as_deref(),
            m.level.as_deref(),
            m.body.as_deref(),
            when(d),
        ) else {
            continue;
        };
        if keep(r, l, b) {
            series.entry((r, l, b)).or_default().push((w, i));
        }
    }
    // The slogans of each report in a series, by rank: on a big corpus every report's list
    // together is as long as the long table, so reports outside any series get none.
    let mut in_series = vec![false; cmp.docs.len()];
    for &(_, d) in series.values().flatten() {
        in_series[d] = true;
    }
    let mut of_doc: Vec<Vec<u32>> = vec![Vec::new(); cmp.docs.len()];
    for (k, s) in cmp.slogans.iter().enumerate() {
        if s.kind.is_slogan() {
            for (d, _) in &s.per_doc {
                if in_series.get(d as usize) == Some(&true) {
                    of_doc[d as usize].push(k as u32);
                }
            }
        }
    }
    // Each report's list is in rank order with no repeats (a slogan lists a report once), so
    // what is new, dropped and carried on comes from one merge of two sorted lists and a mark
    // per slogan seen in the series; on daily news (thousands of editions of one series, each
    // with a thousand slogans) sets were most of the report stage's time.
    let name = |k: u32| cmp.slogans[k as usize].phrase.as_str();
    let mut seen = vec![false; cmp.slogans.len()];
    let mut out = Vec::new();
    for (key, mut docs) in series {
        docs.sort_by(|a, b| a.0.years.total_cmp(&b.0.years).then(a.1.cmp(&b.1)));
        let mut touched: Vec<u32> = Vec::new();
        let mut previous: &[u32] = &[];
        for (w, d) in docs {
            let now = of_doc[d].as_slice();
            let new = now
                .iter()
                .filter(|&&k| !seen[k as usize])
                .map(|&k| name(k))
                .collect();
            let (mut dropped, mut carried) = (Vec::new(), 0);
            let mut later = now.iter().peekable();
            for &k in previous {
                while later.next_if(|&&n| n < k).is_some() {}
                if later.next_if(|&&n| n == k).is_some() {
                    carried += 1;
                } else {
                    dropped.push(name(k));
                }
            }
            for &k in now {
                if !seen[k as usize] {
                    seen[k as usize] = true;
                    touched.push(k);
                }
            }
            out.push(Edition {
                series: key,
                doc: &cmp.docs[d],
                when: w,
                new,
                dropped,
                carried,
            });
            previous = now;
        }
        for k in touched {
            seen[k as usize] = false;
        }
    }
    out
}

/// `diff.tsv`: one row per edition of every series.
pub fn diff_tsv(cmp: &Comparison) -> String {
    let mut out = String::from(
        "region\tlevel\tbody\treport\ttitle\tdate\tnew\tdropped\tcarried\tnew_slogans\tdropped_slogans\n",
    );
    for e in editions(cmp, |_, _, _| true) {
        let named = |v: &[&str]| {
            v.iter()
                .take(NAMED)
                .map(|p| tsv_text(p).into_owned())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            tsv_text(e.series.0),
            tsv_text(e.series.1),
            tsv_text(e.series.2),
            tsv_text(&e.doc.id),
            tsv_text(&e.doc.title),
            e.when.text,
            e.new.len(),
            e.dropped.len(),
            e.carried,
            named(&e.new),
            named(&e.dropped)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::{Kind, Meta};

    fn doc(id: &str, region: &str, level: &str, year: u16, date: Option<&str>) -> DocInfo {
        let mut meta = Meta {
            region: Some(region.into()),
            level: Some(level.into()),
            body: Some("government".into()),
            year: Some(year),
            ..Meta::default()
        };
        if let Some(d) = date {
            meta.extra.insert("date".into(), d.into());
        }
        DocInfo {
            id: id.into(),
            title: format!("{region}{year}"),
            meta,
            ..DocInfo::default()
        }
    }

    fn slogan(phrase: &str, kind: Kind, per_doc: &[(u32, u32)]) -> Slogan {
        Slogan {
            rank: 0,
            phrase: phrase.into(),
            kind,
            df: per_doc.len() as u32,
            df_pct: 0.0,
            tf: per_doc.iter().map(|x| x.1).sum(),
            score: 0.0,
            dp: 0.0,
            cohesion: 0.0,
            left_entropy: 0.0,
            right_entropy: 0.0,
            quoted_share: 0.0,
            evidence: Default::default(),
            n_tokens: 1,
            first_year: None,
            last_year: None,
            first_date: None,
            last_date: None,
            family: phrase.into(),
            members: Vec::new(),
            per_doc: per_doc.into(),
            per_year: Vec::new(),
            kwic: Vec::new(),
        }
    }

    /// The centre coins 新质生产力 in 2024; 甲省 takes it up in 2024, 乙省 in 2025.
    fn sample() -> Comparison {
        let docs = vec![
            doc("n2023", "全国", "national", 2023, None),
            doc("n2024", "全国", "national", 2024, Some("2024-03-05")),
            doc("a2024", "甲省", "provincial", 2024, None),
            doc("a2025", "甲省", "provincial", 2025, None),
            doc("b2024", "乙省", "provincial", 2024, None),
            doc("b2025", "乙省", "provincial", 2025, None),
        ];
        let mut cmp = Comparison {
            docs,
            slogans: vec![
                slogan("新质生产力", Kind::Term, &[(1, 2), (2, 1), (3, 4), (5, 1)]),
                slogan("以旧换新", Kind::Term, &[(2, 1), (4, 1)]),
                slogan("省政府", Kind::Name, &[(2, 1), (3, 1)]),
            ],
            ..Comparison::default()
        };
        cmp.summary.years = Some((2023, 2025));
        cmp
    }

    #[test]
    fn dates_are_read_to_the_day_or_month_else_the_year() {
        let d = |date| when(&doc("x", "甲省", "provincial", 2024, Some(date))).unwrap();
        assert_eq!(d("2023-09-07").text, "2023-09-07");
        assert_eq!(d("2023-9").text, "2023-09");
        assert!((d("2023-07").years - 2023.5).abs() < 1e-9);
        // Not a date: the year.
        assert_eq!(d("去年").text, "2024");
        assert_eq!(d("2023-13-01").text, "2024");
    }

    #[test]
    fn first_uses_lags_adoption_and_leaders() {
        let cmp = sample();
        let (diffusion, adoption, leaders) = diffusion_tables(&cmp, "level=national", "region", 0);
        let rows: Vec<&str> = diffusion.lines().skip(1).collect();
        assert_eq!(
            rows,
            [
                "新质生产力\t乙省\t2025\t2024-03-05\t1\t1\t2",
                "新质生产力\t甲省\t2024\t2024-03-05\t0\t2\t2",
                "以旧换新\t乙省\t2024\t\t\t1\t2",
                "以旧换新\t甲省\t2024\t\t\t1\t2",
            ]
        );
        assert!(adoption.contains("新质生产力\t2024\t1\t2\t0.5000\n"));
        assert!(adoption.contains("新质生产力\t2025\t2\t2\t1.0000\n"));
        // 甲省 leads: it used the slogan the year the centre did.
        let first = leaders.lines().nth(1).unwrap();
        assert!(first.starts_with("甲省\t1\t0.00\t0.00\t2"), "{leaders}");
        // Names are not slogans.
        assert!(!diffusion.contains("省政府"));
    }

    #[test]
    fn diffusion_settings_that_say_nothing_are_warned_of() {
        let cmp = sample();
        let warn = |reference: &str| {
            Groups::new(&cmp.docs, reference, "region").warnings(reference, "region", (true, false))
        };
        assert!(warn("level=national").is_empty());
        let w = warn("level=nope");
        assert!(w[0].contains("no report has it"), "{w:?}");
        let w = warn("body=government");
        assert!(w[0].contains("every report has it"), "{w:?}");
        // Said once, not again as a grouping no other report has.
        let both = Groups::new(&cmp.docs, "body=government", "level").warnings(
            "body=government",
            "level",
            (true, true),
        );
        assert_eq!(both.len(), 1, "{both:?}");
    }

    #[test]
    fn a_month_does_not_beat_a_day_of_it_to_first_adoption() {
        // 甲省 dated to the month, 乙省 to the day in that month: either may have been first.
        let mut cmp = sample();
        cmp.docs[2] = doc("a2024", "甲省", "provincial", 2024, Some("2024-01"));
        cmp.docs[4] = doc("b2024", "乙省", "provincial", 2024, Some("2024-01-14"));
        cmp.slogans = vec![slogan("以旧换新", Kind::Term, &[(2, 1), (4, 1)])];
        let (_, _, leaders) = diffusion_tables(&cmp, "level=national", "region", 0);
        let firsts: Vec<&str> = leaders
            .lines()
            .skip(1)
            .map(|l| l.rsplit('\t').next().unwrap())
            .collect();
        assert_eq!(firsts, ["1", "1"], "{leaders}");
    }

    #[test]
    fn editions_say_what_is_new_dropped_and_carried() {
        let cmp = sample();
        let diff = diff_tsv(&cmp);
        let row = |id: &str| {
            diff.lines()
                .find(|l| l.split('\t').nth(3) == Some(id))
                .unwrap()
                .to_string()
        };
        assert!(row("a2024").contains("\t2\t0\t0\t新质生产力 | 以旧换新\t"));
        assert!(
            row("a2025").ends_with("\t0\t1\t1\t\t以旧换新"),
            "{}",
            row("a2025")
        );
        assert!(row("b2025").ends_with("\t1\t1\t0\t新质生产力\t以旧换新"));
        let gd = editions(&cmp, |r, _, _| r == "乙省");
        assert_eq!(gd.len(), 2);
    }

    #[test]
    fn the_long_table_has_a_row_per_slogan_and_report() {
        let cmp = sample();
        let mut bytes = Vec::new();
        write_slogan_reports(&cmp, &mut bytes).ok().unwrap();
        let out = String::from_utf8(bytes).unwrap();
        assert_eq!(out.lines().count(), 1 + 4 + 2);
        assert!(out.contains(
            "新质生产力\tterm\tn2024\t全国2024\t全国\tnational\tgovernment\t2024\t2024-03-05\t2\n"
        ));
        // The table by its parts gives the file's rows, field for field, in its order.
        let t = slogan_reports(&cmp);
        let rows: Vec<String> = t
            .rows
            .iter()
            .map(|&(s, d, count)| {
                let (s, d) = (&t.slogans[s as usize], &t.reports[d as usize]);
                format!("{}\t{}\t{}\n", s.join("\t"), d.join("\t"), count)
            })
            .collect();
        assert_eq!(rows.concat(), out.split_once('\n').unwrap().1);
    }
}
