//! Security settings: the second factor, active sessions, recent security events.
use crate::api::identity::{
    authenticator_panel, my_security_events, my_sessions, BeginTotpSetup, ChangePassword, ConfirmTotpSetup,
    EndOtherSessions, EndSession, RecoveryCodesSaved, StepUp,
};
use crate::components::form::{action_error, Field, FormError};
use crate::i18n::{use_i18n, Key};
use crate::t;
use crate::types::TotpPanel;
use leptos::prelude::*;

#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <section class="form-page wide" aria-labelledby="security-title">
            <h1 id="security-title">{t(Key::SecurityTitle)}</h1>
            {leptos_router::hooks::use_query_map()
                .with_untracked(|q| q.get("changed").is_some())
                .then(|| view! { <p class="success" role="status">{t(Key::PasswordChangedNotice)}</p> })}
            <TotpSetupPanel />
            <PasswordPanel />
            <SessionsPanel />
            <crate::pages::impersonation::StaffAccessSection />
            <crate::pages::recommend::MarketingSection />
            <EventsPanel />
        </section>
    }
}

/// Set-up of the authenticator app; also the staff's `/staff/setup` page.
#[component]
pub fn TotpSetupPanel() -> impl IntoView {
    let begin = ServerAction::<BeginTotpSetup>::new();
    let confirm = ServerAction::<ConfirmTotpSetup>::new();
    let saved = ServerAction::<RecoveryCodesSaved>::new();
    let panel = Resource::new_blocking(
        move || (begin.version().get(), confirm.version().get(), saved.version().get()),
        |_| authenticator_panel(),
    );
    let begin_error = action_error(begin);
    let confirm_error = action_error(confirm);
    view! {
        <section class="panel" aria-labelledby="totp-title">
            <h2 id="totp-title">{t(Key::TotpTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    let state = match panel.get() {
                        Some(Ok(state)) => state,
                        Some(Err(e)) => {
                            return view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any();
                        }
                        None => return ().into_any(),
                    };
                    match state {
                        TotpPanel::RecoveryCodes(codes) => {
                            view! {
                                <p>{t(Key::RecoveryCodesLead)}</p>
                                <ol class="recovery-codes">
                                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                                </ol>
                                <ActionForm action=saved>
                                    <button class="button primary" type="submit">{t(Key::RecoveryCodesSaved)}</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        TotpPanel::Pending(setup) => {
                            view! {
                                <p>{t(Key::TotpScanLead)}</p>
                                <div class="qr" inner_html=setup.qr_svg></div>
                                <p>{t(Key::TotpTypeInstead)}</p>
                                <p><code class="secret" data-testid="totp-secret">{setup.secret}</code></p>
                                <ActionForm action=confirm>
                                    <Field
                                        id="code"
                                        label=Key::FieldTotpCode
                                        autocomplete="one-time-code"
                                        inputmode="numeric"
                                        maxlength=7
                                    />
                                    <FormError error=confirm_error />
                                    <button class="button primary" type="submit">{t(Key::TotpConfirm)}</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        TotpPanel::On => {
                            view! {
                                <p class="success" role="status">{t(Key::TotpIsOn)}</p>
                                <ActionForm action=begin>
                                    <FormError error=begin_error />
                                    <button class="button" type="submit">{t(Key::TotpReplace)}</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        TotpPanel::Off => {
                            view! {
                                <p>{t(Key::TotpLead)}</p>
                                <ActionForm action=begin>
                                    <FormError error=begin_error />
                                    <button class="button" type="submit">{t(Key::TotpStart)}</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                    }
                }}
            </Suspense>
        </section>
    }
}

/// Change of password: confirm with the authenticator (step-up), then the current
/// and the new password.
#[component]
fn PasswordPanel() -> impl IntoView {
    let step_up = ServerAction::<StepUp>::new();
    let change = ServerAction::<ChangePassword>::new();
    let step_up_error = action_error(step_up);
    let change_error = action_error(change);
    let confirmed = move || matches!(step_up.value().get(), Some(Ok(())));
    view! {
        <section class="panel" aria-labelledby="password-title">
            <h2 id="password-title">{t(Key::PasswordTitle)}</h2>
            <p class="small">{t(Key::PasswordStepUpLead)}</p>
            <ActionForm action=step_up>
                <Field id="step_up_code" label=Key::FieldTotpCode autocomplete="one-time-code" inputmode="numeric" maxlength=7 />
                <FormError error=step_up_error />
                {move || confirmed().then(|| view! { <p class="success" role="status">{t(Key::StepUpDone)}</p> })}
                <button class="button" type="submit">{t(Key::VerifySubmit)}</button>
            </ActionForm>
            <ActionForm action=change>
                <Field id="current_password" label=Key::FieldCurrentPassword kind="password" autocomplete="current-password" />
                <Field
                    id="new_password"
                    label=Key::FieldNewPassword
                    kind="password"
                    autocomplete="new-password"
                    hint=Key::FieldPasswordHint
                    minlength=12
                    maxlength=128
                />
                <FormError error=change_error />
                <button class="button primary" type="submit">{t(Key::PasswordChangeSubmit)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SessionsPanel() -> impl IntoView {
    let end_one = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions =
        Resource::new_blocking(move || (end_one.version().get(), end_others.version().get()), |_| my_sessions());
    view! {
        <section class="panel" aria-labelledby="sessions-title">
            <h2 id="sessions-title">{t(Key::SessionsTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    sessions
                        .get()
                        .map(|list| match list {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <ul class="session-list" role="list">
                                        {list
                                            .into_iter()
                                            .map(|s| {
                                                view! {
                                                    <li class="session" data-current=s.current.to_string()>
                                                        <p>
                                                            <strong>{s.browser}</strong>
                                                            {s.current.then(|| view! { " · "<span class="this-device">{t(Key::SessionThisOne)}</span> })}
                                                        </p>
                                                        <p class="small">
                                                            {t(Key::SessionOrigin)}{s.origin}" · "{t(Key::SessionLastSeen)}
                                                            {s.last_seen_local}
                                                        </p>
                                                        {(!s.current)
                                                            .then(|| {
                                                                view! {
                                                                    <ActionForm action=end_one>
                                                                        <input type="hidden" name="handle" value=s.handle />
                                                                        <button class="button" type="submit">{t(Key::SessionEnd)}</button>
                                                                    </ActionForm>
                                                                }
                                                            })}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <ActionForm action=end_others>
                <button class="button" type="submit">{t(Key::SessionEndOthers)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn EventsPanel() -> impl IntoView {
    let events = Resource::new_blocking(|| (), |_| my_security_events());
    let i18n = use_i18n();
    view! {
        <section class="panel" aria-labelledby="events-title">
            <h2 id="events-title">{t(Key::EventsTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    events
                        .get()
                        .map(|list| match list {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <ul class="event-list" role="list">
                                        {list
                                            .into_iter()
                                            .map(|e| {
                                                let name = e.event.clone();
                                                view! {
                                                    <li>
                                                        {e.at_local}" · "
                                                        {move || crate::i18n::event_name(i18n.locale(), &name)}
                                                        " · "{e.origin}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
