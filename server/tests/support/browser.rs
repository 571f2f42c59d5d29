//! A browser for the tests: its own cookie jar, server functions called the way the
//! WASM client calls them (or as a plain HTML form posts them), and small readers
//! for the answers.
use super::TestServer;
use reqwest::cookie::{CookieStore as _, Jar};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// The session cookie's name in development mode.
pub const SESSION_COOKIE: &str = "portal_session";

// ---------------------------------------------------------------------------------
// A browser: its own cookie jar (readable, unlike the harness client's), or a fixed
// cookie sent by hand (an attacker replaying a stolen or planted session id).
// ---------------------------------------------------------------------------------

pub struct Browser {
    pub http: reqwest::Client,
    pub jar: Option<Arc<Jar>>,
    pub fixed_cookie: Option<String>,
    pub base: String,
}

impl Browser {
    pub fn new(srv: &TestServer) -> Browser {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("HTTP client");
        Browser { http, jar: Some(jar), fixed_cookie: None, base: srv.url("") }
    }

    /// A client without a jar that always sends `portal_session=<value>`.
    pub fn with_cookie(srv: &TestServer, value: &str) -> Browser {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(120))
            .build()
            .expect("HTTP client");
        Browser { http, jar: None, fixed_cookie: Some(value.to_owned()), base: srv.url("") }
    }

    /// The value of the session cookie the browser holds now.
    pub fn session_cookie(&self) -> Option<String> {
        if let Some(fixed) = &self.fixed_cookie {
            return Some(fixed.clone());
        }
        let url: reqwest::Url = self.base.parse().expect("url");
        let header = self.jar.as_ref()?.cookies(&url)?;
        header.to_str().ok()?.split(';').map(str::trim).find_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            (name == SESSION_COOKIE).then(|| value.to_owned())
        })
    }

    pub fn post(&self, endpoint: &str) -> reqwest::RequestBuilder {
        let request = self.http.post(format!("{}/api/{endpoint}", self.base));
        match &self.fixed_cookie {
            Some(value) => request.header("cookie", format!("{SESSION_COOKIE}={value}")),
            None => request,
        }
    }

    /// A server function called as the WASM client calls it.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.post(endpoint).form(form).send().await.unwrap_or_else(|e| panic!("POST /api/{endpoint}: {e}"))
    }

    /// A server function called with extra headers (WASM style).
    pub async fn call_with(&self, endpoint: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Response {
        let mut request = self.post(endpoint).form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap_or_else(|e| panic!("POST /api/{endpoint}: {e}"))
    }

    /// A server function called by a plain HTML form, from the page at `page`.
    pub async fn form(&self, endpoint: &str, form: &[(&str, &str)], page: &str) -> Response {
        let referer = format!("{}{page}", self.base);
        self.call_with(endpoint, form, &[("accept", "text/html,application/xhtml+xml"), ("referer", &referer)]).await
    }

    /// `/api/me`: `null` when nobody is signed in.
    pub async fn me(&self) -> Value {
        let response = self.call("me", &[]).await;
        assert_eq!(response.status(), 200, "/api/me answers");
        response.json().await.expect("me is JSON")
    }

    pub async fn signed_in(&self) -> bool {
        !self.me().await.is_null()
    }

    pub async fn json(&self, endpoint: &str, form: &[(&str, &str)]) -> Value {
        let response = self.call(endpoint, form).await;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "/api/{endpoint}: {status} {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("/api/{endpoint} is not JSON ({e}): {body}"))
    }
}

pub async fn login(b: &Browser, username: &str, password: &str) -> Response {
    b.call("login", &[("username", username), ("password", password)]).await
}

pub async fn staff_login(b: &Browser, username: &str, password: &str) -> Response {
    b.call("staff_login", &[("username", username), ("password", password)]).await
}

pub async fn verify(b: &Browser, code: &str) -> Response {
    b.call("verify", &[("code", code)]).await
}

/// Where a successful WASM-style call (200 + `serverfnredirect`) sends the browser.
pub async fn success_to(response: Response) -> String {
    let status = response.status();
    let location = location(&response);
    let redirect_header = response.headers().contains_key("serverfnredirect");
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "expected success, got {status} {body}");
    assert!(redirect_header, "a redirect for the client: {body}");
    location.unwrap_or_else(|| panic!("no Location on a success: {body}"))
}

/// A WASM-style call that must succeed (whether or not it redirects).
pub async fn ok(response: Response) {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "expected success, got {status} {body}");
}

pub fn location(response: &Response) -> Option<String> {
    response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The error code of a failed WASM-style call (non-2xx, JSON `{"code": …}`).
pub async fn error_of(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(!status.is_success(), "expected an error, got {status} {body}");
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("error body is not JSON ({e}): {body}"));
    let code = json["code"].as_str().unwrap_or_else(|| panic!("no code in {body}")).to_owned();
    (status, code)
}

pub async fn expect_error(response: Response, code: &str) {
    let (status, got) = error_of(response).await;
    assert_eq!(got, code, "error code (status {status})");
}
