//! The count stage's output: exact statistics of every recurring phrase.

use serde::{Deserialize, Serialize};

use crate::corpus::Meta;
use crate::segmented::Vocab;

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

/// Exact statistics of one phrase (a token sequence that crosses no hard boundary), owned: the
/// form in which a phrase is built before it is pushed into [`Phrases`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhraseStats {
    /// Token ids of the phrase.
    pub tokens: Vec<u32>,
    /// Term frequency: occurrences in the corpus.
    pub tf: u32,
    /// Document frequency: reports it occurs in.
    pub df: u32,
    /// `(document index, occurrences)` for every report it occurs in, by document index.
    pub per_doc: Vec<(u32, u32)>,
    /// Left neighbours.
    pub left: Branching,
    /// Right neighbours.
    pub right: Branching,
    /// Occurrences directly enclosed in an opening and a closing quote (“…”).
    pub quoted: u32,
}

/// Exact statistics of one phrase, borrowed from [`Phrases`]: the same fields as
/// [`PhraseStats`], with the token ids and per-report counts as slices of shared arenas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phrase<'a> {
    /// Token ids of the phrase.
    pub tokens: &'a [u32],
    /// Term frequency: occurrences in the corpus.
    pub tf: u32,
    /// Document frequency: reports it occurs in.
    pub df: u32,
    /// `(document index, occurrences)` for every report it occurs in, by document index.
    pub per_doc: &'a [(u32, u32)],
    /// Left neighbours.
    pub left: Branching,
    /// Right neighbours.
    pub right: Branching,
    /// Occurrences directly enclosed in an opening and a closing quote (“…”).
    pub quoted: u32,
}

impl PhraseStats {
    /// The borrowed view of these statistics.
    pub fn as_phrase(&self) -> Phrase<'_> {
        Phrase {
            tokens: &self.tokens,
            tf: self.tf,
            df: self.df,
            per_doc: &self.per_doc,
            left: self.left,
            right: self.right,
            quoted: self.quoted,
        }
    }
}

impl Phrase<'_> {
    /// An owned copy.
    pub fn to_stats(&self) -> PhraseStats {
        PhraseStats {
            tokens: self.tokens.to_vec(),
            tf: self.tf,
            df: self.df,
            per_doc: self.per_doc.to_vec(),
            left: self.left,
            right: self.right,
            quoted: self.quoted,
        }
    }
}

/// The fixed-size part of a phrase's statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Fixed {
    tf: u32,
    df: u32,
    left: Branching,
    right: Branching,
    quoted: u32,
}

impl crate::packed::Record for Fixed {
    const WIDTH: usize = 36;
    fn put(&self, out: &mut Vec<u8>) {
        for w in [
            self.tf,
            self.df,
            self.left.distinct,
            self.left.boundary,
            self.left.entropy.to_bits(),
            self.right.distinct,
            self.right.boundary,
            self.right.entropy.to_bits(),
            self.quoted,
        ] {
            crate::packed::Record::put(&w, out);
        }
    }
    fn get(b: &[u8]) -> Fixed {
        let w = |i: usize| <u32 as crate::packed::Record>::get(&b[4 * i..4 * i + 4]);
        Fixed {
            tf: w(0),
            df: w(1),
            left: Branching {
                distinct: w(2),
                boundary: w(3),
                entropy: f32::from_bits(w(4)),
            },
            right: Branching {
                distinct: w(5),
                boundary: w(6),
                entropy: f32::from_bits(w(7)),
            },
            quoted: w(8),
        }
    }
}

/// A list of phrase statistics stored column-wise: the token ids of all phrases in one arena
/// and their per-report counts in another, with end offsets per phrase. Millions of phrases
/// then cost a few flat arrays instead of two heap allocations each (about 40% less memory on
/// a news corpus, and far fewer allocations to decode).
///
/// Offsets come from a file, so every accessor checks them and yields empty slices for a
/// phrase whose offsets are out of range or out of order rather than panicking.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Phrases {
    /// Token ids of every phrase, concatenated.
    #[serde(with = "crate::packed")]
    tokens: Vec<u32>,
    /// `token_ends[i]`: end of phrase `i`'s tokens in `tokens`.
    #[serde(with = "crate::packed")]
    token_ends: Vec<u32>,
    /// Per-report counts of every phrase, concatenated.
    #[serde(with = "crate::packed")]
    per_doc: Vec<(u32, u32)>,
    /// `per_doc_ends[i]`: end of phrase `i`'s counts in `per_doc`.
    #[serde(with = "crate::packed")]
    per_doc_ends: Vec<u32>,
    /// tf, df, branching and quoted of each phrase.
    #[serde(with = "crate::packed")]
    fixed: Vec<Fixed>,
}

/// A [`Phrases`] arena outgrew its 32-bit offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many phrase tokens or per-report counts for 32-bit offsets")]
pub struct PhrasesFull;

impl Phrases {
    /// An empty list.
    pub fn new() -> Phrases {
        Phrases::default()
    }

    /// Number of phrases.
    pub fn len(&self) -> usize {
        self.fixed
            .len()
            .min(self.token_ends.len())
            .min(self.per_doc_ends.len())
    }

    /// True when there is no phrase.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a phrase, copied from wherever its slices live (a [`PhraseStats`] through
    /// [`PhraseStats::as_phrase`], or a producer's own arenas); fails when an arena would
    /// outgrow 32-bit offsets.
    pub fn push(&mut self, p: Phrase<'_>) -> Result<(), PhrasesFull> {
        let token_end =
            u32::try_from(self.tokens.len() + p.tokens.len()).map_err(|_| PhrasesFull)?;
        let per_doc_end =
            u32::try_from(self.per_doc.len() + p.per_doc.len()).map_err(|_| PhrasesFull)?;
        self.tokens.extend_from_slice(p.tokens);
        self.token_ends.push(token_end);
        self.per_doc.extend_from_slice(p.per_doc);
        self.per_doc_ends.push(per_doc_end);
        self.fixed.push(Fixed {
            tf: p.tf,
            df: p.df,
            left: p.left,
            right: p.right,
            quoted: p.quoted,
        });
        Ok(())
    }

    /// Releases spare capacity of the arenas.
    pub fn shrink_to_fit(&mut self) {
        self.tokens.shrink_to_fit();
        self.token_ends.shrink_to_fit();
        self.per_doc.shrink_to_fit();
        self.per_doc_ends.shrink_to_fit();
        self.fixed.shrink_to_fit();
    }

    /// The slice `arena[ends[i-1]..ends[i]]`, empty when the offsets are damaged.
    fn span<'a, T>(arena: &'a [T], ends: &[u32], i: usize) -> &'a [T] {
        let start = if i == 0 {
            Some(0)
        } else {
            ends.get(i - 1).map(|&e| e as usize)
        };
        match (start, ends.get(i)) {
            (Some(s), Some(&e)) => arena.get(s..e as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Index of the first phrase whose tokens are not below `tokens`, for phrases sorted by
    /// tokens (as [`Counts::phrases`] are): where `tokens` is, or would be inserted.
    pub fn lower_bound(&self, tokens: &[u32]) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.tokens(mid) < tokens {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// Token ids of phrase `i` (empty when out of range).
    pub fn tokens(&self, i: usize) -> &[u32] {
        Phrases::span(&self.tokens, &self.token_ends, i)
    }

    /// Phrase `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<Phrase<'_>> {
        if i >= self.len() {
            return None;
        }
        let f = self.fixed.get(i)?;
        Some(Phrase {
            tokens: self.tokens(i),
            tf: f.tf,
            df: f.df,
            per_doc: Phrases::span(&self.per_doc, &self.per_doc_ends, i),
            left: f.left,
            right: f.right,
            quoted: f.quoted,
        })
    }

    /// Every phrase, in order.
    pub fn iter(&self) -> impl Iterator<Item = Phrase<'_>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl FromIterator<PhraseStats> for Phrases {
    /// Collects owned phrases. Stops at the first phrase that would outgrow the 32-bit offsets;
    /// a caller that must know uses [`Phrases::push`], which reports it.
    fn from_iter<I: IntoIterator<Item = PhraseStats>>(iter: I) -> Phrases {
        let mut out = Phrases::new();
        for p in iter {
            if out.push(p.as_phrase()).is_err() {
                break;
            }
        }
        out
    }
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
/// occurs at most as often: its tf is the largest among the held phrases that contain it. [`Counts::get`] returns `None` for all of these; the count stage's
/// `lookup` answers for them from the segmented corpus. `unigram_tf` covers every token id,
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
        phrases.fixed.pop();
        assert_eq!(phrases.len(), 1);
    }
}
