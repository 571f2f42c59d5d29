//! The management dashboard (`/staff/insight`, supervisors and admins): a GET
//! filter form (branch, first and last month), then today's indicators, the trend
//! over the period's month-ends with its charts, and the period's service figures.
//! Every count links to the customers behind it (`customers.rs`); every table has
//! its CSV. Works without the WASM; on a phone the tables scroll sideways.
pub mod charts;
pub mod customers;
pub mod tables;

use crate::api::insight::{insight_dashboard, DashFilter, Dashboard};
use crate::components::chart::{axis_money, Chart};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use crate::types::Segment;
use charts::{axis_count, stacked_bars_svg};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use tables::{table, Table, TABLES};

/// An error from the page's data: the page answers 200 (in-order streaming), the
/// server function the error's status.
#[component]
pub(crate) fn LoadError(err: AppError) -> impl IntoView {
    let bad_filter = err.field.as_deref().is_some_and(|f| matches!(f, "branch" | "period" | "metric"));
    let text = if bad_filter { Key::DashBadFilter } else { err.code.message_key() };
    view! {
        <p class="error" role="alert">{t(text)}</p>
        {bad_filter.then(|| view! { <p><a href="/staff/insight">{t(Key::DashReset)}</a></p> })}
    }
}

#[component]
pub fn InsightPage() -> impl IntoView {
    let query = use_query_map();
    let fields =
        Memo::new(move |_| query.with(|q| ["branch", "from", "to"].map(|n| q.get(n).filter(|v| !v.is_empty()))));
    let data = Resource::new_blocking(move || fields.get(), |[branch, from, to]| insight_dashboard(branch, from, to));
    let i18n = use_i18n();
    view! {
        <section class="form-page wide dash" aria-labelledby="dash-title">
            <h1 id="dash-title">{t(Key::DashTitle)}</h1>
            <p>{t(Key::DashLead)}</p>
            <Suspense fallback=|| view! { <p>{t(Key::DashLoading)}</p> }>
                {move || {
                    let locale = i18n.locale();
                    data.get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(d) => dashboard_view(d, locale).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn dashboard_view(d: Dashboard, locale: Locale) -> impl IntoView {
    let section = |key: Key, id: &'static str, tables: &[&str]| {
        let shown: Vec<(Table, String)> = tables
            .iter()
            .filter_map(|name| table(&d, name, locale).map(|tb| (tb, d.filter.export_href(name))))
            .collect();
        (key, id, shown)
    };
    let [now, period] = [
        section(Key::DashSectionNow, "dash-now", &TABLES[0..3]),
        section(Key::DashSectionPeriod, "dash-period", &TABLES[5..7]),
    ];
    let trend = section(Key::DashSectionTrend, "dash-trend", &TABLES[3..5]);
    let charts = charts_view(&d, locale);
    let span = format!("{} – {}", d.first_day, d.last_day);
    view! {
        {filter_form(&d, locale)}
        {help_view()}
        <p class="dash-span">{t(Key::DashPeriodSpan)} " " {span} " · " {t(Key::DashToday)} " " {d.today.clone()}</p>
        {section_view(now, None)}
        {section_view(trend, Some(charts.into_any()))}
        {section_view(period, None)}
    }
}

fn filter_form(d: &Dashboard, locale: Locale) -> impl IntoView {
    let DashFilter { branch, from, to } = d.filter.clone();
    let options = d
        .branches
        .iter()
        .map(|b| {
            let selected = b.code == branch;
            let label = format!("{} {}", b.code, b.name.get(locale));
            view! { <option value=b.code.clone() selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action="/staff/insight" class="dash-filters" aria-labelledby="dash-filter-title">
            <h2 id="dash-filter-title" class="visually-hidden">{t(Key::DashFilterTitle)}</h2>
            <div class="field">
                <label for="dash-branch">{t(Key::DashFilterBranch)}</label>
                <select id="dash-branch" name="branch">
                    <option value="" selected=branch.is_empty()>{t(Key::DashFilterAllBranches)}</option>
                    {options}
                </select>
            </div>
            <div class="field">
                <label for="dash-from">{t(Key::DashFilterFrom)}</label>
                <input id="dash-from" name="from" type="month" value=from pattern="[0-9]{4}-[0-9]{2}" />
            </div>
            <div class="field">
                <label for="dash-to">{t(Key::DashFilterTo)}</label>
                <input id="dash-to" name="to" type="month" value=to pattern="[0-9]{4}-[0-9]{2}" />
            </div>
            <div class="dash-buttons">
                <button class="button primary" type="submit">{t(Key::DashFilterSubmit)}</button>
                <a class="button" href="/staff/insight">{t(Key::DashReset)}</a>
            </div>
        </form>
    }
}

/// How each figure is counted, in words (ARCHITECTURE says the same).
fn help_view() -> impl IntoView {
    let items = [
        Key::DashHelpCustomers,
        Key::DashHelpEffective,
        Key::DashHelpDormant,
        Key::DashHelpEmpty,
        Key::DashHelpPerCard,
        Key::DashHelpHolding,
        Key::DashHelpSegments,
        Key::DashHelpTrend,
        Key::DashHelpPeriod,
        Key::DashHelpInTime,
    ];
    view! {
        <details class="dash-help">
            <summary>{t(Key::DashHelpTitle)}</summary>
            <ul>{items.into_iter().map(|k| view! { <li>{t(k)}</li> }).collect_view()}</ul>
        </details>
    }
}

fn section_view(
    (title, id, tables): (Key, &'static str, Vec<(Table, String)>),
    extra: Option<AnyView>,
) -> impl IntoView {
    let (heading, labelled_by) = (format!("{id}-title"), format!("{id}-title"));
    view! {
        <section class="dash-section" aria-labelledby=labelled_by>
            <h2 id=heading>{t(title)}</h2>
            {extra}
            {tables.into_iter().map(|(tb, href)| table_view(tb, href)).collect_view()}
        </section>
    }
}

/// A table with its CSV link (`export`, under the dashboard's own filter).
fn table_view(table: Table, export: String) -> impl IntoView {
    let Table { id, title, headings, rows } = table;
    let (heading, labelled_by) = (format!("dash-t-{id}"), format!("dash-t-{id}"));
    let empty = rows.is_empty();
    view! {
        <div class="dash-table-block">
            <h3 id=heading>{t(title)}</h3>
            {empty.then(|| view! { <p class="dash-empty">{t(Key::DashEmpty)}</p> })}
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby=labelled_by>
                <table class="data-table dash-table" id=format!("dash-table-{id}")>
                    <thead>
                        <tr>{headings.into_iter().map(|h| view! { <th scope="col">{t(h)}</th> }).collect_view()}</tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| {
                                let mut cells = row.into_iter();
                                let head = cells.next().map(|c| c.text).unwrap_or_default();
                                view! {
                                    <tr>
                                        <th scope="row">{head}</th>
                                        {cells
                                            .map(|c| match c.href {
                                                Some(href) => {
                                                    view! { <td class="num"><a href=href>{c.text}</a></td> }.into_any()
                                                }
                                                None => view! { <td class="num">{c.text}</td> }.into_any(),
                                            })
                                            .collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
            <p class="dash-export">
                <a href=export download="">{t(Key::DashExport)} " (" {t(title)} ")"</a>
            </p>
        </div>
    }
}

fn charts_view(d: &Dashboard, locale: Locale) -> impl IntoView {
    let text = move |k: Key| locale.text(k).to_owned();
    // "26-06": short enough for six labels side by side on a phone (the table has the months in full).
    let labels: Vec<String> = d.months.iter().map(|m| m.month.get(2..).unwrap_or(&m.month).to_owned()).collect();
    let effective: Vec<i64> = d.months.iter().map(|m| m.effective).collect();
    let others: Vec<i64> = d.months.iter().map(|m| m.customers - m.effective).collect();
    let desc = d
        .months
        .iter()
        .map(|m| {
            format!(
                "{}: {} {}, {} {}",
                m.month,
                text(Key::DashColEffective),
                m.effective,
                text(Key::DashColCustomers),
                m.customers
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let eff_title = text(Key::DashChartEffective);
    let eff_svg = stacked_bars_svg("dash-eff", &eff_title, &desc, &labels, &[effective, others], axis_count);
    let eff_rows: Vec<Vec<String>> = d
        .months
        .iter()
        .map(|m| vec![m.month.clone(), m.effective.to_string(), (m.customers - m.effective).to_string()])
        .collect();
    let eff_heads = vec![text(Key::DashColMonth), text(Key::DashColEffective), text(Key::DashColNotEffective)];
    let eff_legend = vec![text(Key::DashColEffective), text(Key::DashColNotEffective)];

    let series: Vec<Vec<i64>> = (0..4).map(|k| d.months.iter().map(|m| m.aum[k]).collect()).collect();
    let seg_names: Vec<String> = Segment::ALL.iter().map(|s| tables::segment_text(*s, locale)).collect();
    let aum_desc = d
        .months
        .iter()
        .map(|m| format!("{}: {}", m.month, crate::types::Money::yuan_fen(m.aum.iter().sum()).display()))
        .collect::<Vec<_>>()
        .join("; ");
    let aum_title = text(Key::DashChartAum);
    let aum_svg = stacked_bars_svg("dash-aum", &aum_title, &aum_desc, &labels, &series, axis_money);
    let aum_rows: Vec<Vec<String>> = d
        .months
        .iter()
        .map(|m| {
            let mut row = vec![m.month.clone()];
            row.extend(m.aum.iter().map(|a| crate::types::Money::yuan_fen(*a).display()));
            row
        })
        .collect();
    let mut aum_heads = vec![text(Key::DashColMonth)];
    aum_heads.extend(seg_names.iter().cloned());
    let aum_legend = seg_names;
    let table_label = text(Key::DashChartTable);
    view! {
        <div class="dash-charts">
            <Chart
                svg=eff_svg
                caption=eff_title
                table_label=table_label.clone()
                headings=eff_heads
                rows=eff_rows
                legend=Box::new(move || legend(eff_legend.clone()).into_any())
            />
            <Chart
                svg=aum_svg
                caption=aum_title
                table_label=table_label
                headings=aum_heads
                rows=aum_rows
                legend=Box::new(move || legend(aum_legend.clone()).into_any())
            />
        </div>
    }
}

fn legend(names: Vec<String>) -> impl IntoView {
    view! {
        <ul class="chart-legend dash-legend" role="list">
            {names
                .into_iter()
                .enumerate()
                .map(|(k, name)| {
                    // Classes, not inline styles: the content security policy allows none.
                    let swatch = format!("dash-swatch dash-swatch-{k}");
                    view! {
                        <li>
                            <span class=swatch aria-hidden="true"></span>
                            {name}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
