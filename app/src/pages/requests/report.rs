//! The supervisors' service-level report (`/staff/requests/report`): a period
//! chosen by a plain GET form (so it works without the WASM), compliance per kind
//! and per team, and the customers' ratings with the latest comments. Tables
//! scroll sideways inside their own box on a narrow phone; the page never does.
use crate::api::requests_sla::{service_level_report, tenths, Compliance, KindLine, Ratings, SlaReport, TeamLine};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SlaReportPage() -> impl IntoView {
    let query = use_query_map();
    let period =
        Memo::new(move |_| query.with(|q| (q.get("from").unwrap_or_default(), q.get("to").unwrap_or_default())));
    let report = Resource::new_blocking(move || period.get(), |(from, to)| service_level_report(from, to));
    view! {
        <section class="form-page wide slr" aria-labelledby="slr-title">
            <h1 id="slr-title">{t(Key::SlrTitle)}</h1>
            <p>{t(Key::SlrLead)}</p>
            <Suspense fallback=|| view! { <p>{t(Key::SlrLoading)}</p> }>
                {move || {
                    report
                        .get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! { <p class="error" role="alert">{t(err.code.message_key())}</p> }.into_any()
                            }
                            Ok(report) => report_view(report).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn report_view(report: SlaReport) -> impl IntoView {
    view! {
        <form class="slr-period" method="get" action="/staff/requests/report">
            <label for="slr-from">{t(Key::SlrFrom)}</label>
            <input id="slr-from" name="from" type="date" value=report.from.clone() required />
            <label for="slr-to">{t(Key::SlrTo)}</label>
            <input id="slr-to" name="to" type="date" value=report.to.clone() required />
            <button class="button" type="submit">{t(Key::SlrShow)}</button>
        </form>
        <p class="slr-summary">
            <span>{t(Key::SlrPeriod)}" "{report.from}" – "{report.to}</span>
            <span class="slr-total-share">{t(Key::SlrColShare)}": "{share(&report.total)}</span>
        </p>
        <h2>{t(Key::SlrByKind)}</h2>
        {figures_table(Key::SlrColKind, report.by_kind.into_iter().map(kind_row).collect(), &report.total)}
        <h2>{t(Key::SlrByTeam)}</h2>
        {figures_table(Key::SlrColTeam, report.by_team.into_iter().map(team_row).collect(), &report.total)}
        {ratings_view(report.ratings)}
    }
}

/// A group's label (reactive to the locale) and its figures.
type Line = (AnyView, Compliance);

fn kind_row(line: KindLine) -> Line {
    let kind = line.kind;
    (view! { <span data-kind=kind.as_str()>{t(kind.label())}</span> }.into_any(), line.figures)
}

fn team_row(line: TeamLine) -> Line {
    let i18n = use_i18n();
    let TeamLine { team, name_zh, name_en, figures } = line;
    let unassigned = team == crate::api::requests_sla::UNASSIGNED_TEAM;
    let code = team.clone();
    let name = move || {
        if unassigned {
            return i18n.locale().text(Key::SlrUnassigned).to_owned();
        }
        let name = if i18n.locale() == Locale::En { &name_en } else { &name_zh };
        format!("{code} {name}")
    };
    (view! { <span data-team=team>{name}</span> }.into_any(), figures)
}

fn share(figures: &Compliance) -> String {
    figures.share_tenths.map(|s| format!("{} %", tenths(s))).unwrap_or_else(|| "–".to_owned())
}

fn figures_table(first: Key, lines: Vec<Line>, total: &Compliance) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p>{t(Key::SlrNoData)}</p> }.into_any();
    }
    let cells = |f: &Compliance| {
        let breached = f.breached > 0;
        view! {
            <td class="num">{f.resolved}</td>
            <td class="num">{f.in_time}</td>
            <td class="num slr-share">{share(f)}</td>
            <td class="num">{f.open}</td>
            <td class="num" class:slr-breached=breached>{f.breached}</td>
        }
    };
    let total_cells = cells(total);
    view! {
        <div class="slr-table-wrap" tabindex="0">
            <table class="slr-table">
                <thead>
                    <tr>
                        <th scope="col">{t(first)}</th>
                        <th scope="col" class="num">{t(Key::SlrColResolved)}</th>
                        <th scope="col" class="num">{t(Key::SlrColInTime)}</th>
                        <th scope="col" class="num">{t(Key::SlrColShare)}</th>
                        <th scope="col" class="num">{t(Key::SlrColOpen)}</th>
                        <th scope="col" class="num">{t(Key::SlrColBreached)}</th>
                    </tr>
                </thead>
                <tbody>
                    {lines
                        .into_iter()
                        .map(|(label, figures)| {
                            view! {
                                <tr>
                                    <th scope="row">{label}</th>
                                    {cells(&figures)}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{t(Key::SlrTotal)}</th>
                        {total_cells}
                    </tr>
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

fn ratings_view(ratings: Ratings) -> impl IntoView {
    let Ratings { count, average_tenths, distribution, latest } = ratings;
    let most = distribution.iter().copied().max().unwrap_or(0).max(1);
    view! {
        <h2>{t(Key::SlrRatings)}</h2>
        {if count == 0 {
            view! { <p>{t(Key::SlrRatingsNone)}</p> }.into_any()
        } else {
            view! {
                <p class="slr-rating-head">
                    <span>{t(Key::SlrRatingsCount)}": "<strong class="slr-rating-count">{count}</strong></span>
                    <span>
                        {t(Key::SlrRatingsAverage)}": "
                        <strong class="slr-rating-average">{average_tenths.map(tenths).unwrap_or_default()}</strong>
                        " / 5"
                    </span>
                </p>
                <ul class="slr-distribution" role="list">
                    {(1..=5_usize)
                        .rev()
                        .map(|score| {
                            let n = distribution.get(score - 1).copied().unwrap_or(0);
                            // An SVG bar: its width is an attribute, not an inline style
                            // (the CSP allows no inline styles).
                            let width = (n * 100 / most).to_string();
                            view! {
                                <li data-score=score>
                                    <span class="slr-score">{score}" ★"</span>
                                    <svg class="slr-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                        <rect class="slr-bar-track" width="100" height="10" rx="2" />
                                        <rect class="slr-bar-fill" width=width height="10" rx="2" />
                                    </svg>
                                    <span class="slr-n">{n}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
        <h3>{t(Key::SlrRatingsLatest)}</h3>
        {if latest.is_empty() {
            view! { <p>{t(Key::SlrRatingsNoComments)}</p> }.into_any()
        } else {
            view! {
                <ul class="slr-comments" role="list">
                    {latest
                        .into_iter()
                        .map(|c| {
                            view! {
                                <li>
                                    <p class="slr-comment-head">
                                        <a href=format!("/staff/requests/{}", c.reference)>{c.reference.clone()}</a>
                                        " · "{c.score}" ★ · "<span class="small">{c.created_local}</span>
                                    </p>
                                    <p class="slr-comment">{c.comment}</p>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}
