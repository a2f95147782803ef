//! Evidence that a recurring unit is a formulation (提法) and not vocabulary, a name or an
//! ordinary collocation of official prose.
//!
//! Cohesion and branching entropy say whether a phrase is a *unit*; 人民群众, 地区生产总值 and
//! 市人大常委会 are units too. What makes a unit a formulation is other evidence, and every
//! slogan names the evidence that admitted it:
//!
//! - **Formulaic marks**: numbered (四个意识), an enumeration (A、B、C), mostly quoted, or a long
//!   verbatim sequence (`formula`). A marked phrase is a slogan whatever its words.
//! - **Coinage**: a term that is not a word of general Chinese. The segmenter's own dictionary
//!   is a frequency list of general language ([`tifa_core::Vocab::general`]); a single word
//!   frequent there (人民群众, 进一步提高) is vocabulary, while a combination that general
//!   language lacks but many reports repeat (低空经济, 新质生产力) is a coinage. A phrase cut
//!   into several words is never one general word, so the rule holds with the bundled political
//!   dictionary on or off.
//! - **New**: where reports have years spread over a long span, a first use well after the span
//!   starts (a label; it admits nothing on its own).
//!
//! And evidence against:
//!
//! - **Names** (kind `name`, listed apart): a phrase ending in the head of an institution,
//!   office, meeting or document name (…常委会, …会议, …报告), or one mostly followed by a
//!   number, as statistical indicators are (地区生产总值增长5%).
//! - **Clause openers**: a phrase that nearly always opens a clause and is nearly always
//!   followed by more words (常态化开展…, 取得新成效…) is an adverbial or verbal collocation
//!   waiting for its object, not a formulation.
//! - **Coordinated general words**: X和Y where both are general words (巩固和发展, 关心和支持).
//! - **Common words**: several words, each common in general Chinese (决策部署).
//! - **Rhetoric**: courtesies and set phrases ending in 的 + a configured head (衷心的感谢).
//! - **Timeless**: where reports span decades, a term used from the first years of the span to
//!   its last (人民群众 in every government report since 1955) is the vocabulary of the genre;
//!   formulations are born and fade.

use tifa_core::{Kind, Phrase, TokenKind, Vocab};

use crate::Config;

/// What the evidence says of a unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// A slogan, with its kind and the evidence that admitted it (`+`-joined).
    Slogan(Kind, &'static str),
    /// A name, with the evidence (`name-head` or `numeric`).
    Name(&'static str),
    /// Vocabulary or an ordinary collocation: not listed.
    Vocabulary,
}

/// The years of the corpus, for the `new` label: its first year and its span.
#[derive(Debug, Clone, Copy)]
pub struct Years {
    /// First year of any report.
    pub first: u16,
    /// Last year minus first year.
    pub span: u16,
}

/// Judges a unit that passed the shape and quality checks. `kind` is its formal kind
/// ([`crate::classify::kind`]), `chars` its length in characters, `first_year` its first year
/// when known.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    p: &Phrase,
    text: &str,
    kind: Kind,
    chars: usize,
    quoted_share: f64,
    vocab: &Vocab,
    years: Option<Years>,
    first_year: Option<u16>,
    last_year: Option<u16>,
    config: &Config,
) -> Verdict {
    let tf = f64::from(p.tf.max(1));
    // How far into the corpus's span the first use, and how far before its end the last use
    // lies, as shares of the span.
    let (after_start, before_end) = match (years, first_year, last_year) {
        (Some(y), Some(f), Some(l)) if y.span > 0 => {
            let span = f64::from(y.span);
            (
                f64::from(f.saturating_sub(y.first)) / span,
                f64::from((y.first + y.span).saturating_sub(l)) / span,
            )
        }
        _ => (0.0, 0.0),
    };
    let span = years.map_or(0, |y| y.span);
    let is_new = span >= config.new_min_span_years && after_start >= config.new_after_share;
    let timeless = span >= config.timeless_min_span_years
        && after_start <= config.timeless_edge_share
        && before_end <= config.timeless_edge_share;
    let quoted = quoted_share >= config.quoted_min_share;
    // The marks, `+`-joined, `new` last when it applies: a few fixed labels, so every slogan
    // shares them.
    macro_rules! marks {
        ($m:literal) => {
            if is_new {
                concat!($m, "+new")
            } else {
                $m
            }
        };
    }
    let marks = match kind {
        Kind::Numbered if quoted => marks!("numbered+quoted"),
        Kind::Numbered => marks!("numbered"),
        Kind::Quoted => marks!("quoted"),
        Kind::Enumeration => {
            // A list of institutions, offices or meetings (人大代表、政协委员) is a list of
            // names: its last item is a name, and each before it is one too, or a bare name of
            // two characters (中央、省委; 地方、部门). A longer item without a head is a clause
            // sharing a noun (建设廉洁、勤政、务实、高效政府; 定职能、定机构): a formulation.
            let items: Vec<&str> = text.split('、').collect();
            let bare = |i: &str| i.chars().count() <= 2;
            if let [before @ .., last] = items.as_slice() {
                if !before.is_empty()
                    && name_head(last, config)
                    && before.iter().all(|i| name_head(i, config) || bare(i))
                {
                    return Verdict::Name("name-head");
                }
            }
            if quoted {
                marks!("enumeration+quoted")
            } else {
                marks!("enumeration")
            }
        }
        Kind::Formula | Kind::Term | Kind::Name => {
            if name_head(text, config) {
                return Verdict::Name("name-head");
            }
            if f64::from(p.numeric) / tf >= config.numeric_min_share {
                return Verdict::Name("numeric");
            }
            // A general word the writers quote now and then is being used as a label.
            let general = p.tokens.len() == 1
                && vocab.general(p.tokens[0]) >= config.general_min_freq
                && quoted_share < config.general_quoted_share;
            if general
                || timeless
                || coordinated_general_words(p.tokens, vocab, config)
                || rhetoric(p.tokens, vocab, config)
            {
                return Verdict::Vocabulary;
            }
            // A combination of common words is prose unless the writers mark it as a label
            // (quotes).
            if kind == Kind::Term
                && quoted_share < config.general_quoted_share
                && common_words(p.tokens, vocab, config)
            {
                return Verdict::Vocabulary;
            }
            let left_open = f64::from(p.left.boundary) / tf;
            // An opening quotation mark after the phrase is a boundary of the branching
            // statistics, but the phrase goes on into what is quoted (完成“十四五”规划…).
            let right_open = f64::from(p.right.boundary.saturating_sub(p.open_after)) / tf;
            if left_open >= config.opener_min_left_boundary
                && right_open <= config.opener_max_right_boundary
                && kind == Kind::Term
            {
                return Verdict::Vocabulary;
            }
            if chars >= config.formula_min_chars {
                marks!("formula+coinage")
            } else {
                marks!("coinage")
            }
        }
    };
    Verdict::Slogan(kind, marks)
}

/// True when `text` ends with one of the configured heads of names.
fn name_head(text: &str, config: &Config) -> bool {
    config
        .name_heads
        .iter()
        .any(|h| !h.is_empty() && text.ends_with(h.as_str()))
}

/// True for a phrase of several words that are all common words of general Chinese (each at
/// least `common_word_min_freq` in the general-language dictionary): a new formulation holds
/// at least one word general language rarely uses (a new or specialised word), while two
/// everyday words side by side are an ordinary combination, however often reports repeat it.
fn common_words(tokens: &[u32], vocab: &Vocab, config: &Config) -> bool {
    config.common_word_min_freq > 0
        && tokens.len() > 1
        && tokens
            .iter()
            .all(|&t| vocab.general(t) >= config.common_word_min_freq)
}

/// True for a courtesy or set phrase of report rhetoric: `… 的 H` with H one of the
/// configured heads (衷心的感谢, 大力支持的结果).
fn rhetoric(tokens: &[u32], vocab: &Vocab, config: &Config) -> bool {
    let [.., de, head] = tokens else {
        return false;
    };
    tokens.len() > 2
        && vocab.term(*de) == "的"
        && config.rhetoric_heads.iter().any(|h| h == vocab.term(*head))
}

/// True for `X 和 Y` (or 与, 及, 并) where X and Y are each one general word.
fn coordinated_general_words(tokens: &[u32], vocab: &Vocab, config: &Config) -> bool {
    let [x, and, y] = tokens else {
        return false;
    };
    let general =
        |t: u32| vocab.kind(t) == TokenKind::Word && vocab.general(t) >= config.general_min_freq;
    config.conjunctions.iter().any(|c| c == vocab.term(*and)) && general(*x) && general(*y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tifa_core::{Branching, PhraseStats};

    fn vocab() -> Vocab {
        let terms = [
            "人民群众",
            "巩固",
            "和",
            "发展",
            "低空",
            "经济",
            "地区",
            "生产总值",
            "常委会",
            "决策",
            "部署",
            "衷心",
            "的",
            "感谢",
        ];
        let general = [
            500, 800, 90000, 60000, 369, 30000, 2000, 0, 0, 2953, 3333, 253, 300000, 1710,
        ];
        Vocab::with_general(
            terms.iter().map(|t| t.to_string()).collect(),
            vec![TokenKind::Word; terms.len()],
            general.to_vec(),
        )
    }

    fn phrase(
        tokens: &[u32],
        left_boundary: u32,
        right_boundary: u32,
        numeric: u32,
    ) -> PhraseStats {
        PhraseStats {
            tokens: tokens.to_vec(),
            tf: 10,
            df: 5,
            per_doc: vec![],
            left: Branching {
                distinct: 5,
                boundary: left_boundary,
                entropy: 2.0,
            },
            right: Branching {
                distinct: 5,
                boundary: right_boundary,
                entropy: 2.0,
            },
            quoted: 0,
            numeric,
            open_after: 0,
        }
    }

    fn judge_term(p: &PhraseStats) -> Verdict {
        judge_as(p, &vocab().phrase(&p.tokens), Kind::Term)
    }

    /// The verdict on `p` written `text`, of formal kind `kind`, without years.
    fn judge_as(p: &PhraseStats, text: &str, kind: Kind) -> Verdict {
        judge(
            &p.as_phrase(),
            text,
            kind,
            text.chars().count(),
            0.0,
            &vocab(),
            None,
            None,
            None,
            &Config::default(),
        )
    }

    #[test]
    fn a_general_word_is_vocabulary_and_a_new_combination_a_coinage() {
        assert_eq!(judge_term(&phrase(&[0], 3, 3, 0)), Verdict::Vocabulary);
        assert_eq!(
            judge_term(&phrase(&[4, 5], 3, 3, 0)),
            Verdict::Slogan(Kind::Term, "coinage")
        );
        assert_eq!(
            judge_term(&phrase(&[1, 2, 3], 3, 3, 0)),
            Verdict::Vocabulary
        );
    }

    #[test]
    fn common_words_side_by_side_and_rhetoric_are_vocabulary() {
        // 决策部署: both words common in general Chinese; 低空经济 holds a rare one.
        assert_eq!(judge_term(&phrase(&[9, 10], 3, 3, 0)), Verdict::Vocabulary);
        assert!(matches!(
            judge_term(&phrase(&[4, 5], 3, 3, 0)),
            Verdict::Slogan(Kind::Term, _)
        ));
        // 衷心的感谢: a courtesy, whatever its words.
        assert_eq!(
            judge_term(&phrase(&[11, 12, 13], 3, 3, 0)),
            Verdict::Vocabulary
        );
    }

    #[test]
    fn names_and_statistics_are_names() {
        assert_eq!(
            judge_term(&phrase(&[6, 8], 3, 3, 0)),
            Verdict::Name("name-head")
        );
        assert_eq!(
            judge_term(&phrase(&[6, 7], 3, 3, 8)),
            Verdict::Name("numeric")
        );
    }

    #[test]
    fn a_list_of_names_may_share_its_last_head_but_a_clause_may_not() {
        let p = phrase(&[0], 3, 3, 0);
        let j = |text: &str| judge_as(&p, text, Kind::Enumeration);
        let enumeration = Verdict::Slogan(Kind::Enumeration, "enumeration");
        let name = Verdict::Name("name-head");
        assert_eq!(j("人大代表、政协委员"), name);
        // Bare names, and pieces sharing the last item's head by ellipsis.
        assert_eq!(j("中央、省委、市委"), name);
        assert_eq!(j("五次、六次全会"), name);
        // Clauses sharing a noun that ends in a head are formulations.
        assert_eq!(j("建设廉洁、勤政、务实、高效政府"), enumeration);
        assert_eq!(j("定职能、定机构"), enumeration);
        assert_eq!(j("党的二十大和二十届二中、三中全会"), enumeration);
        assert_eq!(j("有件必备、有备必审、有错必纠"), enumeration);
        // A list whose last item is no name is no list of names, whatever comes before.
        assert_eq!(j("人大代表、依法履职"), enumeration);
    }

    #[test]
    fn a_clause_opener_waiting_for_its_object_is_a_collocation() {
        assert_eq!(judge_term(&phrase(&[4, 5], 9, 0, 0)), Verdict::Vocabulary);
        // The same phrase standing free on the right is a unit.
        assert!(matches!(
            judge_term(&phrase(&[4, 5], 9, 5, 0)),
            Verdict::Slogan(..)
        ));
    }

    #[test]
    fn marked_phrases_are_slogans_and_new_ones_are_labelled() {
        let v = vocab();
        let p = phrase(&[0], 3, 3, 0);
        let years = Some(Years {
            first: 1954,
            span: 71,
        });
        let c = Config::default();
        assert_eq!(
            judge(
                &p.as_phrase(),
                "人民群众",
                Kind::Quoted,
                4,
                1.0,
                &v,
                years,
                Some(2015),
                Some(2025),
                &c
            ),
            Verdict::Slogan(Kind::Quoted, "quoted+new")
        );
        assert_eq!(
            judge(
                &p.as_phrase(),
                "人民群众",
                Kind::Quoted,
                4,
                1.0,
                &v,
                years,
                Some(1955),
                Some(2025),
                &c
            ),
            Verdict::Slogan(Kind::Quoted, "quoted")
        );
    }

    #[test]
    fn a_term_used_through_decades_is_vocabulary() {
        let v = vocab();
        let p = phrase(&[4, 5], 3, 3, 0);
        let years = Some(Years {
            first: 1954,
            span: 71,
        });
        let c = Config::default();
        let j = |f, l| {
            judge(
                &p.as_phrase(),
                "低空经济",
                Kind::Term,
                4,
                0.0,
                &v,
                years,
                Some(f),
                Some(l),
                &c,
            )
        };
        assert_eq!(j(1955, 2024), Verdict::Vocabulary);
        assert_eq!(j(1955, 1990), Verdict::Slogan(Kind::Term, "coinage"));
        assert_eq!(j(2013, 2025), Verdict::Slogan(Kind::Term, "coinage+new"));
    }
}
