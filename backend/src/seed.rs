//! Demo accounts, created on first start so the portal can be tried without an admin tool.

use crate::{db::DbError, password};
use portal_core::api::Role;
use rusqlite::{params, Connection};

pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub role: Role,
    pub display_name: &'static str,
}

pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "pat@example.com",
        password: "patient-demo",
        role: Role::Patient,
        display_name: "Pat Lee",
    },
    DemoAccount {
        email: "cara@example.com",
        password: "caregiver-demo",
        role: Role::Caregiver,
        display_name: "Cara Jones",
    },
    DemoAccount {
        email: "eddie@example.com",
        password: "editor-demo",
        role: Role::Editor,
        display_name: "Eddie Novak",
    },
];

/// Creates the demo accounts if the database has no users at all; returns whether it did.
pub fn seed_if_empty(conn: &mut Connection, now: i64) -> Result<bool, DbError> {
    let users: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
    if users > 0 {
        return Ok(false);
    }
    let tx = conn.transaction()?;
    for account in DEMO_ACCOUNTS {
        let hash = password::hash(account.password).map_err(DbError::new)?;
        tx.execute(
            "INSERT INTO users (id, email, display_name, role, password_hash, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                new_id(),
                account.email,
                account.display_name,
                account.role.as_str(),
                hash,
                now
            ],
        )?;
    }
    tx.commit()?;
    Ok(true)
}

/// Random opaque identifier, so ids reveal neither order nor count of accounts.
pub fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
