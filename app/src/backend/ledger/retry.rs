//! Retrying a money-moving transaction: a transient conflict (serialization
//! failure, deadlock, SQLite busy) runs the whole transaction again and is never
//! shown to the customer; a refusal (insufficient funds, a limit) ends at once.
use super::posting::PostError;
use crate::error::{AppError, ErrorCode};

/// Why one attempt of a money-moving transaction did not complete.
pub enum Attempt {
    Retry(sqlx::Error),
    Refused(AppError),
}

impl From<AppError> for Attempt {
    fn from(err: AppError) -> Self {
        Attempt::Refused(err)
    }
}

impl From<sqlx::Error> for Attempt {
    fn from(err: sqlx::Error) -> Self {
        if super::is_retryable(&err) {
            Attempt::Retry(err)
        } else {
            Attempt::Refused(err.into())
        }
    }
}

/// A posting refused: insufficient funds is the customer's answer; an unbalanced or
/// duplicate entry is our bug.
pub fn post_error(err: PostError) -> Attempt {
    match err {
        PostError::InsufficientFunds => Attempt::Refused(AppError::new(ErrorCode::InsufficientFunds)),
        PostError::Database(err) => err.into(),
        err @ (PostError::Unbalanced | PostError::AlreadyPosted) => {
            tracing::error!(error = %err, "journal entry refused");
            Attempt::Refused(AppError::new(ErrorCode::Internal))
        }
    }
}

/// Runs `once` until it completes, retrying transient conflicts with a short,
/// growing pause; after [`super::RETRIES`] attempts the answer is "busy".
pub async fn with_retries<T, F, Fut>(what: &str, mut once: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Attempt>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match once().await {
            Ok(value) => return Ok(value),
            Err(Attempt::Retry(err)) if attempt < super::RETRIES => {
                tracing::debug!(attempt, error = %err, what, "conflict, retrying");
                tokio::time::sleep(std::time::Duration::from_millis(2 << attempt.min(6))).await;
            }
            Err(Attempt::Retry(err)) => {
                tracing::warn!(error = %err, what, "still conflicting after retries");
                return Err(AppError::new(ErrorCode::Busy));
            }
            Err(Attempt::Refused(err)) => return Err(err),
        }
    }
}
