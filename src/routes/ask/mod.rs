//! Ask: a question to the Medical Information team, in six short steps, with the safety check that is
//! always asked. What the person types is kept on the device until the backend confirms it, so a
//! reload, a validation error or a network failure never loses it.

pub mod controls;
mod steps;

use leptos::html::Div;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use portal_core::api::RuntimeConfig;
use portal_core::api_error::ApiError;
use portal_core::inquiry::{
    check, check_step, first_step_problems, ContactMethod, Field, FieldProblem, InquiryDraft,
    InquiryReceipt, Problem, Product, Step, OTHER_PRODUCT,
};
use portal_core::navigation::Trail;
use serde::{Deserialize, Serialize};

use crate::api::use_api;
use crate::auth::use_auth;
use crate::components::confirm;
use crate::components::focus::{focus_id_later, focus_later, FieldLink};
use crate::components::notices::EmergencyNotice;
use crate::components::page::PageTitle;
use crate::device_store::{self, keys, session_storage};
use crate::i18n::{tr, use_i18n, Key};
use crate::inquiry_outbox::{use_outbox, InquiryOutbox, Sent};
use crate::view_task::spawn_for_view;

use controls::{field_id, problem_text};
use steps::{step_key, StepFields};

/// The label of a topic, for pages that list inquiries.
pub fn topic_label(topic: portal_core::inquiry::Topic) -> Key {
    steps::topic_key(topic)
}

/// The medicines to choose from, as loaded from the backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Products {
    Loading,
    Loaded(Vec<Product>),
    /// The list could not be loaded; "Other or not sure" still lets the person go on.
    Failed,
}

const STEP_HEADING: &str = "ask-step-heading";

/// The form's state, shared by its parts. Copyable handles to signals.
#[derive(Clone, Copy)]
pub struct AskForm {
    pub draft: RwSignal<InquiryDraft>,
    pub step: RwSignal<Step>,
    /// Problems found when the person last tried to go on; each field shows its own.
    pub problems: RwSignal<Vec<FieldProblem>>,
    pub products: RwSignal<Products>,
    /// The person came from the check step to change one answer: Continue takes them back there.
    returning: RwSignal<bool>,
    summary: NodeRef<Div>,
    /// The history entries the steps were given, from the first move on.
    trail: StoredValue<Option<Trail<Step>>>,
    /// What another tab did to the question, said under the step's heading until the next step.
    notice: RwSignal<Option<Key>>,
}

impl AskForm {
    /// Moves to `step` and puts focus on its heading, so a screen reader starts reading there.
    /// The browser's history gets an entry for it, so its Back button goes back a step.
    pub fn go_to(self, step: Step) {
        let from = self.step.get_untracked();
        self.show_step(step);
        if step != from {
            remember_step(from, step);
            self.trail
                .update_value(|t| t.get_or_insert_with(|| Trail::new(from)).push(step));
        }
    }

    /// Back to `step` by the form's own button: the browser's Back when its previous entry is
    /// that step, so the browser's Back then leaves the form instead of walking forward again.
    pub fn go_back(self, step: Step) {
        let previous = self
            .trail
            .with_value(|t| t.as_ref().is_some_and(|t| t.is_previous(step)));
        match web_sys::window().and_then(|w| w.history().ok()) {
            Some(history) if previous && history.back().is_ok() => {}
            _ => self.go_to(step),
        }
    }

    fn show_step(self, step: Step) {
        self.problems.set(Vec::new());
        self.notice.set(None);
        if step == Step::Review {
            self.returning.set(false);
        }
        self.step.set(step);
        // By id, not tied to the view that asked: Back and Change are drawn anew with the step,
        // and their view is gone by the time the heading is there.
        focus_id_later(STEP_HEADING.to_owned());
    }

    /// Deletes the question being written, here and on the device, and starts afresh.
    fn discard(self) {
        self.draft.set(InquiryDraft::default());
        self.returning.set(false);
        self.go_to(Step::Who);
        leptos::task::spawn_local(async {
            let _ = device_store::delete(keys::ASK_DRAFT).await;
        });
    }

    /// Goes back from the check step to change the answers of `step`.
    pub fn change(self, step: Step) {
        self.returning.set(true);
        self.go_to(step);
    }

    /// Whether every step before `to` is answered, as Continue would require to get there.
    fn reachable(self, to: Step) -> bool {
        let known = self.known_product();
        self.draft.with_untracked(|d| {
            Step::ALL
                .iter()
                .filter(|s| **s < to)
                .all(|s| check_step(*s, d, &known).is_empty())
        })
    }

    fn known_product(self) -> impl Fn(&str) -> bool {
        let products = self.products.get_untracked();
        move |id: &str| match &products {
            Products::Loaded(list) => list.iter().any(|p| p.id == id),
            // Without the list the backend is the judge; it answers with a field error if need be.
            _ => true,
        }
    }

    /// Goes to the earliest step with a problem and shows that step's problems there.
    fn show_problems_on_their_step(self, problems: &[FieldProblem]) {
        if let Some((step, here)) = first_step_problems(problems) {
            self.go_to(step);
            self.show_problems(here);
        }
    }

    /// Shows `problems` next to their fields and moves focus to the summary that lists them.
    fn show_problems(self, problems: Vec<FieldProblem>) {
        self.problems.set(problems);
        focus_later(move || {
            self.summary
                .try_get_untracked()
                .flatten()
                .map(|s| s.focus())
        });
    }
}

/// The step the address names (`?step=3`), if any.
fn step_in_address() -> Option<Step> {
    let search = web_sys::window()?.location().search().ok()?;
    let n: usize = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix("step="))?
        .parse()
        .ok()?;
    Step::ALL.get(n.checked_sub(1)?).copied()
}

/// Gives `to` an entry in the browser's history. The entry Ask was opened on is first marked
/// with the step it showed (a draft may have reopened on any step), so Back returns to it.
fn remember_step(from: Step, to: Step) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let (Ok(history), Ok(path)) = (window.history(), window.location().pathname()) else {
        return;
    };
    let address = |step: Step| format!("{path}?step={}", step.number());
    if step_in_address().is_none() {
        history_entry(&history, &address(from), false);
    }
    history_entry(&history, &address(to), true);
}

/// Gives the current history entry (`push`: a new one) `address`. The router keeps its own state
/// in the entry; it is carried over.
fn history_entry(history: &web_sys::History, address: &str, push: bool) {
    let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
    let _ = if push {
        history.push_state_with_url(&state, "", Some(address))
    } else {
        history.replace_state_with_url(&state, "", Some(address))
    };
}

/// The draft as kept on the device.
#[derive(Serialize, Deserialize)]
struct StoredDraft {
    step: usize,
    draft: InquiryDraft,
    /// The tab that wrote it ([`this_tab`]). Every tab of the form writes the same key, so a tab
    /// coming back into use first takes over what another tab wrote since, instead of writing its
    /// older copy over it.
    #[serde(default)]
    tab: String,
}

/// This tab's name among the tabs writing the draft: random, and new with every page load.
fn this_tab() -> String {
    thread_local! {
        static TAB: String = format!("{:x}", (js_sys::Math::random() * 1e15) as u64);
    }
    TAB.with(Clone::clone)
}

/// Whether a question has been started on this device and not sent (see
/// [`InquiryDraft::is_started`]).
pub(crate) async fn draft_started() -> bool {
    match device_store::get(keys::ASK_DRAFT).await {
        Ok(Some(text)) => {
            serde_json::from_str::<StoredDraft>(&text).is_ok_and(|stored| stored.draft.is_started())
        }
        _ => false,
    }
}

/// A delivered question's confirmation, kept in the tab's sessionStorage under this key so a
/// reload does not lose the reference number the person was asked to keep. Gone when the tab
/// closes, and at sign-out with the rest of sessionStorage.
const SENT_KEY: &str = "portal.ask.sent";

#[derive(Serialize, Deserialize)]
struct KeptConfirmation {
    receipt: InquiryReceipt,
    method: Option<ContactMethod>,
    reported: bool,
}

/// Shows the confirmation at its own address (`/ask?sent=MI-…`) and keeps it for a reload.
fn keep_confirmation(kept: &KeptConfirmation) {
    if let (Some(storage), Ok(text)) = (session_storage(), serde_json::to_string(kept)) {
        let _ = storage.set_item(SENT_KEY, &text);
    }
    let reference = portal_core::navigation::encode_query_value(&kept.receipt.reference);
    replace_address(&format!("/ask?sent={reference}"));
}

/// The confirmation kept for the reference `sent` names, if this tab has it.
fn kept_confirmation(sent: &str) -> Option<Done> {
    let text = session_storage()?.get_item(SENT_KEY).ok()??;
    let kept: KeptConfirmation = serde_json::from_str(&text).ok()?;
    (kept.receipt.reference == sent).then_some(Done::Delivered {
        receipt: kept.receipt,
        method: kept.method,
        reported: kept.reported,
    })
}

fn forget_confirmation() {
    if let Some(storage) = session_storage() {
        let _ = storage.remove_item(SENT_KEY);
    }
    replace_address("/ask");
}

fn replace_address(address: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        history_entry(&history, address, false);
    }
}

/// What happened when the person pressed Send.
#[derive(Debug, Clone, PartialEq)]
enum Done {
    Delivered {
        receipt: InquiryReceipt,
        method: Option<ContactMethod>,
        /// The person reported a safety event, rather than only speaking of one in the question.
        reported: bool,
    },
    Queued(Key),
}

#[component]
pub fn Ask() -> impl IntoView {
    let api = use_api();
    let auth = use_auth();
    let outbox = use_outbox();
    let query = use_query_map();
    let form = AskForm {
        draft: RwSignal::new(InquiryDraft::default()),
        step: RwSignal::new(Step::Who),
        problems: RwSignal::new(Vec::new()),
        products: RwSignal::new(Products::Loading),
        returning: RwSignal::new(false),
        summary: NodeRef::new(),
        trail: StoredValue::new(None),
        notice: RwSignal::new(None),
    };
    let restored = RwSignal::new(false);
    // Opened to ask about a medicine while a question about another one waits.
    let other_medicine = RwSignal::new(None::<String>);
    // A reload of the confirmation shows it again.
    let sent = query.with_untracked(|q| q.get("sent"));
    let done = RwSignal::new(sent.as_deref().and_then(kept_confirmation));
    // Whether this tab has stored its draft: only then does a missing one mean another tab (or
    // sign-out) removed it, rather than a write that failed.
    let written = StoredValue::new(false);
    let sending = RwSignal::new(false);

    if let Some(api) = api.clone() {
        spawn_for_view(async move {
            let loaded = api.products().await;
            form.products.set(match loaded {
                Ok(list) => Products::Loaded(list),
                Err(_) => Products::Failed,
            });
        });
    }

    // The draft comes back from the device before anything is shown, so an empty form never
    // overwrites a stored one.
    spawn_for_view(async move {
        if let Ok(Some(text)) = device_store::get(keys::ASK_DRAFT).await {
            if let Ok(stored) = serde_json::from_str::<StoredDraft>(&text) {
                form.draft.set(stored.draft);
                // The step this history entry showed (Forward back into the form), else the
                // one last shown.
                let step = step_in_address()
                    .filter(|s| form.reachable(*s))
                    .or_else(|| Step::ALL.get(stored.step.saturating_sub(1)).copied());
                if let Some(step) = step {
                    form.step.set(step);
                }
            }
        }
        // "Ask about this medicine" from a Learn page fills in the medicine when none is chosen
        // yet; a question started about another one is not switched under the person: they choose.
        if let Some(id) = query.get_untracked().get("medicine") {
            let earlier = form.draft.with_untracked(|d| d.product_id.clone());
            if earlier.is_empty() {
                form.draft.update(|d| d.product_id = id);
            } else if earlier != id {
                other_medicine.set(Some(id));
            }
        }
        restored.set(true);
    });

    Effect::new(move |_| {
        let snapshot = StoredDraft {
            step: form.step.get().number(),
            draft: form.draft.get(),
            tab: this_tab(),
        };
        if !restored.get_untracked() {
            return;
        }
        let Ok(text) = serde_json::to_string(&snapshot) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if device_store::put(keys::ASK_DRAFT, &text).await.is_ok() {
                let _ = written.try_update_value(|w| *w = true);
            }
        });
    });

    // Back in this tab after typing in another: that tab's answers are the newest, and this one's
    // next keystroke would otherwise store its older copy over them.
    let take_over = move || {
        if !restored.get_untracked() || done.with_untracked(Option::is_some) {
            return;
        }
        spawn_for_view(async move {
            let Ok(stored) = device_store::get(keys::ASK_DRAFT).await else {
                return;
            };
            let stored = match stored.map(|text| serde_json::from_str::<StoredDraft>(&text)) {
                Some(Ok(stored)) => Some(stored),
                Some(Err(_)) => return,
                None => None,
            };
            let empty = InquiryDraft::default();
            let ours_empty = form.draft.with_untracked(|d| *d == empty);
            match stored {
                Some(stored) if stored.tab == this_tab() => {}
                Some(stored) if stored.draft != empty => {
                    if form.draft.with_untracked(|d| *d == stored.draft) {
                        return;
                    }
                    form.draft.set(stored.draft);
                    // On the step the person was at there, with the focus on its heading and
                    // the note just under it.
                    let there = Step::ALL
                        .get(stored.step.saturating_sub(1))
                        .copied()
                        .filter(|s| form.reachable(*s));
                    let here = form.step.get_untracked();
                    form.go_to(there.unwrap_or(if form.reachable(here) {
                        here
                    } else {
                        Step::Who
                    }));
                    form.notice.set(Some(Key::AskDraftTakenOver));
                }
                // Sent or deleted there: kept here, it could be sent a second time.
                Some(_) if !ours_empty => ended_elsewhere(form),
                None if !ours_empty && written.get_value() => ended_elsewhere(form),
                _ => {}
            }
        });
    };
    let on_focus = window_event_listener(leptos::ev::focus, move |_| take_over());
    let on_visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
        let visible = web_sys::window()
            .and_then(|w| w.document())
            .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
        if visible {
            take_over();
        }
    });
    on_cleanup(move || {
        on_focus.remove();
        on_visible.remove();
    });

    // The browser's Back and Forward move between steps; Forward only as far as the answers
    // given allow, as Continue would.
    let on_history = window_event_listener(leptos::ev::popstate, move |_| {
        let Some(to) = step_in_address() else {
            return;
        };
        form.trail.update_value(|t| {
            if let Some(t) = t {
                t.moved_to(to);
            }
        });
        let here = form.step.get_untracked();
        if to == here {
            return;
        }
        if to > here && !form.reachable(to) {
            return;
        }
        if to == Step::Reply {
            prefill_contact(form, auth.session().map(|s| s.user));
        }
        form.show_step(to);
    });
    // The browser would put back where an entry was scrolled to (the Continue button at the
    // bottom of the step) after the step's heading has taken the focus: the heading decides.
    let scroll_restoration = |mode: &str| {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = js_sys::Reflect::set(&history, &"scrollRestoration".into(), &mode.into());
        }
    };
    scroll_restoration("manual");
    on_cleanup(move || {
        on_history.remove();
        scroll_restoration("auto");
    });

    let go_on = move || {
        let step = form.step.get_untracked();
        let problems = form
            .draft
            .with_untracked(|d| check_step(step, d, form.known_product()));
        if !problems.is_empty() {
            form.show_problems(problems);
            return;
        }
        // Back from a change to the check, once nothing else is missing.
        if form.returning.get_untracked()
            && form
                .draft
                .with_untracked(|d| check(d, form.known_product()).is_empty())
        {
            form.go_to(Step::Review);
            return;
        }
        if let Some(next) = step.next() {
            if next == Step::Reply {
                prefill_contact(form, auth.session().map(|s| s.user));
            }
            form.go_to(next);
        }
    };

    let submit = move || {
        if sending.get_untracked() {
            return;
        }
        let draft = form.draft.get_untracked();
        let problems = check(&draft, form.known_product());
        if !problems.is_empty() {
            // Only reachable when a stored draft is out of date: send the person to the step to fix.
            form.show_problems_on_their_step(&problems);
            return;
        }
        let Some(outbox) = outbox else {
            return;
        };
        sending.set(true);
        let method = draft.contact_method;
        let reported = draft.is_safety_report();
        leptos::task::spawn_local(async move {
            let sent = outbox.submit(draft.trimmed_for_sending()).await;
            sending.set(false);
            match sent {
                Sent::Delivered(receipt) => {
                    finish(
                        form,
                        done,
                        Done::Delivered {
                            receipt,
                            method,
                            reported,
                        },
                    )
                    .await
                }
                Sent::Queued(error) => {
                    let reason = if error == ApiError::Network {
                        Key::AskQueuedOffline
                    } else {
                        Key::AskQueuedNoAnswer
                    };
                    finish(form, done, Done::Queued(reason)).await
                }
                Sent::Refused(error) => {
                    // Back to the form with the backend's reasons beside the fields; the text stays.
                    let mut problems = backend_problems(&error);
                    if problems.is_empty() {
                        problems.push(FieldProblem {
                            field: Field::Question,
                            problem: Problem::Invalid,
                        });
                    }
                    form.show_problems_on_their_step(&problems);
                }
            }
        });
    };

    // A question the backend refused in the background comes back into the form to be checked.
    let i18n = use_i18n();
    let open_returned = move |key: String| {
        let Some(outbox) = outbox else {
            return;
        };
        let busy = form.draft.with_untracked(|d| *d != InquiryDraft::default());
        if busy && !confirm(i18n.t(Key::AskReplaceDraft)) {
            return;
        }
        if done.get_untracked().is_some() {
            forget_confirmation();
            done.set(None);
        }
        leptos::task::spawn_local(async move {
            if let Some(draft) = outbox.take_back(&key).await {
                form.draft.set(draft);
                form.go_to(Step::Review);
            }
        });
    };

    let contact = use_context::<RuntimeConfig>();
    let phone = contact
        .as_ref()
        .map(|c| c.medical_information_phone.clone())
        .unwrap_or_default();
    let email = contact
        .map(|c| c.medical_information_email)
        .unwrap_or_default();
    let tel = format!("tel:{}", phone.replace(' ', ""));
    let mailto = format!("mailto:{email}");

    view! {
        <PageTitle title=Key::AskTitle />
        <EmergencyNotice />
        <p class="lead">{tr(Key::AskIntro)}</p>
        // Answers come days later: a person back for theirs starts here.
        {move || auth.session().is_some().then(|| view! {
            <p><A href="/ask/mine">{tr(Key::AskMineLink)}</A></p>
        })}
        {move || outbox.map(|o| view! { <OutboxPanel outbox=o on_open=open_returned /> })}
        {move || other_medicine.get().filter(|_| done.with(Option::is_none)).map(|asked| view! {
            <OtherMedicineChoice form asked on_done=move || other_medicine.set(None) />
        })}
        {move || match (done.get(), restored.get()) {
            (Some(d), _) => view! {
                <DoneView done=d on_again=move || {
                    forget_confirmation();
                    done.set(None);
                } />
            }
            .into_any(),
            (None, false) => view! { <p class="status ask-restoring" role="status">{tr(Key::Loading)}</p> }.into_any(),
            (None, true) => view! {
                <AskSteps form sending on_next=go_on on_submit=submit />
            }.into_any(),
        }}
        <h2>{tr(Key::AskContactTitle)}</h2>
        <dl class="contact-list">
            <dt>{tr(Key::AskPhone)}</dt>
            <dd><a href=tel>{phone}</a></dd>
            <dt>{tr(Key::AskEmail)}</dt>
            <dd><a href=mailto>{email}</a></dd>
        </dl>
    }
}

/// A question about one medicine is being written, and the person came to ask about another
/// (`/ask?medicine=…` from a Learn page): go on with the earlier one, or start anew about this one.
#[component]
fn OtherMedicineChoice(
    form: AskForm,
    asked: String,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let asked = StoredValue::new(asked);
    let earlier = move || {
        let (id, other) = form
            .draft
            .with(|d| (d.product_id.clone(), d.product_other.trim().to_owned()));
        let name = if id == OTHER_PRODUCT {
            (!other.is_empty()).then_some(other)
        } else {
            form.products.with(|p| match p {
                Products::Loaded(list) => list.iter().find(|p| p.id == id).map(|p| p.name.clone()),
                _ => None,
            })
        };
        match name {
            Some(name) => i18n.fill(Key::AskOtherMedicine, &[("medicine", &name)]),
            None => i18n.t(Key::AskOtherMedicineUnnamed).to_owned(),
        }
    };
    let start_new = move |_| {
        form.draft.set(InquiryDraft {
            product_id: asked.get_value(),
            ..InquiryDraft::default()
        });
        form.returning.set(false);
        form.go_to(Step::Who);
        on_done();
    };
    view! {
        <div class="notice" role="status">
            <p>{earlier}</p>
            <p class="form-actions">
                <button type="button" class="button button-primary" on:click=move |_| on_done()>
                    {tr(Key::AskOtherContinue)}
                </button>
                <button type="button" class="button" on:click=start_new>{tr(Key::AskOtherNew)}</button>
            </p>
        </div>
    }
}

/// Another tab sent or deleted the question this one shows: starts afresh, and says why.
fn ended_elsewhere(form: AskForm) {
    form.draft.set(InquiryDraft::default());
    form.returning.set(false);
    form.go_to(Step::Who);
    form.notice.set(Some(Key::AskDraftEndedElsewhere));
}

/// Clears the form (its text now lives in the outbox or with the team) and shows what happened.
async fn finish(form: AskForm, done: RwSignal<Option<Done>>, result: Done) {
    form.draft.set(InquiryDraft::default());
    form.step.set(Step::Who);
    form.returning.set(false);
    form.problems.set(Vec::new());
    let _ = device_store::delete(keys::ASK_DRAFT).await;
    if let Done::Delivered {
        receipt,
        method,
        reported,
    } = &result
    {
        keep_confirmation(&KeptConfirmation {
            receipt: receipt.clone(),
            method: *method,
            reported: *reported,
        });
    }
    done.set(Some(result));
    focus_later(|| {
        web_sys::window()?
            .document()?
            .get_element_by_id("ask-done")?
            .dyn_into::<web_sys::HtmlElement>()
            .ok()?
            .focus()
            .ok()
    });
}

use wasm_bindgen::JsCast;

/// The backend's field errors as the form's own problems, for the fields the form knows.
fn backend_problems(error: &ApiError) -> Vec<FieldProblem> {
    error
        .field_errors()
        .iter()
        .filter_map(|e| {
            let field = Field::from_json_name(&e.field)?;
            let problem = match e.code.as_str() {
                "required" => Problem::Required,
                "unknown_choice" => Problem::UnknownChoice,
                _ => Problem::Invalid,
            };
            Some(FieldProblem { field, problem })
        })
        .collect()
}

/// A signed-in person's name and email are filled in for them; they can still change both.
fn prefill_contact(form: AskForm, user: Option<portal_core::api::User>) {
    let Some(user) = user else {
        return;
    };
    form.draft.update(|d| {
        if d.name.trim().is_empty() {
            d.name = user.display_name.clone();
        }
        if d.email.trim().is_empty() {
            d.email = user.email.clone();
        }
    });
}

/// The step being filled in, with the progress through all six and the buttons to move.
#[component]
fn AskSteps(
    form: AskForm,
    sending: RwSignal<bool>,
    on_next: impl Fn() + Copy + Send + Sync + 'static,
    on_submit: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let step = form.step;
    let progress = move || {
        i18n.fill(
            Key::AskStepOf,
            &[
                ("n", &step.get().number().to_string()),
                ("total", &Step::ALL.len().to_string()),
            ],
        )
    };
    view! {
        <div class="ask-form">
            <ol class="steps" aria-label=move || i18n.t(Key::AskProgress)>
                {Step::ALL.iter().map(|s| {
                    let s = *s;
                    view! {
                        <li
                            class:current=move || step.get() == s
                            class:complete=move || { step.get() > s }
                            aria-current=move || (step.get() == s).then_some("step")
                        >
                            <span class="step-number" aria-hidden="true">{s.number()}</span>
                            <span class="step-name">{move || i18n.t(step_key(s))}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <form
                novalidate
                on:submit=move |ev| {
                    ev.prevent_default();
                    if step.get_untracked() == Step::Review {
                        on_submit();
                    } else {
                        on_next();
                    }
                }
            >
                <p class="step-count">{progress}</p>
                <h2 id=STEP_HEADING tabindex="-1">
                    {move || i18n.t(step_key(step.get()))}
                </h2>
                {move || form.notice.get().map(|key| view! { <p class="notice" role="status">{tr(key)}</p> })}
                <ErrorSummary form />
                {move || view! { <StepFields form step=step.get() /> }}
                <div class="form-actions">
                    {move || step.get().previous().map(|prev| view! {
                        <button type="button" class="button" on:click=move |_| form.go_back(prev)>
                            {tr(Key::AskBack)}
                        </button>
                    })}
                    <button
                        type="submit"
                        class="button button-primary"
                        aria-disabled=move || sending.get().to_string()
                    >
                        {move || {
                            if sending.get() {
                                i18n.t(Key::AskSending)
                            } else if step.get() == Step::Review {
                                i18n.t(Key::AskSend)
                            } else {
                                i18n.t(Key::AskContinue)
                            }
                        }}
                    </button>
                </div>
                <p class="hint">{tr(Key::AskKeptOnDevice)}</p>
                // On a shared phone the next person would find it: the writer can delete it.
                {move || form.draft.with(InquiryDraft::is_started).then(|| view! {
                    <p>
                        <button type="button" class="link-button" on:click=move |_| {
                            if confirm(i18n.t(Key::AskDiscardConfirm)) {
                                form.discard();
                            }
                        }>{tr(Key::AskDiscard)}</button>
                    </p>
                })}
            </form>
        </div>
    }
}

/// "There is a problem", listing each one with a link to its field; focused when it appears so a
/// screen reader reads it at once.
#[component]
fn ErrorSummary(form: AskForm) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div
            class="error-summary"
            class:hidden=move || form.problems.with(Vec::is_empty)
            role="alert"
            tabindex="-1"
            aria-labelledby="ask-error-summary-title"
            node_ref=form.summary
        >
            {move || (!form.problems.with(Vec::is_empty)).then(|| view! {
                <h3 id="ask-error-summary-title">{tr(Key::AskProblemTitle)}</h3>
                <ul>
                    {form.problems.get().into_iter().map(|p| view! {
                        // A closure of its own: a component's children are read untracked, and
                        // the text must follow a change of language.
                        <li><FieldLink target=field_id(p.field)>{move || problem_text(i18n, p)}</FieldLink></li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The confirmation: a reference number and what happens next, or that the question is safe on the
/// device and will be sent.
#[component]
fn DoneView(done: Done, on_again: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let queued = matches!(done, Done::Queued(_));
    // A queued question sent meanwhile (nothing waits any more) is said to be sent here too,
    // not "will be sent" under the notice that it has been.
    let outbox = use_outbox();
    let sent_meanwhile = move || {
        outbox
            .filter(|o| o.entries().is_empty())
            .and_then(|o| o.delivered().pop())
    };
    let body = match done {
        Done::Delivered {
            receipt,
            method,
            reported,
        } => {
            let how = match method {
                Some(ContactMethod::Phone) => Key::AskReplyByPhone,
                Some(ContactMethod::Post) => Key::AskReplyByPost,
                _ => Key::AskReplyByEmail,
            };
            let days = receipt.reply_within_working_days.to_string();
            let safety = receipt.safety_report.then_some(if reported {
                Key::AskSentSafety
            } else {
                Key::AskSentSafetyMentioned
            });
            view! {
                <h2 id="ask-done" tabindex="-1">{tr(Key::AskSentTitle)}</h2>
                <p>{tr(Key::AskReferenceLabel)}</p>
                <p class="reference">{receipt.reference.clone()}</p>
                <p>{tr(Key::AskReferenceKeep)}</p>
                <h3>{tr(Key::AskNextTitle)}</h3>
                <p>{move || i18n.fill(how, &[("days", &days)])}</p>
                {safety.map(|key| view! { <p class="notice">{tr(key)}</p> })}
            }
            .into_any()
        }
        Done::Queued(reason) => view! {
            {move || match sent_meanwhile() {
                Some(receipt) => view! {
                    <h2 id="ask-done" tabindex="-1">{tr(Key::AskSentTitle)}</h2>
                    <p>{tr(Key::AskReferenceLabel)}</p>
                    <p class="reference">{receipt.reference}</p>
                    <p>{tr(Key::AskReferenceKeep)}</p>
                }
                .into_any(),
                None => view! {
                    <h2 id="ask-done" tabindex="-1">{tr(Key::AskQueuedTitle)}</h2>
                    <p>{tr(reason)}</p>
                    <p>{tr(Key::AskQueuedBody)}</p>
                }
                .into_any(),
            }}
        }
        .into_any(),
    };
    view! {
        <section class="ask-done" class:ask-queued=move || queued && sent_meanwhile().is_none() role="status">
            {body}
            <p class="form-actions">
                <button type="button" class="button" on:click=move |_| on_again()>
                    {tr(Key::AskAnother)}
                </button>
                {move || auth.session().is_some().then(|| view! {
                    <A href="/ask/mine" attr:class="button">{tr(Key::AskMineLink)}</A>
                })}
            </p>
        </section>
    }
}

/// Inquiries waiting on this device, and ones a background retry delivered while this page was open.
/// `on_open` takes a refused one back into the form.
#[component]
pub fn OutboxPanel(
    outbox: InquiryOutbox,
    on_open: impl Fn(String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let waiting = move || outbox.entries();
    view! {
        {move || outbox.delivered().into_iter().map(|r| {
            let reference = r.reference.clone();
            view! {
                <div class="notice notice-success" role="status">
                    <p>{i18n.fill(Key::AskDeliveredLater, &[("reference", &r.reference)])}</p>
                    <button type="button" class="link-button" on:click=move |_| outbox.dismiss_delivered(&reference)>
                        {tr(Key::Dismiss)}
                    </button>
                </div>
            }
        }).collect_view()}
        {move || {
            let list = waiting();
            (!list.is_empty()).then(|| view! {
                <section class="outbox" aria-labelledby="outbox-title">
                    <h2 id="outbox-title">
                        {i18n.fill(Key::AskWaitingTitle, &[("count", &list.len().to_string())])}
                    </h2>
                    <p>{tr(Key::AskWaitingBody)}</p>
                    {(!outbox.is_persistent()).then(|| view! {
                        <p class="field-error">{tr(Key::AskNotPersistent)}</p>
                    })}
                    <ul class="outbox-list">
                        {list.into_iter().map(|e| {
                            let excerpt: String = e.inquiry.question.chars().take(120).collect();
                            let status = if e.needs_person {
                                Key::AskWaitingRefused
                            } else if outbox.is_sending(&e.key) {
                                Key::AskSending
                            } else {
                                Key::AskWaitingToSend
                            };
                            let key = e.key.clone();
                            view! {
                                <li>
                                    <span class="badge">{tr(status)}</span>
                                    <span class="outbox-question">{excerpt}</span>
                                    {e.needs_person.then(|| view! {
                                        <button type="button" class="link-button" on:click=move |_| on_open(key.clone())>
                                            {tr(Key::AskOpenReturned)}
                                        </button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <button type="button" class="button" on:click=move |_| outbox.retry_all_now()>
                        {tr(Key::AskTryNow)}
                    </button>
                </section>
            })
        }}
    }
}
