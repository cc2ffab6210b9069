//! The library: featured articles, the three shelves, the newest, what is kept on this device, and
//! search as you type over every published article in the reader's language.

use std::sync::{Arc, OnceLock};

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use portal_core::api_error::ApiError;
use portal_core::language::Language;
use portal_core::learn::{ArticleSummary, ArticleTopic};
use portal_core::search::{SearchIndex, Segment};
use wasm_bindgen::JsCast;

use crate::api::use_api;
use crate::components::error_text::reading_error_key;
use crate::components::page::PageTitle;
use crate::i18n::{tr, use_i18n, Key};
use crate::learn_offline::{self, OfflineArticle};
use crate::view_task::spawn_for_view;

const NEWEST_COUNT: usize = 4;

pub fn topic_key(topic: ArticleTopic) -> Key {
    match topic {
        ArticleTopic::Condition => Key::LearnTopicCondition,
        ArticleTopic::Medicine => Key::LearnTopicMedicine,
        ArticleTopic::LivingWith => Key::LearnTopicLivingWith,
    }
}

/// The loaded library of one language and its search index, built on the first search (not while
/// the page is first shown, where it would hold up a slow phone).
#[derive(Clone)]
struct Library {
    language: &'static str,
    articles: Arc<Vec<ArticleSummary>>,
    index: Arc<OnceLock<SearchIndex>>,
}

impl Library {
    fn new(language: &'static str, articles: Vec<ArticleSummary>) -> Library {
        Library {
            language,
            articles: Arc::new(articles),
            index: Arc::new(OnceLock::new()),
        }
    }

    fn index(&self) -> &SearchIndex {
        self.index
            .get_or_init(|| portal_core::learn::search_index(self.language, &self.articles))
    }
}

#[component]
pub fn Learn() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let library = RwSignal::new(None::<Result<Library, ApiError>>);
    let kept = RwSignal::new(Vec::<OfflineArticle>::new());
    // The search is kept in the address, so a reload or a shared link shows the same results,
    // and a search sent from the page the backend wrote carries on here.
    let query = RwSignal::new(
        use_query_map()
            .with_untracked(|q| q.get("q"))
            .unwrap_or_default(),
    );
    let typed = StoredValue::new(0u64);
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        query.set(text.clone());
        typed.update_value(|n| *n += 1);
        let ticket = typed.get_value();
        // Once typing pauses: some browsers refuse more than a hundred address changes in half
        // a minute.
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(400).await;
            if typed.try_get_value() == Some(ticket) {
                keep_search_in_address(&text);
            }
        });
    };
    // The keyboard's search key: the results are already shown, so put the keyboard away.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = input.blur();
        }
    };

    // Only the latest language's list is shown, whatever order the answers arrive in.
    let latest = StoredValue::new(0u64);
    let first_paint = crate::first_paint::hold();
    Effect::new(move |_| {
        let language = i18n.language().tag();
        library.set(None);
        latest.update_value(|n| *n += 1);
        let ticket = latest.get_value();
        let Some(api) = api.clone() else {
            return;
        };
        let first_paint = first_paint.clone();
        spawn_for_view(async move {
            let loaded = api.articles(language).await;
            if matches!(loaded, Err(ApiError::Cancelled)) || latest.get_value() != ticket {
                return;
            }
            library.set(Some(loaded.map(|list| Library::new(language, list))));
            first_paint.release();
        });
    });
    spawn_for_view(async move { kept.set(learn_offline::list().await) });

    let hits = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() {
            return None;
        }
        library.with(|l| match l {
            Some(Ok(lib)) => Some(lib.index().search(&q, portal_core::learn::SEARCH_RESULTS)),
            _ => None,
        })
    });

    view! {
        <PageTitle title=Key::LearnTitle />
        <p class="lead">{tr(Key::LearnIntro)}</p>
        <p>{tr(Key::LearnDoctorNote)}</p>
        <form class="learn-search" role="search" action="/learn" method="get" on:submit=on_submit>
            <label for="learn-search-input">{tr(Key::LearnSearchLabel)}</label>
            <input
                id="learn-search-input"
                name="q"
                type="search"
                autocomplete="off"
                aria-describedby="learn-search-status"
                prop:value=move || query.get()
                on:input=on_input
            />
            <p id="learn-search-status" class="status" role="status" aria-live="polite">
                {move || hits.with(|h| h.as_ref().map(|list| {
                    if list.is_empty() {
                        i18n.t(Key::LearnSearchNone).to_string()
                    } else {
                        i18n.fill(Key::LearnSearchCount, &[("count", &list.len().to_string())])
                    }
                }))}
            </p>
        </form>
        {move || {
            let kept_list = kept.get();
            match (library.get(), hits.get()) {
                (Some(Ok(lib)), Some(found)) => view! { <SearchResults lib found /> }.into_any(),
                (Some(Ok(lib)), None) => view! { <Shelves lib kept=kept_list /> }.into_any(),
                (Some(Err(e)), _) => view! {
                    <div class="form-error" role="alert">
                        <p>{move || i18n.t(reading_error_key(&e))}</p>
                    </div>
                    <KeptArticles kept=kept_list />
                }.into_any(),
                (None, _) => view! { <p class="status" role="status">{tr(Key::Loading)}</p> }.into_any(),
            }
        }}
    }
}

/// Replaces the address (no new history entry: typing is not a navigation) with Learn and the
/// search, or plain Learn when the box is empty.
fn keep_search_in_address(text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if window.location().pathname().ok().as_deref() != Some("/learn") {
        return;
    }
    let address = if text.trim().is_empty() {
        "/learn".to_owned()
    } else {
        format!("/learn?q={}", js_sys::encode_uri_component(text))
    };
    if let Ok(history) = window.history() {
        let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(&address));
    }
}

fn article_href(slug: &str) -> String {
    format!("/learn/{slug}")
}

#[component]
fn SearchResults(lib: Library, found: Vec<portal_core::search::Hit>) -> impl IntoView {
    let i18n = use_i18n();
    if found.is_empty() {
        return view! {
            <div class="search-empty">
                <p>{tr(Key::LearnSearchNoneHelp)}</p>
                <p><A href="/ask" attr:class="button">{tr(Key::LearnAskInstead)}</A></p>
            </div>
        }
        .into_any();
    }
    let items = found
        .into_iter()
        .map(|hit| {
            let minutes = lib
                .articles
                .iter()
                .find(|a| a.slug == hit.id)
                .map(|a| a.reading_minutes)
                .unwrap_or(1);
            view! {
                <li class="result">
                    <h2 class="result-title"><A href=article_href(&hit.id)>{highlighted(hit.title)}</A></h2>
                    {(!hit.snippet.is_empty()).then(|| view! { <p class="result-snippet">{highlighted(hit.snippet)}</p> })}
                    <p class="article-meta">{move || i18n.fill(Key::LearnMinutes, &[("minutes", &minutes.to_string())])}</p>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="results" role="list">{items}</ul> }.into_any()
}

/// Text with the parts that matched the search marked.
fn highlighted(segments: Vec<Segment>) -> impl IntoView {
    segments
        .into_iter()
        .map(|s| {
            if s.matched {
                view! { <mark>{s.text}</mark> }.into_any()
            } else {
                s.text.into_any()
            }
        })
        .collect_view()
}

#[component]
fn Shelves(lib: Library, kept: Vec<OfflineArticle>) -> impl IntoView {
    let i18n = use_i18n();
    if lib.articles.is_empty() {
        // Every guide is written in English first: offered as the article page offers its
        // languages, by switching the whole interface, so a page never mixes two.
        let english = (i18n.language() != Language::En).then(|| {
            view! {
                <p>{tr(Key::LearnLibraryInEnglish)}</p>
                <ul class="language-options" role="list">
                    <li>
                        <button type="button" class="button" lang="en" on:click=move |_| i18n.set_language(Language::En)>
                            {Language::En.endonym()}
                        </button>
                    </li>
                </ul>
            }
        });
        return view! {
            <div class="search-empty">
                <p>{tr(Key::LearnLibraryEmpty)}</p>
                {english}
                <p><A href="/ask" attr:class="button">{tr(Key::LearnAskInstead)}</A></p>
            </div>
            <KeptArticles kept />
        }
        .into_any();
    }
    let featured: Vec<ArticleSummary> = lib
        .articles
        .iter()
        .filter(|a| a.featured)
        .cloned()
        .collect();
    let newest: Vec<ArticleSummary> = lib.articles.iter().take(NEWEST_COUNT).cloned().collect();
    let shelves = ArticleTopic::ALL
        .into_iter()
        .map(|topic| {
            let list: Vec<ArticleSummary> = lib
                .articles
                .iter()
                .filter(|a| a.topics.contains(&topic))
                .cloned()
                .collect();
            let id = format!("shelf-{topic:?}").to_lowercase();
            let labelled_by = id.clone();
            (!list.is_empty()).then(move || {
                view! {
                    <section class="shelf" aria-labelledby=labelled_by>
                        <h2 id=id>{move || i18n.t(topic_key(topic))}</h2>
                        <ArticleList list />
                    </section>
                }
            })
        })
        .collect_view();
    view! {
        {(!featured.is_empty()).then(|| view! {
            <section class="shelf" aria-labelledby="shelf-featured">
                <h2 id="shelf-featured">{tr(Key::LearnFeatured)}</h2>
                <ul class="cards" role="list">
                    {featured.into_iter().map(|a| view! { <ArticleCard article=a /> }).collect_view()}
                </ul>
            </section>
        })}
        {shelves}
        <section class="shelf" aria-labelledby="shelf-newest">
            <h2 id="shelf-newest">{tr(Key::LearnNewest)}</h2>
            <ArticleList list=newest />
        </section>
        <KeptArticles kept />
    }
    .into_any()
}

#[component]
fn ArticleCard(article: ArticleSummary) -> impl IntoView {
    let i18n = use_i18n();
    let minutes = article.reading_minutes.to_string();
    view! {
        <li class="card">
            <h3 class="card-title"><A href=article_href(&article.slug)>{article.title.clone()}</A></h3>
            <p>{article.summary.clone()}</p>
            <p class="article-meta">{move || i18n.fill(Key::LearnMinutes, &[("minutes", &minutes)])}</p>
        </li>
    }
}

#[component]
fn ArticleList(list: Vec<ArticleSummary>) -> impl IntoView {
    view! {
        <ul class="article-list" role="list">
            {list.into_iter().map(|a| view! {
                <li>
                    <A href=article_href(&a.slug)>{a.title.clone()}</A>
                    <span class="article-list-summary">{a.summary.clone()}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Articles that can be read offline on this device, in the current language.
#[component]
fn KeptArticles(kept: Vec<OfflineArticle>) -> impl IntoView {
    let i18n = use_i18n();
    let language = i18n.language().tag();
    let mine: Vec<OfflineArticle> = kept
        .into_iter()
        .filter(|k| k.language == language && k.page.article.is_some())
        .collect();
    (!mine.is_empty()).then(|| view! {
        <section class="shelf" aria-labelledby="shelf-kept">
            <h2 id="shelf-kept">{tr(Key::LearnKept)}</h2>
            <p class="hint">{tr(Key::LearnKeptHint)}</p>
            <ul class="article-list" role="list">
                {mine.into_iter().map(|k| {
                    let title = k.page.article.as_ref().map(|a| a.title.clone()).unwrap_or_default();
                    view! {
                        <li>
                            <A href=article_href(&k.slug)>{title}</A>
                            {k.saved.then(|| view! { " " <span class="badge">{tr(Key::LearnSavedBadge)}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    })
}
