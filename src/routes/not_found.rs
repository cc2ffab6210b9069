use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};

/// Any address the portal does not have.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <PageTitle title=Key::NotFoundTitle />
        <p>{tr(Key::NotFoundBody)}</p>
        <ul>
            <li><A href="/">{tr(Key::BackToHome)}</A></li>
            <li><A href="/learn">{tr(Key::NavLearn)}</A></li>
            <li><A href="/ask">{tr(Key::NavAsk)}</A></li>
        </ul>
    }
}
