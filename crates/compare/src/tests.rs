//! Stage-level tests on small hand-made corpora, counted by brute force.

use std::collections::BTreeMap;

use tifa_core::{
    Branching, Counts, DocInfo, Kind, Meta, NoProgress, PhraseStats, SegDoc, Segmented, TokenKind,
    Vocab,
};

use super::*;

fn entropy(neigh: &BTreeMap<Option<u32>, u32>, tf: u32) -> Branching {
    let mut h = 0.0f64;
    let mut distinct = 0;
    let mut boundary = 0;
    for (k, &c) in neigh {
        match k {
            Some(_) => {
                distinct += 1;
                let p = f64::from(c) / f64::from(tf);
                h -= p * p.ln();
            }
            None => {
                boundary += c;
                let p = 1.0 / f64::from(tf);
                h -= f64::from(c) * p * p.ln();
            }
        }
    }
    Branching {
        distinct,
        boundary,
        entropy: h as f32,
    }
}

/// Segments space-separated texts and counts every phrase with df ≥ 2 by brute force, the way
/// the count stage defines it.
fn corpus(texts: &[(&str, Option<u16>)]) -> (Counts, Segmented) {
    let words: Vec<&str> = texts.iter().map(|(t, _)| *t).collect();
    let mut seg = tifa_core::testing::corpus_str(&words);
    let mut infos = Vec::new();
    for (i, ((doc, stream), (_, year))) in seg
        .documents
        .iter_mut()
        .zip(&seg.docs)
        .zip(texts)
        .enumerate()
    {
        doc.meta = Meta {
            year: *year,
            body: Some(if i % 2 == 0 { "npc" } else { "cppcc" }.to_string()),
            ..Meta::default()
        };
        infos.push(DocInfo {
            id: doc.id.clone(),
            title: doc.title.clone(),
            source: doc.source.clone(),
            meta: doc.meta.clone(),
            tokens: stream.tokens.len() as u64,
            chars: doc.text.chars().count() as u64,
        });
    }
    let terms = seg.vocab.terms.clone();
    let kinds = seg.vocab.kinds.clone();
    #[derive(Default)]
    struct Acc {
        tf: u32,
        per_doc: BTreeMap<u32, u32>,
        left: BTreeMap<Option<u32>, u32>,
        right: BTreeMap<Option<u32>, u32>,
        quoted: u32,
    }
    let mut acc: BTreeMap<Vec<u32>, Acc> = BTreeMap::new();
    let mut unigram_tf = vec![0u64; terms.len()];
    let word = |t: u32| matches!(kinds[t as usize], TokenKind::Word | TokenKind::Number);
    for (d, doc) in seg.docs.iter().enumerate() {
        for &x in &doc.tokens {
            unigram_tf[x as usize] += 1;
        }
        // As the count stage reads it: quotation marks left out, remembered before each token.
        let (mut t, mut opened, mut closed) = (Vec::new(), vec![false], vec![false]);
        for &x in &doc.tokens {
            match kinds[x as usize] {
                TokenKind::Open => *opened.last_mut().unwrap() = true,
                TokenKind::Close => *closed.last_mut().unwrap() = true,
                _ => {
                    t.push(x);
                    opened.push(false);
                    closed.push(false);
                }
            }
        }
        let marked = |i: usize| opened[i] || closed[i];
        for i in 0..t.len() {
            for j in i + 1..=t.len() {
                if kinds[t[j - 1] as usize].is_hard_boundary() {
                    break;
                }
                let a = acc.entry(t[i..j].to_vec()).or_default();
                a.tf += 1;
                *a.per_doc.entry(d as u32).or_insert(0) += 1;
                let l = (i > 0 && word(t[i - 1]) && !marked(i)).then(|| t[i - 1]);
                let r = (j < t.len() && word(t[j]) && !marked(j)).then(|| t[j]);
                *a.left.entry(l).or_insert(0) += 1;
                *a.right.entry(r).or_insert(0) += 1;
                if opened[i] && closed[j] && (i + 1..j).all(|k| !marked(k)) {
                    a.quoted += 1;
                }
            }
        }
    }
    let phrases = acc
        .into_iter()
        .filter(|(_, a)| a.per_doc.len() >= 2)
        .map(|(tokens, a)| PhraseStats {
            tokens,
            tf: a.tf,
            df: a.per_doc.len() as u32,
            per_doc: a.per_doc.into_iter().collect(),
            left: entropy(&a.left, a.tf),
            right: entropy(&a.right, a.tf),
            quoted: a.quoted,
            numeric: 0,
            open_after: 0,
        })
        .collect();
    let counts = Counts {
        docs: infos,
        vocab: seg.vocab.clone(),
        n_tokens: seg.docs.iter().map(|d| d.tokens.len() as u64).sum(),
        unigram_tf,
        min_df: 2,
        phrases,
        skipped: Vec::new(),
    };
    (counts, seg)
}

/// Keeps only closed phrases, as the count stage does by default: no phrase one token longer
/// that starts or ends with it has the same term frequency.
fn keep_closed(counts: &mut Counts) {
    let tf: BTreeMap<Vec<u32>, u32> = counts
        .phrases
        .iter()
        .map(|p| (p.tokens.to_vec(), p.tf))
        .collect();
    let closed = |p: &tifa_core::Phrase| {
        !tf.iter().any(|(q, &f)| {
            f == p.tf
                && q.len() == p.tokens.len() + 1
                && (q.starts_with(p.tokens) || q.ends_with(p.tokens))
        })
    };
    counts.phrases = counts
        .phrases
        .iter()
        .filter(|p| closed(p))
        .map(|p| p.to_stats())
        .collect();
}

const TEXTS: &[(&str, Option<u16>)] = &[
    ("我们 要 增强 四个意识 、 坚定 四个自信 、 做到 两个维护 。 坚持 科学立法 、 民主立法 、 依法立法 ， 推进 工作 。 “ 两个维护 ” 是 根本 。", Some(2017)),
    ("必须 增强 四个意识 、 坚定 四个自信 、 做到 两个维护 。 我们 坚持 科学立法 、 民主立法 、 依法立法 。 落实 有件必备 、 有备必审 、 有错必纠 。", Some(2018)),
    ("全体 干部 要 做到 两个维护 ， 增强 四个意识 。 常委会 坚持 科学立法 、 民主立法 、 依法立法 ， 审议 议案 。 “ 两个维护 ” 落实 。", Some(2019)),
    ("会议 强调 做到 两个维护 。 坚持 有件必备 、 有备必审 、 有错必纠 ， 审查 文件 。 我们 的 四个意识 更加 牢固 。 报告 提出 两个维护 要求 。", Some(2019)),
    ("一年来 ， 增强 四个意识 、 坚定 四个自信 、 做到 两个维护 ， 推进 科学立法 、 民主立法 、 依法立法 。 坚持 有件必备 、 有备必审 、 有错必纠 。", Some(2020)),
    ("各级 人大 坚持 两个维护 ， 四个意识 明显 增强 。 践行 两个维护 ， 学习 四个意识 精神 。 开展 工作 。", Some(2021)),
];

fn lenient() -> Config {
    Config {
        min_entropy: 0.0,
        min_right_entropy_term: 0.0,
        group_by: vec!["body".to_string(), "year".to_string()],
        ..unscored()
    }
}

/// The default config with every candidate's cohesion and score let through: tests of a rule
/// that the score would hide on a corpus of a few lines.
fn unscored() -> Config {
    Config {
        min_cohesion: -1.0,
        min_score: 0.0,
        ..Config::default()
    }
}

fn slogan<'a>(c: &'a Comparison, phrase: &str) -> Option<&'a Slogan> {
    c.slogans.iter().find(|s| s.phrase == phrase)
}

#[test]
fn enumerations_are_single_rows_and_items_are_not() {
    let (counts, seg) = corpus(TEXTS);
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let e = slogan(&c, "科学立法、民主立法、依法立法").expect("enumeration row");
    assert_eq!((e.kind, e.df, e.tf), (Kind::Enumeration, 4, 4));
    let e = slogan(&c, "有件必备、有备必审、有错必纠").expect("enumeration row");
    assert_eq!(e.kind, Kind::Enumeration);
    // Items and partial enumerations are fragments of the whole.
    for part in [
        "科学立法",
        "民主立法、依法立法",
        "科学立法、民主立法",
        "有备必审",
    ] {
        assert!(slogan(&c, part).is_none(), "{part} should be dropped");
    }
}

#[test]
fn numbered_formulations_whole_and_never_padded() {
    let (counts, seg) = corpus(TEXTS);
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let s = slogan(&c, "两个维护").expect("两个维护");
    assert_eq!((s.kind, s.df), (Kind::Numbered, 6));
    assert!(s.quoted_share > 0.0);
    assert_eq!(slogan(&c, "四个意识").map(|s| s.kind), Some(Kind::Numbered));
    for s in &c.slogans {
        for bad in ["的", "要", "是", "、"] {
            assert!(
                !s.phrase.starts_with(bad) && !s.phrase.ends_with(bad),
                "{}",
                s.phrase
            );
        }
    }
}

#[test]
fn ranked_by_df_then_tf_then_phrase() {
    let (counts, seg) = corpus(TEXTS);
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    assert!(!c.slogans.is_empty());
    for (i, w) in c.slogans.windows(2).enumerate() {
        let key = |s: &Slogan| {
            (
                std::cmp::Reverse(s.df),
                std::cmp::Reverse(s.tf),
                s.phrase.clone(),
            )
        };
        assert!(key(&w[0]) < key(&w[1]));
        assert_eq!(w[0].rank as usize, i + 1);
    }
    let top = &c.slogans[0];
    assert!((top.df_pct - 100.0 * f64::from(top.df) / 6.0).abs() < 1e-9);
}

#[test]
fn families_name_their_head() {
    let (counts, seg) = corpus(TEXTS);
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let f = |p: &str| slogan(&c, p).map(|s| s.family.clone());
    assert_eq!(f("两个维护").as_deref(), Some("两个维护"));
    // Its verb-led form, where it is a row, is in its family.
    assert!(f("做到两个维护").is_none_or(|h| h == "两个维护"));
    // The enumeration holds 两个维护 (df 6) and 四个意识 (df 6, lower tf): 两个维护 ranks first.
    assert_eq!(
        f("增强四个意识、坚定四个自信、做到两个维护").as_deref(),
        Some("两个维护")
    );
}

#[test]
fn years_and_examples() {
    let (counts, seg) = corpus(TEXTS);
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let s = slogan(&c, "有件必备、有备必审、有错必纠").unwrap();
    assert_eq!((s.first_year, s.last_year), (Some(2018), Some(2020)));
    assert_eq!(s.per_year, vec![(2018, 1), (2019, 1), (2020, 1)]);
    assert_eq!(s.kwic.len(), 3);
    assert_eq!(s.kwic[0].phrase(), "有件必备、有备必审、有错必纠");
    assert!(s.kwic[0].left().ends_with("。落实"));
    assert_eq!(s.kwic[0].right(), "。");
    assert_eq!(c.summary.years, Some((2017, 2021)));
    assert_eq!(c.summary.n_docs, 6);
    assert_eq!(c.settings.get("min_df").map(String::as_str), Some("2"));
}

#[test]
fn groups_compare_bodies() {
    let (counts, seg) = corpus(TEXTS);
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    assert_eq!(c.groups.len(), 2);
    let body = &c.groups[0];
    assert_eq!(body.field, "body");
    let names: Vec<&str> = body.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, vec!["cppcc", "npc"]);
    let row = body
        .rows
        .iter()
        .find(|r| r.group == "npc" && r.phrase == "两个维护")
        .unwrap();
    assert_eq!((row.df, row.df_rest), (3, 3));
    assert!(row.g2.abs() < 1e-12);
}

#[test]
fn missing_sub_phrases_are_counted_from_the_tokens() {
    let (mut counts, seg) = corpus(TEXTS);
    let full = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    // Keep only phrases of one token and the longest ones, as a compact count stage might.
    counts.phrases = counts
        .phrases
        .iter()
        .filter(|p| p.tokens.len() == 1 || p.tokens.len() >= 5)
        .map(|p| p.to_stats())
        .collect();
    let sparse = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let e = "增强四个意识、坚定四个自信、做到两个维护";
    let a = slogan(&full, e).unwrap();
    let b = slogan(&sparse, e).unwrap();
    assert_eq!(a.cohesion, b.cohesion);
}

#[test]
fn closed_phrases_alone_give_the_same_slogans() {
    let (mut counts, seg) = corpus(TEXTS);
    let full = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let before = counts.phrases.len();
    keep_closed(&mut counts);
    assert!(counts.phrases.len() < before);
    let sparse = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    assert!(!full.slogans.is_empty());
    assert_eq!(full.slogans, sparse.slogans);
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let (counts, seg) = corpus(TEXTS);
    let config = lenient();
    let with = |n: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| run(&counts, &seg, &config, &NoProgress).unwrap())
    };
    let one = with(1);
    assert_eq!(one, with(4));
    assert_eq!(one, with(3));
}

#[test]
fn thresholds_filter() {
    let (counts, seg) = corpus(TEXTS);
    let strict = Config {
        min_df: 5,
        ..lenient()
    };
    let c = run(&counts, &seg, &strict, &NoProgress).unwrap();
    assert!(c.slogans.iter().all(|s| s.df >= 5));
    let capped = Config {
        max_slogans: 2,
        ..lenient()
    };
    assert_eq!(
        run(&counts, &seg, &capped, &NoProgress)
            .unwrap()
            .slogans
            .len(),
        2
    );
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let (counts, mut seg) = corpus(TEXTS);
    seg.docs.pop();
    assert!(matches!(
        run(&counts, &seg, &lenient(), &NoProgress),
        Err(Error::DocMismatch {
            counts: 6,
            segmented: 5
        })
    ));
    let (mut counts, seg) = corpus(TEXTS);
    let mut all: Vec<PhraseStats> = counts.phrases.iter().map(|p| p.to_stats()).collect();
    all[0].tokens.push(9999);
    counts.phrases = all.into_iter().collect();
    assert!(matches!(
        run(&counts, &seg, &lenient(), &NoProgress),
        Err(Error::TokenOutOfRange { id: 9999, .. })
    ));
    // A report index beyond the reports, in every phrase: the top slogan names it.
    let (mut counts, seg) = corpus(TEXTS);
    let mut all: Vec<PhraseStats> = counts.phrases.iter().map(|p| p.to_stats()).collect();
    for p in &mut all {
        p.per_doc.push((77, 1));
    }
    counts.phrases = all.into_iter().collect();
    assert!(matches!(
        run(&counts, &seg, &lenient(), &NoProgress),
        Err(Error::DocOutOfRange {
            doc: 77,
            docs: 6,
            ..
        })
    ));
    let bad = Config {
        max_nested_share: 2.0,
        ..lenient()
    };
    let (counts, seg) = corpus(TEXTS);
    assert!(matches!(
        run(&counts, &seg, &bad, &NoProgress),
        Err(Error::Config {
            key: "max_nested_share",
            ..
        })
    ));
    // A NaN passes no comparison, and weights too large to add up overflow every score.
    let nan = Config {
        min_entropy: f64::NAN,
        ..lenient()
    };
    let huge = Config {
        weights: Weights {
            cohesion: 1e308,
            freedom: 1e308,
            ..Weights::default()
        },
        ..lenient()
    };
    for (bad, key) in [(nan, "min_entropy"), (huge, "weights")] {
        match bad.validate() {
            Err(Error::Config { key: k, .. }) => assert_eq!(k, key),
            other => panic!("{key}: {other:?}"),
        }
    }
}

#[test]
fn empty_corpus_gives_empty_comparison() {
    let c = run(
        &Counts::default(),
        &Segmented::default(),
        &Config::default(),
        &NoProgress,
    )
    .unwrap();
    assert!(c.slogans.is_empty());
    assert_eq!(c.summary.n_docs, 0);
}

#[test]
fn default_config_file_matches_default() {
    let text = include_str!("../../../config/compare.toml");
    let parsed: Config = toml::from_str(text).unwrap();
    assert_eq!(parsed, Config::default());
}

const ALPHABET: &[&str] = &[
    "四个意识",
    "增强",
    "、",
    "的",
    "坚持",
    "“",
    "”",
    "，",
    "。",
    "工作",
    "两个维护",
    "做到",
    "人民代表大会制度",
    "和",
    "完善",
];

/// Checks the frequency of every part of every split of every candidate found in `counts`
/// against `exact`, the frequencies of every recurring sequence; returns the candidates.
fn check_part_frequencies(
    counts: &Counts,
    exact: &BTreeMap<Vec<u32>, u32>,
    config: &Config,
) -> Vec<candidates::Candidate> {
    let lexicon = shape::Lexicon::new(&counts.vocab, config);
    let found = candidates::find(counts, &lexicon, config, &NoProgress);
    let found = maximal::keep_maximal(counts, found, &lexicon, config, &NoProgress);
    let found = introduced::add_introduced(counts, found, &lexicon, config, &NoProgress);
    let part_tf = parts::count(counts, &found, &lexicon, &NoProgress);
    for c in &found {
        let tokens = c.tokens(&counts.phrases);
        for (a, b) in parts::splits(tokens, &lexicon) {
            for part in [&tokens[a], &tokens[b]] {
                if part.len() > 1 {
                    assert_eq!(
                        part_tf.get(part),
                        exact.get(part).map(|&t| u64::from(t)),
                        "{} in {}",
                        counts.vocab.phrase(part),
                        counts.vocab.phrase(tokens)
                    );
                }
            }
        }
    }
    found
}

#[test]
fn a_verb_led_formulation_s_prefixes_count_where_the_verb_is_absent() {
    // 增强 leads two numbered formulations, so it introduces 完善工作的制度, which always
    // follows it; its prefix 完善工作 also follows 坚持 and is always followed by 的, so the
    // counts hold neither, and its frequency is that of 完善工作的, not 增强完善工作的. (The
    // long sentence makes the formulation's verb-led form shorter than the longest phrase
    // counted, which might have been cut at count's length cap.)
    let texts: &[(&str, Option<u16>)] = &[
        ("增强 四个意识 。 增强 两个维护 。 增强 完善 工作 的 制度 ， 推进 。 坚持 完善 工作 的 原则 。 人民 代表 大会 制度 是 根本 政治 制度 安排 。", Some(2020)),
        ("增强 四个意识 ， 增强 两个维护 。 增强 完善 工作 的 制度 。 坚持 完善 工作 的 要求 。 人民 代表 大会 制度 是 根本 政治 制度 安排 。", Some(2021)),
        ("增强 完善 工作 的 制度 ， 做到 两个维护 ， 树牢 四个意识 。 落实 完善 工作 的 方法 。", Some(2022)),
    ];
    let (mut counts, _) = corpus(texts);
    let exact: BTreeMap<Vec<u32>, u32> = counts
        .phrases
        .iter()
        .map(|p| (p.tokens.to_vec(), p.tf))
        .collect();
    as_counted(&mut counts);
    let found = check_part_frequencies(&counts, &exact, &lenient());
    let led = found.iter().find(|c| {
        c.skip == 1 && counts.vocab.phrase(c.tokens(&counts.phrases)) == "完善工作的制度"
    });
    assert!(led.is_some(), "完善工作的制度 is not introduced");
    let prefix: Vec<u32> = ["完善", "工作"]
        .map(|w| counts.vocab.id(w).unwrap())
        .to_vec();
    assert!(counts.get(&prefix).is_none(), "the counts hold 完善工作");
}

/// The phrases the count stage stores by default: none starts or ends with 、, and each is
/// closed among those ([`keep_closed`]).
fn as_counted(counts: &mut Counts) {
    let kinds = counts.vocab.kinds.clone();
    let edge = |t: &u32| kinds[*t as usize] == TokenKind::Enum;
    counts.phrases = counts
        .phrases
        .iter()
        .filter(|p| !p.tokens.first().is_some_and(edge) && !p.tokens.last().is_some_and(edge))
        .map(|p| p.to_stats())
        .collect();
    keep_closed(counts);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever the corpus, the term frequency of every part of every split of every
    /// candidate, verb-led formulations' included, is exact when the counts hold only what the
    /// count stage stores.
    #[test]
    fn part_frequencies_are_exact_from_the_stored_counts(
        snippets in proptest::collection::vec(
            proptest::collection::vec(0usize..ALPHABET.len(), 2..7),
            6,
        ),
        docs in proptest::collection::vec(
            proptest::collection::vec((0usize..9, 0usize..ALPHABET.len()), 5..40),
            2..7,
        )
    ) {
        // Reports made of a few recurring passages and single words between them, so that
        // long phrases recur and share their beginnings and ends.
        let texts: Vec<(String, Option<u16>)> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let words: Vec<&str> = d
                    .iter()
                    .flat_map(|&(s, w)| match snippets.get(s) {
                        Some(snippet) => snippet.iter().map(|&t| ALPHABET[t]).collect(),
                        None => vec![ALPHABET[w]],
                    })
                    .collect();
                (words.join(" "), Some(2000 + i as u16))
            })
            .collect();
        let refs: Vec<(&str, Option<u16>)> = texts.iter().map(|(t, y)| (t.as_str(), *y)).collect();
        let (mut counts, _) = corpus(&refs);
        // Every sequence that occurs in two reports, with its exact frequency.
        let exact: BTreeMap<Vec<u32>, u32> =
            counts.phrases.iter().map(|p| (p.tokens.to_vec(), p.tf)).collect();
        as_counted(&mut counts);
        check_part_frequencies(&counts, &exact, &lenient());
    }

    /// Whatever the corpus: rows are ranked, counts add up, heads head themselves, no row starts
    /// or ends with a particle or 、, and every example shows the slogan itself.
    #[test]
    fn invariants_hold_on_random_corpora(
        docs in proptest::collection::vec(
            proptest::collection::vec(0usize..ALPHABET.len(), 5..60),
            2..7,
        )
    ) {
        let texts: Vec<(String, Option<u16>)> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let words: Vec<&str> = d.iter().map(|&t| ALPHABET[t]).collect();
                (words.join(" "), Some(2000 + i as u16))
            })
            .collect();
        let refs: Vec<(&str, Option<u16>)> = texts.iter().map(|(t, y)| (t.as_str(), *y)).collect();
        let (counts, seg) = corpus(&refs);
        let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
        let n = docs.len() as u32;
        for (i, s) in c.slogans.iter().enumerate() {
            proptest::prop_assert_eq!(s.rank as usize, i + 1);
            proptest::prop_assert!(s.df <= n && s.df <= s.tf && s.df >= 2);
            let sum: u32 = s.per_doc.iter().map(|(_, k)| k).sum();
            proptest::prop_assert_eq!(sum, s.tf);
            proptest::prop_assert_eq!(s.per_year.iter().map(|&(_, k)| k).sum::<u32>(), s.df);
            for edge in ["的", "和", "、", "“", "”"] {
                proptest::prop_assert!(!s.phrase.starts_with(edge) && !s.phrase.ends_with(edge));
            }
            let head = c.slogans.iter().find(|h| h.phrase == s.family).unwrap();
            proptest::prop_assert_eq!(&head.family, &head.phrase);
            for k in &s.kwic {
                // The line shows the text as written, quotation marks included.
                let shown: String = k.phrase().chars().filter(|&c| c != '“' && c != '”').collect();
                proptest::prop_assert_eq!(shown, s.phrase.as_str());
            }
            proptest::prop_assert!((0.0..=1.0).contains(&s.dp));
            proptest::prop_assert!((0.0..=1.0).contains(&s.score));
        }
        for w in c.slogans.windows(2) {
            proptest::prop_assert!(
                (w[0].df, w[0].tf) > (w[1].df, w[1].tf)
                    || ((w[0].df, w[0].tf) == (w[1].df, w[1].tf) && w[0].phrase < w[1].phrase)
            );
        }
    }
}

#[test]
fn examples_do_not_depend_on_the_waves_of_reports() {
    let (counts, seg) = corpus(TEXTS);
    let config = lenient();
    let whole = run(&counts, &seg, &config, &NoProgress).unwrap();
    assert!(whole.slogans.iter().any(|s| !s.kwic.is_empty()));
    for size in [1, 2, 5, 100] {
        let selection = select(&counts, None, &config, &NoProgress).unwrap();
        let mut examples = selection.examples(&config, &NoProgress);
        let docs: Vec<(usize, &str, &SegDoc)> = (seg.docs.iter().zip(&seg.documents))
            .enumerate()
            .map(|(d, (doc, report))| (d, report.text.as_str(), doc))
            .collect();
        for wave in docs.chunks(size) {
            examples.wave(wave);
        }
        let lines = examples.into_lines();
        let got = complete(selection, lines, seg.docs.len(), &config, &NoProgress).unwrap();
        assert_eq!(got, whole, "waves of {size}");
    }
}

#[test]
fn per_report_counts_set_aside_give_the_same_comparison() {
    let (counts, seg) = corpus(TEXTS);
    let config = lenient();
    let whole = run(&counts, &seg, &config, &NoProgress).unwrap();
    assert!(!whole.slogans.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("count.bin");
    tifa_core::format::write(&path, tifa_core::Stage::Count, 0, 0, &counts).unwrap();
    let (_, lean, aside) = tifa_core::read_aside(&path, dir.path()).unwrap();
    let finish = |selection: Selection| {
        let mut examples = selection.examples(&config, &NoProgress);
        examples.segmented(&seg);
        let lines = examples.into_lines();
        complete(selection, lines, seg.docs.len(), &config, &NoProgress).unwrap()
    };
    let borrowed = select(&lean, Some(&aside), &config, &NoProgress).unwrap();
    assert_eq!(finish(borrowed), whole);
    // Taken over, the counts are let go of before the per-report counts are read back.
    let owned = select_owned(lean, &aside, &config, &NoProgress).unwrap();
    assert_eq!(finish(owned), whole);
}

#[test]
fn rows_made_as_they_are_written_give_the_same_bytes() {
    let (counts, seg) = corpus(TEXTS);
    // Groups, families, members and examples in both: everything a row or the file holds.
    let config = lenient();
    assert!(!config.group_by.is_empty());
    let whole = run(&counts, &seg, &config, &NoProgress).unwrap();
    assert!(whole.slogans.iter().any(|s| s.family != s.phrase));
    assert!(whole.slogans.iter().any(|s| !s.kwic.is_empty()));
    let prepared = || {
        let selection = select(&counts, None, &config, &NoProgress).unwrap();
        let mut examples = selection.examples(&config, &NoProgress);
        examples.segmented(&seg);
        let lines = examples.into_lines();
        prepare(selection, lines, seg.docs.len(), &config, &NoProgress).unwrap()
    };
    let done = prepared();
    assert_eq!(done.len(), whole.slogans.len());
    let streamed = encode(&done.streamed(&NoProgress));
    assert_eq!(streamed, encode(&whole));
    assert_eq!(encode(&prepared().into_comparison(&NoProgress)), streamed);
}

/// A value encoded as compare.bin's payload.
fn encode<T: serde::Serialize>(v: &T) -> Vec<u8> {
    tifa_core::format::encode(tifa_core::Stage::Compare, 0, 0, v).unwrap()
}

#[test]
fn counts_taken_over_refuse_a_report_beyond_the_reports() {
    let (counts, _) = corpus(TEXTS);
    let mut all: Vec<PhraseStats> = counts.phrases.iter().map(|p| p.to_stats()).collect();
    for p in &mut all {
        p.per_doc.push((77, 1));
    }
    let counts = Counts {
        phrases: all.into_iter().collect(),
        ..counts
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("count.bin");
    tifa_core::format::write(&path, tifa_core::Stage::Count, 0, 0, &counts).unwrap();
    let (_, lean, aside) = tifa_core::read_aside(&path, dir.path()).unwrap();
    let got = select_owned(lean, &aside, &lenient(), &NoProgress);
    assert!(matches!(
        got,
        Err(Error::DocOutOfRange {
            doc: 77,
            docs: 6,
            ..
        })
    ));
}

#[test]
fn an_enumeration_after_a_fixed_verb_is_still_a_row() {
    // Always after 提高, so its left entropy is 0 and the longer forms start with that verb or
    // with 不断 (an edge word): the enumeration itself is the row.
    let texts = [
        (
            "要 不断 提高 政治判断力 、 政治领悟力 、 政治执行力 ， 推进 工作 。",
            Some(2020),
        ),
        (
            "我们 提高 政治判断力 、 政治领悟力 、 政治执行力 。 推进 工作 。",
            Some(2021),
        ),
        (
            "干部 要 提高 政治判断力 、 政治领悟力 、 政治执行力 ， 审议 议案 。",
            Some(2022),
        ),
    ];
    let (counts, seg) = corpus(&texts);
    let config = unscored();
    let c = run(&counts, &seg, &config, &NoProgress).unwrap();
    let s = slogan(&c, "政治判断力、政治领悟力、政治执行力").expect("the enumeration is a row");
    assert_eq!(
        (s.kind, s.df, s.evidence.as_str()),
        (Kind::Enumeration, 3, "enumeration")
    );
    assert!(slogan(&c, "提高政治判断力、政治领悟力、政治执行力")
        .is_none_or(|s| s.family == "政治判断力、政治领悟力、政治执行力"));
}

#[test]
fn an_enumeration_keeps_the_word_its_first_item_needs() {
    // 坚持 and 服务 each lead two numbered formulations, so both are learned as verbs that
    // introduce formulations. 坚持 stands outside 人民至上、生命至上 (with it the first item
    // would be longer than its twin), but 服务 is the first item's own word: 服务贸易 is as long
    // as 绿色贸易, 贸易 is not. So 人民至上、生命至上 is a row of its own, and 贸易、绿色贸易、
    // 数字贸易 is not.
    let texts = [
        (
            "必须 坚持 两个维护 。 我们 坚持 四个意识 。 发展 服务 贸易 、 绿色 贸易 、 数字 贸易 ， 推进 工作 。 始终 坚持 人民至上 、 生命 至上 ， 审议 议案 。",
            Some(2023),
        ),
        (
            "全体 坚持 两个维护 ， 服务 两个维护 。 大家 坚持 四个意识 ， 服务 四个意识 。 推动 服务 贸易 、 绿色 贸易 、 数字 贸易 。 我们 坚持 人民至上 、 生命 至上 。",
            Some(2024),
        ),
        (
            "做到 两个维护 ， 服务 两个维护 。 增强 四个意识 ， 服务 四个意识 。 扩大 服务 贸易 、 绿色 贸易 、 数字 贸易 ， 审议 报告 。 全市 坚持 人民至上 、 生命 至上 ， 推进 工作 。",
            Some(2025),
        ),
    ];
    let (counts, seg) = corpus(&texts);
    let config = unscored();
    let c = run(&counts, &seg, &config, &NoProgress).unwrap();
    let s = slogan(&c, "人民至上、生命至上").expect("introduced by 坚持, it is a row");
    assert_eq!((s.kind, s.df), (Kind::Enumeration, 3));
    assert!(slogan(&c, "服务贸易、绿色贸易、数字贸易").is_some());
    assert_eq!(slogan(&c, "贸易、绿色贸易、数字贸易"), None);
}

#[test]
fn names_are_their_own_kind_and_general_words_are_not_slogans() {
    let texts = [
        (
            "常委会 会议 审议 低空 经济 报告 ， 人民群众 满意 。",
            Some(2024),
        ),
        (
            "召开 常委会 会议 ， 发展 低空 经济 、 银发 经济 。 人民群众 支持 。",
            Some(2025),
        ),
        (
            "常委会 会议 指出 ， 低空 经济 起步 。 人民群众 期待 。",
            Some(2025),
        ),
    ];
    let (mut counts, seg) = corpus(&texts);
    // 人民群众 is a word of general Chinese.
    let general: Vec<u32> = counts
        .vocab
        .terms
        .iter()
        .map(|t| if t == "人民群众" { 500 } else { 0 })
        .collect();
    counts.vocab = Vocab::with_general(
        counts.vocab.terms.clone(),
        counts.vocab.kinds.clone(),
        general,
    );
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let kind = |p: &str| slogan(&c, p).map(|s| (s.kind, s.evidence.to_string()));
    assert_eq!(
        kind("常委会会议"),
        Some((Kind::Name, "name-head".to_string()))
    );
    assert_eq!(kind("低空经济"), Some((Kind::Term, "coinage".to_string())));
    assert_eq!(kind("人民群众"), None);
}

#[test]
fn a_formulation_introduced_by_a_learned_verb_is_a_row() {
    // 坚持 leads two numbered formulations, so it is learned as a verb that introduces
    // formulations. It precedes every use of 稳中求进工作总基调: the
    // term has one left neighbour, and closed counts hold it only inside its verb-led form.
    let texts = [
        (
            "会议 要求 坚持 有件必备 、 有备必审 、 有错必纠 。 必须 坚持 两个维护 。 我们 坚持 稳中求进工作总基调 ， 推进 工作 。 始终 坚持 四个意识 。",
            Some(2023),
        ),
        (
            "常委会 坚持 有件必备 、 有备必审 、 有错必纠 ， 审查 文件 。 全体 坚持 两个维护 。 全市 坚持 稳中求进工作总基调 不 动摇 。 大家 坚持 四个意识 。",
            Some(2024),
        ),
        (
            "一年来 做到 两个维护 ， 坚持 有件必备 、 有备必审 、 有错必纠 。 政府 坚持 稳中求进工作总基调 。 增强 四个意识 。",
            Some(2025),
        ),
    ];
    let config = unscored();
    let (mut counts, seg) = corpus(&texts);
    let full = run(&counts, &seg, &config, &NoProgress).unwrap();
    let s = slogan(&full, "稳中求进工作总基调").expect("the introduced formulation is a row");
    assert_eq!((s.kind, s.df, s.tf), (Kind::Term, 3, 3));
    assert_eq!(s.left_entropy, 0.0);
    if let Some(led) = slogan(&full, "坚持稳中求进工作总基调") {
        assert_eq!(led.family, "稳中求进工作总基调");
    }
    // The same from closed phrases only, where the term is held inside 坚持稳中求进工作总基调.
    keep_closed(&mut counts);
    assert!(counts
        .vocab
        .id("稳中求进工作总基调")
        .is_some_and(|id| counts.phrases.iter().all(|p| p.tokens != [id])));
    let sparse = run(&counts, &seg, &config, &NoProgress).unwrap();
    assert_eq!(slogan(&sparse, "稳中求进工作总基调"), Some(s));
    // The enumeration always led by 坚持 is a row of its own there too, and heads its verb-led
    // form.
    assert!(slogan(&sparse, "有件必备、有备必审、有错必纠").is_some());
    assert_eq!(
        slogan(&sparse, "坚持有件必备、有备必审、有错必纠").map(|s| s.family.as_str()),
        Some("有件必备、有备必审、有错必纠")
    );
    // Without a learned verb (no marked formulation led by it), nothing is introduced.
    let plain: Vec<(&str, Option<u16>)> = texts
        .iter()
        .map(|(t, y)| {
            let cut = t
                .find("我们")
                .or(t.find("全市"))
                .or(t.find("政府"))
                .unwrap();
            (&t[cut..], *y)
        })
        .collect();
    let (counts, seg) = corpus(&plain);
    let c = run(&counts, &seg, &config, &NoProgress).unwrap();
    assert!(slogan(&c, "稳中求进工作总基调").is_none());
    // Nor when the dictionary tags the leading word a noun: it is the formulation's own
    // modifier, not a verb introducing it.
    let (mut counts, seg) = corpus(&texts);
    let lead = counts.vocab.id("坚持").unwrap();
    let mut classes = vec![tifa_core::WordClass::Unknown; counts.vocab.len()];
    classes[lead as usize] = tifa_core::WordClass::Nominal;
    counts.vocab.classes = classes;
    let c = run(&counts, &seg, &config, &NoProgress).unwrap();
    assert!(slogan(&c, "稳中求进工作总基调").is_none());
    assert!(slogan(&c, "坚持稳中求进工作总基调").is_some());
}

#[test]
fn a_formulation_introduced_after_fixed_words_is_a_row() {
    // 贯彻 leads three marked formulations and is learned. 新发展理念 always follows
    // 完整准确全面贯彻: it and its verb-led form 贯彻新发展理念 are both closed on their left,
    // so neither is a candidate, and only the whole formula would be a row.
    let texts = |verb: &str| {
        [
            format!("会议 要求 {verb} 有件必备 、 有备必审 、 有错必纠 。 必须 {verb} 两个维护 。 完整 准确 全面 贯彻 新发展理念 ， 推进 工作 。 始终 {verb} 四个意识 。"),
            format!("常委会 {verb} 有件必备 、 有备必审 、 有错必纠 ， 审查 文件 。 全体 {verb} 两个维护 。 完整 准确 全面 贯彻 新发展理念 不 动摇 。 大家 {verb} 四个意识 。"),
            format!("一年来 做到 两个维护 ， {verb} 有件必备 、 有备必审 、 有错必纠 。 完整 准确 全面 贯彻 新发展理念 。 增强 四个意识 。"),
        ]
    };
    let rows = |verb: &str| {
        let texts = texts(verb);
        let texts: Vec<(&str, Option<u16>)> =
            texts.iter().map(|t| (t.as_str(), Some(2025))).collect();
        let (counts, seg) = corpus(&texts);
        run(&counts, &seg, &unscored(), &NoProgress).unwrap()
    };
    let c = rows("贯彻");
    let s = slogan(&c, "新发展理念").expect("the formulation after 完整准确全面贯彻 is a row");
    assert_eq!((s.kind, s.df, s.tf), (Kind::Term, 3, 3));
    // When 贯彻 leads no marked formulation, it is not learned, and nothing is brought back.
    let c = rows("坚持");
    assert!(slogan(&c, "新发展理念").is_none());
}

#[test]
fn combinations_of_common_words_are_vocabulary_unless_quoted() {
    let texts = [
        (
            "落实 决策 部署 ， 发展 低空 经济 。 提出 “ 重大 事项 ” 。",
            Some(2025),
        ),
        (
            "贯彻 决策 部署 ， 推动 低空 经济 。 报告 重大 事项 。",
            Some(2025),
        ),
        (
            "执行 决策 部署 ， 壮大 低空 经济 。 研究 重大 事项 。",
            Some(2025),
        ),
    ];
    let (mut counts, seg) = corpus(&texts);
    let freq = |t: &str| match t {
        "决策" | "部署" | "经济" | "重大" | "事项" => 3000,
        "低空" => 369,
        _ => 0,
    };
    let general: Vec<u32> = counts.vocab.terms.iter().map(|t| freq(t)).collect();
    counts.vocab = Vocab::with_general(
        counts.vocab.terms.clone(),
        counts.vocab.kinds.clone(),
        general,
    );
    let c = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    assert!(slogan(&c, "决策部署").is_none(), "two common words");
    assert!(
        slogan(&c, "低空经济").is_some(),
        "a rare word makes a coinage"
    );
    assert!(
        slogan(&c, "重大事项").is_some(),
        "quoted: marked as a label"
    );
    let off = Config {
        common_word_min_freq: 0,
        ..lenient()
    };
    let c = run(&counts, &seg, &off, &NoProgress).unwrap();
    assert!(slogan(&c, "决策部署").is_some());
}

#[test]
fn only_the_first_kwic_slogans_get_lines() {
    let (counts, seg) = corpus(TEXTS);
    let all = Config {
        kwic_slogans: 0,
        ..lenient()
    };
    let whole = run(&counts, &seg, &all, &NoProgress).unwrap();
    let with: Vec<usize> = (0..whole.slogans.len())
        .filter(|&i| !whole.slogans[i].kwic.is_empty())
        .collect();
    assert!(with.len() >= 2, "{with:?}");
    let n = with[1];
    let some = Config {
        kwic_slogans: n,
        ..lenient()
    };
    let cut = run(&counts, &seg, &some, &NoProgress).unwrap();
    for (i, (a, b)) in whole.slogans.iter().zip(&cut.slogans).enumerate() {
        if i < n {
            assert_eq!(a, b);
        } else {
            assert!(b.kwic.is_empty(), "slogan {i} past kwic_slogans has lines");
            assert_eq!((&a.phrase, a.df, &a.per_doc), (&b.phrase, b.df, &b.per_doc));
        }
    }
}

#[test]
fn a_capped_list_holds_as_many_slogans_each_with_all_its_cuts() {
    // 打破吃大锅饭 is one word and a word in three reports, three words in two: one text, two
    // phrases, merged into one slogan.
    let texts: &[(&str, Option<u16>)] = &[
        ("我们 要 打破 吃大锅饭 局面 。 坚持 科学立法 工作 。", None),
        ("必须 打破 吃大锅饭 做法 。 坚持 科学立法 方针 。", None),
        ("继续 打破 吃大锅饭 现象 。 推进 依法行政 建设 。", None),
        ("坚决 打破 吃 大锅饭 格局 。 推进 依法行政 进程 。", None),
        ("努力 打破 吃 大锅饭 状况 。 审议 议案 工作 。", None),
    ];
    let (counts, seg) = corpus(texts);
    let all = run(&counts, &seg, &lenient(), &NoProgress).unwrap();
    let whole = slogan(&all, "打破吃大锅饭").expect("one row of both cuts");
    assert_eq!(whole.df, 5);
    for cap in 1..=all.slogans.len() {
        let capped = Config {
            max_slogans: cap,
            ..lenient()
        };
        let c = run(&counts, &seg, &capped, &NoProgress).unwrap();
        assert_eq!(c.slogans.len(), cap, "max_slogans {cap}");
        for s in &c.slogans {
            let full = slogan(&all, &s.phrase).unwrap();
            assert_eq!((s.df, s.tf), (full.df, full.tf), "{} at {cap}", s.phrase);
        }
    }
}
