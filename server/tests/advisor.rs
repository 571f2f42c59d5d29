//! The advisor's side of consultations, on SQLite and PostgreSQL: the calendar
//! shows an advisor their own bookings only (a supervisor may choose); internal
//! notes never reach the customer while the shared summary does; held / no-show
//! only after the start; the customer summary is `not_found` without a
//! relationship and audited with one; leave over a booking is refused unless
//! confirmed, and then cancels it, its reminders, and tells the customer; weekly
//! hours are validated; relationship managers are assigned by supervisors only.
//!
//! Bookings are inserted with SQL so these tests do not depend on the booking
//! wizard; the customer's side is read through its own server functions.
mod support;

use serde_json::Value;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer, TEST_NOW};

on_both_backends!(
    calendar_shows_an_advisor_their_own_bookings,
    internal_notes_stay_internal_and_the_summary_is_shared,
    held_or_no_show_only_after_the_start,
    customer_summary_needs_a_relationship_and_is_audited,
    leave_over_a_booking_needs_confirmation_and_then_cancels_it,
    weekly_hours_are_validated,
    relationship_managers_are_assigned_by_supervisors,
);

// ---------------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------------

const HOUR: i64 = 3600;
/// Monday 2026-11-30 10:00 in Beijing: 26 hours after the test clock's start.
const MONDAY_10: i64 = 26 * HOUR;

async fn scalar(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn text(srv: &TestServer, sql: &str, id: i64) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn customer_id(srv: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar("SELECT principal_id FROM credentials WHERE username = $1 AND principal_kind = 'customer'")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("customer")
}

async fn customer_no(srv: &TestServer, id: i64) -> String {
    text(srv, "SELECT customer_no FROM customers WHERE id = $1", id).await.expect("customer_no")
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
        .bind(staff_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff")
}

/// A booked consultation of 45 minutes (+15 buffer) starting `offset` seconds after
/// the test clock's start; returns its id. The reference is 'BK' + 8 digits.
async fn insert_booking(srv: &TestServer, customer: i64, advisor_no: &str, offset: i64, reference: &str) -> i64 {
    let advisor = staff_id(srv, advisor_no).await;
    let branch = scalar(srv, "SELECT branch_id FROM staff WHERE id = $1", advisor).await;
    let starts = TEST_NOW.plus_seconds(offset).micros();
    sqlx::query_scalar(
        "INSERT INTO bookings (reference, customer_id, advisor_id, branch_id, purpose, channel, starts_at, ends_at, \
         busy_until, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'wealth_planning', 'branch', $5, $6, $7, 'booked', $8, $8) RETURNING id",
    )
    .bind(reference)
    .bind(customer)
    .bind(advisor)
    .bind(branch)
    .bind(starts)
    .bind(starts + 45 * 60 * 1_000_000)
    .bind(starts + 60 * 60 * 1_000_000)
    .bind(TEST_NOW.micros())
    .fetch_one(srv.state.db.pool())
    .await
    .expect("insert booking")
}

async fn customer_browser(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, app::backend::seed::DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{username} signed in");
    b
}

/// The references in a calendar answer, day by day flattened.
fn references(calendar: &Value) -> Vec<String> {
    calendar["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["entries"].as_array().cloned().unwrap_or_default())
        .map(|e| e["reference"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn audit_count(srv: &TestServer, event: &str, actor: i64, customer: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1 AND actor_kind = 'staff' AND actor_id = $2 AND customer_id = $3",
    )
    .bind(event)
    .bind(actor)
    .bind(customer)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("audit count")
}

async fn page(b: &Browser, path: &str) -> (u16, String) {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.expect("page");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn calendar_shows_an_advisor_their_own_bookings(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let demo2 = customer_id(&srv, "demo2").await;
    insert_booking(&srv, demo1, "S00003", MONDAY_10, "BK90000001").await;
    insert_booking(&srv, demo2, "S00004", MONDAY_10 + HOUR, "BK90000002").await;
    // Tuesday of the same week, and the Monday after it.
    insert_booking(&srv, demo2, "S00003", MONDAY_10 + 24 * HOUR, "BK90000003").await;
    insert_booking(&srv, demo2, "S00003", MONDAY_10 + 7 * 24 * HOUR, "BK90000004").await;

    let advisor = staff_browser(&srv, "s00003").await;
    let day = advisor.json("advisor_calendar", &[("day", "2026-11-30"), ("view", "day")]).await;
    let refs = references(&day);
    assert!(refs.contains(&"BK90000001".to_owned()), "own booking on the day: {refs:?}");
    assert!(!refs.contains(&"BK90000002".to_owned()), "another advisor's booking is absent");
    assert!(!refs.contains(&"BK90000003".to_owned()), "the next day is not in a day view");
    assert_eq!(day["days"].as_array().map(Vec::len), Some(1));
    assert!(day["days"][0]["entries"][0]["customer_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(day["prev"], "2026-11-29");
    assert_eq!(day["next"], "2026-12-01");

    // A Wednesday's week runs Monday to Sunday.
    let week = advisor.json("advisor_calendar", &[("day", "2026-12-02"), ("view", "week")]).await;
    let refs = references(&week);
    assert_eq!(week["days"].as_array().map(Vec::len), Some(7));
    assert_eq!(week["days"][0]["day"], "2026-11-30");
    assert!(refs.contains(&"BK90000001".to_owned()) && refs.contains(&"BK90000003".to_owned()), "{refs:?}");
    assert!(!refs.contains(&"BK90000002".to_owned()) && !refs.contains(&"BK90000004".to_owned()), "{refs:?}");

    // An advisor cannot open a colleague's calendar; a supervisor can choose.
    expect_error(advisor.call("advisor_calendar", &[("day", "2026-11-30"), ("advisor", "S00004")]).await, "forbidden")
        .await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let theirs = supervisor.json("advisor_calendar", &[("day", "2026-11-30"), ("advisor", "S00004")]).await;
    assert_eq!(references(&theirs), vec!["BK90000002".to_owned()]);
    assert_eq!(theirs["advisor_staff_no"], "S00004");
    assert!(!theirs["choices"].as_array().expect("choices").is_empty(), "a supervisor gets the chooser");

    // Agents and customers have no calendar.
    let agent = staff_browser(&srv, "s00005").await;
    expect_error(agent.call("advisor_calendar", &[]).await, "forbidden").await;
    let customer = customer_browser(&srv, "demo1").await;
    expect_error(customer.call("advisor_calendar", &[]).await, "forbidden").await;

    // The page renders the week as lists, server-side.
    let (status, html) = page(&advisor, "/staff/calendar?day=2026-11-30&view=week").await;
    assert_eq!(status, 200);
    assert!(html.contains("/staff/bookings/") && html.contains("adv-day"), "{html}");
    srv.stop().await.expect("stop");
}

async fn internal_notes_stay_internal_and_the_summary_is_shared(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let id = insert_booking(&srv, demo1, "S00003", MONDAY_10, "BK90000011").await;
    let ids = id.to_string();
    let advisor = staff_browser(&srv, "s00003").await;

    let secret = "Internal: prefers a low-risk fund; talk to the branch head first";
    ok(advisor.call("advisor_add_note", &[("id", &ids), ("body", secret)]).await).await;
    let long = "字".repeat(4001);
    expect_error(advisor.call("advisor_add_note", &[("id", &ids), ("body", &long)]).await, "text_too_long").await;
    // A plain form post (no WASM) is redirected back to the booking.
    let response = advisor
        .form("advisor_share_summary", &[("id", &ids), ("summary", "We agreed on a 3-year plan.")], "/staff/bookings/1")
        .await;
    assert!(response.status().is_redirection(), "a plain post is redirected: {}", response.status());
    assert!(location(&response).unwrap_or_default().starts_with(&format!("/staff/bookings/{id}")));

    let detail = advisor.json("advisor_booking", &[("id", &ids)]).await;
    assert_eq!(detail["notes"][0]["body"], secret);
    assert_eq!(detail["summary"], "We agreed on a 3-year plan.");
    assert_eq!(
        text(&srv, "SELECT summary FROM bookings WHERE id = $1", id).await.as_deref(),
        Some("We agreed on a 3-year plan.")
    );
    assert_eq!(
        scalar(
            &srv,
            "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'booking_summary_shared'",
            demo1
        )
        .await,
        1
    );

    // Another advisor does not find it; the customer cannot reach the advisor's side.
    let other = staff_browser(&srv, "s00004").await;
    expect_error(other.call("advisor_booking", &[("id", &ids)]).await, "not_found").await;
    expect_error(other.call("advisor_add_note", &[("id", &ids), ("body", "x")]).await, "not_found").await;
    let customer = customer_browser(&srv, "demo1").await;
    expect_error(customer.call("advisor_booking", &[("id", &ids)]).await, "forbidden").await;
    expect_error(customer.call("advisor_add_note", &[("id", &ids), ("body", "x")]).await, "forbidden").await;

    // The customer's own booking answer and page carry the summary, never the note.
    let response = customer.call("booking_detail", &[("reference", "BK90000011")]).await;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("We agreed on a 3-year plan."), "the customer sees the summary: {body}");
    assert!(!body.contains("low-risk fund"), "an internal note reached the customer: {body}");
    let bookings = customer.call("bookings", &[]).await.text().await.unwrap_or_default();
    assert!(bookings.contains("BK90000011") && !bookings.contains("low-risk fund"), "{bookings}");
    let (status, html) = page(&customer, "/consultations/BK90000011").await;
    assert_eq!(status, 200);
    assert!(html.contains("BK90000011"), "the customer's booking page");
    assert!(html.contains("We agreed on a 3-year plan."), "the page shows the summary");
    assert!(!html.contains("low-risk fund"), "an internal note reached the customer's page");
    srv.stop().await.expect("stop");
}

async fn held_or_no_show_only_after_the_start(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let future = insert_booking(&srv, demo1, "S00003", MONDAY_10, "BK90000021").await.to_string();
    let started = insert_booking(&srv, demo1, "S00003", -10 * 60, "BK90000022").await;
    let advisor = staff_browser(&srv, "s00003").await;
    let s00003 = staff_id(&srv, "S00003").await;

    expect_error(advisor.call("advisor_mark", &[("id", &future), ("outcome", "no_show")]).await, "wrong_state").await;
    assert_eq!(
        text(&srv, "SELECT status FROM bookings WHERE reference = 'BK90000021' AND id > $1", 0).await.as_deref(),
        Some("booked")
    );
    let detail = advisor.json("advisor_booking", &[("id", &future)]).await;
    assert_eq!(detail["can_mark"], false);

    let started_s = started.to_string();
    assert_eq!(advisor.json("advisor_booking", &[("id", &started_s)]).await["can_mark"], true);
    expect_error(advisor.call("advisor_mark", &[("id", &started_s), ("outcome", "booked")]).await, "bad_request").await;
    ok(advisor.call("advisor_mark", &[("id", &started_s), ("outcome", "no_show")]).await).await;
    assert_eq!(text(&srv, "SELECT status FROM bookings WHERE id = $1", started).await.as_deref(), Some("no_show"));
    assert_eq!(audit_count(&srv, "booking_marked", s00003, demo1).await, 1);
    // Only from booked: a second mark is refused.
    expect_error(advisor.call("advisor_mark", &[("id", &started_s), ("outcome", "held")]).await, "wrong_state").await;
    srv.stop().await.expect("stop");
}

async fn customer_summary_needs_a_relationship_and_is_audited(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let no = customer_no(&srv, demo1).await;
    let s00003 = staff_id(&srv, "S00003").await;
    let s00004 = staff_id(&srv, "S00004").await;
    sqlx::query("UPDATE customers SET relationship_manager_id = $1 WHERE id = $2")
        .bind(s00003)
        .bind(demo1)
        .execute(srv.state.db.pool())
        .await
        .expect("rm");

    // No relationship: not found, exactly like a number that does not exist.
    let stranger = staff_browser(&srv, "s00004").await;
    expect_error(stranger.call("staff_customer_summary", &[("customer_no", &no)]).await, "not_found").await;
    expect_error(stranger.call("staff_customer_summary", &[("customer_no", "C99999999")]).await, "not_found").await;
    let agent = staff_browser(&srv, "s00006").await;
    expect_error(agent.call("staff_customer_summary", &[("customer_no", &no)]).await, "not_found").await;
    assert_eq!(audit_count(&srv, "customer_summary_viewed", s00004, demo1).await, 0);
    let customer = customer_browser(&srv, "demo1").await;
    expect_error(customer.call("staff_customer_summary", &[("customer_no", &no)]).await, "forbidden").await;

    // The relationship manager sees it, and the view is audited.
    let rm = staff_browser(&srv, "s00003").await;
    let summary = rm.json("staff_customer_summary", &[("customer_no", &no)]).await;
    assert_eq!(summary["customer_no"], no.as_str());
    assert_eq!(summary["manager"]["staff_no"], "S00003");
    assert!(summary["segment"].is_string(), "a segment: {summary}");
    assert!(!summary["products"].as_array().expect("products").is_empty(), "demo1 holds products");
    assert_eq!(audit_count(&srv, "customer_summary_viewed", s00003, demo1).await, 1);
    // The segment is the insight rules' (the latest month-end's rolling average), the
    // same the dashboard and the RM's workspace show, not a second reckoning.
    let branch: i64 = sqlx::query_scalar("SELECT branch_id FROM customers WHERE id = $1")
        .bind(demo1)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("branch");
    sqlx::query(
        "INSERT INTO customer_months (month, customer_id, branch_id, aum, deposits, segment, effective, products) \
         VALUES ('2999-12', $1, $2, 0, 0, 'private', 1, 1)",
    )
    .bind(demo1)
    .bind(branch)
    .execute(srv.state.db.pool())
    .await
    .expect("a snapshot");
    let summary = rm.json("staff_customer_summary", &[("customer_no", &no)]).await;
    assert_eq!(summary["segment"], "private", "the latest snapshot's segment: {summary}");
    sqlx::query("DELETE FROM customer_months WHERE month = '2999-12'")
        .execute(srv.state.db.pool())
        .await
        .expect("removed");

    // A booking with the customer is a relationship too, and its upcoming bookings show.
    insert_booking(&srv, demo1, "S00004", MONDAY_10, "BK90000031").await;
    let summary = stranger.json("staff_customer_summary", &[("customer_no", &no)]).await;
    let upcoming: Vec<&str> =
        summary["upcoming"].as_array().expect("upcoming").iter().filter_map(|b| b["reference"].as_str()).collect();
    assert!(upcoming.contains(&"BK90000031"), "{upcoming:?}");
    assert_eq!(audit_count(&srv, "customer_summary_viewed", s00004, demo1).await, 1);

    // Supervisors see every customer; the page renders.
    let supervisor = staff_browser(&srv, "s00002").await;
    let (status, html) = page(&supervisor, &format!("/staff/customers/{no}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&no) && html.contains("adv-segment"), "the summary page: {html}");
    srv.stop().await.expect("stop");
}

async fn leave_over_a_booking_needs_confirmation_and_then_cancels_it(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let id = insert_booking(&srv, demo1, "S00003", MONDAY_10, "BK90000041").await;
    for (kind, before) in [("day_before", 24 * HOUR), ("hour_before", HOUR)] {
        sqlx::query("INSERT INTO booking_reminders (booking_id, kind, due_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(kind)
            .bind(TEST_NOW.plus_seconds(MONDAY_10 - before).micros())
            .execute(srv.state.db.pool())
            .await
            .expect("reminder");
    }
    let advisor = staff_browser(&srv, "s00003").await;
    let leave = [("kind", "leave"), ("day", "2026-11-30"), ("note", "Training")];

    // The confirmation step lists the booking.
    let conflicts = advisor.json("advisor_leave_conflicts", &[("day", "2026-11-30")]).await;
    assert_eq!(conflicts[0]["reference"], "BK90000041");
    // An afternoon leave does not touch a 10:00 booking.
    let afternoon =
        advisor.json("advisor_leave_conflicts", &[("day", "2026-11-30"), ("start", "14:00"), ("end", "18:00")]).await;
    assert_eq!(afternoon.as_array().map(Vec::len), Some(0));

    // Refused without "cancel them", and nothing changes.
    let response = advisor.call("advisor_add_exception", &leave).await;
    expect_error(response, "wrong_state").await;
    assert_eq!(text(&srv, "SELECT status FROM bookings WHERE id = $1", id).await.as_deref(), Some("booked"));
    let exceptions = |srv: &TestServer| {
        let pool = srv.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM advisor_exceptions WHERE day = '2026-11-30'")
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    assert_eq!(exceptions(&srv).await, 0);
    // A day already gone is refused.
    let past = [("kind", "leave"), ("day", "2026-11-28")];
    expect_error(advisor.call("advisor_add_exception", &past).await, "bad_request").await;
    // "Cancel them" needs a reason.
    let mut no_reason = leave.to_vec();
    no_reason.push(("cancel_bookings", "on"));
    expect_error(advisor.call("advisor_add_exception", &no_reason).await, "bad_request").await;

    // Confirmed: cancelled by staff, reminders cancelled, customer told, leave stored.
    let mut confirmed = no_reason.clone();
    confirmed.push(("reason", "The advisor is ill"));
    let response = advisor.form("advisor_add_exception", &confirmed, "/staff/schedule").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert!(location(&response).unwrap_or_default().contains("cancelled=1"));
    assert_eq!(text(&srv, "SELECT status FROM bookings WHERE id = $1", id).await.as_deref(), Some("cancelled"));
    assert_eq!(text(&srv, "SELECT cancelled_by FROM bookings WHERE id = $1", id).await.as_deref(), Some("staff"));
    assert_eq!(
        text(&srv, "SELECT cancel_reason FROM bookings WHERE id = $1", id).await.as_deref(),
        Some("The advisor is ill")
    );
    assert_eq!(scalar(&srv, "SELECT sequence FROM bookings WHERE id = $1", id).await, 1);
    assert_eq!(
        scalar(&srv, "SELECT COUNT(*) FROM booking_reminders WHERE booking_id = $1 AND cancelled_at IS NULL", id).await,
        0,
        "its reminders are cancelled"
    );
    assert_eq!(
        scalar(
            &srv,
            "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'booking_cancelled_by_bank'",
            demo1
        )
        .await,
        1
    );
    // And by SMS to the phone on file, naming the booking.
    let sms: Vec<String> = sqlx::query_scalar(
        "SELECT o.body FROM outbox o JOIN customers c ON c.phone = o.recipient WHERE c.id = $1 AND o.body LIKE $2",
    )
    .bind(demo1)
    .bind("%BK90000041%")
    .fetch_all(srv.state.db.pool())
    .await
    .expect("outbox");
    assert_eq!(sms.len(), 1, "one SMS about the cancelled booking");
    assert!(sms[0].contains("2026-11-30 10:00") && sms[0].contains("已取消"), "{}", sms[0]);
    assert_eq!(exceptions(&srv).await, 1);
    let s00003 = staff_id(&srv, "S00003").await;
    assert_eq!(audit_count(&srv, "booking_cancelled_by_staff", s00003, demo1).await, 1);
    // The customer's notification centre names it.
    let customer = customer_browser(&srv, "demo1").await;
    let (_, html) = page(&customer, "/notifications").await;
    assert!(html.contains("银行取消了您的预约"), "the kind is translated (Chinese is the default)");
    srv.stop().await.expect("stop");
}

async fn weekly_hours_are_validated(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let advisor = staff_browser(&srv, "s00003").await;
    let s00003 = staff_id(&srv, "S00003").await;
    let windows = |srv: &TestServer| {
        let pool = srv.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM advisor_hours WHERE staff_id = $1 AND weekday = 6")
                .bind(s00003)
                .fetch_one(&pool)
                .await
                .expect("count")
        }
    };
    // Start from no hours at all, whatever the demo data gave the advisor.
    sqlx::query("DELETE FROM advisor_hours WHERE staff_id = $1")
        .bind(s00003)
        .execute(srv.state.db.pool())
        .await
        .expect("clear");
    let before = windows(&srv).await;
    let add = |start: &'static str, end: &'static str, weekday: &'static str| {
        let advisor = &advisor;
        async move { advisor.call("advisor_add_hours", &[("weekday", weekday), ("start", start), ("end", end)]).await }
    };
    ok(add("09:00", "12:00", "6").await).await;
    assert_eq!(windows(&srv).await, before + 1);
    for (start, end, weekday) in [
        ("11:00", "13:00", "6"),
        ("08:00", "09:30", "6"),
        ("12:00", "11:00", "6"),
        ("09:00", "10:00", "8"),
        ("25:00", "26:00", "6"),
    ] {
        expect_error(add(start, end, weekday).await, "bad_request").await;
    }
    let body: Value = add("10:00", "11:00", "6").await.json().await.expect("json");
    assert_eq!(body["field"], "overlap", "the overlap is named: {body}");
    // Touching windows do not overlap.
    ok(add("12:00", "14:00", "6").await).await;
    assert_eq!(windows(&srv).await, before + 2);

    // Slot length bounds; an advisor cannot edit a colleague's hours; a supervisor can.
    expect_error(
        advisor
            .call(
                "advisor_save_profile",
                &[("slot_minutes", "5"), ("buffer_minutes", "10"), ("p_loan", "on"), ("c_phone", "on")],
            )
            .await,
        "bad_request",
    )
    .await;
    ok(advisor
        .call(
            "advisor_save_profile",
            &[("slot_minutes", "60"), ("buffer_minutes", "10"), ("p_loan", "on"), ("c_phone", "on")],
        )
        .await)
    .await;
    assert_eq!(scalar(&srv, "SELECT slot_minutes FROM advisor_profiles WHERE staff_id = $1", s00003).await, 60);
    expect_error(
        advisor
            .call("advisor_add_hours", &[("advisor", "S00004"), ("weekday", "6"), ("start", "09:00"), ("end", "10:00")])
            .await,
        "forbidden",
    )
    .await;
    let supervisor = staff_browser(&srv, "s00002").await;
    ok(supervisor
        .call("advisor_add_hours", &[("advisor", "S00004"), ("weekday", "6"), ("start", "09:00"), ("end", "10:00")])
        .await)
    .await;
    let (status, html) = page(&advisor, "/staff/schedule").await;
    assert_eq!(status, 200);
    assert!(html.contains("09:00–12:00"), "the schedule page lists the window");

    // Removing rows: only one's own (a colleague's id is not found), audited.
    let row_of = |table: &'static str, staff: i64| {
        let pool = srv.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT MIN(id) FROM {table} WHERE staff_id = $1"))
                .bind(staff)
                .fetch_one(&pool)
                .await
                .expect("a row")
        }
    };
    let s00004 = staff_id(&srv, "S00004").await;
    let theirs = row_of("advisor_hours", s00004).await.to_string();
    expect_error(advisor.call("advisor_remove_hours", &[("id", &theirs)]).await, "not_found").await;
    let mine = row_of("advisor_hours", s00003).await.to_string();
    ok(advisor.call("advisor_remove_hours", &[("id", &mine)]).await).await;
    assert_eq!(windows(&srv).await, before + 1);
    ok(advisor.call("advisor_add_exception", &[("kind", "leave"), ("day", "2026-12-24")]).await).await;
    let leave = row_of("advisor_exceptions", s00003).await.to_string();
    let as_colleague = [("advisor", "S00003"), ("id", leave.as_str())];
    expect_error(
        staff_browser(&srv, "s00004").await.call("advisor_remove_exception", &as_colleague).await,
        "forbidden",
    )
    .await;
    ok(advisor.call("advisor_remove_exception", &[("id", &leave)]).await).await;
    assert_eq!(scalar(&srv, "SELECT COUNT(*) FROM advisor_exceptions WHERE staff_id = $1", s00003).await, 0);
    let removals = "SELECT COUNT(*) FROM audit_log WHERE event = 'advisor_schedule_changed' AND actor_id = $1 \
                    AND (detail LIKE '%hours_removed%' OR detail LIKE '%exception_removed%')";
    assert_eq!(scalar(&srv, removals, s00003).await, 2, "each removal is audited, the refused ones are not");
    srv.stop().await.expect("stop");
}

async fn relationship_managers_are_assigned_by_supervisors(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo2 = customer_id(&srv, "demo2").await;
    let no = customer_no(&srv, demo2).await;
    let s00002 = staff_id(&srv, "S00002").await;
    let s00004 = staff_id(&srv, "S00004").await;

    for who in ["s00003", "s00005"] {
        let b = staff_browser(&srv, who).await;
        expect_error(b.call("assign_manager", &[("customer_no", &no), ("advisor", "S00004")]).await, "forbidden").await;
        expect_error(b.call("manager_customer", &[("customer_no", &no)]).await, "forbidden").await;
    }
    let customer = customer_browser(&srv, "demo2").await;
    expect_error(customer.call("assign_manager", &[("customer_no", &no), ("advisor", "S00004")]).await, "forbidden")
        .await;

    let supervisor = staff_browser(&srv, "s00002").await;
    let found = supervisor.json("manager_customer", &[("customer_no", &no)]).await;
    assert!(found["advisors"].as_array().expect("advisors").iter().any(|a| a["staff_no"] == "S00004"));
    expect_error(
        supervisor.call("assign_manager", &[("customer_no", &no), ("advisor", "S00005")]).await,
        "bad_request",
    )
    .await;
    ok(supervisor.call("assign_manager", &[("customer_no", &no), ("advisor", "s00004")]).await).await;
    assert_eq!(scalar(&srv, "SELECT relationship_manager_id FROM customers WHERE id = $1", demo2).await, s00004);
    assert_eq!(audit_count(&srv, "relationship_manager_changed", s00002, demo2).await, 1);
    assert_eq!(
        scalar(
            &srv,
            "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'relationship_manager_assigned'",
            demo2
        )
        .await,
        1
    );
    // The customer's overview shows the manager with a "book my RM" link.
    let overview = customer.json("overview", &[]).await;
    assert_eq!(overview["manager"]["staff_no"], "S00004");
    let (_, html) = page(&customer, "/accounts").await;
    assert!(html.contains("/consultations/book?advisor=S00004"), "book-my-RM link");

    // Removing the manager.
    ok(supervisor.call("assign_manager", &[("customer_no", &no), ("advisor", "")]).await).await;
    let none: Option<i64> = sqlx::query_scalar("SELECT relationship_manager_id FROM customers WHERE id = $1")
        .bind(demo2)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("rm");
    assert_eq!(none, None);
    assert_eq!(audit_count(&srv, "relationship_manager_changed", s00002, demo2).await, 2);
    srv.stop().await.expect("stop");
}
