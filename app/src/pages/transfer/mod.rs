//! (being written)
use leptos::prelude::*;

#[component]
pub fn TransferPage() -> impl IntoView {
    view! { <p>"…"</p> }
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    view! { <p>"…"</p> }
}

#[component]
pub fn PayeesPage() -> impl IntoView {
    view! { <p>"…"</p> }
}
