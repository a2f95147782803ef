//! The charts of `report.html`, drawn here as inline SVG so that they show without any script
//! or library: the bar chart of the most widely recurring slogans and the slogan × report (or
//! slogan × group) heat map. Every label goes through the escaping [`Html`] builder; each
//! shape carries a `<title>` so hovering shows the exact figures.

use std::collections::BTreeMap;

use tifa_core::{Comparison, Kind, Slogan};

use crate::html::Html;
use crate::text::{ellipsize, fixed, width_em};

/// Colour of each kind, shared with the page's CSS legend.
pub fn kind_colour(kind: Kind) -> &'static str {
    match kind {
        Kind::Numbered => "#c0392b",
        Kind::Enumeration => "#2e6da4",
        Kind::Quoted => "#8e5ba6",
        Kind::Formula => "#d68a1a",
        Kind::Term => "#5d7a6a",
        Kind::Name => "#9a9a9a",
    }
}

/// Font size of chart labels, in pixels.
const FONT: f64 = 13.0;

fn px(x: f64) -> String {
    fixed(x, 1)
}

/// Up to five round tick values from 0 to at least `max`.
fn ticks(max: u32) -> Vec<u32> {
    let max = max.max(1);
    let raw = max as f64 / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
        .max(1.0) as u32;
    (0..=max.div_ceil(step)).map(|i| i * step).collect()
}

/// Horizontal bars of the first `n` slogans (the comparison ranks by df) with df and df_pct.
/// Each bar is a `<g class="bar" data-i=…>` so the page script can select the slogan on click.
pub fn bar_chart(cmp: &Comparison, n: usize) -> Html {
    // Names (kind `name`) are listed apart, never charted as slogans; a bar keeps its slogan's
    // index in the comparison.
    let items: Vec<(usize, &Slogan)> = cmp
        .slogans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind.is_slogan())
        .take(n)
        .collect();
    let mut h = Html::new();
    if items.is_empty() {
        return h;
    }
    const MAX_LABEL: usize = 18;
    let label_w = items
        .iter()
        .map(|(_, s)| width_em(&ellipsize(&s.phrase, MAX_LABEL)))
        .fold(4.0, f64::max)
        * FONT
        + 12.0;
    let row_h = 22.0;
    let top = 22.0;
    let value_w = 110.0;
    let width = 1180.0_f64.max(label_w + 400.0);
    let bar_w = width - label_w - value_w;
    let max_df = items.iter().map(|(_, s)| s.df).max().unwrap_or(1).max(1);
    let ticks = ticks(max_df);
    let scale_max = (*ticks.last().unwrap_or(&max_df)).max(1) as f64;
    let height = top + row_h * items.len() as f64 + 8.0;
    let vb = format!("0 0 {} {}", px(width), px(height));
    let (w, hgt) = (px(width), px(height));
    h.open(
        "svg",
        &[
            ("class", "chart bars"),
            ("viewBox", &vb),
            ("width", &w),
            ("height", &hgt),
            ("role", "img"),
            ("aria-label", "Slogans by number of reports"),
        ],
    );
    for t in &ticks {
        let x = px(label_w + bar_w * (*t as f64) / scale_max);
        let y2 = px(height - 4.0);
        h.empty(
            "line",
            &[
                ("class", "grid"),
                ("x1", &x),
                ("x2", &x),
                ("y1", "16"),
                ("y2", &y2),
            ],
        );
        h.open(
            "text",
            &[
                ("class", "tick"),
                ("x", &x),
                ("y", "11"),
                ("text-anchor", "middle"),
            ],
        )
        .num(t)
        .close("text");
    }
    for (row, (i, s)) in items.into_iter().enumerate() {
        let y = top + row_h * row as f64;
        let bw = (bar_w * s.df as f64 / scale_max).max(1.0);
        let idx = i.to_string();
        h.open("g", &[("class", "bar"), ("data-i", &idx)]);
        h.elem(
            "title",
            &[],
            &format!(
                "{} — {} reports ({}%), {} occurrences, {}",
                s.phrase,
                s.df,
                fixed(s.df_pct, 1),
                s.tf,
                s.kind.name()
            ),
        );
        let (lx, ly) = (px(label_w - 8.0), px(y + row_h * 0.68));
        h.elem(
            "text",
            &[
                ("class", "label"),
                ("x", &lx),
                ("y", &ly),
                ("text-anchor", "end"),
            ],
            &ellipsize(&s.phrase, MAX_LABEL),
        );
        let (rx, ry, rw, rh) = (px(label_w), px(y + 3.0), px(bw), px(row_h - 6.0));
        h.empty(
            "rect",
            &[
                ("x", &rx),
                ("y", &ry),
                ("width", &rw),
                ("height", &rh),
                ("rx", "2"),
                ("fill", kind_colour(s.kind)),
            ],
        );
        let vx = px(label_w + bw + 6.0);
        h.elem(
            "text",
            &[("class", "value"), ("x", &vx), ("y", &ly)],
            &format!("{} · {}%", s.df, fixed(s.df_pct, 0)),
        );
        h.close("g");
    }
    h.close("svg");
    h
}

/// A column of the heat map: one report, or a group of reports.
struct Column {
    /// Short label above the column.
    label: String,
    /// Full description for the tooltip.
    full: String,
    /// Document indices.
    docs: Vec<u32>,
}

/// The heat map's columns: one per report when there are at most `max_columns`, else one per
/// group of a metadata field. Returns the columns and a caption saying what they are.
fn columns(cmp: &Comparison, max_columns: usize) -> (Vec<Column>, String) {
    let max_columns = max_columns.max(1);
    if cmp.docs.len() <= max_columns {
        let mut order: Vec<usize> = (0..cmp.docs.len()).collect();
        // Reports ordered by year (unknown last), so that diffusion reads left to right.
        order.sort_by_key(|&i| (cmp.docs[i].meta.year.unwrap_or(u16::MAX), i));
        let cols = order
            .into_iter()
            .map(|i| {
                let d = &cmp.docs[i];
                let short = match (&d.meta.region, d.meta.year) {
                    (Some(r), Some(y)) => format!("{y} {}", ellipsize(r, 6)),
                    (None, Some(y)) => format!("{y} {}", ellipsize(&d.title, 6)),
                    (Some(r), None) => format!("{} {}", ellipsize(r, 4), ellipsize(&d.title, 6)),
                    (None, None) => {
                        ellipsize(if d.title.is_empty() { &d.id } else { &d.title }, 10)
                    }
                };
                Column {
                    label: short,
                    full: format!("{} ({})", d.title, d.id),
                    docs: vec![i as u32],
                }
            })
            .collect();
        return (
            cols,
            "one column per report, ordered by year; darker = more occurrences".into(),
        );
    }
    // Too many reports for one column each: group them.
    let field = pick_field(cmp, max_columns);
    let mut groups: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, d) in cmp.docs.iter().enumerate() {
        let key = match field.as_str() {
            "decade" => d.meta.year.map(|y| format!("{}s", y / 10 * 10)),
            f => d.meta.field(f),
        }
        .unwrap_or_else(|| "(unknown)".to_string());
        groups.entry(key).or_default().push(i as u32);
    }
    let mut cols: Vec<(String, Vec<u32>)> = groups.into_iter().collect();
    let total = cols.len();
    if total > max_columns {
        // Keep the largest groups, then restore name order.
        cols.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        cols.truncate(max_columns);
        cols.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let shown = cols.len();
    let cols = cols
        .into_iter()
        .map(|(name, docs)| Column {
            label: ellipsize(&name, 10),
            full: format!("{field} {name}: {} reports", docs.len()),
            docs,
        })
        .collect();
    let mut caption = format!("one column per {field}; darker = larger share of its reports");
    if shown < total {
        caption.push_str(&format!(" ({shown} largest of {total} groups shown)"));
    }
    (cols, caption)
}

/// The metadata field to group heat-map columns by: the first `--group-by` field, else year
/// (decades when there are too many years), region, body or level — the first with at least two
/// known values.
fn pick_field(cmp: &Comparison, max_columns: usize) -> String {
    if let Some(g) = cmp.groups.first() {
        return g.field.clone();
    }
    let distinct = |f: &str| {
        let mut v: Vec<String> = cmp.docs.iter().filter_map(|d| d.meta.field(f)).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    for f in ["year", "region", "body", "level"] {
        let n = distinct(f);
        if n >= 2 {
            if f == "year" && n > max_columns {
                return "decade".to_string();
            }
            return f.to_string();
        }
    }
    "region".to_string()
}

/// Sequential colour ramp (light to deep red) for a value in [0, 1].
fn ramp(t: f64) -> String {
    const STOPS: [(u8, u8, u8); 6] = [
        (254, 229, 217),
        (252, 187, 161),
        (251, 106, 74),
        (222, 45, 38),
        (165, 15, 21),
        (103, 0, 13),
    ];
    let t = t.clamp(0.0, 1.0) * (STOPS.len() - 1) as f64;
    let i = (t.floor() as usize).min(STOPS.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * f).round() as u8;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(a.0, b.0),
        mix(a.1, b.1),
        mix(a.2, b.2)
    )
}

/// The heat map of the first `n_slogans` slogans against reports or groups. Returns the SVG
/// and its caption; empty when there is nothing to show.
pub fn heat_map(cmp: &Comparison, n_slogans: usize, max_columns: usize) -> (Html, String) {
    let (indices, rows): (Vec<usize>, Vec<&Slogan>) = cmp
        .slogans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind.is_slogan())
        .take(n_slogans)
        .unzip();
    let mut h = Html::new();
    if rows.is_empty() || cmp.docs.is_empty() {
        return (h, String::new());
    }
    let (cols, caption) = columns(cmp, max_columns);
    let per_report = cols.iter().all(|c| c.docs.len() == 1) && cols.len() == cmp.docs.len();

    // Values: occurrences per report (log-scaled to the largest), or share of the group's
    // reports that use the slogan.
    let values: Vec<Vec<(f64, String)>> = rows
        .iter()
        .map(|s| {
            let counts: BTreeMap<u32, u32> = s.per_doc.iter().collect();
            cols.iter()
                .map(|c| {
                    if per_report {
                        let n = counts.get(&c.docs[0]).copied().unwrap_or(0);
                        (n as f64, format!("{n} occurrences"))
                    } else {
                        let k = c.docs.iter().filter(|d| counts.contains_key(d)).count();
                        let share = k as f64 / c.docs.len().max(1) as f64;
                        (
                            share,
                            format!(
                                "{k} of {} reports ({}%)",
                                c.docs.len(),
                                fixed(share * 100.0, 0)
                            ),
                        )
                    }
                })
                .collect()
        })
        .collect();
    let max = values
        .iter()
        .flatten()
        .map(|v| v.0)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let intensity = |v: f64| {
        if per_report {
            (1.0 + v).ln() / (1.0 + max).ln()
        } else {
            v
        }
    };

    const MAX_LABEL: usize = 16;
    let label_w = rows
        .iter()
        .map(|s| width_em(&ellipsize(&s.phrase, MAX_LABEL)))
        .fold(4.0, f64::max)
        * FONT
        + 10.0;
    let col_label_h =
        cols.iter().map(|c| width_em(&c.label)).fold(2.0, f64::max) * 12.0 * 0.8 + 14.0;
    let cell = if cols.len() <= 30 { 22.0 } else { 16.0 };
    let width = label_w + cell * cols.len() as f64 + 40.0;
    let height = col_label_h + cell * rows.len() as f64 + 8.0;
    let vb = format!("0 0 {} {}", px(width), px(height));
    let (w, hgt) = (px(width), px(height));
    h.open(
        "svg",
        &[
            ("class", "chart heat"),
            ("viewBox", &vb),
            ("width", &w),
            ("height", &hgt),
            ("role", "img"),
            ("aria-label", "Heat map of slogans by report"),
        ],
    );
    for (j, c) in cols.iter().enumerate() {
        let x = label_w + cell * j as f64 + cell * 0.6;
        let y = col_label_h - 6.0;
        let tr = format!("rotate(-55 {} {})", px(x), px(y));
        let (xs, ys) = (px(x), px(y));
        h.open(
            "text",
            &[("class", "col"), ("x", &xs), ("y", &ys), ("transform", &tr)],
        );
        h.elem("title", &[], &c.full);
        h.text(&c.label).close("text");
    }
    for (row, ((s, vals), i)) in rows.iter().zip(&values).zip(&indices).enumerate() {
        let y = col_label_h + cell * row as f64;
        let idx = i.to_string();
        h.open("g", &[("class", "hrow"), ("data-i", &idx)]);
        let (lx, ly) = (px(label_w - 6.0), px(y + cell * 0.7));
        h.open(
            "text",
            &[
                ("class", "label"),
                ("x", &lx),
                ("y", &ly),
                ("text-anchor", "end"),
            ],
        );
        h.elem("title", &[], &s.phrase);
        h.text(&ellipsize(&s.phrase, MAX_LABEL)).close("text");
        for (j, (v, what)) in vals.iter().enumerate() {
            let fill = if *v > 0.0 {
                ramp(intensity(*v))
            } else {
                "#f1f1f1".to_string()
            };
            let (x, yy, sz) = (px(label_w + cell * j as f64), px(y), px(cell - 1.5));
            h.open(
                "rect",
                &[
                    ("x", &x),
                    ("y", &yy),
                    ("width", &sz),
                    ("height", &sz),
                    ("fill", &fill),
                ],
            );
            h.elem(
                "title",
                &[],
                &format!("{} — {}: {}", s.phrase, cols[j].full, what),
            );
            h.close("rect");
        }
        h.close("g");
    }
    h.close("svg");
    (h, caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(ticks(31), vec![0, 10, 20, 30, 40]);
        assert_eq!(ticks(4), vec![0, 1, 2, 3, 4]);
        assert_eq!(ticks(0), vec![0, 1]);
        assert_eq!(ticks(57), vec![0, 20, 40, 60]);
    }

    #[test]
    fn ramp_ends() {
        assert_eq!(ramp(0.0), "#fee5d9");
        assert_eq!(ramp(1.0), "#67000d");
        assert_eq!(ramp(7.0), "#67000d");
    }
}
