//! The account forms (deposit certificate, statement, reactivation) and the change
//! of phone or address, which asks for the authenticator's code in the same form.
use super::new::{text_box, text_input};
use super::{fill, FieldError};
use crate::api::requests::{AccountChoice, RequestForm, MAX_ADDRESS, MAX_BODY};
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use crate::types::RequestKind;
use leptos::prelude::*;

/// The fields of an account form and the names they cover.
pub(super) fn account_fields(form: RequestForm, error: Signal<Option<AppError>>) -> (AnyView, &'static [&'static str]) {
    let kind = form.kind;
    let usable: Vec<AccountChoice> = form
        .accounts
        .into_iter()
        .filter(|a| match kind {
            RequestKind::Certificate => a.kind.is_deposit(),
            RequestKind::Reactivate => a.status == "dormant",
            _ => true,
        })
        .collect();
    let (lead, note) = match kind {
        RequestKind::Certificate => (Key::SrqCertificateLead, Key::SrqPurpose),
        RequestKind::Statement => (Key::SrqStatementLead, Key::SrqBodyOptional),
        RequestKind::AccountClose => (Key::DormCloseLead, Key::SrqBodyOptional),
        _ => (Key::SrqReactivateLead, Key::SrqBodyOptional),
    };
    let month = form.this_month.clone();
    // A link from an account's notice names it (`?account=`): chosen already.
    let query = leptos_router::hooks::use_query_map();
    let chosen = query.with_untracked(|q| q.get("account").and_then(|v| v.parse::<i64>().ok()));
    let view = view! {
        <p class="sr-lead">{t(lead)}</p>
        {usable
            .is_empty()
            .then(|| {
                let empty = if kind == RequestKind::AccountClose { Key::DormCloseNoAccounts } else { Key::SrqNoAccounts };
                view! { <p class="sr-empty">{t(empty)}</p> }
            })}
        <div class="field">
            <label for="sr-account_id">{t(Key::SrqAccount)}</label>
            <select id="sr-account_id" name="account_id" required=true>
                {usable
                    .into_iter()
                    .map(|a| {
                        let dormant = a.status == "dormant";
                        view! {
                            <option value=a.id.to_string() selected=chosen == Some(a.id)>
                                {t(crate::pages::accounts::kind_group_key(a.kind))}
                                " "
                                {a.masked}
                                {dormant.then(|| view! { " (" {t(Key::SrqAccountDormant)} ")" })}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldError error field="account_id" />
        </div>
        {(kind == RequestKind::Statement)
            .then(|| {
                view! {
                    <div class="sr-months">
                        <div class="field">
                            <label for="sr-from">{t(Key::SrqFromMonth)}</label>
                            <input id="sr-from" name="from" type="month" required=true max=month.clone() value=month.clone() />
                            <FieldError error field="from" />
                        </div>
                        <div class="field">
                            <label for="sr-to">{t(Key::SrqToMonth)}</label>
                            <input id="sr-to" name="to" type="month" required=true max=month.clone() value=month.clone() />
                            <FieldError error field="to" />
                        </div>
                    </div>
                }
            })}
        {text_box("body", note, Key::SrqBodyHint, MAX_BODY, false, error)}
    };
    (view.into_any(), &["account_id", "from", "to", "body"])
}

/// A new phone and/or address, and the authenticator's code (step-up).
pub(super) fn contact_fields(form: RequestForm, error: Signal<Option<AppError>>) -> (AnyView, &'static [&'static str]) {
    let view = view! {
        <p class="sr-lead">{t(Key::SrqContactLead)}</p>
        <p class="small">{fill(Key::SrqCurrentPhone, form.phone_masked)}</p>
        {text_input("phone", Key::SrqPhone, Some(Key::SrqPhoneHint), "tel", 13, false, "tel", error)}
        {text_input("address", Key::SrqAddress, Some(Key::SrqAddressHint), "text", MAX_ADDRESS, false, "street-address", error)}
        <div class="field">
            <label for="sr-code">{t(Key::SrqCode)}</label>
            <input
                id="sr-code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength="6"
                aria-describedby="sr-code-hint"
            />
            <p class="hint" id="sr-code-hint">{t(Key::SrqCodeHint)}</p>
            <FieldError error field="code" />
        </div>
    };
    (view.into_any(), &["phone", "address", "code"])
}
