//! Log-in: password, then (when enrolled, and always for staff) the second factor.
//!
//! Unknown user, wrong password and locked account give the same error and take
//! the same time: the password is always run through argon2 (against a dummy hash
//! when there is no such user), and the lock is checked only after that.
use super::enroll::hash_error;
use super::password::Verification;
use super::totp::{self, TotpSecret};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::{SessionAuth, Stage};
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{Principal, StaffRole, Timestamp};
use sqlx::Row;

/// Failures before the account starts to lock.
pub const FREE_ATTEMPTS: i64 = 5;
/// The first lock; each further failure after a lock doubles it, up to the cap.
pub const FIRST_LOCK_SECONDS: i64 = 60;
/// The longest lock. Tries during a lock are refused without counting, so an
/// attacker cannot extend it, and a password reset by SMS always clears it.
pub const MAX_LOCK_SECONDS: i64 = 15 * 60;

/// Which door the log-in came through: customers and staff have separate pages,
/// and a customer's credentials do not open the staff console nor the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Customer,
    Staff,
}

struct CredentialRow {
    id: i64,
    kind: String,
    principal_id: i64,
    password_hash: String,
    totp_secret: Option<String>,
}

async fn credential_by_id(state: &AppState, id: i64) -> Result<CredentialRow, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, principal_kind, principal_id, password_hash, totp_secret \
         FROM credentials WHERE id = $1",
    )
    .bind(id)
    .fetch_one(state.db.pool())
    .await?;
    credential_from_row(&row)
}

fn credential_from_row(r: &sqlx::any::AnyRow) -> Result<CredentialRow, sqlx::Error> {
    Ok(CredentialRow {
        id: r.try_get("id")?,
        kind: r.try_get("principal_kind")?,
        principal_id: r.try_get("principal_id")?,
        password_hash: r.try_get("password_hash")?,
        totp_secret: r.try_get("totp_secret")?,
    })
}

async fn credential_by_username(state: &AppState, username: &str) -> Result<Option<CredentialRow>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, principal_kind, principal_id, password_hash, totp_secret \
         FROM credentials WHERE username = $1",
    )
    .bind(username.trim().to_ascii_lowercase())
    .fetch_optional(state.db.pool())
    .await?;
    row.as_ref().map(credential_from_row).transpose()
}

/// The lock that follows the `failures`-th consecutive failure, if any.
pub fn lock_after(failures: i64) -> Option<i64> {
    (failures >= FREE_ATTEMPTS).then(|| {
        let doublings = u32::try_from((failures - FREE_ATTEMPTS).min(16)).unwrap_or(16);
        FIRST_LOCK_SECONDS.saturating_mul(1_i64 << doublings).min(MAX_LOCK_SECONDS)
    })
}

/// Checks the password. On success the session may be at `SecondFactorDue`.
pub async fn with_password(
    state: &AppState,
    door: Door,
    username: &str,
    password: &str,
    origin: &str,
) -> Result<SessionAuth, AppError> {
    let found = credential_by_username(state, username).await?;
    let verification = state.hasher.verify(password, found.as_ref().map(|c| c.password_hash.as_str())).await;
    let Verification { matches, needs_rehash } = verification.map_err(hash_error)?;
    let now = state.clock.now();
    let Some(cred) = found else {
        audit_failure(state, None, origin, "unknown_user", now).await?;
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    };
    let right_door = matches!((door, cred.kind.as_str()), (Door::Customer, "customer") | (Door::Staff, "staff"));
    // Decide on the row as it is now, not as it was before hashing (which may have
    // queued): concurrent wrong passwords must all count.
    let outcome = settle_attempt(state, &cred, matches && right_door, origin, "wrong_password").await?;
    if outcome != Attempt::Accepted {
        return Err(AppError::new(ErrorCode::InvalidCredentials));
    }
    let principal = principal_of(state, &cred).await?;
    if needs_rehash {
        rehash(state, cred.id, password).await;
    }
    let stage =
        if cred.totp_secret.is_some() || door == Door::Staff { Stage::SecondFactorDue } else { Stage::SignedIn };
    if stage == Stage::SignedIn {
        audit_success(state, &cred, principal, origin, now).await?;
    }
    Ok(SessionAuth {
        credential_id: cred.id,
        principal,
        stage,
        created_at: now,
        last_seen_at: now,
        step_up_at: None,
        impersonation_id: None,
    })
}

/// Upgrades the stored hash after the parameters were raised; a failure here is
/// logged and retried at the next log-in, never shown to the customer.
async fn rehash(state: &AppState, credential_id: i64, password: &str) {
    let Ok(hash) = state.hasher.hash(password).await else {
        return;
    };
    let result = sqlx::query("UPDATE credentials SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(credential_id)
        .execute(state.db.pool())
        .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, credential_id, "could not upgrade a password hash");
    }
}

async fn principal_of(state: &AppState, cred: &CredentialRow) -> Result<Principal, AppError> {
    if cred.kind == "customer" {
        return Ok(Principal::Customer { customer_id: cred.principal_id });
    }
    let role: String = sqlx::query_scalar("SELECT role FROM staff WHERE id = $1 AND status = 'active'")
        .bind(cred.principal_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::new(ErrorCode::InvalidCredentials))?;
    let role = StaffRole::parse(&role).ok_or(AppError::new(ErrorCode::Internal))?;
    Ok(Principal::Staff { staff_id: cred.principal_id, role })
}

/// What became of one password or second-factor attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attempt {
    Accepted,
    Refused,
    /// Refused without looking: the account is locked. Not counted, so a lock
    /// cannot be extended by knocking on it.
    Locked,
}

/// Reads the credential's counters under a lock (the write transaction on SQLite,
/// `FOR UPDATE` on PostgreSQL), then counts the attempt: a failure increments, the
/// fifth and later lock, a success resets. Audited in the same transaction.
async fn settle_attempt(
    state: &AppState,
    cred: &CredentialRow,
    correct: bool,
    origin: &str,
    reason: &str,
) -> Result<Attempt, AppError> {
    let now = state.clock.now();
    let lock_clause = match state.db.backend() {
        crate::backend::Backend::Postgres => " FOR UPDATE",
        crate::backend::Backend::Sqlite => "",
    };
    let mut tx = state.db.begin_write().await?;
    let row = sqlx::query(&format!("SELECT failed_attempts, locked_until FROM credentials WHERE id = $1{lock_clause}"))
        .bind(cred.id)
        .fetch_one(&mut *tx)
        .await?;
    let failed: i64 = row.try_get("failed_attempts")?;
    let locked_until: Option<i64> = row.try_get("locked_until")?;
    let outcome = if locked_until.is_some_and(|until| now.micros() < until) {
        let event = failure_event(cred, origin, "locked");
        audit::record(&mut tx, state.db.backend(), now, &event).await?;
        Attempt::Locked
    } else if correct {
        sqlx::query("UPDATE credentials SET failed_attempts = 0, locked_until = NULL, updated_at = $1 WHERE id = $2")
            .bind(now.micros())
            .bind(cred.id)
            .execute(&mut *tx)
            .await?;
        Attempt::Accepted
    } else {
        let failures = failed + 1;
        let lock = lock_after(failures).map(|seconds| now.plus_seconds(seconds).micros());
        sqlx::query("UPDATE credentials SET failed_attempts = $1, locked_until = $2, updated_at = $3 WHERE id = $4")
            .bind(failures)
            .bind(lock)
            .bind(now.micros())
            .bind(cred.id)
            .execute(&mut *tx)
            .await?;
        let event = failure_event(cred, origin, reason);
        audit::record(&mut tx, state.db.backend(), now, &event).await?;
        if lock.is_some() {
            let locked =
                AuditEvent { event: "account_locked", detail: serde_json::json!({ "failures": failures }), ..event };
            audit::record(&mut tx, state.db.backend(), now, &locked).await?;
        }
        Attempt::Refused
    };
    tx.commit().await?;
    Ok(outcome)
}

fn failure_event<'a>(cred: &CredentialRow, origin: &'a str, reason: &str) -> AuditEvent<'a> {
    let (actor, customer_id) = match cred.kind.as_str() {
        "customer" => (Actor::Customer(cred.principal_id), Some(cred.principal_id)),
        _ => (Actor::Staff(cred.principal_id), None),
    };
    AuditEvent { actor, customer_id, event: "login_failed", detail: serde_json::json!({ "reason": reason }), origin }
}

async fn audit_failure(
    state: &AppState,
    cred: Option<&CredentialRow>,
    origin: &str,
    reason: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let event = match cred {
        Some(cred) => failure_event(cred, origin, reason),
        None => AuditEvent {
            actor: Actor::Anonymous,
            customer_id: None,
            event: "login_failed",
            detail: serde_json::json!({ "reason": reason }),
            origin,
        },
    };
    audit::record_now(&state.db, now, &event).await?;
    Ok(())
}

async fn audit_success(
    state: &AppState,
    cred: &CredentialRow,
    principal: Principal,
    origin: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let (actor, customer_id) = match principal {
        Principal::Customer { customer_id } => (Actor::Customer(customer_id), Some(customer_id)),
        Principal::Staff { staff_id, .. } => (Actor::Staff(staff_id), None),
    };
    let event = AuditEvent {
        actor,
        customer_id,
        event: "login_succeeded",
        detail: serde_json::json!({ "credential_id": cred.id }),
        origin,
    };
    audit::record_now(&state.db, now, &event).await?;
    Ok(())
}

/// A step-up (a signed-in principal confirming the second factor again): wrong codes
/// count toward the same lock as wrong passwords, so a session cannot guess codes
/// for ever; while the credential is locked no code is accepted.
pub async fn confirm_step_up(state: &AppState, credential_id: i64, code: &str, origin: &str) -> Result<bool, AppError> {
    let cred = credential_by_id(state, credential_id).await?;
    let correct = check_totp(state, credential_id, code).await?;
    Ok(settle_attempt(state, &cred, correct, origin, "wrong_step_up_code").await? == Attempt::Accepted)
}

/// Checks a TOTP code for `credential_id` and remembers its time step, so the same
/// code is accepted once only. Returns false for a wrong or replayed code.
pub async fn check_totp(state: &AppState, credential_id: i64, code: &str) -> Result<bool, AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let row = sqlx::query("SELECT totp_secret, totp_last_step FROM credentials WHERE id = $1")
        .bind(credential_id)
        .fetch_one(&mut *tx)
        .await?;
    let secret: Option<String> = row.try_get("totp_secret")?;
    let last_step: Option<i64> = row.try_get("totp_last_step")?;
    let Some(secret) = secret.as_deref().and_then(TotpSecret::from_base32) else {
        return Ok(false);
    };
    let Some(step) = totp::verify(&secret, code, now, last_step) else {
        return Ok(false);
    };
    // Conditional on the step we read: two racing requests with one code cannot both win.
    let claimed = sqlx::query(
        "UPDATE credentials SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(credential_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(claimed.rows_affected() == 1)
}

/// Completes a log-in whose password was right with the second factor.
pub async fn with_second_factor(
    state: &AppState,
    pending: &SessionAuth,
    code: &str,
    origin: &str,
) -> Result<SessionAuth, AppError> {
    if pending.stage != Stage::SecondFactorDue {
        return Err(AppError::new(ErrorCode::Unauthenticated));
    }
    let now = state.clock.now();
    let cred = credential_by_id(state, pending.credential_id).await?;
    let accepted = check_totp(state, pending.credential_id, code).await?
        || use_recovery_code(state, pending.credential_id, pending.principal, code, origin).await?;
    // Wrong codes count toward the same lock as wrong passwords: a half-signed-in
    // session cannot guess codes for ever.
    if settle_attempt(state, &cred, accepted, origin, "wrong_second_factor").await? != Attempt::Accepted {
        return Err(AppError::new(ErrorCode::InvalidCode));
    }
    let event = AuditEvent {
        actor: actor_of(pending.principal),
        customer_id: customer_of(pending.principal),
        event: "login_succeeded",
        detail: serde_json::json!({ "credential_id": pending.credential_id, "second_factor": "totp" }),
        origin,
    };
    audit::record_now(&state.db, now, &event).await?;
    Ok(SessionAuth { stage: Stage::SignedIn, last_seen_at: now, step_up_at: Some(now), ..pending.clone() })
}

/// A recovery code instead of the authenticator (a lost phone): each code once.
async fn use_recovery_code(
    state: &AppState,
    credential_id: i64,
    principal: Principal,
    input: &str,
    origin: &str,
) -> Result<bool, AppError> {
    if totp::normalize_recovery_code(input).len() != totp::RECOVERY_CODE_LEN {
        return Ok(false);
    }
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let rows = sqlx::query("SELECT id, code_hash FROM recovery_codes WHERE credential_id = $1 AND used_at IS NULL")
        .bind(credential_id)
        .fetch_all(&mut *tx)
        .await?;
    let mut matched = None;
    for row in &rows {
        let hash: String = row.try_get("code_hash")?;
        if totp::recovery_code_matches(input, &hash) {
            matched = Some(row.try_get::<i64, _>("id")?);
        }
    }
    let Some(id) = matched else {
        return Ok(false);
    };
    sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now.micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let remaining = rows.len().saturating_sub(1);
    let event = AuditEvent {
        actor: actor_of(principal),
        customer_id: customer_of(principal),
        event: "recovery_code_used",
        detail: serde_json::json!({ "codes_remaining": remaining }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(true)
}

pub fn actor_of(principal: Principal) -> Actor {
    match principal {
        Principal::Customer { customer_id } => Actor::Customer(customer_id),
        Principal::Staff { staff_id, .. } => Actor::Staff(staff_id),
    }
}

pub fn customer_of(principal: Principal) -> Option<i64> {
    match principal {
        Principal::Customer { customer_id } => Some(customer_id),
        Principal::Staff { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_grow_then_cap() {
        assert_eq!(lock_after(4), None);
        assert_eq!(lock_after(5), Some(60));
        assert_eq!(lock_after(6), Some(120));
        assert_eq!(lock_after(9), Some(900));
        assert_eq!(lock_after(40), Some(MAX_LOCK_SECONDS));
    }
}
