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
//! with chunk-local ids (short terms keyed by their bytes packed in an integer, longer ones by
//! the borrowed `&str`), so the hot path allocates no string per token. The chunk vocabularies
//! are then merged and numbered in byte order of the terms: ids depend on the corpus alone,
//! never on the thread count, the chunking or scheduling, and id order equals the order of the
//! vocabulary's `fst` map.

mod config;
mod dict;
mod prebuilt;
mod segmenter;

use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use tifa_core::{
    Corpus, Document, Progress, SegDoc, Segmented, Skipped, TokenKind, Vocab, WordClass,
};

pub use config::Config;
pub use dict::POLITICAL_DICTIONARY;
pub use segmenter::{fingerprint, Segmenter, Token, RESTRICTED_MAX_BYTES};

use segmenter::Span;

/// The term every number is interned as when [`Config::number_class`] is on.
pub const NUMBER_CLASS: &str = "<num>";

/// Bounds of the bytes of text per chunk of reports. Chunks are sized to give every thread
/// several to balance the load, within these bounds: large chunks repeat fewer terms across
/// chunk vocabularies (less merging), small ones spread a small corpus over the threads. The
/// result does not depend on the chunking, only the speed does.
const MIN_CHUNK_BYTES: usize = 64 << 10;
const MAX_CHUNK_BYTES: usize = 4 << 20;

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

/// One chunk's output: token streams with chunk-local ids, the chunk's terms by local id,
/// copied out of the texts (one string of them all, and where each ends) so that the texts can
/// be let go of once the chunk is cut, and the texts' lengths in characters.
struct Chunk {
    terms: String,
    ends: Vec<u32>,
    kinds: Vec<TokenKind>,
    docs: Vec<SegDoc>,
    chars: Vec<u64>,
}

impl Chunk {
    /// The chunk's terms, by local id.
    fn terms(&self) -> impl Iterator<Item = &str> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts
            .zip(&self.ends)
            .map(|(a, &b)| &self.terms[a as usize..b as usize])
    }
}

/// Segments the corpus: moves its documents into the result, with one token stream per
/// document and the shared vocabulary. The result is the same whatever the thread count.
/// The reports' texts are let go of as they are cut (see [`tokens`]): the result's
/// [`Segmented::chars`] holds their lengths.
///
/// Progress: phase `segment` in bytes of text, then phase `vocabulary` in chunks.
pub fn run(
    mut corpus: Corpus,
    segmenter: &Segmenter,
    progress: &dyn Progress,
) -> Result<Segmented, Error> {
    Ok(tokens(&mut corpus.documents, segmenter, progress)?
        .with_documents(corpus.documents, corpus.skipped))
}

/// The token streams and vocabulary of a corpus's documents: [`run`] without taking the
/// documents. Each chunk of reports lets go of its texts once it is cut, keeping their lengths
/// in characters, so that the texts and the token streams (together about twice the corpus)
/// are never in memory whole together; the reports keep everything else.
/// [`Tokens::with_documents`] completes the segmented corpus.
pub fn tokens(
    documents: &mut [Document],
    segmenter: &Segmenter,
    progress: &dyn Progress,
) -> Result<Tokens, Error> {
    run_chunked(documents, segmenter, progress, chunk_bytes(documents))
}

/// Bytes of text per chunk of `documents` (see [`MIN_CHUNK_BYTES`]).
fn chunk_bytes(documents: &[Document]) -> usize {
    let total: usize = documents.iter().map(|d| d.text.len()).sum();
    let per_thread = total / (4 * rayon::current_num_threads().max(1));
    per_thread.clamp(MIN_CHUNK_BYTES, MAX_CHUNK_BYTES)
}

/// One token stream per document, in the documents' order, the shared vocabulary, and the
/// length in characters of each document's text, which is gone.
#[derive(Debug)]
pub struct Tokens {
    docs: Vec<SegDoc>,
    vocab: Vocab,
    chars: Vec<u64>,
}

impl Tokens {
    /// The segmented corpus of `documents`, which must be the documents these tokens were cut
    /// from (the count stage refuses a corpus whose numbers of documents and streams differ),
    /// and the input files the clean stage skipped.
    pub fn with_documents(self, documents: Vec<Document>, skipped: Vec<Skipped>) -> Segmented {
        Segmented {
            documents,
            docs: self.docs,
            vocab: self.vocab,
            skipped,
            chars: self.chars,
        }
    }
}

/// The segment stage wave by wave, for a memory budget: each wave of reports is cut on its own
/// ([`InWaves::cut`], its terms numbered in their byte order among the wave's), and once every
/// wave is cut, [`InWaves::finish`] gives the vocabulary of them all, numbered as [`run`]
/// numbers the whole corpus's, and for each wave its ids → final ids. Renumbered, the waves'
/// token streams are [`run`]'s: a stream's layout depends on its terms, never on their ids.
#[derive(Debug, Default)]
pub struct InWaves {
    /// Each wave's terms and kinds, by the wave's ids.
    waves: Vec<(Vec<String>, Vec<TokenKind>)>,
}

impl InWaves {
    /// Cuts one wave of reports, letting go of their texts as [`tokens`] does: their token
    /// streams, numbered by the wave's own ids, and their texts' lengths in characters.
    pub fn cut(
        &mut self,
        documents: &mut [Document],
        segmenter: &Segmenter,
        progress: &dyn Progress,
    ) -> Result<(Vec<SegDoc>, Vec<u64>), Error> {
        let cut = cut_chunked(documents, segmenter, progress, chunk_bytes(documents))?;
        self.waves.push((cut.terms, cut.kinds));
        Ok((cut.docs, cut.chars))
    }

    /// The vocabulary of every wave cut, with the general frequencies `segmenter` gives (the
    /// one the waves were cut with), and each wave's ids → final ids, in the waves' order.
    pub fn finish(self, segmenter: &Segmenter) -> Result<(Vocab, Vec<Vec<u32>>), Error> {
        let waves = self.waves;
        // Every wave's terms, by (wave, id), in byte order of the terms: each wave's are
        // sorted already, so this is a merge, which the sort finds runs for.
        let mut all: Vec<(u32, u32)> = waves
            .iter()
            .enumerate()
            .flat_map(|(w, (terms, _))| (0..terms.len() as u32).map(move |id| (w as u32, id)))
            .collect();
        let term = |&(w, id): &(u32, u32)| waves[w as usize].0[id as usize].as_str();
        all.par_sort_by(|a, b| term(a).cmp(term(b)));
        let mut ids: Vec<Vec<u32>> = waves.iter().map(|(t, _)| vec![0; t.len()]).collect();
        let (mut terms, mut kinds) = (Vec::new(), Vec::new());
        for e in &all {
            let (w, id) = (e.0 as usize, e.1 as usize);
            if terms.last().map(String::as_str) != Some(term(e)) {
                terms.push(term(e).to_string());
                kinds.push(waves[w].1[id]);
            }
            ids[w][id] = (terms.len() - 1) as u32;
        }
        if u32::try_from(terms.len()).is_err() {
            return Err(Error::VocabularyTooLarge { terms: terms.len() });
        }
        Ok((vocab(terms, kinds, segmenter), ids))
    }
}

/// [`tokens`] with chunks of at least `chunk_bytes` bytes of text.
fn run_chunked(
    documents: &mut [Document],
    segmenter: &Segmenter,
    progress: &dyn Progress,
    chunk_bytes: usize,
) -> Result<Tokens, Error> {
    let cut = cut_chunked(documents, segmenter, progress, chunk_bytes)?;
    Ok(Tokens {
        docs: cut.docs,
        vocab: vocab(cut.terms, cut.kinds, segmenter),
        chars: cut.chars,
    })
}

/// Documents cut: their token streams, the terms (in byte order, so by id) and kinds of their
/// ids, and the texts' lengths in characters.
struct Cut {
    docs: Vec<SegDoc>,
    terms: Vec<String>,
    kinds: Vec<TokenKind>,
    chars: Vec<u64>,
}

/// The vocabulary of `terms`, with each word's frequency in the general-language dictionary
/// and its class by the dictionary's tag, for the compare stage.
fn vocab(terms: Vec<String>, kinds: Vec<TokenKind>, segmenter: &Segmenter) -> Vocab {
    let (general, classes): (Vec<u32>, Vec<WordClass>) = terms
        .par_iter()
        .zip(&kinds)
        .map(|(t, k)| match k {
            TokenKind::Word => (segmenter.general(t), segmenter.class(t)),
            _ => (0, WordClass::Unknown),
        })
        .unzip();
    Vocab::with_general(terms, kinds, general).with_classes(classes)
}

/// [`run_chunked`] but for the general frequencies.
fn cut_chunked(
    documents: &mut [Document],
    segmenter: &Segmenter,
    progress: &dyn Progress,
    chunk_bytes: usize,
) -> Result<Cut, Error> {
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
    let mut pieces = Vec::new();
    let mut rest = documents;
    for range in chunk_ranges(rest, chunk_bytes) {
        let (piece, tail) = rest.split_at_mut(range.len());
        pieces.push(piece);
        rest = tail;
    }
    let chunks: Vec<Chunk> = pieces
        .into_par_iter()
        .map(|piece| segment_chunk(segmenter, piece, progress))
        .collect();
    let chars: Vec<u64> = chunks
        .iter()
        .flat_map(|c| c.chars.iter().copied())
        .collect();
    progress.finish();

    progress.start("vocabulary", chunks.len() as u64);
    // Merge the chunk vocabularies: provisional ids in order of first sight, and for each
    // chunk its local → provisional map. One hash lookup per chunk term; the strings are only
    // compared again when the distinct terms are sorted.
    let mut index: FxHashMap<&str, u32> = FxHashMap::default();
    let mut all: Vec<(&str, TokenKind)> = Vec::new();
    let mut provisional: Vec<Vec<u32>> = Vec::with_capacity(chunks.len());
    for c in &chunks {
        let map = c
            .terms()
            .zip(&c.kinds)
            .map(|(t, &k)| {
                *index.entry(t).or_insert_with(|| {
                    all.push((t, k));
                    (all.len() - 1) as u32
                })
            })
            .collect();
        provisional.push(map);
    }
    drop(index);
    if u32::try_from(all.len()).is_err() {
        return Err(Error::VocabularyTooLarge { terms: all.len() });
    }
    // Final ids: rank of the term in byte order.
    let mut order: Vec<u32> = (0..all.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| all[a as usize].0.cmp(all[b as usize].0));
    let mut rank = vec![0u32; all.len()];
    for (id, &p) in order.iter().enumerate() {
        rank[p as usize] = id as u32;
    }
    // The terms are copied out of the chunks, which the token streams then leave.
    let (terms, kinds): (Vec<String>, Vec<TokenKind>) = order
        .iter()
        .map(|&p| {
            let (t, k) = all[p as usize];
            (t.to_string(), k)
        })
        .unzip();
    drop(all);
    let docs: Vec<SegDoc> = chunks
        .into_par_iter()
        .zip(provisional)
        .map(|(chunk, map)| {
            let global: Vec<u32> = map.iter().map(|&p| rank[p as usize]).collect();
            let mut docs = chunk.docs;
            for doc in &mut docs {
                for id in &mut doc.tokens {
                    *id = global[*id as usize];
                }
            }
            progress.inc(1);
            docs
        })
        .flatten()
        .collect();
    progress.finish();
    Ok(Cut {
        docs,
        terms,
        kinds,
        chars,
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

/// Interns the terms of one chunk with chunk-local ids.
///
/// This is the stage's main cost besides jieba itself, so it avoids touching strings: terms of
/// up to 7 bytes (one or two ideographs, most tokens) are keyed by their bytes packed into a
/// `u64`, so a lookup compares integers instead of following a pointer to the term's first
/// occurrence somewhere in the chunk's text. In front of that map sits a small direct-mapped
/// table of recent short terms, which stays in cache while jieba's large dictionary walks
/// evict the map; word frequencies are skewed enough that most tokens hit it. Longer terms are
/// keyed by the borrowed `&str`.
struct Interner<'t> {
    recent: Vec<(u64, u32)>,
    short: FxHashMap<u64, u32>,
    long: FxHashMap<&'t str, u32>,
    terms: Vec<&'t str>,
    kinds: Vec<TokenKind>,
}

/// log2 of the slots of [`Interner::recent`]: 16 Ki slots of 16 bytes, 256 KiB.
const RECENT_BITS: u32 = 14;
/// Marks an empty slot of [`Interner::recent`]; no packed key has its top byte above 7.
const NO_KEY: u64 = u64::MAX;

impl<'t> Interner<'t> {
    fn new() -> Interner<'t> {
        Interner {
            recent: vec![(NO_KEY, 0); 1 << RECENT_BITS],
            short: FxHashMap::default(),
            long: FxHashMap::default(),
            terms: Vec::new(),
            kinds: Vec::new(),
        }
    }

    #[inline]
    fn id(&mut self, term: &'t str, kind: TokenKind) -> u32 {
        let next = self.terms.len() as u32;
        let Some(key) = pack(term) else {
            return *self.long.entry(term).or_insert_with(|| {
                self.terms.push(term);
                self.kinds.push(kind);
                next
            });
        };
        // Fibonacci hashing: the top bits of the product mix every byte of the key.
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - RECENT_BITS)) as usize;
        let (k, id) = self.recent[slot];
        if k == key {
            return id;
        }
        let id = *self.short.entry(key).or_insert_with(|| {
            self.terms.push(term);
            self.kinds.push(kind);
            next
        });
        self.recent[slot] = (key, id);
        id
    }
}

/// The bytes of a term of at most 7 bytes with its length in the top byte, as one integer;
/// distinct terms give distinct integers.
///
/// Read as two loads that overlap (the first and last 4, 2 or 1 bytes) rather than copied
/// byte by byte into an array: a variable-length copy followed by an 8-byte read of the same
/// array stalls on every token, and that was a fifth of the stage's own time per token.
#[inline]
fn pack(term: &str) -> Option<u64> {
    let b = term.as_bytes();
    let n = b.len();
    let bytes = match n {
        0 => 0,
        1 => u64::from(b[0]),
        2..=3 => {
            let lo = u64::from(u16::from_le_bytes([b[0], b[1]]));
            let hi = u64::from(u16::from_le_bytes([b[n - 2], b[n - 1]]));
            lo | hi << ((n - 2) * 8)
        }
        4..=7 => {
            let lo = u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let hi = u64::from(u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]));
            lo | hi << ((n - 4) * 8)
        }
        _ => return None,
    };
    Some(bytes | (n as u64) << 56)
}

/// Cuts the documents of one chunk, interning terms with chunk-local ids, and lets go of their
/// texts once the chunk's terms are copied out of them.
fn segment_chunk(
    segmenter: &Segmenter,
    documents: &mut [Document],
    progress: &dyn Progress,
) -> Chunk {
    let mut interner = Interner::new();
    let mut docs = Vec::with_capacity(documents.len());
    let mut spans: Vec<Span> = Vec::new();
    for d in documents.iter() {
        // About one token per five bytes of Chinese text; a guess to avoid regrowing.
        let guess = d.text.len() / 5;
        let mut doc = SegDoc::with_capacity(guess);
        segmenter.each_token(&d.text, &mut spans, |term, kind, start, end| {
            let id = interner.id(term, kind);
            // Offsets fit: `run` refused texts longer than u32::MAX bytes. The end is kept only
            // when the text is not the term (number class).
            doc.push(id, term, start as u32, end as u32);
        });
        // The guess is off by a sixth either way on news text (a doubling when it is short);
        // the corpus's token streams are held until count, so their spare room is given up.
        doc.shrink_to_fit();
        docs.push(doc);
        progress.inc(d.text.len() as u64);
    }
    let mut terms = String::with_capacity(interner.terms.iter().map(|t| t.len()).sum());
    let ends = interner
        .terms
        .iter()
        .map(|t| {
            terms.push_str(t);
            terms.len() as u32
        })
        .collect();
    let kinds = interner.kinds;
    let chars = documents
        .iter_mut()
        .map(|d| std::mem::take(&mut d.text).chars().count() as u64)
        .collect();
    Chunk {
        terms,
        ends,
        kinds,
        docs,
        chars,
    }
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

    #[test]
    fn waves_renumbered_give_the_whole_corpus_segmented() {
        let seg = default_segmenter();
        // Terms shared by several waves, terms in one wave only, an empty report, numbers.
        let mut texts: Vec<String> = TEXTS.iter().map(|t| t.to_string()).collect();
        texts.extend((0..12).map(|i| format!("第{i}次会议审议通过了报告{}。", i * 37)));
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let whole = run(corpus(&refs), seg, &tifa_core::NoProgress).unwrap();
        for size in [1, 2, 5, texts.len()] {
            let mut waves = InWaves::default();
            let mut docs = Vec::new();
            let mut chars = Vec::new();
            let mut documents = corpus(&refs).documents;
            for wave in documents.chunks_mut(size) {
                let (d, c) = waves.cut(wave, seg, &tifa_core::NoProgress).unwrap();
                docs.push(d);
                chars.extend(c);
            }
            let (vocab, ids) = waves.finish(seg).unwrap();
            let docs: Vec<SegDoc> = docs
                .into_iter()
                .zip(&ids)
                .flat_map(|(wave, ids)| {
                    wave.into_iter().map(|mut d| {
                        d.tokens.iter_mut().for_each(|t| *t = ids[*t as usize]);
                        d
                    })
                })
                .collect();
            assert_eq!(vocab, whole.vocab, "waves of {size}");
            assert_eq!(docs, whole.docs, "waves of {size}");
            assert_eq!(chars, whole.chars, "waves of {size}");
            assert!(documents.iter().all(|d| d.text.is_empty()));
        }
    }

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
        // The texts were let go of as they were cut; their lengths in characters are kept.
        assert!(out.documents.iter().all(|d| d.text.is_empty()));
        let chars: Vec<u64> = TEXTS.iter().map(|t| t.chars().count() as u64).collect();
        assert_eq!(out.chars, chars);
        for (text, sd) in TEXTS.iter().zip(&out.docs) {
            assert!(sd.odd_ends.is_empty());
            let direct = seg.tokens(text);
            assert_eq!(direct.len(), sd.tokens.len());
            for (i, &id) in sd.tokens.iter().enumerate() {
                let (start, end) = sd.span(i, &out.vocab).unwrap();
                let (start, end) = (start as usize, end as usize);
                let term = out.vocab.term(id);
                assert_eq!(&text[start..end], term);
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
            let mut c = corpus(&texts);
            pool.install(|| run_chunked(&mut c.documents, seg, &tifa_core::NoProgress, chunk))
                .unwrap()
                .with_documents(c.documents, c.skipped)
        };
        let reference = in_pool(1, MAX_CHUNK_BYTES);
        for (threads, chunk) in [(4, MAX_CHUNK_BYTES), (1, 64), (4, 64), (4, 1)] {
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
        // The class term is not the text, so the number's own end is kept and found again.
        let d = &out.docs[0];
        let span = |i: usize| {
            let (start, end) = d.span(i, &out.vocab).unwrap();
            &"2024年增长5.2%"[start as usize..end as usize]
        };
        assert_eq!(span(0), "2024");
        assert_eq!(span(1), "年");
        assert!(d.odd_ends.iter().any(|&(i, _)| i == 0));
    }

    #[test]
    fn interner_gives_each_term_one_id_whatever_its_length() {
        // Enough terms to make slots of the recent-terms table collide many times over.
        let terms: Vec<String> = (0..60_000u32)
            .map(|i| match i % 3 {
                0 => char::from_u32(0x4E00 + i % 20_000).unwrap().to_string(),
                1 => format!("{i}"),
                _ => format!("意识{i}"),
            })
            .collect();
        let mut interner = Interner::new();
        let first: Vec<u32> = terms
            .iter()
            .map(|t| interner.id(t, TokenKind::Word))
            .collect();
        let again: Vec<u32> = terms
            .iter()
            .rev()
            .map(|t| interner.id(t, TokenKind::Word))
            .collect();
        assert!(first.iter().eq(again.iter().rev()));
        for (t, &id) in terms.iter().zip(&first) {
            assert_eq!(interner.terms[id as usize], t.as_str());
        }
        assert_eq!(pack("ab"), pack("ab"));
        assert_ne!(pack("ab"), pack("ab\0"));
        assert_eq!(pack("十四五规"), None);
    }

    #[test]
    fn a_packed_term_is_its_bytes_then_its_length() {
        let terms = [
            "", "a", "ab", "abc", "的", "abcd", "abcde", "abcdef", "发展", "abcdefg", "a十",
        ];
        for t in terms {
            let mut b = [0u8; 8];
            b[..t.len()].copy_from_slice(t.as_bytes());
            b[7] = t.len() as u8;
            assert_eq!(pack(t), Some(u64::from_le_bytes(b)), "{t:?}");
        }
        assert_eq!(pack("abcdefgh"), None);
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
