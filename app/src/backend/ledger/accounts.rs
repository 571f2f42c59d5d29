//! What the customer reads about their accounts: the overview of everything they
//! hold, one account's history (filtered, keyset-paged), its charts and monthly
//! statements. Read-only; every query reaches an account through its owner's
//! `customer_id`, so another customer's id is simply not found.
use crate::api::accounts::{AccountHeader, Direction, MonthFlow, StatementView, TxFilter, TxPage, TxRow};
use crate::backend::auth::CustomerRead;
use crate::backend::{local_time, Db};
use crate::error::{AppError, ErrorCode};
use crate::types::account::{AccountNotice, NoticeFacts};
use crate::types::{
    mask_number, AccountStatus, AtMaturity, Day, Localized, ManagerContact, Money, Overview, ProductDetail,
    ProductKind, ProductView, Tier, Timestamp,
};
use sqlx::any::AnyRow;
use sqlx::Row;

/// The largest page of history one query returns.
pub const MAX_PAGE: u32 = 1_000;

/// A row of `accounts` with its product's names.
#[derive(Debug)]
struct AccountRow {
    id: i64,
    account_no: String,
    kind: String,
    tier: Option<i64>,
    status: String,
    balance: i64,
    credit_limit: i64,
    rate_bp: Option<i64>,
    term_months: Option<i64>,
    maturity_date: Option<String>,
    at_maturity: Option<String>,
    original_amount: Option<i64>,
    monthly_amount: Option<i64>,
    notice_days: Option<i64>,
    statement_balance: Option<i64>,
    minimum_payment: Option<i64>,
    due_date: Option<String>,
    opened_on: String,
    name_zh: Option<String>,
    name_en: Option<String>,
    last_activity_on: Option<String>,
}

const ACCOUNT_COLUMNS: &str = "a.id, a.account_no, a.kind, a.tier, a.status, a.balance, a.credit_limit, a.rate_bp, \
     a.term_months, a.maturity_date, a.at_maturity, a.original_amount, a.monthly_amount, a.notice_days, \
     a.statement_balance, a.minimum_payment, a.due_date, a.opened_on, p.name_zh, p.name_en, a.last_activity_on";

fn account_row(row: &AnyRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        id: row.try_get(0)?,
        account_no: row.try_get(1)?,
        kind: row.try_get(2)?,
        tier: row.try_get(3)?,
        status: row.try_get(4)?,
        balance: row.try_get(5)?,
        credit_limit: row.try_get(6)?,
        rate_bp: row.try_get(7)?,
        term_months: row.try_get(8)?,
        maturity_date: row.try_get(9)?,
        at_maturity: row.try_get(10)?,
        original_amount: row.try_get(11)?,
        monthly_amount: row.try_get(12)?,
        notice_days: row.try_get(13)?,
        statement_balance: row.try_get(14)?,
        minimum_payment: row.try_get(15)?,
        due_date: row.try_get(16)?,
        opened_on: row.try_get(17)?,
        name_zh: row.try_get(18)?,
        name_en: row.try_get(19)?,
        last_activity_on: row.try_get(20)?,
    })
}

fn money(minor: i64) -> Money {
    Money::yuan_fen(minor)
}

fn day(text: &str) -> Result<Day, AppError> {
    Day::parse(text).ok_or_else(|| {
        tracing::error!(value = text, "unreadable date in the ledger");
        AppError::new(ErrorCode::Internal)
    })
}

fn opt_day(text: Option<&str>) -> Option<Day> {
    text.and_then(Day::parse)
}

impl AccountRow {
    fn kind(&self) -> Result<ProductKind, AppError> {
        ProductKind::parse(&self.kind).ok_or_else(|| {
            tracing::error!(kind = %self.kind, "unknown account kind");
            AppError::new(ErrorCode::Internal)
        })
    }

    fn name(&self, kind: ProductKind) -> Localized {
        match (&self.name_zh, &self.name_en) {
            (Some(zh), Some(en)) => Localized { zh: zh.clone(), en: en.clone() },
            _ => fallback_name(kind),
        }
    }

    fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status).unwrap_or(AccountStatus::Active)
    }

    fn tier(&self) -> Option<Tier> {
        self.tier.and_then(Tier::from_number)
    }

    /// Dormant, soon dormant or an empty card, by the insight rules and settings.
    fn notice(
        &self,
        settings: &crate::types::InsightSettings,
        has_card: bool,
        today: Day,
    ) -> Result<Option<AccountNotice>, AppError> {
        let facts = NoticeFacts {
            kind: self.kind()?,
            status: self.status(),
            balance: self.balance,
            last_use: day(self.last_activity_on.as_deref().unwrap_or(&self.opened_on))?,
            has_card,
        };
        Ok(AccountNotice::of(settings, facts, today))
    }

    fn header(&self, card_no: Option<&str>) -> Result<AccountHeader, AppError> {
        let kind = self.kind()?;
        Ok(AccountHeader {
            id: self.id,
            kind,
            name: self.name(kind),
            number_masked: mask_number(card_no.unwrap_or(&self.account_no)),
            account_no: group_by_four(&self.account_no),
            balance: money(self.balance),
            status: self.status(),
            tier: self.tier(),
            credit_limit: money(self.credit_limit),
            opened_on: day(&self.opened_on)?,
            notice: None,
        })
    }
}

/// A product family's name, for an account without a catalogue entry.
fn fallback_name(kind: ProductKind) -> Localized {
    let (zh, en) = match kind {
        ProductKind::DemandDeposit => ("活期储蓄", "Demand deposit"),
        ProductKind::TimeDeposit => ("整存整取", "Time deposit"),
        ProductKind::InstallmentSavings => ("零存整取", "Installment savings"),
        ProductKind::NoticeDeposit => ("通知存款", "Notice deposit"),
        ProductKind::CreditCard => ("信用卡", "Credit card"),
        ProductKind::Loan => ("贷款", "Loan"),
        ProductKind::WealthFund => ("理财", "Wealth fund"),
        ProductKind::Insurance => ("代理保险", "Insurance"),
    };
    Localized { zh: zh.into(), en: en.into() }
}

/// The customer's own ledger account `id` (never an internal one), or `NotFound`.
async fn owned_account(db: &Db, who: &CustomerRead, id: i64) -> Result<AccountRow, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.id = $1 AND a.customer_id = $2 AND a.kind <> 'internal'"
    ))
    .bind(id)
    .bind(who.customer_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::new(ErrorCode::NotFound))?;
    Ok(account_row(&row)?)
}

/// The card number shown for an account (its debit or credit card), if any.
async fn card_of(db: &Db, account_id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT card_no FROM cards WHERE account_id = $1 AND status <> 'closed' ORDER BY id DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(db.pool())
    .await
}

/// One account's header, with its dormancy or empty-card notice as of `today`.
pub async fn account(db: &Db, who: &CustomerRead, id: i64, today: Day) -> Result<AccountHeader, AppError> {
    let row = owned_account(db, who, id).await?;
    let card = card_of(db, row.id).await?;
    let settings = crate::backend::insight::settings::load(db).await?;
    let notice = row.notice(&settings, card.is_some(), today)?;
    Ok(AccountHeader { notice, ..row.header(card.as_deref())? })
}

// ---------------------------------------------------------------------------------
// The overview.
// ---------------------------------------------------------------------------------

/// Everything the customer holds, grouped by family in [`ProductKind`] order, with
/// total assets (deposits, fund values, insurance cash values) and liabilities
/// (what is owed on cards and loans, as a positive amount).
pub async fn overview(db: &Db, who: &CustomerRead, zone: chrono_tz::Tz, now: Timestamp) -> Result<Overview, AppError> {
    let today = Day::at(zone, now);
    let rows = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.customer_id = $1 AND a.kind <> 'internal' AND a.status <> 'closed' ORDER BY a.id"
    ))
    .bind(who.customer_id)
    .fetch_all(db.pool())
    .await?;
    let mut products = Vec::with_capacity(rows.len() + 4);
    let settings = crate::backend::insight::settings::load(db).await?;
    for row in &rows {
        let account = account_row(row)?;
        products.push(ledger_product(db, &account, &settings, today).await?);
    }
    products.extend(funds(db, who).await?);
    products.extend(policies(db, who).await?);
    // Stable: within a family, the order of opening.
    products.sort_by_key(|p| p.kind);

    let mut assets: i128 = 0;
    let mut liabilities: i128 = 0;
    for p in &products {
        let balance = i128::from(p.balance.minor());
        if balance < 0 {
            liabilities -= balance;
        } else {
            assets += balance;
        }
    }
    Ok(Overview {
        total_assets: money(i64::try_from(assets).unwrap_or(i64::MAX)),
        total_liabilities: money(i64::try_from(liabilities).unwrap_or(i64::MAX)),
        products,
        manager: manager(db, who).await?,
        amounts_hidden: false,
    })
}

async fn ledger_product(
    db: &Db,
    a: &AccountRow,
    settings: &crate::types::InsightSettings,
    today: Day,
) -> Result<ProductView, AppError> {
    let kind = a.kind()?;
    let card = match kind {
        ProductKind::DemandDeposit | ProductKind::CreditCard => card_of(db, a.id).await?,
        _ => None,
    };
    let detail = match kind {
        ProductKind::DemandDeposit => {
            let tier = a.tier().unwrap_or(Tier::Three);
            ProductDetail::Demand {
                tier,
                card_masked: card.as_deref().map(mask_number),
                daily_limit_left: daily_limit_left(db, a.id, tier, today).await?,
            }
        }
        ProductKind::TimeDeposit => ProductDetail::Time {
            principal: money(a.original_amount.unwrap_or(a.balance)),
            rate_bp: a.rate_bp.unwrap_or(0),
            term_months: a.term_months.unwrap_or(0),
            opened_on: day(&a.opened_on)?,
            maturity_date: day(a.maturity_date.as_deref().unwrap_or(&a.opened_on))?,
            at_maturity: a.at_maturity.as_deref().and_then(AtMaturity::parse).unwrap_or(AtMaturity::PayOut),
        },
        ProductKind::InstallmentSavings => {
            let opened = day(&a.opened_on)?;
            let maturity = day(a.maturity_date.as_deref().unwrap_or(&a.opened_on))?;
            let monthly = a.monthly_amount.unwrap_or(0);
            let paid = paid_months(db, a.id).await?;
            let (paid_months, missed_months) = installment_record(opened, maturity, today, monthly, &paid);
            ProductDetail::Installment {
                monthly_amount: money(monthly),
                rate_bp: a.rate_bp.unwrap_or(0),
                paid_months,
                missed_months,
                maturity_date: maturity,
            }
        }
        ProductKind::NoticeDeposit => {
            let pending: Option<(i64, String)> = sqlx::query_as(
                "SELECT amount, due_on FROM deposit_notices WHERE account_id = $1 AND status = 'pending' \
                 ORDER BY due_on, id LIMIT 1",
            )
            .bind(a.id)
            .fetch_optional(db.pool())
            .await?;
            ProductDetail::Notice {
                notice_days: a.notice_days.unwrap_or(7),
                rate_bp: a.rate_bp.unwrap_or(0),
                pending_notice: match pending {
                    Some((amount, due)) => Some((money(amount), day(&due)?)),
                    None => None,
                },
            }
        }
        ProductKind::CreditCard => ProductDetail::CreditCard {
            limit: money(a.credit_limit),
            available: money((a.credit_limit + a.balance).max(0)),
            statement_balance: money(a.statement_balance.unwrap_or(0).abs()),
            minimum_payment: money(a.minimum_payment.unwrap_or(0).abs()),
            due_date: opt_day(a.due_date.as_deref()),
        },
        ProductKind::Loan => ProductDetail::Loan {
            original: money(a.original_amount.unwrap_or(-a.balance)),
            rate_bp: a.rate_bp.unwrap_or(0),
            term_months: a.term_months.unwrap_or(0),
            next_instalment: money(a.minimum_payment.unwrap_or(0).abs()),
            next_due: opt_day(a.due_date.as_deref()),
        },
        ProductKind::WealthFund | ProductKind::Insurance => {
            tracing::error!(kind = %a.kind, "a ledger account of a non-ledger family");
            return Err(AppError::new(ErrorCode::Internal));
        }
    };
    Ok(ProductView {
        id: a.id,
        kind,
        name: a.name(kind),
        number_masked: mask_number(card.as_deref().unwrap_or(&a.account_no)),
        balance: money(a.balance),
        status: a.status(),
        detail,
        notice: a.notice(settings, card.is_some(), today)?,
    })
}

/// What is left today of a demand account's daily limit for payments to others,
/// counted from today's transfers the way the transfer service counts them.
async fn daily_limit_left(db: &Db, account_id: i64, tier: Tier, today: Day) -> Result<Money, sqlx::Error> {
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(SUM(amount) AS BIGINT) FROM transfers \
         WHERE from_account_id = $1 AND counts_to_limit = 1 AND local_date = $2",
    )
    .bind(account_id)
    .bind(today.to_string())
    .fetch_one(db.pool())
    .await?;
    Ok(money((tier.daily_limit().minor() - used.unwrap_or(0)).max(0)))
}

/// Money paid into an installment account per month ("2026-09" → fen), interest aside.
async fn paid_months(db: &Db, account_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT SUBSTR(p.value_date, 1, 7) AS month, CAST(SUM(p.amount) AS BIGINT) FROM postings p \
         JOIN journal_entries j ON j.id = p.journal_id \
         WHERE p.account_id = $1 AND p.amount > 0 AND j.kind <> 'interest' \
         GROUP BY SUBSTR(p.value_date, 1, 7) ORDER BY month",
    )
    .bind(account_id)
    .fetch_all(db.pool())
    .await
}

/// Months paid in full, and the months due since opening (before this month and
/// before maturity) that were not: "2026-09".
fn installment_record(
    opened: Day,
    maturity: Day,
    today: Day,
    monthly: i64,
    paid: &[(String, i64)],
) -> (u32, Vec<String>) {
    let full = |month: &str| monthly > 0 && paid.iter().any(|(m, amount)| m == month && *amount >= monthly);
    let paid_count = paid.iter().filter(|(m, _)| full(m)).count();
    let mut missed = Vec::new();
    let this_month = today.month_key();
    let last_due = maturity.month_key();
    let mut month = Day::new(opened.year(), opened.month(), 1).unwrap_or(opened);
    // At most one term's months: a bad maturity date cannot make this loop long.
    for _ in 0..600 {
        let key = month.month_key();
        if key >= this_month || key >= last_due {
            break;
        }
        if !full(&key) {
            missed.push(key);
        }
        month = month.plus_months(1);
    }
    (u32::try_from(paid_count).unwrap_or(u32::MAX), missed)
}

/// A fund holding's value in fen: units (×1000) × NAV (×10000), rounded half-up.
pub fn fund_value(units_milli: i64, nav_e4: i64) -> i64 {
    // units × NAV in yuan = units_milli × nav_e4 / 10^7; in fen: / 10^5.
    let product = i128::from(units_milli) * i128::from(nav_e4);
    let value = (product + 50_000) / 100_000;
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A fund holding row: id, product code, units (×1000), NAV (×10000), NAV date, cost,
/// product names.
type FundRow = (i64, String, i64, i64, String, i64, String, String);

async fn funds(db: &Db, who: &CustomerRead) -> Result<Vec<ProductView>, AppError> {
    let rows: Vec<FundRow> = sqlx::query_as(
        "SELECT f.id, f.product_code, f.units_milli, f.nav_e4, f.nav_date, f.cost, p.name_zh, p.name_en \
         FROM fund_holdings f JOIN products p ON p.code = f.product_code WHERE f.customer_id = $1 ORDER BY f.id",
    )
    .bind(who.customer_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, code, units_milli, nav_e4, nav_date, cost, zh, en) in rows {
        let value = fund_value(units_milli, nav_e4);
        out.push(ProductView {
            id,
            kind: ProductKind::WealthFund,
            name: Localized { zh, en },
            number_masked: code,
            balance: money(value),
            status: AccountStatus::Active,
            notice: None,
            detail: ProductDetail::Fund {
                units_milli,
                nav_e4,
                nav_date: day(&nav_date)?,
                cost: money(cost),
                gain: money(value - cost),
            },
        });
    }
    Ok(out)
}

async fn policies(db: &Db, who: &CustomerRead) -> Result<Vec<ProductView>, AppError> {
    let rows = sqlx::query(
        "SELECT i.id, i.policy_no, i.insurer_zh, i.insurer_en, i.sum_insured, i.annual_premium, i.cash_value, \
         i.end_date, p.name_zh, p.name_en FROM insurance_policies i JOIN products p ON p.code = i.product_code \
         WHERE i.customer_id = $1 ORDER BY i.id",
    )
    .bind(who.customer_id)
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let policy_no: String = row.try_get(1)?;
        let cash_value: i64 = row.try_get(6)?;
        let end_date: String = row.try_get(7)?;
        out.push(ProductView {
            id: row.try_get(0)?,
            kind: ProductKind::Insurance,
            name: Localized { zh: row.try_get(8)?, en: row.try_get(9)? },
            number_masked: mask_number(&policy_no),
            balance: money(cash_value),
            status: AccountStatus::Active,
            notice: None,
            detail: ProductDetail::Insurance {
                insurer: Localized { zh: row.try_get(2)?, en: row.try_get(3)? },
                sum_insured: money(row.try_get(4)?),
                annual_premium: money(row.try_get(5)?),
                cash_value: money(cash_value),
                end_date: day(&end_date)?,
            },
        });
    }
    Ok(out)
}

/// The customer's relationship manager and where to reach them (the outlet's phone).
async fn manager(db: &Db, who: &CustomerRead) -> Result<Option<ManagerContact>, sqlx::Error> {
    let row: Option<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT s.full_name, s.staff_no, b.name_zh, b.name_en, b.phone FROM customers c \
         JOIN staff s ON s.id = c.relationship_manager_id JOIN branches b ON b.id = s.branch_id \
         WHERE c.id = $1 AND s.status = 'active'",
    )
    .bind(who.customer_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(name, staff_no, zh, en, phone)| ManagerContact {
        name,
        staff_no,
        branch: Localized { zh, en },
        phone,
    }))
}

// ---------------------------------------------------------------------------------
// History.
// ---------------------------------------------------------------------------------

/// A bound value of a dynamically built query.
enum Bind {
    Int(i64),
    Text(String),
}

/// The WHERE conditions of `filter` on postings `p` joined with journal entries `j`;
/// placeholders are numbered after those already in `binds`.
fn filter_sql(filter: &TxFilter, binds: &mut Vec<Bind>) -> String {
    fn push(sql: &mut String, binds: &mut Vec<Bind>, cond: &str, bind: Bind) {
        binds.push(bind);
        sql.push_str(&cond.replace('?', &format!("${}", binds.len())));
    }
    let mut sql = String::new();
    if let Some(from) = filter.from {
        push(&mut sql, binds, " AND p.value_date >= ?", Bind::Text(from.to_string()));
    }
    if let Some(to) = filter.to {
        push(&mut sql, binds, " AND p.value_date <= ?", Bind::Text(to.to_string()));
    }
    match filter.direction {
        Some(Direction::In) => sql.push_str(" AND p.amount > 0"),
        Some(Direction::Out) => sql.push_str(" AND p.amount < 0"),
        None => {}
    }
    if let Some(min) = filter.min {
        push(&mut sql, binds, " AND ABS(p.amount) >= ?", Bind::Int(min.minor()));
    }
    if let Some(max) = filter.max {
        push(&mut sql, binds, " AND ABS(p.amount) <= ?", Bind::Int(max.minor()));
    }
    if let Some(text) = &filter.text {
        // LIKE is case-sensitive on PostgreSQL: compare lower case on both sides, and
        // match the customer's %, _ and \ literally.
        let escaped: String = text
            .to_lowercase()
            .chars()
            .flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] })
            .collect();
        push(
            &mut sql,
            binds,
            " AND (LOWER(p.counterparty) LIKE ? ESCAPE '\\' OR LOWER(j.memo) LIKE ? ESCAPE '\\')",
            Bind::Text(format!("%{escaped}%")),
        );
    }
    sql
}

fn tx_row(row: &AnyRow) -> Result<TxRow, AppError> {
    let date: String = row.try_get(1)?;
    Ok(TxRow {
        id: row.try_get(0)?,
        date: day(&date)?,
        kind: row.try_get(2)?,
        counterparty: row.try_get(3)?,
        memo: row.try_get(4)?,
        amount: money(row.try_get(5)?),
        balance_after: money(row.try_get(6)?),
    })
}

const TX_COLUMNS: &str = "p.id, p.value_date, j.kind, p.counterparty, j.memo, p.amount, p.balance_after";

/// Up to `limit` postings of account `id` matching `filter`, newest first, older
/// than the posting `after` (keyset on `postings.id`: stable while new postings
/// arrive, and as quick on the hundredth page as on the first).
pub async fn transactions(
    db: &Db,
    who: &CustomerRead,
    id: i64,
    filter: &TxFilter,
    after: Option<i64>,
    limit: u32,
) -> Result<TxPage, AppError> {
    let account = owned_account(db, who, id).await?;
    page_of(db, account.id, filter, after, limit).await
}

/// The page query, once ownership is established.
async fn page_of(
    db: &Db,
    account_id: i64,
    filter: &TxFilter,
    after: Option<i64>,
    limit: u32,
) -> Result<TxPage, AppError> {
    let limit = limit.clamp(1, MAX_PAGE);
    let mut binds = vec![Bind::Int(account_id)];
    let mut sql = format!(
        "SELECT {TX_COLUMNS} FROM postings p JOIN journal_entries j ON j.id = p.journal_id WHERE p.account_id = $1"
    );
    if let Some(after) = after {
        binds.push(Bind::Int(after));
        sql.push_str(&format!(" AND p.id < ${}", binds.len()));
    }
    sql.push_str(&filter_sql(filter, &mut binds));
    // One more than asked: whether another page follows, without a COUNT.
    sql.push_str(&format!(" ORDER BY p.id DESC LIMIT {}", limit + 1));
    let mut query = sqlx::query(&sql);
    for bind in binds {
        query = match bind {
            Bind::Int(v) => query.bind(v),
            Bind::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(db.pool()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows.iter().take(limit as usize) {
        out.push(tx_row(row)?);
    }
    let next_cursor = if rows.len() > limit as usize { out.last().map(|r| r.id) } else { None };
    Ok(TxPage { rows: out, next_cursor })
}

/// An owned account's history, for the CSV export: check ownership once, then
/// fetch pages with [`next_export_page`].
pub struct Export {
    pub account: AccountHeader,
    account_id: i64,
}

/// Starts an export of account `id` (not found unless the customer owns it).
pub async fn begin_export(db: &Db, who: &CustomerRead, id: i64) -> Result<Export, AppError> {
    let row = owned_account(db, who, id).await?;
    let card = card_of(db, row.id).await?;
    Ok(Export { account: row.header(card.as_deref())?, account_id: row.id })
}

impl Export {
    /// The next page of the export (newest first), after the posting `after`.
    pub async fn page(&self, db: &Db, filter: &TxFilter, after: Option<i64>, limit: u32) -> Result<TxPage, AppError> {
        page_of(db, self.account_id, filter, after, limit).await
    }
}

/// The balance at the end of each of the `days` days up to `today`, oldest first;
/// a day without postings carries the day before forward.
pub async fn balance_series(
    db: &Db,
    who: &CustomerRead,
    id: i64,
    today: Day,
    days: u32,
) -> Result<Vec<(Day, Money)>, AppError> {
    let account = owned_account(db, who, id).await?;
    let days = i64::from(days.clamp(1, 3_660));
    let first = today.plus_days(1 - days);
    let opening = balance_before(db, account.id, first).await?;
    let per_day: Vec<(String, i64)> = sqlx::query_as(
        "SELECT value_date, CAST(SUM(amount) AS BIGINT) FROM postings \
         WHERE account_id = $1 AND value_date >= $2 AND value_date <= $3 GROUP BY value_date ORDER BY value_date",
    )
    .bind(account.id)
    .bind(first.to_string())
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut balance = opening;
    let mut moves = per_day.into_iter().peekable();
    let mut out = Vec::with_capacity(days as usize);
    for offset in 0..days {
        let d = first.plus_days(offset);
        let key = d.to_string();
        while let Some((date, amount)) = moves.peek() {
            if *date > key {
                break;
            }
            balance += *amount;
            moves.next();
        }
        out.push((d, money(balance)));
    }
    Ok(out)
}

/// The balance at the start of `day`: today's balance less every posting dated on
/// or after `day`. (The balance is the sum of all postings, kept so by the database;
/// subtracting the recent ones reads only the window, not years of history.)
async fn balance_before(db: &Db, account_id: i64, day: Day) -> Result<i64, sqlx::Error> {
    let (balance, since): (i64, Option<i64>) = sqlx::query_as(
        "SELECT a.balance, (SELECT CAST(SUM(p.amount) AS BIGINT) FROM postings p \
         WHERE p.account_id = a.id AND p.value_date >= $2) FROM accounts a WHERE a.id = $1",
    )
    .bind(account_id)
    .bind(day.to_string())
    .fetch_one(db.pool())
    .await?;
    Ok(balance - since.unwrap_or(0))
}

/// Money in and out per calendar month, for the `months` months up to this one,
/// oldest first; a month without movements shows zeros.
pub async fn monthly_in_out(
    db: &Db,
    who: &CustomerRead,
    id: i64,
    today: Day,
    months: u32,
) -> Result<Vec<MonthFlow>, AppError> {
    let account = owned_account(db, who, id).await?;
    let months = months.clamp(1, 120);
    let this_month = Day::new(today.year(), today.month(), 1).unwrap_or(today);
    let first = month_back(this_month, months - 1);
    let rows: Vec<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT SUBSTR(value_date, 1, 7) AS month, \
         CAST(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS BIGINT) \
         FROM postings WHERE account_id = $1 AND value_date >= $2 AND value_date <= $3 \
         GROUP BY SUBSTR(value_date, 1, 7) ORDER BY month",
    )
    .bind(account.id)
    .bind(first.to_string())
    .bind(today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(months as usize);
    for i in 0..months {
        let key = first.plus_months(i).month_key();
        let found = rows.iter().find(|(m, _, _)| *m == key);
        out.push(MonthFlow {
            money_in: money(found.and_then(|r| r.1).unwrap_or(0)),
            money_out: money(found.and_then(|r| r.2).unwrap_or(0)),
            month: key,
        });
    }
    Ok(out)
}

/// The first day of the month `n` months before `first_of_month`.
fn month_back(first_of_month: Day, n: u32) -> Day {
    let total = i64::from(first_of_month.year()) * 12 + i64::from(first_of_month.month()) - 1 - i64::from(n);
    let year = u16::try_from(total.div_euclid(12)).unwrap_or(1900);
    let month = u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1);
    Day::new(year, month, 1).unwrap_or(first_of_month)
}

/// The statement of account `id` for the calendar month `(year, month)`: opening
/// balance, every posting of the month in order, totals and closing balance.
pub async fn statement(
    db: &Db,
    who: &CustomerRead,
    id: i64,
    (year, month): (u16, u8),
    zone: chrono_tz::Tz,
    now: Timestamp,
) -> Result<StatementView, AppError> {
    let account = owned_account(db, who, id).await?;
    let card = card_of(db, account.id).await?;
    let header = account.header(card.as_deref())?;
    let today = Day::at(zone, now);
    let first_day = Day::new(year, month, 1).ok_or_else(|| AppError::invalid("month"))?;
    let this_month = Day::new(today.year(), today.month(), 1).unwrap_or(today);
    let opened_month = Day::new(header.opened_on.year(), header.opened_on.month(), 1).unwrap_or(header.opened_on);
    if first_day > this_month || first_day < opened_month {
        return Err(AppError::invalid("month"));
    }
    // The current month runs to today.
    let last_day = first_day.plus_months(1).plus_days(-1).min(today);
    let opening = balance_before(db, account.id, first_day).await?;
    let rows = sqlx::query(&format!(
        "SELECT {TX_COLUMNS} FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
         WHERE p.account_id = $1 AND p.value_date >= $2 AND p.value_date <= $3 ORDER BY p.id"
    ))
    .bind(account.id)
    .bind(first_day.to_string())
    .bind(last_day.to_string())
    .fetch_all(db.pool())
    .await?;
    let rows = rows.iter().map(tx_row).collect::<Result<Vec<_>, _>>()?;
    let total_in: i64 = rows.iter().map(|r| r.amount.minor()).filter(|a| *a > 0).sum();
    let total_out: i64 = rows.iter().map(|r| r.amount.minor()).filter(|a| *a < 0).map(|a| -a).sum();
    let (holder, customer_no): (String, String) =
        sqlx::query_as("SELECT full_name, customer_no FROM customers WHERE id = $1")
            .bind(who.customer_id)
            .fetch_one(db.pool())
            .await?;
    let mut months = Vec::new();
    let mut m = this_month;
    while m >= opened_month && months.len() < 24 {
        months.push(m.month_key());
        m = month_back(m, 1);
    }
    Ok(StatementView {
        account: header,
        holder,
        customer_no,
        month: first_day.month_key(),
        first_day,
        last_day,
        opening: money(opening),
        closing: money(opening + total_in - total_out),
        total_in: money(total_in),
        total_out: money(total_out),
        rows,
        months,
        generated_at: local_time(zone, now),
    })
}

// ---------------------------------------------------------------------------------
// CSV.
// ---------------------------------------------------------------------------------

/// One CSV cell of text: a cell that a spreadsheet would read as a formula (it
/// starts with = + - @, a tab or a carriage return) gets a leading apostrophe;
/// a cell with a comma, quote or line break is quoted, its quotes doubled.
pub fn csv_text(cell: &str) -> String {
    let guarded = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}") } else { cell.to_owned() };
    csv_quote(&guarded)
}

/// Quotes a cell when it needs it (RFC 4180).
pub fn csv_quote(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// A CSV line (CRLF-terminated) from already-formatted cells.
pub fn csv_line(cells: &[String]) -> String {
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

/// "6010 1000 0000 0100 001": easier to read out and to copy without a slip.
fn group_by_four(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn fund_values_round_half_up_in_fen() {
        // 1,000.000 units at 1.2345 = 1,234.50 yuan.
        assert_eq!(fund_value(1_000_000, 12_345), 123_450);
        // 0.001 units at 1.0005 = 0.0010005 yuan = 0.10005 fen → 0.
        assert_eq!(fund_value(1, 10_005), 0);
        // 3.333 units at 1.5 = 4.9995 yuan = 499.95 fen → 500.
        assert_eq!(fund_value(3_333, 15_000), 500);
    }

    #[test]
    fn installment_misses_are_months_without_a_full_deposit() {
        let paid = vec![("2026-06".to_owned(), 50_000), ("2026-07".to_owned(), 20_000), ("2026-09".to_owned(), 50_000)];
        let (count, missed) = installment_record(d("2026-06-15"), d("2027-06-15"), d("2026-11-29"), 50_000, &paid);
        assert_eq!(count, 2);
        assert_eq!(missed, vec!["2026-07", "2026-08", "2026-10"]);
        // This month is not missed yet; nothing after maturity is due.
        let (_, missed) = installment_record(d("2026-06-15"), d("2026-09-15"), d("2026-11-29"), 50_000, &paid);
        assert_eq!(missed, vec!["2026-07", "2026-08"]);
    }

    #[test]
    fn months_count_back_across_years() {
        assert_eq!(month_back(d("2026-03-01"), 5), d("2025-10-01"));
        assert_eq!(month_back(d("2026-11-01"), 0), d("2026-11-01"));
    }

    #[test]
    fn csv_cells_are_quoted_and_guarded() {
        assert_eq!(csv_text("plain"), "plain");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_text("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_text("+86"), "'+86");
        assert_eq!(csv_text("-x"), "'-x");
        assert_eq!(csv_text("@cmd"), "'@cmd");
        assert_eq!(csv_text("=1,2"), "\"'=1,2\"");
        assert_eq!(csv_line(&["a".into(), "b".into()]), "a,b\r\n");
    }

    #[test]
    fn filters_number_their_placeholders() {
        let f = TxFilter::parse("2026-01-01", "", "out", "", "9", "50%_off").unwrap();
        let mut binds = vec![Bind::Int(1)];
        let sql = filter_sql(&f, &mut binds);
        assert_eq!(
            sql,
            " AND p.value_date >= $2 AND p.amount < 0 AND ABS(p.amount) <= $3 \
             AND (LOWER(p.counterparty) LIKE $4 ESCAPE '\\' OR LOWER(j.memo) LIKE $4 ESCAPE '\\')"
        );
        match &binds[3] {
            Bind::Text(t) => assert_eq!(t, "%50\\%\\_off%"),
            Bind::Int(_) => panic!("text expected"),
        }
    }

    #[test]
    fn account_numbers_read_in_groups_of_four() {
        assert_eq!(group_by_four("6010100000001000018"), "6010 1000 0000 1000 018");
        assert_eq!(group_by_four("1234"), "1234");
    }
}
