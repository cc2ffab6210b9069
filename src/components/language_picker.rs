//! The language switch in the header. Each option is written in its own language.

use leptos::prelude::*;
use portal_core::language::Language;

use crate::components::icons::{Icon, IconSvg};
use crate::i18n::{tr, use_i18n, Key};

#[component]
pub fn LanguagePicker() -> impl IntoView {
    let i18n = use_i18n();
    let select = NodeRef::<leptos::html::Select>::new();
    // The note goes, so focus would fall to the page's start: back to the list instead.
    let dismiss = move |_| {
        i18n.dismiss_unavailable();
        if let Some(select) = select.get_untracked() {
            let _ = select.focus();
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(language) = Language::from_tag(&event_target_value(&ev)) {
            i18n.set_language(language);
        }
    };
    view! {
        <div class="language-picker">
            <label for="language-select">
                <IconSvg icon=Icon::Language />
                <span class="visually-hidden">{tr(Key::LanguageLabel)}</span>
            </label>
            // Re-read after a failed switch, so the list shows the language actually in use.
            <select
                id="language-select"
                node_ref=select
                on:change=on_change
                prop:value=move || {
                    i18n.unavailable();
                    i18n.language().tag()
                }
            >
                {Language::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.tag() lang=l.tag() selected=move || i18n.language() == l>
                                {l.endonym()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {move || {
                i18n.unavailable()
                    .map(|language| {
                        view! {
                            <div class="language-unavailable">
                                <p role="alert">{i18n.fill(Key::LanguageUnavailable, &[("language", language.endonym())])}</p>
                                <button type="button" class="link-button" on:click=dismiss>
                                    {tr(Key::Dismiss)}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}
