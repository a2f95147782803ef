//! One tifa at a time in a folder it writes to, and the temporaries a killed one left there.
//!
//! Every output is written to a temporary beside it and renamed into place
//! (`tifa_core::atomic`), so a writer killed midway never leaves a half-written file under the
//! real name, but its temporary stays: on a large corpus, hundreds of megabytes. A command that
//! writes takes an exclusive lock on each folder it writes to (the file `.tifa-lock` there; the
//! system lets go of it when the process ends, however it ends). While it holds the lock no
//! other tifa on this machine writes there, so a temporary there that has not been touched for
//! ten minutes is a dead writer's, and is removed.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The lock file's name.
pub(crate) use tifa_core::atomic::LOCK_FILE;

/// The locks a command holds, each until it is dropped.
#[derive(Debug, Default)]
pub(crate) struct Locks(Vec<File>);

/// A temporary modified this recently is left alone, should a writer the lock does not see (a
/// file system whose locks are local to each machine) be filling it.
const QUIET: std::time::Duration = std::time::Duration::from_secs(600);

/// Locks every existing folder of `dirs` (each once, however it is named) and removes the
/// temporaries dead writers left there. Another tifa writing in one of them is an error naming
/// the folder. A folder not there yet holds nothing to protect; a file system without locks is
/// used unlocked, as before, and left as it is.
pub(crate) fn lock(dirs: &[&Path]) -> anyhow::Result<Locks> {
    let mut locks = Locks::default();
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(canon) = std::fs::canonicalize(dir) else {
            continue;
        };
        if !canon.is_dir() || seen.contains(&canon) {
            continue;
        }
        let path = canon.join(LOCK_FILE);
        // A lock file another user made may be read-only to this one: a lock needs no writing.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .or_else(|_| File::open(&path));
        let Ok(file) = file else {
            continue;
        };
        match file.try_lock() {
            Ok(()) => {
                remove_temporaries(&canon);
                locks.0.push(file);
            }
            Err(TryLockError::WouldBlock) => anyhow::bail!(
                "{}: another tifa is writing in this folder; wait for it to end, or use another folder",
                canon.display()
            ),
            // No locks on this file system (some network ones): unlocked, as before.
            Err(TryLockError::Error(_)) => {}
        }
        seen.push(canon);
    }
    Ok(locks)
}

/// Removes the temporaries of atomic writes in `dir` (not in its subfolders: tifa writes none
/// there) that were not modified for [`QUIET`]. Only a file named as tifa names its
/// temporaries is touched.
fn remove_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if !name.to_str().is_some_and(tifa_core::atomic::is_temporary) {
            continue;
        }
        let dead = e.metadata().is_ok_and(|m| {
            m.is_file()
                && m.modified()
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age >= QUIET)
        });
        if dead {
            // One that cannot be removed does no harm beyond the space it takes.
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `name` in `dir`, last modified `age` ago.
    fn file_aged(dir: &Path, name: &str, age: std::time::Duration) {
        let f = File::create(dir.join(name)).unwrap();
        f.set_modified(std::time::SystemTime::now() - age).unwrap();
    }

    #[test]
    fn a_dead_writers_temporaries_go_and_a_second_writer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        let old = QUIET * 2;
        for name in [
            ".count.bin.tifa-a1B2c3.tmp",
            "count.bin",
            ".notes.tmp",
            ".draft.a1B2c3.tmp",
            "keep.tmp",
        ] {
            file_aged(&work, name, old);
        }
        // Being written, maybe, by a writer the lock cannot see.
        file_aged(&work, ".segment.bin.tifa-Zz9Yy8.tmp", QUIET / 10);
        let held = lock(&[&work, &dir.path().join("reports")]).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&work)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".draft.a1B2c3.tmp",
                ".notes.tmp",
                ".segment.bin.tifa-Zz9Yy8.tmp",
                LOCK_FILE,
                "count.bin",
                "keep.tmp"
            ]
        );
        // A folder not there yet is left so.
        assert!(!dir.path().join("reports").exists());

        // The same folder under another name is locked once, not refused by its own lock.
        drop(held);
        let held = lock(&[&work, &work.join("../work")]).unwrap();
        let e = lock(&[&work]).unwrap_err().to_string();
        assert!(e.contains("another tifa is writing in this folder"), "{e}");
        let canon = std::fs::canonicalize(&work).unwrap();
        assert!(e.starts_with(&canon.display().to_string()), "{e}");
        drop(held);
        assert!(lock(&[&work]).is_ok());
    }
}
