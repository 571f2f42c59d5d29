//! `/staff/my-customers?rm=<staff_no>`: the relationship manager's workspace. Every
//! section is a table in a scrollable region (usable at 320 px); supervisors and
//! admins get a plain GET form to choose the RM.
mod spark;

use crate::api::rm_workspace::{rm_workspace, RmWorkspaceView};
use crate::i18n::{use_i18n, Key};
use crate::pages::advisor::{fill, load_error};
use crate::pages::recommend::reason_text;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MyCustomersPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new_blocking(move || query.with(|q| q.get("rm").unwrap_or_default()), rm_workspace);
    view! {
        <section class="rm-page" aria-labelledby="rm-title">
            <h1 id="rm-title">{t(Key::RmTitle)}</h1>
            <p>{t(Key::RmIntro)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    data.get()
                        .map(|r| match r {
                            Err(e) => load_error(&e),
                            Ok(w) => workspace_view(w).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// A section: its heading, and its table or "Nothing here."
fn section(id: &'static str, title: Key, empty: bool, headings: Vec<Key>, rows: AnyView) -> impl IntoView {
    let heading = format!("{id}-title");
    let region = heading.clone();
    view! {
        <section class="panel rm-section" id=id aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{t(title)}</h2>
            {(title == Key::RmLeadsTitle).then(|| view! { <p class="small rm-leads-intro">{t(Key::RmLeadsIntro)}</p> })}
            {if empty {
                view! { <p class="rm-none">{t(Key::RmNone)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0" role="region" aria-labelledby=region>
                        <table class="data-table">
                            <thead>
                                <tr>{headings.into_iter().map(|h| view! { <th scope="col">{t(h)}</th> }).collect_view()}</tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
        </section>
    }
}

fn chooser(w: &RmWorkspaceView) -> Option<impl IntoView> {
    (!w.choices.is_empty()).then(|| {
        let current = w.manager.staff_no.clone();
        view! {
            <form method="get" action="/staff/my-customers" class="adv-chooser">
                <label for="rm-choose">{t(Key::RmChoose)}</label>
                <select id="rm-choose" name="rm">
                    {w.choices
                        .iter()
                        .map(|a| {
                            view! {
                                <option value=a.staff_no.clone() selected=a.staff_no == current>
                                    {format!("{} · {}", a.name, a.staff_no)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button class="button" type="submit">{t(Key::RmShow)}</button>
            </form>
        }
    })
}

fn customer_cell(no: &str, name: &str) -> impl IntoView {
    let href = format!("/staff/customers/{no}");
    let (no, name) = (no.to_owned(), name.to_owned());
    view! {
        <th scope="row">
            <a href=href>{name}</a>
            <span class="rm-no">{no}</span>
        </th>
    }
}

fn workspace_view(w: RmWorkspaceView) -> impl IntoView {
    let i18n = use_i18n();
    let manager = format!("{} · {}", w.manager.name, w.manager.staff_no);
    let chooser = chooser(&w);
    let no_customers = w.customers.is_empty();
    let customers = w.customers.into_iter().map(|c| {
        let label = t(Key::RmTrendLabel)().replace("{n}", &c.name);
        let trend = if c.trend.is_empty() {
            view! { <span class="small">{t(Key::RmNoTrend)}</span> }.into_any()
        } else {
            view! { <span class="rm-trend" inner_html=spark::sparkline_svg(&label, &c.trend)></span> }.into_any()
        };
        view! {
            <tr data-customer=c.customer_no.clone() data-segment=c.segment.as_str()>
                {customer_cell(&c.customer_no, &c.name)}
                <td>
                    {t(c.segment.label())}
                    {c.segment_today.then(|| view! { " "<span class="small">{t(Key::RmSegmentToday)}</span> })}
                    {(!c.marketing_ok).then(|| view! { <span class="rm-tag">{t(Key::RmMarketingOff)}</span> })}
                </td>
                <td class="figure">{c.aum.display()}</td>
                <td>{trend}</td>
            </tr>
        }
    });
    let maturing = w.maturing.iter().cloned().map(|m| {
        view! {
            <tr data-customer=m.customer_no.clone()>
                {customer_cell(&m.customer_no, &m.name)}
                <td>{m.account}</td>
                <td>{move || m.product.get(i18n.locale()).to_owned()}</td>
                <td class="figure">{m.amount.display()}</td>
                <td>{m.day.to_string()}</td>
            </tr>
        }
    });
    let dormant = w.dormant_soon.iter().cloned().map(|d| {
        view! {
            <tr data-customer=d.customer_no.clone()>
                {customer_cell(&d.customer_no, &d.name)}
                <td>{d.account}</td>
                <td>{d.last_activity.to_string()}</td>
                <td>{d.dormant_on.to_string()}</td>
            </tr>
        }
    });
    let requests = w.requests.iter().cloned().map(|r| {
        let href = format!("/staff/requests/{}", r.reference);
        view! {
            <tr data-customer=r.customer_no.clone()>
                {customer_cell(&r.customer_no, &r.name)}
                <td><a href=href>{r.reference}</a></td>
                <td>{t(r.kind.label())}</td>
                <td>{t(r.status.label())}</td>
                <td>{r.subject}</td>
            </tr>
        }
    });
    let consultations = w.consultations.iter().cloned().map(|b| {
        view! {
            <tr data-customer=b.customer_no.clone()>
                {customer_cell(&b.customer_no, &b.name)}
                <td>{b.at}</td>
                <td>{b.advisor_name}</td>
                <td>{t(b.purpose.label())}</td>
            </tr>
        }
    });
    let leads = w.leads.iter().map(|l| {
        let r = l.recommendation.clone();
        let name = r.product_name.clone();
        let code = r.product_code.clone();
        let rule = r.rule.as_str();
        view! {
            <tr data-customer=l.customer_no.clone() data-rule=rule data-product=code>
                {customer_cell(&l.customer_no, &l.name)}
                <td>{move || name.get(i18n.locale()).to_owned()}</td>
                <td>{move || reason_text(i18n.locale(), &r)}</td>
            </tr>
        }
    });
    use Key::*;
    view! {
        {chooser}
        <p>{fill(RmManagerOf, manager)}</p>
        {section(
            "rm-customers",
            RmCustomersTitle,
            no_customers,
            vec![RmColCustomer, RmColSegment, RmColAum, RmColTrend],
            customers.collect_view().into_any(),
        )}
        {section(
            "rm-maturing",
            RmMaturingTitle,
            w.maturing.is_empty(),
            vec![RmColCustomer, RmColAccount, RmColProduct, RmColAmount, RmColDay],
            maturing.collect_view().into_any(),
        )}
        {section(
            "rm-dormant",
            RmDormantTitle,
            w.dormant_soon.is_empty(),
            vec![RmColCustomer, RmColAccount, RmColLastActivity, RmColDormantOn],
            dormant.collect_view().into_any(),
        )}
        {section(
            "rm-requests",
            RmRequestsTitle,
            w.requests.is_empty(),
            vec![RmColCustomer, RmColReference, RmColKind, RmColStatus, RmColSubject],
            requests.collect_view().into_any(),
        )}
        {section(
            "rm-consultations",
            RmConsultTitle,
            w.consultations.is_empty(),
            vec![RmColCustomer, RmColWhen, RmColAdvisor, RmColPurpose],
            consultations.collect_view().into_any(),
        )}
        {section(
            "rm-leads",
            RmLeadsTitle,
            w.leads.is_empty(),
            vec![RmColCustomer, RmColSuggestion, RmColReason],
            leads.collect_view().into_any(),
        )}
    }
}
