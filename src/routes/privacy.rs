use leptos::prelude::*;

use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};

/// What the portal keeps, where, and for how long.
#[component]
pub fn Privacy() -> impl IntoView {
    view! {
        <PageTitle title=Key::PrivacyTitle />
        <p class="lead">{tr(Key::PrivacyIntro)}</p>
        <ul>
            <li>{tr(Key::PrivacyCookie)}</li>
            <li>{tr(Key::PrivacyDevice)}</li>
            <li>{tr(Key::PrivacyIdle)}</li>
            <li>{tr(Key::PrivacyThirdParty)}</li>
        </ul>
    }
}
