//! Keeps private pages private: signed-out people go to sign-in (and come back), wrong roles see why.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use portal_core::navigation::{Access, Gate};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};

#[component]
pub fn Guarded(access: Access, children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    let location = use_location();
    let navigate = use_navigate();
    // A page the backend wrote out stays until the app knows whether to show this one.
    let first_paint = crate::first_paint::hold();
    let gate = Memo::new(move |_| {
        auth.is_checked().then(|| {
            // Untracked: the gate depends on who is signed in. Tracking the location would re-run it
            // on the sign-in page after the redirect and lose the way back.
            // The router's `search` comes without its `?`.
            let search = location.search.get_untracked();
            let here = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            access.gate(auth.role(), &here)
        })
    });
    // The router changes the location a moment before it removes the old page; a guard whose page is
    // being left (say, after signing out) must not send the person to sign-in.
    let guarded_path = location.pathname.get_untracked();
    Effect::new(move |_| {
        let still_here = location.pathname.get_untracked() == guarded_path;
        if let (Some(Gate::SignIn { return_to }), true) = (gate.get(), still_here) {
            // Signed out without asking (idle, or the session ended): the sign-in page says why.
            navigate(
                &crate::auth::sign_in_address(&return_to, untrack(|| auth.reason())),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    // Opening a private page confirms the session with the backend (which also keeps it alive), so
    // a session that ended elsewhere is explained on the sign-in page instead of failing later.
    Effect::new(move |confirmed: Option<bool>| {
        let show = gate.get() == Some(Gate::Show);
        if show && confirmed != Some(true) && access != Access::Public {
            if let Some(api) = use_api() {
                // Scoped to this effect: leaving the page aborts the request.
                leptos::task::spawn_local_scoped(async move {
                    auth.notice_session_check(&api.current_session().await);
                });
            }
        }
        show
    });
    Effect::new(move |_| {
        if gate.get().is_some() {
            first_paint.release();
        }
    });
    move || match gate.get() {
        Some(Gate::Show) => children().into_any(),
        Some(Gate::Forbidden) => view! { <Forbidden /> }.into_any(),
        Some(Gate::SignIn { .. }) | None => {
            view! { <p class="status" role="status">{tr(Key::CheckingSignIn)}</p> }.into_any()
        }
    }
}

/// For signed-in people whose role does not open this page.
#[component]
fn Forbidden() -> impl IntoView {
    view! {
        <PageTitle title=Key::ForbiddenTitle />
        <p>{tr(Key::ForbiddenBody)}</p>
        <p><a href="/">{tr(Key::BackToHome)}</a></p>
    }
}
