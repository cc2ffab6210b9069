//! The app's own translations (`locales/*.json`), built into the backend for the few things it
//! writes in a person's language itself: calendar files. Built in, not read from the static
//! directory as the first paint is, because a calendar feed must not change language when the
//! backend runs without the app's files.

use std::sync::OnceLock;

use portal_core::language::{fill, Language};
use serde_json::{Map, Value};

/// One language's texts.
pub struct Words {
    language: Language,
    texts: Map<String, Value>,
}

/// The texts of `language`, read once.
pub fn words(language: Language) -> &'static Words {
    static ALL: OnceLock<[Words; 4]> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let read = |language, json: &str| Words {
            language,
            // The files are checked against each other when the app is built, and parsed by
            // this crate's tests; an unreadable one would leave English words in the file's
            // place rather than stop the backend.
            texts: match serde_json::from_str(json) {
                Ok(Value::Object(map)) => map,
                _ => Map::new(),
            },
        };
        [
            read(Language::En, include_str!("../../locales/en.json")),
            read(Language::De, include_str!("../../locales/de.json")),
            read(Language::Fr, include_str!("../../locales/fr.json")),
            read(Language::Es, include_str!("../../locales/es.json")),
        ]
    });
    all.iter()
        .find(|w| w.language == language)
        .unwrap_or(&all[0])
}

impl Words {
    /// The text of `key`, or English's when this language lacks it.
    pub fn text(&self, key: &str) -> &str {
        match self.texts.get(key).and_then(Value::as_str) {
            Some(text) => text,
            None if self.language != Language::En => words(Language::En).text(key),
            None => "",
        }
    }

    /// A dose as the app writes it on its cards: "1 tablet", "2,5 Tabletten", "1,5 comprimé".
    /// A unit without words of its own is written as its code.
    pub fn dose(&self, amount: &str, unit: &str) -> String {
        let amount = amount.trim();
        let number = if self.language.amount_is_singular(amount) {
            "one"
        } else {
            "other"
        };
        let template = self.text(&format!("dose_{unit}_{number}"));
        if template.is_empty() {
            return format!("{amount} {unit}");
        }
        fill(template, &[("n", &self.language.amount_text(amount))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::reminders::DOSE_UNITS;

    #[test]
    fn every_language_reads_and_has_words_for_every_unit() {
        for language in Language::ALL {
            let w = words(language);
            assert!(w.texts.len() > 100, "{language:?}");
            for unit in DOSE_UNITS {
                for number in ["one", "other"] {
                    let key = format!("dose_{unit}_{number}");
                    assert!(w.texts.contains_key(&key), "{language:?} {key}");
                }
            }
        }
    }

    #[test]
    fn doses_read_as_on_the_app_cards() {
        let en = words(Language::En);
        assert_eq!(en.dose("1", "tablet"), "1 tablet");
        assert_eq!(en.dose("2", "tablet"), "2 tablets");
        assert_eq!(en.dose("0.5", "tablet"), "0.5 tablets");
        assert_eq!(en.dose("1.0", "patch"), "1.0 patch");
        assert_eq!(en.dose("2", "patch"), "2 patches");
        assert_eq!(en.dose("5", "ml"), "5 ml");
        assert_eq!(en.dose("2", "spoon"), "2 spoon");
        assert_eq!(words(Language::De).dose("2.5", "tablet"), "2,5 Tabletten");
        assert_eq!(words(Language::De).dose("1", "tablet"), "1 Tablette");
        assert_eq!(words(Language::Fr).dose("1.5", "tablet"), "1,5 comprimé");
        assert_eq!(words(Language::Es).dose("2", "puff"), "2 inhalaciones");
    }
}
