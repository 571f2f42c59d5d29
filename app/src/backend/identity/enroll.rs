//! Activating online banking for a customer opened at the counter: prove who you
//! are with the customer number, the ID-number tail and a code sent to the phone
//! on file; then choose a username and password.
use super::codes::{self, CodeError, Purpose};
use super::password::{check_new_password, HashError, PasswordProblem};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::{outbox, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{Timestamp, Username};
use sqlx::Row;

/// The customer a successful first step identified; kept in the session until the
/// second step.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PendingEnrollment {
    pub customer_id: i64,
    pub started_at: Timestamp,
}

/// Where the code went, masked, for the page to say "sent to 138****5678".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeSent {
    pub pending: PendingEnrollment,
    pub masked_phone: String,
}

/// The customer with this customer number (or the number of one of their cards)
/// and ID tail, if both match. One answer for "no such customer" and "wrong tail",
/// so numbers cannot be probed.
pub(crate) async fn find_customer(
    state: &AppState,
    customer_no_or_card: &str,
    id_tail: &str,
) -> Result<(i64, String), AppError> {
    // A card number (16 to 19 digits, spaces allowed) or a customer number.
    let compact: String = customer_no_or_card.chars().filter(|c| !c.is_whitespace()).collect();
    let is_card = (16..=19).contains(&compact.len()) && compact.chars().all(|c| c.is_ascii_digit());
    let sql = if is_card {
        "SELECT u.id, u.phone, u.id_number_tail, u.status FROM customers u JOIN cards k ON k.customer_id = u.id \
         WHERE k.card_no = $1 AND k.status <> 'closed'"
    } else {
        "SELECT id, phone, id_number_tail, status FROM customers WHERE customer_no = $1"
    };
    let row = sqlx::query(sql).bind(compact.to_ascii_uppercase()).fetch_optional(state.db.pool()).await?;
    let matched = row.and_then(|row| {
        let tail: String = row.try_get("id_number_tail").ok()?;
        let status: String = row.try_get("status").ok()?;
        let given = id_tail.trim().to_ascii_uppercase();
        (tail.eq_ignore_ascii_case(&given) && status != "closed")
            .then(|| Some((row.try_get::<i64, _>("id").ok()?, row.try_get::<String, _>("phone").ok()?)))
            .flatten()
    });
    matched.ok_or(AppError::new(ErrorCode::NoMatch))
}

/// Identifies the customer and texts a code to the phone on file, if the customer
/// has online banking (`enrolled`) or has not (`!enrolled`), as the purpose needs.
pub(crate) async fn identify_and_send_code(
    state: &AppState,
    customer_no: &str,
    id_tail: &str,
    purpose: Purpose,
) -> Result<CodeSent, AppError> {
    let now = state.clock.now();
    let (customer_id, phone) = find_customer(state, customer_no, id_tail).await?;
    let mut tx = state.db.begin_write().await?;
    let enrolled: Option<i64> =
        sqlx::query_scalar("SELECT id FROM credentials WHERE principal_kind = 'customer' AND principal_id = $1")
            .bind(customer_id)
            .fetch_optional(&mut *tx)
            .await?;
    match (purpose, enrolled.is_some()) {
        (Purpose::Enroll, true) => return Err(AppError::new(ErrorCode::AlreadyEnrolled)),
        (Purpose::Reset, false) => return Err(AppError::new(ErrorCode::NoMatch)),
        _ => {}
    }
    codes::send(&mut tx, &state.secret, customer_id, &phone, purpose, now).await.map_err(code_error)?;
    tx.commit().await?;
    Ok(CodeSent {
        pending: PendingEnrollment { customer_id, started_at: now },
        masked_phone: outbox::mask_phone(&phone),
    })
}

/// Step one: identify the customer and send a code to the phone on file.
pub async fn start(state: &AppState, customer_no: &str, id_tail: &str) -> Result<CodeSent, AppError> {
    identify_and_send_code(state, customer_no, id_tail, Purpose::Enroll).await
}

/// The new log-in the customer chose.
pub struct NewLogin<'a> {
    pub code: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub origin: &'a str,
}

/// Step two: check the code, create the log-in. Nothing is written unless all of
/// it is valid.
pub async fn finish(state: &AppState, pending: &PendingEnrollment, new: NewLogin<'_>) -> Result<(), AppError> {
    let now = state.clock.now();
    if now >= pending.started_at.plus_seconds(codes::CODE_TTL_SECONDS) {
        return Err(AppError::new(ErrorCode::InvalidCode));
    }
    let username = Username::parse(new.username).map_err(|_| AppError::invalid("username"))?;
    let (customer_no, phone): (String, String) =
        sqlx::query_as("SELECT customer_no, phone FROM customers WHERE id = $1")
            .bind(pending.customer_id)
            .fetch_one(state.db.pool())
            .await?;
    check_new_password(new.password, &[username.as_str(), &customer_no, &phone]).map_err(password_error)?;
    let hash = state.hasher.hash(new.password).await.map_err(hash_error)?;

    let mut tx = state.db.begin_write().await?;
    codes::redeem(&mut tx, &state.secret, pending.customer_id, Purpose::Enroll, new.code, now)
        .await
        .map_err(code_error)?;
    // The attempt is counted even when what follows fails.
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM credentials WHERE username = $1")
        .bind(username.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let enrolled: Option<i64> =
        sqlx::query_scalar("SELECT id FROM credentials WHERE principal_kind = 'customer' AND principal_id = $1")
            .bind(pending.customer_id)
            .fetch_optional(&mut *tx)
            .await?;
    let problem = if enrolled.is_some() {
        Some(ErrorCode::AlreadyEnrolled)
    } else if taken.is_some() {
        Some(ErrorCode::UsernameTaken)
    } else {
        None
    };
    if let Some(code) = problem {
        // Keep the burnt attempt, give the code back: the customer may retry with
        // another username without waiting for a new SMS.
        sqlx::query(
            "UPDATE verification_codes SET consumed_at = NULL WHERE customer_id = $1 AND purpose = 'enroll' \
             AND consumed_at = $2",
        )
        .bind(pending.customer_id)
        .bind(now.micros())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Err(AppError::new(code));
    }
    let credential_id: i64 = sqlx::query_scalar(
        "INSERT INTO credentials (principal_kind, principal_id, username, password_hash, created_at, updated_at) \
         VALUES ('customer', $1, $2, $3, $4, $4) RETURNING id",
    )
    .bind(pending.customer_id)
    .bind(username.as_str())
    .bind(&hash)
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    let event = AuditEvent {
        actor: Actor::Customer(pending.customer_id),
        customer_id: Some(pending.customer_id),
        event: "enrolled",
        detail: serde_json::json!({ "credential_id": credential_id }),
        origin: new.origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) fn code_error(err: CodeError) -> AppError {
    match err {
        CodeError::TooSoon => AppError::new(ErrorCode::TooManyRequests),
        CodeError::Invalid => AppError::new(ErrorCode::InvalidCode),
        CodeError::Database(e) => e.into(),
    }
}

pub(crate) fn password_error(problem: PasswordProblem) -> AppError {
    let code = match problem {
        PasswordProblem::TooShort => ErrorCode::PasswordTooShort,
        PasswordProblem::TooLong => ErrorCode::PasswordTooLong,
        PasswordProblem::TooCommon => ErrorCode::PasswordTooCommon,
        PasswordProblem::Personal => ErrorCode::PasswordPersonal,
    };
    AppError { code, field: Some("password".into()) }
}

pub(crate) fn hash_error(err: HashError) -> AppError {
    match err {
        HashError::Busy => AppError::new(ErrorCode::Busy),
        HashError::Internal => AppError::new(ErrorCode::Internal),
    }
}
