//! Customer insight, the pure rules: segments by assets under management (AUM),
//! dormant accounts (睡眠户), empty cards (空卡) and effective customers (有效客户).
//!
//! The settings come from the `insight_settings` row (`backend::insight::settings`);
//! the SQL in `backend::insight::rules` applies the same cut-offs to many customers
//! at once, and the tests hold the two to the same boundaries.
use crate::i18n::Key;
use crate::types::Day;
use serde::{Deserialize, Serialize};

/// How much a customer holds with the bank, in four bands of AUM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Mass,
    Affluent,
    HighEnd,
    Private,
}

impl Segment {
    pub const ALL: [Segment; 4] = [Segment::Mass, Segment::Affluent, Segment::HighEnd, Segment::Private];

    pub const fn as_str(self) -> &'static str {
        match self {
            Segment::Mass => "mass",
            Segment::Affluent => "affluent",
            Segment::HighEnd => "high_end",
            Segment::Private => "private",
        }
    }

    pub fn parse(text: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub const fn label(self) -> Key {
        match self {
            Segment::Mass => Key::AdvSegmentMass,
            Segment::Affluent => Key::AdvSegmentAffluent,
            Segment::HighEnd => Key::AdvSegmentHighEnd,
            Segment::Private => Key::AdvSegmentPrivate,
        }
    }
}

/// The rules' settings (one row of `insight_settings`). `Default` is what the
/// migration installs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsightSettings {
    /// No customer-initiated movement for this many months: dormant (60 = five years).
    pub dormant_after_months: u32,
    /// Approaching dormancy this many months before (the customer is reminded).
    pub dormant_warn_months: u32,
    /// Zero balance and no use for this many months: an empty card.
    pub empty_card_months: u32,
    /// Segments use the average AUM over this many month-ends.
    pub rolling_months: u32,
    /// Lower bounds (fen) of the affluent, high-end and private segments.
    pub affluent_from: i64,
    pub high_end_from: i64,
    pub private_from: i64,
    /// Recommendation rules: an idle demand balance at least this large (fen).
    pub idle_balance_from: i64,
    /// A deposit maturing within this many days.
    pub maturing_within_days: u32,
    /// Salary credits within this many days.
    pub salary_lookback_days: u32,
    /// A risk assessment older than this many months no longer counts.
    pub risk_valid_months: u32,
    /// At most this many recommendations shown to a customer at once.
    pub max_recommendations: u32,
}

impl Default for InsightSettings {
    fn default() -> Self {
        InsightSettings {
            dormant_after_months: 60,
            dormant_warn_months: 6,
            empty_card_months: 12,
            rolling_months: 3,
            affluent_from: 50_000_00,
            high_end_from: 500_000_00,
            private_from: 6_000_000_00,
            idle_balance_from: 50_000_00,
            maturing_within_days: 30,
            salary_lookback_days: 90,
            risk_valid_months: 12,
            max_recommendations: 3,
        }
    }
}

/// Where a demand account stands against the dormancy rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Dormancy {
    Active,
    /// Dormant from `dormant_on` unless the customer moves money before.
    Approaching {
        dormant_on: Day,
    },
    /// Dormant since `since`.
    Dormant {
        since: Day,
    },
}

impl InsightSettings {
    /// The segment of an AUM figure (fen), usually a rolling average.
    pub const fn segment_of(&self, aum: i64) -> Segment {
        if aum >= self.private_from {
            Segment::Private
        } else if aum >= self.high_end_from {
            Segment::HighEnd
        } else if aum >= self.affluent_from {
            Segment::Affluent
        } else {
            Segment::Mass
        }
    }
}

/// The day arithmetic behind the cut-offs is server-side (`Day`'s calendar helpers
/// are), and so are the rules that use it.
#[cfg(feature = "ssr")]
impl InsightSettings {
    /// A last customer-initiated movement on or before this day makes a demand
    /// account dormant today.
    pub fn dormant_cutoff(&self, today: Day) -> Day {
        today.minus_months(self.dormant_after_months)
    }

    /// A last movement on or before this day (and after the dormant cut-off) means
    /// the account is approaching dormancy today.
    pub fn warn_cutoff(&self, today: Day) -> Day {
        today.minus_months(self.dormant_after_months.saturating_sub(self.dormant_warn_months))
    }

    /// A card's account with nothing in it and no use on or after the day after this
    /// one is an empty card today.
    pub fn empty_cutoff(&self, today: Day) -> Day {
        today.minus_months(self.empty_card_months)
    }

    /// The first day an account last moved on `last_activity` is dormant.
    pub fn dormant_on(&self, last_activity: Day) -> Day {
        let day = last_activity.plus_months(self.dormant_after_months);
        // At a month's end the clamped day can count back to before the movement
        // (29 Feb + 60 months = 28 Feb, whose cut-off is 28 Feb): the next day is it.
        if self.dormant_cutoff(day) < last_activity {
            day.plus_days(1)
        } else {
            day
        }
    }

    /// A demand account's state today, from its last customer-initiated movement
    /// (its opening day when it never moved).
    pub fn dormancy(&self, last_activity: Day, today: Day) -> Dormancy {
        if last_activity <= self.dormant_cutoff(today) {
            Dormancy::Dormant { since: self.dormant_on(last_activity) }
        } else if self.dormant_warn_months > 0 && last_activity <= self.warn_cutoff(today) {
            Dormancy::Approaching { dormant_on: self.dormant_on(last_activity) }
        } else {
            Dormancy::Active
        }
    }

    /// A card whose account holds exactly nothing and was last used (or opened) on
    /// or before the cut-off.
    pub fn is_empty_card(&self, balance: i64, last_use: Day, today: Day) -> bool {
        balance == 0 && last_use <= self.empty_cutoff(today)
    }
}

/// The average of month-end AUM figures as the SQL computes it (sum, then integer
/// division truncating towards zero); 0 for none.
pub fn rolling_average(values: &[i64]) -> i64 {
    let count = i128::try_from(values.len()).unwrap_or(i128::MAX);
    if count == 0 {
        return 0;
    }
    let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
    i64::try_from(sum / count).unwrap_or(if sum < 0 { i64::MIN } else { i64::MAX })
}

/// What one product does for the effective-customer count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductState {
    Live,
    Dormant,
    EmptyCard,
}

/// Effective: at least one product that is neither dormant nor an empty card.
pub fn is_effective(products: &[ProductState]) -> bool {
    products.contains(&ProductState::Live)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|| panic!("bad day {text}"))
    }

    #[test]
    fn segments_change_exactly_at_the_thresholds() {
        let s = InsightSettings::default();
        assert_eq!(s.segment_of(-5_00), Segment::Mass);
        assert_eq!(s.segment_of(49_999_99), Segment::Mass);
        assert_eq!(s.segment_of(50_000_00), Segment::Affluent);
        assert_eq!(s.segment_of(499_999_99), Segment::Affluent);
        assert_eq!(s.segment_of(500_000_00), Segment::HighEnd);
        assert_eq!(s.segment_of(5_999_999_99), Segment::HighEnd);
        assert_eq!(s.segment_of(6_000_000_00), Segment::Private);
        assert_eq!(s.segment_of(i64::MAX), Segment::Private);
    }

    #[test]
    fn dormant_exactly_five_years_after_the_last_movement() {
        let s = InsightSettings::default();
        let last = day("2021-11-29");
        assert_eq!(s.dormancy(last, day("2026-11-28")), Dormancy::Approaching { dormant_on: day("2026-11-29") });
        assert_eq!(s.dormancy(last, day("2026-11-29")), Dormancy::Dormant { since: day("2026-11-29") });
        assert_eq!(s.dormancy(last, day("2026-11-30")), Dormancy::Dormant { since: day("2026-11-29") });
    }

    #[test]
    fn approaching_six_months_before() {
        let s = InsightSettings::default();
        let last = day("2021-11-29");
        assert_eq!(s.dormancy(last, day("2026-05-28")), Dormancy::Active);
        assert_eq!(s.dormancy(last, day("2026-05-29")), Dormancy::Approaching { dormant_on: day("2026-11-29") });
        let none = InsightSettings { dormant_warn_months: 0, ..s };
        assert_eq!(none.dormancy(last, day("2026-11-28")), Dormancy::Active);
    }

    #[test]
    fn a_leap_day_movement_is_dormant_from_the_first_of_march() {
        let s = InsightSettings::default();
        let last = day("2020-02-29");
        assert_eq!(s.dormant_on(last), day("2025-03-01"));
        assert!(matches!(s.dormancy(last, day("2025-02-28")), Dormancy::Approaching { .. }));
        assert!(matches!(s.dormancy(last, day("2025-03-01")), Dormancy::Dormant { .. }));
    }

    #[test]
    fn empty_card_needs_zero_and_a_year_unused() {
        let s = InsightSettings::default();
        let last = day("2025-11-29");
        assert!(!s.is_empty_card(0, last, day("2026-11-28")));
        assert!(s.is_empty_card(0, last, day("2026-11-29")));
        assert!(s.is_empty_card(0, last, day("2026-11-30")));
        assert!(!s.is_empty_card(1, last, day("2026-11-30")));
    }

    #[test]
    fn effective_needs_one_live_product() {
        assert!(!is_effective(&[]));
        assert!(!is_effective(&[ProductState::Dormant, ProductState::EmptyCard]));
        assert!(is_effective(&[ProductState::Dormant, ProductState::Live]));
    }

    #[test]
    fn rolling_average_truncates_like_sql() {
        assert_eq!(rolling_average(&[]), 0);
        assert_eq!(rolling_average(&[10, 11]), 10);
        assert_eq!(rolling_average(&[-10, -11]), -10);
    }

    #[test]
    fn months_count_back_with_clamping() {
        assert_eq!(day("2026-03-31").minus_months(1), day("2026-02-28"));
        assert_eq!(day("2026-01-15").minus_months(1), day("2025-12-15"));
        assert_eq!(day("2026-11-29").minus_months(60), day("2021-11-29"));
        assert_eq!(day("2026-11-29").minus_months(0), day("2026-11-29"));
    }
}
