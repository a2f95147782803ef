//! One tifa at a time in a folder it writes to, and the temporaries a killed one left there.
//!
//! Every output is written to a temporary beside it and renamed into place
//! (`tifa_core::atomic`), so a writer killed midway never leaves a half-written file under the
//! real name, but its temporary stays: on a large corpus, hundreds of megabytes. A command that
//! writes takes an exclusive lock on each folder it writes to (the file `.tifa-lock` there; the
//! system lets go of it when the process ends, however it ends). While it holds the lock no
//! other tifa writes there, so every temporary there is a dead writer's, and is removed.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file's name.
pub(crate) const LOCK_FILE: &str = ".tifa-lock";

/// The locks a command holds, each until it is dropped.
#[derive(Debug, Default)]
pub(crate) struct Locks(Vec<File>);

/// Locks every folder of `dirs` (each once, however it is named), creating it when missing, and
/// removes the temporaries dead writers left there. Another tifa writing in one of them is an
/// error naming the folder. A folder that cannot hold a lock file (read-only) or a file system
/// without locks is used unlocked, as before, and left as it is.
pub(crate) fn lock(dirs: &[&Path]) -> anyhow::Result<Locks> {
    let mut locks = Locks::default();
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if std::fs::create_dir_all(dir).is_err() {
            continue;
        }
        let canon = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if seen.contains(&canon) {
            continue;
        }
        seen.push(canon);
        let Ok(file) = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
        else {
            continue;
        };
        match file.try_lock() {
            Ok(()) => {
                remove_temporaries(dir);
                locks.0.push(file);
            }
            Err(TryLockError::WouldBlock) => anyhow::bail!(
                "{}: another tifa is writing in this folder; wait for it to end, or use another folder",
                dir.display()
            ),
            // No locks on this file system (some network ones): unlocked, as before.
            Err(TryLockError::Error(_)) => {}
        }
    }
    Ok(locks)
}

/// Removes the temporaries of atomic writes in `dir` (not in its subfolders: tifa writes none
/// there). Only a file whose name has the temporaries' form is touched.
fn remove_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if is_file && name.to_str().is_some_and(tifa_core::atomic::is_temporary) {
            // One that cannot be removed does no harm beyond the space it takes.
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_writers_temporaries_go_and_a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        for name in [
            ".count.bin.a1B2c3.tmp",
            "count.bin",
            ".notes.tmp",
            "keep.tmp",
        ] {
            std::fs::write(work.join(name), b"x").unwrap();
        }
        let held = lock(&[&work, &dir.path().join("reports")]).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&work)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".notes.tmp", LOCK_FILE, "count.bin", "keep.tmp"]);
        assert!(dir.path().join("reports").is_dir());

        // The same folder under another name is locked once, not refused by its own lock.
        drop(held);
        let held = lock(&[&work, &work.join("../work")]).unwrap();
        let e = lock(&[&work]).unwrap_err().to_string();
        assert!(e.contains("another tifa is writing in this folder"), "{e}");
        assert!(e.starts_with(&work.display().to_string()), "{e}");
        drop(held);
        assert!(lock(&[&work]).is_ok());
    }
}
