//! The dashboard's filter: a branch (or all) and a period of month-ends, checked
//! and turned into the values its SQL inlines (integers and 'YYYY-MM' texts that
//! were parsed, so there is nothing to escape).
use crate::api::insight::{DashFilter, DEFAULT_MONTHS, MAX_MONTHS};
use crate::backend::insight::{settings, Cutoffs};
use crate::backend::AppState;
use crate::error::AppError;
use crate::types::{Day, InsightSettings};

/// A month as (year, month).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: u16,
    pub month: u8,
}

impl Month {
    /// "2026-10" (four-digit years from 2000 on; the bank has no earlier data).
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let (year, month) = (y.parse::<u16>().ok()?, m.parse::<u8>().ok()?);
        ((2000..=2999).contains(&year) && (1..=12).contains(&month)).then_some(Month { year, month })
    }

    pub fn of(day: Day) -> Month {
        Month { year: day.year(), month: day.month() }
    }

    pub fn first_day(self) -> Day {
        // Parsed months always have a first day; the epoch only satisfies the types.
        Day::new(self.year, self.month, 1)
            .unwrap_or_else(|| Day::at(chrono_tz::UTC, crate::types::Timestamp::from_micros(0)))
    }

    pub fn last_day(self) -> Day {
        self.first_day().plus_months(1).plus_days(-1)
    }

    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    fn from_index(index: i64) -> Month {
        let year = u16::try_from(index.div_euclid(12)).unwrap_or(2000);
        let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
        Month { year, month }
    }

    pub fn plus(self, months: i64) -> Month {
        Month::from_index(self.index() + months)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A checked filter with everything the queries need.
#[derive(Clone, Debug)]
pub struct Scope {
    pub filter: DashFilter,
    pub branch_id: Option<i64>,
    pub months: Vec<Month>,
    pub first_day: Day,
    pub last_day: Day,
    /// `[start, end)` in UTC micros: the first day's start to the day after the last.
    pub start: i64,
    pub end: i64,
    pub today: Day,
    pub settings: InsightSettings,
    pub cutoffs: Cutoffs,
}

impl Scope {
    /// The branch condition on a `branch_id` column.
    pub fn branch_on(&self, column: &str) -> String {
        match self.branch_id {
            Some(id) => format!("{column} = {id}"),
            None => "1 = 1".to_owned(),
        }
    }

    /// The condition "`column` (UTC micros) falls in the period".
    pub fn in_period(&self, column: &str) -> String {
        format!("({column} >= {} AND {column} < {})", self.start, self.end)
    }

    /// The period's months as an SQL list: ('2026-05', '2026-06').
    pub fn month_list(&self) -> String {
        let quoted: Vec<String> = self.months.iter().map(|m| format!("'{m}'")).collect();
        format!("({})", quoted.join(", "))
    }
}

/// The last month-end before `today`: the last one with a snapshot. A month-end is
/// snapshotted by the daily run for that day, which runs once the day is over, so on
/// the month's last day itself its snapshot does not exist yet.
pub fn last_month_end(today: Day) -> Month {
    Month::of(today).plus(-1)
}

/// Checks the query (empty counts as absent: all branches, the default period).
/// Errors name the field: `branch` or `period`.
pub async fn parse(
    state: &AppState,
    branch: &Option<String>,
    from: &Option<String>,
    to: &Option<String>,
) -> Result<Scope, AppError> {
    let today = Day::at(state.zone, state.clock.now());
    let code = branch.as_deref().map(str::trim).unwrap_or("").to_uppercase();
    let branch_id = if code.is_empty() {
        None
    } else {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM branches WHERE code = $1")
            .bind(&code)
            .fetch_optional(state.db.pool())
            .await?;
        Some(id.ok_or_else(|| AppError::invalid("branch"))?)
    };
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let default_to = last_month_end(today);
    let last = match given(to) {
        Some(text) => Month::parse(&text).ok_or_else(|| AppError::invalid("period"))?,
        None => default_to,
    };
    let first = match given(from) {
        Some(text) => Month::parse(&text).ok_or_else(|| AppError::invalid("period"))?,
        None => last.plus(1 - i64::from(DEFAULT_MONTHS)),
    };
    if first > last || last.index() - first.index() >= i64::from(MAX_MONTHS) {
        return Err(AppError::invalid("period"));
    }
    let months: Vec<Month> = (0..=last.index() - first.index()).map(|i| first.plus(i)).collect();
    let settings = settings::load(&state.db).await?;
    let (first_day, last_day) = (first.first_day(), last.last_day());
    Ok(Scope {
        filter: DashFilter { branch: code, from: first.to_string(), to: last.to_string() },
        branch_id,
        months,
        first_day,
        last_day,
        start: first_day.start_in(state.zone).micros(),
        end: last_day.plus_days(1).start_in(state.zone).micros(),
        today,
        settings,
        cutoffs: Cutoffs::new(&settings, today),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap_or_else(|| panic!("bad day {text}"))
    }

    #[test]
    fn months_parse_and_count() {
        assert_eq!(Month::parse("2026-10"), Some(Month { year: 2026, month: 10 }));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("26-10"), None);
        assert_eq!(Month::parse("2026-1"), None);
        assert_eq!(Month { year: 2026, month: 1 }.plus(-1).to_string(), "2025-12");
        assert_eq!(Month { year: 2024, month: 2 }.last_day(), day("2024-02-29"));
    }

    #[test]
    fn the_last_month_end_is_the_last_one_already_snapshotted() {
        assert_eq!(last_month_end(day("2026-11-29")).to_string(), "2026-10");
        assert_eq!(last_month_end(day("2026-11-30")).to_string(), "2026-10");
        assert_eq!(last_month_end(day("2026-12-01")).to_string(), "2026-11");
    }
}
