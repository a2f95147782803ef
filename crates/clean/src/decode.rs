//! Turning the bytes of a file into text. Order: a byte-order mark decides; else strict UTF-8;
//! else UTF-16 without a mark (recognised by where the zero and CJK high bytes fall); else
//! UTF-8 but for some lines (a stray byte, lines in GBK pasted in: [`mostly_utf8`]); else
//! `chardetng` guesses among the legacy encodings (GBK/GB18030, Big5 …). A file that is
//! binary, empty or undecodable in every encoding is refused with a reason.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};

/// Decoded text and the name of the encoding it was read in.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The text, with any byte-order mark removed; borrowed from the bytes when they were
    /// UTF-8 already (most files), so they are neither copied nor validated twice.
    pub text: Cow<'a, str>,
    /// Encoding name for the log (`UTF-8`, `UTF-16LE`, `GB18030`, `Big5` …).
    pub encoding: &'static str,
}

/// Decodes `bytes`; `Err` carries the reason the file is skipped.
pub fn decode(bytes: &[u8], max_invalid_share: f64) -> Result<Decoded<'_>, String> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty file".into());
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], max_invalid_share);
    }
    // Validation with SIMD: the same answer as the standard library's, several times faster on
    // Chinese text, where every file of a corpus passes through here.
    if let Ok(s) = simdutf8::basic::from_utf8(bytes) {
        check_text(s)?;
        return Ok(Decoded {
            text: Cow::Borrowed(s),
            encoding: "UTF-8",
        });
    }
    decode_legacy(bytes, max_invalid_share)
}

/// Bytes that are not UTF-8: UTF-16 without a mark, else a legacy encoding.
fn decode_legacy(bytes: &[u8], max_invalid_share: f64) -> Result<Decoded<'static>, String> {
    if let Some(enc) = sniff_utf16(bytes) {
        return finish(enc, bytes, max_invalid_share);
    }
    // A zero byte outside UTF-16 means a binary file, not text in an odd encoding.
    if memchr::memchr(0, bytes).is_some() {
        return Err("binary file (contains zero bytes)".into());
    }
    if let Some(d) = mostly_utf8(bytes, max_invalid_share) {
        return Ok(d);
    }
    let guess = guess_legacy(bytes);
    // Short texts fool the detector; when its guess does not read as text, the two Chinese
    // legacy encodings are tried before giving up.
    let mut first_err = None;
    for enc in [guess, GB18030, encoding_rs::BIG5] {
        match finish(enc, bytes, max_invalid_share) {
            Ok(d) => return Ok(d),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    Err(first_err.unwrap_or_else(|| "not valid text in any encoding".into()))
}

/// `chardetng`'s guess among the legacy encodings; GBK is named by its superset GB18030,
/// whose decoder encoding_rs uses for both.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(bytes, true);
    let guess = det.guess(None, chardetng::Utf8Detection::Deny);
    if guess == encoding_rs::GBK {
        GB18030
    } else {
        guess
    }
}

/// A file that is partly UTF-8: a stray or damaged byte (a lost byte of a character), or
/// lines pasted in from a file in a legacy encoding. Such a file has lines of valid non-ASCII
/// UTF-8, at least a fifth as many as invalid ones (a GBK or Big5 file has next to none: their
/// byte pairs seldom form UTF-8). An invalid line is read as UTF-8 up to its first bad bytes;
/// when UTF-8 resumes right after them they are one bad character (U+FFFD, which the
/// normaliser drops), else the rest of the line is read in the legacy encoding guessed from the
/// invalid lines, when that reads as text. `None` when the file is not such a file, or when
/// more than `max_invalid` of its characters stay undecodable.
fn mostly_utf8(bytes: &[u8], max_invalid: f64) -> Option<Decoded<'static>> {
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    let (mut valid, mut invalid) = (0usize, Vec::new());
    for (i, l) in lines.iter().enumerate() {
        match std::str::from_utf8(l) {
            Ok(s) if !s.is_ascii() => valid += 1,
            Ok(_) => {}
            Err(_) => invalid.push(i),
        }
    }
    // A line of Chinese in GBK or Big5 is next to never valid UTF-8, so a few valid lines among
    // the invalid ones already say that part of the file is UTF-8.
    if valid < 3 || valid * 4 < invalid.len() {
        return None;
    }
    // The guess from the invalid lines, then the two Chinese legacy encodings (the detector
    // knows GBK but not GB18030's four-byte characters, and guesses windows-1252 for them).
    let legacy = {
        let joined: Vec<u8> = invalid.iter().flat_map(|&i| lines[i].to_vec()).collect();
        let guess = guess_legacy(&joined);
        let mut encodings = vec![guess];
        for enc in [GB18030, encoding_rs::BIG5] {
            if enc != guess {
                encodings.push(enc);
            }
        }
        encodings
    };
    let mut text = String::with_capacity(bytes.len());
    let mut bad = 0usize;
    // Lines read in each of `legacy`.
    let mut legacy_lines = vec![0usize; legacy.len()];
    // The first of `legacy` that reads `bytes` as text, with its index.
    let read_legacy = |bytes: &[u8]| {
        legacy.iter().enumerate().find_map(|(k, &enc)| {
            match enc.decode_without_bom_handling(bytes) {
                (s, false) if plausible(enc, &s) => Some((k, s.into_owned())),
                _ => None,
            }
        })
    };
    for l in &lines {
        let mut rest: &[u8] = l;
        // A line is tried in the legacy encodings once, at its first bad bytes: trying again
        // at each would take time quadratic in a long line of many bad bytes.
        let mut try_legacy = true;
        loop {
            let e = match std::str::from_utf8(rest) {
                Ok(s) => {
                    text.push_str(s);
                    break;
                }
                Err(e) => e,
            };
            let (valid, bad_on) = rest.split_at(e.valid_up_to());
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let after = &bad_on[e.error_len().unwrap_or(bad_on.len())..];
            // Two-byte UTF-8 characters (Latin, Greek, IPA) just before the bad bytes may be a
            // legacy pair that happens to be UTF-8 (时 in GBK is ʱ): they go with the rest.
            let keep = valid
                .char_indices()
                .rev()
                .take_while(|&(_, c)| (0x80..0x800).contains(&(c as u32)))
                .last()
                .map_or(valid.len(), |(i, _)| i);
            let (valid_part, tail) = (&valid[..keep], &rest[keep..]);
            // UTF-8 that resumes right after the bad bytes: a stray or damaged byte.
            let resumes = match std::str::from_utf8(after) {
                Ok(_) => true,
                Err(e) => e.valid_up_to() >= 12,
            };
            if !resumes && try_legacy {
                try_legacy = false;
                // The rest in a legacy encoding: from the bad bytes on (a line that changes
                // encoding halfway), or the whole rest, whose start may be a legacy pair that
                // happens to be UTF-8 (全 in GBK is ȫ in UTF-8): whichever reads as more
                // common Chinese.
                let split = read_legacy(tail).map(|(k, s)| (k, format!("{valid_part}{s}")));
                let whole = read_legacy(rest);
                let best = match (split, whole) {
                    (Some(a), Some(b)) => Some(if common_han(&b.1) > common_han(&a.1) {
                        b
                    } else {
                        a
                    }),
                    (a, b) => a.or(b),
                };
                if let Some((k, s)) = best {
                    text.push_str(&s);
                    legacy_lines[k] += 1;
                    break;
                }
            }
            text.push_str(valid);
            text.push('\u{FFFD}');
            bad += 1;
            rest = after;
        }
    }
    if bad as f64 / text.chars().count().max(1) as f64 > max_invalid {
        return None;
    }
    // Named by the legacy encoding most lines were read in.
    let most = (0..legacy.len())
        .filter(|&k| legacy_lines[k] > 0)
        .max_by_key(|&k| (legacy_lines[k], std::cmp::Reverse(k)));
    let encoding = match most.map(|k| legacy[k]) {
        None => "UTF-8",
        Some(enc) if enc == GB18030 => "UTF-8+gb18030",
        Some(enc) if enc == encoding_rs::BIG5 => "UTF-8+Big5",
        Some(_) => "UTF-8+legacy",
    };
    check_text(&text).ok()?;
    Some(Decoded {
        text: Cow::Owned(text),
        encoding,
    })
}

fn finish(
    enc: &'static Encoding,
    bytes: &[u8],
    max_invalid: f64,
) -> Result<Decoded<'static>, String> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let text = text.into_owned();
    if had_errors {
        let total = text.chars().count().max(1);
        let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
        if bad as f64 / total as f64 > max_invalid {
            return Err(format!(
                "not valid text in any encoding (best guess {}: {bad} of {total} characters undecodable)",
                enc.name()
            ));
        }
    }
    if !plausible(enc, &text) {
        return Err(format!(
            "not valid text in any encoding (best guess {} gives no readable text)",
            enc.name()
        ));
    }
    let name = if enc == UTF_8 { "UTF-8" } else { enc.name() };
    check_text(&text)?;
    Ok(Decoded {
        text: Cow::Owned(text),
        encoding: name,
    })
}

/// Han characters of the common level-1 set of GB2312 in `text`.
fn common_han(text: &str) -> usize {
    text.chars()
        .filter(|&c| {
            tifa_core::text::is_han(c) && crate::gbk::class(c) == crate::gbk::Class::Common
        })
        .count()
}

/// Random bytes decode without error in many legacy encodings, so a guess is kept only when it
/// reads like text: in GB18030 most Chinese characters are from the common level-1 set (random
/// pairs mostly land on rare ones), in a single-byte encoding most characters are ASCII.
fn plausible(enc: &'static Encoding, text: &str) -> bool {
    if enc == GB18030 {
        let (mut han, mut common) = (0usize, 0usize);
        for c in text.chars().filter(|&c| tifa_core::text::is_han(c)) {
            han += 1;
            if crate::gbk::class(c) == crate::gbk::Class::Common {
                common += 1;
            }
        }
        han == 0 || common * 2 >= han
    } else if enc.is_single_byte() {
        let total = text.chars().count().max(1);
        let ascii = text.chars().filter(|c| c.is_ascii()).count();
        ascii * 10 >= total * 7
    } else {
        true
    }
}

/// Refuses text that is blank or binary.
fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("empty file".into());
    }
    // Counted on bytes: C0 controls other than line ends and tabs, against all characters.
    // Characters are counted only when there are controls at all (rare), saving a pass.
    let controls = count_bytes(text.as_bytes(), |b| {
        ((b < 0x20) & (b != b'\n') & (b != b'\r') & (b != b'\t') & (b != 0x0C)) | (b == 0x7F)
    });
    if controls > 0 && controls * 100 > count_bytes(text.as_bytes(), |b| (b as i8) >= -0x40) {
        return Err("binary file (control characters)".into());
    }
    Ok(())
}

/// How many bytes satisfy a branch-free test: counted in blocks of 255 into bytes, which the
/// compiler turns into wide vector adds.
fn count_bytes(bytes: &[u8], test: impl Fn(u8) -> bool) -> usize {
    bytes
        .chunks(255)
        .map(|block| block.iter().map(|&b| test(b) as u8).sum::<u8>() as usize)
        .sum()
}

/// UTF-16 without a byte-order mark: in Chinese text nearly every high byte is a CJK block
/// (0x4E–0x9F), punctuation (0x30, 0xFF) or zero (ASCII); in GBK or Big5 text the bytes at
/// either parity range much wider.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    // An odd last byte (a file cut short) is left to the decoder, which marks it undecodable.
    if bytes.len() < 4 {
        return None;
    }
    let sample = &bytes[..bytes.len().min(1 << 16)];
    let score = |parity: usize| {
        let mut good = 0usize;
        let mut n = 0usize;
        for b in sample.iter().skip(parity).step_by(2) {
            n += 1;
            if matches!(b, 0x00 | 0x20 | 0x30 | 0x4E..=0x9F | 0xFF) {
                good += 1;
            }
        }
        good as f64 / n.max(1) as f64
    };
    let (le, be) = (score(1), score(0));
    if le > 0.95 && le > be {
        Some(UTF_16LE)
    } else if be > 0.95 && be > le {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "坚持和完善人民代表大会制度，增强“四个意识”。\n全过程人民民主。\n";

    const TRAD: &str = "堅持和完善人民代表大會制度，增強「四個意識」。\n全過程人民民主。\n";

    fn round(enc: &'static Encoding, bom: bool) -> Decoded<'static> {
        let text = if enc == encoding_rs::BIG5 { TRAD } else { TEXT };
        let mut bytes = Vec::new();
        if enc == UTF_16LE || enc == UTF_16BE {
            if bom {
                bytes.extend_from_slice(if enc == UTF_16LE {
                    &[0xFF, 0xFE]
                } else {
                    &[0xFE, 0xFF]
                });
            }
            for u in text.encode_utf16() {
                let b = if enc == UTF_16LE {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                };
                bytes.extend_from_slice(&b);
            }
        } else {
            bytes.extend_from_slice(&enc.encode(text).0);
        }
        let d = decode(&bytes, 0.01).unwrap();
        Decoded {
            text: Cow::Owned(d.text.into_owned()),
            encoding: d.encoding,
        }
    }

    #[test]
    fn every_encoding_gives_the_same_text() {
        for (enc, bom, name) in [
            (UTF_8, false, "UTF-8"),
            (GB18030, false, "gb18030"),
            (encoding_rs::BIG5, false, "Big5"),
            (UTF_16LE, true, "UTF-16LE"),
            (UTF_16BE, true, "UTF-16BE"),
            (UTF_16LE, false, "UTF-16LE"),
            (UTF_16BE, false, "UTF-16BE"),
        ] {
            let d = round(enc, bom);
            let want = if enc == encoding_rs::BIG5 { TRAD } else { TEXT };
            assert_eq!(d.text, want, "{name}");
            assert_eq!(d.encoding, name);
        }
        // UTF-16 without a mark, cut short by a byte: read, the lost half a replacement.
        let mut odd: Vec<u8> = TEXT
            .repeat(10)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        odd.push(0x4E);
        let d = decode(&odd, 0.01).unwrap();
        assert_eq!(d.encoding, "UTF-16LE");
        assert_eq!(d.text.trim_end_matches('\u{FFFD}'), TEXT.repeat(10));
    }

    #[test]
    fn a_utf8_file_with_a_bad_byte_or_a_legacy_line_is_read() {
        // A stray byte in one line: the file is UTF-8, the byte a replacement character.
        let mut bytes = TEXT.repeat(20).into_bytes();
        bytes.insert(TEXT.find('。').unwrap() + 3, 0x80);
        let d = decode(&bytes, 0.01).unwrap();
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.text.replace('\u{FFFD}', ""), TEXT.repeat(20));
        // A line pasted from a GBK file into a UTF-8 one is read in GB18030.
        let mut mixed = TEXT.repeat(5).into_bytes();
        mixed.extend_from_slice(&GB18030.encode("高质量发展取得新成效。\n").0);
        mixed.extend_from_slice(TEXT.as_bytes());
        let d = decode(&mixed, 0.01).unwrap();
        assert_eq!(d.encoding, "UTF-8+gb18030");
        assert_eq!(
            d.text,
            format!("{}高质量发展取得新成效。\n{TEXT}", TEXT.repeat(5))
        );
        // Half UTF-8, half GBK: each half in its own encoding.
        let mut halves = TEXT.repeat(5).into_bytes();
        halves.extend_from_slice(&GB18030.encode(&TEXT.repeat(6)).0);
        let d = decode(&halves, 0.01).unwrap();
        assert_eq!(
            (d.encoding, d.text.as_ref()),
            ("UTF-8+gb18030", TEXT.repeat(11).as_str())
        );
        // A long line of bad bytes among UTF-8 lines is refused, in time linear in its length
        // (at every bad byte the rest of the line was once tried in each legacy encoding).
        let mut junk = TEXT.repeat(5).into_bytes();
        junk.extend((0..200_000u32).map(|i| [0x80, 0xC3, 0xE4, b'A', 0xFF][i as usize * 7 % 5]));
        assert!(decode(&junk, 0.01).is_err());
        // Mostly GBK with one UTF-8 line stays GBK.
        let mut gbk = GB18030.encode(&TEXT.repeat(5)).0.into_owned();
        gbk.extend_from_slice("两个维护\n".as_bytes());
        assert_eq!(decode(&gbk, 0.01).unwrap().encoding, "gb18030");
    }

    #[test]
    fn refuses_empty_binary_and_garbage() {
        assert!(decode(b"", 0.01).unwrap_err().contains("empty"));
        assert!(decode(b" \n\n", 0.01).unwrap_err().contains("empty"));
        assert!(decode(&[0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0, 0, 9], 0.01)
            .unwrap_err()
            .contains("binary"));
        let garbage: Vec<u8> = (0..4000u32)
            .map(|i| (i * 7919 % 256) as u8 | 0x80)
            .collect();
        assert!(decode(&garbage, 0.01).is_err());
    }
}
