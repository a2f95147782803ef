//! Where the token stream is kept: in memory, or, under a memory budget, in a scratch file that
//! each pass reads through once, a window at a time.
//!
//! A pass needs the stream only to gather its suffixes, in one sequential read: everything it
//! reads later (the tokens a suffix's key does not hold) it copied aside during that read
//! (`stream::Pass`). So the stream can live on disk, where it costs the page cache rather than
//! the process's memory, at the price of a copy per pass. The file is an unnamed temporary
//! file in the folder given, removed by the system when it is closed, whatever happens to the
//! process.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::Error;

/// Positions per window of a stream read from its scratch file: 4 MiB of tokens, read while
/// the window before is scanned.
const WINDOW: usize = 1 << 20;

/// The stream's token ids.
pub(crate) enum Text {
    /// In memory.
    Memory(Vec<u32>),
    /// In a scratch file, in native byte order.
    File {
        /// The file, read from the start.
        file: File,
        /// Tokens in it.
        len: usize,
        /// The folder it is in, for errors.
        dir: PathBuf,
    },
}

/// A stream being written to a scratch file.
pub(crate) struct TextFile {
    writer: BufWriter<File>,
    len: usize,
    dir: PathBuf,
}

impl TextFile {
    /// A new, empty, unnamed scratch file in `dir`.
    pub fn new(dir: &Path) -> Result<TextFile, Error> {
        let file = tempfile::tempfile_in(dir).map_err(|e| scratch_error(dir, &e))?;
        Ok(TextFile {
            writer: BufWriter::with_capacity(1 << 20, file),
            len: 0,
            dir: dir.to_path_buf(),
        })
    }

    /// Appends `tokens`.
    pub fn write(&mut self, tokens: &[u32]) -> Result<(), Error> {
        self.writer
            .write_all(bytemuck::cast_slice(tokens))
            .map_err(|e| scratch_error(&self.dir, &e))?;
        self.len += tokens.len();
        Ok(())
    }

    /// The tokens written, to be read back in order.
    pub fn into_reader(self) -> Result<Reader, Error> {
        let (mut file, _, dir) = self.flushed()?;
        file.seek(SeekFrom::Start(0))
            .map_err(|e| scratch_error(&dir, &e))?;
        Ok(Reader {
            reader: BufReader::with_capacity(1 << 20, file),
            dir,
        })
    }

    /// The stream written.
    pub fn finish(self) -> Result<Text, Error> {
        let (file, len, dir) = self.flushed()?;
        Ok(Text::File { file, len, dir })
    }

    /// The file, all written, with its length and folder.
    fn flushed(self) -> Result<(File, usize, PathBuf), Error> {
        let dir = self.dir;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| scratch_error(&dir, e.error()))?;
        Ok((file, self.len, dir))
    }
}

impl Text {
    /// Calls `each(tokens, base, range)` for consecutive ranges of positions that cover the
    /// stream, in order: `tokens[i]` is the token at position `base + i`, and it holds the
    /// position before `range` (when there is one) and up to `after` positions after it, as
    /// far as the stream goes. In memory that is one call with the whole stream; from a file,
    /// one per window, the next window read while `each` scans this one.
    pub fn windows<F>(&self, after: usize, mut each: F) -> Result<(), Error>
    where
        F: FnMut(&[u32], usize, Range<usize>) + Send,
    {
        let (file, len, dir) = match self {
            Text::Memory(t) => {
                each(t, 0, 0..t.len());
                return Ok(());
            }
            Text::File { file, len, dir } => (file, *len, dir),
        };
        let ranges: Vec<Range<usize>> = (0..len)
            .step_by(WINDOW)
            .map(|a| a..(a + WINDOW).min(len))
            .collect();
        // What is read for a range: one position before it and `after` beyond it.
        let span = |r: &Range<usize>| r.start.saturating_sub(1)..(r.end + after).min(len);
        let read = |r: &Range<usize>, buf: &mut Vec<u32>| -> Result<(), Error> {
            let s = span(r);
            buf.clear();
            buf.resize(s.len(), 0);
            let mut f = file;
            f.seek(SeekFrom::Start(s.start as u64 * 4))
                .and_then(|_| f.read_exact(bytemuck::cast_slice_mut(buf)))
                .map_err(|e| scratch_error(dir, &e))
        };
        let (mut cur, mut next) = (Vec::new(), Vec::new());
        if let Some(first) = ranges.first() {
            read(first, &mut cur)?;
        }
        for (k, r) in ranges.iter().enumerate() {
            let base = span(r).start;
            let (read_next, ()) = rayon::join(
                || ranges.get(k + 1).map_or(Ok(()), |n| read(n, &mut next)),
                || each(&cur, base, r.clone()),
            );
            read_next?;
            std::mem::swap(&mut cur, &mut next);
        }
        Ok(())
    }
}

/// Tokens written to a [`TextFile`], read back in order ([`TextFile::into_reader`]).
pub(crate) struct Reader {
    reader: BufReader<File>,
    dir: PathBuf,
}

impl Reader {
    /// Fills `out` with the next tokens.
    pub fn read(&mut self, out: &mut [u32]) -> Result<(), Error> {
        self.reader
            .read_exact(bytemuck::cast_slice_mut(out))
            .map_err(|e| scratch_error(&self.dir, &e))
    }
}

fn scratch_error(dir: &Path, e: &std::io::Error) -> Error {
    Error::Scratch {
        dir: dir.to_path_buf(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position's token, and the margins promised, from the windows of a stream.
    fn seen(text: &Text, len: usize, after: usize) -> Vec<u32> {
        let mut out = Vec::new();
        text.windows(after, |tokens, base, range| {
            assert_eq!(range.start, out.len(), "ranges in order, without gaps");
            let before = range.start.saturating_sub(1);
            assert!(base <= before);
            assert!(base + tokens.len() >= (range.end + after).min(len));
            out.extend_from_slice(&tokens[range.start - base..range.end - base]);
        })
        .unwrap();
        out
    }

    #[test]
    fn a_stream_in_a_file_reads_back_as_in_memory() {
        let tokens: Vec<u32> = (0..(2 * WINDOW + 77) as u32)
            .map(|i| i * 7 % 1000)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut file = TextFile::new(dir.path()).unwrap();
        for part in tokens.chunks(WINDOW / 3) {
            file.write(part).unwrap();
        }
        let file = file.finish().unwrap();
        for after in [0, 1, 129] {
            assert_eq!(seen(&file, tokens.len(), after), tokens);
        }
        assert_eq!(seen(&Text::Memory(tokens.clone()), tokens.len(), 3), tokens);
        // The file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
