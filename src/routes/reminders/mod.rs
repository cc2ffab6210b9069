use leptos::prelude::*;

use crate::auth::use_auth;
use crate::components::page::PageTitle;
use crate::i18n::{tr, use_i18n, Key};

/// Medication reminders for the people a caregiver looks after. Signed-in only.
#[component]
pub fn Reminders() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let name = move || {
        auth.session()
            .map(|s| s.user.display_name)
            .unwrap_or_default()
    };
    view! {
        <PageTitle title=Key::RemindersTitle />
        <p class="lead">{move || i18n.fill(Key::RemindersIntro, &[("name", &name())])}</p>
        <p>{tr(Key::RemindersDeliveryNote)}</p>
    }
}
