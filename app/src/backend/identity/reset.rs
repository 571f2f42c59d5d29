//! Forgot password (by a code to the phone on file) and change password (signed in,
//! with a fresh second factor). Both end every other session of the customer.
use super::codes::{self, Purpose};
use super::enroll::{code_error, hash_error, identify_and_send_code, password_error, PendingEnrollment};
use super::password::check_new_password;
use super::sessions;
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use sqlx::Row;

/// Step one: identify the customer (who must have online banking) and send a code.
pub async fn start(
    state: &AppState,
    customer_no: &str,
    id_tail: &str,
) -> Result<(PendingEnrollment, String), AppError> {
    let sent = identify_and_send_code(state, customer_no, id_tail, Purpose::Reset).await?;
    Ok((sent.pending, sent.masked_phone))
}

/// Step two: the code and a new password. Clears any lock and ends every session.
pub async fn finish(
    state: &AppState,
    pending: &PendingEnrollment,
    code: &str,
    new_password: &str,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let row = sqlx::query(
        "SELECT c.id, c.username, u.customer_no, u.phone FROM credentials c JOIN customers u ON u.id = c.principal_id \
         WHERE c.principal_kind = 'customer' AND c.principal_id = $1",
    )
    .bind(pending.customer_id)
    .fetch_one(state.db.pool())
    .await?;
    let credential_id: i64 = row.try_get("id")?;
    let personal: [String; 3] = [row.try_get("username")?, row.try_get("customer_no")?, row.try_get("phone")?];
    let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
    check_new_password(new_password, &personal).map_err(password_error)?;
    let hash = state.hasher.hash(new_password).await.map_err(hash_error)?;
    let mut tx = state.db.begin_write().await?;
    codes::redeem(&mut tx, &state.secret, pending.customer_id, Purpose::Reset, code, now).await.map_err(code_error)?;
    sqlx::query(
        "UPDATE credentials SET password_hash = $1, failed_attempts = 0, locked_until = NULL, updated_at = $2 \
         WHERE id = $3",
    )
    .bind(&hash)
    .bind(now.micros())
    .bind(credential_id)
    .execute(&mut *tx)
    .await?;
    notifications::notify(&mut tx, pending.customer_id, notifications::PASSWORD_RESET, "", now).await?;
    let event = AuditEvent {
        actor: Actor::Customer(pending.customer_id),
        customer_id: Some(pending.customer_id),
        event: "password_reset",
        detail: serde_json::json!({ "credential_id": credential_id }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    sessions::end_all_except(state, credential_id, None).await?;
    Ok(())
}

/// Change of password by a signed-in customer: the current password again, a new
/// one that passes the policy; every other session ends.
pub async fn change(
    state: &AppState,
    customer: crate::backend::auth::CustomerChange,
    current_session: Option<&str>,
    current_password: &str,
    new_password: &str,
    origin: &str,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let row = sqlx::query(
        "SELECT c.password_hash, c.username, u.customer_no, u.phone FROM credentials c \
         JOIN customers u ON u.id = c.principal_id WHERE c.id = $1",
    )
    .bind(customer.credential_id)
    .fetch_one(state.db.pool())
    .await?;
    let stored: String = row.try_get("password_hash")?;
    let verified = state.hasher.verify(current_password, Some(&stored)).await.map_err(hash_error)?;
    if !verified.matches {
        return Err(AppError { code: ErrorCode::InvalidCredentials, field: Some("current_password".into()) });
    }
    let personal: [String; 3] = [row.try_get("username")?, row.try_get("customer_no")?, row.try_get("phone")?];
    let personal: Vec<&str> = personal.iter().map(String::as_str).collect();
    check_new_password(new_password, &personal).map_err(password_error)?;
    let hash = state.hasher.hash(new_password).await.map_err(hash_error)?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE credentials SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(&hash)
        .bind(now.micros())
        .bind(customer.credential_id)
        .execute(&mut *tx)
        .await?;
    notifications::notify(&mut tx, customer.customer_id, notifications::PASSWORD_CHANGED, "", now).await?;
    let event = AuditEvent {
        actor: Actor::Customer(customer.customer_id),
        customer_id: Some(customer.customer_id),
        event: "password_changed",
        detail: serde_json::json!({ "credential_id": customer.credential_id }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    sessions::end_all_except(state, customer.credential_id, current_session).await?;
    Ok(())
}
