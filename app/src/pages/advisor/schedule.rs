//! `/staff/schedule?advisor=<staff_no>`: consultation length and buffer, what is
//! offered, weekly hours and date exceptions. Adding an exception is two steps
//! (a GET form, then a confirmation) so that leave over booked consultations can
//! list them and ask whether to cancel them, all without the WASM.
use super::leave::{confirm_panel, exceptions_panel, Conflicts, Pending};
use super::{fill, load_error, weekday_key, AdvError};
use crate::api::advisor::{
    advisor_leave_conflicts, advisor_schedule, AdvisorAddException, AdvisorAddHours, AdvisorRemoveException,
    AdvisorRemoveHours, AdvisorSaveProfile, ScheduleView,
};
use crate::components::form::action_error;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[derive(Clone, Copy)]
struct Actions {
    profile: ServerAction<AdvisorSaveProfile>,
    add_hours: ServerAction<AdvisorAddHours>,
    remove_hours: ServerAction<AdvisorRemoveHours>,
    add_exception: ServerAction<AdvisorAddException>,
    remove_exception: ServerAction<AdvisorRemoveException>,
}

#[component]
pub fn SchedulePage() -> impl IntoView {
    let query = use_query_map();
    let actions = Actions {
        profile: ServerAction::new(),
        add_hours: ServerAction::new(),
        remove_hours: ServerAction::new(),
        add_exception: ServerAction::new(),
        remove_exception: ServerAction::new(),
    };
    let advisor = move || query.with(|q| q.get("advisor").unwrap_or_default());
    let pending = move || {
        query.with(|q| {
            let day = q.get("ex_day").unwrap_or_default();
            (!day.is_empty()).then(|| Pending {
                kind: q.get("ex_kind").unwrap_or_default(),
                day,
                start: q.get("ex_start").unwrap_or_default(),
                end: q.get("ex_end").unwrap_or_default(),
                note: q.get("ex_note").unwrap_or_default(),
            })
        })
    };
    let schedule = Resource::new_blocking(
        move || {
            (
                advisor(),
                actions.profile.version().get(),
                actions.add_hours.version().get(),
                actions.remove_hours.version().get(),
                actions.add_exception.version().get(),
                actions.remove_exception.version().get(),
            )
        },
        |(advisor, ..)| advisor_schedule(advisor),
    );
    let conflicts = Resource::new_blocking(
        move || (advisor(), pending(), actions.add_exception.version().get()),
        |(advisor, pending, _)| async move {
            match pending {
                Some(p) if p.kind == "leave" => Some(advisor_leave_conflicts(advisor, p.day, p.start, p.end).await),
                _ => None,
            }
        },
    );
    let saved = move || {
        query.with(|q| {
            let cancelled = q.get("cancelled").and_then(|c| c.parse::<usize>().ok()).unwrap_or(0);
            q.get("saved").map(|_| cancelled)
        })
    };
    view! {
        <section class="adv-page" aria-labelledby="adv-schedule-title">
            <h1 id="adv-schedule-title">{t(Key::AdvScheduleTitle)}</h1>
            {move || {
                saved()
                    .map(|cancelled| {
                        view! {
                            <p class="success" role="status">
                                {t(Key::AdvScheduleSaved)}
                                {(cancelled > 0).then(|| view! { " "{fill(Key::AdvBookingsCancelled, cancelled)} })}
                            </p>
                        }
                    })
            }}
            <Suspense fallback=|| view! { <p>{t(Key::AdvLoading)}</p> }>
                {move || {
                    let s = schedule.get()?;
                    let c = conflicts.get()?;
                    Some(match s {
                        Err(e) => load_error(&e),
                        Ok(s) => schedule_view(s, pending(), c, actions).into_any(),
                    })
                }}
            </Suspense>
        </section>
    }
}

fn schedule_view(s: ScheduleView, pending: Option<Pending>, conflicts: Conflicts, actions: Actions) -> impl IntoView {
    let chooser = (!s.choices.is_empty()).then(|| {
        let current = s.advisor_staff_no.clone();
        view! {
            <form method="get" action="/staff/schedule" class="adv-chooser">
                <label for="adv-advisor">{t(Key::AdvChooseAdvisor)}</label>
                <select id="adv-advisor" name="advisor">
                    {s
                        .choices
                        .iter()
                        .map(|a| {
                            view! {
                                <option value=a.staff_no.clone() selected=a.staff_no == current>
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
    let advisor = s.advisor_staff_no.clone();
    view! {
        <p class="adv-who">{t(Key::AdvAdvisor)}" "<strong>{s.advisor_name.clone()}</strong>" ("{advisor.clone()}")"</p>
        {chooser}
        {pending.map(|p| confirm_panel(&advisor, p, conflicts, actions.add_exception))}
        {profile_panel(s.clone(), actions.profile)}
        {hours_panel(s.clone(), actions.add_hours, actions.remove_hours)}
        {exceptions_panel(s, actions.remove_exception)}
    }
}

fn profile_panel(s: ScheduleView, action: ServerAction<AdvisorSaveProfile>) -> impl IntoView {
    let purposes = s.purposes;
    let channels = s.channels;
    view! {
        <section class="panel" id="profile" aria-labelledby="adv-profile-title">
            <h2 id="adv-profile-title">{t(Key::AdvProfileTitle)}</h2>
            <ActionForm action attr:class="adv-form">
                <input type="hidden" name="advisor" value=s.advisor_staff_no.clone() />
                <div class="adv-row">
                    <div class="field">
                        <label for="adv-slot">{t(Key::AdvSlotMinutes)}</label>
                        <input id="adv-slot" name="slot_minutes" type="number" min="15" max="240" step="5" required=true value=s.slot_minutes.to_string() />
                    </div>
                    <div class="field">
                        <label for="adv-buffer">{t(Key::AdvBufferMinutes)}</label>
                        <input id="adv-buffer" name="buffer_minutes" type="number" min="0" max="120" step="5" required=true value=s.buffer_minutes.to_string() />
                    </div>
                </div>
                <fieldset class="adv-checks">
                    <legend>{t(Key::AdvPurposesOffered)}</legend>
                    {purposes
                        .into_iter()
                        .map(|(p, on)| {
                            let id = format!("adv-p-{}", p.as_str());
                            view! {
                                <div class="adv-check">
                                    <input type="checkbox" id=id.clone() name=format!("p_{}", p.as_str()) value="on" checked=on />
                                    <label for=id>{t(p.label())}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <fieldset class="adv-checks">
                    <legend>{t(Key::AdvChannelsOffered)}</legend>
                    {channels
                        .into_iter()
                        .map(|(c, on)| {
                            let id = format!("adv-c-{}", c.as_str());
                            view! {
                                <div class="adv-check">
                                    <input type="checkbox" id=id.clone() name=format!("c_{}", c.as_str()) value="on" checked=on />
                                    <label for=id>{t(c.label())}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <AdvError error=action_error(action) />
                <button class="button primary" type="submit">{t(Key::AdvSave)}</button>
            </ActionForm>
        </section>
    }
}

fn hours_panel(
    s: ScheduleView,
    add: ServerAction<AdvisorAddHours>,
    remove: ServerAction<AdvisorRemoveHours>,
) -> impl IntoView {
    let advisor = s.advisor_staff_no.clone();
    let remove_error = action_error(remove);
    view! {
        <section class="panel" id="hours" aria-labelledby="adv-hours-title">
            <h2 id="adv-hours-title">{t(Key::AdvHoursTitle)}</h2>
            {if s.hours.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoHours)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-windows" role="list">
                        {s
                            .hours
                            .into_iter()
                            .map(|h| {
                                let advisor = advisor.clone();
                                view! {
                                    <li>
                                        <span>{t(weekday_key(h.weekday))}" "{format!("{}–{}", h.start, h.end)}</span>
                                        <ActionForm action=remove attr:class="adv-inline">
                                            <input type="hidden" name="advisor" value=advisor />
                                            <input type="hidden" name="id" value=h.id.to_string() />
                                            <button class="button small" type="submit">
                                                {t(Key::AdvRemove)}
                                                <span class="visually-hidden">
                                                    " "{t(weekday_key(h.weekday))}" "{format!("{}–{}", h.start, h.end)}
                                                </span>
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <AdvError error=remove_error />
            <h3>{t(Key::AdvAddHours)}</h3>
            <ActionForm action=add attr:class="adv-form">
                <input type="hidden" name="advisor" value=advisor.clone() />
                <div class="adv-row">
                    <div class="field">
                        <label for="adv-weekday">{t(Key::AdvWeekday)}</label>
                        <select id="adv-weekday" name="weekday">
                            {(1..=7u8).map(|d| view! { <option value=d.to_string()>{t(weekday_key(d))}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="adv-start">{t(Key::AdvFrom)}</label>
                        <input id="adv-start" name="start" type="time" required=true />
                    </div>
                    <div class="field">
                        <label for="adv-end">{t(Key::AdvUntil)}</label>
                        <input id="adv-end" name="end" type="time" required=true />
                    </div>
                </div>
                <AdvError error=action_error(add) />
                <button class="button" type="submit">{t(Key::AdvAdd)}</button>
            </ActionForm>
        </section>
    }
}
