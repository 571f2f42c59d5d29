//! Server functions of the customer's accounts: the overview, one account's header,
//! its transactions (filtered, keyset-paged), its charts and monthly statements,
//! and the "hide amounts" preference. Every account is found through its owner:
//! another customer's id answers `not_found`.
//!
//! The view types live here because both the server (which fills them) and the
//! browser (which renders them) need them.
// `transactions` takes the filter form's fields, one argument each (the `#[server]`
// macro does not pass an `allow` on to the client's copy).
#![allow(clippy::too_many_arguments)]
use crate::error::AppError;
use crate::i18n::Key;
use crate::types::{AccountStatus, Currency, Day, Localized, Money, Overview, ProductKind, Tier};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The cookie that remembers "hide amounts" (a display preference, not a secret).
pub const HIDE_AMOUNTS_COOKIE: &str = "hide_amounts";

/// Transactions shown per page of the account history.
pub const PAGE_SIZE: u32 = 25;

/// The longest search text accepted.
pub const SEARCH_MAX_CHARS: usize = 40;

/// Which way money moved, from the account holder's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

impl Direction {
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// What the history is narrowed to. Every field is optional; the same filter drives
/// the page, the CSV export and the links between pages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TxFilter {
    /// First value date included.
    pub from: Option<Day>,
    /// Last value date included.
    pub to: Option<Day>,
    pub direction: Option<Direction>,
    /// Smallest amount (absolute, fen) included.
    pub min: Option<Money>,
    /// Largest amount (absolute, fen) included.
    pub max: Option<Money>,
    /// Counterparty or memo contains this (case-insensitive).
    pub text: Option<String>,
}

impl TxFilter {
    /// Reads the filter form's fields (as typed; empty means "any"). The field that
    /// is wrong is named in the error.
    pub fn parse(from: &str, to: &str, direction: &str, min: &str, max: &str, q: &str) -> Result<TxFilter, AppError> {
        let day = |text: &str, field: &str| -> Result<Option<Day>, AppError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            Day::parse(text).map(Some).ok_or_else(|| AppError::invalid(field))
        };
        let amount = |text: &str, field: &str| -> Result<Option<Money>, AppError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            match Money::parse(text, Currency::CNY) {
                Ok(m) if m.minor() >= 0 => Ok(Some(m)),
                _ => Err(AppError::invalid(field)),
            }
        };
        let direction = match direction.trim() {
            "" | "all" => None,
            "in" => Some(Direction::In),
            "out" => Some(Direction::Out),
            _ => return Err(AppError::invalid("direction")),
        };
        let text = q.trim();
        if text.chars().count() > SEARCH_MAX_CHARS || text.chars().any(char::is_control) {
            return Err(AppError::invalid("q"));
        }
        let filter = TxFilter {
            from: day(from, "from")?,
            to: day(to, "to")?,
            direction,
            min: amount(min, "min")?,
            max: amount(max, "max")?,
            text: (!text.is_empty()).then(|| text.to_owned()),
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to) {
            if from > to {
                return Err(AppError::invalid("to"));
            }
        }
        if let (Some(min), Some(max)) = (filter.min, filter.max) {
            if min.minor() > max.minor() {
                return Err(AppError::invalid("max"));
            }
        }
        Ok(filter)
    }

    pub fn is_empty(&self) -> bool {
        *self == TxFilter::default()
    }

    /// The filter as URL query pairs (for links and the CSV address), empty fields left out.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(d) = self.from {
            pairs.push(("from", d.to_string()));
        }
        if let Some(d) = self.to {
            pairs.push(("to", d.to_string()));
        }
        if let Some(d) = self.direction {
            pairs.push(("direction", d.as_str().to_owned()));
        }
        if let Some(m) = self.min {
            pairs.push(("min", plain_decimal(m)));
        }
        if let Some(m) = self.max {
            pairs.push(("max", plain_decimal(m)));
        }
        if let Some(q) = &self.text {
            pairs.push(("q", q.clone()));
        }
        pairs
    }
}

/// `pairs` as a URL query ("a=1&b=x%20y"), percent-encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))).collect::<Vec<_>>().join("&")
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// "1234.56" / "-0.05": an amount as a plain decimal (CSV cells, form values).
pub fn plain_decimal(money: Money) -> String {
    let minor = money.minor();
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The translated name of a journal entry's kind, as the history shows it.
pub fn journal_kind_key(kind: &str) -> Key {
    match kind {
        "transfer" => Key::AcctKindTransfer,
        "deposit_open" => Key::AcctKindDepositOpen,
        "interest" => Key::AcctKindInterest,
        "maturity" => Key::AcctKindMaturity,
        "salary" => Key::AcctKindSalary,
        "bill" => Key::AcctKindBill,
        "card_spend" => Key::AcctKindCardSpend,
        "card_repayment" => Key::AcctKindCardRepayment,
        "loan_disbursement" => Key::AcctKindLoanDisbursement,
        "loan_instalment" => Key::AcctKindLoanInstalment,
        "cash" => Key::AcctKindCash,
        "installment" => Key::AcctKindInstallment,
        "notice_withdrawal" => Key::AcctKindNoticeWithdrawal,
        "early_withdrawal" => Key::AcctKindEarlyWithdrawal,
        _ => Key::AcctKindOther,
    }
}

/// One ledger account as its page header shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountHeader {
    pub id: i64,
    pub kind: ProductKind,
    pub name: Localized,
    pub number_masked: String,
    /// The full account number in groups of four, for the owner to give to payers
    /// (the card number on the overview is masked; this page is the owner's own).
    pub account_no: String,
    /// Signed as the customer sees it: what they owe is negative.
    pub balance: Money,
    pub status: AccountStatus,
    pub tier: Option<Tier>,
    /// A credit card's limit (zero otherwise).
    pub credit_limit: Money,
    pub opened_on: Day,
    /// Dormant, soon dormant or an empty card (insight rules).
    #[serde(default)]
    pub notice: Option<crate::types::account::AccountNotice>,
}

/// One posting of the history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxRow {
    /// The posting's id: the keyset cursor.
    pub id: i64,
    pub date: Day,
    /// The journal entry's kind (`transfer`, `interest`…); see [`journal_kind_key`].
    pub kind: String,
    pub counterparty: String,
    pub memo: String,
    /// Signed: money in positive, money out negative.
    pub amount: Money,
    pub balance_after: Money,
}

/// One page of the history, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxPage {
    pub rows: Vec<TxRow>,
    /// Pass as `after` for the next (older) page; `None` on the last page.
    pub next_cursor: Option<i64>,
}

/// Money in and out of an account in one calendar month ("2026-11").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFlow {
    pub month: String,
    pub money_in: Money,
    pub money_out: Money,
}

/// What the account page's charts draw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartData {
    /// The closing balance of each of the last 90 days, oldest first.
    pub days: Vec<(Day, Money)>,
    pub months: Vec<MonthFlow>,
}

/// A monthly statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementView {
    pub account: AccountHeader,
    pub holder: String,
    pub customer_no: String,
    /// "2026-11".
    pub month: String,
    pub first_day: Day,
    pub last_day: Day,
    pub opening: Money,
    pub closing: Money,
    pub total_in: Money,
    pub total_out: Money,
    /// Oldest first.
    pub rows: Vec<TxRow>,
    /// The months a statement exists for, newest first (the month picker).
    pub months: Vec<String>,
    /// When it was produced, in the bank's zone.
    pub generated_at: String,
}

#[cfg(feature = "ssr")]
fn read_who() -> Result<(crate::backend::AppState, crate::backend::auth::CustomerRead), AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let who = ctx.customer_for_read()?;
    Ok((crate::backend::use_state()?, who))
}

/// Whether the request carries the "hide amounts" cookie.
#[cfg(feature = "ssr")]
pub fn amounts_hidden_in_request() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|pair| pair.trim() == format!("{HIDE_AMOUNTS_COOKIE}=1"))
    })
}

/// Everything the customer holds, with totals and the relationship manager.
#[server(prefix = "/api", endpoint = "overview")]
pub async fn accounts_overview() -> Result<Overview, AppError> {
    let (state, who) = read_who()?;
    let mut overview =
        crate::backend::ledger::accounts::overview(&state.db, &who, state.zone, state.clock.now()).await?;
    overview.amounts_hidden = amounts_hidden_in_request();
    Ok(overview)
}

/// One of the customer's ledger accounts.
#[server(prefix = "/api", endpoint = "account")]
pub async fn account(id: i64) -> Result<AccountHeader, AppError> {
    let (state, who) = read_who()?;
    let today = crate::types::Day::at(state.zone, state.clock.now());
    crate::backend::ledger::accounts::account(&state.db, &who, id, today).await
}

/// A page of an account's history, newest first, narrowed by the filter fields
/// (as typed in the filter form); `after` is the previous page's `next_cursor`.
// The filter form's six fields, the account and the cursor: flat, so a plain form
// and the WASM client send the same fields.
#[server(prefix = "/api", endpoint = "transactions")]
pub async fn transactions(
    id: i64,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] direction: String,
    #[server(default)] min: String,
    #[server(default)] max: String,
    #[server(default)] q: String,
    #[server(default)] after: Option<i64>,
) -> Result<TxPage, AppError> {
    let (state, who) = read_who()?;
    let filter = TxFilter::parse(&from, &to, &direction, &min, &max, &q)?;
    crate::backend::ledger::accounts::transactions(&state.db, &who, id, &filter, after, PAGE_SIZE).await
}

/// The 90-day balance line and the in/out bars of the last six months.
#[server(prefix = "/api", endpoint = "balance_chart")]
pub async fn balance_chart(id: i64) -> Result<ChartData, AppError> {
    use crate::backend::ledger::accounts;
    let (state, who) = read_who()?;
    let today = Day::at(state.zone, state.clock.now());
    let days = accounts::balance_series(&state.db, &who, id, today, 90).await?;
    let months = accounts::monthly_in_out(&state.db, &who, id, today, 6).await?;
    Ok(ChartData { days, months })
}

/// The statement of `month` ("2026-11"; empty: the current month).
#[server(prefix = "/api", endpoint = "statement")]
pub async fn statement(id: i64, #[server(default)] month: String) -> Result<StatementView, AppError> {
    let (state, who) = read_who()?;
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let month = match month.trim() {
        "" => (today.year(), today.month()),
        text => parse_month(text).ok_or_else(|| AppError::invalid("month"))?,
    };
    crate::backend::ledger::accounts::statement(&state.db, &who, id, month, state.zone, now).await
}

/// "2026-11" → (2026, 11).
pub fn parse_month(text: &str) -> Option<(u16, u8)> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    let month: u8 = month.parse().ok()?;
    Day::new(year, month, 1).map(|d| (d.year(), d.month()))
}

/// Hides (`hide` = "1") or shows the figures on the overview, remembered in a
/// cookie for a year, then back to `back` (a path on this site). A plain form:
/// works without the WASM.
#[server(prefix = "/api", endpoint = "hide_amounts")]
pub async fn hide_amounts(hide: String, #[server(default)] back: String) -> Result<(), AppError> {
    use axum::http::{header, HeaderValue};
    let (state, _who) = read_who()?;
    let value = match hide.as_str() {
        "1" => "1",
        "0" => "0",
        _ => return Err(AppError::invalid("hide")),
    };
    let secure = if state.development { "" } else { "; Secure" };
    let cookie = format!("{HIDE_AMOUNTS_COOKIE}={value}; Path=/; Max-Age=31536000; SameSite=Lax{secure}");
    let response = expect_context::<leptos_axum::ResponseOptions>();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.append_header(header::SET_COOKIE, v);
    }
    leptos_axum::redirect(crate::redirect::local_path(&back, "/accounts"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parses_and_names_the_wrong_field() {
        let f = TxFilter::parse("2026-09-01", "2026-11-29", "out", "1,000", "2000.5", " 王 ").unwrap();
        assert_eq!(f.from, Day::parse("2026-09-01"));
        assert_eq!(f.direction, Some(Direction::Out));
        assert_eq!(f.min.map(Money::minor), Some(100_000));
        assert_eq!(f.max.map(Money::minor), Some(200_050));
        assert_eq!(f.text.as_deref(), Some("王"));
        assert!(TxFilter::parse("", "", "", "", "", "").unwrap().is_empty());
        let field = |r: Result<TxFilter, AppError>| r.unwrap_err().field.unwrap_or_default();
        assert_eq!(field(TxFilter::parse("2026-02-30", "", "", "", "", "")), "from");
        assert_eq!(field(TxFilter::parse("2026-11-02", "2026-11-01", "", "", "", "")), "to");
        assert_eq!(field(TxFilter::parse("", "", "sideways", "", "", "")), "direction");
        assert_eq!(field(TxFilter::parse("", "", "", "-1", "", "")), "min");
        assert_eq!(field(TxFilter::parse("", "", "", "5", "4", "")), "max");
        assert_eq!(field(TxFilter::parse("", "", "", "", "", "a\nb")), "q");
    }

    #[test]
    fn filter_round_trips_through_the_query() {
        let f = TxFilter::parse("2026-09-01", "", "in", "12.3", "", "a&b c").unwrap();
        assert_eq!(query_string(&f.query_pairs()), "from=2026-09-01&direction=in&min=12.30&q=a%26b%20c");
    }

    #[test]
    fn plain_decimals() {
        assert_eq!(plain_decimal(Money::yuan_fen(123_456)), "1234.56");
        assert_eq!(plain_decimal(Money::yuan_fen(-5)), "-0.05");
        assert_eq!(plain_decimal(Money::yuan_fen(0)), "0.00");
    }

    #[test]
    fn months_parse_exactly() {
        assert_eq!(parse_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("2026-1"), None);
    }
}
