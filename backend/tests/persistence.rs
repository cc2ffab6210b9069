mod common;

use axum::http::StatusCode;
use common::{send, TestApp};
use portal_backend::{router, AppState, Settings};

fn reopen(app: &TestApp) -> AppState {
    AppState::open(
        Settings::new(app.static_dir()),
        &TestApp::db_path_in(&app.dir),
    )
    .unwrap()
}

fn user_ids(state: &AppState) -> Vec<String> {
    state
        .db
        .call_blocking(|c| {
            let mut stmt = c.prepare("SELECT id FROM users ORDER BY email").unwrap();
            let ids = stmt
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            Ok(ids)
        })
        .unwrap()
}

#[tokio::test]
async fn accounts_and_sessions_survive_a_restart() {
    let app = TestApp::new();
    let cookie = app.sign_in("eddie@example.com", "editor-demo").await;
    let ids_before = user_ids(&app.state);
    assert_eq!(ids_before.len(), 3);

    // A second process on the same file, as after a restart.
    let state = reopen(&app);
    assert_eq!(
        user_ids(&state),
        ids_before,
        "demo users are not seeded twice"
    );
    let restarted = router(state);
    let res = send(
        &restarted,
        axum::http::Request::get("/api/v1/session")
            .header("cookie", &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["user"]["email"], "eddie@example.com");
}

#[tokio::test]
async fn seeding_only_happens_on_an_empty_database() {
    let app = TestApp::new();
    app.state
        .db
        .call_blocking(|c| {
            c.execute("DELETE FROM users WHERE email = 'cara@example.com'", [])?;
            Ok(())
        })
        .unwrap();
    let state = reopen(&app);
    assert_eq!(user_ids(&state).len(), 2);
}

#[tokio::test]
async fn the_database_uses_wal_and_foreign_keys() {
    let app = TestApp::new();
    let (mode, fk): (String, i64) = app
        .state
        .db
        .call_blocking(|c| {
            Ok((
                c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?,
                c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
            ))
        })
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
}
