//! Atomic file writes: every output of tifa is written to a temporary file in the destination
//! folder, flushed to disk (all but the checksummed intermediates, see [`write_checked_with`];
//! the disk gets the data as it is written, see [`writing_back`]) and renamed over the
//! destination. A reader therefore sees either the previous complete file or the new complete
//! file, never a half-written one, even when the writer is killed midway.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The file by which a command that writes in a folder locks it (`.tifa-lock`, in every work
/// and report folder tifa has written to).
pub const LOCK_FILE: &str = ".tifa-lock";

/// The stamp of a report folder: what its reports were made from and the files written.
pub const REPORT_STAMP: &str = ".tifa-report";

/// The names of the files in `dir` that are tifa's own report files, for a reader of a corpus
/// folder to pass over: those its [`REPORT_STAMP`] lists (report.html and summary.md of a report
/// folder inside the corpus, or of the corpus folder given as the report folder), none when it
/// has no stamp. Only these: reports the user keeps in the same folder are still reports.
pub fn own_files(dir: &Path) -> Vec<String> {
    // The stamp's first line is its fingerprints; the files written follow, one a line.
    match std::fs::read_to_string(dir.join(REPORT_STAMP)) {
        Ok(stamp) => stamp.lines().skip(1).map(str::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, fsync, rename).
/// Creates the parent folder when missing.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], but lets the caller stream into the temporary file. The destination
/// is only replaced when `fill` returns `Ok`.
pub fn write_atomic_with<F>(path: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut io::BufWriter<&mut std::fs::File>) -> io::Result<()>,
{
    write_replacing(path, fill, true)
}

/// Like [`write_atomic_with`], without waiting for the data to reach the disk before the
/// rename: for files that carry their own checksum, which every reader verifies (tifa's
/// intermediates). A reader still sees the previous file or the whole new one; only a crash of
/// the machine itself can leave the new name holding incomplete data, which the checksum then
/// refuses and `tifa run` rebuilds. Waiting for the disk costs a noticeable share of a run,
/// whose intermediates can be several times the corpus.
pub fn write_checked_with<F>(path: &Path, fill: F) -> io::Result<()>
where
    F: FnOnce(&mut io::BufWriter<&mut std::fs::File>) -> io::Result<()>,
{
    write_replacing(path, fill, false)
}

/// Characters of the random part of a temporary's name (tempfile's default).
const RANDOM_CHARS: usize = 6;

/// What marks a temporary's name as tifa's: `.NAME.tifa-XXXXXX.tmp`.
const MARK: &str = ".tifa-";

/// True for the name of a temporary that a write of this module makes: `.NAME.tifa-XXXXXX.tmp`,
/// `XXXXXX` random letters and digits. A writer killed before its rename leaves one behind.
pub fn is_temporary(file_name: &str) -> bool {
    let Some(inner) = file_name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
    else {
        return false;
    };
    match inner.rsplit_once(MARK) {
        Some((name, random)) => {
            !name.is_empty()
                && random.len() == RANDOM_CHARS
                && random.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

/// A file written in full, and synced, under a temporary name beside its destination, but not
/// yet in its place: [`Staged::commit`] renames it there. Dropped uncommitted, the temporary is
/// removed and the destination left as it was. A writer of several files that belong together
/// stages them all, then commits them: a failure while they are written leaves the old set.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staged {
    /// The destination.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file into its destination.
    pub fn commit(self) -> io::Result<()> {
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// [`write_atomic_with`] but for the rename: the file, synced, waits under its temporary name
/// until [`Staged::commit`].
pub fn stage_atomic_with<F>(path: &Path, fill: F) -> io::Result<Staged>
where
    F: FnOnce(&mut io::BufWriter<&mut std::fs::File>) -> io::Result<()>,
{
    stage(path, fill, true)
}

fn write_replacing<F>(path: &Path, fill: F, sync: bool) -> io::Result<()>
where
    F: FnOnce(&mut io::BufWriter<&mut std::fs::File>) -> io::Result<()>,
{
    stage(path, fill, sync)?.commit()
}

fn stage<F>(path: &Path, fill: F, sync: bool) -> io::Result<Staged>
where
    F: FnOnce(&mut io::BufWriter<&mut std::fs::File>) -> io::Result<()>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_string());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}{MARK}"))
        .rand_bytes(RANDOM_CHARS)
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let file = tmp.as_file_mut();
        let fill = |file: &mut std::fs::File| {
            let mut w = io::BufWriter::with_capacity(1 << 20, file);
            fill(&mut w)?;
            w.flush()
        };
        if sync {
            writing_back(file, fill)?;
        } else {
            fill(file)?;
        }
    }
    // Temporary files are created owner-only; outputs are ordinary files for the user's
    // spreadsheet, browser or colleagues, so give them the usual permissions.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    if sync {
        tmp.as_file().sync_all()?;
    }
    Ok(Staged {
        tmp,
        path: path.to_path_buf(),
    })
}

/// How often the data written so far is handed to the disk while a synced file is filled.
const WRITEBACK_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Runs `fill` on `file` while another thread asks the kernel, every [`WRITEBACK_EVERY`], to
/// start writing the file's data to the disk, so that the sync after it waits for the last
/// part only. Otherwise the kernel starts only once a tenth or so of the machine's memory is
/// waiting to be written: with 24 GB, a 1 GB corpus's 3.6 GB of reports reached the disk only
/// at their syncs, which took about 2 s of the report stage's 9 s (docs/performance-notes.md).
/// Elsewhere than on Linux, `fill` alone.
fn writing_back<R>(file: &mut std::fs::File, fill: impl FnOnce(&mut std::fs::File) -> R) -> R {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        use std::sync::atomic::{AtomicBool, Ordering};
        /// Stops the writeback thread when dropped, so that it also stops when `fill` panics
        /// (the scope waits for it before passing the panic on).
        struct Stop<'a>(&'a AtomicBool, std::thread::Thread);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Relaxed);
                self.1.unpark();
            }
        }
        let fd = file.as_raw_fd();
        let done = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let writer = scope.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    std::thread::park_timeout(WRITEBACK_EVERY);
                    start_writeback(fd);
                }
            });
            let _stop = Stop(&done, writer.thread().clone());
            fill(file)
        })
    }
    #[cfg(not(target_os = "linux"))]
    fill(file)
}

/// Asks the kernel to start writing the dirty pages of the file `fd` to the disk, without
/// waiting for them. A failure is ignored: the sync that follows reports any error of the disk.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn start_writeback(fd: std::os::fd::RawFd) {
    // SAFETY: sync_file_range takes a file descriptor and three integers, and touches no memory
    // of this process. `fd` stays open while this runs: `writing_back` joins this thread before
    // the file can be closed. Offset 0 and length 0 mean the whole file.
    unsafe {
        libc::sync_file_range(fd, 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/out.txt");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn the_temporaries_of_a_write_are_known_by_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("count.bin");
        write_atomic_with(&p, |_| {
            let names: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(names.len(), 1, "{names:?}");
            assert!(is_temporary(&names[0]), "{names:?}");
            Ok(())
        })
        .unwrap();
        assert!(!is_temporary("count.bin"));
        for name in [
            ".tifa-lock",
            ".hidden.tmp",
            "..tifa-abcdef.tmp",
            ".x.tifa-abc.tmp",
            ".x.tifa-ab-def.tmp",
            // Another program's temporaries, of the form tifa's had before they were marked.
            ".x.abcdef.tmp",
            ".upload.k3J9qZ.tmp",
            ".thesis.backup.tmp",
        ] {
            assert!(!is_temporary(name), "{name}");
        }
    }

    #[test]
    fn failed_fill_keeps_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.txt");
        write_atomic(&p, b"good").unwrap();
        let r = write_atomic_with(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"good");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_long_fill_handed_to_the_disk_as_it_goes_keeps_every_byte() {
        // Written slowly enough for the writeback to run several times in the middle.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("long.tsv");
        let piece: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        write_atomic_with(&p, |w| {
            for _ in 0..4 {
                w.write_all(&piece)?;
                std::thread::sleep(WRITEBACK_EVERY);
            }
            Ok(())
        })
        .unwrap();
        let got = std::fs::read(&p).unwrap();
        assert_eq!(got.len(), 4 << 20);
        assert!(got.chunks(1 << 20).all(|c| c == piece.as_slice()));
    }

    #[test]
    fn a_fill_that_panics_stops_the_writeback_and_passes_the_panic_on() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.tsv");
        let r = std::panic::catch_unwind(|| {
            let _ = write_atomic_with(&p, |w| {
                w.write_all(b"half")?;
                panic!("rendering bug");
            });
        });
        assert!(
            r.is_err(),
            "the panic reaches the caller instead of hanging"
        );
        assert!(!p.exists());
    }

    #[test]
    fn checked_write_replaces_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.bin");
        write_checked_with(&p, |w| w.write_all(b"first")).unwrap();
        let r = write_checked_with(&p, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("interrupted"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        write_checked_with(&p, |w| w.write_all(b"second")).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
