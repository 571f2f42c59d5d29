//! `POST /locale`: the language switcher's form, for browsers without the WASM.
use app::i18n::{cookie_value, Locale};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Switch {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Remembers the language and sends the browser back where it was.
pub async fn switch(Form(form): Form<Switch>) -> Response {
    let Some(locale) = Locale::from_tag(&form.lang) else {
        return (StatusCode::BAD_REQUEST, "unsupported language").into_response();
    };
    let back = local_path(&form.back);
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(back) {
        headers.insert(header::LOCATION, location);
    }
    if let Ok(cookie) = HeaderValue::from_str(&cookie_value(locale)) {
        headers.insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Only a path on this site: never an open redirect to another host.
fn local_path(back: &str) -> &str {
    let safe = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.chars().all(|c| !c.is_control());
    if safe {
        back
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn redirects_stay_on_site() {
        assert_eq!(local_path("/accounts?x=1"), "/accounts?x=1");
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(local_path("/a\r\nSet-Cookie: x"), "/");
    }
}
