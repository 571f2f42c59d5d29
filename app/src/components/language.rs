//! The language switcher. A plain form first (works before the WASM has loaded:
//! the server sets the cookie and redirects back); once hydrated, a click switches
//! the page in place and writes the same cookie.
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let back = move || location.pathname.get();
    view! {
        <form class="language-switch" method="post" action="/locale" aria-label=t(Key::LanguageSwitch)>
            <input type="hidden" name="back" value=back />
            {Locale::ALL
                .into_iter()
                .map(|locale| {
                    let current = move || i18n.locale() == locale;
                    view! {
                        <button
                            type="submit"
                            name="lang"
                            value=locale.tag()
                            lang=locale.tag()
                            aria-pressed=move || current().to_string()
                            on:click=move |ev| {
                                #[cfg(feature = "hydrate")]
                                {
                                    ev.prevent_default();
                                    crate::i18n::switch_in_browser(i18n, locale);
                                }
                                #[cfg(not(feature = "hydrate"))]
                                let _ = ev;
                            }
                        >
                            {locale.endonym()}
                        </button>
                    }
                })
                .collect_view()}
        </form>
    }
}
