//! The customer's side of inquiries: every thread is looked up through its owner.
use super::{insert_message, lock_thread, messages, topic_of, Author};
use crate::api::inquiries::{MyThreads, ThreadSummary, ThreadView};
use crate::backend::auth::{CustomerChange, CustomerRead};
use crate::backend::ledger::idempotency::{self, Claim};
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{IdempotencyKey, PlainText, Timestamp, Topic};
use sqlx::Row;

/// The customer's threads, latest activity first, each with its unread replies.
pub async fn list(state: &AppState, who: &CustomerRead) -> Result<MyThreads, AppError> {
    let rows = sqlx::query(
        "SELECT t.id, t.topic, t.subject, t.status, t.last_message_at, \
                (SELECT COUNT(*) FROM inquiry_messages m WHERE m.thread_id = t.id \
                   AND m.author_kind = 'staff' AND m.id > t.customer_read_upto) AS unread \
         FROM inquiry_threads t WHERE t.customer_id = $1 ORDER BY t.last_message_at DESC, t.id DESC",
    )
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    let mut threads = Vec::with_capacity(rows.len());
    for row in &rows {
        threads.push(ThreadSummary {
            id: row.try_get("id")?,
            topic: topic_of(&row.try_get::<String, _>("topic")?)?,
            subject: row.try_get("subject")?,
            open: row.try_get::<String, _>("status")? == "open",
            last_message_local: crate::backend::local_time(
                state.zone,
                Timestamp::from_micros(row.try_get("last_message_at")?),
            ),
            unread: row.try_get("unread")?,
        });
    }
    let unread_total = threads.iter().map(|t| t.unread).sum();
    Ok(MyThreads { threads, unread_total })
}

/// Opens a thread with its first message; the same key again answers the same
/// thread (a double-click or a resent form opens one).
pub async fn open(
    state: &AppState,
    who: &CustomerChange,
    topic: Topic,
    subject: &PlainText,
    body: &PlainText,
    key: &IdempotencyKey,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    let hash = idempotency::request_hash("inquiry_open", &[topic.as_str(), subject.as_str(), body.as_str()]);
    let mut tx = state.db.begin_write().await?;
    if let Claim::Replay(answer) = idempotency::claim(&mut tx, who.customer_id, key, "inquiry_open", &hash, now).await?
    {
        return answer.parse().map_err(|_| AppError::new(ErrorCode::Internal));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO inquiry_threads (customer_id, topic, subject, status, waiting_since, last_message_at, created_at) \
         VALUES ($1, $2, $3, 'open', $4, $4, $4) RETURNING id",
    )
    .bind(who.customer_id)
    .bind(topic.as_str())
    .bind(subject.as_str())
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    insert_message(&mut tx, id, Author::Customer(who.customer_id), body.as_str(), now).await?;
    idempotency::complete(&mut tx, who.customer_id, key, &id.to_string()).await?;
    tx.commit().await?;
    Ok(id)
}

/// One of the customer's threads, messages oldest first; the bank's replies are
/// read from now on.
pub async fn read(state: &AppState, who: &CustomerRead, id: i64) -> Result<ThreadView, AppError> {
    let row = sqlx::query(
        "SELECT id, topic, subject, status, created_at FROM inquiry_threads WHERE id = $1 AND customer_id = $2",
    )
    .bind(id)
    .bind(who.customer_id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    let messages = messages(&state.db, state.zone, id).await?;
    // Staff viewing as the customer leave the customer's unread marks alone.
    if who.by_customer() {
        super::mark_read(&state.db, id, "customer_read_upto").await?;
    }
    Ok(ThreadView {
        id,
        topic: topic_of(&row.try_get::<String, _>("topic")?)?,
        subject: row.try_get("subject")?,
        open: row.try_get::<String, _>("status")? == "open",
        created_local: crate::backend::local_time(state.zone, Timestamp::from_micros(row.try_get("created_at")?)),
        messages,
    })
}

/// The customer writes in their thread. The thread waits for the bank from this
/// message on (unless it already did); a closed thread opens again.
pub async fn reply(state: &AppState, who: &CustomerChange, id: i64, body: &PlainText) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let thread = lock_thread(&mut tx, state.db.backend(), id, Some(who.customer_id)).await?;
    insert_message(&mut tx, thread.id, Author::Customer(who.customer_id), body.as_str(), now).await?;
    sqlx::query(
        "UPDATE inquiry_threads SET status = 'open', waiting_since = COALESCE(waiting_since, $2), \
         last_message_at = $2 WHERE id = $1",
    )
    .bind(thread.id)
    .bind(now.micros())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The customer closes their thread (nothing to do when it is closed already).
pub async fn close(state: &AppState, who: &CustomerChange, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    let thread = lock_thread(&mut tx, state.db.backend(), id, Some(who.customer_id)).await?;
    if thread.open {
        sqlx::query("UPDATE inquiry_threads SET status = 'closed', waiting_since = NULL WHERE id = $1")
            .bind(thread.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
