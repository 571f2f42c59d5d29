//! Server functions of transfers and payees. Each works from a plain HTML form (no
//! WASM): the form page reads `transfer_form`, the confirmation page reads
//! `transfer_preview` (it moves nothing), and `transfer_make` sends and redirects to
//! the receipt. Every id is looked up through its owner: a foreign one is "not found".
//!
//! The transfer fields, the same for the preview and the sending:
//! - `from`: the paying demand account's id;
//! - `to`: `own:<account id>`, `payee:<saved payee id>` or `new` (then
//!   `payee_account_no` and `payee_name`, and `save_payee` = any value to keep them);
//! - `amount` as typed ("1,250.00"), `memo` (at most 60 characters);
//! - `idempotency_key`: from `transfer_form`; the same key moves money once.
// The server functions take the fields of one HTML form, one argument each (the
// `#[server]` macro does not pass an `allow` on to the client's copy).
#![allow(clippy::too_many_arguments)]
use crate::error::AppError;
use crate::types::transfer::{PayeeView, TransferConfirmation, TransferForm};
use crate::types::Receipt;
use leptos::prelude::*;

/// What the first step of the transfer form needs, with a fresh idempotency key.
#[server(name = LoadTransferForm, prefix = "/api", endpoint = "transfer_form")]
pub async fn transfer_form() -> Result<TransferForm, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::ledger::transfer_views;
    use crate::types::IdempotencyKey;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    Ok(TransferForm {
        from: transfer_views::payable_accounts(&state, who).await?,
        own: transfer_views::own_destinations(&state, who).await?,
        payees: transfer_views::payees(&state, who).await?,
        idempotency_key: IdempotencyKey::generate().as_str().to_owned(),
    })
}

/// The confirmation step: checks everything a transfer would check and says what
/// will happen. Moves nothing.
#[server(prefix = "/api", endpoint = "transfer_preview")]
pub async fn preview_transfer(
    from: String,
    to: String,
    payee_account_no: Option<String>,
    payee_name: Option<String>,
    amount: String,
    memo: Option<String>,
    save_payee: Option<String>,
    idempotency_key: String,
) -> Result<TransferConfirmation, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::identity::second_factor;
    use crate::backend::ledger::transfer::{self, STEP_UP_ABOVE};
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let fields = Fields { from, to, payee_account_no, payee_name, amount, memo, save_payee, idempotency_key };
    let request = support::request(&state, &ctx, fields).await?;
    let preview = transfer::preview(&state, &who, &request).await.map_err(support::on_form)?;
    Ok(TransferConfirmation {
        from_masked: preview.from_masked,
        to_masked: preview.to_masked,
        payee_name: preview.payee_name,
        amount: preview.amount,
        daily_limit_left: preview.daily_limit_left,
        needs_step_up: preview.needs_step_up,
        step_up_fresh: ctx.customer_for_sensitive_change().is_ok(),
        has_authenticator: second_factor::is_enrolled(&state, who.credential_id).await?,
        new_payee: preview.new_payee,
        step_up_above: STEP_UP_ABOVE,
    })
}

/// Sends the transfer, once per idempotency key, and redirects to its receipt. When
/// the transfer needs a fresh second factor (a new payee, or above ¥5,000) and none
/// was confirmed in the last minutes, `step_up_code` (the authenticator's code)
/// confirms it here; without one the answer is `step_up_required`.
#[server(prefix = "/api", endpoint = "transfer_make")]
pub async fn make_transfer(
    from: String,
    to: String,
    payee_account_no: Option<String>,
    payee_name: Option<String>,
    amount: String,
    memo: Option<String>,
    save_payee: Option<String>,
    idempotency_key: String,
    step_up_code: Option<String>,
) -> Result<Receipt, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::ledger::transfer::{self, StepUp};
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    let fields = Fields { from, to, payee_account_no, payee_name, amount, memo, save_payee, idempotency_key };
    let request = support::request(&state, &ctx, fields).await?;
    let step_up = if ctx.customer_for_sensitive_change().is_ok() { StepUp::Fresh } else { StepUp::Missing };
    let code = step_up_code.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let receipt = match transfer::transfer(&state, &who, &request, step_up, &ctx.origin).await {
        Err(err) if err.code == ErrorCode::StepUpRequired => {
            // The code is checked only when it is needed, so a code typed for nothing
            // is not spent. The first attempt rolled back entirely, key included.
            let Some(code) = code else {
                return Err(AppError { code: ErrorCode::StepUpRequired, field: Some("step_up_code".into()) });
            };
            crate::api::identity::step_up(code)
                .await
                .map_err(|err| AppError { code: err.code, field: Some("step_up_code".into()) })?;
            transfer::transfer(&state, &who, &request, StepUp::Fresh, &ctx.origin).await
        }
        other => other,
    }
    .map_err(support::on_form)?;
    leptos_axum::redirect(&format!("/transfer/receipt/{}", receipt.receipt_no));
    Ok(receipt)
}

/// A receipt of one of the customer's own transfers.
#[server(name = LoadReceipt, prefix = "/api", endpoint = "transfer_receipt")]
pub async fn receipt(receipt_no: String) -> Result<Receipt, AppError> {
    use crate::backend::auth::RequestContext;
    use crate::backend::ledger::transfer_views;
    use crate::error::ErrorCode;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_read()?;
    let plain = receipt_no.len() <= 40 && receipt_no.bytes().all(|b| b.is_ascii_alphanumeric());
    if !plain {
        return Err(AppError::new(ErrorCode::NotFound));
    }
    transfer_views::receipt(&state, who, &receipt_no).await
}

/// The customer's saved payees, the most recently paid first.
#[server(prefix = "/api", endpoint = "payees")]
pub async fn payees() -> Result<Vec<PayeeView>, AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    crate::backend::ledger::transfer_views::payees(&state, ctx.customer_for_read()?).await
}

/// Removes one of the customer's saved payees.
#[server(prefix = "/api", endpoint = "payee_delete")]
pub async fn delete_payee(id: i64) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    crate::backend::ledger::transfer_views::delete_payee(&state, who, id, &ctx.origin).await?;
    leptos_axum::redirect("/payees?deleted=1");
    Ok(())
}

/// Gives one of the customer's saved payees a nickname (empty: none).
#[server(prefix = "/api", endpoint = "payee_rename")]
pub async fn rename_payee(id: i64, nickname: String) -> Result<(), AppError> {
    use crate::backend::auth::RequestContext;
    let ctx = RequestContext::current()?;
    let state = crate::backend::use_state()?;
    let who = ctx.customer_for_change()?;
    crate::backend::ledger::transfer_views::rename_payee(&state, who, id, &nickname).await?;
    leptos_axum::redirect("/payees?renamed=1");
    Ok(())
}

/// The fields of the transfer form, as posted.
#[cfg(feature = "ssr")]
struct Fields {
    from: String,
    to: String,
    payee_account_no: Option<String>,
    payee_name: Option<String>,
    amount: String,
    memo: Option<String>,
    save_payee: Option<String>,
    idempotency_key: String,
}

#[cfg(feature = "ssr")]
mod support {
    use super::Fields;
    use crate::backend::auth::RequestContext;
    use crate::backend::ledger::transfer::{Destination, TransferRequest, MEMO_MAX_CHARS};
    use crate::backend::ledger::transfer_views;
    use crate::backend::AppState;
    use crate::error::{AppError, ErrorCode};
    use crate::types::{Amount, IdempotencyKey};

    /// The longest holder's name accepted for a new payee.
    const NAME_MAX_CHARS: usize = 40;

    /// Reads the posted fields into a transfer request; the first problem found is
    /// answered with the field it belongs to.
    pub async fn request(state: &AppState, ctx: &RequestContext, fields: Fields) -> Result<TransferRequest, AppError> {
        let from: i64 = fields.from.trim().parse().map_err(|_| AppError::invalid("from"))?;
        let to = match fields.to.trim().split_once(':') {
            Some(("own", id)) => Destination::Own(id.parse().map_err(|_| AppError::invalid("to"))?),
            Some(("payee", id)) => {
                let id: i64 = id.parse().map_err(|_| AppError::invalid("to"))?;
                let (account_no, holder_name) =
                    transfer_views::payee_destination(state, ctx.customer_for_read()?, id).await?;
                Destination::Other { account_no, holder_name }
            }
            None if fields.to.trim() == "new" => new_payee(fields.payee_account_no, fields.payee_name)?,
            _ => return Err(AppError::invalid("to")),
        };
        let amount = Amount::parse(&fields.amount)?;
        let memo = fields.memo.unwrap_or_default().trim().to_owned();
        if memo.chars().count() > MEMO_MAX_CHARS || memo.chars().any(char::is_control) {
            return Err(AppError::invalid("memo"));
        }
        let key = IdempotencyKey::parse(fields.idempotency_key.trim())?;
        let save_payee = fields.save_payee.is_some_and(|v| !v.is_empty()) && matches!(to, Destination::Other { .. });
        Ok(TransferRequest { from, to, amount, memo, key, save_payee })
    }

    fn new_payee(account_no: Option<String>, name: Option<String>) -> Result<Destination, AppError> {
        let account_no: String = account_no.unwrap_or_default().chars().filter(|c| !c.is_whitespace()).collect();
        if !(12..=25).contains(&account_no.len()) || !account_no.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::invalid("payee_account_no"));
        }
        let name = name.unwrap_or_default().trim().to_owned();
        if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || name.chars().any(char::is_control) {
            return Err(AppError::invalid("payee_name"));
        }
        Ok(Destination::Other { account_no, holder_name: name })
    }

    /// Names the form's field for a backend answer where the form has one.
    pub fn on_form(err: AppError) -> AppError {
        match err.field.as_deref() {
            Some("holder_name") => AppError { code: err.code, field: Some("payee_name".into()) },
            _ if err.code == ErrorCode::PayeeMismatch => AppError { code: err.code, field: Some("payee_name".into()) },
            _ => err,
        }
    }
}
