//! Inquiries (咨询): question threads between a customer and the bank.
//!
//! A thread belongs to one customer; customer functions find it only through that
//! owner. Staff see every open thread in a shared inbox, waiting longest first.
//! `waiting_since` is when the customer's oldest unanswered message came (set by a
//! customer message when unset, cleared by a staff reply); `*_read_upto` is the last
//! message id each side has read, so a side's unread count is the other side's
//! messages above it. Messages are plain text (validated by `PlainText` before they
//! get here) and are rendered as text.
pub mod customer;
pub mod staff;

use super::{Backend, Db};
use crate::api::inquiries::MessageView;
use crate::error::{AppError, ErrorCode};
use crate::types::{Timestamp, Topic};
use sqlx::{Any, Row, Transaction};

/// The notification kind of a staff reply.
pub const REPLY_NOTIFICATION: &str = "inquiry_reply";

/// Audit event names of staff actions on threads.
pub mod events {
    pub const REPLIED: &str = "inquiry_replied";
    pub const CLAIMED: &str = "inquiry_claimed";
    pub const HANDED_OVER: &str = "inquiry_handed_over";
    pub const CLOSED: &str = "inquiry_closed";
}

/// Who writes a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Author {
    Customer(i64),
    Staff(i64),
}

/// The thread row a change needs, locked on PostgreSQL for the transaction.
pub(crate) struct ThreadRow {
    pub id: i64,
    pub customer_id: i64,
    pub subject: String,
    pub open: bool,
    pub assigned_staff_id: Option<i64>,
}

/// Loads and locks a thread in `tx`; `owner` restricts it to one customer's threads.
/// A missing thread and another customer's look the same: `not_found`.
pub(crate) async fn lock_thread(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: i64,
    owner: Option<i64>,
) -> Result<ThreadRow, AppError> {
    let lock = if backend == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!(
        "SELECT id, customer_id, subject, status, assigned_staff_id FROM inquiry_threads \
         WHERE id = $1 AND ($2 = 0 OR customer_id = $2){lock}"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(owner.unwrap_or(0))
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    Ok(ThreadRow {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        subject: row.try_get("subject")?,
        open: row.try_get::<String, _>("status")? == "open",
        assigned_staff_id: row.try_get("assigned_staff_id")?,
    })
}

/// Appends a message and returns its id.
pub(crate) async fn insert_message(
    tx: &mut Transaction<'static, Any>,
    thread_id: i64,
    author: Author,
    body: &str,
    now: Timestamp,
) -> Result<i64, sqlx::Error> {
    let (kind, author_id) = match author {
        Author::Customer(id) => ("customer", id),
        Author::Staff(id) => ("staff", id),
    };
    sqlx::query_scalar(
        "INSERT INTO inquiry_messages (thread_id, author_kind, author_id, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(thread_id)
    .bind(kind)
    .bind(author_id)
    .bind(body)
    .bind(now.micros())
    .fetch_one(&mut **tx)
    .await
}

/// A thread's messages, oldest first, with their writers' names.
pub(crate) async fn messages(db: &Db, zone: chrono_tz::Tz, thread_id: i64) -> Result<Vec<MessageView>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT m.id, m.author_kind, m.body, m.created_at, \
                COALESCE(c.full_name, s.full_name, '') AS author \
         FROM inquiry_messages m \
         LEFT JOIN customers c ON m.author_kind = 'customer' AND c.id = m.author_id \
         LEFT JOIN staff s ON m.author_kind = 'staff' AND s.id = m.author_id \
         WHERE m.thread_id = $1 ORDER BY m.id",
    )
    .bind(thread_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(MessageView {
                id: row.try_get("id")?,
                from_bank: row.try_get::<String, _>("author_kind")? == "staff",
                author: row.try_get("author")?,
                body: row.try_get("body")?,
                created_local: super::local_time(zone, Timestamp::from_micros(row.try_get("created_at")?)),
            })
        })
        .collect()
}

/// The stored topic name as a `Topic` (the schema's CHECK keeps it valid).
pub(crate) fn topic_of(text: &str) -> Result<Topic, AppError> {
    Topic::parse(text).ok_or_else(|| {
        tracing::error!(topic = text, "unknown inquiry topic in the database");
        AppError::new(ErrorCode::Internal)
    })
}

/// Marks a side's messages read up to the newest message of the thread.
/// `column` is one of the two `*_read_upto` columns (never user input).
pub(crate) async fn mark_read(db: &Db, thread_id: i64, column: &'static str) -> Result<(), sqlx::Error> {
    let sql = format!(
        "UPDATE inquiry_threads SET {column} = \
           (SELECT COALESCE(MAX(id), 0) FROM inquiry_messages WHERE thread_id = $1) \
         WHERE id = $1 AND {column} < (SELECT COALESCE(MAX(id), 0) FROM inquiry_messages WHERE thread_id = $1)"
    );
    sqlx::query(&sql).bind(thread_id).execute(db.pool()).await?;
    Ok(())
}
