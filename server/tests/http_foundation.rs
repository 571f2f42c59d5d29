//! The foundation over HTTP, on SQLite and on PostgreSQL: probes, the landing page
//! from the database, languages, the not-found page, server functions, the request
//! id, security headers and the cross-site write guard.
mod support;

use support::{Backend, TestServer};

on_both_backends!(
    probes_answer,
    readiness_fails_when_the_database_is_gone,
    landing_page_is_rendered_with_branches_from_the_database,
    language_is_negotiated_from_cookie_then_accept_language,
    language_form_sets_cookie_and_redirects_only_on_site,
    cross_site_writes_are_refused,
    unknown_path_is_a_translated_404,
    branches_server_function_returns_json,
    every_response_has_a_request_id_and_security_headers,
    server_stops_gracefully,
    shutdown_does_not_wait_forever_for_a_stalled_client,
    html_pages_carry_a_csp_with_a_fresh_nonce,
    oversized_bodies_are_refused,
    session_cookies_are_locked_down,
);

/// Starts an enrollment (which stores state in a session) and returns the cookie.
async fn session_cookie(srv: &TestServer) -> String {
    let c = app::backend::seed::demo_customer(3);
    let response = srv
        .http
        .post(srv.url("/api/enroll_start"))
        .form(&[("customer_no", c.customer_no.as_str()), ("id_tail", c.id_number_tail.as_str())])
        .send()
        .await
        .unwrap();
    response.headers()["set-cookie"].to_str().unwrap().to_owned()
}

async fn session_cookies_are_locked_down(backend: Backend) {
    let dev = TestServer::start(backend).await;
    let cookie = session_cookie(&dev).await;
    assert!(cookie.starts_with("portal_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Max-Age") && !cookie.contains("Expires"), "ends with the browser: {cookie}");
    dev.stop().await.unwrap();

    let prod = TestServer::start_with(backend, |c| {
        c.mode = server::config::Mode::Production;
        c.secret_key = "p".repeat(40);
    })
    .await;
    let page = prod.get("/").await;
    assert_eq!(page.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    // Production does not seed demo data; seed the customer the helper uses.
    app::backend::seed::seed_demo(&prod.state.db, prod.clock.as_ref(), 3).await.unwrap();
    let cookie = session_cookie(&prod).await;
    assert!(cookie.starts_with("__Host-portal_session="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    prod.stop().await.unwrap();
}

/// The nonce in a page's CSP, checked against the one on its hydration script.
fn csp_nonce(csp: &str, html: &str) -> String {
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("a nonce in the CSP");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the script carries the CSP's nonce");
    nonce.to_owned()
}

async fn html_pages_carry_a_csp_with_a_fresh_nonce(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let mut nonces = Vec::new();
    for path in ["/", "/", "/login", "/no/such/page"] {
        let page = srv.get(path).await;
        let headers = page.headers().clone();
        let csp = headers["content-security-policy"].to_str().unwrap().to_owned();
        for directive in ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "'wasm-unsafe-eval'"] {
            assert!(csp.contains(directive), "{path}: {directive} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(headers["cross-origin-opener-policy"], "same-origin");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert!(headers.get("strict-transport-security").is_none(), "HSTS only in production");
        nonces.push(csp_nonce(&csp, &page.text().await.unwrap()));
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "every response has its own nonce");
    srv.stop().await.unwrap();
}

async fn oversized_bodies_are_refused(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let huge = "x".repeat(200 * 1024);
    let response = srv
        .http
        .post(srv.url("/api/login"))
        .form(&[("username", huge.as_str()), ("password", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    srv.stop().await.unwrap();
}

async fn probes_answer(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let alive = srv.get("/healthz").await;
    assert_eq!(alive.status(), 200);
    assert_eq!(alive.text().await.unwrap(), "ok");
    let ready = srv.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
    srv.stop().await.unwrap();
}

async fn readiness_fails_when_the_database_is_gone(backend: Backend) {
    let srv = TestServer::start(backend).await;
    srv.state.db.close().await;
    assert_eq!(srv.get("/readyz").await.status(), 503);
    assert_eq!(srv.get("/healthz").await.status(), 200, "alive even without the database");
    srv.stop().await.unwrap();
}

async fn landing_page_is_rendered_with_branches_from_the_database(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let page = srv.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"<html lang="zh-CN">"#), "Chinese by default");
    assert!(html.contains("乡邮储蓄银行"), "bank name");
    assert!(html.contains(r#"href="/login""#), "the log-in entry");
    for branch in ["县城营业部", "青石镇支行", "桃园村助农服务点"] {
        assert!(html.contains(branch), "branch {branch} from the database");
    }
    assert!(html.contains("/pkg/portal.js"), "the hydration script is linked");
    srv.stop().await.unwrap();
}

async fn language_is_negotiated_from_cookie_then_accept_language(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let english = srv.http.get(srv.url("/")).header("accept-language", "en-US,en;q=0.9").send().await.unwrap();
    let html = english.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Village Post Savings Bank"));
    assert!(html.contains("County Town Office"));

    let chosen = srv
        .http
        .get(srv.url("/"))
        .header("accept-language", "en-US")
        .header("cookie", "lang=zh-CN")
        .send()
        .await
        .unwrap();
    assert!(chosen.text().await.unwrap().contains(r#"<html lang="zh-CN">"#), "the cookie wins");
    srv.stop().await.unwrap();
}

async fn language_form_sets_cookie_and_redirects_only_on_site(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let switched = srv.http.post(srv.url("/locale")).form(&[("lang", "en"), ("back", "/")]).send().await.unwrap();
    assert_eq!(switched.status(), 303);
    assert_eq!(switched.headers()["location"], "/");
    let cookie = switched.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lang=en;") && cookie.contains("Path=/"), "{cookie}");
    // The jar now holds the cookie: the next page is English.
    assert!(srv.get("/").await.text().await.unwrap().contains(r#"<html lang="en">"#));

    let away =
        srv.http.post(srv.url("/locale")).form(&[("lang", "en"), ("back", "//evil.example/")]).send().await.unwrap();
    assert_eq!(away.headers()["location"], "/", "no open redirect");
    let bad = srv.http.post(srv.url("/locale")).form(&[("lang", "fr"), ("back", "/")]).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    srv.stop().await.unwrap();
}

async fn cross_site_writes_are_refused(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let form = [("lang", "en"), ("back", "/")];
    let forged =
        srv.http.post(srv.url("/locale")).header("origin", "https://evil.example").form(&form).send().await.unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get("set-cookie").is_none(), "nothing changed");
    let fetch_meta =
        srv.http.post(srv.url("/api/branches")).header("sec-fetch-site", "cross-site").send().await.unwrap();
    assert_eq!(fetch_meta.status(), 403);
    let own = srv
        .http
        .post(srv.url("/locale"))
        .header("origin", format!("http://{}", srv.addr))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 303);
    srv.stop().await.unwrap();
}

async fn unknown_path_is_a_translated_404(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let zh = srv.get("/no/such/page").await;
    assert_eq!(zh.status(), 404);
    assert!(zh.text().await.unwrap().contains("页面不存在"));
    let en = srv.http.get(srv.url("/no/such/page")).header("accept-language", "en").send().await.unwrap();
    assert_eq!(en.status(), 404);
    assert!(en.text().await.unwrap().contains("Page not found"));
    srv.stop().await.unwrap();
}

async fn branches_server_function_returns_json(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let response = srv
        .http
        .post(srv.url("/api/branches"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let branches: serde_json::Value = response.json().await.unwrap();
    let list = branches.as_array().expect("a list");
    assert_eq!(list.len(), 5);
    assert_eq!(list[0]["code"], "B001");
    assert_eq!(list[0]["name"]["zh"], "县城营业部");
    assert_eq!(list[0]["name"]["en"], "County Town Office");
    srv.stop().await.unwrap();
}

async fn every_response_has_a_request_id_and_security_headers(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = srv.get("/").await;
    let b = srv.get("/healthz").await;
    let id_a = a.headers()["x-request-id"].to_str().unwrap().to_owned();
    let id_b = b.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!id_a.is_empty() && id_a != id_b);
    for response in [&a, &b] {
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        assert_eq!(response.headers()["referrer-policy"], "same-origin");
    }
    let forged = srv.http.get(srv.url("/healthz")).header("x-request-id", "forged").send().await.unwrap();
    assert_ne!(forged.headers()["x-request-id"], "forged", "the server assigns its own ids");
    // Read the bodies: a response left unread holds its connection open.
    for response in [a, b, forged] {
        response.bytes().await.unwrap();
    }
    srv.stop().await.unwrap();
}

/// A client that stops reading mid-response cannot hold the shutdown forever.
async fn shutdown_does_not_wait_forever_for_a_stalled_client(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let srv = TestServer::start(backend).await;
    let mut stalled = tokio::net::TcpStream::connect(srv.addr).await.unwrap();
    // Ask for pages and never read the answers.
    for _ in 0..20 {
        stalled.write_all(b"GET / HTTP/1.1\r\nHost: portal\r\n\r\n").await.unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let grace = server::SHUTDOWN_GRACE + std::time::Duration::from_secs(5);
    tokio::time::timeout(grace, srv.stop()).await.expect("stops within the grace period").unwrap();
    drop(stalled);
}

async fn server_stops_gracefully(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let addr = srv.addr;
    assert_eq!(srv.get("/healthz").await.status(), 200);
    tokio::time::timeout(std::time::Duration::from_secs(10), srv.stop()).await.expect("stops in time").unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
}
