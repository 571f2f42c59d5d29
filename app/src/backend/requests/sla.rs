//! Service levels: where a request stands against its target, complaint
//! extensions under the complaint rules, and escalation on breach.
//!
//! PLACEHOLDER BODIES: the SLA helper replaces them (signatures are the contract).
use super::calendar::WorkingCalendar;
use super::RequestRow;
use crate::backend::auth::StaffActor;
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{PlainText, RequestRef, SlaFlag, Timestamp};

/// Where `row` stands at `now`.
pub fn flag(calendar: &WorkingCalendar, row: &RequestRow, now: Timestamp) -> SlaFlag {
    let _ = (calendar, now);
    if !row.status.is_open() {
        SlaFlag::Done
    } else if row.running_since.is_none() {
        SlaFlag::Paused
    } else {
        SlaFlag::OnTrack
    }
}

/// Extends a complaint's decision deadline to level 1 (30 days) or 2 (60 days,
/// supervisors only), with a reason the customer is told.
pub async fn extend_complaint(
    state: &AppState,
    actor: StaffActor,
    reference: &RequestRef,
    level: i64,
    reason: &PlainText,
) -> Result<(), AppError> {
    let _ = (state, actor, reference, level, reason);
    Err(AppError::new(ErrorCode::Internal))
}

/// Marks open requests past their due time as breached and escalates them to a
/// supervisor; returns how many were escalated. Run by a job every minute.
pub async fn escalate_breached(state: &AppState) -> Result<usize, AppError> {
    let _ = state;
    Ok(0)
}
