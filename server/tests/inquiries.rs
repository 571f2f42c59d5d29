//! Inquiries (咨询), on SQLite and PostgreSQL: a customer asks, the staff inbox shows
//! the question unread and waiting, a staff reply notifies the customer, unread
//! counts move on both sides; hand-overs move the holder and are audited; another
//! customer finds nothing (not found) and changes nothing; customers are forbidden
//! the staff functions; `<script>` comes back as the exact text and is escaped in
//! both pages' HTML; a 2001-character message is refused and stores nothing, with
//! and without the WASM.
mod support;

use app::backend::seed::DEMO_PASSWORD;
use serde_json::Value;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer};

on_both_backends!(
    customer_asks_staff_replies_and_unread_counts_move,
    hand_over_moves_the_holder_and_is_audited,
    another_customer_finds_nothing_and_changes_nothing,
    customers_are_forbidden_the_staff_functions,
    script_is_returned_as_text_and_escaped_in_both_pages,
    too_long_messages_are_refused_and_store_nothing,
    pages_and_forms_work_without_the_wasm,
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

async fn count(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM staff WHERE staff_no = $1")
        .bind(staff_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff id")
}

async fn customer_id(srv: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT principal_id FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("customer id")
}

/// Opens a thread the way the WASM does and returns its id.
async fn ask(b: &Browser, subject: &str, body: &str) -> i64 {
    let form = b.json("inquiry_form", &[]).await;
    let key = form["key"].as_str().expect("a key").to_owned();
    let to = success_to(
        b.call("inquiry_open", &[("topic", "deposits"), ("subject", subject), ("body", body), ("key", &key)]).await,
    )
    .await;
    to.trim_start_matches("/inquiries/").parse().unwrap_or_else(|_| panic!("redirect to the thread: {to}"))
}

fn row_of(inbox: &Value, id: i64) -> Option<Value> {
    inbox["rows"].as_array().expect("rows").iter().find(|r| r["id"] == id).cloned()
}

fn thread_of(list: &Value, id: i64) -> Value {
    list["threads"].as_array().expect("threads").iter().find(|t| t["id"] == id).cloned().expect("the thread is listed")
}

fn b_base(b: &Browser) -> &str {
    b.base.trim_end_matches('/')
}

async fn get_html(b: &Browser, path: &str) -> String {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

/// A failed WASM-style call's code and field.
async fn error_with_field(response: reqwest::Response) -> (String, Option<String>) {
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(!status.is_success(), "expected an error, got {status} {body}");
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (json["code"].as_str().unwrap_or_default().to_owned(), json["field"].as_str().map(str::to_owned))
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn customer_asks_staff_replies_and_unread_counts_move(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let demo1 = customer_id(&srv, "demo1").await;

    // The demo data's answered question: closed and read, so nothing waits.
    let demo = c.json("inquiries", &[]).await;
    assert_eq!(demo["threads"].as_array().expect("threads").len(), 1, "{demo}");
    assert_eq!(
        (demo["threads"][0]["open"].clone(), demo["unread_total"].clone()),
        (Value::Bool(false), Value::from(0))
    );
    assert_eq!(agent.json("staff_inquiry_counts", &[]).await["waiting"], 0);

    // The same key twice (a double-click) opens one thread.
    let form = c.json("inquiry_form", &[]).await;
    let key = form["key"].as_str().expect("key").to_owned();
    let fields =
        [("topic", "cards"), ("subject", "卡片年费"), ("body", "我的借记卡要收年费吗？"), ("key", key.as_str())];
    let first = success_to(c.call("inquiry_open", &fields).await).await;
    let again = success_to(c.call("inquiry_open", &fields).await).await;
    assert_eq!(first, again, "one thread per key");
    let id: i64 = first.trim_start_matches("/inquiries/").parse().expect("id");
    let threads = "SELECT COUNT(*) FROM inquiry_threads WHERE customer_id = $1 AND status = 'open'";
    assert_eq!(count(&srv, threads, demo1).await, 1);

    // The inbox: unassigned, unread, waiting since the question came.
    let inbox = agent.json("staff_inquiries", &[("filter", "unassigned")]).await;
    let row = row_of(&inbox, id).expect("the new thread waits in the unassigned inbox");
    assert_eq!(row["unread"], 1);
    assert_eq!(row["waiting_since_local"], "2026-11-29 08:00", "waiting since, Beijing time");
    assert!(row["holder"].is_null());
    assert_eq!(row["topic"], "cards");
    assert_eq!(agent.json("staff_inquiry_counts", &[]).await["waiting_unassigned"], 1);
    assert_eq!(c.json("inquiries", &[]).await["unread_total"], 0, "nothing from the bank yet");

    // A second, older-waiting thread comes first: waiting longest first.
    srv.clock.advance_seconds(60);
    let later = ask(&c, "第二个问题", "晚一点的问题").await;
    let all = agent.json("staff_inquiries", &[("filter", "all")]).await;
    let ids: Vec<i64> = all["rows"].as_array().expect("rows").iter().filter_map(|r| r["id"].as_i64()).collect();
    assert_eq!(ids, vec![id, later], "longest waiting first");

    // Reading the thread marks it read for the bank.
    let seen = agent.json("staff_inquiry", &[("id", &id.to_string())]).await;
    assert_eq!(seen["messages"].as_array().expect("messages").len(), 1);
    assert_eq!(seen["customer_no"], "C00000001");
    let inbox = agent.json("staff_inquiries", &[("filter", "all")]).await;
    assert_eq!(row_of(&inbox, id).expect("row")["unread"], 0);

    // The reply: no longer waiting, held by the replier, the customer notified.
    srv.clock.advance_seconds(60);
    ok(agent.call("staff_inquiry_reply", &[("id", &id.to_string()), ("body", "借记卡免年费。")]).await).await;
    let mine = agent.json("staff_inquiries", &[("filter", "mine")]).await;
    let row = row_of(&mine, id).expect("the replier now holds it");
    assert!(row["waiting_since_local"].is_null(), "answered: not waiting");
    assert_eq!(row["holder"]["staff_no"], "S00005");
    assert!(row_of(&agent.json("staff_inquiries", &[("filter", "unassigned")]).await, id).is_none());
    let notices =
        count(&srv, "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'inquiry_reply'", demo1)
            .await;
    assert_eq!(notices, 1, "one notification for the reply");
    assert!(c.me().await["unread_notifications"].as_i64().unwrap_or(0) >= 1);
    let replied = count(
        &srv,
        "SELECT COUNT(*) FROM audit_log WHERE event = 'inquiry_replied' AND actor_kind = 'staff' AND customer_id = $1",
        demo1,
    )
    .await;
    assert_eq!(replied, 1, "the reply is audited with the customer");

    // The customer sees one unread reply, in the list and on the page.
    let list = c.json("inquiries", &[]).await;
    assert_eq!(list["unread_total"], 1);
    assert_eq!(thread_of(&list, id)["unread"], 1);
    assert_eq!(thread_of(&list, later)["unread"], 0);
    let html = get_html(&c, "/inquiries").await;
    assert!(html.contains("data-unread=\"1\""), "the unread badge on the list");
    let thread = c.json("inquiry", &[("id", &id.to_string())]).await;
    let messages = thread["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["body"], "借记卡免年费。");
    assert_eq!(messages[1]["from_bank"], true);
    assert_eq!(messages[1]["created_local"], "2026-11-29 08:02");
    assert_eq!(c.json("inquiries", &[]).await["unread_total"], 0, "read once seen");

    // The customer answers: the thread waits again, unread for the bank.
    srv.clock.advance_seconds(60);
    ok(c.call("inquiry_reply", &[("id", &id.to_string()), ("body", "谢谢！")]).await).await;
    let row = row_of(&agent.json("staff_inquiries", &[("filter", "mine")]).await, id).expect("row");
    assert_eq!(row["unread"], 1);
    assert_eq!(row["waiting_since_local"], "2026-11-29 08:03");

    // Closed by the customer, reopened by their next message.
    ok(c.call("inquiry_close", &[("id", &id.to_string())]).await).await;
    assert!(row_of(&agent.json("staff_inquiries", &[("filter", "all")]).await, id).is_none(), "closed: out");
    expect_error(agent.call("staff_inquiry_reply", &[("id", &id.to_string()), ("body", "x")]).await, "wrong_state")
        .await;
    ok(c.call("inquiry_reply", &[("id", &id.to_string()), ("body", "还有一个问题")]).await).await;
    assert!(row_of(&agent.json("staff_inquiries", &[("filter", "all")]).await, id).is_some(), "reopened");
}

async fn hand_over_moves_the_holder_and_is_audited(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let other = staff_browser(&srv, "s00006").await;
    let id = ask(&c, "理财产品", "想了解理财产品").await;
    let advisor = staff_id(&srv, "S00003").await;
    let id_text = id.to_string();

    ok(agent.call("staff_inquiry_claim", &[("id", &id_text)]).await).await;
    expect_error(other.call("staff_inquiry_claim", &[("id", &id_text)]).await, "wrong_state").await;
    // Only the holder (or a supervisor) hands a held thread over.
    let to = advisor.to_string();
    let by_other = [("id", id_text.as_str()), ("to_staff", to.as_str()), ("note", "我来转")];
    expect_error(other.call("staff_inquiry_handover", &by_other).await, "forbidden").await;
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM inquiry_handovers WHERE thread_id = $1", id).await, 0);

    let note = [("id", id_text.as_str()), ("to_staff", to.as_str()), ("note", "客户问理财，请客户经理跟进")];
    ok(agent.call("staff_inquiry_handover", &note).await).await;
    let holder = count(&srv, "SELECT assigned_staff_id FROM inquiry_threads WHERE id = $1", id).await;
    assert_eq!(holder, advisor, "the advisor holds it now");
    let handovers: Vec<(Option<i64>, i64, String)> =
        sqlx::query_as("SELECT from_staff_id, to_staff_id, note FROM inquiry_handovers WHERE thread_id = $1")
            .bind(id)
            .fetch_all(srv.state.db.pool())
            .await
            .expect("handovers");
    assert_eq!(
        handovers,
        vec![(Some(staff_id(&srv, "S00005").await), advisor, "客户问理财，请客户经理跟进".to_owned())]
    );
    let audited: Vec<(Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT actor_id, customer_id FROM audit_log WHERE event = 'inquiry_handed_over' AND actor_kind = 'staff'",
    )
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(audited, vec![(Some(staff_id(&srv, "S00005").await), Some(customer_id(&srv, "demo1").await))]);
    let claimed = count(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = 'inquiry_claimed' AND actor_id = $1", {
        staff_id(&srv, "S00005").await
    })
    .await;
    assert_eq!(claimed, 1, "the claim is audited");

    // The staff page shows the new holder and the note; the previous holder's
    // "mine" no longer lists it.
    let html = get_html(&agent, &format!("/staff/inquiries/{id}")).await;
    assert!(html.contains("客户问理财，请客户经理跟进"), "the note in the history");
    assert!(html.contains("S00003"), "the new holder");
    assert!(html.contains("/staff/customers/C00000001"), "a link to the customer summary");
    assert!(row_of(&agent.json("staff_inquiries", &[("filter", "mine")]).await, id).is_none());
    // The former holder may no longer hand it over.
    let bad = [("id", id_text.as_str()), ("to_staff", "999999"), ("note", "x")];
    let (code, field) = error_with_field(agent.call("staff_inquiry_handover", &bad).await).await;
    assert_eq!(code, "forbidden");
    assert_eq!(field, None);
}

async fn another_customer_finds_nothing_and_changes_nothing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let owner = customer(&srv, "demo1").await;
    let id = ask(&owner, "我的问题", "只有我能看").await;
    let intruder = customer(&srv, "demo2").await;
    let id_text = id.to_string();
    let before = count(&srv, "SELECT COUNT(*) FROM inquiry_messages WHERE thread_id = $1", id).await;

    expect_error(intruder.call("inquiry", &[("id", &id_text)]).await, "not_found").await;
    expect_error(intruder.call("inquiry_reply", &[("id", &id_text), ("body", "偷看")]).await, "not_found").await;
    expect_error(intruder.call("inquiry_close", &[("id", &id_text)]).await, "not_found").await;
    // A missing thread answers the same.
    expect_error(intruder.call("inquiry", &[("id", "987654")]).await, "not_found").await;
    assert!(intruder.json("inquiries", &[]).await["threads"].as_array().expect("threads").is_empty());

    assert_eq!(count(&srv, "SELECT COUNT(*) FROM inquiry_messages WHERE thread_id = $1", id).await, before);
    let status: String = sqlx::query_scalar("SELECT status FROM inquiry_threads WHERE id = $1")
        .bind(id)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("status");
    assert_eq!(status, "open");
    let html = get_html(&intruder, &format!("/inquiries/{id}")).await;
    assert!(!html.contains("只有我能看"), "the page shows nothing of it");
}

async fn customers_are_forbidden_the_staff_functions(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let id = ask(&c, "问题", "内容").await.to_string();
    for (endpoint, form) in [
        ("staff_inquiries", vec![("filter", "all")]),
        ("staff_inquiry_counts", vec![]),
        ("staff_inquiry", vec![("id", id.as_str())]),
        ("staff_inquiry_reply", vec![("id", id.as_str()), ("body", "我自己回")]),
        ("staff_inquiry_claim", vec![("id", id.as_str())]),
        ("staff_inquiry_handover", vec![("id", id.as_str()), ("to_staff", "1"), ("note", "x")]),
        ("staff_inquiry_close", vec![("id", id.as_str())]),
    ] {
        let (code, _) = error_with_field(c.call(endpoint, &form).await).await;
        assert_eq!(code, "forbidden", "{endpoint}");
        let anonymous = Browser::new(&srv);
        let (code, _) = error_with_field(anonymous.call(endpoint, &form).await).await;
        assert_eq!(code, "unauthenticated", "{endpoint} without a session");
    }
    let thread: i64 = id.parse().expect("id");
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM inquiry_messages WHERE thread_id = $1", thread).await, 1, "no reply");
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM inquiry_handovers WHERE thread_id = $1", thread).await, 0);
    // And staff are not customers: the customer functions refuse them.
    let agent = staff_browser(&srv, "s00005").await;
    expect_error(agent.call("inquiries", &[]).await, "forbidden").await;
    expect_error(agent.call("inquiry_reply", &[("id", &id), ("body", "x")]).await, "forbidden").await;
}

async fn script_is_returned_as_text_and_escaped_in_both_pages(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let attack = "<script>alert('x')</script>";
    let id = ask(&c, "<b>subject</b>", attack).await;

    let thread = c.json("inquiry", &[("id", &id.to_string())]).await;
    assert_eq!(thread["messages"][0]["body"], attack, "the API returns the exact text");
    assert_eq!(thread["subject"], "<b>subject</b>");
    let staff_view = agent.json("staff_inquiry", &[("id", &id.to_string())]).await;
    assert_eq!(staff_view["messages"][0]["body"], attack);

    for (who, path) in [(&c, format!("/inquiries/{id}")), (&agent, format!("/staff/inquiries/{id}"))] {
        let html = get_html(who, &path).await;
        assert!(html.contains("&lt;script&gt;alert("), "escaped on {path}");
        assert!(!html.contains("<script>alert("), "never markup on {path}");
        assert!(html.contains("&lt;b&gt;subject&lt;/b&gt;"), "the subject escaped on {path}");
        assert!(!html.contains("<b>subject</b>"));
    }
}

async fn too_long_messages_are_refused_and_store_nothing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let long = "长".repeat(2001);
    let limit = "长".repeat(2000);

    let key = c.json("inquiry_form", &[]).await["key"].as_str().expect("key").to_owned();
    let (code, field) = error_with_field(
        c.call("inquiry_open", &[("topic", "loans"), ("subject", "太长"), ("body", &long), ("key", &key)]).await,
    )
    .await;
    assert_eq!((code.as_str(), field.as_deref()), ("text_too_long", Some("body")));
    let subject = "题".repeat(81);
    let (code, field) = error_with_field(
        c.call("inquiry_open", &[("topic", "loans"), ("subject", &subject), ("body", "x"), ("key", &key)]).await,
    )
    .await;
    assert_eq!((code.as_str(), field.as_deref()), ("text_too_long", Some("subject")));
    let open = "SELECT COUNT(*) FROM inquiry_threads WHERE customer_id = $1 AND status = 'open'";
    assert_eq!(count(&srv, open, demo1).await, 0);

    let id = ask(&c, "上限", &limit).await;
    let id_text = id.to_string();
    let (code, field) = error_with_field(c.call("inquiry_reply", &[("id", &id_text), ("body", &long)]).await).await;
    assert_eq!((code.as_str(), field.as_deref()), ("text_too_long", Some("body")));
    let (code, _) =
        error_with_field(agent.call("staff_inquiry_reply", &[("id", &id_text), ("body", &long)]).await).await;
    assert_eq!(code, "text_too_long");
    assert_eq!(
        count(&srv, "SELECT COUNT(*) FROM inquiry_messages WHERE thread_id = $1", id).await,
        1,
        "only the first"
    );
    assert_eq!(
        count(&srv, "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'inquiry_reply'", demo1)
            .await,
        0
    );

    // Without the WASM: the plain form post comes back to the page with the error.
    let page = format!("/inquiries/{id}");
    let back = c.form("inquiry_reply", &[("id", &id_text), ("body", &long)], &page).await;
    assert!(back.status().is_redirection(), "{}", back.status());
    let to = location(&back).expect("location");
    // Back to the page the form was on (Leptos names it by the Referer, in full).
    let to = to.strip_prefix(b_base(&c)).unwrap_or(&to).to_owned();
    assert!(to.starts_with(&page) && to.contains("__err"), "{to}");
    let html = get_html(&c, &to).await;
    assert!(html.contains("内容太长"), "the error shown on the page");
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM inquiry_messages WHERE thread_id = $1", id).await, 1);
}

async fn pages_and_forms_work_without_the_wasm(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let agent = staff_browser(&srv, "s00005").await;

    // The new-question page: topics, the limits, a key from the server.
    let html = get_html(&c, "/inquiries/new").await;
    assert!(html.contains("value=\"insurance\"") && html.contains("maxlength=\"2000\""), "topics and the limit");
    assert!(html.contains("最多 2000 个字"), "the limit is said");
    let at = html.find("name=\"key\"").expect("a key input");
    let rest = &html[at..];
    let start = rest.find("value=\"").expect("value") + 7;
    let key = rest[start..start + rest[start..].find('"').expect("end")].to_owned();

    let posted = c
        .form(
            "inquiry_open",
            &[("topic", "insurance"), ("subject", "保险问题"), ("body", "意外险怎么买？"), ("key", &key)],
            "/inquiries/new",
        )
        .await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let to = location(&posted).expect("location");
    let id: i64 = to.trim_start_matches("/inquiries/").parse().unwrap_or_else(|_| panic!("{to}"));
    let html = get_html(&c, &to).await;
    assert!(html.contains("意外险怎么买？") && html.contains("name=\"body\""), "the thread and a reply form");

    // Staff: the inbox filters are links; the thread page has every form.
    let html = get_html(&agent, "/staff/inquiries?filter=unassigned").await;
    assert!(html.contains("保险问题") && html.contains("href=\"/staff/inquiries?filter=mine\""));
    let page = format!("/staff/inquiries/{id}");
    let html = get_html(&agent, &page).await;
    for form in ["inquiry_reply", "inquiry_claim", "inquiry_handover", "inquiry_close"] {
        assert!(html.contains(&format!("/api/staff_{form}")), "{form} form on the staff page");
    }
    assert!(html.contains("S00006"), "colleagues to hand over to");
    let replied =
        agent.form("staff_inquiry_reply", &[("id", &id.to_string()), ("body", "可以在网点办理。")], &page).await;
    assert_eq!(location(&replied).as_deref(), Some(page.as_str()));
    let html = get_html(&c, &format!("/inquiries/{id}")).await;
    assert!(html.contains("可以在网点办理。"), "the customer reads the reply");
    let closed = c.form("inquiry_close", &[("id", &id.to_string())], &format!("/inquiries/{id}")).await;
    assert_eq!(location(&closed).as_deref(), Some(format!("/inquiries/{id}").as_str()));
    let html = get_html(&c, "/inquiries").await;
    assert!(html.contains("已结束"), "closed in the list");
    let html = get_html(&c, "/notifications").await;
    assert!(html.contains("您的咨询有新回复"), "the notification is titled");
}
