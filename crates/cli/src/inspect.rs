//! `tifa inspect`: the header and a summary of any intermediate, or all of it as JSON. The file
//! is checked exactly as a stage would check it, so a damaged file is refused here too, before
//! anything is printed.
//!
//! The JSON is written a value at a time ([`JsonOut`]): a list of reports, phrases or slogans
//! element by element, so that a dump holds the file's contents and one element's JSON, never
//! the JSON of the whole (which took 30 times the file on segment.bin and count.bin). Every
//! object's keys are in sorted order. segment.bin's and count.bin's token streams, phrases and
//! vocabulary are written as terms and figures, not as their packed encodings.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use tifa_core::format::{self, Header, Stage};
use tifa_core::{
    Branching, Comparison, Corpus, Counts, Meta, Segmented, TokenKind, Vocab, WordClass,
};

/// Prints the header and a summary (or the whole content as JSON) of an intermediate.
pub fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let stage = format::read_header(path, None)?.stage;
    let (header, summary) = match stage {
        Stage::Clean => {
            let (header, c): (Header, Corpus) = format::read(path, stage)?;
            if json {
                return print_json(|w| clean_json(&header, &c, w));
            }
            let chars: usize = c.documents.iter().map(|d| d.text.chars().count()).sum();
            let text = format!(
                "documents: {}\ncharacters: {chars}\nskipped files: {}",
                c.documents.len(),
                c.skipped.len()
            );
            (header, text)
        }
        Stage::Segment => {
            let (header, s): (Header, Segmented) = format::read(path, stage)?;
            if json {
                return print_json(|w| segment_json(&header, &s, w));
            }
            let tokens: usize = s.docs.iter().map(|d| d.tokens.len()).sum();
            let text = format!(
                "documents: {}\ntokens: {tokens}\nvocabulary: {}",
                s.documents.len(),
                s.vocab.len()
            );
            (header, text)
        }
        Stage::Count => {
            let (header, c): (Header, Counts) = format::read(path, stage)?;
            if json {
                return print_json(|w| count_json(&header, &c, w));
            }
            let text = format!(
                "documents: {}\ntokens: {}\nphrases: {}\nmin_df: {}",
                c.docs.len(),
                c.n_tokens,
                c.phrases.len(),
                c.min_df
            );
            (header, text)
        }
        Stage::Compare => {
            let (header, c): (Header, Comparison) = format::read(path, stage)?;
            if json {
                return print_json(|w| compare_json(&header, &c, w));
            }
            let top: Vec<String> = c
                .slogans
                .iter()
                .take(10)
                .map(|s| format!("  {:>3} {} (df {}, tf {})", s.rank, s.phrase, s.df, s.tf))
                .collect();
            let text = format!(
                "documents: {}\nrows: {}\ngroup comparisons: {}\ntop:\n{}",
                c.docs.len(),
                crate::stages::Found::of(&c.slogans),
                c.groups.len(),
                top.join("\n")
            );
            (header, text)
        }
    };
    crate::to_stdout(&format!(
        "{}\nstage: {}\nformat version: {}\npayload: {} bytes, checksum {:016x} (ok)\ninput fingerprint: {:016x}\nconfig fingerprint: {:016x}\n{summary}\n",
        path.display(),
        header.stage,
        header.version,
        header.payload_len,
        header.checksum,
        header.input_fingerprint,
        header.config_fingerprint
    ))
}

/// Prints the JSON that `write` writes, buffered, to standard output; a reader that stops
/// early (`| head`) is not an error.
fn print_json(write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match write(&mut w).and_then(|()| w.flush().map_err(anyhow::Error::new)) {
        Err(e) if is_broken_pipe(&e) => Ok(()),
        Err(e) => Err(e.context("standard output: cannot write")),
        ok => ok,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// clean.bin: the reports (the user contract: `id`, `title`, `source`, `meta`, `text`), the
/// cleaning log and the skipped files, as the fields of [`Corpus`].
fn clean_json(header: &Header, c: &Corpus, w: impl Write) -> anyhow::Result<()> {
    let mut out = JsonOut::new(w)?;
    out.seq("documents", &c.documents)?;
    out.value("header", header)?;
    out.seq("log", &c.log)?;
    out.seq("skipped", &c.skipped)?;
    out.end()
}

/// One report of segment.bin: its metadata and the terms of its token stream, in order.
#[derive(Serialize)]
struct SegmentedReport<'a> {
    id: &'a str,
    title: &'a str,
    source: &'a str,
    meta: &'a Meta,
    tokens: Vec<&'a str>,
}

/// One term of the vocabulary, by id.
#[derive(Serialize)]
struct Term<'a> {
    id: u32,
    term: &'a str,
    kind: TokenKind,
    /// Frequency in the segmenter's general-language dictionary (0 when it lacks the term).
    general: u32,
    /// Class by the dictionary's part-of-speech tag.
    class: WordClass,
    /// Occurrences in the corpus, where known (count.bin).
    #[serde(skip_serializing_if = "Option::is_none")]
    tf: Option<u64>,
}

fn terms<'a>(vocab: &'a Vocab, tf: Option<&'a [u64]>) -> impl Iterator<Item = Term<'a>> + 'a {
    (0..vocab.len() as u32).map(move |id| Term {
        id,
        term: vocab.term(id),
        kind: vocab.kind(id),
        general: vocab.general(id),
        class: vocab.class(id),
        tf: tf.map(|tf| tf.get(id as usize).copied().unwrap_or(0)),
    })
}

/// segment.bin: each report with its tokens as terms (a number is its class when segment.toml
/// maps numbers to one), the vocabulary, and the skipped files. The texts are clean.bin's.
fn segment_json(header: &Header, s: &Segmented, w: impl Write) -> anyhow::Result<()> {
    let mut out = JsonOut::new(w)?;
    let reports = s
        .documents
        .iter()
        .zip(&s.docs)
        .map(|(d, t)| SegmentedReport {
            id: &d.id,
            title: &d.title,
            source: &d.source,
            meta: &d.meta,
            tokens: t.tokens.iter().map(|&id| s.vocab.term(id)).collect(),
        });
    out.seq("documents", reports)?;
    out.value("header", header)?;
    out.seq("skipped", &s.skipped)?;
    out.seq("vocabulary", terms(&s.vocab, None))?;
    out.end()
}

/// One counted phrase: its text, its terms and its statistics ([`tifa_core::PhraseStats`]).
#[derive(Serialize)]
struct CountedPhrase<'a> {
    phrase: String,
    tokens: Vec<&'a str>,
    tf: u32,
    df: u32,
    /// `[report index, occurrences]` for every report it occurs in.
    per_doc: Vec<(u32, u32)>,
    left: Branching,
    right: Branching,
    quoted: u32,
    numeric: u32,
    open_after: u32,
}

/// count.bin: the reports, the counted phrases with their statistics, the vocabulary with each
/// term's corpus frequency, and the corpus's figures.
fn count_json(header: &Header, c: &Counts, w: impl Write) -> anyhow::Result<()> {
    let mut out = JsonOut::new(w)?;
    out.seq("docs", &c.docs)?;
    out.value("header", header)?;
    out.value("min_df", &c.min_df)?;
    out.value("n_tokens", &c.n_tokens)?;
    let phrases = c.phrases.iter().map(|p| CountedPhrase {
        phrase: c.vocab.phrase(p.tokens),
        tokens: p.tokens.iter().map(|&id| c.vocab.term(id)).collect(),
        tf: p.tf,
        df: p.df,
        per_doc: p.per_doc.iter().collect(),
        left: p.left,
        right: p.right,
        quoted: p.quoted,
        numeric: p.numeric,
        open_after: p.open_after,
    });
    out.seq("phrases", phrases)?;
    out.seq("skipped", &c.skipped)?;
    out.seq("vocabulary", terms(&c.vocab, Some(&c.unigram_tf)))?;
    out.end()
}

/// compare.bin: the fields of [`Comparison`].
fn compare_json(header: &Header, c: &Comparison, w: impl Write) -> anyhow::Result<()> {
    let mut out = JsonOut::new(w)?;
    out.seq("docs", &c.docs)?;
    out.seq("groups", &c.groups)?;
    out.value("header", header)?;
    out.value("settings", &c.settings)?;
    out.seq("slogans", &c.slogans)?;
    out.value("summary", &c.summary)?;
    out.end()
}

/// A JSON object written field by field, as `serde_json::to_writer_pretty` writes a
/// `serde_json::Value` (two-space indents, the keys of every nested object sorted): a field
/// that is a list is written element by element, so no more than one element's JSON is held.
/// The caller gives the fields in sorted order.
struct JsonOut<W: Write> {
    w: W,
    fields: usize,
    /// One element's JSON, reused.
    buf: Vec<u8>,
}

impl<W: Write> JsonOut<W> {
    fn new(mut w: W) -> anyhow::Result<JsonOut<W>> {
        w.write_all(b"{")?;
        Ok(JsonOut {
            w,
            fields: 0,
            buf: Vec::new(),
        })
    }

    fn key(&mut self, key: &str) -> anyhow::Result<()> {
        let sep: &[u8] = if self.fields == 0 { b"\n  " } else { b",\n  " };
        self.fields += 1;
        self.w.write_all(sep)?;
        serde_json::to_writer(&mut self.w, key)?;
        self.w.write_all(b": ")?;
        Ok(())
    }

    /// `value`, indented as a field's value or a list's element (`depth` levels in).
    fn write_value<T: Serialize>(&mut self, value: &T, depth: usize) -> anyhow::Result<()> {
        // Through a `Value`, whose maps sort their keys, as the whole dump once did.
        let v = serde_json::to_value(value).context("converting to JSON")?;
        self.buf.clear();
        serde_json::to_writer_pretty(&mut self.buf, &v)?;
        // A JSON string holds no raw line break, so every one in the text starts a new line of
        // the layout, which goes `depth` levels in.
        for (i, line) in self.buf.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.w.write_all(b"\n")?;
                for _ in 0..depth {
                    self.w.write_all(b"  ")?;
                }
            }
            self.w.write_all(line)?;
        }
        Ok(())
    }

    fn value<T: Serialize>(&mut self, key: &str, value: &T) -> anyhow::Result<()> {
        self.key(key)?;
        self.write_value(value, 1)
    }

    fn seq<T: Serialize>(
        &mut self,
        key: &str,
        items: impl IntoIterator<Item = T>,
    ) -> anyhow::Result<()> {
        self.key(key)?;
        let mut n = 0;
        for item in items {
            self.w
                .write_all(if n == 0 { b"[\n    " } else { b",\n    " })?;
            self.write_value(&item, 2)?;
            n += 1;
        }
        self.w.write_all(if n == 0 { b"[]" } else { b"\n  ]" })?;
        Ok(())
    }

    fn end(mut self) -> anyhow::Result<()> {
        self.w.write_all(b"\n}\n")?;
        self.w.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dump as it was written before it went field by field: the whole value as one
    /// `serde_json::Value`, with the header among its keys.
    fn whole<T: Serialize>(header: &Header, value: &T) -> String {
        let mut v = serde_json::to_value(value).unwrap();
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("header".into(), serde_json::to_value(header).unwrap());
        }
        serde_json::to_string_pretty(&v).unwrap() + "\n"
    }

    fn header(stage: Stage) -> Header {
        Header {
            stage,
            version: 3,
            payload_len: 123,
            checksum: 0xfeed,
            input_fingerprint: 1,
            config_fingerprint: 2,
        }
    }

    #[test]
    fn a_corpus_is_written_as_the_whole_value_was() {
        let doc = |id: &str, text: &str| tifa_core::Document {
            id: id.into(),
            title: format!("{id} 报告"),
            source: format!("{id}.txt"),
            meta: Meta {
                region: Some("广东省".into()),
                year: Some(2025),
                ..Meta::default()
            },
            text: text.into(),
        };
        for corpus in [
            Corpus::default(),
            Corpus {
                documents: vec![doc("a", "四个意识\n“两个维护”"), doc("b", "")],
                log: vec![tifa_core::CleanLogRow {
                    id: "a".into(),
                    removed: [("page_number".to_string(), 2)].into(),
                    ..Default::default()
                }],
                skipped: vec![tifa_core::Skipped {
                    source: "x.doc".into(),
                    reason: "not text".into(),
                }],
            },
        ] {
            let h = header(Stage::Clean);
            let mut out = Vec::new();
            clean_json(&h, &corpus, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), whole(&h, &corpus));
        }
    }

    #[test]
    fn a_comparison_is_written_as_the_whole_value_was() {
        let slogan = |rank: u32, phrase: &str| tifa_core::Slogan {
            rank,
            phrase: phrase.into(),
            kind: tifa_core::Kind::Numbered,
            df: 3,
            df_pct: 75.0,
            tf: 7,
            score: 0.5,
            dp: 0.25,
            cohesion: 0.8,
            left_entropy: 1.5,
            right_entropy: f64::NAN,
            quoted_share: 0.0,
            evidence: "numbered".into(),
            n_tokens: 2,
            first_year: Some(2024),
            last_year: None,
            first_date: Some("2024-03".into()),
            last_date: None,
            family: phrase.into(),
            members: vec!["增强四个意识".into()],
            per_doc: vec![(0, 4), (2, 3)].into(),
            per_year: vec![(2024, 1), (2025, 2)],
            kwic: vec![tifa_core::Kwic::new(2, "要增强", phrase, "，坚定")],
        };
        let cmp = Comparison {
            settings: [("min_df".to_string(), "2".to_string())].into(),
            slogans: vec![slogan(1, "四个意识"), slogan(2, "有件必备、有备必审")],
            ..Comparison::default()
        };
        let h = header(Stage::Compare);
        let mut out = Vec::new();
        compare_json(&h, &cmp, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), whole(&h, &cmp));
    }
}
