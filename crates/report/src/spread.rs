//! The diffusion sections of `report.html`: how slogans spread from the reference to the groups
//! (adoption curves, a group × slogan grid coloured by lag, leaders and laggards), and what is
//! new in each report of a series. Drawn from [`crate::diffusion`]; corpus text goes through the
//! escaping builder like everywhere else on the page.

use tifa_core::Comparison;

use crate::diffusion::{all_first_uses, editions, FirstUses, Groups};
use crate::html::Html;
use crate::text::fixed;
use crate::Config;

/// Slogans in the grid and in the adoption curves.
const GRID_SLOGANS: usize = 25;
const CURVES: usize = 6;
/// Groups (columns) in the grid.
const GRID_GROUPS: usize = 40;
/// Editions listed, and slogans named per edition.
const EDITIONS: usize = 60;
const NAMED: usize = 8;

/// Colour of a lag in years: dark for early adoption, light for late.
fn lag_colour(lag: f64) -> &'static str {
    match lag {
        l if l <= 0.0 => "#1b7837",
        l if l <= 1.0 => "#5aae61",
        l if l <= 2.0 => "#a6dba0",
        l if l <= 5.0 => "#d9f0d3",
        _ => "#f7f7f7",
    }
}

/// The section on how slogans spread, when the corpus has a reference and groups.
pub fn diffusion_section(h: &mut Html, cmp: &Comparison, config: &Config) {
    let groups = Groups::new(&cmp.docs, &config.diffusion_reference, &config.diffusion_by);
    if groups.names.is_empty() || !groups.reference.iter().any(|&r| r) {
        return;
    }
    let uses = all_first_uses(cmp, &groups, config.diffusion_slogans);
    // The slogans worth a look: coined by the reference and taken up by at least a third of
    // the groups, the most recently coined first (the timeless ones are not news), then the
    // most widespread.
    let n_groups = groups.names.len();
    let mut with_reference: Vec<&(&tifa_core::Slogan, FirstUses)> = uses
        .iter()
        .filter(|(_, f)| f.reference.is_some() && 3 * f.groups.len() >= n_groups)
        .collect();
    with_reference.sort_by(|a, b| {
        let first = |x: &FirstUses| x.reference.as_ref().map_or(f64::MIN, |r| r.years);
        first(&b.1)
            .total_cmp(&first(&a.1))
            .then(b.1.groups.len().cmp(&a.1.groups.len()))
            .then(a.0.rank.cmp(&b.0.rank))
    });
    if with_reference.is_empty() {
        return;
    }
    h.raw("<section id=\"diffusion\" class=\"card\"><h2>How slogans spread</h2>");
    h.open("p", &[("class", "hint")])
        .text(&format!(
            "Reference: reports with {}; groups: {} ({} groups). Shown: the slogans the reference coined most recently that a third of the groups or more took up. Lag: years from the reference's first use to the group's. Full tables: diffusion.tsv, adoption.tsv, leaders.tsv.",
            config.diffusion_reference,
            config.diffusion_by,
            groups.names.len()
        ))
        .close("p");
    adoption_curves(h, cmp, &groups, &with_reference);
    lag_grid(h, &groups, &with_reference);
    leaders_table(h, cmp, config);
    h.raw("</section>");
}

/// Small multiples of the adoption curve (share of groups that have used the slogan by each
/// year) of the most widespread slogans, the reference's first use marked.
fn adoption_curves(
    h: &mut Html,
    cmp: &Comparison,
    groups: &Groups,
    uses: &[&(&tifa_core::Slogan, FirstUses)],
) {
    let Some((first, last)) = cmp.summary.years else {
        return;
    };
    h.raw("<h3>Adoption curves</h3><div class=\"curves\">");
    let (w, ht, pad) = (220.0, 120.0, 22.0);
    let n_groups = groups.names.len().max(1) as f64;
    for (s, f) in uses.iter().take(CURVES) {
        let reference = f
            .reference
            .as_ref()
            .map_or(f64::from(first), |r| r.years.floor());
        // The axis ends with the last year of a report or of a use (a date may fall in the
        // year after the `year` column's), never after it: when every use is of that year, it
        // starts the year before, which no group had used the slogan by.
        let uses = f.groups.values().map(|(w, _)| w.years.floor());
        let end = uses.clone().fold(f64::from(last).max(reference), f64::max);
        let start = uses.fold(reference, f64::min).min(end - 1.0);
        let x = |y: f64| pad + (y - start) / (end - start) * (w - 2.0 * pad);
        let y_of = |share: f64| ht - pad - share * (ht - 2.0 * pad);
        let mut points = String::new();
        let mut year = start;
        while year <= end {
            let k = f
                .groups
                .values()
                .filter(|(w, _)| w.years.floor() <= year)
                .count() as f64;
            points.push_str(&format!("{:.1},{:.1} ", x(year), y_of(k / n_groups)));
            year += 1.0;
        }
        h.raw("<figure class=\"curve\">");
        h.open(
            "svg",
            &[
                ("viewBox", &format!("0 0 {w} {ht}")),
                ("width", &format!("{w}")),
                ("height", &format!("{ht}")),
                ("role", "img"),
            ],
        );
        h.open("title", &[])
            .text(&format!("adoption of {}", s.phrase))
            .close("title");
        let rx = format!("{:.1}", x(reference));
        h.open(
            "line",
            &[
                ("x1", &rx),
                ("x2", &rx),
                ("y1", &format!("{pad}")),
                ("y2", &format!("{:.1}", ht - pad)),
                ("class", "refline"),
            ],
        )
        .close("line");
        h.open(
            "polyline",
            &[("points", points.trim_end()), ("class", "adoption")],
        )
        .close("polyline");
        for (label, xx) in [(start, pad), (end, w - pad)] {
            h.open(
                "text",
                &[
                    ("x", &format!("{xx:.1}")),
                    ("y", &format!("{:.1}", ht - 6.0)),
                    ("text-anchor", "middle"),
                    ("class", "axis"),
                ],
            )
            .num(label as i64)
            .close("text");
        }
        h.close("svg");
        h.open("figcaption", &[])
            .text(&s.phrase)
            .close("figcaption");
        h.raw("</figure>");
    }
    h.raw("</div>");
}

/// Groups × slogans, each cell coloured by the group's lag behind the reference.
fn lag_grid(h: &mut Html, groups: &Groups, uses: &[&(&tifa_core::Slogan, FirstUses)]) {
    h.raw("<h3>Who followed, and how fast</h3><div class=\"scroll\"><table class=\"data grid\"><thead><tr><th>group</th>");
    let slogans: Vec<&&(&tifa_core::Slogan, FirstUses)> = uses.iter().take(GRID_SLOGANS).collect();
    for (s, f) in slogans.iter().map(|x| (&x.0, &x.1)) {
        // Attributes hold no corpus text (only figures and dates); the slogan is the cell's text.
        let title = format!(
            "reference first use {}",
            f.reference.as_ref().map_or("", |r| r.text.as_str())
        );
        h.open("th", &[("title", &title), ("class", "vert")])
            .text(&s.phrase)
            .close("th");
    }
    h.raw("</tr></thead><tbody>");
    for g in groups.names.iter().take(GRID_GROUPS) {
        h.raw("<tr>").elem("th", &[], g);
        for x in &slogans {
            let f = &x.1;
            match (f.groups.get(g), &f.reference) {
                (Some((w, _)), Some(r)) => {
                    let lag = w.lag_after(r);
                    let style = format!("background:{}", lag_colour(lag));
                    let title = format!("first used {}, lag {} years", w.text, fixed(lag, 2));
                    h.open("td", &[("style", &style), ("title", &title)])
                        .text(&fixed(lag, if lag.fract() == 0.0 { 0 } else { 1 }))
                        .close("td");
                }
                _ => {
                    h.raw("<td class=\"unused\"></td>");
                }
            }
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table></div>");
}

/// Leaders and laggards: the groups by median lag, from `leaders.tsv`'s rows.
fn leaders_table(h: &mut Html, cmp: &Comparison, config: &Config) {
    let (_, _, leaders) = crate::diffusion::diffusion_tables(
        cmp,
        &config.diffusion_reference,
        &config.diffusion_by,
        config.diffusion_slogans,
    );
    h.raw("<h3>Leaders and laggards</h3><table class=\"data leaders\"><thead><tr><th>group</th><th>slogans</th><th>median lag (years)</th><th>mean lag</th><th>among the first</th></tr></thead><tbody>");
    for line in leaders.lines().skip(1) {
        h.raw("<tr>");
        for (i, cell) in line.split('\t').enumerate() {
            if i == 0 {
                h.elem("th", &[], cell);
            } else {
                h.elem("td", &[], cell);
            }
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table>");
}

/// What is new in each report: the edition diff of every series with more than one edition.
pub fn editions_section(h: &mut Html, cmp: &Comparison) {
    let all = editions(cmp, |_, _, _| true);
    let mut rows = Vec::new();
    for (i, e) in all.iter().enumerate() {
        // Only editions that follow another of their series.
        if i > 0 && all[i - 1].series == e.series {
            rows.push(e);
        }
    }
    if rows.is_empty() {
        return;
    }
    h.raw("<section id=\"editions\" class=\"card\"><h2>What is new in each report</h2>");
    h.open("p", &[("class", "hint")])
        .text("Each report against the earlier reports of its series (same region, level and body): slogans new to the series, dropped since the previous edition, and carried on. Full table: diff.tsv; one series: tifa diff --region ….")
        .close("p");
    h.raw("<div class=\"scroll\"><table class=\"data\"><thead><tr><th>series</th><th>date</th><th>report</th><th>new</th><th>dropped</th><th>carried on</th><th>new slogans</th><th>dropped slogans</th></tr></thead><tbody>");
    for e in rows.iter().rev().take(EDITIONS) {
        let series = format!("{} · {} · {}", e.series.0, e.series.1, e.series.2);
        let title = if e.doc.title.is_empty() {
            &e.doc.id
        } else {
            &e.doc.title
        };
        let named = |v: &[&str]| {
            // Not 、, which joins the items inside an enumeration.
            let mut s = v
                .iter()
                .take(NAMED)
                .copied()
                .collect::<Vec<_>>()
                .join(" | ");
            if v.len() > NAMED {
                s.push_str(" …");
            }
            s
        };
        h.raw("<tr>")
            .elem("td", &[], &series)
            .elem("td", &[], &e.when.text)
            .elem("td", &[], title)
            .elem("td", &[], &e.new.len().to_string())
            .elem("td", &[], &e.dropped.len().to_string())
            .elem("td", &[], &e.carried.to_string())
            .elem("td", &[], &named(&e.new))
            .elem("td", &[], &named(&e.dropped))
            .raw("</tr>");
    }
    h.raw("</tbody></table></div></section>");
}
