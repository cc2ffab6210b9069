//! One article in the reader's language. When it is not translated, the page says so and offers the
//! languages it exists in, switching the whole interface, so one page never mixes languages. Opened
//! articles are kept on the device and read from there when the network is gone.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use portal_core::api_error::ApiError;
use portal_core::inquiry::mentions_safety_event;
use portal_core::language::Language;
use portal_core::learn::{ArticleFeedback, ArticlePage, MAX_FEEDBACK_CHARS};

use crate::api::use_api;
use crate::components::article_view::ArticleView;
use crate::components::error_text::{error_key, reading_error_key};
use crate::components::page::{PageTitle, TextPageTitle};
use crate::i18n::{tr, use_i18n, Key};
use crate::learn_offline;
use crate::view_task::spawn_for_view;

/// What the page shows.
#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    Fresh(ArticlePage),
    /// The network failed; this is the copy kept on the device.
    Offline(ArticlePage),
    Failed(ApiError),
}

#[component]
pub fn ArticlePageView() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let params = use_params_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    let loaded = RwSignal::new(None::<Loaded>);
    // Only the answer to the latest request is shown: switching language while an article loads
    // must never leave the previous language's text on the page.
    let latest = StoredValue::new(0u64);
    let first_paint = crate::first_paint::hold();

    Effect::new(move |_| {
        let slug = slug();
        let language = i18n.language().tag();
        loaded.set(None);
        latest.update_value(|n| *n += 1);
        let ticket = latest.get_value();
        let Some(api) = api.clone() else {
            return;
        };
        let first_paint = first_paint.clone();
        spawn_for_view(async move {
            let answer = api.article(&slug, language).await;
            let shown = match answer {
                Ok(page) => {
                    if page.article.is_some() {
                        // Kept after the page is shown, in a task of its own: writing it down must
                        // not hold up reading it.
                        let (slug, page) = (slug.clone(), page.clone());
                        leptos::task::spawn_local(async move {
                            gloo_timers::future::TimeoutFuture::new(0).await;
                            learn_offline::remember(&slug, language, &page).await;
                        });
                    }
                    Loaded::Fresh(page)
                }
                Err(ApiError::Cancelled) => return,
                Err(error) => match learn_offline::find(&slug, language).await {
                    Some(kept) if !matches!(error, ApiError::Status { status: 404, .. }) => {
                        Loaded::Offline(kept.page)
                    }
                    _ => Loaded::Failed(error),
                },
            };
            if latest.get_value() == ticket {
                loaded.set(Some(shown));
                first_paint.release();
            }
        });
    });

    move || match loaded.get() {
        None => view! {
            <PageTitle title=Key::LearnTitle />
            <p class="status" role="status">{tr(Key::Loading)}</p>
        }
        .into_any(),
        Some(Loaded::Failed(ApiError::Status { status: 404, .. })) => view! {
            <PageTitle title=Key::LearnNotFoundTitle />
            <p>{tr(Key::LearnNotFoundBody)}</p>
            <p><A href="/learn" attr:class="button">{tr(Key::LearnBackToLibrary)}</A></p>
        }
        .into_any(),
        Some(Loaded::Failed(error)) => view! {
            <PageTitle title=Key::LearnTitle />
            <div class="form-error" role="alert">
                <p>{move || i18n.t(reading_error_key(&error))}</p>
            </div>
            <p><A href="/learn" attr:class="button">{tr(Key::LearnBackToLibrary)}</A></p>
        }
        .into_any(),
        Some(Loaded::Fresh(page)) => {
            view! { <Reading page slug=slug() offline=false /> }.into_any()
        }
        Some(Loaded::Offline(page)) => {
            view! { <Reading page slug=slug() offline=true /> }.into_any()
        }
    }
}

#[component]
fn Reading(page: ArticlePage, slug: String, offline: bool) -> impl IntoView {
    let Some(article) = page.article.clone() else {
        return view! { <NotTranslated languages=page.available_languages /> }.into_any();
    };
    let title = article.title.clone();
    let medicine = article.medicine_id.clone();
    let language = article.language.clone();
    let related = page.related.clone();
    let document = page.document.clone();
    view! {
        <article class="article-page">
            <TextPageTitle text=title />
            {offline.then(|| view! { <p class="notice" role="status">{tr(Key::LearnOfflineCopy)}</p> })}
            <ArticleView article=article document />
            <div class="article-actions">
                <SaveForOffline slug=slug.clone() language=language.clone() />
                <button type="button" class="button" on:click=|_| print()>{tr(Key::LearnPrint)}</button>
            </div>
            {medicine.map(|id| {
                let href = format!("/ask?medicine={}", portal_core::navigation::encode_query_value(&id));
                view! {
                    <p class="ask-about">
                        <A href=href attr:class="button button-primary">{tr(Key::LearnAskAboutMedicine)}</A>
                    </p>
                }
            })}
            <Feedback slug=slug.clone() language=language />
            {(!related.is_empty()).then(|| view! {
                <section class="related" aria-labelledby="related-title">
                    <h2 id="related-title">{tr(Key::LearnRelated)}</h2>
                    <ul class="article-list" role="list">
                        {related.into_iter().map(|r| view! {
                            <li>
                                <A href=format!("/learn/{}", r.slug)>{r.title.clone()}</A>
                                <span class="article-list-summary">{r.summary.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </article>
    }
    .into_any()
}

fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

/// Said plainly, in the reader's language, with the languages the article exists in.
#[component]
fn NotTranslated(languages: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let options = languages
        .iter()
        .filter_map(|tag| Language::from_tag(tag))
        .map(|l| {
            view! {
                <li>
                    <button type="button" class="button" lang=l.tag() on:click=move |_| i18n.set_language(l)>
                        {l.endonym()}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <PageTitle title=Key::LearnNotTranslatedTitle />
        <p>{tr(Key::LearnNotTranslatedBody)}</p>
        <ul class="language-options" role="list">{options}</ul>
        <p><A href="/learn">{tr(Key::LearnBackToLibrary)}</A></p>
    }
}

#[component]
fn SaveForOffline(slug: String, language: String) -> impl IntoView {
    let i18n = use_i18n();
    let saved = RwSignal::new(false);
    {
        let (slug, language) = (slug.clone(), language.clone());
        spawn_for_view(async move {
            if let Some(kept) = learn_offline::find(&slug, &language).await {
                saved.set(kept.saved);
            }
        });
    }
    let toggle = move |_| {
        let (slug, language) = (slug.clone(), language.clone());
        let now = !saved.get_untracked();
        saved.set(now);
        leptos::task::spawn_local(
            async move { learn_offline::set_saved(&slug, &language, now).await },
        );
    };
    view! {
        <button type="button" class="button" aria-pressed=move || saved.get().to_string() on:click=toggle>
            {move || i18n.t(if saved.get() { Key::LearnSaved } else { Key::LearnSave })}
        </button>
    }
}

/// "Was this helpful?" with an optional comment.
#[component]
fn Feedback(slug: String, language: String) -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let helpful = RwSignal::new(None::<bool>);
    let comment = RwSignal::new(String::new());
    let state = RwSignal::new(FeedbackState::Asking);
    let key = StoredValue::new(String::new());
    let send = Callback::new(move |()| {
        let Some(api) = api.clone() else {
            return;
        };
        let Some(answer) = helpful.get_untracked() else {
            return;
        };
        let text = comment.get_untracked();
        if text.chars().count() > MAX_FEEDBACK_CHARS {
            state.set(FeedbackState::TooLong);
            return;
        }
        if key.with_value(String::is_empty) {
            key.set_value(crate::inquiry_outbox::new_key());
        }
        let feedback = ArticleFeedback {
            language: language.clone(),
            helpful: answer,
            comment: text,
        };
        let slug = slug.clone();
        state.set(FeedbackState::Sending);
        leptos::task::spawn_local(async move {
            let k = key.get_value();
            match api.article_feedback(&slug, &feedback, &k).await {
                Ok(_) => {
                    state.set(FeedbackState::Thanks);
                    // The Send button that had focus is gone: the thanks takes its place.
                    crate::components::focus::focus_id_later("feedback-thanks".to_owned());
                }
                Err(e) => state.set(FeedbackState::Failed(error_key(&e))),
            }
        });
    });
    view! {
        <section class="feedback" aria-labelledby="feedback-title">
            <h2 id="feedback-title">{tr(Key::LearnHelpfulTitle)}</h2>
            {move || match state.get() {
                FeedbackState::Thanks => view! {
                    <p id="feedback-thanks" tabindex="-1" role="status">{tr(Key::LearnHelpfulThanks)}</p>
                }
                .into_any(),
                other => view! {
                    <fieldset class="field choices">
                        <legend class="visually-hidden">{tr(Key::LearnHelpfulTitle)}</legend>
                        <div class="choice">
                            <input type="radio" id="helpful-yes" name="helpful"
                                prop:checked=move || helpful.get() == Some(true)
                                on:change=move |_| helpful.set(Some(true)) />
                            <label for="helpful-yes">{tr(Key::Yes)}</label>
                        </div>
                        <div class="choice">
                            <input type="radio" id="helpful-no" name="helpful"
                                prop:checked=move || helpful.get() == Some(false)
                                on:change=move |_| helpful.set(Some(false)) />
                            <label for="helpful-no">{tr(Key::No)}</label>
                        </div>
                    </fieldset>
                    {move || helpful.get().is_some().then(|| view! {
                        <div class="field">
                            <label for="helpful-comment">
                                {tr(Key::LearnHelpfulComment)} " "
                                <span class="optional">{tr(Key::AskOptional)}</span>
                            </label>
                            <p id="helpful-comment-hint" class="hint">{tr(Key::LearnHelpfulCommentHint)}</p>
                            <textarea id="helpful-comment" rows="3" aria-describedby="helpful-comment-hint"
                                prop:value=move || comment.get()
                                on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                        </div>
                        // Drug safety must hear of a side effect; this note would never reach it.
                        <div role="status">
                            {move || comment.with(|c| mentions_safety_event(c)).then(|| view! {
                                <div class="notice">
                                    <p>{tr(Key::LearnFeedbackSafety)}</p>
                                    <p><A href="/ask">{tr(Key::AskTitle)}</A></p>
                                </div>
                            })}
                        </div>
                        <button type="button" class="button" on:click=move |_| send.run(())
                            aria-disabled=move || (state.get() == FeedbackState::Sending).to_string()>
                            {tr(Key::LearnHelpfulSend)}
                        </button>
                    })}
                    {match other {
                        FeedbackState::Failed(k) => Some(view! { <p class="field-error" role="alert">{tr(k)}</p> }.into_any()),
                        FeedbackState::TooLong => Some(view! {
                            <p class="field-error" role="alert">
                                {move || i18n.fill(Key::AskErrorTooLong, &[("max", &MAX_FEEDBACK_CHARS.to_string())])}
                            </p>
                        }.into_any()),
                        _ => None,
                    }}
                }.into_any(),
            }}
        </section>
    }
}

#[derive(Debug, Clone, PartialEq)]
enum FeedbackState {
    Asking,
    Sending,
    Thanks,
    TooLong,
    Failed(Key),
}
