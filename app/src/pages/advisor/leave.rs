//! The schedule's date exceptions: the list with its remove buttons, the first
//! step (a GET form, so the choice lives in the URL) and the confirmation, which
//! lists the bookings a leave would fall on and asks whether to cancel them.
use super::{calendar::entry_view, q, AdvError};
use crate::api::advisor::{AdvisorAddException, AdvisorRemoveException, ScheduleView};
use crate::components::form::action_error;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// The exception being confirmed, as the first step's GET form left it in the URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Pending {
    pub kind: String,
    pub day: String,
    pub start: String,
    pub end: String,
    pub note: String,
}

pub(super) type Conflicts = Option<Result<Vec<crate::api::advisor::CalendarEntry>, crate::error::AppError>>;

pub(super) fn exceptions_panel(s: ScheduleView, remove: ServerAction<AdvisorRemoveException>) -> impl IntoView {
    let advisor = s.advisor_staff_no.clone();
    view! {
        <section class="panel" id="exceptions" aria-labelledby="adv-ex-title">
            <h2 id="adv-ex-title">{t(Key::AdvExceptionsTitle)}</h2>
            {if s.exceptions.is_empty() {
                view! { <p class="adv-empty">{t(Key::AdvNoExceptions)}</p> }.into_any()
            } else {
                view! {
                    <ul class="adv-windows" role="list">
                        {s
                            .exceptions
                            .into_iter()
                            .map(|x| {
                                let advisor = advisor.clone();
                                let note = x.note.clone();
                                let when = match (&x.start, &x.end) {
                                    (Some(a), Some(b)) => format!("{} {a}–{b}", x.day),
                                    _ => x.day.to_string(),
                                };
                                let kind = if x.leave { Key::AdvLeave } else { Key::AdvExtra };
                                view! {
                                    <li>
                                        <span>
                                            <strong>{t(kind)}</strong>" "{when.clone()}
                                            {(!note.is_empty()).then(|| format!(" · {note}"))}
                                        </span>
                                        <ActionForm action=remove attr:class="adv-inline">
                                            <input type="hidden" name="advisor" value=advisor />
                                            <input type="hidden" name="id" value=x.id.to_string() />
                                            <button class="button small" type="submit">
                                                {t(Key::AdvRemove)}
                                                <span class="visually-hidden">" "{when}</span>
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
            <AdvError error=action_error(remove) />
            <h3>{t(Key::AdvAddException)}</h3>
            <form method="get" action="/staff/schedule" class="adv-form">
                <input type="hidden" name="advisor" value=advisor.clone() />
                <fieldset>
                    <legend>{t(Key::AdvExceptionKind)}</legend>
                    <div class="adv-check">
                        <input type="radio" id="adv-kind-leave" name="ex_kind" value="leave" checked=true />
                        <label for="adv-kind-leave">{t(Key::AdvLeave)}</label>
                    </div>
                    <div class="adv-check">
                        <input type="radio" id="adv-kind-extra" name="ex_kind" value="extra" />
                        <label for="adv-kind-extra">{t(Key::AdvExtra)}</label>
                    </div>
                </fieldset>
                <div class="adv-row">
                    <div class="field">
                        <label for="adv-ex-day">{t(Key::AdvDay)}</label>
                        <input id="adv-ex-day" name="ex_day" type="date" required=true min=s.today.to_string() />
                    </div>
                    <div class="field">
                        <label for="adv-ex-start">{t(Key::AdvFrom)}</label>
                        <input id="adv-ex-start" name="ex_start" type="time" aria-describedby="adv-ex-hint" />
                    </div>
                    <div class="field">
                        <label for="adv-ex-end">{t(Key::AdvUntil)}</label>
                        <input id="adv-ex-end" name="ex_end" type="time" aria-describedby="adv-ex-hint" />
                    </div>
                </div>
                <p class="hint" id="adv-ex-hint">{t(Key::AdvExceptionHint)}</p>
                <div class="field">
                    <label for="adv-ex-note">{t(Key::AdvExceptionNote)}</label>
                    <input id="adv-ex-note" name="ex_note" type="text" maxlength="200" />
                </div>
                <button class="button" type="submit">{t(Key::AdvContinue)}</button>
            </form>
        </section>
    }
}

/// The second step: what the exception is, the bookings a leave falls on (if
/// any) with the choice to cancel them, and the button that adds it.
pub(super) fn confirm_panel(
    advisor: &str,
    p: Pending,
    conflicts: Conflicts,
    action: ServerAction<AdvisorAddException>,
) -> impl IntoView {
    let error = action_error(action);
    let (list, problem) = match conflicts {
        Some(Ok(list)) => (list, None),
        Some(Err(e)) => (Vec::new(), Some(e)),
        None => (Vec::new(), None),
    };
    let has_conflicts = !list.is_empty();
    let leave = p.kind == "leave";
    let when = match (p.start.is_empty(), p.end.is_empty()) {
        (true, true) => p.day.clone(),
        _ => format!("{} {}–{}", p.day, p.start, p.end),
    };
    let back = format!("/staff/schedule?advisor={}#exceptions", q(advisor));
    let advisor = advisor.to_owned();
    view! {
        <section class="panel adv-confirm" aria-labelledby="adv-confirm-title">
            <h2 id="adv-confirm-title">{t(Key::AdvConfirmException)}</h2>
            <p>
                <strong>{t(if leave { Key::AdvLeave } else { Key::AdvExtra })}</strong>" "{when}
            </p>
            {problem.map(|e| view! { <p class="error" role="alert">{t(super::error_key(&e))}</p> })}
            {has_conflicts
                .then(|| {
                    view! {
                        <p class="warning" role="alert">{t(Key::AdvLeaveConflicts)}</p>
                        <ul class="adv-list" role="list">
                            {list.into_iter().map(entry_view).collect_view()}
                        </ul>
                    }
                })}
            <ActionForm action attr:class="adv-form">
                <input type="hidden" name="advisor" value=advisor />
                <input type="hidden" name="kind" value=p.kind.clone() />
                <input type="hidden" name="day" value=p.day.clone() />
                <input type="hidden" name="start" value=p.start.clone() />
                <input type="hidden" name="end" value=p.end.clone() />
                <input type="hidden" name="note" value=p.note.clone() />
                {has_conflicts
                    .then(|| {
                        view! {
                            <div class="adv-check">
                                <input type="checkbox" id="adv-cancel" name="cancel_bookings" value="on" />
                                <label for="adv-cancel">{t(Key::AdvCancelThem)}</label>
                            </div>
                            <div class="field">
                                <label for="adv-reason">{t(Key::AdvCancelReasonLabel)}</label>
                                <textarea id="adv-reason" name="reason" rows="3" maxlength="500"></textarea>
                            </div>
                        }
                    })}
                <AdvError error />
                <button class="button primary" type="submit">{t(Key::AdvAddExceptionSubmit)}</button>
            </ActionForm>
            <p>
                <a href=back>{t(Key::AdvCancelStep)}</a>
            </p>
        </section>
    }
}
