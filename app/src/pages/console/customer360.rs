//! The parts of the customer 360 the console adds to the advisor's summary: the
//! profile and the state of online banking, the support forms, recent postings,
//! every service request, booking and inquiry thread, security events, call notes
//! and the staff-access history.
use super::support::{SupportActions, SupportPanel};
use crate::api::accounts::journal_kind_key;
use crate::api::console::{Customer360, CustomerProfile};
use crate::i18n::{use_i18n, Key};
use crate::t;
use leptos::prelude::*;

/// A yes / no answer, translated.
fn yes_no(flag: bool) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    t(if flag { Key::ConsoleYes } else { Key::ConsoleNo })
}

/// An empty list's line.
fn empty(key: Key) -> AnyView {
    view! { <p class="console-empty">{t(key)}</p> }.into_any()
}

#[component]
pub fn Customer360Sections(data: Customer360, actions: SupportActions) -> impl IntoView {
    let Customer360 {
        profile,
        transactions,
        requests,
        bookings,
        threads,
        security,
        notes,
        staff_access,
        can_support,
        can_open_bookings,
        ..
    } = data;
    let i18n = use_i18n();
    let customer_no = profile.customer_no.clone();
    view! {
        {profile_view(&profile)}
        {can_support
            .then(|| {
                view! {
                    <SupportPanel profile=profile.clone() actions />
                    <crate::pages::impersonation::StartViewing customer_no=customer_no.clone() />
                }
            })}
        <section class="panel" aria-labelledby="console-tx-title">
            <h2 id="console-tx-title">{t(Key::ConsoleTxTitle)}</h2>
            {if transactions.is_empty() {
                empty(Key::ConsoleTxNone)
            } else {
                view! {
                    <ul class="console-list console-tx" role="list">
                        {transactions
                            .into_iter()
                            .map(|tx| {
                                let kind = tx.kind.clone();
                                let negative = tx.amount.minor() < 0;
                                view! {
                                    <li>
                                        <span class="console-meta">{tx.date}" · "{tx.account_masked}</span>
                                        <span>
                                            {move || i18n.locale().text(journal_kind_key(&kind))}
                                            {(!tx.counterparty.is_empty()).then(|| format!(" · {}", tx.counterparty))}
                                            {(!tx.memo.is_empty()).then(|| format!(" · {}", tx.memo))}
                                        </span>
                                        <span class="console-amount" data-negative=negative.to_string()>{tx.amount.display()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="console-req-title">
            <h2 id="console-req-title">{t(Key::ConsoleRequestsTitle)}</h2>
            {if requests.is_empty() {
                empty(Key::ConsoleRequestsNone)
            } else {
                view! {
                    <ul class="adv-list console-requests" role="list">
                        {requests
                            .into_iter()
                            .map(|r| {
                                let href = format!("/staff/requests/{}", r.reference);
                                let reference = r.reference.clone();
                                view! {
                                    <li class="adv-entry" data-reference=reference data-open=r.status.is_open().to_string()>
                                        <a href=href>
                                            <span class="adv-customer">{r.reference}" · "{r.subject}</span>
                                            <span class="adv-meta">
                                                {t(r.kind.label())}" · "{t(r.status.label())}" · "{r.created_local}
                                            </span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="console-bookings-title">
            <h2 id="console-bookings-title">{t(Key::ConsoleBookingsTitle)}</h2>
            {if bookings.is_empty() {
                empty(Key::ConsoleBookingsNone)
            } else {
                view! {
                    <ul class="adv-list console-bookings" role="list">
                        {bookings
                            .into_iter()
                            .map(|b| {
                                let body = view! {
                                    <span class="adv-time">{b.at}</span>
                                    <span class="adv-customer">{b.advisor_name}</span>
                                    <span class="adv-meta">
                                        {t(b.purpose.label())}" · "{t(b.channel.label())}" · "{t(b.status.label())}
                                    </span>
                                    <span class="adv-status">{b.reference.clone()}</span>
                                };
                                let body = if can_open_bookings {
                                    view! { <a href=format!("/staff/bookings/{}", b.id)>{body}</a> }.into_any()
                                } else {
                                    view! { <div class="console-entry">{body}</div> }.into_any()
                                };
                                view! {
                                    <li class="adv-entry" data-reference=b.reference data-status=b.status.as_str()>
                                        {body}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="console-threads-title">
            <h2 id="console-threads-title">{t(Key::ConsoleThreadsTitle)}</h2>
            {if threads.is_empty() {
                empty(Key::ConsoleThreadsNone)
            } else {
                view! {
                    <ul class="adv-list console-threads" role="list">
                        {threads
                            .into_iter()
                            .map(|th| {
                                let href = format!("/staff/inquiries/{}", th.id);
                                view! {
                                    <li class="adv-entry">
                                        <a href=href>
                                            <span class="adv-customer">{th.subject}</span>
                                            <span class="adv-meta">
                                                {t(th.topic.label())}" · "{th.last_at}" · "
                                                {t(if th.open { Key::ConsoleThreadOpen } else { Key::ConsoleThreadClosed })}
                                            </span>
                                            {th.waiting.then(|| view! { <span class="adv-status">{t(Key::ConsoleThreadWaiting)}</span> })}
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="console-security-title">
            <h2 id="console-security-title">{t(Key::ConsoleSecurityTitle)}</h2>
            {if security.is_empty() {
                empty(Key::ConsoleSecurityNone)
            } else {
                view! {
                    <ul class="console-list console-security" role="list">
                        {security
                            .into_iter()
                            .map(|e| {
                                let name = e.event.clone();
                                let actor = match e.actor_kind.as_str() {
                                    "customer" => Key::ConsoleActorCustomer,
                                    "staff" => Key::ConsoleActorStaff,
                                    "system" => Key::ConsoleActorSystem,
                                    _ => Key::ConsoleActorAnonymous,
                                };
                                view! {
                                    <li data-event=e.event>
                                        <span class="console-meta">{e.at}</span>
                                        <span>{move || crate::i18n::event_name(i18n.locale(), &name)}</span>
                                        <span class="console-meta">
                                            {t(actor)}{(!e.origin.is_empty()).then(|| format!(" · {}", e.origin))}
                                        </span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
        <section class="panel" id="notes" aria-labelledby="console-notes-title">
            <h2 id="console-notes-title">{t(Key::ConsoleNotesTitle)}</h2>
            {if notes.is_empty() {
                empty(Key::ConsoleNotesNone)
            } else {
                view! {
                    <ul class="adv-notes console-notes" role="list">
                        {notes
                            .into_iter()
                            .map(|n| {
                                view! {
                                    <li>
                                        <p class="adv-note-meta">{n.at}" · "{n.staff_name}" ("{n.staff_no}")"</p>
                                        <p class="adv-text">{n.body}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            {can_support.then(|| view! { <super::support::NoteForm customer_no=customer_no.clone() action=actions.note /> })}
        </section>
        <section class="panel" aria-labelledby="console-access-title">
            <h2 id="console-access-title">{t(Key::ConsoleAccessTitle)}</h2>
            {if staff_access.is_empty() {
                empty(Key::ConsoleAccessNone)
            } else {
                view! { <crate::pages::impersonation::StaffAccessTable items=staff_access /> }.into_any()
            }}
        </section>
    }
}

fn profile_view(p: &CustomerProfile) -> impl IntoView {
    let i18n = use_i18n();
    let branch = p.branch.clone();
    let locked = p.locked_until.clone();
    let is_locked = locked.is_some().to_string();
    view! {
        <section class="panel console-profile" aria-labelledby="console-profile-title">
            <h2 id="console-profile-title">{t(Key::ConsoleProfileTitle)}</h2>
            <dl class="adv-facts console-facts">
                <div>
                    <dt>{t(Key::ConsoleCustomerNo)}</dt>
                    <dd class="adv-ref">{p.customer_no.clone()}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleName)}</dt>
                    <dd>{p.name.clone()}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsolePhone)}</dt>
                    <dd>{p.phone_masked.clone()}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleIdTail)}</dt>
                    <dd class="adv-ref">{p.id_tail_masked.clone()}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleAddress)}</dt>
                    <dd>
                        {if p.address.is_empty() {
                            t(Key::ConsoleNoAddress).into_any()
                        } else {
                            p.address.clone().into_any()
                        }}
                    </dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleBranch)}</dt>
                    <dd>{move || branch.get(i18n.locale()).to_owned()}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleStatus)}</dt>
                    <dd data-status=p.status.as_str()>{t(p.status.label())}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleEnrolled)}</dt>
                    <dd data-enrolled=p.enrolled.to_string()>
                        {yes_no(p.enrolled)}
                        {p.username.clone().map(|u| format!(" · {u}"))}
                    </dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleSecondFactor)}</dt>
                    <dd data-second-factor=p.second_factor.to_string()>{yes_no(p.second_factor)}</dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleLocked)}</dt>
                    <dd data-locked=is_locked>
                        {match locked {
                            Some(until) => view! { <strong class="warning">{t(Key::ConsoleLockedUntil)}" "{until}</strong> }.into_any(),
                            None => t(Key::ConsoleNotLocked).into_any(),
                        }}
                        {(p.failed_attempts > 0).then(|| view! { " · " {super::fill(Key::ConsoleFailedAttempts, p.failed_attempts)} })}
                    </dd>
                </div>
                <div>
                    <dt>{t(Key::ConsoleAllowStaffView)}</dt>
                    <dd data-allow-staff-view=p.allow_staff_view.to_string()>{yes_no(p.allow_staff_view)}</dd>
                </div>
            </dl>
        </section>
    }
}
