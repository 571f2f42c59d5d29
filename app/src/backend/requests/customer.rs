//! The customer's side of service requests: typed new requests (`create`), the
//! form data (`forms`), the list and one request (here), and what the customer may
//! do to a request afterwards (`actions`).
//!
//! Everything is looked up through the customer: a card, account, transaction or
//! reference of someone else answers `not_found` exactly like a missing one, and
//! nothing is stored. The timeline comes from `timeline::for_customer` only, which
//! never reads internal notes.
pub mod actions;
pub mod create;
pub mod forms;
pub mod input;

use super::{find_request, timeline, EventKind, RequestRow, REOPEN_WINDOW_SECONDS};
use crate::api::requests::{Answers, ComplaintCategory, NextStep, RequestSummary, RequestView};
use crate::backend::auth::CustomerRead;
use crate::backend::{local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{mask_number, Party, RequestKind, RequestRef, RequestStatus, Timestamp};
use sqlx::{Any, Row, Transaction};

/// Notification kinds a customer receives about their requests (the notification
/// centre translates them).
pub mod notices {
    pub const RECEIVED: &str = "service_request_received";
    pub const CARD_LOST: &str = "card_reported_lost";
    pub const CONTACT_CHANGED: &str = "contact_changed";
    pub const CARD_REPLACED: &str = "card_replaced";
    pub const ACCOUNT_REACTIVATED: &str = "account_reactivated";
}

/// Audit event names of the customer's request actions and their effects.
pub mod events {
    pub const SUBMITTED: &str = "service_request_submitted";
    pub const CARD_REPORTED_LOST: &str = "card_reported_lost";
    pub const CARD_FROZEN: &str = "card_frozen";
    pub const CARD_UNFROZEN: &str = "card_unfrozen";
    pub const CONTACT_CHANGE_REQUESTED: &str = "contact_change_requested";
    pub const CONTACT_CHANGED: &str = "contact_changed";
    pub const ACCOUNT_REACTIVATED: &str = "account_reactivated";
    pub const CARD_REPLACED: &str = "card_replaced";
    pub const WITHDRAWN: &str = "service_request_withdrawn";
    pub const REOPENED: &str = "service_request_reopened";
}

/// The customer's requests, latest activity first.
pub async fn list(state: &AppState, who: &CustomerRead) -> Result<Vec<RequestSummary>, AppError> {
    let rows = sqlx::query(
        "SELECT r.reference, r.kind, r.status, r.subject, r.updated_at, \
                (SELECT COUNT(*) FROM service_request_messages m WHERE m.request_id = r.id \
                   AND m.author_kind = 'staff' AND m.id > COALESCE((SELECT MAX(c.id) FROM service_request_messages c \
                   WHERE c.request_id = r.id AND c.author_kind = 'customer'), 0)) AS bank_messages \
         FROM service_requests r WHERE r.customer_id = $1 ORDER BY r.updated_at DESC, r.id DESC",
    )
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let status = status_of(&row.try_get::<String, _>("status")?)?;
            Ok(RequestSummary {
                reference: row.try_get("reference")?,
                kind: kind_of(&row.try_get::<String, _>("kind")?)?,
                status,
                subject: row.try_get("subject")?,
                next_step: NextStep::of(status),
                updated_local: local_time(state.zone, Timestamp::from_micros(row.try_get("updated_at")?)),
                bank_messages: row.try_get("bank_messages")?,
            })
        })
        .collect()
}

/// One of the customer's requests with its public timeline.
pub async fn detail(state: &AppState, who: &CustomerRead, reference: &RequestRef) -> Result<RequestView, AppError> {
    let now = state.clock.now();
    let row = find_request(state, reference, Some(who.customer_id)).await?;
    let body: String = sqlx::query_scalar("SELECT body FROM service_requests WHERE id = $1")
        .bind(row.id)
        .fetch_one(state.db.pool())
        .await?;
    let rating = sqlx::query("SELECT score, comment FROM service_request_ratings WHERE request_id = $1")
        .bind(row.id)
        .fetch_optional(state.db.pool())
        .await?
        .map(|r| Ok::<_, sqlx::Error>((r.try_get("score")?, r.try_get("comment")?)))
        .transpose()?;
    let follow_up_of = match row.follow_up_of {
        Some(id) => {
            sqlx::query_scalar("SELECT reference FROM service_requests WHERE id = $1")
                .bind(id)
                .fetch_optional(state.db.pool())
                .await?
        }
        None => None,
    };
    let follow_ups: Vec<String> =
        sqlx::query_scalar("SELECT reference FROM service_requests WHERE follow_up_of = $1 ORDER BY id")
            .bind(row.id)
            .fetch_all(state.db.pool())
            .await?;
    let reopen_until = row.resolved_at.map(|at| at.plus_seconds(REOPEN_WINDOW_SECONDS));
    let in_window = row.status == RequestStatus::Resolved && reopen_until.is_some_and(|until| now <= until);
    let allowed: Vec<RequestStatus> = row
        .status
        .next_for(Party::Customer)
        .into_iter()
        .filter(|to| *to != RequestStatus::InProgress || in_window)
        .collect();
    Ok(RequestView {
        reference: row.reference.to_string(),
        kind: row.kind,
        status: row.status,
        subject: row.subject.clone(),
        body,
        created_local: local_time(state.zone, row.created_at),
        next_step: NextStep::of(row.status),
        decision_due_local: row.decision_due_at.map(|at| local_time(state.zone, at)),
        frozen_at_local: frozen_at(&row).map(|at| local_time(state.zone, at)),
        about: about(state, &row).await?,
        reopen_until_local: in_window.then(|| reopen_until.map(|at| local_time(state.zone, at))).flatten(),
        can_reopen: in_window,
        allowed,
        can_rate: rating.is_none() && matches!(row.status, RequestStatus::Resolved | RequestStatus::Closed),
        rating,
        can_reply: matches!(reply_mode(&row, now), ReplyMode::Message | ReplyMode::FollowUp),
        follow_up_of,
        follow_ups,
        timeline: timeline::for_customer(state, row.id).await?,
        reply_key: crate::types::IdempotencyKey::generate().as_str().to_owned(),
        answers: answers(&row.details),
    })
}

/// The form's answers kept in the request's details (validated when stored).
fn answers(details: &serde_json::Value) -> Answers {
    let text = |key: &str| details.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
    let flag = |key: &str| details.get(key).and_then(serde_json::Value::as_bool);
    Answers {
        category: text("category").as_deref().and_then(ComplaintCategory::parse),
        wanted: text("wanted"),
        stolen: flag("stolen"),
        replacement: flag("replacement"),
        new_phone: text("phone").map(|p| crate::backend::outbox::mask_phone(&p)),
        new_address: text("address"),
        months: text("from").zip(text("to")),
    }
}

/// When the card of a loss report or freeze was frozen (kept in its details).
fn frozen_at(row: &RequestRow) -> Option<Timestamp> {
    row.details.get("frozen_at").and_then(serde_json::Value::as_i64).map(Timestamp::from_micros)
}

/// The card, account or transaction a request is about, masked.
async fn about(state: &AppState, row: &RequestRow) -> Result<Option<String>, AppError> {
    let number: Option<String> = if let Some(card) = row.card_id {
        sqlx::query_scalar("SELECT card_no FROM cards WHERE id = $1").bind(card).fetch_optional(state.db.pool()).await?
    } else if let Some(account) = row.account_id {
        sqlx::query_scalar("SELECT account_no FROM accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(state.db.pool())
            .await?
    } else {
        None
    };
    Ok(number.map(|n| mask_number(&n)))
}

/// What a customer's reply does, given where the request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyMode {
    /// An open request: the reply joins the conversation.
    Message,
    /// Resolved within the reopen window: the customer reopens or confirms instead.
    ReopenInstead,
    /// Resolved past the window, or closed: the reply starts a linked follow-up.
    FollowUp,
    /// Withdrawn: nothing more happens.
    Refused,
}

pub fn reply_mode(row: &RequestRow, now: Timestamp) -> ReplyMode {
    match row.status {
        RequestStatus::Submitted | RequestStatus::InProgress | RequestStatus::WaitingCustomer => ReplyMode::Message,
        RequestStatus::Resolved if within_reopen_window(row, now) => ReplyMode::ReopenInstead,
        RequestStatus::Resolved | RequestStatus::Closed => ReplyMode::FollowUp,
        RequestStatus::Withdrawn => ReplyMode::Refused,
    }
}

/// Whether `now` is within 7 days of the request's resolution.
pub fn within_reopen_window(row: &RequestRow, now: Timestamp) -> bool {
    row.resolved_at.is_some_and(|at| now <= at.plus_seconds(REOPEN_WINDOW_SECONDS))
}

/// Closes a self-service record (a freeze or unfreeze) as it is made. The state
/// machine has no path for it on purpose: no party may close a submitted request.
/// But there is nothing for the bank to do, the change already happened, so the
/// record is born closed, its clock stopped; the `status` step shows the move.
pub async fn close_self_service(
    tx: &mut Transaction<'static, Any>,
    request_id: i64,
    customer_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE service_requests SET status = 'closed', running_since = NULL, due_at = NULL, resolved_at = $1, \
           closed_at = $1, updated_at = $1 WHERE id = $2 AND status = 'submitted'",
    )
    .bind(now.micros())
    .bind(request_id)
    .execute(&mut **tx)
    .await?;
    super::append_event(
        tx,
        request_id,
        EventKind::Status,
        Some(RequestStatus::Submitted),
        Some(RequestStatus::Closed),
        crate::backend::audit::Actor::Customer(customer_id),
        "",
        now,
    )
    .await?;
    Ok(())
}

fn stored(what: &str, text: &str) -> AppError {
    tracing::error!(what, text, "unknown value in service_requests");
    AppError::new(ErrorCode::Internal)
}

fn kind_of(text: &str) -> Result<RequestKind, AppError> {
    RequestKind::parse(text).ok_or_else(|| stored("kind", text))
}

fn status_of(text: &str) -> Result<RequestStatus, AppError> {
    RequestStatus::parse(text).ok_or_else(|| stored("status", text))
}
