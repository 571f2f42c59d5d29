//! What a new-request form offers: the customer's own cards, accounts and recent
//! debits (only what the kind's form shows), each masked, and a fresh key.
use crate::api::requests::{AccountChoice, CardChoice, PostingChoice, RequestForm, DISPUTE_DAYS};
use crate::backend::auth::CustomerRead;
use crate::backend::outbox::mask_phone;
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{mask_number, Day, IdempotencyKey, Money, ProductKind, RequestKind};
use sqlx::Row;

/// How many recent debits a dispute form lists.
const DISPUTE_CHOICES: i64 = 60;

pub async fn form_data(state: &AppState, who: &CustomerRead, kind: RequestKind) -> Result<RequestForm, AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let cards = match kind {
        RequestKind::CardLost | RequestKind::CardFreeze | RequestKind::CardUnfreeze => cards(state, who).await?,
        _ => Vec::new(),
    };
    let accounts = match kind {
        RequestKind::Certificate | RequestKind::Statement | RequestKind::Reactivate => {
            accounts(state, who, false).await?
        }
        // Closure is offered only for accounts with a zero balance.
        RequestKind::AccountClose => accounts(state, who, true).await?,
        _ => Vec::new(),
    };
    let postings = if kind == RequestKind::Dispute { debits(state, who, today).await? } else { Vec::new() };
    let phone_masked = if kind == RequestKind::ContactChange {
        let phone: String = sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1")
            .bind(who.customer_id)
            .fetch_one(state.db.pool())
            .await?;
        mask_phone(&phone)
    } else {
        String::new()
    };
    Ok(RequestForm {
        kind,
        key: IdempotencyKey::generate().as_str().to_owned(),
        cards,
        accounts,
        postings,
        phone_masked,
        this_month: today.month_key(),
    })
}

/// The customer's cards that are not closed.
pub async fn cards(state: &AppState, who: &CustomerRead) -> Result<Vec<CardChoice>, AppError> {
    let rows = sqlx::query(
        "SELECT id, card_no, kind, status FROM cards WHERE customer_id = $1 AND status <> 'closed' ORDER BY id",
    )
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CardChoice {
                id: row.try_get("id")?,
                masked: mask_number(&row.try_get::<String, _>("card_no")?),
                kind: row.try_get("kind")?,
                status: row.try_get("status")?,
            })
        })
        .collect()
}

async fn accounts(state: &AppState, who: &CustomerRead, zero_only: bool) -> Result<Vec<AccountChoice>, AppError> {
    let zero = if zero_only {
        " AND balance = 0 AND NOT EXISTS (SELECT 1 FROM accounts o WHERE o.linked_account_id = accounts.id \
         AND o.status <> 'closed')"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT id, account_no, kind, status FROM accounts WHERE customer_id = $1 AND kind <> 'internal' \
         AND status <> 'closed'{zero} ORDER BY id"
    ))
    .bind(who.customer_id)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok(AccountChoice {
                id: row.try_get("id")?,
                masked: mask_number(&row.try_get::<String, _>("account_no")?),
                kind: ProductKind::parse(&kind).ok_or(AppError::new(ErrorCode::Internal))?,
                status: row.try_get("status")?,
            })
        })
        .collect()
}

/// The customer's debits of the last 120 days, newest first.
async fn debits(state: &AppState, who: &CustomerRead, today: Day) -> Result<Vec<PostingChoice>, AppError> {
    let rows = sqlx::query(
        "SELECT p.id, p.amount, p.counterparty, p.value_date, a.account_no FROM postings p \
         JOIN accounts a ON a.id = p.account_id \
         WHERE a.customer_id = $1 AND a.kind <> 'internal' AND p.amount < 0 AND p.value_date >= $2 \
         ORDER BY p.id DESC LIMIT $3",
    )
    .bind(who.customer_id)
    .bind(today.plus_days(-DISPUTE_DAYS).to_string())
    .bind(DISPUTE_CHOICES)
    .fetch_all(state.db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PostingChoice {
                id: row.try_get("id")?,
                day: row.try_get("value_date")?,
                account_masked: mask_number(&row.try_get::<String, _>("account_no")?),
                counterparty: row.try_get("counterparty")?,
                amount: Money::yuan_fen(-row.try_get::<i64, _>("amount")?),
            })
        })
        .collect()
}
