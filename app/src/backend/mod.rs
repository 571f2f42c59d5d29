//! Server-only business logic (feature `ssr`). Testable without HTTP: every service
//! takes the database and the clock as parameters.
pub mod advisor;
pub mod audit;
pub mod audit_export;
pub mod auth;
pub mod booking;
pub mod branches;
pub mod clock;
pub mod console;
pub mod db;
pub mod identity;
pub mod impersonation;
pub mod impersonation_review;
pub mod inquiries;
pub mod insight;
pub mod ledger;
pub mod notifications;
pub mod outbox;
pub mod requests;
pub mod seed;
pub mod session_store;
pub mod staff;

use std::sync::Arc;

pub use clock::{Clock, FixedClock, SystemClock};
pub use db::{Backend, Db, DbError};

/// What every request handler and server function can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// The bank's time zone: times are stored in UTC and shown in this zone.
    pub zone: chrono_tz::Tz,
    /// Password hashing, bounded so a log-in storm cannot exhaust memory.
    pub hasher: identity::password::PasswordHasher,
    pub policy: auth::SessionPolicy,
    /// Keys the hashes of one-time codes and session handles.
    pub secret: Arc<[u8]>,
    /// Development mode: demo data, the outbox page, plain-HTTP cookies.
    pub development: bool,
}

/// `at` in the bank's zone as "2026-11-29 14:05": the same in both languages, so
/// the page need not re-render it when the language changes.
pub fn local_time(zone: chrono_tz::Tz, at: crate::types::Timestamp) -> String {
    chrono::DateTime::from_timestamp_micros(at.micros())
        .map(|utc| utc.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The state of the current request, for server functions.
pub fn use_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        crate::error::AppError::new(crate::error::ErrorCode::Internal)
    })
}
