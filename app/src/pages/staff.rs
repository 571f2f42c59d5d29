//! The staff entrance: log-in with staff number and password, the mandatory second
//! factor (set up on first log-in), and the console home.
use crate::api::identity::{current_user, StaffLogin};
use crate::components::form::{action_error, Field, FormError};
use crate::i18n::Key;
use crate::t;
use crate::types::Principal;
use leptos::prelude::*;

#[component]
pub fn StaffLoginPage() -> impl IntoView {
    let action = ServerAction::<StaffLogin>::new();
    let error = action_error(action);
    view! {
        <section class="form-page" aria-labelledby="staff-login-title">
            <h1 id="staff-login-title">{t(Key::StaffLoginTitle)}</h1>
            <ActionForm action>
                <Field id="username" label=Key::FieldStaffNo autocomplete="username" />
                <Field id="password" label=Key::FieldPassword kind="password" autocomplete="current-password" />
                <FormError error />
                <button class="button primary" type="submit">{t(Key::LoginSubmit)}</button>
            </ActionForm>
        </section>
    }
}

/// First log-in of a staff member: the second factor is mandatory.
#[component]
pub fn StaffSetupPage() -> impl IntoView {
    view! {
        <section class="form-page" aria-labelledby="staff-setup-title">
            <h1 id="staff-setup-title">{t(Key::StaffSetupTitle)}</h1>
            <p>{t(Key::StaffSetupLead)}</p>
            <super::security::TotpSetupPanel />
        </section>
    }
}

#[component]
pub fn StaffHomePage() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| current_user());
    view! {
        <section class="form-page" aria-labelledby="staff-home-title">
            <h1 id="staff-home-title">{t(Key::StaffHomeTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    me.get()
                        .map(|me| match me {
                            Ok(Some(me)) if matches!(me.principal, Principal::Staff { .. }) => {
                                let role = match me.principal {
                                    Principal::Staff { role, .. } => role.as_str(),
                                    Principal::Customer { .. } => "",
                                };
                                view! {
                                    <p>{t(Key::SignedInAs)}<strong>{me.display_name}</strong>" ("{role}")"</p>
                                    {(role != "agent")
                                        .then(|| {
                                            view! {
                                                <p>
                                                    <a class="button" href="/staff/calendar">{t(Key::AdvHomeCalendar)}</a>
                                                </p>
                                            }
                                        })}
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <p class="error" role="alert">
                                        {t(Key::ErrorUnauthenticated)}" "<a href="/staff">{t(Key::LoginStaff)}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <super::inquiries::StaffHomeInquiries />
        </section>
    }
}
