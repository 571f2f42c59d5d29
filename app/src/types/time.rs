//! Time as the database stores it: UTC microseconds since the Unix epoch.
use serde::{Deserialize, Serialize};

/// An instant in UTC, in microseconds since 1970-01-01T00:00:00Z. Stored as `BIGINT`
/// on both backends (sqlx's Any driver carries no date types), shown in the bank's
/// time zone only at the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    pub const fn micros(self) -> i64 {
        self.0
    }

    /// This instant plus `seconds` (negative goes back).
    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_in_seconds() {
        let t = Timestamp::from_micros(1_000_000);
        assert_eq!(t.plus_seconds(2).micros(), 3_000_000);
        assert_eq!(t.plus_seconds(-1).micros(), 0);
        assert!(t < t.plus_seconds(1));
    }
}
