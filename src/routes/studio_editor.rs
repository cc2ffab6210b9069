//! Studio's editor: title, summary and Markdown body with the page rendered beside them as patients
//! will see it (the same `ArticleView`), readability and accessibility checks that update as the
//! editor types, autosave that never loses an edit, and publishing with the approval code.
//!
//! Every edit is kept on the device at once and saved to the backend shortly after typing stops,
//! with the version it was based on; if someone else saved meanwhile the backend refuses (412) and
//! the editor chooses what to keep, so nobody's work is overwritten silently.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use portal_core::api_error::ApiError;
use portal_core::language::Language;
use portal_core::learn::{
    Article, ArticleStatus, ArticleTopic, DraftUpdate, PublishRequest, StudioDraft,
};
use portal_core::markdown;
use portal_core::readability::{self, Finding, Report};
use serde::{Deserialize, Serialize};

use crate::api::use_api;
use crate::components::article_view::{ArticleView, Marks};
use crate::components::confirm;
use crate::components::error_text::{error_key, reading_error_key};
use crate::components::field::keep_value;
use crate::components::page::{PageTitle, TextPageTitle};
use crate::device_store::{self, keys};
use crate::i18n::{tr, use_i18n, Key};
use crate::routes::learn::topic_key;
use crate::routes::studio::{preview_href, studio_href};
use crate::view_task::spawn_for_view;

/// Quiet time after the last keystroke before the draft goes to the backend.
const AUTOSAVE_AFTER_MS: u32 = 1_200;
const DEFAULT_TARGET_GRADE: f64 = 8.0;
/// Remembered on this device: a preference, not personal data.
const TARGET_GRADE_KEY: &str = "portal.studio.target-grade";

/// Edits kept on the device until the backend has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LocalEdit {
    slug: String,
    language: String,
    /// The backend version these edits started from; `None` for a translation not saved yet.
    base_version: Option<u64>,
    draft: DraftUpdate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveState {
    Saved,
    Pending,
    Saving,
    /// Kept on the device; the backend could not be reached.
    Offline,
    /// Someone else saved a newer version.
    Conflict,
    Failed(Key),
}

fn today() -> String {
    let d = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date()
    )
}

fn blank_draft(title: String) -> DraftUpdate {
    DraftUpdate {
        title,
        summary: String::new(),
        body: String::new(),
        topics: vec![ArticleTopic::LivingWith],
        medicine_id: None,
        last_reviewed: today(),
        review_by: today(),
    }
}

fn draft_of(article: &Article) -> DraftUpdate {
    DraftUpdate {
        title: article.title.clone(),
        summary: article.summary.clone(),
        body: article.body.clone(),
        topics: article.topics.clone(),
        medicine_id: article.medicine_id.clone(),
        last_reviewed: article.last_reviewed.clone(),
        review_by: article.review_by.clone(),
    }
}

async fn local_edits() -> Vec<LocalEdit> {
    device_store::read_list(keys::STUDIO_EDITS).await
}

/// Keeps `edit` as the edit of the article `slug` in `language`, or forgets it when `None`; in
/// one transaction, so keystrokes kept in quick succession land in order.
async fn keep_local(edit: Option<LocalEdit>, slug: &str, language: &str) {
    let (slug, language) = (slug.to_owned(), language.to_owned());
    let _ = device_store::keep_in_list(
        keys::STUDIO_EDITS,
        move |e: &LocalEdit| e.slug == slug && e.language == language,
        edit,
    )
    .await;
}

/// Sends an edit made just before the editor closed, if it is still the latest one kept on the
/// device; the device copy goes once the backend has it.
async fn save_left_behind(api: Option<crate::api::Api>, edit: LocalEdit) {
    let Some(api) = api else {
        return;
    };
    if !local_edits().await.contains(&edit) {
        return;
    }
    let saved = api
        .save_draft(&edit.slug, &edit.language, &edit.draft, edit.base_version)
        .await;
    if saved.is_ok() && local_edits().await.contains(&edit) {
        keep_local(None, &edit.slug, &edit.language).await;
    }
}

fn target_grade() -> f64 {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(TARGET_GRADE_KEY).ok().flatten())
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|g| (1.0..=16.0).contains(g))
        .unwrap_or(DEFAULT_TARGET_GRADE)
}

/// Everything the editor works on, shared by its parts.
#[derive(Clone, Copy)]
struct Editor {
    slug: StoredValue<String>,
    language: StoredValue<String>,
    draft: RwSignal<DraftUpdate>,
    /// The backend's version of the draft; `None` until the translation exists there.
    version: RwSignal<Option<u64>>,
    status: RwSignal<ArticleStatus>,
    approval_code: RwSignal<String>,
    languages: RwSignal<Vec<String>>,
    save: RwSignal<SaveState>,
    /// Bumped on every edit, so a save only runs after the last one.
    edits: RwSignal<u64>,
    conflict: RwSignal<Option<StudioDraft>>,
    /// Taken from context when the editor starts: saves run in tasks that have no context.
    api: StoredValue<Option<crate::api::Api>>,
    /// The checks of the current draft, computed once per edit for the panel, the preview's marks
    /// and the question before publishing.
    report: Memo<Report>,
    target: RwSignal<f64>,
}

impl Editor {
    fn article(self) -> Article {
        let d = self.draft.get();
        let words = markdown::word_count(&markdown::plain_text(&markdown::parse(&d.body)));
        Article {
            slug: self.slug.get_value(),
            language: self.language.get_value(),
            title: d.title,
            summary: d.summary,
            body: d.body,
            topics: d.topics,
            reading_minutes: markdown::reading_minutes(words),
            reading_grade: None,
            last_reviewed: d.last_reviewed,
            review_by: d.review_by,
            approval_code: self.approval_code.get(),
            status: self.status.get(),
            medicine_id: d.medicine_id,
            featured: false,
            updated_at: String::new(),
        }
    }

    fn load(self, loaded: StudioDraft) {
        self.draft.set(draft_of(&loaded.article));
        self.version.set(Some(loaded.version));
        self.status.set(loaded.article.status);
        self.approval_code.set(loaded.article.approval_code.clone());
        self.languages.set(loaded.languages);
    }

    /// Records an edit: kept on the device now, sent to the backend when typing pauses.
    fn edited(self, change: impl FnOnce(&mut DraftUpdate)) {
        self.draft.update(change);
        self.edits.update(|n| *n += 1);
        if self.save.get_untracked() != SaveState::Conflict {
            self.save.set(SaveState::Pending);
        }
        let stamp = self.edits.get_untracked();
        let local = LocalEdit {
            slug: self.slug.get_value(),
            language: self.language.get_value(),
            base_version: self.version.get_untracked(),
            draft: self.draft.get_untracked(),
        };
        let api = self.api.get_value();
        leptos::task::spawn_local(async move {
            keep_local(Some(local.clone()), &local.slug, &local.language).await;
            gloo_timers::future::TimeoutFuture::new(AUTOSAVE_AFTER_MS).await;
            match self.edits.try_get_untracked() {
                Some(now) if now == stamp => self.save_now().await,
                // A later edit saves when typing pauses again.
                Some(_) => {}
                None => save_left_behind(api, local).await,
            }
        });
    }

    async fn save_now(self) {
        if self.save.get_untracked() == SaveState::Conflict {
            return;
        }
        let Some(api) = self.api.get_value() else {
            return;
        };
        let (slug, language) = (self.slug.get_value(), self.language.get_value());
        let draft = self.draft.get_untracked();
        let stamp = self.edits.get_untracked();
        self.save.set(SaveState::Saving);
        match api
            .save_draft(&slug, &language, &draft, self.version.get_untracked())
            .await
        {
            Ok(saved) => {
                self.version.set(Some(saved.version));
                self.status.set(saved.article.status);
                self.languages.set(saved.languages);
                // The editor may have closed meanwhile; its latest edit then saves itself.
                if self.edits.try_get_untracked() == Some(stamp) {
                    keep_local(None, &slug, &language).await;
                    self.save.set(SaveState::Saved);
                } else {
                    self.save.set(SaveState::Pending);
                }
            }
            Err(ApiError::Status { status: 412, .. }) => {
                self.save.set(SaveState::Conflict);
                self.conflict
                    .set(api.studio_draft(&slug, &language).await.ok());
            }
            Err(e) if e.is_transient() => self.save.set(SaveState::Offline),
            Err(e) => self.save.set(SaveState::Failed(error_key(&e))),
        }
    }
}

#[component]
pub fn StudioEditor() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    let language = params.with_untracked(|p| p.get("lang").unwrap_or_default());
    let draft = RwSignal::new(blank_draft(String::new()));
    let report_language = language.clone();
    let report = Memo::new(move |_| {
        draft.with(|d| {
            readability::check_article(
                &d.title,
                &d.summary,
                &markdown::parse(&d.body),
                &report_language,
            )
        })
    });
    let editor = Editor {
        slug: StoredValue::new(slug.clone()),
        language: StoredValue::new(language.clone()),
        draft,
        version: RwSignal::new(None),
        status: RwSignal::new(ArticleStatus::Draft),
        approval_code: RwSignal::new(String::new()),
        languages: RwSignal::new(Vec::new()),
        save: RwSignal::new(SaveState::Saved),
        edits: RwSignal::new(0),
        conflict: RwSignal::new(None),
        api: StoredValue::new(use_api()),
        report,
        target: RwSignal::new(target_grade()),
    };
    let ready = RwSignal::new(None::<Result<(), ApiError>>);
    let restored = RwSignal::new(false);

    if let Some(api) = use_api() {
        let title = query.with_untracked(|q| q.get("title").unwrap_or_default());
        spawn_for_view(async move {
            let local = local_edits()
                .await
                .into_iter()
                .find(|e| e.slug == slug && e.language == language);
            match api.studio_draft(&slug, &language).await {
                Ok(loaded) => {
                    let server_version = loaded.version;
                    editor.load(loaded);
                    if let Some(local) = local {
                        if local.draft != editor.draft.get_untracked() {
                            editor.draft.set(local.draft);
                            restored.set(true);
                            if local.base_version == Some(server_version) {
                                editor.save.set(SaveState::Pending);
                                ready.set(Some(Ok(())));
                                // Restored edits go to the backend now, not at the next keystroke.
                                editor.save_now().await;
                                return;
                            } else {
                                editor.save.set(SaveState::Conflict);
                                editor
                                    .conflict
                                    .set(api.studio_draft(&slug, &language).await.ok());
                            }
                        }
                    }
                    ready.set(Some(Ok(())));
                }
                Err(ApiError::Status { status: 404, .. }) => {
                    match local {
                        Some(local) => {
                            editor.draft.set(local.draft);
                            restored.set(true);
                            editor.save.set(SaveState::Pending);
                            ready.set(Some(Ok(())));
                            editor.save_now().await;
                            return;
                        }
                        None => editor.draft.set(blank_draft(title)),
                    }
                    ready.set(Some(Ok(())));
                }
                Err(e) => {
                    // Offline: work goes on from the device's copy and is saved later.
                    if let Some(local) = local {
                        editor.version.set(local.base_version);
                        editor.draft.set(local.draft);
                        restored.set(true);
                        editor.save.set(SaveState::Offline);
                        ready.set(Some(Ok(())));
                    } else {
                        ready.set(Some(Err(e)));
                    }
                }
            }
        });
    }

    let title = Signal::derive(move || {
        let t = editor.draft.with(|d| d.title.clone());
        if t.trim().is_empty() {
            i18n.t(Key::StudioUntitled).to_string()
        } else {
            t
        }
    });

    // The restored note stays until the next edit is saved: by then what was restored is part of
    // the draft.
    let show_restored = move || {
        restored.get() && !(editor.edits.get() > 0 && editor.save.get() == SaveState::Saved)
    };
    move || match ready.get() {
        None => view! {
            <PageTitle title=Key::StudioTitle />
            <p class="status" role="status">{tr(Key::Loading)}</p>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <PageTitle title=Key::StudioTitle />
            <div class="form-error" role="alert">
                <p>{move || i18n.t(reading_error_key(&e))}</p>
            </div>
            <p><A href="/studio">{tr(Key::StudioBack)}</A></p>
        }
        .into_any(),
        Some(Ok(())) => view! {
            <div class="studio-editor">
                <p class="breadcrumb"><A href="/studio">{tr(Key::StudioBack)}</A></p>
                <TextPageTitle text=title />
                {move || show_restored().then(|| view! {
                    <p class="notice" role="status">{tr(Key::StudioRestored)}</p>
                })}
                <SaveStatus editor />
                <ConflictChoice editor />
                <div class="studio-columns">
                    <EditorFields editor />
                    <div class="studio-side">
                        <Checks editor />
                        <Preview editor />
                        <Publishing editor />
                    </div>
                </div>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn SaveStatus(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="save-status" role="status" aria-live="polite">
            {move || match editor.save.get() {
                SaveState::Saved => i18n.t(Key::StudioSaved),
                SaveState::Pending => i18n.t(Key::StudioUnsaved),
                SaveState::Saving => i18n.t(Key::StudioSaving),
                SaveState::Offline => i18n.t(Key::StudioOffline),
                SaveState::Conflict => i18n.t(Key::StudioConflict),
                SaveState::Failed(k) => i18n.t(k),
            }}
        </p>
    }
}

/// Someone else saved first: keep theirs, or put these edits on top of theirs.
#[component]
fn ConflictChoice(editor: Editor) -> impl IntoView {
    let take_theirs = move |_| {
        if let Some(theirs) = editor.conflict.get_untracked() {
            editor.load(theirs);
            editor.conflict.set(None);
            editor.save.set(SaveState::Saved);
            let (slug, language) = (editor.slug.get_value(), editor.language.get_value());
            leptos::task::spawn_local(async move { keep_local(None, &slug, &language).await });
        }
    };
    let keep_mine = move |_| {
        if let Some(theirs) = editor.conflict.get_untracked() {
            editor.version.set(Some(theirs.version));
            editor.conflict.set(None);
            editor.save.set(SaveState::Pending);
            leptos::task::spawn_local(async move { editor.save_now().await });
        }
    };
    move || {
        editor.conflict.with(Option::is_some).then(|| view! {
            <div class="notice notice-urgent" role="alert">
                <p>{tr(Key::StudioConflictBody)}</p>
                <p class="form-actions">
                    <button type="button" class="button" on:click=take_theirs>{tr(Key::StudioTakeTheirs)}</button>
                    <button type="button" class="button" on:click=keep_mine>{tr(Key::StudioKeepMine)}</button>
                </p>
            </div>
        })
    }
}

#[component]
fn EditorFields(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let topics = ArticleTopic::ALL
        .into_iter()
        .map(|topic| {
            let id = format!("studio-topic-{topic:?}").to_lowercase();
            view! {
                <div class="choice">
                    <input type="checkbox" id=id.clone()
                        prop:checked=move || editor.draft.with(|d| d.topics.contains(&topic))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            editor.edited(|d| {
                                d.topics.retain(|t| *t != topic);
                                if on { d.topics.push(topic); d.topics.sort(); }
                            });
                        } />
                    <label for=id>{move || i18n.t(topic_key(topic))}</label>
                </div>
            }
        })
        .collect_view();
    let (reviewed, review_by) = (NodeRef::new(), NodeRef::new());
    keep_value(reviewed, move || {
        editor.draft.with(|d| d.last_reviewed.clone())
    });
    keep_value(review_by, move || {
        editor.draft.with(|d| d.review_by.clone())
    });
    view! {
        <form class="studio-fields" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="studio-title">{tr(Key::StudioFieldTitle)}</label>
                <input id="studio-title" type="text" maxlength="120"
                    prop:value=move || editor.draft.with(|d| d.title.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); editor.edited(|d| d.title = v); } />
            </div>
            <div class="field">
                <label for="studio-summary">{tr(Key::StudioFieldSummary)}</label>
                <textarea id="studio-summary" rows="3" maxlength="300"
                    prop:value=move || editor.draft.with(|d| d.summary.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); editor.edited(|d| d.summary = v); }></textarea>
            </div>
            <div class="field">
                <label for="studio-body">{tr(Key::StudioFieldBody)}</label>
                <p id="studio-body-hint" class="hint">{tr(Key::StudioFieldBodyHint)}</p>
                <textarea id="studio-body" class="studio-body" rows="24" aria-describedby="studio-body-hint"
                    prop:value=move || editor.draft.with(|d| d.body.clone())
                    on:input=move |ev| { let v = event_target_value(&ev); editor.edited(|d| d.body = v); }></textarea>
            </div>
            <fieldset class="field choices">
                <legend>{tr(Key::StudioFieldTopics)}</legend>
                {topics}
            </fieldset>
            <div class="field-row">
                <div class="field">
                    <label for="studio-reviewed">{tr(Key::StudioFieldReviewed)}</label>
                    <input id="studio-reviewed" type="date" node_ref=reviewed
                        on:change=move |ev| { let v = event_target_value(&ev); editor.edited(|d| d.last_reviewed = v); } />
                </div>
                <div class="field">
                    <label for="studio-review-by">{tr(Key::StudioFieldReviewBy)}</label>
                    <input id="studio-review-by" type="date" node_ref=review_by
                        on:change=move |ev| { let v = event_target_value(&ev); editor.edited(|d| d.review_by = v); } />
                </div>
            </div>
        </form>
    }
}

/// Readability scores and accessibility findings, recomputed as the editor types.
#[component]
fn Checks(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let (target, report) = (editor.target, editor.report);
    let set_target = move |ev: leptos::ev::Event| {
        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
            if (1.0..=16.0).contains(&v) {
                target.set(v);
                if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                    let _ = s.set_item(TARGET_GRADE_KEY, &v.to_string());
                }
            }
        }
    };
    view! {
        <section class="checks" aria-labelledby="checks-title">
            <h2 id="checks-title">{tr(Key::StudioChecksTitle)}</h2>
            <div class="field field-inline">
                <label for="studio-target">{tr(Key::StudioTargetGrade)}</label>
                <input id="studio-target" type="number" min="1" max="16" step="1" inputmode="numeric"
                    prop:value=move || target.get().to_string() on:change=set_target />
            </div>
            {move || report.with(|r| match &r.scores {
                Some(s) => {
                    let meets = readability::meets_target(s, target.get());
                    let grade = format!("{:.1}", s.grade);
                    let ease = format!("{:.0}", s.reading_ease);
                    view! {
                        <dl class="scores">
                            <dt>{i18n.t(Key::StudioGrade)}</dt>
                            <dd class:over=!meets>{grade} " " {if meets { i18n.t(Key::StudioMeetsTarget) } else { i18n.t(Key::StudioAboveTarget) }}</dd>
                            <dt>{i18n.t(Key::StudioEase)}</dt>
                            <dd>{ease}</dd>
                        </dl>
                    }.into_any()
                }
                None if r.english_only_note => view! { <p class="hint">{i18n.t(Key::StudioEnglishOnly)}</p> }.into_any(),
                None => ().into_any(),
            })}
            {move || report.with(|r| {
                if r.findings.is_empty() {
                    view! { <p class="status">{i18n.t(Key::StudioNoFindings)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="findings">
                            {r.findings.iter().map(|f| view! { <li>{finding_view(f)}</li> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </section>
    }
}

fn finding_view(finding: &Finding) -> AnyView {
    let i18n = use_i18n();
    match finding {
        Finding::LongSentence { text, words } => view! {
            {i18n.fill(Key::StudioLongSentence, &[("words", &words.to_string())])} " " <mark>{text.clone()}</mark>
        }
        .into_any(),
        Finding::LongWord { word } => {
            view! { {i18n.t(Key::StudioLongWord)} " " <mark>{word.clone()}</mark> }.into_any()
        }
        Finding::ImageWithoutAlt { src } => {
            view! { {i18n.t(Key::StudioImageNoAlt)} " " <code>{src.clone()}</code> }.into_any()
        }
        Finding::SkippedHeading { from, to, text } => i18n
            .fill(
                Key::StudioSkippedHeading,
                &[("from", &from.to_string()), ("to", &to.to_string()), ("text", text)],
            )
            .into_any(),
        Finding::VagueLinkText { text } => {
            view! { {i18n.t(Key::StudioVagueLink)} " " <mark>{text.clone()}</mark> }.into_any()
        }
        Finding::BareUrlLink { href } => {
            view! { {i18n.t(Key::StudioBareUrl)} " " <code>{href.clone()}</code> }.into_any()
        }
        Finding::MissingSummary => i18n.t(Key::StudioMissingSummary).into_any(),
        Finding::MissingTitle => i18n.t(Key::StudioMissingTitle).into_any(),
    }
}

/// The page as patients will see it, at a phone, tablet or desktop width.
#[component]
fn Preview(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let width = RwSignal::new(390u32);
    let article = Signal::derive(move || editor.article());
    // Parsed here, as the editor types: the backend parses only what it publishes.
    let document = Memo::new(move |_| article.with(|a| markdown::parse(&a.body)));
    // What the checks found is marked in the preview too, where the editor reads it in context.
    let marks = Signal::derive(move || {
        let mut marks = Marks::default();
        editor.report.with(|r| {
            for finding in &r.findings {
                match finding {
                    Finding::LongWord { word } => marks.words.push(word.clone()),
                    Finding::LongSentence { text, .. } => marks.sentences.push(text.clone()),
                    _ => {}
                }
            }
        });
        marks
    });
    let widths = [
        (390u32, Key::StudioPhone),
        (768, Key::StudioTablet),
        (1280, Key::StudioDesktop),
    ];
    view! {
        <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">{tr(Key::StudioPreviewTitle)}</h2>
            <fieldset class="width-switch">
                <legend>{tr(Key::StudioWidth)}</legend>
                {widths.into_iter().map(|(w, label)| {
                    let id = format!("preview-width-{w}");
                    view! {
                        <input type="radio" name="preview-width" id=id.clone()
                            prop:checked=move || width.get() == w on:change=move |_| width.set(w) />
                        <label for=id>{tr(label)} " " {w} " px"</label>
                    }
                }).collect_view()}
            </fieldset>
            <LanguageLinks editor />
            <div class="preview-frame" style:width=move || format!("{}px", width.get())>
                <p class="preview-banner">{move || i18n.t(preview_banner(editor.status.get()))}</p>
                <h1 class="page-title">{move || article.with(|a| a.title.clone())}</h1>
                <ArticleView article document marks />
            </div>
            <p class="hint">{tr(Key::StudioMarksHint)}</p>
        </section>
    }
}

#[component]
fn LanguageLinks(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="language-links" aria-label=move || i18n.t(Key::StudioTranslations)>
            <ul role="list">
                {move || {
                    let current = editor.language.get_value();
                    let slug = editor.slug.get_value();
                    let existing = editor.languages.get();
                    Language::ALL.into_iter().map(|l| {
                        let tag = l.tag();
                        let href = studio_href(&slug, tag);
                        let label = if existing.iter().any(|e| e == tag) {
                            l.endonym().to_string()
                        } else {
                            format!("{} +", l.endonym())
                        };
                        let here = tag == current;
                        // A full load: the editor reads its article once, when it starts.
                        view! {
                            <li>
                                <a href=href lang=tag aria-current=here.then_some("page")
                                    rel="external">{label}</a>
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </nav>
    }
}

/// Publish with the approval code (asking first when the text reads above the target grade), or
/// take it back from patients.
#[component]
fn Publishing(editor: Editor) -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A message from an earlier try would be out of date whatever happens now.
        error.set(None);
        let approval = code.get_untracked().trim().to_owned();
        if approval.is_empty() {
            error.set(Some(Key::StudioApprovalRequired));
            return;
        }
        let Some(version) = editor.version.get_untracked() else {
            error.set(Some(Key::StudioSaveFirst));
            return;
        };
        if editor.save.get_untracked() != SaveState::Saved {
            error.set(Some(Key::StudioSaveFirst));
            return;
        }
        let scores = editor.report.with_untracked(|r| r.scores);
        let target = editor.target.get_untracked();
        if let Some(s) = scores {
            if !readability::meets_target(&s, target) {
                let question = i18n.fill(
                    Key::StudioConfirmHardToRead,
                    &[
                        ("grade", &format!("{:.1}", s.grade)),
                        ("target", &format!("{target:.0}")),
                    ],
                );
                if !confirm(&question) {
                    return;
                }
            }
        }
        let Some(api) = editor.api.get_value() else {
            return;
        };
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let (slug, language) = (editor.slug.get_value(), editor.language.get_value());
            let request = PublishRequest {
                approval_code: approval,
                version,
            };
            match api.publish(&slug, &language, &request).await {
                Ok(done) => {
                    editor.load(done);
                    code.set(String::new());
                }
                Err(ApiError::Status { status: 412, .. }) => error.set(Some(Key::StudioConflict)),
                Err(e) => error.set(Some(error_key(&e))),
            }
            busy.set(false);
        });
    };
    let unpublish = move |_| {
        let Some(api) = editor.api.get_value() else {
            return;
        };
        // Patients lose the guide at once: asked first, like publishing a hard-to-read text.
        if !confirm(i18n.t(Key::StudioConfirmUnpublish)) {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            let (slug, language) = (editor.slug.get_value(), editor.language.get_value());
            match api.unpublish(&slug, &language).await {
                Ok(done) => editor.load(done),
                Err(e) => error.set(Some(error_key(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="publishing" aria-labelledby="publishing-title">
            <h2 id="publishing-title">{tr(Key::StudioPublishTitle)}</h2>
            <p>
                {move || match editor.status.get() {
                    ArticleStatus::Published => i18n.fill(Key::StudioIsPublished, &[("code", &editor.approval_code.get())]),
                    ArticleStatus::Draft => i18n.t(Key::StudioIsDraft).to_string(),
                }}
            </p>
            <p>
                {tr(Key::StudioPreviewLink)} " "
                <A href=move || preview_href(&editor.slug.get_value(), &editor.language.get_value())>
                    {move || preview_href(&editor.slug.get_value(), &editor.language.get_value())}
                </A>
            </p>
            <form on:submit=publish novalidate>
                <div class="field">
                    <label for="studio-approval">{tr(Key::StudioApprovalCode)}</label>
                    <input id="studio-approval" type="text" maxlength="60" autocomplete="off"
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby=move || error.get().map(|_| "studio-approval-error")
                        prop:value=move || code.get()
                        on:input=move |ev| { code.set(event_target_value(&ev)); error.set(None); } />
                    {move || error.get().map(|k| view! { <p id="studio-approval-error" class="field-error" role="alert">{tr(k)}</p> })}
                </div>
                <p class="form-actions">
                    <button type="submit" class="button button-primary" aria-disabled=move || busy.get().to_string()>
                        {tr(Key::StudioPublish)}
                    </button>
                    {move || (editor.status.get() == ArticleStatus::Published).then(|| view! {
                        <button type="button" class="button" on:click=unpublish>{tr(Key::StudioUnpublish)}</button>
                    })}
                </p>
            </form>
        </section>
    }
}

/// `/studio/preview/:slug/:lang`: the draft exactly as patients will see it, for sharing with other
/// editors (the backend shows drafts to editors only).
#[component]
pub fn StudioPreview() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let loaded = RwSignal::new(None::<Result<StudioDraft, ApiError>>);
    if let Some(api) = use_api() {
        let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
        let language = params.with_untracked(|p| p.get("lang").unwrap_or_default());
        spawn_for_view(async move {
            loaded.set(Some(api.studio_draft(&slug, &language).await));
        });
    }
    move || {
        match loaded.get() {
        None => view! { <PageTitle title=Key::StudioTitle /><p class="status" role="status">{tr(Key::Loading)}</p> }.into_any(),
        Some(Err(e)) => view! {
            <PageTitle title=Key::StudioTitle />
            <div class="form-error" role="alert">
                <p>{move || i18n.t(reading_error_key(&e))}</p>
            </div>
        }
        .into_any(),
        Some(Ok(draft)) => {
            let edit = studio_href(&draft.article.slug, &draft.article.language);
            view! {
                <p class="preview-banner">{tr(preview_banner(draft.article.status))}</p>
                <TextPageTitle text=draft.article.title.clone() />
                <ArticleView article=draft.article.clone() document=markdown::parse(&draft.article.body) />
                <p><A href=edit>{tr(Key::StudioEditThis)}</A></p>
            }
            .into_any()
        }
    }
    }
}

/// What a preview says it is: a draft nobody else sees, or the next version of a published guide.
fn preview_banner(status: ArticleStatus) -> Key {
    match status {
        ArticleStatus::Draft => Key::StudioPreviewBanner,
        ArticleStatus::Published => Key::StudioPreviewBannerPublished,
    }
}
