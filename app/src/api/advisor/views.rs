//! What the advisor's pages show: calendars, a booking with its internal notes,
//! the schedule, the customer summary with its segment, manager look-ups. Shared
//! by the server (which fills them) and the browser (which renders them).
use crate::types::{BookingStatus, Channel, Day, Localized, Money, ProductView, Purpose, Topic};
use serde::{Deserialize, Serialize};

/// An advisor in a supervisor's chooser, or a relationship manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorChoice {
    pub staff_no: String,
    pub name: String,
}

/// A day or a week of an advisor's bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarView {
    pub advisor_staff_no: String,
    pub advisor_name: String,
    /// Empty for an advisor (who sees only their own calendar).
    pub choices: Vec<AdvisorChoice>,
    pub day: Day,
    pub week: bool,
    pub today: Day,
    pub prev: Day,
    pub next: Day,
    pub days: Vec<CalendarDay>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub day: Day,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub entries: Vec<CalendarEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub id: i64,
    pub reference: String,
    pub day: Day,
    /// "HH:MM" in the bank's zone.
    pub start: String,
    pub end: String,
    pub customer_name: String,
    pub customer_no: String,
    pub purpose: Purpose,
    pub channel: Channel,
    pub status: BookingStatus,
}

/// A booking as its advisor sees it, internal notes included. Never sent to a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingDetail {
    pub entry: CalendarEntry,
    pub advisor_name: String,
    pub advisor_staff_no: String,
    pub topic_note: String,
    pub summary: Option<String>,
    pub cancel_reason: Option<String>,
    pub notes: Vec<NoteView>,
    /// Held / no-show may be marked: the booking is still `booked` and has started.
    pub can_mark: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub author: String,
    /// "YYYY-MM-DD HH:MM" in the bank's zone.
    pub at: String,
    pub body: String,
}

/// An advisor's schedule: consultation length, what they offer, weekly hours, exceptions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub advisor_staff_no: String,
    pub advisor_name: String,
    pub choices: Vec<AdvisorChoice>,
    pub slot_minutes: i64,
    pub buffer_minutes: i64,
    pub purposes: Vec<(Purpose, bool)>,
    pub channels: Vec<(Channel, bool)>,
    pub hours: Vec<HoursWindow>,
    pub exceptions: Vec<ExceptionView>,
    pub today: Day,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursWindow {
    pub id: i64,
    pub weekday: u8,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionView {
    pub id: i64,
    pub day: Day,
    pub leave: bool,
    /// None: the whole day.
    pub start: Option<String>,
    pub end: Option<String>,
    pub note: String,
}

/// The segment type lives with the insight rules; re-exported for the advisor's views.
pub use crate::types::Segment;

/// What staff see of a customer they serve.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub customer_no: String,
    pub name: String,
    pub branch: Localized,
    pub total_assets: Money,
    pub total_liabilities: Money,
    pub segment: Segment,
    pub products: Vec<ProductView>,
    pub manager: Option<AdvisorChoice>,
    pub inquiries: Vec<OpenInquiry>,
    pub requests: Vec<OpenRequest>,
    pub upcoming: Vec<UpcomingBooking>,
}

/// One of the customer's open service requests, for the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenRequest {
    pub reference: String,
    pub kind: crate::types::RequestKind,
    pub status: crate::types::RequestStatus,
    pub subject: String,
    /// When the service-level target runs out; `None` while it is paused.
    pub due_local: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenInquiry {
    pub id: i64,
    pub topic: Topic,
    pub subject: String,
    /// The customer waits for an answer.
    pub waiting: bool,
    pub last_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpcomingBooking {
    pub id: i64,
    pub reference: String,
    pub at: String,
    pub advisor_name: String,
    pub purpose: Purpose,
    pub channel: Channel,
}

/// A customer found by number on the relationship-manager page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerLookup {
    pub customer_no: String,
    pub name: String,
    pub branch: Localized,
    pub manager: Option<AdvisorChoice>,
    pub advisors: Vec<AdvisorChoice>,
}
