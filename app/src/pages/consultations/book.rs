//! The booking wizard at `/consultations/book`: GET forms and links, so every
//! choice lives in the URL, the back button works and nothing needs the WASM.
//! Purpose and channel, then the advisor (the customer's own relationship manager
//! first; `?advisor=` preselects one), then a day of the next 30 days that has
//! free times (`?day=`), then a time of that day, then a confirm step whose form
//! carries the idempotency key the server generated.
use super::{chosen_day, chosen_day_head, day_grid, day_times, full_day_text, localized};
use crate::api::booking::{booking_wizard, AdvisorOption, BookConsultation, ChosenSlot, Wizard, MAX_NOTE_CHARS};
use crate::components::form::{action_error, FormError};
use crate::error::ErrorCode;
use crate::i18n::Key;
use crate::t;
use crate::types::{Channel, Purpose};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the URL holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Choice {
    purpose: String,
    channel: String,
    branch: String,
    advisor: String,
    /// The day whose free times are shown ("YYYY-MM-DD"); empty: the list of days.
    day: String,
    slot: String,
    key: String,
}

impl Choice {
    /// The wizard's URL for these fields (empty ones left out).
    fn url(&self) -> String {
        let fields = [
            ("purpose", &self.purpose),
            ("channel", &self.channel),
            ("branch", &self.branch),
            ("advisor", &self.advisor),
            ("day", &self.day),
            ("slot", &self.slot),
            ("key", &self.key),
        ];
        let query: Vec<String> =
            fields.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
        if query.is_empty() {
            "/consultations/book".to_owned()
        } else {
            format!("/consultations/book?{}", query.join("&"))
        }
    }

    fn with(&self, change: impl FnOnce(&mut Choice)) -> Choice {
        let mut next = self.clone();
        change(&mut next);
        next
    }
}

#[component]
pub fn BookConsultationPage() -> impl IntoView {
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        query.with(|q| Choice {
            purpose: q.get("purpose").unwrap_or_default(),
            channel: q.get("channel").unwrap_or_default(),
            branch: q.get("branch").unwrap_or_default(),
            advisor: q.get("advisor").unwrap_or_default(),
            day: q.get("day").unwrap_or_default(),
            slot: q.get("slot").unwrap_or_default(),
            key: q.get("key").unwrap_or_default(),
        })
    });
    let book = ServerAction::<BookConsultation>::new();
    // Keyed on the whole URL, day included, although the day only picks which free
    // times to show: a view that tracked the URL itself was rebuilt while the
    // Suspense had it unmounted (a panic in the browser).
    let wizard = Resource::new_blocking(
        move || choice.get(),
        |c| booking_wizard(c.purpose, c.channel, c.branch, c.advisor, c.slot),
    );
    // "Just taken" (with the WASM): ask again, so the page shows the fresh free times.
    Effect::new(move |_| {
        if let Some(Err(e)) = book.value().get() {
            if e.code == ErrorCode::SlotTaken {
                wizard.refetch();
            }
        }
    });
    view! {
        <section class="form-page wide bk-page bk-book" aria-labelledby="bk-book-title">
            <h1 id="bk-book-title">{t(Key::BkBookTitle)}</h1>
            <Suspense fallback=|| view! { <p>{t(Key::BkLoading)}</p> }>
                {move || {
                    wizard
                        .get()
                        .map(|result| match result {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(w) => step_view(w, choice.get_untracked(), book),
                        })
                }}
            </Suspense>
            <p>
                <a href="/consultations">{t(Key::BkBack)}</a>
            </p>
        </section>
    }
}

fn step_view(w: Wizard, c: Choice, book: ServerAction<BookConsultation>) -> AnyView {
    if w.purpose.is_none() || w.channel.is_none() {
        return purpose_step(&w, &c).into_any();
    }
    match (w.advisor.clone(), w.slot.clone()) {
        (Some(advisor), Some(slot)) => confirm_step(&w, &c, advisor, slot, book).into_any(),
        (Some(advisor), None) => slot_step(w, &c, advisor).into_any(),
        (None, _) => advisor_step(w, &c).into_any(),
    }
}

fn purpose_step(w: &Wizard, c: &Choice) -> impl IntoView {
    let purpose = w.purpose.unwrap_or(Purpose::WealthPlanning);
    let channel = w.channel.unwrap_or(Channel::Branch);
    view! {
        <h2>{t(Key::BkStepPurpose)}</h2>
        <form method="get" action="/consultations/book" class="bk-form">
            {(!c.advisor.is_empty()).then(|| view! { <input type="hidden" name="advisor" value=c.advisor.clone() /> })}
            <fieldset class="bk-choices">
                <legend>{t(Key::BkPurposeLegend)}</legend>
                {Purpose::ALL
                    .iter()
                    .map(|p| {
                        let id = format!("bk-purpose-{}", p.as_str());
                        view! {
                            <div class="bk-radio">
                                <input type="radio" id=id.clone() name="purpose" value=p.as_str() checked=*p == purpose required=true />
                                <label for=id>{t(p.label())}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <fieldset class="bk-choices">
                <legend>{t(Key::BkChannelLegend)}</legend>
                {Channel::ALL
                    .iter()
                    .map(|ch| {
                        let id = format!("bk-channel-{}", ch.as_str());
                        view! {
                            <div class="bk-radio">
                                <input type="radio" id=id.clone() name="channel" value=ch.as_str() checked=*ch == channel required=true />
                                <label for=id>{t(ch.label())}</label>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button class="button primary" type="submit">{t(Key::BkNext)}</button>
        </form>
    }
}

/// "Wealth planning · at the branch", with a link back to step 1.
fn chosen_line(w: &Wizard, c: &Choice) -> impl IntoView {
    let back = Choice { advisor: c.advisor.clone(), ..Choice::default() }.url();
    let purpose = w.purpose.map(|p| t(p.label()));
    let channel = w.channel.map(|ch| t(ch.label()));
    view! {
        <p class="bk-chosen">
            {purpose}" · "{channel}" "
            <a href=back>{t(Key::BkChangePurpose)}</a>
        </p>
    }
}

fn advisor_step(w: Wizard, c: &Choice) -> impl IntoView {
    let filter = (w.branches.len() > 1).then(|| {
        let chosen = c.branch.clone();
        view! {
            <form method="get" action="/consultations/book" class="bk-filter">
                <input type="hidden" name="purpose" value=c.purpose.clone() />
                <input type="hidden" name="channel" value=c.channel.clone() />
                <label for="bk-branch">{t(Key::BkBranchFilter)}</label>
                <select id="bk-branch" name="branch">
                    <option value="" selected=chosen.is_empty()>{t(Key::BkAllBranches)}</option>
                    {w.branches
                        .iter()
                        .map(|b| {
                            let selected = b.code == chosen;
                            view! { <option value=b.code.clone() selected=selected>{localized(b.name.clone())}</option> }
                        })
                        .collect_view()}
                </select>
                <button class="button" type="submit">{t(Key::BkFilter)}</button>
            </form>
        }
    });
    let base = c.with(|n| {
        n.day.clear();
        n.slot.clear();
        n.key.clear();
    });
    view! {
        <h2>{t(Key::BkStepAdvisor)}</h2>
        {chosen_line(&w, c)}
        {w.advisor_unavailable.then(|| view! { <p class="error" role="alert">{t(Key::BkAdvisorUnavailable)}</p> })}
        {filter}
        {if w.advisors.is_empty() {
            view! { <p>{t(Key::BkNoAdvisors)}</p> }.into_any()
        } else {
            view! {
                <ul class="bk-advisors">
                    {w.advisors
                        .into_iter()
                        .map(|a| {
                            let href = base.with(|n| n.advisor = a.staff_no.clone()).url();
                            view! {
                                <li class="bk-advisor">
                                    {advisor_facts(&a)}
                                    <a class="button" href=href>
                                        {t(Key::BkChoose)}
                                        <span class="visually-hidden">" "{a.name.clone()}</span>
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
                .into_any()
        }}
    }
}

fn advisor_facts(a: &AdvisorOption) -> impl IntoView {
    view! {
        <div class="bk-advisor-facts">
            <strong>{a.name.clone()}</strong>
            {a.is_manager.then(|| view! { <span class="bk-badge">{t(Key::BkYourManager)}</span> })}
            <span class="small">{localized(a.branch_name.clone())}</span>
        </div>
    }
}

fn slot_step(w: Wizard, c: &Choice, advisor: AdvisorOption) -> impl IntoView {
    // The key the day and time links carry: the one already in the URL, else a fresh one.
    let key = if c.key.is_empty() { w.key.clone() } else { c.key.clone() };
    let base = c.with(|n| {
        n.key = key;
        n.slot.clear();
    });
    let other_advisor = c.with(|n| {
        n.advisor.clear();
        n.day.clear();
        n.slot.clear();
        n.key.clear();
    });
    let empty = w.days.is_empty();
    let day = chosen_day(&w.days, &c.day);
    // A day in the URL without free times (the last one was just taken, or a stale link).
    let day_gone = day.is_none() && !c.day.is_empty() && !empty && !w.slot_gone;
    let picker = match day {
        Some(day) => {
            let all_days = base.with(|n| n.day.clear()).url();
            let times = base.clone();
            view! {
                {chosen_day_head(&day, all_days)}
                <p class="bk-times-lead">{t(Key::BkTimesLead)}</p>
                {day_times(day, move |at| times.with(|n| n.slot = at.to_string()).url(), false)}
            }
            .into_any()
        }
        None if empty => ().into_any(),
        None => view! {
            {day_gone.then(|| view! { <p class="error" role="alert">{t(Key::BkDayGone)}</p> })}
            {day_grid(&w.days, |d| base.with(|n| n.day = d.to_string()).url())}
        }
        .into_any(),
    };
    view! {
        <h2>{t(Key::BkStepSlot)}</h2>
        {chosen_line(&w, c)}
        <div class="bk-advisor bk-advisor-chosen">
            {advisor_facts(&advisor)}
            <a href=other_advisor.url()>{t(Key::BkChangeAdvisor)}</a>
        </div>
        {w.slot_gone.then(|| view! { <p class="error" role="alert">{t(ErrorCode::SlotTaken.message_key())}</p> })}
        {empty.then(|| view! { <p>{t(Key::BkNoSlots)}</p> })}
        {picker}
    }
}

fn confirm_step(
    w: &Wizard,
    c: &Choice,
    advisor: AdvisorOption,
    slot: ChosenSlot,
    book: ServerAction<BookConsultation>,
) -> impl IntoView {
    let error = action_error(book);
    let key = if c.key.is_empty() { w.key.clone() } else { c.key.clone() };
    let other_time = c.with(|n| n.slot.clear()).url();
    let purpose = w.purpose.map(|p| t(p.label()));
    let channel = w.channel.map(|ch| t(ch.label()));
    let (purpose_value, channel_value) = (c.purpose.clone(), c.channel.clone());
    let (staff_no, starts_at) = (advisor.staff_no.clone(), slot.starts_at.to_string());
    view! {
        <h2>{t(Key::BkStepConfirm)}</h2>
        <dl class="bk-facts">
            <div>
                <dt>{t(Key::BkPurpose)}</dt>
                <dd>{purpose}</dd>
            </div>
            <div>
                <dt>{t(Key::BkChannel)}</dt>
                <dd>{channel}</dd>
            </div>
            <div>
                <dt>{t(Key::BkAdvisor)}</dt>
                <dd>{advisor.name.clone()}</dd>
            </div>
            <div>
                <dt>{t(Key::BkBranch)}</dt>
                <dd>{localized(advisor.branch_name.clone())}</dd>
            </div>
            <div>
                <dt>{t(Key::BkDate)}</dt>
                <dd><strong>{full_day_text(slot.day, slot.weekday)}</strong></dd>
            </div>
            <div>
                <dt>{t(Key::BkTime)}</dt>
                <dd><strong>{format!("{}–{}", slot.start_time, slot.end_time)}</strong></dd>
            </div>
        </dl>
        <ActionForm action=book attr:class="bk-form bk-confirm-form">
            <input type="hidden" name="purpose" value=purpose_value />
            <input type="hidden" name="channel" value=channel_value />
            <input type="hidden" name="advisor" value=staff_no />
            <input type="hidden" name="starts_at" value=starts_at />
            <input type="hidden" name="key" value=key />
            <div class="field">
                <label for="bk-note">{t(Key::BkNoteLabel)}</label>
                <textarea id="bk-note" name="note" rows="3" maxlength=MAX_NOTE_CHARS.to_string() aria-describedby="bk-note-hint"></textarea>
                <p class="hint" id="bk-note-hint">{t(Key::BkNoteHint)}</p>
            </div>
            <FormError error=error />
            <button class="button primary" type="submit">{t(Key::BkConfirmSubmit)}</button>
        </ActionForm>
        <p>
            <a href=other_time>{t(Key::BkOtherTime)}</a>
        </p>
    }
}

/// Percent-encodes a query value.
fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_only_the_chosen_fields() {
        let c =
            Choice { purpose: "loan".into(), channel: "phone".into(), advisor: "S00003".into(), ..Choice::default() };
        assert_eq!(c.url(), "/consultations/book?purpose=loan&channel=phone&advisor=S00003");
        assert_eq!(Choice::default().url(), "/consultations/book");
        // The day comes before the time, so a time link names its day.
        let day = c.with(|n| {
            n.day = "2026-11-30".into();
            n.slot = "1".into();
        });
        assert_eq!(day.url(), "/consultations/book?purpose=loan&channel=phone&advisor=S00003&day=2026-11-30&slot=1");
        assert_eq!(urlencode("a b&c"), "a%20b%26c");
    }
}
