//! tifa's compare stage: from the statistics of every recurring phrase to a ranked list of
//! formulaic slogans (提法), with their families, spread over reports and years, examples in
//! context, and comparisons between groups of reports.
//!
//! The stage is one function, [`run`], which is [`select`] (from the count stage's [`Counts`])
//! then [`complete`] (with the segment stage's [`Segmented`], for examples in context), so that
//! a caller can free the counts before the corpus is needed. It works in five steps:
//!
//! 1. **Shape.** A candidate starts and ends with a word, never with a particle or function word
//!    or punctuation; it may hold the enumeration comma 、 between items ([`shape`]).
//! 2. **Maximality.** A phrase whose occurrences nearly all sit inside one longer phrase (one
//!    more word, or one more item across 、) is a fragment of that phrase, not a unit of its own.
//! 3. **Quality.** Cohesion (normalised PMI over the weakest split), boundary freedom (branching
//!    entropy on the weaker side), dispersion (Gries' DP) and formulaic signals (numbered,
//!    enumerated, quoted, long) are measured and combined into a `score` ([`measures`]).
//! 4. **Kind and rank.** Each slogan gets a kind ([`classify`]) and is ranked by document
//!    frequency, then term frequency, then phrase; each names its family head ([`family`]).
//! 5. **Context and groups.** Per-year document frequency, keyword-in-context lines ([`kwic`])
//!    and keyness by group of reports ([`groups`]).
//!
//! Every threshold is in [`Config`], whose default is `config/compare.toml`. Parallel work is
//! collected in input order and sorted afterwards, so the output is the same for any number of
//! threads.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tifa_core::{
    Comparison, CorpusSummary, Counts, Kind, Kwic, Phrase, Progress, SegDoc, Segmented, Slogan,
    TokenKind, Vocab,
};

pub mod classify;
pub mod contain;
pub mod evidence;
pub mod family;
pub mod groups;
pub mod kwic;
pub mod measures;
pub mod shape;
pub mod trie;

/// Weights of the four parts of a slogan's `score` (each part lies in [0, 1]; the score is their
/// weighted mean).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Cohesion: normalised PMI over the weakest split, clipped to [0, 1].
    pub cohesion: f64,
    /// Boundary freedom: `1 − e^(−H)` for the weaker side's branching entropy `H`.
    pub freedom: f64,
    /// Dispersion: `1 − DP` (Gries' deviation of proportions, normalised).
    pub dispersion: f64,
    /// Formulaic signal: 1 for numbered and enumerated formulations, else the larger of the
    /// quoted share (relative to `quoted_min_share`) and length (relative to
    /// `formula_min_chars`).
    pub formulaic: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            cohesion: 1.0,
            freedom: 1.0,
            dispersion: 1.0,
            formulaic: 1.0,
        }
    }
}

/// Settings of the compare stage, loaded from `config/compare.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Metadata fields to compare groups of reports by (`body`, `level`, `region`, `year` or any
    /// manifest column).
    pub group_by: Vec<String>,
    /// Keyword-in-context lines kept per slogan.
    pub kwic_per_slogan: usize,
    /// Characters of context on each side of a keyword-in-context line.
    pub kwic_context_chars: usize,
    /// Slogans kept after ranking (0 = all).
    pub max_slogans: usize,
    /// Rows kept per group in each group comparison (0 = all).
    pub max_group_rows: usize,
    /// Least number of reports a slogan occurs in.
    pub min_df: u32,
    /// Least number of characters of a slogan of kind term or formula.
    pub min_chars: usize,
    /// Least number of characters of a numbered, enumerated or quoted slogan (双减, 两会).
    pub min_chars_formulaic: usize,
    /// Most characters of a slogan.
    pub max_chars: usize,
    /// Least characters of each item of an enumeration (一、 in a heading is not an item).
    pub min_item_chars: usize,
    /// A single word (one token) is a slogan only when it is numbered, mostly quoted, or has at
    /// least this many characters (a compound such as 全过程人民民主 from the dictionary).
    pub single_token_min_chars: usize,
    /// Least cohesion (normalised PMI over the weakest split) of a phrase of several words.
    pub min_cohesion: f64,
    /// Least branching entropy (nats) on the weaker side.
    pub min_entropy: f64,
    /// Least right branching entropy (nats) of a term or formula. A phrase whose next word is
    /// nearly fixed stops short of the unit it belongs to (学习习近平总书记 → …重要讲话);
    /// formulations are often introduced by a fixed verb, so only the right side is held to
    /// this. Enumerated, numbered and quoted phrases are exempt.
    pub min_right_entropy_term: f64,
    /// A phrase whose occurrences sit inside one longer phrase at least this share of the time
    /// is a fragment of it and is dropped.
    pub max_nested_share: f64,
    /// Least combined score.
    pub min_score: f64,
    /// Share of occurrences inside quotes from which a phrase counts as quoted.
    pub quoted_min_share: f64,
    /// Characters from which a fixed sequence counts as a formula.
    pub formula_min_chars: usize,
    /// Whether slogans may contain digit tokens (years and amounts rarely make slogans).
    pub allow_digits: bool,
    /// Numeral characters of numbered formulations (一府一委两院, 五位一体).
    pub numerals: String,
    /// Numerals that count before a measure word (四个意识); 一 is left out because 一个 and
    /// 一项 are ordinary words.
    pub counting_numerals: String,
    /// Measure and position words after a counting numeral (个 in 四个意识, 大 in 三大攻坚战).
    pub measure_chars: String,
    /// Units after numeral + measure that make a quantity, not a formulation (两个月).
    pub not_after_measure: Vec<String>,
    /// Characters before a numeral that make it an ordinal (第三个).
    pub ordinal_prefixes: String,
    /// Function words that may neither start nor end a slogan or an item of an enumeration.
    pub edge_words: Vec<String>,
    /// Words that may not start a slogan.
    pub no_start_words: Vec<String>,
    /// Symbols that may end a slogan right after a word (人工智能+, 互联网+).
    pub tail_symbols: Vec<String>,
    /// Words that may not end a slogan (localisers such as 中, 上).
    pub no_end_words: Vec<String>,
    /// A single word at least this frequent in the segmenter's general-language dictionary is
    /// vocabulary, not a slogan, unless it is numbered, enumerated or quoted.
    pub general_min_freq: u32,
    /// … unless at least this share of its occurrences is quoted: writers quote a general word
    /// they use as a label.
    pub general_quoted_share: f64,
    /// Share of occurrences followed by a number from which a phrase is a statistical
    /// indicator (kind `name`).
    pub numeric_min_share: f64,
    /// Heads of institution, office, meeting and document names: a term or formula ending in
    /// one is a name (kind `name`), and so is an enumeration whose items all do.
    pub name_heads: Vec<String>,
    /// Conjunctions of `X和Y` collocations of two general words (巩固和发展), which are not
    /// slogans.
    pub conjunctions: Vec<String>,
    /// A term that opens a clause at least this share of the time …
    pub opener_min_left_boundary: f64,
    /// … and is followed by a boundary at most this share of the time is a collocation waiting
    /// for its object (常态化开展…), not a slogan.
    pub opener_max_right_boundary: f64,
    /// Least span of the corpus's years, in years, for a slogan to be labelled `new`.
    pub new_min_span_years: u16,
    /// A slogan first used at least this share of the span after the corpus's first year is
    /// labelled `new`.
    pub new_after_share: f64,
    /// Least span of the corpus's years, in years, for the timeless rule: …
    pub timeless_min_span_years: u16,
    /// … a term first used within this share of the span from its start and last used within
    /// this share from its end is the genre's vocabulary (人民群众), not a slogan.
    pub timeless_edge_share: f64,
    /// Weights of the score's parts.
    pub weights: Weights,
}

fn words(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_string).collect()
}

impl Default for Config {
    fn default() -> Config {
        Config {
            group_by: Vec::new(),
            kwic_per_slogan: 5,
            kwic_context_chars: 24,
            max_slogans: 0,
            max_group_rows: 0,
            min_df: 2,
            min_chars: 4,
            min_chars_formulaic: 2,
            max_chars: 80,
            min_item_chars: 2,
            single_token_min_chars: 4,
            min_cohesion: 0.4,
            min_entropy: 0.5,
            min_right_entropy_term: 1.0,
            max_nested_share: 0.9,
            min_score: 0.4,
            quoted_min_share: 0.3,
            formula_min_chars: 12,
            allow_digits: false,
            numerals: "一二两三四五六七八九十双".to_string(),
            counting_numerals: "二两三四五六七八九十".to_string(),
            measure_chars: "个项大条种位类支件化".to_string(),
            not_after_measure: words("月 年 百分点 小时 多 人 方面"),
            ordinal_prefixes: "第每".to_string(),
            edge_words: words(
                "的 地 得 之 了 着 过 和 与 及 以及 或 或者 并 并且 而 而且 且 同 跟 对 对于 关于 \
                 在 于 把 被 将 为 为了 由 从 向 用 按 按照 通过 根据 等 等等 是 及其 以来 也 都 就 又 还 \
                 才 所 其 这 那 该 此 这个 那个 这些 那些 这样 我 我们 你 你们 他 他们 它 它们 \
                 自己 其中 啊 吗 呢 吧 很 最 较 已 已经 作为 正在 要 会 能 可 可以 应 应当 应该 使 \
                 让 个 一些 一个 各 各项 进一步 不断 积极 切实 认真 努力 着力 始终 继续 \
                 持续 加快 及时",
            ),
            no_start_words: words("上 中 下 里 后 不 没有"),
            tail_symbols: words("+ ＋"),
            no_end_words: words("中 上 下 里 内 外 时 后 前 方面 年 月 日 以"),
            general_min_freq: 3,
            general_quoted_share: 0.1,
            numeric_min_share: 0.6,
            name_heads: words(
                "委员会 常委会 人民政府 政府 国务院 党委 党组 省委 市委 县委 区委 法院 检察院 \
                 办公室 办公厅 实验室 机构 联合会 工商联 大会 会议 全会 报告 书记 主席 \
                 主任 代表 委员 部门 组成人员 工作人员 机关",
            ),
            conjunctions: words("和 与 及 并"),
            opener_min_left_boundary: 0.5,
            opener_max_right_boundary: 0.45,
            new_min_span_years: 10,
            new_after_share: 0.25,
            timeless_min_span_years: 20,
            timeless_edge_share: 0.1,
            weights: Weights::default(),
        }
    }
}

impl Config {
    /// Checks that thresholds are in range.
    pub fn validate(&self) -> Result<(), Error> {
        let share = |key: &'static str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::Config {
                    key,
                    reason: format!("{v} is not a share between 0 and 1"),
                })
            }
        };
        share("max_nested_share", self.max_nested_share)?;
        share("quoted_min_share", self.quoted_min_share)?;
        share("min_score", self.min_score)?;
        share("numeric_min_share", self.numeric_min_share)?;
        share("general_quoted_share", self.general_quoted_share)?;
        share("opener_min_left_boundary", self.opener_min_left_boundary)?;
        share("opener_max_right_boundary", self.opener_max_right_boundary)?;
        share("new_after_share", self.new_after_share)?;
        share("timeless_edge_share", self.timeless_edge_share)?;
        if !(-1.0..=1.0).contains(&self.min_cohesion) {
            return Err(Error::Config {
                key: "min_cohesion",
                reason: format!("{} is outside [-1, 1]", self.min_cohesion),
            });
        }
        let w = &self.weights;
        let ws = [w.cohesion, w.freedom, w.dispersion, w.formulaic];
        if ws.iter().any(|x| !x.is_finite() || *x < 0.0) || ws.iter().sum::<f64>() <= 0.0 {
            return Err(Error::Config {
                key: "weights",
                reason: "weights must be non-negative and not all zero".to_string(),
            });
        }
        if self.min_chars > self.max_chars {
            return Err(Error::Config {
                key: "min_chars",
                reason: format!("{} is above max_chars {}", self.min_chars, self.max_chars),
            });
        }
        Ok(())
    }

    /// The settings as `name → value` text, for the report header.
    pub fn settings(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(self) {
            for (k, v) in map {
                match v {
                    serde_json::Value::Object(inner) => {
                        for (k2, v2) in inner {
                            out.insert(format!("{k}.{k2}"), text_of(&v2));
                        }
                    }
                    other => {
                        out.insert(k, text_of(&other));
                    }
                }
            }
        }
        out
    }
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(" "),
        other => other.to_string(),
    }
}

/// What can go wrong in the compare stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The count and segment outputs describe different corpora.
    #[error("count and segment outputs disagree: {counts} reports counted, {segmented} segmented")]
    DocMismatch {
        /// Reports in the counts.
        counts: usize,
        /// Reports in the segmented corpus.
        segmented: usize,
    },
    /// A counted phrase names a token id the vocabulary does not have.
    #[error("counted phrase {index} holds token id {id}, outside the vocabulary of {vocab} terms")]
    TokenOutOfRange {
        /// Index of the phrase in the counts.
        index: usize,
        /// The token id.
        id: u32,
        /// Size of the vocabulary.
        vocab: usize,
    },
    /// A counted phrase names a report that does not exist.
    #[error("counted phrase {index} occurs in report {doc}, but there are {docs} reports")]
    DocOutOfRange {
        /// Index of the phrase in the counts.
        index: usize,
        /// The report index.
        doc: u32,
        /// Number of reports.
        docs: usize,
    },
    /// A setting is out of range.
    #[error("invalid compare setting `{key}`: {reason}")]
    Config {
        /// The setting.
        key: &'static str,
        /// Why it is invalid.
        reason: String,
    },
}

/// A phrase that passed the shape and maximality checks, with its measures. It names its
/// counted phrase by index, and keeps the two counts it is ranked by.
struct Candidate {
    index: u32,
    df: u32,
    tf: u32,
    text: String,
    kind: Kind,
    evidence: String,
    score: f64,
    dp: f64,
    cohesion: f64,
    quoted_share: f64,
}

/// Progress is reported in chunks so that a bar is not hammered from every worker thread.
const CHUNK: usize = 4096;

/// Runs the compare stage: scores, classifies, ranks and groups the slogans of a corpus.
/// [`select`] then [`complete`]; a caller that holds the counts only to pass them here can call
/// the two itself and free the counts in between.
pub fn run(
    counts: &Counts,
    seg: &Segmented,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Comparison, Error> {
    if counts.docs.len() != seg.docs.len() {
        return Err(Error::DocMismatch {
            counts: counts.docs.len(),
            segmented: seg.docs.len(),
        });
    }
    let selection = select(counts, config, progress)?;
    let mut examples = selection.examples(config, progress);
    examples.segmented(seg);
    let lines = examples.into_lines();
    complete(selection, lines, seg.docs.len(), config, progress)
}

/// The slogans of a corpus, chosen and ranked from its counts, with everything the rest of the
/// stage needs copied out of the counts: per-report counts, tokens and measures of each slogan,
/// the report list and the vocabulary. The examples in context then need only the segmented
/// corpus, report by report ([`Selection::examples`]), so the two large inputs never have to be
/// in memory together, nor the whole segmented corpus.
pub struct Selection {
    docs: Vec<tifa_core::DocInfo>,
    vocab: Vocab,
    n_tokens: u64,
    n_phrases: u64,
    min_df: u32,
    /// Input files the clean stage skipped.
    n_skipped: u32,
    /// The slogans in rank order.
    chosen: Vec<Chosen>,
    /// Family head (index into `chosen`) of each slogan.
    heads: Vec<usize>,
}

impl Selection {
    /// Starts the examples in context of the chosen slogans: give it the segmented corpus's
    /// token streams in waves, in corpus order ([`Examples::wave`]), then pass
    /// [`Examples::into_lines`] to [`complete`].
    pub fn examples<'s>(&'s self, config: &Config, progress: &'s dyn Progress) -> Examples<'s> {
        progress.start("compare: examples", self.docs.len() as u64);
        let items: Vec<kwic::Item> = self
            .chosen
            .iter()
            .map(|c| (c.tokens.as_slice(), c.per_doc.as_slice()))
            .collect();
        Examples {
            lines: kwic::Lines::new(
                items,
                self.docs.len(),
                config.kwic_per_slogan,
                config.kwic_context_chars,
            ),
            vocab: &self.vocab,
            progress,
        }
    }
}

/// The examples in context of a [`Selection`], filled wave by wave of reports.
pub struct Examples<'s> {
    lines: kwic::Lines<'s>,
    vocab: &'s Vocab,
    progress: &'s dyn Progress,
}

impl Examples<'_> {
    /// Reports per wave that keeps every thread busy (any size gives the same lines).
    pub fn wave_size() -> usize {
        kwic::wave_size()
    }

    /// Takes the lines of a wave of `(report index, text, token stream)`, in corpus order.
    pub fn wave(&mut self, docs: &[(usize, &str, &SegDoc)]) {
        self.lines.wave(docs, self.vocab);
        self.progress.inc(docs.len() as u64);
    }

    /// Takes the lines of a whole segmented corpus in memory.
    pub fn segmented(&mut self, seg: &Segmented) {
        let progress = self.progress;
        self.lines.segmented(seg, |n| progress.inc(n as u64));
    }

    /// The lines of each slogan, in rank order.
    pub fn into_lines(self) -> Vec<Vec<Kwic>> {
        self.progress.finish();
        self.lines.into_lines()
    }
}

/// A chosen slogan with its own copy of what it needs from the counts.
struct Chosen {
    tokens: Vec<u32>,
    per_doc: Vec<(u32, u32)>,
    text: String,
    kind: Kind,
    evidence: String,
    df: u32,
    tf: u32,
    score: f64,
    dp: f64,
    cohesion: f64,
    quoted_share: f64,
    left_entropy: f32,
    right_entropy: f32,
}

/// Steps 1 to 4: checks the counts, then finds, measures, ranks and groups into families the
/// slogans among the counted phrases.
pub fn select(
    counts: &Counts,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Selection, Error> {
    config.validate()?;
    progress.start("compare: checks", 0);
    check_ids(counts)?;
    progress.finish();
    let lexicon = shape::Lexicon::new(&counts.vocab, config);
    let doc_tokens: Vec<u64> = counts.docs.iter().map(|d| d.tokens).collect();
    let doc_sizes = measures::DocSizes::new(&doc_tokens);
    let doc_years: Vec<Option<u16>> = counts.docs.iter().map(|d| d.meta.year).collect();
    let years = {
        let known = doc_years.iter().flatten();
        known
            .clone()
            .min()
            .zip(known.max())
            .map(|(&first, &last)| evidence::Years {
                first,
                span: last - first,
            })
    };
    let context = Context {
        counts,
        config,
        doc_sizes: &doc_sizes,
        doc_years: &doc_years,
        years,
    };

    // Step 1 and 2: checks on each phrase alone, then maximality.
    progress.start("compare: candidates", counts.phrases.len() as u64);
    let phrases = &counts.phrases;
    let n_phrases = phrases.len();
    let pre: Vec<Pre> = (0..n_phrases.div_ceil(CHUNK))
        .into_par_iter()
        .flat_map_iter(|c| {
            let range = c * CHUNK..((c + 1) * CHUNK).min(n_phrases);
            let len = range.len();
            // One text buffer for the chunk: allocating a string per phrase made the threads
            // queue on the allocator's lock.
            let mut text = String::new();
            let out: Vec<Pre> = range
                .filter_map(|i| Some((i, phrases.get(i)?)))
                // The numeric checks run before the phrase's text is built, which most phrases
                // never need.
                .filter(|(_, p)| p.df >= config.min_df && !too_closed(p, &lexicon, config))
                .filter_map(|(i, p)| {
                    counts.vocab.phrase_into(p.tokens, &mut text);
                    prefilter(i, &p, &text, &lexicon, config)
                })
                .collect();
            progress.inc(len as u64);
            out
        })
        .collect();
    progress.finish();
    progress.start("compare: maximality", n_phrases as u64);
    let wanted: Vec<&[u32]> = pre.iter().map(|c| phrases.tokens(c.index())).collect();
    // A numbered, enumerated or quoted phrase is not a fragment of itself led by one more word
    // (做到两个维护, 提高政治判断力、…): those are its verb-led forms, dropped after scoring.
    let free_left: Vec<bool> = pre
        .iter()
        .map(|c| {
            matches!(c.kind, Kind::Numbered | Kind::Enumeration | Kind::Quoted)
                && !first_item_short(phrases.tokens(c.index()), &lexicon)
        })
        .collect();
    let inside = contain::max_containing_except(counts, &wanted, Some(&free_left), progress);
    drop(wanted);
    // The automaton was built on other threads, whose heaps the next steps do not reuse: its
    // memory goes back to the system (`tifa_core::memory`; 30 MB off the peak on news).
    tifa_core::memory::give_back();
    let pre: Vec<Pre> = pre
        .into_iter()
        .zip(inside)
        .filter(|(c, inside)| {
            // A phrase the writers mostly quote is marked as a unit by them, even where the
            // quoted phrase always goes on into a longer one (“四个全面”战略布局).
            let Some(p) = phrases.get(c.index()) else {
                return false;
            };
            quoted_share(&p) >= config.quoted_min_share
                || f64::from(*inside) < config.max_nested_share * f64::from(p.tf)
        })
        .map(|(c, _)| c)
        .collect();
    progress.finish();

    // Term frequencies of both parts of every split. The parts are gathered, sorted and merged
    // against the counted phrases (sorted by tokens), which is far cheaper than a binary search
    // over millions of phrases per part.
    progress.start("compare: splits", pre.len() as u64);
    // Every part is a prefix (`true`) or a suffix of its phrase. Before deduplication there are
    // several per candidate, so they are gathered as places in the phrases' token arena, 12
    // bytes each instead of a slice and a flag in 24, and each chunk's are sorted and
    // deduplicated before they join the others (on the news corpus, in `tifa run`, this phase's
    // peak went from 319 to 288 MB).
    let arena = phrases.token_arena();
    let order = |a: &Part, b: &Part| {
        arena[a.range()]
            .cmp(&arena[b.range()])
            .then(b.prefix.cmp(&a.prefix))
    };
    let same = |a: &mut Part, b: &mut Part| arena[a.range()] == arena[b.range()];
    let mut parts: Vec<Part> = pre
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut out = Vec::new();
            for c in chunk {
                let r = phrases.token_range(c.index());
                for (a, b) in splits(&arena[r.clone()], &lexicon) {
                    for (x, prefix) in [(a, true), (b, false)] {
                        if x.len() > 1 {
                            out.push(Part {
                                at: (r.start + x.start) as u32,
                                len: x.len() as u32,
                                prefix,
                            });
                        }
                    }
                }
            }
            out.sort_unstable_by(order);
            out.dedup_by(same);
            progress.inc(chunk.len() as u64);
            out
        })
        .collect();
    // Sorted and deduplicated, so the order is the same whatever the thread count; a part that
    // is the prefix of one phrase and the suffix of another counts as a prefix.
    parts.par_sort_unstable_by(order);
    parts.dedup_by(same);
    // A part the counts do not hold is a phrase that always occurs inside the same closed
    // phrase, which the counts do hold with the same term frequency (see `Counts`); every other
    // counted phrase that contains the part occurs at most as often. So its term frequency is
    // the largest among the counted phrases that contain it. For the prefix of a phrase that
    // passed maximality those all start with it: that phrase is closed on the left (a left
    // extension of the same frequency would have made it a fragment), so the part is too, and
    // its closed extension only grows to the right. The counted phrases that start with a part
    // follow it in sorted order, so one merge of the sorted parts with the counted phrases finds
    // both the parts the counts hold and the prefixes; each chunk of parts finds where it starts
    // by a binary search, so the merge runs on every thread.
    let found: Vec<Option<u32>> = parts
        .par_chunks(CHUNK)
        .flat_map_iter(|chunk| {
            let mut j = chunk
                .first()
                .map_or(n_phrases, |p| phrases.lower_bound(&arena[p.range()]));
            chunk.iter().map(move |part| {
                let w = &arena[part.range()];
                while j < n_phrases && phrases.tokens(j) < w {
                    j += 1;
                }
                match phrases.get(j) {
                    Some(p) if p.tokens == w => Some(p.tf),
                    _ if part.prefix => (j..n_phrases)
                        .map_while(|k| phrases.get(k).filter(|p| p.tokens.starts_with(w)))
                        .map(|p| p.tf)
                        .max(),
                    _ => None,
                }
            })
        })
        .collect();
    let mut tf = Vec::with_capacity(parts.len());
    let (mut missing, mut missing_at): (Vec<&[u32]>, Vec<usize>) = (Vec::new(), Vec::new());
    for (k, (part, found)) in parts.iter().zip(found).enumerate() {
        tf.push(found.unwrap_or(0));
        if found.is_none() {
            missing.push(&arena[part.range()]);
            missing_at.push(k);
        }
    }
    progress.finish();
    // The other parts the counts do not hold: the largest term frequency among the counted
    // phrases that contain them, in one walk over the counted phrases.
    progress.start("compare: sub-phrase counts", counts.phrases.len() as u64);
    let missing_tf = contain::max_containing(counts, &missing, progress);
    drop(missing);
    // The same for the automaton of the missing parts.
    tifa_core::memory::give_back();
    for (k, m) in missing_at.into_iter().zip(missing_tf) {
        tf[k] = m;
    }
    let part_tf = PartTf::new(arena, parts, tf);
    progress.finish();

    // Step 3: cohesion, dispersion, score and the decision.
    progress.start("compare: scoring", pre.len() as u64);
    let mut accepted: Vec<Candidate> = pre
        .into_par_iter()
        .filter_map(|c| {
            let p = phrases.get(c.index())?;
            let tf = |part: &[u32]| -> u64 {
                if part.len() == 1 {
                    counts
                        .unigram_tf
                        .get(part[0] as usize)
                        .copied()
                        .unwrap_or(0)
                } else {
                    part_tf.get(part).unwrap_or(0)
                }
            };
            let t = p.tokens;
            let parts: Vec<(u64, u64)> = splits(t, &lexicon)
                .into_iter()
                .map(|(a, b)| (tf(&t[a]), tf(&t[b])))
                .collect();
            let out = measure(p, c, &parts, &context);
            progress.inc(1);
            out
        })
        .collect();
    // The parts' term frequencies are not needed after scoring (on the news corpus 745,000
    // parts, about 15 MB with their table); the ranking's copies come on top of what is left.
    drop(part_tf);
    tifa_core::memory::give_back();
    progress.finish();

    // Step 4: rank, then families.
    progress.start("compare: ranking", 0);
    accepted.par_sort_by(|a, b| {
        b.df.cmp(&a.df)
            .then(b.tf.cmp(&a.tf))
            .then_with(|| a.text.cmp(&b.text))
    });
    drop_verb_led_forms(&mut accepted, phrases, &lexicon);
    if config.max_slogans > 0 {
        accepted.truncate(config.max_slogans);
    }
    let token_lists: Vec<&[u32]> = accepted
        .iter()
        .map(|c| phrases.tokens(c.index as usize))
        .collect();
    let heads = family::heads(&token_lists);
    // The counts are not needed after this: each slogan takes its own copy of what it uses.
    let chosen: Vec<Chosen> = accepted
        .into_par_iter()
        .filter_map(|c| {
            let p = phrases.get(c.index as usize)?;
            Some(Chosen {
                tokens: p.tokens.to_vec(),
                per_doc: p.per_doc.to_vec(),
                text: c.text,
                kind: c.kind,
                evidence: c.evidence,
                df: p.df,
                tf: p.tf,
                score: c.score,
                dp: c.dp,
                cohesion: c.cohesion,
                quoted_share: c.quoted_share,
                left_entropy: p.left.entropy,
                right_entropy: p.right.entropy,
            })
        })
        .collect();
    progress.finish();
    check_docs(&chosen, counts)?;
    Ok(Selection {
        docs: counts.docs.clone(),
        vocab: counts.vocab.clone(),
        n_tokens: counts.n_tokens,
        n_phrases: counts.phrases.len() as u64,
        min_df: counts.min_df,
        n_skipped: counts.skipped.len() as u32,
        chosen,
        heads,
    })
}

/// Step 5: per-year spread and examples in context from the segmented corpus, then the group
/// comparisons; `seg` must be the corpus the selection's counts were made from.
pub fn complete(
    selection: Selection,
    lines: Vec<Vec<Kwic>>,
    n_streams: usize,
    config: &Config,
    progress: &dyn Progress,
) -> Result<Comparison, Error> {
    config.validate()?;
    let Selection {
        docs,
        n_tokens,
        n_phrases,
        min_df,
        n_skipped,
        chosen,
        heads,
        ..
    } = selection;
    if docs.len() != n_streams {
        return Err(Error::DocMismatch {
            counts: docs.len(),
            segmented: n_streams,
        });
    }
    let n_docs = docs.len();

    progress.start("compare: slogans", chosen.len() as u64);
    let mut kwic_lines = lines;
    kwic_lines.resize_with(chosen.len(), Vec::new);
    // The chosen slogans and their example lines are consumed here, so each slogan's phrase,
    // counts and examples move into it instead of being copied.
    let mut slogans: Vec<Slogan> = chosen
        .into_par_iter()
        .zip(kwic_lines)
        .enumerate()
        .map(|(r, (c, kwic))| {
            let mut per_year: BTreeMap<u16, u32> = BTreeMap::new();
            for &(d, _) in &c.per_doc {
                if let Some(y) = docs.get(d as usize).and_then(|d| d.meta.year) {
                    *per_year.entry(y).or_insert(0) += 1;
                }
            }
            progress.inc(1);
            Slogan {
                rank: r as u32 + 1,
                phrase: c.text,
                kind: c.kind,
                df: c.df,
                df_pct: groups::pct(u64::from(c.df), n_docs as u64),
                tf: c.tf,
                score: round(c.score),
                dp: round(c.dp),
                cohesion: round(c.cohesion),
                left_entropy: round(f64::from(c.left_entropy)),
                right_entropy: round(f64::from(c.right_entropy)),
                quoted_share: round(c.quoted_share),
                evidence: c.evidence,
                n_tokens: c.tokens.len() as u32,
                first_year: per_year.keys().next().copied(),
                last_year: per_year.keys().next_back().copied(),
                family: String::new(),
                per_doc: c.per_doc,
                per_year: per_year.into_iter().collect(),
                kwic,
            }
        })
        .collect();
    progress.finish();
    for (i, h) in heads.iter().enumerate() {
        slogans[i].family = slogans[*h].phrase.clone();
    }

    // Group comparisons.
    progress.start("compare: groups", config.group_by.len() as u64);
    let items: Vec<groups::Item> = slogans
        .iter()
        .map(|s| groups::Item {
            phrase: &s.phrase,
            per_doc: &s.per_doc,
        })
        .collect();
    let mut fields: Vec<&String> = Vec::new();
    for f in &config.group_by {
        if !fields.contains(&f) {
            fields.push(f);
        }
    }
    let group_cmps = fields
        .iter()
        .map(|f| {
            let g = groups::compare(f, &docs, &items, config.max_group_rows);
            progress.inc(1);
            g
        })
        .collect();
    progress.finish();

    let years = docs.iter().filter_map(|d| d.meta.year);
    let years = years.clone().min().zip(years.max());
    let mut settings = config.settings();
    settings.insert("count.min_df".to_string(), min_df.to_string());
    Ok(Comparison {
        summary: CorpusSummary {
            n_docs: n_docs as u32,
            n_chars: docs.iter().map(|d| d.chars).sum(),
            n_tokens,
            n_phrases,
            years,
            n_skipped,
        },
        settings,
        docs,
        slogans,
        groups: group_cmps,
    })
}

/// Rounds a measure to 6 decimals so that the written numbers are short and stable.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Refuses counts whose phrases name a token id beyond the vocabulary. Report indices are
/// checked later, only for the chosen slogans ([`check_docs`]): every other reader of the
/// per-report counts looks reports up with a bounds check, and decoding every phrase's packed
/// counts here cost more than a second on the 1 GB corpus.
fn check_ids(counts: &Counts) -> Result<(), Error> {
    let vocab = counts.vocab.len();
    // In parallel; the first damaged phrase in order is the one reported.
    let bad = (0..counts.phrases.len())
        .into_par_iter()
        .find_map_first(|index| {
            let tokens = counts.phrases.tokens(index);
            tokens
                .iter()
                .find(|&&t| t as usize >= vocab)
                .map(|&id| Error::TokenOutOfRange { index, id, vocab })
        });
    bad.map_or(Ok(()), Err)
}

/// Refuses chosen slogans whose per-report counts name a report that does not exist; the first
/// in rank order is reported, with its index in the counts.
fn check_docs(chosen: &[Chosen], counts: &Counts) -> Result<(), Error> {
    let docs = counts.docs.len();
    let bad = chosen.iter().find_map(|c| {
        c.per_doc
            .iter()
            .find(|&&(d, _)| d as usize >= docs)
            .map(|&(doc, _)| (c, doc))
    });
    match bad {
        Some((c, doc)) => Err(Error::DocOutOfRange {
            index: counts.phrases.lower_bound(&c.tokens),
            doc,
            docs,
        }),
        None => Ok(()),
    }
}

/// A phrase that passed the checks that need no other phrase: shape, length, kind, entropy.
/// There are millions of them on a big corpus, so each names its counted phrase by index and
/// keeps only what the later steps cannot read from it; the text is built again only for the
/// phrases that are accepted.
#[derive(Clone, Copy)]
struct Pre {
    /// Index of the counted phrase.
    index: u32,
    /// Length of its text in characters.
    chars: u32,
    kind: Kind,
}

impl Pre {
    fn index(&self) -> usize {
        self.index as usize
    }
}

/// The share of a phrase's occurrences that are directly quoted.
fn quoted_share(p: &Phrase) -> f64 {
    (f64::from(p.quoted) / f64::from(p.tf)).min(1.0)
}

/// A part of a split of a candidate: `len` tokens of the phrases' token arena from `at` (which
/// has 32-bit offsets, see `Phrases`), the prefix (`true`) or suffix of its phrase.
#[derive(Clone, Copy)]
struct Part {
    at: u32,
    len: u32,
    prefix: bool,
}

impl Part {
    fn range(&self) -> Range<usize> {
        self.at as usize..self.at as usize + self.len as usize
    }
}

/// The term frequencies of the parts of the splits, found by their tokens. There are millions
/// of parts on a big corpus: a table of 4-byte indices into the sorted parts takes a fifth of
/// the memory of a map keyed by the parts' token slices.
struct PartTf<'a> {
    /// The phrases' token arena, which the parts are places in.
    arena: &'a [u32],
    /// The parts, sorted and distinct.
    parts: Vec<Part>,
    /// Term frequency of each part.
    tf: Vec<u32>,
    /// Index of each part in `parts`, hashed by its tokens.
    table: hashbrown::HashTable<u32>,
}

impl<'a> PartTf<'a> {
    fn new(arena: &'a [u32], parts: Vec<Part>, tf: Vec<u32>) -> PartTf<'a> {
        let tokens = |i: u32| parts.get(i as usize).map_or(&[][..], |p| &arena[p.range()]);
        let mut table = hashbrown::HashTable::with_capacity(parts.len());
        for k in 0..parts.len() as u32 {
            // The parts are distinct, so every insert is of a new key.
            table.insert_unique(hash_tokens(tokens(k)), k, |&i| hash_tokens(tokens(i)));
        }
        PartTf {
            arena,
            parts,
            tf,
            table,
        }
    }

    fn get(&self, w: &[u32]) -> Option<u64> {
        let k = *self.table.find(hash_tokens(w), |&i| {
            self.parts.get(i as usize).map(|p| &self.arena[p.range()]) == Some(w)
        })?;
        self.tf.get(k as usize).map(|&t| u64::from(t))
    }
}

fn hash_tokens(w: &[u32]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(w)
}

/// True when the phrase's weaker side has less branching entropy than `min_entropy`. An
/// enumeration is held to this on the right only: formulations are often introduced by a fixed
/// verb (提高政治判断力、政治领悟力、政治执行力), and the list itself is marked as a unit by its
/// commas.
fn too_closed(p: &Phrase, lex: &shape::Lexicon, config: &Config) -> bool {
    let enumeration = p.tokens.iter().any(|&t| lex.kind(t) == TokenKind::Enum);
    let h = if enumeration {
        p.right.entropy
    } else {
        p.left.entropy.min(p.right.entropy)
    };
    f64::from(h) < config.min_entropy
}

/// Checks that need only the phrase's own statistics: document frequency, shape, length by
/// kind, branching entropy. They run first because they are cheap and discard most phrases.
fn prefilter(
    index: usize,
    p: &Phrase,
    text: &str,
    lex: &shape::Lexicon,
    config: &Config,
) -> Option<Pre> {
    if p.df < config.min_df || p.tf == 0 {
        return None;
    }
    let sh = lex.shape(p.tokens, text).ok()?;
    if sh.chars > config.max_chars {
        return None;
    }
    let kind = classify::kind(text, sh.items, sh.chars, quoted_share(p), config);
    let min_chars = if matches!(kind, Kind::Numbered | Kind::Enumeration | Kind::Quoted) {
        config.min_chars_formulaic
    } else {
        config.min_chars
    };
    if sh.chars < min_chars {
        return None;
    }
    if p.tokens.len() == 1 && kind == Kind::Term && sh.chars < config.single_token_min_chars {
        return None;
    }
    if too_closed(p, lex, config) {
        return None;
    }
    if matches!(kind, Kind::Term | Kind::Formula)
        && f64::from(p.right.entropy) < config.min_right_entropy_term
    {
        return None;
    }
    Some(Pre {
        index: u32::try_from(index).ok()?,
        chars: u32::try_from(sh.chars).ok()?,
        kind,
    })
}

/// The splits `p = a·b` cohesion is measured over, as token ranges of the phrase. A split never
/// leaves 、 on a part: across an enumeration comma the parts are the items on either side, the
/// comma itself dropped.
fn splits(tokens: &[u32], lex: &shape::Lexicon) -> Vec<(Range<usize>, Range<usize>)> {
    let is_enum = |t: u32| lex.kind(t) == TokenKind::Enum;
    let n = tokens.len();
    let mut out = Vec::new();
    for k in 1..n {
        if is_enum(tokens[k]) {
            out.push((0..k, k + 1..n));
        } else if !is_enum(tokens[k - 1]) {
            out.push((0..k, k..n));
        }
    }
    out
}

/// Measures a candidate and decides whether it is a slogan; `parts` holds the term
/// frequencies of both parts of every split.
fn measure(p: Phrase, pre: Pre, parts: &[(u64, u64)], cx: &Context) -> Option<Candidate> {
    let Context {
        counts,
        config,
        doc_sizes,
        ..
    } = *cx;
    let Pre {
        index, chars, kind, ..
    } = pre;
    let n_tokens = counts.n_tokens;
    let quoted_share = quoted_share(&p);
    let cohesion = parts
        .iter()
        .map(|&(a, b)| measures::npmi(u64::from(p.tf), a, b, n_tokens))
        .fold(1.0f64, f64::min);
    if cohesion < config.min_cohesion {
        return None;
    }
    let entropy = f64::from(p.left.entropy.min(p.right.entropy));
    let dp = doc_sizes.dp_norm(p.per_doc.iter());
    let formulaic = match kind {
        Kind::Numbered | Kind::Enumeration => 1.0,
        _ => {
            let q = if config.quoted_min_share > 0.0 {
                quoted_share / config.quoted_min_share
            } else {
                1.0
            };
            let l = chars as f64 / config.formula_min_chars.max(1) as f64;
            q.max(l).min(1.0)
        }
    };
    let w = &config.weights;
    let score = (w.cohesion * cohesion.max(0.0)
        + w.freedom * measures::freedom(entropy)
        + w.dispersion * (1.0 - dp)
        + w.formulaic * formulaic)
        / (w.cohesion + w.freedom + w.dispersion + w.formulaic);
    if score < config.min_score {
        return None;
    }
    let text = counts.vocab.phrase(p.tokens);
    let years_used = p
        .per_doc
        .iter()
        .filter_map(|(d, _)| cx.doc_years.get(d as usize).copied().flatten());
    let first_year = years_used.clone().min();
    let last_year = years_used.max();
    let (kind, evidence) = match evidence::judge(
        &p,
        &text,
        kind,
        chars as usize,
        quoted_share,
        &counts.vocab,
        cx.years,
        first_year,
        last_year,
        config,
    ) {
        evidence::Verdict::Slogan(kind, evidence) => (kind, evidence),
        evidence::Verdict::Name(evidence) => (Kind::Name, evidence),
        evidence::Verdict::Vocabulary => return None,
    };
    Some(Candidate {
        index,
        df: p.df,
        tf: p.tf,
        text,
        kind,
        evidence,
        score,
        dp,
        cohesion,
        quoted_share,
    })
}

/// True for an enumeration whose first item has fewer words than its second: the parallel
/// structure says the word before it belongs to it (四个意识、坚定四个自信 wants its 增强), so the
/// form led by that word is the whole formulation, not a verb-led form of it.
fn first_item_short(tokens: &[u32], lex: &shape::Lexicon) -> bool {
    let mut items = tokens.split(|&t| lex.kind(t) == TokenKind::Enum);
    match (items.next(), items.next()) {
        (Some(first), Some(second)) => first.len() < second.len(),
        _ => false,
    }
}

/// What scoring reads besides the phrase itself.
struct Context<'a> {
    counts: &'a Counts,
    config: &'a Config,
    doc_sizes: &'a measures::DocSizes<'a>,
    /// Year of each report, when known.
    doc_years: &'a [Option<u16>],
    /// The corpus's years, when any report has one.
    years: Option<evidence::Years>,
}

/// Drops the verb-led forms of numbered, enumerated and quoted slogans: a slogan that is one
/// word followed by such a slogan (做到两个维护 for 两个维护) belongs to that slogan's family and is
/// not a row of its own. `accepted` keeps its order.
fn drop_verb_led_forms(
    accepted: &mut Vec<Candidate>,
    phrases: &tifa_core::Phrases,
    lex: &shape::Lexicon,
) {
    let marked: std::collections::HashSet<&[u32]> = accepted
        .iter()
        .filter(|c| matches!(c.kind, Kind::Numbered | Kind::Enumeration | Kind::Quoted))
        .map(|c| phrases.tokens(c.index as usize))
        .filter(|t| !first_item_short(t, lex))
        .collect();
    let led: Vec<bool> = accepted
        .iter()
        .map(|c| {
            let t = phrases.tokens(c.index as usize);
            t.len() > 1 && marked.contains(&t[1..])
        })
        .collect();
    let mut k = 0;
    accepted.retain(|_| {
        k += 1;
        !led[k - 1]
    });
}

#[cfg(test)]
mod tests;
