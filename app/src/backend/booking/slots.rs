//! The free-slot engine: which consultation times an advisor can still offer.
//!
//! Pure: it takes the advisor's schedule, their busy intervals and the clock's
//! `now`, so it can be tested at any instant. The database has the last word on
//! double booking (an exclusion constraint or trigger on `bookings`); this engine
//! decides what is *offered*, and a booking is accepted only for a slot it offers
//! at the moment of booking.
use crate::types::{Day, Timestamp};
use chrono::{Datelike, TimeZone};

/// No slot is offered less than this far ahead.
pub const MIN_NOTICE_SECONDS: i64 = 2 * 3600;
/// Slots are offered for this many days ahead.
pub const HORIZON_DAYS: i64 = 30;
/// A booking may be moved or cancelled online until this long before it starts.
pub const CUT_OFF_SECONDS: i64 = 2 * 3600;

/// A recurring working window: weekday 1 (Monday) to 7 (Sunday), minutes after
/// local midnight, `start_minute < end_minute <= 1440`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeeklyHours {
    pub weekday: u8,
    pub start_minute: u16,
    pub end_minute: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExceptionKind {
    /// Not working: the whole day, or the given minutes.
    Leave,
    /// Working in addition to the weekly hours (even on a weekend or a holiday).
    Extra,
}

/// An exception on one date. `minutes: None` means the whole day (leave only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DayException {
    pub day: Day,
    pub kind: ExceptionKind,
    pub minutes: Option<(u16, u16)>,
}

/// Everything that decides when an advisor works.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub hours: Vec<WeeklyHours>,
    pub exceptions: Vec<DayException>,
    /// Days the bank is closed.
    pub holidays: Vec<Day>,
    pub slot_minutes: i64,
    /// Kept free after each consultation.
    pub buffer_minutes: i64,
}

/// A time the advisor is taken: an existing, not cancelled booking including its
/// buffer, `[starts_at, busy_until)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy {
    pub starts_at: Timestamp,
    pub busy_until: Timestamp,
}

/// An offered consultation: the meeting is `[starts_at, ends_at)`, the advisor is
/// taken until `busy_until` (the end plus the buffer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub busy_until: Timestamp,
}

impl Slot {
    fn overlaps(&self, busy: &Busy) -> bool {
        self.starts_at < busy.busy_until && busy.starts_at < self.busy_until
    }
}

/// Every free slot from `now + MIN_NOTICE_SECONDS` up to `now + HORIZON_DAYS`,
/// in time order.
pub fn free_slots(schedule: &Schedule, busy: &[Busy], now: Timestamp, zone: chrono_tz::Tz) -> Vec<Slot> {
    if schedule.slot_minutes <= 0 || schedule.buffer_minutes < 0 {
        return Vec::new();
    }
    let earliest = now.plus_seconds(MIN_NOTICE_SECONDS);
    let latest = now.plus_seconds(HORIZON_DAYS * 86_400);
    let (first_day, last_day) = (Day::at(zone, earliest), Day::at(zone, latest));
    let mut slots = Vec::new();
    let mut day = first_day;
    while day <= last_day {
        for window in working_windows(schedule, day) {
            slots.extend(
                slots_in_window(schedule, day, window, zone)
                    .filter(|slot| slot.starts_at >= earliest && slot.starts_at < latest)
                    .filter(|slot| !busy.iter().any(|b| slot.overlaps(b))),
            );
        }
        day = day.plus_days(1);
    }
    slots
}

/// The free slot starting exactly at `starts_at`, if it is offered now.
pub fn offered_slot(
    schedule: &Schedule,
    busy: &[Busy],
    now: Timestamp,
    zone: chrono_tz::Tz,
    starts_at: Timestamp,
) -> Option<Slot> {
    free_slots(schedule, busy, now, zone).into_iter().find(|slot| slot.starts_at == starts_at)
}

/// The grid of one window: slots start at its start and step by slot + buffer; a
/// slot fits when the meeting ends within the window (the buffer may run past it).
fn slots_in_window(
    schedule: &Schedule,
    day: Day,
    (start, end): (u16, u16),
    zone: chrono_tz::Tz,
) -> impl Iterator<Item = Slot> + '_ {
    let step = schedule.slot_minutes + schedule.buffer_minutes;
    let starts = (i64::from(start)..).step_by(usize::try_from(step).unwrap_or(usize::MAX).max(1));
    starts.take_while(move |m| m + schedule.slot_minutes <= i64::from(end)).filter_map(move |minute| {
        let starts_at = local_instant(day, minute, zone)?;
        let ends_at = starts_at.plus_seconds(schedule.slot_minutes * 60);
        Some(Slot { starts_at, ends_at, busy_until: ends_at.plus_seconds(schedule.buffer_minutes * 60) })
    })
}

/// `minute` minutes after local midnight of `day`; `None` for a local time that
/// does not exist (a daylight-saving gap, in zones that have one).
fn local_instant(day: Day, minute: i64, zone: chrono_tz::Tz) -> Option<Timestamp> {
    let midnight = day.to_naive().and_hms_opt(0, 0, 0)?;
    let local = midnight + chrono::Duration::minutes(minute);
    zone.from_local_datetime(&local).single().map(|t| Timestamp::from_micros(t.timestamp_micros()))
}

/// The advisor's working windows on `day`, sorted and disjoint: the weekly hours
/// (none on a bank holiday) plus extra time, less leave.
fn working_windows(schedule: &Schedule, day: Day) -> Vec<(u16, u16)> {
    let weekday = day.to_naive().weekday().number_from_monday() as u8;
    let on_this_day = schedule.exceptions.iter().filter(|e| e.day == day);
    let mut windows: Vec<(u16, u16)> = if schedule.holidays.contains(&day) {
        Vec::new()
    } else {
        schedule.hours.iter().filter(|h| h.weekday == weekday).map(|h| (h.start_minute, h.end_minute)).collect()
    };
    windows.extend(on_this_day.clone().filter(|e| e.kind == ExceptionKind::Extra).filter_map(|e| e.minutes));
    let mut windows = merge(windows);
    for leave in on_this_day.filter(|e| e.kind == ExceptionKind::Leave) {
        windows = match leave.minutes {
            None => Vec::new(),
            Some(cut) => windows.into_iter().flat_map(|w| subtract(w, cut)).collect(),
        };
    }
    windows
}

/// Sorts windows and joins the ones that overlap or touch, so one grid runs
/// through them (two grids over one stretch would offer overlapping slots).
fn merge(mut windows: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    windows.retain(|(start, end)| start < end);
    windows.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::with_capacity(windows.len());
    for (start, end) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// What is left of `window` after taking `cut` out: zero, one or two windows.
fn subtract(window: (u16, u16), cut: (u16, u16)) -> Vec<(u16, u16)> {
    let (start, end) = window;
    if cut.1 <= start || end <= cut.0 {
        return vec![window];
    }
    [(start, cut.0.min(end)), (cut.1.max(start), end)].into_iter().filter(|(s, e)| s < e).collect()
}

#[cfg(test)]
mod tests;
