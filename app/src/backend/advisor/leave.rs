//! Date exceptions: leave (a whole day or part of it) and extra working time.
//!
//! Leave that falls on active bookings is refused with those bookings listed,
//! unless the advisor confirms cancelling them with a reason: then, in one
//! transaction, the bookings are cancelled by staff, their reminders cancelled,
//! each customer notified, the leave stored and everything audited.
use super::calendar::{entry, ENTRY_COLUMNS};
use super::{advisor_for, audit_staff, events, local_instant, notices, parse_hm};
use crate::api::advisor::CalendarEntry;
use crate::backend::auth::StaffActor;
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{Day, PlainText, Timestamp};
use serde_json::json;
use sqlx::{Any, Transaction};

/// Longest note on an exception and longest cancellation reason, in characters.
pub const MAX_EXCEPTION_NOTE: usize = 200;
pub const MAX_REASON_CHARS: usize = 500;

/// A date exception as typed: leave (no times: the whole day) or extra time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExceptionForm {
    pub leave: bool,
    pub day: Day,
    /// Minutes after midnight; None for a whole day's leave.
    pub minutes: Option<(i64, i64)>,
    pub note: String,
}

impl ExceptionForm {
    pub fn parse(kind: &str, day: &str, start: &str, end: &str, note: &str) -> Result<ExceptionForm, AppError> {
        let leave = match kind.trim() {
            "leave" => true,
            "extra" => false,
            _ => return Err(AppError::invalid("kind")),
        };
        let day = Day::parse(day.trim()).ok_or_else(|| AppError::invalid("day"))?;
        let minutes = match (start.trim(), end.trim()) {
            ("", "") if leave => None,
            (s, e) => {
                let s = parse_hm(s).filter(|m| *m < 1440).ok_or_else(|| AppError::invalid("start"))?;
                let e = parse_hm(e).ok_or_else(|| AppError::invalid("end"))?;
                if e <= s {
                    return Err(AppError::invalid("end"));
                }
                Some((i64::from(s), i64::from(e)))
            }
        };
        let note = match note.trim() {
            "" => String::new(),
            text => PlainText::new(text, MAX_EXCEPTION_NOTE, "note")?.into_string(),
        };
        Ok(ExceptionForm { leave, day, minutes, note })
    }

    /// The instants the exception covers in the bank's zone.
    pub fn span(&self, zone: chrono_tz::Tz) -> (Timestamp, Timestamp) {
        let (from, to) = self.minutes.unwrap_or((0, 1440));
        (local_instant(zone, self.day, from), local_instant(zone, self.day, to))
    }
}

/// Active bookings (not yet started) that leave over `form`'s span would fall on.
pub async fn leave_conflicts(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    form: &ExceptionForm,
) -> Result<Vec<CalendarEntry>, AppError> {
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let rows = sqlx::query(&conflicts_sql(false))
        .bind(who.id)
        .bind(form.span(state.zone).0.micros())
        .bind(form.span(state.zone).1.micros())
        .bind(state.clock.now().micros())
        .fetch_all(state.db.pool())
        .await?;
    rows.iter().map(|row| entry(state.zone, row)).collect()
}

fn conflicts_sql(with_customer: bool) -> String {
    let extra = if with_customer { ", b.customer_id" } else { "" };
    format!(
        "SELECT {ENTRY_COLUMNS}{extra} FROM bookings b JOIN customers c ON c.id = b.customer_id \
         WHERE b.advisor_id = $1 AND b.status = 'booked' AND b.starts_at < $3 AND b.ends_at > $2 \
         AND b.starts_at >= $4 ORDER BY b.starts_at"
    )
}

/// Adds the exception. Leave over active bookings needs `cancel` (the reason the
/// customers are given); without it the answer is `wrong_state` on the field
/// `cancel_bookings`. Returns the advisor's staff number and how many bookings
/// were cancelled.
pub async fn add_exception(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    form: &ExceptionForm,
    cancel: Option<&str>,
    origin: &str,
) -> Result<(String, usize), AppError> {
    let reason = match cancel {
        Some(text) => Some(PlainText::new(text, MAX_REASON_CHARS, "reason")?),
        None => None,
    };
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let now = state.clock.now();
    // Exceptions change what can still be booked: a day already gone changes nothing.
    if form.day < Day::at(state.zone, now) {
        return Err(AppError::invalid("day"));
    }
    let (from, to) = form.span(state.zone);
    let mut tx = state.db.begin_write().await?;
    // Taken before the conflicts are read, like a booking takes it before it reads
    // the calendar: no booking can slip in between this read and the commit.
    crate::backend::booking::schedule::lock_advisor(&mut tx, state.db.backend(), who.id).await?;
    let mut cancelled = 0;
    if form.leave {
        let rows = sqlx::query(&conflicts_sql(true))
            .bind(who.id)
            .bind(from.micros())
            .bind(to.micros())
            .bind(now.micros())
            .fetch_all(&mut *tx)
            .await?;
        if !rows.is_empty() {
            let Some(reason) = &reason else {
                return Err(AppError { code: ErrorCode::WrongState, field: Some("cancel_bookings".into()) });
            };
            for row in &rows {
                let booking = entry(state.zone, row)?;
                let customer_id: i64 = sqlx::Row::try_get(row, 9)?;
                cancel_by_staff(&mut tx, state, actor, &booking, customer_id, reason.as_str(), origin).await?;
                cancelled += 1;
            }
        }
    }
    let (start, end) = form.minutes.map_or((None, None), |(s, e)| (Some(s), Some(e)));
    sqlx::query(
        "INSERT INTO advisor_exceptions (staff_id, day, kind, start_minute, end_minute, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(who.id)
    .bind(form.day.to_string())
    .bind(if form.leave { "leave" } else { "extra" })
    .bind(start)
    .bind(end)
    .bind(&form.note)
    .bind(actor.staff_id)
    .bind(now.micros())
    .execute(&mut *tx)
    .await?;
    let detail = json!({
        "advisor": who.staff_no,
        "exception_added": { "day": form.day.to_string(), "leave": form.leave, "start": start, "end": end },
        "bookings_cancelled": cancelled,
    });
    audit_staff(&mut tx, state, actor, None, events::ADVISOR_SCHEDULE_CHANGED, detail, origin).await?;
    tx.commit().await?;
    Ok((who.staff_no, cancelled))
}

/// Cancels one booking on the bank's side: status, reason and iCalendar sequence,
/// its unsent reminders, a notification to the customer, an audit row.
async fn cancel_by_staff(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    actor: &StaffActor,
    booking: &CalendarEntry,
    customer_id: i64,
    reason: &str,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    use crate::backend::booking::change::{mark_cancelled, CancelledBy};
    if !mark_cancelled(tx, booking.id, CancelledBy::Staff, reason, now).await? {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    notifications::notify(tx, customer_id, notices::BOOKING_CANCELLED_BY_BANK, &booking.reference, now).await?;
    // Also by SMS: a customer who does not sign in before the day would otherwise
    // travel to the branch for nothing.
    let phone: String =
        sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1").bind(customer_id).fetch_one(&mut **tx).await?;
    let when = format!("{} {}", booking.day, booking.start);
    crate::backend::outbox::enqueue_sms(tx, &phone, &cancellation_sms(&booking.reference, &when), now).await?;
    let detail = json!({ "booking": booking.reference, "reason": reason });
    audit_staff(tx, state, actor, Some(customer_id), events::BOOKING_CANCELLED_BY_STAFF, detail, origin).await?;
    Ok(())
}

/// The SMS telling a customer the bank cancelled their consultation, in both
/// languages like the bank's other messages.
fn cancellation_sms(reference: &str, when: &str) -> String {
    format!(
        "【乡邮储蓄银行】很抱歉，您 {when} 的预约（预约号 {reference}）因顾问无法到岗已取消，请登录网银另约时间。\
         Village Post Savings Bank: sorry, your consultation at {when} (booking {reference}) was cancelled because \
         the advisor is unavailable. Please book another time online."
    )
}

pub async fn remove_exception(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    id: i64,
    origin: &str,
) -> Result<String, AppError> {
    super::schedule::remove_row(state, actor, advisor, super::schedule::ScheduleRow::Exception, id, origin).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_are_validated() {
        let whole = ExceptionForm::parse("leave", "2026-12-01", "", "", "").unwrap();
        assert_eq!(whole.minutes, None);
        let part = ExceptionForm::parse("leave", "2026-12-01", "14:00", "16:30", " dentist ").unwrap();
        assert_eq!(part.minutes, Some((840, 990)));
        assert_eq!(part.note, "dentist");
        assert_eq!(ExceptionForm::parse("extra", "2026-12-01", "", "", "").unwrap_err(), AppError::invalid("start"));
        assert_eq!(ExceptionForm::parse("nap", "2026-12-01", "", "", "").unwrap_err(), AppError::invalid("kind"));
        assert_eq!(ExceptionForm::parse("leave", "2026-13-01", "", "", "").unwrap_err(), AppError::invalid("day"));
        let zone = chrono_tz::Asia::Shanghai;
        let (from, to) = whole.span(zone);
        assert_eq!(to.micros() - from.micros(), 24 * 3600 * 1_000_000);
    }
}
