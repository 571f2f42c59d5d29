//! Serializable domain types both sides use, each with a validated constructor.
#[macro_use]
pub(crate) mod text_enum;
pub mod account;
pub mod branch;
pub mod card;
pub mod consult;
pub mod day;
pub mod idempotency;
pub mod impersonation;
pub mod insight;
pub mod money;
pub mod principal;
pub mod request;
pub mod security;
pub mod staff;
pub mod time;
pub mod transfer;
pub mod username;

pub use account::{
    mask_number, AccountId, AccountStatus, AtMaturity, ManagerContact, Overview, ProductDetail, ProductKind,
    ProductView, Receipt, Tier,
};
pub use branch::{Branch, Localized};
pub use consult::{BookingStatus, Channel, PlainText, Purpose, Topic};
pub use day::Day;
pub use idempotency::IdempotencyKey;
pub use impersonation::{AccessReason, EndReason, ImpersonationBanner, ImpersonationMode, StaffAccess, TicketRef};
pub use insight::{Dormancy, InsightSettings, ProductState, Segment};
pub use money::{Amount, Currency, Money, MoneyParseError};
pub use principal::{Me, Principal};
pub use request::{Party, Priority, RequestKind, RequestRef, RequestStatus, SlaFlag};
pub use security::{Notification, OutboxView, SecurityEvent, SessionInfo, TotpPanel, TotpSetup};
pub use staff::StaffRole;
pub use time::Timestamp;
pub use username::{Username, UsernameProblem};
