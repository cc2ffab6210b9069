use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::use_auth;
use crate::components::icons::{Icon, IconSvg};
use crate::components::page::PageTitle;
use crate::i18n::{tr, use_i18n, Key};

/// The start page: what the portal offers, in three plain choices.
#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let greeting = move || match auth.session() {
        Some(s) => i18n.fill(Key::HomeGreetingNamed, &[("name", &s.user.display_name)]),
        None => i18n.t(Key::HomeGreeting).to_string(),
    };
    view! {
        <PageTitle title=Key::HomeTitle />
        <p class="lead">{greeting}</p>
        <ul class="cards" role="list">
            <SectionCard href="/learn" icon=Icon::Learn title=Key::NavLearn body=Key::HomeLearnBody />
            <SectionCard href="/reminders" icon=Icon::Reminders title=Key::NavReminders body=Key::HomeRemindersBody />
            <SectionCard href="/ask" icon=Icon::Ask title=Key::NavAsk body=Key::HomeAskBody />
        </ul>
    }
}

#[component]
fn SectionCard(href: &'static str, icon: Icon, title: Key, body: Key) -> impl IntoView {
    view! {
        <li class="card">
            <h2 class="card-title">
                <A href=href><IconSvg icon /><span>{tr(title)}</span></A>
            </h2>
            <p>{tr(body)}</p>
        </li>
    }
}
