//! The segment stage of tifa: cuts every cleaned report into tokens with jieba-rs and a bundled
//! dictionary of political vocabulary, and interns the tokens as `u32` ids.
//!
//! Out of the box jieba cuts slogans into pieces (四个/意识, 全过程/人民/民主); the bundled
//! dictionary (`config/dict/political.txt`, compiled in) keeps institutions, offices, numbered
//! formulations and fixed expressions whole, and user dictionaries add more. Punctuation stays in
//! the stream as tokens with a [`TokenKind`]: `、` joins enumerations, quotes mark slogans, and
//! clause and sentence marks (line breaks included) are the hard boundaries the count stage never
//! crosses. Every token keeps its byte span in the cleaned text, for keyword-in-context.
//!
//! [`run`] works in parallel over contiguous chunks of reports, each chunk interning its tokens
//! through a hash map of borrowed `&str`, so the hot path allocates no string per token. The
//! chunk vocabularies are then merged and numbered in byte order of the terms: ids depend on the
//! corpus alone, never on the thread count or on scheduling, and id order equals the order of
//! the vocabulary's `fst` map.

mod config;
mod dict;
mod segmenter;

use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tifa_core::{Corpus, Document, Progress, SegDoc, Segmented, TokenKind, Vocab};

pub use config::Config;
pub use dict::POLITICAL_DICTIONARY;
pub use segmenter::{Segmenter, Token};

use segmenter::Span;

/// The term every number is interned as when [`Config::number_class`] is on.
pub const NUMBER_CLASS: &str = "<num>";

/// Chunks of reports are cut into at least this many bytes of text each: large enough that the
/// per-chunk vocabularies stay few, small enough to balance the work over the threads.
const CHUNK_BYTES: usize = 1 << 20;

/// What can go wrong in the segment stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A user dictionary could not be read.
    #[error("cannot read dictionary {path}: {source}")]
    ReadDictionary {
        /// The dictionary file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A dictionary line is not `word [freq] [tag]`, or names a word that can never match.
    #[error("{path}, line {line}: {message}")]
    DictionaryEntry {
        /// The dictionary file.
        path: PathBuf,
        /// Line number, from 1.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
    /// A report is too large for the `u32` byte offsets of [`SegDoc`].
    #[error(
        "report {id} has {bytes} bytes of text, more than the 4 GiB a token offset can address"
    )]
    DocumentTooLarge {
        /// Document id.
        id: String,
        /// Its text length in bytes.
        bytes: usize,
    },
    /// The corpus has more distinct terms than a `u32` id can number.
    #[error("the corpus has {terms} distinct tokens, more than a u32 id can number")]
    VocabularyTooLarge {
        /// Number of distinct terms.
        terms: usize,
    },
}

/// One chunk's output: token streams with chunk-local ids, and the chunk's terms by local id.
struct Chunk<'t> {
    terms: Vec<&'t str>,
    kinds: Vec<TokenKind>,
    docs: Vec<SegDoc>,
}

/// Segments the corpus: moves its documents into the result, with one token stream per
/// document and the shared vocabulary. The result is the same whatever the thread count.
///
/// Progress: phase `segment` in bytes of text, then phase `vocabulary` in chunks.
pub fn run(
    corpus: Corpus,
    segmenter: &Segmenter,
    progress: &dyn Progress,
) -> Result<Segmented, Error> {
    run_chunked(corpus, segmenter, progress, CHUNK_BYTES)
}

/// [`run`] with chunks of at least `chunk_bytes` bytes of text.
fn run_chunked(
    corpus: Corpus,
    segmenter: &Segmenter,
    progress: &dyn Progress,
    chunk_bytes: usize,
) -> Result<Segmented, Error> {
    let documents = corpus.documents;
    if let Some(d) = documents
        .iter()
        .find(|d| u32::try_from(d.text.len()).is_err())
    {
        return Err(Error::DocumentTooLarge {
            id: d.id.clone(),
            bytes: d.text.len(),
        });
    }

    let total: usize = documents.iter().map(|d| d.text.len()).sum();
    progress.start("segment", total as u64);
    let chunks: Vec<Chunk<'_>> = chunk_ranges(&documents, chunk_bytes)
        .into_par_iter()
        .map(|range| segment_chunk(segmenter, &documents[range], progress))
        .collect();
    progress.finish();

    progress.start("vocabulary", chunks.len() as u64);
    // Every distinct term of the corpus, in byte order: the position is the global id.
    let mut all: Vec<(&str, TokenKind)> = chunks
        .iter()
        .flat_map(|c| c.terms.iter().copied().zip(c.kinds.iter().copied()))
        .collect();
    all.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
    all.dedup_by(|a, b| a.0 == b.0);
    if u32::try_from(all.len()).is_err() {
        return Err(Error::VocabularyTooLarge { terms: all.len() });
    }
    let docs: Vec<SegDoc> = chunks
        .into_par_iter()
        .map(|mut chunk| {
            let global: Vec<u32> = chunk
                .terms
                .iter()
                .map(|t| all.partition_point(|(u, _)| u < t) as u32)
                .collect();
            for doc in &mut chunk.docs {
                for id in &mut doc.tokens {
                    *id = global[*id as usize];
                }
            }
            progress.inc(1);
            chunk.docs
        })
        .flatten()
        .collect();
    let (terms, kinds): (Vec<String>, Vec<TokenKind>) =
        all.into_iter().map(|(t, k)| (t.to_string(), k)).unzip();
    progress.finish();

    Ok(Segmented {
        documents,
        docs,
        vocab: Vocab::new(terms, kinds),
    })
}

/// Splits the documents into contiguous ranges of at least `chunk_bytes` of text each (the last
/// may be smaller). The split depends on the documents alone.
fn chunk_ranges(documents: &[Document], chunk_bytes: usize) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, d) in documents.iter().enumerate() {
        bytes += d.text.len();
        if bytes >= chunk_bytes {
            ranges.push(start..i + 1);
            start = i + 1;
            bytes = 0;
        }
    }
    if start < documents.len() {
        ranges.push(start..documents.len());
    }
    ranges
}

/// Cuts the documents of one chunk, interning terms with chunk-local ids.
fn segment_chunk<'t>(
    segmenter: &Segmenter,
    documents: &'t [Document],
    progress: &dyn Progress,
) -> Chunk<'t> {
    let mut ids: FxHashMap<&'t str, u32> = FxHashMap::default();
    let mut chunk = Chunk {
        terms: Vec::new(),
        kinds: Vec::new(),
        docs: Vec::with_capacity(documents.len()),
    };
    let mut spans: Vec<Span> = Vec::new();
    for d in documents {
        // About one token per four bytes of Chinese text; a guess to avoid regrowing.
        let guess = d.text.len() / 4;
        let mut doc = SegDoc {
            tokens: Vec::with_capacity(guess),
            starts: Vec::with_capacity(guess),
            ends: Vec::with_capacity(guess),
        };
        segmenter.each_token(&d.text, &mut spans, |term, kind, start, end| {
            let id = *ids.entry(term).or_insert_with(|| {
                chunk.terms.push(term);
                chunk.kinds.push(kind);
                (chunk.terms.len() - 1) as u32
            });
            doc.tokens.push(id);
            // Offsets fit: `run` refused texts longer than u32::MAX bytes.
            doc.starts.push(start as u32);
            doc.ends.push(end as u32);
        });
        doc.tokens.shrink_to_fit();
        doc.starts.shrink_to_fit();
        doc.ends.shrink_to_fit();
        chunk.docs.push(doc);
        progress.inc(d.text.len() as u64);
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::*;
    use segmenter::tests::default_segmenter;
    use tifa_core::Meta;

    fn corpus(texts: &[&str]) -> Corpus {
        let documents = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Document {
                id: format!("r{i}.txt"),
                title: format!("report {i}"),
                source: format!("r{i}.txt"),
                meta: Meta::default(),
                text: t.to_string(),
            })
            .collect();
        Corpus {
            documents,
            ..Corpus::default()
        }
    }

    const TEXTS: &[&str] = &[
        "增强“四个意识”、坚定“四个自信”、做到“两个维护”。\n坚持有件必备、有备必审、有错必纠。",
        "一、发展全过程人民民主\n（一）监督一府一委两院工作，GDP增长5.2%。",
        "",
        "深刻领悟“两个确立”的决定性意义——推动高质量发展……",
        "科学立法、民主立法、依法立法，2025年。",
    ];

    /// Every token of every document, as text, through the vocabulary.
    fn streams(s: &Segmented) -> Vec<Vec<&str>> {
        s.docs
            .iter()
            .map(|d| d.tokens.iter().map(|&id| s.vocab.term(id)).collect())
            .collect()
    }

    #[test]
    fn tokens_round_trip_through_vocabulary_and_offsets() {
        let seg = default_segmenter();
        let out = run(corpus(TEXTS), seg, &tifa_core::NoProgress).unwrap();
        assert_eq!(out.documents.len(), TEXTS.len());
        assert_eq!(out.docs.len(), TEXTS.len());
        for (doc, sd) in out.documents.iter().zip(&out.docs) {
            assert_eq!(sd.tokens.len(), sd.starts.len());
            assert_eq!(sd.tokens.len(), sd.ends.len());
            let direct = seg.tokens(&doc.text);
            assert_eq!(direct.len(), sd.tokens.len());
            for (i, &id) in sd.tokens.iter().enumerate() {
                let (start, end) = (sd.starts[i] as usize, sd.ends[i] as usize);
                let term = out.vocab.term(id);
                assert_eq!(&doc.text[start..end], term);
                assert_eq!(out.vocab.kind(id), direct[i].kind);
                assert_eq!(out.vocab.id(term), Some(id));
            }
        }
        let s = streams(&out);
        assert_eq!(s[0][..4], ["增强", "“", "四个意识", "”"]);
        assert_eq!(out.vocab.kind(out.vocab.id("、").unwrap()), TokenKind::Enum);
        assert!(s[2].is_empty());
    }

    #[test]
    fn ids_are_numbered_in_term_order() {
        let out = run(corpus(TEXTS), default_segmenter(), &tifa_core::NoProgress).unwrap();
        let terms = &out.vocab.terms;
        assert!(terms.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn result_is_independent_of_thread_count_and_chunking() {
        let seg = default_segmenter();
        let mut texts: Vec<String> = Vec::new();
        for i in 0..40 {
            texts.push(format!(
                "{}{}",
                TEXTS[i % TEXTS.len()],
                TEXTS[(i * 7 + 3) % TEXTS.len()]
            ));
        }
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let in_pool = |threads: usize, chunk: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| run_chunked(corpus(&texts), seg, &tifa_core::NoProgress, chunk))
                .unwrap()
        };
        let reference = in_pool(1, CHUNK_BYTES);
        for (threads, chunk) in [(4, CHUNK_BYTES), (1, 64), (4, 64), (4, 1)] {
            assert_eq!(
                in_pool(threads, chunk),
                reference,
                "{threads} threads, chunks of {chunk}"
            );
        }
    }

    #[test]
    fn number_class_interns_every_number_as_one_term() {
        let config = Config {
            number_class: true,
            ..Config::default()
        };
        let seg = Segmenter::new(&config, std::path::Path::new(".")).unwrap();
        let out = run(
            corpus(&["2024年增长5.2%", "2025年"]),
            &seg,
            &tifa_core::NoProgress,
        )
        .unwrap();
        let id = out.vocab.id(NUMBER_CLASS).unwrap();
        assert_eq!(out.vocab.kind(id), TokenKind::Number);
        assert_eq!(out.docs[0].tokens[0], id);
        assert_eq!(out.docs[1].tokens[0], id);
        assert_eq!(out.vocab.id("2025"), None);
    }

    #[test]
    fn chunks_cover_every_document_once_in_order() {
        let c = corpus(&["aaaa", "bb", "", "cccccc", "d"]);
        for size in [1, 3, 6, 100] {
            let ranges = chunk_ranges(&c.documents, size);
            let flat: Vec<usize> = ranges.iter().flat_map(|r| r.clone()).collect();
            assert_eq!(flat, vec![0, 1, 2, 3, 4], "chunks of {size}");
        }
    }

    /// A progress recorder, to check the phases a user sees.
    #[derive(Default)]
    struct Record(std::sync::Mutex<Vec<String>>, std::sync::atomic::AtomicU64);

    impl Progress for Record {
        fn start(&self, phase: &str, total: u64) {
            self.0.lock().unwrap().push(format!("{phase} {total}"));
        }
        fn inc(&self, n: u64) {
            self.1.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
        fn finish(&self) {
            let done = self.1.swap(0, std::sync::atomic::Ordering::Relaxed);
            self.0.lock().unwrap().push(format!("done {done}"));
        }
        fn warn(&self, message: &str) {
            self.0.lock().unwrap().push(format!("warn {message}"));
        }
    }

    #[test]
    fn progress_counts_bytes_then_chunks() {
        let bytes: usize = TEXTS.iter().map(|t| t.len()).sum();
        let record = Record::default();
        run(corpus(TEXTS), default_segmenter(), &record).unwrap();
        let log = record.0.into_inner().unwrap();
        assert_eq!(
            log,
            vec![
                format!("segment {bytes}"),
                format!("done {bytes}"),
                "vocabulary 1".to_string(),
                "done 1".to_string()
            ]
        );
    }
}
