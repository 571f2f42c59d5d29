//! The console home: the staff member's queues with their counts.
//!
//! - Service requests: open ones assigned to me (every role: anyone may be
//!   assigned one); unassigned open ones and overdue ones (the clock runs and the
//!   due time has passed, as the queue's "overdue" filter) for the roles that work
//!   the queue: agents, supervisors, admins.
//! - Inquiries: open threads I hold, and open threads nobody has claimed.
//! - Today's consultations (the bank's day): an advisor's own bookings; for
//!   everyone else, the bookings at their branch. Cancelled ones are left out.
use super::serves_everyone;
use crate::api::console::{ConsoleHome, InquiryCounts, RequestCounts, TodayBooking, TodayConsultations};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{BookingStatus, Channel, Day, Purpose, RequestStatus, StaffRole, Timestamp};

/// A booking row: id, reference, start, customer number and name, advisor's name,
/// purpose, channel, status.
type BookingRow = (i64, String, i64, String, String, String, String, String, String);

/// The most of today's bookings listed.
const TODAY_LIMIT: i64 = 50;

pub async fn home(state: &AppState, actor: &StaffActor) -> Result<ConsoleHome, AppError> {
    let now = state.clock.now();
    let (staff_no, name, branch_id): (String, String, i64) =
        sqlx::query_as("SELECT staff_no, full_name, branch_id FROM staff WHERE id = $1")
            .bind(actor.staff_id)
            .fetch_optional(state.db.pool())
            .await?
            .ok_or(AppError::new(ErrorCode::Forbidden))?;
    let open = RequestStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let (mine, unassigned, overdue): (i64, i64, i64) = sqlx::query_as(&format!(
        "SELECT COALESCE(SUM(CASE WHEN assigned_staff_id = $1 THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN assigned_staff_id IS NULL THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN running_since IS NOT NULL AND due_at < $2 THEN 1 ELSE 0 END), 0) \
         FROM service_requests WHERE status IN ({open})"
    ))
    .bind(actor.staff_id)
    .bind(now.micros())
    .fetch_one(state.db.pool())
    .await?;
    let works_queue = serves_everyone(actor);
    let requests =
        RequestCounts { mine, unassigned: works_queue.then_some(unassigned), overdue: works_queue.then_some(overdue) };

    let (held, unclaimed): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN assigned_staff_id = $1 THEN 1 ELSE 0 END), 0), \
                COALESCE(SUM(CASE WHEN assigned_staff_id IS NULL THEN 1 ELSE 0 END), 0) \
         FROM inquiry_threads WHERE status = 'open'",
    )
    .bind(actor.staff_id)
    .fetch_one(state.db.pool())
    .await?;

    let own = actor.role == StaffRole::Advisor;
    let consultations = TodayConsultations { own, items: today(state, actor, own, branch_id, now).await? };
    Ok(ConsoleHome {
        staff_no,
        name,
        role: actor.role,
        requests,
        inquiries: InquiryCounts { mine: held, unclaimed },
        consultations,
        can_search: super::SEARCH_ROLES.contains(&actor.role),
        has_calendar: actor.role != StaffRole::Agent,
    })
}

/// Today's bookings (the bank's day): the advisor's own, or the branch's.
async fn today(
    state: &AppState,
    actor: &StaffActor,
    own: bool,
    branch_id: i64,
    now: Timestamp,
) -> Result<Vec<TodayBooking>, AppError> {
    let day = Day::at(state.zone, now);
    let (from, until) = (day.start_in(state.zone), day.plus_days(1).start_in(state.zone));
    let whose = if own { "b.advisor_id = $1" } else { "b.branch_id = $1" };
    let rows: Vec<BookingRow> = sqlx::query_as(&format!(
        "SELECT b.id, b.reference, b.starts_at, c.customer_no, c.full_name, s.full_name, b.purpose, b.channel, b.status \
         FROM bookings b JOIN customers c ON c.id = b.customer_id JOIN staff s ON s.id = b.advisor_id \
         WHERE {whose} AND b.starts_at >= $2 AND b.starts_at < $3 AND b.status <> 'cancelled' \
         ORDER BY b.starts_at, b.id LIMIT {TODAY_LIMIT}"
    ))
    .bind(if own { actor.staff_id } else { branch_id })
    .bind(from.micros())
    .bind(until.micros())
    .fetch_all(state.db.pool())
    .await?;
    let calendar = actor.role != StaffRole::Agent;
    Ok(rows
        .into_iter()
        .filter_map(|(id, reference, starts, customer_no, customer_name, advisor_name, purpose, channel, status)| {
            let at = local_time(state.zone, Timestamp::from_micros(starts));
            let href =
                if calendar { format!("/staff/bookings/{id}") } else { format!("/staff/customers/{customer_no}") };
            Some(TodayBooking {
                id,
                reference,
                time: at.get(11..).unwrap_or(&at).to_owned(),
                customer_no,
                customer_name,
                advisor_name,
                purpose: Purpose::parse(&purpose)?,
                channel: Channel::parse(&channel)?,
                status: BookingStatus::parse(&status)?,
                href,
            })
        })
        .collect())
}
