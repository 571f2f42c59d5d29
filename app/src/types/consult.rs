//! Consultations: inquiry topics, consultation purposes and channels, booking
//! states, and the validated plain text customers and staff write.
use crate::error::{AppError, ErrorCode};
use crate::i18n::Key;
use serde::{Deserialize, Serialize};

text_enum! {
    /// What a customer's question is about.
    Topic {
        Deposits => "deposits", TopicDeposits;
        Loans => "loans", TopicLoans;
        Cards => "cards", TopicCards;
        Wealth => "wealth", TopicWealth;
        Insurance => "insurance", TopicInsurance;
        Other => "other", TopicOther;
    }
}

text_enum! {
    /// What a consultation is for.
    Purpose {
        WealthPlanning => "wealth_planning", PurposeWealthPlanning;
        Loan => "loan", PurposeLoan;
        Pension => "pension", PurposePension;
        Insurance => "insurance", PurposeInsurance;
        ComplaintFollowUp => "complaint_follow_up", PurposeComplaintFollowUp;
    }
}

text_enum! {
    /// How a consultation is held.
    Channel {
        Branch => "branch", ChannelBranch;
        Phone => "phone", ChannelPhone;
        Video => "video", ChannelVideo;
    }
}

text_enum! {
    /// Where a booking stands. Only `Booked` holds the advisor's time.
    BookingStatus {
        Booked => "booked", BookingStatusBooked;
        Cancelled => "cancelled", BookingStatusCancelled;
        Held => "held", BookingStatusHeld;
        NoShow => "no_show", BookingStatusNoShow;
    }
}

/// Plain text typed by a person (a message, a note, a reason): trimmed, not empty,
/// at most `max` characters, no control characters but line breaks and tabs.
/// Never HTML: pages render it as text, so `<script>` shows as typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainText(String);

impl PlainText {
    /// `field` names the form field in the error.
    pub fn new(text: &str, max: usize, field: &str) -> Result<PlainText, AppError> {
        let normalized = text.replace("\r\n", "\n");
        let trimmed = normalized.trim();
        if trimmed.is_empty() || trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(AppError::invalid(field));
        }
        if trimmed.chars().count() > max {
            return Err(AppError { code: ErrorCode::TextTooLong, field: Some(field.to_owned()) });
        }
        Ok(PlainText(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(*t));
        }
        for p in Purpose::ALL {
            assert_eq!(Purpose::parse(p.as_str()), Some(*p));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        for s in BookingStatus::ALL {
            assert_eq!(BookingStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Channel::parse("fax"), None);
    }

    #[test]
    fn plain_text_is_trimmed_bounded_and_kept_as_typed() {
        assert_eq!(PlainText::new("  hi\r\nthere ", 10, "body").unwrap().as_str(), "hi\nthere");
        assert_eq!(PlainText::new("<script>x</script>", 100, "body").unwrap().as_str(), "<script>x</script>");
        assert_eq!(PlainText::new("   ", 10, "body").unwrap_err(), AppError::invalid("body"));
        assert_eq!(PlainText::new("a\u{0}b", 10, "body").unwrap_err(), AppError::invalid("body"));
        let long = PlainText::new(&"字".repeat(11), 10, "body").unwrap_err();
        assert_eq!(long.code, ErrorCode::TextTooLong);
        assert_eq!(long.field.as_deref(), Some("body"));
        assert!(PlainText::new(&"字".repeat(10), 10, "body").is_ok(), "the limit counts characters, not bytes");
    }
}
