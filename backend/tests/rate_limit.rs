mod common;

use axum::{extract::connect_info::MockConnectInfo, http::Method, http::StatusCode};
use common::{from_ip, json_request, send, TestApp};
use portal_core::api::problem_types as pt;
use serde_json::json;
use std::net::SocketAddr;

fn sign_in_request(email: &str, password: &str, ip: &str) -> axum::http::Request<axum::body::Body> {
    from_ip(
        json_request(
            Method::POST,
            "/api/v1/session",
            &json!({ "email": email, "password": password }),
        ),
        ip,
    )
}

#[tokio::test]
async fn five_failures_for_one_email_lock_it_for_a_while() {
    let app = TestApp::new();
    for i in 0..5 {
        // Different addresses, so only the email's counter fills up.
        let res = app
            .send(sign_in_request(
                "pat@example.com",
                "wrong",
                &format!("10.0.0.{i}"),
            ))
            .await;
        res.assert_problem(401, pt::INVALID_CREDENTIALS);
        // Counted down, so the app can warn before the pause.
        assert_eq!(res.json()["attemptsLeft"], 4 - i);
    }
    // Even the right password is refused now, and in any letter case.
    let res = app
        .send(sign_in_request(
            " PAT@example.com",
            "patient-demo",
            "10.0.1.1",
        ))
        .await;
    res.assert_problem(429, pt::RATE_LIMITED);
    let retry_after: u64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");

    // Other accounts are unaffected.
    let res = app
        .send(sign_in_request(
            "cara@example.com",
            "caregiver-demo",
            "10.0.1.2",
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);

    app.state.clock.advance(15 * 60);
    let res = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "10.0.1.3",
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn twenty_failures_from_one_address_lock_that_address() {
    let app = TestApp::new();
    // A household shares an address: a few typos by one person do not lock it.
    for i in 0..20 {
        app.send(sign_in_request(
            &format!("guess{i}@example.com"),
            "x",
            "192.0.2.7",
        ))
        .await
        .assert_problem(401, pt::INVALID_CREDENTIALS);
    }
    let res = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "192.0.2.7",
        ))
        .await;
    res.assert_problem(429, pt::RATE_LIMITED);
    assert!(res.header("retry-after").is_some());

    let res = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "192.0.2.8",
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
}

/// Four wrong passwords for Pat, each from its own address in `network` so only the email counter grows.
async fn fail_four_times(app: &TestApp, network: &str) {
    for i in 0..4 {
        app.send(sign_in_request(
            "pat@example.com",
            "wrong",
            &format!("{network}.{i}"),
        ))
        .await
        .assert_problem(401, pt::INVALID_CREDENTIALS);
    }
}

#[tokio::test]
async fn success_resets_the_email_counter() {
    let app = TestApp::new();
    fail_four_times(&app, "10.1.0").await;
    let ok = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "10.1.1.0",
        ))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    fail_four_times(&app, "10.1.2").await;
    let res = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "10.1.3.0",
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
}

#[tokio::test]
async fn validation_errors_do_not_count_as_failures() {
    let app = TestApp::new();
    for _ in 0..10 {
        app.send(sign_in_request("not-an-email", "x", "10.2.0.1"))
            .await
            .assert_problem(422, pt::VALIDATION);
    }
    let res = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "10.2.0.1",
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn mock_connect_info_is_used_as_the_client_address() {
    let app = TestApp::new();
    let router = app
        .router
        .clone()
        .layer(MockConnectInfo(SocketAddr::from(([198, 51, 100, 1], 5000))));
    for i in 0..20 {
        let req = json_request(
            Method::POST,
            "/api/v1/session",
            &json!({ "email": format!("x{i}@example.com"), "password": "x" }),
        );
        send(&router, req)
            .await
            .assert_problem(401, pt::INVALID_CREDENTIALS);
    }
    let req = json_request(
        Method::POST,
        "/api/v1/session",
        &json!({ "email": "pat@example.com", "password": "patient-demo" }),
    );
    send(&router, req)
        .await
        .assert_problem(429, pt::RATE_LIMITED);
    // Requests with a different address pass.
    let res = app
        .send(sign_in_request(
            "pat@example.com",
            "patient-demo",
            "198.51.100.2",
        ))
        .await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn simultaneous_guesses_cannot_slip_past_the_limit() {
    let app = std::sync::Arc::new(TestApp::new());
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            app.send(sign_in_request("pat@example.com", "guess", "10.9.9.9"))
                .await
                .status
        }));
    }
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(checked, 5, "only five passwords may be tried in the window");
}
