//! `slogans.json`: the slogans with everything the TSV has, plus the reports each occurs in and
//! its keyword-in-context lines, for pandas, R and scripts.
//!
//! The schema is the set of structs below, serialised in field order with no maps but
//! `settings` (a sorted map), so identical input gives byte-identical output. Floats are
//! rounded to the decimals the TSV prints, so both files hold the same numbers. `schema` and
//! `version` identify the layout; fields are only ever added, and `version` grows when one is
//! removed or changes meaning.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use tifa_core::{Comparison, GroupComparison, Slogan};

use crate::stream::{write_chunks, Fail, CHUNK};
use crate::text::{any_byte, rounded};
use crate::Error;

/// Name of the schema, the value of the top-level `schema` field.
pub const SCHEMA: &str = "tifa-slogans";
/// Version of the schema, the value of the top-level `version` field.
pub const VERSION: u32 = 2;

/// The whole file.
#[derive(Serialize)]
pub struct SlogansFile<'a> {
    /// Always [`SCHEMA`].
    pub schema: &'static str,
    /// Always [`VERSION`].
    pub version: u32,
    /// The tifa version that wrote it.
    pub generator: String,
    /// Corpus figures.
    pub corpus: CorpusJson,
    /// Settings of the run (name → value as text), sorted by name.
    pub settings: &'a BTreeMap<String, String>,
    /// The reports; slogans refer to them by `index`.
    pub documents: Vec<DocumentJson<'a>>,
    /// How many of the slogans, the first in rank order, have their `documents`, `years` and
    /// `kwic`; the others have their figures alone (report.toml's `detail_slogans`).
    pub detail_slogans: usize,
    /// The slogans, ranked.
    pub slogans: Vec<SloganJson<'a>>,
    /// Group comparisons, one per `--group-by` field.
    pub groups: Vec<GroupJson<'a>>,
    /// How the slogans spread from the reference to the groups (as in `diffusion.tsv`); absent
    /// when the diffusion views are off.
    pub diffusion: Option<DiffusionJson<'a>>,
}

/// The diffusion of the most widespread slogans: the reference's first use and each group's.
#[derive(Serialize)]
pub struct DiffusionJson<'a> {
    /// The reference reports, as `field=value`.
    pub reference: &'a str,
    /// The field the other reports are grouped by.
    pub by: &'a str,
    /// Per slogan, in rank order (the first `diffusion_slogans`).
    pub slogans: Vec<SloganDiffusionJson<'a>>,
}

/// One slogan's diffusion.
#[derive(Serialize)]
pub struct SloganDiffusionJson<'a> {
    /// The slogan.
    pub phrase: &'a str,
    /// The reference's first use, null when the reference never uses it.
    pub reference_first_use: Option<String>,
    /// Each group's first use, by group.
    pub groups: Vec<GroupUseJson<'a>>,
}

/// A group's first use of a slogan.
#[derive(Serialize)]
pub struct GroupUseJson<'a> {
    /// The group.
    pub group: &'a str,
    /// Its first use.
    pub first_use: String,
    /// Years after the reference's first use (2 decimals), null without a reference.
    pub lag_years: Option<f64>,
    /// Its reports that use the slogan.
    pub reports: u32,
}

/// Corpus figures.
#[derive(Serialize)]
pub struct CorpusJson {
    /// Reports.
    pub n_docs: u32,
    /// Characters of cleaned text.
    pub n_chars: u64,
    /// Tokens.
    pub n_tokens: u64,
    /// Phrases counted.
    pub n_phrases: u64,
    /// Rows of `slogans`: slogans judged formulaic, and names (kind `name`).
    pub n_slogans: usize,
    /// Input files the clean stage skipped (clean-log.tsv names each with its reason).
    pub n_skipped: u32,
    /// Earliest year, null when unknown.
    pub first_year: Option<u16>,
    /// Latest year, null when unknown.
    pub last_year: Option<u16>,
}

/// One report.
#[derive(Serialize)]
pub struct DocumentJson<'a> {
    /// Position in `documents`, from 0.
    pub index: usize,
    /// Document id (input file relative to the corpus, `#N` for the N-th report of a file).
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Input file.
    pub source: &'a str,
    /// Metadata.
    pub meta: MetaJson<'a>,
    /// Tokens.
    pub tokens: u64,
    /// Characters of cleaned text.
    pub chars: u64,
}

/// Metadata of a report; null when unknown.
#[derive(Serialize)]
pub struct MetaJson<'a> {
    /// Region.
    pub region: Option<&'a str>,
    /// Level.
    pub level: Option<&'a str>,
    /// Body.
    pub body: Option<&'a str>,
    /// Year.
    pub year: Option<u16>,
    /// Further manifest columns, sorted by name.
    pub extra: &'a BTreeMap<String, String>,
}

/// One slogan.
#[derive(Serialize)]
pub struct SloganJson<'a> {
    /// Rank from 1.
    pub rank: u32,
    /// The phrase.
    pub phrase: &'a str,
    /// `numbered`, `enumeration`, `quoted`, `formula`, `term`, or `name` (not a slogan).
    pub kind: &'static str,
    /// Reports it occurs in.
    pub df: u32,
    /// `df` as a percentage of all reports (2 decimals).
    pub df_pct: Option<f64>,
    /// Occurrences.
    pub tf: u32,
    /// Quality score (4 decimals).
    pub score: Option<f64>,
    /// Gries' DP, normalised (4 decimals).
    pub dp: Option<f64>,
    /// First year, null when unknown.
    pub first_year: Option<u16>,
    /// Last year, null when unknown.
    pub last_year: Option<u16>,
    /// Date of the first use (manifest `date`, else year), null when unknown.
    pub first_date: Option<&'a str>,
    /// Date of the last use, likewise.
    pub last_date: Option<&'a str>,
    /// Head of its family.
    pub family: &'a str,
    /// Tokens.
    pub n_tokens: u32,
    /// Cohesion (4 decimals).
    pub cohesion: Option<f64>,
    /// Left branching entropy (4 decimals).
    pub left_entropy: Option<f64>,
    /// Right branching entropy (4 decimals).
    pub right_entropy: Option<f64>,
    /// Share of occurrences inside quotes (4 decimals).
    pub quoted_share: Option<f64>,
    /// The evidence that admitted it, `+`-joined.
    pub evidence: &'a str,
    /// For a numbered formulation, the members the corpus spells out; else empty.
    pub members: &'a [String],
    /// The reports it occurs in, by report index; absent past the detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documents: Option<Vec<OccurrenceJson<'a>>>,
    /// Reports per year, by year; absent past the detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years: Option<Vec<YearJson>>,
    /// Keyword-in-context lines; absent past the detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kwic: Option<Vec<KwicJson<'a>>>,
}

/// A report a slogan occurs in.
#[derive(Serialize)]
pub struct OccurrenceJson<'a> {
    /// Index into `documents`.
    pub doc: u32,
    /// The report's id, repeated for convenience.
    pub id: &'a str,
    /// Occurrences in that report.
    pub count: u32,
}

/// Reports of one year containing a slogan.
#[derive(Serialize)]
pub struct YearJson {
    /// Year.
    pub year: u16,
    /// Reports of that year containing the slogan.
    pub df: u32,
}

/// A keyword-in-context line.
#[derive(Serialize)]
pub struct KwicJson<'a> {
    /// Index into `documents`.
    pub doc: u32,
    /// Text before.
    pub left: &'a str,
    /// The phrase as it stands in the text.
    pub phrase: &'a str,
    /// Text after.
    pub right: &'a str,
}

/// One group comparison.
#[derive(Serialize)]
pub struct GroupJson<'a> {
    /// Metadata field.
    pub field: &'a str,
    /// Groups with their report counts.
    pub groups: Vec<GroupInfoJson<'a>>,
    /// Rows by group, then descending keyness.
    pub rows: Vec<GroupRowJson<'a>>,
}

/// A group.
#[derive(Serialize)]
pub struct GroupInfoJson<'a> {
    /// Group value.
    pub name: &'a str,
    /// Reports in it.
    pub n_docs: u32,
}

/// A slogan in a group.
#[derive(Serialize)]
pub struct GroupRowJson<'a> {
    /// Group.
    pub group: &'a str,
    /// Phrase.
    pub phrase: &'a str,
    /// Reports of the group containing it.
    pub df: u32,
    /// Percentage of the group's reports (2 decimals).
    pub df_pct: Option<f64>,
    /// Reports of the rest containing it.
    pub df_rest: u32,
    /// Log-likelihood G2 (4 decimals).
    pub g2: Option<f64>,
    /// Log ratio (4 decimals).
    pub log_ratio: Option<f64>,
}

#[cfg(test)]
fn slogan<'a>(s: &'a Slogan, cmp: &'a Comparison, detail: bool) -> SloganJson<'a> {
    SloganJson {
        rank: s.rank,
        phrase: &s.phrase,
        kind: s.kind.name(),
        df: s.df,
        df_pct: rounded(s.df_pct, 2),
        tf: s.tf,
        score: rounded(s.score, 4),
        dp: rounded(s.dp, 4),
        first_year: s.first_year,
        last_year: s.last_year,
        first_date: s.first_date.as_deref(),
        last_date: s.last_date.as_deref(),
        family: &s.family,
        n_tokens: s.n_tokens,
        cohesion: rounded(s.cohesion, 4),
        left_entropy: rounded(s.left_entropy, 4),
        right_entropy: rounded(s.right_entropy, 4),
        quoted_share: rounded(s.quoted_share, 4),
        evidence: &s.evidence,
        members: &s.members,
        documents: detail.then(|| {
            s.per_doc
                .iter()
                .map(|(doc, count)| OccurrenceJson {
                    doc,
                    id: cmp.docs.get(doc as usize).map_or("", |d| d.id.as_str()),
                    count,
                })
                .collect()
        }),
        years: detail.then(|| {
            s.per_year
                .iter()
                .map(|&(year, df)| YearJson { year, df })
                .collect()
        }),
        kwic: detail.then(|| {
            s.kwic
                .iter()
                .map(|k| KwicJson {
                    doc: k.doc,
                    left: k.left(),
                    phrase: k.phrase(),
                    right: k.right(),
                })
                .collect()
        }),
    }
}

fn group(g: &GroupComparison) -> GroupJson<'_> {
    GroupJson {
        field: &g.field,
        groups: g
            .groups
            .iter()
            .map(|i| GroupInfoJson {
                name: &i.name,
                n_docs: i.n_docs,
            })
            .collect(),
        rows: g
            .rows
            .iter()
            .map(|r| GroupRowJson {
                group: &r.group,
                phrase: &r.phrase,
                df: r.df,
                df_pct: rounded(r.df_pct, 2),
                df_rest: r.df_rest,
                g2: rounded(r.g2, 4),
                log_ratio: rounded(r.log_ratio, 4),
            })
            .collect(),
    }
}

/// Builds the `slogans.json` value of a comparison.
#[cfg(test)]
pub fn slogans_file<'a>(cmp: &'a Comparison, config: &'a crate::Config) -> SlogansFile<'a> {
    let mut file = head(cmp, config);
    file.slogans = cmp
        .slogans
        .iter()
        .map(|s| slogan(s, cmp, config.detail(s.rank)))
        .collect();
    file
}

/// The `diffusion` member of `slogans.json`.
fn diffusion<'a>(cmp: &'a Comparison, config: &'a crate::Config) -> DiffusionJson<'a> {
    let groups =
        crate::diffusion::Groups::new(&cmp.docs, &config.diffusion_reference, &config.diffusion_by);
    let slogans = if groups.names.is_empty() {
        Vec::new()
    } else {
        crate::diffusion::all_first_uses(cmp, &groups, config.diffusion_slogans)
            .into_iter()
            .filter(|(_, f)| !f.groups.is_empty())
            .map(|(s, f)| SloganDiffusionJson {
                phrase: &s.phrase,
                reference_first_use: f.reference.as_ref().map(|r| r.text.clone()),
                groups: f
                    .groups
                    .iter()
                    .map(|(g, (w, n))| GroupUseJson {
                        group: g,
                        first_use: w.text.clone(),
                        lag_years: f
                            .reference
                            .as_ref()
                            .and_then(|r| rounded(w.lag_after(r), 2)),
                        reports: *n,
                    })
                    .collect(),
            })
            .collect()
    };
    DiffusionJson {
        reference: &config.diffusion_reference,
        by: &config.diffusion_by,
        slogans,
    }
}

/// Everything of `slogans.json` but the slogans.
fn head<'a>(cmp: &'a Comparison, config: &'a crate::Config) -> SlogansFile<'a> {
    let s = &cmp.summary;
    SlogansFile {
        schema: SCHEMA,
        version: VERSION,
        generator: format!("tifa {}", env!("CARGO_PKG_VERSION")),
        corpus: CorpusJson {
            n_docs: s.n_docs,
            n_chars: s.n_chars,
            n_tokens: s.n_tokens,
            n_phrases: s.n_phrases,
            n_slogans: cmp.slogans.len(),
            n_skipped: s.n_skipped,
            first_year: s.years.map(|y| y.0),
            last_year: s.years.map(|y| y.1),
        },
        settings: &cmp.settings,
        documents: cmp
            .docs
            .iter()
            .enumerate()
            .map(|(index, d)| DocumentJson {
                index,
                id: &d.id,
                title: &d.title,
                source: &d.source,
                meta: MetaJson {
                    region: d.meta.region.as_deref(),
                    level: d.meta.level.as_deref(),
                    body: d.meta.body.as_deref(),
                    year: d.meta.year,
                    extra: &d.meta.extra,
                },
                tokens: d.tokens,
                chars: d.chars,
            })
            .collect(),
        detail_slogans: match config.detail_slogans {
            0 => cmp.slogans.len(),
            n => n.min(cmp.slogans.len()),
        },
        slogans: Vec::new(),
        groups: cmp.groups.iter().map(group).collect(),
        diffusion: config.diffusion.then(|| diffusion(cmp, config)),
    }
}

/// Appends `value` as compact JSON.
fn to_json<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    serde_json::to_writer(buf, value).map_err(|source| Error::Json {
        what: "slogans.json",
        source,
    })
}

/// Appends one member of the top-level object: `{"name":value` for the first, `,"name":value`
/// after it.
fn member<T: Serialize + ?Sized>(
    buf: &mut Vec<u8>,
    first: bool,
    name: &str,
    value: &T,
) -> Result<(), Error> {
    buf.push(if first { b'{' } else { b',' });
    to_json(buf, name)?;
    buf.push(b':');
    to_json(buf, value)
}

/// Writes `slogans.json` to `w`: compact (a large corpus has a hundred thousand slogans and
/// more, and indentation would double the file), with a final newline.
///
/// The bytes are those of serialising [`slogans_file`] whole, but the top-level object is
/// written member by member in [`SlogansFile`]'s field order so that the slogans, the bulk of
/// the file, can be rendered in parallel chunks and streamed instead of held in memory.
pub(crate) fn write_slogans_json(
    cmp: &Comparison,
    config: &crate::Config,
    w: &mut (dyn Write + Send),
) -> Result<(), Fail> {
    let f = head(cmp, config);
    let mut buf = Vec::new();
    member(&mut buf, true, "schema", &f.schema)?;
    member(&mut buf, false, "version", &f.version)?;
    member(&mut buf, false, "generator", &f.generator)?;
    member(&mut buf, false, "corpus", &f.corpus)?;
    member(&mut buf, false, "settings", &f.settings)?;
    member(&mut buf, false, "documents", &f.documents)?;
    member(&mut buf, false, "detail_slogans", &f.detail_slogans)?;
    buf.extend_from_slice(b",\"slogans\":[");
    w.write_all(&buf)?;
    // Every occurrence of a slogan in a report starts with the same bytes for that report.
    let heads = f
        .documents
        .iter()
        .map(|d| {
            let mut head = Vec::new();
            push_occurrence_head(&mut head, d.index, d.id)?;
            Ok(head)
        })
        .collect::<Result<Vec<_>, Error>>()?;
    write_chunks(w, &cmp.slogans, CHUNK, |first, slogans, buf| {
        for (i, s) in slogans.iter().enumerate() {
            if first + i > 0 {
                buf.push(b',');
            }
            push_slogan(buf, s, &heads, config.detail(s.rank))?;
        }
        Ok(())
    })?;
    buf.clear();
    buf.push(b']');
    member(&mut buf, false, "groups", &f.groups)?;
    if let Some(d) = &f.diffusion {
        member(&mut buf, false, "diffusion", d)?;
    }
    buf.extend_from_slice(b"}\n");
    w.write_all(&buf)?;
    Ok(())
}

/// Appends slogan `s` as JSON: the bytes serde_json writes for [`SloganJson`], field by field
/// in its order, without building one (its vectors cost three allocations per slogan). `heads`
/// holds each report's [`push_occurrence_head`], since every occurrence repeats it. Without
/// `detail` the report list, years and lines are left out.
fn push_slogan(
    buf: &mut Vec<u8>,
    s: &Slogan,
    heads: &[Vec<u8>],
    detail: bool,
) -> Result<(), Error> {
    buf.extend_from_slice(b"{\"rank\":");
    push_int(buf, s.rank);
    buf.extend_from_slice(b",\"phrase\":");
    push_str(buf, &s.phrase)?;
    buf.extend_from_slice(b",\"kind\":");
    push_str(buf, s.kind.name())?;
    buf.extend_from_slice(b",\"df\":");
    push_int(buf, s.df);
    buf.extend_from_slice(b",\"df_pct\":");
    to_json(buf, &rounded(s.df_pct, 2))?;
    buf.extend_from_slice(b",\"tf\":");
    push_int(buf, s.tf);
    buf.extend_from_slice(b",\"score\":");
    to_json(buf, &rounded(s.score, 4))?;
    buf.extend_from_slice(b",\"dp\":");
    to_json(buf, &rounded(s.dp, 4))?;
    buf.extend_from_slice(b",\"first_year\":");
    push_year(buf, s.first_year);
    buf.extend_from_slice(b",\"last_year\":");
    push_year(buf, s.last_year);
    for (key, d) in [
        (&b",\"first_date\":"[..], &s.first_date),
        (&b",\"last_date\":"[..], &s.last_date),
    ] {
        buf.extend_from_slice(key);
        match d {
            Some(d) => push_str(buf, d)?,
            None => buf.extend_from_slice(b"null"),
        }
    }
    buf.extend_from_slice(b",\"family\":");
    push_str(buf, &s.family)?;
    buf.extend_from_slice(b",\"n_tokens\":");
    push_int(buf, s.n_tokens);
    buf.extend_from_slice(b",\"cohesion\":");
    to_json(buf, &rounded(s.cohesion, 4))?;
    buf.extend_from_slice(b",\"left_entropy\":");
    to_json(buf, &rounded(s.left_entropy, 4))?;
    buf.extend_from_slice(b",\"right_entropy\":");
    to_json(buf, &rounded(s.right_entropy, 4))?;
    buf.extend_from_slice(b",\"quoted_share\":");
    to_json(buf, &rounded(s.quoted_share, 4))?;
    buf.extend_from_slice(b",\"evidence\":");
    push_str(buf, &s.evidence)?;
    buf.extend_from_slice(b",\"members\":[");
    for (i, m) in s.members.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        push_str(buf, m)?;
    }
    buf.push(b']');
    if !detail {
        buf.push(b'}');
        return Ok(());
    }
    buf.extend_from_slice(b",\"documents\":[");
    for (i, (doc, count)) in s.per_doc.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        match heads.get(doc as usize) {
            Some(head) => buf.extend_from_slice(head),
            None => push_occurrence_head(buf, doc, "")?,
        }
        push_int(buf, count);
        buf.push(b'}');
    }
    buf.extend_from_slice(b"],\"years\":[");
    for (i, &(year, df)) in s.per_year.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"year\":");
        push_int(buf, year);
        buf.extend_from_slice(b",\"df\":");
        push_int(buf, df);
        buf.push(b'}');
    }
    buf.extend_from_slice(b"],\"kwic\":[");
    for (i, k) in s.kwic.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"doc\":");
        push_int(buf, k.doc);
        buf.extend_from_slice(b",\"left\":");
        push_str(buf, k.left())?;
        buf.extend_from_slice(b",\"phrase\":");
        push_str(buf, k.phrase())?;
        buf.extend_from_slice(b",\"right\":");
        push_str(buf, k.right())?;
        buf.push(b'}');
    }
    buf.extend_from_slice(b"]}");
    Ok(())
}

/// Appends the start of an [`OccurrenceJson`], up to its count: `{"doc":DOC,"id":ID,"count":`.
fn push_occurrence_head(buf: &mut Vec<u8>, doc: impl itoa::Integer, id: &str) -> Result<(), Error> {
    buf.extend_from_slice(b"{\"doc\":");
    push_int(buf, doc);
    buf.extend_from_slice(b",\"id\":");
    push_str(buf, id)?;
    buf.extend_from_slice(b",\"count\":");
    Ok(())
}

/// Appends `s` as a JSON string, as serde_json writes it. Most corpus text is CJK, which JSON
/// carries as it is: a string without a byte that needs escaping (a control character, `"` or
/// `\`) is copied whole after one scan that the compiler vectorises; any other string goes
/// through serde_json's own escaping.
fn push_str(buf: &mut Vec<u8>, s: &str) -> Result<(), Error> {
    if any_byte(s, |b| (b < 0x20) | (b == b'"') | (b == b'\\')) {
        return to_json(buf, s);
    }
    buf.reserve(s.len() + 2);
    buf.push(b'"');
    buf.extend_from_slice(s.as_bytes());
    buf.push(b'"');
    Ok(())
}

/// Appends an integer, as serde_json writes it.
fn push_int(buf: &mut Vec<u8>, n: impl itoa::Integer) {
    buf.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends a year, or `null` when unknown.
fn push_year(buf: &mut Vec<u8>, y: Option<u16>) {
    match y {
        Some(y) => push_int(buf, y),
        None => buf.extend_from_slice(b"null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn strings_as_serde_json_writes_them(s in "\\PC*|[\\x00-\\x{a0}\"\\\\a中]*") {
            let mut buf = Vec::new();
            push_str(&mut buf, &s).unwrap();
            proptest::prop_assert_eq!(buf, serde_json::to_vec(&s).unwrap());
        }
    }

    #[test]
    fn streamed_file_equals_whole_serialisation() {
        let cmp = crate::tests::sample_with_many_slogans(3 * CHUNK + 7);
        for detail_slogans in [0, 1, CHUNK + 3, 10 * CHUNK] {
            let config = crate::Config {
                detail_slogans,
                ..crate::Config::default()
            };
            let mut whole = serde_json::to_vec(&slogans_file(&cmp, &config)).unwrap();
            whole.push(b'\n');
            let mut streamed = Vec::new();
            write_slogans_json(&cmp, &config, &mut streamed).unwrap();
            assert_eq!(
                String::from_utf8(streamed.clone()).unwrap(),
                String::from_utf8(whole).unwrap()
            );
            // The first `detail_slogans` rows have their report lists, the others none.
            let v: serde_json::Value = serde_json::from_slice(&streamed).unwrap();
            let with: Vec<bool> = v["slogans"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.get("documents").is_some() && s.get("kwic").is_some())
                .collect();
            let n = v["detail_slogans"].as_u64().unwrap() as usize;
            assert_eq!(
                n,
                if detail_slogans == 0 {
                    cmp.slogans.len()
                } else {
                    detail_slogans.min(cmp.slogans.len())
                }
            );
            assert!(with[..n].iter().all(|&w| w) && with[n..].iter().all(|&w| !w));
        }
        // No slogans: an empty array.
        let empty = Comparison::default();
        let mut whole =
            serde_json::to_vec(&slogans_file(&empty, &crate::Config::default())).unwrap();
        whole.push(b'\n');
        let mut streamed = Vec::new();
        write_slogans_json(&empty, &crate::Config::default(), &mut streamed).unwrap();
        assert_eq!(streamed, whole);
    }
}
