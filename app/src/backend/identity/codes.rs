//! One-time codes sent to the phone on file (enrollment, password reset).
//!
//! Only a keyed hash (HMAC-SHA256 with the server secret) is stored: a six-digit
//! code is trivially brute-forced from a plain hash if the table ever leaks.
use crate::types::Timestamp;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use sqlx::{Any, Row, Transaction};
use subtle::ConstantTimeEq;

/// A code is good for ten minutes.
pub const CODE_TTL_SECONDS: i64 = 600;
/// Five wrong tries burn a code.
pub const MAX_ATTEMPTS: i64 = 5;
/// A new code no sooner than a minute after the last (SMS costs money and annoys).
pub const RESEND_AFTER_SECONDS: i64 = 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Enroll,
    Reset,
}

impl Purpose {
    pub const fn as_str(self) -> &'static str {
        match self {
            Purpose::Enroll => "enroll",
            Purpose::Reset => "reset",
        }
    }
}

impl Purpose {
    /// The text message carrying `code`, in both languages (the phone's language is
    /// unknown).
    fn message(self, code: &str) -> String {
        match self {
            Purpose::Enroll => format!(
                "【乡邮储蓄银行】您正在开通网上银行，验证码 {code}，10 分钟内有效。请勿告诉任何人。\
                 Village Post Savings Bank: your online banking activation code is {code}, valid for 10 minutes. \
                 Never share it."
            ),
            Purpose::Reset => format!(
                "【乡邮储蓄银行】您正在重置网银密码，验证码 {code}，10 分钟内有效。如非本人操作，请致电 95580。\
                 Village Post Savings Bank: your password reset code is {code}, valid for 10 minutes. \
                 Not you? Call 95580."
            ),
        }
    }
}

/// Issues a code and queues the text message carrying it, in the caller's
/// transaction: the code exists only in that message.
pub async fn send(
    tx: &mut Transaction<'static, Any>,
    secret: &[u8],
    customer_id: i64,
    phone: &str,
    purpose: Purpose,
    now: Timestamp,
) -> Result<(), CodeError> {
    let code = issue(tx, secret, customer_id, purpose, now).await?;
    crate::backend::outbox::enqueue_sms(tx, phone, &purpose.message(&code), now).await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CodeError {
    #[error("a code was sent less than a minute ago")]
    TooSoon,
    #[error("the code is wrong, expired or used up")]
    Invalid,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn keyed_hash(secret: &[u8], customer_id: i64, purpose: Purpose, code: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new(); // HMAC takes keys of any length: not reached
    };
    mac.update(purpose.as_str().as_bytes());
    mac.update(&customer_id.to_be_bytes());
    mac.update(code.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes a new code for `customer_id` and returns it (to be put in the outbox
/// message, and nowhere else).
async fn issue(
    tx: &mut Transaction<'static, Any>,
    secret: &[u8],
    customer_id: i64,
    purpose: Purpose,
    now: Timestamp,
) -> Result<String, CodeError> {
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM verification_codes WHERE customer_id = $1 AND purpose = $2")
            .bind(customer_id)
            .bind(purpose.as_str())
            .fetch_one(&mut **tx)
            .await?;
    if last.is_some_and(|at| now < Timestamp::from_micros(at).plus_seconds(RESEND_AFTER_SECONDS)) {
        return Err(CodeError::TooSoon);
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000));
    sqlx::query(
        "INSERT INTO verification_codes (customer_id, purpose, code_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(customer_id)
    .bind(purpose.as_str())
    .bind(keyed_hash(secret, customer_id, purpose, &code))
    .bind(now.micros())
    .bind(now.plus_seconds(CODE_TTL_SECONDS).micros())
    .execute(&mut **tx)
    .await?;
    Ok(code)
}

/// Checks `code` against the newest live code and uses it up on success. Every
/// try counts, right or wrong, so guessing is bounded by `MAX_ATTEMPTS`.
pub async fn redeem(
    tx: &mut Transaction<'static, Any>,
    secret: &[u8],
    customer_id: i64,
    purpose: Purpose,
    code: &str,
    now: Timestamp,
) -> Result<(), CodeError> {
    let row = sqlx::query(
        "SELECT id, code_hash, attempts FROM verification_codes \
         WHERE customer_id = $1 AND purpose = $2 AND consumed_at IS NULL AND expires_at > $3 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(customer_id)
    .bind(purpose.as_str())
    .bind(now.micros())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Err(CodeError::Invalid);
    };
    let id: i64 = row.try_get("id")?;
    let stored: String = row.try_get("code_hash")?;
    let attempts: i64 = row.try_get("attempts")?;
    if attempts >= MAX_ATTEMPTS {
        return Err(CodeError::Invalid);
    }
    let given = keyed_hash(secret, customer_id, purpose, code.trim());
    let matches = bool::from(given.as_bytes().ct_eq(stored.as_bytes()));
    sqlx::query("UPDATE verification_codes SET attempts = attempts + 1, consumed_at = $1 WHERE id = $2")
        .bind(matches.then_some(now.micros()))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if matches {
        Ok(())
    } else {
        Err(CodeError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_key_customer_purpose_and_code() {
        let h = keyed_hash(b"k", 1, Purpose::Enroll, "123456");
        assert_eq!(h.len(), 64);
        assert_ne!(h, keyed_hash(b"other", 1, Purpose::Enroll, "123456"));
        assert_ne!(h, keyed_hash(b"k", 2, Purpose::Enroll, "123456"));
        assert_ne!(h, keyed_hash(b"k", 1, Purpose::Reset, "123456"));
        assert_ne!(h, keyed_hash(b"k", 1, Purpose::Enroll, "123457"));
    }
}
