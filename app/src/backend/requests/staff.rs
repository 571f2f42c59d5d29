//! The bank's actions on a request: claim, assign (one or many), reply (and ask),
//! internal notes, start and resolve. Every change of state goes through
//! [`transition`](super::transition); every action is audited with the staff member
//! and the customer, as the transaction's last statement. Who may call what is
//! decided by the server functions (`RequestContext::staff_with_role`).
use super::calendar::WorkingCalendar;
use super::{append_event, effects, insert_message, lock_request, transition, EventKind, RequestRow};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::ledger::idempotency::{self, Claim};
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{IdempotencyKey, Party, PlainText, RequestRef, RequestStatus, Timestamp};
use serde_json::json;
use sqlx::{Any, Transaction};

/// Audit event names of staff actions on requests.
pub mod events {
    pub const VIEWED: &str = "service_request_viewed";
    pub const CLAIMED: &str = "service_request_claimed";
    pub const ASSIGNED: &str = "service_request_assigned";
    pub const REPLIED: &str = "service_request_replied";
    pub const NOTE_ADDED: &str = "service_request_note_added";
    pub const STARTED: &str = "service_request_started";
    pub const RESOLVED: &str = "service_request_resolved";
}

/// Notification kinds the customer gets (the notifications page translates them).
pub const REPLY_NOTIFICATION: &str = "service_request_reply";
pub const RESOLVED_NOTIFICATION: &str = "service_request_resolved";

/// The idempotency scope of a staff reply. Keys are stored per customer, so the
/// request's customer is the key's owner; the scope keeps them apart from the
/// customer's own keys (the same key for another operation is a conflict).
const REPLY_SCOPE: &str = "sr_staff_reply";

/// Writes the audit event of `actor`'s action on `row` (call it last in `tx`).
pub(super) async fn record(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    actor: &StaffActor,
    row: &RequestRow,
    event: &str,
    detail: serde_json::Value,
    origin: &str,
) -> Result<(), AppError> {
    let event =
        AuditEvent { actor: Actor::Staff(actor.staff_id), customer_id: Some(row.customer_id), event, detail, origin };
    audit::record(tx, state.db.backend(), state.clock.now(), &event).await?;
    Ok(())
}

/// "张丽 (S00005)": who holds a request, on its staff-only timeline step.
async fn holder_label(tx: &mut Transaction<'static, Any>, staff_id: i64) -> Result<String, sqlx::Error> {
    let (no, name): (String, String) = sqlx::query_as("SELECT staff_no, full_name FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(format!("{name} ({no})"))
}

/// Makes `staff_id` the request's holder, with its (staff-only) timeline step.
async fn set_holder(
    tx: &mut Transaction<'static, Any>,
    row: &RequestRow,
    by: &StaffActor,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    sqlx::query("UPDATE service_requests SET assigned_staff_id = $1, updated_at = $2 WHERE id = $3")
        .bind(staff_id)
        .bind(now.micros())
        .bind(row.id)
        .execute(&mut **tx)
        .await?;
    let label = holder_label(tx, staff_id).await?;
    append_event(tx, row.id, EventKind::Assigned, None, None, Actor::Staff(by.staff_id), &label, now).await?;
    Ok(())
}

/// Nobody works on a done request: assigning, claiming, replying need an open one.
fn must_be_open(row: &RequestRow) -> Result<(), AppError> {
    if row.status.is_open() {
        Ok(())
    } else {
        Err(AppError::new(ErrorCode::WrongState))
    }
}

/// The staff member takes a request nobody holds; a new one is started with it.
/// Claiming one's own request again changes nothing; someone else's is refused
/// (a supervisor reassigns it).
pub async fn claim(state: &AppState, actor: &StaffActor, reference: &RequestRef, origin: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    must_be_open(&row)?;
    let mine = match row.assigned_staff_id {
        Some(holder) if holder == actor.staff_id => true,
        Some(_) => return Err(AppError::new(ErrorCode::WrongState)),
        None => false,
    };
    let start = row.status == RequestStatus::Submitted;
    if mine && !start {
        return Ok(());
    }
    if !mine {
        set_holder(&mut tx, &row, actor, actor.staff_id, now).await?;
    }
    if start {
        transition(
            &mut tx,
            &calendar,
            &row,
            RequestStatus::InProgress,
            Party::Staff,
            Actor::Staff(actor.staff_id),
            "",
            now,
        )
        .await?;
    }
    record(&mut tx, state, actor, &row, events::CLAIMED, json!({ "reference": row.reference }), origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Assigns every request in `references` to the active staff member `staff_no`, in
/// one transaction: an unknown reference (`not_found`) or a done request
/// (`wrong_state`) changes nothing at all. Returns how many changed hands.
pub async fn assign(
    state: &AppState,
    actor: &StaffActor,
    references: &[RequestRef],
    staff_no: &str,
    origin: &str,
) -> Result<usize, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let target: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1 AND status = 'active'")
        .bind(staff_no.trim().to_ascii_uppercase())
        .fetch_optional(&mut *tx)
        .await?;
    let target = target.ok_or_else(|| AppError::invalid("staff_no"))?;
    let mut rows: Vec<RequestRow> = Vec::with_capacity(references.len());
    for reference in references {
        if rows.iter().any(|r| &r.reference == reference) {
            continue;
        }
        let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
        must_be_open(&row)?;
        rows.push(row);
    }
    rows.retain(|row| row.assigned_staff_id != Some(target));
    for row in &rows {
        set_holder(&mut tx, row, actor, target, now).await?;
    }
    // The audit chain's lock last, after every request lock.
    for row in &rows {
        let detail = json!({ "reference": row.reference, "from_staff": row.assigned_staff_id, "to_staff": target });
        record(&mut tx, state, actor, row, events::ASSIGNED, detail, origin).await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}

/// A public reply (once per form key). With `ask`, the request waits for the
/// customer's answer and its service-level clock pauses (`transition`). The
/// customer is notified.
pub async fn reply(
    state: &AppState,
    actor: &StaffActor,
    reference: &RequestRef,
    body: &PlainText,
    key: &IdempotencyKey,
    ask: bool,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    let staff = actor.staff_id.to_string();
    let hash = idempotency::request_hash(
        REPLY_SCOPE,
        &[row.reference.as_str(), body.as_str(), if ask { "ask" } else { "" }, &staff],
    );
    if let Claim::Replay(_) = idempotency::claim(&mut tx, row.customer_id, key, REPLY_SCOPE, &hash, now).await? {
        return Ok(());
    }
    // Asking is a move to waiting_customer: `transition` judges it (a done
    // request answers transition_not_allowed); a plain reply needs an open one.
    let asks = ask && row.status != RequestStatus::WaitingCustomer;
    if asks {
        let to = RequestStatus::WaitingCustomer;
        transition(&mut tx, &calendar, &row, to, Party::Staff, Actor::Staff(actor.staff_id), "", now).await?;
    } else {
        must_be_open(&row)?;
    }
    let message = insert_message(&mut tx, row.id, Actor::Staff(actor.staff_id), body, now).await?;
    notifications::notify(&mut tx, row.customer_id, REPLY_NOTIFICATION, row.reference.as_str(), now).await?;
    idempotency::complete(&mut tx, row.customer_id, key, &json!({ "message": message }).to_string()).await?;
    let detail = json!({ "reference": row.reference, "message": message, "asked": asks });
    record(&mut tx, state, actor, &row, events::REPLIED, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}

/// An internal note: in `service_request_notes` only, which no customer query
/// reads. The audit names the note, never its text.
pub async fn note(
    state: &AppState,
    actor: &StaffActor,
    reference: &RequestRef,
    body: &PlainText,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    let note: i64 = sqlx::query_scalar(
        "INSERT INTO service_request_notes (request_id, staff_id, body, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(row.id)
    .bind(actor.staff_id)
    .bind(body.as_str())
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    let detail = json!({ "reference": row.reference, "note": note });
    record(&mut tx, state, actor, &row, events::NOTE_ADDED, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Starts work: submitted (or waiting for the customer) → in progress. A request
/// nobody holds becomes the starter's.
pub async fn start(state: &AppState, actor: &StaffActor, reference: &RequestRef, origin: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    let by = Actor::Staff(actor.staff_id);
    transition(&mut tx, &calendar, &row, RequestStatus::InProgress, Party::Staff, by, "", now).await?;
    if row.assigned_staff_id.is_none() {
        set_holder(&mut tx, &row, actor, actor.staff_id, now).await?;
    }
    record(&mut tx, state, actor, &row, events::STARTED, json!({ "reference": row.reference }), origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Resolves a request: the resolution becomes a public message, the request's
/// effect applies (`effects::apply_on_resolve`, same transaction) and the customer
/// is asked to confirm or rate it (they may reopen it within 7 days).
pub async fn resolve(
    state: &AppState,
    actor: &StaffActor,
    reference: &RequestRef,
    body: &PlainText,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, None).await?;
    let by = Actor::Staff(actor.staff_id);
    transition(&mut tx, &calendar, &row, RequestStatus::Resolved, Party::Staff, by, "", now).await?;
    let message = insert_message(&mut tx, row.id, by, body, now).await?;
    if row.assigned_staff_id.is_none() {
        set_holder(&mut tx, &row, actor, actor.staff_id, now).await?;
    }
    effects::apply_on_resolve(&mut tx, state, &row, actor.staff_id, now).await?;
    notifications::notify(&mut tx, row.customer_id, RESOLVED_NOTIFICATION, row.reference.as_str(), now).await?;
    let detail = json!({ "reference": row.reference, "message": message });
    record(&mut tx, state, actor, &row, events::RESOLVED, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}
