//! People, reminders and logged doses, kept on the device first and synchronised with the backend.
//!
//! The Today view and dose logging must work on a phone with no signal, so everything the
//! reminders pages show is read from signals filled from IndexedDB at start, and a logged dose goes
//! into an outbox on the device before anything is sent. Each dose event has an id made on the
//! device, so sending it again (after a timeout, or from the next start) never logs it twice. The
//! backend's answer is applied by `portal_core::dose_log::apply_receipt`.

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use portal_core::api::Role;
use portal_core::api_error::ApiError;
use portal_core::dose_log::{apply_receipt, merge_events, new_event_id};
use portal_core::reminders::{
    parse_instant, DoseEvent, Person, Reminder, MAX_DOSE_EVENTS_PER_BATCH,
};
use portal_core::schedule::jiff::{SignedDuration, Timestamp};
use send_wrapper::SendWrapper;
use serde::{Deserialize, Serialize};

use crate::api::Api;
use crate::auth::Auth;
use crate::device_store::{self, keys};

/// How far back the device keeps dose events: the 30-day adherence view plus a margin for zones.
const HISTORY_DAYS: i64 = 32;
/// While doses wait to be sent, how often the app tries again without being asked.
const RETRY_MS: u32 = 30_000;
/// While a Reminders page is in view, how old its data may get before it is fetched again: a dose
/// another caregiver logged shows within about a minute, before anyone gives it twice.
const REFRESH_SECONDS: i64 = 60;

/// What the device knows, as stored under [`keys::REMINDERS`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot {
    people: Vec<Person>,
    reminders: Vec<Reminder>,
    events: Vec<DoseEvent>,
    /// When the backend last answered, RFC 3339.
    synced_at: Option<String>,
}

/// Where the data on screen stands.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncState {
    /// Reading the device's copy.
    Opening,
    /// Shown from the device; the backend is being asked.
    Syncing,
    /// Same as the backend's, as of `synced_at`.
    UpToDate,
    /// The backend could not be reached; what is shown is the device's copy.
    Offline(ApiError),
}

/// Dose events the backend would not take, kept to tell the person.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// Its reminder was deleted (on another device) before the dose arrived.
    ReminderGone(DoseEvent),
    /// Another event with the same id but different content: kept the backend's.
    Conflict(DoseEvent),
}

/// The reminders data, shared through context. Copyable handles.
#[derive(Clone, Copy)]
pub struct ReminderData {
    pub people: RwSignal<Vec<Person>>,
    pub reminders: RwSignal<Vec<Reminder>>,
    /// Events the backend has confirmed.
    synced: RwSignal<Vec<DoseEvent>>,
    /// Events logged here and not confirmed yet.
    pending: RwSignal<Vec<DoseEvent>>,
    /// Both, merged once per change for every page and card that reads them.
    merged: Memo<Vec<DoseEvent>>,
    pub state: RwSignal<SyncState>,
    pub synced_at: RwSignal<Option<String>>,
    pub refused: RwSignal<Vec<Refused>>,
    /// False when this browser cannot keep data across a reload.
    pub persistent: RwSignal<bool>,
    wake: StoredValue<SendWrapper<UnboundedSender<()>>>,
    api: StoredValue<SendWrapper<Api>>,
    auth: Auth,
}

impl ReminderData {
    /// Loads the device's copy when someone signs in, keeps it in step with the backend while
    /// they stay, and forgets it on sign-out.
    pub fn provide(api: Api, auth: Auth) -> ReminderData {
        let (tx, mut rx) = unbounded::<()>();
        let synced = RwSignal::new(Vec::new());
        let pending = RwSignal::new(Vec::new());
        let data = ReminderData {
            people: RwSignal::new(Vec::new()),
            reminders: RwSignal::new(Vec::new()),
            synced,
            pending,
            merged: Memo::new(move |_| synced.with(|s| pending.with(|p| merge_events(s, p)))),
            state: RwSignal::new(SyncState::Opening),
            synced_at: RwSignal::new(None),
            refused: RwSignal::new(Vec::new()),
            persistent: RwSignal::new(true),
            wake: StoredValue::new(SendWrapper::new(tx)),
            api: StoredValue::new(SendWrapper::new(api)),
            auth,
        };
        provide_context(data);
        // Only patients and caregivers keep reminders; the backend refuses everyone else.
        let account = Memo::new(move |_| {
            auth.session()
                .filter(|s| matches!(s.user.role, Role::Patient | Role::Caregiver))
                .map(|s| s.user.id)
        });
        Effect::new(move |_| match account.get() {
            Some(_) => leptos::task::spawn_local(async move {
                data.open().await;
                data.wake();
            }),
            None => data.forget(),
        });
        // One sender for the whole app: it waits for a wake-up (a logged dose, coming online, a
        // page asking for fresh data) or the retry interval, then synchronises.
        leptos::task::spawn_local(async move {
            loop {
                let tick = TimeoutFuture::new(RETRY_MS);
                futures::pin_mut!(tick);
                match futures::future::select(rx.next(), tick).await {
                    futures::future::Either::Left((None, _)) => return,
                    futures::future::Either::Left((Some(()), _)) => {
                        // Several pages may ask at once: one synchronisation answers them all.
                        while rx.try_recv().is_ok() {}
                        data.sync().await
                    }
                    futures::future::Either::Right(_) => {
                        if data.pending.with_untracked(|p| !p.is_empty())
                            || matches!(data.state.get_untracked(), SyncState::Offline(_))
                            || data.stale_in_view()
                        {
                            data.sync().await;
                        }
                    }
                }
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| data.wake());
        // Back to a phone left on Today: what others logged meanwhile, at once.
        let shown = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if data.stale_in_view() {
                data.wake();
            }
        });
        on_cleanup(move || {
            online.remove();
            shown.remove();
        });
        data
    }

    /// The page is in view and its lists are older than [`REFRESH_SECONDS`] (or never came).
    fn stale_in_view(self) -> bool {
        let visible = document().visibility_state() == web_sys::VisibilityState::Visible;
        let fetched = self
            .synced_at
            .with_untracked(|at| at.as_deref().and_then(parse_instant));
        visible
            && fetched
                .is_none_or(|at| Timestamp::now().as_second() - at.as_second() >= REFRESH_SECONDS)
    }

    /// Asks for a synchronisation soon (deduplicated by the sender loop).
    pub fn wake(self) {
        let _ = self.wake.get_value().unbounded_send(());
    }

    /// Every dose event known here: confirmed and waiting (reactive).
    pub fn events(self) -> Vec<DoseEvent> {
        self.merged.get()
    }

    pub fn synced_events(self) -> Vec<DoseEvent> {
        self.synced.get()
    }

    pub fn pending_events(self) -> Vec<DoseEvent> {
        self.pending.get()
    }

    /// How many logged doses wait to be sent (reactive).
    pub fn waiting(self) -> usize {
        self.pending.with(Vec::len)
    }

    /// Logs a dose event: kept on the device at once, then sent.
    pub fn log(self, mut event: DoseEvent) {
        if event.id.is_empty() {
            event.id = make_event_id();
        }
        self.pending.update(|p| p.push(event));
        leptos::task::spawn_local(async move {
            self.save_outbox().await;
            self.wake();
        });
    }

    /// A reminder or person the backend just returned, shown at once and kept on the device.
    pub fn put_reminder(self, reminder: Reminder) {
        self.reminders
            .update(|list| upsert(list, reminder, |r| &r.id));
        leptos::task::spawn_local(async move { self.save_snapshot().await });
    }

    pub fn remove_reminder(self, id: &str) {
        self.reminders.update(|list| list.retain(|r| r.id != id));
        leptos::task::spawn_local(async move { self.save_snapshot().await });
    }

    /// A person the backend removed, with everything of theirs on this device: their reminders,
    /// the doses logged for them, and doses still waiting to be sent (the backend would refuse
    /// those now).
    pub fn remove_person(self, id: &str) {
        let theirs: Vec<String> = self.reminders.with_untracked(|list| {
            list.iter()
                .filter(|r| r.person_id == id)
                .map(|r| r.id.clone())
                .collect()
        });
        let not_theirs = |e: &DoseEvent| !theirs.contains(&e.reminder_id);
        self.people.update(|list| list.retain(|p| p.id != id));
        self.reminders
            .update(|list| list.retain(|r| r.person_id != id));
        self.synced.update(|events| events.retain(not_theirs));
        self.pending.update(|events| events.retain(not_theirs));
        leptos::task::spawn_local(async move {
            self.save_outbox().await;
            self.save_snapshot().await;
        });
    }

    pub fn put_person(self, person: Person) {
        self.people.update(|list| upsert(list, person, |p| &p.id));
        leptos::task::spawn_local(async move { self.save_snapshot().await });
    }

    pub fn dismiss_refused(self) {
        self.refused.set(Vec::new());
    }

    async fn open(self) {
        self.state.set(SyncState::Opening);
        match device_store::get(keys::REMINDERS).await {
            Ok(Some(text)) => {
                if let Ok(snapshot) = serde_json::from_str::<Snapshot>(&text) {
                    self.people.set(snapshot.people);
                    self.reminders.set(snapshot.reminders);
                    self.synced.set(snapshot.events);
                    self.synced_at.set(snapshot.synced_at);
                }
            }
            Ok(None) => {}
            Err(_) => self.persistent.set(false),
        }
        if let Ok(Some(text)) = device_store::get(keys::DOSE_OUTBOX).await {
            let stored: Vec<DoseEvent> = serde_json::from_str(&text).unwrap_or_default();
            self.pending.update(|p| {
                for e in stored {
                    if !p.iter().any(|x| x.id == e.id) {
                        p.push(e);
                    }
                }
            });
        }
        self.state.set(SyncState::Syncing);
    }

    fn forget(self) {
        self.people.set(Vec::new());
        self.reminders.set(Vec::new());
        self.synced.set(Vec::new());
        self.pending.set(Vec::new());
        self.refused.set(Vec::new());
        self.synced_at.set(None);
        self.state.set(SyncState::Opening);
    }

    /// Sends what waits, then reloads everything from the backend.
    async fn sync(self) {
        if self.state.get_untracked() == SyncState::Opening {
            return;
        }
        let api = self.api.get_value();
        self.adopt_notification_doses().await;
        if let Err(e) = self.send_pending(&api).await {
            self.failed(e);
            return;
        }
        let now = Timestamp::now();
        let from = now
            .checked_sub(SignedDuration::from_hours(HISTORY_DAYS * 24))
            .unwrap_or(now);
        let until = now
            .checked_add(SignedDuration::from_hours(48))
            .unwrap_or(now);
        let loaded = async {
            let people = api.people().await?;
            let reminders = api.reminders().await?;
            let events = api
                .dose_events(&from.to_string(), &until.to_string())
                .await?;
            Ok::<_, ApiError>((people, reminders, events))
        }
        .await;
        match loaded {
            Ok((people, reminders, events)) => {
                // A dose logged while the lists were loading is still pending: nothing is lost.
                // Unchanged lists are left alone, so an open panel on Today is not rebuilt.
                set_if_changed(self.people, people);
                set_if_changed(self.reminders, reminders);
                set_if_changed(self.synced, events);
                self.synced_at.set(Some(now.to_string()));
                self.state.set(SyncState::UpToDate);
                self.save_snapshot().await;
            }
            Err(e) => self.failed(e),
        }
    }

    fn failed(self, error: ApiError) {
        self.auth.notice_error(&error);
        self.state.set(SyncState::Offline(error));
    }

    async fn send_pending(self, api: &Api) -> Result<(), ApiError> {
        loop {
            let batch: Vec<DoseEvent> = self
                .pending
                .with_untracked(|p| p.iter().take(MAX_DOSE_EVENTS_PER_BATCH).cloned().collect());
            if batch.is_empty() {
                return Ok(());
            }
            let receipt = api.record_dose_events(&batch).await?;
            let outcome = apply_receipt(batch.clone(), &receipt);
            // Keep whatever was logged while the batch was on its way.
            self.pending.update(|p| {
                p.retain(|e| {
                    !batch.iter().any(|b| b.id == e.id)
                        || outcome.still_pending.iter().any(|s| s.id == e.id)
                })
            });
            self.synced.update(|s| {
                for e in outcome.accepted.iter().cloned() {
                    upsert(s, e, |x| &x.id);
                }
            });
            self.refused.update(|r| {
                r.extend(outcome.rejected.into_iter().map(Refused::ReminderGone));
                r.extend(outcome.conflicts.into_iter().map(Refused::Conflict));
            });
            self.save_outbox().await;
            if !outcome.still_pending.is_empty() {
                // The backend answered but left some unmentioned: try them on the next round.
                return Ok(());
            }
        }
    }

    /// Takes over doses logged with a notification's Taken / Snooze buttons that the service
    /// worker could not send: into this outbox first, and only once that is kept on the device
    /// are they removed from the worker's (by id, so one the worker adds meanwhile stays).
    async fn adopt_notification_doses(self) {
        let Ok(Some(text)) = device_store::get(keys::SW_DOSE_OUTBOX).await else {
            return;
        };
        let queued: Vec<DoseEvent> = serde_json::from_str(&text).unwrap_or_default();
        if queued.is_empty() {
            return;
        }
        self.pending.update(|p| {
            for e in &queued {
                if !p.iter().any(|x| x.id == e.id) {
                    p.push(e.clone());
                }
            }
        });
        self.save_outbox().await;
        if !self.persistent.get_untracked() {
            // Not kept here: leave them with the worker, which sends them itself.
            return;
        }
        let adopted: Vec<String> = queued.into_iter().map(|e| e.id).collect();
        let _ = device_store::update(keys::SW_DOSE_OUTBOX, move |text| {
            let left: Vec<serde_json::Value> =
                serde_json::from_str::<Vec<serde_json::Value>>(text.as_deref().unwrap_or("[]"))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|e| {
                        e.get("id")
                            .and_then(|id| id.as_str())
                            .is_none_or(|id| !adopted.iter().any(|a| a == id))
                    })
                    .collect();
            if left.is_empty() {
                None
            } else {
                serde_json::to_string(&left).ok()
            }
        })
        .await;
    }

    async fn save_outbox(self) {
        let pending = self.pending.get_untracked();
        let saved = match serde_json::to_string(&pending) {
            Ok(text) => device_store::put(keys::DOSE_OUTBOX, &text).await.is_ok(),
            Err(_) => false,
        };
        self.persistent.set(saved);
    }

    async fn save_snapshot(self) {
        let snapshot = Snapshot {
            people: self.people.get_untracked(),
            reminders: self.reminders.get_untracked(),
            events: self.synced.get_untracked(),
            synced_at: self.synced_at.get_untracked(),
        };
        if let Ok(text) = serde_json::to_string(&snapshot) {
            let _ = device_store::put(keys::REMINDERS, &text).await;
        }
    }
}

/// Sends doses still waiting on this device, once, before sign-out wipes them; returns how many
/// could not be sent. (Sent ones stay in the outbox until the next sync: sending twice is harmless,
/// the backend keeps one event per id.)
pub async fn flush_outbox(api: &Api) -> usize {
    let mut pending: Vec<DoseEvent> = Vec::new();
    // The app's outbox, and doses the service worker kept from a notification's buttons.
    for key in [keys::DOSE_OUTBOX, keys::SW_DOSE_OUTBOX] {
        if let Ok(Some(text)) = device_store::get(key).await {
            let stored: Vec<DoseEvent> = serde_json::from_str(&text).unwrap_or_default();
            for e in stored {
                if !pending.iter().any(|x| x.id == e.id) {
                    pending.push(e);
                }
            }
        }
    }
    for (i, batch) in pending.chunks(MAX_DOSE_EVENTS_PER_BATCH).enumerate() {
        if api.record_dose_events(batch).await.is_err() {
            return pending.len() - i * MAX_DOSE_EVENTS_PER_BATCH;
        }
    }
    0
}

/// A time-ordered id for a new dose event (the latest event of a dose is the one that counts).
pub fn make_event_id() -> String {
    let mut random = [0u8; 10];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut random).is_ok());
    if !filled {
        for b in random.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    let ms = js_sys::Date::now().max(0.0) as u64;
    new_event_id(ms, random)
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|current| *current != value) {
        signal.set(value);
    }
}

fn upsert<T>(list: &mut Vec<T>, item: T, id: impl Fn(&T) -> &String) {
    match list.iter_mut().find(|x| id(x) == id(&item)) {
        Some(slot) => *slot = item,
        None => list.push(item),
    }
}

/// The reminders data context.
pub fn use_reminder_data() -> Option<ReminderData> {
    use_context::<ReminderData>()
}
