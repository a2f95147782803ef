//! Deciding a slogan's kind from its surface form and its quotation share.
//!
//! Numbered formulations (数字化提法) are recognised from characters, not from a list: a
//! counting numeral followed by a measure or position word (四个意识, 三大攻坚战), or a phrase
//! that opens with a numeral and holds two or more single numerals in parallel (一府一委两院,
//! 五位一体, 三新一高). Ordinals (第三个) and quantities (两个月, 三个百分点) are not formulations.
//! The character sets live in the config.

use tifa_core::Kind;

use crate::Config;

/// True when the phrase text is a numbered formulation or holds one.
pub fn is_numbered(text: &str, config: &Config) -> bool {
    let is_num = |c: char| config.numerals.contains(c);
    // Most phrases hold no numeral: they are told apart without collecting their characters.
    if !text.chars().any(is_num) {
        return false;
    }
    let chars: Vec<char> = text.chars().collect();
    // Maximal runs of numeral characters, as (start, end) char positions.
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_num(chars[i]) {
            let start = i;
            while i < chars.len() && is_num(chars[i]) {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    // Parallel numerals: 一府一委两院, 五位一体, 六稳六保.
    let singles = runs.iter().filter(|(s, e)| e - s == 1).count();
    if runs.first().is_some_and(|&(s, e)| s == 0 && e == 1) && singles >= 2 && singles == runs.len()
    {
        return true;
    }
    // Counting numeral + measure word: 四个意识, 两个维护, 三大攻坚战.
    runs.iter().any(|&(s, e)| {
        if e - s != 1 || !config.counting_numerals.contains(chars[s]) {
            return false;
        }
        if s > 0 && config.ordinal_prefixes.contains(chars[s - 1]) {
            return false;
        }
        let Some(&measure) = chars.get(e) else {
            return false;
        };
        if !config.measure_chars.contains(measure) {
            return false;
        }
        let rest: String = chars[e + 1..].iter().collect();
        // A measure word ending the phrase counts nothing (两个); a quantity follows with a unit.
        !rest.is_empty()
            && !config
                .not_after_measure
                .iter()
                .any(|u| rest.starts_with(u.as_str()))
    })
}

/// A short phrase opening with a numeral (双减, 两院, 十四五). On its own this shape is too
/// common (双方, 三十), so it marks a numbered formulation only when the phrase is mostly
/// quoted, as such abbreviations are.
fn is_short_numeral_head(text: &str, config: &Config) -> bool {
    let n = text.chars().count();
    (2..=4).contains(&n)
        && text
            .chars()
            .next()
            .is_some_and(|c| config.numerals.contains(c))
}

/// The kind of a slogan, by priority: enumeration, numbered, quoted, formula, term.
pub fn kind(text: &str, items: usize, chars: usize, quoted_share: f64, config: &Config) -> Kind {
    let quoted = quoted_share >= config.quoted_min_share;
    if items >= 2 {
        Kind::Enumeration
    } else if is_numbered(text, config) || (quoted && is_short_numeral_head(text, config)) {
        Kind::Numbered
    } else if quoted {
        Kind::Quoted
    } else if chars >= config.formula_min_chars {
        Kind::Formula
    } else {
        Kind::Term
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_formulations() {
        let c = Config::default();
        for yes in [
            "四个意识",
            "两个维护",
            "做到两个维护",
            "五位一体",
            "一府一委两院",
            "三新一高",
            "一法一条例",
            "三大攻坚战",
            "六稳六保",
            "两个毫不动摇",
        ] {
            assert!(is_numbered(yes, &c), "{yes} should be numbered");
        }
        for no in [
            "人民代表大会",
            "第三个",
            "两个月",
            "三个百分点",
            "二十个城市",
            "一个",
            "一个重要",
            "两个",
            "统一战线",
        ] {
            assert!(!is_numbered(no, &c), "{no} should not be numbered");
        }
    }

    #[test]
    fn kinds_by_priority() {
        let c = Config::default();
        assert_eq!(
            kind("有件必备、有备必审、有错必纠", 3, 14, 0.9, &c),
            Kind::Enumeration
        );
        assert_eq!(kind("四个意识", 1, 4, 0.9, &c), Kind::Numbered);
        // Quoted numeral abbreviations are numbered; unquoted short words are not.
        assert_eq!(kind("双减", 1, 2, 0.9, &c), Kind::Numbered);
        assert_eq!(kind("十四五", 1, 3, 0.9, &c), Kind::Numbered);
        assert_eq!(kind("双方", 1, 2, 0.0, &c), Kind::Term);
        assert_eq!(kind("全过程人民民主", 1, 7, 0.5, &c), Kind::Quoted);
        assert_eq!(
            kind(
                "更加紧密地团结在以习近平同志为核心的党中央周围",
                1,
                23,
                0.0,
                &c
            ),
            Kind::Formula
        );
        assert_eq!(kind("依法履职", 1, 4, 0.0, &c), Kind::Term);
    }
}
