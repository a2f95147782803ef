//! Builds the prebuilt dictionary the segmenter starts from (`src/prebuilt.rs`): every word of
//! jieba's own dictionary and of the bundled one, merged once here exactly as
//! `Segmenter::new` merges them at run time, written to `OUT_DIR` and compiled into the binary.
//!
//! - `words.fst`: the words in byte order, each mapped to its id (its rank in that order).
//! - `freqs.bin`: by id, the word's frequency in jieba's own dictionary, little-endian `u32`,
//!   `u32::MAX` for a word only the bundled dictionary has.
//! - `tags.bin`: by id, one byte, the index of the word's tag in `TAGS`.
//! - `bundled.bin`: by bundled entry, in the file's order, `(id, frequency given, general
//!   frequency before the addition)` as three little-endian `u32`.
//! - `dictionary.rs`: the number of words, the tags and the two dictionaries' total frequencies.
//!
//! jieba-rs has no call that lists its words, so they are read from the dictionary file inside
//! the jieba-rs package (found with `cargo metadata`); the totals a jieba built here reports are
//! checked against what the file gives, so a file that is not the one jieba loads stops the
//! build.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use jieba_rs::Jieba;

#[allow(dead_code)]
#[path = "src/dict.rs"]
mod dict;

/// What `dict` reports; the build stops with it.
#[derive(Debug)]
enum Error {
    ReadDictionary {
        path: PathBuf,
        source: std::io::Error,
    },
    DictionaryEntry {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ReadDictionary { path, source } => write!(f, "{}: {source}", path.display()),
            Error::DictionaryEntry {
                path,
                line,
                message,
            } => write!(f, "{}, line {line}: {message}", path.display()),
        }
    }
}

/// Frequency of a word jieba's own dictionary does not have.
const ABSENT: u32 = u32::MAX;

/// One word of the merged dictionary.
struct Word {
    /// Frequency in jieba's own dictionary.
    own: Option<u32>,
    /// Frequency once the bundled dictionary is added.
    bundled: Option<u32>,
    tag: String,
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/dict.rs");
    println!("cargo:rerun-if-changed=../../config/dict/political.txt");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));

    let path = jieba_dictionary();
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));

    // Read as `Jieba::load_default_dict` reads it: a later line for the same word replaces the
    // earlier one in the trie, and every line counts in the total.
    let mut words: BTreeMap<String, Word> = BTreeMap::new();
    let (mut records, mut total_own) = (0usize, 0usize);
    for line in text.lines() {
        let mut fields = line.split_ascii_whitespace();
        let Some(word) = fields.next() else { continue };
        let freq: usize = fields.next().map_or(0, |f| {
            f.parse()
                .unwrap_or_else(|_| panic!("bad frequency in jieba's dictionary: {line}"))
        });
        let tag = fields.next().unwrap_or("");
        records += 1;
        total_own += freq;
        words.insert(
            word.to_string(),
            Word {
                own: Some(small(freq)),
                bundled: None,
                tag: tag.to_string(),
            },
        );
    }
    let mut jieba = Jieba::new();
    check_total(&jieba, records, total_own);

    // The bundled dictionary, added to a real jieba as the segmenter adds it, so that each
    // entry's frequency (which depends on the entries before it) is the one it gets at run time.
    let mut bundled: Vec<(String, u32, u32)> = Vec::new();
    let mut total_bundled = total_own;
    dict::add_bundled(&mut jieba, |e, general, freq| {
        let freq = small(freq);
        match words.get_mut(e.word) {
            Some(w) => {
                let before = w.bundled.or(w.own).expect("a word has a frequency");
                total_bundled = total_bundled - before as usize + freq as usize;
                w.bundled = Some(freq);
            }
            None => {
                records += 1;
                total_bundled += freq as usize;
                words.insert(
                    e.word.to_string(),
                    Word {
                        own: None,
                        bundled: Some(freq),
                        tag: e.tag.unwrap_or("").to_string(),
                    },
                );
            }
        }
        bundled.push((e.word.to_string(), freq, general));
    })
    .unwrap_or_else(|e| panic!("{e}"));
    check_total(&jieba, records, total_bundled);

    let mut tags: Vec<&str> = words.values().map(|w| w.tag.as_str()).collect();
    tags.sort_unstable();
    tags.dedup();
    assert!(tags.len() <= 256, "{} tags do not fit a byte", tags.len());

    let mut map = fst::MapBuilder::memory();
    let mut freqs = Vec::with_capacity(words.len() * 4);
    let mut tag_ids = Vec::with_capacity(words.len());
    let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
    for (id, (word, w)) in words.iter().enumerate() {
        let id = u32::try_from(id).expect("ids fit u32");
        map.insert(word, u64::from(id)).expect("words in order");
        freqs.extend_from_slice(&w.own.unwrap_or(ABSENT).to_le_bytes());
        let tag = tags.binary_search(&w.tag.as_str()).expect("tag listed");
        tag_ids.push(u8::try_from(tag).expect("checked above"));
        ids.insert(word, id);
    }
    let mut entries = Vec::with_capacity(bundled.len() * 12);
    for (word, freq, general) in &bundled {
        for v in [ids[word.as_str()], *freq, *general] {
            entries.extend_from_slice(&v.to_le_bytes());
        }
    }

    let consts = format!(
        "/// Number of words.\n\
         pub(crate) const WORDS: usize = {};\n\
         /// Total frequency of jieba's own dictionary, as jieba counts it.\n\
         pub(crate) const TOTAL_OWN: usize = {total_own};\n\
         /// Total frequency once the bundled dictionary is added.\n\
         pub(crate) const TOTAL_BUNDLED: usize = {total_bundled};\n\
         /// Number of bundled entries.\n\
         pub(crate) const BUNDLED: usize = {};\n\
         /// The words' tags, by index.\n\
         pub(crate) const TAGS: [&str; {}] = {tags:?};\n",
        words.len(),
        bundled.len(),
        tags.len(),
    );
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(out.join(name), bytes).unwrap_or_else(|e| panic!("cannot write {name}: {e}"))
    };
    write("words.fst", &map.into_inner().expect("fst built"));
    write("freqs.bin", &freqs);
    write("tags.bin", &tag_ids);
    write("bundled.bin", &entries);
    write("dictionary.rs", consts.as_bytes());
}

/// A frequency as stored: below [`ABSENT`].
fn small(freq: usize) -> u32 {
    u32::try_from(freq)
        .ok()
        .filter(|&f| f != ABSENT)
        .unwrap_or_else(|| panic!("frequency {freq} does not fit the prebuilt dictionary"))
}

/// Stops the build unless `jieba` holds `records` words with a total frequency of `total`
/// (jieba-rs shows both only in its `Debug` output).
fn check_total(jieba: &Jieba, records: usize, total: usize) {
    let shown = format!("{jieba:?}");
    let expect = format!("Jieba {{ records_len: {records}, total_freq: {total} }}");
    assert_eq!(
        shown, expect,
        "the dictionary read does not give what jieba loads"
    );
}

/// The dictionary file of the jieba-rs package this crate is built with.
fn jieba_dictionary() -> PathBuf {
    // Offline first: the packages of the platform being built for are downloaded by now. But
    // `cargo metadata` resolves the whole workspace, dev-dependencies and the Python package's
    // crates included, whose manifests a first `cargo build` has not fetched; then it is asked
    // again with the registry allowed.
    let stdout = metadata(true).or_else(|offline| {
        metadata(false).map_err(|online| format!("offline: {offline}\nonline: {online}"))
    });
    let stdout = stdout.unwrap_or_else(|e| panic!("cargo metadata failed:\n{e}"));
    let metadata: serde_json::Value =
        serde_json::from_slice(&stdout).expect("cargo metadata gives JSON");
    let jieba: Vec<&serde_json::Value> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| p["name"] == "jieba-rs")
        .collect();
    let [package] = jieba.as_slice() else {
        panic!("expected one jieba-rs package, found {}", jieba.len());
    };
    let manifest = package["manifest_path"].as_str().expect("manifest_path");
    Path::new(manifest)
        .parent()
        .expect("a manifest has a folder")
        .join("src/data/dict.txt")
}

/// `cargo metadata` for this crate's workspace, on the platform being built for (other
/// platforms' packages may never be downloaded); its standard output, or its error.
fn metadata(offline: bool) -> Result<Vec<u8>, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"))
        .join("Cargo.toml");
    let target = std::env::var("TARGET").expect("TARGET");
    let mut command = Command::new(cargo);
    command
        .args(["metadata", "--format-version", "1", "--locked"])
        .args(["--filter-platform", &target])
        .arg("--manifest-path")
        .arg(&manifest);
    if offline {
        command.arg("--offline");
    }
    let output = command.output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(String::from_utf8_lossy(&output.stderr).trim().to_string())
    }
}
