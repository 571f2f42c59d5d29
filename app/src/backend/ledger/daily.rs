//! The daily job: maturities of time deposits and installment savings, notices that
//! fall due, and demand deposit interest (daily accrual of the 积数, paid
//! quarterly). Driven by the date it is given, never by the wall clock, so it can
//! catch up missed days in order.
//!
//! Idempotent: every money movement carries a natural journal reference
//! ('interest:<date>:<account>', 'maturity:<account>:<date>', 'notice:<id>') that
//! the database keeps unique, and the accrual is guarded by `accrued_through`, so
//! running the same day twice (or two runners at once) changes nothing the second
//! time. Each account is handled in its own short transaction (demand accounts in
//! chunks), so the job never holds the ledger for long.
use super::deposits::{months_between, term_interest, BANK_COUNTERPARTY};
use super::internal::Internal;
use super::posting::{self, Entry, Line, PostError};
use crate::backend::{Backend, Db};
use crate::types::{mask_number, Day, Timestamp};
use sqlx::{Any, Transaction};
use std::collections::BTreeMap;

/// Demand accounts accrued per transaction.
const CHUNK: usize = 200;

/// How many missed days a start-up catches up at most.
pub const MAX_CATCH_UP_DAYS: i64 = 31;

/// What one day's run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DailyReport {
    pub date: Option<Day>,
    /// Demand accounts whose accrual moved on.
    pub accounts_accrued: u64,
    /// Quarterly interest payments posted.
    pub interest_payments: u64,
    /// Their total, in fen.
    pub interest_total: i64,
    /// Time deposits and installment savings paid out to the linked account.
    pub maturities_paid_out: u64,
    /// Time deposits rolled into a new term.
    pub maturities_renewed: u64,
    pub notices_paid: u64,
    /// Notices that could not be paid (the deposit no longer covers them).
    pub notices_cancelled: u64,
}

impl DailyReport {
    /// "2026-12-21: 1,234 interest payments (¥5,678.90), 3 maturities (2 paid out,
    /// 1 renewed), 1 notice paid".
    pub fn summary(&self) -> String {
        let date = self.date.map(|d| d.to_string()).unwrap_or_default();
        let maturities = self.maturities_paid_out + self.maturities_renewed;
        let plural = |n: u64, one: &str, many: &str| format!("{} {}", group(n), if n == 1 { one } else { many });
        let mut text = format!(
            "{date}: {} ({}), {} ({} paid out, {} renewed), {}",
            plural(self.interest_payments, "interest payment", "interest payments"),
            crate::types::Money::yuan_fen(self.interest_total),
            plural(maturities, "maturity", "maturities"),
            self.maturities_paid_out,
            self.maturities_renewed,
            plural(self.notices_paid, "notice paid", "notices paid"),
        );
        if self.notices_cancelled > 0 {
            text += &format!(", {} cancelled (not covered)", self.notices_cancelled);
        }
        text += &format!(", {} demand accounts accrued", group(self.accounts_accrued));
        text
    }
}

fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The quarterly interest days in `from..=to`: the 21st of March, June, September
/// and December (interest is settled on the 20th and paid on the 21st).
pub fn settlement_days(from: Day, to: Day) -> Vec<Day> {
    let mut days = Vec::new();
    let mut year = from.year();
    while year <= to.year() {
        for month in [3, 6, 9, 12] {
            if let Some(day) = Day::new(year, month, 21) {
                if day >= from && day <= to {
                    days.push(day);
                }
            }
        }
        year += 1;
    }
    days
}

/// The last settlement day on or before `date`.
pub fn last_settlement_on_or_before(date: Day) -> Day {
    settlement_days(date.plus_days(-100), date).last().copied().unwrap_or(date)
}

/// The days a catch-up runs: after the last recorded run (or after `baseline` when
/// there is none) up to `yesterday`, at most the last [`MAX_CATCH_UP_DAYS`].
pub fn days_to_run(last_run: Option<Day>, baseline: Day, yesterday: Day) -> Vec<Day> {
    let after = last_run.unwrap_or(baseline);
    let mut day = after.plus_days(1).max(yesterday.plus_days(1 - MAX_CATCH_UP_DAYS));
    let mut days = Vec::new();
    while day <= yesterday {
        days.push(day);
        day = day.plus_days(1);
    }
    days
}

/// The last day the job finished, if any.
pub async fn last_run(db: &Db) -> Result<Option<Day>, sqlx::Error> {
    let last: Option<String> = sqlx::query_scalar("SELECT MAX(run_date) FROM daily_runs").fetch_one(db.pool()).await?;
    Ok(last.as_deref().and_then(Day::parse))
}

/// Runs the job for `date`: maturities and notices first (so their movements count
/// in that day's closing balances), then the demand accrual and interest, then
/// records the day.
pub async fn run_daily(db: &Db, date: Day, now: Timestamp) -> Result<DailyReport, sqlx::Error> {
    let mut report = DailyReport { date: Some(date), ..DailyReport::default() };
    run_maturities(db, date, now, &mut report).await?;
    run_notices(db, date, now, &mut report).await?;
    run_demand_interest(db, date, now, &mut report).await?;
    // Dormancy, reminders and (on a month's last day) the month-end snapshot.
    crate::backend::insight::dormancy::run(db, date, now).await?;
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO daily_runs (run_date, finished_at) VALUES ($1, $2) ON CONFLICT (run_date) DO NOTHING")
        .bind(date.to_string())
        .bind(now.micros())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(summary = %report.summary(), "daily run finished");
    Ok(report)
}

/// Catches up every day from the last recorded run (or `baseline`) to the day
/// before `today`, in order.
pub async fn catch_up(db: &Db, today: Day, baseline: Day, now: Timestamp) -> Result<Vec<DailyReport>, sqlx::Error> {
    let last = last_run(db).await?;
    let mut reports = Vec::new();
    for day in days_to_run(last, baseline, today.plus_days(-1)) {
        reports.push(run_daily(db, day, now).await?);
    }
    Ok(reports)
}

/// Runs `once` again after a transient conflict (busy SQLite, PostgreSQL deadlock).
async fn retrying<T, F, Fut>(mut once: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    let mut attempt = 0;
    loop {
        attempt += 1;
        match once().await {
            Err(err) if super::is_retryable(&err) && attempt < super::RETRIES => {
                tracing::debug!(attempt, error = %err, "daily job conflict, retrying");
                tokio::time::sleep(std::time::Duration::from_millis(2 << attempt.min(6))).await;
            }
            other => return other,
        }
    }
}

/// A posting the job could not make for a reason a retry will not fix.
fn refused(what: &str, id: i64, err: &PostError) {
    tracing::error!(account = id, error = %err, what, "daily job: entry refused");
}

// ---------------------------------------------------------------------------------
// Maturities
// ---------------------------------------------------------------------------------

/// What happened to one deposit on its maturity day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Matured {
    /// Nothing to do (already done, or not due).
    Nothing,
    PaidOut,
    /// Rolled over; the new term ends on this day.
    Renewed(Day),
}

async fn run_maturities(db: &Db, date: Day, now: Timestamp, report: &mut DailyReport) -> Result<(), sqlx::Error> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE kind IN ('time_deposit', 'installment_savings') AND status = 'active' \
         AND maturity_date IS NOT NULL AND maturity_date <= $1 ORDER BY id",
    )
    .bind(date.to_string())
    .fetch_all(db.pool())
    .await?;
    for id in due {
        // A deposit that matured long ago and renews may renew more than once.
        for _ in 0..1_000 {
            match retrying(|| mature_one(db, id, date, now)).await? {
                Matured::Nothing => break,
                Matured::PaidOut => {
                    report.maturities_paid_out += 1;
                    break;
                }
                Matured::Renewed(next) => {
                    report.maturities_renewed += 1;
                    if next > date {
                        break;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A maturing deposit, read under its lock.
struct Maturing {
    account_no: String,
    kind: String,
    balance: i64,
    rate_bp: i64,
    term_months: i64,
    maturity: Day,
    at_maturity: String,
    original: i64,
    product_code: Option<String>,
    linked: Option<(i64, String)>,
}

async fn mature_one(db: &Db, id: i64, date: Day, now: Timestamp) -> Result<Matured, sqlx::Error> {
    let backend = db.backend();
    let mut tx = db.begin_write().await?;
    let linked: Option<Option<i64>> = sqlx::query_scalar("SELECT linked_account_id FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let linked = linked.flatten();
    let ie = Internal::InterestExpense.id(&mut tx).await?;
    let mut lock = vec![ie, id];
    lock.extend(linked);
    posting::lock_accounts(&mut tx, backend, &lock).await?;

    type Row = (
        String,
        String,
        String,
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let row: Row = sqlx::query_as(
        "SELECT account_no, kind, status, balance, rate_bp, term_months, maturity_date, at_maturity, \
         original_amount, product_code FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let (account_no, kind, status, balance, rate, term, maturity, at, original, product_code) = row;
    let Some(maturity) = maturity.as_deref().and_then(Day::parse) else { return Ok(Matured::Nothing) };
    if status != "active" || maturity > date {
        return Ok(Matured::Nothing);
    }
    let linked = match linked {
        Some(linked_id) => {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT account_no, status FROM accounts WHERE id = $1 AND kind = 'demand_deposit'")
                    .bind(linked_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            row.filter(|(_, status)| status != "closed").map(|(no, _)| (linked_id, no))
        }
        None => None,
    };
    let deposit = Maturing {
        account_no,
        kind,
        balance,
        rate_bp: rate.unwrap_or(0),
        term_months: term.unwrap_or(0),
        maturity,
        at_maturity: at.unwrap_or_else(|| "pay_out".to_owned()),
        original: original.unwrap_or(balance),
        product_code,
        linked,
    };
    let outcome = if deposit.kind == "installment_savings" {
        mature_installment(&mut tx, backend, id, ie, &deposit, now).await?
    } else {
        mature_time_deposit(&mut tx, backend, id, ie, &deposit, now).await?
    };
    if outcome == Matured::Nothing {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(outcome)
}

async fn mature_time_deposit(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: i64,
    ie: i64,
    d: &Maturing,
    now: Timestamp,
) -> Result<Matured, sqlx::Error> {
    let interest = term_interest(d.original, d.rate_bp, d.term_months);
    let reference = format!("maturity:{id}:{}", d.maturity);
    let mut lines = Vec::with_capacity(4);
    if interest > 0 {
        lines.push(Line { account_id: ie, amount: -interest, counterparty: mask_number(&d.account_no) });
        lines.push(Line { account_id: id, amount: interest, counterparty: BANK_COUNTERPARTY.to_owned() });
    }
    // Paid out only where there is an open demand account to receive it; otherwise
    // the money stays safe in a new term.
    let pay_out = d.at_maturity == "pay_out" && d.linked.is_some();
    match (&d.linked, pay_out) {
        (Some((linked_id, linked_no)), true) if d.balance + interest > 0 => {
            lines.push(Line { account_id: id, amount: -(d.balance + interest), counterparty: mask_number(linked_no) });
            lines.push(Line {
                account_id: *linked_id,
                amount: d.balance + interest,
                counterparty: mask_number(&d.account_no),
            });
        }
        _ => {}
    }
    if !lines.is_empty() {
        let entry =
            Entry { kind: "maturity", reference: Some(reference), memo: String::new(), value_date: d.maturity, lines };
        match posting::post(tx, backend, &entry, now).await {
            Ok(_) => {}
            Err(PostError::AlreadyPosted) => return Ok(Matured::Nothing),
            Err(PostError::Database(err)) => return Err(err),
            Err(err) => {
                refused("maturity", id, &err);
                return Ok(Matured::Nothing);
            }
        }
    }
    if pay_out {
        sqlx::query("UPDATE accounts SET status = 'closed', closed_at = $1 WHERE id = $2")
            .bind(now.micros())
            .bind(id)
            .execute(&mut **tx)
            .await?;
        return Ok(Matured::PaidOut);
    }
    // Renewal: principal and interest for another term at the product's rate of the day.
    let rate: Option<Option<i64>> = match &d.product_code {
        Some(code) => {
            sqlx::query_scalar("SELECT rate_bp FROM products WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?
        }
        None => None,
    };
    let rate = rate.flatten().unwrap_or(d.rate_bp);
    let next = d.maturity.plus_months(u32::try_from(d.term_months.max(1)).unwrap_or(1));
    sqlx::query(
        "UPDATE accounts SET original_amount = $1, rate_bp = $2, maturity_date = $3, at_maturity = 'renew' \
         WHERE id = $4",
    )
    .bind(d.balance + interest)
    .bind(rate)
    .bind(next.to_string())
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(Matured::Renewed(next))
}

/// Installment savings at maturity: each deposit earns the rate for the months from
/// its month to the maturity month (the month-sum); everything goes to the linked
/// account and the account closes.
async fn mature_installment(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    id: i64,
    ie: i64,
    d: &Maturing,
    now: Timestamp,
) -> Result<Matured, sqlx::Error> {
    let Some((linked_id, linked_no)) = &d.linked else {
        tracing::warn!(account = id, "installment savings matured without an open linked account; left as is");
        return Ok(Matured::Nothing);
    };
    let deposits: Vec<(String, i64)> =
        sqlx::query_as("SELECT value_date, amount FROM postings WHERE account_id = $1 AND amount > 0")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    // Σ amount × months, then one rounding: the same as monthly × n(n+1)/2 when
    // every month was paid on time.
    let month_sum: i128 = deposits
        .iter()
        .filter_map(|(day, amount)| {
            Some(i128::from(*amount) * i128::from(months_between(Day::parse(day)?, d.maturity)))
        })
        .sum();
    let interest = i64::try_from(super::deposits::div_round_half_up(month_sum * i128::from(d.rate_bp), 10_000 * 12))
        .unwrap_or(0)
        .max(0);
    let mut lines = Vec::with_capacity(4);
    if interest > 0 {
        lines.push(Line { account_id: ie, amount: -interest, counterparty: mask_number(&d.account_no) });
        lines.push(Line { account_id: id, amount: interest, counterparty: BANK_COUNTERPARTY.to_owned() });
    }
    if d.balance + interest > 0 {
        lines.push(Line { account_id: id, amount: -(d.balance + interest), counterparty: mask_number(linked_no) });
        lines.push(Line {
            account_id: *linked_id,
            amount: d.balance + interest,
            counterparty: mask_number(&d.account_no),
        });
        let entry = Entry {
            kind: "maturity",
            reference: Some(format!("maturity:{id}:{}", d.maturity)),
            memo: String::new(),
            value_date: d.maturity,
            lines,
        };
        match posting::post(tx, backend, &entry, now).await {
            Ok(_) => {}
            Err(PostError::AlreadyPosted) => return Ok(Matured::Nothing),
            Err(PostError::Database(err)) => return Err(err),
            Err(err) => {
                refused("installment maturity", id, &err);
                return Ok(Matured::Nothing);
            }
        }
    }
    sqlx::query("UPDATE accounts SET status = 'closed', closed_at = $1 WHERE id = $2")
        .bind(now.micros())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(Matured::PaidOut)
}

// ---------------------------------------------------------------------------------
// Notices
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum NoticeOutcome {
    Nothing,
    Paid,
    Cancelled,
}

async fn run_notices(db: &Db, date: Day, now: Timestamp, report: &mut DailyReport) -> Result<(), sqlx::Error> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM deposit_notices WHERE status = 'pending' AND due_on <= $1 ORDER BY due_on, id",
    )
    .bind(date.to_string())
    .fetch_all(db.pool())
    .await?;
    for id in due {
        match retrying(|| pay_notice(db, id, now)).await? {
            NoticeOutcome::Paid => report.notices_paid += 1,
            NoticeOutcome::Cancelled => report.notices_cancelled += 1,
            NoticeOutcome::Nothing => {}
        }
    }
    Ok(())
}

async fn pay_notice(db: &Db, notice_id: i64, now: Timestamp) -> Result<NoticeOutcome, sqlx::Error> {
    let backend = db.backend();
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT n.account_id, a.linked_account_id FROM deposit_notices n JOIN accounts a ON a.id = n.account_id \
         WHERE n.id = $1",
    )
    .bind(notice_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((account_id, Some(linked))) = row else {
        tracing::warn!(notice = notice_id, "notice deposit without a linked account; left pending");
        return Ok(NoticeOutcome::Nothing);
    };
    posting::lock_accounts(&mut tx, backend, &[account_id, linked]).await?;
    // Claim the notice first: a cancellation that got there before wins.
    let claimed: Option<(i64, String)> = sqlx::query_as(
        "UPDATE deposit_notices SET status = 'paid' WHERE id = $1 AND status = 'pending' RETURNING amount, due_on",
    )
    .bind(notice_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((amount, due_on)) = claimed else { return Ok(NoticeOutcome::Nothing) };
    let numbers: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, account_no, status FROM accounts WHERE id IN ($1, $2)")
            .bind(account_id)
            .bind(linked)
            .fetch_all(&mut *tx)
            .await?;
    let number =
        |id: i64| numbers.iter().find(|(i, _, _)| *i == id).map(|(_, no, _)| mask_number(no)).unwrap_or_default();
    if numbers.iter().any(|(i, _, status)| *i == linked && status == "closed") {
        tracing::warn!(notice = notice_id, "linked account closed; notice left pending");
        tx.rollback().await?;
        return Ok(NoticeOutcome::Nothing);
    }
    let value_date = Day::parse(&due_on).unwrap_or_else(|| Day::at(chrono_tz::UTC, now));
    let entry = Entry {
        kind: "notice_withdrawal",
        reference: Some(format!("notice:{notice_id}")),
        memo: String::new(),
        value_date,
        lines: vec![
            Line { account_id, amount: -amount, counterparty: number(linked) },
            Line { account_id: linked, amount, counterparty: number(account_id) },
        ],
    };
    match posting::post(&mut tx, backend, &entry, now).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(NoticeOutcome::Paid)
        }
        Err(PostError::AlreadyPosted) => {
            tx.rollback().await?;
            Ok(NoticeOutcome::Nothing)
        }
        Err(PostError::InsufficientFunds) => {
            // The deposit no longer covers the notice: it lapses, visibly.
            tx.rollback().await?;
            let mut tx = db.begin_write().await?;
            sqlx::query("UPDATE deposit_notices SET status = 'cancelled' WHERE id = $1 AND status = 'pending'")
                .bind(notice_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::warn!(notice = notice_id, "notice not covered by the deposit; cancelled");
            Ok(NoticeOutcome::Cancelled)
        }
        Err(PostError::Database(err)) => Err(err),
        Err(err) => {
            refused("notice", account_id, &err);
            Ok(NoticeOutcome::Nothing)
        }
    }
}

// ---------------------------------------------------------------------------------
// Demand deposits: daily accrual, quarterly interest
// ---------------------------------------------------------------------------------

async fn run_demand_interest(db: &Db, date: Day, now: Timestamp, report: &mut DailyReport) -> Result<(), sqlx::Error> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM accounts WHERE kind = 'demand_deposit' AND status <> 'closed' \
         AND (accrued_through IS NULL OR accrued_through < $1) ORDER BY id",
    )
    .bind(date.to_string())
    .fetch_all(db.pool())
    .await?;
    for chunk in ids.chunks(CHUNK) {
        let (accrued, payments, total) = retrying(|| accrue_chunk(db, chunk, date, now)).await?;
        report.accounts_accrued += accrued;
        report.interest_payments += payments;
        report.interest_total += total;
    }
    Ok(())
}

/// One demand account's accrual state, read under its lock.
struct Accruing {
    id: i64,
    balance: i64,
    base: i64,
    start: Day,
    rate_bp: i64,
}

/// The plan for one account: the interest payments to post and the accrual after.
#[derive(Debug, PartialEq, Eq)]
pub struct AccrualPlan {
    /// (settlement day, 积数 through the day before, interest)
    pub payments: Vec<(Day, i64, i64)>,
    /// The 积数 carried after `date`.
    pub base_after: i64,
}

/// Works out an account's accrual from `start` to `date` (both included): each day
/// adds its closing balance, which is today's balance less every movement value-dated
/// after that day. On a settlement day the sum through the day before earns
/// interest and starts again. `movements` are (value date, net amount) for the days
/// from `start` on; the interest paid on a settlement day is itself a movement of
/// that day.
pub fn plan_accrual(
    balance_now: i64,
    mut base: i64,
    start: Day,
    date: Day,
    rate_bp: i64,
    movements: &BTreeMap<Day, i64>,
) -> AccrualPlan {
    let mut movements = movements.clone();
    let mut balance_now = balance_now;
    let closing = |day: Day, balance_now: i64, movements: &BTreeMap<Day, i64>| -> i64 {
        balance_now - movements.range(day.plus_days(1)..).map(|(_, amount)| *amount).sum::<i64>()
    };
    let mut payments = Vec::new();
    let mut cursor = start;
    for settlement in settlement_days(start, date) {
        while cursor < settlement {
            base += closing(cursor, balance_now, &movements);
            cursor = cursor.plus_days(1);
        }
        let interest = super::deposits::accrual_interest(base, rate_bp);
        payments.push((settlement, base, interest));
        if interest > 0 {
            // Value-dated on the settlement day: it counts from that day's balance on.
            *movements.entry(settlement).or_default() += interest;
            balance_now += interest;
        }
        base = 0;
    }
    while cursor <= date {
        base += closing(cursor, balance_now, &movements);
        cursor = cursor.plus_days(1);
    }
    AccrualPlan { payments, base_after: base }
}

async fn accrue_chunk(db: &Db, ids: &[i64], date: Day, now: Timestamp) -> Result<(u64, u64, i64), sqlx::Error> {
    let backend = db.backend();
    let mut tx = db.begin_write().await?;
    // The interest expense account first (lowest id), then the chunk in id order:
    // the order every writer locks in.
    let ie = Internal::InterestExpense.id(&mut tx).await?;
    let mut lock = vec![ie];
    lock.extend_from_slice(ids);
    posting::lock_accounts(&mut tx, backend, &lock).await?;

    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT a.id, a.balance, a.accrual_base, a.accrued_through, a.opened_on, a.status, \
         COALESCE(p.rate_bp, a.rate_bp, 0) FROM accounts a LEFT JOIN products p ON p.code = a.product_code \
         WHERE a.kind = 'demand_deposit' AND a.id IN ({}) AND (a.accrued_through IS NULL OR a.accrued_through < $1) \
         ORDER BY a.id",
        placeholders.join(", ")
    );
    let mut query =
        sqlx::query_as::<_, (i64, i64, i64, Option<String>, String, String, i64)>(&sql).bind(date.to_string());
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(&mut *tx).await?;
    let mut accounts = Vec::with_capacity(rows.len());
    for (id, balance, base, through, opened, status, rate_bp) in rows {
        if status == "closed" {
            continue;
        }
        let opened_on = Day::parse(&opened).unwrap_or(date);
        // An account the job has not seen before starts at its opening or at the
        // current interest period, whichever is later (older periods were settled
        // before the job kept accounts).
        let start = match through.as_deref().and_then(Day::parse) {
            Some(through) => through.plus_days(1),
            None => opened_on.max(last_settlement_on_or_before(date)),
        };
        if start > date {
            continue;
        }
        accounts.push(Accruing { id, balance, base, start, rate_bp });
    }
    if accounts.is_empty() {
        tx.rollback().await?;
        return Ok((0, 0, 0));
    }

    // Every movement value-dated on or after the earliest start, per account and day.
    let earliest = accounts.iter().map(|a| a.start).min().unwrap_or(date);
    let placeholders: Vec<String> = (0..accounts.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT account_id, value_date, CAST(SUM(amount) AS BIGINT) FROM postings \
         WHERE value_date >= $1 AND account_id IN ({}) GROUP BY account_id, value_date",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64, String, i64)>(&sql).bind(earliest.to_string());
    for a in &accounts {
        query = query.bind(a.id);
    }
    let mut movements: BTreeMap<i64, BTreeMap<Day, i64>> = BTreeMap::new();
    for (id, day, amount) in query.fetch_all(&mut *tx).await? {
        if let Some(day) = Day::parse(&day) {
            *movements.entry(id).or_default().entry(day).or_default() += amount;
        }
    }

    let (mut accrued, mut payments, mut total) = (0_u64, 0_u64, 0_i64);
    let empty = BTreeMap::new();
    for a in &accounts {
        let own = movements.get(&a.id).unwrap_or(&empty);
        let moves: BTreeMap<Day, i64> = own.range(a.start..).map(|(d, m)| (*d, *m)).collect();
        let plan = plan_accrual(a.balance, a.base, a.start, date, a.rate_bp, &moves);
        for (settlement, _, interest) in &plan.payments {
            if *interest <= 0 {
                continue;
            }
            let entry = Entry {
                kind: "interest",
                reference: Some(format!("interest:{settlement}:{}", a.id)),
                memo: String::new(),
                value_date: *settlement,
                lines: vec![
                    Line { account_id: ie, amount: -interest, counterparty: String::new() },
                    Line { account_id: a.id, amount: *interest, counterparty: BANK_COUNTERPARTY.to_owned() },
                ],
            };
            match posting::post(&mut tx, backend, &entry, now).await {
                Ok(_) => {
                    payments += 1;
                    total += interest;
                }
                // Paid before (by an earlier run that then lost its accrual state):
                // never twice.
                Err(PostError::AlreadyPosted) => {}
                Err(PostError::Database(err)) => return Err(err),
                Err(err) => refused("interest", a.id, &err),
            }
        }
        sqlx::query("UPDATE accounts SET accrual_base = $1, accrued_through = $2 WHERE id = $3")
            .bind(plan.base_after)
            .bind(date.to_string())
            .bind(a.id)
            .execute(&mut *tx)
            .await?;
        accrued += 1;
    }
    tx.commit().await?;
    Ok((accrued, payments, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn settlement_days_are_the_21st_of_quarter_ends() {
        assert_eq!(
            settlement_days(day("2026-11-29"), day("2027-06-21")),
            vec![day("2026-12-21"), day("2027-03-21"), day("2027-06-21")]
        );
        assert!(settlement_days(day("2026-12-22"), day("2027-03-20")).is_empty());
        assert_eq!(last_settlement_on_or_before(day("2026-11-29")), day("2026-09-21"));
        assert_eq!(last_settlement_on_or_before(day("2026-12-21")), day("2026-12-21"));
    }

    #[test]
    fn catch_up_is_bounded_and_ordered() {
        let y = day("2026-11-28");
        assert_eq!(days_to_run(Some(day("2026-11-26")), y, y), vec![day("2026-11-27"), day("2026-11-28")]);
        assert!(days_to_run(Some(y), y, y).is_empty());
        assert!(days_to_run(None, y, y).is_empty());
        assert_eq!(days_to_run(None, day("2026-11-27"), y), vec![y]);
        let long = days_to_run(Some(day("2025-01-01")), y, y);
        assert_eq!(long.len(), MAX_CATCH_UP_DAYS as usize);
        assert_eq!(long.last(), Some(&y));
    }

    #[test]
    fn accrual_uses_each_days_closing_balance() {
        // ¥1,000 from 12-01; +¥500 value-dated 12-10; today's balance ¥1,500.
        let mut moves = BTreeMap::new();
        moves.insert(day("2026-12-10"), 50_000);
        let plan = plan_accrual(150_000, 0, day("2026-12-01"), day("2026-12-12"), 10, &moves);
        // 9 days × 1,000 + 3 days × 1,500
        assert_eq!(plan.base_after, 9 * 100_000 + 3 * 150_000);
        assert!(plan.payments.is_empty());
    }

    #[test]
    fn settlement_pays_through_the_20th_and_restarts() {
        // ¥10,000 all along, accrued through 12-19 with 19 days already in the base.
        let plan = plan_accrual(1_000_000, 19 * 1_000_000, day("2026-12-20"), day("2026-12-21"), 10, &BTreeMap::new());
        // 20 days × ¥10,000 × 0.10% / 360 = ¥0.5555… → ¥0.56
        assert_eq!(plan.payments, vec![(day("2026-12-21"), 20 * 1_000_000, 56)]);
        // The 21st counts into the new period with the interest in it.
        assert_eq!(plan.base_after, 1_000_056);
    }
}
