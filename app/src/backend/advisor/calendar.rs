//! An advisor's bookings for a day, or for the week (Monday to Sunday) that holds
//! the day, in the bank's zone.
use super::{advisor_choices, advisor_for, clock_time, Advisor};
use crate::api::advisor::{CalendarDay, CalendarEntry, CalendarView};
use crate::backend::auth::StaffActor;
use crate::backend::AppState;
use crate::error::{AppError, ErrorCode};
use crate::types::{BookingStatus, Channel, Day, Purpose, Timestamp};
use chrono::Datelike;
use sqlx::any::AnyRow;
use sqlx::Row;

/// 1 = Monday … 7 = Sunday.
pub fn weekday(day: Day) -> u8 {
    day.to_naive().weekday().number_from_monday() as u8
}

/// The Monday of the week holding `day`.
pub fn monday_of(day: Day) -> Day {
    day.plus_days(-(i64::from(weekday(day)) - 1))
}

pub async fn calendar(
    state: &AppState,
    actor: &StaffActor,
    advisor: &str,
    day: &str,
    week: bool,
) -> Result<CalendarView, AppError> {
    let who = advisor_for(&state.db, actor, Some(advisor)).await?;
    let today = Day::at(state.zone, state.clock.now());
    let day = match day.trim() {
        "" => today,
        text => Day::parse(text).ok_or_else(|| AppError::invalid("day"))?,
    };
    let (first, count) = if week { (monday_of(day), 7) } else { (day, 1) };
    let from = first.start_in(state.zone);
    let to = first.plus_days(count).start_in(state.zone);
    let entries = entries_between(state, &who, from, to).await?;
    let days = (0..count)
        .map(|i| {
            let d = first.plus_days(i);
            CalendarDay {
                day: d,
                weekday: weekday(d),
                entries: entries.iter().filter(|e| e.day == d).cloned().collect(),
            }
        })
        .collect();
    Ok(CalendarView {
        advisor_staff_no: who.staff_no,
        advisor_name: who.name,
        choices: advisor_choices(&state.db, actor).await?,
        day,
        week,
        today,
        prev: day.plus_days(-count),
        next: day.plus_days(count),
        days,
    })
}

/// The columns [`entry`] reads, over `bookings b JOIN customers c`.
pub const ENTRY_COLUMNS: &str =
    "b.id, b.reference, b.starts_at, b.ends_at, c.full_name, c.customer_no, b.purpose, b.channel, b.status";

async fn entries_between(
    state: &AppState,
    who: &Advisor,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<CalendarEntry>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {ENTRY_COLUMNS} FROM bookings b JOIN customers c ON c.id = b.customer_id \
         WHERE b.advisor_id = $1 AND b.starts_at >= $2 AND b.starts_at < $3 ORDER BY b.starts_at, b.id"
    ))
    .bind(who.id)
    .bind(from.micros())
    .bind(to.micros())
    .fetch_all(state.db.pool())
    .await?;
    rows.iter().map(|row| entry(state.zone, row)).collect()
}

/// A calendar entry from a row of [`ENTRY_COLUMNS`].
pub fn entry(zone: chrono_tz::Tz, row: &AnyRow) -> Result<CalendarEntry, AppError> {
    let starts = Timestamp::from_micros(row.try_get(2)?);
    let ends = Timestamp::from_micros(row.try_get(3)?);
    let purpose: String = row.try_get(6)?;
    let channel: String = row.try_get(7)?;
    let status: String = row.try_get(8)?;
    let bad = |what: &str, value: &str| {
        tracing::error!(what, value, "unknown value in bookings");
        AppError::new(ErrorCode::Internal)
    };
    Ok(CalendarEntry {
        id: row.try_get(0)?,
        reference: row.try_get(1)?,
        day: Day::at(zone, starts),
        start: clock_time(zone, starts),
        end: clock_time(zone, ends),
        customer_name: row.try_get(4)?,
        customer_no: row.try_get(5)?,
        purpose: Purpose::parse(&purpose).ok_or_else(|| bad("purpose", &purpose))?,
        channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
        status: BookingStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_run_monday_to_sunday() {
        let sunday = Day::parse("2026-11-29").unwrap();
        assert_eq!(weekday(sunday), 7);
        assert_eq!(monday_of(sunday), Day::parse("2026-11-23").unwrap());
        let monday = Day::parse("2026-11-30").unwrap();
        assert_eq!(monday_of(monday), monday);
        assert_eq!(monday_of(Day::parse("2026-12-02").unwrap()), monday);
    }
}
