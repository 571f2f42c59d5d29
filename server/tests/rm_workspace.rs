//! The relationship manager's workspace (issue #8), on SQLite and PostgreSQL: an
//! RM sees only the customers they manage (another RM's customer never appears,
//! in any section); each section matches a recount straight from the tables;
//! advisors see their own book, supervisors and admins choose an RM, everyone else
//! is refused; every view is audited.
mod support;

use app::backend::seed::DEMO_PASSWORD;
use app::types::Day;
use serde_json::Value;
use std::collections::BTreeSet;
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer};

on_both_backends!(an_rm_sees_only_their_own_customers, each_section_matches_a_recount, access_rules);

async fn exec(srv: &TestServer, sql: &str) {
    sqlx::query(sql).execute(srv.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn numbers(srv: &TestServer, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(srv.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn today() -> Day {
    Day::parse("2026-11-29").expect("a day")
}

/// The customer numbers of one section, in the order shown.
fn section(ws: &Value, name: &str) -> Vec<String> {
    ws[name]
        .as_array()
        .unwrap_or_else(|| panic!("{name} in {ws}"))
        .iter()
        .map(|row| row["customer_no"].as_str().unwrap_or("").to_owned())
        .collect()
}

const SECTIONS: [&str; 6] = ["customers", "maturing", "dormant_soon", "requests", "consultations", "leads"];

/// The first eight customers: odd ones to S00003, even ones to S00004; the eighth
/// is closed (and so in nobody's workspace).
async fn split_book(srv: &TestServer) {
    exec(srv, "UPDATE customers SET relationship_manager_id = NULL").await;
    exec(
        srv,
        "UPDATE customers SET relationship_manager_id = (SELECT id FROM staff WHERE staff_no = 'S00003') \
         WHERE customer_no IN ('C00000001', 'C00000003', 'C00000005', 'C00000007')",
    )
    .await;
    exec(
        srv,
        "UPDATE customers SET relationship_manager_id = (SELECT id FROM staff WHERE staff_no = 'S00004') \
         WHERE customer_no IN ('C00000002', 'C00000004', 'C00000006', 'C00000008')",
    )
    .await;
    exec(srv, "UPDATE customers SET status = 'closed' WHERE customer_no = 'C00000008'").await;
}

async fn an_rm_sees_only_their_own_customers(backend: Backend) {
    let srv = TestServer::start(backend).await;
    split_book(&srv).await;
    // Give both books something in every section, so "not there" means something.
    exec(&srv, "UPDATE customers SET risk_level = 5, risk_assessed_on = '2026-11-01'").await;
    let mine: BTreeSet<String> = ["C00000001", "C00000003", "C00000005", "C00000007"].map(String::from).into();
    let theirs: BTreeSet<String> = ["C00000002", "C00000004", "C00000006"].map(String::from).into();

    let s3 = staff_browser(&srv, "s00003").await.json("rm_workspace", &[]).await;
    let s4 = staff_browser(&srv, "s00004").await.json("rm_workspace", &[]).await;
    assert_eq!(section(&s3, "customers").into_iter().collect::<BTreeSet<_>>(), mine);
    assert_eq!(section(&s4, "customers").into_iter().collect::<BTreeSet<_>>(), theirs, "closed C00000008 left out");
    for name in SECTIONS {
        for no in section(&s3, name) {
            assert!(mine.contains(&no), "S00003's {name} shows {no}");
        }
        for no in section(&s4, name) {
            assert!(theirs.contains(&no), "S00004's {name} shows {no}");
        }
    }
    assert!(!section(&s3, "leads").is_empty(), "demo1's maturing deposit at least");
    assert_eq!(s3["manager"]["staff_no"], "S00003");
    assert_eq!(s3["choices"], Value::Array(vec![]), "an advisor chooses nobody");
}

async fn each_section_matches_a_recount(backend: Backend) {
    let srv = TestServer::start(backend).await;
    split_book(&srv).await;
    let book = "c.relationship_manager_id = (SELECT id FROM staff WHERE staff_no = 'S00003') AND c.status <> 'closed'";
    // A demand account last used 57 months ago: dormant in 3 months (warned 6 before).
    let last = today().minus_months(57);
    exec(
        &srv,
        &format!(
            "UPDATE accounts SET last_activity_on = '{last}' WHERE id = (SELECT MIN(a.id) FROM accounts a \
             JOIN customers c ON c.id = a.customer_id WHERE c.customer_no = 'C00000003' AND a.kind = 'demand_deposit')"
        ),
    )
    .await;
    // Month-ends for demo1 (private at the latest one); none for the others.
    exec(&srv, "DELETE FROM customer_months").await;
    for (month, aum, segment) in [("2026-08", 100, "mass"), ("2026-09", 200, "affluent"), ("2026-10", 300, "private")] {
        exec(
            &srv,
            &format!(
                "INSERT INTO customer_months (month, customer_id, branch_id, aum, deposits, segment, effective, products) \
                 SELECT '{month}', id, branch_id, {aum}, {aum}, '{segment}', 1, 1 FROM customers WHERE customer_no = 'C00000001'"
            ),
        )
        .await;
    }
    let ws = staff_browser(&srv, "s00003").await.json("rm_workspace", &[]).await;

    let expected =
        numbers(&srv, &format!("SELECT c.customer_no FROM customers c WHERE {book} ORDER BY c.customer_no")).await;
    assert_eq!(section(&ws, "customers"), expected);
    let rows = ws["customers"].as_array().expect("customers");
    let demo1 = rows.iter().find(|c| c["customer_no"] == "C00000001").expect("demo1");
    assert_eq!((demo1["segment"].as_str(), demo1["segment_today"].as_bool()), (Some("private"), Some(false)));
    assert_eq!(demo1["trend"], serde_json::json!([["2026-08", 100], ["2026-09", 200], ["2026-10", 300]]));
    assert!(rows.iter().filter(|c| c["customer_no"] != "C00000001").all(|c| c["segment_today"] == true));

    let until = today().plus_days(30);
    let maturing = numbers(
        &srv,
        &format!(
            "SELECT c.customer_no FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE {book} \
             AND a.kind IN ('time_deposit', 'installment_savings') AND a.status = 'active' \
             AND a.maturity_date BETWEEN '2026-11-29' AND '{until}' ORDER BY a.maturity_date, c.customer_no, a.id"
        ),
    )
    .await;
    assert!(!maturing.is_empty(), "demo1's deposit matures within 30 days");
    assert_eq!(section(&ws, "maturing"), maturing);

    let warn_from = today().minus_months(60);
    let warn_to = today().minus_months(54);
    let dormant = numbers(
        &srv,
        &format!(
            "SELECT c.customer_no FROM accounts a JOIN customers c ON c.id = a.customer_id WHERE {book} \
             AND a.kind = 'demand_deposit' AND a.status IN ('active', 'frozen') \
             AND COALESCE(a.last_activity_on, a.opened_on) > '{warn_from}' \
             AND COALESCE(a.last_activity_on, a.opened_on) <= '{warn_to}' ORDER BY c.customer_no"
        ),
    )
    .await;
    assert!(dormant.contains(&"C00000003".to_owned()), "the account set up above: {dormant:?}");
    let mut shown = section(&ws, "dormant_soon");
    shown.sort();
    assert_eq!(shown, dormant);
    let entry = ws["dormant_soon"].as_array().and_then(|d| d.iter().find(|e| e["customer_no"] == "C00000003").cloned());
    let entry = entry.expect("C00000003 nearing dormancy");
    assert_eq!(entry["dormant_on"], today().plus_months(3).to_string());

    let mut requests = numbers(
        &srv,
        &format!(
            "SELECT c.customer_no FROM service_requests r JOIN customers c ON c.id = r.customer_id WHERE {book} \
             AND r.status IN ('submitted', 'in_progress', 'waiting_customer')"
        ),
    )
    .await;
    let mut shown = section(&ws, "requests");
    requests.sort();
    shown.sort();
    assert_eq!(shown, requests);

    let mut bookings = numbers(
        &srv,
        &format!(
            "SELECT c.customer_no FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE {book} \
             AND b.status = 'booked' AND b.ends_at > {}",
            support::TEST_NOW.micros()
        ),
    )
    .await;
    let mut shown = section(&ws, "consultations");
    bookings.sort();
    shown.sort();
    assert_eq!(shown, bookings);
}

async fn access_rules(backend: Backend) {
    let srv = TestServer::start(backend).await;
    split_book(&srv).await;
    let advisor = staff_browser(&srv, "s00003").await;
    expect_error(advisor.call("rm_workspace", &[("rm", "S00004")]).await, "forbidden").await;
    ok(advisor.call("rm_workspace", &[("rm", "s00003")]).await).await;

    let supervisor = staff_browser(&srv, "s00002").await;
    let ws = supervisor.json("rm_workspace", &[("rm", "S00004")]).await;
    assert_eq!(ws["manager"]["staff_no"], "S00004");
    assert!(section(&ws, "customers").contains(&"C00000002".to_owned()));
    assert!(ws["choices"].as_array().is_some_and(|c| c.len() >= 2), "a supervisor chooses: {ws}");
    expect_error(supervisor.call("rm_workspace", &[("rm", "S99999")]).await, "not_found").await;

    let agent = staff_browser(&srv, "s00005").await;
    expect_error(agent.call("rm_workspace", &[]).await, "forbidden").await;
    let customer = Browser::new(&srv);
    ok(login(&customer, "demo1", DEMO_PASSWORD).await).await;
    expect_error(customer.call("rm_workspace", &[]).await, "forbidden").await;
    expect_error(Browser::new(&srv).call("rm_workspace", &[]).await, "unauthenticated").await;

    let audited: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT a.actor_kind, a.actor_id, a.detail FROM audit_log a WHERE a.event = 'rm_workspace_viewed' ORDER BY a.id",
    )
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(audited.len(), 2, "two views, refusals not counted: {audited:?}");
    assert!(audited.iter().all(|(kind, _, _)| kind == "staff"));
    assert!(audited[1].2.contains("S00004"), "names the RM viewed: {}", audited[1].2);

    // The page renders for the advisor (SSR) with every section.
    let html = advisor.http.get(format!("{}/staff/my-customers", advisor.base)).send().await.expect("page");
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap_or_default();
    for id in ["rm-customers", "rm-maturing", "rm-dormant", "rm-requests", "rm-consultations", "rm-leads"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "section {id}");
    }
}
