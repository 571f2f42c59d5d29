//! Server functions of the advisor's side: calendar, booking detail (internal
//! notes, the summary shared with the customer, held / no-show), schedule, the
//! customer summary and relationship-manager assignment. Staff only; every
//! function authorizes through `RequestContext::staff_with_role`, and the backend
//! decides which advisor and which customer the caller may reach.
// Form fields arrive as flat arguments so a plain form and the WASM client send
// the same thing; a few forms have more than clippy's seven.
#![allow(clippy::too_many_arguments)]
mod views;

pub use views::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::types::{BookingStatus, Channel, Purpose};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod support {
    use crate::backend::auth::{RequestContext, StaffActor};
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::types::StaffRole;

    /// The state, the caller (staff with one of `roles`) and the request's origin.
    pub fn staff(roles: &[StaffRole]) -> Result<(AppState, StaffActor, String), AppError> {
        let ctx = RequestContext::current()?;
        let actor = ctx.staff_with_role(roles)?;
        Ok((crate::backend::use_state()?, actor, ctx.origin))
    }

    pub fn redirect(path: &str) {
        leptos_axum::redirect(path);
    }

    /// A query value as sent in a redirect (staff numbers, days: plain characters).
    pub fn q(text: &str) -> String {
        text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
    }
}

/// The calendar: `view` is "week" or "day" (default), `day` a 'YYYY-MM-DD'
/// (default today), `advisor` a staff number (supervisors and admins only).
#[server(prefix = "/api", endpoint = "advisor_calendar")]
pub async fn advisor_calendar(
    #[server(default)] day: String,
    #[server(default)] view: String,
    #[server(default)] advisor: String,
) -> Result<CalendarView, AppError> {
    use crate::backend::advisor::{calendar, CALENDAR_ROLES};
    let (state, actor, _) = support::staff(CALENDAR_ROLES)?;
    calendar::calendar(&state, &actor, &advisor, &day, view == "week").await
}

/// A booking with its internal notes (its advisor, or a supervisor / admin).
#[server(prefix = "/api", endpoint = "advisor_booking")]
pub async fn advisor_booking(id: i64) -> Result<BookingDetail, AppError> {
    use crate::backend::advisor::{bookings, CALENDAR_ROLES};
    let (state, actor, _) = support::staff(CALENDAR_ROLES)?;
    bookings::detail(&state, &actor, id).await
}

/// Adds an internal note (never shown to the customer).
#[server(prefix = "/api", endpoint = "advisor_add_note")]
pub async fn advisor_add_note(id: i64, body: String) -> Result<(), AppError> {
    use crate::backend::advisor::{bookings, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    bookings::add_note(&state, &actor, id, &body, &origin).await?;
    support::redirect(&format!("/staff/bookings/{id}?noted=1#notes"));
    Ok(())
}

/// Sets or edits the summary the customer sees on their booking page.
#[server(prefix = "/api", endpoint = "advisor_share_summary")]
pub async fn advisor_share_summary(id: i64, summary: String) -> Result<(), AppError> {
    use crate::backend::advisor::{bookings, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    bookings::share_summary(&state, &actor, id, &summary, &origin).await?;
    support::redirect(&format!("/staff/bookings/{id}?shared=1#summary"));
    Ok(())
}

/// Marks a started booking as held or as a no-show (`outcome`: "held" / "no_show").
#[server(prefix = "/api", endpoint = "advisor_mark")]
pub async fn advisor_mark(id: i64, outcome: String) -> Result<(), AppError> {
    use crate::backend::advisor::{bookings, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    let outcome = match BookingStatus::parse(&outcome) {
        Some(s @ (BookingStatus::Held | BookingStatus::NoShow)) => s,
        _ => return Err(AppError::invalid("outcome")),
    };
    bookings::mark(&state, &actor, id, outcome, &origin).await?;
    support::redirect(&format!("/staff/bookings/{id}?marked=1"));
    Ok(())
}

/// An advisor's schedule (their own; supervisors and admins: `advisor`'s).
#[server(prefix = "/api", endpoint = "advisor_schedule")]
pub async fn advisor_schedule(#[server(default)] advisor: String) -> Result<ScheduleView, AppError> {
    use crate::backend::advisor::{schedule, CALENDAR_ROLES};
    let (state, actor, _) = support::staff(CALENDAR_ROLES)?;
    schedule::view(&state, &actor, &advisor).await
}

/// Adds a weekly working window ("HH:MM" to "HH:MM" on `weekday` 1..7).
#[server(prefix = "/api", endpoint = "advisor_add_hours")]
pub async fn advisor_add_hours(
    #[server(default)] advisor: String,
    weekday: String,
    start: String,
    end: String,
) -> Result<(), AppError> {
    use crate::backend::advisor::{schedule, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    let who = schedule::add_hours(&state, &actor, &advisor, &weekday, &start, &end, &origin).await?;
    support::redirect(&format!("/staff/schedule?advisor={}&saved=hours#hours", support::q(&who)));
    Ok(())
}

/// Removes a weekly working window.
#[server(prefix = "/api", endpoint = "advisor_remove_hours")]
pub async fn advisor_remove_hours(#[server(default)] advisor: String, id: i64) -> Result<(), AppError> {
    use crate::backend::advisor::{schedule, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    let who = schedule::remove_hours(&state, &actor, &advisor, id, &origin).await?;
    support::redirect(&format!("/staff/schedule?advisor={}&saved=hours#hours", support::q(&who)));
    Ok(())
}

/// Consultation length, buffer, and the purposes and channels offered (one
/// checkbox field per purpose `p_<name>` and channel `c_<name>`).
#[server(prefix = "/api", endpoint = "advisor_save_profile")]
pub async fn advisor_save_profile(
    #[server(default)] advisor: String,
    slot_minutes: String,
    buffer_minutes: String,
    #[server(default)] p_wealth_planning: String,
    #[server(default)] p_loan: String,
    #[server(default)] p_pension: String,
    #[server(default)] p_insurance: String,
    #[server(default)] p_complaint_follow_up: String,
    #[server(default)] c_branch: String,
    #[server(default)] c_phone: String,
    #[server(default)] c_video: String,
) -> Result<(), AppError> {
    use crate::backend::advisor::{schedule, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    let on = |v: &str| !v.is_empty();
    let purposes: Vec<Purpose> = [
        (Purpose::WealthPlanning, &p_wealth_planning),
        (Purpose::Loan, &p_loan),
        (Purpose::Pension, &p_pension),
        (Purpose::Insurance, &p_insurance),
        (Purpose::ComplaintFollowUp, &p_complaint_follow_up),
    ]
    .into_iter()
    .filter(|(_, v)| on(v))
    .map(|(p, _)| p)
    .collect();
    let channels: Vec<Channel> = [(Channel::Branch, &c_branch), (Channel::Phone, &c_phone), (Channel::Video, &c_video)]
        .into_iter()
        .filter(|(_, v)| on(v))
        .map(|(c, _)| c)
        .collect();
    let profile = schedule::ProfileForm { slot_minutes, buffer_minutes, purposes, channels };
    let who = schedule::save_profile(&state, &actor, &advisor, &profile, &origin).await?;
    support::redirect(&format!("/staff/schedule?advisor={}&saved=profile#profile", support::q(&who)));
    Ok(())
}

/// The advisor's active bookings a leave would fall on (the confirmation step).
#[server(prefix = "/api", endpoint = "advisor_leave_conflicts")]
pub async fn advisor_leave_conflicts(
    #[server(default)] advisor: String,
    day: String,
    #[server(default)] start: String,
    #[server(default)] end: String,
) -> Result<Vec<CalendarEntry>, AppError> {
    use crate::backend::advisor::{leave, CALENDAR_ROLES};
    let (state, actor, _) = support::staff(CALENDAR_ROLES)?;
    let form = leave::ExceptionForm::parse("leave", &day, &start, &end, "")?;
    leave::leave_conflicts(&state, &actor, &advisor, &form).await
}

/// Adds leave (whole day or part) or extra time. Leave over active bookings is
/// refused (`wrong_state`, field `cancel_bookings`) unless `cancel_bookings` is
/// set with a `reason`: then those bookings are cancelled and the customers told.
#[server(prefix = "/api", endpoint = "advisor_add_exception")]
pub async fn advisor_add_exception(
    #[server(default)] advisor: String,
    kind: String,
    day: String,
    #[server(default)] start: String,
    #[server(default)] end: String,
    #[server(default)] note: String,
    #[server(default)] cancel_bookings: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::backend::advisor::{leave, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    let form = leave::ExceptionForm::parse(&kind, &day, &start, &end, &note)?;
    let cancel = (!cancel_bookings.is_empty()).then_some(reason.as_str());
    let (who, cancelled) = leave::add_exception(&state, &actor, &advisor, &form, cancel, &origin).await?;
    support::redirect(&format!(
        "/staff/schedule?advisor={}&saved=exception&cancelled={cancelled}#exceptions",
        support::q(&who)
    ));
    Ok(())
}

/// Removes a date exception.
#[server(prefix = "/api", endpoint = "advisor_remove_exception")]
pub async fn advisor_remove_exception(#[server(default)] advisor: String, id: i64) -> Result<(), AppError> {
    use crate::backend::advisor::{leave, CALENDAR_ROLES};
    let (state, actor, origin) = support::staff(CALENDAR_ROLES)?;
    let who = leave::remove_exception(&state, &actor, &advisor, id, &origin).await?;
    support::redirect(&format!("/staff/schedule?advisor={}&saved=exception#exceptions", support::q(&who)));
    Ok(())
}

/// A customer's summary, for staff who serve them (else `not_found`); audited.
#[server(prefix = "/api", endpoint = "staff_customer_summary")]
pub async fn staff_customer_summary(customer_no: String) -> Result<CustomerSummary, AppError> {
    use crate::types::StaffRole;
    let (state, actor, origin) = support::staff(&StaffRole::ALL)?;
    crate::backend::advisor::customers::summary(&state, &actor, &customer_no, &origin).await
}

/// Finds a customer by number for relationship-manager assignment (supervisors, admins).
#[server(prefix = "/api", endpoint = "manager_customer")]
pub async fn manager_customer(customer_no: String) -> Result<ManagerLookup, AppError> {
    use crate::backend::advisor::managers;
    let (state, actor, _) = support::staff(managers::ROLES)?;
    managers::lookup(&state, &actor, &customer_no).await
}

/// Assigns `advisor` (a staff number) as the customer's relationship manager, or
/// removes the manager when `advisor` is empty.
#[server(prefix = "/api", endpoint = "assign_manager")]
pub async fn assign_manager(customer_no: String, #[server(default)] advisor: String) -> Result<(), AppError> {
    use crate::backend::advisor::managers;
    let (state, actor, origin) = support::staff(managers::ROLES)?;
    let no = managers::assign(&state, &actor, &customer_no, &advisor, &origin).await?;
    support::redirect(&format!("/staff/managers?customer={}&saved=1", support::q(&no)));
    Ok(())
}
