//! The stored shape of a reminder schedule: the JSON the app saves and the backend keeps. FHIR
//! `Timing` cannot carry a time zone, cycles or travel behaviour, so this is the source of truth and
//! FHIR is an export (see [`super::fhir`]).

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

/// One medicine's reminder schedule for one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    /// The IANA zone the person set the schedule up in ("home"), e.g. `Europe/London`. Wall-clock
    /// times in [`Pattern`] are read in this zone unless the travel policy says otherwise.
    pub zone: String,
    /// The first day doses are due; cycles and "every N days" count from here.
    #[serde(deserialize_with = "wire::date")]
    pub start: Date,
    /// The last day doses are due (inclusive), as a prescription's end date is read.
    #[serde(default, deserialize_with = "wire::optional_date")]
    pub end: Option<Date>,
    /// Stop after this many doses, counted from `start` (a 28-tablet pack), whatever window is asked.
    #[serde(default)]
    pub count: Option<u32>,
    pub pattern: Pattern,
    #[serde(default)]
    pub travel: TravelPolicy,
}

impl Schedule {
    /// The zone to pass to [`super::occurrences`]: the device's current zone when doses follow the
    /// local clock, the home zone otherwise. See [`TravelPolicy`].
    pub fn zone_to_follow<'a>(&'a self, device_zone: &'a str) -> &'a str {
        self.travel.zone_to_follow(&self.zone, device_zone)
    }
}

/// When doses are due. Times are wall-clock times of day; several times a day are allowed
/// everywhere a `times` list appears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Pattern {
    /// Every day at these times.
    Daily {
        #[serde(deserialize_with = "wire::times")]
        times: Vec<Time>,
    },
    /// On these weekdays at these times.
    Weekly {
        days: Vec<Weekday>,
        #[serde(deserialize_with = "wire::times")]
        times: Vec<Time>,
    },
    /// Every `n`th day from `start` (the start day is a dose day).
    EveryNDays {
        n: u16,
        #[serde(deserialize_with = "wire::times")]
        times: Vec<Time>,
    },
    /// `days_on` dose days then `days_off` rest days, repeating from `start` (21 on / 7 off).
    Cycle {
        days_on: u16,
        days_off: u16,
        #[serde(deserialize_with = "wire::times")]
        times: Vec<Time>,
    },
    /// Every `hours` hours from `window_start` to `window_end` (both included) each day, e.g.
    /// 08:00 to 22:00 every 4 hours is 08:00, 12:00, 16:00, 20:00. Each day starts again at
    /// `window_start`, so nobody is woken at night.
    EveryNHours {
        hours: u8,
        #[serde(deserialize_with = "wire::time")]
        window_start: Time,
        #[serde(deserialize_with = "wire::time")]
        window_end: Time,
    },
    /// Taken when needed; nothing is scheduled, the limits guard each logged dose.
    AsNeeded(AsNeededLimits),
}

/// Reading dates and times from JSON. jiff's own `Deserialize` reports a bad value with its full
/// error text, and that text's formatter alone added about 25 KB to the app's bundle; a fixed
/// message names the expected form just as well.
mod wire {
    use jiff::civil::{Date, Time};
    use serde::de::{Deserializer, Error};
    use serde::Deserialize;

    fn parsed<'de, D: Deserializer<'de>, T: std::str::FromStr>(
        text: &str,
        expected: &'static str,
    ) -> Result<T, D::Error> {
        text.parse().map_err(|_| D::Error::custom(expected))
    }

    const DATE: &str = "expected a date such as 2026-03-30";
    const TIME: &str = "expected a time such as 08:00";

    pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        parsed::<D, _>(&String::deserialize(d)?, DATE)
    }

    pub fn optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parsed::<D, _>(&text, DATE).map(Some),
            None => Ok(None),
        }
    }

    pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        parsed::<D, _>(&String::deserialize(d)?, TIME)
    }

    pub fn times<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Time>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|text| parsed::<D, _>(text, TIME))
            .collect()
    }
}

/// The safety limits of an as-needed medicine, as the label states them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AsNeededLimits {
    /// Most doses in any 24 hours (rolling, not per calendar day).
    pub max_per_24h: u8,
    /// Least time between two doses.
    pub min_gap_minutes: u16,
}

/// What happens to dose times when the person is somewhere else, or the clocks change.
///
/// [`super::occurrences`] takes the zone to compute in; the app picks it with
/// [`TravelPolicy::zone_to_follow`]:
///
/// | policy | zone passed | dose times |
/// |---|---|---|
/// | `KeepLocalTime` | the device's current zone | the wall-clock times, in whatever zone the person is in ("08:00 every morning" stays 08:00 in New York) |
/// | `HomeZone` | the schedule's `zone` | the wall-clock times at home, wherever the person is (an 08:00 London dose is due at 03:00 in New York) |
/// | `KeepInterval` | the schedule's `zone` | `EveryNHours`: exact elapsed hours from each day's window start at home, so a clock change never makes a gap shorter or longer; other patterns: as `HomeZone`, so the time between doses does not change when travelling |
///
/// In every case the dates and times are civil (calendar) arithmetic in the zone passed, never
/// "days x 24 hours", so a daily dose stays at 08:00 across clock changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TravelPolicy {
    /// Follow the wall clock wherever the person is (the usual choice for once or twice a day).
    #[default]
    KeepLocalTime,
    /// Keep the exact time between doses ("every 8 hours", antibiotics), anchored at home.
    KeepInterval,
    /// Stay on home time while travelling (contraceptive pills, time-critical medicines).
    HomeZone,
}

impl TravelPolicy {
    /// The IANA zone whose clock the doses follow, given the schedule's home zone and the zone the
    /// device is in now.
    pub fn zone_to_follow<'a>(self, home: &'a str, device: &'a str) -> &'a str {
        match self {
            TravelPolicy::KeepLocalTime => device,
            TravelPolicy::KeepInterval | TravelPolicy::HomeZone => home,
        }
    }
}

/// A day of the week, written as FHIR's `dayOfWeek` codes (`mon` ... `sun`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// The FHIR `days-of-week` code.
    pub fn code(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    pub fn from_code(code: &str) -> Option<Weekday> {
        Weekday::ALL.into_iter().find(|d| d.code() == code)
    }

    /// Monday is 0.
    pub fn index(self) -> usize {
        match self {
            Weekday::Mon => 0,
            Weekday::Tue => 1,
            Weekday::Wed => 2,
            Weekday::Thu => 3,
            Weekday::Fri => 4,
            Weekday::Sat => 5,
            Weekday::Sun => 6,
        }
    }

    pub fn of(date: Date) -> Weekday {
        weekday_of_day(day_number(date))
    }
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub(crate) const NANOS_PER_HOUR: i64 = 3_600 * NANOS_PER_SECOND;

/// Nanoseconds since midnight: times of day as plain numbers, for arithmetic that cannot fail.
pub(crate) fn time_nanos(t: Time) -> i64 {
    let seconds = i64::from(t.hour()) * 3_600 + i64::from(t.minute()) * 60 + i64::from(t.second());
    seconds * NANOS_PER_SECOND + i64::from(t.subsec_nanosecond())
}

pub(crate) fn time_from_nanos(n: i64) -> Option<Time> {
    if !(0..24 * NANOS_PER_HOUR).contains(&n) {
        return None;
    }
    let seconds = n / NANOS_PER_SECOND;
    let hour = i8::try_from(seconds / 3_600).ok()?;
    let minute = i8::try_from(seconds / 60 % 60).ok()?;
    let second = i8::try_from(seconds % 60).ok()?;
    let nano = i32::try_from(n % NANOS_PER_SECOND).ok()?;
    Time::new(hour, minute, second, nano).ok()
}

/// How many doses an `EveryNHours` window holds each day (the end is included), or `None` when the
/// pattern is not usable (zero or over-long interval, empty window).
pub(crate) fn window_doses_per_day(hours: u8, window_start: Time, window_end: Time) -> Option<u32> {
    if hours == 0 || hours > 24 || window_end <= window_start {
        return None;
    }
    let step = i64::from(hours) * NANOS_PER_HOUR;
    let len = time_nanos(window_end) - time_nanos(window_start);
    u32::try_from(len / step + 1).ok()
}

/// The wall-clock times of an `EveryNHours` window, stepping the clock (not elapsed time).
pub(crate) fn window_times(hours: u8, window_start: Time, window_end: Time) -> Vec<Time> {
    let Some(per_day) = window_doses_per_day(hours, window_start, window_end) else {
        return Vec::new();
    };
    let step = i64::from(hours) * NANOS_PER_HOUR;
    (0..i64::from(per_day))
        .filter_map(|k| time_from_nanos(time_nanos(window_start) + k * step))
        .collect()
}

/// Days since 1970-01-01 (proleptic Gregorian), so "how many days between" and "which weekday" are
/// integer arithmetic that cannot fail (H. Hinnant's `days_from_civil`).
pub(crate) fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`day_number`]; `None` outside the dates jiff can represent (years -9999..=9999).
pub(crate) fn date_of_day(day: i64) -> Option<Date> {
    let z = day.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(m).ok()?,
        i8::try_from(d).ok()?,
    )
    .ok()
}

pub(crate) fn weekday_of_day(day: i64) -> Weekday {
    // 1970-01-01 was a Thursday.
    match (day + 3).rem_euclid(7) {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    #[test]
    fn schedules_are_camel_case_json() {
        let s = Schedule {
            zone: "Europe/London".into(),
            start: date(2024, 3, 1),
            end: None,
            count: Some(28),
            pattern: Pattern::EveryNHours {
                hours: 4,
                window_start: time(8, 0, 0, 0),
                window_end: time(22, 0, 0, 0),
            },
            travel: TravelPolicy::KeepInterval,
        };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "zone": "Europe/London",
                "start": "2024-03-01",
                "end": null,
                "count": 28,
                "pattern": {"kind": "everyNHours", "hours": 4, "windowStart": "08:00:00", "windowEnd": "22:00:00"},
                "travel": "keepInterval"
            })
        );
        assert_eq!(serde_json::from_value::<Schedule>(v).unwrap(), s);
    }

    #[test]
    fn optional_fields_may_be_left_out_and_times_written_short() {
        let s: Schedule = serde_json::from_str(
            r#"{"zone":"Asia/Kathmandu","start":"2024-01-01",
                "pattern":{"kind":"cycle","daysOn":21,"daysOff":7,"times":["08:00"]}}"#,
        )
        .unwrap();
        assert_eq!(s.travel, TravelPolicy::KeepLocalTime);
        assert_eq!((s.end, s.count), (None, None));
        assert_eq!(
            s.pattern,
            Pattern::Cycle {
                days_on: 21,
                days_off: 7,
                times: vec![time(8, 0, 0, 0)]
            }
        );
        let weekly: Pattern =
            serde_json::from_str(r#"{"kind":"weekly","days":["mon","fri"],"times":["20:30"]}"#)
                .unwrap();
        assert!(
            matches!(weekly, Pattern::Weekly { ref days, .. } if days == &[Weekday::Mon, Weekday::Fri])
        );
        let as_needed: Pattern =
            serde_json::from_str(r#"{"kind":"asNeeded","maxPer24h":4,"minGapMinutes":240}"#)
                .unwrap();
        assert_eq!(
            as_needed,
            Pattern::AsNeeded(AsNeededLimits {
                max_per_24h: 4,
                min_gap_minutes: 240
            })
        );
        assert!(serde_json::from_str::<Pattern>(r#"{"kind":"hourly"}"#).is_err());
        let bad_time =
            serde_json::from_str::<Pattern>(r#"{"kind":"daily","times":["08:00","25:00"]}"#);
        assert!(bad_time.is_err_and(|e| e.to_string().contains("a time such as 08:00")));
        let bad_end = serde_json::from_str::<Schedule>(
            r#"{"zone":"UTC","start":"2026-03-30","end":"2026-02-30","pattern":{"kind":"daily","times":[]}}"#,
        );
        assert!(bad_end.is_err_and(|e| e.to_string().contains("a date such as 2026-03-30")));
        let open_ended: Schedule = serde_json::from_str(
            r#"{"zone":"UTC","start":"2026-03-30","end":null,"pattern":{"kind":"everyNHours","hours":4,"windowStart":"08:00","windowEnd":"22:00:30"}}"#,
        )
        .unwrap();
        assert_eq!(open_ended.end, None);
        assert_eq!(
            open_ended.pattern,
            Pattern::EveryNHours {
                hours: 4,
                window_start: time(8, 0, 0, 0),
                window_end: time(22, 0, 30, 0)
            }
        );
    }

    #[test]
    fn the_policy_picks_the_zone_to_follow() {
        let home = "Europe/London";
        let device = "America/New_York";
        assert_eq!(
            TravelPolicy::KeepLocalTime.zone_to_follow(home, device),
            device
        );
        assert_eq!(TravelPolicy::HomeZone.zone_to_follow(home, device), home);
        assert_eq!(
            TravelPolicy::KeepInterval.zone_to_follow(home, device),
            home
        );
    }

    #[test]
    fn windows_step_the_clock_and_include_their_end() {
        let t = |h| time(h, 0, 0, 0);
        assert_eq!(
            window_times(4, t(8), t(22)),
            vec![t(8), t(12), t(16), t(20)]
        );
        assert_eq!(
            window_times(4, t(8), t(20)),
            vec![t(8), t(12), t(16), t(20)]
        );
        assert_eq!(window_times(24, t(0), time(23, 59, 59, 0)), vec![t(0)]);
        assert!(window_times(0, t(8), t(20)).is_empty());
        assert!(window_times(25, t(8), t(20)).is_empty());
        assert!(window_times(2, t(8), t(8)).is_empty());
    }

    #[test]
    fn weekday_codes_round_trip() {
        for d in Weekday::ALL {
            assert_eq!(Weekday::from_code(d.code()), Some(d));
        }
        assert_eq!(Weekday::from_code("Mon"), None);
        assert_eq!(Weekday::of(date(2024, 3, 10)), Weekday::Sun);
    }

    proptest! {
        #[test]
        fn day_numbers_agree_with_jiff(y in -9999i16..=9999, m in 1i8..=12, d in 1i8..=31) {
            let Ok(dt) = Date::new(y, m, d) else { return Ok(()) };
            let n = day_number(dt);
            prop_assert_eq!(date_of_day(n), Some(dt));
            let epoch = date(1970, 1, 1);
            prop_assert_eq!(i64::from(dt.since(epoch).unwrap().get_days()), n);
            prop_assert_eq!(Weekday::of(dt).index(), dt.weekday().to_monday_zero_offset() as usize);
        }

        #[test]
        fn time_nanos_round_trip(h in 0i8..24, m in 0i8..60, s in 0i8..60, ns in 0i32..1_000_000_000) {
            let t = time(h, m, s, ns);
            prop_assert_eq!(time_from_nanos(time_nanos(t)), Some(t));
        }
    }

    #[test]
    fn dates_outside_jiffs_range_are_none() {
        assert_eq!(date_of_day(i64::MAX), None);
        assert_eq!(date_of_day(i64::MIN), None);
        assert_eq!(date_of_day(day_number(Date::MAX) + 1), None);
        assert_eq!(date_of_day(day_number(Date::MIN)), Some(Date::MIN));
    }
}
