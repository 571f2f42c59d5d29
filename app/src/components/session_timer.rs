//! The idle warning: a minute before the session would end, a dialog offers to
//! stay signed in. Browser only (it needs a timer); without the WASM the server's
//! expiry still applies and the next page says why.
use crate::api::identity::KeepAlive;
use crate::i18n::Key;
use crate::t;
use leptos::prelude::*;

/// Seconds before expiry at which the warning shows.
#[cfg(feature = "hydrate")]
const WARN_BEFORE_SECONDS: i64 = 60;

#[component]
pub fn SessionTimer(seconds_left: i64) -> impl IntoView {
    let warning = RwSignal::new(false);
    let keep_alive = ServerAction::<KeepAlive>::new();
    let stay = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    {
        use std::time::Duration;
        let schedule = move |seconds: i64| {
            let delay = Duration::from_secs(u64::try_from(seconds - WARN_BEFORE_SECONDS).unwrap_or(0));
            set_timeout(move || warning.set(true), delay);
        };
        schedule(seconds_left);
        // Move focus to the dialog when it appears, so keyboard and screen-reader
        // users meet it at once.
        Effect::new(move |_| {
            if let (true, Some(button)) = (warning.get(), stay.get()) {
                let _ = button.focus();
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(seconds)) = keep_alive.value().get() {
                warning.set(false);
                schedule(seconds);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seconds_left;
    view! {
        <Show when=move || warning.get()>
            <div class="session-warning" role="alertdialog" aria-labelledby="session-warning-text">
                <p id="session-warning-text">{t(Key::SessionWarning)}</p>
                <ActionForm action=keep_alive>
                    <button class="button primary" type="submit" node_ref=stay>{t(Key::SessionStay)}</button>
                </ActionForm>
            </div>
        </Show>
    }
}
