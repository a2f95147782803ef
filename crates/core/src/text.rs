//! Small character helpers shared by the stages.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_characters() {
        assert!(is_han('意') && !is_han('、') && !is_han('a'));
        assert!(is_cn_numeral('两') && !is_cn_numeral('个'));
    }
}
