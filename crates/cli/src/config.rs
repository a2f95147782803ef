//! Loading a stage's config from `<config dir>/<stage>.toml`. A missing file means the
//! defaults, which are what a user should get without editing anything; a file that does not
//! parse, or names an unknown key, is an error naming the file.

use std::path::Path;

use anyhow::Context;
use serde::de::DeserializeOwned;

/// The folder [`crate::Global::config`] names must be one unless it is the default, `config`:
/// a folder named by mistake would otherwise go unnoticed, every stage running on its defaults.
pub fn check_dir(dir: &Path) -> anyhow::Result<()> {
    if dir != Path::new(DEFAULT_DIR) && !dir.is_dir() {
        if dir.exists() {
            anyhow::bail!(
                "config folder {}: not a folder (--config names the folder of the stages' TOML files)",
                dir.display()
            );
        }
        anyhow::bail!("config folder {}: not found", dir.display());
    }
    Ok(())
}

/// The TOML files a config folder may hold: one per stage, and run.toml.
pub const FILES: [&str; 6] = ["clean", "segment", "count", "compare", "report", "run"];

/// Warnings for the `.toml` files of the config folder that tifa does not read (a misspelt
/// `compre.toml` would leave compare's defaults in force without a word).
pub fn unknown_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.strip_suffix(".toml")
                .is_some_and(|stem| !n.starts_with('.') && !FILES.contains(&stem))
        })
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            format!(
                "warning: {}: not a tifa config file ({}.toml); ignored",
                dir.join(n).display(),
                FILES.join(".toml, ")
            )
        })
        .collect()
}

/// The config folder when none is named.
pub const DEFAULT_DIR: &str = "config";

/// Reads `<dir>/<stage>.toml` into the stage's config type, or its default when absent.
pub fn load<T: DeserializeOwned + Default>(dir: &Path, stage: &str) -> anyhow::Result<T> {
    let path = dir.join(format!("{stage}.toml"));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(T::default()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    toml::from_str(&text).map_err(|e| {
        let msg = e.message().trim().to_string();
        match e.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                anyhow::anyhow!("{}:{line}: {msg}", path.display())
            }
            None => anyhow::anyhow!("{}: {msg}", path.display()),
        }
    })
}

/// A stage's verdict on its settings (`validate`), naming `<dir>/<stage>.toml` when they are
/// refused: the stage itself names only the key.
pub fn checked<E: std::fmt::Display>(
    dir: &Path,
    stage: &str,
    verdict: Result<(), E>,
) -> anyhow::Result<()> {
    verdict.map_err(|e| anyhow::anyhow!("{}: {e}", dir.join(format!("{stage}.toml")).display()))
}

/// Settings of a whole run that change no output, so no stage's fingerprint holds them:
/// `<config dir>/run.toml`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunConfig {
    /// The memory budget, as [`parse_size`] reads it.
    max_memory: Option<String>,
}

/// The memory budget in bytes: `--max-memory`, else run.toml's `max_memory`, else none.
pub fn max_memory(flags: &crate::Global) -> anyhow::Result<Option<u64>> {
    if flags.max_memory.is_some() {
        return Ok(flags.max_memory);
    }
    let run: RunConfig = load(&flags.config, "run")?;
    run.max_memory
        .map(|m| {
            parse_size(&m).map_err(|e| {
                anyhow::anyhow!(
                    "{}: max_memory: {e}",
                    flags.config.join("run.toml").display()
                )
            })
        })
        .transpose()
}

/// Reads a size in bytes: a number with an optional unit K, M, G or T (powers of 1024; `KB`,
/// `KiB`, lower case and a decimal number such as 1.5G are read too). At least 64 MiB: the
/// stages' fixed costs (jieba's dictionary alone takes about 100 MB) leave nothing of less.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("{s:?} is not a size (say 2G or 1500M)")),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a size (say 2G or 1500M)"))?;
    let bytes = n * (1u64 << shift) as f64;
    // NaN is below it too.
    if bytes.is_nan() || bytes < (64u64 << 20) as f64 {
        return Err(format!("{s:?} is less than the smallest budget, 64M"));
    }
    Ok(bytes.min(u64::MAX as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_with_their_units() {
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("1500M"), Ok(1500 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("100000000"), Ok(100_000_000));
        for bad in ["", "G", "2X", "-1G", "1.2.3G", "10M", "NaN"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_budget_comes_from_the_flag_before_run_toml() {
        let dir = tempfile::tempdir().unwrap();
        let mut flags = crate::Global {
            config: dir.path().to_path_buf(),
            threads: None,
            quiet: true,
            no_progress: true,
            verbose: false,
            diffusion_reference: None,
            diffusion_by: None,
            max_memory: None,
            sink: crate::Sink::default(),
        };
        assert_eq!(max_memory(&flags).unwrap(), None);
        std::fs::write(dir.path().join("run.toml"), "max_memory = \"3G\"\n").unwrap();
        assert_eq!(max_memory(&flags).unwrap(), Some(3 << 30));
        flags.max_memory = Some(1 << 30);
        assert_eq!(max_memory(&flags).unwrap(), Some(1 << 30));
        flags.max_memory = None;
        std::fs::write(dir.path().join("run.toml"), "max_memory = \"lots\"\n").unwrap();
        let e = max_memory(&flags).unwrap_err().to_string();
        assert!(
            e.contains("run.toml: max_memory") && e.contains("lots"),
            "{e}"
        );
        std::fs::write(dir.path().join("run.toml"), "max_memroy = \"3G\"\n").unwrap();
        assert!(max_memory(&flags).is_err());
    }
}
