//! Splitting a file into reports and cleaning each one. A compilation file holds many reports,
//! each opening with a title line (`…人民代表大会常务委员会工作报告`, `…政协…常务委员会工作报告`,
//! `…政府工作报告`); a table of contents lists the same titles with no text between them, so a
//! title followed by too little text is a contents entry, not a report. A file with fewer than
//! two real titles is one report.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use tifa_core::{CleanLogRow, Document};

use crate::meta::ManifestRow;
use crate::{normalise, reflow, Cleaned, Config, Prepared, Rules};

/// A title line with any list numbering in front (`11.`) removed, if the line is a title.
fn title_of<'a>(line: &'a str, rules: &Rules) -> Option<&'a str> {
    // Titles are short: a byte bound rules out long lines before any regex runs.
    if line.len() > 240 {
        return None;
    }
    let t = line.trim();
    if t.is_empty() || t.chars().count() > 60 {
        return None;
    }
    // A list's number before a title (`1. `, `2、`) is not part of it; a year (`2025年`) is.
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let t = if digits > 0 && t[digits..].starts_with(['.', '．', '、', ' ']) {
        t[digits..].trim_start_matches(['.', '．', '、', ' '])
    } else {
        t
    };
    rules.titles.iter().any(|re| re.is_match(t)).then_some(t)
}

fn bump(map: &mut BTreeMap<String, u64>, reason: &str, n: u64) {
    if n > 0 {
        *map.entry(reason.to_string()).or_insert(0) += n;
    }
}

/// Cleans one file, whose reports are called `name`, into its reports.
pub(crate) fn clean_file(
    file: usize,
    name: &str,
    p: &Prepared,
    row: Option<&ManifestRow>,
    rules: &Rules,
    config: &Config,
) -> Vec<Cleaned> {
    let n = p.lines.len();
    let mut reason: Vec<Option<String>> = p
        .lines
        .iter()
        .map(|l| rules.line_reason(l, config))
        .collect();
    crate::blocks::mark(&p.lines, &rules.blocks, config, &mut reason);
    // Title lines, then sections between them; a section with too little text is a contents entry.
    let is_title: Vec<bool> = (0..n)
        .map(|i| reason[i].is_none() && title_of(&p.lines[i], rules).is_some())
        .collect();
    let titles: Vec<usize> = (0..n).filter(|&i| is_title[i]).collect();
    let text_chars: Vec<usize> = (0..n)
        .map(|i| match reason[i] {
            None if !is_title[i] => p.lines[i].trim().chars().count(),
            _ => 0,
        })
        .collect();
    let mut starts = Vec::new();
    for (k, &t) in titles.iter().enumerate() {
        let end = titles.get(k + 1).copied().unwrap_or(n);
        if text_chars[t + 1..end].iter().sum::<usize>() >= config.min_report_chars {
            starts.push(t);
        } else {
            reason[t] = Some("toc".into());
        }
    }
    let sections: Vec<(usize, usize, Option<usize>)> = if starts.len() >= 2 {
        // Text before the first title of a compilation is the site's header and contents.
        for r in reason.iter_mut().take(starts[0]) {
            if r.is_none() {
                *r = Some("preamble".into());
            }
        }
        (0..starts.len())
            .map(|k| {
                (
                    if k == 0 { 0 } else { starts[k] },
                    starts.get(k + 1).copied().unwrap_or(n),
                    Some(starts[k]),
                )
            })
            .collect()
    } else {
        // Restore contents entries: in a single report a title-like line is just text.
        for &t in &titles {
            if reason[t].as_deref() == Some("toc") && Some(&t) != starts.first() {
                reason[t] = None;
            }
        }
        running_headers(p, &mut reason, rules, config);
        vec![(0, n, starts.first().copied())]
    };
    let of = sections.len();
    let mut out = Vec::new();
    for (position, &(from, to, title_line)) in sections.iter().enumerate() {
        let mut removed = BTreeMap::new();
        let mut chars_in = 0u64;
        let mut kept: Vec<&str> = Vec::new();
        for (i, why) in reason.iter().enumerate().take(to).skip(from) {
            chars_in += p.raw_chars[i] as u64;
            bump(&mut removed, "mojibake", p.mojibake[i] as u64);
            match why {
                Some(r) => bump(&mut removed, r, 1),
                None => kept.push(&p.lines[i]),
            }
        }
        let mut paras = reflow::paragraphs(&kept, &rules.heading, config.reflow);
        // Newspaper pages carry other stories after a report: a news opening (本报讯, a
        // news-agency dateline) well inside a report that has a report title starts one, and
        // it runs to the end of the file together with the headline just before it.
        let report_title = title_line.is_some()
            || infer_title(&paras, rules) != paras.first().cloned().unwrap_or_default();
        if report_title {
            if let Some(k) = (3..paras.len()).find(|&k| rules.infer.is_news_opening(&paras[k])) {
                let mut from = k;
                while from > 3
                    && paras[from - 1].chars().count() <= 40
                    && !paras[from - 1].contains('。')
                {
                    from -= 1;
                }
                bump(&mut removed, "stray_article", (paras.len() - from) as u64);
                paras.truncate(from);
            }
        }
        let edge = config.span_pattern_edge_paragraphs;
        let count = paras.len();
        for (k, para) in paras.iter_mut().enumerate() {
            let mut s = normalise::strip_inline(para, &mut removed);
            s = normalise::punctuation_and_spaces(&s);
            if k < edge || k + edge >= count {
                for (why, re) in &rules.span {
                    if re.is_match(&s) {
                        let before = s.len();
                        s = re.replace_all(&s, "${keep}").into_owned();
                        if s.len() != before {
                            bump(&mut removed, why, 1);
                        }
                    }
                }
            }
            if config.traditional_to_simplified {
                s = zhconv::zhconv(&s, zhconv::Variant::ZhHans);
            }
            *para = s.trim().to_string();
        }
        // A paragraph without a letter, digit or Chinese character is debris (a lone bullet).
        paras.retain(|s| s.chars().any(|c| c.is_alphanumeric()));
        if paras.is_empty() {
            continue;
        }
        let title = match title_line {
            Some(t) => {
                let raw = title_of(&p.lines[t], rules).unwrap_or(&p.lines[t]);
                let cleaned = normalise::punctuation_and_spaces(raw);
                if config.traditional_to_simplified {
                    zhconv::zhconv(&cleaned, zhconv::Variant::ZhHans)
                } else {
                    cleaned
                }
            }
            None => infer_title(&paras, rules),
        };
        // The numbered contents form of a title (`11.漯河…`) is not part of the text.
        if let Some(t) = title_line {
            if let Some(first) = paras.first_mut() {
                if first.as_str() != title
                    && first.ends_with(title.as_str())
                    && p.lines[t].trim() != title
                {
                    *first = title.clone();
                }
            }
        }
        let news = removed.contains_key("byline");
        let mut meta = rules.infer.infer(&title, &paras, news);
        let mut title = title;
        if let Some(row) = row {
            let m = &row.meta;
            if of == 1 {
                if let Some(t) = &row.title {
                    title = t.clone();
                }
                meta.region = m.region.clone().or(meta.region);
                meta.level = m.level.clone().or(meta.level);
                meta.body = m.body.clone().or(meta.body);
                meta.year = m.year.or(meta.year);
            } else {
                meta.region = meta.region.or(m.region.clone());
                meta.level = meta.level.or(m.level.clone());
                meta.body = meta.body.or(m.body.clone());
                meta.year = meta.year.or(m.year);
            }
            meta.extra = m.extra.clone();
        }
        let text = paras.join("\n");
        let log = CleanLogRow {
            id: String::new(),
            encoding: p.encoding.to_string(),
            chars_in,
            chars_out: text.chars().count() as u64,
            removed,
        };
        out.push(Cleaned {
            file,
            position,
            of,
            doc: Document {
                id: String::new(),
                title,
                source: name.to_string(),
                meta,
                text,
            },
            log,
        });
    }
    // Sections dropped as empty shift positions; renumber so ids count reports from 1.
    let of = out.len();
    for (k, c) in out.iter_mut().enumerate() {
        c.position = k;
        c.of = of;
    }
    out
}

/// In a single-report file, a short line repeated on many pages is a running header or footer.
fn running_headers(p: &Prepared, reason: &mut [Option<String>], rules: &Rules, config: &Config) {
    let mut counts: HashMap<&str, usize> = HashMap::default();
    for (i, l) in p.lines.iter().enumerate() {
        let t = l.trim();
        if reason[i].is_none()
            && !t.is_empty()
            && t.chars().count() <= 30
            && !t.ends_with(['：', ':', '。'])
            && !rules.heading.is_match(t)
        {
            *counts.entry(t).or_insert(0) += 1;
        }
    }
    for (i, l) in p.lines.iter().enumerate() {
        if reason[i].is_none()
            && counts
                .get(l.trim())
                .is_some_and(|&c| c >= config.running_header_min_repeats)
        {
            reason[i] = Some("running_header".into());
        }
    }
}

/// A title for a report without a title line: a 《…》 title in the opening paragraph (news
/// summaries of reports name them so), else a short opening paragraph, else its first words.
fn infer_title(paras: &[String], rules: &Rules) -> String {
    for para in paras.iter().take(3) {
        let mut rest = para.as_str();
        while let Some(a) = rest.find('《') {
            let after = &rest[a + '《'.len_utf8()..];
            let Some(b) = after.find('》') else { break };
            let inner = &after[..b];
            if rules.titles.iter().any(|re| re.is_match(inner)) {
                return inner.to_string();
            }
            rest = &after[b..];
        }
    }
    for p in paras.iter().take(3) {
        let n = p.chars().count();
        if n <= 60 && !p.contains(['。', '，']) {
            return p.clone();
        }
    }
    paras
        .first()
        .map(|p| p.chars().take(30).collect())
        .unwrap_or_default()
}
