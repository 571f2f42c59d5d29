//! Service requests, the customer's side, on SQLite and PostgreSQL: a loss report
//! freezes the card before the answer returns and card payments are refused after
//! it (they went through before); freeze and unfreeze are immediate and audited;
//! another customer's card, account, transaction or reference answers not_found and
//! stores nothing; a contact change needs the step-up, waits for staff and tells the
//! old phone; every disallowed move is refused (closed is final, the reopen window,
//! rating once); a reply after the window starts a linked follow-up; the forms work
//! without the WASM; bad input is refused at the field; replays answer the same.
mod support;

use app::backend::auth::StaffActor;
use app::backend::identity::totp::{code_at_step, step_of, TotpSecret};
use app::backend::ledger::card_payment;
use app::backend::requests::{effects, lock_request, staff as sr_staff};
use app::backend::seed::DEMO_PASSWORD;
use app::backend::Clock as _;
use app::types::{Amount, IdempotencyKey, Money, PlainText, RequestRef, StaffRole};
use serde_json::Value;
use support::browser::*;
use support::{Backend, TestServer};

on_both_backends!(
    a_loss_report_freezes_the_card_before_the_answer_and_payments_are_refused,
    freeze_and_unfreeze_are_immediate_and_audited,
    another_customers_things_answer_not_found_and_nothing_is_stored,
    a_contact_change_needs_step_up_and_applies_only_when_resolved,
    disallowed_moves_are_refused_and_a_late_reply_starts_a_follow_up,
    pages_and_forms_work_without_the_wasm,
    bad_input_is_refused_at_the_field_and_nothing_is_stored,
    payments_racing_a_loss_report_are_posted_before_it_or_refused,
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

async fn scalar(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn text(srv: &TestServer, sql: &str, id: i64) -> String {
    sqlx::query_scalar::<_, String>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn customer_id(srv: &TestServer, username: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT principal_id FROM credentials WHERE username = $1")
        .bind(username)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("customer id")
}

/// The customer's debit card: (id, number, account id).
async fn debit_card(srv: &TestServer, customer: i64) -> (i64, String, i64) {
    sqlx::query_as::<_, (i64, String, i64)>(
        "SELECT id, card_no, account_id FROM cards WHERE customer_id = $1 AND kind = 'debit' ORDER BY id LIMIT 1",
    )
    .bind(customer)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("a debit card")
}

async fn requests_of(srv: &TestServer, customer: i64) -> i64 {
    scalar(srv, "SELECT COUNT(*) FROM service_requests WHERE customer_id = $1", customer).await
}

async fn balance(srv: &TestServer, account: i64) -> i64 {
    scalar(srv, "SELECT balance FROM accounts WHERE id = $1", account).await
}

fn key() -> String {
    IdempotencyKey::generate().as_str().to_owned()
}

async fn pay(srv: &TestServer, card_no: &str, yuan: i64) -> Result<i64, app::error::AppError> {
    let amount = Amount::new(Money::yuan(yuan)).expect("an amount");
    card_payment::authorize(&srv.state, card_no, amount, "测试商户", &IdempotencyKey::generate()).await
}

/// Submits a request the way the WASM does; answers the reference.
async fn submit(b: &Browser, kind: &str, fields: &[(&str, &str)]) -> String {
    let k = key();
    submit_with_key(b, kind, &k, fields).await
}

async fn submit_with_key(b: &Browser, kind: &str, k: &str, fields: &[(&str, &str)]) -> String {
    let mut form = vec![("kind", kind), ("key", k)];
    form.extend_from_slice(fields);
    let to = success_to(b.call("request_submit", &form).await).await;
    to.trim_start_matches("/requests/").to_owned()
}

async fn submit_error(b: &Browser, kind: &str, fields: &[(&str, &str)]) -> (String, Option<String>) {
    let k = key();
    let mut form = vec![("kind", kind), ("key", k.as_str())];
    form.extend_from_slice(fields);
    let response = b.call("request_submit", &form).await;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    assert!(!status.is_success(), "expected an error, got {status} {body}");
    let json: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (json["code"].as_str().unwrap_or_default().to_owned(), json["field"].as_str().map(str::to_owned))
}

fn agent(srv_staff_id: i64) -> StaffActor {
    StaffActor { staff_id: srv_staff_id, role: StaffRole::Agent }
}

async fn staff_id(srv: &TestServer, staff_no: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT id FROM staff WHERE staff_no = $1")
        .bind(staff_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff id")
}

/// Staff resolve a request through the staff helper's path (effects included).
async fn resolve(srv: &TestServer, reference: &str) {
    let actor = agent(staff_id(srv, "S00005").await);
    let reference = RequestRef::parse(reference).expect("a reference");
    let body = PlainText::new("已为您办理。", 2000, "body").expect("text");
    if status(srv, reference.as_str()).await == "submitted" {
        sr_staff::start(&srv.state, &actor, &reference, "").await.expect("started");
    }
    sr_staff::resolve(&srv.state, &actor, &reference, &body, "").await.expect("resolved");
}

async fn status(srv: &TestServer, reference: &str) -> String {
    sqlx::query_scalar::<_, String>("SELECT status FROM service_requests WHERE reference = $1")
        .bind(reference)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("status")
}

async fn get_html(b: &Browser, path: &str) -> String {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

async fn set_up_totp(srv: &TestServer, b: &Browser) -> TotpSecret {
    ok(b.call("totp_begin", &[]).await).await;
    let setup = b.json("totp_pending", &[]).await;
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("a pending secret")).expect("base32");
    ok(b.call("totp_confirm", &[("code", &code_at_step(&secret, step_of(srv.clock.now())))]).await).await;
    // The confirmation counts as a fresh step-up: move past the window.
    srv.clock.advance_seconds(301);
    secret
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn a_loss_report_freezes_the_card_before_the_answer_and_payments_are_refused(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let (card, card_no, account) = debit_card(&srv, demo1).await;

    // Before the report a purchase goes through.
    let before = balance(&srv, account).await;
    pay(&srv, &card_no, 12).await.expect("an active card pays");
    assert_eq!(balance(&srv, account).await, before - 1_200);

    // The report answers only after the card is lost in the database.
    let k = key();
    let fields = [("card_id", card.to_string()), ("stolen", "true".into()), ("replacement", "true".into())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let reference = submit_with_key(&c, "card_lost", &k, &fields).await;
    let (card_status, changed_at): (String, Option<i64>) =
        sqlx::query_as("SELECT status, status_changed_at FROM cards WHERE id = $1")
            .bind(card)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("the card");
    assert_eq!(card_status, "lost", "frozen before the answer returned");
    assert_eq!(changed_at, Some(srv.clock.now().micros()), "the time is recorded");

    // A replay of the same form answers the same request and stores nothing more.
    assert_eq!(submit_with_key(&c, "card_lost", &k, &fields).await, reference);
    assert_eq!(requests_of(&srv, demo1).await, 1 + seeded(&srv, demo1, &reference).await);

    // Payments are refused now, and nothing moves.
    let after = balance(&srv, account).await;
    let err = pay(&srv, &card_no, 12).await.expect_err("a lost card pays nothing");
    assert_eq!(err.code, app::error::ErrorCode::CardBlocked);
    assert_eq!(balance(&srv, account).await, after);

    // The customer is told by SMS, and the page says when the card was frozen.
    let phone = text(&srv, "SELECT phone FROM customers WHERE id = $1", demo1).await;
    let sms: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND body LIKE '%挂失%'")
        .bind(&phone)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("outbox");
    assert_eq!(sms, 1);
    let view = c.json("request", &[("reference", &reference)]).await;
    assert_eq!(view["status"], "submitted", "the bank still has to act: {view}");
    assert_eq!(view["frozen_at_local"], app::backend::local_time(srv.state.zone, srv.clock.now()));
    let html = get_html(&c, &format!("/requests/{reference}")).await;
    assert!(html.contains(&reference) && html.contains("sr-status") && html.contains("sr-timeline"));
    assert!(html.contains("您的卡已于"), "the page says when the card was frozen");

    // Staff resolve it: a replacement card, Luhn-valid, on the same account, pays.
    resolve(&srv, &reference).await;
    let (new_id, new_no, new_account, new_status): (i64, String, i64, String) = sqlx::query_as(
        "SELECT id, card_no, account_id, status FROM cards WHERE customer_id = $1 AND kind = 'debit' ORDER BY id DESC LIMIT 1",
    )
    .bind(demo1)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("a new card");
    assert!(new_id != card && new_no != card_no && new_account == account && new_status == "active");
    let digits: Vec<u32> = new_no.chars().filter_map(|c| c.to_digit(10)).collect();
    assert!(app::types::card::luhn_valid(&digits), "{new_no}");
    pay(&srv, &new_no, 5).await.expect("the replacement pays");
    let events: Vec<String> =
        sqlx::query_scalar("SELECT e.kind FROM service_request_events e JOIN service_requests r ON r.id = e.request_id WHERE r.reference = $1 ORDER BY e.id")
            .bind(&reference)
            .fetch_all(srv.state.db.pool())
            .await
            .expect("events");
    assert!(events.contains(&"card_frozen".to_owned()) && events.contains(&"card_replaced".to_owned()), "{events:?}");
    let view = c.json("request", &[("reference", &reference)]).await.to_string();
    assert!(!view.contains(&new_no) && !view.contains(&card_no), "only masked numbers reach the customer");
}

/// Requests the demo data gave the customer already (other than `reference`).
async fn seeded(srv: &TestServer, customer: i64, reference: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM service_requests WHERE customer_id = $1 AND reference <> $2")
        .bind(customer)
        .bind(reference)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("count")
}

async fn freeze_and_unfreeze_are_immediate_and_audited(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let (card, card_no, _) = debit_card(&srv, demo1).await;
    let id = card.to_string();
    let audits = |event: &'static str| {
        let srv = &srv;
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE event = $1 AND customer_id = $2")
                .bind(event)
                .bind(demo1)
                .fetch_one(srv.state.db.pool())
                .await
                .expect("audit")
        }
    };

    let frozen = submit(&c, "card_freeze", &[("card_id", &id)]).await;
    assert_eq!(text(&srv, "SELECT status FROM cards WHERE id = $1", card).await, "frozen");
    assert_eq!(status(&srv, &frozen).await, "closed", "a self-service record is born closed");
    assert_eq!(audits("card_frozen").await, 1);
    assert_eq!(pay(&srv, &card_no, 1).await.expect_err("frozen").code, app::error::ErrorCode::CardBlocked);
    // Freezing a frozen card is refused and stores nothing.
    let count = requests_of(&srv, demo1).await;
    assert_eq!(submit_error(&c, "card_freeze", &[("card_id", &id)]).await.0, "wrong_state");
    assert_eq!(requests_of(&srv, demo1).await, count);

    let unfrozen = submit(&c, "card_unfreeze", &[("card_id", &id)]).await;
    assert_eq!(text(&srv, "SELECT status FROM cards WHERE id = $1", card).await, "active");
    assert_eq!(status(&srv, &unfrozen).await, "closed");
    assert_eq!(audits("card_unfrozen").await, 1);
    pay(&srv, &card_no, 1).await.expect("active again");

    // A lost card cannot be unfrozen by the customer.
    submit(&c, "card_lost", &[("card_id", &id)]).await;
    assert_eq!(submit_error(&c, "card_unfreeze", &[("card_id", &id)]).await.0, "wrong_state");
    assert_eq!(text(&srv, "SELECT status FROM cards WHERE id = $1", card).await, "lost");
    let view = c.json("request", &[("reference", &frozen)]).await;
    let kinds: Vec<String> = view["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["item"]["Step"]["kind"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(kinds, ["submitted", "card_frozen", "status"], "{view}");
}

async fn another_customers_things_answer_not_found_and_nothing_is_stored(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let owner = customer(&srv, "demo1").await;
    let other = customer(&srv, "demo2").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let demo2 = customer_id(&srv, "demo2").await;
    let (card, _, account) = debit_card(&srv, demo1).await;
    let posting = scalar(&srv, "SELECT MAX(id) FROM postings WHERE account_id = $1 AND amount < 0", account).await;
    let reference = submit(&owner, "general", &[("subject", "我的申请"), ("body", "请帮我办理。")]).await;
    // An internal note on it: never in any customer answer.
    sqlx::query(
        "INSERT INTO service_request_notes (request_id, staff_id, body, created_at) \
         SELECT id, (SELECT MIN(id) FROM staff), '内部备注-机密', 0 FROM service_requests WHERE reference = $1",
    )
    .bind(&reference)
    .execute(srv.state.db.pool())
    .await
    .expect("a note");

    let before = requests_of(&srv, demo2).await;
    let (card, account, posting) = (card.to_string(), account.to_string(), posting.to_string());
    let attempts: [(&str, Vec<(&str, &str)>); 7] = [
        ("card_lost", vec![("card_id", &card)]),
        ("card_freeze", vec![("card_id", &card)]),
        ("card_unfreeze", vec![("card_id", &card)]),
        ("dispute", vec![("posting_id", &posting), ("body", "不是我买的")]),
        ("certificate", vec![("account_id", &account)]),
        ("statement", vec![("account_id", &account), ("from", "2026-01"), ("to", "2026-02")]),
        ("reactivate", vec![("account_id", &account)]),
    ];
    for (kind, fields) in attempts {
        assert_eq!(submit_error(&other, kind, &fields).await.0, "not_found", "{kind}");
    }
    assert_eq!(requests_of(&srv, demo2).await, before, "nothing stored");
    assert_eq!(text(&srv, "SELECT status FROM cards WHERE id = $1", card.parse().unwrap()).await, "active");

    let r = reference.as_str();
    for (endpoint, fields) in [
        ("request", vec![("reference", r)]),
        ("request_reply", vec![("reference", r), ("body", "hi"), ("key", &key())]),
        ("request_withdraw", vec![("reference", r), ("reason", "不要了")]),
        ("request_reopen", vec![("reference", r)]),
        ("request_confirm", vec![("reference", r)]),
        ("request_rate", vec![("reference", r), ("score", "1")]),
    ] {
        expect_error(other.call(endpoint, &fields).await, "not_found").await;
    }
    assert_eq!(status(&srv, r).await, "submitted");
    let list = other.json("requests", &[]).await.to_string();
    assert!(!list.contains(r), "not in another customer's list");
    let mine = owner.json("request", &[("reference", r)]).await.to_string();
    assert!(!mine.contains("内部备注"), "internal notes never reach the customer: {mine}");
    let html = get_html(&owner, &format!("/requests/{r}")).await;
    assert!(!html.contains("内部备注"));
}

async fn a_contact_change_needs_step_up_and_applies_only_when_resolved(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let old_phone = text(&srv, "SELECT phone FROM customers WHERE id = $1", demo1).await;
    let fields = [("phone", "139 0000 1234"), ("address", "北京市西城区金融大街3号")];

    // No step-up: refused at the code field, nothing stored.
    let before = requests_of(&srv, demo1).await;
    assert_eq!(submit_error(&c, "contact_change", &fields).await, ("step_up_required".into(), Some("code".into())));
    assert_eq!(requests_of(&srv, demo1).await, before);

    // A wrong code is refused too; the right one files the request.
    let secret = set_up_totp(&srv, &c).await;
    let mut wrong = fields.to_vec();
    wrong.push(("code", "000000"));
    assert_eq!(submit_error(&c, "contact_change", &wrong).await.1.as_deref(), Some("code"));
    let code = code_at_step(&secret, step_of(srv.clock.now()) + 1);
    let mut right = fields.to_vec();
    right.push(("code", &code));
    let reference = submit(&c, "contact_change", &right).await;
    assert_eq!(text(&srv, "SELECT phone FROM customers WHERE id = $1", demo1).await, old_phone, "pending");

    // Applied when staff resolve: the old phone and the new one are told.
    resolve(&srv, &reference).await;
    assert_eq!(text(&srv, "SELECT phone FROM customers WHERE id = $1", demo1).await, "13900001234");
    assert_eq!(text(&srv, "SELECT address FROM customers WHERE id = $1", demo1).await, "北京市西城区金融大街3号");
    for phone in [old_phone.as_str(), "13900001234"] {
        let sent: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND body LIKE '%变更%'")
            .bind(phone)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("outbox");
        assert_eq!(sent, 1, "SMS to {phone}");
    }
    let audited = scalar(
        &srv,
        "SELECT COUNT(*) FROM audit_log WHERE event = 'contact_changed' AND customer_id = $1 AND actor_kind = 'staff'",
        demo1,
    )
    .await;
    assert_eq!(audited, 1);

    // The effect is the resolving transaction's: called directly on a fresh one, it
    // changes the phone only when committed.
    let mut tx = srv.state.db.begin_write().await.expect("tx");
    let reference = RequestRef::parse(&reference).expect("ref");
    let row = lock_request(&mut tx, srv.state.db.backend(), &reference, None).await.expect("row");
    sqlx::query("UPDATE customers SET phone = '13811112222' WHERE id = $1")
        .bind(demo1)
        .execute(&mut *tx)
        .await
        .expect("u");
    effects::apply_on_resolve(&mut tx, &srv.state, &row, staff_id(&srv, "S00005").await, srv.clock.now())
        .await
        .expect("applied");
    tx.rollback().await.expect("rollback");
    assert_eq!(text(&srv, "SELECT phone FROM customers WHERE id = $1", demo1).await, "13900001234");
}

async fn disallowed_moves_are_refused_and_a_late_reply_starts_a_follow_up(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let general = [("subject", "开具证明"), ("body", "请帮我开具一份收入证明。")];
    let r = submit(&c, "general", &general).await;
    let at = |r: &str| vec![("reference", r.to_owned())];

    // Submitted: no confirm, no reopen, no rating.
    refused(&c, "request_confirm", at(&r), "transition_not_allowed").await;
    refused(&c, "request_reopen", at(&r), "transition_not_allowed").await;
    refused(&c, "request_rate", vec![("reference", r.clone()), ("score", "5".into())], "wrong_state").await;

    // Staff ask a question: the customer's reply hands it back to the bank.
    let actor = agent(staff_id(&srv, "S00005").await);
    let parsed = RequestRef::parse(&r).expect("ref");
    let question = PlainText::new("请问用途是什么？", 2000, "body").expect("text");
    sr_staff::reply(&srv.state, &actor, &parsed, &question, &IdempotencyKey::generate(), true, "")
        .await
        .expect("asked");
    assert_eq!(status(&srv, &r).await, "waiting_customer");
    let k = key();
    let reply = [("reference", r.as_str()), ("body", "用于签证。"), ("key", k.as_str())];
    assert_eq!(success_to(c.call("request_reply", &reply).await).await, format!("/requests/{r}"));
    assert_eq!(success_to(c.call("request_reply", &reply).await).await, format!("/requests/{r}"), "a replay");
    assert_eq!(status(&srv, &r).await, "in_progress");
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_request_messages m JOIN service_requests r ON r.id = m.request_id WHERE r.reference = $1 AND m.author_kind = 'customer'")
        .bind(&r)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("count");
    assert_eq!(messages, 1, "one message per key");

    // Resolved: a reply within the window is refused (reopen or confirm instead);
    // rating works once.
    resolve(&srv, &r).await;
    refused(
        &c,
        "request_reply",
        vec![("reference", r.clone()), ("body", "还有问题".into()), ("key", key())],
        "wrong_state",
    )
    .await;
    ok(c.call("request_rate", &[("reference", &r), ("score", "4"), ("comment", "很快")]).await).await;
    refused(&c, "request_rate", vec![("reference", r.clone()), ("score", "5".into())], "already_rated").await;
    refused(&c, "request_withdraw", vec![("reference", r.clone()), ("reason", "x".into())], "transition_not_allowed")
        .await;

    // A second request is reopened within the window.
    let r2 = submit(&c, "general", &general).await;
    resolve(&srv, &r2).await;
    ok(c.call("request_reopen", &[("reference", &r2)]).await).await;
    assert_eq!(status(&srv, &r2).await, "in_progress");
    ok(c.call("request_withdraw", &[("reference", &r2), ("reason", "不需要了")]).await).await;
    assert_eq!(status(&srv, &r2).await, "withdrawn");
    refused(&c, "request_withdraw", vec![("reference", r2.clone()), ("reason", "x".into())], "transition_not_allowed")
        .await;
    refused(
        &c,
        "request_reply",
        vec![("reference", r2.clone()), ("body", "x".into()), ("key", key())],
        "transition_not_allowed",
    )
    .await;

    // Eight days on: the first can no longer be reopened; a reply starts a follow-up.
    srv.clock.advance_seconds(8 * 24 * 3600);
    let c = customer(&srv, "demo1").await;
    refused(&c, "request_reopen", at(&r), "reopen_window_passed").await;
    let k = key();
    let late = [("reference", r.as_str()), ("body", "证明上的名字有误。"), ("key", k.as_str())];
    let to = success_to(c.call("request_reply", &late).await).await;
    let follow = to.trim_start_matches("/requests/").to_owned();
    assert_ne!(follow, r, "a new request");
    assert_eq!(success_to(c.call("request_reply", &late).await).await, to, "a replay answers the same follow-up");
    let view = c.json("request", &[("reference", &follow)]).await;
    assert_eq!(view["follow_up_of"], r.as_str());
    assert_eq!(view["kind"], "general");
    assert!(view["subject"].as_str().unwrap_or_default().contains(&r));
    let original = c.json("request", &[("reference", &r)]).await;
    assert_eq!(original["follow_ups"], serde_json::json!([follow.clone()]));
    for reference in [&r, &follow] {
        let follow_ups = sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM service_request_events e JOIN service_requests r ON r.id = e.request_id \
             WHERE r.reference = $1 AND e.kind = 'follow_up'",
        )
        .bind(reference)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("events");
        assert_eq!(follow_ups, 1, "{reference}");
    }

    // Confirmed closed: final for every customer move.
    ok(c.call("request_confirm", &[("reference", &r)]).await).await;
    assert_eq!(status(&srv, &r).await, "closed");
    refused(&c, "request_confirm", at(&r), "transition_not_allowed").await;
    refused(&c, "request_reopen", at(&r), "transition_not_allowed").await;
    refused(&c, "request_withdraw", vec![("reference", r.clone()), ("reason", "x".into())], "transition_not_allowed")
        .await;
}

async fn refused(c: &Browser, endpoint: &str, fields: Vec<(&str, String)>, code: &str) {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(a, b)| (*a, b.as_str())).collect();
    expect_error(c.call(endpoint, &fields).await, code).await;
}

async fn pages_and_forms_work_without_the_wasm(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let (card, _, _) = debit_card(&srv, demo1).await;

    let html = get_html(&c, "/requests/new").await;
    for kind in app::types::RequestKind::ALL {
        assert!(html.contains(&format!("href=\"/requests/new/{}\"", kind.as_str())), "{kind:?}");
    }
    let html = get_html(&c, "/requests/new/card_lost").await;
    for name in ["name=\"card_id\"", "name=\"stolen\"", "name=\"replacement\"", "name=\"body\"", "type=\"submit\""] {
        assert!(html.contains(name), "{name}");
    }
    assert!(html.contains("立即冻结"), "the form says the card is frozen at once");
    assert!(!html.contains("name=\"phone\""), "only that kind's fields");
    let at = html.find("name=\"key\"").expect("a key input");
    let rest = &html[at..];
    let start = rest.find("value=\"").expect("value") + 7;
    let k = rest[start..start + rest[start..].find('"').expect("end")].to_owned();

    let posted = c
        .form(
            "request_submit",
            &[("kind", "card_lost"), ("key", &k), ("card_id", &card.to_string()), ("stolen", "true")],
            "/requests/new/card_lost",
        )
        .await;
    assert!(posted.status().is_redirection(), "{}", posted.status());
    let to = location(&posted).expect("location");
    assert!(to.starts_with("/requests/SR-"), "{to}");
    assert_eq!(text(&srv, "SELECT status FROM cards WHERE id = $1", card).await, "lost");
    let html = get_html(&c, &to).await;
    for part in [
        "<h1",
        "sr-status",
        "<ol class=\"sr-timeline\"",
        "class=\"sr-reply\"",
        "class=\"sr-withdraw\"",
        "name=\"reason\"",
        "sr-files",
    ] {
        assert!(html.contains(part), "{part} on the detail page");
    }
    assert!(!html.contains("class=\"sr-rate\"") && !html.contains("class=\"sr-confirm\""), "only allowed actions");

    // Every kind's form renders its fields.
    for (kind, names) in [
        ("card_freeze", &["card_id"][..]),
        ("contact_change", &["phone", "address", "code"]),
        ("complaint", &["category", "subject", "body", "wanted"]),
        ("dispute", &["posting_id", "body"]),
        ("certificate", &["account_id", "body"]),
        ("statement", &["account_id", "from", "to"]),
        ("reactivate", &["account_id"]),
        ("general", &["subject", "body"]),
    ] {
        let html = get_html(&c, &format!("/requests/new/{kind}")).await;
        for name in names {
            assert!(html.contains(&format!("name=\"{name}\"")), "{kind}: {name}");
        }
    }

    // A withdrawal by plain form, then the list.
    let reference = to.trim_start_matches("/requests/").to_owned();
    let withdrawn = c.form("request_withdraw", &[("reference", &reference), ("reason", "找到了")], &to).await;
    assert_eq!(location(&withdrawn).as_deref(), Some(to.as_str()));
    let html = get_html(&c, "/requests").await;
    assert!(html.contains(&reference) && html.contains("已撤回"), "the list shows it withdrawn");
    assert!(html.contains("href=\"/requests/new\""));
    let html = get_html(&c, "/notifications").await;
    assert!(html.contains("您的银行卡已挂失冻结"), "the notification is titled");

    // A refused plain post goes back to the form with the error at the field.
    let long = "字".repeat(2001);
    let refused = c
        .form(
            "request_submit",
            &[("kind", "general"), ("key", &key()), ("subject", "s"), ("body", &long)],
            "/requests/new/general",
        )
        .await;
    let back = location(&refused).expect("back to the form");
    let back = back.trim_start_matches(c.base.trim_end_matches('/')).to_owned();
    assert!(back.starts_with("/requests/new/general") && back.contains("__err"), "{back}");
    let html = get_html(&c, &back).await;
    assert!(html.contains("sr-body-error"), "the error is at the field");
}

/// A form's kind, its fields, the error code and the field it names.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

async fn bad_input_is_refused_at_the_field_and_nothing_is_stored(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let before = requests_of(&srv, demo1).await;
    let long = "字".repeat(2001);
    let wanted = "字".repeat(501);
    let cases: [Case<'_>; 6] = [
        ("general", vec![("subject", "s"), ("body", &long)], "text_too_long", "body"),
        ("contact_change", vec![("phone", "12345")], "bad_request", "phone"),
        ("contact_change", vec![("phone", "13900001234"), ("address", &long)], "text_too_long", "address"),
        (
            "complaint",
            vec![("category", "weather"), ("subject", "s"), ("body", "b"), ("wanted", "w")],
            "bad_request",
            "category",
        ),
        (
            "complaint",
            vec![("category", "fees"), ("subject", "s"), ("body", "b"), ("wanted", &wanted)],
            "text_too_long",
            "wanted",
        ),
        ("statement", vec![("account_id", "1"), ("from", "2026-11"), ("to", "2026-01")], "bad_request", "to"),
    ];
    for (kind, fields, code, field) in cases {
        assert_eq!(submit_error(&c, kind, &fields).await, (code.to_owned(), Some(field.to_owned())), "{kind} {field}");
    }
    let r = submit(&c, "general", &[("subject", "s"), ("body", "b")]).await;
    let reply = [("reference", r.as_str()), ("body", long.as_str()), ("key", "k-1234567890abcdef")];
    let response = c.call("request_reply", &reply).await;
    expect_error(response, "text_too_long").await;
    assert_eq!(requests_of(&srv, demo1).await, before + 1);
    let messages = scalar(&srv, "SELECT COUNT(*) FROM service_request_messages m JOIN service_requests r ON r.id = m.request_id WHERE r.customer_id = $1", demo1).await;
    let r = RequestRef::parse(&r).expect("ref");
    let row_messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM service_request_messages m JOIN service_requests r ON r.id = m.request_id WHERE r.reference = $1")
        .bind(r.as_str())
        .fetch_one(srv.state.db.pool())
        .await
        .expect("count");
    assert_eq!(row_messages, 0, "nothing stored ({messages} in the demo data)");

    // Complaints carry their category and the regulatory decision deadline.
    let complaint = submit(
        &c,
        "complaint",
        &[("category", "fees"), ("subject", "年费"), ("body", "被收了年费"), ("wanted", "退还年费")],
    )
    .await;
    let view = c.json("request", &[("reference", &complaint)]).await;
    assert!(view["decision_due_local"].is_string(), "{view}");
    assert_eq!(view["next_step"], "bank");
    assert_eq!(
        (view["answers"]["category"].clone(), view["answers"]["wanted"].clone()),
        ("fees".into(), "退还年费".into())
    );
    let html = get_html(&c, &format!("/requests/{complaint}")).await;
    assert!(html.contains("收费") && html.contains("退还年费"), "the category and the wish are shown");
}

async fn payments_racing_a_loss_report_are_posted_before_it_or_refused(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, "demo1").await;
    let demo1 = customer_id(&srv, "demo1").await;
    let (card, card_no, account) = debit_card(&srv, demo1).await;
    let before = balance(&srv, account).await;
    let spends = "SELECT COUNT(*) FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
                  WHERE p.account_id = $1 AND j.kind = 'card_spend'";
    let spends_before = scalar(&srv, spends, account).await;

    let id = card.to_string();
    let fields = [("card_id", id.as_str())];
    let report = submit(&c, "card_lost", &fields);
    let payments = futures_util::future::join_all((0..8).map(|_| pay(&srv, &card_no, 1)));
    let (reference, results) = tokio::join!(report, payments);
    assert_eq!(status(&srv, &reference).await, "submitted");

    // Each payment was posted (before the report) or refused as blocked; nothing else.
    let mut posted = 0;
    for result in &results {
        match result {
            Ok(_) => posted += 1,
            Err(err) => assert_eq!(err.code, app::error::ErrorCode::CardBlocked, "{err:?}"),
        }
    }
    assert_eq!(balance(&srv, account).await, before - posted * 100);
    assert_eq!(scalar(&srv, spends, account).await, spends_before + posted);
    // And after the report, none.
    assert_eq!(pay(&srv, &card_no, 1).await.expect_err("lost").code, app::error::ErrorCode::CardBlocked);
}
