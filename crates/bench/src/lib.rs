//! Helpers shared by the benchmark binaries.

use std::path::{Path, PathBuf};

/// Every regular file below `dir` whose name ends in `ext` (any file when `ext` is `None`),
/// sorted, following no symlinks.
pub fn files(dir: &Path, ext: Option<&str>) -> Vec<PathBuf> {
    fn walk(dir: &Path, ext: Option<&str>, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => walk(&p, ext, out),
                Ok(t)
                    if t.is_file() && ext.is_none_or(|x| p.extension().is_some_and(|e| e == x)) =>
                {
                    out.push(p)
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, ext, &mut out);
    out.sort();
    out
}
