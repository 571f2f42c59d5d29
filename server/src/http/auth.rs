//! Sessions (tower-sessions over the database) and the resolution of each request's
//! principal into an `app::backend::auth::RequestContext`, before any handler runs.
use app::backend::auth::{RequestContext, SessionAuth, SESSION_KEY};
use app::backend::identity::sessions::{self, TOUCH_EVERY_SECONDS};
use app::backend::session_store::DbSessionStore;
use app::backend::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
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
    request.extensions_mut().insert(RequestContext { auth, session_id, origin, user_agent, now, policy: state.policy });
    next.run(request).await
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
