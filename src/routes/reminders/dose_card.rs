//! One scheduled dose on the Today view: its time, medicine and status, and what can be done about
//! it in one tap (taken, snooze, skip), or afterwards (change the time it was taken).

use leptos::prelude::*;
use portal_core::dose_log::{DoseRow, DoseStatus};
use portal_core::reminders::{DoseAction, DoseEvent, Reminder, MAX_REASON_CHARS, SNOOZE_MINUTES};
use portal_core::schedule::jiff::civil::Time;
use portal_core::schedule::jiff::tz::TimeZone;
use portal_core::schedule::jiff::Timestamp;
use portal_core::schedule::Shift;
use serde::{Deserialize, Serialize};

use super::dose_title;
use crate::components::field::keep_value;
use crate::components::focus::focus_id_later;
use crate::device_store::{self, keys};
use crate::i18n::{civil_text, tr, use_i18n, CivilStyle, I18n, Key};
use crate::reminder_data::{make_event_id, ReminderData};
use crate::view_task::spawn_for_view;

/// A reason for skipping being typed, kept on the device so a reload does not lose it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SkipReason {
    /// The dose card's id: reminder and scheduled instant.
    card: String,
    reason: String,
}

/// Keeps `reason` as the one being typed on `card`, or forgets it when `None`.
fn keep_skip_reason(card: String, reason: Option<String>) {
    leptos::task::spawn_local(async move {
        let entry = reason.map(|reason| SkipReason {
            card: card.clone(),
            reason,
        });
        let _ = device_store::keep_in_list(
            keys::SKIP_REASONS,
            move |x: &SkipReason| x.card == card,
            entry,
        )
        .await;
    });
}

/// Which extra controls are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Open {
    None,
    Snooze,
    Skip,
    EditTime,
    /// "Taken" on a dose not due for a while: asked first.
    ConfirmEarly,
}

/// How long before its time a dose is logged as taken without a question: a morning dose taken at
/// 07:30 is ordinary; a tap on the evening's card at 08:00 is most likely the wrong card.
const EARLY_MINUTES: i64 = 60;

#[component]
pub fn DoseCard(
    row: DoseRow,
    reminder: Reminder,
    tz: TimeZone,
    data: ReminderData,
    now: RwSignal<Timestamp>,
    /// Where the times are, when the reminder keeps another zone's clock than its person's
    /// (a home-time reminder for someone abroad): the section says the person's zone.
    zone_place: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(Open::None);
    let reason = RwSignal::new(String::new());
    let edit_time = RwSignal::new(String::new());
    let time_error = RwSignal::new(false);
    let occurrence = row.occurrence;
    let lang = move || i18n.language();
    let tz = StoredValue::new(tz);
    let local_time = move |t: Timestamp| {
        civil_text(
            t.to_zoned(tz.get_value()).datetime(),
            lang(),
            CivilStyle::Time,
        )
    };
    let reminder_id = reminder.id.clone();
    let card_id = format!("dose-{}-{}", reminder.id, occurrence.at.as_second());
    let article_id = card_id.clone();
    // Whether this device holds a reason typed on this card.
    let reason_kept = StoredValue::new(false);
    let card = StoredValue::new(card_id.clone());
    let forget_reason = move || {
        if reason_kept.get_value() {
            reason_kept.set_value(false);
            keep_skip_reason(card.get_value(), None);
        }
    };
    let log = move |action: DoseAction, at: Timestamp, snooze: Option<u16>, why: String| {
        forget_reason();
        data.log(DoseEvent {
            id: make_event_id(),
            reminder_id: reminder_id.clone(),
            scheduled_at: Some(occurrence.at.to_string()),
            action,
            at: at.to_string(),
            snooze_minutes: snooze,
            reason: why,
            recorded_at: None,
            undoes: None,
        });
        open.set(Open::None);
        now.set(Timestamp::now());
        // The card is drawn anew with its new status: keep the person's place on it. Its name
        // ("7:45 AM Ramipril: Taken") is what a screen reader then says.
        focus_id_later(card_id.clone());
    };
    let log = StoredValue::new(log);
    let status = row.status.clone();
    let upcoming = matches!(row.status, DoseStatus::Upcoming);
    // Putting off a dose only means something once it is due: not before, nor on a past day.
    let can_snooze = matches!(
        status,
        DoseStatus::Due | DoseStatus::Overdue | DoseStatus::Snoozed { .. }
    );
    let (status_key, status_class) = match &status {
        DoseStatus::Upcoming => (Key::RemindersStatusUpcoming, "upcoming"),
        DoseStatus::Due => (Key::RemindersStatusDue, "due"),
        DoseStatus::Overdue => (Key::RemindersStatusOverdue, "overdue"),
        DoseStatus::Missed => (Key::RemindersStatusMissed, "missed"),
        DoseStatus::Taken { .. } => (Key::RemindersStatusTaken, "taken"),
        DoseStatus::Skipped { .. } => (Key::RemindersStatusSkipped, "skipped"),
        DoseStatus::Snoozed { .. } => (Key::RemindersStatusSnoozed, "snoozed"),
    };
    let detail = {
        let status = status.clone();
        move || match &status {
            DoseStatus::Taken { at } => {
                Some(i18n.fill(Key::RemindersTakenAt, &[("time", &local_time(*at))]))
            }
            DoseStatus::Snoozed { until } => {
                Some(i18n.fill(Key::RemindersSnoozedUntil, &[("time", &local_time(*until))]))
            }
            DoseStatus::Skipped { reason } if !reason.is_empty() => {
                Some(i18n.fill(Key::RemindersSkippedBecause, &[("reason", reason)]))
            }
            _ => None,
        }
    };
    let shifted = occurrence.shifted.map(|s| match s {
        Shift::SpringForwardGap { .. } => Key::RemindersShiftedForward,
        Shift::FallBackRepeat { .. } => Key::RemindersShiftedBack,
    });
    let done = matches!(
        status,
        DoseStatus::Taken { .. } | DoseStatus::Skipped { .. }
    );
    // A reason that was being typed opens its panel again as it was left; once the dose is
    // decided (on another device, say), it is forgotten.
    spawn_for_view(async move {
        let kept = device_store::read_list::<SkipReason>(keys::SKIP_REASONS)
            .await
            .into_iter()
            .find(|x| card.with_value(|c| x.card == *c));
        if let Some(kept) = kept {
            reason_kept.set_value(true);
            if done {
                forget_reason();
            } else {
                reason.set(kept.reason);
                open.set(Open::Skip);
            }
        }
    });
    // Closing the panel (Cancel, Escape, another button) drops what was typed in it.
    Effect::new(move |_| {
        if open.get() != Open::Skip {
            forget_reason();
        }
    });
    let is_taken = matches!(status, DoseStatus::Taken { .. });
    let taken_clock = match &status {
        // The value of a time input, which is always 24-hour "HH:MM" (jiff's strftime would bring
        // its whole formatter into the bundle for these five characters).
        DoseStatus::Taken { at } => {
            let time = at.to_zoned(tz.get_value()).time();
            format!("{:02}:{:02}", time.hour(), time.minute())
        }
        _ => String::new(),
    };
    let undo_key = if is_taken {
        Key::RemindersUndoTaken
    } else {
        Key::RemindersUndoSkipped
    };
    let dose = {
        let (amount, unit) = (reminder.dose_amount.clone(), reminder.dose_unit.clone());
        move || dose_text(i18n, &amount, &unit)
    };
    let instructions = reminder.instructions.clone();
    let title = dose_title(&reminder);
    let title_for_label = title.clone();
    let edit_label = title.clone();
    let edit_href = format!("/reminders/edit/{}", reminder.id);
    let zone_place = StoredValue::new(zone_place);
    let zone_text = move || {
        zone_place.with_value(|p| {
            p.as_ref()
                .map(|place| i18n.fill(Key::RemindersCardZone, &[("place", place)]))
        })
    };
    let at_text = move || local_time(occurrence.at);
    let card_label = move || {
        let at = match zone_text() {
            Some(zone) => format!("{} {zone}", at_text()),
            None => at_text(),
        };
        format!("{at} {}: {}", title_for_label, i18n.t(status_key))
    };
    // Every card has the same buttons: out of the card's context (a screen reader's list of
    // buttons, voice control) "Taken" alone does not say which dose it logs. The name starts with
    // the button's visible text, so speaking that text still finds it.
    let title_for_buttons = StoredValue::new(title.clone());
    let for_dose = move |visible: &str| {
        title_for_buttons.with_value(|medicine| {
            let dose = i18n.fill(
                Key::RemindersForDose,
                &[("medicine", medicine), ("time", &at_text())],
            );
            format!("{visible}, {dose}")
        })
    };
    let which_dose = move |action: Key| move || for_dose(i18n.t(action));
    let save_time = move || {
        let text = edit_time.get_untracked();
        let parsed = text.parse::<Time>().ok().and_then(|t| {
            let day = occurrence.at.to_zoned(tz.get_value()).date();
            day.to_datetime(t).to_zoned(tz.get_value()).ok()
        });
        match parsed {
            Some(z) if z.timestamp() <= Timestamp::now() => {
                time_error.set(false);
                log.with_value(|f| f(DoseAction::Taken, z.timestamp(), None, String::new()));
            }
            _ => time_error.set(true),
        }
    };
    // A dose still a while off asks before it is logged as taken.
    let early =
        move || upcoming && occurrence.at.as_second() - now.get().as_second() > EARLY_MINUTES * 60;
    let early_id = format!("early-{}-{}", reminder.id, occurrence.at.as_second());
    let early_focus = early_id.clone();
    let take = move || {
        if early() {
            open.set(Open::ConfirmEarly);
            focus_id_later(early_focus.clone());
        } else {
            log.with_value(|f| f(DoseAction::Taken, Timestamp::now(), None, String::new()));
        }
    };
    let reason_id = format!("skip-reason-{}-{}", reminder.id, occurrence.at.as_second());
    let time_id = format!("taken-time-{}-{}", reminder.id, occurrence.at.as_second());
    let time_error_id = format!("{time_id}-error");
    view! {
        <article id=article_id.clone() tabindex="-1" class=format!("dose-card status-{status_class}") aria-label=card_label
            // Escape closes an open Snooze, Skip or time panel, leaving the focus on the card.
            on:keydown=move |ev| {
                if ev.key() == "Escape" && open.get_untracked() != Open::None {
                    open.set(Open::None);
                    focus_id_later(article_id.clone());
                }
            }>
            <p class="dose-time">
                {at_text}
                {move || zone_text().map(|zone| view! { <span class="dose-zone">{zone}</span> })}
            </p>
            <div class="dose-body">
                <h4 class="dose-medicine">{title}</h4>
                <p class="dose-meta">{dose}</p>
                {(!instructions.is_empty()).then(|| view! { <p class="dose-meta">{instructions}</p> })}
                {shifted.map(|k| view! { <p class="dose-meta">{tr(k)}</p> })}
                <p class=format!("dose-status {status_class}")>
                    <span class="status-badge">{tr(status_key)}</span>
                    {move || detail().map(|d| view! { " " <span>{d}</span> })}
                </p>
                {(!done).then(|| view! {
                    <div class="dose-actions">
                        <button type="button" class="button button-primary"
                            aria-label=which_dose(Key::RemindersMarkTaken)
                            aria-expanded=move || early().then(|| (open.get() == Open::ConfirmEarly).to_string())
                            on:click=move |_| take()>
                            {tr(Key::RemindersMarkTaken)}
                        </button>
                        {can_snooze.then(|| view! {
                            <button type="button" class="button"
                                aria-label=which_dose(Key::RemindersSnooze)
                                aria-expanded=move || (open.get() == Open::Snooze).to_string()
                                on:click=move |_| open.update(|o| *o = if *o == Open::Snooze { Open::None } else { Open::Snooze })>
                                {tr(Key::RemindersSnooze)}
                            </button>
                        })}
                        <button type="button" class="button"
                            aria-label=which_dose(Key::RemindersSkip)
                            aria-expanded=move || (open.get() == Open::Skip).to_string()
                            on:click=move |_| open.update(|o| *o = if *o == Open::Skip { Open::None } else { Open::Skip })>
                            {tr(Key::RemindersSkip)}
                        </button>
                    </div>
                })}
                {move || (open.get() == Open::ConfirmEarly).then(|| {
                    let cancel_to = card.get_value();
                    view! {
                        <div class="dose-extra notice" role="alert" id=early_id.clone() tabindex="-1">
                            <p>{move || i18n.fill(Key::RemindersEarlyCheck, &[("time", &at_text())])}</p>
                            <div class="dose-actions">
                                <button type="button" class="button button-primary"
                                    aria-label=which_dose(Key::RemindersEarlyYes)
                                    on:click=move |_| log.with_value(|f| f(DoseAction::Taken, Timestamp::now(), None, String::new()))>
                                    {tr(Key::RemindersEarlyYes)}
                                </button>
                                <button type="button" class="button" on:click=move |_| {
                                    open.set(Open::None);
                                    focus_id_later(cancel_to.clone());
                                }>
                                    {tr(Key::Cancel)}
                                </button>
                            </div>
                        </div>
                    }
                })}
                {move || (open.get() == Open::Snooze).then(|| view! {
                    <div class="dose-extra" role="group" aria-label=tr(Key::RemindersSnoozeFor)>
                        {SNOOZE_MINUTES
                            .into_iter()
                            .map(|m| {
                                let minutes = move || i18n.fill(Key::RemindersMinutes, &[("n", &m.to_string())]);
                                view! {
                                    <button type="button" class="button"
                                        aria-label=move || for_dose(&minutes())
                                        on:click=move |_| log.with_value(|f| f(DoseAction::Snoozed, Timestamp::now(), Some(m), String::new()))>
                                        {minutes}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                })}
                {
                    let reason_id = reason_id.clone();
                    move || (open.get() == Open::Skip).then(|| {
                        let reason_id = reason_id.clone();
                        view! {
                            <div class="dose-extra field">
                                <label for=reason_id.clone()>{tr(Key::RemindersSkipReason)}</label>
                                <input id=reason_id type="text" maxlength=MAX_REASON_CHARS
                                    prop:value=move || reason.get()
                                    on:input=move |ev| {
                                        let text = event_target_value(&ev);
                                        reason_kept.set_value(true);
                                        keep_skip_reason(card.get_value(), Some(text.clone()));
                                        reason.set(text);
                                    } />
                                <div class="dose-actions">
                                    <button type="button" class="button button-primary"
                                        on:click=move |_| log.with_value(|f| f(DoseAction::Skipped, Timestamp::now(), None, reason.get_untracked().trim().to_owned()))>
                                        {tr(Key::RemindersSkipConfirm)}
                                    </button>
                                    <button type="button" class="button" on:click=move |_| open.set(Open::None)>{tr(Key::Cancel)}</button>
                                </div>
                            </div>
                        }
                    })
                }
                {done.then(|| view! {
                    <div class="dose-actions">
                        {is_taken.then(|| view! {
                            <button type="button" class="button"
                                aria-label=which_dose(Key::RemindersChangeTime)
                                aria-expanded=move || (open.get() == Open::EditTime).to_string()
                                on:click={
                                    let time_id = time_id.clone();
                                    move |_| {
                                        // Starts from the time recorded, in the reminder's zone, as the label's times are.
                                        edit_time.set(taken_clock.clone());
                                        open.update(|o| *o = if *o == Open::EditTime { Open::None } else { Open::EditTime });
                                        if open.get_untracked() == Open::EditTime {
                                            focus_id_later(time_id.clone());
                                        }
                                    }
                                }>
                                {tr(Key::RemindersChangeTime)}
                            </button>
                        })}
                        {(!is_taken).then(|| view! {
                            <button type="button" class="button"
                                aria-label=which_dose(Key::RemindersTakenAfterAll)
                                on:click=move |_| log.with_value(|f| f(DoseAction::Taken, Timestamp::now(), None, String::new()))>
                                {tr(Key::RemindersTakenAfterAll)}
                            </button>
                        })}
                        // A one-tap "Taken" or "Skip" is easily tapped by mistake; left, the dose
                        // would never be reminded of again.
                        <button type="button" class="button"
                            aria-label=which_dose(undo_key)
                            on:click=move |_| log.with_value(|f| f(DoseAction::Undone, Timestamp::now(), None, String::new()))>
                            {tr(undo_key)}
                        </button>
                    </div>
                })}
                {move || (open.get() == Open::EditTime).then(|| {
                    let time_id = time_id.clone();
                    let error_id = time_error_id.clone();
                    let described = error_id.clone();
                    let input = NodeRef::<leptos::html::Input>::new();
                    keep_value(input, move || edit_time.get());
                    view! {
                        <form class="dose-extra field" on:submit=move |ev| { ev.prevent_default(); save_time(); }>
                            <label for=time_id.clone()>{tr(Key::RemindersTakenTimeLabel)}</label>
                            <input id=time_id type="time" required
                                aria-invalid=move || time_error.get().to_string()
                                aria-describedby=move || time_error.get().then(|| described.clone())
                                node_ref=input
                                on:input=move |ev| { edit_time.set(event_target_value(&ev)); time_error.set(false); } />
                            {move || time_error.get().then(|| view! { <p id=error_id.clone() class="field-error">{tr(Key::RemindersTakenTimeInvalid)}</p> })}
                            <div class="dose-actions">
                                <button type="submit" class="button button-primary">{tr(Key::Save)}</button>
                                <button type="button" class="button" on:click=move |_| open.set(Open::None)>{tr(Key::Cancel)}</button>
                            </div>
                        </form>
                    }
                })}
                <p class="dose-edit"><a href=edit_href>{move || i18n.fill(Key::RemindersChangeReminder, &[("medicine", &edit_label)])}</a></p>
            </div>
        </article>
    }
}

/// One dose as the reader's language says it: "1 tablet", "2.5 tablets", "2,5 Tabletten".
pub fn dose_text(i18n: I18n, amount: &str, unit: &str) -> String {
    let (one, other) = match unit {
        "tablet" => (Key::DoseTabletOne, Key::DoseTabletOther),
        "capsule" => (Key::DoseCapsuleOne, Key::DoseCapsuleOther),
        "puff" => (Key::DosePuffOne, Key::DosePuffOther),
        "ml" => (Key::DoseMlOne, Key::DoseMlOther),
        "drop" => (Key::DoseDropOne, Key::DoseDropOther),
        "patch" => (Key::DosePatchOne, Key::DosePatchOther),
        "injection" => (Key::DoseInjectionOne, Key::DoseInjectionOther),
        "sachet" => (Key::DoseSachetOne, Key::DoseSachetOther),
        other => return format!("{amount} {other}"),
    };
    let language = i18n.language();
    let key = if language.amount_is_singular(amount) {
        one
    } else {
        other
    };
    i18n.fill(key, &[("n", &language.amount_text(amount))])
}

/// The dose unit's name in the reader's language ("tablet(s)").
pub fn unit_text(unit: &str) -> String {
    let i18n = use_i18n();
    let key = match unit {
        "tablet" => Key::UnitTablet,
        "capsule" => Key::UnitCapsule,
        "puff" => Key::UnitPuff,
        "ml" => Key::UnitMl,
        "drop" => Key::UnitDrop,
        "patch" => Key::UnitPatch,
        "injection" => Key::UnitInjection,
        "sachet" => Key::UnitSachet,
        other => return other.to_owned(),
    };
    i18n.t(key).to_owned()
}
