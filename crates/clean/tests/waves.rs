//! The clean stage in waves (`run_in_waves`, under a memory budget) gives what the whole-corpus
//! run gives: the same reports, ids, log rows and skipped files, in the same order, however
//! small the waves.

use std::path::PathBuf;

use tifa_clean::{run, run_in_waves, Config};
use tifa_core::{Corpus, NoProgress};

/// The corpus from the waves, and how many waves handed reports on.
fn in_waves(roots: &[PathBuf], config: &Config, wave_bytes: u64) -> (Corpus, usize) {
    let mut corpus = Corpus::default();
    let mut waves = 0;
    corpus.skipped = run_in_waves(roots, config, &NoProgress, wave_bytes, |docs, log| {
        waves += 1;
        corpus.documents.extend(docs);
        corpus.log.extend(log);
        Ok(())
    })
    .unwrap();
    (corpus, waves)
}

fn same_in_waves(roots: &[PathBuf], config: &Config) {
    let whole = run(roots, config, &NoProgress).unwrap();
    let mut most = 0;
    for wave_bytes in [1, 20_000, 200_000, u64::MAX] {
        let (waved, waves) = in_waves(roots, config, wave_bytes);
        assert_eq!(waved.documents, whole.documents, "wave_bytes {wave_bytes}");
        assert_eq!(waved.log, whole.log, "wave_bytes {wave_bytes}");
        assert_eq!(waved.skipped, whole.skipped, "wave_bytes {wave_bytes}");
        most = most.max(waves);
    }
    assert!(most > 3, "only {most} waves");
}

#[test]
fn the_seed_corpus_cleans_the_same_in_waves() {
    let seeds = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/corpus");
    same_in_waves(&[seeds], &Config::default());
}

/// A report of `year` with `lines` lines of body, a closing notice of several lines in most
/// files (a learned block), and a site's single-line header and footer (learned lines).
fn report(year: u32, lines: usize, notice: bool) -> String {
    let mut s = format!("某某网 首页 > 政务公开\n{year}年政府工作报告\n\n各位代表：\n");
    for k in 0..lines {
        s.push_str(&format!(
            "{year}年第{k}项工作取得进展，第{k}个方面的改革持续深化，群众满意度第{}次提高。\n\n",
            k * 7 + year as usize % 13
        ));
    }
    if notice {
        for line in [
            "本作品是公务文件，",
            "其中的决议、决定、命令和其他具有立法、行政、司法性质的文件，根据",
            "有关规定，",
            "不受著作权保护，",
        ] {
            s.push_str(line);
            s.push('\n');
        }
    }
    s.push_str("版权所有 某某网\n");
    s
}

#[test]
fn boilerplate_duplicates_and_bad_files_clean_the_same_in_waves() {
    let dir = tempfile::tempdir().unwrap();
    for (i, year) in (2001..2013).enumerate() {
        // Long files: the first pass keeps only their first and last lines.
        let text = report(year, if i % 3 == 0 { 150 } else { 20 }, i != 4);
        std::fs::write(dir.path().join(format!("{year}.txt")), &text).unwrap();
        // An exact duplicate in a later wave than its original.
        if year == 2003 {
            std::fs::write(dir.path().join("z-copy.txt"), &text).unwrap();
        }
    }
    std::fs::write(dir.path().join("2005b.txt"), " \n\t").unwrap();
    std::fs::write(
        dir.path().join("2006b.txt"),
        b"\x00\x01\x02\x03\xff\xfe\xfd",
    )
    .unwrap();
    let roots = [dir.path().to_path_buf()];
    // The single-line learner takes the notice's short lines too; without it they are a block.
    let blocks_only = Config {
        learn_boilerplate: false,
        ..Config::default()
    };
    for (config, reason) in [
        (Config::default(), "boilerplate"),
        (blocks_only, "boilerplate_block"),
    ] {
        let whole = run(&roots, &config, &NoProgress).unwrap();
        // What the waves must reproduce is there to reproduce.
        assert!(whole.log.iter().any(|r| r.removed.contains_key(reason)));
        assert!(whole
            .skipped
            .iter()
            .any(|s| s.reason.starts_with("exact duplicate of")));
        assert_eq!(whole.skipped.len(), 3);
        same_in_waves(&roots, &config);
    }
}
