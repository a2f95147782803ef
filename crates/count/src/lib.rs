//! tifa's count stage: exact term frequency, document frequency, per-report counts and
//! neighbour statistics of every phrase that recurs across reports, of any length.
//!
//! A phrase is a run of tokens inside one clause: it contains no clause or sentence mark and no
//! opening or closing quote, and it neither starts nor ends with the enumeration comma `、`
//! (which it may contain, so `有件必备、有备必审、有错必纠` is one phrase). The corpus becomes one
//! token stream with sentinels at those boundaries (module `stream`); a suffix array over the phrase
//! starts, ordered only as far as the next sentinel, groups every repeated phrase into LCP
//! intervals, and one bottom-up walk over them measures each class of phrases that occur at
//! the same positions (Yamamoto & Church 2001) (module `phrases`).
//!
//! What is stored is documented on [`run`].
//!
//! Memory: besides the input and the output, the stage holds the stream (4 bytes per token) and
//! the suffixes of one pass at a time — suffixes are processed in passes of equal size by first
//! token, about a sixteenth of them (at least 2M) per pass, at 36 bytes per suffix (its sort
//! key, position, left token and report in 32, and its LCP; the walk reads phrase tokens from
//! the keys) — plus the phrases of two waves of chunks before they join the output. Given a
//! scratch folder ([`finish`]), the output of all passes but the last joins them only after the
//! passes: it is written to a temporary file pass by pass and read back at the end (module
//! `spill`). Time: two parallel scans of the stream and one sort of packed keys per pass (most
//! comparisons never touch the stream), then one scan per stored class of phrases. Passes and
//! parallel chunks are cut by the data alone, so the output does not depend on the thread
//! count.

mod config;
pub mod lookup;
mod phrases;
mod spill;
mod stream;

pub use config::Config;
pub use lookup::Lookup;

use rayon::prelude::*;
use tifa_core::{Counts, DocInfo, Phrases, Progress, Segmented};

/// The suffixes are sorted and walked in about this many passes (more on small corpora is
/// pointless: see [`MIN_PASS`]).
const PASSES: usize = 16;
/// Fewest suffixes in a pass. Each pass scans the whole stream, so a pass costs time however
/// small; passes of this size took as long as twice as large ones, with a lower peak, and
/// passes half as large took longer.
const MIN_PASS: usize = 1 << 21;

/// What can go wrong in the count stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is out of range.
    #[error("count config: {key} {reason}")]
    Config {
        /// The key.
        key: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The segmented corpus has a different number of token streams and reports.
    #[error("segmented corpus has {documents} reports but {streams} token streams")]
    MismatchedDocuments {
        /// Reports.
        documents: usize,
        /// Token streams.
        streams: usize,
    },
    /// The vocabulary has a different number of terms and kinds.
    #[error("vocabulary has {terms} terms but {kinds} kinds")]
    Vocab {
        /// Terms.
        terms: usize,
        /// Kinds.
        kinds: usize,
    },
    /// A token id is not in the vocabulary.
    #[error("report {doc}: token id {id} is not in the vocabulary of {vocab} terms")]
    UnknownToken {
        /// The report's id.
        doc: String,
        /// The token id.
        id: u32,
        /// Size of the vocabulary.
        vocab: usize,
    },
    /// The scratch file for the phrases of finished passes could not be written or read back.
    #[error("count: scratch file in {}: {message}", dir.display())]
    Scratch {
        /// The folder of the scratch file.
        dir: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The corpus is too large for 32-bit positions.
    #[error("too many {what} for one count run: {count}")]
    TooLarge {
        /// What there are too many of.
        what: &'static str,
        /// How many.
        count: u64,
    },
}

/// Counts the phrases of a segmented corpus.
///
/// Stored in [`Counts::phrases`], sorted by token ids:
/// - every phrase (up to `max_len` tokens) that occurs at least twice and in at least `min_df`
///   reports and is *closed*: no one-token extension to the left or right that is itself a
///   phrase has the same term frequency. A phrase of exactly `max_len` tokens counts as closed;
/// - every phrase of at most `max_short` tokens (none by default) that passes the same
///   thresholds, closed or not.
///
/// Not stored: phrases that occur once; phrases that always occur inside the same longer phrase
/// (their tf and df are those of that phrase's shortest closed extension, which is stored);
/// anything crossing a boundary. [`Lookup`] answers for any string from the cleaned texts.
/// For each stored phrase, `per_doc`, both [`tifa_core::Branching`] sides and `quoted` are exact.
pub fn run(seg: &Segmented, config: &Config, progress: &dyn Progress) -> Result<Counts, Error> {
    count(seg, config, progress, None)
}

/// The first half of [`run`]: what the passes need from the segmented corpus (its token
/// stream, unigram counts, report list and vocabulary), made by [`prepare`], which consumes
/// the corpus so that it and the passes are not in memory together. [`finish`] is the second
/// half.
pub struct Prepared {
    stream: stream::Stream,
    unigram_tf: Vec<u64>,
    docs: Vec<DocInfo>,
    n_tokens: u64,
    vocab: tifa_core::Vocab,
    skipped: Vec<tifa_core::Skipped>,
}

/// Memory a suffix takes in a pass: its record (sort key, position, left token and report)
/// and its LCP.
pub const SUFFIX_BYTES: usize = 36;

/// The second half of [`run`]: the passes over a [`Prepared`] corpus. With a `scratch`
/// folder, the phrases of each pass but the last are written to a temporary file there and
/// read back once the passes are done, so they are not in memory together with the passes'
/// working set (module `spill`). A pass holds about a sixteenth of the suffixes (at least 2M),
/// or at most `max_pass` of them when given (a memory budget: [`SUFFIX_BYTES`] each), in more
/// passes, each a scan of the stream. The counts are the same either way.
pub fn finish(
    prepared: Prepared,
    config: &Config,
    progress: &dyn Progress,
    scratch: Option<&std::path::Path>,
    max_pass: Option<usize>,
) -> Result<Counts, Error> {
    passes(prepared, config, progress, None, max_pass, scratch)
}

/// [`run`], with the number of suffixes per pass given (tests use tiny passes).
fn count(
    seg: &Segmented,
    config: &Config,
    progress: &dyn Progress,
    pass_size: Option<usize>,
) -> Result<Counts, Error> {
    check(seg, config)?;
    passes(
        lay_out_borrowed(seg, progress)?,
        config,
        progress,
        pass_size,
        None,
        None,
    )
}

/// What the passes need from a corpus its caller keeps.
fn lay_out_borrowed(seg: &Segmented, progress: &dyn Progress) -> Result<Prepared, Error> {
    let docs = report_list(&seg.documents, &seg.docs, &seg.chars);
    lay_out(
        docs,
        std::borrow::Cow::Borrowed(&seg.docs),
        seg.vocab.clone(),
        seg.skipped.clone(),
        progress,
    )
}

/// Checks the input and builds the token stream, the unigram counts and the report list: the
/// first half of [`run`]. It takes the corpus, and lets go of the reports' texts (as big as
/// the token streams) before the stream is laid out, then of the token streams wave by wave
/// as they are laid out; the freed memory goes back to the system each time
/// (`tifa_core::memory`).
pub fn prepare(
    seg: Segmented,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Prepared, Error> {
    check(&seg, config)?;
    let Segmented {
        documents,
        docs: streams,
        vocab,
        skipped,
        chars,
    } = seg;
    let docs = report_list(&documents, &streams, &chars);
    drop(documents);
    tifa_core::memory::give_back();
    let prepared = lay_out(
        docs,
        std::borrow::Cow::Owned(streams),
        vocab,
        skipped,
        progress,
    );
    tifa_core::memory::give_back();
    prepared
}

fn check(seg: &Segmented, config: &Config) -> Result<(), Error> {
    config.validate()?;
    if seg.docs.len() != seg.documents.len() {
        return Err(Error::MismatchedDocuments {
            documents: seg.documents.len(),
            streams: seg.docs.len(),
        });
    }
    Ok(())
}

/// The counts' entries of the reports. Made on this thread, not in parallel: these small
/// strings outlive the texts beside which they are made. Made on the worker threads, they were
/// scattered among the texts those threads had read, and kept freed pages resident for the
/// rest of the run. The texts' characters, which allocate nothing, are counted on every thread
/// first (a whole corpus of text: 0.3 s on one thread for 1 GB), unless the segment stage
/// counted them already (`chars`) as it let go of the texts.
fn report_list(
    documents: &[tifa_core::Document],
    streams: &[tifa_core::SegDoc],
    chars: &[u64],
) -> Vec<DocInfo> {
    let chars: Vec<u64> = if chars.len() == documents.len() {
        chars.to_vec()
    } else {
        documents
            .par_iter()
            .map(|d| d.text.chars().count() as u64)
            .collect()
    };
    documents
        .iter()
        .zip(streams)
        .zip(chars)
        .map(|((d, s), chars)| DocInfo {
            id: d.id.clone(),
            title: d.title.clone(),
            source: d.source.clone(),
            meta: d.meta.clone(),
            tokens: s.tokens.len() as u64,
            chars,
        })
        .collect()
}

/// The token stream and unigram counts of `streams`, with the report list made of them.
fn lay_out(
    docs: Vec<DocInfo>,
    streams: std::borrow::Cow<'_, [tifa_core::SegDoc]>,
    vocab: tifa_core::Vocab,
    skipped: Vec<tifa_core::Skipped>,
    progress: &dyn Progress,
) -> Result<Prepared, Error> {
    let n_tokens: u64 = streams.iter().map(|d| d.tokens.len() as u64).sum();
    progress.start("count: index", n_tokens);
    let (stream, unigram_tf) = stream::Stream::build(streams, &vocab, &docs)?;
    progress.inc(n_tokens);
    progress.finish();
    Ok(Prepared {
        stream,
        unigram_tf,
        docs,
        n_tokens,
        vocab,
        skipped,
    })
}

/// Sorts and walks the suffixes pass by pass and assembles the counts, the phrases of each
/// pass but the last written out to a scratch file in `scratch` when there is one.
fn passes(
    prepared: Prepared,
    config: &Config,
    progress: &dyn Progress,
    pass_size: Option<usize>,
    max_pass: Option<usize>,
    scratch: Option<&std::path::Path>,
) -> Result<Counts, Error> {
    let Prepared {
        stream,
        unigram_tf,
        docs,
        n_tokens,
        vocab,
        skipped,
    } = prepared;
    // Suffixes are processed in passes by first token, which bounds the memory of the suffix
    // array and its companions; the passes come in token order, so their phrases concatenate
    // sorted.
    let sizes = stream::Stream::bucket_sizes(&vocab.kinds, &unigram_tf);
    let n_suffixes: usize = sizes.iter().sum();
    let pass_size = pass_size.unwrap_or_else(|| {
        let size = (n_suffixes / PASSES).max(MIN_PASS);
        max_pass.map_or(size, |most| size.min(most.max(1)))
    });
    let mut phrases = Phrases::new();
    let mut spill = scratch.map(spill::Spill::new);
    let mut pass = stream::Pass::default();
    let plan = stream::Stream::plan_passes(&sizes, pass_size);
    let n_passes = plan.len();
    for (k, (lo, hi)) in plan.into_iter().enumerate() {
        progress.start("count: sort", 0);
        stream.pass(lo, hi, &sizes, config.max_len, &mut pass);
        progress.finish();
        progress.start("count: phrases", pass.keyed.len() as u64);
        phrases::collect(&stream, &pass, config, progress, &mut phrases).map_err(|_| {
            Error::TooLarge {
                what: "phrase tokens or per-report counts",
                count: (phrases.len() + spill.as_ref().map_or(0, spill::Spill::phrases)) as u64,
            }
        })?;
        progress.finish();
        // The last pass's phrases were made beside the stream and the suffixes anyway, so they
        // stay: a corpus counted in one pass never touches the disk.
        if let Some(spill) = spill.as_mut().filter(|_| k + 1 < n_passes) {
            spill.push(&phrases)?;
            phrases.clear();
        }
        // The phrase arenas grow by reallocation, and glibc keeps the blocks they outgrew
        // resident.
        tifa_core::memory::give_back();
    }
    drop(pass);
    drop(stream);
    if let Some(spill) = spill.filter(|s| s.parts() > 0) {
        tifa_core::memory::give_back();
        progress.start("count: read back", 0);
        // The last pass's columns still have the room of the largest pass.
        phrases.shrink_to_fit();
        phrases = spill.read_back(phrases)?;
        progress.finish();
    }
    phrases.shrink_to_fit();
    tifa_core::memory::give_back();
    Ok(Counts {
        docs,
        vocab,
        n_tokens,
        unigram_tf,
        min_df: config.min_df,
        phrases,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::testing as common;
    use tifa_core::NoProgress;

    #[test]
    fn passes_do_not_change_the_counts() {
        let seg = common::corpus_str(&[
            "坚持 和 完善 人民 代表 大会 制度 ， 有件必备 、 有备必审 、 有错必纠 。",
            "坚持 和 完善 人民 代表 大会 制度 ， 有件必备 、 有备必审 、 有错必纠",
            "“ 四个 意识 ” 坚持 和 完善 人民 代表 大会 制度 “ 四个 意识 ”",
        ]);
        let config = Config {
            max_short: 2,
            ..Config::default()
        };
        let one = count(&seg, &config, &NoProgress, None).unwrap();
        for size in [1, 2, 5] {
            assert_eq!(count(&seg, &config, &NoProgress, Some(size)).unwrap(), one);
        }
        // Tiny passes written out one by one to a scratch file and read back.
        let dir = tempfile::tempdir().unwrap();
        for size in [1, 2, 5] {
            let spilled = passes(
                lay_out_all(&seg),
                &config,
                &NoProgress,
                Some(size),
                None,
                Some(dir.path()),
            )
            .unwrap();
            assert_eq!(spilled, one);
        }
        // In two halves, the corpus let go of in between, with and without a scratch file.
        let again = prepare(seg.clone(), &config, &NoProgress).unwrap();
        assert_eq!(
            finish(again, &config, &NoProgress, None, None).unwrap(),
            one
        );
        let prepared = prepare(seg.clone(), &config, &NoProgress).unwrap();
        assert_eq!(
            finish(prepared, &config, &NoProgress, Some(dir.path()), None).unwrap(),
            one
        );
        // Passes bounded by a memory budget: as small as it asks.
        for most in [1, 3] {
            let prepared = prepare(seg.clone(), &config, &NoProgress).unwrap();
            let bounded = finish(prepared, &config, &NoProgress, Some(dir.path()), Some(most));
            assert_eq!(bounded.unwrap(), one);
        }
        // The scratch file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_scratch_folder_that_cannot_be_written_is_named_in_the_error() {
        let seg = common::corpus_str(&["四个 意识 ， 两个 维护 ， 四个 意识 ， 两个 维护"]);
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no such folder");
        let config = Config::default();
        // One suffix a pass: several passes, so the scratch file is needed.
        let e = passes(
            lay_out_all(&seg),
            &config,
            &NoProgress,
            Some(1),
            None,
            Some(&missing),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("count: scratch file in "), "{e}");
        assert!(e.contains("no such folder"), "{e}");
        // Counted in one pass, the phrases never leave memory, so the folder is not touched.
        let one = passes(
            lay_out_all(&seg),
            &config,
            &NoProgress,
            None,
            None,
            Some(&missing),
        )
        .unwrap();
        assert_eq!(one, count(&seg, &config, &NoProgress, None).unwrap());
    }

    fn lay_out_all(seg: &Segmented) -> Prepared {
        lay_out_borrowed(seg, &NoProgress).unwrap()
    }
}
