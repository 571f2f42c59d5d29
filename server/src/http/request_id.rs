//! A request id on every request and response, and in every log line of it.
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Span;

pub const HEADER: &str = "x-request-id";

/// The id of one request, kept in its extensions.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Process-unique and unguessable enough to correlate logs: the start time of the
/// process mixed with a counter. Ids sent by the client are ignored so that a
/// caller cannot forge or collide with another request's log lines.
fn next_id() -> String {
    use std::sync::OnceLock;
    static EPOCH: OnceLock<u64> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(|| {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        (nanos as u64) ^ u64::from(std::process::id()).rotate_left(32)
    });
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{:012x}-{n:06x}", epoch & 0xffff_ffff_ffff)
}

pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = next_id();
    request.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

/// The log span of a request: method, path (never the query: it may hold
/// personal data) and the request id.
pub fn span(request: &Request) -> Span {
    let id = request.extensions().get::<RequestId>().map_or("-", |r| r.0.as_str());
    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_unique() {
        let a = super::next_id();
        let b = super::next_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), b.len());
    }
}
