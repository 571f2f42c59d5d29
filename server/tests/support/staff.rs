//! Staff in tests: a browser signed in to the console, second factor and all.
use super::browser::{ok, staff_login, success_to, Browser};
use super::TestServer;
use app::backend::identity::totp::{code_at_step, step_of, TotpSecret};
use app::backend::seed::DEMO_PASSWORD;
use app::backend::Clock as _;

/// Signs a demo staff member in (username: the staff number in lower case, e.g.
/// "s00003"), setting up the authenticator on the first log-in. The test clock
/// moves on one TOTP step afterwards, so the next sign-in can use a fresh code.
pub async fn staff_browser(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    let next = success_to(staff_login(&b, username, DEMO_PASSWORD).await).await;
    let step = step_of(srv.clock.now());
    if next == "/staff/setup" {
        ok(b.call("totp_begin", &[]).await).await;
        let setup = b.json("totp_pending", &[]).await;
        let text = setup["secret"].as_str().unwrap_or_else(|| panic!("a pending secret: {setup}"));
        let secret = TotpSecret::from_base32(text).expect("a base32 secret");
        ok(b.call("totp_confirm", &[("code", &code_at_step(&secret, step))]).await).await;
    } else {
        assert_eq!(next, "/staff/verify", "staff log-in of {username}");
        let stored: String = sqlx::query_scalar("SELECT totp_secret FROM credentials WHERE username = $1")
            .bind(username)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("the staff member's secret");
        let secret = TotpSecret::from_base32(&stored).expect("a base32 secret");
        ok(b.call("verify", &[("code", &code_at_step(&secret, step))]).await).await;
    }
    srv.clock.advance_seconds(30);
    assert_eq!(b.me().await["principal"]["kind"], "staff", "{username} is signed in as staff");
    b
}
