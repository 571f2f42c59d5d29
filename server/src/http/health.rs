//! Probes for the load balancer and the orchestrator.
use app::backend::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// `/healthz`: the process is alive and serving.
pub async fn alive() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers; take this instance out of rotation otherwise.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
