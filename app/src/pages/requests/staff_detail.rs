//! One request for staff (`/staff/requests/:reference`): its head, the customer
//! (one click to their summary), what it is about, the whole timeline with the
//! internal notes, and the actions its state allows: claim, start, assign, reply
//! (or ask and wait), note, resolve and, for complaints, extend the decision
//! deadline. Every form is a plain HTML form first and comes back to this page.
use super::files::AttachForm;
use super::staff_actions::{
    assign_form, claim_form, complaint_view, note_form, reply_form, resolve_form, start_form, successes, Actions,
};
use super::LoadError;
use crate::api::requests::{ComplaintCategory, TimelineEntry, TimelineItem};
use crate::api::requests_staff::{staff_request, DetailFact, FactLabel, FactValue, StaffRequestView};
use crate::i18n::Key;
use crate::t;
use crate::types::{RequestKind, RequestStatus};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn StaffRequestPage() -> impl IntoView {
    let params = use_params_map();
    let reference = Memo::new(move |_| params.with(|p| p.get("reference").unwrap_or_default()));
    let actions = Actions {
        claim: ServerAction::new(),
        start: ServerAction::new(),
        assign: ServerAction::new(),
        reply: ServerAction::new(),
        note: ServerAction::new(),
        resolve: ServerAction::new(),
        extend: ServerAction::new(),
    };
    let done = [
        successes(actions.claim),
        successes(actions.start),
        successes(actions.assign),
        successes(actions.reply),
        successes(actions.note),
        successes(actions.resolve),
        successes(actions.extend),
    ];
    let request = Resource::new_blocking(
        move || (reference.get(), done.iter().map(|s| s.get()).sum::<usize>()),
        |(reference, _)| staff_request(reference),
    );
    view! {
        <section class="form-page wide srs srs-detail" aria-labelledby="srs-detail-title">
            <Suspense fallback=|| view! { <p>{t(Key::SrsLoading)}</p> }>
                {move || {
                    request
                        .get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! {
                                    <h1 id="srs-detail-title">{t(Key::SrsQueueTitle)}</h1>
                                    <LoadError err />
                                }
                                    .into_any()
                            }
                            Ok(view) => request_view(view, actions).into_any(),
                        })
                }}
            </Suspense>
            <p>
                <a href="/staff/requests">{t(Key::SrsBackToQueue)}</a>
            </p>
        </section>
    }
}

fn request_view(v: StaffRequestView, actions: Actions) -> impl IntoView {
    let head = v.head.clone();
    let reference = head.reference.clone();
    let open = head.status.is_open();
    let summary = format!("/staff/customers/{}", head.customer_no);
    let can_claim = open && head.assignee_no.is_none();
    let can_start = v.next.contains(&RequestStatus::InProgress);
    let can_resolve = v.next.contains(&RequestStatus::Resolved);
    let complaint = head.kind == RequestKind::Complaint;
    view! {
        <h1 id="srs-detail-title">{reference.clone()}" · "{head.subject.clone()}</h1>
        <p>
            <span class="sr-status" data-status=head.status.as_str()>{t(head.status.label())}</span>
            " "
            <span class=format!("srs-sla sla-{}", head.sla.as_str())>{t(head.sla.label())}</span>
            {head.escalated.then(|| view! { " " <span class="srs-escalated">{t(Key::SrsEscalated)}</span> })}
        </p>
        <dl class="srs-facts">
            <div>
                <dt>{t(Key::SrsCustomer)}</dt>
                <dd>
                    {format!("{} ({}) · {}", head.customer_name, head.customer_no, v.customer_phone_masked)}
                    " · "
                    <a href=summary>{t(Key::SrsCustomerSummary)}</a>
                </dd>
            </div>
            <div>
                <dt>{t(Key::SrsColKind)}</dt>
                <dd>{t(head.kind.label())}" · "{t(head.priority.label())}" · "{head.branch_code.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::SrsReceived)}</dt>
                <dd>{head.created_local.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::SrsDue)}</dt>
                <dd>{head.due_local.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            </div>
            <div>
                <dt>{t(Key::SrsAssignee)}</dt>
                <dd>
                    {match (head.assignee_name.clone(), head.assignee_no.clone()) {
                        (Some(name), Some(no)) => view! { <span>{format!("{name} ({no})")}</span> }.into_any(),
                        _ => view! { <span>{t(Key::SrsUnassigned)}</span> }.into_any(),
                    }}
                </dd>
            </div>
            {v
                .follow_up_of
                .clone()
                .map(|earlier| {
                    let href = format!("/staff/requests/{earlier}");
                    view! {
                        <div>
                            <dt>{t(Key::SrsFollowUpOf)}</dt>
                            <dd><a href=href>{earlier}</a></dd>
                        </div>
                    }
                })}
        </dl>
        {facts_view(v.body.clone(), v.facts.clone())}
        {complaint.then(|| complaint_view(actions.extend, reference.clone(), open, v.decision_due_local.clone(), v.extension_level))}
        {timeline_view(v.timeline.clone(), &reference)}
        {open.then(|| view! {
            <section class="sr-files" id="sr-files">
                <AttachForm action=format!("/staff/requests/{}/files", reference) />
            </section>
        })}
        <section class="srs-actions" aria-labelledby="srs-actions-title">
            <h2 id="srs-actions-title">{t(Key::SrsActions)}</h2>
            {(!open).then(|| view! { <p>{t(Key::SrsDoneNote)}</p> })}
            <div class="srs-buttons">
                {can_claim.then(|| claim_form(actions.claim, reference.clone()))}
                {can_start.then(|| start_form(actions.start, reference.clone()))}
            </div>
            {(open && v.can_assign).then(|| assign_form(actions.assign, reference.clone(), v.staff.clone()))}
            {open.then(|| reply_form(actions.reply, reference.clone(), v.reply_key.clone()))}
            {can_resolve.then(|| resolve_form(actions.resolve, reference.clone()))}
            {note_form(actions.note, reference.clone())}
        </section>
    }
}

fn field_label(name: &str) -> Option<Key> {
    Some(match name {
        "phone" => Key::SrsFieldPhone,
        "address" => Key::SrsFieldAddress,
        "category" => Key::SrsFieldCategory,
        "wanted" => Key::SrsFieldWanted,
        "stolen" => Key::SrsFieldStolen,
        "replacement" => Key::SrsFieldReplacement,
        "from" => Key::SrsFieldFrom,
        "to" => Key::SrsFieldTo,
        "frozen_at" => Key::SrsFieldFrozenAt,
        "card" => Key::SrsFactCard,
        "account" => Key::SrsFactAccount,
        "amount" => Key::SrsFactPostingAmount,
        "day" => Key::SrsFactPostingDate,
        "counterparty" => Key::SrsFactPostingCounterparty,
        _ => return None,
    })
}

fn fact_view(fact: DetailFact) -> impl IntoView {
    let (label, raw) = match &fact.label {
        FactLabel::Card => (Some(Key::SrsFactCard), String::new()),
        FactLabel::Account => (Some(Key::SrsFactAccount), String::new()),
        FactLabel::PostingAmount => (Some(Key::SrsFactPostingAmount), String::new()),
        FactLabel::PostingDate => (Some(Key::SrsFactPostingDate), String::new()),
        FactLabel::PostingCounterparty => (Some(Key::SrsFactPostingCounterparty), String::new()),
        FactLabel::Field(name) => (field_label(name), name.clone()),
    };
    let label = match label {
        Some(key) => view! { <span>{t(key)}</span> }.into_any(),
        None => view! { <span>{raw}</span> }.into_any(),
    };
    let category = matches!(&fact.label, FactLabel::Field(n) if n == "category");
    let value = match fact.value {
        FactValue::Flag(yes) => view! { <span>{t(if yes { Key::SrsYes } else { Key::SrsNo })}</span> }.into_any(),
        FactValue::Text(text) => match ComplaintCategory::parse(&text).filter(|_| category) {
            Some(c) => view! { <span>{t(c.label())}</span> }.into_any(),
            None => view! { <span class="srs-text">{text}</span> }.into_any(),
        },
    };
    view! {
        <div>
            <dt>{label}</dt>
            <dd>{value}</dd>
        </div>
    }
}

fn facts_view(body: String, facts: Vec<DetailFact>) -> impl IntoView {
    view! {
        <section class="srs-about" aria-labelledby="srs-about-title">
            <h2 id="srs-about-title">{t(Key::SrsAbout)}</h2>
            <dl class="srs-facts">{facts.into_iter().map(fact_view).collect_view()}</dl>
            {(!body.is_empty()).then(|| view! { <p class="srs-text">{body}</p> })}
        </section>
    }
}

fn step_label(kind: &str) -> Key {
    match kind {
        "submitted" => Key::SrsStepSubmitted,
        "card_frozen" => Key::SrsStepCardFrozen,
        "card_unfrozen" => Key::SrsStepCardUnfrozen,
        "card_replaced" => Key::SrsStepCardReplaced,
        "contact_changed" => Key::SrsStepContactChanged,
        "account_reactivated" => Key::SrsStepAccountReactivated,
        "assigned" => Key::SrsStepAssigned,
        "escalated" => Key::SrsStepEscalated,
        "extended" => Key::SrsStepExtended,
        "rated" => Key::SrsStepRated,
        "follow_up" => Key::SrsStepFollowUp,
        _ => Key::SrsStepStatus,
    }
}

/// One timeline entry; a file links to its download (`reference`'s files).
fn entry_view(entry: TimelineEntry, reference: &str) -> impl IntoView {
    let (class, content) = match entry.item {
        TimelineItem::Step { kind, from, to, by_bank, detail } => {
            let side = if by_bank { Key::SrsTimelineBank } else { Key::SrsTimelineCustomer };
            let change = (kind == "status").then(|| {
                view! {
                    " · "
                    {from.map(|s| t(s.label()))}
                    " → "
                    {to.map(|s| t(s.label()))}
                }
            });
            let content = view! {
                <strong>{t(step_label(&kind))}</strong>
                {change}
                " · "
                {t(side)}
                {(!detail.is_empty()).then(|| view! { <p class="srs-text">{detail}</p> })}
            };
            (format!("srs-step srs-step-{kind}"), content.into_any())
        }
        TimelineItem::Message { from_bank, author, body } => {
            let side = if from_bank { Key::SrsTimelineBank } else { Key::SrsTimelineCustomer };
            let content = view! {
                <strong>{t(side)}" · "{author}</strong>
                <p class="srs-text">{body}</p>
            };
            let class = if from_bank { "srs-msg srs-from-bank" } else { "srs-msg srs-from-customer" };
            (class.to_owned(), content.into_any())
        }
        TimelineItem::File { id, name, size_bytes, .. } => {
            let content = view! {
                <strong>{t(Key::SrsTimelineFile)}</strong>
                " · "
                <a class="srs-file" href=format!("/staff/requests/{reference}/files/{id}")>
                    {format!("{name} ({} KB)", (size_bytes + 1023) / 1024)}
                </a>
            };
            ("srs-file-entry".to_owned(), content.into_any())
        }
        TimelineItem::Note { author, body } => {
            let content = view! {
                <strong>{t(Key::SrsTimelineNote)}" · "{author}</strong>
                <p class="srs-text">{body}</p>
            };
            ("srs-note".to_owned(), content.into_any())
        }
    };
    view! {
        <li class=class>
            <time class="srs-time">{entry.at_local}</time>
            " "
            {content}
        </li>
    }
}

fn timeline_view(entries: Vec<TimelineEntry>, reference: &str) -> impl IntoView {
    view! {
        <section class="srs-timeline-section" aria-labelledby="srs-timeline-title">
            <h2 id="srs-timeline-title">{t(Key::SrsTimeline)}</h2>
            <ol class="sr-timeline">{entries.into_iter().map(|e| entry_view(e, reference)).collect_view()}</ol>
        </section>
    }
}
