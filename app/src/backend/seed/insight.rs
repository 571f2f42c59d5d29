//! The insight side of the demo data: each customer's area, occupation, risk
//! assessment and marketing choice, the wealth products' risk ratings, the day each
//! customer joined, and the month-end snapshots of the past six months.
//!
//! Set-based like the rest of the seed: a handful of UPDATE statements keyed on the
//! customer number, so 10,000 customers cost little more than 100.
use crate::backend::insight::snapshot;
use crate::backend::Db;
use crate::types::{Day, Timestamp};
use std::collections::BTreeMap;

/// The past month-ends the seed snapshots.
pub const SNAPSHOT_MONTHS: u32 = 6;

/// A customer's number (`C00000042` → 42) in SQL.
const N: &str = "CAST(SUBSTR(customer_no, 2) AS BIGINT)";

/// Runs every insight step; `now` is the seed's clock, which the customers
/// inserted by this run carry as `created_at`.
pub async fn seed_insight(db: &Db, zone: chrono_tz::Tz, now: Timestamp) -> Result<(), sqlx::Error> {
    let today = Day::at(zone, now);
    profile_customers(db, today).await?;
    rate_wealth_products(db).await?;
    date_new_customers(db, zone, now).await?;
    for month_end in snapshot::past_month_ends(today, SNAPSHOT_MONTHS) {
        snapshot::take_month_in(db, zone, month_end).await?;
    }
    Ok(())
}

/// Area by outlet, occupation spread across outlets (a small-business loan means
/// business, an agricultural loan farming), a risk assessment for some (demo1: level 3, about 100
/// days ago; demo2: none; every fourth one older than a year), marketing off for a
/// few. Only fields still at their defaults are set, so a customer's own choices
/// (marketing, a new assessment) survive a re-seed.
async fn profile_customers(db: &Db, today: Day) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!(
        "UPDATE customers SET \
           area = COALESCE((SELECT CASE b.code WHEN 'B001' THEN 'county' WHEN 'B002' THEN 'county' \
                  WHEN 'B004' THEN 'urban' ELSE 'rural' END FROM branches b WHERE b.id = customers.branch_id), 'urban'), \
           occupation = CASE WHEN {N} = 1 THEN 'salaried' WHEN {N} = 2 THEN 'farmer' \
                  WHEN {N} % 10 = 3 THEN 'business' WHEN {N} % 9 = 4 OR {N} / 5 % 4 = 1 THEN 'farmer' \
                  WHEN {N} / 5 % 7 = 2 THEN 'retired' WHEN {N} / 5 % 11 = 3 THEN 'student' \
                  WHEN {N} / 5 % 13 = 4 THEN 'other' ELSE 'salaried' END \
         WHERE customer_no LIKE 'C%' AND area = 'urban' AND occupation = 'other'"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!(
        "UPDATE customers SET marketing_ok = 0 WHERE customer_no LIKE 'C%' AND {N} > 2 AND {N} % 23 = 0 \
         AND marketing_changed_at IS NULL AND marketing_ok = 1"
    ))
    .execute(&mut *tx)
    .await?;
    // demo1's assessment, then every third customer's, aged in four steps.
    let ago = |days: i64| today.plus_days(-days).to_string();
    sqlx::query(&format!(
        "UPDATE customers SET \
           risk_level = CASE WHEN {N} = 1 THEN 3 ELSE 1 + {N} % 5 END, \
           risk_assessed_on = CASE WHEN {N} = 1 THEN '{d100}' \
             WHEN {N} % 4 = 0 THEN '{d30}' WHEN {N} % 4 = 1 THEN '{d100}' WHEN {N} % 4 = 2 THEN '{d200}' \
             ELSE '{d420}' END \
         WHERE customer_no LIKE 'C%' AND risk_assessed_on IS NULL AND ({N} = 1 OR ({N} > 2 AND {N} % 3 = 0))",
        d30 = ago(30),
        d100 = ago(100),
        d200 = ago(200),
        d420 = ago(420),
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Wealth funds without a rating get R2, R3, R4 in turn (by product code).
async fn rate_wealth_products(db: &Db) -> Result<(), sqlx::Error> {
    let codes: Vec<String> =
        sqlx::query_scalar("SELECT code FROM products WHERE kind = 'wealth_fund' AND risk_level IS NULL ORDER BY code")
            .fetch_all(db.pool())
            .await?;
    let mut tx = db.begin_write().await?;
    for (i, code) in codes.iter().enumerate() {
        let level = 2 + i64::try_from(i % 3).unwrap_or(0);
        sqlx::query("UPDATE products SET risk_level = $1 WHERE code = $2")
            .bind(level)
            .bind(code)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// The customers this run inserted joined the bank when their first account was
/// opened (the history reaches back months or years), so the month-end snapshots
/// and "new customers" per period have a past.
async fn date_new_customers(db: &Db, zone: chrono_tz::Tz, now: Timestamp) -> Result<(), sqlx::Error> {
    let firsts: Vec<(i64, String)> = sqlx::query_as(
        "SELECT a.customer_id, MIN(a.opened_on) FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE c.created_at = $1 GROUP BY a.customer_id",
    )
    .bind(now.micros())
    .fetch_all(db.pool())
    .await?;
    let mut by_day: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (id, day) in firsts {
        by_day.entry(day).or_default().push(id);
    }
    let mut tx = db.begin_write().await?;
    for (day, ids) in by_day {
        let Some(day) = Day::parse(&day) else { continue };
        // Opening hours: 09:00 on the day of the first account.
        let at = day.start_in(zone).micros() + 9 * 3_600_000_000;
        for chunk in ids.chunks(500) {
            let list = chunk.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            sqlx::query(&format!("UPDATE customers SET created_at = $1 WHERE created_at = $2 AND id IN ({list})"))
                .bind(at.min(now.micros()))
                .bind(now.micros())
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}
