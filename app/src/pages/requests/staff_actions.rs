//! The forms of a request's staff page: claim, start, assign, reply (or ask),
//! internal note, resolve, and the complaint deadline with its extension form. Each
//! is a plain HTML form posting to its server function and coming back to the page.
use super::staff_queue::staff_options;
use crate::api::requests_sla::{ExtendComplaint, MAX_REASON};
use crate::api::requests_staff::{
    AssignRequest, ClaimRequest, NoteRequest, ResolveRequest, StaffChoice, StaffReplyRequest, StartRequest, MAX_TEXT,
};
use crate::components::form::{action_error, FormError};
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// How many times `action` has succeeded, changing only on a success: a refused
/// post keeps the page (and what was typed) as it is.
pub(super) fn successes<S>(action: ServerAction<S>) -> Signal<usize>
where
    S: server_fn::ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    let count = Memo::new(move |previous: Option<&usize>| {
        let previous = previous.copied().unwrap_or(0);
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            action.version().get()
        } else {
            previous
        }
    });
    count.into()
}

/// The page's actions, made once so their results outlive a re-render.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub claim: ServerAction<ClaimRequest>,
    pub start: ServerAction<StartRequest>,
    pub assign: ServerAction<AssignRequest>,
    pub reply: ServerAction<StaffReplyRequest>,
    pub note: ServerAction<NoteRequest>,
    pub resolve: ServerAction<ResolveRequest>,
    pub extend: ServerAction<ExtendComplaint>,
}

pub(super) fn claim_form(action: ServerAction<ClaimRequest>, reference: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="sr-claim">
            <input type="hidden" name="reference" value=reference />
            <p class="hint">{t(Key::SrsClaimHint)}</p>
            <FormError error />
            <button class="button primary" type="submit">{t(Key::SrsClaim)}</button>
        </ActionForm>
    }
}

pub(super) fn start_form(action: ServerAction<StartRequest>, reference: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="sr-start">
            <input type="hidden" name="reference" value=reference />
            <FormError error />
            <button class="button" type="submit">{t(Key::SrsStart)}</button>
        </ActionForm>
    }
}

/// A textarea named `body` that empties after each successful post.
fn text_area(id: &'static str, label: Key, sent: Signal<usize>) -> impl IntoView {
    let hint = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <textarea
                id=id
                name="body"
                rows="4"
                required=true
                maxlength=MAX_TEXT.to_string()
                aria-describedby=hint.clone()
                prop:value=move || {
                    sent.track();
                    String::new()
                }
            ></textarea>
            <p class="hint" id=hint>{t(Key::SrsTextHint)}</p>
        </div>
    }
}

pub(super) fn assign_form(
    action: ServerAction<AssignRequest>,
    reference: String,
    staff: Vec<StaffChoice>,
) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="sr-assign">
            <input type="hidden" name="reference" value=reference />
            <div class="field">
                <label for="srs-assign-to">{t(Key::SrsAssignTo)}</label>
                <select id="srs-assign-to" name="staff_no" required=true>{staff_options(staff)}</select>
            </div>
            <FormError error />
            <button class="button" type="submit">{t(Key::SrsAssignSubmit)}</button>
        </ActionForm>
    }
}

pub(super) fn reply_form(action: ServerAction<StaffReplyRequest>, reference: String, key: String) -> impl IntoView {
    let error = action_error(action);
    let sent = successes(action);
    // The "ask" box is unticked again once a reply is sent: the next reply asks the
    // customer only if it is ticked anew.
    view! {
        <ActionForm action attr:class="sr-staff-reply">
            <h3>{t(Key::SrsReplyTitle)}</h3>
            <input type="hidden" name="reference" value=reference />
            <input type="hidden" name="key" value=key />
            {text_area("srs-reply-body", Key::SrsReplyLabel, sent)}
            <div class="field srs-check">
                <input type="checkbox" id="srs-ask" name="ask" value="yes" prop:checked=move || {
                    sent.track();
                    false
                } />
                <label for="srs-ask">{t(Key::SrsReplyAsk)}</label>
            </div>
            <FormError error />
            <button class="button primary" type="submit">{t(Key::SrsReplySubmit)}</button>
        </ActionForm>
    }
}

pub(super) fn note_form(action: ServerAction<NoteRequest>, reference: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="sr-note">
            <h3>{t(Key::SrsNoteTitle)}</h3>
            <input type="hidden" name="reference" value=reference />
            {text_area("srs-note-body", Key::SrsNoteLabel, successes(action))}
            <FormError error />
            <button class="button" type="submit">{t(Key::SrsNoteSubmit)}</button>
        </ActionForm>
    }
}

pub(super) fn resolve_form(action: ServerAction<ResolveRequest>, reference: String) -> impl IntoView {
    let error = action_error(action);
    view! {
        <ActionForm action attr:class="sr-resolve">
            <h3>{t(Key::SrsResolveTitle)}</h3>
            <input type="hidden" name="reference" value=reference />
            {text_area("srs-resolve-body", Key::SrsResolveLabel, successes(action))}
            <FormError error />
            <button class="button primary" type="submit">{t(Key::SrsResolveSubmit)}</button>
        </ActionForm>
    }
}

fn extension_label(level: i64) -> Key {
    match level {
        0 => Key::SrsExtension0,
        1 => Key::SrsExtension1,
        _ => Key::SrsExtension2,
    }
}

/// The complaint rules' decision deadline, and the form to extend it while the
/// complaint is open and not yet at the last level.
pub(super) fn complaint_view(
    action: ServerAction<ExtendComplaint>,
    reference: String,
    open: bool,
    due: Option<String>,
    level: i64,
) -> impl IntoView {
    let error = action_error(action);
    let form = (open && level < 2).then(|| {
        view! {
            <ActionForm action attr:class="sr-extend">
                <input type="hidden" name="reference" value=reference />
                <div class="field">
                    <label for="srs-extend-level">{t(Key::SrsExtendLevel)}</label>
                    <select id="srs-extend-level" name="level" required=true>
                        {(level + 1..=2)
                            .map(|l| view! { <option value=l.to_string()>{t(extension_label(l))}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="srs-extend-reason">{t(Key::SrsExtendReason)}</label>
                    <textarea id="srs-extend-reason" name="reason" rows="3" required=true maxlength=MAX_REASON.to_string() aria-describedby="srs-extend-hint"></textarea>
                    <p class="hint" id="srs-extend-hint">{t(Key::SrsExtendHint)}</p>
                </div>
                <FormError error />
                <button class="button" type="submit">{t(Key::SrsExtendSubmit)}</button>
            </ActionForm>
        }
    });
    view! {
        <section class="srs-complaint" aria-labelledby="srs-complaint-title">
            <h2 id="srs-complaint-title">{t(Key::SrsComplaintTitle)}</h2>
            <dl class="srs-facts">
                <div>
                    <dt>{t(Key::SrsDecisionDue)}</dt>
                    <dd><strong>{due.unwrap_or_else(|| "—".to_owned())}</strong></dd>
                </div>
                <div>
                    <dt>{t(Key::SrsExtensionLevel)}</dt>
                    <dd>{t(extension_label(level))}</dd>
                </div>
            </dl>
            {form}
        </section>
    }
}
