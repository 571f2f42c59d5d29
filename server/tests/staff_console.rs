//! The staff console, on SQLite and PostgreSQL: the home's queues by role; customer
//! search by every key (and never a full card number), audited by kind and count;
//! the customer 360 (server function and page) with the customer's products and
//! requests, open to agents, supervisors and admins and to advisors who serve the
//! customer; customers refused every console function; and the support actions,
//! each audited as the staff member's with the customer, each refusal changing
//! nothing.
mod support;

use app::backend::identity::totp::{code_at_step, step_of, TotpSecret};
use app::backend::seed::{demo_customer, DEMO_PASSWORD};
use app::backend::Clock as _;
use serde_json::Value;
use std::collections::BTreeSet;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer, TEST_NOW};

on_both_backends!(
    the_home_shows_each_role_its_queues,
    search_finds_by_every_key_and_never_shows_a_card_number,
    the_360_shows_products_and_requests_to_those_allowed,
    customers_are_refused_every_console_function,
    unlock_lets_a_locked_customer_log_in_again,
    enrollment_code_is_resent_only_before_enrollment,
    second_factor_reset_needs_the_identity_check,
    call_notes_are_kept_and_listed,
    staff_is_the_console_home_once_signed_in,
);

// ---------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------

async fn scalar(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn customer_id(srv: &TestServer, customer_no: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM customers WHERE customer_no = $1")
        .bind(customer_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("customer")
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
        .bind(staff_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff")
}

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{username} is signed in");
    b
}

/// Audit rows of `event` by staff member `actor` about `customer`.
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

/// Every audit row of `event`, any actor: (actor kind, actor id, customer id, detail).
async fn audit_rows(srv: &TestServer, event: &str) -> Vec<(String, Option<i64>, Option<i64>, String)> {
    sqlx::query_as("SELECT actor_kind, actor_id, customer_id, detail FROM audit_log WHERE event = $1 ORDER BY id")
        .bind(event)
        .fetch_all(srv.state.db.pool())
        .await
        .expect("audit rows")
}

async fn page(b: &Browser, path: &str) -> (u16, String) {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.expect("page");
    let status = response.status().as_u16();
    (status, response.text().await.expect("page body"))
}

/// The customer numbers of a search answer.
fn hit_numbers(result: &Value) -> BTreeSet<String> {
    result["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("hits: {result}"))
        .iter()
        .map(|h| h["customer_no"].as_str().expect("customer_no").to_owned())
        .collect()
}

/// Customer numbers the database says match `sql` (one text parameter).
async fn expected(srv: &TestServer, sql: &str, value: &str) -> BTreeSet<String> {
    let rows: Vec<String> =
        sqlx::query_scalar(sql).bind(value).fetch_all(srv.state.db.pool()).await.expect("expected customers");
    rows.into_iter().collect()
}

/// A general service request submitted by the customer's browser; its reference.
async fn general_request(c: &Browser, subject: &str) -> String {
    let form = c.json("request_form", &[("kind", "general")]).await;
    let key = form["key"].as_str().expect("a key").to_owned();
    let fields = [("kind", "general"), ("key", key.as_str()), ("subject", subject), ("body", "请帮忙看一下。")];
    success_to(c.call("request_submit", &fields).await).await.trim_start_matches("/requests/").to_owned()
}

/// A booking of demo customer `customer` with advisor `advisor_no`, `offset` seconds
/// after the test clock's start.
async fn insert_booking(srv: &TestServer, customer: i64, advisor_no: &str, offset: i64, reference: &str) {
    let advisor = staff_id(srv, advisor_no).await;
    let branch = scalar(srv, "SELECT branch_id FROM staff WHERE id = $1", advisor).await;
    let starts = TEST_NOW.plus_seconds(offset).micros();
    sqlx::query(
        "INSERT INTO bookings (reference, customer_id, advisor_id, branch_id, purpose, channel, starts_at, ends_at, \
         busy_until, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'wealth_planning', 'branch', $5, $6, $7, 'booked', $8, $8)",
    )
    .bind(reference)
    .bind(customer)
    .bind(advisor)
    .bind(branch)
    .bind(starts)
    .bind(starts + 45 * 60 * 1_000_000)
    .bind(starts + 60 * 60 * 1_000_000)
    .bind(TEST_NOW.micros())
    .execute(srv.state.db.pool())
    .await
    .expect("insert booking");
}

// ---------------------------------------------------------------------------------
// The home.
// ---------------------------------------------------------------------------------

async fn the_home_shows_each_role_its_queues(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let demo1 = customer_id(&srv, "C00000001").await;
    // 10:00 in Beijing today (the test clock starts at 08:00 there), with S00003 at B001.
    insert_booking(&srv, demo1, "S00003", 2 * 3600, "BK90000701").await;

    let agent = staff_browser(&srv, "s00005").await;
    let home = agent.json("staff_console_home", &[]).await;
    assert_eq!(home["staff_no"], "S00005");
    let unassigned = home["requests"]["unassigned"].as_i64().unwrap_or_else(|| panic!("agents see unassigned: {home}"));
    assert!(home["requests"]["overdue"].is_i64(), "agents see overdue: {home}");
    let mine = home["requests"]["mine"].as_i64().expect("mine");
    assert!(home["inquiries"]["unclaimed"].is_i64() && home["inquiries"]["mine"].is_i64(), "{home}");
    // Not an advisor: the branch's bookings today (S00005 and S00003 are both at B001).
    assert_eq!(home["consultations"]["own"], false);
    let today: Vec<&str> = home["consultations"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|b| b["reference"].as_str())
        .collect();
    assert!(today.contains(&"BK90000701"), "{today:?}");

    // A new request is unassigned; claimed, it is mine.
    let c = customer(&srv, "demo1").await;
    let reference = general_request(&c, "主页计数").await;
    let home = agent.json("staff_console_home", &[]).await;
    assert_eq!(home["requests"]["unassigned"].as_i64(), Some(unassigned + 1));
    success_to(agent.call("staff_request_claim", &[("reference", reference.as_str())]).await).await;
    let home = agent.json("staff_console_home", &[]).await;
    assert_eq!(home["requests"]["mine"].as_i64(), Some(mine + 1));
    assert_eq!(home["requests"]["unassigned"].as_i64(), Some(unassigned));

    // An advisor: their own consultations, and no unassigned or overdue queue.
    let advisor = staff_browser(&srv, "s00003").await;
    let home = advisor.json("staff_console_home", &[]).await;
    assert!(home["requests"]["unassigned"].is_null() && home["requests"]["overdue"].is_null(), "{home}");
    assert_eq!(home["consultations"]["own"], true);
    let mine: Vec<&str> = home["consultations"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|b| b["reference"].as_str())
        .collect();
    assert!(mine.contains(&"BK90000701"), "{mine:?}");
    // S00004 (another advisor, another branch) does not see it.
    let other = staff_browser(&srv, "s00004").await;
    let home = other.json("staff_console_home", &[]).await;
    assert!(!home["consultations"]["items"].to_string().contains("BK90000701"), "{home}");

    // The page: the queues' links and the search box, before any WASM.
    let (status, html) = page(&agent, "/staff/home").await;
    assert_eq!(status, 200);
    for needle in ["/staff/requests?assignee=me", "/staff/requests?due=overdue", "/staff/inquiries?filter=mine"] {
        assert!(html.contains(needle), "{needle} on the home");
    }
    assert!(html.contains("action=\"/staff/customers\"") && html.contains("name=\"q\""), "the search box");
    let (_, html) = page(&advisor, "/staff/home").await;
    assert!(!html.contains("/staff/requests?due=overdue"), "advisors have no overdue queue");
    srv.stop().await.expect("stop");
}

// ---------------------------------------------------------------------------------
// Search.
// ---------------------------------------------------------------------------------

async fn search_finds_by_every_key_and_never_shows_a_card_number(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let agent = staff_browser(&srv, "s00005").await;
    let s00005 = staff_id(&srv, "S00005").await;
    let three = demo_customer(3);
    let search = |q: String| {
        let agent = &agent;
        async move {
            let response = agent.call("staff_customer_search", &[("q", q.as_str())]).await;
            assert_eq!(response.status(), 200, "search {q}");
            let body = response.text().await.expect("body");
            let json: Value = serde_json::from_str(&body).expect("JSON");
            (json, body)
        }
    };
    let only_three: BTreeSet<String> = [three.customer_no.clone()].into();

    // Customer number, in any case.
    let (found, _) = search(three.customer_no.to_lowercase()).await;
    assert_eq!(hit_numbers(&found), only_three);
    assert_eq!(found["hits"][0]["matched"], "customer_no");
    // The full phone, and the full card number (answered masked).
    let (found, body) = search(three.phone.clone()).await;
    assert_eq!(hit_numbers(&found), only_three);
    assert!(!body.contains(&three.phone), "the phone is masked: {body}");
    let (found, body) = search(three.card_no.clone()).await;
    assert_eq!(hit_numbers(&found), only_three);
    assert!(!body.contains(&three.card_no), "never a full card number: {body}");
    let (_, html) = page(&agent, &format!("/staff/customers?q={}", three.card_no)).await;
    assert!(html.contains(&three.customer_no) && !html.contains(&three.card_no), "nor on the page");

    // The name: every customer whose name holds it, and no other.
    let (found, _) = search(three.full_name.clone()).await;
    let by_name =
        expected(&srv, "SELECT customer_no FROM customers WHERE full_name LIKE '%' || $1 || '%'", &three.full_name)
            .await;
    assert!(hit_numbers(&found).contains(&three.customer_no));
    assert_eq!(hit_numbers(&found), by_name);

    // The phone's last four: also read as a card's last four.
    let phone4 = three.phone[three.phone.len() - 4..].to_owned();
    let (found, _) = search(phone4.clone()).await;
    let tail4 = expected(
        &srv,
        "SELECT customer_no FROM customers WHERE phone LIKE '%' || $1 \
         OR id IN (SELECT customer_id FROM cards WHERE card_no LIKE '%' || $1)",
        &phone4,
    )
    .await;
    assert!(hit_numbers(&found).contains(&three.customer_no));
    assert_eq!(hit_numbers(&found), tail4);
    // The phone's last seven.
    let phone7 = three.phone[three.phone.len() - 7..].to_owned();
    let (found, _) = search(phone7.clone()).await;
    assert_eq!(
        hit_numbers(&found),
        expected(&srv, "SELECT customer_no FROM customers WHERE phone LIKE '%' || $1", &phone7).await
    );

    // The card's last four; the hit names the card tail, and the number stays hidden.
    let card4 = three.card_no[three.card_no.len() - 4..].to_owned();
    let (found, body) = search(card4.clone()).await;
    let by_card4 = expected(
        &srv,
        "SELECT customer_no FROM customers WHERE phone LIKE '%' || $1 \
         OR id IN (SELECT customer_id FROM cards WHERE card_no LIKE '%' || $1)",
        &card4,
    )
    .await;
    assert!(hit_numbers(&found).contains(&three.customer_no));
    assert_eq!(hit_numbers(&found), by_card4);
    let cards: Vec<String> =
        sqlx::query_scalar("SELECT card_no FROM cards").fetch_all(srv.state.db.pool()).await.expect("cards");
    assert!(cards.iter().all(|card| !body.contains(card.as_str())), "no card number in {body}");

    // The ID number's tail (with a final X in lower case for customer 11).
    let eleven = demo_customer(11);
    assert!(eleven.id_number_tail.ends_with('X'), "{eleven:?}");
    let (found, _) = search(eleven.id_number_tail.to_lowercase()).await;
    assert_eq!(
        hit_numbers(&found),
        expected(&srv, "SELECT customer_no FROM customers WHERE id_number_tail = $1", &eleven.id_number_tail).await
    );
    assert!(hit_numbers(&found).contains(&eleven.customer_no));
    let (found, _) = search(three.id_number_tail.clone()).await;
    assert!(hit_numbers(&found).contains(&three.customer_no), "{found}");
    assert!(found["hits"].as_array().expect("hits").len() <= 20);

    // Nothing to search, or too little: a message, no search, no audit row.
    let searches_before = audit_rows(&srv, "staff_customer_search").await.len();
    let (found, _) = search(String::new()).await;
    assert_eq!((found["too_short"].as_bool(), found["kinds"].as_array().map(Vec::len)), (Some(false), Some(0)));
    let (found, _) = search("王".into()).await;
    assert_eq!(found["too_short"], true);
    let (found, _) = search("12".into()).await;
    assert_eq!(found["too_short"], true);
    assert_eq!(audit_rows(&srv, "staff_customer_search").await.len(), searches_before);

    // Every search is audited as the staff member's: kinds and count, never the query.
    let rows = audit_rows(&srv, "staff_customer_search").await;
    assert_eq!(rows.len(), 10, "ten searches were made");
    for (kind, actor, customer, detail) in &rows {
        assert_eq!((kind.as_str(), *actor, *customer), ("staff", Some(s00005), None));
        assert!(detail.contains("\"kinds\"") && detail.contains("\"results\""), "{detail}");
        for secret in [&three.phone, &three.card_no, &phone4, &three.id_number_tail, &three.full_name] {
            assert!(!detail.contains(secret.as_str()), "the query is not kept: {detail}");
        }
    }

    // The page, before any WASM: the customer, masked, linked to the 360.
    let (status, html) = page(&agent, &format!("/staff/customers?q={}", three.customer_no)).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("href=\"/staff/customers/{}\"", three.customer_no)), "{html}");
    assert!(!html.contains(&three.phone), "the phone is masked on the page");
    let (_, html) = page(&agent, "/staff/customers?q=%E7%8E%8B").await;
    assert!(html.contains("role=\"alert\""), "too short says so");
    // Advisors search too.
    let advisor = staff_browser(&srv, "s00004").await;
    let found = advisor.json("staff_customer_search", &[("q", three.customer_no.as_str())]).await;
    assert_eq!(hit_numbers(&found), only_three);
    srv.stop().await.expect("stop");
}

// ---------------------------------------------------------------------------------
// The 360.
// ---------------------------------------------------------------------------------

async fn the_360_shows_products_and_requests_to_those_allowed(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let one = demo_customer(1);
    let demo1 = customer_id(&srv, &one.customer_no).await;
    let c = customer(&srv, "demo1").await;
    let reference = general_request(&c, "三百六十度").await;
    let no = [("customer_no", one.customer_no.as_str())];

    // An agent who never served the customer: allowed, and audited.
    let agent = staff_browser(&srv, "s00006").await;
    let s00006 = staff_id(&srv, "S00006").await;
    let response = agent.call("staff_customer_360", &no).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.expect("body");
    let view: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(view["profile"]["customer_no"], one.customer_no.as_str());
    assert_eq!(view["profile"]["enrolled"], true);
    assert_eq!(view["can_support"], true);
    assert!(!view["summary"]["products"].as_array().expect("products").is_empty(), "demo1 holds products");
    let requests: Vec<&str> =
        view["requests"].as_array().expect("requests").iter().filter_map(|r| r["reference"].as_str()).collect();
    assert!(requests.contains(&reference.as_str()), "{requests:?}");
    assert!(!view["transactions"].as_array().expect("transactions").is_empty(), "demo1 has a history");
    assert!(view["transactions"].as_array().expect("transactions").len() <= 10);
    assert!(view["staff_access"].is_array());
    for secret in [&one.phone, &one.card_no] {
        assert!(!body.contains(secret.as_str()), "{secret} is masked in the 360");
    }
    let tail = view["profile"]["id_tail_masked"].as_str().expect("id tail");
    assert!(tail.starts_with("****") && one.id_number_tail.ends_with(&tail[4..]), "{tail}");
    assert_eq!(audit_count(&srv, "staff_viewed_customer", s00006, demo1).await, 1);

    // The page, before any WASM: products, the request linked, the support forms.
    let (status, html) = page(&agent, &format!("/staff/customers/{}", one.customer_no)).await;
    assert_eq!(status, 200);
    assert!(html.contains("adv-segment") && html.contains("adv-products"), "the summary part");
    assert!(html.contains(&format!("href=\"/staff/requests/{reference}\"")), "the request is linked");
    assert!(html.contains("action=\"/api/staff_note_call\""), "the call-note form");
    assert!(!html.contains(&one.phone) && !html.contains(&one.card_no));
    assert_eq!(audit_count(&srv, "staff_viewed_customer", s00006, demo1).await, 2);

    // An advisor without a relationship: not found, like a number that does not exist.
    let advisor = staff_browser(&srv, "s00004").await;
    let s00004 = staff_id(&srv, "S00004").await;
    expect_error(advisor.call("staff_customer_360", &no).await, "not_found").await;
    expect_error(advisor.call("staff_customer_360", &[("customer_no", "C99999999")]).await, "not_found").await;
    assert_eq!(audit_count(&srv, "staff_viewed_customer", s00004, demo1).await, 0);
    // ...and none of the support actions (agents, supervisors, admins only).
    expect_error(advisor.call("staff_note_call", &[no[0], ("body", "x")]).await, "forbidden").await;
    // Once the customer's relationship manager, the advisor opens it (no support actions).
    sqlx::query("UPDATE customers SET relationship_manager_id = $1 WHERE id = $2")
        .bind(s00004)
        .bind(demo1)
        .execute(srv.state.db.pool())
        .await
        .expect("rm");
    let view = advisor.json("staff_customer_360", &no).await;
    assert_eq!(view["can_support"], false);
    assert_eq!(view["summary"]["manager"]["staff_no"], "S00004");
    assert_eq!(audit_count(&srv, "staff_viewed_customer", s00004, demo1).await, 1);
    let (_, html) = page(&advisor, &format!("/staff/customers/{}", one.customer_no)).await;
    assert!(!html.contains("action=\"/api/staff_note_call\""), "no support forms for advisors");

    // The staff-access history: a past viewing of the customer is listed.
    let s00005 = staff_id(&srv, "S00005").await;
    sqlx::query(
        "INSERT INTO impersonations (staff_id, customer_id, staff_session_id, reason, reference, started_at, \
         expires_at, ended_at, end_reason) VALUES ($1, $2, 'gone', '客户找不到定期存单', 'CALL-70001', $3, $4, $5, 'stopped')",
    )
    .bind(s00005)
    .bind(demo1)
    .bind(TEST_NOW.plus_seconds(-7200).micros())
    .bind(TEST_NOW.plus_seconds(-3600).micros())
    .bind(TEST_NOW.plus_seconds(-6600).micros())
    .execute(srv.state.db.pool())
    .await
    .expect("a past viewing");
    let view = agent.json("staff_customer_360", &no).await;
    assert_eq!(view["staff_access"][0]["reference"], "CALL-70001", "{}", view["staff_access"]);
    let (_, html) = page(&agent, &format!("/staff/customers/{}", one.customer_no)).await;
    assert!(html.contains("CALL-70001"), "the history is on the page");

    // Supervisors and admins open any customer.
    for staff in ["s00002", "s00001"] {
        let b = staff_browser(&srv, staff).await;
        assert_eq!(b.json("staff_customer_360", &no).await["profile"]["customer_no"], one.customer_no.as_str());
    }
    srv.stop().await.expect("stop");
}

async fn customers_are_refused_every_console_function(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let anonymous = Browser::new(&srv);
    let no = demo_customer(1).customer_no;
    let calls: [(&str, Vec<(&str, &str)>); 7] = [
        ("staff_console_home", vec![]),
        ("staff_customer_search", vec![("q", no.as_str())]),
        ("staff_customer_360", vec![("customer_no", no.as_str())]),
        ("staff_unlock_credential", vec![("customer_no", no.as_str())]),
        ("staff_resend_enrollment", vec![("customer_no", no.as_str())]),
        (
            "staff_reset_second_factor",
            vec![("customer_no", no.as_str()), ("method", "video_call"), ("id_tail", "123456")],
        ),
        ("staff_note_call", vec![("customer_no", no.as_str()), ("body", "客户来电")]),
    ];
    for (endpoint, form) in &calls {
        expect_error(c.call(endpoint, form).await, "forbidden").await;
        expect_error(anonymous.call(endpoint, form).await, "unauthenticated").await;
    }
    let (_, html) = page(&c, &format!("/staff/customers/{no}")).await;
    assert!(!html.contains("adv-segment"), "no 360 for a customer");
    let notes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customer_call_notes")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("notes");
    assert_eq!(notes, 0);
    let staff_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE event LIKE 'staff_%'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("audit");
    assert_eq!(staff_rows, 0, "nothing was done");
    srv.stop().await.expect("stop");
}

// ---------------------------------------------------------------------------------
// Support actions.
// ---------------------------------------------------------------------------------

async fn unlock_lets_a_locked_customer_log_in_again(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let two = demo_customer(2);
    let demo2 = customer_id(&srv, &two.customer_no).await;
    let agent = staff_browser(&srv, "s00005").await;
    let s00005 = staff_id(&srv, "S00005").await;
    let no = [("customer_no", two.customer_no.as_str())];

    // Not locked: refused, nothing changes.
    expect_error(agent.call("staff_unlock_credential", &no).await, "wrong_state").await;
    assert_eq!(audit_count(&srv, "staff_unlocked_credential", s00005, demo2).await, 0);

    // Five wrong passwords lock it: the right one is refused too.
    let b = Browser::new(&srv);
    for _ in 0..5 {
        expect_error(login(&b, "demo2", "wrong-password-123").await, "invalid_credentials").await;
    }
    let locked: Option<i64> = sqlx::query_scalar(
        "SELECT locked_until FROM credentials WHERE principal_kind = 'customer' AND principal_id = $1",
    )
    .bind(demo2)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("credential");
    assert!(locked.is_some_and(|until| until > srv.clock.now().micros()), "locked");
    expect_error(login(&b, "demo2", DEMO_PASSWORD).await, "invalid_credentials").await;
    let view = agent.json("staff_customer_360", &no).await;
    assert!(view["profile"]["locked_until"].is_string(), "the 360 shows the lock: {view}");
    let (_, html) = page(&agent, &format!("/staff/customers/{}", two.customer_no)).await;
    assert!(html.contains("action=\"/api/staff_unlock_credential\""), "the unlock form is offered");

    // Unlocked by the agent (a plain form post lands back on the 360).
    let response = agent.form("staff_unlock_credential", &no, &format!("/staff/customers/{}", two.customer_no)).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let to = location(&response).expect("a redirect");
    assert!(to.starts_with(&format!("/staff/customers/{}?done=unlocked", two.customer_no)), "{to}");
    let (failed, until): (i64, Option<i64>) = sqlx::query_as(
        "SELECT failed_attempts, locked_until FROM credentials WHERE principal_kind = 'customer' AND principal_id = $1",
    )
    .bind(demo2)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("credential");
    assert_eq!((failed, until), (0, None));
    assert_eq!(audit_count(&srv, "staff_unlocked_credential", s00005, demo2).await, 1);
    let customer_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE event = 'staff_unlocked_credential' AND actor_kind <> 'staff'",
    )
    .fetch_one(srv.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(customer_rows, 0, "never recorded as the customer's");

    // The customer logs in again; a second unlock is refused.
    ok(login(&b, "demo2", DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await);
    expect_error(agent.call("staff_unlock_credential", &no).await, "wrong_state").await;
    assert_eq!(audit_count(&srv, "staff_unlocked_credential", s00005, demo2).await, 1);
    srv.stop().await.expect("stop");
}

async fn enrollment_code_is_resent_only_before_enrollment(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let three = demo_customer(3);
    let c3 = customer_id(&srv, &three.customer_no).await;
    let demo1 = customer_id(&srv, "C00000001").await;
    let agent = staff_browser(&srv, "s00006").await;
    let s00006 = staff_id(&srv, "S00006").await;
    let codes = |id: i64| {
        let srv = &srv;
        async move {
            scalar(srv, "SELECT COUNT(*) FROM verification_codes WHERE customer_id = $1 AND purpose = 'enroll'", id)
                .await
        }
    };
    let sms_to = |phone: String| {
        let srv = &srv;
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
                .bind(phone)
                .fetch_one(srv.state.db.pool())
                .await
                .expect("outbox")
        }
    };

    // Enrolled already: refused, nothing sent.
    let one = demo_customer(1);
    expect_error(
        agent.call("staff_resend_enrollment", &[("customer_no", one.customer_no.as_str())]).await,
        "already_enrolled",
    )
    .await;
    assert_eq!((codes(demo1).await, sms_to(one.phone.clone()).await), (0, 0));
    assert_eq!(audit_count(&srv, "staff_resent_enrollment_code", s00006, demo1).await, 0);

    // Not enrolled: a code goes to the phone on file, audited as the agent's.
    let no = [("customer_no", three.customer_no.as_str())];
    let to = success_to(agent.call("staff_resend_enrollment", &no).await).await;
    assert!(to.contains("done=code_sent"), "{to}");
    assert_eq!((codes(c3).await, sms_to(three.phone.clone()).await), (1, 1));
    assert_eq!(audit_count(&srv, "staff_resent_enrollment_code", s00006, c3).await, 1);
    let body: String = sqlx::query_scalar("SELECT body FROM outbox WHERE recipient = $1")
        .bind(&three.phone)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("sms");
    assert!(body.chars().filter(char::is_ascii_digit).count() >= 6, "the SMS carries a code: {body}");

    // The codes' throttle applies: again within the minute is refused, nothing sent.
    expect_error(agent.call("staff_resend_enrollment", &no).await, "too_many_requests").await;
    assert_eq!((codes(c3).await, sms_to(three.phone.clone()).await), (1, 1));
    assert_eq!(audit_count(&srv, "staff_resent_enrollment_code", s00006, c3).await, 1);
    srv.clock.advance_seconds(61);
    success_to(agent.call("staff_resend_enrollment", &no).await).await;
    assert_eq!((codes(c3).await, sms_to(three.phone.clone()).await), (2, 2));
    assert_eq!(audit_count(&srv, "staff_resent_enrollment_code", s00006, c3).await, 2);
    srv.stop().await.expect("stop");
}

async fn second_factor_reset_needs_the_identity_check(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let one = demo_customer(1);
    let demo1 = customer_id(&srv, &one.customer_no).await;
    // demo1 turns the authenticator on and stays signed in.
    let c = customer(&srv, "demo1").await;
    ok(c.call("totp_begin", &[]).await).await;
    let setup = c.json("totp_pending", &[]).await;
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("secret")).expect("base32");
    ok(c.call("totp_confirm", &[("code", &code_at_step(&secret, step_of(srv.clock.now())))]).await).await;
    srv.clock.advance_seconds(30);
    assert!(c.signed_in().await, "the customer's session");
    let state = |srv: &TestServer| {
        let pool = srv.state.db.pool().clone();
        async move {
            let (secret, codes): (Option<String>, i64) = sqlx::query_as(
                "SELECT k.totp_secret, (SELECT COUNT(*) FROM recovery_codes r WHERE r.credential_id = k.id) \
                 FROM credentials k WHERE k.principal_kind = 'customer' AND k.principal_id = $1",
            )
            .bind(demo1)
            .fetch_one(&pool)
            .await
            .expect("credential");
            (secret.is_some(), codes)
        }
    };
    assert_eq!(state(&srv).await, (true, 10));
    let agent = staff_browser(&srv, "s00005").await;
    let s00005 = staff_id(&srv, "S00005").await;
    let view = agent.json("staff_customer_360", &[("customer_no", one.customer_no.as_str())]).await;
    assert_eq!(view["profile"]["second_factor"], true);
    let sms_before: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(&one.phone)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("outbox");

    // A wrong ID tail: no_match, and nothing changes.
    let wrong = if one.id_number_tail == "000000" { "111111" } else { "000000" };
    let form = |method: &str, tail: &str| -> Vec<(&'static str, String)> {
        vec![("customer_no", one.customer_no.clone()), ("method", method.to_owned()), ("id_tail", tail.to_owned())]
    };
    let call = |fields: Vec<(&'static str, String)>| {
        let agent = &agent;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            agent.call("staff_reset_second_factor", &pairs).await
        }
    };
    expect_error(call(form("id_card_at_counter", wrong)).await, "no_match").await;
    // No method, or an unknown one: refused before any check.
    let right = one.id_number_tail.to_lowercase();
    let right = right.as_str();
    expect_error(call(form("", right)).await, "bad_request").await;
    expect_error(call(form("asked_nicely", right)).await, "bad_request").await;
    expect_error(call(form("video_call", "12345")).await, "bad_request").await;
    assert_eq!(state(&srv).await, (true, 10), "the second factor is still on");
    assert!(c.signed_in().await, "the customer's session still runs");
    assert_eq!(audit_count(&srv, "staff_reset_second_factor", s00005, demo1).await, 0);
    assert_eq!(audit_count(&srv, "staff_reset_second_factor_refused", s00005, demo1).await, 1);
    let notices: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'second_factor_reset_by_staff'",
    )
    .bind(demo1)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("notifications");
    assert_eq!(notices, 0);

    // The right tail (any case) after a counter check: the factor goes, sessions end,
    // an SMS and a notification go to the customer, audited with the method only.
    let to = success_to(call(form("id_card_at_counter", right)).await).await;
    assert!(to.contains("done=second_factor_reset"), "{to}");
    assert_eq!(state(&srv).await, (false, 0));
    assert!(!c.signed_in().await, "the customer's sessions ended");
    let sms_after: i64 = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(&one.phone)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("outbox");
    assert_eq!(sms_after, sms_before + 1);
    let notices: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'second_factor_reset_by_staff'",
    )
    .bind(demo1)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("notifications");
    assert_eq!(notices, 1);
    assert_eq!(audit_count(&srv, "staff_reset_second_factor", s00005, demo1).await, 1);
    let rows = audit_rows(&srv, "staff_reset_second_factor").await;
    let detail = &rows[0].3;
    assert!(detail.contains("id_card_at_counter"), "{detail}");
    assert!(!detail.to_uppercase().contains(&one.id_number_tail), "never the digits typed: {detail}");

    // Nothing left to reset; the customer logs in with the password alone.
    expect_error(call(form("video_call", right)).await, "wrong_state").await;
    assert_eq!(success_to(login(&c, "demo1", DEMO_PASSWORD).await).await, "/accounts");
    srv.stop().await.expect("stop");
}

async fn call_notes_are_kept_and_listed(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let one = demo_customer(1);
    let demo1 = customer_id(&srv, &one.customer_no).await;
    let supervisor = staff_browser(&srv, "s00002").await;
    let s00002 = staff_id(&srv, "S00002").await;
    let no = one.customer_no.as_str();
    let notes = || scalar(&srv, "SELECT COUNT(*) FROM customer_call_notes WHERE customer_id = $1", demo1);

    expect_error(supervisor.call("staff_note_call", &[("customer_no", no), ("body", "   ")]).await, "bad_request")
        .await;
    let long = "字".repeat(2001);
    expect_error(supervisor.call("staff_note_call", &[("customer_no", no), ("body", &long)]).await, "text_too_long")
        .await;
    expect_error(supervisor.call("staff_note_call", &[("customer_no", "C99999999"), ("body", "x")]).await, "not_found")
        .await;
    assert_eq!(notes().await, 0);
    assert_eq!(audit_count(&srv, "staff_noted_call", s00002, demo1).await, 0);

    let text = "客户来电询问定期存款到期<b>转存</b>事宜";
    let to = success_to(supervisor.call("staff_note_call", &[("customer_no", no), ("body", text)]).await).await;
    assert!(to.contains("done=noted"), "{to}");
    assert_eq!(notes().await, 1);
    let stored: i64 = scalar(&srv, "SELECT staff_id FROM customer_call_notes WHERE customer_id = $1", demo1).await;
    assert_eq!(stored, s00002);
    assert_eq!(audit_count(&srv, "staff_noted_call", s00002, demo1).await, 1);
    assert!(!audit_rows(&srv, "staff_noted_call").await[0].3.contains("定期"), "the note's text is not in the audit");

    let view = supervisor.json("staff_customer_360", &[("customer_no", no)]).await;
    assert_eq!(view["notes"][0]["body"], text);
    assert_eq!(view["notes"][0]["staff_no"], "S00002");
    let (_, html) = page(&supervisor, &format!("/staff/customers/{no}")).await;
    assert!(html.contains("客户来电询问定期存款到期&lt;b&gt;转存&lt;/b&gt;事宜"), "listed as text");
    srv.stop().await.expect("stop");
}

/// `/staff` is the log-in for nobody and the console home (queues, search) for a
/// signed-in staff member; a customer gets the log-in, never the console.
async fn staff_is_the_console_home_once_signed_in(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let anonymous = Browser::new(&srv);
    let page = anonymous.http.get(srv.url("/staff")).send().await.expect("GET").text().await.expect("HTML");
    assert!(page.contains("staff-login-title") && !page.contains("staff-home-title"), "the log-in");
    let agent = staff_browser(&srv, "s00005").await;
    let page = agent.http.get(srv.url("/staff")).send().await.expect("GET").text().await.expect("HTML");
    assert!(page.contains("staff-home-title") && page.contains("console-queue"), "the home with its queues");
    assert!(!page.contains("staff-login-title"));
    let demo1 = Browser::new(&srv);
    ok(login(&demo1, "demo1", DEMO_PASSWORD).await).await;
    let page = demo1.http.get(srv.url("/staff")).send().await.expect("GET").text().await.expect("HTML");
    assert!(page.contains("staff-login-title") && !page.contains("console-queue"));
    srv.stop().await.expect("clean stop");
}
