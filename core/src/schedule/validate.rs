//! What can be wrong with a schedule, found before it is saved. The app checks as the caregiver
//! edits; the backend applies the same rules to what it receives.

use jiff::civil::Time;

use super::model::{window_doses_per_day, AsNeededLimits, Pattern, Schedule, TravelPolicy};

/// The longest `EveryNDays` interval and cycle, in days. Longer ones are almost surely a typo, and
/// a reminder a year apart is not a reminder.
pub const MAX_DAYS_INTERVAL: u16 = 365;
/// The longest `EveryNHours` interval: a day (longer intervals do not repeat at the same clock
/// times each day; use `EveryNDays`).
pub const MAX_HOURS_INTERVAL: u8 = 24;

/// One thing to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScheduleProblem {
    /// The pattern needs at least one time of day.
    NoTimes,
    /// This time appears more than once: it would be one dose, not two.
    DuplicateTime(Time),
    /// A weekly pattern without any weekday.
    NoWeekdays,
    /// The last day is before the first day.
    EndBeforeStart,
    /// Every 0 days or 0 hours.
    ZeroInterval,
    /// More than [`MAX_HOURS_INTERVAL`] hours or [`MAX_DAYS_INTERVAL`] days.
    IntervalTooLong,
    /// The daily window of an hourly pattern ends at or before it starts.
    EmptyWindow,
    /// Exact intervals ([`TravelPolicy::KeepInterval`]) need the day's first and last dose less
    /// than 23 hours apart: the time between a day's last dose and the next day's first is where
    /// a clock change is absorbed, and on a 23-hour day it would vanish (two doses at once). Every
    /// hour from 00:00 to 23:00 is such a window; 00:00 to 22:00 is not.
    WindowTooLong,
    /// No dose days in the cycle, or a cycle longer than [`MAX_DAYS_INTERVAL`] days. `days_off`
    /// is true when the rest days are the ones to change (there are dose days, not too many):
    /// the message then stands by that field.
    ImpossibleCycle { days_off: bool },
    /// "Stop after 0 doses".
    CountZero,
    /// The limits of an as-needed medicine cannot be right.
    AsNeededLimits(AsNeededProblem),
    /// The time zone is missing or the app could not load it.
    UnknownZone,
}

/// Which as-needed limit is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AsNeededProblem {
    /// "At most 0 doses in 24 hours".
    MaxZero,
    /// No time between doses: every label gives one.
    GapZero,
    /// The gap makes the daily maximum impossible to reach, so one of the two was entered wrong:
    /// `max` doses need `(max - 1) x gap` inside 24 hours (4 doses at least 8 hours apart cannot
    /// fit; 4 doses at least 6 hours apart can: 0, 6, 12, 18 h).
    MaxUnreachable,
}

impl ScheduleProblem {
    /// Stable machine code, as problem details report it.
    pub fn code(self) -> &'static str {
        match self {
            ScheduleProblem::NoTimes => "no_times",
            ScheduleProblem::DuplicateTime(_) => "duplicate_time",
            ScheduleProblem::NoWeekdays => "no_weekdays",
            ScheduleProblem::EndBeforeStart => "end_before_start",
            ScheduleProblem::ZeroInterval => "zero_interval",
            ScheduleProblem::IntervalTooLong => "interval_too_long",
            ScheduleProblem::EmptyWindow => "empty_window",
            ScheduleProblem::WindowTooLong => "window_too_long",
            ScheduleProblem::ImpossibleCycle { .. } => "impossible_cycle",
            ScheduleProblem::CountZero => "count_zero",
            ScheduleProblem::AsNeededLimits(AsNeededProblem::MaxZero) => "as_needed_max_zero",
            ScheduleProblem::AsNeededLimits(AsNeededProblem::GapZero) => "as_needed_gap_zero",
            ScheduleProblem::AsNeededLimits(AsNeededProblem::MaxUnreachable) => {
                "as_needed_max_unreachable"
            }
            ScheduleProblem::UnknownZone => "unknown_zone",
        }
    }

    /// The JSON path of the field to fix, for problem details and for the form to point at.
    pub fn field(self) -> &'static str {
        match self {
            ScheduleProblem::NoTimes | ScheduleProblem::DuplicateTime(_) => "pattern.times",
            ScheduleProblem::NoWeekdays => "pattern.days",
            ScheduleProblem::EndBeforeStart => "end",
            ScheduleProblem::ZeroInterval | ScheduleProblem::IntervalTooLong => "pattern",
            ScheduleProblem::EmptyWindow | ScheduleProblem::WindowTooLong => "pattern.windowEnd",
            ScheduleProblem::ImpossibleCycle { days_off: false } => "pattern.daysOn",
            ScheduleProblem::ImpossibleCycle { days_off: true } => "pattern.daysOff",
            ScheduleProblem::CountZero => "count",
            ScheduleProblem::AsNeededLimits(AsNeededProblem::MaxZero) => "pattern.maxPer24h",
            ScheduleProblem::AsNeededLimits(_) => "pattern.minGapMinutes",
            ScheduleProblem::UnknownZone => "zone",
        }
    }
}

/// Every problem in the schedule, in the order of its fields. An empty list means the schedule
/// gives the doses it says. Whether the zone exists is not known here; see [`validate_with_zone`].
pub fn validate(schedule: &Schedule) -> Vec<ScheduleProblem> {
    let mut out = Vec::new();
    if schedule.zone.trim().is_empty() {
        out.push(ScheduleProblem::UnknownZone);
    }
    if schedule.end.is_some_and(|end| end < schedule.start) {
        out.push(ScheduleProblem::EndBeforeStart);
    }
    if schedule.count == Some(0) {
        out.push(ScheduleProblem::CountZero);
    }
    match &schedule.pattern {
        Pattern::Daily { times } => check_times(times, &mut out),
        Pattern::Weekly { days, times } => {
            if days.is_empty() {
                out.push(ScheduleProblem::NoWeekdays);
            }
            check_times(times, &mut out);
        }
        Pattern::EveryNDays { n, times } => {
            if *n == 0 {
                out.push(ScheduleProblem::ZeroInterval);
            } else if *n > MAX_DAYS_INTERVAL {
                out.push(ScheduleProblem::IntervalTooLong);
            }
            check_times(times, &mut out);
        }
        Pattern::Cycle {
            days_on,
            days_off,
            times,
        } => {
            if *days_on == 0 || *days_on > MAX_DAYS_INTERVAL {
                out.push(ScheduleProblem::ImpossibleCycle { days_off: false });
            } else if u32::from(*days_on) + u32::from(*days_off) > u32::from(MAX_DAYS_INTERVAL) {
                out.push(ScheduleProblem::ImpossibleCycle { days_off: true });
            }
            check_times(times, &mut out);
        }
        Pattern::EveryNHours {
            hours,
            window_start,
            window_end,
        } => {
            if *hours == 0 {
                out.push(ScheduleProblem::ZeroInterval);
            } else if *hours > MAX_HOURS_INTERVAL {
                out.push(ScheduleProblem::IntervalTooLong);
            }
            if window_end <= window_start {
                out.push(ScheduleProblem::EmptyWindow);
            } else if schedule.travel == TravelPolicy::KeepInterval
                && window_doses_per_day(*hours, *window_start, *window_end)
                    .is_some_and(|n| (n - 1) * u32::from(*hours) >= 23)
            {
                out.push(ScheduleProblem::WindowTooLong);
            }
        }
        Pattern::AsNeeded(limits) => {
            if let Some(p) = as_needed_problem(limits) {
                out.push(ScheduleProblem::AsNeededLimits(p));
            }
        }
    }
    out
}

/// [`validate()`], plus [`ScheduleProblem::UnknownZone`] when the caller could not load the zone
/// (the app from its TZif files, the backend from its database).
pub fn validate_with_zone(schedule: &Schedule, zone_known: bool) -> Vec<ScheduleProblem> {
    let mut out = validate(schedule);
    if !zone_known && !out.contains(&ScheduleProblem::UnknownZone) {
        out.insert(0, ScheduleProblem::UnknownZone);
    }
    out
}

fn check_times(times: &[Time], out: &mut Vec<ScheduleProblem>) {
    if times.is_empty() {
        out.push(ScheduleProblem::NoTimes);
    }
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    let mut reported: Vec<Time> = Vec::new();
    for pair in sorted.windows(2) {
        if let [a, b] = pair {
            if a == b && !reported.contains(a) {
                reported.push(*a);
                out.push(ScheduleProblem::DuplicateTime(*a));
            }
        }
    }
}

/// The first thing wrong with as-needed limits, most basic first.
pub(crate) fn as_needed_problem(limits: &AsNeededLimits) -> Option<AsNeededProblem> {
    if limits.max_per_24h == 0 {
        Some(AsNeededProblem::MaxZero)
    } else if limits.min_gap_minutes == 0 {
        Some(AsNeededProblem::GapZero)
    } else if (u32::from(limits.max_per_24h) - 1) * u32::from(limits.min_gap_minutes) >= 24 * 60 {
        Some(AsNeededProblem::MaxUnreachable)
    } else {
        None
    }
}

/// The most doses 24 hours can hold with at least `min_gap_minutes` between them (the largest
/// `max_per_24h` that [`as_needed_problem`] accepts with that gap): 3 for 8 hours, 5 for 5 hours.
pub fn most_doses_in_24h(min_gap_minutes: u16) -> u32 {
    (24 * 60_u32).div_ceil(u32::from(min_gap_minutes.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::model::{AsNeededLimits as Limits, Weekday};
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    fn schedule(pattern: Pattern) -> Schedule {
        Schedule {
            zone: "Europe/London".into(),
            start: date(2024, 1, 1),
            end: None,
            count: None,
            pattern,
            travel: TravelPolicy::KeepLocalTime,
        }
    }

    fn t(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    #[test]
    fn a_sound_schedule_has_no_problems() {
        let s = schedule(Pattern::Daily {
            times: vec![t(8, 0), t(20, 0)],
        });
        assert_eq!(validate(&s), vec![]);
        assert_eq!(validate_with_zone(&s, true), vec![]);
        assert_eq!(
            validate_with_zone(&s, false),
            vec![ScheduleProblem::UnknownZone]
        );
    }

    #[test]
    fn each_problem_is_found() {
        use ScheduleProblem::*;
        let cases: Vec<(Pattern, Vec<ScheduleProblem>)> = vec![
            (Pattern::Daily { times: vec![] }, vec![NoTimes]),
            (
                Pattern::Daily {
                    times: vec![t(8, 0), t(9, 0), t(8, 0), t(8, 0)],
                },
                vec![DuplicateTime(t(8, 0))],
            ),
            (
                Pattern::Weekly {
                    days: vec![],
                    times: vec![t(8, 0)],
                },
                vec![NoWeekdays],
            ),
            (
                Pattern::EveryNDays {
                    n: 0,
                    times: vec![t(8, 0)],
                },
                vec![ZeroInterval],
            ),
            (
                Pattern::EveryNDays {
                    n: 366,
                    times: vec![t(8, 0)],
                },
                vec![IntervalTooLong],
            ),
            (
                Pattern::Cycle {
                    days_on: 0,
                    days_off: 7,
                    times: vec![t(8, 0)],
                },
                vec![ImpossibleCycle { days_off: false }],
            ),
            (
                Pattern::Cycle {
                    days_on: 400,
                    days_off: 0,
                    times: vec![t(8, 0)],
                },
                vec![ImpossibleCycle { days_off: false }],
            ),
            (
                Pattern::Cycle {
                    days_on: 300,
                    days_off: 66,
                    times: vec![],
                },
                vec![ImpossibleCycle { days_off: true }, NoTimes],
            ),
            (
                Pattern::EveryNHours {
                    hours: 0,
                    window_start: t(8, 0),
                    window_end: t(8, 0),
                },
                vec![ZeroInterval, EmptyWindow],
            ),
            (
                Pattern::EveryNHours {
                    hours: 25,
                    window_start: t(8, 0),
                    window_end: t(22, 0),
                },
                vec![IntervalTooLong],
            ),
            (
                Pattern::AsNeeded(Limits {
                    max_per_24h: 0,
                    min_gap_minutes: 0,
                }),
                vec![AsNeededLimits(AsNeededProblem::MaxZero)],
            ),
            (
                Pattern::AsNeeded(Limits {
                    max_per_24h: 4,
                    min_gap_minutes: 0,
                }),
                vec![AsNeededLimits(AsNeededProblem::GapZero)],
            ),
            (
                Pattern::AsNeeded(Limits {
                    max_per_24h: 4,
                    min_gap_minutes: 8 * 60,
                }),
                vec![AsNeededLimits(AsNeededProblem::MaxUnreachable)],
            ),
        ];
        for (pattern, expected) in cases {
            assert_eq!(
                validate(&schedule(pattern.clone())),
                expected,
                "{pattern:?}"
            );
        }
    }

    #[test]
    fn dates_count_and_zone_are_checked() {
        let mut s = schedule(Pattern::Weekly {
            days: vec![Weekday::Mon],
            times: vec![t(8, 0)],
        });
        s.end = Some(date(2023, 12, 31));
        s.count = Some(0);
        s.zone = " ".into();
        let problems = validate(&s);
        assert_eq!(
            problems,
            vec![
                ScheduleProblem::UnknownZone,
                ScheduleProblem::EndBeforeStart,
                ScheduleProblem::CountZero
            ]
        );
        assert_eq!(validate_with_zone(&s, false), problems);
        s.end = Some(s.start);
        s.count = Some(1);
        s.zone = "UTC".into();
        assert_eq!(validate(&s), vec![]);
    }

    #[test]
    fn exact_intervals_need_a_night() {
        let hourly = |hours, end: Time, travel| Schedule {
            travel,
            ..schedule(Pattern::EveryNHours {
                hours,
                window_start: t(0, 0),
                window_end: end,
            })
        };
        let keep = TravelPolicy::KeepInterval;
        assert_eq!(
            validate(&hourly(1, t(23, 0), keep)),
            vec![ScheduleProblem::WindowTooLong]
        );
        assert_eq!(
            validate(&hourly(23, t(23, 30), keep)),
            vec![ScheduleProblem::WindowTooLong]
        );
        assert_eq!(validate(&hourly(1, t(22, 59), keep)), vec![]);
        assert_eq!(validate(&hourly(8, t(23, 59), keep)), vec![]);
        assert_eq!(validate(&hourly(2, t(23, 59), keep)), vec![]);
        // On the clock, each day's times are its own.
        assert_eq!(
            validate(&hourly(1, t(23, 0), TravelPolicy::KeepLocalTime)),
            vec![]
        );
    }

    #[test]
    fn usual_label_limits_are_accepted() {
        // "Every 4 to 6 hours, no more than 4 doses in 24 hours"; "12 hours apart, at most 2".
        for (max, gap) in [(4, 6 * 60), (4, 4 * 60), (2, 12 * 60), (3, 9 * 60), (1, 1)] {
            let limits = Limits {
                max_per_24h: max,
                min_gap_minutes: gap,
            };
            assert_eq!(as_needed_problem(&limits), None, "{max} {gap}");
        }
    }

    #[test]
    fn codes_and_fields_are_distinct_and_stable() {
        use ScheduleProblem::*;
        let all = [
            NoTimes,
            DuplicateTime(t(8, 0)),
            NoWeekdays,
            EndBeforeStart,
            ZeroInterval,
            IntervalTooLong,
            EmptyWindow,
            WindowTooLong,
            ImpossibleCycle { days_off: false },
            CountZero,
            AsNeededLimits(AsNeededProblem::MaxZero),
            AsNeededLimits(AsNeededProblem::GapZero),
            AsNeededLimits(AsNeededProblem::MaxUnreachable),
            UnknownZone,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|p| p.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert_eq!(EmptyWindow.code(), "empty_window");
        assert!(all.iter().all(|p| !p.field().is_empty()));
        assert_eq!(
            ImpossibleCycle { days_off: true }.code(),
            ImpossibleCycle { days_off: false }.code()
        );
        assert_eq!(
            ImpossibleCycle { days_off: true }.field(),
            "pattern.daysOff"
        );
    }

    #[test]
    fn the_most_doses_that_fit_is_the_limit_the_check_accepts() {
        assert_eq!(most_doses_in_24h(8 * 60), 3);
        assert_eq!(most_doses_in_24h(5 * 60), 5);
        assert_eq!(most_doses_in_24h(90), 16);
        assert_eq!(most_doses_in_24h(24 * 60), 1);
        assert_eq!(most_doses_in_24h(0), 1440);
        for gap in 1..=u16::MAX {
            let fit = most_doses_in_24h(gap);
            let problem = |max: u32| {
                u8::try_from(max).ok().and_then(|max_per_24h| {
                    as_needed_problem(&Limits {
                        max_per_24h,
                        min_gap_minutes: gap,
                    })
                })
            };
            if fit <= u32::from(u8::MAX) {
                assert_eq!(problem(fit), None, "{gap}");
            }
            if fit < u32::from(u8::MAX) {
                assert_eq!(
                    problem(fit + 1),
                    Some(AsNeededProblem::MaxUnreachable),
                    "{gap}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn the_reachability_rule_matches_a_simulation(max in 1u8..=30, gap in 1u16..=1_500) {
            // Take doses as early as the gap allows: the max is reachable iff `max` of them fit
            // in one rolling 24 hours (a dose exactly 24 h ago no longer counts).
            let fits = (0..u32::from(max)).map(|k| k * u32::from(gap)).all(|m| m < 24 * 60);
            let limits = Limits { max_per_24h: max, min_gap_minutes: gap };
            prop_assert_eq!(as_needed_problem(&limits).is_none(), fits);
        }
    }
}
