//! Fuzzes the intermediate reader on whole files: arbitrary bytes are written to a file and read
//! back as every stage's output type and through `tifa lookup`'s partial readers, verified, and
//! checked in memory. Every reader must refuse what is not a good intermediate with a
//! `FormatError`, never panic, and never allocate by an untrusted length (libFuzzer's
//! `-rss_limit_mb` and `-malloc_limit_mb` turn that into a crash).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tifa_core::format::{self, Stage, HEADER_LEN};
use tifa_core::{Comparison, Corpus, Counts, Segmented};

/// One scratch file per fuzzing process.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("tifa-fuzz-intermediate-{}.bin", std::process::id()))
    })
}

const STAGES: [Stage; 4] = [Stage::Clean, Stage::Segment, Stage::Count, Stage::Compare];

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("scratch file is writable");

    let header = format::read_header(path, None);
    if let Ok(h) = &header {
        assert_eq!(data.len() as u64, HEADER_LEN as u64 + h.payload_len);
    }
    let verified = format::verify(path, None);
    if let Ok(h) = &verified {
        assert_eq!(header.as_ref().ok(), Some(h));
    }
    for stage in STAGES {
        let v = format::verify(path, Some(stage));
        assert_eq!(v.is_ok(), verified.as_ref().is_ok_and(|h| h.stage == stage));
    }

    // Each stage's reader on the same file; only the stage named in the header can succeed.
    let ok = [
        format::read::<Corpus>(path, Stage::Clean).is_ok(),
        format::read::<Segmented>(path, Stage::Segment).is_ok(),
        format::read::<Counts>(path, Stage::Count).is_ok(),
        format::read::<Comparison>(path, Stage::Compare).is_ok(),
    ];
    for (stage, ok) in STAGES.iter().zip(ok) {
        if ok {
            assert_eq!(verified.as_ref().ok().map(|h| h.stage), Some(*stage));
        }
    }

    // The partial readers of `tifa lookup` succeed only on a good file of their stage.
    let texts = tifa_core::TextWaves {
        bytes: 64,
        each: |_: Vec<Vec<u8>>| {},
    };
    let slogans = tifa_core::SomeSlogans {
        keep: |p: &str, _| p.len() % 2 == 0,
    };
    let partial = [
        (
            Stage::Clean,
            format::read_seed(path, Stage::Clean, texts).is_ok(),
        ),
        (
            Stage::Compare,
            format::read_seed(path, Stage::Compare, slogans).is_ok(),
        ),
    ];
    for (stage, ok) in partial {
        if ok {
            assert_eq!(verified.as_ref().ok().map(|h| h.stage), Some(stage));
        }
    }

    // The in-memory checker agrees with the streaming one, and its decoder with the reader.
    let checked = format::check(path, data, None);
    assert_eq!(checked.is_ok(), verified.is_ok());
    if let Ok((h, payload)) = checked {
        let decoded = match h.stage {
            Stage::Clean => format::decode_payload::<Corpus>(path, payload).is_ok(),
            Stage::Segment => format::decode_payload::<Segmented>(path, payload).is_ok(),
            Stage::Count => format::decode_payload::<Counts>(path, payload).is_ok(),
            Stage::Compare => format::decode_payload::<Comparison>(path, payload).is_ok(),
        };
        let i = STAGES.iter().position(|s| *s == h.stage).unwrap_or(0);
        assert_eq!(decoded, ok[i]);
    }
});
