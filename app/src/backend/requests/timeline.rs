//! A request's timeline: every change, message and file in order.
//!
//! Two audiences, two functions: `for_customer` reads the public tables only (it
//! never touches `service_request_notes` and leaves out staff-only steps), and
//! `for_staff` adds the notes and the staff-only steps to it.
use super::EventKind;
use crate::api::requests::{TimelineEntry, TimelineItem};
use crate::backend::{local_time, AppState};
use crate::error::AppError;
use crate::types::{RequestStatus, Timestamp};
use sqlx::Row;

/// What the customer sees: public steps, the conversation and the files.
pub async fn for_customer(state: &AppState, request_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let mut entries = steps(state, request_id, false).await?;
    entries.extend(messages(state, request_id).await?);
    entries.extend(files(state, request_id).await?);
    Ok(sorted(entries))
}

/// What staff see: everything the customer sees, the staff-only steps and the notes.
pub async fn for_staff(state: &AppState, request_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let mut entries = steps(state, request_id, true).await?;
    entries.extend(messages(state, request_id).await?);
    entries.extend(files(state, request_id).await?);
    entries.extend(notes(state, request_id).await?);
    Ok(sorted(entries))
}

fn sorted(mut entries: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    // Stable: at equal times the order above holds (the step before the message it caused).
    entries.sort_by_key(|e| e.at);
    entries
}

fn entry(state: &AppState, at: i64, item: TimelineItem) -> TimelineEntry {
    TimelineEntry { at, at_local: local_time(state.zone, Timestamp::from_micros(at)), item }
}

async fn steps(state: &AppState, request_id: i64, staff_view: bool) -> Result<Vec<TimelineEntry>, AppError> {
    let hidden = EventKind::STAFF_ONLY.map(|k| format!("'{k}'")).join(", ");
    let filter = if staff_view { String::new() } else { format!(" AND kind NOT IN ({hidden})") };
    let sql = format!(
        "SELECT kind, from_status, to_status, actor_kind, detail, created_at FROM service_request_events \
         WHERE request_id = $1{filter} ORDER BY id"
    );
    let rows = sqlx::query(&sql).bind(request_id).fetch_all(state.db.pool()).await?;
    let status = |text: Option<String>| text.as_deref().and_then(RequestStatus::parse);
    rows.iter()
        .map(|row| {
            let item = TimelineItem::Step {
                kind: row.try_get("kind")?,
                from: status(row.try_get("from_status")?),
                to: status(row.try_get("to_status")?),
                by_bank: row.try_get::<String, _>("actor_kind")? != "customer",
                detail: row.try_get("detail")?,
            };
            Ok(entry(state, row.try_get("created_at")?, item))
        })
        .collect()
}

async fn messages(state: &AppState, request_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT m.author_kind, m.body, m.created_at, COALESCE(c.full_name, s.full_name, '') AS author \
         FROM service_request_messages m \
         LEFT JOIN customers c ON m.author_kind = 'customer' AND c.id = m.author_id \
         LEFT JOIN staff s ON m.author_kind = 'staff' AND s.id = m.author_id \
         WHERE m.request_id = $1 ORDER BY m.id",
    )
    .bind(request_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let item = TimelineItem::Message {
                from_bank: row.try_get::<String, _>("author_kind")? == "staff",
                author: row.try_get("author")?,
                body: row.try_get("body")?,
            };
            Ok(entry(state, row.try_get("created_at")?, item))
        })
        .collect()
}

async fn files(state: &AppState, request_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT id, author_kind, file_name, content_type, size_bytes, created_at FROM service_request_files \
         WHERE request_id = $1 ORDER BY id",
    )
    .bind(request_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let item = TimelineItem::File {
                id: row.try_get("id")?,
                name: row.try_get("file_name")?,
                content_type: row.try_get("content_type")?,
                size_bytes: row.try_get("size_bytes")?,
                from_bank: row.try_get::<String, _>("author_kind")? == "staff",
            };
            Ok(entry(state, row.try_get("created_at")?, item))
        })
        .collect()
}

async fn notes(state: &AppState, request_id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows = sqlx::query(
        "SELECT n.body, n.created_at, s.full_name FROM service_request_notes n \
         JOIN staff s ON s.id = n.staff_id WHERE n.request_id = $1 ORDER BY n.id",
    )
    .bind(request_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let item = TimelineItem::Note { author: row.try_get("full_name")?, body: row.try_get("body")? };
            Ok(entry(state, row.try_get("created_at")?, item))
        })
        .collect()
}
