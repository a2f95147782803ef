//! End-to-end tests: the real `tifa` binary on the bundled seed corpus and on small hostile
//! corpora, in temporary folders, checking what a user would check: exit codes, stderr lines,
//! the columns and order of slogans.tsv, byte-identical outputs, refusal of damaged files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tifa(dir: &Path, args: &[&str]) -> Output {
    tifa_with(dir, &repo().join("config"), args)
}

/// `tifa` in `dir` with the config folder `config` (relative to `dir`, or absolute).
fn tifa_with(dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tifa"))
        .current_dir(dir)
        .arg("--config")
        .arg(config)
        .arg("--no-progress")
        .args(args)
        .output()
        .expect("starting tifa")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs the whole pipeline on the seeds in a fresh folder with `threads` workers.
fn run_seeds(threads: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("data/corpus");
    let o = tifa(
        dir.path(),
        &["-j", threads, "run", "--corpus", corpus.to_str().unwrap()],
    );
    assert!(o.status.success(), "tifa run failed: {}", stderr(&o));
    dir
}

/// One pipeline run on the seeds shared by the read-only tests.
fn seeds() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| run_seeds("2")).path()
}

const FILES: [&str; 6] = [
    "work/clean.bin",
    "work/segment.bin",
    "work/count.bin",
    "work/compare.bin",
    "reports/slogans.tsv",
    "reports/slogans.json",
];

#[test]
fn slogans_tsv_has_the_contract_columns_order_and_rows() {
    let tsv = std::fs::read_to_string(seeds().join("reports/slogans.tsv")).unwrap();
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        &header[..7],
        &["rank", "phrase", "kind", "df", "df_pct", "tf", "score"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert!(rows.len() >= 50, "only {} slogans", rows.len());
    let mut prev: Option<(u64, u64, String)> = None;
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), header.len(), "row {i} has {} fields", r.len());
        assert_eq!(r[0], (i + 1).to_string());
        assert!(
            [
                "numbered",
                "enumeration",
                "quoted",
                "formula",
                "term",
                "name"
            ]
            .contains(&r[2]),
            "kind {}",
            r[2]
        );
        let (df, tf): (u64, u64) = (r[3].parse().unwrap(), r[5].parse().unwrap());
        assert!(df >= 2 && tf >= df, "row {i}: df {df} tf {tf}");
        let pct: f64 = r[4].parse().unwrap();
        assert!(
            (pct - df as f64 * 100.0 / 35.0).abs() < 0.01,
            "df_pct {pct} for df {df}"
        );
        let key = (df, tf, r[1].to_string());
        if let Some((pdf, ptf, pp)) = &prev {
            let ok = *pdf > df || (*pdf == df && (*ptf > tf || (*ptf == tf && *pp < key.2)));
            assert!(ok, "row {i} out of order: {pp} before {}", r[1]);
        }
        prev = Some(key);
    }
    for f in [
        "reports/slogans.json",
        "reports/report.html",
        "reports/summary.md",
    ] {
        assert!(seeds().join(f).is_file(), "{f} missing");
    }
}

#[test]
fn inspect_json_lists_the_35_seed_reports_with_metadata_and_text() {
    let o = tifa(seeds(), &["inspect", "--json", "work/clean.bin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 35);
    for d in docs {
        for k in ["id", "title", "source", "text"] {
            assert!(d[k].is_string(), "{k} missing in {d}");
        }
        for k in ["region", "level", "body", "year"] {
            assert!(d["meta"].get(k).is_some(), "meta.{k} missing");
        }
        assert!(d["text"].as_str().unwrap().chars().count() > 500);
    }
    let o = tifa(seeds(), &["inspect", "work/count.bin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("stage: count"), "{}", stdout(&o));
}

/// The strings of a JSON array.
fn strings(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect()
}

fn inspect_json(file: &str) -> serde_json::Value {
    let o = tifa(seeds(), &["inspect", "--json", file]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn inspect_json_of_segment_bin_gives_each_report_its_tokens_as_words() {
    let seg = inspect_json("work/segment.bin");
    let clean = inspect_json("work/clean.bin");
    let texts = clean["documents"].as_array().unwrap();
    let docs = seg["documents"].as_array().unwrap();
    assert_eq!(docs.len(), texts.len());
    let vocab: std::collections::HashSet<&str> = seg["vocabulary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["term"].as_str().unwrap())
        .collect();
    for (d, c) in docs.iter().zip(texts) {
        assert_eq!(d["id"], c["id"]);
        assert_eq!(d["meta"], c["meta"]);
        let tokens = strings(&d["tokens"]);
        // The seeds' config keeps numbers as written: the tokens are the text, cut.
        assert_eq!(tokens.concat(), c["text"].as_str().unwrap(), "{}", d["id"]);
        assert!(tokens.iter().all(|t| vocab.contains(t)));
    }
    // The dictionary keeps the formulations whole.
    assert!(docs
        .iter()
        .any(|d| strings(&d["tokens"]).contains(&"全过程人民民主")));
}

#[test]
fn inspect_json_of_count_bin_lists_every_phrase_with_its_counts() {
    let counts = inspect_json("work/count.bin");
    let n_docs = counts["docs"].as_array().unwrap().len() as u64;
    let min_df = counts["min_df"].as_u64().unwrap();
    let phrases = counts["phrases"].as_array().unwrap();
    assert!(phrases.len() > 1000, "{}", phrases.len());
    let mut by_text = std::collections::HashMap::new();
    for p in phrases {
        let tokens = strings(&p["tokens"]);
        assert_eq!(tokens.concat(), p["phrase"].as_str().unwrap());
        let per_doc = p["per_doc"].as_array().unwrap();
        let (tf, df) = (p["tf"].as_u64().unwrap(), p["df"].as_u64().unwrap());
        assert_eq!(per_doc.len() as u64, df, "{p}");
        let sum: u64 = per_doc.iter().map(|x| x[1].as_u64().unwrap()).sum();
        assert_eq!(sum, tf, "{p}");
        assert!(per_doc.iter().all(|x| x[0].as_u64().unwrap() < n_docs));
        assert!(df >= min_df && tf >= 2, "{p}");
        by_text.insert(p["phrase"].as_str().unwrap().to_string(), df);
    }
    // The slogans' document frequencies are the counted phrases'.
    let tsv = std::fs::read_to_string(seeds().join("reports/slogans.tsv")).unwrap();
    let mut found = 0;
    for row in tsv.lines().skip(1).take(30) {
        let f: Vec<&str> = row.split('\t').collect();
        if let Some(&df) = by_text.get(f[1]) {
            assert_eq!(df.to_string(), f[3], "{row}");
            found += 1;
        }
    }
    assert!(
        found >= 20,
        "only {found} of the top 30 slogans among the counted phrases"
    );
}

/// Document frequency by plain substring search over the cleaned reports, independent of the
/// segmenter; and tf as non-overlapping substring occurrences.
#[test]
fn every_slogan_shows_example_lines_of_itself_from_its_own_reports() {
    // compare reads segment.bin in waves of reports and frees each wave's texts once its lines
    // are taken: every line must still come from the slogan's own reports and show it.
    let json = std::fs::read_to_string(seeds().join("reports/slogans.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let slogans = v["slogans"].as_array().unwrap();
    assert!(slogans.len() > 100, "{} slogans", slogans.len());
    for s in slogans {
        let phrase = s["phrase"].as_str().unwrap();
        let docs: Vec<u64> = s["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["doc"].as_u64().unwrap())
            .collect();
        let lines = s["kwic"].as_array().unwrap();
        assert!(!lines.is_empty(), "{phrase}: no example lines");
        for l in lines {
            // The line shows the text as written: quotation marks, which counting reads
            // across, may stand inside the phrase.
            let shown: String = l["phrase"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|&c| tifa_core::text::quote_mark(c).is_none())
                .collect();
            assert_eq!(shown, phrase, "{phrase}: {l}");
            let doc = l["doc"].as_u64().unwrap();
            assert!(docs.contains(&doc), "{phrase}: line from report {doc}");
        }
    }
}

/// The cleaned texts of `dir`'s work/clean.bin, as `tifa inspect --json` prints them.
fn cleaned_texts(dir: &Path) -> Vec<String> {
    let o = tifa(dir, &["inspect", "--json", "work/clean.bin"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["text"].as_str().unwrap().to_string())
        .collect()
}

/// tf and df of `phrase` in `texts` by `str::matches`, quote marks removed from both and
/// the phrase trimmed; an empty phrase occurs nowhere.
fn substring_counts(texts: &[String], phrase: &str) -> (usize, usize) {
    let strip = |t: &str| -> String {
        t.chars().filter(|c| !"“”‘’《》「」".contains(*c)).collect()
    };
    let phrase = strip(phrase);
    let phrase = phrase.trim();
    if phrase.is_empty() {
        return (0, 0);
    }
    let mut tf = 0;
    let mut df = 0;
    for t in texts {
        let n = strip(t).matches(phrase).count();
        tf += n;
        df += usize::from(n > 0);
    }
    (tf, df)
}

/// Runs `tifa lookup` in `dir` and returns its rows split into fields, after checking the
/// header.
fn lookup_rows(dir: &Path, phrases: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec!["lookup"];
    args.extend(phrases);
    let o = tifa(dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("phrase\ttf\tdf\trank\tkind\tscore"));
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), phrases.len(), "{out}");
    rows
}

#[test]
fn lookup_agrees_with_substring_counts_for_formulations() {
    let phrases = [
        "全过程人民民主",
        "四个意识",
        "两个维护",
        "人民代表大会制度",
        "高质量发展",
        "不存在的提法甲乙丙",
    ];
    let texts = cleaned_texts(seeds());
    let rows = lookup_rows(seeds(), &phrases);
    let tsv = std::fs::read_to_string(seeds().join("reports/slogans.tsv")).unwrap();
    for (p, f) in phrases.iter().zip(&rows) {
        let (tf, df) = substring_counts(&texts, p);
        assert_eq!(f[0], *p);
        assert_eq!(f[2], df.to_string(), "df of {p}");
        assert_eq!(f[1], tf.to_string(), "tf of {p}");
        // rank, kind and score are those of the phrase's row in slogans.tsv, if any.
        let row = tsv
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .find(|r| r[1] == *p);
        match row {
            Some(r) => assert_eq!(f[3..], [r[0], r[2], r[6]], "{p}"),
            None => assert_eq!(f[3..], ["", "", ""], "{p}"),
        }
    }
    assert!(
        !rows[0][3].is_empty(),
        "全过程人民民主 should be a slogan of the seeds"
    );
    assert_eq!(rows[5][1..3], ["0", "0"]);
}

#[test]
fn lookup_counts_any_string_inside_words_and_across_quote_marks() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let reports = [
        "严格落实中央八项规定精神，持续优化营商环境。增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
        "营商环境进一步优化。坚决贯彻中央八项规定及其实施细则精神。增强四个意识。",
        "推动“一带一路”建设。一带一路一带一路。学习《习近平谈治国理政》。",
        "本报告没有那些字。",
    ];
    for (i, r) in reports.iter().enumerate() {
        let text = format!("2025年政府工作报告\n\n{r}\n");
        std::fs::write(corpus.join(format!("r{i}.txt")), text).unwrap();
    }
    let o = tifa(dir.path(), &["run", "--corpus", "corpus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let texts = cleaned_texts(dir.path());
    assert_eq!(texts.len(), reports.len());
    let phrases = [
        "八项规定",
        "营商",
        "增强四个意识",
        "“四个意识”、坚定",
        "一带一路",
        "近平谈治",
        "  规定精神  ",
        "“”",
    ];
    let rows = lookup_rows(dir.path(), &phrases);
    for (p, f) in phrases.iter().zip(&rows) {
        let (tf, df) = substring_counts(&texts, p);
        assert_eq!(f[0], *p);
        assert_eq!(f[1..3], [tf.to_string(), df.to_string()], "{p}");
    }
    let tf_df = |i: usize| (rows[i][1].as_str(), rows[i][2].as_str());
    assert_eq!(tf_df(0), ("2", "2"), "八项规定");
    assert_eq!(tf_df(2), ("2", "2"), "增强四个意识");
    assert_eq!(tf_df(4), ("3", "1"), "一带一路");
    assert_eq!(tf_df(7), ("0", "0"), "only marks");

    // clean.bin is all lookup needs: without the later intermediates the slogan columns are
    // empty, and it says why (an empty rank is not "not a slogan").
    for f in ["segment.bin", "count.bin", "compare.bin"] {
        std::fs::remove_file(dir.path().join("work").join(f)).unwrap();
    }
    let o = tifa(dir.path(), &["lookup", "八项规定", "营商"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: work/compare.bin: not there (the compare stage makes it); rank, kind and \
         score left empty\n"
    );
    let quiet = tifa(dir.path(), &["-q", "lookup", "八项规定"]);
    assert_eq!(stderr(&quiet), "");
    let want = format!(
        "phrase\ttf\tdf\trank\tkind\tscore\n八项规定\t2\t2\t\t\t\n营商\t{}\t{}\t\t\t\n",
        rows[1][1], rows[1][2]
    );
    assert_eq!(stdout(&o), want);
}

#[test]
fn lookup_normalises_as_clean_bin_was_made_whatever_the_config() {
    // Texts made simplified by a clean.toml with traditional_to_simplified = true: a query in
    // traditional characters finds them, also under the default config.
    let dir = tempfile::tempdir().unwrap();
    let (corpus, config) = (dir.path().join("c"), dir.path().join("t2s"));
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("clean.toml"),
        "traditional_to_simplified = true\n",
    )
    .unwrap();
    for i in 1..=3 {
        let text = format!("報告{i}\n\n第{i}年，我們堅持中國共產黨的領導，工作{i}項。\n");
        std::fs::write(corpus.join(format!("r{i}.txt")), text).unwrap();
    }
    let o = tifa_with(
        dir.path(),
        &config,
        &["clean", "--in", "c", "--out", "work/clean.bin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for cfg in [config.as_path(), &repo().join("config")] {
        let o = tifa_with(dir.path(), cfg, &["lookup", "共產黨", "共产党"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(
            stdout(&o),
            "phrase\ttf\tdf\trank\tkind\tscore\n共產黨\t3\t3\t\t\t\n共产党\t3\t3\t\t\t\n",
            "{}",
            cfg.display()
        );
    }
}

#[test]
fn a_full_standard_output_is_named() {
    // /dev/full takes nothing: "No space left on device" alone did not say which file.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let clean = seeds().join("work/clean.bin");
    for args in [
        vec!["lookup", "人大"],
        vec!["inspect", "--json", clean.to_str().unwrap()],
        vec!["cut", "人大工作"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .current_dir(seeds())
            .arg("--config")
            .arg(repo().join("config"))
            .args(&args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).starts_with("error: standard output: cannot write: "),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn lookup_without_clean_bin_says_so_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = tifa(dir.path(), &["lookup", "四个意识"]);
    assert_refused(&o, "clean.bin", "No such file");
}

#[test]
fn same_output_whatever_the_thread_count() {
    let one = run_seeds("1");
    assert_same_outputs(one.path(), "between -j1 and -j2");
}

/// Asserts that every intermediate and slogan file in `dir` equals the shared seed run's.
fn assert_same_outputs(dir: &Path, what: &str) {
    for f in FILES {
        let a = std::fs::read(dir.join(f)).unwrap();
        let b = std::fs::read(seeds().join(f)).unwrap();
        assert!(a == b, "{f} differs {what}");
    }
}

#[test]
fn a_run_under_a_memory_budget_gives_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("data/corpus");
    let corpus = corpus.to_str().unwrap();
    let o = tifa(
        dir.path(),
        &["run", "--max-memory", "64M", "--corpus", corpus],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The stages that do not keep to it yet say so.
    assert!(stderr(&o).contains("memory budget"), "{}", stderr(&o));
    assert_same_outputs(dir.path(), "under a memory budget");
    let log = |d: &Path| std::fs::read(d.join("work/clean-log.tsv")).unwrap();
    assert_eq!(log(dir.path()), log(seeds()));
    // The scratch file of the waves is gone; the folder's lock file stays.
    let mut work: Vec<String> = std::fs::read_dir(dir.path().join("work"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    work.sort();
    assert_eq!(
        work,
        [
            ".tifa-lock",
            "clean-log.tsv",
            "clean.bin",
            "compare.bin",
            "count.bin",
            "segment.bin"
        ]
    );

    // The same budget from run.toml, for the clean command; a budget too small to run is
    // refused in one line naming the file.
    let config = dir.path().join("config");
    copy_dir(&repo().join("config"), &config);
    std::fs::write(config.join("run.toml"), "max_memory = \"1G\"\n").unwrap();
    let o = tifa_with(
        dir.path(),
        &config,
        &["clean", "--in", corpus, "--out", "again/clean.bin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bin = |p: &Path| std::fs::read(p).unwrap();
    assert!(bin(&dir.path().join("again/clean.bin")) == bin(&seeds().join("work/clean.bin")));
    let o = tifa_with(dir.path(), &config, &["segment", "--in", "again/clean.bin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(bin(&dir.path().join("again/segment.bin")) == bin(&seeds().join("work/segment.bin")));
    // Count lays its stream out to a scratch file and writes count.bin from scratch files.
    let o = tifa_with(dir.path(), &config, &["count", "--in", "again/segment.bin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(bin(&dir.path().join("again/count.bin")) == bin(&seeds().join("work/count.bin")));
    // Compare reads the per-report counts back from a scratch file.
    let o = tifa_with(dir.path(), &config, &["compare", "--in", "again/count.bin"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(bin(&dir.path().join("again/compare.bin")) == bin(&seeds().join("work/compare.bin")));
    std::fs::write(config.join("run.toml"), "max_memory = \"10M\"\n").unwrap();
    let o = tifa_with(dir.path(), &config, &["clean", "--in", corpus]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("run.toml: max_memory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    let o = tifa(
        dir.path(),
        &["run", "--max-memory", "lots", "--corpus", corpus],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("lots"), "{}", stderr(&o));
}

#[test]
fn second_run_skips_every_stage_and_rewrites_nothing() {
    let dir = run_seeds("2");
    let mtimes = || -> Vec<std::time::SystemTime> {
        FILES
            .iter()
            .map(|f| {
                std::fs::metadata(dir.path().join(f))
                    .unwrap()
                    .modified()
                    .unwrap()
            })
            .collect()
    };
    let before = mtimes();
    let corpus = repo().join("data/corpus");
    let o = tifa(
        dir.path(),
        &["-v", "run", "--corpus", corpus.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("up to date").count(),
        5,
        "{}",
        stderr(&o)
    );
    assert_eq!(before, mtimes());
    // The summary line, whose figures a run with nothing to do reads past the slogans of
    // compare.bin, is the one a run that makes them prints.
    let forced = tifa(
        dir.path(),
        &["run", "--force", "--corpus", corpus.to_str().unwrap()],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    let line = |o: &std::process::Output| {
        let err = stderr(o);
        err.lines()
            .find(|l| l.starts_with("tifa: "))
            .map(str::to_string)
    };
    assert!(
        line(&o).is_some_and(|l| l.contains(" slogans and ") && l.contains(" names found; ")),
        "{}",
        stderr(&o)
    );
    assert_eq!(line(&o), line(&forced));
}

#[test]
fn stage_commands_one_by_one_give_the_same_files_as_tifa_run() {
    // `tifa run` hands each stage its input in memory and writes on other threads; the stage
    // commands (and so `make pipeline`) read each intermediate back from disk.
    let dir = tempfile::tempdir().unwrap();
    run_stage_commands(dir.path(), repo().join("data/corpus").to_str().unwrap());
    assert_same_outputs(dir.path(), "between the stage commands and tifa run");
}

/// Runs the five stage commands one by one in `dir` on the corpus folder `corpus`, into `work/`
/// and `reports/`, as `make pipeline` does.
fn run_stage_commands(dir: &Path, corpus: &str) {
    std::fs::create_dir_all(dir.join("work")).unwrap();
    for args in [
        vec!["clean", "--in", corpus, "--out", "work/clean.bin"],
        vec!["segment"],
        vec!["count"],
        vec!["compare"],
        vec!["report"],
    ] {
        let o = tifa(dir, &args);
        assert!(o.status.success(), "tifa {args:?}: {}", stderr(&o));
    }
}

#[test]
fn a_changed_stage_config_reruns_that_stage_and_those_after_it() {
    let dir = run_seeds("2");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    for f in std::fs::read_dir(repo().join("config")).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, config.join(f.file_name().unwrap())).unwrap();
        }
    }
    copy_dir(&repo().join("config/dict"), &config.join("dict"));
    std::fs::write(config.join("count.toml"), "min_df = 3\n").unwrap();
    let corpus = repo().join("data/corpus");
    // `tifa -v run` with the copied config; its stderr.
    let rerun = || {
        let corpus = corpus.to_str().unwrap();
        let o = tifa_with(
            dir.path(),
            Path::new("config"),
            &["-v", "run", "--corpus", corpus],
        );
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        err
    };
    let err = rerun();
    assert!(err.contains("clean: up to date"), "{err}");
    assert!(err.contains("segment: up to date"), "{err}");
    for stage in ["count", "compare", "report"] {
        assert!(!err.contains(&format!("{stage}: up to date")), "{err}");
    }
    // Fewer phrases recur in three reports than in two.
    let before = std::fs::read(seeds().join("work/count.bin")).unwrap();
    let after = std::fs::read(dir.path().join("work/count.bin")).unwrap();
    assert!(after.len() < before.len());

    // A user dictionary, then a change to its contents alone: segment runs again each time
    // (its fingerprint is known before jieba is loaded), clean does not; then nothing does.
    let segment = std::fs::read_to_string(config.join("segment.toml")).unwrap();
    std::fs::write(
        config.join("segment.toml"),
        format!("{segment}\nuser_dictionaries = [\"dict/mine.txt\"]\n")
            .replace("user_dictionaries = []\n", ""),
    )
    .unwrap();
    for words in ["有件必备\n", "有备必审\n"] {
        std::fs::write(config.join("dict/mine.txt"), words).unwrap();
        let err = rerun();
        assert!(err.contains("clean: up to date"), "{err}");
        assert!(err.contains("\nsegment: "), "{err}");
        assert!(!err.contains("segment: up to date"), "{err}");
    }
    let err = rerun();
    assert_eq!(err.matches("up to date").count(), 5, "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, to.join(f.file_name().unwrap())).unwrap();
        }
    }
}

/// Asserts that a command was refused with exit code 2 and one stderr line naming `file`.
fn assert_refused(o: &Output, file: &str, reason: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.contains(file), "{err} does not name {file}");
    assert!(err.contains(reason), "{err} does not say {reason}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

/// A scratch folder whose `work/` holds copies of the seeds' intermediates `files`; the
/// folder and its `work/`.
fn work_with(files: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    for f in files {
        std::fs::copy(seeds().join("work").join(f), work.join(f)).unwrap();
    }
    (dir, work)
}

/// `tifa compare` on the seeds' intermediates with one of its inputs, `damaged`, flipped at
/// each of the byte positions `at(len)` gives: refused in one line naming it, nothing written.
fn compare_refuses_damaged(damaged: &str, at: impl Fn(usize) -> Vec<usize>) {
    let good = std::fs::read(seeds().join("work").join(damaged)).unwrap();
    for at in at(good.len()) {
        let intact: Vec<&str> = ["clean.bin", "segment.bin", "count.bin"]
            .into_iter()
            .filter(|&f| f != damaged)
            .collect();
        let (dir, work) = work_with(&intact);
        let mut flipped = good.clone();
        flipped[at] ^= 0x40;
        std::fs::write(work.join(damaged), &flipped).unwrap();
        assert_refused(&tifa(dir.path(), &["compare"]), damaged, "damaged");
        assert!(!work.join("compare.bin").exists(), "{damaged}, byte {at}");
    }
}

#[test]
fn compare_refuses_a_segment_bin_damaged_anywhere_and_writes_nothing() {
    // compare reads segment.bin wave by wave for its examples, so the damage is only found at
    // the end of the file, after some waves were used: the run must still fail, with one line.
    compare_refuses_damaged("segment.bin", |n| vec![60, n / 3, n / 2, n - 9]);
}

#[test]
fn damaged_intermediates_are_refused_by_every_reader() {
    let (dir, work) = work_with(&["clean.bin", "segment.bin", "count.bin", "compare.bin"]);
    // lookup reads clean.bin for the counts and compare.bin for the slogan row: both checked.
    for f in ["clean.bin", "compare.bin"] {
        let good = std::fs::read(work.join(f)).unwrap();
        let mut flipped = good.clone();
        flipped[good.len() / 2] ^= 1;
        std::fs::write(work.join(f), &flipped).unwrap();
        assert_refused(&tifa(dir.path(), &["lookup", "四个意识"]), f, "damaged");
        std::fs::write(work.join(f), &good).unwrap();
    }
    let count = std::fs::read(work.join("count.bin")).unwrap();

    let mut flipped = count.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 1;
    std::fs::write(work.join("count.bin"), &flipped).unwrap();
    assert_refused(
        &tifa(dir.path(), &["inspect", "work/count.bin"]),
        "count.bin",
        "damaged",
    );
    assert_refused(&tifa(dir.path(), &["compare"]), "count.bin", "damaged");
    // lookup reads no count.bin: the header it checks the chain with is intact.
    assert!(tifa(dir.path(), &["lookup", "四个意识"]).status.success());

    std::fs::write(work.join("count.bin"), &count[..count.len() - 100]).unwrap();
    assert_refused(
        &tifa(dir.path(), &["inspect", "work/count.bin"]),
        "count.bin",
        "truncated",
    );

    std::fs::write(work.join("count.bin"), "phrase\ttf\tdf\n").unwrap();
    assert_refused(
        &tifa(dir.path(), &["compare"]),
        "count.bin",
        "not a tifa intermediate",
    );

    assert_refused(
        &tifa(
            dir.path(),
            &["count", "--in", "work/clean.bin", "--out", "work/c2.bin"],
        ),
        "clean.bin",
        "written by the clean stage",
    );
    assert!(!work.join("c2.bin").exists());

    // A count.bin made from another segmentation is stale: compare and lookup refuse to mix.
    std::fs::copy(seeds().join("work/count.bin"), work.join("count.bin")).unwrap();
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("segment.toml"), "political_dictionary = false\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .current_dir(dir.path())
        .args(["--config", "cfg", "segment"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_refused(&tifa(dir.path(), &["compare"]), "count.bin", "stale");
    // lookup still answers from clean.bin, without the stale slogan row.
    let o = tifa(dir.path(), &["lookup", "四个意识"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).lines().nth(1).unwrap().ends_with("\t\t\t"));
    assert!(stderr(&o).contains("compare.bin: stale"), "{}", stderr(&o));
    let quiet = tifa(dir.path(), &["-q", "lookup", "四个意识"]);
    assert!(
        quiet.status.success() && quiet.stderr.is_empty(),
        "{}",
        stderr(&quiet)
    );
    assert_eq!(quiet.stdout, o.stdout);

    let mut other = std::fs::read(work.join("segment.bin")).unwrap();
    other[8] = 99;
    std::fs::write(work.join("segment.bin"), &other).unwrap();
    assert_refused(
        &tifa(dir.path(), &["count"]),
        "segment.bin",
        "format version 99",
    );
}

#[test]
fn bad_files_are_skipped_with_a_warning_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in ["000_1c9d57720230c54b.txt", "001_6ef235d39f680167.txt"] {
        std::fs::copy(repo().join("data/corpus").join(f), corpus.join(f)).unwrap();
    }
    std::fs::write(corpus.join("empty.txt"), "").unwrap();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    std::fs::write(corpus.join("image.txt"), binary).unwrap();
    // An exact copy of a report is a duplicate.
    std::fs::copy(
        corpus.join("000_1c9d57720230c54b.txt"),
        corpus.join("copy.txt"),
    )
    .unwrap();
    let o = tifa(dir.path(), &["run", "--corpus", "corpus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("empty.txt"), "{err}");
    assert!(err.contains("image.txt"), "{err}");
    // Quiet or not, nothing is lost without a trace: clean-log.tsv names every skipped file
    // with its reason, and summary.md and report.html count them.
    let q = tempfile::tempdir().unwrap();
    let o = tifa(
        q.path(),
        &["-q", "run", "--corpus", corpus.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let log = std::fs::read_to_string(q.path().join("work/clean-log.tsv")).unwrap();
    let skipped: Vec<(&str, &str)> = log
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (!f[5].is_empty()).then(|| (f[0], f[5]))
        })
        .collect();
    assert_eq!(skipped.len(), 3, "{log}");
    for (file, reason) in [
        ("empty.txt", "empty"),
        ("image.txt", "binary"),
        ("copy.txt", "duplicate"),
    ] {
        assert!(
            skipped
                .iter()
                .any(|(f, r)| f.ends_with(file) && r.contains(reason)),
            "{file}: {log}"
        );
    }
    let md = std::fs::read_to_string(q.path().join("reports/summary.md")).unwrap();
    assert!(
        md.contains("| input files skipped (see clean-log.tsv) | 3 |"),
        "{md}"
    );
    let html = std::fs::read_to_string(q.path().join("reports/report.html")).unwrap();
    assert!(html.contains("<dt>files skipped</dt><dd>3</dd>"), "header");

    let only_bad = dir.path().join("bad");
    std::fs::create_dir_all(&only_bad).unwrap();
    std::fs::write(only_bad.join("empty.txt"), "").unwrap();
    let o = tifa(
        dir.path(),
        &["clean", "--in", "bad", "--out", "w/clean.bin"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).lines().last().unwrap().starts_with("error: "),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("w/clean.bin").exists());
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("count.toml"),
        "min_df = 2\nno_such_setting = true\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .current_dir(dir.path())
        .args(["--config", "cfg", "count"])
        .output()
        .unwrap();
    assert_refused(&o, "count.toml:2", "no_such_setting");

    // A value out of range is refused naming the file too, not only the key.
    std::fs::write(cfg.join("count.toml"), "min_df = 0\n").unwrap();
    std::fs::write(cfg.join("compare.toml"), "min_cohesion = nan\n").unwrap();
    for (stage, key) in [("count", "min_df"), ("compare", "min_cohesion")] {
        let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .current_dir(dir.path())
            .args(["--config", "cfg", stage])
            .output()
            .unwrap();
        assert_refused(&o, &format!("cfg/{stage}.toml: "), key);
    }

    // `tifa run` checks every stage's settings before the first stage: nothing is cleaned
    // for a run that would stop at count.
    std::fs::remove_file(cfg.join("compare.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("corpus")).unwrap();
    std::fs::write(
        dir.path().join("corpus/a.txt"),
        "坚持和完善人民代表大会制度。\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .current_dir(dir.path())
        .args(["--config", "cfg", "run", "--corpus", "corpus"])
        .output()
        .unwrap();
    assert_refused(&o, "cfg/count.toml: ", "min_df");
    assert!(!dir.path().join("work/clean.bin").exists());
}

#[test]
fn interrupted_runs_leave_nothing_half_written_and_recover() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("data/corpus");
    for delay_ms in [150u64, 600, 1500] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .current_dir(dir.path())
            .arg("--config")
            .arg(repo().join("config"))
            .args(["-q", "run", "--force", "--corpus", corpus.to_str().unwrap()])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever exists now must be a complete, valid intermediate.
        for f in ["clean.bin", "segment.bin", "count.bin", "compare.bin"] {
            let p = dir.path().join("work").join(f);
            if p.exists() {
                let o = tifa(dir.path(), &["inspect", p.to_str().unwrap()]);
                assert!(
                    o.status.success(),
                    "{f} after kill at {delay_ms} ms: {}",
                    stderr(&o)
                );
            }
        }
    }
    let o = tifa(dir.path(), &["run", "--corpus", corpus.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_same_outputs(dir.path(), "after interrupted runs");
}

#[test]
fn cut_shows_the_words_the_whole_dictionary_gives() {
    // `tifa cut` loads only the dictionary words of its text; these are the cuts jieba's whole
    // dictionary gives, with and without the bundled one.
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "发展全过程人民民主，增强“四个意识”、坚定“四个自信”、做到“两个维护”。",
            "发展 / 全过程人民民主 / ， / 增强 / “ / 四个意识 / ” / 、 / 坚定 / “ / 四个自信 / ” \
             / 、 / 做到 / “ / 两个维护 / ” / 。",
        ),
        (
            "全国人大常委会听取和审议一府一委两院专项工作报告，GDP增长5.2%，２０２５年",
            // The text is cut as the clean stage writes it: ２０２５ as 2025.
            "全国人大常委会 / 听取 / 和 / 审议 / 一府一委两院 / 专项 / 工作 / 报告 / ， / GDP / \
             增长 / 5.2 / % / ， / 2025 / 年",
        ),
        (
            "以习近平同志为核心的党中央 C++ 3.5% ——……",
            "以 / 习近平 / 同志 / 为 / 核心 / 的 / 党中央 / C++ / 3.5 / % / —— / ……",
        ),
    ];
    for (text, expect) in cases {
        let o = tifa(dir.path(), &["cut", text]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).trim_end(), expect);
    }
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("segment.toml"), "political_dictionary = false\n").unwrap();
    let o = tifa_with(
        dir.path(),
        Path::new("cfg"),
        &["cut", "发展全过程人民民主，增强“四个意识”"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim_end(),
        "发展 / 全过程 / 人民 / 民主 / ， / 增强 / “ / 四个 / 意识 / ”"
    );
}

#[test]
fn help_shows_real_examples() {
    let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .arg("--help")
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(
        out.contains("tifa run") && out.contains("tifa lookup"),
        "{out}"
    );
    for sub in [
        "run", "clean", "segment", "count", "compare", "report", "inspect", "lookup", "cut",
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_tifa"))
            .args([sub, "--help"])
            .output()
            .unwrap();
        assert!(
            stdout(&o).contains("Example"),
            "{sub} --help has no example"
        );
    }
}

#[test]
fn cut_help_shows_what_cut_prints() {
    let help = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .args(["cut", "--help"])
        .output()
        .unwrap();
    let help = stdout(&help);
    let mut lines = help.lines().skip_while(|l| !l.starts_with("Example"));
    let command = lines.nth(1).unwrap().trim();
    let shown = lines.next().unwrap().trim();
    let text = command.strip_prefix("tifa cut ").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let o = tifa(dir.path(), &["cut", text]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim_end(), shown);
}

#[test]
fn hostile_corpus_text_and_file_names_reach_the_report_only_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let sources = [
        "000_1c9d57720230c54b.txt",
        "001_6ef235d39f680167.txt",
        "002_59368bcfbef6e951.txt",
    ];
    let payload = "“<script>document.title='pwned'</script>”和“\"><img src=x onerror=alert(1)>”";
    for (i, name) in [
        "a.txt",
        "\"><img src=x onerror=alert(2)>.txt",
        "<script>b.txt",
    ]
    .iter()
    .enumerate()
    {
        let seed = std::fs::read_to_string(repo().join("data/corpus").join(sources[i])).unwrap();
        let text = format!("{payload}。\n{seed}\n{payload}。\n");
        std::fs::write(corpus.join(name), text).unwrap();
    }
    let o = tifa(dir.path(), &["run", "--corpus", "corpus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.path().join("reports/report.html")).unwrap();
    assert!(
        !html.contains("<img src=x"),
        "raw <img> from the corpus in report.html"
    );
    assert!(
        !html.contains("<script>document"),
        "raw <script> from the corpus in report.html"
    );
    assert!(
        !html.contains("onerror=alert(2)>"),
        "raw file name in report.html"
    );
    // The reports were read and their titles and text are in the page, escaped.
    assert!(
        html.contains("&lt;script&gt;") || html.contains("\\u003cscript"),
        "escaped text missing"
    );
    // Nothing was written outside the work and output folders.
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, ["corpus", "reports", "work"]);
}

/// The golden list: the first 200 rows of the seeds' slogans.tsv, columns rank to score, in
/// `tests/golden/seeds-top200.tsv`. Every change to the list shows in review as a diff of
/// phrases; rewrite the file with `TIFA_UPDATE_GOLDEN=1 cargo test -p tifa-cli --test cli`.
#[test]
fn seeds_top_200_match_the_golden_list() {
    let tsv = std::fs::read_to_string(seeds().join("reports/slogans.tsv")).unwrap();
    let got: String = tsv
        .lines()
        .take(201)
        .map(|l| l.split('\t').take(7).collect::<Vec<_>>().join("\t") + "\n")
        .collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/seeds-top200.tsv");
    if std::env::var_os("TIFA_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if got != want {
        let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
        let first = (0..g.len().max(w.len()))
            .find(|&i| g.get(i) != w.get(i))
            .unwrap_or(0);
        let show = |rows: &[&str]| {
            rows.iter()
                .skip(first)
                .take(5)
                .map(|r| format!("    {r}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "the seeds' top 200 differ from {} from row {first} on:\n  expected:\n{}\n  got:\n{}\n\
             (rewrite it with TIFA_UPDATE_GOLDEN=1 if the change is intended)",
            path.display(),
            show(&w),
            show(&g)
        );
    }
}

#[test]
fn the_long_table_and_the_edition_diff_agree_with_the_slogans() {
    // Two editions of the national standing committee's report, dated by a manifest.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for f in [
        "000_1c9d57720230c54b.txt",
        "001_6ef235d39f680167.txt",
        "002_59368bcfbef6e951.txt",
    ] {
        std::fs::copy(repo().join("data/corpus").join(f), corpus.join(f)).unwrap();
    }
    std::fs::write(
        corpus.join("manifest.tsv"),
        "file\ttitle\tyear\tregion\tlevel\tbody\tdate\n\
         000_1c9d57720230c54b.txt\t常委会工作报告2023\t2023\t全国\tnational\tnpc\t2023-03-07\n\
         001_6ef235d39f680167.txt\t常委会工作报告2022\t2022\t全国\tnational\tnpc\t2022-03\n\
         002_59368bcfbef6e951.txt\t市人大常委会工作报告\t2023\t某市\tcity\tnpc\t\n",
    )
    .unwrap();
    let o = tifa(dir.path(), &["-q", "run", "--corpus", "corpus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(dir.path().join("reports").join(f)).unwrap();
    let (slogans, long) = (read("slogans.tsv"), read("slogan-reports.tsv"));
    // One row of the long table per slogan (names apart) and report it occurs in, with the
    // report's date.
    let mut rows_of: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut reports_of: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for l in long.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        assert!(["2023-03-07", "2022-03", ""].contains(&f[8]), "{l}");
        *rows_of.entry(f[0]).or_default() += 1;
        reports_of.entry(f[2]).or_default().push(f[0]);
    }
    for l in slogans.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        let want = if f[2] == "name" {
            0
        } else {
            f[3].parse().unwrap()
        };
        assert_eq!(rows_of.get(f[1]).copied().unwrap_or(0), want, "{}", f[1]);
    }
    // Every slogan's first and last date are those of the earliest and latest files that hold
    // it. A plain search of the cleaned texts (quotation marks read across) finds the same files
    // unless the string also stands inside a longer word somewhere (各级人大 in 各级人大代表);
    // for the slogans it agrees on, nearly all, the dates must be those of that search.
    let clean = tifa(dir.path(), &["inspect", "--json", "work/clean.bin"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&clean)).unwrap();
    let docs: Vec<(String, String, usize)> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text: String = d["text"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|c| !"“”‘’《》「」".contains(*c))
                .collect();
            // The dates in time order: 2022-03, then 2023 (a year-only date counts as its
            // start), then 2023-03-07.
            let order = match d["meta"]["extra"]["date"].as_str() {
                Some("2022-03") => 0,
                Some("2023-03-07") => 2,
                _ => 1,
            };
            (d["id"].as_str().unwrap().to_string(), text, order)
        })
        .collect();
    let header: Vec<&str> = slogans.lines().next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (first_col, last_col) = (col("first_date"), col("last_date"));
    let (mut agreed, mut rows) = (0, 0);
    for l in slogans.lines().skip(1) {
        let f: Vec<&str> = l.split('\t').collect();
        if f[2] == "name" {
            continue;
        }
        rows += 1;
        let mut holding: Vec<&(String, String, usize)> =
            docs.iter().filter(|(_, t, _)| t.contains(f[1])).collect();
        let mut searched: Vec<&str> = holding.iter().map(|d| d.0.as_str()).collect();
        let mut listed: Vec<&str> = reports_of
            .iter()
            .filter(|(_, s)| s.contains(&f[1]))
            .map(|(r, _)| *r)
            .collect();
        searched.sort_unstable();
        listed.sort_unstable();
        if searched != listed {
            continue;
        }
        agreed += 1;
        holding.sort_by_key(|d| d.2);
        let date = |d: &(String, String, usize)| ["2022-03", "2023", "2023-03-07"][d.2];
        assert_eq!(f[first_col], date(holding[0]), "first date of {}", f[1]);
        assert_eq!(
            f[last_col],
            date(holding[holding.len() - 1]),
            "last date of {}",
            f[1]
        );
    }
    assert!(agreed * 10 >= rows * 8, "{agreed} of {rows}");

    // The 2023 edition's new slogans are those of its report that the 2022 report lacks.
    let diff = read("diff.tsv");
    let series: Vec<Vec<&str>> = diff
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[0] == "全国")
        .collect();
    assert_eq!(series.len(), 2, "{diff}");
    assert_eq!((series[0][5], series[1][5]), ("2022-03", "2023-03-07"));
    let (first, second) = (&reports_of[series[0][3]], &reports_of[series[1][3]]);
    let new = second.iter().filter(|s| !first.contains(s)).count();
    let dropped = first.iter().filter(|s| !second.contains(s)).count();
    assert!(new > 0 && dropped > 0);
    assert_eq!(series[1][6], new.to_string());
    assert_eq!(series[1][7], dropped.to_string());
    assert_eq!(series[1][8], (second.len() - new).to_string());
    let o = tifa(dir.path(), &["diff", "--region", "全国"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.starts_with("== 全国 · national · npc\n2022-03  "),
        "{out}"
    );
    assert!(
        out.contains(&format!("{new} new, {dropped} dropped")),
        "{out}"
    );

    assert!(!stderr(&o).contains("stale"), "{}", stderr(&o));

    let o = tifa(dir.path(), &["diff", "--region", "火星"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));

    // Another corpus cleaned: compare.bin is still the one before, and is said to be.
    let other = repo().join("data/corpus/000_1c9d57720230c54b.txt");
    let o = tifa(dir.path(), &["clean", "--in", other.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tifa(dir.path(), &["diff", "--region", "全国"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("warning: work/compare.bin: stale: not made from work/clean.bin"),
        "{}",
        stderr(&o)
    );
}

/// The national government work reports (57 editions, 1954–2025) of the shared corpora beside
/// the repository, or the folder `TIFA_NATIONAL_REPORTS` names; `None` when neither is there
/// (the corpora are not part of the repository).
fn national_reports() -> Option<PathBuf> {
    let dir = std::env::var_os("TIFA_NATIONAL_REPORTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared/corpus/national-work-reports"));
    dir.join("manifest.tsv").exists().then_some(dir)
}

#[test]
fn the_national_series_edition_diff_agrees_with_the_texts() {
    let Some(corpus) = national_reports() else {
        eprintln!("skipped: the national work reports are not beside the repository");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus.canonicalize().unwrap();
    let o = tifa(
        dir.path(),
        &["-q", "run", "--corpus", corpus.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tifa(
        dir.path(),
        &["diff", "--region", "全国", "--level", "national", "--all"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // One series of 57 editions, each a line "YEAR  TITLE: N new, M dropped, K carried on",
    // then its slogans, `new: a | b | …` and `dropped: …`.
    let mut editions: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for line in out.lines() {
        if let Some(list) = line.strip_prefix("    new: ") {
            editions.last_mut().unwrap().1 = list.split(" | ").map(String::from).collect();
        } else if let Some(list) = line.strip_prefix("    dropped: ") {
            editions.last_mut().unwrap().2 = list.split(" | ").map(String::from).collect();
        } else if !line.starts_with("==") {
            let year = line.split_whitespace().next().unwrap().to_string();
            editions.push((year, Vec::new(), Vec::new()));
        }
    }
    assert_eq!(out.matches("== ").count(), 1, "one series: {out}");
    assert_eq!(editions.len(), 57, "{out}");
    // The cleaned texts by year, quotation marks read across as counting does.
    let clean = tifa(dir.path(), &["inspect", "--json", "work/clean.bin"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&clean)).unwrap();
    let text_of: std::collections::BTreeMap<u64, String> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = d["text"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|c| !"“”‘’《》「」".contains(*c))
                .collect();
            (d["meta"]["year"].as_u64().unwrap(), text)
        })
        .collect();
    // A slogan counts where its words stand as words, while a plain search also finds it inside
    // a longer word (各级人大 in 各级人大代表). So the search must find every new slogan in the
    // new text and every dropped one in the old text, and may find a few of them in the other.
    for (old, new) in [(2023u64, 2024u64), (2024, 2025)] {
        let e = editions
            .iter()
            .find(|e| e.0 == new.to_string())
            .unwrap_or_else(|| panic!("edition {new}: {out}"));
        let (before, after) = (&text_of[&old], &text_of[&new]);
        for s in &e.1 {
            assert!(
                after.contains(s.as_str()),
                "{new}: new {s} is not in its text"
            );
        }
        for s in &e.2 {
            assert!(
                before.contains(s.as_str()),
                "{new}: dropped {s} was not in {old}"
            );
        }
        let absent = e.2.iter().filter(|s| !after.contains(s.as_str())).count();
        // Nearly every dropped slogan is gone from the text itself, not only from its words.
        assert!(
            absent * 10 >= e.2.len() * 9,
            "{new}: only {absent} of {} dropped slogans are absent from the text",
            e.2.len()
        );
        let fresh = e.1.iter().filter(|s| !before.contains(s.as_str())).count();
        assert!(
            fresh * 10 >= e.1.len() * 9,
            "{new}: only {fresh} of {} new slogans are absent from {old}",
            e.1.len()
        );
    }
}

#[test]
fn segment_bin_without_its_clean_bin_is_refused_in_one_line() {
    // segment.bin holds the token streams, not the texts: count and compare take the texts
    // from the clean.bin beside it, and say so when it is missing or another one.
    let (dir, work) = work_with(&["segment.bin", "count.bin"]);
    let o = tifa(dir.path(), &["count"]);
    assert_refused(&o, "segment.bin", "clean.bin: no such file");
    assert!(!work.join("count.bin.tmp").exists());
    let o = tifa(dir.path(), &["compare"]);
    assert_refused(&o, "segment.bin", "clean.bin: no such file");
    assert!(!work.join("compare.bin").exists());

    // Another corpus's clean.bin.
    let other = tempfile::tempdir().unwrap();
    let corpus = other.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("a.txt"), "坚持人民至上。坚持自我革命。").unwrap();
    let o = tifa(other.path(), &["clean", "--corpus", "corpus"]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::copy(other.path().join("work/clean.bin"), work.join("clean.bin")).unwrap();
    let o = tifa(dir.path(), &["count"]);
    assert_refused(&o, "segment.bin", "run the segment stage again");
    let o = tifa(dir.path(), &["compare"]);
    assert_refused(&o, "segment.bin", "run the segment stage again");
    assert!(!work.join("compare.bin").exists());
}

#[test]
fn compare_refuses_a_clean_bin_damaged_anywhere_and_writes_nothing() {
    // compare reads the texts of the clean.bin beside segment.bin wave by wave, beside the
    // token streams, so damage after the header is found once some waves were used.
    compare_refuses_damaged("clean.bin", |n| vec![n / 3, n / 2, n - 9]);
}

#[test]
fn a_corpus_past_the_small_size_loads_the_whole_dictionary_beside_clean() {
    // Up to 5 MB of input a run finds the dictionary words its texts use once they are clean
    // (the phase `dictionary`); past it jieba's whole dictionary loads beside the clean stage.
    // Seven copies of the seeds pass it (the clean stage then skips the copies' reports as
    // duplicates of the first's; the size that decides is the input's).
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for k in 0..7 {
        for f in std::fs::read_dir(repo().join("data/corpus")).unwrap() {
            let f = f.unwrap().path();
            let name = format!("{k}_{}", f.file_name().unwrap().to_string_lossy());
            std::fs::copy(&f, corpus.join(name)).unwrap();
        }
    }
    let size: u64 = (std::fs::read_dir(&corpus).unwrap())
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(size > 5 << 20, "{size} bytes");
    let corpus = corpus.to_str().unwrap();
    let o = tifa(dir.path(), &["-v", "-j", "2", "run", "--corpus", corpus]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("dictionary:"), "{}", stderr(&o));

    // The stage commands, one by one, read each intermediate back and give the same files.
    let again = dir.path().join("again");
    run_stage_commands(&again, corpus);
    for f in FILES {
        assert!(
            std::fs::read(dir.path().join(f)).unwrap() == std::fs::read(again.join(f)).unwrap(),
            "{f} differs between tifa run and the stage commands"
        );
    }
}

#[test]
fn a_config_folder_that_is_not_there_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let o = tifa_with(dir.path(), Path::new("confg"), &["cut", "四个意识"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: config folder confg: not found"
    );
    // The default folder may be missing: then every stage runs on its defaults.
    let o = tifa_with(dir.path(), Path::new("config"), &["cut", "四个意识"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A config file named instead of its folder.
    std::fs::write(dir.path().join("clean.toml"), "").unwrap();
    let o = tifa_with(dir.path(), Path::new("clean.toml"), &["cut", "四个意识"]);
    assert!(
        stderr(&o).starts_with("error: config folder clean.toml: not a folder"),
        "{}",
        stderr(&o)
    );
    // A pattern that does not compile is refused naming the file.
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    std::fs::write(
        dir.path().join("cfg/clean.toml"),
        "heading_pattern = '([x'\n",
    )
    .unwrap();
    let o = tifa_with(dir.path(), Path::new("cfg"), &["clean", "--in", "."]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: cfg/clean.toml: invalid pattern"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn reports_that_failed_are_written_again_and_files_of_an_older_report_go() {
    let dir = run_seeds("2");
    let corpus = repo().join("data/corpus");
    let corpus = corpus.to_str().unwrap();
    let reports = dir.path().join("reports");
    let grouped = tifa(
        dir.path(),
        &["run", "--corpus", corpus, "--group-by", "body"],
    );
    assert!(grouped.status.success(), "{}", stderr(&grouped));
    assert!(reports.join("compare-body.tsv").is_file());
    // Names are listed apart, never counted as slogans: no group is typical of one.
    let tsv = |f: &str| std::fs::read_to_string(reports.join(f)).unwrap();
    let slogans = tsv("slogans.tsv");
    let names: Vec<&str> = slogans
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|r| r[2] == "name")
        .map(|r| r[1])
        .collect();
    assert!(!names.is_empty());
    let groups = tsv("compare-body.tsv");
    let column = groups
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .position(|c| c == "phrase")
        .unwrap();
    for row in groups.lines().skip(1) {
        let phrase = row.split('\t').nth(column).unwrap();
        assert!(!names.contains(&phrase), "{phrase} is a name");
    }
    // A grouping no longer asked for: its table goes with the report that drops it.
    let o = tifa(dir.path(), &["run", "--corpus", corpus]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!reports.join("compare-body.tsv").exists());
    assert!(reports.join("slogans.tsv").is_file());

    // A report that fails halfway (one of its files cannot be written) is not up to date.
    std::fs::remove_file(reports.join("diff.tsv")).unwrap();
    std::fs::create_dir(reports.join("diff.tsv")).unwrap();
    let failed = tifa(
        dir.path(),
        &["run", "--corpus", corpus, "--group-by", "body"],
    );
    assert_eq!(failed.status.code(), Some(2));
    assert!(stderr(&failed).contains("diff.tsv"), "{}", stderr(&failed));
    std::fs::remove_dir(reports.join("diff.tsv")).unwrap();
    let again = tifa(
        dir.path(),
        &["-v", "run", "--corpus", corpus, "--group-by", "body"],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("report: up to date"),
        "{}",
        stderr(&again)
    );
    assert!(reports.join("diff.tsv").is_file());
    assert!(reports.join("compare-body.tsv").is_file());
    // A file the report wrote, deleted since: the report is written again.
    std::fs::remove_file(reports.join("adoption.tsv")).unwrap();
    let o = tifa(
        dir.path(),
        &["run", "--corpus", corpus, "--group-by", "body"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(reports.join("adoption.tsv").is_file());
}

/// A stderr that cannot be written (`2>/dev/full`, or a pipe whose reader stopped) loses the
/// messages; the run still does its work.
#[cfg(target_os = "linux")]
#[test]
fn a_full_or_closed_stderr_does_not_stop_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = repo().join("data/corpus");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .current_dir(dir.path())
        .args(["--config", repo().join("config").to_str().unwrap()])
        .args(["run", "--corpus", corpus.to_str().unwrap()])
        .stderr(full)
        .status()
        .unwrap();
    assert!(status.success(), "{status}");
    assert!(dir.path().join("reports/report.html").is_file());
    // A reader of stdout that is gone: the command ends quietly.
    let mut child = Command::new(env!("CARGO_BIN_EXE_tifa"))
        .current_dir(dir.path())
        .args(["--config", repo().join("config").to_str().unwrap()])
        .args(["diff", "--all"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

/// An intermediate damaged before its checksum was taken (or made by another tifa) passes the
/// checksum; the stage that finds it contradicting itself names the file.
#[test]
fn an_intermediate_that_contradicts_itself_is_named_as_damaged() {
    use tifa_core::format::{self, Stage};
    let dir = run_seeds("2");
    let work = dir.path().join("work");
    let path = work.join("segment.bin");
    let (h, mut seg): (_, tifa_core::Segmented) = format::read(&path, Stage::Segment).unwrap();
    let terms = seg.vocab.len() as u32;
    seg.docs[0].tokens[0] = terms + 7;
    format::write(
        &path,
        Stage::Segment,
        h.input_fingerprint,
        h.config_fingerprint,
        &seg,
    )
    .unwrap();
    let o = tifa(
        dir.path(),
        &[
            "count",
            "--in",
            "work/segment.bin",
            "--out",
            "work/again.bin",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: work/segment.bin: damaged: report ")
            && err.contains(&format!("token id {}", terms + 7)),
        "{err}"
    );
    assert!(!work.join("again.bin").exists());
}

#[test]
fn a_config_file_tifa_does_not_read_is_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    std::fs::create_dir(&config).unwrap();
    std::fs::write(config.join("compre.toml"), "min_df = 5\n").unwrap();
    std::fs::write(config.join("count.toml"), "").unwrap();
    let o = tifa_with(dir.path(), Path::new("config"), &["cut", "四个意识"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: config/compre.toml: not a tifa config file (clean.toml, segment.toml, \
         count.toml, compare.toml, report.toml, run.toml); ignored\n"
    );
    let o = tifa_with(dir.path(), Path::new("config"), &["-q", "cut", "四个意识"]);
    assert_eq!(stderr(&o), "");
}

#[test]
fn a_thread_count_out_of_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["0", "5000", "many", "-1"] {
        let o = tifa(dir.path(), &["-j", n, "cut", "四个意识"]);
        assert_eq!(o.status.code(), Some(2), "-j {n}");
        assert!(stderr(&o).contains("1 to 1024"), "{}", stderr(&o));
        // One line, as every error is: not clap's usage and "For more information" lines.
        assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    }
    // A mistyped flag keeps clap's tip on the same line.
    let o = tifa(dir.path(), &["run", "--forse"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: unexpected argument '--forse' found (tip: a similar argument exists: '--force')"
    );
    let o = tifa(dir.path(), &["-j", "1024", "cut", "四个意识"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A negative size names its flag; a missing argument is named.
    let o = tifa(dir.path(), &["--max-memory", "-5", "run"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("'--max-memory <SIZE>'"),
        "{}",
        stderr(&o)
    );
    let o = tifa(dir.path(), &["cut"]);
    assert_eq!(
        stderr(&o).trim_end(),
        "error: the following required arguments were not provided: <TEXT>..."
    );
}

#[test]
fn a_single_report_file_is_a_corpus() {
    let dir = tempfile::tempdir().unwrap();
    let file = repo().join("data/corpus/000_1c9d57720230c54b.txt");
    let o = tifa(dir.path(), &["run", "--corpus", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Counts are said as a reader says them: "1 report", "0 files".
    assert!(stderr(&o).contains("clean: 1 report,"), "{}", stderr(&o));
    assert!(stderr(&o).contains(" 0 files skipped"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("tifa: 1 report read,"),
        "{}",
        stderr(&o)
    );
    assert!(dir.path().join("reports/slogans.tsv").is_file());
}

#[test]
fn a_warning_is_one_line_whatever_a_file_is_called() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let seed = std::fs::read(repo().join("data/corpus/000_1c9d57720230c54b.txt")).unwrap();
    std::fs::write(corpus.join("a\nb.txt"), &seed).unwrap();
    std::fs::write(corpus.join("x.txt"), &seed).unwrap();
    let o = tifa(
        dir.path(),
        &["clean", "--in", "corpus", "--out", "work/clean.bin"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.lines()
            .any(|l| l == "warning: skipping x.txt: exact duplicate of a\\nb.txt"),
        "{err}"
    );
}

#[test]
fn a_killed_writers_temporaries_go_and_two_runs_never_share_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = repo().join("data/corpus/000_1c9d57720230c54b.txt");
    let corpus = file.to_str().unwrap();
    // What a run killed while writing count.bin and slogans.json leaves behind.
    std::fs::create_dir_all(dir.path().join("work")).unwrap();
    std::fs::create_dir_all(dir.path().join("reports")).unwrap();
    let dead = [
        dir.path().join("work/.count.bin.tifa-Xy12Zq.tmp"),
        dir.path().join("reports/.slogans.json.tifa-a1b2c3.tmp"),
    ];
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for p in &dead {
        let f = std::fs::File::create(p).unwrap();
        f.set_len(4096).unwrap();
        f.set_modified(an_hour_ago).unwrap();
    }
    let o = tifa(dir.path(), &["run", "--corpus", corpus]);
    assert!(o.status.success(), "{}", stderr(&o));
    for p in &dead {
        assert!(!p.exists(), "{} is left", p.display());
    }

    // While another tifa writes in work/, a run there is refused, naming the folder.
    let held = std::fs::File::open(dir.path().join("work/.tifa-lock")).unwrap();
    held.lock().unwrap();
    let o = tifa(dir.path(), &["run", "--corpus", corpus]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("work: another tifa is writing in this folder"),
        "{}",
        stderr(&o)
    );
    let o = tifa(dir.path(), &["count"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("work: another tifa is writing in this folder"),
        "{}",
        stderr(&o)
    );
    drop(held);
    let o = tifa(dir.path(), &["run", "--corpus", corpus]);
    assert!(o.status.success(), "{}", stderr(&o));

    // A run that cannot start makes no folder to lock.
    let fresh = tempfile::tempdir().unwrap();
    let o = tifa(fresh.path(), &["run", "--corpus", "nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 0);
    // Nor does one that fails once started, on a folder without reports: the folders it made
    // (here nested) are removed again, and a folder that was there stays.
    std::fs::create_dir(fresh.path().join("empty")).unwrap();
    let failed = |args: &[&str]| {
        let o = tifa(
            fresh.path(),
            &[&["run", "--corpus", "empty"], args].concat(),
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("no report could be read"),
            "{}",
            stderr(&o)
        );
    };
    failed(&["--work-dir", "out/work", "--out-dir", "out/reports"]);
    assert!(!fresh.path().join("out").exists());
    std::fs::create_dir(fresh.path().join("work")).unwrap();
    failed(&[]);
    assert!(fresh.path().join("work").is_dir());
    assert!(!fresh.path().join("reports").exists());
}

#[test]
fn a_grouping_or_reference_no_report_has_and_a_file_for_a_folder_are_said() {
    let dir = run_seeds("2");
    let warned = |o: &Output, what: &str| {
        assert!(o.status.success(), "{}", stderr(o));
        assert!(
            stderr(o)
                .lines()
                .any(|l| l.starts_with("warning: ") && l.contains(what)),
            "{}",
            stderr(o)
        );
    };
    let o = tifa(dir.path(), &["compare", "--group-by", "bdoy"]);
    warned(&o, "grouping by `bdoy`: no report has that field");
    let o = tifa(dir.path(), &["report", "--diffusion-by", "regoin"]);
    warned(
        &o,
        "diffusion grouping `regoin`: no report outside the reference has that field",
    );
    // Only the setting chosen is said, not the default reference beside it.
    assert_eq!(stderr(&o).matches("warning: ").count(), 1, "{}", stderr(&o));
    let o = tifa(
        dir.path(),
        &["report", "--diffusion-reference", "level=natonal"],
    );
    warned(&o, "diffusion reference `level=natonal`: no report has it");
    // A report folder that is a file is said to be one.
    std::fs::write(dir.path().join("out.txt"), "notes").unwrap();
    let o = tifa(dir.path(), &["report", "--out", "out.txt"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: out.txt: not a folder: the report files are written into the folder named"
    );
    // A field the reports have is grouped by without a word.
    let o = tifa(dir.path(), &["compare", "--group-by", "body"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("grouping by"), "{}", stderr(&o));
}

#[test]
fn lookup_and_cut_take_text_as_the_clean_stage_writes_it() {
    // What a user pastes from a report file: ASCII quotes and commas, full-width letters and
    // digits, half-width brackets. The cleaned texts hold “”，, ASCII letters and （）.
    let o = tifa(
        seeds(),
        &[
            "lookup",
            "--",
            "(一)",
            "（一）",
            "５Ｇ",
            "5G",
            "增强\"四个意识\"",
            "增强“四个意识”",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Vec<String>> = stdout(&o)
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    for pair in rows.chunks(2) {
        // Each pair is one string written two ways: the same counts, and found.
        assert_eq!(pair[0][1..3], pair[1][1..3], "{pair:?}");
        assert_ne!(pair[0][1], "0", "{pair:?}");
        // The phrase column keeps what was asked.
        assert!(pair[0][0] != pair[1][0]);
    }
    let o = tifa(seeds(), &["cut", "２０２５年ＧＤＰ"]);
    assert_eq!(stdout(&o), "2025 / 年 / GDP\n");
}

#[test]
fn a_stage_s_out_naming_a_folder_is_refused_before_anything_is_written() {
    // clean --out work/ wrote clean-log.tsv beside work/, replacing the user's file there, and
    // locked that folder, before failing on the folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("work")).unwrap();
    std::fs::write(dir.path().join("clean-log.tsv"), "my notes\n").unwrap();
    let corpus = repo().join("data/corpus");
    let corpus = corpus.to_str().unwrap();
    for (args, name) in [
        (
            vec!["clean", "--in", corpus, "--out", "work/"],
            "work/clean.bin",
        ),
        (
            vec!["clean", "--in", corpus, "--out", "work"],
            "work/clean.bin",
        ),
        (vec!["count", "--out", "work"], "work/count.bin"),
        (vec!["segment", "--out", "work/"], "work/segment.bin"),
    ] {
        let o = tifa(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(err.contains("is a folder") && err.contains(name), "{err}");
    }
    let notes = std::fs::read_to_string(dir.path().join("clean-log.tsv")).unwrap();
    assert_eq!(notes, "my notes\n");
    assert!(!dir.path().join(".tifa-lock").exists());
    // A file named as the folder to write in, or further up; tifa run's folders likewise,
    // refused before either folder is made.
    let run = |out: &'static str| {
        vec![
            "run",
            "--corpus",
            corpus,
            "--work-dir",
            "w",
            "--out-dir",
            out,
        ]
    };
    for (args, message) in [
        (
            vec!["clean", "--in", corpus, "--out", "clean-log.tsv/clean.bin"],
            "cannot write clean-log.tsv/clean.bin: clean-log.tsv: not a folder",
        ),
        (
            vec![
                "clean",
                "--in",
                corpus,
                "--out",
                "clean-log.tsv/sub/clean.bin",
            ],
            "cannot write clean-log.tsv/sub/clean.bin: clean-log.tsv: not a folder",
        ),
        (
            run("clean-log.tsv"),
            "cannot make the folder clean-log.tsv: clean-log.tsv: not a folder",
        ),
        (
            run("clean-log.tsv/r"),
            "cannot make the folder clean-log.tsv/r: clean-log.tsv: not a folder",
        ),
    ] {
        let o = tifa(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&o).trim_end(), format!("error: {message}"));
        assert!(!dir.path().join("w").exists());
    }
}

/// The files of a folder, by name, with their bytes.
fn files_of(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
#[cfg(unix)]
fn a_report_that_fails_halfway_leaves_the_last_report_whole() {
    // Files over 64 KiB cannot be written (RLIMIT_FSIZE, its signal ignored): the large
    // report files fail, the small ones are made. The folder then held the new summary.md
    // beside the old slogans.tsv, and no stamp.
    let dir = run_seeds("2");
    let before = files_of(&dir.path().join("reports"));
    assert!(before.contains_key(".tifa-report"));
    // Another comparison, grouped by region: its summary.md differs.
    let o = tifa(
        dir.path(),
        &[
            "compare",
            "--in",
            "work/count.bin",
            "--segment",
            "work/segment.bin",
            "--out",
            "other/compare.bin",
            "--group-by",
            "region",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = Command::new("sh")
        .current_dir(dir.path())
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 128; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_tifa"))
        .args([
            "--config",
            repo().join("config").to_str().unwrap(),
            "--no-progress",
        ])
        .args(["report", "--in", "other/compare.bin", "--out", "reports"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("File too large"), "{}", stderr(&o));
    assert_eq!(files_of(&dir.path().join("reports")), before);
    // A folder where a report file goes is found before any file is put in place.
    std::fs::create_dir(dir.path().join("reports/compare-region.tsv")).unwrap();
    let o = tifa(
        dir.path(),
        &["report", "--in", "other/compare.bin", "--out", "reports"],
    );
    assert_eq!(
        stderr(&o).trim_end(),
        "error: cannot write reports/compare-region.tsv: a folder is in its place"
    );
    std::fs::remove_dir(dir.path().join("reports/compare-region.tsv")).unwrap();
    assert_eq!(files_of(&dir.path().join("reports")), before);
    // Without the limit, the other report is written whole.
    let o = tifa(
        dir.path(),
        &["report", "--in", "other/compare.bin", "--out", "reports"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let after = files_of(&dir.path().join("reports"));
    assert_ne!(after["summary.md"], before["summary.md"]);
    assert!(after.contains_key("compare-region.tsv"));
}

#[test]
fn clean_log_is_written_only_with_the_clean_bin_it_describes() {
    // A clean.bin that cannot be written (here a folder in its place) left clean-log.tsv
    // describing a corpus that no clean.bin held.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("work/clean.bin/x")).unwrap();
    std::fs::write(dir.path().join("work/clean-log.tsv"), "before\n").unwrap();
    let corpus = repo().join("data/corpus");
    for args in [
        vec!["-q", "run", "--corpus", corpus.to_str().unwrap()],
        vec![
            "-q",
            "--max-memory",
            "200M",
            "run",
            "--corpus",
            corpus.to_str().unwrap(),
        ],
    ] {
        let o = tifa(dir.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains("clean.bin"), "{}", stderr(&o));
        let log = std::fs::read_to_string(dir.path().join("work/clean-log.tsv")).unwrap();
        assert_eq!(log, "before\n", "{args:?}");
    }
}

#[test]
fn reports_beside_tifa_s_own_output_are_still_read() {
    // The corpus folder given as the report folder, and the work folder made in a corpus
    // subfolder that holds reports: tifa passes over its own files there, and reads the rest.
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("c");
    std::fs::create_dir_all(corpus.join("a")).unwrap();
    let files = [
        "000_1c9d57720230c54b.txt",
        "001_6ef235d39f680167.txt",
        "002_59368bcfbef6e951.txt",
    ];
    for (i, f) in files.iter().enumerate() {
        let to = if i == 0 {
            corpus.join(f)
        } else {
            corpus.join("a").join(f)
        };
        std::fs::copy(repo().join("data/corpus").join(f), to).unwrap();
    }
    let reports_read = || {
        let o = tifa(dir.path(), &["inspect", "c/a/clean.bin"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
            .lines()
            .find_map(|l| l.strip_prefix("documents: ").map(str::to_string))
            .unwrap()
    };
    let args = [
        "-q",
        "run",
        "--corpus",
        "c",
        "--work-dir",
        "c/a",
        "--out-dir",
        "c",
    ];
    let first = tifa(dir.path(), &args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(reports_read(), "3");
    assert!(corpus.join("report.html").is_file() && corpus.join("summary.md").is_file());
    let again = tifa(dir.path(), &[&args[..], &["--force"]].concat());
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).is_empty(), "{}", stderr(&again));
    assert_eq!(reports_read(), "3");
    // A report of the user's named report.html, in the work folder, where tifa wrote no
    // report: it is read.
    std::fs::copy(
        repo().join("data/corpus/003_5c684740fe0f7a37.txt"),
        corpus.join("a/report.html"),
    )
    .unwrap();
    let third = tifa(dir.path(), &args);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(reports_read(), "4");
}

#[test]
fn output_folders_inside_the_corpus_are_not_read_back() {
    // `tifa run --corpus .` writes work/ and reports/ inside the corpus: a second run must not
    // read report.html and summary.md as reports.
    let dir = tempfile::tempdir().unwrap();
    for f in ["000_1c9d57720230c54b.txt", "001_6ef235d39f680167.txt"] {
        std::fs::copy(repo().join("data/corpus").join(f), dir.path().join(f)).unwrap();
    }
    let tsv = || std::fs::read_to_string(dir.path().join("reports/slogans.tsv")).unwrap();
    let first = tifa(dir.path(), &["-q", "run", "--corpus", "."]);
    assert!(first.status.success(), "{}", stderr(&first));
    let want = tsv();
    let again = tifa(dir.path(), &["-q", "run", "--corpus", ".", "--force"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).is_empty(), "{}", stderr(&again));
    assert_eq!(tsv(), want);
}
