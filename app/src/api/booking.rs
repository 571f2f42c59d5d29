//! Server functions of consultation bookings: the booking wizard (purpose,
//! channel, advisor, a free slot), booking once per idempotency key, moving and
//! cancelling until the cut-off, and the customer's list. Every booking is found
//! through its owner: another customer's reference answers `not_found`.
//!
//! The view types live here because both the server (which fills them) and the
//! browser (which renders them) need them.
use crate::error::AppError;
use crate::types::{BookingStatus, Channel, Day, Localized, Purpose, Timestamp};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The longest note a customer may add to a booking, and the longest reason.
pub const MAX_NOTE_CHARS: usize = 500;
pub const MAX_REASON_CHARS: usize = 200;

/// An advisor the customer may book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvisorOption {
    pub staff_no: String,
    pub name: String,
    pub branch_code: String,
    pub branch_name: Localized,
    /// The customer's own relationship manager (offered first).
    pub is_manager: bool,
}

/// A free time, as a link or a radio button shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotOption {
    /// UTC microseconds: what the forms send back.
    pub starts_at: i64,
    /// "09:00" in the bank's zone.
    pub time: String,
}

/// The free times of one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotDay {
    pub day: Day,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    pub slots: Vec<SlotOption>,
}

/// A branch that has advisors for the chosen purpose and channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchOption {
    pub code: String,
    pub name: Localized,
}

/// The chosen slot, on the confirm step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenSlot {
    pub starts_at: i64,
    pub day: Day,
    pub weekday: u8,
    pub start_time: String,
    pub end_time: String,
}

/// What the booking wizard shows at its current step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wizard {
    pub purpose: Option<Purpose>,
    pub channel: Option<Channel>,
    /// The customer's relationship manager's staff number, if any.
    pub manager: Option<String>,
    /// Advisors offering the purpose over the channel (own manager first).
    pub advisors: Vec<AdvisorOption>,
    /// The branches of those advisors (to narrow the list).
    pub branches: Vec<BranchOption>,
    /// The chosen advisor, when they offer the purpose and channel.
    pub advisor: Option<AdvisorOption>,
    /// The advisor asked for (`?advisor=`) does not offer this purpose or channel.
    pub advisor_unavailable: bool,
    /// The chosen advisor's free times for the next 30 days.
    pub days: Vec<SlotDay>,
    /// The chosen time, still free (confirm step).
    pub slot: Option<ChosenSlot>,
    /// The chosen time is no longer free.
    pub slot_gone: bool,
    /// A fresh idempotency key for the booking form.
    pub key: String,
}

/// One of the customer's bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingView {
    pub reference: String,
    pub purpose: Purpose,
    pub channel: Channel,
    pub status: BookingStatus,
    pub advisor_name: String,
    pub advisor_staff_no: String,
    pub branch_name: Localized,
    pub branch_address: Localized,
    pub branch_phone: String,
    /// The advisor's number (phone) or the video room's address (video); "" at a branch.
    pub dial_in: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub day: Day,
    pub weekday: u8,
    pub start_time: String,
    pub end_time: String,
    pub topic_note: String,
    pub cancel_reason: Option<String>,
    /// What the advisor shared after the consultation.
    pub summary: Option<String>,
    /// iCalendar SEQUENCE.
    pub sequence: i64,
    pub updated_at: Timestamp,
    /// Still ahead (by the clock).
    pub upcoming: bool,
    /// Booked and more than the cut-off ahead: may be moved or cancelled online.
    pub can_change: bool,
}

/// The customer's bookings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingList {
    /// Booked and ahead, soonest first.
    pub upcoming: Vec<BookingView>,
    /// Everything else, newest first.
    pub past: Vec<BookingView>,
}

/// A booking and, while it may be moved, the advisor's free times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPage {
    pub booking: BookingView,
    pub slots: Vec<SlotDay>,
}

/// The signed-in customer's bookings.
#[server(prefix = "/api", endpoint = "bookings")]
pub async fn my_bookings() -> Result<BookingList, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    crate::backend::booking::views::my_bookings(&state, &who).await
}

/// The wizard at the step its fields reach (each may be empty).
#[server(prefix = "/api", endpoint = "booking_wizard")]
pub async fn booking_wizard(
    purpose: String,
    channel: String,
    branch: String,
    advisor: String,
    slot: String,
) -> Result<Wizard, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    let choice = crate::backend::booking::views::WizardChoice {
        purpose: Purpose::parse(&purpose),
        channel: Channel::parse(&channel),
        branch: branch.trim().to_owned(),
        advisor: advisor.trim().to_owned(),
        slot: slot.trim().parse::<i64>().ok().map(Timestamp::from_micros),
    };
    crate::backend::booking::views::wizard(&state, &who, &choice).await
}

/// Books the slot (once per key) and shows the confirmation.
#[server(prefix = "/api", endpoint = "booking_book")]
pub async fn book_consultation(
    purpose: String,
    channel: String,
    advisor: String,
    starts_at: i64,
    note: String,
    key: String,
) -> Result<BookingView, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_assisted_change()?;
    let note = note.trim();
    let request = crate::backend::booking::book::BookRequest {
        purpose: Purpose::parse(&purpose).ok_or_else(|| AppError::invalid("purpose"))?,
        channel: Channel::parse(&channel).ok_or_else(|| AppError::invalid("channel"))?,
        advisor: advisor.trim().to_owned(),
        starts_at: Timestamp::from_micros(starts_at),
        note: if note.is_empty() {
            String::new()
        } else {
            crate::types::PlainText::new(note, MAX_NOTE_CHARS, "note")?.into_string()
        },
        key: crate::types::IdempotencyKey::parse(key.trim())?,
    };
    let booked = crate::backend::booking::book::book(&state, &who, &request).await?;
    leptos_axum::redirect(&format!("/consultations/{}?booked=1", booked.reference));
    Ok(booked)
}

/// One of the customer's bookings, with the free times to move it to.
#[server(prefix = "/api", endpoint = "booking_detail")]
pub async fn booking_detail(reference: String) -> Result<BookingPage, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    crate::backend::booking::views::detail(&state, &who, reference.trim()).await
}

/// Moves the booking to another free time of the same advisor.
#[server(prefix = "/api", endpoint = "booking_reschedule")]
pub async fn reschedule_booking(reference: String, starts_at: i64) -> Result<BookingView, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_assisted_change()?;
    let moved =
        crate::backend::booking::change::reschedule(&state, &who, reference.trim(), Timestamp::from_micros(starts_at))
            .await?;
    leptos_axum::redirect(&format!("/consultations/{}?moved=1", moved.reference));
    Ok(moved)
}

/// Cancels the booking, with a reason.
#[server(prefix = "/api", endpoint = "booking_cancel")]
pub async fn cancel_booking(reference: String, reason: String) -> Result<BookingView, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_assisted_change()?;
    let reason = crate::types::PlainText::new(&reason, MAX_REASON_CHARS, "reason")?;
    let cancelled = crate::backend::booking::change::cancel(&state, &who, reference.trim(), &reason).await?;
    leptos_axum::redirect(&format!("/consultations/{}?cancelled=1", cancelled.reference));
    Ok(cancelled)
}
