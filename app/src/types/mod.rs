//! Serializable domain types both sides use, each with a validated constructor.
pub mod branch;
pub mod money;
pub mod staff;
pub mod time;

pub use branch::{Branch, Localized};
pub use money::{Currency, Money, MoneyParseError};
pub use staff::StaffRole;
pub use time::Timestamp;
