//! Checks the ledger's invariants over the whole database: every journal entry sums
//! to zero, every balance equals the sum of its postings, no deposit is negative,
//! and money in all accounts together sums to zero. Used by `server verify-ledger`
//! and by the tests after a stress run.
use crate::backend::Db;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LedgerReport {
    pub accounts: i64,
    pub journal_entries: i64,
    pub postings: i64,
    /// Journal entries whose postings do not sum to zero.
    pub unbalanced_entries: Vec<i64>,
    /// Accounts whose balance differs from the sum of their postings.
    pub drifted_accounts: Vec<i64>,
    /// Deposits below zero or cards beyond their limit.
    pub overdrawn_accounts: Vec<i64>,
    /// The sum of all balances: zero in a closed double-entry system.
    pub total: i64,
}

impl LedgerReport {
    pub fn is_sound(&self) -> bool {
        self.unbalanced_entries.is_empty()
            && self.drifted_accounts.is_empty()
            && self.overdrawn_accounts.is_empty()
            && self.total == 0
    }
}

pub async fn verify(db: &Db) -> Result<LedgerReport, sqlx::Error> {
    let pool = db.pool();
    let count = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await };
    let unbalanced: Vec<i64> = sqlx::query_scalar(
        "SELECT journal_id FROM postings GROUP BY journal_id HAVING SUM(amount) <> 0 ORDER BY journal_id LIMIT 100",
    )
    .fetch_all(pool)
    .await?;
    let drifted: Vec<i64> = sqlx::query_scalar(
        "SELECT a.id FROM accounts a LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM postings \
         GROUP BY account_id) p ON p.account_id = a.id WHERE a.balance <> COALESCE(p.total, 0) ORDER BY a.id LIMIT 100",
    )
    .fetch_all(pool)
    .await?;
    let overdrawn: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE kind NOT IN ('internal', 'loan') AND balance + credit_limit < 0 \
         ORDER BY id LIMIT 100",
    )
    .fetch_all(pool)
    .await?;
    let total: Option<i64> =
        sqlx::query_scalar("SELECT CAST(SUM(balance) AS BIGINT) FROM accounts").fetch_one(pool).await?;
    Ok(LedgerReport {
        accounts: count("SELECT COUNT(*) FROM accounts").await?,
        journal_entries: count("SELECT COUNT(*) FROM journal_entries").await?,
        postings: count("SELECT COUNT(*) FROM postings").await?,
        unbalanced_entries: unbalanced,
        drifted_accounts: drifted,
        overdrawn_accounts: overdrawn,
        total: total.unwrap_or(0),
    })
}
