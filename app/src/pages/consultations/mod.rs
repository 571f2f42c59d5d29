//! Consultations: the customer's bookings, the booking wizard and one booking's
//! page (confirmation, calendar file, reschedule, cancel). Every form is a plain
//! HTML form first: it works before (or without) the WASM.
mod book;
mod detail;

pub use book::BookConsultationPage;
pub use detail::ConsultationPage;

use crate::api::booking::{my_bookings, BookingView, SlotDay};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use crate::types::{BookingStatus, Day};
use leptos::prelude::*;

/// "12月1日 周二" / "Tue 1 Dec": a slot day, short enough for a phone.
pub(crate) fn day_label(locale: Locale, day: Day, weekday: u8) -> String {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let w = usize::from(weekday.clamp(1, 7)) - 1;
    match locale {
        Locale::ZhCn => format!("{}月{}日 {}", day.month(), day.day(), ZH[w]),
        Locale::En => format!("{} {} {}", EN[w], day.day(), MONTHS[usize::from(day.month().clamp(1, 12)) - 1]),
    }
}

/// The same with the year, for a booking's date.
pub(crate) fn full_day_label(locale: Locale, day: Day, weekday: u8) -> String {
    match locale {
        Locale::ZhCn => format!("{}年{}", day.year(), day_label(locale, day, weekday)),
        Locale::En => format!("{} {}", day_label(locale, day, weekday), day.year()),
    }
}

/// A day label that follows the language switch.
pub(crate) fn day_text(day: Day, weekday: u8) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || day_label(i18n.locale(), day, weekday)
}

pub(crate) fn full_day_text(day: Day, weekday: u8) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || full_day_label(i18n.locale(), day, weekday)
}

/// A text kept in both languages, following the switch.
pub(crate) fn localized(text: crate::types::Localized) -> impl Fn() -> String + Send + Sync + 'static {
    let i18n = use_i18n();
    move || text.get(i18n.locale()).to_owned()
}

pub(crate) fn status_class(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Booked => "bk-status bk-status-booked",
        BookingStatus::Cancelled => "bk-status bk-status-cancelled",
        BookingStatus::Held => "bk-status bk-status-held",
        BookingStatus::NoShow => "bk-status bk-status-no-show",
    }
}

/// Free times grouped by day: a heading per day and the times as links (`href`
/// makes each link's URL) or, with `radio`, as radio buttons named `starts_at`.
pub(crate) fn slot_list(days: Vec<SlotDay>, href: impl Fn(i64) -> String + 'static, radio: bool) -> impl IntoView {
    view! {
        <div class="bk-days">
            {days
                .into_iter()
                .map(|d| {
                    let heading_id = format!("bk-day-{}", d.day);
                    view! {
                        <section class="bk-day" aria-labelledby=heading_id.clone()>
                            <h3 id=heading_id.clone()>{day_text(d.day, d.weekday)}</h3>
                            <ul class="bk-slots">
                                {d
                                    .slots
                                    .into_iter()
                                    .map(|s| {
                                        if radio {
                                            let id = format!("bk-slot-{}", s.starts_at);
                                            view! {
                                                <li class="bk-slot-radio">
                                                    <input type="radio" id=id.clone() name="starts_at" value=s.starts_at.to_string() required=true />
                                                    <label for=id>{s.time}</label>
                                                </li>
                                            }
                                                .into_any()
                                        } else {
                                            view! {
                                                <li>
                                                    <a class="bk-slot" href=href(s.starts_at)>{s.time}</a>
                                                </li>
                                            }
                                                .into_any()
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
pub fn ConsultationsPage() -> impl IntoView {
    let list = Resource::new_blocking(|| (), |_| my_bookings());
    view! {
        <section class="form-page wide bk-page" aria-labelledby="bk-title">
            <h1 id="bk-title">{t(Key::BkTitle)}</h1>
            <p>{t(Key::BkLead)}</p>
            <p>
                <a class="button primary" href="/consultations/book">{t(Key::BkBookLink)}</a>
            </p>
            <Suspense fallback=|| view! { <p>{t(Key::BkLoading)}</p> }>
                {move || {
                    list.get()
                        .map(|result| match result {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <section class="panel" aria-labelledby="bk-upcoming-title">
                                        <h2 id="bk-upcoming-title">{t(Key::BkUpcoming)}</h2>
                                        {booking_cards(list.upcoming, Key::BkNoneUpcoming)}
                                    </section>
                                    <section class="panel" aria-labelledby="bk-past-title">
                                        <h2 id="bk-past-title">{t(Key::BkPast)}</h2>
                                        {booking_cards(list.past, Key::BkNonePast)}
                                    </section>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

fn booking_cards(bookings: Vec<BookingView>, empty: Key) -> impl IntoView {
    if bookings.is_empty() {
        return view! { <p>{t(empty)}</p> }.into_any();
    }
    view! {
        <ul class="bk-list">
            {bookings
                .into_iter()
                .map(|b| {
                    let href = format!("/consultations/{}", b.reference);
                    view! {
                        <li class="bk-card">
                            <p class="bk-card-when">
                                <strong>{full_day_text(b.day, b.weekday)}</strong>
                                " "
                                {format!("{}–{}", b.start_time, b.end_time)}
                            </p>
                            <p>
                                {t(b.purpose.label())}" · "{t(b.channel.label())}" · "{b.advisor_name.clone()}
                            </p>
                            <p class="bk-card-foot">
                                <span class=status_class(b.status)>{t(b.status.label())}</span>
                                " "
                                <a href=href>{t(Key::BkDetails)}" "{b.reference.clone()}</a>
                            </p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
