mod common;

use axum::http::StatusCode;
use common::{send, TestApp};
use portal_backend::{
    auth, db, password, router,
    seed::{DEMO_ACCOUNTS, DEMO_PRODUCTS},
    AppState, Settings,
};
use rusqlite::{params, Connection};

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
    assert_eq!(ids_before.len(), DEMO_ACCOUNTS.len());

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

fn count(state: &AppState, sql: &'static str) -> i64 {
    state
        .db
        .call_blocking(move |c| Ok(c.query_row(sql, [], |r| r.get(0))?))
        .unwrap()
}

#[tokio::test]
async fn missing_demo_accounts_are_added_and_existing_ones_left_alone() {
    let app = TestApp::new();
    app.state
        .db
        .call_blocking(|c| {
            c.execute("DELETE FROM users WHERE email = 'mia@example.com'", [])?;
            c.execute(
                "UPDATE users SET display_name = 'Pat Renamed' WHERE email = 'pat@example.com'",
                [],
            )?;
            Ok(())
        })
        .unwrap();
    let ids_before = user_ids(&app.state);

    // As after an upgrade of a demo database that predates the Medical Information account.
    let state = reopen(&app);
    assert_eq!(user_ids(&state).len(), DEMO_ACCOUNTS.len());
    let name: String = state
        .db
        .call_blocking(|c| {
            Ok(c.query_row(
                "SELECT display_name FROM users WHERE email = 'pat@example.com'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(name, "Pat Renamed", "existing accounts are not overwritten");
    let ids_after = user_ids(&state);
    assert!(
        ids_before.iter().all(|id| ids_after.contains(id)),
        "existing accounts keep their ids"
    );
    let restarted = TestApp {
        router: router(state.clone()),
        state,
        dir: app.dir,
    };
    restarted.sign_in("mia@example.com", "medinfo-demo").await;
}

#[tokio::test]
async fn without_demo_seeding_there_are_no_accounts_but_products() {
    let app = TestApp::with_settings(|s| s.seed_demo_users = false);
    assert_eq!(count(&app.state, "SELECT COUNT(*) FROM users"), 0);
    assert_eq!(
        count(&app.state, "SELECT COUNT(*) FROM products"),
        DEMO_PRODUCTS.len() as i64
    );
}

#[tokio::test]
async fn a_filled_catalogue_is_left_alone() {
    let app = TestApp::new();
    app.state
        .db
        .call_blocking(|c| {
            c.execute("DELETE FROM products WHERE id <> 'brelora'", [])?;
            Ok(())
        })
        .unwrap();
    let state = reopen(&app);
    assert_eq!(count(&state, "SELECT COUNT(*) FROM products"), 1);
}

/// A database file as release 1 (schema version 1) left it: Pat and one live session.
fn release_1_database(path: &std::path::Path, now: i64) -> String {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut c = Connection::open(path).unwrap();
    db::migrate_to(&mut c, 1).unwrap();
    let hash = password::hash("patient-demo").unwrap();
    c.execute(
        "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
         VALUES ('pat-id', 'pat@example.com', 'Pat Lee', 'patient', ?1, ?2)",
        params![hash, now],
    )
    .unwrap();
    let token = auth::new_token();
    c.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)
         VALUES (?1, 'pat-id', ?2, ?2)",
        params![auth::token_hash(&token), now],
    )
    .unwrap();
    format!("{}={token}", auth::COOKIE_NAME)
}

#[tokio::test]
async fn upgrading_a_release_1_database_keeps_people_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = TestApp::db_path_in(&dir);
    let now = portal_backend::clock::Clock::default().now();
    let cookie = release_1_database(&path, now);

    let static_dir = dir.path().join("dist");
    common::write_fixture_app(&static_dir);
    let state = AppState::open(Settings::new(static_dir), &path).unwrap();
    let app = TestApp {
        router: router(state.clone()),
        state,
        dir,
    };
    assert_eq!(app.session_rows(), 1);
    let res = app.get_with_cookie("/api/v1/session", &cookie).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    assert_eq!(res.json()["user"]["id"], "pat-id");

    // The upgrade brought the new role, its demo account and the catalogue.
    let mia = app.sign_in_raw("mia@example.com", "medinfo-demo").await;
    assert_eq!(mia.status, StatusCode::OK, "{}", mia.text());
    assert_eq!(mia.json()["user"]["role"], "medical_information");
    let products = app.get("/api/v1/products").await;
    assert_eq!(
        products.json().as_array().map(Vec::len),
        Some(DEMO_PRODUCTS.len())
    );
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
