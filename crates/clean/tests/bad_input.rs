//! Bad and hostile input: every file that cannot be read as a report is skipped with a warning
//! naming it, the run goes on, and nothing outside the corpus folder is read.

use std::path::Path;
use std::sync::Mutex;

use tifa_clean::{inputs, inputs_fingerprint, log_tsv, run, Config, Error};
use tifa_core::Progress;

#[derive(Default)]
struct Warnings(Mutex<Vec<String>>);

impl Progress for Warnings {
    fn start(&self, _: &str, _: u64) {}
    fn inc(&self, _: u64) {}
    fn finish(&self) {}
    fn warn(&self, m: &str) {
        self.0.lock().unwrap().push(m.to_string());
    }
}

const REPORT: &str = "某市人民政府工作报告\n各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议，并请市政协委员提出意见。\n坚持以习近平新时代中国特色社会主义思想为指导，增强“四个意识”、坚定“四个自信”、做到“两个维护”。\n";

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[test]
fn bad_files_are_skipped_with_a_warning_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.txt", REPORT.as_bytes());
    write(d, "empty.txt", b"");
    write(d, "blank.txt", b"\n  \n");
    write(
        d,
        "binary.txt",
        &[
            0x7F, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 3, 0, 0x3E, 0,
        ],
    );
    let garbage: Vec<u8> = (0..20000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8 | 0x80)
        .collect();
    write(d, "garbage.txt", &garbage);
    let mut long = vec![b'a'; 5 << 20];
    long.extend_from_slice("报告".as_bytes());
    write(d, "long.txt", &long);
    let mut deep = String::new();
    for i in 0..40 {
        deep.push_str(&format!("d{i}/"));
    }
    write(d, &format!("{deep}deep.txt"), REPORT.as_bytes());
    write(d, "ignored.pdf", b"%PDF-1.4");
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret.txt",
        REPORT.replace("某市", "外市").as_bytes(),
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path(), d.join("outside")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.txt"), d.join("secret.txt"))
            .unwrap();
        std::os::unix::fs::symlink(d, d.join("loop")).unwrap();
        std::os::unix::fs::symlink(d.join("good.txt"), d.join("alias.txt")).unwrap();
    }
    let warnings = Warnings::default();
    let corpus = run(&[d.to_path_buf()], &Config::default(), &warnings).unwrap();
    let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
    // alias.txt is a link inside the folder: read, and then skipped as an exact duplicate.
    assert_eq!(ids, ["alias.txt"], "{:?}", corpus.skipped);
    let warnings = warnings.0.into_inner().unwrap();
    for name in [
        "empty.txt",
        "blank.txt",
        "binary.txt",
        "garbage.txt",
        "long.txt",
        "deep.txt",
        "d32",
    ] {
        if name == "deep.txt" {
            continue;
        }
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("skipping {name}"))
                    || w.contains(&format!("/{name}:"))),
            "no warning for {name}: {warnings:?}"
        );
    }
    #[cfg(unix)]
    for name in ["outside", "secret.txt", "loop", "good.txt"] {
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with(&format!("skipping {name}"))),
            "no warning for {name}: {warnings:?}"
        );
    }
    assert!(corpus.documents.iter().all(|d| !d.text.contains("外市")));
    assert!(!warnings.iter().any(|w| w.contains("ignored.pdf")));
}

#[cfg(unix)]
#[test]
fn a_pipe_named_like_a_report_is_skipped_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.txt", REPORT.as_bytes());
    // Opening a pipe with no writer blocks for ever: it must never be opened.
    let made = std::process::Command::new("mkfifo")
        .arg(d.join("pipe.txt"))
        .status()
        .unwrap();
    assert!(made.success());
    // Should the pipe ever be opened for reading, this writer unblocks it after a while, so the
    // test fails (one report too many) instead of hanging.
    let fifo = d.join("pipe.txt");
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(20));
        let _ = std::fs::write(fifo, REPORT.replace("某市", "管道"));
    });
    let warnings = Warnings::default();
    let corpus = run(&[d.to_path_buf()], &Config::default(), &warnings).unwrap();
    assert_eq!(corpus.documents.len(), 1);
    let warnings = warnings.0.into_inner().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("skipping pipe.txt") && w.contains("not a regular file")),
        "{warnings:?}"
    );
    assert!(corpus.skipped.iter().any(|s| s.source == "pipe.txt"));

    // Named as the corpus itself.
    let pipe = d.join("pipe.txt");
    let warnings = Warnings::default();
    let e = run(
        &[pipe.clone(), d.join("good.txt")],
        &Config::default(),
        &warnings,
    )
    .unwrap();
    assert_eq!(e.documents.len(), 1);
    let warnings = warnings.0.into_inner().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("pipe.txt") && w.contains("not a regular file")),
        "{warnings:?}"
    );
}

#[test]
fn a_file_named_in_two_manifests_is_warned_of() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "sub/a.txt", REPORT.as_bytes());
    write(d, "manifest.tsv", b"file\tyear\nsub/a.txt\t2023\n");
    write(d, "sub/manifest.tsv", b"file\tyear\na.txt\t2024\n");
    let warnings = Warnings::default();
    let corpus = run(&[d.to_path_buf()], &Config::default(), &warnings).unwrap();
    assert_eq!(corpus.documents[0].meta.year, Some(2024));
    let warnings = warnings.0.into_inner().unwrap();
    assert!(
        warnings.iter().any(|w| w
            == "sub/manifest.tsv:2: a second row for `sub/a.txt` (the first at manifest.tsv:2); \
                the last is used"),
        "{warnings:?}"
    );
}

#[test]
fn nothing_readable_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.txt", b"");
    let e = run(
        &[dir.path().to_path_buf()],
        &Config::default(),
        &Warnings::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::NoReports { skipped: 1, .. }), "{e}");
    let missing = dir.path().join("missing");
    assert!(matches!(
        run(&[missing], &Config::default(), &Warnings::default()),
        Err(Error::Root { .. })
    ));
}

#[test]
fn manifest_gives_metadata_and_cannot_name_files_outside() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "sub/a.txt", REPORT.as_bytes());
    write(
        d,
        "manifest.tsv",
        "file\ttitle\tyear\tregion\tlevel\tbody\tsource\nsub/a.txt\t2024年某市政府工作报告\t2024\t某市\tcity\tgovernment\tarchive\n../x.txt\tx\t\t\t\t\t\n/etc/passwd\tx\t\t\t\t\t\n".as_bytes(),
    );
    let warnings = Warnings::default();
    let corpus = run(&[d.to_path_buf()], &Config::default(), &warnings).unwrap();
    let doc = &corpus.documents[0];
    assert_eq!(doc.title, "2024年某市政府工作报告");
    assert_eq!(doc.meta.year, Some(2024));
    assert_eq!(doc.meta.region.as_deref(), Some("某市"));
    assert_eq!(
        doc.meta.extra.get("source").map(String::as_str),
        Some("archive")
    );
    let refused = warnings
        .0
        .into_inner()
        .unwrap()
        .iter()
        .filter(|w| w.contains("manifest row refused"))
        .count();
    assert_eq!(refused, 2);
}

#[test]
fn output_and_fingerprint_are_deterministic() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    let config = Config::default();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let a =
        one.install(|| run(std::slice::from_ref(&seeds), &config, &Warnings::default()).unwrap());
    let b = run(std::slice::from_ref(&seeds), &config, &Warnings::default()).unwrap();
    assert_eq!(a, b);
    assert_eq!(log_tsv(&a.log, &a.skipped), log_tsv(&b.log, &b.skipped));
    assert!(log_tsv(&a.log, &a.skipped)
        .starts_with("id\tencoding\tchars_in\tchars_out\tremoved\tskipped\n"));
    assert_eq!(log_tsv(&a.log, &a.skipped).lines().count(), 36);
    let f1 = inputs_fingerprint(std::slice::from_ref(&seeds), &config).unwrap();
    assert_eq!(f1, inputs_fingerprint(&[seeds], &config).unwrap());
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", REPORT.as_bytes());
    let f2 = inputs_fingerprint(&[dir.path().to_path_buf()], &config).unwrap();
    write(dir.path(), "b.txt", REPORT.as_bytes());
    let both = inputs(&[dir.path().to_path_buf()], &config).unwrap();
    assert_ne!(f2, both.fingerprint);
    assert_eq!(
        both.fingerprint,
        inputs_fingerprint(&[dir.path().to_path_buf()], &config).unwrap()
    );
    assert_eq!(both.bytes, 2 * REPORT.len() as u64);
}

#[test]
fn html_and_traditional_input() {
    let dir = tempfile::tempdir().unwrap();
    let html = format!(
        "<html><body><p>{}</p><script>var x=1;</script></body></html>",
        REPORT
            .replace('\n', "</p><p>")
            .replace('“', "&ldquo;")
            .replace('”', "&rdquo;")
    );
    write(dir.path(), "a.html", html.as_bytes());
    write(
        dir.path(),
        "b.txt",
        "中國共產黨第一次全國代表大會\n我們要鞏固無產階級專政，發展經濟。".as_bytes(),
    );
    let config = Config {
        traditional_to_simplified: true,
        ..Config::default()
    };
    let corpus = run(&[dir.path().to_path_buf()], &config, &Warnings::default()).unwrap();
    assert!(
        corpus.documents[0].text.contains("增强“四个意识”"),
        "{}",
        corpus.documents[0].text
    );
    assert!(!corpus.documents[0].text.contains("var x"));
    assert!(
        corpus.documents[1].text.contains("我们要巩固无产阶级专政"),
        "{}",
        corpus.documents[1].text
    );
}

#[test]
fn a_file_left_with_no_report_text_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "good.txt", REPORT.as_bytes());
    write(
        d,
        "punctuation.txt",
        "，。、；！？“”《》——\n".repeat(50).as_bytes(),
    );
    write(d, "pages.txt", "- 1 -\n第3页\n12\n".as_bytes());
    for budget in [None, Some(1)] {
        let warnings = Warnings::default();
        let (reports, skipped) = match budget {
            None => {
                let c = run(&[d.to_path_buf()], &Config::default(), &warnings).unwrap();
                (c.documents.len(), c.skipped)
            }
            Some(wave) => {
                let mut n = 0;
                let skipped = tifa_clean::run_in_waves(
                    &[d.to_path_buf()],
                    &Config::default(),
                    &warnings,
                    wave,
                    |docs, _| {
                        n += docs.len();
                        Ok(())
                    },
                )
                .unwrap();
                (n, skipped)
            }
        };
        assert_eq!(reports, 1);
        let names: Vec<(&str, &str)> = skipped
            .iter()
            .map(|s| (s.source.as_str(), s.reason.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("pages.txt", "no report text left after cleaning"),
                ("punctuation.txt", "no report text left after cleaning"),
            ]
        );
        let warned = warnings.0.lock().unwrap();
        assert!(
            warned
                .iter()
                .any(|w| w.contains("punctuation.txt") && w.contains("no report text")),
            "{warned:?}"
        );
    }
}

#[test]
fn files_of_the_same_name_in_two_corpus_folders_keep_ids_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("north"), dir.path().join("south"));
    write(&a, "2024.txt", REPORT.as_bytes());
    write(&b, "2024.txt", REPORT.replace("某市", "某县").as_bytes());
    write(&b, "2025.txt", REPORT.replace("某市", "某镇").as_bytes());
    let c = run(
        &[a.clone(), b.clone()],
        &Config::default(),
        &Warnings::default(),
    )
    .unwrap();
    let ids: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["north/2024.txt", "south/2024.txt", "2025.txt"]);
    let sources: Vec<&str> = c.documents.iter().map(|d| d.source.as_str()).collect();
    assert_eq!(sources, ids);
    // The same folder twice: the copies are exact duplicates, named by the folder as given.
    let warnings = Warnings::default();
    let c = run(&[a.clone(), a.clone()], &Config::default(), &warnings).unwrap();
    assert_eq!(c.documents.len(), 1);
    let dup = &c.skipped[0];
    assert_eq!(dup.source, format!("{}/2024.txt", a.display()));
    assert!(dup.reason.contains(&format!("{}/2024.txt", a.display())));
}

#[test]
#[cfg(target_os = "linux")]
fn file_names_that_are_not_utf8_keep_ids_of_their_own() {
    // A zip made on Chinese Windows holds GBK names: 北京.txt and 上海.txt were both `��.txt`.
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let named = |bytes: &[u8], text: &str| {
        let path = dir.path().join(std::ffi::OsStr::from_bytes(bytes));
        std::fs::write(path, REPORT.replace("某市", text)).unwrap();
    };
    named(b"\xB1\xB1\xBE\xA9.txt", "北京市"); // 北京 in GBK
    named(b"\xC9\xCF\xBA\xA3.txt", "上海市"); // 上海 in GBK
    named(b"\xFF\xFE.txt", "某县"); // neither UTF-8 nor GB18030
    let c = run(
        &[dir.path().to_path_buf()],
        &Config::default(),
        &Warnings::default(),
    )
    .unwrap();
    let ids: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["\\xFF\\xFE.txt", "上海.txt", "北京.txt"]);
    // Names that read as the same text: the UTF-8 北京.txt beside the GBK one, and a name
    // written with `\xFF` beside the byte it stands for. Each keeps an id of its own.
    named("北京.txt".as_bytes(), "某区");
    named(b"\\xFF\\xFE.txt", "某镇");
    let warnings = Warnings::default();
    let c = run(&[dir.path().to_path_buf()], &Config::default(), &warnings).unwrap();
    let ids: Vec<&str> = c.documents.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "\\xFF\\xFE.txt",
            "\\xFF\\xFE.txt~2",
            "上海.txt",
            "北京.txt",
            "北京.txt~2"
        ]
    );
    let warnings = warnings.0.into_inner().unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].ends_with("as another file's does; its reports are named \\xFF\\xFE.txt~2"),
        "{warnings:?}"
    );
}

#[test]
fn an_ending_written_with_its_dot_is_the_same_ending() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.TXT", REPORT.as_bytes());
    let config = Config {
        extensions: vec![".txt".to_string()],
        ..Config::default()
    };
    let corpus = run(&[dir.path().to_path_buf()], &config, &Warnings::default()).unwrap();
    assert_eq!(corpus.documents.len(), 1);
}

#[test]
fn a_title_that_opens_with_its_year_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = format!(
        "2025年吉林省政府工作报告\n来源：吉林省政府网\n——2025年1月14日在吉林省第十四届人民代表大会第四次会议上\n省长　胡玉亭\n{}",
        REPORT[REPORT.find('\n').unwrap() + 1..].repeat(8)
    );
    write(d, "a.txt", text.as_bytes());
    let corpus = run(&[d.to_path_buf()], &Config::default(), &Warnings::default()).unwrap();
    let doc = &corpus.documents[0];
    assert_eq!(doc.title, "2025年吉林省政府工作报告");
    assert!(doc.text.starts_with("2025年吉林省"), "{}", doc.text);
    assert_eq!(
        (doc.meta.region.as_deref(), doc.meta.year),
        (Some("吉林省"), Some(2025))
    );
}
