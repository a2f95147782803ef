//! Dictionaries: the bundled political vocabulary and the user's own files, both in jieba's
//! user-dictionary format — one `word [freq] [tag]` a line — plus `#` comment lines and blank
//! lines, so a hand-curated file can be organised in sections.
//!
//! The bundled file is compiled into the binary, so `tifa cut` behaves the same from any
//! folder; user dictionaries are read at start-up and add to or override it.
//!
//! The build script (`build.rs`) includes this file too, to merge the bundled dictionary into
//! jieba's own exactly as the segmenter does ([`add_bundled`]).

use std::path::{Path, PathBuf};

use jieba_rs::Jieba;

use crate::Error;

/// The bundled dictionary of political vocabulary: institutions and offices, numbered
/// formulations, programmes and fixed expressions of Chinese official reports.
pub const POLITICAL_DICTIONARY: &str = include_str!("../../../config/dict/political.txt");

/// The name the bundled dictionary goes by in error messages.
pub(crate) const POLITICAL_DICTIONARY_NAME: &str = "config/dict/political.txt (bundled)";

/// One dictionary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    /// The word.
    pub word: &'a str,
    /// Its frequency, when the line gives one.
    pub freq: Option<usize>,
    /// Its part-of-speech tag, when the line gives one.
    pub tag: Option<&'a str>,
}

/// Characters jieba keeps inside a word besides letters and ideographs; any other symbol splits
/// the text before the dictionary is consulted, so an entry containing one could never match.
const JOINABLE_SYMBOLS: &[char] = &['+', '#', '&', '.', '_', '%', '-'];

/// The part-of-speech tags of jieba's dictionary, which a `word tag` line may give without a
/// frequency (any other word after the entry must be a frequency).
const JIEBA_TAGS: &[&str] = &[
    "a", "ad", "ag", "an", "b", "c", "d", "df", "dg", "e", "f", "g", "h", "i", "j", "k", "l", "m",
    "mg", "mq", "n", "ng", "nr", "nrfg", "nrt", "ns", "nt", "nz", "o", "p", "q", "r", "rg", "rr",
    "rz", "s", "t", "tg", "u", "ud", "ug", "uj", "ul", "uv", "uz", "v", "vd", "vg", "vi", "vn",
    "vq", "x", "y", "z", "zg",
];

/// Parses a dictionary text. `path` only names the file in errors.
pub(crate) fn parse<'a>(text: &'a str, path: &Path) -> Result<Vec<Entry<'a>>, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut entries = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry_error = |message: String| Error::DictionaryEntry {
            path: path.to_path_buf(),
            line: i + 1,
            message,
        };
        let mut fields = line.split_whitespace();
        // A trimmed non-empty line has a first field.
        let word = fields.next().unwrap_or_default();
        if let Some(c) = word
            .chars()
            .find(|&c| !c.is_alphanumeric() && !JOINABLE_SYMBOLS.contains(&c))
        {
            return Err(entry_error(format!(
                "`{word}` contains `{c}`, which the segmenter never joins into a word \
                 (enumerations A、B are found by the count stage)"
            )));
        }
        let second = fields.next();
        let third = fields.next();
        // jieba reads `word tag` too: the frequency may be left out before a tag of its own.
        let (freq, tag) = match (second, third) {
            (None, _) => (None, None),
            (Some(f), None) if JIEBA_TAGS.contains(&f) || f == "eng" => (None, Some(f)),
            (Some(f), tag) => (
                Some(f.parse::<usize>().map_err(|_| {
                    entry_error(format!(
                        "frequency `{f}` of `{word}` is not a non-negative integer"
                    ))
                })?),
                tag,
            ),
        };
        if let Some(extra) = fields.next() {
            return Err(entry_error(format!(
                "unexpected `{extra}` after `{word}`: expected `word [freq] [tag]`"
            )));
        }
        entries.push(Entry { word, freq, tag });
    }
    Ok(entries)
}

/// Adds the bundled dictionary to `jieba`, entry by entry: each word gets at least the frequency
/// jieba needs to leave it whole on its own, and never less than jieba's own dictionary gives it.
/// Calls `each(entry, general, freq)` after adding an entry, with the word's
/// [`general_frequency`] before the addition and the frequency it was given.
pub(crate) fn add_bundled(
    jieba: &mut Jieba,
    mut each: impl FnMut(&Entry<'_>, u32, usize),
) -> Result<(), Error> {
    for e in parse(POLITICAL_DICTIONARY, Path::new(POLITICAL_DICTIONARY_NAME))? {
        let general = general_frequency(jieba, e.word);
        let freq = e.freq.unwrap_or(0).max(jieba.suggest_freq(e.word));
        jieba.add_word(e.word, Some(freq), e.tag);
        each(&e, general, freq);
    }
    Ok(())
}

/// The frequency jieba's dictionary gives `word`, 0 when it is not a word of it. jieba-rs has no
/// call that returns a stored frequency; `suggest_freq` of a word that jieba keeps whole on its
/// own is its frequency, or one more (it is the larger of the word's own and one more than its
/// best cut's), which is close enough for telling general words from the rest.
pub(crate) fn general_frequency(jieba: &Jieba, word: &str) -> u32 {
    if word.chars().count() < 2 || !jieba.has_word(word) {
        return 0;
    }
    u32::try_from(jieba.suggest_freq(word)).unwrap_or(u32::MAX)
}

/// Reads a user dictionary, resolving `path` against the config folder.
pub(crate) fn read(config_dir: &Path, path: &Path) -> Result<(PathBuf, String), Error> {
    let full = config_dir.join(path);
    match std::fs::read_to_string(&full) {
        Ok(text) => Ok((full, text)),
        Err(source) => Err(Error::ReadDictionary { path: full, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("d.txt")
    }

    #[test]
    fn parses_jieba_format_with_comments() {
        let text =
            "\u{feff}# institutions\n\n一府一委两院 5000 nt\n四个意识 8000\n双减\n人大代表之家 n\n";
        let got = parse(text, p()).unwrap();
        assert_eq!(
            got,
            vec![
                Entry {
                    word: "一府一委两院",
                    freq: Some(5000),
                    tag: Some("nt")
                },
                Entry {
                    word: "四个意识",
                    freq: Some(8000),
                    tag: None
                },
                Entry {
                    word: "双减",
                    freq: None,
                    tag: None
                },
                // jieba's `word tag`, the frequency left out.
                Entry {
                    word: "人大代表之家",
                    freq: None,
                    tag: Some("n")
                },
            ]
        );
    }

    #[test]
    fn names_line_and_reason_of_bad_entries() {
        let cases = [
            ("四个意识 many\n", 1, "frequency `many`"),
            ("\n有件必备、有备必审 100\n", 2, "contains `、`"),
            ("两个维护 100 nz extra\n", 1, "unexpected `extra`"),
        ];
        for (text, line, needle) in cases {
            let e = parse(text, p()).unwrap_err();
            let msg = e.to_string();
            assert!(
                matches!(e, Error::DictionaryEntry { line: l, .. } if l == line),
                "{msg}"
            );
            assert!(msg.contains(needle) && msg.contains("d.txt"), "{msg}");
        }
    }

    #[test]
    fn bundled_dictionary_parses_and_is_large() {
        let entries = parse(POLITICAL_DICTIONARY, Path::new(POLITICAL_DICTIONARY_NAME)).unwrap();
        assert!(entries.len() >= 300, "{} entries", entries.len());
        let mut words: Vec<&str> = entries.iter().map(|e| e.word).collect();
        words.sort_unstable();
        let before = words.len();
        words.dedup();
        assert_eq!(
            before,
            words.len(),
            "duplicate entries in the bundled dictionary"
        );
        assert!(entries.iter().all(|e| e.freq.is_some()));
    }
}
