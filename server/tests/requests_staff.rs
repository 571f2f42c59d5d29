//! Service requests, the bank's side, on SQLite and PostgreSQL: claiming, assigning
//! and bulk assigning (supervisors only; one unknown reference changes nothing);
//! every staff action audited with the staff member and the customer; every
//! transition staff may not make refused and closed final; asking pauses the
//! service-level clock and the customer's answer resumes it; internal notes reach
//! no customer response; the queue's filters and order; customers forbidden every
//! staff function; resolving a contact change applies it; the pages and their plain
//! HTML forms without the WASM.
mod support;

use app::backend::seed::DEMO_PASSWORD;
use app::types::{Party, RequestStatus};
use serde_json::Value;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer};

on_both_backends!(
    claim_assign_and_bulk_assign,
    every_staff_action_is_audited_with_both_ids,
    disallowed_staff_transitions_are_refused_and_closed_is_final,
    asking_pauses_the_clock_and_the_answer_resumes_it,
    internal_notes_reach_no_customer_response,
    queue_filters_and_order,
    customers_are_forbidden_every_staff_function,
    resolving_a_contact_change_applies_it,
    pages_and_plain_forms_work_without_the_wasm,
    demo_requests_are_seeded_in_their_states,
    holding_a_request_opens_the_customer_summary,
);

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{username} is signed in");
    b
}

async fn scalar_i64(srv: &TestServer, sql: &str, text: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(text).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    scalar_i64(srv, "SELECT id FROM staff WHERE staff_no = $1", staff_no).await
}

async fn customer_id(srv: &TestServer, username: &str) -> i64 {
    scalar_i64(srv, "SELECT principal_id FROM credentials WHERE username = $1", username).await
}

/// (status, assignee's staff number, running_since) of a request, from the database.
async fn stored(srv: &TestServer, reference: &str) -> (String, Option<String>, Option<i64>) {
    sqlx::query_as(
        "SELECT r.status, s.staff_no, r.running_since FROM service_requests r \
         LEFT JOIN staff s ON s.id = r.assigned_staff_id WHERE r.reference = $1",
    )
    .bind(reference)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("the request")
}

/// Submits a request of `kind` with `fields` the way the WASM does; its reference.
async fn submit(c: &Browser, kind: &str, fields: &[(&str, &str)]) -> String {
    let form = c.json("request_form", &[("kind", kind)]).await;
    let key = form["key"].as_str().expect("a key").to_owned();
    let mut all = vec![("kind", kind), ("key", key.as_str())];
    all.extend_from_slice(fields);
    let to = success_to(c.call("request_submit", &all).await).await;
    to.trim_start_matches("/requests/").to_owned()
}

async fn general(c: &Browser, subject: &str) -> String {
    submit(c, "general", &[("subject", subject), ("body", "请帮忙处理一下。")]).await
}

async fn complaint(c: &Browser, subject: &str) -> String {
    let fields = [("category", "service"), ("subject", subject), ("body", "排队太久。"), ("wanted", "多开窗口。")];
    submit(c, "complaint", &fields).await
}

fn r(reference: &str) -> [(&str, &str); 1] {
    [("reference", reference)]
}

/// A staff reply (asking the customer when `ask`), with a fresh key from the page's data.
async fn staff_reply(b: &Browser, reference: &str, body: &str, ask: bool) -> reqwest::Response {
    let view = b.json("staff_request", &r(reference)).await;
    let key = view["reply_key"].as_str().expect("a reply key").to_owned();
    let mut fields = vec![("reference", reference), ("body", body), ("key", key.as_str())];
    if ask {
        fields.push(("ask", "yes"));
    }
    b.call("staff_request_reply", &fields).await
}

async fn resolve(b: &Browser, reference: &str) -> reqwest::Response {
    b.call("staff_request_resolve", &[("reference", reference), ("body", "已为您处理完毕。")]).await
}

/// References in a queue answer, in order.
fn refs_of(queue: &Value) -> Vec<String> {
    queue["rows"].as_array().expect("rows").iter().filter_map(|r| r["reference"].as_str().map(str::to_owned)).collect()
}

async fn get_html(b: &Browser, path: &str) -> String {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

async fn audited(srv: &TestServer, event: &str, staff: i64, customer: i64, reference: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM audit_log WHERE event = $1 AND actor_kind = 'staff' AND actor_id = $2 \
         AND customer_id = $3 AND detail LIKE $4",
    )
    .bind(event)
    .bind(staff)
    .bind(customer)
    .bind(format!("%{reference}%"))
    .fetch_one(srv.state.db.pool())
    .await
    .expect("audit count")
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn claim_assign_and_bulk_assign(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let other = staff_browser(&srv, "s00006").await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let first = general(&c, "第一件事").await;
    let second = general(&c, "第二件事").await;

    // Claiming takes a new request and starts it; claiming it again is harmless,
    // someone else's claim is refused.
    assert_eq!(stored(&srv, &first).await.0, "submitted");
    success_to(agent.call("staff_request_claim", &r(&first)).await).await;
    assert_eq!(stored(&srv, &first).await.0, "in_progress");
    assert_eq!(stored(&srv, &first).await.1.as_deref(), Some("S00005"));
    ok(agent.call("staff_request_claim", &r(&first)).await).await;
    expect_error(other.call("staff_request_claim", &r(&first)).await, "wrong_state").await;
    assert_eq!(stored(&srv, &first).await.1.as_deref(), Some("S00005"));

    // Assigning is for supervisors and admins.
    let to_other = [("reference", first.as_str()), ("staff_no", "S00006")];
    expect_error(agent.call("staff_request_assign", &to_other).await, "forbidden").await;
    success_to(supervisor.call("staff_request_assign", &to_other).await).await;
    assert_eq!(stored(&srv, &first).await.1.as_deref(), Some("S00006"));
    let nobody = [("reference", first.as_str()), ("staff_no", "S99999")];
    expect_error(supervisor.call("staff_request_assign", &nobody).await, "bad_request").await;
    assert_eq!(stored(&srv, &first).await.1.as_deref(), Some("S00006"));

    // Bulk: refused for agents; one unknown reference changes nothing at all.
    let bulk = |refs: &[&str], to: &'static str| -> Vec<(String, String)> {
        let mut fields: Vec<(String, String)> =
            refs.iter().enumerate().map(|(i, r)| (format!("refs[{i}]"), (*r).to_owned())).collect();
        fields.push(("staff_no".into(), to.into()));
        fields
    };
    let as_pairs = |v: &Vec<(String, String)>| v.iter().map(|(a, b)| (a.clone(), b.clone())).collect::<Vec<_>>();
    let call = |b: &Browser, fields: Vec<(String, String)>| {
        let request = b.post("staff_request_bulk_assign").form(&fields);
        async move { request.send().await.expect("bulk") }
    };
    let both = bulk(&[&first, &second], "S00003");
    expect_error(call(&agent, as_pairs(&both)).await, "forbidden").await;
    let with_unknown = bulk(&[&first, &second, "SR-2026-999999"], "S00003");
    expect_error(call(&supervisor, with_unknown).await, "not_found").await;
    assert_eq!(stored(&srv, &first).await.1.as_deref(), Some("S00006"), "nothing changed");
    assert_eq!(stored(&srv, &second).await.1, None, "nothing changed");
    let assigned = "SELECT COUNT(*) FROM service_request_events e JOIN service_requests r ON r.id = e.request_id \
                    WHERE r.reference = $1 AND e.kind = 'assigned'";
    assert_eq!(scalar_i64(&srv, assigned, &second).await, 0);
    let answer = call(&supervisor, both).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.text().await.expect("body"), "2", "both changed hands");
    for reference in [&first, &second] {
        assert_eq!(stored(&srv, reference).await.1.as_deref(), Some("S00003"));
    }
    assert_eq!(scalar_i64(&srv, assigned, &second).await, 1, "a staff-only timeline step");
    let done = resolve(&agent, &first).await;
    assert!(done.status().is_success());
    let closed_bulk = bulk(&[&first, &second], "S00005");
    expect_error(call(&supervisor, closed_bulk).await, "wrong_state").await;
    assert_eq!(stored(&srv, &second).await.1.as_deref(), Some("S00003"), "a done request in the list changes nothing");
}

async fn every_staff_action_is_audited_with_both_ids(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let (s5, s2) = (staff_id(&srv, "S00005").await, staff_id(&srv, "S00002").await);
    let claimed = general(&c, "审计一").await;
    let started = general(&c, "审计二").await;

    agent.json("staff_request", &r(&claimed)).await;
    success_to(agent.call("staff_request_claim", &r(&claimed)).await).await;
    success_to(agent.call("staff_request_note", &[("reference", claimed.as_str()), ("body", "内部核实中")]).await)
        .await;
    success_to(staff_reply(&agent, &claimed, "请提供更多信息。", true).await).await;
    success_to(resolve(&agent, &claimed).await).await;
    success_to(agent.call("staff_request_start", &r(&started)).await).await;
    let to = [("reference", started.as_str()), ("staff_no", "S00003")];
    success_to(supervisor.call("staff_request_assign", &to).await).await;

    for (event, staff, reference) in [
        ("service_request_viewed", s5, &claimed),
        ("service_request_claimed", s5, &claimed),
        ("service_request_note_added", s5, &claimed),
        ("service_request_replied", s5, &claimed),
        ("service_request_resolved", s5, &claimed),
        ("service_request_started", s5, &started),
        ("service_request_assigned", s2, &started),
    ] {
        let times = audited(&srv, event, staff, demo1, reference).await;
        // Every look is recorded (the reply form's page was looked at too).
        let expected = if event == "service_request_viewed" { times.max(1) } else { 1 };
        assert_eq!(times, expected, "{event} on {reference}");
    }
    // The note's text is not in the audit trail (customers see their own trail).
    let leaked = scalar_i64(&srv, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1", "%内部核实中%").await;
    assert_eq!(leaked, 0);
}

/// Brings a fresh request of demo1 to `status`, through the server functions.
async fn request_in(c: &Browser, agent: &Browser, status: RequestStatus, n: usize) -> String {
    let reference = general(c, &format!("状态 {} {n}", status.as_str())).await;
    let start = |reference: String| async move {
        success_to(agent.call("staff_request_start", &r(&reference)).await).await;
        reference
    };
    match status {
        RequestStatus::Submitted => reference,
        RequestStatus::InProgress => start(reference).await,
        RequestStatus::WaitingCustomer => {
            success_to(staff_reply(agent, &reference, "请问是哪一天？", true).await).await;
            reference
        }
        RequestStatus::Resolved | RequestStatus::Closed => {
            let reference = start(reference).await;
            success_to(resolve(agent, &reference).await).await;
            if status == RequestStatus::Closed {
                success_to(c.call("request_confirm", &r(&reference)).await).await;
            }
            reference
        }
        RequestStatus::Withdrawn => {
            success_to(c.call("request_withdraw", &[("reference", reference.as_str()), ("reason", "不需要了")]).await)
                .await;
            reference
        }
    }
}

async fn disallowed_staff_transitions_are_refused_and_closed_is_final(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let mut n = 0;
    // The staff functions that move a request, and where they move it.
    let targets = [RequestStatus::InProgress, RequestStatus::WaitingCustomer, RequestStatus::Resolved];
    for from in RequestStatus::ALL.iter().copied() {
        for to in targets {
            n += 1;
            let reference = request_in(&c, &agent, from, n).await;
            assert_eq!(stored(&srv, &reference).await.0, from.as_str(), "set up {reference}");
            let answer = match to {
                RequestStatus::InProgress => agent.call("staff_request_start", &r(&reference)).await,
                RequestStatus::WaitingCustomer => staff_reply(&agent, &reference, "还有一个问题。", true).await,
                _ => resolve(&agent, &reference).await,
            };
            let now = stored(&srv, &reference).await.0;
            if from == RequestStatus::WaitingCustomer && to == RequestStatus::WaitingCustomer {
                // Asking again is only a reply: the request keeps waiting.
                ok(answer).await;
                assert_eq!(now, "waiting_customer");
            } else if from.allows(to, Party::Staff) {
                ok(answer).await;
                assert_eq!(now, to.as_str(), "{from:?} -> {to:?}");
            } else {
                expect_error(answer, "transition_not_allowed").await;
                assert_eq!(now, from.as_str(), "{from:?} -> {to:?} changed nothing");
            }
        }
    }
    // Closed is final for everyone: no claim, no reply, no reopen by the customer.
    n += 1;
    let closed = request_in(&c, &agent, RequestStatus::Closed, n).await;
    expect_error(agent.call("staff_request_claim", &r(&closed)).await, "wrong_state").await;
    expect_error(staff_reply(&agent, &closed, "再补充一点。", false).await, "wrong_state").await;
    let reopened = c.call("request_reopen", &r(&closed)).await;
    assert!(!reopened.status().is_success(), "a closed request is not reopened");
    assert_eq!(stored(&srv, &closed).await.0, "closed");
}

async fn asking_pauses_the_clock_and_the_answer_resumes_it(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let reference = general(&c, "时钟").await;
    success_to(agent.call("staff_request_claim", &r(&reference)).await).await;
    assert!(stored(&srv, &reference).await.2.is_some(), "the clock runs");

    // One question per form key (a double-click sends one message).
    let view = agent.json("staff_request", &r(&reference)).await;
    let key = view["reply_key"].as_str().expect("key").to_owned();
    let fields =
        [("reference", reference.as_str()), ("body", "请问卡号后四位？"), ("key", key.as_str()), ("ask", "yes")];
    success_to(agent.call("staff_request_reply", &fields).await).await;
    success_to(agent.call("staff_request_reply", &fields).await).await;
    let (status, _, running) = stored(&srv, &reference).await;
    assert_eq!((status.as_str(), running), ("waiting_customer", None), "waiting: the clock is paused");
    let messages = "SELECT COUNT(*) FROM service_request_messages m JOIN service_requests r ON r.id = m.request_id \
                    WHERE r.reference = $1 AND m.author_kind = 'staff'";
    assert_eq!(scalar_i64(&srv, messages, &reference).await, 1, "one message per key");
    let queue = agent.json("staff_requests", &[("kind", "general"), ("assignee", "me")]).await;
    let row = queue["rows"].as_array().expect("rows").iter().find(|r| r["reference"] == reference.as_str()).cloned();
    let row = row.expect("listed");
    assert_eq!((row["sla"].as_str(), row["due_local"].is_null()), (Some("paused"), true));
    let notices = scalar_i64(
        &srv,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'service_request_reply' AND detail = $1",
        &reference,
    )
    .await;
    assert_eq!(notices, 1, "the customer is notified");

    // The customer's answer hands it back to the bank: the clock runs again.
    srv.clock.advance_seconds(300);
    let mine = c.json("request", &r(&reference)).await;
    let key = mine["reply_key"].as_str().expect("customer key").to_owned();
    let answer = [("reference", reference.as_str()), ("body", "后四位是 1234。"), ("key", key.as_str())];
    success_to(c.call("request_reply", &answer).await).await;
    let (status, _, running) = stored(&srv, &reference).await;
    assert_eq!(status, "in_progress");
    assert!(running.is_some(), "the clock runs again");
}

/// Every customer-facing server function and page of `c` for `reference`: their
/// answers, whatever they are (a refusal too).
/// The customer's request functions `customer_answers` calls. A new one must be
/// added there and here, or `the_walk_covers_every_customer_request_function` fails.
const WALKED: [&str; 9] = [
    "request",
    "requests",
    "request_form",
    "request_reply",
    "request_rate",
    "request_reopen",
    "request_confirm",
    "request_withdraw",
    "request_submit",
];

/// Staff functions that share the `/api/request…` prefix (checked elsewhere).
const STAFF_ONLY: [&str; 2] = ["requests_sla_report", "requests_extend_complaint"];

#[test]
fn the_walk_covers_every_customer_request_function() {
    let mut registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/api/"))
        .filter(|name| name.starts_with("request") && !STAFF_ONLY.contains(name))
        .collect();
    registered.sort_unstable();
    let mut walked = WALKED.to_vec();
    walked.sort_unstable();
    assert_eq!(registered, walked, "every customer request function is in the note walk");
}

async fn customer_answers(c: &Browser, reference: &str) -> Vec<(String, String)> {
    let mut answers: Vec<(String, String)> = Vec::new();
    // Reads.
    let mine = c.call("request", &r(reference)).await.text().await.unwrap_or_default();
    answers.push(("request".into(), mine.clone()));
    answers.push(("requests".into(), c.call("requests", &[]).await.text().await.unwrap_or_default()));
    for kind in app::types::RequestKind::ALL {
        let body = c.call("request_form", &[("kind", kind.as_str())]).await.text().await.unwrap_or_default();
        answers.push((format!("request_form {}", kind.as_str()), body));
    }
    answers.push(("notifications".into(), c.call("notifications", &[]).await.text().await.unwrap_or_default()));
    answers.push(("security_events".into(), c.call("security_events", &[]).await.text().await.unwrap_or_default()));
    // Changes (their answers and errors too): a reply, a rating, confirm, reopen, withdraw.
    let mine: Value = serde_json::from_str(&mine).unwrap_or(Value::Null);
    let key = mine["reply_key"].as_str().unwrap_or_default().to_owned();
    for (endpoint, fields) in [
        ("request_reply", vec![("reference", reference), ("body", "谢谢"), ("key", key.as_str())]),
        ("request_rate", vec![("reference", reference), ("score", "5"), ("comment", "好")]),
        ("request_reopen", vec![("reference", reference)]),
        ("request_confirm", vec![("reference", reference)]),
        ("request_withdraw", vec![("reference", reference), ("reason", "不用了")]),
        ("request_submit", vec![("kind", "general"), ("key", "bad key"), ("subject", "x"), ("body", "y")]),
    ] {
        answers.push((endpoint.into(), c.call(endpoint, &fields).await.text().await.unwrap_or_default()));
    }
    // Pages.
    let mut pages = vec!["/requests".to_owned(), "/requests/new".into(), format!("/requests/{reference}")];
    pages.extend(app::types::RequestKind::ALL.iter().map(|k| format!("/requests/new/{}", k.as_str())));
    pages.extend(["/notifications".to_owned(), "/security".into()]);
    for page in pages {
        let body = c.http.get(format!("{}{page}", c.base)).send().await.expect("GET").text().await.unwrap_or_default();
        answers.push((page, body));
    }
    answers
}

async fn internal_notes_reach_no_customer_response(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let other = customer(&srv, "demo2").await;
    let agent = staff_browser(&srv, "s00005").await;
    let reference = complaint(&c, "备注不外泄").await;
    const MARKER: &str = "NOTE-MARKER-7f3a9c";
    success_to(agent.call("staff_request_claim", &r(&reference)).await).await;
    let note = format!("客户情绪激动 {MARKER}");
    success_to(agent.call("staff_request_note", &[("reference", reference.as_str()), ("body", &note)]).await).await;
    success_to(staff_reply(&agent, &reference, "我们正在核实。", true).await).await;
    success_to(agent.call("staff_request_start", &r(&reference)).await).await;
    success_to(resolve(&agent, &reference).await).await;

    // Staff see it (so the marker is really there to be found).
    let staff_page = get_html(&agent, &format!("/staff/requests/{reference}")).await;
    assert!(staff_page.contains(MARKER), "staff read the note");

    // The owner, through every customer function and page, in every state they reach.
    for (what, body) in customer_answers(&c, &reference).await {
        assert!(!body.contains(MARKER), "{what} shows the internal note");
    }
    // Another customer: the reference is not found, and nothing of it shows.
    expect_error(other.call("request", &r(&reference)).await, "not_found").await;
    for (what, body) in customer_answers(&other, &reference).await {
        assert!(!body.contains(MARKER) && !body.contains("备注不外泄"), "{what} shows another customer's request");
    }
}

async fn queue_filters_and_order(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let general_ref = general(&c, "队列一般").await;
    srv.clock.advance_seconds(60);
    let complaint_ref = complaint(&c, "队列投诉").await;
    let paused_ref = general(&c, "队列暂停").await;
    success_to(staff_reply(&agent, &paused_ref, "请补充材料。", true).await).await;

    // Default: open requests, running ones earliest due first, then the paused ones.
    let queue = agent.json("staff_requests", &[]).await;
    let refs = refs_of(&queue);
    let at = |r: &str| refs.iter().position(|x| x == r).unwrap_or_else(|| panic!("{r} in {refs:?}"));
    assert!(at(&general_ref) < at(&complaint_ref), "the general request is due sooner (shorter target)");
    assert!(at(&complaint_ref) < at(&paused_ref), "paused after running");
    let rows = queue["rows"].as_array().expect("rows");
    let dues: Vec<Option<&str>> = rows.iter().map(|r| r["due_local"].as_str()).collect();
    let first_paused = dues.iter().position(Option::is_none).unwrap_or(dues.len());
    assert!(dues[first_paused..].iter().all(Option::is_none), "no running one after a paused one: {dues:?}");
    assert!(dues[..first_paused].windows(2).all(|w| w[0] <= w[1]), "earliest due first: {dues:?}");
    for row in rows {
        assert!(["submitted", "in_progress", "waiting_customer"].contains(&row["status"].as_str().unwrap_or("")));
    }

    // Kind, priority, assignee, branch.
    let only = |fields: &'static [(&'static str, &'static str)]| {
        let agent = &agent;
        async move { refs_of(&agent.json("staff_requests", fields).await) }
    };
    let complaints = only(&[("kind", "complaint")]).await;
    assert!(complaints.contains(&complaint_ref) && !complaints.contains(&general_ref));
    let high = agent.json("staff_requests", &[("priority", "high")]).await;
    assert!(refs_of(&high).contains(&complaint_ref));
    assert!(high["rows"].as_array().expect("rows").iter().all(|r| r["priority"] == "high"));
    success_to(agent.call("staff_request_claim", &r(&complaint_ref)).await).await;
    let mine = only(&[("assignee", "me")]).await;
    assert!(mine.contains(&complaint_ref) && !mine.contains(&general_ref));
    let unassigned = only(&[("assignee", "unassigned")]).await;
    assert!(unassigned.contains(&general_ref) && !unassigned.contains(&complaint_ref));
    let branch: String = sqlx::query_scalar(
        "SELECT b.code FROM customers c JOIN branches b ON b.id = c.branch_id WHERE c.customer_no = 'C00000001'",
    )
    .fetch_one(srv.state.db.pool())
    .await
    .expect("branch");
    let here = refs_of(&agent.json("staff_requests", &[("branch", branch.as_str())]).await);
    assert!(here.contains(&general_ref));
    let elsewhere = if branch == "B005" { "B004" } else { "B005" };
    assert!(!refs_of(&agent.json("staff_requests", &[("branch", elsewhere)]).await).contains(&general_ref));

    // Status: done ones only when asked for.
    success_to(agent.call("staff_request_start", &r(&general_ref)).await).await;
    success_to(resolve(&agent, &general_ref).await).await;
    assert!(!refs_of(&agent.json("staff_requests", &[]).await).contains(&general_ref));
    assert!(refs_of(&agent.json("staff_requests", &[("status", "resolved")]).await).contains(&general_ref));
    assert!(refs_of(&agent.json("staff_requests", &[("status", "all")]).await).contains(&general_ref));

    // Due: today's are due today; at risk are flagged so; overdue once the time passed.
    let today = agent.json("staff_requests", &[("due", "today")]).await;
    for row in today["rows"].as_array().expect("rows") {
        assert!(row["due_local"].as_str().is_some_and(|d| d.starts_with("2026-11-29")), "{row}");
    }
    let at_risk = agent.json("staff_requests", &[("due", "at_risk")]).await;
    assert!(at_risk["rows"].as_array().expect("rows").iter().all(|r| r["sla"] == "at_risk"));
    assert!(!refs_of(&agent.json("staff_requests", &[("due", "overdue")]).await).contains(&complaint_ref));
    srv.clock.advance_seconds(60 * 86_400);
    // Sessions do not last two months: sign in again.
    let agent = staff_browser(&srv, "s00005").await;
    let overdue = refs_of(&agent.json("staff_requests", &[("due", "overdue")]).await);
    assert!(overdue.contains(&complaint_ref), "running and past due");
    assert!(!overdue.contains(&paused_ref), "a paused request is never overdue");

    // A value the form never sends is refused, naming the field.
    let bad = agent.call("staff_requests", &[("due", "yesterday")]).await;
    let body: Value = serde_json::from_str(&bad.text().await.expect("body")).expect("json");
    assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("bad_request"), Some("due")));
}

async fn customers_are_forbidden_every_staff_function(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let reference = general(&c, "员工功能").await;
    let own = reference.as_str();
    for (endpoint, fields) in [
        ("staff_requests", vec![]),
        ("staff_request", vec![("reference", own)]),
        ("staff_request_claim", vec![("reference", own)]),
        ("staff_request_assign", vec![("reference", own), ("staff_no", "S00005")]),
        ("staff_request_bulk_assign", vec![("refs[0]", own), ("staff_no", "S00005")]),
        ("staff_request_reply", vec![("reference", own), ("body", "x"), ("key", "k"), ("ask", "yes")]),
        ("staff_request_note", vec![("reference", own), ("body", "x")]),
        ("staff_request_start", vec![("reference", own)]),
        ("staff_request_resolve", vec![("reference", own), ("body", "x")]),
    ] {
        expect_error(c.call(endpoint, &fields).await, "forbidden").await;
    }
    let (status, assignee, _) = stored(&srv, &reference).await;
    assert_eq!((status.as_str(), assignee), ("submitted", None), "nothing changed");
    let notes = scalar_i64(&srv, "SELECT COUNT(*) FROM service_request_notes WHERE body = $1", "x").await;
    assert_eq!(notes, 0);
}

async fn resolving_a_contact_change_applies_it(backend: Backend) {
    use app::backend::requests::{calendar::WorkingCalendar, insert_request, NewRequest};
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    // The customer's side (with its step-up) is the customer tests' business: the
    // request is made with the core the customer function uses.
    let state = &srv.state;
    let calendar = WorkingCalendar::load(&state.db, state.zone).await.expect("calendar");
    let subject = app::types::PlainText::new("变更联系方式", 80, "subject").expect("subject");
    let new = NewRequest {
        customer_id: demo1,
        kind: app::types::RequestKind::ContactChange,
        subject: &subject,
        body: "",
        details: serde_json::json!({ "phone": "13900009999", "address": "幸福路 20 号" }),
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        created_by_staff_id: None,
    };
    let mut tx = state.db.begin_write().await.expect("tx");
    let (_, reference) =
        insert_request(&mut tx, state.zone, &calendar, &new, state.clock.now()).await.expect("a contact change");
    tx.commit().await.expect("commit");
    let reference = reference.to_string();

    let view = agent.json("staff_request", &r(&reference)).await;
    let facts = view["facts"].to_string();
    assert!(facts.contains("13900009999") && facts.contains("幸福路 20 号"), "the new details are shown: {facts}");
    success_to(agent.call("staff_request_claim", &r(&reference)).await).await;
    let before: String = sqlx::query_scalar("SELECT phone FROM customers WHERE id = $1")
        .bind(demo1)
        .fetch_one(state.db.pool())
        .await
        .expect("phone");
    assert_ne!(before, "13900009999");
    success_to(resolve(&agent, &reference).await).await;
    let (phone, address): (String, String) = sqlx::query_as("SELECT phone, address FROM customers WHERE id = $1")
        .bind(demo1)
        .fetch_one(state.db.pool())
        .await
        .expect("contact");
    assert_eq!((phone.as_str(), address.as_str()), ("13900009999", "幸福路 20 号"), "applied with the resolution");
    let notices = scalar_i64(
        &srv,
        "SELECT COUNT(*) FROM notifications WHERE kind = 'service_request_resolved' AND detail = $1",
        &reference,
    )
    .await;
    assert_eq!(notices, 1, "the customer is asked to confirm or rate");
}

async fn pages_and_plain_forms_work_without_the_wasm(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let reference = complaint(&c, "页面投诉").await;
    let page = format!("/staff/requests/{reference}");

    // The queue: filter form, SLA classes, links; the bulk form for supervisors only.
    let html = get_html(&agent, "/staff/requests?kind=complaint").await;
    assert!(html.contains(&format!("href=\"{page}\"")) && html.contains("class=\"srs-sla sla-"));
    for field in [
        "name=\"kind\"",
        "name=\"status\"",
        "name=\"priority\"",
        "name=\"due\"",
        "name=\"assignee\"",
        "name=\"branch\"",
    ] {
        assert!(html.contains(field), "{field} in the filter form");
    }
    assert!(!html.contains("sr-bulk"), "no bulk form for agents");
    let html = get_html(&supervisor, "/staff/requests?kind=complaint").await;
    assert!(html.contains("sr-bulk") && html.contains("name=\"refs[]\"") && html.contains("name=\"staff_no\""));

    // The request: every form the state allows, the customer's summary, the files spot.
    let html = get_html(&agent, &page).await;
    for needle in [
        "sr-claim",
        "sr-start",
        "sr-staff-reply",
        "name=\"ask\"",
        "sr-note",
        "sr-extend",
        "/api/requests_extend_complaint",
        "sr-timeline",
        "sr-files",
        "sr-status",
        "href=\"/staff/customers/C00000001\"",
    ] {
        assert!(html.contains(needle), "{needle} on the staff page");
    }
    assert!(!html.contains("sr-resolve"), "a submitted request cannot be resolved yet");
    assert!(!html.contains("sr-assign"), "agents do not assign");

    // Plain posts come back to the page; a refused one with its error.
    let posted = agent.form("staff_request_claim", &r(&reference), &page).await;
    assert_eq!(location(&posted).as_deref(), Some(page.as_str()));
    let refused = agent.form("staff_request_note", &[("reference", reference.as_str()), ("body", "")], &page).await;
    let back = location(&refused).unwrap_or_default();
    assert!(back.contains(&format!("{page}?")) && back.contains("__err"), "back to the page with the error: {back}");
    let html = get_html(&agent, &back[back.find(&page).unwrap_or(0)..]).await;
    assert!(html.contains("role=\"alert\""), "the error is shown");
    let html = get_html(&agent, &page).await;
    assert!(html.contains("sr-resolve"), "in progress: it can be resolved");

    // Bulk assign from the queue page as a plain form (checkboxes `refs[]`).
    let other = general(&c, "页面一般").await;
    let bulk = supervisor
        .form(
            "staff_request_bulk_assign",
            &[("refs[]", reference.as_str()), ("refs[]", other.as_str()), ("staff_no", "S00006")],
            "/staff/requests",
        )
        .await;
    assert_eq!(location(&bulk).as_deref(), Some("/staff/requests"));
    assert_eq!(stored(&srv, &reference).await.1.as_deref(), Some("S00006"));
    assert_eq!(stored(&srv, &other).await.1.as_deref(), Some("S00006"));

    // The report's address is not taken for a request's.
    let report = supervisor.http.get(format!("{}/staff/requests/report", supervisor.base)).send().await.expect("GET");
    let html = report.text().await.expect("body");
    assert!(!html.contains("srs-detail-title"), "/staff/requests/report is the report, not a request");
}

/// (reference, customer number, kind, status, assignee, running_since, posting_id).
type SeededRow = (String, String, String, String, Option<String>, Option<i64>, Option<i64>);

async fn demo_requests_are_seeded_in_their_states(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let rows: Vec<SeededRow> = sqlx::query_as(
        "SELECT r.reference, c.customer_no, r.kind, r.status, s.staff_no, r.running_since, r.posting_id \
         FROM service_requests r JOIN customers c ON c.id = r.customer_id \
         LEFT JOIN staff s ON s.id = r.assigned_staff_id ORDER BY c.customer_no, r.kind",
    )
    .fetch_all(srv.state.db.pool())
    .await
    .expect("demo requests");
    let shape: Vec<(&str, &str, &str, Option<&str>)> =
        rows.iter().map(|r| (r.1.as_str(), r.2.as_str(), r.3.as_str(), r.4.as_deref())).collect();
    assert_eq!(
        shape,
        vec![
            ("C00000001", "complaint", "in_progress", Some("S00005")),
            ("C00000001", "statement", "resolved", Some("S00005")),
            ("C00000002", "dispute", "submitted", None),
            ("C00000002", "general", "waiting_customer", Some("S00005")),
        ]
    );
    assert!(rows[0].5.is_some() && rows[3].5.is_none(), "in progress runs, waiting is paused");
    assert!(rows[2].6.is_some(), "the dispute names one of demo2's postings");
    let active: i64 = scalar_i64(
        &srv,
        "SELECT COUNT(*) FROM cards k JOIN customers c ON c.id = k.customer_id \
         WHERE c.customer_no = $1 AND k.status <> 'active'",
        "C00000001",
    )
    .await;
    assert_eq!(active, 0, "demo1's cards stay active");

    // Each opens on the staff page; the timelines were written by the core.
    let agent = staff_browser(&srv, "s00005").await;
    for row in &rows {
        let html = get_html(&agent, &format!("/staff/requests/{}", row.0)).await;
        assert!(html.contains(&row.0) && html.contains("sr-timeline"), "{}", row.0);
    }
    let steps = "SELECT COUNT(*) FROM service_request_events e JOIN service_requests r ON r.id = e.request_id \
                 WHERE r.kind = $1";
    assert_eq!(scalar_i64(&srv, steps, "statement").await, 4, "submitted, assigned, started, resolved");
}

/// The customer's summary is one click from a request: open to whoever holds one of
/// the customer's requests (not before), and it lists the open requests.
async fn holding_a_request_opens_the_customer_summary(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo2").await;
    let agent = staff_browser(&srv, "s00006").await;
    let customer_no: String = sqlx::query_scalar(
        "SELECT c.customer_no FROM customers c JOIN credentials k ON k.principal_id = c.id \
         WHERE k.principal_kind = 'customer' AND k.username = 'demo2'",
    )
    .fetch_one(srv.state.db.pool())
    .await
    .expect("demo2's number");
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_requests WHERE assigned_staff_id = (SELECT id FROM staff WHERE staff_no = 'S00006')",
    )
    .fetch_one(srv.state.db.pool())
    .await
    .expect("held requests");
    assert_eq!(held, 0, "the seed gives S00006 no requests, so the first summary call proves the refusal");
    let reference = general(&c, "摘要可见").await;
    let summary = [("customer_no", customer_no.as_str())];
    expect_error(agent.call("staff_customer_summary", &summary).await, "not_found").await;

    success_to(agent.call("staff_request_claim", &r(&reference)).await).await;
    let view = agent.json("staff_customer_summary", &summary).await;
    let listed: Vec<&str> =
        view["requests"].as_array().expect("requests").iter().filter_map(|r| r["reference"].as_str()).collect();
    assert!(listed.contains(&reference.as_str()), "{listed:?}");
}
