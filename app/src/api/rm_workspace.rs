//! The relationship manager's workspace (`/staff/my-customers`): their customers
//! with segment and asset trend, what needs attention (maturing deposits, accounts
//! nearing dormancy, open requests, consultations) and the rules' lead list.
//! Advisors see their own book; supervisors and admins choose an RM.
use crate::api::advisor::AdvisorChoice;
use crate::api::recommend::Recommendation;
use crate::error::AppError;
use crate::types::{Day, Localized, Money, Purpose, RequestKind, RequestStatus, Segment};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One customer of the book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmCustomer {
    pub customer_no: String,
    pub name: String,
    pub segment: Segment,
    /// True when the segment is today's by the settings (no month-end taken yet).
    pub segment_today: bool,
    /// Assets under management now.
    pub aum: Money,
    /// Month-end AUM, oldest first ("YYYY-MM", fen).
    pub trend: Vec<(String, i64)>,
    pub marketing_ok: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmMaturity {
    pub customer_no: String,
    pub name: String,
    pub account: String,
    pub product: Localized,
    pub amount: Money,
    pub day: Day,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmDormant {
    pub customer_no: String,
    pub name: String,
    pub account: String,
    pub last_activity: Day,
    pub dormant_on: Day,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmRequest {
    pub customer_no: String,
    pub name: String,
    pub reference: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub subject: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmConsultation {
    pub customer_no: String,
    pub name: String,
    pub reference: String,
    pub at: String,
    pub advisor_name: String,
    pub purpose: Purpose,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmLead {
    pub customer_no: String,
    pub name: String,
    pub recommendation: Recommendation,
}

/// The whole workspace of one relationship manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RmWorkspaceView {
    pub manager: AdvisorChoice,
    /// Every RM, for a supervisor's chooser (empty for an advisor).
    pub choices: Vec<AdvisorChoice>,
    pub today: Day,
    pub customers: Vec<RmCustomer>,
    pub maturing: Vec<RmMaturity>,
    pub dormant_soon: Vec<RmDormant>,
    pub requests: Vec<RmRequest>,
    pub consultations: Vec<RmConsultation>,
    pub leads: Vec<RmLead>,
}

/// The workspace of the caller (an advisor) or, for supervisors and admins, of the
/// RM whose staff number is `rm` (the first RM when empty). Audited.
#[server(prefix = "/api", endpoint = "rm_workspace")]
pub async fn rm_workspace(#[server(default)] rm: String) -> Result<RmWorkspaceView, AppError> {
    use crate::backend::advisor::CALENDAR_ROLES;
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let actor = ctx.staff_with_role(CALENDAR_ROLES)?;
    let state = crate::backend::use_state()?;
    crate::backend::insight::workspace::workspace(&state, &actor, &rm, &ctx.origin).await
}
