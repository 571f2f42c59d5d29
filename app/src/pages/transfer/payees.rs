//! `/payees`: the saved payees, to pay, rename or delete. Deleting asks first (a
//! `<details>` that opens the confirming button: no script needed).
use super::ErrorText;
use crate::api::transfers::{payees, DeletePayee, RenamePayee};
use crate::components::form::action_error;
use crate::i18n::Key;
use crate::t;
use crate::types::transfer::PayeeView;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PayeesPage() -> impl IntoView {
    let delete = ServerAction::<DeletePayee>::new();
    let rename = ServerAction::<RenamePayee>::new();
    let list = Resource::new_blocking(move || (delete.version().get(), rename.version().get()), |_| payees());
    let delete_error = action_error(delete);
    let rename_error = action_error(rename);
    let (deleted, renamed) =
        use_query_map().with_untracked(|q| (q.get("deleted").is_some(), q.get("renamed").is_some()));
    let done = move || {
        let deleted = deleted || matches!(delete.value().get(), Some(Ok(())));
        let renamed = renamed || matches!(rename.value().get(), Some(Ok(())));
        if deleted {
            Some(view! { <p class="success" role="status">{t(Key::XferDeleted)}</p> })
        } else if renamed {
            Some(view! { <p class="success" role="status">{t(Key::XferRenamed)}</p> })
        } else {
            None
        }
    };
    view! {
        <section class="form-page wide xfer" aria-labelledby="xfer-payees-title">
            <h1 id="xfer-payees-title">{t(Key::XferPayeesTitle)}</h1>
            <p>{t(Key::XferPayeesLead)}</p>
            {done}
            {move || delete_error.get().or_else(|| rename_error.get()).map(|err| view! { <ErrorText err /> })}
            <Suspense fallback=|| ()>
                {move || {
                    list.get()
                        .map(|answer| match answer {
                            Err(err) => view! { <ErrorText err /> }.into_any(),
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p>{t(Key::XferPayeesEmpty)}</p>
                                    <p><a class="button primary" href="/transfer">{t(Key::XferTitle)}</a></p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul class="xfer-payees" role="list">
                                        {list
                                            .into_iter()
                                            .map(|payee| view! { <PayeeItem payee delete rename /> })
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

#[component]
fn PayeeItem(payee: PayeeView, delete: ServerAction<DeletePayee>, rename: ServerAction<RenamePayee>) -> impl IntoView {
    let id = payee.id.to_string();
    let nickname_id = format!("xfer-nickname-{}", payee.id);
    let hint_id = format!("{nickname_id}-hint");
    let heading_id = format!("xfer-payee-{}", payee.id);
    let pay_url = format!("/transfer?to=payee:{}", payee.id);
    let rename_id = id.clone();
    let last_used = payee.last_used_local.clone();
    view! {
        <li class="xfer-payee">
            <h2 id=heading_id>{payee.label()}</h2>
            <p class="xfer-number">{payee.account_masked.clone()}</p>
            <p class="small">
                {match last_used {
                    Some(at) => view! { {t(Key::XferPayeeLastUsed)}{at} }.into_any(),
                    None => view! { {t(Key::XferPayeeNever)} }.into_any(),
                }}
            </p>
            <p>
                <a class="button primary" href=pay_url>{t(Key::XferPayPayee)}</a>
            </p>
            <ActionForm action=rename attr:class="xfer-rename">
                <input type="hidden" name="id" value=rename_id />
                <div class="field">
                    <label for=nickname_id.clone()>{t(Key::XferNickname)}</label>
                    <input
                        id=nickname_id
                        name="nickname"
                        type="text"
                        maxlength=20
                        autocomplete="off"
                        value=payee.nickname.clone()
                        aria-describedby=hint_id.clone()
                    />
                    <p class="hint" id=hint_id>{t(Key::XferNicknameHint)}</p>
                </div>
                <button class="button" type="submit">{t(Key::XferRename)}</button>
            </ActionForm>
            <details class="xfer-delete">
                <summary class="button">{t(Key::XferDelete)}</summary>
                <p>{t(Key::XferDeleteConfirm)}</p>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id />
                    <button class="button xfer-danger" type="submit">{t(Key::XferDeleteYes)}</button>
                </ActionForm>
            </details>
        </li>
    }
}
