//! Headers that make the browser refuse whole classes of attack.
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The Content-Security-Policy, which needs each page's nonce, is set by the app's
/// HTML shell (`app::shell`); these are the same for every response.
const HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
];

/// In production the portal is only ever reached over HTTPS: tell browsers so for a year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

pub async fn add(State(production): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers.insert(header::HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    if production {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}
