//! Explained recommendations (issue #8), on SQLite and PostgreSQL: a customer who
//! turned marketing off gets no suggestion and is on no lead list; a wealth fund
//! appears only for a valid, high-enough risk assessment; "Not interested" persists,
//! is idempotent and is per customer; at most `max_recommendations` are shown; the
//! marketing switch is audited and refused while staff view as the customer.
mod support;

use app::backend::insight::settings;
use app::backend::seed::DEMO_PASSWORD;
use app::types::{Day, InsightSettings};
use serde_json::Value;
use support::browser::*;
use support::staff::staff_browser;
use support::viewing::{start, DEMO1};
use support::{Backend, TestServer};

on_both_backends!(
    marketing_off_means_no_suggestion_and_no_lead,
    wealth_funds_only_for_a_suitable_valid_assessment,
    not_interested_persists_and_is_per_customer,
    no_more_than_the_maximum_is_shown,
    the_switch_is_audited_and_refused_while_viewing,
);

/// The wealth fund the tests offer: rated R3; every other fund is withdrawn so the
/// rule has exactly this one to choose.
const FUND: &str = "WM-TEST-R3";

async fn exec(srv: &TestServer, sql: &str) {
    sqlx::query(sql).execute(srv.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn scalar(srv: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(srv.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn customer(srv: &TestServer, username: &str) -> Browser {
    let b = Browser::new(srv);
    ok(login(&b, username, DEMO_PASSWORD).await).await;
    assert!(b.signed_in().await, "{username} is signed in");
    b
}

/// A page as the browser gets it, rendered on the server.
async fn page(b: &Browser, path: &str) -> String {
    let response = b.http.get(format!("{}{path}", b.base)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(response.status(), 200, "GET {path}");
    response.text().await.unwrap_or_default()
}

fn today() -> Day {
    Day::parse("2026-11-29").expect("a day")
}

/// (rule, product) of each suggestion.
fn shown(view: &Value) -> Vec<(String, String)> {
    view["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {view}"))
        .iter()
        .map(|r| (r["rule"].as_str().unwrap_or("").to_owned(), r["product_code"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// The (customer, rule, product) leads of the workspace.
fn leads(ws: &Value) -> Vec<(String, String, String)> {
    ws["leads"]
        .as_array()
        .unwrap_or_else(|| panic!("leads in {ws}"))
        .iter()
        .map(|l| {
            let r = &l["recommendation"];
            (
                l["customer_no"].as_str().unwrap_or("").to_owned(),
                r["rule"].as_str().unwrap_or("").to_owned(),
                r["product_code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// The fund, the only one on sale; demo1 and demo2 both served by S00003; up to
/// ten suggestions so no rule crowds another out.
async fn prepare(srv: &TestServer) {
    exec(srv, "UPDATE products SET active = 0 WHERE kind = 'wealth_fund'").await;
    exec(
        srv,
        &format!(
            "INSERT INTO products (code, kind, name_zh, name_en, risk_level) \
             VALUES ('{FUND}', 'wealth_fund', '测试理财 R3', 'Test fund R3', 3)"
        ),
    )
    .await;
    exec(
        srv,
        "UPDATE customers SET relationship_manager_id = (SELECT id FROM staff WHERE staff_no = 'S00003') \
         WHERE customer_no IN ('C00000001', 'C00000002')",
    )
    .await;
    let s = InsightSettings { max_recommendations: 10, ..InsightSettings::default() };
    settings::save(&srv.state.db, &s).await.expect("settings");
}

/// Sets a customer's risk assessment (level, days ago) or clears it.
async fn assess(srv: &TestServer, customer_no: &str, risk: Option<(i64, i64)>) {
    let sql = match risk {
        Some((level, days_ago)) => format!(
            "UPDATE customers SET risk_level = {level}, risk_assessed_on = '{}' WHERE customer_no = '{customer_no}'",
            today().plus_days(-days_ago)
        ),
        None => format!(
            "UPDATE customers SET risk_level = NULL, risk_assessed_on = NULL WHERE customer_no = '{customer_no}'"
        ),
    };
    exec(srv, &sql).await;
}

fn fund_shown(view: &Value) -> bool {
    shown(view).contains(&("wealth_fund".to_owned(), FUND.to_owned()))
}

fn fund_lead(ws: &Value, customer_no: &str) -> bool {
    leads(ws).contains(&(customer_no.to_owned(), "wealth_fund".to_owned(), FUND.to_owned()))
}

async fn marketing_off_means_no_suggestion_and_no_lead(backend: Backend) {
    let srv = TestServer::start(backend).await;
    prepare(&srv).await;
    assess(&srv, DEMO1, Some((5, 10))).await;
    let c = customer(&srv, "demo1").await;
    let rm = staff_browser(&srv, "s00003").await;

    let before = c.json("recommendations", &[]).await;
    assert_eq!(before["marketing_ok"], true);
    assert!(fund_shown(&before), "suggested while marketing is on: {before}");
    assert!(leads(&rm.json("rm_workspace", &[]).await).iter().any(|l| l.0 == DEMO1), "demo1 is a lead");

    let to = success_to(c.call("marketing_setting", &[("on", "0")]).await).await;
    assert_eq!(to, "/security#marketing");
    let after = c.json("recommendations", &[]).await;
    assert_eq!(after["marketing_ok"], false);
    assert!(shown(&after).is_empty(), "nothing while marketing is off: {after}");
    let page = page(&c, "/accounts").await;
    assert!(!page.contains("id=\"suggestions\""), "no suggestions on the overview");
    let ws = rm.json("rm_workspace", &[]).await;
    assert!(!leads(&ws).iter().any(|l| l.0 == DEMO1), "never on a lead list: {ws}");
    assert!(ws["customers"].as_array().is_some_and(|cs| cs.iter().any(|x| x["customer_no"] == DEMO1)));

    ok(c.call("marketing_setting", &[("on", "1")]).await).await;
    assert!(fund_shown(&c.json("recommendations", &[]).await), "back on");
    expect_error(c.call("marketing_setting", &[("on", "maybe")]).await, "bad_request").await;
    assert_eq!(
        scalar(&srv, "SELECT CAST(marketing_ok AS BIGINT) FROM customers WHERE customer_no = 'C00000001'").await,
        1
    );
}

async fn wealth_funds_only_for_a_suitable_valid_assessment(backend: Backend) {
    let srv = TestServer::start(backend).await;
    prepare(&srv).await;
    let c = customer(&srv, "demo1").await;
    let rm = staff_browser(&srv, "s00003").await;
    // (assessment, shown): none; below the rating; expired (older than 12 months);
    // just valid at the rating; above it.
    let cases = [
        (None, false),
        (Some((2, 10)), false),
        (Some((5, 366)), false),
        (Some((3, 365)), true),
        (Some((4, 100)), true),
    ];
    for (risk, expected) in cases {
        assess(&srv, DEMO1, risk).await;
        let view = c.json("recommendations", &[]).await;
        assert_eq!(fund_shown(&view), expected, "customer view with {risk:?}: {view}");
        let ws = rm.json("rm_workspace", &[]).await;
        assert_eq!(fund_lead(&ws, DEMO1), expected, "lead list with {risk:?}");
    }
    // The reason names the customer's level and the product's rating.
    let view = c.json("recommendations", &[]).await;
    let fund = view["items"].as_array().and_then(|i| i.iter().find(|r| r["product_code"] == FUND).cloned());
    let facts = &fund.unwrap_or_else(|| panic!("the fund in {view}"))["facts"];
    assert_eq!((facts["customer_level"].as_i64(), facts["product_level"].as_i64()), (Some(4), Some(3)));
}

async fn not_interested_persists_and_is_per_customer(backend: Backend) {
    let srv = TestServer::start(backend).await;
    prepare(&srv).await;
    assess(&srv, DEMO1, Some((5, 10))).await;
    assess(&srv, "C00000002", Some((5, 10))).await;
    let c1 = customer(&srv, "demo1").await;
    let c2 = customer(&srv, "demo2").await;
    assert!(fund_shown(&c1.json("recommendations", &[]).await));
    assert!(fund_shown(&c2.json("recommendations", &[]).await));

    // A plain form (no WASM) goes back to the overview's suggestions.
    let form = [("rule", "wealth_fund"), ("product", FUND), ("back", "/accounts")];
    let response = c1.form("recommendation_dismiss", &form, "/accounts").await;
    assert_eq!(location(&response).as_deref(), Some("/accounts#suggestions"));
    ok(c1.call("recommendation_dismiss", &form).await).await;
    let stored = "SELECT COUNT(*) FROM recommendation_dismissals d JOIN customers c ON c.id = d.customer_id \
                  WHERE c.customer_no = 'C00000001'";
    assert_eq!(scalar(&srv, stored).await, 1, "idempotent: one row");

    assert!(!fund_shown(&c1.json("recommendations", &[]).await), "gone for demo1");
    assert!(!page(&c1, "/accounts").await.contains(&format!("data-product=\"{FUND}\"")), "gone after reload");
    assert!(fund_shown(&c2.json("recommendations", &[]).await), "still shown to demo2");
    let ws = staff_browser(&srv, "s00003").await.json("rm_workspace", &[]).await;
    assert!(!fund_lead(&ws, DEMO1) && fund_lead(&ws, "C00000002"), "the lead list agrees: {ws}");

    // Bad input: a clear error, nothing stored.
    expect_error(c1.call("recommendation_dismiss", &[("rule", "nope"), ("product", FUND)]).await, "bad_request").await;
    expect_error(
        c1.call("recommendation_dismiss", &[("rule", "wealth_fund"), ("product", "NO-SUCH")]).await,
        "bad_request",
    )
    .await;
    assert_eq!(scalar(&srv, "SELECT COUNT(*) FROM recommendation_dismissals").await, 1);
}

async fn no_more_than_the_maximum_is_shown(backend: Backend) {
    let srv = TestServer::start(backend).await;
    prepare(&srv).await;
    assess(&srv, DEMO1, Some((5, 10))).await;
    exec(&srv, "UPDATE customers SET area = 'rural', occupation = 'farmer' WHERE customer_no = 'C00000001'").await;
    exec(
        &srv,
        "UPDATE accounts SET status = 'closed' WHERE product_code = 'LN-AGRI' \
         AND customer_id = (SELECT id FROM customers WHERE customer_no = 'C00000001')",
    )
    .await;
    let c = customer(&srv, "demo1").await;
    let all = shown(&c.json("recommendations", &[]).await);
    assert!(all.len() >= 3, "at least the maturing deposit, the fund and the loan: {all:?}");
    for max in [1_u32, 2] {
        let s = InsightSettings { max_recommendations: max, ..InsightSettings::default() };
        settings::save(&srv.state.db, &s).await.expect("settings");
        let capped = shown(&c.json("recommendations", &[]).await);
        assert_eq!(capped, all[..max as usize].to_vec(), "the first {max} in order");
    }
}

async fn the_switch_is_audited_and_refused_while_viewing(backend: Backend) {
    let srv = TestServer::start(backend).await;
    prepare(&srv).await;
    let c = customer(&srv, "demo1").await;
    ok(c.call("marketing_setting", &[("on", "0")]).await).await;
    let rows: Vec<(String, Option<i64>, String)> = sqlx::query_as(
        "SELECT actor_kind, customer_id, detail FROM audit_log WHERE event = 'marketing_setting_changed' ORDER BY id",
    )
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit");
    let demo1 = scalar(&srv, "SELECT id FROM customers WHERE customer_no = 'C00000001'").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0].0.as_str(), rows[0].1), ("customer", Some(demo1)));
    assert!(rows[0].2.contains("false"), "the new value: {}", rows[0].2);
    assert!(scalar(&srv, "SELECT marketing_changed_at FROM customers WHERE customer_no = 'C00000001'").await > 0);

    let agent = staff_browser(&srv, "s00005").await;
    ok(start(&srv, &agent, "s00005", DEMO1).await).await;
    expect_error(agent.call("marketing_setting", &[("on", "1")]).await, "impersonation_read_only").await;
    expect_error(
        agent.call("recommendation_dismiss", &[("rule", "maturing_deposit"), ("product", "TD-3M")]).await,
        "impersonation_read_only",
    )
    .await;
    assert_eq!(
        scalar(&srv, "SELECT CAST(marketing_ok AS BIGINT) FROM customers WHERE customer_no = 'C00000001'").await,
        0
    );
    assert_eq!(scalar(&srv, "SELECT COUNT(*) FROM recommendation_dismissals").await, 0);
    assert_eq!(scalar(&srv, "SELECT COUNT(*) FROM audit_log WHERE event = 'marketing_setting_changed'").await, 1);
    // Reading while viewing shows what the customer sees.
    let seen = agent.json("marketing_status", &[]).await;
    assert_eq!(seen, Value::Bool(false));
}
