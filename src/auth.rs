//! Who is signed in, signing in and out, and session expiry. The automatic sign-out when idle
//! lives in `components::idle_sign_out` and signs out through [`Auth::sign_out`] like everyone.

use leptos::prelude::*;
use portal_core::api::{Role, Session, SignInRequest};
use portal_core::api_error::ApiError;
use send_wrapper::SendWrapper;

use crate::api::Api;
use crate::device_store::{self, local_keys, KeptThroughClearSiteData};

/// Why a person was signed out without asking, told to them on the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignedOutReason {
    /// The backend ended the session (its idle timeout, or the 12-hour limit).
    SessionExpired,
    /// This many minutes passed without activity.
    Idle { minutes: u32 },
    /// The backend could not be told; the app keeps trying at the next start.
    SignOutUnconfirmed,
}

impl SignedOutReason {
    /// The reason as the sign-in page's `signed-out` query value: the sign-in page may belong to
    /// another bundle, a fresh page that knows nothing of this one's state.
    pub fn query_value(self) -> Option<String> {
        match self {
            SignedOutReason::SessionExpired => Some("expired".into()),
            SignedOutReason::Idle { minutes } => Some(format!("idle-{minutes}")),
            SignedOutReason::SignOutUnconfirmed => None,
        }
    }

    /// Reads [`SignedOutReason::query_value`] back. It comes from the address bar, so anything
    /// odd is ignored, and minutes beyond a day are not believed.
    pub fn from_query_value(value: &str) -> Option<SignedOutReason> {
        if value == "expired" {
            return Some(SignedOutReason::SessionExpired);
        }
        let minutes: u32 = value.strip_prefix("idle-")?.parse().ok()?;
        (1..=24 * 60)
            .contains(&minutes)
            .then_some(SignedOutReason::Idle { minutes })
    }
}

/// The sign-in page's `signed-out` value after a sign-out the person asked for, which that page
/// confirms. It is not a [`SignedOutReason`]: those are the sign-outs nobody asked for.
pub const SIGN_OUT_REQUESTED: &str = "requested";

/// Where a sign-out the person asked for lands.
pub fn signed_out_address() -> String {
    format!("/account/sign-in?signed-out={SIGN_OUT_REQUESTED}")
}

/// The sign-in page's address that brings a person back to `return_to` and, when they were signed
/// out without asking, says why.
pub fn sign_in_address(return_to: &str, reason: Option<SignedOutReason>) -> String {
    let url = portal_core::navigation::sign_in_url(return_to);
    match reason.and_then(SignedOutReason::query_value) {
        Some(why) => {
            let joint = if url.contains('?') { '&' } else { '?' };
            format!("{url}{joint}signed-out={why}")
        }
        None => url,
    }
}

/// Set while a sign-out has not been confirmed by the backend: the HttpOnly cookie can only be ended
/// there, so the next start finishes the job before anything else.
const SIGN_OUT_PENDING_KEY: &str = local_keys::SIGN_OUT_PENDING;

/// The sign-in state, shared through context. Copyable handles to signals.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    /// False until the first check with the backend has answered, so private pages wait instead of
    /// bouncing a signed-in person to the sign-in page on reload.
    checked: RwSignal<bool>,
    reason: RwSignal<Option<SignedOutReason>>,
    /// For the sign-out that follows a 401; `None` in tests that mount pages without a backend.
    api: StoredValue<Option<SendWrapper<Api>>>,
}

impl Auth {
    /// A state with nobody signed in and no check pending, for tests and for a fresh start.
    pub fn new(session: Option<Session>, checked: bool) -> Auth {
        Auth {
            session: RwSignal::new(session),
            checked: RwSignal::new(checked),
            reason: RwSignal::new(None),
            api: StoredValue::new(None),
        }
    }

    /// Shares the state and asks the backend who is signed in.
    pub fn provide(api: Api) -> Auth {
        let auth = Auth::new(None, false);
        auth.api.set_value(Some(SendWrapper::new(api.clone())));
        provide_context(auth);
        leptos::task::spawn_local(async move {
            if pending_sign_out() {
                // The last page may have been closed (or left for another bundle) mid-way.
                device_store::wipe_at_sign_out().await;
                // The backend's answer clears the device again (`Clear-Site-Data`).
                let kept = KeptThroughClearSiteData::read().await;
                let confirmed = end_backend_session(&api).await;
                kept.write_back().await;
                if !confirmed {
                    auth.reason.set(Some(SignedOutReason::SignOutUnconfirmed));
                    auth.checked.set(true);
                    return;
                }
            }
            let answer = match api.current_session().await {
                Ok(Some(session)) => {
                    remember_session(&session).await;
                    Ok(Some(session))
                }
                Err(ApiError::Network | ApiError::Timeout) => remembered_session()
                    .await
                    .map(Some)
                    .ok_or(ApiError::Network),
                other => other,
            };
            // A sign-in that finished while this check was on its way is newer: keep it.
            if auth.checked.get_untracked() {
                return;
            }
            let ended_meanwhile = matches!(answer, Ok(None))
                && local_storage()
                    .and_then(|s| s.get_item(local_keys::SESSION_ON_DEVICE).ok().flatten())
                    .is_some();
            if matches!(answer, Ok(Some(_))) {
                note_session_on_device();
            }
            if ended_meanwhile {
                // Before `checked`, so a private page's guard already has it for the sign-in page.
                auth.reason.set(Some(SignedOutReason::SessionExpired));
            }
            // Not signed in, or the backend is unreachable: either way nobody is signed in here.
            auth.session.set(answer.ok().flatten());
            auth.checked.set(true);
            if ended_meanwhile {
                // The session ended while the app was closed: what it left here goes now.
                auth.sign_out(&api, Some(SignedOutReason::SessionExpired))
                    .await;
            }
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

    /// Whether someone is signed in, without subscribing: for event handlers that run often.
    pub fn is_signed_in_untracked(self) -> bool {
        self.session.with_untracked(Option::is_some)
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
        note_session_on_device();
        remember_session(&session).await;
        self.reason.set(None);
        self.replace_session(Some(session.clone()));
        Ok(session)
    }

    /// The part of signing out that happens at once, before anything is awaited: nothing personal
    /// stays on screen, and pages that follow (such as the sign-in page) already see nobody signed
    /// in. [`Auth::sign_out`] starts with it; callers that navigate right away call it first.
    pub fn end_here(self, reason: Option<SignedOutReason>) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(SIGN_OUT_PENDING_KEY, "1");
        }
        self.session.set(None);
        self.reason.set(reason);
    }

    /// Signs out here at once, then tells the backend, retrying; a network failure must not keep a person
    /// signed in on screen, nor leave their session open on the backend without saying so.
    pub async fn sign_out(self, api: &Api, reason: Option<SignedOutReason>) {
        self.end_here(reason);
        // A question half-written, articles read, drafts being edited, reminders, cached files:
        // none of it outlives the session on this device. Doses logged offline get one last chance
        // to reach the backend first.
        crate::reminder_data::flush_outbox(api).await;
        // Dose pushes stop reaching this device (the backend is told while the session holds).
        crate::pwa::forget_push_subscription(api).await;
        device_store::wipe_at_sign_out().await;
        // Submitted inquiries still on their way are the one exception: they are delivered without
        // a session, and one may report a side effect that drug safety must receive. The backend's
        // `Clear-Site-Data` deletes them with everything else, so they are written back after.
        let kept = KeptThroughClearSiteData::read().await;
        let confirmed = end_backend_session(api).await;
        kept.write_back().await;
        if !confirmed {
            self.reason.set(Some(SignedOutReason::SignOutUnconfirmed));
        }
    }

    /// Call with any API error: when the backend says the session is gone (idle on the server, or
    /// past its 12-hour limit), the app signs out the usual way, wiping the device, and says why.
    pub fn notice_error(self, error: &ApiError) {
        if error.is_unauthenticated() {
            self.ended_on_backend();
        }
    }

    /// What asking the backend who is signed in found: nobody, or a 401, ends the session here.
    pub fn notice_session_check(self, answer: &Result<Option<Session>, ApiError>) {
        match answer {
            Ok(Some(_)) => {}
            Ok(None) => self.ended_on_backend(),
            Err(error) => self.notice_error(error),
        }
    }

    fn ended_on_backend(self) {
        if !self.is_signed_in_untracked() {
            return;
        }
        match self.api.get_value() {
            Some(api) => {
                // Synchronously, so nothing personal stays on screen while the wipe runs.
                self.end_here(Some(SignedOutReason::SessionExpired));
                leptos::task::spawn_local(async move {
                    self.sign_out(&api, Some(SignedOutReason::SessionExpired))
                        .await
                });
            }
            None => self.end_here(Some(SignedOutReason::SessionExpired)),
        }
    }
}

async fn remember_session(session: &Session) {
    if let Ok(text) = serde_json::to_string(session) {
        let _ = device_store::put(device_store::keys::SESSION, &text).await;
    }
}

/// The session last confirmed on this device, while the backend cannot be reached. Only where a
/// session is known to be open here: a sign-out elsewhere is noticed at the next answer.
async fn remembered_session() -> Option<Session> {
    local_storage()?
        .get_item(local_keys::SESSION_ON_DEVICE)
        .ok()
        .flatten()?;
    let text = device_store::get(device_store::keys::SESSION)
        .await
        .ok()??;
    serde_json::from_str(&text).ok()
}

fn note_session_on_device() {
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(local_keys::SESSION_ON_DEVICE, "1");
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

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
