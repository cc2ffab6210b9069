//! My questions: the signed-in person's inquiries with where each one is, and the answer when the
//! Medical Information team has given one. Questions still waiting on this device come first.

use leptos::prelude::*;
use leptos_router::components::A;
use portal_core::api_error::ApiError;
use portal_core::inquiry::{InquiryStatus, InquirySummary};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::article_view::{render_document, Marks};
use crate::components::error_text::reading_error_key;
use crate::components::page::PageTitle;
use crate::i18n::{local_date, tr, use_i18n, Key};
use crate::inquiry_outbox::use_outbox;
use crate::routes::ask::OutboxPanel;
use crate::view_task::spawn_for_view;

fn status_key(status: InquiryStatus) -> Key {
    match status {
        InquiryStatus::Sent => Key::InquiryStatusSent,
        InquiryStatus::Received => Key::InquiryStatusReceived,
        InquiryStatus::BeingAnswered => Key::InquiryStatusBeingAnswered,
        InquiryStatus::Answered => Key::InquiryStatusAnswered,
    }
}

#[component]
pub fn MyInquiries() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let api = use_api();
    let outbox = use_outbox();
    let list = RwSignal::new(None::<Result<Vec<InquirySummary>, ApiError>>);
    let load = move || {
        let Some(api) = api.clone() else {
            return;
        };
        spawn_for_view(async move {
            let answer = api.my_inquiries().await;
            if let Err(e) = &answer {
                auth.notice_error(e);
            }
            list.set(Some(answer));
        });
    };
    load();
    let reload = load.clone();
    view! {
        <PageTitle title=Key::MineTitle />
        <p class="lead">{tr(Key::MineIntro)}</p>
        <p><A href="/ask" exact=true attr:class="button button-primary">{tr(Key::MineAskNew)}</A></p>
        {move || outbox.map(|o| view! { <OutboxPanel outbox=o on_open=|_| () /> })}
        {move || match list.get() {
            None => view! { <p class="status" role="status">{tr(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => {
                let reload = reload.clone();
                view! {
                    <div class="form-error" role="alert">
                        <p>{move || i18n.t(reading_error_key(&e))}</p>
                    </div>
                    <button type="button" class="button" on:click=move |_| reload()>{tr(Key::TryAgain)}</button>
                }.into_any()
            }
            Some(Ok(items)) if items.is_empty() => view! {
                <p class="status">{tr(Key::MineEmpty)}</p>
            }.into_any(),
            Some(Ok(items)) => view! {
                <ul class="inquiry-list" role="list">
                    {items.into_iter().map(|item| view! { <InquiryCard item /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn InquiryCard(item: InquirySummary) -> impl IntoView {
    let i18n = use_i18n();
    let status = item.status;
    let received = item.received_at.clone();
    let topic = item.topic;
    let answered_at = item.answered_at.clone();
    view! {
        <li class="inquiry card">
            <h2 class="card-title">
                {item.medicine.clone()} " – " {move || i18n.t(crate::routes::ask::topic_label(topic))}
            </h2>
            <p class="inquiry-meta">
                <span class=format!("badge badge-{}", status.as_str())>{move || i18n.t(status_key(status))}</span>
                " "
                {move || {
                    // The number on one line: a person copies it down or reads it out.
                    let text = i18n.t(Key::MineReference);
                    let (before, after) = text.split_once("{reference}").unwrap_or((text, ""));
                    view! { {before} <span class="nowrap">{item.reference.clone()}</span> {after} }
                }}
                " · "
                {move || local_date(&received, i18n.language().tag())}
            </p>
            {item.safety_report.then(|| view! { <p class="hint">{tr(Key::MineSafetyNote)}</p> })}
            <p class="inquiry-question">{item.question.clone()}</p>
            {item.answer.clone().map(|answer| {
                // Formatted as the team wrote it; a backend that sends only the text gets it
                // with its line breaks kept.
                let text = match &item.answer_document {
                    Some(doc) => view! {
                        <div class="answer-body">{render_document(doc, &Marks::default())}</div>
                    }
                    .into_any(),
                    None => view! { <p class="answer-text">{answer}</p> }.into_any(),
                };
                view! {
                    <div class="answer">
                        <h3>
                            {tr(Key::MineAnswerTitle)}
                            {answered_at.clone().map(|at| view! { " · " {move || local_date(&at, i18n.language().tag())} })}
                        </h3>
                        {text}
                    </div>
                }
            })}
        </li>
    }
}
