//! One request: its status and who has the next move, the timeline (every public
//! step, message and file in order), then only the actions allowed now.
use super::files::{human_size, AttachForm};
use super::{fill, next_step_text, step_label, FieldError, LoadError, OtherError};
use crate::api::requests::{
    my_request, Answers, ConfirmRequest, RateRequest, ReopenRequest, ReplyRequest, RequestView, TimelineEntry,
    TimelineItem, WithdrawRequest, MAX_BODY, MAX_COMMENT,
};
use crate::components::form::action_error;
use crate::i18n::Key;
use crate::t;
use crate::types::RequestStatus;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The page's forms, so a success with the WASM reloads the request.
#[derive(Clone, Copy)]
struct Actions {
    reply: ServerAction<ReplyRequest>,
    withdraw: ServerAction<WithdrawRequest>,
    reopen: ServerAction<ReopenRequest>,
    confirm: ServerAction<ConfirmRequest>,
    rate: ServerAction<RateRequest>,
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let reference = Memo::new(move |_| params.with(|p| p.get("reference").unwrap_or_default()));
    let actions = Actions {
        reply: ServerAction::new(),
        withdraw: ServerAction::new(),
        reopen: ServerAction::new(),
        confirm: ServerAction::new(),
        rate: ServerAction::new(),
    };
    let versions = move || {
        actions.reply.version().get()
            + actions.withdraw.version().get()
            + actions.reopen.version().get()
            + actions.confirm.version().get()
            + actions.rate.version().get()
    };
    let request = Resource::new_blocking(move || (reference.get(), versions()), |(r, _)| my_request(r));
    view! {
        <section class="form-page wide sr" aria-labelledby="sr-detail-title">
            <Suspense fallback=|| view! { <p>{t(Key::SrqLoading)}</p> }>
                {move || {
                    request
                        .get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! {
                                    <h1 id="sr-detail-title">{t(Key::SrqTitle)}</h1>
                                    <LoadError err />
                                }
                                    .into_any()
                            }
                            Ok(r) => detail(r, actions).into_any(),
                        })
                }}
            </Suspense>
            <p>
                <a href="/requests">{t(Key::SrqBackToList)}</a>
            </p>
        </section>
    }
}

fn detail(r: RequestView, actions: Actions) -> impl IntoView {
    let reference = r.reference.clone();
    let next = next_step_text(r.next_step, r.decision_due_local.clone());
    view! {
        <h1 id="sr-detail-title">
            <span class="sr-ref">{r.reference.clone()}</span>
            " "
            {t(r.kind.label())}
        </h1>
        <p class="sr-head">
            <span class="sr-status" data-status=r.status.as_str()>{t(r.status.label())}</span>
            " "
            <span class="sr-next">{next}</span>
        </p>
        {r.frozen_at_local.clone().map(|at| view! { <p class="sr-frozen" role="status">{fill(Key::SrqFrozenAt, at)}</p> })}
        {r.reopen_until_local.clone().map(|at| view! { <p class="small">{fill(Key::SrqReopenUntil, at)}</p> })}
        <dl class="sr-facts">
            <dt>{t(Key::SrqSubject)}</dt>
            <dd>{r.subject.clone()}</dd>
            {r.about.clone().map(|about| view! { <dt>{t(Key::SrqAbout)}</dt> <dd>{about}</dd> })}
            {answers(&r.answers)}
            <dt>{t(Key::SrqCreated)}</dt>
            <dd class="sr-time">{r.created_local.clone()}</dd>
            {r.follow_up_of.clone().map(|of| view! {
                <dt>{t(Key::SrqFollowUpOf)}</dt>
                <dd><a href=format!("/requests/{of}")>{of.clone()}</a></dd>
            })}
            {(!r.follow_ups.is_empty()).then(|| view! {
                <dt>{t(Key::SrqFollowUps)}</dt>
                <dd>{r.follow_ups.iter().map(|f| view! { <a href=format!("/requests/{f}")>{f.clone()}</a> " " }).collect_view()}</dd>
            })}
        </dl>
        {(!r.body.is_empty()).then(|| view! {
            <h2>{t(Key::SrqYourWords)}</h2>
            <p class="sr-body">{r.body.clone()}</p>
        })}
        <h2 id="sr-timeline-title">{t(Key::SrqTimeline)}</h2>
        <ol class="sr-timeline">
            {r.timeline.iter().filter(|e| !matches!(e.item, TimelineItem::Note { .. })).map(|e| entry(&reference, e)).collect_view()}
        </ol>
        {(!r.status.is_final()).then(|| view! {
            <section class="sr-files" id="sr-files">
                <AttachForm action=format!("/requests/{}/files", r.reference) />
            </section>
        })}
        {action_forms(r.clone(), actions)}
    }
}

/// The form's answers as facts ("Category: fees", "New address: …").
fn answers(a: &Answers) -> impl IntoView {
    let fact = |label: Key, value: String| view! { <dt>{t(label)}</dt> <dd>{value}</dd> };
    let yes_no =
        |label: Key, value: Option<bool>| value.filter(|v| *v).map(|_| view! { <dt>{t(label)}</dt> <dd>"✓"</dd> });
    view! {
        {a.category.map(|c| view! { <dt>{t(Key::SrqCategory)}</dt> <dd>{t(c.label())}</dd> })}
        {a.wanted.clone().map(|w| fact(Key::SrqWanted, w))}
        {yes_no(Key::SrqStolen, a.stolen)}
        {yes_no(Key::SrqReplacement, a.replacement)}
        {a.new_phone.clone().map(|p| fact(Key::SrqPhone, p))}
        {a.new_address.clone().map(|p| fact(Key::SrqAddress, p))}
        {a.months.clone().map(|(from, to)| fact(Key::SrqMonths, format!("{from} – {to}")))}
    }
}

fn entry(reference: &str, e: &TimelineEntry) -> impl IntoView {
    let at = e.at_local.clone();
    let body = match &e.item {
        TimelineItem::Step { kind, from, to, by_bank, detail } => {
            let label = step_label(kind).map(t);
            let change = match (kind.as_str(), from, to) {
                ("status", Some(from), Some(to)) => {
                    Some(view! { " " {t(from.label())} " → " <strong>{t(to.label())}</strong> }.into_any())
                }
                ("submitted", _, Some(to)) => Some(view! { " " <strong>{t(to.label())}</strong> }.into_any()),
                _ => None,
            };
            let who = if *by_bank { Key::SrqBank } else { Key::SrqYou };
            view! {
                <p class="sr-step">
                    {label.map(|l| view! { <span>{l}</span> })}
                    {change}
                    " · "
                    {t(who)}
                </p>
                {(!detail.is_empty()).then(|| view! { <p class="sr-detail">{detail.clone()}</p> })}
            }
            .into_any()
        }
        TimelineItem::Message { from_bank, author, body } => {
            let who = if *from_bank {
                view! { <strong>{t(Key::SrqBank)}</strong> " · " {author.clone()} }.into_any()
            } else {
                view! { <strong>{t(Key::SrqYou)}</strong> }.into_any()
            };
            view! {
                <p class="sr-author">{who}</p>
                <p class="sr-message">{body.clone()}</p>
            }
            .into_any()
        }
        TimelineItem::File { id, name, size_bytes, .. } => view! {
            <p>
                {t(Key::SrqFile)}
                " "
                <a href=format!("/requests/{reference}/files/{id}") download=name.clone()>{name.clone()}</a>
                {format!(" ({})", human_size(*size_bytes))}
            </p>
        }
        .into_any(),
        TimelineItem::Note { .. } => ().into_any(),
    };
    let class = match &e.item {
        TimelineItem::Step { .. } => "sr-entry sr-entry-step",
        TimelineItem::Message { from_bank: true, .. } => "sr-entry sr-entry-bank",
        TimelineItem::Message { .. } => "sr-entry sr-entry-customer",
        _ => "sr-entry sr-entry-file",
    };
    view! {
        <li class=class>
            <p class="sr-time small">{at}</p>
            {body}
        </li>
    }
}

fn hidden(reference: &str) -> impl IntoView {
    view! { <input type="hidden" name="reference" value=reference.to_owned() /> }
}

fn action_forms(r: RequestView, a: Actions) -> impl IntoView {
    // One copy per form: each form's view owns what it shows.
    let refs: [String; 5] = std::array::from_fn(|_| r.reference.clone());
    let [ref_reply, ref_reopen, ref_confirm, ref_rate, ref_withdraw] = refs;
    let can = |to: RequestStatus| r.allowed.contains(&to);
    let (can_reopen, can_confirm, can_withdraw) =
        (can(RequestStatus::InProgress) && r.can_reopen, can(RequestStatus::Closed), can(RequestStatus::Withdrawn));
    let reply_key = r.reply_key.clone();
    let finished = matches!(r.status, RequestStatus::Resolved | RequestStatus::Closed);
    let reply_error = action_error(a.reply);
    let withdraw_error = action_error(a.withdraw);
    let reopen_error = action_error(a.reopen);
    let confirm_error = action_error(a.confirm);
    let rate_error = action_error(a.rate);
    view! {
        {r.can_reply.then(|| view! {
            <ActionForm action=a.reply attr:class="sr-reply">
                <h2>{t(Key::SrqReplyTitle)}</h2>
                {finished.then(|| view! { <p class="small">{t(Key::SrqReplyFollowUp)}</p> })}
                {hidden(&ref_reply)}
                <input type="hidden" name="key" value=reply_key.clone() />
                <div class="field">
                    <label for="sr-reply-body">{t(Key::SrqReplyLabel)}</label>
                    <textarea id="sr-reply-body" name="body" rows="4" required=true maxlength=MAX_BODY.to_string()></textarea>
                    <p class="hint">{t(Key::SrqBodyHint)}</p>
                    <FieldError error=reply_error field="body" />
                </div>
                <OtherError error=reply_error fields=&["body"] />
                <button class="button primary" type="submit">{t(Key::SrqReplySubmit)}</button>
            </ActionForm>
        })}
        {r.can_reopen.then(|| view! { <p class="sr-reopen-note">{t(Key::SrqReopenInstead)}</p> })}
        <div class="sr-actions">
            {can_reopen.then(|| view! {
                <ActionForm action=a.reopen attr:class="sr-reopen">
                    {hidden(&ref_reopen)}
                    <OtherError error=reopen_error fields=&[] />
                    <button class="button" type="submit">{t(Key::SrqReopen)}</button>
                </ActionForm>
            })}
            {can_confirm.then(|| view! {
                <ActionForm action=a.confirm attr:class="sr-confirm">
                    {hidden(&ref_confirm)}
                    <OtherError error=confirm_error fields=&[] />
                    <button class="button primary" type="submit">{t(Key::SrqConfirm)}</button>
                </ActionForm>
            })}
        </div>
        {r.rating.clone().map(|(score, _)| view! { <p class="sr-rated">{fill(Key::SrqRated, score)}</p> })}
        {r.can_rate.then(|| view! {
            <ActionForm action=a.rate attr:class="sr-rate">
                <h2>{t(Key::SrqRateTitle)}</h2>
                {hidden(&ref_rate)}
                <fieldset class="sr-score">
                    <legend>{t(Key::SrqScore)}</legend>
                    {(1..=5).map(|n| view! {
                        <label class="sr-score-option">
                            <input type="radio" name="score" value=n.to_string() required=true />
                            {n.to_string()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <FieldError error=rate_error field="score" />
                <div class="field">
                    <label for="sr-comment">{t(Key::SrqComment)}</label>
                    <textarea id="sr-comment" name="comment" rows="3" maxlength=MAX_COMMENT.to_string()></textarea>
                    <FieldError error=rate_error field="comment" />
                </div>
                <OtherError error=rate_error fields=&["score", "comment"] />
                <button class="button primary" type="submit">{t(Key::SrqRateSubmit)}</button>
            </ActionForm>
        })}
        {can_withdraw.then(|| view! {
            <ActionForm action=a.withdraw attr:class="sr-withdraw">
                <h2>{t(Key::SrqWithdraw)}</h2>
                {hidden(&ref_withdraw)}
                <div class="field">
                    <label for="sr-reason">{t(Key::SrqWithdrawReason)}</label>
                    <textarea id="sr-reason" name="reason" rows="3" required=true maxlength=MAX_COMMENT.to_string()></textarea>
                    <FieldError error=withdraw_error field="reason" />
                </div>
                <OtherError error=withdraw_error fields=&["reason"] />
                <button class="button" type="submit">{t(Key::SrqWithdraw)}</button>
            </ActionForm>
        })}
    }
}
