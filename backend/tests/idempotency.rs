mod common;

use axum::{
    body::Body,
    http::{header, Method, StatusCode},
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use common::{request, TestApp, TestResponse};
use portal_backend::{auth::CurrentUser, AppState};
use portal_core::api::problem_types as pt;
use serde_json::{json, Value};
use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};
use tokio::sync::Notify;

#[derive(Clone, Default)]
struct Probe {
    calls: Arc<AtomicUsize>,
    release: Arc<Notify>,
}

impl Probe {
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn routes(probe: &Probe) -> Router<AppState> {
    let counter = probe.clone();
    let flaky = probe.clone();
    let gated = probe.clone();
    let whoami = probe.clone();
    let panicky = probe.clone();
    Router::new()
        .route(
            "/test/panicky",
            post(move || {
                let p = panicky.clone();
                async move {
                    if p.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        panic!("handler bug");
                    }
                    Json(json!({ "ok": true }))
                }
            }),
        )
        .route(
            "/test/orders",
            post(move |Json(body): Json<Value>| {
                let p = counter.clone();
                async move {
                    let n = p.calls.fetch_add(1, Ordering::SeqCst) + 1;
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    (
                        StatusCode::CREATED,
                        [(header::LOCATION, format!("/api/v1/test/orders/{n}"))],
                        Json(json!({ "call": n, "echo": body })),
                    )
                }
            }),
        )
        .route(
            "/test/flaky",
            post(move || {
                let p = flaky.clone();
                async move {
                    let n = p.calls.fetch_add(1, Ordering::SeqCst) + 1;
                    if n == 1 {
                        StatusCode::SERVICE_UNAVAILABLE.into_response()
                    } else {
                        Json(json!({ "call": n })).into_response()
                    }
                }
            }),
        )
        .route(
            "/test/gated",
            post(move || {
                let p = gated.clone();
                async move {
                    p.calls.fetch_add(1, Ordering::SeqCst);
                    p.release.notified().await;
                    Json(json!({ "done": true }))
                }
            }),
        )
        .route(
            "/test/whoami",
            post(move |user: Option<CurrentUserName>| {
                let p = whoami.clone();
                async move {
                    let n = p.calls.fetch_add(1, Ordering::SeqCst) + 1;
                    Json(json!({ "call": n, "user": user.map(|u| u.0) }))
                }
            }),
        )
}

/// The signed-in user's name, or nothing, without failing the request.
struct CurrentUserName(String);

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUserName {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        use axum::extract::FromRequestParts;
        Ok(CurrentUser::from_request_parts(parts, state)
            .await
            .ok()
            .map(|u| CurrentUserName(u.display_name.clone())))
    }
}

fn post_with_key(
    path: &str,
    key: Option<&str>,
    body: &Value,
    cookie: Option<&str>,
) -> axum::http::Request<Body> {
    let mut b = request(Method::POST, path).header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        b = b.header("Idempotency-Key", k);
    }
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

async fn post_json(app: &TestApp, path: &str, key: Option<&str>, body: &Value) -> TestResponse {
    app.send(post_with_key(path, key, body, None)).await
}

#[tokio::test]
async fn repeat_with_the_same_key_replays_the_first_answer() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    let body = json!({ "item": "inhaler" });
    let first = post_json(&app, "/api/v1/test/orders", Some("key-1"), &body).await;
    let second = post_json(&app, "/api/v1/test/orders", Some("key-1"), &body).await;
    assert_eq!(probe.calls(), 1);
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.body, second.body);
    assert_eq!(first.header("content-type"), second.header("content-type"));
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn same_key_with_a_different_request_is_refused() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    post_json(
        &app,
        "/api/v1/test/orders",
        Some("key-2"),
        &json!({ "item": "a" }),
    )
    .await;
    post_json(
        &app,
        "/api/v1/test/orders",
        Some("key-2"),
        &json!({ "item": "b" }),
    )
    .await
    .assert_problem(422, pt::IDEMPOTENCY_KEY_REUSED);
    // Same body, other path: also a different request.
    post_json(
        &app,
        "/api/v1/test/flaky",
        Some("key-2"),
        &json!({ "item": "a" }),
    )
    .await
    .assert_problem(422, pt::IDEMPOTENCY_KEY_REUSED);
    assert_eq!(probe.calls(), 1);
}

#[tokio::test]
async fn without_a_key_every_request_runs() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    for _ in 0..3 {
        let res = post_json(&app, "/api/v1/test/orders", None, &json!({})).await;
        assert_eq!(res.status, StatusCode::CREATED);
    }
    assert_eq!(probe.calls(), 3);
}

#[tokio::test]
async fn malformed_keys_are_bad_requests() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    let long = "k".repeat(256);
    for key in ["", long.as_str(), "tab\tinside"] {
        post_json(&app, "/api/v1/test/orders", Some(key), &json!({}))
            .await
            .assert_problem(400, pt::BAD_REQUEST);
    }
    let max = "k".repeat(255);
    let res = post_json(&app, "/api/v1/test/orders", Some(&max), &json!({})).await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(probe.calls(), 1);
}

#[tokio::test]
async fn concurrent_duplicates_run_the_handler_once() {
    let probe = Probe::default();
    let app = Arc::new(TestApp::with_api_routes(routes(&probe)));
    let body = json!({ "item": "plaster" });
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let app = app.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            post_json(&app, "/api/v1/test/orders", Some("same-key"), &body).await
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        let res = t.await.unwrap();
        match res.status {
            StatusCode::CREATED => created.push(res.body),
            StatusCode::CONFLICT => {
                res.assert_problem(409, pt::IDEMPOTENCY_IN_PROGRESS);
            }
            other => panic!("unexpected {other}: {}", res.text()),
        }
    }
    assert_eq!(probe.calls(), 1);
    assert!(!created.is_empty());
    assert!(created.windows(2).all(|w| w[0] == w[1]));
    // Once done, a late duplicate gets the replay.
    let late = post_json(&app, "/api/v1/test/orders", Some("same-key"), &body).await;
    assert_eq!(late.status, StatusCode::CREATED);
    assert_eq!(late.body, created[0]);
    assert_eq!(probe.calls(), 1);
}

#[tokio::test]
async fn a_duplicate_while_the_first_runs_gets_409() {
    let probe = Probe::default();
    let app = Arc::new(TestApp::with_api_routes(routes(&probe)));
    let first = {
        let app = app.clone();
        tokio::spawn(
            async move { post_json(&app, "/api/v1/test/gated", Some("g"), &json!({})).await },
        )
    };
    while probe.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    post_json(&app, "/api/v1/test/gated", Some("g"), &json!({}))
        .await
        .assert_problem(409, pt::IDEMPOTENCY_IN_PROGRESS);
    probe.release.notify_one();
    let first = first.await.unwrap();
    assert_eq!(first.status, StatusCode::OK);
    let replay = post_json(&app, "/api/v1/test/gated", Some("g"), &json!({})).await;
    assert_eq!(replay.body, first.body);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(probe.calls(), 1);
}

#[tokio::test]
async fn server_errors_are_not_kept_so_a_retry_runs() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    let first = post_json(&app, "/api/v1/test/flaky", Some("f"), &json!({})).await;
    assert_eq!(first.status, StatusCode::SERVICE_UNAVAILABLE);
    let retry = post_json(&app, "/api/v1/test/flaky", Some("f"), &json!({})).await;
    assert_eq!(retry.status, StatusCode::OK);
    assert_eq!(retry.header("idempotent-replayed"), None);
    let again = post_json(&app, "/api/v1/test/flaky", Some("f"), &json!({})).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(probe.calls(), 2);
}

#[tokio::test]
async fn keys_expire_after_a_day() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    post_json(&app, "/api/v1/test/orders", Some("old"), &json!({})).await;
    app.state.clock.advance(24 * 60 * 60 - 10);
    post_json(&app, "/api/v1/test/orders", Some("old"), &json!({})).await;
    assert_eq!(probe.calls(), 1);
    app.state.clock.advance(20);
    let res = post_json(
        &app,
        "/api/v1/test/orders",
        Some("old"),
        &json!({ "new": true }),
    )
    .await;
    assert_eq!(res.status, StatusCode::CREATED);
    assert_eq!(res.header("idempotent-replayed"), None);
    assert_eq!(probe.calls(), 2);
}

#[tokio::test]
async fn keys_are_scoped_to_the_signed_in_user() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    let pat = app.sign_in("pat@example.com", "patient-demo").await;
    let cara = app.sign_in("cara@example.com", "caregiver-demo").await;
    let mut users = Vec::new();
    for cookie in [
        None,
        Some(pat.as_str()),
        Some(cara.as_str()),
        Some(pat.as_str()),
    ] {
        let res = app
            .send(post_with_key(
                "/api/v1/test/whoami",
                Some("shared"),
                &json!({}),
                cookie,
            ))
            .await;
        assert_eq!(res.status, StatusCode::OK);
        users.push(res.json());
    }
    assert_eq!(probe.calls(), 3);
    assert_eq!(users[0]["user"], Value::Null);
    assert_eq!(users[1]["user"], "Pat Lee");
    assert_eq!(users[2]["user"], "Cara Jones");
    assert_eq!(users[3], users[1]);
}

#[tokio::test]
async fn sign_in_is_never_replayed() {
    let app = TestApp::new();
    let body = json!({ "email": "pat@example.com", "password": "patient-demo" });
    let a = app
        .send(post_with_key("/api/v1/session", Some("k"), &body, None))
        .await;
    let b = app
        .send(post_with_key("/api/v1/session", Some("k"), &body, None))
        .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(b.status, StatusCode::OK);
    assert_eq!(b.header("idempotent-replayed"), None);
    assert_ne!(a.session_cookie(), b.session_cookie());
}

#[tokio::test]
async fn oversized_bodies_with_a_key_are_413() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    let big = json!({ "blob": "x".repeat(70 * 1024) });
    post_json(&app, "/api/v1/test/orders", Some("big"), &big)
        .await
        .assert_problem(413, pt::PAYLOAD_TOO_LARGE);
    assert_eq!(probe.calls(), 0);
}

#[tokio::test]
async fn a_panicking_handler_answers_500_and_releases_the_key() {
    let probe = Probe::default();
    let app = TestApp::with_api_routes(routes(&probe));
    post_json(&app, "/api/v1/test/panicky", Some("p"), &json!({}))
        .await
        .assert_problem(500, pt::INTERNAL);
    // The release runs on the blocking pool; give it a moment.
    let mut retry = post_json(&app, "/api/v1/test/panicky", Some("p"), &json!({})).await;
    for _ in 0..50 {
        if retry.status != StatusCode::CONFLICT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        retry = post_json(&app, "/api/v1/test/panicky", Some("p"), &json!({})).await;
    }
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.text());
    assert_eq!(probe.calls(), 2);
}
