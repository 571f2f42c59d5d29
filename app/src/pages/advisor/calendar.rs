//! `/staff/calendar?day=YYYY-MM-DD&view=day|week&advisor=<staff_no>`: an advisor's
//! bookings as a list per day (readable on a phone), with previous / next links.
use super::{load_error, q, weekday_key};
use crate::api::advisor::{advisor_calendar, CalendarDay, CalendarEntry, CalendarView};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let calendar = Resource::new_blocking(
        move || {
            query.with(|q| {
                (
                    q.get("day").unwrap_or_default(),
                    q.get("view").unwrap_or_default(),
                    q.get("advisor").unwrap_or_default(),
                )
            })
        },
        |(day, view, advisor)| advisor_calendar(day, view, advisor),
    );
    view! {
        <section class="adv-page" aria-labelledby="adv-cal-title">
            <h1 id="adv-cal-title">{t(Key::AdvCalendarTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(Key::AdvLoading)}</p> }>
                {move || {
                    calendar
                        .get()
                        .map(|r| match r {
                            Err(e) => load_error(&e),
                            Ok(c) => calendar_view(c).into_any(),
                        })
                }}
            </Suspense>
        </section>
    }
}

/// A link to the calendar at `day` in `view`, keeping the chosen advisor.
fn link(c: &CalendarView, day: &str, week: bool) -> String {
    let view = if week { "week" } else { "day" };
    let mut href = format!("/staff/calendar?day={}&view={view}", q(day));
    if !c.choices.is_empty() {
        href.push_str(&format!("&advisor={}", q(&c.advisor_staff_no)));
    }
    href
}

fn calendar_view(c: CalendarView) -> impl IntoView {
    let day = c.day.to_string();
    let prev = link(&c, &c.prev.to_string(), c.week);
    let next = link(&c, &c.next.to_string(), c.week);
    let today = link(&c, &c.today.to_string(), c.week);
    let as_day = link(&c, &day, false);
    let as_week = link(&c, &day, true);
    let (prev_key, next_key) =
        if c.week { (Key::AdvPrevWeek, Key::AdvNextWeek) } else { (Key::AdvPrevDay, Key::AdvNextDay) };
    let chooser = (!c.choices.is_empty()).then(|| {
        let current = c.advisor_staff_no.clone();
        view! {
            <form method="get" action="/staff/calendar" class="adv-chooser">
                <input type="hidden" name="day" value=day.clone() />
                <input type="hidden" name="view" value=if c.week { "week" } else { "day" } />
                <label for="adv-advisor">{t(Key::AdvChooseAdvisor)}</label>
                <select id="adv-advisor" name="advisor">
                    {c
                        .choices
                        .iter()
                        .map(|a| {
                            let selected = a.staff_no == current;
                            view! {
                                <option value=a.staff_no.clone() selected=selected>
                                    {format!("{} · {}", a.name, a.staff_no)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button class="button" type="submit">{t(Key::AdvShow)}</button>
            </form>
        }
    });
    let week = c.week;
    view! {
        <p class="adv-who">{t(Key::AdvAdvisor)}" "<strong>{c.advisor_name.clone()}</strong>" ("{c.advisor_staff_no.clone()}")"</p>
        {chooser}
        <nav class="adv-cal-nav" aria-label=t(Key::AdvCalendarNav)>
            <a href=prev rel="prev">{t(prev_key)}</a>
            <a href=today>{t(Key::AdvToday)}</a>
            <a href=next rel="next">{t(next_key)}</a>
            <span class="adv-view-switch">
                <a href=as_day aria-current=(!week).then_some("page")>{t(Key::AdvViewDay)}</a>
                <a href=as_week aria-current=week.then_some("page")>{t(Key::AdvViewWeek)}</a>
            </span>
        </nav>
        <div class=if week { "adv-days adv-week" } else { "adv-days" }>
            {c.days.into_iter().map(|d| day_view(d, c.today)).collect_view()}
        </div>
    }
}

fn day_view(d: CalendarDay, today: crate::types::Day) -> impl IntoView {
    let heading = format!("adv-day-{}", d.day);
    let is_today = d.day == today;
    view! {
        <section class="adv-day" class:adv-today=is_today aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{t(weekday_key(d.weekday))}" "{d.day.to_string()}</h2>
            {if d.entries.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoBookings)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-list" role="list">
                        {d.entries.into_iter().map(entry_view).collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

pub(crate) fn entry_view(e: CalendarEntry) -> impl IntoView {
    let href = format!("/staff/bookings/{}", e.id);
    view! {
        <li class="adv-entry" data-status=e.status.as_str() data-reference=e.reference.clone()>
            <a href=href>
                <span class="adv-time">{format!("{}–{}", e.start, e.end)}</span>
                <span class="adv-customer">{e.customer_name}</span>
                <span class="adv-meta">{t(e.purpose.label())}" · "{t(e.channel.label())}</span>
                <span class="adv-status">{t(e.status.label())}</span>
            </a>
        </li>
    }
}
