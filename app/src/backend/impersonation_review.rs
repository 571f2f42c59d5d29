//! The supervisors' review of "view as customer" sessions: the list filtered by
//! staff member, customer, the day it started and whether it runs; one session
//! with its audit rows; assist mode granted or taken back on a running session.
//!
//! A session runs while `ended_at` is NULL and `expires_at` is still ahead: a row
//! a crashed server never closed stops counting as running at its limit, and is
//! shown as ended by the time limit.
//!
//! A session's actions are the audit rows whose detail names its
//! `impersonation_id`. The detail is JSON text, so the rows are narrowed in SQL by
//! the customer, the time since the start and an anchored `LIKE` on the id, then
//! matched exactly in Rust after parsing (`LIKE` is only a pre-filter: `_` in the
//! key is a wildcard, and SQLite's `LIKE` ignores case).
use crate::api::impersonation_review::{
    ReviewAction, ReviewDetail, ReviewFilter, ReviewList, ReviewRow, DEFAULT_EXPORT_DAYS, MAX_ACTIONS, MAX_ROWS,
};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, AppState, Backend};
use crate::error::{AppError, ErrorCode};
use crate::types::{Day, ImpersonationMode, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Audit event names (stable).
pub mod events {
    /// A supervisor let the viewer use the request and booking forms.
    pub const ASSIST_GRANTED: &str = "impersonation_assist_granted";
    /// A supervisor made the session read only again.
    pub const ASSIST_REVOKED: &str = "impersonation_assist_revoked";
}

/// Audit rows written a little before the session's recorded start still count.
const START_SLACK_SECONDS: i64 = 60;

const COLUMNS: &str = "i.id, i.staff_id, s.staff_no, s.full_name AS staff_name, c.customer_no, \
     c.full_name AS customer_name, i.reason, i.reference, i.mode, g.staff_no AS granted_by_no, i.started_at, \
     i.expires_at, i.ended_at, i.end_reason, i.requests, i.refused, i.customer_id";

const FROM: &str = "FROM impersonations i JOIN staff s ON s.id = i.staff_id \
     JOIN customers c ON c.id = i.customer_id LEFT JOIN staff g ON g.id = i.assist_granted_by";

enum Value {
    Int(i64),
    Text(String),
}

/// A staff or customer number from a form: trimmed, upper case; empty means any.
pub fn party_no(text: &str, field: &str) -> Result<Option<String>, AppError> {
    let text = text.trim().to_ascii_uppercase();
    if text.is_empty() {
        return Ok(None);
    }
    if text.len() > 20 || !text.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid(field));
    }
    Ok(Some(text))
}

/// An optional day from a form.
fn day_of(text: &str, field: &str) -> Result<Option<Day>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    Day::parse(text).map(Some).ok_or_else(|| AppError::invalid(field))
}

/// The sessions matching `filter`, newest first, at most [`MAX_ROWS`].
pub async fn list(state: &AppState, actor: &StaffActor, filter: ReviewFilter) -> Result<ReviewList, AppError> {
    let now = state.clock.now();
    let staff = party_no(&filter.staff, "staff")?;
    let customer = party_no(&filter.customer, "customer")?;
    let from = day_of(&filter.from, "from")?;
    let to = day_of(&filter.to, "to")?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(AppError::invalid("from"));
        }
    }
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    if let Some(no) = &staff {
        conditions.push(format!("s.staff_no = {}", bind(Value::Text(no.clone()))));
    }
    if let Some(no) = &customer {
        conditions.push(format!("c.customer_no = {}", bind(Value::Text(no.clone()))));
    }
    if let Some(day) = from {
        conditions.push(format!("i.started_at >= {}", bind(Value::Int(day.start_in(state.zone).micros()))));
    }
    if let Some(day) = to {
        conditions.push(format!("i.started_at < {}", bind(Value::Int(day.plus_days(1).start_in(state.zone).micros()))));
    }
    if filter.running {
        conditions.push(format!("i.ended_at IS NULL AND i.expires_at > {}", bind(Value::Int(now.micros()))));
    }
    let limit = bind(Value::Int(MAX_ROWS + 1));
    let condition = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let sql = format!("SELECT {COLUMNS} {FROM} {condition} ORDER BY i.started_at DESC, i.id DESC LIMIT {limit}");
    let mut query = sqlx::query(&sql);
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    let found = query.fetch_all(state.db.pool()).await?;
    let truncated = found.len() > MAX_ROWS as usize;
    let rows =
        found.iter().take(MAX_ROWS as usize).map(|row| row_of(state, actor, row, now)).collect::<Result<_, _>>()?;
    let today = Day::at(state.zone, now);
    let filter = ReviewFilter {
        staff: staff.unwrap_or_default(),
        customer: customer.unwrap_or_default(),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        running: filter.running,
    };
    Ok(ReviewList {
        filter,
        rows,
        truncated,
        export_from: today.plus_days(1 - DEFAULT_EXPORT_DAYS).to_string(),
        export_to: today.to_string(),
    })
}

/// One session with its actions, oldest first.
pub async fn detail(state: &AppState, actor: &StaffActor, id: i64) -> Result<ReviewDetail, AppError> {
    let now = state.clock.now();
    let row = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    let session = row_of(state, actor, &row, now)?;
    let customer_id: i64 = row.try_get("customer_id")?;
    let started_at = Timestamp::from_micros(row.try_get("started_at")?);
    let found = sqlx::query(
        "SELECT a.id, a.at, a.event, a.actor_kind, a.detail, s.staff_no FROM audit_log a \
         LEFT JOIN staff s ON a.actor_kind = 'staff' AND s.id = a.actor_id \
         WHERE a.customer_id = $1 AND a.at >= $2 AND (a.detail LIKE $3 OR a.detail LIKE $4) \
         ORDER BY a.id LIMIT $5",
    )
    .bind(customer_id)
    .bind(started_at.plus_seconds(-START_SLACK_SECONDS).micros())
    .bind(format!("%\"impersonation_id\":{id},%"))
    .bind(format!("%\"impersonation_id\":{id}}}%"))
    .bind(MAX_ACTIONS + 1)
    .fetch_all(state.db.pool())
    .await?;
    let truncated = found.len() > MAX_ACTIONS as usize;
    let mut actions = Vec::with_capacity(found.len());
    for row in found.iter().take(MAX_ACTIONS as usize) {
        let detail: String = row.try_get("detail")?;
        let Ok(detail) = serde_json::from_str::<serde_json::Value>(&detail) else { continue };
        if detail.get("impersonation_id").and_then(serde_json::Value::as_i64) != Some(id) {
            continue;
        }
        let text = |key: &str| match detail.get(key) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let result = match text("result") {
            r if r.is_empty() => text("end_reason"),
            r => r,
        };
        let actor_kind: String = row.try_get("actor_kind")?;
        let actor = row.try_get::<Option<String>, _>("staff_no")?.unwrap_or(actor_kind);
        actions.push(ReviewAction {
            audit_id: row.try_get("id")?,
            at_local: local_time(state.zone, Timestamp::from_micros(row.try_get("at")?)),
            event: row.try_get("event")?,
            actor,
            method: text("method"),
            route: text("route"),
            result,
        });
    }
    let expires_at = Timestamp::from_micros(row.try_get("expires_at")?);
    let ended = row.try_get::<Option<i64>, _>("ended_at")?.map_or(now.min(expires_at), Timestamp::from_micros);
    let export_href = format!(
        "/staff/audit.csv?customer={}&from={}&to={}",
        session.access.customer_no,
        Day::at(state.zone, started_at),
        Day::at(state.zone, ended.max(started_at))
    );
    Ok(ReviewDetail { session, actions, truncated, export_href })
}

/// Sets running session `id` to `mode` (assist: granted by `actor`; read only:
/// taken back). Never on one's own session (Forbidden), only while it runs
/// (WrongState); asking for the mode it already has changes nothing. Audited in
/// the same transaction, as the actor's, with the customer.
pub async fn set_mode(
    state: &AppState,
    actor: &StaffActor,
    id: i64,
    mode: ImpersonationMode,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    // SQLite's BEGIN IMMEDIATE already serialises writers.
    let lock = match state.db.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let row: Option<(i64, i64, String, Option<i64>, i64)> = sqlx::query_as(&format!(
        "SELECT staff_id, customer_id, mode, ended_at, expires_at FROM impersonations WHERE id = $1{lock}"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((staff_id, customer_id, current, ended_at, expires_at)) = row else {
        return Err(AppError::new(ErrorCode::NotFound));
    };
    if staff_id == actor.staff_id {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    if ended_at.is_some() || now.micros() >= expires_at {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    if current == mode.as_str() {
        return Ok(());
    }
    let (granted_by, granted_at, event) = match mode {
        ImpersonationMode::Assist => (Some(actor.staff_id), Some(now.micros()), events::ASSIST_GRANTED),
        ImpersonationMode::ReadOnly => (None, None, events::ASSIST_REVOKED),
    };
    let changed = sqlx::query(
        "UPDATE impersonations SET mode = $1, assist_granted_by = $2, assist_granted_at = $3 \
         WHERE id = $4 AND ended_at IS NULL AND expires_at > $5",
    )
    .bind(mode.as_str())
    .bind(granted_by)
    .bind(granted_at)
    .bind(id)
    .bind(now.micros())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    let audit_event = AuditEvent {
        actor: Actor::Staff(actor.staff_id),
        customer_id: Some(customer_id),
        event,
        detail: serde_json::json!({ "impersonation_id": id, "staff_id": staff_id }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &audit_event).await?;
    tx.commit().await?;
    Ok(())
}

/// A row of [`COLUMNS`] as the viewer sees it at `now`: the viewing as the
/// customer's history shows it, and what this viewer may do with it.
fn row_of(state: &AppState, actor: &StaffActor, row: &AnyRow, now: Timestamp) -> Result<ReviewRow, AppError> {
    let access = crate::backend::impersonation::access_of(row, state.zone, now)?;
    let own = row.try_get::<i64, _>("staff_id")? == actor.staff_id;
    let (running, mode) = (access.running, access.mode);
    Ok(ReviewRow {
        access,
        assist_granted_by: row.try_get("granted_by_no")?,
        can_grant: running && !own && mode == ImpersonationMode::ReadOnly,
        can_revoke: running && !own && mode == ImpersonationMode::Assist,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn party_numbers_are_short_codes() {
        assert_eq!(party_no(" s00005 ", "staff").unwrap(), Some("S00005".to_owned()));
        assert_eq!(party_no("", "staff").unwrap(), None);
        assert_eq!(party_no("C0'; --", "customer").unwrap_err(), AppError::invalid("customer"));
    }
}
