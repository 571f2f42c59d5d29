//! Per-address rate limits on the doors attackers knock on: log-in, second factor,
//! enrollment and the endpoints that send a text message. Over the limit a request
//! is answered 429 with `Retry-After` before any work (or any SMS cost) is done.
//!
//! Token buckets in memory, per instance: behind a load balancer each instance
//! limits on its own, which bounds an attacker at N× the rate; per-account
//! throttling in the database is the exact, shared defence behind it.
use app::backend::Clock;
use app::error::{AppError, ErrorCode};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

/// What a class of endpoint allows per address: a burst, then one per `refill_seconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowance {
    pub burst: u32,
    pub refill_seconds: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Class {
    /// Password and second-factor checks.
    Login,
    /// Requests that send a text message.
    SendsCode,
}

fn class_of(path: &str) -> Option<Class> {
    match path {
        "/api/login" | "/api/staff_login" | "/api/verify" | "/api/enroll_finish" | "/api/reset_finish" => {
            Some(Class::Login)
        }
        "/api/enroll_start" | "/api/reset_start" => Some(Class::SendsCode),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated_micros: i64,
}

/// Buckets beyond this many are pruned (full ones first), bounding memory under a
/// flood from many addresses.
const MAX_BUCKETS: usize = 100_000;

#[derive(Clone)]
pub struct RateLimiter {
    clock: Arc<dyn Clock>,
    login: Allowance,
    sends_code: Allowance,
    buckets: Arc<Mutex<HashMap<(IpAddr, Class), Bucket>>>,
}

impl RateLimiter {
    /// `None` turns the limits off (a load test from one address).
    pub fn new(clock: Arc<dyn Clock>, login: Allowance, sends_code: Allowance) -> Self {
        RateLimiter { clock, login, sends_code, buckets: Arc::default() }
    }

    /// Takes a token for `ip`; `Err(seconds)` says when one will be there.
    fn take(&self, ip: IpAddr, class: Class) -> Result<(), u32> {
        let allowance = match class {
            Class::Login => self.login,
            Class::SendsCode => self.sends_code,
        };
        let now = self.clock.now().micros();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // a poisoned lock must not lock everybody out
        };
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| b.tokens < 1.0);
        }
        let per_micro = 1.0 / (f64::from(allowance.refill_seconds.max(1)) * 1_000_000.0);
        let bucket =
            buckets.entry((ip, class)).or_insert(Bucket { tokens: f64::from(allowance.burst), updated_micros: now });
        let elapsed = (now - bucket.updated_micros).max(0) as f64;
        bucket.tokens = (bucket.tokens + elapsed * per_micro).min(f64::from(allowance.burst));
        bucket.updated_micros = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_micro / 1_000_000.0).ceil();
            Err(wait.clamp(1.0, 3600.0) as u32)
        }
    }
}

pub async fn limit(State(limiter): State<Option<RateLimiter>>, request: Request, next: Next) -> Response {
    let (Some(limiter), Some(class)) = (limiter, class_of(request.uri().path())) else {
        return next.run(request).await;
    };
    let ip = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    match ip.filter(|_| request.method() == Method::POST).map(|ip| limiter.take(ip, class)) {
        Some(Err(retry_after)) => {
            tracing::warn!(path = %request.uri().path(), retry_after, "rate limit reached");
            too_many(retry_after)
        }
        _ => next.run(request).await,
    }
}

fn too_many(retry_after: u32) -> Response {
    let body = serde_json::to_string(&AppError::new(ErrorCode::TooManyRequests)).unwrap_or_default();
    let mut response = (StatusCode::TOO_MANY_REQUESTS, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::backend::FixedClock;
    use app::types::Timestamp;

    #[test]
    fn bursts_then_refills_with_the_clock() {
        let clock = Arc::new(FixedClock::new(Timestamp::from_micros(0)));
        let limiter = RateLimiter::new(
            clock.clone(),
            Allowance { burst: 3, refill_seconds: 10 },
            Allowance { burst: 1, refill_seconds: 60 },
        );
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(limiter.take(ip, Class::Login), Ok(()));
        }
        assert_eq!(limiter.take(ip, Class::Login), Err(10));
        let other: IpAddr = "203.0.113.6".parse().unwrap();
        assert_eq!(limiter.take(other, Class::Login), Ok(()), "per address");
        assert_eq!(limiter.take(ip, Class::SendsCode), Ok(()), "per class");
        clock.advance_seconds(10);
        assert_eq!(limiter.take(ip, Class::Login), Ok(()));
        assert!(limiter.take(ip, Class::Login).is_err());
    }

    #[test]
    fn only_the_doors_are_limited() {
        assert_eq!(class_of("/api/login"), Some(Class::Login));
        assert_eq!(class_of("/api/enroll_start"), Some(Class::SendsCode));
        assert_eq!(class_of("/api/branches"), None);
        assert_eq!(class_of("/healthz"), None);
    }
}
