//! The customer summary staff open from a booking or a thread: products and
//! balances, total assets and segment, the relationship manager, open inquiries,
//! open service requests and upcoming bookings.
//!
//! Only staff who serve the customer reach it: their relationship manager, an
//! advisor with a booking of theirs, whoever holds one of their threads or service
//! requests; and supervisors and admins. Anyone else gets `not_found`, exactly as for a customer
//! number that does not exist. Every view is audited (staff member and customer).
//!
//! The staff console's customer 360 (`backend::console::customer`) builds on
//! [`load_summary`] with its own rule (agents, supervisors and admins reach every
//! customer; advisors only those they serve, by [`has_relationship`]).
use super::{audit_staff, events, oversees};
use crate::api::advisor::{AdvisorChoice, CustomerSummary, OpenInquiry, OpenRequest, UpcomingBooking};
use crate::backend::auth::{CustomerRead, StaffActor};
use crate::backend::insight::snapshot;
use crate::backend::ledger::accounts;
use crate::backend::{local_time, AppState, Db};
use crate::error::{AppError, ErrorCode};
use crate::types::{Channel, Localized, Purpose, RequestKind, RequestStatus, Timestamp, Topic};
use serde_json::json;

/// A customer found by number: id, number, name, branch names, manager's id.
pub type CustomerRow = (i64, String, String, String, String, Option<i64>);

pub async fn customer_by_no(db: &Db, customer_no: &str) -> Result<CustomerRow, AppError> {
    sqlx::query_as(
        "SELECT c.id, c.customer_no, c.full_name, b.name_zh, b.name_en, c.relationship_manager_id \
         FROM customers c JOIN branches b ON b.id = c.branch_id WHERE c.customer_no = $1",
    )
    .bind(customer_no.trim().to_ascii_uppercase())
    .fetch_optional(db.pool())
    .await?
    .ok_or_else(|| AppError::new(ErrorCode::NotFound))
}

/// Whether `actor` serves the customer: RM, a booking with them, or a thread or a
/// service request they hold.
pub async fn has_relationship(db: &Db, actor: &StaffActor, customer_id: i64) -> Result<bool, AppError> {
    if oversees(actor) {
        return Ok(true);
    }
    let related: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM customers WHERE id = $1 AND relationship_manager_id = $2) \
              + (SELECT COUNT(*) FROM bookings WHERE customer_id = $1 AND advisor_id = $2) \
              + (SELECT COUNT(*) FROM inquiry_threads WHERE customer_id = $1 AND assigned_staff_id = $2) \
              + (SELECT COUNT(*) FROM service_requests WHERE customer_id = $1 AND assigned_staff_id = $2)",
    )
    .bind(customer_id)
    .bind(actor.staff_id)
    .fetch_one(db.pool())
    .await?;
    Ok(related > 0)
}

pub async fn summary(
    state: &AppState,
    actor: &StaffActor,
    customer_no: &str,
    origin: &str,
) -> Result<CustomerSummary, AppError> {
    let customer = customer_by_no(&state.db, customer_no).await?;
    if !has_relationship(&state.db, actor, customer.0).await? {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    let summary = load_summary(state, &customer).await?;

    let mut tx = state.db.begin_write().await?;
    let detail = json!({ "customer_no": summary.customer_no });
    audit_staff(&mut tx, state, actor, Some(customer.0), events::CUSTOMER_SUMMARY_VIEWED, detail, origin).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The summary of a customer the caller was already found to reach (by
/// [`summary`] here, or by the console's 360, which has its own rule); not audited
/// here: each caller audits its own view.
pub async fn load_summary(state: &AppState, customer: &CustomerRow) -> Result<CustomerSummary, AppError> {
    let (customer_id, customer_no, name, branch_zh, branch_en, manager_id) = customer.clone();
    let now = state.clock.now();
    // The caller's right to this customer was just checked: reading the customer's
    // products is what a customer read proof stands for here.
    let overview = accounts::overview(&state.db, &CustomerRead::own(customer_id), state.zone, now).await?;
    let manager = match manager_id {
        Some(id) => sqlx::query_as::<_, (String, String)>("SELECT staff_no, full_name FROM staff WHERE id = $1")
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?
            .map(|(staff_no, name)| AdvisorChoice { staff_no, name }),
        None => None,
    };
    let inquiries = open_inquiries(state, customer_id).await?;
    let requests = open_requests(state, customer_id).await?;
    let upcoming = upcoming_bookings(state, customer_id, now).await?;
    Ok(CustomerSummary {
        customer_no,
        name,
        branch: Localized { zh: branch_zh, en: branch_en },
        segment: snapshot::current_segment(&state.db, customer_id, overview.total_assets.minor()).await?,
        total_assets: overview.total_assets,
        total_liabilities: overview.total_liabilities,
        products: overview.products,
        manager,
        inquiries,
        requests,
        upcoming,
    })
}

async fn open_requests(state: &AppState, customer_id: i64) -> Result<Vec<OpenRequest>, AppError> {
    let rows: Vec<(String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT reference, kind, status, subject, due_at FROM service_requests \
         WHERE customer_id = $1 AND status IN ('submitted', 'in_progress', 'waiting_customer') \
         ORDER BY created_at DESC LIMIT 20",
    )
    .bind(customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(reference, kind, status, subject, due)| {
            Some(OpenRequest {
                reference,
                kind: RequestKind::parse(&kind)?,
                status: RequestStatus::parse(&status)?,
                subject,
                due_local: due.map(|at| local_time(state.zone, Timestamp::from_micros(at))),
            })
        })
        .collect())
}

async fn open_inquiries(state: &AppState, customer_id: i64) -> Result<Vec<OpenInquiry>, AppError> {
    let rows: Vec<(i64, String, String, Option<i64>, i64)> = sqlx::query_as(
        "SELECT id, topic, subject, waiting_since, last_message_at FROM inquiry_threads \
         WHERE customer_id = $1 AND status = 'open' ORDER BY last_message_at DESC LIMIT 20",
    )
    .bind(customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, topic, subject, waiting, last)| OpenInquiry {
            id,
            topic: Topic::parse(&topic).unwrap_or(Topic::Other),
            subject,
            waiting: waiting.is_some(),
            last_at: local_time(state.zone, Timestamp::from_micros(last)),
        })
        .collect())
}

async fn upcoming_bookings(
    state: &AppState,
    customer_id: i64,
    now: Timestamp,
) -> Result<Vec<UpcomingBooking>, AppError> {
    let rows: Vec<(i64, String, i64, String, String, String)> = sqlx::query_as(
        "SELECT b.id, b.reference, b.starts_at, s.full_name, b.purpose, b.channel FROM bookings b \
         JOIN staff s ON s.id = b.advisor_id \
         WHERE b.customer_id = $1 AND b.status = 'booked' AND b.ends_at > $2 ORDER BY b.starts_at LIMIT 20",
    )
    .bind(customer_id)
    .bind(now.micros())
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, reference, starts, advisor_name, purpose, channel)| {
            Some(UpcomingBooking {
                id,
                reference,
                at: local_time(state.zone, Timestamp::from_micros(starts)),
                advisor_name,
                purpose: Purpose::parse(&purpose)?,
                channel: Channel::parse(&channel)?,
            })
        })
        .collect())
}
