//! Server functions of service requests (服务申请), the bank's side: the queue,
//! one request with its whole timeline (internal notes included), and every staff
//! action on it. Each needs a console role (bulk assignment and assigning to
//! someone else: supervisors and admins) and is audited by the backend.
//!
//! Successful posts redirect back to the page they came from, so the plain HTML
//! forms work without the WASM; a refused one comes back with `__err` (Leptos).
use crate::api::requests::TimelineEntry;
use crate::error::AppError;
use crate::types::{Priority, RequestKind, RequestStatus, SlaFlag};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Rows per queue page.
pub const PAGE_SIZE: i64 = 50;

/// The queue's "due" filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueFilter {
    /// The clock runs and the due time has passed.
    Overdue,
    /// Flagged at risk by the service-level rules.
    AtRisk,
    /// Due during today (the bank's day).
    Today,
    /// Breached and escalated to the supervisors (by the service-level job).
    Escalated,
}

impl DueFilter {
    pub const ALL: [DueFilter; 4] = [DueFilter::Overdue, DueFilter::AtRisk, DueFilter::Today, DueFilter::Escalated];

    pub const fn as_str(self) -> &'static str {
        match self {
            DueFilter::Overdue => "overdue",
            DueFilter::AtRisk => "at_risk",
            DueFilter::Today => "today",
            DueFilter::Escalated => "escalated",
        }
    }
}

/// The queue's "assignee" filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeFilter {
    Me,
    Unassigned,
    Any,
}

impl AssigneeFilter {
    pub const ALL: [AssigneeFilter; 3] = [AssigneeFilter::Any, AssigneeFilter::Me, AssigneeFilter::Unassigned];

    pub const fn as_str(self) -> &'static str {
        match self {
            AssigneeFilter::Me => "me",
            AssigneeFilter::Unassigned => "unassigned",
            AssigneeFilter::Any => "any",
        }
    }
}

/// The queue's "status" filter: the open ones unless asked otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    Open,
    All,
    Only(RequestStatus),
}

impl StatusFilter {
    /// The value sent in the filter form.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::All => "all",
            StatusFilter::Only(status) => status.as_str(),
        }
    }
}

/// What the queue shows: every field as the filter form sends it (empty: no filter).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub kind: Option<RequestKind>,
    pub status: StatusFilter,
    pub priority: Option<Priority>,
    pub due: Option<DueFilter>,
    pub assignee: AssigneeFilter,
    /// A branch code (B001).
    pub branch: Option<String>,
    /// 1-based.
    pub page: i64,
}

impl QueueFilter {
    /// Reads the filter form's fields; an unknown value is a bad request naming the
    /// field, an empty one means "no filter".
    pub fn from_form(
        kind: &str,
        status: &str,
        priority: &str,
        due: &str,
        assignee: &str,
        branch: &str,
        page: &str,
    ) -> Result<QueueFilter, AppError> {
        fn pick<T>(text: &str, field: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Option<T>, AppError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            parse(text).map(Some).ok_or_else(|| AppError::invalid(field))
        }
        let status = match status.trim() {
            "" | "open" => StatusFilter::Open,
            "all" => StatusFilter::All,
            other => StatusFilter::Only(RequestStatus::parse(other).ok_or_else(|| AppError::invalid("status"))?),
        };
        let due = pick(due, "due", |t| DueFilter::ALL.into_iter().find(|d| d.as_str() == t))?;
        let assignee = pick(assignee, "assignee", |t| AssigneeFilter::ALL.into_iter().find(|a| a.as_str() == t))?;
        let branch = pick(branch, "branch", |t| {
            let code = t.to_ascii_uppercase();
            (code.len() <= 8 && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
        })?;
        let page = pick(page, "page", |t| t.parse::<i64>().ok().filter(|p| (1..=10_000).contains(p)))?;
        Ok(QueueFilter {
            kind: pick(kind, "kind", RequestKind::parse)?,
            status,
            priority: pick(priority, "priority", Priority::parse)?,
            due,
            assignee: assignee.unwrap_or(AssigneeFilter::Any),
            branch,
            page: page.unwrap_or(1),
        })
    }
}

/// A member of staff a request can be assigned to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChoice {
    pub staff_no: String,
    pub name: String,
    pub role: String,
}

/// One request in the queue (and the head of its page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub reference: String,
    pub kind: RequestKind,
    pub priority: Priority,
    pub status: RequestStatus,
    pub subject: String,
    pub customer_name: String,
    pub customer_no: String,
    pub branch_code: String,
    pub assignee_no: Option<String>,
    pub assignee_name: Option<String>,
    pub created_local: String,
    /// When the target runs out; `None` while the clock is paused or stopped.
    pub due_local: Option<String>,
    pub sla: SlaFlag,
    pub escalated: bool,
}

/// A page of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub filter: QueueFilter,
    pub rows: Vec<QueueRow>,
    pub has_more: bool,
    /// Supervisors and admins: the bulk-assign form and whom it can assign to.
    pub can_assign: bool,
    pub staff: Vec<StaffChoice>,
    /// The branch codes for the filter.
    pub branches: Vec<String>,
}

/// What a detail line is about: known fields have a translated label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactLabel {
    Card,
    Account,
    PostingAmount,
    PostingDate,
    PostingCounterparty,
    /// A field of the typed form (`details` JSON), by its name.
    Field(String),
}

/// A detail line's value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactValue {
    Text(String),
    Flag(bool),
}

/// One line of what the request is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailFact {
    pub label: FactLabel,
    pub value: FactValue,
}

/// A request as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRequestView {
    pub head: QueueRow,
    /// The customer's description (may be empty).
    pub body: String,
    pub customer_phone_masked: String,
    pub facts: Vec<DetailFact>,
    /// Everything: public steps and messages, staff-only steps, internal notes, files.
    pub timeline: Vec<TimelineEntry>,
    /// The states staff may move it to now.
    pub next: Vec<RequestStatus>,
    pub assigned_to_me: bool,
    /// Supervisors and admins may assign it to anyone.
    pub can_assign: bool,
    pub staff: Vec<StaffChoice>,
    /// Complaints: the decision deadline and how far it has been extended (0, 1, 2).
    pub decision_due_local: Option<String>,
    pub extension_level: i64,
    /// The request this one follows up, if any.
    pub follow_up_of: Option<String>,
    /// A fresh idempotency key for the reply form.
    pub reply_key: String,
}

/// The longest reply, note or resolution, in characters.
pub const MAX_TEXT: usize = 2000;

#[cfg(feature = "ssr")]
fn console_staff() -> Result<(crate::backend::auth::StaffActor, String), AppError> {
    use crate::types::StaffRole;
    let ctx = crate::backend::auth::RequestContext::current()?;
    let roles = [StaffRole::Agent, StaffRole::Advisor, StaffRole::Supervisor, StaffRole::Admin];
    Ok((ctx.staff_with_role(&roles)?, ctx.origin))
}

#[cfg(feature = "ssr")]
fn overseer() -> Result<(crate::backend::auth::StaffActor, String), AppError> {
    use crate::types::StaffRole;
    let ctx = crate::backend::auth::RequestContext::current()?;
    Ok((ctx.staff_with_role(&[StaffRole::Supervisor, StaffRole::Admin])?, ctx.origin))
}

#[cfg(feature = "ssr")]
fn reference_of(text: &str) -> Result<crate::types::RequestRef, AppError> {
    crate::types::RequestRef::parse(text).ok_or_else(|| AppError::new(crate::error::ErrorCode::NotFound))
}

#[cfg(feature = "ssr")]
fn back_to(reference: &crate::types::RequestRef) {
    leptos_axum::redirect(&format!("/staff/requests/{reference}"));
}

/// A page of the queue, sorted by due time.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/api", endpoint = "staff_requests")]
pub async fn staff_requests(
    kind: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    due: Option<String>,
    assignee: Option<String>,
    branch: Option<String>,
    page: Option<String>,
) -> Result<Queue, AppError> {
    let (actor, _) = console_staff()?;
    let state = crate::backend::use_state()?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let filter = QueueFilter::from_form(
        &text(&kind),
        &text(&status),
        &text(&priority),
        &text(&due),
        &text(&assignee),
        &text(&branch),
        &text(&page),
    )?;
    crate::backend::requests::queue::queue(&state, &actor, filter).await
}

/// One request with everything staff may see; the viewing is audited.
#[server(prefix = "/api", endpoint = "staff_request")]
pub async fn staff_request(reference: String) -> Result<StaffRequestView, AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    crate::backend::requests::staff_view::detail(&state, &actor, &reference_of(&reference)?, &origin).await
}

/// The staff member takes an unassigned request (and starts it if it was new).
#[server(prefix = "/api", endpoint = "staff_request_claim")]
pub async fn claim_request(reference: String) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    crate::backend::requests::staff::claim(&state, &actor, &reference, &origin).await?;
    back_to(&reference);
    Ok(())
}

/// A supervisor or admin assigns the request to a member of staff.
#[server(prefix = "/api", endpoint = "staff_request_assign")]
pub async fn assign_request(reference: String, staff_no: String) -> Result<(), AppError> {
    let (actor, origin) = overseer()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    crate::backend::requests::staff::assign(&state, &actor, std::slice::from_ref(&reference), &staff_no, &origin)
        .await?;
    back_to(&reference);
    Ok(())
}

/// A supervisor or admin assigns several requests to one member of staff at once:
/// all of them or, if any reference is unknown, none.
#[server(prefix = "/api", endpoint = "staff_request_bulk_assign")]
pub async fn bulk_assign_requests(refs: Option<Vec<String>>, staff_no: String) -> Result<usize, AppError> {
    let (actor, origin) = overseer()?;
    let state = crate::backend::use_state()?;
    let refs = refs.unwrap_or_default();
    if refs.is_empty() || refs.len() > PAGE_SIZE as usize {
        return Err(AppError::invalid("refs"));
    }
    let references = refs.iter().map(|r| reference_of(r)).collect::<Result<Vec<_>, _>>()?;
    let n = crate::backend::requests::staff::assign(&state, &actor, &references, &staff_no, &origin).await?;
    leptos_axum::redirect("/staff/requests");
    Ok(n)
}

/// A public reply to the customer, once per form key; `ask` also waits for the
/// customer's answer (the service-level clock pauses).
#[server(prefix = "/api", endpoint = "staff_request_reply")]
pub async fn staff_reply_request(
    reference: String,
    body: String,
    key: String,
    ask: Option<String>,
) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    let body = crate::types::PlainText::new(&body, MAX_TEXT, "body")?;
    let key = crate::types::IdempotencyKey::parse(key.trim())?;
    let ask = ask.is_some_and(|v| !v.is_empty() && v != "false");
    crate::backend::requests::staff::reply(&state, &actor, &reference, &body, &key, ask, &origin).await?;
    back_to(&reference);
    Ok(())
}

/// An internal note: staff only, never shown to the customer.
#[server(prefix = "/api", endpoint = "staff_request_note")]
pub async fn note_request(reference: String, body: String) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    let body = crate::types::PlainText::new(&body, MAX_TEXT, "body")?;
    crate::backend::requests::staff::note(&state, &actor, &reference, &body, &origin).await?;
    back_to(&reference);
    Ok(())
}

/// Starts work on a request (or takes it back from waiting for the customer).
#[server(prefix = "/api", endpoint = "staff_request_start")]
pub async fn start_request(reference: String) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    crate::backend::requests::staff::start(&state, &actor, &reference, &origin).await?;
    back_to(&reference);
    Ok(())
}

/// Resolves a request: the resolution is told to the customer and the request's
/// effect (a contact change, a reactivation, a replacement card) applies.
#[server(prefix = "/api", endpoint = "staff_request_resolve")]
pub async fn resolve_request(reference: String, body: String) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    let body = crate::types::PlainText::new(&body, MAX_TEXT, "body")?;
    crate::backend::requests::staff::resolve(&state, &actor, &reference, &body, &origin).await?;
    back_to(&reference);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_filter_fields_mean_open_requests_for_anyone_page_one() {
        let f = QueueFilter::from_form("", "", "", "", "", "", "").expect("defaults");
        assert_eq!(f.status, StatusFilter::Open);
        assert_eq!(f.assignee, AssigneeFilter::Any);
        assert_eq!((f.kind, f.priority, f.due, f.branch, f.page), (None, None, None, None, 1));
    }

    #[test]
    fn filter_fields_parse_and_unknown_values_name_their_field() {
        let f = QueueFilter::from_form("complaint", "waiting_customer", "high", "at_risk", "me", "b001", "2")
            .expect("valid");
        assert_eq!(f.kind, Some(RequestKind::Complaint));
        assert_eq!(f.status, StatusFilter::Only(RequestStatus::WaitingCustomer));
        assert_eq!(
            (f.due, f.assignee, f.branch.as_deref(), f.page),
            (Some(DueFilter::AtRisk), AssigneeFilter::Me, Some("B001"), 2)
        );
        for (i, field) in ["kind", "status", "priority", "due", "assignee", "branch", "page"].iter().enumerate() {
            let mut fields = ["", "", "", "", "", "", ""];
            fields[i] = "bogus'--";
            let err =
                QueueFilter::from_form(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6])
                    .expect_err(field);
            assert_eq!(err.field.as_deref(), Some(*field));
        }
    }
}
