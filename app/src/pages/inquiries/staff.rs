//! The staff side: the inbox (filters as plain links, so they work without the
//! WASM), one thread with reply, claim, hand-over and close, and the waiting count
//! on the console home.
use super::{fill, BodyField, LoadError, MessageList, StatusBadge};
use crate::api::inquiries::{
    staff_inbox, staff_inbox_counts, staff_inquiry, ClaimInquiry, HandOverInquiry, Inbox, InboxFilter, InboxRow,
    StaffCloseInquiry, StaffReplyInquiry, StaffThreadView, MAX_NOTE,
};
use crate::components::form::{action_error, FormError};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

fn filter_label(filter: InboxFilter) -> Key {
    match filter {
        InboxFilter::Unassigned => Key::InqFilterUnassigned,
        InboxFilter::Mine => Key::InqFilterMine,
        InboxFilter::All => Key::InqFilterAll,
    }
}

#[component]
pub fn StaffInboxPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| q.get("filter").unwrap_or_default()));
    let inbox = Resource::new_blocking(move || filter.get(), staff_inbox);
    view! {
        <section class="form-page wide inq inq-staff" aria-labelledby="inq-inbox-title">
            <h1 id="inq-inbox-title">{t(Key::InqStaffTitle)}</h1>
            <p>{t(Key::InqStaffLead)}</p>
            <Suspense fallback=|| view! { <p>{t(Key::InqLoading)}</p> }>
                {move || {
                    inbox
                        .get()
                        .map(|answer| match answer {
                            Err(err) => view! { <LoadError err /> }.into_any(),
                            Ok(inbox) => inbox_view(inbox).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

fn inbox_view(inbox: Inbox) -> impl IntoView {
    let current = inbox.filter;
    view! {
        <nav class="inq-filters" aria-label=t(Key::InqFilterLabel)>
            {InboxFilter::ALL
                .into_iter()
                .map(|f| {
                    let href = format!("/staff/inquiries?filter={}", f.as_str());
                    let here = (f == current).then_some("page");
                    view! {
                        <a href=href aria-current=here class:current=f == current>
                            {t(filter_label(f))}
                        </a>
                    }
                })
                .collect_view()}
        </nav>
        {if inbox.rows.is_empty() {
            view! { <p>{t(Key::InqInboxEmpty)}</p> }.into_any()
        } else {
            view! {
                <ul class="inq-inbox" role="list">
                    {inbox.rows.into_iter().map(inbox_row).collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

fn inbox_row(row: InboxRow) -> impl IntoView {
    let waiting = row.waiting_since_local.is_some();
    view! {
        <li class="inq-inbox-row" class:inq-waiting=waiting data-unread=row.unread.to_string()>
            <p class="inq-thread-head">
                <a href=format!("/staff/inquiries/{}", row.id)>{row.subject}</a>
                {(row.unread > 0)
                    .then(|| {
                        view! {
                            " "
                            <span class="inq-badge">{row.unread}" "{t(Key::InqUnreadShort)}</span>
                        }
                    })}
            </p>
            <dl class="inq-facts">
                <div>
                    <dt>{t(Key::InqColCustomer)}</dt>
                    <dd>{format!("{} ({})", row.customer_name, row.customer_no)}</dd>
                </div>
                <div>
                    <dt>{t(Key::InqTopic)}</dt>
                    <dd>{t(row.topic.label())}</dd>
                </div>
                <div>
                    <dt>{t(Key::InqColWaiting)}</dt>
                    <dd>
                        {match row.waiting_since_local {
                            Some(at) => view! { <strong>{at}</strong> }.into_any(),
                            None => view! { <span>{t(Key::InqNotWaiting)}</span> }.into_any(),
                        }}
                    </dd>
                </div>
                <div>
                    <dt>{t(Key::InqColHolder)}</dt>
                    <dd>
                        {match row.holder {
                            Some(h) => view! { <span>{h.name}</span> }.into_any(),
                            None => view! { <span>{t(Key::InqUnassigned)}</span> }.into_any(),
                        }}
                    </dd>
                </div>
            </dl>
        </li>
    }
}

#[component]
pub fn StaffInquiryPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)));
    let actions = Actions {
        reply: ServerAction::new(),
        claim: ServerAction::new(),
        hand_over: ServerAction::new(),
        close: ServerAction::new(),
    };
    // Refetched after any successful action made with the WASM (without it, the
    // redirect loads the page afresh); a refused one keeps the text typed.
    let done = [
        super::successes(actions.reply),
        super::successes(actions.claim),
        super::successes(actions.hand_over),
        super::successes(actions.close),
    ];
    let thread = Resource::new_blocking(
        move || (id.get(), done.iter().map(|s| s.get()).sum::<usize>()),
        |(id, _)| staff_inquiry(id),
    );
    view! {
        <section class="form-page wide inq inq-staff" aria-labelledby="inq-thread-title">
            <Suspense fallback=|| view! { <p>{t(Key::InqLoading)}</p> }>
                {move || {
                    thread
                        .get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! {
                                    <h1 id="inq-thread-title">{t(Key::InqStaffTitle)}</h1>
                                    <LoadError err />
                                }
                                    .into_any()
                            }
                            Ok(th) => view! { <StaffThread th actions /> }.into_any(),
                        })
                }}
            </Suspense>
            <p>
                <a href="/staff/inquiries">{t(Key::InqBackToInbox)}</a>
            </p>
        </section>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    reply: ServerAction<StaffReplyInquiry>,
    claim: ServerAction<ClaimInquiry>,
    hand_over: ServerAction<HandOverInquiry>,
    close: ServerAction<StaffCloseInquiry>,
}

#[component]
fn StaffThread(th: StaffThreadView, actions: Actions) -> impl IntoView {
    let id = th.id.to_string();
    let summary = format!("/staff/customers/{}", th.customer_no);
    let open = th.open;
    let can_claim = open && th.holder.is_none();
    view! {
        <h1 id="inq-thread-title">{th.subject}</h1>
        <dl class="inq-facts">
            <div>
                <dt>{t(Key::InqColCustomer)}</dt>
                <dd>
                    {format!("{} ({})", th.customer_name, th.customer_no)}
                    " · "
                    <a href=summary>{t(Key::InqCustomerSummary)}</a>
                </dd>
            </div>
            <div>
                <dt>{t(Key::InqTopic)}</dt>
                <dd>{t(th.topic.label())}" · "<StatusBadge open /></dd>
            </div>
            <div>
                <dt>{t(Key::InqHolder)}</dt>
                <dd>
                    {match th.holder.clone() {
                        Some(h) => view! { <span>{format!("{} ({})", h.name, h.staff_no)}</span> }.into_any(),
                        None => view! { <span>{t(Key::InqUnassigned)}</span> }.into_any(),
                    }}
                </dd>
            </div>
            <div>
                <dt>{t(Key::InqWaitingSince)}</dt>
                <dd>
                    {match th.waiting_since_local.clone() {
                        Some(at) => view! { <strong>{at}</strong> }.into_any(),
                        None => view! { <span>{t(Key::InqNotWaiting)}</span> }.into_any(),
                    }}
                </dd>
            </div>
        </dl>
        <MessageList messages=th.messages me_is_bank=true />
        {open.then(|| reply_form(actions.reply, id.clone()))}
        <div class="inq-actions">
            {can_claim.then(|| claim_form(actions.claim, id.clone()))}
            {open.then(|| close_form(actions.close, id.clone()))}
        </div>
        {(open && !th.colleagues.is_empty()).then(|| handover_form(actions.hand_over, id.clone(), th.colleagues))}
        {(!th.handovers.is_empty())
            .then(|| {
                view! {
                    <section class="inq-handovers" aria-labelledby="inq-handovers-title">
                        <h2 id="inq-handovers-title">{t(Key::InqHandovers)}</h2>
                        <ul role="list">
                            {th
                                .handovers
                                .into_iter()
                                .map(|h| {
                                    view! {
                                        <li>
                                            <p class="small">
                                                {h.created_local}" · "{h.from.unwrap_or_else(|| "—".to_owned())}" → "
                                                <strong>{h.to}</strong>
                                            </p>
                                            <p class="inq-body">{h.note}</p>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
    }
}

fn reply_form(action: ServerAction<StaffReplyInquiry>, id: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="inq-reply-form">
            <input type="hidden" name="id" value=id />
            <BodyField label=Key::InqStaffReplyLabel error sent=super::successes(action) />
            <button class="button primary" type="submit">{t(Key::InqReplySubmit)}</button>
        </ActionForm>
    }
}

fn claim_form(action: ServerAction<ClaimInquiry>, id: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="inq-claim-form">
            <input type="hidden" name="id" value=id />
            <FormError error />
            <button class="button" type="submit">{t(Key::InqClaim)}</button>
        </ActionForm>
    }
}

fn close_form(action: ServerAction<StaffCloseInquiry>, id: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="inq-close-form">
            <input type="hidden" name="id" value=id />
            <FormError error />
            <button class="button" type="submit">{t(Key::InqClose)}</button>
        </ActionForm>
    }
}

fn handover_form(
    action: ServerAction<HandOverInquiry>,
    id: String,
    colleagues: Vec<crate::api::inquiries::StaffRef>,
) -> impl IntoView {
    let error = action_error(action);
    let sent = super::successes(action);
    view! {
        <section class="inq-handover" aria-labelledby="inq-handover-title">
            <h2 id="inq-handover-title">{t(Key::InqHandoverTitle)}</h2>
            <ActionForm action attr:class="inq-handover-form">
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="inq-to-staff">{t(Key::InqHandoverTo)}</label>
                    <select id="inq-to-staff" name="to_staff" required=true>
                        {colleagues
                            .into_iter()
                            .map(|c| {
                                view! {
                                    <option value=c.id.to_string()>
                                        {format!("{} · {} ({})", c.staff_no, c.name, c.role)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="inq-note">{t(Key::InqHandoverNote)}</label>
                    <textarea
                        id="inq-note"
                        name="note"
                        rows="3"
                        required=true
                        maxlength=MAX_NOTE.to_string()
                        aria-describedby="inq-note-hint"
                        prop:value=move || {
                            sent.track();
                            String::new()
                        }
                    ></textarea>
                    <p class="hint" id="inq-note-hint">{t(Key::InqHandoverNoteHint)}</p>
                </div>
                <FormError error />
                <button class="button" type="submit">{t(Key::InqHandoverSubmit)}</button>
            </ActionForm>
        </section>
    }
}

/// The console home's line about the inbox: how many questions wait, and a link.
#[component]
pub fn StaffHomeInquiries() -> impl IntoView {
    let counts = Resource::new_blocking(|| (), |_| staff_inbox_counts());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                counts
                    .get()
                    .and_then(Result::ok)
                    .map(|c| {
                        view! {
                            <section class="panel inq-home" aria-labelledby="inq-home-title">
                                <h2 id="inq-home-title">{t(Key::InqStaffTitle)}</h2>
                                <p>{fill(Key::InqStaffHomeWaiting, c.waiting)}</p>
                                <p>
                                    <a class="button" href="/staff/inquiries?filter=unassigned">
                                        {t(Key::InqStaffHomeLink)}
                                    </a>
                                </p>
                            </section>
                        }
                    })
            }}
        </Suspense>
    }
}
