//! A small view of the GBK code table, built once from `encoding_rs`: which two-byte code a
//! character has, which character a two-byte code stands for, and how common the character
//! is. Mojibake repair and the plausibility check of detected encodings both lean on the fact
//! that real Chinese text is mostly made of the 3,755 level-1 characters of GB2312, while text
//! decoded at the wrong byte offset is full of rare characters and symbols.

use std::sync::OnceLock;

/// How common a character is in Chinese text, judged by where it sits in GBK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Not a two-byte GBK character (ASCII, or outside GBK).
    None,
    /// GB2312 level-1 characters, common punctuation and full-width ASCII.
    Common,
    /// GB2312 level-2 characters: real but less frequent.
    Level2,
    /// Everything else in GBK: extension characters and symbols.
    Rare,
}

struct Tables {
    /// Code point (BMP) → GBK code (lead << 8 | trail), 0 when none.
    encode: Vec<u16>,
    /// Code point (BMP) → class.
    class: Vec<Class>,
    /// (lead − 0x81) × 191 + (trail − 0x40) → character (`\0` when unmapped).
    decode: Vec<char>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Tables {
            encode: vec![0; 0x10000],
            class: vec![Class::None; 0x10000],
            decode: vec!['\0'; 126 * 191],
        };
        for lead in 0x81u16..=0xFE {
            for trail in 0x40u16..=0xFE {
                if trail == 0x7F {
                    continue;
                }
                let bytes = [lead as u8, trail as u8];
                let (s, err) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
                if err {
                    continue;
                }
                let mut it = s.chars();
                let (Some(c), None) = (it.next(), it.next()) else {
                    continue;
                };
                if (c as u32) >= 0x10000 || (0xE000..=0xF8FF).contains(&(c as u32)) {
                    // Private-use code points are unassigned slots: never treat them as text.
                    continue;
                }
                t.decode[(lead as usize - 0x81) * 191 + (trail as usize - 0x40)] = c;
                let cp = c as usize;
                if t.encode[cp] == 0 {
                    t.encode[cp] = (lead << 8) | trail;
                }
                let class = match (lead, trail) {
                    (0xB0..=0xD7, 0xA1..=0xFE) => Class::Common,
                    (0xD8..=0xF7, 0xA1..=0xFE) => Class::Level2,
                    // Full-width ASCII and the usual Chinese punctuation (、。“”《》【】 …).
                    (0xA3, 0xA1..=0xFE) | (0xA1, 0xA1..=0xBF) => Class::Common,
                    _ => Class::Rare,
                };
                if t.class[cp] == Class::None {
                    t.class[cp] = class;
                }
            }
        }
        t
    })
}

/// The class of a character.
pub fn class(c: char) -> Class {
    let cp = c as usize;
    if !(0x80..0x10000).contains(&cp) {
        return Class::None;
    }
    tables().class[cp]
}

/// The two-byte GBK code of a character, if it has one.
pub fn encode(c: char) -> Option<[u8; 2]> {
    let cp = c as usize;
    if cp >= 0x10000 {
        return None;
    }
    match tables().encode[cp] {
        0 => None,
        code => Some(code.to_be_bytes()),
    }
}

/// The character of a two-byte GBK code, if the code is assigned.
pub fn decode(lead: u8, trail: u8) -> Option<char> {
    if !(0x81..=0xFE).contains(&lead) || !(0x40..=0xFE).contains(&trail) || trail == 0x7F {
        return None;
    }
    match tables().decode[(lead as usize - 0x81) * 191 + (trail as usize - 0x40)] {
        '\0' => None,
        c => Some(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_codes_and_classes() {
        assert_eq!(encode('两'), Some([0xC1, 0xBD]));
        assert_eq!(decode(0xC1, 0xBD), Some('两'));
        assert_eq!(class('两'), Class::Common);
        assert_eq!(class('“'), Class::Common);
        assert_eq!(class('鋈'), Class::Level2);
        assert_eq!(class('ⅰ'), Class::Rare);
        assert_eq!(class('a'), Class::None);
    }
}
