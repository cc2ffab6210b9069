//! The languages the portal speaks, and choosing one from what the browser prefers.

/// The cookie in which the app tells the backend the language it shows, so pages the backend
/// writes out in advance arrive in it.
pub const COOKIE: &str = "portal_language";

/// A language the whole interface is translated into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    De,
    Fr,
    Es,
}

impl Language {
    pub const ALL: [Language; 4] = [Language::En, Language::De, Language::Fr, Language::Es];

    /// BCP 47 tag, used for `<html lang>` and stored as the person's choice.
    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::De => "de",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    /// The language's own name, so a person can find theirs whatever language is showing.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::De => "Deutsch",
            Language::Fr => "Français",
            Language::Es => "Español",
        }
    }

    /// Reads a tag such as `de`, `de-AT` or `DE_at`; `None` for languages the portal lacks.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// Picks the first supported language among the browser's preferences, in order; English otherwise.
    pub fn negotiate<'a>(preferences: impl IntoIterator<Item = &'a str>) -> Language {
        preferences
            .into_iter()
            .find_map(Language::from_tag)
            .unwrap_or(Language::En)
    }

    /// The language to use: a remembered choice wins over the browser's preferences.
    pub fn choose<'a>(
        remembered: Option<&str>,
        preferences: impl IntoIterator<Item = &'a str>,
    ) -> Language {
        remembered
            .and_then(Language::from_tag)
            .unwrap_or_else(|| Language::negotiate(preferences))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn regional_tags_match_their_language() {
        assert_eq!(Language::from_tag("de-AT"), Some(Language::De));
        assert_eq!(Language::from_tag("FR_ca"), Some(Language::Fr));
        assert_eq!(Language::from_tag("pt-BR"), None);
        assert_eq!(Language::from_tag(""), None);
    }

    #[test]
    fn negotiation_takes_first_supported() {
        assert_eq!(Language::negotiate(["pt-BR", "es-MX", "de"]), Language::Es);
        assert_eq!(Language::negotiate(["ja"]), Language::En);
        assert_eq!(Language::negotiate([]), Language::En);
    }

    #[test]
    fn remembered_choice_wins() {
        assert_eq!(Language::choose(Some("fr"), ["de"]), Language::Fr);
        assert_eq!(Language::choose(Some("garbage"), ["de"]), Language::De);
        assert_eq!(Language::choose(None, ["de"]), Language::De);
    }

    proptest! {
        #[test]
        fn every_tag_round_trips_and_junk_never_panics(s in ".{0,20}") {
            for l in Language::ALL {
                prop_assert_eq!(Language::from_tag(l.tag()), Some(l));
            }
            let _ = Language::from_tag(&s);
        }
    }
}
