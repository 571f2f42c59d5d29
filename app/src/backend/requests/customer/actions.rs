//! What a customer does to one of their requests: reply, withdraw, reopen, confirm,
//! rate. Each locks the request through its owner and changes its state only
//! through `transition`, which refuses what the state machine does not allow.
use super::{events, reply_mode, within_reopen_window, ReplyMode};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::CustomerChange;
use crate::backend::ledger::idempotency::{self, Claim};
use crate::backend::requests::calendar::WorkingCalendar;
use crate::backend::requests::{
    append_event, insert_message, insert_request, lock_request, transition, EventKind, NewRequest, RequestRow,
};
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{IdempotencyKey, Party, PlainText, RequestKind, RequestRef, RequestStatus, Timestamp};
use serde_json::json;
use sqlx::{Any, Transaction};

/// The customer writes on their request, once per key. On an open request the
/// message joins the conversation (and answers a question the bank asked: the
/// request goes back to the bank). Resolved within the reopen window: refused with
/// `wrong_state`, the customer reopens or confirms. Resolved past the window, or
/// closed: the message starts a linked follow-up request. Answers the reference
/// the message landed on.
pub async fn reply(
    state: &AppState,
    who: &CustomerChange,
    reference: &RequestRef,
    body: &PlainText,
    key: &IdempotencyKey,
) -> Result<RequestRef, AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let hash = idempotency::request_hash("service_request_reply", &[reference.as_str(), body.as_str()]);
    let mut tx = state.db.begin_write().await?;
    if let Claim::Replay(answer) =
        idempotency::claim(&mut tx, who.customer_id, key, "service_request_reply", &hash, now).await?
    {
        return RequestRef::parse(&answer).ok_or(AppError::new(ErrorCode::Internal));
    }
    let row = lock_request(&mut tx, state.db.backend(), reference, Some(who.customer_id)).await?;
    // Staff in assist mode write as themselves, on the customer's behalf.
    let actor = who.actor();
    let landed = match reply_mode(&row, now) {
        ReplyMode::Message => {
            insert_message(&mut tx, row.id, actor, body, now).await?;
            if row.status == RequestStatus::WaitingCustomer {
                transition(&mut tx, &calendar, &row, RequestStatus::InProgress, Party::Customer, actor, "", now)
                    .await?;
            }
            row.reference.clone()
        }
        ReplyMode::FollowUp => follow_up(&mut tx, state, &calendar, &row, who, body, now).await?,
        ReplyMode::ReopenInstead => return Err(AppError::new(ErrorCode::WrongState)),
        ReplyMode::Refused => return Err(AppError::new(ErrorCode::TransitionNotAllowed)),
    };
    idempotency::complete(&mut tx, who.customer_id, key, landed.as_str()).await?;
    tx.commit().await?;
    Ok(landed)
}

/// A new general request linked to `row`, the customer's words its description;
/// each timeline names the other. Made by whoever wrote (a staff member in assist
/// mode writes on the customer's behalf, and is recorded as such).
async fn follow_up(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    calendar: &WorkingCalendar,
    row: &RequestRow,
    who: &CustomerChange,
    body: &PlainText,
    now: Timestamp,
) -> Result<RequestRef, AppError> {
    let subject = PlainText::new(&format!("Follow-up to {}", row.reference), super::super::MAX_SUBJECT, "subject")?;
    let new = NewRequest {
        customer_id: row.customer_id,
        kind: RequestKind::General,
        subject: &subject,
        body: body.as_str(),
        details: json!({ "follow_up_of": row.reference.as_str() }),
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: Some(row.id),
        created_by_staff_id: who.on_behalf_of,
    };
    let (id, reference) = insert_request(tx, state.zone, calendar, &new, now).await?;
    let actor = who.actor();
    append_event(tx, id, EventKind::FollowUp, None, None, actor, row.reference.as_str(), now).await?;
    append_event(tx, row.id, EventKind::FollowUp, None, None, actor, reference.as_str(), now).await?;
    Ok(reference)
}

/// The customer withdraws an open request, saying why.
pub async fn withdraw(
    state: &AppState,
    who: &CustomerChange,
    reference: &RequestRef,
    reason: &PlainText,
    origin: &str,
) -> Result<(), AppError> {
    change(state, who, reference, RequestStatus::Withdrawn, reason.as_str(), origin).await
}

/// The customer reopens a resolved request, within 7 days of its resolution.
pub async fn reopen(
    state: &AppState,
    who: &CustomerChange,
    reference: &RequestRef,
    origin: &str,
) -> Result<(), AppError> {
    change(state, who, reference, RequestStatus::InProgress, "", origin).await
}

/// The customer confirms a resolved request closed.
pub async fn confirm(
    state: &AppState,
    who: &CustomerChange,
    reference: &RequestRef,
    origin: &str,
) -> Result<(), AppError> {
    change(state, who, reference, RequestStatus::Closed, "", origin).await
}

async fn change(
    state: &AppState,
    who: &CustomerChange,
    reference: &RequestRef,
    to: RequestStatus,
    detail: &str,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, Some(who.customer_id)).await?;
    let reopening = row.status == RequestStatus::Resolved && to == RequestStatus::InProgress;
    if reopening && !within_reopen_window(&row, now) {
        return Err(AppError::new(ErrorCode::ReopenWindowPassed));
    }
    let actor = Actor::Customer(who.customer_id);
    transition(&mut tx, &calendar, &row, to, Party::Customer, actor, detail, now).await?;
    let event = match to {
        RequestStatus::Withdrawn => Some(events::WITHDRAWN),
        RequestStatus::InProgress => Some(events::REOPENED),
        _ => None,
    };
    if let Some(event) = event {
        let detail = json!({ "reference": row.reference.as_str() });
        let event = AuditEvent { actor, customer_id: None, event, detail, origin };
        audit::record(&mut tx, state.db.backend(), now, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The customer rates a resolved or closed request, once.
pub async fn rate(
    state: &AppState,
    who: &CustomerChange,
    reference: &RequestRef,
    score: i64,
    comment: &str,
) -> Result<(), AppError> {
    if !(1..=5).contains(&score) {
        return Err(AppError::invalid("score"));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let row = lock_request(&mut tx, state.db.backend(), reference, Some(who.customer_id)).await?;
    if !matches!(row.status, RequestStatus::Resolved | RequestStatus::Closed) {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    let inserted = sqlx::query(
        "INSERT INTO service_request_ratings (request_id, score, comment, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (request_id) DO NOTHING",
    )
    .bind(row.id)
    .bind(score)
    .bind(comment)
    .bind(now.micros())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted != 1 {
        return Err(AppError::new(ErrorCode::AlreadyRated));
    }
    let actor = Actor::Customer(who.customer_id);
    append_event(&mut tx, row.id, EventKind::Rated, None, None, actor, &score.to_string(), now).await?;
    tx.commit().await?;
    Ok(())
}
