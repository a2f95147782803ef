//! Small text helpers shared by the writers: deterministic number formatting and the escaping
//! rules of each plain-text format (TSV, CSV, Markdown).
//!
//! Numbers are written with a fixed number of decimals so that a file never changes because a
//! float printed differently, and so that columns line up in a spreadsheet.

use std::borrow::Cow;

/// Formats `x` with `decimals` fixed decimals. Negative zero prints as zero and non-finite
/// values (which no stage should produce) as an empty field, so a file never holds `NaN`.
pub fn fixed(x: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_fixed(&mut out, x, decimals);
    out
}

/// Appends [`fixed`]`(x, decimals)` to `out` without allocating.
///
/// The digits are exactly those of `format!("{x:.decimals$}")`, which rounds the exact binary
/// value of `x` (the slow, exact path of the standard library). The fast path scales `x` by
/// 10^decimals and rounds: when the scaled value is below 10^9 its floating-point error is below
/// 10^-7, so unless its fraction lies within 10^-6 of one half, it rounds to the same integer as
/// the exact product. Anything else (large values, near-ties, many decimals) takes the
/// standard library's path.
pub fn push_fixed(out: &mut String, x: f64, decimals: usize) {
    if !x.is_finite() {
        return;
    }
    match scaled(x, decimals) {
        Some((n, p)) => {
            // `-0.00` for tiny negatives would make equal values look different.
            if x < 0.0 && n != 0 {
                out.push('-');
            }
            push_int(out, n / p);
            if decimals > 0 {
                // The fraction, left-padded with zeros to `decimals` digits.
                let mut buf = itoa::Buffer::new();
                let frac = buf.format(n % p);
                out.push('.');
                out.extend(std::iter::repeat_n('0', decimals - frac.len()));
                out.push_str(frac);
            }
        }
        None => {
            let s = format!("{x:.decimals$}");
            if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
                out.push_str(&s[1..]);
            } else {
                out.push_str(&s);
            }
        }
    }
}

/// `|x|` times 10^decimals rounded to an integer as [`push_fixed`] rounds it, with 10^decimals,
/// when the fast path above applies (`x` finite).
fn scaled(x: f64, decimals: usize) -> Option<(u64, u64)> {
    const POW10: [f64; 8] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7];
    let p = *POW10.get(decimals)?;
    let y = x.abs() * p;
    if y >= 1e9 {
        return None;
    }
    // Below 10^9 the cast truncates exactly and the difference is the exact fraction, so this
    // is `y.round()` without the two library calls that `round` and `trunc` are on a baseline
    // x86-64 target (no SSE4.1).
    let whole = y as u64;
    let frac = y - whole as f64;
    ((frac - 0.5).abs() > 1e-6).then(|| (whole + u64::from(frac > 0.5), p as u64))
}

/// Appends an integer in decimal.
pub fn push_int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// Rounds `x` to `decimals` decimals, for JSON: the number nearest the digits [`fixed`] prints
/// for the TSV, so both files hold the same numbers (scaling and rounding alone would round
/// some values the other way: 0.40085 is just below the tie in binary, and is 0.4008 in the
/// TSV). Non-finite values become `None` (JSON `null`).
pub fn rounded(x: f64, decimals: usize) -> Option<f64> {
    if !x.is_finite() {
        return None;
    }
    let r = match scaled(x, decimals) {
        // Both exact, so the quotient is the double nearest the decimal digits.
        Some((n, p)) => (n as f64 / p as f64).copysign(x),
        None => fixed(x, decimals).parse().ok()?,
    };
    Some(if r == 0.0 { 0.0 } else { r })
}

/// A TSV field: tabs, line breaks and other control characters become spaces, since TSV has
/// no quoting and a stray tab or newline would shift every later column.
pub fn tsv_field(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_tsv_field(&mut out, s);
    out
}

/// Appends [`tsv_field`]`(s)` to `out`.
pub fn push_tsv_field(out: &mut String, s: &str) {
    out.push_str(&tsv_text(s));
}

/// [`tsv_field`]`(s)`, borrowed when nothing changes. Text without control characters (nearly
/// all of it) is returned whole: in UTF-8 every control character (U+0000–U+001F, U+007F,
/// U+0080–U+009F) starts with a byte below 0x20, 0x7F or 0xC2, so a byte scan finds every
/// candidate.
pub fn tsv_text(s: &str) -> Cow<'_, str> {
    if !any_byte(s, |b| (b < 0x20) | (b == 0x7F) | (b == 0xC2)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect(),
    )
}

/// A CSV text field for spreadsheets: control characters become spaces, and a field starting
/// with `=`, `+`, `-` or `@` gets a leading apostrophe so that a spreadsheet shows it as text
/// instead of evaluating it as a formula (corpus text is untrusted). Quoting is left to
/// [`push_csv_field`].
#[cfg(test)]
pub fn csv_text(s: &str) -> String {
    csv_cell_text(s).into_owned()
}

/// [`csv_text`]`(s)`, borrowed when nothing changes.
#[cfg(test)]
pub fn csv_cell_text(s: &str) -> Cow<'_, str> {
    guard_formula(s, tsv_text(s))
}

/// [`csv_text`]`(s)` from `clean`, which is [`tsv_text`]`(s)`, for a caller that has it.
pub fn guard_formula<'a>(s: &str, clean: Cow<'a, str>) -> Cow<'a, str> {
    // A leading control character becomes a space, so only a leading `= + - @` is guarded.
    if matches!(s.chars().next(), Some('=' | '+' | '-' | '@')) {
        Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

/// Appends `s` as one CSV field with RFC 4180 quoting, byte for byte as the `csv` crate's
/// writer does with CRLF line ends: a field holding a comma, a double quote, CR or LF goes in
/// double quotes with its quotes doubled, any other field as it is. Written out here because
/// the crate's writer passes every field through its state machine and its own buffer, which
/// cost more than the rest of `slogans.csv` together; a test holds the two to the same bytes.
pub fn push_csv_field(out: &mut Vec<u8>, s: &str) {
    if !any_byte(s, |b| {
        (b == b',') | (b == b'"') | (b == b'\r') | (b == b'\n')
    }) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    out.push(b'"');
    for (i, part) in s.split('"').enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\"\"");
        }
        out.extend_from_slice(part.as_bytes());
    }
    out.push(b'"');
}

/// Whether `special` holds for any byte of `s`. Fields are scanned for the few bytes that need
/// escaping in blocks of 16 bytes, each folded without an early exit, which the compiler turns
/// into a handful of vector instructions; a plain byte loop here (even a branch-free fold over
/// the whole string) is compiled byte by byte, and the scan then costs more than the copy. The last block overlaps the one before it instead of
/// leaving a remainder to a byte loop; only strings shorter than a block are scanned by bytes
/// (padding them into a block costs a call to `memcpy`, which is more).
#[inline(always)]
pub(crate) fn any_byte(s: &str, special: impl Fn(u8) -> bool) -> bool {
    const BLOCK: usize = 16;
    let bytes = s.as_bytes();
    let has = |block: &[u8]| block.iter().fold(false, |q, &b| q | special(b));
    if bytes.len() < BLOCK {
        return bytes.iter().any(|&b| special(b));
    }
    bytes.chunks_exact(BLOCK).any(has) || has(&bytes[bytes.len() - BLOCK..])
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
        // Just below a decimal tie in binary: the TSV prints 0.4008, and so must the JSON.
        assert_eq!(fixed(0.40085, 4), "0.4008");
        assert_eq!(rounded(0.40085, 4), Some(0.4008));
    }

    #[test]
    fn rounded_holds_the_digits_fixed_prints() {
        // A sweep over values with five to seven decimals, ties among them, both signs, and
        // values past the fast path.
        let mut xs: Vec<f64> = (0..200_000).map(|i| f64::from(i) * 0.00005).collect();
        xs.extend((0..20_000).map(|i| f64::from(i) * -0.0000123));
        xs.extend([1e9 + 0.12345, 123456789.98765, 0.125, 2.5, 1.005, 0.35]);
        for x in xs {
            for d in [0, 2, 4] {
                let printed: f64 = fixed(x, d).parse().unwrap();
                assert_eq!(rounded(x, d), Some(printed), "{x} to {d} decimals");
            }
        }
    }

    /// The standard library's formatting, with negative zero shown as zero: what
    /// [`push_fixed`] must reproduce digit for digit.
    fn reference(x: f64, d: usize) -> String {
        if !x.is_finite() {
            return String::new();
        }
        let s = format!("{x:.d$}");
        if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
            s[1..].to_string()
        } else {
            s
        }
    }

    #[test]
    fn fixed_matches_std_on_ties_and_edges() {
        // Exact binary ties (0.125, 2.5), values just below and above them, decimal "ties"
        // that are not exact in binary (0.35, 1.005), huge and tiny values.
        let xs = [
            0.125,
            0.375,
            2.5,
            -2.5,
            0.5,
            1.5,
            0.35,
            1.005,
            2.675,
            99.995,
            0.00005,
            0.00015,
            -0.00005,
            -0.0,
            0.0,
            123456.78905,
            1e9,
            1e15,
            -1e20,
            f64::MIN_POSITIVE,
            f64::MAX,
            1.0 - f64::EPSILON,
            0.49999999999999994,
        ];
        for &x in &xs {
            for d in 0..=9 {
                for y in [
                    x,
                    f64::from_bits(x.to_bits() + 1),
                    f64::from_bits(x.to_bits().saturating_sub(1)),
                ] {
                    assert_eq!(fixed(y, d), reference(y, d), "{y:e} {d}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn fixed_matches_std(x in proptest::num::f64::ANY, d in 0usize..9) {
            proptest::prop_assert_eq!(fixed(x, d), reference(x, d));
        }

        #[test]
        fn fixed_matches_std_on_report_ranges(n in 0u64..100_000_000, den in 1u64..100_000, d in 0usize..5) {
            // Ratios like df_pct, scores and entropies, which often sit near decimal ties.
            let x = n as f64 / den as f64;
            proptest::prop_assert_eq!(fixed(x, d), reference(x, d));
            proptest::prop_assert_eq!(fixed(-x, d), reference(-x, d));
        }

        #[test]
        fn csv_field_as_the_csv_crate_writes_it(fields in proptest::collection::vec("\\PC*|[\\x00-\\x{a0},\"'a中]*", 1..4)) {
            let mut want = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new());
            want.write_record(&fields).unwrap();
            let mut got = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    got.push(b',');
                }
                push_csv_field(&mut got, f);
            }
            got.extend_from_slice(b"\r\n");
            // The crate writes a lone empty field as `""`, so that the line is not empty; rows
            // here always have many fields.
            if fields.len() > 1 || !fields[0].is_empty() {
                proptest::prop_assert_eq!(got, want.into_inner().unwrap());
            }
        }

        #[test]
        fn any_byte_finds_every_special_byte(s in "[a中,]{0,40}") {
            proptest::prop_assert_eq!(any_byte(&s, |b| b == b','), s.contains(','));
        }

        #[test]
        fn tsv_field_matches_char_rule(s in "\\PC*|[\\x00-\\x{a0}a-z中]*") {
            let want: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            proptest::prop_assert_eq!(tsv_field(&s), want);
        }
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
