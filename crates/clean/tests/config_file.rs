//! The shipped `config/clean.toml` must say exactly what `Config::default()` says, so the
//! tool behaves the same with and without the file.

use tifa_clean::Config;

fn shipped() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/clean.toml"
    ))
    .expect("config/clean.toml exists")
}

#[test]
fn shipped_config_equals_default() {
    if std::env::var_os("TIFA_PRINT_DEFAULT_CONFIG").is_some() {
        println!("{}", toml::to_string(&Config::default()).unwrap());
    }
    let parsed: Config = toml::from_str(&shipped()).expect("config/clean.toml parses");
    assert_eq!(parsed, Config::default());
}

#[test]
fn every_key_is_commented() {
    let text = shipped();
    let lines: Vec<&str> = text.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        let is_key = !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = ");
        if is_key {
            assert!(
                i > 0 && lines[i - 1].starts_with('#'),
                "key without a comment above it: {l}"
            );
        }
    }
}

#[test]
fn unknown_keys_are_refused() {
    assert!(toml::from_str::<Config>("no_such_key = 1").is_err());
}
