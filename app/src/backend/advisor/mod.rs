//! The advisor's side of consultations: the calendar of bookings, a booking's
//! internal notes and shared summary, held / no-show marking, the advisor's
//! schedule (hours, slot length, leave), the customer summary staff open from a
//! booking or a thread, and relationship-manager assignment.
//!
//! Who may see which advisor: an advisor sees their own calendar and schedule;
//! supervisors and admins oversee every advisor (they choose one by staff number).
//! Each function takes the [`StaffActor`] proof and decides this in one place,
//! [`advisor_for`].
pub mod bookings;
pub mod calendar;
pub mod customers;
pub mod leave;
pub mod managers;
pub mod schedule;

use crate::api::advisor::AdvisorChoice;
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::{AppState, Db};
use crate::error::{AppError, ErrorCode};
use crate::types::{Day, StaffRole, Timestamp};
use sqlx::{Any, Transaction};

/// Audit event names of this module: stable, never renamed.
pub mod events {
    pub const BOOKING_NOTE_ADDED: &str = "booking_note_added";
    pub const BOOKING_SUMMARY_SHARED: &str = "booking_summary_shared";
    pub const BOOKING_MARKED: &str = "booking_marked";
    pub const BOOKING_CANCELLED_BY_STAFF: &str = "booking_cancelled_by_staff";
    pub const ADVISOR_SCHEDULE_CHANGED: &str = "advisor_schedule_changed";
    pub const CUSTOMER_SUMMARY_VIEWED: &str = "customer_summary_viewed";
    pub const RELATIONSHIP_MANAGER_CHANGED: &str = "relationship_manager_changed";
}

/// Notification kinds this module writes (the notifications page translates them).
pub mod notices {
    pub const BOOKING_CANCELLED_BY_BANK: &str = "booking_cancelled_by_bank";
    pub const BOOKING_SUMMARY_SHARED: &str = "booking_summary_shared";
    pub const RELATIONSHIP_MANAGER_ASSIGNED: &str = "relationship_manager_assigned";
}

/// Roles that work with calendars and schedules.
pub const CALENDAR_ROLES: &[StaffRole] = &[StaffRole::Advisor, StaffRole::Supervisor, StaffRole::Admin];

/// Supervisors and admins oversee every advisor and every customer.
pub fn oversees(actor: &StaffActor) -> bool {
    matches!(actor.role, StaffRole::Supervisor | StaffRole::Admin)
}

/// The advisor a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Advisor {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub branch_id: i64,
}

/// Staff who take bookings: active advisors, and anyone with an advisor profile.
const ADVISORS: &str = "SELECT s.id, s.staff_no, s.full_name, s.branch_id FROM staff s \
     WHERE s.status = 'active' AND (s.role = 'advisor' OR EXISTS (SELECT 1 FROM advisor_profiles p WHERE p.staff_id = s.id))";

/// Resolves which advisor `actor` is looking at. An advisor always gets themselves
/// (asking for a colleague is forbidden); a supervisor or admin gets the advisor
/// named by `staff_no`, or the first advisor when none is named.
pub async fn advisor_for(db: &Db, actor: &StaffActor, staff_no: Option<&str>) -> Result<Advisor, AppError> {
    let wanted = staff_no.map(str::trim).filter(|s| !s.is_empty()).map(str::to_uppercase);
    if !oversees(actor) {
        let me = advisor_by_id(db, actor.staff_id).await?.ok_or_else(|| AppError::new(ErrorCode::Forbidden))?;
        if wanted.as_deref().is_some_and(|w| w != me.staff_no) {
            return Err(AppError::new(ErrorCode::Forbidden));
        }
        return Ok(me);
    }
    let row: Option<(i64, String, String, i64)> = match wanted {
        Some(no) => {
            sqlx::query_as(&format!("{ADVISORS} AND s.staff_no = $1")).bind(no).fetch_optional(db.pool()).await?
        }
        None => sqlx::query_as(&format!("{ADVISORS} ORDER BY s.staff_no LIMIT 1")).fetch_optional(db.pool()).await?,
    };
    row.map(advisor).ok_or_else(|| AppError::new(ErrorCode::NotFound))
}

async fn advisor_by_id(db: &Db, staff_id: i64) -> Result<Option<Advisor>, AppError> {
    let row: Option<(i64, String, String, i64)> =
        sqlx::query_as(&format!("{ADVISORS} AND s.id = $1")).bind(staff_id).fetch_optional(db.pool()).await?;
    Ok(row.map(advisor))
}

fn advisor((id, staff_no, name, branch_id): (i64, String, String, i64)) -> Advisor {
    Advisor { id, staff_no, name, branch_id }
}

/// Every advisor, for a supervisor's chooser (empty for an advisor, who has none).
pub async fn advisor_choices(db: &Db, actor: &StaffActor) -> Result<Vec<AdvisorChoice>, AppError> {
    if !oversees(actor) {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String, String, i64)> =
        sqlx::query_as(&format!("{ADVISORS} ORDER BY s.staff_no")).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(|(_, staff_no, name, _)| AdvisorChoice { staff_no, name }).collect())
}

/// Minutes after midnight as "HH:MM" ("24:00" for the end of the day).
pub fn hm(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// "HH:MM" (or "H:MM") to minutes after midnight, 0..=1440.
pub fn parse_hm(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && total <= 1440).then_some(total)
}

/// The instant `minute` minutes after the start of `day` in `zone`.
pub fn local_instant(zone: chrono_tz::Tz, day: Day, minute: i64) -> Timestamp {
    day.start_in(zone).plus_seconds(minute * 60)
}

/// "HH:MM" of an instant in the bank's zone.
pub fn clock_time(zone: chrono_tz::Tz, at: Timestamp) -> String {
    let local = crate::backend::local_time(zone, at);
    local.split_once(' ').map(|(_, time)| time.to_owned()).unwrap_or(local)
}

/// Appends a staff action to the audit log, inside the action's transaction.
pub async fn audit_staff(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    actor: &StaffActor,
    customer_id: Option<i64>,
    event: &str,
    detail: serde_json::Value,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let event = AuditEvent { actor: Actor::Staff(actor.staff_id), customer_id, event, detail, origin };
    audit::record(tx, state.db.backend(), state.clock.now(), &event).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times_parse_and_print() {
        assert_eq!(parse_hm("09:30"), Some(570));
        assert_eq!(parse_hm("9:05"), Some(545));
        assert_eq!(parse_hm("24:00"), Some(1440));
        assert_eq!(parse_hm("24:01"), None);
        assert_eq!(parse_hm("10:60"), None);
        assert_eq!(parse_hm("ten"), None);
        assert_eq!(hm(570), "09:30");
        assert_eq!(hm(1440), "24:00");
    }
}
