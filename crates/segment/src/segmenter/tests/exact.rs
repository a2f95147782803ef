//! The segmenter for given texts ([`Segmenter::for_texts`]) against the one with the whole
//! dictionary ([`Segmenter::new`]): the same cut of every text, the same general frequency of
//! every term, with the bundled dictionary on and off, with the model on, and with a user
//! dictionary.

use std::path::{Path, PathBuf};

use super::*;
use crate::prebuilt;

/// The seed reports (`data/corpus`), as read.
fn seeds() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no seed reports in {}", dir.display());
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Strings made to trip the segmenter up: dictionary words (jieba's and bundled ones) glued to
/// each other and to random ideographs, rare ideographs, ASCII runs with the symbols jieba
/// keeps inside words, digits full and half width, punctuation, whitespace, other scripts and
/// NUL.
fn adversarial(count: usize, seed: u64) -> Vec<String> {
    let mut words: Vec<String> = prebuilt::dictionary()
        .stream()
        .into_str_keys()
        .unwrap()
        .into_iter()
        .step_by(499)
        .collect();
    let bundled = dict::parse(POLITICAL_DICTIONARY, Path::new("bundled")).unwrap();
    words.extend(bundled.iter().map(|e| e.word.to_string()));
    let odd = [
        "，",
        "。",
        "、",
        "“",
        "”",
        "《",
        "》",
        "（",
        "）",
        "：",
        "；",
        "！",
        "？",
        "——",
        "……",
        "·",
        " ",
        "\n",
        "\r\n",
        "\t",
        "\u{3000}",
        "\u{0}",
        "２０２５",
        "ＡＢ",
        "3.5",
        "5.2%",
        "+",
        "#",
        "&",
        ".",
        "_",
        "%",
        "-",
        "C++",
        "GDP",
        "4S",
        "AA",
        "é",
        "α",
        "한",
        "ア",
        "\u{3400}",
        "\u{F900}",
        "\u{20000}",
        "\u{2A700}",
        "\u{2F800}",
        "😀",
    ];
    let mut rng = Rng(seed);
    (0..count)
        .map(|_| {
            let mut s = String::new();
            for _ in 0..1 + rng.below(30) {
                match rng.below(10) {
                    0..=4 => s.push_str(&words[rng.below(words.len())]),
                    5..=6 => {
                        let c = 0x4E00 + rng.below(0x9FFF - 0x4E00) as u32;
                        s.push(char::from_u32(c).unwrap());
                    }
                    7 => s.push_str(odd[rng.below(odd.len())]),
                    8 => {
                        // A word cut short, or a word with its last character doubled.
                        let w = &words[rng.below(words.len())];
                        let chars: Vec<char> = w.chars().collect();
                        let n = 1 + rng.below(chars.len());
                        s.extend(&chars[..n]);
                        s.push(chars[n - 1]);
                    }
                    _ => {
                        let ascii = b"abcXYZ0123456789+#&._%-";
                        for _ in 0..1 + rng.below(6) {
                            s.push(char::from(ascii[rng.below(ascii.len())]));
                        }
                    }
                }
            }
            s
        })
        .collect()
}

/// jieba's total frequency, which jieba-rs shows only in its `Debug` output.
fn total(s: &Segmenter) -> String {
    let shown = format!("{:?}", s.jieba);
    shown[shown.find("total_freq").unwrap()..].to_string()
}

/// The configs compared, each with the folder its user dictionary is read from.
fn configs() -> (tempfile::TempDir, Vec<Config>) {
    let dir = tempfile::tempdir().unwrap();
    // A new word; jieba's words raised, lowered (中国 to 1) and left to jieba's suggestion; a
    // bundled word changed; a word made of words, without a frequency.
    std::fs::write(
        dir.path().join("mine.txt"),
        "有件必备 50 nz\n人民民主 3\n中国 1 ns\n高质量\n全过程人民民主 10\n\
         发展新质生产力\n两个维护 1\nGDP增长 200\n",
    )
    .unwrap();
    let user = vec![PathBuf::from("mine.txt")];
    let configs = vec![
        Config::default(),
        Config {
            political_dictionary: false,
            ..Config::default()
        },
        Config {
            hmm: true,
            ..Config::default()
        },
        Config {
            user_dictionaries: user.clone(),
            ..Config::default()
        },
        Config {
            political_dictionary: false,
            hmm: true,
            user_dictionaries: user,
            ..Config::default()
        },
    ];
    (dir, configs)
}

/// Asserts that `restricted` cuts `text` as `full` does, token for token, and gives its words
/// the same general frequency and class.
fn assert_same_cut(full: &Segmenter, restricted: &Segmenter, text: &str, what: &str) {
    let (a, b) = (full.tokens(text), restricted.tokens(text));
    if a != b {
        let i = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(0);
        let (x, y) = (&a[i.saturating_sub(3)..], &b[i.saturating_sub(3)..]);
        panic!(
            "{what}: cuts differ at token {i} of {text:?}:\n  full:       {:?}\n  restricted: {:?}",
            &x[..x.len().min(8)],
            &y[..y.len().min(8)]
        );
    }
    for t in &a {
        assert_eq!(
            (full.general(t.term), full.class(t.term)),
            (restricted.general(t.term), restricted.class(t.term)),
            "{what}: general frequency and class of {:?}",
            t.term
        );
    }
}

#[test]
fn restricted_cuts_the_seeds_and_odd_strings_as_the_full_dictionary() {
    let seeds = seeds();
    let odd = adversarial(300, 0x7469_6661);
    let (dir, configs) = configs();
    for config in &configs {
        let what = format!("{config:?}");
        let full = Segmenter::new(config, dir.path()).unwrap();
        // One segmenter for all the texts, as the segment stage builds it.
        let texts: Vec<&str> = seeds.iter().chain(&odd).map(String::as_str).collect();
        let all = Segmenter::restricted(config, dir.path(), &texts).unwrap();
        assert_eq!(total(&all), total(&full), "{what}");
        assert_eq!(all.fingerprint(), full.fingerprint(), "{what}");
        for text in &texts {
            assert_same_cut(&full, &all, text, &what);
        }
        // One segmenter per text, holding the fewest words, as `tifa cut` builds it.
        for text in seeds.iter().chain(&odd[..60]) {
            let one = Segmenter::restricted(config, dir.path(), &[text]).unwrap();
            assert_eq!(total(&one), total(&full), "{what}");
            assert_same_cut(&full, &one, text, &what);
        }
    }
}

#[test]
fn each_odd_string_alone_is_cut_as_the_full_dictionary_cuts_it() {
    let full = default_segmenter();
    for text in adversarial(400, 0x5eed_1234_abcd) {
        let one = Segmenter::restricted(&Config::default(), Path::new("."), &[&text]).unwrap();
        assert_same_cut(full, &one, &text, "default config");
        // What `tifa cut` shows, too.
        assert_eq!(one.cut(&text), full.cut(&text));
    }
}

#[test]
fn the_segment_stage_gives_the_same_corpus_and_vocabulary() {
    let seeds = seeds();
    let corpus = || tifa_core::Corpus {
        documents: seeds
            .iter()
            .enumerate()
            .map(|(i, t)| tifa_core::Document {
                id: format!("r{i}.txt"),
                title: format!("report {i}"),
                source: format!("r{i}.txt"),
                meta: tifa_core::Meta::default(),
                text: t.clone(),
            })
            .collect(),
        ..tifa_core::Corpus::default()
    };
    let (dir, configs) = configs();
    for config in &configs {
        let full = Segmenter::new(config, dir.path()).unwrap();
        let texts: Vec<&str> = seeds.iter().map(String::as_str).collect();
        let restricted = Segmenter::for_texts(config, dir.path(), &texts).unwrap();
        let a = crate::run(corpus(), &full, &tifa_core::NoProgress).unwrap();
        let b = crate::run(corpus(), &restricted, &tifa_core::NoProgress).unwrap();
        // Every term's general frequency, every token stream.
        assert!(a.vocab.len() > 1000);
        assert_eq!(a, b, "{config:?}");
    }
}

#[test]
fn large_texts_get_the_whole_dictionary() {
    let text = "发展全过程人民民主。".repeat(RESTRICTED_MAX_BYTES / 30 + 1);
    let s = Segmenter::for_texts(&Config::default(), Path::new("."), &[&text]).unwrap();
    // Every word of jieba's own dictionary is there, whatever the text.
    assert!(s.jieba.has_word("乌托邦"));
    let small = Segmenter::for_texts(&Config::default(), Path::new("."), &["发展"]).unwrap();
    assert!(!small.jieba.has_word("乌托邦"));
    assert!(small.jieba.has_word("发展"));
}
