//! The patient portal: Learn, Reminders, Ask, the content team's Studio, and the account pages.
//!
//! `App` loads the deployment's settings, then mounts the router inside the shell.

pub mod api;
pub mod auth;
pub mod components;
pub mod config;
pub mod device_store;
pub mod first_paint;
pub mod i18n;
pub mod inquiry_outbox;
pub mod learn_offline;
mod locale_keys;
pub mod pwa;
pub mod reminder_alerts;
pub mod reminder_data;
pub mod routes;
pub mod time_zones;
pub mod unsent;
pub mod view_task;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::path;
use portal_core::api::RuntimeConfig;
use portal_core::navigation::{Access, Entry, REMINDERS_ACCESS, STUDIO_ACCESS};

use crate::api::Api;
use crate::auth::Auth;
use crate::components::guard::Guarded;
use crate::components::shell::Shell;
use crate::config::ConfigError;
use crate::first_paint::FirstPaint;
use crate::i18n::{tr, I18n, Key};
use crate::inquiry_outbox::InquiryOutbox;
use crate::routes::{
    account, article, ask, home, learn, my_inquiries, not_found, privacy, reminders, sign_in,
    studio, studio_editor,
};

/// Mounts one bundle on the page's `<body>`. Each bundle is its own binary with only its own pages
/// linked in, so a patient's phone never downloads the reminders engine or the content editor;
/// `pages` is that bundle's router, and addresses of other bundles are handed to the browser.
pub fn start(entry: Entry, pages: fn() -> AnyView) {
    let first_path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let root = first_paint::app_root();
    let taking_over = root.is_some();
    let app = move || {
        provide_context(ThisBundle {
            entry,
            first_path: first_path.clone(),
        });
        FirstPaint::provide(taking_over);
        view! { <App pages /> }
    };
    match root {
        Some(root) => leptos::mount::mount_to(root, app).forget(),
        None => leptos::mount::mount_to_body(app),
    }
}

/// Home, Learn, Ask and the account pages.
pub fn start_patient() {
    start(Entry::Patient, || {
        view! { <Frame><Routes fallback=not_found::NotFound><PatientRoutes /></Routes></Frame> }
            .into_any()
    });
}

/// Reminders: their data and sync loop exist only in this bundle.
pub fn start_care() {
    start(Entry::Care, || {
        if let (Some(api), Some(auth)) = (use_context::<Api>(), use_context::<Auth>()) {
            crate::time_zones::Zones::provide(api.clone());
            let data = crate::reminder_data::ReminderData::provide(api, auth);
            if let Some(i18n) = use_context::<crate::i18n::I18n>() {
                crate::pwa::keep_notification_doses(data, i18n);
            }
        }
        view! { <Frame><Routes fallback=not_found::NotFound><CareRoutes /></Routes></Frame> }
            .into_any()
    });
}

/// The content team's Studio.
pub fn start_studio() {
    start(Entry::Studio, || {
        view! { <Frame><Routes fallback=not_found::NotFound><StudioRoutes /></Routes></Frame> }
            .into_any()
    });
}

/// Which bundle is running, and the address it was loaded for.
#[derive(Clone, Debug)]
pub struct ThisBundle {
    pub entry: Entry,
    pub first_path: String,
}

/// Loads the settings, then shows the portal, or a clear error page when they are missing or broken.
#[component]
pub fn App(pages: fn() -> AnyView) -> impl IntoView {
    let i18n = I18n::provide();
    // A plain signal rather than a resource + Suspense: the settings load once, and the async
    // machinery Suspense needs would weigh on every patient's download.
    let loaded = RwSignal::new(None::<Result<RuntimeConfig, ConfigError>>);
    let first_paint = use_context::<FirstPaint>();
    leptos::task::spawn_local(async move {
        // The person's language comes with the settings, so the first page is already in it.
        let (config, ()) = futures::join!(config::load(), i18n.start());
        loaded.set(Some(config));
        if let Some(first_paint) = first_paint {
            first_paint.started();
        }
    });
    move || match loaded.get() {
        None => view! { <p class="boot" role="status">{tr(Key::Loading)}</p> }.into_any(),
        Some(Ok(config)) => view! { <Portal config pages /> }.into_any(),
        Some(Err(error)) => view! { <ConfigErrorPage error /> }.into_any(),
    }
}

/// The portal once its settings are known.
#[component]
pub fn Portal(config: RuntimeConfig, pages: fn() -> AnyView) -> impl IntoView {
    let api = Api::new(config.clone());
    provide_context(api.clone());
    provide_context(config.clone());
    Auth::provide(api.clone());
    InquiryOutbox::provide(api.clone());
    pages()
}

/// The router and the shell around one bundle's routes.
#[component]
pub fn Frame(children: Children) -> impl IntoView {
    view! {
        <Router>
            <crate::components::idle_sign_out::IdleSignOut />
            <Shell><crate::pwa::PwaNotices />{children()}</Shell>
        </Router>
    }
}

/// Every page of every bundle in one router, for component tests that mount their own contexts.
#[component]
pub fn PortalRoutes() -> impl IntoView {
    view! {
        <Frame>
            <Routes fallback=not_found::NotFound>
                <PatientRoutes />
                <CareRoutes />
                <StudioRoutes />
            </Routes>
        </Frame>
    }
}

#[component(transparent)]
fn PatientRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
            <Route path=path!("/") view=home::Home />
            <Route path=path!("/learn") view=learn::Learn />
            <Route path=path!("/learn/:slug") view=article::ArticlePageView />
            <Route path=path!("/ask") view=ask::Ask />
            <Route
                path=path!("/ask/mine")
                view=|| view! { <Guarded access=Access::SignedIn><my_inquiries::MyInquiries /></Guarded> }
            />
            <Route path=path!("/account") view=account::Account />
            <Route path=path!("/account/sign-in") view=sign_in::SignIn />
            <Route path=path!("/privacy") view=privacy::Privacy />
        </ParentRoute>
    }
    .into_inner()
}

#[component(transparent)]
fn CareRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
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
        </ParentRoute>
    }
    .into_inner()
}

#[component(transparent)]
fn StudioRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute path=path!("") view=Outlet>
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
        </ParentRoute>
    }
    .into_inner()
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
