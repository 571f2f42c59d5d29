//! Server functions of service levels: the supervisors' compliance report, and a
//! complaint's deadline extension (any console role to 30 days; to 60 days only a
//! supervisor or administrator, which the backend checks).
//!
//! The extension is posted by a plain HTML form on the staff request page: a
//! success redirects back to `/staff/requests/{reference}`, a refusal comes back
//! with `__err` (Leptos), so it works without the WASM.
use crate::error::AppError;
use crate::types::RequestKind;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The longest extension reason, in characters.
pub const MAX_REASON: usize = 500;
/// The report's default period: the last 30 days, today included.
pub const DEFAULT_DAYS: i64 = 30;
/// The longest period a report covers.
pub const MAX_DAYS: i64 = 366;
/// The team of requests nobody holds.
pub const UNASSIGNED_TEAM: &str = "unassigned";
/// How many recent rating comments the report lists.
pub const LATEST_COMMENTS: usize = 10;

/// Compliance of one group (a kind, or a team) of requests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    /// Resolved during the period.
    pub resolved: i64,
    /// Of those, resolved within the target and never breached (complaints: also
    /// decided before the decision deadline).
    pub in_time: i64,
    /// `in_time / resolved` in tenths of a percent (857 = 85.7 %); none when nothing
    /// was resolved.
    pub share_tenths: Option<i64>,
    /// Open now.
    pub open: i64,
    /// Open now and past a deadline (or escalated for it).
    pub breached: i64,
}

/// A kind's line in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindLine {
    pub kind: RequestKind,
    pub figures: Compliance,
}

/// A team's line: the branch of the assigned staff member, or none (unassigned).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamLine {
    /// The branch code, "unassigned" for requests nobody holds.
    pub team: String,
    pub name_zh: String,
    pub name_en: String,
    pub figures: Compliance,
}

/// One rating comment, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingComment {
    pub reference: String,
    pub score: i64,
    pub comment: String,
    pub created_local: String,
}

/// The customers' ratings given during the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratings {
    pub count: i64,
    /// The average score in tenths (43 = 4.3), rounded half up; none without ratings.
    pub average_tenths: Option<i64>,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
    pub latest: Vec<RatingComment>,
}

/// The service-level report over a period of days (the bank's zone, both included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaReport {
    pub from: String,
    pub to: String,
    pub total: Compliance,
    pub by_kind: Vec<KindLine>,
    pub by_team: Vec<TeamLine>,
    pub ratings: Ratings,
}

/// "85.7" from tenths.
pub fn tenths(value: i64) -> String {
    format!("{}.{}", value / 10, value % 10)
}

/// The report for supervisors and administrators; empty `from`/`to` mean the last
/// 30 days.
#[server(prefix = "/api", endpoint = "requests_sla_report")]
pub async fn service_level_report(from: String, to: String) -> Result<SlaReport, AppError> {
    use crate::types::StaffRole;
    let ctx = crate::backend::auth::RequestContext::current()?;
    ctx.staff_with_role(&[StaffRole::Supervisor, StaffRole::Admin])?;
    let state = crate::backend::use_state()?;
    crate::backend::requests::report::report(&state, &from, &to).await
}

/// Extends a complaint's decision deadline to `level` (1: 30 days, 2: 60 days).
#[server(prefix = "/api", endpoint = "requests_extend_complaint")]
pub async fn extend_complaint(reference: String, level: i64, reason: String) -> Result<(), AppError> {
    use crate::types::StaffRole;
    let ctx = crate::backend::auth::RequestContext::current()?;
    let actor =
        ctx.staff_with_role(&[StaffRole::Agent, StaffRole::Advisor, StaffRole::Supervisor, StaffRole::Admin])?;
    let state = crate::backend::use_state()?;
    let reference =
        crate::types::RequestRef::parse(&reference).ok_or_else(|| AppError::new(crate::error::ErrorCode::NotFound))?;
    let reason = crate::types::PlainText::new(&reason, MAX_REASON, "reason")?;
    crate::backend::requests::sla::extend_complaint(&state, actor, &reference, level, &reason).await?;
    leptos_axum::redirect(&format!("/staff/requests/{reference}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tenths_read_as_decimals() {
        assert_eq!(super::tenths(857), "85.7");
        assert_eq!(super::tenths(1000), "100.0");
        assert_eq!(super::tenths(5), "0.5");
    }
}
