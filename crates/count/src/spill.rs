//! The phrases of finished passes, kept in scratch files instead of memory.
//!
//! During the passes the stage holds one pass's suffixes (and, without a memory budget, the
//! token stream); the phrases found so far grew beside them to the size of the whole output,
//! which made the last pass the stage's peak. Written out after each pass but the last (whose
//! phrases are made beside the stream and suffixes anyway) and read back once the stream and
//! suffixes are freed, the earlier passes' phrases are never in memory together with them, and
//! they come back in columns sized exactly for them. A corpus counted in one pass never touches
//! the disk. Under a memory budget the last pass's phrases are written out too, and never read
//! back: count.bin is written from the files ([`tifa_core::SpilledCounts`]).
//!
//! The files, one per column ([`SpilledPhrases`]), are unnamed temporary files in the folder
//! given (in the CLI, the folder of count.bin), made when the first pass is written: the system
//! removes them when they are closed, whatever happens to the process (where the file system
//! cannot make an unnamed file, `tempfile` makes a named one and removes its name at once).
//! Writing them goes to the page cache, which the system can write out and reclaim, not to the
//! process's own memory; on a tmpfs folder the pages stay in memory all the same.

use std::path::{Path, PathBuf};

use tifa_core::{Phrases, SpilledPhrases};

use crate::Error;

/// Phrases written out pass by pass.
pub(crate) struct Spill {
    dir: PathBuf,
    /// Made at the first part written.
    phrases: Option<SpilledPhrases>,
}

impl Spill {
    /// Phrases to be written to scratch files in `dir`.
    pub fn new(dir: &Path) -> Spill {
        Spill {
            dir: dir.to_path_buf(),
            phrases: None,
        }
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.phrases.is_none()
    }

    /// Phrases written.
    pub fn phrases(&self) -> usize {
        self.phrases.as_ref().map_or(0, |p| p.size().phrases)
    }

    /// The files, made when first needed.
    fn files(&mut self) -> Result<&mut SpilledPhrases, Error> {
        let files = match self.phrases.take() {
            Some(p) => p,
            None => SpilledPhrases::new(&self.dir).map_err(|e| self.error(&e))?,
        };
        Ok(self.phrases.insert(files))
    }

    /// Writes `part` out.
    pub fn push(&mut self, part: &Phrases) -> Result<(), Error> {
        let pushed = self.files()?.push(part);
        let total = self.phrases() + part.len();
        pushed
            .map_err(|e| self.error(&e))?
            .map_err(|_| too_large(total))
    }

    /// Every phrase written, in order, then those of `last`, in columns of exactly their size.
    pub fn read_back(self, last: Phrases) -> Result<Phrases, Error> {
        let Some(files) = self.phrases else {
            return Ok(last);
        };
        let total = files.size().phrases + last.len();
        files
            .read_back(&last)
            .map_err(|e| scratch_error(&self.dir, &e))?
            .map_err(|_| too_large(total))
    }

    /// The phrases written, left in their files.
    pub fn into_spilled(self) -> Result<SpilledPhrases, Error> {
        match self.phrases {
            Some(p) => Ok(p),
            None => SpilledPhrases::new(&self.dir).map_err(|e| scratch_error(&self.dir, &e)),
        }
    }

    fn error(&self, e: &std::io::Error) -> Error {
        scratch_error(&self.dir, e)
    }
}

/// The whole output is what does not fit.
fn too_large(phrases: usize) -> Error {
    Error::TooLarge {
        what: "phrase tokens or per-report counts",
        count: phrases as u64,
    }
}

fn scratch_error(dir: &Path, e: &std::io::Error) -> Error {
    Error::Scratch {
        dir: dir.to_path_buf(),
        message: e.to_string(),
    }
}
