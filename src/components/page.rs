//! Every page's heading: sets the document title and, after a navigation, moves focus to the heading
//! so screen-reader and keyboard users start reading the new page from its top.

use std::sync::atomic::{AtomicBool, Ordering};

use leptos::html::H1;
use leptos::prelude::*;

use crate::i18n::{use_i18n, Key};

/// True until the first page has been shown: on first load focus stays where the browser puts it.
static FIRST_PAGE: AtomicBool = AtomicBool::new(true);

/// A page's `<h1>` and its document title.
#[component]
pub fn PageTitle(title: Key) -> impl IntoView {
    let i18n = use_i18n();
    view! { <TextPageTitle text=Signal::derive(move || i18n.t(title).to_string()) /> }
}

/// A page's `<h1>` and document title from text that is not a UI string (an article's title).
#[component]
pub fn TextPageTitle(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<H1>::new();
    let first = FIRST_PAGE.swap(false, Ordering::Relaxed);
    Effect::new(move |_| {
        let title = format!("{} – {}", text.get(), i18n.t(Key::AppName));
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
    });
    Effect::new(move |_| {
        if let Some(h1) = heading.get() {
            if !first {
                let _ = h1.focus();
            }
        }
    });
    view! {
        <h1 class="page-title" tabindex="-1" node_ref=heading>
            {move || text.get()}
        </h1>
    }
}
