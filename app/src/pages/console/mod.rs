//! The staff console's pages: customer search (`/staff/customers?q=`), and the
//! parts of the customer 360 the console adds to the advisor's summary (profile,
//! transactions, requests, bookings, threads, security events, call notes, staff
//! access) with the support forms.
mod customer360;
mod support;

pub use customer360::Customer360Sections;
pub use support::SupportActions;

use crate::api::console::{staff_customer_search, SearchResult};
use crate::error::AppError;
use crate::i18n::{use_i18n, Key};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// A text with `{n}` filled in, reactive to the locale.
pub(crate) fn fill(key: Key, value: impl ToString) -> impl Fn() -> String + Send + Sync + 'static {
    let value = value.to_string();
    let text = t(key);
    move || text().replace("{n}", &value)
}

/// A page-level error (the resource failed).
pub(crate) fn load_error(e: &AppError) -> AnyView {
    view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any()
}

/// The search box: a plain GET form, so it works before (and without) the WASM.
#[component]
pub fn CustomerSearchBox(#[prop(optional, into)] value: String) -> impl IntoView {
    view! {
        <form method="get" action="/staff/customers" class="console-search" role="search">
            <div class="field">
                <label for="console-q">{t(Key::ConsoleSearchLabel)}</label>
                <input
                    id="console-q"
                    name="q"
                    type="search"
                    value=value
                    maxlength="100"
                    autocomplete="off"
                    aria-describedby="console-q-hint"
                />
                <p class="hint" id="console-q-hint">{t(Key::ConsoleSearchHint)}</p>
            </div>
            <button class="button primary" type="submit">{t(Key::ConsoleSearchSubmit)}</button>
        </form>
    }
}

/// What goes back into the box: the query, except a full card number, which the
/// page never shows.
fn refill(q: &str) -> String {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    if digits >= 13 {
        String::new()
    } else {
        q.trim().to_owned()
    }
}

/// `/staff/customers?q=`: customers by name, phone, number, ID tail or card tail.
#[component]
pub fn CustomerSearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|p| p.get("q").unwrap_or_default()));
    let result = Resource::new_blocking(move || q.get(), staff_customer_search);
    view! {
        <section class="form-page wide console-page" aria-labelledby="console-search-title">
            <h1 id="console-search-title">{t(Key::ConsoleSearchTitle)}</h1>
            <CustomerSearchBox value=refill(&q.get_untracked()) />
            <Suspense fallback=|| view! { <p>{t(Key::ConsoleLoading)}</p> }>
                {move || {
                    result
                        .get()
                        .map(|r| match r {
                            Err(e) => load_error(&e),
                            Ok(found) => results_view(found).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn results_view(found: SearchResult) -> impl IntoView {
    let i18n = use_i18n();
    if found.too_short {
        return view! { <p class="error" role="alert">{t(Key::ConsoleSearchTooShort)}</p> }.into_any();
    }
    if found.kinds.is_empty() {
        return view! { <p class="console-empty">{t(Key::ConsoleSearchPrompt)}</p> }.into_any();
    }
    if found.hits.is_empty() {
        return view! { <p class="console-empty" role="status">{t(Key::ConsoleSearchNone)}</p> }.into_any();
    }
    let count = found.hits.len();
    view! {
        <p role="status">{fill(Key::ConsoleSearchCount, count)}</p>
        {found.more.then(|| view! { <p class="warning">{t(Key::ConsoleSearchMore)}</p> })}
        <ul class="console-results" role="list">
            {found
                .hits
                .into_iter()
                .map(|hit| {
                    let href = format!("/staff/customers/{}", hit.customer_no);
                    let branch = hit.branch.clone();
                    let data_customer = hit.customer_no.clone();
                    view! {
                        <li class="console-hit" data-customer=data_customer data-status=hit.status.as_str()>
                            <a href=href>
                                <span class="console-hit-name">{hit.name}</span>
                                <span class="console-ref">{hit.customer_no}</span>
                                <span class="console-meta">
                                    {hit.phone_masked}" · "{move || branch.get(i18n.locale()).to_owned()}" · "
                                    {t(hit.status.label())}
                                </span>
                                <span class="console-meta">{t(Key::ConsoleMatchedBy)}" "{t(hit.matched.label())}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
