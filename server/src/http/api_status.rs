//! Server-function errors carry the HTTP status of their code.
//!
//! Leptos answers every server-function error with 500 and the encoded `AppError`
//! as the body. Clients, proxies and monitoring deserve the real status (401 for
//! "log in first", 404, 429…), so this layer reads the stable code from such a
//! body and sets the status it stands for. Only `/api/` answers with a JSON body
//! are touched; the no-WASM form path answers with a redirect and is left alone.
use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are a few dozen bytes; anything bigger is not ours to read.
const MAX_ERROR_BODY: usize = 4096;

pub async fn from_error_code(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || response.status() != StatusCode::INTERNAL_SERVER_ERROR || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        parts.status = StatusCode::INTERNAL_SERVER_ERROR;
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.code.http_status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}
