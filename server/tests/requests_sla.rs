//! Service levels of service requests, on SQLite and PostgreSQL: complaint
//! extensions (an agent to 30 days; 60 days only by a supervisor, and a refusal
//! changes nothing; no skipped levels), the customer told on the timeline, by a
//! notification and an SMS; escalation of a breached request exactly once even when
//! two runs race; resolved requests closed by the system after 7 days; the
//! supervisors' report (who may see it, and its figures on a hand-made set).
mod support;

use app::api::requests::TimelineItem;
use app::backend::audit::Actor;
use app::backend::requests::calendar::{complaint_decision_due, WorkingCalendar};
use app::backend::requests::{insert_request, lock_request, sla, timeline, transition, NewRequest};
use app::backend::seed::DEMO_PASSWORD;
use app::backend::Clock as _;
use app::types::{Party, PlainText, RequestKind, RequestRef, RequestStatus, Timestamp};
use serde_json::Value;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer};

on_both_backends!(
    an_agent_extends_to_30_days_and_the_customer_is_told,
    only_a_supervisor_extends_to_60_days_and_a_refusal_changes_nothing,
    a_breached_request_is_escalated_once_even_by_racing_runs,
    resolved_requests_close_after_seven_days,
    the_report_is_for_supervisors_only,
    the_report_counts_a_hand_made_set,
);

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    b
}

async fn scalar(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn customer_id(srv: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT principal_id FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("customer id")
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM staff WHERE staff_no = $1")
        .bind(staff_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff id")
}

/// A request made through the core, as the customer's form does, at the test clock's now.
async fn new_request(srv: &TestServer, customer_id: i64, kind: RequestKind) -> (i64, RequestRef) {
    let calendar = WorkingCalendar::load(&srv.state.db, srv.state.zone).await.expect("calendar");
    let subject = PlainText::new("测试申请", 80, "subject").expect("subject");
    let new = NewRequest {
        customer_id,
        kind,
        subject: &subject,
        body: "说明",
        details: serde_json::json!({}),
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        created_by_staff_id: None,
    };
    let mut tx = srv.state.db.begin_write().await.expect("tx");
    let made = insert_request(&mut tx, srv.state.zone, &calendar, &new, srv.clock.now()).await.expect("insert");
    tx.commit().await.expect("commit");
    made
}

/// Moves a request through the core state machine, as staff or the system.
async fn move_to(srv: &TestServer, reference: &RequestRef, to: RequestStatus, actor: Actor, party: Party) {
    let calendar = WorkingCalendar::load(&srv.state.db, srv.state.zone).await.expect("calendar");
    let mut tx = srv.state.db.begin_write().await.expect("tx");
    let row = lock_request(&mut tx, srv.state.db.backend(), reference, None).await.expect("lock");
    transition(&mut tx, &calendar, &row, to, party, actor, "", srv.clock.now()).await.expect("transition");
    tx.commit().await.expect("commit");
}

async fn extend(b: &Browser, reference: &RequestRef, level: &str, reason: &str) -> reqwest::Response {
    b.call("requests_extend_complaint", &[("reference", reference.as_str()), ("level", level), ("reason", reason)])
        .await
}

/// A failed call's code and field.
async fn error_with_field(response: reqwest::Response) -> (String, Option<String>) {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(!status.is_success(), "expected an error, got {status} {body}");
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (json["code"].as_str().unwrap_or_default().to_owned(), json["field"].as_str().map(str::to_owned))
}

/// Everything an extension touches, to show a refusal changed none of it.
async fn footprint(srv: &TestServer, id: i64, customer: i64) -> [i64; 6] {
    [
        scalar(srv, "SELECT extension_level FROM service_requests WHERE id = $1", id).await,
        scalar(srv, "SELECT decision_due_at FROM service_requests WHERE id = $1", id).await,
        scalar(srv, "SELECT COUNT(*) FROM service_request_events WHERE request_id = $1", id).await,
        scalar(srv, "SELECT COUNT(*) FROM notifications WHERE customer_id = $1", customer).await,
        scalar(
            srv,
            "SELECT COUNT(*) FROM outbox o JOIN customers c ON c.phone = o.recipient WHERE c.id = $1",
            customer,
        )
        .await,
        scalar(
            srv,
            "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND event = 'service_request_extended'",
            customer,
        )
        .await,
    ]
}

async fn get_page(b: &Browser, path: &str) -> (u16, String) {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn an_agent_extends_to_30_days_and_the_customer_is_told(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let (id, reference) = new_request(&srv, demo1, RequestKind::Complaint).await;
    let received =
        Timestamp::from_micros(scalar(&srv, "SELECT created_at FROM service_requests WHERE id = $1", id).await);
    // Received Sunday 2026-11-29 (Beijing): 15 days end with December 14.
    assert_eq!(
        scalar(&srv, "SELECT decision_due_at FROM service_requests WHERE id = $1", id).await,
        complaint_decision_due(srv.state.zone, received, 0).micros()
    );

    // A plain HTML form post (no WASM) comes back to the staff request page.
    let page = format!("/staff/requests/{reference}");
    let fields = [("reference", reference.as_str()), ("level", "1"), ("reason", "需调取监控录像核实")];
    let posted = agent.form("requests_extend_complaint", &fields, &page).await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    assert_eq!(location(&posted).as_deref(), Some(page.as_str()));

    let due = complaint_decision_due(srv.state.zone, received, 1);
    assert_eq!(scalar(&srv, "SELECT decision_due_at FROM service_requests WHERE id = $1", id).await, due.micros());
    assert_eq!(scalar(&srv, "SELECT extension_level FROM service_requests WHERE id = $1", id).await, 1);
    assert_eq!(app::backend::local_time(srv.state.zone, due), "2026-12-30 00:00", "end of December 29");

    // The customer's timeline shows the step with the reason and the new last day.
    let steps = timeline::for_customer(&srv.state, id).await.expect("timeline");
    let extended: Vec<String> = steps
        .iter()
        .filter_map(|e| match &e.item {
            TimelineItem::Step { kind, detail, .. } if kind == "extended" => Some(detail.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(extended, vec!["2026-12-29 · 需调取监控录像核实".to_owned()]);

    // A notification and an SMS to the phone on file.
    let notices = c.json("notifications", &[]).await;
    let notice = notices
        .as_array()
        .expect("notifications")
        .iter()
        .find(|n| n["kind"] == "request_deadline_extended")
        .cloned()
        .unwrap_or_else(|| panic!("an extension notification: {notices}"));
    assert!(notice["detail"].as_str().unwrap_or_default().contains(reference.as_str()), "{notice}");
    let phone: String = sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1")
        .bind(demo1)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("phone");
    let sms: Vec<String> = sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = $1 ORDER BY id")
        .bind(&phone)
        .fetch_all(srv.state.db.pool())
        .await
        .expect("outbox");
    assert!(sms.iter().any(|b| b.contains(reference.as_str()) && b.contains("2026-12-29")), "{sms:?}");

    // Audited as the agent's action on the customer.
    let agent_id = staff_id(&srv, "S00005").await;
    let audited = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = 'service_request_extended' AND actor_kind = 'staff' \
         AND actor_id = $1 AND customer_id = $2",
    )
    .bind(agent_id)
    .bind(demo1)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    // Customers may not extend anything.
    expect_error(extend(&c, &reference, "2", "我自己延长").await, "forbidden").await;
}

async fn only_a_supervisor_extends_to_60_days_and_a_refusal_changes_nothing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let (id, reference) = new_request(&srv, demo1, RequestKind::Complaint).await;

    // No skipping to 60 days, not even for a supervisor.
    assert_eq!(
        error_with_field(extend(&supervisor, &reference, "2", "情况特别复杂").await).await,
        ("bad_request".to_owned(), Some("level".to_owned()))
    );
    // A reason is required.
    assert_eq!(
        error_with_field(extend(&agent, &reference, "1", "  ").await).await,
        ("bad_request".to_owned(), Some("reason".to_owned()))
    );
    ok(extend(&agent, &reference, "1", "案情复杂").await).await;

    // The agent may not go on to 60 days: refused, and nothing changed at all.
    let before = footprint(&srv, id, demo1).await;
    assert_eq!(before[0], 1);
    expect_error(extend(&agent, &reference, "2", "需要更多时间").await, "supervisor_required").await;
    assert_eq!(footprint(&srv, id, demo1).await, before, "level, deadline, events, notices, outbox, audit");

    // The supervisor may.
    ok(extend(&supervisor, &reference, "2", "需要第三方机构出具意见").await).await;
    let received =
        Timestamp::from_micros(scalar(&srv, "SELECT created_at FROM service_requests WHERE id = $1", id).await);
    let due = complaint_decision_due(srv.state.zone, received, 2);
    assert_eq!(scalar(&srv, "SELECT decision_due_at FROM service_requests WHERE id = $1", id).await, due.micros());
    assert_eq!(app::backend::local_time(srv.state.zone, due), "2027-01-29 00:00", "end of January 28");
    assert_eq!(scalar(&srv, "SELECT extension_level FROM service_requests WHERE id = $1", id).await, 2);
    // And no further.
    assert_eq!(
        error_with_field(extend(&supervisor, &reference, "3", "再延长").await).await,
        ("bad_request".to_owned(), Some("level".to_owned()))
    );

    // Only complaints are extended; only open ones.
    let (_, general) = new_request(&srv, demo1, RequestKind::General).await;
    expect_error(extend(&agent, &general, "1", "复杂").await, "wrong_state").await;
    let (_, done) = new_request(&srv, demo1, RequestKind::Complaint).await;
    let agent_id = staff_id(&srv, "S00005").await;
    move_to(&srv, &done, RequestStatus::InProgress, Actor::Staff(agent_id), Party::Staff).await;
    move_to(&srv, &done, RequestStatus::Resolved, Actor::Staff(agent_id), Party::Staff).await;
    expect_error(extend(&agent, &done, "1", "复杂").await, "transition_not_allowed").await;
}

async fn a_breached_request_is_escalated_once_even_by_racing_runs(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    // Sunday 08:00: a general request (1440 business minutes) is due Wednesday 17:00.
    let (id, reference) = new_request(&srv, demo1, RequestKind::General).await;
    let (paused, paused_ref) = new_request(&srv, demo1, RequestKind::General).await;
    let agent_id = staff_id(&srv, "S00005").await;
    move_to(&srv, &paused_ref, RequestStatus::WaitingCustomer, Actor::Staff(agent_id), Party::Staff).await;
    sla::escalate_breached(&srv.state).await.expect("escalate");
    assert_eq!(
        scalar(&srv, "SELECT COUNT(*) FROM service_requests WHERE id = $1 AND escalated_at IS NULL", id).await,
        1
    );

    // Thursday 08:00: past due.
    srv.clock.advance_seconds(4 * 86_400);
    let now = srv.clock.now().micros();
    let (a, b) = tokio::join!(sla::escalate_breached(&srv.state), sla::escalate_breached(&srv.state));
    let (a, b) = (a.expect("first run"), b.expect("second run"));
    assert!(a + b >= 1, "someone escalated: {a} + {b}");
    assert_eq!(scalar(&srv, "SELECT escalated_at FROM service_requests WHERE id = $1", id).await, now);
    assert_eq!(scalar(&srv, "SELECT breached_at FROM service_requests WHERE id = $1", id).await, now);
    let events = "SELECT COUNT(*) FROM service_request_events WHERE request_id = $1 AND kind = 'escalated'";
    assert_eq!(scalar(&srv, events, id).await, 1, "escalated once");
    // Again later: still once.
    srv.clock.advance_seconds(3600);
    sla::escalate_breached(&srv.state).await.expect("escalate again");
    assert_eq!(scalar(&srv, events, id).await, 1, "escalated once");
    assert_eq!(scalar(&srv, "SELECT escalated_at FROM service_requests WHERE id = $1", id).await, now);
    let audited = "SELECT COUNT(*) FROM audit_log WHERE event = 'service_request_escalated' AND actor_kind = 'system' \
                   AND customer_id = $1";
    assert!(scalar(&srv, audited, demo1).await >= 1);
    // Staff see it; the customer does not.
    let customer_steps = timeline::for_customer(&srv.state, id).await.expect("timeline");
    assert!(!customer_steps.iter().any(|e| matches!(&e.item, TimelineItem::Step { kind, .. } if kind == "escalated")));
    let staff_steps = timeline::for_staff(&srv.state, id).await.expect("timeline");
    assert!(staff_steps.iter().any(|e| matches!(&e.item, TimelineItem::Step { kind, .. } if kind == "escalated")));
    // A request waiting for the customer has its clock stopped: not escalated.
    assert_eq!(scalar(&srv, events, paused).await, 0);
    // The supervisors' queue lists the escalated ones on their own.
    let supervisor = staff_browser(&srv, "s00002").await;
    let escalated = supervisor.json("staff_requests", &[("due", "escalated")]).await;
    let rows = escalated["rows"].as_array().expect("rows");
    let listed: Vec<&str> = rows.iter().filter_map(|r| r["reference"].as_str()).collect();
    assert!(listed.contains(&reference.as_str()) && !listed.contains(&paused_ref.as_str()), "{listed:?}");
    assert!(rows.iter().all(|r| r["escalated"] == true), "only escalated ones: {escalated}");
}

async fn resolved_requests_close_after_seven_days(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let agent_id = staff_id(&srv, "S00005").await;
    let (id, reference) = new_request(&srv, demo1, RequestKind::General).await;
    move_to(&srv, &reference, RequestStatus::InProgress, Actor::Staff(agent_id), Party::Staff).await;
    move_to(&srv, &reference, RequestStatus::Resolved, Actor::Staff(agent_id), Party::Staff).await;
    let status = |srv: &TestServer| {
        let pool = srv.state.db.pool().clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT status FROM service_requests WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .expect("status")
        }
    };
    srv.clock.advance_seconds(7 * 86_400 - 60);
    sla::close_stale_resolved(&srv.state).await.expect("close");
    assert_eq!(status(&srv).await, "resolved", "the customer may still reopen");
    srv.clock.advance_seconds(120);
    assert!(sla::close_stale_resolved(&srv.state).await.expect("close") >= 1);
    assert_eq!(status(&srv).await, "closed");
    let by_system = "SELECT COUNT(*) FROM service_request_events WHERE request_id = $1 AND kind = 'status' \
                     AND to_status = 'closed' AND actor_kind = 'system'";
    assert_eq!(scalar(&srv, by_system, id).await, 1);
    assert_eq!(sla::close_stale_resolved(&srv.state).await.expect("close"), 0, "nothing left to close");
}

async fn the_report_is_for_supervisors_only(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let (status, html) = get_page(&supervisor, "/staff/requests/report").await;
    assert_eq!(status, 200);
    assert!(html.contains("slr-period") && html.contains("slr-summary"), "{html}");
    assert!(!html.contains("class=\"error\""), "{html}");
    let admin = staff_browser(&srv, "s00001").await;
    ok(admin.call("requests_sla_report", &[("from", ""), ("to", "")]).await).await;

    let agent = staff_browser(&srv, "s00005").await;
    expect_error(agent.call("requests_sla_report", &[("from", ""), ("to", "")]).await, "forbidden").await;
    let (_, html) = get_page(&agent, "/staff/requests/report").await;
    assert!(!html.contains("slr-summary") && html.contains("class=\"error\""), "{html}");
    let c = customer(&srv, "demo1").await;
    expect_error(c.call("requests_sla_report", &[("from", ""), ("to", "")]).await, "forbidden").await;
    let (_, html) = get_page(&c, "/staff/requests/report").await;
    assert!(!html.contains("slr-summary"), "{html}");
    let anonymous = Browser::new(&srv);
    assert!(!anonymous.call("requests_sla_report", &[("from", ""), ("to", "")]).await.status().is_success());
    // A bad period is refused at its field.
    assert_eq!(
        error_with_field(supervisor.call("requests_sla_report", &[("from", "2026-12-01"), ("to", "2026-11-01")]).await)
            .await,
        ("bad_request".to_owned(), Some("from".to_owned()))
    );
}

fn line<'a>(lines: &'a Value, key: &str, value: &str) -> &'a Value {
    lines
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l[key] == value)
        .unwrap_or_else(|| panic!("no {key} = {value} in {lines}"))
}

fn figures(l: &Value) -> [i64; 5] {
    let f = &l["figures"];
    [&f["resolved"], &f["in_time"], &f["share_tenths"], &f["open"], &f["breached"]].map(|v| v.as_i64().unwrap_or(-1))
}

async fn rate(srv: &TestServer, id: i64, score: i64, comment: &str) {
    sqlx::query("INSERT INTO service_request_ratings (request_id, score, comment, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(score)
        .bind(comment)
        .bind(srv.clock.now().micros())
        .execute(srv.state.db.pool())
        .await
        .expect("rating");
}

async fn the_report_counts_a_hand_made_set(backend: Backend) {
    let srv = TestServer::start(backend).await;
    // Whatever the demo data left open is set aside: the set below is the whole picture.
    sqlx::query(
        "UPDATE service_requests SET status = 'withdrawn', running_since = NULL, due_at = NULL \
         WHERE status IN ('submitted', 'in_progress', 'waiting_customer')",
    )
    .execute(srv.state.db.pool())
    .await
    .expect("set aside");
    // Monday 2027-03-08 09:00 Beijing (99 days and an hour after the test's start).
    srv.clock.advance_seconds(99 * 86_400 + 3600);
    let demo1 = customer_id(&srv, "demo1").await;
    let (s5, s6) = (staff_id(&srv, "S00005").await, staff_id(&srv, "S00006").await);
    let assign = |id: i64, staff: i64| {
        let pool = srv.state.db.pool().clone();
        async move {
            sqlx::query("UPDATE service_requests SET assigned_staff_id = $1 WHERE id = $2")
                .bind(staff)
                .bind(id)
                .execute(&pool)
                .await
                .expect("assign");
        }
    };
    // A: general, B001's agent, resolved within the hour (in time).
    let (a, a_ref) = new_request(&srv, demo1, RequestKind::General).await;
    assign(a, s5).await;
    // B: general, B003's agent, resolved four working days later (late).
    let (b, b_ref) = new_request(&srv, demo1, RequestKind::General).await;
    assign(b, s6).await;
    // C: complaint, nobody's, resolved four working days later (within 2400 minutes).
    let (c, c_ref) = new_request(&srv, demo1, RequestKind::Complaint).await;
    // D: general, nobody's, left open past due.
    let (_d, _) = new_request(&srv, demo1, RequestKind::General).await;
    for r in [&a_ref, &b_ref, &c_ref] {
        move_to(&srv, r, RequestStatus::InProgress, Actor::Staff(s5), Party::Staff).await;
    }
    srv.clock.advance_seconds(3600);
    move_to(&srv, &a_ref, RequestStatus::Resolved, Actor::Staff(s5), Party::Staff).await;
    rate(&srv, a, 5, "很快，谢谢").await;
    // Friday 10:00.
    srv.clock.advance_seconds(4 * 86_400);
    move_to(&srv, &b_ref, RequestStatus::Resolved, Actor::Staff(s6), Party::Staff).await;
    move_to(&srv, &c_ref, RequestStatus::Resolved, Actor::Staff(s5), Party::Staff).await;
    srv.clock.advance_seconds(60);
    rate(&srv, b, 2, "太慢了").await;
    rate(&srv, c, 4, "").await;
    // E: card loss, nobody's, just made: open and on time.
    new_request(&srv, demo1, RequestKind::CardLost).await;

    // Signed in now: a session idle for months has long expired.
    let supervisor = staff_browser(&srv, "s00002").await;
    let report = supervisor.json("requests_sla_report", &[("from", "2027-03-08"), ("to", "2027-03-12")]).await;
    assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some("2027-03-08"), Some("2027-03-12")));
    // [resolved, in time, share ‰, open, breached]
    assert_eq!(figures(line(&report["by_kind"], "kind", "general")), [2, 1, 500, 1, 1], "{report}");
    assert_eq!(figures(line(&report["by_kind"], "kind", "complaint")), [1, 1, 1000, 0, 0], "{report}");
    assert_eq!(figures(line(&report["by_kind"], "kind", "card_lost")), [0, 0, -1, 1, 0], "{report}");
    assert_eq!(figures(line(&report["by_team"], "team", "B001")), [1, 1, 1000, 0, 0], "{report}");
    assert_eq!(figures(line(&report["by_team"], "team", "B003")), [1, 0, 0, 0, 0], "{report}");
    assert_eq!(figures(line(&report["by_team"], "team", "unassigned")), [1, 1, 1000, 2, 1], "{report}");
    let total = &report["total"];
    assert_eq!(
        (total["resolved"].as_i64(), total["in_time"].as_i64(), total["share_tenths"].as_i64()),
        (Some(3), Some(2), Some(667))
    );
    let ratings = &report["ratings"];
    assert_eq!(ratings["count"], 3);
    assert_eq!(ratings["average_tenths"], 37, "11 / 3 = 3.67");
    assert_eq!(ratings["distribution"], serde_json::json!([0, 1, 0, 1, 1]));
    let comments: Vec<(String, String)> = ratings["latest"]
        .as_array()
        .expect("latest")
        .iter()
        .map(|c| {
            (
                c["reference"].as_str().unwrap_or_default().to_owned(),
                c["comment"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(comments, vec![(b_ref.to_string(), "太慢了".to_owned()), (a_ref.to_string(), "很快，谢谢".to_owned())]);

    // The page shows the same, without the WASM.
    let (status, html) = get_page(&supervisor, "/staff/requests/report?from=2027-03-08&to=2027-03-12").await;
    assert_eq!(status, 200);
    assert!(html.contains("50.0 %") && html.contains("66.7 %") && html.contains("太慢了"), "{html}");
    // Outside the period nothing was resolved.
    let before = supervisor.json("requests_sla_report", &[("from", "2027-02-01"), ("to", "2027-03-07")]).await;
    assert_eq!(before["total"]["resolved"], 0);
    assert_eq!(before["ratings"]["count"], 0);
}
