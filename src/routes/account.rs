use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portal_core::api::Role;
use portal_core::navigation::Access;

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::guard::Guarded;
use crate::components::page::PageTitle;
use crate::i18n::{tr, use_i18n, Key};

/// Who is signed in, and signing out. Signed-out visitors are sent to sign-in.
#[component]
pub fn Account() -> impl IntoView {
    view! {
        <Guarded access=Access::SignedIn>
            <AccountDetails />
        </Guarded>
    }
}

fn role_key(role: Role) -> Key {
    match role {
        Role::Patient => Key::RolePatient,
        Role::Caregiver => Key::RoleCaregiver,
        Role::Editor => Key::RoleEditor,
        Role::MedicalInformation => Key::RoleMedicalInformation,
    }
}

#[component]
fn AccountDetails() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        let Some(api) = use_api() else { return };
        busy.set(true);
        // Leave the private page first; its guard does not redirect once the location has moved on.
        navigate("/", Default::default());
        leptos::task::spawn_local(async move { auth.sign_out(&api, None).await });
    };
    let user = move || auth.session().map(|s| s.user);
    view! {
        <PageTitle title=Key::AccountTitle />
        {move || {
            user()
                .map(|u| {
                    view! {
                        <dl class="account-details">
                            <dt>{tr(Key::AccountName)}</dt>
                            <dd>{u.display_name}</dd>
                            <dt>{tr(Key::AccountEmail)}</dt>
                            <dd>{u.email}</dd>
                            <dt>{tr(Key::AccountRole)}</dt>
                            <dd>{move || i18n.t(role_key(u.role))}</dd>
                        </dl>
                    }
                })
        }}
        <button type="button" class="button" on:click=sign_out disabled=move || busy.get()>
            {tr(Key::SignOut)}
        </button>
    }
}
