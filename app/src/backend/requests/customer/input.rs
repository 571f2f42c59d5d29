//! A new request's form, read and validated field by field before anything is
//! looked up or stored: a bad field is refused at that field, nothing changed.
use crate::api::requests::{ComplaintCategory, MAX_ADDRESS, MAX_WANTED};
use crate::backend::requests::{MAX_BODY, MAX_SUBJECT};
use crate::error::{AppError, ErrorCode};
use crate::types::{PlainText, RequestKind};

/// The form's fields as posted (every kind's form sends only its own).
#[derive(Clone, Debug, Default)]
pub struct RawForm {
    pub card_id: Option<String>,
    pub stolen: Option<String>,
    pub replacement: Option<String>,
    pub body: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub category: Option<String>,
    pub subject: Option<String>,
    pub wanted: Option<String>,
    pub posting_id: Option<String>,
    pub account_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A statement month, "2026-11".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    pub fn parse(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        let ok = year.len() == 4 && month.len() == 2;
        let (year, month) = (year.parse().ok()?, month.parse().ok()?);
        (ok && (1..=12).contains(&month) && year >= 1990).then_some(Month { year, month })
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A validated new request.
#[derive(Clone, Debug)]
pub enum RequestInput {
    CardLost { card_id: i64, stolen: bool, replacement: bool, body: Option<PlainText> },
    CardFreeze { card_id: i64 },
    CardUnfreeze { card_id: i64 },
    ContactChange { phone: Option<String>, address: Option<PlainText> },
    Complaint { category: ComplaintCategory, subject: PlainText, body: PlainText, wanted: PlainText },
    Dispute { posting_id: i64, body: PlainText },
    Certificate { account_id: i64, body: Option<PlainText> },
    Statement { account_id: i64, from: Month, to: Month, body: Option<PlainText> },
    Reactivate { account_id: i64, body: Option<PlainText> },
    AccountClose { account_id: i64, body: Option<PlainText> },
    General { subject: PlainText, body: PlainText },
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn id(value: &Option<String>, field: &str) -> Result<i64, AppError> {
    present(value).and_then(|v| v.parse().ok()).filter(|v: &i64| *v > 0).ok_or_else(|| AppError::invalid(field))
}

fn text(value: &Option<String>, max: usize, field: &str) -> Result<PlainText, AppError> {
    PlainText::new(value.as_deref().unwrap_or_default(), max, field)
}

fn optional_text(value: &Option<String>, max: usize, field: &str) -> Result<Option<PlainText>, AppError> {
    present(value).map(|v| PlainText::new(v, max, field)).transpose()
}

fn checked(value: &Option<String>) -> bool {
    present(value).is_some_and(|v| v != "false" && v != "0")
}

/// A mainland mobile number: 11 digits starting 13 to 19. Spaces and dashes a
/// person types are forgiven.
pub fn mobile_phone(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.len() == 11
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9');
    ok.then_some(digits)
}

impl RequestInput {
    /// Reads `kind`'s fields from the form.
    pub fn parse(kind: RequestKind, f: &RawForm) -> Result<RequestInput, AppError> {
        Ok(match kind {
            RequestKind::CardLost => RequestInput::CardLost {
                card_id: id(&f.card_id, "card_id")?,
                stolen: checked(&f.stolen),
                replacement: checked(&f.replacement),
                body: optional_text(&f.body, MAX_BODY, "body")?,
            },
            RequestKind::CardFreeze => RequestInput::CardFreeze { card_id: id(&f.card_id, "card_id")? },
            RequestKind::CardUnfreeze => RequestInput::CardUnfreeze { card_id: id(&f.card_id, "card_id")? },
            RequestKind::ContactChange => {
                let phone =
                    present(&f.phone).map(|p| mobile_phone(p).ok_or_else(|| AppError::invalid("phone"))).transpose()?;
                let address = optional_text(&f.address, MAX_ADDRESS, "address")?;
                if phone.is_none() && address.is_none() {
                    return Err(AppError::invalid("phone"));
                }
                RequestInput::ContactChange { phone, address }
            }
            RequestKind::Complaint => RequestInput::Complaint {
                category: present(&f.category)
                    .and_then(ComplaintCategory::parse)
                    .ok_or_else(|| AppError::invalid("category"))?,
                subject: text(&f.subject, MAX_SUBJECT, "subject")?,
                body: text(&f.body, MAX_BODY, "body")?,
                wanted: text(&f.wanted, MAX_WANTED, "wanted")?,
            },
            RequestKind::Dispute => RequestInput::Dispute {
                posting_id: id(&f.posting_id, "posting_id")?,
                body: text(&f.body, MAX_BODY, "body")?,
            },
            RequestKind::Certificate => RequestInput::Certificate {
                account_id: id(&f.account_id, "account_id")?,
                body: optional_text(&f.body, MAX_BODY, "body")?,
            },
            RequestKind::Statement => {
                let month = |v: &Option<String>, field: &str| {
                    present(v).and_then(Month::parse).ok_or_else(|| AppError::invalid(field))
                };
                let (from, to) = (month(&f.from, "from")?, month(&f.to, "to")?);
                if to < from {
                    return Err(AppError { code: ErrorCode::BadRequest, field: Some("to".into()) });
                }
                RequestInput::Statement {
                    account_id: id(&f.account_id, "account_id")?,
                    from,
                    to,
                    body: optional_text(&f.body, MAX_BODY, "body")?,
                }
            }
            RequestKind::Reactivate => RequestInput::Reactivate {
                account_id: id(&f.account_id, "account_id")?,
                body: optional_text(&f.body, MAX_BODY, "body")?,
            },
            RequestKind::AccountClose => RequestInput::AccountClose {
                account_id: id(&f.account_id, "account_id")?,
                body: optional_text(&f.body, MAX_BODY, "body")?,
            },
            RequestKind::General => RequestInput::General {
                subject: text(&f.subject, MAX_SUBJECT, "subject")?,
                body: text(&f.body, MAX_BODY, "body")?,
            },
        })
    }

    /// The fields in a fixed order, for the idempotency hash: the same key with a
    /// different request is refused.
    pub fn fingerprint(&self) -> String {
        format!("{self:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_phones_are_eleven_digits_starting_13_to_19() {
        assert_eq!(mobile_phone("139 1234 5678").as_deref(), Some("13912345678"));
        assert_eq!(mobile_phone("19912345678").as_deref(), Some("19912345678"));
        for bad in ["", "1391234567", "139123456789", "12912345678", "23912345678", "1391234567x"] {
            assert_eq!(mobile_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_parse_and_order() {
        assert_eq!(Month::parse("2026-11"), Some(Month { year: 2026, month: 11 }));
        assert!(
            Month::parse("2026-13").is_none() && Month::parse("26-11").is_none() && Month::parse("2026-1").is_none()
        );
        assert!(Month::parse("2026-01") < Month::parse("2026-11"));
    }

    #[test]
    fn bad_fields_are_refused_at_the_field() {
        let form = RawForm { phone: Some("12345".into()), ..RawForm::default() };
        assert_eq!(RequestInput::parse(RequestKind::ContactChange, &form).unwrap_err(), AppError::invalid("phone"));
        let long = RawForm { subject: Some("s".into()), body: Some("字".repeat(2001)), ..RawForm::default() };
        let err = RequestInput::parse(RequestKind::General, &long).unwrap_err();
        assert_eq!((err.code, err.field.as_deref()), (ErrorCode::TextTooLong, Some("body")));
        let wide = RawForm { address: Some("路".repeat(121)), ..RawForm::default() };
        let err = RequestInput::parse(RequestKind::ContactChange, &wide).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("address"));
        let bad_category = RawForm {
            category: Some("weather".into()),
            subject: Some("s".into()),
            body: Some("b".into()),
            wanted: Some("w".into()),
            ..RawForm::default()
        };
        assert_eq!(
            RequestInput::parse(RequestKind::Complaint, &bad_category).unwrap_err(),
            AppError::invalid("category")
        );
        let card = RawForm { card_id: Some("abc".into()), ..RawForm::default() };
        assert_eq!(RequestInput::parse(RequestKind::CardFreeze, &card).unwrap_err(), AppError::invalid("card_id"));
    }
}
