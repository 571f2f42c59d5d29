//! What the plain (non-Leptos) handlers share: the reader's language, and an
//! error as a status with one translated line of text.
use app::error::AppError;
use app::i18n::{negotiate, Locale};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The language the reader chose (cookie) or their browser asks for.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    let joined = |name: header::HeaderName| {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("; ")
    };
    negotiate(&joined(header::COOKIE), &joined(header::ACCEPT_LANGUAGE))
}

/// The error as its status and a translated line of text, never cached.
pub fn refuse(err: &AppError, locale: Locale) -> Response {
    let status = StatusCode::from_u16(err.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, locale.text(err.code.message_key())).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
