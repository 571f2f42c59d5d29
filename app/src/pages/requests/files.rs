//! The "add a file" form of a request's page, customer's and staff's alike.
//!
//! A plain `multipart/form-data` form posted to the file route (not a server
//! function): it works the same with and without the WASM, and the route sends the
//! browser back here with `?file=ok` or `?file_error=<code>`, read below so the
//! outcome is said in the reader's language.
use crate::error::ErrorCode;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// What the file route said about the last upload, from the URL.
fn outcome() -> Option<Result<(), ErrorCode>> {
    use_query_map().with_untracked(|q| {
        if q.get("file").as_deref() == Some("ok") {
            return Some(Ok(()));
        }
        let code = q.get("file_error")?;
        Some(Err(serde_json::from_value(serde_json::Value::String(code)).unwrap_or(ErrorCode::BadRequest)))
    })
}

/// The upload form. `action` is the file route of this request
/// (`/requests/{reference}/files` or `/staff/requests/{reference}/files`).
#[component]
pub fn AttachForm(action: String) -> impl IntoView {
    let message = outcome().map(|result| match result {
        Ok(()) => view! { <p class="success" role="status">{t(Key::SrFileAttached)}</p> }.into_any(),
        Err(code) => view! { <p class="error" role="alert">{t(code.message_key())}</p> }.into_any(),
    });
    view! {
        <form class="sr-attach" method="post" enctype="multipart/form-data" action=action>
            <label for="sr-file">{t(Key::SrFileLabel)}</label>
            <p class="hint" id="sr-file-hint">{t(Key::SrFileHint)}</p>
            {message}
            <input
                id="sr-file"
                type="file"
                name="file"
                required=true
                accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
                aria-describedby="sr-file-hint"
            />
            <button type="submit" class="button">{t(Key::SrFileSend)}</button>
        </form>
    }
}

/// A file's size for people: "820 KB", "1.4 MB".
pub fn human_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}
