//! What a user checks in the written files: the columns and rows of slogans.tsv and
//! slogans.csv, the schema of slogans.json, the Markdown summary, byte-identical reruns, and
//! that hostile corpus text is inert in every file.

mod common;

use std::fs;
use std::path::Path;

use common::{sample, XSS_IMG, XSS_SCRIPT};
use tifa_core::{Comparison, NoProgress};
use tifa_report::{run, Config, Error};

fn write(cmp: &Comparison, dir: &Path) -> Vec<String> {
    run(cmp, &Config::default(), dir, &NoProgress)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn writes_every_file_sorted_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let names = write(&sample(), dir.path());
    assert!(names[1].starts_with("compare-body_"), "{names:?}");
    assert!(names[1]
        .trim_end_matches(".tsv")
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_'));
    let mut others = names.clone();
    others.remove(1);
    assert_eq!(
        others,
        [
            "adoption.tsv",
            "diff.tsv",
            "diffusion.tsv",
            "leaders.tsv",
            "report.html",
            "slogan-reports.tsv",
            "slogans.csv",
            "slogans.json",
            "slogans.tsv",
            "summary.md"
        ]
    );
    let mut on_disk: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(on_disk, names, "no temporary or stray files");
}

#[test]
fn without_the_diffusion_views_only_the_slogan_files_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        diffusion: false,
        ..Config::default()
    };
    let mut names: Vec<String> = run(&sample(), &config, dir.path(), &NoProgress)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("compare-"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "report.html",
            "slogans.csv",
            "slogans.json",
            "slogans.tsv",
            "summary.md"
        ]
    );
    let json = fs::read_to_string(dir.path().join("slogans.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.get("diffusion").is_none() && v.get("slogans").is_some());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains("How slogans spread"));
    // The slogan rows are the same either way.
    let full = tempfile::tempdir().unwrap();
    write(&sample(), full.path());
    assert_eq!(
        fs::read(dir.path().join("slogans.tsv")).unwrap(),
        fs::read(full.path().join("slogans.tsv")).unwrap()
    );
}

#[test]
fn tsv_has_contract_columns_and_one_clean_row_per_slogan() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = sample();
    write(&cmp, dir.path());
    let tsv = fs::read_to_string(dir.path().join("slogans.tsv")).unwrap();
    let lines: Vec<&str> = tsv.lines().collect();
    let header: Vec<&str> = lines[0].split('\t').collect();
    assert_eq!(
        &header[..10],
        [
            "rank",
            "phrase",
            "kind",
            "df",
            "df_pct",
            "tf",
            "score",
            "dp",
            "first_year",
            "last_year"
        ]
    );
    assert!(header.contains(&"family"));
    assert_eq!(lines.len(), cmp.slogans.len() + 1);
    for (line, s) in lines[1..].iter().zip(&cmp.slogans) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), header.len(), "{line}");
        assert_eq!(f[0], s.rank.to_string());
        assert_eq!(f[3], s.df.to_string());
        assert_eq!(f[5], s.tf.to_string());
    }
    let first: Vec<&str> = lines[1].split('\t').collect();
    assert_eq!(
        &first[..7],
        ["1", "四个意识", "numbered", "6", "85.71", "10", "0.6000"]
    );
    assert_eq!(&first[8..10], ["2017", "2024"]);
    assert!(tsv.contains("有件必备、有备必审、有错必纠\tenumeration\t3\t42.86\t4\t"));
    // The tab and newline inside the hostile phrase and KWIC became spaces.
    assert!(tsv.contains("\t=HYPERLINK(\"x\")|a b\tterm\t"));
}

#[test]
fn csv_has_bom_quoting_and_no_formulas() {
    let dir = tempfile::tempdir().unwrap();
    write(&sample(), dir.path());
    let bytes = fs::read(dir.path().join("slogans.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFrank,phrase,kind,df,df_pct,tf,score,"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(text.contains("\r\n1,四个意识,numbered,6,85.71,10,0.6000,"));
    // A phrase that would be a spreadsheet formula is prefixed with an apostrophe and quoted.
    assert!(
        text.contains(",\"'=HYPERLINK(\"\"x\"\")|a b\",term,"),
        "{text}"
    );
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), sample().slogans.len());
    assert!(records.iter().all(|r| r.len() == 22));
}

#[test]
fn json_has_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = sample();
    write(&cmp, dir.path());
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("slogans.json")).unwrap()).unwrap();
    assert_eq!(v["schema"], "tifa-slogans");
    assert_eq!(v["version"], 2);
    assert_eq!(v["detail_slogans"], cmp.slogans.len());
    assert_eq!(v["corpus"]["n_docs"], 7);
    assert_eq!(v["corpus"]["first_year"], 2015);
    assert_eq!(v["documents"][4]["meta"]["region"], "北京市");
    assert_eq!(v["documents"][4]["id"], "npc/beijing-2023.txt#1");
    let s = &v["slogans"][0];
    assert_eq!(s["rank"], 1);
    assert_eq!(s["phrase"], "四个意识");
    assert_eq!(s["kind"], "numbered");
    assert_eq!(s["df_pct"], 85.71);
    assert_eq!(s["cohesion"], 0.8123);
    assert_eq!(s["documents"][0]["doc"], 1);
    assert_eq!(s["documents"][0]["id"], "national/2017.txt");
    assert_eq!(s["documents"][0]["count"], 3);
    assert_eq!(s["years"][0]["year"], 2017);
    assert_eq!(s["kwic"][0]["phrase"], "四个意识");
    assert_eq!(v["slogans"].as_array().unwrap().len(), cmp.slogans.len());
    assert_eq!(v["groups"][0]["rows"][0]["g2"], 9.56);
    // The hostile phrase survives as data, unchanged.
    assert!(v["slogans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["phrase"] == XSS_SCRIPT));
}

#[test]
fn detail_only_for_the_first_detail_slogans() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = sample();
    let config = Config {
        detail_slogans: 1,
        ..Config::default()
    };
    run(&cmp, &config, dir.path(), &NoProgress).unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("slogans.json")).unwrap()).unwrap();
    assert_eq!(v["detail_slogans"], 1);
    let slogans = v["slogans"].as_array().unwrap();
    assert_eq!(slogans.len(), cmp.slogans.len(), "every row is still there");
    assert_eq!(slogans[0]["documents"][0]["id"], "national/2017.txt");
    assert!(slogans[0]["kwic"].as_array().is_some_and(|k| !k.is_empty()));
    for s in &slogans[1..] {
        assert!(
            s.get("documents").is_none() && s.get("years").is_none() && s.get("kwic").is_none()
        );
        assert!(s["df"].as_u64().is_some() && s["score"].is_number());
    }
    // In the tables the second row has no top reports nor example; the first has both.
    let tsv = fs::read_to_string(dir.path().join("slogans.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = tsv
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert!(
        !rows[0][20].is_empty() && !rows[0][21].is_empty(),
        "{:?}",
        rows[0]
    );
    assert!(!cmp.slogans[1].per_doc.is_empty());
    assert!(
        rows[1][20].is_empty() && rows[1][21].is_empty(),
        "{:?}",
        rows[1]
    );
    // The long table is the full record either way.
    let long = fs::read_to_string(dir.path().join("slogan-reports.tsv")).unwrap();
    let n: usize = cmp.slogans.iter().map(|s| s.per_doc.len()).sum();
    assert_eq!(long.lines().count(), n + 1);
}

#[test]
fn summary_is_a_markdown_table_with_escaped_cells() {
    let dir = tempfile::tempdir().unwrap();
    write(&sample(), dir.path());
    let md = fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("| reports | 7 |"));
    assert!(md.contains("| years | 2015–2024 |"));
    assert!(md.contains("| 1 | 四个意识 | numbered | 6 | 85.7 | 10 | 0.600 | 2017–2024 |  |"));
    assert!(md.contains("| 有件必备、有备必审、有错必纠 | enumeration |"));
    assert!(md.contains("有件必备、有备必审 |"), "family column");
    // Pipes are escaped, so every table row has the same number of cell separators.
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("numbered"))
    {
        assert_eq!(line.matches(" | ").count(), 8, "{line}");
    }
    assert!(md.contains("=HYPERLINK(\"x\")\\|a b"));
    // Every `<` is backslash-escaped, so no corpus text becomes inline HTML.
    let bytes = md.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'<' {
            assert!(i > 0 && bytes[i - 1] == b'\\', "raw < at {i}");
        }
    }
}

#[test]
fn compare_tsv_holds_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let names = write(&sample(), dir.path());
    let name = names.iter().find(|n| n.starts_with("compare-")).unwrap();
    assert!(!name.contains('/') && !name.contains(".."));
    let tsv = fs::read_to_string(dir.path().join(name)).unwrap();
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(
        lines[0],
        "group\tgroup_docs\tphrase\tdf\tdf_pct\tdf_rest\tg2\tlog_ratio"
    );
    assert_eq!(
        lines[1],
        "government\t4\t四个全面\t4\t100.00\t0\t9.5600\t3.1700"
    );
    assert_eq!(lines.len(), 4);
    assert!(
        lines[3].ends_with("\t0.0000"),
        "negative zero printed as zero"
    );
}

#[test]
fn identical_input_gives_identical_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let names = write(&sample(), a.path());
    write(&sample(), b.path());
    for n in &names {
        let x = fs::read(a.path().join(n)).unwrap();
        let y = fs::read(b.path().join(n)).unwrap();
        assert!(x == y, "{n} differs between runs");
    }
}

#[test]
fn html_escapes_hostile_text_and_references_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    write(&sample(), dir.path());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    // The raw hostile strings appear nowhere; their escaped forms do.
    assert!(!html.contains(XSS_SCRIPT));
    assert!(!html.contains(XSS_IMG));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;"));
    // Exactly the page's own two script blocks, and the data block cannot be closed early.
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script>").count(), 2);
    // No reference leaves the file.
    assert_no_external_references(&html);
    // No generation time or other varying content: the page is the same for the same input.
    assert!(html.contains("Content-Security-Policy"));
}

/// Fails when the page names anything that a browser could fetch: no tag carries a `src`,
/// `href` or address, and the page's own style and script import nothing. Corpus text that
/// merely reads `src=` is escaped text, not a tag, and is not looked at.
pub fn assert_no_external_references(html: &str) {
    for tag in tags(html) {
        let t = tag.to_lowercase();
        for bad in [
            " src=",
            " href=",
            "xlink:href",
            " action=",
            " srcset=",
            " poster=",
            "http:",
            "https:",
            "url(",
        ] {
            assert!(!t.contains(bad), "tag {tag} contains {bad}");
        }
        for name in [
            "<link", "<iframe", "<object", "<embed", "<img", "<base", "<form",
        ] {
            assert!(!t.starts_with(name), "tag {tag}");
        }
    }
    let lower = html.to_lowercase();
    assert!(!lower.contains("@import") && !lower.contains("url("));
    // The only address is the SVG namespace name in the script, which is never fetched.
    let cleaned = lower.replace("'http://www.w3.org/2000/svg'", "");
    assert!(!cleaned.contains("http:") && !cleaned.contains("https:"));
}

/// Every start tag `<name …>` of the page (text is escaped, so `<` followed by a letter only
/// occurs in markup or in the page's own script).
fn tags(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        if after.starts_with(|c: char| c.is_ascii_alphabetic()) {
            let end = after.find('>').unwrap_or(after.len());
            out.push(&rest[i..i + 1 + end]);
        }
        rest = after;
    }
    out
}

#[test]
fn empty_comparison_still_gives_readable_files() {
    let dir = tempfile::tempdir().unwrap();
    let names = write(&Comparison::default(), dir.path());
    assert_eq!(names.len(), 10);
    let tsv = fs::read_to_string(dir.path().join("slogans.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 1);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("No slogans were found"));
    let md = fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("No slogans were found."));
}

#[test]
fn bad_document_index_is_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmp = sample();
    let per_doc = &mut cmp.slogans[2].per_doc;
    *per_doc = per_doc.iter().chain([(99, 1)]).collect();
    let err = run(&cmp, &Config::default(), dir.path(), &NoProgress).unwrap_err();
    assert!(
        matches!(
            err,
            Error::DocIndex {
                index: 99,
                n_docs: 7,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn unwritable_output_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("out");
    fs::write(&blocker, "a file where a folder should be").unwrap();
    let err = run(&sample(), &Config::default(), &blocker, &NoProgress).unwrap_err();
    assert!(matches!(err, Error::Write { .. }));
    assert!(err.to_string().contains("slogans.tsv"), "{err}");
}

#[test]
fn config_limits_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        top_n_chart: 2,
        heatmap_slogans: 3,
        html_slogans: 4,
        summary_rows: 1,
        ..Config::default()
    };
    run(&sample(), &config, dir.path(), &NoProgress).unwrap();
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<g class=\"bar\"").count(), 2);
    assert_eq!(html.matches("<g class=\"hrow\"").count(), 3);
    assert!(html.contains("top 4 of 9 slogans"));
    let md = fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("## Top 1 of 9 slogans"));
    // The data files are never cut.
    let tsv = fs::read_to_string(dir.path().join("slogans.tsv")).unwrap();
    assert_eq!(tsv.lines().count(), 10);
}

#[test]
fn timeline_only_when_reports_span_several_years() {
    let dir = tempfile::tempdir().unwrap();
    write(&sample(), dir.path());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains(">Timeline</th>"));

    let mut one_year = sample();
    for d in &mut one_year.docs {
        d.meta.year = Some(2023);
    }
    one_year.summary.years = Some((2023, 2023));
    write(&one_year, dir.path());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(!html.contains(">Timeline</th>"));
    assert!(html.contains(">Years</th>"));
    let md = fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("| year | 2023 |"));
    // An adoption curve's axis ends with the corpus's last year, never the year after.
    let curves = &html[html.find("<h3>Adoption curves</h3>").expect("curves")..];
    let curves = &curves[..curves.find("</div>").unwrap()];
    assert!(curves.contains(">2023</text>"), "{curves}");
    assert!(!curves.contains(">2024</text>"), "{curves}");
    // Dated to the year after their `year`, the uses end the axis there.
    for d in &mut one_year.docs {
        d.meta.extra.insert("date".into(), "2024-02".into());
    }
    write(&one_year, dir.path());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let curves = &html[html.find("<h3>Adoption curves</h3>").expect("curves")..];
    let curves = &curves[..curves.find("</div>").unwrap()];
    assert!(curves.contains(">2024</text>"), "{curves}");
    assert!(!curves.contains(">2025</text>"), "{curves}");
}

#[test]
fn names_are_listed_apart_and_never_charted_as_slogans() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmp = sample();
    cmp.slogans[0].kind = tifa_core::Kind::Name;
    cmp.slogans[0].evidence = "name-head".into();
    let name = cmp.slogans[0].phrase.clone();
    write(&cmp, dir.path());
    // slogans.tsv keeps the row, with its kind and evidence.
    let tsv = fs::read_to_string(dir.path().join("slogans.tsv")).unwrap();
    let row = tsv.lines().nth(1).unwrap();
    assert!(row.starts_with(&format!("1\t{name}\tname\t")), "{row}");
    assert!(row.contains("\tname-head\t"), "{row}");
    // summary.md counts it apart and leaves it out of the top table.
    let md = fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("1 names (institutions"), "{md}");
    assert!(!md.contains(&format!("| 1 | {name} |")), "{md}");
    // The bar chart of report.html has no bar for it.
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        !html.contains("class=\"bar\" data-i=\"0\""),
        "a bar for the name"
    );
    assert!(html.contains("class=\"bar\" data-i=\"1\""));
    // The page's title counts the slogans as its header does, the name apart.
    let slogans = cmp.slogans.len() - 1;
    let title = format!("<title>tifa — {slogans} slogans across ");
    assert!(
        html.contains(&title),
        "{}",
        &html[..html.find("</title>").unwrap()]
    );
}

#[test]
fn the_new_slogans_of_an_edition_are_told_apart_from_an_enumerations_items() {
    let dir = tempfile::tempdir().unwrap();
    write(&sample(), dir.path());
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let start = html
        .find("<section id=\"editions\"")
        .expect("editions section");
    let section = &html[start..start + html[start..].find("</section>").unwrap()];
    // The 2017 report's two new slogans, joined by what no slogan holds: 、 joins the items of
    // an enumeration (有件必备、有备必审、有错必纠), so a list joined by it cannot be split back.
    assert!(
        section.contains("<td>四个意识 | 更加紧密地团结在以习近平同志为核心的党中央周围</td>"),
        "{section}"
    );
}
