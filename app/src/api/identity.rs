//! Server functions of identity: enrollment, log-in, second factor, log-out,
//! sessions and security events. Each works from a plain HTML form (no WASM): on
//! success it redirects; on failure Leptos redirects back with the error in the URL.
use crate::error::AppError;
use crate::types::{Me, OutboxView, SecurityEvent, SessionInfo, TotpSetup};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub(crate) mod support {
    use crate::backend::auth::{RequestContext, SessionAuth, SESSION_KEY};
    use crate::backend::{identity::sessions, AppState};
    use crate::error::{AppError, ErrorCode};
    use tower_sessions::Session;

    pub fn session() -> Result<Session, AppError> {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Session>().cloned())
            .ok_or_else(|| {
                tracing::error!("no session layer in front of the server functions");
                AppError::new(ErrorCode::Internal)
            })
    }

    pub fn session_error(err: tower_sessions::session::Error) -> AppError {
        tracing::error!(error = %err, "session store failure");
        AppError::new(ErrorCode::Unavailable)
    }

    /// Starts a signed-in (or half signed-in) session under a NEW id: the old id,
    /// which an attacker may have planted, stops working (session fixation).
    pub async fn begin(state: &AppState, ctx: &RequestContext, auth: &SessionAuth) -> Result<(), AppError> {
        let session = session()?;
        session.cycle_id().await.map_err(session_error)?;
        session.insert(SESSION_KEY, auth).await.map_err(session_error)?;
        session.save().await.map_err(session_error)?;
        if let Some(id) = session.id() {
            sessions::opened(state, &id.to_string(), auth.credential_id, &ctx.user_agent, &ctx.origin).await?;
        }
        if auth.stage == crate::backend::auth::Stage::SignedIn {
            let customer = crate::backend::identity::login::customer_of(auth.principal);
            sessions::note_device(state, auth.credential_id, customer, &ctx.user_agent, &ctx.origin).await?;
        }
        Ok(())
    }

    /// Moves a session to a higher privilege (second factor done) under a new id.
    pub async fn upgrade(state: &AppState, ctx: &RequestContext, auth: &SessionAuth) -> Result<(), AppError> {
        if let Some(old) = &ctx.session_id {
            sessions::end(state, old).await?;
        }
        begin(state, ctx, auth).await
    }

    pub fn redirect(path: &str) {
        leptos_axum::redirect(path);
    }
}

/// Who is signed in, for the page header; `None` when nobody is.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    use crate::backend::auth::{RequestContext, Stage};
    use crate::types::Principal;
    let ctx = RequestContext::current()?;
    let Some(auth) = ctx.auth.as_ref().filter(|a| a.stage == Stage::SignedIn) else {
        return Ok(None);
    };
    let state = crate::backend::use_state()?;
    let (display_name, unread) = match auth.principal {
        Principal::Customer { customer_id } => {
            let name: String = sqlx::query_scalar("SELECT full_name FROM customers WHERE id = $1")
                .bind(customer_id)
                .fetch_one(state.db.pool())
                .await?;
            let unread: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND read_at IS NULL")
                    .bind(customer_id)
                    .fetch_one(state.db.pool())
                    .await?;
            (name, unread)
        }
        Principal::Staff { staff_id, .. } => {
            let name: String = sqlx::query_scalar("SELECT full_name FROM staff WHERE id = $1")
                .bind(staff_id)
                .fetch_one(state.db.pool())
                .await?;
            (name, 0)
        }
    };
    let expires = auth.expires_at(&ctx.policy);
    Ok(Some(Me {
        principal: auth.principal,
        display_name,
        idle_expires_at: expires,
        seconds_left: (expires.micros() - ctx.now.micros()) / 1_000_000,
        unread_notifications: unread,
        impersonating: ctx.impersonation.as_ref().map(|viewing| crate::types::ImpersonationBanner {
            id: viewing.id,
            customer_no: viewing.customer_no.clone(),
            customer_name: viewing.customer_name.clone(),
            mode: viewing.mode,
            reason: viewing.reason.clone(),
            reference: viewing.reference.clone(),
            ends_at: viewing.expires_at,
            seconds_left: (viewing.expires_at.micros() - ctx.now.micros()).max(0) / 1_000_000,
            ends_local: crate::backend::local_time(state.zone, viewing.expires_at)
                .get(11..)
                .unwrap_or_default()
                .to_owned(),
        }),
    }))
}

/// Customer log-in with username and password.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    log_in_at(crate::backend::identity::login::Door::Customer, &username, &password).await
}

/// Staff log-in with staff number and password; the second factor always follows.
#[server(prefix = "/api", endpoint = "staff_login")]
pub async fn staff_login(username: String, password: String) -> Result<(), AppError> {
    log_in_at(crate::backend::identity::login::Door::Staff, &username, &password).await
}

#[cfg(feature = "ssr")]
async fn log_in_at(
    door: crate::backend::identity::login::Door,
    username: &str,
    password: &str,
) -> Result<(), AppError> {
    use crate::backend::auth::{RequestContext, Stage};
    use crate::backend::identity::{login, second_factor};
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let auth = login::with_password(&state, door, username, password, &ctx.origin).await?;
    support::begin(&state, &ctx, &auth).await?;
    let next = match (auth.stage, door) {
        (Stage::SignedIn, _) => "/accounts",
        (Stage::SecondFactorDue, login::Door::Customer) => "/login/verify",
        (Stage::SecondFactorDue, login::Door::Staff) => {
            if second_factor::is_enrolled(&state, auth.credential_id).await? {
                "/staff/verify"
            } else {
                "/staff/setup"
            }
        }
    };
    support::redirect(next);
    Ok(())
}

/// The second step of a log-in: a code from the authenticator app.
#[server(prefix = "/api", endpoint = "verify")]
pub async fn verify_second_factor(code: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::login;
    use crate::error::ErrorCode;
    use crate::types::Principal;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let pending = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    let auth = login::with_second_factor(&state, &pending, &code, &ctx.origin).await?;
    support::upgrade(&state, &ctx, &auth).await?;
    support::redirect(match auth.principal {
        Principal::Customer { .. } => "/accounts",
        Principal::Staff { .. } => "/staff/home",
    });
    Ok(())
}

/// Ends the session on the server (not just the cookie).
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::audit::{self, AuditEvent};
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::{login, sessions};
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    if let (Some(auth), Some(id)) = (&ctx.auth, &ctx.session_id) {
        sessions::end(&state, id).await?;
        if let Some(viewing) = auth.impersonation_id {
            use crate::types::EndReason;
            crate::backend::impersonation::end_viewing(&state.db, viewing, EndReason::LoggedOut, ctx.now, &ctx.origin)
                .await?;
        }
        let event = AuditEvent {
            actor: login::actor_of(auth.principal),
            customer_id: login::customer_of(auth.principal),
            event: "logged_out",
            detail: serde_json::json!({}),
            origin: &ctx.origin,
        };
        audit::record_now(&state.db, ctx.now, &event).await?;
    }
    support::session()?.flush().await.map_err(support::session_error)?;
    support::redirect("/");
    Ok(())
}

/// Enrollment, step one: customer number and ID tail; a code goes to the phone.
#[server(prefix = "/api", endpoint = "enroll_start")]
pub async fn start_enrollment(customer_no: String, id_tail: String) -> Result<(), AppError> {
    use crate::backend::identity::enroll;
    let state = crate::backend::use_state()?;
    let sent = enroll::start(&state, &customer_no, &id_tail).await?;
    let session = support::session()?;
    session.insert(ENROLL_KEY, (&sent.pending, &sent.masked_phone)).await.map_err(support::session_error)?;
    support::redirect("/enroll/verify");
    Ok(())
}

#[cfg(feature = "ssr")]
const ENROLL_KEY: &str = "enroll";

/// Where the enrollment code went ("138****5678"), if an enrollment is under way.
#[server(prefix = "/api", endpoint = "enroll_status")]
pub async fn enrollment_status() -> Result<Option<String>, AppError> {
    use crate::backend::identity::enroll::PendingEnrollment;
    let session = support::session()?;
    let pending: Option<(PendingEnrollment, String)> = session.get(ENROLL_KEY).await.map_err(support::session_error)?;
    Ok(pending.map(|(_, phone)| phone))
}

/// Enrollment, step two: the code, a username and a password.
#[server(prefix = "/api", endpoint = "enroll_finish")]
pub async fn finish_enrollment(code: String, username: String, password: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::enroll::{self, NewLogin, PendingEnrollment};
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let session = support::session()?;
    let pending: Option<(PendingEnrollment, String)> = session.get(ENROLL_KEY).await.map_err(support::session_error)?;
    let (pending, _) = pending.ok_or(AppError::new(ErrorCode::InvalidCode))?;
    let new = NewLogin { code: &code, username: &username, password: &password, origin: &ctx.origin };
    enroll::finish(&state, &pending, new).await?;
    session.remove_value(ENROLL_KEY).await.map_err(support::session_error)?;
    support::redirect("/login?enrolled=1");
    Ok(())
}

/// Development only: the latest messages, so a tester can read codes.
#[server(prefix = "/api", endpoint = "dev_outbox")]
pub async fn dev_outbox() -> Result<Vec<OutboxView>, AppError> {
    use crate::error::ErrorCode;
    let state = crate::backend::use_state()?;
    if !state.development {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    let messages = crate::backend::outbox::recent(&state.db, 20).await?;
    Ok(messages
        .into_iter()
        .map(|m| OutboxView { id: m.id, recipient: m.recipient, body: m.body, created_at: m.created_at })
        .collect())
}

#[cfg(feature = "ssr")]
const TOTP_PENDING_KEY: &str = "totp_pending";
#[cfg(feature = "ssr")]
const RECOVERY_ONCE_KEY: &str = "recovery_codes_once";

/// Second factor set-up, step one: makes a new secret and keeps it in the session
/// until confirmed. Allowed when signed in without a second factor, and for staff
/// between password and console; replacing one needs a fresh step-up.
#[server(prefix = "/api", endpoint = "totp_begin")]
pub async fn begin_totp_setup() -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::{second_factor, totp::TotpSecret};
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    ctx.not_viewing()?;
    let auth = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    if second_factor::is_enrolled(&state, auth.credential_id).await? {
        ctx.customer_for_sensitive_change()?;
    }
    let session = support::session()?;
    session.insert(TOTP_PENDING_KEY, TotpSecret::generate().to_base32()).await.map_err(support::session_error)?;
    Ok(())
}

/// What the authenticator panel shows: one request, so the page never waits on
/// several (and a slow network pays one round trip).
#[server(prefix = "/api", endpoint = "authenticator_panel")]
pub async fn authenticator_panel() -> Result<crate::types::TotpPanel, AppError> {
    use crate::backend::identity::second_factor;
    use crate::types::TotpPanel;
    let ctx = crate::backend::auth::RequestContext::current()?;
    let state = crate::backend::use_state()?;
    if ctx.impersonation.is_some() {
        // Viewing as a customer: their authenticator's state, never the viewer's own
        // set-up or recovery codes kept in this session.
        let credential = ctx.credential_for_read()?;
        return Ok(if second_factor::is_enrolled(&state, credential).await? { TotpPanel::On } else { TotpPanel::Off });
    }
    if let Some(codes) = fresh_recovery_codes().await? {
        return Ok(TotpPanel::RecoveryCodes(codes));
    }
    if let Some(setup) = pending_totp_setup().await? {
        return Ok(TotpPanel::Pending(setup));
    }
    let auth = ctx.auth.as_ref().ok_or(AppError::new(crate::error::ErrorCode::Unauthenticated))?;
    Ok(if second_factor::is_enrolled(&state, auth.credential_id).await? { TotpPanel::On } else { TotpPanel::Off })
}

/// The set-up under way, if any: the secret to type and the QR code to scan.
#[server(prefix = "/api", endpoint = "totp_pending")]
pub async fn pending_totp_setup() -> Result<Option<TotpSetup>, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::{second_factor, totp::TotpSecret};
    use crate::error::ErrorCode;
    use crate::i18n::Key;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let auth = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    if ctx.impersonation.is_some() {
        return Ok(None);
    }
    let pending: Option<String> = support::session()?.get(TOTP_PENDING_KEY).await.map_err(support::session_error)?;
    let Some(secret) = pending.as_deref().and_then(TotpSecret::from_base32) else {
        return Ok(None);
    };
    let username: String = sqlx::query_scalar("SELECT username FROM credentials WHERE id = $1")
        .bind(auth.credential_id)
        .fetch_one(state.db.pool())
        .await?;
    let title = crate::i18n::initial_locale().text(Key::TotpQrTitle);
    Ok(Some(second_factor::describe(&secret, &username, title)?))
}

/// Second factor set-up, step two: a code proves the app has the secret. The ten
/// recovery codes are kept in the session to be shown once.
#[server(prefix = "/api", endpoint = "totp_confirm")]
pub async fn confirm_totp_setup(code: String) -> Result<(), AppError> {
    use crate::backend::auth::{RequestContext, SessionAuth, Stage};
    use crate::backend::identity::{second_factor, totp::TotpSecret};
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    ctx.not_viewing()?;
    let auth = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    // The same rule as at the start, checked again here: another session may have
    // set up an authenticator in between, and replacing one needs a fresh step-up.
    if second_factor::is_enrolled(&state, auth.credential_id).await? {
        ctx.customer_for_sensitive_change()?;
    }
    let session = support::session()?;
    let pending: Option<String> = session.get(TOTP_PENDING_KEY).await.map_err(support::session_error)?;
    let secret = pending.as_deref().and_then(TotpSecret::from_base32).ok_or(AppError::new(ErrorCode::InvalidCode))?;
    let codes = second_factor::confirm(&state, auth.credential_id, auth.principal, &secret, &code, &ctx.origin).await?;
    let finishing_login = auth.stage == Stage::SecondFactorDue;
    let upgraded = SessionAuth { stage: Stage::SignedIn, step_up_at: Some(state.clock.now()), ..auth };
    support::upgrade(&state, &ctx, &upgraded).await?;
    // Sessions opened with the password alone end: from now on it takes both.
    let current = support::session()?.id().map(|id| id.to_string());
    crate::backend::identity::sessions::end_all_except(&state, upgraded.credential_id, current.as_deref()).await?;
    if finishing_login {
        use crate::backend::audit::{self, AuditEvent};
        use crate::backend::identity::login;
        let event = AuditEvent {
            actor: login::actor_of(upgraded.principal),
            customer_id: login::customer_of(upgraded.principal),
            event: "login_succeeded",
            detail: serde_json::json!({ "credential_id": upgraded.credential_id, "second_factor": "totp_setup" }),
            origin: &ctx.origin,
        };
        audit::record_now(&state.db, ctx.now, &event).await?;
    }
    let session = support::session()?;
    session.remove_value(TOTP_PENDING_KEY).await.map_err(support::session_error)?;
    session.insert(RECOVERY_ONCE_KEY, &codes).await.map_err(support::session_error)?;
    Ok(())
}

/// The recovery codes just made, until the customer says they are saved.
#[server(prefix = "/api", endpoint = "recovery_codes")]
pub async fn fresh_recovery_codes() -> Result<Option<Vec<String>>, AppError> {
    if crate::backend::auth::RequestContext::current()?.impersonation.is_some() {
        return Ok(None);
    }
    support::session()?.get(RECOVERY_ONCE_KEY).await.map_err(support::session_error)
}

/// "I have saved them": forgets the recovery codes and goes on.
#[server(prefix = "/api", endpoint = "recovery_codes_saved")]
pub async fn recovery_codes_saved() -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    use crate::types::Principal;
    let ctx = RequestContext::current()?;
    ctx.not_viewing()?;
    support::session()?.remove_value(RECOVERY_ONCE_KEY).await.map_err(support::session_error)?;
    support::redirect(match ctx.auth.map(|a| a.principal) {
        Some(Principal::Staff { .. }) => "/staff/home",
        _ => "/security",
    });
    Ok(())
}

/// The signed-in principal's live sessions.
#[server(prefix = "/api", endpoint = "sessions")]
pub async fn my_sessions() -> Result<Vec<SessionInfo>, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let credential = ctx.credential_for_read()?;
    Ok(crate::backend::identity::sessions::list(&state, credential, ctx.session_id.as_deref()).await?)
}

/// Ends one of the principal's own sessions.
#[server(prefix = "/api", endpoint = "end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let credential = ctx.credential_for_change()?;
    if !crate::backend::identity::sessions::end_by_handle(&state, credential, &handle).await? {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    audit_session_end(&state, &ctx, "ended_by_owner").await?;
    support::redirect("/security");
    Ok(())
}

/// Ends every session of the principal but this one.
#[server(prefix = "/api", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let credential = ctx.credential_for_change()?;
    crate::backend::identity::sessions::end_all_except(&state, credential, ctx.session_id.as_deref()).await?;
    audit_session_end(&state, &ctx, "others_ended_by_owner").await?;
    support::redirect("/security");
    Ok(())
}

#[cfg(feature = "ssr")]
async fn audit_session_end(
    state: &crate::backend::AppState,
    ctx: &crate::backend::auth::RequestContext,
    reason: &str,
) -> Result<(), AppError> {
    use crate::backend::audit::{self, AuditEvent};
    use crate::backend::identity::login;
    if let Some(auth) = &ctx.auth {
        let event = AuditEvent {
            actor: login::actor_of(auth.principal),
            customer_id: login::customer_of(auth.principal),
            event: "session_ended",
            detail: serde_json::json!({ "reason": reason }),
            origin: &ctx.origin,
        };
        audit::record_now(&state.db, ctx.now, &event).await?;
    }
    Ok(())
}

/// The customer's own recent security events.
#[server(prefix = "/api", endpoint = "security_events")]
pub async fn my_security_events() -> Result<Vec<SecurityEvent>, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let customer = ctx.customer_for_read()?;
    let entries = crate::backend::audit::events_for_customer(&state.db, customer.customer_id, 20).await?;
    Ok(entries
        .into_iter()
        .map(|e| SecurityEvent {
            at: e.at,
            at_local: crate::backend::local_time(state.zone, e.at),
            event: e.event,
            origin: e.origin,
        })
        .collect())
}

#[cfg(feature = "ssr")]
const RESET_KEY: &str = "reset";

/// Forgot password, step one: customer number and ID tail; a code goes to the phone.
#[server(prefix = "/api", endpoint = "reset_start")]
pub async fn start_reset(customer_no: String, id_tail: String) -> Result<(), AppError> {
    let state = crate::backend::use_state()?;
    let pending = crate::backend::identity::reset::start(&state, &customer_no, &id_tail).await?;
    support::session()?.insert(RESET_KEY, &pending).await.map_err(support::session_error)?;
    support::redirect("/forgot/verify");
    Ok(())
}

/// Where the reset code went, if a reset is under way.
#[server(prefix = "/api", endpoint = "reset_status")]
pub async fn reset_status() -> Result<Option<String>, AppError> {
    use crate::backend::identity::enroll::PendingEnrollment;
    let pending: Option<(PendingEnrollment, String)> =
        support::session()?.get(RESET_KEY).await.map_err(support::session_error)?;
    Ok(pending.map(|(_, phone)| phone))
}

/// Forgot password, step two: the code and a new password; every session ends.
#[server(prefix = "/api", endpoint = "reset_finish")]
pub async fn finish_reset(code: String, password: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::enroll::PendingEnrollment;
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let session = support::session()?;
    let pending: Option<(PendingEnrollment, String)> = session.get(RESET_KEY).await.map_err(support::session_error)?;
    let (pending, _) = pending.ok_or(AppError::new(ErrorCode::InvalidCode))?;
    if ctx.now >= pending.started_at.plus_seconds(crate::backend::identity::codes::CODE_TTL_SECONDS) {
        return Err(AppError::new(ErrorCode::InvalidCode));
    }
    crate::backend::identity::reset::finish(&state, &pending, &code, &password, &ctx.origin).await?;
    session.flush().await.map_err(support::session_error)?;
    support::redirect("/login?reset=1");
    Ok(())
}

/// Step-up: confirms the second factor again, for the next five minutes of
/// sensitive changes.
#[server(prefix = "/api", endpoint = "step_up")]
pub async fn step_up(step_up_code: String) -> Result<(), AppError> {
    use crate::backend::auth::{RequestContext, SessionAuth, SESSION_KEY};
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    ctx.customer_for_change()?;
    let auth = ctx.auth.clone().ok_or(AppError::new(ErrorCode::Unauthenticated))?;
    if !crate::backend::identity::login::confirm_step_up(&state, auth.credential_id, &step_up_code, &ctx.origin).await?
    {
        return Err(AppError::new(ErrorCode::InvalidCode));
    }
    let confirmed = SessionAuth { step_up_at: Some(ctx.now), ..auth };
    support::session()?.insert(SESSION_KEY, &confirmed).await.map_err(support::session_error)?;
    Ok(())
}

/// Change of password: needs a fresh step-up and the current password.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let customer = ctx.customer_for_sensitive_change()?;
    crate::backend::identity::reset::change(
        &state,
        customer,
        ctx.session_id.as_deref(),
        &current_password,
        &new_password,
        &ctx.origin,
    )
    .await?;
    support::redirect("/security?changed=1");
    Ok(())
}

/// The customer's notifications, newest first.
#[server(prefix = "/api", endpoint = "notifications")]
pub async fn my_notifications() -> Result<Vec<crate::types::Notification>, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let customer = ctx.customer_for_read()?;
    Ok(crate::backend::notifications::list(&state, customer.customer_id, 50).await?)
}

/// Marks every notification read.
#[server(prefix = "/api", endpoint = "notifications_read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let customer = ctx.customer_for_change()?;
    crate::backend::notifications::mark_all_read(&state, customer.customer_id).await?;
    Ok(())
}

/// "Stay signed in": any authenticated request counts as activity; this one does
/// nothing else.
#[server(prefix = "/api", endpoint = "keep_alive")]
pub async fn keep_alive() -> Result<i64, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    ctx.signed_in_credential()?;
    let auth = ctx.auth.as_ref().map(|a| a.expires_at(&ctx.policy)).unwrap_or(ctx.now);
    Ok((auth.micros() - ctx.now.micros()) / 1_000_000)
}
