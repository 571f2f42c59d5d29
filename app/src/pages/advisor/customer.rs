//! `/staff/customers/:customer_no`: the customer 360. The advisor's summary
//! (segment and total assets, products and balances, the relationship manager) and
//! the console's sections: profile and online banking, support actions, recent
//! postings, every request, booking and thread, security events, call notes and the
//! staff-access history. Agents, supervisors and admins open any customer, advisors
//! those they serve; each view is audited.
use super::load_error;
use crate::api::advisor::CustomerSummary;
use crate::api::console::{done_key, staff_customer_360};
use crate::i18n::{use_i18n, Key};
use crate::pages::console::{Customer360Sections, SupportActions};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CustomerSummaryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let actions = SupportActions::new();
    let data = Resource::new_blocking(
        move || (params.with(|p| p.get("customer_no").unwrap_or_default()), actions.version()),
        |(customer_no, _)| staff_customer_360(customer_no),
    );
    let flash = move || query.with(|q| q.get("done").and_then(|done| done_key(&done)));
    view! {
        <section class="adv-page console-page" aria-labelledby="adv-customer-title">
            <h1 id="adv-customer-title">{t(Key::AdvCustomerTitle)}</h1>
            <p>
                <a href="/staff/customers">{t(Key::ConsoleBackToSearch)}</a>
            </p>
            {move || flash().map(|key| view! { <p class="success" role="status">{t(key)}</p> })}
            <Suspense fallback=|| view! { <p>{t(Key::AdvLoading)}</p> }>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Err(e) => load_error(&e),
                            Ok(d) => {
                                view! {
                                    {summary_view(d.summary.clone())}
                                    <Customer360Sections data=d actions />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

fn summary_view(s: CustomerSummary) -> impl IntoView {
    let i18n = use_i18n();
    let branch = s.branch.clone();
    view! {
        <h2 class="adv-customer-name">{s.name.clone()}" ("{s.customer_no.clone()}")"</h2>
        <dl class="adv-facts">
            <div>
                <dt>{t(Key::AdvSegment)}</dt>
                <dd>
                    <span class="adv-segment" data-segment=format!("{:?}", s.segment).to_lowercase()>{t(s.segment.label())}</span>
                </dd>
            </div>
            <div>
                <dt>{t(Key::AdvTotalAssets)}</dt>
                <dd><strong>{s.total_assets.display()}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::AdvTotalLiabilities)}</dt>
                <dd>{s.total_liabilities.display()}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvBranch)}</dt>
                <dd>{move || branch.get(i18n.locale()).to_owned()}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvManager)}</dt>
                <dd>
                    {match s.manager.clone() {
                        Some(m) => format!("{} · {}", m.name, m.staff_no).into_any(),
                        None => t(Key::AdvNoManager).into_any(),
                    }}
                </dd>
            </div>
        </dl>
        <section class="panel" aria-labelledby="adv-products-title">
            <h2 id="adv-products-title">{t(Key::AdvProductsTitle)}</h2>
            {if s.products.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoProducts)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-products" role="list">
                        {s
                            .products
                            .into_iter()
                            .map(|p| {
                                let name = p.name.clone();
                                view! {
                                    <li>
                                        <span>{move || name.get(i18n.locale()).to_owned()}" "<span class="adv-meta">{p.number_masked}</span></span>
                                        <span class="adv-amount">{p.balance.display()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}
