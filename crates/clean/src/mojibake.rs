//! Mojibake: GBK text that was decoded one byte off (the lead byte of one character read as
//! the trail of the previous one), which turns “两个确立” into `觥傲礁鋈妨ⅰ`. Such runs are
//! full of level-2 characters and symbols. A line that looks suspicious is re-encoded as GBK
//! and re-parsed by dynamic programming: every position may read a two-byte character, an
//! ASCII byte, or drop a byte (a byte lost in the damage), and the parse with the most common
//! characters wins. Undamaged text keeps its own reading because any shift costs two dropped
//! bytes and yields rare characters; a damaged run gains far more from the shift than that.
//! What the shifted reading cannot make plausible is dropped, never kept as fake words.

use crate::gbk::{self, Class};
use crate::scan::Tally;

/// Score of a dropped byte: high enough that undamaged text never shifts.
const SKIP: f32 = -2.5;

fn score(class: Class) -> f32 {
    match class {
        Class::Common => 1.0,
        Class::Level2 => -0.2,
        Class::Rare => -1.5,
        Class::None => 0.0,
    }
}

/// Marker byte for a character without a two-byte GBK code; never valid in GBK.
const OPAQUE: u8 = 0xFF;

#[derive(Clone, Copy)]
enum Step {
    Start,
    /// A character read from `len` bytes.
    Read(u8),
    Skip,
}

/// Repairs mojibake in one line. Returns the new line and how many damaged runs were
/// repaired or dropped (U+FFFD characters count as one run each), or `None` when the line is
/// left as it is. The stage calls [`repair_tallied`]; this is its plain form for the tests.
#[cfg(test)]
fn repair(line: &str) -> Option<(String, u64)> {
    repair_tallied(line, &Tally::of(line))
}

/// [`repair`] for a line whose characters are already counted.
pub(crate) fn repair_tallied(line: &str, tally: &Tally) -> Option<(String, u64)> {
    let replacement = tally.replacement as u64;
    // Text written in traditional characters (or another script) is full of characters GBK
    // calls rare; a byte shift of GBK text never yields them, so such lines are left alone.
    if tally.suspects < 3 || tally.rare_han * 5 > tally.han {
        return strip_replacement(line, replacement);
    }
    // Re-encode; remember where each original character starts.
    let mut bytes = Vec::with_capacity(line.len());
    let mut unit_len = Vec::with_capacity(line.len());
    let mut opaque = Vec::new();
    for c in line.chars() {
        if c.is_ascii() {
            bytes.push(c as u8);
            unit_len.push(1u8);
        } else if let Some(code) = gbk::encode(c) {
            bytes.extend_from_slice(&code);
            unit_len.extend_from_slice(&[2, 0]);
        } else {
            bytes.push(OPAQUE);
            unit_len.push(1);
            opaque.push((bytes.len() - 1, c));
        }
    }
    let n = bytes.len();
    let mut best = vec![f32::NEG_INFINITY; n + 1];
    let mut step = vec![Step::Start; n + 1];
    best[0] = 0.0;
    for i in 0..n {
        let here = best[i];
        if here == f32::NEG_INFINITY {
            continue;
        }
        let mut offer = |j: usize, s: f32, st: Step| {
            if here + s > best[j] {
                best[j] = here + s;
                step[j] = st;
            }
        };
        let b = bytes[i];
        if b < 0x80 || b == OPAQUE {
            offer(i + 1, 0.0, Step::Read(1));
        } else if i + 1 < n {
            if let Some(c) = gbk::decode(b, bytes[i + 1]) {
                offer(i + 2, score(gbk::class(c)), Step::Read(2));
            }
        }
        offer(i + 1, SKIP, Step::Skip);
    }
    // Walk back: tokens as (start, len), with len 0 for a dropped byte.
    let mut tokens = Vec::new();
    let mut j = n;
    while j > 0 {
        match step[j] {
            Step::Read(len) => {
                tokens.push((j - len as usize, len));
                j -= len as usize;
            }
            Step::Skip => {
                tokens.push((j - 1, 0));
                j -= 1;
            }
            Step::Start => break,
        }
    }
    tokens.reverse();
    let original = |&(start, len): &(usize, u8)| len > 0 && unit_len[start] == len;
    if tokens.iter().all(original) {
        return strip_replacement(line, replacement);
    }
    let char_at = |start: usize, len: u8| -> Option<char> {
        if len == 1 {
            if bytes[start] == OPAQUE {
                opaque
                    .binary_search_by_key(&start, |&(p, _)| p)
                    .ok()
                    .map(|k| opaque[k].1)
            } else {
                Some(bytes[start] as char)
            }
        } else {
            gbk::decode(bytes[start], bytes[start + 1])
        }
    };
    // Items of the best parse: the character read (None for a dropped byte) and whether it
    // is the line's own reading of one original character.
    let items: Vec<(Option<char>, bool)> = tokens
        .iter()
        .map(|t| ((t.1 > 0).then(|| char_at(t.0, t.1)).flatten(), original(t)))
        .collect();
    let suspect = |c: Option<char>| match c {
        None => true,
        Some(c) => {
            c == '\u{FFFD}'
                || is_private(c)
                || matches!(gbk::class(c), Class::Level2 | Class::Rare)
                || (c.is_ascii_punctuation() && c != '.')
        }
    };
    // Damaged stretches: shifted readings, merged across short gaps, widened over adjacent
    // suspicious characters of the original reading.
    let mut stretches: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < items.len() {
        if items[k].1 {
            k += 1;
            continue;
        }
        let mut end = k;
        while end < items.len() && !items[end].1 {
            end += 1;
        }
        match stretches.last_mut() {
            Some(last) if k - last.1 <= 8 => last.1 = end,
            _ => stretches.push((k, end)),
        }
        k = end;
    }
    for st in &mut stretches {
        loop {
            let look = (st.0.saturating_sub(4)..st.0)
                .rev()
                .find(|&m| suspect(items[m].0));
            match look {
                Some(m) => st.0 = m,
                None => break,
            }
        }
        loop {
            let look = (st.1..(st.1 + 4).min(items.len())).find(|&m| suspect(items[m].0));
            match look {
                Some(m) => st.1 = m + 1,
                None => break,
            }
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut runs = 0u64;
    let mut k = 0;
    for &(from, to) in &stretches {
        let from = from.max(k);
        out.extend(
            items[k..from]
                .iter()
                .filter_map(|i| i.0)
                .filter(|&c| c != '\u{FFFD}'),
        );
        let chars: Vec<char> = items[from..to].iter().filter_map(|i| i.0).collect();
        let wide = chars.iter().filter(|c| !c.is_ascii()).count();
        let common = chars
            .iter()
            .filter(|&&c| gbk::class(c) == Class::Common)
            .count();
        let rare = chars
            .iter()
            .filter(|&&c| gbk::class(c) == Class::Rare || is_private(c))
            .count();
        // Keep the repaired reading only where it is clearly text; otherwise drop it all.
        // A few symbols at the frayed ends of a run are tolerated and dropped.
        if wide >= 2 && rare * 10 <= wide && common * 10 >= wide * 8 {
            out.extend(chars.iter().filter(|&&c| {
                !c.is_ascii_punctuation()
                    && c != '\u{FFFD}'
                    && !is_private(c)
                    && gbk::class(c) != Class::Rare
            }));
        }
        runs += 1;
        k = to;
    }
    out.extend(
        items[k..]
            .iter()
            .filter_map(|i| i.0)
            .filter(|&c| c != '\u{FFFD}'),
    );
    Some((out, runs + replacement))
}

/// Private-use code points: what a decoder makes of unassigned codes, never text.
fn is_private(c: char) -> bool {
    ('\u{E000}'..='\u{F8FF}').contains(&c)
}

fn strip_replacement(line: &str, n: u64) -> Option<(String, u64)> {
    (n > 0).then(|| (line.replace('\u{FFFD}', ""), n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Damages GBK text the way it happens in the wild: one byte lost, the rest read shifted.
    fn damage(text: &str, lost_at: usize) -> String {
        let (bytes, _, _) = encoding_rs::GBK.encode(text);
        let mut b = bytes.into_owned();
        b.remove(lost_at);
        encoding_rs::GBK
            .decode_without_bom_handling(&b)
            .0
            .into_owned()
    }

    #[test]
    fn repairs_a_shifted_run_inside_good_text() {
        let good =
            "深刻领悟“两个确立”的决定性意义，增强“四个意识”、坚定“四个自信”、做到“两个维护”。";
        let (prefix, rest) = good.split_at("深刻领悟".len());
        let line = format!("{prefix}{}", damage(rest, 0));
        assert_ne!(line, good);
        let (fixed, runs) = repair(&line).unwrap();
        assert!(runs >= 1);
        assert!(fixed.contains("两个确立”的决定性意义"), "{fixed}");
        assert!(fixed.starts_with("深刻领悟"), "{fixed}");
    }

    #[test]
    fn leaves_good_text_alone() {
        for s in [
            "坚持和完善人民代表大会制度，踔厉奋发、勇毅前行，璀璨夺目。",
            "中國共產黨第一次全國代表大會宣言，鞏固無產階級專政。",
            "GDP增长5.2%，CPI上涨0.2%。",
        ] {
            assert_eq!(repair(s), None, "{s}");
        }
    }

    #[test]
    fn drops_replacement_characters() {
        assert_eq!(
            repair("立法\u{FFFD}规划").unwrap(),
            ("立法规划".to_string(), 1)
        );
    }
}
