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

    /// Whether a count of `n` takes the singular: 1 in English, German and Spanish, and 0 or 1 in
    /// French ("0 dose", "1 dose", "2 doses").
    pub fn is_singular(self, n: u64) -> bool {
        match self {
            Language::Fr => n <= 1,
            Language::En | Language::De | Language::Es => n == 1,
        }
    }

    /// Whether a dose of `amount` (a decimal as reminders store it: "1", "2.5") takes the
    /// singular: exactly 1 in English, German and Spanish ("1 tablet", "0.5 tablets"), and
    /// anything under 2 in French ("1,5 comprimé"). Text that is not a number takes the plural.
    pub fn amount_is_singular(self, amount: &str) -> bool {
        // Read as text: parsing a float would add Rust's whole float parser to the app.
        let amount = amount.trim();
        let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if amount.is_empty() || whole.is_empty() || !digits(whole) || !digits(fraction) {
            return false;
        }
        let whole = whole.trim_start_matches('0');
        match self {
            Language::Fr => whole.is_empty() || whole == "1",
            Language::En | Language::De | Language::Es => {
                whole == "1" && fraction.bytes().all(|b| b == b'0')
            }
        }
    }

    /// A stored decimal amount as the language writes it: "2.5" in English, "2,5" in German,
    /// French and Spanish.
    pub fn amount_text(self, amount: &str) -> String {
        let amount = amount.trim();
        match self {
            Language::En => amount.to_owned(),
            Language::De | Language::Fr | Language::Es => amount.replace('.', ","),
        }
    }

    /// What separates a CSV file's fields for a spreadsheet set up in this language: Excel uses
    /// the region's list separator, a semicolon wherever the comma is the decimal mark.
    pub fn list_separator(self) -> char {
        match self {
            Language::En => ',',
            Language::De | Language::Fr | Language::Es => ';',
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

    /// The language a `Cookie` header (or `document.cookie`) holds under [`COOKIE`].
    pub fn from_cookies(cookies: &str) -> Option<Language> {
        cookies
            .split(';')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| name.trim() == COOKIE)
            .and_then(|(_, tag)| Language::from_tag(tag))
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
    let name = language.names().months[month - 1];
    match language {
        Language::En => format!("{name} {day}, {year}"),
        Language::De => format!("{day:02}.{month:02}.{year}"),
        Language::Fr | Language::Es => format!("{day} {name} {year}"),
    }
}

/// How much of a wall-clock date-time to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CivilStyle {
    /// "08:00" (or "8:00 AM", as the language writes times).
    Time,
    /// "Mon, Mar 30".
    Day,
    /// "Monday, March 30".
    LongDay,
    /// "Mon, Mar 30, 8:00 AM".
    DayTime,
}

/// How English dates and times are written where the reader lives: the month or the day first, a
/// 12- or 24-hour clock. A dose at "20:00" or "8:00 PM" must read the way the person's own clock
/// does. The other languages write one way in every country the portal serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnglishStyle {
    pub day_first: bool,
    pub hour12: bool,
    /// "Sun, 4 Jan" rather than Britain's "Sun 4 Jan".
    pub weekday_comma: bool,
}

impl Default for EnglishStyle {
    fn default() -> Self {
        EnglishStyle::US
    }
}

impl EnglishStyle {
    /// "Monday, March 30", "8:00 PM": the United States, Canada, the Philippines, and English
    /// with no region.
    pub const US: EnglishStyle = EnglishStyle {
        day_first: false,
        hour12: true,
        weekday_comma: true,
    };

    /// From the browser's language tags in order of preference: the first English tag's region
    /// decides, close to how Chromium writes that region's English.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> EnglishStyle {
        let Some(tag) = tags
            .into_iter()
            .find(|t| Language::from_tag(t) == Some(Language::En))
        else {
            return EnglishStyle::US;
        };
        // The region is the first two-letter part after the language ("en-Latn-GB" too).
        let region = tag
            .trim()
            .split(['-', '_'])
            .skip(1)
            .find(|part| part.len() == 2 && part.chars().all(|c| c.is_ascii_alphabetic()))
            .map(|part| part.to_ascii_uppercase());
        match region.as_deref() {
            None | Some("US" | "CA" | "PH") => EnglishStyle::US,
            Some("AU" | "NZ" | "IN" | "PK" | "BD" | "MY" | "SG") => EnglishStyle {
                day_first: true,
                hour12: true,
                weekday_comma: true,
            },
            Some(region) => EnglishStyle {
                day_first: true,
                hour12: false,
                weekday_comma: region != "GB",
            },
        }
    }
}

/// Month and weekday names of one language: short months, long months, short weekdays and long
/// weekdays (Monday first).
struct Names {
    months: [&'static str; 12],
    long_months: [&'static str; 12],
    days: [&'static str; 7],
    long_days: [&'static str; 7],
}

const NAMES_EN: Names = Names {
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    long_months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    long_days: [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ],
};

const NAMES_DE: Names = Names {
    months: [
        "Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.",
        "Dez.",
    ],
    long_months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    days: ["Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."],
    long_days: [
        "Montag",
        "Dienstag",
        "Mittwoch",
        "Donnerstag",
        "Freitag",
        "Samstag",
        "Sonntag",
    ],
};

const NAMES_FR: Names = Names {
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
    long_months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    days: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    long_days: [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ],
};

const NAMES_ES: Names = Names {
    months: [
        "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic",
    ],
    long_months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    days: ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
    long_days: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
};

impl Language {
    fn names(self) -> &'static Names {
        match self {
            Language::En => &NAMES_EN,
            Language::De => &NAMES_DE,
            Language::Fr => &NAMES_FR,
            Language::Es => &NAMES_ES,
        }
    }
}

/// A chart's label for a day, short enough to sit under its bar: the weekday and the day of the
/// month ("Mon 23", "Mo. 23") when `weekday`, else the day and month ("Nov 23", "23. Nov.").
pub fn day_label(day: jiff::civil::Date, language: Language, weekday: bool) -> String {
    let names = language.names();
    let n = day.day();
    if weekday {
        let wd =
            names.days[usize::from(day.weekday().to_monday_zero_offset().unsigned_abs()).min(6)];
        return format!("{wd} {n}");
    }
    let mo = names.months[usize::from(day.month().unsigned_abs()).clamp(1, 12) - 1];
    match language {
        Language::En => format!("{mo} {n}"),
        Language::De => format!("{n}. {mo}"),
        Language::Fr | Language::Es => format!("{n} {mo}"),
    }
}

/// A wall-clock date-time (already in the right zone) as browsers write it for the language
/// (`toLocaleString` with short or long weekday and month, numeric day, two-digit hour and
/// minute). Written here rather than by `Intl` because starting the browser's formatter costs a
/// slow phone about a tenth of a second on the first Today of a visit.
pub fn civil_text(dt: jiff::civil::DateTime, language: Language, style: CivilStyle) -> String {
    civil_text_in(dt, language, EnglishStyle::US, style)
}

/// [`civil_text`], with English written in `english`'s way.
pub fn civil_text_in(
    dt: jiff::civil::DateTime,
    language: Language,
    english: EnglishStyle,
    style: CivilStyle,
) -> String {
    let names = language.names();
    let month = usize::from(dt.month().unsigned_abs()).clamp(1, 12) - 1;
    let weekday = usize::from(dt.weekday().to_monday_zero_offset().unsigned_abs()).min(6);
    let day = dt.day();
    let date = |long: bool| {
        let (wd, mo) = if long {
            (names.long_days[weekday], names.long_months[month])
        } else {
            (names.days[weekday], names.months[month])
        };
        match (language, long) {
            (Language::En, _) if english.day_first => {
                let comma = if english.weekday_comma { "," } else { "" };
                format!("{wd}{comma} {day} {mo}")
            }
            (Language::En, _) => format!("{wd}, {mo} {day}"),
            (Language::De, _) => format!("{wd}, {day}. {mo}"),
            (Language::Fr, _) => format!("{wd} {day} {mo}"),
            (Language::Es, false) => format!("{wd}, {day} {mo}"),
            (Language::Es, true) => format!("{wd}, {day} de {mo}"),
        }
    };
    let time = || {
        let (hour, minute) = (dt.hour(), dt.minute());
        if language == Language::En && english.hour12 {
            let twelve = match hour % 12 {
                0 => 12,
                h => h,
            };
            let half = match (hour < 12, english.day_first) {
                (true, false) => "AM",
                (false, false) => "PM",
                (true, true) => "am",
                (false, true) => "pm",
            };
            format!("{twelve}:{minute:02} {half}")
        } else {
            format!("{hour:02}:{minute:02}")
        }
    };
    match style {
        CivilStyle::Time => time(),
        CivilStyle::Day => date(false),
        CivilStyle::LongDay => date(true),
        CivilStyle::DayTime => format!("{}, {}", date(false), time()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn french_counts_zero_as_one_thing() {
        assert!(Language::Fr.is_singular(0) && Language::Fr.is_singular(1));
        assert!(!Language::Fr.is_singular(2));
        for language in [Language::En, Language::De, Language::Es] {
            assert!(language.is_singular(1));
            assert!(!language.is_singular(0) && !language.is_singular(2));
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chart_day_labels_are_short_and_in_the_language_s_order() {
        let day = jiff::civil::date(2026, 11, 23);
        assert_eq!(day_label(day, Language::En, true), "Mon 23");
        assert_eq!(day_label(day, Language::En, false), "Nov 23");
        assert_eq!(day_label(day, Language::De, false), "23. Nov.");
        assert_eq!(day_label(day, Language::Fr, false), "23 nov.");
    }

    #[test]
    fn dose_amounts_take_singular_or_plural_and_the_language_s_decimal_mark() {
        use Language::*;
        for (amount, en, fr) in [
            ("1", true, true),
            ("2", false, false),
            ("0.5", false, true),
            ("1.5", false, true),
            ("1.0", true, true),
            ("one", false, false),
            ("01", true, true),
            ("1.", true, true),
            ("", false, false),
            (".5", false, false),
            ("2.5", false, false),
        ] {
            assert_eq!(En.amount_is_singular(amount), en, "{amount}");
            assert_eq!(De.amount_is_singular(amount), en, "{amount}");
            assert_eq!(Es.amount_is_singular(amount), en, "{amount}");
            assert_eq!(Fr.amount_is_singular(amount), fr, "{amount}");
        }
        assert_eq!(En.list_separator(), ',');
        for l in [De, Fr, Es] {
            // Their decimal comma must never be read as a field break.
            assert!(!l.amount_text("2.5").contains(l.list_separator()));
        }
        assert_eq!(En.amount_text(" 2.5"), "2.5");
        assert_eq!(De.amount_text("2.5"), "2,5");
        assert_eq!(Fr.amount_text("10"), "10");
    }

    #[test]
    fn regional_tags_match_their_language() {
        assert_eq!(Language::from_tag("de-AT"), Some(Language::De));
        assert_eq!(Language::from_tag("FR_ca"), Some(Language::Fr));
        assert_eq!(Language::from_tag("pt-BR"), None);
        assert_eq!(Language::from_tag(""), None);
    }

    #[test]
    fn the_language_cookie_is_found_among_others() {
        assert_eq!(
            Language::from_cookies("a=1; portal_language=de; b=2"),
            Some(Language::De)
        );
        assert_eq!(
            Language::from_cookies("portal_language=fr"),
            Some(Language::Fr)
        );
        assert_eq!(Language::from_cookies("portal_language=xx; a=1"), None);
        assert_eq!(Language::from_cookies("my_portal_language=de"), None);
        assert_eq!(Language::from_cookies(""), None);
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

    fn civil(y: i16, mo: i8, d: i8, h: i8, mi: i8, l: Language, s: CivilStyle) -> String {
        civil_text(jiff::civil::date(y, mo, d).at(h, mi, 0, 0), l, s)
    }

    /// The expected texts are what Chromium's `toLocaleString` writes for the same options.
    #[test]
    fn civil_times_as_browsers_write_them() {
        use CivilStyle::*;
        use Language::*;
        assert_eq!(civil(2026, 3, 30, 8, 0, En, Time), "8:00 AM");
        assert_eq!(civil(2026, 9, 1, 0, 30, En, Time), "12:30 AM");
        assert_eq!(civil(2026, 12, 12, 12, 0, En, Time), "12:00 PM");
        assert_eq!(civil(2026, 5, 3, 23, 59, En, Time), "11:59 PM");
        assert_eq!(civil(2026, 1, 4, 13, 5, De, Time), "13:05");
        assert_eq!(civil(2026, 9, 1, 0, 30, Fr, Time), "00:30");
        assert_eq!(civil(2026, 7, 5, 9, 7, Es, Time), "09:07");
        assert_eq!(civil(2026, 3, 30, 8, 0, En, Day), "Mon, Mar 30");
        assert_eq!(civil(2026, 9, 1, 0, 0, De, Day), "Di., 1. Sept.");
        assert_eq!(civil(2026, 1, 4, 0, 0, Fr, Day), "dim. 4 janv.");
        assert_eq!(civil(2026, 12, 12, 0, 0, Es, Day), "sáb, 12 dic");
        assert_eq!(civil(2026, 9, 1, 0, 0, En, LongDay), "Tuesday, September 1");
        assert_eq!(civil(2026, 3, 30, 0, 0, De, LongDay), "Montag, 30. März");
        assert_eq!(civil(2026, 7, 5, 0, 0, Fr, LongDay), "dimanche 5 juillet");
        assert_eq!(civil(2026, 5, 3, 0, 0, Es, LongDay), "domingo, 3 de mayo");
        assert_eq!(civil(2026, 1, 4, 13, 5, En, DayTime), "Sun, Jan 4, 1:05 PM");
        assert_eq!(civil(2026, 7, 5, 9, 7, De, DayTime), "So., 5. Juli, 09:07");
        assert_eq!(civil(2026, 3, 30, 8, 0, Fr, DayTime), "lun. 30 mars, 08:00");
        assert_eq!(civil(2026, 9, 1, 0, 30, Es, DayTime), "mar, 1 sept, 00:30");
    }

    #[test]
    fn english_follows_the_readers_region() {
        let style = |tags: &[&str]| EnglishStyle::from_tags(tags.iter().copied());
        let gb = EnglishStyle {
            day_first: true,
            hour12: false,
            weekday_comma: false,
        };
        let ie = EnglishStyle {
            weekday_comma: true,
            ..gb
        };
        let au = EnglishStyle {
            day_first: true,
            hour12: true,
            weekday_comma: true,
        };
        assert_eq!(style(&["en-US"]), EnglishStyle::US);
        assert_eq!(style(&["en"]), EnglishStyle::US);
        assert_eq!(style(&[]), EnglishStyle::US);
        assert_eq!(style(&["de-DE"]), EnglishStyle::US);
        assert_eq!(style(&["en-GB", "en-US"]), gb);
        assert_eq!(style(&["de-DE", "en_ie"]), ie);
        assert_eq!(style(&["en-Latn-GB"]), gb);
        assert_eq!(style(&["en-AU"]), au);
        assert_eq!(style(&["en-CA"]), EnglishStyle::US);
    }

    /// What Chromium's `toLocaleString` writes for en-GB and en-AU with the same options (the
    /// long day aside: en-AU writes it without the comma).
    #[test]
    fn british_and_australian_english_as_browsers_write_them() {
        use CivilStyle::*;
        let gb = EnglishStyle::from_tags(["en-GB"]);
        let au = EnglishStyle::from_tags(["en-AU"]);
        let at = |h, mi| jiff::civil::date(2026, 1, 4).at(h, mi, 0, 0);
        let en = Language::En;
        assert_eq!(civil_text_in(at(13, 5), en, gb, Time), "13:05");
        assert_eq!(civil_text_in(at(13, 5), en, gb, Day), "Sun 4 Jan");
        assert_eq!(
            civil_text_in(at(13, 5), en, gb, LongDay),
            "Sunday 4 January"
        );
        assert_eq!(
            civil_text_in(at(13, 5), en, gb, DayTime),
            "Sun 4 Jan, 13:05"
        );
        assert_eq!(civil_text_in(at(0, 30), en, au, Time), "12:30 am");
        assert_eq!(
            civil_text_in(at(13, 5), en, au, DayTime),
            "Sun, 4 Jan, 1:05 pm"
        );
        // Only English has regional ways here.
        assert_eq!(
            civil_text_in(at(13, 5), Language::De, au, DayTime),
            "So., 4. Jan., 13:05"
        );
    }

    proptest! {
        #[test]
        fn every_civil_time_is_written(secs in 0i64..4_102_444_800, l in 0usize..4) {
            let dt = jiff::Timestamp::from_second(secs).unwrap().to_zoned(jiff::tz::TimeZone::UTC).datetime();
            for style in [CivilStyle::Time, CivilStyle::Day, CivilStyle::LongDay, CivilStyle::DayTime] {
                let text = civil_text(dt, Language::ALL[l], style);
                prop_assert!(!text.is_empty());
                prop_assert!(text.contains(&dt.day().to_string()) || style == CivilStyle::Time);
            }
        }
    }
}
