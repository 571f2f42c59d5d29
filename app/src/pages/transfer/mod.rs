//! Transfers in three steps, each a plain HTML page that works without the WASM:
//!
//! 1. `/transfer`: the form (a GET form: the fields travel in the URL, so an error
//!    brings the customer back to the form with what they typed);
//! 2. `/transfer?step=confirm&…`: the confirmation, read from `transfer_preview`
//!    (nothing moves); its form posts every field again, with the same idempotency
//!    key, plus the authenticator code when one is needed;
//! 3. `/transfer/receipt/<number>`: the receipt, printable.
//!
//! And `/payees`: the saved payees, to rename or delete.
mod capital;
mod confirm;
mod form;
mod payees;
mod receipt;

pub use capital::capital_amount;
pub use payees::PayeesPage;
pub use receipt::ReceiptPage;

use crate::error::{AppError, ErrorCode};
use crate::i18n::Key;
use crate::t;
use crate::types::Tier;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

/// `/transfer`: the form, or the confirmation when the URL says `step=confirm`.
#[component]
pub fn TransferPage() -> impl IntoView {
    let query = use_query_map();
    let draft = Memo::new(move |_| query.with(Draft::from_query));
    let confirming = Memo::new(move |_| query.with(|q| q.get("step").as_deref() == Some("confirm")));
    view! {
        <section class="form-page wide xfer" aria-labelledby="xfer-title">
            <h1 id="xfer-title">{t(Key::XferTitle)}</h1>
            {move || {
                if confirming.get() {
                    view! { <confirm::ConfirmStep draft /> }.into_any()
                } else {
                    view! { <form::FormStep draft=draft.get() error=None /> }.into_any()
                }
            }}
        </section>
    }
}

/// What the customer filled in, as it travels in the URL and in hidden fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub from: String,
    pub to: String,
    pub payee_account_no: String,
    pub payee_name: String,
    pub amount: String,
    pub memo: String,
    pub save_payee: bool,
    pub idempotency_key: String,
}

impl Draft {
    fn from_query(q: &ParamsMap) -> Draft {
        let get = |name: &str| q.get(name).unwrap_or_default();
        Draft {
            from: get("from"),
            to: get("to"),
            payee_account_no: get("payee_account_no"),
            payee_name: get("payee_name"),
            amount: get("amount"),
            memo: get("memo"),
            save_payee: q.get("save_payee").is_some_and(|v| !v.is_empty()),
            idempotency_key: get("idempotency_key"),
        }
    }

    /// The fields as name/value pairs, in form order.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            ("payee_account_no", self.payee_account_no.clone()),
            ("payee_name", self.payee_name.clone()),
            ("amount", self.amount.clone()),
            ("memo", self.memo.clone()),
        ];
        if self.save_payee {
            pairs.push(("save_payee", "on".to_owned()));
        }
        pairs.push(("idempotency_key", self.idempotency_key.clone()));
        pairs
    }

    /// `/transfer?…` with these fields: back to the form to change them.
    fn edit_url(&self) -> String {
        let query: Vec<String> =
            self.pairs().into_iter().map(|(name, value)| format!("{name}={}", url_encode(&value))).collect();
        format!("/transfer?{}", query.join("&"))
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay).
fn url_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The fields of the transfer form an error can be shown at.
const FORM_FIELDS: [&str; 6] = ["from", "to", "payee_account_no", "payee_name", "amount", "memo"];

/// Which field of the transfer form an error belongs to ("" for the form as a whole).
fn field_of(err: &AppError) -> &str {
    match err.code {
        ErrorCode::BadRequest => err.field.as_deref().filter(|f| FORM_FIELDS.contains(f)).unwrap_or(""),
        ErrorCode::AmountNotPositive
        | ErrorCode::AmountTooPrecise
        | ErrorCode::AmountInvalid
        | ErrorCode::AmountTooLarge
        | ErrorCode::InsufficientFunds
        | ErrorCode::DailyLimitExceeded
        | ErrorCode::YearlyLimitExceeded => "amount",
        ErrorCode::PayeeMismatch => "payee_name",
        ErrorCode::SameAccount => "to",
        ErrorCode::AccountUnavailable => "from",
        ErrorCode::StepUpRequired | ErrorCode::InvalidCode => "step_up_code",
        _ => "",
    }
}

/// The translated message of an error: a field's own words for a bad field.
fn message(err: &AppError) -> Key {
    if err.code != ErrorCode::BadRequest {
        return err.code.message_key();
    }
    match err.field.as_deref() {
        Some("from") => Key::XferErrorFrom,
        Some("to") => Key::XferErrorTo,
        Some("payee_account_no") => Key::XferErrorPayeeAccountNo,
        Some("payee_name") => Key::XferErrorPayeeName,
        Some("memo") => Key::XferErrorMemo,
        Some("nickname") => Key::XferErrorNickname,
        Some("idempotency_key") => Key::XferErrorKey,
        _ => err.code.message_key(),
    }
}

/// An error message under a field, or for the whole form; with a way to log in when
/// that is what is wrong.
#[component]
fn ErrorText(err: AppError, #[prop(optional)] id: Option<String>) -> impl IntoView {
    let login = (err.code == ErrorCode::Unauthenticated).then(|| view! { " "<a href="/login">{t(Key::XferLogIn)}</a> });
    view! {
        <p class="error" role="alert" id=id>
            {t(message(&err))}
            {login}
        </p>
    }
}

/// "Step 1 of 3" as an ordered list, the current step marked for screen readers too.
#[component]
fn Steps(current: u8) -> impl IntoView {
    let steps = [(1u8, Key::XferStepDetails), (2, Key::XferStepConfirm), (3, Key::XferStepDone)];
    view! {
        <ol class="xfer-steps" aria-label=t(Key::XferStepsLabel)>
            {steps
                .into_iter()
                .map(|(n, key)| {
                    let state = match n.cmp(&current) {
                        std::cmp::Ordering::Less => "done",
                        std::cmp::Ordering::Equal => "current",
                        std::cmp::Ordering::Greater => "todo",
                    };
                    view! {
                        <li data-state=state aria-current=(n == current).then_some("step")>
                            <span class="xfer-step-no" aria-hidden="true">{n}</span>
                            {t(key)}
                            {(n == current).then(|| view! { <span class="visually-hidden">{t(Key::XferStepCurrent)}</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

fn tier_key(tier: Tier) -> Key {
    match tier {
        Tier::One => Key::XferTier1,
        Tier::Two => Key::XferTier2,
        Tier::Three => Key::XferTier3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_through_the_url() {
        let draft = Draft {
            from: "7".into(),
            to: "new".into(),
            payee_account_no: "6217 0000 1111".into(),
            payee_name: "王 芳&co".into(),
            amount: "1,234.56".into(),
            memo: "房租 = rent?".into(),
            save_payee: true,
            idempotency_key: "0123456789abcdef".into(),
        };
        let url = draft.edit_url();
        assert!(url.starts_with("/transfer?from=7&to=new&"), "{url}");
        assert!(!url.contains(' ') && !url.contains("&co"), "{url}");
        let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let map = ParamsMap::from_iter(query.split('&').filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.to_owned(), percent_decode(v)))
        }));
        assert_eq!(Draft::from_query(&map), draft);
    }

    fn percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn errors_land_on_their_field() {
        assert_eq!(field_of(&AppError { code: ErrorCode::AmountTooPrecise, field: Some("amount".into()) }), "amount");
        assert_eq!(field_of(&AppError::new(ErrorCode::DailyLimitExceeded)), "amount");
        assert_eq!(
            field_of(&AppError { code: ErrorCode::PayeeMismatch, field: Some("payee_name".into()) }),
            "payee_name"
        );
        assert_eq!(field_of(&AppError::invalid("memo")), "memo");
        assert_eq!(field_of(&AppError::new(ErrorCode::StepUpRequired)), "step_up_code");
        assert_eq!(field_of(&AppError::invalid("idempotency_key")), "");
        assert_eq!(message(&AppError::invalid("payee_account_no")), Key::XferErrorPayeeAccountNo);
        assert_eq!(message(&AppError::new(ErrorCode::PayeeMismatch)), Key::ErrorPayeeMismatch);
    }
}
