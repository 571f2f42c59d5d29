//! Server functions of service requests (服务申请), the customer's side, and the
//! view types both the server and the browser need.
//!
//! Customers reach a request only through its owner: another customer's reference
//! answers `not_found`. Internal notes never appear in any type of this module.
use crate::types::RequestStatus;
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
