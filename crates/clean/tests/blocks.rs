//! Boilerplate blocks learned across files: a notice of several lines closing most files of a
//! corpus is removed and logged, while formulaic sentences that related reports share stay.

use std::path::PathBuf;

use tifa_clean::{log_tsv, run, Config};
use tifa_core::{Corpus, Document, NoProgress};

/// A report of `year`: a body of its own with a closing sentence many reports share, then (when
/// `notice`) a licence notice of several short lines, one of which names the year.
fn report(year: u32, notice: bool) -> String {
    let mut s = format!("{year}年政府工作报告\n\n各位代表：\n");
    for k in 0..12 {
        s.push_str(&format!(
            "{year}年第{k}项工作取得进展，第{k}个方面的改革在{year}年持续深化，群众满意度第{}次提高。\n",
            k * 7 + year as usize % 13
        ));
    }
    // A closing sentence longer than a learned single line, shared by every report.
    s.push_str(
        "让我们更加紧密地团结在以习近平同志为核心的党中央周围，坚定信心、真抓实干，为实现今年的目标任务而努力奋斗！\n\n",
    );
    if notice {
        for line in [
            &format!("本页面整理于{year}年"),
            "本作品是公务文件，",
            "其中的决议、决定、命令和其他具有立法、行政、司法性质的文件，及其官方正式译文，根据",
            "有关规定，",
            "不受著作权保护，",
            "在本站以公有领域发布",
        ] {
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

/// The corpus of `roots` cleaned with blocks alone: the single-line learner would take the
/// notice's short lines too.
fn blocks_only(roots: &[PathBuf]) -> Corpus {
    let config = Config {
        learn_boilerplate: false,
        ..Config::default()
    };
    run(roots, &config, &NoProgress).unwrap()
}

/// Checks that a report kept its text: its body, and the closing sentence every report shares,
/// which stands before the notice.
fn keeps_report_text(d: &Document) {
    assert!(
        d.text
            .contains("让我们更加紧密地团结在以习近平同志为核心的党中央周围"),
        "{}",
        d.id
    );
    assert!(d.text.contains("第11项工作取得进展"), "{}", d.id);
}

/// The files whose log row says `removed` block lines were removed.
fn files_with_blocks(corpus: &Corpus, removed: usize) -> usize {
    let log = log_tsv(&corpus.log, &corpus.skipped);
    let tag = format!("boilerplate_block={removed}");
    log.lines().filter(|l| l.contains(&tag)).count()
}

#[test]
fn a_notice_closing_most_files_is_removed_and_logged_and_shared_sentences_stay() {
    let dir = tempfile::tempdir().unwrap();
    for (i, year) in (2001..2011).enumerate() {
        // Nine of ten files carry the notice.
        let text = report(year, i != 4);
        std::fs::write(dir.path().join(format!("{year}.txt")), text).unwrap();
    }
    let corpus = blocks_only(&[dir.path().to_path_buf()]);
    assert_eq!(corpus.documents.len(), 10);
    for d in &corpus.documents {
        assert!(!d.text.contains("公有领域"), "{}: {}", d.id, d.text);
        assert!(!d.text.contains("不受著作权保护"), "{}", d.id);
        assert!(!d.text.contains("本作品是公务文件"), "{}", d.id);
        keeps_report_text(d);
    }
    // The line that varies (the year) is not a block line and stays; the run after it goes.
    assert_eq!(files_with_blocks(&corpus, 5), 9);
    assert!(corpus
        .documents
        .iter()
        .all(|d| !d.text.contains("本页面整理于")
            || d.text.contains(&format!("本页面整理于{}", &d.id[..4]))));
}

#[test]
fn blocks_are_not_learned_when_switched_off_or_in_few_files() {
    let dir = tempfile::tempdir().unwrap();
    for (i, year) in (2001..2011).enumerate() {
        // Only two files of ten carry the notice: not boilerplate of this corpus.
        std::fs::write(dir.path().join(format!("{year}.txt")), report(year, i < 2)).unwrap();
    }
    let lines_off = Config {
        learn_boilerplate: false,
        ..Config::default()
    };
    let corpus = run(&[dir.path().to_path_buf()], &lines_off, &NoProgress).unwrap();
    assert!(corpus.documents.iter().any(|d| d.text.contains("公有领域")));
    let off = Config {
        learn_boilerplate_blocks: false,
        ..lines_off
    };
    let dir2 = tempfile::tempdir().unwrap();
    for year in 2001..2011 {
        std::fs::write(dir2.path().join(format!("{year}.txt")), report(year, true)).unwrap();
    }
    let corpus = run(&[dir2.path().to_path_buf()], &off, &NoProgress).unwrap();
    assert!(corpus.documents.iter().all(|d| d.text.contains("公有领域")));
}

/// A report whose notice holds sentences of its own: one between two parts of it, one closing
/// the file.
fn report_with_sentences(year: u32) -> String {
    let mut s = report(year, false);
    for line in [
        "本作品来自中华人民共和国的公务文件，",
        "根据有关规定，",
        "不受著作权保护，",
        "其使用范围以本站社群的共识为准，视同公务文件处理。",
        "在本站以公有领域发布，",
        "转载时请注明出处，",
        "本站不对其内容的准确性负责，",
        "对其他文件的使用应以相关模板为准，请另行查阅说明。",
    ] {
        s.push_str(line);
        s.push('\n');
    }
    s
}

#[test]
fn a_notice_s_own_sentences_go_with_it() {
    let dir = tempfile::tempdir().unwrap();
    for year in 2001..2011 {
        std::fs::write(
            dir.path().join(format!("{year}.txt")),
            report_with_sentences(year),
        )
        .unwrap();
    }
    let corpus = blocks_only(&[dir.path().to_path_buf()]);
    assert_eq!(corpus.documents.len(), 10);
    for d in &corpus.documents {
        // The sentence between two parts of the notice, and the one closing the file.
        assert!(!d.text.contains("视同公务文件处理"), "{}: {}", d.id, d.text);
        assert!(!d.text.contains("请另行查阅说明"), "{}: {}", d.id, d.text);
        assert!(!d.text.contains("公有领域"), "{}", d.id);
        keeps_report_text(d);
    }
    assert_eq!(files_with_blocks(&corpus, 8), 10);
}

#[test]
fn a_notice_of_one_corpus_folder_is_learned_there() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, noted) = (dir.path().join("plain"), dir.path().join("noted"));
    std::fs::create_dir_all(&plain).unwrap();
    std::fs::create_dir_all(&noted).unwrap();
    // 20 reports without the notice, 5 with it: a fifth of the corpus, all of its folder.
    for year in 1990..2010 {
        std::fs::write(plain.join(format!("{year}.txt")), report(year, false)).unwrap();
    }
    for year in 2010..2015 {
        std::fs::write(noted.join(format!("{year}.txt")), report(year, true)).unwrap();
    }
    let corpus = blocks_only(&[plain, noted]);
    assert_eq!(corpus.documents.len(), 25);
    for d in &corpus.documents {
        assert!(!d.text.contains("公有领域"), "{}: {}", d.id, d.text);
        keeps_report_text(d);
    }
    assert_eq!(files_with_blocks(&corpus, 5), 5);
}
