//! "View as customer" in tests: a staff member's fresh authenticator code, and the
//! start form posted the way the page posts it (token, reason, reference, code).
use super::browser::Browser;
use super::TestServer;
use app::backend::identity::totp::{code_at_step, step_of, TotpSecret};
use app::backend::Clock as _;
use reqwest::Response;

/// demo1's customer number.
pub const DEMO1: &str = "C00000001";

/// The current code of `username`'s authenticator, after moving the clock on one
/// step so it has not been used yet (a code counts once).
pub async fn fresh_code(srv: &TestServer, username: &str) -> String {
    srv.clock.advance_seconds(30);
    let stored: String = sqlx::query_scalar("SELECT totp_secret FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("the staff member's authenticator secret");
    let secret = TotpSecret::from_base32(&stored).expect("a base32 secret");
    code_at_step(&secret, step_of(srv.clock.now()))
}

/// This staff session's anti-forgery token, from the start form of any customer.
pub async fn csrf(staff: &Browser) -> String {
    let form = staff.json("impersonation_form", &[("customer_no", DEMO1)]).await;
    form["csrf"].as_str().unwrap_or_else(|| panic!("a token in {form}")).to_owned()
}

/// Posts the start form for `target` with a fresh code and the session's token;
/// the clock is 30 s on afterwards.
pub async fn start(srv: &TestServer, staff: &Browser, username: &str, target: &str) -> Response {
    let token = csrf(staff).await;
    let code = fresh_code(srv, username).await;
    let response = staff
        .call(
            "impersonation_start",
            &[
                ("customer_no", target),
                ("reason", "customer cannot find the deposit"),
                ("reference", "CALL-1001"),
                ("code", &code),
                ("csrf", &token),
            ],
        )
        .await;
    // On one step, so the next sign-in or start has a code not used yet.
    srv.clock.advance_seconds(30);
    response
}
