//! Step 2: the confirmation. Reads `transfer_preview` for the draft in the URL (moves
//! nothing); when that fails, the form comes back with the error at its field. Its
//! own form posts every field again, with the same idempotency key, to
//! `transfer_make`, and the authenticator code when the transfer needs one.
use super::form::LoadedForm;
use super::{capital_amount, field_of, Draft, ErrorText, Steps};
use crate::api::transfers::{preview_transfer, transfer_form, MakeTransfer};
use crate::components::form::action_error;
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use crate::types::transfer::{TransferConfirmation, TransferForm};
use leptos::prelude::*;

/// What the confirmation page shows: the transfer to confirm, or (the preview
/// refused it) the form again with the error and the form's own data.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
enum Outcome {
    Confirm(TransferConfirmation),
    Refused(AppError, Result<TransferForm, AppError>),
}

#[component]
pub fn ConfirmStep(draft: Memo<Draft>) -> impl IntoView {
    let make = ServerAction::<MakeTransfer>::new();
    let make_error = action_error(make);
    // One resource and one Suspense: the form's data is loaded in the same future,
    // after the preview refuses. Two resources (or a Suspense nested in a resolved
    // one) left in-order server rendering waiting for ever now and then.
    let outcome = Resource::new_blocking(
        move || (draft.get(), make.version().get()),
        |(d, _)| async move {
            let previewed = preview_transfer(
                d.from,
                d.to,
                Some(d.payee_account_no),
                Some(d.payee_name),
                d.amount,
                Some(d.memo),
                d.save_payee.then(|| "on".to_owned()),
                d.idempotency_key,
            )
            .await;
            match previewed {
                Ok(confirmation) => Outcome::Confirm(confirmation),
                Err(error) => Outcome::Refused(error, transfer_form().await),
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                outcome
                    .get()
                    .map(|outcome| match outcome {
                        Outcome::Refused(error, data) => {
                            view! { <Steps current=1 /> <LoadedForm data draft=draft.get_untracked() error=Some(error) /> }
                                .into_any()
                        }
                        Outcome::Confirm(confirmation) => {
                            view! { <Confirmation confirmation draft=draft.get_untracked() make make_error=make_error.get() /> }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

#[component]
fn Confirmation(
    confirmation: TransferConfirmation,
    draft: Draft,
    make: ServerAction<MakeTransfer>,
    make_error: Option<AppError>,
) -> impl IntoView {
    let c = confirmation;
    let blocked = c.code_needed() && !c.has_authenticator;
    // A code problem goes under the code field when there is one, else above the form.
    let code_field = c.code_needed() && !blocked;
    let at_code = |e: &AppError| code_field && field_of(e) == "step_up_code";
    // The key was spent on another transfer: changing the details starts afresh with a new key.
    let spent = make_error.as_ref().is_some_and(|e| e.code == crate::error::ErrorCode::IdempotencyConflict);
    let code_error = make_error.clone().filter(at_code);
    let other_error = make_error.filter(|e| !at_code(e));
    let amount = c.amount;
    let limit = c.daily_limit_left.map(|left| (left, left.minor() - amount.minor()));
    let edit_url =
        if spent { Draft { idempotency_key: String::new(), ..draft.clone() }.edit_url() } else { draft.edit_url() };
    let hidden = draft
        .pairs()
        .into_iter()
        .map(|(name, value)| view! { <input type="hidden" name=name value=value /> })
        .collect_view();
    let step_up_reason = if c.new_payee {
        view! { <p>{t(Key::XferStepUpNewPayee)}</p> }.into_any()
    } else {
        let above = c.step_up_above.display();
        view! { <p>{t(Key::XferStepUpAbove)}" "{above}" "{t(Key::XferStepUpAboveEnd)}</p> }.into_any()
    };
    let step_up = if !c.needs_step_up {
        ().into_any()
    } else if c.step_up_fresh {
        view! { <p class="success" role="status">{t(Key::XferStepUpFresh)}</p> }.into_any()
    } else if blocked {
        view! {
            <div class="xfer-notice" role="alert">
                {step_up_reason}
                <p>{t(Key::XferNoAuthenticator)}</p>
                <p><a class="button" href="/security">{t(Key::XferSecurityLink)}</a></p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="xfer-notice">
                {step_up_reason}
                <div class="field">
                    <label for="xfer-step_up_code">{t(Key::XferCode)}</label>
                    <input
                        id="xfer-step_up_code"
                        name="step_up_code"
                        type="text"
                        inputmode="numeric"
                        autocomplete="one-time-code"
                        pattern="[0-9]*"
                        maxlength=6
                        required=true
                        aria-invalid=code_error.is_some().then_some("true")
                        aria-describedby=code_error.is_some().then_some("xfer-step_up_code-error")
                    />
                    {code_error.map(|err| view! { <ErrorText err id="xfer-step_up_code-error".to_owned() /> })}
                </div>
            </div>
        }
        .into_any()
    };

    view! {
        <Steps current=2 />
        <p>{t(Key::XferConfirmLead)}</p>
        {other_error.map(|err| view! { <ErrorText err /> })}
        <div class="xfer-amount">
            <p class="xfer-amount-label">{t(Key::XferAmountLabel)}</p>
            <p class="xfer-amount-figure">{amount.display()}</p>
            <p class="xfer-amount-words">
                <span class="xfer-words-label">{t(Key::XferAmountWords)}</span>
                " "
                <span lang="zh-CN">{format!("人民币{}", capital_amount(amount.minor()))}</span>
            </p>
        </div>
        <dl class="xfer-details">
            <div>
                <dt>{t(Key::XferPayee)}</dt>
                <dd><strong>{c.payee_name.clone()}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::XferToAccount)}</dt>
                <dd class="xfer-number">{c.to_masked.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::XferFromAccount)}</dt>
                <dd class="xfer-number">{c.from_masked.clone()}</dd>
            </div>
            {(!draft.memo.trim().is_empty())
                .then(|| {
                    view! {
                        <div>
                            <dt>{t(Key::XferMemoLabel)}</dt>
                            <dd>{draft.memo.trim().to_owned()}</dd>
                        </div>
                    }
                })}
            <div>
                <dt>{t(Key::XferLimitLeft)}</dt>
                <dd>
                    {match limit {
                        Some((left, after)) => {
                            view! {
                                {left.display()}
                                <span class="xfer-after">
                                    {t(Key::XferLimitAfter)}
                                    " "
                                    {crate::types::Money::yuan_fen(after.max(0)).display()}
                                </span>
                            }
                                .into_any()
                        }
                        None => view! { {t(Key::XferLimitOwn)} }.into_any(),
                    }}
                </dd>
            </div>
        </dl>
        {c.new_payee
            .then(|| {
                view! {
                    <div class="xfer-notice">
                        <p><strong>{t(Key::XferNewPayeeNotice)}</strong></p>
                        {draft.save_payee.then(|| view! { <p>{t(Key::XferWillSave)}</p> })}
                    </div>
                }
            })}
        <ActionForm action=make attr:class="xfer-send">
            {hidden}
            {step_up}
            {(!blocked).then(|| view! { <button class="button primary" type="submit">{t(Key::XferSend)}</button> })}
        </ActionForm>
        <p class="xfer-change"><a class="button" href=edit_url>{t(Key::XferChange)}</a></p>
    }
}
