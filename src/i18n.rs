//! The interface language: chosen from the browser, switchable, remembered on this device.
//!
//! English is built into the app; another language's texts are fetched (`/locales/<tag>.json`,
//! precached by the service worker for offline use) the first time someone needs them, so no one
//! downloads the three languages they do not read.

use std::cell::RefCell;
use std::collections::BTreeMap;

use leptos::prelude::*;
use portal_core::language::Language;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// Where the chosen language is remembered. Only the language tag is stored: no personal data.
const STORAGE_KEY: &str = crate::device_store::local_keys::LANGUAGE;

/// How long a language's texts may take before the interface stays in the language it has.
const LOAD_TIMEOUT_MS: u32 = 10_000;

thread_local! {
    /// Texts fetched so far, kept for the life of the page.
    static LOADED: RefCell<Vec<(Language, &'static [&'static str])>> = const { RefCell::new(Vec::new()) };
}

/// The current language, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    language: RwSignal<Language>,
    /// A language whose texts could not be fetched when it was chosen.
    unavailable: RwSignal<Option<Language>>,
    /// The language chosen last: a slow fetch for an earlier choice must not override it.
    chosen: StoredValue<Language>,
}

impl I18n {
    /// Picks the language (remembered choice, else the browser's preferences) and shares it. The
    /// interface is in English until [`I18n::start`] has that language's texts.
    pub fn provide() -> I18n {
        let i18n = I18n::with_language(Language::En);
        provide_context(i18n);
        Effect::new(move |_| set_document_language(i18n.language.get()));
        // Another tab of the portal changed the language: this one follows, so the person never
        // finds two languages side by side (nor notifications worded in the one left behind).
        let _ = window_event_listener(leptos::ev::storage, move |ev| {
            let field = |name: &str| {
                js_sys::Reflect::get(&ev, &name.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            if field("key").as_deref() != Some(STORAGE_KEY) {
                return;
            }
            let chosen = field("newValue").and_then(|tag| Language::from_tag(&tag));
            if let Some(language) = chosen.filter(|l| *l != i18n.chosen.get_value()) {
                i18n.set_language(language);
            }
        });
        i18n
    }

    /// Switches to the language chosen on this device or in the browser, once its texts are here.
    /// Without them (offline on a first visit) the interface stays in English; the choice is kept.
    pub async fn start(self) {
        let outside = chosen_outside_the_app();
        let remembered = outside.map(|l| l.tag().to_owned()).or_else(remembered);
        let chosen = Language::choose(
            remembered.as_deref(),
            browser_languages().iter().map(String::as_str),
        );
        self.chosen.set_value(chosen);
        if load_texts(chosen).await && self.chosen.get_value() == chosen {
            self.language.set(chosen);
            // Without a choice the backend reads the browser's preferences just as the app does.
            if remembered.is_some() {
                tell_backend(chosen);
            }
            if outside.is_some() {
                remember(chosen);
            }
        }
    }

    /// A context with a fixed starting language, for tests.
    pub fn with_language(language: Language) -> I18n {
        I18n {
            language: RwSignal::new(language),
            unavailable: RwSignal::new(None),
            chosen: StoredValue::new(language),
        }
    }

    pub fn language(self) -> Language {
        self.language.get()
    }

    /// A language that was chosen but whose texts could not be fetched (reactive).
    pub fn unavailable(self) -> Option<Language> {
        self.unavailable.get()
    }

    /// The person has read that the language could not be had.
    pub fn dismiss_unavailable(self) {
        self.unavailable.set(None);
    }

    /// Switches the whole interface once the language's texts are here, and remembers the choice
    /// on this device. When they cannot be fetched, [`I18n::unavailable`] says which language.
    pub fn set_language(self, language: Language) {
        self.unavailable.set(None);
        self.chosen.set_value(language);
        leptos::task::spawn_local(async move {
            let loaded = load_texts(language).await;
            if self.chosen.get_value() != language {
                return;
            }
            if !loaded {
                self.unavailable.set(Some(language));
                return;
            }
            self.language.set(language);
            tell_backend(language);
            remember(language);
        });
    }

    /// The text of `key` in the current language (reactive when read inside a view or effect).
    pub fn t(self, key: Key) -> &'static str {
        table(self.language.get())[key as usize]
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(self, key: Key, values: &[(&str, &str)]) -> String {
        fill(self.t(key), values)
    }

    /// `one` or `other` with `{count}` filled in, as the language counts `count`.
    pub fn count(self, one: Key, other: Key, count: usize) -> String {
        let n = u64::try_from(count).unwrap_or(u64::MAX);
        self.fill(self.plural(one, other, n), &[("count", &count.to_string())])
    }

    /// `one` or `other`, as the language counts `n` ("1 dose", "0 dose" in French).
    pub fn plural(self, one: Key, other: Key, n: u64) -> Key {
        if self.language().is_singular(n) {
            one
        } else {
            other
        }
    }
}

fn table(language: Language) -> &'static [&'static str] {
    if language == Language::En {
        return &EN;
    }
    LOADED
        .with_borrow(|loaded| {
            loaded
                .iter()
                .find(|(l, _)| *l == language)
                .map(|(_, texts)| *texts)
        })
        .unwrap_or(&EN)
}

/// Makes sure `language`'s texts are here; false when they could not be fetched or were not
/// the ones this build expects.
async fn load_texts(language: Language) -> bool {
    if language == Language::En || LOADED.with_borrow(|l| l.iter().any(|(l, _)| *l == language)) {
        return true;
    }
    let path = format!("/locales/{}.json", language.tag());
    let text = crate::config::fetch_app_file(&path, LOAD_TIMEOUT_MS)
        .await
        .ok();
    let Some(texts) = text.as_deref().and_then(parse_texts) else {
        return false;
    };
    LOADED.with_borrow_mut(|loaded| {
        // Two quick switches may both have fetched it.
        if !loaded.iter().any(|(l, _)| *l == language) {
            loaded.push((language, texts));
        }
    });
    true
}

/// A locale file's texts in key order, if its keys are exactly the ones this build has.
fn parse_texts(text: &str) -> Option<&'static [&'static str]> {
    let map: BTreeMap<String, String> = serde_json::from_str(text).ok()?;
    if map.len() != KEY_COUNT
        || crate::locale_keys::fingerprint(map.keys().map(String::as_str)) != KEYS_FINGERPRINT
    {
        return None;
    }
    // Leaked once per language for the life of the page, so `t` can hand out `&'static str`.
    let texts: Vec<&'static str> = map.into_values().map(|t| &*t.leak()).collect();
    Some(texts.leak())
}

/// The text with each `{name}` replaced by its value (shared with the backend's written pages).
pub use portal_core::language::{fill, CivilStyle};

/// A wall-clock date-time as the reader's browser writes it; English in the way of the browser's
/// region ("20:00" in Britain, "8:00 PM" in the United States).
pub fn civil_text(
    dt: portal_core::schedule::jiff::civil::DateTime,
    language: Language,
    style: CivilStyle,
) -> String {
    thread_local! {
        static ENGLISH: portal_core::language::EnglishStyle =
            portal_core::language::EnglishStyle::from_tags(
                browser_languages().iter().map(String::as_str),
            );
    }
    let english = ENGLISH.with(|e| *e);
    portal_core::language::civil_text_in(dt, language, english, style)
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

/// The backend writes public pages in the reader's language before the app has loaded; this
/// cookie tells it the language chosen on this device (a preference, not personal data).
fn tell_backend(language: Language) {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
    else {
        return;
    };
    let cookie = format!(
        "{}={}; Path=/; Max-Age=31536000; SameSite=Lax; Secure",
        portal_core::language::COOKIE,
        language.tag()
    );
    let _ = document.set_cookie(&cookie);
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn remembered() -> Option<String> {
    local_storage()?.get_item(STORAGE_KEY).ok().flatten()
}

fn remember(language: Language) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(STORAGE_KEY, language.tag());
    }
}

/// A language chosen while the app was not running, which wins over the one remembered here:
/// `?lang=` in the address (a link that names a language, or the written page's list when the
/// service worker answered instead of the backend), else the cookie the backend sets when the list
/// is used without the app. The address loses `lang=`, as it does when the backend handles it.
fn chosen_outside_the_app() -> Option<Language> {
    from_address().or_else(|| {
        use wasm_bindgen::JsCast;
        let cookies = web_sys::window()?
            .document()?
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()?
            .cookie()
            .ok()?;
        Language::from_cookies(&cookies)
    })
}

fn from_address() -> Option<Language> {
    let window = web_sys::window()?;
    let location = window.location();
    let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    let tag = params.get("lang")?;
    params.delete("lang");
    let rest = String::from(params.to_string());
    let mut address = location.pathname().ok()?;
    if !rest.is_empty() {
        address.push('?');
        address.push_str(&rest);
    }
    address.push_str(&location.hash().unwrap_or_default());
    let _ = window.history().ok()?.replace_state_with_url(
        &wasm_bindgen::JsValue::NULL,
        "",
        Some(&address),
    );
    Language::from_tag(&tag)
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
