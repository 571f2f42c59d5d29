//! Activating online banking: who you are, the code from your phone, your log-in.
use crate::api::identity::{enrollment_status, FinishEnrollment, StartEnrollment};
use crate::components::form::{action_error, Field, FormError};
use crate::components::identify::{CodeSentNotice, IdentifyFields};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

#[component]
pub fn EnrollPage() -> impl IntoView {
    let action = ServerAction::<StartEnrollment>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="enroll-title">
            <h1 id="enroll-title">{t(Key::EnrollTitle)}</h1>
            <p>{t(Key::EnrollLead)}</p>
            <ActionForm action>
                <IdentifyFields />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::EnrollSendCode)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn EnrollVerifyPage() -> impl IntoView {
    let status = Resource::new_blocking(|| (), |_| enrollment_status());
    let action = ServerAction::<FinishEnrollment>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="enroll-verify-title">
            <h1 id="enroll-verify-title">{t(Key::EnrollVerifyTitle)}</h1>
            <CodeSentNotice status restart_href="/enroll" restart_label=Key::EnrollLink />
            <ActionForm action>
                <Field
                    id="code"
                    label=Key::FieldSmsCode
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    maxlength=6
                />
                <Field
                    id="username"
                    label=Key::FieldNewUsername
                    autocomplete="username"
                    hint=Key::FieldUsernameHint
                    minlength=4
                    maxlength=32
                />
                <Field
                    id="password"
                    label=Key::FieldNewPassword
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::FieldPasswordHint
                    minlength=12
                    maxlength=128
                />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::EnrollFinish)}</button>
            </ActionForm>
        </section>
    }
}
