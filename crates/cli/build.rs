//! The code of each stage, as a hash of its sources: part of the stage's config fingerprint, so
//! that outputs made by another build of tifa (an upgrade, a local change) are never taken for
//! up to date. A stage's code is core's and its own crate's sources and the lock file (the
//! versions of jieba-rs and the other crates); the version number alone missed every change
//! between releases.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let crates = manifest.join("..");
    let lock = manifest.join("../../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let common = [crates.join("core")];
    for stage in ["clean", "segment", "count", "compare", "report"] {
        let mut files: Vec<PathBuf> = Vec::new();
        for dir in common.iter().cloned().chain([crates.join(stage)]) {
            for part in ["src", "build.rs", "Cargo.toml"] {
                let p = dir.join(part);
                // A path that is not there would make cargo rebuild on every build.
                if p.exists() {
                    println!("cargo:rerun-if-changed={}", p.display());
                    collect(&p, &mut files);
                }
            }
        }
        files.push(lock.clone());
        files.sort();
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for f in &files {
            // A file outside the workspace (a packaged crate) adds nothing: the version stands.
            if let Ok(bytes) = std::fs::read(f) {
                let rel = f.strip_prefix(&crates).unwrap_or(f);
                h.update(rel.to_string_lossy().as_bytes());
                h.update(&(bytes.len() as u64).to_le_bytes());
                h.update(&bytes);
            }
        }
        println!(
            "cargo:rustc-env=TIFA_CODE_{}={:016x}",
            stage.to_uppercase(),
            h.digest()
        );
    }
}

/// The files under `path` (or `path` itself), in any order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
    } else if let Ok(entries) = std::fs::read_dir(path) {
        for e in entries.flatten() {
            collect(&e.path(), out);
        }
    }
}
