//! Month-end snapshots (`customer_months`): one row per customer per month, the
//! history behind segments, their movements and the dashboard's trends. Written by
//! the daily run on the month's last day and by the demo seed for past months.
//!
//! Everything is computed by two set-based statements (an upsert and the segment
//! update), never by loading customers into memory: 10,000 customers take well
//! under a second on either backend.
//!
//! What a snapshot holds at the month-end `D`:
//! - deposits: each deposit account's balance at `D` (the `balance_after` of its
//!   last posting dated on or before `D`; 0 when it had none), positive ones only;
//! - AUM: deposits + wealth funds + insurance cash values. Funds and insurance are
//!   not in the ledger, so they count at their current value (a fund's latest NAV,
//!   a policy's current cash value, if the policy had started by `D`);
//! - effective: per `rules::live_holders_sql` with the cut-offs of `D` (account
//!   statuses and last movements are as they are now, which for the month just
//!   ended is what the rule means);
//! - products: open accounts opened by `D`, fund holdings with units, policies in
//!   force at `D`;
//! - segment: the segment of the rolling average of AUM over the customer's last
//!   `rolling_months` snapshots including this one (integer average, as
//!   `types::insight::rolling_average`).
use super::rules::{self, Cutoffs, DEPOSIT_KINDS};
use super::settings;
use crate::backend::{Backend, Db};
use crate::types::{Day, InsightSettings, Segment};

/// The zone whose calendar decides whether a customer existed by a month-end (the
/// bank's, as the demo seed and the default configuration use).
pub const SNAPSHOT_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// Takes (or takes again) the snapshot of the month ending `month_end` for every
/// customer who existed by then and had not left; returns the rows written.
/// Idempotent: a second run replaces the month's rows with the new values.
pub async fn take_month(db: &Db, month_end: Day) -> Result<u64, sqlx::Error> {
    take_month_in(db, SNAPSHOT_ZONE, month_end).await
}

/// [`take_month`] with the bank's zone (it decides when `month_end` ends).
pub async fn take_month_in(db: &Db, zone: chrono_tz::Tz, month_end: Day) -> Result<u64, sqlx::Error> {
    let settings = settings::load(db).await?;
    let month = month_end.month_key();
    // Created before the next day began, and not closed before it.
    let bound = month_end.plus_days(1).start_in(zone).micros();
    let mut tx = db.begin_write().await?;
    if db.backend() == Backend::Postgres {
        // Compiling these two statements costs PostgreSQL more than running them.
        sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    }
    let written =
        sqlx::query(&upsert_sql(&settings, month_end, &month)).bind(bound).execute(&mut *tx).await?.rows_affected();
    sqlx::query(&segment_sql(&settings, &month)).bind(&month).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(written)
}

/// A deposit account `a`'s balance at the end of `day`. (The caller groups by the
/// account so PostgreSQL evaluates it once per account, not once per use.)
fn balance_at_sql(a: &str, day: Day) -> String {
    format!(
        "COALESCE((SELECT p.balance_after FROM postings p WHERE p.account_id = {a}.id AND p.value_date <= '{day}' \
         ORDER BY p.value_date DESC, p.id DESC LIMIT 1), 0)"
    )
}

/// The month's rows with every figure but the segment (`mass` until
/// [`segment_sql`] sets it). `$1` is the first instant after the month-end.
fn upsert_sql(s: &InsightSettings, day: Day, month: &str) -> String {
    let cut = Cutoffs::new(s, day);
    format!(
        "INSERT INTO customer_months (month, customer_id, branch_id, aum, deposits, segment, effective, products) \
         SELECT '{month}', c.id, c.branch_id, \
                COALESCE(d.deposits, 0) + COALESCE(f.value, 0) + COALESCE(i.value, 0), COALESCE(d.deposits, 0), \
                'mass', CASE WHEN c.id IN ({live}) THEN 1 ELSE 0 END, \
                COALESCE(n.accounts, 0) + COALESCE(f.holdings, 0) + COALESCE(i.policies, 0) \
         FROM customers c \
         LEFT JOIN (SELECT x.customer_id, CAST(SUM(CASE WHEN x.balance > 0 THEN x.balance ELSE 0 END) AS BIGINT) AS deposits \
                    FROM (SELECT a.customer_id, a.id, {balance} AS balance FROM accounts a \
                          WHERE a.kind IN {DEPOSIT_KINDS} AND a.opened_on <= '{day}' \
                          GROUP BY a.customer_id, a.id) x \
                    GROUP BY x.customer_id) d ON d.customer_id = c.id \
         LEFT JOIN (SELECT a.customer_id, COUNT(*) AS accounts FROM accounts a \
                    WHERE a.kind <> 'internal' AND a.status <> 'closed' AND a.opened_on <= '{day}' \
                    GROUP BY a.customer_id) n ON n.customer_id = c.id \
         LEFT JOIN (SELECT h.customer_id, CAST(SUM((h.units_milli * h.nav_e4 + 50000) / 100000) AS BIGINT) AS value, \
                           SUM(CASE WHEN h.units_milli > 0 THEN 1 ELSE 0 END) AS holdings \
                    FROM fund_holdings h GROUP BY h.customer_id) f ON f.customer_id = c.id \
         LEFT JOIN (SELECT p.customer_id, CAST(SUM(p.cash_value) AS BIGINT) AS value, \
                           SUM(CASE WHEN p.end_date >= '{day}' THEN 1 ELSE 0 END) AS policies \
                    FROM insurance_policies p WHERE p.start_date <= '{day}' GROUP BY p.customer_id) i \
                ON i.customer_id = c.id \
         WHERE c.created_at < $1 AND (c.closed_at IS NULL OR c.closed_at >= $1) \
           AND NOT (c.status = 'closed' AND c.closed_at IS NULL) \
         ON CONFLICT (month, customer_id) DO UPDATE SET branch_id = excluded.branch_id, aum = excluded.aum, \
            deposits = excluded.deposits, segment = excluded.segment, effective = excluded.effective, \
            products = excluded.products",
        live = rules::live_holders_sql(&cut),
        balance = balance_at_sql("a", day),
    )
}

/// Sets the month's segments from the rolling average of each customer's last
/// `rolling_months` snapshots up to and including `$1` (the month).
fn segment_sql(s: &InsightSettings, month: &str) -> String {
    // The averages in one pass: each customer's rows numbered newest first, the
    // first N summed (UPDATE ... FROM: PostgreSQL, and SQLite since 3.33).
    format!(
        "UPDATE customer_months SET segment = {case} \
         FROM (SELECT w.customer_id, CAST(SUM(w.aum) AS BIGINT) / COUNT(*) AS average \
               FROM (SELECT r.customer_id, r.aum, \
                            ROW_NUMBER() OVER (PARTITION BY r.customer_id ORDER BY r.month DESC) AS k \
                     FROM customer_months r WHERE r.month <= '{month}') w \
               WHERE w.k <= {n} GROUP BY w.customer_id) s \
         WHERE customer_months.month = $1 AND customer_months.customer_id = s.customer_id",
        case = rules::segment_case_sql("s.average", s),
        n = s.rolling_months.max(1)
    )
}

/// A customer's segment as every staff page shows it: that of their latest
/// month-end snapshot (the rolling average), or of `today_aum` under the current
/// settings when no month-end has been taken for them yet.
pub async fn current_segment(db: &Db, customer_id: i64, today_aum: i64) -> Result<Segment, sqlx::Error> {
    let latest: Option<String> =
        sqlx::query_scalar("SELECT segment FROM customer_months WHERE customer_id = $1 ORDER BY month DESC LIMIT 1")
            .bind(customer_id)
            .fetch_optional(db.pool())
            .await?;
    match latest.as_deref().and_then(Segment::parse) {
        Some(segment) => Ok(segment),
        None => Ok(settings::load(db).await?.segment_of(today_aum)),
    }
}

/// The last day of each of the `count` months before `today`'s, oldest first
/// (the month-ends a seed or a catch-up snapshots).
pub fn past_month_ends(today: Day, count: u32) -> Vec<Day> {
    let first_of_month = Day::new(today.year(), today.month(), 1).unwrap_or(today);
    (1..=count).rev().map(|k| first_of_month.minus_months(k - 1).plus_days(-1)).collect()
}

/// Whether `day` is the last day of its month.
pub fn is_month_end(day: Day) -> bool {
    day.plus_days(1).day() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|| panic!("bad day {text}"))
    }

    #[test]
    fn past_month_ends_count_back_from_the_month_before() {
        assert_eq!(
            past_month_ends(day("2026-11-29"), 3),
            vec![day("2026-08-31"), day("2026-09-30"), day("2026-10-31")]
        );
        assert_eq!(past_month_ends(day("2026-03-01"), 2), vec![day("2026-01-31"), day("2026-02-28")]);
        assert!(past_month_ends(day("2026-03-01"), 0).is_empty());
    }

    #[test]
    fn month_ends_are_the_last_days() {
        assert!(is_month_end(day("2026-02-28")));
        assert!(is_month_end(day("2024-12-31")));
        assert!(!is_month_end(day("2024-02-28")));
    }
}
