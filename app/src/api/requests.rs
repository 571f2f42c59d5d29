//! Server functions of service requests (服务申请), the customer's side, and the
//! view types both the server and the browser need.
//!
//! Customers reach a request only through its owner: another customer's reference
//! answers `not_found`. Internal notes never appear in any type of this module.
// A server function's arguments are its form's fields: one per field, however many.
#![allow(clippy::too_many_arguments)]
use crate::error::AppError;
use crate::i18n::Key;
use crate::types::{Money, ProductKind, RequestKind, RequestStatus};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One step of a request's timeline, as its audience may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimelineItem {
    /// A change of state or a notable step (`service_request_events.kind`), with
    /// its public detail (a reason, a new deadline).
    Step { kind: String, from: Option<RequestStatus>, to: Option<RequestStatus>, by_bank: bool, detail: String },
    /// A public message.
    Message { from_bank: bool, author: String, body: String },
    /// An attached file (its content is downloaded separately, by id).
    File { id: i64, name: String, content_type: String, size_bytes: i64, from_bank: bool },
    /// An internal note: only in staff views, never built for a customer.
    Note { author: String, body: String },
}

/// A timeline entry with its time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// UTC microseconds, for ordering.
    pub at: i64,
    /// "2026-11-29 14:05" in the bank's zone.
    pub at_local: String,
    pub item: TimelineItem,
}

/// The form limits, for the pages (the same as `backend::requests`' limits, which
/// the browser build does not have; a test keeps them equal).
pub const MAX_SUBJECT: usize = 80;
pub const MAX_BODY: usize = 2000;
pub const MAX_COMMENT: usize = 500;
/// The longest new address, in characters.
pub const MAX_ADDRESS: usize = 120;
/// The longest "what you want us to do" of a complaint, in characters.
pub const MAX_WANTED: usize = 500;
/// How far back a dispute may reach, in days.
pub const DISPUTE_DAYS: i64 = 120;

/// What a complaint is about (the regulator's reports count complaints by it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintCategory {
    Fees,
    Service,
    Product,
    Transaction,
    StaffConduct,
    Other,
}

impl ComplaintCategory {
    pub const ALL: [ComplaintCategory; 6] = [
        ComplaintCategory::Fees,
        ComplaintCategory::Service,
        ComplaintCategory::Product,
        ComplaintCategory::Transaction,
        ComplaintCategory::StaffConduct,
        ComplaintCategory::Other,
    ];

    /// The name stored in a request's details and sent in forms.
    pub const fn as_str(self) -> &'static str {
        match self {
            ComplaintCategory::Fees => "fees",
            ComplaintCategory::Service => "service",
            ComplaintCategory::Product => "product",
            ComplaintCategory::Transaction => "transaction",
            ComplaintCategory::StaffConduct => "staff_conduct",
            ComplaintCategory::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<ComplaintCategory> {
        ComplaintCategory::ALL.into_iter().find(|c| c.as_str() == text.trim())
    }

    /// The translated label.
    pub const fn label(self) -> Key {
        match self {
            ComplaintCategory::Fees => Key::SrqCategoryFees,
            ComplaintCategory::Service => Key::SrqCategoryService,
            ComplaintCategory::Product => Key::SrqCategoryProduct,
            ComplaintCategory::Transaction => Key::SrqCategoryTransaction,
            ComplaintCategory::StaffConduct => Key::SrqCategoryStaffConduct,
            ComplaintCategory::Other => Key::SrqCategoryOther,
        }
    }
}

/// One of the customer's cards on a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardChoice {
    pub id: i64,
    /// "6217 **** **** 1234": never the full number.
    pub masked: String,
    /// "debit" or "credit".
    pub kind: String,
    /// "active", "frozen", "lost" or "closed".
    pub status: String,
}

/// One of the customer's accounts on a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub id: i64,
    pub masked: String,
    pub kind: ProductKind,
    /// "active", "dormant", "frozen" or "closed".
    pub status: String,
}

/// One of the customer's recent debits, which a dispute may name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingChoice {
    pub id: i64,
    pub day: String,
    pub account_masked: String,
    pub counterparty: String,
    /// Positive: what left the account.
    pub amount: Money,
}

/// What a new-request form needs: the customer's cards, accounts and recent
/// debits (only what the kind's form shows) and a fresh idempotency key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestForm {
    pub kind: RequestKind,
    pub key: String,
    pub cards: Vec<CardChoice>,
    pub accounts: Vec<AccountChoice>,
    pub postings: Vec<PostingChoice>,
    /// The phone number on file, masked (contact changes).
    pub phone_masked: String,
    /// This month, "2026-11" (statement months).
    pub this_month: String,
}

/// Who has the next move on a request, as the customer's pages say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// The bank is working on it.
    Bank,
    /// The bank asked the customer something.
    Customer,
    /// Resolved: the customer may confirm, reopen (within the window) and rate.
    ConfirmOrReopen,
    /// Closed or withdrawn: nothing more happens.
    Done,
}

impl NextStep {
    pub const fn of(status: RequestStatus) -> NextStep {
        match status {
            RequestStatus::Submitted | RequestStatus::InProgress => NextStep::Bank,
            RequestStatus::WaitingCustomer => NextStep::Customer,
            RequestStatus::Resolved => NextStep::ConfirmOrReopen,
            RequestStatus::Closed | RequestStatus::Withdrawn => NextStep::Done,
        }
    }
}

/// One of the customer's requests in their list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub reference: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub subject: String,
    pub next_step: NextStep,
    pub updated_local: String,
    /// Messages from the bank since the customer last wrote.
    pub bank_messages: i64,
}

/// A request as its customer sees it: no internal notes, no staff-only steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub reference: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub subject: String,
    pub body: String,
    pub created_local: String,
    pub next_step: NextStep,
    /// Complaints: when the bank's decision is due (regulatory deadline).
    pub decision_due_local: Option<String>,
    /// Loss reports and freezes: when the card was frozen ("14:05").
    pub frozen_at_local: Option<String>,
    /// The card, account or transaction the request is about, masked.
    pub about: Option<String>,
    /// Resolved: until when it can be reopened.
    pub reopen_until_local: Option<String>,
    pub can_reopen: bool,
    /// The states the customer may move it to now (the page's buttons).
    pub allowed: Vec<RequestStatus>,
    /// Resolved or closed and not rated yet.
    pub can_rate: bool,
    /// The customer's rating, once given.
    pub rating: Option<(i64, String)>,
    /// A reply is taken (open requests; resolved/closed after the window start a follow-up).
    pub can_reply: bool,
    pub follow_up_of: Option<String>,
    pub follow_ups: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    /// A fresh idempotency key for the reply form.
    pub reply_key: String,
    /// The typed form's other answers, as the customer gave them.
    pub answers: Answers,
}

/// What a request's form asked besides the subject and description.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    pub category: Option<ComplaintCategory>,
    pub wanted: Option<String>,
    pub stolen: Option<bool>,
    pub replacement: Option<bool>,
    /// The new phone number asked for, masked.
    pub new_phone: Option<String>,
    pub new_address: Option<String>,
    /// Statement months, "2026-01" to "2026-03".
    pub months: Option<(String, String)>,
}

// ---------------------------------------------------------------------------------
// The customer's server functions. Every one finds the request, card, account or
// transaction through the signed-in customer.
// ---------------------------------------------------------------------------------

#[cfg(feature = "ssr")]
fn reference_of(text: &str) -> Result<crate::types::RequestRef, AppError> {
    // A malformed reference is a missing one: the same answer as someone else's.
    crate::types::RequestRef::parse(text).ok_or(AppError::new(crate::error::ErrorCode::NotFound))
}

/// The signed-in customer's requests, latest activity first.
#[server(prefix = "/api", endpoint = "requests")]
pub async fn my_requests() -> Result<Vec<RequestSummary>, AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_read()?;
    let state = crate::backend::use_state()?;
    crate::backend::requests::customer::list(&state, &who).await
}

/// What the new-request form of `kind` needs, with a fresh key.
#[server(prefix = "/api", endpoint = "request_form")]
pub async fn request_form_data(kind: String) -> Result<RequestForm, AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_read()?;
    let state = crate::backend::use_state()?;
    let kind = RequestKind::parse(&kind).ok_or(AppError::new(crate::error::ErrorCode::NotFound))?;
    crate::backend::requests::customer::forms::form_data(&state, &who, kind).await
}

/// Submits a new request of `kind` (once per key) and shows it. Each kind's form
/// sends only its own fields. A contact change needs a fresh second factor: `code`
/// (the authenticator's) confirms it here when none was confirmed in the last minutes.
#[server(prefix = "/api", endpoint = "request_submit")]
pub async fn submit_request(
    kind: String,
    key: String,
    card_id: Option<String>,
    stolen: Option<String>,
    replacement: Option<String>,
    body: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    code: Option<String>,
    category: Option<String>,
    subject: Option<String>,
    wanted: Option<String>,
    posting_id: Option<String>,
    account_id: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<String, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::requests::customer::{create, input};
    use crate::error::ErrorCode;
    use crate::types::IdempotencyKey;
    let ctx = RequestContext::current()?;
    let mut who = ctx.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let kind = RequestKind::parse(&kind).ok_or_else(|| AppError::invalid("kind"))?;
    let key = IdempotencyKey::parse(key.trim())?;
    let raw = input::RawForm {
        card_id,
        stolen,
        replacement,
        body,
        phone,
        address,
        category,
        subject,
        wanted,
        posting_id,
        account_id,
        from,
        to,
    };
    let request = input::RequestInput::parse(kind, &raw)?;
    if kind == RequestKind::ContactChange {
        // The code is checked only when the step-up is not fresh, so a code typed
        // for nothing is not spent (as the transfer confirmation does).
        who = match ctx.customer_for_sensitive_change() {
            Ok(who) => who,
            Err(_) => {
                let code = code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
                let Some(code) = code else {
                    return Err(AppError { code: ErrorCode::StepUpRequired, field: Some("code".into()) });
                };
                crate::api::identity::step_up(code)
                    .await
                    .map_err(|err| AppError { code: err.code, field: Some("code".into()) })?;
                who
            }
        };
    }
    let reference = create::submit(&state, &who, &request, &key, &ctx.origin).await?;
    leptos_axum::redirect(&format!("/requests/{reference}"));
    Ok(reference.to_string())
}

/// One of the customer's requests with its public timeline.
#[server(prefix = "/api", endpoint = "request")]
pub async fn my_request(reference: String) -> Result<RequestView, AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_read()?;
    let state = crate::backend::use_state()?;
    crate::backend::requests::customer::detail(&state, &who, &reference_of(&reference)?).await
}

/// The customer writes on a request (once per key); shows the request the message
/// landed on (a follow-up's, after the reopen window).
#[server(prefix = "/api", endpoint = "request_reply")]
pub async fn reply_request(reference: String, body: String, key: String) -> Result<String, AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let body = crate::types::PlainText::new(&body, crate::backend::requests::MAX_BODY, "body")?;
    let key = crate::types::IdempotencyKey::parse(key.trim())?;
    let reference = reference_of(&reference)?;
    let landed = crate::backend::requests::customer::actions::reply(&state, &who, &reference, &body, &key).await?;
    leptos_axum::redirect(&format!("/requests/{landed}"));
    Ok(landed.to_string())
}

/// The customer withdraws an open request.
#[server(prefix = "/api", endpoint = "request_withdraw")]
pub async fn withdraw_request(reference: String, reason: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let reason = crate::types::PlainText::new(&reason, crate::backend::requests::MAX_COMMENT, "reason")?;
    let reference = reference_of(&reference)?;
    crate::backend::requests::customer::actions::withdraw(&state, &who, &reference, &reason, &ctx.origin).await?;
    leptos_axum::redirect(&format!("/requests/{reference}"));
    Ok(())
}

/// The customer reopens a resolved request (within 7 days).
#[server(prefix = "/api", endpoint = "request_reopen")]
pub async fn reopen_request(reference: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    crate::backend::requests::customer::actions::reopen(&state, &who, &reference, &ctx.origin).await?;
    leptos_axum::redirect(&format!("/requests/{reference}"));
    Ok(())
}

/// The customer confirms a resolved request closed.
#[server(prefix = "/api", endpoint = "request_confirm")]
pub async fn confirm_request(reference: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let who = ctx.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let reference = reference_of(&reference)?;
    crate::backend::requests::customer::actions::confirm(&state, &who, &reference, &ctx.origin).await?;
    leptos_axum::redirect(&format!("/requests/{reference}"));
    Ok(())
}

/// The customer rates the service of a resolved or closed request, once.
#[server(prefix = "/api", endpoint = "request_rate")]
pub async fn rate_request(reference: String, score: String, comment: Option<String>) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let score: i64 = score.trim().parse().map_err(|_| AppError::invalid("score"))?;
    let comment = match comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(text) => {
            crate::types::PlainText::new(text, crate::backend::requests::MAX_COMMENT, "comment")?.into_string()
        }
        None => String::new(),
    };
    let reference = reference_of(&reference)?;
    crate::backend::requests::customer::actions::rate(&state, &who, &reference, score, &comment).await?;
    leptos_axum::redirect(&format!("/requests/{reference}"));
    Ok(())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_pages_limits_are_the_servers() {
        use crate::backend::requests as core;
        assert_eq!((MAX_SUBJECT, MAX_BODY, MAX_COMMENT), (core::MAX_SUBJECT, core::MAX_BODY, core::MAX_COMMENT));
    }

    #[test]
    fn complaint_categories_round_trip() {
        for c in ComplaintCategory::ALL {
            assert_eq!(ComplaintCategory::parse(c.as_str()), Some(c));
        }
        assert_eq!(ComplaintCategory::parse("weather"), None);
    }
}
