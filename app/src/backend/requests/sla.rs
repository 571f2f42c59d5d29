//! Service levels: where a request stands against its target, complaint
//! extensions under the complaint rules, escalation on breach, and the closing of
//! resolved requests once the customer's reopen window has passed.
//!
//! The complaint rules (银行业保险业消费投诉处理管理办法): a decision within 15
//! days of receipt; a complex case may be extended to 30 days; a particularly
//! complex one a further 30, to 60 days at most, which here needs a supervisor (or
//! an administrator) and a notice to the customer. Every extension is a step on the
//! customer's timeline with its reason and new deadline, a notification and an SMS.
use super::calendar::{complaint_decision_due, last_day, WorkingCalendar};
use super::{append_event, lock_request, transition, EventKind, RequestRow, REOPEN_WINDOW_SECONDS};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, notifications, outbox, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{Party, PlainText, RequestKind, RequestRef, RequestStatus, SlaFlag, StaffRole, Timestamp};
use serde_json::json;
use sqlx::Row;

#[cfg(test)]
mod tests;

/// The notification kind of a complaint extension (the notification page translates it).
pub const EXTENDED_NOTIFICATION: &str = "request_deadline_extended";

/// Audit event names of service-level actions.
pub mod events {
    /// A staff member extended a complaint's decision deadline.
    pub const COMPLAINT_EXTENDED: &str = "service_request_extended";
    /// The portal escalated a request past its deadline.
    pub const ESCALATED: &str = "service_request_escalated";
    /// The portal closed a request resolved more than 7 days ago.
    pub const AUTO_CLOSED: &str = "service_request_auto_closed";
}

/// The highest extension level (60 days).
pub const MAX_EXTENSION_LEVEL: i64 = 2;
/// A complaint is at risk when fewer calendar days than this remain to its decision.
const COMPLAINT_AT_RISK_SECONDS: i64 = 3 * 86_400;

/// Where `row` stands at `now`.
///
/// Done when no longer open. A complaint past its decision deadline is breached
/// even while waiting for the customer: the regulatory deadline counts calendar
/// days and never pauses. Otherwise paused while the clock is stopped; breached at
/// or after the due time; at risk when at most a quarter of the target's business
/// minutes is left (or, for a complaint, fewer than 3 days to the decision).
pub fn flag(calendar: &WorkingCalendar, row: &RequestRow, now: Timestamp) -> SlaFlag {
    if !row.status.is_open() {
        return SlaFlag::Done;
    }
    let decision = row.decision_due_at.filter(|_| row.kind == RequestKind::Complaint);
    if decision.is_some_and(|due| now >= due) {
        return SlaFlag::Breached;
    }
    let Some(since) = row.running_since else {
        return SlaFlag::Paused;
    };
    if row.due_at.is_some_and(|due| now >= due) {
        return SlaFlag::Breached;
    }
    let left = row.target_minutes - row.used_minutes - calendar.minutes_between(since, now);
    let complaint_close =
        decision.is_some_and(|due| due.micros() - now.micros() < COMPLAINT_AT_RISK_SECONDS * 1_000_000);
    if left * 4 <= row.target_minutes || complaint_close {
        SlaFlag::AtRisk
    } else {
        SlaFlag::OnTrack
    }
}

/// Extends a complaint's decision deadline to level 1 (30 days) or 2 (60 days,
/// supervisors and administrators only), with a reason the customer is told on
/// the timeline, in a notification and by SMS. One level at a time.
pub async fn extend_complaint(
    state: &AppState,
    actor: StaffActor,
    reference: &RequestRef,
    level: i64,
    reason: &PlainText,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    if row.kind != RequestKind::Complaint {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    if !row.status.is_open() {
        return Err(AppError::new(ErrorCode::TransitionNotAllowed));
    }
    if level != row.extension_level + 1 || level > MAX_EXTENSION_LEVEL {
        return Err(AppError::invalid("level"));
    }
    if level == MAX_EXTENSION_LEVEL && !matches!(actor.role, StaffRole::Supervisor | StaffRole::Admin) {
        return Err(AppError::new(ErrorCode::SupervisorRequired));
    }
    let due = complaint_decision_due(state.zone, row.created_at, level);
    let due_day = last_day(state.zone, due).map(|d| d.to_string()).unwrap_or_default();
    let changed = sqlx::query(
        "UPDATE service_requests SET decision_due_at = $1, extension_level = $2, updated_at = $3 \
         WHERE id = $4 AND extension_level = $5",
    )
    .bind(due.micros())
    .bind(level)
    .bind(now.micros())
    .bind(row.id)
    .bind(row.extension_level)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        // Extended by someone else since it was read (SQLite has no row lock).
        return Err(AppError::invalid("level"));
    }
    let detail = extension_detail(&due_day, reason.as_str());
    append_event(&mut tx, row.id, EventKind::Extended, None, None, Actor::Staff(actor.staff_id), &detail, now).await?;
    notifications::notify(
        &mut tx,
        row.customer_id,
        EXTENDED_NOTIFICATION,
        &format!("{} · {due_day}", row.reference),
        now,
    )
    .await?;
    let phone: String = sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1")
        .bind(row.customer_id)
        .fetch_one(&mut *tx)
        .await?;
    outbox::enqueue_sms(&mut tx, &phone, &extension_sms(row.reference.as_str(), &due_day), now).await?;
    let event = AuditEvent {
        actor: Actor::Staff(actor.staff_id),
        customer_id: Some(row.customer_id),
        event: events::COMPLAINT_EXTENDED,
        detail: json!({ "reference": row.reference.as_str(), "level": level, "decision_due": due_day }),
        origin: "",
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(())
}

/// The public timeline detail of an extension: the new last day, then the reason.
fn extension_detail(due_day: &str, reason: &str) -> String {
    format!("{due_day} · {reason}")
}

/// The extension SMS, in both languages like the bank's other messages.
fn extension_sms(reference: &str, due_day: &str) -> String {
    format!(
        "【乡邮储蓄银行】您的投诉 {reference} 处理期限已延长至 {due_day}，原因请登录网银查看。\
         Village Post Savings Bank: the decision on your complaint {reference} is now due by {due_day}; \
         the reason is in online banking."
    )
}

/// Marks open requests past their due time (or, for complaints, past the decision
/// deadline) as breached and escalates them to the supervisors' view, once each:
/// the update is conditional, so two runs at the same time never escalate a
/// request twice. Returns how many this run escalated. Run by a job every minute.
pub async fn escalate_breached(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now();
    let rows = sqlx::query(
        "SELECT id, customer_id, reference, due_at, decision_due_at FROM service_requests \
         WHERE status IN ('submitted', 'in_progress', 'waiting_customer') AND escalated_at IS NULL \
           AND ((running_since IS NOT NULL AND due_at <= $1) OR decision_due_at <= $1) \
         ORDER BY id LIMIT 500",
    )
    .bind(now.micros())
    .fetch_all(state.db.pool())
    .await?;
    let mut escalated = 0;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let customer_id: i64 = row.try_get("customer_id")?;
        let reference: String = row.try_get("reference")?;
        let missed = [row.try_get::<Option<i64>, _>("due_at")?, row.try_get::<Option<i64>, _>("decision_due_at")?]
            .into_iter()
            .flatten()
            .filter(|due| *due <= now.micros())
            .min()
            .unwrap_or(now.micros());
        let mut tx = state.db.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE service_requests SET breached_at = COALESCE(breached_at, $1), escalated_at = $1, updated_at = $1 \
             WHERE id = $2 AND escalated_at IS NULL AND status IN ('submitted', 'in_progress', 'waiting_customer')",
        )
        .bind(now.micros())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            tx.rollback().await?;
            continue;
        }
        let due_local = local_time(state.zone, Timestamp::from_micros(missed));
        append_event(&mut tx, id, EventKind::Escalated, None, None, Actor::System, &due_local, now).await?;
        let event = AuditEvent {
            actor: Actor::System,
            customer_id: Some(customer_id),
            event: events::ESCALATED,
            detail: json!({ "reference": reference, "due": due_local }),
            origin: "",
        };
        audit::record(&mut tx, state.db.backend(), now, &event).await?;
        tx.commit().await?;
        escalated += 1;
    }
    Ok(escalated)
}

/// Closes requests resolved more than 7 days ago (the customer's reopen window has
/// passed and they neither confirmed nor reopened): the system's move in the
/// status machine. Returns how many were closed.
pub async fn close_stale_resolved(state: &AppState) -> Result<usize, AppError> {
    let now = state.clock.now();
    let cutoff = now.plus_seconds(-REOPEN_WINDOW_SECONDS);
    let references: Vec<String> = sqlx::query_scalar(
        "SELECT reference FROM service_requests WHERE status = 'resolved' AND resolved_at <= $1 ORDER BY id LIMIT 500",
    )
    .bind(cutoff.micros())
    .fetch_all(state.db.pool())
    .await?;
    if references.is_empty() {
        return Ok(0);
    }
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut closed = 0;
    for text in &references {
        let Some(reference) = RequestRef::parse(text) else { continue };
        let mut tx = state.db.begin_write().await?;
        let row = lock_request(&mut tx, state.db.backend(), &reference, None).await?;
        // Reopened or confirmed meanwhile: nothing to do.
        if row.status != RequestStatus::Resolved || row.resolved_at.is_none_or(|at| at > cutoff) {
            tx.rollback().await?;
            continue;
        }
        match transition(&mut tx, &calendar, &row, RequestStatus::Closed, Party::System, Actor::System, "", now).await {
            Ok(()) => {}
            Err(err) if err.code == ErrorCode::TransitionNotAllowed => {
                tx.rollback().await?;
                continue;
            }
            Err(err) => return Err(err),
        }
        let event = AuditEvent {
            actor: Actor::System,
            customer_id: Some(row.customer_id),
            event: events::AUTO_CLOSED,
            detail: json!({ "reference": row.reference.as_str() }),
            origin: "",
        };
        audit::record(&mut tx, state.db.backend(), now, &event).await?;
        tx.commit().await?;
        closed += 1;
    }
    Ok(closed)
}
