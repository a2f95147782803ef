//! The on-disk intermediate format, and the only module that knows the encoding.
//!
//! An intermediate file is a fixed 48-byte header followed by the payload:
//!
//! ```text
//! offset size field
//!      0    8 magic            b"TIFAINT\0"
//!      8    4 format version   u32 little endian, FORMAT_VERSION
//!     12    1 stage            1 clean, 2 segment, 3 count, 4 compare
//!     13    3 reserved         zero
//!     16    8 input fingerprint   xxh3 of what the stage read (files, upstream checksums)
//!     24    8 config fingerprint  xxh3 of the stage's effective config
//!     32    8 payload length   u64 little endian
//!     40    8 checksum         xxh3 of header bytes 0..40 followed by the payload
//!     48    … payload          bincode 2 (standard config) of the stage's output type
//! ```
//!
//! A reader checks, in order: the magic, the version, the stage, the length and the checksum,
//! and only then decodes, with a bincode allocation limit derived from the payload length, so a
//! damaged or hostile file is refused with a [`FormatError`] naming the file and the reason,
//! never a panic and never an allocation sized by an untrusted length.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// The magic string that opens every intermediate file.
pub const MAGIC: &[u8; 8] = b"TIFAINT\0";
/// The current format version. Bump it whenever any intermediate type changes shape.
pub const FORMAT_VERSION: u32 = 1;
/// Size of the fixed header in bytes.
pub const HEADER_LEN: usize = 48;

/// The stage that wrote an intermediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// `clean.bin`, a [`crate::Corpus`].
    Clean,
    /// `segment.bin`, a [`crate::Segmented`].
    Segment,
    /// `count.bin`, a [`crate::Counts`].
    Count,
    /// `compare.bin`, a [`crate::Comparison`].
    Compare,
}

impl Stage {
    fn code(self) -> u8 {
        match self {
            Stage::Clean => 1,
            Stage::Segment => 2,
            Stage::Count => 3,
            Stage::Compare => 4,
        }
    }

    fn from_code(code: u8) -> Option<Stage> {
        Some(match code {
            1 => Stage::Clean,
            2 => Stage::Segment,
            3 => Stage::Count,
            4 => Stage::Compare,
            _ => return None,
        })
    }

    /// The stage's name as used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Clean => "clean",
            Stage::Segment => "segment",
            Stage::Count => "count",
            Stage::Compare => "compare",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The decoded fixed header of an intermediate file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Header {
    /// Format version the file was written with.
    pub version: u32,
    /// Stage that wrote the file.
    pub stage: Stage,
    /// Fingerprint of the stage's input.
    pub input_fingerprint: u64,
    /// Fingerprint of the stage's effective config.
    pub config_fingerprint: u64,
    /// Length of the payload in bytes.
    pub payload_len: u64,
    /// xxh3 checksum of the first 40 header bytes and the payload.
    pub checksum: u64,
}

/// Why an intermediate could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file does not start with the tifa magic.
    #[error("{}: not a tifa intermediate file (no TIFAINT header)", path.display())]
    NotIntermediate {
        /// The file.
        path: PathBuf,
    },
    /// Written by another format version.
    #[error("{}: written by intermediate format version {got}, this tifa reads version {expected}; re-run the stage that wrote it", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Version this build reads.
        expected: u32,
        /// Version found in the file.
        got: u32,
    },
    /// Written by another stage than the one expected.
    #[error("{}: written by the {got} stage, expected output of the {expected} stage", path.display())]
    WrongStage {
        /// The file.
        path: PathBuf,
        /// Expected stage.
        expected: Stage,
        /// Stage found in the file (or its raw code when unknown).
        got: String,
    },
    /// The file is shorter or longer than its header says.
    #[error("{}: truncated or padded: header announces {expected} payload bytes, file has {got}", path.display())]
    Length {
        /// The file.
        path: PathBuf,
        /// Announced payload length.
        expected: u64,
        /// Actual payload length.
        got: u64,
    },
    /// The payload does not match its checksum.
    #[error("{}: damaged: payload checksum mismatch", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The payload passed the checksum but does not decode as the expected type.
    #[error("{}: damaged: payload does not decode ({message})", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },
    /// The value could not be encoded (should not happen for tifa's own types).
    #[error("{}: cannot encode: {message}", path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// The encoder's message.
        message: String,
    },
}

fn bincode_config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes `value` as a complete intermediate (header and payload).
pub fn encode<T: Serialize>(
    stage: Stage,
    input_fingerprint: u64,
    config_fingerprint: u64,
    value: &T,
) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; HEADER_LEN];
    let mut payload =
        bincode::serde::encode_to_vec(value, bincode_config()).map_err(|e| e.to_string())?;
    let mut header = Header {
        version: FORMAT_VERSION,
        stage,
        input_fingerprint,
        config_fingerprint,
        payload_len: payload.len() as u64,
        checksum: 0,
    };
    header.checksum = checksum(&header_bytes(&header), &payload);
    out[..HEADER_LEN].copy_from_slice(&header_bytes(&header));
    out.append(&mut payload);
    Ok(out)
}

fn header_bytes(h: &Header) -> [u8; HEADER_LEN] {
    let mut b = [0u8; HEADER_LEN];
    b[0..8].copy_from_slice(MAGIC);
    b[8..12].copy_from_slice(&h.version.to_le_bytes());
    b[12] = h.stage.code();
    b[16..24].copy_from_slice(&h.input_fingerprint.to_le_bytes());
    b[24..32].copy_from_slice(&h.config_fingerprint.to_le_bytes());
    b[32..40].copy_from_slice(&h.payload_len.to_le_bytes());
    b[40..48].copy_from_slice(&h.checksum.to_le_bytes());
    b
}

/// Writes `value` to `path` as an intermediate of `stage`, atomically.
pub fn write<T: Serialize>(
    path: &Path,
    stage: Stage,
    input_fingerprint: u64,
    config_fingerprint: u64,
    value: &T,
) -> Result<(), FormatError> {
    let bytes = encode(stage, input_fingerprint, config_fingerprint, value).map_err(|message| {
        FormatError::Encode {
            path: path.to_path_buf(),
            message,
        }
    })?;
    crate::atomic::write_atomic(path, &bytes).map_err(|source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The checksum covers the header fields (so a flipped fingerprint is caught too) and the
/// payload.
fn checksum(header: &[u8; HEADER_LEN], payload: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&header[..40]);
    h.update(payload);
    h.digest()
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

/// Parses and checks the header and payload of an intermediate held in memory: magic, version,
/// stage, length and checksum. Returns the header and the payload slice. `expected` is the
/// stage the caller wants, or `None` to accept any stage.
pub fn check<'a>(
    path: &Path,
    bytes: &'a [u8],
    expected: Option<Stage>,
) -> Result<(Header, &'a [u8]), FormatError> {
    let p = || path.to_path_buf();
    if bytes.len() < HEADER_LEN || &bytes[0..8] != MAGIC {
        return Err(FormatError::NotIntermediate { path: p() });
    }
    let version = u32_at(bytes, 8);
    if version != FORMAT_VERSION {
        return Err(FormatError::Version {
            path: p(),
            expected: FORMAT_VERSION,
            got: version,
        });
    }
    let stage = match Stage::from_code(bytes[12]) {
        Some(s) => s,
        None => {
            return Err(FormatError::WrongStage {
                path: p(),
                expected: expected.unwrap_or(Stage::Clean),
                got: format!("unknown ({})", bytes[12]),
            })
        }
    };
    if let Some(exp) = expected {
        if exp != stage {
            return Err(FormatError::WrongStage {
                path: p(),
                expected: exp,
                got: stage.to_string(),
            });
        }
    }
    let header = Header {
        version,
        stage,
        input_fingerprint: u64_at(bytes, 16),
        config_fingerprint: u64_at(bytes, 24),
        payload_len: u64_at(bytes, 32),
        checksum: u64_at(bytes, 40),
    };
    let payload = &bytes[HEADER_LEN..];
    if payload.len() as u64 != header.payload_len {
        return Err(FormatError::Length {
            path: p(),
            expected: header.payload_len,
            got: payload.len() as u64,
        });
    }
    let mut head = [0u8; HEADER_LEN];
    head.copy_from_slice(&bytes[..HEADER_LEN]);
    if bytes[13..16] != [0, 0, 0] || checksum(&head, payload) != header.checksum {
        return Err(FormatError::Checksum { path: p() });
    }
    Ok((header, payload))
}

/// Reads only the header of an intermediate, checking magic, version and stage but not the
/// payload. Cheap: used to compare fingerprints when deciding whether a stage is stale.
pub fn read_header(path: &Path, expected: Option<Stage>) -> Result<Header, FormatError> {
    use std::io::Read;
    let io = |source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::with_capacity(HEADER_LEN);
    f.by_ref()
        .take(HEADER_LEN as u64)
        .read_to_end(&mut buf)
        .map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    if buf.len() < HEADER_LEN || &buf[0..8] != MAGIC {
        return Err(FormatError::NotIntermediate {
            path: path.to_path_buf(),
        });
    }
    // Check every header field but the checksum, which needs the whole payload.
    let version = u32_at(&buf, 8);
    if version != FORMAT_VERSION {
        return Err(FormatError::Version {
            path: path.to_path_buf(),
            expected: FORMAT_VERSION,
            got: version,
        });
    }
    let stage = Stage::from_code(buf[12]).ok_or_else(|| FormatError::WrongStage {
        path: path.to_path_buf(),
        expected: expected.unwrap_or(Stage::Clean),
        got: format!("unknown ({})", buf[12]),
    })?;
    if let Some(exp) = expected {
        if exp != stage {
            return Err(FormatError::WrongStage {
                path: path.to_path_buf(),
                expected: exp,
                got: stage.to_string(),
            });
        }
    }
    let header = Header {
        version,
        stage,
        input_fingerprint: u64_at(&buf, 16),
        config_fingerprint: u64_at(&buf, 24),
        payload_len: u64_at(&buf, 32),
        checksum: u64_at(&buf, 40),
    };
    if len.saturating_sub(HEADER_LEN as u64) != header.payload_len {
        return Err(FormatError::Length {
            path: path.to_path_buf(),
            expected: header.payload_len,
            got: len.saturating_sub(HEADER_LEN as u64),
        });
    }
    Ok(header)
}

/// Decodes a checked payload. The allocation limit is a power of two at least 16 times the
/// payload length (and at least 1 MiB), so a length field inside a payload can never make the
/// decoder allocate more than a small multiple of the file's real size.
pub fn decode_payload<T: DeserializeOwned>(path: &Path, payload: &[u8]) -> Result<T, FormatError> {
    macro_rules! with_limit {
        ($($bits:literal),*) => {{
            let need = (payload.len() as u64).saturating_mul(16).max(1 << 20);
            let bits = 64 - (need - 1).leading_zeros();
            match bits {
                $( b if b <= $bits => bincode::serde::decode_from_slice::<T, _>(
                    payload,
                    bincode_config().with_limit::<{ 1usize << $bits }>(),
                ), )*
                _ => bincode::serde::decode_from_slice::<T, _>(
                    payload,
                    bincode_config().with_limit::<{ 1usize << 40 }>(),
                ),
            }
        }};
    }
    let result = with_limit!(20, 22, 24, 26, 28, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39);
    match result {
        Ok((value, used)) if used == payload.len() => Ok(value),
        Ok((_, used)) => Err(FormatError::Decode {
            path: path.to_path_buf(),
            message: format!("{} trailing bytes", payload.len() - used),
        }),
        Err(e) => Err(FormatError::Decode {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

/// Reads, checks and decodes an intermediate of the expected stage.
pub fn read<T: DeserializeOwned>(path: &Path, expected: Stage) -> Result<(Header, T), FormatError> {
    let bytes = std::fs::read(path).map_err(|source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let (header, payload) = check(path, &bytes, Some(expected))?;
    let value = decode_payload(path, payload)?;
    Ok((header, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        words: Vec<String>,
        n: u64,
    }

    fn sample() -> Sample {
        Sample {
            words: vec!["四个意识".into(), "两个维护".into()],
            n: 42,
        }
    }

    fn written(stage: Stage) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        write(&p, stage, 7, 9, &sample()).unwrap();
        (dir, p)
    }

    #[test]
    fn round_trip_keeps_value_and_fingerprints() {
        let (_d, p) = written(Stage::Count);
        let (h, v): (Header, Sample) = read(&p, Stage::Count).unwrap();
        assert_eq!(v, sample());
        assert_eq!((h.input_fingerprint, h.config_fingerprint), (7, 9));
        assert_eq!(read_header(&p, Some(Stage::Count)).unwrap(), h);
    }

    #[test]
    fn refuses_other_stage() {
        let (_d, p) = written(Stage::Clean);
        let e = read::<Sample>(&p, Stage::Count).unwrap_err().to_string();
        assert!(
            e.contains("written by the clean stage, expected output of the count stage"),
            "{e}"
        );
    }

    #[test]
    fn refuses_every_flipped_byte_and_every_truncation() {
        let (_d, p) = written(Stage::Segment);
        let good = std::fs::read(&p).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x40;
            std::fs::write(&p, &bad).unwrap();
            assert!(
                read::<Sample>(&p, Stage::Segment).is_err(),
                "flip at {i} accepted"
            );
        }
        for n in 0..good.len() {
            std::fs::write(&p, &good[..n]).unwrap();
            assert!(
                read::<Sample>(&p, Stage::Segment).is_err(),
                "truncation to {n} accepted"
            );
        }
    }

    #[test]
    fn refuses_other_version_and_plain_files() {
        let (_d, p) = written(Stage::Segment);
        let mut bad = std::fs::read(&p).unwrap();
        bad[8] = 99;
        std::fs::write(&p, &bad).unwrap();
        let e = read::<Sample>(&p, Stage::Segment).unwrap_err().to_string();
        assert!(e.contains("format version 99"), "{e}");
        std::fs::write(&p, "phrase\ttf\tdf\n").unwrap();
        let e = read::<Sample>(&p, Stage::Segment).unwrap_err().to_string();
        assert!(e.contains("not a tifa intermediate"), "{e}");
    }

    #[test]
    fn huge_length_inside_valid_checksum_is_refused_without_allocating() {
        // A payload claiming a vector of 2^60 strings, with a correct checksum: only the
        // allocation limit stands between it and an out-of-memory abort.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("evil.bin");
        let mut payload = vec![0xFFu8]; // varint marker for u64
        payload.extend_from_slice(&(1u64 << 60).to_le_bytes());
        let mut header = Header {
            version: FORMAT_VERSION,
            stage: Stage::Clean,
            input_fingerprint: 0,
            config_fingerprint: 0,
            payload_len: payload.len() as u64,
            checksum: 0,
        };
        header.checksum = checksum(&header_bytes(&header), &payload);
        let mut bytes = header_bytes(&header).to_vec();
        bytes.extend_from_slice(&payload);
        std::fs::write(&p, bytes).unwrap();
        let e = read::<Sample>(&p, Stage::Clean).unwrap_err();
        assert!(matches!(e, FormatError::Decode { .. }), "{e}");
    }
}
