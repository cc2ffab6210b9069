//! The people reminders are kept for (myself, Mum, a child): name, colour and time zone, and each
//! person's calendar export. A form being filled in is kept on the device as it is typed, so a
//! reload or a refused save never loses it, and a person changed elsewhere meanwhile is never
//! silently overwritten.

use leptos::prelude::*;
use portal_core::api_error::ApiError;
use portal_core::reminders::{
    check_person, is_zone_name, FieldIssue, Person, PersonInput, COLOURS, MAX_PERSON_NAME_CHARS,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

use super::form::schedule_words;
use super::{Section, SectionNav, SyncLine};
use crate::api::{use_api, CalendarFeed};
use crate::components::confirm;
use crate::components::error_text::error_key;
use crate::components::focus::{focus_id_later, focus_later};
use crate::components::page::PageTitle;
use crate::device_store::{self, keys};
use crate::i18n::{local_date, tr, use_i18n, Key};
use crate::inquiry_outbox::new_key;
use crate::reminder_data::{use_reminder_data, ReminderData};
use crate::time_zones::{device_zone, zone_names};
use crate::view_task::spawn_for_view;

/// A person's form as kept on the device while it is filled in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersonDraft {
    /// The person's id, or empty for a new person.
    target: String,
    name: String,
    colour: String,
    zone: String,
    /// The person's version when the form was opened.
    base_version: Option<u64>,
    /// The idempotency key of a new person, kept so a retried save adds them once.
    key: String,
}

/// The forms kept on the device, as read when the page opened and as typed since. Only reading
/// them and forgetting one notify: a card opens its form when it finds its draft there, and a
/// keystroke must not do that again.
#[derive(Clone, Copy)]
struct Drafts(RwSignal<Option<Vec<PersonDraft>>>);

impl Drafts {
    fn of(&self, target: &str) -> Option<PersonDraft> {
        self.0
            .with_untracked(|d| d.as_ref()?.iter().find(|x| x.target == target).cloned())
    }

    /// Whether `target` has a draft; tracked, so it changes once the drafts have been read.
    fn has(&self, target: &str) -> bool {
        self.0.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.iter().any(|x| x.target == target))
        })
    }

    fn keep(&self, draft: PersonDraft) {
        self.0.update_untracked(|d| {
            let list = d.get_or_insert_with(Vec::new);
            list.retain(|x| x.target != draft.target);
            list.push(draft.clone());
        });
        store_draft(draft.target.clone(), Some(draft));
    }

    fn forget(&self, target: &str) {
        self.0.update(|d| {
            if let Some(list) = d {
                list.retain(|x| x.target != target);
            }
        });
        store_draft(target.to_owned(), None);
    }
}

/// Writes the draft of `target` to the device, or removes it when `None`.
fn store_draft(target: String, draft: Option<PersonDraft>) {
    leptos::task::spawn_local(async move {
        let same = move |x: &PersonDraft| x.target == target;
        let _ = device_store::keep_in_list(keys::PERSON_DRAFTS, same, draft).await;
    });
}

#[component]
pub fn People() -> impl IntoView {
    let Some(data) = use_reminder_data() else {
        return view! { <p>{tr(Key::ErrorUnexpected)}</p> }.into_any();
    };
    data.wake();
    let adding = RwSignal::new(false);
    // Said once a person is gone: their card, and the focus in it, go with them.
    let removed = RwSignal::new(None::<String>);
    let drafts = Drafts(RwSignal::new(None));
    spawn_for_view(async move {
        drafts
            .0
            .set(Some(device_store::read_list(keys::PERSON_DRAFTS).await));
    });
    // A new person's form that was being filled in opens again as it was left.
    Effect::new(move |_| {
        if drafts.has("") && !adding.get_untracked() {
            adding.set(true);
        }
    });
    view! {
        <PageTitle title=Key::PeopleTitle />
        <SectionNav current=Section::People />
        <SyncLine data />
        <p class="lead">{tr(Key::PeopleIntro)}</p>
        <div role="status">{move || removed.get().map(|text| view! { <p class="notice">{text}</p> })}</div>
        <ul class="people-list">
            // Keyed, so a person added elsewhere does not close a form open on another card.
            <For each=move || data.people.get() key=|p| (p.id.clone(), p.version) let:person>
                <li><PersonCard person data removed drafts /></li>
            </For>
        </ul>
        // A new device shows the form only once it knows there is nobody yet.
        {move || if adding.get() || (data.people.with(Vec::is_empty) && data.synced_at.get().is_some()) {
            view! {
                <section class="card" aria-labelledby="new-person-heading">
                    <h2 id="new-person-heading">{tr(Key::PeopleAddHeading)}</h2>
                    <PersonForm data drafts existing=None on_done=move || {
                        adding.set(false);
                        focus_id_later(ADD_PERSON.to_owned());
                    } />
                </section>
            }.into_any()
        } else {
            view! {
                <button type="button" id=ADD_PERSON class="button button-primary" on:click=move |_| {
                    adding.set(true);
                    focus_id_later(person_field_id(None, "name"));
                }>
                    {tr(Key::RemindersAddPerson)}
                </button>
            }.into_any()
        }}
    }
    .into_any()
}

#[component]
fn PersonCard(
    person: Person,
    data: ReminderData,
    removed: RwSignal<Option<String>>,
    drafts: Drafts,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let i18n = use_i18n();
    {
        // A change that was being typed opens again as it was left, also when this card is drawn
        // anew because the person was changed elsewhere.
        let id = person.id.clone();
        Effect::new(move |_| {
            if drafts.has(&id) && !editing.get_untracked() {
                editing.set(true);
            }
        });
    }
    let count = {
        let id = person.id.clone();
        move || {
            data.reminders
                .with(|l| l.iter().filter(|r| r.person_id == id).count())
        }
    };
    let stored = StoredValue::new(person.clone());
    let heading_id = format!("person-{}", person.id);
    let labelled_by = heading_id.clone();
    view! {
        <article class="card person-card" aria-labelledby=labelled_by>
            <h2 id=heading_id class="card-title">
                <span class=format!("person-dot colour-{}", person.colour) aria-hidden="true"></span>
                {person.name.clone()}
            </h2>
            <p>{move || i18n.fill(Key::PeopleSummary, &[("zone", &stored.with_value(|p| p.zone.clone())), ("count", &count().to_string())])}</p>
            {move || if editing.get() {
                view! { <PersonForm data drafts existing=Some(stored.get_value()) on_done=move || {
                    editing.set(false);
                    focus_id_later(stored.with_value(|p| format!("change-{}", p.id)));
                } /> }.into_any()
            } else {
                view! {
                    <button type="button" id=stored.with_value(|p| format!("change-{}", p.id)) class="button" on:click=move |_| {
                        editing.set(true);
                        focus_id_later(stored.with_value(|p| person_field_id(Some(&p.id), "name")));
                    }>
                        {move || i18n.fill(Key::PeopleChange, &[("name", &stored.with_value(|p| p.name.clone()))])}
                    </button>
                }.into_any()
            }}
            {move || {
                let own: Vec<_> = data.reminders.with(|l| {
                    l.iter().filter(|r| stored.with_value(|p| r.person_id == p.id)).cloned().collect()
                });
                (!own.is_empty()).then(|| view! {
                    <h3>{tr(Key::PeopleReminders)}</h3>
                    <ul class="reminder-list">
                        {own.into_iter().map(|r| {
                            let title = super::dose_title(&r);
                            let words = schedule_words(i18n, &r.schedule.pattern);
                            let href = format!("/reminders/edit/{}", r.id);
                            let label = i18n.fill(Key::RemindersChangeReminder, &[("medicine", &title)]);
                            view! {
                                <li>
                                    <strong>{title}</strong> ": " {words} " "
                                    <a href=href aria-label=label>{tr(Key::PeopleChangeShort)}</a>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })
            }}
            <CalendarExport person=stored.get_value() />
            <RemovePerson person=stored data removed />
        </article>
    }
}

/// "Remove Dad", confirmed first: their reminders and logged doses go too, on the backend and here.
#[component]
fn RemovePerson(
    person: StoredValue<Person>,
    data: ReminderData,
    removed: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = StoredValue::new(send_wrapper::SendWrapper::new(use_api()));
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<Key>);
    let id = person.with_value(|p| p.id.clone());
    let open_id = format!("remove-{id}");
    let question_id = format!("remove-question-{id}");
    let name = move || person.with_value(|p| p.name.clone());
    let ask = {
        let question_id = question_id.clone();
        move |_| {
            failure.set(None);
            asking.set(true);
            focus_id_later(question_id.clone());
        }
    };
    let cancel = {
        let open_id = open_id.clone();
        move |_| {
            asking.set(false);
            focus_id_later(open_id.clone());
        }
    };
    let remove = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some(api) = api.get_value().take() else {
            return;
        };
        let (id, name) = person.with_value(|p| (p.id.clone(), p.name.clone()));
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            match api.delete_person(&id).await {
                // Already gone (removed on another device): the same outcome.
                Ok(()) | Err(ApiError::Status { status: 404, .. }) => {
                    data.remove_person(&id);
                    removed.set(Some(i18n.fill(Key::PeopleRemoved, &[("name", &name)])));
                    focus_later(|| {
                        web_sys::window()?
                            .document()?
                            .query_selector("h1")
                            .ok()??
                            .dyn_into::<web_sys::HtmlElement>()
                            .ok()?
                            .focus()
                            .ok()
                    });
                }
                Err(e) => {
                    busy.try_set(false);
                    failure.try_set(Some(error_key(&e)));
                }
            }
        });
    };
    view! {
        {move || if asking.get() {
            view! {
                <div class="notice notice-urgent remove-person">
                    <p id=question_id.clone() tabindex="-1">
                        {move || i18n.fill(Key::PeopleRemoveConfirm, &[("name", &name())])}
                    </p>
                    <div class="dose-actions">
                        <button type="button" class="button button-primary" on:click=remove
                            aria-disabled=move || busy.get().to_string()>
                            {move || i18n.fill(Key::PeopleRemove, &[("name", &name())])}
                        </button>
                        <button type="button" class="button" on:click=cancel.clone()>{tr(Key::Cancel)}</button>
                    </div>
                    <p role="status">{move || failure.get().map(|k| tr(k)())}</p>
                </div>
            }.into_any()
        } else {
            view! {
                <p>
                    <button type="button" id=open_id.clone() class="button" on:click=ask.clone()>
                        {move || i18n.fill(Key::PeopleRemove, &[("name", &name())])}
                    </button>
                </p>
            }.into_any()
        }}
    }
}

/// Adds a person, or changes one (with the version it was loaded at).
#[component]
fn PersonForm(
    data: ReminderData,
    drafts: Drafts,
    existing: Option<Person>,
    on_done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let api = StoredValue::new(send_wrapper::SendWrapper::new(use_api()));
    let field_id = |field: &str| person_field_id(existing.as_ref().map(|p| p.id.as_str()), field);
    let name_id = field_id("name");
    let zone_id = field_id("zone");
    let list_id = field_id("zones");
    let colour_id = field_id("colour");
    let first_field_id = {
        let (name_id, zone_id) = (name_id.clone(), zone_id.clone());
        move |field: &str| {
            if field == "name" {
                name_id.clone()
            } else {
                zone_id.clone()
            }
        }
    };
    let target = existing.as_ref().map(|p| p.id.clone()).unwrap_or_default();
    let draft = drafts.of(&target);
    // Saved elsewhere since the form was opened: said, with what is saved now; Save then
    // replaces it knowingly.
    let changed_elsewhere = match (&draft, &existing) {
        (Some(d), Some(p)) if d.base_version != Some(p.version) => Some(i18n.fill(
            Key::PeopleChangedElsewhere,
            &[("name", &p.name), ("zone", &p.zone)],
        )),
        _ => None,
    };
    let (name, colour, zone) = match (&draft, &existing) {
        (Some(d), _) => (d.name.clone(), d.colour.clone(), d.zone.clone()),
        (None, Some(p)) => (p.name.clone(), p.colour.clone(), p.zone.clone()),
        (None, None) => {
            let people = data.people.with_untracked(Vec::len);
            (
                String::new(),
                COLOURS[people % COLOURS.len()].to_owned(),
                device_zone(),
            )
        }
    };
    let (name, colour, zone) = (
        RwSignal::new(name),
        RwSignal::new(colour),
        RwSignal::new(zone),
    );
    let issues = RwSignal::new(Vec::<FieldIssue>::new());
    let failure = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);
    let key = StoredValue::new(draft.map(|d| d.key).unwrap_or_else(new_key));
    let opened_at = existing.as_ref().map(|p| p.version);
    let target = StoredValue::new(target);
    // Every change is kept as it is made; the form as it opened is nothing to keep, and once saved
    // or cancelled a late change (a zone filled in as the list arrives) must not bring it back.
    let closed = StoredValue::new(false);
    Effect::new(move |first: Option<()>| {
        let (name, colour, zone) = (name.get(), colour.get(), zone.get());
        if first.is_some() && !closed.get_value() {
            drafts.keep(PersonDraft {
                target: target.get_value(),
                name,
                colour,
                zone,
                base_version: opened_at,
                key: key.get_value(),
            });
        }
    });
    let done = move || {
        closed.set_value(true);
        drafts.forget(&target.get_value());
        on_done();
    };
    let existing = StoredValue::new(existing);
    let known = StoredValue::new(zone_names());
    let issue_for = move |field: &'static str| {
        move || {
            issues.with(|l| {
                l.iter().find(|i| i.field == field).map(|i| {
                    i18n.t(match field {
                        "name" if i.code == "too_long" => Key::ReminderErrTooLong,
                        "name" => Key::PeopleErrName,
                        _ => Key::ReminderErrZone,
                    })
                })
            })
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = PersonInput {
            name: name.get_untracked().trim().to_owned(),
            colour: colour.get_untracked(),
            zone: zone.get_untracked().trim().to_owned(),
        };
        let found = check_person(&input, |z| {
            is_zone_name(z) && known.with_value(|k| k.is_empty() || k.iter().any(|n| n == z))
        });
        issues.set(found.clone());
        if let Some(first) = found.first() {
            // To the field to fix, whose message its description then reads out.
            focus_id_later(first_field_id(&first.field));
            return;
        }
        let Some(api) = api.get_value().take() else {
            return;
        };
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = match existing.get_value() {
                Some(p) => api.update_person(&p.id, &input, p.version).await,
                None => api.create_person(&input, &key.get_value()).await,
            };
            busy.set(false);
            match result {
                Ok(person) => {
                    data.put_person(person);
                    data.wake();
                    done();
                }
                Err(ApiError::Status { status: 412, .. }) => {
                    failure.set(Some(Key::PeopleConflict));
                    data.wake();
                }
                Err(e) => failure.set(Some(error_key(&e))),
            }
        });
    };
    let name_error = issue_for("name");
    let zone_error = issue_for("zone");
    view! {
        <form class="form person-form" novalidate on:submit=submit>
            {changed_elsewhere.map(|text| view! { <p class="notice" role="status">{text}</p> })}
            <div class="field">
                <label for=name_id.clone()>{tr(Key::PeopleName)}</label>
                <input id=name_id.clone() type="text" maxlength=MAX_PERSON_NAME_CHARS autocomplete="off"
                    aria-invalid=move || name_error().is_some().to_string()
                    aria-describedby=format!("{name_id}-error")
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                <p class="field-error" id=format!("{name_id}-error")>{name_error}</p>
            </div>
            <fieldset class="field">
                <legend>{tr(Key::PeopleColour)}</legend>
                <div class="colour-row">
                    {COLOURS.into_iter().map(|c| {
                        let id = format!("{colour_id}-{c}");
                        view! {
                            <div class="colour-choice">
                                <input type="radio" name=colour_id.clone() id=id.clone()
                                    prop:checked=move || colour.get() == c
                                    on:change=move |_| colour.set(c.to_owned()) />
                                <label for=id>
                                    <span class=format!("person-dot colour-{c}") aria-hidden="true"></span>
                                    {tr(colour_key(c))}
                                </label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="field">
                <label for=zone_id.clone()>{tr(Key::PeopleZone)}</label>
                <p class="hint" id=format!("{zone_id}-hint")>{tr(Key::PeopleZoneHint)}</p>
                <input id=zone_id.clone() type="text" list=list_id.clone() autocomplete="off" spellcheck="false"
                    aria-invalid=move || zone_error().is_some().to_string()
                    aria-describedby=format!("{zone_id}-hint {zone_id}-error")
                    prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev)) />
                <datalist id=list_id>
                    {known.get_value().into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
                </datalist>
                <p class="field-error" id=format!("{zone_id}-error")>{zone_error}</p>
            </div>
            <div class="form-error" role="alert">{move || failure.get().map(|k| view! { <p>{tr(k)}</p> })}</div>
            <div class="form-actions">
                <button type="submit" class="button button-primary" aria-disabled=move || busy.get().to_string()>
                    {tr(Key::PeopleSave)}
                </button>
                <button type="button" class="button" on:click=move |_| done()>{tr(Key::Cancel)}</button>
            </div>
        </form>
    }
}

const ADD_PERSON: &str = "add-person";

/// The id of a field of the form for this person, or for a new one.
fn person_field_id(person: Option<&str>, field: &str) -> String {
    format!("{}-{field}", person.unwrap_or("new"))
}

fn colour_key(c: &str) -> Key {
    match c {
        "teal" => Key::ColourTeal,
        "blue" => Key::ColourBlue,
        "indigo" => Key::ColourIndigo,
        "purple" => Key::ColourPurple,
        "pink" => Key::ColourPink,
        "red" => Key::ColourRed,
        "orange" => Key::ColourOrange,
        _ => Key::ColourGreen,
    }
}

/// The .ics download and the secret subscription address.
#[component]
fn CalendarExport(person: Person) -> impl IntoView {
    let i18n = use_i18n();
    let api = StoredValue::new(send_wrapper::SendWrapper::new(use_api()));
    let id = StoredValue::new(person.id.clone());
    // The file and the feed say the doses in the language showing.
    let download = move || {
        api.with_value(|a| {
            a.as_ref()
                .map(|a| id.with_value(|id| a.calendar_download_url(id, i18n.language())))
        })
        .unwrap_or_default()
    };
    let feed = RwSignal::new(None::<CalendarFeed>);
    let failure = RwSignal::new(None::<Key>);
    // Since when an address made earlier works: it cannot be shown again, but a new one ends it,
    // and a calendar subscribed to it would silently stop updating.
    // Asked when the section is first opened, not for every person as the page loads.
    let since = RwSignal::new(None::<String>);
    let asked = StoredValue::new(false);
    let on_toggle = move |ev: leptos::ev::Event| {
        let open = event_target::<web_sys::Element>(&ev).has_attribute("open");
        if !open || asked.get_value() {
            return;
        }
        asked.set_value(true);
        if let Some(api) = api.get_value().take() {
            spawn_for_view(async move {
                if let Ok(at) = api.calendar_feed_since(&id.get_value()).await {
                    since.set(at);
                }
            });
        }
    };
    let make = move |_| {
        let replacing =
            since.with_untracked(Option::is_some) && feed.with_untracked(Option::is_none);
        if replacing && !confirm(i18n.t(Key::CalendarFeedReplaceConfirm)) {
            return;
        }
        let Some(api) = api.get_value().take() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api.new_calendar_feed(&id.get_value()).await {
                Ok(url) => {
                    failure.set(None);
                    feed.set(Some(url));
                }
                Err(e) => failure.set(Some(error_key(&e))),
            }
        });
    };
    let end = move |_| {
        let Some(api) = api.get_value().take() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api.end_calendar_feed(&id.get_value()).await {
                Ok(()) => {
                    feed.set(None);
                    since.set(None);
                    failure.set(Some(Key::CalendarEnded));
                }
                Err(e) => failure.set(Some(error_key(&e))),
            }
        });
    };
    let feed_id = format!("feed-{}", person.id);
    let file_name = format!(
        "{}.ics",
        person.name.replace(|c: char| !c.is_alphanumeric(), "-")
    );
    view! {
        <details class="calendar-export" on:toggle=on_toggle>
            <summary>{tr(Key::CalendarTitle)}</summary>
            <p>{tr(Key::CalendarIntro)}</p>
            <p><a class="button" href=download download=file_name>{tr(Key::CalendarDownload)}</a></p>
            <p>{tr(Key::CalendarFeedIntro)}</p>
            {move || match (feed.get().map(|f| f.url(i18n.language())), since.get()) {
                // All of it in view, wrapped, and selected whole when focused, ready to copy.
                (Some(url), _) => view! {
                    <div class="field">
                        <label for=feed_id.clone()>{tr(Key::CalendarFeedLabel)}</label>
                        <textarea id=feed_id.clone() class="feed-address" rows="3" readonly prop:value=url
                            on:focus=move |ev| {
                                if let Some(area) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlTextAreaElement>(&event_target::<web_sys::EventTarget>(&ev)) {
                                    area.select();
                                }
                            }></textarea>
                        <p class="hint">{tr(Key::CalendarFeedSecret)}</p>
                    </div>
                    <button type="button" class="button" on:click=end>{tr(Key::CalendarFeedEnd)}</button>
                }.into_any(),
                (None, Some(at)) => view! {
                    <p>{move || i18n.fill(Key::CalendarFeedActive, &[("date", &local_date(&at, i18n.language().tag()))])}</p>
                    <p class="form-actions">
                        <button type="button" class="button" on:click=make>{tr(Key::CalendarFeedMakeNew)}</button>
                        <button type="button" class="button" on:click=end>{tr(Key::CalendarFeedEnd)}</button>
                    </p>
                }.into_any(),
                (None, None) => view! {
                    <button type="button" class="button" on:click=make>{tr(Key::CalendarFeedMake)}</button>
                }.into_any(),
            }}
            <p role="status">{move || failure.get().map(|k| tr(k)())}</p>
        </details>
    }
}
