//! Cross-site request forgery: a state-changing request must come from our own
//! pages. Leptos server functions do no such check, so it stands in front of them.
//!
//! Browsers send `Sec-Fetch-Site` (modern) and `Origin` (on every POST); a request
//! that carries either must show it is same-origin. A request with neither is not
//! from a browser (curl, the test client) and cannot ride a victim's cookies.
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    if is_safe_method(request.method()) || is_same_origin(&request) {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "cross-site write refused");
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_origin(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or("", |(_, rest)| rest);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder().method(Method::POST).uri("/api/x");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn same_origin_passes_cross_site_fails() {
        assert!(is_same_origin(&post(&[("host", "bank.test"), ("origin", "https://bank.test")])));
        assert!(!is_same_origin(&post(&[("host", "bank.test"), ("origin", "https://evil.test")])));
        assert!(!is_same_origin(&post(&[("host", "bank.test"), ("origin", "null")])));
        assert!(is_same_origin(&post(&[("sec-fetch-site", "same-origin"), ("origin", "https://x")])));
        assert!(!is_same_origin(&post(&[("sec-fetch-site", "cross-site"), ("host", "bank.test")])));
        assert!(is_same_origin(&post(&[])));
    }
}
