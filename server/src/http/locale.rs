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
    let back = app::redirect::local_path(&form.back, "/");
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
