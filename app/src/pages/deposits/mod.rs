//! (being written)
use leptos::prelude::*;

#[component]
pub fn DepositsPage() -> impl IntoView {
    view! { <p>"…"</p> }
}

#[component]
pub fn OpenTimeDepositPage() -> impl IntoView {
    view! { <p>"…"</p> }
}
