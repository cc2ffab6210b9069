//! The installable, offline-capable app: the service worker (`pwa/sw.js`), the "new version" and
//! "you are offline" notices, the "add to home screen" card, and Web Push for dose reminders.
//!
//! The service worker is registered after the first render and only in secure contexts (HTTPS or
//! localhost: browsers refuse it elsewhere anyway). A new version waits until the person presses
//! Reload, so code is never swapped under someone logging a dose. Everything here degrades to
//! nothing when the browser lacks a feature: a failure is at most a console note.
//!
//! ```ignore
//! // In the shell, once, inside the router:
//! view! { <crate::pwa::PwaNotices /> }
//! // After a reminder is saved:
//! crate::pwa::offer_install();
//! // At sign-out, while the session is still valid:
//! crate::pwa::forget_push_subscription(&api).await;
//! ```

use std::cell::{Cell, RefCell};

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    PushManager, PushSubscription, PushSubscriptionOptionsInit, ServiceWorkerContainer,
    ServiceWorkerRegistration, ServiceWorkerState,
};

use crate::api::{within, Api, PushSubscriptionInput};
use crate::device_store::{self, keys, local_keys};
use crate::i18n::{tr, use_i18n, I18n, Key};
use crate::reminder_data::{use_reminder_data, ReminderData};
use crate::routes::reminders::dose_card::dose_text;

/// The worker's address: the root, so its scope covers every page.
const WORKER_URL: &str = "/sw.js";
/// How often an open app asks whether a new version was published (navigations ask too).
const UPDATE_CHECK_MS: u32 = 60 * 60 * 1000;
/// How long to wait for the worker before giving up on push for this visit.
const READY_TIMEOUT_MS: u32 = 15_000;
/// After Reload, how long to wait for the new version to take over before reloading anyway.
const RELOAD_FALLBACK_MS: u32 = 5_000;
/// Set on `window` by the inline script in the HTML pages: `beforeinstallprompt` may fire before
/// the wasm has loaded, and an event missed then does not come again.
const EARLY_PROMPT_PROPERTY: &str = "__portalInstallPrompt";

/// State that lives as long as the page: the worker is registered once, whatever mounts.
struct PwaState {
    started: Cell<bool>,
    update_ready: ArcRwSignal<bool>,
    install_offered: ArcRwSignal<bool>,
    can_prompt: ArcRwSignal<bool>,
    /// The deferred `beforeinstallprompt` event (it can be used once).
    prompt: RefCell<Option<JsValue>>,
    registration: RefCell<Option<ServiceWorkerRegistration>>,
    /// True once the person pressed Reload: only then does a new controller reload the page.
    reloading: Cell<bool>,
}

thread_local! {
    static STATE: PwaState = PwaState {
        started: Cell::new(false),
        update_ready: ArcRwSignal::new(false),
        install_offered: ArcRwSignal::new(false),
        can_prompt: ArcRwSignal::new(false),
        prompt: RefCell::new(None),
        registration: RefCell::new(None),
        reloading: Cell::new(false),
    };
}

/// The offline line, the "new version" banner and the install card, at the top of the page.
/// Mount once, inside the router; it also registers the service worker.
#[component]
pub fn PwaNotices() -> impl IntoView {
    let i18n = use_i18n();
    start();

    let online = RwSignal::new(is_online());
    let went_online = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let went_offline = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    on_cleanup(move || {
        went_online.remove();
        went_offline.remove();
    });

    // The worker shows notifications in the person's language without translations of its own.
    // The doses' wording follows too, whichever bundle the language is changed in: the amounts
    // and units are stored with it, so no reminders need loading.
    Effect::new(move |_| {
        let texts = NotificationTexts::new(i18n);
        if service_workers().is_some() {
            leptos::task::spawn_local(async move {
                texts.store().await;
                reword_notification_doses(i18n).await;
            });
        }
    });

    // A dose logged from a notification: Today adopts and shows it at once.
    if let (Some(data), Some(container)) = (use_reminder_data(), service_workers()) {
        let on_message =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let kind = js_sys::Reflect::get(&event.data(), &"type".into()).ok();
                if kind.and_then(|k| k.as_string()).as_deref() == Some("dose-outbox") {
                    data.wake();
                }
            });
        let _ = container
            .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        let held = SendWrapper::new((container, on_message));
        on_cleanup(move || {
            let (container, on_message) = &*held;
            let _ = container.remove_event_listener_with_callback(
                "message",
                on_message.as_ref().unchecked_ref(),
            );
        });
    }

    let update_ready = STATE.with(|s| s.update_ready.clone());
    view! {
        // Live regions exist from the start, so what appears in them is announced.
        <div class="pwa-notices" role="status">
            {move || {
                (!online.get())
                    .then(|| view! { <p class="notice offline-notice">{tr(Key::OfflineNotice)}</p> })
            }}
            {move || {
                update_ready
                    .get()
                    .then(|| {
                        view! {
                            <div class="notice update-notice">
                                <p>{tr(Key::UpdateReady)}</p>
                                <button type="button" class="button button-primary" on:click=|_| activate_update()>
                                    {tr(Key::UpdateReload)}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
        <InstallCard />
    }
}

/// Asks for the "add to home screen" card: after a reminder is saved, when an installed app is
/// what makes reminders reliable. Shown once, until dismissed or installed.
pub fn offer_install() {
    if install_done() || is_standalone() {
        return;
    }
    STATE.with(|s| s.install_offered.set(true));
}

/// "Add the portal to your home screen", with the browser's install dialog, or the steps on an
/// iPhone or iPad (where Safari has no such dialog and notifications need the home screen).
#[component]
fn InstallCard() -> impl IntoView {
    let offered = STATE.with(|s| s.install_offered.clone());
    let can_prompt = STATE.with(|s| s.can_prompt.clone());
    let apple = is_apple_mobile();
    let dismiss = {
        let offered = offered.clone();
        move |_| {
            remember_install_done();
            offered.set(false);
        }
    };
    let show = {
        let (offered, can_prompt) = (offered.clone(), can_prompt.clone());
        move || offered.get() && (can_prompt.get() || apple)
    };
    let install = {
        let offered = offered.clone();
        move |_| {
            let offered = offered.clone();
            leptos::task::spawn_local(async move {
                prompt_install().await;
                offered.set(false);
            })
        }
    };
    view! {
        <Show when=show>
            <section class="notice install-card" aria-labelledby="install-card-title">
                <p class="notice-title" id="install-card-title">{tr(Key::InstallTitle)}</p>
                {
                    let (can_prompt, install, dismiss) = (can_prompt.clone(), install.clone(), dismiss.clone());
                    move || {
                        if can_prompt.get() {
                            view! {
                                <p>{tr(Key::InstallBody)}</p>
                                <p class="install-actions">
                                    <button type="button" class="button button-primary" on:click=install.clone()>
                                        {tr(Key::InstallButton)}
                                    </button>
                                    <button type="button" class="button" on:click=dismiss.clone()>
                                        {tr(Key::InstallNotNow)}
                                    </button>
                                </p>
                            }
                            .into_any()
                        } else {
                            view! {
                                <p>{tr(Key::InstallIphone)}</p>
                                <p class="install-actions">
                                    <button type="button" class="button" on:click=dismiss.clone()>
                                        {tr(Key::InstallNotNow)}
                                    </button>
                                </p>
                            }
                            .into_any()
                        }
                    }
                }
            </section>
        </Show>
    }
}

/// Registers the worker and listens for install prompts, once per page.
fn start() {
    if STATE.with(|s| s.started.replace(true)) {
        return;
    }
    listen_for_install_prompt();
    let Some(container) = service_workers() else {
        return;
    };
    let on_controller = Closure::<dyn Fn()>::new(|| {
        // Another tab's Reload also changes this page's controller: reload only when asked here.
        if STATE.with(|s| s.reloading.get()) {
            reload();
        }
    });
    let _ = container.add_event_listener_with_callback(
        "controllerchange",
        on_controller.as_ref().unchecked_ref(),
    );
    on_controller.forget();
    leptos::task::spawn_local(async move {
        // After the first render: the worker's downloads must not compete with the app's own.
        TimeoutFuture::new(0).await;
        // Checked, not assumed: a stubbed `register` (test tools that block workers) gives nothing.
        let registered = match register(&container) {
            Some(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok()),
            None => None,
        };
        match registered {
            Some(registration) => {
                watch_for_updates(&registration, &container);
                STATE.with(|s| *s.registration.borrow_mut() = Some(registration.clone()));
                loop {
                    TimeoutFuture::new(UPDATE_CHECK_MS).await;
                    if let Ok(check) = registration.update() {
                        let _ = JsFuture::from(check).await;
                    }
                }
            }
            None => leptos::logging::log!("The offline copy of the portal is not available."),
        }
    });
}

/// The Trusted Types policy that may name the worker's script: the CSP requires Trusted Types for
/// script URLs, and `register` is such a sink. It accepts [`WORKER_URL`] and nothing else.
const TRUSTED_TYPES_POLICY: &str = "portal-sw";

/// Calls `navigator.serviceWorker.register`, through the Trusted Types policy where the browser
/// has them. Called through `Function::call`, which reports a refusal as an error instead of
/// throwing through the wasm (a blocked sink throws synchronously).
fn register(container: &ServiceWorkerContainer) -> Option<js_sys::Promise> {
    let script_url = trusted_worker_url().unwrap_or_else(|| JsValue::from_str(WORKER_URL));
    let register = js_sys::Reflect::get(container, &"register".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    register.call1(container, &script_url).ok()?.dyn_into().ok()
}

/// `/sw.js` as a `TrustedScriptURL`, or `None` where Trusted Types are not supported (or the
/// policy is not allowed: then registering is refused, and the app simply works without a worker).
fn trusted_worker_url() -> Option<JsValue> {
    let factory = js_sys::Reflect::get(&js_sys::global(), &"trustedTypes".into()).ok()?;
    if !factory.is_object() {
        return None;
    }
    let create_policy = js_sys::Reflect::get(&factory, &"createPolicy".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    let only_worker = Closure::<dyn Fn(String) -> Result<String, JsValue>>::new(|url: String| {
        if url == WORKER_URL {
            Ok(url)
        } else {
            Err(JsValue::from_str("not the portal's service worker"))
        }
    });
    let rules = js_sys::Object::new();
    js_sys::Reflect::set(&rules, &"createScriptURL".into(), only_worker.as_ref()).ok()?;
    // The policy lives as long as the page (created once: `start` runs once).
    only_worker.forget();
    let policy = create_policy
        .call2(&factory, &TRUSTED_TYPES_POLICY.into(), &rules)
        .ok()?;
    let create_script_url = js_sys::Reflect::get(&policy, &"createScriptURL".into())
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    create_script_url.call1(&policy, &WORKER_URL.into()).ok()
}

/// Shows the "new version" banner when a new worker has installed while this page has an older one.
fn watch_for_updates(registration: &ServiceWorkerRegistration, container: &ServiceWorkerContainer) {
    let has_controller = {
        let container = container.clone();
        move || container.controller().is_some()
    };
    if registration.waiting().is_some() && has_controller() {
        STATE.with(|s| s.update_ready.set(true));
    }
    let watched = registration.clone();
    let on_update = Closure::<dyn Fn()>::new(move || {
        let Some(worker) = watched.installing() else {
            return;
        };
        let installing = worker.clone();
        let has_controller = has_controller.clone();
        let on_state = Closure::<dyn Fn()>::new(move || {
            // No controller means a first install: there is no older version to replace.
            if installing.state() == ServiceWorkerState::Installed && has_controller() {
                STATE.with(|s| s.update_ready.set(true));
            }
        });
        worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
        on_state.forget();
    });
    registration.set_onupdatefound(Some(on_update.as_ref().unchecked_ref()));
    on_update.forget();
}

/// Reload: the waiting worker takes over, then the page reloads on the new version.
fn activate_update() {
    STATE.with(|s| s.reloading.set(true));
    let waiting = STATE.with(|s| s.registration.borrow().as_ref().and_then(|r| r.waiting()));
    let Some(waiting) = waiting else {
        reload();
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"type".into(), &"skip-waiting".into());
    if waiting.post_message(&message).is_err() {
        reload();
        return;
    }
    leptos::task::spawn_local(async {
        TimeoutFuture::new(RELOAD_FALLBACK_MS).await;
        reload();
    });
}

// Install prompt ---------------------------------------------------------------------------

fn listen_for_install_prompt() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(early) = js_sys::Reflect::get(&window, &EARLY_PROMPT_PROPERTY.into()) {
        if early.is_object() {
            keep_prompt(early);
        }
    }
    let on_prompt = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        // Keep the browser's own banner away; the card offers this at a moment that makes sense.
        event.prevent_default();
        keep_prompt(event.into());
    });
    let _ = window.add_event_listener_with_callback(
        "beforeinstallprompt",
        on_prompt.as_ref().unchecked_ref(),
    );
    on_prompt.forget();
    let on_installed = Closure::<dyn Fn()>::new(|| {
        remember_install_done();
        STATE.with(|s| {
            s.install_offered.set(false);
            s.can_prompt.set(false);
            s.prompt.borrow_mut().take();
        });
    });
    let _ = window
        .add_event_listener_with_callback("appinstalled", on_installed.as_ref().unchecked_ref());
    on_installed.forget();
}

fn keep_prompt(event: JsValue) {
    STATE.with(|s| {
        *s.prompt.borrow_mut() = Some(event);
        s.can_prompt.set(true);
    });
}

/// Opens the browser's install dialog. Whatever the answer, the card is not offered again.
async fn prompt_install() {
    let Some(event) = STATE.with(|s| s.prompt.borrow_mut().take()) else {
        return;
    };
    STATE.with(|s| s.can_prompt.set(false));
    remember_install_done();
    let prompted = js_sys::Reflect::get(&event, &"prompt".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&event).ok());
    if let Some(promise) = prompted.and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
        let _ = JsFuture::from(promise).await;
    }
}

fn install_done() -> bool {
    local_storage()
        .and_then(|s| s.get_item(local_keys::INSTALL_PROMPT_DONE).ok().flatten())
        .is_some()
}

fn remember_install_done() {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(local_keys::INSTALL_PROMPT_DONE, "1");
    }
}

/// Opened from the home screen (or as an installed app).
fn is_standalone() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let display_mode = window
        .match_media("(display-mode: standalone)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    let ios_standalone = js_sys::Reflect::get(&window.navigator(), &"standalone".into())
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    display_mode || ios_standalone
}

/// An iPhone or iPad (iPadOS reports itself as a Mac with a touch screen).
fn is_apple_mobile() -> bool {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let agent = navigator.user_agent().unwrap_or_default();
    let platform = navigator.platform().unwrap_or_default();
    ["iPhone", "iPad", "iPod"].iter().any(|d| agent.contains(d))
        || (platform == "MacIntel" && navigator.max_touch_points() > 1)
}

// Push -------------------------------------------------------------------------------------

/// Whether dose reminders can reach this device while the app is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushState {
    /// This browser has no Web Push (or no service worker, as in Safari outside the home screen).
    Unsupported,
    /// Subscribed, and the backend has the subscription.
    On,
    /// Supported, but subscribing or registering it failed (offline, or the push service refused).
    Failed,
}

/// Subscribes this device to dose pushes and gives the subscription to the backend. Call once
/// notification permission is granted; renews a subscription made with an older key.
pub async fn subscribe_push(api: &Api) -> PushState {
    if !push_supported() {
        return PushState::Unsupported;
    }
    let Some(container) = service_workers() else {
        return PushState::Unsupported;
    };
    let Some(registration) = ready_registration(&container).await else {
        return PushState::Failed;
    };
    let Ok(manager) = registration.push_manager() else {
        return PushState::Unsupported;
    };
    let Ok(key) = api.push_public_key().await else {
        return PushState::Failed;
    };
    let Some(key) = base64url_bytes(&key.public_key) else {
        return PushState::Failed;
    };
    let subscription = match current_subscription(&manager).await {
        Some(existing) if subscribed_with(&existing, &key) => existing,
        existing => {
            if let Some(old) = existing {
                if let Ok(done) = old.unsubscribe() {
                    let _ = JsFuture::from(done).await;
                }
            }
            let options = PushSubscriptionOptionsInit::new();
            options.set_user_visible_only(true);
            options.set_application_server_key(&js_sys::Uint8Array::from(key.as_slice()));
            let Ok(request) = manager.subscribe_with_options(&options) else {
                return PushState::Failed;
            };
            match JsFuture::from(request)
                .await
                .map(|s| s.dyn_into::<PushSubscription>())
            {
                Ok(Ok(s)) => s,
                _ => return PushState::Failed,
            }
        }
    };
    let Some(input) = subscription_input(&subscription) else {
        return PushState::Failed;
    };
    match api.save_push_subscription(&input).await {
        Ok(()) => PushState::On,
        Err(_) => PushState::Failed,
    }
}

/// Stops dose pushes to this device: tells the backend (while the session still holds), then
/// ends the browser's subscription. Call from sign-out, before the session ends.
pub async fn forget_push_subscription(api: &Api) {
    let Some(container) = service_workers() else {
        return;
    };
    // Not `ready`: with no worker registered it would never settle.
    let Some(Ok(found)) = within(
        READY_TIMEOUT_MS,
        JsFuture::from(container.get_registration()),
    )
    .await
    else {
        return;
    };
    let Ok(registration) = found.dyn_into::<ServiceWorkerRegistration>() else {
        return;
    };
    let Ok(manager) = registration.push_manager() else {
        return;
    };
    let Some(subscription) = current_subscription(&manager).await else {
        return;
    };
    let _ = api.delete_push_subscription(&subscription.endpoint()).await;
    if let Ok(done) = subscription.unsubscribe() {
        let _ = JsFuture::from(done).await;
    }
}

fn push_supported() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &"PushManager".into()).unwrap_or(false)
}

async fn ready_registration(
    container: &ServiceWorkerContainer,
) -> Option<ServiceWorkerRegistration> {
    let ready = container.ready().ok()?;
    let registration = within(READY_TIMEOUT_MS, JsFuture::from(ready))
        .await?
        .ok()?;
    registration.dyn_into().ok()
}

async fn current_subscription(manager: &PushManager) -> Option<PushSubscription> {
    let found = JsFuture::from(manager.get_subscription().ok()?)
        .await
        .ok()?;
    found.dyn_into().ok()
}

fn subscribed_with(subscription: &PushSubscription, key: &[u8]) -> bool {
    subscription
        .options()
        .application_server_key()
        .ok()
        .flatten()
        .is_some_and(|k| js_sys::Uint8Array::new(&k).to_vec() == key)
}

/// The `toJSON()` shape the backend takes.
fn subscription_input(subscription: &PushSubscription) -> Option<PushSubscriptionInput> {
    let json = subscription.to_json().ok()?;
    let text = js_sys::JSON::stringify(&json).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// Decodes base64url (padding optional) with the browser's decoder.
fn base64url_bytes(text: &str) -> Option<Vec<u8>> {
    let mut standard: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !standard.len().is_multiple_of(4) {
        standard.push('=');
    }
    let binary = web_sys::window()?.atob(&standard).ok()?;
    binary
        .chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

/// The notification texts the worker fills in, in the current language (`pwa/sw.js`'s `ENGLISH`
/// has the same fields).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationTexts {
    lang: &'static str,
    title: &'static str,
    title_hidden: &'static str,
    title_generic: &'static str,
    body: &'static str,
    body_no_dose: &'static str,
    body_generic: &'static str,
    taken: &'static str,
    snooze: &'static str,
}

impl NotificationTexts {
    fn new(i18n: I18n) -> NotificationTexts {
        NotificationTexts {
            lang: i18n.language().tag(),
            title: i18n.t(Key::PushTitle),
            title_hidden: i18n.t(Key::PushTitleHidden),
            title_generic: i18n.t(Key::PushTitleGeneric),
            body: i18n.t(Key::PushBody),
            body_no_dose: i18n.t(Key::PushBodyNoDose),
            body_generic: i18n.t(Key::PushBodyGeneric),
            taken: i18n.t(Key::PushTaken),
            snooze: i18n.t(Key::PushSnooze),
        }
    }

    async fn store(self) {
        if let Ok(text) = serde_json::to_string(&self) {
            let _ = device_store::put(keys::NOTIFICATION_TEXT, &text).await;
        }
    }
}

/// Each reminder's dose in the current language, for the worker: the backend writes a push
/// before any device has read it, so its dose is in English ("2 tablets"). Reminders that hide
/// the medicine's name are left out, as their pushes leave out the dose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct NotificationDoses {
    lang: String,
    doses: std::collections::BTreeMap<String, DoseWording>,
}

/// One reminder's dose in words, with the amount and unit it was made from: the worker uses it
/// only for a push of that very dose, so a dose changed on another device since is never shown
/// as it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DoseWording {
    amount: String,
    unit: String,
    text: String,
}

/// Keeps [`keys::NOTIFICATION_DOSES`] in step with the reminders and the language (the Care
/// bundle calls this once, where the reminders live).
pub fn keep_notification_doses(data: ReminderData, i18n: I18n) {
    if service_workers().is_none() {
        return;
    }
    let doses = Memo::new(move |_| NotificationDoses {
        lang: i18n.language().tag().to_owned(),
        doses: data.reminders.with(|list| {
            list.iter()
                .filter(|r| !r.hide_name_in_calendar)
                .map(|r| {
                    let text = dose_text(i18n, &r.dose_amount, &r.dose_unit);
                    let (amount, unit) = (r.dose_amount.clone(), r.dose_unit.clone());
                    (r.id.clone(), DoseWording { amount, unit, text })
                })
                .collect()
        }),
    });
    Effect::new(move |_| {
        // None at all (signed out, or no reminders): nothing is left behind for sign-out to find.
        let text = doses.with(|d| (!d.doses.is_empty()).then(|| serde_json::to_string(d).ok()));
        leptos::task::spawn_local(async move {
            let _ = match text {
                Some(Some(text)) => device_store::put(keys::NOTIFICATION_DOSES, &text).await,
                Some(None) => Ok(()),
                None => device_store::delete(keys::NOTIFICATION_DOSES).await,
            };
        });
    });
}

/// Writes the stored doses' words anew in the current language, if they are in another.
async fn reword_notification_doses(i18n: I18n) {
    let _ = device_store::update(keys::NOTIFICATION_DOSES, move |stored| {
        let stored = stored?;
        let lang = i18n.language();
        let Ok(mut doses) = serde_json::from_str::<NotificationDoses>(&stored) else {
            // Unreadable: the worker would not use it either; Today writes it anew.
            return None;
        };
        if doses.lang == lang.tag() {
            return Some(stored);
        }
        doses.lang = lang.tag().to_owned();
        for wording in doses.doses.values_mut() {
            wording.text = dose_text(i18n, &wording.amount, &wording.unit);
        }
        serde_json::to_string(&doses).ok()
    })
    .await;
}

// Small helpers ----------------------------------------------------------------------------

/// The page's service worker container, in secure contexts of browsers that have one.
fn service_workers() -> Option<ServiceWorkerContainer> {
    let window = web_sys::window()?;
    if !window.is_secure_context() {
        return None;
    }
    let navigator = window.navigator();
    // Checked first: reading a missing `serviceWorker` through the binding would throw.
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return None;
    }
    Some(navigator.service_worker())
}

fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn reload() {
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
