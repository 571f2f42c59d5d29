//! Money: an exact count of minor units (fen) with its currency. Never a float.
use serde::{Deserialize, Serialize};
use std::fmt;

/// The currencies the bank keeps accounts in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[default]
    CNY,
}

impl Currency {
    /// ISO 4217 code, as stored in the database.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::CNY => "CNY",
        }
    }

    pub const fn symbol(self) -> &'static str {
        match self {
            Currency::CNY => "¥",
        }
    }

    /// Digits after the decimal point (fen for the yuan).
    pub const fn minor_digits(self) -> u32 {
        match self {
            Currency::CNY => 2,
        }
    }

    pub fn from_code(code: &str) -> Option<Currency> {
        match code {
            "CNY" => Some(Currency::CNY),
            _ => None,
        }
    }
}

/// An amount of money in minor units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

/// Why a typed amount was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MoneyParseError {
    #[error("empty amount")]
    Empty,
    #[error("not a number")]
    NotANumber,
    #[error("too many decimal places")]
    TooPrecise,
    #[error("amount too large")]
    TooLarge,
}

impl Money {
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    pub const fn yuan_fen(minor: i64) -> Self {
        Money { minor, currency: Currency::CNY }
    }

    /// Whole yuan (for limits and thresholds written in the code).
    pub const fn yuan(whole: i64) -> Self {
        Money { minor: whole * 100, currency: Currency::CNY }
    }

    pub const fn minor(self) -> i64 {
        self.minor
    }

    pub const fn currency(self) -> Currency {
        self.currency
    }

    /// Parses what a person types: "1234.5", "1,234.56", "¥ 12", "-3.00". Exact:
    /// the digits are read as integers, never through a float.
    pub fn parse(input: &str, currency: Currency) -> Result<Money, MoneyParseError> {
        let cleaned: String = input
            .trim()
            .trim_start_matches(currency.symbol())
            .chars()
            .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
            .collect();
        if cleaned.is_empty() {
            return Err(MoneyParseError::Empty);
        }
        let (negative, body) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
            return Err(MoneyParseError::NotANumber);
        }
        let scale = currency.minor_digits() as usize;
        if fraction.len() > scale {
            return Err(MoneyParseError::TooPrecise);
        }
        let padded = format!("{fraction:0<scale$}");
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyParseError::TooLarge)? };
        let fraction: i64 =
            if padded.is_empty() { 0 } else { padded.parse().map_err(|_| MoneyParseError::NotANumber)? };
        let minor = whole
            .checked_mul(10_i64.pow(scale as u32))
            .and_then(|w| w.checked_add(fraction))
            .ok_or(MoneyParseError::TooLarge)?;
        Ok(Money { minor: if negative { -minor } else { minor }, currency })
    }

    /// "¥1,234.56" (the same in zh-CN and en; Chinese banking writes yuan this way).
    pub fn display(self) -> String {
        let scale = self.currency.minor_digits();
        let unit = 10_u64.pow(scale);
        let abs = self.minor.unsigned_abs();
        let whole = group_thousands(abs / unit);
        let sign = if self.minor < 0 { "-" } else { "" };
        format!("{sign}{}{whole}.{:0width$}", self.currency.symbol(), abs % unit, width = scale as usize)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny(s: &str) -> Result<i64, MoneyParseError> {
        Money::parse(s, Currency::CNY).map(Money::minor)
    }

    #[test]
    fn parses_exactly() {
        assert_eq!(cny("1,234.56"), Ok(123_456));
        assert_eq!(cny("¥ 12"), Ok(1_200));
        assert_eq!(cny("0.1"), Ok(10));
        assert_eq!(cny(".05"), Ok(5));
        assert_eq!(cny("-3.00"), Ok(-300));
        assert_eq!(cny("1，000"), Ok(100_000));
    }

    #[test]
    fn refuses_bad_input() {
        assert_eq!(cny(""), Err(MoneyParseError::Empty));
        assert_eq!(cny("12.345"), Err(MoneyParseError::TooPrecise));
        assert_eq!(cny("1e5"), Err(MoneyParseError::NotANumber));
        assert_eq!(cny("."), Err(MoneyParseError::NotANumber));
        assert_eq!(cny("99999999999999999999"), Err(MoneyParseError::TooLarge));
    }

    #[test]
    fn displays_grouped() {
        assert_eq!(Money::yuan_fen(123_456).display(), "¥1,234.56");
        assert_eq!(Money::yuan_fen(-5).display(), "-¥0.05");
        assert_eq!(Money::yuan_fen(100_000_000).display(), "¥1,000,000.00");
    }
}

/// The most one transaction may move through the portal (¥5,000,000).
pub const MAX_TRANSACTION: Money = Money::yuan(5_000_000);

/// An amount a customer asks to move: more than zero, at most two decimals, at
/// most [`MAX_TRANSACTION`]. The only way money enters a money-moving service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Amount(Money);

impl Amount {
    /// Reads what the customer typed into an amount field.
    pub fn parse(input: &str) -> Result<Amount, crate::error::AppError> {
        use crate::error::{AppError, ErrorCode};
        let field = |code| AppError { code, field: Some("amount".into()) };
        let money = Money::parse(input, Currency::CNY).map_err(|err| {
            field(match err {
                MoneyParseError::Empty | MoneyParseError::NotANumber => ErrorCode::AmountInvalid,
                MoneyParseError::TooPrecise => ErrorCode::AmountTooPrecise,
                MoneyParseError::TooLarge => ErrorCode::AmountTooLarge,
            })
        })?;
        Amount::new(money).map_err(field)
    }

    pub fn new(money: Money) -> Result<Amount, crate::error::ErrorCode> {
        use crate::error::ErrorCode;
        if money.minor() <= 0 {
            Err(ErrorCode::AmountNotPositive)
        } else if money.minor() > MAX_TRANSACTION.minor() {
            Err(ErrorCode::AmountTooLarge)
        } else {
            Ok(Amount(money))
        }
    }

    pub const fn money(self) -> Money {
        self.0
    }

    pub const fn minor(self) -> i64 {
        self.0.minor()
    }
}

#[cfg(test)]
mod amount_tests {
    use super::*;
    use crate::error::ErrorCode;

    fn code(input: &str) -> Option<ErrorCode> {
        Amount::parse(input).err().map(|e| e.code)
    }

    #[test]
    fn only_sensible_amounts_pass() {
        assert_eq!(Amount::parse("12.50").map(Amount::minor).ok(), Some(1250));
        assert_eq!(code("0"), Some(ErrorCode::AmountNotPositive));
        assert_eq!(code("-5"), Some(ErrorCode::AmountNotPositive));
        assert_eq!(code("1.234"), Some(ErrorCode::AmountTooPrecise));
        assert_eq!(code("ten"), Some(ErrorCode::AmountInvalid));
        assert_eq!(code(""), Some(ErrorCode::AmountInvalid));
        assert_eq!(code("5000000.01"), Some(ErrorCode::AmountTooLarge));
        assert_eq!(code("99999999999999999999"), Some(ErrorCode::AmountTooLarge));
    }
}
