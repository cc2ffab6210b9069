//! Reminders as the backend contract carries them: the people a caregiver (or a patient, for
//! themselves) keeps reminders for, each medicine's reminder with its schedule, and the doses
//! logged against them. The `check_*` functions are the rules the app applies while a form is
//! filled in and the backend applies to what it receives, so both report the same fields and codes.
//!
//! Dose times come from [`crate::schedule`]; a reminder only adds what the person takes, how it
//! is shown, and the stock that counts down as doses are taken.

use crate::schedule::{self, Occurrence, Pattern, Schedule};
use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

/// The colours a person can be shown in, by name (the app maps each to a colour of its theme that
/// has enough contrast in light and dark mode). Names, not hex values, so a theme can change.
pub const COLOURS: [&str; 8] = [
    "teal", "blue", "indigo", "purple", "pink", "red", "orange", "green",
];

/// What one dose is counted in.
pub const DOSE_UNITS: [&str; 8] = [
    "tablet",
    "capsule",
    "puff",
    "ml",
    "drop",
    "patch",
    "injection",
    "sachet",
];

/// The snooze lengths offered, in minutes.
pub const SNOOZE_MINUTES: [u16; 3] = [10, 30, 60];

pub const MAX_PERSON_NAME_CHARS: usize = 60;
pub const MAX_MEDICINE_CHARS: usize = 100;
pub const MAX_STRENGTH_CHARS: usize = 40;
pub const MAX_INSTRUCTIONS_CHARS: usize = 500;
pub const MAX_REASON_CHARS: usize = 200;
/// Longest IANA zone name accepted; the longest real one is 32 characters.
pub const MAX_ZONE_CHARS: usize = 64;
/// Largest stock and refill level: a pack count, not a warehouse.
pub const MAX_STOCK: u32 = 99_999;
/// Most times of day in one pattern: one an hour. More is a typo, and every time is a calendar
/// series of its own.
pub const MAX_TIMES_PER_DAY: usize = 24;
/// Schedules start and end within these years: earlier or later dates are typos, and keeping
/// them in range bounds what a calendar export has to cover.
pub const FIRST_YEAR: i16 = 2000;
pub const LAST_YEAR: i16 = 2199;
/// Most dose events in one `POST /api/v1/dose-events` (a device's offline queue, sent in parts).
pub const MAX_DOSE_EVENTS_PER_BATCH: usize = 500;
/// Longest window `GET /api/v1/reminders/{id}/occurrences` answers for.
pub const MAX_OCCURRENCE_WINDOW_DAYS: i64 = 92;
/// Longest window `GET /api/v1/dose-events` answers for.
pub const MAX_DOSE_EVENT_WINDOW_DAYS: i64 = 366;

/// Someone reminders are kept for: the signed-in person themselves, or someone they care for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: String,
    pub name: String,
    /// One of [`COLOURS`].
    pub colour: String,
    /// The IANA zone the person lives in, offered as the zone of their new reminders.
    pub zone: String,
    /// Increases with every change; the `ETag` is this number in quotes.
    pub version: u64,
}

/// Body of `POST /api/v1/people` and `PUT /api/v1/people/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonInput {
    pub name: String,
    pub colour: String,
    pub zone: String,
}

/// One medicine's reminder for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reminder {
    pub id: String,
    pub person_id: String,
    pub medicine: String,
    /// As printed on the pack, e.g. "500 mg"; may be empty.
    pub strength: String,
    /// How many units one dose is, as a decimal: "1", "2.5".
    pub dose_amount: String,
    /// One of [`DOSE_UNITS`].
    pub dose_unit: String,
    /// "With food", "Shake well"; may be empty.
    pub instructions: String,
    pub schedule: Schedule,
    /// Calendar exports say "Medicine reminder" instead of the medicine's name, strength and dose,
    /// for calendars other people can see.
    pub hide_name_in_calendar: bool,
    /// Doses left, when counted: each `taken` dose event counts it down by one (never below 0).
    pub stock: Option<u32>,
    /// Stock level at which to get a refill.
    pub refill_at: Option<u32>,
    /// Increases with every change, including a stock count-down; the `ETag` in quotes.
    pub version: u64,
    /// RFC 3339 time of the last change.
    pub updated_at: String,
    /// RFC 3339 time the reminder was set up; empty in copies kept by older versions. Doses due
    /// well before it are not asked about (see `dose_log::day_doses`).
    #[serde(default)]
    pub created_at: String,
}

/// Body of `POST /api/v1/reminders` and `PUT /api/v1/reminders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderInput {
    pub person_id: String,
    pub medicine: String,
    #[serde(default)]
    pub strength: String,
    pub dose_amount: String,
    pub dose_unit: String,
    #[serde(default)]
    pub instructions: String,
    pub schedule: Schedule,
    #[serde(default)]
    pub hide_name_in_calendar: bool,
    #[serde(default)]
    pub stock: Option<u32>,
    #[serde(default)]
    pub refill_at: Option<u32>,
}

/// What was done about a dose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DoseAction {
    Taken,
    Skipped,
    /// Reminded again later (`snoozeMinutes`); the dose is still to be taken or skipped.
    Snoozed,
    /// What was logged for this scheduled dose was a mistake (a "taken" tapped by accident): the
    /// dose is back to due, overdue or missed, as if nothing had been logged. For an as-needed
    /// dose (no slot), `undoes` names the `taken` event that did not happen.
    Undone,
}

impl DoseAction {
    pub const ALL: [DoseAction; 4] = [
        DoseAction::Taken,
        DoseAction::Skipped,
        DoseAction::Snoozed,
        DoseAction::Undone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DoseAction::Taken => "taken",
            DoseAction::Skipped => "skipped",
            DoseAction::Snoozed => "snoozed",
            DoseAction::Undone => "undone",
        }
    }

    pub fn parse(s: &str) -> Option<DoseAction> {
        DoseAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// One thing done about one dose, logged on a device (possibly offline) and sent later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseEvent {
    /// A UUID the device makes when the event happens, so sending it again never logs it twice.
    pub id: String,
    pub reminder_id: String,
    /// RFC 3339 instant of the scheduled dose (an occurrence's `at`); `null` for as-needed doses.
    pub scheduled_at: Option<String>,
    pub action: DoseAction,
    /// RFC 3339 instant the dose was taken, skipped or snoozed.
    pub at: String,
    /// For `snoozed` only: one of [`SNOOZE_MINUTES`].
    #[serde(default)]
    pub snooze_minutes: Option<u16>,
    /// For `skipped` only, optional: why.
    #[serde(default)]
    pub reason: String,
    /// RFC 3339 time the backend first stored the event; set by the backend (ignored when sent).
    #[serde(default)]
    pub recorded_at: Option<String>,
    /// For `undone` without `scheduled_at` only: the id of the as-needed `taken` event taken back.
    #[serde(default)]
    pub undoes: Option<String>,
}

/// Answer of `POST /api/v1/dose-events`: what became of each event, by its id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseEventReceipt {
    /// Stored now.
    pub stored: Vec<String>,
    /// Stored before with exactly this content (a retry): nothing changed.
    pub duplicates: Vec<String>,
    /// Stored before with other content under the same id: the stored one stays.
    pub conflicts: Vec<String>,
    /// Not stored, because their reminder does not exist (deleted meanwhile): drop them.
    pub rejected: Vec<String>,
}

/// Answer of `GET /api/v1/reminders/{id}/occurrences`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OccurrenceList {
    /// The zone the doses were computed in: the schedule's.
    pub zone: String,
    pub occurrences: Vec<Occurrence>,
}

/// Answer of `POST /api/v1/people/{id}/calendar-token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarLink {
    /// Path of the calendar feed, relative to the backend's origin: `/calendar/<token>.ics`.
    pub url: String,
}

/// Answer of `GET /api/v1/people/{id}/calendar-token`: whether the person has a feed address.
/// The address itself is never kept, so it cannot be shown again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarFeedStatus {
    /// When the current address was made (RFC 3339); `None` when there is none.
    pub since: Option<String>,
}

/// One field to fix: its JSON path (`schedule.pattern.times`, `[3].at` in a batch) and a stable
/// code (`required`, `too_long`, `too_many`, `invalid`, `unknown_choice`, or a schedule problem's
/// code such as `no_times`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldIssue {
    pub field: String,
    pub code: &'static str,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, code: &'static str) -> FieldIssue {
        FieldIssue {
            field: field.into(),
            code,
        }
    }
}

pub const REQUIRED: &str = "required";
pub const TOO_LONG: &str = "too_long";
pub const TOO_MANY: &str = "too_many";
pub const INVALID: &str = "invalid";
pub const UNKNOWN_CHOICE: &str = "unknown_choice";

fn chars(text: &str) -> usize {
    text.chars().count()
}

/// `required` when blank, `too_long` over `max` characters.
fn text_issue(field: &str, text: &str, required: bool, max: usize) -> Option<FieldIssue> {
    if required && text.trim().is_empty() {
        Some(FieldIssue::new(field, REQUIRED))
    } else if chars(text) > max {
        Some(FieldIssue::new(field, TOO_LONG))
    } else {
        None
    }
}

/// Shaped like an IANA zone name (`Europe/London`, `America/Argentina/Buenos_Aires`, `UTC`,
/// `Etc/GMT+5`): letters, digits, `_`, `-`, `+` in `/`-separated parts, none of them `.` or `..`.
/// Whether the zone exists is for the caller's time zone database to say.
pub fn is_zone_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_ZONE_CHARS
        && name.split('/').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_-+".contains(&b))
        })
}

/// `zone` issue of a person or schedule: `required` when empty, `unknown_choice` when it is not a
/// zone `zone_known` (the caller's time zone database) knows.
fn zone_issue(field: &str, zone: &str, zone_known: &impl Fn(&str) -> bool) -> Option<FieldIssue> {
    if zone.trim().is_empty() {
        Some(FieldIssue::new(field, REQUIRED))
    } else if !is_zone_name(zone) || !zone_known(zone) {
        Some(FieldIssue::new(field, UNKNOWN_CHOICE))
    } else {
        None
    }
}

/// Every problem of a person, in form order. `zone_known` says whether the time zone database
/// (the app's loaded zones, the backend's database) has a zone.
pub fn check_person(input: &PersonInput, zone_known: impl Fn(&str) -> bool) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    out.extend(text_issue("name", &input.name, true, MAX_PERSON_NAME_CHARS));
    if input.colour.is_empty() {
        out.push(FieldIssue::new("colour", REQUIRED));
    } else if !COLOURS.contains(&input.colour.as_str()) {
        out.push(FieldIssue::new("colour", UNKNOWN_CHOICE));
    }
    out.extend(zone_issue("zone", &input.zone, &zone_known));
    out
}

/// A positive decimal with at most four digits before the point and two after: `1`, `2.5`,
/// `0.25`. No sign, no exponent, no comma: it is shown to people exactly as written.
pub fn is_dose_amount(text: &str) -> bool {
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole, 4)
        && fraction.is_none_or(|f| digits(f, 2))
        && text.bytes().any(|b| (b'1'..=b'9').contains(&b))
}

fn whole_minute(t: Time) -> bool {
    t.second() == 0 && t.subsec_nanosecond() == 0
}

fn in_year_range(d: Date) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&d.year())
}

/// Every problem of a reminder, in form order; the schedule's are reported under `schedule.`
/// with [`schedule::ScheduleProblem::field`]'s path and code. Whether `personId` names one of the
/// account's people is for the caller to check.
pub fn check_reminder(input: &ReminderInput, zone_known: impl Fn(&str) -> bool) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    if input.person_id.trim().is_empty() {
        out.push(FieldIssue::new("personId", REQUIRED));
    }
    out.extend(text_issue(
        "medicine",
        &input.medicine,
        true,
        MAX_MEDICINE_CHARS,
    ));
    out.extend(text_issue(
        "strength",
        &input.strength,
        false,
        MAX_STRENGTH_CHARS,
    ));
    if input.dose_amount.trim().is_empty() {
        out.push(FieldIssue::new("doseAmount", REQUIRED));
    } else if !is_dose_amount(&input.dose_amount) {
        out.push(FieldIssue::new("doseAmount", INVALID));
    }
    if input.dose_unit.is_empty() {
        out.push(FieldIssue::new("doseUnit", REQUIRED));
    } else if !DOSE_UNITS.contains(&input.dose_unit.as_str()) {
        out.push(FieldIssue::new("doseUnit", UNKNOWN_CHOICE));
    }
    out.extend(text_issue(
        "instructions",
        &input.instructions,
        false,
        MAX_INSTRUCTIONS_CHARS,
    ));
    out.extend(schedule_issues(&input.schedule, &zone_known));
    if input.stock.is_some_and(|v| v > MAX_STOCK) {
        out.push(FieldIssue::new("stock", INVALID));
    }
    // A refill level needs a stock to compare it with.
    if input
        .refill_at
        .is_some_and(|v| v > MAX_STOCK || input.stock.is_none())
    {
        out.push(FieldIssue::new("refillAt", INVALID));
    }
    out
}

/// The schedule's problems as [`schedule::validate_with_zone`] finds them, then what a reminder
/// needs besides: whole-minute times (calendar exports have no fractions of a minute), at most
/// [`MAX_TIMES_PER_DAY`] times, and dates within [`FIRST_YEAR`]..=[`LAST_YEAR`].
fn schedule_issues(s: &Schedule, zone_known: &impl Fn(&str) -> bool) -> Vec<FieldIssue> {
    let known = is_zone_name(&s.zone) && zone_known(&s.zone);
    let mut out: Vec<FieldIssue> = Vec::new();
    let mut push = |issue: FieldIssue| {
        if !out.contains(&issue) {
            out.push(issue);
        }
    };
    for problem in schedule::validate_with_zone(s, known) {
        push(FieldIssue::new(
            format!("schedule.{}", problem.field()),
            problem.code(),
        ));
    }
    if !in_year_range(s.start) {
        push(FieldIssue::new("schedule.start", INVALID));
    }
    if s.end.is_some_and(|end| !in_year_range(end)) {
        push(FieldIssue::new("schedule.end", INVALID));
    }
    let times: &[Time] = match &s.pattern {
        Pattern::Daily { times }
        | Pattern::Weekly { times, .. }
        | Pattern::EveryNDays { times, .. }
        | Pattern::Cycle { times, .. } => times,
        Pattern::EveryNHours {
            window_start,
            window_end,
            ..
        } => {
            for (field, t) in [("windowStart", window_start), ("windowEnd", window_end)] {
                if !whole_minute(*t) {
                    push(FieldIssue::new(
                        format!("schedule.pattern.{field}"),
                        INVALID,
                    ));
                }
            }
            &[]
        }
        Pattern::AsNeeded(_) => &[],
    };
    if times.len() > MAX_TIMES_PER_DAY {
        push(FieldIssue::new("schedule.pattern.times", TOO_MANY));
    }
    if !times.iter().all(|t| whole_minute(*t)) {
        push(FieldIssue::new("schedule.pattern.times", INVALID));
    }
    out
}

/// 36 characters: hexadecimal digits in groups of 8-4-4-4-12 (any version, either case).
pub fn is_event_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An RFC 3339 instant with its offset, such as `2025-03-30T07:00:00Z`.
pub fn parse_instant(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

/// Every problem of one dose event, with fields named as in the event.
pub fn check_dose_event(event: &DoseEvent) -> Vec<FieldIssue> {
    let mut out = Vec::new();
    if event.id.is_empty() {
        out.push(FieldIssue::new("id", REQUIRED));
    } else if !is_event_id(&event.id) {
        out.push(FieldIssue::new("id", INVALID));
    }
    if event.reminder_id.trim().is_empty() {
        out.push(FieldIssue::new("reminderId", REQUIRED));
    } else if chars(&event.reminder_id) > 64 {
        out.push(FieldIssue::new("reminderId", INVALID));
    }
    if event
        .scheduled_at
        .as_deref()
        .is_some_and(|t| parse_instant(t).is_none())
    {
        out.push(FieldIssue::new("scheduledAt", INVALID));
    }
    if event.at.trim().is_empty() {
        out.push(FieldIssue::new("at", REQUIRED));
    } else if parse_instant(&event.at).is_none() {
        out.push(FieldIssue::new("at", INVALID));
    }
    match (event.action, event.snooze_minutes) {
        (DoseAction::Snoozed, None) => out.push(FieldIssue::new("snoozeMinutes", REQUIRED)),
        (DoseAction::Snoozed, Some(m)) if !SNOOZE_MINUTES.contains(&m) => {
            out.push(FieldIssue::new("snoozeMinutes", UNKNOWN_CHOICE))
        }
        (DoseAction::Taken | DoseAction::Skipped | DoseAction::Undone, Some(_)) => {
            out.push(FieldIssue::new("snoozeMinutes", INVALID))
        }
        _ => {}
    }
    // A scheduled dose goes back to its slot; an as-needed one names the taking it takes back.
    match (event.action, &event.scheduled_at, &event.undoes) {
        (DoseAction::Undone, None, None) => out.push(FieldIssue::new("scheduledAt", REQUIRED)),
        (DoseAction::Undone, None, Some(id)) if !is_event_id(id) => {
            out.push(FieldIssue::new("undoes", INVALID))
        }
        (DoseAction::Undone, None, Some(_)) | (_, _, None) => {}
        (_, _, Some(_)) => out.push(FieldIssue::new("undoes", INVALID)),
    }
    if chars(&event.reason) > MAX_REASON_CHARS {
        out.push(FieldIssue::new("reason", TOO_LONG));
    } else if !event.reason.is_empty() && event.action != DoseAction::Skipped {
        out.push(FieldIssue::new("reason", INVALID));
    }
    out
}

/// Every problem of a batch: its size (field `""`, `too_many`), then each event's, under
/// `[index].field`.
pub fn check_dose_events(events: &[DoseEvent]) -> Vec<FieldIssue> {
    if events.len() > MAX_DOSE_EVENTS_PER_BATCH {
        return vec![FieldIssue::new("", TOO_MANY)];
    }
    events
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            check_dose_event(e)
                .into_iter()
                .map(move |issue| FieldIssue::new(format!("[{i}].{}", issue.field), issue.code))
        })
        .collect()
}

/// The place an IANA zone is named after, as people say it: `America/New_York` is "New York",
/// `America/Argentina/Buenos_Aires` is "Buenos Aires"; a name without a place (`UTC`) as it is.
pub fn zone_place(zone: &str) -> String {
    zone.rsplit('/').next().unwrap_or(zone).replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{AsNeededLimits, TravelPolicy, Weekday};
    use jiff::civil::{date, time};

    fn known(zone: &str) -> bool {
        ["Europe/London", "America/New_York", "UTC"].contains(&zone)
    }

    fn issues(list: Vec<FieldIssue>) -> Vec<(String, &'static str)> {
        list.into_iter().map(|i| (i.field, i.code)).collect()
    }

    fn pairs(list: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        list.iter().map(|(f, c)| (f.to_string(), *c)).collect()
    }

    fn person() -> PersonInput {
        PersonInput {
            name: "Mum".into(),
            colour: "teal".into(),
            zone: "Europe/London".into(),
        }
    }

    fn reminder() -> ReminderInput {
        ReminderInput {
            person_id: "p1".into(),
            medicine: "Metformin".into(),
            strength: "500 mg".into(),
            dose_amount: "1".into(),
            dose_unit: "tablet".into(),
            instructions: "With food".into(),
            schedule: Schedule {
                zone: "Europe/London".into(),
                start: date(2025, 3, 1),
                end: None,
                count: None,
                pattern: Pattern::Daily {
                    times: vec![time(8, 0, 0, 0), time(20, 0, 0, 0)],
                },
                travel: TravelPolicy::KeepLocalTime,
            },
            hide_name_in_calendar: false,
            stock: Some(56),
            refill_at: Some(14),
        }
    }

    fn event() -> DoseEvent {
        DoseEvent {
            id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
            reminder_id: "r1".into(),
            scheduled_at: Some("2025-03-30T07:00:00Z".into()),
            action: DoseAction::Taken,
            at: "2025-03-30T07:05:00+00:00".into(),
            snooze_minutes: None,
            reason: String::new(),
            recorded_at: None,
            undoes: None,
        }
    }

    #[test]
    fn people_are_checked() {
        assert!(check_person(&person(), known).is_empty());
        let bad = PersonInput {
            name: " ".into(),
            colour: "beige".into(),
            zone: "Mars/Olympus".into(),
        };
        assert_eq!(
            issues(check_person(&bad, known)),
            pairs(&[
                ("name", REQUIRED),
                ("colour", UNKNOWN_CHOICE),
                ("zone", UNKNOWN_CHOICE)
            ])
        );
        let mut long = person();
        long.name = "ü".repeat(MAX_PERSON_NAME_CHARS);
        assert!(check_person(&long, known).is_empty());
        long.name.push('x');
        long.colour.clear();
        long.zone.clear();
        assert_eq!(
            issues(check_person(&long, known)),
            pairs(&[("name", TOO_LONG), ("colour", REQUIRED), ("zone", REQUIRED)])
        );
    }

    #[test]
    fn a_zone_is_shown_by_its_place() {
        assert_eq!(zone_place("America/New_York"), "New York");
        assert_eq!(zone_place("America/Argentina/Buenos_Aires"), "Buenos Aires");
        assert_eq!(zone_place("UTC"), "UTC");
    }

    #[test]
    fn zone_names_are_shaped_like_iana_names() {
        for good in [
            "Europe/London",
            "America/Argentina/Buenos_Aires",
            "UTC",
            "Etc/GMT+5",
            "America/Port-au-Prince",
        ] {
            assert!(is_zone_name(good), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../../etc/passwd",
            "Europe//London",
            "Europe/London/",
            "Europe/Lon don",
            "Europe/..",
            &"A".repeat(65),
        ] {
            assert!(!is_zone_name(bad), "{bad}");
        }
        // A known name in a bad shape is still refused: the shape is checked first.
        assert!(zone_issue("zone", "../UTC", &|_| true).is_some());
    }

    #[test]
    fn dose_amounts_are_plain_positive_decimals() {
        for good in ["1", "2.5", "0.25", "9999.99", "10"] {
            assert!(is_dose_amount(good), "{good}");
        }
        for bad in [
            "", "0", "0.0", "00", "-1", "+1", "1,5", ".5", "1.", "1.234", "12345", "1e3", " 1", "½",
        ] {
            assert!(!is_dose_amount(bad), "{bad}");
        }
    }

    #[test]
    fn reminders_are_checked_field_by_field() {
        assert!(check_reminder(&reminder(), known).is_empty());
        let mut bad = reminder();
        bad.person_id = "".into();
        bad.medicine = "m".repeat(MAX_MEDICINE_CHARS + 1);
        bad.strength = "s".repeat(MAX_STRENGTH_CHARS + 1);
        bad.dose_amount = "two".into();
        bad.dose_unit = "spoon".into();
        bad.instructions = "i".repeat(MAX_INSTRUCTIONS_CHARS + 1);
        bad.schedule.zone = "Nowhere/City".into();
        bad.schedule.pattern = Pattern::Daily { times: vec![] };
        bad.stock = None;
        bad.refill_at = Some(MAX_STOCK + 1);
        assert_eq!(
            issues(check_reminder(&bad, known)),
            pairs(&[
                ("personId", REQUIRED),
                ("medicine", TOO_LONG),
                ("strength", TOO_LONG),
                ("doseAmount", INVALID),
                ("doseUnit", UNKNOWN_CHOICE),
                ("instructions", TOO_LONG),
                ("schedule.zone", "unknown_zone"),
                ("schedule.pattern.times", "no_times"),
                ("refillAt", INVALID),
            ])
        );
        let mut empty = reminder();
        empty.medicine = "  ".into();
        empty.dose_amount = "".into();
        empty.dose_unit = "".into();
        empty.stock = Some(MAX_STOCK + 1);
        assert_eq!(
            issues(check_reminder(&empty, known)),
            pairs(&[
                ("medicine", REQUIRED),
                ("doseAmount", REQUIRED),
                ("doseUnit", REQUIRED),
                ("stock", INVALID),
            ])
        );
    }

    #[test]
    fn schedules_need_whole_minutes_a_sane_range_and_few_times() {
        let with = |pattern: Pattern, start: Date, end: Option<Date>| {
            let mut r = reminder();
            r.schedule.pattern = pattern;
            r.schedule.start = start;
            r.schedule.end = end;
            issues(check_reminder(&r, known))
        };
        let start = date(2025, 1, 1);
        assert_eq!(
            with(
                Pattern::Weekly {
                    days: vec![Weekday::Mon],
                    times: vec![time(8, 0, 30, 0), time(8, 0, 30, 0)]
                },
                start,
                None
            ),
            pairs(&[
                ("schedule.pattern.times", "duplicate_time"),
                ("schedule.pattern.times", INVALID)
            ])
        );
        let many: Vec<Time> = (0..25).map(|m| time(8, m, 0, 0)).collect();
        assert_eq!(
            with(Pattern::Daily { times: many }, start, None),
            pairs(&[("schedule.pattern.times", TOO_MANY)])
        );
        assert_eq!(
            with(
                Pattern::EveryNHours {
                    hours: 4,
                    window_start: time(8, 0, 0, 1),
                    window_end: time(22, 0, 0, 0)
                },
                date(1999, 12, 31),
                Some(date(2200, 1, 1))
            ),
            pairs(&[
                ("schedule.start", INVALID),
                ("schedule.end", INVALID),
                ("schedule.pattern.windowStart", INVALID)
            ])
        );
        assert_eq!(
            with(
                Pattern::AsNeeded(AsNeededLimits {
                    max_per_24h: 0,
                    min_gap_minutes: 60
                }),
                start,
                Some(date(2024, 1, 1))
            ),
            pairs(&[
                ("schedule.end", "end_before_start"),
                ("schedule.pattern.maxPer24h", "as_needed_max_zero")
            ])
        );
    }

    #[test]
    fn dose_events_are_checked() {
        assert!(check_dose_event(&event()).is_empty());
        let mut snoozed = event();
        snoozed.action = DoseAction::Snoozed;
        assert_eq!(
            issues(check_dose_event(&snoozed)),
            pairs(&[("snoozeMinutes", REQUIRED)])
        );
        snoozed.snooze_minutes = Some(15);
        assert_eq!(
            issues(check_dose_event(&snoozed)),
            pairs(&[("snoozeMinutes", UNKNOWN_CHOICE)])
        );
        snoozed.snooze_minutes = Some(30);
        snoozed.scheduled_at = None;
        assert!(check_dose_event(&snoozed).is_empty());

        // Undoing: a scheduled dose by its slot, an as-needed one by the taking's id; not both.
        let mut undo = event();
        undo.action = DoseAction::Undone;
        assert!(check_dose_event(&undo).is_empty());
        undo.scheduled_at = None;
        assert_eq!(
            issues(check_dose_event(&undo)),
            pairs(&[("scheduledAt", REQUIRED)])
        );
        undo.undoes = Some(event().id);
        assert!(check_dose_event(&undo).is_empty());
        undo.undoes = Some("the last one".into());
        assert_eq!(
            issues(check_dose_event(&undo)),
            pairs(&[("undoes", INVALID)])
        );
        undo.scheduled_at = event().scheduled_at;
        undo.undoes = Some(event().id);
        assert_eq!(
            issues(check_dose_event(&undo)),
            pairs(&[("undoes", INVALID)])
        );
        let mut taken = event();
        taken.undoes = Some(event().id);
        assert_eq!(
            issues(check_dose_event(&taken)),
            pairs(&[("undoes", INVALID)])
        );

        let mut skipped = event();
        skipped.action = DoseAction::Skipped;
        skipped.reason = "ü".repeat(MAX_REASON_CHARS);
        assert!(check_dose_event(&skipped).is_empty());
        skipped.reason.push('x');
        assert_eq!(
            issues(check_dose_event(&skipped)),
            pairs(&[("reason", TOO_LONG)])
        );

        let bad = DoseEvent {
            id: "not-a-uuid".into(),
            reminder_id: "".into(),
            scheduled_at: Some("tomorrow".into()),
            action: DoseAction::Taken,
            at: "2025-03-30 07:05".into(),
            snooze_minutes: Some(10),
            reason: "forgot".into(),
            recorded_at: None,
            undoes: None,
        };
        assert_eq!(
            issues(check_dose_event(&bad)),
            pairs(&[
                ("id", INVALID),
                ("reminderId", REQUIRED),
                ("scheduledAt", INVALID),
                ("at", INVALID),
                ("snoozeMinutes", INVALID),
                ("reason", INVALID),
            ])
        );
    }

    #[test]
    fn batches_name_the_event_and_have_a_size_limit() {
        let mut second = event();
        second.at = "".into();
        assert_eq!(
            issues(check_dose_events(&[event(), second])),
            pairs(&[("[1].at", REQUIRED)])
        );
        let full = vec![event(); MAX_DOSE_EVENTS_PER_BATCH];
        assert!(check_dose_events(&full).is_empty());
        let over = vec![event(); MAX_DOSE_EVENTS_PER_BATCH + 1];
        assert_eq!(issues(check_dose_events(&over)), pairs(&[("", TOO_MANY)]));
    }

    #[test]
    fn json_is_camel_case() {
        let v = serde_json::to_value(event()).unwrap();
        assert_eq!(v["reminderId"], "r1");
        assert_eq!(v["scheduledAt"], "2025-03-30T07:00:00Z");
        assert_eq!(v["action"], "taken");
        assert_eq!(v["snoozeMinutes"], serde_json::Value::Null);
        let minimal: DoseEvent = serde_json::from_value(serde_json::json!({
            "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
            "reminderId": "r1",
            "scheduledAt": null,
            "action": "skipped",
            "at": "2025-03-30T07:05:00Z"
        }))
        .unwrap();
        assert_eq!(minimal.reason, "");
        let input: ReminderInput = serde_json::from_value(serde_json::json!({
            "personId": "p1",
            "medicine": "Salbutamol",
            "doseAmount": "2",
            "doseUnit": "puff",
            "schedule": {"zone": "UTC", "start": "2025-01-01",
                         "pattern": {"kind": "asNeeded", "maxPer24h": 8, "minGapMinutes": 60}}
        }))
        .unwrap();
        assert!(!input.hide_name_in_calendar);
        assert_eq!((input.stock, input.refill_at), (None, None));
        assert!(check_reminder(&input, known).is_empty());
        for action in DoseAction::ALL {
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                serde_json::Value::String(action.as_str().into())
            );
            assert_eq!(DoseAction::parse(action.as_str()), Some(action));
        }
    }
}
