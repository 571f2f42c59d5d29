//! Development only: the messages the portal "sent", so a tester can read codes.
use crate::api::identity::dev_outbox;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

#[component]
pub fn DevOutboxPage() -> impl IntoView {
    let messages = Resource::new_blocking(|| (), |_| dev_outbox());
    view! {
        <section class="form-page wide" aria-labelledby="outbox-title">
            <h1 id="outbox-title">{t(Key::OutboxTitle)}</h1>
            <p>{t(Key::OutboxLead)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    messages
                        .get()
                        .map(|list| match list {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <ol class="outbox" role="list">
                                        {list
                                            .into_iter()
                                            .map(|m| {
                                                let recipient = m.recipient.clone();
                                                view! {
                                                    <li class="message" data-recipient=recipient>
                                                        <p class="small">{m.recipient}</p>
                                                        <p class="body">{m.body}</p>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ol>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
