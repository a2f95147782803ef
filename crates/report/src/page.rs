//! `report.html`: one self-contained page that answers "which slogans recur most widely, and
//! where" without any documentation.
//!
//! The static parts — header, bar chart, heat map, group tables, report list — are built here
//! with the escaping [`Html`] builder and work without script. The slogan table, its sorting and
//! filtering, the per-slogan timeline and the keyword-in-context view are drawn by a small
//! inline script from a JSON block (escaped by [`crate::html::ScriptJson`]); the script only
//! ever sets `textContent`, never `innerHTML`, so corpus text stays text there too. A Content
//! Security Policy forbids every fetch, so the page could not reach the network even if it
//! tried. The page carries no generation time, so identical input gives an identical file.

use std::collections::BTreeMap;

use serde::Serialize;
use tifa_core::{Comparison, GroupComparison, Kind};

use crate::html::{Html, ScriptJson};
use crate::stream::Fail;
use crate::svg::{bar_chart, heat_map, kind_colour};
use crate::text::{fixed, rounded};
use crate::{Config, Error};

const CSS: &str = include_str!("report.css");
const JS: &str = include_str!("report.js");

/// Reports listed in the "Reports" section before the list is cut.
const MAX_DOC_ROWS: usize = 2000;

/// The data the page script reads: compact keys, since the block is the bulk of the page.
#[derive(Serialize)]
struct PageData<'a> {
    /// Earliest and latest year of the corpus.
    years: Option<(u16, u16)>,
    /// Whether the reports span more than one year, so a timeline says something.
    timeline: bool,
    /// Reports per year.
    year_docs: Vec<(u16, u32)>,
    docs: Vec<PageDoc<'a>>,
    slogans: Vec<PageSlogan<'a>>,
    /// Slogans in the comparison (the page may carry fewer).
    total: usize,
    /// The groups of the diffusion views, for each slogan's adoption curve; absent when the
    /// views are off or no report falls into a group.
    adopt: Option<PageAdoption<'a>>,
}

/// The diffusion groups as the page script reads them.
#[derive(Serialize)]
struct PageAdoption<'a> {
    /// The field the groups are made by (`region`).
    by: &'a str,
    /// The reference, as `field=value`.
    reference: &'a str,
    /// Number of groups.
    n: usize,
    /// For each report: its group's index, -1 for a reference report, -2 for neither.
    dg: Vec<i32>,
}

#[derive(Serialize)]
struct PageDoc<'a> {
    /// Title (id when untitled).
    t: &'a str,
    /// Id.
    id: &'a str,
    /// Year.
    y: Option<u16>,
    /// Region.
    r: Option<&'a str>,
}

#[derive(Serialize)]
struct PageSlogan<'a> {
    r: u32,
    p: &'a str,
    k: &'static str,
    df: u32,
    pct: Option<f64>,
    tf: u32,
    s: Option<f64>,
    dp: Option<f64>,
    fy: Option<u16>,
    ly: Option<u16>,
    fam: &'a str,
    /// `(doc, occurrences)`.
    docs: &'a tifa_core::PackedPerDoc,
    /// `(year, df)`.
    yrs: &'a [(u16, u32)],
    /// `(doc, left, phrase, right)`.
    kw: Vec<(u32, &'a str, &'a str, &'a str)>,
}

fn page_data<'a>(cmp: &'a Comparison, config: &'a Config) -> PageData<'a> {
    let limit = if config.html_slogans == 0 {
        cmp.slogans.len()
    } else {
        config.html_slogans
    };
    let mut year_docs: BTreeMap<u16, u32> = BTreeMap::new();
    for d in &cmp.docs {
        if let Some(y) = d.meta.year {
            *year_docs.entry(y).or_default() += 1;
        }
    }
    let years = cmp
        .summary
        .years
        .or_else(|| Some((*year_docs.keys().next()?, *year_docs.keys().next_back()?)));
    PageData {
        years,
        timeline: year_docs.len() > 1,
        year_docs: year_docs.into_iter().collect(),
        docs: cmp
            .docs
            .iter()
            .map(|d| PageDoc {
                t: if d.title.is_empty() { &d.id } else { &d.title },
                id: &d.id,
                y: d.meta.year,
                r: d.meta.region.as_deref(),
            })
            .collect(),
        slogans: cmp
            .slogans
            .iter()
            .take(limit)
            .map(|s| PageSlogan {
                r: s.rank,
                p: &s.phrase,
                k: s.kind.name(),
                df: s.df,
                pct: rounded(s.df_pct, 2),
                tf: s.tf,
                s: rounded(s.score, 4),
                dp: rounded(s.dp, 4),
                fy: s.first_year,
                ly: s.last_year,
                fam: &s.family,
                docs: &s.per_doc,
                yrs: &s.per_year,
                kw: s
                    .kwic
                    .iter()
                    .take(config.kwic_lines)
                    .map(|k| (k.doc, k.left(), k.phrase(), k.right()))
                    .collect(),
            })
            .collect(),
        total: cmp.slogans.len(),
        adopt: adoption(cmp, config),
    }
}

/// The diffusion groups of the page's adoption curves (see [`PageAdoption`]).
fn adoption<'a>(cmp: &'a Comparison, config: &'a Config) -> Option<PageAdoption<'a>> {
    if !config.diffusion {
        return None;
    }
    let groups =
        crate::diffusion::Groups::new(&cmp.docs, &config.diffusion_reference, &config.diffusion_by);
    if groups.names.is_empty() {
        return None;
    }
    let dg = groups
        .of_doc
        .iter()
        .zip(&groups.reference)
        .map(|(g, &r)| match g {
            _ if r => -1,
            Some(g) => groups
                .names
                .binary_search(g)
                .map_or(-2, |i| i32::try_from(i).unwrap_or(-2)),
            None => -2,
        })
        .collect();
    Some(PageAdoption {
        by: &config.diffusion_by,
        reference: &config.diffusion_reference,
        n: groups.names.len(),
        dg,
    })
}

/// Bytes of the page's JSON held before they are written out.
const JSON_PART: usize = 1 << 20;

/// Writes the page data as JSON for its script block to `w`, about a megabyte at a time: the
/// text of [`script_json`](crate::html::script_json)`(data)`, with the slogans, nearly all of
/// it, written field by field in [`PageSlogan`]'s order rather than through serde, which spent
/// more time on them than the rest of the page took. On a big corpus the block is hundreds of
/// megabytes, which were held twice when the page was built whole.
fn write_page_json(data: &PageData, w: &mut dyn std::io::Write) -> Result<(), Fail> {
    let json = |source| {
        Fail::Report(Error::Json {
            what: "report.html data",
            source,
        })
    };
    let mut j = ScriptJson::new();
    j.raw("{\"years\":").value(&data.years).map_err(json)?;
    j.raw(",\"timeline\":")
        .value(&data.timeline)
        .map_err(json)?;
    j.raw(",\"year_docs\":")
        .value(&data.year_docs)
        .map_err(json)?;
    j.raw(",\"docs\":").value(&data.docs).map_err(json)?;
    j.raw(",\"slogans\":[");
    for (i, s) in data.slogans.iter().enumerate() {
        if i > 0 {
            j.raw(",");
        }
        page_slogan(&mut j, s).map_err(json)?;
        if j.len() >= JSON_PART {
            j.flush_to(w)?;
        }
    }
    j.raw("],\"total\":").int(data.total);
    j.raw(",\"adopt\":").value(&data.adopt).map_err(json)?;
    j.raw("}");
    Ok(j.flush_to(w)?)
}

/// Appends one slogan of [`write_page_json`].
fn page_slogan(j: &mut ScriptJson, s: &PageSlogan) -> serde_json::Result<()> {
    let year = |j: &mut ScriptJson, y: Option<u16>| match y {
        Some(y) => {
            j.int(y);
        }
        None => {
            j.raw("null");
        }
    };
    j.raw("{\"r\":").int(s.r);
    j.raw(",\"p\":").str(s.p)?;
    j.raw(",\"k\":").str(s.k)?;
    j.raw(",\"df\":").int(s.df);
    j.raw(",\"pct\":").value(&s.pct)?;
    j.raw(",\"tf\":").int(s.tf);
    j.raw(",\"s\":").value(&s.s)?;
    j.raw(",\"dp\":").value(&s.dp)?;
    j.raw(",\"fy\":");
    year(j, s.fy);
    j.raw(",\"ly\":");
    year(j, s.ly);
    j.raw(",\"fam\":").str(s.fam)?;
    j.raw(",\"docs\":[");
    for (i, (doc, n)) in s.docs.iter().enumerate() {
        j.raw(if i == 0 { "[" } else { ",[" });
        j.int(doc).raw(",").int(n).raw("]");
    }
    j.raw("],\"yrs\":[");
    for (i, &(y, n)) in s.yrs.iter().enumerate() {
        j.raw(if i == 0 { "[" } else { ",[" });
        j.int(y).raw(",").int(n).raw("]");
    }
    j.raw("],\"kw\":[");
    for (i, &(doc, left, phrase, right)) in s.kw.iter().enumerate() {
        j.raw(if i == 0 { "[" } else { ",[" });
        j.int(doc).raw(",").str(left)?.raw(",").str(phrase)?;
        j.raw(",").str(right)?.raw("]");
    }
    j.raw("]}");
    Ok(())
}

/// `1234567` → `1,234,567`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const KINDS: [(Kind, &str); 6] = [
    (Kind::Numbered, "numbered (四个意识)"),
    (Kind::Enumeration, "enumeration (A、B、C)"),
    (Kind::Quoted, "quoted (“…”)"),
    (Kind::Formula, "formula (long verbatim)"),
    (Kind::Term, "term"),
    (Kind::Name, "name (not a slogan)"),
];

fn header(h: &mut Html, cmp: &Comparison) {
    let s = &cmp.summary;
    h.raw("<header class=\"top\"><div class=\"title\"><h1>提法 <span>tifa</span></h1>");
    h.raw("<p class=\"sub\">Formulaic slogans ranked by how many reports use them</p></div>");
    h.raw("<dl class=\"stats\">");
    let stat = |h: &mut Html, label: &str, value: &str| {
        h.raw("<div>")
            .elem("dt", &[], label)
            .elem("dd", &[], value)
            .raw("</div>");
    };
    stat(h, "reports", &thousands(s.n_docs as u64));
    stat(h, "characters", &thousands(s.n_chars));
    stat(h, "tokens", &thousands(s.n_tokens));
    stat(h, "slogans", &thousands(cmp.n_slogans() as u64));
    // Shown even when 0, so a reader knows nothing was dropped without a trace.
    stat(h, "files skipped", &thousands(u64::from(s.n_skipped)));
    if let Some((a, b)) = s.years {
        let v = if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        };
        stat(h, "years", &v);
    }
    for g in &cmp.groups {
        stat(
            h,
            &format!("{} groups", g.field),
            &g.groups.len().to_string(),
        );
    }
    h.raw("</dl></header>");

    h.raw("<details class=\"settings card\"><summary>Settings of this run and what the columns mean</summary><div class=\"cols2\">");
    h.raw("<table class=\"kv\"><tbody>");
    if cmp.settings.is_empty() {
        h.raw("<tr><td>No settings were recorded.</td></tr>");
    }
    for (k, v) in &cmp.settings {
        h.raw("<tr>")
            .elem("th", &[], k)
            .elem("td", &[], v)
            .raw("</tr>");
    }
    h.raw("</tbody></table>");
    h.raw(concat!(
        "<dl class=\"glossary\">",
        "<dt>Reports (df)</dt><dd>Number of reports the slogan occurs in; % is its share of all reports.</dd>",
        "<dt>Uses (tf)</dt><dd>Times it occurs in the whole corpus.</dd>",
        "<dt>Score</dt><dd>Phrase quality in [0, 1]: the weighted mean (equal weights by default) of cohesion, freedom at both edges (branching entropy), dispersion across reports (1 − DP) and how formulaic it is (numbered, enumerated, quoted or long). It decides whether a phrase is listed, not its rank.</dd>",
        "<dt>DP</dt><dd>Gries' deviation of proportions, normalised: 0 = spread evenly across reports, near 1 = concentrated in one.</dd>",
        "<dt>Years</dt><dd>Earliest and latest year of a report using it.</dd>",
        "<dt>Family</dt><dd>The head phrase of its group of variants.</dd>",
        "</dl></div></details>"
    ));
}

fn legend(h: &mut Html, cmp: &Comparison) {
    h.raw("<ul class=\"legend\">");
    for (kind, label) in KINDS {
        let n = cmp.slogans.iter().filter(|s| s.kind == kind).count();
        // Names are not charted.
        if n == 0 || !kind.is_slogan() {
            continue;
        }
        let style = format!("background:{}", kind_colour(kind));
        h.raw("<li>")
            .open("i", &[("style", &style)])
            .close("i")
            .text(label)
            .raw("</li>");
    }
    h.raw("</ul>");
}

fn slogan_section(h: &mut Html, data: &PageData) {
    h.raw("<section id=\"slogans\" class=\"card\"><h2>All slogans</h2>");
    if data.slogans.len() < data.total {
        h.open("p", &[("class", "hint")])
            .text(&format!(
                "This page carries the top {} of {} slogans; slogans.tsv and slogans.json hold all of them.",
                data.slogans.len(),
                data.total
            ))
            .close("p");
    }
    h.raw("<div class=\"controls\"><input id=\"q\" type=\"search\" placeholder=\"Filter by text, e.g. 监督\" aria-label=\"Filter by text\">");
    h.raw("<select id=\"kind\" aria-label=\"Filter by kind\">");
    h.open("option", &[("value", "")])
        .text(&format!("all kinds ({})", data.slogans.len()))
        .close("option");
    for (kind, _) in KINDS {
        let n = data.slogans.iter().filter(|s| s.k == kind.name()).count();
        if n > 0 {
            h.open("option", &[("value", kind.name())])
                .text(&format!("{} ({n})", kind.name()))
                .close("option");
        }
    }
    h.raw("</select><span id=\"count\" class=\"hint\"></span>");
    h.raw("<span class=\"hint\">Click a column to sort, a row to see where the slogan is used.</span></div>");
    h.raw("<div class=\"split\"><div class=\"tablewrap\"><table id=\"tbl\" class=\"data\"><thead><tr>");
    let has_years = data.years.is_some();
    let timeline = data.timeline;
    let cols: &[(&str, &str, &str)] = &[
        ("r", "#", "rank: by reports, then occurrences"),
        ("p", "Slogan", "the phrase as it stands in the text"),
        (
            "k",
            "Kind",
            "numbered, enumeration, quoted, formula or term; name: not a slogan, listed apart",
        ),
        ("df", "Reports", "number of reports that use it (df)"),
        ("pct", "%", "share of all reports that use it (df_pct)"),
        ("tf", "Uses", "occurrences in the whole corpus (tf)"),
        ("s", "Score", "phrase-quality score"),
        ("dp", "DP", "dispersion: 0 even, near 1 concentrated"),
        ("fy", "Years", "first and last year of a report using it"),
        ("", "Timeline", "share of each year's reports that use it"),
        ("fam", "Family", "head of its family of variants"),
    ];
    for (key, label, title) in cols {
        if (!has_years && *key == "fy") || (!timeline && key.is_empty()) {
            continue;
        }
        h.open("th", &[("data-k", key), ("title", title)])
            .text(label)
            .close("th");
    }
    h.raw("</tr></thead><tbody id=\"rows\"></tbody></table>");
    h.raw("<noscript><p class=\"hint\">The sortable table needs JavaScript; the same rows are in slogans.tsv.</p></noscript>");
    if data.slogans.is_empty() {
        h.raw("<p class=\"empty\">No slogans were found in this corpus.</p>");
    }
    h.raw("</div><aside id=\"detail\" class=\"detail\"><p class=\"hint\">Click a slogan to see where it is used.</p></aside></div></section>");
}

fn group_section(
    h: &mut Html,
    cmp: &Comparison,
    gc: &GroupComparison,
    rows_per_group: usize,
    file: &str,
) {
    h.raw("<section class=\"card groups\">");
    h.open("h2", &[])
        .text(&format!("Distinctive slogans by {}", gc.field))
        .close("h2");
    h.raw("<p class=\"hint\">For each group, the slogans used by a larger share of its reports than of the other reports, by log-likelihood G2 on report counts; log ratio is the effect size (log2 of the ratio of shares).</p>");
    h.raw("<div class=\"ggrid\">");
    for g in &gc.groups {
        let all: Vec<&tifa_core::GroupRow> = gc.rows.iter().filter(|r| r.group == g.name).collect();
        let rows = &all[..all.len().min(rows_per_group)];
        h.raw("<div class=\"gcard\">");
        h.open("h3", &[]).text(&g.name).close("h3");
        h.open("p", &[("class", "hint")])
            .text(&format!("{} reports", g.n_docs))
            .close("p");
        if rows.is_empty() {
            h.raw("<p class=\"hint\">No distinctive slogans.</p></div>");
            continue;
        }
        h.raw("<table class=\"data small\"><thead><tr><th>Slogan</th><th title=\"reports of the group\">df</th><th title=\"share of the group's reports\">%</th><th title=\"reports of the rest\">rest</th><th>G2</th><th title=\"log2 ratio\">LR</th></tr></thead><tbody>");
        for r in rows {
            h.raw("<tr>")
                .elem("td", &[("class", "gp")], &r.phrase)
                .elem("td", &[("class", "n")], &r.df.to_string())
                .elem("td", &[("class", "n")], &fixed(r.df_pct, 0))
                .elem("td", &[("class", "n")], &r.df_rest.to_string())
                .elem("td", &[("class", "n")], &fixed(r.g2, 1))
                .elem("td", &[("class", "n")], &fixed(r.log_ratio, 2))
                .raw("</tr>");
        }
        h.raw("</tbody></table>");
        if let Some(more) = crate::tables::tied_beyond(cmp, &all, rows_per_group, file) {
            h.open("p", &[("class", "hint")]).text(&more).close("p");
        }
        h.raw("</div>");
    }
    h.raw("</div></section>");
}

fn reports_section(h: &mut Html, cmp: &Comparison) {
    h.raw("<section id=\"reports\" class=\"card\"><h2>Reports</h2>");
    h.raw("<details");
    if cmp.docs.len() <= 40 {
        h.raw(" open");
    }
    h.raw("><summary>");
    h.text(&format!("{} reports in the corpus", cmp.docs.len()));
    h.raw("</summary><div class=\"tablewrap short\"><table class=\"data\"><thead><tr><th>#</th><th>Title</th><th>Year</th><th>Region</th><th>Level</th><th>Body</th><th>Characters</th><th>File</th></tr></thead><tbody>");
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    for (i, d) in cmp.docs.iter().take(MAX_DOC_ROWS).enumerate() {
        h.raw("<tr>")
            .elem("td", &[("class", "n")], &(i + 1).to_string())
            .elem("td", &[], &d.title)
            .elem("td", &[("class", "n")], &crate::text::year(d.meta.year))
            .elem("td", &[], &opt(&d.meta.region))
            .elem("td", &[], &opt(&d.meta.level))
            .elem("td", &[], &opt(&d.meta.body))
            .elem("td", &[("class", "n")], &thousands(d.chars))
            .elem("td", &[("class", "file")], &d.id)
            .raw("</tr>");
    }
    h.raw("</tbody></table>");
    if cmp.docs.len() > MAX_DOC_ROWS {
        h.open("p", &[("class", "hint")])
            .text(&format!(
                "{} more reports are listed in slogans.json.",
                cmp.docs.len() - MAX_DOC_ROWS
            ))
            .close("p");
    }
    h.raw("</div></details></section>");
}

/// Writes `report.html` to `w`: the markup, then the data block as it is made.
pub(crate) fn write_report_html(
    cmp: &Comparison,
    config: &Config,
    w: &mut dyn std::io::Write,
) -> Result<(), Fail> {
    let data = page_data(cmp, config);
    let mut h = Html::new();
    h.raw("<!DOCTYPE html>\n<html lang=\"zh-Hans\"><head><meta charset=\"utf-8\">");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    // Nothing may be fetched: no network, no other file. Inline style and script only.
    h.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">");
    h.raw("<meta name=\"referrer\" content=\"no-referrer\">");
    h.open("title", &[])
        .text(&format!(
            "tifa — {} slogans across {} reports",
            thousands(cmp.n_slogans() as u64),
            thousands(u64::from(cmp.summary.n_docs))
        ))
        .close("title");
    h.raw("<style>").raw(CSS).raw("</style></head><body>");
    header(&mut h, cmp);
    h.raw("<main>");

    h.raw("<section id=\"overview\" class=\"card\"><h2>Which slogans recur most widely</h2>");
    let n_chart = config.top_n_chart.min(cmp.slogans.len());
    if n_chart == 0 {
        h.raw("<p class=\"empty\">No slogans were found in this corpus.</p>");
    } else {
        h.open("p", &[("class", "hint")])
            .text(&format!(
                "The {n_chart} slogans used by the most reports. Bar length: number of reports; label: reports · share of all {} reports. Colour: kind. Click a bar for details.",
                cmp.summary.n_docs
            ))
            .close("p");
        legend(&mut h, cmp);
        h.raw("<div class=\"scroll\">")
            .append(&bar_chart(cmp, n_chart))
            .raw("</div>");
    }
    h.raw("</section>");

    slogan_section(&mut h, &data);

    let (heat, caption) = heat_map(cmp, config.heatmap_slogans, config.heatmap_max_columns);
    if !caption.is_empty() {
        h.raw("<section id=\"where\" class=\"card\"><h2>Where the top slogans occur</h2>");
        h.open("p", &[("class", "hint")])
            .text(&format!(
                "Top {} slogans; {caption}. Hover a cell for figures, click a row for details.",
                config.heatmap_slogans.min(cmp.slogans.len())
            ))
            .close("p");
        h.raw("<div class=\"scroll\">")
            .append(&heat)
            .raw("</div></section>");
    }

    if config.diffusion {
        crate::spread::diffusion_section(&mut h, cmp, config);
        crate::spread::editions_section(&mut h, cmp);
    }
    for (gc, file) in cmp
        .groups
        .iter()
        .zip(crate::tables::compare_file_names(cmp))
    {
        group_section(&mut h, cmp, gc, config.group_rows, &file);
    }
    reports_section(&mut h, cmp);
    h.raw("</main><footer>");
    h.text(&format!(
        "Written by tifa {}. Everything is inside this file and it makes no network request. Full data: slogans.tsv, slogans.csv, slogans.json, summary.md, slogan-reports.tsv, diffusion.tsv, adoption.tsv, leaders.tsv, diff.tsv.",
        env!("CARGO_PKG_VERSION")
    ));
    h.raw("</footer>");
    h.open("script", &[("type", "application/json"), ("id", "data")]);
    h.flush_to(w)?;
    write_page_json(&data, w)?;
    h.close("script");
    h.raw("<script>").raw(JS).raw("</script></body></html>\n");
    Ok(h.flush_to(w)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_json_equals_whole_serialisation() {
        let cmp = crate::tests::sample_with_many_slogans(300);
        for html_slogans in [0, 1, 7] {
            let config = Config {
                html_slogans,
                kwic_lines: 1,
                ..Config::default()
            };
            let data = page_data(&cmp, &config);
            let whole = crate::html::script_json(&data).unwrap();
            assert_eq!(page_json(&data), whole);
        }
        let empty = Comparison::default();
        let config = Config::default();
        let data = page_data(&empty, &config);
        let whole = crate::html::script_json(&data).unwrap();
        assert_eq!(page_json(&data), whole);
    }

    /// [`write_page_json`] into memory.
    fn page_json(data: &PageData) -> String {
        let mut out = Vec::new();
        write_page_json(data, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
