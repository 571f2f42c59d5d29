//! The support forms on the customer 360 (agents, supervisors, admins): plain HTML
//! forms posting to the server functions, so they work before the WASM loads. Each
//! is offered only when it applies (unlock when locked, a code before enrollment,
//! the reset when a second factor is on); the server checks again.
use crate::api::console::CustomerProfile;
use crate::api::console::{
    IdentityCheck, StaffNoteCall, StaffResendEnrollment, StaffResetSecondFactor, StaffUnlockCredential, MAX_NOTE,
};
use crate::components::form::{action_error, FormError};
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// The page's support actions; their versions reload the page's data.
#[derive(Clone, Copy)]
pub struct SupportActions {
    pub unlock: ServerAction<StaffUnlockCredential>,
    pub resend: ServerAction<StaffResendEnrollment>,
    pub reset: ServerAction<StaffResetSecondFactor>,
    pub note: ServerAction<StaffNoteCall>,
}

impl SupportActions {
    pub fn new() -> SupportActions {
        SupportActions {
            unlock: ServerAction::new(),
            resend: ServerAction::new(),
            reset: ServerAction::new(),
            note: ServerAction::new(),
        }
    }

    /// Changes whenever one of them completes.
    pub fn version(&self) -> usize {
        self.unlock.version().get()
            + self.resend.version().get()
            + self.reset.version().get()
            + self.note.version().get()
    }
}

impl Default for SupportActions {
    fn default() -> Self {
        SupportActions::new()
    }
}

/// An error of a support form: a few refusals have a message of their own.
fn error_key(e: &AppError) -> Key {
    match e.field.as_deref() {
        Some("not_locked") => Key::ConsoleErrorNotLocked,
        Some("not_enrolled") => Key::ConsoleErrorNotEnrolled,
        Some("no_second_factor") => Key::ConsoleErrorNoSecondFactor,
        Some("id_tail") => Key::ConsoleErrorIdTail,
        Some("method") => Key::ConsoleErrorMethod,
        _ if e.code == crate::error::ErrorCode::NoMatch => Key::ConsoleErrorNoMatch,
        _ => e.code.message_key(),
    }
}

#[component]
fn SupportError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{t(error_key(&e))}</p> })
}

#[component]
pub fn SupportPanel(profile: CustomerProfile, actions: SupportActions) -> impl IntoView {
    let no = profile.customer_no.clone();
    let (no_unlock, no_resend, no_reset) = (no.clone(), no.clone(), no);
    view! {
        <section class="panel console-support" id="support" aria-labelledby="console-support-title">
            <h2 id="console-support-title">{t(Key::ConsoleSupportTitle)}</h2>
            <p class="console-meta">{t(Key::ConsoleSupportLead)}</p>
            <div class="console-actions">
                {profile
                    .locked_until
                    .is_some()
                    .then(|| {
                        view! {
                            <ActionForm action=actions.unlock attr:class="console-action">
                                <input type="hidden" name="customer_no" value=no_unlock />
                                <p>{t(Key::ConsoleUnlockLead)}</p>
                                <SupportError error=action_error(actions.unlock) />
                                <button class="button" type="submit">{t(Key::ConsoleUnlockSubmit)}</button>
                            </ActionForm>
                        }
                    })}
                {(!profile.enrolled)
                    .then(|| {
                        view! {
                            <ActionForm action=actions.resend attr:class="console-action">
                                <input type="hidden" name="customer_no" value=no_resend />
                                <p>{t(Key::ConsoleResendLead)}" "{profile.phone_masked.clone()}</p>
                                <SupportError error=action_error(actions.resend) />
                                <button class="button" type="submit">{t(Key::ConsoleResendSubmit)}</button>
                            </ActionForm>
                        }
                    })}
                {profile
                    .second_factor
                    .then(|| {
                        view! {
                            <ActionForm action=actions.reset attr:class="console-action adv-form">
                                <input type="hidden" name="customer_no" value=no_reset />
                                <h3>{t(Key::ConsoleResetTitle)}</h3>
                                <p>{t(Key::ConsoleResetLead)}</p>
                                <div class="field">
                                    <label for="console-method">{t(Key::ConsoleResetMethod)}</label>
                                    <select id="console-method" name="method" required=true>
                                        <option value="">{t(Key::ConsoleResetChoose)}</option>
                                        {IdentityCheck::ALL
                                            .iter()
                                            .map(|m| view! { <option value=m.as_str()>{t(m.label())}</option> })
                                            .collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="console-id-tail">{t(Key::ConsoleResetIdTail)}</label>
                                    <input
                                        id="console-id-tail"
                                        name="id_tail"
                                        type="text"
                                        required=true
                                        minlength="6"
                                        maxlength="6"
                                        autocomplete="off"
                                        aria-describedby="console-id-tail-hint"
                                    />
                                    <p class="hint" id="console-id-tail-hint">{t(Key::ConsoleResetIdTailHint)}</p>
                                </div>
                                <SupportError error=action_error(actions.reset) />
                                <button class="button" type="submit">{t(Key::ConsoleResetSubmit)}</button>
                            </ActionForm>
                        }
                    })}
                {(profile.locked_until.is_none() && profile.enrolled && !profile.second_factor)
                    .then(|| view! { <p class="console-empty">{t(Key::ConsoleNothingToDo)}</p> })}
            </div>
        </section>
    }
}

/// The call-note form under the notes.
#[component]
pub fn NoteForm(customer_no: String, action: ServerAction<StaffNoteCall>) -> impl IntoView {
    let error = action_error(action);
    let max = MAX_NOTE.to_string();
    view! {
        <ActionForm action attr:class="adv-form console-note-form">
            <input type="hidden" name="customer_no" value=customer_no />
            <div class="field">
                <label for="console-note">{t(Key::ConsoleNoteLabel)}</label>
                <textarea id="console-note" name="body" rows="4" maxlength=max required=true></textarea>
            </div>
            <FormError error />
            <button class="button" type="submit">{t(Key::ConsoleNoteSubmit)}</button>
        </ActionForm>
    }
}
