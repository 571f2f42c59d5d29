//! "View as customer", on SQLite and PostgreSQL: who may start it on whom (each role
//! against each kind of target), the proofs a start needs (the form's token, a
//! fresh second factor, same origin), what the viewer sees and may not do, every
//! way it ends (stop, the 60-minute limit by the test clock, staff log-out, the
//! staff session's end, the role removed, the customer turning it off), that it
//! never outlives the staff session nor touches the customer's own sessions, and
//! what the customer is told.
mod support;

use app::backend::seed::DEMO_PASSWORD;
use app::backend::Clock as _;
use serde_json::Value;
use support::browser::*;
use support::staff::staff_browser;
use support::viewing::{csrf, fresh_code, start, DEMO1};
use support::{Backend, TestServer};

on_both_backends!(
    each_role_against_each_kind_of_target,
    starting_needs_the_form_token_a_fresh_code_and_the_same_origin,
    the_viewer_reads_the_customers_data_and_changes_nothing,
    it_ends_at_sixty_minutes_by_the_clock,
    it_ends_at_staff_log_out_and_at_the_staff_sessions_end,
    it_ends_when_the_role_is_removed_mid_session,
    it_never_outlives_the_staff_session_nor_touches_the_customers_sessions,
    the_customer_is_told_and_sees_the_access,
    the_customer_may_turn_it_off_which_ends_a_running_one,
);

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

async fn i64_of(srv: &TestServer, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(bind).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn exec(srv: &TestServer, sql: &str) {
    sqlx::query(sql).execute(srv.state.db.pool()).await.expect(sql);
}

async fn viewings(srv: &TestServer) -> i64 {
    i64_of(srv, "SELECT COUNT(*) FROM impersonations WHERE reason <> $1", "").await
}

/// (ended?, end reason) of the newest viewing.
async fn newest(srv: &TestServer) -> (Option<i64>, Option<String>, i64) {
    sqlx::query_as("SELECT ended_at, end_reason, expires_at FROM impersonations ORDER BY id DESC LIMIT 1")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("a viewing")
}

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    b
}

/// Whether the staff browser reads demo1's overview (it does only while viewing).
async fn reads_demo1(b: &Browser) -> bool {
    let response = b.call("overview", &[]).await;
    response.status() == 200
}

async fn expect_start_refused(srv: &TestServer, staff: &Browser, username: &str, target: &str, code: &str) {
    let before = viewings(srv).await;
    let response = start(srv, staff, username, target).await;
    let (status, got) = error_of(response).await;
    assert_eq!(got, code, "{username} → {target} (status {status})");
    assert!(status == 403 || status == 404 || status == 409, "{username} → {target}: status {status}");
    assert_eq!(viewings(srv).await, before, "{username} → {target}: nothing started");
    if code != "already_impersonating" {
        assert!(!reads_demo1(staff).await, "{username} → {target}: no customer data after a refusal");
    }
}

// ---------------------------------------------------------------------------------
// Who may, on whom.
// ---------------------------------------------------------------------------------

async fn each_role_against_each_kind_of_target(backend: Backend) {
    let srv = TestServer::start(backend).await;
    // The kinds of target: an ordinary customer, a customer who is an employee, a
    // staff number (an agent's, an admin's), oneself (by staff number and by one's
    // own customer record), a customer locked by the bank, one locked out by failed
    // log-ins, a closed one, one who turned viewing off.
    exec(&srv, "UPDATE customers SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S00006') WHERE customer_no = 'C00000010'").await;
    exec(&srv, "UPDATE customers SET status = 'locked' WHERE customer_no = 'C00000011'").await;
    exec(&srv, "UPDATE customers SET status = 'closed' WHERE customer_no = 'C00000012'").await;
    exec(&srv, "UPDATE customers SET allow_staff_view = 0 WHERE customer_no = 'C00000002'").await;
    let far = srv.clock.now().plus_seconds(86_400).micros();
    sqlx::query("UPDATE credentials SET locked_until = $1 WHERE username = 'demo2'")
        .bind(far)
        .execute(srv.state.db.pool())
        .await
        .expect("lock demo2 out");
    exec(&srv, "UPDATE customers SET allow_staff_view = 1 WHERE customer_no = 'C00000002'").await;

    for (username, staff_no) in [("s00005", "S00005"), ("s00002", "S00002"), ("s00001", "S00001")] {
        let staff = staff_browser(&srv, username).await;
        // Each role's own customer record, for "self" reached as a customer.
        let own = format!("C000000{}", 20 + &staff_no[5..].parse::<i64>().expect("a number"));
        exec(&srv, &format!("UPDATE customers SET staff_id = (SELECT id FROM staff WHERE staff_no = '{staff_no}') WHERE customer_no = '{own}'")).await;
        let other_staff = if staff_no == "S00006" { "S00005" } else { "S00006" };
        expect_start_refused(&srv, &staff, username, other_staff, "target_is_staff").await;
        if staff_no != "S00001" {
            expect_start_refused(&srv, &staff, username, "S00001", "target_is_staff").await;
        }
        expect_start_refused(&srv, &staff, username, "C00000010", "target_is_staff").await;
        expect_start_refused(&srv, &staff, username, staff_no, "target_is_self").await;
        expect_start_refused(&srv, &staff, username, &own, "target_is_self").await;
        expect_start_refused(&srv, &staff, username, "C00000011", "customer_unavailable").await;
        expect_start_refused(&srv, &staff, username, "C00000012", "customer_unavailable").await;
        expect_start_refused(&srv, &staff, username, "C00000002", "customer_unavailable").await;
        // The form says the same as the start would, before a reason and code are typed.
        for (target, code) in
            [("C00000002", "customer_unavailable"), (own.as_str(), "target_is_self"), ("C00000010", "target_is_staff")]
        {
            let form = staff.json("impersonation_form", &[("customer_no", target)]).await;
            assert_eq!(form["refusal"], code, "{username}: the form for {target}");
        }
        exec(&srv, "UPDATE customers SET allow_staff_view = 0 WHERE customer_no = 'C00000003'").await;
        expect_start_refused(&srv, &staff, username, "C00000003", "staff_view_off").await;
        exec(&srv, "UPDATE customers SET allow_staff_view = 1 WHERE customer_no = 'C00000003'").await;
        // The ordinary customer: allowed; a second while it runs: refused.
        assert_eq!(success_to(start(&srv, &staff, username, DEMO1).await).await, "/accounts", "{username} views demo1");
        assert!(reads_demo1(&staff).await, "{username} reads demo1's overview");
        expect_start_refused(&srv, &staff, username, "C00000003", "already_impersonating").await;
        assert!(reads_demo1(&staff).await, "the first viewing still runs");
        // Every refusal left its audit row, naming the staff member.
        let refused = i64_of(
            &srv,
            "SELECT COUNT(*) FROM audit_log WHERE event = 'impersonation_refused' AND actor_kind = 'staff' \
             AND actor_id = (SELECT id FROM staff WHERE staff_no = $1)",
            staff_no,
        )
        .await;
        let expected = if staff_no == "S00001" { 9 } else { 10 };
        assert_eq!(refused, expected, "{username}: every refusal audited");
        ok(staff.call("impersonation_stop", &[]).await).await;
        assert!(!reads_demo1(&staff).await, "{username}: stopped");
    }
    // Advisors may not start at all, even on an ordinary customer.
    let advisor = staff_browser(&srv, "s00003").await;
    let response = advisor.call("impersonation_form", &[("customer_no", DEMO1)]).await;
    expect_error(response, "forbidden").await;
    let code = fresh_code(&srv, "s00003").await;
    let response = advisor
        .call(
            "impersonation_start",
            &[
                ("customer_no", DEMO1),
                ("reason", "just looking"),
                ("reference", "CALL-1"),
                ("code", &code),
                ("csrf", "x"),
            ],
        )
        .await;
    expect_error(response, "forbidden").await;
    // Customers neither.
    let demo3 = customer(&srv, "demo1").await;
    expect_error(demo3.call("impersonation_form", &[("customer_no", "C00000003")]).await, "forbidden").await;
    srv.stop().await.expect("clean stop");
}

// ---------------------------------------------------------------------------------
// The proofs a start needs.
// ---------------------------------------------------------------------------------

async fn starting_needs_the_form_token_a_fresh_code_and_the_same_origin(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    let other = staff_browser(&srv, "s00006").await;
    let form = |token: &str, code: &str| {
        vec![
            ("customer_no".to_owned(), DEMO1.to_owned()),
            ("reason".to_owned(), "customer cannot log in".to_owned()),
            ("reference".to_owned(), "CALL-2002".to_owned()),
            ("code".to_owned(), code.to_owned()),
            ("csrf".to_owned(), token.to_owned()),
        ]
    };
    let send = |fields: Vec<(String, String)>, headers: Vec<(&'static str, String)>| {
        let mut request = staff.post("impersonation_start").form(&fields);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send()
    };
    // No token, or another session's token: refused, and the code is not spent.
    let code = fresh_code(&srv, "s00005").await;
    expect_error(send(form("", &code), vec![]).await.expect("POST"), "csrf_failed").await;
    let theirs = csrf(&other).await;
    expect_error(send(form(&theirs, &code), vec![]).await.expect("POST"), "csrf_failed").await;
    // A cross-site post with the right token: stopped before the function.
    let token = csrf(&staff).await;
    let cross = send(form(&token, &code), vec![("origin", "https://evil.example".to_owned())]).await.expect("POST");
    assert_eq!(cross.status(), 403, "cross-site start refused");
    let cross = send(form(&token, &code), vec![("sec-fetch-site", "cross-site".to_owned())]).await.expect("POST");
    assert_eq!(cross.status(), 403, "cross-site start refused");
    // A GET is no way to start one.
    let get = staff
        .http
        .get(srv.url("/api/impersonation_start?customer_no=C00000001&reason=xxxxx&reference=CALL-1&code=1&csrf=x"))
        .send()
        .await
        .expect("GET");
    assert!(!get.status().is_success(), "GET does not start: {}", get.status());
    // No code, a wrong code, the code already used: refused.
    expect_error(send(form(&token, ""), vec![]).await.expect("POST"), "invalid_code").await;
    expect_error(send(form(&token, "000000"), vec![]).await.expect("POST"), "invalid_code").await;
    assert_eq!(viewings(&srv).await, 0, "nothing started");
    // With all three, it starts; the same code again would not.
    let code = fresh_code(&srv, "s00005").await;
    assert_eq!(success_to(send(form(&token, &code), vec![]).await.expect("POST")).await, "/accounts");
    ok(staff.call("impersonation_stop", &[]).await).await;
    expect_error(send(form(&token, &code), vec![]).await.expect("POST"), "invalid_code").await;
    assert_eq!(viewings(&srv).await, 1, "one viewing only");
    // Bad reason or reference: at the field, nothing started.
    let code = fresh_code(&srv, "s00005").await;
    let mut bad = form(&token, &code);
    bad[1].1 = "hm".to_owned();
    let (_, got) = error_of(send(bad, vec![]).await.expect("POST")).await;
    assert_eq!(got, "bad_request");
    assert_eq!(viewings(&srv).await, 1);
    srv.stop().await.expect("clean stop");
}

// ---------------------------------------------------------------------------------
// While it runs.
// ---------------------------------------------------------------------------------

async fn the_viewer_reads_the_customers_data_and_changes_nothing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    assert!(!reads_demo1(&staff).await, "staff read no customer data before");
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    // The overview is demo1's, and API answers carry the viewing's state.
    let response = staff.call("overview", &[]).await;
    assert_eq!(response.headers().get("x-impersonating-customer").and_then(|v| v.to_str().ok()), Some(DEMO1));
    assert_eq!(response.headers().get("x-impersonation-mode").and_then(|v| v.to_str().ok()), Some("read_only"));
    let left: i64 =
        response.headers()["x-impersonation-seconds-left"].to_str().expect("ascii").parse().expect("a number");
    assert!((3500..=3600).contains(&left), "about an hour left: {left}");
    let overview: Value = response.json().await.expect("JSON");
    let demo1_accounts: Vec<String> = sqlx::query_scalar(
        "SELECT a.account_no FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE c.customer_no = $1 AND a.kind <> 'internal'",
    )
    .bind(DEMO1)
    .fetch_all(srv.state.db.pool())
    .await
    .expect("demo1's accounts");
    let text = overview.to_string();
    assert!(demo1_accounts.iter().any(|no| text.contains(&no[no.len() - 4..])), "demo1's accounts shown: {text}");
    // The header's principal stays staff, with the banner.
    let me = staff.me().await;
    assert_eq!(me["principal"]["kind"], "staff");
    assert_eq!(me["impersonating"]["customer_no"], DEMO1);
    assert_eq!(me["impersonating"]["reference"], "CALL-1001");
    // The page itself: the banner with the stop form, the customer's menu.
    let page = staff.http.get(srv.url("/accounts")).send().await.expect("GET");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers().get("x-impersonating-customer").and_then(|v| v.to_str().ok()), Some(DEMO1));
    let html = page.text().await.expect("HTML");
    assert!(html.contains("impersonation-banner") && html.contains("impersonation_stop"), "banner with stop");
    // A transfer is refused with 403 and an audit row naming both, the route and the result.
    let transfer =
        [("from", "1"), ("to", "2"), ("amount", "1.00"), ("idempotency_key", "0123456789abcdef0123456789abcdef")];
    let response = staff.call("transfer_preview", &transfer).await;
    assert_eq!(response.status(), 403, "a write while viewing");
    let refusals = i64_of(
        &srv,
        "SELECT COUNT(*) FROM audit_log WHERE event = 'impersonation_request' AND actor_kind = 'staff' \
         AND customer_id = (SELECT id FROM customers WHERE customer_no = $1) AND detail LIKE '%refused%' \
         AND detail LIKE '%/api/transfer_preview%' AND detail LIKE '%CALL-1001%'",
        DEMO1,
    )
    .await;
    assert_eq!(refusals, 1, "the refused write is audited");
    // Every request of the viewing is audited; the counters agree.
    let (requests, refused): (i64, i64) =
        sqlx::query_as("SELECT requests, refused FROM impersonations ORDER BY id DESC LIMIT 1")
            .fetch_one(srv.state.db.pool())
            .await
            .expect("counters");
    let rows =
        i64_of(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = 'impersonation_request' AND detail <> $1", "").await;
    assert_eq!(rows, requests, "one audit row per request");
    assert!(refused >= 1);
    // Stop: back to the customer's console page, and no customer data any more.
    assert_eq!(success_to(staff.call("impersonation_stop", &[]).await).await, "/staff/customers/C00000001");
    assert!(!reads_demo1(&staff).await, "after stop");
    assert!(staff.me().await["impersonating"].is_null());
    let (ended, reason, _) = newest(&srv).await;
    assert!(ended.is_some());
    assert_eq!(reason.as_deref(), Some("stopped"));
    let ends = i64_of(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = $1", "impersonation_ended").await;
    assert_eq!(ends, 1, "the end is a row of its own");
    srv.stop().await.expect("clean stop");
}

// ---------------------------------------------------------------------------------
// How it ends.
// ---------------------------------------------------------------------------------

async fn it_ends_at_sixty_minutes_by_the_clock(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    let (_, _, expires_at) = newest(&srv).await;
    // Busy all along (the staff session never idles): still running at 59 minutes.
    for _ in 0..5 {
        srv.clock.advance_seconds(600);
        assert!(reads_demo1(&staff).await, "within the hour");
    }
    srv.clock.advance_seconds(60 * 60 - 3000 - 30 - 1);
    assert!(reads_demo1(&staff).await, "a second before the hour");
    srv.clock.advance_seconds(1);
    assert!(!reads_demo1(&staff).await, "at 60 minutes it has ended");
    let (ended, reason, _) = newest(&srv).await;
    assert_eq!(reason.as_deref(), Some("time_limit"));
    assert_eq!(ended, Some(expires_at), "it ended at its limit");
    assert!(staff.signed_in().await, "the staff session itself goes on");
    assert!(staff.me().await["impersonating"].is_null());
    srv.stop().await.expect("clean stop");
}

async fn it_ends_at_staff_log_out_and_at_the_staff_sessions_end(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    ok(staff.call("logout", &[]).await).await;
    let (ended, reason, _) = newest(&srv).await;
    assert!(ended.is_some());
    assert_eq!(reason.as_deref(), Some("logged_out"));
    // Signing in again does not bring it back.
    let again = staff_browser(&srv, "s00005").await;
    assert!(!reads_demo1(&again).await);
    // The staff session's end (15 minutes idle) ends a viewing with it.
    ok(start(&srv, &again, "s00005", DEMO1).await).await;
    srv.clock.advance_seconds(15 * 60);
    assert!(!again.signed_in().await, "the idle staff session ended");
    let (_, reason, _) = newest(&srv).await;
    assert_eq!(reason.as_deref(), Some("session_ended"));
    // A session that ended unseen (its record gone) does not block the next start.
    let third = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &third, "s00005", DEMO1).await).await;
    exec(&srv, "DELETE FROM sessions").await;
    let fourth = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &fourth, "s00005", DEMO1).await).await;
    assert!(reads_demo1(&fourth).await);
    let running = i64_of(&srv, "SELECT COUNT(*) FROM impersonations WHERE ended_at IS NULL AND reason <> $1", "").await;
    assert_eq!(running, 1, "the orphaned one was ended");
    srv.stop().await.expect("clean stop");
}

async fn it_ends_when_the_role_is_removed_mid_session(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    assert!(reads_demo1(&staff).await);
    exec(&srv, "UPDATE staff SET role = 'advisor' WHERE staff_no = 'S00005'").await;
    assert!(!reads_demo1(&staff).await, "at once, on the next request");
    let (_, reason, _) = newest(&srv).await;
    assert_eq!(reason.as_deref(), Some("role_removed"));
    // A disabled staff member likewise.
    exec(&srv, "UPDATE staff SET role = 'supervisor' WHERE staff_no = 'S00002'").await;
    let supervisor = staff_browser(&srv, "s00002").await;
    ok(start(&srv, &supervisor, "s00002", DEMO1).await).await;
    exec(&srv, "UPDATE staff SET status = 'disabled' WHERE staff_no = 'S00002'").await;
    assert!(!reads_demo1(&supervisor).await);
    let (_, reason, _) = newest(&srv).await;
    assert_eq!(reason.as_deref(), Some("role_removed"));
    srv.stop().await.expect("clean stop");
}

async fn it_never_outlives_the_staff_session_nor_touches_the_customers_sessions(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    // Keep the staff session busy until 11 h 40 min old: 20 minutes of its 12 hours remain.
    for _ in 0..50 {
        srv.clock.advance_seconds(14 * 60);
        ok(staff.call("keep_alive", &[]).await).await;
    }
    let demo1 = customer(&srv, "demo1").await;
    let open_sessions = "SELECT COUNT(*) FROM session_index WHERE ended_at IS NULL \
         AND credential_id = (SELECT id FROM credentials WHERE username = $1)";
    let demo1_sessions = i64_of(&srv, open_sessions, "demo1").await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    let left = staff.me().await["impersonating"]["seconds_left"].as_i64().expect("seconds left");
    assert!(left <= 20 * 60, "bounded by the staff session's lifetime: {left}");
    srv.clock.advance_seconds(left / 2);
    assert!(demo1.signed_in().await, "the customer's own session goes on while viewed");
    assert!(reads_demo1(&staff).await);
    srv.clock.advance_seconds(left - left / 2);
    assert!(!reads_demo1(&staff).await, "ends no later than the staff session");
    assert!(!staff.signed_in().await, "and the staff session was not extended");
    // demo1's own sessions: untouched.
    assert!(demo1.signed_in().await, "the customer's session goes on");
    assert_eq!(i64_of(&srv, open_sessions, "demo1").await, demo1_sessions);
    srv.stop().await.expect("clean stop");
}

// ---------------------------------------------------------------------------------
// The customer's side.
// ---------------------------------------------------------------------------------

async fn the_customer_is_told_and_sees_the_access(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    srv.clock.advance_seconds(300);
    assert!(reads_demo1(&staff).await);
    ok(staff.call("impersonation_stop", &[]).await).await;
    let demo1 = customer(&srv, "demo1").await;
    let notices = demo1.json("notifications", &[]).await;
    assert!(
        notices.as_array().expect("a list").iter().any(|n| n["kind"] == "staff_view_started"),
        "a notification: {notices}"
    );
    let panel = demo1.json("staff_access", &[]).await;
    assert_eq!(panel["allowed"], true);
    let access = &panel["accesses"][0];
    assert_eq!(access["staff_no"], "S00005");
    assert_eq!(access["reason"], "customer cannot find the deposit");
    assert_eq!(access["reference"], "CALL-1001");
    assert_eq!(access["running"], false);
    assert_eq!(access["end_reason"], "stopped");
    let minutes =
        (access["ended_at"].as_i64().expect("end") - access["started_at"].as_i64().expect("start")) / 60_000_000;
    assert_eq!(minutes, 5, "how long: {access}");
    // The security page shows it (server-rendered, before any WASM).
    let html = demo1.http.get(srv.url("/security")).send().await.expect("GET").text().await.expect("HTML");
    assert!(html.contains("id=\"staff-access\""), "the section");
    assert!(html.contains("S00005") && html.contains("customer cannot find the deposit"), "who and why");
    // Another customer sees nothing of it.
    let demo2 = customer(&srv, "demo2").await;
    let theirs = demo2.json("staff_access", &[]).await;
    assert_eq!(theirs["accesses"].as_array().map(Vec::len), Some(0));
    srv.stop().await.expect("clean stop");
}

async fn the_customer_may_turn_it_off_which_ends_a_running_one(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let staff = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    // The viewer may not flip the setting for the customer.
    expect_error(staff.call("staff_view_setting", &[("allow", "0")]).await, "impersonation_read_only").await;
    let demo1 = customer(&srv, "demo1").await;
    ok(demo1.call("staff_view_setting", &[("allow", "0")]).await).await;
    assert!(!reads_demo1(&staff).await, "the running viewing ended");
    let (_, reason, _) = newest(&srv).await;
    assert_eq!(reason.as_deref(), Some("customer_opted_out"));
    let form = staff.json("impersonation_form", &[("customer_no", DEMO1)]).await;
    assert_eq!(form["refusal"], "staff_view_off", "the form says why");
    expect_start_refused(&srv, &staff, "s00005", DEMO1, "staff_view_off").await;
    ok(demo1.call("staff_view_setting", &[("allow", "1")]).await).await;
    ok(start(&srv, &staff, "s00005", DEMO1).await).await;
    expect_error(demo1.call("staff_view_setting", &[("allow", "maybe")]).await, "bad_request").await;
    let changes = i64_of(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = $1", "staff_view_setting_changed").await;
    assert_eq!(changes, 2);
    srv.stop().await.expect("clean stop");
}
