//! The read side of transfers and the payee list: what a customer may pay from and
//! to, their saved payees (rename, delete), and receipts by number. Everything is
//! looked up through its owner: another customer's id or receipt is "not found".
use super::transfer::limits_left;
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::{CustomerChange, CustomerRead};
use crate::backend::{local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::transfer::{OwnDestination, PayableAccount, PayeeView};
use crate::types::{mask_number, AccountStatus, Day, Localized, Money, ProductKind, Receipt, Tier, Timestamp};
use sqlx::Row;

/// The longest nickname a payee may carry.
pub const NICKNAME_MAX_CHARS: usize = 20;

/// The audit event of a payee removed by its owner.
pub const PAYEE_REMOVED: &str = "payee_removed";

fn product_name(kind: ProductKind, zh: Option<String>, en: Option<String>) -> Localized {
    match (zh, en) {
        (Some(zh), Some(en)) => Localized { zh, en },
        _ => match kind {
            ProductKind::CreditCard => Localized { zh: "信用卡".into(), en: "Credit card".into() },
            _ => Localized { zh: "活期储蓄".into(), en: "Demand deposit".into() },
        },
    }
}

/// The customer's active demand deposits, with today's limit left on each.
pub async fn payable_accounts(state: &AppState, who: CustomerRead) -> Result<Vec<PayableAccount>, AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let rows = sqlx::query(
        "SELECT a.id, a.account_no, a.tier, a.status, a.balance, p.name_zh, p.name_en FROM accounts a \
         LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.customer_id = $1 AND a.kind = 'demand_deposit' AND a.status = 'active' ORDER BY a.id",
    )
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let tier = row.try_get::<Option<i64>, _>("tier")?.and_then(Tier::from_number).unwrap_or(Tier::Three);
        let (day_left, year_left) = limits_left(state.db.pool(), id, tier, today).await?;
        let status: String = row.try_get("status")?;
        accounts.push(PayableAccount {
            id,
            name: product_name(ProductKind::DemandDeposit, row.try_get("name_zh")?, row.try_get("name_en")?),
            number_masked: mask_number(&row.try_get::<String, _>("account_no")?),
            balance: Money::yuan_fen(row.try_get("balance")?),
            tier,
            status: AccountStatus::parse(&status).unwrap_or(AccountStatus::Active),
            limit_left_today: Money::yuan_fen(day_left.minor().min(year_left.minor())),
        });
    }
    Ok(accounts)
}

/// The customer's own accounts money may go to: demand deposits and credit cards.
pub async fn own_destinations(state: &AppState, who: CustomerRead) -> Result<Vec<OwnDestination>, AppError> {
    let rows = sqlx::query(
        "SELECT a.id, a.kind, a.account_no, p.name_zh, p.name_en FROM accounts a \
         LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.customer_id = $1 AND a.kind IN ('demand_deposit', 'credit_card') \
         AND a.status IN ('active', 'dormant') ORDER BY a.kind DESC, a.id",
    )
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    let mut own = Vec::with_capacity(rows.len());
    for row in rows {
        let kind_text: String = row.try_get("kind")?;
        let kind = ProductKind::parse(&kind_text).unwrap_or(ProductKind::DemandDeposit);
        own.push(OwnDestination {
            id: row.try_get("id")?,
            kind,
            name: product_name(kind, row.try_get("name_zh")?, row.try_get("name_en")?),
            number_masked: mask_number(&row.try_get::<String, _>("account_no")?),
        });
    }
    Ok(own)
}

/// The customer's saved payees, the most recently paid first.
pub async fn payees(state: &AppState, who: CustomerRead) -> Result<Vec<PayeeView>, AppError> {
    let rows: Vec<(i64, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, account_no, holder_name, nickname, last_used_at FROM payees WHERE customer_id = $1 \
         ORDER BY COALESCE(last_used_at, created_at) DESC, id DESC",
    )
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, account_no, holder_name, nickname, last_used)| PayeeView {
            id,
            account_masked: mask_number(&account_no),
            holder_name,
            nickname,
            last_used_local: last_used.map(|at| local_time(state.zone, Timestamp::from_micros(at))),
        })
        .collect())
}

/// A saved payee's account number and holder name, for paying them.
pub async fn payee_destination(state: &AppState, who: CustomerRead, id: i64) -> Result<(String, String), AppError> {
    let found: Option<(String, String)> =
        sqlx::query_as("SELECT account_no, holder_name FROM payees WHERE id = $1 AND customer_id = $2")
            .bind(id)
            .bind(who.customer_id)
            .fetch_optional(state.db.pool())
            .await?;
    found.ok_or(AppError::new(ErrorCode::NotFound))
}

/// Gives a payee the customer's own name for it (empty: none).
pub async fn rename_payee(state: &AppState, who: CustomerChange, id: i64, nickname: &str) -> Result<(), AppError> {
    let nickname = nickname.trim();
    if nickname.chars().count() > NICKNAME_MAX_CHARS || nickname.chars().any(char::is_control) {
        return Err(AppError::invalid("nickname"));
    }
    let changed = sqlx::query("UPDATE payees SET nickname = $1 WHERE id = $2 AND customer_id = $3")
        .bind(nickname)
        .bind(id)
        .bind(who.customer_id)
        .execute(state.db.pool())
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    Ok(())
}

/// Removes a saved payee (the next payment to them asks for the code again).
pub async fn delete_payee(state: &AppState, who: CustomerChange, id: i64, origin: &str) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    let account_no: Option<String> =
        sqlx::query_scalar("DELETE FROM payees WHERE id = $1 AND customer_id = $2 RETURNING account_no")
            .bind(id)
            .bind(who.customer_id)
            .fetch_optional(&mut *tx)
            .await?;
    let account_no = account_no.ok_or(AppError::new(ErrorCode::NotFound))?;
    let event = AuditEvent {
        actor: Actor::Customer(who.customer_id),
        customer_id: Some(who.customer_id),
        event: PAYEE_REMOVED,
        detail: serde_json::json!({ "account": mask_number(&account_no) }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(())
}

/// A receipt of one of the customer's own transfers.
pub async fn receipt(state: &AppState, who: CustomerRead, receipt_no: &str) -> Result<Receipt, AppError> {
    let row = sqlx::query(
        "SELECT t.id, t.from_account_id, t.payee_name, t.amount, t.memo, t.local_date, t.created_at, \
         f.account_no AS from_no, f.tier, r.account_no AS to_no FROM transfers t \
         JOIN accounts f ON f.id = t.from_account_id JOIN accounts r ON r.id = t.to_account_id \
         WHERE t.receipt_no = $1 AND t.customer_id = $2",
    )
    .bind(receipt_no)
    .bind(who.customer_id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    let id: i64 = row.try_get("id")?;
    let from: i64 = row.try_get("from_account_id")?;
    let local_date: String = row.try_get("local_date")?;
    let tier = row.try_get::<Option<i64>, _>("tier")?.and_then(Tier::from_number).unwrap_or(Tier::Three);
    // What was left of that day's limit once this transfer had gone: the same figure
    // the receipt showed when it was made.
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM transfers \
         WHERE from_account_id = $1 AND local_date = $2 AND counts_to_limit = 1 AND id <= $3",
    )
    .bind(from)
    .bind(&local_date)
    .bind(id)
    .fetch_one(state.db.pool())
    .await?;
    let at = Timestamp::from_micros(row.try_get("created_at")?);
    Ok(Receipt {
        receipt_no: receipt_no.to_owned(),
        from_masked: mask_number(&row.try_get::<String, _>("from_no")?),
        to_masked: mask_number(&row.try_get::<String, _>("to_no")?),
        payee_name: row.try_get("payee_name")?,
        amount: Money::yuan_fen(row.try_get("amount")?),
        memo: row.try_get("memo")?,
        at,
        local_time: local_time(state.zone, at),
        daily_limit_left: Money::yuan_fen((tier.daily_limit().minor() - used.unwrap_or(0)).max(0)),
    })
}
