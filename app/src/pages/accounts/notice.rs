//! An account's dormancy or empty-card notice, on the overview card and the
//! account page, with the link to the request that helps: reactivation for a
//! dormant account, closure for an empty card.
use crate::i18n::Key;
use crate::t;
use crate::types::account::AccountNotice;
use leptos::prelude::*;

/// A text with `{day}` filled in, reactive to the locale.
fn with_day(key: Key, day: String) -> impl Fn() -> String + Send + Sync + 'static {
    let text = t(key);
    move || text().replace("{day}", &day)
}

/// The notice, or nothing for an account in good standing. The request links name
/// the account, so its form has it chosen already.
pub(crate) fn notice_view(notice: Option<AccountNotice>, account_id: i64) -> impl IntoView {
    let reactivate = format!("/requests/new/reactivate?account={account_id}");
    let close = format!("/requests/new/account_close?account={account_id}");
    notice.map(|notice| match notice {
        AccountNotice::Dormant { since } => view! {
            <div class="dorm-notice" data-notice="dormant" role="note">
                <p class="dorm-title">{with_day(Key::DormDormantSince, since.to_string())}</p>
                <p class="small">{t(Key::DormDormantNote)}</p>
                <p>
                    <a class="button" href=reactivate>{t(Key::DormAskReactivation)}</a>
                </p>
            </div>
        }
        .into_any(),
        AccountNotice::DormantSoon { dormant_on } => view! {
            <div class="dorm-notice" data-notice="dormant_soon" role="note">
                <p class="dorm-title">{with_day(Key::DormSoon, dormant_on.to_string())}</p>
                <p class="small">{t(Key::DormSoonNote)}</p>
            </div>
        }
        .into_any(),
        AccountNotice::EmptyCard => view! {
            <div class="dorm-notice" data-notice="empty_card" role="note">
                <p class="dorm-title">{t(Key::DormEmptyCard)}</p>
                <p class="small">{t(Key::DormEmptyNote)}</p>
                <p>
                    <a class="button" href=close>{t(Key::DormAskClosure)}</a>
                </p>
            </div>
        }
        .into_any(),
    })
}
