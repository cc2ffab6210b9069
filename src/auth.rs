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
}

/// The sign-in state, shared through context. Copyable handles to signals.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    /// False until the first check with the backend has answered, so private pages wait instead of
    /// bouncing a signed-in person to the sign-in page on reload.
    checked: RwSignal<bool>,
    reason: RwSignal<Option<SignedOutReason>>,
}

impl Auth {
    /// A state with nobody signed in and no check pending, for tests and for a fresh start.
    pub fn new(session: Option<Session>, checked: bool) -> Auth {
        Auth {
            session: RwSignal::new(session),
            checked: RwSignal::new(checked),
            reason: RwSignal::new(None),
        }
    }

    /// Shares the state and asks the backend who is signed in.
    pub fn provide(api: Api) -> Auth {
        let auth = Auth::new(None, false);
        provide_context(auth);
        leptos::task::spawn_local(async move {
            match api.current_session().await {
                Ok(session) => auth.session.set(Some(session)),
                // Not signed in, or the backend is unreachable: either way nobody is signed in here.
                Err(_) => auth.session.set(None),
            }
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
        self.reason.set(None);
        self.replace_session(Some(session.clone()));
        Ok(session)
    }

    /// Signs out here at once, then tells the backend; a network failure must not keep a person signed in on screen.
    pub async fn sign_out(self, api: &Api, reason: Option<SignedOutReason>) {
        self.session.set(None);
        self.reason.set(reason);
        let _ = api.sign_out().await;
    }

    /// Call with any API error: when the backend says the session is gone, the app follows.
    pub fn notice_error(self, error: &ApiError) {
        if error.is_unauthenticated() && self.session.with_untracked(Option::is_some) {
            self.session.set(None);
            self.reason.set(Some(SignedOutReason::SessionExpired));
        }
    }
}

pub fn use_auth() -> Auth {
    use_context::<Auth>().unwrap_or_else(|| Auth::new(None, true))
}

/// Signs a person out after `minutes` without a key press, tap or pointer move, so a shared or lost
/// phone does not stay open on health data.
pub fn watch_idle(auth: Auth, api: Api, minutes: u32) {
    let last_activity = StoredValue::new(js_sys::Date::now());
    let touch = move || last_activity.set_value(js_sys::Date::now());
    let handles = [
        window_event_listener(leptos::ev::keydown, move |_| touch()),
        window_event_listener(leptos::ev::pointerdown, move |_| touch()),
        window_event_listener(leptos::ev::scroll, move |_| touch()),
    ];
    let limit_ms = f64::from(minutes) * 60_000.0;
    let interval = set_interval_with_handle(
        move || {
            let idle = js_sys::Date::now() - last_activity.get_value();
            if idle >= limit_ms && auth.session.with_untracked(Option::is_some) {
                let api = api.clone();
                leptos::task::spawn_local(async move {
                    auth.sign_out(&api, Some(SignedOutReason::Idle)).await
                });
            }
        },
        std::time::Duration::from_secs(15),
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
