//! The bank's own accounts: the other side of every customer movement. Created by
//! the ledger migration, found by number.
use sqlx::{Any, Transaction};

/// Which internal account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Internal {
    /// Cash at the counters and clearing with other banks (salaries in, bills out).
    Clearing,
    /// Interest the bank pays on deposits.
    InterestExpense,
    /// Interest the bank earns on loans and cards.
    InterestIncome,
    /// Card purchases owed to merchants.
    CardSettlement,
    /// Money lent out.
    LoanFunding,
}

impl Internal {
    pub const fn account_no(self) -> &'static str {
        match self {
            Internal::Clearing => "9000000000000000001",
            Internal::InterestExpense => "9000000000000000002",
            Internal::InterestIncome => "9000000000000000003",
            Internal::CardSettlement => "9000000000000000004",
            Internal::LoanFunding => "9000000000000000005",
        }
    }

    /// The account's id.
    pub async fn id(self, tx: &mut Transaction<'static, Any>) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT id FROM accounts WHERE account_no = $1 AND kind = 'internal'")
            .bind(self.account_no())
            .fetch_one(&mut **tx)
            .await
    }
}
