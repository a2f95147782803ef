//! The count stage's output: exact statistics of every recurring phrase (`count.bin`), in files
//! of one idea: a phrase's statistics (`phrase.rs`), its per-report counts and their packed
//! encoding (`per_doc.rs`), the stored list of phrases and its spilled form (`phrases.rs`),
//! count.bin read with its per-report counts set aside in a file (`aside.rs`), and
//! here the reports and the whole [`Counts`] (and [`SpilledCounts`]).

use serde::{Deserialize, Serialize};

use crate::corpus::Meta;
use crate::segmented::Vocab;

mod aside;
mod per_doc;
mod phrase;
mod phrases;

pub use aside::{read_aside, AsideSpan, PerDocAside};
pub use per_doc::{PackedPerDoc, PerDoc, PerDocIter};
pub use phrase::{Phrase, PhraseStats};
pub use phrases::{Phrases, PhrasesFull, PhrasesSize, SpilledPhrases};

/// What later stages need to know about one report, without its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocInfo {
    /// Document id (as in [`crate::Document::id`]).
    pub id: String,
    /// Title.
    pub title: String,
    /// Input file.
    pub source: String,
    /// Metadata.
    pub meta: Meta,
    /// Number of tokens (punctuation included).
    pub tokens: u64,
    /// Number of characters of the cleaned text.
    pub chars: u64,
}

/// Branching statistics on one side of a phrase: which tokens occur next to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Branching {
    /// Number of distinct neighbouring tokens (boundaries not included).
    pub distinct: u32,
    /// Occurrences next to a hard boundary, a document edge or punctuation.
    pub boundary: u32,
    /// Branching entropy in nats, each boundary occurrence counted as its own distinct
    /// neighbour.
    pub entropy: f32,
}

/// Phrase statistics of the corpus: `count.bin`.
///
/// A phrase is a run of tokens inside one clause: it contains no clause or sentence mark
/// ([`crate::TokenKind::is_hard_boundary`]) and no opening or closing quote, and it neither starts
/// nor ends with the enumeration comma `、`, which it may contain.
///
/// [`Counts::phrases`] holds, for a count run with `min_df`, `max_short` and `max_len`:
/// - every phrase, up to `max_len` tokens, that occurs at least twice and in at least `min_df`
///   reports and is closed: no one-token extension to the left or right (that is itself a
///   phrase) has the same term frequency. A phrase of exactly `max_len` tokens counts as closed;
/// - every phrase of at most `max_short` tokens (0 by default: none) that passes the same
///   thresholds, closed or not.
///
/// Not held: phrases that occur once; phrases below `min_df`; phrases longer than `max_short`
/// that always occur inside the same longer phrase. Such a phrase has the tf, df and per-report
/// counts of its closed extension, which is held, and every other held phrase containing it
/// occurs at most as often: its tf is the largest among the held phrases that contain it. [`Counts::get`] returns `None` for all of these; `tifa lookup`
/// answers for any string from the cleaned texts instead. `unigram_tf` covers every token id,
/// punctuation included, whatever its frequency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// The reports, in the same order as the segment stage's documents.
    pub docs: Vec<DocInfo>,
    /// The vocabulary of the segment stage.
    pub vocab: Vocab,
    /// Total number of tokens in the corpus.
    pub n_tokens: u64,
    /// Corpus frequency of every token id (`unigram_tf[id]`).
    #[serde(with = "crate::packed")]
    pub unigram_tf: Vec<u64>,
    /// The `min_df` the phrases were counted with.
    pub min_df: u32,
    /// Every counted phrase, sorted by token ids so [`Counts::get`] can binary-search.
    pub phrases: Phrases,
    /// Input files the clean stage skipped, carried on so that the report can count them.
    pub skipped: Vec<crate::corpus::Skipped>,
}

/// [`Counts`] whose phrases are in scratch files ([`SpilledPhrases`]): what the count stage
/// makes under a memory budget, written to count.bin byte for byte as the same [`Counts`]
/// would be, without the phrases ever in memory whole.
#[derive(Debug)]
pub struct SpilledCounts {
    /// As [`Counts::docs`].
    pub docs: Vec<DocInfo>,
    /// As [`Counts::vocab`].
    pub vocab: Vocab,
    /// As [`Counts::n_tokens`].
    pub n_tokens: u64,
    /// As [`Counts::unigram_tf`].
    pub unigram_tf: Vec<u64>,
    /// As [`Counts::min_df`].
    pub min_df: u32,
    /// As [`Counts::phrases`], in scratch files.
    pub phrases: SpilledPhrases,
    /// As [`Counts::skipped`].
    pub skipped: Vec<crate::corpus::Skipped>,
}

/// Stored as its seven fields in order, as [`Counts`] is.
impl Serialize for SpilledCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Counts", 7)?;
        st.serialize_field("docs", &self.docs)?;
        st.serialize_field("vocab", &self.vocab)?;
        st.serialize_field("n_tokens", &self.n_tokens)?;
        st.serialize_field("unigram_tf", &crate::packed::Packed(&self.unigram_tf))?;
        st.serialize_field("min_df", &self.min_df)?;
        st.serialize_field("phrases", &self.phrases)?;
        st.serialize_field("skipped", &self.skipped)?;
        st.end()
    }
}

impl Counts {
    /// Statistics of a phrase given as token ids, if it was counted.
    pub fn get(&self, tokens: &[u32]) -> Option<Phrase<'_>> {
        self.phrases
            .get(self.phrases.lower_bound(tokens))
            .filter(|p| p.tokens == tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::per_doc::PerDocRepr;
    use super::*;

    fn stats(tokens: &[u32], per_doc: &[(u32, u32)]) -> PhraseStats {
        PhraseStats {
            tokens: tokens.to_vec(),
            tf: per_doc.iter().map(|x| x.1).sum(),
            df: per_doc.len() as u32,
            per_doc: per_doc.to_vec(),
            ..PhraseStats::default()
        }
    }

    #[test]
    fn phrases_give_back_what_was_pushed() {
        let owned = vec![
            stats(&[1], &[(0, 2), (3, 1)]),
            stats(&[1, 2], &[(0, 1)]),
            stats(&[2, 5, 7], &[(1, 4), (2, 1), (3, 1)]),
        ];
        let phrases: Phrases = owned.iter().cloned().collect();
        assert_eq!(phrases.len(), 3);
        let back: Vec<PhraseStats> = phrases.iter().map(|p| p.to_stats()).collect();
        assert_eq!(back, owned);
        assert_eq!(phrases.tokens(2), &[2, 5, 7]);
        for i in 0..4 {
            assert_eq!(
                &phrases.token_arena()[phrases.token_range(i)],
                phrases.tokens(i)
            );
        }
        assert_eq!(phrases.token_range(1), 1..3);
        assert!(phrases.get(3).is_none());
        assert!(phrases.tokens(3).is_empty());
        let counts = Counts {
            phrases,
            ..Counts::default()
        };
        assert_eq!(counts.get(&[1, 2]).map(|p| p.tf), Some(1));
        assert!(counts.get(&[2]).is_none());
    }

    #[test]
    fn spilled_phrases_are_written_as_the_list_of_their_parts() {
        // Parts of several sizes, empty ones among them, that together cross every column's
        // chunk size (1 MiB of records): tokens, offsets, per-report counts and statistics.
        let phrase = |i: u32| {
            let per_doc: Vec<(u32, u32)> =
                (0..1 + i % 9).map(|d| (d * 7 + i % 5, 1 + d % 3)).collect();
            PhraseStats {
                left: Branching {
                    distinct: i % 300,
                    boundary: i,
                    entropy: i as f32 / 7.0,
                },
                numeric: i % 2,
                ..stats(&[i, i + 1, i * 3 % 1000][..1 + i as usize % 3], &per_doc)
            }
        };
        let sizes = [0, 1, 120_000, 0, 50_000, 3];
        let mut whole = Phrases::new();
        let dir = tempfile::tempdir().unwrap();
        let mut spilled = SpilledPhrases::new(dir.path()).unwrap();
        let mut next = 0;
        for n in sizes {
            let part: Phrases = (next..next + n).map(phrase).collect();
            next += n;
            whole.append(&part).unwrap();
            spilled.push(&part).unwrap().unwrap();
        }
        assert_eq!(spilled.size(), whole.size());
        assert!(whole.per_doc.len() > 1 << 20 && whole.fixed.len() > (1 << 20) / 55);
        let counts = Counts {
            docs: vec![DocInfo::default(); 2],
            n_tokens: 99,
            unigram_tf: vec![5, 0, 7],
            min_df: 2,
            phrases: whole.clone(),
            ..Counts::default()
        };
        fn encode<T: Serialize>(v: &T) -> Vec<u8> {
            crate::format::encode(crate::Stage::Count, 0, 0, v).unwrap()
        }
        let as_counts = SpilledCounts {
            docs: counts.docs.clone(),
            vocab: counts.vocab.clone(),
            n_tokens: counts.n_tokens,
            unigram_tf: counts.unigram_tf.clone(),
            min_df: counts.min_df,
            phrases: spilled,
            skipped: Vec::new(),
        };
        assert!(encode(&as_counts) == encode(&counts), "count.bin differs");
        // Read back whole, then with a last part kept in memory.
        let last: Phrases = (next..next + 10).map(phrase).collect();
        let back = as_counts.phrases.read_back(&last).unwrap().unwrap();
        whole.append(&last).unwrap();
        assert_eq!(back, whole);
        // The scratch files have no names: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn appended_lists_read_as_one() {
        let owned = [
            stats(&[1], &[(0, 2), (3, 1)]),
            stats(&[1, 2], &[(0, 1)]),
            stats(&[2, 5, 7], &[(1, 4), (2, 1), (3, 1)]),
            stats(&[4, 4], &[(2, 7)]),
        ];
        let (a, b): (Phrases, Phrases) = (
            owned[..2].iter().cloned().collect(),
            owned[2..].iter().cloned().collect(),
        );
        let mut all = Phrases::new();
        let mut size = a.size();
        size += b.size();
        all.reserve_exact(size);
        all.append(&a).unwrap();
        all.append(&b).unwrap();
        let whole: Phrases = owned.iter().cloned().collect();
        assert_eq!(all, whole);
        assert_eq!(all.size(), size);
        assert_eq!(size.phrases, 4);
        assert_eq!(size.tokens, 8);
        // Cleared, a list is empty and takes new phrases from offset 0.
        all.clear();
        assert!(all.is_empty());
        all.append(&b).unwrap();
        assert_eq!(all, b);
    }

    proptest::proptest! {
        /// Any pairs, in any order, with any report index, come back as they were pushed.
        #[test]
        fn per_report_counts_round_trip(
            lists in proptest::collection::vec(
                proptest::collection::vec((0u32..=u32::MAX, 0u32..100_000), 0..20),
                0..8,
            ),
            sorted in proptest::bool::ANY,
        ) {
            let owned: Vec<PhraseStats> = lists
                .into_iter()
                .enumerate()
                .map(|(i, mut pairs)| {
                    if sorted {
                        pairs.sort_unstable();
                        pairs.dedup_by_key(|p| p.0);
                        for p in &mut pairs {
                            p.1 %= 3;
                        }
                    }
                    stats(&[i as u32], &pairs)
                })
                .collect();
            let phrases: Phrases = owned.iter().cloned().collect();
            let back: Vec<Vec<(u32, u32)>> = phrases.iter().map(|p| p.per_doc.to_vec()).collect();
            let want: Vec<Vec<(u32, u32)>> = owned.iter().map(|p| p.per_doc.clone()).collect();
            proptest::prop_assert_eq!(back, want);
        }

        /// Packed bytes that do not decode end the list; nothing panics.
        #[test]
        fn damaged_per_report_bytes_end_the_list(
            bytes in proptest::collection::vec(0u8..=255, 0..64),
        ) {
            let p = PerDoc(PerDocRepr::Packed(&bytes));
            let n = p.iter().count();
            proptest::prop_assert!(n <= bytes.len());
        }
    }

    #[test]
    fn per_report_counts_take_about_two_bytes_each() {
        // Reports in order, a few hundred apart, mostly one occurrence: two bytes an entry.
        let pairs: Vec<(u32, u32)> = (0..1000)
            .map(|i| (i * 450, 1 + u32::from(i % 10 == 0)))
            .collect();
        let phrases: Phrases = [stats(&[1], &pairs)].into_iter().collect();
        assert_eq!(phrases.get(0).map(|p| p.per_doc.to_vec()), Some(pairs));
        assert!(
            phrases.per_doc.len() <= 2100,
            "{} bytes",
            phrases.per_doc.len()
        );
    }

    #[test]
    fn damaged_offsets_give_empty_slices_not_panics() {
        let mut phrases: Phrases = [stats(&[1, 2], &[(0, 1)]), stats(&[3], &[(1, 1)])]
            .into_iter()
            .collect();
        phrases.token_ends[0] = 99;
        phrases.per_doc_ends[1] = 0;
        assert!(phrases.tokens(0).is_empty());
        assert!(phrases.tokens(1).is_empty());
        assert!(phrases
            .get(1)
            .map(|p| p.per_doc.is_empty())
            .unwrap_or(false));
        phrases.fixed.truncate(1);
        assert_eq!(phrases.len(), 1);
    }
}
