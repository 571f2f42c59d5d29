//! Opening a time deposit: choose (a GET form, so the choice lives in the URL and
//! the back button works), confirm (maturity date and interest, with the key the
//! server generated when the form was first drawn), then the result.
use super::{at_maturity_key, fill, localized, DepError};
use crate::api::deposits::{
    deposit_open_form, deposit_opened, deposit_quote, rate_text, OpenForm, OpenQuote, OpenTimeDeposit, OpenedDeposit,
};
use crate::components::form::action_error;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the customer chose, as carried in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Choice {
    product: String,
    from: String,
    amount: String,
    at_maturity: String,
    key: String,
    confirm: bool,
}

#[component]
pub fn OpenTimeDepositPage() -> impl IntoView {
    let query = use_query_map();
    let opened = move || query.with(|q| q.get("opened").and_then(|v| v.parse::<i64>().ok()));
    let choice = move || {
        query.with(|q| Choice {
            product: q.get("product").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            amount: q.get("amount").unwrap_or_default(),
            at_maturity: q.get("at_maturity").unwrap_or_default(),
            key: q.get("key").unwrap_or_default(),
            confirm: q.get("step").is_some_and(|s| s == "confirm"),
        })
    };
    view! {
        <section class="form-page wide deposits" aria-labelledby="dep-open-title">
            <h1 id="dep-open-title">{t(Key::DepOpenTitle)}</h1>
            {move || match opened() {
                Some(id) => view! { <Opened id /> }.into_any(),
                None => view! { <Choose choice=choice() /> }.into_any(),
            }}
            <p class="dep-back">
                <a href="/deposits">{t(Key::DepBackToDeposits)}</a>
            </p>
        </section>
    }
}

#[component]
fn Choose(choice: Choice) -> impl IntoView {
    let form = Resource::new_blocking(|| (), |_| deposit_open_form());
    let quote_choice = choice.clone();
    let quote = Resource::new_blocking(
        move || quote_choice.clone(),
        |c| async move {
            if !c.confirm {
                return None;
            }
            let from = c.from.trim().parse::<i64>().unwrap_or(0);
            Some(deposit_quote(c.product, from, c.amount, c.at_maturity, c.key).await)
        },
    );
    view! {
        <Suspense fallback=|| view! { <p>{t(Key::DepLoading)}</p> }>
            {move || {
                let choice = choice.clone();
                let form = form.get()?;
                let quote = quote.get()?;
                Some(match form {
                    Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                    Ok(form) => {
                        match quote {
                            Some(Ok(quote)) => view! { <Confirm quote choice=choice /> }.into_any(),
                            Some(Err(e)) => {
                                let key = super::dep_error_key(&e);
                                view! {
                                    <p class="error" role="alert">{t(key)}</p>
                                    {choose_form(form, choice)}
                                }
                                    .into_any()
                            }
                            None => choose_form(form, choice).into_any(),
                        }
                    }
                })
            }}
        </Suspense>
    }
}

fn choose_form(form: OpenForm, choice: Choice) -> impl IntoView {
    // The key the page was first drawn with travels with the choice, so a corrected
    // amount still opens at most one deposit.
    let key = if choice.key.is_empty() { form.key.clone() } else { choice.key.clone() };
    if form.accounts.is_empty() {
        return view! { <p class="error" role="alert">{t(Key::DepNoDemandAccount)}</p> }.into_any();
    }
    let chosen_product = if choice.product.is_empty() {
        form.products.first().map(|p| p.code.clone()).unwrap_or_default()
    } else {
        choice.product
    };
    let chosen_from = choice.from;
    let renew = choice.at_maturity == "renew";
    view! {
        <p>{t(Key::DepOpenLead)}</p>
        <form method="get" action="/deposits/open" class="dep-open-form">
            <input type="hidden" name="step" value="confirm" />
            <input type="hidden" name="key" value=key />
            <fieldset class="dep-products">
                <legend>{t(Key::DepProductLegend)}</legend>
                {form
                    .products
                    .into_iter()
                    .map(|p| {
                        let id = format!("product-{}", p.code);
                        let checked = p.code == chosen_product;
                        view! {
                            <div class="dep-radio dep-product">
                                <input type="radio" id=id.clone() name="product" value=p.code.clone() checked=checked required=true />
                                <label for=id>
                                    <strong>{localized(p.name)}</strong>
                                    <span class="dep-product-terms">
                                        {fill(Key::DepTermMonths, p.term_months)}" · "{t(Key::DepRateShort)}" "{rate_text(p.rate_bp)}
                                    </span>
                                </label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="field">
                <label for="dep-from">{t(Key::DepFromAccount)}</label>
                <select id="dep-from" name="from" required=true>
                    {form
                        .accounts
                        .into_iter()
                        .map(|a| {
                            let selected = a.id.to_string() == chosen_from;
                            view! {
                                <option value=a.id.to_string() selected=selected>
                                    {format!("{} · {}", a.number_masked, a.balance.display())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="dep-amount">{t(Key::DepAmount)}</label>
                <input
                    id="dep-amount"
                    name="amount"
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    required=true
                    value=choice.amount
                    aria-describedby="dep-amount-hint"
                />
                <p class="hint" id="dep-amount-hint">{fill(Key::DepAmountHint, form.minimum.display())}</p>
            </div>
            <fieldset>
                <legend>{t(Key::DepSwitchLegend)}</legend>
                <div class="dep-radio">
                    <input type="radio" id="dep-pay-out" name="at_maturity" value="pay_out" checked=!renew />
                    <label for="dep-pay-out">{t(Key::DepAtMaturityPayOut)}</label>
                </div>
                <div class="dep-radio">
                    <input type="radio" id="dep-renew" name="at_maturity" value="renew" checked=renew />
                    <label for="dep-renew">{t(Key::DepAtMaturityRenew)}</label>
                </div>
            </fieldset>
            <button class="button primary" type="submit">{t(Key::DepContinue)}</button>
        </form>
    }
    .into_any()
}

#[component]
fn Confirm(quote: OpenQuote, choice: Choice) -> impl IntoView {
    let open = ServerAction::<OpenTimeDeposit>::new();
    let error = action_error(open);
    let back = format!(
        "/deposits/open?product={}&from={}&amount={}&at_maturity={}&key={}",
        urlencode(&choice.product),
        urlencode(&choice.from),
        urlencode(&choice.amount),
        urlencode(&choice.at_maturity),
        urlencode(&choice.key)
    );
    let at = quote.at_maturity;
    view! {
        <section class="panel" aria-labelledby="dep-confirm-title">
            <h2 id="dep-confirm-title">{t(Key::DepConfirmTitle)}</h2>
            <dl class="dep-facts dep-confirm">
                <div>
                    <dt>{t(Key::DepProduct)}</dt>
                    <dd>{localized(quote.product.name.clone())}</dd>
                </div>
                <div>
                    <dt>{t(Key::DepFromAccount)}</dt>
                    <dd>{quote.from_masked.clone()}</dd>
                </div>
                <div>
                    <dt>{t(Key::DepAmount)}</dt>
                    <dd><strong>{quote.amount.display()}</strong></dd>
                </div>
                <div>
                    <dt>{t(Key::DepRate)}</dt>
                    <dd>{rate_text(quote.product.rate_bp)}</dd>
                </div>
                <div>
                    <dt>{t(Key::DepTerm)}</dt>
                    <dd>{fill(Key::DepTermMonths, quote.product.term_months)}</dd>
                </div>
                <div>
                    <dt>{t(Key::DepOpenedOn)}</dt>
                    <dd>{quote.opened_on.to_string()}</dd>
                </div>
                <div>
                    <dt>{t(Key::DepMaturityDate)}</dt>
                    <dd><strong>{quote.maturity_date.to_string()}</strong></dd>
                </div>
                <div>
                    <dt>{t(Key::DepInterestAtMaturity)}</dt>
                    <dd><strong>{quote.interest_at_maturity.display()}</strong></dd>
                </div>
                <div>
                    <dt>{t(Key::DepTotalAtMaturity)}</dt>
                    <dd>{quote.total_at_maturity.display()}</dd>
                </div>
                <div>
                    <dt>{t(Key::DepAtMaturity)}</dt>
                    <dd>{t(at_maturity_key(at))}</dd>
                </div>
            </dl>
            <p class="small">{t(Key::DepConfirmNote)}</p>
            <ActionForm action=open attr:class="dep-confirm-form">
                <input type="hidden" name="product" value=choice.product.clone() />
                <input type="hidden" name="from" value=choice.from.clone() />
                <input type="hidden" name="amount" value=choice.amount.clone() />
                <input type="hidden" name="at_maturity" value=at.as_str() />
                <input type="hidden" name="key" value=choice.key.clone() />
                <DepError error=error />
                <button class="button primary" type="submit">{t(Key::DepConfirmSubmit)}</button>
            </ActionForm>
            <p>
                <a href=back>{t(Key::DepChange)}</a>
            </p>
        </section>
    }
}

#[component]
fn Opened(id: i64) -> impl IntoView {
    let result = Resource::new_blocking(move || id, deposit_opened);
    view! {
        <Suspense fallback=|| view! { <p>{t(Key::DepLoading)}</p> }>
            {move || {
                result
                    .get()
                    .map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                        Ok(d) => opened_view(d).into_any(),
                    })
            }}
        </Suspense>
    }
}

fn opened_view(d: OpenedDeposit) -> impl IntoView {
    view! {
        <p class="success" role="status">{t(Key::DepOpenedNotice)}</p>
        <dl class="dep-facts dep-confirm">
            <div>
                <dt>{t(Key::DepProduct)}</dt>
                <dd>{localized(d.name.clone())}</dd>
            </div>
            <div>
                <dt>{t(Key::DepNumber)}</dt>
                <dd>{d.number_masked.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::DepPrincipal)}</dt>
                <dd><strong>{d.principal.display()}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::DepRate)}</dt>
                <dd>{rate_text(d.rate_bp)}</dd>
            </div>
            <div>
                <dt>{t(Key::DepTerm)}</dt>
                <dd>{fill(Key::DepTermMonths, d.term_months)}</dd>
            </div>
            <div>
                <dt>{t(Key::DepOpenedOn)}</dt>
                <dd>{d.opened_on.to_string()}</dd>
            </div>
            <div>
                <dt>{t(Key::DepMaturityDate)}</dt>
                <dd><strong>{d.maturity_date.to_string()}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::DepInterestAtMaturity)}</dt>
                <dd>{d.interest_at_maturity.display()}</dd>
            </div>
            <div>
                <dt>{t(Key::DepAtMaturity)}</dt>
                <dd>{t(at_maturity_key(d.at_maturity))}</dd>
            </div>
            <div>
                <dt>{t(Key::DepLinkedAccount)}</dt>
                <dd>{d.from_masked.clone()}</dd>
            </div>
        </dl>
        <p class="dep-actions">
            <a class="button primary" href=format!("/deposits#td-{}", d.account_id)>{t(Key::DepBackToDeposits)}</a>
            " "
            <a class="button" href="/deposits/open">{t(Key::DepOpenAnother)}</a>
        </p>
    }
}

/// Percent-encodes a query value (the amount may hold "," or "¥").
fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes_query_values() {
        assert_eq!(super::urlencode("1,000.50"), "1%2C000.50");
        assert_eq!(super::urlencode("¥5"), "%C2%A55");
    }
}
