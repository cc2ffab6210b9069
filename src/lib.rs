//! The patient portal: Learn, Reminders, Ask, the content team's Studio, and the account pages.
//!
//! `App` loads the deployment's settings, then mounts the router inside the shell.

pub mod api;
pub mod auth;
pub mod components;
pub mod config;
pub mod device_store;
pub mod i18n;
pub mod inquiry_outbox;
pub mod learn_offline;
pub mod reminder_alerts;
pub mod reminder_data;
pub mod routes;
pub mod time_zones;

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use portal_core::api::RuntimeConfig;
use portal_core::navigation::{Access, REMINDERS_ACCESS, STUDIO_ACCESS};

use crate::api::Api;
use crate::auth::Auth;
use crate::components::guard::Guarded;
use crate::components::shell::Shell;
use crate::config::ConfigError;
use crate::i18n::{tr, I18n, Key};
use crate::inquiry_outbox::InquiryOutbox;
use crate::routes::{
    account, article, ask, home, learn, my_inquiries, not_found, privacy, reminders, sign_in,
    studio, studio_editor,
};

/// Mounts the app on the page's `<body>`.
pub fn start() {
    leptos::mount::mount_to_body(App);
}

/// Loads the settings, then shows the portal, or a clear error page when they are missing or broken.
#[component]
pub fn App() -> impl IntoView {
    I18n::provide();
    // A plain signal rather than a resource + Suspense: the settings load once, and the async
    // machinery Suspense needs would weigh on every patient's download.
    let loaded = RwSignal::new(None::<Result<RuntimeConfig, ConfigError>>);
    leptos::task::spawn_local(async move { loaded.set(Some(config::load().await)) });
    move || match loaded.get() {
        None => view! { <p class="boot" role="status">{tr(Key::Loading)}</p> }.into_any(),
        Some(Ok(config)) => view! { <Portal config /> }.into_any(),
        Some(Err(error)) => view! { <ConfigErrorPage error /> }.into_any(),
    }
}

/// The portal once its settings are known.
#[component]
pub fn Portal(config: RuntimeConfig) -> impl IntoView {
    let api = Api::new(config.clone());
    provide_context(api.clone());
    provide_context(config.clone());
    let auth = Auth::provide(api.clone());
    InquiryOutbox::provide(api.clone());
    crate::time_zones::Zones::provide(api.clone());
    crate::reminder_data::ReminderData::provide(api.clone(), auth);
    auth::watch_idle(auth, api, config.idle_sign_out_minutes);
    view! { <PortalRoutes /> }
}

/// The router and every page. Split from `Portal` so tests can mount it with their own contexts.
#[component]
pub fn PortalRoutes() -> impl IntoView {
    view! {
        <Router>
            <Shell>
                <Routes fallback=not_found::NotFound>
                    <Route path=path!("/") view=home::Home />
                    <Route path=path!("/learn") view=learn::Learn />
                    <Route path=path!("/learn/:slug") view=article::ArticlePageView />
                    <Route
                        path=path!("/reminders")
                        view=|| view! { <Guarded access=REMINDERS_ACCESS><reminders::Reminders /></Guarded> }
                    />
                    <Route
                        path=path!("/reminders/new")
                        view=|| view! { <Guarded access=REMINDERS_ACCESS><reminders::form::ReminderEditor /></Guarded> }
                    />
                    <Route
                        path=path!("/reminders/edit/:id")
                        view=|| view! { <Guarded access=REMINDERS_ACCESS><reminders::form::ReminderEditor /></Guarded> }
                    />
                    <Route
                        path=path!("/reminders/people")
                        view=|| view! { <Guarded access=REMINDERS_ACCESS><reminders::people::People /></Guarded> }
                    />
                    <Route
                        path=path!("/reminders/history")
                        view=|| view! { <Guarded access=REMINDERS_ACCESS><reminders::history::History /></Guarded> }
                    />
                    <Route path=path!("/ask") view=ask::Ask />
                    <Route
                        path=path!("/ask/mine")
                        view=|| view! { <Guarded access=Access::SignedIn><my_inquiries::MyInquiries /></Guarded> }
                    />
                    <Route
                        path=path!("/studio")
                        view=|| view! { <Guarded access=STUDIO_ACCESS><studio::Studio /></Guarded> }
                    />
                    <Route
                        path=path!("/studio/edit/:slug/:lang")
                        view=|| view! { <Guarded access=STUDIO_ACCESS><studio_editor::StudioEditor /></Guarded> }
                    />
                    <Route
                        path=path!("/studio/preview/:slug/:lang")
                        view=|| view! { <Guarded access=STUDIO_ACCESS><studio_editor::StudioPreview /></Guarded> }
                    />
                    <Route path=path!("/account") view=account::Account />
                    <Route path=path!("/account/sign-in") view=sign_in::SignIn />
                    <Route path=path!("/privacy") view=privacy::Privacy />
                </Routes>
            </Shell>
        </Router>
    }
}

/// Shown when the deployment's settings cannot be read: the app cannot reach its backend without them.
#[component]
pub fn ConfigErrorPage(error: ConfigError) -> impl IntoView {
    let detail = error.detail();
    view! {
        <main id="main" class="config-error">
            <h1>{tr(Key::ConfigErrorTitle)}</h1>
            <p>{tr(Key::ConfigErrorBody)}</p>
            <p>
                <button type="button" class="button" on:click=|_| reload()>
                    {tr(Key::TryAgain)}
                </button>
            </p>
            <details>
                <summary>{tr(Key::TechnicalDetails)}</summary>
                <p><code>{detail}</code></p>
            </details>
        </main>
    }
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
