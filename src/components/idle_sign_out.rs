//! The automatic sign-out: after a stretch without activity (15 minutes unless the backend or the
//! deployment says less) a signed-in person is signed out, so a shared or lost phone does not stay
//! open on health data. Two minutes before, a dialog warns them and lets them stay.
//!
//! Time is wall-clock time (`Date.now()`), checked every 15 seconds and when the page becomes
//! visible again, so a phone that slept past the limit signs out the moment it wakes instead of
//! trusting timers the browser paused. Activity in any tab of the portal counts (a timestamp in
//! localStorage, no personal data), and while someone is active the backend's own idle timer is
//! kept in step by an occasional session check, so neither side ends the session before the other.
//!
//! Mount once, inside the router: `<IdleSignOut />`.

use std::time::Duration;

use leptos::html::{Button, Dialog};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use portal_core::api::RuntimeConfig;
use portal_core::idle::{countdown, idle_state, limit_ms, IdleState};
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{use_api, Api};
use crate::auth::{sign_in_address, use_auth, Auth, SignedOutReason};
use crate::i18n::{tr, use_i18n, Key};

/// The last activity in any tab of this portal, in whole milliseconds since the epoch.
const LAST_ACTIVITY_KEY: &str = "portal.last-activity";
/// How often the idle time is checked while nothing is shown.
const CHECK_EVERY: Duration = Duration::from_secs(15);
/// Activity closer together than this is the same activity: handlers return at once.
const THROTTLE_MS: i64 = 1_000;
/// How often the shared timestamp in localStorage is written at most.
const SHARE_EVERY_MS: i64 = 5_000;
/// The longest the backend's idle timer may lag behind activity here before a session check
/// refreshes it (shorter for short limits, so the backend never ends the session first).
const SERVER_REFRESH_MS: i64 = 5 * 60_000;
const SIGN_IN_PATH: &str = "/account/sign-in";

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn shared_last_activity() -> Option<i64> {
    local_storage()?
        .get_item(LAST_ACTIVITY_KEY)
        .ok()
        .flatten()?
        .parse()
        .ok()
}

fn share_activity(at_ms: i64) {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(LAST_ACTIVITY_KEY, &at_ms.to_string());
    }
}

/// Watches for inactivity while someone is signed in, shows the warning, and signs out.
#[component]
pub fn IdleSignOut() -> impl IntoView {
    let auth = use_auth();
    // Without a backend (component tests of single pages) there is no session to end.
    let Some(api) = use_api() else {
        return ().into_any();
    };
    let config_minutes = use_context::<RuntimeConfig>()
        .map(|c| c.idle_sign_out_minutes)
        .unwrap_or(0);
    // The backend's idle timeout comes with the session, so both sides count the same minutes.
    let limit = Memo::new(move |_| {
        auth.session()
            .map(|s| limit_ms(s.idle_timeout_seconds, config_minutes))
    });

    let watch = Watch {
        auth,
        api: StoredValue::new(SendWrapper::new(api)),
        limit,
        last_activity: StoredValue::new(now_ms()),
        last_shared: StoredValue::new(0),
        server_refreshed: StoredValue::new(now_ms()),
        remaining: RwSignal::new(None),
        signed_out_from_warning: StoredValue::new(false),
    };

    // A new session starts the clock afresh (the sign-in itself was activity, and the backend's
    // idle timer starts with it).
    Effect::new(move |was_signed_in: Option<bool>| {
        let signed_in = limit.get().is_some();
        if signed_in && was_signed_in != Some(true) {
            watch.record_activity(true);
            watch.server_refreshed.set_value(now_ms());
        }
        if !signed_in {
            watch.remaining.set(None);
        }
        signed_in
    });

    watch.follow_sign_outs();
    let listeners = watch.listen_for_activity();
    let checks = set_interval_with_handle(move || watch.check(), CHECK_EVERY).ok();
    // While the warning shows, its countdown moves every second (and the sign-out is on time).
    let open = Memo::new(move |_| watch.remaining.get().is_some());
    let countdown_ticks = StoredValue::new(None::<IntervalHandle>);
    Effect::new(move |_| {
        if let Some(ticks) = countdown_ticks.get_value() {
            ticks.clear();
        }
        let ticks = open
            .get()
            .then(|| set_interval_with_handle(move || watch.check(), Duration::from_secs(1)).ok())
            .flatten();
        countdown_ticks.set_value(ticks);
    });
    on_cleanup(move || {
        drop(listeners);
        if let Some(checks) = checks {
            checks.clear();
        }
        if let Some(ticks) = countdown_ticks.get_value() {
            ticks.clear();
        }
    });

    view! { <IdleWarning watch open /> }.into_any()
}

/// The state the watcher's handlers share. Copyable handles.
#[derive(Clone, Copy)]
struct Watch {
    auth: Auth,
    api: StoredValue<SendWrapper<Api>>,
    /// The idle limit in milliseconds; `None` while nobody is signed in.
    limit: Memo<Option<i64>>,
    last_activity: StoredValue<i64>,
    last_shared: StoredValue<i64>,
    /// When the backend's idle timer was last refreshed from here.
    server_refreshed: StoredValue<i64>,
    /// Milliseconds left while the warning shows.
    remaining: RwSignal<Option<i64>>,
    /// "Sign out now" was pressed in the warning.
    signed_out_from_warning: StoredValue<bool>,
}

impl Watch {
    /// Notes activity. While the warning shows, only its buttons count (`force`), so a stray
    /// touch or the Tab key moving between them does not make the choice for the person.
    fn record_activity(self, force: bool) {
        if !self.auth.is_signed_in_untracked() {
            return;
        }
        let now = now_ms();
        if !force
            && (now - self.last_activity.get_value() < THROTTLE_MS
                || self.remaining.get_untracked().is_some())
        {
            return;
        }
        self.last_activity.set_value(now);
        if force || now - self.last_shared.get_value() >= SHARE_EVERY_MS {
            self.last_shared.set_value(now);
            share_activity(now);
        }
    }

    /// Compares the idle time with the limit and acts on it.
    fn check(self) {
        let Some(limit) = self.limit.get_untracked() else {
            return;
        };
        if !self.auth.is_signed_in_untracked() {
            return;
        }
        let now = now_ms();
        let last = shared_last_activity()
            .unwrap_or(0)
            .max(self.last_activity.get_value());
        match idle_state(now, last, limit) {
            IdleState::Active => {
                // Activity in another tab ends the warning here too.
                if self.remaining.get_untracked().is_some() {
                    self.remaining.set(None);
                }
                let refresh_every = SERVER_REFRESH_MS.min(limit / 3);
                let since_refresh = now - self.server_refreshed.get_value();
                if last > self.server_refreshed.get_value() && since_refresh >= refresh_every {
                    self.refresh_server();
                }
            }
            IdleState::Warning { remaining_ms } => self.remaining.set(Some(remaining_ms)),
            IdleState::SignOut => {
                let minutes = u32::try_from((limit + 59_999) / 60_000).unwrap_or(u32::MAX);
                self.sign_out(Some(SignedOutReason::Idle { minutes }));
            }
        }
    }

    /// A cheap authenticated request: the backend slides its idle expiry along. Nobody signed in
    /// means the backend ended the session already (say, at its 12-hour limit): the app signs out.
    fn refresh_server(self) {
        self.server_refreshed.set_value(now_ms());
        let api = self.api.get_value();
        let auth = self.auth;
        leptos::task::spawn_local(async move {
            auth.notice_session_check(&api.current_session().await);
        });
    }

    fn stay(self) {
        self.remaining.set(None);
        self.record_activity(true);
        self.refresh_server();
    }

    /// Signs out through the same path as the Sign out button. The screen clears at once; the
    /// wipe and the backend follow.
    fn sign_out(self, reason: Option<SignedOutReason>) {
        if !self.auth.is_signed_in_untracked() {
            return;
        }
        self.signed_out_from_warning.set_value(reason.is_none());
        self.remaining.set(None);
        self.auth.end_here(reason);
        let api = self.api.get_value();
        let auth = self.auth;
        leptos::task::spawn_local(async move { auth.sign_out(&api, reason).await });
    }

    /// Shows the sign-in page, with the reason, whenever a session ends without the person asking
    /// (idle here, or ended by the backend), from whatever page they were on: a private page must
    /// not stay on screen, and they can pick up where they were after signing in again.
    fn follow_sign_outs(self) {
        let navigate = use_navigate();
        let location = use_location();
        Effect::new(move |was_signed_in: Option<bool>| {
            let signed_in = self.auth.session().is_some();
            let reason = untrack(|| self.auth.reason());
            let unasked = reason.and_then(SignedOutReason::query_value).is_some();
            let path = location.pathname.get_untracked();
            // A private page's guard may have sent the person to sign in already.
            if was_signed_in == Some(true) && !signed_in && path != SIGN_IN_PATH {
                let target = if unasked {
                    // The router's `search` comes without its `?`.
                    let search = location.search.get_untracked();
                    let here = if search.is_empty() {
                        path.clone()
                    } else {
                        format!("{path}?{search}")
                    };
                    Some(sign_in_address(&here, reason))
                } else {
                    // "Sign out now" in the warning: the sign-in page, without a way back.
                    self.signed_out_from_warning
                        .get_value()
                        .then(|| SIGN_IN_PATH.to_owned())
                };
                if let Some(target) = target {
                    navigate(
                        &target,
                        NavigateOptions {
                            replace: true,
                            ..Default::default()
                        },
                    );
                }
            }
            if !signed_in {
                self.signed_out_from_warning.set_value(false);
            }
            signed_in
        });
    }

    /// Listens for what counts as activity. Handlers only compare two numbers most of the time.
    fn listen_for_activity(self) -> SendWrapper<Vec<Listener>> {
        let mut listeners = Vec::new();
        let Some(window) = web_sys::window() else {
            return SendWrapper::new(listeners);
        };
        for name in ["pointerdown", "keydown"] {
            listeners.extend(Listener::add(&window, name, false, move || {
                self.record_activity(false)
            }));
        }
        // Passive: never delays scrolling. Capture: scrolling inside any element counts too.
        for name in ["touchstart", "scroll"] {
            listeners.extend(Listener::add(&window, name, true, move || {
                self.record_activity(false)
            }));
        }
        if let Some(document) = window.document() {
            let visible_again = document.clone();
            listeners.extend(Listener::add(
                &document,
                "visibilitychange",
                true,
                move || {
                    if visible_again.visibility_state() == web_sys::VisibilityState::Visible {
                        // Check first: a phone woken after the limit signs out, not in again.
                        self.check();
                        self.record_activity(false);
                    }
                },
            ));
        }
        SendWrapper::new(listeners)
    }
}

/// An event listener that removes itself when dropped.
struct Listener {
    target: web_sys::EventTarget,
    name: &'static str,
    capture: bool,
    callback: Closure<dyn Fn()>,
}

impl Listener {
    /// `passive` listeners are also added in the capture phase, so events that do not bubble
    /// (scrolling inside an element) reach them.
    fn add(
        target: &web_sys::EventTarget,
        name: &'static str,
        passive: bool,
        f: impl Fn() + 'static,
    ) -> Option<Listener> {
        let callback = Closure::<dyn Fn()>::new(f);
        let options = web_sys::AddEventListenerOptions::new();
        options.set_passive(passive);
        options.set_capture(passive);
        target
            .add_event_listener_with_callback_and_add_event_listener_options(
                name,
                callback.as_ref().unchecked_ref(),
                &options,
            )
            .ok()?;
        Some(Listener {
            target: target.clone(),
            name,
            capture: passive,
            callback,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.name,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// The warning: a modal dialog (the rest of the page is inert while it shows) announced once
/// when it opens. Its countdown is a timer, which screen readers do not announce on every change.
#[component]
fn IdleWarning(watch: Watch, open: Memo<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let api = crate::api::use_api();
    let dialog = NodeRef::<Dialog>::new();
    let stay_button = NodeRef::<Button>::new();
    // Whether signing out would delete something not sent yet, which the warning then says.
    let unsent = RwSignal::new(false);
    Effect::new(move |_| {
        let (Some(dialog), should_show) = (dialog.get(), open.get()) else {
            return;
        };
        if should_show && !dialog.open() {
            if let Some(api) = api.clone() {
                leptos::task::spawn_local(async move {
                    let found = crate::unsent::Unsent::before_sign_out(&api).await;
                    unsent.try_set(!found.is_empty());
                });
            }
            if dialog.show_modal().is_ok() {
                if let Some(button) = stay_button.get_untracked() {
                    let _ = button.focus();
                }
            }
        } else if !should_show && dialog.open() {
            // Focus goes back where it was before the dialog opened.
            dialog.close();
        }
    });
    let time_left = move || {
        let left = countdown(watch.remaining.get().unwrap_or(0));
        i18n.fill(Key::IdleCountdown, &[("time", &left)])
    };
    view! {
        <dialog
            node_ref=dialog
            class="idle-dialog"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="idle-title"
            aria-describedby="idle-body idle-unsent idle-time"
            // Escape closes a dialog: here that means "I am still here".
            on:cancel=move |ev: web_sys::Event| {
                ev.prevent_default();
                watch.stay();
            }
        >
            <h2 id="idle-title">{tr(Key::IdleWarningTitle)}</h2>
            <p id="idle-body">{tr(Key::IdleWarningBody)}</p>
            {move || unsent.get().then(|| view! { <p id="idle-unsent" class="idle-unsent">{tr(Key::IdleUnsent)}</p> })}
            <p id="idle-time" class="idle-time" role="timer">{time_left}</p>
            <div class="idle-actions">
                <button
                    type="button"
                    class="button button-primary"
                    node_ref=stay_button
                    on:click=move |_| watch.stay()
                >
                    {tr(Key::StaySignedIn)}
                </button>
                <button type="button" class="button" on:click=move |_| watch.sign_out(None)>
                    {tr(Key::IdleSignOutNow)}
                </button>
            </div>
        </dialog>
    }
}
