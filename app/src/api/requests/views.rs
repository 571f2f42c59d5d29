//! The customer's view types of service requests: the typed forms' choices, a
//! request in the list and on its page (never an internal note), and the complaint
//! categories.
use super::TimelineEntry;
use crate::i18n::Key;
use crate::types::{Money, ProductKind, RequestKind, RequestStatus};
use serde::{Deserialize, Serialize};

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
