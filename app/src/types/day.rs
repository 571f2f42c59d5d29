//! A calendar day in the bank's time zone ("2026-11-29"): value dates, maturities,
//! statement months. Validated on construction; compared as text, which sorts
//! correctly for this fixed-width form.
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    /// A valid Gregorian date between the years 1900 and 2999, or `None`.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Day> {
        if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Day { year, month, day })
    }

    /// Parses "YYYY-MM-DD" exactly.
    pub fn parse(text: &str) -> Option<Day> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = text.get(range)?;
            part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok()).flatten()
        };
        Day::new(number(0..4)?, u8::try_from(number(5..7)?).ok()?, u8::try_from(number(8..10)?).ok()?)
    }

    pub const fn year(self) -> u16 {
        self.year
    }

    pub const fn month(self) -> u8 {
        self.month
    }

    pub const fn day(self) -> u8 {
        self.day
    }

    /// "2026-11" (statement months, chart buckets).
    pub fn month_key(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// Days in `month` of `year` (Gregorian leap years).
pub const fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl From<Day> for String {
    fn from(day: Day) -> String {
        day.to_string()
    }
}

impl TryFrom<String> for Day {
    type Error = String;
    fn try_from(text: String) -> Result<Day, String> {
        Day::parse(&text).ok_or_else(|| format!("not a date: {text}"))
    }
}

#[cfg(feature = "ssr")]
impl Day {
    pub fn to_naive(self) -> chrono::NaiveDate {
        // Every `Day` is a valid date by construction.
        chrono::NaiveDate::from_ymd_opt(i32::from(self.year), u32::from(self.month), u32::from(self.day))
            .unwrap_or_default()
    }

    pub fn from_naive(date: chrono::NaiveDate) -> Option<Day> {
        use chrono::Datelike;
        Day::new(u16::try_from(date.year()).ok()?, date.month() as u8, date.day() as u8)
    }

    /// The day `days` later (or earlier, when negative).
    pub fn plus_days(self, days: i64) -> Day {
        Day::from_naive(self.to_naive() + chrono::Duration::days(days)).unwrap_or(self)
    }

    /// The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb).
    pub fn plus_months(self, months: u32) -> Day {
        let total = u32::from(self.month) - 1 + months;
        let year = self.year.saturating_add(u16::try_from(total / 12).unwrap_or(u16::MAX));
        let month = (total % 12 + 1) as u8;
        Day::new(year, month, self.day.min(days_in_month(year, month))).unwrap_or(self)
    }

    /// The same day `months` earlier, clamped to the month's end (31 Mar − 1 month =
    /// 28/29 Feb). Rule cut-offs ("no movement for five years") count back from today.
    pub fn minus_months(self, months: u32) -> Day {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 - i64::from(months);
        let (Ok(year), Ok(month)) = (u16::try_from(index.div_euclid(12)), u8::try_from(index.rem_euclid(12) + 1))
        else {
            return self;
        };
        Day::new(year, month, self.day.min(days_in_month(year, month))).unwrap_or(self)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Day) -> i64 {
        (later.to_naive() - self.to_naive()).num_days()
    }

    /// The bank's business day at `at` in `zone`.
    pub fn at(zone: chrono_tz::Tz, at: crate::types::Timestamp) -> Day {
        let utc = chrono::DateTime::from_timestamp_micros(at.micros()).unwrap_or_default();
        Day::from_naive(utc.with_timezone(&zone).date_naive()).unwrap_or(Day { year: 1970, month: 1, day: 1 })
    }

    /// The instant this day starts in `zone`.
    pub fn start_in(self, zone: chrono_tz::Tz) -> crate::types::Timestamp {
        use chrono::TimeZone;
        let midnight = self.to_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
        let start = zone.from_local_datetime(&midnight).earliest().map(|t| t.timestamp_micros()).unwrap_or_default();
        crate::types::Timestamp::from_micros(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(Day::parse("2026-11-29").map(|d| d.to_string()), Some("2026-11-29".into()));
        assert!(Day::parse("2028-02-29").is_some());
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "26-11-29", "2026-11-29x", "abcd-ef-gh", ""] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn orders_like_the_calendar() {
        assert!(Day::parse("2026-02-01") < Day::parse("2026-11-01"));
        assert_eq!(Day::parse("2026-11-29").map(Day::month_key), Some("2026-11".into()));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn adds_months_clamped_to_the_month_end() {
        let jan31 = Day::parse("2026-01-31").unwrap();
        assert_eq!(jan31.plus_months(1).to_string(), "2026-02-28");
        assert_eq!(jan31.plus_months(12).to_string(), "2027-01-31");
        assert_eq!(jan31.plus_days(1).to_string(), "2026-02-01");
        assert_eq!(jan31.days_until(Day::parse("2026-03-02").unwrap()), 30);
    }
}
