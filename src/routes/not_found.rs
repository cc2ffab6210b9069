use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;
use portal_core::navigation::Entry;

use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};
use crate::ThisBundle;

/// Any address this bundle does not have: one of another bundle is handed to the browser, which
/// loads that bundle; anything else is a real "not found".
#[component]
pub fn NotFound() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    if let Some(bundle) = use_context::<ThisBundle>() {
        let owner = Entry::for_path(&path);
        // Loaded for this very address means the server had nothing better: don't loop.
        if owner != bundle.entry && path != bundle.first_path {
            // The router's `search` comes without its `?`.
            let search = location.search.get_untracked();
            let href = format!(
                "{path}{}{search}{}",
                if search.is_empty() { "" } else { "?" },
                location.hash.get_untracked()
            );
            if let Some(window) = web_sys::window() {
                if window.location().replace(&href).is_ok() {
                    return view! { <p class="boot" role="status">{tr(Key::Loading)}</p> }
                        .into_any();
                }
            }
        }
    }
    view! {
        <PageTitle title=Key::NotFoundTitle />
        <p>{tr(Key::NotFoundBody)}</p>
        <ul>
            <li><A href="/">{tr(Key::BackToHome)}</A></li>
            <li><A href="/learn">{tr(Key::NavLearn)}</A></li>
            <li><A href="/ask">{tr(Key::NavAsk)}</A></li>
        </ul>
    }
    .into_any()
}
