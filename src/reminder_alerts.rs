//! Notifications for doses that become due while the app is open (in a tab or in the background).
//!
//! Permission is asked only when the person presses the button on the Today view, after they have
//! a reminder: a prompt on first load is refused by most people and browsers penalise it. What a
//! closed app can deliver is explained plainly next to the button, with the calendar as the
//! fallback every phone honours.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portal_core::dose_log::{day_doses, DoseStatus};
use portal_core::reminders::{parse_instant, Reminder};
use portal_core::schedule::jiff::tz::TimeZone;
use portal_core::schedule::jiff::{SignedDuration, Timestamp};
use wasm_bindgen::prelude::*;
use web_sys::{Notification, NotificationOptions, NotificationPermission};

use crate::i18n::{tr, use_i18n, Key};
use crate::pwa::PushState;
use crate::reminder_data::use_reminder_data;
use crate::routes::reminders::dose_title;
use crate::time_zones::use_zones;

/// A dose that became due longer ago than this is not announced (the page shows it anyway): the
/// app was closed then, and a burst of old alerts on opening helps nobody.
const ANNOUNCE_WITHIN_MINUTES: i64 = 5;

/// What this browser allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Permission {
    Unsupported,
    NotAsked,
    Granted,
    Denied,
}

fn permission() -> Permission {
    let supported =
        js_sys::Reflect::has(&js_sys::global(), &"Notification".into()).unwrap_or(false);
    if !supported {
        return Permission::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::NotAsked,
    }
}

/// Shows a system notification; clicking it brings the app to the Today view.
fn notify(title: &str, body: &str, tag: &str) -> bool {
    if permission() != Permission::Granted {
        return false;
    }
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag(tag);
    options.set_icon("/assets/favicon.svg");
    let Ok(notification) = Notification::new_with_options(title, &options) else {
        return false;
    };
    let navigate = use_navigate();
    let onclick = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.focus();
        }
        navigate("/reminders", Default::default());
    });
    notification.set_onclick(Some(onclick.as_ref().unchecked_ref()));
    // The notification may be clicked long after this function returns.
    onclick.forget();
    true
}

/// Turning notifications on, the test reminder, and what can and cannot be delivered.
#[component]
pub fn AlertsPanel() -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(permission());
    let tested = RwSignal::new(None::<Key>);
    // Once notifications are allowed, doses can also be pushed to this device while it is closed.
    let push = RwSignal::new(None::<PushState>);
    let api = crate::api::use_api();
    Effect::new(move |_| {
        if let (Permission::Granted, Some(api)) = (state.get(), api.clone()) {
            leptos::task::spawn_local(async move {
                let _ = push.try_set(Some(crate::pwa::subscribe_push(&api).await));
            });
        }
    });
    let ask = move |_| {
        let Ok(promise) = Notification::request_permission() else {
            state.set(permission());
            return;
        };
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            state.set(permission());
        });
    };
    let test = move |_| {
        let shown = notify(
            i18n.t(Key::AlertsTestTitle),
            i18n.t(Key::AlertsTestBody),
            "test-reminder",
        );
        tested.set(Some(if shown {
            Key::AlertsTestSent
        } else {
            Key::AlertsTestFailed
        }));
    };
    view! {
        <section class="alerts-panel" aria-labelledby="alerts-heading">
            <h2 id="alerts-heading">{tr(Key::AlertsTitle)}</h2>
            {move || match state.get() {
                Permission::Unsupported => view! { <p>{tr(Key::AlertsUnsupported)}</p> }.into_any(),
                Permission::Denied => view! { <p>{tr(Key::AlertsDenied)}</p> }.into_any(),
                Permission::NotAsked => view! {
                    <p>{tr(Key::AlertsOffer)}</p>
                    <button type="button" class="button button-primary" on:click=ask>{tr(Key::AlertsTurnOn)}</button>
                }
                .into_any(),
                Permission::Granted => view! {
                    <p>{tr(Key::AlertsOn)}</p>
                    {move || match push.get() {
                        Some(PushState::On) => Some(view! { <p>{tr(Key::AlertsPushOn)}</p> }),
                        Some(PushState::Failed) => Some(view! { <p>{tr(Key::AlertsPushFailed)}</p> }),
                        _ => None,
                    }}
                    <button type="button" class="button" on:click=test>{tr(Key::AlertsTest)}</button>
                }
                .into_any(),
            }}
            <p role="status">{move || tested.get().map(|k| tr(k)())}</p>
            <details>
                <summary>{tr(Key::AlertsLimitsSummary)}</summary>
                <p>{tr(Key::AlertsLimitsOpen)}</p>
                {move || (push.get() != Some(PushState::On)).then(|| view! { <p>{tr(Key::AlertsLimitsClosed)}</p> })}
                <p>{tr(Key::AlertsLimitsIphone)}</p>
                <p>{tr(Key::AlertsLimitsCalendar)}</p>
            </details>
        </section>
    }
}

/// Watches the clock and announces each dose once, when it becomes due (or its snooze ends).
#[component]
pub fn DueWatcher(now: RwSignal<Timestamp>) -> impl IntoView {
    let (Some(data), Some(zones)) = (use_reminder_data(), use_zones()) else {
        return;
    };
    let i18n = use_i18n();
    let announced = StoredValue::new(HashSet::<(String, i64)>::new());
    Effect::new(move |_| {
        let now = now.get();
        let events = data.events();
        let reminders = data.reminders.get();
        let window = SignedDuration::from_mins(ANNOUNCE_WITHIN_MINUTES);
        for person in data.people.get() {
            let own: Vec<Reminder> = reminders
                .iter()
                .filter(|r| r.person_id == person.id)
                .cloned()
                .collect();
            let zone_of = |name: &str| zones.get(name);
            let today = now
                .to_zoned(zones.get(&person.zone).unwrap_or(TimeZone::UTC))
                .date();
            for row in day_doses(&person, &own, &events, &zone_of, today, today, now) {
                if row.status != DoseStatus::Due {
                    continue;
                }
                // After a snooze the dose is due again when the snooze ends.
                let due_at = row
                    .event_id
                    .as_ref()
                    .and_then(|id| events.iter().find(|e| &e.id == id))
                    .and_then(|e| {
                        let minutes = i64::from(e.snooze_minutes?);
                        parse_instant(&e.at)?
                            .checked_add(SignedDuration::from_mins(minutes))
                            .ok()
                    })
                    .unwrap_or(row.occurrence.at);
                let fresh = now.duration_since(due_at) <= window;
                let key = (row.reminder_id.clone(), due_at.as_second());
                if !fresh || announced.with_value(|a| a.contains(&key)) {
                    continue;
                }
                announced.update_value(|a| {
                    a.insert(key);
                });
                let Some(reminder) = own.iter().find(|r| r.id == row.reminder_id) else {
                    continue;
                };
                let body = if reminder.hide_name_in_calendar {
                    i18n.fill(Key::AlertsDoseBodyPrivate, &[("name", &person.name)])
                } else {
                    i18n.fill(
                        Key::AlertsDoseBody,
                        &[("name", &person.name), ("medicine", &dose_title(reminder))],
                    )
                };
                notify(
                    i18n.t(Key::AlertsDoseTitle),
                    &body,
                    &format!("dose-{}-{}", row.reminder_id, row.occurrence.at.as_second()),
                );
            }
        }
    });
}
