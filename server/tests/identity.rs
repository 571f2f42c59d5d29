//! Identity over HTTP, on SQLite and PostgreSQL, called the way a browser calls the
//! server functions (with and without the WASM): enrollment stores Argon2id hashes;
//! log-in failures all look alike; throttling locks and unlocks with the clock; the
//! session id changes at every privilege change, log-out and expiry end it; cross-
//! site writes are refused; TOTP codes work once; staff and customer doors are
//! separate; customers list and end their own sessions and see their own security
//! events; a flood of log-ins stays within bounded memory and leaves the probes
//! responsive. Every test that writes ends with the audit chain verified.
mod support;

use app::backend::audit;
use app::backend::identity::totp::{code_at_step, step_of, TotpSecret};
use app::backend::seed::{demo_customer, DEMO_PASSWORD};
use app::backend::Clock as _;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::browser::*;
use support::{Backend, TestServer};

on_both_backends!(
    enrollment_stores_an_argon2id_hash,
    login_failures_are_indistinguishable,
    failures_lock_the_account_until_the_clock_moves_on,
    concurrent_wrong_passwords_all_count,
    session_id_changes_at_login_and_logout_ends_it,
    idle_sessions_expire_and_activity_keeps_them_alive,
    sessions_end_after_twelve_hours_whatever_the_activity,
    cross_site_writes_change_nothing,
    totp_codes_work_once,
    wrong_step_up_codes_count_toward_the_lock,
    a_second_factor_cannot_be_replaced_without_a_step_up,
    staff_and_customer_doors_are_separate,
    customers_list_and_end_their_own_sessions_only,
    security_events_are_the_customers_own,
    a_login_flood_stays_bounded_and_the_probe_answers,
    error_answers_carry_the_status_of_their_code,
    forgot_password_resets_unlocks_and_ends_every_session,
    changing_the_password_needs_a_fresh_step_up_and_ends_other_sessions,
    a_recovery_code_replaces_the_authenticator_once,
    a_new_device_raises_a_notification,
    too_many_attempts_from_one_address_get_429,
    a_customer_can_be_identified_by_card_number,
    the_outbox_is_delivered_by_the_background_sender,
);

/// A password that is nobody's.
const WRONG: &str = "not-the-right-password-1";

/// The flood test measures time and memory: nothing else of this binary runs while
/// it does. Every other test holds this lock shared; the flood (which runs in a
/// child process, see below) holds it exclusively until the child is done.
static EXCLUSIVE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

async fn start(backend: Backend) -> (tokio::sync::RwLockReadGuard<'static, ()>, TestServer) {
    let guard = EXCLUSIVE.read().await;
    (guard, TestServer::start(backend).await)
}

// ---------------------------------------------------------------------------------
// Database look-ups.
// ---------------------------------------------------------------------------------

async fn throttle_state(srv: &TestServer, username: &str) -> (i64, Option<i64>) {
    sqlx::query_as("SELECT failed_attempts, locked_until FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("credential")
}

async fn totp_secret_of(srv: &TestServer, username: &str) -> Option<String> {
    sqlx::query_scalar("SELECT totp_secret FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("credential")
}

async fn audit_rows(srv: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(srv.state.db.pool()).await.expect("count")
}

async fn chain_intact(srv: &TestServer) {
    let rows = audit::verify_chain(&srv.state.db).await.expect("the audit chain verifies");
    assert!(rows > 0, "something was audited");
}

/// The six-digit code in the newest outbox message to `phone`.
async fn latest_code(srv: &TestServer, phone: &str) -> String {
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1")
        .bind(phone)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("an SMS in the outbox");
    body.split(|c: char| !c.is_ascii_digit())
        .find(|run| run.len() == 6)
        .unwrap_or_else(|| panic!("no six-digit code in {body:?}"))
        .to_owned()
}

fn now_step(srv: &TestServer) -> i64 {
    step_of(srv.clock.now())
}

/// A code that is valid for none of the steps around `step`.
fn invalid_code(secret: &TotpSecret, step: i64) -> String {
    let near: Vec<String> = (step - 2..=step + 2).map(|s| code_at_step(secret, s)).collect();
    (0..).map(|n: u32| format!("{:06}", n * 7919 % 1_000_000)).find(|c| !near.contains(c)).expect("a code")
}

/// Starts and confirms TOTP for the signed-in (or staff half-signed-in) browser;
/// returns the secret and the step whose code was used.
async fn set_up_totp(srv: &TestServer, b: &Browser) -> (TotpSecret, i64) {
    ok(b.call("totp_begin", &[]).await).await;
    let setup = b.json("totp_pending", &[]).await;
    let text = setup["secret"].as_str().unwrap_or_else(|| panic!("a pending secret: {setup}"));
    let secret = TotpSecret::from_base32(text).expect("a base32 secret");
    let step = now_step(srv);
    ok(b.call("totp_confirm", &[("code", &code_at_step(&secret, step))]).await).await;
    (secret, step)
}

/// Decodes URL-safe base64 (with or without padding), as Leptos puts errors in URLs.
fn base64_url_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => panic!("not base64: {text}"),
        }
    };
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &c in text.as_bytes().iter().filter(|&&c| c != b'=') {
        buffer = (buffer << 6) | value(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8(out).expect("utf-8")
}

/// The `__path` and decoded `__err` of a no-JS error redirect.
fn form_error(location: &str) -> (String, Value) {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    let mut path = String::new();
    let mut err = Value::Null;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("__path", v)) => path = percent_decode(v),
            Some(("__err", v)) => {
                err = serde_json::from_slice(&base64_url_decode(&percent_decode(v))).expect("__err is JSON")
            }
            _ => {}
        }
    }
    (path, err)
}

/// Everything of a response an observer could compare, minus what differs on every
/// response (request id, date).
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    status: StatusCode,
    location: Option<String>,
    content_type: Option<String>,
    set_cookie: Vec<String>,
    fn_redirect: bool,
    body: String,
}

async fn observe(response: Response) -> Observed {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let location = header("location");
    let content_type = header("content-type");
    let set_cookie =
        response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
    let fn_redirect = response.headers().contains_key("serverfnredirect");
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    Observed { status, location, content_type, set_cookie, fn_redirect, body }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

// ---------------------------------------------------------------------------------
// 1. Password storage.
// ---------------------------------------------------------------------------------

const ARGON2_PREFIX: &str = "$argon2id$v=19$m=19456,t=2,p=1$";

async fn enrollment_stores_an_argon2id_hash(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);
    let customer = demo_customer(3);
    let password = "quiet harbour lanterns at dawn";

    let started =
        b.call("enroll_start", &[("customer_no", &customer.customer_no), ("id_tail", &customer.id_number_tail)]).await;
    assert_eq!(success_to(started).await, "/enroll/verify");
    let code = latest_code(&srv, &customer.phone).await;
    let finished = b.call("enroll_finish", &[("code", &code), ("username", "Harbour3"), ("password", password)]).await;
    assert_eq!(success_to(finished).await, "/login?enrolled=1");

    let hash: String = sqlx::query_scalar("SELECT password_hash FROM credentials WHERE username = 'harbour3'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("the new credential, username lower-cased");
    assert!(hash.starts_with(ARGON2_PREFIX), "OWASP Argon2id parameters: {hash}");
    assert!(!hash.contains(password), "no plain password");
    let salt_and_hash: Vec<&str> = hash[ARGON2_PREFIX.len()..].split('$').collect();
    assert_eq!(salt_and_hash.len(), 2, "salt and hash: {hash}");
    assert!(salt_and_hash[0].len() >= 22, "a 16-byte salt at least: {hash}");
    assert_eq!(salt_and_hash[1].len(), 43, "a 32-byte output: {hash}");

    // The seeded demo log-ins are made the same way, each hash under its own salt.
    let demo: String = sqlx::query_scalar("SELECT password_hash FROM credentials WHERE username = 'demo1'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("demo1");
    assert!(demo.starts_with(ARGON2_PREFIX), "{demo}");

    // The stored hash opens the account with that password, and only that one.
    expect_error(login(&b, "harbour3", WRONG).await, "invalid_credentials").await;
    assert_eq!(success_to(login(&b, "harbour3", password).await).await, "/accounts");
    assert!(b.signed_in().await);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 2. Unknown user, wrong password, locked account: one answer.
// ---------------------------------------------------------------------------------

async fn login_failures_are_indistinguishable(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);
    let form = |user: &'static str, password: &'static str| [("username", user), ("password", password)];

    // As the WASM client sees it.
    let unknown = observe(login(&b, "nobody-at-all", WRONG).await).await;
    let wrong = observe(login(&b, "demo1", WRONG).await).await;
    assert!(!unknown.status.is_success(), "{unknown:?}");
    let body: Value = serde_json::from_str(&unknown.body).expect("JSON");
    assert_eq!(body["code"], "invalid_credentials");
    assert!(unknown.set_cookie.is_empty(), "no session for a failure: {unknown:?}");
    assert_eq!(unknown, wrong, "unknown user and wrong password answer alike");

    // As a plain form sees it: back to the log-in page with the error in the URL.
    let unknown_form = observe(b.form("login", &form("nobody-at-all", WRONG), "/login").await).await;
    let wrong_form = observe(b.form("login", &form("demo1", WRONG), "/login").await).await;
    assert_eq!(unknown_form.status, StatusCode::FOUND, "{unknown_form:?}");
    let back = unknown_form.location.clone().expect("Location");
    assert!(back.starts_with(&srv.url("/login?")), "back to the form: {back}");
    let (path, err) = form_error(&back);
    assert_eq!(path, "/api/login");
    assert_eq!(err["code"], "invalid_credentials", "{back}");
    assert_eq!(unknown_form, wrong_form, "no-JS: unknown user and wrong password answer alike");

    // Three more failures lock demo1 (five in all); the right password then gets
    // the very same answer.
    for _ in 0..3 {
        expect_error(login(&b, "demo1", WRONG).await, "invalid_credentials").await;
    }
    assert!(throttle_state(&srv, "demo1").await.1.is_some(), "demo1 is locked");
    let locked = observe(login(&b, "demo1", DEMO_PASSWORD).await).await;
    assert_eq!(locked, unknown, "a locked account answers like an unknown user");
    let locked_form = observe(b.form("login", &form("demo1", DEMO_PASSWORD), "/login").await).await;
    assert_eq!(locked_form, unknown_form, "no-JS: a locked account answers like an unknown user");

    // The wrong door, too: a customer at the staff log-in.
    let other = Browser::new(&srv);
    let wrong_door = observe(staff_login(&other, "demo2", DEMO_PASSWORD).await).await;
    assert_eq!(wrong_door, unknown, "a customer at the staff door answers like an unknown user");

    assert!(!b.signed_in().await && !other.signed_in().await);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 3. Throttling.
// ---------------------------------------------------------------------------------

async fn failures_lock_the_account_until_the_clock_moves_on(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);
    let t0 = srv.clock.now();

    for failures in 1..=4 {
        expect_error(login(&b, "demo1", WRONG).await, "invalid_credentials").await;
        assert_eq!(throttle_state(&srv, "demo1").await, (failures, None), "free attempts");
    }
    expect_error(login(&b, "demo1", WRONG).await, "invalid_credentials").await;
    let locked = throttle_state(&srv, "demo1").await;
    assert_eq!(locked, (5, Some(t0.plus_seconds(60).micros())), "the fifth failure locks for a minute");

    // The right password is refused with the same error while locked, and tries
    // during the lock neither count nor extend it.
    expect_error(login(&b, "demo1", DEMO_PASSWORD).await, "invalid_credentials").await;
    assert!(!b.signed_in().await);
    assert_eq!(throttle_state(&srv, "demo1").await, locked);
    srv.clock.advance_seconds(30);
    expect_error(login(&b, "demo1", WRONG).await, "invalid_credentials").await;
    expect_error(login(&b, "demo1", DEMO_PASSWORD).await, "invalid_credentials").await;
    assert_eq!(throttle_state(&srv, "demo1").await, locked, "attempts during a lock do not extend it");
    srv.clock.advance_seconds(29);
    expect_error(login(&b, "demo1", DEMO_PASSWORD).await, "invalid_credentials").await;
    assert_eq!(throttle_state(&srv, "demo1").await, locked);

    // At the end of the minute the right password works and clears the count.
    srv.clock.advance_seconds(1);
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    assert!(b.signed_in().await);
    assert_eq!(throttle_state(&srv, "demo1").await, (0, None));

    // A failure right after a lock ran out doubles it.
    let c = Browser::new(&srv);
    for _ in 0..5 {
        expect_error(login(&c, "demo2", WRONG).await, "invalid_credentials").await;
    }
    srv.clock.advance_seconds(60);
    expect_error(login(&c, "demo2", WRONG).await, "invalid_credentials").await;
    let now = srv.clock.now();
    assert_eq!(throttle_state(&srv, "demo2").await, (6, Some(now.plus_seconds(120).micros())));

    let locks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE event = 'account_locked'")
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap();
    assert_eq!(locks, 3, "each lock is audited (5th and 6th failures of demo2 both lock)");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

/// Wrong passwords sent at the same time must all count: otherwise an attacker
/// guesses in parallel batches and the lock never comes.
async fn concurrent_wrong_passwords_all_count(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let attempts = 12;
    let mut tasks = Vec::new();
    for _ in 0..attempts {
        let b = Browser::new(&srv);
        tasks.push(tokio::spawn(async move {
            let (_, code) = error_of(login(&b, "demo1", WRONG).await).await;
            code
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), "invalid_credentials");
    }
    let (failures, locked_until) = throttle_state(&srv, "demo1").await;
    assert!(
        failures >= 5 && locked_until.is_some(),
        "{attempts} concurrent wrong passwords left failed_attempts = {failures}, locked_until = {locked_until:?}"
    );
    let b = Browser::new(&srv);
    expect_error(login(&b, "demo1", DEMO_PASSWORD).await, "invalid_credentials").await;
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 4. Session lifecycle.
// ---------------------------------------------------------------------------------

async fn session_id_changes_at_login_and_logout_ends_it(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);

    // A session exists before the log-in (an enrollment under way keeps state in it):
    // the kind of id an attacker could plant in a victim's browser.
    let c3 = demo_customer(3);
    let started = b.call("enroll_start", &[("customer_no", &c3.customer_no), ("id_tail", &c3.id_number_tail)]).await;
    assert_eq!(success_to(started).await, "/enroll/verify");
    let planted = b.session_cookie().expect("a session cookie before log-in");
    assert!(!b.signed_in().await);

    // (Logged in with the plain form, as without the WASM.)
    let form = b.form("login", &[("username", "demo1"), ("password", DEMO_PASSWORD)], "/login").await;
    assert_eq!(form.status(), StatusCode::FOUND);
    assert_eq!(location(&form).as_deref(), Some("/accounts"));
    let fresh = b.session_cookie().expect("a session cookie after log-in");
    assert_ne!(planted, fresh, "log-in issues a new session id");
    assert_eq!(b.me().await["display_name"].as_str().map(str::is_empty), Some(false), "signed in");

    let attacker = Browser::with_cookie(&srv, &planted);
    assert!(attacker.me().await.is_null(), "the pre-log-in id opens nothing");
    expect_error(attacker.call("sessions", &[]).await, "unauthenticated").await;
    assert!(b.signed_in().await, "the victim is still signed in");

    // Log-out ends the session on the server: the id replayed opens nothing.
    let before_logout = b.session_cookie().expect("cookie");
    assert_eq!(success_to(b.call("logout", &[]).await).await, "/");
    assert!(!b.signed_in().await);
    assert_ne!(b.session_cookie(), Some(before_logout.clone()), "the cookie is dropped");
    let replay = Browser::with_cookie(&srv, &before_logout);
    assert!(replay.me().await.is_null(), "a logged-out id is refused");
    expect_error(replay.call("sessions", &[]).await, "unauthenticated").await;
    expect_error(replay.call("security_events", &[]).await, "unauthenticated").await;

    let logged_out: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE event = 'logged_out'")
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap();
    assert_eq!(logged_out, 1);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

async fn idle_sessions_expire_and_activity_keeps_them_alive(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);

    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    let id = b.session_cookie().expect("cookie");
    srv.clock.advance_seconds(16 * 60);
    assert!(!b.signed_in().await, "16 idle minutes end the session");
    assert!(Browser::with_cookie(&srv, &id).me().await.is_null(), "and its id for good");

    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    srv.clock.advance_seconds(14 * 60);
    assert!(b.signed_in().await, "14 idle minutes are fine");
    srv.clock.advance_seconds(14 * 60);
    assert!(b.signed_in().await, "a request in between kept it alive");
    srv.clock.advance_seconds(15 * 60);
    assert!(!b.signed_in().await, "15 idle minutes end it");

    let expired: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE event = 'session_ended' AND detail LIKE '%expired%'")
            .fetch_one(srv.state.db.pool())
            .await
            .unwrap();
    assert_eq!(expired, 2, "each expiry is audited");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

async fn sessions_end_after_twelve_hours_whatever_the_activity(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    for tick in 1..72 {
        srv.clock.advance_seconds(10 * 60);
        assert!(b.signed_in().await, "still signed in after {} minutes of activity", tick * 10);
    }
    srv.clock.advance_seconds(10 * 60);
    assert!(!b.signed_in().await, "twelve hours is the limit, however active");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 5. Cross-site request forgery.
// ---------------------------------------------------------------------------------

async fn cross_site_writes_change_nothing(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let a = Browser::new(&srv);
    let other = Browser::new(&srv);
    assert_eq!(success_to(login(&a, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    assert_eq!(success_to(login(&other, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    let audited = audit_rows(&srv).await;
    let id = a.session_cookie();

    let evil = [("origin", "https://evil.example")];
    let forged = a.call_with("logout", &[], &evil).await;
    assert_eq!(forged.status(), 403);
    let forged = a.call_with("end_other_sessions", &[], &[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(forged.status(), 403);
    let forged = a.call_with("end_other_sessions", &[], &[("sec-fetch-site", "same-site")]).await;
    assert_eq!(forged.status(), 403, "a sibling site is not our origin");
    let forged = a.call_with("logout", &[], &[("origin", "null")]).await;
    assert_eq!(forged.status(), 403, "an opaque origin is not ours");
    // A forged no-JS form post: refused too, not redirected.
    let referer = [("origin", "https://evil.example"), ("accept", "text/html"), ("referer", "https://evil.example/")];
    let forged = a.call_with("end_other_sessions", &[], &referer).await;
    assert_eq!(forged.status(), 403);

    assert!(a.signed_in().await, "the forged log-out did nothing");
    assert_eq!(a.session_cookie(), id, "same session");
    assert!(other.signed_in().await, "the forged end-others did nothing");

    // Log-in CSRF: a cross-site log-in does not sign the browser in.
    let victim = Browser::new(&srv);
    let forged = victim.call_with("login", &[("username", "demo2"), ("password", DEMO_PASSWORD)], &evil).await;
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get("set-cookie").is_none());
    assert!(!victim.signed_in().await);
    assert_eq!(audit_rows(&srv).await, audited, "nothing was audited: nothing ran");

    // The same request from our own origin goes through.
    let own = format!("http://{}", srv.addr);
    let real = a.call_with("end_other_sessions", &[], &[("origin", own.as_str())]).await;
    assert_eq!(success_to(real).await, "/security");
    assert!(!other.signed_in().await);
    assert!(a.signed_in().await);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 6. TOTP.
// ---------------------------------------------------------------------------------

async fn totp_codes_work_once(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let a = Browser::new(&srv);
    assert_eq!(success_to(login(&a, "demo1", DEMO_PASSWORD).await).await, "/accounts", "no second factor yet");

    ok(a.call("totp_begin", &[]).await).await;
    let setup = a.json("totp_pending", &[]).await;
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("secret")).expect("base32");
    assert!(setup["qr_svg"].as_str().is_some_and(|svg| svg.starts_with("<svg")), "a QR code");
    // The security page shows the same secret to type.
    let page = a.http.get(srv.url("/security")).send().await.unwrap().text().await.unwrap();
    let shown = page
        .split("data-testid=\"totp-secret\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(text, _)| text.to_owned())
        .unwrap_or_else(|| panic!("no totp-secret element on /security"));
    assert_eq!(TotpSecret::from_base32(&shown).map(|s| s.to_base32()), Some(secret.to_base32()));
    let step = now_step(&srv);
    expect_error(a.call("totp_confirm", &[("code", &invalid_code(&secret, step))]).await, "invalid_code").await;
    assert_eq!(totp_secret_of(&srv, "demo1").await, None, "a wrong code enrolls nothing");
    ok(a.call("totp_confirm", &[("code", &code_at_step(&secret, step))]).await).await;
    assert_eq!(totp_secret_of(&srv, "demo1").await, Some(secret.to_base32()));
    let recovery = a.json("recovery_codes", &[]).await;
    assert_eq!(recovery.as_array().map(Vec::len), Some(10), "ten recovery codes: {recovery}");
    assert_eq!(success_to(a.call("logout", &[]).await).await, "/");

    // The password now leads to the second step, and only halfway in.
    let b = Browser::new(&srv);
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/login/verify");
    assert!(b.me().await.is_null(), "half signed in is not signed in");
    expect_error(b.call("security_events", &[]).await, "unauthenticated").await;
    expect_error(b.call("sessions", &[]).await, "unauthenticated").await;
    let half = b.session_cookie().expect("cookie");

    expect_error(verify(&b, &invalid_code(&secret, step)).await, "invalid_code").await;
    expect_error(verify(&b, &code_at_step(&secret, step)).await, "invalid_code").await; // spent at set-up
    srv.clock.advance_seconds(30);
    let code = code_at_step(&secret, step + 1);
    assert_eq!(success_to(verify(&b, &code).await).await, "/accounts");
    assert!(b.signed_in().await);
    let full = b.session_cookie().expect("cookie");
    assert_ne!(half, full, "a new session id for the higher privilege");
    assert!(Browser::with_cookie(&srv, &half).me().await.is_null());
    assert!(b.json("security_events", &[]).await.as_array().is_some());

    // The same code a second time: refused, even with the right password.
    let c = Browser::new(&srv);
    assert_eq!(success_to(login(&c, "demo1", DEMO_PASSWORD).await).await, "/login/verify");
    expect_error(verify(&c, &code).await, "invalid_code").await;
    assert!(!c.signed_in().await);
    // The next step's code works.
    assert_eq!(success_to(verify(&c, &code_at_step(&secret, step + 2)).await).await, "/accounts");
    assert!(c.signed_in().await);

    let failures: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE event = 'login_failed' AND detail LIKE '%wrong_second_factor%'",
    )
    .fetch_one(srv.state.db.pool())
    .await
    .unwrap();
    assert_eq!(failures, 3, "each refused code is audited");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

/// A session that began a TOTP set-up before the second factor existed must not
/// be able to finish it afterwards without a step-up: that would replace the
/// customer's authenticator (and recovery codes) from a password-only session.
async fn a_second_factor_cannot_be_replaced_without_a_step_up(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let intruder = Browser::new(&srv);
    assert_eq!(success_to(login(&intruder, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    ok(intruder.call("totp_begin", &[]).await).await;
    let setup = intruder.json("totp_pending", &[]).await;
    let theirs = TotpSecret::from_base32(setup["secret"].as_str().expect("secret")).expect("base32");

    let owner = Browser::new(&srv);
    assert_eq!(success_to(login(&owner, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    let (mine, _) = set_up_totp(&srv, &owner).await;
    assert_eq!(totp_secret_of(&srv, "demo1").await, Some(mine.to_base32()));

    // Turning the authenticator on ended every password-only session: the intruder
    // is signed out and can neither start over...
    expect_error(intruder.call("totp_begin", &[]).await, "unauthenticated").await;
    // ...nor finish the set-up begun before.
    srv.clock.advance_seconds(30);
    let code = code_at_step(&theirs, now_step(&srv));
    let replaced = intruder.call("totp_confirm", &[("code", &code)]).await;
    let status = replaced.status();
    let stored = totp_secret_of(&srv, "demo1").await;
    assert!(
        !status.is_success() && stored == Some(mine.to_base32()),
        "a password-only session replaced the second factor (status {status}, secret now the intruder's: {})",
        stored == Some(theirs.to_base32())
    );
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 7. Staff.
// ---------------------------------------------------------------------------------

async fn staff_and_customer_doors_are_separate(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let s = Browser::new(&srv);
    assert_eq!(success_to(staff_login(&s, "s00005", DEMO_PASSWORD).await).await, "/staff/setup");
    assert!(s.me().await.is_null(), "no console before the second factor");
    let (status, code) = error_of(s.call("security_events", &[]).await).await;
    assert_eq!(code, "unauthenticated", "status {status}");
    expect_error(s.call("sessions", &[]).await, "unauthenticated").await;

    // Doors: a staff name at the customer door, a customer name at the staff door.
    let x = Browser::new(&srv);
    expect_error(login(&x, "s00005", DEMO_PASSWORD).await, "invalid_credentials").await;
    expect_error(staff_login(&x, "demo1", DEMO_PASSWORD).await, "invalid_credentials").await;
    expect_error(login(&x, "S00006", DEMO_PASSWORD).await, "invalid_credentials").await;
    assert!(!x.signed_in().await);
    assert_eq!(x.session_cookie(), None, "no session for a refused log-in");

    // With the second factor set up, the staff member is in: as staff, who still
    // cannot read a customer's endpoints.
    let (secret, step) = set_up_totp(&srv, &s).await;
    let me = s.me().await;
    assert_eq!(me["principal"]["kind"], "staff", "{me}");
    assert_eq!(me["principal"]["role"], "agent", "{me}");
    expect_error(s.call("security_events", &[]).await, "forbidden").await;

    // Next time the console asks for the code, not for a set-up.
    let t = Browser::new(&srv);
    assert_eq!(success_to(staff_login(&t, "s00005", DEMO_PASSWORD).await).await, "/staff/verify");
    assert!(t.me().await.is_null());
    assert_eq!(success_to(verify(&t, &code_at_step(&secret, step + 1)).await).await, "/staff/home");
    assert_eq!(t.me().await["principal"]["kind"], "staff");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 8. Sessions list.
// ---------------------------------------------------------------------------------

async fn customers_list_and_end_their_own_sessions_only(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let a = Browser::new(&srv);
    let b = Browser::new(&srv);
    assert_eq!(success_to(login(&a, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");

    let listed = a.json("sessions", &[]).await;
    let list = listed.as_array().expect("a list");
    assert_eq!(list.len(), 2, "{listed}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1, "{listed}");
    for session in list {
        let handle = session["handle"].as_str().expect("handle");
        assert!(handle.len() >= 16 && handle.bytes().all(|c| c.is_ascii_hexdigit()), "{handle}");
        for id in [a.session_cookie().unwrap(), b.session_cookie().unwrap()] {
            assert!(!listed.to_string().contains(&id), "session ids never leave the cookie");
        }
    }
    let other_handle =
        list.iter().find(|s| s["current"] == false).and_then(|s| s["handle"].as_str()).expect("B").to_owned();

    // Another customer's session cannot be ended by handle.
    let c = Browser::new(&srv);
    assert_eq!(success_to(login(&c, "demo2", DEMO_PASSWORD).await).await, "/accounts");
    let theirs = c.json("sessions", &[]).await;
    let their_handle = theirs[0]["handle"].as_str().expect("handle").to_owned();
    expect_error(a.call("end_session", &[("handle", &their_handle)]).await, "not_found").await;
    expect_error(a.call("end_session", &[("handle", "0123456789abcdef01234567")]).await, "not_found").await;
    assert!(c.signed_in().await, "demo2's session survives");

    // A ends B.
    assert_eq!(success_to(a.call("end_session", &[("handle", &other_handle)]).await).await, "/security");
    assert!(!b.signed_in().await, "the ended session is signed out");
    assert!(a.signed_in().await);
    assert_eq!(a.json("sessions", &[]).await.as_array().map(Vec::len), Some(1));
    expect_error(a.call("end_session", &[("handle", &other_handle)]).await, "not_found").await;

    // And "end all others".
    let d = Browser::new(&srv);
    let e = Browser::new(&srv);
    assert_eq!(success_to(login(&d, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    assert_eq!(success_to(login(&e, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    assert_eq!(a.json("sessions", &[]).await.as_array().map(Vec::len), Some(3));
    assert_eq!(success_to(a.call("end_other_sessions", &[]).await).await, "/security");
    assert!(!d.signed_in().await && !e.signed_in().await);
    assert!(a.signed_in().await);
    assert!(c.signed_in().await, "other customers are not touched");
    let left = a.json("sessions", &[]).await;
    assert_eq!(left.as_array().map(Vec::len), Some(1), "{left}");
    assert_eq!(left[0]["current"], true);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 9. Security events.
// ---------------------------------------------------------------------------------

async fn security_events_are_the_customers_own(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let a = Browser::new(&srv);
    let b = Browser::new(&srv);
    expect_error(login(&a, "demo1", WRONG).await, "invalid_credentials").await;
    expect_error(login(&a, "no-such-user", WRONG).await, "invalid_credentials").await;
    assert_eq!(success_to(login(&a, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    assert_eq!(success_to(login(&b, "demo2", DEMO_PASSWORD).await).await, "/accounts");

    let mine = a.json("security_events", &[]).await;
    let names: Vec<&str> = mine.as_array().expect("list").iter().filter_map(|e| e["event"].as_str()).collect();
    let succeeded = names.iter().position(|&n| n == "login_succeeded").unwrap_or_else(|| panic!("{mine}"));
    let failed = names.iter().position(|&n| n == "login_failed").unwrap_or_else(|| panic!("{mine}"));
    assert!(succeeded < failed, "newest first: {mine}");
    assert_eq!(names.iter().filter(|&&n| n == "login_failed").count(), 1, "the unknown name is nobody's: {mine}");
    for event in mine.as_array().unwrap() {
        assert_eq!(event["origin"], "127.0.0.0/24", "{event}");
        assert!(event["at_local"].as_str().is_some_and(|t| t.len() >= 16), "{event}");
    }

    // demo2 sees its own events, all of them, and none of demo1's.
    let theirs = b.json("security_events", &[]).await;
    let names: Vec<&str> = theirs.as_array().expect("list").iter().filter_map(|e| e["event"].as_str()).collect();
    assert!(names.contains(&"login_succeeded"), "{theirs}");
    assert!(!names.contains(&"login_failed"), "demo1's failure is not demo2's: {theirs}");
    let own: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE customer_id = \
         (SELECT principal_id FROM credentials WHERE username = 'demo2')",
    )
    .fetch_one(srv.state.db.pool())
    .await
    .unwrap();
    assert_eq!(names.len() as i64, own, "exactly demo2's own rows: {theirs}");

    // Anonymous callers get nothing.
    let anonymous = Browser::new(&srv);
    expect_error(anonymous.call("security_events", &[]).await, "unauthenticated").await;
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 10. A flood of log-ins.
// ---------------------------------------------------------------------------------

/// Set in the child process that runs the flood.
const FLOOD_CHILD: &str = "PORTAL_IDENTITY_FLOOD_CHILD";

/// Resident memory is a property of the whole process, and the allocator keeps what
/// earlier tests in this process used: the flood runs in a fresh process of this
/// same test binary (only this test), while this one holds every other test back.
async fn a_login_flood_stays_bounded_and_the_probe_answers(backend: Backend) {
    if std::env::var_os(FLOOD_CHILD).is_some() {
        return login_flood(backend).await;
    }
    let _alone = EXCLUSIVE.write().await;
    let name = match backend {
        Backend::Sqlite => "sqlite::a_login_flood_stays_bounded_and_the_probe_answers",
        Backend::Postgres => "postgres::a_login_flood_stays_bounded_and_the_probe_answers",
    };
    let exe = std::env::current_exe().expect("the test binary");
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(exe)
            .args(["--exact", name, "--nocapture", "--test-threads=1"])
            .env(FLOOD_CHILD, "1")
            .env("RUST_BACKTRACE", "0")
            .output()
    })
    .await
    .unwrap()
    .expect("run the flood in a child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stderr}");
    assert!(output.status.success(), "the flood failed (in its own process):\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the flood ran in the child: {stdout}");
}

async fn login_flood(backend: Backend) {
    let _alone = EXCLUSIVE.write().await;
    // One test client stands for many addresses: the per-address limit (which would
    // answer most of the flood 429 before any hashing) is off, so the hasher's own
    // bound is what is measured.
    let srv = TestServer::start_with(backend, |config| config.login_burst = 0).await;
    // Warm up: the dummy hash, the pools, the allocator's first arenas.
    let warm = Browser::new(&srv);
    expect_error(login(&warm, "nobody-warm", WRONG).await, "invalid_credentials").await;
    expect_error(login(&warm, "demo2", WRONG).await, "invalid_credentials").await;
    let rss_before = rss_kib();

    let attempts = 200;
    let flood = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(300)).build().unwrap();
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for i in 0..attempts {
        let username = match i % 4 {
            0 => "demo1".to_owned(),
            1 => format!("s0000{}", i % 6 + 1),
            2 => "demo2".to_owned(),
            _ => format!("ghost{i}"),
        };
        let (flood, done, url) = (flood.clone(), done.clone(), srv.url("/api/login"));
        tasks.push(tokio::spawn(async move {
            let response = flood.post(url).form(&[("username", username.as_str()), ("password", WRONG)]).send().await;
            let outcome = match response {
                Ok(r) => {
                    let status = r.status();
                    (status, r.text().await.unwrap_or_default())
                }
                Err(e) => (StatusCode::REQUEST_TIMEOUT, format!("transport error: {e}")),
            };
            done.fetch_add(1, Ordering::SeqCst);
            outcome
        }));
    }

    let probe = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
    let mut during = Vec::new();
    let mut rss_peak = rss_before;
    let started = Instant::now();
    while done.load(Ordering::SeqCst) < attempts {
        assert!(started.elapsed() < Duration::from_secs(300), "the flood did not drain in five minutes");
        let t = Instant::now();
        let alive = probe.get(srv.url("/healthz")).send().await.expect("/healthz");
        let latency = t.elapsed();
        assert_eq!(alive.status(), 200);
        if done.load(Ordering::SeqCst) < attempts {
            during.push(latency);
        }
        rss_peak = rss_peak.max(rss_kib());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed();

    let (mut refused, mut busy, mut other) = (0, 0, Vec::new());
    for task in tasks {
        let (status, body) = task.await.unwrap();
        let code = serde_json::from_str::<Value>(&body).ok().and_then(|v| v["code"].as_str().map(str::to_owned));
        match code.as_deref() {
            Some("invalid_credentials") if !status.is_success() => refused += 1,
            Some("busy") if !status.is_success() => busy += 1,
            _ => other.push((status, body)),
        }
    }
    rss_peak = rss_peak.max(rss_kib());
    eprintln!(
        "flood on {backend:?}: {refused} refused, {busy} busy in {elapsed:?}; /healthz during: {during:?}; \
         RSS {rss_before} KiB -> peak {rss_peak} KiB"
    );
    assert!(other.is_empty(), "every attempt is refused or told to come back: {other:?}");
    assert_eq!(refused + busy, attempts);
    assert!(!during.is_empty(), "/healthz was measured while the flood ran");
    for latency in &during {
        assert!(*latency < Duration::from_secs(1), "/healthz took {latency:?} during the flood: {during:?}");
    }
    let growth_mib = rss_peak.saturating_sub(rss_before) / 1024;
    assert!(growth_mib < 200, "resident memory grew by {growth_mib} MiB during the flood");

    // The server is still itself afterwards: once any lock has run out, the right
    // password works.
    srv.clock.advance_seconds(16 * 60);
    let b = Browser::new(&srv);
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// The HTTP status of an error.
// ---------------------------------------------------------------------------------

/// A server function's error should answer with the status its code names
/// (`ErrorCode::http_status`: 401 for a failed log-in or no session, 404 for not
/// found, 400 for a wrong code, 503 for busy), not 500 for all: monitoring counts
/// 5xx as faults of ours, and clients retry on 503 only.
async fn error_answers_carry_the_status_of_their_code(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let b = Browser::new(&srv);
    let mut answers = Vec::new();
    answers.push(error_of(login(&b, "demo1", WRONG).await).await);
    answers.push(error_of(b.call("sessions", &[]).await).await);
    answers.push(error_of(verify(&b, "123456").await).await);
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    answers.push(error_of(b.call("end_session", &[("handle", "0123456789abcdef01234567")]).await).await);
    ok(b.call("totp_begin", &[]).await).await;
    let setup = b.json("totp_pending", &[]).await;
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("secret")).expect("base32");
    let wrong = invalid_code(&secret, now_step(&srv));
    answers.push(error_of(b.call("totp_confirm", &[("code", &wrong)]).await).await);

    let codes: Vec<&str> = answers.iter().map(|(_, code)| code.as_str()).collect();
    assert_eq!(codes, ["invalid_credentials", "unauthenticated", "unauthenticated", "not_found", "invalid_code"]);
    let wrong_status: Vec<String> = answers
        .iter()
        .filter_map(|(status, code)| {
            let parsed: app::error::ErrorCode =
                serde_json::from_value(Value::String(code.clone())).expect("a known code");
            let expected = parsed.http_status();
            (status.as_u16() != expected).then(|| format!("{code}: {status}, expected {expected}"))
        })
        .collect();
    assert!(wrong_status.is_empty(), "errors answered with the wrong status: {wrong_status:?}");
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Forgot and change password, recovery codes, new-device notices.
// ---------------------------------------------------------------------------------

async fn forgot_password_resets_unlocks_and_ends_every_session(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let c = app::backend::seed::demo_customer(1);
    let elsewhere = Browser::new(&srv);
    assert_eq!(success_to(login(&elsewhere, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    // Lock the account first: a reset by SMS is the customer's way back in.
    let attacker = Browser::new(&srv);
    for _ in 0..5 {
        expect_error(login(&attacker, "demo1", "not the password at all").await, "invalid_credentials").await;
    }
    assert!(throttle_state(&srv, "demo1").await.1.is_some(), "locked");

    let me = Browser::new(&srv);
    expect_error(me.call("reset_start", &[("customer_no", &c.customer_no), ("id_tail", "000000")]).await, "no_match")
        .await;
    ok(me.call("reset_start", &[("customer_no", &c.customer_no), ("id_tail", &c.id_number_tail)]).await).await;
    let code = latest_code(&srv, &c.phone).await;
    let new_password = "a brand new sentence for the bank";
    expect_error(me.call("reset_finish", &[("code", "000000"), ("password", new_password)]).await, "invalid_code")
        .await;
    expect_error(
        me.call("reset_finish", &[("code", &code), ("password", "password1234")]).await,
        "password_too_common",
    )
    .await;
    ok(me.call("reset_finish", &[("code", &code), ("password", new_password)]).await).await;

    assert!(!elsewhere.signed_in().await, "every session ended by the reset");
    assert_eq!(throttle_state(&srv, "demo1").await, (0, None), "the lock is cleared");
    expect_error(login(&Browser::new(&srv), "demo1", DEMO_PASSWORD).await, "invalid_credentials").await;
    assert_eq!(success_to(login(&Browser::new(&srv), "demo1", new_password).await).await, "/accounts");
    // The code was used up.
    expect_error(me.call("reset_finish", &[("code", &code), ("password", new_password)]).await, "invalid_code").await;
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

async fn changing_the_password_needs_a_fresh_step_up_and_ends_other_sessions(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let me = Browser::new(&srv);
    assert_eq!(success_to(login(&me, "demo2", DEMO_PASSWORD).await).await, "/accounts");
    let new_password = "my second sentence for this bank";
    let change = [("current_password", DEMO_PASSWORD), ("new_password", new_password)];
    expect_error(me.call("change_password", &change).await, "step_up_required").await;
    let (secret, used) = set_up_totp(&srv, &me).await;
    // Setting up the authenticator counts as a fresh confirmation, for 5 minutes.
    srv.clock.advance_seconds(301);
    let other = Browser::new(&srv);
    assert_eq!(success_to(login(&other, "demo2", DEMO_PASSWORD).await).await, "/login/verify");
    let step = now_step(&srv);
    assert!(step > used);
    assert_eq!(success_to(verify(&other, &code_at_step(&secret, step)).await).await, "/accounts");
    expect_error(me.call("change_password", &change).await, "step_up_required").await;
    srv.clock.advance_seconds(30);
    ok(me.call("step_up", &[("step_up_code", &code_at_step(&secret, now_step(&srv)))]).await).await;
    let wrong_current = [("current_password", "this is not my password"), ("new_password", new_password)];
    expect_error(me.call("change_password", &wrong_current).await, "invalid_credentials").await;
    ok(me.call("change_password", &change).await).await;
    assert!(me.signed_in().await, "this session stays");
    assert!(!other.signed_in().await, "the other session ended");
    let notices = me.json("notifications", &[]).await;
    assert!(notices.as_array().unwrap().iter().any(|n| n["kind"] == "password_changed"), "{notices}");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

async fn a_recovery_code_replaces_the_authenticator_once(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let me = Browser::new(&srv);
    assert_eq!(success_to(login(&me, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    set_up_totp(&srv, &me).await;
    let codes = me.json("recovery_codes", &[]).await;
    let codes: Vec<String> = codes.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT code_hash FROM recovery_codes").fetch_all(srv.state.db.pool()).await.unwrap();
    assert!(codes.iter().all(|c| !stored.contains(c)), "stored hashed, not as typed");

    let phone_lost = Browser::new(&srv);
    assert_eq!(success_to(login(&phone_lost, "demo1", DEMO_PASSWORD).await).await, "/login/verify");
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(success_to(verify(&phone_lost, &typed).await).await, "/accounts");

    let again = Browser::new(&srv);
    assert_eq!(success_to(login(&again, "demo1", DEMO_PASSWORD).await).await, "/login/verify");
    expect_error(verify(&again, &codes[3]).await, "invalid_code").await;
    assert_eq!(success_to(verify(&again, &codes[4]).await).await, "/accounts");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

async fn a_new_device_raises_a_notification(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let phone = Browser::new(&srv);
    let login_from = |agent: &'static str| {
        let b = Browser::new(&srv);
        async move {
            let response = b
                .post("login")
                .header("user-agent", agent)
                .form(&[("username", "demo2"), ("password", DEMO_PASSWORD)])
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            b
        }
    };
    drop(phone);
    let android = "Mozilla/5.0 (Linux; Android 10) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
    let first = login_from(android).await;
    assert_eq!(first.json("notifications", &[]).await.as_array().unwrap().len(), 0, "the first device is expected");
    let _same = login_from(android).await;
    assert_eq!(first.json("notifications", &[]).await.as_array().unwrap().len(), 0, "a known device is quiet");
    let _windows = login_from("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/120.0").await;
    let notices = first.json("notifications", &[]).await;
    let list = notices.as_array().unwrap();
    assert_eq!(list.len(), 1, "{notices}");
    assert_eq!(list[0]["kind"], "new_device_login");
    assert!(list[0]["detail"].as_str().unwrap().contains("Firefox"), "{notices}");
    assert_eq!(first.me().await["unread_notifications"], 1);
    ok(first.call("notifications_read", &[]).await).await;
    assert_eq!(first.me().await["unread_notifications"], 0);
    srv.stop().await.unwrap();
}

async fn too_many_attempts_from_one_address_get_429(backend: Backend) {
    let srv = TestServer::start_with(backend, |c| c.login_burst = 3).await;
    let b = Browser::new(&srv);
    for _ in 0..3 {
        expect_error(login(&b, "nobody-here", "some wrong password").await, "invalid_credentials").await;
    }
    let refused = login(&b, "demo1", DEMO_PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u32 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=6).contains(&retry), "retry after {retry} s");
    expect_error(refused, "too_many_requests").await;
    // The limit is per class: pages and other server functions still answer.
    assert_eq!(srv.get("/").await.status(), 200);
    // And it refills with the (test) clock.
    srv.clock.advance_seconds(6);
    assert_eq!(success_to(login(&b, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    srv.stop().await.unwrap();
}

async fn a_customer_can_be_identified_by_card_number(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let c = app::backend::seed::demo_customer(4);
    let b = Browser::new(&srv);
    // Spaces as printed on the card are fine; a wrong tail is the usual "no match".
    let spaced: String = c
        .card_no
        .chars()
        .enumerate()
        .flat_map(|(i, d)| (i > 0 && i % 4 == 0).then_some(' ').into_iter().chain([d]))
        .collect();
    expect_error(b.call("enroll_start", &[("customer_no", &spaced), ("id_tail", "000000")]).await, "no_match").await;
    expect_error(
        b.call("enroll_start", &[("customer_no", "6217990000000000"), ("id_tail", &c.id_number_tail)]).await,
        "no_match",
    )
    .await;
    ok(b.call("enroll_start", &[("customer_no", &spaced), ("id_tail", &c.id_number_tail)]).await).await;
    let code = latest_code(&srv, &c.phone).await;
    let form = [("code", code.as_str()), ("username", "card4"), ("password", "a long sentence from card four")];
    ok(b.call("enroll_finish", &form).await).await;
    assert_eq!(
        success_to(login(&Browser::new(&srv), "card4", "a long sentence from card four").await).await,
        "/accounts"
    );
    srv.stop().await.unwrap();
}

async fn the_outbox_is_delivered_by_the_background_sender(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let c = app::backend::seed::demo_customer(5);
    let b = Browser::new(&srv);
    ok(b.call("enroll_start", &[("customer_no", &c.customer_no), ("id_tail", &c.id_number_tail)]).await).await;
    let mut sent = None;
    for _ in 0..50 {
        sent = sqlx::query_scalar::<_, Option<i64>>("SELECT sent_at FROM outbox WHERE recipient = $1")
            .bind(&c.phone)
            .fetch_one(srv.state.db.pool())
            .await
            .unwrap();
        if sent.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(sent.is_some(), "the message was handed to the sender within 5 s");
    srv.stop().await.unwrap();
}

/// A signed-in session must not be able to guess step-up codes without limit: a
/// wrong code counts toward the credential's lock like a wrong log-in code.
async fn wrong_step_up_codes_count_toward_the_lock(backend: Backend) {
    let (_shared, srv) = start(backend).await;
    let a = Browser::new(&srv);
    assert_eq!(success_to(login(&a, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    let (secret, step) = set_up_totp(&srv, &a).await;
    for n in 1..=5 {
        expect_error(a.call("step_up", &[("step_up_code", &invalid_code(&secret, step + 1))]).await, "invalid_code")
            .await;
        assert_eq!(throttle_state(&srv, "demo1").await.0, n, "wrong step-up code {n} is counted");
    }
    let (_, locked_until) = throttle_state(&srv, "demo1").await;
    assert!(locked_until.is_some_and(|until| until > srv.clock.now().micros()), "five wrong codes lock");
    // While locked, even the right code is refused.
    srv.clock.advance_seconds(30);
    expect_error(a.call("step_up", &[("step_up_code", &code_at_step(&secret, step + 1))]).await, "invalid_code").await;
    // After the lock, the right code works and clears the count.
    srv.clock.advance_seconds(60);
    ok(a.call("step_up", &[("step_up_code", &code_at_step(&secret, now_step(&srv)))]).await).await;
    assert_eq!(throttle_state(&srv, "demo1").await, (0, None));
    srv.stop().await.unwrap();
}
