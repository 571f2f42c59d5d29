//! Server functions of service requests (服务申请), the customer's side, and the
//! view types both the server and the browser need.
//!
//! Customers reach a request only through its owner: another customer's reference
//! answers `not_found`. Internal notes never appear in any type of this module.
// A server function's arguments are its form's fields: one per field, however many.
#![allow(clippy::too_many_arguments)]
mod views;

pub use views::*;

use crate::error::AppError;
use crate::types::RequestStatus;
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
    let kind = crate::types::RequestKind::parse(&kind).ok_or(AppError::new(crate::error::ErrorCode::NotFound))?;
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
    let mut who = ctx.customer_for_assisted_change()?;
    let state = crate::backend::use_state()?;
    let kind = crate::types::RequestKind::parse(&kind).ok_or_else(|| AppError::invalid("kind"))?;
    if who.on_behalf_of.is_some() && kind.controls_card_or_contact() {
        // Assist mode files requests for the customer; card controls and contact
        // details stay the customer's own acts, always.
        return Err(ctx.refuse_viewing());
    }
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
    if kind == crate::types::RequestKind::ContactChange {
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
    let who = RequestContext::current()?.customer_for_assisted_change()?;
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
