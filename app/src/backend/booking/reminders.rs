//! Reminders of a booking, 24 hours and 1 hour before it starts.
//!
//! They are rows written in the same transaction as the booking (or its move or
//! cancellation), so a reminder exists exactly when the booking says it should.
//! A job sends the due ones: each becomes a notification and an SMS through the
//! outbox, in the transaction that marks it sent. The mark is a conditional update
//! (`WHERE sent_at IS NULL`), and only the run whose update changed the row sends,
//! so two runs at once (or a run repeated after a crash) never send twice.
use crate::backend::{notifications, outbox, Db};
use crate::types::{Purpose, Timestamp};
use sqlx::{Any, Row, Transaction};

/// Notification kinds (translated by the notifications page).
pub const KIND_DAY: &str = "booking_reminder_day";
pub const KIND_HOUR: &str = "booking_reminder_hour";

/// The reminder rows' kinds and how long before the start each is due.
const REMINDERS: [(&str, i64); 2] = [("day_before", 24 * 3600), ("hour_before", 3600)];

/// Reminders sent per run at most: a backlog drains over a few runs.
const BATCH: i64 = 200;

/// Writes the reminders of a booking starting at `starts_at`, leaving out those
/// whose time has already come (a booking made 3 hours ahead gets only the 1-hour one).
pub async fn schedule_reminders(
    tx: &mut Transaction<'static, Any>,
    booking_id: i64,
    starts_at: Timestamp,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    for (kind, before) in REMINDERS {
        let due = starts_at.plus_seconds(-before);
        if due <= now {
            continue;
        }
        sqlx::query("INSERT INTO booking_reminders (booking_id, kind, due_at) VALUES ($1, $2, $3)")
            .bind(booking_id)
            .bind(kind)
            .bind(due.micros())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Cancels the booking's reminders that have not gone out yet (a move or a
/// cancellation). Returns how many.
pub async fn cancel_reminders(
    tx: &mut Transaction<'static, Any>,
    booking_id: i64,
    now: Timestamp,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE booking_reminders SET cancelled_at = $1 \
         WHERE booking_id = $2 AND sent_at IS NULL AND cancelled_at IS NULL",
    )
    .bind(now.micros())
    .bind(booking_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// A due reminder with what its message needs.
struct Due {
    id: i64,
    kind: String,
    customer_id: i64,
    phone: String,
    reference: String,
    purpose: String,
    starts_at: Timestamp,
}

/// Sends every due, unsent, uncancelled reminder of a booking that still stands.
/// Returns how many this run sent. Safe to run twice, and at the same time.
pub async fn send_due_reminders(db: &Db, zone: chrono_tz::Tz, now: Timestamp) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT r.id, r.kind, b.customer_id, c.phone, b.reference, b.purpose, b.starts_at \
         FROM booking_reminders r JOIN bookings b ON b.id = r.booking_id JOIN customers c ON c.id = b.customer_id \
         WHERE r.due_at <= $1 AND r.sent_at IS NULL AND r.cancelled_at IS NULL AND b.status = 'booked' \
         ORDER BY r.due_at, r.id LIMIT $2",
    )
    .bind(now.micros())
    .bind(BATCH)
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    for row in rows {
        let due = Due {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            customer_id: row.try_get("customer_id")?,
            phone: row.try_get("phone")?,
            reference: row.try_get("reference")?,
            purpose: row.try_get("purpose")?,
            starts_at: Timestamp::from_micros(row.try_get("starts_at")?),
        };
        if send_one(db, zone, &due, now).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// Marks one reminder sent and queues its messages, or does nothing when another
/// run got there first or the booking changed meanwhile.
async fn send_one(db: &Db, zone: chrono_tz::Tz, due: &Due, now: Timestamp) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE booking_reminders SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL AND cancelled_at IS NULL \
         AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = booking_reminders.booking_id AND b.status = 'booked')",
    )
    .bind(now.micros())
    .bind(due.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    // A reminder that fell due while the server was down, after the start, says
    // nothing useful any more: it is marked sent without a message.
    if due.starts_at > now {
        let when = crate::backend::local_time(zone, due.starts_at);
        let kind = if due.kind == "day_before" { KIND_DAY } else { KIND_HOUR };
        notifications::notify(&mut tx, due.customer_id, kind, &format!("{} · {when}", due.reference), now).await?;
        outbox::enqueue_sms(&mut tx, &due.phone, &sms_text(&due.purpose, &due.reference, &when), now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// The reminder SMS, in both languages like the bank's other messages.
fn sms_text(purpose: &str, reference: &str, when: &str) -> String {
    let (zh, en) = match Purpose::parse(purpose) {
        Some(Purpose::WealthPlanning) => ("理财规划", "wealth planning"),
        Some(Purpose::Loan) => ("贷款", "loan"),
        Some(Purpose::Pension) => ("养老规划", "pension"),
        Some(Purpose::Insurance) => ("保险", "insurance"),
        Some(Purpose::ComplaintFollowUp) | None => ("咨询", "consultation"),
    };
    format!(
        "【乡邮储蓄银行】提醒：您预约的{zh}咨询将于 {when} 开始，预约号 {reference}。如需改约请登录网银。\
         Village Post Savings Bank: your {en} consultation starts at {when} (Beijing time), booking {reference}."
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sms_names_the_booking_in_both_languages() {
        let text = super::sms_text("loan", "BK12345678", "2026-12-01 10:00");
        assert!(text.contains("贷款咨询"), "{text}");
        assert!(text.contains("loan consultation"), "{text}");
        assert!(text.contains("BK12345678") && text.contains("2026-12-01 10:00"), "{text}");
    }
}
