//! The public landing page: who we are, the way in, what one can do, where we are.
use crate::api::branches::list_branches;
use crate::i18n::{use_i18n, Key};
use crate::t;
use crate::types::Branch;
use leptos::prelude::*;

#[component]
pub fn Landing() -> impl IntoView {
    view! {
        <section class="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">{t(Key::HeroTitle)}</h1>
            <p class="lead">{t(Key::HeroLead)}</p>
            <p class="actions">
                <a class="button primary" href="/login">{t(Key::LoginPersonal)}</a>
            </p>
        </section>
        <Features />
        <Branches />
        <section class="safety" role="note" aria-labelledby="safety-title">
            <h2 id="safety-title">{t(Key::SafetyHeading)}</h2>
            <p>{t(Key::SafetyText)}</p>
        </section>
    }
}

#[component]
fn Features() -> impl IntoView {
    let items = [
        (Key::FeatureBalancesTitle, Key::FeatureBalancesText),
        (Key::FeatureTransfersTitle, Key::FeatureTransfersText),
        (Key::FeatureConsultTitle, Key::FeatureConsultText),
        (Key::FeatureRequestsTitle, Key::FeatureRequestsText),
    ];
    view! {
        <section class="features" aria-labelledby="features-title">
            <h2 id="features-title">{t(Key::FeatureHeading)}</h2>
            <ul class="cards" role="list">
                {items
                    .into_iter()
                    .map(|(title, text)| {
                        view! {
                            <li class="card">
                                <h3>{t(title)}</h3>
                                <p>{t(text)}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Branches() -> impl IntoView {
    let branches = Resource::new_blocking(|| (), |_| list_branches());
    view! {
        <section class="branches" aria-labelledby="branches-title">
            <h2 id="branches-title">{t(Key::BranchesHeading)}</h2>
            <p>{t(Key::BranchesLead)}</p>
            <Suspense fallback=move || view! { <p>{t(Key::BranchesLoading)}</p> }>
                {move || {
                    branches
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => view! { <p>{t(Key::BranchesEmpty)}</p> }.into_any(),
                            Ok(list) => view! { <BranchList list /> }.into_any(),
                            Err(_) => view! { <p class="error" role="alert">{t(Key::BranchesError)}</p> }.into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn BranchList(list: Vec<Branch>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="branch-list" role="list">
            {list
                .into_iter()
                .map(|b| {
                    let (name, address, hours) = (b.name.clone(), b.address.clone(), b.hours.clone());
                    let tel = format!("tel:{}", b.phone.replace('-', ""));
                    view! {
                        <li class="branch">
                            <h3>{move || name.get(i18n.locale()).to_owned()}</h3>
                            <p>{move || address.get(i18n.locale()).to_owned()}</p>
                            <p>
                                {t(Key::BranchPhone)}<a href=tel>{b.phone.clone()}</a>
                            </p>
                            <p>{t(Key::BranchHours)}{move || hours.get(i18n.locale()).to_owned()}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
