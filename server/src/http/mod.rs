//! The HTTP surface: the router and the middleware around it.
mod api_status;
mod audit_export;
mod auth;
mod csrf;
mod export;
mod health;
mod ics;
mod insight_export;
mod locale;
mod plain;
pub mod rate_limit;
mod request_files;
mod request_id;
mod security_headers;

use app::backend::AppState;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The router's state: Leptos' options and the application's.
#[derive(Clone)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    /// Per-address limits on log-in and code sending; `None` only for load tests.
    pub rate_limiter: Option<rate_limit::RateLimiter>,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

impl FromRef<ServerState> for AppState {
    fn from_ref(state: &ServerState) -> Self {
        state.app.clone()
    }
}

/// The largest request body accepted: forms and server-function arguments are
/// small; a bigger body is refused before anything reads it.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Every route of the portal, with its middleware.
pub fn router(state: ServerState) -> Router {
    let routes = generate_route_list(app::App);
    let app_state = state.app.clone();
    let context = move || provide_context(app_state.clone());
    let shell = {
        let options = state.leptos.clone();
        move || app::shell(options.clone())
    };
    // Uploads have a larger limit of their own, so they sit outside the 64 KiB one.
    let files = Router::new()
        .route("/requests/{reference}/files", post(request_files::customer_upload))
        .route("/requests/{reference}/files/{id}", get(request_files::customer_download))
        .route("/staff/requests/{reference}/files", post(request_files::staff_upload))
        .route("/staff/requests/{reference}/files/{id}", get(request_files::staff_download))
        .route_layer(RequestBodyLimitLayer::new(request_files::MAX_UPLOAD_BODY))
        .route_layer(DefaultBodyLimit::max(request_files::MAX_UPLOAD_BODY));
    Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/locale", post(locale::switch))
        .route("/accounts/{id}/export.csv", get(export::csv))
        .route("/staff/audit.csv", get(audit_export::csv))
        .route("/staff/insight/export.csv", get(insight_export::csv))
        .route("/consultations/{reference}/calendar.ics", get(ics::calendar))
        .leptos_routes_with_context(&state, routes, context.clone(), shell)
        // Innermost: handlers see a body that stops at the limit.
        .route_layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .merge(files)
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(context, app::shell))
        .layer(
            // Outermost first: every request gets an id, then a log span carrying it.
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(request_id::assign))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_id::span)
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(axum::middleware::from_fn_with_state(!state.app.development, security_headers::add))
                .layer(axum::middleware::from_fn(csrf::same_origin_writes))
                .layer(axum::middleware::from_fn_with_state(state.rate_limiter.clone(), rate_limit::limit))
                .layer(auth::session_layer(&state.app))
                .layer(axum::middleware::from_fn_with_state(state.app.clone(), auth::resolve))
                .layer(CompressionLayer::new())
                // Inside compression: it reads the uncompressed error body.
                .layer(axum::middleware::from_fn(api_status::from_error_code)),
        )
        .with_state(state)
}
