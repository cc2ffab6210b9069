//! Demo accounts and demo products, created at start so the portal can be tried without an admin tool.

use crate::{db::DbError, password};
use portal_core::api::Role;
use rusqlite::{params, Connection, OptionalExtension};

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
    DemoAccount {
        email: "mia@example.com",
        password: "medinfo-demo",
        role: Role::MedicalInformation,
        display_name: "Mia Okafor",
    },
];

/// A product of the demo catalogue: invented brand names, real active ingredients, so questions
/// about them read naturally without naming anyone's real product.
pub struct DemoProduct {
    pub id: &'static str,
    pub name: &'static str,
    pub generic_name: &'static str,
}

/// In the order the Ask form lists them.
pub const DEMO_PRODUCTS: &[DemoProduct] = &[
    DemoProduct {
        id: "brelora",
        name: "Brelora",
        generic_name: "salbutamol inhaler",
    },
    DemoProduct {
        id: "corvessa",
        name: "Corvessa",
        generic_name: "amlodipine tablets",
    },
    DemoProduct {
        id: "glycendo",
        name: "Glycendo",
        generic_name: "metformin tablets",
    },
    DemoProduct {
        id: "lipotrel",
        name: "Lipotrel",
        generic_name: "atorvastatin tablets",
    },
    DemoProduct {
        id: "febrinta",
        name: "Febrinta",
        generic_name: "paracetamol tablets",
    },
    DemoProduct {
        id: "thromvara",
        name: "Thromvara",
        generic_name: "apixaban tablets",
    },
];

/// Adds each demo account whose email is not in the database yet; returns how many it added.
///
/// Matching by email rather than "only into an empty database" lets a demo database from an older
/// release gain accounts added since (such as the Medical Information account), and never touches
/// an existing account's password or name. A demo account deleted by hand comes back on the next start.
pub fn seed_missing_accounts(conn: &mut Connection, now: i64) -> Result<usize, DbError> {
    let tx = conn.transaction()?;
    let mut added = 0;
    for account in DEMO_ACCOUNTS {
        let exists = tx
            .query_row(
                "SELECT 1 FROM users WHERE email = ?1",
                params![account.email],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if exists {
            continue;
        }
        // Hashed only when needed: each hash takes a noticeable moment.
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
        added += 1;
    }
    tx.commit()?;
    Ok(added)
}

/// Fills the product catalogue with [`DEMO_PRODUCTS`] if it is empty; returns whether it did.
///
/// Runs on every start, also on databases created before products existed, because the Ask form
/// offers only "other or not sure" without a catalogue, and this backend has no other way to
/// fill it. A catalogue someone has filled (with anything) is left alone.
pub fn seed_products_if_empty(conn: &mut Connection) -> Result<bool, DbError> {
    let products: i64 = conn.query_row("SELECT COUNT(*) FROM products", [], |r| r.get(0))?;
    if products > 0 {
        return Ok(false);
    }
    let tx = conn.transaction()?;
    for (order, product) in DEMO_PRODUCTS.iter().enumerate() {
        tx.execute(
            "INSERT INTO products (id, name, generic_name, sort_order) VALUES (?1, ?2, ?3, ?4)",
            params![product.id, product.name, product.generic_name, order as i64],
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
