//! Transfers over HTTP, on SQLite and PostgreSQL, called the way a browser calls them
//! (with the WASM, and as plain HTML forms without it): a transfer moves the money
//! once per idempotency key and gives a receipt; a reused key with other content is
//! refused; bad amounts, over-limit amounts and wrong names are refused with their
//! code, shown translated next to their field, and move nothing; a new payee needs
//! the authenticator code; a Type III account stops at its daily limit; customers
//! see only their own receipts and payees. Every test that writes ends with the
//! audit chain verified.
// Amounts are written in fen grouped as yuan and fen (¥10,000.00 = 10_000_00).
#![allow(clippy::inconsistent_digit_grouping)]
mod support;

use app::backend::audit;
use app::backend::identity::totp::{code_at_step, step_of, TotpSecret};
use app::backend::ledger::internal::Internal;
use app::backend::ledger::{post, Entry, Line};
use app::backend::seed::{demo_customer, DEMO_PASSWORD};
use app::backend::Clock as _;
use app::error::ErrorCode;
use app::i18n::Locale;
use app::types::Day;
use reqwest::Response;
use serde_json::Value;
use support::browser::*;
use support::{Backend, TestServer};

on_both_backends!(
    a_transfer_between_own_accounts_moves_money_once_per_key,
    the_three_steps_work_as_plain_html_forms,
    bad_amounts_are_refused_at_the_amount_field_and_move_nothing,
    a_new_payee_needs_the_authenticator_code,
    a_wrong_holder_name_is_a_payee_mismatch,
    a_type_three_account_stops_at_its_daily_limit,
    receipts_and_payees_are_their_owners_only,
);

// ---------------------------------------------------------------------------------
// Fixtures: accounts opened by SQL, funded from the bank's clearing account.
// ---------------------------------------------------------------------------------

/// Account numbers of the fixtures: a range no seeded account uses.
const A1_MAIN: &str = "6299100000000000011";
const A1_SECOND: &str = "6299100000000000012";
const A1_TYPE3: &str = "6299100000000000013";
const B_MAIN: &str = "6299100000000000021";

async fn customer_id(srv: &TestServer, n: u32) -> i64 {
    sqlx::query_scalar("SELECT id FROM customers WHERE customer_no = $1")
        .bind(demo_customer(n).customer_no)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("demo customer")
}

/// Opens a demand account for demo customer `n` with `balance` fen in it.
async fn open_demand(srv: &TestServer, n: u32, account_no: &str, tier: i64, balance: i64) -> i64 {
    let customer = customer_id(srv, n).await;
    let db = &srv.state.db;
    let now = srv.clock.now();
    let mut tx = db.begin_write().await.unwrap();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (account_no, customer_id, product_code, kind, tier, opened_on, opened_at) \
         VALUES ($1, $2, 'DD-CNY', 'demand_deposit', $3, '2026-01-05', $4) RETURNING id",
    )
    .bind(account_no)
    .bind(customer)
    .bind(tier)
    .bind(now.micros())
    .fetch_one(&mut *tx)
    .await
    .expect("account opened");
    if balance > 0 {
        let clearing = Internal::Clearing.id(&mut tx).await.unwrap();
        let entry = Entry {
            kind: "cash",
            reference: None,
            memo: "opening deposit".into(),
            value_date: Day::parse("2026-11-28").unwrap(),
            lines: vec![
                Line { account_id: clearing, amount: -balance, counterparty: String::new() },
                Line { account_id: id, amount: balance, counterparty: String::new() },
            ],
        };
        post(&mut tx, db.backend(), &entry, now).await.expect("opening deposit posted");
    }
    tx.commit().await.unwrap();
    id
}

async fn balance(srv: &TestServer, account: i64) -> i64 {
    sqlx::query_scalar("SELECT balance FROM accounts WHERE id = $1")
        .bind(account)
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap()
}

async fn count(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql).bind(id).fetch_one(srv.state.db.pool()).await.unwrap()
}

async fn chain_intact(srv: &TestServer) {
    audit::verify_chain(&srv.state.db).await.expect("the audit chain verifies");
}

async fn signed_in(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    assert_eq!(success_to(login(&b, username, DEMO_PASSWORD).await).await, "/accounts");
    b
}

fn now_step(srv: &TestServer) -> i64 {
    step_of(srv.clock.now())
}

/// Sets up the authenticator for the signed-in browser; the confirmation counts as a
/// fresh step-up, so the clock is moved past the window before returning.
async fn set_up_totp(srv: &TestServer, b: &Browser) -> TotpSecret {
    ok(b.call("totp_begin", &[]).await).await;
    let setup = b.json("totp_pending", &[]).await;
    let secret = TotpSecret::from_base32(setup["secret"].as_str().expect("a pending secret")).unwrap();
    ok(b.call("totp_confirm", &[("code", &code_at_step(&secret, now_step(srv)))]).await).await;
    srv.clock.advance_seconds(301);
    secret
}

// ---------------------------------------------------------------------------------
// The transfer form's fields.
// ---------------------------------------------------------------------------------

#[derive(Clone)]
struct Fields {
    from: i64,
    to: String,
    payee_account_no: String,
    payee_name: String,
    amount: String,
    memo: String,
    save_payee: bool,
    key: String,
}

impl Fields {
    fn own(from: i64, to: i64, amount: &str, key: &str) -> Fields {
        Fields {
            from,
            to: format!("own:{to}"),
            payee_account_no: String::new(),
            payee_name: String::new(),
            amount: amount.into(),
            memo: String::new(),
            save_payee: false,
            key: key.into(),
        }
    }

    fn new_payee(from: i64, account_no: &str, name: &str, amount: &str, key: &str) -> Fields {
        Fields {
            to: "new".into(),
            payee_account_no: account_no.into(),
            payee_name: name.into(),
            save_payee: true,
            ..Fields::own(from, 0, amount, key)
        }
    }

    fn payee(from: i64, payee: i64, amount: &str, key: &str) -> Fields {
        Fields { to: format!("payee:{payee}"), ..Fields::own(from, 0, amount, key) }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("from", self.from.to_string()),
            ("to", self.to.clone()),
            ("payee_account_no", self.payee_account_no.clone()),
            ("payee_name", self.payee_name.clone()),
            ("amount", self.amount.clone()),
            ("memo", self.memo.clone()),
        ];
        if self.save_payee {
            pairs.push(("save_payee", "on".into()));
        }
        pairs.push(("idempotency_key", self.key.clone()));
        pairs
    }

    /// The confirmation page of these fields (where the step-1 GET form leads).
    fn confirm_url(&self) -> String {
        let query: Vec<String> = self.pairs().iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
        format!("/transfer?step=confirm&{}", query.join("&"))
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn borrowed<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn preview(b: &Browser, fields: &Fields) -> Response {
    b.call("transfer_preview", &borrowed(&fields.pairs())).await
}

async fn make(b: &Browser, fields: &Fields) -> Response {
    b.call("transfer_make", &borrowed(&fields.pairs())).await
}

async fn make_with_code(b: &Browser, fields: &Fields, code: &str) -> Response {
    let mut pairs = fields.pairs();
    pairs.push(("step_up_code", code.to_owned()));
    b.call("transfer_make", &borrowed(&pairs)).await
}

/// A successful WASM-style send: the receipt and where the browser goes next.
async fn sent(response: Response) -> (String, Value) {
    let status = response.status();
    let location = location(&response);
    let redirect = response.headers().contains_key("serverfnredirect");
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "the transfer went through: {body}");
    assert!(redirect, "the client is sent on: {body}");
    let receipt: Value = serde_json::from_str(&body).expect("a receipt");
    let location = location.expect("a Location");
    assert_eq!(location, format!("/transfer/receipt/{}", receipt["receipt_no"].as_str().unwrap()));
    (location, receipt)
}

async fn fresh_key(b: &Browser) -> String {
    let form = b.json("transfer_form", &[]).await;
    form["idempotency_key"].as_str().expect("a key").to_owned()
}

async fn page(b: &Browser, path_or_url: &str) -> String {
    let url = if path_or_url.starts_with("http") { path_or_url.to_owned() } else { format!("{}{path_or_url}", b.base) };
    let response = b.http.get(url).send().await.expect("GET");
    assert_eq!(response.status(), 200, "{path_or_url}");
    response.text().await.unwrap()
}

/// The text of `code` in Chinese (the default language), as it appears in HTML.
fn zh(code: ErrorCode) -> String {
    html_text(Locale::ZhCn.text(code.message_key()))
}

fn html_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The paragraph with `id` in `html`, from its start tag to its end tag.
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in the page"));
    let rest = &html[start..];
    &rest[..rest.find("</p>").unwrap_or(rest.len())]
}

/// Posts the confirmation form as a browser without the WASM does, from its page,
/// and returns the page the browser is sent back to.
async fn post_without_js(b: &Browser, fields: &Fields, code: Option<&str>) -> (String, String) {
    let mut pairs = fields.pairs();
    if let Some(code) = code {
        pairs.push(("step_up_code", code.to_owned()));
    }
    let response = b.form("transfer_make", &borrowed(&pairs), &fields.confirm_url()).await;
    assert_eq!(response.status(), 302, "a plain form post is redirected");
    let to = location(&response).expect("a Location");
    let html = page(b, &to).await;
    (to, html)
}

// ---------------------------------------------------------------------------------
// 1. Moving money, once per key.
// ---------------------------------------------------------------------------------

async fn a_transfer_between_own_accounts_moves_money_once_per_key(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a1 = open_demand(&srv, 1, A1_MAIN, 1, 10_000_00).await;
    let a2 = open_demand(&srv, 1, A1_SECOND, 2, 0).await;
    let me = signed_in(&srv, "demo1").await;

    let form = me.json("transfer_form", &[]).await;
    let from: Vec<i64> = form["from"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    let own: Vec<i64> = form["own"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    assert!(from.contains(&a1) && from.contains(&a2), "{form}");
    assert!(own.contains(&a1) && own.contains(&a2), "{form}");
    let key = form["idempotency_key"].as_str().unwrap().to_owned();
    assert_ne!(key, fresh_key(&me).await, "every form gets its own key");

    let fields = Fields { memo: "房租 rent".into(), ..Fields::own(a1, a2, "1,234.56", &key) };
    let confirmation = me.json("transfer_preview", &borrowed(&fields.pairs())).await;
    assert_eq!(confirmation["amount"]["minor"], 123_456, "{confirmation}");
    assert_eq!(confirmation["needs_step_up"], false, "own accounts, under ¥5,000");
    assert!(confirmation["daily_limit_left"].is_null(), "own moves do not count: {confirmation}");
    assert_eq!(balance(&srv, a1).await, 10_000_00, "a preview moves nothing");

    let (location, receipt) = sent(make(&me, &fields).await).await;
    assert_eq!(balance(&srv, a1).await, 10_000_00 - 1_234_56);
    assert_eq!(balance(&srv, a2).await, 1_234_56);
    assert_eq!(receipt["amount"]["minor"], 123_456);
    assert_eq!(receipt["memo"], "房租 rent");
    assert_eq!(receipt["local_time"], "2026-11-29 08:00", "shown in the bank's zone");
    let number = receipt["receipt_no"].as_str().unwrap().to_owned();

    // The same key again (a double click, a retry after a timeout): the same receipt, no money moves.
    let (_, again) = sent(make(&me, &fields).await).await;
    assert_eq!(again["receipt_no"], number.as_str());
    assert_eq!(balance(&srv, a1).await, 10_000_00 - 1_234_56, "moved once");
    assert_eq!(balance(&srv, a2).await, 1_234_56);

    // The same key with another amount is refused.
    let other = Fields { amount: "1,234.57".into(), ..fields.clone() };
    expect_error(make(&me, &other).await, "idempotency_conflict").await;
    let (_, html) = post_without_js(&me, &other, None).await;
    assert!(html.contains(&zh(ErrorCode::IdempotencyConflict)), "said on the confirmation");
    assert!(html.contains("&amp;idempotency_key=\""), "changing the details starts with a new key");
    assert_eq!(balance(&srv, a1).await, 10_000_00 - 1_234_56);

    // The receipt, by number and as a page.
    let stored = me.json("transfer_receipt", &[("receipt_no", &number)]).await;
    assert_eq!(stored, receipt, "the receipt page shows what the transfer answered");
    let html = page(&me, &location).await;
    assert!(html.contains(&number), "the receipt number is on the page");
    assert!(html.contains("¥1,234.56"));
    assert!(html.contains("人民币壹仟贰佰叁拾肆元伍角陆分"), "the amount in capitals");
    assert!(html.contains("2026-11-29 08:00"));
    assert!(html.contains("href=\"/transfer\""), "make another transfer");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

/// Without the WASM: the form page carries its key in the HTML, the confirmation is a
/// page of its own, and the confirming post lands on the receipt.
async fn the_three_steps_work_as_plain_html_forms(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a1 = open_demand(&srv, 1, A1_MAIN, 1, 10_000_00).await;
    let a2 = open_demand(&srv, 1, A1_SECOND, 2, 0).await;
    let me = signed_in(&srv, "demo1").await;

    let html = page(&me, "/transfer").await;
    let marker = "name=\"idempotency_key\" value=\"";
    let start = html.find(marker).expect("the key is a hidden field of the SSR form") + marker.len();
    let key = html[start..start + 32].to_owned();
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()), "{key}");
    assert!(html.contains("inputmode=\"decimal\""), "the amount field brings up the number pad");
    assert!(html.contains(&format!("value=\"own:{a2}\"")), "own accounts are destinations");

    let fields = Fields::own(a1, a2, "2000.5", &key);
    let confirm = page(&me, &fields.confirm_url()).await;
    assert!(confirm.contains("¥2,000.50"), "the amount, large");
    assert!(confirm.contains("人民币贰仟元伍角整"), "and in capitals");
    assert!(confirm.contains("name=\"idempotency_key\""), "the confirmation posts the key again");
    assert!(!confirm.contains("name=\"step_up_code\""), "no code for own accounts under ¥5,000");
    assert_eq!(balance(&srv, a1).await, 10_000_00, "nothing moved yet");

    let response = me.form("transfer_make", &borrowed(&fields.pairs()), &fields.confirm_url()).await;
    assert_eq!(response.status(), 302);
    let to = location(&response).expect("a Location");
    assert!(to.starts_with("/transfer/receipt/TR20261129"), "{to}");
    let receipt = page(&me, &to).await;
    assert!(receipt.contains("¥2,000.50"));
    assert_eq!(balance(&srv, a1).await, 10_000_00 - 2_000_50);
    assert_eq!(balance(&srv, a2).await, 2_000_50);

    // Going back and sending the confirmation again moves nothing more.
    let response = me.form("transfer_make", &borrowed(&fields.pairs()), &fields.confirm_url()).await;
    assert_eq!(location(&response).as_deref(), Some(to.as_str()), "the same receipt");
    assert_eq!(balance(&srv, a1).await, 10_000_00 - 2_000_50);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 2. Bad amounts.
// ---------------------------------------------------------------------------------

async fn bad_amounts_are_refused_at_the_amount_field_and_move_nothing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a1 = open_demand(&srv, 1, A1_MAIN, 2, 50_000_00).await;
    let a2 = open_demand(&srv, 1, A1_SECOND, 1, 0).await;
    let b = open_demand(&srv, 2, B_MAIN, 1, 0).await;
    let me = signed_in(&srv, "demo1").await;
    let secret = set_up_totp(&srv, &me).await;
    let b_name = demo_customer(2).full_name;

    let cases = [
        (a1, a2, "0", ErrorCode::AmountNotPositive),
        (a1, a2, "-5", ErrorCode::AmountNotPositive),
        (a1, a2, "1.234", ErrorCode::AmountTooPrecise),
        (a1, a2, "abc", ErrorCode::AmountInvalid),
        (a1, a2, "", ErrorCode::AmountInvalid),
        (a1, a2, "5000000.01", ErrorCode::AmountTooLarge),
        (a2, a1, "0.01", ErrorCode::InsufficientFunds),
    ];
    for (from, to, amount, code) in cases {
        let key = fresh_key(&me).await;
        let fields = Fields::own(from, to, amount, &key);
        let wire = serde_json::to_value(code).unwrap();
        let wire = wire.as_str().unwrap();
        expect_error(preview(&me, &fields).await, wire).await;
        expect_error(make(&me, &fields).await, wire).await;
        // Without the WASM: back on the page, the message in Chinese under the amount.
        let (to, html) = post_without_js(&me, &fields, None).await;
        assert!(to.contains("__err="), "{to}");
        let message = element(&html, "xfer-amount-error");
        assert!(message.contains(&zh(code)), "{amount:?}: {message}");
        assert!(html.contains("aria-invalid=\"true\""), "the field is marked");
        assert!(html.contains(&format!("value=\"{}\"", amount.replace('&', "&amp;"))), "what was typed stays");
    }

    // Over the Type II daily limit (¥10,000) to someone else, with the code given.
    let key = fresh_key(&me).await;
    let over = Fields::new_payee(a1, B_MAIN, &b_name, "10000.01", &key);
    expect_error(preview(&me, &over).await, "daily_limit_exceeded").await;
    let code = code_at_step(&secret, now_step(&srv));
    expect_error(make_with_code(&me, &over, &code).await, "daily_limit_exceeded").await;
    let (_, html) = post_without_js(&me, &over, None).await;
    assert!(element(&html, "xfer-amount-error").contains(&zh(ErrorCode::DailyLimitExceeded)));

    // A note that is too long is refused at its own field.
    let long = Fields { memo: "长".repeat(61), ..Fields::own(a1, a2, "1", &fresh_key(&me).await) };
    expect_error(preview(&me, &long).await, "bad_request").await;
    let (_, html) = post_without_js(&me, &long, None).await;
    assert!(element(&html, "xfer-memo-error").contains(&html_text(Locale::ZhCn.text(app::i18n::Key::XferErrorMemo))));

    assert_eq!(balance(&srv, a1).await, 50_000_00, "nothing moved");
    assert_eq!(balance(&srv, a2).await, 0);
    assert_eq!(balance(&srv, b).await, 0);
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM transfers WHERE from_account_id = $1", a1).await, 0);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 3. Step-up for new payees and large amounts.
// ---------------------------------------------------------------------------------

async fn a_new_payee_needs_the_authenticator_code(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a1 = open_demand(&srv, 1, A1_MAIN, 1, 100_000_00).await;
    let b = open_demand(&srv, 2, B_MAIN, 1, 0).await;
    let me_id = customer_id(&srv, 1).await;
    let b_name = demo_customer(2).full_name;
    let me = signed_in(&srv, "demo1").await;

    // No authenticator yet: the confirmation says to set one up first, and offers no send.
    let key = fresh_key(&me).await;
    let fields = Fields { memo: "货款".into(), ..Fields::new_payee(a1, B_MAIN, &b_name, "300", &key) };
    let confirmation = me.json("transfer_preview", &borrowed(&fields.pairs())).await;
    assert_eq!(confirmation["needs_step_up"], true);
    assert_eq!(confirmation["new_payee"], true);
    assert_eq!(confirmation["has_authenticator"], false);
    assert_eq!(confirmation["payee_name"], b_name.as_str());
    let html = page(&me, &fields.confirm_url()).await;
    assert!(html.contains(&html_text(Locale::ZhCn.text(app::i18n::Key::XferNoAuthenticator))), "set one up first");
    assert!(html.contains(&html_text(Locale::ZhCn.text(app::i18n::Key::XferSecurityLink))), "with the way there");
    assert!(
        !html.contains("name=\"step_up_code\"")
            && !html.contains(&format!(">{}</button>", Locale::ZhCn.text(app::i18n::Key::XferSend)))
    );
    expect_error(make(&me, &fields).await, "step_up_required").await;

    let secret = set_up_totp(&srv, &me).await;
    let html = page(&me, &fields.confirm_url()).await;
    assert!(html.contains("name=\"step_up_code\""), "the code field is right there");
    assert!(html.contains(&html_text(Locale::ZhCn.text(app::i18n::Key::XferStepUpNewPayee))));

    // Without the code, and with a wrong one: refused, nothing moves, nothing saved.
    expect_error(make(&me, &fields).await, "step_up_required").await;
    let (to, html) = post_without_js(&me, &fields, None).await;
    assert!(to.contains("step=confirm") && to.contains(&key), "back to the same confirmation, same key");
    assert!(element(&html, "xfer-step_up_code-error").contains(&zh(ErrorCode::StepUpRequired)));
    let step = now_step(&srv);
    let near: Vec<String> = (step - 2..=step + 2).map(|s| code_at_step(&secret, s)).collect();
    let wrong = (0..).map(|n: u32| format!("{:06}", n * 7919 % 1_000_000)).find(|c| !near.contains(c)).unwrap();
    expect_error(make_with_code(&me, &fields, &wrong).await, "invalid_code").await;
    assert_eq!(balance(&srv, b).await, 0, "nothing moved");
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM payees WHERE customer_id = $1", me_id).await, 0);

    // With the code, from the page without the WASM: sent, and the payee is saved.
    let (to, receipt) = post_without_js(&me, &fields, Some(&code_at_step(&secret, step))).await;
    assert!(to.starts_with("/transfer/receipt/"), "{to}");
    assert!(receipt.contains("¥300.00"));
    assert_eq!(balance(&srv, a1).await, 100_000_00 - 300_00);
    assert_eq!(balance(&srv, b).await, 300_00);
    let payee: i64 = sqlx::query_scalar("SELECT id FROM payees WHERE customer_id = $1 AND account_no = $2")
        .bind(me_id)
        .bind(B_MAIN)
        .fetch_one(srv.state.db.pool())
        .await
        .expect("the payee was saved");
    let audited = count(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = 'payee_added' AND customer_id = $1", me_id);
    assert_eq!(audited.await, 1);

    // Later (the confirmation has expired): a saved payee up to ¥5,000 needs no code.
    srv.clock.advance_seconds(301);
    let small = Fields::payee(a1, payee, "5000", &fresh_key(&me).await);
    let confirmation = me.json("transfer_preview", &borrowed(&small.pairs())).await;
    assert_eq!(confirmation["needs_step_up"], false, "{confirmation}");
    sent(make(&me, &small).await).await;
    assert_eq!(balance(&srv, b).await, 5_300_00);

    // Above ¥5,000 it does; a step-up through the security page's `step_up` also counts.
    let large = Fields::payee(a1, payee, "5000.01", &fresh_key(&me).await);
    expect_error(make(&me, &large).await, "step_up_required").await;
    ok(me.call("step_up", &[("step_up_code", &code_at_step(&secret, now_step(&srv)))]).await).await;
    let confirmation = me.json("transfer_preview", &borrowed(&large.pairs())).await;
    assert_eq!(confirmation["step_up_fresh"], true, "{confirmation}");
    sent(make(&me, &large).await).await;
    assert_eq!(balance(&srv, b).await, 10_300_01);
    assert_eq!(count(&srv, "SELECT COUNT(*) FROM transfers WHERE from_account_id = $1", a1).await, 3);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

async fn a_wrong_holder_name_is_a_payee_mismatch(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a1 = open_demand(&srv, 1, A1_MAIN, 1, 1_000_00).await;
    let b = open_demand(&srv, 2, B_MAIN, 1, 0).await;
    let me = signed_in(&srv, "demo1").await;
    let secret = set_up_totp(&srv, &me).await;
    let b_name = demo_customer(2).full_name;
    let wrong_name = format!("{b_name}明");

    for (number, name) in [(B_MAIN, wrong_name.as_str()), ("6299100000000000099", b_name.as_str())] {
        let fields = Fields::new_payee(a1, number, name, "10", &fresh_key(&me).await);
        expect_error(preview(&me, &fields).await, "payee_mismatch").await;
        let code = code_at_step(&secret, now_step(&srv));
        expect_error(make_with_code(&me, &fields, &code).await, "payee_mismatch").await;
        let (_, html) = post_without_js(&me, &fields, None).await;
        let message = element(&html, "xfer-payee_name-error");
        assert!(message.contains(&zh(ErrorCode::PayeeMismatch)), "under the name: {message}");
        srv.clock.advance_seconds(30);
    }
    // A malformed number is caught at its own field before any look-up.
    let fields = Fields::new_payee(a1, "12ab", &b_name, "10", &fresh_key(&me).await);
    expect_error(preview(&me, &fields).await, "bad_request").await;
    let (_, html) = post_without_js(&me, &fields, None).await;
    assert!(html.contains("id=\"xfer-payee_account_no-error\""));
    assert_eq!(balance(&srv, a1).await, 1_000_00);
    assert_eq!(balance(&srv, b).await, 0);

    // The payee's debit card number (the number printed on the card) leads to the
    // demand account behind it, with the same name check.
    let demo2 = demo_customer(2);
    let fields = Fields::new_payee(a1, &demo2.card_no, &b_name, "10", &fresh_key(&me).await);
    let confirmation = preview(&me, &fields).await;
    assert_eq!(confirmation.status(), 200, "a card number is a payee's number too");
    let confirmation: Value = confirmation.json().await.expect("a confirmation");
    assert_eq!(confirmation["to_masked"], app::types::mask_number(&demo2.account_no));
    let fields = Fields::new_payee(a1, &demo2.card_no, &wrong_name, "10", &fresh_key(&me).await);
    expect_error(preview(&me, &fields).await, "payee_mismatch").await;
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 4. Limits per tier.
// ---------------------------------------------------------------------------------

async fn a_type_three_account_stops_at_its_daily_limit(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let t3 = open_demand(&srv, 1, A1_TYPE3, 3, 5_000_00).await;
    let a2 = open_demand(&srv, 1, A1_SECOND, 1, 0).await;
    let b = open_demand(&srv, 2, B_MAIN, 1, 0).await;
    let me = signed_in(&srv, "demo1").await;
    let secret = set_up_totp(&srv, &me).await;
    let b_name = demo_customer(2).full_name;

    // The first payment saves the payee (with the code).
    let first = Fields::new_payee(t3, B_MAIN, &b_name, "1500", &fresh_key(&me).await);
    let confirmation = me.json("transfer_preview", &borrowed(&first.pairs())).await;
    assert_eq!(confirmation["daily_limit_left"]["minor"], 2_000_00, "Type III: ¥2,000 a day");
    sent(make_with_code(&me, &first, &code_at_step(&secret, now_step(&srv))).await).await;
    let payee = me.json("payees", &[]).await[0]["id"].as_i64().expect("saved");

    let limit_left = |form: &Value| {
        form["from"].as_array().unwrap().iter().find(|a| a["id"] == t3).unwrap()["limit_left_today"]["minor"].clone()
    };
    assert_eq!(limit_left(&me.json("transfer_form", &[]).await), 500_00);

    let over = Fields::payee(t3, payee, "500.01", &fresh_key(&me).await);
    expect_error(preview(&me, &over).await, "daily_limit_exceeded").await;
    expect_error(make(&me, &over).await, "daily_limit_exceeded").await;
    let (_, html) = post_without_js(&me, &over, None).await;
    assert!(element(&html, "xfer-amount-error").contains(&zh(ErrorCode::DailyLimitExceeded)));

    let (_, receipt) = sent(make(&me, &Fields::payee(t3, payee, "500", &fresh_key(&me).await)).await).await;
    assert_eq!(receipt["daily_limit_left"]["minor"], 0);
    expect_error(make(&me, &Fields::payee(t3, payee, "0.01", &fresh_key(&me).await)).await, "daily_limit_exceeded")
        .await;
    assert_eq!(limit_left(&me.json("transfer_form", &[]).await), 0);

    // Moves to one's own account do not count against the limit.
    let (_, receipt) = sent(make(&me, &Fields::own(t3, a2, "1000", &fresh_key(&me).await)).await).await;
    assert_eq!(receipt["daily_limit_left"]["minor"], 0, "the receipt tells what is really left");
    let number = receipt["receipt_no"].as_str().unwrap();
    assert_eq!(me.json("transfer_receipt", &[("receipt_no", number)]).await, receipt);

    // The next day in the bank's zone, the limit is back (a new session: the old one idled out).
    srv.clock.advance_seconds(24 * 3600);
    let me = Browser::new(&srv);
    assert_eq!(success_to(login(&me, "demo1", DEMO_PASSWORD).await).await, "/login/verify");
    assert_eq!(success_to(verify(&me, &code_at_step(&secret, now_step(&srv))).await).await, "/accounts");
    assert_eq!(limit_left(&me.json("transfer_form", &[]).await), 2_000_00);
    sent(make(&me, &Fields::payee(t3, payee, "1000", &fresh_key(&me).await)).await).await;

    assert_eq!(balance(&srv, b).await, 3_000_00);
    assert_eq!(balance(&srv, a2).await, 1_000_00);
    assert_eq!(balance(&srv, t3).await, 1_000_00);
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// 5. Ownership.
// ---------------------------------------------------------------------------------

async fn receipts_and_payees_are_their_owners_only(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a1 = open_demand(&srv, 1, A1_MAIN, 1, 10_000_00).await;
    let a1_second = open_demand(&srv, 1, A1_SECOND, 1, 0).await;
    let b = open_demand(&srv, 2, B_MAIN, 1, 1_00).await;
    let a_id = customer_id(&srv, 1).await;
    let a = signed_in(&srv, "demo1").await;
    let secret = set_up_totp(&srv, &a).await;
    let fields = Fields::new_payee(a1, B_MAIN, &demo_customer(2).full_name, "88", &fresh_key(&a).await);
    let (_, receipt) = sent(make_with_code(&a, &fields, &code_at_step(&secret, now_step(&srv))).await).await;
    let number = receipt["receipt_no"].as_str().unwrap().to_owned();
    let payee = a.json("payees", &[]).await[0]["id"].as_i64().unwrap();

    let intruder = signed_in(&srv, "demo2").await;
    expect_error(intruder.call("transfer_receipt", &[("receipt_no", &number)]).await, "not_found").await;
    let html = page(&intruder, &format!("/transfer/receipt/{number}")).await;
    assert!(!html.contains("¥88.00") && html.contains(&zh(ErrorCode::NotFound)), "the page shows nothing of it");
    assert_eq!(intruder.json("payees", &[]).await, serde_json::json!([]));
    let id = payee.to_string();
    expect_error(intruder.call("payee_rename", &[("id", &id), ("nickname", "mine")]).await, "not_found").await;
    expect_error(intruder.call("payee_delete", &[("id", &id)]).await, "not_found").await;
    // Paying from, to, or through another customer's things.
    let key = fresh_key(&intruder).await;
    for foreign in
        [Fields::own(a1, b, "1", &key), Fields::own(b, a1_second, "1", &key), Fields::payee(b, payee, "1", &key)]
    {
        expect_error(preview(&intruder, &foreign).await, "not_found").await;
        expect_error(make(&intruder, &foreign).await, "not_found").await;
    }
    let anonymous = Browser::new(&srv);
    expect_error(anonymous.call("transfer_form", &[]).await, "unauthenticated").await;
    expect_error(anonymous.call("transfer_receipt", &[("receipt_no", &number)]).await, "unauthenticated").await;

    // The owner renames and deletes (without the WASM, from the payees page).
    let html = page(&a, "/payees").await;
    assert!(html.contains(&demo_customer(2).full_name) && html.contains("6299 **** **** 0021"));
    let response = a.form("payee_rename", &[("id", &id), ("nickname", "老王")], "/payees").await;
    assert_eq!(location(&response).as_deref(), Some("/payees?renamed=1"));
    assert_eq!(a.json("payees", &[]).await[0]["nickname"], "老王");
    let too_long = "长".repeat(21);
    expect_error(a.call("payee_rename", &[("id", &id), ("nickname", &too_long)]).await, "bad_request").await;
    let response = a.form("payee_delete", &[("id", &id)], "/payees").await;
    assert_eq!(location(&response).as_deref(), Some("/payees?deleted=1"));
    assert_eq!(a.json("payees", &[]).await, serde_json::json!([]));
    let removed =
        count(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = 'payee_removed' AND customer_id = $1", a_id);
    assert_eq!(removed.await, 1);
    assert_eq!(balance(&srv, b).await, 89_00, "the intruder moved nothing");
    chain_intact(&srv).await;
    srv.stop().await.unwrap();
}
