//! The complaint, dispute and general forms.
use super::new::{text_box, text_input};
use super::FieldError;
use crate::api::requests::{ComplaintCategory, RequestForm, MAX_BODY, MAX_SUBJECT, MAX_WANTED};
use crate::error::AppError;
use crate::i18n::Key;
use crate::t;
use crate::types::RequestKind;
use leptos::prelude::*;

/// The fields of a complaint, dispute or general form and the names they cover.
pub(super) fn other_fields(form: RequestForm, error: Signal<Option<AppError>>) -> (AnyView, &'static [&'static str]) {
    match form.kind {
        RequestKind::Complaint => (complaint(error).into_any(), &["category", "subject", "body", "wanted"]),
        RequestKind::Dispute => (dispute(form, error).into_any(), &["posting_id", "body"]),
        _ => (general(error).into_any(), &["subject", "body"]),
    }
}

fn complaint(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <p class="sr-lead">{t(Key::SrqComplaintLead)}</p>
        <div class="field">
            <label for="sr-category">{t(Key::SrqCategory)}</label>
            <select id="sr-category" name="category" required=true>
                {ComplaintCategory::ALL
                    .iter()
                    .map(|c| view! { <option value=c.as_str()>{t(c.label())}</option> })
                    .collect_view()}
            </select>
            <FieldError error field="category" />
        </div>
        {text_input("subject", Key::SrqSubject, Some(Key::SrqSubjectHint), "text", MAX_SUBJECT, true, "off", error)}
        {text_box("body", Key::SrqWhatHappened, Key::SrqBodyHint, MAX_BODY, true, error)}
        {text_box("wanted", Key::SrqWanted, Key::SrqWantedHint, MAX_WANTED, true, error)}
    }
}

fn dispute(form: RequestForm, error: Signal<Option<AppError>>) -> impl IntoView {
    let empty = form.postings.is_empty();
    view! {
        <p class="sr-lead">{t(Key::SrqDisputeLead)}</p>
        {empty.then(|| view! { <p class="sr-empty">{t(Key::SrqNoPostings)}</p> })}
        <div class="field">
            <label for="sr-posting_id">{t(Key::SrqPosting)}</label>
            <select id="sr-posting_id" name="posting_id" required=true>
                {form
                    .postings
                    .into_iter()
                    .map(|p| {
                        view! {
                            <option value=p.id.to_string()>
                                {format!("{} {} −{} ({})", p.day, p.counterparty, p.amount.display(), p.account_masked)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <FieldError error field="posting_id" />
        </div>
        {text_box("body", Key::SrqDisputeBody, Key::SrqBodyHint, MAX_BODY, true, error)}
    }
}

fn general(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        {text_input("subject", Key::SrqSubject, Some(Key::SrqSubjectHint), "text", MAX_SUBJECT, true, "off", error)}
        {text_box("body", Key::SrqGeneralBody, Key::SrqBodyHint, MAX_BODY, true, error)}
    }
}
