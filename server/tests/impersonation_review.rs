//! The supervisors' review of "view as customer" sessions, on SQLite and
//! PostgreSQL: the list and its filters (staff, customer, days, running), one
//! session with exactly its own audit rows, assist mode granted and revoked only by
//! supervisors and admins, never on their own session and only while it runs,
//! audited in the same transaction; the audit-trail CSV export by customer and by
//! staff member (exactly the rows of the range, escaped, itself audited, refused to
//! others and to bad input); the pages and forms without the WASM.
//!
//! Sessions are inserted directly (with the audit rows the core writes), after the
//! staff have signed in: a staff log-in ends that staff member's open sessions.
mod support;

use app::backend::audit::{record_now, Actor, AuditEvent};
use app::backend::seed::DEMO_PASSWORD;
use app::backend::Clock as _;
use app::types::{Day, Timestamp};
use serde_json::{json, Value};
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer, TEST_NOW};

on_both_backends!(
    the_list_filters_by_staff_customer_days_and_running,
    only_supervisors_and_admins_review,
    granting_and_revoking_assist_mode,
    a_session_shows_exactly_its_own_actions,
    audit_csv_by_customer_holds_exactly_the_range,
    audit_csv_by_staff_holds_exactly_their_actions,
    audit_csv_is_refused_to_others_and_to_bad_input,
    pages_and_forms_work_without_the_wasm,
);

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

const C1: &str = "C00000001";
const C2: &str = "C00000002";
const C3: &str = "C00000003";

async fn id_of(srv: &TestServer, sql: &str, no: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(no)
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql} {no}: {e}"))
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    id_of(srv, "SELECT id FROM staff WHERE staff_no = $1", staff_no).await
}

async fn customer_id(srv: &TestServer, customer_no: &str) -> i64 {
    id_of(srv, "SELECT id FROM customers WHERE customer_no = $1", customer_no).await
}

fn minutes(n: i64) -> i64 {
    n * 60
}

/// A session of `staff_no` on `customer_no` that started `ago` seconds before
/// TEST_NOW and may run 60 minutes; `ended` (seconds after the start, reason) ends
/// it. Writes the audit rows the core writes for its start and end.
async fn session(srv: &TestServer, staff_no: &str, customer_no: &str, ago: i64, ended: Option<(i64, &str)>) -> i64 {
    let staff = staff_id(srv, staff_no).await;
    let customer = customer_id(srv, customer_no).await;
    let started = TEST_NOW.plus_seconds(-ago);
    let expires = started.plus_seconds(minutes(60));
    let ended_at = ended.map(|(after, _)| started.plus_seconds(after).micros());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO impersonations (staff_id, customer_id, staff_session_id, reason, reference, started_at, \
           expires_at, ended_at, end_reason, requests, refused) \
         VALUES ($1, $2, 'test-session', $3, $4, $5, $6, $7, $8, 3, 1) RETURNING id",
    )
    .bind(staff)
    .bind(customer)
    .bind(format!("customer {customer_no} cannot find a deposit"))
    .bind(format!("CALL-{ago}"))
    .bind(started.micros())
    .bind(expires.micros())
    .bind(ended_at)
    .bind(ended.map(|(_, reason)| reason.to_owned()))
    .fetch_one(srv.state.db.pool())
    .await
    .expect("insert a session");
    audit(
        srv,
        started,
        Actor::Staff(staff),
        Some(customer),
        "impersonation_started",
        json!({
            "impersonation_id": id, "reason": "help", "reference": format!("CALL-{ago}"),
        }),
    )
    .await;
    if let Some((after, reason)) = ended {
        audit(
            srv,
            started.plus_seconds(after),
            Actor::Staff(staff),
            Some(customer),
            "impersonation_ended",
            json!({
                "impersonation_id": id, "end_reason": reason, "requests": 3, "refused": 1,
            }),
        )
        .await;
    }
    id
}

async fn audit(
    srv: &TestServer,
    at: Timestamp,
    actor: Actor,
    customer_id: Option<i64>,
    event: &str,
    detail: Value,
) -> i64 {
    audit_from(srv, at, actor, customer_id, event, detail, "127.0.0").await
}

async fn audit_from(
    srv: &TestServer,
    at: Timestamp,
    actor: Actor,
    customer_id: Option<i64>,
    event: &str,
    detail: Value,
    origin: &str,
) -> i64 {
    record_now(&srv.state.db, at, &AuditEvent { actor, customer_id, event, detail, origin }).await.expect("audit row")
}

/// The session ids of a list answer, in order.
fn ids(list: &Value) -> Vec<i64> {
    list["rows"].as_array().expect("rows").iter().map(|r| r["id"].as_i64().expect("id")).collect()
}

async fn list(b: &Browser, fields: &[(&str, &str)]) -> Vec<i64> {
    ids(&b.json("impersonation_review_list", fields).await)
}

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{username} is signed in");
    b
}

/// (mode, assist_granted_by, assist_granted_at) of a session.
async fn mode_of(srv: &TestServer, id: i64) -> (String, Option<i64>, Option<i64>) {
    sqlx::query_as("SELECT mode, assist_granted_by, assist_granted_at FROM impersonations WHERE id = $1")
        .bind(id)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("a session")
}

/// Audit rows of `event` (actor id, customer id, detail), oldest first.
async fn audit_rows(srv: &TestServer, event: &str) -> Vec<(Option<i64>, Option<i64>, Value)> {
    let rows: Vec<(Option<i64>, Option<i64>, String)> =
        sqlx::query_as("SELECT actor_id, customer_id, detail FROM audit_log WHERE event = $1 ORDER BY id")
            .bind(event)
            .fetch_all(srv.state.db.pool())
            .await
            .expect("audit rows");
    rows.into_iter().map(|(a, c, d)| (a, c, serde_json::from_str(&d).expect("JSON detail"))).collect()
}

async fn get(b: &Browser, path: &str, language: &str) -> reqwest::Response {
    b.http
        .get(format!("{}{path}", b.base))
        .header("accept-language", language)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

async fn get_html(b: &Browser, path: &str) -> String {
    let response = get(b, path, "zh-CN").await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

/// One CSV line's cells (RFC 4180 quoting; the export puts no line break in a cell).
fn cells(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => out.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    out.push(cell);
    out
}

/// A downloaded export: its raw text, the header's cells and each row's cells.
struct Csv {
    raw: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r[0].parse().expect("an id")).collect()
    }

    fn row(&self, id: i64) -> &Vec<String> {
        self.rows.iter().find(|r| r[0] == id.to_string()).unwrap_or_else(|| panic!("row {id} in\n{}", self.raw))
    }
}

async fn download(b: &Browser, query: &str) -> Csv {
    let response = get(b, &format!("/staff/audit.csv?{query}"), "en").await;
    assert_eq!(response.status(), 200, "export {query}");
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let disposition = headers["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("attachment; filename=\"audit_"), "{disposition}");
    let raw = response.text().await.expect("body");
    let body = raw.strip_prefix('\u{feff}').expect("a byte-order mark");
    assert!(body.ends_with("\r\n"), "CRLF line ends");
    let mut lines = body.split("\r\n").filter(|l| !l.is_empty());
    let header = cells(lines.next().expect("a header"));
    let rows = lines.map(cells).collect::<Vec<_>>();
    for row in &rows {
        assert_eq!(row.len(), 9, "nine cells in {row:?}");
    }
    Csv { raw, header, rows }
}

/// Ids the database holds for a condition over `[start, end)`, in order.
async fn expected_ids(srv: &TestServer, condition: &str, id: i64, start: Timestamp, end: Timestamp) -> Vec<i64> {
    sqlx::query_scalar(&format!("SELECT id FROM audit_log WHERE {condition} AND at >= $2 AND at < $3 ORDER BY id"))
        .bind(id)
        .bind(start.micros())
        .bind(end.micros())
        .fetch_all(srv.state.db.pool())
        .await
        .expect("expected ids")
}

fn day(text: &str) -> Day {
    Day::parse(text).expect("a day")
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn the_list_filters_by_staff_customer_days_and_running(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    // TEST_NOW is 08:00 on 2026-11-29 in Shanghai.
    let running = session(&srv, "S00005", C1, minutes(10), None).await;
    let lapsed = session(&srv, "S00005", C3, minutes(120), None).await;
    let recent = session(&srv, "S00006", C2, 3 * 86_400, Some((minutes(20), "stopped"))).await;
    let old = session(&srv, "S00005", C2, 40 * 86_400, Some((minutes(60), "time_limit"))).await;

    assert_eq!(list(&supervisor, &[]).await, vec![running, lapsed, recent, old], "newest first");
    assert_eq!(list(&supervisor, &[("staff", "S00005")]).await, vec![running, lapsed, old]);
    assert_eq!(list(&supervisor, &[("staff", " s00006 ")]).await, vec![recent], "numbers in any case");
    assert_eq!(list(&supervisor, &[("customer", C2)]).await, vec![recent, old]);
    assert_eq!(list(&supervisor, &[("staff", "S00005"), ("customer", C2)]).await, vec![old]);
    assert_eq!(list(&supervisor, &[("from", "2026-11-22"), ("to", "2026-11-29")]).await, vec![running, lapsed, recent]);
    assert_eq!(list(&supervisor, &[("from", "2026-11-26"), ("to", "2026-11-26")]).await, vec![recent]);
    assert_eq!(list(&supervisor, &[("to", "2026-11-28")]).await, vec![recent, old]);
    assert_eq!(list(&supervisor, &[("from", "2026-11-29")]).await, vec![running, lapsed]);
    assert_eq!(list(&supervisor, &[("running", "1")]).await, vec![running], "a lapsed session does not run");
    assert_eq!(list(&supervisor, &[("running", "1"), ("customer", C2)]).await, Vec::<i64>::new());
    assert_eq!(list(&supervisor, &[("staff", "S09999")]).await, Vec::<i64>::new());
    for bad in [[("from", "2026-02-30")], [("to", "yesterday")], [("staff", "S0'--")]] {
        expect_error(supervisor.call("impersonation_review_list", &bad).await, "bad_request").await;
    }
    expect_error(
        supervisor.call("impersonation_review_list", &[("from", "2026-11-29"), ("to", "2026-11-01")]).await,
        "bad_request",
    )
    .await;

    let answer = supervisor.json("impersonation_review_list", &[]).await;
    let row = |id: i64| answer["rows"].as_array().expect("rows").iter().find(|r| r["id"] == id).expect("row").clone();
    let first = row(running);
    assert_eq!(first["staff_no"], "S00005");
    assert_eq!(first["customer_no"], C1);
    assert_eq!(first["mode"], "read_only");
    assert_eq!(first["running"], true);
    assert_eq!(first["end_reason"], Value::Null);
    assert_eq!(first["started_local"], "2026-11-29 07:50");
    assert_eq!(first["ended_local"], "2026-11-29 08:50", "ends at its limit");
    assert_eq!((first["requests"].as_i64(), first["refused"].as_i64()), (Some(3), Some(1)));
    assert_eq!((first["can_grant"].as_bool(), first["can_revoke"].as_bool()), (Some(true), Some(false)));
    assert!(first["staff_name"].as_str().is_some_and(|n| !n.is_empty()));
    let second = row(lapsed);
    assert_eq!((second["running"].as_bool(), second["can_grant"].as_bool()), (Some(false), Some(false)));
    assert_eq!(second["end_reason"], "time_limit", "a session never closed lapses at its limit");
    assert_eq!(row(recent)["end_reason"], "stopped");
    assert_eq!(row(recent)["ended_local"], "2026-11-26 08:20");
}

async fn only_supervisors_and_admins_review(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let agent = staff_browser(&srv, "s00005").await;
    let advisor = staff_browser(&srv, "s00003").await;
    let admin = staff_browser(&srv, "s00001").await;
    let c = customer(&srv, "demo1").await;
    let anonymous = Browser::new(&srv);
    let id = session(&srv, "S00006", C1, minutes(5), None).await;
    let id_text = id.to_string();
    for who in [&agent, &advisor, &c] {
        for (endpoint, fields) in [
            ("impersonation_review_list", vec![]),
            ("impersonation_review_detail", vec![("id", id_text.as_str())]),
            ("impersonation_grant_assist", vec![("id", id_text.as_str())]),
            ("impersonation_revoke_assist", vec![("id", id_text.as_str())]),
        ] {
            let response = who.call(endpoint, &fields).await;
            assert_eq!(response.status(), 403, "{endpoint}");
            expect_error(response, "forbidden").await;
        }
    }
    expect_error(anonymous.call("impersonation_review_list", &[]).await, "unauthenticated").await;
    assert_eq!(mode_of(&srv, id).await.0, "read_only", "nothing changed");
    assert!(audit_rows(&srv, "impersonation_assist_granted").await.is_empty());
    assert_eq!(list(&admin, &[]).await, vec![id], "admins review too");
    ok(admin.call("impersonation_grant_assist", &[("id", &id_text)]).await).await;
    assert_eq!(mode_of(&srv, id).await.0, "assist");
}

async fn granting_and_revoking_assist_mode(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let agent = staff_browser(&srv, "s00005").await;
    let running = session(&srv, "S00005", C1, minutes(10), None).await;
    let ended = session(&srv, "S00006", C2, minutes(30), Some((minutes(5), "stopped"))).await;
    let lapsed = session(&srv, "S00006", C2, minutes(90), None).await;
    let own = session(&srv, "S00002", C3, minutes(2), None).await;
    let id = |n: i64| [("id", n.to_string())];
    let call = |b: &Browser, endpoint: &'static str, n: i64| {
        let fields = id(n);
        let request = b.post(endpoint).form(&fields);
        async move { request.send().await.expect(endpoint) }
    };
    let sup = staff_id(&srv, "S00002").await;
    let s5 = staff_id(&srv, "S00005").await;
    let c1 = customer_id(&srv, C1).await;

    // An agent cannot grant, not even on their own session.
    expect_error(call(&agent, "impersonation_grant_assist", running).await, "forbidden").await;
    assert_eq!(mode_of(&srv, running).await, ("read_only".to_owned(), None, None));

    // The supervisor grants: the mode, who and when, and one audit row.
    let now = srv.clock.now();
    ok(call(&supervisor, "impersonation_grant_assist", running).await).await;
    assert_eq!(mode_of(&srv, running).await, ("assist".to_owned(), Some(sup), Some(now.micros())));
    let granted = audit_rows(&srv, "impersonation_assist_granted").await;
    assert_eq!(granted.len(), 1);
    let (actor, customer, detail) = &granted[0];
    assert_eq!((*actor, *customer), (Some(sup), Some(c1)), "the supervisor's act, on the customer");
    assert_eq!(detail["impersonation_id"], running);
    assert_eq!(detail["staff_id"], s5, "names the viewing staff member");
    let answer = supervisor.json("impersonation_review_list", &[("running", "1")]).await;
    let row = answer["rows"].as_array().expect("rows").iter().find(|r| r["id"] == running).expect("row").clone();
    assert_eq!((row["mode"].as_str(), row["assist_granted_by"].as_str()), (Some("assist"), Some("S00002")));
    assert_eq!((row["can_grant"].as_bool(), row["can_revoke"].as_bool()), (Some(false), Some(true)));
    // Asking again changes nothing and writes nothing.
    ok(call(&supervisor, "impersonation_grant_assist", running).await).await;
    assert_eq!(audit_rows(&srv, "impersonation_assist_granted").await.len(), 1);

    // Ended or lapsed: wrong state. One's own: forbidden. Unknown: not found.
    for n in [ended, lapsed] {
        let response = call(&supervisor, "impersonation_grant_assist", n).await;
        assert_eq!(response.status(), 409);
        expect_error(response, "wrong_state").await;
        assert_eq!(mode_of(&srv, n).await.0, "read_only");
    }
    let response = call(&supervisor, "impersonation_grant_assist", own).await;
    assert_eq!(response.status(), 403);
    expect_error(response, "forbidden").await;
    assert_eq!(mode_of(&srv, own).await.0, "read_only");
    let own_row = supervisor.json("impersonation_review_list", &[("staff", "S00002")]).await;
    assert_eq!(own_row["rows"][0]["can_grant"], false, "no button on one's own session");
    expect_error(call(&supervisor, "impersonation_grant_assist", 999_999).await, "not_found").await;
    assert_eq!(audit_rows(&srv, "impersonation_assist_granted").await.len(), 1, "refusals write nothing");

    // Revoking: the agent cannot; the supervisor makes it read only again, audited.
    expect_error(call(&agent, "impersonation_revoke_assist", running).await, "forbidden").await;
    assert_eq!(mode_of(&srv, running).await.0, "assist");
    ok(call(&supervisor, "impersonation_revoke_assist", running).await).await;
    assert_eq!(mode_of(&srv, running).await, ("read_only".to_owned(), None, None));
    let revoked = audit_rows(&srv, "impersonation_assist_revoked").await;
    assert_eq!(revoked.len(), 1);
    assert_eq!((revoked[0].0, revoked[0].1), (Some(sup), Some(c1)));
    assert_eq!(revoked[0].2["impersonation_id"], running);
    expect_error(call(&supervisor, "impersonation_revoke_assist", ended).await, "wrong_state").await;
    expect_error(call(&supervisor, "impersonation_revoke_assist", own).await, "forbidden").await;
}

async fn a_session_shows_exactly_its_own_actions(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    // Enough sessions that one id is a prefix of another's (1 and 10, 2 and 20…).
    let mut all = Vec::new();
    for n in 0..11 {
        all.push(session(&srv, "S00006", C2, minutes(200 + n), Some((minutes(1), "stopped"))).await);
    }
    let id = session(&srv, "S00005", C1, minutes(30), None).await;
    let s5 = staff_id(&srv, "S00005").await;
    let c1 = customer_id(&srv, C1).await;
    let start = TEST_NOW.plus_seconds(-minutes(30));
    let request = |route: &str, status: u16, result: &str| {
        json!({ "impersonation_id": id, "reason": "help", "reference": "CALL-1", "mode": "read_only",
                "method": "POST", "route": route, "status": status, "result": result })
    };
    let ok_row = audit(
        &srv,
        start.plus_seconds(60),
        Actor::Staff(s5),
        Some(c1),
        "impersonation_request",
        request("/api/accounts", 200, "ok"),
    )
    .await;
    let refused_row = audit(
        &srv,
        start.plus_seconds(120),
        Actor::Staff(s5),
        Some(c1),
        "impersonation_request",
        request("/api/transfer_submit", 403, "refused"),
    )
    .await;
    // Rows of another session of the same customer (whose id starts with this
    // one's digits), and of no session, are not this session's.
    let other = session(&srv, "S00006", C1, minutes(20), Some((minutes(1), "stopped"))).await;
    let decoy_id = id * 10 + 1;
    let decoy = audit(
        &srv,
        start.plus_seconds(180),
        Actor::Staff(s5),
        Some(c1),
        "impersonation_request",
        json!({
            "impersonation_id": decoy_id, "route": "/api/decoy", "result": "ok",
        }),
    )
    .await;
    audit(&srv, start.plus_seconds(190), Actor::Customer(c1), None, "login_succeeded", Value::Null).await;
    ok(supervisor.call("impersonation_grant_assist", &[("id", &id.to_string())]).await).await;

    let detail = supervisor.json("impersonation_review_detail", &[("id", &id.to_string())]).await;
    assert_eq!(detail["session"]["id"], id);
    let actions = detail["actions"].as_array().expect("actions");
    let events: Vec<&str> = actions.iter().map(|a| a["event"].as_str().expect("event")).collect();
    assert_eq!(
        events,
        ["impersonation_started", "impersonation_request", "impersonation_request", "impersonation_assist_granted"]
    );
    let audit_ids: Vec<i64> = actions.iter().map(|a| a["audit_id"].as_i64().expect("id")).collect();
    assert_eq!(&audit_ids[1..3], &[ok_row, refused_row]);
    assert!(!audit_ids.contains(&decoy), "session {decoy_id}'s row is not session {id}'s");
    assert_eq!((actions[1]["method"].as_str(), actions[1]["route"].as_str()), (Some("POST"), Some("/api/accounts")));
    assert_eq!(
        (actions[2]["route"].as_str(), actions[2]["result"].as_str()),
        (Some("/api/transfer_submit"), Some("refused"))
    );
    assert_eq!(actions[0]["actor"], "S00005");
    assert_eq!(actions[3]["actor"], "S00002", "the grant is the supervisor's");
    assert_eq!(actions[1]["at_local"], "2026-11-29 07:31");
    let export_href = detail["export_href"].as_str().expect("a link");
    assert_eq!(export_href, format!("/staff/audit.csv?customer={C1}&from=2026-11-29&to=2026-11-29"));

    // The other sessions see only their own start and end.
    for n in [other, all[0], all[1], all[10]] {
        let detail = supervisor.json("impersonation_review_detail", &[("id", &n.to_string())]).await;
        let events: Vec<&str> =
            detail["actions"].as_array().expect("actions").iter().map(|a| a["event"].as_str().expect("e")).collect();
        assert_eq!(events, ["impersonation_started", "impersonation_ended"], "session {n}");
        assert_eq!(detail["actions"][1]["result"], "stopped");
    }
    expect_error(supervisor.call("impersonation_review_detail", &[("id", "999999")]).await, "not_found").await;
}

async fn audit_csv_by_customer_holds_exactly_the_range(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let zone = srv.state.zone;
    let (c1, c2) = (customer_id(&srv, C1).await, customer_id(&srv, C2).await);
    let s5 = staff_id(&srv, "S00005").await;
    // 2026-11-20 to 2026-11-27 in the bank's zone: [start, end).
    let start = day("2026-11-20").start_in(zone);
    let end = day("2026-11-28").start_in(zone);
    let middle = day("2026-11-22").start_in(zone).plus_seconds(minutes(12 * 60));
    let first = audit(&srv, start, Actor::Customer(c1), None, "login_succeeded", Value::Null).await;
    let before =
        audit(&srv, Timestamp::from_micros(start.micros() - 1), Actor::Customer(c1), None, "logged_out", Value::Null)
            .await;
    let last =
        audit(&srv, Timestamp::from_micros(end.micros() - 1), Actor::Customer(c1), None, "logged_out", Value::Null)
            .await;
    let after = audit(&srv, end, Actor::Customer(c1), None, "login_succeeded", Value::Null).await;
    let tricky_detail = json!({ "note": "He said \"hi\", twice", "formula": "=1+1" });
    let tricky = audit_from(
        &srv,
        middle,
        Actor::Staff(s5),
        Some(c1),
        "customer_call_noted",
        tricky_detail.clone(),
        "=HYPERLINK(\"http://evil\")",
    )
    .await;
    let negative = audit(&srv, middle.plus_seconds(1), Actor::System, Some(c1), "interest_paid", json!(-5)).await;
    let other_customer = audit(&srv, middle, Actor::Customer(c2), None, "login_succeeded", Value::Null).await;

    let csv = download(&supervisor, &format!("customer={C1}&from=2026-11-20&to=2026-11-27")).await;
    assert_eq!(
        csv.header,
        [
            "Id",
            "Time (UTC)",
            "Local time",
            "Actor kind",
            "Actor",
            "Customer number",
            "Event",
            "Origin",
            "Detail (JSON)"
        ]
    );
    let got = csv.ids();
    assert_eq!(got, expected_ids(&srv, "customer_id = $1", c1, start, end).await, "exactly the range, in order");
    for id in [first, last, tricky, negative] {
        assert!(got.contains(&id), "row {id} is in the range");
    }
    for id in [before, after, other_customer] {
        assert!(!got.contains(&id), "row {id} is not");
    }
    let row = csv.row(first);
    assert_eq!(row[1], "2026-11-19T16:00:00.000000Z");
    assert_eq!(row[2], "2026-11-20 00:00:00");
    assert_eq!((row[3].as_str(), row[4].as_str(), row[5].as_str()), ("customer", C1, C1));
    assert_eq!(row[8], "", "no detail");
    let row = csv.row(tricky);
    assert_eq!((row[3].as_str(), row[4].as_str(), row[6].as_str()), ("staff", "S00005", "customer_call_noted"));
    assert_eq!(row[7], "'=HYPERLINK(\"http://evil\")", "a formula is defused");
    let detail: Value = serde_json::from_str(&row[8]).expect("the detail is JSON");
    assert_eq!(detail, tricky_detail);
    assert!(csv.raw.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "quotes doubled inside a quoted cell");
    assert!(csv.raw.contains("\"\"He said \\\"\"hi\\\"\", twice\"\""), "the detail's quotes doubled");
    assert_eq!(csv.row(negative)[8], "'-5", "a leading minus is defused too");
    assert_eq!(csv.row(negative)[3], "system");

    // The export is audited: the supervisor's, on the customer, with the filter and count.
    let exported = audit_rows(&srv, "audit_exported").await;
    assert_eq!(exported.len(), 1);
    let (actor, customer, detail) = &exported[0];
    assert_eq!((*actor, *customer), (Some(staff_id(&srv, "S00002").await), Some(c1)));
    assert_eq!(detail["filter"], "customer");
    assert_eq!(detail["subject"], C1);
    assert_eq!((detail["from"].as_str(), detail["to"].as_str()), (Some("2026-11-20"), Some("2026-11-27")));
    assert_eq!(detail["rows"].as_i64(), Some(got.len() as i64));
    // Lower-case numbers and a Chinese header.
    let response = get(
        &supervisor,
        &format!("/staff/audit.csv?customer={}&from=2026-11-20&to=2026-11-27", C1.to_lowercase()),
        "zh-CN",
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.expect("body").starts_with("\u{feff}编号,时间（UTC）,"));
}

async fn audit_csv_by_staff_holds_exactly_their_actions(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let admin = staff_browser(&srv, "s00001").await;
    let zone = srv.state.zone;
    let c1 = customer_id(&srv, C1).await;
    let (s5, s6) = (staff_id(&srv, "S00005").await, staff_id(&srv, "S00006").await);
    let start = day("2026-11-20").start_in(zone);
    let end = day("2026-11-28").start_in(zone);
    let middle = day("2026-11-22").start_in(zone).plus_seconds(3600);
    let on_customer =
        audit(&srv, middle, Actor::Staff(s5), Some(c1), "customer_call_noted", json!({ "note_id": 1 })).await;
    let own = audit(&srv, middle.plus_seconds(60), Actor::Staff(s5), None, "login_succeeded", Value::Null).await;
    let old =
        audit(&srv, day("2026-11-10").start_in(zone), Actor::Staff(s5), Some(c1), "customer_call_noted", Value::Null)
            .await;
    let colleague = audit(&srv, middle, Actor::Staff(s6), Some(c1), "customer_call_noted", Value::Null).await;
    let customer_own = audit(&srv, middle, Actor::Customer(c1), None, "login_succeeded", Value::Null).await;

    let csv = download(&admin, "staff=S00005&from=2026-11-20&to=2026-11-27").await;
    let got = csv.ids();
    assert_eq!(got, expected_ids(&srv, "actor_kind = 'staff' AND actor_id = $1", s5, start, end).await);
    assert!(got.contains(&on_customer) && got.contains(&own));
    for id in [old, colleague, customer_own] {
        assert!(!got.contains(&id), "row {id} is not S00005's in the range");
    }
    assert_eq!(csv.row(on_customer)[5], C1);
    assert_eq!(csv.row(own)[5], "", "no customer");
    let exported = audit_rows(&srv, "audit_exported").await;
    assert_eq!(exported.len(), 1);
    assert_eq!(exported[0].1, None, "a staff export concerns no customer");
    assert_eq!(exported[0].2["filter"], "staff");
    assert_eq!(exported[0].2["subject"], "S00005");
    assert_eq!(exported[0].2["rows"].as_i64(), Some(got.len() as i64));
    // 366 days, both included, is the longest period.
    let year = download(&admin, "staff=S00005&from=2025-11-28&to=2026-11-28").await;
    assert!(year.ids().contains(&old));
}

async fn audit_csv_is_refused_to_others_and_to_bad_input(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let agent = staff_browser(&srv, "s00005").await;
    let advisor = staff_browser(&srv, "s00003").await;
    let c = customer(&srv, "demo1").await;
    let anonymous = Browser::new(&srv);
    let good = format!("/staff/audit.csv?customer={C1}&from=2026-11-01&to=2026-11-29");
    let response = get(&anonymous, &good, "en").await;
    assert_eq!(response.status(), 401);
    for who in [&agent, &advisor, &c] {
        let response = get(who, &good, "en").await;
        assert_eq!(response.status(), 403);
        assert!(!response.text().await.expect("body").contains(C1));
    }
    let subject = "Give either a customer number or a staff number (exactly one).";
    let range = "Give two valid dates (YYYY-MM-DD), the first not after the second, at most 366 days apart.";
    for (query, message) in [
        (format!("customer={C1}&staff=S00005&from=2026-11-01&to=2026-11-29"), subject),
        ("from=2026-11-01&to=2026-11-29".to_owned(), subject),
        ("customer=&staff=&from=2026-11-01&to=2026-11-29".to_owned(), subject),
        (format!("customer={C1}&from=2026-11-29&to=2026-11-01"), range),
        (format!("customer={C1}&from=2025-11-27&to=2026-11-28"), range),
        (format!("customer={C1}&from=2026-02-30&to=2026-03-01"), range),
        (format!("customer={C1}&to=2026-03-01"), range),
        ("staff=S00005&from=29/11/2026&to=2026-11-29".to_owned(), range),
    ] {
        let response = get(&supervisor, &format!("/staff/audit.csv?{query}"), "en").await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(response.text().await.expect("body"), message, "{query}");
    }
    let response = get(&supervisor, "/staff/audit.csv?from=x&to=y", "zh-CN").await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.expect("body").contains("客户号"), "translated");
    let response = get(&supervisor, "/staff/audit.csv?customer=C99999999&from=2026-11-01&to=2026-11-29", "en").await;
    assert_eq!(response.status(), 404);
    assert!(audit_rows(&srv, "audit_exported").await.is_empty(), "a refused export writes nothing");
    let response = get(&supervisor, &good, "en").await;
    assert_eq!(response.status(), 200);
    assert_eq!(audit_rows(&srv, "audit_exported").await.len(), 1);
}

async fn pages_and_forms_work_without_the_wasm(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let agent = staff_browser(&srv, "s00005").await;
    let running = session(&srv, "S00005", C1, minutes(10), None).await;
    let ended = session(&srv, "S00006", C2, minutes(100), Some((minutes(5), "stopped"))).await;

    // The list: rows, links, the filter and export forms, one grant form.
    let html = get_html(&supervisor, "/staff/impersonations").await;
    for needle in [
        format!("data-id=\"{running}\""),
        format!("data-id=\"{ended}\""),
        format!("href=\"/staff/impersonations/{running}\""),
        "action=\"/staff/impersonations\"".to_owned(),
        "action=\"/staff/audit.csv\"".to_owned(),
        "name=\"running\"".to_owned(),
        "action=\"/api/impersonation_grant_assist\"".to_owned(),
        format!("name=\"id\" value=\"{running}\""),
        "href=\"/staff/impersonations\"".to_owned(),
    ] {
        assert!(html.contains(&needle), "{needle} on the list");
    }
    assert!(!html.contains(&format!("name=\"id\" value=\"{ended}\"")), "no button on an ended session");
    let html = get_html(&supervisor, &format!("/staff/impersonations?customer={C2}")).await;
    assert!(html.contains(&format!("data-id=\"{ended}\"")) && !html.contains(&format!("data-id=\"{running}\"")));
    // An agent gets the refusal, no data and no menu entry.
    let html = get_html(&agent, "/staff/impersonations").await;
    assert!(!html.contains(&format!("data-id=\"{running}\"")));
    assert!(html.contains("role=\"alert\""));
    assert!(!html.contains("href=\"/staff/impersonations\""));
    let html = get_html(&agent, &format!("/staff/impersonations/{running}")).await;
    assert!(html.contains("role=\"alert\"") && !html.contains("data-event=\"impersonation_started\""));
    // The menu entry: supervisors (and admins) only.
    assert!(get_html(&supervisor, "/staff/home").await.contains("href=\"/staff/impersonations\""));
    assert!(!get_html(&agent, "/staff/home").await.contains("href=\"/staff/impersonations\""));

    // A plain form post grants and goes back to the page.
    let response = supervisor
        .form("impersonation_grant_assist", &[("id", &running.to_string())], "/staff/impersonations?running=1")
        .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(
        location(&response).as_deref(),
        Some(format!("{}/staff/impersonations?running=1", supervisor.base).as_str())
    );
    assert_eq!(mode_of(&srv, running).await.0, "assist");

    // The session's page: its summary, its actions, revoke, the export link.
    let html = get_html(&supervisor, &format!("/staff/impersonations/{running}")).await;
    for needle in [
        "data-event=\"impersonation_started\"",
        "data-event=\"impersonation_assist_granted\"",
        "action=\"/api/impersonation_revoke_assist\"",
        "/staff/audit.csv?customer=C00000001&amp;from=2026-11-29&amp;to=2026-11-29",
    ] {
        assert!(html.contains(needle), "{needle} on the session page");
    }
}
