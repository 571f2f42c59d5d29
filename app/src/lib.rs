//! The portal application: compiled with `ssr` into the server and with `hydrate`
//! into the browser's WASM. See docs/ARCHITECTURE.md.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod components;
pub mod error;
pub mod i18n;
pub mod pages;
pub mod redirect;
pub mod types;

use components::layout::Layout;
use i18n::{provide_i18n, use_i18n, Key};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let locale = i18n::initial_locale();
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang=locale.tag()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <AutoReload options=options.clone() />
                // Deferred to idle time: on a slow phone the page shows and its forms
                // work first; the WASM takes over when the browser has a moment.
                <HydrationScripts options defer=true />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// A Content-Security-Policy with this response's own nonce: only our scripts run
/// (the hydration script carries the nonce; the module and WASM come from 'self'),
/// nothing may frame the page, and forms post only to us.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         frame-ancestors 'none'; form-action 'self'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The route table.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n();
    view! {
        <Stylesheet id="portal" href="/pkg/portal.css" />
        <Title text=move || format!("{} · {}", i18n.locale().text(Key::PortalName), i18n.locale().text(Key::BankName)) />
        <Meta name="description" content=i18n.t(Key::HeroLead) />
        <Router>
            <Layout>
                <Routes fallback=pages::not_found::NotFound>
                    // In-order streaming on every route: the server's HTML is complete
                    // in document order, data included, so pages and forms work
                    // before (or without) the WASM. Out-of-order streaming would
                    // leave "Loading…" in place until a script swaps the data in.
                    <Route path=path!("/") view=pages::landing::Landing ssr=SsrMode::InOrder />
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::InOrder />
                    <Route path=path!("/login/verify") view=pages::login::VerifyPage ssr=SsrMode::InOrder />
                    <Route path=path!("/enroll") view=pages::enroll::EnrollPage ssr=SsrMode::InOrder />
                    <Route path=path!("/enroll/verify") view=pages::enroll::EnrollVerifyPage ssr=SsrMode::InOrder />
                    <Route path=path!("/forgot") view=pages::forgot::ForgotPage ssr=SsrMode::InOrder />
                    <Route path=path!("/forgot/verify") view=pages::forgot::ForgotVerifyPage ssr=SsrMode::InOrder />
                    <Route path=path!("/security") view=pages::security::SecurityPage ssr=SsrMode::InOrder />
                    <Route path=path!("/accounts") view=pages::accounts::Overview ssr=SsrMode::InOrder />
                    <Route path=path!("/accounts/:id") view=pages::accounts::AccountDetail ssr=SsrMode::InOrder />
                    <Route path=path!("/accounts/:id/statement") view=pages::accounts::Statement ssr=SsrMode::InOrder />
                    <Route path=path!("/transfer") view=pages::transfer::TransferPage ssr=SsrMode::InOrder />
                    <Route path=path!("/transfer/receipt/:receipt_no") view=pages::transfer::ReceiptPage ssr=SsrMode::InOrder />
                    <Route path=path!("/payees") view=pages::transfer::PayeesPage ssr=SsrMode::InOrder />
                    <Route path=path!("/deposits") view=pages::deposits::DepositsPage ssr=SsrMode::InOrder />
                    <Route path=path!("/deposits/open") view=pages::deposits::OpenTimeDepositPage ssr=SsrMode::InOrder />
                    <Route path=path!("/inquiries") view=pages::inquiries::InquiriesPage ssr=SsrMode::InOrder />
                    <Route path=path!("/inquiries/new") view=pages::inquiries::NewInquiryPage ssr=SsrMode::InOrder />
                    <Route path=path!("/inquiries/:id") view=pages::inquiries::InquiryPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/inquiries") view=pages::inquiries::StaffInboxPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/inquiries/:id") view=pages::inquiries::StaffInquiryPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/requests") view=pages::requests::StaffQueuePage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/requests/report") view=pages::requests::report::SlaReportPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/requests/:reference") view=pages::requests::StaffRequestPage ssr=SsrMode::InOrder />
                    <Route path=path!("/requests") view=pages::requests::RequestsPage ssr=SsrMode::InOrder />
                    <Route path=path!("/requests/new") view=pages::requests::NewRequestPage ssr=SsrMode::InOrder />
                    <Route path=path!("/requests/new/:kind") view=pages::requests::NewRequestFormPage ssr=SsrMode::InOrder />
                    <Route path=path!("/requests/:reference") view=pages::requests::RequestPage ssr=SsrMode::InOrder />
                    <Route path=path!("/notifications") view=pages::notifications::NotificationsPage ssr=SsrMode::InOrder />
                    <Route path=path!("/consultations") view=pages::consultations::ConsultationsPage ssr=SsrMode::InOrder />
                    <Route path=path!("/consultations/book") view=pages::consultations::BookConsultationPage ssr=SsrMode::InOrder />
                    <Route path=path!("/consultations/:reference") view=pages::consultations::ConsultationPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff") view=pages::staff::StaffLoginPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/verify") view=pages::login::VerifyPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/setup") view=pages::staff::StaffSetupPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/home") view=pages::staff::StaffHomePage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/calendar") view=pages::advisor::CalendarPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/bookings/:id") view=pages::advisor::AdvisorBookingPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/schedule") view=pages::advisor::SchedulePage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/managers") view=pages::advisor::ManagersPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/my-customers") view=pages::rm::MyCustomersPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/customers") view=pages::console::CustomerSearchPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/customers/:customer_no") view=pages::advisor::CustomerSummaryPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/impersonations") view=pages::impersonation_review::ImpersonationsPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/impersonations/:id") view=pages::impersonation_review::ImpersonationPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/insight") view=pages::insight::InsightPage ssr=SsrMode::InOrder />
                    <Route path=path!("/staff/insight/customers") view=pages::insight::customers::InsightCustomersPage ssr=SsrMode::InOrder />
                    <Route path=path!("/dev/outbox") view=pages::dev_outbox::DevOutboxPage ssr=SsrMode::InOrder />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The text of `key` in the current locale, reactive.
pub fn t(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    use_i18n().t(key)
}
