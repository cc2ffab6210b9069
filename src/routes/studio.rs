//! The content team's Studio: every translation with its state, a way to start a new article, and
//! the editor with its live preview (in `studio_editor`). Editors only, here and on the backend.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use portal_core::api_error::ApiError;
use portal_core::language::Language;
use portal_core::learn::{slug_from_title, ArticleStatus, StudioArticleSummary};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::error_text::reading_error_key;
use crate::components::page::PageTitle;
use crate::i18n::{tr, use_i18n, Key};
use crate::view_task::spawn_for_view;

pub fn studio_href(slug: &str, language: &str) -> String {
    format!("/studio/edit/{slug}/{language}")
}

pub fn preview_href(slug: &str, language: &str) -> String {
    format!("/studio/preview/{slug}/{language}")
}

#[component]
pub fn Studio() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let auth = use_auth();
    let list = RwSignal::new(None::<Result<Vec<StudioArticleSummary>, ApiError>>);
    if let Some(api) = api.clone() {
        spawn_for_view(async move {
            let answer = api.studio_articles().await;
            if let Err(e) = &answer {
                auth.notice_error(e);
            }
            list.set(Some(answer));
        });
    }
    view! {
        <PageTitle title=Key::StudioTitle />
        <p class="lead">{tr(Key::StudioIntro)}</p>
        <NewArticle />
        {move || match list.get() {
            None => view! { <p class="status" role="status">{tr(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! {
                <div class="form-error" role="alert">
                    <p>{move || i18n.t(reading_error_key(&e))}</p>
                </div>
            }.into_any(),
            Some(Ok(items)) => view! {
                <div class="table-scroll" tabindex="0" role="region" aria-label=tr(Key::StudioListCaption)>
                    <table class="studio-table">
                        <caption>{tr(Key::StudioListCaption)}</caption>
                        <thead><tr>
                            <th scope="col">{tr(Key::StudioColTitle)}</th>
                            <th scope="col">{tr(Key::StudioColLanguage)}</th>
                            <th scope="col">{tr(Key::StudioColState)}</th>
                            <th scope="col">{tr(Key::StudioColReviewBy)}</th>
                        </tr></thead>
                        <tbody>
                            {items.into_iter().map(|a| view! { <StudioRow article=a /> }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any(),
        }}
    }
}

#[component]
fn StudioRow(article: StudioArticleSummary) -> impl IntoView {
    let state = match (article.status, article.has_unpublished_changes) {
        (ArticleStatus::Draft, _) => Key::StudioStateDraft,
        (ArticleStatus::Published, true) => Key::StudioStateChanged,
        (ArticleStatus::Published, false) => Key::StudioStatePublished,
    };
    let language = Language::from_tag(&article.language)
        .map(|l| l.endonym())
        .unwrap_or("?");
    view! {
        <tr>
            <td><A href=studio_href(&article.slug, &article.language)>{article.title.clone()}</A></td>
            <td>{language}</td>
            <td><span class="badge">{tr(state)}</span></td>
            <td>{article.review_by.clone()}</td>
        </tr>
    }
}

/// Starts a new article from its working title.
#[component]
fn NewArticle() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let slug = slug_from_title(&title.get_untracked());
        if slug.len() < 3 {
            error.set(true);
            return;
        }
        let language = i18n.language().tag();
        navigate(
            &format!(
                "{}?title={}",
                studio_href(&slug, language),
                portal_core::navigation::encode_query_value(&title.get_untracked())
            ),
            Default::default(),
        );
    };
    view! {
        <form class="new-article" on:submit=start novalidate>
            <div class="field">
                <label for="new-article-title">{tr(Key::StudioNewTitle)}</label>
                <input id="new-article-title" type="text" maxlength="120"
                    aria-invalid=move || error.get().to_string()
                    aria-describedby=move || error.get().then_some("new-article-error")
                    prop:value=move || title.get()
                    on:input=move |ev| { title.set(event_target_value(&ev)); error.set(false); } />
                {move || error.get().then(|| view! {
                    <p id="new-article-error" class="field-error">{tr(Key::StudioNewTitleError)}</p>
                })}
            </div>
            <button type="submit" class="button">{tr(Key::StudioNewStart)}</button>
        </form>
    }
}
