use leptos::prelude::*;
use portal_core::api::RuntimeConfig;

use crate::components::notices::EmergencyNotice;
use crate::components::page::PageTitle;
use crate::i18n::{tr, Key};

/// Questions to the Medical Information team. The emergency notice comes before anything else.
#[component]
pub fn Ask() -> impl IntoView {
    let config = use_context::<RuntimeConfig>();
    let phone = config
        .as_ref()
        .map(|c| c.medical_information_phone.clone())
        .unwrap_or_default();
    let email = config
        .map(|c| c.medical_information_email)
        .unwrap_or_default();
    let tel = format!("tel:{}", phone.replace(' ', ""));
    let mailto = format!("mailto:{email}");
    view! {
        <PageTitle title=Key::AskTitle />
        <EmergencyNotice />
        <p class="lead">{tr(Key::AskIntro)}</p>
        <h2>{tr(Key::AskContactTitle)}</h2>
        <dl class="contact-list">
            <dt>{tr(Key::AskPhone)}</dt>
            <dd><a href=tel>{phone}</a></dd>
            <dt>{tr(Key::AskEmail)}</dt>
            <dd><a href=mailto>{email}</a></dd>
        </dl>
    }
}
