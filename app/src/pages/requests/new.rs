//! Choosing what to ask for, then that kind's short form. The server makes the
//! idempotency key into the form, so a double-click or a resent form files one
//! request; a successful post lands on the new request's page.
use super::{forms_account, forms_cards, forms_other, FieldError, LoadError, OtherError};
use crate::api::requests::{request_form_data, RequestForm, SubmitRequest};
use crate::components::form::action_error;
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use crate::types::RequestKind;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The kinds, grouped as a customer looks for them.
const GROUPS: [(Key, &[RequestKind]); 3] = [
    (Key::SrqGroupCards, &[RequestKind::CardLost, RequestKind::CardFreeze, RequestKind::CardUnfreeze]),
    (
        Key::SrqGroupAccount,
        &[
            RequestKind::Certificate,
            RequestKind::Statement,
            RequestKind::Reactivate,
            RequestKind::AccountClose,
            RequestKind::ContactChange,
        ],
    ),
    (Key::SrqGroupOther, &[RequestKind::Complaint, RequestKind::Dispute, RequestKind::General]),
];

#[component]
pub fn NewRequestPage() -> impl IntoView {
    view! {
        <section class="form-page sr" aria-labelledby="sr-new-title">
            <h1 id="sr-new-title">{t(Key::SrqNewTitle)}</h1>
            <p>{t(Key::SrqNewLead)}</p>
            {GROUPS
                .iter()
                .map(|(group, kinds)| {
                    view! {
                        <h2 class="sr-group">{t(*group)}</h2>
                        <ul class="sr-kinds" role="list">
                            {kinds
                                .iter()
                                .map(|kind| {
                                    view! {
                                        <li>
                                            <a class="sr-kind" href=format!("/requests/new/{}", kind.as_str())>
                                                {t(kind.label())}
                                            </a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })
                .collect_view()}
            <p>
                <a href="/requests">{t(Key::SrqBackToList)}</a>
            </p>
        </section>
    }
}

#[component]
pub fn NewRequestFormPage() -> impl IntoView {
    let params = use_params_map();
    let kind = Memo::new(move |_| params.with(|p| p.get("kind").unwrap_or_default()));
    let form = Resource::new_blocking(move || kind.get(), request_form_data);
    let submit = ServerAction::<SubmitRequest>::new();
    let error = action_error(submit);
    view! {
        <section class="form-page sr" aria-labelledby="sr-form-title">
            <Suspense fallback=|| view! { <p>{t(Key::SrqLoading)}</p> }>
                {move || {
                    form.get()
                        .map(|answer| match answer {
                            Err(err) => {
                                view! {
                                    <h1 id="sr-form-title">{t(Key::SrqNewTitle)}</h1>
                                    <LoadError err />
                                }
                                    .into_any()
                            }
                            Ok(form) => {
                                let kind = form.kind;
                                view! {
                                    <h1 id="sr-form-title">{t(kind.label())}</h1>
                                    <ActionForm action=submit attr:class=format!("sr-form sr-form-{}", kind.as_str())>
                                        <input type="hidden" name="kind" value=kind.as_str() />
                                        <input type="hidden" name="key" value=form.key.clone() />
                                        {fields(form, error)}
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
            <p>
                <a href="/requests/new">{t(Key::SrqBackToKinds)}</a>
            </p>
        </section>
    }
}

/// The fields of the form's kind, then the other errors and the button.
fn fields(form: RequestForm, error: Signal<Option<AppError>>) -> AnyView {
    let (fields, names): (AnyView, &'static [&'static str]) = match form.kind {
        RequestKind::CardLost | RequestKind::CardFreeze | RequestKind::CardUnfreeze => {
            forms_cards::card_fields(form, error)
        }
        RequestKind::Certificate | RequestKind::Statement | RequestKind::Reactivate | RequestKind::AccountClose => {
            forms_account::account_fields(form, error)
        }
        RequestKind::ContactChange => forms_account::contact_fields(form, error),
        RequestKind::Complaint | RequestKind::Dispute | RequestKind::General => forms_other::other_fields(form, error),
    };
    view! {
        {fields}
        <OtherError error fields=names />
        <button class="button primary" type="submit">{t(Key::SrqSubmit)}</button>
    }
    .into_any()
}

/// A labelled text area named `name`, with its limit and its error.
pub(super) fn text_box(
    name: &'static str,
    label: Key,
    hint: Key,
    max: usize,
    required: bool,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("sr-{name}");
    let hint_id = format!("sr-{name}-hint");
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <textarea id=id name=name rows="4" required=required maxlength=max.to_string() aria-describedby=hint_id.clone()></textarea>
            <p class="hint" id=hint_id>{t(hint)}</p>
            <FieldError error field=name />
        </div>
    }
}

/// A labelled one-line input named `name`, with its limit and its error.
#[allow(clippy::too_many_arguments)]
pub(super) fn text_input(
    name: &'static str,
    label: Key,
    hint: Option<Key>,
    kind: &'static str,
    max: usize,
    required: bool,
    autocomplete: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("sr-{name}");
    let hint_id = format!("sr-{name}-hint");
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                required=required
                maxlength=max.to_string()
                autocomplete=autocomplete
                aria-describedby=hint.map(|_| hint_id.clone())
            />
            {hint.map(|key| view! { <p class="hint" id=hint_id>{t(key)}</p> })}
            <FieldError error field=name />
        </div>
    }
}
