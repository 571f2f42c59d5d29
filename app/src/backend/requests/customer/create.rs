//! New requests, one function per kind, each in the one write transaction that
//! claims the idempotency key: a replay answers the first reference, a loss report
//! freezes the card before the answer leaves, and a refused request stores nothing.
use super::input::RequestInput;
use super::{close_self_service, events, notices};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::CustomerChange;
use crate::backend::ledger::idempotency::{self, Claim};
use crate::backend::outbox::{enqueue_sms, mask_phone};
use crate::backend::requests::calendar::WorkingCalendar;
use crate::backend::requests::cards::{change_status, lock_owned_card};
use crate::backend::requests::{append_event, insert_request, EventKind, NewRequest, MAX_SUBJECT};
use crate::backend::{local_time, notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{mask_number, Day, IdempotencyKey, Money, PlainText, RequestKind, RequestRef, Timestamp};
use serde_json::json;
use sqlx::{Any, Row, Transaction};

/// What every kind's function shares: the transaction, who, when, the calendar.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub who: &'a CustomerChange,
    pub calendar: &'a WorkingCalendar,
    pub now: Timestamp,
    pub origin: &'a str,
}

/// Submits a new request once per key; a replay answers the first reference.
pub async fn submit(
    state: &AppState,
    who: &CustomerChange,
    input: &RequestInput,
    key: &IdempotencyKey,
    origin: &str,
) -> Result<RequestRef, AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let hash = idempotency::request_hash("service_request", &[&input.fingerprint()]);
    let mut tx = state.db.begin_write().await?;
    if let Claim::Replay(answer) =
        idempotency::claim(&mut tx, who.customer_id, key, "service_request", &hash, now).await?
    {
        return RequestRef::parse(&answer).ok_or(AppError::new(ErrorCode::Internal));
    }
    let cx = Ctx { state, who, calendar: &calendar, now, origin };
    let reference = match input {
        RequestInput::CardLost { card_id, stolen, replacement, body } => {
            card_lost(&mut tx, &cx, *card_id, *stolen, *replacement, body.as_ref()).await?
        }
        RequestInput::CardFreeze { card_id } => card_freeze(&mut tx, &cx, *card_id, true).await?,
        RequestInput::CardUnfreeze { card_id } => card_freeze(&mut tx, &cx, *card_id, false).await?,
        RequestInput::ContactChange { phone, address } => {
            contact_change(&mut tx, &cx, phone.as_deref(), address.as_ref()).await?
        }
        RequestInput::Complaint { category, subject, body, wanted } => {
            let details = json!({ "category": category.as_str(), "wanted": wanted.as_str() });
            let new = request(&cx, RequestKind::Complaint, subject, body.as_str(), details);
            insert(&mut tx, &cx, &new).await?
        }
        RequestInput::Dispute { posting_id, body } => dispute(&mut tx, &cx, *posting_id, body).await?,
        RequestInput::Certificate { account_id, body } => {
            account_request(&mut tx, &cx, RequestKind::Certificate, *account_id, body.as_ref(), json!({})).await?
        }
        RequestInput::Statement { account_id, from, to, body } => {
            let details = json!({ "from": from.to_string(), "to": to.to_string() });
            account_request(&mut tx, &cx, RequestKind::Statement, *account_id, body.as_ref(), details).await?
        }
        RequestInput::Reactivate { account_id, body } => {
            account_request(&mut tx, &cx, RequestKind::Reactivate, *account_id, body.as_ref(), json!({})).await?
        }
        RequestInput::AccountClose { account_id, body } => {
            account_request(&mut tx, &cx, RequestKind::AccountClose, *account_id, body.as_ref(), json!({})).await?
        }
        RequestInput::General { subject, body } => {
            let new = request(&cx, RequestKind::General, subject, body.as_str(), json!({}));
            insert(&mut tx, &cx, &new).await?
        }
    };
    idempotency::complete(&mut tx, who.customer_id, key, reference.as_str()).await?;
    tx.commit().await?;
    Ok(reference)
}

fn request<'a>(
    cx: &Ctx<'_>,
    kind: RequestKind,
    subject: &'a PlainText,
    body: &'a str,
    details: serde_json::Value,
) -> NewRequest<'a> {
    NewRequest {
        customer_id: cx.who.customer_id,
        kind,
        subject,
        body,
        details,
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        created_by_staff_id: cx.who.on_behalf_of,
    }
}

/// Inserts the request and records it in the audit log (the customer's history).
async fn insert(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    new: &NewRequest<'_>,
) -> Result<RequestRef, AppError> {
    let (_, reference) = insert_request(tx, cx.state.zone, cx.calendar, new, cx.now).await?;
    notifications::notify(tx, cx.who.customer_id, notices::RECEIVED, reference.as_str(), cx.now).await?;
    audit_event(tx, cx, events::SUBMITTED, json!({ "reference": reference.as_str(), "kind": new.kind.as_str() }))
        .await?;
    Ok(reference)
}

async fn audit_event(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    event: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    // On the customer's behalf (assist mode) the staff member is the actor and the
    // customer is named as the one concerned.
    let customer_id = cx.who.on_behalf_of.map(|_| cx.who.customer_id);
    let event = AuditEvent { actor: cx.who.actor(), customer_id, event, detail, origin: cx.origin };
    audit::record(tx, cx.state.db.backend(), cx.now, &event).await?;
    Ok(())
}

/// A subject the customer did not type: what the request is about, masked.
fn subject_of(text: &str) -> Result<PlainText, AppError> {
    let short: String = text.chars().take(MAX_SUBJECT).collect();
    PlainText::new(&short, MAX_SUBJECT, "subject")
}

/// A lost or stolen card: frozen ("lost") at once, in this transaction, with the
/// time; the customer is told by notification and SMS. The request stays with the
/// bank, which issues the replacement asked for when it resolves the request.
async fn card_lost(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    card_id: i64,
    stolen: bool,
    replacement: bool,
    body: Option<&PlainText>,
) -> Result<RequestRef, AppError> {
    let card = lock_owned_card(tx, cx.state.db.backend(), cx.who.customer_id, card_id).await?;
    change_status(tx, &card, &["active", "frozen"], "lost", cx.now).await?;
    let masked = card.masked();
    let subject = subject_of(&masked)?;
    let details = json!({ "stolen": stolen, "replacement": replacement, "frozen_at": cx.now.micros(), "card": masked });
    let new = NewRequest {
        card_id: Some(card.id),
        ..request(cx, RequestKind::CardLost, &subject, body.map_or("", PlainText::as_str), details)
    };
    let (id, reference) = insert_request(tx, cx.state.zone, cx.calendar, &new, cx.now).await?;
    let at = local_time(cx.state.zone, cx.now);
    append_event(tx, id, EventKind::CardFrozen, None, None, Actor::Customer(cx.who.customer_id), &at, cx.now).await?;
    notifications::notify(tx, cx.who.customer_id, notices::CARD_LOST, &masked, cx.now).await?;
    let phone: String = sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1")
        .bind(cx.who.customer_id)
        .fetch_one(&mut **tx)
        .await?;
    let tail = &masked[masked.len().saturating_sub(4)..];
    let sms = format!(
        "【邮储银行】您尾号{tail}的卡已于{at}挂失冻结（申请号{reference}）。如非本人操作，请致电95580。\
         Your card ending {tail} was reported lost and frozen at {at} ({reference})."
    );
    enqueue_sms(tx, &phone, &sms, cx.now).await?;
    let detail =
        json!({ "reference": reference.as_str(), "card": masked, "stolen": stolen, "replacement": replacement });
    audit_event(tx, cx, events::CARD_REPORTED_LOST, detail).await?;
    Ok(reference)
}

/// Freezing or unfreezing one's card: done at once; the request is its record,
/// born closed (see `close_self_service`). A lost or closed card is not unfrozen.
async fn card_freeze(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    card_id: i64,
    freeze: bool,
) -> Result<RequestRef, AppError> {
    let card = lock_owned_card(tx, cx.state.db.backend(), cx.who.customer_id, card_id).await?;
    let (kind, from, to, step, event) = if freeze {
        (RequestKind::CardFreeze, "active", "frozen", EventKind::CardFrozen, events::CARD_FROZEN)
    } else {
        (RequestKind::CardUnfreeze, "frozen", "active", EventKind::CardUnfrozen, events::CARD_UNFROZEN)
    };
    change_status(tx, &card, &[from], to, cx.now).await?;
    let masked = card.masked();
    let subject = subject_of(&masked)?;
    let details = json!({ "card": masked, "frozen_at": freeze.then_some(cx.now.micros()) });
    let new = NewRequest { card_id: Some(card.id), ..request(cx, kind, &subject, "", details) };
    let (id, reference) = insert_request(tx, cx.state.zone, cx.calendar, &new, cx.now).await?;
    let at = local_time(cx.state.zone, cx.now);
    append_event(tx, id, step, None, None, Actor::Customer(cx.who.customer_id), &at, cx.now).await?;
    close_self_service(tx, id, cx.who.customer_id, cx.now).await?;
    audit_event(tx, cx, event, json!({ "reference": reference.as_str(), "card": masked })).await?;
    Ok(reference)
}

/// A new phone and/or address: stored with the request, applied only when staff
/// approve it (`effects::apply_on_resolve`). The caller checked the step-up.
async fn contact_change(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    phone: Option<&str>,
    address: Option<&PlainText>,
) -> Result<RequestRef, AppError> {
    let subject = subject_of(&match (phone, address) {
        (Some(p), _) => mask_phone(p),
        (None, Some(a)) => a.as_str().to_owned(),
        (None, None) => return Err(AppError::invalid("phone")),
    })?;
    let details = json!({ "phone": phone, "address": address.map(PlainText::as_str) });
    let new = request(cx, RequestKind::ContactChange, &subject, "", details);
    let (_, reference) = insert_request(tx, cx.state.zone, cx.calendar, &new, cx.now).await?;
    notifications::notify(tx, cx.who.customer_id, notices::RECEIVED, reference.as_str(), cx.now).await?;
    let detail =
        json!({ "reference": reference.as_str(), "phone": phone.map(mask_phone), "address": address.is_some() });
    audit_event(tx, cx, events::CONTACT_CHANGE_REQUESTED, detail).await?;
    Ok(reference)
}

/// A dispute names one of the customer's own debits of the last 120 days.
async fn dispute(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    posting_id: i64,
    body: &PlainText,
) -> Result<RequestRef, AppError> {
    let since = Day::at(cx.state.zone, cx.now).plus_days(-crate::api::requests::DISPUTE_DAYS);
    let row = sqlx::query(
        "SELECT p.id, p.amount, p.counterparty, p.value_date, a.id AS account_id, a.account_no FROM postings p \
         JOIN accounts a ON a.id = p.account_id \
         WHERE p.id = $1 AND a.customer_id = $2 AND a.kind <> 'internal' AND p.amount < 0 AND p.value_date >= $3",
    )
    .bind(posting_id)
    .bind(cx.who.customer_id)
    .bind(since.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    let amount: i64 = row.try_get("amount")?;
    let counterparty: String = row.try_get("counterparty")?;
    let day: String = row.try_get("value_date")?;
    let money = Money::yuan_fen(-amount);
    let subject = subject_of(&format!("{day} {counterparty} {}", money.display()))?;
    let details = json!({ "amount": -amount, "counterparty": counterparty, "day": day,
        "account": mask_number(&row.try_get::<String, _>("account_no")?) });
    let new = NewRequest {
        posting_id: Some(posting_id),
        account_id: Some(row.try_get("account_id")?),
        ..request(cx, RequestKind::Dispute, &subject, body.as_str(), details)
    };
    insert(tx, cx, &new).await
}

/// Certificates, statements and reactivation name one of the customer's accounts;
/// a certificate needs a deposit, reactivation a dormant account.
async fn account_request(
    tx: &mut Transaction<'static, Any>,
    cx: &Ctx<'_>,
    kind: RequestKind,
    account_id: i64,
    body: Option<&PlainText>,
    details: serde_json::Value,
) -> Result<RequestRef, AppError> {
    let row = sqlx::query(
        "SELECT account_no, kind, status, balance, (SELECT COUNT(*) FROM accounts o \
         WHERE o.linked_account_id = accounts.id AND o.status <> 'closed') AS dependents \
         FROM accounts WHERE id = $1 AND customer_id = $2 AND kind <> 'internal'",
    )
    .bind(account_id)
    .bind(cx.who.customer_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    let account_kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let fits = match kind {
        RequestKind::Certificate => {
            crate::types::ProductKind::parse(&account_kind).is_some_and(|k| k.is_deposit()) && status != "closed"
        }
        RequestKind::Reactivate => status == "dormant",
        // Only an account with nothing in it and nothing owed can be closed, and not
        // one that a deposit pays out to or a loan is repaid from.
        RequestKind::AccountClose => {
            status != "closed" && row.try_get::<i64, _>("balance")? == 0 && row.try_get::<i64, _>("dependents")? == 0
        }
        _ => status != "closed",
    };
    if !fits {
        return Err(AppError { code: ErrorCode::WrongState, field: Some("account_id".into()) });
    }
    let subject = subject_of(&mask_number(&row.try_get::<String, _>("account_no")?))?;
    let new = NewRequest {
        account_id: Some(account_id),
        ..request(cx, kind, &subject, body.map_or("", PlainText::as_str), details)
    };
    insert(tx, cx, &new).await
}
