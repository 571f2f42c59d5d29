//! The steps enrollment and password reset share: who you are, and where the code went.
use super::form::Field;
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// Customer number and ID-number tail: the first step of enrollment and of a reset.
#[component]
pub fn IdentifyFields() -> impl IntoView {
    view! {
        <Field id="customer_no" label=Key::FieldCustomerNo autocomplete="off" hint=Key::FieldCustomerNoHint />
        <Field id="id_tail" label=Key::FieldIdTail autocomplete="off" maxlength=6 hint=Key::FieldIdTailHint />
    }
}

/// "We sent a code to 138****5678", or, when nothing is under way (expired, or the
/// page opened directly), the way back to the first step.
#[component]
pub fn CodeSentNotice(
    status: Resource<Result<Option<String>, AppError>>,
    restart_href: &'static str,
    restart_label: Key,
) -> impl IntoView {
    view! {
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
                                    {t(Key::EnrollStartAgain)}" "<a href=restart_href>{t(restart_label)}</a>
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}
