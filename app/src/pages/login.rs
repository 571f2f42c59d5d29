//! Customer log-in: password, then the authenticator code when one is set up.
use crate::api::identity::{Login, VerifySecondFactor};
use crate::components::form::{action_error, Field, FormError};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let error = action_error(action);
    let (enrolled, reset) = use_query_map().with_untracked(|q| (q.get("enrolled").is_some(), q.get("reset").is_some()));
    view! {
        <section class="form-page" aria-labelledby="login-title">
            <h1 id="login-title">{t(Key::LoginTitle)}</h1>
            {enrolled.then(|| view! { <p class="success" role="status">{t(Key::EnrolledNowLogin)}</p> })}
            {reset.then(|| view! { <p class="success" role="status">{t(Key::ResetNowLogin)}</p> })}
            <ActionForm action>
                <Field id="username" label=Key::FieldUsername autocomplete="username" />
                <Field id="password" label=Key::FieldPassword kind="password" autocomplete="current-password" />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::LoginSubmit)}</button>
            </ActionForm>
            <p><a href="/forgot">{t(Key::ForgotLink)}</a></p>
            <p>{t(Key::NoOnlineBankingYet)}" "<a href="/enroll">{t(Key::EnrollLink)}</a></p>
        </section>
    }
}

/// The second step, shared by customers (`/login/verify`) and staff (`/staff/verify`).
#[component]
pub fn VerifyPage() -> impl IntoView {
    let action = ServerAction::<VerifySecondFactor>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="verify-title">
            <h1 id="verify-title">{t(Key::VerifyTitle)}</h1>
            <p>{t(Key::VerifyLead)}</p>
            <p class="small">{t(Key::VerifyRecoveryHint)}</p>
            <ActionForm action>
                <Field
                    id="code"
                    label=Key::FieldTotpCode
                    autocomplete="one-time-code"
                    inputmode="numeric"
                    maxlength=7
                />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::VerifySubmit)}</button>
            </ActionForm>
        </section>
    }
}
