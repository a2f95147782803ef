//! Metadata of a report: from `manifest.tsv` beside the files when there is one, otherwise
//! inferred from the title and the opening of the text. Unknown fields stay empty rather than
//! guessed.

use std::collections::BTreeMap;

use regex::Regex;
use tifa_core::{Meta, Skipped};

use crate::Config;

/// One row of a manifest: the title it gives (if any) and the metadata.
#[derive(Debug, Clone, Default)]
pub struct ManifestRow {
    /// Where the row is: the manifest and its line, for warnings.
    pub at: String,
    /// Title column.
    pub title: Option<String>,
    /// Metadata columns.
    pub meta: Meta,
}

/// Years a manifest may give; anything else is a mistake, ignored with a warning.
const YEARS: std::ops::RangeInclusive<u16> = 1000..=2999;

/// Parses a `manifest.tsv` found in folder `dir` (relative, `""` for the corpus folder).
/// Returns rows keyed by the file's path relative to the corpus folder. A row naming a path
/// outside its folder (`..`, absolute) is refused and reported in `skipped`; a year that is
/// not one (`abc`, `0`), and a second row for a file (the last is kept), are said in `warnings`.
pub fn parse_manifest(
    text: &str,
    dir: &str,
    manifest_rel: &str,
    skipped: &mut Vec<Skipped>,
    warnings: &mut Vec<String>,
) -> BTreeMap<String, ManifestRow> {
    let mut rows = BTreeMap::new();
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return rows;
    };
    let cols: Vec<&str> = header
        .trim_start_matches('\u{FEFF}')
        .split('\t')
        .map(str::trim)
        .collect();
    for (i, c) in cols.iter().enumerate() {
        if !c.is_empty() && cols[..i].contains(c) {
            warnings.push(format!(
                "{manifest_rel}:1: column `{c}` appears twice; the last is used"
            ));
        }
    }
    let Some(file_col) = cols.iter().position(|c| *c == "file") else {
        skipped.push(Skipped {
            source: manifest_rel.to_string(),
            reason: "manifest has no `file` column".into(),
        });
        return rows;
    };
    for (n, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').map(str::trim).collect();
        let written = fields.get(file_col).copied().unwrap_or("");
        // `./2024.txt` names the same file as `2024.txt`.
        let file = &written
            .split(['/', '\\'])
            .filter(|part| *part != ".")
            .collect::<Vec<_>>()
            .join("/");
        let safe = !file.is_empty()
            && !file.starts_with('/')
            && !file.starts_with('\\')
            && !file.contains(':')
            && file
                .split(['/', '\\'])
                .all(|part| part != ".." && part != "." && !part.is_empty());
        if !safe {
            skipped.push(Skipped {
                source: format!("{manifest_rel}:{}", n + 2),
                reason: format!(
                    "manifest row refused: `{written}` is not a file inside the corpus folder"
                ),
            });
            continue;
        }
        let at = format!("{manifest_rel}:{}", n + 2);
        if fields.len() > cols.len() && fields[cols.len()..].iter().any(|f| !f.is_empty()) {
            warnings.push(format!(
                "{at}: {} fields where the header names {}; the rest are ignored",
                fields.len(),
                cols.len()
            ));
        }
        let mut row = ManifestRow {
            at: at.clone(),
            ..ManifestRow::default()
        };
        for (i, col) in cols.iter().enumerate() {
            let v = fields.get(i).copied().unwrap_or("");
            if i == file_col || v.is_empty() {
                continue;
            }
            match *col {
                "title" => row.title = Some(v.to_string()),
                "region" => row.meta.region = Some(v.to_string()),
                "level" => row.meta.level = Some(v.to_string()),
                "body" => row.meta.body = Some(v.to_string()),
                "year" => {
                    row.meta.year = v.parse().ok().filter(|y| YEARS.contains(y));
                    if row.meta.year.is_none() {
                        warnings.push(format!(
                            "{at}: year `{v}` is not a year; ignored (the date's year, else the text's, is used)"
                        ));
                    }
                }
                "date" => {
                    if tifa_core::When::parse(v).is_none() {
                        warnings.push(format!(
                            "{at}: date `{v}` is not a date (YYYY-MM-DD or YYYY-MM); the year is used"
                        ));
                    }
                    row.meta.extra.insert("date".into(), v.to_string());
                }
                other => {
                    row.meta.extra.insert(other.to_string(), v.to_string());
                }
            }
        }
        // A date gives the year of a row without one; a year the date contradicts is warned
        // of, as the series of `tifa diff` follow the date and the tables the year.
        let date = row
            .meta
            .extra
            .get("date")
            .and_then(|d| tifa_core::When::parse(d));
        if let Some(date) = date {
            let of_date = date.years.floor() as u16;
            match row.meta.year {
                None if YEARS.contains(&of_date) => row.meta.year = Some(of_date),
                None => warnings.push(format!(
                    "{at}: date {} gives no year of the reports ({}-{}); the year is left empty",
                    date.text,
                    YEARS.start(),
                    YEARS.end()
                )),
                Some(year) if year != of_date => warnings.push(format!(
                    "{at}: year {year} and date {} disagree; the year is not changed",
                    date.text
                )),
                _ => {}
            }
        }
        let key = if dir.is_empty() {
            file.replace('\\', "/")
        } else {
            format!("{dir}/{}", file.replace('\\', "/"))
        };
        if let Some(first) = rows.insert(key, row) {
            warnings.push(format!(
                "{at}: a second row for `{file}` (the first at {}); the last is used",
                first.at
            ));
        }
    }
    rows
}

/// Compiled inference rules.
pub struct Infer {
    body: Vec<(String, Regex)>,
    titles: Vec<Regex>,
    media: Regex,
    media_body: String,
    provinces: Vec<String>,
    region: Regex,
    region_any: Regex,
    year_in_title: Regex,
    dated: Regex,
    review: Regex,
    review_heading: Regex,
    year_opening: Regex,
}

/// The endings of a region's name in a report's title.
const REGION_SUFFIX: &str = "特别行政区|自治区|自治州|自治县|省|市|州|盟|县|区|旗";
/// What follows a region's name in a report's title: the region is the shortest name ending
/// in a [`REGION_SUFFIX`] that one of these follows, so that 贵州省人民政府 is 贵州省 and
/// 杭州市人民代表大会 杭州市, not 贵州 and 杭州 (州 is an ending too: 甘孜州人民政府).
const REGION_FOLLOWER: &str =
    "人民|人大|政府|政协|党委|委员会|常务委员会|常委会|第|国民经济|预算|财政|关于|工作|年|[0-9]|$";

impl Infer {
    /// Compiles the rules of a config.
    pub fn new(config: &Config) -> Result<Infer, crate::Error> {
        let body = config
            .body_rules
            .iter()
            .map(|r| Ok((r.body.clone(), crate::compile("body_rules", &r.title)?)))
            .collect::<Result<_, crate::Error>>()?;
        Ok(Infer {
            body,
            titles: config
                .title_patterns
                .iter()
                .map(|p| crate::compile("title_patterns", p))
                .collect::<Result<_, _>>()?,
            media: crate::compile("media_pattern", &config.media_pattern)?,
            media_body: config.media_body.clone(),
            provinces: config.provincial_regions.clone(),
            region: Regex::new(&format!(
                r"^(?:政协|中国人民政治协商会议)?(\p{{Han}}{{1,7}}?(?:{REGION_SUFFIX}))(?:{REGION_FOLLOWER})"
            ))
            .map_err(|e| crate::Error::Pattern { key: "region".into(), message: e.to_string() })?,
            region_any: Regex::new(&format!(
                r"^(?:政协|中国人民政治协商会议)?(\p{{Han}}{{1,7}}?(?:{REGION_SUFFIX}))"
            ))
            .map_err(|e| crate::Error::Pattern { key: "region".into(), message: e.to_string() })?,
            year_in_title: Regex::new(r"((?:19|20)\d\d)\s*年").map_err(|e| crate::Error::Pattern {
                key: "year".into(),
                message: e.to_string(),
            })?,
            dated: Regex::new(r"^[（(]\s*((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[）)]$")
                .map_err(|e| crate::Error::Pattern { key: "year".into(), message: e.to_string() })?,
            review: Regex::new(
                r"^(?:[一二三四五六七八九十]+、)?((?:19|20)\d\d)年(?:工作回顾|主要工作|工作总结)",
            )
            .map_err(|e| crate::Error::Pattern { key: "year".into(), message: e.to_string() })?,
            review_heading: Regex::new(r"过去一年|一年来|以来的主要工作|工作回顾")
                .map_err(|e| crate::Error::Pattern { key: "year".into(), message: e.to_string() })?,
            year_opening: Regex::new(r"^(?:刚刚过去的|过去的)?((?:19|20)\d\d)年")
                .map_err(|e| crate::Error::Pattern { key: "year".into(), message: e.to_string() })?,
        })
    }

    /// True when a paragraph opens like a news story (`本报讯`, a news-agency dateline).
    pub fn is_news_opening(&self, paragraph: &str) -> bool {
        self.media.is_match(paragraph)
    }

    /// Infers metadata from a title and the report's paragraphs.
    /// `news` says a news byline or dateline was removed from the text.
    pub fn infer(&self, title: &str, paragraphs: &[String], news: bool) -> Meta {
        let mut meta = Meta::default();
        let is_report_title = self.titles.iter().any(|re| re.is_match(title));
        let media = news || paragraphs.iter().take(3).any(|p| self.media.is_match(p));
        if !is_report_title && media {
            meta.body = Some(self.media_body.clone());
        } else {
            meta.body = self
                .body
                .iter()
                .find(|(_, re)| re.is_match(title))
                .map(|(b, _)| b.clone());
        }
        // A leading number (a list's `1.`) or year (`2024年`) is not part of the region.
        let t = title.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        let t = match t.strip_prefix('年') {
            Some(rest) if t.len() < title.len() => rest.trim_start(),
            _ => t,
        };
        if t.starts_with("全国")
            || t.starts_with("国务院")
            || t.starts_with("中华人民共和国")
            || t.starts_with("中国共产党第")
        {
            meta.region = Some("全国".into());
            meta.level = Some("national".into());
        } else if let Some(m) = [&self.region, &self.region_any]
            .iter()
            .find_map(|re| re.captures(t))
            .and_then(|c| c.get(1))
            .filter(|_| is_report_title)
        {
            let region = m.as_str().to_string();
            let level = if self.provinces.contains(&region) {
                "provincial"
            } else if region.ends_with('县')
                || region.ends_with('旗')
                || region.ends_with('区') && !region.ends_with("自治区")
            {
                "county"
            } else if region.ends_with('省') || region.ends_with("自治区") {
                "provincial"
            } else {
                "city"
            };
            meta.region = Some(region);
            meta.level = Some(level.into());
        }
        meta.year = self
            .year_in_title
            .captures(title)
            .and_then(|c| c[1].parse().ok())
            .or_else(|| {
                paragraphs.iter().take(8).find_map(|p| {
                    self.dated
                        .captures(p.trim())
                        .and_then(|c| c[1].parse().ok())
                })
            })
            .or_else(|| {
                // "2022年工作回顾" opens the review of the year before the report was given.
                paragraphs.iter().take(12).find_map(|p| {
                    self.review
                        .captures(p.trim())
                        .and_then(|c| c[1].parse::<u16>().ok())
                        .map(|y| y + 1)
                })
            })
            .or_else(|| {
                // A review heading ("过去一年的主要工作", "一年来…") followed by a paragraph that
                // opens with the year reviewed ("2022年，…", "刚刚过去的2022年…"): a work
                // report is given the year after the one it reviews.
                let head = paragraphs.iter().take(12).collect::<Vec<_>>();
                head.windows(2).find_map(|w| {
                    let heading = w[0].trim();
                    if heading.chars().count() > 20 || !self.review_heading.is_match(heading) {
                        return None;
                    }
                    self.year_opening
                        .captures(w[1].trim())
                        .and_then(|c| c[1].parse::<u16>().ok())
                        .map(|y| y + 1)
                })
            });
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each manifest row's file and year.
    fn years_of(rows: &BTreeMap<String, ManifestRow>) -> Vec<(&str, Option<u16>)> {
        rows.iter()
            .map(|(k, r)| (k.as_str(), r.meta.year))
            .collect()
    }

    fn infer(title: &str, paras: &[&str]) -> Meta {
        let i = Infer::new(&Config::default()).unwrap();
        let p: Vec<String> = paras.iter().map(|s| s.to_string()).collect();
        i.infer(title, &p, false)
    }

    #[test]
    fn infers_the_year_from_the_review_of_the_year_before() {
        let m = infer(
            "某市人民代表大会常务委员会工作报告",
            &[
                "各位代表：",
                "过去一年的主要工作",
                "刚刚过去的2022年，是关键之年。",
            ],
        );
        assert_eq!(m.year, Some(2023));
        let m = infer(
            "某市政协常务委员会工作报告",
            &["各位委员：", "一、2021年工作回顾"],
        );
        assert_eq!(m.year, Some(2022));
        // A year in running text, without a review heading before it, says nothing.
        let m = infer(
            "某市人民代表大会常务委员会工作报告",
            &["各位代表：", "2022年，我们开展了工作。"],
        );
        assert_eq!(m.year, None);
    }

    #[test]
    fn infers_body_region_level_year() {
        let m = infer(
            "白城市人民代表大会常务委员会工作报告",
            &["各位代表：", "2022年工作回顾"],
        );
        assert_eq!(
            (
                m.region.as_deref(),
                m.level.as_deref(),
                m.body.as_deref(),
                m.year
            ),
            (Some("白城市"), Some("city"), Some("npc"), Some(2023))
        );
        let m = infer("政协襄阳市第十五届委员会常务委员会工作报告", &[]);
        assert_eq!(
            (m.region.as_deref(), m.body.as_deref()),
            (Some("襄阳市"), Some("cppcc"))
        );
        let m = infer("鹰潭市第十届委员会常务委员会工作报告", &[]);
        assert_eq!(m.body.as_deref(), Some("cppcc"));
        let m = infer("北京市人民代表大会常务委员会工作报告", &[]);
        assert_eq!(m.level.as_deref(), Some("provincial"));
        // 州 ends a name (甘孜州) but is also inside one (贵州省, 杭州市).
        for (title, region, level) in [
            ("贵州省人民政府工作报告", "贵州省", "provincial"),
            ("杭州市人民代表大会常务委员会工作报告", "杭州市", "city"),
            (
                "政协郑州市第十五届委员会常务委员会工作报告",
                "郑州市",
                "city",
            ),
            ("甘孜州人民政府工作报告", "甘孜州", "city"),
            (
                "黔东南苗族侗族自治州人民政府工作报告",
                "黔东南苗族侗族自治州",
                "city",
            ),
            ("广州市越秀区人民政府工作报告", "广州市越秀区", "county"),
            ("2024年苏州市人民政府工作报告", "苏州市", "city"),
        ] {
            let m = infer(title, &[]);
            assert_eq!(
                (m.region.as_deref(), m.level.as_deref()),
                (Some(region), Some(level)),
                "{title}"
            );
        }
        let m = infer("全国人民代表大会常务委员会工作报告", &["（2023年3月7日）"]);
        assert_eq!(
            (m.region.as_deref(), m.level.as_deref(), m.year),
            (Some("全国"), Some("national"), Some(2023))
        );
        let m = infer(
            "骆惠宁在省委政法工作会议上强调",
            &["本报讯（记者尚慧辉）2月19日下午"],
        );
        assert_eq!((m.body.as_deref(), m.region), (Some("media"), None));
    }

    #[test]
    fn manifest_refuses_paths_outside_the_folder() {
        let text = "file\ttitle\tyear\tregion\tlevel\tbody\tsource\na.txt\t甲报告\t2020\t北京市\tprovincial\tgovernment\tx\n../etc/passwd\tt\t\t\t\t\t\n/abs.txt\tt\t\t\t\t\t\nsub/../../b.txt\tt\t\t\t\t\t\n";
        let (mut skipped, mut warnings) = (Vec::new(), Vec::new());
        let rows = parse_manifest(text, "", "manifest.tsv", &mut skipped, &mut warnings);
        assert_eq!(rows.len(), 1);
        let r = &rows["a.txt"];
        assert_eq!(r.title.as_deref(), Some("甲报告"));
        assert_eq!(r.meta.year, Some(2020));
        assert_eq!(r.meta.extra.get("source").map(String::as_str), Some("x"));
        assert_eq!(skipped.len(), 3);
        assert!(skipped[0].reason.contains("refused"));
        assert!(warnings.is_empty());
    }

    #[test]
    fn a_manifest_date_gives_the_year_and_a_contradicting_year_is_warned_of() {
        let text = "file\tyear\tdate\n./a.txt\t\t2025-03-05\nb.txt\t20x5\t2025-03\nc.txt\t2024\t2019-03-05\nsub/./d.txt\t2023\t2023-03-01\ne.txt\t\t3000-01-01\n";
        let (mut skipped, mut warnings) = (Vec::new(), Vec::new());
        let rows = parse_manifest(text, "", "manifest.tsv", &mut skipped, &mut warnings);
        assert!(skipped.is_empty(), "{skipped:?}");
        let years = years_of(&rows);
        assert_eq!(
            years,
            [
                ("a.txt", Some(2025)),
                ("b.txt", Some(2025)),
                ("c.txt", Some(2024)),
                ("e.txt", None),
                ("sub/d.txt", Some(2023))
            ]
        );
        assert_eq!(
            warnings,
            [
                "manifest.tsv:3: year `20x5` is not a year; ignored (the date's year, else the text's, is used)",
                "manifest.tsv:4: year 2024 and date 2019-03-05 disagree; the year is not changed",
                "manifest.tsv:6: date 3000-01-01 gives no year of the reports (1000-2999); the year is left empty",
            ]
        );
    }

    #[test]
    fn manifest_mistakes_are_warned_of() {
        let text = "file\tyear\na.txt\tabc\nb.txt\t0\nc.txt\t2020\nc.txt\t2021\nd.txt\t1999\n";
        let (mut skipped, mut warnings) = (Vec::new(), Vec::new());
        let rows = parse_manifest(text, "", "manifest.tsv", &mut skipped, &mut warnings);
        assert!(skipped.is_empty());
        let years = years_of(&rows);
        assert_eq!(
            years,
            [
                ("a.txt", None),
                ("b.txt", None),
                ("c.txt", Some(2021)),
                ("d.txt", Some(1999))
            ]
        );
        assert_eq!(
            warnings,
            [
                "manifest.tsv:2: year `abc` is not a year; ignored (the date's year, else the text's, is used)",
                "manifest.tsv:3: year `0` is not a year; ignored (the date's year, else the text's, is used)",
                "manifest.tsv:5: a second row for `c.txt` (the first at manifest.tsv:4); the last is used",
            ]
        );
    }

    #[test]
    fn manifest_mistakes_in_columns_and_dates_are_warned_of() {
        let text = "file\tyear\tdate\tyear\na.txt\t2020\t2022-02-30\t2021\nb.txt\t2020\t05/01/2022\nc.txt\t2020\t2022-03\t2020\textra\n";
        let (mut skipped, mut warnings) = (Vec::new(), Vec::new());
        let rows = parse_manifest(text, "", "manifest.tsv", &mut skipped, &mut warnings);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            warnings,
            [
                "manifest.tsv:1: column `year` appears twice; the last is used",
                "manifest.tsv:2: date `2022-02-30` is not a date (YYYY-MM-DD or YYYY-MM); the year is used",
                "manifest.tsv:3: date `05/01/2022` is not a date (YYYY-MM-DD or YYYY-MM); the year is used",
                "manifest.tsv:4: 5 fields where the header names 4; the rest are ignored",
                "manifest.tsv:4: year 2020 and date 2022-03 disagree; the year is not changed",
            ]
        );
        assert_eq!(rows["a.txt"].meta.year, Some(2021));
        assert_eq!(
            rows["c.txt"].meta.given_date().map(|w| w.text),
            Some("2022-03".into())
        );
        assert_eq!(rows["a.txt"].meta.given_date(), None);
    }
}
