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
    /// The generic name in the other languages the portal speaks.
    pub generic_names: &'static [(&'static str, &'static str)],
}

impl DemoProduct {
    fn names_json(&self) -> String {
        let names: serde_json::Map<String, serde_json::Value> = self
            .generic_names
            .iter()
            .map(|(tag, name)| ((*tag).to_owned(), (*name).into()))
            .collect();
        serde_json::Value::Object(names).to_string()
    }
}

/// In the order the Ask form lists them.
pub const DEMO_PRODUCTS: &[DemoProduct] = &[
    DemoProduct {
        id: "brelora",
        name: "Brelora",
        generic_name: "salbutamol inhaler",
        generic_names: &[
            ("de", "Salbutamol-Inhalator"),
            ("fr", "inhalateur de salbutamol"),
            ("es", "inhalador de salbutamol"),
        ],
    },
    DemoProduct {
        id: "corvessa",
        name: "Corvessa",
        generic_name: "amlodipine tablets",
        generic_names: &[
            ("de", "Amlodipin-Tabletten"),
            ("fr", "comprimés d'amlodipine"),
            ("es", "comprimidos de amlodipino"),
        ],
    },
    DemoProduct {
        id: "glycendo",
        name: "Glycendo",
        generic_name: "metformin tablets",
        generic_names: &[
            ("de", "Metformin-Tabletten"),
            ("fr", "comprimés de metformine"),
            ("es", "comprimidos de metformina"),
        ],
    },
    DemoProduct {
        id: "lipotrel",
        name: "Lipotrel",
        generic_name: "atorvastatin tablets",
        generic_names: &[
            ("de", "Atorvastatin-Tabletten"),
            ("fr", "comprimés d'atorvastatine"),
            ("es", "comprimidos de atorvastatina"),
        ],
    },
    DemoProduct {
        id: "febrinta",
        name: "Febrinta",
        generic_name: "paracetamol tablets",
        generic_names: &[
            ("de", "Paracetamol-Tabletten"),
            ("fr", "comprimés de paracétamol"),
            ("es", "comprimidos de paracetamol"),
        ],
    },
    DemoProduct {
        id: "thromvara",
        name: "Thromvara",
        generic_name: "apixaban tablets",
        generic_names: &[
            ("de", "Apixaban-Tabletten"),
            ("fr", "comprimés d'apixaban"),
            ("es", "comprimidos de apixabán"),
        ],
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
        // A demo catalogue from before products had names in other languages gains them.
        for product in DEMO_PRODUCTS {
            conn.execute(
                "UPDATE products SET generic_names = ?1
                 WHERE id = ?2 AND generic_name = ?3 AND generic_names = '{}'",
                params![product.names_json(), product.id, product.generic_name],
            )?;
        }
        return Ok(false);
    }
    let tx = conn.transaction()?;
    for (order, product) in DEMO_PRODUCTS.iter().enumerate() {
        tx.execute(
            "INSERT INTO products (id, name, generic_name, sort_order, generic_names)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                product.id,
                product.name,
                product.generic_name,
                order as i64,
                product.names_json()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalogue_seeded_before_translations_gains_them_and_one_edited_keeps_its_own() {
        let db = crate::db::Db::open_in_memory().unwrap();
        db.call_blocking(|conn| {
            assert!(seed_products_if_empty(conn)?);
            conn.execute("UPDATE products SET generic_names = '{}'", [])?;
            conn.execute(
                "UPDATE products SET generic_name = 'salbutamol spray' WHERE id = 'brelora'",
                [],
            )?;
            assert!(!seed_products_if_empty(conn)?);
            let names = |id: &str| -> rusqlite::Result<String> {
                conn.query_row(
                    "SELECT generic_names FROM products WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
            };
            assert_eq!(names("brelora")?, "{}");
            let corvessa: serde_json::Value = serde_json::from_str(&names("corvessa")?).unwrap();
            assert_eq!(corvessa["de"], "Amlodipin-Tabletten");
            Ok::<_, DbError>(())
        })
        .unwrap();
    }
}
