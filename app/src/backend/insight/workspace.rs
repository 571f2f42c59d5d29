//! The relationship manager's workspace: one statement per section over all of the
//! RM's customers (never one per customer). An RM reaches only the customers whose
//! `relationship_manager_id` is theirs; supervisors and admins choose the RM
//! (`advisor::advisor_for` decides, as for calendars). Every view is audited.
use super::recommend;
use super::rules::{aum_sql, dormant_soon_sql, Cutoffs};
use super::settings;
use crate::api::advisor::AdvisorChoice;
use crate::api::rm_workspace::{RmConsultation, RmCustomer, RmDormant, RmLead, RmMaturity, RmRequest, RmWorkspaceView};
use crate::backend::advisor::{advisor_choices, advisor_for, audit_staff};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, AppState};
use crate::error::AppError;
use crate::types::account::mask_number;
use crate::types::{Day, Localized, Money, Purpose, RequestKind, RequestStatus, Segment, Timestamp};
use std::collections::BTreeMap;

/// Audit event of a workspace view (stable).
pub const RM_WORKSPACE_VIEWED: &str = "rm_workspace_viewed";
/// Deposits maturing this many days ahead (today included) are listed.
pub const MATURING_DAYS: i64 = 30;
/// Month-ends in the AUM trend.
pub const TREND_MONTHS: u32 = 12;

/// The RM's open customers.
const BOOK: &str = "c.relationship_manager_id = $1 AND c.status <> 'closed'";

pub async fn workspace(
    state: &AppState,
    actor: &StaffActor,
    rm: &str,
    origin: &str,
) -> Result<RmWorkspaceView, AppError> {
    let manager = advisor_for(&state.db, actor, Some(rm)).await?;
    let now = state.clock.now();
    let today = Day::at(state.zone, now);
    let names = names(state, manager.id).await?;
    let ws = RmWorkspaceView {
        manager: AdvisorChoice { staff_no: manager.staff_no.clone(), name: manager.name.clone() },
        choices: advisor_choices(&state.db, actor).await?,
        today,
        customers: customers(state, manager.id, today).await?,
        maturing: maturing(state, manager.id, today).await?,
        dormant_soon: dormant_soon(state, manager.id, today).await?,
        requests: requests(state, manager.id).await?,
        consultations: consultations(state, manager.id, now).await?,
        leads: recommend::leads_of(state, manager.id, today)
            .await?
            .into_iter()
            .filter_map(|(id, recommendation)| {
                let (customer_no, name) = names.get(&id)?.clone();
                Some(RmLead { customer_no, name, recommendation })
            })
            .collect(),
    };
    let mut tx = state.db.begin_write().await?;
    let detail = serde_json::json!({ "manager": manager.staff_no, "customers": ws.customers.len() });
    audit_staff(&mut tx, state, actor, None, RM_WORKSPACE_VIEWED, detail, origin).await?;
    tx.commit().await?;
    Ok(ws)
}

async fn names(state: &AppState, manager: i64) -> Result<BTreeMap<i64, (String, String)>, AppError> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as(&format!("SELECT c.id, c.customer_no, c.full_name FROM customers c WHERE {BOOK}"))
            .bind(manager)
            .fetch_all(state.db.pool())
            .await?;
    Ok(rows.into_iter().map(|(id, no, name)| (id, (no, name))).collect())
}

/// Each customer with the latest month-end segment (today's by the settings when
/// none was taken yet), AUM now, and the month-end trend.
async fn customers(state: &AppState, manager: i64, today: Day) -> Result<Vec<RmCustomer>, AppError> {
    let s = settings::load(&state.db).await?;
    type Row = (i64, String, String, i64, i64, Option<String>);
    let sql = format!(
        "SELECT c.id, c.customer_no, c.full_name, CAST(c.marketing_ok AS BIGINT), CAST({aum} AS BIGINT), \
           (SELECT cm.segment FROM customer_months cm WHERE cm.customer_id = c.id ORDER BY cm.month DESC LIMIT 1) \
         FROM customers c WHERE {BOOK} ORDER BY c.customer_no",
        aum = aum_sql("c")
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(manager).fetch_all(state.db.pool()).await?;
    let from = today.minus_months(TREND_MONTHS - 1).month_key();
    let points: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT cm.customer_id, cm.month, cm.aum FROM customer_months cm JOIN customers c ON c.id = cm.customer_id \
         WHERE {BOOK} AND cm.month >= '{from}' ORDER BY cm.customer_id, cm.month"
    ))
    .bind(manager)
    .fetch_all(state.db.pool())
    .await?;
    let mut trends: BTreeMap<i64, Vec<(String, i64)>> = BTreeMap::new();
    for (id, month, aum) in points {
        trends.entry(id).or_default().push((month, aum));
    }
    Ok(rows
        .into_iter()
        .map(|(id, customer_no, name, marketing, aum, segment)| {
            let stored = segment.as_deref().and_then(Segment::parse);
            RmCustomer {
                customer_no,
                name,
                segment: stored.unwrap_or_else(|| s.segment_of(aum)),
                segment_today: stored.is_none(),
                aum: Money::yuan_fen(aum),
                trend: trends.remove(&id).unwrap_or_default(),
                marketing_ok: marketing == 1,
            }
        })
        .collect())
}

async fn maturing(state: &AppState, manager: i64, today: Day) -> Result<Vec<RmMaturity>, AppError> {
    type Row = (String, String, String, String, String, i64, String);
    let last = today.plus_days(MATURING_DAYS);
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT c.customer_no, c.full_name, a.account_no, p.name_zh, p.name_en, a.balance, a.maturity_date \
         FROM accounts a JOIN customers c ON c.id = a.customer_id JOIN products p ON p.code = a.product_code \
         WHERE {BOOK} AND a.kind IN ('time_deposit', 'installment_savings') AND a.status = 'active' \
           AND a.maturity_date >= '{today}' AND a.maturity_date <= '{last}' \
         ORDER BY a.maturity_date, c.customer_no, a.id"
    ))
    .bind(manager)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(customer_no, name, account, zh, en, balance, day)| {
            Some(RmMaturity {
                customer_no,
                name,
                account: mask_number(&account),
                product: Localized { zh, en },
                amount: Money::yuan_fen(balance),
                day: Day::parse(&day)?,
            })
        })
        .collect())
}

async fn dormant_soon(state: &AppState, manager: i64, today: Day) -> Result<Vec<RmDormant>, AppError> {
    let s = settings::load(&state.db).await?;
    let cutoffs = Cutoffs::new(&s, today);
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT c.customer_no, c.full_name, a.account_no, COALESCE(a.last_activity_on, a.opened_on) \
         FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE {BOOK} AND {} \
         ORDER BY COALESCE(a.last_activity_on, a.opened_on), c.customer_no, a.id",
        dormant_soon_sql("a", &cutoffs)
    ))
    .bind(manager)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(customer_no, name, account, last)| {
            let last = Day::parse(&last)?;
            Some(RmDormant {
                customer_no,
                name,
                account: mask_number(&account),
                last_activity: last,
                dormant_on: s.dormant_on(last),
            })
        })
        .collect())
}

async fn requests(state: &AppState, manager: i64) -> Result<Vec<RmRequest>, AppError> {
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT c.customer_no, c.full_name, r.reference, r.kind, r.status, r.subject \
         FROM service_requests r JOIN customers c ON c.id = r.customer_id \
         WHERE {BOOK} AND r.status IN ('submitted', 'in_progress', 'waiting_customer') \
         ORDER BY r.created_at, r.id"
    ))
    .bind(manager)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(customer_no, name, reference, kind, status, subject)| {
            Some(RmRequest {
                customer_no,
                name,
                reference,
                kind: RequestKind::parse(&kind)?,
                status: RequestStatus::parse(&status)?,
                subject,
            })
        })
        .collect())
}

async fn consultations(state: &AppState, manager: i64, now: Timestamp) -> Result<Vec<RmConsultation>, AppError> {
    let rows: Vec<(String, String, String, i64, String, String)> = sqlx::query_as(&format!(
        "SELECT c.customer_no, c.full_name, b.reference, b.starts_at, s.full_name, b.purpose \
         FROM bookings b JOIN customers c ON c.id = b.customer_id JOIN staff s ON s.id = b.advisor_id \
         WHERE {BOOK} AND b.status = 'booked' AND b.ends_at > $2 ORDER BY b.starts_at, b.id"
    ))
    .bind(manager)
    .bind(now.micros())
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(customer_no, name, reference, starts, advisor_name, purpose)| {
            Some(RmConsultation {
                customer_no,
                name,
                reference,
                at: local_time(state.zone, Timestamp::from_micros(starts)),
                advisor_name,
                purpose: Purpose::parse(&purpose)?,
            })
        })
        .collect())
}
