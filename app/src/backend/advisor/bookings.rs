//! One booking as its advisor sees it: internal notes (staff only, never in a
//! customer's response), the summary shared with the customer, and held / no-show
//! marking once the consultation has started.
//!
//! A booking is found through its advisor (`WHERE id = $1 AND advisor_id = $2`);
//! supervisors and admins reach any. Someone else's booking answers `not_found`.
use super::calendar::{entry, ENTRY_COLUMNS};
use super::{audit_staff, events, notices, oversees};
use crate::api::advisor::{BookingDetail, NoteView};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{BookingStatus, PlainText, Timestamp};
use serde_json::json;
use sqlx::Row;

/// Longest internal note and shared summary, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;

/// What the booking's lookup yields besides the calendar entry.
struct Found {
    detail: BookingDetail,
    customer_id: i64,
    starts_at: Timestamp,
}

async fn find(state: &AppState, actor: &StaffActor, id: i64) -> Result<Found, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS}, s.full_name, s.staff_no, b.topic_note, b.summary, b.cancel_reason, b.customer_id \
         FROM bookings b JOIN customers c ON c.id = b.customer_id JOIN staff s ON s.id = b.advisor_id \
         WHERE b.id = $1 AND (b.advisor_id = $2 OR $3 = 1)"
    ))
    .bind(id)
    .bind(actor.staff_id)
    .bind(i64::from(oversees(actor)))
    .fetch_optional(state.db.pool())
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    let entry = entry(state.zone, &row)?;
    let starts_at = Timestamp::from_micros(row.try_get(2)?);
    let can_mark = entry.status == BookingStatus::Booked && state.clock.now() >= starts_at;
    Ok(Found {
        detail: BookingDetail {
            entry,
            advisor_name: row.try_get(9)?,
            advisor_staff_no: row.try_get(10)?,
            topic_note: row.try_get(11)?,
            summary: row.try_get(12)?,
            cancel_reason: row.try_get(13)?,
            notes: Vec::new(),
            can_mark,
        },
        customer_id: row.try_get(14)?,
        starts_at,
    })
}

pub async fn detail(state: &AppState, actor: &StaffActor, id: i64) -> Result<BookingDetail, AppError> {
    let mut found = find(state, actor, id).await?;
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT s.full_name, n.created_at, n.body FROM booking_notes n JOIN staff s ON s.id = n.staff_id \
         WHERE n.booking_id = $1 ORDER BY n.id",
    )
    .bind(id)
    .fetch_all(state.db.pool())
    .await?;
    found.detail.notes = rows
        .into_iter()
        .map(|(author, at, body)| NoteView { author, at: local_time(state.zone, Timestamp::from_micros(at)), body })
        .collect();
    Ok(found.detail)
}

pub async fn add_note(state: &AppState, actor: &StaffActor, id: i64, body: &str, origin: &str) -> Result<(), AppError> {
    let body = PlainText::new(body, MAX_NOTE_CHARS, "body")?;
    let found = find(state, actor, id).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("INSERT INTO booking_notes (booking_id, staff_id, body, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(actor.staff_id)
        .bind(body.as_str())
        .bind(now.micros())
        .execute(&mut *tx)
        .await?;
    let detail = json!({ "booking": found.detail.entry.reference });
    audit_staff(&mut tx, state, actor, Some(found.customer_id), events::BOOKING_NOTE_ADDED, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the summary the customer reads on their booking page, and tells them.
pub async fn share_summary(
    state: &AppState,
    actor: &StaffActor,
    id: i64,
    summary: &str,
    origin: &str,
) -> Result<(), AppError> {
    let summary = PlainText::new(summary, MAX_NOTE_CHARS, "summary")?;
    let found = find(state, actor, id).await?;
    if found.detail.entry.status == BookingStatus::Cancelled {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("summary".into()) });
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let changed =
        sqlx::query("UPDATE bookings SET summary = $1, updated_at = $2 WHERE id = $3 AND status <> 'cancelled'")
            .bind(summary.as_str())
            .bind(now.micros())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed != 1 {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("summary".into()) });
    }
    let reference = found.detail.entry.reference.clone();
    notifications::notify(&mut tx, found.customer_id, notices::BOOKING_SUMMARY_SHARED, &reference, now).await?;
    let detail = json!({ "booking": reference, "first": found.detail.summary.is_none() });
    audit_staff(&mut tx, state, actor, Some(found.customer_id), events::BOOKING_SUMMARY_SHARED, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a booking held or no-show: only a `booked` one, only once it has started.
pub async fn mark(
    state: &AppState,
    actor: &StaffActor,
    id: i64,
    outcome: BookingStatus,
    origin: &str,
) -> Result<(), AppError> {
    if !matches!(outcome, BookingStatus::Held | BookingStatus::NoShow) {
        return Err(AppError::invalid("outcome"));
    }
    let found = find(state, actor, id).await?;
    let now = state.clock.now();
    let wrong_state = AppError { code: ErrorCode::WrongState, field: Some("outcome".into()) };
    if now < found.starts_at || found.detail.entry.status != BookingStatus::Booked {
        return Err(wrong_state);
    }
    let mut tx = state.db.begin_write().await?;
    // The status in the WHERE makes a concurrent cancel or second mark lose cleanly.
    let changed = sqlx::query(
        "UPDATE bookings SET status = $1, updated_at = $2 WHERE id = $3 AND status = 'booked' AND starts_at <= $2",
    )
    .bind(outcome.as_str())
    .bind(now.micros())
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(wrong_state);
    }
    let detail = json!({ "booking": found.detail.entry.reference, "outcome": outcome.as_str() });
    audit_staff(&mut tx, state, actor, Some(found.customer_id), events::BOOKING_MARKED, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}
