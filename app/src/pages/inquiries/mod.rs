//! Inquiries (咨询): the customer's questions (`/inquiries`, `/inquiries/new`,
//! `/inquiries/:id`) and the staff inbox (`/staff/inquiries`,
//! `/staff/inquiries/:id`). Every form is a plain HTML form first: it works before
//! (or without) the WASM. Messages are shown as text, never as HTML.
mod customer;
mod staff;

pub use customer::{InquiriesPage, InquiryPage, NewInquiryPage};
pub use staff::{StaffHomeInquiries, StaffInboxPage, StaffInquiryPage};

use crate::api::inquiries::{MessageView, MAX_BODY};
use crate::components::form::FormError;
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// A text with `{n}` filled in, reactive to the locale.
fn fill(key: Key, value: impl ToString) -> impl Fn() -> String + Send + Sync + 'static {
    let value = value.to_string();
    let text = t(key);
    move || text().replace("{n}", &value)
}

/// How many times `action` has succeeded, changing only on a success: a failed post
/// leaves what was typed in place, a successful one empties the box.
fn successes<S>(action: ServerAction<S>) -> Signal<usize>
where
    S: server_fn::ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    let count = Memo::new(move |previous: Option<&usize>| {
        let previous = previous.copied().unwrap_or(0);
        let succeeded = action.value().with(|v| matches!(v, Some(Ok(_))));
        if succeeded {
            action.version().get()
        } else {
            previous
        }
    });
    count.into()
}

/// An error from a page's data (not a form).
#[component]
fn LoadError(err: AppError) -> impl IntoView {
    view! { <p class="error" role="alert">{t(err.code.message_key())}</p> }
}

/// "处理中" / "已结束" as a small badge.
#[component]
fn StatusBadge(open: bool) -> impl IntoView {
    let (class, key) = if open {
        ("inq-status inq-open", Key::InqStatusOpen)
    } else {
        ("inq-status inq-closed", Key::InqStatusClosed)
    };
    view! { <span class=class>{t(key)}</span> }
}

/// The unread badge, or nothing when all is read.
#[component]
fn UnreadBadge(count: i64) -> impl IntoView {
    (count > 0).then(|| view! { <span class="inq-badge">{fill(Key::InqUnreadBadge, count)}</span> })
}

/// The messages of a thread, oldest first. `me_is_bank` says which side is reading:
/// the reader's own side is labelled "You" (customer) or by name (staff).
#[component]
fn MessageList(messages: Vec<MessageView>, me_is_bank: bool) -> impl IntoView {
    view! {
        <section class="inq-conversation" aria-labelledby="inq-messages-title">
            <h2 id="inq-messages-title">{t(Key::InqMessages)}</h2>
            <ol class="inq-messages" role="list">
                {messages
                    .into_iter()
                    .map(|m| {
                        let class = if m.from_bank { "inq-msg inq-from-bank" } else { "inq-msg inq-from-customer" };
                        let who = match (m.from_bank, me_is_bank) {
                            (false, false) => view! { <strong>{t(Key::InqYou)}</strong> }.into_any(),
                            (true, false) => {
                                view! {
                                    <strong>{t(Key::InqBank)}</strong>
                                    " · "
                                    {m.author.clone()}
                                }
                                    .into_any()
                            }
                            _ => view! { <strong>{m.author.clone()}</strong> }.into_any(),
                        };
                        view! {
                            <li class=class id=format!("msg-{}", m.id)>
                                <p class="inq-meta">
                                    {who}
                                    " "
                                    <span class="inq-time">{m.created_local}</span>
                                </p>
                                <p class="inq-body">{m.body}</p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

/// The message textarea with its limit, and the form's error. `sent` counts the
/// form's successful posts (see [`successes`]): the box is emptied after each
/// (with the WASM, the page is updated in place and would keep the text sent).
#[component]
fn BodyField(label: Key, error: Signal<Option<AppError>>, #[prop(into)] sent: Signal<usize>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="inq-body">{t(label)}</label>
            <textarea
                id="inq-body"
                name="body"
                rows="5"
                required=true
                maxlength=MAX_BODY.to_string()
                aria-describedby="inq-body-hint"
                prop:value=move || {
                    sent.track();
                    String::new()
                }
            ></textarea>
            <p class="hint" id="inq-body-hint">{t(Key::InqBodyHint)}</p>
        </div>
        <FormError error />
    }
}
