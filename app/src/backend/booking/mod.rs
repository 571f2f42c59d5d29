//! Consultation bookings: which times advisors offer (the pure engine in
//! `slots`), booking, moving and cancelling them, and their reminders.
pub mod book;
pub mod change;
pub mod reminders;
pub mod schedule;
pub mod slots;
pub mod views;
