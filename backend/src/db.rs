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
    // 2: the Medical Information role, products, inquiries.
    //
    // SQLite cannot alter a CHECK constraint, so `users` is rebuilt following SQLite's 12-step
    // procedure (https://www.sqlite.org/lang_altertable.html#otheralter). `migrate` runs this with
    // foreign keys off: with them on, dropping `users` would cascade and delete every session.
    // The table has no indexes, triggers or views of its own to recreate beyond its UNIQUE email.
    r#"
    CREATE TABLE users_new (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE,
        display_name  TEXT NOT NULL,
        role          TEXT NOT NULL
                      CHECK (role IN ('patient', 'caregiver', 'editor', 'medical_information')),
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
    ) STRICT;
    INSERT INTO users_new (id, email, display_name, role, password_hash, created_at)
        SELECT id, email, display_name, role, password_hash, created_at FROM users;
    DROP TABLE users;
    ALTER TABLE users_new RENAME TO users;

    CREATE TABLE products (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        generic_name TEXT NOT NULL,
        sort_order   INTEGER NOT NULL
    ) STRICT;

    -- `id` is internal and gives a stable order among inquiries received in the same second;
    -- people and staff only ever see `reference`. `product_id` is the form's value, which may
    -- be 'other', so it has no foreign key. `body_json` is the whole inquiry as sent; the other
    -- columns are what lists sort and filter by. `idempotency_key` outlives the 24-hour
    -- idempotency records: a phone's outbox may retry days later, and must still find its inquiry.
    CREATE TABLE inquiries (
        id            INTEGER PRIMARY KEY,
        reference     TEXT NOT NULL UNIQUE,
        idempotency_key TEXT NOT NULL UNIQUE,
        user_id       TEXT REFERENCES users(id) ON DELETE SET NULL,
        received_at   INTEGER NOT NULL,
        status        TEXT NOT NULL
                      CHECK (status IN ('sent', 'received', 'being_answered', 'answered')),
        safety_report INTEGER NOT NULL CHECK (safety_report IN (0, 1)),
        product_id    TEXT NOT NULL,
        topic         TEXT NOT NULL,
        body_json     TEXT NOT NULL,
        answer        TEXT,
        answered_at   INTEGER,
        updated_at    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX inquiries_user ON inquiries(user_id);
    CREATE INDEX inquiries_safety ON inquiries(safety_report, received_at);
    "#,
    // 3: Learn articles and "Was this helpful?" feedback.
    //
    // One row per translation. The draft columns are what editors change (every save bumps
    // `version`); the `published_*` columns are the copy patients read, written only by
    // publishing, so saving a draft never changes what patients see. They are all NULL while
    // the translation is not published (the CHECK keeps them together). `published_at` is the
    // first publication of the current published run (kept on republishing, cleared by
    // unpublishing); `last_published_at` is when the published text last changed, shown to
    // patients as `updatedAt` so a draft save does not show through. `featured` is set by the
    // content files only, so it has no draft and published pair. Topics are a comma list of
    // `ArticleTopic` names in their canonical order.
    r#"
    CREATE TABLE articles (
        slug          TEXT NOT NULL,
        language      TEXT NOT NULL CHECK (language IN ('en', 'de', 'fr', 'es')),
        title         TEXT NOT NULL,
        summary       TEXT NOT NULL,
        body          TEXT NOT NULL,
        topics        TEXT NOT NULL,
        medicine_id   TEXT,
        featured      INTEGER NOT NULL CHECK (featured IN (0, 1)),
        last_reviewed TEXT NOT NULL,
        review_by     TEXT NOT NULL,
        version       INTEGER NOT NULL CHECK (version >= 1),
        updated_at    INTEGER NOT NULL,
        published_title         TEXT,
        published_summary       TEXT,
        published_body          TEXT,
        published_topics        TEXT,
        published_medicine_id   TEXT,
        published_last_reviewed TEXT,
        published_review_by     TEXT,
        approval_code           TEXT,
        published_at            INTEGER,
        published_version       INTEGER,
        last_published_at       INTEGER,
        PRIMARY KEY (slug, language),
        CHECK (
            (published_version IS NULL AND published_title IS NULL
             AND published_summary IS NULL AND published_body IS NULL
             AND published_topics IS NULL AND published_medicine_id IS NULL
             AND published_last_reviewed IS NULL AND published_review_by IS NULL
             AND approval_code IS NULL AND published_at IS NULL AND last_published_at IS NULL)
            OR
            (published_version IS NOT NULL AND published_title IS NOT NULL
             AND published_summary IS NOT NULL AND published_body IS NOT NULL
             AND published_topics IS NOT NULL
             AND published_last_reviewed IS NOT NULL AND published_review_by IS NOT NULL
             AND approval_code IS NOT NULL AND published_at IS NOT NULL
             AND last_published_at IS NOT NULL)
        )
    ) STRICT;
    CREATE INDEX articles_published ON articles(language, published_at)
        WHERE published_version IS NOT NULL;

    -- Feedback is about one translation; it goes with it should a translation ever be deleted.
    -- `comment` is '' when none was given.
    CREATE TABLE article_feedback (
        id         INTEGER PRIMARY KEY,
        slug       TEXT NOT NULL,
        language   TEXT NOT NULL,
        helpful    INTEGER NOT NULL CHECK (helpful IN (0, 1)),
        comment    TEXT NOT NULL,
        user_id    TEXT REFERENCES users(id) ON DELETE SET NULL,
        created_at INTEGER NOT NULL,
        FOREIGN KEY (slug, language) REFERENCES articles(slug, language) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX article_feedback_article ON article_feedback(slug, language);
    CREATE INDEX article_feedback_user ON article_feedback(user_id);
    "#,
    // 4: Reminders: people, their medicines' reminders, logged doses, calendar feed tokens.
    //
    // Every table is keyed by the account (`account_id`, the signed-in user's id) first, and
    // every reference between them includes it, so a row can only ever point at rows of the
    // same account, and every query names the account. Ids are random and made by the backend,
    // except dose events' ids, which devices make (UUIDs) so a resent event is recognised: their
    // key (account_id, id) is what makes sending one twice store it once. Deleting an account
    // deletes all of it; deleting a person deletes their reminders, doses and calendar token;
    // deleting a reminder deletes its doses.
    //
    // `schedule_json` is the `Schedule` as the API carries it. `stock` counts down by one for
    // each `taken` dose event stored (never below 0); `refill_at` is only a level to compare it
    // with. Dose times are kept as sent (normalised to UTC, RFC 3339) and `at_ms`, the same
    // instant in Unix milliseconds, is what lists select by. `recorded_at` is when the backend
    // first stored the event. A calendar token is stored as its SHA-256 only, one per person.
    r#"
    CREATE TABLE people (
        account_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        id         TEXT NOT NULL,
        name       TEXT NOT NULL,
        colour     TEXT NOT NULL,
        zone       TEXT NOT NULL,
        version    INTEGER NOT NULL CHECK (version >= 1),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, id)
    ) STRICT;

    CREATE TABLE reminders (
        account_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        id            TEXT NOT NULL,
        person_id     TEXT NOT NULL,
        medicine      TEXT NOT NULL,
        strength      TEXT NOT NULL,
        dose_amount   TEXT NOT NULL,
        dose_unit     TEXT NOT NULL,
        instructions  TEXT NOT NULL,
        schedule_json TEXT NOT NULL,
        hide_name_in_calendar INTEGER NOT NULL CHECK (hide_name_in_calendar IN (0, 1)),
        stock         INTEGER CHECK (stock IS NULL OR stock >= 0),
        refill_at     INTEGER CHECK (refill_at IS NULL OR refill_at >= 0),
        version       INTEGER NOT NULL CHECK (version >= 1),
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (account_id, id),
        FOREIGN KEY (account_id, person_id) REFERENCES people(account_id, id) ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX reminders_person ON reminders(account_id, person_id);

    CREATE TABLE dose_events (
        account_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        id             TEXT NOT NULL,
        reminder_id    TEXT NOT NULL,
        scheduled_at   TEXT,
        action         TEXT NOT NULL CHECK (action IN ('taken', 'skipped', 'snoozed')),
        at             TEXT NOT NULL,
        at_ms          INTEGER NOT NULL,
        snooze_minutes INTEGER CHECK (snooze_minutes IS NULL OR snooze_minutes IN (10, 30, 60)),
        reason         TEXT NOT NULL,
        recorded_at    INTEGER NOT NULL,
        PRIMARY KEY (account_id, id),
        FOREIGN KEY (account_id, reminder_id) REFERENCES reminders(account_id, id)
            ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX dose_events_at ON dose_events(account_id, at_ms);
    CREATE INDEX dose_events_reminder ON dose_events(account_id, reminder_id);

    CREATE TABLE calendar_tokens (
        token_hash BLOB PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        person_id  TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (account_id, person_id),
        FOREIGN KEY (account_id, person_id) REFERENCES people(account_id, id) ON DELETE CASCADE
    ) STRICT;
    "#,
    // 5: Web Push for dose reminders: the server's VAPID key, devices' push subscriptions, and
    // the pushes sent.
    //
    // `push_keys` holds at most one key pair (its 32-byte private scalar), made on first use so
    // subscriptions survive restarts (a new key would invalidate every one of them). A
    // subscription belongs to the account that last registered it: `endpoint` is unique, so a
    // shared device signed into another account moves over instead of getting both accounts'
    // doses. `p256dh` and `auth` are stored decoded. Deleting an account deletes its devices.
    //
    // `push_deliveries` is what makes a dose pushed at most once per device: a row is claimed
    // before sending. `round` is '' for the dose's own time, or the id of the snooze event after
    // which it was pushed again. Rows go with their subscription and their reminder, and are
    // cleared out once too old to matter.
    r#"
    CREATE TABLE push_keys (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        private_key BLOB NOT NULL CHECK (length(private_key) = 32),
        created_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE push_subscriptions (
        id         INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        endpoint   TEXT NOT NULL UNIQUE,
        p256dh     BLOB NOT NULL CHECK (length(p256dh) = 65),
        auth       BLOB NOT NULL CHECK (length(auth) = 16),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX push_subscriptions_account ON push_subscriptions(account_id);

    CREATE TABLE push_deliveries (
        subscription_id INTEGER NOT NULL REFERENCES push_subscriptions(id) ON DELETE CASCADE,
        account_id      TEXT NOT NULL,
        reminder_id     TEXT NOT NULL,
        scheduled_at    TEXT NOT NULL,
        round           TEXT NOT NULL,
        outcome         TEXT NOT NULL
                        CHECK (outcome IN ('sending', 'delivered', 'failed')),
        created_at      INTEGER NOT NULL,
        PRIMARY KEY (subscription_id, reminder_id, scheduled_at, round),
        FOREIGN KEY (account_id, reminder_id) REFERENCES reminders(account_id, id)
            ON DELETE CASCADE
    ) STRICT;
    CREATE INDEX push_deliveries_created ON push_deliveries(created_at);
    CREATE INDEX push_deliveries_reminder ON push_deliveries(account_id, reminder_id);
    "#,
    // 6: `undone` dose events (a dose marked taken by mistake). A CHECK constraint only changes
    // with the table rebuilt; nothing refers to dose events, so their rows move as they are.
    r#"
    CREATE TABLE dose_events_6 (
        account_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        id             TEXT NOT NULL,
        reminder_id    TEXT NOT NULL,
        scheduled_at   TEXT,
        action         TEXT NOT NULL
                       CHECK (action IN ('taken', 'skipped', 'snoozed', 'undone')),
        at             TEXT NOT NULL,
        at_ms          INTEGER NOT NULL,
        snooze_minutes INTEGER CHECK (snooze_minutes IS NULL OR snooze_minutes IN (10, 30, 60)),
        reason         TEXT NOT NULL,
        recorded_at    INTEGER NOT NULL,
        PRIMARY KEY (account_id, id),
        FOREIGN KEY (account_id, reminder_id) REFERENCES reminders(account_id, id)
            ON DELETE CASCADE
    ) STRICT;
    INSERT INTO dose_events_6 (account_id, id, reminder_id, scheduled_at, action, at, at_ms,
                               snooze_minutes, reason, recorded_at)
        SELECT account_id, id, reminder_id, scheduled_at, action, at, at_ms, snooze_minutes,
               reason, recorded_at
        FROM dose_events;
    DROP TABLE dose_events;
    ALTER TABLE dose_events_6 RENAME TO dose_events;
    CREATE INDEX dose_events_at ON dose_events(account_id, at_ms);
    CREATE INDEX dose_events_reminder ON dose_events(account_id, reminder_id);
    "#,
    // 7: an as-needed dose logged by mistake is taken back by an `undone` event naming it
    // (`undoes`, the taking's id as sent); scheduled doses go back by their slot as before.
    r#"
    ALTER TABLE dose_events ADD COLUMN undoes TEXT;
    "#,
    // 8: products' generic names in other languages, as a JSON object by language tag, so a
    // patient reading German chooses "Salbutamol-Inhalator", not "salbutamol inhaler".
    r#"
    ALTER TABLE products ADD COLUMN generic_names TEXT NOT NULL DEFAULT '{}';
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
    migrate_to(conn, schema_version())
}

/// Applies the migrations up to schema version `target`. `Db::open` always goes to the latest;
/// tests use a lower `target` to build a database as an older release left it.
///
/// Foreign keys are switched off while migrations run, because rebuilding a table (the only way
/// to change a constraint in SQLite) drops it, and with foreign keys on that drop would cascade
/// to the rows referring to it. `PRAGMA foreign_keys` cannot change inside a transaction, so it
/// is switched here, around the migrations; each migration instead proves with
/// `PRAGMA foreign_key_check` that it left every reference intact before it commits.
pub fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), DbError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let latest = schema_version();
    if current > latest {
        return Err(DbError(format!(
            "the database has schema version {current}, newer than this program's {latest}; \
             refusing to touch it"
        )));
    }
    if current >= target {
        return Ok(());
    }
    conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    let applied = apply_migrations(conn, current, target.min(latest));
    // Switched back on whatever happened, so a failed upgrade never leaves a connection unchecked.
    let restored = conn.execute_batch("PRAGMA foreign_keys = ON");
    applied?;
    restored?;
    let on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    if !on {
        return Err(DbError::new(
            "foreign keys could not be switched back on after migrating",
        ));
    }
    Ok(())
}

fn apply_migrations(conn: &mut Connection, current: u32, target: u32) -> Result<(), DbError> {
    let pending = MIGRATIONS
        .iter()
        .enumerate()
        .skip(current as usize)
        .take(target.saturating_sub(current) as usize);
    for (i, script) in pending {
        let version = i + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(script)
            .map_err(|e| DbError(format!("migration {version} failed: {e}")))?;
        let broken = dangling_references(&tx)?;
        if !broken.is_empty() {
            // Dropping `tx` rolls the migration back.
            return Err(DbError(format!(
                "migration {version} would leave broken references: {}",
                broken.join("; ")
            )));
        }
        // user_version cannot take a bound parameter; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
        tx.commit()?;
    }
    Ok(())
}

/// What `PRAGMA foreign_key_check` reports, one "table row N -> parent" per broken reference.
fn dangling_references(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt.query_map([], |r| {
        Ok(format!(
            "{} row {} -> {}",
            r.get::<_, String>(0)?,
            r.get::<_, Option<i64>>(1)?
                .map_or_else(|| "?".to_owned(), |n| n.to_string()),
            r.get::<_, String>(2)?
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
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

    /// A database as release 1 left it, with one user and one session.
    fn version_1_with_a_session(path: &Path) {
        let mut c = Connection::open(path).unwrap();
        migrate_to(&mut c, 1).unwrap();
        c.execute_batch(
            "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
                 VALUES ('u1', 'pat@example.com', 'Pat Lee', 'patient', 'hash', 100);
             INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)
                 VALUES (x'01', 'u1', 100, 100);",
        )
        .unwrap();
    }

    #[test]
    fn upgrading_from_version_1_keeps_users_and_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite3");
        version_1_with_a_session(&path);

        let db = Db::open(&path).unwrap();
        let (version, fk, sessions, role): (u32, bool, i64, String) = db
            .call_blocking(|c| {
                Ok((
                    c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                    c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?,
                    c.query_row(
                        "SELECT COUNT(*) FROM sessions WHERE user_id = 'u1'",
                        [],
                        |r| r.get(0),
                    )?,
                    c.query_row("SELECT role FROM users WHERE id = 'u1'", [], |r| r.get(0))?,
                ))
            })
            .unwrap();
        assert_eq!(version, schema_version());
        assert!(fk, "foreign keys are back on after migrating");
        assert_eq!(sessions, 1, "the session survived the rebuild of users");
        assert_eq!(role, "patient");

        db.call_blocking(|c| {
            // The new role is admitted, unknown ones still are not.
            c.execute(
                "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
                 VALUES ('u2', 'mia@example.com', 'Mia', 'medical_information', 'h', 1)",
                [],
            )?;
            assert!(c
                .execute(
                    "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
                     VALUES ('u3', 'x@example.com', 'X', 'admin', 'h', 1)",
                    [],
                )
                .is_err());
            // Sessions still refer to the (rebuilt) users table and still cascade.
            c.execute("DELETE FROM users WHERE id = 'u1'", [])?;
            let left: i64 = c.query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))?;
            assert_eq!(left, 0);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn a_migration_leaving_broken_references_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite3");
        {
            let mut c = Connection::open(&path).unwrap();
            migrate_to(&mut c, 1).unwrap();
            // A session of a user that does not exist, as foreign keys off would allow.
            c.execute_batch(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at)
                     VALUES (x'01', 'ghost', 1, 1);",
            )
            .unwrap();
        }
        let err = Db::open(&path).err().unwrap();
        assert!(err.to_string().contains("broken references"), "{err}");
        let c = Connection::open(&path).unwrap();
        let version: u32 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1, "the failed migration was rolled back");
        let tables: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('products', 'inquiries', 'users_new')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn reminder_rows_only_point_within_their_account_and_go_with_it() {
        let db = Db::open_in_memory().unwrap();
        db.call_blocking(|c| {
            c.execute_batch(
                "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
                     VALUES ('u1', 'a@example.com', 'A', 'caregiver', 'h', 1),
                            ('u2', 'b@example.com', 'B', 'patient', 'h', 1);
                 INSERT INTO people (account_id, id, name, colour, zone, version, created_at,
                                     updated_at)
                     VALUES ('u1', 'p1', 'Mum', 'teal', 'UTC', 1, 1, 1);
                 INSERT INTO reminders (account_id, id, person_id, medicine, strength,
                     dose_amount, dose_unit, instructions, schedule_json, hide_name_in_calendar,
                     stock, refill_at, version, created_at, updated_at)
                     VALUES ('u1', 'r1', 'p1', 'M', '', '1', 'tablet', '', '{}', 0, 5, NULL, 1,
                             1, 1);
                 INSERT INTO dose_events (account_id, id, reminder_id, scheduled_at, action, at,
                     at_ms, snooze_minutes, reason, recorded_at)
                     VALUES ('u1', 'e1', 'r1', NULL, 'taken', '2026-01-01T00:00:00Z', 0, NULL,
                             '', 1);",
            )?;
            // Another account cannot point at u1's person or reminder, even knowing the ids.
            let foreign_reminder = c.execute(
                "INSERT INTO reminders (account_id, id, person_id, medicine, strength,
                     dose_amount, dose_unit, instructions, schedule_json, hide_name_in_calendar,
                     stock, refill_at, version, created_at, updated_at)
                     VALUES ('u2', 'r2', 'p1', 'M', '', '1', 'tablet', '', '{}', 0, NULL, NULL,
                             1, 1, 1)",
                [],
            );
            assert!(foreign_reminder.is_err());
            let foreign_event = c.execute(
                "INSERT INTO dose_events (account_id, id, reminder_id, scheduled_at, action, at,
                     at_ms, snooze_minutes, reason, recorded_at)
                     VALUES ('u2', 'e1', 'r1', NULL, 'taken', 'x', 0, NULL, '', 1)",
                [],
            );
            assert!(foreign_event.is_err());
            // Ids are per account: u2 may have a person `p1` of its own.
            c.execute_batch(
                "INSERT INTO people (account_id, id, name, colour, zone, version, created_at,
                                     updated_at)
                     VALUES ('u2', 'p1', 'Dad', 'blue', 'UTC', 1, 1, 1);",
            )?;
            c.execute("DELETE FROM users WHERE id = 'u1'", [])?;
            let left: (i64, i64, i64) = c.query_row(
                "SELECT (SELECT COUNT(*) FROM people), (SELECT COUNT(*) FROM reminders),
                        (SELECT COUNT(*) FROM dose_events)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            assert_eq!(
                left,
                (1, 0, 0),
                "u1's rows went with the account, u2's stayed"
            );
            Ok(())
        })
        .unwrap();
    }

    /// Account `u1` with person `p1` and their reminder `r1`, in the schema since release 4.
    const ACCOUNT_WITH_A_REMINDER: &str = "
        INSERT INTO users (id, email, display_name, role, password_hash, created_at)
            VALUES ('u1', 'a@example.com', 'A', 'caregiver', 'h', 1);
        INSERT INTO people (account_id, id, name, colour, zone, version, created_at, updated_at)
            VALUES ('u1', 'p1', 'Mum', 'teal', 'UTC', 1, 1, 1);
        INSERT INTO reminders (account_id, id, person_id, medicine, strength, dose_amount,
            dose_unit, instructions, schedule_json, hide_name_in_calendar, stock, refill_at,
            version, created_at, updated_at)
            VALUES ('u1', 'r1', 'p1', 'M', '', '1', 'tablet', '', '{}', 0, NULL, NULL, 1, 1, 1);";

    #[test]
    fn dose_events_keep_their_rows_and_take_undone_after_release_5() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite3");
        {
            // A database as release 5 left it, with one logged dose.
            let mut c = Connection::open(&path).unwrap();
            migrate_to(&mut c, 5).unwrap();
            c.execute_batch(ACCOUNT_WITH_A_REMINDER).unwrap();
            c.execute_batch(
                "INSERT INTO dose_events (account_id, id, reminder_id, scheduled_at, action, at,
                                          at_ms, snooze_minutes, reason, recorded_at)
                     VALUES ('u1', 'e1', 'r1', '2026-01-01T08:00:00Z', 'taken',
                             '2026-01-01T08:05:00Z', 1, NULL, '', 1);",
            )
            .unwrap();
            assert!(c
                .execute_batch(
                    "INSERT INTO dose_events (account_id, id, reminder_id, scheduled_at, action,
                                              at, at_ms, snooze_minutes, reason, recorded_at)
                         VALUES ('u1', 'e2', 'r1', '2026-01-01T08:00:00Z', 'undone',
                                 '2026-01-01T08:06:00Z', 2, NULL, '', 2);"
                )
                .is_err());
        }
        let db = Db::open(&path).unwrap();
        db.call_blocking(|c| {
            c.execute_batch(
                "INSERT INTO dose_events (account_id, id, reminder_id, scheduled_at, action, at,
                                          at_ms, snooze_minutes, reason, recorded_at)
                     VALUES ('u1', 'e2', 'r1', '2026-01-01T08:00:00Z', 'undone',
                             '2026-01-01T08:06:00Z', 2, NULL, '', 2);",
            )?;
            let actions: Vec<String> = c
                .prepare("SELECT action FROM dose_events ORDER BY id")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            assert_eq!(actions, ["taken", "undone"]);
            // Still removed with their reminder.
            c.execute("DELETE FROM reminders WHERE id = 'r1'", [])?;
            let left: i64 = c.query_row("SELECT count(*) FROM dose_events", [], |r| r.get(0))?;
            assert_eq!(left, 0);
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn push_rows_go_with_their_subscription_reminder_and_account() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("portal.sqlite3");
        {
            // A database as release 4 left it, with a reminder.
            let mut c = Connection::open(&path).unwrap();
            migrate_to(&mut c, 4).unwrap();
            c.execute_batch(ACCOUNT_WITH_A_REMINDER).unwrap();
            c.execute_batch(
                "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
                     VALUES ('u2', 'b@example.com', 'B', 'patient', 'h', 1);",
            )
            .unwrap();
        }
        let db = Db::open(&path).unwrap();
        db.call_blocking(|c| {
            let key = vec![1u8; 65];
            c.execute(
                "INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth, created_at,
                                                 updated_at)
                 VALUES ('u1', 'https://push.example.com/a', ?1, ?2, 1, 1)",
                rusqlite::params![key, vec![2u8; 16]],
            )?;
            // One endpoint, one subscription; keys of the wrong size are refused.
            assert!(c
                .execute(
                    "INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth,
                                                     created_at, updated_at)
                     VALUES ('u2', 'https://push.example.com/a', ?1, ?2, 1, 1)",
                    rusqlite::params![key, vec![2u8; 16]],
                )
                .is_err());
            assert!(c
                .execute(
                    "INSERT INTO push_subscriptions (account_id, endpoint, p256dh, auth,
                                                     created_at, updated_at)
                     VALUES ('u2', 'https://push.example.com/b', ?1, ?2, 1, 1)",
                    rusqlite::params![vec![1u8; 33], vec![2u8; 16]],
                )
                .is_err());
            let insert_delivery = |round: &str| {
                c.execute(
                    "INSERT INTO push_deliveries (subscription_id, account_id, reminder_id,
                         scheduled_at, round, outcome, created_at)
                     SELECT id, 'u1', 'r1', '2026-01-01T08:00:00Z', ?1, 'sending', 1
                     FROM push_subscriptions",
                    rusqlite::params![round],
                )
            };
            insert_delivery("")?;
            insert_delivery("e1")?;
            // The same dose and round, twice: refused (the claim that prevents double pushes).
            assert!(insert_delivery("").is_err());
            // A delivery cannot name another account's reminder.
            assert!(c
                .execute(
                    "INSERT INTO push_deliveries (subscription_id, account_id, reminder_id,
                         scheduled_at, round, outcome, created_at)
                     SELECT id, 'u2', 'r1', 'x', '', 'sending', 1 FROM push_subscriptions",
                    [],
                )
                .is_err());
            let count = |sql: &str| -> rusqlite::Result<i64> { c.query_row(sql, [], |r| r.get(0)) };
            c.execute("DELETE FROM reminders WHERE id = 'r1'", [])?;
            assert_eq!(count("SELECT COUNT(*) FROM push_deliveries")?, 0);
            c.execute("DELETE FROM users WHERE id = 'u1'", [])?;
            assert_eq!(count("SELECT COUNT(*) FROM push_subscriptions")?, 0);
            c.execute(
                "INSERT INTO push_keys (id, private_key, created_at) VALUES (1, ?1, 1)",
                rusqlite::params![vec![3u8; 32]],
            )?;
            // One key pair only.
            assert!(c
                .execute(
                    "INSERT INTO push_keys (id, private_key, created_at) VALUES (2, ?1, 1)",
                    rusqlite::params![vec![3u8; 32]],
                )
                .is_err());
            Ok(())
        })
        .unwrap();
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
