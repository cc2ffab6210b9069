//! Helpers shared by the integration tests: an app on a temporary database and static directory,
//! and short ways to send requests through the router without a network.
#![allow(dead_code)]

use axum::{
    body::Body,
    extract::ConnectInfo,
    http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode},
    Router,
};
use http_body_util::BodyExt;
use portal_backend::{router_with, AppState, Settings};
use serde_json::Value;
use std::{net::SocketAddr, path::PathBuf};
use tempfile::TempDir;
use tower::ServiceExt;

pub const INLINE_SCRIPT: &str =
    "import init from '/patient-portal-0123456789abcdef.js';init('/patient-portal-0123456789abcdef_bg.wasm');";

pub fn index_html() -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <link rel=\"stylesheet\" href=\"/main-0123456789abcdef.css\">\
         <script type=\"module\">{INLINE_SCRIPT}</script></head>\
         <body><noscript>Portal</noscript></body></html>"
    )
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub dir: TempDir,
}

impl TestApp {
    pub fn new() -> TestApp {
        Self::build(Router::new(), |_| {}, true)
    }

    pub fn with_api_routes(extra: Router<AppState>) -> TestApp {
        Self::build(extra, |_| {}, true)
    }

    pub fn with_settings(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        Self::build(Router::new(), adjust, true)
    }

    pub fn without_app_build() -> TestApp {
        Self::build(Router::new(), |_| {}, false)
    }

    fn build(
        extra: Router<AppState>,
        adjust: impl FnOnce(&mut Settings),
        with_static: bool,
    ) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let static_dir = dir.path().join("dist");
        if with_static {
            write_fixture_app(&static_dir);
        }
        let mut settings = Settings::new(static_dir);
        adjust(&mut settings);
        let state = AppState::open(settings, &Self::db_path_in(&dir)).unwrap();
        // Time moves only when a test says so: cookie lifetimes and expiries are exact.
        state.clock.stop();
        let router = router_with(state.clone(), extra);
        TestApp { state, router, dir }
    }

    pub fn db_path_in(dir: &TempDir) -> PathBuf {
        dir.path().join("data/portal.sqlite3")
    }

    /// Signs out the session behind `cookie`.
    pub async fn sign_out(&self, cookie: &str) -> TestResponse {
        self.send(
            request(Method::DELETE, "/api/v1/session")
                .header(axum::http::header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// How many sessions the database holds: signing out or expiring must delete the row, not just the cookie.
    pub fn session_rows(&self) -> i64 {
        self.state
            .db
            .call_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))?))
            .unwrap()
    }

    pub fn static_dir(&self) -> PathBuf {
        self.state.settings.static_dir.clone()
    }

    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        send(&self.router, req).await
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(request(Method::GET, path).body(Body::empty()).unwrap())
            .await
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> TestResponse {
        self.send(
            request(Method::GET, path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> TestResponse {
        self.send(json_request(Method::POST, path, body)).await
    }

    /// Sends `body` as JSON, with an `Idempotency-Key` and a `Cookie` header when given.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &Value,
        key: Option<&str>,
        cookie: Option<&str>,
    ) -> TestResponse {
        let mut req = json_request(method, path, body);
        if let Some(key) = key {
            req.headers_mut()
                .insert("idempotency-key", HeaderValue::from_str(key).unwrap());
        }
        if let Some(cookie) = cookie {
            req.headers_mut()
                .insert(header::COOKIE, HeaderValue::from_str(cookie).unwrap());
        }
        self.send(req).await
    }

    /// Sends an inquiry under a fresh idempotency key, as the app's outbox does for a new one.
    pub async fn send_inquiry(&self, body: &Value, cookie: Option<&str>) -> TestResponse {
        self.send_json(
            Method::POST,
            "/api/v1/inquiries",
            body,
            Some(&fresh_key()),
            cookie,
        )
        .await
    }

    /// How many inquiries the database holds: a retried or duplicated request must not add one.
    pub fn inquiry_rows(&self) -> i64 {
        self.state
            .db
            .call_blocking(|c| Ok(c.query_row("SELECT COUNT(*) FROM inquiries", [], |r| r.get(0))?))
            .unwrap()
    }

    pub async fn sign_in_raw(&self, email: &str, password: &str) -> TestResponse {
        self.post_json(
            "/api/v1/session",
            &serde_json::json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Signs in and returns the `Cookie` header value to send back.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let res = self.sign_in_raw(email, password).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        res.session_cookie()
            .expect("sign-in sets the session cookie")
    }
}

/// A random idempotency key, like the UUIDs the app sends.
pub fn fresh_key() -> String {
    portal_backend::seed::new_id()
}

/// An inquiry that passes every check: a patient asking by email about a listed product.
pub fn valid_inquiry() -> Value {
    serde_json::json!({
        "asker": "patient",
        "productId": "brelora",
        "topic": "storage",
        "question": "Can I keep my inhaler in the car?",
        "hadSafetyEvent": false,
        "contactMethod": "email",
        "name": "Pat Example",
        "email": "pat@example.com",
        "country": "GB",
        "language": "en",
        "consentContact": true
    })
}

/// [`valid_inquiry`] reporting a side effect, with what a safety report needs.
pub fn safety_inquiry() -> Value {
    let mut v = valid_inquiry();
    v["topic"] = "side_effects".into();
    v["question"] = "Is a rash after the first week normal?".into();
    v["hadSafetyEvent"] = true.into();
    v["safety"] = serde_json::json!({
        "kinds": ["side_effect"],
        "initials": "PE",
        "age": "67",
        "sex": "female",
        "whatHappened": "A rash on both arms",
        "whenItHappened": "A week after starting",
        "batchNumber": "B1234",
        "outcome": "recovering"
    });
    v["consentSafetyFollowUp"] = true.into();
    v
}

pub fn write_fixture_app(static_dir: &std::path::Path) {
    std::fs::create_dir_all(static_dir.join("snippets/patient-portal-0123456789abcdef")).unwrap();
    std::fs::write(static_dir.join("index.html"), index_html()).unwrap();
    std::fs::write(
        static_dir.join("patient-portal-0123456789abcdef.js"),
        "export default function init() {}",
    )
    .unwrap();
    std::fs::write(
        static_dir.join("patient-portal-0123456789abcdef_bg.wasm"),
        b"\0asm\x01\0\0\0",
    )
    .unwrap();
    std::fs::write(static_dir.join("main-0123456789abcdef.css"), "body{}").unwrap();
    std::fs::write(
        static_dir.join("snippets/patient-portal-0123456789abcdef/inline0.js"),
        "export const x = 1;",
    )
    .unwrap();
    std::fs::write(static_dir.join("favicon.svg"), "<svg/>").unwrap();
}

pub fn request(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path)
}

pub fn json_request(method: Method, path: &str, body: &Value) -> Request<Body> {
    request(method, path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

/// A request that appears to come from `ip`, as `into_make_service_with_connect_info` would mark it.
pub fn from_ip(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr: SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

pub async fn send(router: &Router, req: Request<Body>) -> TestResponse {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let route_miss = res
        .extensions()
        .get::<portal_backend::problem::RouteMiss>()
        .is_some();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    TestResponse {
        status,
        headers,
        body,
        route_miss,
    }
}

#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The router found no route (or no method) for the request.
    pub route_miss: bool,
}

impl TestResponse {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v: &HeaderValue| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// `__Host-portal_session=<token>` from the response's `Set-Cookie`, if it sets a non-empty one.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies().into_iter().find_map(|c| {
            let pair = c.split(';').next()?.trim().to_owned();
            let value = pair.strip_prefix("__Host-portal_session=")?;
            (!value.is_empty()).then_some(pair)
        })
    }

    /// Asserts the answer `GET /api/v1/session` gives when nobody is signed in.
    pub fn assert_nobody_signed_in(&self) {
        assert_eq!(self.status, StatusCode::NO_CONTENT, "body: {}", self.text());
        assert!(self.body.is_empty(), "body: {}", self.text());
    }

    /// Asserts an RFC 9457 problem with this status and type, and returns it.
    pub fn assert_problem(&self, status: u16, type_uri: &str) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text()
        );
        let p = self.json();
        assert_eq!(p["type"], type_uri, "{p}");
        assert_eq!(p["status"], status, "{p}");
        assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()), "{p}");
        p
    }
}

/// A session of each demo account.
pub async fn pat(app: &TestApp) -> String {
    app.sign_in("pat@example.com", "patient-demo").await
}

pub async fn cara(app: &TestApp) -> String {
    app.sign_in("cara@example.com", "caregiver-demo").await
}

pub async fn eddie(app: &TestApp) -> String {
    app.sign_in("eddie@example.com", "editor-demo").await
}

pub async fn mia(app: &TestApp) -> String {
    app.sign_in("mia@example.com", "medinfo-demo").await
}

/// The (field, code) pairs of a validation problem, asserting `detail_ok` of every detail.
pub fn field_codes_where(problem: &Value, detail_ok: fn(&str) -> bool) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["detail"].as_str().is_some_and(detail_ok), "{e}");
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect()
}
