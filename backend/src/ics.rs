//! iCalendar (RFC 5545) files of a person's reminders: the fallback every phone's calendar honours
//! when the app is closed and push is not available.
//!
//! The schedule engine (`portal_core::schedule::occurrences`) is the one source of truth for dose
//! times; the calendar encodes the same doses in terms calendars understand:
//!
//! - Every time of day is a series of its own (a `VEVENT` with `DTSTART;TZID=<zone>` and an
//!   `RRULE`): daily (`FREQ=DAILY`), every n days (`FREQ=DAILY;INTERVAL=n`), weekdays
//!   (`FREQ=WEEKLY;BYDAY=MO,WE,FR`, starting on the first chosen weekday on or after the start
//!   date, as RFC 5545 wants `DTSTART` to be the first instance), every n hours in a window (one
//!   daily series per clock time of the window: 08:00, 12:00, ...).
//! - A cycle (21 days on, 7 off) is one series per dose day of the cycle and time, each
//!   `FREQ=DAILY;INTERVAL=<on + off>` from its day: RFC 5545 has no "n on, m off", and this
//!   needs no exception list that would have to go on forever.
//! - The end date is `UNTIL` (the last second of that date in the zone, in UTC as RFC 5545
//!   requires with a `TZID`); a dose count is split into a `COUNT` per series (doses go day by
//!   day, time by time); with both, whichever ends the schedule first.
//! - Where a calendar would differ from the engine, it is corrected with `EXDATE` and `RDATE`
//!   (in UTC), from a year before now to [`HORIZON_YEARS`] ahead (the feed is fetched again and
//!   again, so the window moves along): RFC 5545 drops a time that falls in the hour skipped when
//!   clocks spring forward (and does not count it for `COUNT`), where the engine moves the dose to
//!   the end of the gap; and "every n hours" with exact intervals keeps elapsed time on a day the
//!   clocks change. A skipped time is also excluded in its RFC 5545 reading (the offset before the
//!   gap), so calendars that move such times instead of dropping them show the dose once, at the
//!   engine's time, too.
//!
//! Each `TZID` has a `VTIMEZONE` generated from the zone's transitions from the first start year
//! to [`HORIZON_YEARS`] ahead (or the last dose, if later): a transition that repeats yearly on
//! the same rule (month, weekday on or after a day, wall time) is one `STANDARD`/`DAYLIGHT`
//! component with a yearly `RRULE` (open-ended for the rule in force at the end of the scanned
//! years, with `UNTIL` for rules that ended); any other transition is an `RDATE`. Beyond the
//! scanned years a zone whose changes follow no yearly rule keeps its last offset.
//!
//! Lines end in CRLF and are folded at 75 octets without splitting a character; text is escaped.

use jiff::{
    civil::{Date, DateTime, Time},
    tz::{AmbiguousOffset, Offset, TimeZone},
    SignedDuration, Span, Timestamp,
};
use portal_core::{
    language::{fill, Language},
    reminders::Reminder,
    schedule::{self, Pattern, Schedule, Weekday},
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::push::medicine_text;
use crate::words::{words, Words};

pub const CONTENT_TYPE: &str = "text/calendar; charset=utf-8";
pub const PRODID: &str = "-//Patient Portal//Medicine reminders//EN";
/// How far ahead corrections are computed and zone rules are scanned.
pub const HORIZON_YEARS: i16 = 10;
/// How far back corrections are computed: past doses are history, not reminders.
const PAST_DAYS: i64 = 400;
/// Length of a reminder's calendar entry. Entries are `TRANSP:TRANSPARENT`, so they never make
/// the person look busy.
const EVENT_DURATION: &str = "PT15M";
const UID_DOMAIN: &str = "patient-portal";

/// The whole file for `name`'s `reminders`, at `now` (`DTSTAMP`, and the correction window),
/// with its words in `language`.
pub fn calendar(name: &str, reminders: &[Reminder], now: Timestamp, language: Language) -> String {
    let words = words(language);
    let mut events = Vec::new();
    // Zone name -> (zone, first year, last year of doses).
    let mut zones: BTreeMap<String, (TimeZone, i16, i16)> = BTreeMap::new();
    let now_year = now.to_zoned(TimeZone::UTC).year();
    for reminder in reminders {
        let s = &reminder.schedule;
        let tz = match jiff::tz::db().get(&s.zone) {
            Ok(tz) => tz,
            Err(e) => {
                // Checked when saved; a zone can still vanish from a later database.
                tracing::error!(reminder = %reminder.id, zone = %s.zone, error = %e,
                    "reminder left out of a calendar: unknown time zone");
                continue;
            }
        };
        let mut series = series_of(s, &tz);
        if series.is_empty() {
            continue;
        }
        let extras = correct(&mut series, s, &tz, now);
        let last = last_dose_date(s)
            .or(s.end)
            .map_or(s.start.year(), |d| d.year());
        let entry = zones
            .entry(s.zone.clone())
            .or_insert_with(|| (tz.clone(), s.start.year(), last));
        entry.1 = entry.1.min(s.start.year());
        entry.2 = entry.2.max(last);
        events.push((reminder, series, extras));
    }

    let mut w = Writer::default();
    w.line("BEGIN:VCALENDAR");
    w.line("VERSION:2.0");
    w.prop("PRODID", PRODID);
    w.line("CALSCALE:GREGORIAN");
    w.line("METHOD:PUBLISH");
    w.text(
        "X-WR-CALNAME",
        &fill(words.text("calendar_file_title"), &[("name", name)]),
    );
    // Subscribed calendars check back this often, so changes reach the phone the same day.
    w.line("REFRESH-INTERVAL;VALUE=DURATION:PT1H");
    w.line("X-PUBLISHED-TTL:PT1H");
    for (zone, (tz, first, last)) in &zones {
        // Scanned at least to the horizon, so the rule in force then is known for sure (a
        // yearly rule needs about seven years to pin down its day), and left open after it.
        let last = (*last).max(now_year.saturating_add(HORIZON_YEARS));
        vtimezone(&mut w, zone, tz, *first, last);
    }
    let stamp = utc(now);
    for (reminder, series, extras) in &events {
        for one in series {
            vevent(&mut w, words, reminder, &stamp, one);
        }
        for (n, at) in extras.iter().enumerate() {
            let one = Series {
                slot: format!("x{}n{n}", at.as_second()),
                time: Time::midnight(),
                first: DateTime::default(),
                recur: None,
                limit: Limit::Open,
                exdates: BTreeSet::new(),
                rdates: BTreeSet::new(),
                utc_start: Some(*at),
            };
            vevent(&mut w, words, reminder, &stamp, &one);
        }
    }
    w.line("END:VCALENDAR");
    w.out
}

/// How a series repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Recur {
    /// Every `n` days.
    Daily(i64),
    /// On these days, every week.
    Weekly(Vec<Weekday>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Open,
    /// Inclusive, as RFC 5545 reads it.
    Until(Timestamp),
    Count(u64),
}

/// One `VEVENT`: one time of day of one reminder (of one cycle day, for cycles).
#[derive(Debug, Clone)]
struct Series {
    /// Part of the `UID`: stable while the schedule keeps this time (and cycle day).
    slot: String,
    time: Time,
    /// The first instance: the first dose date of the series at `time`.
    first: DateTime,
    recur: Option<Recur>,
    limit: Limit,
    /// Wall times excluded (`EXDATE;TZID=`).
    exdates: BTreeSet<DateTime>,
    /// Instants added (`RDATE`, UTC).
    rdates: BTreeSet<Timestamp>,
    /// A single dose at this instant instead of a series (a correction no series could take).
    utc_start: Option<Timestamp>,
}

fn add_days(d: Date, n: i64) -> Option<Date> {
    d.checked_add(Span::new().try_days(n).ok()?).ok()
}

fn days_between(from: Date, to: Date) -> i64 {
    to.since(from).map_or(0, |s| i64::from(s.get_days()))
}

/// The clock times of a pattern, sorted, without repeats; for "every n hours", the times of its
/// window stepped on the clock (the engine's exact-interval doses differ only on clock-change
/// days, which the corrections take care of).
fn clock_times(pattern: &Pattern) -> Vec<Time> {
    let mut times = match pattern {
        Pattern::Daily { times }
        | Pattern::Weekly { times, .. }
        | Pattern::EveryNDays { times, .. }
        | Pattern::Cycle { times, .. } => times.clone(),
        Pattern::EveryNHours {
            hours,
            window_start,
            window_end,
        } => {
            let mut out = Vec::new();
            let mut t = *window_start;
            if *hours > 0 {
                let step = SignedDuration::from_hours(i64::from(*hours));
                while t <= *window_end {
                    out.push(t);
                    match t.checked_add(step) {
                        Ok(next) if next > t => t = next,
                        _ => break,
                    }
                }
            }
            out
        }
        Pattern::AsNeeded(_) => Vec::new(),
    };
    times.sort_unstable();
    times.dedup();
    times
}

/// The weekday offsets (0..7) from `start` that are dose days of a weekly pattern.
fn weekly_offsets(start: Date, days: &[Weekday]) -> Vec<i64> {
    (0..7)
        .filter(|d| add_days(start, *d).is_some_and(|date| days.contains(&Weekday::of(date))))
        .collect()
}

/// The date of the last dose a count allows (`None` without a count, or beyond the calendar).
fn last_dose_date(s: &Schedule) -> Option<Date> {
    let count = u64::from(s.count?);
    let per_day = clock_times(&s.pattern).len() as u64;
    if per_day == 0 || count == 0 {
        return None;
    }
    let last = i64::try_from((count - 1) / per_day).ok()?;
    let date = match &s.pattern {
        Pattern::Daily { .. } | Pattern::EveryNHours { .. } => add_days(s.start, last),
        Pattern::EveryNDays { n, .. } => add_days(s.start, last.checked_mul(i64::from(*n))?),
        Pattern::Weekly { days, .. } => {
            let offsets = weekly_offsets(s.start, days);
            let per_week = offsets.len() as i64;
            let offset = offsets.get(usize::try_from(last % per_week.max(1)).ok()?)?;
            add_days(s.start, (last / per_week).checked_mul(7)? + offset)
        }
        Pattern::Cycle {
            days_on, days_off, ..
        } => {
            let on = i64::from(*days_on).max(1);
            let period = on + i64::from(*days_off);
            add_days(s.start, (last / on).checked_mul(period)? + last % on)
        }
        Pattern::AsNeeded(_) => None,
    }?;
    // With an end date as well, whichever comes first ends the schedule.
    Some(s.end.map_or(date, |end| end.min(date)))
}

/// The last instant of `end` in `tz`: `UNTIL` for an end date.
fn end_instant(end: Date, tz: &TimeZone) -> Option<Timestamp> {
    let next = end.tomorrow().ok()?.to_zoned(tz.clone()).ok()?;
    next.timestamp()
        .checked_sub(SignedDuration::from_secs(1))
        .ok()
}

/// `ceil((n - offset) / stride)`, or 0 when `offset` is past `n`.
fn share(n: u64, offset: u64, stride: u64) -> u64 {
    if n <= offset || stride == 0 {
        0
    } else {
        (n - offset).div_ceil(stride)
    }
}

/// The series a schedule is written as, before corrections.
fn series_of(s: &Schedule, tz: &TimeZone) -> Vec<Series> {
    let times = clock_times(&s.pattern);
    let k = times.len() as u64;
    if k == 0 || s.count == Some(0) || s.end.is_some_and(|end| end < s.start) {
        return Vec::new();
    }
    // (first date, repetition, cycle day for the slot name, stride in dose days).
    let groups: Vec<(Date, Recur, Option<i64>, u64)> = match &s.pattern {
        Pattern::Daily { .. } | Pattern::EveryNHours { .. } => {
            vec![(s.start, Recur::Daily(1), None, 1)]
        }
        Pattern::EveryNDays { n, .. } if *n > 0 => {
            vec![(s.start, Recur::Daily(i64::from(*n)), None, 1)]
        }
        Pattern::Weekly { days, .. } => {
            let mut days = days.clone();
            days.sort_unstable();
            days.dedup();
            match weekly_offsets(s.start, &days)
                .first()
                .and_then(|d| add_days(s.start, *d))
            {
                Some(first) if !days.is_empty() => vec![(first, Recur::Weekly(days), None, 1)],
                _ => Vec::new(),
            }
        }
        Pattern::Cycle {
            days_on, days_off, ..
        } if *days_on > 0 => {
            let on = i64::from(*days_on);
            let period = on + i64::from(*days_off);
            (0..on)
                .filter_map(|j| add_days(s.start, j).map(|d| (d, j)))
                .map(|(d, j)| (d, Recur::Daily(period), Some(j), on as u64))
                .collect()
        }
        _ => Vec::new(),
    };
    // With both an end date and a count, the one that ends the schedule first is used.
    let by_count = match (s.count, s.end) {
        (Some(_), None) => true,
        (Some(_), Some(end)) => {
            let mut counted = s.clone();
            counted.end = None;
            last_dose_date(&counted).is_some_and(|last| last <= end)
        }
        _ => false,
    };
    let until = s.end.and_then(|end| end_instant(end, tz));
    let mut out = Vec::new();
    for (cycle_index, (first, recur, cycle_day, stride)) in groups.into_iter().enumerate() {
        if s.end.is_some_and(|end| first > end) {
            continue;
        }
        for (i, time) in times.iter().enumerate() {
            let limit = if by_count {
                let offset = cycle_index as u64 * k + i as u64;
                match share(u64::from(s.count.unwrap_or(0)), offset, stride * k) {
                    0 => continue,
                    n => Limit::Count(n),
                }
            } else {
                until.map_or(Limit::Open, Limit::Until)
            };
            let hhmm = format!("t{:02}{:02}", time.hour(), time.minute());
            out.push(Series {
                slot: match cycle_day {
                    Some(j) => format!("d{j:03}{hhmm}"),
                    None => hhmm,
                },
                time: *time,
                first: first.to_datetime(*time),
                recur: Some(recur.clone()),
                limit,
                exdates: BTreeSet::new(),
                rdates: BTreeSet::new(),
                utc_start: None,
            });
        }
    }
    out
}

impl Series {
    /// Whether `date` is one of the series' dates (ignoring its limit).
    fn has_date(&self, date: Date) -> bool {
        let first = self.first.date();
        if date < first {
            return false;
        }
        match &self.recur {
            Some(Recur::Daily(n)) => days_between(first, date) % n.max(&1) == 0,
            Some(Recur::Weekly(days)) => days.contains(&Weekday::of(date)),
            None => date == first,
        }
    }

    /// The next date of the series after `date`.
    fn next_date(&self, date: Date) -> Option<Date> {
        match &self.recur {
            Some(Recur::Daily(n)) => add_days(date, *n),
            Some(Recur::Weekly(days)) => (1..=7)
                .filter_map(|d| add_days(date, d))
                .find(|d| days.contains(&Weekday::of(*d))),
            None => None,
        }
    }

    /// The first date of the series on or after `date`.
    fn date_from(&self, date: Date) -> Option<Date> {
        let first = self.first.date();
        if date <= first {
            return Some(first);
        }
        match &self.recur {
            Some(Recur::Daily(n)) => {
                let n = (*n).max(1);
                let steps = (days_between(first, date) + n - 1) / n;
                add_days(first, steps.checked_mul(n)?)
            }
            Some(Recur::Weekly(_)) => (0..7)
                .filter_map(|d| add_days(date, d))
                .find(|d| self.has_date(*d)),
            None => None,
        }
    }
}

/// How RFC 5545 reads a wall time: one instant (the first of two when the clock repeats it), or
/// none when the clock skips it.
fn rfc_instant(tz: &TimeZone, dt: DateTime) -> Option<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { .. } => None,
    }
}

/// A series' instances as RFC 5545 expands it, within `[from, until)`.
struct Nominal {
    /// Instances that exist, with their wall times.
    kept: Vec<(Timestamp, DateTime)>,
    /// Wall times the clock skips (dropped by RFC 5545), with the instant a calendar that moves
    /// them instead reads them as (the offset before the gap).
    skipped: Vec<(DateTime, Timestamp)>,
}

fn expand(series: &Series, tz: &TimeZone, from: Timestamp, until: Timestamp) -> Nominal {
    let mut out = Nominal {
        kept: Vec::new(),
        skipped: Vec::new(),
    };
    let margin = Span::new().days(2);
    let lo = tz.to_datetime(from).date().checked_sub(margin).ok();
    let hi = tz.to_datetime(until).date().checked_add(margin).ok();
    // A count counts from the first instance, so only then must the walk start there.
    let mut date = match (series.limit, lo) {
        (Limit::Count(_), _) | (_, None) => Some(series.first.date()),
        (_, Some(lo)) => series.date_from(lo),
    };
    let mut counted = 0u64;
    while let Some(d) = date {
        if hi.is_some_and(|hi| d > hi) {
            break;
        }
        let dt = d.to_datetime(series.time);
        match rfc_instant(tz, dt) {
            Some(at) => {
                match series.limit {
                    Limit::Until(u) if at > u => break,
                    Limit::Count(n) if counted >= n => break,
                    _ => {}
                }
                counted += 1;
                if from <= at && at < until {
                    out.kept.push((at, dt));
                }
            }
            None => {
                let Ok(read_as) = tz.to_ambiguous_timestamp(dt).compatible() else {
                    break;
                };
                if matches!(series.limit, Limit::Until(u) if read_as > u) {
                    break;
                }
                if from <= read_as && read_as < until {
                    out.skipped.push((dt, read_as));
                }
            }
        }
        date = series.next_date(d);
    }
    out
}

/// Makes the series give the engine's doses within the correction window: `EXDATE` for what
/// RFC 5545 would give and the engine does not, `RDATE` for the reverse. Returns the doses no
/// series could take (an `RDATE` at an instant a series already has would merge with it).
fn correct(series: &mut [Series], s: &Schedule, tz: &TimeZone, now: Timestamp) -> Vec<Timestamp> {
    let past = now
        .checked_sub(SignedDuration::from_hours(24 * PAST_DAYS))
        .unwrap_or(now);
    let Some(start) = s.start.to_zoned(tz.clone()).ok().map(|z| z.timestamp()) else {
        return Vec::new();
    };
    let ahead = now
        .to_zoned(TimeZone::UTC)
        .checked_add(Span::new().years(HORIZON_YEARS))
        .map_or(Timestamp::MAX, |z| z.timestamp());
    let end = s
        .end
        .and_then(|end| end_instant(end, tz))
        .and_then(|u| u.checked_add(SignedDuration::from_secs(1)).ok())
        .unwrap_or(Timestamp::MAX);
    let from = start.max(past);
    let until = ahead.min(end);
    if from >= until {
        return Vec::new();
    }

    let mut engine = Vec::new();
    let mut chunk = from;
    while chunk < until {
        let next = chunk
            .checked_add(SignedDuration::from_hours(24 * 366))
            .unwrap_or(Timestamp::MAX)
            .min(until);
        engine.extend(schedule::occurrences(s, tz, chunk, next));
        chunk = next;
    }

    // Instants each series already gives or excludes: an RDATE there would be lost.
    let mut occupied: Vec<HashSet<Timestamp>> = vec![HashSet::new(); series.len()];
    let mut pool: HashMap<Timestamp, Vec<(usize, DateTime)>> = HashMap::new();
    for (v, one) in series.iter_mut().enumerate() {
        let nominal = expand(one, tz, from, until);
        for (at, dt) in nominal.kept {
            occupied[v].insert(at);
            pool.entry(at).or_default().push((v, dt));
        }
        for (dt, read_as) in nominal.skipped {
            one.exdates.insert(dt);
            occupied[v].insert(read_as);
        }
    }
    let mut missing = Vec::new();
    for o in engine {
        match pool.get_mut(&o.at).and_then(Vec::pop) {
            Some(_) => {}
            None => missing.push(o),
        }
    }
    for (v, dt) in pool.into_values().flatten() {
        if let Some(one) = series.get_mut(v) {
            one.exdates.insert(dt);
        }
    }
    let mut extras = Vec::new();
    for o in missing {
        // Its own slot's series first, so the file reads naturally; any other that can take it.
        let own = series
            .iter()
            .position(|one| one.time == o.local.time() && one.has_date(o.local.date()));
        let candidates = own.into_iter().chain(0..series.len());
        match candidates
            .into_iter()
            .find(|v| occupied.get(*v).is_some_and(|set| !set.contains(&o.at)))
        {
            Some(v) => {
                occupied[v].insert(o.at);
                series[v].rdates.insert(o.at);
            }
            None => extras.push(o.at),
        }
    }
    extras
}

/// `YYYYMMDDTHHMMSSZ`.
fn utc(t: Timestamp) -> String {
    t.strftime("%Y%m%dT%H%M%SZ").to_string()
}

/// `YYYYMMDDTHHMMSS`, a wall time.
fn local(dt: DateTime) -> String {
    dt.strftime("%Y%m%dT%H%M%S").to_string()
}

fn byday(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn rrule(recur: &Recur, limit: Limit) -> String {
    let mut rule = match recur {
        Recur::Daily(1) => "FREQ=DAILY".to_owned(),
        Recur::Daily(n) => format!("FREQ=DAILY;INTERVAL={n}"),
        Recur::Weekly(days) => format!(
            "FREQ=WEEKLY;BYDAY={}",
            days.iter().map(|d| byday(*d)).collect::<Vec<_>>().join(",")
        ),
    };
    match limit {
        Limit::Open => {}
        Limit::Until(u) => rule.push_str(&format!(";UNTIL={}", utc(u))),
        Limit::Count(n) => rule.push_str(&format!(";COUNT={n}")),
    }
    rule
}

fn summary(words: &Words, r: &Reminder) -> String {
    if r.hide_name_in_calendar {
        return words.text("calendar_private_title").to_owned();
    }
    medicine_text(r.medicine.trim(), r.strength.trim())
}

fn vevent(w: &mut Writer, words: &Words, r: &Reminder, stamp: &str, one: &Series) {
    let zone = &r.schedule.zone;
    w.line("BEGIN:VEVENT");
    w.prop("UID", &format!("{}.{}@{UID_DOMAIN}", r.id, one.slot));
    w.prop("DTSTAMP", stamp);
    match one.utc_start {
        Some(at) => w.prop("DTSTART", &utc(at)),
        None => w.line(&format!("DTSTART;TZID={zone}:{}", local(one.first))),
    }
    w.prop("DURATION", EVENT_DURATION);
    if let Some(recur) = &one.recur {
        w.prop("RRULE", &rrule(recur, one.limit));
    }
    if !one.exdates.is_empty() {
        let list: Vec<String> = one.exdates.iter().map(|d| local(*d)).collect();
        w.line(&format!("EXDATE;TZID={zone}:{}", list.join(",")));
    }
    if !one.rdates.is_empty() {
        let list: Vec<String> = one.rdates.iter().map(|t| utc(*t)).collect();
        w.prop("RDATE", &list.join(","));
    }
    let title = summary(words, r);
    w.text("SUMMARY", &title);
    if !r.hide_name_in_calendar {
        let dose = words.dose(&r.dose_amount, &r.dose_unit);
        let mut description = fill(words.text("calendar_take"), &[("dose", &dose)]);
        if !r.instructions.trim().is_empty() {
            description.push('\n');
            description.push_str(r.instructions.trim());
        }
        w.text("DESCRIPTION", &description);
    }
    w.line("TRANSP:TRANSPARENT");
    w.prop("SEQUENCE", &r.version.saturating_sub(1).to_string());
    w.line("BEGIN:VALARM");
    w.line("ACTION:DISPLAY");
    w.line("TRIGGER:PT0M");
    w.text("DESCRIPTION", &title);
    w.line("END:VALARM");
    w.line("END:VEVENT");
}

/// `+HHMM`, or `+HHMMSS` when the offset has seconds.
fn offset_text(o: Offset) -> String {
    let total = o.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let n = total.unsigned_abs();
    let (h, m, s) = (n / 3600, n / 60 % 60, n % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

/// A change of offset (or of name or daylight saving) of a zone.
#[derive(Debug, Clone)]
struct Change {
    at: Timestamp,
    /// The wall time of the change on the clock before it, as `VTIMEZONE` wants `DTSTART`.
    onset: DateTime,
    from: Offset,
    to: Offset,
    dst: bool,
    name: String,
}

/// Changes that repeat: same offsets, name, month and wall time, in consecutive years, on the
/// same weekday within a 7-day span (a "last Sunday" rule) or on the same day of the month.
#[derive(Debug)]
struct Run {
    changes: Vec<Change>,
    /// All on one weekday, within 7 days of each other.
    weekday_rule: bool,
    /// All on one day of the month.
    day_rule: bool,
}

impl Run {
    fn new(change: Change) -> Run {
        Run {
            changes: vec![change],
            weekday_rule: true,
            day_rule: true,
        }
    }

    fn days(&self) -> (i8, i8) {
        let days = self.changes.iter().map(|c| c.onset.day());
        (days.clone().min().unwrap_or(1), days.max().unwrap_or(1))
    }

    /// Adds `change` if the run stays yearly and on one rule.
    fn extend(&mut self, change: &Change) -> bool {
        let Some(last) = self.changes.last() else {
            return false;
        };
        if change.onset.year() != last.onset.year() + 1 {
            return false;
        }
        let (lo, hi) = self.days();
        let day = change.onset.day();
        let weekday_rule = self.weekday_rule
            && change.onset.weekday() == last.onset.weekday()
            && hi.max(day) - lo.min(day) <= 6;
        let day_rule = self.day_rule && day == last.onset.day();
        if !(weekday_rule || day_rule) {
            return false;
        }
        self.weekday_rule = weekday_rule;
        self.day_rule = day_rule;
        self.changes.push(change.clone());
        true
    }

    /// The yearly `RRULE` that gives every change of the run (and, open-ended, the rule's
    /// later years).
    fn rule(&self, open: bool) -> Option<String> {
        let first = self.changes.first()?;
        let last = self.changes.last()?;
        let month = first.onset.month();
        let mut rule = format!("FREQ=YEARLY;BYMONTH={month}");
        if self.day_rule && !self.weekday_rule {
            rule.push_str(&format!(";BYMONTHDAY={}", first.onset.day()));
        } else {
            // The weekday on or after day `d`, for some `d` every change agrees with; runs of 7
            // years and more pin it down. Written as tzdata's rules usually are: first to fourth
            // or last weekday of the month when one of those fits, the 7-day span otherwise.
            let (lo, hi) = self.days();
            let fits = |d: i8| hi - 6 <= d && d <= lo;
            let wd = byday(Weekday::of(first.onset.date()));
            let month_days = first.onset.date().days_in_month();
            if let Some(d) = [1i8, 8, 15, 22].into_iter().find(|d| fits(*d)) {
                rule.push_str(&format!(";BYDAY={}{wd}", (d - 1) / 7 + 1));
            } else if month != 2 && fits(month_days - 6) {
                rule.push_str(&format!(";BYDAY=-1{wd}"));
            } else {
                let span: Vec<String> = (lo..=(lo + 6).min(31)).map(|d| d.to_string()).collect();
                rule.push_str(&format!(";BYMONTHDAY={};BYDAY={wd}", span.join(",")));
            }
        }
        if !open {
            // Any bound from the last change to the next year's would-be change gives the same
            // rule; a day after the last one also suits readers that take UNTIL as local time
            // (dateutil's `tzical`, which the Python `icalendar` package uses).
            let until = last
                .at
                .checked_add(SignedDuration::from_hours(24))
                .unwrap_or(last.at);
            rule.push_str(&format!(";UNTIL={}", utc(until)));
        }
        Some(rule)
    }
}

/// The `VTIMEZONE` of `zone` from the year `first` on: its changes up to the year `last`, and
/// the rule in force in `last` (if a yearly one) without end.
fn vtimezone(w: &mut Writer, zone: &str, tz: &TimeZone, first: i16, last: i16) {
    let jan1 = |year: i16| {
        Date::new(year, 1, 1).ok().and_then(|d| {
            Offset::UTC
                .to_timestamp(d.to_datetime(Time::midnight()))
                .ok()
        })
    };
    // Two days' margin: a zone's Jan 1 can be a day away from UTC's.
    let two_days = SignedDuration::from_hours(48);
    let begin = jan1(first)
        .and_then(|t| t.checked_sub(two_days).ok())
        .unwrap_or(Timestamp::MIN);
    let end = jan1(last.saturating_add(1))
        .and_then(|t| t.checked_add(two_days).ok())
        .unwrap_or(Timestamp::MAX);

    let info = tz.to_offset_info(begin);
    let mut changes = Vec::new();
    let mut before = info.offset();
    for t in tz.following(begin) {
        if t.timestamp() > end {
            break;
        }
        // DAYLIGHT or STANDARD as the tz data says, negative savings included (Irish winter
        // time, Moroccan Ramadan time): they keep the standard offset (offset less saving) the
        // same across a change, which readers such as Python's `fromutc` rely on.
        changes.push(Change {
            at: t.timestamp(),
            onset: before.to_datetime(t.timestamp()),
            from: before,
            to: t.offset(),
            dst: t.dst().is_dst(),
            name: t.abbreviation().to_owned(),
        });
        before = t.offset();
    }
    let initial = Change {
        at: begin,
        onset: info.offset().to_datetime(begin),
        from: info.offset(),
        to: info.offset(),
        dst: info.dst().is_dst(),
        name: info.abbreviation().to_owned(),
    };

    type Key = (bool, i32, i32, String, i8, Time);
    let key = |c: &Change| -> Key {
        (
            c.dst,
            c.from.seconds(),
            c.to.seconds(),
            c.name.clone(),
            c.onset.month(),
            c.onset.time(),
        )
    };
    let mut open_runs: HashMap<Key, Run> = HashMap::new();
    let mut runs: Vec<Run> = Vec::new();
    for change in changes {
        let k = key(&change);
        let extended = open_runs.get_mut(&k).is_some_and(|run| run.extend(&change));
        if !extended {
            if let Some(done) = open_runs.insert(k, Run::new(change)) {
                runs.push(done);
            }
        }
    }
    runs.extend(open_runs.into_values());
    runs.sort_by_key(|r| r.changes.first().map(|c| c.at));

    w.line("BEGIN:VTIMEZONE");
    w.prop("TZID", zone);
    observance(w, &initial, None, &[]);
    // Changes that do not repeat, by offsets and name: one component with RDATEs each.
    let mut singles: BTreeMap<(bool, i32, i32, String), Vec<Change>> = BTreeMap::new();
    for run in runs {
        let reaches_end = run.changes.last().is_some_and(|c| c.onset.year() >= last);
        match (run.changes.len(), run.changes.first()) {
            (n, Some(first)) if n >= 2 => {
                observance(w, first, run.rule(reaches_end).as_deref(), &[]);
            }
            _ => {
                for c in run.changes {
                    singles
                        .entry((c.dst, c.from.seconds(), c.to.seconds(), c.name.clone()))
                        .or_default()
                        .push(c);
                }
            }
        }
    }
    for mut list in singles.into_values() {
        list.sort_by_key(|c| c.at);
        if let Some((first, rest)) = list.split_first() {
            observance(w, first, None, rest);
        }
    }
    w.line("END:VTIMEZONE");
}

fn observance(w: &mut Writer, c: &Change, rule: Option<&str>, rdates: &[Change]) {
    let kind = if c.dst { "DAYLIGHT" } else { "STANDARD" };
    w.line(&format!("BEGIN:{kind}"));
    w.prop("DTSTART", &local(c.onset));
    w.prop("TZOFFSETFROM", &offset_text(c.from));
    w.prop("TZOFFSETTO", &offset_text(c.to));
    if let Some(rule) = rule {
        w.prop("RRULE", rule);
    }
    if !rdates.is_empty() {
        let list: Vec<String> = rdates.iter().map(|r| local(r.onset)).collect();
        w.prop("RDATE", &list.join(","));
    }
    if !c.name.is_empty() {
        w.text("TZNAME", &c.name);
    }
    w.line(&format!("END:{kind}"));
}

/// Content lines, CRLF-terminated and folded at 75 octets (RFC 5545 section 3.1).
#[derive(Default)]
struct Writer {
    out: String,
}

const MAX_LINE_OCTETS: usize = 75;

impl Writer {
    fn line(&mut self, content: &str) {
        let mut octets = 0;
        for ch in content.chars() {
            let n = ch.len_utf8();
            if octets + n > MAX_LINE_OCTETS {
                self.out.push_str("\r\n ");
                octets = 1;
            }
            self.out.push(ch);
            octets += n;
        }
        self.out.push_str("\r\n");
    }

    fn prop(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{value}"));
    }

    fn text(&mut self, name: &str, value: &str) {
        self.line(&format!("{name}:{}", escape_text(value)));
    }
}

/// A TEXT value (RFC 5545 section 3.3.11): backslash, semicolon and comma escaped, line breaks
/// as `\n`, other control characters left out.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use portal_core::language::Language::En;
    use portal_core::schedule::TravelPolicy;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn reminder(zone: &str, start: Date, pattern: Pattern) -> Reminder {
        Reminder {
            id: "r1".into(),
            person_id: "p1".into(),
            medicine: "Metformin".into(),
            strength: "500 mg".into(),
            dose_amount: "2".into(),
            dose_unit: "tablet".into(),
            instructions: "With food, not before bed; really".into(),
            schedule: Schedule {
                zone: zone.into(),
                start,
                end: None,
                count: None,
                pattern,
                travel: TravelPolicy::KeepLocalTime,
            },
            hide_name_in_calendar: false,
            stock: None,
            refill_at: None,
            version: 3,
            updated_at: "2026-01-01T00:00:00Z".into(),
            created_at: String::new(),
        }
    }

    fn daily(times: &[(i8, i8)]) -> Pattern {
        Pattern::Daily {
            times: times.iter().map(|(h, m)| time(*h, *m, 0, 0)).collect(),
        }
    }

    /// The unfolded content lines.
    fn lines(ics: &str) -> Vec<String> {
        ics.replace("\r\n ", "")
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn block<'a>(lines: &'a [String], begin: &str) -> Vec<Vec<&'a String>> {
        let mut out = Vec::new();
        let mut current: Option<Vec<&String>> = None;
        for l in lines {
            if l == &format!("BEGIN:{begin}") {
                current = Some(Vec::new());
            } else if l == &format!("END:{begin}") {
                out.extend(current.take());
            } else if let Some(c) = current.as_mut() {
                c.push(l);
            }
        }
        out
    }

    #[test]
    fn lines_are_crlf_and_folded_at_75_octets_without_splitting_characters() {
        let mut w = Writer::default();
        let long = format!("SUMMARY:{}", "ü".repeat(60));
        w.line(&long);
        w.line("SHORT:x");
        assert!(w.out.ends_with("\r\nSHORT:x\r\n"));
        for physical in w.out.split("\r\n") {
            assert!(physical.len() <= 75, "{physical:?} has {}", physical.len());
        }
        assert!(!w.out.replace("\r\n", "").contains('\n'));
        assert_eq!(w.out.replace("\r\n ", ""), format!("{long}\r\nSHORT:x\r\n"));
        let mut exact = Writer::default();
        exact.line(&"x".repeat(75));
        assert_eq!(exact.out, format!("{}\r\n", "x".repeat(75)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape_text("a\\b;c,d\r\ne\nf\u{7}g"),
            "a\\\\b\\;c\\,d\\ne\\nfg"
        );
    }

    #[test]
    fn offsets_are_written_with_seconds_only_when_needed() {
        let o = |s| offset_text(Offset::from_seconds(s).unwrap());
        assert_eq!(o(3600), "+0100");
        assert_eq!(o(-5 * 3600), "-0500");
        assert_eq!(o(0), "+0000");
        assert_eq!(o(5 * 3600 + 45 * 60), "+0545");
        assert_eq!(o(-(3600 + 15 * 60 + 30)), "-011530");
    }

    #[test]
    fn london_gets_yearly_rules_for_both_changes() {
        let r = reminder("Europe/London", date(2026, 1, 10), daily(&[(8, 0)]));
        let ics = calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En);
        let l = lines(&ics);
        let zones = block(&l, "VTIMEZONE");
        assert_eq!(zones.len(), 1);
        let z = zones[0]
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(z.contains("TZID:Europe/London"), "{z}");
        assert!(
            z.contains("DTSTART:20260329T010000\nTZOFFSETFROM:+0000\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\nTZNAME:BST"),
            "{z}"
        );
        assert!(
            z.contains("DTSTART:20261025T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\nTZNAME:GMT"),
            "{z}"
        );
        assert!(!z.contains("UNTIL"), "open-ended rules: {z}");
    }

    #[test]
    fn new_york_rules_and_a_zone_without_changes() {
        let ny = reminder("America/New_York", date(2026, 1, 10), daily(&[(8, 0)]));
        let mut tokyo = reminder("Asia/Tokyo", date(2026, 1, 10), daily(&[(8, 0)]));
        tokyo.id = "r2".into();
        let l = lines(&calendar(
            "Mum",
            &[ny, tokyo],
            ts("2026-01-01T00:00:00Z"),
            En,
        ));
        let joined = l.join("\n");
        assert!(
            joined.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU"),
            "{joined}"
        );
        assert!(
            joined.contains("RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU"),
            "{joined}"
        );
        let zones = block(&l, "VTIMEZONE");
        assert_eq!(zones.len(), 2);
        let tokyo = zones
            .iter()
            .find(|z| z.iter().any(|l| *l == "TZID:Asia/Tokyo"))
            .unwrap();
        assert_eq!(
            tokyo.iter().filter(|l| l.starts_with("BEGIN:")).count(),
            1,
            "{tokyo:?}"
        );
        assert!(tokyo.iter().any(|l| *l == "TZOFFSETTO:+0900"));
    }

    #[test]
    fn zone_rules_go_on_after_a_schedule_ends_and_ended_rules_have_until() {
        let mut r = reminder("Europe/Berlin", date(2026, 1, 10), daily(&[(8, 0)]));
        r.schedule.end = Some(date(2026, 6, 30));
        let l = lines(&calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En));
        let joined = l.join("\n");
        assert!(
            joined.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"),
            "{joined}"
        );
        assert!(
            joined.contains("RRULE:FREQ=DAILY;UNTIL=20260630T215959Z"),
            "{joined}"
        );

        // Moscow kept summer time from 2011 to 2014: those years' rule ends, then no changes.
        let mut r = reminder("Europe/Moscow", date(2005, 1, 10), daily(&[(8, 0)]));
        r.schedule.end = Some(date(2005, 1, 31));
        let l = lines(&calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En));
        let joined = l.join("\n");
        assert!(
            joined.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;UNTIL=20100328T230000Z"),
            "{joined}"
        );
        assert!(
            joined.contains("RDATE:") || joined.contains("DTSTART:20141026T020000"),
            "{joined}"
        );
    }

    #[test]
    fn a_daily_reminder_is_one_series_per_time_with_an_alarm() {
        let r = reminder("Europe/London", date(2026, 3, 1), daily(&[(20, 0), (8, 0)]));
        let ics = calendar("Mum, Dad; & co", &[r], ts("2026-01-01T00:00:00Z"), En);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        let l = lines(&ics);
        assert!(l.contains(&"X-WR-CALNAME:Medicines: Mum\\, Dad\\; & co".to_owned()));
        let events = block(&l, "VEVENT");
        assert_eq!(events.len(), 2);
        let first = events[0].iter().map(|s| s.as_str()).collect::<Vec<_>>();
        assert!(first.contains(&"UID:r1.t0800@patient-portal"), "{first:?}");
        assert!(first.contains(&"DTSTART;TZID=Europe/London:20260301T080000"));
        assert!(first.contains(&"RRULE:FREQ=DAILY"));
        assert!(first.contains(&"SUMMARY:Metformin 500 mg"));
        assert!(
            first.contains(&"DESCRIPTION:Take 2 tablets.\\nWith food\\, not before bed\\; really")
        );
        assert!(first.contains(&"ACTION:DISPLAY"));
        assert!(first.contains(&"TRIGGER:PT0M"));
        assert!(first.contains(&"SEQUENCE:2"));
        assert!(!first
            .iter()
            .any(|l| l.starts_with("EXDATE") || l.starts_with("RDATE")));
        assert!(events[1]
            .iter()
            .any(|l| *l == "UID:r1.t2000@patient-portal"));
    }

    #[test]
    fn hidden_names_leave_out_medicine_dose_and_instructions() {
        let mut r = reminder("Europe/London", date(2026, 3, 1), daily(&[(8, 0)]));
        r.hide_name_in_calendar = true;
        let ics = calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En);
        assert!(!ics.contains("Metformin"));
        assert!(!ics.contains("500 mg"));
        assert!(!ics.contains("tablet"));
        assert!(!ics.contains("With food"));
        let l = lines(&ics);
        assert!(l.contains(&"SUMMARY:Medicine reminder".to_owned()));
        assert!(l.contains(&"DESCRIPTION:Medicine reminder".to_owned()));
    }

    #[test]
    fn weekly_cycles_and_as_needed() {
        let weekly = Pattern::Weekly {
            days: vec![Weekday::Fri, Weekday::Mon, Weekday::Wed, Weekday::Mon],
            times: vec![time(9, 0, 0, 0)],
        };
        // 2026-03-03 is a Tuesday: the series starts on Wednesday the 4th.
        let r = reminder("America/New_York", date(2026, 3, 3), weekly);
        let l = lines(&calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En));
        assert!(l.contains(&"DTSTART;TZID=America/New_York:20260304T090000".to_owned()));
        assert!(l.contains(&"RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR".to_owned()));

        let cycle = Pattern::Cycle {
            days_on: 21,
            days_off: 7,
            times: vec![time(8, 0, 0, 0)],
        };
        let r = reminder("Europe/Paris", date(2026, 3, 1), cycle);
        let l = lines(&calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En));
        let events = block(&l, "VEVENT");
        assert_eq!(events.len(), 21);
        assert!(l.contains(&"UID:r1.d020t0800@patient-portal".to_owned()));
        assert!(l.contains(&"DTSTART;TZID=Europe/Paris:20260321T080000".to_owned()));
        assert_eq!(
            l.iter()
                .filter(|l| *l == "RRULE:FREQ=DAILY;INTERVAL=28")
                .count(),
            21
        );

        let as_needed = Pattern::AsNeeded(portal_core::schedule::AsNeededLimits {
            max_per_24h: 4,
            min_gap_minutes: 240,
        });
        let r = reminder("Europe/Paris", date(2026, 3, 1), as_needed);
        let ics = calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En);
        assert!(!ics.contains("BEGIN:VEVENT"));
        assert!(!ics.contains("BEGIN:VTIMEZONE"));
    }

    #[test]
    fn counts_are_shared_out_day_by_day_and_time_by_time() {
        let mut r = reminder("Europe/London", date(2026, 5, 1), daily(&[(8, 0), (20, 0)]));
        r.schedule.count = Some(5);
        let l = lines(&calendar(
            "Mum",
            &[r.clone()],
            ts("2026-01-01T00:00:00Z"),
            En,
        ));
        let rules: Vec<&String> = l
            .iter()
            .filter(|l| l.starts_with("RRULE:FREQ=DAILY"))
            .collect();
        assert_eq!(
            rules,
            ["RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=DAILY;COUNT=2"]
        );

        // With an end date that comes first, the end date is used; with a later one, the count.
        r.schedule.end = Some(date(2026, 5, 2));
        let l = lines(&calendar(
            "Mum",
            &[r.clone()],
            ts("2026-01-01T00:00:00Z"),
            En,
        ));
        assert!(
            l.iter()
                .any(|l| l == "RRULE:FREQ=DAILY;UNTIL=20260502T225959Z"),
            "{l:?}"
        );
        r.schedule.end = Some(date(2026, 5, 3));
        let l = lines(&calendar(
            "Mum",
            &[r.clone()],
            ts("2026-01-01T00:00:00Z"),
            En,
        ));
        assert!(l.iter().any(|l| l == "RRULE:FREQ=DAILY;COUNT=3"), "{l:?}");

        // A cycle's count: 21 on / 7 off, once a day, 25 doses: days 0..20 once, then 0..3 again.
        let mut c = reminder(
            "Europe/London",
            date(2026, 5, 1),
            Pattern::Cycle {
                days_on: 21,
                days_off: 7,
                times: vec![time(8, 0, 0, 0)],
            },
        );
        c.schedule.count = Some(25);
        let l = lines(&calendar("Mum", &[c], ts("2026-01-01T00:00:00Z"), En));
        let counts: Vec<&String> = l
            .iter()
            .filter(|l| l.starts_with("RRULE:FREQ=DAILY"))
            .collect();
        assert_eq!(counts.len(), 21);
        assert_eq!(counts.iter().filter(|l| l.ends_with("COUNT=2")).count(), 4);
        assert_eq!(counts.iter().filter(|l| l.ends_with("COUNT=1")).count(), 17);
    }

    #[test]
    fn a_skipped_time_is_moved_like_the_engine_moves_it() {
        // 02:30 does not exist in New York on 8 March 2026: the engine gives 03:00 EDT (07:00Z).
        let r = reminder("America/New_York", date(2026, 3, 1), daily(&[(2, 30)]));
        let l = lines(&calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En));
        assert!(l.contains(&"EXDATE;TZID=America/New_York:20260308T023000,20270314T023000,20280312T023000,20290311T023000,20300310T023000,20310309T023000,20320314T023000,20330313T023000,20340312T023000,20350311T023000".to_owned()), "{l:#?}");
        let rdate = l.iter().find(|l| l.starts_with("RDATE:")).unwrap();
        assert!(
            rdate.starts_with("RDATE:20260308T070000Z,20270314T070000Z,"),
            "{rdate}"
        );
    }

    #[test]
    fn exact_intervals_are_corrected_on_clock_change_days() {
        let mut r = reminder(
            "Europe/London",
            date(2026, 3, 1),
            Pattern::EveryNHours {
                hours: 6,
                window_start: time(0, 30, 0, 0),
                window_end: time(18, 30, 0, 0),
            },
        );
        r.schedule.travel = TravelPolicy::KeepInterval;
        r.schedule.end = Some(date(2026, 3, 31));
        let l = lines(&calendar("Mum", &[r], ts("2026-01-01T00:00:00Z"), En));
        // 29 March: 00:30 GMT, then exactly 6, 12, 18 hours later: 07:30, 13:30, 19:30 BST,
        // where the clock series say 06:30, 12:30 and 18:30 BST.
        let exdates: Vec<&String> = l.iter().filter(|l| l.starts_with("EXDATE")).collect();
        assert_eq!(
            exdates,
            [
                "EXDATE;TZID=Europe/London:20260329T063000",
                "EXDATE;TZID=Europe/London:20260329T123000",
                "EXDATE;TZID=Europe/London:20260329T183000"
            ]
        );
        let rdates: Vec<&String> = l.iter().filter(|l| l.starts_with("RDATE")).collect();
        assert_eq!(
            rdates,
            ["RDATE:20260329T063000Z,20260329T123000Z,20260329T183000Z"]
        );
    }
}
