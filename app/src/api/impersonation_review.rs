//! Server functions of the supervisors' review of "view as customer" sessions: the
//! list (`/staff/impersonations`), one session with its actions, and granting or
//! revoking assist mode on a running session. Supervisors and admins only; the
//! audit-trail CSV export is a plain GET route (`server/src/http/audit_export.rs`).
//!
//! Grant and revoke are posted by plain HTML forms: without the WASM the browser
//! is sent back to the page it came from (with `__err` on a refusal).
use crate::error::AppError;
use crate::types::StaffAccess;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The most sessions the list shows.
pub const MAX_ROWS: i64 = 200;
/// The most actions one session's page shows.
pub const MAX_ACTIONS: i64 = 1000;
/// The longest period the audit-trail export covers, in days (both ends included).
pub const MAX_EXPORT_DAYS: i64 = 366;
/// The export form's default period: the last 30 days, today included.
pub const DEFAULT_EXPORT_DAYS: i64 = 30;

/// The list's filter, as the GET form sends it (normalised: numbers upper case).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewFilter {
    /// A staff number (S00005), or empty for anyone.
    pub staff: String,
    /// A customer number (C00001), or empty for anyone.
    pub customer: String,
    /// First day (the bank's zone) sessions started on, or empty.
    pub from: String,
    /// Last day (included), or empty.
    pub to: String,
    /// Only sessions running now.
    pub running: bool,
}

/// One viewing session, as supervisors see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// The viewing itself, as the customer's history shows it too.
    #[serde(flatten)]
    pub access: StaffAccess,
    /// The supervisor who granted assist mode, while it is granted.
    pub assist_granted_by: Option<String>,
    /// The viewer may grant assist mode (running, read only, not their own).
    pub can_grant: bool,
    /// The viewer may take assist mode back (running, assist, not their own).
    pub can_revoke: bool,
}

/// The list page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewList {
    pub filter: ReviewFilter,
    /// Newest first, at most [`MAX_ROWS`].
    pub rows: Vec<ReviewRow>,
    /// More sessions matched than are shown.
    pub truncated: bool,
    /// The export form's default period.
    pub export_from: String,
    pub export_to: String,
}

/// One audit row of a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAction {
    pub audit_id: i64,
    pub at_local: String,
    pub event: String,
    /// Who acted: a staff number (the viewer, or the supervisor who granted).
    pub actor: String,
    pub method: String,
    pub route: String,
    /// "ok", "refused", "error" for requests; the end reason for the end.
    pub result: String,
}

/// One session with its actions, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDetail {
    pub session: ReviewRow,
    pub actions: Vec<ReviewAction>,
    /// More actions than are shown (the CSV export has them all).
    pub truncated: bool,
    /// The customer's audit trail (CSV) over the days the session ran.
    pub export_href: String,
}

/// The sessions matching the filter, newest first.
#[server(prefix = "/api", endpoint = "impersonation_review_list")]
pub async fn impersonation_review_list(
    staff: Option<String>,
    customer: Option<String>,
    from: Option<String>,
    to: Option<String>,
    running: Option<String>,
) -> Result<ReviewList, AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let actor = ctx.staff_with_role(&REVIEW_ROLES)?;
    let state = crate::backend::use_state()?;
    let running = running.is_some_and(|v| matches!(v.trim(), "1" | "on" | "true" | "yes"));
    let filter = ReviewFilter {
        staff: staff.unwrap_or_default(),
        customer: customer.unwrap_or_default(),
        from: from.unwrap_or_default(),
        to: to.unwrap_or_default(),
        running,
    };
    crate::backend::impersonation_review::list(&state, &actor, filter).await
}

/// One session and its actions.
#[server(prefix = "/api", endpoint = "impersonation_review_detail")]
pub async fn impersonation_review_detail(id: i64) -> Result<ReviewDetail, AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let actor = ctx.staff_with_role(&REVIEW_ROLES)?;
    let state = crate::backend::use_state()?;
    crate::backend::impersonation_review::detail(&state, &actor, id).await
}

/// Lets the staff member of running session `id` use the request and booking forms
/// for the customer (never one's own session).
#[server(prefix = "/api", endpoint = "impersonation_grant_assist")]
pub async fn impersonation_grant_assist(id: i64) -> Result<(), AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let actor = ctx.staff_with_role(&REVIEW_ROLES)?;
    let state = crate::backend::use_state()?;
    crate::backend::impersonation_review::set_mode(
        &state,
        &actor,
        id,
        crate::types::ImpersonationMode::Assist,
        &ctx.origin,
    )
    .await
}

/// Takes assist mode back: running session `id` is read only again.
#[server(prefix = "/api", endpoint = "impersonation_revoke_assist")]
pub async fn impersonation_revoke_assist(id: i64) -> Result<(), AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let actor = ctx.staff_with_role(&REVIEW_ROLES)?;
    let state = crate::backend::use_state()?;
    crate::backend::impersonation_review::set_mode(
        &state,
        &actor,
        id,
        crate::types::ImpersonationMode::ReadOnly,
        &ctx.origin,
    )
    .await
}

/// Who reviews sessions, grants assist mode and exports the audit trail.
pub const REVIEW_ROLES: [crate::types::StaffRole; 2] =
    [crate::types::StaffRole::Supervisor, crate::types::StaffRole::Admin];
