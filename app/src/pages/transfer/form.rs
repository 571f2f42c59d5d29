//! Step 1: the transfer form. A GET form to `/transfer?step=confirm`: without the
//! WASM the browser navigates there itself; with it the router does, in place.
use super::{field_of, tier_key, Draft, ErrorText, Steps};
use crate::api::transfers::transfer_form;
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::t;
use crate::types::transfer::TransferForm;
use crate::types::IdempotencyKey;
use leptos::prelude::*;
use leptos_router::components::Form;

/// The form, filled in with `draft` (empty on a first visit), with `error` next to
/// the field it concerns.
#[component]
pub fn FormStep(draft: Draft, error: Option<AppError>) -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| transfer_form());
    view! {
        <Steps current=1 />
        <Suspense fallback=|| ()>
            {move || {
                let draft = draft.clone();
                let error = error.clone();
                data.get().map(|data| view! { <LoadedForm data draft error /> })
            }}
        </Suspense>
    }
}

/// The form over its loaded data (accounts, payees and a fresh key).
#[component]
pub fn LoadedForm(data: Result<TransferForm, AppError>, draft: Draft, error: Option<AppError>) -> impl IntoView {
    match data {
        Err(err) => view! { <ErrorText err /> }.into_any(),
        Ok(form) if form.from.is_empty() => view! { <p role="status">{t(Key::XferNoAccounts)}</p> }.into_any(),
        Ok(form) => view! { <FilledForm form draft error /> }.into_any(),
    }
}

/// `aria-describedby` for a field with an optional hint and an optional error.
fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [hint.then(|| format!("xfer-{name}-hint")), error.then(|| format!("xfer-{name}-error"))]
        .into_iter()
        .flatten()
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[component]
fn FilledForm(form: TransferForm, draft: Draft, error: Option<AppError>) -> impl IntoView {
    let i18n = use_i18n();
    // The key the customer's draft already carries (coming back to change it) is
    // kept, so sending the changed form still moves money at most once.
    let key = if IdempotencyKey::parse(&draft.idempotency_key).is_ok() {
        draft.idempotency_key.clone()
    } else {
        form.idempotency_key.clone()
    };
    let first_visit = draft == Draft::default();
    let new_payee = draft.to == "new";
    // A payee problem when a saved payee or own account was chosen shows at "pay to".
    let placed = |err: &AppError| -> String {
        match field_of(err) {
            "payee_account_no" | "payee_name" if !new_payee => "to".to_owned(),
            field => field.to_owned(),
        }
    };
    let error_at = |field: &'static str| error.clone().filter(|e| placed(e) == field);
    let form_error = error.clone().filter(|e| placed(e).is_empty());
    let from_error = error_at("from");
    let to_error = error_at("to");
    let account_error = error_at("payee_account_no");
    let name_error = error_at("payee_name");
    let amount_error = error_at("amount");
    let memo_error = error_at("memo");
    let from_selected =
        if draft.from.is_empty() { form.from.first().map(|a| a.id.to_string()) } else { Some(draft.from.clone()) };
    let save_checked = first_visit || draft.save_payee;

    let from_options = form
        .from
        .iter()
        .map(|a| {
            let value = a.id.to_string();
            let selected = from_selected.as_deref() == Some(value.as_str());
            let name = a.name.clone();
            let (masked, tier, balance, left) =
                (a.number_masked.clone(), a.tier, a.balance.display(), a.limit_left_today.display());
            view! {
                <option value=value selected=selected>
                    {move || {
                        let l = i18n.locale();
                        format!(
                            "{} {} · {} · {} {} · {} {}",
                            name.get(l),
                            masked,
                            l.text(tier_key(tier)),
                            l.text(Key::XferBalance),
                            balance,
                            l.text(Key::XferLeftToday),
                            left,
                        )
                    }}
                </option>
            }
        })
        .collect_view();
    let own_options = form
        .own
        .iter()
        .map(|a| {
            let value = format!("own:{}", a.id);
            let selected = draft.to == value;
            let name = a.name.clone();
            let masked = a.number_masked.clone();
            view! { <option value=value selected=selected>{move || format!("{} {}", name.get(i18n.locale()), masked)}</option> }
        })
        .collect_view();
    let payee_options = form
        .payees
        .iter()
        .map(|p| {
            let value = format!("payee:{}", p.id);
            let selected = draft.to == value;
            view! { <option value=value selected=selected>{format!("{} {}", p.label(), p.account_masked)}</option> }
        })
        .collect_view();
    let has_payees = !form.payees.is_empty();

    view! {
        {form_error.map(|err| view! { <ErrorText err /> })}
        <Form method="GET" action="/transfer" attr:class="xfer-form" attr:novalidate=true>
            <input type="hidden" name="step" value="confirm" />
            <input type="hidden" name="idempotency_key" value=key />
            <div class="field">
                <label for="xfer-from">{t(Key::XferFrom)}</label>
                <select
                    id="xfer-from"
                    name="from"
                    required=true
                    aria-invalid=from_error.is_some().then_some("true")
                    aria-describedby=described_by("from", false, from_error.is_some())
                >
                    {from_options}
                </select>
                {from_error.map(|err| view! { <ErrorText err id="xfer-from-error".to_owned() /> })}
            </div>
            <div class="field">
                <label for="xfer-to">{t(Key::XferTo)}</label>
                <select
                    id="xfer-to"
                    name="to"
                    required=true
                    aria-invalid=to_error.is_some().then_some("true")
                    aria-describedby=described_by("to", false, to_error.is_some())
                >
                    <option value="" selected=draft.to.is_empty()>{t(Key::XferToChoose)}</option>
                    <optgroup label=t(Key::XferToOwnGroup)>{own_options}</optgroup>
                    {has_payees.then(|| view! { <optgroup label=t(Key::XferToPayeesGroup)>{payee_options}</optgroup> })}
                    <option value="new" selected=new_payee>{t(Key::XferToNew)}</option>
                </select>
                {to_error.map(|err| view! { <ErrorText err id="xfer-to-error".to_owned() /> })}
                <p class="hint"><a href="/payees">{t(Key::XferManagePayees)}</a></p>
            </div>
            <fieldset class="xfer-new-payee">
                <legend>{t(Key::XferNewPayee)}</legend>
                <p class="hint" id="xfer-new-payee-hint">{t(Key::XferNewPayeeHint)}</p>
                <div class="field">
                    <label for="xfer-payee_account_no">{t(Key::XferPayeeAccountNo)}</label>
                    <input
                        id="xfer-payee_account_no"
                        name="payee_account_no"
                        type="text"
                        inputmode="numeric"
                        autocomplete="off"
                        maxlength=40
                        value=draft.payee_account_no.clone()
                        aria-invalid=account_error.is_some().then_some("true")
                        aria-describedby=described_by("payee_account_no", false, account_error.is_some())
                    />
                    {account_error.map(|err| view! { <ErrorText err id="xfer-payee_account_no-error".to_owned() /> })}
                </div>
                <div class="field">
                    <label for="xfer-payee_name">{t(Key::XferPayeeName)}</label>
                    <input
                        id="xfer-payee_name"
                        name="payee_name"
                        type="text"
                        autocomplete="off"
                        maxlength=40
                        value=draft.payee_name.clone()
                        aria-invalid=name_error.is_some().then_some("true")
                        aria-describedby=described_by("payee_name", false, name_error.is_some())
                    />
                    {name_error.map(|err| view! { <ErrorText err id="xfer-payee_name-error".to_owned() /> })}
                </div>
                <div class="xfer-check">
                    <input
                        id="xfer-save_payee"
                        name="save_payee"
                        type="checkbox"
                        value="on"
                        checked=save_checked
                        aria-describedby="xfer-save_payee-hint"
                    />
                    <label for="xfer-save_payee">{t(Key::XferSavePayee)}</label>
                    <p class="hint" id="xfer-save_payee-hint">{t(Key::XferSavePayeeHint)}</p>
                </div>
            </fieldset>
            <div class="field">
                <label for="xfer-amount">{t(Key::XferAmount)}</label>
                <div class="xfer-money-input">
                    <span aria-hidden="true">"¥"</span>
                    <input
                        id="xfer-amount"
                        name="amount"
                        type="text"
                        inputmode="decimal"
                        autocomplete="off"
                        required=true
                        maxlength=20
                        value=draft.amount.clone()
                        aria-invalid=amount_error.is_some().then_some("true")
                        aria-describedby=described_by("amount", true, amount_error.is_some())
                    />
                </div>
                <p class="hint" id="xfer-amount-hint">{t(Key::XferAmountHint)}</p>
                {amount_error.map(|err| view! { <ErrorText err id="xfer-amount-error".to_owned() /> })}
            </div>
            <div class="field">
                <label for="xfer-memo">{t(Key::XferMemo)}</label>
                <input
                    id="xfer-memo"
                    name="memo"
                    type="text"
                    autocomplete="off"
                    maxlength=60
                    value=draft.memo.clone()
                    aria-invalid=memo_error.is_some().then_some("true")
                    aria-describedby=described_by("memo", true, memo_error.is_some())
                />
                <p class="hint" id="xfer-memo-hint">{t(Key::XferMemoHint)}</p>
                {memo_error.map(|err| view! { <ErrorText err id="xfer-memo-error".to_owned() /> })}
            </div>
            <button class="button primary" type="submit">{t(Key::XferNext)}</button>
        </Form>
    }
}
