//! Deposits: time deposits (renew or pay out, early withdrawal), the maturity
//! calendar, installment savings and notice deposits; and opening a time deposit.
//! Every form is a plain HTML form first: it works before (or without) the WASM.
mod open;

pub use open::OpenTimeDepositPage;

use crate::api::deposits::{
    deposits_overview, rate_text, CalendarMonth, CancelDepositNotice, DepositsView, GiveDepositNotice, InstallmentView,
    NoticeDepositView, NoticeStatus, PayDepositInstallment, SetDepositAtMaturity, SourceAccount, TimeDepositView,
    WithdrawDepositEarly,
};
use crate::components::form::{action_error, FormError};
use crate::error::{AppError, ErrorCode};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use crate::types::{AtMaturity, Localized, Money, ProductKind};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A text with `{n}` filled in, reactive to the locale.
pub(crate) fn fill(key: Key, value: impl ToString) -> impl Fn() -> String + Send + Sync + 'static {
    let value = value.to_string();
    let text = t(key);
    move || text().replace("{n}", &value)
}

/// A product name in the current locale.
pub(crate) fn localized(name: Localized) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || name.get(i18n.locale()).to_owned()
}

/// "2027年2月" / "February 2027" from "2027-02".
pub(crate) fn month_label(locale: Locale, month: &str) -> String {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (year, m) = month.split_once('-').unwrap_or((month, "1"));
    let m: usize = m.parse().unwrap_or(1).clamp(1, 12);
    match locale {
        Locale::ZhCn => format!("{year}年{m}月"),
        Locale::En => format!("{} {year}", NAMES[m - 1]),
    }
}

pub(crate) fn at_maturity_key(choice: AtMaturity) -> Key {
    match choice {
        AtMaturity::Renew => Key::DepAtMaturityRenew,
        AtMaturity::PayOut => Key::DepAtMaturityPayOut,
    }
}

/// A field-specific message where the deposits pages have a better one than the
/// generic "bad request".
pub(crate) fn dep_error_key(err: &AppError) -> Key {
    match (err.code, err.field.as_deref()) {
        (ErrorCode::BadRequest, Some("amount")) => Key::DepErrorMinimum,
        (ErrorCode::BadRequest, Some("product")) => Key::DepErrorProduct,
        (ErrorCode::BadRequest, Some("at_maturity")) => Key::DepErrorTooLateToSwitch,
        (ErrorCode::BadRequest, Some("early_withdrawal")) => Key::DepErrorMatured,
        (ErrorCode::BadRequest, Some("installment")) => Key::DepErrorInstallmentPaid,
        (code, _) => code.message_key(),
    }
}

/// An action's error with the deposits pages' own messages.
#[component]
pub(crate) fn DepError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let key = dep_error_key(&e);
            view! { <p class="error" role="alert">{t(key)}</p> }
        })
    }
}

/// One fact of a deposit: a term and its value.
#[component]
fn Fact(label: Key, #[prop(into)] value: String) -> impl IntoView {
    view! {
        <div>
            <dt>{t(label)}</dt>
            <dd>{value}</dd>
        </div>
    }
}

#[component]
pub fn DepositsPage() -> impl IntoView {
    let switch = ServerAction::<SetDepositAtMaturity>::new();
    let withdraw = ServerAction::<WithdrawDepositEarly>::new();
    let notice = ServerAction::<GiveDepositNotice>::new();
    let cancel = ServerAction::<CancelDepositNotice>::new();
    let pay = ServerAction::<PayDepositInstallment>::new();
    let data = Resource::new_blocking(
        move || {
            (
                switch.version().get(),
                withdraw.version().get(),
                notice.version().get(),
                cancel.version().get(),
                pay.version().get(),
            )
        },
        |_| deposits_overview(),
    );
    let actions = Actions { switch, withdraw, notice, cancel, pay };
    view! {
        <section class="form-page wide deposits" aria-labelledby="dep-title">
            <h1 id="dep-title">{t(Key::DepTitle)}</h1>
            <Flash />
            <p class="dep-open-link">
                <a class="button primary" href="/deposits/open">{t(Key::DepOpenLink)}</a>
            </p>
            <Suspense fallback=|| view! { <p>{t(Key::DepLoading)}</p> }>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(view) => deposits_view(view, actions).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// What the last plain form post did, from the URL it redirected to.
#[component]
fn Flash() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| {
            let key = if q.get("saved").is_some() {
                Some(Key::DepSavedNotice)
            } else if q.get("withdrawn").is_some() {
                Some(Key::DepWithdrawnNotice)
            } else if q.get("notice").is_some() {
                Some(Key::DepNoticeGivenNotice)
            } else if q.get("notice_cancelled").is_some() {
                Some(Key::DepNoticeCancelledNotice)
            } else if q.get("installment").is_some() {
                Some(Key::DepInstallmentPaidNotice)
            } else {
                None
            };
            let amount = q
                .get("withdrawn")
                .and_then(|v| v.parse::<i64>().ok())
                .map(|fen| Money::yuan_fen(fen).display())
                .unwrap_or_default();
            key.map(|key| {
                view! {
                    <p class="success" role="status">
                        {t(key)}
                        {(!amount.is_empty()).then(|| view! { " " <strong>{amount.clone()}</strong> })}
                    </p>
                }
            })
        })
    }
}

#[derive(Clone, Copy)]
struct Actions {
    switch: ServerAction<SetDepositAtMaturity>,
    withdraw: ServerAction<WithdrawDepositEarly>,
    notice: ServerAction<GiveDepositNotice>,
    cancel: ServerAction<CancelDepositNotice>,
    pay: ServerAction<PayDepositInstallment>,
}

fn deposits_view(view: DepositsView, actions: Actions) -> impl IntoView {
    let DepositsView { today, demand_rate_bp, time_deposits, installments, notice_deposits, calendar, demand_accounts } =
        view;
    let switch_error = action_error(actions.switch);
    let withdraw_error = action_error(actions.withdraw);
    let notice_error = action_error(actions.notice);
    let cancel_error = action_error(actions.cancel);
    let pay_error = action_error(actions.pay);
    let nothing = time_deposits.is_empty() && installments.is_empty() && notice_deposits.is_empty();
    view! {
        <p class="small">{t(Key::DepToday)}" "{today.to_string()}</p>
        {nothing.then(|| view! { <p class="dep-empty">{t(Key::DepNothingYet)}</p> })}
        <section class="panel" aria-labelledby="dep-time-title">
            <h2 id="dep-time-title">{t(Key::DepTimeTitle)}</h2>
            <DepError error=switch_error />
            <DepError error=withdraw_error />
            {if time_deposits.is_empty() {
                view! { <p>{t(Key::DepTimeNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="dep-list" role="list">
                        {time_deposits
                            .into_iter()
                            .map(|d| time_deposit_item(d, demand_rate_bp, actions))
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="dep-calendar-title">
            <h2 id="dep-calendar-title">{t(Key::DepCalendarTitle)}</h2>
            <p class="small">{t(Key::DepCalendarLead)}</p>
            {if calendar.is_empty() {
                view! { <p>{t(Key::DepCalendarNone)}</p> }.into_any()
            } else {
                calendar.into_iter().map(calendar_month).collect_view().into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="dep-installment-title">
            <h2 id="dep-installment-title">{t(Key::DepInstallmentTitle)}</h2>
            <DepError error=pay_error />
            {if installments.is_empty() {
                view! { <p>{t(Key::DepInstallmentNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="dep-list" role="list">
                        {installments
                            .into_iter()
                            .map(|i| installment_item(i, demand_accounts.clone(), actions))
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="dep-notice-title">
            <h2 id="dep-notice-title">{t(Key::DepNoticeTitle)}</h2>
            <DepError error=notice_error />
            <FormError error=cancel_error />
            {if notice_deposits.is_empty() {
                view! { <p>{t(Key::DepNoticeNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="dep-list" role="list">
                        {notice_deposits.into_iter().map(|n| notice_item(n, actions)).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

fn time_deposit_item(d: TimeDepositView, demand_rate_bp: i64, actions: Actions) -> impl IntoView {
    let id = d.id;
    let anchor = format!("td-{id}");
    let title_id = format!("td-{id}-title");
    let title_ref = title_id.clone();
    let early = d.early.clone();
    let renew_id = format!("td-{id}-renew");
    let pay_out_id = format!("td-{id}-pay-out");
    let confirm_id = format!("td-{id}-confirm");
    let choice = d.at_maturity;
    view! {
        <li class="dep-item" id=anchor>
            <article aria-labelledby=title_ref>
                <h3 id=title_id>{localized(d.name.clone())}" "<span class="dep-no">{d.number_masked.clone()}</span></h3>
                <dl class="dep-facts">
                    <Fact label=Key::DepPrincipal value=d.principal.display() />
                    <Fact label=Key::DepRate value=rate_text(d.rate_bp) />
                    <div>
                        <dt>{t(Key::DepTerm)}</dt>
                        <dd>{fill(Key::DepTermMonths, d.term_months)}</dd>
                    </div>
                    <Fact label=Key::DepOpenedOn value=d.opened_on.to_string() />
                    {(d.term_start != d.opened_on)
                        .then(|| view! { <Fact label=Key::DepTermStart value=d.term_start.to_string() /> })}
                    <Fact label=Key::DepMaturityDate value=d.maturity_date.to_string() />
                    <div>
                        <dt>{t(Key::DepDaysLeftLabel)}</dt>
                        <dd>{fill(Key::DepDaysLeft, d.days_left)}</dd>
                    </div>
                    <Fact label=Key::DepInterestAtMaturity value=d.early.interest_at_maturity.display() />
                    <div>
                        <dt>{t(Key::DepAtMaturity)}</dt>
                        <dd>{t(at_maturity_key(choice))}</dd>
                    </div>
                    {d.linked_masked.clone().map(|no| view! { <Fact label=Key::DepLinkedAccount value=no /> })}
                </dl>
                {d.can_switch
                    .then(|| {
                        view! {
                            <ActionForm action=actions.switch attr:class="dep-switch">
                                <input type="hidden" name="account_id" value=id.to_string() />
                                <fieldset>
                                    <legend>{t(Key::DepSwitchLegend)}</legend>
                                    <div class="dep-radio">
                                        <input
                                            type="radio"
                                            id=renew_id.clone()
                                            name="at_maturity"
                                            value="renew"
                                            checked=choice == AtMaturity::Renew
                                        />
                                        <label for=renew_id>{t(Key::DepAtMaturityRenew)}</label>
                                    </div>
                                    <div class="dep-radio">
                                        <input
                                            type="radio"
                                            id=pay_out_id.clone()
                                            name="at_maturity"
                                            value="pay_out"
                                            checked=choice == AtMaturity::PayOut
                                        />
                                        <label for=pay_out_id>{t(Key::DepAtMaturityPayOut)}</label>
                                    </div>
                                </fieldset>
                                <button class="button" type="submit">{t(Key::DepSwitchSave)}</button>
                            </ActionForm>
                        }
                    })}
                {d.can_switch
                    .then(|| {
                        view! {
                            <details class="dep-early">
                                <summary>{t(Key::DepEarlyTitle)}</summary>
                                <table class="dep-table">
                                    <caption>{t(Key::DepEarlyCaption)}</caption>
                                    <thead>
                                        <tr>
                                            <td></td>
                                            <th scope="col">{t(Key::DepEarlyToday)}</th>
                                            <th scope="col">{t(Key::DepEarlyAtMaturity)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        <tr>
                                            <th scope="row">{t(Key::DepEarlyRate)}</th>
                                            <td>{rate_text(demand_rate_bp)}</td>
                                            <td>{rate_text(d.rate_bp)}</td>
                                        </tr>
                                        <tr>
                                            <th scope="row">{t(Key::DepEarlyPeriod)}</th>
                                            <td>{fill(Key::DepDays, early.days_held)}</td>
                                            <td>{fill(Key::DepTermMonths, d.term_months)}</td>
                                        </tr>
                                        <tr>
                                            <th scope="row">{t(Key::DepEarlyInterest)}</th>
                                            <td>{early.interest_today.display()}</td>
                                            <td>{early.interest_at_maturity.display()}</td>
                                        </tr>
                                        <tr>
                                            <th scope="row">{t(Key::DepEarlyTotal)}</th>
                                            <td>{early.payout_today.display()}</td>
                                            <td>{early.payout_at_maturity.display()}</td>
                                        </tr>
                                    </tbody>
                                </table>
                                <p class="dep-warning">{t(Key::DepEarlyLost)}" "<strong>{early.interest_lost.display()}</strong></p>
                                <ActionForm action=actions.withdraw attr:class="dep-withdraw">
                                    <input type="hidden" name="account_id" value=id.to_string() />
                                    <input type="hidden" name="key" value=d.withdraw_key.clone() />
                                    <div class="dep-check">
                                        <input type="checkbox" id=confirm_id.clone() name="confirm" value="1" required=true />
                                        <label for=confirm_id>{t(Key::DepEarlyConfirm)}</label>
                                    </div>
                                    <button class="button" type="submit">{t(Key::DepEarlySubmit)}</button>
                                </ActionForm>
                            </details>
                        }
                    })}
            </article>
        </li>
    }
}

fn calendar_month(month: CalendarMonth) -> impl IntoView {
    let i18n = use_i18n();
    let label = month.month.clone();
    view! {
        <table class="dep-table dep-calendar">
            <caption>{move || month_label(i18n.locale(), &label)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t(Key::DepCalendarDate)}</th>
                    <th scope="col">{t(Key::DepCalendarDeposit)}</th>
                    <th scope="col" class="num">{t(Key::DepCalendarAmount)}</th>
                    <th scope="col">{t(Key::DepCalendarThen)}</th>
                </tr>
            </thead>
            <tbody>
                {month
                    .items
                    .into_iter()
                    .map(|item| {
                        let then = match (item.kind, item.at_maturity) {
                            (ProductKind::TimeDeposit, Some(AtMaturity::Renew)) => Key::DepThenRenew,
                            _ => Key::DepThenPayOut,
                        };
                        view! {
                            <tr>
                                <td>{item.maturity_date.to_string()}</td>
                                <td>{localized(item.name)}" "<span class="dep-no">{item.number_masked}</span></td>
                                <td class="num">{item.amount_at_maturity.display()}</td>
                                <td>{t(then)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

fn installment_item(i: InstallmentView, accounts: Vec<SourceAccount>, actions: Actions) -> impl IntoView {
    let id = i.id;
    let title_id = format!("is-{id}-title");
    let title_ref = title_id.clone();
    let from_id = format!("is-{id}-from");
    let paid_text = format!("{} / {}", i.paid_months, i.term_months);
    let can_pay = !i.paid_this_month && !accounts.is_empty();
    let monthly = i.monthly_amount.display();
    view! {
        <li class="dep-item" id=format!("is-{id}")>
            <article aria-labelledby=title_ref>
                <h3 id=title_id>{localized(i.name.clone())}" "<span class="dep-no">{i.number_masked.clone()}</span></h3>
                <dl class="dep-facts">
                    <Fact label=Key::DepMonthlyAmount value=monthly.clone() />
                    <Fact label=Key::DepRate value=rate_text(i.rate_bp) />
                    <Fact label=Key::DepPaidMonths value=paid_text />
                    <Fact label=Key::DepBalance value=i.balance.display() />
                    <Fact label=Key::DepOpenedOn value=i.opened_on.to_string() />
                    <Fact label=Key::DepMaturityDate value=i.maturity_date.to_string() />
                    <Fact label=Key::DepExpectedAtMaturity value=i.expected_at_maturity.display() />
                </dl>
                {if i.missed_months.is_empty() {
                    view! { <p class="small">{t(Key::DepMissedNone)}</p> }.into_any()
                } else {
                    let i18n = use_i18n();
                    let missed = i.missed_months.clone();
                    view! {
                        <div class="dep-missed">
                            <p class="dep-warning">{fill(Key::DepMissedCount, missed.len())}</p>
                            <ul>
                                {missed
                                    .into_iter()
                                    .map(|m| view! { <li>{move || month_label(i18n.locale(), &m)}</li> })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                        .into_any()
                }}
                {if i.paid_this_month {
                    view! { <p class="small">{t(Key::DepPaidThisMonth)}</p> }.into_any()
                } else if can_pay {
                    view! {
                        <ActionForm action=actions.pay attr:class="dep-pay">
                            <input type="hidden" name="account_id" value=id.to_string() />
                            <input type="hidden" name="key" value=i.pay_key.clone() />
                            <div class="field">
                                <label for=from_id.clone()>{t(Key::DepFromAccount)}</label>
                                <select id=from_id name="from">
                                    {accounts
                                        .into_iter()
                                        .map(|a| {
                                            view! {
                                                <option value=a.id.to_string()>
                                                    {format!("{} · {}", a.number_masked, a.balance.display())}
                                                </option>
                                            }
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                            <button class="button" type="submit">{fill(Key::DepPayMonth, monthly)}</button>
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    ().into_any()
                }}
            </article>
        </li>
    }
}

fn notice_item(n: NoticeDepositView, actions: Actions) -> impl IntoView {
    let id = n.id;
    let title_id = format!("nd-{id}-title");
    let title_ref = title_id.clone();
    let amount_id = format!("nd-{id}-amount");
    let hint_id = format!("nd-{id}-hint");
    let pending: Vec<_> = n.notices.iter().filter(|x| x.status == NoticeStatus::Pending).cloned().collect();
    let past: Vec<_> = n.notices.iter().filter(|x| x.status != NoticeStatus::Pending).cloned().collect();
    let can_give = n.available.minor() > 0 && n.linked_masked.is_some();
    view! {
        <li class="dep-item" id=format!("nd-{id}")>
            <article aria-labelledby=title_ref>
                <h3 id=title_id>{localized(n.name.clone())}" "<span class="dep-no">{n.number_masked.clone()}</span></h3>
                <dl class="dep-facts">
                    <Fact label=Key::DepBalance value=n.balance.display() />
                    <Fact label=Key::DepAvailable value=n.available.display() />
                    <div>
                        <dt>{t(Key::DepNoticeDays)}</dt>
                        <dd>{fill(Key::DepDays, n.notice_days)}</dd>
                    </div>
                    <Fact label=Key::DepRate value=rate_text(n.rate_bp) />
                    {n.linked_masked.clone().map(|no| view! { <Fact label=Key::DepLinkedAccount value=no /> })}
                </dl>
                {can_give
                    .then(|| {
                        view! {
                            <ActionForm action=actions.notice attr:class="dep-notice-form">
                                <input type="hidden" name="account_id" value=id.to_string() />
                                <input type="hidden" name="key" value=n.notice_key.clone() />
                                <div class="field">
                                    <label for=amount_id.clone()>{t(Key::DepNoticeAmount)}</label>
                                    <input
                                        id=amount_id
                                        name="amount"
                                        type="text"
                                        inputmode="decimal"
                                        autocomplete="off"
                                        required=true
                                        aria-describedby=hint_id.clone()
                                    />
                                    <p class="hint" id=hint_id>
                                        {fill(Key::DepNoticeDueHint, n.due_if_given_today.to_string())}
                                    </p>
                                </div>
                                <button class="button" type="submit">{t(Key::DepNoticeSubmit)}</button>
                            </ActionForm>
                        }
                    })}
                {(!pending.is_empty())
                    .then(|| {
                        view! {
                            <table class="dep-table">
                                <caption>{t(Key::DepNoticePending)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col" class="num">{t(Key::DepNoticeAmount)}</th>
                                        <th scope="col">{t(Key::DepNoticeGivenOn)}</th>
                                        <th scope="col">{t(Key::DepNoticeDueOn)}</th>
                                        <th scope="col">{t(Key::DepNoticeAction)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {pending
                                        .into_iter()
                                        .map(|p| {
                                            view! {
                                                <tr>
                                                    <td class="num">{p.amount.display()}</td>
                                                    <td>{p.given_on.to_string()}</td>
                                                    <td>{p.due_on.to_string()}</td>
                                                    <td>
                                                        <ActionForm action=actions.cancel attr:class="dep-inline">
                                                            <input type="hidden" name="notice_id" value=p.id.to_string() />
                                                            <button class="button" type="submit">
                                                                {t(Key::DepNoticeCancel)}
                                                            </button>
                                                        </ActionForm>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                    })}
                {(!past.is_empty())
                    .then(|| {
                        view! {
                            <table class="dep-table">
                                <caption>{t(Key::DepNoticePast)}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col" class="num">{t(Key::DepNoticeAmount)}</th>
                                        <th scope="col">{t(Key::DepNoticeDueOn)}</th>
                                        <th scope="col">{t(Key::DepNoticeStatus)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {past
                                        .into_iter()
                                        .map(|p| {
                                            let status = match p.status {
                                                NoticeStatus::Paid => Key::DepNoticeStatusPaid,
                                                _ => Key::DepNoticeStatusCancelled,
                                            };
                                            view! {
                                                <tr>
                                                    <td class="num">{p.amount.display()}</td>
                                                    <td>{p.due_on.to_string()}</td>
                                                    <td>{t(status)}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                    })}
            </article>
        </li>
    }
}
