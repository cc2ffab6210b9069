//! The interface language: chosen from the browser, switchable, remembered on this device.

use leptos::prelude::*;
use portal_core::language::Language;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// Where the chosen language is remembered. Only the language tag is stored: no personal data.
const STORAGE_KEY: &str = crate::device_store::local_keys::LANGUAGE;

/// The current language, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    language: RwSignal<Language>,
}

impl I18n {
    /// Picks the language (remembered choice, else the browser's preferences) and shares it.
    pub fn provide() -> I18n {
        let language = Language::choose(
            remembered().as_deref(),
            browser_languages().iter().map(String::as_str),
        );
        let i18n = I18n::with_language(language);
        provide_context(i18n);
        Effect::new(move |_| set_document_language(i18n.language.get()));
        i18n
    }

    /// A context with a fixed starting language, for tests.
    pub fn with_language(language: Language) -> I18n {
        I18n {
            language: RwSignal::new(language),
        }
    }

    pub fn language(self) -> Language {
        self.language.get()
    }

    /// Switches the whole interface and remembers the choice on this device.
    pub fn set_language(self, language: Language) {
        self.language.set(language);
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(STORAGE_KEY, language.tag());
        }
    }

    /// The text of `key` in the current language (reactive when read inside a view or effect).
    pub fn t(self, key: Key) -> &'static str {
        table(self.language.get())[key as usize]
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        fill(self.t(key), values)
    }
}

/// Replaces `{name}` placeholders; unknown ones are left as they are.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The language context; every component below `App` has one.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::with_language(Language::En))
}

/// A reactive text for views: `{tr(Key::NavLearn)}`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

/// A date as the reader's language writes it, from an RFC 3339 time.
pub fn local_date(rfc3339: &str, language_tag: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    date.to_locale_date_string(language_tag, &options).into()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn remembered() -> Option<String> {
    local_storage()?.get_item(STORAGE_KEY).ok().flatten()
}

fn browser_languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let list: Vec<String> = navigator
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if list.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        list
    }
}

fn set_document_language(language: Language) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", language.tag());
    }
}

/// How much of a wall-clock date-time to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CivilStyle {
    /// "08:00" (or "8:00 AM", as the language writes times).
    Time,
    /// "Mon 30 Mar".
    Day,
    /// "Monday 30 March".
    LongDay,
    /// "Mon 30 Mar, 08:00".
    DayTime,
}

/// A wall-clock date-time (already in the right zone) as the reader's language writes it. The
/// browser's formatter is given the fields as UTC and told to write UTC, so no zone shifts them.
pub fn civil_text(
    dt: portal_core::schedule::jiff::civil::DateTime,
    language_tag: &str,
    style: CivilStyle,
) -> String {
    let ms = js_sys::Date::utc(f64::from(dt.year()), f64::from(dt.month() - 1))
        + (f64::from(dt.day()) - 1.0) * 86_400_000.0
        + f64::from(dt.hour()) * 3_600_000.0
        + f64::from(dt.minute()) * 60_000.0;
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
    };
    set("timeZone", "UTC");
    if style != CivilStyle::Time {
        let long = style == CivilStyle::LongDay;
        set("weekday", if long { "long" } else { "short" });
        set("day", "numeric");
        set("month", if long { "long" } else { "short" });
    }
    if matches!(style, CivilStyle::Time | CivilStyle::DayTime) {
        set("hour", "2-digit");
        set("minute", "2-digit");
    }
    date.to_locale_string(language_tag, &options).into()
}
