//! (being written)
use leptos::prelude::*;

#[component]
pub fn Overview() -> impl IntoView {
    view! { <p>"…"</p> }
}

#[component]
pub fn AccountDetail() -> impl IntoView {
    view! { <p>"…"</p> }
}

#[component]
pub fn Statement() -> impl IntoView {
    view! { <p>"…"</p> }
}
