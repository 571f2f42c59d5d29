//! The double-entry ledger: accounts, journal entries whose postings sum to zero,
//! and the services that move money (transfers, deposits, interest).
//!
//! The database enforces what must never break (see migrations/*/0005_ledger.sql):
//! postings and journal entries are append-only, a posting moves its account's
//! balance in the same statement, and no deposit goes below zero. The code here
//! adds the rules a database cannot see (limits, ownership, idempotency) and takes
//! row locks in a fixed order so concurrent payments queue instead of deadlocking.
pub mod accounts;
pub mod card_payment;
pub mod daily;
pub mod deposits;
pub mod idempotency;
pub mod internal;
pub mod posting;
pub mod retry;
pub mod transfer;
pub mod transfer_views;
pub mod verify;

pub use posting::{post, Entry, Line, PostError};

/// Whether a database error is a transient conflict that a retry of the whole
/// transaction resolves: PostgreSQL serialization failure or deadlock, SQLite busy.
pub fn is_retryable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("40001" | "40P01" | "5" | "6" | "517"))
                || db.message().contains("database is locked")
        }
        _ => false,
    }
}

/// How often a money-moving transaction is retried after a transient conflict
/// before the caller is told the system is busy.
pub const RETRIES: u32 = 8;
