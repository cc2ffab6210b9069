use leptos::html::Input;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use portal_core::api_error::ApiError;
use portal_core::navigation::safe_return_path;
use portal_core::sign_in::{
    check_sign_in, SignInProblem, MAX_EMAIL_LEN, MAX_PASSWORD_LEN, PAUSE_MINUTES,
};

use crate::api::use_api;
use crate::auth::{use_auth, SignedOutReason};
use crate::components::error_text::error_key;
use crate::components::field::{InputKind, TextField};
use crate::components::page::PageTitle;
use crate::device_store::session_storage;
use crate::i18n::{use_i18n, I18n, Key};

/// The email typed so far survives a reload in this tab (never the password).
const EMAIL_DRAFT_KEY: &str = "portal.sign-in.email";

const EMAIL: InputKind = InputKind {
    input_type: "email",
    autocomplete: "username",
    inputmode: Some("email"),
    max_len: MAX_EMAIL_LEN,
};
const PASSWORD: InputKind = InputKind {
    input_type: "password",
    autocomplete: "current-password",
    inputmode: None,
    max_len: MAX_PASSWORD_LEN,
};

fn problem_key(problem: SignInProblem) -> Key {
    match problem {
        SignInProblem::EmailMissing => Key::SignInEmailMissing,
        SignInProblem::EmailInvalid => Key::SignInEmailInvalid,
        SignInProblem::PasswordMissing => Key::SignInPasswordMissing,
    }
}

/// Email and password; afterwards back to the page that asked for sign-in.
#[component]
pub fn SignIn() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let query = use_query_map();
    let next = move || safe_return_path(query.read().get("next").as_deref());

    let email = RwSignal::new(
        session_storage()
            .and_then(|s| s.get_item(EMAIL_DRAFT_KEY).ok().flatten())
            .unwrap_or_default(),
    );
    let password = RwSignal::new(String::new());
    let email_problem = RwSignal::new(None::<Key>);
    let password_problem = RwSignal::new(None::<Key>);
    let form_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // The request runs under this page's owner, so leaving the page aborts it.
    let owner = Owner::current();
    let email_input = NodeRef::<Input>::new();
    let password_input = NodeRef::<Input>::new();

    Effect::new(move |_| {
        if let Some(storage) = session_storage() {
            // Nothing typed, nothing kept: an empty draft would outlive a sign-out's wipe.
            let typed = email.get();
            let _ = if typed.is_empty() {
                storage.remove_item(EMAIL_DRAFT_KEY)
            } else {
                storage.set_item(EMAIL_DRAFT_KEY, &typed)
            };
        }
    });

    // Someone already signed in (or who just signed in) goes on to where they were heading.
    let go_on = navigate.clone();
    Effect::new(move |_| {
        if auth.is_checked() && auth.session().is_some() {
            go_on(
                &next(),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        form_error.set(None);
        let (e, p) = check_sign_in(&email.get_untracked(), &password.get_untracked());
        email_problem.set(e.map(problem_key));
        password_problem.set(p.map(problem_key));
        if e.is_some() {
            if let Some(input) = email_input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        if p.is_some() {
            if let Some(input) = password_input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        let Some(api) = use_api() else { return };
        busy.set(true);
        let run = move || {
            leptos::task::spawn_local_scoped(async move {
                let result = auth
                    .sign_in(
                        &api,
                        email.get_untracked().trim().to_string(),
                        password.get_untracked(),
                    )
                    .await;
                busy.set(false);
                match result {
                    Ok(_) => {
                        if let Some(storage) = session_storage() {
                            let _ = storage.remove_item(EMAIL_DRAFT_KEY);
                        }
                    }
                    Err(error) => {
                        form_error.set(Some(error));
                    }
                }
            })
        };
        match &owner {
            Some(owner) => owner.with(run),
            None => run(),
        }
    };

    let reason = move || {
        let from_address = || {
            query
                .read()
                .get("signed-out")
                .and_then(|v| SignedOutReason::from_query_value(&v))
        };
        auth.reason().or_else(from_address).map(|r| match r {
            SignedOutReason::SessionExpired => i18n.t(Key::SignedOutExpired).to_owned(),
            SignedOutReason::Idle { minutes } => {
                i18n.fill(Key::SignedOutIdle, &[("minutes", &minutes.to_string())])
            }
            SignedOutReason::SignOutUnconfirmed => i18n.t(Key::SignOutUnconfirmed).to_owned(),
        })
    };
    // After Sign out on the account page: on a shared device, the person sees that it worked.
    let requested = move || {
        (query.read().get("signed-out").as_deref() == Some(crate::auth::SIGN_OUT_REQUESTED))
            .then(|| i18n.t(Key::SignedOutRequested).to_owned())
    };

    view! {
        <PageTitle title=Key::SignInTitle />
        {move || {
            let why = reason()
                .or_else(requested)
                .or_else(|| query.read().get("next").filter(|n| safe_return_path(Some(n)) != "/").map(|_| i18n.t(Key::SignInToContinue).to_owned()));
            why.map(|text| view! { <p class="notice" role="status">{text}</p> })
        }}
        <form class="form sign-in-form" on:submit=submit novalidate>
            <div class="form-error" role="alert">
                {move || form_error.get().map(|error| view! { <p>{error_text(i18n, &error)}</p> })}
            </div>
            <TextField id="sign-in-email" label=Key::SignInEmail kind=EMAIL value=email error=email_problem node_ref=email_input />
            <TextField
                id="sign-in-password"
                label=Key::SignInPassword
                kind=PASSWORD
                value=password
                error=password_problem
                node_ref=password_input
            />
            <button type="submit" class="button button-primary" aria-disabled=move || busy.get().to_string()>
                {move || if busy.get() { i18n.t(Key::SigningIn) } else { i18n.t(Key::SignInButton) }}
            </button>
        </form>
    }
}

/// From how many wrong tries left the message for a wrong password warns of the pause.
const WARN_AT_ATTEMPTS_LEFT: u32 = 2;

/// The message for a failed sign-in; after too many tries, with the whole minutes to wait
/// (rounded up) when the backend's `Retry-After` says.
fn error_text(i18n: I18n, error: &ApiError) -> String {
    match error {
        ApiError::Status {
            status: 429,
            retry_after_seconds: Some(seconds),
            ..
        } => {
            let minutes = seconds.div_ceil(60).max(1).to_string();
            i18n.fill(Key::ErrorRateLimitedMinutes, &[("minutes", &minutes)])
        }
        // A warning before the pause, not at the first typo.
        ApiError::Status {
            status: 401,
            problem,
            ..
        } if problem
            .attempts_left
            .is_some_and(|n| n <= WARN_AT_ATTEMPTS_LEFT) =>
        {
            let left = problem.attempts_left.unwrap_or(0);
            let minutes = PAUSE_MINUTES.to_string();
            let key = match left {
                0 => Key::ErrorInvalidCredentialsLast,
                n => i18n.plural(
                    Key::ErrorInvalidCredentialsLeftOne,
                    Key::ErrorInvalidCredentialsLeft,
                    u64::from(n),
                ),
            };
            i18n.fill(key, &[("count", &left.to_string()), ("minutes", &minutes)])
        }
        _ => i18n.t(error_key(error)).to_owned(),
    }
}
