//! Notices that must be seen before anything else on pages about symptoms and medicines.

use leptos::prelude::*;
use portal_core::api::RuntimeConfig;

use crate::i18n::{tr, Key};

/// "Not for emergencies" with the local emergency number, and no personal medical advice.
#[component]
pub fn EmergencyNotice() -> impl IntoView {
    let number = use_context::<RuntimeConfig>()
        .map(|c| c.emergency_number)
        .unwrap_or_else(|| "112".into());
    let tel = format!("tel:{}", number.replace(' ', ""));
    view! {
        <aside class="notice notice-urgent" aria-labelledby="emergency-title">
            <h2 id="emergency-title" class="notice-title">{tr(Key::EmergencyTitle)}</h2>
            <p>
                {tr(Key::EmergencyBodyBefore)} " "
                <a href=tel class="notice-phone">{number}</a> " "
                {tr(Key::EmergencyBodyAfter)}
            </p>
            <p>{tr(Key::NoPersonalAdvice)}</p>
        </aside>
    }
}
