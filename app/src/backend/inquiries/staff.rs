//! The bank's side of inquiries: the shared inbox, replies, claiming, hand-overs and
//! closing. Every change is audited with the staff member and the customer.
use super::{events, insert_message, lock_thread, messages, topic_of, Author, ThreadRow};
use crate::api::inquiries::{HandoverView, Inbox, InboxCounts, InboxFilter, InboxRow, StaffRef, StaffThreadView};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{PlainText, StaffRole, Timestamp};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// The holder columns every inbox and thread query selects.
const HOLDER_COLUMNS: &str = "s.id AS holder_id, s.staff_no AS holder_no, s.full_name AS holder_name, \
                              s.role AS holder_role";

fn holder(row: &AnyRow) -> Result<Option<StaffRef>, sqlx::Error> {
    let Some(id) = row.try_get::<Option<i64>, _>("holder_id")? else {
        return Ok(None);
    };
    Ok(Some(StaffRef {
        id,
        staff_no: row.try_get("holder_no")?,
        name: row.try_get("holder_name")?,
        role: row.try_get("holder_role")?,
    }))
}

fn waiting_local(state: &AppState, row: &AnyRow) -> Result<Option<String>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>("waiting_since")?.map(|at| local_time(state.zone, Timestamp::from_micros(at))))
}

/// Open threads, those waiting longest first, then the most recently active.
pub async fn inbox(state: &AppState, actor: &StaffActor, filter: InboxFilter) -> Result<Inbox, AppError> {
    let condition = match filter {
        InboxFilter::Unassigned => "AND t.assigned_staff_id IS NULL",
        InboxFilter::Mine => "AND t.assigned_staff_id = $1",
        InboxFilter::All => "",
    };
    let sql = format!(
        "SELECT t.id, t.topic, t.subject, t.waiting_since, c.customer_no, c.full_name AS customer_name, \
                {HOLDER_COLUMNS}, \
                (SELECT COUNT(*) FROM inquiry_messages m WHERE m.thread_id = t.id \
                   AND m.author_kind = 'customer' AND m.id > t.staff_read_upto) AS unread \
         FROM inquiry_threads t \
         JOIN customers c ON c.id = t.customer_id \
         LEFT JOIN staff s ON s.id = t.assigned_staff_id \
         WHERE t.status = 'open' {condition} \
         ORDER BY CASE WHEN t.waiting_since IS NULL THEN 1 ELSE 0 END, t.waiting_since, \
                  t.last_message_at DESC, t.id \
         LIMIT 200"
    );
    let query = sqlx::query(&sql);
    // Only "mine" names the staff member: PostgreSQL refuses a parameter it cannot type.
    let query = if filter == InboxFilter::Mine { query.bind(actor.staff_id) } else { query };
    let rows = query.fetch_all(state.db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(InboxRow {
            id: row.try_get("id")?,
            customer_no: row.try_get("customer_no")?,
            customer_name: row.try_get("customer_name")?,
            topic: topic_of(&row.try_get::<String, _>("topic")?)?,
            subject: row.try_get("subject")?,
            waiting_since_local: waiting_local(state, row)?,
            holder: holder(row)?,
            unread: row.try_get("unread")?,
        });
    }
    Ok(Inbox { filter, rows: out })
}

/// How many open threads wait for the bank: in all, unassigned, held by `actor`.
pub async fn counts(state: &AppState, actor: &StaffActor) -> Result<InboxCounts, AppError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS waiting, \
                COALESCE(SUM(CASE WHEN assigned_staff_id IS NULL THEN 1 ELSE 0 END), 0) AS unassigned, \
                COALESCE(SUM(CASE WHEN assigned_staff_id = $1 THEN 1 ELSE 0 END), 0) AS mine \
         FROM inquiry_threads WHERE status = 'open' AND waiting_since IS NOT NULL",
    )
    .bind(actor.staff_id)
    .fetch_one(state.db.pool())
    .await?;
    Ok(InboxCounts {
        waiting: row.try_get("waiting")?,
        waiting_unassigned: row.try_get("unassigned")?,
        waiting_mine: row.try_get("mine")?,
    })
}

/// Active staff who can take a thread over (everyone but `actor`).
async fn colleagues(state: &AppState, actor: &StaffActor) -> Result<Vec<StaffRef>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, staff_no, full_name, role FROM staff WHERE status = 'active' AND id <> $1 ORDER BY staff_no",
    )
    .bind(actor.staff_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StaffRef {
                id: row.try_get("id")?,
                staff_no: row.try_get("staff_no")?,
                name: row.try_get("full_name")?,
                role: row.try_get("role")?,
            })
        })
        .collect()
}

async fn handovers(state: &AppState, thread_id: i64) -> Result<Vec<HandoverView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT f.full_name AS from_name, t.full_name AS to_name, h.note, h.created_at \
         FROM inquiry_handovers h JOIN staff t ON t.id = h.to_staff_id LEFT JOIN staff f ON f.id = h.from_staff_id \
         WHERE h.thread_id = $1 ORDER BY h.id",
    )
    .bind(thread_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(HandoverView {
                from: row.try_get("from_name")?,
                to: row.try_get("to_name")?,
                note: row.try_get("note")?,
                created_local: local_time(state.zone, Timestamp::from_micros(row.try_get("created_at")?)),
            })
        })
        .collect()
}

/// A thread with its messages, hand-overs and the colleagues it may go to; the
/// customer's messages are read by the bank from now on.
pub async fn read(state: &AppState, actor: &StaffActor, id: i64) -> Result<StaffThreadView, AppError> {
    let sql = format!(
        "SELECT t.id, t.topic, t.subject, t.status, t.waiting_since, c.customer_no, \
                c.full_name AS customer_name, {HOLDER_COLUMNS} \
         FROM inquiry_threads t JOIN customers c ON c.id = t.customer_id \
         LEFT JOIN staff s ON s.id = t.assigned_staff_id WHERE t.id = $1"
    );
    let row =
        sqlx::query(&sql).bind(id).fetch_optional(state.db.pool()).await?.ok_or(AppError::new(ErrorCode::NotFound))?;
    let holder = holder(&row)?;
    let messages = messages(&state.db, state.zone, id).await?;
    super::mark_read(&state.db, id, "staff_read_upto").await?;
    Ok(StaffThreadView {
        id,
        topic: topic_of(&row.try_get::<String, _>("topic")?)?,
        subject: row.try_get("subject")?,
        open: row.try_get::<String, _>("status")? == "open",
        customer_no: row.try_get("customer_no")?,
        customer_name: row.try_get("customer_name")?,
        held_by_me: holder.as_ref().is_some_and(|h| h.id == actor.staff_id),
        holder,
        waiting_since_local: waiting_local(state, &row)?,
        messages,
        handovers: handovers(state, id).await?,
        colleagues: colleagues(state, actor).await?,
    })
}

async fn record(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    actor: &StaffActor,
    thread: &ThreadRow,
    event: &str,
    detail: serde_json::Value,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let event = AuditEvent {
        actor: Actor::Staff(actor.staff_id),
        customer_id: Some(thread.customer_id),
        event,
        detail,
        origin,
    };
    audit::record(tx, state.db.backend(), state.clock.now(), &event).await?;
    Ok(())
}

/// A staff reply: the thread no longer waits, an unassigned thread is now the
/// replier's, and the customer gets a notification, all in one transaction.
/// A closed thread takes no replies (the customer reopens it by writing).
pub async fn reply(
    state: &AppState,
    actor: &StaffActor,
    id: i64,
    body: &PlainText,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let thread = lock_thread(&mut tx, state.db.backend(), id, None).await?;
    if !thread.open {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    let message = insert_message(&mut tx, thread.id, Author::Staff(actor.staff_id), body.as_str(), now).await?;
    sqlx::query(
        "UPDATE inquiry_threads SET waiting_since = NULL, last_message_at = $2, \
         assigned_staff_id = COALESCE(assigned_staff_id, $3) WHERE id = $1",
    )
    .bind(thread.id)
    .bind(now.micros())
    .bind(actor.staff_id)
    .execute(&mut *tx)
    .await?;
    notifications::notify(&mut tx, thread.customer_id, super::REPLY_NOTIFICATION, &thread.subject, now).await?;
    record(&mut tx, state, actor, &thread, events::REPLIED, json!({ "thread": thread.id, "message": message }), origin)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The staff member takes a thread nobody holds; a held thread changes hands only
/// by a hand-over.
pub async fn claim(state: &AppState, actor: &StaffActor, id: i64, origin: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    let thread = lock_thread(&mut tx, state.db.backend(), id, None).await?;
    match thread.assigned_staff_id {
        Some(holder) if holder == actor.staff_id => return Ok(()),
        Some(_) => return Err(AppError::new(ErrorCode::WrongState)),
        None if !thread.open => return Err(AppError::new(ErrorCode::WrongState)),
        None => {}
    }
    sqlx::query("UPDATE inquiry_threads SET assigned_staff_id = $2 WHERE id = $1")
        .bind(thread.id)
        .bind(actor.staff_id)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, state, actor, &thread, events::CLAIMED, json!({ "thread": thread.id }), origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Hands the thread to an active colleague with a note. The holder may do it, and
/// anyone while nobody holds it; supervisors and admins may always.
pub async fn hand_over(
    state: &AppState,
    actor: &StaffActor,
    id: i64,
    to_staff: i64,
    note: &PlainText,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let thread = lock_thread(&mut tx, state.db.backend(), id, None).await?;
    let overseer = matches!(actor.role, StaffRole::Supervisor | StaffRole::Admin);
    let may = overseer || thread.assigned_staff_id.is_none_or(|holder| holder == actor.staff_id);
    if !may {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    if !thread.open {
        return Err(AppError::new(ErrorCode::WrongState));
    }
    let target: Option<String> = sqlx::query_scalar("SELECT staff_no FROM staff WHERE id = $1 AND status = 'active'")
        .bind(to_staff)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(target_no) = target else {
        return Err(AppError::invalid("to_staff"));
    };
    if thread.assigned_staff_id == Some(to_staff) {
        return Err(AppError::invalid("to_staff"));
    }
    let handover: i64 = sqlx::query_scalar(
        "INSERT INTO inquiry_handovers (thread_id, from_staff_id, to_staff_id, note, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(thread.id)
    .bind(thread.assigned_staff_id)
    .bind(to_staff)
    .bind(note.as_str())
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE inquiry_threads SET assigned_staff_id = $2 WHERE id = $1")
        .bind(thread.id)
        .bind(to_staff)
        .execute(&mut *tx)
        .await?;
    let detail = json!({
        "thread": thread.id,
        "handover": handover,
        "from_staff": thread.assigned_staff_id,
        "to_staff": target_no,
    });
    record(&mut tx, state, actor, &thread, events::HANDED_OVER, detail, origin).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes the thread from the bank's side (nothing to do when it is closed).
pub async fn close(state: &AppState, actor: &StaffActor, id: i64, origin: &str) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    let thread = lock_thread(&mut tx, state.db.backend(), id, None).await?;
    if !thread.open {
        return Ok(());
    }
    sqlx::query("UPDATE inquiry_threads SET status = 'closed', waiting_since = NULL WHERE id = $1")
        .bind(thread.id)
        .execute(&mut *tx)
        .await?;
    record(&mut tx, state, actor, &thread, events::CLOSED, json!({ "thread": thread.id }), origin).await?;
    tx.commit().await?;
    Ok(())
}
