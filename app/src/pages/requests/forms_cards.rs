//! The card forms: report lost or stolen (the card is frozen at once), freeze,
//! unfreeze. Each offers only the cards it can act on.
use super::new::text_box;
use super::{card_status_label, FieldError};
use crate::api::requests::{CardChoice, RequestForm, MAX_BODY};
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use crate::types::RequestKind;
use leptos::prelude::*;

/// The fields of a card form and the names they cover.
pub(super) fn card_fields(form: RequestForm, error: Signal<Option<AppError>>) -> (AnyView, &'static [&'static str]) {
    let kind = form.kind;
    let usable: Vec<CardChoice> = form
        .cards
        .into_iter()
        .filter(|c| match kind {
            RequestKind::CardLost => c.status == "active" || c.status == "frozen",
            RequestKind::CardFreeze => c.status == "active",
            _ => c.status == "frozen",
        })
        .collect();
    let lead = match kind {
        RequestKind::CardLost => Key::SrqCardLostLead,
        RequestKind::CardFreeze => Key::SrqFreezeLead,
        _ => Key::SrqUnfreezeLead,
    };
    let view = view! {
        <p class="sr-lead" class:sr-warning=kind == RequestKind::CardLost>{t(lead)}</p>
        {usable.is_empty().then(|| view! { <p class="sr-empty">{t(Key::SrqNoCards)}</p> })}
        <div class="field">
            <label for="sr-card_id">{t(Key::SrqCard)}</label>
            <select id="sr-card_id" name="card_id" required=true>
                {usable
                    .into_iter()
                    .map(|c| {
                        let kind = if c.kind == "credit" { Key::SrqCardCredit } else { Key::SrqCardDebit };
                        view! {
                            <option value=c.id.to_string()>
                                {t(kind)}
                                " "
                                {c.masked}
                                " ("
                                {t(card_status_label(&c.status))}
                                ")"
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldError error field="card_id" />
        </div>
        {(kind == RequestKind::CardLost)
            .then(|| {
                view! {
                    <div class="field sr-check">
                        <input id="sr-stolen" type="checkbox" name="stolen" value="true" />
                        <label for="sr-stolen">{t(Key::SrqStolen)}</label>
                    </div>
                    <div class="field sr-check">
                        <input id="sr-replacement" type="checkbox" name="replacement" value="true" checked=true />
                        <label for="sr-replacement">{t(Key::SrqReplacement)}</label>
                    </div>
                    {text_box("body", Key::SrqBodyOptional, Key::SrqBodyHint, MAX_BODY, false, error)}
                }
            })}
    };
    (view.into_any(), &["card_id", "body"])
}
