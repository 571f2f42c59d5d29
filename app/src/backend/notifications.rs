//! The customer's notification centre: security notices now, replies and
//! reminders later. Written in the same transaction as what caused them.
use super::AppState;
use crate::types::{Notification, Timestamp};
use sqlx::{Any, Row, Transaction};

/// Stable kinds; the page translates them.
pub const NEW_DEVICE_LOGIN: &str = "new_device_login";
pub const PASSWORD_CHANGED: &str = "password_changed";
pub const PASSWORD_RESET: &str = "password_reset";

pub async fn notify(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    kind: &str,
    detail: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO notifications (customer_id, kind, detail, created_at) VALUES ($1, $2, $3, $4)")
        .bind(customer_id)
        .bind(kind)
        .bind(detail)
        .bind(now.micros())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The newest notifications of a customer.
pub async fn list(state: &AppState, customer_id: i64, limit: i64) -> Result<Vec<Notification>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, kind, detail, created_at, read_at FROM notifications WHERE customer_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let created = Timestamp::from_micros(row.try_get("created_at")?);
            Ok(Notification {
                id: row.try_get("id")?,
                kind: row.try_get("kind")?,
                detail: row.try_get("detail")?,
                created_local: super::local_time(state.zone, created),
                unread: row.try_get::<Option<i64>, _>("read_at")?.is_none(),
            })
        })
        .collect()
}

pub async fn unread_count(state: &AppState, customer_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND read_at IS NULL")
        .bind(customer_id)
        .fetch_one(state.db.pool())
        .await
}

pub async fn mark_all_read(state: &AppState, customer_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE notifications SET read_at = $1 WHERE customer_id = $2 AND read_at IS NULL")
        .bind(state.clock.now().micros())
        .bind(customer_id)
        .execute(state.db.pool())
        .await?;
    Ok(())
}
