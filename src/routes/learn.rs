use leptos::prelude::*;

use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};

/// Educational pages about conditions and medicines.
#[component]
pub fn Learn() -> impl IntoView {
    view! {
        <PageTitle title=Key::LearnTitle />
        <p class="lead">{tr(Key::LearnIntro)}</p>
        <p>{tr(Key::LearnDoctorNote)}</p>
    }
}
