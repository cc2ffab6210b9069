use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portal_core::api::Role;
use portal_core::navigation::Access;

use crate::api::use_api;
use crate::auth::{signed_out_address, use_auth};
use crate::components::focus::focus_id_later;
use crate::components::guard::Guarded;
use crate::components::page::PageTitle;
use crate::i18n::{tr, use_i18n, Key};
use crate::unsent::Unsent;

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
    let api = use_api();
    let busy = RwSignal::new(false);
    // What signing out would delete, while the person decides.
    let unsent = RwSignal::new(None::<Unsent>);
    let sign_out_now = {
        let api = api.clone();
        move || {
            let Some(api) = api.clone() else { return };
            busy.set(true);
            // Signed out on screen before the sign-in page opens, so it does not send a
            // signed-in person straight on; the private page is left before its guard reacts.
            auth.end_here(None);
            navigate(&signed_out_address(), Default::default());
            leptos::task::spawn_local(async move { auth.sign_out(&api, None).await });
        }
    };
    let sign_out = {
        let sign_out_now = sign_out_now.clone();
        move |_| {
            let Some(api) = api.clone() else { return };
            busy.set(true);
            let sign_out_now = sign_out_now.clone();
            // Not tied to the page: the answer decides whether the page stays.
            leptos::task::spawn_local(async move {
                let found = Unsent::before_sign_out(&api).await;
                if found.is_empty() {
                    sign_out_now();
                } else {
                    busy.try_set(false);
                    unsent.try_set(Some(found));
                    focus_id_later("unsent-title".to_owned());
                }
            });
        }
    };
    let stay = move |_| {
        unsent.set(None);
        focus_id_later("sign-out".to_owned());
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
                        {matches!(u.role, Role::Patient | Role::Caregiver).then(|| view! {
                            <p><A href="/ask/mine">{tr(Key::MineTitle)}</A></p>
                        })}
                    }
                })
        }}
        {move || match unsent.get() {
            None => view! {
                <button type="button" id="sign-out" class="button" on:click=sign_out.clone() disabled=move || busy.get()>
                    {tr(Key::SignOut)}
                </button>
            }
            .into_any(),
            Some(found) => {
                let sign_out_now = sign_out_now.clone();
                view! {
                    <section class="notice notice-urgent" aria-labelledby="unsent-title">
                        <h2 id="unsent-title" class="notice-title" tabindex="-1">{tr(Key::SignOutUnsentTitle)}</h2>
                        <p>{tr(Key::SignOutUnsentBody)}</p>
                        <ul>
                            {(found.doses > 0).then(|| view! {
                                <li>{move || i18n.fill(Key::SignOutUnsentDoses, &[("count", &found.doses.to_string())])}</li>
                            })}
                            {found.question.then(|| view! { <li>{tr(Key::SignOutUnsentQuestion)}</li> })}
                            {(found.edits > 0).then(|| view! {
                                <li>{move || i18n.fill(Key::SignOutUnsentEdits, &[("count", &found.edits.to_string())])}</li>
                            })}
                        </ul>
                        <div class="unsent-actions">
                            <button type="button" class="button button-primary" on:click=stay>
                                {tr(Key::StaySignedIn)}
                            </button>
                            <button type="button" class="button" disabled=move || busy.get() on:click=move |_| sign_out_now()>
                                {tr(Key::SignOutUnsentConfirm)}
                            </button>
                        </div>
                    </section>
                }
                .into_any()
            }
        }}
    }
}
