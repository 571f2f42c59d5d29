//! The advisor's side of consultations: the calendar (day and week), a booking
//! with notes and the shared summary, the schedule, relationship managers and the
//! customer summary. Staff only; the server decides what each may see.
mod booking;
mod calendar;
mod customer;
mod leave;
mod managers;
mod schedule;

pub use booking::AdvisorBookingPage;
pub use calendar::CalendarPage;
pub use customer::CustomerSummaryPage;
pub use managers::ManagersPage;
pub use schedule::SchedulePage;

use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// The weekday's name, 1 = Monday … 7 = Sunday.
pub(crate) fn weekday_key(weekday: u8) -> Key {
    match weekday {
        1 => Key::AdvMonday,
        2 => Key::AdvTuesday,
        3 => Key::AdvWednesday,
        4 => Key::AdvThursday,
        5 => Key::AdvFriday,
        6 => Key::AdvSaturday,
        _ => Key::AdvSunday,
    }
}

/// The message for an error of this area: a few fields have a message of their
/// own (overlapping hours, leave over bookings), the rest the code's message.
pub(crate) fn error_key(e: &AppError) -> Key {
    match e.field.as_deref() {
        Some("overlap") => Key::AdvErrorOverlap,
        Some("end") => Key::AdvErrorEnd,
        Some("cancel_bookings") => Key::AdvErrorLeaveOverBookings,
        Some("purposes") => Key::AdvErrorPurposes,
        Some("channels") => Key::AdvErrorChannels,
        Some("slot_minutes") => Key::AdvErrorSlot,
        Some("buffer_minutes") => Key::AdvErrorBuffer,
        Some("outcome") if e.code == crate::error::ErrorCode::WrongState => Key::AdvErrorNotStarted,
        _ => e.code.message_key(),
    }
}

/// An action's error, translated, in an alert.
#[component]
pub(crate) fn AdvError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{t(error_key(&e))}</p> })
}

/// A page-level error (the resource failed).
pub(crate) fn load_error(e: &AppError) -> AnyView {
    view! { <p class="error" role="alert">{t(error_key(e))}</p> }.into_any()
}

/// `text` with `{n}` replaced by `value`.
pub(crate) fn fill(key: Key, value: impl ToString) -> impl Fn() -> String + Send + Sync + 'static {
    let value = value.to_string();
    let text = t(key);
    move || text().replace("{n}", &value)
}

/// A query value made safe for a link (staff numbers, days, views).
pub(crate) fn q(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

/// 1 = Monday … 7 = Sunday.
pub(crate) fn calendar_weekday(day: crate::types::Day) -> u8 {
    // Zeller-free: days since a known Monday (1970-01-05), modulo 7.
    let (y, m, d) = (i64::from(day.year()), i64::from(day.month()), i64::from(day.day()));
    let days = days_from_civil(y, m, d) - days_from_civil(1970, 1, 5);
    (days.rem_euclid(7) + 1) as u8
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    #[test]
    fn weekdays_of_days() {
        let day = |s| crate::types::Day::parse(s).unwrap();
        assert_eq!(super::calendar_weekday(day("2026-11-29")), 7);
        assert_eq!(super::calendar_weekday(day("2026-11-30")), 1);
        assert_eq!(super::calendar_weekday(day("2024-02-29")), 4);
    }
}
