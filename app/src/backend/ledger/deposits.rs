//! Deposits: opening a time deposit from a demand account, its renew-or-pay-out
//! choice, early withdrawal, installment savings (零存整取) and notice deposits
//! (通知存款), and the maturity calendar.
//!
//! Interest is integer arithmetic in fen, rounded half-up once at the end:
//! a time deposit earns principal × rate × months / 12 at maturity; withdrawn
//! early it earns the demand rate for the days held (days / 360, as Chinese banks
//! count).
use super::idempotency::{self, Claim};
use super::posting::{self, Entry, Line};
use super::retry::{post_error, with_retries, Attempt};
use crate::api::deposits::{
    CalendarItem, CalendarMonth, DepositsView, EarlyWithdrawalPreview, InstallmentView, NoticeDepositView,
    NoticeStatus, NoticeView, OpenForm, OpenQuote, OpenedDeposit, SourceAccount, TimeDepositView, TimeProduct,
    WithdrawalDone, MIN_TIME_DEPOSIT,
};
use crate::backend::auth::{CustomerChange, CustomerRead};
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{mask_number, Amount, AtMaturity, Day, IdempotencyKey, Localized, Money, ProductKind, Timestamp};
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;

/// The bank as the other side of interest and maturity lines.
pub const BANK_COUNTERPARTY: &str = "乡邮储蓄银行";

/// The demand deposit product: its rate is what early withdrawals earn.
pub const DEMAND_PRODUCT: &str = "DD-CNY";

// ---------------------------------------------------------------------------------
// Interest arithmetic
// ---------------------------------------------------------------------------------

/// `numerator / denominator` rounded half away from zero (half-up for amounts owed
/// to the customer).
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    if denominator == 0 {
        return 0;
    }
    let (n, d) = if denominator < 0 { (-numerator, -denominator) } else { (numerator, denominator) };
    if n >= 0 {
        (n + d / 2) / d
    } else {
        -((-n + d / 2) / d)
    }
}

fn to_fen(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Interest on `principal` at `rate_bp` for `months` (a time deposit's term).
pub fn term_interest(principal: i64, rate_bp: i64, months: i64) -> i64 {
    to_fen(div_round_half_up(i128::from(principal) * i128::from(rate_bp) * i128::from(months), 10_000 * 12))
}

/// Interest on `principal` at `rate_bp` for `days` (days / 360).
pub fn day_interest(principal: i64, rate_bp: i64, days: i64) -> i64 {
    to_fen(div_round_half_up(i128::from(principal) * i128::from(rate_bp) * i128::from(days.max(0)), 10_000 * 360))
}

/// Interest on a sum of daily closing balances (积数) at `rate_bp`.
pub fn accrual_interest(accrual_base: i64, rate_bp: i64) -> i64 {
    to_fen(div_round_half_up(i128::from(accrual_base) * i128::from(rate_bp), 10_000 * 360))
}

/// Installment savings: `monthly` paid every month for `months` months earns
/// monthly × rate × (n(n+1)/2) / 12 (the month-sum, 月积数).
pub fn installment_interest(monthly: i64, rate_bp: i64, months: i64) -> i64 {
    let month_sum = i128::from(months) * i128::from(months + 1) / 2;
    to_fen(div_round_half_up(i128::from(monthly) * i128::from(rate_bp) * month_sum, 10_000 * 12))
}

/// Months from `earlier`'s month to `later`'s month (0 for the same month).
pub fn months_between(earlier: Day, later: Day) -> i64 {
    (i64::from(later.year()) * 12 + i64::from(later.month()))
        - (i64::from(earlier.year()) * 12 + i64::from(earlier.month()))
}

// ---------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------

fn day_of(text: &str) -> Result<Day, AppError> {
    Day::parse(text).ok_or_else(|| {
        tracing::error!(value = text, "stored day unreadable");
        AppError::new(ErrorCode::Internal)
    })
}

async fn demand_rate(tx: &mut Transaction<'static, Any>) -> Result<i64, sqlx::Error> {
    let rate: Option<Option<i64>> = sqlx::query_scalar("SELECT rate_bp FROM products WHERE code = $1")
        .bind(DEMAND_PRODUCT)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(rate.flatten().unwrap_or(0))
}

/// When the current term of a time deposit began: its last renewal, or its opening.
async fn term_start(tx: &mut Transaction<'static, Any>, account_id: i64, opened_on: Day) -> Result<Day, AppError> {
    let last: Option<String> = sqlx::query_scalar(
        "SELECT MAX(j.value_date) FROM journal_entries j JOIN postings p ON p.journal_id = j.id \
         WHERE p.account_id = $1 AND j.kind = 'maturity'",
    )
    .bind(account_id)
    .fetch_one(&mut **tx)
    .await?;
    match last {
        Some(text) => day_of(&text),
        None => Ok(opened_on),
    }
}

async fn masked_no(tx: &mut Transaction<'static, Any>, account_id: Option<i64>) -> Result<Option<String>, sqlx::Error> {
    let Some(id) = account_id else { return Ok(None) };
    let number: Option<String> =
        sqlx::query_scalar("SELECT account_no FROM accounts WHERE id = $1").bind(id).fetch_optional(&mut **tx).await?;
    Ok(number.map(|n| mask_number(&n)))
}

async fn demand_accounts(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
) -> Result<Vec<SourceAccount>, sqlx::Error> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, account_no, balance FROM accounts \
         WHERE customer_id = $1 AND kind = 'demand_deposit' AND status = 'active' ORDER BY id",
    )
    .bind(customer_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, no, balance)| SourceAccount {
            id,
            number_masked: mask_number(&no),
            balance: Money::yuan_fen(balance),
        })
        .collect())
}

/// A deposit row as the deposits page needs it.
type DepositRow = (
    i64,            // id
    String,         // account_no
    String,         // kind
    i64,            // balance
    Option<i64>,    // rate_bp
    Option<i64>,    // term_months
    Option<String>, // maturity_date
    Option<String>, // at_maturity
    Option<i64>,    // linked_account_id
    Option<i64>,    // original_amount
    Option<i64>,    // monthly_amount
    Option<i64>,    // notice_days
    String,         // opened_on
    String,         // name_zh
    String,         // name_en
);

fn early_preview(
    principal: i64,
    rate_bp: i64,
    term_months: i64,
    days_held: i64,
    demand_bp: i64,
) -> EarlyWithdrawalPreview {
    let interest_today = day_interest(principal, demand_bp, days_held);
    let interest_at_maturity = term_interest(principal, rate_bp, term_months);
    EarlyWithdrawalPreview {
        days_held,
        demand_rate_bp: demand_bp,
        interest_today: Money::yuan_fen(interest_today),
        payout_today: Money::yuan_fen(principal + interest_today),
        interest_at_maturity: Money::yuan_fen(interest_at_maturity),
        payout_at_maturity: Money::yuan_fen(principal + interest_at_maturity),
        interest_lost: Money::yuan_fen((interest_at_maturity - interest_today).max(0)),
    }
}

/// Installment months: which of the term's months so far have a deposit.
fn installment_months(opened_on: Day, term_months: u32, today: Day, paid: &[Day]) -> (u32, Vec<String>, bool) {
    let paid_keys: std::collections::BTreeSet<String> = paid.iter().map(|d| d.month_key()).collect();
    let this_month = today.month_key();
    let mut paid_months = 0;
    let mut missed = Vec::new();
    for k in 0..term_months {
        let month = opened_on.plus_months(k).month_key();
        if month > this_month {
            break;
        }
        if paid_keys.contains(&month) {
            paid_months += 1;
        } else if month < this_month {
            missed.push(month);
        }
    }
    (paid_months, missed, paid_keys.contains(&this_month))
}

/// Everything on the deposits page.
pub async fn overview(state: &AppState, who: &CustomerRead) -> Result<DepositsView, AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let mut tx = state.db.pool().begin().await?;
    let demand_bp = demand_rate(&mut tx).await?;
    let rows: Vec<DepositRow> = sqlx::query_as(
        "SELECT a.id, a.account_no, a.kind, a.balance, a.rate_bp, a.term_months, a.maturity_date, a.at_maturity, \
         a.linked_account_id, a.original_amount, a.monthly_amount, a.notice_days, a.opened_on, \
         COALESCE(p.name_zh, ''), COALESCE(p.name_en, '') \
         FROM accounts a LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.customer_id = $1 AND a.kind IN ('time_deposit', 'installment_savings', 'notice_deposit') \
         AND a.status <> 'closed' ORDER BY a.maturity_date, a.id",
    )
    .bind(who.customer_id)
    .fetch_all(&mut *tx)
    .await?;

    let mut view = DepositsView {
        today,
        demand_rate_bp: demand_bp,
        time_deposits: Vec::new(),
        installments: Vec::new(),
        notice_deposits: Vec::new(),
        calendar: Vec::new(),
        demand_accounts: demand_accounts(&mut tx, who.customer_id).await?,
    };
    let horizon = today.plus_months(12);
    let mut calendar: BTreeMap<String, Vec<CalendarItem>> = BTreeMap::new();
    for row in rows {
        let (id, no, kind, balance, rate, term, maturity, at, linked, original, monthly, notice_days, opened, zh, en) =
            row;
        let name = Localized { zh, en };
        let opened_on = day_of(&opened)?;
        let rate_bp = rate.unwrap_or(0);
        let term_months = term.unwrap_or(0);
        let maturity_date = maturity.as_deref().map(day_of).transpose()?;
        match kind.as_str() {
            "time_deposit" => {
                let Some(maturity_date) = maturity_date else { continue };
                let principal = original.unwrap_or(balance);
                let start = term_start(&mut tx, id, opened_on).await?;
                let days_held = start.days_until(today).max(0);
                let at_maturity = at.as_deref().and_then(AtMaturity::parse).unwrap_or(AtMaturity::PayOut);
                let early = early_preview(balance, rate_bp, term_months, days_held, demand_bp);
                if maturity_date <= horizon {
                    calendar.entry(maturity_date.month_key()).or_default().push(CalendarItem {
                        account_id: id,
                        kind: ProductKind::TimeDeposit,
                        name: name.clone(),
                        number_masked: mask_number(&no),
                        maturity_date,
                        amount_at_maturity: Money::yuan_fen(principal + term_interest(principal, rate_bp, term_months)),
                        at_maturity: Some(at_maturity),
                    });
                }
                view.time_deposits.push(TimeDepositView {
                    id,
                    number_masked: mask_number(&no),
                    name,
                    principal: Money::yuan_fen(principal),
                    rate_bp,
                    term_months,
                    opened_on,
                    term_start: start,
                    maturity_date,
                    days_left: today.days_until(maturity_date).max(0),
                    at_maturity,
                    can_switch: today < maturity_date,
                    linked_masked: masked_no(&mut tx, linked).await?,
                    early,
                    withdraw_key: IdempotencyKey::generate().as_str().to_owned(),
                });
            }
            "installment_savings" => {
                let Some(maturity_date) = maturity_date else { continue };
                let monthly = monthly.unwrap_or(0);
                let months = u32::try_from(term_months).unwrap_or(0);
                let paid: Vec<String> =
                    sqlx::query_scalar("SELECT value_date FROM postings WHERE account_id = $1 AND amount > 0")
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await?;
                let paid: Vec<Day> = paid.iter().filter_map(|d| Day::parse(d)).collect();
                let (paid_months, missed_months, paid_this_month) = installment_months(opened_on, months, today, &paid);
                let expected = monthly * term_months + installment_interest(monthly, rate_bp, term_months);
                if maturity_date <= horizon {
                    calendar.entry(maturity_date.month_key()).or_default().push(CalendarItem {
                        account_id: id,
                        kind: ProductKind::InstallmentSavings,
                        name: name.clone(),
                        number_masked: mask_number(&no),
                        maturity_date,
                        amount_at_maturity: Money::yuan_fen(expected),
                        at_maturity: None,
                    });
                }
                view.installments.push(InstallmentView {
                    id,
                    number_masked: mask_number(&no),
                    name,
                    monthly_amount: Money::yuan_fen(monthly),
                    rate_bp,
                    balance: Money::yuan_fen(balance),
                    opened_on,
                    maturity_date,
                    term_months: months,
                    paid_months,
                    missed_months,
                    paid_this_month,
                    expected_at_maturity: Money::yuan_fen(expected),
                    pay_key: IdempotencyKey::generate().as_str().to_owned(),
                });
            }
            "notice_deposit" => {
                let notice_days = notice_days.unwrap_or(7);
                let notices: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
                    "SELECT id, amount, given_on, due_on, status FROM deposit_notices WHERE account_id = $1 \
                     ORDER BY id DESC LIMIT 20",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let mut list = Vec::with_capacity(notices.len());
                let mut pending = 0;
                for (nid, amount, given, due, status) in notices {
                    let status = NoticeStatus::parse(&status).unwrap_or(NoticeStatus::Cancelled);
                    if status == NoticeStatus::Pending {
                        pending += amount;
                    }
                    list.push(NoticeView {
                        id: nid,
                        amount: Money::yuan_fen(amount),
                        given_on: day_of(&given)?,
                        due_on: day_of(&due)?,
                        status,
                    });
                }
                view.notice_deposits.push(NoticeDepositView {
                    id,
                    number_masked: mask_number(&no),
                    name,
                    balance: Money::yuan_fen(balance),
                    available: Money::yuan_fen((balance - pending).max(0)),
                    notice_days,
                    rate_bp,
                    due_if_given_today: today.plus_days(notice_days),
                    linked_masked: masked_no(&mut tx, linked).await?,
                    notices: list,
                    notice_key: IdempotencyKey::generate().as_str().to_owned(),
                });
            }
            _ => {}
        }
    }
    tx.rollback().await?;
    view.calendar = calendar
        .into_iter()
        .filter(|(month, _)| *month >= today.month_key())
        .map(|(month, mut items)| {
            items.sort_by_key(|i| (i.maturity_date, i.account_id));
            CalendarMonth { month, items }
        })
        .collect();
    Ok(view)
}

// ---------------------------------------------------------------------------------
// Opening a time deposit
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenRequest {
    pub product_code: String,
    pub from: i64,
    pub amount: Amount,
    pub at_maturity: AtMaturity,
    pub key: IdempotencyKey,
}

/// code, name_zh, name_en, rate_bp, term_months
type ProductRow = (String, String, String, Option<i64>, Option<i64>);

async fn time_products(tx: &mut Transaction<'static, Any>) -> Result<Vec<TimeProduct>, sqlx::Error> {
    let rows: Vec<ProductRow> = sqlx::query_as(
        "SELECT code, name_zh, name_en, rate_bp, term_months FROM products \
         WHERE kind = 'time_deposit' AND active = 1 ORDER BY term_months, code",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, zh, en, rate, term)| {
            Some(TimeProduct { code, name: Localized { zh, en }, rate_bp: rate?, term_months: term? })
        })
        .collect())
}

/// The products, the customer's demand accounts and a fresh key for the form.
pub async fn open_form(state: &AppState, who: &CustomerRead) -> Result<OpenForm, AppError> {
    let mut tx = state.db.pool().begin().await?;
    let products = time_products(&mut tx).await?;
    let accounts = demand_accounts(&mut tx, who.customer_id).await?;
    tx.rollback().await?;
    Ok(OpenForm {
        today: Day::at(state.zone, state.clock.now()),
        products,
        accounts,
        minimum: MIN_TIME_DEPOSIT,
        key: IdempotencyKey::generate().as_str().to_owned(),
    })
}

/// The paying demand account, through its owner.
async fn source_account(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    account_id: i64,
) -> Result<(i64, String, i64), AppError> {
    let row: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, account_no, status, balance FROM accounts \
         WHERE id = $1 AND customer_id = $2 AND kind = 'demand_deposit'",
    )
    .bind(account_id)
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, no, status, balance) = row.ok_or(AppError::new(ErrorCode::NotFound))?;
    if status != "active" {
        return Err(AppError::new(ErrorCode::AccountUnavailable));
    }
    Ok((id, no, balance))
}

async fn check_open(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    request: &OpenRequest,
) -> Result<(TimeProduct, (i64, String, i64)), AppError> {
    let product = time_products(tx)
        .await?
        .into_iter()
        .find(|p| p.code == request.product_code)
        .ok_or_else(|| AppError::invalid("product"))?;
    if request.amount.minor() < MIN_TIME_DEPOSIT.minor() {
        return Err(AppError::invalid("amount"));
    }
    let source = source_account(tx, customer_id, request.from).await?;
    Ok((product, source))
}

/// The confirmation step: checks everything and says what the deposit will be.
pub async fn quote(state: &AppState, who: &CustomerRead, request: &OpenRequest) -> Result<OpenQuote, AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let mut tx = state.db.pool().begin().await?;
    let (product, (_, from_no, balance)) = check_open(&mut tx, who.customer_id, request).await?;
    tx.rollback().await?;
    if balance < request.amount.minor() {
        return Err(AppError::new(ErrorCode::InsufficientFunds));
    }
    let amount = request.amount.minor();
    let interest = term_interest(amount, product.rate_bp, product.term_months);
    Ok(OpenQuote {
        maturity_date: today.plus_months(u32::try_from(product.term_months).unwrap_or(0)),
        product,
        from_masked: mask_number(&from_no),
        amount: Money::yuan_fen(amount),
        opened_on: today,
        interest_at_maturity: Money::yuan_fen(interest),
        total_at_maturity: Money::yuan_fen(amount + interest),
        at_maturity: request.at_maturity,
    })
}

/// Claims the key, or answers with the stored response of the first request.
async fn claim<T: serde::de::DeserializeOwned>(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    key: &IdempotencyKey,
    operation: &str,
    hash: &str,
    now: Timestamp,
) -> Result<Option<T>, Attempt> {
    match idempotency::claim(tx, customer_id, key, operation, hash, now).await? {
        Claim::Fresh => Ok(None),
        Claim::Replay(json) => serde_json::from_str(&json).map(Some).map_err(|err| {
            tracing::error!(error = %err, operation, "stored answer unreadable");
            Attempt::Refused(AppError::new(ErrorCode::Internal))
        }),
    }
}

async fn complete<T: serde::Serialize>(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    key: &IdempotencyKey,
    answer: &T,
) -> Result<(), Attempt> {
    let json = serde_json::to_string(answer).map_err(|_| AppError::new(ErrorCode::Internal))?;
    idempotency::complete(tx, customer_id, key, &json).await?;
    Ok(())
}

/// A fresh account number for a new deposit: "61" and 17 random digits, retried on
/// the (unlikely) clash. Returns the new account's id.
#[allow(clippy::too_many_arguments)]
async fn insert_deposit_account(
    tx: &mut Transaction<'static, Any>,
    customer_id: i64,
    product: &TimeProduct,
    at_maturity: AtMaturity,
    linked: i64,
    principal: i64,
    today: Day,
    now: Timestamp,
) -> Result<(i64, String), Attempt> {
    use rand::Rng;
    let maturity = today.plus_months(u32::try_from(product.term_months).unwrap_or(0));
    for _ in 0..8 {
        let number = format!("61{:017}", rand::rngs::OsRng.gen_range(0..100_000_000_000_000_000_u64));
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO accounts (account_no, customer_id, product_code, kind, status, rate_bp, term_months, \
             maturity_date, at_maturity, linked_account_id, original_amount, opened_on, opened_at) \
             VALUES ($1, $2, $3, 'time_deposit', 'active', $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (account_no) DO NOTHING RETURNING id",
        )
        .bind(&number)
        .bind(customer_id)
        .bind(&product.code)
        .bind(product.rate_bp)
        .bind(product.term_months)
        .bind(maturity.to_string())
        .bind(at_maturity.as_str())
        .bind(linked)
        .bind(principal)
        .bind(today.to_string())
        .bind(now.micros())
        .fetch_optional(&mut **tx)
        .await?;
        if let Some(id) = id {
            return Ok((id, number));
        }
    }
    tracing::error!("no free account number after 8 tries");
    Err(Attempt::Refused(AppError::new(ErrorCode::Internal)))
}

/// Opens a time deposit, once per idempotency key: the money moves from the demand
/// account into the new deposit in one journal entry.
pub async fn open_time_deposit(
    state: &AppState,
    who: &CustomerChange,
    request: &OpenRequest,
) -> Result<OpenedDeposit, AppError> {
    with_retries("deposit_open", || open_once(state, who, request)).await
}

async fn open_once(state: &AppState, who: &CustomerChange, request: &OpenRequest) -> Result<OpenedDeposit, Attempt> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let backend = state.db.backend();
    let mut tx = state.db.begin_write().await?;
    let hash = idempotency::request_hash(
        "deposit_open",
        &[
            &who.customer_id.to_string(),
            &request.product_code,
            &request.from.to_string(),
            &request.amount.minor().to_string(),
            request.at_maturity.as_str(),
        ],
    );
    if let Some(answer) = claim(&mut tx, who.customer_id, &request.key, "deposit_open", &hash, now).await? {
        tx.rollback().await?;
        return Ok(answer);
    }
    let (product, (from_id, from_no, _)) = check_open(&mut tx, who.customer_id, request).await?;
    let amount = request.amount.minor();
    let (deposit_id, deposit_no) =
        insert_deposit_account(&mut tx, who.customer_id, &product, request.at_maturity, from_id, amount, today, now)
            .await?;
    let entry = Entry {
        kind: "deposit_open",
        reference: None,
        memo: String::new(),
        value_date: today,
        lines: vec![
            Line { account_id: from_id, amount: -amount, counterparty: mask_number(&deposit_no) },
            Line { account_id: deposit_id, amount, counterparty: mask_number(&from_no) },
        ],
    };
    posting::post(&mut tx, backend, &entry, now).await.map_err(post_error)?;
    sqlx::query("UPDATE accounts SET last_activity_on = $1 WHERE id = $2")
        .bind(today.to_string())
        .bind(from_id)
        .execute(&mut *tx)
        .await?;
    let opened = OpenedDeposit {
        account_id: deposit_id,
        number_masked: mask_number(&deposit_no),
        name: product.name.clone(),
        principal: Money::yuan_fen(amount),
        rate_bp: product.rate_bp,
        term_months: product.term_months,
        opened_on: today,
        maturity_date: today.plus_months(u32::try_from(product.term_months).unwrap_or(0)),
        interest_at_maturity: Money::yuan_fen(term_interest(amount, product.rate_bp, product.term_months)),
        at_maturity: request.at_maturity,
        from_masked: mask_number(&from_no),
    };
    complete(&mut tx, who.customer_id, &request.key, &opened).await?;
    tx.commit().await?;
    Ok(opened)
}

/// One of the customer's own deposits, as just opened (the result page).
pub async fn opened(state: &AppState, who: &CustomerRead, account_id: i64) -> Result<OpenedDeposit, AppError> {
    /// account_no, principal, rate, term, opened_on, maturity, at_maturity, linked, names
    type Row = (String, i64, i64, i64, String, String, String, Option<i64>, String, String);
    let row: Option<Row> = sqlx::query_as(
        "SELECT a.account_no, COALESCE(a.original_amount, a.balance), COALESCE(a.rate_bp, 0), \
         COALESCE(a.term_months, 0), a.opened_on, COALESCE(a.maturity_date, a.opened_on), \
         COALESCE(a.at_maturity, 'pay_out'), a.linked_account_id, COALESCE(p.name_zh, ''), \
         COALESCE(p.name_en, '') FROM accounts a LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.id = $1 AND a.customer_id = $2 AND a.kind = 'time_deposit'",
    )
    .bind(account_id)
    .bind(who.customer_id)
    .fetch_optional(state.db.pool())
    .await?;
    let (no, principal, rate_bp, term_months, opened_on, maturity, at, linked, zh, en) =
        row.ok_or(AppError::new(ErrorCode::NotFound))?;
    let mut tx = state.db.pool().begin().await?;
    let from_masked = masked_no(&mut tx, linked).await?.unwrap_or_default();
    tx.rollback().await?;
    Ok(OpenedDeposit {
        account_id,
        number_masked: mask_number(&no),
        name: Localized { zh, en },
        principal: Money::yuan_fen(principal),
        rate_bp,
        term_months,
        opened_on: day_of(&opened_on)?,
        maturity_date: day_of(&maturity)?,
        interest_at_maturity: Money::yuan_fen(term_interest(principal, rate_bp, term_months)),
        at_maturity: AtMaturity::parse(&at).unwrap_or(AtMaturity::PayOut),
        from_masked,
    })
}

// ---------------------------------------------------------------------------------
// Renew or pay out; early withdrawal
// ---------------------------------------------------------------------------------

/// Switches what happens at maturity, until the day before the maturity day.
pub async fn set_at_maturity(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    choice: AtMaturity,
) -> Result<(), AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let mut tx = state.db.begin_write().await?;
    let row: Option<(String, Option<String>)> = sqlx::query_as(
        "SELECT status, maturity_date FROM accounts WHERE id = $1 AND customer_id = $2 AND kind = 'time_deposit'",
    )
    .bind(account_id)
    .bind(who.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (status, maturity) = row.ok_or(AppError::new(ErrorCode::NotFound))?;
    if status != "active" {
        return Err(AppError::new(ErrorCode::AccountUnavailable));
    }
    let maturity = maturity.as_deref().map(day_of).transpose()?;
    if maturity.is_none_or(|m| today >= m) {
        return Err(AppError::invalid("at_maturity"));
    }
    sqlx::query("UPDATE accounts SET at_maturity = $1 WHERE id = $2 AND customer_id = $3")
        .bind(choice.as_str())
        .bind(account_id)
        .bind(who.customer_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a time deposit before maturity, once per key: the principal and interest
/// at the demand rate for the days held go to the linked demand account.
pub async fn withdraw_early(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    key: &IdempotencyKey,
) -> Result<WithdrawalDone, AppError> {
    with_retries("early_withdrawal", || withdraw_once(state, who, account_id, key)).await
}

async fn withdraw_once(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    key: &IdempotencyKey,
) -> Result<WithdrawalDone, Attempt> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let backend = state.db.backend();
    let mut tx = state.db.begin_write().await?;
    let hash = idempotency::request_hash("early_withdrawal", &[&who.customer_id.to_string(), &account_id.to_string()]);
    if let Some(answer) = claim(&mut tx, who.customer_id, key, "early_withdrawal", &hash, now).await? {
        tx.rollback().await?;
        return Ok(answer);
    }
    let row: Option<(String, Option<i64>, String)> = sqlx::query_as(
        "SELECT account_no, linked_account_id, opened_on FROM accounts \
         WHERE id = $1 AND customer_id = $2 AND kind = 'time_deposit'",
    )
    .bind(account_id)
    .bind(who.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (no, linked, opened_on) = row.ok_or(AppError::new(ErrorCode::NotFound))?;
    let linked = linked.ok_or(AppError::new(ErrorCode::AccountUnavailable))?;
    let ie = super::internal::Internal::InterestExpense.id(&mut tx).await?;
    posting::lock_accounts(&mut tx, backend, &[ie, account_id, linked]).await?;
    // Read again under the locks: the daily job may have matured it meanwhile.
    let (status, maturity, balance): (String, Option<String>, i64) =
        sqlx::query_as("SELECT status, maturity_date, balance FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    if status != "active" || balance <= 0 {
        return Err(AppError::new(ErrorCode::AccountUnavailable).into());
    }
    if maturity.as_deref().map(day_of).transpose()?.is_none_or(|m| today >= m) {
        return Err(AppError::invalid("early_withdrawal").into());
    }
    let linked_row: Option<(String, String)> = sqlx::query_as(
        "SELECT account_no, status FROM accounts WHERE id = $1 AND customer_id = $2 AND kind = 'demand_deposit'",
    )
    .bind(linked)
    .bind(who.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (linked_no, linked_status) = linked_row.ok_or(AppError::new(ErrorCode::AccountUnavailable))?;
    if linked_status == "closed" {
        return Err(AppError::new(ErrorCode::AccountUnavailable).into());
    }
    let demand_bp = demand_rate(&mut tx).await?;
    let start = term_start(&mut tx, account_id, day_of(&opened_on)?).await?;
    let interest = day_interest(balance, demand_bp, start.days_until(today));
    let mut lines = Vec::with_capacity(4);
    if interest > 0 {
        lines.push(Line { account_id: ie, amount: -interest, counterparty: mask_number(&no) });
        lines.push(Line { account_id, amount: interest, counterparty: BANK_COUNTERPARTY.to_owned() });
    }
    lines.push(Line { account_id, amount: -(balance + interest), counterparty: mask_number(&linked_no) });
    lines.push(Line { account_id: linked, amount: balance + interest, counterparty: mask_number(&no) });
    let entry = Entry { kind: "early_withdrawal", reference: None, memo: String::new(), value_date: today, lines };
    posting::post(&mut tx, backend, &entry, now).await.map_err(post_error)?;
    sqlx::query("UPDATE accounts SET status = 'closed', closed_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let done = WithdrawalDone {
        account_id,
        principal: Money::yuan_fen(balance),
        interest: Money::yuan_fen(interest),
        to_masked: mask_number(&linked_no),
    };
    complete(&mut tx, who.customer_id, key, &done).await?;
    tx.commit().await?;
    Ok(done)
}

// ---------------------------------------------------------------------------------
// Notice deposits
// ---------------------------------------------------------------------------------

/// Gives notice to withdraw `amount` from a notice deposit; it is paid to the linked
/// account on the due day (today + the notice days) by the daily job.
pub async fn give_notice(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    amount: Amount,
    key: &IdempotencyKey,
) -> Result<NoticeView, AppError> {
    with_retries("give_notice", || notice_once(state, who, account_id, amount, key)).await
}

async fn notice_once(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    amount: Amount,
    key: &IdempotencyKey,
) -> Result<NoticeView, Attempt> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let mut tx = state.db.begin_write().await?;
    let hash = idempotency::request_hash(
        "give_notice",
        &[&who.customer_id.to_string(), &account_id.to_string(), &amount.minor().to_string()],
    );
    if let Some(answer) = claim(&mut tx, who.customer_id, key, "give_notice", &hash, now).await? {
        tx.rollback().await?;
        return Ok(answer);
    }
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT status, notice_days, linked_account_id FROM accounts \
         WHERE id = $1 AND customer_id = $2 AND kind = 'notice_deposit'",
    )
    .bind(account_id)
    .bind(who.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (status, notice_days, linked) = row.ok_or(AppError::new(ErrorCode::NotFound))?;
    if status != "active" || linked.is_none() {
        return Err(AppError::new(ErrorCode::AccountUnavailable).into());
    }
    // The deposit's row locked, so two notices cannot both fit the same balance.
    let balances = posting::lock_accounts(&mut tx, state.db.backend(), &[account_id]).await?;
    let balance = balances.first().map_or(0, |(_, b)| *b);
    let pending: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM deposit_notices WHERE account_id = $1 AND status = 'pending'",
    )
    .bind(account_id)
    .fetch_one(&mut *tx)
    .await?;
    if amount.minor() > balance - pending.unwrap_or(0) {
        return Err(AppError::new(ErrorCode::InsufficientFunds).into());
    }
    let due = today.plus_days(notice_days.unwrap_or(7));
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO deposit_notices (account_id, amount, given_on, due_on, status, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
    )
    .bind(account_id)
    .bind(amount.minor())
    .bind(today.to_string())
    .bind(due.to_string())
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await?;
    let notice = NoticeView { id, amount: amount.money(), given_on: today, due_on: due, status: NoticeStatus::Pending };
    complete(&mut tx, who.customer_id, key, &notice).await?;
    tx.commit().await?;
    Ok(notice)
}

/// Withdraws a pending notice of the customer's own.
pub async fn cancel_notice(state: &AppState, who: &CustomerChange, notice_id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE deposit_notices SET status = 'cancelled' WHERE id = $1 AND status = 'pending' \
         AND account_id IN (SELECT id FROM accounts WHERE customer_id = $2 AND kind = 'notice_deposit')",
    )
    .bind(notice_id)
    .bind(who.customer_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Installment savings
// ---------------------------------------------------------------------------------

/// Pays this month's installment from one of the customer's demand accounts, once
/// per key and once per month.
pub async fn pay_installment(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    from: i64,
    key: &IdempotencyKey,
) -> Result<Money, AppError> {
    with_retries("installment", || installment_once(state, who, account_id, from, key)).await
}

async fn installment_once(
    state: &AppState,
    who: &CustomerChange,
    account_id: i64,
    from: i64,
    key: &IdempotencyKey,
) -> Result<Money, Attempt> {
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let backend = state.db.backend();
    let mut tx = state.db.begin_write().await?;
    let hash = idempotency::request_hash(
        "installment",
        &[&who.customer_id.to_string(), &account_id.to_string(), &from.to_string()],
    );
    if let Some(answer) = claim(&mut tx, who.customer_id, key, "installment", &hash, now).await? {
        tx.rollback().await?;
        return Ok(answer);
    }
    let row: Option<(String, String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT account_no, status, monthly_amount, maturity_date FROM accounts \
         WHERE id = $1 AND customer_id = $2 AND kind = 'installment_savings'",
    )
    .bind(account_id)
    .bind(who.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (no, status, monthly, maturity) = row.ok_or(AppError::new(ErrorCode::NotFound))?;
    let (from_id, from_no, _) = source_account(&mut tx, who.customer_id, from).await?;
    let monthly = monthly.unwrap_or(0);
    let matured = maturity.as_deref().map(day_of).transpose()?.is_none_or(|m| today >= m);
    if status != "active" || monthly <= 0 || matured {
        return Err(AppError::new(ErrorCode::AccountUnavailable).into());
    }
    posting::lock_accounts(&mut tx, backend, &[from_id, account_id]).await?;
    let month_start = format!("{}-01", today.month_key());
    let this_month: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM postings WHERE account_id = $1 AND amount > 0 AND value_date >= $2")
            .bind(account_id)
            .bind(month_start)
            .fetch_one(&mut *tx)
            .await?;
    if this_month > 0 {
        return Err(AppError::invalid("installment").into());
    }
    let entry = Entry {
        kind: "installment",
        reference: None,
        memo: String::new(),
        value_date: today,
        lines: vec![
            Line { account_id: from_id, amount: -monthly, counterparty: mask_number(&no) },
            Line { account_id, amount: monthly, counterparty: mask_number(&from_no) },
        ],
    };
    posting::post(&mut tx, backend, &entry, now).await.map_err(post_error)?;
    sqlx::query("UPDATE accounts SET last_activity_on = $1 WHERE id IN ($2, $3)")
        .bind(today.to_string())
        .bind(from_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let paid = Money::yuan_fen(monthly);
    complete(&mut tx, who.customer_id, key, &paid).await?;
    tx.commit().await?;
    Ok(paid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn rounds_half_up_to_the_fen() {
        assert_eq!(div_round_half_up(5, 10), 1);
        assert_eq!(div_round_half_up(4, 10), 0);
        assert_eq!(div_round_half_up(-5, 10), -1);
        assert_eq!(div_round_half_up(15, 10), 2);
    }

    #[test]
    fn time_deposit_interest() {
        // ¥10,000 for a year at 1.35%: ¥135.00.
        assert_eq!(term_interest(1_000_000, 135, 12), 13_500);
        // ¥10,000 for 3 months at 1.05%: ¥26.25.
        assert_eq!(term_interest(1_000_000, 105, 3), 2_625);
        // ¥333.33 for 3 months at 1.05% = 0.87499… → ¥0.87
        assert_eq!(term_interest(33_333, 105, 3), 87);
        // ¥10,000 for 90 days at 0.10% = 2.5 → ¥2.50.
        assert_eq!(day_interest(1_000_000, 10, 90), 250);
        // 积数 ¥1,000 × 91 days at 0.10%: 9,100,000 × 10 / 3,600,000 = 25.277… → ¥0.25.
        assert_eq!(accrual_interest(9_100_000, 10), 25);
    }

    #[test]
    fn installment_months_and_interest() {
        let paid = [day("2026-06-10"), day("2026-07-02"), day("2026-09-30"), day("2026-11-01")];
        let (n, missed, this) = installment_months(day("2026-06-10"), 12, day("2026-11-29"), &paid);
        assert_eq!(n, 4);
        assert_eq!(missed, vec!["2026-08".to_owned(), "2026-10".to_owned()]);
        assert!(this);
        // ¥100 a month for 12 months at 1.10%: 100 × 0.011 × 78 / 12 = ¥7.15.
        assert_eq!(installment_interest(10_000, 110, 12), 715);
        assert_eq!(months_between(day("2026-11-29"), day("2027-02-01")), 3);
    }

    #[test]
    fn early_withdrawal_compares_both() {
        let p = early_preview(1_000_000, 135, 12, 90, 10);
        assert_eq!(p.interest_today.minor(), 250);
        assert_eq!(p.interest_at_maturity.minor(), 13_500);
        assert_eq!(p.interest_lost.minor(), 13_250);
        assert_eq!(p.payout_today.minor(), 1_000_250);
    }
}
