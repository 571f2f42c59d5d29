//! Forgot password: who you are, then the code from your phone and a new password.
use crate::api::identity::{reset_status, FinishReset, StartReset};
use crate::components::form::{action_error, Field, FormError};
use crate::components::identify::{CodeSentNotice, IdentifyFields};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<StartReset>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{t(Key::ForgotTitle)}</h1>
            <p>{t(Key::ForgotLead)}</p>
            <ActionForm action>
                <IdentifyFields />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::EnrollSendCode)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ForgotVerifyPage() -> impl IntoView {
    let status = Resource::new_blocking(|| (), |_| reset_status());
    let action = ServerAction::<FinishReset>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="forgot-verify-title">
            <h1 id="forgot-verify-title">{t(Key::ForgotVerifyTitle)}</h1>
            <CodeSentNotice status restart_href="/forgot" restart_label=Key::ForgotTitle />
            <ActionForm action>
                <Field id="code" label=Key::FieldSmsCode autocomplete="one-time-code" inputmode="numeric" maxlength=6 />
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
                <button class="button primary" type="submit">{t(Key::ForgotFinish)}</button>
            </ActionForm>
        </section>
    }
}
