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

/// `template` with each `{name}` of `values` replaced, in one pass: a value that itself contains
/// braces is never read as a placeholder. Unknown placeholders are left as written, so a
/// mistake in a translation shows instead of vanishing.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let (before, from_brace) = rest.split_at(open);
        out.push_str(before);
        let replaced = from_brace.get(1..).and_then(|inner| {
            let close = inner.find('}')?;
            let name = inner.get(..close)?;
            let value = values.iter().find(|(n, _)| *n == name)?.1;
            Some((value, inner.get(close + 1..)?))
        });
        match replaced {
            Some((value, after)) => {
                out.push_str(value);
                rest = after;
            }
            None => {
                out.push('{');
                rest = from_brace.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// A date as browsers write it in the "medium" style of the language (`Intl.DateTimeFormat`),
/// the same in the app and in pages the backend writes out, and without the cost of starting the
/// browser's date formatting on a slow phone: "Mar 4, 2026", "04.03.2026", "4 mars 2026",
/// "4 mar 2026".
pub fn medium_date(iso: &str, language: Language) -> String {
    let parts: Option<(i32, usize, u32)> = (|| {
        let date = iso.get(..10)?;
        let mut it = date.split('-');
        let year = it.next()?.parse().ok()?;
        let month: usize = it.next()?.parse().ok()?;
        let day = it.next()?.parse().ok()?;
        (1..=12).contains(&month).then_some((year, month, day))
    })();
    let Some((year, month, day)) = parts else {
        return iso.to_owned();
    };
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const FR: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const ES: [&str; 12] = [
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
    ];
    match language {
        Language::En => format!("{} {day}, {year}", EN[month - 1]),
        Language::De => format!("{day:02}.{month:02}.{year}"),
        Language::Fr => format!("{day} {} {year}", FR[month - 1]),
        Language::Es => format!("{day} {} {year}", ES[month - 1]),
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

    #[test]
    fn dates_as_browsers_write_them() {
        assert_eq!(medium_date("2026-03-04", Language::En), "Mar 4, 2026");
        assert_eq!(
            medium_date("2026-03-04T10:00:00Z", Language::De),
            "04.03.2026"
        );
        assert_eq!(medium_date("2026-02-14", Language::Fr), "14 févr. 2026");
        assert_eq!(medium_date("2026-09-01", Language::Es), "1 sept 2026");
        assert_eq!(medium_date("soon", Language::En), "soon");
        assert_eq!(medium_date("2026-13-01", Language::En), "2026-13-01");
    }
}
