//! Booking a consultation: once per idempotency key, only a slot the engine offers
//! at that moment (checked inside the writing transaction against fresh data), and
//! with the database's overlap rule as the final judge, so of many customers
//! racing for one slot exactly one gets it and every other is told "just taken".
use super::schedule;
use super::slots::{self, Schedule, Slot};
use super::{reminders, views};
use crate::api::booking::BookingView;
use crate::backend::audit::{self, AuditEvent};
use crate::backend::auth::CustomerChange;
use crate::backend::ledger::idempotency::{self, Claim};
use crate::backend::ledger::retry::{with_retries, Attempt};
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{Channel, IdempotencyKey, Purpose, Timestamp};
use sqlx::{Any, Transaction};

/// Notification kinds (translated by the notifications page).
pub const KIND_CONFIRMED: &str = "booking_confirmed";
pub const KIND_RESCHEDULED: &str = "booking_rescheduled";
pub const KIND_CANCELLED: &str = "booking_cancelled";

const OPERATION: &str = "booking_book";

/// A booking as the customer asked for it.
#[derive(Clone, Debug)]
pub struct BookRequest {
    pub purpose: Purpose,
    pub channel: Channel,
    /// The advisor's staff number.
    pub advisor: String,
    pub starts_at: Timestamp,
    /// Validated plain text, or "".
    pub note: String,
    pub key: IdempotencyKey,
}

/// Whether a database error is the overlap rule refusing a booking: SQLite's
/// trigger (`RAISE(ABORT, 'bookings_no_overlap')`) or PostgreSQL's exclusion
/// constraint (SQLSTATE 23P01).
pub fn is_overlap(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23P01")
                || db.constraint() == Some("bookings_no_overlap")
                || db.message().contains("bookings_no_overlap")
        }
        _ => false,
    }
}

/// A database error of a booking write: the overlap rule is "slot taken" (final,
/// not retried); transient conflicts are retried; anything else is internal.
pub fn write_error(err: sqlx::Error) -> Attempt {
    if is_overlap(&err) {
        Attempt::Refused(AppError::new(ErrorCode::SlotTaken))
    } else {
        Attempt::from(err)
    }
}

/// The slot starting at `starts_at` if the engine offers it now, else why not:
/// taken (someone else's booking is there) or never offered at all.
pub fn offered_or_refused(
    schedule: &Schedule,
    busy: &[slots::Busy],
    now: Timestamp,
    zone: chrono_tz::Tz,
    starts_at: Timestamp,
) -> Result<Slot, AppError> {
    if let Some(slot) = slots::offered_slot(schedule, busy, now, zone, starts_at) {
        return Ok(slot);
    }
    if slots::offered_slot(schedule, &[], now, zone, starts_at).is_some() {
        Err(AppError::new(ErrorCode::SlotTaken))
    } else {
        Err(AppError::new(ErrorCode::SlotUnavailable))
    }
}

/// Books the slot, or replays the answer given to the same key before.
pub async fn book(state: &AppState, who: &CustomerChange, request: &BookRequest) -> Result<BookingView, AppError> {
    with_retries(OPERATION, || book_once(state, who, request)).await
}

async fn book_once(state: &AppState, who: &CustomerChange, request: &BookRequest) -> Result<BookingView, Attempt> {
    let now = state.clock.now();
    let zone = state.zone;
    let mut tx = state.db.begin_write().await.map_err(write_error)?;
    let hash = idempotency::request_hash(
        OPERATION,
        &[
            &who.customer_id.to_string(),
            &request.advisor.to_ascii_uppercase(),
            request.purpose.as_str(),
            request.channel.as_str(),
            &request.starts_at.micros().to_string(),
            &request.note,
        ],
    );
    match idempotency::claim(&mut tx, who.customer_id, &request.key, OPERATION, &hash, now).await? {
        Claim::Fresh => {}
        Claim::Replay(json) => {
            tx.rollback().await.map_err(write_error)?;
            return serde_json::from_str(&json).map_err(|err| {
                tracing::error!(error = %err, "stored booking answer unreadable");
                Attempt::Refused(AppError::new(ErrorCode::Internal))
            });
        }
    }
    let advisor = schedule::advisor_by_staff_no(&mut tx, &request.advisor).await.map_err(write_error)?;
    let advisor = match advisor {
        Some(a) if schedule::offers(&mut tx, &a, request.purpose, request.channel).await.map_err(write_error)? => a,
        _ => return Err(Attempt::Refused(AppError::invalid("advisor"))),
    };
    schedule::lock_advisor(&mut tx, state.db.backend(), advisor.staff_id).await.map_err(write_error)?;
    let schedule = schedule::load_schedule(&mut tx, advisor.staff_id, zone, now)
        .await
        .map_err(write_error)?
        .ok_or_else(|| AppError::invalid("advisor"))?;
    let busy = schedule::load_busy(&mut tx, advisor.staff_id, now, None).await.map_err(write_error)?;
    let slot = offered_or_refused(&schedule, &busy, now, zone, request.starts_at)?;
    let (id, reference) = insert_booking(&mut tx, who, &advisor, request, &slot, now).await?;
    reminders::schedule_reminders(&mut tx, id, slot.starts_at, now).await.map_err(write_error)?;
    let when = crate::backend::local_time(zone, slot.starts_at);
    notifications::notify(&mut tx, who.customer_id, KIND_CONFIRMED, &format!("{reference} · {when}"), now)
        .await
        .map_err(write_error)?;
    let view = views::find(&mut tx, who.customer_id, &reference, zone, now)
        .await
        .map_err(write_error)?
        .ok_or_else(|| AppError::new(ErrorCode::Internal))?
        .view;
    let json = serde_json::to_string(&view).map_err(|_| AppError::new(ErrorCode::Internal))?;
    idempotency::complete(&mut tx, who.customer_id, &request.key, &json).await?;
    let event = AuditEvent {
        actor: who.actor(),
        customer_id: who.on_behalf_of.map(|_| who.customer_id),
        event: "booking_made",
        detail: serde_json::json!({
            "reference": reference,
            "advisor": advisor.staff_no,
            "purpose": request.purpose.as_str(),
            "channel": request.channel.as_str(),
            "starts": when,
        }),
        origin: "",
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await.map_err(write_error)?;
    tx.commit().await.map_err(write_error)?;
    Ok(view)
}

/// Inserts the booking under a fresh reference ("BK" and 8 random digits, drawn
/// again on the rare clash). The overlap rule answers "slot taken".
async fn insert_booking(
    tx: &mut Transaction<'static, Any>,
    who: &CustomerChange,
    advisor: &schedule::Advisor,
    request: &BookRequest,
    slot: &Slot,
    now: Timestamp,
) -> Result<(i64, String), Attempt> {
    use rand::Rng;
    for _ in 0..8 {
        let reference = format!("BK{:08}", rand::rngs::OsRng.gen_range(0..100_000_000_u32));
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO bookings (reference, customer_id, advisor_id, branch_id, purpose, channel, starts_at, \
             ends_at, busy_until, topic_note, created_at, updated_at, booked_by_staff_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12) \
             ON CONFLICT (reference) DO NOTHING RETURNING id",
        )
        .bind(&reference)
        .bind(who.customer_id)
        .bind(advisor.staff_id)
        .bind(advisor.branch_id)
        .bind(request.purpose.as_str())
        .bind(request.channel.as_str())
        .bind(slot.starts_at.micros())
        .bind(slot.ends_at.micros())
        .bind(slot.busy_until.micros())
        .bind(&request.note)
        .bind(now.micros())
        .bind(who.on_behalf_of)
        .fetch_optional(&mut **tx)
        .await
        .map_err(write_error)?;
        if let Some(id) = id {
            return Ok((id, reference));
        }
    }
    tracing::error!("no free booking reference after 8 draws");
    Err(Attempt::Refused(AppError::new(ErrorCode::Internal)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::booking::slots::{Busy, WeeklyHours};

    fn at(text: &str) -> Timestamp {
        let t = chrono::DateTime::parse_from_rfc3339(text).unwrap();
        Timestamp::from_micros(t.timestamp_micros())
    }

    #[test]
    fn a_busy_slot_is_taken_and_an_unoffered_one_unavailable() {
        let zone = chrono_tz::Asia::Shanghai;
        // Monday 2026-11-30, 09:00–12:00 Beijing, 45 + 15 minutes.
        let schedule = Schedule {
            hours: vec![WeeklyHours { weekday: 1, start_minute: 9 * 60, end_minute: 12 * 60 }],
            exceptions: vec![],
            holidays: vec![],
            slot_minutes: 45,
            buffer_minutes: 15,
        };
        let now = at("2026-11-29T00:00:00Z");
        let nine = at("2026-11-30T01:00:00Z");
        assert!(offered_or_refused(&schedule, &[], now, zone, nine).is_ok());
        let busy = [Busy { starts_at: nine, busy_until: nine.plus_seconds(3600) }];
        assert_eq!(offered_or_refused(&schedule, &busy, now, zone, nine).unwrap_err().code, ErrorCode::SlotTaken);
        let odd = nine.plus_seconds(600);
        assert_eq!(offered_or_refused(&schedule, &[], now, zone, odd).unwrap_err().code, ErrorCode::SlotUnavailable);
    }
}
