//! The frame of every page: skip link, header, main, footer. Mobile first: one
//! column from 320 px, wider layouts by CSS alone.
use super::language::LanguageSwitch;
use crate::{i18n::Key, t};
use leptos::prelude::*;

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
            <LanguageSwitch />
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
