//! Finding the input files: a walk over each corpus folder that reads only files with a known
//! ending, never follows a symbolic link out of the corpus folder, survives symlink loops and
//! absurdly deep trees, and notes every entry it could not or would not read.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tifa_core::Skipped;

use crate::Config;

/// One file to read.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Index of the corpus folder it was found under.
    pub root: usize,
    /// Path relative to that folder, with `/` separators.
    pub rel: String,
    /// What its reports are called (their source, and the start of their ids): `rel`, or, when
    /// another corpus folder holds a file of the same `rel`, the folder's name, `/` and `rel`.
    pub name: String,
    /// Path to open.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime: u128,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    /// Report files, sorted by relative path, then corpus folder.
    pub files: Vec<InputFile>,
    /// `manifest.tsv` files, sorted likewise.
    pub manifests: Vec<InputFile>,
    /// Entries not read, and why.
    pub skipped: Vec<Skipped>,
    /// What the walk warns of: files whose names read as the same text.
    pub warnings: Vec<String>,
}

/// Name of the metadata file read beside the reports.
pub const MANIFEST: &str = "manifest.tsv";

/// Walks every corpus folder (a root may also be a single file).
pub fn walk(roots: &[PathBuf], config: &Config) -> Result<Walk, crate::Error> {
    let mut out = Walk::default();
    for (i, root) in roots.iter().enumerate() {
        let meta = std::fs::metadata(root).map_err(|source| crate::Error::Root {
            path: root.clone(),
            source,
        })?;
        if meta.is_file() {
            let rel = root.file_name().map(name_text).unwrap_or_default();
            out.files.push(entry(i, rel, root.clone(), &meta));
            continue;
        }
        if !meta.is_dir() {
            out.skipped.push(Skipped {
                source: root.display().to_string(),
                reason: "not a regular file (a pipe, socket or device)".into(),
            });
            continue;
        }
        let canon = std::fs::canonicalize(root).map_err(|source| crate::Error::Root {
            path: root.clone(),
            source,
        })?;
        let mut seen = HashSet::new();
        seen.insert(canon.clone());
        walk_dir(i, &canon, root, "", 0, config, &mut seen, &mut out);
    }
    let key = |f: &InputFile| (f.rel.clone(), f.root);
    out.files.sort_by_key(key);
    name_apart(&mut out.files, roots);
    out.warnings = same_names_apart(&mut out.files);
    out.manifests.sort_by_key(key);
    out.skipped.sort_by(|a, b| a.source.cmp(&b.source));
    Ok(out)
}

/// A file or folder name as text. A name that is not UTF-8 (a zip made on Chinese Windows
/// holds GBK names) is read as GB18030 where it is valid GB18030, else with each byte that is
/// not UTF-8 written `\xNN`: read lossily, 北京.txt and 上海.txt in GBK were both `��.txt`, one
/// id for two reports.
fn name_text(name: &std::ffi::OsStr) -> String {
    if let Some(text) = name.to_str() {
        return text.to_string();
    }
    let bytes = name.as_encoded_bytes();
    if let Some(text) =
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return text.into_owned();
    }
    let mut text = String::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for b in chunk.invalid() {
            text.push_str(&format!("\\x{b:02X}"));
        }
    }
    text
}

/// Gives the files of one corpus folder whose names read as the same text ([`name_text`]: a GBK
/// name and its UTF-8 twin, a name with `\xNN` in it and the bytes it stands for) names of their
/// own: the second is named `~2` after its name, the third `~3` …, in the order of their names'
/// bytes, each with a warning. Returns the warnings.
fn same_names_apart(files: &mut [InputFile]) -> Vec<String> {
    let mut warnings = Vec::new();
    for same in files.chunk_by_mut(|a, b| (a.root, &a.rel) == (b.root, &b.rel)) {
        same.sort_by(|a, b| a.path.cmp(&b.path));
        let first = same[0].name.clone();
        for (i, f) in same.iter_mut().enumerate().skip(1) {
            f.name = format!("{first}~{}", i + 1);
            warnings.push(format!(
                "{}: its name reads as {first}, as another file's does; its reports are named {}",
                f.path.display(),
                f.name
            ));
        }
    }
    warnings
}

/// Gives the files that share their relative path with a file of another corpus folder (the
/// files are sorted by it) names of their own: the folder's name, `/` and the path. The folder's
/// name is its last component, or the whole path as given where two folders share that.
fn name_apart(files: &mut [InputFile], roots: &[PathBuf]) {
    let last = |r: &PathBuf| {
        r.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| r.display().to_string())
    };
    let labels: Vec<String> = roots
        .iter()
        .map(|r| {
            let shared = roots.iter().filter(|o| last(o) == last(r)).count() > 1;
            if shared {
                r.display().to_string()
            } else {
                last(r)
            }
        })
        .collect();
    for same in files.chunk_by_mut(|a, b| a.rel == b.rel) {
        if same.iter().any(|f| f.root != same[0].root) {
            for f in same {
                f.name = format!("{}/{}", labels[f.root], f.rel);
            }
        }
    }
}

fn entry(root: usize, rel: String, path: PathBuf, meta: &std::fs::Metadata) -> InputFile {
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    InputFile {
        root,
        name: rel.clone(),
        rel,
        path,
        size: meta.len(),
        mtime,
    }
}

#[allow(clippy::too_many_arguments)]
fn walk_dir(
    root: usize,
    canon_root: &Path,
    dir: &Path,
    rel_dir: &str,
    depth: usize,
    config: &Config,
    seen: &mut HashSet<PathBuf>,
    out: &mut Walk,
) {
    let skip = |out: &mut Walk, rel: &str, reason: String| {
        out.skipped.push(Skipped {
            // The corpus folder itself is named by its path, as the user gave it.
            source: if rel.is_empty() {
                dir.display().to_string()
            } else {
                rel.to_string()
            },
            reason,
        })
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return skip(out, rel_dir, format!("cannot list folder: {e}")),
    };
    let mut names: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    names.sort_by_key(|e| e.file_name());
    // tifa's own report files, where it wrote a report in this folder (`--corpus .` with the
    // default `reports`, or the corpus folder given as the report folder): report.html and
    // summary.md would be read as reports by the next run. Passed over without a word, as
    // hidden files are; every other file of the folder is read.
    let own = tifa_core::atomic::own_files(dir);
    for e in names {
        let name = name_text(&e.file_name());
        if name.starts_with('.') || own.contains(&name) {
            continue;
        }
        let rel = if rel_dir.is_empty() {
            name.clone()
        } else {
            format!("{rel_dir}/{name}")
        };
        let path = e.path();
        let Ok(ft) = e.file_type() else {
            skip(out, &rel, "cannot read file type".into());
            continue;
        };
        // Symbolic links are followed only when their target stays inside the corpus folder,
        // so a link cannot make tifa read files the user did not hand it.
        let (is_dir, meta) = if ft.is_symlink() {
            let target = match std::fs::canonicalize(&path) {
                Ok(t) => t,
                Err(_) => {
                    skip(out, &rel, "broken symbolic link or link loop".into());
                    continue;
                }
            };
            if !target.starts_with(canon_root) {
                skip(out, &rel, "symbolic link leaves the corpus folder".into());
                continue;
            }
            match std::fs::metadata(&target) {
                Ok(m) => (m.is_dir(), m),
                Err(e) => {
                    skip(out, &rel, format!("cannot read: {e}"));
                    continue;
                }
            }
        } else {
            match e.metadata() {
                Ok(m) => (ft.is_dir(), m),
                Err(err) => {
                    skip(out, &rel, format!("cannot read: {err}"));
                    continue;
                }
            }
        };
        if is_dir {
            if depth + 1 > config.max_depth {
                skip(
                    out,
                    &rel,
                    format!("folder nested deeper than {} levels", config.max_depth),
                );
                continue;
            }
            // A folder reached twice (through a link) is read once: this also ends loops.
            let canon = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if !seen.insert(canon) {
                skip(out, &rel, "folder already read (symbolic link loop)".into());
                continue;
            }
            walk_dir(root, canon_root, &path, &rel, depth + 1, config, seen, out);
            continue;
        }
        let lower = name.to_lowercase();
        let wanted = name == MANIFEST
            || config.extensions.iter().any(|ext| {
                let ext = ext.trim_start_matches('.').to_lowercase();
                lower.ends_with(&format!(".{ext}"))
            });
        // Files of other endings are not the corpus's (a folder may hold PDFs, notes, data).
        if !wanted {
            continue;
        }
        // A pipe named like a report would block the read for ever; a device is no report.
        if !meta.is_file() {
            skip(
                out,
                &rel,
                "not a regular file (a pipe, socket or device)".into(),
            );
            continue;
        }
        if name == MANIFEST {
            out.manifests.push(entry(root, rel, path, &meta));
        } else {
            out.files.push(entry(root, rel, path, &meta));
        }
    }
}
