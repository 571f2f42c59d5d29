//! Outlets (网点), as shown to anyone, signed in or not.
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// A text kept in both languages, so a page can switch language without asking the
/// server again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub zh: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, locale: Locale) -> &str {
        match locale {
            Locale::ZhCn => &self.zh,
            Locale::En => &self.en,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    pub code: String,
    pub name: Localized,
    pub address: Localized,
    pub phone: String,
    pub hours: Localized,
}
