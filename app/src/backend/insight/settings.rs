//! The `insight_settings` row: the bank changes thresholds and periods without a
//! release; every computation reads them afresh.
use crate::backend::Db;
use crate::types::InsightSettings;

type SettingsRow = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The current settings; the defaults if the row is missing (it never is after
/// the migration, which writes it).
pub async fn load(db: &Db) -> Result<InsightSettings, sqlx::Error> {
    let row: Option<SettingsRow> = sqlx::query_as(
        "SELECT dormant_after_months, dormant_warn_months, empty_card_months, rolling_months, affluent_from, \
         high_end_from, private_from, idle_balance_from, maturing_within_days, salary_lookback_days, \
         risk_valid_months, max_recommendations FROM insight_settings WHERE id = 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(from_row).unwrap_or_default())
}

fn from_row(r: SettingsRow) -> InsightSettings {
    // The table's CHECKs keep the counts small and positive.
    let count = |v: i64| u32::try_from(v).unwrap_or(0);
    InsightSettings {
        dormant_after_months: count(r.0),
        dormant_warn_months: count(r.1),
        empty_card_months: count(r.2),
        rolling_months: count(r.3),
        affluent_from: r.4,
        high_end_from: r.5,
        private_from: r.6,
        idle_balance_from: r.7,
        maturing_within_days: count(r.8),
        salary_lookback_days: count(r.9),
        risk_valid_months: count(r.10),
        max_recommendations: count(r.11),
    }
}

/// Replaces the settings (tests and the bank's administration).
pub async fn save(db: &Db, s: &InsightSettings) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE insight_settings SET dormant_after_months = $1, dormant_warn_months = $2, empty_card_months = $3, \
         rolling_months = $4, affluent_from = $5, high_end_from = $6, private_from = $7, idle_balance_from = $8, \
         maturing_within_days = $9, salary_lookback_days = $10, risk_valid_months = $11, max_recommendations = $12 \
         WHERE id = 1",
    )
    .bind(i64::from(s.dormant_after_months))
    .bind(i64::from(s.dormant_warn_months))
    .bind(i64::from(s.empty_card_months))
    .bind(i64::from(s.rolling_months))
    .bind(s.affluent_from)
    .bind(s.high_end_from)
    .bind(s.private_from)
    .bind(s.idle_balance_from)
    .bind(i64::from(s.maturing_within_days))
    .bind(i64::from(s.salary_lookback_days))
    .bind(i64::from(s.risk_valid_months))
    .bind(i64::from(s.max_recommendations))
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}
