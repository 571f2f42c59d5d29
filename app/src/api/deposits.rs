//! Server functions of deposits: time deposits (open, renew or pay out, early
//! withdrawal), installment savings, notice deposits and the maturity calendar.
//! Every deposit is found through its owner: another customer's id answers
//! `not_found`. Money-moving requests carry an idempotency key that the form got
//! from the server when it was rendered.
//!
//! The view types live here because both the server (which fills them) and the
//! browser (which renders them) need them.
use crate::error::AppError;
use crate::types::{AtMaturity, Day, Localized, Money, ProductKind};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The smallest time deposit the portal opens (¥50).
pub const MIN_TIME_DEPOSIT: Money = Money::yuan_fen(50_00);

/// What the deposits page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepositsView {
    pub today: Day,
    /// The demand deposit rate an early withdrawal earns.
    pub demand_rate_bp: i64,
    pub time_deposits: Vec<TimeDepositView>,
    pub installments: Vec<InstallmentView>,
    pub notice_deposits: Vec<NoticeDepositView>,
    /// Maturities in the next 12 months, by month.
    pub calendar: Vec<CalendarMonth>,
    /// The customer's demand accounts (to pay an installment from).
    pub demand_accounts: Vec<SourceAccount>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeDepositView {
    pub id: i64,
    pub number_masked: String,
    pub name: Localized,
    /// Principal of the current term.
    pub principal: Money,
    pub rate_bp: i64,
    pub term_months: i64,
    pub opened_on: Day,
    /// When the current term began (the opening, or the last renewal).
    pub term_start: Day,
    pub maturity_date: Day,
    pub days_left: i64,
    pub at_maturity: AtMaturity,
    /// Whether renew / pay out may still be switched (before the maturity day).
    pub can_switch: bool,
    pub linked_masked: Option<String>,
    pub early: EarlyWithdrawalPreview,
    /// For the early-withdrawal form.
    pub withdraw_key: String,
}

/// Interest if the deposit is closed today, against interest if it is kept to maturity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlyWithdrawalPreview {
    pub days_held: i64,
    pub demand_rate_bp: i64,
    pub interest_today: Money,
    pub payout_today: Money,
    pub interest_at_maturity: Money,
    pub payout_at_maturity: Money,
    /// What withdrawing today gives up.
    pub interest_lost: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallmentView {
    pub id: i64,
    pub number_masked: String,
    pub name: Localized,
    pub monthly_amount: Money,
    pub rate_bp: i64,
    pub balance: Money,
    pub opened_on: Day,
    pub maturity_date: Day,
    pub term_months: u32,
    pub paid_months: u32,
    /// "2026-09": months since opening (before this one) without a deposit.
    pub missed_months: Vec<String>,
    pub paid_this_month: bool,
    /// What the customer gets at maturity if every month is paid.
    pub expected_at_maturity: Money,
    /// For the "pay this month" form.
    pub pay_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDepositView {
    pub id: i64,
    pub number_masked: String,
    pub name: Localized,
    pub balance: Money,
    /// The balance less the pending notices.
    pub available: Money,
    pub notice_days: i64,
    pub rate_bp: i64,
    /// When a notice given today falls due.
    pub due_if_given_today: Day,
    pub linked_masked: Option<String>,
    pub notices: Vec<NoticeView>,
    /// For the give-notice form.
    pub notice_key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    Pending,
    Paid,
    Cancelled,
}

impl NoticeStatus {
    pub fn parse(text: &str) -> Option<NoticeStatus> {
        match text {
            "pending" => Some(NoticeStatus::Pending),
            "paid" => Some(NoticeStatus::Paid),
            "cancelled" => Some(NoticeStatus::Cancelled),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub id: i64,
    pub amount: Money,
    pub given_on: Day,
    pub due_on: Day,
    pub status: NoticeStatus,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarMonth {
    /// "2027-02"
    pub month: String,
    pub items: Vec<CalendarItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarItem {
    pub account_id: i64,
    pub kind: ProductKind,
    pub name: Localized,
    pub number_masked: String,
    pub maturity_date: Day,
    /// Principal plus interest (installments: if every month is paid).
    pub amount_at_maturity: Money,
    pub at_maturity: Option<AtMaturity>,
}

/// A demand account money can come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceAccount {
    pub id: i64,
    pub number_masked: String,
    pub balance: Money,
}

/// A time deposit product on offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeProduct {
    pub code: String,
    pub name: Localized,
    pub rate_bp: i64,
    pub term_months: i64,
}

/// What the open-a-time-deposit form needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenForm {
    pub today: Day,
    pub products: Vec<TimeProduct>,
    pub accounts: Vec<SourceAccount>,
    pub minimum: Money,
    /// A fresh idempotency key for this form.
    pub key: String,
}

/// The confirmation step: what the deposit will be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenQuote {
    pub product: TimeProduct,
    pub from_masked: String,
    pub amount: Money,
    pub opened_on: Day,
    pub maturity_date: Day,
    pub interest_at_maturity: Money,
    pub total_at_maturity: Money,
    pub at_maturity: AtMaturity,
}

/// A deposit just opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenedDeposit {
    pub account_id: i64,
    pub number_masked: String,
    pub name: Localized,
    pub principal: Money,
    pub rate_bp: i64,
    pub term_months: i64,
    pub opened_on: Day,
    pub maturity_date: Day,
    pub interest_at_maturity: Money,
    pub at_maturity: AtMaturity,
    pub from_masked: String,
}

/// The answer to an early withdrawal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WithdrawalDone {
    pub account_id: i64,
    pub principal: Money,
    pub interest: Money,
    pub to_masked: String,
}

/// "1.35%" from basis points.
pub fn rate_text(rate_bp: i64) -> String {
    format!("{}.{:02}%", rate_bp / 100, rate_bp % 100)
}

#[cfg(feature = "ssr")]
mod support {
    use crate::error::AppError;
    use crate::types::{AtMaturity, IdempotencyKey};

    pub fn at_maturity(text: &str) -> Result<AtMaturity, AppError> {
        AtMaturity::parse(text.trim()).ok_or_else(|| AppError::invalid("at_maturity"))
    }

    pub fn key(text: &str) -> Result<IdempotencyKey, AppError> {
        IdempotencyKey::parse(text.trim())
    }

    pub fn redirect(path: &str) {
        leptos_axum::redirect(path);
    }
}

/// The deposits page: time deposits, installment savings, notice deposits and the
/// maturity calendar of the signed-in customer.
#[server(prefix = "/api", endpoint = "deposits")]
pub async fn deposits_overview() -> Result<DepositsView, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    crate::backend::ledger::deposits::overview(&state, &who).await
}

/// What the open-a-time-deposit form needs, with a fresh idempotency key.
#[server(prefix = "/api", endpoint = "deposit_open_form")]
pub async fn deposit_open_form() -> Result<OpenForm, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    crate::backend::ledger::deposits::open_form(&state, &who).await
}

#[cfg(feature = "ssr")]
fn open_request(
    product: &str,
    from: i64,
    amount: &str,
    at_maturity: &str,
    key: &str,
) -> Result<crate::backend::ledger::deposits::OpenRequest, AppError> {
    Ok(crate::backend::ledger::deposits::OpenRequest {
        product_code: product.trim().to_owned(),
        from,
        amount: crate::types::Amount::parse(amount)?,
        at_maturity: support::at_maturity(at_maturity)?,
        key: support::key(key)?,
    })
}

/// The confirmation of a time deposit before it is opened: maturity date and interest.
#[server(prefix = "/api", endpoint = "deposit_quote")]
pub async fn deposit_quote(
    product: String,
    from: i64,
    amount: String,
    at_maturity: String,
    key: String,
) -> Result<OpenQuote, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    let request = open_request(&product, from, &amount, &at_maturity, &key)?;
    crate::backend::ledger::deposits::quote(&state, &who, &request).await
}

/// Opens the time deposit (once per key) and shows the result.
#[server(prefix = "/api", endpoint = "deposit_open")]
pub async fn open_time_deposit(
    product: String,
    from: i64,
    amount: String,
    at_maturity: String,
    key: String,
) -> Result<OpenedDeposit, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let request = open_request(&product, from, &amount, &at_maturity, &key)?;
    let opened = crate::backend::ledger::deposits::open_time_deposit(&state, &who, &request).await?;
    support::redirect(&format!("/deposits/open?opened={}", opened.account_id));
    Ok(opened)
}

/// One of the customer's time deposits, as the result page shows it.
#[server(prefix = "/api", endpoint = "deposit_opened")]
pub async fn deposit_opened(account_id: i64) -> Result<OpenedDeposit, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    crate::backend::ledger::deposits::opened(&state, &who, account_id).await
}

/// Renew or pay out at maturity (until the day before the maturity day).
#[server(prefix = "/api", endpoint = "deposit_at_maturity")]
pub async fn set_deposit_at_maturity(account_id: i64, at_maturity: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let choice = support::at_maturity(&at_maturity)?;
    crate::backend::ledger::deposits::set_at_maturity(&state, &who, account_id, choice).await?;
    support::redirect(&format!("/deposits?saved={account_id}#td-{account_id}"));
    Ok(())
}

/// Closes a time deposit before maturity (once per key).
#[server(prefix = "/api", endpoint = "deposit_withdraw_early")]
pub async fn withdraw_deposit_early(account_id: i64, key: String) -> Result<WithdrawalDone, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let key = support::key(&key)?;
    let done = crate::backend::ledger::deposits::withdraw_early(&state, &who, account_id, &key).await?;
    support::redirect(&format!(
        "/deposits?withdrawn={}&interest={}",
        done.principal.minor() + done.interest.minor(),
        done.interest.minor()
    ));
    Ok(done)
}

/// Gives notice to withdraw from a notice deposit (once per key).
#[server(prefix = "/api", endpoint = "deposit_notice")]
pub async fn give_deposit_notice(account_id: i64, amount: String, key: String) -> Result<NoticeView, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let amount = crate::types::Amount::parse(&amount)?;
    let key = support::key(&key)?;
    let notice = crate::backend::ledger::deposits::give_notice(&state, &who, account_id, amount, &key).await?;
    support::redirect(&format!("/deposits?notice={}#nd-{account_id}", notice.id));
    Ok(notice)
}

/// Withdraws a pending notice.
#[server(prefix = "/api", endpoint = "deposit_notice_cancel")]
pub async fn cancel_deposit_notice(notice_id: i64) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    crate::backend::ledger::deposits::cancel_notice(&state, &who, notice_id).await?;
    support::redirect("/deposits?notice_cancelled=1");
    Ok(())
}

/// Pays this month's installment into an installment savings account (once per key).
#[server(prefix = "/api", endpoint = "deposit_installment")]
pub async fn pay_deposit_installment(account_id: i64, from: i64, key: String) -> Result<Money, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let key = support::key(&key)?;
    let paid = crate::backend::ledger::deposits::pay_installment(&state, &who, account_id, from, &key).await?;
    support::redirect(&format!("/deposits?installment={account_id}#is-{account_id}"));
    Ok(paid)
}
