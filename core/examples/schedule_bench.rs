//! How long does working out dose times take? Computes 90 days of reminders for 50 mixed
//! schedules in several time zones, as the app does when it opens the "coming up" view for a
//! caregiver with many people and medicines, and as the backend does when it plans push messages.
//!
//! `cargo run --release -p portal-core --example schedule_bench`
//!
//! The schedules are made deterministically (every pattern, every travel policy, zones with
//! half-hour and quarter-hour offsets and clock changes inside the 90 days), so runs compare. Count
//! on a phone in WebAssembly being 4-6 times slower than this machine.

use std::time::{Duration, Instant};

use portal_core::schedule::jiff::civil::{date, time, Time};
use portal_core::schedule::jiff::tz::{self, TimeZone};
use portal_core::schedule::jiff::{SignedDuration, Timestamp};
use portal_core::schedule::{
    occurrences, AsNeededLimits, Pattern, Schedule, TravelPolicy, Weekday,
};

const REMINDERS: usize = 50;
const DAYS: i64 = 90;
const ROUNDS: usize = 7;

const ZONES: &[&str] = &[
    "Europe/London",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "America/Sao_Paulo",
    "Europe/Berlin",
    "Pacific/Chatham",
    "America/Los_Angeles",
];

fn t(h: i8, m: i8) -> Time {
    time(h, m, 0, 0)
}

fn reminder(i: usize) -> Schedule {
    let times = match i % 4 {
        0 => vec![t(8, 0)],
        1 => vec![t(8, 0), t(20, 0)],
        2 => vec![t(7, 30), t(13, 0), t(19, 30)],
        _ => vec![t(2, 30), t(8, 0), t(14, 0), t(22, 0)],
    };
    let pattern = match i % 7 {
        0 | 1 => Pattern::Daily { times },
        2 => Pattern::Weekly {
            days: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
            times,
        },
        3 => Pattern::EveryNDays { n: 2, times },
        4 => Pattern::Cycle {
            days_on: 21,
            days_off: 7,
            times,
        },
        5 => Pattern::EveryNHours {
            hours: 4,
            window_start: t(6, 0),
            window_end: t(23, 0),
        },
        _ => Pattern::AsNeeded(AsNeededLimits {
            max_per_24h: 4,
            min_gap_minutes: 240,
        }),
    };
    let travel = match i % 3 {
        0 => TravelPolicy::KeepLocalTime,
        1 => TravelPolicy::KeepInterval,
        _ => TravelPolicy::HomeZone,
    };
    Schedule {
        zone: ZONES[i % ZONES.len()].to_owned(),
        start: date(2023, 1, 1),
        end: None,
        count: i.is_multiple_of(5).then_some(5_000),
        pattern,
        travel,
    }
}

fn main() {
    let schedules: Vec<Schedule> = (0..REMINDERS).map(reminder).collect();
    let zones: Vec<TimeZone> = schedules
        .iter()
        .map(|s| tz::db().get(&s.zone).expect("bundled zone"))
        .collect();
    // 90 days across the northern spring change and the southern autumn one.
    let from: Timestamp = "2024-02-15T00:00:00Z".parse().expect("instant");
    let until = from
        .checked_add(SignedDuration::from_hours(DAYS * 24))
        .expect("instant");

    let mut totals = Vec::new();
    let mut per_reminder = Vec::new();
    let mut doses = 0;
    for _ in 0..ROUNDS {
        let round = Instant::now();
        doses = 0;
        for (s, tz) in schedules.iter().zip(&zones) {
            let one = Instant::now();
            doses += std::hint::black_box(occurrences(s, tz, from, until)).len();
            per_reminder.push(one.elapsed());
        }
        totals.push(round.elapsed());
    }
    totals.sort();
    per_reminder.sort();
    let median = |v: &[Duration]| v[v.len() / 2];
    println!(
        "{REMINDERS} reminders x {DAYS} days: {doses} doses per round, {ROUNDS} rounds, {} zones",
        ZONES.len()
    );
    println!(
        "total per round:  median {:>9.3?}  min {:>9.3?}  max {:>9.3?}",
        median(&totals),
        totals[0],
        totals[totals.len() - 1]
    );
    println!(
        "per reminder:     median {:>9.3?}  max {:>9.3?}",
        median(&per_reminder),
        per_reminder[per_reminder.len() - 1]
    );
}
