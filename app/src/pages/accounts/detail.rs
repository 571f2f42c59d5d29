//! One account: its header, the history with a filter form (a GET form, so it works
//! without the WASM and the address can be shared), keyset pages, the CSV export,
//! and the 90-day balance and monthly in/out charts.
use super::{balance_key, headline, status_key, tier_key};
use crate::api::accounts::{
    account, balance_chart, journal_kind_key, query_string, transactions, AccountHeader, ChartData, TxFilter, TxPage,
    TxRow,
};
use crate::components::chart::{bar_chart_svg, line_chart_svg, Chart};
use crate::error::{AppError, ErrorCode};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The account id in the address, if it is a number.
pub(super) fn account_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())))
}

/// The filter form's fields, as they are in the address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct FilterFields {
    from: String,
    to: String,
    direction: String,
    min: String,
    max: String,
    q: String,
    after: Option<i64>,
}

impl FilterFields {
    fn parsed(&self) -> Option<TxFilter> {
        TxFilter::parse(&self.from, &self.to, &self.direction, &self.min, &self.max, &self.q).ok()
    }
}

/// The label of a filter field, to name it in an error.
fn field_key(field: &str) -> Key {
    match field {
        "from" => Key::AcctFilterFrom,
        "to" => Key::AcctFilterTo,
        "direction" => Key::AcctFilterDirection,
        "min" => Key::AcctFilterMin,
        "max" => Key::AcctFilterMax,
        _ => Key::AcctFilterText,
    }
}

/// "+¥1,200.00" for money in, "-¥35.50" for money out.
pub(super) fn signed(amount: crate::types::Money) -> String {
    if amount.minor() > 0 {
        format!("+{}", amount.display())
    } else {
        amount.display()
    }
}

/// The second line of a history row: what kind of movement, and the memo.
pub(super) fn description(row: &TxRow, locale: Locale) -> String {
    let kind = locale.text(journal_kind_key(&row.kind));
    if row.memo.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} · {}", row.memo)
    }
}

async fn missing<T>() -> Result<T, AppError> {
    Err(AppError::new(ErrorCode::NotFound))
}

#[component]
pub fn AccountDetail() -> impl IntoView {
    let id = account_id();
    let query = use_query_map();
    let fields = Memo::new(move |_| {
        query.with(|q| {
            let get = |name: &str| q.get(name).unwrap_or_default();
            FilterFields {
                from: get("from"),
                to: get("to"),
                direction: get("direction"),
                min: get("min"),
                max: get("max"),
                q: get("q"),
                after: q.get("after").and_then(|a| a.parse().ok()),
            }
        })
    });
    let header = Resource::new_blocking(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => account(id).await,
                None => missing().await,
            }
        },
    );
    let page = Resource::new_blocking(
        move || (id.get(), fields.get()),
        |(id, f)| async move {
            match id {
                Some(id) => transactions(id, f.from, f.to, f.direction, f.min, f.max, f.q, f.after).await,
                None => missing().await,
            }
        },
    );
    let chart = Resource::new_blocking(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => balance_chart(id).await,
                None => missing().await,
            }
        },
    );
    let i18n = use_i18n();
    view! {
        <section class="accounts-page account-detail" aria-labelledby="account-title">
            <p class="back-link">
                <a href="/accounts">{t(Key::AcctBackToOverview)}</a>
            </p>
            <Suspense fallback=|| ()>
                {move || {
                    header
                        .get()
                        .map(|result| match result {
                            Err(e) => {
                                view! {
                                    <h1 id="account-title">{t(Key::AcctDetailTitle)}</h1>
                                    <p class="error" role="alert">{t(e.code.message_key())}</p>
                                }
                                    .into_any()
                            }
                            Ok(h) => header_view(h, i18n.locale()).into_any(),
                        })
                }}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || {
                    let ok = matches!(header.get(), Some(Ok(_)));
                    let id = id.get();
                    ok.then_some(id)
                        .flatten()
                        .map(|id| {
                            let f = fields.get();
                            view! {
                                {filter_form(id, &f)}
                                {page
                                    .get()
                                    .map(|result| match result {
                                        Err(e) => {
                                            let field = e.field.clone();
                                            view! {
                                                <p class="error" role="alert">
                                                    {t(e.code.message_key())}
                                                    {field.map(|f| view! { " "{t(Key::AcctCheckField)}" "{t(field_key(&f))} })}
                                                </p>
                                            }
                                                .into_any()
                                        }
                                        Ok(p) => history_view(id, &f, p, i18n.locale()).into_any(),
                                    })}
                            }
                        })
                }}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || {
                    chart
                        .get()
                        .and_then(Result::ok)
                        .map(|c| charts_view(c, i18n.locale()))
                }}
            </Suspense>
        </section>
    }
}

fn header_view(h: AccountHeader, locale: Locale) -> impl IntoView {
    let shown = headline(h.kind, h.balance).display();
    let statement = format!("/accounts/{}/statement", h.id);
    let available = h.kind.is_liability().then(|| {
        let left = crate::types::Money::yuan_fen((h.credit_limit.minor() + h.balance.minor()).max(0));
        left.display()
    });
    view! {
        <header class="account-header">
            <h1 id="account-title">{h.name.get(locale).to_owned()}</h1>
            <p class="number">{h.number_masked}</p>
            {(h.kind == crate::types::ProductKind::DemandDeposit)
                .then(|| {
                    view! {
                        <p class="account-no">
                            <span class="label">{t(Key::AcctAccountNo)}</span>
                            " "
                            <span class="figure" data-testid="account-no">{h.account_no.clone()}</span>
                            <br />
                            <span class="small">{t(Key::AcctAccountNoHint)}</span>
                        </p>
                    }
                })}
            <p class="product-figure">
                <span class="label">{t(balance_key(h.kind))}</span>
                <span class="figure" data-testid="account-balance">{shown}</span>
            </p>
            {(h.kind == crate::types::ProductKind::CreditCard)
                .then(|| {
                    view! {
                        <p class="small">
                            {t(Key::AcctAvailable)}" "{available.clone()}" · "{t(Key::AcctCreditLimit)}" "
                            {h.credit_limit.display()}
                        </p>
                    }
                })}
            {h.tier.map(|tier| view! { <p class="small">{t(tier_key(tier))}</p> })}
            {status_key(h.status).map(|k| view! { <p class="status-badge">{t(k)}</p> })}
            {super::notice::notice_view(h.notice, h.id)}
            <p class="account-actions">
                <a class="button" href=statement>{t(Key::AcctStatementLink)}</a>
            </p>
        </header>
    }
}

fn filter_form(id: i64, f: &FilterFields) -> impl IntoView {
    let action = format!("/accounts/{id}");
    let direction = f.direction.clone();
    let selected = move |value: &str| direction == value;
    view! {
        <form method="get" action=action.clone() class="filter-form" role="search" aria-labelledby="filter-title">
            <h2 id="filter-title">{t(Key::AcctFilterTitle)}</h2>
            <div class="filter-grid">
                <div class="field">
                    <label for="from">{t(Key::AcctFilterFrom)}</label>
                    <input id="from" name="from" type="date" value=f.from.clone() />
                </div>
                <div class="field">
                    <label for="to">{t(Key::AcctFilterTo)}</label>
                    <input id="to" name="to" type="date" value=f.to.clone() />
                </div>
                <div class="field">
                    <label for="direction">{t(Key::AcctFilterDirection)}</label>
                    <select id="direction" name="direction">
                        <option value="" selected=selected("")>{t(Key::AcctDirectionAll)}</option>
                        <option value="in" selected=selected("in")>{t(Key::AcctDirectionIn)}</option>
                        <option value="out" selected=selected("out")>{t(Key::AcctDirectionOut)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="min">{t(Key::AcctFilterMin)}</label>
                    <input id="min" name="min" type="text" inputmode="decimal" autocomplete="off" value=f.min.clone() />
                </div>
                <div class="field">
                    <label for="max">{t(Key::AcctFilterMax)}</label>
                    <input id="max" name="max" type="text" inputmode="decimal" autocomplete="off" value=f.max.clone() />
                </div>
                <div class="field">
                    <label for="q">{t(Key::AcctFilterText)}</label>
                    <input id="q" name="q" type="search" maxlength="40" value=f.q.clone() />
                </div>
            </div>
            <div class="filter-actions">
                <button class="button primary" type="submit">{t(Key::AcctFilterApply)}</button>
                <a class="button" href=action.clone()>{t(Key::AcctFilterClear)}</a>
            </div>
        </form>
    }
}

fn history_view(id: i64, f: &FilterFields, page: TxPage, locale: Locale) -> impl IntoView {
    let filter = f.parsed().unwrap_or_default();
    let pairs = filter.query_pairs();
    let with_after = |after: i64| {
        let mut p = pairs.clone();
        p.push(("after", after.to_string()));
        format!("/accounts/{id}?{}", query_string(&p))
    };
    let older = page.next_cursor.map(with_after);
    let newest = f.after.map(|_| {
        if pairs.is_empty() {
            format!("/accounts/{id}")
        } else {
            format!("/accounts/{id}?{}", query_string(&pairs))
        }
    });
    let csv = if pairs.is_empty() {
        format!("/accounts/{id}/export.csv")
    } else {
        format!("/accounts/{id}/export.csv?{}", query_string(&pairs))
    };
    let empty = page.rows.is_empty();
    let caption = if filter.is_empty() { Key::AcctHistoryCaption } else { Key::AcctHistoryCaptionFiltered };
    view! {
        <section class="history-section" aria-labelledby="history-title">
            <h2 id="history-title">{t(Key::AcctHistoryTitle)}</h2>
            <p class="history-tools">
                <a href=csv download="" data-testid="csv-link">{t(Key::AcctDownloadCsv)}</a>
            </p>
            {if empty {
                view! { <p class="empty">{t(Key::AcctHistoryEmpty)}</p> }.into_any()
            } else {
                view! {
                    <table class="history">
                        <caption>{t(caption)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t(Key::AcctColDate)}</th>
                                <th scope="col">{t(Key::AcctColDescription)}</th>
                                <th scope="col" class="num">{t(Key::AcctColAmount)}</th>
                                <th scope="col" class="num">{t(Key::AcctColBalance)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page
                                .rows
                                .into_iter()
                                .map(|row| {
                                    let direction = if row.amount.minor() > 0 { "in" } else { "out" };
                                    let second = description(&row, locale);
                                    let counterparty = if row.counterparty.is_empty() {
                                        locale.text(journal_kind_key(&row.kind)).to_owned()
                                    } else {
                                        row.counterparty.clone()
                                    };
                                    view! {
                                        <tr data-posting=row.id.to_string()>
                                            <td data-label=t(Key::AcctColDate)>{row.date.to_string()}</td>
                                            <td data-label=t(Key::AcctColDescription)>
                                                <span class="counterparty">{counterparty}</span>
                                                <span class="small tx-kind">{second}</span>
                                            </td>
                                            <td data-label=t(Key::AcctColAmount) class=format!("num amount {direction}")>
                                                {signed(row.amount)}
                                            </td>
                                            <td data-label=t(Key::AcctColBalance) class="num">{row.balance_after.display()}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }}
            <nav class="pager" aria-label=t(Key::AcctPagerLabel)>
                {newest.map(|href| view! { <a href=href rel="first">{t(Key::AcctNewest)}</a> })}
                {older.map(|href| view! { <a href=href rel="next" data-testid="older-link">{t(Key::AcctOlder)}</a> })}
            </nav>
        </section>
    }
}

fn month_label(month: &str, locale: Locale) -> String {
    const KEYS: [Key; 12] = [
        Key::AcctMon1,
        Key::AcctMon2,
        Key::AcctMon3,
        Key::AcctMon4,
        Key::AcctMon5,
        Key::AcctMon6,
        Key::AcctMon7,
        Key::AcctMon8,
        Key::AcctMon9,
        Key::AcctMon10,
        Key::AcctMon11,
        Key::AcctMon12,
    ];
    let n: usize = month.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    KEYS.get(n.wrapping_sub(1)).map_or_else(|| month.to_owned(), |k| locale.text(*k).to_owned())
}

fn charts_view(c: ChartData, locale: Locale) -> impl IntoView {
    let text = move |k: Key| locale.text(k).to_owned();
    let points: Vec<(String, i64)> =
        c.days.iter().map(|(d, m)| (format!("{:02}-{:02}", d.month(), d.day()), m.minor())).collect();
    let lowest = c.days.iter().map(|(_, m)| m.minor()).min().unwrap_or(0);
    let highest = c.days.iter().map(|(_, m)| m.minor()).max().unwrap_or(0);
    let latest = c.days.last().map_or(0, |(_, m)| m.minor());
    let span = match (c.days.first(), c.days.last()) {
        (Some((a, _)), Some((b, _))) => format!("{a} – {b}"),
        _ => String::new(),
    };
    let m = crate::types::Money::yuan_fen;
    let line_desc = format!(
        "{span}. {} {}; {} {}; {} {}.",
        text(Key::AcctChartLowest),
        m(lowest).display(),
        text(Key::AcctChartHighest),
        m(highest).display(),
        text(Key::AcctChartLatest),
        m(latest).display()
    );
    let line_title = text(Key::AcctChartBalanceTitle);
    let line_svg = line_chart_svg("balance-chart", &line_title, &line_desc, &points);
    let line_rows: Vec<Vec<String>> = c.days.iter().map(|(d, m)| vec![d.to_string(), m.display()]).collect();

    let groups: Vec<(String, i64, i64)> =
        c.months.iter().map(|f| (month_label(&f.month, locale), f.money_in.minor(), f.money_out.minor())).collect();
    let bar_title = text(Key::AcctChartFlowTitle);
    let bar_desc = c
        .months
        .iter()
        .map(|f| {
            format!(
                "{}: {} {}, {} {}",
                f.month,
                text(Key::AcctMoneyIn),
                f.money_in.display(),
                text(Key::AcctMoneyOut),
                f.money_out.display()
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let bar_svg = bar_chart_svg("flow-chart", &bar_title, &bar_desc, &groups);
    let bar_rows: Vec<Vec<String>> =
        c.months.iter().map(|f| vec![f.month.clone(), f.money_in.display(), f.money_out.display()]).collect();
    view! {
        <section class="charts" aria-labelledby="charts-title">
            <h2 id="charts-title">{text(Key::AcctChartsTitle)}</h2>
            <div class="chart-grid">
                <Chart
                    svg=line_svg
                    caption=line_title
                    table_label=text(Key::AcctChartShowTable)
                    headings=vec![text(Key::AcctColDate), text(Key::AcctColBalance)]
                    rows=line_rows
                />
                <Chart
                    svg=bar_svg
                    caption=bar_title
                    table_label=text(Key::AcctChartShowTable)
                    headings=vec![text(Key::AcctColMonth), text(Key::AcctMoneyIn), text(Key::AcctMoneyOut)]
                    rows=bar_rows
                    legend=Box::new(move || {
                        view! {
                            <ul class="chart-legend" role="list">
                                <li><span class="swatch swatch-in" aria-hidden="true"></span>{text(Key::AcctMoneyIn)}</li>
                                <li><span class="swatch swatch-out" aria-hidden="true"></span>{text(Key::AcctMoneyOut)}</li>
                            </ul>
                        }
                            .into_any()
                    })
                />
            </div>
        </section>
    }
}
