//! The compare stage's output: the slogans judged formulaic, ranked, with everything the
//! report stage shows.

use std::collections::BTreeMap;

pub use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::counts::DocInfo;
use crate::skim::{Each, SkippedStr};

/// The kind of a slogan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Numeral + measure or position word: 四个意识, 两个维护, 一府一委两院.
    Numbered,
    /// Parallel items joined by 、: 有件必备、有备必审、有错必纠.
    Enumeration,
    /// Mostly occurs inside quotes.
    Quoted,
    /// A long fixed sequence recurring verbatim.
    Formula,
    /// Any other recurring term.
    Term,
    /// A name, not a slogan: an institution, office, meeting or document (市人大常委会,
    /// 政府工作报告), or a statistical indicator, mostly followed by a number (地区生产总值).
    /// Listed apart from the slogans and never counted as one.
    Name,
}

impl Kind {
    /// The name used in `slogans.tsv`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Numbered => "numbered",
            Kind::Enumeration => "enumeration",
            Kind::Quoted => "quoted",
            Kind::Formula => "formula",
            Kind::Term => "term",
            Kind::Name => "name",
        }
    }

    /// True for the kinds that are slogans (every kind but [`Kind::Name`]).
    pub fn is_slogan(self) -> bool {
        self != Kind::Name
    }
}

/// One keyword-in-context line: the phrase as it stands in the report, with the text before
/// and after it. The three parts live in one string, so that a line is one allocation rather
/// than three (a big corpus has millions of lines, held by compare and by report); it is
/// stored as the three strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kwic {
    /// Index of the document in [`Comparison::docs`].
    pub doc: u32,
    /// The text before the phrase, the phrase and the text after it, end to end.
    text: Box<str>,
    /// Byte length of the text before the phrase.
    left: u32,
    /// Byte length of the phrase.
    phrase: u32,
}

impl Kwic {
    /// A line from report `doc`: `left`, then `phrase`, then `right`. Parts longer than 4 GB
    /// are cut to nothing.
    pub fn new(doc: u32, left: &str, phrase: &str, right: &str) -> Kwic {
        let len = |s: &str| u32::try_from(s.len()).ok();
        let (left, phrase, right) = match (len(left), len(phrase)) {
            (Some(_), Some(_)) => (left, phrase, right),
            _ => ("", "", ""),
        };
        let mut text = String::with_capacity(left.len() + phrase.len() + right.len());
        text.push_str(left);
        text.push_str(phrase);
        text.push_str(right);
        Kwic {
            doc,
            text: text.into_boxed_str(),
            left: left.len() as u32,
            phrase: phrase.len() as u32,
        }
    }

    /// Text before the phrase.
    pub fn left(&self) -> &str {
        self.text.get(..self.left as usize).unwrap_or("")
    }

    /// The phrase as it stands in the text.
    pub fn phrase(&self) -> &str {
        let (a, b) = (
            self.left as usize,
            self.left as usize + self.phrase as usize,
        );
        self.text.get(a..b).unwrap_or("")
    }

    /// Text after the phrase.
    pub fn right(&self) -> &str {
        let b = self.left as usize + self.phrase as usize;
        self.text.get(b..).unwrap_or("")
    }
}

impl Serialize for Kwic {
    /// As the struct of its four fields (`doc`, `left`, `phrase`, `right`).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Kwic", 4)?;
        st.serialize_field("doc", &self.doc)?;
        st.serialize_field("left", self.left())?;
        st.serialize_field("phrase", self.phrase())?;
        st.serialize_field("right", self.right())?;
        st.end()
    }
}

/// [`Kwic`] as it is stored.
#[derive(Deserialize)]
#[serde(rename = "Kwic")]
struct KwicFields {
    doc: u32,
    left: String,
    phrase: String,
    right: String,
}

impl<'de> Deserialize<'de> for Kwic {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Kwic, D::Error> {
        let f = KwicFields::deserialize(d)?;
        Ok(Kwic::new(f.doc, &f.left, &f.phrase, &f.right))
    }
}

/// One slogan: a row of `slogans.tsv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slogan {
    /// Rank from 1, by df, then tf, then phrase.
    pub rank: u32,
    /// The phrase, enumerations with 、 between items.
    pub phrase: CompactString,
    /// Kind.
    pub kind: Kind,
    /// Reports the phrase occurs in.
    pub df: u32,
    /// `df` as a percentage of all reports.
    pub df_pct: f64,
    /// Occurrences in the corpus.
    pub tf: u32,
    /// Combined quality score (see the README for its parts).
    pub score: f64,
    /// Gries' deviation of proportions, normalised: 0 spread evenly, near 1 all in one report.
    pub dp: f64,
    /// Cohesion: normalised PMI over the weakest split (1 for a single token).
    pub cohesion: f64,
    /// Left branching entropy.
    pub left_entropy: f64,
    /// Right branching entropy.
    pub right_entropy: f64,
    /// Share of occurrences inside quotes.
    pub quoted_share: f64,
    /// The evidence that admitted it, `+`-joined: `numbered`, `enumeration`, `quoted`,
    /// `formula` (a long verbatim sequence), `coinage` (not a word of general Chinese), `new`
    /// (first used well after the corpus starts); for a name, `name-head` or `numeric`.
    pub evidence: CompactString,
    /// Number of tokens.
    pub n_tokens: u32,
    /// First year it occurs in, when years are known.
    pub first_year: Option<u16>,
    /// Last year it occurs in, when years are known.
    pub last_year: Option<u16>,
    /// The date of its first use: the earliest report's manifest `date` (`YYYY-MM-DD` or
    /// `YYYY-MM`), else its year; `None` when no report holding it is dated.
    pub first_date: Option<CompactString>,
    /// The date of its last use, likewise.
    pub last_date: Option<CompactString>,
    /// The head of its family (itself when it heads one).
    pub family: CompactString,
    /// For a numbered formulation whose members the corpus spells out (四个意识: 政治意识、大局意识、
    /// 核心意识、看齐意识), those members; empty otherwise.
    pub members: Vec<String>,
    /// `(document index, occurrences)` for each report it occurs in, packed (a big corpus's
    /// rows hold tens of millions); stored as the list of pairs.
    pub per_doc: crate::PackedPerDoc,
    /// `(year, df)` for each year it occurs in.
    pub per_year: Vec<(u16, u32)>,
    /// A few keyword-in-context lines.
    pub kwic: Vec<Kwic>,
}

/// A group of reports under `--group-by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// Group value (`npc`, `2025`, `北京市` … or `(unknown)`).
    pub name: String,
    /// Reports in the group.
    pub n_docs: u32,
}

/// One row of `compare-FIELD.tsv`: a slogan in a group, with keyness against the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// Group name.
    pub group: String,
    /// Phrase.
    pub phrase: String,
    /// Reports of the group containing the phrase.
    pub df: u32,
    /// `df` as a percentage of the group's reports.
    pub df_pct: f64,
    /// Reports of the rest containing the phrase.
    pub df_rest: u32,
    /// Log-likelihood G2 of the document counts, group against rest.
    pub g2: f64,
    /// Log ratio (log2 of the ratio of relative document frequencies, 0.5 added to zeros).
    pub log_ratio: f64,
}

/// A comparison of groups of reports by one metadata field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupComparison {
    /// The metadata field grouped by.
    pub field: String,
    /// The groups, by name.
    pub groups: Vec<GroupInfo>,
    /// Rows by group, then descending keyness.
    pub rows: Vec<GroupRow>,
}

/// Corpus-level figures for report headers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusSummary {
    /// Reports.
    pub n_docs: u32,
    /// Characters of cleaned text.
    pub n_chars: u64,
    /// Tokens.
    pub n_tokens: u64,
    /// Phrases counted by the count stage.
    pub n_phrases: u64,
    /// Earliest and latest year, when known.
    pub years: Option<(u16, u16)>,
    /// Input files the clean stage skipped (binary, undecodable, empty, unreadable, duplicate,
    /// nothing left once cleaned; clean-log.tsv names each with its reason).
    pub n_skipped: u32,
}

/// The compare stage's output: `compare.bin`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Corpus figures.
    pub summary: CorpusSummary,
    /// The settings used, for the report header (name → value, as text).
    pub settings: BTreeMap<String, String>,
    /// The reports.
    pub docs: Vec<DocInfo>,
    /// The slogans, ranked.
    pub slogans: Vec<Slogan>,
    /// Group comparisons, one per `--group-by` field.
    pub groups: Vec<GroupComparison>,
}

impl Comparison {
    /// Rows of kind `name`: listed apart, never counted as slogans.
    pub fn n_names(&self) -> usize {
        self.slogans.iter().filter(|s| !s.kind.is_slogan()).count()
    }

    /// Rows that are slogans, the names apart.
    pub fn n_slogans(&self) -> usize {
        self.slogans.len() - self.n_names()
    }
}

/// Reads a comparison's corpus summary, and of its slogans only those whose phrase `keep`
/// accepts, with [`crate::format::read_seed`]: each slogan's phrase and kind are offered to
/// `keep` as soon as they are decoded; the rest of a slogan not kept (its per-report counts and
/// keyword-in-context lines) is read past without being built, and the reports and group
/// comparisons are dropped as they are read. A reader that needs a few rows of a large
/// compare.bin (`tifa lookup`), or only its figures (`tifa run` with nothing to do), then never
/// holds the others: a large compare.bin holds a great many slogans, and building and freeing
/// them all took longer than reading the file.
pub struct SomeSlogans<F> {
    /// Whether to keep the slogan of this phrase and kind.
    pub keep: F,
}

impl<'de, F: FnMut(&str, Kind) -> bool> serde::de::DeserializeSeed<'de> for SomeSlogans<F> {
    type Value = (CorpusSummary, Vec<Slogan>);

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        const FIELDS: &[&str] = &["summary", "settings", "docs", "slogans", "groups"];
        d.deserialize_struct("Comparison", FIELDS, self)
    }
}

impl<'de, F: FnMut(&str, Kind) -> bool> serde::de::Visitor<'de> for SomeSlogans<F> {
    type Value = (CorpusSummary, Vec<Slogan>);

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a comparison")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        mut self,
        mut seq: A,
    ) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let missing = |i| A::Error::invalid_length(i, &"5 fields");
        let summary = seq
            .next_element::<CorpusSummary>()?
            .ok_or_else(|| missing(0))?;
        seq.next_element::<BTreeMap<String, String>>()?
            .ok_or_else(|| missing(1))?;
        seq.next_element_seed(Each::new(|_: DocInfo| {}))?
            .ok_or_else(|| missing(2))?;
        let kept = seq
            .next_element_seed(Kept(&mut self.keep))?
            .ok_or_else(|| missing(3))?;
        seq.next_element_seed(Each::new(|_: GroupComparison| {}))?
            .ok_or_else(|| missing(4))?;
        Ok((summary, kept))
    }
}

/// The slogans of [`SomeSlogans`]: those kept.
struct Kept<'a, F>(&'a mut F);

impl<'de, F: FnMut(&str, Kind) -> bool> serde::de::DeserializeSeed<'de> for Kept<'_, F> {
    type Value = Vec<Slogan>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Slogan>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&str, Kind) -> bool> serde::de::Visitor<'de> for Kept<'_, F> {
    type Value = Vec<Slogan>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("slogans")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Slogan>, A::Error> {
        let mut kept = Vec::new();
        while let Some(s) = seq.next_element_seed(OneSlogan(&mut *self.0))? {
            kept.extend(s);
        }
        Ok(kept)
    }
}

/// One slogan of [`SomeSlogans`]: built when its phrase is kept, read past otherwise. Reads
/// the fields of [`Slogan`] in their order; the struct literal below fails to compile when a
/// field is added, and the test `some_slogans_keeps_only_the_slogans_asked_for` fails when
/// the order changes.
struct OneSlogan<'a, F>(&'a mut F);

impl<'de, F: FnMut(&str, Kind) -> bool> serde::de::DeserializeSeed<'de> for OneSlogan<'_, F> {
    type Value = Option<Slogan>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<Slogan>, D::Error> {
        const FIELDS: &[&str] = &[
            "rank",
            "phrase",
            "kind",
            "df",
            "df_pct",
            "tf",
            "score",
            "dp",
            "cohesion",
            "left_entropy",
            "right_entropy",
            "quoted_share",
            "evidence",
            "n_tokens",
            "first_year",
            "last_year",
            "first_date",
            "last_date",
            "family",
            "members",
            "per_doc",
            "per_year",
            "kwic",
        ];
        d.deserialize_struct("Slogan", FIELDS, self)
    }
}

impl<'de, F: FnMut(&str, Kind) -> bool> serde::de::Visitor<'de> for OneSlogan<'_, F> {
    type Value = Option<Slogan>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a slogan")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> Result<Option<Slogan>, A::Error> {
        use serde::de::Error;
        let mut n = 0;
        macro_rules! field {
            ($x:expr) => {{
                n += 1;
                $x?.ok_or_else(|| A::Error::invalid_length(n - 1, &"23 fields"))?
            }};
            () => {
                field!(seq.next_element())
            };
        }
        let rank = field!();
        let phrase: CompactString = field!();
        let kind = field!();
        let keep = (self.0)(&phrase, kind);
        let (df, df_pct, tf, score, dp) = (field!(), field!(), field!(), field!(), field!());
        let (cohesion, left_entropy, right_entropy, quoted_share) =
            (field!(), field!(), field!(), field!());
        let evidence: CompactString = field!();
        let (n_tokens, first_year, last_year) = (field!(), field!(), field!());
        let (first_date, last_date) = (field!(), field!());
        if !keep {
            // Read past without building: the family as bytes, the lists element by element.
            let _: SkippedStr = field!();
            field!(seq.next_element_seed(Each::new(|_: SkippedStr| {})));
            field!(seq.next_element_seed(Each::new(|_: (u32, u32)| {})));
            field!(seq.next_element_seed(Each::new(|_: (u16, u32)| {})));
            field!(
                seq.next_element_seed(Each::new(|_: (u32, SkippedStr, SkippedStr, SkippedStr)| {}))
            );
            return Ok(None);
        }
        Ok(Some(Slogan {
            rank,
            phrase,
            kind,
            df,
            df_pct,
            tf,
            score,
            dp,
            cohesion,
            left_entropy,
            right_entropy,
            quoted_share,
            evidence,
            n_tokens,
            first_year,
            last_year,
            first_date,
            last_date,
            family: field!(),
            members: field!(),
            per_doc: field!(),
            per_year: field!(),
            kwic: field!(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{decode_payload, encode, Stage, HEADER_LEN};

    /// The three strings a line was stored as before it was held in one.
    #[derive(Serialize)]
    struct ThreeStrings<'a> {
        doc: u32,
        left: &'a str,
        phrase: &'a str,
        right: &'a str,
    }

    fn payload<T: Serialize>(v: &T) -> Vec<u8> {
        encode(Stage::Compare, 0, 0, v).unwrap()[HEADER_LEN..].to_vec()
    }

    #[test]
    fn a_line_keeps_its_three_parts_and_is_stored_as_three_strings() {
        let lines = [
            ("坚持", "以人民为中心", "。"),
            ("", "两个维护", ""),
            ("a", "", "b"),
        ];
        for (left, phrase, right) in lines {
            let k = Kwic::new(7, left, phrase, right);
            assert_eq!(
                (k.doc, k.left(), k.phrase(), k.right()),
                (7, left, phrase, right)
            );
            let three = ThreeStrings {
                doc: 7,
                left,
                phrase,
                right,
            };
            assert_eq!(payload(&k), payload(&three));
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                serde_json::to_string(&three).unwrap()
            );
            let back: Kwic = decode_payload(std::path::Path::new("kwic"), &payload(&k)).unwrap();
            assert_eq!(back, k);
        }
    }

    fn slogan(rank: u32, phrase: &str) -> Slogan {
        Slogan {
            rank,
            phrase: phrase.into(),
            kind: Kind::Numbered,
            df: 2,
            df_pct: 50.0,
            tf: 3,
            score: 0.9,
            dp: 0.1,
            cohesion: 0.5,
            left_entropy: 1.0,
            right_entropy: 1.5,
            quoted_share: 0.25,
            evidence: "numbered+quoted".into(),
            n_tokens: 2,
            first_year: Some(2024),
            last_year: None,
            first_date: None,
            last_date: None,
            family: phrase.into(),
            members: vec!["政治意识".into(), "大局意识".into()],
            per_doc: vec![(0, 2), (1, 1)].into(),
            per_year: vec![(2024, 2)],
            kwic: vec![Kwic::new(1, "增强", phrase, "。")],
        }
    }

    #[test]
    fn some_slogans_keeps_only_the_slogans_asked_for() {
        let cmp = Comparison {
            summary: CorpusSummary {
                n_docs: 2,
                years: Some((2024, 2025)),
                ..CorpusSummary::default()
            },
            settings: [("min_df".to_string(), "2".to_string())].into(),
            docs: vec![DocInfo::default(), DocInfo::default()],
            slogans: vec![
                slogan(1, "两个确立"),
                Slogan {
                    kind: Kind::Name,
                    ..slogan(2, "市人大常委会")
                },
                slogan(3, "两个维护"),
            ],
            groups: vec![GroupComparison {
                field: "year".into(),
                groups: vec![GroupInfo {
                    name: "2024".into(),
                    n_docs: 1,
                }],
                rows: Vec::new(),
            }],
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("compare.bin");
        crate::format::write(&path, Stage::Compare, 0, 0, &cmp).unwrap();
        let mut offered = Vec::new();
        let keep = |p: &str, kind: Kind| {
            offered.push(kind);
            p.starts_with("两个")
        };
        let (_, (summary, kept)) =
            crate::format::read_seed(&path, Stage::Compare, SomeSlogans { keep }).unwrap();
        assert_eq!(kept, [cmp.slogans[0].clone(), cmp.slogans[2].clone()]);
        assert_eq!(summary, cmp.summary);
        let kinds: Vec<Kind> = cmp.slogans.iter().map(|s| s.kind).collect();
        assert_eq!(offered, kinds);
    }
}
