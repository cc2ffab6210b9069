mod common;

use axum::{
    body::Body,
    http::{header, Method, StatusCode},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use common::{index_html, request, TestApp, TestResponse, INLINE_SCRIPT};
use portal_core::api::{problem_types as pt, RuntimeConfig};
use sha2::{Digest, Sha256};

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    ),
];

fn script_hash(content: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(content.as_bytes()))
    )
}

fn assert_security_headers(res: &TestResponse) {
    for (name, value) in SECURITY_HEADERS {
        assert_eq!(res.header(name), Some(*value), "{name}");
    }
    let csp = res.header("content-security-policy").expect("CSP");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    for directive in [
        "default-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.split(';').any(|d| d.trim() == directive),
            "{directive} missing in {csp}"
        );
    }
}

#[tokio::test]
async fn index_has_no_cache_and_a_policy_admitting_its_inline_script() {
    let app = TestApp::new();
    let res = app.get("/").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), index_html());
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    assert_security_headers(&res);
    let csp = res.header("content-security-policy").unwrap();
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    assert_eq!(
        script_src,
        format!(
            "script-src 'self' 'wasm-unsafe-eval' {}",
            script_hash(INLINE_SCRIPT)
        )
    );
    assert!(csp.contains("connect-src 'self';"), "{csp}");
}

#[tokio::test]
async fn every_response_has_the_security_headers() {
    let app = TestApp::new();
    for path in [
        "/",
        "/records/42",
        "/api/v1/health",
        "/api/v1/nope",
        "/config.json",
        "/favicon.svg",
    ] {
        assert_security_headers(&app.get(path).await);
    }
    assert_security_headers(&TestApp::without_app_build().get("/").await);
}

#[tokio::test]
async fn unknown_app_paths_fall_back_to_index() {
    let app = TestApp::new();
    for path in [
        "/records",
        "/ask/new?draft=1",
        "/studio/articles/7",
        "/../../etc/passwd",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.text(), index_html(), "{path}");
        assert_eq!(res.header("cache-control"), Some("no-cache"), "{path}");
    }
}

#[tokio::test]
async fn a_missing_file_is_not_found_rather_than_the_apps_page() {
    let app = TestApp::new();
    for path in [
        // A bundle an open page still asks for after a new build replaced it.
        "/patient-portal-0123456789abcdee.js",
        "/patient-portal-0123456789abcdee_bg.wasm",
        "/missing.png",
        "/%2e%2e/Cargo.toml",
        "/.hidden",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!res.text().contains("<html"), "{path}");
        assert_eq!(res.header("cache-control"), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_with_the_right_types() {
    let app = TestApp::new();
    let cases = [
        (
            "/patient-portal-0123456789abcdef.js",
            "text/javascript; charset=utf-8",
        ),
        (
            "/patient-portal-0123456789abcdef_bg.wasm",
            "application/wasm",
        ),
        ("/main-0123456789abcdef.css", "text/css; charset=utf-8"),
        (
            "/snippets/patient-portal-0123456789abcdef/inline0.js",
            "text/javascript; charset=utf-8",
        ),
    ];
    for (path, content_type) in cases {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::OK, "{path}");
        assert_eq!(res.header("content-type"), Some(content_type), "{path}");
        assert_eq!(
            res.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{path}"
        );
    }
    let res = app.get("/favicon.svg").await;
    assert_eq!(res.header("content-type"), Some("image/svg+xml"));
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    let res = app.get("/index.html").await;
    assert_eq!(res.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn revalidation_answers_304() {
    let app = TestApp::new();
    let first = app.get("/favicon.svg").await;
    let etag = first.header("etag").unwrap().to_owned();
    let res = app
        .send(
            request(Method::GET, "/favicon.svg")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    assert!(res.body.is_empty());
    let index_etag = app.get("/").await.header("etag").unwrap().to_owned();
    let res = app
        .send(
            request(Method::GET, "/")
                .header(header::IF_NONE_MATCH, &index_etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_MODIFIED);
    assert_eq!(res.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn head_requests_get_headers_only() {
    let app = TestApp::new();
    let res = app
        .send(request(Method::HEAD, "/").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.is_empty());
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
}

#[tokio::test]
async fn writes_to_app_paths_are_not_allowed() {
    let app = TestApp::new();
    let res = app
        .send(
            request(Method::POST, "/records")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    res.assert_problem(405, pt::METHOD_NOT_ALLOWED);
    assert_eq!(res.header("allow"), Some("GET,HEAD"));
}

#[tokio::test]
async fn a_missing_build_is_explained_and_the_api_still_works() {
    let app = TestApp::without_app_build();
    for path in ["/", "/records/1", "/index.html"] {
        let res = app.get(path).await;
        assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(res
            .header("content-type")
            .unwrap()
            .starts_with("text/plain"));
        assert!(res.text().contains("not built"), "{}", res.text());
    }
    assert_eq!(app.get("/api/v1/health").await.status, StatusCode::OK);
    assert_eq!(app.get("/config.json").await.status, StatusCode::OK);
}

#[tokio::test]
async fn policy_follows_a_rebuilt_index() {
    let app = TestApp::new();
    let script = "console.log('rebuilt')";
    std::fs::write(
        app.static_dir().join("index.html"),
        format!("<html><script>{script}</script></html>"),
    )
    .unwrap();
    let res = app.get("/").await;
    let csp = res.header("content-security-policy").unwrap();
    assert!(csp.contains(&script_hash(script)), "{csp}");
    assert!(!csp.contains(&script_hash(INLINE_SCRIPT)), "{csp}");
}

#[tokio::test]
async fn api_answers_are_never_cached() {
    let app = TestApp::new();
    for path in [
        "/api/v1/health",
        "/api/v1/session",
        "/api/v1/unknown",
        "/api/elsewhere",
    ] {
        assert_eq!(
            app.get(path).await.header("cache-control"),
            Some("no-store"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn only_shareable_successes_may_be_cached_and_they_carry_no_cookie() {
    use axum::{response::IntoResponse, routing::get, Router};
    use portal_backend::Shareable;
    fn answer(status: StatusCode, shareable: bool) -> axum::response::Response {
        let mut res = (
            status,
            [
                (header::CACHE_CONTROL, "public, max-age=60"),
                (header::SET_COOKIE, "__Host-portal_session=; Max-Age=0"),
            ],
            "x",
        )
            .into_response();
        if shareable {
            res.extensions_mut().insert(Shareable);
        }
        res
    }
    let routes = Router::new()
        .route(
            "/test/plain",
            get(|| async { answer(StatusCode::OK, false) }),
        )
        .route(
            "/test/shared",
            get(|| async { answer(StatusCode::OK, true) }),
        )
        .route(
            "/test/shared-error",
            get(|| async { answer(StatusCode::NOT_FOUND, true) }),
        );
    let app = TestApp::with_api_routes(routes);

    let res = app.get("/api/v1/test/plain").await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(
        res.set_cookies().len(),
        1,
        "cookies of private answers stay"
    );
    let res = app.get("/api/v1/test/shared").await;
    assert_eq!(res.header("cache-control"), Some("public, max-age=60"));
    assert!(res.set_cookies().is_empty());
    let res = app.get("/api/v1/test/shared-error").await;
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn config_json_reflects_settings() {
    let app = TestApp::with_settings(|s| {
        s.runtime.api_base_url = "https://api.example.org/api/v1".into();
        s.runtime.emergency_number = "999".into();
        s.runtime.idle_sign_out_minutes = 7;
    });
    let res = app.get("/config.json").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    assert_eq!(res.header("content-type"), Some("application/json"));
    let config: RuntimeConfig = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(config, app.state.settings.runtime);
    assert_eq!(config.emergency_number, "999");
    assert_eq!(config.idle_sign_out_minutes, 7);
    assert!(config.validate().is_ok());
    let json = res.json();
    for key in [
        "apiBaseUrl",
        "medicalInformationPhone",
        "medicalInformationEmail",
        "emergencyNumber",
        "idleSignOutMinutes",
        "privacyNoticeUrl",
        "requestTimeoutMs",
    ] {
        assert!(json.get(key).is_some(), "{key} missing: {json}");
    }
    // An API on another origin must be reachable from the app.
    let csp = res.header("content-security-policy").unwrap().to_owned();
    assert!(
        csp.contains("connect-src 'self' https://api.example.org;"),
        "{csp}"
    );
}

#[tokio::test]
async fn pre_compressed_copies_go_to_browsers_that_accept_them() {
    let app = TestApp::new();
    let wasm = "patient-portal-0123456789abcdef_bg.wasm";
    let dir = app.static_dir();
    std::fs::write(dir.join(format!("{wasm}.br")), b"brotli bytes").unwrap();
    std::fs::write(dir.join(format!("{wasm}.gz")), b"gzip bytes").unwrap();
    let get = |accept: &'static str| {
        request(Method::GET, &format!("/{wasm}"))
            .header(header::ACCEPT_ENCODING, accept)
            .body(Body::empty())
            .unwrap()
    };

    let br = app.send(get("gzip, deflate, br")).await;
    assert_eq!(br.status, StatusCode::OK);
    assert_eq!(br.body, b"brotli bytes");
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(br.header("content-type"), Some("application/wasm"));
    assert_eq!(br.header("vary"), Some("accept-encoding"));
    assert!(br.header("cache-control").unwrap().contains("immutable"));

    let gz = app.send(get("gzip")).await;
    assert_eq!(gz.body, b"gzip bytes");
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_ne!(gz.header("etag"), br.header("etag"));

    let plain = app.send(get("identity")).await;
    assert_eq!(plain.body, b"\0asm\x01\0\0\0");
    assert_eq!(plain.header("content-encoding"), None);

    // A file without a compressed copy is sent as it is, whatever the browser accepts.
    let css = app
        .send(
            request(Method::GET, "/main-0123456789abcdef.css")
                .header(header::ACCEPT_ENCODING, "br")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(css.text(), "body{}");
    assert_eq!(css.header("content-encoding"), None);
}

#[tokio::test]
async fn each_address_gets_the_page_of_its_bundle_with_its_script_allowed() {
    let app = TestApp::new();
    let care_script = "import init from '/care-0123456789abcdef.js'; init();";
    let care = format!(
        "<!doctype html><html><head><script type=\"module\">{care_script}</script></head></html>"
    );
    std::fs::write(app.static_dir().join("care.html"), &care).unwrap();

    let res = app.get("/reminders/edit/r1").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.text(), care);
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    assert!(res
        .header("content-security-policy")
        .unwrap()
        .contains(&script_hash(care_script)));
    // The main page's script stays allowed after another page was served.
    let home = app.get("/learn").await;
    assert_eq!(home.text(), index_html());
    let csp = home.header("content-security-policy").unwrap();
    assert!(csp.contains(&script_hash(INLINE_SCRIPT)), "{csp}");
    assert!(csp.contains(&script_hash(care_script)), "{csp}");

    // Studio was not built here: its addresses fall back to the main page.
    let studio = app.get("/studio").await;
    assert_eq!(studio.text(), index_html());
}
