mod common;

use axum::{
    body::Body,
    http::{header, Method, StatusCode},
    routing::get,
    Json, Router,
};
use common::{request, TestApp};
use portal_backend::{
    auth::{CurrentUser, Editors, PatientsOrCaregivers, RequireRole},
    seed::DEMO_ACCOUNTS,
    AppState,
};
use portal_core::api::{problem_types as pt, Role, Session};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn every_demo_account_signs_in_with_its_role() {
    let app = TestApp::new();
    for account in DEMO_ACCOUNTS {
        let res = app.sign_in_raw(account.email, account.password).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let session: Session = serde_json::from_slice(&res.body).unwrap();
        assert_eq!(session.user.email, account.email);
        assert_eq!(session.user.role, account.role);
        assert_eq!(session.user.display_name, account.display_name);
        assert_eq!(session.idle_timeout_seconds, 15 * 60);
        let expires: jiff::Timestamp = session.expires_at.parse().unwrap();
        let in_seconds = expires.as_second() - app.state.clock.now();
        assert!((890..=900).contains(&in_seconds), "{in_seconds}");
        assert_eq!(res.header("cache-control"), Some("no-store"));
    }
    let roles: Vec<Role> = DEMO_ACCOUNTS.iter().map(|a| a.role).collect();
    assert_eq!(
        roles,
        [
            Role::Patient,
            Role::Caregiver,
            Role::Editor,
            Role::MedicalInformation
        ]
    );
}

#[tokio::test]
async fn session_cookie_is_locked_down() {
    let app = TestApp::new();
    let res = app.sign_in_raw("pat@example.com", "patient-demo").await;
    let cookies = res.set_cookies();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    let token = attributes[0]
        .strip_prefix("__Host-portal_session=")
        .unwrap();
    assert_eq!(token.len(), 43, "32 bytes in base64url without padding");
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    for expected in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=900",
    ] {
        assert!(
            attributes.contains(&expected),
            "{expected} missing in {cookie}"
        );
    }
    // `__Host-` cookies are refused by browsers if they name a Domain.
    assert!(
        !attributes
            .iter()
            .any(|a| a.to_ascii_lowercase().starts_with("domain")),
        "{cookie}"
    );
}

#[tokio::test]
async fn only_a_hash_of_the_token_is_stored() {
    let app = TestApp::new();
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    let token = cookie
        .strip_prefix("__Host-portal_session=")
        .unwrap()
        .to_owned();
    let expected = Sha256::digest(token.as_bytes()).to_vec();
    let stored: Vec<Vec<u8>> = app
        .state
        .db
        .call_blocking(|c| {
            let mut stmt = c.prepare("SELECT token_hash FROM sessions").unwrap();
            let rows = stmt.query_map([], |r| r.get(0)).unwrap();
            Ok(rows.map(Result::unwrap).collect())
        })
        .unwrap();
    assert_eq!(stored, vec![expected]);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = TestApp::new();
    let wrong = app.sign_in_raw("pat@example.com", "nope").await;
    let unknown = app.sign_in_raw("nobody@example.com", "patient-demo").await;
    wrong.assert_problem(401, pt::INVALID_CREDENTIALS);
    unknown.assert_problem(401, pt::INVALID_CREDENTIALS);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.session_cookie().is_none());
    assert!(unknown.session_cookie().is_none());
}

#[tokio::test]
async fn email_is_compared_normalised() {
    let app = TestApp::new();
    let res = app.sign_in_raw("  PAT@Example.COM ", "patient-demo").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["user"]["email"], "pat@example.com");
    // The password is not normalised.
    app.sign_in_raw("pat@example.com", "PATIENT-DEMO")
        .await
        .assert_problem(401, pt::INVALID_CREDENTIALS);
}

#[tokio::test]
async fn get_session_needs_the_cookie() {
    let app = TestApp::new();
    // Nobody signed in is an answer, not an error.
    let nobody = app.get("/api/v1/session").await;
    assert_eq!(nobody.status, StatusCode::NO_CONTENT);
    assert!(nobody.body.is_empty());

    let cookie = app.sign_in("cara@example.com", "caregiver-demo").await;
    let res = app.get_with_cookie("/api/v1/session", &cookie).await;
    assert_eq!(res.status, StatusCode::OK);
    let session: Session = serde_json::from_slice(&res.body).unwrap();
    assert_eq!(session.user.role, Role::Caregiver);
    // Activity slides the browser's cookie along with the server's idle timeout.
    assert_eq!(res.session_cookie().as_deref(), Some(cookie.as_str()));
    assert!(res.set_cookies()[0].contains("Max-Age=900"));

    // Garbage or unknown tokens are simply not signed in.
    let garbage = app
        .get_with_cookie("/api/v1/session", "__Host-portal_session=garbage")
        .await;
    assert_eq!(garbage.status, StatusCode::NO_CONTENT);
    let unknown = format!("__Host-portal_session={}", "A".repeat(43));
    let res = app.get_with_cookie("/api/v1/session", &unknown).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(
        res.set_cookies()[0].contains("Max-Age=0"),
        "stale cookie is cleared"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = TestApp::new();
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    let res = app.sign_out(&cookie).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(res.body.is_empty());
    let cleared = &res.set_cookies()[0];
    assert!(cleared.starts_with("__Host-portal_session=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"));
    assert!(cleared.contains("HttpOnly") && cleared.contains("Secure"));
    assert!(
        cleared.contains("Path=/"),
        "a __Host- cookie is only cleared with Path=/"
    );
    // The browser also deletes what the app kept on the device, even if the app could not.
    assert_eq!(
        res.header("clear-site-data"),
        Some("\"cache\", \"storage\"")
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));

    // Replaying the old cookie does not work: the row is gone, not just the browser's copy.
    app.get_with_cookie("/api/v1/session", &cookie)
        .await
        .assert_nobody_signed_in();
    assert_eq!(app.session_rows(), 0);
}

#[tokio::test]
async fn sign_out_without_a_session_is_fine() {
    let app = TestApp::new();
    let res = app
        .send(
            request(Method::DELETE, "/api/v1/session")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    assert!(res.set_cookies()[0].contains("Max-Age=0"));
    assert_eq!(
        res.header("clear-site-data"),
        Some("\"cache\", \"storage\"")
    );
}

#[tokio::test]
async fn only_sign_out_asks_the_browser_to_clear_site_data() {
    let app = TestApp::new();
    let res = app.sign_in_raw("pat@example.com", "patient-demo").await;
    assert_eq!(res.header("clear-site-data"), None);
    let cookie = res.session_cookie().unwrap();
    let res = app.get_with_cookie("/api/v1/session", &cookie).await;
    assert_eq!(res.header("clear-site-data"), None);
    // Nor an ended session: the app decides when to sign out, after its outboxes had their chance.
    app.state.clock.advance(15 * 60 + 1);
    let res = app.get_with_cookie("/api/v1/session", &cookie).await;
    res.assert_nobody_signed_in();
    assert_eq!(res.header("clear-site-data"), None);
}

#[tokio::test]
async fn idle_session_expires_and_is_deleted() {
    let app = TestApp::new();
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    app.state.clock.advance(15 * 60 + 1);
    let res = app.get_with_cookie("/api/v1/session", &cookie).await;
    res.assert_nobody_signed_in();
    assert!(res.set_cookies()[0].contains("Max-Age=0"));
    assert_eq!(app.session_rows(), 0);
}

#[tokio::test]
async fn activity_extends_the_session_until_the_absolute_limit() {
    let app = TestApp::new();
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    let first: Session =
        serde_json::from_slice(&app.get_with_cookie("/api/v1/session", &cookie).await.body)
            .unwrap();
    // 10 minutes at a time, each within the idle timeout, for 11 h 50 min.
    for _ in 0..71 {
        app.state.clock.advance(10 * 60);
        let res = app.get_with_cookie("/api/v1/session", &cookie).await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    }
    let later: Session =
        serde_json::from_slice(&app.get_with_cookie("/api/v1/session", &cookie).await.body)
            .unwrap();
    assert!(later.expires_at > first.expires_at);
    // Near the absolute limit the cookie lives only as long as the session can.
    let res = app.get_with_cookie("/api/v1/session", &cookie).await;
    assert!(
        res.set_cookies()[0].contains("Max-Age=600"),
        "{:?}",
        res.set_cookies()
    );
    app.state.clock.advance(10 * 60);
    app.get_with_cookie("/api/v1/session", &cookie)
        .await
        .assert_nobody_signed_in();
}

#[tokio::test]
async fn unauthenticated_api_requests_do_not_extend_sessions() {
    let app = TestApp::new();
    let cookie = app.sign_in("pat@example.com", "patient-demo").await;
    app.state.clock.advance(10 * 60);
    // Health does not need a session, so it does not count as activity.
    let res = app.get_with_cookie("/api/v1/health", &cookie).await;
    assert!(res.set_cookies().is_empty());
    app.state.clock.advance(6 * 60);
    app.get_with_cookie("/api/v1/session", &cookie)
        .await
        .assert_nobody_signed_in();
}

#[tokio::test]
async fn signing_in_again_replaces_the_old_session() {
    let app = TestApp::new();
    let old = app.sign_in("pat@example.com", "patient-demo").await;
    let res = app
        .send({
            let mut req = common::json_request(
                Method::POST,
                "/api/v1/session",
                &serde_json::json!({"email": "cara@example.com", "password": "caregiver-demo"}),
            );
            req.headers_mut()
                .insert(header::COOKIE, old.parse().unwrap());
            req
        })
        .await;
    let new = res.session_cookie().unwrap();
    assert_ne!(new, old);
    app.get_with_cookie("/api/v1/session", &old)
        .await
        .assert_nobody_signed_in();
    assert_eq!(
        app.get_with_cookie("/api/v1/session", &new).await.json()["user"]["role"],
        "caregiver"
    );
}

fn role_test_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/test/studio",
            get(|editor: RequireRole<Editors>| async move { Json(editor.email.clone()) }),
        )
        .route(
            "/test/care",
            get(|person: RequireRole<PatientsOrCaregivers>| async move { Json(person.role) }),
        )
        .route(
            "/test/me",
            get(|me: CurrentUser| async move { Json(me.user.display_name) }),
        )
}

#[tokio::test]
async fn require_role_answers_401_403_or_lets_through() {
    let app = TestApp::with_api_routes(role_test_routes());
    app.get("/api/v1/test/studio")
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);
    app.get("/api/v1/test/me")
        .await
        .assert_problem(401, pt::UNAUTHENTICATED);

    let patient = app.sign_in("pat@example.com", "patient-demo").await;
    let editor = app.sign_in("eddie@example.com", "editor-demo").await;

    app.get_with_cookie("/api/v1/test/studio", &patient)
        .await
        .assert_problem(403, pt::FORBIDDEN);
    let res = app.get_with_cookie("/api/v1/test/studio", &editor).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json(), "eddie@example.com");

    assert_eq!(
        app.get_with_cookie("/api/v1/test/care", &patient)
            .await
            .json(),
        "patient"
    );
    app.get_with_cookie("/api/v1/test/care", &editor)
        .await
        .assert_problem(403, pt::FORBIDDEN);
    assert_eq!(
        app.get_with_cookie("/api/v1/test/me", &editor).await.json(),
        "Eddie Novak"
    );
}
