//! The staff entrance: log-in with staff number and password, the mandatory second
//! factor (set up on first log-in), and the console home with the staff member's
//! queues and the customer search.
use crate::api::console::{staff_console_home, ConsoleHome};
use crate::api::identity::StaffLogin;
use crate::components::form::{action_error, Field, FormError};
use crate::i18n::Key;
use crate::pages::console::CustomerSearchBox;
use crate::t;
use leptos::prelude::*;

/// `/staff`: the console home for a signed-in staff member, the log-in otherwise.
#[component]
pub fn StaffLoginPage() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| crate::api::identity::current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .map(|me| match me {
                        Ok(Some(me)) if matches!(me.principal, crate::types::Principal::Staff { .. }) => {
                            view! { <StaffHomePage /> }.into_any()
                        }
                        _ => view! { <StaffLoginForm /> }.into_any(),
                    })
            }}
        </Suspense>
    }
}

#[component]
fn StaffLoginForm() -> impl IntoView {
    let action = ServerAction::<StaffLogin>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="staff-login-title">
            <h1 id="staff-login-title">{t(Key::StaffLoginTitle)}</h1>
            <ActionForm action>
                <Field id="username" label=Key::FieldStaffNo autocomplete="username" />
                <Field id="password" label=Key::FieldPassword kind="password" autocomplete="current-password" />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::LoginSubmit)}</button>
            </ActionForm>
        </section>
    }
}

/// First log-in of a staff member: the second factor is mandatory.
#[component]
pub fn StaffSetupPage() -> impl IntoView {
    view! {
        <section class="form-page" aria-labelledby="staff-setup-title">
            <h1 id="staff-setup-title">{t(Key::StaffSetupTitle)}</h1>
            <p>{t(Key::StaffSetupLead)}</p>
            <super::security::TotpSetupPanel />
        </section>
    }
}

/// The console home: the staff member's queues with their counts and links (each
/// only for the roles that work it), today's consultations and the customer search.
#[component]
pub fn StaffHomePage() -> impl IntoView {
    let home = Resource::new_blocking(|| (), |_| staff_console_home());
    view! {
        <section class="form-page wide console-page" aria-labelledby="staff-home-title">
            <h1 id="staff-home-title">{t(Key::StaffHomeTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    home.get()
                        .map(|home| match home {
                            Ok(home) => home_view(home).into_any(),
                            Err(_) => {
                                view! {
                                    <p class="error" role="alert">
                                        {t(Key::ErrorUnauthenticated)}" "<a href="/staff">{t(Key::LoginStaff)}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <super::inquiries::StaffHomeInquiries />
        </section>
    }
}

/// A queue's line: its count, linked to the filtered list.
fn queue_link(href: &'static str, label: Key, count: i64) -> impl IntoView {
    view! {
        <li class="console-queue" data-count=count.to_string()>
            <a href=href>
                <span>{t(label)}</span>
                <strong class="console-count">{count}</strong>
            </a>
        </li>
    }
}

fn home_view(home: ConsoleHome) -> impl IntoView {
    let ConsoleHome { staff_no, name, role, requests, inquiries, consultations, can_search, has_calendar } = home;
    view! {
        <p>{t(Key::SignedInAs)}<strong>{name}</strong>" ("{staff_no}" · "{role.as_str()}")"</p>
        {has_calendar
            .then(|| {
                view! {
                    <p>
                        <a class="button" href="/staff/calendar">{t(Key::AdvHomeCalendar)}</a>
                        " "
                        <a class="button" href="/staff/my-customers">{t(Key::RmLink)}</a>
                    </p>
                }
            })}
        {matches!(role, crate::types::StaffRole::Supervisor | crate::types::StaffRole::Admin)
            .then(|| {
                view! {
                    <p>
                        <a class="button" href="/staff/insight">{t(Key::DashConsoleLink)}</a>
                    </p>
                }
            })}
        {can_search
            .then(|| {
                view! {
                    <section class="panel" aria-labelledby="console-home-search">
                        <h2 id="console-home-search">{t(Key::ConsoleSearchTitle)}</h2>
                        <CustomerSearchBox />
                    </section>
                }
            })}
        <section class="panel console-queues" aria-labelledby="console-home-requests">
            <h2 id="console-home-requests">{t(Key::ConsoleHomeRequests)}</h2>
            <ul class="console-queue-list" role="list">
                {queue_link("/staff/requests?assignee=me", Key::ConsoleHomeRequestsMine, requests.mine)}
                {requests
                    .unassigned
                    .map(|n| queue_link("/staff/requests?assignee=unassigned", Key::ConsoleHomeRequestsUnassigned, n))}
                {requests.overdue.map(|n| queue_link("/staff/requests?due=overdue", Key::ConsoleHomeRequestsOverdue, n))}
            </ul>
        </section>
        <section class="panel console-queues" aria-labelledby="console-home-inquiries">
            <h2 id="console-home-inquiries">{t(Key::ConsoleHomeInquiries)}</h2>
            <ul class="console-queue-list" role="list">
                {queue_link("/staff/inquiries?filter=mine", Key::ConsoleHomeInquiriesMine, inquiries.mine)}
                {queue_link("/staff/inquiries?filter=unassigned", Key::ConsoleHomeInquiriesUnclaimed, inquiries.unclaimed)}
            </ul>
        </section>
        <section class="panel console-today" aria-labelledby="console-home-today">
            <h2 id="console-home-today">
                {t(if consultations.own { Key::ConsoleHomeTodayMine } else { Key::ConsoleHomeTodayBranch })}
            </h2>
            {if consultations.items.is_empty() {
                view! { <p class="console-empty">{t(Key::ConsoleHomeTodayNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-list" role="list">
                        {consultations
                            .items
                            .into_iter()
                            .map(|b| {
                                view! {
                                    <li class="adv-entry" data-reference=b.reference.clone() data-status=b.status.as_str()>
                                        <a href=b.href>
                                            <span class="adv-time">{b.time}</span>
                                            <span class="adv-customer">{b.customer_name}" ("{b.customer_no}")"</span>
                                            <span class="adv-meta">
                                                {b.advisor_name}" · "{t(b.purpose.label())}" · "{t(b.channel.label())}" · "
                                                {t(b.status.label())}
                                            </span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}
