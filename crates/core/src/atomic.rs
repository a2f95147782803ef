//! Atomic file writes: every output of tifa is written to a temporary file in the destination
//! folder, flushed to disk (all but the checksummed intermediates, see [`write_checked_with`])
//! and renamed over the destination. A reader therefore sees either the previous complete file
//! or the new complete file, never a half-written one, even when the writer is killed midway.

use std::io::{self, Write};
use std::path::Path;

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

fn write_replacing<F>(path: &Path, fill: F, sync: bool) -> io::Result<()>
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
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let file = tmp.as_file_mut();
        let mut w = io::BufWriter::with_capacity(1 << 20, file);
        fill(&mut w)?;
        w.flush()?;
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
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
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
