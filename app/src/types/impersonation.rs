//! "View as customer": the shapes both sides use (the banner, the customer's
//! staff-access history) and the validated inputs of starting one.
use super::{PlainText, Timestamp};
use crate::error::AppError;
use crate::i18n::Key;
use serde::{Deserialize, Serialize};

/// The longest viewing session, whatever else happens.
pub const MAX_MINUTES: i64 = 60;

text_enum! {
    /// What the staff member may do while viewing as the customer.
    ImpersonationMode {
        ReadOnly => "read_only", ImpersonationModeReadOnly;
        Assist => "assist", ImpersonationModeAssist;
    }
}

text_enum! {
    /// Why a viewing session ended.
    EndReason {
        Stopped => "stopped", ImpersonationEndStopped;
        LoggedOut => "logged_out", ImpersonationEndLoggedOut;
        SessionEnded => "session_ended", ImpersonationEndSessionEnded;
        TimeLimit => "time_limit", ImpersonationEndTimeLimit;
        RoleRemoved => "role_removed", ImpersonationEndRoleRemoved;
        CustomerUnavailable => "customer_unavailable", ImpersonationEndCustomerUnavailable;
        CustomerOptedOut => "customer_opted_out", ImpersonationEndCustomerOptedOut;
    }
}

/// Why the staff member is looking: free text, kept with every audit row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessReason(PlainText);

impl AccessReason {
    pub fn new(text: &str) -> Result<AccessReason, AppError> {
        let text = PlainText::new(text, 500, "reason")?;
        if text.as_str().chars().count() < 5 {
            return Err(AppError::invalid("reason"));
        }
        Ok(AccessReason(text))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// The ticket, call or request the viewing is for (e.g. `SR-2026-000123`,
/// `CALL-88121`): letters, digits and `-_/.`, 3 to 40 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketRef(String);

impl TicketRef {
    pub fn new(text: &str) -> Result<TicketRef, AppError> {
        let text = text.trim();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
        if !(3..=40).contains(&text.len()) || !text.chars().all(allowed) {
            return Err(AppError::invalid("reference"));
        }
        Ok(TicketRef(text.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What every page shows while a staff member views as a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpersonationBanner {
    pub id: i64,
    pub customer_no: String,
    pub customer_name: String,
    pub mode: ImpersonationMode,
    pub reason: String,
    pub reference: String,
    pub ends_at: Timestamp,
    /// From this answer until the end (the browser's clock may be wrong).
    pub seconds_left: i64,
    /// The end in the bank's zone, "14:05".
    pub ends_local: String,
}

/// One staff viewing of a customer's account, as the customer and supervisors see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccess {
    pub id: i64,
    pub staff_no: String,
    pub staff_name: String,
    pub customer_no: String,
    pub customer_name: String,
    pub reason: String,
    pub reference: String,
    pub mode: ImpersonationMode,
    pub started_at: Timestamp,
    /// When it ended, or when it will end at the latest if it still runs.
    pub ended_at: Timestamp,
    /// Both in the bank's zone, "2026-11-29 14:05".
    pub started_local: String,
    pub ended_local: String,
    pub end_reason: Option<EndReason>,
    pub running: bool,
    pub requests: i64,
    pub refused: i64,
}

impl StaffAccess {
    /// Whole minutes it lasted (at least one: a viewing is never "0 minutes").
    pub fn minutes(&self) -> i64 {
        ((self.ended_at.micros() - self.started_at.micros()) / 60_000_000).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn reasons_are_plain_text_of_sensible_length() {
        assert_eq!(
            AccessReason::new("  customer cannot find the deposit ").unwrap().as_str(),
            "customer cannot find the deposit"
        );
        assert_eq!(AccessReason::new("hi").unwrap_err(), AppError::invalid("reason"));
        assert_eq!(AccessReason::new(&"字".repeat(501)).unwrap_err().code, ErrorCode::TextTooLong);
    }

    #[test]
    fn references_are_short_codes() {
        assert_eq!(TicketRef::new(" sr-2026-000123 ").unwrap().as_str(), "SR-2026-000123");
        for bad in ["", "ab", "has space", "x<script>", &"A".repeat(41)] {
            assert_eq!(TicketRef::new(bad).unwrap_err(), AppError::invalid("reference"), "{bad}");
        }
    }

    #[test]
    fn names_round_trip() {
        for m in ImpersonationMode::ALL {
            assert_eq!(ImpersonationMode::parse(m.as_str()), Some(*m));
        }
        for r in EndReason::ALL {
            assert_eq!(EndReason::parse(r.as_str()), Some(*r));
        }
    }
}
