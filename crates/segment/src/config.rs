//! The segment stage's settings, read from `config/segment.toml`. Every field has a default, so
//! an empty or missing file means the defaults, and an unknown key is an error rather than a
//! silently ignored typo.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Settings of the segment stage. `Config::default()` equals the shipped
/// `config/segment.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Let jieba's hidden Markov model join runs of characters that no dictionary covers into
    /// new words. Off by default: the model joins the same characters differently in different
    /// sentences, which splits the counts of one phrase over several token sequences, while the
    /// count stage reassembles single characters into recurring phrases on its own.
    pub hmm: bool,
    /// Load the bundled dictionary of political vocabulary (built into the binary). Off means
    /// jieba's own dictionary only, to measure what the pipeline discovers without help.
    pub political_dictionary: bool,
    /// Further dictionaries in jieba's user-dictionary format (`word [freq] [tag]` a line),
    /// relative to the config folder, loaded in this order after the bundled one.
    pub user_dictionaries: Vec<PathBuf>,
    /// Map every digit run (`2025`, `3.5`) to the single token [`crate::NUMBER_CLASS`], so that
    /// phrases differing only in a number are counted together.
    pub number_class: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            hmm: false,
            political_dictionary: true,
            user_dictionaries: Vec::new(),
            number_class: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_equals_default() {
        let text = include_str!("../../../config/segment.toml");
        let parsed: Config = toml::from_str(text).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn empty_file_is_default_and_unknown_keys_are_refused() {
        assert_eq!(toml::from_str::<Config>("").unwrap(), Config::default());
        let e = toml::from_str::<Config>("hmmm = true").unwrap_err();
        assert!(e.to_string().contains("hmmm"), "{e}");
    }
}
