//! The notification centre.
use crate::api::identity::{my_notifications, MarkNotificationsRead};
use crate::i18n::{use_i18n, Key, Locale};
use crate::t;
use leptos::prelude::*;

fn title(locale: Locale, kind: &str) -> String {
    let key = match kind {
        "new_device_login" => Key::NoticeNewDevice,
        "password_changed" => Key::NoticePasswordChanged,
        "password_reset" => Key::NoticePasswordReset,
        "booking_confirmed" => Key::BkNoticeConfirmed,
        "booking_rescheduled" => Key::BkNoticeRescheduled,
        "booking_cancelled" => Key::BkNoticeCancelled,
        "booking_reminder_day" => Key::BkNoticeReminderDay,
        "booking_reminder_hour" => Key::BkNoticeReminderHour,
        "booking_cancelled_by_bank" => Key::AdvNoticeCancelledByBank,
        "booking_summary_shared" => Key::AdvNoticeSummaryShared,
        "relationship_manager_assigned" => Key::AdvNoticeRmAssigned,
        "inquiry_reply" => Key::InqNoticeReply,
        "service_request_received" => Key::SrqNoticeReceived,
        "card_reported_lost" => Key::SrqNoticeCardLost,
        "contact_changed" => Key::SrqNoticeContactChanged,
        "card_replaced" => Key::SrqNoticeCardReplaced,
        "account_reactivated" => Key::SrqNoticeAccountReactivated,
        "account_dormant" => Key::DormNoticeDormant,
        "account_dormant_soon" => Key::DormNoticeDormantSoon,
        "account_closed" => Key::DormNoticeClosed,
        "request_deadline_extended" => Key::SlrNoticeExtended,
        "service_request_reply" => Key::SrsNoticeReply,
        "service_request_resolved" => Key::SrsNoticeResolved,
        "staff_view_started" => Key::NoticeStaffViewStarted,
        "second_factor_reset_by_staff" => Key::ConsoleNoticeSecondFactorReset,
        other => return other.to_owned(),
    };
    locale.text(key).to_owned()
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let list = Resource::new_blocking(move || mark.version().get(), |_| my_notifications());
    let i18n = use_i18n();
    view! {
        <section class="form-page wide" aria-labelledby="notices-title">
            <h1 id="notices-title">{t(Key::NoticesTitle)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    list.get()
                        .map(|list| match list {
                            Err(e) => view! { <p class="error" role="alert">{t(e.code.message_key())}</p> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <p>{t(Key::NoticesEmpty)}</p> }.into_any(),
                            Ok(list) => {
                                view! {
                                    <ul class="notice-list" role="list">
                                        {list
                                            .into_iter()
                                            .map(|n| {
                                                let kind = n.kind.clone();
                                                view! {
                                                    <li class="notice" data-unread=n.unread.to_string()>
                                                        <p>
                                                            {n.unread.then(|| view! { <span class="visually-hidden">{t(Key::NoticeUnread)}" "</span> })}
                                                            <strong>{move || title(i18n.locale(), &kind)}</strong>
                                                            {(!n.detail.is_empty()).then(|| format!(" · {}", n.detail))}
                                                        </p>
                                                        <p class="small">{n.created_local}</p>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                    <ActionForm action=mark>
                                        <button class="button" type="submit">{t(Key::NoticesMarkRead)}</button>
                                    </ActionForm>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}
