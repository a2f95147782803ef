//! Rebuilding paragraphs broken by hard line wraps. Newspaper columns break every dozen
//! characters, PDF exports at the page width and often with a blank line after every line.
//! A file is judged wrapped when most of its lines have nearly the same display width; then a
//! line as wide as the column continues into the next one, and a shorter line ends its
//! paragraph. When blank lines follow nearly every line they carry no meaning and are ignored.
//! Headings (一、 （二） 1. 第三章 …) always start a paragraph of their own.

use regex::Regex;

/// Display width: Chinese and other characters from U+0800 up count 2, others 1.
/// Counted on bytes: every byte that starts a character counts 1 (continuation bytes are
/// 0x80–0xBF), and the lead byte of a three- or four-byte character (U+0800 and up, 0xE0 and
/// above) one more. Branch-free, so the compiler vectorises it.
fn width(s: &str) -> usize {
    s.bytes()
        .map(|b| ((b as i8) >= -0x40) as u32 + (b >= 0xE0) as u32)
        .sum::<u32>() as usize
}

/// How a file's lines are laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Column width in display units, when the text is hard-wrapped.
    pub column: Option<usize>,
    /// Blank lines follow nearly every line and do not end paragraphs.
    pub blank_lines_meaningless: bool,
}

/// Judges the layout of some lines.
pub fn layout(lines: &[&str]) -> Layout {
    let widths: Vec<usize> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(width)
        .collect();
    let nonblank = widths.len();
    let mut followed_by_blank = 0;
    for w in lines.windows(2) {
        if !w[0].trim().is_empty() && w[1].trim().is_empty() {
            followed_by_blank += 1;
        }
    }
    let blank_lines_meaningless = nonblank >= 4 && followed_by_blank * 10 >= nonblank * 7;
    if nonblank < 4 {
        return Layout {
            column: None,
            blank_lines_meaningless,
        };
    }
    let mut sorted = widths.clone();
    sorted.sort_unstable();
    // The column is the width that the fullest lines reach: the 80th percentile.
    let column = sorted[(sorted.len() * 4 / 5).min(sorted.len() - 1)];
    let near = widths
        .iter()
        .filter(|&&w| w + 4 >= column && w <= column + 2)
        .count();
    let wrapped = column <= 160 && near * 2 >= nonblank;
    Layout {
        column: wrapped.then_some(column),
        blank_lines_meaningless,
    }
}

/// Whether a line of a wrapped text runs on into the next one: a full line does; a shorter
/// one ends its paragraph when it ends a sentence or looks like a heading (no punctuation at
/// all), and otherwise runs on (the first line of an indented paragraph is short).
fn continues(line: &str, column: usize) -> bool {
    let w = width(line);
    if w + 4 >= column {
        return true;
    }
    if ends_sentence(line) {
        return false;
    }
    w * 10 >= column * 6 || line.contains(['，', '、', ',', '“'])
}

const ENDS: [char; 16] = [
    '。', '！', '？', '；', '：', '…', '”', '」', '』', '）', '.', '!', '?', ';', ':', ')',
];

fn ends_sentence(s: &str) -> bool {
    s.ends_with(ENDS)
}

/// A line in brackets, like a date line `（2022年3月28日）`.
fn bracketed(line: &str) -> bool {
    line.starts_with(['（', '(']) && line.ends_with(['）', ')'])
}

/// A short line without sentence punctuation: a heading, a date line, a name.
fn standalone(line: &str, column: usize) -> bool {
    width(line) * 10 < column * 6 && !line.contains(['，', '。', '、', ',', '；', '“'])
}

/// Joins lines into paragraphs.
pub fn paragraphs(lines: &[&str], heading: &Regex, enabled: bool) -> Vec<String> {
    let lay = if enabled {
        layout(lines)
    } else {
        Layout {
            column: None,
            blank_lines_meaningless: false,
        }
    };
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut cur_continues = false;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        let t = cur.trim();
        if !t.is_empty() {
            out.push(t.to_string());
        }
        cur.clear();
    };
    for raw in lines {
        let line = raw.trim();
        if line.is_empty() {
            if !lay.blank_lines_meaningless {
                flush(&mut cur, &mut out);
                cur_continues = false;
            }
            continue;
        }
        let Some(column) = lay.column else {
            flush(&mut cur, &mut out);
            out.push(line.to_string());
            continue;
        };
        let alone = standalone(line, column);
        if !cur.is_empty()
            && (!cur_continues
                || alone && (ends_sentence(&cur) || bracketed(line))
                || heading.is_match(line))
        {
            flush(&mut cur, &mut out);
        }
        if !cur.is_empty() {
            // Latin words broken across lines keep a space; Chinese text joins directly.
            let last = cur.chars().next_back();
            let first = line.chars().next();
            if matches!((last, first), (Some(a), Some(b)) if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric())
            {
                cur.push(' ');
            }
        }
        let had_text = !cur.is_empty();
        cur.push_str(line);
        // A heading that wraps ends at its first short line; a standalone line (a date, a
        // name, a sub-heading) is a paragraph of its own.
        cur_continues = (!alone || had_text)
            && continues(line, column)
            && !(heading.is_match(&cur)
                && !cur.contains('。')
                && if had_text {
                    width(line) * 4 < column * 3
                } else {
                    width(line) * 10 < column * 6
                });
    }
    flush(&mut cur, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading() -> Regex {
        Regex::new(crate::Config::default().heading_pattern.as_str()).unwrap()
    }

    #[test]
    fn width_counts_wide_characters_twice() {
        assert_eq!(width(""), 0);
        assert_eq!(width("ab"), 2);
        assert_eq!(width("é·"), 2);
        assert_eq!(width("两个确立"), 8);
        assert_eq!(width("a，𠀀"), 5);
    }

    #[test]
    fn rejoins_newspaper_columns() {
        let text = "党的十八大以来，面对严峻复杂\n的国际形势和接踵而至的风险挑战，\n以习近平同志为核心的党中央团结带\n领全党全军全国各族人民。\n\n过去一年的主要工作\n\n一年来，全国人大常委会认真贯\n彻党的精神，坚持高质量做好立法\n工作。";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            paragraphs(&lines, &heading(), true),
            [
                "党的十八大以来，面对严峻复杂的国际形势和接踵而至的风险挑战，以习近平同志为核心的党中央团结带领全党全军全国各族人民。",
                "过去一年的主要工作",
                "一年来，全国人大常委会认真贯彻党的精神，坚持高质量做好立法工作。",
            ]
        );
    }

    #[test]
    fn ignores_blank_lines_between_every_wrapped_line() {
        let text = "这次会议是报经市委同意召开的，主要任务是坚持以习近平新时代中国特色社会\n\n主义思想为指导，深入贯彻习近平总书记关于坚持和完善人民代表大会制度重要\n\n思想。\n\n一、坚定制度自信、把牢前进方向\n\n去年召开的中央人大工作会议，在党的历史上、人民代表大会制度历史上都是第\n\n一次。";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            paragraphs(&lines, &heading(), true),
            [
                "这次会议是报经市委同意召开的，主要任务是坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平总书记关于坚持和完善人民代表大会制度重要思想。",
                "一、坚定制度自信、把牢前进方向",
                "去年召开的中央人大工作会议，在党的历史上、人民代表大会制度历史上都是第一次。",
            ]
        );
    }

    #[test]
    fn keeps_one_paragraph_per_line_when_not_wrapped() {
        let lines = ["各位代表：", "受市人大常委会委托，我向大会报告工作，请予审议。", "一、聚焦党的全面领导", "常委会始终坚持和加强党对人大工作的全面领导，深刻把握人民代表大会制度内涵，突出政治担当，增强行动自觉。"];
        assert_eq!(paragraphs(&lines, &heading(), true), lines);
    }
}
