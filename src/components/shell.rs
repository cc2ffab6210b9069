//! The frame around every page: skip link, header with navigation (a bottom tab bar on phones),
//! the main landmark and the footer.

use leptos::prelude::*;
use leptos_router::components::A;
use portal_core::api::{Role, RuntimeConfig};

use crate::auth::{use_auth, SignedOutReason};
use crate::components::icons::{Icon, IconSvg};
use crate::components::language_picker::LanguagePicker;
use crate::i18n::{tr, use_i18n, Key};

#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let is_editor = move || auth.role() == Some(Role::Editor);
    let account_label = move || {
        if auth.session().is_some() {
            i18n.t(Key::NavAccount)
        } else {
            i18n.t(Key::NavSignIn)
        }
    };
    let account_href = move || {
        if auth.session().is_some() {
            "/account".to_string()
        } else {
            "/account/sign-in".to_string()
        }
    };
    let (emergency, privacy) = use_context::<RuntimeConfig>()
        .map(|c| (c.emergency_number, c.privacy_notice_url))
        .unwrap_or_else(|| ("112".into(), "/privacy".into()));

    // The router would treat "#main" as a navigation; move focus to the content directly instead.
    let skip = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        if let Some(main) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("main"))
        {
            if let Ok(main) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(main) {
                let _ = main.focus();
            }
        }
    };

    view! {
        <a class="skip-link" href="#main" on:click=skip>{tr(Key::SkipToContent)}</a>
        <header class="site-header">
            <div class="header-inner">
                <A href="/" attr:class="brand">
                    <svg class="brand-mark" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
                        <rect x="2" y="2" width="28" height="28" rx="8" fill="currentColor" />
                        <path d="M16 9v14M9 16h14" stroke="var(--color-on-brand)" stroke-width="3.5" stroke-linecap="round" />
                    </svg>
                    <span>{tr(Key::AppName)}</span>
                </A>
                <nav class="main-nav" aria-label=move || i18n.t(Key::NavLabel)>
                    <ul>
                        <li><A href="/learn"><IconSvg icon=Icon::Learn /><span>{tr(Key::NavLearn)}</span></A></li>
                        <li><A href="/reminders"><IconSvg icon=Icon::Reminders /><span>{tr(Key::NavReminders)}</span></A></li>
                        <li><A href="/ask"><IconSvg icon=Icon::Ask /><span>{tr(Key::NavAsk)}</span></A></li>
                        {move || {
                            is_editor()
                                .then(|| {
                                    view! {
                                        <li><A href="/studio"><IconSvg icon=Icon::Studio /><span>{tr(Key::NavStudio)}</span></A></li>
                                    }
                                })
                        }}
                        <li><A href=account_href><IconSvg icon=Icon::Account /><span>{account_label}</span></A></li>
                    </ul>
                </nav>
                <LanguagePicker />
            </div>
        </header>
        <main id="main" tabindex="-1">
            {move || {
                (auth.reason() == Some(SignedOutReason::SignOutUnconfirmed))
                    .then(|| view! { <p class="notice notice-urgent" role="alert">{tr(Key::SignOutUnconfirmed)}</p> })
            }}
            {children()}
        </main>
        <footer class="site-footer">
            <p>{move || i18n.fill(Key::FooterEmergency, &[("number", &emergency)])}</p>
            <p><a href=privacy>{tr(Key::FooterPrivacy)}</a></p>
        </footer>
    }
}
