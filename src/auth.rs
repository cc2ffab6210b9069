//! Who is signed in, signing in and out, session expiry and the automatic sign-out when idle.

use leptos::prelude::*;
use portal_core::api::{Role, Session, SignInRequest};
use portal_core::api_error::ApiError;

use crate::api::Api;

/// Why a person was signed out without asking, told to them on the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutReason {
    SessionExpired,
    Idle,
    /// The backend could not be told; the app keeps trying at the next start.
    SignOutUnconfirmed,
}

/// Set while a sign-out has not been confirmed by the backend: the HttpOnly cookie can only be ended
/// there, so the next start finishes the job before anything else.
const SIGN_OUT_PENDING_KEY: &str = "portal.sign-out-pending";

/// The sign-in state, shared through context. Copyable handles to signals.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    /// False until the first check with the backend has answered, so private pages wait instead of
    /// bouncing a signed-in person to the sign-in page on reload.
    checked: RwSignal<bool>,
    reason: RwSignal<Option<SignedOutReason>>,
    /// True in the last minute before the automatic sign-out.
    idle_warning: RwSignal<bool>,
}

impl Auth {
    /// A state with nobody signed in and no check pending, for tests and for a fresh start.
    pub fn new(session: Option<Session>, checked: bool) -> Auth {
        Auth {
            session: RwSignal::new(session),
            checked: RwSignal::new(checked),
            reason: RwSignal::new(None),
            idle_warning: RwSignal::new(false),
        }
    }

    /// Shares the state and asks the backend who is signed in.
    pub fn provide(api: Api) -> Auth {
        let auth = Auth::new(None, false);
        provide_context(auth);
        leptos::task::spawn_local(async move {
            if pending_sign_out() && !end_backend_session(&api).await {
                auth.reason.set(Some(SignedOutReason::SignOutUnconfirmed));
                auth.checked.set(true);
                return;
            }
            let answer = api.current_session().await;
            // A sign-in that finished while this check was on its way is newer: keep it.
            if auth.checked.get_untracked() {
                return;
            }
            // Not signed in, or the backend is unreachable: either way nobody is signed in here.
            auth.session.set(answer.ok());
            auth.checked.set(true);
        });
        auth
    }

    pub fn session(self) -> Option<Session> {
        self.session.get()
    }

    pub fn role(self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.user.role))
    }

    pub fn is_checked(self) -> bool {
        self.checked.get()
    }

    pub fn reason(self) -> Option<SignedOutReason> {
        self.reason.get()
    }

    /// Sets who is signed in, as a successful sign-in does.
    pub fn replace_session(self, session: Option<Session>) {
        self.session.set(session);
        self.checked.set(true);
    }

    pub async fn sign_in(
        self,
        api: &Api,
        email: String,
        password: String,
    ) -> Result<Session, ApiError> {
        let session = api.sign_in(&SignInRequest { email, password }).await?;
        // The new cookie replaced the one a failed sign-out left behind; ending it at the next start
        // would sign this person out.
        if let Some(storage) = local_storage() {
            let _ = storage.remove_item(SIGN_OUT_PENDING_KEY);
        }
        self.reason.set(None);
        self.replace_session(Some(session.clone()));
        Ok(session)
    }

    /// Signs out here at once, then tells the backend, retrying; a network failure must not keep a person
    /// signed in on screen, nor leave their session open on the backend without saying so.
    pub async fn sign_out(self, api: &Api, reason: Option<SignedOutReason>) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(SIGN_OUT_PENDING_KEY, "1");
        }
        self.session.set(None);
        self.reason.set(reason);
        // A question half-written, articles read, drafts being edited, reminders: none of it
        // outlives the session on this device. Submitted inquiries in the outbox are still
        // delivered; doses logged offline get one last chance to reach the backend first.
        crate::reminder_data::flush_outbox(api).await;
        for key in crate::device_store::keys::PERSONAL {
            let _ = crate::device_store::delete(key).await;
        }
        if !end_backend_session(api).await {
            self.reason.set(Some(SignedOutReason::SignOutUnconfirmed));
        }
    }

    pub fn idle_warning(self) -> bool {
        self.idle_warning.get()
    }

    /// Call with any API error: when the backend says the session is gone, the app follows.
    pub fn notice_error(self, error: &ApiError) {
        if error.is_unauthenticated() && self.session.with_untracked(Option::is_some) {
            self.session.set(None);
            self.reason.set(Some(SignedOutReason::SessionExpired));
        }
    }
}

fn pending_sign_out() -> bool {
    local_storage()
        .and_then(|s| s.get_item(SIGN_OUT_PENDING_KEY).ok().flatten())
        .is_some()
}

/// Ends the session on the backend, trying three times; true once the backend has confirmed it.
async fn end_backend_session(api: &Api) -> bool {
    for wait_ms in [0, 1_000, 3_000] {
        gloo_timers::future::TimeoutFuture::new(wait_ms).await;
        if api.sign_out().await.is_ok() {
            if let Some(storage) = local_storage() {
                let _ = storage.remove_item(SIGN_OUT_PENDING_KEY);
            }
            return true;
        }
    }
    false
}

pub fn use_auth() -> Auth {
    use_context::<Auth>().unwrap_or_else(|| Auth::new(None, true))
}

/// The last activity in any tab of this portal, so a forgotten background tab does not sign out a
/// person who is busy in another one. A timestamp only: no personal data.
const LAST_ACTIVITY_KEY: &str = "portal.last-activity";
/// How long before the automatic sign-out the warning appears (WCAG 2.2.1 asks for at least 20 s).
const IDLE_WARNING_MS: f64 = 60_000.0;

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whole milliseconds: formatting and parsing floats would add their sizeable machinery to the bundle.
fn shared_last_activity() -> Option<f64> {
    let text = local_storage()?
        .get_item(LAST_ACTIVITY_KEY)
        .ok()
        .flatten()?;
    text.parse::<i64>().ok().map(|ms| ms as f64)
}

/// Signs a person out after `minutes` without activity in any tab, warning them a minute before, so a
/// shared or lost phone does not stay open on health data.
pub fn watch_idle(auth: Auth, api: Api, minutes: u32) {
    let last_activity = StoredValue::new(js_sys::Date::now());
    let last_shared = StoredValue::new(0.0_f64);
    let touch = move || {
        let now = js_sys::Date::now();
        last_activity.set_value(now);
        // Writing storage on every pointer move would be wasteful; every few seconds is precise enough.
        if now - last_shared.get_value() > 5_000.0 {
            last_shared.set_value(now);
            if let Some(storage) = local_storage() {
                let _ = storage.set_item(LAST_ACTIVITY_KEY, &(now as i64).to_string());
            }
        }
        if auth.idle_warning.get_untracked() {
            auth.idle_warning.set(false);
        }
    };
    touch();
    let handles = [
        window_event_listener(leptos::ev::keydown, move |_| touch()),
        window_event_listener(leptos::ev::pointerdown, move |_| touch()),
        window_event_listener(leptos::ev::pointermove, move |_| touch()),
        window_event_listener(leptos::ev::input, move |_| touch()),
        window_event_listener(leptos::ev::focusin, move |_| touch()),
        window_event_listener(leptos::ev::scroll, move |_| touch()),
    ];
    let limit_ms = f64::from(minutes) * 60_000.0;
    let interval = set_interval_with_handle(
        move || {
            if auth.session.with_untracked(Option::is_none) {
                return;
            }
            let last = shared_last_activity()
                .unwrap_or(0.0)
                .max(last_activity.get_value());
            let idle = js_sys::Date::now() - last;
            if idle >= limit_ms {
                auth.idle_warning.set(false);
                let api = api.clone();
                leptos::task::spawn_local(async move {
                    auth.sign_out(&api, Some(SignedOutReason::Idle)).await
                });
            } else {
                let warn = idle >= limit_ms - IDLE_WARNING_MS;
                if warn != auth.idle_warning.get_untracked() {
                    auth.idle_warning.set(warn);
                }
            }
        },
        std::time::Duration::from_secs(5),
    );
    on_cleanup(move || {
        for h in handles {
            h.remove();
        }
        if let Ok(i) = interval {
            i.clear();
        }
    });
}
