//! The members a numbered formulation stands for, found in the texts: where the corpus spells
//! 四个意识 out as 政治意识、大局意识、核心意识、看齐意识, that enumeration is a slogan with as many
//! items as the numeral says, each ending with the formulation's head word, used in reports where
//! the formulation is used too. Nothing comes from a list.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tifa_core::Kind;

use crate::Config;

/// The count and head of a numbered formulation: 四个意识 → (4, 意识), 两个维护 → (2, 维护); `None`
/// for any other shape (一府一委两院, 三新一高, phrases around a formulation).
fn count_and_head<'a>(text: &'a str, config: &Config) -> Option<(usize, &'a str)> {
    let mut chars = text.char_indices();
    let (_, numeral) = chars.next()?;
    let (_, measure) = chars.next()?;
    let (at, _) = chars.next()?;
    if !config.counting_numerals.contains(numeral) || !config.measure_chars.contains(measure) {
        return None;
    }
    let n = "零一二三四五六七八九十"
        .find(numeral)
        .map(|b| b / '一'.len_utf8());
    let n = match numeral {
        '两' => 2,
        _ => n?,
    };
    let head = &text[at..];
    (n >= 2 && head.chars().count() >= 2).then_some((n, head))
}

/// The items of an enumeration, with a word that leads only the first item dropped when the
/// parallel structure shows it (增强政治意识、大局意识 → 政治意识, 大局意识): the first item is cut to
/// the length of the second when it ends with the same head and is longer.
fn items<'a>(text: &'a str, head: &str) -> Vec<&'a str> {
    let mut items: Vec<&str> = text.split('、').collect();
    if let [first, second, ..] = items.as_slice() {
        let (lf, ls) = (first.chars().count(), second.chars().count());
        if lf > ls && first.ends_with(head) {
            let cut = first.char_indices().nth(lf - ls).map_or(0, |(i, _)| i);
            items[0] = &first[cut..];
        }
    }
    items
}

/// A slogan as the members need it.
pub struct Item<'a> {
    /// Its rank.
    pub rank: u32,
    /// The phrase.
    pub phrase: &'a str,
    /// Its kind.
    pub kind: Kind,
    /// `(document index, occurrences)` for each report it occurs in, by document index.
    pub per_doc: tifa_core::PerDoc<'a>,
}

/// The members each slogan stands for, as (index of the slogan, members), in index order, for
/// the slogans that have any: numbered formulations whose members the corpus spells out, a few
/// among a big corpus's million slogans. Of several enumerations that fit, the one sharing the
/// most reports with the formulation wins, then the higher ranked.
pub fn members(slogans: &[Item], config: &Config) -> Vec<(usize, Vec<String>)> {
    let enumerations: Vec<&Item> = slogans
        .iter()
        .filter(|s| s.kind == Kind::Enumeration)
        .collect();
    // Every item of a fitting enumeration ends with the formulation's head, its last item too:
    // the enumerations are found by their number of items and the ending of their last item
    // that is some numbered formulation's head, instead of trying every enumeration for every
    // numbered formulation (both are many on a large corpus). Each list keeps the
    // enumerations' rank order.
    let wanted: FxHashSet<(usize, &str)> = slogans
        .iter()
        .filter(|s| s.kind == Kind::Numbered)
        .filter_map(|s| count_and_head(s.phrase, config))
        .collect();
    let mut by_ending: FxHashMap<(usize, &str), Vec<&Item>> = FxHashMap::default();
    for e in &enumerations {
        let n = e.phrase.split('、').count();
        let last = e.phrase.rsplit('、').next().unwrap_or("");
        for (at, _) in last.char_indices() {
            let key = (n, &last[at..]);
            if wanted.contains(&key) {
                by_ending.entry(key).or_default().push(e);
            }
        }
    }
    slogans
        .par_iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let (n, head) = (s.kind == Kind::Numbered)
                .then(|| count_and_head(s.phrase, config))
                .flatten()?;
            let candidates = by_ending.get(&(n, head))?;
            let docs = s.per_doc.to_vec();
            let shared = |e: &Item| {
                e.per_doc
                    .iter()
                    .filter(|(d, _)| docs.binary_search_by_key(d, |x| x.0).is_ok())
                    .count()
            };
            candidates
                .iter()
                .filter_map(|e| {
                    let it = items(e.phrase, head);
                    let fits =
                        it.len() == n && it.iter().all(|i| i.ends_with(head) && *i != head) && {
                            let mut distinct = it.clone();
                            distinct.sort_unstable();
                            distinct.dedup();
                            distinct.len() == n
                        };
                    if !fits {
                        return None;
                    }
                    let k = shared(e);
                    (k > 0).then_some((k, e.rank, it))
                })
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
                .map(|(_, _, it)| (i, it.into_iter().map(str::to_string).collect()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slogan's rank, phrase, kind and reports.
    type Owned = (u32, &'static str, Kind, Vec<(u32, u32)>);

    fn slogan(rank: u32, phrase: &'static str, kind: Kind, docs: &[u32]) -> Owned {
        (rank, phrase, kind, docs.iter().map(|&d| (d, 1)).collect())
    }

    fn as_items(owned: &[Owned]) -> Vec<Item<'_>> {
        owned
            .iter()
            .map(|(rank, phrase, kind, per_doc)| Item {
                rank: *rank,
                phrase,
                kind: *kind,
                per_doc: tifa_core::PerDoc::plain(per_doc),
            })
            .collect()
    }

    #[test]
    fn a_numbered_formulation_names_the_enumeration_it_stands_for() {
        let s = [
            slogan(1, "四个意识", Kind::Numbered, &[0, 1, 2]),
            slogan(
                2,
                "增强政治意识、大局意识、核心意识、看齐意识",
                Kind::Enumeration,
                &[1, 2],
            ),
            slogan(3, "宪法意识、法治意识", Kind::Enumeration, &[0, 1]),
            slogan(4, "两个确立", Kind::Numbered, &[0]),
            slogan(5, "三个意识", Kind::Numbered, &[5]),
        ];
        let m = members(&as_items(&s), &Config::default());
        // Only 四个意识 has members. 两个确立 has a list of two items, but its head is not in
        // them; 三个意识 has no three-item list.
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].0, 0);
        assert_eq!(m[0].1, ["政治意识", "大局意识", "核心意识", "看齐意识"]);
        assert_eq!(
            count_and_head("两个维护", &Config::default()),
            Some((2, "维护"))
        );
        assert_eq!(count_and_head("一府一委两院", &Config::default()), None);
    }
}
