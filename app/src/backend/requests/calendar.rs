//! The bank's working calendar, for service-level deadlines counted in business
//! hours, and the complaint rules' decision deadlines counted in calendar days.
//!
//! PLACEHOLDER SIGNATURES: the SLA helper replaces the bodies with the real
//! business-hour arithmetic and its unit tests.
use crate::backend::Db;
use crate::types::Timestamp;
use std::collections::BTreeSet;

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

    /// The calendar as configured in `bank_holidays` and `bank_workdays`.
    pub async fn load(db: &Db, zone: chrono_tz::Tz) -> Result<WorkingCalendar, sqlx::Error> {
        let _ = db;
        Ok(WorkingCalendar::new(zone, BTreeSet::new(), BTreeSet::new()))
    }

    /// Business minutes between two instants (0 when `to` is not after `from`).
    pub fn minutes_between(&self, from: Timestamp, to: Timestamp) -> i64 {
        ((to.micros() - from.micros()) / 60_000_000).max(0)
    }

    /// The instant at which `minutes` business minutes after `from` have passed.
    pub fn add_minutes(&self, from: Timestamp, minutes: i64) -> Timestamp {
        Timestamp::from_micros(from.micros() + minutes * 60_000_000)
    }
}

/// A complaint's decision deadline: the end of the 15th, 30th or 60th calendar day
/// (extension level 0, 1, 2) after the day it was received, in the bank's zone.
pub fn complaint_decision_due(zone: chrono_tz::Tz, received: Timestamp, level: i64) -> Timestamp {
    let _ = zone;
    let days = match level {
        0 => 15,
        1 => 30,
        _ => 60,
    };
    Timestamp::from_micros(received.micros() + days * 86_400_000_000)
}
