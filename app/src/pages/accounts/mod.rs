//! The customer's accounts: the overview of everything they hold (`/accounts`), one
//! account's history with filters, charts and CSV (`/accounts/:id`), and its
//! printable monthly statement (`/accounts/:id/statement`).
mod detail;
mod notice;
mod statement;

pub use detail::AccountDetail;
pub use statement::Statement;

use crate::api::accounts::{accounts_overview, HideAmounts};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use crate::types::{AccountStatus, AtMaturity, Money, ProductDetail, ProductKind, ProductView, Tier};
use leptos::prelude::*;

/// What a hidden figure shows.
pub(crate) const HIDDEN: &str = "****";

/// "1.35%" from basis points.
pub(crate) fn rate(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// "1,234.567" units from thousandths.
fn units(milli: i64) -> String {
    let whole = Money::yuan_fen((milli / 1000) * 100).display();
    let whole = whole.trim_start_matches('¥').trim_end_matches(".00").to_owned();
    format!("{whole}.{:03}", milli % 1000)
}

/// "1.2345" from a NAV in ten-thousandths of a yuan.
fn nav(e4: i64) -> String {
    format!("{}.{:04}", e4 / 10_000, e4 % 10_000)
}

pub(crate) fn kind_group_key(kind: ProductKind) -> Key {
    match kind {
        ProductKind::DemandDeposit => Key::AcctGroupDemandDeposit,
        ProductKind::TimeDeposit => Key::AcctGroupTimeDeposit,
        ProductKind::InstallmentSavings => Key::AcctGroupInstallmentSavings,
        ProductKind::NoticeDeposit => Key::AcctGroupNoticeDeposit,
        ProductKind::CreditCard => Key::AcctGroupCreditCard,
        ProductKind::Loan => Key::AcctGroupLoan,
        ProductKind::WealthFund => Key::AcctGroupWealthFund,
        ProductKind::Insurance => Key::AcctGroupInsurance,
    }
}

/// The label of a product's headline figure.
pub(crate) fn balance_key(kind: ProductKind) -> Key {
    match kind {
        ProductKind::CreditCard => Key::AcctOwed,
        ProductKind::Loan => Key::AcctOutstanding,
        ProductKind::WealthFund => Key::AcctMarketValue,
        ProductKind::Insurance => Key::AcctCashValue,
        _ => Key::AcctBalance,
    }
}

pub(crate) fn tier_key(tier: Tier) -> Key {
    match tier {
        Tier::One => Key::AcctTier1,
        Tier::Two => Key::AcctTier2,
        Tier::Three => Key::AcctTier3,
    }
}

pub(crate) fn status_key(status: AccountStatus) -> Option<Key> {
    match status {
        AccountStatus::Active => None,
        AccountStatus::Dormant => Some(Key::AcctStatusDormant),
        AccountStatus::Frozen => Some(Key::AcctStatusFrozen),
        AccountStatus::Closed => Some(Key::AcctStatusClosed),
    }
}

/// A product's headline figure: what is owed shows as a positive amount under "owed".
pub(crate) fn headline(kind: ProductKind, balance: Money) -> Money {
    if kind.is_liability() {
        Money::yuan_fen(-balance.minor())
    } else {
        balance
    }
}

/// A figure, or `****` when the customer hides amounts.
fn shown(hidden: bool, money: Money) -> String {
    if hidden {
        HIDDEN.to_owned()
    } else {
        money.display()
    }
}

#[component]
pub fn Overview() -> impl IntoView {
    let hide = ServerAction::<HideAmounts>::new();
    let data = Resource::new_blocking(move || hide.version().get(), |_| accounts_overview());
    view! {
        <section class="accounts-page" aria-labelledby="overview-title">
            <h1 id="overview-title">{t(Key::AcctOverviewTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    data.get()
                        .map(|result| match result {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(o) => overview_view(o, hide).into_any(),
                        })
                }}
            </Suspense>
            <crate::pages::recommend::SuggestedForYou />
        </section>
    }
}

fn overview_view(o: crate::types::Overview, hide: ServerAction<HideAmounts>) -> impl IntoView {
    let hidden = o.amounts_hidden;
    let net = Money::yuan_fen(o.total_assets.minor() - o.total_liabilities.minor());
    let groups: Vec<(ProductKind, Vec<ProductView>)> = ProductKind::ALL
        .into_iter()
        .map(|kind| (kind, o.products.iter().filter(|p| p.kind == kind).cloned().collect::<Vec<_>>()))
        .filter(|(_, list)| !list.is_empty())
        .collect();
    let empty = groups.is_empty();
    view! {
        <section class="totals" aria-labelledby="totals-title" data-hidden=hidden.to_string()>
            <h2 id="totals-title" class="visually-hidden">{t(Key::AcctTotalsTitle)}</h2>
            <dl class="totals-list">
                <div>
                    <dt>{t(Key::AcctTotalAssets)}</dt>
                    <dd class="figure" data-testid="total-assets">{shown(hidden, o.total_assets)}</dd>
                </div>
                <div>
                    <dt>{t(Key::AcctTotalLiabilities)}</dt>
                    <dd class="figure" data-testid="total-liabilities">{shown(hidden, o.total_liabilities)}</dd>
                </div>
                <div>
                    <dt>{t(Key::AcctNetWorth)}</dt>
                    <dd class="figure">{shown(hidden, net)}</dd>
                </div>
            </dl>
            {hidden.then(|| view! { <p class="small">{t(Key::AcctAmountsHiddenNote)}</p> })}
            <ActionForm action=hide attr:class="hide-toggle">
                <input type="hidden" name="hide" value=if hidden { "0" } else { "1" } />
                <input type="hidden" name="back" value="/accounts" />
                <button class="button" type="submit" aria-pressed=hidden.to_string()>
                    {t(if hidden { Key::AcctShowAmounts } else { Key::AcctHideAmounts })}
                </button>
            </ActionForm>
        </section>
        <nav class="quick-links" aria-label=t(Key::AcctQuickLinks)>
            <a class="button primary" href="/transfer">{t(Key::NavTransfer)}</a>
            <a class="button" href="/deposits">{t(Key::AcctManageDeposits)}</a>
            <a class="button" href="/requests/new/card_lost">{t(Key::SrqLostCardLink)}</a>
        </nav>
        {empty.then(|| view! { <p>{t(Key::AcctNoProducts)}</p> })}
        {groups
            .into_iter()
            .map(|(kind, list)| {
                let heading = format!("group-{}", kind.as_str());
                view! {
                    <section class="product-group" aria-labelledby=heading.clone()>
                        <h2 id=heading.clone()>{t(kind_group_key(kind))}</h2>
                        <ul class="product-list" role="list">
                            {list.into_iter().map(|p| product_card(p, hidden)).collect_view()}
                        </ul>
                    </section>
                }
            })
            .collect_view()}
        {o.manager.map(|m| {
            let i18n = use_i18n();
            let tel = format!("tel:{}", m.phone.chars().filter(|c| c.is_ascii_digit()).collect::<String>());
            let branch = m.branch.clone();
            let book = format!("/consultations/book?advisor={}", m.staff_no);
            view! {
                <section class="manager-card" aria-labelledby="manager-title">
                    <h2 id="manager-title">{t(Key::AcctManagerTitle)}</h2>
                    <p class="manager-name">{m.name}</p>
                    <p>{move || branch.get(i18n.locale()).to_owned()}</p>
                    <p>
                        <a href=tel class="tel">
                            <span class="visually-hidden">{t(Key::AcctManagerCall)}" "</span>
                            {m.phone}
                        </a>
                    </p>
                    <p>
                        <a href=book class="button book-rm">{t(Key::AdvBookMyRm)}</a>
                    </p>
                </section>
            }
        })}
    }
}

/// One product: its name, masked number, headline figure and the facts of its family.
fn product_card(p: ProductView, hidden: bool) -> impl IntoView {
    let i18n = use_i18n();
    let name = p.name.clone();
    let figure = shown(hidden, headline(p.kind, p.balance));
    let ledger = !matches!(p.kind, ProductKind::WealthFund | ProductKind::Insurance);
    let href = format!("/accounts/{}", p.id);
    let title_id = format!("product-{}-{}", p.kind.as_str(), p.id);
    let status = status_key(p.status);
    view! {
        <li class="product" data-kind=p.kind.as_str()>
            <div class="product-head">
                <h3 id=title_id.clone()>
                    {if ledger {
                        let name = name.clone();
                        view! { <a href=href.clone()>{move || name.get(i18n.locale()).to_owned()}</a> }.into_any()
                    } else {
                        let name = name.clone();
                        view! { <span>{move || name.get(i18n.locale()).to_owned()}</span> }.into_any()
                    }}
                </h3>
                {(!p.number_masked.is_empty()).then(|| view! { <p class="number">{p.number_masked.clone()}</p> })}
                {status.map(|k| view! { <p class="status-badge">{t(k)}</p> })}
            </div>
            <p class="product-figure">
                <span class="label">{t(balance_key(p.kind))}</span>
                <span class="figure">{figure}</span>
            </p>
            {notice::notice_view(p.notice, p.id)}
            <dl class="facts">
                {
                    let detail = p.detail.clone();
                    move || facts(&detail, hidden, i18n.locale())
                }
            </dl>
            {ledger.then(|| view! { <p class="product-link"><a href=href>{t(Key::AcctViewHistory)}</a></p> })}
        </li>
    }
}

fn fact(label: Key, value: String) -> impl IntoView {
    view! {
        <div>
            <dt>{t(label)}</dt>
            <dd>{value}</dd>
        </div>
    }
}

fn facts(detail: &ProductDetail, hidden: bool, locale: Locale) -> AnyView {
    let m = |money: Money| shown(hidden, money);
    let months = |n: i64| format!("{n} {}", locale.text(Key::AcctMonthsUnit));
    match detail.clone() {
        ProductDetail::Demand { tier, card_masked, daily_limit_left } => view! {
            {fact(Key::AcctTierLabel, locale.text(tier_key(tier)).to_owned())}
            {card_masked.map(|c| fact(Key::AcctDebitCard, c))}
            {fact(Key::AcctDailyLimitLeft, m(daily_limit_left))}
        }
        .into_any(),
        ProductDetail::Time { principal, rate_bp, term_months, opened_on, maturity_date, at_maturity } => view! {
            {fact(Key::AcctPrincipal, m(principal))}
            {fact(Key::AcctRate, rate(rate_bp))}
            {fact(Key::AcctTerm, months(term_months))}
            {fact(Key::AcctOpenedOn, opened_on.to_string())}
            {fact(Key::AcctMaturity, maturity_date.to_string())}
            {fact(
                Key::AcctAtMaturity,
                locale
                    .text(match at_maturity {
                        AtMaturity::Renew => Key::AcctRenew,
                        AtMaturity::PayOut => Key::AcctPayOut,
                    })
                    .to_owned(),
            )}
        }
        .into_any(),
        ProductDetail::Installment { monthly_amount, rate_bp, paid_months, missed_months, maturity_date } => {
            let missed = if missed_months.is_empty() {
                locale.text(Key::AcctNoneMissed).to_owned()
            } else {
                missed_months.join(locale.text(Key::AcctListSeparator))
            };
            view! {
                {fact(Key::AcctMonthlyAmount, m(monthly_amount))}
                {fact(Key::AcctRate, rate(rate_bp))}
                {fact(Key::AcctPaidMonths, paid_months.to_string())}
                {fact(Key::AcctMissedMonths, missed)}
                {fact(Key::AcctMaturity, maturity_date.to_string())}
            }
            .into_any()
        }
        ProductDetail::Notice { notice_days, rate_bp, pending_notice } => view! {
            {fact(Key::AcctNoticePeriod, format!("{notice_days} {}", locale.text(Key::AcctDaysUnit)))}
            {fact(Key::AcctRate, rate(rate_bp))}
            {fact(
                Key::AcctPendingNotice,
                match pending_notice {
                    Some((amount, due)) => format!("{} · {due}", m(amount)),
                    None => locale.text(Key::AcctNoPendingNotice).to_owned(),
                },
            )}
        }
        .into_any(),
        ProductDetail::CreditCard { limit, available, statement_balance, minimum_payment, due_date } => view! {
            {fact(Key::AcctAvailable, m(available))}
            {fact(Key::AcctCreditLimit, m(limit))}
            {fact(Key::AcctStatementBalance, m(statement_balance))}
            {fact(Key::AcctMinimumPayment, m(minimum_payment))}
            {due_date.map(|d| fact(Key::AcctDueDate, d.to_string()))}
        }
        .into_any(),
        ProductDetail::Loan { original, rate_bp, term_months, next_instalment, next_due } => view! {
            {fact(Key::AcctLoanOriginal, m(original))}
            {fact(Key::AcctRate, rate(rate_bp))}
            {fact(Key::AcctTerm, months(term_months))}
            {(next_instalment.minor() > 0 || next_due.is_some())
                .then(|| fact(Key::AcctNextInstalment, m(next_instalment)))}
            {next_due.map(|d| fact(Key::AcctNextDue, d.to_string()))}
        }
        .into_any(),
        ProductDetail::Fund { units_milli, nav_e4, nav_date, cost, gain } => {
            let gain_text = if hidden {
                HIDDEN.to_owned()
            } else if gain.minor() > 0 {
                format!("+{}", gain.display())
            } else {
                gain.display()
            };
            view! {
                {fact(Key::AcctUnits, units(units_milli))}
                {fact(Key::AcctNav, format!("{} ({nav_date})", nav(nav_e4)))}
                {fact(Key::AcctCost, m(cost))}
                <div data-gain=if gain.minor() < 0 { "loss" } else { "gain" }>
                    <dt>{t(Key::AcctGain)}</dt>
                    <dd>{gain_text}</dd>
                </div>
            }
            .into_any()
        }
        ProductDetail::Insurance { insurer, sum_insured, annual_premium, cash_value: _, end_date } => view! {
            {fact(Key::AcctInsurer, insurer.get(locale).to_owned())}
            {fact(Key::AcctSumInsured, m(sum_insured))}
            {fact(Key::AcctAnnualPremium, m(annual_premium))}
            {fact(Key::AcctPolicyEnd, end_date.to_string())}
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_format() {
        assert_eq!(rate(135), "1.35%");
        assert_eq!(rate(5), "0.05%");
        assert_eq!(units(1_234_567), "1,234.567");
        assert_eq!(units(5), "0.005");
        assert_eq!(nav(12_345), "1.2345");
        assert_eq!(headline(ProductKind::CreditCard, Money::yuan_fen(-500)).minor(), 500);
        assert_eq!(shown(true, Money::yuan_fen(1)), "****");
    }
}
