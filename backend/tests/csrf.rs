mod common;

use axum::{
    body::Body,
    http::{header, Method, Request, StatusCode},
    routing::any,
    Router,
};
use common::{json_request, request, TestApp, TestResponse};
use portal_backend::{problem::extra_types, AppState};
use portal_core::api::problem_types as pt;
use serde_json::json;

const HOST: &str = "portal.example.com";

fn sign_in_request(headers: &[(&'static str, &str)]) -> Request<Body> {
    let mut req = json_request(
        Method::POST,
        "/api/v1/session",
        &json!({ "email": "pat@example.com", "password": "patient-demo" }),
    );
    req.headers_mut()
        .insert(header::HOST, HOST.parse().unwrap());
    for (name, value) in headers {
        req.headers_mut().insert(*name, value.parse().unwrap());
    }
    req
}

fn assert_refused(res: &TestResponse) {
    let problem = res.assert_problem(403, extra_types::CROSS_SITE_REQUEST);
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("refused to protect your account"),
        "{detail}"
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert!(res.session_cookie().is_none());
}

#[tokio::test]
async fn sign_in_from_another_site_is_refused() {
    let app = TestApp::new();
    for site in ["cross-site", "same-site"] {
        let res = app.send(sign_in_request(&[("sec-fetch-site", site)])).await;
        assert_refused(&res);
    }
    assert_eq!(app.session_rows(), 0);
}

#[tokio::test]
async fn same_origin_and_typed_requests_pass() {
    let app = TestApp::new();
    for site in ["same-origin", "none"] {
        let res = app.send(sign_in_request(&[("sec-fetch-site", site)])).await;
        assert_eq!(res.status, StatusCode::OK, "{site}: {}", res.text());
    }
    // What the app's own fetches carry: both headers, both pointing home.
    let res = app
        .send(sign_in_request(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "http://portal.example.com"),
        ]))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn requests_without_either_header_pass() {
    // curl, server-to-server calls and every other test in this suite send neither header.
    let app = TestApp::new();
    let res = app.send(sign_in_request(&[])).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn a_foreign_origin_is_refused_even_without_fetch_metadata() {
    let app = TestApp::new();
    for origin in [
        "https://evil.example",
        "http://portal.example.com:8080",
        "https://portal.example.com",
        "null",
    ] {
        let res = app.send(sign_in_request(&[("origin", origin)])).await;
        assert_refused(&res);
    }
}

#[tokio::test]
async fn behind_a_tls_proxy_the_https_origin_is_our_own() {
    let app = TestApp::new();
    let res = app
        .send(sign_in_request(&[
            ("origin", "https://portal.example.com"),
            ("x-forwarded-proto", "https"),
            ("sec-fetch-site", "same-origin"),
        ]))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // The proxy says https, so a plain-http page on the same host is another origin.
    let res = app
        .send(sign_in_request(&[
            ("origin", "http://portal.example.com"),
            ("x-forwarded-proto", "https"),
        ]))
        .await;
    assert_refused(&res);
}

#[tokio::test]
async fn configured_origins_may_send_from_a_neighbouring_site() {
    let app = TestApp::with_settings(|s| {
        s.allowed_origins = vec!["https://app.example.com".to_owned()];
    });
    let res = app
        .send(sign_in_request(&[
            ("origin", "https://app.example.com"),
            ("sec-fetch-site", "same-site"),
        ]))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    // Only that one.
    let res = app
        .send(sign_in_request(&[
            ("origin", "https://other.example.com"),
            ("sec-fetch-site", "same-site"),
        ]))
        .await;
    assert_refused(&res);
    // A cross-site request without an Origin cannot prove it comes from the configured one.
    let res = app
        .send(sign_in_request(&[("sec-fetch-site", "cross-site")]))
        .await;
    assert_refused(&res);
}

#[tokio::test]
async fn a_cross_site_sign_out_does_not_end_the_session() {
    let app = TestApp::new();
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    let res = app
        .send(
            request(Method::DELETE, "/api/v1/session")
                .header(header::COOKIE, &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_refused(&res);
    assert_eq!(res.header("clear-site-data"), None);
    assert_eq!(app.session_rows(), 1);
    assert_eq!(
        app.get_with_cookie("/api/v1/session", &cookie).await.status,
        StatusCode::OK
    );
}

fn echo_routes() -> Router<AppState> {
    Router::new().route("/test/echo", any(|| async { "done" }))
}

#[tokio::test]
async fn every_unsafe_method_is_checked_and_safe_ones_are_not() {
    let app = TestApp::with_api_routes(echo_routes());
    let send = |method: Method, site: &str| {
        request(method, "/api/v1/test/echo")
            .header("sec-fetch-site", site)
            .body(Body::empty())
            .unwrap()
    };
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        assert_refused(&app.send(send(method.clone(), "cross-site")).await);
        let res = app.send(send(method.clone(), "same-origin")).await;
        assert_eq!(res.status, StatusCode::OK, "{method}");
    }
    for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
        let res = app.send(send(method.clone(), "cross-site")).await;
        assert_eq!(res.status, StatusCode::OK, "{method}");
    }
    // Cross-site reads of personal data still need the (SameSite=Strict) cookie.
    app.send(
        request(Method::GET, "/api/v1/people")
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_problem(401, pt::UNAUTHENTICATED);
}
