//! The segmenter: jieba-rs with the bundled and user dictionaries, built once, and the pass that
//! turns jieba's words into tifa's tokens.
//!
//! jieba cuts runs of ideographs and ASCII letters and digits with its dictionary and emits
//! every other character on its own. On top of that, this module drops whitespace, gives each
//! token a [`TokenKind`] (so `、`, quotes and clause and sentence marks keep their meaning
//! downstream), joins what jieba leaves in pieces but a reader sees as one mark or number (the
//! dash `——`, the ellipsis `……`, the decimal `3.5`, full-width digit runs), and optionally maps
//! numbers to one class. A token's kind depends on its text alone, so every term has exactly
//! one kind in the vocabulary.

use std::fmt;
use std::path::Path;

use jieba_rs::Jieba;
use tifa_core::text::{is_cn_digit, is_cn_year};
use tifa_core::{TokenKind, WordClass};

use crate::config::Config;
use crate::dict::{self, POLITICAL_DICTIONARY};
use crate::{prebuilt, Error, NUMBER_CLASS};

/// Bumped whenever the rules turning jieba's words into tokens change, so the fingerprint (and
/// with it every downstream intermediate) goes stale.
const RULES_VERSION: &str = "tifa-segment rules 3; jieba-rs 0.11.0";

/// Texts are handed to jieba in pieces of about this many bytes, ending at a line break, so the
/// word list jieba returns for one call stays small whatever the size of a report. Pieces never
/// change the cut: jieba splits at every line break anyway.
const PIECE_BYTES: usize = 64 * 1024;

/// Texts up to this many bytes get a segmenter with only the dictionary words they use
/// ([`Segmenter::for_texts`]). Finding the words takes time in proportion to the text, loading
/// the whole dictionary a fixed time; beyond this size the whole dictionary was as fast or faster
/// (docs/performance-notes.md).
pub const RESTRICTED_MAX_BYTES: usize = 5 << 20;

/// One token of a text: the term it is interned as, its kind and its byte span in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'t> {
    /// The term: the text of the span, or [`NUMBER_CLASS`] for a number when the config maps
    /// numbers to one class.
    pub term: &'t str,
    /// What the token is.
    pub kind: TokenKind,
    /// Byte offset where the token starts.
    pub start: usize,
    /// Byte offset where the token ends.
    pub end: usize,
}

/// jieba-rs loaded with the dictionaries of a [`Config`]. Build it once: loading jieba's own
/// dictionary takes a noticeable fraction of a second. It is `Sync`, so one `&Segmenter` serves
/// every rayon worker.
pub struct Segmenter {
    jieba: Jieba,
    /// Words the bundled or a user dictionary added or changed, with their frequency in jieba's
    /// own dictionary before (0: not a word of it).
    added: rustc_hash::FxHashMap<String, u32>,
    hmm: bool,
    number_class: bool,
    fingerprint: u64,
}

impl fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segmenter")
            .field("hmm", &self.hmm)
            .field("number_class", &self.number_class)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

/// The fingerprint a [`Segmenter`] built from `config` (with dictionaries read relative to
/// `config_dir`) would have, without loading jieba's dictionary: `tifa run` tells from it
/// whether segment.bin is up to date before deciding to load it.
pub fn fingerprint(config: &Config, config_dir: &Path) -> Result<u64, Error> {
    Ok(fingerprint_of(
        config,
        &read_user_dictionaries(config, config_dir)?,
    ))
}

/// The user dictionaries of `config`, as (path, text).
fn read_user_dictionaries(
    config: &Config,
    config_dir: &Path,
) -> Result<Vec<(std::path::PathBuf, String)>, Error> {
    config
        .user_dictionaries
        .iter()
        .map(|path| dict::read(config_dir, path))
        .collect()
}

/// A hash of the segmentation rules, the config and the dictionaries' contents.
fn fingerprint_of(config: &Config, user: &[(std::path::PathBuf, String)]) -> u64 {
    let mut parts: Vec<u8> = Vec::new();
    parts.extend_from_slice(RULES_VERSION.as_bytes());
    parts.extend_from_slice(&tifa_core::fingerprint_value(config).to_le_bytes());
    if config.political_dictionary {
        parts.extend_from_slice(
            &tifa_core::fingerprint(POLITICAL_DICTIONARY.as_bytes()).to_le_bytes(),
        );
    }
    for (_, text) in user {
        parts.extend_from_slice(&tifa_core::fingerprint(text.as_bytes()).to_le_bytes());
    }
    tifa_core::fingerprint(&parts)
}

impl Segmenter {
    /// Builds jieba with its own dictionary, then the bundled political dictionary (when the
    /// config asks for it), then the user dictionaries, read relative to `config_dir`.
    ///
    /// Bundled entries keep at least the frequency jieba needs to leave them whole on their own
    /// (and never lower a frequency jieba already has); user entries are taken as written, as
    /// jieba does, an entry without a frequency getting that lowest whole-keeping one.
    pub fn new(config: &Config, config_dir: &Path) -> Result<Segmenter, Error> {
        let user = read_user_dictionaries(config, config_dir)?;
        let mut jieba = Jieba::new();
        let mut added = rustc_hash::FxHashMap::default();
        if config.political_dictionary {
            dict::add_bundled(&mut jieba, |e, general, _| {
                added.entry(e.word.to_string()).or_insert(general);
            })?;
        }
        Segmenter::with_user_dictionaries(config, jieba, added, user)
    }

    /// A segmenter for `texts`: it cuts them, and every text made of their substrings, exactly
    /// as [`Segmenter::new`] would, and [`Segmenter::general`] gives the same frequency for every
    /// substring of them. Up to [`RESTRICTED_MAX_BYTES`] of text it starts in milliseconds: jieba
    /// gets only the words of the prebuilt dictionary (`prebuilt.rs`) that occur in the texts or
    /// in the user dictionaries. Beyond, finding them would cost about as much as loading the
    /// whole dictionary, which it then does.
    pub fn for_texts(
        config: &Config,
        config_dir: &Path,
        texts: &[&str],
    ) -> Result<Segmenter, Error> {
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        if bytes > RESTRICTED_MAX_BYTES {
            return Segmenter::new(config, config_dir);
        }
        Segmenter::restricted(config, config_dir, texts)
    }

    /// [`Segmenter::for_texts`] with the restricted dictionary whatever the texts' size.
    pub(crate) fn restricted(
        config: &Config,
        config_dir: &Path,
        texts: &[&str],
    ) -> Result<Segmenter, Error> {
        let user = read_user_dictionaries(config, config_dir)?;
        // The user entries' words are looked up too: adding one asks jieba for the word's
        // frequency and for its best cut, which need the dictionary words inside it.
        let mut all: Vec<&str> = texts.to_vec();
        for (full, text) in &user {
            all.extend(dict::parse(text, full)?.iter().map(|e| e.word));
        }
        let found = prebuilt::find(&all);
        let jieba = prebuilt::restricted(&found, config.political_dictionary);
        let mut added = rustc_hash::FxHashMap::default();
        if config.political_dictionary {
            for (word, general) in prebuilt::bundled_general()? {
                added.entry(word.to_string()).or_insert(general);
            }
        }
        Segmenter::with_user_dictionaries(config, jieba, added, user)
    }

    /// Adds the user dictionaries to `jieba`, whose words the bundled dictionary added or changed
    /// are `added`.
    fn with_user_dictionaries(
        config: &Config,
        mut jieba: Jieba,
        mut added: rustc_hash::FxHashMap<String, u32>,
        user: Vec<(std::path::PathBuf, String)>,
    ) -> Result<Segmenter, Error> {
        for (full, text) in &user {
            for e in dict::parse(text, full)? {
                added
                    .entry(e.word.to_string())
                    .or_insert_with(|| dict::general_frequency(&jieba, e.word));
                jieba.add_word(e.word, e.freq, e.tag);
            }
        }
        Ok(Segmenter {
            jieba,
            added,
            hmm: config.hmm,
            number_class: config.number_class,
            fingerprint: fingerprint_of(config, &user),
        })
    }

    /// The frequency of `term` in jieba's own dictionary, a frequency list of general Chinese; 0
    /// when it is not a word of it (see [`tifa_core::Vocab::general`]).
    pub fn general(&self, term: &str) -> u32 {
        match self.added.get(term) {
            Some(&f) => f,
            None => dict::general_frequency(&self.jieba, term),
        }
    }

    /// The class of `term` by the tag the dictionary gives it ([`WordClass`]): unknown when the
    /// dictionary does not hold it as one word, or holds it without a tag.
    pub fn class(&self, term: &str) -> WordClass {
        match self.jieba.tag(term, false).as_slice() {
            [t] if t.word == term => WordClass::of_tag(t.tag),
            _ => WordClass::Unknown,
        }
    }

    /// A hash of the config, the dictionaries' contents and the segmentation rules: equal
    /// fingerprints cut every text the same way.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The tokens of `text` as `(term, kind)`, whitespace dropped; what `tifa cut` shows.
    pub fn cut(&self, text: &str) -> Vec<(String, TokenKind)> {
        self.tokens(text)
            .into_iter()
            .map(|t| (t.term.to_string(), t.kind))
            .collect()
    }

    /// The tokens of `text` with their byte spans, whitespace dropped.
    pub fn tokens<'t>(&self, text: &'t str) -> Vec<Token<'t>> {
        let mut out = Vec::new();
        let mut spans = Vec::new();
        self.each_token(text, &mut spans, |term, kind, start, end| {
            out.push(Token {
                term,
                kind,
                start,
                end,
            })
        });
        out
    }

    /// Calls `emit(term, kind, start, end)` for every token of `text` in order. `spans` is
    /// scratch space, passed in so that a worker reuses one buffer for all its texts.
    pub(crate) fn each_token<'t>(
        &self,
        text: &'t str,
        spans: &mut Vec<Span>,
        mut emit: impl FnMut(&'t str, TokenKind, usize, usize),
    ) {
        let mut from = 0;
        while from < text.len() {
            let to = piece_end(text, from);
            let piece = &text[from..to];
            spans.clear();
            for w in self.jieba.cut(piece, self.hmm) {
                let split = self.hmm && hmm_joined(w.word) && !self.jieba.has_word(w.word);
                push_word(spans, from + w.byte_start, w.word, split);
            }
            join_years(text, spans);
            for s in spans.iter() {
                let kind = s.class.kind(&text[s.start..s.end]);
                let term = if kind == TokenKind::Number && self.number_class {
                    NUMBER_CLASS
                } else {
                    &text[s.start..s.end]
                };
                emit(term, kind, s.start, s.end);
            }
            from = to;
        }
    }
}

/// End of the piece starting at `from`: just after the first line break at least
/// [`PIECE_BYTES`] further on, or the end of the text.
fn piece_end(text: &str, from: usize) -> usize {
    let bytes = text.as_bytes();
    let probe = from + PIECE_BYTES;
    if probe >= bytes.len() {
        return bytes.len();
    }
    match bytes[probe..].iter().position(|&b| b == b'\n') {
        Some(i) => probe + i + 1,
        None => bytes.len(),
    }
}

/// A token span before its term is chosen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    start: usize,
    end: usize,
    class: Class,
}

/// What a word from jieba is, finer than [`TokenKind`] where pieces still need joining.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Kind(TokenKind),
    /// Whitespace other than a line break: dropped.
    Space,
    /// A dash character; a run of two or more is a clause mark (`——`), one alone a symbol.
    Dash,
    /// An ellipsis character; runs are joined into one clause mark (`……`).
    Ellipsis,
    /// A full stop `.`: a decimal point between digits, else a symbol.
    Dot,
}

impl Class {
    fn kind(self, term: &str) -> TokenKind {
        match self {
            Class::Kind(k) => k,
            Class::Dash if term.chars().nth(1).is_some() => TokenKind::Clause,
            Class::Ellipsis => TokenKind::Clause,
            Class::Dash | Class::Dot | Class::Space => TokenKind::Symbol,
        }
    }
}

/// Classifies one word as jieba emits it.
fn classify(word: &str) -> Class {
    let mut chars = word.chars();
    let Some(c) = chars.next() else {
        return Class::Space;
    };
    if chars.as_str().is_empty() {
        return classify_char(c);
    }
    // Words of several characters come from jieba's dictionary blocks (ideographs, ASCII
    // letters and digits, `+#&._%-`), except `\r\n`, which jieba keeps together. Nearly all
    // start with an ideograph: decide those without a Unicode table lookup.
    if tifa_core::text::is_han(c) {
        Class::Kind(TokenKind::Word)
    } else if word.bytes().all(|b| b.is_ascii_digit()) {
        Class::Kind(TokenKind::Number)
    } else if word == "\r\n" {
        Class::Kind(TokenKind::Sentence)
    } else if word.chars().any(char::is_alphanumeric) {
        Class::Kind(TokenKind::Word)
    } else {
        Class::Kind(TokenKind::Symbol)
    }
}

fn classify_char(c: char) -> Class {
    use TokenKind::*;
    if tifa_core::text::is_han(c) {
        return Class::Kind(Word);
    }
    let kind = match c {
        '、' => Enum,
        '“' | '‘' | '《' | '〈' | '（' | '(' | '「' | '『' | '【' | '〔' | '〖' | '[' | '［'
        | '{' | '｛' => Open,
        '”' | '’' | '》' | '〉' | '）' | ')' | '」' | '』' | '】' | '〕' | '〗' | ']' | '］'
        | '}' | '｝' => Close,
        '，' | ',' | '：' | ':' | '﹐' | '﹕' => Clause,
        '。' | '！' | '？' | '；' | '!' | '?' | ';' | '｡' | '\n' => Sentence,
        '—' | '―' | '─' => return Class::Dash,
        '…' | '⋯' => return Class::Ellipsis,
        '.' => return Class::Dot,
        c if c.is_whitespace() => return Class::Space,
        '0'..='9' | '０'..='９' => Number,
        c if c.is_alphanumeric() => Word,
        _ => Symbol,
    };
    Class::Kind(kind)
}

/// True for a word of jieba's HMM pass that the cut without it gives in pieces: ASCII of more
/// than one character holding `.` or `%` (`3.5%`, `12.8`, `PM2.5`, `...`), which the HMM pass
/// keeps whole where no dictionary word covers it.
fn hmm_joined(word: &str) -> bool {
    word.len() > 1 && word.is_ascii() && word.bytes().any(|b| b == b'.' || b == b'%')
}

/// Appends the span of one word as jieba emits it at byte `start`; a word to `split`
/// ([`hmm_joined`], not a dictionary word) is taken apart into its runs of ASCII letters and
/// digits and its other characters one by one, and joined again as the cut without HMM joins
/// them, so that `3.5` is a number either way and `%` a symbol of its own.
fn push_word(spans: &mut Vec<Span>, start: usize, word: &str, split: bool) {
    if !split {
        let end = start + word.len();
        push_span(
            spans,
            Span {
                start,
                end,
                class: classify(word),
            },
        );
        return;
    }
    let bytes = word.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count()
            .max(1);
        let piece = &word[i..i + run];
        let class = match run {
            1 => classify_char(bytes[i] as char),
            _ => classify(piece),
        };
        push_span(
            spans,
            Span {
                start: start + i,
                end: start + i + run,
                class,
            },
        );
        i += run;
    }
}

/// Joins the words of a year written in Chinese numerals, four digits and 年, that jieba left in
/// pieces (一/八五/四年, 二/〇/〇/五年) into one word, as its dictionary holds other years
/// (一九五七年). In pieces they made numbered formulations of years: 八五 (the Eighth Five-Year
/// Plan) inside 一八五四年.
fn join_years(text: &str, spans: &mut Vec<Span>) {
    // Found first, so that the spans of the many pieces without one are not touched; joined
    // from the last, so that the indices of those before stay good.
    let years: Vec<(usize, usize)> = (1..spans.len())
        .filter_map(|k| year_ending_at(text, spans, k).map(|i| (i, k)))
        .collect();
    for (i, k) in years.into_iter().rev() {
        spans[i].end = spans[k].end;
        spans.drain(i + 1..=k);
    }
}

/// The index of the first of two or more touching words that end with `spans[k]` and together
/// are a year in Chinese numerals ([`tifa_core::text::is_cn_year`]), with no numeral just before.
fn year_ending_at(text: &str, spans: &[Span], k: usize) -> Option<usize> {
    const WORD: Class = Class::Kind(TokenKind::Word);
    let end = spans[k].end;
    // Nearly every word fails here, on its last three bytes.
    if end < 15 || !text.as_bytes()[..end].ends_with("年".as_bytes()) {
        return None;
    }
    let start = end - 15;
    let mut i = k;
    loop {
        let s = spans[i];
        if s.class != WORD || s.start < start {
            return None;
        }
        if s.start == start {
            break;
        }
        if i == 0 || spans[i - 1].end != s.start {
            return None;
        }
        i -= 1;
    }
    let year = i < k
        && is_cn_year(&text[start..end])
        && !text[..start].chars().next_back().is_some_and(is_cn_digit);
    year.then_some(i)
}

/// Appends a span, joining it with the spans before it where jieba split one mark or number:
/// dash and ellipsis runs, full-width digit runs, and `digits . digits`. Whitespace is dropped
/// here; since joins need touching spans, a space also keeps its neighbours apart.
fn push_span(spans: &mut Vec<Span>, s: Span) {
    const NUMBER: Class = Class::Kind(TokenKind::Number);
    match s.class {
        Class::Space => return,
        Class::Dash | Class::Ellipsis | NUMBER => {
            if let Some(last) = spans.last_mut() {
                if last.class == s.class && last.end == s.start {
                    last.end = s.end;
                    return;
                }
            }
            if s.class == NUMBER {
                if let [.., num, dot] = spans.as_slice() {
                    if num.class == NUMBER
                        && dot.class == Class::Dot
                        && num.end == dot.start
                        && dot.end == s.start
                    {
                        spans.pop();
                        if let Some(num) = spans.last_mut() {
                            num.end = s.end;
                        }
                        return;
                    }
                }
            }
        }
        _ => {}
    }
    spans.push(s);
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::OnceLock;

    mod exact;

    use super::*;
    use TokenKind::*;

    /// The default segmenter, built once for all tests.
    pub(crate) fn default_segmenter() -> &'static Segmenter {
        static S: OnceLock<Segmenter> = OnceLock::new();
        S.get_or_init(|| Segmenter::new(&Config::default(), Path::new(".")).unwrap())
    }

    fn plain_segmenter() -> &'static Segmenter {
        static S: OnceLock<Segmenter> = OnceLock::new();
        S.get_or_init(|| {
            let config = Config {
                political_dictionary: false,
                ..Config::default()
            };
            Segmenter::new(&config, Path::new(".")).unwrap()
        })
    }

    /// The cut as `term/Kind` separated by spaces, for compact expectations.
    fn show(s: &Segmenter, text: &str) -> String {
        s.cut(text)
            .iter()
            .map(|(t, k)| format!("{t}/{k:?}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn words(s: &Segmenter, text: &str) -> Vec<String> {
        s.cut(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn bundled_dictionary_keeps_formulations_whole() {
        let cases = [
            ("增强四个意识", vec!["增强", "四个意识"]),
            ("做到两个维护", vec!["做到", "两个维护"]),
            ("发展全过程人民民主", vec!["发展", "全过程人民民主"]),
            ("监督一府一委两院工作", vec!["监督", "一府一委两院", "工作"]),
            ("坚定四个自信", vec!["坚定", "四个自信"]),
            ("深刻领悟两个确立", vec!["深刻", "领悟", "两个确立"]),
            ("推动高质量发展", vec!["推动", "高质量发展"]),
            ("坚持以人民为中心", vec!["坚持", "以人民为中心"]),
            ("十四五规划", vec!["十四五", "规划"]),
            ("打赢脱贫攻坚战", vec!["打赢", "脱贫攻坚战"]),
            // Long formulations stay sequences of countable units.
            ("推进新时代人大工作", vec!["推进", "新时代", "人大工作"]),
            (
                "以习近平同志为核心的党中央",
                vec!["以", "习近平", "同志", "为", "核心", "的", "党中央"],
            ),
        ];
        for (text, expect) in cases {
            assert_eq!(words(default_segmenter(), text), expect, "{text}");
        }
    }

    #[test]
    fn words_have_the_class_of_their_dictionary_tag() {
        for s in [default_segmenter(), plain_segmenter()] {
            for (word, class) in [
                ("坚持", WordClass::Verbal),
                ("推进", WordClass::Verbal),
                ("人民", WordClass::Nominal),
                ("群众", WordClass::Nominal),
                ("国家", WordClass::Nominal),
                ("中国", WordClass::Nominal),
                ("我国", WordClass::Nominal),
                ("坚决", WordClass::Other),
                // Not one word of the dictionary.
                ("坚持人民", WordClass::Unknown),
                ("", WordClass::Unknown),
            ] {
                assert_eq!(s.class(word), class, "{word}");
            }
        }
    }

    #[test]
    fn without_the_dictionary_jieba_cuts_formulations_into_pieces() {
        let cases = [
            ("增强四个意识", vec!["增强", "四个", "意识"]),
            ("做到两个维护", vec!["做到", "两个", "维护"]),
            ("发展全过程人民民主", vec!["发展", "全过程", "人民", "民主"]),
            ("一府一委两院", vec!["一", "府", "一", "委", "两院"]),
        ];
        for (text, expect) in cases {
            assert_eq!(words(plain_segmenter(), text), expect, "{text}");
        }
    }

    #[test]
    fn punctuation_is_kept_with_its_kind_and_whitespace_dropped() {
        let got = show(
            default_segmenter(),
            "增强“四个意识”、《宪法》（修正）， 依法：\u{3000}好——是……对。\n行！否？然；",
        );
        let expect = "增强/Word “/Open 四个意识/Word ”/Close 、/Enum 《/Open 宪法/Word 》/Close \
                      （/Open 修正/Word ）/Close ，/Clause 依法/Word ：/Clause 好/Word ——/Clause \
                      是/Word ……/Clause 对/Word 。/Sentence \n/Sentence 行/Word ！/Sentence \
                      否/Word ？/Sentence 然/Word ；/Sentence";
        assert_eq!(got, expect);
    }

    #[test]
    fn numbers_are_joined_and_optionally_mapped_to_one_class() {
        let text = "增长3.5%，共1—3月，２０２５年";
        assert_eq!(
            show(default_segmenter(), text),
            "增长/Word 3.5/Number %/Symbol ，/Clause 共/Word 1/Number —/Symbol 3/Number \
             月/Word ，/Clause ２０２５/Number 年/Word"
        );
        let config = Config {
            number_class: true,
            political_dictionary: false,
            ..Config::default()
        };
        let s = Segmenter::new(&config, Path::new(".")).unwrap();
        let tokens = s.tokens(text);
        let nums: Vec<(&str, &str)> = tokens
            .iter()
            .filter(|t| t.kind == Number)
            .map(|t| (t.term, &text[t.start..t.end]))
            .collect();
        assert_eq!(
            nums,
            vec![
                (NUMBER_CLASS, "3.5"),
                (NUMBER_CLASS, "1"),
                (NUMBER_CLASS, "3"),
                (NUMBER_CLASS, "２０２５")
            ]
        );
    }

    #[test]
    fn years_in_chinese_numerals_are_one_word() {
        // jieba leaves these in pieces (一/八五/四年, 二/〇/〇/五年), with or without the bundled
        // dictionary; 八五 alone is the Eighth Five-Year Plan.
        for s in [default_segmenter(), plain_segmenter()] {
            assert_eq!(
                words(s, "英国早在一八五四年就，二〇〇五年和二零零八年"),
                [
                    "英国",
                    "早",
                    "在",
                    "一八五四年",
                    "就",
                    "，",
                    "二〇〇五年",
                    "和",
                    "二零零八年"
                ]
            );
            // Not a year: no 年, five numerals, or a numeral just before.
            for text in ["一八五四", "一二八五四年", "十八五四年"] {
                assert!(
                    !words(s, text)
                        .iter()
                        .any(|w| w.ends_with('年') && w.chars().count() == 5),
                    "{text}: {:?}",
                    words(s, text)
                );
            }
        }
    }

    #[test]
    fn with_hmm_numbers_are_cut_and_mapped_as_without_it() {
        let text = "增长3.5%，达到12.8万亿元，下降0.5个百分点，C++和5G，PM2.5，N8.2%，30%...，1.%2";
        for number_class in [false, true] {
            let cut = |hmm: bool| {
                let config = Config {
                    hmm,
                    number_class,
                    ..Config::default()
                };
                show(&Segmenter::new(&config, Path::new(".")).unwrap(), text)
            };
            let plain = cut(false);
            assert_eq!(cut(true), plain, "number_class = {number_class}");
            if number_class {
                for n in ["3.5", "12.8", "0.5", "8.2"] {
                    assert!(!plain.contains(n), "{n}: {plain}");
                }
            } else {
                assert!(plain.contains("3.5/Number %/Symbol"), "{plain}");
                assert!(plain.contains("12.8/Number"), "{plain}");
            }
        }
    }

    #[test]
    fn token_spans_round_trip_and_cover_all_but_whitespace() {
        let text = "一、坚持党的领导\r\n  （一）发展全过程人民民主，GDP增长5.2%。\n\n“两个确立”";
        let tokens = default_segmenter().tokens(text);
        let mut covered = 0;
        for t in &tokens {
            assert_eq!(&text[t.start..t.end], t.term);
            covered += t.end - t.start;
        }
        let spaces: usize = text
            .chars()
            .filter(|c| c.is_whitespace() && *c != '\n')
            .map(char::len_utf8)
            .sum();
        // `\r\n` is one token, so its `\r` is covered too.
        assert_eq!(covered + spaces, text.len() + '\r'.len_utf8());
        assert!(tokens.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn long_texts_are_cut_in_pieces_like_one_text() {
        let line = "全国人大常委会听取和审议一府一委两院专项工作报告，推动高质量发展。\n";
        let text = line.repeat(PIECE_BYTES / line.len() * 3);
        let s = default_segmenter();
        let tokens = s.tokens(&text);
        let per_line = s.tokens(line).len();
        assert_eq!(tokens.len(), per_line * (PIECE_BYTES / line.len() * 3));
        for (i, t) in tokens.iter().enumerate() {
            let first = s.tokens(line)[i % per_line];
            assert_eq!((t.term, t.kind), (first.term, first.kind));
        }
    }

    #[test]
    fn user_dictionaries_are_read_relative_to_the_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("dict")).unwrap();
        std::fs::write(dir.path().join("dict/mine.txt"), "# mine\n有件必备\n").unwrap();
        let config = Config {
            user_dictionaries: vec!["dict/mine.txt".into()],
            ..Config::default()
        };
        let s = Segmenter::new(&config, dir.path()).unwrap();
        assert_eq!(words(&s, "有件必备"), vec!["有件必备"]);
        assert_ne!(s.fingerprint(), default_segmenter().fingerprint());

        // Same config, other dictionary contents: another fingerprint.
        std::fs::write(dir.path().join("dict/mine.txt"), "有备必审\n").unwrap();
        let again = Segmenter::new(&config, dir.path()).unwrap();
        assert_ne!(again.fingerprint(), s.fingerprint());
        // Known without loading jieba, as `tifa run` asks before loading it.
        assert_eq!(
            fingerprint(&config, dir.path()).unwrap(),
            again.fingerprint()
        );
    }

    #[test]
    fn missing_or_bad_user_dictionary_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            user_dictionaries: vec!["nope.txt".into()],
            ..Config::default()
        };
        let e = Segmenter::new(&config, dir.path()).unwrap_err();
        assert!(matches!(e, Error::ReadDictionary { .. }), "{e}");
        assert!(e.to_string().contains("nope.txt"), "{e}");

        std::fs::write(dir.path().join("nope.txt"), "两个维护 lots\n").unwrap();
        let e = Segmenter::new(&config, dir.path()).unwrap_err();
        assert!(
            e.to_string().contains("nope.txt, line 1: frequency `lots`"),
            "{e}"
        );
    }

    #[test]
    fn fingerprint_follows_the_config_and_is_stable() {
        let a = default_segmenter().fingerprint();
        let b = Segmenter::new(&Config::default(), Path::new("."))
            .unwrap()
            .fingerprint();
        assert_eq!(a, b);
        assert_ne!(a, plain_segmenter().fingerprint());
        // Known without loading jieba, as `tifa run` asks before loading it.
        assert_eq!(fingerprint(&Config::default(), Path::new(".")).unwrap(), a);
        let plain = Config {
            political_dictionary: false,
            ..Config::default()
        };
        assert_eq!(
            fingerprint(&plain, Path::new(".")).unwrap(),
            plain_segmenter().fingerprint()
        );
    }
}
