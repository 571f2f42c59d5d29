//! The customer's account pages over HTTP, on SQLite and PostgreSQL: the overview's
//! totals are the sum of what the customer holds; every history filter narrows the
//! list to exactly the matching postings; keyset pages return every posting once,
//! even while new ones arrive; the CSV export is Excel-ready (BOM, CRLF, quoting,
//! formula guard) and holds the same rows as the filter, across its internal pages;
//! statements and charts add up; another customer's ids are not found anywhere;
//! "hide amounts" hides the figures in the server's first HTML.
//!
//! The fixtures are customers of their own, made here with SQL and
//! `app::backend::ledger::post`, so the demo data can change without moving them.
mod support;

use app::backend::ledger::internal::Internal;
use app::backend::ledger::{post, Entry, Line};
use app::backend::seed::DEMO_PASSWORD;
use app::types::Day;
use serde_json::Value;
use support::browser::*;
use support::{Backend, TestServer, TEST_NOW};

on_both_backends!(
    overview_totals_are_the_sum_of_the_holdings,
    each_filter_narrows_the_history_to_the_matching_postings,
    keyset_pages_return_every_posting_once,
    csv_export_is_excel_ready_and_matches_the_filter,
    csv_export_streams_every_row_of_a_long_history,
    statement_and_charts_add_up,
    another_customers_ids_are_not_found,
    hide_amounts_hides_the_figures_in_the_first_html,
    account_pages_render_without_the_wasm,
);

// ---------------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------------

/// Counterparties and memos that a spreadsheet or a CSV parser could trip on.
const TRICKY: [&str; 5] = ["=cmd|' /C calc'!A0", "+86 138 0000 0000", "@SUM(1+1)", "-2+3", "Wang, Li \"Boss\""];
const TRICKY_MEMO: &str = "rent, \"Nov\"\nsecond line";

struct Customer {
    id: i64,
    username: String,
    demand: i64,
    time: i64,
    card: i64,
    loan: i64,
}

/// One posting of the fixture's demand account, as the database holds it.
#[derive(Clone, Debug)]
struct Posting {
    id: i64,
    date: String,
    amount: i64,
    counterparty: String,
    memo: String,
}

fn day(s: &str) -> Day {
    Day::parse(s).expect("day")
}

async fn scalar_i64(srv: &TestServer, sql: &str, binds: &[i64]) -> i64 {
    let mut q = sqlx::query_scalar::<_, i64>(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(srv.state.db.pool()).await.expect(sql)
}

async fn insert_account(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    customer: i64,
    no: &str,
    product: &str,
    kind: &str,
    extra: &[(&str, i64)],
    maturity: Option<&str>,
) -> i64 {
    let mut cols = vec!["account_no", "customer_id", "product_code", "kind", "opened_on", "opened_at"];
    let mut vals: Vec<String> = (1..=6).map(|i| format!("${i}")).collect();
    for (i, (col, _)) in extra.iter().enumerate() {
        cols.push(col);
        vals.push(format!("${}", 7 + i));
    }
    if maturity.is_some() {
        cols.extend(["maturity_date", "at_maturity"]);
        vals.push(format!("${}", 7 + extra.len()));
        vals.push("'renew'".into());
    }
    let sql = format!("INSERT INTO accounts ({}) VALUES ({}) RETURNING id", cols.join(", "), vals.join(", "));
    let mut q = sqlx::query_scalar::<_, i64>(&sql)
        .bind(no.to_owned())
        .bind(customer)
        .bind(product.to_owned())
        .bind(kind.to_owned())
        .bind("2026-06-01".to_owned())
        .bind(TEST_NOW.micros());
    for (_, v) in extra {
        q = q.bind(*v);
    }
    if let Some(m) = maturity {
        q = q.bind(m.to_owned());
    }
    q.fetch_one(&mut **tx).await.expect("account")
}

async fn entry(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: app::backend::Backend,
    kind: &'static str,
    date: &str,
    memo: &str,
    lines: Vec<(i64, i64, &str)>,
) {
    let entry = Entry {
        kind,
        reference: None,
        memo: memo.to_owned(),
        value_date: day(date),
        lines: lines
            .into_iter()
            .map(|(account_id, amount, counterparty)| Line { account_id, amount, counterparty: counterparty.into() })
            .collect(),
    };
    post(tx, backend, &entry, TEST_NOW).await.expect("post");
}

/// A customer `tag` (a short number) with a log-in, a relationship manager, and a
/// demand account with 61 postings from 2026-08-15 to 2026-11-28, a time deposit,
/// a credit card, a loan, a fund holding and an insurance policy.
async fn customer(srv: &TestServer, tag: u32) -> Customer {
    let db = &srv.state.db;
    let backend = db.backend();
    let hash = srv.state.hasher.hash(DEMO_PASSWORD).await.expect("hash");
    let mut tx = db.begin_write().await.expect("tx");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, created_at, \
         relationship_manager_id) VALUES ($1, $2, '123456', $3, (SELECT id FROM branches WHERE code = 'B002'), $4, \
         (SELECT id FROM staff WHERE staff_no = 'S00004')) RETURNING id",
    )
    .bind(format!("T{tag:08}"))
    .bind(format!("测试客户{tag}"))
    .bind(format!("1390000{tag:04}"))
    .bind(TEST_NOW.micros())
    .fetch_one(&mut *tx)
    .await
    .expect("customer");
    let username = format!("acct{tag}");
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

    let demand =
        insert_account(&mut tx, id, &format!("60000000{tag:011}"), "DD-CNY", "demand_deposit", &[("tier", 2)], None)
            .await;
    sqlx::query(
        "INSERT INTO cards (customer_id, card_no, kind, created_at, account_id) VALUES ($1, $2, 'debit', $3, $4)",
    )
    .bind(id)
    .bind(format!("62179990{tag:08}"))
    .bind(TEST_NOW.micros())
    .bind(demand)
    .execute(&mut *tx)
    .await
    .expect("card");
    let time = insert_account(
        &mut tx,
        id,
        &format!("61000000{tag:011}"),
        "TD-1Y",
        "time_deposit",
        &[("rate_bp", 135), ("term_months", 12), ("original_amount", 1_000_000)],
        Some("2027-06-01"),
    )
    .await;
    let card = insert_account(
        &mut tx,
        id,
        &format!("62000000{tag:011}"),
        "CC-STD",
        "credit_card",
        &[("credit_limit", 2_000_000)],
        None,
    )
    .await;
    let loan = insert_account(
        &mut tx,
        id,
        &format!("63000000{tag:011}"),
        "LN-AGRI",
        "loan",
        &[("original_amount", 5_000_000), ("rate_bp", 360), ("term_months", 24)],
        None,
    )
    .await;
    let clearing = Internal::Clearing.id(&mut tx).await.expect("clearing");
    let settlement = Internal::CardSettlement.id(&mut tx).await.expect("settlement");
    let funding = Internal::LoanFunding.id(&mut tx).await.expect("funding");

    entry(
        &mut tx,
        backend,
        "cash",
        "2026-08-15",
        "Opening deposit",
        vec![(demand, 2_000_000, "柜台现金"), (clearing, -2_000_000, "")],
    )
    .await;
    for i in 0..60_i64 {
        let date = day("2026-09-01").plus_days(i * 88 / 60).to_string();
        if i % 10 == 0 {
            entry(
                &mut tx,
                backend,
                "salary",
                &date,
                "工资",
                vec![(demand, 500_000, "县农机合作社"), (clearing, -500_000, "")],
            )
            .await;
        } else if i % 7 == 0 {
            let who = TRICKY[(i as usize / 7) % TRICKY.len()];
            let amount = 10_000 + i * 100;
            entry(
                &mut tx,
                backend,
                "transfer",
                &date,
                TRICKY_MEMO,
                vec![(demand, -amount, who), (clearing, amount, "")],
            )
            .await;
        } else {
            let amount = i * 137 + 100;
            let shop = format!("Store {}", i % 4);
            let memo = if i % 3 == 0 { "Groceries" } else { "" };
            entry(&mut tx, backend, "bill", &date, memo, vec![(demand, -amount, &shop), (clearing, amount, "")]).await;
        }
    }
    entry(&mut tx, backend, "deposit_open", "2026-06-01", "", vec![(time, 1_000_000, ""), (clearing, -1_000_000, "")])
        .await;
    entry(
        &mut tx,
        backend,
        "card_spend",
        "2026-11-20",
        "",
        vec![(card, -123_456, "Farm supplies"), (settlement, 123_456, "")],
    )
    .await;
    entry(
        &mut tx,
        backend,
        "loan_disbursement",
        "2026-06-01",
        "",
        vec![(loan, -4_321_000, ""), (funding, 4_321_000, "")],
    )
    .await;
    sqlx::query(
        "INSERT INTO fund_holdings (customer_id, product_code, units_milli, nav_e4, nav_date, cost, created_at) \
         VALUES ($1, 'WM-STEADY', 10000000, 12345, '2026-11-27', 1200000, $2)",
    )
    .bind(id)
    .bind(TEST_NOW.micros())
    .execute(&mut *tx)
    .await
    .expect("fund");
    sqlx::query(
        "INSERT INTO insurance_policies (customer_id, product_code, policy_no, insurer_zh, insurer_en, sum_insured, \
         annual_premium, cash_value, start_date, end_date, created_at) \
         VALUES ($1, 'INS-LIFE', $2, '邮政人寿', 'Post Life', 10000000, 360000, 300000, '2024-01-01', '2044-01-01', $3)",
    )
    .bind(id)
    .bind(format!("PL2024{tag:08}"))
    .bind(TEST_NOW.micros())
    .execute(&mut *tx)
    .await
    .expect("policy");
    tx.commit().await.expect("commit");
    Customer { id, username, demand, time, card, loan }
}

/// Every posting of `account`, newest first, as the database holds them.
async fn postings(srv: &TestServer, account: i64) -> Vec<Posting> {
    let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT p.id, p.value_date, p.amount, p.counterparty, j.memo FROM postings p \
         JOIN journal_entries j ON j.id = p.journal_id WHERE p.account_id = $1 ORDER BY p.id DESC",
    )
    .bind(account)
    .fetch_all(srv.state.db.pool())
    .await
    .expect("postings");
    rows.into_iter()
        .map(|(id, date, amount, counterparty, memo)| Posting { id, date, amount, counterparty, memo })
        .collect()
}

async fn signed_in(srv: &TestServer, c: &Customer) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, &c.username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{} is signed in", c.username);
    b
}

async fn get(b: &Browser, path: &str) -> reqwest::Response {
    b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

async fn get_html(b: &Browser, path: &str) -> String {
    let response = get(b, path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.expect("body")
}

fn minor(v: &Value) -> i64 {
    v["minor"].as_i64().unwrap_or_else(|| panic!("money expected: {v}"))
}

/// The history page `transactions` answers, as (posting id) list and next cursor.
async fn page(b: &Browser, account: i64, filter: &[(&str, &str)], after: Option<i64>) -> (Vec<i64>, Option<i64>) {
    let id = account.to_string();
    let after = after.map(|a| a.to_string());
    let mut form: Vec<(&str, &str)> = vec![("id", &id)];
    form.extend_from_slice(filter);
    if let Some(a) = &after {
        form.push(("after", a));
    }
    let json = b.json("transactions", &form).await;
    let ids = json["rows"].as_array().expect("rows").iter().map(|r| r["id"].as_i64().expect("id")).collect();
    (ids, json["next_cursor"].as_i64())
}

/// Every page of the filtered history, following the cursor.
async fn all_pages(b: &Browser, account: i64, filter: &[(&str, &str)]) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let (mut got, next) = page(b, account, filter, after).await;
        ids.append(&mut got);
        match next {
            Some(n) => after = Some(n),
            None => return ids,
        }
    }
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn overview_totals_are_the_sum_of_the_holdings(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;
    let o = b.json("overview", &[]).await;

    let demand = scalar_i64(&srv, "SELECT balance FROM accounts WHERE id = $1", &[a.demand]).await;
    assert_eq!(demand, postings(&srv, a.demand).await.iter().map(|p| p.amount).sum::<i64>());
    let fund = 1_234_500; // 10,000.000 units × 1.2345
    let expected_assets = demand + 1_000_000 + fund + 300_000;
    assert_eq!(minor(&o["total_assets"]), expected_assets, "{o}");
    assert_eq!(minor(&o["total_liabilities"]), 123_456 + 4_321_000);
    assert_eq!(o["amounts_hidden"], false);

    let products = o["products"].as_array().expect("products");
    let kinds: Vec<&str> = products.iter().map(|p| p["kind"].as_str().unwrap_or("")).collect();
    assert_eq!(
        kinds,
        ["demand_deposit", "time_deposit", "credit_card", "loan", "wealth_fund", "insurance"],
        "grouped in product order"
    );
    let sum: i64 = products.iter().map(|p| minor(&p["balance"])).sum();
    assert_eq!(sum, expected_assets - 123_456 - 4_321_000, "the totals are the products' sum");

    let d = &products[0];
    assert_eq!(d["id"].as_i64(), Some(a.demand));
    assert_eq!(d["number_masked"], "6217 **** **** 0001", "the debit card, masked");
    let detail = &d["detail"]["Demand"];
    assert_eq!(detail["tier"], "Two");
    assert_eq!(minor(&detail["daily_limit_left"]), 1_000_000);
    let t = &products[1]["detail"]["Time"];
    assert_eq!(t["rate_bp"], 135);
    assert_eq!(t["maturity_date"], "2027-06-01");
    assert_eq!(t["at_maturity"], "renew");
    let c = &products[2]["detail"]["CreditCard"];
    assert_eq!(minor(&c["available"]), 2_000_000 - 123_456);
    let f = &products[4]["detail"]["Fund"];
    assert_eq!(minor(&f["gain"]), fund - 1_200_000);
    assert_eq!(o["manager"]["name"], "王磊");
    assert_eq!(o["manager"]["phone"], "0571-8800-1002");

    // Today's transfers to others use up the limit shown.
    let mut tx = srv.state.db.begin_write().await.unwrap();
    let clearing = Internal::Clearing.id(&mut tx).await.unwrap();
    let journal: i64 = sqlx::query_scalar(
        "INSERT INTO journal_entries (kind, memo, value_date, created_at) VALUES ('transfer', '', '2026-11-29', $1) \
         RETURNING id",
    )
    .bind(TEST_NOW.micros())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO transfers (receipt_no, customer_id, from_account_id, to_account_id, payee_name, amount, memo, \
         counts_to_limit, local_date, journal_id, created_at) VALUES ('TRX1', $1, $2, $3, 'x', 250000, '', 1, \
         '2026-11-29', $4, $5)",
    )
    .bind(a.id)
    .bind(a.demand)
    .bind(clearing)
    .bind(journal)
    .bind(TEST_NOW.micros())
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let o = b.json("overview", &[]).await;
    assert_eq!(minor(&o["products"][0]["detail"]["Demand"]["daily_limit_left"]), 1_000_000 - 250_000);
}

async fn each_filter_narrows_the_history_to_the_matching_postings(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;
    let all = postings(&srv, a.demand).await;
    assert_eq!(all_pages(&b, a.demand, &[]).await, all.iter().map(|p| p.id).collect::<Vec<_>>());

    type Pred = Box<dyn Fn(&Posting) -> bool>;
    let cases: Vec<(Vec<(&str, &str)>, Pred)> = vec![
        (vec![("from", "2026-10-01")], Box::new(|p| p.date.as_str() >= "2026-10-01")),
        (vec![("to", "2026-09-15")], Box::new(|p| p.date.as_str() <= "2026-09-15")),
        (
            vec![("from", "2026-10-01"), ("to", "2026-10-31")],
            Box::new(|p| p.date.as_str() >= "2026-10-01" && p.date.as_str() <= "2026-10-31"),
        ),
        (vec![("direction", "in")], Box::new(|p| p.amount > 0)),
        (vec![("direction", "out")], Box::new(|p| p.amount < 0)),
        (vec![("min", "50")], Box::new(|p| p.amount.abs() >= 5_000)),
        (vec![("max", "40.00")], Box::new(|p| p.amount.abs() <= 4_000)),
        (vec![("min", "1,000"), ("max", "5000")], Box::new(|p| (100_000..=500_000).contains(&p.amount.abs()))),
        // Case-insensitive on both backends, on the counterparty…
        (vec![("q", "STORE 1")], Box::new(|p| p.counterparty == "Store 1")),
        // …and on the memo.
        (vec![("q", "groceries")], Box::new(|p| p.memo == "Groceries")),
        (vec![("q", "农机")], Box::new(|p| p.counterparty.contains("农机"))),
        // The customer's % is a character, not a wildcard.
        (vec![("q", "%")], Box::new(|_| false)),
        (
            vec![("direction", "out"), ("q", "store"), ("from", "2026-11-01")],
            Box::new(|p| p.amount < 0 && p.counterparty.starts_with("Store") && p.date.as_str() >= "2026-11-01"),
        ),
    ];
    for (filter, pred) in cases {
        let expected: Vec<i64> = all.iter().filter(|p| pred(p)).map(|p| p.id).collect();
        let got = all_pages(&b, a.demand, &filter).await;
        assert_eq!(got, expected, "filter {filter:?}");
        assert!(got.len() < all.len(), "filter {filter:?} narrows the list");
        // Every filter but the literal % finds something in this fixture.
        if filter != [("q", "%")] {
            assert!(!got.is_empty(), "filter {filter:?} finds postings");
        }
    }

    // A wrong field is named.
    for (field, value) in [("from", "2026-02-30"), ("direction", "up"), ("min", "-5"), ("max", "abc")] {
        let id = a.demand.to_string();
        let response = b.call("transactions", &[("id", &id), (field, value)]).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 400);
        assert_eq!(body["code"], "bad_request");
        assert_eq!(body["field"], field);
    }
}

async fn keyset_pages_return_every_posting_once(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;
    let all: Vec<i64> = postings(&srv, a.demand).await.iter().map(|p| p.id).collect();
    assert_eq!(all.len(), 61);

    let (first, next) = page(&b, a.demand, &[], None).await;
    assert_eq!(first.len(), 25, "a page is 25 rows");
    assert_eq!(next, first.last().copied(), "the cursor is the last id shown");

    // New postings arrive between pages: the next pages neither repeat nor skip.
    let mut tx = srv.state.db.begin_write().await.unwrap();
    let clearing = Internal::Clearing.id(&mut tx).await.unwrap();
    entry(
        &mut tx,
        srv.state.db.backend(),
        "salary",
        "2026-11-29",
        "",
        vec![(a.demand, 100, "late"), (clearing, -100, "")],
    )
    .await;
    tx.commit().await.unwrap();

    let mut seen = first.clone();
    let mut after = next;
    let mut pages = 1;
    while let Some(cursor) = after {
        let (mut ids, next) = page(&b, a.demand, &[], Some(cursor)).await;
        assert!(ids.iter().all(|id| *id < cursor), "older than the cursor");
        seen.append(&mut ids);
        after = next;
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all, "every posting exactly once, newest first");

    // The same through the no-WASM page: the "older" link carries the cursor and the filter.
    let html = get_html(&b, &format!("/accounts/{}?direction=out", a.demand)).await;
    let out_first = page(&b, a.demand, &[("direction", "out")], None).await;
    let cursor = out_first.1.expect("more than one page of money out");
    assert!(html.contains(&format!("direction=out&amp;after={cursor}")), "older link keeps the filter");
    for id in &out_first.0 {
        assert!(html.contains(&format!("data-posting=\"{id}\"")), "row {id} rendered");
    }
}

/// Splits a CSV body (after the BOM) into records of fields, honouring quotes.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR is followed by LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, '\n') => panic!("a bare LF ends a record: {text:?}"),
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "the file ends with CRLF");
    records
}

async fn csv_export_is_excel_ready_and_matches_the_filter(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;

    let path = format!("/accounts/{}/export.csv?from=2026-09-01&to=2026-11-28&direction=out", a.demand);
    let response = b.http.get(format!("{}{path}", b.base)).header("accept-language", "en").send().await.unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(header("content-disposition"), "attachment; filename=\"account-0001_2026-09-01_2026-11-28.csv\"");
    assert_eq!(header("cache-control"), "no-store");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 byte-order mark");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let records = parse_csv(text);
    assert_eq!(records[0], ["Date", "Type", "Counterparty", "Note", "Amount", "Balance"]);

    let expected: Vec<Posting> = postings(&srv, a.demand)
        .await
        .into_iter()
        .filter(|p| p.amount < 0 && p.date.as_str() >= "2026-09-01" && p.date.as_str() <= "2026-11-28")
        .collect();
    let on_page = all_pages(&b, a.demand, &[("from", "2026-09-01"), ("to", "2026-11-28"), ("direction", "out")]).await;
    assert_eq!(on_page, expected.iter().map(|p| p.id).collect::<Vec<_>>());
    assert_eq!(records.len() - 1, expected.len(), "the same rows as the filter");
    for (record, p) in records[1..].iter().zip(&expected) {
        assert_eq!(record[0], p.date);
        let guard = p.counterparty.starts_with(['=', '+', '-', '@']);
        let shown = if guard { format!("'{}", p.counterparty) } else { p.counterparty.clone() };
        assert_eq!(record[2], shown, "counterparty cell, guarded where it could run as a formula");
        assert_eq!(record[3], p.memo, "commas, quotes and line breaks survive quoting");
        let sign = if p.amount < 0 { "-" } else { "" };
        assert_eq!(record[4], format!("{sign}{}.{:02}", p.amount.abs() / 100, p.amount.abs() % 100));
    }
    assert!(records.iter().any(|r| r[2] == "'=cmd|' /C calc'!A0"), "a formula is defused");
    assert!(records.iter().any(|r| r[2] == "'@SUM(1+1)"));
    assert!(records.iter().any(|r| r[2] == "Wang, Li \"Boss\""));
    assert!(records.iter().any(|r| r[1] == "Transfer"), "the type in the customer's language");
    // Raw form: the quoted memo with doubled quotes and its line break inside quotes.
    assert!(text.contains("\"rent, \"\"Nov\"\"\nsecond line\""));

    // Chinese header for a Chinese reader.
    let response = b
        .http
        .get(format!("{}/accounts/{}/export.csv", b.base, a.demand))
        .header("accept-language", "zh-CN,zh;q=0.9")
        .send()
        .await
        .unwrap();
    let body = response.text().await.unwrap();
    assert!(body.starts_with("\u{feff}日期,交易类型,对方户名,摘要,金额,余额\r\n"), "{}", &body[..60.min(body.len())]);
    assert_eq!(parse_csv(body.trim_start_matches('\u{feff}')).len(), 62, "header and all 61 postings");

    // A bad filter is refused before anything is written.
    let response = get(&b, &format!("/accounts/{}/export.csv?min=x", a.demand)).await;
    assert_eq!(response.status(), 400);
    // Signed out: no file.
    let anonymous = Browser::new(&srv);
    assert_eq!(get(&anonymous, &format!("/accounts/{}/export.csv", a.demand)).await.status(), 401);
}

async fn csv_export_streams_every_row_of_a_long_history(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    // 1,050 postings: more than one export page (1,000) of rows.
    let mut tx = srv.state.db.begin_write().await.unwrap();
    let clearing = Internal::Clearing.id(&mut tx).await.unwrap();
    let long =
        insert_account(&mut tx, a.id, "6000000099999999999", "DD-CNY", "demand_deposit", &[("tier", 1)], None).await;
    let backend_kind = srv.state.db.backend();
    for i in 0..1_050_i64 {
        let date = day("2026-06-01").plus_days(i % 180).to_string();
        entry(&mut tx, backend_kind, "cash", &date, "", vec![(long, 100 + i, "counter"), (clearing, -(100 + i), "")])
            .await;
    }
    tx.commit().await.unwrap();
    let b = signed_in(&srv, &a).await;
    let body = get(&b, &format!("/accounts/{long}/export.csv")).await.text().await.unwrap();
    let records = parse_csv(body.trim_start_matches('\u{feff}'));
    assert_eq!(records.len(), 1 + 1_050);
    let amounts: Vec<String> = records[1..].iter().map(|r| r[4].clone()).collect();
    let expected: Vec<String> =
        (0..1_050_i64).rev().map(|i| format!("{}.{:02}", (100 + i) / 100, (100 + i) % 100)).collect();
    assert_eq!(amounts, expected, "every row once, newest first, across the pages");
}

async fn statement_and_charts_add_up(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;
    let all = postings(&srv, a.demand).await;
    let id = a.demand.to_string();

    let s = b.json("statement", &[("id", &id), ("month", "2026-10")]).await;
    let before: i64 = all.iter().filter(|p| p.date.as_str() < "2026-10-01").map(|p| p.amount).sum();
    let october: Vec<&Posting> = all.iter().filter(|p| p.date.starts_with("2026-10")).collect();
    let total_in: i64 = october.iter().filter(|p| p.amount > 0).map(|p| p.amount).sum();
    let total_out: i64 = october.iter().filter(|p| p.amount < 0).map(|p| -p.amount).sum();
    assert_eq!(minor(&s["opening"]), before);
    assert_eq!(minor(&s["total_in"]), total_in);
    assert_eq!(minor(&s["total_out"]), total_out);
    assert_eq!(minor(&s["closing"]), before + total_in - total_out);
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), october.len());
    assert_eq!(rows.last().map(|r| minor(&r["balance_after"])), Some(before + total_in - total_out));
    assert_eq!(s["first_day"], "2026-10-01");
    assert_eq!(s["last_day"], "2026-10-31");
    assert_eq!(s["months"][0], "2026-11");
    assert_eq!(s["months"].as_array().unwrap().last().unwrap(), "2026-06", "from the month of opening");
    // The current month by default, up to today; a month to come, or before opening, is refused.
    let current = b.json("statement", &[("id", &id)]).await;
    assert_eq!(current["month"], "2026-11");
    assert_eq!(current["last_day"], "2026-11-29");
    for month in ["2026-12", "2026-05", "2026-13"] {
        expect_error(b.call("statement", &[("id", &id), ("month", month)]).await, "bad_request").await;
    }

    let c = b.json("balance_chart", &[("id", &id)]).await;
    let days = c["days"].as_array().unwrap();
    assert_eq!(days.len(), 90);
    assert_eq!(days[0][0], "2026-09-01", "90 days up to today");
    assert_eq!(days[89][0], "2026-11-29");
    for point in days {
        let d = point[0].as_str().unwrap();
        let close: i64 = all.iter().filter(|p| p.date.as_str() <= d).map(|p| p.amount).sum();
        assert_eq!(minor(&point[1]), close, "end-of-day balance on {d}, carried forward");
    }
    let months = c["months"].as_array().unwrap();
    let keys: Vec<&str> = months.iter().map(|m| m["month"].as_str().unwrap()).collect();
    assert_eq!(keys, ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]);
    assert_eq!(minor(&months[4]["money_in"]), total_in);
    assert_eq!(minor(&months[4]["money_out"]), total_out);
    assert_eq!(minor(&months[0]["money_in"]), 0, "a quiet month shows zeros");
    assert_eq!(minor(&months[2]["money_in"]), 2_000_000);

    // The printable page: letterhead, the figures, the month picker.
    let html = get_html(&b, &format!("/accounts/{}/statement?month=2026-10", a.demand)).await;
    assert!(html.contains("class=\"letterhead\""));
    assert!(html.contains(&app::types::Money::yuan_fen(before + total_in - total_out).display()));
    assert!(html.contains("<option value=\"2026-10\" selected"));
}

async fn another_customers_ids_are_not_found(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let other = customer(&srv, 2).await;
    let b = signed_in(&srv, &other).await;
    // Sanity: B sees its own.
    b.json("account", &[("id", &other.demand.to_string())]).await;

    for account in [a.demand, a.time, a.card, a.loan] {
        let id = account.to_string();
        for (endpoint, form) in [
            ("account", vec![("id", id.as_str())]),
            ("transactions", vec![("id", id.as_str())]),
            ("transactions", vec![("id", id.as_str()), ("q", "Store")]),
            ("balance_chart", vec![("id", id.as_str())]),
            ("statement", vec![("id", id.as_str())]),
            ("statement", vec![("id", id.as_str()), ("month", "2026-10")]),
        ] {
            let response = b.call(endpoint, &form).await;
            let (status, code) = error_of(response).await;
            assert_eq!((status.as_u16(), code.as_str()), (404, "not_found"), "{endpoint} of account {account}");
        }
        let response = get(&b, &format!("/accounts/{account}/export.csv")).await;
        assert_eq!(response.status(), 404, "CSV of account {account}");
        let html = get_html(&b, &format!("/accounts/{account}")).await;
        assert!(!html.contains("data-posting="), "no rows of another customer's account");
    }
    // Internal accounts and nonsense ids are not found either.
    let clearing: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE account_no = '9000000000000000001'")
        .fetch_one(srv.state.db.pool())
        .await
        .unwrap();
    for id in [clearing.to_string(), "999999".into()] {
        expect_error(b.call("transactions", &[("id", &id)]).await, "not_found").await;
    }
    assert_eq!(get(&b, "/accounts/abc/export.csv").await.status(), 404);
    // Nobody signed in: nothing at all.
    let anonymous = Browser::new(&srv);
    expect_error(anonymous.call("overview", &[]).await, "unauthenticated").await;
    expect_error(anonymous.call("account", &[("id", &a.demand.to_string())]).await, "unauthenticated").await;
}

async fn hide_amounts_hides_the_figures_in_the_first_html(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;
    let assets = app::types::Money::yuan_fen(minor(&b.json("overview", &[]).await["total_assets"])).display();

    let html = get_html(&b, "/accounts").await;
    assert!(html.contains(&assets), "figures shown by default");
    assert!(!html.contains("****</"), "nothing hidden");

    // The plain form (no WASM): a cookie, and back to the overview.
    let response = b.form("hide_amounts", &[("hide", "1"), ("back", "/accounts")], "/accounts").await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(location(&response).as_deref(), Some("/accounts"));
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("hide_amounts="))
        .expect("hide_amounts cookie")
        .to_owned();
    assert!(cookie.starts_with("hide_amounts=1;"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax") && cookie.contains("Path=/") && cookie.contains("Max-Age="), "{cookie}");

    let html = get_html(&b, "/accounts").await;
    assert!(!html.contains(&assets), "the total is not in the server's HTML");
    let at = html.find("data-testid=\"total-assets\"").expect("total");
    assert!(html[at..at + 60].contains(">****<"), "a placeholder instead: {}", &html[at..at + 60]);
    assert!(!html.contains("¥"), "no figure anywhere on the overview");
    assert_eq!(b.json("overview", &[]).await["amounts_hidden"], true);

    // And back, WASM-style.
    ok(b.call("hide_amounts", &[("hide", "0"), ("back", "/accounts")]).await).await;
    assert!(get_html(&b, "/accounts").await.contains(&assets));
    // Never a redirect off the site.
    let response = b.form("hide_amounts", &[("hide", "1"), ("back", "//evil.example")], "/accounts").await;
    assert_eq!(location(&response).as_deref(), Some("/accounts"));
}

async fn account_pages_render_without_the_wasm(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let a = customer(&srv, 1).await;
    let b = signed_in(&srv, &a).await;

    let html = get_html(&b, "/accounts").await;
    assert!(html.contains("6217 **** **** 0001"), "masked card");
    assert!(!html.contains("6217999000000001"), "never the full card number");
    assert!(html.contains("href=\"tel:057188001002\""), "the manager's phone is a link");
    assert!(html.contains(&format!("href=\"/accounts/{}\"", a.demand)));
    assert!(html.contains("href=\"/transfer\"") && html.contains("href=\"/deposits\""));

    let html = get_html(&b, &format!("/accounts/{}?q=store&direction=out", a.demand)).await;
    assert!(html.contains("<form method=\"get\""), "the filter is a GET form");
    assert!(html.contains("value=\"store\""), "the form keeps what was typed");
    assert!(
        html.contains(&format!("/accounts/{}/export.csv?direction=out&amp;q=store", a.demand)),
        "the CSV link carries the filter"
    );
    assert!(html.contains(&format!("/accounts/{}/statement", a.demand)));
    assert!(html.contains("<svg") && html.contains("viewBox=\"0 0 400 230\""), "charts drawn on the server");
    assert!(html.contains("<title id=\"balance-chart-t\">") && html.contains("<desc id=\"flow-chart-d\">"));
    assert!(html.contains("<th scope=\"col\">"), "tables have column headers");
    assert!(html.contains("data-label="), "rows stack on phones");

    // A wrong filter field is named on the page, not a blank.
    let html = get_html(&b, &format!("/accounts/{}?min=abc", a.demand)).await;
    assert!(html.contains("role=\"alert\""));
}
