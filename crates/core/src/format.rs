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
//!     40    8 checksum         xxh3 of the payload followed by header bytes 0..40
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
pub const FORMAT_VERSION: u32 = 11;
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
    #[error("{}: damaged: checksum mismatch", path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
    },
    /// The header names no stage: the file was damaged.
    #[error("{}: damaged: its header's stage byte ({code}) names no stage", path.display())]
    UnknownStage {
        /// The file.
        path: PathBuf,
        /// The stage byte.
        code: u8,
    },
    /// The payload passed the checksum but does not decode as the expected type.
    #[error("{}: damaged: payload does not decode ({message})", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        message: String,
    },
    /// segment.bin holds no texts: they are read from the clean.bin beside it, which is missing
    /// or is not the one it was made from.
    #[error("{}: the reports' texts are read from {}: {reason}", path.display(), clean.display())]
    Texts {
        /// The segment.bin.
        path: PathBuf,
        /// The clean.bin its texts are read from.
        clean: PathBuf,
        /// What is wrong with it.
        reason: String,
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

/// What is wrong with a payload that does not decode, in words: bincode's own `Display` is its
/// debug text (`Utf8 { inner: Utf8Error { .. } }`), and a message of tifa's own readers comes
/// wrapped as `OtherString("…")`.
fn describe(e: &bincode::error::DecodeError) -> String {
    use bincode::error::DecodeError as E;
    match e {
        E::UnexpectedEnd { .. } => "it ends in the middle of a value".to_string(),
        E::Io { inner, .. } if inner.kind() == std::io::ErrorKind::UnexpectedEof => {
            "it ends in the middle of a value".to_string()
        }
        E::LimitExceeded | E::OutsideUsizeRange(_) => {
            "a length in it is larger than the file".to_string()
        }
        E::Utf8 { .. } | E::InvalidCharEncoding(_) => "a text in it is not valid UTF-8".to_string(),
        E::UnexpectedVariant {
            type_name, found, ..
        } => {
            format!("a value of type {type_name} has unknown variant {found}")
        }
        E::InvalidBooleanValue(b) => format!("a yes/no value is {b}, neither 0 nor 1"),
        E::InvalidIntegerType { .. } | E::NonZeroTypeIsZero { .. } => {
            "a number in it is not of the expected type".to_string()
        }
        E::ArrayLengthMismatch { required, found } => {
            format!("a fixed-size list holds {found} items instead of {required}")
        }
        E::Other(message) => (*message).to_string(),
        E::OtherString(message) => message.clone(),
        E::Io { inner, .. } => inner.to_string(),
        other => format!("{other:?}"),
    }
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

/// Appends `value` to `w` with no header: scratch data that a stage writes out and reads back
/// itself (with [`read_scratch`]) within one run, never a file anyone else reads.
pub fn write_scratch<T: Serialize, W: std::io::Write>(w: &mut W, value: &T) -> Result<(), String> {
    bincode::serde::encode_into_std_write(value, w, bincode_config())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A scratch file of values written in order and read back in the same order, within one run:
/// an unnamed temporary file, which the system removes when it is closed, whatever happens to
/// the process. Its pages are the page cache's, which the system can write out and reclaim,
/// not the process's own memory.
#[derive(Debug)]
pub struct Scratch {
    file: std::fs::File,
}

impl Scratch {
    /// A new scratch file in `dir`.
    pub fn new(dir: &Path) -> std::io::Result<Scratch> {
        Ok(Scratch {
            file: tempfile::tempfile_in(dir)?,
        })
    }

    /// Appends `values`.
    pub fn append<T: Serialize>(&self, values: &[T]) -> Result<(), String> {
        use std::io::Write;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, &self.file);
        for v in values {
            write_scratch(&mut w, v)?;
        }
        w.flush().map_err(|e| e.to_string())
    }

    /// Appends `bytes` as they are (a writer that encodes its own records).
    pub fn append_bytes(&self, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        (&self.file).write_all(bytes)
    }

    /// Reads every value appended, from the first, with [`read_scratch`].
    pub fn replay(&self) -> Result<impl std::io::Read + '_, String> {
        self.reader().map_err(|e| e.to_string())
    }

    /// The bytes appended, from the first.
    pub fn reader(&self) -> std::io::Result<impl std::io::Read + '_> {
        use std::io::{Seek, SeekFrom};
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0))?;
        Ok(std::io::BufReader::with_capacity(1 << 20, file))
    }

    /// Fills `buf` with the bytes appended from `offset` on.
    pub fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        self.file.read_exact_at(buf, offset)
    }
}

/// Reads back the next value [`write_scratch`] wrote to `r`.
pub fn read_scratch<T: DeserializeOwned, R: std::io::Read>(r: &mut R) -> Result<T, String> {
    bincode::serde::decode_from_std_read(r, bincode_config()).map_err(|e| describe(&e))
}

/// Writes `value` to `path` as an intermediate of `stage`, atomically, streaming the payload
/// (no second copy of it in memory). Returns the header written.
pub fn write<T: Serialize>(
    path: &Path,
    stage: Stage,
    input_fingerprint: u64,
    config_fingerprint: u64,
    value: &T,
) -> Result<Header, FormatError> {
    write_parts(path, stage, input_fingerprint, config_fingerprint, |p| {
        p.value(value)
    })
}

/// Where [`write_parts`] takes an intermediate's payload from, part after part.
pub struct Payload<'a> {
    w: &'a mut dyn std::io::Write,
}

impl Payload<'_> {
    /// Appends `value`, encoded as [`write`] encodes it.
    pub fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), String> {
        bincode::serde::encode_into_std_write(value, &mut self.w, bincode_config())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Appends the length of a sequence, as [`write`] encodes it before the sequence's
    /// elements.
    pub fn len(&mut self, n: usize) -> Result<(), String> {
        self.value(&(n as u64))
    }

    /// Appends the bytes `r` holds: values [`write_scratch`] encoded, which are the bytes
    /// [`write`] gives them.
    pub fn copy(&mut self, r: &mut dyn std::io::Read) -> Result<(), String> {
        std::io::copy(r, &mut self.w)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// [`write`] for a payload given in parts by `fill`: a value is encoded as the concatenation
/// of its fields, and a sequence as its length then its elements, so a writer can copy the
/// elements from a scratch file as they were encoded there instead of decoding and encoding
/// each again (clean's reports under a memory budget).
pub fn write_parts(
    path: &Path,
    stage: Stage,
    input_fingerprint: u64,
    config_fingerprint: u64,
    fill: impl FnOnce(&mut Payload) -> Result<(), String>,
) -> Result<Header, FormatError> {
    use std::io::{Seek, SeekFrom, Write};
    let mut header = Header {
        version: FORMAT_VERSION,
        stage,
        input_fingerprint,
        config_fingerprint,
        payload_len: 0,
        checksum: 0,
    };
    let mut encode_error = None;
    let result = crate::atomic::write_checked_with(path, |w| {
        w.write_all(&[0u8; HEADER_LEN])?;
        let mut hw = HashingWriter {
            inner: &mut *w,
            hasher: xxhash_rust::xxh3::Xxh3::new(),
            len: 0,
        };
        // The encoder writes field by field, often a byte at a time; hashing and writing
        // whole buffers is several times faster.
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, &mut hw);
        if let Err(e) = fill(&mut Payload { w: &mut buffered }) {
            encode_error = Some(e);
            return Err(std::io::Error::other("encoding failed"));
        }
        buffered.flush()?;
        drop(buffered);
        header.payload_len = hw.len;
        let mut hasher = hw.hasher;
        hasher.update(&header_bytes(&header)[..40]);
        header.checksum = hasher.digest();
        w.seek(SeekFrom::Start(0))?;
        w.write_all(&header_bytes(&header))?;
        Ok(())
    });
    match (result, encode_error) {
        (_, Some(message)) => Err(FormatError::Encode {
            path: path.to_path_buf(),
            message,
        }),
        (Err(source), None) => Err(FormatError::Io {
            path: path.to_path_buf(),
            source,
        }),
        (Ok(()), None) => Ok(header),
    }
}

/// The checksum covers the payload and then the header fields (so a flipped fingerprint is
/// caught too). Payload first, so a writer can hash while it streams and add the header, whose
/// length field it only knows at the end.
fn checksum(header: &[u8; HEADER_LEN], payload: &[u8]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(payload);
    h.update(&header[..40]);
    h.digest()
}

/// A writer that hashes and counts what passes through it.
struct HashingWriter<W> {
    inner: W,
    hasher: xxhash_rust::xxh3::Xxh3,
    len: u64,
}

impl<W: std::io::Write> std::io::Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A reader that hashes and counts what passes through it, and never reads past `limit`.
struct HashingReader<R> {
    inner: R,
    hasher: xxhash_rust::xxh3::Xxh3,
    len: u64,
    limit: u64,
}

impl<R: std::io::Read> std::io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let room = (self.limit - self.len).min(buf.len() as u64) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
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

/// Parses and checks the fixed header: magic, version, stage, reserved bytes. `expected` is the
/// stage the caller wants, or `None` to accept any stage.
fn parse_header(path: &Path, b: &[u8], expected: Option<Stage>) -> Result<Header, FormatError> {
    let p = || path.to_path_buf();
    if b.len() < HEADER_LEN || &b[0..8] != MAGIC {
        return Err(FormatError::NotIntermediate { path: p() });
    }
    let version = u32_at(b, 8);
    if version != FORMAT_VERSION {
        return Err(FormatError::Version {
            path: p(),
            expected: FORMAT_VERSION,
            got: version,
        });
    }
    let stage = Stage::from_code(b[12]).ok_or_else(|| FormatError::UnknownStage {
        path: p(),
        code: b[12],
    })?;
    if let Some(exp) = expected {
        if exp != stage {
            return Err(FormatError::WrongStage {
                path: p(),
                expected: exp,
                got: stage.to_string(),
            });
        }
    }
    if b[13..16] != [0, 0, 0] {
        return Err(FormatError::Checksum { path: p() });
    }
    Ok(Header {
        version,
        stage,
        input_fingerprint: u64_at(b, 16),
        config_fingerprint: u64_at(b, 24),
        payload_len: u64_at(b, 32),
        checksum: u64_at(b, 40),
    })
}

/// Checks an intermediate held in memory: header, length and checksum. Returns the header and
/// the payload slice.
pub fn check<'a>(
    path: &Path,
    bytes: &'a [u8],
    expected: Option<Stage>,
) -> Result<(Header, &'a [u8]), FormatError> {
    let header = parse_header(path, bytes, expected)?;
    let payload = &bytes[HEADER_LEN..];
    if payload.len() as u64 != header.payload_len {
        return Err(FormatError::Length {
            path: path.to_path_buf(),
            expected: header.payload_len,
            got: payload.len() as u64,
        });
    }
    let mut head = [0u8; HEADER_LEN];
    head.copy_from_slice(&bytes[..HEADER_LEN]);
    if checksum(&head, payload) != header.checksum {
        return Err(FormatError::Checksum {
            path: path.to_path_buf(),
        });
    }
    Ok((header, payload))
}

/// Runs `$body` with `$cfg` bound to the bincode config whose allocation limit is a power of
/// two at least 16 times the payload length (and at least 1 MiB), so a length field inside a
/// payload can never make the decoder allocate more than a small multiple of the file's size.
/// The limit is a const generic in bincode, hence one arm per power of two.
macro_rules! with_limit {
    ($len:expr, $cfg:ident => $body:expr) => {{
        let need = ($len as u64).saturating_mul(16).max(1 << 20);
        let bits = 64 - (need - 1).leading_zeros();
        macro_rules! arm {
            ($b:literal) => {{
                let $cfg = bincode_config().with_limit::<{ 1usize << $b }>();
                $body
            }};
        }
        match bits {
            0..=20 => arm!(20),
            21..=22 => arm!(22),
            23..=24 => arm!(24),
            25..=26 => arm!(26),
            27..=28 => arm!(28),
            29..=30 => arm!(30),
            31 => arm!(31),
            32 => arm!(32),
            33 => arm!(33),
            34 => arm!(34),
            35 => arm!(35),
            36 => arm!(36),
            37 => arm!(37),
            _ => arm!(38),
        }
    }};
}

/// Decodes a checked payload held in memory (see [`with_limit!`] for the allocation limit).
pub fn decode_payload<T: DeserializeOwned>(path: &Path, payload: &[u8]) -> Result<T, FormatError> {
    let result =
        with_limit!(payload.len(), cfg => bincode::serde::decode_from_slice::<T, _>(payload, cfg));
    match result {
        Ok((value, used)) if used == payload.len() => Ok(value),
        Ok((_, used)) => Err(FormatError::Decode {
            path: path.to_path_buf(),
            message: format!("{} trailing bytes", payload.len() - used),
        }),
        Err(e) => Err(FormatError::Decode {
            path: path.to_path_buf(),
            message: describe(&e),
        }),
    }
}

/// Opens an intermediate and checks its header and length against the file's size.
fn open(
    path: &Path,
    expected: Option<Stage>,
) -> Result<(Header, std::io::BufReader<std::fs::File>), FormatError> {
    use std::io::Read;
    let io = |source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    };
    // A pipe would block the open until something writes to it.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file (a folder, pipe or device)",
        )));
    }
    let f = std::fs::File::open(path).map_err(io)?;
    let len = f.metadata().map_err(io)?.len();
    let mut r = std::io::BufReader::with_capacity(1 << 20, f);
    let mut buf = Vec::with_capacity(HEADER_LEN);
    r.by_ref()
        .take(HEADER_LEN as u64)
        .read_to_end(&mut buf)
        .map_err(io)?;
    let header = parse_header(path, &buf, expected)?;
    let got = len.saturating_sub(HEADER_LEN as u64);
    if got != header.payload_len {
        return Err(FormatError::Length {
            path: path.to_path_buf(),
            expected: header.payload_len,
            got,
        });
    }
    Ok((header, r))
}

/// Reads the rest of the payload through `hr` and compares the checksum. Returns how many
/// bytes were left to read.
fn finish<R: std::io::Read>(
    path: &Path,
    header: &Header,
    mut hr: HashingReader<R>,
) -> Result<u64, FormatError> {
    let rest = std::io::copy(&mut hr, &mut std::io::sink()).map_err(|source| FormatError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut hasher = hr.hasher;
    hasher.update(&header_bytes(header)[..40]);
    if hr.len != header.payload_len || hasher.digest() != header.checksum {
        return Err(FormatError::Checksum {
            path: path.to_path_buf(),
        });
    }
    Ok(rest)
}

/// Reads only the header of an intermediate, checking magic, version, stage and length but not
/// the checksum. Cheap.
pub fn read_header(path: &Path, expected: Option<Stage>) -> Result<Header, FormatError> {
    open(path, expected).map(|(h, _)| h)
}

/// Checks a whole intermediate (header, length, checksum) without decoding it, streaming, so
/// it costs no memory. Used to decide whether an output is up to date.
pub fn verify(path: &Path, expected: Option<Stage>) -> Result<Header, FormatError> {
    let (header, r) = open(path, expected)?;
    let hr = HashingReader {
        inner: r,
        hasher: xxhash_rust::xxh3::Xxh3::new(),
        len: 0,
        limit: header.payload_len,
    };
    finish(path, &header, hr)?;
    Ok(header)
}

/// Reads, checks and decodes an intermediate of the expected stage, streaming: the payload is
/// hashed as it is decoded, and the value is returned only when the whole payload was used and
/// its checksum matches. A damaged file is refused as damaged (checksum) even when decoding it
/// failed first. Streaming costs no copy of the file in memory: the large arrays are stored as
/// byte chunks ([`crate::packed`]) that decode at the speed of a copy, so reading from a
/// buffered file is as fast as decoding from memory, and a stage's peak no longer includes
/// its input file.
pub fn read<T: DeserializeOwned>(path: &Path, expected: Stage) -> Result<(Header, T), FormatError> {
    read_seed(path, expected, std::marker::PhantomData::<T>)
}

/// The value of an intermediate file, as a stage reads it back: [`read`] for all but
/// segment.bin, whose reports' texts are those of the clean.bin beside it
/// ([`crate::Segmented::read_file`]).
pub trait Intermediate: Serialize + DeserializeOwned {
    /// Reads the file at `path`, written by the `expected` stage, checked whole.
    fn read_file(path: &Path, expected: Stage) -> Result<(Header, Self), FormatError> {
        read(path, expected)
    }
}

impl Intermediate for crate::Corpus {}
impl Intermediate for crate::Counts {}
impl Intermediate for crate::Comparison {}

/// The reports come without their texts: the one stage that reads segment.bin back whole,
/// count, needs only each text's length in characters, which is taken from the clean.bin
/// beside it ([`crate::Segmented::chars`]), read in waves so that its texts are never in memory
/// whole. A reader that needs the texts uses [`crate::segmented::read_with_texts`].
impl Intermediate for crate::Segmented {
    fn read_file(path: &Path, expected: Stage) -> Result<(Header, Self), FormatError> {
        let (h, mut seg): (Header, crate::Segmented) = read(path, expected)?;
        seg.chars = crate::segmented::chars_beside(path, &h, seg.documents.len())?;
        Ok((h, seg))
    }
}

/// [`read`] through a serde seed, for a reader that consumes parts of the value as they are
/// decoded instead of keeping it whole (`crate::segmented::SegDocWaves`). The checks are those
/// of [`read`], but a damaged file is only known to be damaged at its end: by then the seed may
/// have been handed parts of it, so a caller discards whatever the seed made when this returns
/// an error.
pub fn read_seed<S, V>(path: &Path, expected: Stage, seed: S) -> Result<(Header, V), FormatError>
where
    S: for<'de> serde::de::DeserializeSeed<'de, Value = V>,
{
    use std::io::Read;
    let (header, r) = open(path, Some(expected))?;
    // The header is consumed; hash below the buffer, so the hasher sees large blocks.
    let rest = r.buffer().to_vec();
    let file = r.into_inner();
    let hashed = HashingReader {
        inner: std::io::Cursor::new(rest).chain(file),
        hasher: xxhash_rust::xxh3::Xxh3::new(),
        len: 0,
        limit: header.payload_len,
    };
    let mut buffered = std::io::BufReader::with_capacity(1 << 20, hashed);
    let decoded = with_limit!(header.payload_len, cfg => {
        let mut decoder = bincode::serde::OwnedSerdeDecoder::from_reader(&mut buffered, cfg);
        seed.deserialize(decoder.as_deserializer())
    });
    // Whatever is left of the payload (buffered, then unread) goes through the hasher:
    // trailing bytes are an error, but a checksum mismatch is reported first.
    let buffered_rest = buffered.buffer().len() as u64;
    let trailing = buffered_rest + finish(path, &header, buffered.into_inner())?;
    match decoded {
        Ok(value) if trailing == 0 => Ok((header, value)),
        Ok(_) => Err(FormatError::Decode {
            path: path.to_path_buf(),
            message: format!("{trailing} trailing bytes"),
        }),
        Err(e) => Err(FormatError::Decode {
            path: path.to_path_buf(),
            message: describe(&e),
        }),
    }
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
        let h2 = write(&p, Stage::Count, 7, 9, &sample()).unwrap();
        let (h, v): (Header, Sample) = read(&p, Stage::Count).unwrap();
        assert_eq!(h, h2);
        assert_eq!(verify(&p, None).unwrap(), h);
        let bytes = encode(Stage::Count, 7, 9, &sample()).unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            bytes,
            "streamed and in-memory encodings differ"
        );
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
        let (_d, p) = written(Stage::Segment);
        let mut bad = std::fs::read(&p).unwrap();
        bad[12] = 7;
        std::fs::write(&p, &bad).unwrap();
        let e = read::<Sample>(&p, Stage::Segment).unwrap_err().to_string();
        assert!(
            e.ends_with("damaged: its header's stage byte (7) names no stage"),
            "{e}"
        );
        std::fs::write(&p, "phrase\ttf\tdf\n").unwrap();
        let e = read::<Sample>(&p, Stage::Segment).unwrap_err().to_string();
        assert!(e.contains("not a tifa intermediate"), "{e}");
    }

    /// A file holding `payload` under a correct header and checksum, as a damage that the
    /// checksum cannot see (or a writer's bug) would leave it.
    fn with_payload(payload: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("evil.bin");
        let mut header = Header {
            version: FORMAT_VERSION,
            stage: Stage::Clean,
            input_fingerprint: 0,
            config_fingerprint: 0,
            payload_len: payload.len() as u64,
            checksum: 0,
        };
        header.checksum = checksum(&header_bytes(&header), payload);
        let mut bytes = header_bytes(&header).to_vec();
        bytes.extend_from_slice(payload);
        std::fs::write(&p, bytes).unwrap();
        (dir, p)
    }

    #[test]
    fn huge_length_inside_valid_checksum_is_refused_without_allocating() {
        // A payload claiming a vector of 2^60 strings, with a correct checksum: only the
        // allocation limit stands between it and an out-of-memory abort.
        let mut payload = vec![0xFDu8]; // varint marker for u64
        payload.extend_from_slice(&(1u64 << 60).to_le_bytes());
        let (_d, p) = with_payload(&payload);
        let e = read::<Sample>(&p, Stage::Clean).unwrap_err();
        assert!(matches!(e, FormatError::Decode { .. }), "{e}");
        // Said in words, not in the decoder's debug text.
        assert!(
            e.to_string()
                .ends_with("damaged: payload does not decode (it ends in the middle of a value)"),
            "{e}"
        );
    }

    #[test]
    fn a_payload_that_does_not_decode_is_described_in_words() {
        // One word of two bytes that are not UTF-8, then n.
        let (_d, p) = with_payload(&[1, 2, 0xFF, 0xFE, 7]);
        for e in [
            read::<Sample>(&p, Stage::Clean).unwrap_err().to_string(),
            decode_payload::<Sample>(&p, &[1, 2, 0xFF, 0xFE, 7])
                .unwrap_err()
                .to_string(),
        ] {
            assert!(
                e.ends_with("damaged: payload does not decode (a text in it is not valid UTF-8)"),
                "{e}"
            );
        }
        // Cut short inside the word.
        let (_d, p) = with_payload(&[1, 5, b'a']);
        let e = read::<Sample>(&p, Stage::Clean).unwrap_err().to_string();
        assert!(e.ends_with("(it ends in the middle of a value)"), "{e}");
    }

    #[test]
    fn a_folder_or_a_pipe_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_header(dir.path(), None).unwrap_err().to_string();
        assert!(e.ends_with("not a file (a folder, pipe or device)"), "{e}");
        #[cfg(unix)]
        {
            let fifo = dir.path().join("clean.bin");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                // Opening the pipe would wait for a writer for ever.
                let e = verify(&fifo, Some(Stage::Clean)).unwrap_err().to_string();
                assert!(e.contains("not a file"), "{e}");
            }
        }
    }
}
