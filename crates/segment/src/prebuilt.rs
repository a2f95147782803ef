//! The prebuilt dictionary: jieba's own dictionary merged with the bundled one at build time
//! (`build.rs`) and compiled in, and the jieba built from it for given texts with only the words
//! they can use.
//!
//! Why that jieba cuts those texts exactly as the full dictionary does: jieba cuts a text block
//! by block (runs of ideographs, ASCII letters, digits and `+#&._%-`), and its best route
//! through a block only looks at the dictionary words that occur in the block, at `ln(freq)` of
//! each and at `ln(total)`, the total frequency of the dictionary. [`restricted`] holds every
//! word of the dictionary that occurs in the texts, with its frequency, plus one word that can
//! never occur in a block ([`FILLER`]) carrying the frequency of all the words left out, so the
//! total is the full dictionary's. Each block then sees the same words, frequencies and total,
//! whichever of the words present are held beyond it. Ties between routes are broken by
//! position alone, never by a word's id.
//!
//! Nothing is read from disk: embedded bytes cannot be damaged or stale, so there is nothing
//! to check, and build.rs rebuilds them when either dictionary changes.

use std::ops::Range;
use std::path::Path;

use fst::raw::{Fst, Node, Output};
use jieba_rs::Jieba;
use rayon::prelude::*;

use crate::dict::{self, POLITICAL_DICTIONARY, POLITICAL_DICTIONARY_NAME};
use crate::Error;

mod consts {
    include!(concat!(env!("OUT_DIR"), "/dictionary.rs"));
}

use consts::{BUNDLED, TAGS, TOTAL_BUNDLED, TOTAL_OWN, WORDS};

/// The words in byte order, each mapped to its id.
const WORD_IDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/words.fst"));
/// By id, the frequency in jieba's own dictionary (little-endian `u32`, [`ABSENT`] for a word
/// only the bundled dictionary has).
static FREQS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/freqs.bin"));
/// By id, the index of the word's tag in [`TAGS`].
static TAG_IDS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/tags.bin"));
/// By bundled entry, in the file's order: id, frequency given, general frequency before.
static BUNDLED_ENTRIES: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/bundled.bin"));

const ABSENT: u32 = u32::MAX;

/// The word that carries the frequency of the words left out. NUL is never part of a block
/// jieba looks words up in, and no user dictionary can hold it, so it never matches and never
/// replaces a word.
const FILLER: &str = "\u{0}";

/// Texts of at least this many bytes are walked with the caches of [`Walker`]; for fewer they
/// would cost more than they save.
const CACHE_MIN_BYTES: usize = 64 << 10;

/// Bytes of text per piece walked in parallel.
const PIECE_BYTES: usize = 256 << 10;

/// The prebuilt dictionary's words.
pub(crate) fn dictionary() -> Fst<&'static [u8]> {
    Fst::new(WORD_IDS).expect("the prebuilt dictionary is an fst")
}

fn read_u32(bytes: &[u8], i: usize) -> u32 {
    let b = &bytes[4 * i..4 * i + 4];
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// The words of the prebuilt dictionary that occur in `texts`, as `(id, word)` in id order, each
/// once, the word borrowed from a text where it occurs.
pub(crate) fn find<'t>(texts: &[&'t str]) -> Vec<(u32, &'t str)> {
    let fst = dictionary();
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let mut found: Vec<(u32, &'t str)> = if total <= PIECE_BYTES {
        let mut walker = Walker::new(&fst, total >= CACHE_MIN_BYTES);
        for t in texts {
            walker.walk(t, 0..t.len());
        }
        walker.found
    } else {
        let pieces = pieces(texts);
        // One walker (and its caches) per thread's share of the pieces.
        let parts: Vec<Vec<(u32, &'t str)>> = pieces
            .par_iter()
            .fold(
                || Walker::new(&fst, true),
                |mut walker, &(i, ref range)| {
                    walker.walk(texts[i], range.clone());
                    walker
                },
            )
            .map(|walker| walker.found)
            .collect();
        let mut seen = vec![0u64; WORDS.div_ceil(64)];
        let mut found = Vec::new();
        for (id, word) in parts.into_iter().flatten() {
            if first_sight(&mut seen, id) {
                found.push((id, word));
            }
        }
        found
    };
    found.sort_unstable_by_key(|&(id, _)| id);
    found
}

/// The texts cut into pieces of about [`PIECE_BYTES`] at character boundaries, as (text index,
/// byte range). A walk starts in its piece but may read on past its end.
fn pieces(texts: &[&str]) -> Vec<(usize, Range<usize>)> {
    let mut pieces = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let mut start = 0;
        while start < t.len() {
            let mut end = (start + PIECE_BYTES).min(t.len());
            while !t.is_char_boundary(end) {
                end += 1;
            }
            pieces.push((i, start..end));
            start = end;
        }
    }
    pieces
}

/// Marks `id` seen; true when it was not yet.
fn first_sight(seen: &mut [u64], id: u32) -> bool {
    let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
    let new = seen[word] & bit == 0;
    seen[word] |= bit;
    new
}

/// A place of a walk through the fst after whole characters, packed in 64 bits: where the
/// node is, the output so far, the id of the word ending there, whether any word goes on.
/// The places after the first character and after the first two of a position are cached as
/// such, so that most positions decode no node of the fst: decoding nodes byte by byte is
/// where the time goes.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Place(u64);

/// Bits of a node's address and of an output (an id); then come the id plus one of the word
/// ending there (`ID_BITS + 1`), [`Place::MORE`] and the bit of [`Place::DEAD`].
const ADDR_BITS: u32 = 23;
const ID_BITS: u32 = 19;
const _: () = assert!(WORD_IDS.len() < 1 << ADDR_BITS && WORDS < 1 << ID_BITS);

impl Place {
    /// Not known yet (an empty cache slot). No place is 0: a node that ends no word has a
    /// transition.
    const UNKNOWN: Place = Place(0);
    /// No word starts this way.
    const DEAD: Place = Place(1 << 63);
    /// A longer word goes on from here.
    const MORE: u64 = 1 << 62;

    /// The place at `node` with the output `out` so far.
    fn new(node: Node<'_>, out: Output) -> Place {
        let word = if node.is_final() {
            out.cat(node.final_output()).value() + 1
        } else {
            0
        };
        let more = if node.is_empty() { 0 } else { Place::MORE };
        Place(more | word << (ADDR_BITS + ID_BITS) | out.value() << ADDR_BITS | node.addr() as u64)
    }

    /// Whether some word starts this way.
    fn live(self) -> bool {
        self != Place::DEAD
    }

    /// Whether a longer word goes on from here.
    fn more(self) -> bool {
        self.0 & Place::MORE != 0
    }

    /// The id of the word ending here.
    fn word(self) -> Option<u32> {
        let w = (self.0 >> (ADDR_BITS + ID_BITS)) & ((1 << (ID_BITS + 1)) - 1);
        (w != 0).then(|| (w - 1) as u32)
    }

    /// The node and the output so far.
    fn node<'f>(self, fst: &'f Fst<&'static [u8]>) -> (Node<'f>, Output) {
        let addr = (self.0 & ((1 << ADDR_BITS) - 1)) as usize;
        let out = (self.0 >> ADDR_BITS) & ((1 << ID_BITS) - 1);
        (fst.node(addr), Output::new(out))
    }
}

/// Walks the fst from every character of a text, collecting the words it passes.
struct Walker<'f, 't> {
    fst: &'f Fst<&'static [u8]>,
    /// For characters of the Basic Multilingual Plane, the place after the character.
    firsts: Vec<Place>,
    /// A cache of places after two characters: [`PAIRS`] slots, each the pair (plus one; 0
    /// empty) and the place.
    pairs: Vec<(u64, Place)>,
    seen: Vec<u64>,
    found: Vec<(u32, &'t str)>,
}

/// Slots of the cache of pairs, a power of two; larger caches were no faster.
const PAIRS: usize = 1 << 15;

impl<'f, 't> Walker<'f, 't> {
    /// A walker, with its caches or without.
    fn new(fst: &'f Fst<&'static [u8]>, caches: bool) -> Self {
        Walker {
            fst,
            firsts: if caches {
                vec![Place::UNKNOWN; 0x1_0000]
            } else {
                Vec::new()
            },
            pairs: if caches {
                vec![(0, Place::UNKNOWN); PAIRS]
            } else {
                Vec::new()
            },
            seen: vec![0; WORDS.div_ceil(64)],
            found: Vec::new(),
        }
    }

    /// The place after `c` from `(node, out)`.
    fn step(&self, (mut node, mut out): (Node<'f>, Output), c: char) -> Place {
        for &b in c.encode_utf8(&mut [0; 4]).as_bytes() {
            let Some(i) = node.find_input(b) else {
                return Place::DEAD;
            };
            let t = node.transition(i);
            out = out.cat(t.out);
            node = self.fst.node(t.addr);
        }
        Place::new(node, out)
    }

    /// The place after the character `c`.
    fn first(&mut self, c: char) -> Place {
        let root = (self.fst.root(), Output::zero());
        if self.firsts.is_empty() || c as u32 >= 0x1_0000 {
            return self.step(root, c);
        }
        let slot = &mut self.firsts[c as usize];
        if *slot == Place::UNKNOWN {
            let place = self.step(root, c);
            self.firsts[c as usize] = place;
            return place;
        }
        *slot
    }

    /// The place after the characters `a` and `b`, `at` being the place after `a`.
    fn second(&mut self, a: char, b: char, at: Place) -> Place {
        if self.pairs.is_empty() {
            return self.step(at.node(self.fst), b);
        }
        let key = ((a as u64) << 21 | b as u64) + 1;
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) as usize & (PAIRS - 1);
        let (k, place) = self.pairs[slot];
        if k == key {
            return place;
        }
        let place = self.step(at.node(self.fst), b);
        self.pairs[slot] = (key, place);
        place
    }

    /// Keeps the word `text[start..end]`, of id `id`, unless it was found before.
    fn record(&mut self, id: u32, text: &'t str, start: usize, end: usize) {
        if first_sight(&mut self.seen, id) {
            // The fst holds whole UTF-8 words, so a word read from a character boundary ends
            // on one.
            self.found.push((id, &text[start..end]));
        }
    }

    /// Collects the words starting at every character of `text[range]`.
    fn walk(&mut self, text: &'t str, range: Range<usize>) {
        let bytes = text.as_bytes();
        for (i, a) in text[range.clone()].char_indices() {
            let start = range.start + i;
            let at = self.first(a);
            if !at.live() {
                continue;
            }
            let mut end = start + a.len_utf8();
            if let Some(id) = at.word() {
                self.record(id, text, start, end);
            }
            if !at.more() {
                continue;
            }
            let Some(b) = text[end..].chars().next() else {
                continue;
            };
            let at = self.second(a, b, at);
            if !at.live() {
                continue;
            }
            end += b.len_utf8();
            if let Some(id) = at.word() {
                self.record(id, text, start, end);
            }
            if !at.more() {
                continue;
            }
            let (mut node, mut out) = at.node(self.fst);
            while let Some(t) = bytes.get(end).and_then(|&b| node.find_input(b)) {
                let t = node.transition(t);
                out = out.cat(t.out);
                node = self.fst.node(t.addr);
                end += 1;
                if node.is_final() {
                    // Ids fit u32 (build.rs numbers them so).
                    let id = out.cat(node.final_output()).value() as u32;
                    self.record(id, text, start, end);
                }
            }
        }
    }
}

/// A jieba holding the words `found` (from [`find`]) with the frequencies and tags of jieba's
/// own dictionary, merged with the bundled one when `bundled`, and [`FILLER`] with the
/// frequency of every word left out. For the texts `found` was found in, it is the jieba
/// `Jieba::new()` plus [`dict::add_bundled`] makes, as far as cutting them is concerned.
pub(crate) fn restricted(found: &[(u32, &str)], bundled: bool) -> Jieba {
    let mut given = rustc_hash::FxHashMap::default();
    if bundled {
        for e in 0..BUNDLED {
            given.insert(
                read_u32(BUNDLED_ENTRIES, 3 * e),
                read_u32(BUNDLED_ENTRIES, 3 * e + 1),
            );
        }
    }
    let mut jieba = Jieba::empty();
    let mut sum = 0usize;
    for &(id, word) in found {
        let freq = match given.get(&id) {
            Some(&f) => f,
            None => read_u32(FREQS, id as usize),
        };
        if freq == ABSENT {
            continue;
        }
        let tag = TAGS[usize::from(TAG_IDS[id as usize])];
        jieba.add_word(word, Some(freq as usize), Some(tag));
        sum += freq as usize;
    }
    let total = if bundled { TOTAL_BUNDLED } else { TOTAL_OWN };
    let rest = total
        .checked_sub(sum)
        .expect("the words found are part of the dictionary");
    jieba.add_word(FILLER, Some(rest), None);
    jieba
}

/// The bundled dictionary's words with their general frequency before they were added (see
/// [`dict::add_bundled`]), in the file's order.
pub(crate) fn bundled_general() -> Result<Vec<(&'static str, u32)>, Error> {
    let entries = dict::parse(POLITICAL_DICTIONARY, Path::new(POLITICAL_DICTIONARY_NAME))?;
    assert_eq!(
        entries.len(),
        BUNDLED,
        "the prebuilt dictionary was built from this bundled dictionary"
    );
    Ok(entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.word, read_u32(BUNDLED_ENTRIES, 3 * i + 2)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_found_once_each_in_id_order() {
        let found = find(&["发展全过程人民民主", "人民民主，发展"]);
        let words: Vec<&str> = found.iter().map(|&(_, w)| w).collect();
        for w in [
            "发展",
            "全过程",
            "人民",
            "民主",
            "全过程人民民主",
            "人民民主",
        ] {
            assert_eq!(words.iter().filter(|&&x| x == w).count(), 1, "{w}");
        }
        assert!(found.windows(2).all(|p| p[0].0 < p[1].0));
        let fst = dictionary();
        for (id, w) in &found {
            assert_eq!(fst.get(w).map(|o| o.value()), Some(u64::from(*id)), "{w}");
        }
    }

    #[test]
    fn the_table_and_the_pieces_find_what_a_plain_walk_finds() {
        let line =
            "全国人大常委会听取和审议一府一委两院专项工作报告，推动高质量发展。GDP增长5.2%\n";
        let long = line.repeat(2 * PIECE_BYTES / line.len() + 3);
        let plain = {
            let fst = dictionary();
            let mut w = Walker::new(&fst, false);
            w.walk(line, 0..line.len());
            let mut f = w.found;
            f.sort_unstable_by_key(|&(id, _)| id);
            f
        };
        assert!(plain.len() > 20);
        assert_eq!(find(&[long.as_str()]), plain);
        assert_eq!(find(&[line]), plain);
    }
}
