//! Messages to customers (SMS for now) go through an outbox table: written in the
//! same transaction as the change that causes them, delivered afterwards by a
//! pluggable sender, so a message is never lost nor sent for a change that rolled back.
use super::Db;
use crate::types::Timestamp;
use sqlx::{Any, Row, Transaction};

/// A message waiting in (or delivered from) the outbox.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// Queues an SMS inside the caller's transaction.
pub async fn enqueue_sms(
    tx: &mut Transaction<'static, Any>,
    phone: &str,
    body: &str,
    now: Timestamp,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (channel, recipient, body, created_at) VALUES ('sms', $1, $2, $3) RETURNING id",
    )
    .bind(phone)
    .bind(body)
    .bind(now.micros())
    .fetch_one(&mut **tx)
    .await
}

/// The newest messages, for the development-only outbox page.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<OutboxMessage>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT id, channel, recipient, body, created_at, sent_at FROM outbox ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(message_from_row).collect()
}

fn message_from_row(row: &sqlx::any::AnyRow) -> Result<OutboxMessage, sqlx::Error> {
    Ok(OutboxMessage {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        recipient: row.try_get("recipient")?,
        body: row.try_get("body")?,
        created_at: Timestamp::from_micros(row.try_get("created_at")?),
        sent_at: row.try_get::<Option<i64>, _>("sent_at")?.map(Timestamp::from_micros),
    })
}

/// Delivers messages: an SMS gateway in production, the log in development.
#[async_trait::async_trait]
pub trait MessageSender: Send + Sync + 'static {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String>;
}

/// The development sender: notes each message in the log without its body (the
/// body may hold a code, and codes never go into logs); the text is on the
/// development-only `/dev/outbox` page.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogSender;

#[async_trait::async_trait]
impl MessageSender for LogSender {
    async fn send(&self, message: &OutboxMessage) -> Result<(), String> {
        tracing::info!(
            id = message.id,
            channel = %message.channel,
            to = %mask_phone(&message.recipient),
            "message delivered to the development outbox (read it at /dev/outbox)"
        );
        Ok(())
    }
}

/// Sends what is waiting, oldest first, and marks each sent. Returns how many.
pub async fn deliver_pending(db: &Db, sender: &dyn MessageSender, now: Timestamp) -> Result<usize, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, channel, recipient, body, created_at, sent_at FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 100",
    )
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    for row in &rows {
        let message = message_from_row(row)?;
        match sender.send(&message).await {
            Ok(()) => {
                sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
                    .bind(now.micros())
                    .bind(message.id)
                    .execute(db.pool())
                    .await?;
                sent += 1;
            }
            Err(reason) => tracing::warn!(id = message.id, %reason, "message not delivered; will retry"),
        }
    }
    Ok(sent)
}

/// "13812345678" → "138****5678": enough for a customer to recognise their phone.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones_are_masked() {
        assert_eq!(super::mask_phone("13812345678"), "138****5678");
        assert_eq!(super::mask_phone("123"), "***");
    }
}
