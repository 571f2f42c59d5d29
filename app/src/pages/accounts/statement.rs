//! A printable monthly statement: letterhead, holder and account, opening balance,
//! every movement of the month, totals and closing balance. The month is chosen
//! with a GET form (works without the WASM); printing hides everything else.
use super::detail::{account_id, description, signed};
use super::{balance_key, headline};
use crate::api::accounts::{statement, StatementView};
use crate::error::{AppError, ErrorCode};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Statement() -> impl IntoView {
    let id = account_id();
    let query = use_query_map();
    let month = Memo::new(move |_| query.with(|q| q.get("month").unwrap_or_default()));
    let data = Resource::new_blocking(
        move || (id.get(), month.get()),
        |(id, month)| async move {
            match id {
                Some(id) => statement(id, month).await,
                None => Err(AppError::new(ErrorCode::NotFound)),
            }
        },
    );
    let i18n = use_i18n();
    view! {
        <section class="accounts-page statement-page" aria-labelledby="statement-title">
            <Suspense fallback=|| ()>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Err(e) => {
                                let back = id.get().map_or_else(|| "/accounts".to_owned(), |id| format!("/accounts/{id}"));
                                view! {
                                    <h1 id="statement-title">{t(Key::AcctStatementTitle)}</h1>
                                    <p class="error" role="alert">{t(e.code.message_key())}</p>
                                    <p><a href=back>{t(Key::AcctBackToAccount)}</a></p>
                                }
                                    .into_any()
                            }
                            Ok(s) => statement_view(s, i18n.locale()).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn statement_view(s: StatementView, locale: Locale) -> impl IntoView {
    let id = s.account.id;
    let action = format!("/accounts/{id}/statement");
    let back = format!("/accounts/{id}");
    let kind = s.account.kind;
    // Liabilities read as amounts owed on paper too.
    let figure = |m: crate::types::Money| headline(kind, m).display();
    let current = s.month.clone();
    let empty = s.rows.is_empty();
    view! {
        <div class="statement-tools" role="group" aria-label=t(Key::AcctStatementTools)>
            <p class="back-link"><a href=back>{t(Key::AcctBackToAccount)}</a></p>
            <form method="get" action=action class="month-form">
                <div class="field">
                    <label for="month">{t(Key::AcctMonthLabel)}</label>
                    <select id="month" name="month">
                        {s
                            .months
                            .iter()
                            .map(|m| {
                                let selected = *m == current;
                                view! { <option value=m.clone() selected=selected>{m.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <button class="button" type="submit">{t(Key::AcctMonthShow)}</button>
            </form>
            <p class="small">{t(Key::AcctPrintHint)}</p>
        </div>
        <article class="statement" aria-labelledby="statement-title">
            <header class="letterhead">
                <p class="letterhead-bank">
                    <span class="brand-mark" aria-hidden="true">"邮"</span>
                    <span>{t(Key::BankName)}</span>
                </p>
                <h1 id="statement-title">{t(Key::AcctStatementTitle)}</h1>
                <p class="statement-period">{format!("{} – {}", s.first_day, s.last_day)}</p>
            </header>
            <dl class="statement-meta">
                <div><dt>{t(Key::AcctHolder)}</dt><dd>{s.holder}</dd></div>
                <div><dt>{t(Key::AcctCustomerNo)}</dt><dd>{s.customer_no}</dd></div>
                <div><dt>{t(Key::AcctAccountLabel)}</dt><dd>{s.account.name.get(locale).to_owned()}" · "{s.account.number_masked}</dd></div>
                <div><dt>{t(Key::AcctGeneratedAt)}</dt><dd>{s.generated_at}</dd></div>
            </dl>
            <dl class="statement-summary">
                <div><dt>{t(Key::AcctOpening)}</dt><dd data-testid="opening">{figure(s.opening)}</dd></div>
                <div><dt>{t(Key::AcctTotalIn)}</dt><dd data-testid="total-in">{s.total_in.display()}</dd></div>
                <div><dt>{t(Key::AcctTotalOut)}</dt><dd data-testid="total-out">{s.total_out.display()}</dd></div>
                <div><dt>{t(Key::AcctClosing)}</dt><dd data-testid="closing">{figure(s.closing)}</dd></div>
            </dl>
            {kind.is_liability().then(|| view! { <p class="small">{t(balance_key(kind))}": "{t(Key::AcctOwedNote)}</p> })}
            {if empty {
                view! { <p class="empty">{t(Key::AcctStatementEmpty)}</p> }.into_any()
            } else {
                view! {
                    <table class="history statement-table">
                        <caption>{t(Key::AcctStatementCaption)}" "{s.month.clone()}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t(Key::AcctColDate)}</th>
                                <th scope="col">{t(Key::AcctColDescription)}</th>
                                <th scope="col" class="num">{t(Key::AcctColAmount)}</th>
                                <th scope="col" class="num">{t(Key::AcctColBalance)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {s
                                .rows
                                .iter()
                                .map(|row| {
                                    let direction = if row.amount.minor() > 0 { "in" } else { "out" };
                                    view! {
                                        <tr>
                                            <td data-label=t(Key::AcctColDate)>{row.date.to_string()}</td>
                                            <td data-label=t(Key::AcctColDescription)>
                                                <span class="counterparty">{row.counterparty.clone()}</span>
                                                <span class="small tx-kind">{description(row, locale)}</span>
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
            <footer class="statement-note">
                <p class="small">{t(Key::AcctStatementNote)}</p>
            </footer>
        </article>
    }
}
