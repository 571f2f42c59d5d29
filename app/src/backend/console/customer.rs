//! The customer 360: the advisor's summary (segment, products and balances,
//! relationship manager, open inquiries, requests and upcoming bookings) and, for
//! the console, the profile with the state of online banking, the ten latest
//! postings across accounts, every service request, booking and inquiry thread,
//! the customer's security events, call notes and the staff-access history.
//!
//! Agents, supervisors and admins open any customer; advisors only those they serve
//! (anyone else gets `not_found`, as for a number that does not exist). Every view
//! is audited (`staff_viewed_customer`, the staff member and the customer).
use super::{audit_staff, events, serves_everyone};
use crate::api::console::{
    BookingLine, CallNote, Customer360, CustomerProfile, CustomerStatus, RecentTx, RequestLine, SecurityLine,
    ThreadLine,
};
use crate::backend::advisor::customers::{customer_by_no, has_relationship, load_summary};
use crate::backend::auth::StaffActor;
use crate::backend::outbox::mask_phone;
use crate::backend::{audit, local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{
    mask_number, BookingStatus, Channel, Localized, Money, Purpose, RequestKind, RequestStatus, StaffRole, Timestamp,
    Topic,
};
use serde_json::json;
use sqlx::Row;

/// How many of each list the page shows.
const RECENT_TX: usize = 10;
const LIST_LIMIT: i64 = 50;
const SECURITY_LIMIT: i64 = 30;
const ACCESS_LIMIT: i64 = 20;

/// The customer's id and number, if `actor` may open their 360; `not_found` otherwise.
pub async fn reachable(state: &AppState, actor: &StaffActor, customer_no: &str) -> Result<(i64, String), AppError> {
    let customer = customer_by_no(&state.db, customer_no).await?;
    if !serves_everyone(actor) && !has_relationship(&state.db, actor, customer.0).await? {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    Ok((customer.0, customer.1))
}

pub async fn view(
    state: &AppState,
    actor: &StaffActor,
    customer_no: &str,
    origin: &str,
) -> Result<Customer360, AppError> {
    let customer = customer_by_no(&state.db, customer_no).await?;
    let customer_id = customer.0;
    if !serves_everyone(actor) && !has_relationship(&state.db, actor, customer_id).await? {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    let now = state.clock.now();
    let summary = load_summary(state, &customer).await?;
    let profile = profile(state, customer_id, now).await?;
    let transactions = recent_transactions(state, customer_id).await?;
    let requests = requests(state, customer_id).await?;
    let bookings = bookings(state, customer_id).await?;
    let threads = threads(state, customer_id).await?;
    let security = audit::events_for_customer(&state.db, customer_id, SECURITY_LIMIT)
        .await?
        .into_iter()
        .map(|e| SecurityLine {
            at: local_time(state.zone, e.at),
            event: e.event,
            actor_kind: e.actor_kind.as_str().to_owned(),
            origin: e.origin,
        })
        .collect();
    let notes = notes(state, customer_id).await?;
    let staff_access =
        crate::backend::impersonation::history_for_customer(&state.db, state.zone, customer_id, now, ACCESS_LIMIT)
            .await?;

    let mut tx = state.db.begin_write().await?;
    let detail = json!({ "customer_no": summary.customer_no });
    audit_staff(&mut tx, state, actor, Some(customer_id), events::VIEWED_CUSTOMER, detail, origin).await?;
    tx.commit().await?;

    Ok(Customer360 {
        summary,
        profile,
        transactions,
        requests,
        bookings,
        threads,
        security,
        notes,
        staff_access,
        can_support: serves_everyone(actor),
        can_open_bookings: actor.role != StaffRole::Agent,
    })
}

async fn profile(state: &AppState, customer_id: i64, now: Timestamp) -> Result<CustomerProfile, AppError> {
    let row = sqlx::query(
        "SELECT c.customer_no, c.full_name, c.phone, c.id_number_tail, c.address, b.name_zh, b.name_en, c.status, \
                CAST(c.allow_staff_view AS BIGINT) AS allow_staff_view, k.username, k.totp_secret, k.locked_until, \
                k.failed_attempts \
         FROM customers c JOIN branches b ON b.id = c.branch_id \
         LEFT JOIN credentials k ON k.principal_kind = 'customer' AND k.principal_id = c.id \
         WHERE c.id = $1",
    )
    .bind(customer_id)
    .fetch_one(state.db.pool())
    .await?;
    let tail: String = row.try_get("id_number_tail")?;
    let status: String = row.try_get("status")?;
    let username: Option<String> = row.try_get("username")?;
    let locked_until: Option<i64> = row.try_get("locked_until")?;
    Ok(CustomerProfile {
        customer_no: row.try_get("customer_no")?,
        name: row.try_get("full_name")?,
        phone_masked: mask_phone(&row.try_get::<String, _>("phone")?),
        id_tail_masked: mask_id_tail(&tail),
        address: row.try_get("address")?,
        branch: Localized { zh: row.try_get("name_zh")?, en: row.try_get("name_en")? },
        status: CustomerStatus::parse(&status).unwrap_or(CustomerStatus::Active),
        enrolled: username.is_some(),
        username,
        second_factor: row.try_get::<Option<String>, _>("totp_secret")?.is_some(),
        locked_until: locked_until
            .filter(|until| *until > now.micros())
            .map(|until| local_time(state.zone, Timestamp::from_micros(until))),
        failed_attempts: row.try_get::<Option<i64>, _>("failed_attempts")?.unwrap_or(0),
        allow_staff_view: row.try_get::<i64, _>("allow_staff_view")? == 1,
    })
}

/// "****3X": the last two characters of the ID tail.
fn mask_id_tail(tail: &str) -> String {
    let chars: Vec<char> = tail.chars().collect();
    let shown: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    format!("{}{shown}", "*".repeat(chars.len().saturating_sub(2)))
}

/// The ten latest postings over all the customer's accounts: ten from each account
/// (by the `(account_id, id)` index), merged.
async fn recent_transactions(state: &AppState, customer_id: i64) -> Result<Vec<RecentTx>, AppError> {
    let accounts: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, account_no FROM accounts WHERE customer_id = $1 ORDER BY id")
            .bind(customer_id)
            .fetch_all(state.db.pool())
            .await?;
    let mut all: Vec<(i64, RecentTx)> = Vec::new();
    for (account_id, account_no) in accounts {
        let rows: Vec<(i64, String, String, String, String, i64)> = sqlx::query_as(&format!(
            "SELECT p.id, p.value_date, j.kind, p.counterparty, j.memo, p.amount \
             FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
             WHERE p.account_id = $1 ORDER BY p.id DESC LIMIT {RECENT_TX}"
        ))
        .bind(account_id)
        .fetch_all(state.db.pool())
        .await?;
        let masked = mask_number(&account_no);
        all.extend(rows.into_iter().map(|(id, date, kind, counterparty, memo, amount)| {
            (
                id,
                RecentTx {
                    date,
                    account_masked: masked.clone(),
                    kind,
                    counterparty,
                    memo,
                    amount: Money::yuan_fen(amount),
                },
            )
        }));
    }
    all.sort_by_key(|(id, _)| std::cmp::Reverse(*id));
    Ok(all.into_iter().take(RECENT_TX).map(|(_, tx)| tx).collect())
}

async fn requests(state: &AppState, customer_id: i64) -> Result<Vec<RequestLine>, AppError> {
    let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(&format!(
        "SELECT reference, kind, status, subject, created_at FROM service_requests WHERE customer_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT {LIST_LIMIT}"
    ))
    .bind(customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(reference, kind, status, subject, created)| {
            Some(RequestLine {
                reference,
                kind: RequestKind::parse(&kind)?,
                status: RequestStatus::parse(&status)?,
                subject,
                created_local: local_time(state.zone, Timestamp::from_micros(created)),
            })
        })
        .collect())
}

async fn bookings(state: &AppState, customer_id: i64) -> Result<Vec<BookingLine>, AppError> {
    let rows: Vec<(i64, String, i64, String, String, String, String)> = sqlx::query_as(&format!(
        "SELECT b.id, b.reference, b.starts_at, s.full_name, b.purpose, b.channel, b.status FROM bookings b \
         JOIN staff s ON s.id = b.advisor_id WHERE b.customer_id = $1 ORDER BY b.starts_at DESC, b.id DESC \
         LIMIT {LIST_LIMIT}"
    ))
    .bind(customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, reference, starts, advisor_name, purpose, channel, status)| {
            Some(BookingLine {
                id,
                reference,
                at: local_time(state.zone, Timestamp::from_micros(starts)),
                advisor_name,
                purpose: Purpose::parse(&purpose)?,
                channel: Channel::parse(&channel)?,
                status: BookingStatus::parse(&status)?,
            })
        })
        .collect())
}

async fn threads(state: &AppState, customer_id: i64) -> Result<Vec<ThreadLine>, AppError> {
    let rows: Vec<(i64, String, String, String, Option<i64>, i64)> = sqlx::query_as(&format!(
        "SELECT id, topic, subject, status, waiting_since, last_message_at FROM inquiry_threads \
         WHERE customer_id = $1 ORDER BY last_message_at DESC, id DESC LIMIT {LIST_LIMIT}"
    ))
    .bind(customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, topic, subject, status, waiting, last)| ThreadLine {
            id,
            topic: Topic::parse(&topic).unwrap_or(Topic::Other),
            subject,
            open: status == "open",
            waiting: status == "open" && waiting.is_some(),
            last_at: local_time(state.zone, Timestamp::from_micros(last)),
        })
        .collect())
}

async fn notes(state: &AppState, customer_id: i64) -> Result<Vec<CallNote>, AppError> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(&format!(
        "SELECT n.created_at, s.staff_no, s.full_name, n.body FROM customer_call_notes n \
         JOIN staff s ON s.id = n.staff_id WHERE n.customer_id = $1 ORDER BY n.created_at DESC, n.id DESC \
         LIMIT {LIST_LIMIT}"
    ))
    .bind(customer_id)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, staff_no, staff_name, body)| CallNote {
            at: local_time(state.zone, Timestamp::from_micros(at)),
            staff_no,
            staff_name,
            body,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn id_tails_show_two_characters() {
        assert_eq!(super::mask_id_tail("12345X"), "****5X");
        assert_eq!(super::mask_id_tail("1"), "1");
    }
}
