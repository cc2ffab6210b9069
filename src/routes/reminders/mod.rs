//! Medication reminders for the people a caregiver looks after: today's doses, history, people and
//! the reminder form. Signed-in only. Everything reads from [`ReminderData`], so it works offline.

pub mod dose_card;
pub mod form;
pub mod history;
pub mod people;

use leptos::prelude::*;
use leptos_router::components::A;
use portal_core::dose_log::{
    as_needed_taken_on, day_doses, doses_before_set_up, needs_refill, stock_left, taken_instants,
    zone_followed, DoseRow,
};
use portal_core::reminders::{DoseAction, DoseEvent, Person, Reminder};
use portal_core::schedule::jiff::tz::TimeZone;
use portal_core::schedule::jiff::Timestamp;
use portal_core::schedule::words::gap_words;
use portal_core::schedule::{as_needed_check, AsNeededVerdict, Pattern};

use crate::components::focus::focus_id_later;
use crate::components::page::PageTitle;
use crate::i18n::{civil_text, tr, use_i18n, CivilStyle, Key};
use crate::reminder_alerts::{AlertsPanel, DueWatcher};
use crate::reminder_data::{make_event_id, use_reminder_data, Refused, ReminderData, SyncState};
use crate::time_zones::{use_zones, Zones};

use dose_card::DoseCard;

/// Which reminders page is shown, for the section links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Today,
    History,
    People,
    Add,
}

/// The links between the reminders pages.
#[component]
pub fn SectionNav(current: Section) -> impl IntoView {
    // Plain links: the router's `<A>` would also mark "Today" (`/reminders`) as current on every
    // page below it.
    let link = move |section: Section, href: &'static str, key: Key| {
        let current = (section == current).then_some("page");
        view! { <li><a href=href aria-current=current>{tr(key)}</a></li> }
    };
    view! {
        <nav class="section-nav" aria-label=tr(Key::RemindersSections)>
            <ul>
                {link(Section::Today, "/reminders", Key::RemindersToday)}
                {link(Section::History, "/reminders/history", Key::RemindersHistory)}
                {link(Section::People, "/reminders/people", Key::RemindersPeople)}
                {link(Section::Add, "/reminders/new", Key::RemindersAdd)}
            </ul>
        </nav>
    }
}

/// A clock for the reminders pages: "now", moved on every 30 seconds so statuses change by
/// themselves (due becomes overdue, a snooze ends).
pub fn ticking_now() -> RwSignal<Timestamp> {
    let now = RwSignal::new(Timestamp::now());
    let handle = set_interval_with_handle(
        move || now.set(Timestamp::now()),
        std::time::Duration::from_secs(30),
    );
    on_cleanup(move || {
        if let Ok(h) = handle {
            h.clear();
        }
    });
    now
}

/// Loads the zones the given people's reminders follow; reactive.
pub fn load_zones(data: ReminderData, zones: Zones) {
    Effect::new(move |_| {
        let people = data.people.get();
        let reminders = data.reminders.get();
        // The device's own zone too: Today's heading is the device's day.
        let device = crate::time_zones::device_zone();
        let mut names: Vec<&str> = people.iter().map(|p| p.zone.as_str()).collect();
        names.extend(reminders.iter().map(|r| r.schedule.zone.as_str()));
        names.push(&device);
        zones.ensure(names);
    });
}

/// The zone's date today, or the UTC date while the zone loads.
fn today_in(tz: Option<&TimeZone>, now: Timestamp) -> portal_core::schedule::jiff::civil::Date {
    now.to_zoned(tz.cloned().unwrap_or(TimeZone::UTC)).date()
}

/// Today: each person's doses, in order, with one-tap actions.
#[component]
pub fn Reminders() -> impl IntoView {
    let (Some(data), Some(zones)) = (use_reminder_data(), use_zones()) else {
        return view! { <p>{tr(Key::ErrorUnexpected)}</p> }.into_any();
    };
    let i18n = use_i18n();
    let now = ticking_now();
    load_zones(data, zones);
    data.wake();
    let heading_day = move || {
        let tz = zones.get(&crate::time_zones::device_zone());
        let day = today_in(tz.as_ref(), now.get());
        civil_text(
            day.to_datetime(portal_core::schedule::jiff::civil::Time::midnight()),
            i18n.language(),
            CivilStyle::LongDay,
        )
    };
    // The form comes back here after saving: say so, naming the medicine.
    let query = leptos_router::hooks::use_query_map();
    let saved = move || {
        let id = query.read().get("saved")?;
        let title = data
            .reminders
            .with(|l| l.iter().find(|r| r.id == id).map(dose_title))?;
        Some(i18n.fill(Key::RemindersSaved, &[("medicine", &title)]))
    };
    // Memos, so a synchronisation that changes nothing rebuilds nothing.
    let has_people = Memo::new(move |_| data.people.with(|p| !p.is_empty()));
    let has_reminders = Memo::new(move |_| data.reminders.with(|r| !r.is_empty()));
    let opening = Memo::new(move |_| data.state.get() == SyncState::Opening);
    let people = Memo::new(move |_| data.people.get());
    let auth = crate::auth::use_auth();
    let greeting = move || {
        let name = auth
            .session()
            .map(|s| s.user.display_name)
            .unwrap_or_default();
        i18n.fill(Key::RemindersIntro, &[("name", &name)])
    };
    view! {
        <PageTitle title=Key::RemindersTitle />
        <p class="lead">{greeting}</p>
        <SectionNav current=Section::Today />
        <SyncLine data />
        {move || saved().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        <RefusedNotice data />
        <RefillAlerts data />
        <DueWatcher now />
        <h2 class="today-heading">{tr(Key::RemindersTodayHeading)} " " <span class="today-date">{heading_day}</span></h2>
        {move || {
            if opening.get() {
                return view! { <p role="status">{tr(Key::Loading)}</p> }.into_any();
            }
            if !has_people.get() {
                return view! {
                    <div class="empty-state">
                        <p>{tr(Key::RemindersNoPeople)}</p>
                        <A href="/reminders/people" attr:class="button button-primary">{tr(Key::RemindersAddPerson)}</A>
                    </div>
                }
                .into_any();
            }
            if !has_reminders.get() {
                return view! {
                    <div class="empty-state">
                        <p>{tr(Key::RemindersNoReminders)}</p>
                        <A href="/reminders/new" attr:class="button button-primary">{tr(Key::RemindersAdd)}</A>
                    </div>
                }
                .into_any();
            }
            // Keyed, so a person added or changed elsewhere (another caregiver, another
            // device) leaves the others' cards alone: an open Skip panel keeps its reason, a
            // focused card its focus.
            view! {
                <For each=move || people.get() key=|p| (p.id.clone(), p.version) let:person>
                    <PersonToday person now data zones />
                </For>
            }
            .into_any()
        }}
        <Show when=move || has_reminders.get()>
            <AlertsPanel />
        </Show>
    }
    .into_any()
}

/// One person's doses today.
#[component]
fn PersonToday(
    person: Person,
    now: RwSignal<Timestamp>,
    data: ReminderData,
    zones: Zones,
) -> impl IntoView {
    let heading_id = format!("today-{}", person.id);
    let labelled_by = heading_id.clone();
    let person_id = StoredValue::new(person.id.clone());
    let person = StoredValue::new(person);
    let own_reminders = move || {
        data.reminders.with(|list| {
            list.iter()
                .filter(|r| person_id.with_value(|id| &r.person_id == id))
                .cloned()
                .collect::<Vec<Reminder>>()
        })
    };
    // Today's doses, and how many came before their reminder was set up (a reminder set up at
    // 14:00 leaves the morning's out: said, or they seem lost), from one read of the inputs.
    let day = Memo::new(move |_| {
        let reminders = own_reminders();
        let events = data.events();
        let now = now.get();
        let person = person.get_value();
        let zone_of = |name: &str| zones.get(name);
        let today = today_in(zones.get(&person.zone).as_ref(), now);
        (
            day_doses(&person, &reminders, &events, &zone_of, today, today, now),
            doses_before_set_up(&person, &reminders, &events, &zone_of, today, now),
        )
    });
    let rows = Memo::new(move |_| day.with(|(rows, _)| rows.clone()));
    let before_set_up = Memo::new(move |_| day.with(|(_, left_out)| *left_out));
    let as_needed = move || {
        own_reminders()
            .into_iter()
            .filter(|r| matches!(r.schedule.pattern, Pattern::AsNeeded(_)))
            .collect::<Vec<_>>()
    };
    let waiting_zone = move || {
        let person = person.get_value();
        own_reminders().iter().any(|r| {
            let zone = zone_followed(r, &person);
            zones.get(zone).is_none()
        })
    };
    let missing_zone = move || {
        let person = person.get_value();
        own_reminders()
            .iter()
            .any(|r| zones.is_missing(zone_followed(r, &person)))
    };
    let colour = format!(
        "person-dot colour-{}",
        person.with_value(|p| p.colour.clone())
    );
    // A person in another zone than this device: their times and their day are not the
    // caregiver's, which the cards alone would not say.
    let i18n = use_i18n();
    let device = crate::time_zones::device_zone();
    let zone_note = move || {
        let person = person.get_value();
        if person.zone == device {
            return None;
        }
        let tz = zones.get(&person.zone)?;
        let day = today_in(Some(&tz), now.get());
        let day = civil_text(
            day.to_datetime(portal_core::schedule::jiff::civil::Time::midnight()),
            i18n.language(),
            CivilStyle::LongDay,
        );
        Some(i18n.fill(
            Key::RemindersZoneNote,
            &[
                ("place", &portal_core::reminders::zone_place(&person.zone)),
                ("day", &day),
            ],
        ))
    };
    view! {
        <section class="person-today" aria-labelledby=labelled_by>
            <h3 id=heading_id>
                <span class=colour aria-hidden="true"></span>
                {person.with_value(|p| p.name.clone())}
            </h3>
            {move || zone_note().map(|note| view! { <p class="muted zone-note">{note}</p> })}
            {move || missing_zone().then(|| view! { <p class="notice notice-urgent">{tr(Key::RemindersZoneMissing)}</p> })}
            {move || (waiting_zone() && !missing_zone()).then(|| view! { <p role="status">{tr(Key::Loading)}</p> })}
            {move || (rows.with(Vec::is_empty) && as_needed().is_empty())
                .then(|| view! { <p class="muted">{tr(Key::RemindersNothingToday)}</p> })}
            {move || (before_set_up.get() > 0).then(|| view! {
                <p class="muted">
                    {move || i18n.count(Key::RemindersBeforeSetUpOne, Key::RemindersBeforeSetUp, before_set_up.get())}
                </p>
            })}
            // Keyed, so logging one dose re-renders that card only, not the whole day.
            <ol class="dose-list">
                <For each=move || rows.get() key=move |row| row_key(row, data) let:row>
                    {
                        let reminder = data
                            .reminders
                            .with_untracked(|l| l.iter().find(|r| r.id == row.reminder_id).cloned());
                        reminder.map(|reminder| {
                            let person = person.get_value();
                            let zone = zone_followed(&reminder, &person);
                            let tz = zones.get_untracked(zone).unwrap_or(TimeZone::UTC);
                            let zone_place = (zone != person.zone)
                                .then(|| portal_core::reminders::zone_place(zone));
                            view! { <li><DoseCard row reminder tz data now zone_place /></li> }
                        })
                    }
                </For>
            </ol>
            // Keyed on what the card shows: a dose logged here counts the stock down, and the
            // reminder's new version must not close the limit question open on the card.
            <For each=as_needed key=|r| (r.id.clone(), shown(r)) let:reminder>
                <AsNeededCard reminder person=person.get_value() data zones now />
            </For>
        </section>
    }
}

/// An as-needed medicine: the doses taken today and a button to log one, which warns before the
/// label's limits are passed.
#[component]
fn AsNeededCard(
    reminder: Reminder,
    person: Person,
    data: ReminderData,
    zones: Zones,
    now: RwSignal<Timestamp>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Pattern::AsNeeded(limits) = reminder.schedule.pattern.clone() else {
        return ().into_any();
    };
    let zone = StoredValue::new(zone_followed(&reminder, &person).to_owned());
    let id = reminder.id.clone();
    let article_id = format!("as-needed-{id}");
    let card_id = StoredValue::new(article_id.clone());
    let check_id = StoredValue::new(format!("{article_id}-check"));
    let id_for_taken = StoredValue::new(id.clone());
    let confirm = RwSignal::new(false);
    // What the last tap did, for screen readers.
    let said = RwSignal::new(None::<Key>);
    let tz = move || zone.with_value(|z| zones.get(z)).unwrap_or(TimeZone::UTC);
    let taken_today = move || {
        let tz = tz();
        let day = today_in(Some(&tz), now.get());
        id_for_taken.with_value(|id| as_needed_taken_on(id, &data.events(), &tz, day))
    };
    let id_for_verdict = StoredValue::new(id.clone());
    let verdict = move || {
        let taken = id_for_verdict.with_value(|id| taken_instants(id, &data.events()));
        as_needed_check(&limits, &taken, now.get())
    };
    let warning = move || {
        let lang = i18n.language();
        match verdict() {
            AsNeededVerdict::Ok => None,
            AsNeededVerdict::TooSoon { wait_minutes } => Some(i18n.fill(
                Key::RemindersTooSoon,
                &[("wait", &wait_text(i18n, wait_minutes))],
            )),
            AsNeededVerdict::DailyMaxReached { next_allowed } => {
                let local = next_allowed.to_zoned(tz()).datetime();
                Some(i18n.fill(
                    Key::RemindersDailyMax,
                    &[
                        ("max", &limits.max_per_24h.to_string()),
                        ("time", &civil_text(local, lang, CivilStyle::DayTime)),
                    ],
                ))
            }
        }
    };
    let id_for_undo = StoredValue::new(id.clone());
    // A dose logged by mistake (a tap too many, or logged for the wrong person) is taken back:
    // it leaves the list, the limits and the count of the pack.
    let undo = move |taking: String| {
        data.log(DoseEvent {
            id: make_event_id(),
            reminder_id: id_for_undo.get_value(),
            scheduled_at: None,
            action: DoseAction::Undone,
            at: Timestamp::now().to_string(),
            snooze_minutes: None,
            reason: String::new(),
            recorded_at: None,
            undoes: Some(taking),
        });
        confirm.set(false);
        said.set(Some(Key::RemindersDoseUndone));
        now.set(Timestamp::now());
        focus_id_later(card_id.get_value());
    };
    let log_now = move || {
        data.log(DoseEvent {
            id: make_event_id(),
            reminder_id: id.clone(),
            scheduled_at: None,
            action: DoseAction::Taken,
            at: Timestamp::now().to_string(),
            snooze_minutes: None,
            reason: String::new(),
            recorded_at: None,
            undoes: None,
        });
        confirm.set(false);
        said.set(Some(Key::RemindersDoseLogged));
        now.set(Timestamp::now());
        // The buttons are drawn anew with the new limits: keep the person's place on the card.
        focus_id_later(card_id.get_value());
    };
    let log_now = StoredValue::new(log_now);
    let title = dose_title(&reminder);
    // Out of the card's context "Log a dose now" does not say which medicine.
    let title_for_label = StoredValue::new(title.clone());
    let log_label =
        move || title_for_label.with_value(|t| format!("{}, {t}", i18n.t(Key::RemindersLogDose)));
    let edit_label = title.clone();
    let edit_href = format!("/reminders/edit/{}", reminder.id);
    let dose = {
        let (amount, unit) = (reminder.dose_amount.clone(), reminder.dose_unit.clone());
        move || dose_card::dose_text(i18n, &amount, &unit)
    };
    view! {
        <article id=article_id class="dose-card as-needed" tabindex="-1">
            <h4 class="dose-medicine">{title}</h4>
            <p class="dose-meta">{dose}</p>
            <p class="dose-meta">{tr(Key::RemindersAsNeededLabel)}</p>
            <p class="dose-meta">
                {move || {
                    let lang = i18n.language();
                    let tz = tz();
                    let times: Vec<String> = taken_today()
                        .iter()
                        .map(|(t, _)| civil_text(t.to_zoned(tz.clone()).datetime(), lang, CivilStyle::Time))
                        .collect();
                    if times.is_empty() {
                        i18n.t(Key::RemindersAsNeededNoneToday).to_string()
                    } else {
                        i18n.fill(Key::RemindersAsNeededTakenAt, &[("times", &times.join(", "))])
                    }
                }}
            </p>
            {move || {
                let warn = warning();
                match (warn, confirm.get()) {
                    (Some(text), true) => view! {
                        <div class="notice notice-urgent" role="alert" id=check_id.get_value() tabindex="-1">
                            <p>{text}</p>
                            <p>{tr(Key::RemindersLimitCheck)}</p>
                            <div class="dose-actions">
                                <button type="button" class="button" on:click=move |_| log_now.with_value(|f| f())>
                                    {tr(Key::RemindersLogAnyway)}
                                </button>
                                <button type="button" class="button" on:click=move |_| {
                                    confirm.set(false);
                                    focus_id_later(card_id.get_value());
                                }>
                                    {tr(Key::Cancel)}
                                </button>
                            </div>
                        </div>
                    }
                    .into_any(),
                    (Some(text), false) => view! {
                        <p class="field-error">{text}</p>
                        <div class="dose-actions">
                            <button type="button" class="button" aria-label=log_label on:click=move |_| {
                                confirm.set(true);
                                focus_id_later(check_id.get_value());
                            }>
                                {tr(Key::RemindersLogDose)}
                            </button>
                        </div>
                    }
                    .into_any(),
                    (None, _) => view! {
                        <div class="dose-actions">
                            <button type="button" class="button button-primary" aria-label=log_label
                                on:click=move |_| log_now.with_value(|f| f())>
                                {tr(Key::RemindersLogDose)}
                            </button>
                        </div>
                    }
                    .into_any(),
                }
            }}
            // Any of the day's doses can be taken back, not only the last: the mistake may be
            // found after the next real dose was logged. Newest first, as the list above.
            {move || {
                let taken = taken_today();
                (!taken.is_empty()).then(|| {
                    let (tz, lang) = (tz(), i18n.language());
                    let clock = |at: Timestamp| civil_text(at.to_zoned(tz.clone()).datetime(), lang, CivilStyle::Time);
                    let times: Vec<String> = taken.iter().map(|(at, _)| clock(*at)).collect();
                    let count = taken.len();
                    let buttons = taken.into_iter().zip(&times).enumerate().map(|(i, ((_, taking), time))| {
                        // Two doses logged in the same minute: say which one each button takes back.
                        let time = if times.iter().filter(|t| *t == time).count() > 1 {
                            let (n, count) = ((count - i).to_string(), count.to_string());
                            i18n.fill(Key::RemindersUndoWhich, &[("time", time), ("n", &n), ("count", &count)])
                        } else {
                            time.clone()
                        };
                        let text = format!("{} ({time})", i18n.t(Key::RemindersUndoTaken));
                        let label = title_for_label.with_value(|t| format!("{text}, {t}"));
                        view! {
                            <button type="button" class="button" aria-label=label
                                on:click=move |_| undo(taking.clone())>
                                {text}
                            </button>
                        }
                    }).collect_view();
                    view! { <div class="dose-actions">{buttons}</div> }
                })
            }}
            <p class="visually-hidden" role="status">
                {move || said.get().map(|k| tr(k)())}
            </p>
            <p class="dose-edit"><a href=edit_href>{move || i18n.fill(Key::RemindersChangeReminder, &[("medicine", &edit_label)])}</a></p>
        </article>
    }
    .into_any()
}

/// What makes a dose card look different: its slot, status, deciding event and what it shows of
/// its reminder (an edited medicine name).
fn row_key(row: &DoseRow, data: ReminderData) -> String {
    // What the card shows of its reminder, not the reminder's version: a taken dose counts the
    // stock down, which is a new version, and redrawing the day's other cards then would close a
    // Skip panel and drop the reason being typed in it.
    let shown = data.reminders.with_untracked(|l| {
        l.iter()
            .find(|r| r.id == row.reminder_id)
            .map(shown)
            .unwrap_or_default()
    });
    format!(
        "{}|{}|{:?}|{:?}|{shown}",
        row.reminder_id,
        row.occurrence.at.as_millisecond(),
        row.status,
        row.event_id
    )
}

/// What a card shows of its reminder: not its stock or version, which change with every dose
/// taken.
fn shown(r: &Reminder) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{:?}",
        r.medicine,
        r.strength,
        r.dose_amount,
        r.dose_unit,
        r.instructions,
        r.schedule.zone,
        r.schedule.pattern
    )
}

/// "4 h 1 min", "1 hour", or "45 minutes" under an hour.
fn wait_text(i18n: crate::i18n::I18n, minutes: u32) -> String {
    let phrase = |p| i18n.t(form::phrase_key(p)).to_owned();
    gap_words(u16::try_from(minutes).unwrap_or(u16::MAX), &phrase)
}

/// "Ibuprofen 200 mg, 1 tablet".
pub fn dose_title(reminder: &Reminder) -> String {
    let mut title = reminder.medicine.clone();
    if !reminder.strength.is_empty() {
        title.push(' ');
        title.push_str(&reminder.strength);
    }
    title
}

/// Whether the page shows fresh data, the device's copy, or doses waiting to be sent.
#[component]
pub fn SyncLine(data: ReminderData) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="sync-line" role="status">
            {move || {
                let waiting = data.waiting();
                let base = match data.state.get() {
                    SyncState::Opening | SyncState::Syncing => i18n.t(Key::RemindersSyncing).to_string(),
                    SyncState::UpToDate => i18n.t(Key::RemindersUpToDate).to_string(),
                    SyncState::Offline(_) => i18n.t(Key::RemindersOfflineCopy).to_string(),
                };
                if waiting > 0 {
                    format!(
                        "{base} {}",
                        i18n.count(Key::RemindersWaitingOne, Key::RemindersWaiting, waiting)
                    )
                } else {
                    base
                }
            }}
            {move || (!data.persistent.get()).then(|| view! { " " {tr(Key::RemindersNotKept)} })}
        </p>
    }
}

/// Doses the backend would not take: told once, then dismissed.
#[component]
fn RefusedNotice(data: ReminderData) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let refused = data.refused.get();
        (!refused.is_empty()).then(|| {
            let gone = refused
                .iter()
                .filter(|r| matches!(r, Refused::ReminderGone(_)))
                .count();
            let conflicts = refused.len() - gone;
            view! {
                <div class="notice notice-urgent" role="alert">
                    {(gone > 0).then(|| view! { <p>{i18n.count(Key::RemindersRefusedGoneOne, Key::RemindersRefusedGone, gone)}</p> })}
                    {(conflicts > 0).then(|| view! { <p>{i18n.count(Key::RemindersRefusedConflictOne, Key::RemindersRefusedConflict, conflicts)}</p> })}
                    <button type="button" class="button" on:click=move |_| data.dismiss_refused()>{tr(Key::RemindersDismiss)}</button>
                </div>
            }
        })
    }
}

/// "Only 5 left": reminders whose stock reached the refill level.
#[component]
fn RefillAlerts(data: ReminderData) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let synced = data.synced_events();
        let pending = data.pending_events();
        let people = data.people.get();
        data.reminders
            .get()
            .into_iter()
            .filter_map(|r| {
                let left = stock_left(&r, &synced, &pending);
                needs_refill(&r, left).then(|| {
                    let count = left.unwrap_or(0);
                    // With more than one person, the alert says whose medicine it is: it
                    // stands above everyone's doses, not under one person's heading.
                    let person = (people.len() > 1)
                        .then(|| people.iter().find(|p| p.id == r.person_id))
                        .flatten();
                    let key = match (person, count) {
                        (Some(_), 0) => Key::RemindersRefillForNone,
                        (None, 0) => Key::RemindersRefillNone,
                        (Some(_), n) => i18n.plural(
                            Key::RemindersRefillForOne,
                            Key::RemindersRefillFor,
                            u64::from(n),
                        ),
                        (None, n) => {
                            i18n.plural(Key::RemindersRefillOne, Key::RemindersRefill, u64::from(n))
                        }
                    };
                    let person = person.map(|p| p.name.as_str()).unwrap_or_default();
                    let text = i18n.fill(
                        key,
                        &[
                            ("medicine", &dose_title(&r)),
                            ("person", person),
                            ("count", &count.to_string()),
                        ],
                    );
                    view! { <p class="notice notice-urgent refill">{text}</p> }
                })
            })
            .collect_view()
    }
}
