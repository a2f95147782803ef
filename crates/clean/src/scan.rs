//! One look at every character of a line before the first pass changes anything. Mojibake
//! repair needs counts of rare and Han characters, character normalisation needs to know
//! whether any character would change, and the log needs the line's length in characters.
//! Asked one by one, these are three passes over every line of the corpus; here one pass
//! answers all three with a single table look-up per character, and the passes that follow
//! run only on the few lines that need them.

use std::sync::OnceLock;

use tifa_core::text::is_han;

use crate::gbk::{self, Class};

/// A Han character.
const HAN: u8 = 1;
/// A character that hints at GBK text decoded at the wrong offset: level-2 or rare in GBK, or
/// a Han character GBK lacks.
const SUSPECT: u8 = 2;
/// A suspect Han character that is not level-2 (rare in GBK, or outside it).
const RARE_HAN: u8 = 4;
/// A character [`crate::normalise::chars`] changes or drops.
const CHANGES: u8 = 8;
/// U+FFFD, what a decoder puts for bytes it could not read.
const REPLACEMENT: u8 = 16;

/// The facts about one character, from its class in GBK, whether it is Han and what the
/// normaliser makes of it.
fn facts(c: char) -> u8 {
    if c == '\u{FFFD}' {
        // Counted on its own by the mojibake repair, never as a suspect.
        return REPLACEMENT | CHANGES;
    }
    let class = gbk::class(c);
    let han = is_han(c);
    let mut f = 0;
    if han {
        f |= HAN;
    }
    if matches!(class, Class::Level2 | Class::Rare) || (han && class == Class::None) {
        f |= SUSPECT;
        if han && class != Class::Level2 {
            f |= RARE_HAN;
        }
    }
    if crate::normalise::changes(c) {
        f |= CHANGES;
    }
    f
}

/// The facts of every character of the Basic Multilingual Plane, where nearly all text is.
fn table() -> &'static [u8] {
    static T: OnceLock<Vec<u8>> = OnceLock::new();
    T.get_or_init(|| {
        (0..0x10000u32)
            .map(|cp| char::from_u32(cp).map_or(0, facts))
            .collect()
    })
}

/// What one pass over a line found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Characters in the line.
    pub chars: u32,
    /// Han characters.
    pub han: u32,
    /// Characters that hint at mojibake (see [`SUSPECT`]), U+FFFD not included.
    pub suspects: u32,
    /// Suspect Han characters that are not GB2312 level-2.
    pub rare_han: u32,
    /// U+FFFD characters.
    pub replacement: u32,
    /// Some character would be changed or dropped by [`crate::normalise::chars`].
    pub changes: bool,
}

impl Tally {
    /// Counts the characters of a line.
    pub fn of(line: &str) -> Tally {
        let table = table();
        let mut t = Tally::default();
        let mut any = 0u8;
        for c in line.chars() {
            t.chars += 1;
            let cp = c as usize;
            let f = match table.get(cp) {
                Some(&f) => f,
                None => facts(c),
            };
            if f == 0 {
                continue;
            }
            any |= f;
            t.han += (f & HAN != 0) as u32;
            t.suspects += (f & SUSPECT != 0) as u32;
            t.rare_han += (f & RARE_HAN != 0) as u32;
            t.replacement += (f & REPLACEMENT != 0) as u32;
        }
        t.changes = any & CHANGES != 0;
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_each_pass_needs() {
        let t = Tally::of("两个确立ＧＤＰ\u{FFFD}鋈ⅰ");
        assert_eq!(t.chars, 10);
        assert_eq!(t.han, 5);
        // 鋈 is level-2, ⅰ a rare symbol.
        assert_eq!(t.suspects, 2);
        assert_eq!(t.rare_han, 0);
        assert_eq!(t.replacement, 1);
        assert!(t.changes);
        let t = Tally::of("坚持和完善人民代表大会制度，“四个意识”。");
        assert_eq!((t.suspects, t.replacement, t.changes), (0, 0, false));
        assert!(Tally::of("a\u{0}b").changes);
        // A Han character beyond the BMP is outside GBK: suspect and rare.
        let t = Tally::of("𠀀");
        assert_eq!((t.han, t.suspects, t.rare_han), (1, 1, 1));
    }

    #[test]
    fn changes_agrees_with_the_normaliser() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let line = format!("中{c}文");
            let mut out = String::new();
            crate::normalise::chars(&line, &mut out);
            assert_eq!(Tally::of(&line).changes, out != line, "U+{:04X}", c as u32);
        }
    }
}
