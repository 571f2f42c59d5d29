//! Server functions of inquiries (咨询): a customer's question threads with the
//! bank, and the staff inbox. Customers reach a thread only through its owner
//! (another customer's thread answers `not_found`); staff functions need one of the
//! console roles. Texts are plain: pages render them as text, never as HTML.
//!
//! The view types live here because both the server (which fills them) and the
//! browser (which renders them) need them.
use crate::error::AppError;
use crate::types::Topic;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The longest subject, in characters.
pub const MAX_SUBJECT: usize = 80;
/// The longest message, in characters.
pub const MAX_BODY: usize = 2000;
/// The longest hand-over note, in characters.
pub const MAX_NOTE: usize = 500;

/// One of the customer's threads in their list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub id: i64,
    pub topic: Topic,
    pub subject: String,
    pub open: bool,
    pub last_message_local: String,
    /// Replies from the bank the customer has not read yet.
    pub unread: i64,
}

/// The customer's threads, newest activity first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyThreads {
    pub threads: Vec<ThreadSummary>,
    pub unread_total: i64,
}

/// One message as either side sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    /// Written by the bank's staff (else by the customer).
    pub from_bank: bool,
    /// The writer's name.
    pub author: String,
    /// Exactly as typed; rendered as text.
    pub body: String,
    pub created_local: String,
}

/// A thread as its customer sees it: messages oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    pub id: i64,
    pub topic: Topic,
    pub subject: String,
    pub open: bool,
    pub created_local: String,
    pub messages: Vec<MessageView>,
}

/// What the new-question form needs: a fresh idempotency key, so a double-click
/// opens one thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewThreadForm {
    pub key: String,
}

/// Which threads the staff inbox shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxFilter {
    /// Open threads nobody holds yet.
    Unassigned,
    /// Open threads the signed-in staff member holds.
    Mine,
    /// Every open thread.
    All,
}

impl InboxFilter {
    pub const ALL: [InboxFilter; 3] = [InboxFilter::Unassigned, InboxFilter::Mine, InboxFilter::All];

    pub const fn as_str(self) -> &'static str {
        match self {
            InboxFilter::Unassigned => "unassigned",
            InboxFilter::Mine => "mine",
            InboxFilter::All => "all",
        }
    }

    /// Anything unknown (or missing) shows everything.
    pub fn parse(text: &str) -> InboxFilter {
        InboxFilter::ALL.into_iter().find(|f| f.as_str() == text.trim()).unwrap_or(InboxFilter::All)
    }
}

/// A staff member, as a holder or a hand-over choice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRef {
    pub id: i64,
    pub staff_no: String,
    pub name: String,
    pub role: String,
}

/// One open thread in the staff inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxRow {
    pub id: i64,
    pub customer_no: String,
    pub customer_name: String,
    pub topic: Topic,
    pub subject: String,
    /// When the customer's oldest unanswered message came; `None`: the bank spoke last.
    pub waiting_since_local: Option<String>,
    pub holder: Option<StaffRef>,
    /// Customer messages no staff member has read yet.
    pub unread: i64,
}

/// The staff inbox: waiting longest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub filter: InboxFilter,
    pub rows: Vec<InboxRow>,
}

/// How many open threads wait for an answer (the staff home page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCounts {
    pub waiting: i64,
    pub waiting_unassigned: i64,
    pub waiting_mine: i64,
}

/// A hand-over in a thread's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverView {
    pub from: Option<String>,
    pub to: String,
    pub note: String,
    pub created_local: String,
}

/// A thread as staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffThreadView {
    pub id: i64,
    pub topic: Topic,
    pub subject: String,
    pub open: bool,
    pub customer_no: String,
    pub customer_name: String,
    pub holder: Option<StaffRef>,
    pub held_by_me: bool,
    pub waiting_since_local: Option<String>,
    pub messages: Vec<MessageView>,
    pub handovers: Vec<HandoverView>,
    /// Active colleagues the thread can be handed to.
    pub colleagues: Vec<StaffRef>,
}

/// A signed-in member of staff (any console role) and where the request came from.
#[cfg(feature = "ssr")]
fn console_staff() -> Result<(crate::backend::auth::StaffActor, String), AppError> {
    use crate::types::StaffRole;
    let ctx = crate::backend::auth::RequestContext::current()?;
    Ok((ctx.staff_with_role(&StaffRole::ALL)?, ctx.origin))
}

// ---------------------------------------------------------------------------------
// The customer's side.
// ---------------------------------------------------------------------------------

/// The signed-in customer's threads with their unread replies.
#[server(prefix = "/api", endpoint = "inquiries")]
pub async fn my_inquiries() -> Result<MyThreads, AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_read()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::customer::list(&state, &who).await
}

/// A fresh key for the new-question form.
#[server(prefix = "/api", endpoint = "inquiry_form")]
pub async fn inquiry_form() -> Result<NewThreadForm, AppError> {
    use crate::backend::auth::RequestContext;
    RequestContext::current()?.customer_for_read()?;
    Ok(NewThreadForm { key: crate::types::IdempotencyKey::generate().as_str().to_owned() })
}

/// Opens a thread with its first message (once per key) and shows it.
#[server(prefix = "/api", endpoint = "inquiry_open")]
pub async fn open_inquiry(topic: String, subject: String, body: String, key: String) -> Result<i64, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::types::{IdempotencyKey, PlainText};
    let who = RequestContext::current()?.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let topic = Topic::parse(&topic).ok_or_else(|| AppError::invalid("topic"))?;
    let subject = PlainText::new(&subject, MAX_SUBJECT, "subject")?;
    let body = PlainText::new(&body, MAX_BODY, "body")?;
    let key = IdempotencyKey::parse(key.trim())?;
    let id = crate::backend::inquiries::customer::open(&state, &who, topic, &subject, &body, &key).await?;
    leptos_axum::redirect(&format!("/inquiries/{id}"));
    Ok(id)
}

/// One of the customer's threads; reading it marks the bank's replies read.
#[server(prefix = "/api", endpoint = "inquiry")]
pub async fn my_inquiry(id: i64) -> Result<ThreadView, AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_read()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::customer::read(&state, &who, id).await
}

/// The customer writes in their thread (reopening it if it was closed).
#[server(prefix = "/api", endpoint = "inquiry_reply")]
pub async fn reply_inquiry(id: i64, body: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_change()?;
    let state = crate::backend::use_state()?;
    let body = crate::types::PlainText::new(&body, MAX_BODY, "body")?;
    crate::backend::inquiries::customer::reply(&state, &who, id, &body).await?;
    leptos_axum::redirect(&format!("/inquiries/{id}"));
    Ok(())
}

/// The customer closes their thread.
#[server(prefix = "/api", endpoint = "inquiry_close")]
pub async fn close_inquiry(id: i64) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let who = RequestContext::current()?.customer_for_change()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::customer::close(&state, &who, id).await?;
    leptos_axum::redirect(&format!("/inquiries/{id}"));
    Ok(())
}

// ---------------------------------------------------------------------------------
// The staff side.
// ---------------------------------------------------------------------------------

/// The staff inbox: open threads, waiting longest first.
#[server(prefix = "/api", endpoint = "staff_inquiries")]
pub async fn staff_inbox(filter: String) -> Result<Inbox, AppError> {
    let (actor, _) = console_staff()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::staff::inbox(&state, &actor, InboxFilter::parse(&filter)).await
}

/// How many threads wait for an answer.
#[server(prefix = "/api", endpoint = "staff_inquiry_counts")]
pub async fn staff_inbox_counts() -> Result<InboxCounts, AppError> {
    let (actor, _) = console_staff()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::staff::counts(&state, &actor).await
}

/// A thread as staff see it; reading it marks the customer's messages read.
#[server(prefix = "/api", endpoint = "staff_inquiry")]
pub async fn staff_inquiry(id: i64) -> Result<StaffThreadView, AppError> {
    let (actor, _) = console_staff()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::staff::read(&state, &actor, id).await
}

/// A staff reply: the customer is notified.
#[server(prefix = "/api", endpoint = "staff_inquiry_reply")]
pub async fn staff_reply_inquiry(id: i64, body: String) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let body = crate::types::PlainText::new(&body, MAX_BODY, "body")?;
    crate::backend::inquiries::staff::reply(&state, &actor, id, &body, &origin).await?;
    leptos_axum::redirect(&format!("/staff/inquiries/{id}"));
    Ok(())
}

/// The staff member takes an unassigned thread.
#[server(prefix = "/api", endpoint = "staff_inquiry_claim")]
pub async fn claim_inquiry(id: i64) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::staff::claim(&state, &actor, id, &origin).await?;
    leptos_axum::redirect(&format!("/staff/inquiries/{id}"));
    Ok(())
}

/// Hands the thread to a colleague, with a note.
#[server(prefix = "/api", endpoint = "staff_inquiry_handover")]
pub async fn hand_over_inquiry(id: i64, to_staff: i64, note: String) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    let note = crate::types::PlainText::new(&note, MAX_NOTE, "note")?;
    crate::backend::inquiries::staff::hand_over(&state, &actor, id, to_staff, &note, &origin).await?;
    leptos_axum::redirect(&format!("/staff/inquiries/{id}"));
    Ok(())
}

/// Closes the thread from the bank's side.
#[server(prefix = "/api", endpoint = "staff_inquiry_close")]
pub async fn staff_close_inquiry(id: i64) -> Result<(), AppError> {
    let (actor, origin) = console_staff()?;
    let state = crate::backend::use_state()?;
    crate::backend::inquiries::staff::close(&state, &actor, id, &origin).await?;
    leptos_axum::redirect(&format!("/staff/inquiries/{id}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::InboxFilter;

    #[test]
    fn inbox_filters_parse_with_all_as_default() {
        for f in InboxFilter::ALL {
            assert_eq!(InboxFilter::parse(f.as_str()), f);
        }
        assert_eq!(InboxFilter::parse(""), InboxFilter::All);
        assert_eq!(InboxFilter::parse("bogus"), InboxFilter::All);
    }
}
