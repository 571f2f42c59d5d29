//! The one error type that crosses the wire.
//!
//! A server function answers with an `AppError`: a stable `code` the UI maps to a
//! translated message. Internal detail (SQL errors, paths, stack traces) is logged on
//! the server and never put into an `AppError`.
use crate::i18n::Key;
use serde::{Deserialize, Serialize};
use server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};

/// What went wrong, as far as the caller needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input was not valid; nothing was changed.
    BadRequest,
    /// Nobody is signed in (or the session has expired).
    Unauthenticated,
    /// The principal may not do this.
    Forbidden,
    /// This needs a fresh second-factor confirmation first.
    StepUpRequired,
    /// Log-in failed. Deliberately one code for unknown user, wrong password and
    /// locked account, so the answer does not tell which.
    InvalidCredentials,
    /// A one-time code (SMS or TOTP) was wrong, expired or already used.
    InvalidCode,
    /// The customer could not be matched (enrollment): same answer whatever was wrong.
    NoMatch,
    /// Online banking is already active for this customer.
    AlreadyEnrolled,
    /// The chosen username is taken.
    UsernameTaken,
    /// The new password is shorter than 12 characters.
    PasswordTooShort,
    /// The new password is longer than 128 characters.
    PasswordTooLong,
    /// The new password is on the list of the most common passwords.
    PasswordTooCommon,
    /// The new password contains the username, customer number or phone.
    PasswordPersonal,
    /// Too many attempts from this address; try again after `Retry-After`.
    TooManyRequests,
    /// The server is saturated (e.g. password hashing); try again in a moment.
    Busy,
    /// No such object (or not one the principal owns: the two look the same).
    NotFound,
    /// A dependency (the database) is not reachable right now.
    Unavailable,
    /// The amount was zero or negative.
    AmountNotPositive,
    /// The amount has more than two decimal places.
    AmountTooPrecise,
    /// The amount is not a number.
    AmountInvalid,
    /// The amount is above what one transaction may move.
    AmountTooLarge,
    /// The paying account cannot cover the amount.
    InsufficientFunds,
    /// The tier's daily limit would be exceeded.
    DailyLimitExceeded,
    /// The tier's yearly limit would be exceeded.
    YearlyLimitExceeded,
    /// An idempotency key was reused with different content.
    IdempotencyConflict,
    /// The payee's account number and name do not match.
    PayeeMismatch,
    /// The account is frozen, dormant or closed.
    AccountUnavailable,
    /// A transfer from an account to itself.
    SameAccount,
    /// The consultation slot was taken a moment ago by someone else: pick another.
    SlotTaken,
    /// The slot is not (or no longer) one the advisor offers: outside working hours,
    /// on leave, too soon or too far ahead.
    SlotUnavailable,
    /// Too close to the appointment to change it online: call instead.
    PastCutOff,
    /// A message or note is longer than allowed.
    TextTooLong,
    /// The object is not in a state that allows this (e.g. a cancelled booking).
    WrongState,
    /// A service request cannot move to that state from where it is (or by this party).
    TransitionNotAllowed,
    /// A resolved request can be reopened only within 7 days; after that a reply
    /// starts a linked follow-up.
    ReopenWindowPassed,
    /// Only a supervisor may do this (e.g. extend a complaint past 30 days).
    SupervisorRequired,
    /// The service was already rated: a rating is given once.
    AlreadyRated,
    /// The card is frozen, reported lost or closed: it cannot pay.
    CardBlocked,
    /// An uploaded file is larger than 5 MB.
    FileTooLarge,
    /// An uploaded file is not a PDF, PNG or JPEG (judged by its content).
    FileTypeNotAllowed,
    /// A staff member viewing as the customer tried to change something: viewing is
    /// read-only (assist mode allows only the request and booking forms).
    ImpersonationReadOnly,
    /// Staff accounts (and customers who are employees) are never viewed as a customer.
    TargetIsStaff,
    /// Nobody views their own account through the console.
    TargetIsSelf,
    /// The customer is closed or locked: there is nothing to help with by viewing.
    CustomerUnavailable,
    /// The customer has turned off "allow staff to view my account".
    StaffViewOff,
    /// A viewing session is already running: stop it first.
    AlreadyImpersonating,
    /// The form's anti-forgery token is missing or wrong (reload and try again).
    CsrfFailed,
    /// A fault on our side; detail is in the server log under the request id.
    Internal,
}

impl ErrorCode {
    /// The HTTP status a plain (non-server-function) handler answers with.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidCode
            | ErrorCode::NoMatch
            | ErrorCode::PasswordTooShort
            | ErrorCode::PasswordTooLong
            | ErrorCode::PasswordTooCommon
            | ErrorCode::PasswordPersonal
            | ErrorCode::AmountNotPositive
            | ErrorCode::AmountTooPrecise
            | ErrorCode::AmountInvalid
            | ErrorCode::AmountTooLarge
            | ErrorCode::PayeeMismatch
            | ErrorCode::SameAccount
            | ErrorCode::SlotUnavailable
            | ErrorCode::TextTooLong
            | ErrorCode::FileTypeNotAllowed => 400,
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => 401,
            ErrorCode::Forbidden | ErrorCode::StepUpRequired => 403,
            ErrorCode::AlreadyEnrolled | ErrorCode::UsernameTaken => 409,
            ErrorCode::InsufficientFunds
            | ErrorCode::DailyLimitExceeded
            | ErrorCode::YearlyLimitExceeded
            | ErrorCode::IdempotencyConflict
            | ErrorCode::AccountUnavailable
            | ErrorCode::SlotTaken
            | ErrorCode::PastCutOff
            | ErrorCode::WrongState
            | ErrorCode::TransitionNotAllowed
            | ErrorCode::ReopenWindowPassed
            | ErrorCode::AlreadyRated
            | ErrorCode::CardBlocked => 409,
            ErrorCode::SupervisorRequired
            | ErrorCode::ImpersonationReadOnly
            | ErrorCode::TargetIsStaff
            | ErrorCode::TargetIsSelf
            | ErrorCode::StaffViewOff
            | ErrorCode::CsrfFailed => 403,
            ErrorCode::CustomerUnavailable | ErrorCode::AlreadyImpersonating => 409,
            ErrorCode::FileTooLarge => 413,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Busy => 503,
            ErrorCode::NotFound => 404,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }

    /// The translated message for this code.
    pub const fn message_key(self) -> Key {
        match self {
            ErrorCode::BadRequest => Key::ErrorBadRequest,
            ErrorCode::Unauthenticated => Key::ErrorUnauthenticated,
            ErrorCode::Forbidden => Key::ErrorForbidden,
            ErrorCode::StepUpRequired => Key::ErrorStepUpRequired,
            ErrorCode::InvalidCredentials => Key::ErrorInvalidCredentials,
            ErrorCode::InvalidCode => Key::ErrorInvalidCode,
            ErrorCode::NoMatch => Key::ErrorNoMatch,
            ErrorCode::AlreadyEnrolled => Key::ErrorAlreadyEnrolled,
            ErrorCode::UsernameTaken => Key::ErrorUsernameTaken,
            ErrorCode::PasswordTooShort => Key::ErrorPasswordTooShort,
            ErrorCode::PasswordTooLong => Key::ErrorPasswordTooLong,
            ErrorCode::PasswordTooCommon => Key::ErrorPasswordTooCommon,
            ErrorCode::PasswordPersonal => Key::ErrorPasswordPersonal,
            ErrorCode::TooManyRequests => Key::ErrorTooManyRequests,
            ErrorCode::Busy => Key::ErrorBusy,
            ErrorCode::NotFound => Key::ErrorNotFound,
            ErrorCode::Unavailable => Key::ErrorUnavailable,
            ErrorCode::AmountNotPositive => Key::ErrorAmountNotPositive,
            ErrorCode::AmountTooPrecise => Key::ErrorAmountTooPrecise,
            ErrorCode::AmountInvalid => Key::ErrorAmountInvalid,
            ErrorCode::AmountTooLarge => Key::ErrorAmountTooLarge,
            ErrorCode::InsufficientFunds => Key::ErrorInsufficientFunds,
            ErrorCode::DailyLimitExceeded => Key::ErrorDailyLimitExceeded,
            ErrorCode::YearlyLimitExceeded => Key::ErrorYearlyLimitExceeded,
            ErrorCode::IdempotencyConflict => Key::ErrorIdempotencyConflict,
            ErrorCode::PayeeMismatch => Key::ErrorPayeeMismatch,
            ErrorCode::AccountUnavailable => Key::ErrorAccountUnavailable,
            ErrorCode::SameAccount => Key::ErrorSameAccount,
            ErrorCode::SlotTaken => Key::ErrorSlotTaken,
            ErrorCode::SlotUnavailable => Key::ErrorSlotUnavailable,
            ErrorCode::PastCutOff => Key::ErrorPastCutOff,
            ErrorCode::TextTooLong => Key::ErrorTextTooLong,
            ErrorCode::WrongState => Key::ErrorWrongState,
            ErrorCode::TransitionNotAllowed => Key::ErrorTransitionNotAllowed,
            ErrorCode::ReopenWindowPassed => Key::ErrorReopenWindowPassed,
            ErrorCode::SupervisorRequired => Key::ErrorSupervisorRequired,
            ErrorCode::AlreadyRated => Key::ErrorAlreadyRated,
            ErrorCode::CardBlocked => Key::ErrorCardBlocked,
            ErrorCode::FileTooLarge => Key::ErrorFileTooLarge,
            ErrorCode::FileTypeNotAllowed => Key::ErrorFileTypeNotAllowed,
            ErrorCode::ImpersonationReadOnly => Key::ErrorImpersonationReadOnly,
            ErrorCode::TargetIsStaff => Key::ErrorTargetIsStaff,
            ErrorCode::TargetIsSelf => Key::ErrorTargetIsSelf,
            ErrorCode::CustomerUnavailable => Key::ErrorCustomerUnavailable,
            ErrorCode::StaffViewOff => Key::ErrorStaffViewOff,
            ErrorCode::AlreadyImpersonating => Key::ErrorAlreadyImpersonating,
            ErrorCode::CsrfFailed => Key::ErrorCsrfFailed,
            ErrorCode::Internal => Key::ErrorGeneric,
        }
    }
}

/// An error a server function returns to the browser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}")]
pub struct AppError {
    pub code: ErrorCode,
    /// Which input field was wrong, for `BadRequest`, so the form can mark it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl AppError {
    pub const fn new(code: ErrorCode) -> Self {
        AppError { code, field: None }
    }

    pub fn invalid(field: impl Into<String>) -> Self {
        AppError { code: ErrorCode::BadRequest, field: Some(field.into()) }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorCode::BadRequest,
            ServerFnErrorErr::Request(_) => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        };
        AppError::new(code)
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    /// Logs the database error and hides it from the caller.
    fn from(err: sqlx::Error) -> Self {
        let code = match err {
            sqlx::Error::RowNotFound => ErrorCode::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        };
        if code != ErrorCode::NotFound {
            tracing::error!(error = %err, "database error");
        }
        AppError::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_form_is_a_stable_code() {
        let json = serde_json::to_string(&AppError::invalid("amount")).unwrap_or_default();
        assert_eq!(json, r#"{"code":"bad_request","field":"amount"}"#);
        let back: AppError =
            serde_json::from_str(r#"{"code":"not_found"}"#).unwrap_or(AppError::new(ErrorCode::Internal));
        assert_eq!(back, AppError::new(ErrorCode::NotFound));
    }

    #[test]
    fn framework_errors_map_to_codes() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(e.code, ErrorCode::BadRequest);
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("secret detail".into()));
        assert_eq!(e, AppError::new(ErrorCode::Internal));
    }
}
