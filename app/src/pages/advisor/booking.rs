//! `/staff/bookings/:id`: one booking for its advisor: the facts, the customer
//! summary one click away, held / no-show once it has started, internal notes
//! and the summary the customer will read.
use super::{load_error, weekday_key, AdvError};
use crate::api::advisor::{advisor_booking, AdvisorAddNote, AdvisorMark, AdvisorShareSummary, BookingDetail};
use crate::components::form::action_error;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AdvisorBookingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let note = ServerAction::<AdvisorAddNote>::new();
    let share = ServerAction::<AdvisorShareSummary>::new();
    let mark = ServerAction::<AdvisorMark>::new();
    // With the WASM the page is rebuilt in place after a save, keeping what was
    // typed; a saved note is emptied from the box so it is not sent twice.
    let note_box = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move |_| {
        if matches!(note.value().get(), Some(Ok(()))) {
            if let Some(area) = note_box.get() {
                area.set_value("");
            }
        }
    });
    let booking = Resource::new_blocking(
        move || {
            let id = params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
            (id, note.version().get(), share.version().get(), mark.version().get())
        },
        |(id, ..)| advisor_booking(id),
    );
    let flash = move || {
        query.with(|q| {
            if q.get("shared").is_some() {
                Some(Key::AdvSummarySaved)
            } else if q.get("noted").is_some() {
                Some(Key::AdvNoteSaved)
            } else if q.get("marked").is_some() {
                Some(Key::AdvMarked)
            } else {
                None
            }
        })
    };
    view! {
        <section class="adv-page" aria-labelledby="adv-booking-title">
            <h1 id="adv-booking-title">{t(Key::AdvBookingTitle)}</h1>
            {move || flash().map(|key| view! { <p class="success" role="status">{t(key)}</p> })}
            <Suspense fallback=|| view! { <p>{t(Key::AdvLoading)}</p> }>
                {move || {
                    booking
                        .get()
                        .map(|r| match r {
                            Err(e) => load_error(&e),
                            Ok(b) => detail_view(b, note, note_box, share, mark).into_any(),
                        })
                }}
            </Suspense>
            <p>
                <a href="/staff/calendar?view=week">{t(Key::AdvBackToCalendar)}</a>
            </p>
        </section>
    }
}

fn detail_view(
    b: BookingDetail,
    note: ServerAction<AdvisorAddNote>,
    note_box: NodeRef<leptos::html::Textarea>,
    share: ServerAction<AdvisorShareSummary>,
    mark: ServerAction<AdvisorMark>,
) -> impl IntoView {
    let e = b.entry.clone();
    let id = e.id.to_string();
    let customer_href = format!("/staff/customers/{}", e.customer_no);
    let weekday = crate::pages::advisor::calendar_weekday(e.day);
    view! {
        <dl class="adv-facts">
            <div>
                <dt>{t(Key::AdvReference)}</dt>
                <dd class="adv-ref">{e.reference.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvWhen)}</dt>
                <dd>{t(weekday_key(weekday))}" "{e.day.to_string()}" "{format!("{}–{}", e.start, e.end)}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvCustomer)}</dt>
                <dd>
                    <a href=customer_href>{e.customer_name.clone()}" ("{e.customer_no.clone()}")"</a>
                </dd>
            </div>
            <div>
                <dt>{t(Key::AdvPurpose)}</dt>
                <dd>{t(e.purpose.label())}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvChannel)}</dt>
                <dd>{t(e.channel.label())}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvStatus)}</dt>
                <dd>{t(e.status.label())}</dd>
            </div>
            <div>
                <dt>{t(Key::AdvAdvisorLabel)}</dt>
                <dd>{b.advisor_name.clone()}</dd>
            </div>
            {(!b.topic_note.is_empty())
                .then(|| {
                    view! {
                        <div>
                            <dt>{t(Key::AdvTopicNote)}</dt>
                            <dd class="adv-text">{b.topic_note.clone()}</dd>
                        </div>
                    }
                })}
            {b.cancel_reason
                .clone()
                .map(|reason| {
                    view! {
                        <div>
                            <dt>{t(Key::AdvCancelReason)}</dt>
                            <dd class="adv-text">{reason}</dd>
                        </div>
                    }
                })}
        </dl>
        {mark_panel(&b, mark)}
        {summary_panel(&b, share)}
        <section class="panel" id="notes" aria-labelledby="adv-notes-title">
            <h2 id="adv-notes-title">{t(Key::AdvNotesTitle)}</h2>
            <p class="hint">{t(Key::AdvNotesLead)}</p>
            {if b.notes.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoNotes)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-notes" role="list">
                        {b
                            .notes
                            .into_iter()
                            .map(|n| {
                                view! {
                                    <li>
                                        <p class="adv-note-meta">{n.author}" · "{n.at}</p>
                                        <p class="adv-text">{n.body}</p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <ActionForm action=note attr:class="adv-form">
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="adv-note">{t(Key::AdvNoteLabel)}</label>
                    <textarea node_ref=note_box id="adv-note" name="body" rows="4" maxlength="4000" required=true></textarea>
                </div>
                <AdvError error=action_error(note) />
                <button class="button" type="submit">{t(Key::AdvNoteSubmit)}</button>
            </ActionForm>
        </section>
    }
}

fn mark_panel(b: &BookingDetail, mark: ServerAction<AdvisorMark>) -> impl IntoView {
    let error = action_error(mark);
    let id = b.entry.id.to_string();
    let can = b.can_mark;
    view! {
        <section class="panel" aria-labelledby="adv-mark-title">
            <h2 id="adv-mark-title">{t(Key::AdvMarkTitle)}</h2>
            {if can {
                let id2 = id.clone();
                view! {
                    <div class="adv-mark">
                        <ActionForm action=mark>
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="outcome" value="held" />
                            <button class="button primary" type="submit">{t(Key::AdvMarkHeld)}</button>
                        </ActionForm>
                        <ActionForm action=mark>
                            <input type="hidden" name="id" value=id2 />
                            <input type="hidden" name="outcome" value="no_show" />
                            <button class="button" type="submit">{t(Key::AdvMarkNoShow)}</button>
                        </ActionForm>
                    </div>
                }
                    .into_any()
            } else {
                view! { <p class="hint">{t(Key::AdvMarkLater)}</p> }.into_any()
            }}
            <AdvError error />
        </section>
    }
}

fn summary_panel(b: &BookingDetail, share: ServerAction<AdvisorShareSummary>) -> impl IntoView {
    let error = action_error(share);
    let id = b.entry.id.to_string();
    let current = b.summary.clone().unwrap_or_default();
    view! {
        <section class="panel" id="summary" aria-labelledby="adv-summary-title">
            <h2 id="adv-summary-title">{t(Key::AdvSummaryTitle)}</h2>
            <p class="hint" id="adv-summary-hint">{t(Key::AdvSummaryLead)}</p>
            <ActionForm action=share attr:class="adv-form">
                <input type="hidden" name="id" value=id />
                <div class="field">
                    <label for="adv-summary">{t(Key::AdvSummaryLabel)}</label>
                    <textarea
                        id="adv-summary"
                        name="summary"
                        rows="6"
                        maxlength="4000"
                        required=true
                        aria-describedby="adv-summary-hint"
                    >
                        {current}
                    </textarea>
                </div>
                <AdvError error />
                <button class="button primary" type="submit">{t(Key::AdvSummarySubmit)}</button>
            </ActionForm>
        </section>
    }
}
