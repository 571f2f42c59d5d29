//! Translations: zh-CN and en for every user-visible string.
//!
//! The locale is negotiated on the server (cookie, then `Accept-Language`), written
//! into `<html lang>`, and read back from there when the browser hydrates, so both
//! sides render the same text and hydration never mismatches.
use leptos::prelude::*;

mod negotiate;
pub use negotiate::{cookie_value, negotiate, LOCALE_COOKIE};

include!(concat!(env!("OUT_DIR"), "/i18n_keys.rs"));

/// A language the portal speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Locale {
    /// Simplified Chinese, the default: most customers read it.
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    /// The BCP 47 tag, as used in `<html lang>`, the cookie and `Accept-Language`.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// The language's own name, shown in the switcher whatever the current locale.
    pub const fn endonym(self) -> &'static str {
        match self {
            Locale::ZhCn => "中文",
            Locale::En => "English",
        }
    }

    /// Parses a tag exactly as `tag()` writes it (case-insensitive).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.tag().eq_ignore_ascii_case(tag.trim()))
    }

    /// The text of `key` in this locale.
    pub fn text(self, key: Key) -> &'static str {
        let table = match self {
            Locale::ZhCn => TEXT_ZH_CN,
            Locale::En => TEXT_EN,
        };
        table[key as usize]
    }
}

/// The current locale, shared by every component of a page.
#[derive(Clone, Copy)]
pub struct I18n(pub RwSignal<Locale>);

impl I18n {
    pub fn locale(self) -> Locale {
        self.0.get()
    }

    /// A reactive text: re-renders when the locale changes.
    pub fn t(self, key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || self.0.get().text(key)
    }
}

/// Provides the locale for this render: from the request on the server, from the
/// server-rendered `<html lang>` in the browser.
pub fn provide_i18n() -> I18n {
    let i18n = I18n(RwSignal::new(initial_locale()));
    provide_context(i18n);
    i18n
}

/// The locale provided by `provide_i18n`.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n(RwSignal::new(Locale::default())))
}

/// The locale the server negotiated for the current request.
#[cfg(feature = "ssr")]
pub fn initial_locale() -> Locale {
    use leptos::prelude::use_context;
    let Some(parts) = use_context::<axum::http::request::Parts>() else {
        return Locale::default();
    };
    let header = |name: axum::http::header::HeaderName| {
        parts.headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("; ")
    };
    negotiate(&header(axum::http::header::COOKIE), &header(axum::http::header::ACCEPT_LANGUAGE))
}

/// The locale the server rendered the page in.
#[cfg(not(feature = "ssr"))]
pub fn initial_locale() -> Locale {
    #[cfg(feature = "hydrate")]
    {
        let lang = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"));
        if let Some(locale) = lang.as_deref().and_then(Locale::from_tag) {
            return locale;
        }
    }
    Locale::default()
}

/// Switches the page to `locale` without a reload and remembers the choice in the
/// same cookie the server's `/locale` form handler writes.
#[cfg(feature = "hydrate")]
pub fn switch_in_browser(i18n: I18n, locale: Locale) {
    use wasm_bindgen::JsCast;
    i18n.0.set(locale);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document.document_element() {
        let _ = root.set_attribute("lang", locale.tag());
    }
    if let Ok(html) = document.dyn_into::<web_sys::HtmlDocument>() {
        let _ = html.set_cookie(&cookie_value(locale));
    }
}

/// The translated name of a security event recorded under `event`.
pub fn event_name(locale: Locale, event: &str) -> String {
    let key = match event {
        "login_succeeded" => Key::EventLoginSucceeded,
        "login_failed" => Key::EventLoginFailed,
        "account_locked" => Key::EventAccountLocked,
        "enrolled" => Key::EventEnrolled,
        "password_changed" => Key::EventPasswordChanged,
        "password_reset" => Key::EventPasswordReset,
        "totp_enabled" => Key::EventTotpEnabled,
        "session_ended" => Key::EventSessionEnded,
        "logged_out" => Key::EventLoggedOut,
        "recovery_code_used" => Key::EventRecoveryCodeUsed,
        "payee_added" => Key::EventPayeeAdded,
        "payee_removed" => Key::EventPayeeRemoved,
        "booking_marked" => Key::AdvEventBookingMarked,
        "booking_cancelled_by_staff" => Key::AdvEventBookingCancelledByStaff,
        "customer_summary_viewed" => Key::AdvEventCustomerSummaryViewed,
        "relationship_manager_changed" => Key::AdvEventRelationshipManagerChanged,
        "booking_note_added" => Key::AdvEventBookingNoteAdded,
        "booking_summary_shared" => Key::AdvEventBookingSummaryShared,
        "service_request_viewed" => Key::SrsEventViewed,
        "service_request_claimed" => Key::SrsEventClaimed,
        "service_request_assigned" => Key::SrsEventAssigned,
        "service_request_replied" => Key::SrsEventReplied,
        "service_request_note_added" => Key::SrsEventNoteAdded,
        "service_request_started" => Key::SrsEventStarted,
        "service_request_resolved" => Key::SrsEventResolved,
        "impersonation_started" => Key::EventImpersonationStarted,
        "impersonation_ended" => Key::EventImpersonationEnded,
        "impersonation_refused" => Key::EventImpersonationRefused,
        "staff_view_setting_changed" => Key::EventStaffViewSettingChanged,
        "staff_viewed_customer" => Key::ConsoleEventViewed,
        "staff_unlocked_credential" => Key::ConsoleEventUnlocked,
        "staff_resent_enrollment_code" => Key::ConsoleEventResent,
        "staff_reset_second_factor" => Key::ConsoleEventReset,
        "staff_reset_second_factor_refused" => Key::ConsoleEventResetRefused,
        "staff_noted_call" => Key::ConsoleEventNoted,
        "staff_customer_search" => Key::ConsoleEventSearch,
        "marketing_setting_changed" => Key::RecEventMarketingChanged,
        "recommendation_dismissed" => Key::RecEventDismissed,
        "account_marked_dormant" => Key::DormEventMarked,
        "dormancy_reminded" => Key::DormEventReminded,
        "account_closed" => Key::DormEventClosed,
        other => return other.to_owned(),
    };
    locale.text(key).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_text_in_every_locale() {
        for locale in Locale::ALL {
            for key in Key::ALL {
                assert!(!locale.text(*key).trim().is_empty(), "{} missing in {}", key.name(), locale.tag());
            }
        }
    }

    #[test]
    fn chinese_and_english_differ() {
        assert_ne!(Locale::ZhCn.text(Key::BankName), Locale::En.text(Key::BankName));
        assert_eq!(Locale::En.text(Key::NotFoundTitle), "Page not found");
    }

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!(Locale::from_tag("ZH-cn"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("fr"), None);
    }
}
