//! Writing one journal entry: the only code that inserts postings.
use crate::backend::Backend;
use crate::types::{Day, Timestamp};
use sqlx::{Any, Transaction};

/// One side of an entry: `amount` (signed, fen) on `account_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub account_id: i64,
    pub amount: i64,
    /// The other side as this account's holder sees it (payee, payer, merchant).
    pub counterparty: String,
}

/// A journal entry before it is posted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// One of the kinds `journal_entries.kind` allows.
    pub kind: &'static str,
    /// A natural key for system work, so doing it twice posts once.
    pub reference: Option<String>,
    pub memo: String,
    pub value_date: Day,
    pub lines: Vec<Line>,
}

#[derive(Debug, thiserror::Error)]
pub enum PostError {
    /// The lines do not sum to zero, or a line moves nothing.
    #[error("unbalanced journal entry")]
    Unbalanced,
    /// A deposit would go below zero (or a card beyond its limit).
    #[error("insufficient funds")]
    InsufficientFunds,
    /// An entry with this reference is already posted.
    #[error("already posted")]
    AlreadyPosted,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Locks the accounts' rows (PostgreSQL) in ascending id order, the one order every
/// writer uses, so two transfers between the same accounts in opposite directions
/// wait for each other instead of deadlocking. Returns the balances in that order.
/// On SQLite the write transaction (`BEGIN IMMEDIATE`) already excludes other writers.
pub async fn lock_accounts(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    account_ids: &[i64],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut ids = account_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let lock = if backend == Backend::Postgres { " FOR UPDATE" } else { "" };
    let mut balances = Vec::with_capacity(ids.len());
    for id in ids {
        let balance: i64 = sqlx::query_scalar(&format!("SELECT balance FROM accounts WHERE id = $1{lock}"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        balances.push((id, balance));
    }
    Ok(balances)
}

/// Posts `entry`: checks it balances, locks its accounts, writes the entry and its
/// postings with each account's running balance. Returns the journal entry's id.
pub async fn post(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    entry: &Entry,
    now: Timestamp,
) -> Result<i64, PostError> {
    let sum: i128 = entry.lines.iter().map(|l| i128::from(l.amount)).sum();
    if entry.lines.len() < 2 || sum != 0 || entry.lines.iter().any(|l| l.amount == 0) {
        return Err(PostError::Unbalanced);
    }
    let ids: Vec<i64> = entry.lines.iter().map(|l| l.account_id).collect();
    let mut balances = lock_accounts(tx, backend, &ids).await?;

    let journal_id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO journal_entries (kind, ref, memo, value_date, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (ref) DO NOTHING RETURNING id",
    )
    .bind(entry.kind)
    .bind(entry.reference.as_deref())
    .bind(&entry.memo)
    .bind(entry.value_date.to_string())
    .bind(now.micros())
    .fetch_optional(&mut **tx)
    .await?;
    let journal_id = journal_id.ok_or(PostError::AlreadyPosted)?;

    // Postings in account order too: the balance triggers then lock in the same order.
    let mut lines: Vec<&Line> = entry.lines.iter().collect();
    lines.sort_by_key(|l| l.account_id);
    for line in lines {
        let Some(slot) = balances.iter_mut().find(|(id, _)| *id == line.account_id) else {
            return Err(PostError::Database(sqlx::Error::RowNotFound));
        };
        slot.1 = slot.1.checked_add(line.amount).ok_or(PostError::Unbalanced)?;
        let inserted = sqlx::query(
            "INSERT INTO postings (journal_id, account_id, amount, balance_after, counterparty, value_date, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(journal_id)
        .bind(line.account_id)
        .bind(line.amount)
        .bind(slot.1)
        .bind(&line.counterparty)
        .bind(entry.value_date.to_string())
        .bind(now.micros())
        .execute(&mut **tx)
        .await;
        if let Err(err) = inserted {
            return Err(if is_overdraft(&err) { PostError::InsufficientFunds } else { PostError::Database(err) });
        }
    }
    Ok(journal_id)
}

/// The database refused a balance below zero (constraint `accounts_no_overdraft`).
fn is_overdraft(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.message().contains("accounts_no_overdraft"))
}
