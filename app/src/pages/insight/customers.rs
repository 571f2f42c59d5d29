//! The customers behind a dashboard count (`/staff/insight/customers?metric=…`):
//! as many rows as the number clicked, a page at a time, phone masked, each
//! customer linked to the 360. Viewing it is audited on the server.
use super::tables::{kind_key, request_kind_text, segment_text};
use super::LoadError;
use crate::api::insight::{insight_customers, DrillList};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use crate::types::Segment;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What a metric counts, in words: "Dormant accounts", "Holders: Loan"…
pub fn metric_title(metric: &str, locale: Locale) -> String {
    let tx = |k: Key| locale.text(k).to_owned();
    let (head, rest) = metric.split_once(':').unwrap_or((metric, ""));
    let seg = |s: &str| Segment::parse(s).map_or_else(|| s.to_owned(), |s| segment_text(s, locale));
    match head {
        "customers" => tx(Key::DashNowCustomers),
        "effective" => tx(Key::DashNowEffective),
        "dormant" => tx(Key::DashNowDormant),
        "dormant_soon" => tx(Key::DashNowDormantSoon),
        "empty_card" => tx(Key::DashNowEmptyCards),
        "debit_card" => tx(Key::DashNowDebitCards),
        "holding" => format!("{}: {}", tx(Key::DashColHolders), kind_key(rest).map_or_else(|| rest.to_owned(), tx)),
        "segment" => format!("{}: {}", tx(Key::DashColSegment), seg(rest)),
        "new" => tx(Key::DashPeriodNew),
        "lost" => tx(Key::DashPeriodLost),
        "requests" => format!("{}: {}", tx(Key::DashColCreated), request_kind_text(rest, locale)),
        "resolved" => format!("{}: {}", tx(Key::DashColResolved), request_kind_text(rest, locale)),
        "in_time" => format!("{}: {}", tx(Key::DashColInTime), request_kind_text(rest, locale)),
        "rated" => tx(Key::DashPeriodRatings),
        "held" => tx(Key::DashPeriodHeld),
        "no_show" => tx(Key::DashPeriodNoShow),
        "month" => format!("{} {rest}", tx(Key::DashColCustomers)),
        "month_effective" => format!("{} {rest}", tx(Key::DashColEffective)),
        "moved" => {
            let mut parts = rest.split(':');
            let (m, from, to) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            format!("{} {m}: {} → {}", tx(Key::DashMovementsTitle), seg(from), seg(to))
        }
        _ => metric.to_owned(),
    }
}

const FIELDS: [&str; 5] = ["metric", "branch", "from", "to", "page"];

#[component]
pub fn InsightCustomersPage() -> impl IntoView {
    let query = use_query_map();
    let fields = Memo::new(move |_| query.with(|q| FIELDS.map(|n| q.get(n).filter(|v| !v.is_empty()))));
    let data = Resource::new_blocking(
        move || fields.get(),
        |[metric, branch, from, to, page]| {
            let page = page.and_then(|p| p.trim().parse::<i64>().ok());
            insight_customers(metric.unwrap_or_default(), branch, from, to, page)
        },
    );
    let i18n = use_i18n();
    view! {
        <section class="form-page wide dash" aria-labelledby="dash-list-title">
            <h1 id="dash-list-title">{t(Key::DashListTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(Key::DashLoading)}</p> }>
                {move || {
                    let locale = i18n.locale();
                    data.get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(list) => list_view(list, locale).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn list_view(list: DrillList, locale: Locale) -> impl IntoView {
    let DrillList { filter, metric, total, page, pages, rows } = list;
    let back = format!("/staff/insight?{}", filter.query());
    let export = format!("/staff/insight/export.csv?table=customers&metric={metric}&{}", filter.query());
    let at = |p: i64| format!("{}&page={p}", filter.drill_href(&metric));
    let prev = (page > 1).then(|| at(page - 1));
    let next = (page < pages).then(|| at(page + 1));
    let branch = if filter.branch.is_empty() {
        locale.text(Key::DashFilterAllBranches).to_owned()
    } else {
        filter.branch.clone()
    };
    let summary = format!("{} · {} · {} – {}", metric_title(&metric, locale), branch, filter.from, filter.to);
    view! {
        <p class="dash-list-what">{summary}</p>
        <p class="dash-list-total" id="dash-list-total">
            {t(Key::DashListTotal)} " " <strong data-total=total.to_string()>{total}</strong>
        </p>
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="dash-list-total">
            <table class="data-table dash-table" id="dash-customers">
                <thead>
                    <tr>
                        <th scope="col">{t(Key::DashColCustomerNo)}</th>
                        <th scope="col">{t(Key::DashColName)}</th>
                        <th scope="col">{t(Key::DashColPhone)}</th>
                        <th scope="col">{t(Key::DashColBranch)}</th>
                        <th scope="col">{t(Key::DashColItem)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let href = format!("/staff/customers/{}", r.customer_no);
                            view! {
                                <tr>
                                    <th scope="row"><a href=href>{r.customer_no}</a></th>
                                    <td>{r.name}</td>
                                    <td>{r.phone_masked}</td>
                                    <td>{r.branch.get(locale).to_owned()}</td>
                                    <td>{r.item}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="dash-pages" aria-label=locale.text(Key::DashPagesLabel)>
            {prev.map(|href| view! { <a class="button" href=href rel="prev">{t(Key::DashPrev)}</a> })}
            <span>{format!("{page} / {pages}")}</span>
            {next.map(|href| view! { <a class="button" href=href rel="next">{t(Key::DashNext)}</a> })}
        </nav>
        <p class="dash-export">
            <a href=export download="">{t(Key::DashExportList)}</a>
        </p>
        <p>
            <a href=back>{t(Key::DashBack)}</a>
        </p>
    }
}
