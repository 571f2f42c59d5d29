//! `/staff/managers?customer=<customer_no>`: a supervisor or admin finds a customer
//! by number and assigns (or removes) their relationship manager.
use super::{load_error, AdvError};
use crate::api::advisor::{manager_customer, AssignManager, ManagerLookup};
use crate::components::form::action_error;
use crate::i18n::{use_i18n, Key};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ManagersPage() -> impl IntoView {
    let query = use_query_map();
    let assign = ServerAction::<AssignManager>::new();
    let customer = move || query.with(|q| q.get("customer").unwrap_or_default().trim().to_owned());
    let found = Resource::new_blocking(
        move || (customer(), assign.version().get()),
        |(customer, _)| async move {
            if customer.is_empty() {
                None
            } else {
                Some(manager_customer(customer).await)
            }
        },
    );
    let saved = move || query.with(|q| q.get("saved").is_some());
    view! {
        <section class="adv-page" aria-labelledby="adv-managers-title">
            <h1 id="adv-managers-title">{t(Key::AdvManagersTitle)}</h1>
            <p>{t(Key::AdvManagersLead)}</p>
            <form method="get" action="/staff/managers" class="adv-form adv-search">
                <div class="field">
                    <label for="adv-customer-no">{t(Key::AdvCustomerNo)}</label>
                    <input id="adv-customer-no" name="customer" type="text" required=true autocomplete="off" value=customer />
                </div>
                <button class="button" type="submit">{t(Key::AdvFind)}</button>
            </form>
            {move || saved().then(|| view! { <p class="success" role="status">{t(Key::AdvManagerSaved)}</p> })}
            <Suspense fallback=|| view! { <p>{t(Key::AdvLoading)}</p> }>
                {move || {
                    found
                        .get()
                        .map(|r| match r {
                            None => ().into_any(),
                            Some(Err(e)) => load_error(&e),
                            Some(Ok(l)) => lookup_view(l, assign).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn lookup_view(l: ManagerLookup, assign: ServerAction<AssignManager>) -> impl IntoView {
    let i18n = use_i18n();
    let branch = l.branch.clone();
    let current = l.manager.as_ref().map(|m| m.staff_no.clone()).unwrap_or_default();
    let summary = format!("/staff/customers/{}", l.customer_no);
    view! {
        <section class="panel" aria-labelledby="adv-found-title">
            <h2 id="adv-found-title">{l.name.clone()}" ("{l.customer_no.clone()}")"</h2>
            <p>{move || branch.get(i18n.locale()).to_owned()}</p>
            <p>
                {t(Key::AdvCurrentManager)}" "
                {match l.manager.clone() {
                    Some(m) => view! { <strong>{format!("{} · {}", m.name, m.staff_no)}</strong> }.into_any(),
                    None => view! { <strong>{t(Key::AdvNoManager)}</strong> }.into_any(),
                }}
            </p>
            <ActionForm action=assign attr:class="adv-form">
                <input type="hidden" name="customer_no" value=l.customer_no.clone() />
                <div class="field">
                    <label for="adv-rm">{t(Key::AdvManager)}</label>
                    <select id="adv-rm" name="advisor">
                        <option value="" selected=current.is_empty()>{t(Key::AdvNoManager)}</option>
                        {l
                            .advisors
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
                </div>
                <AdvError error=action_error(assign) />
                <button class="button primary" type="submit">{t(Key::AdvSave)}</button>
            </ActionForm>
            <p>
                <a href=summary>{t(Key::AdvOpenSummary)}</a>
            </p>
        </section>
    }
}
