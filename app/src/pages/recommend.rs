//! The customer's side of recommendations: "Suggested for you" (on the accounts
//! overview), each with "Why am I seeing this?" (a `<details>`: no script needed)
//! and a plain "Not interested" form; and the marketing switch on the security page.
use crate::api::recommend::{
    marketing_status, recommendations, DismissRecommendation, Recommendation, RuleId, SetMarketing,
};
use crate::components::form::{action_error, FormError};
use crate::i18n::{use_i18n, Key, Locale};
use crate::pages::accounts::rate;
use crate::t;
use leptos::prelude::*;

fn reason_key(rule: RuleId) -> Key {
    match rule {
        RuleId::IdleBalance => Key::RecReasonIdleBalance,
        RuleId::Maturing => Key::RecReasonMaturingDeposit,
        RuleId::Salary => Key::RecReasonSalaryInstallment,
        RuleId::AgriLoan => Key::RecReasonAgriLoan,
        RuleId::WealthFund => Key::RecReasonWealthFund,
    }
}

/// The reason of a suggestion with its facts, in `locale` (also the RM's lead list).
pub fn reason_text(locale: Locale, r: &Recommendation) -> String {
    let f = &r.facts;
    let text = |v: Option<String>| v.unwrap_or_default();
    locale
        .text(reason_key(r.rule))
        .replace("{amount}", &text(f.amount.map(|m| m.display())))
        .replace("{rate}", &text(f.rate_bp.map(rate)))
        .replace("{count}", &text(f.count.map(|n| n.to_string())))
        .replace("{period}", &text(f.period.map(|n| n.to_string())))
        .replace("{day}", &text(f.day.map(|d| d.to_string())))
        .replace("{level}", &text(f.customer_level.map(|n| n.to_string())))
        .replace("{rating}", &text(f.product_level.map(|n| n.to_string())))
        .replace("{product}", r.product_name.get(locale))
}

/// "Suggested for you": nothing at all when there is nothing to suggest or the
/// customer turned suggestions off. `back` is the page the forms return to.
#[component]
pub fn SuggestedForYou(#[prop(default = "/accounts")] back: &'static str) -> impl IntoView {
    let dismiss = ServerAction::<DismissRecommendation>::new();
    let error = action_error(dismiss);
    let data = Resource::new_blocking(move || dismiss.version().get(), |_| recommendations());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                data.get()
                    .and_then(Result::ok)
                    .filter(|v| v.marketing_ok && !v.items.is_empty())
                    .map(|v| {
                        view! {
                            <section class="suggestions" id="suggestions" aria-labelledby="suggestions-title">
                                <h2 id="suggestions-title">{t(Key::RecTitle)}</h2>
                                <FormError error />
                                <ul class="suggestion-list" role="list">
                                    {v.items.into_iter().map(|r| suggestion_card(r, dismiss, back)).collect_view()}
                                </ul>
                            </section>
                        }
                    })
            }}
        </Suspense>
    }
}

fn suggestion_card(
    r: Recommendation,
    dismiss: ServerAction<DismissRecommendation>,
    back: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = r.product_name.clone();
    let reason = {
        let r = r.clone();
        move || reason_text(i18n.locale(), &r)
    };
    let title_id = format!("suggestion-{}-{}", r.rule.as_str(), r.product_code);
    let code = r.product_code.clone();
    view! {
        <li class="suggestion" data-rule=r.rule.as_str() data-product=code>
            <h3 id=title_id.clone()>{move || name.get(i18n.locale()).to_owned()}</h3>
            <details class="suggestion-why">
                <summary>{t(Key::RecWhy)}</summary>
                <p>{reason}</p>
            </details>
            <div class="suggestion-actions">
                <a class="button primary" href=r.href.clone() aria-describedby=title_id.clone()>
                    {t(Key::RecFindOut)}
                </a>
                <ActionForm action=dismiss attr:class="suggestion-dismiss">
                    <input type="hidden" name="rule" value=r.rule.as_str() />
                    <input type="hidden" name="product" value=r.product_code.clone() />
                    <input type="hidden" name="back" value=back />
                    <button class="button" type="submit" aria-describedby=title_id>
                        {t(Key::RecNotInterested)}
                    </button>
                </ActionForm>
            </div>
        </li>
    }
}

/// The security page's switch: suggestions on or off.
#[component]
pub fn MarketingSection() -> impl IntoView {
    let set = ServerAction::<SetMarketing>::new();
    let error = action_error(set);
    let status = Resource::new_blocking(move || set.version().get(), |_| marketing_status());
    view! {
        <section class="panel" id="marketing" aria-labelledby="marketing-title">
            <h2 id="marketing-title">{t(Key::RecMarketingTitle)}</h2>
            <p>{t(Key::RecMarketingIntro)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    status
                        .get()
                        .map(|loaded| match loaded {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(on) => {
                                let (state, button, value) = if on {
                                    (Key::RecMarketingOn, Key::RecMarketingTurnOff, "0")
                                } else {
                                    (Key::RecMarketingOff, Key::RecMarketingTurnOn, "1")
                                };
                                view! {
                                    <ActionForm action=set attr:class="marketing-setting">
                                        <p data-marketing=on.to_string()><strong>{t(state)}</strong></p>
                                        <input type="hidden" name="on" value=value />
                                        <FormError error />
                                        <button class="button" type="submit">{t(button)}</button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
