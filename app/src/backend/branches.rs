//! Outlets.
use super::Db;
use crate::types::{Branch, Localized};
use sqlx::Row;

/// Every outlet, by code.
pub async fn list(db: &Db) -> Result<Vec<Branch>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT code, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en \
         FROM branches ORDER BY code",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Branch {
                code: row.try_get("code")?,
                name: Localized { zh: row.try_get("name_zh")?, en: row.try_get("name_en")? },
                address: Localized { zh: row.try_get("address_zh")?, en: row.try_get("address_en")? },
                phone: row.try_get("phone")?,
                hours: Localized { zh: row.try_get("hours_zh")?, en: row.try_get("hours_en")? },
            })
        })
        .collect()
}

/// The id of the outlet with `code`, if there is one.
pub async fn id_by_code(db: &Db, code: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM branches WHERE code = $1").bind(code).fetch_optional(db.pool()).await
}
