use leptos::prelude::*;

use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};

/// The content team's workspace: drafts previewed as patients will see them. Editors only.
#[component]
pub fn Studio() -> impl IntoView {
    view! {
        <PageTitle title=Key::StudioTitle />
        <p class="lead">{tr(Key::StudioIntro)}</p>
    }
}
