//! Setting up the second factor (TOTP) and its recovery codes.
use super::login::{actor_of, customer_of};
use super::totp::{self, TotpSecret};
use crate::backend::audit::{self, AuditEvent};
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{Principal, TotpSetup};

/// The name authenticator apps show above the code.
const ISSUER: &str = "乡邮储蓄银行 Village Post";

/// How to show `secret` to the person setting it up: grouped text and a QR code.
pub fn describe(secret: &TotpSecret, account: &str, qr_title: &str) -> Result<TotpSetup, AppError> {
    let uri = totp::otpauth_uri(secret, ISSUER, account);
    let qr_svg = totp::qr_svg(&uri, qr_title).ok_or(AppError::new(ErrorCode::Internal))?;
    let plain = secret.to_base32();
    let grouped =
        plain.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ");
    Ok(TotpSetup { secret: grouped, qr_svg })
}

/// Stores the secret once `code` shows the app has it, with fresh recovery codes
/// (returned once, stored only hashed). The code's time step is remembered, so the
/// same code cannot then be used to log in.
pub async fn confirm(
    state: &AppState,
    credential_id: i64,
    principal: Principal,
    secret: &TotpSecret,
    code: &str,
    origin: &str,
) -> Result<Vec<String>, AppError> {
    let now = state.clock.now();
    let step = totp::verify(secret, code, now, None).ok_or(AppError::new(ErrorCode::InvalidCode))?;
    let codes = totp::generate_recovery_codes();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE credentials SET totp_secret = $1, totp_last_step = $2, updated_at = $3 WHERE id = $4")
        .bind(secret.to_base32())
        .bind(step)
        .bind(now.micros())
        .bind(credential_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE credential_id = $1").bind(credential_id).execute(&mut *tx).await?;
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (credential_id, code_hash) VALUES ($1, $2)")
            .bind(credential_id)
            .bind(totp::hash_recovery_code(code))
            .execute(&mut *tx)
            .await?;
    }
    let event = AuditEvent {
        actor: actor_of(principal),
        customer_id: customer_of(principal),
        event: "totp_enabled",
        detail: serde_json::json!({ "credential_id": credential_id }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Whether the credential has a second factor.
pub async fn is_enrolled(state: &AppState, credential_id: i64) -> Result<bool, AppError> {
    let secret: Option<String> = sqlx::query_scalar("SELECT totp_secret FROM credentials WHERE id = $1")
        .bind(credential_id)
        .fetch_one(state.db.pool())
        .await?;
    Ok(secret.is_some())
}
