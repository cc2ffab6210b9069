//! FHIR R4 `Timing` (inside `MedicationRequest.dosageInstruction`), for exchange with EHRs.
//!
//! `Timing` has no time zone, no travel behaviour, no cycles and no as-needed limits, so the stored
//! [`Schedule`] stays the source of truth and FHIR is an export and an import:
//!
//! - Exported: `repeat.timeOfDay` (+ `dayOfWeek`), `frequency`/`period`/`periodUnit`,
//!   `boundsPeriod` (dates, `end` inclusive as FHIR reads a date end), `count`.
//! - Not expressible (`None`): cycles (21 on / 7 off); as-needed, which belongs to
//!   `Dosage.asNeededBoolean` with `Dosage.maxDosePerPeriod`, not to `Timing`; and schedules that
//!   [`validate()`] rejects.
//! - `EveryNHours` is "every N hours" (`period` N, `periodUnit` `h`) only when it keeps exact
//!   intervals around the whole day (from 00:00, N dividing 24); otherwise it is exported as the
//!   clock times it gives (`timeOfDay`), which is what a FHIR reader can follow.
//! - On import, "every N hours" becomes `EveryNHours` from 00:00 with
//!   [`TravelPolicy::KeepInterval`], everything else keeps the wall clock
//!   ([`TravelPolicy::KeepLocalTime`]); the zone comes from the caller.
//!
//! Import is strict: a field that changes when doses are due and that this engine cannot honour
//! (`when`, `offset`, `frequencyMax`, `event`, ...) is an error, never silently ignored.

use jiff::civil::{Date, Time};
use serde_json::{json, Map, Value};

use super::model::{window_doses_per_day, window_times, Pattern, Schedule, TravelPolicy, Weekday};
use super::validate::{validate, ScheduleProblem};

/// The window end given to "every N hours" on import: the whole day.
const ALL_DAY_END: Time = Time::constant(23, 59, 59, 0);

/// Why a FHIR `Timing` cannot become a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FhirProblem {
    /// Not a JSON object.
    NotATiming,
    /// No `repeat`: a bare `code` (BID, ...) or `event` list has no times to remind at.
    NoRepeat,
    /// This field (its path) changes the dose times in a way the engine cannot follow.
    Unsupported(String),
    /// This field (its path) has the wrong type or format.
    Invalid(String),
    /// Daily or weekly doses without `timeOfDay`: the times must be chosen, not guessed.
    NoTimeOfDay,
    /// `frequency` says a different number of doses a period than `timeOfDay` (times `dayOfWeek`,
    /// for weeks) gives.
    FrequencyMismatch { frequency: u64, times: usize },
    /// The result would not be a sound schedule.
    InvalidSchedule(Vec<ScheduleProblem>),
}

impl FhirProblem {
    /// Stable machine code, as problem details report it.
    pub fn code(&self) -> &'static str {
        match self {
            FhirProblem::NotATiming => "not_a_timing",
            FhirProblem::NoRepeat => "no_repeat",
            FhirProblem::Unsupported(_) => "unsupported",
            FhirProblem::Invalid(_) => "invalid",
            FhirProblem::NoTimeOfDay => "no_time_of_day",
            FhirProblem::FrequencyMismatch { .. } => "frequency_mismatch",
            FhirProblem::InvalidSchedule(_) => "invalid_schedule",
        }
    }
}

/// The schedule as a FHIR R4 `Timing`, or `None` when FHIR cannot say it (see the module docs).
pub fn to_fhir_timing(schedule: &Schedule) -> Option<Value> {
    if validate(schedule)
        .iter()
        .any(|p| *p != ScheduleProblem::UnknownZone)
    {
        return None;
    }
    let mut repeat = Map::new();
    let mut bounds = Map::new();
    bounds.insert("start".into(), schedule.start.to_string().into());
    if let Some(end) = schedule.end {
        bounds.insert("end".into(), end.to_string().into());
    }
    repeat.insert("boundsPeriod".into(), bounds.into());
    if let Some(count) = schedule.count {
        repeat.insert("count".into(), count.into());
    }
    match &schedule.pattern {
        Pattern::Daily { times } => clock_times(&mut repeat, times, 1),
        Pattern::Weekly { days, times } => {
            clock_times(&mut repeat, times, 1);
            let mut days = days.clone();
            days.sort_unstable();
            days.dedup();
            let codes: Vec<Value> = days.iter().map(|d| d.code().into()).collect();
            repeat.insert("dayOfWeek".into(), codes.into());
        }
        Pattern::EveryNDays { n, times } => clock_times(&mut repeat, times, u32::from(*n)),
        Pattern::EveryNHours {
            hours,
            window_start,
            window_end,
        } => {
            let per_day = window_doses_per_day(*hours, *window_start, *window_end)?;
            let whole_day = schedule.travel == TravelPolicy::KeepInterval
                && *window_start == Time::midnight()
                && 24 % u32::from(*hours) == 0
                && per_day == 24 / u32::from(*hours);
            if whole_day {
                repeat.insert("frequency".into(), 1.into());
                repeat.insert("period".into(), (*hours).into());
                repeat.insert("periodUnit".into(), "h".into());
            } else {
                clock_times(
                    &mut repeat,
                    &window_times(*hours, *window_start, *window_end),
                    1,
                );
            }
        }
        Pattern::Cycle { .. } | Pattern::AsNeeded(_) => return None,
    }
    Some(json!({ "repeat": repeat }))
}

fn clock_times(repeat: &mut Map<String, Value>, times: &[Time], period_days: u32) {
    let mut times = times.to_vec();
    times.sort_unstable();
    times.dedup();
    repeat.insert("frequency".into(), times.len().into());
    repeat.insert("period".into(), period_days.into());
    repeat.insert("periodUnit".into(), "d".into());
    let times: Vec<Value> = times.iter().map(|t| t.to_string().into()).collect();
    repeat.insert("timeOfDay".into(), times.into());
}

/// A schedule in `zone` from a FHIR R4 `Timing`. `start` is used when `boundsPeriod.start` is
/// absent (the date the prescription was written, say). The caller still checks that the zone
/// loads ([`super::validate_with_zone`]).
pub fn from_fhir_timing(timing: &Value, zone: &str, start: Date) -> Result<Schedule, FhirProblem> {
    let timing = timing.as_object().ok_or(FhirProblem::NotATiming)?;
    for key in timing.keys() {
        match key.as_str() {
            // `code` (BID, TID, ...) restates `repeat` when both are present.
            "repeat" | "code" | "id" | "extension" => {}
            other => return Err(FhirProblem::Unsupported(other.to_owned())),
        }
    }
    let repeat = match timing.get("repeat") {
        None | Some(Value::Null) => return Err(FhirProblem::NoRepeat),
        Some(r) => r
            .as_object()
            .ok_or_else(|| FhirProblem::Invalid("repeat".into()))?,
    };
    for key in repeat.keys() {
        match key.as_str() {
            "boundsPeriod" | "count" | "frequency" | "period" | "periodUnit" | "dayOfWeek"
            | "timeOfDay" | "id" | "extension" => {}
            // How long one administration lasts (an infusion) does not move when it starts.
            "duration" | "durationMax" | "durationUnit" => {}
            other => return Err(FhirProblem::Unsupported(format!("repeat.{other}"))),
        }
    }

    let (start, end) = bounds(repeat.get("boundsPeriod"), start)?;
    let count = match repeat.get("count") {
        None => None,
        Some(v) => Some(
            positive_int(v)
                .and_then(|c| u32::try_from(c).ok())
                .ok_or_else(|| FhirProblem::Invalid("repeat.count".into()))?,
        ),
    };
    let frequency = match repeat.get("frequency") {
        None => None,
        Some(v) => {
            Some(positive_int(v).ok_or_else(|| FhirProblem::Invalid("repeat.frequency".into()))?)
        }
    };
    let period = match repeat.get("period") {
        None => None,
        Some(v) => Some(whole_period(v)?),
    };
    let unit = match repeat.get("periodUnit") {
        None => None,
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| FhirProblem::Invalid("repeat.periodUnit".into()))?,
        ),
    };
    let times = match repeat.get("timeOfDay") {
        None => None,
        Some(v) => Some(times_of_day(v)?),
    };
    let days = match repeat.get("dayOfWeek") {
        None => None,
        Some(v) => Some(days_of_week(v)?),
    };

    let mut travel = TravelPolicy::KeepLocalTime;
    let pattern = match (unit, period) {
        (Some("h"), period) => {
            if times.is_some() {
                return Err(FhirProblem::Unsupported("repeat.timeOfDay".into()));
            }
            if days.is_some() {
                return Err(FhirProblem::Unsupported("repeat.dayOfWeek".into()));
            }
            if frequency.is_some_and(|f| f != 1) {
                return Err(FhirProblem::Unsupported("repeat.frequency".into()));
            }
            // "Every N hours" repeats at the same clock times only when N divides a day.
            let hours = period
                .and_then(|p| u8::try_from(p).ok())
                .filter(|h| (1..=24).contains(h) && 24 % h == 0)
                .ok_or_else(|| FhirProblem::Unsupported("repeat.period".into()))?;
            travel = TravelPolicy::KeepInterval;
            Pattern::EveryNHours {
                hours,
                window_start: Time::midnight(),
                window_end: ALL_DAY_END,
            }
        }
        (Some("d") | None, period) => {
            if unit.is_none() && period.is_some() {
                return Err(FhirProblem::Invalid("repeat.periodUnit".into()));
            }
            let times = clock(times, frequency)?;
            match (days, period.unwrap_or(1)) {
                (Some(days), 1) => Pattern::Weekly { days, times },
                (Some(_), _) => return Err(FhirProblem::Unsupported("repeat.dayOfWeek".into())),
                (None, 1) => Pattern::Daily { times },
                (None, n) => Pattern::EveryNDays {
                    n: u16::try_from(n)
                        .map_err(|_| FhirProblem::Unsupported("repeat.period".into()))?,
                    times,
                },
            }
        }
        (Some("wk"), period) => {
            let weeks = period.unwrap_or(1);
            match days {
                // On these weekdays every week: the frequency then counts doses per week.
                Some(days) if weeks == 1 => {
                    let times = times.ok_or(FhirProblem::NoTimeOfDay)?;
                    let per_week = days.len().saturating_mul(times.len());
                    if let Some(f) =
                        frequency.filter(|f| usize::try_from(*f).ok() != Some(per_week))
                    {
                        return Err(FhirProblem::FrequencyMismatch {
                            frequency: f,
                            times: per_week,
                        });
                    }
                    Pattern::Weekly { days, times }
                }
                Some(_) => return Err(FhirProblem::Unsupported("repeat.dayOfWeek".into())),
                // Once every N weeks, on the start date's weekday, at the times given.
                None => {
                    let times = times.ok_or(FhirProblem::NoTimeOfDay)?;
                    if frequency.is_some_and(|f| usize::try_from(f).ok() != Some(times.len())) {
                        return Err(FhirProblem::Unsupported("repeat.frequency".into()));
                    }
                    let n = weeks
                        .checked_mul(7)
                        .and_then(|d| u16::try_from(d).ok())
                        .ok_or_else(|| FhirProblem::Unsupported("repeat.period".into()))?;
                    Pattern::EveryNDays { n, times }
                }
            }
        }
        (Some(_), _) => return Err(FhirProblem::Unsupported("repeat.periodUnit".into())),
    };

    let schedule = Schedule {
        zone: zone.to_owned(),
        start,
        end,
        count,
        pattern,
        travel,
    };
    let problems: Vec<ScheduleProblem> = validate(&schedule)
        .into_iter()
        .filter(|p| *p != ScheduleProblem::UnknownZone)
        .collect();
    if problems.is_empty() {
        Ok(schedule)
    } else {
        Err(FhirProblem::InvalidSchedule(problems))
    }
}

/// The clock times, which must agree with `frequency` when both are given.
fn clock(times: Option<Vec<Time>>, frequency: Option<u64>) -> Result<Vec<Time>, FhirProblem> {
    let times = times.ok_or(FhirProblem::NoTimeOfDay)?;
    match frequency {
        Some(f) if usize::try_from(f).ok() != Some(times.len()) => {
            Err(FhirProblem::FrequencyMismatch {
                frequency: f,
                times: times.len(),
            })
        }
        _ => Ok(times),
    }
}

/// `boundsPeriod` as dates. A dateTime keeps its own date part: the date the prescriber meant.
fn bounds(
    period: Option<&Value>,
    default_start: Date,
) -> Result<(Date, Option<Date>), FhirProblem> {
    let Some(period) = period else {
        return Ok((default_start, None));
    };
    let period = period
        .as_object()
        .ok_or_else(|| FhirProblem::Invalid("repeat.boundsPeriod".into()))?;
    let date_of = |key: &str| -> Result<Option<Date>, FhirProblem> {
        let bad = || FhirProblem::Invalid(format!("repeat.boundsPeriod.{key}"));
        match period.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                let text = v.as_str().ok_or_else(bad)?;
                let (Some(day), Some(rest)) = (text.get(..10), text.get(10..)) else {
                    return Err(bad());
                };
                if !(rest.is_empty() || rest.starts_with('T')) {
                    return Err(bad());
                }
                day.parse::<Date>().map(Some).map_err(|_| bad())
            }
        }
    };
    let start = date_of("start")?.unwrap_or(default_start);
    let end = date_of("end")?;
    Ok((start, end))
}

fn positive_int(v: &Value) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return (n > 0).then_some(n);
    }
    let f = v.as_f64()?;
    (f >= 1.0 && f.fract() == 0.0 && f <= u32::MAX as f64).then_some(f as u64)
}

/// `period` is a FHIR decimal; only whole numbers have an exact reminder meaning.
fn whole_period(v: &Value) -> Result<u64, FhirProblem> {
    if !v.is_number() {
        return Err(FhirProblem::Invalid("repeat.period".into()));
    }
    positive_int(v).ok_or_else(|| FhirProblem::Unsupported("repeat.period".into()))
}

fn times_of_day(v: &Value) -> Result<Vec<Time>, FhirProblem> {
    let bad = || FhirProblem::Invalid("repeat.timeOfDay".into());
    v.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|t| {
            t.as_str()
                .and_then(|s| s.parse::<Time>().ok())
                .ok_or_else(bad)
        })
        .collect()
}

fn days_of_week(v: &Value) -> Result<Vec<Weekday>, FhirProblem> {
    let bad = || FhirProblem::Invalid("repeat.dayOfWeek".into());
    v.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|d| d.as_str().and_then(Weekday::from_code).ok_or_else(bad))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::engine::occurrences;
    use crate::schedule::model::AsNeededLimits;
    use jiff::civil::{date, time};
    use jiff::Timestamp;
    use proptest::prelude::*;

    fn t(h: i8, m: i8) -> Time {
        time(h, m, 0, 0)
    }

    fn schedule(pattern: Pattern) -> Schedule {
        Schedule {
            zone: "Europe/Paris".into(),
            start: date(2024, 4, 1),
            end: Some(date(2024, 6, 30)),
            count: None,
            pattern,
            travel: TravelPolicy::KeepLocalTime,
        }
    }

    fn from(v: Value) -> Result<Schedule, FhirProblem> {
        from_fhir_timing(&v, "Europe/Paris", date(2024, 4, 1))
    }

    #[test]
    fn twice_daily_exports_as_fhir_does() {
        let s = schedule(Pattern::Daily {
            times: vec![t(20, 0), t(8, 0)],
        });
        assert_eq!(
            to_fhir_timing(&s).unwrap(),
            json!({"repeat": {
                "boundsPeriod": {"start": "2024-04-01", "end": "2024-06-30"},
                "frequency": 2, "period": 1, "periodUnit": "d",
                "timeOfDay": ["08:00:00", "20:00:00"]
            }})
        );
    }

    #[test]
    fn weekly_every_n_days_and_hours_export() {
        let weekly = schedule(Pattern::Weekly {
            days: vec![Weekday::Fri, Weekday::Mon],
            times: vec![t(9, 0)],
        });
        let v = to_fhir_timing(&weekly).unwrap();
        assert_eq!(v["repeat"]["dayOfWeek"], json!(["mon", "fri"]));
        let mut every3 = schedule(Pattern::EveryNDays {
            n: 3,
            times: vec![t(9, 0)],
        });
        every3.count = Some(10);
        let v = to_fhir_timing(&every3).unwrap();
        assert_eq!(
            (v["repeat"]["period"].clone(), v["repeat"]["count"].clone()),
            (json!(3), json!(10))
        );

        let mut q8h = schedule(Pattern::EveryNHours {
            hours: 8,
            window_start: Time::midnight(),
            window_end: t(23, 0),
        });
        q8h.travel = TravelPolicy::KeepInterval;
        let v = to_fhir_timing(&q8h).unwrap();
        assert_eq!(v["repeat"]["period"], json!(8));
        assert_eq!(v["repeat"]["periodUnit"], json!("h"));
        // A waking-hours window is its clock times.
        let mut waking = schedule(Pattern::EveryNHours {
            hours: 4,
            window_start: t(8, 0),
            window_end: t(22, 0),
        });
        waking.travel = TravelPolicy::KeepInterval;
        let v = to_fhir_timing(&waking).unwrap();
        assert_eq!(
            v["repeat"]["timeOfDay"],
            json!(["08:00:00", "12:00:00", "16:00:00", "20:00:00"])
        );
    }

    #[test]
    fn what_fhir_cannot_say_is_none() {
        let cycle = schedule(Pattern::Cycle {
            days_on: 21,
            days_off: 7,
            times: vec![t(8, 0)],
        });
        assert_eq!(to_fhir_timing(&cycle), None);
        let prn = schedule(Pattern::AsNeeded(AsNeededLimits {
            max_per_24h: 4,
            min_gap_minutes: 240,
        }));
        assert_eq!(to_fhir_timing(&prn), None);
        let broken = schedule(Pattern::Daily { times: vec![] });
        assert_eq!(to_fhir_timing(&broken), None);
    }

    #[test]
    fn common_fhir_timings_import() {
        let bid = from(json!({"code": {"text": "BID"}, "repeat": {
            "frequency": 2, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00", "20:00:00"],
            "boundsPeriod": {"start": "2024-05-01T00:00:00+02:00"}
        }}))
        .unwrap();
        assert_eq!(bid.start, date(2024, 5, 1));
        assert_eq!(
            bid.pattern,
            Pattern::Daily {
                times: vec![t(8, 0), t(20, 0)]
            }
        );
        let q6h =
            from(json!({"repeat": {"frequency": 1, "period": 6, "periodUnit": "h", "count": 20}}))
                .unwrap();
        assert_eq!(q6h.travel, TravelPolicy::KeepInterval);
        assert_eq!(q6h.count, Some(20));
        assert!(matches!(q6h.pattern, Pattern::EveryNHours { hours: 6, .. }));
        let mon_wed =
            from(json!({"repeat": {"dayOfWeek": ["mon", "wed"], "timeOfDay": ["07:30:00"]}}))
                .unwrap();
        assert_eq!(
            mon_wed.pattern,
            Pattern::Weekly {
                days: vec![Weekday::Mon, Weekday::Wed],
                times: vec![t(7, 30)]
            }
        );
        let fortnightly = from(json!({"repeat": {"frequency": 1, "period": 2, "periodUnit": "wk", "timeOfDay": ["10:00:00"],
            "boundsPeriod": {"start": "2024-04-01", "end": "2024-12-31"}}}))
        .unwrap();
        assert_eq!(
            fortnightly.pattern,
            Pattern::EveryNDays {
                n: 14,
                times: vec![t(10, 0)]
            }
        );
        assert_eq!(fortnightly.end, Some(date(2024, 12, 31)));
        let weekly_wk = from(json!({"repeat": {"period": 1, "periodUnit": "wk", "dayOfWeek": ["sun"], "timeOfDay": ["10:00:00"]}})).unwrap();
        assert!(matches!(weekly_wk.pattern, Pattern::Weekly { .. }));
        let twice_a_week = json!({"repeat": {"frequency": 2, "period": 1, "periodUnit": "wk",
            "dayOfWeek": ["mon", "thu"], "timeOfDay": ["09:00:00"]}});
        assert!(matches!(
            from(twice_a_week).unwrap().pattern,
            Pattern::Weekly { .. }
        ));
        let mismatch = json!({"repeat": {"frequency": 3, "period": 1, "periodUnit": "wk",
            "dayOfWeek": ["mon", "thu"], "timeOfDay": ["09:00:00"]}});
        assert_eq!(
            from(mismatch),
            Err(FhirProblem::FrequencyMismatch {
                frequency: 3,
                times: 2
            })
        );
    }

    #[test]
    fn what_cannot_be_honoured_is_refused() {
        let cases = [
            (json!([]), FhirProblem::NotATiming),
            (json!({"code": {"text": "BID"}}), FhirProblem::NoRepeat),
            (
                json!({"event": ["2024-01-01"]}),
                FhirProblem::Unsupported("event".into()),
            ),
            (
                json!({"repeat": {"when": ["ACM"]}}),
                FhirProblem::Unsupported("repeat.when".into()),
            ),
            (
                json!({"repeat": {"frequency": 2, "frequencyMax": 3, "period": 1, "periodUnit": "d"}}),
                FhirProblem::Unsupported("repeat.frequencyMax".into()),
            ),
            (
                json!({"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}}),
                FhirProblem::NoTimeOfDay,
            ),
            (
                json!({"repeat": {"frequency": 3, "period": 1, "periodUnit": "d", "timeOfDay": ["08:00:00"]}}),
                FhirProblem::FrequencyMismatch {
                    frequency: 3,
                    times: 1,
                },
            ),
            (
                json!({"repeat": {"period": 5, "periodUnit": "h"}}),
                FhirProblem::Unsupported("repeat.period".into()),
            ),
            (
                json!({"repeat": {"period": 1.5, "periodUnit": "d", "timeOfDay": ["08:00:00"]}}),
                FhirProblem::Unsupported("repeat.period".into()),
            ),
            (
                json!({"repeat": {"period": 1, "periodUnit": "mo", "timeOfDay": ["08:00:00"]}}),
                FhirProblem::Unsupported("repeat.periodUnit".into()),
            ),
            (
                json!({"repeat": {"timeOfDay": ["8 am"]}}),
                FhirProblem::Invalid("repeat.timeOfDay".into()),
            ),
            (
                json!({"repeat": {"timeOfDay": ["08:00:00"], "dayOfWeek": ["monday"]}}),
                FhirProblem::Invalid("repeat.dayOfWeek".into()),
            ),
            (
                json!({"repeat": {"timeOfDay": ["08:00:00"], "count": 0}}),
                FhirProblem::Invalid("repeat.count".into()),
            ),
            (
                json!({"repeat": {"timeOfDay": ["08:00:00"], "boundsPeriod": {"start": "2024"}}}),
                FhirProblem::Invalid("repeat.boundsPeriod.start".into()),
            ),
            (
                json!({"repeat": {"timeOfDay": ["08:00:00"], "boundsPeriod": {"start": "2024-01-01é"}}}),
                FhirProblem::Invalid("repeat.boundsPeriod.start".into()),
            ),
            (
                json!({"repeat": {"timeOfDay": ["08:00:00", "08:00:00"]}}),
                FhirProblem::InvalidSchedule(vec![ScheduleProblem::DuplicateTime(t(8, 0))]),
            ),
            (
                json!({"repeat": {"timeOfDay": ["08:00:00"], "boundsPeriod": {"start": "2024-05-01", "end": "2024-04-01"}}}),
                FhirProblem::InvalidSchedule(vec![ScheduleProblem::EndBeforeStart]),
            ),
        ];
        for (v, expected) in cases {
            assert_eq!(from(v.clone()), Err(expected), "{v}");
        }
        assert_eq!(FhirProblem::NoTimeOfDay.code(), "no_time_of_day");
    }

    fn time_of(minute: u16) -> Time {
        t((minute / 60) as i8, (minute % 60) as i8)
    }

    fn expressible() -> impl Strategy<Value = Schedule> {
        let times = prop::collection::btree_set(0u16..1_440, 1..=4)
            .prop_map(|s| s.into_iter().map(time_of).collect::<Vec<_>>());
        let days = prop::collection::btree_set(0usize..7, 1..=7).prop_map(|s| {
            s.into_iter()
                .filter_map(|i| Weekday::ALL.get(i).copied())
                .collect::<Vec<_>>()
        });
        let pattern = prop_oneof![
            times
                .clone()
                .prop_map(|times| (Pattern::Daily { times }, TravelPolicy::KeepLocalTime)),
            (days, times.clone()).prop_map(|(days, times)| (
                Pattern::Weekly { days, times },
                TravelPolicy::KeepLocalTime
            )),
            (2u16..=365, times).prop_map(|(n, times)| (
                Pattern::EveryNDays { n, times },
                TravelPolicy::KeepLocalTime
            )),
            // Every hour, around the clock, leaves no night for clock changes (see validation).
            prop::sample::select(vec![2u8, 3, 4, 6, 8, 12, 24]).prop_map(|hours| (
                Pattern::EveryNHours {
                    hours,
                    window_start: Time::midnight(),
                    window_end: ALL_DAY_END
                },
                TravelPolicy::KeepInterval
            )),
        ];
        (
            pattern,
            0i64..20_000,
            prop::option::of(0i64..2_000),
            prop::option::of(1u32..1_000),
        )
            .prop_map(|((pattern, travel), start, end, count)| {
                let start = date(2000, 1, 1)
                    .checked_add(jiff::Span::new().days(start))
                    .unwrap();
                Schedule {
                    zone: "America/Chicago".into(),
                    start,
                    end: end.map(|e| start.checked_add(jiff::Span::new().days(e)).unwrap()),
                    count,
                    pattern,
                    travel,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn expressible_schedules_round_trip(s in expressible()) {
            let timing = to_fhir_timing(&s).unwrap();
            let back = from_fhir_timing(&timing, &s.zone, date(1999, 1, 1)).unwrap();
            prop_assert_eq!(back, s);
        }

        #[test]
        fn clock_windows_round_trip_as_the_same_doses(
            hours in 1u8..=12, start in 0u16..720, len in 1u16..719, keep_interval in any::<bool>(),
        ) {
            let mut s = schedule(Pattern::EveryNHours {
                hours,
                window_start: time_of(start),
                window_end: time_of(start + len),
            });
            s.zone = "UTC".into();
            if keep_interval { s.travel = TravelPolicy::KeepInterval; }
            let back = from_fhir_timing(&to_fhir_timing(&s).unwrap(), "UTC", s.start).unwrap();
            let tz = jiff::tz::TimeZone::UTC;
            prop_assert_eq!(
                occurrences(&back, &tz, Timestamp::MIN, Timestamp::MAX),
                occurrences(&s, &tz, Timestamp::MIN, Timestamp::MAX)
            );
        }

        #[test]
        fn any_json_is_answered_without_panic(
            freq in prop::option::of(-2i64..30), period in prop::option::of(-1.0f64..400.0),
            unit in prop::option::of(prop::sample::select(vec!["s", "min", "h", "d", "wk", "mo", "a", ""])),
            tod in prop::option::of(prop::collection::vec("[0-9:.]{0,12}", 0..4)),
            dow in prop::option::of(prop::collection::vec("[a-z]{0,4}", 0..4)),
            start in prop::option::of("[0-9T:+-é]{0,25}"), count in prop::option::of(-1i64..5_000_000_000),
        ) {
            let mut repeat = Map::new();
            if let Some(f) = freq { repeat.insert("frequency".into(), f.into()); }
            if let Some(p) = period { repeat.insert("period".into(), p.into()); }
            if let Some(u) = unit { repeat.insert("periodUnit".into(), u.into()); }
            if let Some(t) = tod { repeat.insert("timeOfDay".into(), t.into()); }
            if let Some(d) = dow { repeat.insert("dayOfWeek".into(), d.into()); }
            if let Some(s) = start { repeat.insert("boundsPeriod".into(), json!({"start": s})); }
            if let Some(c) = count { repeat.insert("count".into(), c.into()); }
            if let Ok(s) = from(json!({"repeat": repeat})) {
                prop_assert!(validate(&s).is_empty());
                prop_assert!(to_fhir_timing(&s).is_some());
            }
        }
    }
}
