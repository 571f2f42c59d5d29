use crate::{i18n::Key, t};
use leptos::prelude::*;

/// Shown for any path the router does not know; answers HTTP 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="notice-page">
            <h1>{t(Key::NotFoundTitle)}</h1>
            <p>{t(Key::NotFoundText)}</p>
            <p><a class="button" href="/">{t(Key::NotFoundHome)}</a></p>
        </section>
    }
}
