//! Deposits and the daily job, on SQLite and PostgreSQL: `server run-daily` run
//! twice for a day pays the quarterly interest once; that interest is the 积数
//! (sum of daily closing balances) formula worked by hand; a time deposit matures
//! once (paid out, or renewed at the rate of the day); a notice falls due and is
//! paid once; opening a time deposit with one key twice opens one deposit, and
//! without the money opens none; another customer's ids are not found; the pages
//! and forms work without the WASM; the ledger verifies sound afterwards.
//!
//! The fixtures are customers of their own, made here with SQL and
//! `app::backend::ledger::post`, so the demo data can change without moving them.
mod support;

use app::backend::ledger::daily::{self, run_daily};
use app::backend::ledger::internal::Internal;
use app::backend::ledger::{post, verify, Entry, Line};
use app::backend::seed::DEMO_PASSWORD;
use app::types::Day;
use serde_json::Value;
use std::process::Command;
use support::browser::*;
use support::{Backend, TestServer, TEST_NOW};

on_both_backends!(
    run_daily_binary_twice_pays_the_quarterly_interest_once,
    quarterly_interest_is_the_hand_computed_accrual,
    time_deposits_mature_once_paid_out_or_renewed,
    a_notice_falls_due_and_is_paid_once,
    opening_is_idempotent_and_needs_the_money,
    early_withdrawal_pays_demand_interest_and_closes,
    installment_months_paid_and_missed,
    another_customers_ids_are_not_found,
    deposit_pages_and_forms_work_without_the_wasm,
    startup_catches_up_missed_days_by_the_injected_clock,
);

const BIN: &str = env!("CARGO_BIN_EXE_server");

// ---------------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------------

struct Customer {
    id: i64,
    username: String,
    demand: i64,
}

fn day(s: &str) -> Day {
    Day::parse(s).expect("day")
}

async fn scalar(srv: &TestServer, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn balance(srv: &TestServer, account: i64) -> i64 {
    scalar(srv, "SELECT balance FROM accounts WHERE id = $1", account).await
}

async fn postings_of(srv: &TestServer, account: i64) -> i64 {
    scalar(srv, "SELECT COUNT(*) FROM postings WHERE account_id = $1", account).await
}

async fn all_postings(srv: &TestServer) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM postings").fetch_one(srv.state.db.pool()).await.expect("count")
}

async fn text(srv: &TestServer, sql: &str, id: i64) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>(sql).bind(id).fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn demand_rate(srv: &TestServer) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT rate_bp FROM products WHERE code = 'DD-CNY'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("rate")
}

async fn sound(srv: &TestServer) {
    let report = verify::verify(&srv.state.db).await.expect("verify");
    assert!(report.is_sound(), "ledger unsound: {report:?}");
}

/// A customer `tag` with a log-in and an empty Type II demand account opened on
/// 2026-09-21, accrued through the day before (as the seed leaves its accounts).
async fn customer(srv: &TestServer, tag: u32) -> Customer {
    let db = &srv.state.db;
    let hash = srv.state.hasher.hash(DEMO_PASSWORD).await.expect("hash");
    let mut tx = db.begin_write().await.expect("tx");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, created_at) \
         VALUES ($1, $2, '123456', $3, (SELECT id FROM branches WHERE code = 'B001'), $4) RETURNING id",
    )
    .bind(format!("D{tag:08}"))
    .bind(format!("存款客户{tag}"))
    .bind(format!("1370000{tag:04}"))
    .bind(TEST_NOW.micros())
    .fetch_one(&mut *tx)
    .await
    .expect("customer");
    let username = format!("dep{tag}");
    sqlx::query(
        "INSERT INTO credentials (principal_kind, principal_id, username, password_hash, created_at, updated_at) \
         VALUES ('customer', $1, $2, $3, $4, $4)",
    )
    .bind(id)
    .bind(&username)
    .bind(&hash)
    .bind(TEST_NOW.micros())
    .execute(&mut *tx)
    .await
    .expect("credential");
    let demand: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (account_no, customer_id, product_code, kind, tier, opened_on, opened_at, \
         accrued_through) VALUES ($1, $2, 'DD-CNY', 'demand_deposit', 2, '2026-09-21', $3, '2026-09-20') RETURNING id",
    )
    .bind(format!("60990000{tag:011}"))
    .bind(id)
    .bind(TEST_NOW.micros())
    .fetch_one(&mut *tx)
    .await
    .expect("demand");
    tx.commit().await.expect("commit");
    Customer { id, username, demand }
}

/// Cash in (positive) or out (negative) of `account`, value-dated `date`.
async fn cash(srv: &TestServer, account: i64, date: &str, amount: i64) {
    let db = &srv.state.db;
    let mut tx = db.begin_write().await.expect("tx");
    let clearing = Internal::Clearing.id(&mut tx).await.expect("clearing");
    let entry = Entry {
        kind: "cash",
        reference: None,
        memo: String::new(),
        value_date: day(date),
        lines: vec![
            Line { account_id: account, amount, counterparty: "柜台".into() },
            Line { account_id: clearing, amount: -amount, counterparty: String::new() },
        ],
    };
    post(&mut tx, db.backend(), &entry, TEST_NOW).await.expect("post");
    tx.commit().await.expect("commit");
}

/// Another deposit account of `c`'s, linked to the demand account.
async fn deposit_account(
    srv: &TestServer,
    c: &Customer,
    no: &str,
    product: &str,
    kind: &str,
    extra: &[(&str, i64)],
) -> i64 {
    let mut cols =
        vec!["account_no", "customer_id", "product_code", "kind", "opened_on", "opened_at", "linked_account_id"];
    let mut vals: Vec<String> = (1..=7).map(|i| format!("${i}")).collect();
    for (i, (col, _)) in extra.iter().enumerate() {
        cols.push(col);
        vals.push(format!("${}", 8 + i));
    }
    let (opened, maturity) =
        if kind == "installment_savings" { ("2026-08-10", Some("2027-08-10")) } else { ("2026-09-21", None) };
    if let Some(m) = maturity {
        cols.push("maturity_date");
        vals.push(format!("'{m}'"));
    }
    let sql = format!("INSERT INTO accounts ({}) VALUES ({}) RETURNING id", cols.join(", "), vals.join(", "));
    let mut q = sqlx::query_scalar::<_, i64>(&sql)
        .bind(no.to_owned())
        .bind(c.id)
        .bind(product.to_owned())
        .bind(kind.to_owned())
        .bind(opened.to_owned())
        .bind(TEST_NOW.micros())
        .bind(c.demand);
    for (_, v) in extra {
        q = q.bind(*v);
    }
    q.fetch_one(srv.state.db.pool()).await.expect("account")
}

async fn signed_in(srv: &TestServer, c: &Customer) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, &c.username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{} is signed in", c.username);
    b
}

fn minor(v: &Value) -> i64 {
    v["minor"].as_i64().unwrap_or_else(|| panic!("money expected: {v}"))
}

/// A fresh idempotency key, as the form would carry it.
fn key(n: u32) -> String {
    format!("test-key-{n:08}-abcdef")
}

/// `(base × rate) / (10000 × 360)`, half-up: the quarterly interest by hand.
fn by_hand(base: i64, rate_bp: i64) -> i64 {
    (base * rate_bp + 1_800_000) / 3_600_000
}

/// The demand history both interest tests use: ¥10,000 on 09-21, +¥5,000 on 10-15,
/// −¥3,000 on 11-10. The 积数 from 09-21 through 12-20 (91 days):
/// 24 days × ¥10,000 + 26 days × ¥15,000 + 41 days × ¥12,000.
const HAND_BASE: i64 = 24 * 1_000_000 + 26 * 1_500_000 + 41 * 1_200_000;

async fn history(srv: &TestServer, c: &Customer) {
    cash(srv, c.demand, "2026-09-21", 1_000_000).await;
    cash(srv, c.demand, "2026-10-15", 500_000).await;
    cash(srv, c.demand, "2026-11-10", -300_000).await;
}

fn run_binary(srv: &TestServer, date: &str) -> String {
    let output = Command::new(BIN)
        .args(["run-daily", "--date", date])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("DATABASE_URL", &srv.database.url)
        .output()
        .expect("run server");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "run-daily failed: {stdout} {}", String::from_utf8_lossy(&output.stderr));
    stdout
}

// ---------------------------------------------------------------------------------
// The daily job.
// ---------------------------------------------------------------------------------

async fn run_daily_binary_twice_pays_the_quarterly_interest_once(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, 1).await;
    history(&srv, &c).await;
    let expected = by_hand(HAND_BASE, demand_rate(&srv).await);
    assert!(expected > 0);
    let postings_before = postings_of(&srv, c.demand).await;

    let first = run_binary(&srv, "2026-12-21");
    assert!(first.starts_with("2026-12-21: "), "{first}");
    assert!(first.contains("interest payment"), "{first}");
    assert_eq!(postings_of(&srv, c.demand).await, postings_before + 1, "one interest posting");
    assert_eq!(balance(&srv, c.demand).await, 1_200_000 + expected);
    let reference = format!("interest:2026-12-21:{}", c.demand);
    let entries =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM journal_entries WHERE ref = $1 AND kind = 'interest'")
            .bind(&reference)
            .fetch_one(srv.state.db.pool())
            .await
            .expect("entries");
    assert_eq!(entries, 1);
    let base_after = scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await;
    // The 21st is the first day of the new period, with the interest in its balance.
    assert_eq!(base_after, 1_200_000 + expected);
    let everything = all_postings(&srv).await;

    let second = run_binary(&srv, "2026-12-21");
    assert!(second.starts_with("2026-12-21: 0 interest payments"), "{second}");
    assert_eq!(all_postings(&srv).await, everything, "the second run posts nothing");
    assert_eq!(balance(&srv, c.demand).await, 1_200_000 + expected);
    assert_eq!(scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await, base_after);
    let runs = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM daily_runs WHERE run_date = '2026-12-21'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("runs");
    assert_eq!(runs, 1);
    sound(&srv).await;
}

async fn quarterly_interest_is_the_hand_computed_accrual(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let c = customer(&srv, 2).await;
    history(&srv, &c).await;
    let rate = demand_rate(&srv).await;

    // Day by day, as the job runs while serving; a transfer of ¥1,000 arrives on 12-05.
    let mut date = day("2026-11-28");
    run_daily(db, date, TEST_NOW).await.expect("run");
    assert_eq!(
        text(&srv, "SELECT accrued_through FROM accounts WHERE id = $1", c.demand).await.as_deref(),
        Some("2026-11-28")
    );
    // 09-21..11-28: 24 × 10,000 + 26 × 15,000 + 19 × 12,000
    let so_far = 24 * 1_000_000 + 26 * 1_500_000 + 19 * 1_200_000;
    assert_eq!(scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await, so_far);
    // Running the same day again adds nothing.
    let again = run_daily(db, date, TEST_NOW).await.expect("run");
    assert_eq!(again.accounts_accrued, 0);
    assert_eq!(scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await, so_far);

    let mut paid = 0;
    while date < day("2026-12-21") {
        date = date.plus_days(1);
        if date == day("2026-12-05") {
            cash(&srv, c.demand, "2026-12-05", 100_000).await;
        }
        let report = run_daily(db, date, TEST_NOW).await.expect("run");
        if date < day("2026-12-21") {
            assert_eq!(balance(&srv, c.demand).await, if date < day("2026-12-05") { 1_200_000 } else { 1_300_000 });
        }
        paid += report.interest_payments;
    }
    assert!(paid >= 1);
    // 12-05..12-20 (16 days) held ¥1,000 more.
    let base = HAND_BASE + 16 * 100_000;
    let expected = by_hand(base, rate);
    assert_eq!(balance(&srv, c.demand).await, 1_300_000 + expected, "interest on a 积数 of {base}");
    let paid_amount = sqlx::query_scalar::<_, i64>(
        "SELECT p.amount FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
         WHERE p.account_id = $1 AND j.kind = 'interest' AND j.ref = $2 AND j.value_date = '2026-12-21'",
    )
    .bind(c.demand)
    .bind(format!("interest:2026-12-21:{}", c.demand))
    .fetch_one(db.pool())
    .await
    .expect("interest posting");
    assert_eq!(paid_amount, expected);
    assert_eq!(scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await, 1_300_000 + expected);

    // A later day in the new quarter adds one day's closing balance, pays nothing.
    let next = run_daily(db, day("2026-12-22"), TEST_NOW).await.expect("run");
    assert_eq!(next.interest_payments, 0);
    assert_eq!(
        scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await,
        2 * (1_300_000 + expected)
    );
    sound(&srv).await;
}

async fn time_deposits_mature_once_paid_out_or_renewed(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let c = customer(&srv, 3).await;
    cash(&srv, c.demand, "2026-11-01", 5_000_000).await;
    let b = signed_in(&srv, &c).await;
    let demand = c.demand.to_string();
    let open = |product: &'static str, at: &'static str, k: u32| {
        let b = &b;
        let demand = demand.clone();
        async move {
            b.json(
                "deposit_open",
                &[
                    ("product", product),
                    ("from", &demand),
                    ("amount", "10,000.00"),
                    ("at_maturity", at),
                    ("key", &key(k)),
                ],
            )
            .await
        }
    };
    let paying = open("TD-3M", "pay_out", 1).await;
    let renewing = open("TD-3M", "renew", 2).await;
    let pay_id = paying["account_id"].as_i64().expect("id");
    let renew_id = renewing["account_id"].as_i64().expect("id");
    // 2026-11-29 + 3 months: 2027-02-28 (February has no 29th in 2027).
    assert_eq!(paying["maturity_date"], "2027-02-28");
    let rate: i64 = sqlx::query_scalar("SELECT rate_bp FROM products WHERE code = 'TD-3M'")
        .fetch_one(db.pool())
        .await
        .expect("rate");
    let interest = (1_000_000 * rate * 3 + 60_000) / 120_000;
    assert_eq!(minor(&paying["interest_at_maturity"]), interest);
    assert_eq!(balance(&srv, c.demand).await, 5_000_000 - 2_000_000);

    // The day before: nothing of these two.
    run_daily(db, day("2027-02-27"), TEST_NOW).await.expect("run");
    assert_eq!((balance(&srv, pay_id).await, balance(&srv, renew_id).await), (1_000_000, 1_000_000));
    // (The demand account earned its own quarterly interest on 12-21 meanwhile.)
    let demand_before = balance(&srv, c.demand).await;
    assert!(demand_before >= 3_000_000);

    let report = run_daily(db, day("2027-02-28"), TEST_NOW).await.expect("run");
    assert!(report.maturities_paid_out >= 1, "{report:?}");
    assert_eq!(balance(&srv, c.demand).await, demand_before + 1_000_000 + interest);
    assert_eq!(balance(&srv, pay_id).await, 0);
    assert_eq!(text(&srv, "SELECT status FROM accounts WHERE id = $1", pay_id).await.as_deref(), Some("closed"));
    // Renewed: interest capitalised, a new term, the product's rate of the day.
    assert_eq!(balance(&srv, renew_id).await, 1_000_000 + interest);
    assert_eq!(
        text(&srv, "SELECT maturity_date FROM accounts WHERE id = $1", renew_id).await.as_deref(),
        Some("2027-05-28")
    );
    assert_eq!(
        scalar(&srv, "SELECT original_amount FROM accounts WHERE id = $1", renew_id).await,
        1_000_000 + interest
    );
    assert_eq!(text(&srv, "SELECT status FROM accounts WHERE id = $1", renew_id).await.as_deref(), Some("active"));
    // Paid out: principal and interest, on the demand account, once.
    let maturity_in: i64 = sqlx::query_scalar(
        "SELECT CAST(SUM(p.amount) AS BIGINT) FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
         WHERE p.account_id = $1 AND j.kind = 'maturity'",
    )
    .bind(c.demand)
    .fetch_one(db.pool())
    .await
    .expect("sum");
    assert_eq!(maturity_in, 1_000_000 + interest);

    let everything = all_postings(&srv).await;
    let again = run_daily(db, day("2027-02-28"), TEST_NOW).await.expect("run");
    assert_eq!((again.maturities_paid_out, again.maturities_renewed), (0, 0));
    assert_eq!(all_postings(&srv).await, everything, "nothing matures twice");
    run_daily(db, day("2027-03-02"), TEST_NOW).await.expect("run");
    assert_eq!(postings_of(&srv, pay_id).await, 3, "the opening, the interest, the pay-out");
    assert_eq!(balance(&srv, c.demand).await, demand_before + 1_000_000 + interest);
    assert_eq!(balance(&srv, renew_id).await, 1_000_000 + interest);

    // Catch-up: a run for a later day matures what fell due before (the renewed one, 05-28).
    let catch_up = run_daily(db, day("2027-06-01"), TEST_NOW).await.expect("run");
    assert!(catch_up.maturities_renewed >= 1);
    assert_eq!(
        text(&srv, "SELECT maturity_date FROM accounts WHERE id = $1", renew_id).await.as_deref(),
        Some("2027-08-28")
    );
    sound(&srv).await;
}

async fn a_notice_falls_due_and_is_paid_once(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let c = customer(&srv, 4).await;
    let notice = deposit_account(
        &srv,
        &c,
        "60990000000000000104",
        "ND-7D",
        "notice_deposit",
        &[("notice_days", 7), ("rate_bp", 45)],
    )
    .await;
    cash(&srv, notice, "2026-10-01", 2_000_000).await;
    let b = signed_in(&srv, &c).await;
    let id = notice.to_string();

    // More than the deposit holds: refused.
    expect_error(
        b.call("deposit_notice", &[("account_id", &id), ("amount", "20000.01"), ("key", &key(1))]).await,
        "insufficient_funds",
    )
    .await;
    let given = b.json("deposit_notice", &[("account_id", &id), ("amount", "5,000"), ("key", &key(2))]).await;
    assert_eq!(given["due_on"], "2026-12-06", "today + 7 days");
    let notice_id = given["id"].as_i64().expect("id").to_string();
    // The same form again: the same notice, not a second one.
    let replay = b.json("deposit_notice", &[("account_id", &id), ("amount", "5,000"), ("key", &key(2))]).await;
    assert_eq!(replay["id"], given["id"]);
    // A second notice that would go beyond what is left is refused; one that fits is fine.
    expect_error(
        b.call("deposit_notice", &[("account_id", &id), ("amount", "15000.01"), ("key", &key(3))]).await,
        "insufficient_funds",
    )
    .await;
    let other = b.json("deposit_notice", &[("account_id", &id), ("amount", "100"), ("key", &key(4))]).await;
    ok(b.call("deposit_notice_cancel", &[("notice_id", &other["id"].as_i64().expect("id").to_string())]).await).await;
    let view = b.json("deposits", &[]).await;
    let nd = &view["notice_deposits"][0];
    assert_eq!(minor(&nd["available"]), 1_500_000);
    assert_eq!(nd["notices"].as_array().map(Vec::len), Some(2));

    run_daily(db, day("2026-12-05"), TEST_NOW).await.expect("run");
    assert_eq!(balance(&srv, notice).await, 2_000_000, "not yet due");
    let due = run_daily(db, day("2026-12-06"), TEST_NOW).await.expect("run");
    assert!(due.notices_paid >= 1);
    assert_eq!(balance(&srv, notice).await, 1_500_000);
    assert_eq!(
        text(&srv, "SELECT status FROM deposit_notices WHERE id = $1", notice_id.parse().expect("id")).await.as_deref(),
        Some("paid")
    );
    let demand_after = balance(&srv, c.demand).await;
    assert!(demand_after >= 500_000);
    let again = run_daily(db, day("2026-12-06"), TEST_NOW).await.expect("run");
    assert_eq!(again.notices_paid, 0);
    run_daily(db, day("2026-12-07"), TEST_NOW).await.expect("run");
    assert_eq!(balance(&srv, notice).await, 1_500_000);
    let withdrawals: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
         WHERE p.account_id = $1 AND j.kind = 'notice_withdrawal'",
    )
    .bind(c.demand)
    .fetch_one(db.pool())
    .await
    .expect("count");
    assert_eq!(withdrawals, 1);
    // A paid notice cannot be cancelled any more.
    expect_error(b.call("deposit_notice_cancel", &[("notice_id", &notice_id)]).await, "not_found").await;
    sound(&srv).await;
}

// ---------------------------------------------------------------------------------
// Opening, early withdrawal, installments.
// ---------------------------------------------------------------------------------

async fn opening_is_idempotent_and_needs_the_money(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, 5).await;
    cash(&srv, c.demand, "2026-11-01", 1_000_000).await;
    let b = signed_in(&srv, &c).await;
    let demand = c.demand.to_string();
    let form = |amount: &'static str, k: u32| {
        let demand = demand.clone();
        move || {
            vec![
                ("product".to_owned(), "TD-1Y".to_owned()),
                ("from".to_owned(), demand.clone()),
                ("amount".to_owned(), amount.to_owned()),
                ("at_maturity".to_owned(), "renew".to_owned()),
                ("key".to_owned(), key(k)),
            ]
        }
    };
    let call = |fields: Vec<(String, String)>| {
        let b = &b;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            b.call("deposit_open", &pairs).await
        }
    };
    let (srv_ref, cid) = (&srv, c.id);
    let count = move || async move {
        scalar(srv_ref, "SELECT COUNT(*) FROM accounts WHERE customer_id = $1 AND kind = 'time_deposit'", cid).await
    };

    // Not enough money: nothing opens, nothing moves.
    expect_error(call(form("10,000.01", 1)()).await, "insufficient_funds").await;
    assert_eq!(count().await, 0);
    assert_eq!(balance(&srv, c.demand).await, 1_000_000);
    // Below the minimum, or not a product on offer.
    let (status, code) = error_of(call(form("49.99", 2)()).await).await;
    assert_eq!((status.as_u16(), code.as_str()), (400, "bad_request"));
    let mut bad_product = form("100", 3)();
    bad_product[0].1 = "LN-HOUSE".into();
    expect_error(call(bad_product).await, "bad_request").await;

    // The same key twice (a double click, a resent form): one deposit.
    let first: Value = call(form("2,500.00", 4)()).await.json().await.expect("json");
    let second: Value = call(form("2,500.00", 4)()).await.json().await.expect("json");
    assert_eq!(first["account_id"], second["account_id"]);
    assert_eq!(count().await, 1);
    assert_eq!(balance(&srv, c.demand).await, 1_000_000 - 250_000);
    let id = first["account_id"].as_i64().expect("id");
    assert_eq!(balance(&srv, id).await, 250_000);
    assert_eq!(first["maturity_date"], "2027-11-29");
    assert_eq!(text(&srv, "SELECT at_maturity FROM accounts WHERE id = $1", id).await.as_deref(), Some("renew"));
    assert_eq!(scalar(&srv, "SELECT linked_account_id FROM accounts WHERE id = $1", id).await, c.demand);
    // The same key with other content is refused.
    expect_error(call(form("2,600.00", 4)()).await, "idempotency_conflict").await;
    // The failed attempt's key was not used up: it works once the amount fits.
    let retried: Value = call(form("100", 1)()).await.json().await.expect("json");
    assert_ne!(retried["account_id"], first["account_id"]);
    assert_eq!(count().await, 2);

    // Concurrent double submission: still one deposit.
    let (a, b2) = tokio::join!(call(form("300", 5)()), call(form("300", 5)()));
    let a: Value = a.json().await.expect("json");
    let b2: Value = b2.json().await.expect("json");
    assert_eq!(a["account_id"], b2["account_id"]);
    assert_eq!(count().await, 3);
    sound(&srv).await;
}

async fn early_withdrawal_pays_demand_interest_and_closes(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, 6).await;
    cash(&srv, c.demand, "2026-11-01", 2_000_000).await;
    let b = signed_in(&srv, &c).await;
    let demand = c.demand.to_string();
    let opened = b
        .json(
            "deposit_open",
            &[
                ("product", "TD-1Y"),
                ("from", &demand),
                ("amount", "10000"),
                ("at_maturity", "pay_out"),
                ("key", &key(1)),
            ],
        )
        .await;
    let id = opened["account_id"].as_i64().expect("id");
    // As if opened thirty days ago.
    sqlx::query("UPDATE accounts SET opened_on = '2026-10-30' WHERE id = $1")
        .bind(id)
        .execute(srv.state.db.pool())
        .await
        .expect("backdate");
    let view = b.json("deposits", &[]).await;
    let td = view["time_deposits"]
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["id"].as_i64() == Some(id))
        .expect("td")
        .clone();
    let rate = demand_rate(&srv).await;
    let demand_interest = (1_000_000 * rate * 30 + 1_800_000) / 3_600_000;
    assert_eq!(td["early"]["days_held"], 30);
    assert_eq!(minor(&td["early"]["interest_today"]), demand_interest);
    assert!(minor(&td["early"]["interest_at_maturity"]) > demand_interest);
    assert_eq!(td["days_left"], 365);

    let k = key(2);
    let done = b.json("deposit_withdraw_early", &[("account_id", &id.to_string()), ("key", &k)]).await;
    assert_eq!(minor(&done["interest"]), demand_interest);
    let replay = b.json("deposit_withdraw_early", &[("account_id", &id.to_string()), ("key", &k)]).await;
    assert_eq!(replay, done);
    assert_eq!(balance(&srv, id).await, 0);
    assert_eq!(balance(&srv, c.demand).await, 2_000_000 + demand_interest);
    assert_eq!(text(&srv, "SELECT status FROM accounts WHERE id = $1", id).await.as_deref(), Some("closed"));
    // A closed deposit cannot be withdrawn again, nor switched.
    expect_error(
        b.call("deposit_withdraw_early", &[("account_id", &id.to_string()), ("key", &key(3))]).await,
        "account_unavailable",
    )
    .await;
    expect_error(
        b.call("deposit_at_maturity", &[("account_id", &id.to_string()), ("at_maturity", "renew")]).await,
        "account_unavailable",
    )
    .await;
    sound(&srv).await;
}

async fn installment_months_paid_and_missed(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, 7).await;
    cash(&srv, c.demand, "2026-11-01", 100_000).await;
    let inst = deposit_account(
        &srv,
        &c,
        "60990000000000000107",
        "IS-1Y",
        "installment_savings",
        &[("monthly_amount", 50_000), ("rate_bp", 110), ("term_months", 12)],
    )
    .await;
    cash(&srv, inst, "2026-08-10", 50_000).await;
    cash(&srv, inst, "2026-10-12", 50_000).await;
    let b = signed_in(&srv, &c).await;
    let view = b.json("deposits", &[]).await;
    let is = &view["installments"][0];
    assert_eq!(is["paid_months"], 2);
    assert_eq!(is["missed_months"], serde_json::json!(["2026-09"]));
    assert_eq!(is["paid_this_month"], false);
    let pay_key = is["pay_key"].as_str().expect("key").to_owned();
    let form = [("account_id", inst.to_string()), ("from", c.demand.to_string()), ("key", pay_key.clone())];
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(b.call("deposit_installment", &pairs).await).await;
    ok(b.call("deposit_installment", &pairs).await).await;
    assert_eq!(balance(&srv, inst).await, 150_000);
    assert_eq!(balance(&srv, c.demand).await, 50_000);
    let view = b.json("deposits", &[]).await;
    assert_eq!(view["installments"][0]["paid_this_month"], true);
    assert_eq!(view["installments"][0]["paid_months"], 3);
    // Once a month: another key is refused this month.
    let (_, code) = error_of(
        b.call(
            "deposit_installment",
            &[("account_id", &inst.to_string()), ("from", &c.demand.to_string()), ("key", &key(9))],
        )
        .await,
    )
    .await;
    assert_eq!(code, "bad_request");
    // At maturity every deposit earns for its months; everything goes to the demand
    // account (which earned its own quarterly interest by the day before).
    run_daily(&srv.state.db, day("2027-08-09"), TEST_NOW).await.expect("run");
    let demand_before = balance(&srv, c.demand).await;
    assert_eq!(balance(&srv, inst).await, 150_000, "not yet matured");
    let report = run_daily(&srv.state.db, day("2027-08-10"), TEST_NOW).await.expect("run");
    assert!(report.maturities_paid_out >= 1);
    assert_eq!(balance(&srv, inst).await, 0);
    // 08: 12 months, 10: 10 months, 11: 9 months → ¥500 × 31 month-units × 1.10% / 12
    let interest = (50_000 * 31 * 110 + 60_000) / 120_000;
    assert_eq!(balance(&srv, c.demand).await, demand_before + 150_000 + interest);
    sound(&srv).await;
}

async fn another_customers_ids_are_not_found(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let owner = customer(&srv, 8).await;
    let other = customer(&srv, 9).await;
    cash(&srv, owner.demand, "2026-11-01", 1_000_000).await;
    cash(&srv, other.demand, "2026-11-01", 1_000_000).await;
    let notice =
        deposit_account(&srv, &owner, "60990000000000000108", "ND-7D", "notice_deposit", &[("notice_days", 7)]).await;
    cash(&srv, notice, "2026-10-01", 500_000).await;
    let inst = deposit_account(
        &srv,
        &owner,
        "60990000000000000118",
        "IS-1Y",
        "installment_savings",
        &[("monthly_amount", 10_000), ("rate_bp", 110), ("term_months", 12)],
    )
    .await;
    let ob = signed_in(&srv, &owner).await;
    let opened = ob
        .json(
            "deposit_open",
            &[
                ("product", "TD-1Y"),
                ("from", &owner.demand.to_string()),
                ("amount", "1000"),
                ("at_maturity", "renew"),
                ("key", &key(1)),
            ],
        )
        .await;
    let td = opened["account_id"].as_i64().expect("id").to_string();
    let given =
        ob.json("deposit_notice", &[("account_id", &notice.to_string()), ("amount", "100"), ("key", &key(2))]).await;
    let notice_id = given["id"].as_i64().expect("id").to_string();
    let everything = all_postings(&srv).await;

    let b = signed_in(&srv, &other).await;
    let (n, i, od, md) = (notice.to_string(), inst.to_string(), owner.demand.to_string(), other.demand.to_string());
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("deposit_opened", vec![("account_id", &td)]),
        ("deposit_at_maturity", vec![("account_id", &td), ("at_maturity", "pay_out")]),
        ("deposit_withdraw_early", vec![("account_id", &td), ("key", "foreign-key-000001")]),
        ("deposit_notice", vec![("account_id", &n), ("amount", "100"), ("key", "foreign-key-000002")]),
        ("deposit_notice_cancel", vec![("notice_id", &notice_id)]),
        ("deposit_installment", vec![("account_id", &i), ("from", &md), ("key", "foreign-key-000003")]),
        (
            "deposit_open",
            vec![
                ("product", "TD-1Y"),
                ("from", &od),
                ("amount", "100"),
                ("at_maturity", "renew"),
                ("key", "foreign-key-000004"),
            ],
        ),
        (
            "deposit_quote",
            vec![
                ("product", "TD-1Y"),
                ("from", &od),
                ("amount", "100"),
                ("at_maturity", "renew"),
                ("key", "foreign-key-000005"),
            ],
        ),
    ];
    for (endpoint, form) in calls {
        let response = b.call(endpoint, &form).await;
        assert_eq!(response.status(), 404, "{endpoint}");
        expect_error(response, "not_found").await;
    }
    // The other customer's page shows none of it.
    let view = b.json("deposits", &[]).await;
    assert_eq!(view["time_deposits"], serde_json::json!([]));
    assert_eq!(view["notice_deposits"], serde_json::json!([]));
    // Nothing of the owner's changed.
    assert_eq!(all_postings(&srv).await, everything);
    assert_eq!(
        text(&srv, "SELECT at_maturity FROM accounts WHERE id = $1", td.parse().expect("id")).await.as_deref(),
        Some("renew")
    );
    assert_eq!(
        text(&srv, "SELECT status FROM deposit_notices WHERE id = $1", notice_id.parse().expect("id")).await.as_deref(),
        Some("pending")
    );
    // Signed out: nothing at all.
    let anonymous = Browser::new(&srv);
    expect_error(anonymous.call("deposits", &[]).await, "unauthenticated").await;
    sound(&srv).await;
}

// ---------------------------------------------------------------------------------
// Pages without the WASM.
// ---------------------------------------------------------------------------------

async fn get_html(b: &Browser, path: &str) -> String {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

/// The value of the first hidden `key` input in `html`.
fn hidden_key(html: &str) -> String {
    let at = html.find("name=\"key\"").expect("a key input");
    let rest = &html[at..];
    let value = rest.find("value=\"").expect("value") + 7;
    rest[value..value + rest[value..].find('"').expect("end")].to_owned()
}

async fn deposit_pages_and_forms_work_without_the_wasm(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, 10).await;
    cash(&srv, c.demand, "2026-11-01", 1_000_000).await;
    let notice =
        deposit_account(&srv, &c, "60990000000000000110", "ND-7D", "notice_deposit", &[("notice_days", 7)]).await;
    cash(&srv, notice, "2026-10-01", 300_000).await;
    let b = signed_in(&srv, &c).await;

    // Step 1: the form, with a key the server generated in the first HTML.
    let html = get_html(&b, "/deposits/open").await;
    let k = hidden_key(&html);
    assert_eq!(k.len(), 32, "{k}");
    assert!(k.bytes().all(|c| c.is_ascii_hexdigit()));
    assert!(html.contains("TD-5Y") && html.contains("1.35%"), "products with rates");
    // Step 2: the confirmation (a GET of the same page), with maturity date and interest.
    let confirm = format!(
        "/deposits/open?step=confirm&key={k}&product=TD-1Y&from={}&amount=10%2C000.00&at_maturity=pay_out",
        c.demand
    );
    let html = get_html(&b, &confirm).await;
    assert!(html.contains("2027-11-29"), "maturity date on the confirmation");
    assert!(html.contains("¥135.00"), "interest at maturity on the confirmation");
    assert_eq!(hidden_key(&html), k, "the key travels with the choice");
    // Step 3: the plain form post opens it and redirects to the result.
    let form = [
        ("product", "TD-1Y"),
        ("from", &c.demand.to_string()),
        ("amount", "10,000.00"),
        ("at_maturity", "pay_out"),
        ("key", &k),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(a, v)| (*a, *v)).collect();
    let response = b.form("deposit_open", &form, &confirm).await;
    assert!(response.status().is_redirection(), "{}", response.status());
    let to = location(&response).expect("location");
    assert!(to.starts_with("/deposits/open?opened="), "{to}");
    let html = get_html(&b, &to).await;
    assert!(html.contains("2027-11-29") && html.contains("¥10,000.00"));
    // Sent again (the back button and resubmit): the same deposit, no second one.
    let again = b.form("deposit_open", &form, &confirm).await;
    assert_eq!(location(&again).as_deref(), Some(to.as_str()));
    assert_eq!(
        scalar(&srv, "SELECT COUNT(*) FROM accounts WHERE customer_id = $1 AND kind = 'time_deposit'", c.id).await,
        1
    );
    // An error comes back to the page in the URL and is shown there.
    let poor = [
        ("product", "TD-1Y"),
        ("from", &c.demand.to_string()),
        ("amount", "1000000"),
        ("at_maturity", "pay_out"),
        ("key", "another-key-0000001"),
    ];
    let poor: Vec<(&str, &str)> = poor.iter().map(|(a, v)| (*a, *v)).collect();
    let back = b.form("deposit_open", &poor, &confirm).await;
    let back_to = location(&back).expect("location");
    assert!(back_to.contains("__err"), "{back_to}");

    // The deposits page: the new deposit, the switch, the calendar, the notice form.
    let html = get_html(&b, "/deposits").await;
    assert!(html.contains("2027-11-29"));
    assert!(html.contains("name=\"at_maturity\""));
    assert!(html.contains("<caption"), "tables have captions");
    let id: i64 = to.trim_start_matches("/deposits/open?opened=").parse().expect("id");
    let switched =
        b.form("deposit_at_maturity", &[("account_id", &id.to_string()), ("at_maturity", "renew")], "/deposits").await;
    assert!(switched.status().is_redirection());
    assert_eq!(text(&srv, "SELECT at_maturity FROM accounts WHERE id = $1", id).await.as_deref(), Some("renew"));
    let notice_key = {
        let at = html.find(&format!("nd-{notice}")).expect("notice deposit on the page");
        hidden_key(&html[at..])
    };
    let given = b
        .form(
            "deposit_notice",
            &[("account_id", &notice.to_string()), ("amount", "1,000"), ("key", &notice_key)],
            "/deposits",
        )
        .await;
    assert!(given.status().is_redirection());
    let html = get_html(&b, "/deposits").await;
    assert!(html.contains("2026-12-06"), "the pending notice with its due date");
    assert!(html.contains("name=\"notice_id\""), "a cancel form");
    sound(&srv).await;
}

async fn startup_catches_up_missed_days_by_the_injected_clock(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let c = customer(&srv, 11).await;
    cash(&srv, c.demand, "2026-09-21", 1_000_000).await;
    let db = &srv.state.db;
    run_daily(db, day("2026-11-26"), TEST_NOW).await.expect("run");
    // Two days missed (the server was down): the catch-up runs 11-27 and 11-28, in
    // order; today (11-29 in Shanghai) has not ended and is left for tomorrow.
    let baseline = day("2026-11-28");
    // (The server's own job may take a day first: it runs the same catch-up.)
    let reports = server::jobs::run_daily_due(&srv.state, baseline).await.expect("catch up");
    let days: Vec<String> = reports.iter().filter_map(|r| r.date.map(|d| d.to_string())).collect();
    assert!(["2026-11-27", "2026-11-28"].ends_with(&days.iter().map(String::as_str).collect::<Vec<_>>()), "{days:?}");
    assert_eq!(daily::last_run(db).await.expect("last"), Some(day("2026-11-28")));
    assert_eq!(
        text(&srv, "SELECT accrued_through FROM accounts WHERE id = $1", c.demand).await.as_deref(),
        Some("2026-11-28")
    );
    assert!(server::jobs::run_daily_due(&srv.state, baseline).await.expect("again").is_empty());
    // The clock passes midnight in Shanghai (16:00 UTC): 11-29 has ended and runs.
    srv.clock.advance_seconds(17 * 3600);
    let reports = server::jobs::run_daily_due(&srv.state, baseline).await.expect("midnight");
    assert!(reports.iter().all(|r| r.date == Some(day("2026-11-29"))), "{reports:?}");
    // 09-21..11-29 at ¥10,000: 70 days.
    assert_eq!(scalar(&srv, "SELECT accrual_base FROM accounts WHERE id = $1", c.demand).await, 70 * 1_000_000);
    assert_eq!(daily::last_run(db).await.expect("last"), Some(day("2026-11-29")));
    sound(&srv).await;
}
