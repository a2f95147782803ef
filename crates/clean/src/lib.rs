//! The clean stage of tifa: from a folder of report files as people actually have them
//! (newspaper columns, PDF exports, template-website compilations, old GBK files) to a
//! [`Corpus`] of clean reports with metadata.
//!
//! The work runs in two parallel passes over the files. The first reads and decodes each file
//! ([`decode`]), strips HTML ([`html`]), repairs mojibake ([`mojibake`]) and normalises
//! characters ([`normalise`]), line by line. Between the passes the stage learns boilerplate
//! from the corpus itself: short lines that recur verbatim near the start or end of many files.
//! The second pass removes what is not report text (configured patterns, learned boilerplate,
//! page numbers, watermarks), splits compilation files into their reports by title lines
//! ([`split`]), rejoins hard-wrapped paragraphs ([`reflow`]), cleans each paragraph and attaches
//! metadata ([`meta`]). Results are merged and sorted by source, so the output never depends
//! on the number of threads.
//!
//! Patterns that decide what is not report text live in [`Config`] (`config/clean.toml`).

mod blocks;
mod config;
mod decode;
mod gbk;
mod html;
mod meta;
mod mojibake;
mod normalise;
mod reflow;
mod scan;
mod split;
mod walk;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use tifa_core::{CleanLogRow, Corpus, Document, NoProgress, Progress, Skipped};

pub use config::{BodyRule, Config};

/// What can stop the clean stage. Bad input files never do: they are skipped with a warning.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A corpus folder given by the user cannot be read.
    #[error("cannot read corpus folder {}: {source}", path.display())]
    Root {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A setting is out of range.
    #[error("invalid clean setting `{key}`: {reason}")]
    Config {
        /// The key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A pattern in the config is not a valid regular expression.
    #[error("invalid pattern in clean config `{key}`: {message}")]
    Pattern {
        /// The config key holding the pattern.
        key: String,
        /// The regex error.
        message: String,
    },
    /// No report could be read from the corpus.
    #[error("no report could be read from {roots} ({} skipped)", tifa_core::text::counted(*skipped, "file"))]
    NoReports {
        /// The corpus folders, comma-separated.
        roots: String,
        /// How many input files were skipped.
        skipped: usize,
    },
    /// A wave of reports could not be handed on ([`run_in_waves`]).
    #[error("writing the cleaned reports out: {message}")]
    Waves {
        /// What went wrong.
        message: String,
    },
    /// A single file given to [`Cleaner::clean_bytes`] is not report text (binary, empty,
    /// undecodable, too large, a line too long).
    #[error("skipping {name}: {reason}")]
    Skipped {
        /// The file's name as given.
        name: String,
        /// Why it is skipped, as the clean stage's warning says it.
        reason: String,
    },
}

pub(crate) fn compile(key: &str, pattern: &str) -> Result<Regex, Error> {
    Regex::new(pattern).map_err(|e| Error::Pattern {
        key: key.to_string(),
        message: e.to_string(),
    })
}

/// A file after the first pass: normalised lines.
struct Prepared {
    file: usize,
    encoding: &'static str,
    lines: Vec<String>,
    /// Characters of each line as decoded, before any cleaning.
    raw_chars: Vec<u32>,
    /// Mojibake runs repaired or dropped, per line.
    mojibake: Vec<u32>,
}

/// Reads and prepares one file, keeping only its first and last `edges` non-blank lines when
/// given (see [`prepare`]).
fn read_file(
    f: &walk::InputFile,
    config: &Config,
    edges: Option<usize>,
) -> Result<Prepared, String> {
    if f.size > config.max_file_bytes {
        return Err(format!("larger than {} bytes", config.max_file_bytes));
    }
    let bytes = std::fs::read(&f.path).map_err(|e| format!("cannot read: {e}"))?;
    prepare(
        &f.rel,
        decode::decode(&bytes, config.max_invalid_share)?,
        config,
        edges,
    )
}

/// The first pass over one file's decoded content: strip HTML (by the name's ending), repair
/// mojibake and normalise, line by line. `Err` carries the reason the file is skipped.
///
/// With `edges`, only the first and last `edges` non-blank lines are made and kept (the lines
/// in between are only checked for length, so a file is skipped alike), without their
/// character counts: what the boilerplate learners read of a file ([`Candidates`]), which then
/// costs a fraction of the whole pass.
fn prepare(
    rel: &str,
    decoded: decode::Decoded,
    config: &Config,
    edges: Option<usize>,
) -> Result<Prepared, String> {
    let lower = rel.to_lowercase();
    let text = if lower.ends_with(".htm") || lower.ends_with(".html") {
        Cow::Owned(html::to_text(&decoded.text))
    } else {
        decoded.text
    };
    // Old Windows and Mac line ends become plain line breaks.
    let text = if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        text
    };
    let raws = text.split(['\n', '\u{2028}', '\u{2029}', '\u{0C}', '\u{85}']);
    let too_long = |raw: &str| {
        (raw.len() > config.max_line_bytes).then(|| {
            format!(
                "a line of {} bytes (longer than {}): not report text",
                raw.len(),
                config.max_line_bytes
            )
        })
    };
    let mut p = Prepared {
        file: 0,
        encoding: decoded.encoding,
        lines: Vec::new(),
        raw_chars: Vec::new(),
        mojibake: Vec::new(),
    };
    let Some(k) = edges else {
        for raw in raws {
            if let Some(e) = too_long(raw) {
                return Err(e);
            }
            let (line, runs, chars) = prepare_line(raw, config);
            p.lines.push(line);
            p.raw_chars.push(chars);
            p.mojibake.push(runs);
        }
        return Ok(p);
    };
    let raws: Vec<&str> = raws.collect();
    if let Some(e) = raws.iter().find_map(|r| too_long(r)) {
        return Err(e);
    }
    let nonblank = |raw: &&str| {
        let (line, _, _) = prepare_line(raw, config);
        (!line.trim().is_empty()).then_some(line)
    };
    let head: Vec<(usize, String)> = raws
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, nonblank(r)?)))
        .take(k)
        .collect();
    let after = head.last().map_or(0, |(i, _)| i + 1);
    let mut tail: Vec<String> = raws[after.min(raws.len())..]
        .iter()
        .rev()
        .filter_map(nonblank)
        .take(k)
        .collect();
    tail.reverse();
    p.lines = head.into_iter().map(|(_, l)| l).chain(tail).collect();
    Ok(p)
}

/// One line of the first pass: repaired and normalised, with the mojibake runs repaired or
/// dropped and its characters as decoded.
fn prepare_line(raw: &str, config: &Config) -> (String, u32, u32) {
    // One pass counts what repair and normalisation need; most lines need neither.
    let tally = scan::Tally::of(raw);
    let repaired = if config.repair_mojibake {
        mojibake::repair_tallied(raw, &tally)
    } else {
        None
    };
    let (line, runs) = match repaired {
        Some((s, n)) => {
            let mut line = String::with_capacity(s.len());
            normalise::chars(&s, &mut line);
            (line, n as u32)
        }
        None if tally.changes => (normalise::chars_changed(raw), 0),
        None => (raw.to_string(), 0),
    };
    (line, runs, tally.chars)
}

/// What one file offers the boilerplate learners: the lines each would count for it, each as
/// its [`line_key`]. A key, not the line: near the edges of a short file (a news transcript)
/// the block learner's windows hold nearly every line, and the first pass of a clean under a
/// memory budget keeps every file's candidates at once.
struct Candidates {
    /// The corpus folder the file was found in.
    root: usize,
    /// Short lines near its start or end ([`boilerplate_candidates`]).
    lines: FxHashSet<u64>,
    /// Block lines in its edge windows ([`blocks::candidates`]).
    blocks: FxHashSet<u64>,
}

impl Candidates {
    fn of(lines: &[String], root: usize, config: &Config) -> Candidates {
        let keys = |set: FxHashSet<&str>| set.into_iter().map(line_key).collect();
        Candidates {
            root,
            lines: keys(boilerplate_candidates(lines, config)),
            blocks: keys(blocks::candidates(lines, config)),
        }
    }
}

/// The key a line is learned and found by: a 64-bit hash of its (trimmed) text, which two
/// different lines share once in about 10^19 pairs.
pub(crate) fn line_key(line: &str) -> u64 {
    tifa_core::fingerprint(line.as_bytes())
}

/// The short lines among the first and last `boilerplate_edge_lines` non-blank lines of a
/// file: the single lines boilerplate is learned from.
fn boilerplate_candidates<'a>(lines: &'a [String], config: &Config) -> FxHashSet<&'a str> {
    let mut set = FxHashSet::default();
    if !config.learn_boilerplate {
        return set;
    }
    let nonblank: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect();
    let k = config.boilerplate_edge_lines;
    let head = nonblank.iter().take(k);
    let tail = nonblank.iter().rev().take(k);
    for l in head.chain(tail) {
        if l.chars().count() <= config.boilerplate_max_chars {
            set.insert(*l);
        }
    }
    set
}

/// The lines (keys) in at least `max(boilerplate_min_files, share × files)` of the files'
/// sets: what either learner learns from its [`Candidates`] (none when it is off: its sets are
/// empty).
fn recurring<'a>(
    per_file: impl IntoIterator<Item = &'a FxHashSet<u64>>,
    share: f64,
    config: &Config,
) -> FxHashSet<u64> {
    let mut counts: FxHashMap<u64, usize> = FxHashMap::default();
    let mut files = 0;
    for set in per_file {
        files += 1;
        for &l in set {
            *counts.entry(l).or_insert(0) += 1;
        }
    }
    let need = (config.boilerplate_min_files as f64).max(share * files as f64);
    counts
        .into_iter()
        .filter(|&(_, n)| n as f64 >= need)
        .map(|(l, _)| l)
        .collect()
}

/// Compiled rules shared by all files of a run.
pub(crate) struct Rules {
    /// The reason of each line pattern, in config order.
    line: Vec<String>,
    /// The line patterns in two sets, each with the config-order index of its patterns: those
    /// anchored at the line start (their automaton stops after a few bytes) and the others
    /// (which open with literals the regex engine finds with a vectorised prefilter). One set
    /// holding both kinds has no prefilter and runs its automaton over every byte of a line.
    line_sets: Vec<(regex::RegexSet, Vec<usize>)>,
    span: Vec<(String, Regex)>,
    titles: Vec<Regex>,
    heading: Regex,
    infer: meta::Infer,
    /// Learned boilerplate lines, by [`line_key`].
    learned: FxHashSet<u64>,
    /// Lines of learned boilerplate blocks ([`blocks`]), by [`line_key`].
    blocks: FxHashSet<u64>,
}

impl Rules {
    fn new(config: &Config, learned: FxHashSet<u64>) -> Result<Rules, Error> {
        let group = |map: &BTreeMap<String, Vec<String>>,
                     key: &str|
         -> Result<Vec<(String, Regex)>, Error> {
            map.iter()
                .filter(|(_, pats)| !pats.is_empty())
                .map(|(reason, pats)| {
                    let joined = pats
                        .iter()
                        .map(|p| format!("(?:{p})"))
                        .collect::<Vec<_>>()
                        .join("|");
                    Ok((
                        reason.clone(),
                        compile(&format!("{key}.{reason}"), &joined)?,
                    ))
                })
                .collect()
        };
        let mut line = Vec::new();
        let mut pats = Vec::new();
        for (reason, list) in &config.line_patterns {
            for p in list {
                compile(&format!("line_patterns.{reason}"), p)?;
                line.push(reason.clone());
                pats.push(p.as_str());
            }
        }
        let mut line_sets = Vec::new();
        for anchored in [true, false] {
            let idx: Vec<usize> = (0..pats.len())
                .filter(|&k| pats[k].starts_with('^') == anchored)
                .collect();
            if idx.is_empty() {
                continue;
            }
            let set =
                regex::RegexSet::new(idx.iter().map(|&k| pats[k])).map_err(|e| Error::Pattern {
                    key: "line_patterns".into(),
                    message: e.to_string(),
                })?;
            line_sets.push((set, idx));
        }
        Ok(Rules {
            line,
            line_sets,
            span: group(&config.span_patterns, "span_patterns")?,
            titles: config
                .title_patterns
                .iter()
                .map(|p| compile("title_patterns", p))
                .collect::<Result<_, _>>()?,
            heading: compile("heading_pattern", &config.heading_pattern)?,
            infer: meta::Infer::new(config)?,
            learned,
            blocks: FxHashSet::default(),
        })
    }

    /// The rules with the boilerplate lines and blocks learned from every file's
    /// [`Candidates`].
    fn learn(candidates: Vec<Candidates>, config: &Config) -> Result<Rules, Error> {
        let roots: Vec<usize> = candidates.iter().map(|c| c.root).collect();
        let (lines, blocks): (Vec<_>, Vec<_>) =
            candidates.into_iter().map(|c| (c.lines, c.blocks)).unzip();
        let learned = recurring(&lines, config.boilerplate_min_share, config);
        let mut rules = Rules::new(config, learned)?;
        // Blocks are learned across the corpus and across each of its folders: a folder from
        // one source carries that source's notice, which the other folders may dilute below
        // the share.
        let share = config.boilerplate_block_min_share;
        rules.blocks = recurring(&blocks, share, config);
        let folders: std::collections::BTreeSet<usize> = roots.iter().copied().collect();
        if folders.len() > 1 {
            for folder in folders {
                let own = (blocks.iter().zip(&roots))
                    .filter(|&(_, &r)| r == folder)
                    .map(|(b, _)| b);
                rules.blocks.extend(recurring(own, share, config));
            }
        }
        Ok(rules)
    }

    /// Why a line is not report text, if it is not.
    fn line_reason(&self, line: &str, config: &Config) -> Option<String> {
        let t = line.trim();
        if t.is_empty() {
            return None;
        }
        if !self.learned.is_empty() && self.learned.contains(&line_key(t)) {
            return Some("boilerplate".into());
        }
        // A byte bound first: most report paragraphs are too long to be chrome.
        if t.len() > 4 * config.line_pattern_max_chars.max(config.url_line_max_chars) {
            return None;
        }
        let n = t.chars().count();
        // Substring searches only on the rare line holding one of their first bytes.
        let has_link = || {
            (memchr::memchr3(b'h', b'w', b'W', t.as_bytes()).is_some()
                && (t.contains("http") || t.contains("www.") || t.contains("WWW.")))
                || (t.contains('@') && t.contains('.'))
        };
        if n <= config.url_line_max_chars && has_link() {
            return Some("watermark".into());
        }
        if n <= config.line_pattern_max_chars {
            // The first matching pattern in config order names the line.
            let first = self
                .line_sets
                .iter()
                .filter(|(set, _)| set.is_match(t))
                .filter_map(|(set, idx)| set.matches(t).iter().next().map(|k| idx[k]))
                .min();
            if let Some(k) = first {
                return Some(self.line[k].clone());
            }
        }
        None
    }
}

/// One cleaned report before ids are given.
struct Cleaned {
    file: usize,
    position: usize,
    of: usize,
    doc: Document,
    log: CleanLogRow,
}

/// The corpus folders' report files, in output order, with the manifests' rows and the files
/// skipped so far: what both [`run`] and [`run_in_waves`] start from.
struct Found {
    files: Vec<walk::InputFile>,
    /// Manifest rows keyed by (root, path relative to that root).
    manifest: HashMap<(usize, String), meta::ManifestRow>,
    skipped: Vec<Skipped>,
    /// What is wrong in the manifests, to be said once: rows with a year that is not one,
    /// second rows for a file, rows naming no file of the corpus.
    warnings: Vec<String>,
}

fn find(roots: &[PathBuf], config: &Config) -> Result<Found, Error> {
    config.validate_shares()?;
    let walked = walk::walk(roots, config)?;
    let mut skipped = walked.skipped;
    let mut warnings = walked.warnings;
    let named: std::collections::HashSet<(usize, &str)> = walked
        .files
        .iter()
        .map(|f| (f.root, f.rel.as_str()))
        .collect();
    let mut manifest: HashMap<(usize, String), meta::ManifestRow> = HashMap::new();
    for m in &walked.manifests {
        let dir = m.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        match std::fs::read(&m.path) {
            Ok(bytes) => match decode::decode(&bytes, config.max_invalid_share) {
                Ok(d) => {
                    let rows =
                        meta::parse_manifest(&d.text, dir, &m.rel, &mut skipped, &mut warnings);
                    for (k, v) in rows {
                        if !named.contains(&(m.root, k.as_str())) {
                            warnings
                                .push(format!("{}: names a file the corpus does not hold", v.at));
                        }
                        let at = v.at.clone();
                        if let Some(first) = manifest.insert((m.root, k.clone()), v) {
                            warnings.push(format!(
                                "{at}: a second row for `{k}` (the first at {}); the last is used",
                                first.at
                            ));
                        }
                    }
                }
                Err(reason) => skipped.push(Skipped {
                    source: m.rel.clone(),
                    reason,
                }),
            },
            Err(e) => skipped.push(Skipped {
                source: m.rel.clone(),
                reason: format!("cannot read: {e}"),
            }),
        }
    }
    Ok(Found {
        files: walked.files,
        manifest,
        skipped,
        warnings,
    })
}

impl Found {
    /// Reads files `which` on all threads (only their edges when `edges` is given: see
    /// [`prepare`]), each made into `keep(prepared)`, with the failures added to the skipped
    /// files; `progress` counts their bytes.
    fn read<T: Send>(
        &mut self,
        which: &[usize],
        config: &Config,
        edges: Option<usize>,
        progress: &dyn Progress,
        keep: impl Fn(Prepared) -> T + Sync,
    ) -> Vec<T> {
        let files = &self.files;
        let read: Vec<Result<T, (usize, String)>> = which
            .par_iter()
            .map(|&i| {
                let f = &files[i];
                let r = read_file(f, config, edges).map(|mut p| {
                    p.file = i;
                    keep(p)
                });
                progress.inc(f.size);
                r.map_err(|reason| (i, reason))
            })
            .collect();
        let mut kept = Vec::with_capacity(read.len());
        for r in read {
            match r {
                Ok(p) => kept.push(p),
                Err((i, reason)) => self.skipped.push(Skipped {
                    source: self.files[i].name.clone(),
                    reason,
                }),
            }
        }
        kept
    }

    /// The second pass over prepared files, on all threads, in output order. Each file's lines
    /// are freed by the worker that is done with them, not by one thread after the pass.
    /// `progress` counts the files' bytes. A file left with no report (all of it boilerplate,
    /// page numbers, adverts or punctuation) is added to the skipped files.
    fn clean(
        &mut self,
        prepared: Vec<Prepared>,
        rules: &Rules,
        config: &Config,
        progress: &dyn Progress,
    ) -> Vec<Cleaned> {
        let files = &self.files;
        let manifest = &self.manifest;
        let cleaned: Vec<(usize, Vec<Cleaned>)> = prepared
            .into_par_iter()
            .map(|p| {
                let f = &files[p.file];
                let row = manifest.get(&(f.root, f.rel.clone()));
                let out = split::clean_file(p.file, &f.name, &p, row, rules, config);
                progress.inc(f.size);
                (p.file, out)
            })
            .collect();
        for (i, _) in cleaned.iter().filter(|(_, out)| out.is_empty()) {
            self.skipped.push(Skipped {
                source: files[*i].name.clone(),
                reason: NOTHING_LEFT.to_string(),
            });
        }
        let mut cleaned: Vec<Cleaned> = cleaned.into_iter().flat_map(|(_, out)| out).collect();
        cleaned.sort_by(|a, b| {
            (files[a.file].rel.as_str(), files[a.file].root, a.position).cmp(&(
                files[b.file].rel.as_str(),
                files[b.file].root,
                b.position,
            ))
        });
        cleaned
    }
}

/// `text` as the clean stage writes report text: full-width letters and digits made ASCII,
/// half-width punctuation beside Chinese made full-width, spaces between Chinese characters
/// dropped, and traditional characters made simplified when `config` asks for it. For strings a
/// user types to look up or cut, so that they match the cleaned texts.
pub fn normalise_text(text: &str, config: &Config) -> String {
    let mut s = String::with_capacity(text.len());
    normalise::chars(text, &mut s);
    let s = normalise::punctuation_and_spaces(&s);
    let s = if config.traditional_to_simplified {
        zhconv::zhconv(&s, zhconv::Variant::ZhHans)
    } else {
        s
    };
    s.trim().to_string()
}

/// The reason a file that cleaning left with no report is skipped for.
const NOTHING_LEFT: &str = "no report text left after cleaning";

/// Runs the clean stage over the corpus folders.
pub fn run(roots: &[PathBuf], config: &Config, progress: &dyn Progress) -> Result<Corpus, Error> {
    let mut found = find(roots, config)?;
    for w in &found.warnings {
        progress.warn(w);
    }
    let all: Vec<usize> = (0..found.files.len()).collect();
    progress.start("read", found.files.iter().map(|f| f.size).sum());
    let prepared = found.read(&all, config, None, progress, |p| p);
    progress.finish();
    let candidates = prepared
        .par_iter()
        .map(|p| Candidates::of(&p.lines, found.files[p.file].root, config))
        .collect();
    let rules = Rules::learn(candidates, config)?;
    progress.start(
        "clean",
        prepared.iter().map(|p| found.files[p.file].size).sum(),
    );
    let cleaned = found.clean(prepared, &rules, config, progress);
    progress.finish();
    let corpus = Assemble::corpus(cleaned, found.skipped);
    no_reports(roots, corpus.documents.len(), &corpus.skipped, progress)?;
    Ok(corpus)
}

/// [`run`] in bounded memory: the reports are cleaned in waves of files of about `wave_bytes`
/// together, in output order, and handed to `each` (reports and their log rows) wave by wave;
/// returns the skipped files. The reports, their order, ids and log rows are [`run`]'s.
///
/// Learning boilerplate needs every file's first and last lines before any file is cleaned, so
/// a first pass reads every file, prepares only the lines at its edges that the learners read,
/// and keeps the short lines there that they count ([`Candidates`]); the waves read their
/// files again. The files are read and decoded twice, in return for holding one wave at a
/// time.
pub fn run_in_waves(
    roots: &[PathBuf],
    config: &Config,
    progress: &dyn Progress,
    wave_bytes: u64,
    mut each: impl FnMut(Vec<Document>, Vec<CleanLogRow>) -> Result<(), String>,
) -> Result<Vec<Skipped>, Error> {
    let mut found = find(roots, config)?;
    for w in &found.warnings {
        progress.warn(w);
    }
    let all: Vec<usize> = (0..found.files.len()).collect();
    progress.start("edges", found.files.iter().map(|f| f.size).sum());
    let k = config
        .boilerplate_edge_lines
        .max(config.boilerplate_block_edge_lines);
    let roots_of: Vec<usize> = found.files.iter().map(|f| f.root).collect();
    let edges = found.read(&all, config, Some(k), progress, |p| {
        (p.file, Candidates::of(&p.lines, roots_of[p.file], config))
    });
    progress.finish();
    let (readable, candidates): (Vec<usize>, Vec<_>) = edges.into_iter().unzip();
    let rules = Rules::learn(candidates, config)?;
    progress.start("clean", readable.iter().map(|&i| found.files[i].size).sum());
    let mut assembled = Assemble::default();
    let mut reports = 0;
    let mut start = 0;
    while start < readable.len() {
        let mut end = start;
        let mut size = 0;
        while end < readable.len() && (end == start || size < wave_bytes) {
            size += found.files[readable[end]].size;
            end += 1;
        }
        let prepared = found.read(&readable[start..end], config, None, &NoProgress, |p| p);
        let cleaned = found.clean(prepared, &rules, config, progress);
        let (documents, log) = assembled.add(cleaned);
        reports += documents.len();
        each(documents, log).map_err(|message| Error::Waves { message })?;
        start = end;
    }
    progress.finish();
    // Files that fail only now (changed since the first pass) are among them.
    let skipped = assembled.skipped(found.skipped);
    no_reports(roots, reports, &skipped, progress)?;
    Ok(skipped)
}

/// Warns of every skipped file, and fails when no report was read.
fn no_reports(
    roots: &[PathBuf],
    reports: usize,
    skipped: &[Skipped],
    progress: &dyn Progress,
) -> Result<(), Error> {
    for s in skipped {
        progress.warn(&format!("skipping {}: {}", s.source, s.reason));
    }
    if reports == 0 {
        return Err(Error::NoReports {
            roots: roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            skipped: skipped.len(),
        });
    }
    Ok(())
}

/// Gives cleaned reports (already in output order) their ids and drops exact duplicates,
/// batch after batch.
#[derive(Default)]
struct Assemble {
    /// The id of the first report with each text's fingerprint.
    seen: HashMap<u64, String>,
    /// The duplicates dropped so far.
    duplicates: Vec<Skipped>,
}

impl Assemble {
    /// All the reports of a corpus at once, with the files `skipped` before them.
    fn corpus(cleaned: Vec<Cleaned>, skipped: Vec<Skipped>) -> Corpus {
        let mut assembled = Assemble::default();
        let (documents, log) = assembled.add(cleaned);
        Corpus {
            documents,
            log,
            skipped: assembled.skipped(skipped),
        }
    }

    /// The next reports in output order, with their log rows.
    fn add(&mut self, cleaned: Vec<Cleaned>) -> (Vec<Document>, Vec<CleanLogRow>) {
        let mut documents = Vec::with_capacity(cleaned.len());
        let mut log = Vec::with_capacity(cleaned.len());
        for mut c in cleaned {
            c.doc.id = if c.of > 1 {
                format!("{}#{}", c.doc.source, c.position + 1)
            } else {
                c.doc.source.clone()
            };
            c.log.id = c.doc.id.clone();
            let key = tifa_core::fingerprint(c.doc.text.as_bytes());
            if let Some(first) = self.seen.get(&key) {
                self.duplicates.push(Skipped {
                    source: c.doc.id.clone(),
                    reason: format!("exact duplicate of {first}"),
                });
                continue;
            }
            self.seen.insert(key, c.doc.id.clone());
            documents.push(c.doc);
            log.push(c.log);
        }
        (documents, log)
    }

    /// The skipped files with the duplicates, sorted by source.
    fn skipped(self, mut skipped: Vec<Skipped>) -> Vec<Skipped> {
        skipped.extend(self.duplicates);
        skipped.sort_by(|a, b| a.source.cmp(&b.source));
        skipped
    }
}

/// The clean stage for one file held in memory, with the config's patterns compiled once: what
/// [`run`] does to a corpus of that single file. Boilerplate learned across files needs a corpus,
/// so none is learned here. Used by tools that clean text from elsewhere than a folder, and to
/// fuzz the cleaner.
pub struct Cleaner {
    config: Config,
    rules: Rules,
}

impl Cleaner {
    /// Compiles the config's patterns; fails on an invalid one.
    pub fn new(config: Config) -> Result<Cleaner, Error> {
        config.validate_shares()?;
        let rules = Rules::new(&config, FxHashSet::default())?;
        Ok(Cleaner { config, rules })
    }

    /// Cleans the content of one file named `name` (a path relative to the corpus folder; its
    /// ending decides whether HTML is stripped) into its reports. A file that is not report
    /// text gives [`Error::Skipped`]; a file whose text is all page chrome gives an empty
    /// corpus.
    pub fn clean_bytes(&self, name: &str, bytes: &[u8]) -> Result<Corpus, Error> {
        let skipped = |reason| Error::Skipped {
            name: name.to_string(),
            reason,
        };
        if bytes.len() as u64 > self.config.max_file_bytes {
            return Err(skipped(format!(
                "larger than {} bytes",
                self.config.max_file_bytes
            )));
        }
        let p = decode::decode(bytes, self.config.max_invalid_share)
            .and_then(|d| prepare(name, d, &self.config, None))
            .map_err(skipped)?;
        let cleaned = split::clean_file(0, name, &p, None, &self.rules, &self.config);
        Ok(Assemble::corpus(cleaned, Vec::new()))
    }
}

/// A cheap fingerprint of the inputs: relative path, size and modification time of every file
/// [`run`] would read, manifests included. Changes when a file is added, removed or touched.
pub fn inputs_fingerprint(roots: &[PathBuf], config: &Config) -> Result<u64, Error> {
    Ok(inputs(roots, config)?.fingerprint)
}

/// What [`run`] would read, known from a walk of the corpus folders that reads no file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inputs {
    /// [`inputs_fingerprint`].
    pub fingerprint: u64,
    /// Total size of the files in bytes, manifests included.
    pub bytes: u64,
}

/// The fingerprint ([`inputs_fingerprint`]) and total size of the inputs, from one walk.
pub fn inputs(roots: &[PathBuf], config: &Config) -> Result<Inputs, Error> {
    let walked = walk::walk(roots, config)?;
    let mut s = String::new();
    for (i, r) in roots.iter().enumerate() {
        s.push_str(&format!("root {i} {}\n", Path::new(r).display()));
    }
    let mut bytes = 0;
    for f in walked.files.iter().chain(&walked.manifests) {
        s.push_str(&format!("{}\t{}\t{}\t{}\n", f.root, f.rel, f.size, f.mtime));
        bytes += f.size;
    }
    Ok(Inputs {
        fingerprint: tifa_core::fingerprint(s.as_bytes()),
        bytes,
    })
}

/// The cleaning log as TSV (`work/clean-log.tsv`): a header, one row per report, with the
/// removed lines and spans as `reason=count` pairs sorted by reason, then one row per skipped
/// input file, with why it was skipped in the last column (empty for a report): nothing is
/// dropped without a trace.
pub fn log_tsv(log: &[CleanLogRow], skipped: &[Skipped]) -> String {
    let clean = |t: &str| t.replace(['\t', '\n', '\r'], " ");
    let mut s = String::from("id\tencoding\tchars_in\tchars_out\tremoved\tskipped\n");
    for r in log {
        let removed: Vec<String> = r.removed.iter().map(|(k, v)| format!("{k}={v}")).collect();
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t\n",
            clean(&r.id),
            r.encoding,
            r.chars_in,
            r.chars_out,
            removed.join(",")
        ));
    }
    for k in skipped {
        s.push_str(&format!(
            "{}\t\t0\t0\t\t{}\n",
            clean(&k.source),
            clean(&k.reason)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaner_gives_what_run_gives_for_a_one_file_corpus() {
        let text = "2024年某市政府工作报告\r\n\r\n各位代表：\r\n现在，我代表市人民政府，向大会报告工作，请予审议。\r\n- 2 -\r\n一、过去一年工作回顾\r\n全市经济运行稳中有进，\r\n高质量发展扎实推进。\r\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.txt"), text).unwrap();
        let config = Config::default();
        let from_run = run(&[dir.path().to_path_buf()], &config, &tifa_core::NoProgress).unwrap();
        let cleaner = Cleaner::new(config).unwrap();
        let from_bytes = cleaner.clean_bytes("report.txt", text.as_bytes()).unwrap();
        assert_eq!(from_bytes, from_run);
        assert_eq!(from_bytes.documents[0].id, "report.txt");
        assert!(!from_bytes.documents[0].text.contains(['\r', '-']));
    }

    #[test]
    fn the_edges_of_a_file_give_the_learners_what_the_whole_file_gives() {
        // Lines of several kinds: short ones, sentences, blank and whitespace-only ones, one
        // that normalisation makes blank (a zero-width space), full-width text.
        let kinds = [
            "本页面整理于某年",
            "",
            "   ",
            "\u{200B}",
            "各位代表：",
            "全市经济运行稳中有进，高质量发展扎实推进，人民生活水平不断提高。",
            "ＡＢＣ　版权所有",
            "第二部分",
        ];
        let wide = Config {
            boilerplate_edge_lines: 50,
            ..Config::default()
        };
        for config in [Config::default(), wide] {
            let k = config
                .boilerplate_edge_lines
                .max(config.boilerplate_block_edge_lines);
            for n in [0, 1, 5, 39, 40, 79, 80, 81, 82, 99, 100, 101, 250] {
                let text: String = (0..n)
                    .map(|i| format!("{}{}\n", kinds[(i * 7 + n) % kinds.len()], i % 3))
                    .collect();
                let decoded = || decode::Decoded {
                    text: Cow::Borrowed(text.as_str()),
                    encoding: "UTF-8",
                };
                let whole = prepare("a.txt", decoded(), &config, None).unwrap();
                let edges = prepare("a.txt", decoded(), &config, Some(k)).unwrap();
                let (a, b) = (
                    Candidates::of(&whole.lines, 0, &config),
                    Candidates::of(&edges.lines, 0, &config),
                );
                assert_eq!(a.lines, b.lines, "{n} lines");
                assert_eq!(a.blocks, b.blocks, "{n} lines");
                assert!(edges.lines.len() <= 2 * k);
            }
            // A file skipped for a line too long is skipped alike, wherever the line is.
            let long = format!("开头\n{}\n结尾\n", "字".repeat(config.max_line_bytes));
            let decoded = decode::Decoded {
                text: Cow::Borrowed(long.as_str()),
                encoding: "UTF-8",
            };
            assert!(prepare("a.txt", decoded, &config, Some(k)).is_err());
        }
    }

    #[test]
    fn cleaner_names_a_skipped_file_and_its_reason() {
        let cleaner = Cleaner::new(Config::default()).unwrap();
        for (bytes, reason) in [
            (&b" \n\t"[..], "empty file"),
            (&b"\x00\x01\x02\x03\xff\xfe\xfd"[..], "binary"),
        ] {
            let e = cleaner.clean_bytes("x.txt", bytes).unwrap_err();
            assert!(matches!(e, Error::Skipped { .. }), "{e}");
            assert!(e.to_string().starts_with("skipping x.txt: "), "{e}");
            assert!(e.to_string().contains(reason), "{e}");
        }
    }
}
