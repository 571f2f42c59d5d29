//! Forgot password: who you are, then the code from your phone and a new password.
use crate::api::identity::{reset_status, FinishReset, StartReset};
use crate::components::form::{url_error, Field, FormError};
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn ForgotPage() -> impl IntoView {
    let action = ServerAction::<StartReset>::new();
    let error =
        Signal::derive(move || action.value().get().and_then(Result::err).or_else(|| url_error(StartReset::PATH)));
    view! {
        <section class="form-page" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{t(Key::ForgotTitle)}</h1>
            <p>{t(Key::ForgotLead)}</p>
            <ActionForm action>
                <Field id="customer_no" label=Key::FieldCustomerNo autocomplete="off" hint=Key::FieldCustomerNoHint />
                <Field id="id_tail" label=Key::FieldIdTail autocomplete="off" maxlength=6 hint=Key::FieldIdTailHint />
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
    let error =
        Signal::derive(move || action.value().get().and_then(Result::err).or_else(|| url_error(FinishReset::PATH)));
    view! {
        <section class="form-page" aria-labelledby="forgot-verify-title">
            <h1 id="forgot-verify-title">{t(Key::ForgotVerifyTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    status
                        .get()
                        .map(|s| match s {
                            Ok(Some(phone)) => {
                                view! { <p>{t(Key::EnrollCodeSentTo)}" "<strong>{phone}</strong></p> }.into_any()
                            }
                            _ => {
                                view! {
                                    <p class="error" role="alert">
                                        {t(Key::EnrollStartAgain)}" "<a href="/forgot">{t(Key::ForgotTitle)}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
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
