//! Small character helpers shared by the stages.

/// `n` of `noun`, as a count is said in messages: "1 report", "3 reports", "0 files".
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    if n == N::from(1) {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// True for a CJK unified ideograph (the characters of Chinese words).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF | 0x2A700..=0x2EBEF | 0x30000..=0x3134F)
}

/// True for a Chinese numeral character used in numbered formulations (一 … 十, 两, 双, 百, 千).
pub fn is_cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '两'
            | '双'
            | '百'
            | '千'
            | '万'
            | '零'
    )
}

/// A digit of a number written in characters: 一 to 九, 零 or 〇.
pub fn is_cn_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '零' | '〇'
    )
}

/// True for a year written in Chinese numerals: four digits and 年 (一九五四年, 二〇二五年).
pub fn is_cn_year(term: &str) -> bool {
    // Five characters of three bytes each.
    term.len() == 15 && term.ends_with('年') && term.chars().take(4).all(is_cn_digit)
}

/// Which quotation mark a character is. Quotation and title marks are transparent to counting:
/// a phrase runs across them (增强“四个意识”、坚定“四个自信” is one enumeration, “内卷式”竞争
/// joins 内卷式竞争), they are not part of its text, and they are still seen as boundaries of a
/// phrase's occurrence, which is how `quoted_share` is measured. Brackets and parentheses are
/// not quotation marks: what they enclose is an aside, and they stay boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    /// An opening mark: `“ ‘ 《 〈 「 『`.
    Open,
    /// A closing mark: `” ’ 》 〉 」 』`.
    Close,
}

/// The quotation mark `c` is, if any (see [`Quote`]).
pub fn quote_mark(c: char) -> Option<Quote> {
    match c {
        '“' | '‘' | '《' | '〈' | '「' | '『' => Some(Quote::Open),
        '”' | '’' | '》' | '〉' | '」' | '』' => Some(Quote::Close),
        _ => None,
    }
}

/// The quotation mark a token's term is: a term of exactly one quotation mark.
pub fn quote_term(term: &str) -> Option<Quote> {
    let mut chars = term.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => quote_mark(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_said_in_the_singular_for_one() {
        assert_eq!(counted(1usize, "report"), "1 report");
        assert_eq!(counted(0usize, "file"), "0 files");
        assert_eq!(counted(21_000_000u64, "token"), "21000000 tokens");
    }

    #[test]
    fn classifies_characters() {
        assert!(is_han('意') && !is_han('、') && !is_han('a'));
        assert!(is_cn_numeral('两') && !is_cn_numeral('个'));
        assert_eq!(quote_term("“"), Some(Quote::Open));
        assert_eq!(quote_term("》"), Some(Quote::Close));
        assert_eq!(quote_term("（"), None);
        assert_eq!(quote_term("““"), None);
    }
}
