//! Small hand-made corpora with the counts a reader can check by eye.

use tifa_core::testing::{corpus_str, ids};
use tifa_core::NoProgress;
use tifa_count::{run, Config, Error};

const ENUMERATION: &str = "有件必备 、 有备必审 、 有错必纠";

fn reports() -> tifa_core::Segmented {
    corpus_str(&[
        "要 坚持 有件必备 、 有备必审 、 有错必纠 ， 增强 “ 四个 意识 ” 。",
        "我们 坚持 有件必备 、 有备必审 、 有错必纠 。 “ 四个 意识 ” 更加 牢固",
        "以 习近平 同志 为 核心 的 党中央 周围 ， 增强 四个 意识 。",
        "紧密 团结 在 以 习近平 同志 为 核心 的 党中央 周围",
    ])
}

#[test]
fn an_enumeration_is_one_phrase() {
    let seg = reports();
    // Always after 坚持, the enumeration is not closed: it is stored when every short phrase is.
    let every_short = Config {
        max_short: 6,
        ..Config::default()
    };
    let counts = run(&seg, &every_short, &NoProgress).unwrap();
    let p = counts
        .get(&ids(&seg, ENUMERATION))
        .expect("enumeration counted");
    assert_eq!((p.tf, p.df), (2, 2));
    assert_eq!(p.per_doc, vec![(0, 1), (1, 1)]);
    // Left: 坚持 both times; right: a clause mark and a sentence mark.
    assert_eq!((p.left.distinct, p.left.boundary), (1, 0));
    assert_eq!((p.right.distinct, p.right.boundary), (0, 2));
    // No phrase starts or ends with 、.
    assert!(counts.phrases.iter().all(|p| {
        let first = seg.vocab.term(p.tokens[0]);
        let last = seg.vocab.term(*p.tokens.last().unwrap());
        first != "、" && last != "、"
    }));
    // By default only its closed extension is stored, with the same counts.
    let closed = run(&seg, &Config::default(), &NoProgress).unwrap();
    assert!(closed.get(&ids(&seg, ENUMERATION)).is_none());
    let c = closed
        .get(&ids(&seg, &format!("坚持 {ENUMERATION}")))
        .expect("closed extension counted");
    assert_eq!((c.tf, c.df), (2, 2));
    assert_eq!(c.per_doc, vec![(0, 1), (1, 1)]);
}

#[test]
fn quoted_occurrences_are_counted() {
    let seg = reports();
    let counts = run(&seg, &Config::default(), &NoProgress).unwrap();
    let p = counts.get(&ids(&seg, "四个 意识")).expect("counted");
    assert_eq!((p.tf, p.df, p.quoted), (3, 3, 2));
    // Quotes bound phrases: nothing counted contains one.
    assert!(counts.get(&ids(&seg, "“ 四个 意识")).is_none());
}

#[test]
fn a_long_formula_is_stored_whole_and_its_inner_parts_are_not() {
    let seg = reports();
    let config = Config {
        max_short: 2,
        ..Config::default()
    };
    let counts = run(&seg, &config, &NoProgress).unwrap();
    let whole = counts
        .get(&ids(&seg, "以 习近平 同志 为 核心 的 党中央 周围"))
        .expect("whole formula counted");
    assert_eq!((whole.tf, whole.df), (2, 2));
    // Always inside the whole formula and longer than max_short: not closed, not stored.
    assert!(counts.get(&ids(&seg, "习近平 同志 为 核心")).is_none());
    // Short parts are stored.
    assert_eq!(counts.get(&ids(&seg, "习近平 同志")).map(|p| p.tf), Some(2));
    // Clause marks are never inside a phrase.
    assert!(counts.get(&ids(&seg, "周围 ， 增强")).is_none());
}

#[test]
fn docs_and_totals_describe_the_corpus() {
    let seg = reports();
    let counts = run(&seg, &Config::default(), &NoProgress).unwrap();
    assert_eq!(counts.docs.len(), 4);
    assert_eq!(counts.docs[0].id, "doc0.txt");
    assert_eq!(counts.docs[0].tokens, seg.docs[0].tokens.len() as u64);
    assert_eq!(
        counts.docs[0].chars,
        seg.documents[0].text.chars().count() as u64
    );
    assert_eq!(counts.min_df, 2);
    let total: u64 = seg.docs.iter().map(|d| d.tokens.len() as u64).sum();
    assert_eq!(counts.n_tokens, total);
    let id = seg.vocab.id("坚持").unwrap();
    assert_eq!(counts.unigram_tf[id as usize], 2);
}

#[test]
fn bad_input_is_refused_with_a_named_error() {
    let mut seg = reports();
    seg.docs[1].tokens.push(9999);
    assert!(matches!(
        run(&seg, &Config::default(), &NoProgress),
        Err(Error::UnknownToken { id: 9999, .. })
    ));
    let mut seg = reports();
    seg.docs.pop();
    assert!(matches!(
        run(&seg, &Config::default(), &NoProgress),
        Err(Error::MismatchedDocuments { .. })
    ));
    let config = Config {
        min_df: 0,
        ..Config::default()
    };
    assert!(matches!(
        run(&reports(), &config, &NoProgress),
        Err(Error::Config { .. })
    ));
}

#[test]
fn an_empty_corpus_counts_nothing() {
    let seg = corpus_str(&[]);
    let counts = run(&seg, &Config::default(), &NoProgress).unwrap();
    assert!(counts.phrases.is_empty());
    assert_eq!(counts.n_tokens, 0);
    let seg = corpus_str(&["", "。 ， 、"]);
    let counts = run(&seg, &Config::default(), &NoProgress).unwrap();
    assert!(counts.phrases.is_empty());
}

#[test]
fn quotation_marks_are_transparent_and_still_boundaries() {
    let seg = corpus_str(&[
        "增强 “ 四个 意识 ” 、 坚定 “ 四个 自信 ” 。 “ 内卷 式 ” 竞争",
        "增强 “ 四个 意识 ” 、 坚定 “ 四个 自信 ” 。 内卷 式 竞争 加剧",
        "要 增强 四个 意识 ， 整治 内卷 式 竞争",
    ]);
    let counts = run(&seg, &Config::default(), &NoProgress).unwrap();
    // The enumeration forms across the quotation marks, which are not part of it.
    let e = counts
        .get(&ids(&seg, "增强 四个 意识 、 坚定 四个 自信"))
        .expect("enumeration across quotes counted");
    assert_eq!((e.tf, e.df), (2, 2));
    // A partly quoted phrase joins its unquoted form.
    let p = counts.get(&ids(&seg, "内卷 式 竞争")).expect("counted");
    assert_eq!((p.tf, p.df, p.quoted), (3, 3, 0));
    // The quoted item keeps its own row: a mark is a boundary, so the verb before it does not
    // make it a fragment, and its quoted occurrences are counted.
    let q = counts.get(&ids(&seg, "四个 意识")).expect("counted");
    assert_eq!((q.tf, q.quoted), (3, 2));
    assert_eq!(q.left.boundary, 2);
}

#[test]
fn occurrences_followed_by_a_number_are_counted() {
    let seg = corpus_str(&[
        "地区 生产总值 增长 5 % ， 乡村 振兴 取得 成效",
        "地区 生产总值 达到 1200 亿元 ， 推进 乡村 振兴 。",
        "地区 生产总值 稳步 提升 ， 乡村 振兴 2025",
    ]);
    let counts = run(&seg, &Config::default(), &NoProgress).unwrap();
    let g = counts.get(&ids(&seg, "地区 生产总值")).expect("counted");
    // Two of three are followed by a number within three tokens of the clause.
    assert_eq!((g.tf, g.numeric), (3, 2));
    let r = counts.get(&ids(&seg, "乡村 振兴")).expect("counted");
    assert_eq!((r.tf, r.numeric), (3, 1));
}
