//! The bank's working calendar, for service-level deadlines counted in business
//! hours, and the complaint rules' decision deadlines counted in calendar days.
//!
//! Business hours are 09:00–17:00 local time (the bank's zone) on working days:
//! Monday to Friday except public holidays (`bank_holidays`), plus the weekend
//! make-up days (调休, `bank_workdays`). A day listed in both tables is treated as a
//! holiday: the tables should never disagree, and not counting a doubtful day only
//! gives staff more time, never less.
//!
//! Counting is done day by day (one interval per working day), never minute by
//! minute, so a target of thousands of minutes or a 60-day range costs a few
//! hundred steps. Local times are turned into instants through `chrono_tz`, so the
//! arithmetic stays right in a zone with daylight saving time too (Asia/Shanghai has
//! none).
use crate::backend::Db;
use crate::types::Timestamp;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Weekday};
use sqlx::Row;
use std::collections::BTreeSet;

#[cfg(test)]
mod tests;

/// Opening and closing time of a working day, local.
const OPENS_AT: (u32, u32) = (9, 0);
const CLOSES_AT: (u32, u32) = (17, 0);
const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Working days and hours in the bank's zone.
#[derive(Clone, Debug)]
pub struct WorkingCalendar {
    pub zone: chrono_tz::Tz,
    pub holidays: BTreeSet<chrono::NaiveDate>,
    pub workdays: BTreeSet<chrono::NaiveDate>,
}

impl WorkingCalendar {
    pub fn new(
        zone: chrono_tz::Tz,
        holidays: BTreeSet<chrono::NaiveDate>,
        workdays: BTreeSet<chrono::NaiveDate>,
    ) -> WorkingCalendar {
        WorkingCalendar { zone, holidays, workdays }
    }

    /// The calendar as configured in `bank_holidays` and `bank_workdays`. A row
    /// whose day is not a date is skipped (and logged) rather than failing every
    /// deadline computation.
    pub async fn load(db: &Db, zone: chrono_tz::Tz) -> Result<WorkingCalendar, sqlx::Error> {
        let holidays = days_of(db, "SELECT day FROM bank_holidays").await?;
        let workdays = days_of(db, "SELECT day FROM bank_workdays").await?;
        Ok(WorkingCalendar::new(zone, holidays, workdays))
    }

    /// Whether the bank works on `day` (local date).
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.holidays.contains(&day) {
            return false;
        }
        self.workdays.contains(&day) || !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// Business minutes between two instants, rounded down (0 when `to` is not
    /// after `from`). Seconds are counted exactly and floored once at the end, so
    /// `minutes_between(from, add_minutes(from, m)) == m` always holds.
    pub fn minutes_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let (Some(first), Some(last)) = (self.local_date(from), self.local_date(to)) else {
            return 0;
        };
        let mut micros = 0_i64;
        let mut day = first;
        while day <= last {
            if let Some((open, close)) = self.hours_of(day) {
                let start = open.max(from.micros());
                let end = close.min(to.micros());
                micros += (end - start).max(0);
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        micros / MICROS_PER_MINUTE
    }

    /// The instant at which `minutes` business minutes after `from` have passed.
    ///
    /// Outside business hours counting starts at the next opening (Friday 18:00 +
    /// 60 = Monday 10:00). A target that runs out exactly at closing time ends at
    /// closing time (Friday 16:00 + 60 = Friday 17:00), not at the next opening.
    /// Zero (or fewer) minutes is `from` itself, even outside business hours: no
    /// time has to pass, and a request whose target is used up is due at once.
    pub fn add_minutes(&self, from: Timestamp, minutes: i64) -> Timestamp {
        if minutes <= 0 {
            return from;
        }
        let Some(mut day) = self.local_date(from) else {
            return from;
        };
        let mut remaining = minutes.saturating_mul(MICROS_PER_MINUTE);
        // Holidays are a finite list and every week has weekdays, so this ends; the
        // bound only protects against a calendar that lists decades of holidays.
        for _ in 0..(366 * 200) {
            if let Some((open, close)) = self.hours_of(day) {
                let start = open.max(from.micros());
                let available = (close - start).max(0);
                if remaining <= available {
                    return Timestamp::from_micros(start + remaining);
                }
                remaining -= available;
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        Timestamp::from_micros(i64::MAX)
    }

    fn local_date(&self, at: Timestamp) -> Option<NaiveDate> {
        chrono::DateTime::from_timestamp_micros(at.micros()).map(|utc| utc.with_timezone(&self.zone).date_naive())
    }

    /// The opening and closing instants (UTC micros) of `day`, if it is a working day.
    fn hours_of(&self, day: NaiveDate) -> Option<(i64, i64)> {
        if !self.is_working_day(day) {
            return None;
        }
        let open = local_instant(self.zone, day, NaiveTime::from_hms_opt(OPENS_AT.0, OPENS_AT.1, 0)?)?;
        let close = local_instant(self.zone, day, NaiveTime::from_hms_opt(CLOSES_AT.0, CLOSES_AT.1, 0)?)?;
        (close > open).then_some((open, close))
    }
}

async fn days_of(db: &Db, sql: &str) -> Result<BTreeSet<NaiveDate>, sqlx::Error> {
    let rows = sqlx::query(sql).fetch_all(db.pool()).await?;
    let mut days = BTreeSet::new();
    for row in &rows {
        let text: String = row.try_get("day")?;
        match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(day) => {
                days.insert(day);
            }
            Err(_) => tracing::warn!(day = %text, sql, "calendar row is not a date; skipped"),
        }
    }
    Ok(days)
}

/// The instant (UTC micros) of a local wall-clock time. When the time is skipped by
/// a daylight-saving change, the first instant after the gap; when it happens twice,
/// the earlier.
fn local_instant(zone: chrono_tz::Tz, day: NaiveDate, time: NaiveTime) -> Option<i64> {
    let local = day.and_time(time);
    for shift in 0..=4 {
        let candidate = local + chrono::Duration::minutes(30 * shift);
        if let Some(at) = zone.from_local_datetime(&candidate).earliest() {
            return Some(at.timestamp_micros());
        }
    }
    None
}

/// Calendar days a complaint decision may take at each extension level: 15 (the
/// rule), 30 (a complex case), 60 (a particularly complex one, with a supervisor's
/// approval and a notice to the customer).
pub const fn complaint_days(level: i64) -> i64 {
    match level {
        i64::MIN..=0 => 15,
        1 => 30,
        _ => 60,
    }
}

/// A complaint's decision deadline: the end (24:00 local, i.e. the start of the
/// following day) of the 15th, 30th or 60th calendar day (extension level 0, 1, 2)
/// after the day it was received, in the bank's zone.
///
/// The rule implemented: the day of receipt is not counted (as periods are counted
/// under the Civil Code, art. 201), the days are calendar days (weekends and
/// holidays count), and the decision is in time anywhere on the last day. Received
/// 2026-01-20 at 16:00 → due before 2026-02-05 00:00 (level 0).
pub fn complaint_decision_due(zone: chrono_tz::Tz, received: Timestamp, level: i64) -> Timestamp {
    let received_day = chrono::DateTime::from_timestamp_micros(received.micros())
        .map(|utc| utc.with_timezone(&zone).date_naive())
        .unwrap_or_default();
    let end = received_day + chrono::Duration::days(complaint_days(level) + 1);
    local_instant(zone, end, NaiveTime::MIN)
        .map(Timestamp::from_micros)
        .unwrap_or_else(|| received.plus_seconds((complaint_days(level) + 1) * 86_400))
}

/// The last day (local) on which a decision is in time, for showing a deadline as a date.
pub fn last_day(zone: chrono_tz::Tz, deadline: Timestamp) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_micros(deadline.micros() - 1).map(|utc| utc.with_timezone(&zone).date_naive())
}
