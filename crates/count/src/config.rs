//! The count stage's configuration, loaded by the binary from `config/count.toml`.

use serde::{Deserialize, Serialize};

use crate::Error;

/// What the count stage stores. Every key has a default; `config/count.toml` spells the defaults
/// out with a comment each, and [`Config::default`] equals that file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A phrase is stored only when it occurs in at least this many reports (and at least twice
    /// in the corpus). Must be at least 1.
    pub min_df: u32,
    /// Every phrase of at most this many tokens that passes `min_df` is stored, closed or not.
    /// Other phrases are stored only when they are closed (no one-token extension has the same
    /// term frequency); the counts of one that is not are those of its closed extension. 0 (the
    /// default) stores closed phrases only: later stages derive the rest.
    pub max_short: u32,
    /// The longest phrase counted, in tokens. A sequence that recurs for longer is counted as its
    /// pieces of this length. It bounds the work on hostile input (a very long line repeated
    /// verbatim); real formulations are far shorter. Must be at least 1.
    pub max_len: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            min_df: 2,
            max_short: 0,
            max_len: 128,
        }
    }
}

impl Config {
    /// Checks that the values make sense together.
    pub fn validate(&self) -> Result<(), Error> {
        if self.min_df == 0 {
            return Err(Error::Config {
                key: "min_df",
                reason: "must be at least 1".to_string(),
            });
        }
        if self.max_len == 0 {
            return Err(Error::Config {
                key: "max_len",
                reason: "must be at least 1".to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_equals_the_bundled_file() {
        let text = include_str!("../../../config/count.toml");
        let parsed: Config = toml::from_str(text).expect("config/count.toml parses");
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn every_key_of_the_bundled_file_is_commented() {
        let text = include_str!("../../../config/count.toml");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.contains('=') && !line.trim_start().starts_with('#') {
                assert!(
                    i > 0 && lines[i - 1].trim_start().starts_with('#'),
                    "key without a comment: {line}"
                );
            }
        }
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<Config>("min_dff = 3").is_err());
    }

    #[test]
    fn zero_values_are_refused() {
        let c = Config {
            min_df: 0,
            ..Config::default()
        };
        assert!(matches!(
            c.validate(),
            Err(Error::Config { key: "min_df", .. })
        ));
        let c = Config {
            max_len: 0,
            ..Config::default()
        };
        assert!(matches!(
            c.validate(),
            Err(Error::Config { key: "max_len", .. })
        ));
    }
}
