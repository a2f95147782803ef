//! `tifa inspect`: the header and a summary of any intermediate, or all of it as JSON. The file
//! is checked exactly as a stage would check it, so a damaged file is refused here too.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;
use tifa_core::format::{self, Header, Stage};
use tifa_core::{Comparison, Corpus, Counts, Segmented};

fn dump<T: Serialize>(header: &Header, value: &T) -> anyhow::Result<()> {
    let mut v = serde_json::to_value(value).context("converting to JSON")?;
    if let serde_json::Value::Object(map) = &mut v {
        map.insert("header".into(), serde_json::to_value(header)?);
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut w, &v)?;
    writeln!(w)?;
    Ok(())
}

/// Prints the header and a summary (or the whole content as JSON) of an intermediate.
pub fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let stage = format::read_header(path, None)?.stage;
    let (header, summary) = match stage {
        Stage::Clean => {
            let (header, c): (Header, Corpus) = format::read(path, stage)?;
            if json {
                return dump(&header, &c);
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
                return dump(&header, &s);
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
                return dump(&header, &c);
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
                return dump(&header, &c);
            }
            let top: Vec<String> = c
                .slogans
                .iter()
                .take(10)
                .map(|s| format!("  {:>3} {} (df {}, tf {})", s.rank, s.phrase, s.df, s.tf))
                .collect();
            let text = format!(
                "documents: {}\nslogans: {}\ngroup comparisons: {}\ntop:\n{}",
                c.docs.len(),
                c.slogans.len(),
                c.groups.len(),
                top.join("\n")
            );
            (header, text)
        }
    };
    println!(
        "{}\nstage: {}\nformat version: {}\npayload: {} bytes, checksum {:016x} (ok)\ninput fingerprint: {:016x}\nconfig fingerprint: {:016x}\n{summary}",
        path.display(),
        header.stage,
        header.version,
        header.payload_len,
        header.checksum,
        header.input_fingerprint,
        header.config_fingerprint
    );
    Ok(())
}
