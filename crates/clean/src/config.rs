//! Settings of the clean stage. Every pattern that decides what is not report text (adverts,
//! watermarks, page numbers, captions, titles) lives here rather than in code, so a user can
//! adapt the cleaner to a new source by editing `config/clean.toml`. [`Config::default`] is
//! exactly what that file says, so the tool behaves the same without it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How to recognise the issuing body of a report from its title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRule {
    /// The body (`npc`, `cppcc`, `government` …).
    pub body: String,
    /// A regular expression searched in the title.
    pub title: String,
}

/// Settings of the clean stage (`config/clean.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// File name endings that are read (lower case, no dot).
    pub extensions: Vec<String>,
    /// Files larger than this many bytes are skipped.
    pub max_file_bytes: u64,
    /// A file with a line longer than this many bytes is skipped: it is not report text.
    pub max_line_bytes: usize,
    /// Folders nested deeper than this below a corpus folder are skipped.
    pub max_depth: usize,
    /// Share of undecodable characters above which a file is skipped as invalid.
    pub max_invalid_share: f64,
    /// Convert traditional characters to simplified ones.
    pub traditional_to_simplified: bool,
    /// Repair (or drop) runs of GBK text decoded at the wrong byte offset.
    pub repair_mojibake: bool,
    /// Rejoin paragraphs broken by hard line wraps.
    pub reflow: bool,
    /// Learn page chrome from the corpus: short lines that recur near the start or end of files.
    pub learn_boilerplate: bool,
    /// How many lines at each end of a file count as "near the start or end".
    pub boilerplate_edge_lines: usize,
    /// A line must recur in at least this many files to be learned as boilerplate …
    pub boilerplate_min_files: usize,
    /// … and in at least this share of all files.
    pub boilerplate_min_share: f64,
    /// Only lines of at most this many characters can be learned as boilerplate.
    pub boilerplate_max_chars: usize,
    /// Learn boilerplate blocks: runs of lines recurring near the start or end of many files
    /// (licence notices, site footers), where a single line would be too common to learn.
    pub learn_boilerplate_blocks: bool,
    /// How many non-blank lines at each end of a file a block may lie in.
    pub boilerplate_block_edge_lines: usize,
    /// A block line recurs near an edge of at least this share of all files, or of the files of
    /// one corpus folder …
    pub boilerplate_block_min_share: f64,
    /// … and a block is at least this many consecutive such lines, none a sentence (recurring
    /// sentences between two blocks, or between a block and the file's edge, go with them).
    pub boilerplate_block_min_lines: usize,
    /// Only lines of at most this many characters can be block lines.
    pub boilerplate_block_max_line_chars: usize,
    /// In a single-report file, a short line recurring this often is a running header/footer.
    pub running_header_min_repeats: usize,
    /// Lines removed whole, by reason (the reason is counted in `clean-log.tsv`).
    pub line_patterns: BTreeMap<String, Vec<String>>,
    /// Only lines of at most this many characters are matched against `line_patterns`.
    pub line_pattern_max_chars: usize,
    /// A line of at most this many characters that holds a URL or e-mail is a watermark.
    pub url_line_max_chars: usize,
    /// Spans removed inside paragraphs (bylines, datelines, captions), by reason.
    pub span_patterns: BTreeMap<String, Vec<String>>,
    /// `span_patterns` apply to this many paragraphs at each end of a report.
    pub span_pattern_edge_paragraphs: usize,
    /// Title lines: each starts a report in a compilation file.
    pub title_patterns: Vec<String>,
    /// Headings that start a new paragraph when rejoining wrapped lines.
    pub heading_pattern: String,
    /// A title followed by less than this many characters of text before the next title is a
    /// table-of-contents entry, not a report.
    pub min_report_chars: usize,
    /// Body of a report from its title, first match wins.
    pub body_rules: Vec<BodyRule>,
    /// Body given to news stories (text opening with a news-agency or newspaper byline).
    pub media_body: String,
    /// Opening of the text of a news story.
    pub media_pattern: String,
    /// Region names of provincial level (their reports get level `provincial`).
    pub provincial_regions: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for Config {
    fn default() -> Self {
        let mut line_patterns = BTreeMap::new();
        line_patterns.insert(
            "advert".to_string(),
            strings(&[
                r"淘宝|天猫|微信[:：号]|QQ[:：群]|加微信|扫码(关注|下载|购买|加入|领取)|扫描二维码|二维码|关注公众号",
                r"点击(进入|投稿|查看|阅读|下载)|阅读原文|下载(全文|word)|全文下载",
                r"(整理|收集|分享|更新).{0,12}(范文|材料|资料)|(范文|材料|资料).{0,12}(整理|更新|下载|购买)",
                r"^\s*[•·●▪◆]\s*\S{0,10}\s*$",
                r"版权所有|免责声明|转载请注明|未经授权|All Rights Reserved",
            ]),
        );
        line_patterns.insert(
            "page_number".to_string(),
            strings(&[
                r"^\s*[-－—–]\s*\d{1,4}\s*[-－—–]\s*$",
                r"^\s*第\s*\d{1,4}\s*页(\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?\s*$",
                r"^\s*\d{1,4}\s*[/／]\s*\d{1,4}\s*$",
                r"^\s*\d{1,4}\s*$",
                r"^\s*(Page|page)\s*\d{1,4}(\s*of\s*\d{1,4})?\s*$",
            ]),
        );
        line_patterns.insert(
            "caption".to_string(),
            strings(&[
                r"^\s*图为",
                r"^\s*[（(]?\s*(图|图片|照片|摄影)[:：]",
                r"记者\s*\S{2,12}\s*摄\s*[）)]?\s*$",
            ]),
        );
        line_patterns.insert("lead".to_string(), strings(&[r"^\s*[\[【]?导读[\]】]"]));
        line_patterns.insert(
            "byline".to_string(),
            strings(&[r"^\s*[（(]?\s*(责任编辑|编辑|责编|校对|审核|来源|作者|供稿)\s*[:：]"]),
        );
        let mut span_patterns = BTreeMap::new();
        span_patterns.insert(
            "byline".to_string(),
            strings(&[
                r"^\s*(本报讯|本台消息|据\S{1,8}报道)?\s*[（(]\s*(记者|通讯员|本报记者)[^）)]{1,30}[）)]\s*",
                r"^\s*本报讯\s*",
                r"^\s*(新华社|中新社|人民网|央视网|光明网)\S{0,12}电(\s*[（(]\s*记者[^）)]{1,30}[）)])?\s*",
                r"[（(]\s*(记者|通讯员|本报记者)[^）)]{1,30}[）)]\s*$",
                r"(?P<keep>[。！？”])\s*[（(]\s*\p{Han}{1,4}(\s+\p{Han}{1,4}){0,4}\s*[）)]\s*$",
            ]),
        );
        Config {
            extensions: strings(&["txt", "text", "md", "htm", "html"]),
            max_file_bytes: 256 << 20,
            max_line_bytes: 1 << 20,
            max_depth: 32,
            max_invalid_share: 0.01,
            traditional_to_simplified: false,
            repair_mojibake: true,
            reflow: true,
            learn_boilerplate: true,
            boilerplate_edge_lines: 6,
            boilerplate_min_files: 3,
            boilerplate_min_share: 0.01,
            boilerplate_max_chars: 40,
            learn_boilerplate_blocks: true,
            boilerplate_block_edge_lines: 40,
            boilerplate_block_min_share: 0.3,
            boilerplate_block_min_lines: 3,
            boilerplate_block_max_line_chars: 200,
            running_header_min_repeats: 3,
            line_patterns,
            line_pattern_max_chars: 300,
            url_line_max_chars: 100,
            span_patterns,
            span_pattern_edge_paragraphs: 3,
            title_patterns: strings(&[
                r"^(?:(?:19|20)\d\d\s*年)?(?:中华人民共和国|中国人民政治协商会议|政协)?(?:全国|国务院|\p{Han}{1,10}?(?:省|市|自治区|自治州|州|盟|县|区|旗))?(?:政协)?(?:第?[一二三四五六七八九十]+届(?:委员会)?)?(?:人民代表大会常务委员会|人大常委会|委员会常务委员会|常务委员会|常委会|人民政府|政府|人民法院|人民检察院|高级人民法院|人民检察院)工作报告$",
            ]),
            heading_pattern: r"^\s*([一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|\d{1,2}[.．、]|第[一二三四五六七八九十百]+[章节部分条篇])".to_string(),
            min_report_chars: 300,
            body_rules: vec![
                BodyRule { body: "cppcc".into(), title: r"政协|政治协商会议|委员会常务委员会".into() },
                BodyRule { body: "npc".into(), title: r"人民代表大会|人大".into() },
                BodyRule { body: "court".into(), title: r"法院".into() },
                BodyRule { body: "procuratorate".into(), title: r"检察院".into() },
                BodyRule { body: "government".into(), title: r"政府|国务院".into() },
                BodyRule { body: "party".into(), title: r"中国共产党|共产党|党委|省委|市委|县委|党代会|代表大会上的报告".into() },
            ],
            media_body: "media".to_string(),
            media_pattern: r"^\s*(本报讯|本台消息|新华社\S{0,12}电|人民网\S{0,12}电|央视网消息|据\S{1,10}报道|[（(]\s*记者)".to_string(),
            provincial_regions: strings(&[
                "北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省",
                "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省",
                "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省",
                "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区",
                "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区",
            ]),
        }
    }
}

impl Config {
    /// Checks that the shares are shares, between 0 and 1 (a NaN is none), and that every
    /// pattern compiles: what a tool checks before it starts the stage.
    pub fn validate(&self) -> Result<(), crate::Error> {
        self.validate_shares()?;
        crate::Rules::new(self, Default::default()).map(drop)
    }

    /// The shares of [`Config::validate`]: the stage itself checks these first, and its
    /// patterns where it compiles them.
    pub(crate) fn validate_shares(&self) -> Result<(), crate::Error> {
        for (key, v) in [
            ("max_invalid_share", self.max_invalid_share),
            ("boilerplate_min_share", self.boilerplate_min_share),
            (
                "boilerplate_block_min_share",
                self.boilerplate_block_min_share,
            ),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(crate::Error::Config {
                    key,
                    reason: format!("{v} is not a share between 0 and 1"),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_out_of_range_are_refused() {
        assert!(Config::default().validate().is_ok());
        for bad in [
            Config {
                max_invalid_share: 2.0,
                ..Config::default()
            },
            Config {
                boilerplate_min_share: f64::NAN,
                ..Config::default()
            },
            Config {
                boilerplate_block_min_share: -0.1,
                ..Config::default()
            },
        ] {
            assert!(matches!(bad.validate(), Err(crate::Error::Config { .. })));
        }
    }
}
