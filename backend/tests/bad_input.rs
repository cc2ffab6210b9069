mod common;

use axum::{
    body::Body,
    http::{header, Method, StatusCode},
};
use common::{request, TestApp, TestResponse};
use portal_core::api::problem_types as pt;
use serde_json::{json, Value};

async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> TestResponse {
    let mut b = request(Method::POST, "/api/v1/session");
    if let Some(ct) = content_type {
        b = b.header(header::CONTENT_TYPE, ct);
    }
    app.send(b.body(body.into()).unwrap()).await
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = TestApp::new();
    for body in ["{", "", "{\"email\": }", "nul", "\u{0}"] {
        post_raw(&app, Some("application/json"), body)
            .await
            .assert_problem(400, pt::BAD_REQUEST);
    }
}

#[tokio::test]
async fn wrong_or_missing_content_type_is_415() {
    let app = TestApp::new();
    let body = r#"{"email":"pat@example.com","password":"patient-demo"}"#;
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
    ] {
        post_raw(&app, ct, body)
            .await
            .assert_problem(415, pt::UNSUPPORTED_MEDIA_TYPE);
    }
    let ok = post_raw(&app, Some("application/json; charset=utf-8"), body).await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn bodies_over_64_kib_are_413() {
    let app = TestApp::new();
    let body = json!({ "email": "pat@example.com", "password": "p".repeat(65 * 1024) }).to_string();
    post_raw(&app, Some("application/json"), body)
        .await
        .assert_problem(413, pt::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn missing_and_invalid_fields_are_422_per_field() {
    let app = TestApp::new();
    let p = post_raw(&app, Some("application/json"), "{}")
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        [pair("email", "required"), pair("password", "required")]
    );

    let p = app
        .post_json(
            "/api/v1/session",
            &json!({ "email": "  ", "password": "x" }),
        )
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(field_codes(&p), [pair("email", "required")]);

    let p = app
        .post_json(
            "/api/v1/session",
            &json!({ "email": "pat-at-example.com", "password": "" }),
        )
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        [pair("email", "invalid_email"), pair("password", "required")]
    );

    let long_email = format!("{}@example.com", "a".repeat(300));
    let p = app
        .post_json(
            "/api/v1/session",
            &json!({ "email": long_email, "password": "p".repeat(2000) }),
        )
        .await
        .assert_problem(422, pt::VALIDATION);
    assert_eq!(
        field_codes(&p),
        [pair("email", "too_long"), pair("password", "too_long")]
    );
}

#[tokio::test]
async fn wrongly_typed_json_is_422() {
    let app = TestApp::new();
    for body in [
        json!({ "email": 5, "password": "x" }),
        json!([]),
        json!("text"),
        Value::Null,
    ] {
        app.post_json("/api/v1/session", &body)
            .await
            .assert_problem(422, pt::VALIDATION);
    }
}

#[tokio::test]
async fn unknown_api_paths_are_404_problems() {
    let app = TestApp::new();
    for path in [
        "/api/v1/nothing",
        "/api/v1/",
        "/api/v1",
        "/api/v2/health",
        "/api",
        "/api/v1/health/extra",
    ] {
        let res = app.get(path).await;
        res.assert_problem(404, pt::NOT_FOUND);
        assert!(res.route_miss, "{path}");
    }
    let res = app
        .send(
            request(Method::POST, "/api/v1/nothing")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    res.assert_problem(404, pt::NOT_FOUND);
}

#[tokio::test]
async fn wrong_methods_are_405_problems_with_allow() {
    let app = TestApp::new();
    let cases = [
        (Method::POST, "/api/v1/health", "GET,HEAD"),
        (Method::PUT, "/api/v1/session", ""),
        (Method::PATCH, "/api/v1/session", ""),
        (Method::DELETE, "/config.json", "GET,HEAD"),
    ];
    for (method, path, allow) in cases {
        let res = app
            .send(request(method.clone(), path).body(Body::empty()).unwrap())
            .await;
        res.assert_problem(405, pt::METHOD_NOT_ALLOWED);
        assert!(res.route_miss);
        let got = res
            .header("allow")
            .unwrap_or_else(|| panic!("{method} {path}: no Allow"));
        if allow.is_empty() {
            let mut methods: Vec<&str> = got.split(',').map(str::trim).collect();
            methods.sort_unstable();
            assert_eq!(
                methods,
                ["DELETE", "GET", "HEAD", "POST"],
                "{method} {path}"
            );
        } else {
            assert_eq!(got, allow, "{method} {path}");
        }
    }
}

#[tokio::test]
async fn odd_cookies_are_just_not_signed_in() {
    let app = TestApp::new();
    for cookie in [
        "__Host-portal_session=",
        "__Host-portal_session",
        "__Host-portal_session=\u{e9}",
        ";;;",
        "__Host-portal_session=AAAA; __Host-portal_session=BBBB",
    ] {
        let res = app
            .send(
                request(Method::GET, "/api/v1/session")
                    .header(header::COOKIE, cookie.as_bytes())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        res.assert_nobody_signed_in();
    }
}

fn field_codes(problem: &Value) -> Vec<(String, String)> {
    common::field_codes_where(problem, |d| !d.is_empty())
}
