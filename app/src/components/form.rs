//! Form pieces shared by every page: translated error messages that work with and
//! without the WASM, and labelled fields.
use crate::error::AppError;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The error a server function left in the URL after a plain (no-WASM) form post:
/// Leptos redirects back with `__path` and `__err`.
pub fn url_error(fn_path: &'static str) -> Option<AppError> {
    let query = use_query_map();
    query.with_untracked(|q| {
        let path = q.get("__path")?;
        if path != fn_path {
            return None;
        }
        let err = q.get("__err")?;
        Some(server_fn::error::ServerFnUrlError::<AppError>::decode_err(&err))
    })
}

/// The error of a server action, from its last call (with the WASM) or from the
/// URL after a plain form post (without it).
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: server_fn::ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + Clone + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err).or_else(|| url_error(S::PATH)))
}

/// The translated message for an action's error, if any.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! {
                <p class="error" role="alert">
                    {t(e.code.message_key())}
                </p>
            }
        })
    }
}

/// A labelled input. `hint` is read out with the field (aria-describedby).
#[component]
pub fn Field(
    id: &'static str,
    label: crate::i18n::Key,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] hint: Option<crate::i18n::Key>,
    #[prop(optional)] minlength: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id>{t(label)}</label>
            <input
                id=id
                name=id
                type=kind
                required=true
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                minlength=minlength
                maxlength=maxlength
                aria-describedby=described
            />
            {hint.map(|key| view! { <p class="hint" id=hint_id>{t(key)}</p> })}
        </div>
    }
}
