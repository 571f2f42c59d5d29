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

/// ("12月1日", "周二") / ("1 Dec", "Tue"): a day's date and weekday.
pub(crate) fn day_parts(locale: Locale, day: Day, weekday: u8) -> (String, &'static str) {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let w = usize::from(weekday.clamp(1, 7)) - 1;
    match locale {
        Locale::ZhCn => (format!("{}月{}日", day.month(), day.day()), ZH[w]),
        Locale::En => (format!("{} {}", day.day(), MONTHS[usize::from(day.month().clamp(1, 12)) - 1]), EN[w]),
    }
}

/// "12月1日 周二" / "Tue 1 Dec": a slot day, short enough for a phone.
pub(crate) fn day_label(locale: Locale, day: Day, weekday: u8) -> String {
    let (date, weekday) = day_parts(locale, day, weekday);
    match locale {
        Locale::ZhCn => format!("{date} {weekday}"),
        Locale::En => format!("{weekday} {date}"),
    }
}

/// The same with the year, for a booking's date.
pub(crate) fn full_day_label(locale: Locale, day: Day, weekday: u8) -> String {
    match locale {
        Locale::ZhCn => format!("{}年{}", day.year(), day_label(locale, day, weekday)),
        Locale::En => format!("{} {}", day_label(locale, day, weekday), day.year()),
    }
}

/// A booking's date that follows the language switch.
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

/// A text with `{n}` filled in, reactive to the locale.
fn fill(key: Key, value: impl ToString) -> impl Fn() -> String + Send + Sync + 'static {
    let value = value.to_string();
    let text = t(key);
    move || text().replace("{n}", &value)
}

/// The day the URL's `day=` names, if it has free times.
pub(crate) fn chosen_day(days: &[SlotDay], day: &str) -> Option<SlotDay> {
    let day = Day::parse(day.trim())?;
    days.iter().find(|d| d.day == day).cloned()
}

/// The first step of the slot picker: the days that have free times, as a grid
/// of links (date, weekday and how many free times). A month of times in one
/// list was ~8,500 px tall on a phone; the grid is one screen. `href` makes a
/// day's URL (the page's own URL with `day=`).
pub(crate) fn day_grid(days: &[SlotDay], href: impl Fn(Day) -> String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h3 id="bk-days-title">{t(Key::BkDaysTitle)}</h3>
        <ul class="bk-day-grid" aria-labelledby="bk-days-title">
            {days
                .iter()
                .map(|d| {
                    let (day, weekday, count) = (d.day, d.weekday, d.slots.len());
                    let parts = move || day_parts(i18n.locale(), day, weekday);
                    let key = if count == 1 { Key::BkFreeCountOne } else { Key::BkFreeCount };
                    view! {
                        <li>
                            <a class="bk-day-link" href=href(day)>
                                <span class="bk-day-date">{move || parts().0}</span>
                                " "
                                <span class="bk-day-weekday">{move || parts().1}</span>
                                " "
                                <span class="bk-day-count">{fill(key, count)}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// The chosen day's heading and the way back to the list of days.
pub(crate) fn chosen_day_head(day: &SlotDay, all_days: String) -> impl IntoView {
    view! {
        <div class="bk-day-head">
            <h3 id="bk-day-title">{full_day_text(day.day, day.weekday)}</h3>
            <a class="bk-change-day" href=all_days>{t(Key::BkChangeDay)}</a>
        </div>
    }
}

/// One day's free times, as links (`href` makes each link's URL) or, with
/// `radio`, as radio buttons named `starts_at`.
pub(crate) fn day_times(day: SlotDay, href: impl Fn(i64) -> String + 'static, radio: bool) -> impl IntoView {
    view! {
        <ul class="bk-slots" aria-labelledby="bk-day-title">
            {day
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
