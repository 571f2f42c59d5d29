//! Server functions of the staff console: the home with the staff member's queues,
//! customer search, the customer 360 and the support actions done as staff (unlock,
//! resend an enrollment code, reset the second factor after an identity check, note
//! a call). Staff only; every function authorizes through
//! `RequestContext::staff_with_role`, and every support action is audited as the
//! staff member's, with the customer, never as the customer's.
use crate::api::advisor::CustomerSummary;
use crate::error::AppError;
use crate::i18n::Key;
use crate::types::{
    BookingStatus, Channel, Localized, Money, Purpose, RequestKind, RequestStatus, StaffAccess, StaffRole, Topic,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::types::text_enum::text_enum;

/// The most results a search answers with.
pub const MAX_RESULTS: usize = 20;
/// The longest call note.
pub const MAX_NOTE: usize = 2000;
/// The shortest query searched (a two-character name, four digits of a phone…).
pub const MIN_QUERY: usize = 2;

// ---------------------------------------------------------------------------------
// The home.
// ---------------------------------------------------------------------------------

/// The signed-in staff member's queues, as far as their role works them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleHome {
    pub staff_no: String,
    pub name: String,
    pub role: StaffRole,
    /// Service requests: open and assigned to me; `unassigned` and `overdue` only
    /// for the roles that work the queue (agents, supervisors, admins).
    pub requests: RequestCounts,
    pub inquiries: InquiryCounts,
    pub consultations: TodayConsultations,
    /// Agents, supervisors and admins open any customer; advisors search too.
    pub can_search: bool,
    /// Advisors, supervisors and admins have a calendar.
    pub has_calendar: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCounts {
    pub mine: i64,
    pub unassigned: Option<i64>,
    pub overdue: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InquiryCounts {
    /// Open threads I hold.
    pub mine: i64,
    /// Open threads nobody has claimed.
    pub unclaimed: i64,
}

/// Today's consultations: the advisor's own, or the staff member's branch's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayConsultations {
    /// True: the advisor's own bookings; false: the branch's.
    pub own: bool,
    pub items: Vec<TodayBooking>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TodayBooking {
    pub id: i64,
    pub reference: String,
    /// "HH:MM" in the bank's zone.
    pub time: String,
    pub customer_no: String,
    pub customer_name: String,
    pub advisor_name: String,
    pub purpose: Purpose,
    pub channel: Channel,
    pub status: BookingStatus,
    /// Where the entry links to: the booking for those with a calendar, else the customer.
    pub href: String,
}

/// The console home's data.
#[server(prefix = "/api", endpoint = "staff_console_home")]
pub async fn staff_console_home() -> Result<ConsoleHome, AppError> {
    let (state, actor, _) = support::staff(&StaffRole::ALL)?;
    crate::backend::console::home::home(&state, &actor).await
}

// ---------------------------------------------------------------------------------
// Search.
// ---------------------------------------------------------------------------------

text_enum! {
    /// What a query was taken for (several at once for ambiguous digits).
    SearchKind {
        Name => "name", ConsoleKindName;
        Phone => "phone", ConsoleKindPhone;
        PhoneTail => "phone_tail", ConsoleKindPhoneTail;
        CustomerNo => "customer_no", ConsoleKindCustomerNo;
        IdTail => "id_tail", ConsoleKindIdTail;
        CardTail => "card_tail", ConsoleKindCardTail;
        CardNo => "card_no", ConsoleKindCardNo;
    }
}

/// One customer found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub customer_no: String,
    pub name: String,
    pub phone_masked: String,
    pub branch: Localized,
    pub status: CustomerStatus,
    /// What the query matched on this customer.
    pub matched: SearchKind,
}

/// The answer to a search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Empty when nothing was searched (no query, or too short).
    pub kinds: Vec<SearchKind>,
    /// The query was given but too short to search.
    pub too_short: bool,
    pub hits: Vec<SearchHit>,
    /// More than [`MAX_RESULTS`] matched: narrow the query.
    pub more: bool,
}

/// Searches customers by name, phone, customer number, ID-number tail or card-number
/// tail (agents, supervisors, admins, advisors). Audited: the kind and the count.
#[server(prefix = "/api", endpoint = "staff_customer_search")]
pub async fn staff_customer_search(#[server(default)] q: String) -> Result<SearchResult, AppError> {
    let (state, actor, origin) = support::staff(crate::backend::console::SEARCH_ROLES)?;
    crate::backend::console::search::search(&state, &actor, &q, &origin).await
}

// ---------------------------------------------------------------------------------
// The customer 360.
// ---------------------------------------------------------------------------------

text_enum! {
    /// The customer record's status.
    CustomerStatus {
        Active => "active", ConsoleStatusActive;
        Locked => "locked", ConsoleStatusLocked;
        Closed => "closed", ConsoleStatusClosed;
    }
}

text_enum! {
    /// How a staff member checked the customer's identity before resetting the
    /// second factor.
    IdentityCheck {
        IdCardAtCounter => "id_card_at_counter", ConsoleCheckIdCard;
        SecurityQuestionsCall => "security_questions_call", ConsoleCheckCall;
        VideoCall => "video_call", ConsoleCheckVideo;
    }
}

/// Who the customer is and the state of their online banking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProfile {
    pub customer_no: String,
    pub name: String,
    pub phone_masked: String,
    /// The ID number's last two characters only: the rest is what the customer
    /// tells staff for an identity check, so the page does not give it away.
    pub id_tail_masked: String,
    pub address: String,
    pub branch: Localized,
    pub status: CustomerStatus,
    pub enrolled: bool,
    pub username: Option<String>,
    pub second_factor: bool,
    /// Set while the online-banking log-in is locked: until when (bank's zone).
    pub locked_until: Option<String>,
    pub failed_attempts: i64,
    pub allow_staff_view: bool,
}

/// A recent posting on one of the customer's accounts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentTx {
    pub date: String,
    pub account_masked: String,
    /// The journal entry's kind; see `api::accounts::journal_kind_key`.
    pub kind: String,
    pub counterparty: String,
    pub memo: String,
    pub amount: Money,
}

/// A service request, open or past.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    pub reference: String,
    pub kind: RequestKind,
    pub status: RequestStatus,
    pub subject: String,
    pub created_local: String,
}

/// A consultation booking, past or coming.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingLine {
    pub id: i64,
    pub reference: String,
    pub at: String,
    pub advisor_name: String,
    pub purpose: Purpose,
    pub channel: Channel,
    pub status: BookingStatus,
}

/// An inquiry thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadLine {
    pub id: i64,
    pub topic: Topic,
    pub subject: String,
    pub open: bool,
    pub waiting: bool,
    pub last_at: String,
}

/// A security event of the customer's (their audit rows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityLine {
    pub at: String,
    /// The stable event name; the page translates it (`i18n::event_name`).
    pub event: String,
    /// "customer", "staff", "system" or "anonymous".
    pub actor_kind: String,
    pub origin: String,
}

/// A note of a call with the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallNote {
    pub at: String,
    pub staff_no: String,
    pub staff_name: String,
    pub body: String,
}

/// Everything the console knows about one customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer360 {
    /// Segment, totals, products and balances, relationship manager, open inquiries,
    /// open requests and upcoming bookings (the advisor's summary).
    pub summary: CustomerSummary,
    pub profile: CustomerProfile,
    pub transactions: Vec<RecentTx>,
    /// Open and past, newest first.
    pub requests: Vec<RequestLine>,
    pub bookings: Vec<BookingLine>,
    pub threads: Vec<ThreadLine>,
    pub security: Vec<SecurityLine>,
    pub notes: Vec<CallNote>,
    pub staff_access: Vec<StaffAccess>,
    /// The support actions and "view as customer" are offered (agents, supervisors, admins).
    pub can_support: bool,
    /// Booking pages open to this role (not agents).
    pub can_open_bookings: bool,
}

/// The customer 360: agents, supervisors and admins open any customer; advisors
/// only those they serve (else `not_found`). Every view is audited.
#[server(prefix = "/api", endpoint = "staff_customer_360")]
pub async fn staff_customer_360(customer_no: String) -> Result<Customer360, AppError> {
    let (state, actor, origin) = support::staff(&StaffRole::ALL)?;
    crate::backend::console::customer::view(&state, &actor, &customer_no, &origin).await
}

// ---------------------------------------------------------------------------------
// Support actions (agents, supervisors, admins).
// ---------------------------------------------------------------------------------

/// Unlocks the customer's online-banking log-in locked after failed attempts.
#[server(prefix = "/api", endpoint = "staff_unlock_credential")]
pub async fn staff_unlock_credential(customer_no: String) -> Result<(), AppError> {
    let (state, actor, origin) = support::staff(crate::backend::console::SUPPORT_ROLES)?;
    let no = crate::backend::console::support::unlock(&state, &actor, &customer_no, &origin).await?;
    support::done(&no, "unlocked");
    Ok(())
}

/// Sends a new enrollment code to the phone on file (not yet enrolled customers).
#[server(prefix = "/api", endpoint = "staff_resend_enrollment")]
pub async fn staff_resend_enrollment(customer_no: String) -> Result<(), AppError> {
    let (state, actor, origin) = support::staff(crate::backend::console::SUPPORT_ROLES)?;
    let no = crate::backend::console::support::resend_enrollment(&state, &actor, &customer_no, &origin).await?;
    support::done(&no, "code_sent");
    Ok(())
}

/// Removes the customer's second factor after an identity check: `method` says how
/// the identity was checked, `id_tail` is the ID number's last six as the customer
/// gave them (must match, else `no_match` and nothing changes).
#[server(prefix = "/api", endpoint = "staff_reset_second_factor")]
pub async fn staff_reset_second_factor(
    customer_no: String,
    #[server(default)] method: String,
    #[server(default)] id_tail: String,
) -> Result<(), AppError> {
    let (state, actor, origin) = support::staff(crate::backend::console::SUPPORT_ROLES)?;
    let method = IdentityCheck::parse(&method).ok_or_else(|| AppError::invalid("method"))?;
    let no =
        crate::backend::console::support::reset_second_factor(&state, &actor, &customer_no, method, &id_tail, &origin)
            .await?;
    support::done(&no, "second_factor_reset");
    Ok(())
}

/// Notes a call (or visit) with the customer, 1 to 2000 characters.
#[server(prefix = "/api", endpoint = "staff_note_call")]
pub async fn staff_note_call(customer_no: String, #[server(default)] body: String) -> Result<(), AppError> {
    let (state, actor, origin) = support::staff(crate::backend::console::SUPPORT_ROLES)?;
    let no = crate::backend::console::support::note_call(&state, &actor, &customer_no, &body, &origin).await?;
    support::done(&no, "noted");
    Ok(())
}

/// The message shown after a support action (`?done=` on the 360).
pub fn done_key(done: &str) -> Option<Key> {
    match done {
        "unlocked" => Some(Key::ConsoleDoneUnlocked),
        "code_sent" => Some(Key::ConsoleDoneCodeSent),
        "second_factor_reset" => Some(Key::ConsoleDoneSecondFactorReset),
        "noted" => Some(Key::ConsoleDoneNoted),
        _ => None,
    }
}

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

    /// Back to the customer's 360 with the outcome (a plain form follows it; the
    /// WASM client reloads the page's data).
    pub fn done(customer_no: &str, what: &str) {
        let no: String = customer_no.chars().filter(char::is_ascii_alphanumeric).collect();
        leptos_axum::redirect(&format!("/staff/customers/{no}?done={what}#support"));
    }
}
