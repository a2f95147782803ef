//! Term and document frequency of any string over the cleaned texts: what `tifa lookup`
//! answers.
//!
//! A user types a string and expects the number of times it is in the reports, whether or not
//! the segmenter cut a word boundary at its ends (八项规定 inside 中央八项规定精神, 营商 inside
//! 营商环境). So the answer does not come from the token counts but from a plain substring
//! search of each report's cleaned text, the text `tifa inspect --json clean.bin` shows.
//!
//! Rules, chosen so that a row of `slogans.tsv` and its lookup speak of the same string:
//! - Quotation and title marks ([`tifa_core::text::Quote`]) are transparent, as a slogan row is written
//!   without them: they are removed from the query, and the texts are searched as if they held
//!   none, so `增强四个意识` matches `增强“四个意识”`.
//! - Whitespace around the query is trimmed. A query that is empty after that (or made only of
//!   marks) occurs nowhere: tf 0, df 0.
//! - Occurrences do not overlap, as with `str::matches` or Python's `str.count`: `哈哈` occurs
//!   once in `哈哈哈`. For the strings users look up (formulations, which rarely begin with
//!   their own ending) this changes nothing, and it is the count any text editor or `grep -o`
//!   shows, so a user can check it.
//! - df is the number of reports with at least one occurrence.
//!
//! Speed: the reports are searched in parallel, each once for all queries, with `memchr`'s
//! `memmem` (SIMD substring search). A report that holds marks is first copied without them
//! into a buffer that each thread reuses; one without marks is searched where it lies. Read
//! from clean.bin ([`Lookup::search_file`]), the texts are searched wave by wave while the
//! next wave is decoded, as bytes (the checksum says tifa wrote them as UTF-8, so they are
//! not checked again, which was a large share of the time).

use std::path::Path;

use memchr::memmem::Finder;
use rayon::prelude::*;
use tifa_core::format::{self, FormatError, Header, Stage};
use tifa_core::{Document, Slogan};

/// True for a quotation or title mark, which counting reads across too
/// ([`tifa_core::text::quote_mark`]).
pub fn is_quote_mark(c: char) -> bool {
    tifa_core::text::quote_mark(c).is_some()
}

/// The string that is searched for `query`: without quote marks, trimmed.
pub fn normalise(query: &str) -> String {
    let stripped: String = query.chars().filter(|&c| !is_quote_mark(c)).collect();
    stripped.trim().to_string()
}

/// Occurrences of one query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hits {
    /// Occurrences in all reports.
    pub tf: u64,
    /// Reports with at least one occurrence.
    pub df: u64,
}

impl Hits {
    fn add(&mut self, other: Hits) {
        self.tf += other.tf;
        self.df += other.df;
    }
}

/// A set of queries ready to search reports with: [`Lookup::search`].
pub struct Lookup {
    /// One finder per query; `None` for a query that is empty once normalised.
    finders: Vec<Option<Finder<'static>>>,
    /// The queries normalised, the empty one left out.
    needles: rustc_hash::FxHashSet<String>,
}

impl Lookup {
    /// Prepares the queries (see the module documentation for how they are normalised).
    pub fn new<S: AsRef<str>>(queries: &[S]) -> Lookup {
        let needles: Vec<String> = queries.iter().map(|q| normalise(q.as_ref())).collect();
        let finders = needles
            .iter()
            .map(|n| (!n.is_empty()).then(|| Finder::new(n.as_bytes()).into_owned()))
            .collect();
        let needles = needles.into_iter().filter(|n| !n.is_empty()).collect();
        Lookup { finders, needles }
    }

    /// True when `phrase` (a slogan's), without quote marks, is one of the queries: whether
    /// [`slogans`] could pick its row.
    pub fn wants(&self, phrase: &str) -> bool {
        if phrase.contains(is_quote_mark) {
            self.needles.contains(&normalise(phrase))
        } else {
            self.needles.contains(phrase)
        }
    }

    /// The [`Hits`] of each query, in the order given, over the texts of `docs`.
    pub fn search(&self, docs: &[Document]) -> Vec<Hits> {
        let texts: Vec<&str> = docs.iter().map(|d| d.text.as_str()).collect();
        self.search_texts(&texts)
    }

    /// The [`Hits`] of each query, in the order given, over `texts` (UTF-8). Hits of disjoint
    /// sets of reports add up, so a corpus can be searched in parts and the results summed
    /// with [`add_hits`].
    pub fn search_texts<T: AsRef<[u8]> + Sync>(&self, texts: &[T]) -> Vec<Hits> {
        let none = || vec![Hits::default(); self.finders.len()];
        texts
            .par_iter()
            .fold(
                || (none(), Vec::new()),
                |(mut hits, mut buf), text| {
                    let hay = without_marks(text.as_ref(), &mut buf);
                    for (h, f) in hits.iter_mut().zip(&self.finders) {
                        if let Some(f) = f {
                            let n = f.find_iter(hay).count() as u64;
                            h.add(Hits {
                                tf: n,
                                df: u64::from(n > 0),
                            });
                        }
                    }
                    (hits, buf)
                },
            )
            .map(|(hits, _)| hits)
            .reduce(none, |mut a, b| {
                add_hits(&mut a, &b);
                a
            })
    }

    /// The [`Hits`] of each query over the texts of the clean.bin at `path`, and the file's
    /// header. The file is read wave by wave ([`tifa_core::TextWaves`]): one wave is searched
    /// on the rayon pool while the next is decoded on this thread, so that decoding and
    /// searching overlap and the texts are never all in memory, only a few waves.
    pub fn search_file(&self, path: &Path) -> Result<(Header, Vec<Hits>), FormatError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(1);
        std::thread::scope(|scope| {
            let searcher = scope.spawn(move || {
                let mut hits = vec![Hits::default(); self.finders.len()];
                for wave in rx {
                    add_hits(&mut hits, &self.search_texts(&wave));
                }
                hits
            });
            let waves = tifa_core::TextWaves {
                bytes: WAVE_BYTES,
                // A send fails only when the searcher has stopped, which its join reports.
                each: move |wave| {
                    let _ = tx.send(wave);
                },
            };
            // The reader owns the sender: the searcher's loop ends when the reading does.
            let read = format::read_seed(path, Stage::Clean, waves);
            let hits = match searcher.join() {
                Ok(hits) => hits,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            read.map(|(header, _)| (header, hits))
        })
    }
}

/// Bytes of text per wave of [`Lookup::search_file`]: enough for the rayon pool to share out,
/// few enough that a handful of waves is little memory.
const WAVE_BYTES: usize = 16 << 20;

/// Adds `from` to `into`, query by query.
pub fn add_hits(into: &mut [Hits], from: &[Hits]) {
    for (a, b) in into.iter_mut().zip(from) {
        a.add(*b);
    }
}

/// The bytes of `text` without quote marks: `text` itself when it has none, otherwise a copy
/// in `buf`. Each mark is a whole three-byte UTF-8 sequence (`E2 80 xx` or `E3 80 xx`), so
/// what is left is valid UTF-8 and a match in it starts and ends on character boundaries.
fn without_marks<'a>(b: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    let mut kept = 0;
    let mut copied = false;
    for i in memchr::memchr2_iter(0xE2, 0xE3, b) {
        if is_mark_at(b, i) {
            if !copied {
                buf.clear();
                copied = true;
            }
            buf.extend_from_slice(&b[kept..i]);
            kept = i + 3;
        }
    }
    if !copied {
        return b;
    }
    buf.extend_from_slice(&b[kept..]);
    buf
}

/// True when a quote mark's encoding starts at byte `i` of `b`.
fn is_mark_at(b: &[u8], i: usize) -> bool {
    matches!(
        b.get(i..i + 3),
        // “ ” ‘ ’, then 〈 〉 《 》 「 」 『 』: the marks of `tifa_core::text::quote_mark`.
        Some([0xE2, 0x80, 0x98 | 0x99 | 0x9C | 0x9D] | [0xE3, 0x80, 0x88..=0x8F])
    )
}

/// For each query, its slogan row: the best-ranked slogan whose phrase, without quote marks,
/// is the query normalised; `None` when it has none.
pub fn slogans<'a, S: AsRef<str>>(slogans: &'a [Slogan], queries: &[S]) -> Vec<Option<&'a Slogan>> {
    let needles: Vec<String> = queries.iter().map(|q| normalise(q.as_ref())).collect();
    let mut wanted: rustc_hash::FxHashMap<&str, Option<&'a Slogan>> = needles
        .iter()
        .filter(|n| !n.is_empty())
        .map(|n| (n.as_str(), None))
        .collect();
    for s in slogans {
        let phrase = if s.phrase.contains(is_quote_mark) {
            std::borrow::Cow::Owned(normalise(&s.phrase))
        } else {
            std::borrow::Cow::Borrowed(s.phrase.as_str())
        };
        if let Some(best) = wanted.get_mut(phrase.as_ref()) {
            match best {
                Some(b) if b.rank <= s.rank => {}
                _ => *best = Some(s),
            }
        }
    }
    needles
        .iter()
        .map(|n| wanted.get(n.as_str()).copied().flatten())
        .collect()
}

/// The columns of [`table`].
pub const HEADER: &str = "phrase\ttf\tdf\trank\tkind\tscore";

/// `tifa lookup`'s output: [`HEADER`], then per query the query as given, its tf and df, and
/// the rank, kind and score of its slogan row (as in `slogans.tsv`), empty when it has none.
pub fn table<S: AsRef<str>>(queries: &[S], hits: &[Hits], rows: &[Option<&Slogan>]) -> String {
    use std::fmt::Write;
    let mut out = format!("{HEADER}\n");
    for (i, q) in queries.iter().enumerate() {
        let h = hits.get(i).copied().unwrap_or_default();
        // A tab or line break in a query would shift the row's columns (TSV has no quoting).
        let phrase: String = q
            .as_ref()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let _ = write!(out, "{phrase}\t{}\t{}", h.tf, h.df);
        match rows.get(i).copied().flatten() {
            Some(s) if s.score.is_finite() => {
                let _ = write!(out, "\t{}\t{}\t{:.4}", s.rank, s.kind.name(), s.score);
            }
            Some(s) => {
                let _ = write!(out, "\t{}\t{}\t", s.rank, s.kind.name());
            }
            None => out.push_str("\t\t\t"),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(texts: &[&str]) -> Vec<Document> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: format!("doc{i}.txt"),
                title: String::new(),
                source: format!("doc{i}.txt"),
                meta: Default::default(),
                text: t.to_string(),
            })
            .collect()
    }

    /// `(tf, df)` of each query.
    fn check(texts: &[&str], queries: &[&str]) -> Vec<(u64, u64)> {
        Lookup::new(queries)
            .search(&docs(texts))
            .into_iter()
            .map(|h| (h.tf, h.df))
            .collect()
    }

    #[test]
    fn finds_strings_inside_words() {
        let texts = [
            "严格落实中央八项规定精神，持续优化营商环境。",
            "营商环境持续改善",
            "没有它",
        ];
        assert_eq!(
            check(&texts, &["八项规定", "营商", "商环", "规定精神，持续"]),
            [(1, 1), (2, 2), (2, 2), (1, 1)]
        );
    }

    #[test]
    fn quote_marks_are_transparent() {
        let texts = [
            "增强“四个意识”、坚定“四个自信”",
            "增强四个意识",
            "学习《习近平谈治国理政》第四卷，「四个意识」",
        ];
        assert_eq!(
            check(
                &texts,
                &[
                    "增强四个意识",
                    "“四个意识”",
                    "四个意识",
                    "识、坚",
                    "习近平谈治国理政"
                ]
            ),
            [(2, 2), (3, 3), (3, 3), (1, 1), (1, 1)]
        );
        // Marks inside the query are removed too, wherever they are.
        assert_eq!(check(&texts, &["增“强四个”意识"]), [(2, 2)]);
    }

    #[test]
    fn occurrences_do_not_overlap() {
        let texts = ["一带一路一带一路", "哈哈哈", "哈哈哈哈"];
        assert_eq!(check(&texts, &["一带一路", "哈哈"]), [(2, 1), (3, 2)]);
        // The same count as `str::matches`.
        for q in ["一带一路", "哈哈", "哈"] {
            let want: usize = texts.iter().map(|t| t.matches(q).count()).sum();
            assert_eq!(check(&texts, &[q])[0].0, want as u64, "{q}");
        }
    }

    #[test]
    fn a_file_is_searched_as_its_documents() {
        let texts = ["中央八项规定精神", "增强“四个意识”", "", "八项规定八项规定"];
        let corpus = tifa_core::Corpus {
            documents: docs(&texts),
            ..Default::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clean.bin");
        format::write(&path, Stage::Clean, 0, 0, &corpus).unwrap();
        let lookup = Lookup::new(&["八项规定", "增强四个意识", "无"]);
        let (header, hits) = lookup.search_file(&path).unwrap();
        assert_eq!(header.stage, Stage::Clean);
        assert_eq!(hits, lookup.search(&corpus.documents));
        assert_eq!(hits[0], Hits { tf: 3, df: 2 });
        assert!(lookup.search_file(&dir.path().join("none.bin")).is_err());
    }

    #[test]
    fn df_counts_reports_not_occurrences() {
        let texts = ["两个确立两个确立两个确立", "", "两个确立", "两个维护"];
        assert_eq!(check(&texts, &["两个确立", "两个"]), [(4, 2), (5, 3)]);
    }

    #[test]
    fn trims_whitespace_and_empty_queries_occur_nowhere() {
        let texts = ["四个意识 四个意识", "“”"];
        assert_eq!(
            check(&texts, &["  四个意识\t", "", " ", "“”", "《 》"]),
            [(2, 1), (0, 0), (0, 0), (0, 0), (0, 0)]
        );
        assert_eq!(check(&[], &["四个意识"]), [(0, 0)]);
    }

    #[test]
    fn strips_only_whole_marks() {
        let mut buf = Vec::new();
        // 、 and 。 share the marks' first two bytes (E3 80) and stay.
        let t = "“甲”、‘乙’。《丙》「丁」…—";
        let kept = without_marks(t.as_bytes(), &mut buf);
        assert_eq!(std::str::from_utf8(kept).unwrap(), "甲、乙。丙丁…—");
        let plain = "没有引号、只有顿号。";
        assert_eq!(without_marks(plain.as_bytes(), &mut buf), plain.as_bytes());
        // Every mark counting reads across, and no other character of their blocks.
        for c in '\u{2010}'..='\u{2027}' {
            let gone = without_marks(c.to_string().as_bytes(), &mut buf).is_empty();
            assert_eq!(gone, is_quote_mark(c), "{c}");
        }
        for c in '\u{3000}'..='\u{303F}' {
            let gone = without_marks(c.to_string().as_bytes(), &mut buf).is_empty();
            assert_eq!(gone, is_quote_mark(c), "{c}");
        }
    }

    fn slogan(rank: u32, phrase: &str) -> Slogan {
        Slogan {
            rank,
            phrase: phrase.into(),
            kind: tifa_core::Kind::Numbered,
            df: 1,
            df_pct: 1.0,
            tf: 1,
            score: 0.5,
            dp: 0.0,
            cohesion: 0.0,
            left_entropy: 0.0,
            right_entropy: 0.0,
            quoted_share: 0.0,
            evidence: Default::default(),
            n_tokens: 2,
            first_year: None,
            last_year: None,
            first_date: None,
            last_date: None,
            family: phrase.into(),
            members: Vec::new(),
            per_doc: Default::default(),
            per_year: Vec::new(),
            kwic: Vec::new(),
        }
    }

    #[test]
    fn a_query_gets_its_best_ranked_slogan_row() {
        let rows = [
            slogan(1, "两个确立"),
            slogan(2, "增强“四个意识”"),
            slogan(3, "增强四个意识"),
        ];
        let got = slogans(&rows, &["增强四个意识", " 两个确立", "四个意识", ""]);
        let ranks: Vec<Option<u32>> = got.iter().map(|s| s.map(|s| s.rank)).collect();
        assert_eq!(ranks, [Some(2), Some(1), None, None]);
        let lookup = Lookup::new(&["增强四个意识", " 两个确立", ""]);
        let wanted: Vec<bool> = rows.iter().map(|s| lookup.wants(&s.phrase)).collect();
        assert_eq!(wanted, [true, true, true]);
        assert!(!lookup.wants("四个意识") && !lookup.wants(""));
        let hits = [Hits { tf: 3, df: 2 }, Hits { tf: 0, df: 0 }];
        assert_eq!(
            table(&["两个确立", "无"], &hits, &[Some(&rows[0]), None]),
            "phrase\ttf\tdf\trank\tkind\tscore\n两个确立\t3\t2\t1\tnumbered\t0.5000\n无\t0\t0\t\t\t\n"
        );
        // A tab or line break in a query would shift the row's columns.
        assert_eq!(
            table(&["四个\t意识\n"], &hits[1..], &[None]),
            "phrase\ttf\tdf\trank\tkind\tscore\n四个 意识 \t0\t0\t\t\t\n"
        );
    }

    proptest::proptest! {
        /// The hits are those of `str::matches` on the texts with their marks removed.
        #[test]
        fn agrees_with_str_matches(
            texts in proptest::collection::vec("[甲乙、“”《》 ]{0,24}", 0..6),
            query in "[甲乙、“” ]{0,4}",
        ) {
            let strip = |t: &str| t.chars().filter(|&c| !is_quote_mark(c)).collect::<String>();
            let needle = normalise(&query);
            let mut want = (0, 0);
            if !needle.is_empty() {
                for t in &texts {
                    let n = strip(t).matches(needle.as_str()).count() as u64;
                    want = (want.0 + n, want.1 + u64::from(n > 0));
                }
            }
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(check(&texts, &[query.as_str()]), [want]);
        }
    }
}
