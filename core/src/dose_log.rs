//! What the logged dose events mean: the Today view's statuses, adherence tallies, the history a
//! doctor gets as CSV, the stock left on this device, and the offline queue's bookkeeping.
//!
//! A scheduled dose is a slot (reminder and scheduled instant); the events logged against it are
//! ordered by their ids, which are time-ordered UUIDv7 ([`new_event_id`]), and the latest one
//! decides. So an edit (a taken time corrected, a skip undone) is simply a newer event, and two
//! devices that logged offline agree once they have the same events, whatever order they arrived
//! in. Events whose times cannot be read (the backend never stores such) are ignored.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::reminders::{parse_instant, DoseAction, DoseEvent, DoseEventReceipt, Person, Reminder};
use crate::schedule::engine::resolve;
use crate::schedule::model::{date_of_day, day_number};
use crate::schedule::{occurrences, Occurrence, Pattern};

/// A scheduled dose counts as "due" for this long after its time; later it is overdue.
pub const DUE_MINUTES: i64 = 60;

/// The most days [`daily_tallies`] and [`history`] cover: a year, leap or not.
pub const MAX_DAYS: u16 = 366;

const DUE: SignedDuration = SignedDuration::from_mins(DUE_MINUTES);

/// The zone a reminder's doses follow: the schedule's travel policy picks between its home zone
/// and the person's current zone (where they are now).
pub fn zone_followed<'a>(reminder: &'a Reminder, person: &'a Person) -> &'a str {
    reminder
        .schedule
        .travel
        .zone_to_follow(&reminder.schedule.zone, &person.zone)
}

/// Where one scheduled dose stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoseStatus {
    /// Its time has not come.
    Upcoming,
    /// Its time came less than [`DUE_MINUTES`] ago (or its snooze ended less than that ago).
    Due,
    /// Due for longer than [`DUE_MINUTES`], on a day that is today or later.
    Overdue,
    /// Neither taken nor skipped, past due, on a day before today.
    Missed,
    /// Taken at `at`.
    Taken { at: Timestamp },
    /// Skipped, with the reason given (may be empty).
    Skipped { reason: String },
    /// Snoozed until `until`, which has not come yet. Once it has, the dose is `Due` for
    /// [`DUE_MINUTES`] from `until`, then `Overdue` (or `Missed`).
    Snoozed { until: Timestamp },
}

/// One scheduled dose with its status, as the Today view and the history list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoseRow {
    pub reminder_id: String,
    pub person_id: String,
    pub occurrence: Occurrence,
    pub status: DoseStatus,
    /// Id of the event that decided the status (the slot's latest), so the UI can edit it.
    pub event_id: Option<String>,
}

/// Event ids compared as the ordering of events: ASCII case does not matter (a UUID may be
/// written in either case).
fn id_order(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The latest event of every slot, keyed by reminder id and scheduled instant. Instants, not
/// strings, because one instant has many RFC 3339 spellings (`…T07:00:00Z`, `…T08:00:00+01:00`).
fn latest_by_slot<'a>(
    events: impl IntoIterator<Item = &'a DoseEvent>,
) -> HashMap<(&'a str, Timestamp), &'a DoseEvent> {
    let mut latest: HashMap<(&str, Timestamp), &DoseEvent> = HashMap::new();
    for e in events {
        if parse_instant(&e.at).is_none() {
            continue;
        }
        let Some(slot) = e.scheduled_at.as_deref().and_then(parse_instant) else {
            continue;
        };
        let entry = latest.entry((e.reminder_id.as_str(), slot)).or_insert(e);
        // Equal ids are the same event listed twice; the later listing is the newer knowledge.
        if id_order(&e.id, &entry.id) != Ordering::Less {
            *entry = e;
        }
    }
    latest
}

/// The status a slot due at `at` has at `now`, given its latest event. `past_day`: the day the
/// dose belongs to is before the viewer's today.
fn status_of(
    at: Timestamp,
    latest: Option<&DoseEvent>,
    past_day: bool,
    now: Timestamp,
) -> DoseStatus {
    let mut due_from = at;
    if let Some(event) = latest {
        let Some(event_at) = parse_instant(&event.at) else {
            return status_of(at, None, past_day, now);
        };
        match event.action {
            DoseAction::Taken => return DoseStatus::Taken { at: event_at },
            DoseAction::Skipped => {
                return DoseStatus::Skipped {
                    reason: event.reason.clone(),
                }
            }
            DoseAction::Undone => {}
            DoseAction::Snoozed => {
                let minutes = i64::from(event.snooze_minutes.unwrap_or(0));
                let until = event_at
                    .saturating_add(SignedDuration::from_mins(minutes))
                    .unwrap_or(Timestamp::MAX);
                if now < until {
                    return DoseStatus::Snoozed { until };
                }
                // A snooze that ended before the dose's time does not make it due early.
                due_from = due_from.max(until);
            }
        }
    }
    let due_until = due_from.saturating_add(DUE).unwrap_or(Timestamp::MAX);
    if now < due_from {
        DoseStatus::Upcoming
    } else if now < due_until {
        DoseStatus::Due
    } else if past_day {
        DoseStatus::Missed
    } else {
        DoseStatus::Overdue
    }
}

/// A reminder with the zone its doses follow, looked up once per call.
struct Followed<'a> {
    reminder: &'a Reminder,
    zone: &'a str,
    tz: TimeZone,
}

/// The person's reminders (all of them, or only `only`), scheduled or as-needed as asked, whose
/// zone is loaded.
fn followed<'a>(
    person: &'a Person,
    reminders: &'a [Reminder],
    zone_of: &dyn Fn(&str) -> Option<TimeZone>,
    only: Option<&str>,
    as_needed: bool,
) -> Vec<Followed<'a>> {
    reminders
        .iter()
        .filter(|r| r.person_id == person.id && only.is_none_or(|id| r.id == id))
        .filter(|r| matches!(r.schedule.pattern, Pattern::AsNeeded(_)) == as_needed)
        .filter_map(|reminder| {
            let zone = zone_followed(reminder, person);
            zone_of(zone).map(|tz| Followed { reminder, zone, tz })
        })
        .collect()
}

/// `[start of day, start of next day)` of `day` in `tz`: the first instants whose local date is
/// `day` and the next one. The engine's reading of a wall time is used because it is the first
/// instant at or after midnight even when midnight falls in a gap; a date a zone skipped
/// entirely (Samoa, 30 December 2011) gets an empty window, and its doses, moved past the gap,
/// show on the next day.
fn day_window(tz: &TimeZone, day: Date) -> Option<(Timestamp, Timestamp)> {
    let start = resolve(tz, day.to_datetime(Time::midnight()))?.0;
    let next = day.tomorrow().ok()?;
    let end = resolve(tz, next.to_datetime(Time::midnight()))?.0;
    Some((start, end))
}

/// The first instant whose doses are asked about: a reminder set up at 14:00 does not call that
/// morning's 08:00 dose overdue, nor count it missed, but a dose whose time came less than
/// [`DUE_MINUTES`] before the set-up (the one being given as the reminder is typed in) stays.
/// Doses logged before it are kept all the same. When `created_at` is more than [`DUE_MINUTES`]
/// after `now`, this device's clock disagrees with the backend's, and nothing is left out.
pub fn asked_from(reminder: &Reminder, now: Timestamp) -> Timestamp {
    parse_instant(&reminder.created_at)
        .and_then(|created| created.saturating_sub(DUE).ok())
        .filter(|from| *from <= now)
        .unwrap_or(Timestamp::MIN)
}

fn rows_of_day(
    person: &Person,
    reminders: &[Followed<'_>],
    latest: &HashMap<(&str, Timestamp), &DoseEvent>,
    day: Date,
    today: Date,
    now: Timestamp,
) -> Vec<DoseRow> {
    let mut rows: Vec<DoseRow> = Vec::new();
    for f in reminders {
        let Some((start, end)) = day_window(&f.tz, day) else {
            continue;
        };
        let from = asked_from(f.reminder, now);
        for occurrence in occurrences(&f.reminder.schedule, &f.tz, start, end) {
            let event = latest
                .get(&(f.reminder.id.as_str(), occurrence.at))
                .copied();
            if event.is_none() && occurrence.at < from {
                continue;
            }
            rows.push(DoseRow {
                reminder_id: f.reminder.id.clone(),
                person_id: person.id.clone(),
                status: status_of(occurrence.at, event, day < today, now),
                event_id: event.map(|e| e.id.clone()),
                occurrence,
            });
        }
    }
    rows.sort_by(|a, b| {
        a.occurrence
            .at
            .cmp(&b.occurrence.at)
            .then_with(|| a.reminder_id.cmp(&b.reminder_id))
            .then_with(|| a.occurrence.local.cmp(&b.occurrence.local))
    });
    rows
}

/// How many of the person's scheduled doses of `day` are left out because they came before
/// their reminder was set up ([`asked_from`]) and nothing was logged for them, so Today can say
/// why they are not there.
pub fn doses_before_set_up(
    person: &Person,
    reminders: &[Reminder],
    events: &[DoseEvent],
    zone_of: &dyn Fn(&str) -> Option<TimeZone>,
    day: Date,
    now: Timestamp,
) -> usize {
    let latest = latest_by_slot(events);
    followed(person, reminders, zone_of, None, false)
        .iter()
        .map(|f| {
            let Some((start, end)) = day_window(&f.tz, day) else {
                return 0;
            };
            let from = asked_from(f.reminder, now);
            occurrences(&f.reminder.schedule, &f.tz, start, end.min(from))
                .iter()
                .filter(|o| !latest.contains_key(&(f.reminder.id.as_str(), o.at)))
                .count()
        })
        .sum()
}

/// The scheduled doses of one person's local calendar `day`, over every reminder of that person
/// that is not as-needed, ordered by instant then reminder id.
///
/// Each reminder's day is `[start of day, start of next day)` in the zone it follows
/// ([`zone_followed`]), so a 23- or 25-hour day holds exactly its doses. `zone_of` returns the
/// loaded zone of a name; a reminder whose zone is not loaded (None) is left out, and the caller
/// shows that zones are still loading. `today` is the viewer's today: doses of earlier days that
/// were neither taken nor skipped are `Missed`, of today `Overdue`.
pub fn day_doses(
    person: &Person,
    reminders: &[Reminder],
    events: &[DoseEvent],
    zone_of: &dyn Fn(&str) -> Option<TimeZone>,
    day: Date,
    today: Date,
    now: Timestamp,
) -> Vec<DoseRow> {
    let scheduled = followed(person, reminders, zone_of, None, false);
    rows_of_day(person, &scheduled, &latest_by_slot(events), day, today, now)
}

/// The ids (lower case) of the as-needed takings that an `undone` event took back.
fn undone_takings<'a>(events: impl IntoIterator<Item = &'a DoseEvent>) -> HashSet<String> {
    events
        .into_iter()
        .filter(|e| e.action == DoseAction::Undone && e.scheduled_at.is_none())
        .filter_map(|e| e.undoes.as_deref())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The as-needed doses of this reminder that stand: each `taken` event logged without a slot
/// (each id is one dose) that no `undone` event took back, with its instant. Ascending.
pub fn as_needed_takings(reminder_id: &str, events: &[DoseEvent]) -> Vec<(Timestamp, String)> {
    let mine: Vec<DoseEvent> = merge_events(
        &[],
        &events
            .iter()
            .filter(|e| e.reminder_id == reminder_id)
            .cloned()
            .collect::<Vec<_>>(),
    );
    let undone = undone_takings(&mine);
    let mut out: Vec<(Timestamp, String)> = mine
        .iter()
        .filter(|e| e.action == DoseAction::Taken && e.scheduled_at.is_none())
        .filter(|e| !undone.contains(&e.id.to_ascii_lowercase()))
        .filter_map(|e| Some((parse_instant(&e.at)?, e.id.clone())))
        .collect();
    out.sort();
    out
}

/// The taken instants of this reminder's events, for [`crate::schedule::as_needed_check`]: the
/// as-needed doses that stand ([`as_needed_takings`]), and each slot whose latest event is
/// `taken` (once, however often its taken time was edited). An id listed twice counts once.
/// Ascending.
pub fn taken_instants(reminder_id: &str, events: &[DoseEvent]) -> Vec<Timestamp> {
    let mine: Vec<DoseEvent> = events
        .iter()
        .filter(|e| e.reminder_id == reminder_id && e.scheduled_at.is_some())
        .cloned()
        .collect();
    let mut out: Vec<Timestamp> = as_needed_takings(reminder_id, events)
        .into_iter()
        .map(|(at, _)| at)
        .collect();
    out.extend(
        latest_by_slot(&mine)
            .values()
            .filter(|e| e.action == DoseAction::Taken)
            .filter_map(|e| parse_instant(&e.at)),
    );
    out.sort_unstable();
    out
}

/// As-needed doses taken on `day` in `tz`, with their event ids (which an undo names), newest
/// first as the Today card lists them.
pub fn as_needed_taken_on(
    reminder_id: &str,
    events: &[DoseEvent],
    tz: &TimeZone,
    day: Date,
) -> Vec<(Timestamp, String)> {
    let mut out: Vec<(Timestamp, String)> = as_needed_takings(reminder_id, events)
        .into_iter()
        .filter(|(t, _)| tz.to_datetime(*t).date() == day)
        .collect();
    out.reverse();
    out
}

/// Adherence counts. Taken and skipped doses count whenever they were logged; a dose that was
/// neither is `missed` once its day is over, and `pending` while it is upcoming, due, snoozed or
/// overdue today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub taken: u32,
    pub skipped: u32,
    pub missed: u32,
    pub pending: u32,
}

impl Tally {
    /// Taken as a share of the doses that were decided (taken, skipped or missed), in percent
    /// rounded to the nearest; None when there are none.
    pub fn percent(&self) -> Option<u8> {
        let taken = u64::from(self.taken);
        let decided = taken + u64::from(self.skipped) + u64::from(self.missed);
        if decided == 0 {
            return None;
        }
        u8::try_from((taken * 100 + decided / 2) / decided).ok()
    }

    fn add(&mut self, status: &DoseStatus) {
        let counter = match status {
            DoseStatus::Taken { .. } => &mut self.taken,
            DoseStatus::Skipped { .. } => &mut self.skipped,
            DoseStatus::Missed => &mut self.missed,
            DoseStatus::Upcoming
            | DoseStatus::Due
            | DoseStatus::Overdue
            | DoseStatus::Snoozed { .. } => &mut self.pending,
        };
        *counter = counter.saturating_add(1);
    }

    fn plus(self, other: Tally) -> Tally {
        Tally {
            taken: self.taken.saturating_add(other.taken),
            skipped: self.skipped.saturating_add(other.skipped),
            missed: self.missed.saturating_add(other.missed),
            pending: self.pending.saturating_add(other.pending),
        }
    }
}

/// One day's adherence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayTally {
    pub day: Date,
    pub tally: Tally,
}

/// The `days` calendar days ending with `today`, oldest first (at most [`MAX_DAYS`]; fewer only
/// at the ends of the dates jiff represents).
fn window_days(today: Date, days: u16) -> Vec<Date> {
    let last = day_number(today);
    let n = i64::from(days.min(MAX_DAYS));
    (0..n)
        .rev()
        .filter_map(|back| date_of_day(last - back))
        .collect()
}

/// Adherence of one person (and optionally one reminder) over the `days` calendar days ending
/// with `today` (inclusive): one [`DayTally`] per day, oldest first, exactly `days` entries
/// (capped at [`MAX_DAYS`]; `days` = 0 gives none). Today's overdue doses are pending: the day is
/// not over.
#[allow(clippy::too_many_arguments)]
pub fn daily_tallies(
    person: &Person,
    reminders: &[Reminder],
    events: &[DoseEvent],
    zone_of: &dyn Fn(&str) -> Option<TimeZone>,
    reminder_filter: Option<&str>,
    today: Date,
    days: u16,
    now: Timestamp,
) -> Vec<DayTally> {
    let scheduled = followed(person, reminders, zone_of, reminder_filter, false);
    let latest = latest_by_slot(events);
    window_days(today, days)
        .into_iter()
        .map(|day| {
            let mut tally = Tally::default();
            for row in rows_of_day(person, &scheduled, &latest, day, today, now) {
                tally.add(&row.status);
            }
            DayTally { day, tally }
        })
        .collect()
}

/// The sum of some days' tallies.
pub fn total(tallies: &[DayTally]) -> Tally {
    tallies
        .iter()
        .fold(Tally::default(), |sum, d| sum.plus(d.tally))
}

/// One line of the history a doctor gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The person's name.
    pub person: String,
    pub medicine: String,
    pub strength: String,
    /// The amount as the reminder has it ("2.5"); written out by the app in the reader's words.
    pub dose_amount: String,
    /// The unit's code ("tablet").
    pub dose_unit: String,
    /// The slot's local date and time in `zone`; None for an as-needed dose.
    pub scheduled: Option<DateTime>,
    pub status: DoseStatus,
    /// The zone the dose followed.
    pub zone: String,
}

fn history_row(
    person: &Person,
    f: &Followed<'_>,
    scheduled: Option<DateTime>,
    status: DoseStatus,
) -> HistoryRow {
    let r = f.reminder;
    HistoryRow {
        person: person.name.clone(),
        medicine: r.medicine.clone(),
        strength: r.strength.clone(),
        dose_amount: r.dose_amount.clone(),
        dose_unit: r.dose_unit.clone(),
        scheduled,
        status,
        zone: f.zone.to_owned(),
    }
}

/// The history of the `days` calendar days ending with `today`: every scheduled dose with its
/// status (as [`day_doses`] gives them, day by day), and every as-needed dose taken on those days
/// (in the zone its reminder follows), with `scheduled` None. Ordered by instant (the slot's, or
/// the taking's for as-needed doses), then reminder id.
pub fn history(
    person: &Person,
    reminders: &[Reminder],
    events: &[DoseEvent],
    zone_of: &dyn Fn(&str) -> Option<TimeZone>,
    today: Date,
    days: u16,
    now: Timestamp,
) -> Vec<HistoryRow> {
    let dates = window_days(today, days);
    let (Some(first), Some(last)) = (dates.first().copied(), dates.last().copied()) else {
        return Vec::new();
    };
    let scheduled = followed(person, reminders, zone_of, None, false);
    let latest = latest_by_slot(events);
    let mut keyed: Vec<(Timestamp, &str, HistoryRow)> = Vec::new();
    for day in dates {
        for row in rows_of_day(person, &scheduled, &latest, day, today, now) {
            let Some(f) = scheduled.iter().find(|f| f.reminder.id == row.reminder_id) else {
                continue;
            };
            keyed.push((
                row.occurrence.at,
                f.reminder.id.as_str(),
                history_row(person, f, Some(row.occurrence.local), row.status),
            ));
        }
    }
    for f in followed(person, reminders, zone_of, None, true).iter() {
        for at in taken_instants(&f.reminder.id, events) {
            let date = f.tz.to_datetime(at).date();
            if first <= date && date <= last {
                keyed.push((
                    at,
                    f.reminder.id.as_str(),
                    history_row(person, f, None, DoseStatus::Taken { at }),
                ));
            }
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    keyed.into_iter().map(|(_, _, row)| row).collect()
}

/// "YYYY-MM-DD HH:MM", written out by hand so formatting can never fail.
fn minutes_text(dt: DateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute()
    )
}

/// One CSV field: a spreadsheet reads a cell starting with `=`, `+`, `-`, `@`, tab or CR as a
/// formula (OWASP's CSV injection), so such a field is prefixed with `'`; then RFC 4180 quoting.
fn csv_field(out: &mut String, text: &str, separator: char) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = text.contains([separator, ',', ';', '"', '\r', '\n']);
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in text.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quoted {
        out.push('"');
    }
}

fn csv_line(out: &mut String, fields: &[&str], separator: char) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        csv_field(out, field, separator);
    }
    out.push_str("\r\n");
}

/// The history as CSV for a doctor (RFC 4180, CRLF after every line, header first). `headers`
/// are the translated column titles: person, medicine, strength, dose, scheduled (local
/// "YYYY-MM-DD HH:MM"), time zone, status, and the detail (the local time of taking in the row's
/// zone, or the skip reason). `status_word` gives a status's translated word, `dose_words` a
/// dose's from its amount and unit code ("2,5 Tabletten"). `separator` is `,` or `;` (see
/// [`crate::language::Language::list_separator`]). Fields that a
/// spreadsheet would run as a formula get a leading `'`. When a row's zone is not loaded, the
/// taking time is written as an RFC 3339 instant instead, which is never wrong.
pub fn history_csv(
    rows: &[HistoryRow],
    headers: &[&str; 8],
    status_word: &dyn Fn(&DoseStatus) -> String,
    dose_words: &dyn Fn(&str, &str) -> String,
    zone_of: &dyn Fn(&str) -> Option<TimeZone>,
    separator: char,
) -> String {
    let mut out = String::new();
    csv_line(&mut out, headers, separator);
    let mut zones: HashMap<&str, Option<TimeZone>> = HashMap::new();
    for row in rows {
        let scheduled = row.scheduled.map(minutes_text).unwrap_or_default();
        let detail = match &row.status {
            DoseStatus::Taken { at } => {
                let tz = zones
                    .entry(row.zone.as_str())
                    .or_insert_with(|| zone_of(&row.zone));
                match tz {
                    Some(tz) => minutes_text(tz.to_datetime(*at)),
                    None => at.to_string(),
                }
            }
            DoseStatus::Skipped { reason } => reason.clone(),
            _ => String::new(),
        };
        let status = status_word(&row.status);
        let dose = dose_words(&row.dose_amount, &row.dose_unit);
        csv_line(
            &mut out,
            &[
                &row.person,
                &row.medicine,
                &row.strength,
                &dose,
                &scheduled,
                &row.zone,
                &status,
                &detail,
            ],
            separator,
        );
    }
    out
}

/// Stock on this device: the reminder's stock as the backend counted it, corrected for the events
/// it has not acknowledged yet (`pending`; `synced` are those it has). As on the backend, a
/// scheduled dose is one out of the pack while its latest event is `taken` (an edited taking time
/// is still one dose; an undone one goes back), and each as-needed `taken` event is one. An event
/// the backend already has (its id is in `synced`) or listed twice counts at most once. Never
/// below 0; None when the reminder's stock is not counted.
pub fn stock_left(reminder: &Reminder, synced: &[DoseEvent], pending: &[DoseEvent]) -> Option<u32> {
    let stock = reminder.stock?;
    let mine = |e: &&DoseEvent| e.reminder_id == reminder.id;
    let synced_mine: Vec<&DoseEvent> = synced.iter().filter(mine).collect();
    let synced_ids: HashSet<String> = synced_mine
        .iter()
        .map(|e| e.id.to_ascii_lowercase())
        .collect();
    let mut seen_ids: HashSet<String> = HashSet::new();
    let unsent: Vec<&DoseEvent> = pending
        .iter()
        .filter(mine)
        .filter(|e| {
            let id = e.id.to_ascii_lowercase();
            !synced_ids.contains(&id) && seen_ids.insert(id)
        })
        .collect();
    let as_needed = unsent
        .iter()
        .filter(|e| e.action == DoseAction::Taken && e.scheduled_at.is_none())
        .count();
    let before = latest_by_slot(synced_mine.iter().copied());
    let after = latest_by_slot(synced_mine.iter().chain(&unsent).copied());
    let taken = |e: Option<&&DoseEvent>| e.is_some_and(|e| e.action == DoseAction::Taken);
    let (mut out, mut back) = (as_needed, 0usize);
    // As-needed takings taken back here: each gives one back once, if it was counted out.
    let undone_before = undone_takings(synced_mine.iter().copied());
    let takings: HashSet<String> = synced_mine
        .iter()
        .chain(&unsent)
        .filter(|e| e.action == DoseAction::Taken && e.scheduled_at.is_none())
        .map(|e| e.id.to_ascii_lowercase())
        .collect();
    back += undone_takings(unsent.iter().copied())
        .iter()
        .filter(|id| takings.contains(*id) && !undone_before.contains(*id))
        .count();
    for (slot, latest) in &after {
        match (taken(before.get(slot)), taken(Some(latest))) {
            (false, true) => out += 1,
            (true, false) => back += 1,
            _ => {}
        }
    }
    let out = u32::try_from(out).unwrap_or(u32::MAX);
    let back = u32::try_from(back).unwrap_or(u32::MAX);
    Some(stock.saturating_add(back).saturating_sub(out))
}

/// A refill alert is due: the stock left is at or below the reminder's refill level.
pub fn needs_refill(reminder: &Reminder, left: Option<u32>) -> bool {
    matches!((left, reminder.refill_at), (Some(left), Some(at)) if left <= at)
}

/// What sending the pending events achieved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    /// Not mentioned in the receipt: still to send.
    pub still_pending: Vec<DoseEvent>,
    /// Stored now or before (a retry): done.
    pub accepted: Vec<DoseEvent>,
    /// Their reminder no longer exists: dropped; the UI tells the person.
    pub rejected: Vec<DoseEvent>,
    /// The backend has other content under the same id and keeps it: dropped; the UI tells the
    /// person.
    pub conflicts: Vec<DoseEvent>,
}

/// Sorts the sent events by the receipt. An id the receipt lists in more than one place (it
/// should not) is taken as accepted first, then rejected, then conflicting: the backend has it
/// in the first case, and dropping it is the safe reading of the others.
pub fn apply_receipt(pending: Vec<DoseEvent>, receipt: &DoseEventReceipt) -> SyncOutcome {
    let set = |ids: &[String]| -> HashSet<String> {
        ids.iter().map(|id| id.to_ascii_lowercase()).collect()
    };
    let mut accepted_ids = set(&receipt.stored);
    accepted_ids.extend(set(&receipt.duplicates));
    let rejected_ids = set(&receipt.rejected);
    let conflict_ids = set(&receipt.conflicts);
    let mut out = SyncOutcome::default();
    for e in pending {
        let id = e.id.to_ascii_lowercase();
        if accepted_ids.contains(&id) {
            out.accepted.push(e);
        } else if rejected_ids.contains(&id) {
            out.rejected.push(e);
        } else if conflict_ids.contains(&id) {
            out.conflicts.push(e);
        } else {
            out.still_pending.push(e);
        }
    }
    out
}

/// The events to show: the server's list merged with the pending ones, one per id (the pending
/// one wins: it is this device's newest knowledge; ASCII case of ids does not matter), sorted by
/// id, which is the order they happened in.
pub fn merge_events(server: &[DoseEvent], pending: &[DoseEvent]) -> Vec<DoseEvent> {
    let mut by_id: HashMap<String, &DoseEvent> = HashMap::new();
    for e in server.iter().chain(pending) {
        by_id.insert(e.id.to_ascii_lowercase(), e);
    }
    let mut out: Vec<DoseEvent> = by_id.into_values().cloned().collect();
    out.sort_by(|a, b| id_order(&a.id, &b.id).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The largest time a UUIDv7 holds: 48 bits of milliseconds (the year 10889).
const MAX_UUID_MS: u64 = (1 << 48) - 1;

/// A UUIDv7 (RFC 9562) as lowercase text 8-4-4-4-12: the 48-bit big-endian Unix milliseconds,
/// version 7, variant `10`, and the rest from `random` (74 of its 80 bits are used). Ids of later
/// milliseconds compare greater as strings, which is what orders a slot's events. Times beyond
/// 48 bits are held at the largest (never wrapping round to early ids).
pub fn new_event_id(unix_ms: u64, random: [u8; 10]) -> String {
    let [_, _, m0, m1, m2, m3, m4, m5] = unix_ms.min(MAX_UUID_MS).to_be_bytes();
    let [r0, r1, r2, r3, r4, r5, r6, r7, r8, r9] = random;
    let bytes = [
        m0,
        m1,
        m2,
        m3,
        m4,
        m5,
        0x70 | (r0 & 0x0f),
        r1,
        0x80 | (r2 & 0x3f),
        r3,
        r4,
        r5,
        r6,
        r7,
        r8,
        r9,
    ];
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reminders::is_event_id;
    use crate::schedule::engine::Shift;
    use crate::schedule::{AsNeededLimits, Schedule, TravelPolicy};
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    fn zone(name: &str) -> TimeZone {
        jiff::tz::db().get(name).unwrap()
    }

    fn zone_of(name: &str) -> Option<TimeZone> {
        jiff::tz::db().get(name).ok()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn t(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    fn person() -> Person {
        Person {
            id: "p1".into(),
            name: "Mum".into(),
            colour: "teal".into(),
            zone: "Europe/London".into(),
            version: 1,
        }
    }

    fn reminder(id: &str, pattern: Pattern) -> Reminder {
        Reminder {
            id: id.into(),
            person_id: "p1".into(),
            medicine: format!("Medicine {id}"),
            strength: "500 mg".into(),
            dose_amount: "1".into(),
            dose_unit: "tablet".into(),
            instructions: String::new(),
            schedule: Schedule {
                zone: "Europe/London".into(),
                start: date(2025, 1, 1),
                end: None,
                count: None,
                pattern,
                travel: TravelPolicy::KeepLocalTime,
            },
            hide_name_in_calendar: false,
            stock: Some(10),
            refill_at: Some(3),
            version: 1,
            updated_at: "2025-01-01T00:00:00Z".into(),
            created_at: String::new(),
        }
    }

    /// The London daily 08:00 and 20:00 schedule the status tests use.
    fn twice_daily() -> Reminder {
        reminder(
            "r1",
            Pattern::Daily {
                times: vec![t(8, 0), t(20, 0)],
            },
        )
    }

    fn as_needed() -> Reminder {
        reminder(
            "r9",
            Pattern::AsNeeded(AsNeededLimits {
                max_per_24h: 4,
                min_gap_minutes: 240,
            }),
        )
    }

    /// An event whose id is made at `made` (so later `made`, later event).
    fn event(
        made: &str,
        reminder_id: &str,
        slot: Option<&str>,
        action: DoseAction,
        at: &str,
    ) -> DoseEvent {
        let ms = u64::try_from(ts(made).as_millisecond()).unwrap();
        DoseEvent {
            id: new_event_id(ms, [7; 10]),
            reminder_id: reminder_id.into(),
            scheduled_at: slot.map(Into::into),
            action,
            at: at.into(),
            snooze_minutes: (action == DoseAction::Snoozed).then_some(30),
            reason: String::new(),
            recorded_at: None,
            undoes: None,
        }
    }

    fn taken(slot: &str, at: &str) -> DoseEvent {
        event(at, "r1", Some(slot), DoseAction::Taken, at)
    }

    const JUNE: Date = date(2025, 6, 10);
    // 08:00 and 20:00 BST.
    const MORNING: &str = "2025-06-10T07:00:00Z";
    const EVENING: &str = "2025-06-10T19:00:00Z";

    fn statuses(events: &[DoseEvent], today: Date, now: &str) -> Vec<DoseStatus> {
        day_doses(
            &person(),
            &[twice_daily()],
            events,
            &zone_of,
            JUNE,
            today,
            ts(now),
        )
        .into_iter()
        .map(|r| r.status)
        .collect()
    }

    fn morning(events: &[DoseEvent], today: Date, now: &str) -> DoseStatus {
        statuses(events, today, now).remove(0)
    }

    #[test]
    fn a_dose_is_upcoming_then_due_then_overdue_then_missed() {
        use DoseStatus::*;
        assert_eq!(
            statuses(&[], JUNE, "2025-06-10T06:59:59Z"),
            [Upcoming, Upcoming]
        );
        assert_eq!(statuses(&[], JUNE, MORNING), [Due, Upcoming]);
        assert_eq!(morning(&[], JUNE, "2025-06-10T07:59:59Z"), Due);
        assert_eq!(
            statuses(&[], JUNE, "2025-06-10T08:00:00Z"),
            [Overdue, Upcoming]
        );
        assert_eq!(
            statuses(&[], JUNE, "2025-06-10T23:00:00Z"),
            [Overdue, Overdue]
        );
        // Seen from the next day, the day is history.
        let tomorrow = date(2025, 6, 11);
        assert_eq!(
            statuses(&[], tomorrow, "2025-06-11T07:00:00Z"),
            [Missed, Missed]
        );
        // A dose still within its due hour is due, even when the viewer's day has moved on.
        assert_eq!(
            statuses(&[], tomorrow, "2025-06-10T19:30:00Z"),
            [Missed, Due]
        );
    }

    /// The twice-daily reminder, set up at `created`; its statuses on JUNE seen at `now`.
    fn set_up_at(created: &str, events: &[DoseEvent], now: &str) -> Vec<(String, DoseStatus)> {
        let mut r = twice_daily();
        r.created_at = created.into();
        day_doses(&person(), &[r], events, &zone_of, JUNE, JUNE, ts(now))
            .into_iter()
            .map(|row| (row.occurrence.at.to_string(), row.status))
            .collect()
    }

    #[test]
    fn doses_due_well_before_a_reminder_was_set_up_are_not_asked_about() {
        use DoseStatus::*;
        let evening = || (EVENING.to_owned(), Upcoming);
        // Set up at 14:00 BST: the 08:00 dose is not overdue, nor is it missed the next day.
        let after_lunch = "2025-06-10T13:00:00Z";
        assert_eq!(
            set_up_at(after_lunch, &[], "2025-06-10T13:00:05Z"),
            [evening()]
        );
        let mut r = twice_daily();
        r.created_at = after_lunch.into();
        let before = |events: &[DoseEvent]| {
            doses_before_set_up(
                &person(),
                std::slice::from_ref(&r),
                events,
                &zone_of,
                JUNE,
                ts("2025-06-10T13:00:05Z"),
            )
        };
        assert_eq!(before(&[]), 1, "the morning dose");
        assert_eq!(before(&[taken(MORNING, "2025-06-10T07:05:00Z")]), 0);
        let tallies = daily_tallies(
            &person(),
            &[r],
            &[],
            &zone_of,
            None,
            date(2025, 6, 11),
            2,
            ts("2025-06-11T06:00:00Z"),
        );
        assert_eq!(tallies[0].tally.missed, 1, "the evening dose only");
        // Set up at 08:45 BST, within the morning dose's due hour: that dose is being given now.
        assert_eq!(
            set_up_at("2025-06-10T07:45:00Z", &[], "2025-06-10T07:46:00Z"),
            [(MORNING.to_owned(), Due), evening()]
        );
        // A dose logged before the set-up (on another reminder for it, since removed) is kept.
        let early = taken(MORNING, "2025-06-10T07:05:00Z");
        assert_eq!(
            set_up_at(
                after_lunch,
                std::slice::from_ref(&early),
                "2025-06-10T13:00:05Z"
            )[0]
            .1,
            Taken {
                at: ts("2025-06-10T07:05:00Z")
            }
        );
        // A device whose clock is days behind the backend's leaves nothing out; one a few
        // minutes behind already does.
        assert_eq!(set_up_at(after_lunch, &[], "2025-06-01T12:00:00Z").len(), 2);
        assert_eq!(
            set_up_at(after_lunch, &[], "2025-06-10T12:58:00Z"),
            [evening()]
        );
        // Copies kept by older versions have no set-up time, and an unreadable one is ignored.
        assert_eq!(set_up_at("", &[], "2025-06-10T13:00:05Z").len(), 2);
        assert_eq!(set_up_at("yesterday", &[], "2025-06-10T13:00:05Z").len(), 2);
    }

    #[test]
    fn the_rows_carry_their_slot_and_deciding_event() {
        let e = taken("2025-06-10T08:00:00+01:00", "2025-06-10T07:05:00Z");
        let rows = day_doses(
            &person(),
            &[twice_daily()],
            std::slice::from_ref(&e),
            &zone_of,
            JUNE,
            JUNE,
            ts("2025-06-10T12:00:00Z"),
        );
        assert_eq!(rows.len(), 2);
        let first = &rows[0];
        assert_eq!(first.reminder_id, "r1");
        assert_eq!(first.person_id, "p1");
        assert_eq!(first.occurrence.at, ts(MORNING));
        assert_eq!(first.occurrence.local, JUNE.at(8, 0, 0, 0));
        // "…T08:00:00+01:00" is the same instant as "…T07:00:00Z".
        assert_eq!(
            first.status,
            DoseStatus::Taken {
                at: ts("2025-06-10T07:05:00Z")
            }
        );
        assert_eq!(first.event_id.as_deref(), Some(e.id.as_str()));
        assert_eq!(rows[1].occurrence.at, ts(EVENING));
        assert_eq!(rows[1].event_id, None);
    }

    #[test]
    fn skipped_keeps_its_reason_and_the_latest_event_decides() {
        let mut skip = event(
            "2025-06-10T07:30:00Z",
            "r1",
            Some(MORNING),
            DoseAction::Skipped,
            "2025-06-10T07:30:00Z",
        );
        skip.reason = "Felt sick".into();
        let skipped = DoseStatus::Skipped {
            reason: "Felt sick".into(),
        };
        let take = taken(MORNING, "2025-06-10T07:10:00Z");
        let now = "2025-06-10T09:00:00Z";
        assert_eq!(morning(&[take.clone(), skip.clone()], JUNE, now), skipped);
        // Listing order does not matter: the ids do.
        assert_eq!(morning(&[skip.clone(), take.clone()], JUNE, now), skipped);
        // Taking after skipping undoes the skip.
        let retake = taken(MORNING, "2025-06-10T08:00:00Z");
        assert_eq!(
            morning(&[retake, skip, take], JUNE, now),
            DoseStatus::Taken {
                at: ts("2025-06-10T08:00:00Z")
            }
        );
    }

    #[test]
    fn an_edited_taking_time_is_a_later_taken_event() {
        let first = taken(MORNING, "2025-06-10T07:05:00Z");
        // Made later (its id is greater) but saying the dose was taken earlier.
        let mut edit = event(
            "2025-06-10T12:00:00Z",
            "r1",
            Some(MORNING),
            DoseAction::Taken,
            "2025-06-10T06:50:00Z",
        );
        edit.id = edit.id.to_ascii_uppercase();
        for events in [
            vec![first.clone(), edit.clone()],
            vec![edit.clone(), first.clone()],
        ] {
            let rows = day_doses(
                &person(),
                &[twice_daily()],
                &events,
                &zone_of,
                JUNE,
                JUNE,
                ts("2025-06-10T12:30:00Z"),
            );
            assert_eq!(
                rows[0].status,
                DoseStatus::Taken {
                    at: ts("2025-06-10T06:50:00Z")
                }
            );
            assert_eq!(rows[0].event_id.as_deref(), Some(edit.id.as_str()));
        }
    }

    #[test]
    fn a_snooze_ends_in_due_then_overdue_measured_from_its_end() {
        use DoseStatus::*;
        // Snoozed at 08:10 BST for 30 minutes: until 08:40 BST (07:40Z).
        let snooze = event(
            "2025-06-10T07:10:00Z",
            "r1",
            Some(MORNING),
            DoseAction::Snoozed,
            "2025-06-10T07:10:00Z",
        );
        let until = ts("2025-06-10T07:40:00Z");
        let ev = std::slice::from_ref(&snooze);
        assert_eq!(morning(ev, JUNE, "2025-06-10T07:20:00Z"), Snoozed { until });
        assert_eq!(morning(ev, JUNE, "2025-06-10T07:39:59Z"), Snoozed { until });
        assert_eq!(morning(ev, JUNE, "2025-06-10T07:40:00Z"), Due);
        // Without the snooze it would be overdue by now.
        assert_eq!(morning(&[], JUNE, "2025-06-10T08:30:00Z"), Overdue);
        assert_eq!(morning(ev, JUNE, "2025-06-10T08:39:59Z"), Due);
        assert_eq!(morning(ev, JUNE, "2025-06-10T08:40:00Z"), Overdue);
        assert_eq!(
            morning(ev, date(2025, 6, 11), "2025-06-11T09:00:00Z"),
            Missed
        );
        // A snooze that is still running counts even from an earlier day.
        assert_eq!(
            morning(ev, date(2025, 6, 11), "2025-06-10T07:20:00Z"),
            Snoozed { until }
        );
        // Taking it after snoozing: taken.
        let take = taken(MORNING, "2025-06-10T07:45:00Z");
        assert_eq!(
            morning(&[snooze.clone(), take], JUNE, "2025-06-10T08:00:00Z"),
            Taken {
                at: ts("2025-06-10T07:45:00Z")
            }
        );
        // A snooze that ends before the dose's time does not make it due early.
        let early = event(
            "2025-06-10T06:00:00Z",
            "r1",
            Some(MORNING),
            DoseAction::Snoozed,
            "2025-06-10T06:00:00Z",
        );
        assert_eq!(morning(&[early], JUNE, "2025-06-10T06:45:00Z"), Upcoming);
    }

    #[test]
    fn events_of_other_slots_reminders_or_unreadable_times_are_ignored() {
        let now = "2025-06-10T12:00:00Z";
        let mut other = taken(MORNING, "2025-06-10T07:05:00Z");
        other.reminder_id = "r2".into();
        let yesterday = taken("2025-06-09T07:00:00Z", "2025-06-09T07:05:00Z");
        let mut bad_slot = taken(MORNING, "2025-06-10T07:05:00Z");
        bad_slot.scheduled_at = Some("this morning".into());
        let mut bad_at = taken(MORNING, "2025-06-10T07:05:00Z");
        bad_at.at = "soon".into();
        let unslotted = event(
            "2025-06-10T07:05:00Z",
            "r1",
            None,
            DoseAction::Taken,
            "2025-06-10T07:05:00Z",
        );
        assert_eq!(
            morning(&[other, yesterday, bad_slot, bad_at, unslotted], JUNE, now),
            DoseStatus::Overdue
        );
    }

    #[test]
    fn the_01_30_dose_moves_on_the_spring_forward_day() {
        let r = reminder(
            "r1",
            Pattern::Daily {
                times: vec![t(8, 0), t(1, 30)],
            },
        );
        let day = date(2025, 3, 30);
        let take = taken("2025-03-30T02:00:00+01:00", "2025-03-30T01:10:00Z");
        let rows = day_doses(
            &person(),
            std::slice::from_ref(&r),
            &[take],
            &zone_of,
            day,
            day,
            ts("2025-03-30T06:30:00Z"),
        );
        assert_eq!(rows.len(), 2);
        // 01:30 does not exist: the dose is due at 02:00 BST, 01:00 UTC.
        assert_eq!(rows[0].occurrence.at, ts("2025-03-30T01:00:00Z"));
        assert_eq!(
            rows[0].occurrence.shifted,
            Some(Shift::SpringForwardGap {
                scheduled: day.at(1, 30, 0, 0),
                moved_to: day.at(2, 0, 0, 0)
            })
        );
        assert_eq!(
            rows[0].status,
            DoseStatus::Taken {
                at: ts("2025-03-30T01:10:00Z")
            }
        );
        assert_eq!(rows[1].occurrence.at, ts("2025-03-30T07:00:00Z"));
        assert_eq!(rows[1].status, DoseStatus::Upcoming);
        // The days around it have both doses at their usual times.
        for (d, first) in [
            (date(2025, 3, 29), "2025-03-29T01:30:00Z"),
            (date(2025, 3, 31), "2025-03-31T00:30:00Z"),
        ] {
            let rows = day_doses(
                &person(),
                std::slice::from_ref(&r),
                &[],
                &zone_of,
                d,
                d,
                ts("2025-03-28T00:00:00Z"),
            );
            assert_eq!(rows.len(), 2);
            assert_eq!(rows[0].occurrence.at, ts(first));
        }
        // The 25-hour autumn day: 01:30 fires once.
        let autumn = date(2025, 10, 26);
        let rows = day_doses(
            &person(),
            &[r],
            &[],
            &zone_of,
            autumn,
            autumn,
            ts("2025-10-25T00:00:00Z"),
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].occurrence.at, ts("2025-10-26T00:30:00Z"));
    }

    #[test]
    fn samoa_s_missing_date_shows_its_doses_on_the_next_day() {
        let mut p = person();
        p.zone = "Pacific/Apia".into();
        let mut r = twice_daily();
        r.schedule.zone = "Pacific/Apia".into();
        r.schedule.start = date(2011, 12, 1);
        let count = |d: Date| {
            day_doses(
                &p,
                std::slice::from_ref(&r),
                &[],
                &zone_of,
                d,
                d,
                ts("2011-12-01T00:00:00Z"),
            )
            .len()
        };
        assert_eq!(count(date(2011, 12, 29)), 2);
        assert_eq!(count(date(2011, 12, 30)), 0);
        assert_eq!(count(date(2011, 12, 31)), 4);
    }

    #[test]
    fn only_the_person_s_scheduled_reminders_in_loaded_zones_ordered_by_instant_then_id() {
        let mut later_id = reminder(
            "r3",
            Pattern::Daily {
                times: vec![t(8, 0)],
            },
        );
        later_id.medicine = "Aspirin".into();
        let mut someone_else = twice_daily();
        someone_else.id = "r4".into();
        someone_else.person_id = "p2".into();
        let mut unloaded = twice_daily();
        unloaded.id = "r5".into();
        unloaded.schedule.travel = TravelPolicy::HomeZone;
        unloaded.schedule.zone = "Mars/Olympus_Mons".into();
        let rows = day_doses(
            &person(),
            &[later_id, as_needed(), someone_else, unloaded, twice_daily()],
            &[],
            &zone_of,
            JUNE,
            JUNE,
            ts("2025-06-10T00:00:00Z"),
        );
        let ids: Vec<&str> = rows.iter().map(|r| r.reminder_id.as_str()).collect();
        assert_eq!(ids, ["r1", "r3", "r1"]);
    }

    #[test]
    fn doses_follow_the_zone_the_travel_policy_picks() {
        let mut traveller = person();
        traveller.zone = "America/New_York".into();
        let local = twice_daily();
        let mut home = twice_daily();
        home.schedule.travel = TravelPolicy::HomeZone;
        assert_eq!(zone_followed(&local, &traveller), "America/New_York");
        assert_eq!(zone_followed(&home, &traveller), "Europe/London");
        let first = |r: Reminder| {
            day_doses(
                &traveller,
                &[r],
                &[],
                &zone_of,
                JUNE,
                JUNE,
                ts("2025-06-10T00:00:00Z"),
            )[0]
            .occurrence
            .at
        };
        assert_eq!(first(local), ts("2025-06-10T12:00:00Z"));
        assert_eq!(first(home), ts(MORNING));
    }

    #[test]
    fn an_as_needed_dose_taken_back_no_longer_counts_anywhere() {
        let dose = |at: &str| event(at, "r9", None, DoseAction::Taken, at);
        let kept = dose("2025-06-10T06:00:00Z");
        let mistake = dose("2025-06-10T06:00:30Z");
        let mut undo = event(
            "2025-06-10T06:01:00Z",
            "r9",
            None,
            DoseAction::Undone,
            "2025-06-10T06:01:00Z",
        );
        // Ids in either case name the same event.
        undo.undoes = Some(mistake.id.to_ascii_uppercase());
        let events = [kept.clone(), mistake.clone(), undo.clone()];
        assert_eq!(taken_instants("r9", &events), [ts(&kept.at)]);
        assert_eq!(
            as_needed_taken_on("r9", &events, &zone("Europe/London"), JUNE),
            [(ts(&kept.at), kept.id.clone())]
        );
        let history = history(
            &person(),
            &[as_needed()],
            &events,
            &zone_of,
            JUNE,
            1,
            ts("2025-06-10T12:00:00Z"),
        );
        assert_eq!(history.len(), 1);
        // The stock: the taking and its undo both waiting to be sent leave it as it was; an undo
        // waiting for a taking the backend has counted gives one back; an undo already there
        // (or sent twice) gives nothing more.
        let mut r = as_needed();
        r.stock = Some(10);
        let sent_undo = || {
            let mut u = undo.clone();
            u.id = new_event_id(1, [9; 10]);
            u
        };
        assert_eq!(
            stock_left(&r, &[], &[mistake.clone(), undo.clone()]),
            Some(10)
        );
        assert_eq!(
            stock_left(
                &r,
                std::slice::from_ref(&mistake),
                std::slice::from_ref(&undo)
            ),
            Some(11)
        );
        assert_eq!(
            stock_left(
                &r,
                &[mistake.clone(), sent_undo()],
                std::slice::from_ref(&undo)
            ),
            Some(10)
        );
        assert_eq!(
            stock_left(
                &r,
                std::slice::from_ref(&mistake),
                &[undo.clone(), undo.clone()]
            ),
            Some(11)
        );
    }

    #[test]
    fn as_needed_taken_doses_count_once_per_id_newest_first() {
        let dose = |at: &str| event(at, "r9", None, DoseAction::Taken, at);
        let a = dose("2025-06-09T22:30:00Z"); // 23:30 BST on the 9th
        let b = dose("2025-06-10T06:00:00Z");
        let c = dose("2025-06-10T13:00:00Z");
        let mut elsewhere = dose("2025-06-10T14:00:00Z");
        elsewhere.reminder_id = "r1".into();
        let snoozed = event(
            "2025-06-10T15:00:00Z",
            "r9",
            None,
            DoseAction::Snoozed,
            "2025-06-10T15:00:00Z",
        );
        let events = [
            c.clone(),
            a.clone(),
            b.clone(),
            b.clone(),
            elsewhere,
            snoozed,
        ];
        assert_eq!(
            taken_instants("r9", &events),
            [ts(&a.at), ts(&b.at), ts(&c.at)]
        );
        let on = |tz: &str, day: Date| -> Vec<Timestamp> {
            as_needed_taken_on("r9", &events, &zone(tz), day)
                .into_iter()
                .map(|(at, _)| at)
                .collect()
        };
        assert_eq!(on("Europe/London", JUNE), [ts(&c.at), ts(&b.at)]);
        // In New York the 23:30 BST dose was taken on the 9th as well, and 06:00Z on the 10th.
        assert_eq!(on("America/New_York", date(2025, 6, 9)), [ts(&a.at)]);
        // A slot whose taking time was edited is one dose, at the edited time.
        let first = taken(MORNING, "2025-06-10T07:05:00Z");
        let edit = event(
            "2025-06-10T09:00:00Z",
            "r1",
            Some(MORNING),
            DoseAction::Taken,
            "2025-06-10T06:55:00Z",
        );
        assert_eq!(
            taken_instants("r1", &[first, edit]),
            [ts("2025-06-10T06:55:00Z")]
        );
    }

    #[test]
    fn percent_is_rounded_and_none_without_decided_doses() {
        let tally = |taken, skipped, missed, pending| Tally {
            taken,
            skipped,
            missed,
            pending,
        };
        assert_eq!(tally(0, 0, 0, 0).percent(), None);
        assert_eq!(tally(0, 0, 0, 5).percent(), None);
        assert_eq!(tally(2, 1, 0, 0).percent(), Some(67));
        assert_eq!(tally(1, 1, 1, 9).percent(), Some(33));
        assert_eq!(tally(1, 7, 0, 0).percent(), Some(13));
        assert_eq!(tally(0, 0, 3, 0).percent(), Some(0));
        assert_eq!(tally(4, 0, 0, 0).percent(), Some(100));
        assert_eq!(tally(u32::MAX, u32::MAX, u32::MAX, 0).percent(), Some(33));
    }

    #[test]
    fn daily_tallies_count_the_decided_doses_of_each_day() {
        let today = date(2025, 6, 12);
        let now = ts("2025-06-12T12:00:00Z"); // 13:00 BST
        let mut skip = event(
            "2025-06-11T07:30:00Z",
            "r1",
            Some("2025-06-11T07:00:00Z"),
            DoseAction::Skipped,
            "2025-06-11T07:30:00Z",
        );
        skip.reason = "Out of stock".into();
        let events = [
            taken("2025-06-10T07:00:00Z", "2025-06-10T07:01:00Z"),
            taken("2025-06-10T19:00:00Z", "2025-06-10T19:01:00Z"),
            skip,
            taken("2025-06-12T07:00:00Z", "2025-06-12T07:01:00Z"),
        ];
        let mut other = twice_daily();
        other.id = "r2".into();
        let reminders = [twice_daily(), other];
        let tallies = daily_tallies(
            &person(),
            &reminders,
            &events,
            &zone_of,
            Some("r1"),
            today,
            3,
            now,
        );
        let expected = [
            (date(2025, 6, 10), (2, 0, 0, 0)),
            (date(2025, 6, 11), (0, 1, 1, 0)),
            (date(2025, 6, 12), (1, 0, 0, 1)),
        ];
        assert_eq!(tallies.len(), 3);
        for (got, (day, (taken, skipped, missed, pending))) in tallies.iter().zip(expected) {
            assert_eq!(
                got,
                &DayTally {
                    day,
                    tally: Tally {
                        taken,
                        skipped,
                        missed,
                        pending
                    }
                }
            );
        }
        let sum = total(&tallies);
        assert_eq!(
            sum,
            Tally {
                taken: 3,
                skipped: 1,
                missed: 1,
                pending: 1
            }
        );
        assert_eq!(sum.percent(), Some(60));
        // Without the filter the second reminder's doses count too, all missed or pending.
        let all = total(&daily_tallies(
            &person(),
            &reminders,
            &events,
            &zone_of,
            None,
            today,
            3,
            now,
        ));
        assert_eq!((all.missed, all.pending), (1 + 4, 1 + 2));
        // Today's overdue doses are still pending.
        let late = daily_tallies(
            &person(),
            &reminders,
            &[],
            &zone_of,
            Some("r1"),
            today,
            1,
            ts("2025-06-12T23:30:00Z"),
        );
        assert_eq!(late[0].tally.pending, 2);
        assert_eq!(late[0].tally.percent(), None);
    }

    #[test]
    fn tallies_have_exactly_the_days_asked_up_to_a_year() {
        let tallies = |days| {
            daily_tallies(
                &person(),
                &[twice_daily()],
                &[],
                &zone_of,
                None,
                date(2025, 6, 12),
                days,
                ts("2025-06-12T12:00:00Z"),
            )
        };
        assert!(tallies(0).is_empty());
        let year = tallies(u16::MAX);
        assert_eq!(year.len(), usize::from(MAX_DAYS));
        assert_eq!(year.first().unwrap().day, date(2024, 6, 12));
        assert_eq!(year.last().unwrap().day, date(2025, 6, 12));
        // The schedule starts on 2025-01-01: earlier days have no doses at all.
        assert_eq!(year[0].tally, Tally::default());
        assert!(year.windows(2).all(|w| w[0].day < w[1].day));
        assert!(total(&[]).percent().is_none());
    }

    fn history_fixture() -> Vec<HistoryRow> {
        let day = date(2025, 6, 11);
        let mut skip = event(
            "2025-06-11T07:30:00Z",
            "r1",
            Some("2025-06-11T07:00:00Z"),
            DoseAction::Skipped,
            "2025-06-11T07:30:00Z",
        );
        skip.reason = "Felt sick".into();
        let events = [
            taken("2025-06-10T19:00:00Z", "2025-06-10T19:01:00Z"),
            skip,
            event(
                "2025-06-11T08:15:00Z",
                "r9",
                None,
                DoseAction::Taken,
                "2025-06-11T08:15:00Z",
            ),
            // Outside the window.
            event(
                "2025-06-09T08:15:00Z",
                "r9",
                None,
                DoseAction::Taken,
                "2025-06-09T08:15:00Z",
            ),
        ];
        history(
            &person(),
            &[as_needed(), twice_daily()],
            &events,
            &zone_of,
            day,
            2,
            ts("2025-06-11T12:00:00Z"),
        )
    }

    #[test]
    fn history_lists_scheduled_and_as_needed_doses_in_time_order() {
        let rows = history_fixture();
        let summary: Vec<(Option<DateTime>, &str, DoseStatus)> = rows
            .iter()
            .map(|r| (r.scheduled, r.medicine.as_str(), r.status.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    Some(date(2025, 6, 10).at(8, 0, 0, 0)),
                    "Medicine r1",
                    DoseStatus::Missed
                ),
                (
                    Some(date(2025, 6, 10).at(20, 0, 0, 0)),
                    "Medicine r1",
                    DoseStatus::Taken {
                        at: ts("2025-06-10T19:01:00Z")
                    }
                ),
                (
                    Some(date(2025, 6, 11).at(8, 0, 0, 0)),
                    "Medicine r1",
                    DoseStatus::Skipped {
                        reason: "Felt sick".into()
                    }
                ),
                (
                    None,
                    "Medicine r9",
                    DoseStatus::Taken {
                        at: ts("2025-06-11T08:15:00Z")
                    }
                ),
                (
                    Some(date(2025, 6, 11).at(20, 0, 0, 0)),
                    "Medicine r1",
                    DoseStatus::Upcoming
                ),
            ]
        );
        assert!(rows.iter().all(|r| r.person == "Mum"
            && r.dose_amount == "1"
            && r.dose_unit == "tablet"
            && r.strength == "500 mg"
            && r.zone == "Europe/London"));
        assert!(history(
            &person(),
            &[twice_daily()],
            &[],
            &zone_of,
            date(2025, 6, 11),
            0,
            ts("2025-06-11T12:00:00Z")
        )
        .is_empty());
    }

    const HEADERS: [&str; 8] = [
        "Person",
        "Medicine",
        "Strength",
        "Dose",
        "Scheduled",
        "Time zone",
        "Status",
        "Detail",
    ];

    fn word(status: &DoseStatus) -> String {
        match status {
            DoseStatus::Upcoming => "upcoming",
            DoseStatus::Due => "due",
            DoseStatus::Overdue => "overdue",
            DoseStatus::Missed => "missed",
            DoseStatus::Taken { .. } => "taken",
            DoseStatus::Skipped { .. } => "skipped",
            DoseStatus::Snoozed { .. } => "snoozed",
        }
        .into()
    }

    /// Not real wording: just so the tests see that the dose column is the caller's.
    fn dose(amount: &str, unit: &str) -> String {
        format!("{amount} × {unit}")
    }

    #[test]
    fn csv_has_a_header_crlf_lines_and_local_taking_times() {
        let csv = history_csv(&history_fixture(), &HEADERS, &word, &dose, &zone_of, ',');
        assert_eq!(
            csv,
            "Person,Medicine,Strength,Dose,Scheduled,Time zone,Status,Detail\r\n\
             Mum,Medicine r1,500 mg,1 × tablet,2025-06-10 08:00,Europe/London,missed,\r\n\
             Mum,Medicine r1,500 mg,1 × tablet,2025-06-10 20:00,Europe/London,taken,2025-06-10 20:01\r\n\
             Mum,Medicine r1,500 mg,1 × tablet,2025-06-11 08:00,Europe/London,skipped,Felt sick\r\n\
             Mum,Medicine r9,500 mg,1 × tablet,,Europe/London,taken,2025-06-11 09:15\r\n\
             Mum,Medicine r1,500 mg,1 × tablet,2025-06-11 20:00,Europe/London,upcoming,\r\n"
        );
        // A zone that is not loaded: the instant itself.
        let mut row = history_fixture().remove(1);
        row.zone = "Mars/Olympus_Mons".into();
        let csv = history_csv(&[row], &HEADERS, &word, &dose, &zone_of, ',');
        assert!(csv.ends_with(",taken,2025-06-10T19:01:00Z\r\n"), "{csv}");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let row = HistoryRow {
            person: "Smith, \"Jo\"".into(),
            medicine: "=HYPERLINK(\"http://x\")".into(),
            strength: "+1".into(),
            dose_amount: "-2".into(),
            dose_unit: "tablet".into(),
            scheduled: None,
            status: DoseStatus::Skipped {
                reason: "line one\r\nline two".into(),
            },
            zone: "@UTC".into(),
        };
        let csv = history_csv(
            &[row],
            &HEADERS,
            &|_| "\tskipped".into(),
            &dose,
            &zone_of,
            ',',
        );
        let line = csv
            .strip_prefix("Person,Medicine,Strength,Dose,Scheduled,Time zone,Status,Detail\r\n")
            .unwrap();
        assert_eq!(
            line,
            "\"Smith, \"\"Jo\"\"\",\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2 × tablet,,'@UTC,'\tskipped,\"line one\r\nline two\"\r\n"
        );
        let records = read_csv(&csv);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1][0], "Smith, \"Jo\"");
        assert_eq!(records[1][7], "line one\r\nline two");
        let cr = HistoryRow {
            person: "\rX".into(),
            ..history_fixture().remove(0)
        };
        let csv = history_csv(&[cr], &HEADERS, &word, &dose, &zone_of, ',');
        assert_eq!(read_csv(&csv)[1][0], "'\rX");
    }

    #[test]
    fn csv_for_a_semicolon_spreadsheet_quotes_semicolons() {
        let row = HistoryRow {
            person: "Mum; Dad".into(),
            medicine: "Medicine, 2".into(),
            ..history_fixture().remove(0)
        };
        let csv = history_csv(&[row], &HEADERS, &word, &dose, &zone_of, ';');
        assert!(csv.starts_with("Person;Medicine;Strength;Dose;"), "{csv}");
        assert!(
            csv.contains("\r\n\"Mum; Dad\";\"Medicine, 2\";500 mg;1 × tablet;"),
            "{csv}"
        );
        assert_eq!(read_csv_with(&csv, ';')[1][0], "Mum; Dad");
    }

    /// A tiny RFC 4180 reader: records of fields, CRLF between records, quotes doubled inside
    /// quoted fields. Panics on anything else, so the writer's mistakes show.
    fn read_csv(text: &str) -> Vec<Vec<String>> {
        read_csv_with(text, ',')
    }

    fn read_csv_with(text: &str, separator: char) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let mut record = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if quoted {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                        assert!(
                            matches!(chars.peek(), None | Some('\r'))
                                || chars.peek() == Some(&separator)
                        );
                    }
                } else {
                    field.push(c);
                }
                continue;
            }
            match c {
                '"' => {
                    assert!(field.is_empty(), "quote inside an unquoted field");
                    quoted = true;
                }
                c if c == separator => record.push(std::mem::take(&mut field)),
                '\r' => {
                    assert_eq!(chars.next(), Some('\n'), "CR without LF");
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                '\n' => panic!("LF without CR"),
                _ => field.push(c),
            }
        }
        assert!(
            !quoted && field.is_empty() && record.is_empty(),
            "no CRLF at the end"
        );
        records
    }

    fn slot_event(id: &str, slot: Option<&str>, action: DoseAction) -> DoseEvent {
        DoseEvent {
            id: id.into(),
            reminder_id: "r1".into(),
            scheduled_at: slot.map(Into::into),
            action,
            at: "2025-06-10T07:05:00Z".into(),
            snooze_minutes: (action == DoseAction::Snoozed).then_some(10),
            reason: String::new(),
            recorded_at: None,
            undoes: None,
        }
    }

    fn uuid(n: u8) -> String {
        new_event_id(1_750_000_000_000 + u64::from(n), [n; 10])
    }

    #[test]
    fn an_undone_dose_goes_back_into_the_pack_and_back_to_due() {
        let r = twice_daily(); // stock 10
        let a = Some("2025-06-10T07:00:00Z");
        let taken = slot_event(&uuid(1), a, DoseAction::Taken);
        let undone = slot_event(&uuid(2), a, DoseAction::Undone);
        let again = slot_event(&uuid(3), a, DoseAction::Taken);
        // The backend counted the taking; the undo on its way puts it back.
        assert_eq!(
            stock_left(
                &r,
                std::slice::from_ref(&taken),
                std::slice::from_ref(&undone)
            ),
            Some(11)
        );
        // Both on their way: nothing out of the pack.
        assert_eq!(
            stock_left(&r, &[], &[taken.clone(), undone.clone()]),
            Some(10)
        );
        // Taken again after the undo: one dose.
        assert_eq!(
            stock_left(&r, &[], &[taken.clone(), undone.clone(), again]),
            Some(9)
        );
        // The backend has them all: its count stands.
        assert_eq!(
            stock_left(&r, &[taken.clone(), undone.clone()], &[]),
            Some(10)
        );

        let at = Timestamp::from_second(1_749_538_800).unwrap(); // 2025-06-10T07:00:00Z
        let now = at.checked_add(SignedDuration::from_mins(5)).unwrap();
        let latest = |events: &[DoseEvent]| {
            let by_slot = latest_by_slot(events);
            status_of(at, by_slot.get(&("r1", at)).copied(), false, now)
        };
        assert!(matches!(
            latest(std::slice::from_ref(&taken)),
            DoseStatus::Taken { .. }
        ));
        assert_eq!(latest(&[taken, undone]), DoseStatus::Due);
    }

    #[test]
    fn stock_left_counts_each_unsynced_taking_once() {
        let r = twice_daily(); // stock 10, refill at 3
        let a = Some("2025-06-10T07:00:00Z");
        let a_other_spelling = Some("2025-06-10T08:00:00+01:00");
        let b = Some("2025-06-10T19:00:00Z");
        let c = Some("2025-06-11T07:00:00Z");
        let synced = [slot_event(&uuid(1), a, DoseAction::Taken)];
        let mut elsewhere = slot_event(&uuid(9), None, DoseAction::Taken);
        elsewhere.reminder_id = "r2".into();
        let pending = [
            // Slot a was already counted by the server: an edit of its time counts nothing.
            slot_event(&uuid(2), a_other_spelling, DoseAction::Taken),
            // Slot b twice (taken, then its time edited): one dose.
            slot_event(&uuid(3), b, DoseAction::Taken),
            slot_event(&uuid(4), b, DoseAction::Taken),
            // The same event queued twice, and one the server already has.
            slot_event(&uuid(5), None, DoseAction::Taken),
            slot_event(&uuid(5).to_ascii_uppercase(), None, DoseAction::Taken),
            slot_event(&uuid(1), None, DoseAction::Taken),
            // Another as-needed dose: counts.
            slot_event(&uuid(6), None, DoseAction::Taken),
            // Not takings, an unreadable slot, another reminder.
            slot_event(&uuid(7), c, DoseAction::Skipped),
            slot_event(&uuid(8), Some("noon"), DoseAction::Taken),
            slot_event(&uuid(10), None, DoseAction::Snoozed),
            elsewhere,
        ];
        assert_eq!(stock_left(&r, &synced, &pending), Some(7));
        assert!(!needs_refill(&r, Some(7)));
        assert!(needs_refill(&r, Some(3)));
        assert!(needs_refill(&r, Some(0)));
        let mut low = r.clone();
        low.stock = Some(2);
        assert_eq!(stock_left(&low, &synced, &pending), Some(0));
        let mut uncounted = r.clone();
        uncounted.stock = None;
        assert_eq!(stock_left(&uncounted, &synced, &pending), None);
        assert!(!needs_refill(&uncounted, None));
        let mut no_level = r;
        no_level.refill_at = None;
        assert!(!needs_refill(&no_level, Some(0)));
    }

    #[test]
    fn a_receipt_sorts_the_queue() {
        let events: Vec<DoseEvent> = (1..=6)
            .map(|n| slot_event(&uuid(n), None, DoseAction::Taken))
            .collect();
        let receipt = DoseEventReceipt {
            stored: vec![uuid(1)],
            duplicates: vec![uuid(2).to_ascii_uppercase()],
            conflicts: vec![uuid(3)],
            rejected: vec![uuid(4), "not-sent".into()],
        };
        let out = apply_receipt(events.clone(), &receipt);
        let ids = |list: &[DoseEvent]| list.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&out.accepted), [uuid(1), uuid(2)]);
        assert_eq!(ids(&out.conflicts), [uuid(3)]);
        assert_eq!(ids(&out.rejected), [uuid(4)]);
        assert_eq!(ids(&out.still_pending), [uuid(5), uuid(6)]);
        let nothing = apply_receipt(events.clone(), &DoseEventReceipt::default());
        assert_eq!(nothing.still_pending, events);
    }

    #[test]
    fn merging_keeps_one_event_per_id_pending_first_in_id_order() {
        let server = [
            slot_event(&uuid(3), None, DoseAction::Taken),
            slot_event(&uuid(1), None, DoseAction::Taken),
        ];
        let mut changed = slot_event(&uuid(1).to_ascii_uppercase(), None, DoseAction::Skipped);
        changed.reason = "edited offline".into();
        let pending = [
            slot_event(&uuid(2), None, DoseAction::Taken),
            changed.clone(),
        ];
        let merged = merge_events(&server, &pending);
        assert_eq!(merged.len(), 3);
        assert_eq!(merged[0], changed);
        assert_eq!(merged[1].id, uuid(2));
        assert_eq!(merged[2].id, uuid(3));
        assert!(merge_events(&[], &[]).is_empty());
    }

    #[test]
    fn event_ids_are_uuid_v7() {
        // RFC 9562, appendix A.6.
        let random = [0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f];
        assert_eq!(
            new_event_id(0x017F_22E2_79B0, random),
            "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"
        );
        assert_eq!(
            new_event_id(0, [0; 10]),
            "00000000-0000-7000-8000-000000000000"
        );
        assert_eq!(
            new_event_id(u64::MAX, [0xff; 10]),
            "ffffffff-ffff-7fff-bfff-ffffffffffff"
        );
        assert_eq!(
            new_event_id(u64::MAX, [0; 10]),
            new_event_id(MAX_UUID_MS, [0; 10])
        );
        let earlier = new_event_id(1_000, [0xff; 10]);
        let later = new_event_id(1_001, [0; 10]);
        assert!(earlier < later);
    }

    proptest! {
        #[test]
        fn event_ids_are_valid_and_ordered_by_time(
            a in 0u64..=MAX_UUID_MS,
            b in 0u64..=MAX_UUID_MS,
            ra in any::<[u8; 10]>(),
            rb in any::<[u8; 10]>(),
            huge in (MAX_UUID_MS + 1)..=u64::MAX,
        ) {
            let (ia, ib) = (new_event_id(a, ra), new_event_id(b, rb));
            for id in [&ia, &ib] {
                prop_assert!(is_event_id(id), "{}", id);
                prop_assert_eq!(id.to_ascii_lowercase(), id.clone());
                prop_assert_eq!(id.as_bytes()[14], b'7');
                prop_assert!(b"89ab".contains(&id.as_bytes()[19]));
            }
            if a < b {
                prop_assert!(ia < ib);
            }
            prop_assert!(is_event_id(&new_event_id(huge, ra)));
            prop_assert!(new_event_id(huge, ra) >= ia);
        }
    }

    const PROP_ZONES: [&str; 5] = [
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Asia/Kolkata",
    ];

    fn times_strategy() -> impl Strategy<Value = Vec<Time>> {
        prop::collection::btree_set(0i16..1_440, 1..=4).prop_map(|mins| {
            mins.into_iter()
                .map(|m| t((m / 60) as i8, (m % 60) as i8))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn consecutive_days_share_no_dose_and_each_has_its_times(
            z in 0..PROP_ZONES.len(),
            year in 2000i16..=2037,
            day_of_year in 0i16..365,
            near_change in any::<bool>(),
            nth in 0usize..4,
            times in times_strategy(),
            travel in prop_oneof![Just(TravelPolicy::KeepLocalTime), Just(TravelPolicy::HomeZone)],
        ) {
            let name = PROP_ZONES[z];
            let tz = zone(name);
            let mut first = date(year, 1, 1)
                .checked_add(jiff::Span::new().days(day_of_year))
                .unwrap();
            if near_change {
                // Half the cases start the day before one of the year's clock changes.
                let year_start = tz.to_zoned(date(year, 1, 1).at(0, 0, 0, 0)).unwrap().timestamp();
                if let Some(change) = tz.following(year_start).nth(nth) {
                    first = tz.to_datetime(change.timestamp()).date().yesterday().unwrap();
                }
            }
            let mut p = person();
            p.zone = name.into();
            let mut r = reminder("r1", Pattern::Daily { times: times.clone() });
            r.schedule.zone = name.into();
            r.schedule.start = date(1999, 1, 1);
            r.schedule.travel = travel;
            let days: Vec<Date> = (0..4)
                .map(|k| first.checked_add(jiff::Span::new().days(k)).unwrap())
                .collect();
            let today = days[3].tomorrow().unwrap();
            let now = ts("2040-01-01T00:00:00Z");
            let skipped = |d: Date| {
                let (start, end) = day_window(&tz, d).unwrap();
                start == end
            };
            let mut seen = HashSet::new();
            let mut previous_last: Option<Timestamp> = None;
            for d in &days {
                let rows = day_doses(&p, std::slice::from_ref(&r), &[], &zone_of, *d, today, now);
                let expected = if skipped(*d) {
                    0
                } else if skipped(d.yesterday().unwrap()) {
                    2 * times.len()
                } else {
                    times.len()
                };
                prop_assert_eq!(rows.len(), expected, "{} {}", name, d);
                for row in &rows {
                    prop_assert!(seen.insert(row.occurrence.local), "{:?} twice", row.occurrence);
                    prop_assert_eq!(&row.status, &DoseStatus::Missed);
                    if let Some(last) = previous_last {
                        prop_assert!(row.occurrence.at > last, "{:?} overlaps the day before", row.occurrence);
                    }
                }
                prop_assert!(rows.windows(2).all(|w| w[0].occurrence.at <= w[1].occurrence.at));
                if let Some(last) = rows.last() {
                    previous_last = Some(last.occurrence.at);
                }
            }
        }
    }

    fn odd_text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("2025-06-10T07:00:00Z".to_string()),
            Just("9999-12-31T23:59:59Z".to_string()),
            Just("-009999-01-01T00:00:00Z".to_string()),
            any::<String>(),
        ]
    }

    fn odd_event() -> impl Strategy<Value = DoseEvent> {
        (
            any::<String>(),
            prop_oneof![Just("r1".to_string()), any::<String>()],
            prop::option::of(odd_text()),
            prop_oneof![
                Just(DoseAction::Taken),
                Just(DoseAction::Skipped),
                Just(DoseAction::Snoozed)
            ],
            odd_text(),
            prop::option::of(any::<u16>()),
        )
            .prop_map(
                |(id, reminder_id, scheduled_at, action, at, snooze_minutes)| DoseEvent {
                    id,
                    reminder_id,
                    scheduled_at,
                    action,
                    at,
                    snooze_minutes,
                    reason: String::new(),
                    recorded_at: None,
                    undoes: None,
                },
            )
    }

    proptest! {
        #[test]
        fn nothing_panics_on_odd_input(
            events in prop::collection::vec(odd_event(), 0..8),
            day in prop_oneof![Just(day_number(Date::MIN)), Just(day_number(Date::MAX)), -800_000i64..800_000],
            now in prop_oneof![Just(Timestamp::MIN), Just(Timestamp::MAX), Just(Timestamp::UNIX_EPOCH)],
            stock in prop::option::of(any::<u32>()),
            days in 0u16..4,
        ) {
            let day = date_of_day(day).unwrap();
            let mut r = twice_daily();
            r.stock = stock;
            r.schedule.start = Date::MIN;
            let reminders = [r.clone(), as_needed()];
            let _ = day_doses(&person(), &reminders, &events, &zone_of, day, day, now);
            let _ = daily_tallies(&person(), &reminders, &events, &zone_of, None, day, days, now);
            let rows = history(&person(), &reminders, &events, &zone_of, day, days, now);
            let _ = history_csv(&rows, &HEADERS, &word, &dose, &zone_of, ',');
            let _ = as_needed_taken_on("r1", &events, &zone("Pacific/Apia"), day);
            let left = stock_left(&r, &events, &events);
            let _ = needs_refill(&r, left);
            let merged = merge_events(&events, &events);
            let _ = apply_receipt(merged, &DoseEventReceipt {
                stored: events.iter().map(|e| e.id.clone()).collect(),
                ..DoseEventReceipt::default()
            });
        }
    }

    fn status_strategy() -> impl Strategy<Value = DoseStatus> {
        prop_oneof![
            Just(DoseStatus::Upcoming),
            Just(DoseStatus::Due),
            Just(DoseStatus::Overdue),
            Just(DoseStatus::Missed),
            (0i64..2_000_000_000).prop_map(|s| DoseStatus::Taken {
                at: Timestamp::from_second(s).unwrap()
            }),
            any::<String>().prop_map(|reason| DoseStatus::Skipped { reason }),
            (0i64..2_000_000_000).prop_map(|s| DoseStatus::Snoozed {
                until: Timestamp::from_second(s).unwrap()
            }),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof!["[a-z ,\"\r\n=+@\t'-]{0,10}", any::<String>()]
    }

    fn row_strategy() -> impl Strategy<Value = HistoryRow> {
        (
            (text(), text(), text(), text(), text()),
            prop::option::of((0i64..80_000, 0i64..1_440)),
            status_strategy(),
            prop_oneof![
                Just("Europe/London".to_string()),
                Just("Asia/Kolkata".to_string()),
                text()
            ],
        )
            .prop_map(
                |(
                    (person, medicine, strength, dose_amount, dose_unit),
                    scheduled,
                    status,
                    zone,
                )| HistoryRow {
                    person,
                    medicine,
                    strength,
                    dose_amount,
                    dose_unit,
                    scheduled: scheduled.map(|(d, m)| {
                        date_of_day(d)
                            .unwrap()
                            .to_datetime(t((m / 60) as i8, (m % 60) as i8))
                    }),
                    status,
                    zone,
                },
            )
    }

    fn defused(text: &str) -> String {
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{text}")
        } else {
            text.to_owned()
        }
    }

    proptest! {
        #[test]
        fn csv_reads_back_as_one_record_per_row_of_eight_fields(
            rows in prop::collection::vec(row_strategy(), 0..12),
            header in text(),
            separator in prop_oneof![Just(','), Just(';')],
        ) {
            let headers = [header.as_str(), "b", "c", "d", "e", "f", "g", "h"];
            let csv = history_csv(&rows, &headers, &word, &dose, &zone_of, separator);
            let records = read_csv_with(&csv, separator);
            prop_assert_eq!(records.len(), rows.len() + 1);
            prop_assert_eq!(&records[0][0], &defused(&header));
            for (record, row) in records.iter().skip(1).zip(&rows) {
                prop_assert_eq!(record.len(), 8);
                prop_assert_eq!(&record[0], &defused(&row.person));
                prop_assert_eq!(&record[1], &defused(&row.medicine));
                prop_assert_eq!(&record[3], &defused(&dose(&row.dose_amount, &row.dose_unit)));
                prop_assert_eq!(&record[5], &defused(&row.zone));
                prop_assert_eq!(record[6].clone(), word(&row.status));
                if let DoseStatus::Skipped { reason } = &row.status {
                    prop_assert_eq!(&record[7], &defused(reason));
                }
            }
        }
    }
}
