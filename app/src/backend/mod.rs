//! Server-only business logic (feature `ssr`). Testable without HTTP: every service
//! takes the database and the clock as parameters.
pub mod branches;
pub mod clock;
pub mod db;
pub mod seed;
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
}

/// The state of the current request, for server functions.
pub fn use_state() -> Result<AppState, crate::error::AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        crate::error::AppError::new(crate::error::ErrorCode::Internal)
    })
}
