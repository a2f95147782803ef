//! Golden test over the seed corpus (`data/corpus`): the reports, their metadata and a
//! fingerprint of each cleaned text are compared with `tests/data/seeds.expected.tsv`
//! (rewrite it with `TIFA_UPDATE_GOLDEN=1 cargo test -p tifa-clean --test seeds`), and the
//! properties a user checks by eye are asserted directly.

use std::path::{Path, PathBuf};

use tifa_clean::{run, Config};
use tifa_core::{Corpus, NoProgress};

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus")
}

fn clean(root: &Path) -> Corpus {
    run(&[root.to_path_buf()], &Config::default(), &NoProgress).unwrap()
}

fn golden(corpus: &Corpus) -> String {
    let mut s =
        String::from("id\ttitle\tregion\tlevel\tbody\tyear\tchars\ttext_fingerprint\topening\n");
    for d in &corpus.documents {
        let m = &d.meta;
        // The first 60 characters beside the hash, so a change shows in review as text.
        let opening: String = d
            .text
            .chars()
            .take(60)
            .map(|c| match c {
                '\n' => '⏎',
                '\t' => ' ',
                c => c,
            })
            .collect();
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:016x}\t{}\n",
            d.id,
            d.title,
            m.region.as_deref().unwrap_or(""),
            m.level.as_deref().unwrap_or(""),
            m.body.as_deref().unwrap_or(""),
            m.year.map(|y| y.to_string()).unwrap_or_default(),
            d.text.chars().count(),
            tifa_core::fingerprint(d.text.as_bytes()),
            opening
        ));
    }
    s
}

#[test]
fn seeds_match_golden_file() {
    let corpus = clean(&seeds());
    let got = golden(&corpus);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seeds.expected.tsv");
    if std::env::var_os("TIFA_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(got, want, "cleaned seeds differ from {}", path.display());
}

#[test]
fn seeds_give_35_reports_with_npc_and_cppcc_told_apart() {
    let corpus = clean(&seeds());
    assert_eq!(corpus.documents.len(), 35);
    assert!(corpus.skipped.is_empty(), "{:?}", corpus.skipped);
    let compilation: Vec<_> = corpus
        .documents
        .iter()
        .filter(|d| d.source.starts_with("004_"))
        .collect();
    assert_eq!(compilation.len(), 31);
    let body = |b: &str| {
        compilation
            .iter()
            .filter(|d| d.meta.body.as_deref() == Some(b))
            .count()
    };
    assert_eq!((body("npc"), body("cppcc")), (24, 7));
    assert_eq!(compilation[0].id, format!("{}#1", compilation[0].source));
    // The table of contents at the top is not a report, and no title is a numbered entry.
    assert!(compilation
        .iter()
        .all(|d| !d.title.starts_with(|c: char| c.is_ascii_digit())));
    assert_eq!(corpus.log.len(), 35);
}

#[test]
fn seeds_are_clean() {
    let corpus = clean(&seeds());
    let han = |c: char| tifa_core::text::is_han(c);
    for d in &corpus.documents {
        let t = &d.text;
        for bad in [
            "http",
            "www.",
            ".com",
            "淘宝",
            "微信:",
            "微信：",
            "扫描二维码",
            "点击进入",
            "整理,每天更新",
            "- 1 -",
            "\u{FFFD}",
            "[1]",
            "[8]",
            "①",
            "傲礁鋈妨",
            "吹乇",
            "钡闹页",
            "图为",
            "本报记者",
            "本报讯",
            "新华社北京",
        ] {
            assert!(!t.contains(bad), "{}: `{bad}` left in text", d.id);
        }
        let chars: Vec<char> = t.chars().collect();
        for w in chars.windows(3) {
            let half = matches!(w[1], ',' | ';' | ':' | '!' | '?' | '(' | ')' | '"' | '\'');
            assert!(
                !(han(w[0]) && half && han(w[2])),
                "{}: half-width punctuation in `{}`",
                d.id,
                w.iter().collect::<String>()
            );
        }
        assert!(!t.contains(' '), "{}: space left in Chinese text", d.id);
        for line in t.lines() {
            assert!(
                line.chars().count() > 1 || line.chars().all(char::is_alphanumeric),
                "{}: debris line `{line}`",
                d.id
            );
        }
    }
}

#[test]
fn phrases_broken_across_lines_are_whole() {
    let corpus = clean(&seeds());
    let text_of = |prefix: &str| {
        corpus
            .documents
            .iter()
            .filter(|d| d.source.starts_with(prefix))
            .map(|d| d.text.clone())
            .collect::<String>()
    };
    for (file, phrase) in [
        ("000_", "坚持高质量做好立法工作"),
        (
            "000_",
            "以习近平同志为核心的党中央团结带领全党全军全国各族人民",
        ),
        ("001_", "彰显了中国特色社会主义制度的巨大优越性"),
        ("002_", "坚持以习近平新时代中国特色社会主义思想为指导"),
        ("002_", "刘文勤"),
        ("004_", "深刻领悟“两个确立”的决定性意义"),
    ] {
        assert!(
            text_of(file).contains(phrase),
            "{file}: `{phrase}` not whole"
        );
    }
}

#[test]
fn gb18030_and_utf16_copies_clean_to_the_same_texts() {
    let utf8 = clean(&seeds());
    for (name, encode) in [
        (
            "gb18030",
            (|s: &str| encoding_rs::GB18030.encode(s).0.into_owned()) as fn(&str) -> Vec<u8>,
        ),
        ("utf16le-bom", |s: &str| {
            let mut b = vec![0xFF, 0xFE];
            b.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
            b
        }),
        ("utf16be", |s: &str| {
            s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
        }),
    ] {
        let dir = tempfile::tempdir().unwrap();
        for e in std::fs::read_dir(seeds()).unwrap() {
            let e = e.unwrap();
            let text = std::fs::read_to_string(e.path()).unwrap();
            std::fs::write(dir.path().join(e.file_name()), encode(&text)).unwrap();
        }
        let other = clean(dir.path());
        assert_eq!(other.documents, utf8.documents, "{name}");
    }
}
