//! Fuzzes the intermediate decoder past the checksum: the input is a stage selector byte and a
//! payload, wrapped in a correct header (magic, version, stage, length and checksum), so every
//! input reaches bincode and its allocation limit. Decoding must refuse with a `FormatError` or
//! give a value; the streaming reader and the in-memory decoder must agree (and, for a segmented
//! corpus, the reader that hands token streams on in waves); a decoded value
//! must encode and decode again to the same bytes; and a decoded vocabulary and phrase table
//! must answer look-ups without panicking, whatever the file put in them.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tifa_core::format::{self, Stage, FORMAT_VERSION, HEADER_LEN, MAGIC};
use tifa_core::{Comparison, Corpus, Counts, SegDoc, SegDocWaves, Segmented, Vocab};

/// One scratch file per fuzzing process.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("tifa-fuzz-payload-{}.bin", std::process::id()))
    })
}

/// A complete intermediate around `payload`, built from the documented header layout (not with
/// the encoder under test), with the checksum over the payload and the first 40 header bytes.
fn wrap(code: u8, payload: &[u8]) -> Vec<u8> {
    let mut file = vec![0u8; HEADER_LEN];
    file[0..8].copy_from_slice(MAGIC);
    file[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    file[12] = code;
    file[32..40].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    let mut summed = payload.to_vec();
    summed.extend_from_slice(&file[..40]);
    let checksum = tifa_core::fingerprint(&summed);
    file[40..48].copy_from_slice(&checksum.to_le_bytes());
    file.extend_from_slice(payload);
    file
}

/// Look-ups on a decoded vocabulary: its FST index comes from the file too.
fn probe(vocab: &Vocab) {
    for term in vocab.terms.iter().take(64) {
        let _ = vocab.id(term);
    }
    let _ = vocab.id("全面深化改革");
    let ids: Vec<u32> = (0..vocab.len().min(64) as u32 + 2).collect();
    let _ = vocab.phrase(&ids);
    for &id in &ids {
        let _ = vocab.kind(id);
    }
}

fn exercise<T: Serialize + DeserializeOwned>(
    path: &Path,
    stage: Stage,
    file: &[u8],
    probe_value: impl Fn(&T),
) {
    let (header, payload) = format::check(path, file, Some(stage)).expect("wrapped file checks");
    assert_eq!(header.stage, stage);
    let in_memory = format::decode_payload::<T>(path, payload);
    std::fs::write(path, file).expect("scratch file is writable");
    let streamed = format::read::<T>(path, stage);
    assert_eq!(
        in_memory.is_ok(),
        streamed.is_ok(),
        "in-memory and streaming decoders disagree: {:?} / {:?}",
        in_memory.as_ref().err().map(|e| e.to_string()),
        streamed.as_ref().err().map(|e| e.to_string()),
    );
    if let Ok(value) = in_memory {
        probe_value(&value);
        let again = format::encode(stage, 0, 0, &value).expect("a decoded value encodes");
        let (_, repayload) = format::check(path, &again, Some(stage)).expect("own output checks");
        let value2: T = format::decode_payload(path, repayload).expect("own output decodes");
        let third = format::encode(stage, 0, 0, &value2).expect("encodes");
        assert_eq!(again, third, "encoding is not stable across a round trip");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, payload)) = data.split_first() else {
        return;
    };
    let path = scratch();
    let code = selector % 4 + 1;
    let file = wrap(code, payload);
    match code {
        1 => exercise::<Corpus>(path, Stage::Clean, &file, |_| {}),
        2 => {
            exercise::<Segmented>(path, Stage::Segment, &file, |s| {
                probe(&s.vocab);
                // Offsets come from the gaps, odd ends and marks read from the file.
                for d in s.docs.iter().take(8) {
                    for i in 0..d.tokens.len().min(64) + 1 {
                        let _ = d.span(i, &s.vocab);
                    }
                }
            });
            // Read in waves, the file gives the same corpus, or is refused the same way.
            let whole = format::read::<Segmented>(path, Stage::Segment);
            let mut docs = Vec::new();
            let waves = format::read_seed(
                path,
                Stage::Segment,
                SegDocWaves {
                    size: 3,
                    each: |_: &mut [tifa_core::Document], wave: Vec<(usize, SegDoc)>| {
                        docs.extend(wave.into_iter().map(|(_, d)| d))
                    },
                },
            );
            match (whole, waves) {
                (Ok((_, s)), Ok((_, head))) => {
                    assert_eq!(
                        (head.documents, head.n_docs, head.vocab),
                        (s.documents, s.docs.len(), s.vocab)
                    );
                    assert_eq!(docs, s.docs);
                }
                (Err(_), Err(_)) => {}
                (a, b) => panic!(
                    "whole and wave readers disagree: {:?} / {:?}",
                    a.err(),
                    b.err()
                ),
            }
        }
        3 => exercise::<Counts>(path, Stage::Count, &file, |c| {
            probe(&c.vocab);
            for p in c.phrases.iter().take(64) {
                let _ = c.get(&p.tokens);
            }
            let _ = c.get(&[0, 1]);
        }),
        _ => exercise::<Comparison>(path, Stage::Compare, &file, |_| {}),
    }
});
