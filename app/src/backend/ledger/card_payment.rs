//! Card-network purchases: a merchant's authorisation request for one of the bank's
//! cards, posted as a `card_spend` journal entry (a debit card pays from its demand
//! account, a credit card from its card account; the card settlement account owes
//! the merchant).
//!
//! The card's status is read with its row locked in the posting transaction, the
//! same row a loss report or freeze changes: a payment racing a loss report is
//! either posted before it or refused after it, never posted on a lost card.
use super::idempotency::{self, Claim};
use super::internal::Internal;
use super::posting::{self, Entry, Line};
use super::retry::{post_error, with_retries, Attempt};
use crate::backend::requests::cards::lock_card_by_number;
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{Amount, Day, IdempotencyKey};

/// Authorises and posts a purchase of `amount` at `merchant` on the card numbered
/// `card_no`, once per key (a network retry gets the first journal id). Refused
/// with `card_blocked` unless the card (and the account it pays from) is active.
pub async fn authorize(
    state: &AppState,
    card_no: &str,
    amount: Amount,
    merchant: &str,
    key: &IdempotencyKey,
) -> Result<i64, AppError> {
    with_retries("card_payment", || authorize_once(state, card_no, amount, merchant, key)).await
}

async fn authorize_once(
    state: &AppState,
    card_no: &str,
    amount: Amount,
    merchant: &str,
    key: &IdempotencyKey,
) -> Result<i64, Attempt> {
    let now = state.clock.now();
    let backend = state.db.backend();
    let mut tx = state.db.begin_write().await?;
    let card = lock_card_by_number(&mut tx, backend, card_no).await?.ok_or(AppError::new(ErrorCode::NotFound))?;
    let hash = idempotency::request_hash("card_payment", &[card_no, &amount.minor().to_string(), merchant]);
    if let Claim::Replay(answer) =
        idempotency::claim(&mut tx, card.customer_id, key, "card_payment", &hash, now).await?
    {
        tx.rollback().await?;
        return answer.parse().map_err(|_| Attempt::Refused(AppError::new(ErrorCode::Internal)));
    }
    if card.status != "active" {
        return Err(AppError::new(ErrorCode::CardBlocked).into());
    }
    let account_id = card.account_id.ok_or(AppError::new(ErrorCode::CardBlocked))?;
    let (account_status, holder): (String, String) = sqlx::query_as(
        "SELECT a.status, c.full_name FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE a.id = $1 AND a.customer_id = $2",
    )
    .bind(account_id)
    .bind(card.customer_id)
    .fetch_one(&mut *tx)
    .await?;
    if account_status != "active" {
        return Err(AppError::new(ErrorCode::CardBlocked).into());
    }
    let settlement = Internal::CardSettlement.id(&mut tx).await?;
    let entry = Entry {
        kind: "card_spend",
        reference: None,
        memo: "消费".to_owned(),
        value_date: Day::at(state.zone, now),
        lines: vec![
            Line { account_id, amount: -amount.minor(), counterparty: merchant.to_owned() },
            Line { account_id: settlement, amount: amount.minor(), counterparty: holder },
        ],
    };
    let journal_id = posting::post(&mut tx, backend, &entry, now).await.map_err(post_error)?;
    idempotency::complete(&mut tx, card.customer_id, key, &journal_id.to_string()).await?;
    tx.commit().await?;
    Ok(journal_id)
}
