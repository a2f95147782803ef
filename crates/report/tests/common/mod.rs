//! A hand-built comparison for the report tests: realistic slogans from official reports, a
//! few reports with years, regions and bodies, one group comparison, and hostile strings in
//! every place corpus text reaches (phrases, titles, file names, keyword-in-context lines,
//! settings, group names and the group field).

#![allow(dead_code)]

use std::collections::BTreeMap;

use tifa_core::{
    Comparison, CorpusSummary, DocInfo, GroupComparison, GroupInfo, GroupRow, Kind, Kwic, Meta,
    Slogan,
};

/// A script that would mark the page if it ever ran.
pub const XSS_SCRIPT: &str = "<script>document.body.setAttribute('data-pwned','script')</script>";
/// An attribute break-out that would mark the page if it ever ran.
pub const XSS_IMG: &str =
    "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">";

fn doc(id: &str, title: &str, region: &str, body: &str, year: u16) -> DocInfo {
    DocInfo {
        id: id.to_string(),
        title: title.to_string(),
        source: id.split('#').next().unwrap_or(id).to_string(),
        meta: Meta {
            region: Some(region.to_string()),
            level: Some(
                if region == "全国" {
                    "national"
                } else {
                    "provincial"
                }
                .to_string(),
            ),
            body: Some(body.to_string()),
            year: Some(year),
            extra: BTreeMap::new(),
        },
        tokens: 20_000 + year as u64,
        chars: 30_000 + year as u64 * 3,
    }
}

fn slogan(
    phrase: &str,
    kind: Kind,
    per_doc: &[(u32, u32)],
    docs: &[DocInfo],
    kwic: Vec<Kwic>,
) -> Slogan {
    let df = per_doc.len() as u32;
    let tf = per_doc.iter().map(|p| p.1).sum();
    let mut years: BTreeMap<u16, u32> = BTreeMap::new();
    for &(d, _) in per_doc {
        if let Some(y) = docs[d as usize].meta.year {
            *years.entry(y).or_default() += 1;
        }
    }
    Slogan {
        rank: 0,
        phrase: phrase.into(),
        kind,
        df,
        df_pct: 100.0 * df as f64 / docs.len() as f64,
        tf,
        score: 0.5 + phrase.chars().count() as f64 / 40.0,
        dp: 1.0 / (1.0 + df as f64),
        cohesion: 0.8123456,
        left_entropy: 2.25,
        right_entropy: 1.9,
        quoted_share: if kind == Kind::Quoted { 0.9 } else { 0.0 },
        evidence: kind.name().into(),
        n_tokens: 2,
        first_year: years.keys().next().copied(),
        last_year: years.keys().next_back().copied(),
        first_date: None,
        last_date: None,
        family: phrase.into(),
        members: Vec::new(),
        per_doc: per_doc.into(),
        per_year: years.into_iter().collect(),
        kwic,
    }
}

fn kw(doc: u32, left: &str, phrase: &str, right: &str) -> Kwic {
    Kwic::new(doc, left, phrase, right)
}

/// The sample comparison.
pub fn sample() -> Comparison {
    let docs = vec![
        doc(
            "national/2015.txt",
            "2015年政府工作报告",
            "全国",
            "government",
            2015,
        ),
        doc(
            "national/2017.txt",
            "2017年政府工作报告",
            "全国",
            "government",
            2017,
        ),
        doc(
            "national/2019.txt",
            "2019年政府工作报告",
            "全国",
            "government",
            2019,
        ),
        doc(
            "national/2022.txt",
            "2022年政府工作报告",
            "全国",
            "government",
            2022,
        ),
        doc(
            "npc/beijing-2023.txt#1",
            "北京市人大常委会工作报告",
            "北京市",
            "npc",
            2023,
        ),
        doc(
            "npc/shanghai-2023.txt#2",
            "上海市人大常委会工作报告",
            "上海市",
            "npc",
            2023,
        ),
        doc(
            &format!("hostile/{XSS_IMG}.txt"),
            &format!("恶意标题{XSS_SCRIPT}"),
            XSS_IMG,
            "npc",
            2024,
        ),
    ];
    let mut slogans = vec![
        slogan(
            "四个意识",
            Kind::Numbered,
            &[(1, 3), (2, 2), (3, 2), (4, 1), (5, 1), (6, 1)],
            &docs,
            vec![
                kw(
                    1,
                    "全面从严治党，牢固树立",
                    "四个意识",
                    "，坚定“四个自信”，做到“两个维护”",
                ),
                kw(4, "常委会党组带头增强", "四个意识", "、坚定四个自信"),
            ],
        ),
        slogan(
            "有件必备、有备必审、有错必纠",
            Kind::Enumeration,
            &[(4, 2), (5, 1), (6, 1)],
            &docs,
            vec![kw(
                5,
                "坚持",
                "有件必备、有备必审、有错必纠",
                "，加强备案审查",
            )],
        ),
        slogan(
            "全过程人民民主",
            Kind::Term,
            &[(3, 4), (4, 6), (5, 5), (6, 2)],
            &docs,
            vec![kw(4, "发展", "全过程人民民主", "，保障人民当家作主")],
        ),
        slogan(
            "两个维护",
            Kind::Quoted,
            &[(2, 1), (3, 2), (4, 1), (5, 1), (6, 1)],
            &docs,
            vec![kw(2, "做到“", "两个维护", "”")],
        ),
        slogan(
            "一府一委两院",
            Kind::Numbered,
            &[(4, 2), (5, 3)],
            &docs,
            vec![kw(4, "依法监督", "一府一委两院", "工作")],
        ),
        slogan(
            "更加紧密地团结在以习近平同志为核心的党中央周围",
            Kind::Formula,
            &[(1, 1), (2, 1), (3, 1), (4, 1), (5, 1)],
            &docs,
            vec![kw(
                3,
                "让我们",
                "更加紧密地团结在以习近平同志为核心的党中央周围",
                "，砥砺前行",
            )],
        ),
        slogan(
            "四个全面",
            Kind::Numbered,
            &[(0, 2), (1, 1), (2, 1), (3, 1)],
            &docs,
            vec![kw(0, "协调推进", "四个全面", "战略布局")],
        ),
        slogan(
            XSS_SCRIPT,
            Kind::Quoted,
            &[(6, 2), (5, 1)],
            &docs,
            vec![kw(6, XSS_IMG, XSS_SCRIPT, "</script><!--\t\n")],
        ),
        slogan(
            "=HYPERLINK(\"x\")|a\tb",
            Kind::Term,
            &[(6, 2), (0, 1)],
            &docs,
            vec![kw(6, "左\n", "=HYPERLINK(\"x\")|a\tb", "右")],
        ),
    ];
    slogans[1].family = "有件必备、有备必审".into();
    // Rank as the compare stage does: df, then tf descending, then phrase.
    slogans.sort_by(|a, b| {
        b.df.cmp(&a.df)
            .then(b.tf.cmp(&a.tf))
            .then(a.phrase.cmp(&b.phrase))
    });
    for (i, s) in slogans.iter_mut().enumerate() {
        s.rank = i as u32 + 1;
    }

    let groups = vec![GroupComparison {
        field: format!("body/../{XSS_IMG}"),
        groups: vec![
            GroupInfo {
                name: "government".into(),
                n_docs: 4,
            },
            GroupInfo {
                name: XSS_SCRIPT.into(),
                n_docs: 3,
            },
        ],
        rows: vec![
            GroupRow {
                group: "government".into(),
                phrase: "四个全面".into(),
                df: 4,
                df_pct: 100.0,
                df_rest: 0,
                g2: 9.56,
                log_ratio: 3.17,
            },
            GroupRow {
                group: XSS_SCRIPT.into(),
                phrase: "一府一委两院".into(),
                df: 2,
                df_pct: 66.666_666,
                df_rest: 0,
                g2: 5.12,
                log_ratio: 2.32,
            },
            GroupRow {
                group: XSS_SCRIPT.into(),
                phrase: XSS_SCRIPT.into(),
                df: 2,
                df_pct: 66.666_666,
                df_rest: 0,
                g2: 5.12,
                log_ratio: -0.0,
            },
        ],
    }];

    let mut settings = BTreeMap::new();
    settings.insert("min_df".to_string(), "2".to_string());
    settings.insert("group_by".to_string(), format!("body {XSS_IMG}"));
    Comparison {
        summary: CorpusSummary {
            n_docs: docs.len() as u32,
            n_chars: docs.iter().map(|d| d.chars).sum(),
            n_tokens: docs.iter().map(|d| d.tokens).sum(),
            n_phrases: 123_456,
            n_skipped: 1,
            years: Some((2015, 2024)),
        },
        settings,
        docs,
        slogans,
        groups,
    }
}
