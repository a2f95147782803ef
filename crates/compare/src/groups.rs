//! Comparing groups of reports (`--group-by body`, `year`, `region` …): how many reports of each
//! group use each slogan, and which slogans are typical of a group against the rest.
//!
//! Keyness counts reports, not tokens (a = reports of the group containing the slogan,
//! c = reports in the group; b and d the same for the rest), so one long report repeating a
//! phrase cannot make it look typical of its group. G2 says how sure, the log ratio how big.

use std::collections::BTreeMap;

use tifa_core::{DocInfo, GroupComparison, GroupInfo, GroupRow};

use crate::measures;

/// Name of the group of reports whose field is unknown.
pub const UNKNOWN: &str = "(unknown)";

/// One slogan as the group comparison needs it: its phrase and the reports it occurs in.
pub struct Item<'a> {
    /// The phrase.
    pub phrase: &'a str,
    /// `(document index, occurrences)` for each report it occurs in.
    pub per_doc: tifa_core::PerDoc<'a>,
}

/// Compares the groups of reports that `field` defines. Rows hold every slogan that occurs in a
/// group, ordered by group name, then by signed keyness (G2, negative when the group uses the
/// slogan less than the rest), then phrase; `max_rows` (0 = all) keeps the first rows per group.
pub fn compare(field: &str, docs: &[DocInfo], items: &[Item], max_rows: usize) -> GroupComparison {
    let mut by_name: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let name = d.meta.field(field).filter(|v| !v.is_empty());
        by_name
            .entry(name.unwrap_or_else(|| UNKNOWN.to_string()))
            .or_default()
            .push(i as u32);
    }
    let names: Vec<String> = by_name.keys().cloned().collect();
    let mut group_of = vec![0usize; docs.len()];
    for (g, members) in by_name.values().enumerate() {
        for &d in members {
            group_of[d as usize] = g;
        }
    }
    let sizes: Vec<u64> = by_name.values().map(|m| m.len() as u64).collect();
    let total = docs.len() as u64;
    let mut rows: Vec<(usize, f64, GroupRow)> = Vec::new();
    for item in items {
        let mut in_group = vec![0u64; names.len()];
        for (d, _) in item.per_doc.iter() {
            if let Some(&g) = group_of.get(d as usize) {
                in_group[g] += 1;
            }
        }
        let df: u64 = in_group.iter().sum();
        for (g, &a) in in_group.iter().enumerate() {
            if a == 0 {
                continue;
            }
            let (b, c) = (df - a, sizes[g]);
            let d = total - c;
            let g2 = measures::g2(a, b, c, d);
            let lr = measures::log_ratio(a, b, c, d);
            let signed = if lr < 0.0 { -g2 } else { g2 };
            rows.push((
                g,
                signed,
                GroupRow {
                    group: names[g].clone(),
                    phrase: item.phrase.to_string(),
                    df: a as u32,
                    df_pct: pct(a, c),
                    df_rest: b as u32,
                    g2,
                    log_ratio: lr,
                },
            ));
        }
    }
    rows.sort_by(|x, y| {
        x.0.cmp(&y.0)
            .then(y.1.total_cmp(&x.1))
            .then_with(|| x.2.phrase.cmp(&y.2.phrase))
    });
    let mut kept = Vec::with_capacity(rows.len());
    let mut seen = vec![0usize; names.len()];
    for (g, _, row) in rows {
        if max_rows == 0 || seen[g] < max_rows {
            seen[g] += 1;
            kept.push(row);
        }
    }
    GroupComparison {
        field: field.to_string(),
        groups: names
            .iter()
            .zip(&sizes)
            .map(|(n, &s)| GroupInfo {
                name: n.clone(),
                n_docs: s as u32,
            })
            .collect(),
        rows: kept,
    }
}

/// `part` as a percentage of `whole`, 0 for an empty whole.
pub fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::Meta;

    fn doc(body: Option<&str>) -> DocInfo {
        DocInfo {
            meta: Meta {
                body: body.map(str::to_string),
                ..Meta::default()
            },
            ..DocInfo::default()
        }
    }

    #[test]
    fn groups_by_field_with_unknown() {
        let docs = vec![
            doc(Some("npc")),
            doc(Some("npc")),
            doc(Some("cppcc")),
            doc(None),
        ];
        let items = [
            Item {
                phrase: "人大",
                per_doc: tifa_core::PerDoc::plain(&[(0, 3), (1, 1)]),
            },
            Item {
                phrase: "发展",
                per_doc: tifa_core::PerDoc::plain(&[(0, 1), (1, 1), (2, 1), (3, 1)]),
            },
        ];
        let cmp = compare("body", &docs, &items, 0);
        let groups: Vec<(&str, u32)> = cmp
            .groups
            .iter()
            .map(|g| (g.name.as_str(), g.n_docs))
            .collect();
        assert_eq!(groups, vec![("(unknown)", 1), ("cppcc", 1), ("npc", 2)]);
        let npc: Vec<&GroupRow> = cmp.rows.iter().filter(|r| r.group == "npc").collect();
        // 人大 is typical of npc reports (2 of 2 against 0 of 2); 发展 is used everywhere.
        assert_eq!(npc[0].phrase, "人大");
        assert_eq!((npc[0].df, npc[0].df_rest), (2, 0));
        assert!((npc[0].df_pct - 100.0).abs() < 1e-9);
        assert!((npc[0].g2 - measures::g2(2, 0, 2, 2)).abs() < 1e-12);
        assert!((npc[0].log_ratio - (1.0f64 / 0.25).log2()).abs() < 1e-12);
        assert!(npc[1].g2.abs() < 1e-12);
        // Row limit per group.
        assert_eq!(compare("body", &docs, &items, 1).rows.len(), 3);
    }
}
