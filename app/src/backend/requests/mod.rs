//! Service requests (服务申请): the core every side shares.
//!
//! A request belongs to one customer; customer functions find it only through that
//! owner (`lock_request` with `Some(owner)`), so another customer's reference
//! answers `not_found` like a missing one. Every change of state goes through
//! [`transition`], which checks the state machine (`RequestStatus::allows`), keeps
//! the service-level clock (paused while waiting for the customer) and writes the
//! timeline. Internal notes live in their own table that no customer query reads.
pub mod calendar;
pub mod cards;
pub mod customer;
pub mod effects;
pub mod files;
pub mod queue;
pub mod report;
pub mod sla;
pub mod staff;
pub mod staff_view;
pub mod timeline;

use self::calendar::WorkingCalendar;
use super::audit::Actor;
use super::{AppState, Backend};
use crate::error::{AppError, ErrorCode};
use crate::types::{Party, PlainText, Priority, RequestKind, RequestRef, RequestStatus, Timestamp};
use chrono::Datelike;
use sqlx::{Any, Row, Transaction};

/// The longest subject, in characters.
pub const MAX_SUBJECT: usize = 80;
/// The longest description, reply or note, in characters.
pub const MAX_BODY: usize = 2000;
/// The longest rating comment or reason, in characters.
pub const MAX_COMMENT: usize = 500;
/// How long after resolution the customer may reopen a request.
pub const REOPEN_WINDOW_SECONDS: i64 = 7 * 24 * 3600;

/// The timeline's kinds of step (`service_request_events.kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Submitted,
    Status,
    CardFrozen,
    CardUnfrozen,
    CardReplaced,
    ContactChanged,
    AccountReactivated,
    Assigned,
    Escalated,
    Extended,
    Rated,
    FollowUp,
}

impl EventKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Submitted => "submitted",
            EventKind::Status => "status",
            EventKind::CardFrozen => "card_frozen",
            EventKind::CardUnfrozen => "card_unfrozen",
            EventKind::CardReplaced => "card_replaced",
            EventKind::ContactChanged => "contact_changed",
            EventKind::AccountReactivated => "account_reactivated",
            EventKind::Assigned => "assigned",
            EventKind::Escalated => "escalated",
            EventKind::Extended => "extended",
            EventKind::Rated => "rated",
            EventKind::FollowUp => "follow_up",
        }
    }

    /// Kinds only staff see: who holds the request and its escalation are the
    /// bank's internal organisation, not the customer's business.
    pub const STAFF_ONLY: [&'static str; 2] = ["assigned", "escalated"];
}

/// The request row a change needs, locked on PostgreSQL for the transaction.
#[derive(Clone, Debug)]
pub struct RequestRow {
    pub id: i64,
    pub reference: RequestRef,
    pub customer_id: i64,
    pub kind: RequestKind,
    pub priority: Priority,
    pub status: RequestStatus,
    pub subject: String,
    pub details: serde_json::Value,
    pub card_id: Option<i64>,
    pub account_id: Option<i64>,
    pub posting_id: Option<i64>,
    pub follow_up_of: Option<i64>,
    pub assigned_staff_id: Option<i64>,
    pub target_minutes: i64,
    pub used_minutes: i64,
    pub running_since: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub decision_due_at: Option<Timestamp>,
    pub extension_level: i64,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
}

const ROW_COLUMNS: &str = "id, reference, customer_id, kind, priority, status, subject, details, card_id, \
     account_id, posting_id, follow_up_of, assigned_staff_id, target_minutes, used_minutes, running_since, \
     due_at, decision_due_at, extension_level, created_at, resolved_at";

/// Loads and locks a request in `tx` by its reference; `owner` restricts it to one
/// customer's requests. A missing request and another customer's look the same.
pub async fn lock_request(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    reference: &RequestRef,
    owner: Option<i64>,
) -> Result<RequestRow, AppError> {
    let lock = if backend == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM service_requests WHERE reference = $1 AND ($2 = 0 OR customer_id = $2){lock}"
    );
    let row = sqlx::query(&sql)
        .bind(reference.as_str())
        .bind(owner.unwrap_or(0))
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    row_of(&row)
}

/// Reads a request without locking (pages), through its owner when `owner` is set.
pub async fn find_request(
    state: &AppState,
    reference: &RequestRef,
    owner: Option<i64>,
) -> Result<RequestRow, AppError> {
    let sql =
        format!("SELECT {ROW_COLUMNS} FROM service_requests WHERE reference = $1 AND ($2 = 0 OR customer_id = $2)");
    let row = sqlx::query(&sql)
        .bind(reference.as_str())
        .bind(owner.unwrap_or(0))
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    row_of(&row)
}

fn row_of(row: &sqlx::any::AnyRow) -> Result<RequestRow, AppError> {
    let stored = |what: &str, text: &str| {
        tracing::error!(what, text, "unknown value in service_requests");
        AppError::new(ErrorCode::Internal)
    };
    let kind: String = row.try_get("kind")?;
    let priority: String = row.try_get("priority")?;
    let status: String = row.try_get("status")?;
    let reference: String = row.try_get("reference")?;
    let details: String = row.try_get("details")?;
    let at = |column: &str| -> Result<Option<Timestamp>, sqlx::Error> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp::from_micros))
    };
    Ok(RequestRow {
        id: row.try_get("id")?,
        reference: RequestRef::parse(&reference).ok_or_else(|| stored("reference", &reference))?,
        customer_id: row.try_get("customer_id")?,
        kind: RequestKind::parse(&kind).ok_or_else(|| stored("kind", &kind))?,
        priority: Priority::parse(&priority).ok_or_else(|| stored("priority", &priority))?,
        status: RequestStatus::parse(&status).ok_or_else(|| stored("status", &status))?,
        subject: row.try_get("subject")?,
        details: serde_json::from_str(&details).map_err(|_| stored("details", &details))?,
        card_id: row.try_get("card_id")?,
        account_id: row.try_get("account_id")?,
        posting_id: row.try_get("posting_id")?,
        follow_up_of: row.try_get("follow_up_of")?,
        assigned_staff_id: row.try_get("assigned_staff_id")?,
        target_minutes: row.try_get("target_minutes")?,
        used_minutes: row.try_get("used_minutes")?,
        running_since: at("running_since")?,
        due_at: at("due_at")?,
        decision_due_at: at("decision_due_at")?,
        extension_level: row.try_get("extension_level")?,
        created_at: Timestamp::from_micros(row.try_get("created_at")?),
        resolved_at: at("resolved_at")?,
    })
}

/// A new request's content, validated by the caller (typed forms).
pub struct NewRequest<'a> {
    pub customer_id: i64,
    pub kind: RequestKind,
    pub subject: &'a PlainText,
    /// The customer's description; may be empty for kinds whose form has none.
    pub body: &'a str,
    /// The form's other fields (validated), as JSON.
    pub details: serde_json::Value,
    pub card_id: Option<i64>,
    pub account_id: Option<i64>,
    pub posting_id: Option<i64>,
    pub follow_up_of: Option<i64>,
    /// A staff member in assist mode filing it for the customer: the request and its
    /// first step are theirs, on the customer's behalf.
    pub created_by_staff_id: Option<i64>,
}

/// Inserts a request as submitted, its clock running from `now`, and its first
/// timeline step; returns its id and reference. The caller checked that the card,
/// account or posting belongs to the customer.
pub async fn insert_request(
    tx: &mut Transaction<'static, Any>,
    zone: chrono_tz::Tz,
    calendar: &WorkingCalendar,
    new: &NewRequest<'_>,
    now: Timestamp,
) -> Result<(i64, RequestRef), AppError> {
    let kind_row = sqlx::query("SELECT priority, target_minutes FROM service_request_types WHERE kind = $1")
        .bind(new.kind.as_str())
        .fetch_one(&mut **tx)
        .await?;
    let priority: String = kind_row.try_get("priority")?;
    let target: i64 = kind_row.try_get("target_minutes")?;
    let branch_id: i64 = sqlx::query_scalar("SELECT branch_id FROM customers WHERE id = $1")
        .bind(new.customer_id)
        .fetch_one(&mut **tx)
        .await?;
    let reference = next_reference(tx, zone, now).await?;
    let due = calendar.add_minutes(now, target);
    let decision_due = (new.kind == RequestKind::Complaint).then(|| calendar::complaint_decision_due(zone, now, 0));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_requests (reference, customer_id, kind, priority, status, subject, body, details, \
           card_id, account_id, posting_id, follow_up_of, branch_id, target_minutes, used_minutes, running_since, \
           due_at, decision_due_at, created_at, updated_at, created_by_staff_id) \
         VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $16, $14, $14, $17) \
         RETURNING id",
    )
    .bind(reference.as_str())
    .bind(new.customer_id)
    .bind(new.kind.as_str())
    .bind(priority)
    .bind(new.subject.as_str())
    .bind(new.body)
    .bind(new.details.to_string())
    .bind(new.card_id)
    .bind(new.account_id)
    .bind(new.posting_id)
    .bind(new.follow_up_of)
    .bind(branch_id)
    .bind(target)
    .bind(now.micros())
    .bind(due.micros())
    .bind(decision_due.map(|t| t.micros()))
    .bind(new.created_by_staff_id)
    .fetch_one(&mut **tx)
    .await?;
    append_event(
        tx,
        id,
        EventKind::Submitted,
        None,
        Some(RequestStatus::Submitted),
        new.created_by_staff_id.map_or(Actor::Customer(new.customer_id), Actor::Staff),
        "",
        now,
    )
    .await?;
    Ok((id, reference))
}

/// The next reference of the year `now` falls in (bank's zone): the year's counter
/// row is bumped in the transaction, so two requests never share a number.
async fn next_reference(
    tx: &mut Transaction<'static, Any>,
    zone: chrono_tz::Tz,
    now: Timestamp,
) -> Result<RequestRef, sqlx::Error> {
    let year = chrono::DateTime::from_timestamp_micros(now.micros())
        .map(|utc| utc.with_timezone(&zone).year())
        .unwrap_or(1970);
    sqlx::query("INSERT INTO service_request_counters (year, last) VALUES ($1, 0) ON CONFLICT (year) DO NOTHING")
        .bind(i64::from(year))
        .execute(&mut **tx)
        .await?;
    let number: i64 =
        sqlx::query_scalar("UPDATE service_request_counters SET last = last + 1 WHERE year = $1 RETURNING last")
            .bind(i64::from(year))
            .fetch_one(&mut **tx)
            .await?;
    Ok(RequestRef::new(year, number))
}

/// Moves `row` to `to` if `party` may, keeping the service-level clock: it stops
/// (the business minutes used so far are banked) when the customer has the next
/// move or the request is done, and runs again from `now` when the bank has it.
/// `detail` is a public reason shown on the timeline ("" for none).
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    tx: &mut Transaction<'static, Any>,
    calendar: &WorkingCalendar,
    row: &RequestRow,
    to: RequestStatus,
    party: Party,
    actor: Actor,
    detail: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    if !row.status.allows(to, party) {
        return Err(AppError::new(ErrorCode::TransitionNotAllowed));
    }
    let clock = clock_after(calendar, row, to, now);
    let resolved_at = match to {
        RequestStatus::Resolved => Some(now.micros()),
        RequestStatus::Closed => row.resolved_at.map(|t| t.micros()),
        _ => None,
    };
    let closed_at = to.is_final().then_some(now.micros());
    let changed = sqlx::query(
        "UPDATE service_requests SET status = $1, used_minutes = $2, running_since = $3, due_at = $4, \
           resolved_at = $5, closed_at = $6, updated_at = $7 \
         WHERE id = $8 AND status = $9",
    )
    .bind(to.as_str())
    .bind(clock.used_minutes)
    .bind(clock.running_since.map(|t| t.micros()))
    .bind(clock.due_at.map(|t| t.micros()))
    .bind(resolved_at)
    .bind(closed_at)
    .bind(now.micros())
    .bind(row.id)
    .bind(row.status.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed != 1 {
        // Someone else moved it first (SQLite has no row lock to wait on).
        return Err(AppError::new(ErrorCode::TransitionNotAllowed));
    }
    append_event(tx, row.id, EventKind::Status, Some(row.status), Some(to), actor, detail, now).await?;
    Ok(())
}

/// The service-level clock after a move to `to`.
pub struct ClockState {
    pub used_minutes: i64,
    pub running_since: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
}

pub fn clock_after(calendar: &WorkingCalendar, row: &RequestRow, to: RequestStatus, now: Timestamp) -> ClockState {
    match (row.running_since, to.clock_runs()) {
        // The bank's move: the running stretch carries on, or a new one starts now,
        // with what is left of the target.
        (since, true) => {
            let start = since.unwrap_or(now);
            let left = (row.target_minutes - row.used_minutes).max(0);
            ClockState {
                used_minutes: row.used_minutes,
                running_since: Some(start),
                due_at: Some(calendar.add_minutes(start, left)),
            }
        }
        // The customer's move, or done: bank the business minutes of this stretch.
        (Some(since), false) => ClockState {
            used_minutes: row.used_minutes + calendar.minutes_between(since, now),
            running_since: None,
            due_at: None,
        },
        (None, false) => ClockState { used_minutes: row.used_minutes, running_since: None, due_at: None },
    }
}

/// Appends one step to a request's timeline.
#[allow(clippy::too_many_arguments)]
pub async fn append_event(
    tx: &mut Transaction<'static, Any>,
    request_id: i64,
    kind: EventKind,
    from: Option<RequestStatus>,
    to: Option<RequestStatus>,
    actor: Actor,
    detail: &str,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO service_request_events (request_id, kind, from_status, to_status, actor_kind, actor_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(request_id)
    .bind(kind.as_str())
    .bind(from.map(|s| s.as_str()))
    .bind(to.map(|s| s.as_str()))
    .bind(actor.kind().as_str())
    .bind(actor.id())
    .bind(detail)
    .bind(now.micros())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Appends a public message (the customer's or a staff member's) to the conversation.
pub async fn insert_message(
    tx: &mut Transaction<'static, Any>,
    request_id: i64,
    author: Actor,
    body: &PlainText,
    now: Timestamp,
) -> Result<i64, AppError> {
    let (kind, id) = match author {
        Actor::Customer(id) => ("customer", id),
        Actor::Staff(id) => ("staff", id),
        Actor::System | Actor::Anonymous => return Err(AppError::new(ErrorCode::Internal)),
    };
    let message_id = sqlx::query_scalar(
        "INSERT INTO service_request_messages (request_id, author_kind, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(request_id)
    .bind(kind)
    .bind(id)
    .bind(body.as_str())
    .bind(now.micros())
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE service_requests SET updated_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(request_id)
        .execute(&mut **tx)
        .await?;
    Ok(message_id)
}
