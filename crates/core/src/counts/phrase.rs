//! One phrase's statistics: owned while it is built ([`PhraseStats`]), borrowed from the stored
//! list ([`Phrase`]).

use serde::{Deserialize, Serialize};

use super::{Branching, PerDoc};

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
    /// Occurrences followed by a number within the next three tokens of their clause, as
    /// statistical terms are (地区生产总值增长5.2%).
    pub numeric: u32,
    /// Occurrences followed by an opening quotation mark (完成“十四五”…): a right boundary in
    /// the branching statistics, but the phrase goes on into what is quoted.
    pub open_after: u32,
}

/// Exact statistics of one phrase, borrowed from [`Phrases`]: the same fields as
/// [`PhraseStats`], with the token ids as a slice of a shared arena and the per-report counts
/// as a [`PerDoc`] view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phrase<'a> {
    /// Token ids of the phrase.
    pub tokens: &'a [u32],
    /// Term frequency: occurrences in the corpus.
    pub tf: u32,
    /// Document frequency: reports it occurs in.
    pub df: u32,
    /// `(document index, occurrences)` for every report it occurs in, by document index.
    pub per_doc: PerDoc<'a>,
    /// Left neighbours.
    pub left: Branching,
    /// Right neighbours.
    pub right: Branching,
    /// Occurrences directly enclosed in an opening and a closing quote (“…”).
    pub quoted: u32,
    /// Occurrences followed by a number within the next three tokens of their clause, as
    /// statistical terms are (地区生产总值增长5.2%).
    pub numeric: u32,
    /// Occurrences followed by an opening quotation mark (完成“十四五”…): a right boundary in
    /// the branching statistics, but the phrase goes on into what is quoted.
    pub open_after: u32,
}

impl PhraseStats {
    /// The borrowed view of these statistics.
    pub fn as_phrase(&self) -> Phrase<'_> {
        Phrase {
            tokens: &self.tokens,
            tf: self.tf,
            df: self.df,
            per_doc: PerDoc::plain(&self.per_doc),
            left: self.left,
            right: self.right,
            quoted: self.quoted,
            numeric: self.numeric,
            open_after: self.open_after,
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
            numeric: self.numeric,
            open_after: self.open_after,
        }
    }
}
