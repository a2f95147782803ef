//! Character normalisation. Per line, before anything looks at the text: full-width ASCII
//! letters, digits and the percent sign become half-width (４．５％ and 4.5% are one amount),
//! zero-width characters go, every kind of space becomes a plain space. Per paragraph, after
//! lines are rejoined: URLs, e-mail addresses and footnote markers are cut out, a full-width
//! point between two digits becomes a decimal point, half-width punctuation touching Chinese
//! text becomes the Chinese full-width form, and spaces are kept only between two Latin letters
//! or digits (OCR and typesetting put them between Chinese characters and between a number and
//! its unit).
//! Everything is a single pass over the characters; no regular expressions.

use std::collections::BTreeMap;

use tifa_core::text::is_han;

/// True when a line may hold a character that [`chars`] changes; a byte scan, so the common
/// case (nothing to change) costs one pass and no decoding.
fn needs_chars(b: &[u8]) -> bool {
    if b.iter().any(|&x| x < 0x20 || x == 0x7F) {
        return true;
    }
    if memchr::memmem::find(b, "\u{3000}".as_bytes()).is_some() {
        return true;
    }
    memchr::memchr3_iter(0xC2, 0xE2, 0xEF, b).any(|i| {
        let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
        match b[i] {
            0xC2 => next(1) <= 0xA0 || next(1) == 0xAD,
            0xE2 => {
                (next(1) == 0x80 && (next(2) <= 0x8D || next(2) == 0xAF))
                    || (next(1) == 0x81 && matches!(next(2), 0x9F | 0xA0))
            }
            // Only full-width digits, letters, ％ and straight quotes change, not the
            // full-width punctuation that fills Chinese text (，：（）！ share the same lead
            // bytes).
            _ => match next(1) {
                0xBC => matches!(next(2), 0x82 | 0x85 | 0x87 | 0x90..=0x99 | 0xA1..=0xBA),
                0xBD => matches!(next(2), 0x81..=0x9A),
                0xBB => next(2) == 0xBF,
                0xBF => next(2) == 0xBD,
                _ => false,
            },
        }
    })
}

/// What [`chars`] makes of one character: `None` when it is dropped.
fn map_char(c: char) -> Option<char> {
    match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            Some(char::from_u32(c as u32 - 0xFEE0).unwrap_or(c))
        }
        '％' => Some('%'),
        // Full-width straight quotes, paired into “” and ‘’ beside Chinese as ASCII ones are.
        '＂' => Some('"'),
        '＇' => Some('\''),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{FFFD}' => None,
        '\t' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
            Some(' ')
        }
        c if c.is_control() => None,
        c => Some(c),
    }
}

/// True when [`chars`] changes or drops the character.
pub(crate) fn changes(c: char) -> bool {
    map_char(c) != Some(c)
}

/// Normalises the characters of one line.
pub fn chars(line: &str, out: &mut String) {
    out.clear();
    if !needs_chars(line.as_bytes()) {
        out.push_str(line);
        return;
    }
    out.extend(line.chars().filter_map(map_char));
}

/// [`chars`] for a line known to hold a character that changes: no byte scan first.
pub(crate) fn chars_changed(line: &str) -> String {
    line.chars().filter_map(map_char).collect()
}

/// True for characters of Chinese text: ideographs, CJK and full-width punctuation.
pub fn is_cjkish(c: char) -> bool {
    is_han(c)
        || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2018..=0x201D | 0x2014 | 0x2026 | 0x00B7)
}

fn is_footnote_char(c: char) -> bool {
    matches!(c as u32, 0x2460..=0x249B | 0x3251..=0x325F | 0x32B1..=0x32BF | 0x00B9 | 0x00B2 | 0x00B3 | 0x2070..=0x2079)
}

fn is_url_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'*+,;=%".contains(c)
}

/// Cuts URLs, e-mail addresses and footnote markers out of a paragraph, counting them into
/// `removed` by reason.
pub fn strip_inline(text: &str, removed: &mut BTreeMap<String, u64>) -> String {
    if !needs_inline(text.as_bytes()) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut bump = |k: &str| *removed.entry(k.to_string()).or_insert(0) += 1;
    while i < chars.len() {
        let c = chars[i];
        let rest = |s: &str| {
            s.chars().enumerate().all(|(k, sc)| {
                chars
                    .get(i + k)
                    .is_some_and(|&x| x.eq_ignore_ascii_case(&sc))
            })
        };
        if (c == 'h' || c == 'H') && (rest("http://") || rest("https://"))
            || (c == 'w' || c == 'W') && rest("www.")
        {
            let mut j = i;
            while j < chars.len() && is_url_char(chars[j]) {
                j += 1;
            }
            // Trailing sentence punctuation belongs to the text, not the URL.
            while j > i && matches!(chars[j - 1], '.' | ',' | ';' | ':' | '!' | '?') {
                j -= 1;
            }
            bump("url");
            i = j;
            continue;
        }
        if c == '@' {
            let mut a = out.len();
            while let Some(p) = out[..a].chars().next_back() {
                if p.is_ascii_alphanumeric() || "._%+-".contains(p) {
                    a -= p.len_utf8();
                } else {
                    break;
                }
            }
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || ".-".contains(chars[j])) {
                j += 1;
            }
            let domain: String = chars[i + 1..j].iter().collect();
            if a < out.len() && domain.contains('.') {
                out.truncate(a);
                bump("email");
                i = j;
                continue;
            }
        }
        if is_footnote_char(c) {
            bump("footnote");
            i += 1;
            continue;
        }
        if matches!(c, '[' | '［' | '〔') {
            let mut j = i + 1;
            while j < chars.len() && j - i <= 4 && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j > i + 1 && j < chars.len() && matches!(chars[j], ']' | '］' | '〕') {
                // `[8]` after text is a footnote marker; at the start of a line it numbers a list.
                if !out.trim().is_empty() {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    bump("footnote");
                    i = j + 1;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    if out.contains("()") || out.contains("（）") {
        // Brackets that held only a URL are left empty; they are not text either.
        out = out.replace("()", "").replace("（）", "");
    }
    out
}

/// True when a text may hold a URL, an e-mail address or a footnote marker (byte scan).
fn needs_inline(b: &[u8]) -> bool {
    if memchr::memchr3(b'h', b'w', b'@', b).is_some()
        || memchr::memchr3(b'H', b'W', b'[', b).is_some()
    {
        return true;
    }
    memchr::memchr3_iter(0xC2, 0xE2, 0xEF, b).any(|i| {
        let next = |k: usize| b.get(i + k).copied().unwrap_or(0);
        match b[i] {
            0xC2 => matches!(next(1), 0xB2 | 0xB3 | 0xB9),
            0xE2 => {
                matches!(next(1), 0x91 | 0x92)
                    || (next(1) == 0x81 && (0xB0..=0xB9).contains(&next(2)))
            }
            _ => next(1) == 0xBC && next(2) == 0xBB,
        }
    }) || memchr::memmem::find(b, "〔".as_bytes()).is_some()
        || memchr::memchr_iter(0xE3, b).any(|i| matches!(b.get(i + 1), Some(0x89) | Some(0x8A)))
}

fn full_width(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '!' => '！',
        _ => return None,
    })
}

/// True when `p`, the character before a mark, is an ASCII digit.
fn after_digit(p: Option<char>) -> bool {
    p.is_some_and(|c| c.is_ascii_digit())
}

/// Converts half-width punctuation touching Chinese text to full-width and a full-width point
/// between two digits to a decimal point (４．５ is 4.5 once [`chars`] has made its digits
/// half-width), and removes spaces unless both neighbours are Latin letters, digits or Latin
/// punctuation.
pub fn punctuation_and_spaces(text: &str) -> String {
    if !text.bytes().any(|b| {
        matches!(
            b,
            b' ' | b',' | b';' | b':' | b'?' | b'!' | b'(' | b')' | b'"' | b'\''
        )
    }) && memchr::memmem::find(text.as_bytes(), "．".as_bytes()).is_none()
    {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let prev = |i: usize| chars[..i].iter().rev().find(|c| **c != ' ').copied();
    let next = |i: usize| chars[i + 1..].iter().find(|c| **c != ' ').copied();
    let mut mapped = chars.clone();
    let mut open_paren: Vec<usize> = Vec::new();
    // Whether a double or single quotation is open at this point, by curly or straight marks:
    // a straight mark closes an open one (逐人“过筛" is 逐人“过筛”), else opens one.
    let (mut double_open, mut single_open) = (false, false);
    for i in 0..n {
        let c = chars[i];
        match c {
            '“' => double_open = true,
            '”' => double_open = false,
            '‘' => single_open = true,
            '’' => single_open = false,
            _ => {}
        }
        // Only these characters are mapped; looking around the others would be wasted work.
        if !matches!(
            c,
            ',' | ';' | ':' | '?' | '!' | '(' | ')' | '"' | '\'' | '．'
        ) {
            continue;
        }
        if c == '．' {
            let digit = |k: Option<&char>| k.is_some_and(char::is_ascii_digit);
            if i > 0 && digit(chars.get(i - 1)) && digit(chars.get(i + 1)) {
                mapped[i] = '.';
            }
            continue;
        }
        let (p, q) = (prev(i), next(i));
        let cjk_side = p.is_some_and(is_cjkish) || q.is_some_and(is_cjkish);
        match c {
            ',' | ';' | ':' | '?' | '!' => {
                let digits =
                    p.is_some_and(|x| x.is_ascii_digit()) && q.is_some_and(|x| x.is_ascii_digit());
                if cjk_side && !digits {
                    mapped[i] = full_width(c).unwrap_or(c);
                }
            }
            '(' => open_paren.push(i),
            ')' => {
                if let Some(o) = open_paren.pop() {
                    let inner = chars[o + 1..i].iter().any(|&x| is_cjkish(x));
                    let outer = prev(o).is_some_and(is_cjkish) || q.is_some_and(is_cjkish);
                    if inner || outer {
                        mapped[o] = '（';
                        mapped[i] = '）';
                    }
                } else if cjk_side {
                    // A closing bracket whose opening one is full-width (or missing).
                    mapped[i] = '）';
                }
            }
            // Not a quotation mark after a digit, unless it closes one: seconds and inches
            // (39°54'27", 5"屏幕).
            '"' if cjk_side && (double_open || !after_digit(p)) => {
                mapped[i] = if double_open { '”' } else { '“' };
                double_open = !double_open;
            }
            '\'' if cjk_side && (single_open || !after_digit(p)) => {
                mapped[i] = if single_open { '’' } else { '‘' };
                single_open = !single_open;
            }
            _ => {}
        }
    }
    for o in open_paren {
        if prev(o).is_some_and(is_cjkish) || next(o).is_some_and(is_cjkish) {
            mapped[o] = '（';
        }
    }
    let mut out = String::with_capacity(text.len());
    for i in 0..n {
        let c = mapped[i];
        if c == ' ' {
            let p = out.chars().next_back();
            let q = mapped[i + 1..].iter().find(|c| **c != ' ').copied();
            let keep =
                matches!((p, q), (Some(a), Some(b)) if !is_cjkish(a) && !is_cjkish(b) && a != ' ');
            if !keep {
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(s: &str) -> String {
        let mut o = String::new();
        chars(s, &mut o);
        o
    }

    #[test]
    fn char_rules() {
        for (input, want) in [
            ("ＧＤＰ增长５．２％", "GDP增长5．2%"),
            ("发展＂新质生产力＂，＇两个＇", "发展\"新质生产力\"，'两个'"),
            ("四个\u{200B}意识\u{FEFF}", "四个意识"),
            ("\u{3000}\u{3000}各位代表", "  各位代表"),
            ("a\u{00A0}b\tc", "a b c"),
        ] {
            assert_eq!(ch(input), want, "{input}");
        }
    }

    #[test]
    fn the_byte_scan_misses_no_character_that_changes() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let line = format!("中{c}文");
            assert!(
                needs_chars(line.as_bytes()) || ch(&line) == line,
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn inline_rules() {
        for (input, want, reason) in [
            ("详见https://example.com/a?b=1。", "详见。", "url"),
            ("文秘网(www.example.com)整理", "文秘网整理", "url"),
            ("联系xx.yy@example.org即可", "联系即可", "email"),
            ("“两市两城”[3],实行", "“两市两城”,实行", "footnote"),
            ("牢牢把握” [1]重要要求", "牢牢把握”重要要求", "footnote"),
            ("依法治国①的要求", "依法治国的要求", "footnote"),
        ] {
            let mut removed = BTreeMap::new();
            assert_eq!(strip_inline(input, &mut removed), want, "{input}");
            assert_eq!(removed.get(reason), Some(&1), "{input}");
        }
    }

    #[test]
    fn full_width_straight_quotes_pair_as_ascii_ones_do() {
        let norm = |t: &str| punctuation_and_spaces(&ch(t));
        assert_eq!(
            norm("发展＂新质生产力＂，领悟＇两个确立＇"),
            "发展“新质生产力”，领悟‘两个确立’"
        );
        // A straight mark closes a curly one left open.
        assert_eq!(norm("逐人“过筛＂。再“查＂"), "逐人“过筛”。再“查”");
        // After a digit, seconds and inches, unless it closes a quotation.
        assert_eq!(norm("5＂屏幕和＂两个确立＂"), "5\"屏幕和“两个确立”");
        assert_eq!(
            norm("东经116°23＇17＂，北纬39°54＇27＂"),
            "东经116°23'17\"，北纬39°54'27\""
        );
        assert_eq!(norm("增长＂5＂倍"), "增长“5”倍");
    }

    #[test]
    fn punctuation_and_space_rules() {
        for (input, want) in [
            ("省委,政法;工作:会议?好!", "省委，政法；工作：会议？好！"),
            ("本报讯(记者 尚慧辉)2月19日", "本报讯（记者尚慧辉）2月19日"),
            ("增强\"四个意识\"、坚定", "增强“四个意识”、坚定"),
            ("刘 文 勤", "刘文勤"),
            ("（进店铺关注市场)为载体", "（进店铺关注市场）为载体"),
            ("制定法律 5 件,修改 1,000 项", "制定法律5件，修改1,000项"),
            ("时间 12:30, COVID 19", "时间12:30, COVID 19"),
            // A decimal point, not the point that ends a heading's number.
            ("增长5．2%，1．坚持", "增长5.2%，1．坚持"),
            (
                "GDP (gross domestic product)",
                "GDP (gross domestic product)",
            ),
        ] {
            assert_eq!(punctuation_and_spaces(input), want, "{input}");
        }
    }
}
