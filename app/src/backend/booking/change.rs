//! Moving and cancelling a booking, by its customer, until the cut-off (2 hours
//! before the current start). A move takes the new slot and frees the old one in
//! one statement of one transaction: the row's times change, so there is never a
//! moment with both or neither held.
use super::book::{offered_or_refused, write_error, KIND_CANCELLED, KIND_RESCHEDULED};
use super::slots::CUT_OFF_SECONDS;
use super::views::{self, Found};
use super::{reminders, schedule};
use crate::api::booking::BookingView;
use crate::backend::audit::{self, AuditEvent};
use crate::backend::auth::CustomerChange;
use crate::backend::ledger::retry::{with_retries, Attempt};
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{BookingStatus, PlainText, Timestamp};
use sqlx::{Any, Transaction};

/// Who cancelled a booking (stored in `bookings.cancelled_by`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelledBy {
    Customer,
    /// The bank: the advisor's leave fell on it.
    Staff,
}

impl CancelledBy {
    const fn as_str(self) -> &'static str {
        match self {
            CancelledBy::Customer => "customer",
            CancelledBy::Staff => "staff",
        }
    }
}

/// Cancels a booking that is still booked: status, who and why, the iCalendar
/// sequence, and its unsent reminders. The one way a booking is cancelled, by its
/// customer or by the bank; false when it was no longer booked.
pub async fn mark_cancelled(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    by: CancelledBy,
    reason: &str,
    now: Timestamp,
) -> Result<bool, sqlx::Error> {
    let cancelled = sqlx::query(
        "UPDATE bookings SET status = 'cancelled', cancelled_by = $1, cancel_reason = $2, \
         sequence = sequence + 1, updated_at = $3 WHERE id = $4 AND status = 'booked'",
    )
    .bind(by.as_str())
    .bind(reason)
    .bind(now.micros())
    .bind(id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if cancelled != 1 {
        return Ok(false);
    }
    reminders::cancel_reminders(tx, id, now).await?;
    Ok(true)
}

/// The customer's booking, if it may still be changed online at `now`.
async fn changeable(
    tx: &mut Transaction<'static, Any>,
    who: &CustomerChange,
    reference: &str,
    zone: chrono_tz::Tz,
    now: Timestamp,
) -> Result<Found, Attempt> {
    let found = views::find(tx, who.customer_id, reference, zone, now)
        .await
        .map_err(write_error)?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound))?;
    if found.view.status != BookingStatus::Booked {
        return Err(AppError::new(ErrorCode::WrongState).into());
    }
    if now.plus_seconds(CUT_OFF_SECONDS) > found.view.starts_at {
        return Err(AppError::new(ErrorCode::PastCutOff).into());
    }
    Ok(found)
}

/// Re-reads the booking after a change, for the answer.
async fn reread(
    tx: &mut Transaction<'static, Any>,
    who: &CustomerChange,
    reference: &str,
    zone: chrono_tz::Tz,
    now: Timestamp,
) -> Result<BookingView, Attempt> {
    Ok(views::find(tx, who.customer_id, reference, zone, now)
        .await
        .map_err(write_error)?
        .ok_or_else(|| AppError::new(ErrorCode::Internal))?
        .view)
}

async fn record(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    who: &CustomerChange,
    event: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), Attempt> {
    // Staff in assist mode act as themselves, on the customer's behalf.
    let customer_id = who.on_behalf_of.map(|_| who.customer_id);
    let event = AuditEvent { actor: who.actor(), customer_id, event, detail, origin: "" };
    audit::record(tx, state.db.backend(), now, &event).await.map_err(write_error)?;
    Ok(())
}

/// Moves the booking to the same advisor's free slot at `starts_at`.
pub async fn reschedule(
    state: &AppState,
    who: &CustomerChange,
    reference: &str,
    starts_at: Timestamp,
) -> Result<BookingView, AppError> {
    with_retries("booking_reschedule", || reschedule_once(state, who, reference, starts_at)).await
}

async fn reschedule_once(
    state: &AppState,
    who: &CustomerChange,
    reference: &str,
    starts_at: Timestamp,
) -> Result<BookingView, Attempt> {
    let (now, zone) = (state.clock.now(), state.zone);
    let mut tx = state.db.begin_write().await.map_err(write_error)?;
    let found = changeable(&mut tx, who, reference, zone, now).await?;
    if found.view.starts_at == starts_at {
        // Sent twice (a double click): already there.
        tx.rollback().await.map_err(write_error)?;
        return Ok(found.view);
    }
    schedule::lock_advisor(&mut tx, state.db.backend(), found.advisor_id).await.map_err(write_error)?;
    let schedule = schedule::load_schedule(&mut tx, found.advisor_id, zone, now)
        .await
        .map_err(write_error)?
        .ok_or_else(|| AppError::new(ErrorCode::SlotUnavailable))?;
    // The booking being moved does not stand in its own way.
    let busy = schedule::load_busy(&mut tx, found.advisor_id, now, Some(found.id)).await.map_err(write_error)?;
    let slot = offered_or_refused(&schedule, &busy, now, zone, starts_at)?;
    let moved = sqlx::query(
        "UPDATE bookings SET starts_at = $1, ends_at = $2, busy_until = $3, sequence = sequence + 1, \
         updated_at = $4 WHERE id = $5 AND status = 'booked'",
    )
    .bind(slot.starts_at.micros())
    .bind(slot.ends_at.micros())
    .bind(slot.busy_until.micros())
    .bind(now.micros())
    .bind(found.id)
    .execute(&mut *tx)
    .await
    .map_err(write_error)?
    .rows_affected();
    if moved != 1 {
        return Err(AppError::new(ErrorCode::WrongState).into());
    }
    reminders::cancel_reminders(&mut tx, found.id, now).await.map_err(write_error)?;
    reminders::schedule_reminders(&mut tx, found.id, slot.starts_at, now).await.map_err(write_error)?;
    let (from, to) =
        (crate::backend::local_time(zone, found.view.starts_at), crate::backend::local_time(zone, starts_at));
    notifications::notify(&mut tx, who.customer_id, KIND_RESCHEDULED, &format!("{reference} · {to}"), now)
        .await
        .map_err(write_error)?;
    let view = reread(&mut tx, who, reference, zone, now).await?;
    record(
        &mut tx,
        state,
        who,
        "booking_rescheduled",
        serde_json::json!({ "reference": reference, "from": from, "to": to }),
        now,
    )
    .await?;
    tx.commit().await.map_err(write_error)?;
    Ok(view)
}

/// Cancels the booking with the customer's reason; its slot is free again.
pub async fn cancel(
    state: &AppState,
    who: &CustomerChange,
    reference: &str,
    reason: &PlainText,
) -> Result<BookingView, AppError> {
    with_retries("booking_cancel", || cancel_once(state, who, reference, reason)).await
}

async fn cancel_once(
    state: &AppState,
    who: &CustomerChange,
    reference: &str,
    reason: &PlainText,
) -> Result<BookingView, Attempt> {
    let (now, zone) = (state.clock.now(), state.zone);
    let mut tx = state.db.begin_write().await.map_err(write_error)?;
    let found = changeable(&mut tx, who, reference, zone, now).await?;
    let by = if who.on_behalf_of.is_some() { CancelledBy::Staff } else { CancelledBy::Customer };
    if !mark_cancelled(&mut tx, found.id, by, reason.as_str(), now).await.map_err(write_error)? {
        return Err(AppError::new(ErrorCode::WrongState).into());
    }
    let when = crate::backend::local_time(zone, found.view.starts_at);
    notifications::notify(&mut tx, who.customer_id, KIND_CANCELLED, &format!("{reference} · {when}"), now)
        .await
        .map_err(write_error)?;
    let view = reread(&mut tx, who, reference, zone, now).await?;
    record(
        &mut tx,
        state,
        who,
        "booking_cancelled",
        serde_json::json!({ "reference": reference, "starts": when }),
        now,
    )
    .await?;
    tx.commit().await.map_err(write_error)?;
    Ok(view)
}
