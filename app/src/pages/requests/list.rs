//! The customer's requests: reference, kind, status, the next step and the last
//! update, latest first.
use super::{fill, next_step_text, LoadError};
use crate::api::requests::{my_requests, RequestSummary};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

#[component]
pub fn RequestsPage() -> impl IntoView {
    let list = Resource::new_blocking(|| (), |_| my_requests());
    view! {
        <section class="form-page wide sr" aria-labelledby="sr-title">
            <h1 id="sr-title">{t(Key::SrqTitle)}</h1>
            <p>{t(Key::SrqLead)}</p>
            <p>
                <a class="button primary" href="/requests/new">{t(Key::SrqNew)}</a>
            </p>
            <Suspense fallback=|| view! { <p>{t(Key::SrqLoading)}</p> }>
                {move || {
                    list.get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p>{t(Key::SrqEmpty)}</p> }.into_any(),
                            Ok(list) => request_list(list).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn request_list(list: Vec<RequestSummary>) -> impl IntoView {
    view! {
        <ul class="sr-list" role="list">
            {list
                .into_iter()
                .map(|r| {
                    let href = format!("/requests/{}", r.reference);
                    view! {
                        <li class="sr-item" data-status=r.status.as_str()>
                            <p class="sr-item-head">
                                <a href=href>
                                    <span class="sr-ref">{r.reference.clone()}</span>
                                    " · "
                                    {t(r.kind.label())}
                                </a>
                            </p>
                            <p class="sr-subject">{r.subject}</p>
                            <p class="small">
                                <span class="sr-status">{t(r.status.label())}</span>
                                " · "
                                <span class="sr-next">{next_step_text(r.next_step, None)}</span>
                            </p>
                            <p class="small">
                                {t(Key::SrqUpdated)}
                                " "
                                <span class="sr-time">{r.updated_local}</span>
                                {(r.bank_messages > 0)
                                    .then(|| {
                                        view! {
                                            " "
                                            <span class="sr-badge">{fill(Key::SrqBankMessages, r.bank_messages)}</span>
                                        }
                                    })}
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
