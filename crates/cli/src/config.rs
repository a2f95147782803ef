//! Loading a stage's config from `<config dir>/<stage>.toml`. A missing file means the
//! defaults, which are what a user should get without editing anything; a file that does not
//! parse, or names an unknown key, is an error naming the file.

use std::path::Path;

use anyhow::Context;
use serde::de::DeserializeOwned;

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
