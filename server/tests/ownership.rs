//! Every object is looked up through its owner: customer B asking for any of
//! customer A's accounts, transactions, statements, CSV exports, payees, receipts,
//! deposits or notices by id gets "not found" — the same answer as for an id that
//! does not exist, so B cannot even learn that A's ids are real. One test walks every
//! server function (and the CSV route and the account page) that takes such an id,
//! on SQLite and PostgreSQL, and then checks that nothing of A's changed.
mod support;

use app::backend::auth::CustomerChange;
use app::backend::ledger::transfer::{transfer, Destination, StepUp, TransferRequest};
use app::backend::seed::{demo_customer, DEMO_PASSWORD};
use app::types::{Amount, IdempotencyKey, Money};
use support::browser::*;
use support::{Backend, TestServer};

on_both_backends!(another_customers_ids_are_not_found_anywhere);

struct Holdings {
    customer_id: i64,
    demand: i64,
    accounts: Vec<i64>,
    time_deposit: i64,
    notice_deposit: i64,
    installment: i64,
}

async fn holdings(srv: &TestServer, n: u32) -> Holdings {
    let pool = srv.state.db.pool();
    let customer_id: i64 = sqlx::query_scalar("SELECT id FROM customers WHERE customer_no = $1")
        .bind(demo_customer(n).customer_no)
        .fetch_one(pool)
        .await
        .expect("demo customer");
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, kind FROM accounts WHERE customer_id = $1 ORDER BY id")
        .bind(customer_id)
        .fetch_all(pool)
        .await
        .expect("accounts");
    let first = |kind: &str| rows.iter().find(|(_, k)| k == kind).map(|(id, _)| *id).unwrap_or(-1);
    Holdings {
        customer_id,
        demand: first("demand_deposit"),
        accounts: rows.iter().map(|(id, _)| *id).collect(),
        time_deposit: first("time_deposit"),
        notice_deposit: first("notice_deposit"),
        installment: first("installment_savings"),
    }
}

fn key() -> String {
    IdempotencyKey::generate().as_str().to_owned()
}

/// A's state that B must not be able to touch: balances, payees, notices, deposit choices.
async fn snapshot(srv: &TestServer, customer_id: i64) -> String {
    let pool = srv.state.db.pool();
    let accounts: Vec<(i64, i64, String, Option<String>)> =
        sqlx::query_as("SELECT id, balance, status, at_maturity FROM accounts WHERE customer_id = $1 ORDER BY id")
            .bind(customer_id)
            .fetch_all(pool)
            .await
            .expect("accounts");
    let payees: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, nickname FROM payees WHERE customer_id = $1 ORDER BY id")
            .bind(customer_id)
            .fetch_all(pool)
            .await
            .expect("payees");
    let notices: Vec<(i64, String)> = sqlx::query_as(
        "SELECT n.id, n.status FROM deposit_notices n JOIN accounts a ON a.id = n.account_id \
         WHERE a.customer_id = $1 ORDER BY n.id",
    )
    .bind(customer_id)
    .fetch_all(pool)
    .await
    .expect("notices");
    format!("{accounts:?} {payees:?} {notices:?}")
}

async fn another_customers_ids_are_not_found_anywhere(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = holdings(&srv, 1).await;
    let b_own = holdings(&srv, 2).await;
    for (what, id) in
        [("demand", a.demand), ("time", a.time_deposit), ("notice", a.notice_deposit), ("installment", a.installment)]
    {
        assert!(id > 0, "demo1 holds a {what} deposit");
    }

    // A's objects: a saved payee, a receipt, a pending notice.
    let pool = srv.state.db.pool();
    let payee_id: i64 = sqlx::query_scalar(
        "INSERT INTO payees (customer_id, account_no, holder_name, created_at) VALUES ($1, '6000000000000000999', '某人', 0) \
         RETURNING id",
    )
    .bind(a.customer_id)
    .fetch_one(pool)
    .await
    .expect("payee");
    let demo2 = demo_customer(2);
    let b_account_no: String = sqlx::query_scalar("SELECT account_no FROM accounts WHERE id = $1")
        .bind(b_own.demand)
        .fetch_one(pool)
        .await
        .expect("demo2's account");
    let request = TransferRequest {
        from: a.demand,
        to: Destination::Other { account_no: b_account_no, holder_name: demo2.full_name.clone() },
        amount: Amount::new(Money::yuan(12)).expect("amount"),
        memo: "午饭".into(),
        key: IdempotencyKey::generate(),
        save_payee: false,
    };
    let who = CustomerChange { customer_id: a.customer_id, credential_id: 0, on_behalf_of: None };
    let receipt = transfer(&srv.state, &who, &request, StepUp::Fresh, "").await.expect("A's transfer");
    let notice_id: i64 = sqlx::query_scalar(
        "INSERT INTO deposit_notices (account_id, amount, given_on, due_on, created_at) \
         VALUES ($1, 100, '2026-11-29', '2026-12-06', 0) RETURNING id",
    )
    .bind(a.notice_deposit)
    .fetch_one(pool)
    .await
    .expect("notice");
    let before = snapshot(&srv, a.customer_id).await;

    let b = Browser::new(&srv);
    ok(login(&b, "demo2", DEMO_PASSWORD).await).await;
    let mut walked = 0;
    let mut refuse = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        walked += 1;
        let b = &b;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, code) = error_of(b.call(endpoint, &pairs).await).await;
            assert_eq!((status.as_u16(), code.as_str()), (404, "not_found"), "/api/{endpoint} {form:?}");
        }
    };

    for id in &a.accounts {
        let id = id.to_string();
        refuse("account", vec![("id", id.clone())]).await;
        refuse("transactions", vec![("id", id.clone())]).await;
        refuse("balance_chart", vec![("id", id.clone())]).await;
        refuse("statement", vec![("id", id.clone())]).await;
    }
    let (a_demand, b_demand) = (a.demand.to_string(), b_own.demand.to_string());
    let transfer_fields = |from: &str, to: String| {
        vec![
            ("from", from.to_owned()),
            ("to", to),
            ("amount", "1.00".to_owned()),
            ("memo", String::new()),
            ("idempotency_key", key()),
        ]
    };
    for endpoint in ["transfer_preview", "transfer_make"] {
        refuse(endpoint, transfer_fields(&a_demand, format!("own:{b_demand}"))).await;
        refuse(endpoint, transfer_fields(&b_demand, format!("own:{a_demand}"))).await;
        refuse(endpoint, transfer_fields(&b_demand, format!("payee:{payee_id}"))).await;
    }
    refuse("transfer_receipt", vec![("receipt_no", receipt.receipt_no.clone())]).await;
    refuse("payee_delete", vec![("id", payee_id.to_string())]).await;
    refuse("payee_rename", vec![("id", payee_id.to_string()), ("nickname", "mine".into())]).await;

    let deposit_fields = |from: &str| {
        vec![
            ("product", "TD-1Y".to_owned()),
            ("from", from.to_owned()),
            ("amount", "100.00".to_owned()),
            ("at_maturity", "pay_out".to_owned()),
            ("key", key()),
        ]
    };
    refuse("deposit_quote", deposit_fields(&a_demand)).await;
    refuse("deposit_open", deposit_fields(&a_demand)).await;
    let td = a.time_deposit.to_string();
    refuse("deposit_opened", vec![("account_id", td.clone())]).await;
    refuse("deposit_at_maturity", vec![("account_id", td.clone()), ("at_maturity", "renew".into())]).await;
    refuse("deposit_withdraw_early", vec![("account_id", td.clone()), ("key", key())]).await;
    refuse(
        "deposit_notice",
        vec![("account_id", a.notice_deposit.to_string()), ("amount", "10.00".into()), ("key", key())],
    )
    .await;
    refuse("deposit_notice_cancel", vec![("notice_id", notice_id.to_string())]).await;
    refuse(
        "deposit_installment",
        vec![("account_id", a.installment.to_string()), ("from", b_demand.clone()), ("key", key())],
    )
    .await;
    refuse(
        "deposit_installment",
        vec![
            ("account_id", b_own.installment.max(a.installment).to_string()),
            ("from", a_demand.clone()),
            ("key", key()),
        ],
    )
    .await;
    assert!(walked >= 4 * a.accounts.len() + 18, "every id-taking server function was walked");

    // The plain routes: the CSV export and the server-rendered pages of A's objects.
    let csv = b.http.get(format!("{}/accounts/{}/export.csv", b.base, a.demand)).send().await.expect("GET");
    assert_eq!(csv.status().as_u16(), 404, "B exports A's account");
    let a_name = demo_customer(1).full_name;
    for path in [
        format!("/accounts/{}", a.demand),
        format!("/accounts/{}/statement", a.demand),
        format!("/transfer/receipt/{}", receipt.receipt_no),
    ] {
        let body = b.http.get(format!("{}{path}", b.base)).send().await.expect("GET").text().await.unwrap_or_default();
        assert!(body.contains(&zh_not_found()), "{path} does not say not found");
        for secret in [a_name.as_str(), "午饭", receipt.amount.display().as_str()] {
            assert!(!body.contains(secret), "{path} shows B something of A's: {secret}");
        }
    }

    assert_eq!(snapshot(&srv, a.customer_id).await, before, "B's calls changed something of A's");
    srv.stop().await.expect("stops");
}

fn zh_not_found() -> String {
    app::i18n::Locale::ZhCn.text(app::error::ErrorCode::NotFound.message_key()).to_owned()
}
