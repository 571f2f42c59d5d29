//! One booking at `/consultations/:reference`: the confirmation (date, time, place
//! or dial-in details), the calendar file, and until the cut-off a reschedule form
//! (the same advisor's free times: first a day, `?day=`, then a time of it) and a
//! cancel form (with a reason); after it, the branch's phone number to call.
use super::{chosen_day, chosen_day_head, day_grid, day_times, full_day_text, localized, status_class};
use crate::api::booking::{
    booking_detail, BookingPage, BookingView, CancelBooking, RescheduleBooking, SlotDay, MAX_REASON_CHARS,
};
use crate::components::form::{action_error, FormError};
use crate::i18n::Key;
use crate::t;
use crate::types::{BookingStatus, Channel};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ConsultationPage() -> impl IntoView {
    let params = use_params_map();
    let reference = move || params.with(|p| p.get("reference").unwrap_or_default());
    let query = use_query_map();
    // The reschedule form's day. It is part of the resource's key (rather than read
    // by the view) so the view is only ever rebuilt with fresh data, as on the book page.
    let day = Memo::new(move |_| query.with(|q| q.get("day").unwrap_or_default()));
    let reschedule = ServerAction::<RescheduleBooking>::new();
    let cancel = ServerAction::<CancelBooking>::new();
    let detail = Resource::new_blocking(
        move || (reference(), day.get(), reschedule.version().get(), cancel.version().get()),
        |(reference, _, _, _)| booking_detail(reference),
    );
    view! {
        <section class="form-page wide bk-page bk-detail" aria-labelledby="bk-detail-title">
            <h1 id="bk-detail-title">{t(Key::BkDetailTitle)}</h1>
            <Flash />
            <Suspense fallback=|| view! { <p>{t(Key::BkLoading)}</p> }>
                {move || {
                    detail
                        .get()
                        .map(|result| match result {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(page) => page_view(page, &day.get_untracked(), reschedule, cancel).into_any(),
                        })
                }}
            </Suspense>
            <p>
                <a href="/consultations">{t(Key::BkBack)}</a>
            </p>
        </section>
    }
}

/// What the last plain form post did, from the URL it redirected to.
#[component]
fn Flash() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| {
            let key = if q.get("booked").is_some() {
                Some(Key::BkBookedNotice)
            } else if q.get("moved").is_some() {
                Some(Key::BkMovedNotice)
            } else if q.get("cancelled").is_some() {
                Some(Key::BkCancelledNotice)
            } else {
                None
            };
            key.map(|key| view! { <p class="success" role="status">{t(key)}</p> })
        })
    }
}

fn page_view(
    page: BookingPage,
    day: &str,
    reschedule: ServerAction<RescheduleBooking>,
    cancel: ServerAction<CancelBooking>,
) -> impl IntoView {
    let BookingPage { booking: b, slots } = page;
    let calendar = format!("/consultations/{}/calendar.ics", b.reference);
    let changes = if b.can_change {
        change_forms(&b, slots, day, reschedule, cancel).into_any()
    } else if b.status == BookingStatus::Booked && b.upcoming {
        view! {
            <p class="bk-call" role="note">
                {t(Key::BkPastCutOff)}" "
                <a href=format!("tel:{}", b.branch_phone.replace('-', ""))>{b.branch_phone.clone()}</a>
            </p>
        }
        .into_any()
    } else {
        ().into_any()
    };
    view! {
        {facts(&b)}
        <p class="bk-actions">
            <a class="button" href=calendar download=format!("{}.ics", b.reference) rel="external">
                {t(Key::BkAddToCalendar)}
            </a>
        </p>
        {changes}
    }
}

fn facts(b: &BookingView) -> impl IntoView {
    let place = match b.channel {
        Channel::Branch => view! {
            <div>
                <dt>{t(Key::BkPlace)}</dt>
                <dd>
                    {localized(b.branch_name.clone())}
                    <br />
                    {localized(b.branch_address.clone())}
                </dd>
            </div>
        }
        .into_any(),
        Channel::Phone => view! {
            <div>
                <dt>{t(Key::BkDialIn)}</dt>
                <dd>
                    <a href=format!("tel:{}", b.dial_in.replace('-', ""))>{b.dial_in.clone()}</a>
                </dd>
            </div>
        }
        .into_any(),
        Channel::Video => view! {
            <div>
                <dt>{t(Key::BkVideoRoom)}</dt>
                <dd class="bk-break">
                    <a href=b.dial_in.clone() rel="external noopener">{b.dial_in.clone()}</a>
                </dd>
            </div>
        }
        .into_any(),
    };
    view! {
        <dl class="bk-facts">
            <div>
                <dt>{t(Key::BkReference)}</dt>
                <dd class="bk-reference">{b.reference.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::BkStatus)}</dt>
                <dd>
                    <span class=status_class(b.status)>{t(b.status.label())}</span>
                </dd>
            </div>
            <div>
                <dt>{t(Key::BkDate)}</dt>
                <dd><strong>{full_day_text(b.day, b.weekday)}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::BkTime)}</dt>
                <dd><strong>{format!("{}–{}", b.start_time, b.end_time)}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::BkPurpose)}</dt>
                <dd>{t(b.purpose.label())}</dd>
            </div>
            <div>
                <dt>{t(Key::BkChannel)}</dt>
                <dd>{t(b.channel.label())}</dd>
            </div>
            <div>
                <dt>{t(Key::BkAdvisor)}</dt>
                <dd>{b.advisor_name.clone()}</dd>
            </div>
            {place}
            <div>
                <dt>{t(Key::BkBranchPhone)}</dt>
                <dd>{b.branch_phone.clone()}</dd>
            </div>
            {(!b.topic_note.is_empty()).then(|| view! {
                <div>
                    <dt>{t(Key::BkNote)}</dt>
                    <dd class="bk-text">{b.topic_note.clone()}</dd>
                </div>
            })}
            {b.cancel_reason.clone().map(|reason| view! {
                <div>
                    <dt>{t(Key::BkCancelReasonShown)}</dt>
                    <dd class="bk-text">{reason}</dd>
                </div>
            })}
            {b.summary.clone().map(|summary| view! {
                <div>
                    <dt>{t(Key::BkSummary)}</dt>
                    <dd class="bk-text">{summary}</dd>
                </div>
            })}
        </dl>
    }
}

fn change_forms(
    b: &BookingView,
    slots: Vec<SlotDay>,
    day: &str,
    reschedule: ServerAction<RescheduleBooking>,
    cancel: ServerAction<CancelBooking>,
) -> impl IntoView {
    let reschedule_error = action_error(reschedule);
    let cancel_error = action_error(cancel);
    let cancel_reference = b.reference.clone();
    let picker = reschedule_picker(&b.reference, slots, day, reschedule);
    view! {
        <p class="small">{t(Key::BkCutOffRule)}</p>
        <section class="panel" aria-labelledby="bk-reschedule-title">
            <h2 id="bk-reschedule-title">{t(Key::BkRescheduleTitle)}</h2>
            <FormError error=reschedule_error />
            {picker}
        </section>
        <section class="panel" aria-labelledby="bk-cancel-title">
            <h2 id="bk-cancel-title">{t(Key::BkCancelTitle)}</h2>
            <ActionForm action=cancel attr:class="bk-form bk-cancel-form">
                <input type="hidden" name="reference" value=cancel_reference.clone() />
                <div class="field">
                    <label for="bk-reason">{t(Key::BkCancelReason)}</label>
                    <textarea
                        id="bk-reason"
                        name="reason"
                        rows="2"
                        required=true
                        maxlength=MAX_REASON_CHARS.to_string()
                        aria-describedby="bk-reason-hint"
                    ></textarea>
                    <p class="hint" id="bk-reason-hint">{t(Key::BkCancelHint)}</p>
                </div>
                <FormError error=cancel_error />
                <button class="button danger" type="submit">{t(Key::BkCancelSubmit)}</button>
            </ActionForm>
        </section>
    }
}

/// The reschedule form in two steps on one URL: without `day`, the days that have
/// free times (links); with it, that day's times as radio buttons. The links end
/// in `#bk-reschedule-title` so a phone lands on the form, not on the facts above.
fn reschedule_picker(
    reference: &str,
    slots: Vec<SlotDay>,
    day: &str,
    reschedule: ServerAction<RescheduleBooking>,
) -> AnyView {
    if slots.is_empty() {
        return view! { <p>{t(Key::BkNoRescheduleSlots)}</p> }.into_any();
    }
    let page = format!("/consultations/{reference}");
    let Some(chosen) = chosen_day(&slots, day) else {
        // A day in the URL without free times left (just taken, or a stale link).
        let gone = (!day.is_empty()).then(|| view! { <p class="error" role="alert">{t(Key::BkDayGone)}</p> });
        return view! {
            {gone}
            <p>{t(Key::BkRescheduleLead)}</p>
            {day_grid(&slots, |d| format!("{page}?day={d}#bk-reschedule-title"))}
        }
        .into_any();
    };
    let reference = reference.to_owned();
    view! {
        {chosen_day_head(&chosen, format!("{page}#bk-reschedule-title"))}
        <ActionForm action=reschedule attr:class="bk-form bk-reschedule-form">
            <input type="hidden" name="reference" value=reference />
            <fieldset>
                <legend>{t(Key::BkTimesLead)}</legend>
                {day_times(chosen, |_| String::new(), true)}
            </fieldset>
            <button class="button primary" type="submit">{t(Key::BkRescheduleSubmit)}</button>
        </ActionForm>
    }
    .into_any()
}
