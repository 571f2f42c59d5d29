//! The daily insight step: demand accounts turn dormant on the day the rule says,
//! the customers of accounts approaching it are reminded once per approach, and on
//! the month's last day the month-end snapshot is taken.
//!
//! The candidates are found by set-based SQL (the `rules` fragments); only the few
//! accounts that change on a given day are handled one by one, each in its own
//! short transaction, so a day's run at 10,000 customers costs a few index scans.
//! Idempotent: a marked account is no longer `active`, and a reminder writes the
//! dormant-on day it was for into `accounts.dormancy_reminded_on` first.
use super::rules::{self, Cutoffs};
use super::{settings, snapshot};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::outbox::enqueue_sms;
use crate::backend::{notifications, Db};
use crate::types::{mask_number, Day, InsightSettings, Timestamp};
use serde_json::json;

/// Notification kinds (the notification centre translates them).
pub mod notices {
    pub const ACCOUNT_DORMANT: &str = "account_dormant";
    pub const ACCOUNT_DORMANT_SOON: &str = "account_dormant_soon";
    pub const ACCOUNT_CLOSED: &str = "account_closed";
}

/// Audit event names.
pub mod events {
    pub const ACCOUNT_MARKED_DORMANT: &str = "account_marked_dormant";
    pub const DORMANCY_REMINDED: &str = "dormancy_reminded";
    pub const ACCOUNT_CLOSED: &str = "account_closed";
}

/// What one day's step did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DormancyReport {
    /// Demand accounts marked dormant today.
    pub marked_dormant: u64,
    /// Reminders sent (one per account and approach).
    pub reminded: u64,
    /// Month-end snapshot rows written (the month's last day only).
    pub snapshot_rows: Option<u64>,
}

/// Runs the step for `date` (the day being closed, as `run_daily` gets it).
pub async fn run(db: &Db, date: Day, now: Timestamp) -> Result<DormancyReport, sqlx::Error> {
    let settings = settings::load(db).await?;
    let cut = Cutoffs::new(&settings, date);
    let mut report = DormancyReport {
        marked_dormant: mark_dormant(db, &settings, &cut, now).await?,
        reminded: remind_approaching(db, &settings, &cut, now).await?,
        snapshot_rows: None,
    };
    if snapshot::is_month_end(date) {
        report.snapshot_rows = Some(snapshot::take_month(db, date).await?);
    }
    tracing::info!(%date, ?report, "dormancy step finished");
    Ok(report)
}

/// A candidate row: account id, owner, account number, last use (text).
type Candidate = (i64, i64, String, String);

/// Active demand accounts whose last use is on or before the dormant cut-off.
async fn mark_dormant(db: &Db, s: &InsightSettings, cut: &Cutoffs, now: Timestamp) -> Result<u64, sqlx::Error> {
    let due: Vec<Candidate> = sqlx::query_as(&format!(
        "SELECT a.id, a.customer_id, a.account_no, {lu} FROM accounts a \
         WHERE a.status = 'active' AND {dormant} ORDER BY a.id",
        lu = rules::last_use("a"),
        dormant = rules::dormant_sql("a", cut)
    ))
    .fetch_all(db.pool())
    .await?;
    let mut marked = 0;
    for (id, customer_id, account_no, last_use) in due {
        let since = Day::parse(&last_use).map(|d| s.dormant_on(d)).unwrap_or(cut.today);
        let mut tx = db.begin_write().await?;
        let changed = sqlx::query("UPDATE accounts SET status = 'dormant' WHERE id = $1 AND status = 'active'")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            let masked = mask_number(&account_no);
            notifications::notify(&mut tx, customer_id, notices::ACCOUNT_DORMANT, &masked, now).await?;
            let detail = json!({ "account": masked, "since": since.to_string(), "last_use": last_use });
            let event = AuditEvent {
                actor: Actor::System,
                customer_id: Some(customer_id),
                event: events::ACCOUNT_MARKED_DORMANT,
                detail,
                origin: "",
            };
            audit::record(&mut tx, db.backend(), now, &event).await?;
            marked += 1;
        }
        tx.commit().await?;
    }
    Ok(marked)
}

/// A reminder candidate: account id, owner, account number, last use, the day
/// reminded for (if any), the owner's phone.
type Approaching = (i64, i64, String, String, Option<String>, String);

/// Reminds the owner of each account approaching dormancy that was not reminded of
/// this approach. A reminder of an earlier approach is for a day now past (new
/// activity came after it), so `dormancy_reminded_on <= today` selects exactly the
/// accounts not yet reminded of the current one.
async fn remind_approaching(db: &Db, s: &InsightSettings, cut: &Cutoffs, now: Timestamp) -> Result<u64, sqlx::Error> {
    if s.dormant_warn_months == 0 {
        return Ok(0);
    }
    let rows: Vec<Approaching> = sqlx::query_as(&format!(
        "SELECT a.id, a.customer_id, a.account_no, {lu}, a.dormancy_reminded_on, c.phone FROM accounts a \
         JOIN customers c ON c.id = a.customer_id \
         WHERE {soon} AND c.status <> 'closed' \
           AND (a.dormancy_reminded_on IS NULL OR a.dormancy_reminded_on <= $1) ORDER BY a.id",
        lu = rules::last_use("a"),
        soon = rules::dormant_soon_sql("a", cut)
    ))
    .bind(cut.today.to_string())
    .fetch_all(db.pool())
    .await?;
    let mut reminded = 0;
    for (id, customer_id, account_no, last_use, reminded_on, phone) in rows {
        let Some(last) = Day::parse(&last_use) else { continue };
        let dormant_on = s.dormant_on(last).to_string();
        if reminded_on.as_deref() == Some(dormant_on.as_str()) {
            continue;
        }
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE accounts SET dormancy_reminded_on = $1 WHERE id = $2 \
             AND (dormancy_reminded_on IS NULL OR dormancy_reminded_on <> $1)",
        )
        .bind(&dormant_on)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 1 {
            let masked = mask_number(&account_no);
            let detail = format!("{masked} · {dormant_on}");
            notifications::notify(&mut tx, customer_id, notices::ACCOUNT_DORMANT_SOON, &detail, now).await?;
            if !phone.trim().is_empty() {
                enqueue_sms(&mut tx, &phone, &reminder_sms(&masked, &dormant_on), now).await?;
            }
            let event = AuditEvent {
                actor: Actor::System,
                customer_id: Some(customer_id),
                event: events::DORMANCY_REMINDED,
                detail: json!({ "account": masked, "dormant_on": dormant_on }),
                origin: "",
            };
            audit::record(&mut tx, db.backend(), now, &event).await?;
            reminded += 1;
        }
        tx.commit().await?;
    }
    Ok(reminded)
}

/// The reminder's text, in both languages as the bank's other messages are.
fn reminder_sms(masked: &str, dormant_on: &str) -> String {
    let tail = &masked[masked.len().saturating_sub(4)..];
    format!(
        "【邮储银行】您尾号{tail}的账户长期未发生交易，如{dormant_on}前仍无交易将转为睡眠户。\
         Your account ending {tail} becomes dormant on {dormant_on} unless you use it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_names_the_tail_and_the_day() {
        let text = reminder_sms("6217 **** **** 1234", "2027-01-31");
        assert!(text.contains("1234") && text.contains("2027-01-31"));
    }
}
