//! Turns `locales/<lang>.json` into Rust: one enum variant per message key, the English texts,
//! and a fingerprint of the keys that the other languages' files are checked against when loaded.
//!
//! A key that is missing from any language, present in only one, or whose `{placeholders}` differ
//! between languages stops the build, so a screen can never show a raw key or mix languages.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[path = "src/locale_keys.rs"]
mod locale_keys;

const LANGUAGES: [&str; 4] = ["en", "de", "fr", "es"];

fn main() {
    println!("cargo:rerun-if-changed=locales");
    println!("cargo:rerun-if-changed=src/locale_keys.rs");
    let mut tables: Vec<BTreeMap<String, String>> = Vec::new();
    for lang in LANGUAGES {
        let path = Path::new("locales").join(format!("{lang}.json"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let map: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "{} is not a flat JSON object of strings: {e}",
                path.display()
            )
        });
        tables.push(map);
    }

    let reference = &tables[0];
    let mut errors = Vec::new();
    for key in reference.keys() {
        if !key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            errors.push(format!("key {key:?} must be snake_case ASCII"));
        }
    }
    for (lang, table) in LANGUAGES.iter().zip(&tables).skip(1) {
        for key in reference.keys() {
            match table.get(key) {
                None => errors.push(format!("{lang}.json lacks {key:?}")),
                Some(text) if placeholders(text) != placeholders(&reference[key]) => {
                    errors.push(format!(
                        "{lang}.json {key:?} has placeholders {:?}, en.json has {:?}",
                        placeholders(text),
                        placeholders(&reference[key])
                    ))
                }
                Some(text) if text.trim().is_empty() => {
                    errors.push(format!("{lang}.json {key:?} is empty"))
                }
                Some(_) => {}
            }
        }
        for key in table.keys() {
            if !reference.contains_key(key) {
                errors.push(format!("{lang}.json has {key:?}, which en.json lacks"));
            }
        }
    }
    if !errors.is_empty() {
        panic!("locale files disagree:\n  {}", errors.join("\n  "));
    }

    let mut out = String::new();
    out.push_str("/// A message shown to people; each has a text in every supported language.\n");
    out.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Key {\n");
    for key in reference.keys() {
        let _ = writeln!(out, "    {},", camel(key));
    }
    out.push_str("}\n\n");
    let _ = writeln!(out, "pub const KEY_COUNT: usize = {};\n", reference.len());
    let _ = writeln!(
        out,
        "const KEYS_FINGERPRINT: u64 = {};\n",
        locale_keys::fingerprint(reference.keys().map(String::as_str))
    );
    // English is built in; the other languages are fetched from the served copies of the same
    // files, checked against the fingerprint, when someone chooses them.
    out.push_str("static EN: [&str; KEY_COUNT] = [\n");
    for key in reference.keys() {
        let _ = writeln!(out, "    {:?},", reference[key]);
    }
    out.push_str("];\n");

    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("messages.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn placeholders(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect();
    found.sort();
    found
}

fn camel(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
