//! The calendar file, read by someone else's code: `ics_check.py` parses it with the Python
//! `icalendar` package, repeats each series with `dateutil.rrule` in its TZID's zone (Python's
//! `zoneinfo`), and must list exactly the doses the schedule engine lists, both the way RFC 5545
//! reads skipped wall times (dropped) and the way some calendar apps do (moved). It also compares
//! each VTIMEZONE, as `icalendar` reads it, with the system's zone, hour by hour.
//!
//! CI installs the Python modules (`scripts/setup.sh --test`); without them this test fails, unless
//! `PORTAL_SKIP_PYTHON_ICS=1` says to skip it.

mod common;

use axum::{
    body::Body,
    http::{header, Method, StatusCode},
};
use common::{request, TestApp};
use jiff::{civil::date, Timestamp, Zoned};
use portal_core::{reminders::Reminder, schedule};
use serde_json::{json, Value};
use std::{collections::BTreeMap, path::Path, process::Command};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ics_check.py");

/// Whether to run: the modules are there, or skipping was asked for (else the test fails).
fn python_ready() -> bool {
    if std::env::var("PORTAL_SKIP_PYTHON_ICS").is_ok_and(|v| v == "1") {
        eprintln!("PORTAL_SKIP_PYTHON_ICS=1: the Python check of calendar files is skipped");
        return false;
    }
    let ok = Command::new("python3")
        .args(["-c", "import icalendar, dateutil"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "The Python modules icalendar and python-dateutil are missing: run scripts/setup.sh --test \
         (CI installs them), or set PORTAL_SKIP_PYTHON_ICS=1 to skip this check."
    );
    true
}

/// `(instant, reminder id)` lines, sorted.
fn run_script(file: &Path, from: &str, until: &str, extra: &[&str]) -> Vec<(String, String)> {
    let out = Command::new("python3")
        .arg(SCRIPT)
        .arg(file)
        .args(["--from", from, "--until", until, "--uid"])
        .args(extra)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "ics_check.py {extra:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<(String, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (at, uid) = l.split_once('\t').expect("instant and UID");
            let reminder = uid.split_once('.').map_or(uid, |(r, _)| r);
            (at.to_owned(), reminder.to_owned())
        })
        .collect();
    lines.sort();
    lines
}

fn engine(reminders: &[Reminder], from: Timestamp, until: Timestamp) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    for r in reminders {
        let tz = jiff::tz::db().get(&r.schedule.zone).unwrap();
        for o in schedule::occurrences(&r.schedule, &tz, from, until) {
            lines.push((
                o.at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                r.id.clone(),
            ));
        }
    }
    lines.sort();
    lines
}

/// The first differences, per reminder, for a readable failure.
fn differences(expected: &[(String, String)], actual: &[(String, String)]) -> String {
    let mut by: BTreeMap<&str, (Vec<&str>, Vec<&str>)> = BTreeMap::new();
    for (at, r) in expected {
        if !actual.contains(&(at.clone(), r.clone())) {
            by.entry(r).or_default().0.push(at);
        }
    }
    for (at, r) in actual {
        if !expected.contains(&(at.clone(), r.clone())) {
            by.entry(r).or_default().1.push(at);
        }
    }
    by.into_iter()
        .map(|(r, (missing, extra))| {
            format!(
                "{r}: missing {:?}, extra {:?}",
                &missing[..missing.len().min(6)],
                &extra[..extra.len().min(6)]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn schedule_json(zone: &str, start: String, pattern: Value) -> Value {
    json!({ "zone": zone, "start": start, "pattern": pattern })
}

#[tokio::test]
async fn python_reads_the_calendar_as_the_engine_schedules_it() {
    if !python_ready() {
        return;
    }
    let app = TestApp::new();
    let cara = app.sign_in("cara@example.com", "caregiver-demo").await;
    let send = |method: Method, path: String, body: Option<Value>| {
        let (app, cara) = (&app, cara.clone());
        async move {
            let req = request(method, &path).header(header::COOKIE, &cara);
            let req = match body {
                Some(b) => req
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(serde_json::to_vec(&b).unwrap())),
                None => req.body(Body::empty()),
            };
            app.send(req.unwrap()).await
        }
    };
    let person = send(
        Method::POST,
        "/api/v1/people".into(),
        Some(json!({ "name": "Mum", "colour": "purple", "zone": "Europe/London" })),
    )
    .await
    .json();
    let person_id = person["id"].as_str().unwrap().to_owned();

    // Next year: inside the window the calendar is corrected for (a year back, ten ahead).
    let y = Zoned::now().year() + 1;
    let d = |m: i8, day: i8| date(y, m, day).to_string();
    let t = |h: &str| json!(h);
    let mut schedules = vec![
        // Twice daily in London, across the March and October changes.
        schedule_json(
            "Europe/London",
            d(1, 10),
            json!({ "kind": "daily", "times": [t("08:00"), t("20:00")] }),
        ),
        // Mondays, Wednesdays and Fridays in New York, starting on a Sunday.
        schedule_json(
            "America/New_York",
            d(2, 15),
            json!({ "kind": "weekly", "days": ["mon", "wed", "fri"], "times": [t("09:00")] }),
        ),
        // Every second day.
        schedule_json(
            "Europe/London",
            d(1, 3),
            json!({ "kind": "everyNDays", "n": 2, "times": [t("07:30")] }),
        ),
        // 21 days on, 7 off.
        schedule_json(
            "Europe/Berlin",
            d(1, 5),
            json!({ "kind": "cycle", "daysOn": 21, "daysOff": 7, "times": [t("08:00")] }),
        ),
        // 5 on, 2 off, twice a day, until an end date.
        schedule_json(
            "Europe/Paris",
            d(2, 1),
            json!({ "kind": "cycle", "daysOn": 5, "daysOff": 2, "times": [t("07:00"), t("19:15")] }),
        ),
        // Every 4 hours from 00:00 to 20:00 by exact intervals: corrected on clock-change days.
        schedule_json(
            "America/New_York",
            d(1, 1),
            json!({ "kind": "everyNHours", "hours": 4, "windowStart": t("00:00"), "windowEnd": t("20:00") }),
        ),
        // 01:30 in London: skipped in March (moved to 02:00 BST), repeated in October (first).
        schedule_json(
            "Europe/London",
            d(3, 1),
            json!({ "kind": "daily", "times": [t("01:30")] }),
        ),
        // 01:30 with a count across the skipped hour: RFC 5545 would not count the skipped one.
        schedule_json(
            "Europe/London",
            d(3, 20),
            json!({ "kind": "daily", "times": [t("01:30"), t("13:00")] }),
        ),
        // Noon in New York with a count across its March change.
        schedule_json(
            "America/New_York",
            d(3, 1),
            json!({ "kind": "daily", "times": [t("12:00")] }),
        ),
        // As needed: no events.
        schedule_json(
            "Europe/London",
            d(1, 1),
            json!({ "kind": "asNeeded", "maxPer24h": 4, "minGapMinutes": 240 }),
        ),
    ];
    schedules[4]["end"] = d(6, 30).into();
    schedules[5]["travel"] = "keepInterval".into();
    schedules[7]["count"] = 21.into();
    schedules[8]["count"] = 40.into();
    schedules[2]["end"] = d(10, 31).into();
    schedules[2]["count"] = 60.into();

    let mut reminders: Vec<Reminder> = Vec::new();
    for (n, schedule) in schedules.into_iter().enumerate() {
        let body = json!({
            "personId": person_id,
            "medicine": format!("Medicine {n}"),
            "doseAmount": "1",
            "doseUnit": "tablet",
            "schedule": schedule
        });
        let res = send(Method::POST, "/api/v1/reminders".into(), Some(body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
        reminders.push(serde_json::from_slice(&res.body).unwrap());
    }

    let res = send(
        Method::GET,
        format!("/api/v1/people/{person_id}/calendar.ics"),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    assert!(text.contains(";COUNT="), "a count is written as COUNT");
    assert!(text.contains(";UNTIL="), "an end date is written as UNTIL");
    assert!(
        text.contains("\r\nEXDATE;TZID="),
        "corrections are exercised"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reminders.ics");
    std::fs::write(&file, &text).unwrap();

    let from = format!("{y}-01-01T00:00:00Z");
    let until = format!("{}-01-01T00:00:00Z", y + 1);
    let expected = engine(&reminders, from.parse().unwrap(), until.parse().unwrap());
    assert!(expected.len() > 3000, "{} doses", expected.len());
    for mode in ["rfc", "shift"] {
        let actual = run_script(&file, &from, &until, &["--mode", mode]);
        assert!(
            actual == expected,
            "mode {mode}: {} doses from Python, {} from the engine\n{}",
            actual.len(),
            expected.len(),
            differences(&expected, &actual)
        );
    }

    // The zone rules hold from 2005 to after the corrected years, where calendars go on with
    // the VTIMEZONEs' yearly rules alone, also for zones with an eventful history: rules that
    // ended (Moscow, São Paulo), fixed dates (Tehran), negative savings (Dublin), half hours
    // (Lord Howe), a skipped date (Apia), odd offsets (Kathmandu, St John's), Ramadan breaks
    // (Casablanca).
    for zone in [
        "Europe/Moscow",
        "America/Sao_Paulo",
        "Asia/Tehran",
        "Africa/Casablanca",
        "Europe/Dublin",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Asia/Kathmandu",
        "America/St_Johns",
        "America/Santiago",
        "Europe/London",
    ] {
        let mut schedule = schedule_json(
            zone,
            "2005-01-10".into(),
            json!({ "kind": "daily", "times": [t("12:00")] }),
        );
        schedule["end"] = "2005-01-31".into();
        let body = json!({
            "personId": person_id,
            "medicine": "Old",
            "doseAmount": "1",
            "doseUnit": "tablet",
            "schedule": schedule
        });
        let res = send(Method::POST, "/api/v1/reminders".into(), Some(body)).await;
        assert_eq!(res.status, StatusCode::CREATED, "{zone}: {}", res.text());
    }
    let res = send(
        Method::GET,
        format!("/api/v1/people/{person_id}/calendar.ics"),
        None,
    )
    .await;
    std::fs::write(&file, res.text()).unwrap();
    let horizon = Zoned::now().year() + portal_backend::ics::HORIZON_YEARS;
    let zones_only = run_script(
        &file,
        "2005-01-01T00:00:00Z",
        &format!("{horizon}-01-01T00:00:00Z"),
        &["--zones-only"],
    );
    assert!(zones_only.is_empty());
    // After the scanned years, zones on a yearly rule go on with it (to 2038, as far as
    // icalendar expands open-ended rules). Zones whose changes follow no yearly rule (Tehran's
    // and Casablanca's) keep their last offset there.
    let mut regular = vec!["--zones-only"];
    for zone in [
        "Europe/London",
        "Europe/Berlin",
        "Europe/Paris",
        "Europe/Dublin",
        "America/New_York",
        "America/St_Johns",
        "Australia/Lord_Howe",
    ] {
        regular.extend(["--zone", zone]);
    }
    let zones_only = run_script(
        &file,
        &format!("{horizon}-01-01T00:00:00Z"),
        "2038-12-31T00:00:00Z",
        &regular,
    );
    assert!(zones_only.is_empty());
    // The old doses do not reach into the year compared above.
    let now: Timestamp = Timestamp::from_second(app.state.clock.now()).unwrap();
    assert!(now > "2006-01-01T00:00:00Z".parse().unwrap());
}
