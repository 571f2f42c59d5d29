//! "View as customer" on the page: the banner every page shows while it runs, the
//! start form on the customer's console page, and the history tables (the
//! customer's security page, the console).
use crate::api::impersonation::{
    impersonation_form, my_staff_access, ImpersonationStart, ImpersonationStop, SetStaffView,
};
use crate::components::form::{action_error, Field, FormError};
use crate::i18n::Key;
use crate::t;
use crate::types::{ImpersonationBanner, StaffAccess};
use leptos::prelude::*;

/// Whom the staff member is viewing as, in which mode, until when; and the way
/// out. Minutes left count down in the browser once the WASM runs.
#[component]
pub fn ViewingBanner(banner: ImpersonationBanner) -> impl IntoView {
    let stop = ServerAction::<ImpersonationStop>::new();
    let seconds = RwSignal::new(banner.seconds_left);
    #[cfg(feature = "hydrate")]
    {
        let tick = set_interval_with_handle(
            move || seconds.update(|s| *s = (*s - 15).max(0)),
            std::time::Duration::from_secs(15),
        );
        if let Ok(handle) = tick {
            on_cleanup(move || handle.clear());
        }
    }
    let minutes = move || (seconds.get() + 59) / 60;
    view! {
        <div class="impersonation-banner" role="status" aria-live="polite" data-mode=banner.mode.as_str()>
            <p>
                <strong>{t(Key::ImpersonationBannerLabel)}</strong>
                " · "
                {t(Key::ImpersonationBannerViewing)}
                " "
                <span class="who-viewed">{banner.customer_name}" ("{banner.customer_no}")"</span>
                " · "
                {t(banner.mode.label())}
            </p>
            <p>
                <span class="minutes-left" data-seconds=move || seconds.get().to_string()>{minutes}</span>
                " "
                {t(Key::ImpersonationBannerLeft)}
                " · "
                {t(Key::ImpersonationBannerEnds)}
                " "
                {banner.ends_local}
                " · "
                {banner.reference}
            </p>
            <ActionForm action=stop attr:class="impersonation-stop">
                <button class="button" type="submit">{t(Key::ImpersonationStop)}</button>
            </ActionForm>
        </div>
    }
}

/// The start form for one customer: reason, ticket, the staff member's own fresh
/// authenticator code, and this session's anti-forgery token. When the rules say
/// no already (opted out, locked, already viewing), it says why instead.
#[component]
pub fn StartViewing(customer_no: String) -> impl IntoView {
    let start = ServerAction::<ImpersonationStart>::new();
    let error = action_error(start);
    let form = Resource::new_blocking(move || customer_no.clone(), impersonation_form);
    view! {
        <section class="panel start-viewing" aria-labelledby="start-viewing-title">
            <h2 id="start-viewing-title">{t(Key::ImpersonationStartTitle)}</h2>
            <Suspense fallback=|| ()>
                {move || {
                    form.get()
                        .map(|loaded| match loaded {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(data) => match data.refusal {
                                Some(code) => {
                                    view! { <p class="notice refusal" data-code=format!("{code:?}")>{t(code.message_key())}</p> }
                                        .into_any()
                                }
                                None => {
                                    view! {
                                        <p>{t(Key::ImpersonationStartIntro)}</p>
                                        <ActionForm action=start>
                                            <input type="hidden" name="customer_no" value=data.customer_no />
                                            <input type="hidden" name="csrf" value=data.csrf />
                                            <div class="field">
                                                <label for="reason">{t(Key::ImpersonationReason)}</label>
                                                <textarea
                                                    id="reason"
                                                    name="reason"
                                                    required=true
                                                    minlength=5
                                                    maxlength=500
                                                    rows=3
                                                    aria-describedby="reason-hint"
                                                ></textarea>
                                                <p class="hint" id="reason-hint">{t(Key::ImpersonationReasonHint)}</p>
                                            </div>
                                            <Field
                                                id="reference"
                                                label=Key::ImpersonationReference
                                                hint=Key::ImpersonationReferenceHint
                                                maxlength=40
                                            />
                                            <Field
                                                id="code"
                                                label=Key::ImpersonationCode
                                                hint=Key::ImpersonationCodeHint
                                                autocomplete="one-time-code"
                                                inputmode="numeric"
                                                maxlength=7
                                            />
                                            <FormError error />
                                            <button class="button primary" type="submit">{t(Key::ImpersonationStart)}</button>
                                        </ActionForm>
                                    }
                                        .into_any()
                                }
                            },
                        })
                }}
            </Suspense>
        </section>
    }
}

/// Viewings of an account, newest first: who, when, how long, why.
#[component]
pub fn StaffAccessTable(items: Vec<StaffAccess>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">{t(Key::SecurityStaffAccessNone)}</p> }.into_any();
    }
    view! {
        <ul class="staff-access-list" role="list">
            {items
                .into_iter()
                .map(|access| {
                    let minutes = access.minutes();
                    view! {
                        <li class="staff-access" data-running=access.running.to_string()>
                            <p class="who">
                                {access.staff_name}" ("{access.staff_no}")"
                                {access.running.then(|| view! { " · "<strong>{t(Key::SecurityStaffAccessRunning)}</strong> })}
                            </p>
                            <dl class="facts">
                                <dt>{t(Key::SecurityStaffAccessWhen)}</dt>
                                <dd>{access.started_local}</dd>
                                <dt>{t(Key::SecurityStaffAccessMinutes)}</dt>
                                <dd>
                                    {if access.running {
                                        t(Key::SecurityStaffAccessRunning).into_any()
                                    } else {
                                        minutes.into_any()
                                    }}
                                </dd>
                                <dt>{t(Key::SecurityStaffAccessWhy)}</dt>
                                <dd>{access.reason}" · "{access.reference}</dd>
                            </dl>
                            {access.end_reason.map(|reason| view! { <p class="small">{t(reason.label())}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
        .into_any()
}

/// The customer's security-page section: the setting, and every viewing.
#[component]
pub fn StaffAccessSection() -> impl IntoView {
    let set = ServerAction::<SetStaffView>::new();
    let error = action_error(set);
    let panel = Resource::new_blocking(move || set.version().get(), |_| my_staff_access());
    view! {
        <section class="panel" id="staff-access" aria-labelledby="staff-access-title">
            <h2 id="staff-access-title">{t(Key::SecurityStaffViewTitle)}</h2>
            <p>{t(Key::SecurityStaffViewIntro)}</p>
            <Suspense fallback=|| ()>
                {move || {
                    panel.get()
                        .map(|loaded| match loaded {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(data) => {
                                let (state, button, value) = if data.allowed {
                                    (Key::SecurityStaffViewOn, Key::SecurityStaffViewTurnOff, "0")
                                } else {
                                    (Key::SecurityStaffViewOff, Key::SecurityStaffViewTurnOn, "1")
                                };
                                view! {
                                    <ActionForm action=set attr:class="staff-view-setting">
                                        <p data-allowed=data.allowed.to_string()><strong>{t(state)}</strong></p>
                                        <input type="hidden" name="allow" value=value />
                                        <FormError error />
                                        <button class="button" type="submit">{t(button)}</button>
                                    </ActionForm>
                                    <h3>{t(Key::SecurityStaffAccessTitle)}</h3>
                                    <StaffAccessTable items=data.accesses />
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
