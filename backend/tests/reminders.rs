//! Reminders: people, reminders, when doses are due, logged doses with their stock count-down,
//! and calendar files and feeds. Every endpoint is tried from another account (Cara on Pat's
//! ids), which must look exactly like ids that do not exist.

mod common;

use axum::{
    body::Body,
    http::{header, HeaderValue, Method, StatusCode},
};
use common::{cara, json_request, pairs, pat, request, TestApp, TestResponse};
use portal_backend::problem::extra_types::{PRECONDITION_REQUIRED, VERSION_CONFLICT};
use portal_core::api::problem_types as pt;
use serde_json::{json, Value};

const PEOPLE: &str = "/api/v1/people";
const REMINDERS: &str = "/api/v1/reminders";
const EVENTS: &str = "/api/v1/dose-events";

/// Sends a request with an optional JSON body, session and `If-Match`.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    body: Option<&Value>,
    cookie: Option<&str>,
    if_match: Option<&str>,
) -> TestResponse {
    let mut req = match body {
        Some(body) => json_request(method, path, body),
        None => request(method, path).body(Body::empty()).unwrap(),
    };
    if let Some(cookie) = cookie {
        req.headers_mut()
            .insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
    }
    if let Some(tag) = if_match {
        req.headers_mut()
            .insert(header::IF_MATCH, HeaderValue::from_str(tag).unwrap());
    }
    app.send(req).await
}

fn person_body(name: &str) -> Value {
    json!({ "name": name, "colour": "teal", "zone": "Europe/London" })
}

fn reminder_body(person_id: &str) -> Value {
    json!({
        "personId": person_id,
        "medicine": "Metformin",
        "strength": "500 mg",
        "doseAmount": "1",
        "doseUnit": "tablet",
        "instructions": "With food",
        "schedule": {
            "zone": "Europe/London",
            "start": "2026-03-01",
            "pattern": { "kind": "daily", "times": ["08:00", "20:00"] }
        },
        "hideNameInCalendar": false,
        "stock": 56,
        "refillAt": 14
    })
}

async fn add_person(app: &TestApp, cookie: &str, name: &str) -> Value {
    let res = call(
        app,
        Method::POST,
        PEOPLE,
        Some(&person_body(name)),
        Some(cookie),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()
}

async fn add_reminder(app: &TestApp, cookie: &str, body: &Value) -> Value {
    let res = call(app, Method::POST, REMINDERS, Some(body), Some(cookie), None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    res.json()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn event(id: &str, reminder: &str, action: &str, at: &str) -> Value {
    json!({
        "id": id,
        "reminderId": reminder,
        "scheduledAt": "2026-03-30T07:00:00Z",
        "action": action,
        "at": at
    })
}

/// A UUID-shaped id ending in `n`.
fn uuid(n: u32) -> String {
    format!("0f8fad5b-d9cb-469f-a165-{n:012x}")
}

#[tokio::test]
async fn people_are_added_changed_with_versions_and_removed() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let res = call(
        &app,
        Method::POST,
        PEOPLE,
        Some(&json!({ "name": "Mum", "colour": "pink", "zone": "europe/london" })),
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let mum = res.json();
    assert_eq!(
        res.header("location"),
        Some(format!("{PEOPLE}/{}", id(&mum)).as_str())
    );
    assert_eq!(
        mum["zone"], "Europe/London",
        "stored as the database spells it"
    );
    assert_eq!(mum["version"], 1);
    let me = add_person(&app, &pat, "Me").await;

    let list = call(&app, Method::GET, PEOPLE, None, Some(&pat), None).await;
    assert_eq!(list.status, StatusCode::OK);
    let names: Vec<Value> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].clone())
        .collect();
    assert_eq!(names, ["Mum", "Me"]);

    let one = format!("{PEOPLE}/{}", id(&mum));
    let changed = json!({ "name": "Mother", "colour": "blue", "zone": "America/New_York" });
    call(&app, Method::PUT, &one, Some(&changed), Some(&pat), None)
        .await
        .assert_problem(428, PRECONDITION_REQUIRED);
    call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("*"),
    )
    .await
    .assert_problem(428, PRECONDITION_REQUIRED);
    call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("1"),
    )
    .await
    .assert_problem(400, pt::BAD_REQUEST);
    call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("\"2\""),
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);
    let ok = call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("\"1\""),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.header("etag"), Some("\"2\""));
    assert_eq!(ok.json()["name"], "Mother");
    assert_eq!(ok.json()["version"], 2);
    // The version it was made on is now stale.
    call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("\"1\""),
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);

    let bad = json!({ "name": " ", "colour": "beige", "zone": "Mars/Olympus_Mons" });
    let p = call(
        &app,
        Method::PUT,
        &one,
        Some(&bad),
        Some(&pat),
        Some("\"2\""),
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("name", "required"),
            ("colour", "unknown_choice"),
            ("zone", "unknown_choice")
        ])
    );
    let p = call(
        &app,
        Method::POST,
        PEOPLE,
        Some(&json!({ "name": "x".repeat(61), "colour": "", "zone": "../../etc/passwd" })),
        Some(&pat),
        None,
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("name", "too_long"),
            ("colour", "required"),
            ("zone", "unknown_choice")
        ])
    );
    call(
        &app,
        Method::POST,
        PEOPLE,
        Some(&json!({ "name": "No colour" })),
        Some(&pat),
        None,
    )
    .await
    .assert_problem(422, pt::VALIDATION);

    let gone = call(&app, Method::DELETE, &one, None, Some(&pat), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert!(gone.body.is_empty());
    call(&app, Method::DELETE, &one, None, Some(&pat), None)
        .await
        .assert_problem(404, pt::NOT_FOUND);
    call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("\"2\""),
    )
    .await
    .assert_problem(404, pt::NOT_FOUND);
    let list = call(&app, Method::GET, PEOPLE, None, Some(&pat), None).await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert_eq!(list.json()[0]["id"], me["id"]);
}

/// Every reminders endpoint, with ids that belong to someone.
fn endpoints(person: &str, reminder: &str) -> Vec<(Method, String, Option<Value>)> {
    let window = "from=2026-03-01T00:00:00Z&until=2026-03-10T00:00:00Z";
    vec![
        (Method::GET, PEOPLE.to_owned(), None),
        (Method::POST, PEOPLE.to_owned(), Some(person_body("X"))),
        (
            Method::PUT,
            format!("{PEOPLE}/{person}"),
            Some(person_body("X")),
        ),
        (Method::DELETE, format!("{PEOPLE}/{person}"), None),
        (Method::GET, format!("{PEOPLE}/{person}/calendar.ics"), None),
        (
            Method::GET,
            format!("{PEOPLE}/{person}/calendar-token"),
            None,
        ),
        (
            Method::POST,
            format!("{PEOPLE}/{person}/calendar-token"),
            None,
        ),
        (
            Method::DELETE,
            format!("{PEOPLE}/{person}/calendar-token"),
            None,
        ),
        (Method::GET, REMINDERS.to_owned(), None),
        (
            Method::POST,
            REMINDERS.to_owned(),
            Some(reminder_body(person)),
        ),
        (Method::GET, format!("{REMINDERS}/{reminder}"), None),
        (
            Method::PUT,
            format!("{REMINDERS}/{reminder}"),
            Some(reminder_body(person)),
        ),
        (Method::DELETE, format!("{REMINDERS}/{reminder}"), None),
        (
            Method::GET,
            format!("{REMINDERS}/{reminder}/occurrences?{window}"),
            None,
        ),
        (
            Method::POST,
            EVENTS.to_owned(),
            Some(json!([event(
                &uuid(1),
                reminder,
                "taken",
                "2026-03-30T07:05:00Z"
            )])),
        ),
        (Method::GET, format!("{EVENTS}?{window}"), None),
    ]
}

#[tokio::test]
async fn signed_out_is_401_and_other_roles_are_403_everywhere() {
    let app = TestApp::new();
    let eddie = app.sign_in("eddie@example.com", "editor-demo").await;
    let mia = app.sign_in("mia@example.com", "medinfo-demo").await;
    for (method, path, body) in endpoints("p", "r") {
        let res = call(
            &app,
            method.clone(),
            &path,
            body.as_ref(),
            None,
            Some("\"1\""),
        )
        .await;
        res.assert_problem(401, pt::UNAUTHENTICATED);
        for cookie in [&eddie, &mia] {
            let res = call(
                &app,
                method.clone(),
                &path,
                body.as_ref(),
                Some(cookie),
                Some("\"1\""),
            )
            .await;
            res.assert_problem(403, pt::FORBIDDEN);
        }
    }
}

#[tokio::test]
async fn another_accounts_ids_are_not_found_on_every_endpoint() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let cara = cara(&app).await;
    let person = add_person(&app, &pat, "Pat").await;
    let reminder = add_reminder(&app, &pat, &reminder_body(&id(&person))).await;
    let (p, r) = (id(&person), id(&reminder));
    let token = call(
        &app,
        Method::POST,
        &format!("{PEOPLE}/{p}/calendar-token"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(token.status, StatusCode::CREATED);
    let feed = token.json()["url"].as_str().unwrap().to_owned();
    let pats_event = event(&uuid(7), &r, "taken", "2026-03-30T07:05:00Z");
    let stored = call(
        &app,
        Method::POST,
        EVENTS,
        Some(&json!([pats_event])),
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(stored.json()["stored"], json!([uuid(7)]));

    for (method, path, body) in endpoints(&p, &r) {
        let res = call(
            &app,
            method.clone(),
            &path,
            body.as_ref(),
            Some(&cara),
            Some("\"1\""),
        )
        .await;
        match (method.as_str(), path.as_str()) {
            ("GET", PEOPLE) | ("GET", REMINDERS) => {
                assert_eq!(res.status, StatusCode::OK, "{path}");
                assert_eq!(res.json(), json!([]), "{path}: Cara sees nothing of Pat's");
            }
            ("POST", PEOPLE) => assert_eq!(res.status, StatusCode::CREATED),
            ("POST", REMINDERS) => {
                let p = res.assert_problem(422, pt::VALIDATION);
                assert_eq!(field_codes(&p), pairs(&[("personId", "unknown_choice")]));
            }
            ("POST", EVENTS) => {
                assert_eq!(res.status, StatusCode::OK);
                assert_eq!(
                    res.json(),
                    json!({ "stored": [], "duplicates": [], "conflicts": [], "rejected": [uuid(1)] })
                );
            }
            ("GET", p) if p.starts_with(EVENTS) => {
                assert_eq!(res.status, StatusCode::OK);
                assert_eq!(res.json(), json!([]));
            }
            _ => {
                let problem = res.assert_problem(404, pt::NOT_FOUND);
                assert!(
                    problem["detail"]
                        .as_str()
                        .unwrap()
                        .starts_with("There is no such"),
                    "{method} {path}: {problem}"
                );
            }
        }
    }
    // The same event id is Cara's own event, unrelated to Pat's.
    let caras_person = add_person(&app, &cara, "Dad").await;
    let caras_reminder = add_reminder(&app, &cara, &reminder_body(&id(&caras_person))).await;
    let same_id = event(
        &uuid(7),
        &id(&caras_reminder),
        "skipped",
        "2026-03-30T07:06:00Z",
    );
    let res = call(
        &app,
        Method::POST,
        EVENTS,
        Some(&json!([same_id])),
        Some(&cara),
        None,
    )
    .await;
    assert_eq!(res.json()["stored"], json!([uuid(7)]));

    // Pat's things are as they were, and Pat still sees them.
    let mine = call(
        &app,
        Method::GET,
        &format!("{REMINDERS}/{r}"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(
        mine.json()["version"],
        2,
        "one taken dose counted the stock down"
    );
    assert_eq!(mine.json()["stock"], 55);
    let people = call(&app, Method::GET, PEOPLE, None, Some(&pat), None).await;
    assert_eq!(people.json(), json!([person]));
    assert_eq!(app.get(&feed).await.status, StatusCode::OK);
    let events = call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(events.json().as_array().unwrap().len(), 1);
    assert_eq!(events.json()[0]["action"], "taken");
}

#[tokio::test]
async fn reminders_are_checked_versioned_and_removed() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let body = reminder_body(&id(&person));
    let res = call(&app, Method::POST, REMINDERS, Some(&body), Some(&pat), None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    assert_eq!(res.header("etag"), Some("\"1\""));
    let created = res.json();
    let one = format!("{REMINDERS}/{}", id(&created));
    assert_eq!(res.header("location"), Some(one.as_str()));
    assert_eq!(
        created["schedule"]["pattern"]["times"],
        json!(["08:00:00", "20:00:00"])
    );
    assert_eq!(created["schedule"]["travel"], "keepLocalTime");
    assert_eq!(created["schedule"]["end"], Value::Null);
    assert!(created["updatedAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(created["createdAt"], created["updatedAt"]);

    let got = call(&app, Method::GET, &one, None, Some(&pat), None).await;
    assert_eq!(got.header("etag"), Some("\"1\""));
    assert_eq!(got.json(), created);

    let mut changed = body.clone();
    changed["medicine"] = "Metformin XR".into();
    changed["stock"] = Value::Null;
    changed["refillAt"] = Value::Null;
    changed["schedule"]["pattern"] =
        json!({ "kind": "weekly", "days": ["mon", "thu"], "times": ["09:30"] });
    call(&app, Method::PUT, &one, Some(&changed), Some(&pat), None)
        .await
        .assert_problem(428, PRECONDITION_REQUIRED);
    call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("\"5\""),
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);
    let ok = call(
        &app,
        Method::PUT,
        &one,
        Some(&changed),
        Some(&pat),
        Some("\"1\""),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    assert_eq!(ok.header("etag"), Some("\"2\""));
    assert_eq!(ok.json()["medicine"], "Metformin XR");
    // A change never moves the set-up time, which clients count doses from.
    assert_eq!(ok.json()["createdAt"], created["createdAt"]);
    assert_eq!(ok.json()["stock"], Value::Null);
    assert_eq!(
        ok.json()["schedule"]["pattern"]["days"],
        json!(["mon", "thu"])
    );

    // Everything wrong at once: field by field, the schedule under `schedule.`.
    let mut bad = body.clone();
    bad["personId"] = "nobody".into();
    bad["medicine"] = "".into();
    bad["doseAmount"] = "1,5".into();
    bad["doseUnit"] = "spoon".into();
    bad["schedule"] = json!({
        "zone": "Nowhere/Town",
        "start": "2026-03-01",
        "end": "2026-02-01",
        "pattern": { "kind": "daily", "times": [] }
    });
    bad["refillAt"] = 10.into();
    bad["stock"] = Value::Null;
    let p = call(
        &app,
        Method::PUT,
        &one,
        Some(&bad),
        Some(&pat),
        Some("\"2\""),
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("personId", "unknown_choice"),
            ("medicine", "required"),
            ("doseAmount", "invalid"),
            ("doseUnit", "unknown_choice"),
            ("schedule.zone", "unknown_zone"),
            ("schedule.end", "end_before_start"),
            ("schedule.pattern.times", "no_times"),
            ("refillAt", "invalid"),
        ])
    );
    let mut hourly = body.clone();
    hourly["schedule"] = json!({
        "zone": "Europe/London",
        "start": "1999-01-01",
        "travel": "keepInterval",
        "pattern": { "kind": "everyNHours", "hours": 1, "windowStart": "00:00", "windowEnd": "23:00:30" }
    });
    let p = call(
        &app,
        Method::POST,
        REMINDERS,
        Some(&hourly),
        Some(&pat),
        None,
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("schedule.pattern.windowEnd", "window_too_long"),
            ("schedule.start", "invalid"),
            ("schedule.pattern.windowEnd", "invalid"),
        ])
    );
    // A shape serde cannot read is a validation problem too.
    let mut unknown_kind = body.clone();
    unknown_kind["schedule"]["pattern"] = json!({ "kind": "hourly" });
    call(
        &app,
        Method::POST,
        REMINDERS,
        Some(&unknown_kind),
        Some(&pat),
        None,
    )
    .await
    .assert_problem(422, pt::VALIDATION);
    let wrong_type = call(
        &app,
        Method::POST,
        REMINDERS,
        Some(&json!({ "personId": id(&person) })),
        Some(&pat),
        None,
    )
    .await;
    wrong_type.assert_problem(422, pt::VALIDATION);
    // Nothing invalid was stored; the reminder is at version 2.
    let list = call(&app, Method::GET, REMINDERS, None, Some(&pat), None).await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert_eq!(list.json()[0]["version"], 2);

    let gone = call(&app, Method::DELETE, &one, None, Some(&pat), None).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    call(&app, Method::GET, &one, None, Some(&pat), None)
        .await
        .assert_problem(404, pt::NOT_FOUND);
    call(&app, Method::DELETE, &one, None, Some(&pat), None)
        .await
        .assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn removing_a_person_removes_their_reminders_doses_and_feed() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let other = add_person(&app, &pat, "Other").await;
    let reminder = add_reminder(&app, &pat, &reminder_body(&id(&person))).await;
    let kept = add_reminder(&app, &pat, &reminder_body(&id(&other))).await;
    let feed = call(
        &app,
        Method::POST,
        &format!("{PEOPLE}/{}/calendar-token", id(&person)),
        None,
        Some(&pat),
        None,
    )
    .await
    .json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let batch = json!([
        event(&uuid(1), &id(&reminder), "taken", "2026-03-30T07:05:00Z"),
        event(&uuid(2), &id(&kept), "taken", "2026-03-30T07:06:00Z"),
    ]);
    call(&app, Method::POST, EVENTS, Some(&batch), Some(&pat), None).await;
    let res = call(
        &app,
        Method::DELETE,
        &format!("{PEOPLE}/{}", id(&person)),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let list = call(&app, Method::GET, REMINDERS, None, Some(&pat), None).await;
    assert_eq!(list.json().as_array().unwrap().len(), 1);
    assert_eq!(list.json()[0]["id"], kept["id"]);
    let events = call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(events.json().as_array().unwrap().len(), 1);
    assert_eq!(events.json()[0]["id"], uuid(2));
    app.get(&feed).await.assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn dose_events_are_stored_once_by_their_ids() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let mut body = reminder_body(&id(&person));
    body["stock"] = Value::Null;
    body["refillAt"] = Value::Null;
    let r = id(&add_reminder(&app, &pat, &body).await);
    let mut snoozed = event(&uuid(3), &r, "snoozed", "2026-03-30T07:00:00Z");
    snoozed["snoozeMinutes"] = 10.into();
    let mut skipped = event(&uuid(2), &r, "skipped", "2026-03-30T19:05:00+00:00");
    skipped["scheduledAt"] = "2026-03-30T19:00:00Z".into();
    skipped["reason"] = "Felt sick; will ask the GP".into();
    let mut as_needed = event(&uuid(4), &r, "taken", "2026-03-30T12:00:00Z");
    as_needed["scheduledAt"] = Value::Null;
    let first = json!([
        event(&uuid(1), &r, "taken", "2026-03-30T07:05:00Z"),
        skipped,
        snoozed,
        as_needed
    ]);
    let res = call(&app, Method::POST, EVENTS, Some(&first), Some(&pat), None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(
        res.json(),
        json!({ "stored": [uuid(1), uuid(2), uuid(3), uuid(4)], "duplicates": [], "conflicts": [], "rejected": [] })
    );

    // The queue sent again (say, the answer was lost): nothing new. The same instant written
    // with another offset is the same event.
    let mut again = first.clone();
    again[1]["at"] = "2026-03-30T21:05:00+02:00".into();
    let res = call(&app, Method::POST, EVENTS, Some(&again), Some(&pat), None).await;
    assert_eq!(
        res.json(),
        json!({ "stored": [], "duplicates": [uuid(1), uuid(2), uuid(3), uuid(4)], "conflicts": [], "rejected": [] })
    );

    // Same id, other content: a conflict, and the stored event stays. Within one batch as well.
    let mut changed = event(&uuid(1), &r, "skipped", "2026-03-30T07:05:00Z");
    changed["reason"] = "".into();
    let twice = json!([
        changed,
        event(&uuid(5), &r, "taken", "2026-03-31T07:02:00Z"),
        event(&uuid(5), &r, "taken", "2026-03-31T07:02:00Z"),
        event(&uuid(6), &r, "taken", "2026-03-31T19:00:00Z"),
        event(&uuid(6), &r, "taken", "2026-03-31T19:01:00Z"),
        event(
            &uuid(8),
            "deleted-reminder",
            "taken",
            "2026-03-31T19:01:00Z"
        ),
    ]);
    let res = call(&app, Method::POST, EVENTS, Some(&twice), Some(&pat), None).await;
    assert_eq!(
        res.json(),
        json!({
            "stored": [uuid(5), uuid(6)],
            "duplicates": [uuid(5)],
            "conflicts": [uuid(1), uuid(6)],
            "rejected": [uuid(8)]
        })
    );

    let list = call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-30T00:00:00Z&until=2026-04-01T00:00:00Z"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    let events = list.json();
    let ids: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let expected = [uuid(3), uuid(1), uuid(4), uuid(2), uuid(5), uuid(6)];
    assert_eq!(ids, expected.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(events[1]["action"], "taken", "the first content stays");
    assert_eq!(events[3]["at"], "2026-03-30T19:05:00Z", "normalised to UTC");
    assert_eq!(events[3]["reason"], "Felt sick; will ask the GP");
    assert_eq!(events[0]["snoozeMinutes"], 10);
    assert_eq!(events[2]["scheduledAt"], Value::Null);
    assert_eq!(events[5]["at"], "2026-03-31T19:00:00Z");
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["recordedAt"].is_string()));
    let narrow = call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-30T07:05:00Z&until=2026-03-30T12:00:00Z"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(
        narrow.json().as_array().unwrap().len(),
        1,
        "from included, until not"
    );

    // A batch with a bad event stores nothing and names it.
    let mut bad = event(&uuid(9), &r, "snoozed", "yesterday");
    bad["snoozeMinutes"] = 15.into();
    let batch = json!([event(&uuid(10), &r, "taken", "2026-04-01T07:00:00Z"), bad]);
    let p = call(&app, Method::POST, EVENTS, Some(&batch), Some(&pat), None)
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        pairs(&[
            ("[1].at", "invalid"),
            ("[1].snoozeMinutes", "unknown_choice")
        ])
    );
    let p = call(
        &app,
        Method::POST,
        EVENTS,
        Some(&json!([{ "id": uuid(11), "reminderId": r, "scheduledAt": null, "action": "eaten", "at": "2026-04-01T07:00:00Z" }])),
        Some(&pat),
        None,
    )
    .await;
    p.assert_problem(422, pt::VALIDATION);

    // At most 500 a time.
    let full: Vec<Value> = (0..501)
        .map(|n| event(&uuid(1000 + n), &r, "skipped", "2026-04-02T07:00:00Z"))
        .collect();
    call(
        &app,
        Method::POST,
        EVENTS,
        Some(&json!(full)),
        Some(&pat),
        None,
    )
    .await
    .assert_problem(413, pt::PAYLOAD_TOO_LARGE);
    let res = call(
        &app,
        Method::POST,
        EVENTS,
        Some(&json!(full[..500])),
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::OK,
        "500 events with a body over 64 KiB: {}",
        res.text()
    );
    assert_eq!(res.json()["stored"].as_array().unwrap().len(), 500);
    // An Idempotency-Key is not needed, and not in the way.
    let res = app
        .send_json(
            Method::POST,
            EVENTS,
            &json!(full[..500]),
            Some("k-1"),
            Some(&pat),
        )
        .await;
    assert_eq!(res.json()["duplicates"].as_array().unwrap().len(), 500);

    for query in [
        "",
        "?from=2026-03-30T00:00:00Z",
        "?from=2026-01-01T00:00:00Z&until=2027-01-03T00:00:00Z",
        "?from=2026-03-30&until=2026-03-31",
    ] {
        call(
            &app,
            Method::GET,
            &format!("{EVENTS}{query}"),
            None,
            Some(&pat),
            None,
        )
        .await
        .assert_problem(400, pt::BAD_REQUEST);
    }
}

async fn reminder_state(app: &TestApp, cookie: &str, r: &str) -> (Value, Value) {
    let res = call(
        app,
        Method::GET,
        &format!("{REMINDERS}/{r}"),
        None,
        Some(cookie),
        None,
    )
    .await;
    (res.json()["stock"].clone(), res.json()["version"].clone())
}

#[tokio::test]
async fn stock_counts_down_by_one_per_taken_dose_and_stops_at_zero() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let mut body = reminder_body(&id(&person));
    body["stock"] = 2.into();
    body["refillAt"] = 1.into();
    let r = id(&add_reminder(&app, &pat, &body).await);
    body["stock"] = Value::Null;
    body["refillAt"] = Value::Null;
    let uncounted = id(&add_reminder(&app, &pat, &body).await);
    let post = |events: Value| {
        let (app, pat) = (&app, pat.clone());
        async move { call(app, Method::POST, EVENTS, Some(&events), Some(&pat), None).await }
    };

    post(json!([event(
        &uuid(1),
        &r,
        "taken",
        "2026-03-30T07:05:00Z"
    )]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(1), json!(2)));
    // Skipping and snoozing another dose do not count; a resent taken dose does not count twice.
    let mut skipped = event(&uuid(2), &r, "skipped", "2026-03-30T19:00:00Z");
    skipped["scheduledAt"] = "2026-03-30T19:00:00Z".into();
    let mut snoozed = event(&uuid(3), &r, "snoozed", "2026-03-30T19:00:00Z");
    snoozed["scheduledAt"] = "2026-03-30T19:00:00Z".into();
    snoozed["snoozeMinutes"] = 30.into();
    post(json!([
        event(&uuid(1), &r, "taken", "2026-03-30T07:05:00Z"),
        skipped,
        snoozed
    ]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(1), json!(2)));
    // An edit made on the version before the count-down is stale.
    let mut edit = reminder_body(&id(&person));
    edit["stock"] = 30.into();
    call(
        &app,
        Method::PUT,
        &format!("{REMINDERS}/{r}"),
        Some(&edit),
        Some(&pat),
        Some("\"1\""),
    )
    .await
    .assert_problem(412, VERSION_CONFLICT);
    post(json!([
        taken_at(&uuid(4), &r, "2026-03-31T07:00:00Z", "2026-03-31T07:05:00Z"),
        taken_at(&uuid(5), &r, "2026-03-31T19:00:00Z", "2026-03-31T19:05:00Z"),
        taken_at(
            &uuid(6),
            &uncounted,
            "2026-03-31T19:00:00Z",
            "2026-03-31T19:05:00Z"
        ),
    ]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(0), json!(3)));
    assert_eq!(
        reminder_state(&app, &pat, &uncounted).await,
        (Value::Null, json!(1))
    );
    // A refill is an edit on the current version.
    let res = call(
        &app,
        Method::PUT,
        &format!("{REMINDERS}/{r}"),
        Some(&edit),
        Some(&pat),
        Some("\"3\""),
    )
    .await;
    assert_eq!(res.json()["stock"], 30);
}

/// A `taken` event of the dose scheduled at `scheduled` (`None`: as needed).
fn taken_at(
    id: &str,
    reminder: &str,
    scheduled: impl Into<Option<&'static str>>,
    at: &str,
) -> Value {
    let mut e = event(id, reminder, "taken", at);
    e["scheduledAt"] = scheduled.into().map_or(Value::Null, Value::from);
    e
}

#[tokio::test]
async fn a_corrected_taken_dose_counts_the_stock_down_once() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let mut body = reminder_body(&id(&person));
    body["stock"] = 20.into();
    let r = id(&add_reminder(&app, &pat, &body).await);
    let other = id(&add_reminder(&app, &pat, &body).await);
    let post = |events: Value| {
        let (app, pat) = (&app, pat.clone());
        async move {
            let res = call(app, Method::POST, EVENTS, Some(&events), Some(&pat), None).await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.text());
            res.json()
        }
    };

    post(json!([taken_at(
        &uuid(1),
        &r,
        "2026-03-30T07:00:00Z",
        "2026-03-30T07:05:00Z"
    )]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(19), json!(2)));
    // The time corrected later: a second taken event of the same dose, its scheduled time
    // written with another offset. Stored, and the stock stays.
    let receipt = post(json!([taken_at(
        &uuid(2),
        &r,
        "2026-03-30T08:00:00+01:00",
        "2026-03-30T07:20:00Z"
    )]))
    .await;
    assert_eq!(receipt["stored"], json!([uuid(2)]));
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(19), json!(2)));
    // Within one batch too; the same instant of another reminder is another dose.
    post(json!([
        taken_at(&uuid(3), &r, "2026-03-30T19:00:00Z", "2026-03-30T19:00:00Z"),
        taken_at(&uuid(4), &r, "2026-03-30T19:00:00Z", "2026-03-30T19:30:00Z"),
        taken_at(
            &uuid(5),
            &other,
            "2026-03-30T19:00:00Z",
            "2026-03-30T19:00:00Z"
        ),
    ]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(18), json!(3)));
    assert_eq!(
        reminder_state(&app, &pat, &other).await,
        (json!(19), json!(2))
    );
    // A dose skipped first and then taken is one dose taken.
    post(json!([
        {
            "id": uuid(6),
            "reminderId": r,
            "scheduledAt": "2026-03-31T07:00:00Z",
            "action": "skipped",
            "at": "2026-03-31T07:00:00Z"
        },
        taken_at(&uuid(7), &r, "2026-03-31T07:00:00Z", "2026-03-31T09:00:00Z"),
    ]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(17), json!(4)));
    // As-needed doses have no scheduled time to share: each one counts.
    post(json!([
        taken_at(&uuid(8), &r, None, "2026-03-31T12:00:00Z"),
        taken_at(&uuid(9), &r, None, "2026-03-31T12:00:00Z"),
    ]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(15), json!(6)));
    // Every event is kept: the app shows the one with the greatest id.
    let list = call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-30T00:00:00Z&until=2026-04-01T00:00:00Z"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(list.json().as_array().unwrap().len(), 9);
}

#[tokio::test]
async fn an_undone_dose_goes_back_into_the_pack_and_counts_again_when_taken() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let mut body = reminder_body(&id(&person));
    body["stock"] = 20.into();
    let r = id(&add_reminder(&app, &pat, &body).await);
    let post = |events: Value| {
        let (app, pat) = (&app, pat.clone());
        async move { call(app, Method::POST, EVENTS, Some(&events), Some(&pat), None).await }
    };
    let slot = "2026-03-30T07:00:00Z";
    let undone = |n: u32, at: &str| {
        let mut e = event(&uuid(n), &r, "undone", at);
        e["scheduledAt"] = slot.into();
        e
    };

    post(json!([taken_at(
        &uuid(1),
        &r,
        slot,
        "2026-03-30T07:05:00Z"
    )]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(19), json!(2)));
    // Tapped by mistake: undone, the dose is back in the pack.
    let res = post(json!([undone(2, "2026-03-30T07:06:00Z")])).await;
    assert_eq!(res.json()["stored"], json!([uuid(2)]), "{}", res.text());
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(20), json!(3)));
    // Undoing again changes nothing; taking it for real counts it again.
    post(json!([undone(3, "2026-03-30T07:07:00Z")])).await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(20), json!(3)));
    post(json!([taken_at(
        &uuid(4),
        &r,
        slot,
        "2026-03-30T08:00:00Z"
    )]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(19), json!(4)));
    // An undo that reaches the backend after a later taking (an offline phone) is not the
    // latest word: the dose stays taken.
    post(json!([undone(0, "2026-03-30T07:06:30Z")])).await;
    assert_eq!(reminder_state(&app, &pat, &r).await, (json!(19), json!(4)));
    // Without a slot, an undo must name the as-needed taking it takes back.
    let mut loose = undone(5, "2026-03-30T09:00:00Z");
    loose["scheduledAt"] = Value::Null;
    post(json!([loose]))
        .await
        .assert_problem(422, pt::VALIDATION);
}

#[tokio::test]
async fn an_as_needed_dose_taken_back_returns_to_the_pack_once() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let mut body = reminder_body(&id(&person));
    body["schedule"]["pattern"] =
        json!({ "kind": "asNeeded", "maxPer24h": 4, "minGapMinutes": 240 });
    body["stock"] = 10.into();
    let r = id(&add_reminder(&app, &pat, &body).await);
    let post = |events: Value| {
        let (app, pat) = (&app, pat.clone());
        async move { call(app, Method::POST, EVENTS, Some(&events), Some(&pat), None).await }
    };
    let take_back = |n: u32, taking: &str| {
        let mut e = event(&uuid(n), &r, "undone", "2026-03-30T09:01:00Z");
        e["scheduledAt"] = Value::Null;
        e["undoes"] = taking.into();
        e
    };
    post(json!([taken_at(
        &uuid(1),
        &r,
        None,
        "2026-03-30T09:00:00Z"
    )]))
    .await;
    assert_eq!(reminder_state(&app, &pat, &r).await.0, json!(9));
    // Named in capitals: the same taking.
    let res = post(json!([take_back(2, &uuid(1).to_ascii_uppercase())])).await;
    assert_eq!(res.json()["stored"], json!([uuid(2)]), "{}", res.text());
    assert_eq!(reminder_state(&app, &pat, &r).await.0, json!(10));
    // A second undo of it (another device) is kept but gives nothing more back.
    post(json!([take_back(3, &uuid(1))])).await;
    assert_eq!(reminder_state(&app, &pat, &r).await.0, json!(10));
    // An undo naming no taking of this reminder is not stored.
    let res = post(json!([take_back(4, &uuid(99))])).await;
    assert_eq!(res.json()["rejected"], json!([uuid(4)]), "{}", res.text());
    let list = call(
        &app,
        Method::GET,
        &format!("{EVENTS}?from=2026-03-30T00:00:00Z&until=2026-03-31T00:00:00Z"),
        None,
        Some(&pat),
        None,
    )
    .await;
    let undoes: Vec<Value> = list
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["undoes"].clone())
        .collect();
    assert_eq!(
        undoes,
        [
            Value::Null,
            json!(uuid(1).to_ascii_uppercase()),
            json!(uuid(1))
        ]
    );
}

async fn occurrences(
    app: &TestApp,
    cookie: &str,
    r: &str,
    from: &str,
    until: &str,
) -> TestResponse {
    call(
        app,
        Method::GET,
        &format!("{REMINDERS}/{r}/occurrences?from={from}&until={until}"),
        None,
        Some(cookie),
        None,
    )
    .await
}

#[tokio::test]
async fn occurrences_keep_local_time_across_clock_changes() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Me").await;
    let mut body = reminder_body(&id(&person));
    body["schedule"] = json!({
        "zone": "Europe/London",
        "start": "2026-03-25",
        "pattern": { "kind": "daily", "times": ["08:00"] }
    });
    let r = id(&add_reminder(&app, &pat, &body).await);

    let res = occurrences(
        &app,
        &pat,
        &r,
        "2026-03-27T00:00:00Z",
        "2026-04-01T00:00:00Z",
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let list = res.json();
    assert_eq!(list["zone"], "Europe/London");
    let at: Vec<&str> = list["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at"].as_str().unwrap())
        .collect();
    // Clocks go forward on 29 March: 08:00 GMT is 08:00Z, 08:00 BST is 07:00Z.
    assert_eq!(
        at,
        [
            "2026-03-27T08:00:00Z",
            "2026-03-28T08:00:00Z",
            "2026-03-29T07:00:00Z",
            "2026-03-30T07:00:00Z",
            "2026-03-31T07:00:00Z"
        ]
    );
    for o in list["occurrences"].as_array().unwrap() {
        assert!(o["local"].as_str().unwrap().ends_with("T08:00:00"), "{o}");
        assert_eq!(o["shifted"], Value::Null);
    }
    // And back on 25 October.
    let res = occurrences(
        &app,
        &pat,
        &r,
        "2026-10-24T00:00:00Z",
        "2026-10-27T00:00:00Z",
    )
    .await;
    let at: Vec<Value> = res.json()["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["at"].clone())
        .collect();
    assert_eq!(
        at,
        [
            json!("2026-10-24T07:00:00Z"),
            json!("2026-10-25T08:00:00Z"),
            json!("2026-10-26T08:00:00Z")
        ]
    );

    // A time the clock skips is moved to the end of the gap, and says so.
    let mut gap = body.clone();
    gap["schedule"]["pattern"] = json!({ "kind": "daily", "times": ["01:30"] });
    let g = id(&add_reminder(&app, &pat, &gap).await);
    let res = occurrences(
        &app,
        &pat,
        &g,
        "2026-03-29T00:00:00Z",
        "2026-03-30T00:00:00Z",
    )
    .await;
    assert_eq!(
        res.json()["occurrences"],
        json!([{
            "at": "2026-03-29T01:00:00Z",
            "local": "2026-03-29T01:30:00",
            "shifted": { "kind": "springForwardGap", "scheduled": "2026-03-29T01:30:00", "movedTo": "2026-03-29T02:00:00" }
        }])
    );

    let mut as_needed = body.clone();
    as_needed["schedule"]["pattern"] =
        json!({ "kind": "asNeeded", "maxPer24h": 4, "minGapMinutes": 240 });
    let a = id(&add_reminder(&app, &pat, &as_needed).await);
    let res = occurrences(
        &app,
        &pat,
        &a,
        "2026-03-29T00:00:00Z",
        "2026-03-30T00:00:00Z",
    )
    .await;
    assert_eq!(res.json()["occurrences"], json!([]));

    for (from, until) in [
        ("2026-03-01T00:00:00Z", "2026-06-01T00:00:01Z"),
        ("2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z"),
        ("soon", "2026-03-01T00:00:00Z"),
    ] {
        occurrences(&app, &pat, &r, from, until)
            .await
            .assert_problem(400, pt::BAD_REQUEST);
    }
    let longest = occurrences(
        &app,
        &pat,
        &r,
        "2026-03-01T00:00:00Z",
        "2026-06-01T00:00:00Z",
    )
    .await;
    // 25 March to 31 May.
    assert_eq!(
        longest.json()["occurrences"].as_array().unwrap().len(),
        7 + 30 + 31
    );
    occurrences(
        &app,
        &pat,
        "nope",
        "2026-03-01T00:00:00Z",
        "2026-03-02T00:00:00Z",
    )
    .await
    .assert_problem(404, pt::NOT_FOUND);
}

/// The content lines of a calendar, unfolded.
fn unfolded(text: &str) -> Vec<String> {
    text.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn assert_well_formed(text: &str) {
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let lines = unfolded(text);
    let opened = lines.iter().filter(|l| l.starts_with("BEGIN:")).count();
    let closed = lines.iter().filter(|l| l.starts_with("END:")).count();
    assert_eq!(opened, closed);
}

#[tokio::test]
async fn calendar_files_are_well_formed_icalendar() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Mum").await;
    let p = id(&person);
    let mut visible = reminder_body(&p);
    visible["medicine"] = "Co-codamol, extra strength; night \\ day".into();
    visible["strength"] = "30/500 mg".into();
    visible["doseAmount"] = "2".into();
    visible["instructions"] = format!("Take with water.\nDo not drive. {}", "Ü".repeat(60)).into();
    let visible = add_reminder(&app, &pat, &visible).await;
    let mut hidden = reminder_body(&p);
    hidden["medicine"] = "Sertraline".into();
    hidden["strength"] = "50 mg".into();
    hidden["instructions"] = "Private".into();
    hidden["hideNameInCalendar"] = true.into();
    hidden["schedule"] = json!({
        "zone": "America/New_York",
        "start": "2026-03-02",
        "end": "2026-12-31",
        "pattern": { "kind": "weekly", "days": ["mon", "wed", "fri"], "times": ["09:00"] }
    });
    let hidden = add_reminder(&app, &pat, &hidden).await;
    let mut as_needed = reminder_body(&p);
    as_needed["medicine"] = "Salbutamol".into();
    as_needed["schedule"]["pattern"] =
        json!({ "kind": "asNeeded", "maxPer24h": 8, "minGapMinutes": 60 });
    add_reminder(&app, &pat, &as_needed).await;

    let res = call(
        &app,
        Method::GET,
        &format!("{PEOPLE}/{p}/calendar.ics"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(
        res.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(
        res.header("content-disposition"),
        Some("attachment; filename=\"Mum.ics\"; filename*=UTF-8''Mum.ics")
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let text = res.text();
    assert_well_formed(&text);
    assert!(
        text.split("\r\n").any(|l| l.starts_with(' ')),
        "long lines are folded"
    );
    let lines = unfolded(&text);
    let has = |l: &str| lines.iter().any(|x| x == l);
    assert!(has("VERSION:2.0"));
    assert!(has("X-WR-CALNAME:Medicines: Mum"));
    // One VTIMEZONE per zone, with both kinds of observance.
    for zone in ["Europe/London", "America/New_York"] {
        assert!(has(&format!("TZID:{zone}")), "{zone}");
    }
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VTIMEZONE").count(), 2);
    assert!(has("BEGIN:DAYLIGHT") && has("BEGIN:STANDARD"));
    assert!(has("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
    // New York's reminder ends in 2026; its zone's rules are given without end all the same.
    let new_york = lines
        .iter()
        .skip_while(|l| *l != "TZID:America/New_York")
        .take_while(|l| *l != "END:VTIMEZONE")
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        new_york.contains("BEGIN:DAYLIGHT\nDTSTART:20260308T020000\nTZOFFSETFROM:-0500\nTZOFFSETTO:-0400\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\nTZNAME:EDT"),
        "{new_york}"
    );
    assert!(
        new_york.contains("BEGIN:STANDARD\nDTSTART:20261101T020000\nTZOFFSETFROM:-0400\nTZOFFSETTO:-0500\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\nTZNAME:EST"),
        "{new_york}"
    );
    // Two times a day, one weekly series; none for the as-needed medicine.
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 3);
    assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VALARM").count(), 3);
    assert_eq!(lines.iter().filter(|l| *l == "TRIGGER:PT0M").count(), 3);
    assert_eq!(lines.iter().filter(|l| *l == "ACTION:DISPLAY").count(), 3);
    assert!(has(&format!("UID:{}.t0800@patient-portal", id(&visible))));
    assert!(has(&format!("UID:{}.t0900@patient-portal", id(&hidden))));
    assert!(has("DTSTART;TZID=Europe/London:20260301T080000"));
    assert!(has("DTSTART;TZID=Europe/London:20260301T200000"));
    assert!(has("DTSTART;TZID=America/New_York:20260302T090000"));
    assert!(has(
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270101T045959Z"
    ));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("DTSTAMP:") && l.ends_with('Z')));
    // Text escaped.
    assert!(has(
        "SUMMARY:Co-codamol\\, extra strength\\; night \\\\ day 30/500 mg"
    ));
    assert!(has(&format!(
        "DESCRIPTION:Take 2 tablets.\\nTake with water.\\nDo not drive. {}",
        "Ü".repeat(60)
    )));
    // Hidden: nothing about the medicine.
    assert!(has("SUMMARY:Medicine reminder"));
    for secret in ["Sertraline", "50 mg", "Private", "Salbutamol"] {
        assert!(!text.contains(secret), "{secret} is in the file");
    }

    call(
        &app,
        Method::GET,
        &format!("{PEOPLE}/nobody/calendar.ics"),
        None,
        Some(&pat),
        None,
    )
    .await
    .assert_problem(404, pt::NOT_FOUND);
}

fn without_stamp(text: &str) -> String {
    unfolded(text)
        .into_iter()
        .filter(|l| !l.starts_with("DTSTAMP:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn calendar_feeds_have_secret_addresses_that_rotate_and_end() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    let person = add_person(&app, &pat, "Mum").await;
    let p = id(&person);
    add_reminder(&app, &pat, &reminder_body(&p)).await;
    let token_path = format!("{PEOPLE}/{p}/calendar-token");

    let status = call(&app, Method::GET, &token_path, None, Some(&pat), None).await;
    assert_eq!(status.json()["since"], Value::Null, "{}", status.text());
    let res = call(&app, Method::POST, &token_path, None, Some(&pat), None).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text());
    let first = res.json()["url"].as_str().unwrap().to_owned();
    // Since when an address works is known; the address itself is not given again.
    let status = call(&app, Method::GET, &token_path, None, Some(&pat), None).await;
    let since: jiff::Timestamp = status.json()["since"].as_str().unwrap().parse().unwrap();
    assert!((since.as_second() - app.state.clock.now()).abs() <= 2);
    assert!(!status.text().contains("/calendar/"));
    let token = first
        .strip_prefix("/calendar/")
        .and_then(|t| t.strip_suffix(".ics"))
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 43, "32 bytes, base64url");
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));

    // Without a session, as a calendar app fetches it: the same file as the signed-in download.
    let feed = app.get(&first).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.text());
    assert_eq!(
        feed.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(feed.header("cache-control"), Some("no-store"));
    assert!(feed.set_cookies().is_empty());
    assert_well_formed(&feed.text());
    let download = call(
        &app,
        Method::GET,
        &format!("{PEOPLE}/{p}/calendar.ics"),
        None,
        Some(&pat),
        None,
    )
    .await;
    assert_eq!(without_stamp(&feed.text()), without_stamp(&download.text()));

    // Asked in German, as the app asks when German is showing: the same events in German words;
    // a language the portal lacks gets English.
    let german = app.get(&format!("{first}?lang=de")).await;
    assert_eq!(german.status, StatusCode::OK, "{}", german.text());
    assert_well_formed(&german.text());
    assert!(
        german.text().contains("X-WR-CALNAME:Arzneimittel: Mum"),
        "{}",
        german.text()
    );
    assert!(
        german.text().contains("DESCRIPTION:1 Tablette einnehmen."),
        "{}",
        german.text()
    );
    let unknown = app.get(&format!("{first}?lang=pt")).await;
    assert_eq!(without_stamp(&unknown.text()), without_stamp(&feed.text()));
    assert!(
        feed.text().contains("DESCRIPTION:Take 1 tablet."),
        "{}",
        feed.text()
    );

    // Only the hash is kept, and no idempotency record holds the address.
    let (rows, plain): (i64, i64) = app
        .state
        .db
        .call_blocking({
            let token = token.clone();
            move |c| {
                Ok((
                    c.query_row("SELECT COUNT(*) FROM calendar_tokens", [], |r| r.get(0))?,
                    c.query_row(
                        "SELECT (SELECT COUNT(*) FROM calendar_tokens WHERE CAST(token_hash AS TEXT) = ?1)
                              + (SELECT COUNT(*) FROM idempotency_keys WHERE CAST(body AS TEXT) LIKE '%' || ?1 || '%')",
                        [&token],
                        |r| r.get(0),
                    )?,
                ))
            }
        })
        .unwrap();
    assert_eq!((rows, plain), (1, 0));
    let keyed = app
        .send_json(
            Method::POST,
            &token_path,
            &json!(null),
            Some("key-1"),
            Some(&pat),
        )
        .await;
    assert_eq!(keyed.status, StatusCode::CREATED);
    let replay = app
        .send_json(
            Method::POST,
            &token_path,
            &json!(null),
            Some("key-1"),
            Some(&pat),
        )
        .await;
    assert_ne!(keyed.json()["url"], replay.json()["url"], "never replayed");
    assert!(replay.header("idempotent-replayed").is_none());

    // Rotating ends the earlier addresses.
    let rotated = call(&app, Method::POST, &token_path, None, Some(&pat), None).await;
    let second = rotated.json()["url"].as_str().unwrap().to_owned();
    assert_ne!(first, second);
    app.get(&first).await.assert_problem(404, pt::NOT_FOUND);
    app.get(keyed.json()["url"].as_str().unwrap())
        .await
        .assert_problem(404, pt::NOT_FOUND);
    assert_eq!(app.get(&second).await.status, StatusCode::OK);
    // Without the .ics ending it is the same feed.
    assert_eq!(
        app.get(second.strip_suffix(".ics").unwrap()).await.status,
        StatusCode::OK
    );

    // Revoking ends it; revoking again is fine.
    for _ in 0..2 {
        let res = call(&app, Method::DELETE, &token_path, None, Some(&pat), None).await;
        assert_eq!(res.status, StatusCode::NO_CONTENT);
    }
    app.get(&second).await.assert_problem(404, pt::NOT_FOUND);
    for junk in [
        "/calendar/x.ics",
        "/calendar/%00",
        &format!("/calendar/{}.ics", "A".repeat(43)),
    ] {
        app.get(junk).await.assert_problem(404, pt::NOT_FOUND);
    }
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    common::field_codes_where(problem, |d| d.ends_with('.'))
}
