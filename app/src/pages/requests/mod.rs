//! Service requests (服务申请), the customer's pages: the list (`/requests`), the
//! kinds (`/requests/new`), one short form per kind (`/requests/new/:kind`) and a
//! request with its timeline and the actions allowed now (`/requests/:reference`).
//! Every form is a plain HTML form first: it works before (or without) the WASM.
//! Texts the customer or staff wrote are shown as text, never as HTML.
mod detail;
pub mod files;
mod forms_account;
mod forms_cards;
mod forms_other;
mod list;
mod new;
pub mod report;
mod staff_actions;
mod staff_detail;
mod staff_queue;

pub use detail::RequestPage;
pub use list::RequestsPage;
pub use new::{NewRequestFormPage, NewRequestPage};
pub use staff_detail::StaffRequestPage;
pub use staff_queue::StaffQueuePage;

use crate::api::requests::NextStep;
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// A text with `{n}` filled in, reactive to the locale.
fn fill(key: Key, value: impl ToString) -> impl Fn() -> String + Send + Sync + 'static {
    let value = value.to_string();
    let text = t(key);
    move || text().replace("{n}", &value)
}

/// An error from a page's data (not a form).
#[component]
fn LoadError(err: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{t(err.code.message_key())}</p> }
}

/// The translated error of a form when it names `field` (shown under that field).
#[component]
fn FieldError(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field.as_deref() == Some(field)).map(|e| {
            view! {
                <p class="error sr-field-error" id=format!("sr-{field}-error") role="alert">
                    {t(e.code.message_key())}
                </p>
            }
        })
    }
}

/// The form's error when it names no field the form shows (shown above the button).
#[component]
fn OtherError(error: Signal<Option<AppError>>, fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field.as_deref().is_none_or(|f| !fields.contains(&f))).map(|e| {
            view! {
                <p class="error" role="alert">
                    {t(e.code.message_key())}
                </p>
            }
        })
    }
}

/// "Who has the ball" in one sentence; complaints say when the decision is due.
fn next_step_text(step: NextStep, decision_due: Option<String>) -> Box<dyn Fn() -> String + Send + Sync> {
    match (step, decision_due) {
        (NextStep::Bank, Some(due)) => Box::new(fill(Key::SrqNextBankDue, due)),
        (NextStep::Bank, None) => owned(Key::SrqNextBank),
        (NextStep::Customer, _) => owned(Key::SrqNextCustomer),
        (NextStep::ConfirmOrReopen, _) => owned(Key::SrqNextConfirm),
        (NextStep::Done, _) => owned(Key::SrqNextDone),
    }
}

fn owned(key: Key) -> Box<dyn Fn() -> String + Send + Sync> {
    let text = t(key);
    Box::new(move || text().to_owned())
}

/// A card's status as the customer reads it.
fn card_status_label(status: &str) -> Key {
    match status {
        "frozen" => Key::SrqCardStatusFrozen,
        "lost" => Key::SrqCardStatusLost,
        "closed" => Key::SrqCardStatusClosed,
        _ => Key::SrqCardStatusActive,
    }
}

/// A timeline step's label, or `None` for a kind the customer never sees.
fn step_label(kind: &str) -> Option<Key> {
    Some(match kind {
        "submitted" => Key::SrqStepSubmitted,
        "status" => Key::SrqStepStatus,
        "card_frozen" => Key::SrqStepCardFrozen,
        "card_unfrozen" => Key::SrqStepCardUnfrozen,
        "card_replaced" => Key::SrqStepCardReplaced,
        "contact_changed" => Key::SrqStepContactChanged,
        "account_reactivated" => Key::SrqStepAccountReactivated,
        "extended" => Key::SrqStepExtended,
        "rated" => Key::SrqStepRated,
        "follow_up" => Key::SrqStepFollowUp,
        _ => return None,
    })
}
