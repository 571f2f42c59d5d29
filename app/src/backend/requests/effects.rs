//! What approving a request does to the customer's products and details, in the
//! staff member's resolving transaction: it all happens with the resolution or not
//! at all.
use super::cards::issue_replacement;
use super::customer::{events, notices};
use super::{append_event, EventKind, RequestRow};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::outbox::{enqueue_sms, mask_phone};
use crate::backend::{notifications, AppState};
use crate::error::AppError;
use crate::types::{mask_number, RequestKind, Timestamp};
use serde_json::json;
use sqlx::{Any, Row, Transaction};

/// Applies `row`'s effect as staff resolve it (a contact change takes effect and a
/// notice goes to the old channel too; a dormant account is reactivated; a
/// replacement card is issued), in the resolving transaction.
pub async fn apply_on_resolve(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    match row.kind {
        RequestKind::ContactChange => contact_change(tx, state, row, staff_id, now).await,
        RequestKind::Reactivate => reactivate(tx, state, row, staff_id, now).await,
        RequestKind::AccountClose => close_account(tx, state, row, staff_id, now).await,
        RequestKind::CardLost if row.details.get("replacement").and_then(|v| v.as_bool()) == Some(true) => {
            replace_card(tx, state, row, staff_id, now).await
        }
        _ => Ok(()),
    }
}

async fn record(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    event: &str,
    detail: serde_json::Value,
    now: Timestamp,
) -> Result<(), AppError> {
    let event =
        AuditEvent { actor: Actor::Staff(staff_id), customer_id: Some(row.customer_id), event, detail, origin: "" };
    audit::record(tx, state.db.backend(), now, &event).await?;
    Ok(())
}

/// The new phone and/or address take effect. The customer is told on the old
/// phone (so a change they did not make is noticed) and on the new one.
async fn contact_change(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let phone = row.details.get("phone").and_then(|v| v.as_str()).filter(|p| !p.is_empty());
    let address = row.details.get("address").and_then(|v| v.as_str()).filter(|a| !a.is_empty());
    let old_phone: String = sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1")
        .bind(row.customer_id)
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query("UPDATE customers SET phone = COALESCE($1, phone), address = COALESCE($2, address) WHERE id = $3")
        .bind(phone)
        .bind(address)
        .bind(row.customer_id)
        .execute(&mut **tx)
        .await?;
    let what = match (phone, address) {
        (Some(p), Some(_)) => format!("手机号（新号{}）及地址 phone ({}) and address", mask_phone(p), mask_phone(p)),
        (Some(p), None) => format!("手机号（新号{}） phone ({})", mask_phone(p), mask_phone(p)),
        _ => "联系地址 address".to_owned(),
    };
    let sms = format!(
        "【邮储银行】您的{what}已按申请{reference}变更。如非本人操作，请立即致电95580。\
         Your contact details were changed ({reference}); if this was not you, call 95580.",
        reference = row.reference
    );
    enqueue_sms(tx, &old_phone, &sms, now).await?;
    if let Some(new_phone) = phone.filter(|p| *p != old_phone) {
        enqueue_sms(tx, new_phone, &sms, now).await?;
    }
    notifications::notify(tx, row.customer_id, notices::CONTACT_CHANGED, row.reference.as_str(), now).await?;
    let shown = phone.map(mask_phone).unwrap_or_default();
    append_event(tx, row.id, EventKind::ContactChanged, None, None, Actor::Staff(staff_id), &shown, now).await?;
    let detail =
        json!({ "reference": row.reference.as_str(), "phone": phone.map(mask_phone), "address": address.is_some() });
    record(tx, state, row, staff_id, events::CONTACT_CHANGED, detail, now).await
}

/// A dormant account becomes active again.
async fn reactivate(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let Some(account_id) = row.account_id else { return Ok(()) };
    let account = sqlx::query("SELECT account_no FROM accounts WHERE id = $1 AND customer_id = $2")
        .bind(account_id)
        .bind(row.customer_id)
        .fetch_one(&mut **tx)
        .await?;
    let masked = mask_number(&account.try_get::<String, _>("account_no")?);
    // Asking for reactivation is the customer's own act: it restarts the dormancy
    // clock, or the next daily run would find the account dormant again.
    let today = crate::types::Day::at(state.zone, now).to_string();
    sqlx::query("UPDATE accounts SET status = 'active', last_activity_on = $2 WHERE id = $1 AND status = 'dormant'")
        .bind(account_id)
        .bind(today)
        .execute(&mut **tx)
        .await?;
    notifications::notify(tx, row.customer_id, notices::ACCOUNT_REACTIVATED, &masked, now).await?;
    append_event(tx, row.id, EventKind::AccountReactivated, None, None, Actor::Staff(staff_id), &masked, now).await?;
    let detail = json!({ "reference": row.reference.as_str(), "account": masked });
    record(tx, state, row, staff_id, events::ACCOUNT_REACTIVATED, detail, now).await
}

/// A zero-balance account is closed with its cards. Refused, and nothing changes
/// (the resolution rolls back with it), when the account holds or owes money now.
async fn close_account(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    use crate::backend::insight::dormancy::{events as insight_events, notices as insight_notices};
    let Some(account_id) = row.account_id else { return Ok(()) };
    let account_no: String =
        sqlx::query_scalar("SELECT account_no FROM accounts WHERE id = $1 AND customer_id = $2 AND kind <> 'internal'")
            .bind(account_id)
            .bind(row.customer_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::new(crate::error::ErrorCode::NotFound))?;
    // The balance is checked in the statement that closes, so a posting racing the
    // resolution cannot slip between the check and the change.
    let closed = sqlx::query(
        "UPDATE accounts SET status = 'closed', closed_at = $1 WHERE id = $2 AND customer_id = $3 \
         AND status <> 'closed' AND balance = 0 AND NOT EXISTS (SELECT 1 FROM accounts o \
         WHERE o.linked_account_id = accounts.id AND o.status <> 'closed')",
    )
    .bind(now.micros())
    .bind(account_id)
    .bind(row.customer_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if closed != 1 {
        return Err(AppError { code: crate::error::ErrorCode::WrongState, field: Some("account_id".into()) });
    }
    let cards = sqlx::query(
        "UPDATE cards SET status = 'closed', status_changed_at = $1 WHERE account_id = $2 AND status <> 'closed'",
    )
    .bind(now.micros())
    .bind(account_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    let masked = mask_number(&account_no);
    notifications::notify(tx, row.customer_id, insight_notices::ACCOUNT_CLOSED, &masked, now).await?;
    let detail = json!({ "reference": row.reference.as_str(), "account": masked, "cards_closed": cards });
    record(tx, state, row, staff_id, insight_events::ACCOUNT_CLOSED, detail, now).await
}

/// A new card for the lost one, on the same account (only the masked number is
/// shown or recorded).
async fn replace_card(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    row: &RequestRow,
    staff_id: i64,
    now: Timestamp,
) -> Result<(), AppError> {
    let Some(card_id) = row.card_id else { return Ok(()) };
    let masked = issue_replacement(tx, state.db.backend(), card_id, now).await?;
    notifications::notify(tx, row.customer_id, notices::CARD_REPLACED, &masked, now).await?;
    append_event(tx, row.id, EventKind::CardReplaced, None, None, Actor::Staff(staff_id), &masked, now).await?;
    let detail = json!({ "reference": row.reference.as_str(), "new_card": masked });
    record(tx, state, row, staff_id, events::CARD_REPLACED, detail, now).await
}
