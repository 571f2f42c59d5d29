//! Choosing the locale of a request: an explicit choice (the cookie) wins over the
//! browser's `Accept-Language`, which wins over the default (zh-CN).
use super::Locale;

/// The cookie that remembers the customer's choice of language.
pub const LOCALE_COOKIE: &str = "lang";

/// One year: a language choice is a preference, not a secret.
const COOKIE_MAX_AGE_SECS: u32 = 365 * 24 * 3600;

/// `Set-Cookie` / `document.cookie` value remembering `locale`. Readable by script on
/// purpose (the hydrated page writes it too); it carries no secret.
pub fn cookie_value(locale: Locale) -> String {
    format!("{LOCALE_COOKIE}={}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; SameSite=Lax", locale.tag())
}

/// Picks the locale from a `Cookie` header and an `Accept-Language` header.
pub fn negotiate(cookie_header: &str, accept_language: &str) -> Locale {
    from_cookie(cookie_header).or_else(|| from_accept_language(accept_language)).unwrap_or_default()
}

fn from_cookie(header: &str) -> Option<Locale> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| name.trim() == LOCALE_COOKIE)
        .and_then(|(_, value)| Locale::from_tag(value))
}

/// The supported language with the highest quality; ties go to the earlier entry.
fn from_accept_language(header: &str) -> Option<Locale> {
    let mut best: Option<(Locale, u16)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .map_or(1000, |q| (q.clamp(0.0, 1.0) * 1000.0) as u16);
        if quality == 0 {
            continue;
        }
        let primary = range.split('-').next().unwrap_or("");
        let locale = match primary {
            "zh" => Locale::ZhCn,
            "en" => Locale::En,
            _ => continue,
        };
        if best.is_none_or(|(_, q)| quality > q) {
            best = Some((locale, quality));
        }
    }
    best.map(|(locale, _)| locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_wins_over_header() {
        assert_eq!(negotiate("a=1; lang=en", "zh-CN,zh;q=0.9"), Locale::En);
        assert_eq!(negotiate("lang=zh-CN", "en-US"), Locale::ZhCn);
    }

    #[test]
    fn header_by_quality() {
        assert_eq!(negotiate("", "en-GB,en;q=0.9"), Locale::En);
        assert_eq!(negotiate("", "fr;q=1, en;q=0.4, zh-TW;q=0.8"), Locale::ZhCn);
        assert_eq!(negotiate("", "zh;q=0, en;q=0.1"), Locale::En);
    }

    #[test]
    fn default_is_chinese() {
        assert_eq!(negotiate("", ""), Locale::ZhCn);
        assert_eq!(negotiate("lang=xx", "de-DE"), Locale::ZhCn);
    }
}
