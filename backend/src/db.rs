//! The SQLite database: one connection, schema migrations by `PRAGMA user_version`.
//!
//! A single connection behind a mutex is plenty for this backend's load, keeps SQLite's locking
//! trivial, and makes read-then-write steps (such as claiming an idempotency key) atomic.

use rusqlite::Connection;
use std::{
    fmt,
    path::Path,
    sync::{Arc, Mutex, MutexGuard},
};

/// Schema versions in order; `user_version` counts how many have been applied.
/// Never edit a released script: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: accounts, sessions, idempotency records
    r#"
    CREATE TABLE users (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE,
        display_name  TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('patient', 'caregiver', 'editor')),
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE sessions (
        token_hash   BLOB PRIMARY KEY,
        user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at   INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE idempotency_keys (
        scope        TEXT NOT NULL,
        key          TEXT NOT NULL,
        fingerprint  BLOB NOT NULL,
        completed    INTEGER NOT NULL DEFAULT 0,
        status       INTEGER,
        content_type TEXT,
        location     TEXT,
        body         BLOB,
        created_at   INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
    ) STRICT;
    CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
    "#,
];

#[derive(Debug)]
pub struct DbError(String);

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DbError {}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError(e.to_string())
    }
}

impl DbError {
    pub fn new(msg: impl Into<String>) -> Self {
        DbError(msg.into())
    }
}

#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
}

impl Db {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                DbError(format!("cannot create directory {}: {e}", parent.display()))
            })?;
        }
        let conn = Connection::open(path)
            .map_err(|e| DbError(format!("cannot open database {}: {e}", path.display())))?;
        Self::prepare(conn)
    }

    pub fn open_in_memory() -> Result<Db, DbError> {
        Self::prepare(Connection::open_in_memory()?)
    }

    fn prepare(mut conn: Connection) -> Result<Db, DbError> {
        // WAL lets a backup or an inspecting sqlite3 shell read while the server writes.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )?;
        migrate(&mut conn)?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (open transactions roll back
        // when dropped), so the connection stays usable.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the connection on the blocking thread pool, so SQLite never stalls the async runtime.
    pub async fn call<F, R>(&self, f: F) -> Result<R, DbError>
    where
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
        R: Send + 'static,
    {
        let db = self.clone();
        tokio::task::spawn_blocking(move || db.call_blocking(f))
            .await
            .map_err(|e| DbError(format!("database task failed: {e}")))?
    }

    /// Runs `f` on the connection on the current thread; for start-up and blocking contexts.
    pub fn call_blocking<F, R>(&self, f: F) -> Result<R, DbError>
    where
        F: FnOnce(&mut Connection) -> Result<R, DbError>,
    {
        let mut conn = self.lock();
        f(&mut conn)
    }
}

/// The schema version this program expects.
pub fn schema_version() -> u32 {
    MIGRATIONS.len() as u32
}

fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let target = schema_version();
    if current > target {
        return Err(DbError(format!(
            "the database has schema version {current}, newer than this program's {target}; \
             refusing to touch it"
        )));
    }
    for (i, script) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(script)
            .map_err(|e| DbError(format!("migration {} failed: {e}", i + 1)))?;
        // user_version cannot take a bound parameter; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_reach_the_latest_version_and_are_repeatable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/portal.sqlite3");
        let db = Db::open(&path).unwrap();
        let version: u32 = db
            .call_blocking(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(version, schema_version());
        drop(db);
        Db::open(&path).unwrap();
    }

    #[test]
    fn refuses_a_newer_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite3");
        {
            let c = Connection::open(&path).unwrap();
            c.execute_batch("PRAGMA user_version = 999").unwrap();
        }
        let err = Db::open(&path).err().unwrap();
        assert!(err.to_string().contains("newer"), "{err}");
    }

    #[test]
    fn foreign_keys_are_enforced() {
        let db = Db::open_in_memory().unwrap();
        let result = db.call_blocking(|c| {
            Ok(c.execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (x'00', 'nobody', 0, 0)",
                [],
            )?)
        });
        assert!(result.is_err());
    }
}
