//! Small text helpers shared by the writers: deterministic number formatting and the escaping
//! rules of each plain-text format (TSV, CSV, Markdown).
//!
//! Numbers are written with a fixed number of decimals so that a file never changes because a
//! float printed differently, and so that columns line up in a spreadsheet.

/// Formats `x` with `decimals` fixed decimals. Negative zero prints as zero and non-finite
/// values (which no stage should produce) as an empty field, so a file never holds `NaN`.
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let s = format!("{x:.decimals$}");
    // `-0.00` for tiny negatives would make equal values look different.
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// Rounds `x` to `decimals` decimals, for JSON, so the JSON holds the same values as the TSV.
/// Non-finite values become `None` (JSON `null`).
pub fn rounded(x: f64, decimals: i32) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let p = 10f64.powi(decimals);
    let r = (x * p).round() / p;
    Some(if r == 0.0 { 0.0 } else { r })
}

/// A TSV field: tabs, line breaks and other control characters become spaces, since TSV has
/// no quoting and a stray tab or newline would shift every later column.
pub fn tsv_field(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A CSV text field for spreadsheets: control characters become spaces, and a field starting
/// with `=`, `+`, `-` or `@` gets a leading apostrophe so that a spreadsheet shows it as text
/// instead of evaluating it as a formula (corpus text is untrusted). Quoting is left to the
/// CSV writer.
pub fn csv_text(s: &str) -> String {
    let clean = tsv_field(s);
    match clean.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{clean}"),
        _ => clean,
    }
}

/// A Markdown table cell: pipes and Markdown punctuation are backslash-escaped, `<` and `>`
/// too so that corpus text can never become inline HTML, and line breaks become spaces.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An optional year as text, empty when unknown.
pub fn year(y: Option<u16>) -> String {
    y.map(|y| y.to_string()).unwrap_or_default()
}

/// Cuts `s` to at most `max` characters, ending with `…` when cut.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Approximate rendered width of `s` in ems: CJK and other wide characters take one em, the
/// rest about 0.6. Used to size SVG labels without a font engine.
pub fn width_em(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 1.0 } else { 0.6 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_decimals() {
        let cases: &[(f64, usize, &str)] = &[
            (12.5, 2, "12.50"),
            (0.123456, 4, "0.1235"),
            (-0.00001, 4, "0.0000"),
            (-1.5, 1, "-1.5"),
            (f64::NAN, 2, ""),
            (f64::INFINITY, 2, ""),
            (100.0, 0, "100"),
        ];
        for &(x, d, want) in cases {
            assert_eq!(fixed(x, d), want, "{x} {d}");
        }
        assert_eq!(rounded(0.123456, 4), Some(0.1235));
        assert_eq!(rounded(-0.00001, 4), Some(0.0));
        assert_eq!(rounded(f64::NAN, 4), None);
    }

    #[test]
    fn field_escaping() {
        assert_eq!(tsv_field("a\tb\nc\r"), "a b c ");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_text("-1"), "'-1");
        assert_eq!(csv_text("四个意识"), "四个意识");
        assert_eq!(md_cell("a|b<script>\n"), "a\\|b\\<script\\> ");
        assert_eq!(md_cell("有件必备、有备必审"), "有件必备、有备必审");
    }

    #[test]
    fn ellipsize_and_width() {
        assert_eq!(ellipsize("全过程人民民主", 4), "全过程…");
        assert_eq!(ellipsize("两个维护", 4), "两个维护");
        assert_eq!(width_em("四个ab"), 3.2);
    }
}
