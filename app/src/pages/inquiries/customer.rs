//! The customer's questions: the list with unread replies, a new question, and one
//! thread with its conversation, reply and close forms.
use super::{fill, BodyField, LoadError, MessageList, StatusBadge, UnreadBadge};
use crate::api::inquiries::{
    inquiry_form, my_inquiries, my_inquiry, CloseInquiry, MyThreads, OpenInquiry, ReplyInquiry, ThreadView, MAX_SUBJECT,
};
use crate::components::form::{action_error, FormError};
use crate::i18n::Key;
use crate::t;
use crate::types::Topic;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InquiriesPage() -> impl IntoView {
    let list = Resource::new_blocking(|| (), |_| my_inquiries());
    view! {
        <section class="form-page wide inq" aria-labelledby="inq-title">
            <h1 id="inq-title">{t(Key::InqTitle)}</h1>
            <p>{t(Key::InqLead)}</p>
            <p>
                <a class="button primary" href="/inquiries/new">{t(Key::InqAsk)}</a>
            </p>
            <Suspense fallback=|| view! { <p>{t(Key::InqLoading)}</p> }>
                {move || {
                    list.get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(list) => thread_list(list).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn thread_list(list: MyThreads) -> impl IntoView {
    if list.threads.is_empty() {
        return view! { <p>{t(Key::InqEmpty)}</p> }.into_any();
    }
    view! {
        {(list.unread_total > 0)
            .then(|| view! { <p class="inq-unread-total" role="status">{fill(Key::InqUnreadTotal, list.unread_total)}</p> })}
        <ul class="inq-threads" role="list">
            {list
                .threads
                .into_iter()
                .map(|th| {
                    view! {
                        <li class="inq-thread" data-unread=th.unread.to_string()>
                            <p class="inq-thread-head">
                                <a href=format!("/inquiries/{}", th.id)>{th.subject}</a>
                                " "
                                <UnreadBadge count=th.unread />
                            </p>
                            <p class="small">
                                {t(th.topic.label())}
                                " · "
                                <StatusBadge open=th.open />
                                " · "
                                {t(Key::InqLastActivity)}
                                " "
                                <span class="inq-time">{th.last_message_local}</span>
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn NewInquiryPage() -> impl IntoView {
    let form = Resource::new_blocking(|| (), |_| inquiry_form());
    let open = ServerAction::<OpenInquiry>::new();
    let error = action_error(open);
    view! {
        <section class="form-page inq" aria-labelledby="inq-new-title">
            <h1 id="inq-new-title">{t(Key::InqNewTitle)}</h1>
            <p>{t(Key::InqNewLead)}</p>
            <Suspense fallback=|| view! { <p>{t(Key::InqLoading)}</p> }>
                {move || {
                    form.get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(form) => {
                                view! {
                                    <ActionForm action=open attr:class="inq-new-form">
                                        <input type="hidden" name="key" value=form.key />
                                        <div class="field">
                                            <label for="inq-topic">{t(Key::InqTopic)}</label>
                                            <select id="inq-topic" name="topic" required=true>
                                                {Topic::ALL
                                                    .iter()
                                                    .map(|topic| {
                                                        view! { <option value=topic.as_str()>{t(topic.label())}</option> }
                                                    })
                                                    .collect_view()}
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="inq-subject">{t(Key::InqSubject)}</label>
                                            <input
                                                id="inq-subject"
                                                name="subject"
                                                type="text"
                                                required=true
                                                maxlength=MAX_SUBJECT.to_string()
                                                autocomplete="off"
                                                aria-describedby="inq-subject-hint"
                                            />
                                            <p class="hint" id="inq-subject-hint">{t(Key::InqSubjectHint)}</p>
                                        </div>
                                        <BodyField label=Key::InqBody error sent=Signal::stored(0) />
                                        <button class="button primary" type="submit">{t(Key::InqSubmitQuestion)}</button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <p>
                <a href="/inquiries">{t(Key::InqBackToList)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn InquiryPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)));
    let reply = ServerAction::<ReplyInquiry>::new();
    let close = ServerAction::<CloseInquiry>::new();
    // Refetched after a successful reply or close made with the WASM (without it,
    // the redirect loads the page afresh); a refused reply keeps the page, and the
    // text typed, as they are.
    let (replied, closed) = (super::successes(reply), super::successes(close));
    let thread = Resource::new_blocking(move || (id.get(), replied.get(), closed.get()), |(id, _, _)| my_inquiry(id));
    view! {
        <section class="form-page wide inq" aria-labelledby="inq-thread-title">
            <Suspense fallback=|| view! { <p>{t(Key::InqLoading)}</p> }>
                {move || {
                    thread
                        .get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! {
                                    <h1 id="inq-thread-title">{t(Key::InqTitle)}</h1>
                                    <LoadError err />
                                }
                                    .into_any()
                            }
                            Ok(th) => view! { <ThreadDetail th reply close /> }.into_any(),
                        })
                }}
            </Suspense>
            <p>
                <a href="/inquiries">{t(Key::InqBackToList)}</a>
            </p>
        </section>
    }
}

#[component]
fn ThreadDetail(th: ThreadView, reply: ServerAction<ReplyInquiry>, close: ServerAction<CloseInquiry>) -> impl IntoView {
    let reply_error = action_error(reply);
    let close_error = action_error(close);
    let id = th.id.to_string();
    let close_id = id.clone();
    view! {
        <h1 id="inq-thread-title">{th.subject}</h1>
        <p class="small">
            {t(th.topic.label())}
            " · "
            <StatusBadge open=th.open />
            " · "
            {t(Key::InqStarted)}
            " "
            <span class="inq-time">{th.created_local}</span>
        </p>
        <MessageList messages=th.messages me_is_bank=false />
        {(!th.open).then(|| view! { <p class="inq-closed-note">{t(Key::InqClosedNote)}</p> })}
        <ActionForm action=reply attr:class="inq-reply-form">
            <input type="hidden" name="id" value=id />
            <BodyField label=Key::InqReplyLabel error=reply_error sent=super::successes(reply) />
            <button class="button primary" type="submit">{t(Key::InqReplySubmit)}</button>
        </ActionForm>
        {th
            .open
            .then(|| {
                view! {
                    <ActionForm action=close attr:class="inq-close-form">
                        <input type="hidden" name="id" value=close_id />
                        <FormError error=close_error />
                        <button class="button" type="submit">{t(Key::InqClose)}</button>
                    </ActionForm>
                }
            })}
    }
}
