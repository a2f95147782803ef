//! The segment stage's output: every report as a stream of interned token ids with their
//! positions in the cleaned text, plus the vocabulary.

use serde::{Deserialize, Serialize};

use crate::corpus::Document;

/// What a token is. Punctuation is kept as tokens because it matters downstream: `、` joins
/// enumerations, quotes mark slogans, and clause and sentence marks are hard boundaries that no
/// counted phrase crosses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenKind {
    /// A word (Chinese or other letters).
    Word,
    /// A number (digit run, possibly mapped to one number class).
    Number,
    /// The enumeration comma `、`, which joins the items of an enumerated formula.
    Enum,
    /// An opening quote or title mark (`“`, `《`, `「`, `（` …).
    Open,
    /// A closing quote or title mark (`”`, `》`, `」`, `）` …).
    Close,
    /// A clause boundary (`，`, `：`, `——` …): no phrase crosses it.
    Clause,
    /// A sentence or paragraph boundary (`。`, `！`, `？`, `；`, line break): no phrase crosses it.
    Sentence,
    /// Any other symbol.
    Symbol,
}

impl TokenKind {
    /// True for tokens no counted phrase may contain or cross.
    pub fn is_hard_boundary(self) -> bool {
        matches!(self, TokenKind::Clause | TokenKind::Sentence)
    }
}

/// A word's class, from the part-of-speech tag the segmenter's dictionary gives it (jieba's
/// tags). Coarse on purpose: jieba's tags are a dictionary's, not a parse of the text, and often
/// name a word's commonest use (全面 and 大力 are tagged nouns, 落实 an adjective); what is read
/// from them must hold for the class as a whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WordClass {
    /// No tag: not a word of the dictionary (a character or word it does not hold, a number, a
    /// mark), or a word added without one.
    #[default]
    Unknown,
    /// A noun, name, pronoun, numeral, place, time, locative or distinguishing word (tags
    /// `n…`, `r…`, `m…`, `s`, `t…`, `f`, `b…`).
    Nominal,
    /// A verb (tags `v…`).
    Verbal,
    /// Any other tag: adjective, adverb, idiom, set phrase, abbreviation ….
    Other,
}

impl WordClass {
    /// The class of a jieba part-of-speech tag (`x`, jieba's tag for an unknown character,
    /// and the empty tag are [`WordClass::Unknown`]).
    pub fn of_tag(tag: &str) -> WordClass {
        match tag.as_bytes().first() {
            None | Some(b'x') => WordClass::Unknown,
            Some(b'n' | b'r' | b'm' | b's' | b't' | b'f' | b'b') => WordClass::Nominal,
            Some(b'v') => WordClass::Verbal,
            Some(_) => WordClass::Other,
        }
    }
}

/// The vocabulary: token id → term and kind, and term → id through an `fst` map.
///
/// The map is built the first time it is needed: a look-up ([`Vocab::id`]) or writing the
/// vocabulary, which stores its bytes. Most readers need neither: compare's examples read
/// segment.bin for its token streams alone.
///
/// Reading a vocabulary rebuilds the map from the terms rather than trusting the stored bytes:
/// look-ups in an `fst` map from a damaged or hostile file can panic, and a checksum only
/// proves who wrote the file's bytes, not that they are a valid map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "StoredVocab")]
pub struct Vocab {
    /// Term of each id.
    pub terms: Vec<String>,
    /// Kind of each id.
    pub kinds: Vec<TokenKind>,
    /// Frequency of each term in the segmenter's general-language dictionary (jieba's own, a
    /// frequency list of general Chinese), 0 for a term it does not hold. Words the bundled
    /// political dictionary or a user dictionary adds keep their general frequency, if any.
    /// The compare stage tells vocabulary (人民群众, 进一步提高) from coinages with it. Empty is
    /// read as all 0.
    pub general: Vec<u32>,
    /// Class of each term by its tag in the segmenter's dictionary ([`WordClass`]). The
    /// compare stage keeps nouns from the verbs it learns to introduce formulations. Empty is
    /// read as all unknown.
    pub classes: Vec<WordClass>,
    /// Bytes of an `fst::Map` from term to id (terms in byte order), once built.
    map: std::sync::OnceLock<Vec<u8>>,
}

/// Two vocabularies are equal when their terms, kinds, general frequencies and classes are:
/// the map follows from the terms.
impl PartialEq for Vocab {
    fn eq(&self, other: &Vocab) -> bool {
        (&self.terms, &self.kinds, &self.general, &self.classes)
            == (&other.terms, &other.kinds, &other.general, &other.classes)
    }
}

impl Eq for Vocab {}

/// Stored as its terms, its kinds, its map's bytes, the general frequencies and the classes, in
/// that order.
impl Serialize for Vocab {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut v = s.serialize_struct("Vocab", 5)?;
        v.serialize_field("terms", &self.terms)?;
        v.serialize_field("kinds", &self.kinds)?;
        v.serialize_field("fst", &crate::packed::Bytes(self.map_bytes()))?;
        v.serialize_field("general", &GeneralRef(&self.general))?;
        v.serialize_field("classes", &self.classes)?;
        v.end()
    }
}

/// The general frequencies, packed as fixed-width integers.
struct GeneralRef<'a>(&'a [u32]);

impl Serialize for GeneralRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::packed::serialize(self.0, s)
    }
}

/// A vocabulary as stored, before its map is rebuilt; the same fields in the same order.
#[derive(Deserialize)]
struct StoredVocab {
    terms: Vec<String>,
    kinds: Vec<TokenKind>,
    /// Read to keep the layout, then dropped: the map is built from `terms` when needed.
    #[serde(with = "crate::packed::bytes")]
    _fst: Vec<u8>,
    #[serde(with = "crate::packed")]
    general: Vec<u32>,
    classes: Vec<WordClass>,
}

impl From<StoredVocab> for Vocab {
    fn from(v: StoredVocab) -> Vocab {
        Vocab::with_general(v.terms, v.kinds, v.general).with_classes(v.classes)
    }
}

impl Vocab {
    /// A vocabulary of terms and kinds (`terms[i]` gets id `i`). Terms must be distinct.
    pub fn new(terms: Vec<String>, kinds: Vec<TokenKind>) -> Vocab {
        Vocab::with_general(terms, kinds, Vec::new())
    }

    /// A vocabulary with the general-language frequency of each term (see [`Vocab::general`]).
    pub fn with_general(terms: Vec<String>, kinds: Vec<TokenKind>, general: Vec<u32>) -> Vocab {
        Vocab {
            terms,
            kinds,
            general,
            classes: Vec::new(),
            map: std::sync::OnceLock::new(),
        }
    }

    /// The vocabulary with the class of each term (see [`Vocab::class`]).
    pub fn with_classes(self, classes: Vec<WordClass>) -> Vocab {
        Vocab { classes, ..self }
    }

    /// The frequency of a term in the general-language dictionary (0 when absent or unknown).
    pub fn general(&self, id: u32) -> u32 {
        self.general.get(id as usize).copied().unwrap_or(0)
    }

    /// The class of a term by its dictionary tag ([`WordClass::Unknown`] when absent or unknown).
    pub fn class(&self, id: u32) -> WordClass {
        self.classes.get(id as usize).copied().unwrap_or_default()
    }

    /// The bytes of the term → id map, built on first use.
    fn map_bytes(&self) -> &[u8] {
        self.map.get_or_init(|| {
            let terms = &self.terms;
            let mut order: Vec<u32> = (0..terms.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                terms[a as usize]
                    .as_bytes()
                    .cmp(terms[b as usize].as_bytes())
            });
            let mut builder = fst::MapBuilder::memory();
            for id in order {
                // Keys are inserted in strictly increasing order by construction; a duplicate
                // term is a caller bug and is skipped rather than panicking.
                let _ = builder.insert(terms[id as usize].as_bytes(), id as u64);
            }
            builder.into_inner().unwrap_or_default()
        })
    }

    /// The id of a term, if it is in the vocabulary.
    pub fn id(&self, term: &str) -> Option<u32> {
        let map = fst::Map::new(self.map_bytes()).ok()?;
        map.get(term).map(|v| v as u32)
    }

    /// The term of an id (empty for an unknown id).
    pub fn term(&self, id: u32) -> &str {
        self.terms
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The kind of an id (`Symbol` for an unknown id).
    pub fn kind(&self, id: u32) -> TokenKind {
        self.kinds
            .get(id as usize)
            .copied()
            .unwrap_or(TokenKind::Symbol)
    }

    /// The text of a token sequence, terms concatenated.
    pub fn phrase(&self, ids: &[u32]) -> String {
        let mut text = String::new();
        self.phrase_into(ids, &mut text);
        text
    }

    /// [`Vocab::phrase`] into `text`, which is cleared first: a caller that builds the texts of
    /// millions of phrases one after another reuses one buffer instead of allocating each.
    pub fn phrase_into(&self, ids: &[u32], text: &mut String) {
        text.clear();
        text.reserve(ids.iter().map(|&i| self.term(i).len()).sum());
        for &i in ids {
            text.push_str(self.term(i));
        }
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// One report as tokens.
///
/// Neither the start nor the end of each token is stored: a token mostly starts where the one
/// before it ends, and ends at its start plus the byte length of its term. The exceptions are
/// listed: [`SegDoc::odd_ends`] for tokens whose text is not their term (a number interned as
/// one number class), and the gaps for tokens that do not start where the one before them
/// ends (what the segmenter skips: line breaks, spaces). So that a token's offsets are found
/// without a walk from the start of the report, the start of every [`MARK`]th token is kept.
/// About 4 bytes a token rather than 8 (which the starts took), in memory and in segment.bin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegDoc {
    /// Token ids, in text order.
    #[serde(with = "crate::packed")]
    pub tokens: Vec<u32>,
    /// `(token index, end offset)` for the tokens whose text is not their term, by index.
    #[serde(with = "crate::packed")]
    pub odd_ends: Vec<(u32, u32)>,
    /// `(token index, start offset)` for the tokens, other than those with a mark, that do not
    /// start where the token before them ends, by index.
    #[serde(with = "crate::packed")]
    gaps: Vec<(u32, u32)>,
    /// Start offset of tokens 0, `MARK`, 2·`MARK`, …
    #[serde(with = "crate::packed")]
    marks: Vec<u32>,
    /// End offset of the last token (0 when there is none), where the next pushed token is
    /// expected to start.
    last_end: u32,
}

/// Every `MARK`th token's start offset is kept: finding an offset reads at most `MARK - 1`
/// terms' lengths.
pub const MARK: usize = 16;

impl SegDoc {
    /// Appends a token with id `id` and term `term`, found at `start..end` of the text.
    pub fn push(&mut self, id: u32, term: &str, start: u32, end: u32) {
        let i = self.tokens.len();
        if i.is_multiple_of(MARK) {
            self.marks.push(start);
        } else if start != self.last_end {
            self.gaps.push((i as u32, start));
        }
        if end.checked_sub(start) != Some(term.len() as u32) {
            self.odd_ends.push((i as u32, end));
        }
        self.tokens.push(id);
        self.last_end = end;
    }

    /// An empty report with room for about `tokens` tokens.
    pub fn with_capacity(tokens: usize) -> SegDoc {
        SegDoc {
            tokens: Vec::with_capacity(tokens),
            marks: Vec::with_capacity(tokens.div_ceil(MARK)),
            ..SegDoc::default()
        }
    }

    /// Releases spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.tokens.shrink_to_fit();
        self.odd_ends.shrink_to_fit();
        self.gaps.shrink_to_fit();
        self.marks.shrink_to_fit();
    }

    /// Byte offsets in the document's cleaned text where token `i` starts and ends, if there is
    /// a token `i` (and the offsets, which may come from a damaged file, do not overflow).
    pub fn span(&self, i: usize, vocab: &Vocab) -> Option<(u32, u32)> {
        if i >= self.tokens.len() {
            return None;
        }
        let first = i - i % MARK;
        let mut start = *self.marks.get(i / MARK)?;
        // The exceptions at or after `first`, then walked alongside the tokens.
        let mut gap = self.gaps.partition_point(|&(k, _)| (k as usize) <= first);
        let mut odd = self
            .odd_ends
            .partition_point(|&(k, _)| (k as usize) < first);
        let mut end_of = |j: usize, start: u32| -> Option<u32> {
            match self.odd_ends.get(odd) {
                Some(&(k, e)) if k as usize == j => {
                    odd += 1;
                    Some(e)
                }
                _ => start.checked_add(vocab.term(*self.tokens.get(j)?).len() as u32),
            }
        };
        for j in first..i {
            let end = end_of(j, start)?;
            start = match self.gaps.get(gap) {
                Some(&(k, s)) if k as usize == j + 1 => {
                    gap += 1;
                    s
                }
                _ => end,
            };
        }
        Some((start, end_of(i, start)?))
    }

    /// Byte offset in the document's cleaned text where token `i` starts, if there is a token
    /// `i`.
    pub fn start(&self, i: usize, vocab: &Vocab) -> Option<u32> {
        self.span(i, vocab).map(|(s, _)| s)
    }

    /// Byte offset in the document's cleaned text where token `i` ends, if there is a token `i`.
    pub fn end(&self, i: usize, vocab: &Vocab) -> Option<u32> {
        self.span(i, vocab).map(|(_, e)| e)
    }
}

/// The segmented corpus: `segment.bin`.
///
/// The file holds the reports without their texts (they are clean.bin's, and would double the
/// work folder): [`crate::format::Intermediate::read_file`] takes only their lengths from the
/// clean.bin beside it, and [`read_with_texts`] the texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Segmented {
    /// The cleaned reports (text and metadata), in the clean stage's order.
    pub documents: Vec<Document>,
    /// `docs[i]` is the token stream of `documents[i]`.
    pub docs: Vec<SegDoc>,
    /// The vocabulary shared by all token streams.
    pub vocab: Vocab,
    /// Input files the clean stage skipped, carried on so that the report can count them.
    pub skipped: Vec<crate::corpus::Skipped>,
    /// The number of characters of each report's text, when the segment stage let go of the
    /// texts as it cut them (then every `documents[i].text` is empty): the count needs no more
    /// of them, and the texts and the token streams are then never in memory whole together.
    /// Empty when the texts are there. Not stored: segment.bin holds no texts, and a reader
    /// takes them from the clean.bin beside it.
    #[serde(skip)]
    pub chars: Vec<u64>,
}

/// Stored as its four fields in order, each report with an empty text.
impl Serialize for Segmented {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut v = s.serialize_struct("Segmented", 4)?;
        v.serialize_field("documents", &Untexted(&self.documents))?;
        v.serialize_field("docs", &self.docs)?;
        v.serialize_field("vocab", &self.vocab)?;
        v.serialize_field("skipped", &self.skipped)?;
        v.end()
    }
}

/// A segmented corpus whose token streams wait in a scratch file instead of memory: the
/// segment stage under a memory budget cuts the reports wave by wave, each wave numbering its
/// terms on its own, and appends the wave's streams ([`SpilledSegmented::push`]); once every
/// wave is cut, the vocabulary of them all and each wave's ids → final ids are known
/// ([`SpilledSegmented::renumber`]), and [`crate::format::write`] writes segment.bin from it,
/// reading the streams back one at a time and renumbering them. It serialises exactly as the
/// [`Segmented`] of the same reports, streams (with final ids), vocabulary and skipped files.
/// The streams wait in a [`crate::format::Scratch`] file in the folder given (the work folder).
pub struct SpilledSegmented {
    file: crate::format::Scratch,
    /// The number of reports of each wave, and its ids → final ids once known.
    waves: Vec<(usize, Vec<u32>)>,
    tokens: u64,
    /// The reports, their texts empty.
    pub documents: Vec<Document>,
    /// The vocabulary of all waves, once known.
    pub vocab: Vocab,
    /// Input files the clean stage skipped.
    pub skipped: Vec<crate::corpus::Skipped>,
    /// The number of characters of each report's text.
    pub chars: Vec<u64>,
}

impl SpilledSegmented {
    /// An empty segmented corpus spilling to a scratch file in `dir`.
    pub fn new(dir: &std::path::Path) -> std::io::Result<SpilledSegmented> {
        Ok(SpilledSegmented {
            file: crate::format::Scratch::new(dir)?,
            waves: Vec::new(),
            tokens: 0,
            documents: Vec::new(),
            vocab: Vocab::default(),
            skipped: Vec::new(),
            chars: Vec::new(),
        })
    }

    /// Appends the next wave of reports (their texts let go of), with their token streams,
    /// numbered by the wave's own ids, and their texts' lengths in characters.
    pub fn push(
        &mut self,
        documents: Vec<Document>,
        docs: Vec<SegDoc>,
        chars: Vec<u64>,
    ) -> Result<(), String> {
        if docs.len() != documents.len() || chars.len() != documents.len() {
            return Err(format!(
                "a wave of {} reports has {} token streams and {} lengths",
                documents.len(),
                docs.len(),
                chars.len()
            ));
        }
        self.file.append(&docs)?;
        self.tokens += docs.iter().map(|d| d.tokens.len() as u64).sum::<u64>();
        self.waves.push((docs.len(), Vec::new()));
        self.documents.extend(documents.into_iter().map(|mut d| {
            d.text = String::new();
            d
        }));
        self.chars.extend(chars);
        Ok(())
    }

    /// Gives the vocabulary of all waves and, for each wave in the order pushed, its ids →
    /// final ids.
    pub fn renumber(&mut self, vocab: Vocab, ids: Vec<Vec<u32>>) -> Result<(), String> {
        if ids.len() != self.waves.len() {
            return Err(format!(
                "{} waves but {} renumberings",
                self.waves.len(),
                ids.len()
            ));
        }
        for (wave, ids) in self.waves.iter_mut().zip(ids) {
            wave.1 = ids;
        }
        self.vocab = vocab;
        Ok(())
    }

    /// Tokens pushed.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }
}

/// Stored as [`Segmented`] is.
impl Serialize for SpilledSegmented {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut v = s.serialize_struct("Segmented", 4)?;
        v.serialize_field("documents", &Untexted(&self.documents))?;
        v.serialize_field("docs", &Renumbered(self))?;
        v.serialize_field("vocab", &self.vocab)?;
        v.serialize_field("skipped", &self.skipped)?;
        v.end()
    }
}

/// The spilled token streams, read back and renumbered, as a sequence.
struct Renumbered<'a>(&'a SpilledSegmented);

impl Serialize for Renumbered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let scratch = |e| S::Error::custom(format!("scratch file: {e}"));
        let mut r = self.0.file.replay().map_err(scratch)?;
        let mut seq = s.serialize_seq(Some(self.0.documents.len()))?;
        for (n, ids) in &self.0.waves {
            for _ in 0..*n {
                let mut d: SegDoc = crate::format::read_scratch(&mut r).map_err(scratch)?;
                for t in &mut d.tokens {
                    *t = *ids.get(*t as usize).ok_or_else(|| {
                        S::Error::custom("a token id outside its wave's vocabulary")
                    })?;
                }
                seq.serialize_element(&d)?;
            }
        }
        seq.end()
    }
}

/// Reports as stored in segment.bin: a [`Document`]'s layout with its text empty.
struct Untexted<'a>(&'a [Document]);

impl Serialize for Untexted<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// A [`Document`]'s fields in its order.
        #[derive(Serialize)]
        struct Stored<'a> {
            id: &'a str,
            title: &'a str,
            source: &'a str,
            meta: &'a crate::corpus::Meta,
            text: &'a str,
        }
        s.collect_seq(self.0.iter().map(|d| Stored {
            id: &d.id,
            title: &d.title,
            source: &d.source,
            meta: &d.meta,
            text: "",
        }))
    }
}

/// The reports of the clean.bin beside the segment.bin at `path` (header `header`), texts and
/// all, checked to be the clean.bin segment.bin was made from. A reader then checks that they
/// are segment.bin's reports ([`same_reports`]).
pub fn clean_beside(
    path: &std::path::Path,
    header: &crate::Header,
) -> Result<Vec<Document>, crate::FormatError> {
    let clean = clean_path_beside(path, header)?;
    let (_, corpus): (crate::Header, crate::Corpus) =
        crate::format::read(&clean, crate::Stage::Clean)?;
    Ok(corpus.documents)
}

/// The segment.bin at `path` with its reports' texts, from the clean.bin beside it, checked to
/// be the clean.bin segment.bin was made from and to list the same reports. Holds the corpus
/// and its token streams together: the stages read less ([`crate::format::Intermediate`],
/// [`SegDocWaves`], [`crate::TextWaves`]); this is for tools that want all of it.
pub fn read_with_texts(
    path: &std::path::Path,
) -> Result<(crate::Header, Segmented), crate::FormatError> {
    let (h, mut seg): (crate::Header, Segmented) =
        crate::format::read(path, crate::Stage::Segment)?;
    let clean = clean_beside(path, &h)?;
    same_reports(path, &clean, &seg.documents)?;
    for (d, c) in seg.documents.iter_mut().zip(clean) {
        d.text = c.text;
    }
    Ok((h, seg))
}

/// The path of the clean.bin beside the segment.bin at `path` (header `header`), when its
/// header says it is the clean.bin segment.bin was made from; its payload is checked by
/// whoever reads it. A reader that takes its texts in waves ([`crate::TextWaves`]) uses this
/// instead of [`clean_beside`].
pub fn clean_path_beside(
    path: &std::path::Path,
    header: &crate::Header,
) -> Result<std::path::PathBuf, crate::FormatError> {
    let clean = path.with_file_name("clean.bin");
    if !clean.is_file() {
        return Err(texts_error(
            path,
            "no such file (segment.bin holds no texts; keep it beside the clean.bin it was made from)",
        ));
    }
    let h = crate::format::read_header(&clean, Some(crate::Stage::Clean))?;
    if h.checksum != header.input_fingerprint {
        // A damaged segment.bin (its header included) is said to be damaged.
        crate::format::verify(path, Some(crate::Stage::Segment))?;
        return Err(texts_error(
            path,
            "not the clean.bin segment.bin was made from; run the segment stage again",
        ));
    }
    Ok(clean)
}

/// The number of characters of each report's text, from the clean.bin beside the segment.bin
/// at `path` (header `header`) of `n` reports, read in waves so that its texts are never in
/// memory whole: all count needs of the texts.
pub fn chars_beside(
    path: &std::path::Path,
    header: &crate::Header,
    n: usize,
) -> Result<Vec<u64>, crate::FormatError> {
    let clean = clean_path_beside(path, header)?;
    let mut chars = Vec::with_capacity(n);
    let each = |wave: Vec<Vec<u8>>| chars.extend(wave.iter().map(|t| utf8_chars(t)));
    let waves = crate::TextWaves {
        bytes: 16 << 20,
        each,
    };
    let (_, found) = crate::format::read_seed(&clean, crate::Stage::Clean, waves)?;
    if found != n {
        return Err(other_reports(path));
    }
    Ok(chars)
}

/// The number of characters of UTF-8 text: its bytes that do not continue a character.
fn utf8_chars(text: &[u8]) -> u64 {
    text.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

/// The error for a clean.bin that does not hold the texts of the segment.bin at `path`.
pub fn other_reports(path: &std::path::Path) -> crate::FormatError {
    texts_error(path, "it lists other reports than segment.bin")
}

/// Checks that `clean`, from [`clean_beside`], lists the reports `documents` of the segment.bin
/// at `path`.
pub fn same_reports(
    path: &std::path::Path,
    clean: &[Document],
    documents: &[Document],
) -> Result<(), crate::FormatError> {
    if clean.len() != documents.len() || clean.iter().zip(documents).any(|(a, b)| a.id != b.id) {
        return Err(other_reports(path));
    }
    Ok(())
}

fn texts_error(path: &std::path::Path, reason: &str) -> crate::FormatError {
    crate::FormatError::Texts {
        path: path.to_path_buf(),
        clean: path.with_file_name("clean.bin"),
        reason: reason.to_string(),
    }
}

/// Reads a segmented corpus wave by wave instead of whole, with
/// [`crate::format::read_seed`]: the reports (texts and metadata) and the vocabulary are kept,
/// and the token streams are handed to `each` in waves of `size`, with their report indices,
/// as they are decoded, together with the reports; a wave is freed once `each` returns. The
/// reports come before the token streams in the file, so they are all there when the first
/// wave is. A reader that needs the token streams only once (compare's examples) then holds
/// one wave of them instead of all. `each` may also take what it needs of the wave's reports
/// (their texts, which no later wave needs), so that they are freed as the reading goes.
pub struct SegDocWaves<F> {
    /// Token streams per wave (at least 1).
    pub size: usize,
    /// Called with the reports and each wave of `(report index, token stream)`.
    pub each: F,
}

/// What [`SegDocWaves`] keeps of a segmented corpus.
#[derive(Debug)]
pub struct SegmentedHead {
    /// The reports, as in [`Segmented::documents`], less what `each` took of them.
    pub documents: Vec<Document>,
    /// The number of token streams read.
    pub n_docs: usize,
    /// The vocabulary.
    pub vocab: Vocab,
    /// Input files the clean stage skipped.
    pub skipped: Vec<crate::corpus::Skipped>,
}

impl<'de, F: FnMut(&mut [Document], Vec<(usize, SegDoc)>)> serde::de::DeserializeSeed<'de>
    for SegDocWaves<F>
{
    type Value = SegmentedHead;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<SegmentedHead, D::Error> {
        d.deserialize_struct(
            "Segmented",
            &["documents", "docs", "vocab", "skipped"],
            self,
        )
    }
}

impl<'de, F: FnMut(&mut [Document], Vec<(usize, SegDoc)>)> serde::de::Visitor<'de>
    for SegDocWaves<F>
{
    type Value = SegmentedHead;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a segmented corpus")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        mut self,
        mut seq: A,
    ) -> Result<SegmentedHead, A::Error> {
        use serde::de::Error;
        let mut documents: Vec<Document> = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(0, &"4 fields"))?;
        let n_docs = seq
            .next_element_seed(Waves {
                documents: &mut documents,
                size: self.size.max(1),
                each: &mut self.each,
            })?
            .ok_or_else(|| A::Error::invalid_length(1, &"4 fields"))?;
        let vocab: Vocab = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(2, &"4 fields"))?;
        let skipped = seq
            .next_element()?
            .ok_or_else(|| A::Error::invalid_length(3, &"4 fields"))?;
        Ok(SegmentedHead {
            documents,
            n_docs,
            vocab,
            skipped,
        })
    }
}

/// The token streams of [`SegDocWaves`], decoded one by one and handed on in waves.
struct Waves<'a, F> {
    documents: &'a mut [Document],
    size: usize,
    each: &'a mut F,
}

impl<'de, F: FnMut(&mut [Document], Vec<(usize, SegDoc)>)> serde::de::DeserializeSeed<'de>
    for Waves<'_, F>
{
    type Value = usize;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&mut [Document], Vec<(usize, SegDoc)>)> serde::de::Visitor<'de>
    for Waves<'_, F>
{
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("token streams")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut wave = Vec::with_capacity(self.size);
        let mut n = 0;
        while let Some(doc) = seq.next_element::<SegDoc>()? {
            wave.push((n, doc));
            n += 1;
            if wave.len() == self.size {
                (self.each)(
                    &mut *self.documents,
                    std::mem::replace(&mut wave, Vec::with_capacity(self.size)),
                );
            }
        }
        if !wave.is_empty() {
            (self.each)(self.documents, wave);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn characters_are_counted_from_the_bytes_as_from_the_string() {
        for text in ["", "abc", "增强“四个意识”", "GDP增长5.2%，𠀀！\n", "é"] {
            assert_eq!(
                utf8_chars(text.as_bytes()),
                text.chars().count() as u64,
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_spilled_segmented_corpus_writes_the_bytes_of_the_corpus_it_holds() {
        let terms = ["两个维护", "四个意识", "增强", "，"];
        let vocab = Vocab::with_general(
            terms.iter().map(|t| t.to_string()).collect(),
            vec![
                TokenKind::Word,
                TokenKind::Word,
                TokenKind::Word,
                TokenKind::Clause,
            ],
            vec![0, 0, 3000, 0],
        );
        // Each report as term indices into `terms`, and the waves' own vocabularies.
        let reports: [&[usize]; 4] = [&[2, 1, 3], &[1], &[], &[0, 0, 2]];
        let waves: [(&[usize], &[usize]); 2] = [(&[0, 1, 2], &[1, 2, 3]), (&[3], &[0, 2])];
        let doc = |r: &[usize], id: &dyn Fn(usize) -> u32| {
            let mut d = SegDoc::default();
            let mut at = 0;
            for &t in r {
                d.push(id(t), terms[t], at, at + terms[t].len() as u32);
                at += terms[t].len() as u32 + 1;
            }
            d
        };
        let document = |i: usize| Document {
            id: format!("r{i}"),
            title: String::new(),
            source: format!("r{i}.txt"),
            meta: crate::Meta::default(),
            text: String::new(),
        };
        let whole = Segmented {
            documents: (0..4).map(document).collect(),
            docs: reports.iter().map(|r| doc(r, &|t| t as u32)).collect(),
            vocab: vocab.clone(),
            skipped: vec![crate::Skipped {
                source: "bad.txt".into(),
                reason: "empty".into(),
            }],
            chars: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let mut spilled = SpilledSegmented::new(dir.path()).unwrap();
        let mut ids = Vec::new();
        for (members, own) in waves {
            let local = |t: usize| own.iter().position(|&o| o == t).unwrap() as u32;
            let docs = members.iter().map(|&i| doc(reports[i], &local)).collect();
            let mut documents: Vec<Document> = members.iter().map(|&i| document(i)).collect();
            documents[0].text = "已放下的文本".into();
            let chars = vec![1; members.len()];
            spilled.push(documents, docs, chars).unwrap();
            ids.push(own.iter().map(|&t| t as u32).collect());
        }
        spilled.renumber(vocab, ids).unwrap();
        spilled.skipped = whole.skipped.clone();
        assert_eq!(spilled.tokens(), 7);
        assert!(spilled.documents.iter().all(|d| d.text.is_empty()));
        let (a, b) = (dir.path().join("a.bin"), dir.path().join("b.bin"));
        crate::format::write(&a, crate::Stage::Segment, 1, 2, &whole).unwrap();
        crate::format::write(&b, crate::Stage::Segment, 1, 2, &spilled).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        // A wave whose ids go past its vocabulary is an error, not a panic or a wrong file.
        spilled
            .renumber(Vocab::default(), vec![vec![0], vec![]])
            .unwrap();
        assert!(crate::format::write(&b, crate::Stage::Segment, 1, 2, &spilled).is_err());
    }

    proptest! {
        /// Offsets found from the marks, gaps and odd ends are those pushed, for every token.
        #[test]
        fn offsets_are_those_pushed(
            steps in prop::collection::vec((0u32..4, 0u32..3, any::<bool>()), 0..80),
        ) {
            let vocab = Vocab::new(
                vec!["二".into(), "人民".into(), "意识".into(), "“".into()],
                vec![TokenKind::Number, TokenKind::Word, TokenKind::Word, TokenKind::Open],
            );
            let mut doc = SegDoc::with_capacity(4);
            let mut want = Vec::new();
            let mut at = 0u32;
            for &(id, skip, odd) in &steps {
                let start = at + skip;
                let len = vocab.term(id).len() as u32 + if odd { 5 } else { 0 };
                doc.push(id, vocab.term(id), start, start + len);
                want.push((start, start + len));
                at = start + len;
            }
            for (i, &w) in want.iter().enumerate() {
                prop_assert_eq!(doc.span(i, &vocab), Some(w));
                prop_assert_eq!((doc.start(i, &vocab), doc.end(i, &vocab)), (Some(w.0), Some(w.1)));
            }
            prop_assert_eq!(doc.span(want.len(), &vocab), None);
            let mut shrunk = doc.clone();
            shrunk.shrink_to_fit();
            prop_assert_eq!(shrunk, doc);
        }

        /// Damaged offsets (as a file could hold) give wrong or no offsets, never a panic.
        #[test]
        fn damaged_offsets_do_not_panic(
            n in 0usize..40,
            marks in prop::collection::vec(any::<u32>(), 0..4),
            gaps in prop::collection::vec((0u32..50, any::<u32>()), 0..6),
            odd_ends in prop::collection::vec((0u32..50, any::<u32>()), 0..6),
        ) {
            let vocab = Vocab::new(vec!["人民".into()], vec![TokenKind::Word]);
            let doc = SegDoc {
                tokens: (0..n as u32).map(|i| i % 3).collect(),
                odd_ends,
                gaps,
                marks,
                last_end: 0,
            };
            for i in 0..n + 2 {
                let _ = doc.span(i, &vocab);
            }
        }
    }

    #[test]
    fn a_corpus_read_in_waves_gives_every_token_stream_once_in_order() {
        let doc = |text: &str| Document {
            id: text.into(),
            title: String::new(),
            source: String::new(),
            meta: Default::default(),
            text: text.into(),
        };
        let seg = Segmented {
            documents: (0..5).map(|i| doc(&format!("d{i}"))).collect(),
            docs: (0..5u32)
                .map(|i| {
                    let mut d = SegDoc::default();
                    for k in 0..i {
                        d.push(0, "人民", 6 * k + 1, 6 * k + 7);
                    }
                    d
                })
                .collect(),
            vocab: Vocab::new(vec!["人民".into()], vec![TokenKind::Word]),
            skipped: vec![crate::corpus::Skipped {
                source: "图.txt".into(),
                reason: "binary".into(),
            }],
            chars: Vec::new(),
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("segment.bin");
        let h = crate::format::write(&p, crate::Stage::Segment, 1, 2, &seg).unwrap();
        for size in [1, 2, 5, 9] {
            let mut seen = Vec::new();
            let (h2, head) = crate::format::read_seed(
                &p,
                crate::Stage::Segment,
                SegDocWaves {
                    size,
                    each: |documents: &mut [Document], wave: Vec<(usize, SegDoc)>| {
                        assert!(wave.len() <= size);
                        assert_eq!(documents.len(), 5);
                        seen.extend(wave);
                    },
                },
            )
            .unwrap();
            assert_eq!(h2, h);
            // The file holds the reports without their texts.
            let untexted: Vec<Document> = (seg.documents.iter().cloned())
                .map(|d| Document {
                    text: String::new(),
                    ..d
                })
                .collect();
            assert_eq!(head.documents, untexted);
            assert_eq!((head.n_docs, &head.vocab), (5, &seg.vocab));
            assert_eq!(head.skipped, seg.skipped);
            let docs: Vec<SegDoc> = seen
                .into_iter()
                .enumerate()
                .map(|(k, (i, d))| {
                    assert_eq!(k, i);
                    d
                })
                .collect();
            assert_eq!(docs, seg.docs);
        }
    }

    #[test]
    fn segment_bin_takes_its_texts_from_the_clean_bin_it_was_made_from() {
        use crate::format::{write, Intermediate};
        use crate::{Corpus, FormatError, Stage};
        let doc = |id: &str, text: &str| Document {
            id: id.into(),
            title: format!("{id} title"),
            source: format!("{id}.txt"),
            meta: Default::default(),
            text: text.into(),
        };
        let corpus = Corpus {
            documents: vec![doc("a", "人民至上"), doc("b", "自我革命")],
            ..Corpus::default()
        };
        let seg = Segmented {
            documents: corpus.documents.clone(),
            docs: vec![SegDoc::default(), SegDoc::default()],
            ..Segmented::default()
        };
        let dir = tempfile::tempdir().unwrap();
        let (clean, p) = (dir.path().join("clean.bin"), dir.path().join("segment.bin"));
        let reason = |e: FormatError| match e {
            FormatError::Texts { reason, .. } => reason,
            e => panic!("{e}"),
        };

        // No clean.bin beside it.
        let hc = write(&clean, Stage::Clean, 0, 0, &corpus).unwrap();
        write(&p, Stage::Segment, hc.checksum, 0, &seg).unwrap();
        std::fs::rename(&clean, dir.path().join("elsewhere.bin")).unwrap();
        let e = Segmented::read_file(&p, Stage::Segment).unwrap_err();
        assert!(e.to_string().contains("clean.bin"), "{e}");
        assert!(reason(e).starts_with("no such file"));
        std::fs::rename(dir.path().join("elsewhere.bin"), &clean).unwrap();

        // Beside the clean.bin it was made from, it reads back whole, texts and all, or, as
        // the count stage reads it, with the texts' lengths in characters in their place.
        let (_, back) = read_with_texts(&p).unwrap();
        assert_eq!(back, seg);
        let (_, counted) = Segmented::read_file(&p, Stage::Segment).unwrap();
        assert_eq!(counted.chars, [4, 4]);
        assert!(counted.documents.iter().all(|d| d.text.is_empty()));
        assert_eq!(
            (counted.docs, counted.vocab),
            (seg.docs.clone(), seg.vocab.clone())
        );

        // Another clean.bin than the one it was made from.
        let mut other = corpus.clone();
        other.documents[1].text = "自我革新".into();
        write(&clean, Stage::Clean, 0, 0, &other).unwrap();
        let e = Segmented::read_file(&p, Stage::Segment).unwrap_err();
        assert!(reason(e).contains("run the segment stage again"));

        // The one it was made from (by checksum) but listing other reports is refused too:
        // other ids when the texts are read, another number of reports either way.
        let mut renamed = seg.clone();
        renamed.documents[0].id = "z".into();
        let hc = write(&clean, Stage::Clean, 0, 0, &corpus).unwrap();
        write(&p, Stage::Segment, hc.checksum, 0, &renamed).unwrap();
        let e = read_with_texts(&p).unwrap_err();
        assert!(reason(e).contains("other reports"));
        let mut fewer = corpus.clone();
        fewer.documents.pop();
        let hc = write(&clean, Stage::Clean, 0, 0, &fewer).unwrap();
        write(&p, Stage::Segment, hc.checksum, 0, &seg).unwrap();
        for e in [
            read_with_texts(&p).unwrap_err(),
            Segmented::read_file(&p, Stage::Segment).unwrap_err(),
        ] {
            assert!(reason(e).contains("other reports"));
        }
    }

    #[test]
    fn word_classes_of_jieba_tags() {
        for (tag, class) in [
            ("n", WordClass::Nominal),
            ("nr", WordClass::Nominal),
            ("ns", WordClass::Nominal),
            ("r", WordClass::Nominal),
            ("m", WordClass::Nominal),
            ("b", WordClass::Nominal),
            ("v", WordClass::Verbal),
            ("vn", WordClass::Verbal),
            ("a", WordClass::Other),
            ("d", WordClass::Other),
            ("i", WordClass::Other),
            ("x", WordClass::Unknown),
            ("", WordClass::Unknown),
        ] {
            assert_eq!(WordClass::of_tag(tag), class, "{tag:?}");
        }
        let v = Vocab::new(vec!["坚持".into()], vec![TokenKind::Word]);
        assert_eq!(v.class(0), WordClass::Unknown);
        let v = v.with_classes(vec![WordClass::Verbal]);
        assert_eq!(
            (v.class(0), v.class(7)),
            (WordClass::Verbal, WordClass::Unknown)
        );
    }

    #[test]
    fn reading_a_vocab_rebuilds_its_map_instead_of_trusting_the_stored_one() {
        let good = Vocab::with_general(
            vec!["人民".into(), "中心".into()],
            vec![TokenKind::Word, TokenKind::Word],
            vec![9000, 0],
        )
        .with_classes(vec![WordClass::Nominal, WordClass::Unknown]);
        /// A vocabulary's stored layout with any map bytes.
        #[derive(Serialize)]
        struct Stored<'a> {
            terms: &'a [String],
            kinds: &'a [TokenKind],
            #[serde(with = "crate::packed::bytes")]
            fst: Vec<u8>,
            #[serde(with = "crate::packed")]
            general: Vec<u32>,
            classes: &'a [WordClass],
        }
        let stored = |fst: Vec<u8>| Stored {
            terms: &good.terms,
            kinds: &good.kinds,
            fst,
            general: good.general.clone(),
            classes: &good.classes,
        };
        let written = crate::format::encode(crate::Stage::Segment, 0, 0, &good).unwrap();
        let as_stored = crate::format::encode(
            crate::Stage::Segment,
            0,
            0,
            &stored(good.map_bytes().to_vec()),
        )
        .unwrap();
        assert_eq!(written, as_stored);
        // Stored map bytes that pass no check: look-ups in them would panic.
        for fst in [good.map_bytes().to_vec(), vec![0xFF; 40]] {
            let bytes = crate::format::encode(crate::Stage::Segment, 0, 0, &stored(fst)).unwrap();
            let (_, payload) =
                crate::format::check(std::path::Path::new("v.bin"), &bytes, None).unwrap();
            let read: Vocab =
                crate::format::decode_payload(std::path::Path::new("v.bin"), payload).unwrap();
            assert_eq!(read, good);
            assert_eq!(
                (read.id("人民"), read.id("中心"), read.id("改革")),
                (Some(0), Some(1), None)
            );
        }
    }
}
