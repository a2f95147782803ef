//! The compare stage's settings: `config/compare.toml`, every key with its default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;

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
    /// Slogans that get keyword-in-context lines, the most widely recurring (0 = all).
    pub kwic_slogans: usize,
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
    /// Whether slogans may contain numbers: digit tokens, and numbers written in characters
    /// with a place or fraction (一千二百, 百分之二十).
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
    /// A term of several words, every word at least this frequent in the general-language
    /// dictionary, is an ordinary combination of common words (决策部署, 自身建设), not a
    /// coinage, unless it is quoted as often as `general_quoted_share`; 0 turns the
    /// rule off.
    pub common_word_min_freq: u32,
    /// Share of occurrences followed by a number from which a phrase is a statistical
    /// indicator (kind `name`).
    pub numeric_min_share: f64,
    /// Heads of institution, office, meeting and document names: a term or formula ending in
    /// one is a name (kind `name`), and so is an enumeration whose items all do.
    pub name_heads: Vec<String>,
    /// Conjunctions of `X和Y` collocations of two general words (巩固和发展), which are not
    /// slogans.
    pub conjunctions: Vec<String>,
    /// Heads of the courtesies and set phrases of report rhetoric: a term ending in `的` and one
    /// of them (衷心的感谢, 崇高的敬意, 大力支持的结果) is not a slogan.
    pub rhetoric_heads: Vec<String>,
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

pub(crate) fn words(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_string).collect()
}

impl Default for Config {
    fn default() -> Config {
        Config {
            group_by: Vec::new(),
            kwic_per_slogan: 5,
            kwic_context_chars: 24,
            kwic_slogans: 3000,
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
                "的 地 得 之 了 着 和 与 及 以及 或 或者 并 并且 而 而且 且 同 跟 对 对于 关于 \
                 在 于 把 被 将 为 为了 由 从 向 用 按 按照 通过 根据 等 等等 是 及其 以来 也 都 就 又 还 \
                 才 所 其 这 那 该 此 这个 那个 这些 那些 这样 我 我们 你 你们 他 他们 它 它们 \
                 自己 其中 啊 吗 呢 吧 很 最 较 已 已经 作为 正在 要 会 能 可 可以 应 应当 应该 使 \
                 让 个 一些 一个 各 各项 进一步 不断 积极 切实 认真 努力 着力 始终 继续 \
                 持续 加快 及时",
            ),
            no_start_words: words("上 中 下 里 后 不 没有"),
            tail_symbols: words("+ ＋"),
            no_end_words: words("中 上 下 里 内 外 时 后 前 方面 年 月 日 以 过"),
            general_min_freq: 3,
            general_quoted_share: 0.1,
            common_word_min_freq: 1000,
            numeric_min_share: 0.6,
            name_heads: words(
                "委员会 常委会 人民政府 政府 国务院 党委 党组 省委 市委 县委 区委 法院 检察院 \
                 办公室 办公厅 实验室 机构 联合会 工商联 大会 会议 全会 报告 书记 主席 \
                 主任 代表 委员 部门 组成人员 工作人员 机关",
            ),
            conjunctions: words("和 与 及 并"),
            rhetoric_heads: words("感谢 敬意 谢意 问候 结果 成绩 贡献 心血 努力"),
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
        for (key, v) in [
            ("min_entropy", self.min_entropy),
            ("min_right_entropy_term", self.min_right_entropy_term),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::Config {
                    key,
                    reason: format!("{v} is not an entropy (a finite number, at least 0)"),
                });
            }
        }
        let w = &self.weights;
        let ws = [w.cohesion, w.freedom, w.dispersion, w.formulaic];
        let sum: f64 = ws.iter().sum();
        if ws.iter().any(|x| !x.is_finite() || *x < 0.0) || !(sum.is_finite() && sum > 0.0) {
            return Err(Error::Config {
                key: "weights",
                reason: format!(
                    "{ws:?}: weights must be finite, non-negative and not all zero, and their sum \
                     finite"
                ),
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
