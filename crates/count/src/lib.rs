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
//! Memory: besides the input and the output, the stage holds the stream (4 bytes per token, 4 bits
//! of which stay in memory under a memory budget: the stream itself is then laid out to a scratch
//! file, [`Layout`], which each pass reads once) and the suffixes of one pass at a time. Suffixes
//! are processed in passes of equal size by first token, about a sixteenth of them (at least 2M)
//! per pass, or under a budget as many as fit in the bytes given, at 44 bytes per suffix (its sort
//! key, position, left token, report and the place of its copied tokens in 32, its LCP, and the
//! marks and numbers near it in 8) and 4 per token copied after a full key (the walk reads phrase
//! tokens from the keys and the copies, never from the stream), plus the phrases of two waves of
//! chunks before they join the output.
//! Given a scratch folder ([`finish`]), the output of all passes but the last joins them only after
//! the passes: it is written to temporary files pass by pass and read back at the end (module
//! `spill`); under a budget ([`finish_on_disk`]) the last pass's goes there too and it is never
//! read back, so the stage holds no output. Time: two parallel scans of the stream (or of each
//! window read from its file) and one sort of packed keys per pass (ties between full keys compare
//! the copied tokens), then one scan per stored class of phrases. Passes and parallel chunks are
//! cut by the data alone, so the output does not depend on the thread count.

mod config;
pub mod lookup;
mod phrases;
mod spill;
mod stream;
mod text;

pub use config::Config;
pub use lookup::Lookup;

use rayon::prelude::*;
use tifa_core::{Counts, DocInfo, Phrases, Progress, Segmented, SpilledCounts};

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

impl Error {
    /// True when the segmented corpus contradicts itself: a file that passed its checksum yet
    /// is damaged (or was made by a different tifa).
    pub fn is_damage(&self) -> bool {
        matches!(
            self,
            Error::MismatchedDocuments { .. } | Error::Vocab { .. } | Error::UnknownToken { .. }
        )
    }
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
    meta: Meta,
}

/// What the counts take from the segmented corpus besides the phrases.
struct Meta {
    unigram_tf: Vec<u64>,
    docs: Vec<DocInfo>,
    n_tokens: u64,
    vocab: tifa_core::Vocab,
    skipped: Vec<tifa_core::Skipped>,
}

/// Memory a suffix takes in a pass: its record (sort key, position, left token, report and
/// where its copied tokens are), its LCP and the bits near it.
const SUFFIX_BYTES: usize = 44;

/// Memory each token copied aside for a suffix takes in a pass (module `stream`).
const EXTRA_BYTES: usize = 4;

/// The second half of [`run`]: the passes over a [`Prepared`] corpus. With a `scratch`
/// folder, the phrases of each pass but the last are written to a temporary file there and
/// read back once the passes are done, so they are not in memory together with the passes'
/// working set (module `spill`). A pass holds about a sixteenth of the suffixes (at least 2M),
/// or, given `pass_bytes` (a memory budget), as many as take at most that many bytes with the
/// tokens copied aside for them, in more passes, each a read of the stream. The counts are the
/// same either way.
pub fn finish(
    prepared: Prepared,
    config: &Config,
    progress: &dyn Progress,
    scratch: Option<&std::path::Path>,
    pass_bytes: Option<usize>,
) -> Result<Counts, Error> {
    let mut spill = scratch.map(spill::Spill::new);
    let passed = passes(prepared, config, progress, None, pass_bytes, spill.as_mut())?;
    passed.read_back(spill, progress)
}

/// [`finish`] under a memory budget: the phrases of every pass, the last too, are written to
/// scratch files in `scratch`, column by column, and never read back: count.bin is written
/// from them ([`SpilledCounts`] serialises as the [`Counts`] [`finish`] would return), so
/// the stage never holds its output.
pub fn finish_on_disk(
    prepared: Prepared,
    config: &Config,
    progress: &dyn Progress,
    scratch: &std::path::Path,
    pass_bytes: Option<usize>,
) -> Result<SpilledCounts, Error> {
    let mut spill = spill::Spill::new(scratch);
    let passed = passes(
        prepared,
        config,
        progress,
        None,
        pass_bytes,
        Some(&mut spill),
    )?;
    // The last pass's phrases join the others' in the files too.
    spill.push(&passed.phrases)?;
    let Passed { meta, min_df, .. } = passed;
    Ok(SpilledCounts {
        docs: meta.docs,
        vocab: meta.vocab,
        n_tokens: meta.n_tokens,
        unigram_tf: meta.unigram_tf,
        min_df,
        phrases: spill.into_spilled()?,
        skipped: meta.skipped,
    })
}

/// [`run`], with the number of suffixes per pass given (tests use tiny passes).
fn count(
    seg: &Segmented,
    config: &Config,
    progress: &dyn Progress,
    pass_size: Option<usize>,
) -> Result<Counts, Error> {
    check(seg, config)?;
    let passed = passes(
        lay_out_borrowed(seg, config, progress)?,
        config,
        progress,
        pass_size,
        None,
        None,
    )?;
    passed.read_back(None, progress)
}

/// What the passes need from a corpus its caller keeps.
fn lay_out_borrowed(
    seg: &Segmented,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Prepared, Error> {
    let docs = report_list(&seg.documents, &token_counts(&seg.docs), &seg.chars);
    lay_out(
        docs,
        std::borrow::Cow::Borrowed(&seg.docs),
        seg.vocab.clone(),
        seg.skipped.clone(),
        config.max_len,
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
    let docs = report_list(&documents, &token_counts(&streams), &chars);
    drop(documents);
    tifa_core::memory::give_back();
    let prepared = lay_out(
        docs,
        std::borrow::Cow::Owned(streams),
        vocab,
        skipped,
        config.max_len,
        progress,
    );
    tifa_core::memory::give_back();
    prepared
}

/// The first half of [`run`] under a memory budget, for token streams handed over one by one
/// as they are read ([`Layout::push`]), with the stream laid out to a scratch file rather than
/// memory ([`Layout::prepare`]): the passes then read it from there, once each, so the stage
/// never holds the token streams or the stream.
///
/// segment.bin holds the token streams before the vocabulary, and the stream is made with the
/// vocabulary (its marks become sentinels), so the token streams go to a first scratch file as
/// they come, and are laid out from it once the vocabulary is known. Both files are unnamed
/// temporary files in the folder given, removed by the system when they are closed.
pub struct Layout {
    raw: text::TextFile,
    tokens: Vec<u64>,
    dir: std::path::PathBuf,
    wave: usize,
}

impl Layout {
    /// A layout with its scratch files in `dir`, laid out in waves of whole reports of about
    /// `wave` tokens (each held twice: as read back, and laid out).
    pub fn new(dir: &std::path::Path, wave: usize) -> Result<Layout, Error> {
        Ok(Layout {
            raw: text::TextFile::new(dir)?,
            tokens: Vec::new(),
            dir: dir.to_path_buf(),
            wave: wave.max(1),
        })
    }

    /// Takes the token ids of the next report.
    pub fn push(&mut self, tokens: &[u32]) -> Result<(), Error> {
        self.raw.write(tokens)?;
        self.tokens.push(tokens.len() as u64);
        Ok(())
    }

    /// Lays the reports pushed out into the stream, wave by wave, for the `documents` they
    /// belong to (their texts may be empty), of `chars` characters each, cut into words of
    /// `vocab`; with what [`finish`] needs besides.
    pub fn prepare(
        self,
        documents: &[tifa_core::Document],
        chars: &[u64],
        vocab: tifa_core::Vocab,
        skipped: Vec<tifa_core::Skipped>,
        config: &Config,
        progress: &dyn Progress,
    ) -> Result<Prepared, Error> {
        config.validate()?;
        if documents.len() != self.tokens.len() {
            return Err(Error::MismatchedDocuments {
                documents: documents.len(),
                streams: self.tokens.len(),
            });
        }
        let docs = report_list(documents, &self.tokens, chars);
        let n_tokens: u64 = self.tokens.iter().sum();
        progress.start("count: index", n_tokens);
        let mut builder =
            stream::Builder::new(&vocab, config.max_len, docs.len(), 0, Some(&self.dir))?;
        let mut raw = self.raw.into_reader()?;
        let mut wave: Vec<tifa_core::SegDoc> = Vec::new();
        for range in stream::waves(&self.tokens, self.wave) {
            wave.resize_with(range.len(), tifa_core::SegDoc::default);
            for (doc, &n) in wave.iter_mut().zip(&self.tokens[range.clone()]) {
                doc.tokens.resize(n as usize, 0);
                raw.read(&mut doc.tokens)?;
            }
            builder.wave(&wave, &docs[range.clone()])?;
            progress.inc(self.tokens[range].iter().sum());
        }
        drop(raw);
        let laid_out = builder.finish();
        progress.finish();
        Ok(Prepared::new(laid_out?, docs, n_tokens, vocab, skipped))
    }
}

impl Prepared {
    /// The stream and unigram counts laid out, with the rest of what the counts take.
    fn new(
        (stream, unigram_tf): (stream::Stream, Vec<u64>),
        docs: Vec<DocInfo>,
        n_tokens: u64,
        vocab: tifa_core::Vocab,
        skipped: Vec<tifa_core::Skipped>,
    ) -> Prepared {
        Prepared {
            stream,
            meta: Meta {
                unigram_tf,
                docs,
                n_tokens,
                vocab,
                skipped,
            },
        }
    }
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
fn report_list(documents: &[tifa_core::Document], tokens: &[u64], chars: &[u64]) -> Vec<DocInfo> {
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
        .zip(tokens)
        .zip(chars)
        .map(|((d, &tokens), chars)| DocInfo {
            id: d.id.clone(),
            title: d.title.clone(),
            source: d.source.clone(),
            meta: d.meta.clone(),
            tokens,
            chars,
        })
        .collect()
}

/// The number of tokens of each token stream.
fn token_counts(streams: &[tifa_core::SegDoc]) -> Vec<u64> {
    streams.iter().map(|d| d.tokens.len() as u64).collect()
}

/// The token stream and unigram counts of `streams`, with the report list made of them.
fn lay_out(
    docs: Vec<DocInfo>,
    streams: std::borrow::Cow<'_, [tifa_core::SegDoc]>,
    vocab: tifa_core::Vocab,
    skipped: Vec<tifa_core::Skipped>,
    max_len: u32,
    progress: &dyn Progress,
) -> Result<Prepared, Error> {
    let n_tokens: u64 = streams.iter().map(|d| d.tokens.len() as u64).sum();
    progress.start("count: index", n_tokens);
    let laid_out = stream::Stream::build(streams, &vocab, &docs, max_len)?;
    progress.inc(n_tokens);
    progress.finish();
    Ok(Prepared::new(laid_out, docs, n_tokens, vocab, skipped))
}

/// What [`passes`] leaves: the phrases still in memory (those of the last pass, or all of them
/// without a scratch file), and what the counts take from the prepared corpus.
struct Passed {
    phrases: Phrases,
    meta: Meta,
    min_df: u32,
}

impl Passed {
    /// The counts, with the phrases written to `spill` read back before those in memory.
    fn read_back(
        self,
        spill: Option<spill::Spill>,
        progress: &dyn Progress,
    ) -> Result<Counts, Error> {
        let Passed {
            mut phrases,
            meta,
            min_df,
        } = self;
        if let Some(spill) = spill.filter(|s| !s.is_empty()) {
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
            docs: meta.docs,
            vocab: meta.vocab,
            n_tokens: meta.n_tokens,
            unigram_tf: meta.unigram_tf,
            min_df,
            phrases,
            skipped: meta.skipped,
        })
    }
}

/// Sorts and walks the suffixes pass by pass, the phrases of each pass but the last written
/// out to `spill` when there is one.
fn passes(
    prepared: Prepared,
    config: &Config,
    progress: &dyn Progress,
    pass_size: Option<usize>,
    pass_bytes: Option<usize>,
    mut spill: Option<&mut spill::Spill>,
) -> Result<Passed, Error> {
    let Prepared { stream, meta } = prepared;
    // Suffixes are processed in passes by first token, which bounds the memory of the suffix
    // array and its companions; the passes come in token order, so their phrases concatenate
    // sorted.
    let sizes = stream::Stream::bucket_sizes(&meta.vocab.kinds, &meta.unigram_tf);
    let n_suffixes: usize = sizes.iter().sum();
    let plan = match (pass_size, pass_bytes) {
        (Some(size), _) => stream::Stream::plan_passes(&sizes, size),
        (None, None) => stream::Stream::plan_passes(&sizes, (n_suffixes / PASSES).max(MIN_PASS)),
        // Under a budget, a pass is sized by the memory it takes: its suffixes and the tokens
        // copied aside for them.
        (None, Some(most)) => {
            let bytes: Vec<usize> = sizes
                .iter()
                .zip(&stream.extras)
                .map(|(&n, &x)| n * SUFFIX_BYTES + x as usize * EXTRA_BYTES)
                .collect();
            let size = (n_suffixes / PASSES).max(MIN_PASS) * SUFFIX_BYTES;
            stream::Stream::plan_passes(&bytes, size.min(most.max(1)))
        }
    };
    let mut phrases = Phrases::new();
    let mut pass = stream::Pass::default();
    let n_passes = plan.len();
    for (k, (lo, hi)) in plan.into_iter().enumerate() {
        progress.start("count: sort", 0);
        stream.pass(lo, hi, &sizes, &mut pass)?;
        progress.finish();
        progress.start("count: phrases", pass.keyed.len() as u64);
        phrases::collect(&stream, &pass, config, progress, &mut phrases).map_err(|_| {
            Error::TooLarge {
                what: "phrase tokens or per-report counts",
                count: (phrases.len() + spill.as_ref().map_or(0, |s| s.phrases())) as u64,
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
    Ok(Passed {
        phrases,
        meta,
        min_df: config.min_df,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::testing as common;
    use tifa_core::{NoProgress, Stage};

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
            let spilled = in_passes(&seg, &config, Some(size), dir.path()).unwrap();
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
        // Passes bounded by a memory budget: as small as it asks (a byte: a bucket a pass).
        for most in [1, 100, 400] {
            let prepared = prepare(seg.clone(), &config, &NoProgress).unwrap();
            let bounded = finish(prepared, &config, &NoProgress, Some(dir.path()), Some(most));
            assert_eq!(bounded.unwrap(), one);
        }
        // Laid out to a scratch file from token streams handed over one by one, then read
        // from there by every pass, with and without a budget.
        let chars: Vec<u64> = seg
            .documents
            .iter()
            .map(|d| d.text.chars().count() as u64)
            .collect();
        let laid_out = || {
            let mut layout = Layout::new(dir.path(), 5).unwrap();
            for d in &seg.docs {
                layout.push(&d.tokens).unwrap();
            }
            let (vocab, skipped) = (seg.vocab.clone(), seg.skipped.clone());
            layout
                .prepare(&seg.documents, &chars, vocab, skipped, &config, &NoProgress)
                .unwrap()
        };
        let encoded = tifa_core::format::encode(Stage::Count, 0, 0, &one).unwrap();
        for most in [None, Some(1), Some(100)] {
            let filed = finish(laid_out(), &config, &NoProgress, Some(dir.path()), most);
            assert_eq!(filed.unwrap(), one, "{most:?}");
            // Every pass's phrases left in scratch files, and count.bin written from them.
            let on_disk = finish_on_disk(laid_out(), &config, &NoProgress, dir.path(), most);
            let on_disk = tifa_core::format::encode(Stage::Count, 0, 0, &on_disk.unwrap());
            assert!(on_disk.unwrap() == encoded, "{most:?}");
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
        let e = in_passes(&seg, &config, Some(1), &missing)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("count: scratch file in "), "{e}");
        assert!(e.contains("no such folder"), "{e}");
        // Counted in one pass, the phrases never leave memory, so the folder is not touched.
        let one = in_passes(&seg, &config, None, &missing).unwrap();
        assert_eq!(one, count(&seg, &config, &NoProgress, None).unwrap());
        // Under a budget the scratch files are needed whatever the passes.
        let prepared = prepare(seg.clone(), &config, &NoProgress).unwrap();
        let e = finish_on_disk(prepared, &config, &NoProgress, &missing, None).unwrap_err();
        assert!(e.to_string().contains("no such folder"), "{e}");
    }

    /// The counts of `seg` in passes of `size` suffixes, those of each pass but the last
    /// written to scratch files in `dir` and read back.
    fn in_passes(
        seg: &Segmented,
        config: &Config,
        size: Option<usize>,
        dir: &std::path::Path,
    ) -> Result<Counts, Error> {
        let prepared = lay_out_borrowed(seg, config, &NoProgress)?;
        let mut spill = spill::Spill::new(dir);
        let passed = passes(prepared, config, &NoProgress, size, None, Some(&mut spill))?;
        passed.read_back(Some(spill), &NoProgress)
    }
}
