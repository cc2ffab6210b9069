//! Adding and changing a reminder: medicine, dose, schedule in plain words, and the next doses
//! (across the next clock change) before saving. What is typed is kept on the device as it is
//! typed, so a reload, a network failure or a refused save never loses it; a reminder changed
//! elsewhere meanwhile is never silently overwritten.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use portal_core::api_error::ApiError;
use portal_core::reminder_form::{PatternKind, ReminderForm};
use portal_core::reminders::{
    is_zone_name, FieldIssue, Person, Reminder, DOSE_UNITS, MAX_INSTRUCTIONS_CHARS,
    MAX_MEDICINE_CHARS, MAX_STRENGTH_CHARS, MAX_TIMES_PER_DAY,
};
use portal_core::schedule::jiff::tz::TimeZone;
use portal_core::schedule::jiff::Timestamp;
use portal_core::schedule::words::{describe_in, gap_words, preview, Phrase};
use portal_core::schedule::{most_doses_in_24h, Pattern, Shift, TravelPolicy, Weekday};
use serde::{Deserialize, Serialize};

use super::dose_card::unit_text;
use super::{load_zones, Section, SectionNav};
use crate::api::use_api;
use crate::components::error_text::reading_error_key;
use crate::components::field::keep_value;
use crate::components::focus::{focus_id_later, FieldLink};
use crate::components::page::PageTitle;
use crate::device_store::{self, keys};
use crate::i18n::{civil_text, tr, use_i18n, CivilStyle, I18n, Key};
use crate::inquiry_outbox::new_key;
use crate::reminder_data::{use_reminder_data, ReminderData};
use crate::time_zones::{device_zone, use_zones, zone_names, Zones};
use crate::view_task::spawn_for_view;

/// The form as kept on the device: which reminder it is for, and the version it started from.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Draft {
    /// The reminder's id, or empty for a new one.
    target: String,
    form: ReminderForm,
    base_version: Option<u64>,
    /// The idempotency key of a new reminder, kept so a retried save creates it once.
    key: String,
}

#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Editing,
    Saving,
    Failed(ApiError),
    /// Changed elsewhere since it was opened: the saved version, to compare.
    Conflict(Reminder),
}

/// The drafts in the stored text, one per reminder being edited (and one for a new reminder).
/// Older versions kept a single draft.
fn drafts_in(text: &str) -> Vec<Draft> {
    serde_json::from_str::<Vec<Draft>>(text)
        .or_else(|_| serde_json::from_str::<Draft>(text).map(|d| vec![d]))
        .unwrap_or_default()
}

/// The drafts kept on this device.
async fn stored_drafts() -> Vec<Draft> {
    match device_store::get(keys::REMINDER_DRAFT).await {
        Ok(Some(text)) => drafts_in(&text),
        _ => Vec::new(),
    }
}

/// Keeps `draft` as the draft of `target`, or forgets that draft when `None`; read and written in
/// one transaction, so keystrokes kept in quick succession land in order.
async fn keep_draft(target: String, draft: Option<Draft>) {
    let _ = device_store::update(keys::REMINDER_DRAFT, move |text| {
        let mut all = text.as_deref().map(drafts_in).unwrap_or_default();
        all.retain(|d| d.target != target);
        all.extend(draft);
        // None left: nothing stays on the device.
        (!all.is_empty())
            .then(|| serde_json::to_string(&all).ok())
            .flatten()
    })
    .await;
}

/// `/reminders/new` and `/reminders/edit/:id`.
#[component]
pub fn ReminderEditor() -> impl IntoView {
    let (Some(data), Some(zones), Some(api)) = (use_reminder_data(), use_zones(), use_api()) else {
        return view! { <p>{tr(Key::ErrorUnexpected)}</p> }.into_any();
    };
    let params = use_params_map();
    let target = params.with_untracked(|p| p.get("id").unwrap_or_default());
    let editing = !target.is_empty();
    load_zones(data, zones);

    let form = RwSignal::new(None::<ReminderForm>);
    let base_version = RwSignal::new(None::<u64>);
    let key = StoredValue::new(new_key());
    let issues = RwSignal::new(Vec::<FieldIssue>::new());
    let checked_gap = StoredValue::new(None::<u16>);
    provide_context(CheckedGap(checked_gap));
    let state = RwSignal::new(SaveState::Editing);
    let restored = RwSignal::new(false);
    let api = StoredValue::new(send_wrapper::SendWrapper::new(api));
    let target = StoredValue::new(target);

    // Start from the device's draft of this same reminder, else from the saved reminder (once the
    // data is there), else blank. The draft is read first, so a form filled from the saved
    // reminder never replaces it.
    let draft_read = RwSignal::new(false);
    // The form as it started when not from a draft: unchanged, there is nothing to keep.
    let untouched = StoredValue::new(None::<ReminderForm>);
    // The first day the form offered by itself, while the person has not changed it: it follows
    // the zone, so a relative abroad starts on their today, not the caregiver's.
    let offered_start = StoredValue::new(None::<String>);
    spawn_for_view(async move {
        let draft = stored_drafts()
            .await
            .into_iter()
            .find(|d| d.target == target.get_value());
        if let Some(d) = draft {
            key.set_value(d.key);
            base_version.set(d.base_version);
            form.set(Some(d.form));
            restored.set(true);
        }
        draft_read.set(true);
    });
    Effect::new(move |_| {
        if !draft_read.get() || form.with(Option::is_some) {
            return;
        }
        let people = data.people.get();
        let id = target.get_value();
        if editing {
            if let Some(r) = data
                .reminders
                .with(|l| l.iter().find(|r| r.id == id).cloned())
            {
                base_version.set(Some(r.version));
                let start = ReminderForm::from_reminder(&r);
                untouched.set_value(Some(start.clone()));
                form.set(Some(start));
            }
        } else if let Some(first) = people.first() {
            let tz = zones.get(&first.zone).unwrap_or(TimeZone::UTC);
            let today = Timestamp::now().to_zoned(tz).date();
            let start = ReminderForm::new(&first.id, &first.zone, today);
            offered_start.set_value(Some(start.start.clone()));
            untouched.set_value(Some(start.clone()));
            form.set(Some(start));
        }
    });
    Effect::new(move |_| {
        let Some(offered) = offered_start.get_value() else {
            return;
        };
        let Some(zone) = form.with(|o| o.as_ref().map(|f| f.zone.clone())) else {
            return;
        };
        let Some(tz) = zones.get(&zone) else {
            return;
        };
        let today = Timestamp::now().to_zoned(tz).date().to_string();
        if today == offered {
            return;
        }
        let was_untouched =
            form.with_untracked(|f| untouched.with_value(|u| u.as_ref() == f.as_ref()));
        let mut followed = false;
        form.update(|o| {
            if let Some(f) = o.as_mut().filter(|f| f.start == offered) {
                f.start = today.clone();
                followed = true;
            }
        });
        // A first day the person chose is theirs: the form stops offering one.
        offered_start.set_value(followed.then_some(today));
        if was_untouched {
            untouched.set_value(form.get_untracked());
        }
    });
    // Every change is kept on the device at once, beside the drafts of other reminders.
    Effect::new(move |_| {
        let Some(f) = form.get() else { return };
        let changed = untouched.with_value(|u| u.as_ref() != Some(&f));
        let draft = changed.then(|| Draft {
            target: target.get_value(),
            form: f,
            base_version: base_version.get_untracked(),
            key: key.get_value(),
        });
        let target = target.get_value();
        leptos::task::spawn_local(keep_draft(target, draft));
    });
    Effect::new(move |_| {
        if let Some(f) = form.get() {
            zones.ensure([f.zone.as_str()]);
        }
    });

    let known_zones = StoredValue::new(zone_names());
    let zone_known = move |z: &str| {
        is_zone_name(z)
            && (zones.get(z).is_some()
                || known_zones.with_value(|k| k.is_empty() || k.iter().any(|n| n == z)))
    };

    let navigate = use_navigate();
    let navigate = StoredValue::new(navigate);
    let save = move |overwrite: Option<u64>| {
        // A second tap while the first save is on its way would send the same version again,
        // which the backend refuses as changed elsewhere.
        if state.get_untracked() == SaveState::Saving {
            return;
        }
        let Some(f) = form.get_untracked() else {
            return;
        };
        // The messages speak of the form as it was checked, not as it is being retyped.
        checked_gap.set_value(f.gap_minutes());
        let input = match f.to_input(zone_known) {
            Ok(input) => input,
            Err(found) => {
                issues.set(found);
                state.set(SaveState::Editing);
                focus_summary();
                return;
            }
        };
        issues.set(Vec::new());
        state.set(SaveState::Saving);
        let api = api.get_value();
        let version = overwrite.or(base_version.get_untracked());
        leptos::task::spawn_local(async move {
            let id = target.get_value();
            let result = match (id.is_empty(), version) {
                (true, _) => api.create_reminder(&input, &key.get_value()).await,
                (false, Some(v)) => api.update_reminder(&id, &input, v).await,
                (false, None) => Err(ApiError::Status {
                    status: 428,
                    problem: Box::default(),
                    retry_after_seconds: None,
                }),
            };
            match result {
                Ok(saved) => {
                    let back = format!(
                        "/reminders?saved={}",
                        portal_core::navigation::encode_query_value(&saved.id)
                    );
                    data.put_reminder(saved);
                    keep_draft(id.clone(), None).await;
                    data.wake();
                    crate::pwa::offer_install();
                    // Only if the person is still on the form; they may have moved on meanwhile.
                    let _ = navigate.try_with_value(|n| n(&back, Default::default()));
                }
                Err(ApiError::Status { status: 412, .. }) => match api.reminders().await {
                    Ok(list) => match list.into_iter().find(|r| r.id == id) {
                        Some(current) => state.set(SaveState::Conflict(current)),
                        None => state.set(SaveState::Failed(ApiError::Status {
                            status: 404,
                            problem: Box::default(),
                            retry_after_seconds: None,
                        })),
                    },
                    Err(e) => state.set(SaveState::Failed(e)),
                },
                Err(e) => {
                    let from_backend: Vec<FieldIssue> = e
                        .field_errors()
                        .iter()
                        .filter_map(|fe| {
                            KNOWN_CODES
                                .iter()
                                .find(|c| **c == fe.code)
                                .map(|c| FieldIssue::new(fe.field.clone(), c))
                        })
                        .collect();
                    if !from_backend.is_empty() {
                        issues.set(from_backend);
                        focus_summary();
                    }
                    state.set(SaveState::Failed(e));
                }
            }
        });
    };
    let title = if editing {
        Key::ReminderFormEditTitle
    } else {
        Key::ReminderFormNewTitle
    };
    let has_form = Memo::new(move |_| form.with(Option::is_some));
    let no_people = Memo::new(move |_| data.people.with(Vec::is_empty));
    view! {
        <PageTitle title />
        <SectionNav current=if editing { Section::Today } else { Section::Add } />
        {move || restored.get().then(|| view! { <p class="notice" role="status">{tr(Key::ReminderFormRestored)}</p> })}
        {move || {
            // Only whether there is a form: each keystroke changes the form, and must not draw
            // it all anew (a date or time input being typed into would lose what was typed).
            if no_people.get() && !has_form.get() {
                return view! {
                    <div class="empty-state">
                        <p>{tr(Key::RemindersNoPeople)}</p>
                        <a href="/reminders/people" class="button button-primary">{tr(Key::RemindersAddPerson)}</a>
                    </div>
                }
                .into_any();
            }
            if !has_form.get() {
                return view! { <p role="status">{tr(Key::Loading)}</p> }.into_any();
            }
            view! { <FormBody form issues state data zones save editing base_version /> }.into_any()
        }}
    }
    .into_any()
}

/// Codes the form has messages for; anything else from the backend shows as a general error.
const KNOWN_CODES: [&str; 20] = [
    "required",
    "too_long",
    "too_many",
    "invalid",
    "unknown_choice",
    "no_times",
    "duplicate_time",
    "no_weekdays",
    "end_before_start",
    "zero_interval",
    "interval_too_long",
    "empty_window",
    "window_too_long",
    "impossible_cycle",
    "count_zero",
    "as_needed_max_zero",
    "as_needed_gap_zero",
    "as_needed_max_unreachable",
    "unknown_zone",
    "",
];

fn focus_summary() {
    focus_id_later("reminder-errors".to_owned());
}

/// The element id of the input for a field path.
fn input_id(field: &str) -> String {
    format!("rf-{}", field.replace('.', "-"))
}

/// The least time between as-needed doses as it was when the form was last checked.
#[derive(Clone, Copy)]
struct CheckedGap(StoredValue<Option<u16>>);

/// What to tell the person about one problem, given the kind of schedule shown.
fn issue_text(i18n: I18n, issue: &FieldIssue, kind: PatternKind) -> String {
    let checked_gap = || use_context::<CheckedGap>().and_then(|g| g.0.get_value());
    let key = match (issue.field.as_str(), issue.code) {
        // Limits that cannot both hold: say how many doses the gap checked allows.
        (_, "as_needed_max_unreachable") => match checked_gap() {
            Some(gap) => {
                let phrase = |p: Phrase| i18n.t(phrase_key(p)).to_owned();
                let fit = most_doses_in_24h(gap);
                let key = i18n.plural(
                    Key::ReminderErrMaxUnreachableOne,
                    Key::ReminderErrMaxUnreachable,
                    u64::from(fit),
                );
                let gap = gap_words(gap, &phrase);
                return i18n.fill(key, &[("gap", &gap), ("fit", &fit.to_string())]);
            }
            None => Key::ReminderErrMaxUnreachablePlain,
        },
        ("personId", _) => Key::ReminderErrPerson,
        ("medicine", "required") => Key::ReminderErrMedicine,
        (_, "too_long") => Key::ReminderErrTooLong,
        ("doseAmount", _) => Key::ReminderErrDoseAmount,
        ("doseUnit", _) => Key::ReminderErrDoseUnit,
        (_, "no_times") => Key::ReminderErrNoTimes,
        (_, "duplicate_time") => Key::ReminderErrDuplicateTime,
        (_, "too_many") => Key::ReminderErrTooManyTimes,
        (
            "schedule.pattern.times"
            | "schedule.pattern.windowStart"
            | "schedule.pattern.windowEnd",
            "invalid" | "required",
        ) => Key::ReminderErrTime,
        (_, "no_weekdays") | ("schedule.pattern.days", _) => Key::ReminderErrDays,
        (_, "zero_interval") => Key::ReminderErrZeroInterval,
        // Said in the unit of the field shown: "every 30 hours" gets the hours' limit only.
        (_, "interval_too_long") if kind == PatternKind::EveryNHours => Key::ReminderErrLongHours,
        (_, "interval_too_long") => Key::ReminderErrLongDays,
        (_, "empty_window") => Key::ReminderErrEmptyWindow,
        (_, "window_too_long") => Key::ReminderErrWindowTooLong,
        ("schedule.pattern.daysOff", "impossible_cycle") => Key::ReminderErrCycleLong,
        (_, "impossible_cycle") => Key::ReminderErrCycle,
        (_, "as_needed_max_zero") => Key::ReminderErrMaxZero,
        (_, "as_needed_gap_zero") | ("schedule.pattern.minGapMinutes", _) => Key::ReminderErrGap,
        (_, "end_before_start") => Key::ReminderErrEndBeforeStart,
        ("schedule.start" | "schedule.end", _) => Key::ReminderErrDate,
        (_, "unknown_zone") | ("schedule.zone", _) => Key::ReminderErrZone,
        ("stock", _) => Key::ReminderErrStock,
        ("refillAt", _) => Key::ReminderErrRefill,
        _ => Key::ReminderErrNumber,
    };
    i18n.t(key).to_owned()
}

/// Which input a field path points at: a list's first one. The interval ("every 3 days", "every
/// 8 hours") is one field, `schedule.pattern`, whichever kind shows it.
fn input_for(field: &str) -> String {
    match field {
        "schedule.pattern.times" => input_id("schedule.pattern.times.0"),
        "schedule.pattern.days" => input_id("schedule.pattern.days.mon"),
        f => input_id(f),
    }
}

#[component]
fn FormBody(
    form: RwSignal<Option<ReminderForm>>,
    issues: RwSignal<Vec<FieldIssue>>,
    state: RwSignal<SaveState>,
    data: ReminderData,
    zones: Zones,
    save: impl Fn(Option<u64>) + Copy + Send + Sync + 'static,
    editing: bool,
    base_version: RwSignal<Option<u64>>,
) -> impl IntoView {
    let get = move |f: fn(&ReminderForm) -> String| {
        move || form.with(|o| o.as_ref().map(f).unwrap_or_default())
    };
    let set = move |f: fn(&mut ReminderForm, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            form.update(|o| {
                if let Some(form) = o {
                    f(form, value)
                }
            });
        }
    };
    let error = move |field: &'static str| field_error(issues, form, field);
    let known_zones = StoredValue::new(zone_names());
    let kind = move || form.with(|o| o.as_ref().map(|f| f.kind).unwrap_or_default());
    let person = move || {
        let id = form.with(|o| o.as_ref().map(|f| f.person_id.clone()).unwrap_or_default());
        data.people.with(|p| p.iter().find(|x| x.id == id).cloned())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save(None);
    };
    let saving = move || state.get() == SaveState::Saving;
    let deleting = RwSignal::new(false);
    view! {
        <form class="reminder-form" novalidate on:submit=submit>
            <ErrorSummary issues form />
            <fieldset class="form-section">
                <legend>{tr(Key::ReminderFormWhat)}</legend>
                <Labelled field="personId" label=Key::ReminderFormPerson error=error("personId")>
                    <select id=input_id("personId")
                        on:change=move |ev| {
                            let id = event_target_value(&ev);
                            let new_zone = data.people.with_untracked(|p| p.iter().find(|x| x.id == id).map(|x| x.zone.clone()));
                            let old_zone = person().map(|p| p.zone);
                            form.update(|o| if let Some(f) = o {
                                if new_zone.is_some() && (f.zone.is_empty() || Some(&f.zone) == old_zone.as_ref()) {
                                    f.zone = new_zone.clone().unwrap_or_default();
                                }
                                f.person_id = id;
                            });
                        }>
                        {move || {
                            let chosen = form.with(|o| o.as_ref().map(|f| f.person_id.clone()).unwrap_or_default());
                            data.people.get().into_iter().map(|p| {
                                let selected = p.id == chosen;
                                view! { <option value=p.id.clone() selected=selected>{p.name.clone()}</option> }
                            }).collect_view()
                        }}
                    </select>
                </Labelled>
                <FormText form issues field="medicine" label=Key::ReminderFormMedicine
                    get=|f| &f.medicine set=|f| &mut f.medicine max_len=MAX_MEDICINE_CHARS />
                <FormText form issues field="strength" label=Key::ReminderFormStrength hint=Key::ReminderFormStrengthHint
                    get=|f| &f.strength set=|f| &mut f.strength max_len=MAX_STRENGTH_CHARS />
                <div class="field-row">
                    <FormText form issues field="doseAmount" label=Key::ReminderFormDoseAmount
                        get=|f| &f.dose_amount set=|f| &mut f.dose_amount inputmode="decimal" max_len=7 />
                    <Labelled field="doseUnit" label=Key::ReminderFormDoseUnit error=error("doseUnit")>
                        <select id=input_id("doseUnit") on:change=set(|f, v| f.dose_unit = v)>
                            {move || {
                                let chosen = form.with(|o| o.as_ref().map(|f| f.dose_unit.clone()).unwrap_or_default());
                                DOSE_UNITS.iter().map(|u| view! {
                                    <option value=*u selected=*u == chosen>{unit_text(u)}</option>
                                }).collect_view()
                            }}
                        </select>
                    </Labelled>
                </div>
                <Labelled field="instructions" label=Key::ReminderFormInstructions error=error("instructions") hint=Some(Key::ReminderFormInstructionsHint)>
                    <textarea id=input_id("instructions") rows=2 maxlength=MAX_INSTRUCTIONS_CHARS
                        prop:value=get(|f| f.instructions.clone()) on:input=set(|f, v| f.instructions = v)></textarea>
                </Labelled>
            </fieldset>

            <fieldset class="form-section">
                <legend>{tr(Key::ReminderFormWhen)}</legend>
                <div class="choices" role="radiogroup" aria-label=tr(Key::ReminderFormWhen)>
                    {PatternKind::ALL.into_iter().map(|k| {
                        let id = format!("rf-kind-{k:?}").to_lowercase();
                        view! {
                            <div class="choice">
                                <input type="radio" name="kind" id=id.clone()
                                    prop:checked=move || kind() == k
                                    on:change=move |_| form.update(|o| if let Some(f) = o { f.set_kind(k) }) />
                                <label for=id>{tr(kind_key(k))}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
                <ScheduleFields form issues />
                <div class="field-row">
                    <FormText form issues field="schedule.start" label=Key::ReminderFormStart
                        get=|f| &f.start set=|f| &mut f.start input_type="date" max_len=10 />
                    <FormText form issues field="schedule.end" label=Key::ReminderFormEnd
                        get=|f| &f.end set=|f| &mut f.end input_type="date" max_len=10 />
                </div>
            </fieldset>

            <fieldset class="form-section">
                <legend>{tr(Key::ReminderFormTravel)}</legend>
                {[
                    (TravelPolicy::KeepLocalTime, Key::ReminderTravelLocal, Key::ReminderTravelLocalDetail),
                    (TravelPolicy::KeepInterval, Key::ReminderTravelInterval, Key::ReminderTravelIntervalDetail),
                    (TravelPolicy::HomeZone, Key::ReminderTravelHome, Key::ReminderTravelHomeDetail),
                ].into_iter().map(|(policy, label, detail)| {
                    let id = format!("rf-travel-{policy:?}").to_lowercase();
                    view! {
                        <div class="choice">
                            <input type="radio" name="travel" id=id.clone()
                                prop:checked=move || form.with(|o| o.as_ref().is_some_and(|f| f.travel == policy))
                                on:change=move |_| form.update(|o| if let Some(f) = o { f.travel = policy }) />
                            <label for=id>
                                <span>{tr(label)}</span>
                                <span class="choice-detail">{tr(detail)}</span>
                            </label>
                        </div>
                    }
                }).collect_view()}
                <Labelled field="schedule.zone" label=Key::ReminderFormZone error=error("schedule.zone") hint=Some(Key::ReminderFormZoneHint)>
                    <input id=input_id("schedule.zone") type="text" list="rf-zone-names" autocomplete="off" spellcheck="false"
                        prop:value=get(|f| f.zone.clone())
                        // Kept as soon as a whole zone name is there (picked or typed), so a reload
                        // keeps it; a half-typed one waits for the field to be left, rather than
                        // have the preview look up "Europe/Pa".
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            let typed = typed.trim();
                            if known_zones.with_value(|k| k.iter().any(|n| n == typed)) {
                                form.update(|o| if let Some(f) = o { f.zone = typed.to_owned() });
                            }
                        }
                        on:change=set(|f, v| f.zone = v.trim().to_owned()) />
                </Labelled>
                <ZoneList names=known_zones />
            </fieldset>

            <fieldset class="form-section">
                <legend>{tr(Key::ReminderFormSupply)}</legend>
                <div class="field-row">
                    <FormText form issues field="stock" label=Key::ReminderFormStock
                        get=|f| &f.stock set=|f| &mut f.stock inputmode="numeric" />
                    <FormText form issues field="refillAt" label=Key::ReminderFormRefill
                        get=|f| &f.refill_at set=|f| &mut f.refill_at inputmode="numeric" />
                </div>
                <div class="choice">
                    <input type="checkbox" id="rf-hide"
                        prop:checked=move || form.with(|o| o.as_ref().is_some_and(|f| f.hide_name))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            form.update(|o| if let Some(f) = o { f.hide_name = on });
                        } />
                    <label for="rf-hide">{tr(Key::ReminderFormHideName)}</label>
                </div>
            </fieldset>

            <Preview form person zones />

            {move || match state.get() {
                SaveState::Failed(e) => Some(view! {
                    <div class="form-error" role="alert"><p>{tr(reading_error_key(&e))} " " {tr(Key::ReminderFormKept)}</p></div>
                }.into_any()),
                SaveState::Conflict(current) => {
                    let version = current.version;
                    let for_use = current.clone();
                    Some(view! {
                        <div class="notice notice-urgent" role="alert">
                            <p>{tr(Key::ReminderFormConflict)}</p>
                            <div class="dose-actions">
                                <button type="button" class="button button-primary" on:click=move |_| save(Some(version))>
                                    {tr(Key::ReminderFormKeepMine)}
                                </button>
                                <button type="button" class="button" on:click=move |_| {
                                    base_version.set(Some(for_use.version));
                                    form.set(Some(ReminderForm::from_reminder(&for_use)));
                                    data.put_reminder(for_use.clone());
                                    state.set(SaveState::Editing);
                                }>
                                    {tr(Key::ReminderFormUseSaved)}
                                </button>
                            </div>
                        </div>
                    }.into_any())
                }
                _ => None,
            }}
            <div class="form-actions">
                <button type="submit" class="button button-primary" aria-disabled=move || saving().to_string()>
                    {move || if saving() { tr(Key::ReminderFormSaving)() } else { tr(Key::ReminderFormSave)() }}
                </button>
                {editing.then(|| view! {
                    <button type="button" class="button" on:click=move |_| deleting.set(true)>{tr(Key::ReminderFormDelete)}</button>
                })}
            </div>
            {move || deleting.get().then(|| view! { <DeleteConfirm form base_version state data deleting /> })}
        </form>
    }
}

#[component]
fn DeleteConfirm(
    form: RwSignal<Option<ReminderForm>>,
    base_version: RwSignal<Option<u64>>,
    state: RwSignal<SaveState>,
    data: ReminderData,
    deleting: RwSignal<bool>,
) -> impl IntoView {
    let api = StoredValue::new(send_wrapper::SendWrapper::new(use_api()));
    let params = use_params_map();
    let navigate = StoredValue::new(use_navigate());
    let medicine =
        form.with_untracked(|o| o.as_ref().map(|f| f.medicine.clone()).unwrap_or_default());
    let i18n = use_i18n();
    let confirm = move |_| {
        let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
        let Some(api) = api.get_value().take() else {
            return;
        };
        let Some(version) = base_version.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api.delete_reminder(&id, version).await {
                Ok(()) => {
                    data.remove_reminder(&id);
                    keep_draft(id.clone(), None).await;
                    let _ = navigate.try_with_value(|n| n("/reminders", Default::default()));
                }
                Err(e) => {
                    deleting.set(false);
                    state.set(SaveState::Failed(e));
                }
            }
        });
    };
    view! {
        <div class="notice notice-urgent" role="alert">
            <p>{move || i18n.fill(Key::ReminderFormDeleteConfirm, &[("medicine", &medicine)])}</p>
            <div class="dose-actions">
                <button type="button" class="button button-primary" on:click=confirm>{tr(Key::ReminderFormDeleteYes)}</button>
                <button type="button" class="button" on:click=move |_| deleting.set(false)>{tr(Key::Cancel)}</button>
            </div>
        </div>
    }
}

fn kind_key(k: PatternKind) -> Key {
    match k {
        PatternKind::Daily => Key::ReminderKindDaily,
        PatternKind::Weekly => Key::ReminderKindWeekly,
        PatternKind::EveryNDays => Key::ReminderKindEveryNDays,
        PatternKind::Cycle => Key::ReminderKindCycle,
        PatternKind::EveryNHours => Key::ReminderKindEveryNHours,
        PatternKind::AsNeeded => Key::ReminderKindAsNeeded,
    }
}

/// A label, the input, an optional hint and the field's error, wired for screen readers.
#[component]
fn Labelled(
    field: &'static str,
    label: Key,
    error: impl Fn() -> Option<String> + Copy + Send + Sync + 'static,
    #[prop(default = None)] hint: Option<Key>,
    children: Children,
) -> impl IntoView {
    let id = input_id(field);
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if error().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let input_id_for_effect = id.clone();
    Effect::new(move |_| {
        let invalid = error().is_some();
        let described = described();
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&input_id_for_effect))
        {
            let _ = el.set_attribute("aria-invalid", if invalid { "true" } else { "false" });
            match described {
                Some(d) => {
                    let _ = el.set_attribute("aria-describedby", &d);
                }
                None => {
                    let _ = el.remove_attribute("aria-describedby");
                }
            }
        }
    });
    view! {
        <div class="field">
            <label for=id>{tr(label)}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id>{tr(h)}</p> })}
            {children()}
            {move || error().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// The message for `field` when the last check found a problem with it.
fn field_error(
    issues: RwSignal<Vec<FieldIssue>>,
    form: RwSignal<Option<ReminderForm>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || {
        let kind = form.with(|o| o.as_ref().map(|f| f.kind).unwrap_or_default());
        issues.with(|list| {
            list.iter()
                .find(|i| i.field == field)
                .map(|i| issue_text(i18n, i, kind))
        })
    }
}

/// A text input bound to one field of the form.
#[component]
fn FormText(
    form: RwSignal<Option<ReminderForm>>,
    issues: RwSignal<Vec<FieldIssue>>,
    field: &'static str,
    label: Key,
    get: fn(&ReminderForm) -> &String,
    set: fn(&mut ReminderForm) -> &mut String,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
    #[prop(default = 5)] max_len: usize,
    #[prop(optional)] hint: Option<Key>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    keep_value(input, move || {
        form.with(|o| o.as_ref().map(|f| get(f).clone()).unwrap_or_default())
    });
    view! {
        <Labelled field label error=field_error(issues, form, field) hint>
            <input id=input_id(field) type=input_type inputmode=inputmode maxlength=max_len autocomplete="off"
                node_ref=input
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    form.update(|o| if let Some(f) = o { *set(f) = value });
                } />
        </Labelled>
    }
}

/// The fields of the chosen kind of schedule.
#[component]
fn ScheduleFields(
    form: RwSignal<Option<ReminderForm>>,
    issues: RwSignal<Vec<FieldIssue>>,
) -> impl IntoView {
    let kind = Memo::new(move |_| form.with(|o| o.as_ref().map(|f| f.kind).unwrap_or_default()));
    move || {
        let k = kind.get();
        let has_times = !matches!(k, PatternKind::EveryNHours | PatternKind::AsNeeded);
        view! {
            {(k == PatternKind::Weekly).then(|| view! { <WeekdayChoice form issues /> })}
            {(k == PatternKind::EveryNDays).then(|| view! {
                <FormText form issues field="schedule.pattern" label=Key::ReminderFormEveryDays
                    get=|f| &f.every_days set=|f| &mut f.every_days inputmode="numeric" max_len=3 />
            })}
            {(k == PatternKind::Cycle).then(|| view! {
                <div class="field-row">
                    <FormText form issues field="schedule.pattern.daysOn" label=Key::ReminderFormDaysOn
                        get=|f| &f.days_on set=|f| &mut f.days_on inputmode="numeric" max_len=3 />
                    <FormText form issues field="schedule.pattern.daysOff" label=Key::ReminderFormDaysOff
                        get=|f| &f.days_off set=|f| &mut f.days_off inputmode="numeric" max_len=3 />
                </div>
            })}
            {(k == PatternKind::EveryNHours).then(|| view! {
                <FormText form issues field="schedule.pattern" label=Key::ReminderFormEveryHours
                    get=|f| &f.every_hours set=|f| &mut f.every_hours inputmode="numeric" max_len=2 />
                <div class="field-row">
                    <FormText form issues field="schedule.pattern.windowStart" label=Key::ReminderFormWindowStart
                        get=|f| &f.window_start set=|f| &mut f.window_start input_type="time" />
                    <FormText form issues field="schedule.pattern.windowEnd" label=Key::ReminderFormWindowEnd
                        get=|f| &f.window_end set=|f| &mut f.window_end input_type="time" />
                </div>
            })}
            {(k == PatternKind::AsNeeded).then(|| view! {
                <div class="field-row">
                    <FormText form issues field="schedule.pattern.maxPer24h" label=Key::ReminderFormMaxPer24h
                        get=|f| &f.max_per_24h set=|f| &mut f.max_per_24h inputmode="numeric" max_len=2 />
                    <FormText form issues field="schedule.pattern.minGapMinutes" label=Key::ReminderFormMinGap
                        get=|f| &f.min_gap_hours set=|f| &mut f.min_gap_hours inputmode="decimal" />
                </div>
            })}
            {has_times.then(|| view! { <TimesList form issues /> })}
        }
    }
}

/// The times of day: one input each, with "Add a time" and "Remove".
#[component]
fn TimesList(
    form: RwSignal<Option<ReminderForm>>,
    issues: RwSignal<Vec<FieldIssue>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let count = Memo::new(move |_| form.with(|o| o.as_ref().map_or(0, |f| f.times.len())));
    let error = field_error(issues, form, "schedule.pattern.times");
    let add = move |_| {
        form.update(|o| {
            if let Some(f) = o {
                if f.times.len() < MAX_TIMES_PER_DAY {
                    f.times.push(String::new());
                }
            }
        });
        let next = count.get_untracked().saturating_sub(1);
        focus_id_later(input_id(&format!("schedule.pattern.times.{next}")));
    };
    view! {
        <fieldset class="field times">
            <legend>{tr(Key::ReminderFormTimes)}</legend>
            {move || {
                (0..count.get()).map(|i| {
                    let id = input_id(&format!("schedule.pattern.times.{i}"));
                    let label = move || i18n.fill(Key::ReminderFormTimeN, &[("n", &(i + 1).to_string())]);
                    let input = NodeRef::<leptos::html::Input>::new();
                    keep_value(input, move || form.with(|o| o.as_ref().and_then(|f| f.times.get(i).cloned()).unwrap_or_default()));
                    view! {
                        <div class="time-row">
                            <label for=id.clone() class="visually-hidden">{label}</label>
                            <input id=id type="time" required
                                aria-invalid=move || error().is_some().to_string()
                                aria-describedby=move || error().map(|_| "rf-times-error")
                                node_ref=input
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    form.update(|o| if let Some(t) = o.as_mut().and_then(|f| f.times.get_mut(i)) { *t = value });
                                } />
                            {(count.get_untracked() > 1).then(|| view! {
                                <button type="button" class="button button-small"
                                    on:click=move |_| {
                                        form.update(|o| if let Some(f) = o {
                                            if i < f.times.len() { f.times.remove(i); }
                                        });
                                        // The button is gone: the time now in its place (or the
                                        // last one) takes the focus.
                                        let left = count.get_untracked();
                                        let at = i.min(left.saturating_sub(1));
                                        focus_id_later(input_id(&format!("schedule.pattern.times.{at}")));
                                    }>
                                    {move || i18n.fill(Key::ReminderFormRemoveTime, &[("n", &(i + 1).to_string())])}
                                </button>
                            })}
                        </div>
                    }
                }).collect_view()
            }}
            {move || error().map(|e| view! { <p class="field-error" id="rf-times-error">{e}</p> })}
            <button type="button" class="button" id="rf-add-time" on:click=add>{tr(Key::ReminderFormAddTime)}</button>
        </fieldset>
    }
}

/// Weekday checkboxes, Monday first.
#[component]
fn WeekdayChoice(
    form: RwSignal<Option<ReminderForm>>,
    issues: RwSignal<Vec<FieldIssue>>,
) -> impl IntoView {
    let error = field_error(issues, form, "schedule.pattern.days");
    view! {
        <fieldset class="field weekdays" aria-describedby=move || error().map(|_| "rf-days-error")>
            <legend>{tr(Key::ReminderFormDays)}</legend>
            <div class="weekday-row">
                {Weekday::ALL.into_iter().map(|d| {
                    let id = input_id(&format!("schedule.pattern.days.{}", d.code()));
                    view! {
                        <div class="choice">
                            <input type="checkbox" id=id.clone()
                                prop:checked=move || form.with(|o| o.as_ref().is_some_and(|f| f.days.contains(&d)))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.update(|o| if let Some(f) = o {
                                        f.days.retain(|x| *x != d);
                                        if on { f.days.push(d); f.days.sort(); }
                                    });
                                } />
                            <label for=id>{tr(weekday_key(d))}</label>
                        </div>
                    }
                }).collect_view()}
            </div>
            {move || error().map(|e| view! { <p class="field-error" id="rf-days-error">{e}</p> })}
        </fieldset>
    }
}

/// Suggestions for the zone field, from the browser's own list.
#[component]
fn ZoneList(names: StoredValue<Vec<String>>) -> impl IntoView {
    view! {
        <datalist id="rf-zone-names">
            {names.get_value().into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
        </datalist>
    }
}

#[component]
fn ErrorSummary(
    issues: RwSignal<Vec<FieldIssue>>,
    form: RwSignal<Option<ReminderForm>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div id="reminder-errors" class="form-error" tabindex="-1" role="alert">
            {move || {
                let list = issues.get();
                (!list.is_empty()).then(|| {
                    let kind = form.with(|o| o.as_ref().map(|f| f.kind).unwrap_or_default());
                    view! {
                        <p>{tr(Key::ErrorCheckFields)}</p>
                        <ul>
                            {list.iter().map(|issue| {
                                let text = issue_text(i18n, issue, kind);
                                view! { <li><FieldLink target=input_for(&issue.field)>{text}</FieldLink></li> }
                            }).collect_view()}
                        </ul>
                    }
                })
            }}
        </div>
    }
}

/// The schedule in plain words and the next doses, updated as the form changes.
#[component]
fn Preview(
    form: RwSignal<Option<ReminderForm>>,
    person: impl Fn() -> Option<Person> + Copy + Send + Sync + 'static,
    zones: Zones,
) -> impl IntoView {
    let i18n = use_i18n();
    let content = move || {
        let f = form.get()?;
        let schedule = f.schedule()?;
        let lang = i18n.language();
        let words = schedule_words(i18n, &schedule.pattern);
        let person_zone = person().map(|p| p.zone).unwrap_or_else(device_zone);
        let zone = schedule
            .travel
            .zone_to_follow(&schedule.zone, &person_zone)
            .to_owned();
        let Some(tz) = zones.get(&zone) else {
            let waiting = if zones.is_missing(&zone) {
                Key::ReminderPreviewNoZone
            } else {
                Key::Loading
            };
            return Some(
                view! { <p class="preview-words">{words}</p> <p role="status">{tr(waiting)}</p> }
                    .into_any(),
            );
        };
        let p = preview(&schedule, &tz, Timestamp::now(), 5);
        let when = |o: &portal_core::schedule::Occurrence| {
            let text = civil_text(
                o.at.to_zoned(tz.clone()).datetime(),
                lang,
                CivilStyle::DayTime,
            );
            match o.shifted {
                Some(Shift::SpringForwardGap { scheduled, .. }) => i18n.fill(
                    Key::ReminderPreviewMoved,
                    &[
                        ("time", &text),
                        ("scheduled", &civil_text(scheduled, lang, CivilStyle::Time)),
                    ],
                ),
                _ => text,
            }
        };
        let next: Vec<String> = p.next.iter().map(when).collect();
        // Saving is still allowed (its history stays), but nobody should be surprised by silence.
        let ended = next.is_empty() && !matches!(schedule.pattern, Pattern::AsNeeded(_));
        // A clock change matters only when there are doses after it.
        let change = p
            .clock_change
            .filter(|c| !c.doses_after.is_empty())
            .map(|c| {
                let key = if c.shift_minutes > 0 {
                    Key::ReminderPreviewForward
                } else {
                    Key::ReminderPreviewBack
                };
                let text = i18n.fill(
                    key,
                    &[
                        ("minutes", &c.shift_minutes.unsigned_abs().to_string()),
                        (
                            "day",
                            &civil_text(c.local_before, lang, CivilStyle::DayTime),
                        ),
                    ],
                );
                let after: Vec<String> = c.doses_after.iter().map(when).collect();
                (text, after)
            });
        Some(view! {
            <p class="preview-words">{words}</p>
            {ended.then(|| view! { <p class="notice">{tr(Key::ReminderPreviewEnded)}</p> })}
            {(!next.is_empty()).then(|| view! {
                <p>{tr(Key::ReminderPreviewNext)}</p>
                <ul class="preview-list">{next.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
            })}
            {change.map(|(text, after)| view! {
                <p>{text}</p>
                {(!after.is_empty()).then(|| view! {
                    <p>{tr(Key::ReminderPreviewAfter)}</p>
                    <ul class="preview-list">{after.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                })}
            })}
        }.into_any())
    };
    view! {
        <section class="reminder-preview" aria-labelledby="preview-heading" aria-live="polite">
            <h2 id="preview-heading">{tr(Key::ReminderPreviewTitle)}</h2>
            {move || content().unwrap_or_else(|| view! { <p>{tr(Key::ReminderPreviewIncomplete)}</p> }.into_any())}
        </section>
    }
}

/// A schedule in plain words, in the reader's language, with times as on the dose cards.
pub fn schedule_words(i18n: I18n, pattern: &portal_core::schedule::Pattern) -> String {
    let phrase = |p: Phrase| i18n.t(phrase_key(p)).to_owned();
    let weekday = |d: Weekday| i18n.t(weekday_key(d)).to_owned();
    let language = i18n.language();
    // Any date: only the time of day is written.
    let time = |t: portal_core::schedule::jiff::civil::Time| {
        civil_text(
            portal_core::schedule::jiff::civil::DateTime::from_parts(Default::default(), t),
            language,
            CivilStyle::Time,
        )
    };
    describe_in(pattern, &phrase, &weekday, &time)
}

pub(crate) fn phrase_key(p: Phrase) -> Key {
    match p {
        Phrase::Daily => Key::PhraseDaily,
        Phrase::Weekly => Key::PhraseWeekly,
        Phrase::EveryNDays => Key::PhraseEveryNDays,
        Phrase::Cycle => Key::PhraseCycle,
        Phrase::EveryNHours => Key::PhraseEveryNHours,
        Phrase::Hourly => Key::PhraseHourly,
        Phrase::AsNeeded => Key::PhraseAsNeeded,
        Phrase::ListAnd => Key::PhraseListAnd,
        Phrase::Hours => Key::PhraseHours,
        Phrase::Hour => Key::PhraseHour,
        Phrase::Minutes => Key::PhraseMinutes,
        Phrase::Minute => Key::PhraseMinute,
        Phrase::HoursMinutes => Key::PhraseHoursMinutes,
    }
}

pub fn weekday_key(d: Weekday) -> Key {
    match d {
        Weekday::Mon => Key::WeekdayMon,
        Weekday::Tue => Key::WeekdayTue,
        Weekday::Wed => Key::WeekdayWed,
        Weekday::Thu => Key::WeekdayThu,
        Weekday::Fri => Key::WeekdayFri,
        Weekday::Sat => Key::WeekdaySat,
        Weekday::Sun => Key::WeekdaySun,
    }
}
