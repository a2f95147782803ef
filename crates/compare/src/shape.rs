//! The shape of a candidate phrase: is it a well-formed unit at all, before any statistics?
//!
//! A slogan starts and ends with a word, never with a particle or function word (的, 了, 和,
//! 在 …), punctuation or the enumeration comma 、. Inside it may hold 、 between items, each item
//! itself free of function words at its edges. Everything else (quotes, brackets, symbols, clause
//! marks) ends a phrase. The word lists live in the config; here they become per-token flags so
//! that the check costs one lookup per edge.

use rustc_hash::FxHashSet;
use tifa_core::text::is_cn_digit;
use tifa_core::{TokenKind, Vocab};

use crate::Config;

/// Per-token facts the shape check needs, computed once from the vocabulary.
#[derive(Debug, Clone)]
pub struct Lexicon {
    kinds: Vec<TokenKind>,
    /// Bit 0: may not start a phrase or item; bit 1: may not end one.
    flags: Vec<u8>,
    /// Characters of each term, to measure the items of an enumeration.
    chars: Vec<u32>,
    allow_digits: bool,
    min_item_chars: usize,
}

const NO_START: u8 = 1;
const NO_END: u8 = 2;
/// A symbol that may end a phrase right after a word (人工智能+).
const TAIL: u8 = 4;

/// Why a phrase was not a candidate; used to count rejections for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// Starts or ends with punctuation, or holds punctuation other than 、.
    Punctuation,
    /// Holds a digit token while digits are not allowed.
    Digits,
    /// Starts or ends (or has an item that starts or ends) with a function word.
    FunctionWord,
    /// Two 、 in a row, or 、 at an edge.
    BrokenEnumeration,
    /// An item of an enumeration shorter than `min_item_chars` (一、 in a heading, 市、区).
    ShortItem,
    /// No Chinese character at all.
    NotChinese,
}

/// The shape of an accepted candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Number of items joined by 、 (1 for a plain phrase).
    pub items: usize,
    /// Characters of the phrase text, 、 included.
    pub chars: usize,
}

/// True for a number written in Chinese characters with a place or fraction (一千二百, 百分之十,
/// 三分之一, 二十亿): three numerals or more, with 分之, or with 百, 千, 万, 亿 and a digit (一
/// to 九, 两, 零). Plan names made of numerals alone (十四五, 八五) have no place, two-character words
/// (千万 in 千万工程, 万一) are left as words, and places without a digit say "many", not how
/// many (亿万百姓, 千千万万, 百千万工程).
fn numeral_quantity(term: &str) -> bool {
    term.chars().nth(2).is_some()
        && term.chars().all(is_numeral)
        && (term.contains("分之")
            || term.contains(['百', '千', '万', '亿'])
                && term.contains(|c| is_cn_digit(c) || c == '两'))
}

/// True when `text` holds a number written in characters with a place or fraction, whether
/// one word or several: the segmenter cuts 二千七百 as 二千 七百 and 三百亿元 as 三 百亿元, each
/// word too short to be a number on its own ([`numeral_quantity`] of every run of numerals);
/// or when it ends in a decimal ([`ends_in_decimal`]).
fn holds_numeral_quantity(text: &str) -> bool {
    if text.contains('点') && ends_in_decimal(text) {
        return true;
    }
    // Checked for each of millions of candidates: most hold no place at all.
    if !text.contains(['百', '千', '万', '亿']) && !text.contains("分之") {
        return false;
    }
    text.split(|c: char| !is_numeral(c)).any(numeral_quantity)
}

/// True when `text` ends in a decimal written in characters, alone or before 倍 (百分之七点五,
/// 增长一点二倍): a run of numerals with one 点, a numeral before it and a digit after it. Left
/// alone: idioms whose 点 is a point (一点一滴, 一点一点), and a decimal inside a phrase.
fn ends_in_decimal(text: &str) -> bool {
    let body = text.strip_suffix('倍').unwrap_or(text);
    let start = body
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_numeral(c))
        .last()
        .map_or(body.len(), |(i, _)| i);
    let run = &body[start..];
    let Some((before, after)) = run.split_once('点') else {
        return false;
    };
    !after.contains('点')
        && before
            .chars()
            .last()
            .is_some_and(|c| is_cn_digit(c) || c == '十' || c == '两')
        && after.chars().next().is_some_and(is_cn_digit)
}

/// A character of a number written in Chinese ([`numeral_quantity`]'s): a numeral of
/// numbered formulations but 双, or 〇, 亿, 点, 分, 之, 几.
fn is_numeral(c: char) -> bool {
    (c != '双' && tifa_core::text::is_cn_numeral(c))
        || matches!(c, '〇' | '亿' | '点' | '分' | '之' | '几')
}

impl Lexicon {
    /// Flags every vocabulary term that the config's word lists name.
    pub fn new(vocab: &Vocab, config: &Config) -> Lexicon {
        fn set(words: &[String]) -> FxHashSet<&str> {
            words.iter().map(String::as_str).collect()
        }
        let edge = set(&config.edge_words);
        let no_start = set(&config.no_start_words);
        let no_end = set(&config.no_end_words);
        let tail = set(&config.tail_symbols);
        let flags = vocab
            .terms
            .iter()
            .map(|t| {
                let t = t.as_str();
                let mut f = 0;
                if edge.contains(t) || no_start.contains(t) {
                    f |= NO_START;
                }
                if edge.contains(t) || no_end.contains(t) {
                    f |= NO_END;
                }
                if tail.contains(t) {
                    f |= TAIL;
                }
                f
            })
            .collect();
        Lexicon {
            // A number written in characters (一千二百, 百分之, 三分之一) is a number, as digits are,
            // and so is a year (一九五七年).
            kinds: vocab
                .kinds
                .iter()
                .zip(&vocab.terms)
                .map(|(&k, t)| {
                    if k == TokenKind::Word
                        && (numeral_quantity(t) || tifa_core::text::is_cn_year(t))
                    {
                        TokenKind::Number
                    } else {
                        k
                    }
                })
                .collect(),
            flags,
            chars: vocab
                .terms
                .iter()
                .map(|t| t.chars().count() as u32)
                .collect(),
            allow_digits: config.allow_digits,
            min_item_chars: config.min_item_chars,
        }
    }

    /// The length in characters of the text of `tokens`.
    pub fn chars(&self, tokens: &[u32]) -> usize {
        tokens
            .iter()
            .map(|&t| self.chars.get(t as usize).copied().unwrap_or(0) as usize)
            .sum()
    }

    /// The kind of a token id (`Symbol` when unknown).
    pub fn kind(&self, id: u32) -> TokenKind {
        self.kinds
            .get(id as usize)
            .copied()
            .unwrap_or(TokenKind::Symbol)
    }

    fn flag(&self, id: u32) -> u8 {
        self.flags.get(id as usize).copied().unwrap_or(0)
    }

    /// Checks the token-level shape of a phrase; `text` is its surface form.
    pub fn shape(&self, tokens: &[u32], text: &str) -> Result<Shape, Reject> {
        let (Some(&first), Some(&last)) = (tokens.first(), tokens.last()) else {
            return Err(Reject::Punctuation);
        };
        if !self.allow_digits && holds_numeral_quantity(text) {
            return Err(Reject::Digits);
        }
        let mut items = 1;
        let mut prev_enum = false;
        let mut item_chars = 0usize;
        let mut shortest_item = usize::MAX;
        for (i, &t) in tokens.iter().enumerate() {
            if self.kind(t) == TokenKind::Enum {
                shortest_item = shortest_item.min(item_chars);
                item_chars = 0;
            } else {
                item_chars += self.chars.get(t as usize).copied().unwrap_or(0) as usize;
            }
            match self.kind(t) {
                TokenKind::Word => prev_enum = false,
                TokenKind::Number => {
                    if !self.allow_digits {
                        return Err(Reject::Digits);
                    }
                    prev_enum = false;
                }
                TokenKind::Enum => {
                    if prev_enum {
                        return Err(Reject::BrokenEnumeration);
                    }
                    prev_enum = true;
                    items += 1;
                }
                // A formula symbol ending the phrase right after a word: 人工智能+.
                TokenKind::Symbol
                    if i + 1 == tokens.len()
                        && i > 0
                        && self.flag(t) & TAIL != 0
                        && self.kind(tokens[i - 1]) == TokenKind::Word => {}
                _ => return Err(Reject::Punctuation),
            }
        }
        if self.kind(first) == TokenKind::Enum || self.kind(last) == TokenKind::Enum {
            return Err(Reject::BrokenEnumeration);
        }
        if items > 1 && shortest_item.min(item_chars) < self.min_item_chars {
            return Err(Reject::ShortItem);
        }
        if self.flag(first) & NO_START != 0 || self.flag(last) & NO_END != 0 {
            return Err(Reject::FunctionWord);
        }
        // Each item of an enumeration must be a clean unit too: 、 never sits next to a particle.
        for w in tokens.windows(2) {
            if self.kind(w[1]) == TokenKind::Enum && self.flag(w[0]) & NO_END != 0 {
                return Err(Reject::FunctionWord);
            }
            if self.kind(w[0]) == TokenKind::Enum && self.flag(w[1]) & NO_START != 0 {
                return Err(Reject::FunctionWord);
            }
        }
        if !text.chars().any(tifa_core::text::is_han) {
            return Err(Reject::NotChinese);
        }
        Ok(Shape {
            items,
            chars: text.chars().count(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::TokenKind::*;

    fn lex(terms: &[(&str, TokenKind)]) -> (Vocab, Lexicon) {
        let vocab = Vocab::new(
            terms.iter().map(|t| t.0.to_string()).collect(),
            terms.iter().map(|t| t.1).collect(),
        );
        let lexicon = Lexicon::new(&vocab, &Config::default());
        (vocab, lexicon)
    }

    #[test]
    fn numbers_in_characters_are_numbers_and_plan_names_are_words() {
        let (v, l) = lex(&[
            ("增长", Word),
            ("百分之二十", Word),
            ("一千二百", Word),
            ("三分之一", Word),
            ("十四五", Word),
            ("规划", Word),
            ("千方百计", Word),
            ("千万", Word),
            ("工程", Word),
            ("比", Word),
            ("一九五七年", Word),
            ("二〇三五年", Word),
            ("一年", Word),
        ]);
        let check = |ids: &[u32]| l.shape(ids, &v.phrase(ids));
        assert_eq!(check(&[0, 1]), Err(Reject::Digits));
        // A year written in numerals is a number too; a number of years is not.
        assert_eq!(check(&[9, 10, 0]), Err(Reject::Digits), "比一九五七年增长");
        assert_eq!(check(&[11]), Err(Reject::Digits), "二〇三五年");
        assert!(check(&[12, 0]).is_ok(), "一年增长");
        assert_eq!(check(&[2, 0]), Err(Reject::Digits));
        assert_eq!(check(&[3, 0]), Err(Reject::Digits));
        assert!(check(&[4, 5]).is_ok());
        assert!(check(&[6, 0]).is_ok());
        assert!(check(&[7, 8]).is_ok(), "a two-character word stays a word");
    }

    #[test]
    fn a_number_cut_into_several_words_is_a_number() {
        let (v, l) = lex(&[
            ("二千", Word),
            ("七百", Word),
            ("三", Word),
            ("百亿元", Word),
            ("两个", Word),
            ("一百年", Word),
            ("奋斗", Word),
            ("目标", Word),
            ("千方", Word),
            ("百计", Word),
            ("亿万", Word),
            ("百姓", Word),
            ("百千万", Word),
            ("工程", Word),
            ("增长", Word),
            ("百分之十", Word),
        ]);
        let check = |ids: &[u32]| l.shape(ids, &v.phrase(ids));
        assert_eq!(check(&[0, 1]), Err(Reject::Digits), "二千七百");
        assert_eq!(check(&[2, 3]), Err(Reject::Digits), "三百亿元");
        // Numerals apart, or two together, are words: 两个一百年奋斗目标, 千方百计.
        assert!(check(&[4, 5, 6, 7]).is_ok());
        assert!(check(&[8, 9]).is_ok());
        // Places without a digit say "many", not how many: 亿万百姓, 百千万工程.
        assert!(check(&[10, 11]).is_ok(), "亿万百姓");
        assert_eq!(check(&[14, 15]), Err(Reject::Digits), "增长百分之十");
        assert!(check(&[12, 13]).is_ok(), "百千万工程");
    }

    #[test]
    fn a_phrase_ending_in_a_decimal_is_a_number() {
        for (text, number) in [
            ("七点五", true),
            ("十一点七", true),
            ("增长一点二倍", true),
            ("百分之二点六", true),
            ("今晚八点零五分", true),
            ("一点一滴", false),
            ("一点一点", false),
            ("一点两翼", false),
            ("重点工作", false),
            ("两点论", false),
            ("两个一百年", false),
        ] {
            assert_eq!(holds_numeral_quantity(text), number, "{text}");
        }
    }

    #[test]
    fn particles_and_punctuation_at_edges_are_rejected() {
        let (v, l) = lex(&[
            ("的", Word),
            ("四个意识", Word),
            ("增强", Word),
            ("、", Enum),
            ("“", Open),
            ("和", Word),
            ("工作", Word),
            ("中", Word),
            ("2023", Number),
            ("市", Word),
            ("区", Word),
        ]);
        let check = |ids: &[u32]| l.shape(ids, &v.phrase(ids));
        assert_eq!(check(&[2, 1]).map(|s| s.items), Ok(1));
        assert_eq!(check(&[0, 1]), Err(Reject::FunctionWord));
        assert_eq!(check(&[1, 0]), Err(Reject::FunctionWord));
        assert_eq!(check(&[4, 1]), Err(Reject::Punctuation));
        assert_eq!(check(&[1, 3]), Err(Reject::BrokenEnumeration));
        assert_eq!(check(&[1, 3, 3, 1]), Err(Reject::BrokenEnumeration));
        // 和 inside is fine (坚持和完善), at an item edge is not.
        assert_eq!(check(&[2, 5, 1]).map(|s| s.items), Ok(1));
        assert_eq!(check(&[1, 5, 3, 1]), Err(Reject::FunctionWord));
        // Localisers may not end a phrase but may start one.
        assert_eq!(check(&[6, 7]), Err(Reject::FunctionWord));
        assert_eq!(check(&[8, 1]), Err(Reject::Digits));
        assert_eq!(check(&[9, 3, 10]), Err(Reject::ShortItem));
        let enumeration = check(&[2, 1, 3, 2, 1]).unwrap();
        assert_eq!((enumeration.items, enumeration.chars), (2, 13));
    }
}
