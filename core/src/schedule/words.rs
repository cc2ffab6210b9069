//! Schedules in plain words, and what the form shows before a schedule is saved.
//!
//! The app is translated, so the words come from the caller as templates with `{name}`
//! placeholders (one per [`Phrase`]) and weekday names; this module only decides which phrase
//! fits and what goes into it. Times are written on the 24-hour clock ("08:00") in every language.

use jiff::civil::{DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::engine::{next_occurrences, Occurrence};
use super::model::{Pattern, Schedule, Weekday};
use crate::language::fill;

/// The phrases a schedule description is made of; the app maps each to a translated template.
/// The English template and its placeholders are given with each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phrase {
    /// "Every day at {times}"
    Daily,
    /// "{days} at {times}"
    Weekly,
    /// "Every {n} days at {times}"
    EveryNDays,
    /// "{on} days on, {off} days off, at {times}"
    Cycle,
    /// "Every {hours} hours from {from} to {to}"
    EveryNHours,
    /// "Every hour from {from} to {to}": every 1 hour.
    Hourly,
    /// "As needed, at most {max} in 24 hours, {gap} apart"
    AsNeeded,
    /// "{a} and {b}": joins the last two items of a list; earlier ones are joined with ", ".
    ListAnd,
    /// "{n} hours": a gap of whole hours.
    Hours,
    /// "1 hour".
    Hour,
    /// "{n} minutes": a gap under an hour.
    Minutes,
    /// "1 minute".
    Minute,
    /// "{h} h {m} min": any other gap.
    HoursMinutes,
}

/// "08:00"; seconds only when there are some (a reminder's times are whole minutes, but a
/// description must not make two different times look alike).
fn clock(t: Time) -> String {
    if t.second() == 0 && t.subsec_nanosecond() == 0 {
        format!("{:02}:{:02}", t.hour(), t.minute())
    } else {
        format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
    }
}

/// "a", "a and b", "a, b and c", with the translated "and".
fn list(items: &[String], phrase: &dyn Fn(Phrase) -> String) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => fill(
            &phrase(Phrase::ListAnd),
            &[("a", &init.join(", ")), ("b", last)],
        ),
    }
}

/// The times sorted and without repeats, as the engine reads them.
fn times_list(
    times: &[Time],
    phrase: &dyn Fn(Phrase) -> String,
    time: &dyn Fn(Time) -> String,
) -> String {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let texts: Vec<String> = sorted.into_iter().map(time).collect();
    list(&texts, phrase)
}

/// A time between doses: "4 hours", "1 hour", "1 h 30 min", "45 minutes".
pub fn gap_words(minutes: u16, phrase: &dyn Fn(Phrase) -> String) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    if (h, m) == (0, 1) {
        phrase(Phrase::Minute)
    } else if (h, m) == (1, 0) {
        phrase(Phrase::Hour)
    } else if h == 0 {
        fill(&phrase(Phrase::Minutes), &[("n", &m.to_string())])
    } else if m == 0 {
        fill(&phrase(Phrase::Hours), &[("n", &h.to_string())])
    } else {
        fill(
            &phrase(Phrase::HoursMinutes),
            &[("h", &h.to_string()), ("m", &m.to_string())],
        )
    }
}

/// The schedule's pattern in words, from the caller's templates ([`Phrase`]) and weekday names
/// (`weekday` is asked in [`Weekday::ALL`] order, Monday first). Times are sorted and written
/// "08:00"; weekdays are listed Monday first, each once.
pub fn describe(
    pattern: &Pattern,
    phrase: &dyn Fn(Phrase) -> String,
    weekday: &dyn Fn(Weekday) -> String,
) -> String {
    describe_in(pattern, phrase, weekday, &clock)
}

/// [`describe`], with whole-minute times written by `time` (the reader's own clock, "8:00 PM"
/// where that is how clocks read). A time with seconds is still written in full, so two
/// different times never look alike.
pub fn describe_in(
    pattern: &Pattern,
    phrase: &dyn Fn(Phrase) -> String,
    weekday: &dyn Fn(Weekday) -> String,
    time: &dyn Fn(Time) -> String,
) -> String {
    let time = |t: Time| {
        if t.second() == 0 && t.subsec_nanosecond() == 0 {
            time(t)
        } else {
            clock(t)
        }
    };
    match pattern {
        // Every first day is every day, and said so ("Every 1 days" is no English).
        Pattern::Daily { times } | Pattern::EveryNDays { n: 1, times } => fill(
            &phrase(Phrase::Daily),
            &[("times", &times_list(times, phrase, &time))],
        ),
        Pattern::Weekly { days, times } => {
            let names: Vec<String> = Weekday::ALL
                .into_iter()
                .filter(|d| days.contains(d))
                .map(weekday)
                .collect();
            fill(
                &phrase(Phrase::Weekly),
                &[
                    ("days", &list(&names, phrase)),
                    ("times", &times_list(times, phrase, &time)),
                ],
            )
        }
        Pattern::EveryNDays { n, times } => fill(
            &phrase(Phrase::EveryNDays),
            &[
                ("n", &n.to_string()),
                ("times", &times_list(times, phrase, &time)),
            ],
        ),
        Pattern::Cycle {
            days_on,
            days_off,
            times,
        } => fill(
            &phrase(Phrase::Cycle),
            &[
                ("on", &days_on.to_string()),
                ("off", &days_off.to_string()),
                ("times", &times_list(times, phrase, &time)),
            ],
        ),
        Pattern::EveryNHours {
            hours,
            window_start,
            window_end,
        } => fill(
            &phrase(if *hours == 1 {
                Phrase::Hourly
            } else {
                Phrase::EveryNHours
            }),
            &[
                ("hours", &hours.to_string()),
                ("from", &time(*window_start)),
                ("to", &time(*window_end)),
            ],
        ),
        Pattern::AsNeeded(limits) => fill(
            &phrase(Phrase::AsNeeded),
            &[
                ("max", &limits.max_per_24h.to_string()),
                ("gap", &gap_words(limits.min_gap_minutes, phrase)),
            ],
        ),
    }
}

/// What the form shows before saving: the next doses, and the next clock change in the zone with
/// the first doses after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub next: Vec<Occurrence>,
    pub clock_change: Option<ClockChange>,
}

/// The zone's next change of UTC offset, and what it does to the doses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockChange {
    /// The instant the clocks change.
    pub at: Timestamp,
    /// The wall time the clocks show as they change, on the old offset (2026-03-29 01:00 in
    /// London, where they go on to 02:00).
    pub local_before: DateTime,
    /// Offset change in minutes: +60 spring forward, -60 fall back, +30 Lord Howe.
    pub shift_minutes: i32,
    /// Up to 2 doses: the first at or after the change, so the person sees e.g. that 08:00 stays
    /// 08:00, or that a 01:30 dose moves to 02:00 (`Occurrence::shifted`).
    pub doses_after: Vec<Occurrence>,
}

/// How far ahead a clock change is looked for: over a year, so every zone's next one is found.
const CLOCK_CHANGE_HORIZON: SignedDuration = SignedDuration::from_hours(400 * 24);
/// Transitions that change only a zone's abbreviation or DST flag are passed over; this many at
/// most, so zone data cannot keep the search going.
const MAX_TRANSITIONS_LOOKED_AT: usize = 64;
const ONE_NANO: SignedDuration = SignedDuration::from_nanos(1);

/// The zone's first transition after `now`, within 400 days, that changes the UTC offset.
fn next_clock_change(tz: &TimeZone, now: Timestamp) -> Option<(Timestamp, DateTime, i32)> {
    let horizon = now
        .saturating_add(CLOCK_CHANGE_HORIZON)
        .unwrap_or(Timestamp::MAX);
    tz.following(now)
        .take(MAX_TRANSITIONS_LOOKED_AT)
        .take_while(|t| t.timestamp() <= horizon)
        .find_map(|t| {
            let at = t.timestamp();
            let before = tz.to_offset(at.checked_sub(ONE_NANO).ok()?);
            let after = t.offset();
            let shift = after.seconds().checked_sub(before.seconds())? / 60;
            (after != before).then(|| (at, before.to_datetime(at), shift))
        })
}

/// The `n` next doses after `now` (none for as-needed), and the zone's next change of UTC offset
/// within 400 days with the first two doses on or after it. Zones without clock changes
/// (Asia/Kolkata) have none.
pub fn preview(schedule: &Schedule, tz: &TimeZone, now: Timestamp, n: usize) -> Preview {
    let clock_change = next_clock_change(tz, now).map(|(at, local_before, shift_minutes)| {
        let doses_after = match at.checked_sub(ONE_NANO) {
            Ok(just_before) => next_occurrences(schedule, tz, just_before, 2),
            Err(_) => Vec::new(),
        };
        ClockChange {
            at,
            local_before,
            shift_minutes,
            doses_after,
        }
    });
    Preview {
        next: next_occurrences(schedule, tz, now, n),
        clock_change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::engine::Shift;
    use crate::schedule::model::{AsNeededLimits, TravelPolicy};
    use jiff::civil::{date, time, Date};
    use proptest::prelude::*;

    fn english(p: Phrase) -> String {
        match p {
            Phrase::Daily => "Every day at {times}",
            Phrase::Weekly => "{days} at {times}",
            Phrase::EveryNDays => "Every {n} days at {times}",
            Phrase::Cycle => "{on} days on, {off} days off, at {times}",
            Phrase::EveryNHours => "Every {hours} hours from {from} to {to}",
            Phrase::Hourly => "Every hour from {from} to {to}",
            Phrase::AsNeeded => "As needed, at most {max} in 24 hours, {gap} apart",
            Phrase::ListAnd => "{a} and {b}",
            Phrase::Hours => "{n} hours",
            Phrase::Hour => "1 hour",
            Phrase::Minutes => "{n} minutes",
            Phrase::Minute => "1 minute",
            Phrase::HoursMinutes => "{h} h {m} min",
        }
        .into()
    }

    fn short(d: Weekday) -> String {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d.index()].into()
    }

    fn say(pattern: Pattern) -> String {
        describe(&pattern, &english, &short)
    }

    fn t(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    #[test]
    fn times_can_be_written_on_the_readers_clock() {
        let twelve = |t: Time| {
            let h = match t.hour() % 12 {
                0 => 12,
                h => h,
            };
            let half = if t.hour() < 12 { "AM" } else { "PM" };
            format!("{h}:{:02} {half}", t.minute())
        };
        let daily = Pattern::Daily {
            times: vec![t(20, 0), t(8, 0)],
        };
        assert_eq!(
            describe_in(&daily, &english, &short, &twelve),
            "Every day at 8:00 AM and 8:00 PM"
        );
        // Seconds are never hidden by a clock that does not show them.
        let odd = Pattern::Daily {
            times: vec![time(8, 0, 30, 0), t(8, 0)],
        };
        assert_eq!(
            describe_in(&odd, &english, &short, &twelve),
            "Every day at 8:00 AM and 08:00:30"
        );
    }

    fn as_needed(max: u8, gap: u16) -> Pattern {
        Pattern::AsNeeded(AsNeededLimits {
            max_per_24h: max,
            min_gap_minutes: gap,
        })
    }

    #[test]
    fn patterns_in_english() {
        assert_eq!(
            say(Pattern::Daily {
                times: vec![t(20, 0), t(8, 0)]
            }),
            "Every day at 08:00 and 20:00"
        );
        assert_eq!(
            say(Pattern::Daily {
                times: vec![t(8, 0), t(14, 0), t(20, 0), t(8, 0)]
            }),
            "Every day at 08:00, 14:00 and 20:00"
        );
        assert_eq!(
            say(Pattern::Weekly {
                days: vec![Weekday::Fri, Weekday::Mon, Weekday::Wed, Weekday::Mon],
                times: vec![t(9, 0)]
            }),
            "Mon, Wed and Fri at 09:00"
        );
        assert_eq!(
            say(Pattern::EveryNHours {
                hours: 8,
                window_start: t(6, 0),
                window_end: t(22, 0)
            }),
            "Every 8 hours from 06:00 to 22:00"
        );
        assert_eq!(
            say(Pattern::Cycle {
                days_on: 21,
                days_off: 7,
                times: vec![t(9, 0)]
            }),
            "21 days on, 7 days off, at 09:00"
        );
        assert_eq!(
            say(Pattern::EveryNDays {
                n: 3,
                times: vec![t(7, 30)]
            }),
            "Every 3 days at 07:30"
        );
        assert_eq!(
            say(Pattern::EveryNDays {
                n: 1,
                times: vec![t(7, 30)]
            }),
            "Every day at 07:30"
        );
        assert_eq!(
            say(as_needed(4, 240)),
            "As needed, at most 4 in 24 hours, 4 hours apart"
        );
        assert_eq!(
            say(as_needed(2, 90)),
            "As needed, at most 2 in 24 hours, 1 h 30 min apart"
        );
        assert_eq!(
            say(as_needed(6, 45)),
            "As needed, at most 6 in 24 hours, 45 minutes apart"
        );
        // One of a unit is said in the singular, and "every 1 hours" as "every hour".
        assert_eq!(
            say(as_needed(8, 60)),
            "As needed, at most 8 in 24 hours, 1 hour apart"
        );
        assert_eq!(
            say(as_needed(30, 1)),
            "As needed, at most 30 in 24 hours, 1 minute apart"
        );
        assert_eq!(
            say(Pattern::EveryNHours {
                hours: 1,
                window_start: t(9, 0),
                window_end: t(12, 0)
            }),
            "Every hour from 09:00 to 12:00"
        );
        // Nothing to list is an empty list, not a panic.
        assert_eq!(say(Pattern::Daily { times: vec![] }), "Every day at ");
        assert_eq!(
            say(Pattern::Daily {
                times: vec![time(8, 0, 30, 0)]
            }),
            "Every day at 08:00:30"
        );
    }

    #[test]
    fn placeholders_are_filled_once_and_unknown_ones_stay() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{x} {a", &[("a", "1")]), "{x} {a");
        assert_eq!(fill("{}{{a}}", &[("a", "1")]), "{}{1}");
        assert_eq!(fill("ü{a}ü", &[("a", "é")]), "üéü");
        // German puts the times first, and weekday names come from the caller.
        let german = |p: Phrase| match p {
            Phrase::Weekly => "{days} um {times}".to_string(),
            Phrase::ListAnd => "{a} und {b}".to_string(),
            other => english(other),
        };
        let pattern = Pattern::Weekly {
            days: vec![Weekday::Sat, Weekday::Sun],
            times: vec![t(9, 0), t(21, 0)],
        };
        assert_eq!(
            describe(&pattern, &german, &|d| format!("{}.", &short(d)[..2])),
            "Sa. und Su. um 09:00 und 21:00"
        );
    }

    fn zone(name: &str) -> TimeZone {
        jiff::tz::db().get(name).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
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

    #[test]
    fn london_in_march_shows_the_spring_change_and_eight_stays_eight() {
        let tz = zone("Europe/London");
        let s = daily("Europe/London", date(2026, 1, 1), &[t(8, 0)]);
        let p = preview(&s, &tz, ts("2026-03-20T12:00:00Z"), 3);
        let next: Vec<Timestamp> = p.next.iter().map(|o| o.at).collect();
        assert_eq!(
            next,
            [
                ts("2026-03-21T08:00:00Z"),
                ts("2026-03-22T08:00:00Z"),
                ts("2026-03-23T08:00:00Z")
            ]
        );
        let change = p.clock_change.unwrap();
        assert_eq!(change.at, ts("2026-03-29T01:00:00Z"));
        assert_eq!(change.local_before, date(2026, 3, 29).at(1, 0, 0, 0));
        assert_eq!(change.shift_minutes, 60);
        assert_eq!(change.doses_after.len(), 2);
        for (o, day) in change.doses_after.iter().zip([29, 30]) {
            assert_eq!(o.local, date(2026, 3, day).at(8, 0, 0, 0));
            assert_eq!(tz.to_datetime(o.at), o.local);
            assert_eq!(o.shifted, None);
        }
        assert_eq!(change.doses_after[0].at, ts("2026-03-29T07:00:00Z"));

        let autumn = preview(&s, &tz, ts("2026-10-01T00:00:00Z"), 1)
            .clock_change
            .unwrap();
        assert_eq!(autumn.at, ts("2026-10-25T01:00:00Z"));
        assert_eq!(autumn.local_before, date(2026, 10, 25).at(2, 0, 0, 0));
        assert_eq!(autumn.shift_minutes, -60);
    }

    #[test]
    fn new_york_0230_moves_out_of_the_gap() {
        let tz = zone("America/New_York");
        let s = daily("America/New_York", date(2026, 1, 1), &[t(2, 30)]);
        // Midnight on the day of the change.
        let p = preview(&s, &tz, ts("2026-03-08T05:00:00Z"), 2);
        let change = p.clock_change.unwrap();
        assert_eq!(change.at, ts("2026-03-08T07:00:00Z"));
        assert_eq!(change.shift_minutes, 60);
        let first = change.doses_after[0];
        assert_eq!(first.at, change.at);
        assert_eq!(
            first.shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(2026, 3, 8).at(2, 30, 0, 0),
                moved_to: date(2026, 3, 8).at(3, 0, 0, 0),
            })
        );
        assert_eq!(p.next[0], first);
    }

    #[test]
    fn zones_without_clock_changes_have_none() {
        let s = daily("Asia/Kolkata", date(2026, 1, 1), &[t(8, 0)]);
        for name in ["Asia/Kolkata", "UTC"] {
            let p = preview(&s, &zone(name), ts("2026-03-20T12:00:00Z"), 2);
            assert_eq!(p.clock_change, None, "{name}");
            assert_eq!(p.next.len(), 2);
        }
    }

    #[test]
    fn lord_howe_moves_half_an_hour_each_way() {
        let tz = zone("Australia/Lord_Howe");
        let s = daily("Australia/Lord_Howe", date(2026, 1, 1), &[t(2, 15)]);
        // Summer: clocks go back from 02:00 to 01:30 on the first Sunday of April.
        let back = preview(&s, &tz, ts("2026-01-15T00:00:00Z"), 1)
            .clock_change
            .unwrap();
        assert_eq!(back.shift_minutes, -30);
        assert_eq!(back.local_before, date(2026, 4, 5).at(2, 0, 0, 0));
        // Winter: forward from 02:00 to 02:30 on the first Sunday of October, so 02:15 moves.
        let forward = preview(&s, &tz, ts("2026-07-01T00:00:00Z"), 1)
            .clock_change
            .unwrap();
        assert_eq!(forward.shift_minutes, 30);
        assert_eq!(forward.local_before, date(2026, 10, 4).at(2, 0, 0, 0));
        assert_eq!(
            forward.doses_after[0].shifted,
            Some(Shift::SpringForwardGap {
                scheduled: date(2026, 10, 4).at(2, 15, 0, 0),
                moved_to: date(2026, 10, 4).at(2, 30, 0, 0),
            })
        );
    }

    #[test]
    fn as_needed_and_finished_schedules_still_show_the_clock_change() {
        let tz = zone("Europe/London");
        let mut s = daily("Europe/London", date(2026, 1, 1), &[t(8, 0)]);
        s.pattern = as_needed(4, 240);
        let p = preview(&s, &tz, ts("2026-03-20T12:00:00Z"), 5);
        assert!(p.next.is_empty());
        let change = p.clock_change.unwrap();
        assert_eq!(change.shift_minutes, 60);
        assert!(change.doses_after.is_empty());

        s.pattern = Pattern::Daily {
            times: vec![t(8, 0)],
        };
        s.end = Some(date(2026, 3, 22));
        let p = preview(&s, &tz, ts("2026-03-20T12:00:00Z"), 5);
        assert_eq!(p.next.len(), 2);
        assert!(p.clock_change.unwrap().doses_after.is_empty());
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let tz = zone("Europe/London");
        let s = daily("Europe/London", date(2026, 1, 1), &[t(8, 0)]);
        for now in [Timestamp::MIN, Timestamp::MAX] {
            let _ = preview(&s, &tz, now, 3);
        }
        assert!(preview(&s, &tz, ts("2026-03-20T12:00:00Z"), 0)
            .next
            .is_empty());
    }

    proptest! {
        #[test]
        fn any_template_or_pattern_is_described_without_panicking(
            template in prop_oneof!["[{}a-z ]{0,12}", any::<String>()],
            n in any::<u16>(),
            hours in any::<u8>(),
            mins in prop::collection::vec(0i16..1_440, 0..6),
        ) {
            let times: Vec<Time> = mins.iter().map(|m| t((m / 60) as i8, (m % 60) as i8)).collect();
            let odd = |_: Phrase| template.clone();
            for pattern in [
                Pattern::Daily { times: times.clone() },
                Pattern::Weekly { days: Weekday::ALL.to_vec(), times: times.clone() },
                Pattern::Cycle { days_on: n, days_off: n, times: times.clone() },
                Pattern::EveryNHours { hours, window_start: t(0, 0), window_end: t(23, 59) },
                as_needed(hours, n),
            ] {
                let _ = describe(&pattern, &odd, &short);
                let _ = describe(&pattern, &english, &|_| template.clone());
            }
        }
    }
}
