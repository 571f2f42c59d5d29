//! Server functions of "view as customer": the start form's data, start, stop,
//! and the customer's side (whether staff may view, and who did).
//!
//! Starting is a POST with three proofs beyond the signed-in staff session: the
//! same-origin check every write gets (`server/src/http/csrf.rs`), this form's
//! anti-forgery token (bound to the staff session), and a fresh code from the staff
//! member's own authenticator.
use crate::error::{AppError, ErrorCode};
use crate::types::StaffAccess;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the start form needs: its token, whom it is about, and, when the rules
/// already say no, why (the form then explains instead of asking).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartForm {
    pub csrf: String,
    pub customer_no: String,
    pub customer_name: String,
    pub refusal: Option<ErrorCode>,
}

/// The customer's security-page section: the setting and the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccessPanel {
    pub allowed: bool,
    pub accesses: Vec<StaffAccess>,
}

#[server(prefix = "/api", endpoint = "impersonation_form")]
pub async fn impersonation_form(customer_no: String) -> Result<StartForm, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::impersonation::{csrf_token, target, ALLOWED_ROLES};
    use sqlx::Row;
    let ctx = RequestContext::current()?;
    let staff = ctx.staff_with_role(&ALLOWED_ROLES)?;
    let state = crate::backend::use_state()?;
    let session_id = ctx.session_id.as_deref().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    let row = sqlx::query("SELECT customer_no, full_name FROM customers WHERE UPPER(customer_no) = UPPER($1)")
        .bind(customer_no.trim())
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::new(ErrorCode::NotFound))?;
    // The start's own rules about whom (one place), asked ahead so the form can
    // explain instead of asking for a reason and a code first.
    let refusal = if ctx.impersonation.is_some() {
        Some(ErrorCode::AlreadyImpersonating)
    } else {
        match target(&state, staff.staff_id, &customer_no, ctx.now).await {
            Ok(_) => None,
            Err(err) if matches!(err.code, ErrorCode::Internal | ErrorCode::Unavailable) => return Err(err),
            Err(err) => Some(err.code),
        }
    };
    Ok(StartForm {
        csrf: csrf_token(&state.secret, session_id),
        customer_no: row.try_get("customer_no")?,
        customer_name: row.try_get("full_name")?,
        refusal,
    })
}

/// Starts viewing as the customer, then opens their overview.
#[server(prefix = "/api", endpoint = "impersonation_start")]
pub async fn impersonation_start(
    customer_no: String,
    reason: String,
    reference: String,
    code: String,
    #[server(default)] csrf: String,
) -> Result<(), AppError> {
    use crate::backend::auth::{RequestContext, SessionAuth, SESSION_KEY};
    use crate::backend::identity::login;
    use crate::backend::impersonation::{self, csrf_matches, StartRequest, ALLOWED_ROLES};
    use crate::types::{AccessReason, TicketRef};
    let ctx = RequestContext::current()?;
    let staff = ctx.staff_with_role(&ALLOWED_ROLES)?;
    let state = crate::backend::use_state()?;
    let auth = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    let session_id = ctx.session_id.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    if !csrf_matches(&state.secret, &session_id, &csrf) {
        tracing::warn!("view-as-customer start without this session's form token");
        return Err(AppError::new(ErrorCode::CsrfFailed));
    }
    let reason = AccessReason::new(&reason)?;
    let reference = TicketRef::new(&reference)?;
    if !login::confirm_step_up(&state, auth.credential_id, code.trim(), &ctx.origin).await? {
        return Err(AppError { code: ErrorCode::InvalidCode, field: Some("code".to_owned()) });
    }
    let request = StartRequest {
        staff,
        staff_session_id: &session_id,
        staff_session_ends: auth.created_at.plus_seconds(ctx.policy.absolute_seconds),
        target: &customer_no,
        reason: &reason,
        reference: &reference,
        origin: &ctx.origin,
    };
    let id = impersonation::start(&state, &request).await?;
    let session = super::identity::support::session()?;
    let viewing = SessionAuth { impersonation_id: Some(id), ..auth };
    session.insert(SESSION_KEY, &viewing).await.map_err(super::identity::support::session_error)?;
    leptos_axum::redirect("/accounts");
    Ok(())
}

/// Stops viewing and goes back to the customer's page in the console.
#[server(prefix = "/api", endpoint = "impersonation_stop")]
pub async fn impersonation_stop() -> Result<(), AppError> {
    use crate::backend::auth::{RequestContext, SessionAuth, SESSION_KEY};
    use crate::types::{EndReason, StaffRole};
    let ctx = RequestContext::current()?;
    ctx.staff_with_role(&StaffRole::ALL)?;
    let state = crate::backend::use_state()?;
    let auth = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    let back = ctx
        .impersonation
        .as_ref()
        .map_or_else(|| "/staff/home".to_owned(), |viewing| format!("/staff/customers/{}", viewing.customer_no));
    if let Some(id) = auth.impersonation_id {
        crate::backend::impersonation::end_viewing(&state.db, id, EndReason::Stopped, ctx.now, &ctx.origin).await?;
        let session = super::identity::support::session()?;
        let stopped = SessionAuth { impersonation_id: None, ..auth };
        session.insert(SESSION_KEY, &stopped).await.map_err(super::identity::support::session_error)?;
    }
    leptos_axum::redirect(&back);
    Ok(())
}

/// The customer's setting and who has viewed their account (newest first).
#[server(prefix = "/api", endpoint = "staff_access")]
pub async fn my_staff_access() -> Result<StaffAccessPanel, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_read()?;
    let state = crate::backend::use_state()?;
    let allowed: i64 = sqlx::query_scalar("SELECT allow_staff_view FROM customers WHERE id = $1")
        .bind(who.customer_id)
        .fetch_one(state.db.pool())
        .await?;
    let accesses =
        crate::backend::impersonation::history_for_customer(&state.db, state.zone, who.customer_id, ctx.now, 50)
            .await?;
    Ok(StaffAccessPanel { allowed: allowed == 1, accesses })
}

/// The customer turns staff viewing on ("1") or off ("0"). Turning it off also
/// ends a viewing that is running now.
#[server(prefix = "/api", endpoint = "staff_view_setting")]
pub async fn set_staff_view(allow: String) -> Result<(), AppError> {
    use crate::backend::audit::{self, AuditEvent};
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_change()?;
    let allow = match allow.as_str() {
        "1" => 1_i64,
        "0" => 0,
        _ => return Err(AppError::invalid("allow")),
    };
    let state = crate::backend::use_state()?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE customers SET allow_staff_view = $1 WHERE id = $2")
        .bind(allow)
        .bind(who.customer_id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent {
        actor: who.actor(),
        customer_id: Some(who.customer_id),
        event: "staff_view_setting_changed",
        detail: serde_json::json!({ "allow": allow == 1 }),
        origin: &ctx.origin,
    };
    audit::record(&mut tx, state.db.backend(), ctx.now, &event).await?;
    tx.commit().await?;
    leptos_axum::redirect("/security#staff-access");
    Ok(())
}
