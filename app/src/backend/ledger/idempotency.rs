//! Idempotency keys: the first answer to a money-moving request is kept with a hash
//! of the request, inside the same transaction as the money movement.
//!
//! The key row is claimed first. On PostgreSQL a second request with the same key
//! waits on the primary key until the first commits (then replays its answer) or
//! rolls back (then goes ahead itself); on SQLite writers are serialised anyway.
use crate::error::{AppError, ErrorCode};
use crate::types::{IdempotencyKey, Timestamp};
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};

/// What claiming a key found.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: do the work, then [`complete`] it in the same transaction.
    Fresh,
    /// The same request was answered before: here is that answer (JSON).
    Replay(String),
}

/// A stable hash of a request's content (its fields in a fixed order).
pub fn request_hash(operation: &str, fields: &[&str]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    for field in fields {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Claims `key` for this customer and request, or finds the earlier answer.
/// The same key with a different request (or operation) is refused.
pub async fn claim(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    key: &IdempotencyKey,
    operation: &str,
    hash: &str,
    now: Timestamp,
) -> Result<Claim, AppError> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (customer_id, idem_key, operation, request_hash, response, created_at) \
         VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT (customer_id, idem_key) DO NOTHING RETURNING customer_id",
    )
    .bind(customer_id)
    .bind(key.as_str())
    .bind(operation)
    .bind(hash)
    .bind(now.micros())
    .fetch_optional(&mut **tx)
    .await?;
    if inserted.is_some() {
        return Ok(Claim::Fresh);
    }
    let (stored_operation, stored_hash, response): (String, String, String) = sqlx::query_as(
        "SELECT operation, request_hash, response FROM idempotency_keys WHERE customer_id = $1 AND idem_key = $2",
    )
    .bind(customer_id)
    .bind(key.as_str())
    .fetch_one(&mut **tx)
    .await?;
    if stored_operation != operation || stored_hash != hash || response.is_empty() {
        return Err(AppError::new(ErrorCode::IdempotencyConflict));
    }
    Ok(Claim::Replay(response))
}

/// Stores the answer to a freshly claimed key.
pub async fn complete(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    key: &IdempotencyKey,
    response: &str,
) -> Result<(), AppError> {
    sqlx::query("UPDATE idempotency_keys SET response = $3 WHERE customer_id = $1 AND idem_key = $2")
        .bind(customer_id)
        .bind(key.as_str())
        .bind(response)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_tell_field_boundaries_apart() {
        assert_ne!(request_hash("t", &["ab", "c"]), request_hash("t", &["a", "bc"]));
        assert_ne!(request_hash("t", &["a"]), request_hash("u", &["a"]));
        assert_eq!(request_hash("t", &["a", "b"]), request_hash("t", &["a", "b"]));
    }
}
