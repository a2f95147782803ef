//! The shared crate of tifa: the typed data that crosses stage boundaries, the versioned
//! intermediate file format, atomic writes and the progress-reporting trait.
//!
//! Every stage crate depends on this crate and on no other stage crate. A stage is a function
//! from one of the types here to the next: [`Corpus`] (clean) → [`Segmented`] (segment) →
//! [`Counts`] (count) → [`Comparison`] (compare) → files (report). Keeping the types in one small
//! crate means a stage can change its internals freely as long as its output type holds.
//!
//! The on-disk form of each intermediate is the in-memory type encoded by [`format`], behind a
//! header with a magic string, a format version, the writing stage, a payload checksum and the
//! fingerprints of the stage's input and config. Only [`format`] knows the encoding ([`packed`]
//! says how the large integer arrays are laid out inside it).

pub mod atomic;
pub mod comparison;
pub mod corpus;
pub mod counts;
pub mod format;
pub mod memory;
pub mod packed;
pub mod progress;
pub mod segmented;
mod skim;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod text;

pub use comparison::{
    CompactString, Comparison, CorpusSummary, GroupComparison, GroupInfo, GroupRow, Kind, Kwic,
    Slogan, SomeSlogans,
};
pub use corpus::{
    CleanLogRow, Corpus, Document, DocumentWaves, Meta, Skipped, SpilledCorpus, TextWaves, When,
};
pub use counts::{
    read_aside, AsideSpan, Branching, Counts, DocInfo, PackedPerDoc, PerDoc, PerDocAside,
    PerDocIter, Phrase, PhraseStats, Phrases, PhrasesFull, PhrasesSize, SpilledCounts,
    SpilledPhrases,
};
pub use format::{FormatError, Header, Stage};
pub use progress::{NoProgress, Progress};
pub use segmented::{
    SegDoc, SegDocWaves, Segmented, SegmentedHead, SpilledSegmented, TokenKind, Vocab, WordClass,
};

/// A stable 64-bit fingerprint of some bytes (xxh3), used for checksums and for input and
/// config fingerprints in intermediate headers. Stable across platforms and releases.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Fingerprint of a serialisable value, via its canonical JSON form. Used for configs, so that
/// reformatting or commenting a TOML file does not change the fingerprint but changing a value
/// does.
pub fn fingerprint_value<T: serde::Serialize>(value: &T) -> u64 {
    // serde_json::to_vec only fails for maps with non-string keys, which configs never have.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    fingerprint(&bytes)
}
