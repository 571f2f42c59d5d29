//! Transfers: between a customer's own accounts, and to another customer of this
//! bank (account number and holder's name must match).
//!
//! One transaction does everything: claim the idempotency key, look the accounts up
//! through their owner, lock both in id order, check status, step-up and limits,
//! post the entry, record the transfer and the answer. A transient conflict retries
//! the whole transaction; the caller never sees it.
use super::idempotency::{self, Claim};
use super::posting::{self, Entry, Line};
use super::retry::{post_error, with_retries, Attempt};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::CustomerChange;
use crate::backend::{local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{mask_number, Amount, Day, IdempotencyKey, Money, Receipt, Tier, Timestamp};
use sqlx::{Any, Transaction};

/// Transfers above this amount need a fresh second factor, whoever the payee.
pub const STEP_UP_ABOVE: Money = Money::yuan(5_000);

/// The longest note a transfer may carry.
pub const MEMO_MAX_CHARS: usize = 60;

/// Where the money goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// One of the customer's own accounts, by id.
    Own(i64),
    /// Someone's demand account at this bank, named as the customer typed it.
    Other { account_no: String, holder_name: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferRequest {
    pub from: i64,
    pub to: Destination,
    pub amount: Amount,
    pub memo: String,
    pub key: IdempotencyKey,
    /// Save an `Other` destination as a payee.
    pub save_payee: bool,
}

/// Whether the caller confirmed the second factor within the step-up window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepUp {
    Fresh,
    Missing,
}

/// What the confirmation step shows before any money moves.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Preview {
    pub from_masked: String,
    pub to_masked: String,
    pub payee_name: String,
    pub amount: Money,
    /// Today's limit left on the paying account before this transfer (for own-account moves: unlimited, `None`).
    pub daily_limit_left: Option<Money>,
    pub needs_step_up: bool,
    pub new_payee: bool,
}

/// The paying account, found through its owner.
#[derive(Debug)]
struct Paying {
    id: i64,
    account_no: String,
    tier: Tier,
    balance: i64,
}

/// The receiving account and how the payer named it.
#[derive(Debug)]
struct Receiving {
    id: i64,
    account_no: String,
    holder_name: String,
    own: bool,
    saved_payee: bool,
}

/// Checks a transfer and says what the confirmation page should show; moves nothing.
pub async fn preview(state: &AppState, who: &CustomerChange, request: &TransferRequest) -> Result<Preview, AppError> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let mut tx = state.db.begin_write().await?;
    let (paying, receiving) = resolve(&mut tx, who, request).await?;
    let left = limit_left(&mut tx, &paying, &receiving, today).await?;
    tx.rollback().await?;
    if paying.balance < request.amount.minor() {
        return Err(AppError::new(ErrorCode::InsufficientFunds));
    }
    check_limit(left, request.amount)?;
    Ok(Preview {
        from_masked: mask_number(&paying.account_no),
        to_masked: mask_number(&receiving.account_no),
        payee_name: receiving.holder_name.clone(),
        amount: request.amount.money(),
        daily_limit_left: left.map(|(day, _)| day),
        needs_step_up: needs_step_up(&receiving, request.amount),
        new_payee: !receiving.own && !receiving.saved_payee,
    })
}

/// Moves the money, once per idempotency key. A replay of the same request gets the
/// first receipt; the same key with a different request is refused.
pub async fn transfer(
    state: &AppState,
    who: &CustomerChange,
    request: &TransferRequest,
    step_up: StepUp,
    origin: &str,
) -> Result<Receipt, AppError> {
    with_retries("transfer", || transfer_once(state, who, request, step_up, origin)).await
}

fn request_hash(who: &CustomerChange, request: &TransferRequest) -> String {
    let to = match &request.to {
        Destination::Own(id) => format!("own:{id}"),
        Destination::Other { account_no, holder_name } => format!("other:{account_no}:{holder_name}"),
    };
    idempotency::request_hash(
        "transfer",
        &[
            &who.customer_id.to_string(),
            &request.from.to_string(),
            &to,
            &request.amount.minor().to_string(),
            &request.memo,
            if request.save_payee { "save" } else { "" },
        ],
    )
}

async fn transfer_once(
    state: &AppState,
    who: &CustomerChange,
    request: &TransferRequest,
    step_up: StepUp,
    origin: &str,
) -> Result<Receipt, Attempt> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let backend = state.db.backend();
    let mut tx = state.db.begin_write().await?;

    let hash = request_hash(who, request);
    match idempotency::claim(&mut tx, who.customer_id, &request.key, "transfer", &hash, now).await {
        Ok(Claim::Fresh) => {}
        Ok(Claim::Replay(json)) => {
            tx.rollback().await?;
            return serde_json::from_str(&json).map_err(|err| {
                tracing::error!(error = %err, "stored transfer receipt unreadable");
                Attempt::Refused(AppError::new(ErrorCode::Internal))
            });
        }
        Err(err) => return Err(err.into()),
    }

    let (paying, receiving) = resolve(&mut tx, who, request).await?;
    if needs_step_up(&receiving, request.amount) && step_up == StepUp::Missing {
        return Err(AppError::new(ErrorCode::StepUpRequired).into());
    }
    // Both rows locked (in id order) before the limits are summed, so two payments
    // from one account cannot both fit under the same remaining limit.
    posting::lock_accounts(&mut tx, backend, &[paying.id, receiving.id]).await?;
    let left = limit_left(&mut tx, &paying, &receiving, today).await?;
    check_limit(left, request.amount)?;

    let payer_name: String = sqlx::query_scalar("SELECT full_name FROM customers WHERE id = $1")
        .bind(who.customer_id)
        .fetch_one(&mut *tx)
        .await?;
    let amount = request.amount.minor();
    let entry = Entry {
        kind: "transfer",
        reference: None,
        memo: request.memo.clone(),
        value_date: today,
        lines: vec![
            Line { account_id: paying.id, amount: -amount, counterparty: receiving.holder_name.clone() },
            Line { account_id: receiving.id, amount, counterparty: payer_name },
        ],
    };
    let journal_id = posting::post(&mut tx, backend, &entry, now).await.map_err(post_error)?;

    let receipt_no = format!("TR{}{journal_id:010}", today.to_string().replace('-', ""));
    let counts = !receiving.own;
    sqlx::query(
        "INSERT INTO transfers (receipt_no, customer_id, from_account_id, to_account_id, payee_name, amount, memo, \
         counts_to_limit, local_date, journal_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&receipt_no)
    .bind(who.customer_id)
    .bind(paying.id)
    .bind(receiving.id)
    .bind(&receiving.holder_name)
    .bind(amount)
    .bind(&request.memo)
    .bind(i64::from(counts))
    .bind(today.to_string())
    .bind(journal_id)
    .bind(now.micros())
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE accounts SET last_activity_on = $1 WHERE id = $2")
        .bind(today.to_string())
        .bind(paying.id)
        .execute(&mut *tx)
        .await?;
    remember_payee(&mut tx, who, request, &receiving, now, backend, origin).await?;

    // The receipt tells what is really left today, also after a move between one's
    // own accounts (which does not count but does not lift earlier payments either).
    let day_left_after = match left {
        Some((day, _)) => Money::yuan_fen(day.minor() - amount),
        None => limits_left(&mut *tx, paying.id, paying.tier, today).await?.0,
    };
    let receipt = Receipt {
        receipt_no,
        from_masked: mask_number(&paying.account_no),
        to_masked: mask_number(&receiving.account_no),
        payee_name: receiving.holder_name.clone(),
        amount: request.amount.money(),
        memo: request.memo.clone(),
        at: now,
        local_time: local_time(state.zone, now),
        daily_limit_left: day_left_after,
    };
    let json = serde_json::to_string(&receipt).map_err(|_| AppError::new(ErrorCode::Internal))?;
    idempotency::complete(&mut tx, who.customer_id, &request.key, &json).await?;
    tx.commit().await?;
    Ok(receipt)
}

/// Finds both accounts through their owners and checks they can take part.
async fn resolve(
    tx: &mut Transaction<'static, Any>,
    who: &CustomerChange,
    request: &TransferRequest,
) -> Result<(Paying, Receiving), AppError> {
    let memo_ok = request.memo.chars().count() <= MEMO_MAX_CHARS && !request.memo.chars().any(char::is_control);
    if !memo_ok {
        return Err(AppError::invalid("memo"));
    }
    let paying: Option<(i64, String, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT id, account_no, tier, status, balance FROM accounts \
         WHERE id = $1 AND customer_id = $2 AND kind = 'demand_deposit'",
    )
    .bind(request.from)
    .bind(who.customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, account_no, tier, status, balance) = paying.ok_or(AppError::new(ErrorCode::NotFound))?;
    if status != "active" {
        return Err(AppError::new(ErrorCode::AccountUnavailable));
    }
    let paying = Paying { id, account_no, tier: tier.and_then(Tier::from_number).unwrap_or(Tier::Three), balance };

    let receiving = match &request.to {
        Destination::Own(to) => {
            let own: Option<(i64, String, String)> = sqlx::query_as(
                "SELECT a.id, a.account_no, c.full_name FROM accounts a JOIN customers c ON c.id = a.customer_id \
                 WHERE a.id = $1 AND a.customer_id = $2 AND a.kind IN ('demand_deposit', 'credit_card') \
                 AND a.status IN ('active', 'dormant')",
            )
            .bind(to)
            .bind(who.customer_id)
            .fetch_optional(&mut **tx)
            .await?;
            let (id, account_no, holder_name) = own.ok_or(AppError::new(ErrorCode::NotFound))?;
            Receiving { id, account_no, holder_name, own: true, saved_payee: true }
        }
        Destination::Other { account_no, holder_name } => {
            let typed: String = account_no.chars().filter(|c| !c.is_whitespace()).collect();
            let name = holder_name.trim();
            // The payer may have been given the account number or the debit card's
            // number (printed on the card): both lead to the same demand account.
            let found: Option<(i64, String, i64, String)> = sqlx::query_as(
                "SELECT a.id, c.full_name, a.customer_id, a.account_no FROM accounts a \
                 JOIN customers c ON c.id = a.customer_id \
                 WHERE (a.account_no = $1 OR a.id = (SELECT account_id FROM cards WHERE card_no = $1 \
                 AND kind = 'debit' AND status = 'active')) \
                 AND a.kind = 'demand_deposit' AND a.status IN ('active', 'dormant') AND c.status <> 'closed'",
            )
            .bind(&typed)
            .fetch_optional(&mut **tx)
            .await?;
            // Unknown number and wrong name give the same answer: no probing for names.
            let (id, full_name, owner, number) = found
                .filter(|(_, full_name, _, _)| full_name == name)
                .ok_or(AppError { code: ErrorCode::PayeeMismatch, field: Some("holder_name".into()) })?;
            let saved: Option<i64> =
                sqlx::query_scalar("SELECT id FROM payees WHERE customer_id = $1 AND account_no = $2")
                    .bind(who.customer_id)
                    .bind(&number)
                    .fetch_optional(&mut **tx)
                    .await?;
            let own = owner == who.customer_id;
            Receiving { id, account_no: number, holder_name: full_name, own, saved_payee: own || saved.is_some() }
        }
    };
    if receiving.id == paying.id {
        return Err(AppError::new(ErrorCode::SameAccount));
    }
    Ok((paying, receiving))
}

fn needs_step_up(receiving: &Receiving, amount: Amount) -> bool {
    !receiving.saved_payee || amount.minor() > STEP_UP_ABOVE.minor()
}

/// What is left of the paying account's daily and yearly limits, or `None` when the
/// transfer does not count (between one's own accounts).
async fn limit_left(
    tx: &mut Transaction<'static, Any>,
    paying: &Paying,
    receiving: &Receiving,
    today: Day,
) -> Result<Option<(Money, Money)>, AppError> {
    if receiving.own {
        return Ok(None);
    }
    Ok(Some(limits_left(&mut **tx, paying.id, paying.tier, today).await?))
}

/// What is left today and this calendar year of an account's limits for payments
/// to others (moves between one's own accounts do not count).
pub async fn limits_left<'c, E>(conn: E, account_id: i64, tier: Tier, today: Day) -> Result<(Money, Money), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = Any>,
{
    let year_start = format!("{:04}-01-01", today.year());
    // CAST: PostgreSQL sums BIGINT into NUMERIC, which the Any driver cannot read as i64.
    let (day_used, year_used): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT CAST(SUM(CASE WHEN local_date = $2 THEN amount ELSE 0 END) AS BIGINT), CAST(SUM(amount) AS BIGINT) \
         FROM transfers WHERE from_account_id = $1 AND counts_to_limit = 1 AND local_date >= $3 AND local_date <= $2",
    )
    .bind(account_id)
    .bind(today.to_string())
    .bind(year_start)
    .fetch_one(conn)
    .await?;
    let day_left = tier.daily_limit().minor() - day_used.unwrap_or(0);
    let year_left = tier.yearly_limit().minor() - year_used.unwrap_or(0);
    Ok((Money::yuan_fen(day_left.max(0)), Money::yuan_fen(year_left.max(0))))
}

fn check_limit(left: Option<(Money, Money)>, amount: Amount) -> Result<(), AppError> {
    match left {
        Some((day, _)) if amount.minor() > day.minor() => Err(AppError::new(ErrorCode::DailyLimitExceeded)),
        Some((_, year)) if amount.minor() > year.minor() => Err(AppError::new(ErrorCode::YearlyLimitExceeded)),
        _ => Ok(()),
    }
}

async fn remember_payee(
    tx: &mut Transaction<'static, Any>,
    who: &CustomerChange,
    request: &TransferRequest,
    receiving: &Receiving,
    now: Timestamp,
    backend: crate::backend::Backend,
    origin: &str,
) -> Result<(), sqlx::Error> {
    if receiving.own {
        return Ok(());
    }
    if receiving.saved_payee {
        sqlx::query("UPDATE payees SET last_used_at = $3 WHERE customer_id = $1 AND account_no = $2")
            .bind(who.customer_id)
            .bind(&receiving.account_no)
            .bind(now.micros())
            .execute(&mut **tx)
            .await?;
        return Ok(());
    }
    if !request.save_payee {
        return Ok(());
    }
    let added: Option<i64> = sqlx::query_scalar(
        "INSERT INTO payees (customer_id, account_no, holder_name, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (customer_id, account_no) DO NOTHING RETURNING id",
    )
    .bind(who.customer_id)
    .bind(&receiving.account_no)
    .bind(&receiving.holder_name)
    .bind(now.micros())
    .fetch_optional(&mut **tx)
    .await?;
    if added.is_none() {
        // Saved by a concurrent transfer a moment ago: that one recorded the event.
        return Ok(());
    }
    let event = AuditEvent {
        actor: Actor::Customer(who.customer_id),
        customer_id: Some(who.customer_id),
        event: audit::events::PAYEE_ADDED,
        detail: serde_json::json!({ "account": mask_number(&receiving.account_no) }),
        origin,
    };
    // The audit chain's head row is one more lock: taken last, after the accounts.
    audit::record(tx, backend, now, &event).await?;
    Ok(())
}
