//! Taking over a page the backend wrote out in advance (Home, Learn, an article, Ask: see the
//! backend's `first_paint`). The app renders out of sight and replaces the written page in one
//! frame once its own first page is complete, so the reader never sees it go back to "Loading".
//!
//! Pages that load their content hold the swap until it is there; everything else swaps as soon as
//! the settings are loaded.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

const BOOT_SHELL: &str = "boot-shell";
const APP_ROOT: &str = "portal-app";

/// What the app knows about the page it is taking over.
#[derive(Clone, Copy)]
pub struct FirstPaint {
    /// Pages still loading what the written page already shows.
    holds: RwSignal<u32>,
    /// The settings and language are loaded, so the app shows pages rather than "Loading".
    started: RwSignal<bool>,
    shown: StoredValue<bool>,
}

/// Where to mount the app: beside a written page, out of sight (`Some`), or straight into the body
/// in place of the plain "Loading" shell (`None`).
pub fn app_root() -> Option<web_sys::HtmlElement> {
    let document = web_sys::window()?.document()?;
    let boot = document.get_element_by_id(BOOT_SHELL)?;
    if !boot.has_attribute("data-first-paint") {
        boot.remove();
        return None;
    }
    let root = document.create_element("div").ok()?;
    root.set_id(APP_ROOT);
    let _ = root.set_attribute("hidden", "");
    document.body()?.append_child(&root).ok()?;
    root.dyn_into().ok()
}

impl FirstPaint {
    /// Shares the state and swaps the pages once the app is started and no page holds the swap.
    /// `taking_over` is false when there is no written page to replace.
    pub fn provide(taking_over: bool) {
        let first_paint = FirstPaint {
            holds: RwSignal::new(0),
            started: RwSignal::new(false),
            shown: StoredValue::new(!taking_over),
        };
        provide_context(first_paint);
        if !taking_over {
            return;
        }
        Effect::new(move |_| {
            if first_paint.started.get() && first_paint.holds.get() == 0 {
                // Queued behind the rendering this change set off, so the app's page is complete
                // in the DOM when the swap is shown; in a task of its own, because the style and
                // layout of the swapped page are a long piece of work on a slow phone after
                // building it.
                leptos::task::spawn_local(async move {
                    crate::view_task::yield_to_browser().await;
                    first_paint.swap()
                });
            }
        });
    }

    fn swap(self) {
        let ready = self.started.try_get_untracked() == Some(true)
            && self.holds.try_get_untracked() == Some(0);
        if !ready || self.shown.try_get_value() != Some(false) {
            return;
        }
        self.shown.set_value(true);
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let focused = focused_link(&document);
        let typed = typed_fields(&document);
        if let Some(boot) = document.get_element_by_id(BOOT_SHELL) {
            boot.remove();
        }
        if let Some(root) = document.get_element_by_id(APP_ROOT) {
            let _ = root.remove_attribute("hidden");
            if let Some((landmark, href)) = focused {
                refocus(&root, &landmark, &href);
            }
        }
        for field in typed {
            field.carry_over(&document);
        }
    }
}

/// A field of the written page that works before the app (Learn's search box, the language
/// list), which the app has its own copy of: what was typed or picked there must not be lost when
/// the app takes over.
struct TypedField {
    /// The id of the app's copy (the written field's `data-app-field`).
    app_field: String,
    value: String,
    /// The value the page was written with: unchanged, the app's own value stands.
    written: String,
    focused: bool,
}

fn typed_fields(document: &web_sys::Document) -> Vec<TypedField> {
    let Some(fields) = document
        .get_element_by_id(BOOT_SHELL)
        .and_then(|shell| shell.query_selector_all("[data-app-field]").ok())
    else {
        return Vec::new();
    };
    let active = document.active_element();
    (0..fields.length())
        .filter_map(|i| fields.item(i)?.dyn_into::<web_sys::Element>().ok())
        .filter_map(|field| {
            let value = js_sys::Reflect::get(&field, &"value".into())
                .ok()?
                .as_string()?;
            // What the server wrote: the input's `value` attribute, the selected `<option>`.
            let written = match field.get_attribute("value") {
                Some(v) => v,
                None => field
                    .query_selector("option[selected]")
                    .ok()
                    .flatten()
                    .and_then(|o| o.get_attribute("value"))
                    .unwrap_or_default(),
            };
            Some(TypedField {
                app_field: field.get_attribute("data-app-field")?,
                focused: active.as_ref() == Some(&field),
                value,
                written,
            })
        })
        .collect()
}

impl TypedField {
    /// Gives the app's field what was typed or picked (as the person's own change would, so the
    /// page reacts to it), and the focus if the written field had it, with the caret at the end.
    fn carry_over(self, document: &web_sys::Document) {
        let Some(field) = document
            .get_element_by_id(&self.app_field)
            .and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok())
        else {
            return;
        };
        if self.value != self.written {
            let _ = js_sys::Reflect::set(&field, &"value".into(), &self.value.as_str().into());
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            for kind in ["input", "change"] {
                if let Ok(event) = web_sys::Event::new_with_event_init_dict(kind, &init) {
                    let _ = field.dispatch_event(&event);
                }
            }
        }
        if self.focused {
            let _ = field.focus();
            if let Some(input) = field.dyn_ref::<web_sys::HtmlInputElement>() {
                let end = u32::try_from(self.value.encode_utf16().count()).unwrap_or(u32::MAX);
                let _ = input.set_selection_range(end, end);
            }
        }
    }
}

/// The link in the written page that has the keyboard focus, as (landmark, href): the swap would
/// drop focus to the start of the page, so it moves to the same link in the app.
fn focused_link(document: &web_sys::Document) -> Option<(String, String)> {
    let active = document.active_element()?;
    active.closest(&format!("#{BOOT_SHELL}")).ok()??;
    let landmark = active
        .closest("header, main, footer")
        .ok()??
        .tag_name()
        .to_ascii_lowercase();
    Some((landmark, active.get_attribute("href")?))
}

fn refocus(root: &web_sys::Element, landmark: &str, href: &str) {
    let quoted = href.replace('\\', "\\\\").replace('"', "\\\"");
    let same = root
        .query_selector(&format!("{landmark} a[href=\"{quoted}\"]"))
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(link) = same {
        let _ = link.focus();
    }
}

impl FirstPaint {
    /// The settings and language are loaded: from now on the app shows pages.
    pub fn started(self) {
        self.started.try_set(true);
    }
}

/// Holds the swap until [`Hold::release`] (or until the page is left). Call while the page is
/// created; a hold taken after the swap does nothing.
pub fn hold() -> Hold {
    let Some(first_paint) = use_context::<FirstPaint>() else {
        return Hold(None);
    };
    if first_paint.shown.get_value() {
        return Hold(None);
    }
    first_paint.holds.update(|n| *n += 1);
    let hold = Hold(Some((first_paint, Arc::new(AtomicBool::new(false)))));
    let on_leave = hold.clone();
    on_cleanup(move || on_leave.release());
    hold
}

/// A page's hold on the swap. Not reactive state of the page, so it outlives the page's own
/// signals and a page left while loading still lets go.
#[derive(Clone)]
pub struct Hold(Option<(FirstPaint, Arc<AtomicBool>)>);

impl Hold {
    /// The page shows its content now. Releasing twice, or after the page is gone, is harmless.
    pub fn release(&self) {
        let Some((first_paint, released)) = &self.0 else {
            return;
        };
        if released.swap(true, Ordering::Relaxed) {
            return;
        }
        first_paint.holds.try_update(|n| *n = n.saturating_sub(1));
    }
}

/// The body of the article the backend wrote out, if the page still shows it and it is this
/// version of this article (same title, language and time of last change: one republished
/// between the written page and the app's own request is built anew): the app moves those nodes
/// into its own page instead of building the same body again, which on a slow phone is most of
/// the work of opening an article.
pub fn written_article_body(
    title: &str,
    language: &str,
    updated_at: &str,
) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let shell = document.get_element_by_id(BOOT_SHELL)?;
    let heading = shell.query_selector("h1").ok()??;
    let article = shell.query_selector(".article").ok()??;
    let same = heading.text_content().as_deref() == Some(title)
        && article.get_attribute("lang").as_deref() == Some(language)
        && article.get_attribute("data-version").as_deref() == Some(updated_at);
    if !same {
        return None;
    }
    shell.query_selector(".article-body").ok()?
}
