//! Support actions staff take for a customer, each one a staff action in the audit
//! log (actor: the staff member; customer: the customer), never the customer's:
//!
//! - unlock the online-banking log-in locked after failed attempts;
//! - send a new enrollment code to the phone on file (the codes' one-a-minute
//!   throttle applies; refused once the customer is enrolled);
//! - reset the second factor after an identity check recorded in the form (how it
//!   was checked, and the ID number's last six as the customer gave them, which
//!   must match): the authenticator and recovery codes go, the customer's sessions
//!   end, an SMS goes to the phone on file and a notification to the customer;
//! - note a call.
//!
//! Each checks, changes and audits in one write transaction, so a refusal changes
//! nothing (except the audit row of a failed identity check, see
//! [`events::RESET_SECOND_FACTOR_REFUSED`]).
use super::customer::reachable;
use super::{audit_staff, events, notices};
use crate::api::console::{IdentityCheck, MAX_NOTE};
use crate::backend::auth::StaffActor;
use crate::backend::identity::codes::{self, Purpose};
use crate::backend::identity::enroll::code_error;
use crate::backend::{notifications, outbox, AppState, Backend};
use crate::error::{AppError, ErrorCode};
use crate::types::PlainText;
use serde_json::json;
use sqlx::{Any, Transaction};
use subtle::ConstantTimeEq;

/// The text sent when staff reset the second factor, in both languages.
const SECOND_FACTOR_RESET_SMS: &str =
    "【乡邮储蓄银行】应您的要求，柜员已在核实身份后关闭您的网银动态口令，所有登录已退出。\
     如非本人申请，请立即致电 95580。Village Post Savings Bank: at your request and after an identity check, \
     staff removed your online banking authenticator and signed you out everywhere. Not you? Call 95580 now.";

fn lock_clause(state: &AppState) -> &'static str {
    match state.db.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    }
}

/// The customer's online-banking credential, locked for the change: (id, failed
/// attempts, locked until, TOTP secret set).
async fn credential(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    customer_id: i64,
) -> Result<Option<(i64, i64, Option<i64>, bool)>, sqlx::Error> {
    let row: Option<(i64, i64, Option<i64>, Option<String>)> = sqlx::query_as(&format!(
        "SELECT id, failed_attempts, locked_until, totp_secret FROM credentials \
         WHERE principal_kind = 'customer' AND principal_id = $1{}",
        lock_clause(state)
    ))
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id, failed, until, secret)| (id, failed, until, secret.is_some())))
}

/// Unlocks a locked log-in; `wrong_state` when it is not locked (or there is none).
/// Returns the customer number.
pub async fn unlock(state: &AppState, actor: &StaffActor, customer_no: &str, origin: &str) -> Result<String, AppError> {
    let (customer_id, customer_no) = reachable(state, actor, customer_no).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let Some((credential_id, failed, locked_until, _)) = credential(&mut tx, state, customer_id).await? else {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("not_enrolled".into()) });
    };
    let Some(until) = locked_until.filter(|until| *until > now.micros()) else {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("not_locked".into()) });
    };
    sqlx::query("UPDATE credentials SET failed_attempts = 0, locked_until = NULL, updated_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(credential_id)
        .execute(&mut *tx)
        .await?;
    let detail = json!({ "credential_id": credential_id, "failed_attempts": failed, "locked_until": until });
    audit_staff(&mut tx, state, actor, Some(customer_id), events::UNLOCKED_CREDENTIAL, detail, origin).await?;
    tx.commit().await?;
    Ok(customer_no)
}

/// Sends a new enrollment code to the phone on file: `already_enrolled` once the
/// customer has a log-in, `wrong_state` for a closed customer, `too_many_requests`
/// within a minute of the last code.
pub async fn resend_enrollment(
    state: &AppState,
    actor: &StaffActor,
    customer_no: &str,
    origin: &str,
) -> Result<String, AppError> {
    let (customer_id, customer_no) = reachable(state, actor, customer_no).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let (phone, status): (String, String) =
        sqlx::query_as(&format!("SELECT phone, status FROM customers WHERE id = $1{}", lock_clause(state)))
            .bind(customer_id)
            .fetch_one(&mut *tx)
            .await?;
    if credential(&mut tx, state, customer_id).await?.is_some() {
        return Err(AppError::new(ErrorCode::AlreadyEnrolled));
    }
    if status == "closed" {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("closed".into()) });
    }
    codes::send(&mut tx, &state.secret, customer_id, &phone, Purpose::Enroll, now).await.map_err(code_error)?;
    let detail = json!({ "purpose": Purpose::Enroll.as_str(), "to": outbox::mask_phone(&phone) });
    audit_staff(&mut tx, state, actor, Some(customer_id), events::RESENT_ENROLLMENT_CODE, detail, origin).await?;
    tx.commit().await?;
    Ok(customer_no)
}

/// Removes the second factor after an identity check. `id_tail` must match the ID
/// number's last six (else `no_match`: nothing changes but the audit row of the
/// failed check); `wrong_state` when there is no second factor to remove.
pub async fn reset_second_factor(
    state: &AppState,
    actor: &StaffActor,
    customer_no: &str,
    method: IdentityCheck,
    id_tail: &str,
    origin: &str,
) -> Result<String, AppError> {
    let typed: String = id_tail.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if typed.chars().count() != 6 {
        return Err(AppError::invalid("id_tail"));
    }
    let (customer_id, customer_no) = reachable(state, actor, customer_no).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let (phone, tail): (String, String) =
        sqlx::query_as(&format!("SELECT phone, id_number_tail FROM customers WHERE id = $1{}", lock_clause(state)))
            .bind(customer_id)
            .fetch_one(&mut *tx)
            .await?;
    let matches = bool::from(typed.as_bytes().ct_eq(tail.to_ascii_uppercase().as_bytes()));
    if !matches {
        // Only the refusal is kept (never the digits typed): repeated misses by one
        // staff member are what an auditor looks for.
        let detail = json!({ "method": method.as_str(), "result": "no_match" });
        audit_staff(&mut tx, state, actor, Some(customer_id), events::RESET_SECOND_FACTOR_REFUSED, detail, origin)
            .await?;
        tx.commit().await?;
        return Err(AppError::new(ErrorCode::NoMatch));
    }
    let Some((credential_id, _, _, true)) = credential(&mut tx, state, customer_id).await? else {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("no_second_factor".into()) });
    };
    sqlx::query("UPDATE credentials SET totp_secret = NULL, totp_last_step = NULL, updated_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(credential_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE credential_id = $1").bind(credential_id).execute(&mut *tx).await?;
    // The customer's sessions end with the change (as `identity::sessions::end`
    // does, inside this transaction): a session opened with the old factor does
    // not outlive it.
    let sessions: Vec<String> =
        sqlx::query_scalar("SELECT session_id FROM session_index WHERE credential_id = $1 AND ended_at IS NULL")
            .bind(credential_id)
            .fetch_all(&mut *tx)
            .await?;
    for session_id in &sessions {
        sqlx::query("UPDATE session_index SET ended_at = $1 WHERE session_id = $2 AND ended_at IS NULL")
            .bind(now.micros())
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&mut *tx).await?;
    }
    outbox::enqueue_sms(&mut tx, &phone, SECOND_FACTOR_RESET_SMS, now).await?;
    notifications::notify(&mut tx, customer_id, notices::SECOND_FACTOR_RESET_BY_STAFF, "", now).await?;
    let detail = json!({ "credential_id": credential_id, "method": method.as_str(), "sessions_ended": sessions.len() });
    audit_staff(&mut tx, state, actor, Some(customer_id), events::RESET_SECOND_FACTOR, detail, origin).await?;
    tx.commit().await?;
    Ok(customer_no)
}

/// Keeps a note of a call (or visit) with the customer.
pub async fn note_call(
    state: &AppState,
    actor: &StaffActor,
    customer_no: &str,
    body: &str,
    origin: &str,
) -> Result<String, AppError> {
    let body = PlainText::new(body, MAX_NOTE, "body")?;
    let (customer_id, customer_no) = reachable(state, actor, customer_no).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let note_id: i64 = sqlx::query_scalar(
        "INSERT INTO customer_call_notes (customer_id, staff_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(customer_id)
    .bind(actor.staff_id)
    .bind(body.as_str())
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    let detail = json!({ "note_id": note_id, "length": body.as_str().chars().count() });
    audit_staff(&mut tx, state, actor, Some(customer_id), events::NOTED_CALL, detail, origin).await?;
    tx.commit().await?;
    Ok(customer_no)
}
