//! Sessions (tower-sessions over the database) and the resolution of each request's
//! principal into an `app::backend::auth::RequestContext`, before any handler runs.
use app::backend::auth::{Impersonation, RequestContext, SessionAuth, SESSION_KEY};
use app::backend::identity::sessions::{self, TOUCH_EVERY_SECONDS};
use app::backend::impersonation::{self, Check, RequestRecord};
use app::backend::session_store::DbSessionStore;
use app::backend::AppState;
use app::types::{EndReason, Principal, Timestamp};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session cookie: HttpOnly, SameSite=Strict, ends with the browser; in
/// production Secure and `__Host-` prefixed (bound to this exact origin).
pub fn session_layer(state: &AppState) -> SessionManagerLayer<DbSessionStore> {
    let production = !state.development;
    SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(if production { "__Host-portal_session" } else { "portal_session" })
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(production)
        .with_path("/")
        .with_expiry(Expiry::OnSessionEnd)
}

/// Loads the session's principal, ends it when idle or too old (by the injected
/// clock, so tests can move time), and records activity.
pub async fn resolve(State(state): State<AppState>, session: Session, mut request: Request, next: Next) -> Response {
    let now = state.clock.now();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    let origin = peer.map(sessions::origin_of).unwrap_or_default();
    let user_agent =
        request.headers().get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let session_id = session.id().map(|id| id.to_string());
    let mut auth: Option<SessionAuth> = match session.get(SESSION_KEY).await {
        Ok(auth) => auth,
        Err(err) => {
            tracing::warn!(error = %err, "unreadable session; treating as signed out");
            None
        }
    };
    if let Some(current) = auth.clone() {
        if current.is_expired(&state.policy, now) {
            if let Err(err) = expire(&state, &session, session_id.as_deref(), &current, &origin).await {
                tracing::warn!(error = %err, "could not end an expired session");
            }
            auth = None;
        } else if now >= current.last_seen_at.plus_seconds(TOUCH_EVERY_SECONDS) {
            let touched = SessionAuth { last_seen_at: now, ..current };
            if session.insert(SESSION_KEY, &touched).await.is_ok() {
                if let Some(id) = &session_id {
                    if let Err(err) = sessions::touched(&state, id, now).await {
                        tracing::warn!(error = %err, "could not record session activity");
                    }
                }
                auth = Some(touched);
            }
        }
    }
    let viewing = match auth.as_mut() {
        Some(current) => viewing_of(&state, &session, current, now, &origin).await,
        None => None,
    };
    let (method, route) = (request.method().to_string(), request.uri().path().to_owned());
    let context = RequestContext {
        auth,
        session_id,
        origin: origin.clone(),
        user_agent,
        now,
        policy: state.policy,
        impersonation: viewing.clone(),
        viewing_refused: Default::default(),
    };
    let refused = context.viewing_refused.clone();
    request.extensions_mut().insert(context);
    let mut response = next.run(request).await;
    if let Some(viewing) = viewing {
        let record = RequestRecord {
            method: &method,
            route: &route,
            status: response.status().as_u16(),
            refused: refused.load(std::sync::atomic::Ordering::Relaxed),
        };
        if let Err(err) = impersonation::record_request(&state.db, &viewing, &record, now, &origin).await {
            // The audit row is the condition of viewing: without it, no answer.
            tracing::error!(error = %err, "could not audit a request made while viewing as a customer");
            return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        if still_viewing(&session, viewing.id).await {
            mark_response(&mut response, &viewing, now);
        }
    }
    response
}

/// The viewing this staff session runs, checked against the database for this
/// request (ended there, timed out, role removed…). The session forgets one that
/// has ended. A database failure fails closed: no viewing, so no customer data.
async fn viewing_of(
    state: &AppState,
    session: &Session,
    auth: &mut SessionAuth,
    now: Timestamp,
    origin: &str,
) -> Option<Impersonation> {
    let (Principal::Staff { staff_id, .. }, Some(id)) = (auth.principal, auth.impersonation_id) else {
        return None;
    };
    match impersonation::check(state, staff_id, id, now, origin).await {
        Ok(Check::Running(viewing)) => Some(viewing),
        Ok(Check::Ended) => {
            auth.impersonation_id = None;
            if let Err(err) = session.insert(SESSION_KEY, &*auth).await {
                tracing::warn!(error = %err, "could not clear an ended viewing from the session");
            }
            None
        }
        Err(err) => {
            tracing::error!(error = %err, "could not check a viewing; treating it as not running");
            None
        }
    }
}

/// Whether the session still runs viewing `id` after the handler (a stop or a
/// log-out in this very request ends it).
async fn still_viewing(session: &Session, id: i64) -> bool {
    matches!(session.get::<SessionAuth>(SESSION_KEY).await, Ok(Some(auth)) if auth.impersonation_id == Some(id))
}

/// API answers carry the same state as the banner: whom, in which mode, until when.
fn mark_response(response: &mut Response, viewing: &Impersonation, now: Timestamp) {
    let seconds_left = (viewing.expires_at.micros() - now.micros()).max(0) / 1_000_000;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-impersonating-customer", viewing.customer_no.clone()),
        ("x-impersonation-mode", viewing.mode.as_str().to_owned()),
        ("x-impersonation-seconds-left", seconds_left.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

async fn expire(
    state: &AppState,
    session: &Session,
    session_id: Option<&str>,
    auth: &SessionAuth,
    origin: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    session.flush().await?;
    if let Some(id) = session_id {
        sessions::end(state, id).await?;
    }
    if let Some(viewing) = auth.impersonation_id {
        impersonation::end_viewing(&state.db, viewing, EndReason::SessionEnded, state.clock.now(), origin).await?;
    }
    let event = app::backend::audit::AuditEvent {
        actor: app::backend::identity::login::actor_of(auth.principal),
        customer_id: app::backend::identity::login::customer_of(auth.principal),
        event: "session_ended",
        detail: serde_json::json!({ "reason": "expired" }),
        origin,
    };
    app::backend::audit::record_now(&state.db, state.clock.now(), &event).await?;
    Ok(())
}
