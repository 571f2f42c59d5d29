//! The frame of every page: skip link, header, main, footer. Mobile first: one
//! column from 320 px, wider layouts by CSS alone.
use super::language::LanguageSwitch;
use crate::api::identity::{current_user, Logout};
use crate::types::{Principal, StaffRole};
use crate::{i18n::Key, t};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">{t(Key::SkipToContent)}</a>
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"邮"</span>
                <span class="brand-text">
                    <span class="brand-name">{t(Key::BankName)}</span>
                    <span class="brand-sub">{t(Key::PortalName)}</span>
                </span>
            </a>
            <div class="header-tools">
                <SignedIn />
                <LanguageSwitch />
            </div>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <p>
                {t(Key::Hotline)}<a href="tel:95580">"95580"</a>
            </p>
            <p class="staff-entry"><a href="/staff">{t(Key::LoginStaff)}</a></p>
            <p class="small">"© 2026 "{t(Key::FooterRights)}</p>
        </footer>
    }
}

/// Who is signed in, with the way to security settings and out. Re-read on every
/// navigation, so it follows log-in and log-out.
#[component]
fn SignedIn() -> impl IntoView {
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    let me = Resource::new_blocking(move || (location.pathname.get(), logout.version().get()), |_| current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                me.get()
                    .and_then(Result::ok)
                    .flatten()
                    .map(|me| {
                        let viewing = me.impersonating.clone();
                        let home = match (me.principal, &viewing) {
                            (Principal::Customer { .. }, _) | (_, Some(_)) => "/accounts",
                            (Principal::Staff { .. }, None) => "/staff/home",
                        };
                        let unread = me.unread_notifications;
                        let is_customer = matches!(me.principal, Principal::Customer { .. });
                        let customer_menu = is_customer || viewing.is_some();
                        view! {
                            {viewing.map(|banner| view! { <crate::pages::impersonation::ViewingBanner banner /> })}
                            <nav class="account-nav" aria-label=t(Key::NavAccount)>
                                <a href=home class="who">{me.display_name}</a>
                                {is_customer
                                    .then(|| {
                                        view! {
                                            <a href="/notifications" class="bell" data-unread=unread.to_string()>
                                                {t(Key::NoticesTitle)}
                                                {(unread > 0).then(|| view! { " "<span class="badge">{unread}</span> })}
                                            </a>
                                        }
                                    })}
                                <ActionForm action=logout>
                                    <button class="button" type="submit">{t(Key::Logout)}</button>
                                </ActionForm>
                            </nav>
                            {match me.principal {
                                Principal::Staff { role, .. } if !customer_menu => {
                                    view! { <StaffMenu path=location.pathname.get_untracked() role /> }.into_any()
                                }
                                _ => view! { <CustomerMenu path=location.pathname.get_untracked() /> }.into_any(),
                            }}
                            <super::session_timer::SessionTimer seconds_left=me.seconds_left />
                        }
                    })
            }}
        </Suspense>
    }
}

/// The staff console's sections; relationship-manager assignment only for those
/// who may do it (the server checks again).
#[component]
fn StaffMenu(path: String, role: StaffRole) -> impl IntoView {
    let mut items = vec![
        ("/staff/home", Key::NavStaffHome),
        ("/staff/requests", Key::NavStaffRequests),
        ("/staff/inquiries", Key::NavStaffInquiries),
        ("/staff/calendar", Key::NavStaffCalendar),
        ("/staff/schedule", Key::NavStaffSchedule),
    ];
    if matches!(role, StaffRole::Agent | StaffRole::Supervisor | StaffRole::Admin | StaffRole::Advisor) {
        items.push(("/staff/customers", Key::ConsoleNavCustomers));
    }
    if matches!(role, StaffRole::Advisor | StaffRole::Supervisor | StaffRole::Admin) {
        items.push(("/staff/my-customers", Key::RmTitle));
    }
    if matches!(role, StaffRole::Supervisor | StaffRole::Admin) {
        items.push(("/staff/managers", Key::NavStaffManagers));
        items.push(("/staff/requests/report", Key::NavStaffSlaReport));
        items.push(("/staff/impersonations", Key::ReviewNav));
        items.push(("/staff/insight", Key::DashTitle));
    }
    view! { <SectionMenu items path label=Key::NavStaffSections /> }
}

/// The customer's main sections.
#[component]
fn CustomerMenu(path: String) -> impl IntoView {
    let items = vec![
        ("/accounts", Key::NavAccounts),
        ("/transfer", Key::NavTransfer),
        ("/deposits", Key::NavDeposits),
        ("/consultations", Key::NavConsultations),
        ("/inquiries", Key::NavInquiries),
        ("/requests", Key::NavRequests),
        ("/security", Key::NavSecurity),
    ];
    view! { <SectionMenu items path label=Key::NavSections /> }
}

/// A row of section links; the current one is marked for screen readers and the eye.
#[component]
fn SectionMenu(items: Vec<(&'static str, Key)>, path: String, label: Key) -> impl IntoView {
    // The section is the longest link the path falls under: on /staff/requests/report
    // that is the report, not the queue above it.
    let under = |href: &str| path == href || path.starts_with(&format!("{href}/"));
    let section = items.iter().map(|(href, _)| *href).filter(|href| under(href)).max_by_key(|href| href.len());
    view! {
        <nav class="main-menu" aria-label=t(label)>
            {items
                .into_iter()
                .map(|(href, key)| {
                    let current = section == Some(href);
                    view! {
                        <a href=href aria-current=current.then_some("page")>
                            {t(key)}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
    }
}
