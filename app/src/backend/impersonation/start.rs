//! Starting a viewing: who may, on whom, and what is written when it starts.
use super::{events, settle_open, ALLOWED_ROLES};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::impersonation::MAX_MINUTES;
use crate::types::{AccessReason, TicketRef, Timestamp};
use sqlx::Row;

/// The notification kind the customer gets when a viewing starts.
pub const NOTICE_STARTED: &str = "staff_view_started";

/// What the staff member asked for.
pub struct StartRequest<'a> {
    pub staff: StaffActor,
    /// The staff session the viewing belongs to; it ends with it.
    pub staff_session_id: &'a str,
    /// When the staff session ends at the latest: the viewing never outlives it.
    pub staff_session_ends: Timestamp,
    /// A customer number; a staff number is recognised and refused.
    pub target: &'a str,
    pub reason: &'a AccessReason,
    pub reference: &'a TicketRef,
    pub origin: &'a str,
}

/// Starts a viewing and returns its id, or refuses with the reason the staff
/// member is told (and an audit row of the refusal).
pub async fn start(state: &AppState, request: &StartRequest<'_>) -> Result<i64, AppError> {
    let now = state.clock.now();
    let outcome = try_start(state, request, now).await;
    if let Err(err) = &outcome {
        if err.code != ErrorCode::Internal {
            let event = AuditEvent {
                actor: Actor::Staff(request.staff.staff_id),
                customer_id: target_customer_id(state, request.target).await.ok().flatten(),
                event: events::REFUSED,
                detail: serde_json::json!({ "refusal": err.code, "reference": request.reference.as_str() }),
                origin: request.origin,
            };
            audit::record_now(&state.db, now, &event).await?;
        }
    }
    outcome
}

async fn try_start(state: &AppState, request: &StartRequest<'_>, now: Timestamp) -> Result<i64, AppError> {
    if !ALLOWED_ROLES.contains(&request.staff.role) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    refuse_if_running(state, request.staff.staff_id, now, request.origin).await?;
    let customer = target(state, request.staff.staff_id, request.target, now).await?;
    let expires_at = now.plus_seconds(MAX_MINUTES * 60).min(request.staff_session_ends);
    let mut tx = state.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO impersonations (staff_id, customer_id, staff_session_id, reason, reference, started_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(request.staff.staff_id)
    .bind(customer)
    .bind(request.staff_session_id)
    .bind(request.reason.as_str())
    .bind(request.reference.as_str())
    .bind(now.micros())
    .bind(expires_at.micros())
    .fetch_one(&mut *tx)
    .await?;
    notifications::notify(&mut tx, customer, NOTICE_STARTED, request.reason.as_str(), now).await?;
    let event = AuditEvent {
        actor: Actor::Staff(request.staff.staff_id),
        customer_id: Some(customer),
        event: events::STARTED,
        detail: serde_json::json!({
            "impersonation_id": id,
            "reason": request.reason.as_str(),
            "reference": request.reference.as_str(),
            "expires_at": expires_at.micros(),
        }),
        origin: request.origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Never nested: a viewing still running (in this or another of the staff
/// member's sessions) refuses a second. Ones whose time is up, or whose staff
/// session is gone, are ended first ([`settle_open`]).
async fn refuse_if_running(state: &AppState, staff_id: i64, now: Timestamp, origin: &str) -> Result<(), AppError> {
    if settle_open(&state.db, Some(staff_id), now, origin).await? > 0 {
        return Err(AppError::new(ErrorCode::AlreadyImpersonating));
    }
    Ok(())
}

/// The customer to view, after every rule about whom: not staff (by staff number,
/// or a customer record that belongs to an employee), not oneself, not closed or
/// locked (by the bank or by failed log-ins), and only if the customer allows it.
pub async fn target(state: &AppState, staff_id: i64, wanted: &str, now: Timestamp) -> Result<i64, AppError> {
    let wanted = wanted.trim();
    let staff: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE UPPER(staff_no) = UPPER($1)")
        .bind(wanted)
        .fetch_optional(state.db.pool())
        .await?;
    if let Some(found) = staff {
        return Err(AppError::new(if found == staff_id { ErrorCode::TargetIsSelf } else { ErrorCode::TargetIsStaff }));
    }
    let row = sqlx::query(
        "SELECT c.id, c.status, c.allow_staff_view, c.staff_id, \
                (SELECT cr.locked_until FROM credentials cr WHERE cr.principal_kind = 'customer' \
                   AND cr.principal_id = c.id) AS locked_until \
         FROM customers c WHERE UPPER(c.customer_no) = UPPER($1)",
    )
    .bind(wanted)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    match row.try_get::<Option<i64>, _>("staff_id")? {
        Some(id) if id == staff_id => return Err(AppError::new(ErrorCode::TargetIsSelf)),
        Some(_) => return Err(AppError::new(ErrorCode::TargetIsStaff)),
        None => {}
    }
    let locked_out = row.try_get::<Option<i64>, _>("locked_until")?.is_some_and(|until| now.micros() < until);
    if row.try_get::<String, _>("status")? != "active" || locked_out {
        return Err(AppError::new(ErrorCode::CustomerUnavailable));
    }
    if row.try_get::<i64, _>("allow_staff_view")? == 0 {
        return Err(AppError::new(ErrorCode::StaffViewOff));
    }
    Ok(row.try_get("id")?)
}

async fn target_customer_id(state: &AppState, target: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM customers WHERE UPPER(customer_no) = UPPER($1)")
        .bind(target.trim())
        .fetch_optional(state.db.pool())
        .await
}

/// The start form's anti-forgery token: bound to the staff session (a keyed hash
/// of its id), so a page from another session, or another site, cannot supply it.
pub fn csrf_token(secret: &[u8], session_id: &str) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(b"impersonation-csrf");
    mac.update(session_id.as_bytes());
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is this session's token (compared in constant time).
pub fn csrf_matches(secret: &[u8], session_id: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = csrf_token(secret, session_id);
    !expected.is_empty() && expected.as_bytes().ct_eq(given.trim().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_are_per_session() {
        let a = csrf_token(b"secret", "session-a");
        assert_eq!(a.len(), 64);
        assert!(csrf_matches(b"secret", "session-a", &a));
        assert!(!csrf_matches(b"secret", "session-b", &a));
        assert!(!csrf_matches(b"other", "session-a", &a));
        assert!(!csrf_matches(b"secret", "session-a", ""));
    }
}
