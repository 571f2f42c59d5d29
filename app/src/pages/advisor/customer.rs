//! `/staff/customers/:customer_no`: the customer summary for staff who serve the
//! customer: segment and total assets, products and balances, the relationship
//! manager, open inquiries, open service requests and upcoming bookings. Each view is
//! audited.
use super::load_error;
use crate::api::advisor::{staff_customer_summary, CustomerSummary};
use crate::i18n::{use_i18n, Key};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CustomerSummaryPage() -> impl IntoView {
    let params = use_params_map();
    let summary = Resource::new_blocking(
        move || params.with(|p| p.get("customer_no").unwrap_or_default()),
        staff_customer_summary,
    );
    view! {
        <section class="adv-page" aria-labelledby="adv-customer-title">
            <h1 id="adv-customer-title">{t(Key::AdvCustomerTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(Key::AdvLoading)}</p> }>
                {move || {
                    summary
                        .get()
                        .map(|r| match r {
                            Err(e) => load_error(&e),
                            Ok(s) => summary_view(s).into_any(),
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
        <section class="panel" aria-labelledby="adv-inq-title">
            <h2 id="adv-inq-title">{t(Key::AdvOpenInquiries)}</h2>
            {if s.inquiries.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoInquiries)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-list" role="list">
                        {s
                            .inquiries
                            .into_iter()
                            .map(|i| {
                                let href = format!("/staff/inquiries/{}", i.id);
                                view! {
                                    <li class="adv-entry">
                                        <a href=href>
                                            <span class="adv-customer">{i.subject}</span>
                                            <span class="adv-meta">{t(i.topic.label())}" · "{i.last_at}</span>
                                            {i.waiting.then(|| view! { <span class="adv-status">{t(Key::AdvWaiting)}</span> })}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="adv-req-title">
            <h2 id="adv-req-title">{t(Key::AdvOpenRequests)}</h2>
            {if s.requests.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoRequests)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-list" role="list">
                        {s
                            .requests
                            .into_iter()
                            .map(|r| {
                                let href = format!("/staff/requests/{}", r.reference);
                                view! {
                                    <li class="adv-entry">
                                        <a href=href>
                                            <span class="adv-customer">{r.reference}" · "{r.subject}</span>
                                            <span class="adv-meta">
                                                {t(r.kind.label())}" · "{t(r.status.label())}
                                                {r.due_local.map(|due| view! { " · "{t(Key::AdvRequestDue)}" "{due} })}
                                            </span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="adv-upcoming-title">
            <h2 id="adv-upcoming-title">{t(Key::AdvUpcoming)}</h2>
            {if s.upcoming.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoUpcoming)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-list" role="list">
                        {s
                            .upcoming
                            .into_iter()
                            .map(|b| {
                                let href = format!("/staff/bookings/{}", b.id);
                                view! {
                                    <li class="adv-entry">
                                        <a href=href>
                                            <span class="adv-time">{b.at}</span>
                                            <span class="adv-customer">{b.advisor_name}</span>
                                            <span class="adv-meta">{t(b.purpose.label())}" · "{t(b.channel.label())}</span>
                                            <span class="adv-status">{b.reference}</span>
                                        </a>
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
