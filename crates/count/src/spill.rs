//! The phrases of finished passes, kept in a scratch file instead of memory until the passes
//! are done.
//!
//! During the passes the stage holds the token stream (4 bytes a token) and one pass's
//! suffixes; the phrases found so far grow beside them to the size of the whole output, which
//! made the last pass the stage's peak. Written out after each pass but the last (whose phrases are made beside
//! the stream and suffixes anyway) and read back once the stream and suffixes are freed, the
//! earlier passes' phrases are never in memory together with them, and they come back in
//! columns sized exactly for them (grown by doubling, the columns also kept up to twice their
//! size resident while they grew). A corpus counted in one pass never touches the disk.
//!
//! The file is an unnamed temporary file in the folder given (in the CLI, the folder of
//! count.bin), made when the first pass is written: the system removes it when it is closed,
//! whatever happens to the process (where the file system cannot make an unnamed file,
//! `tempfile` makes a named one and removes its name at once). Writing it goes to the page
//! cache, which the system can write out and reclaim, not to the process's own memory; on a
//! tmpfs folder the pages stay in memory all the same.

use std::io::{BufReader, BufWriter, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tifa_core::{Phrases, PhrasesSize};

use crate::Error;

/// Phrases written out pass by pass.
pub(crate) struct Spill {
    dir: PathBuf,
    /// Made at the first part written.
    file: Option<BufWriter<std::fs::File>>,
    /// How much the parts written hold together.
    size: PhrasesSize,
    /// Parts written.
    parts: usize,
}

impl Spill {
    /// Phrases to be written to a scratch file in `dir`.
    pub fn new(dir: &Path) -> Spill {
        Spill {
            dir: dir.to_path_buf(),
            file: None,
            size: PhrasesSize::default(),
            parts: 0,
        }
    }

    /// Parts written.
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// Phrases written.
    pub fn phrases(&self) -> usize {
        self.size.phrases
    }

    /// Writes `part` out.
    pub fn push(&mut self, part: &Phrases) -> Result<(), Error> {
        let file = match &mut self.file {
            Some(f) => f,
            None => {
                let f = tempfile::tempfile_in(&self.dir)
                    .map_err(|e| scratch_error(&self.dir, e.to_string()))?;
                self.file.insert(BufWriter::with_capacity(1 << 20, f))
            }
        };
        tifa_core::format::write_scratch(file, part).map_err(|e| scratch_error(&self.dir, e))?;
        self.size += part.size();
        self.parts += 1;
        Ok(())
    }

    /// Every phrase written, in order, then those of `last`, in columns of exactly their size.
    /// The parts are decoded on a thread of their own while the one before is appended (the two
    /// take about as long), so besides the result and `last` up to three
    /// decoded parts are in memory: one being appended, one waiting in the channel and one
    /// waiting to be sent.
    pub fn read_back(self, last: Phrases) -> Result<Phrases, Error> {
        let dir = self.dir;
        let err = |e: String| scratch_error(&dir, e);
        let Some(file) = self.file else {
            return Ok(last);
        };
        let mut file = file.into_inner().map_err(|e| err(e.to_string()))?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| err(e.to_string()))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut all = Phrases::new();
        let mut size = self.size;
        size += last.size();
        all.reserve_exact(size);
        let parts = self.parts;
        // The whole output is what does not fit.
        let too_large = || Error::TooLarge {
            what: "phrase tokens or per-report counts",
            count: size.phrases as u64,
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Phrases, String>>(1);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for _ in 0..parts {
                    let part = tifa_core::format::read_scratch(&mut reader);
                    let failed = part.is_err();
                    // A send fails only when the receiver stopped at an error of its own.
                    if tx.send(part).is_err() || failed {
                        break;
                    }
                }
            });
            // Owned here, so that an early return drops it and the decoder's next send fails
            // instead of waiting forever for this scope to end.
            let rx = rx;
            for _ in 0..parts {
                let part = rx
                    .recv()
                    .map_err(|_| err("reading back stopped".to_string()))?
                    .map_err(err)?;
                all.append(&part).map_err(|_| too_large())?;
            }
            Ok::<(), Error>(())
        })?;
        all.append(&last).map_err(|_| too_large())?;
        Ok(all)
    }
}

fn scratch_error(dir: &Path, message: String) -> Error {
    Error::Scratch {
        dir: dir.to_path_buf(),
        message,
    }
}
