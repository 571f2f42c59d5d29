//! The insight rules on SQLite and PostgreSQL, on constructed data with the
//! injected clock: dormancy, its approach, empty cards and effective customers one
//! day before, on and after each boundary (the SQL fragments agree with the pure
//! rules and the expected answer); segments at their thresholds and over the rolling
//! average of month-end snapshots; the daily run marks an account dormant on its day
//! and reminds once per approach; the closure request is refused while there is
//! money and closes the account and its cards at zero; the overview and the account
//! page show each status with the request that helps.
mod support;

use app::backend::auth::StaffActor;
use app::backend::insight::{dormancy, rules, settings, snapshot, Cutoffs};
use app::backend::requests::staff as sr_staff;
use app::backend::seed::DEMO_PASSWORD;
use app::backend::Db;
use app::types::{Day, IdempotencyKey, InsightSettings, PlainText, RequestRef, StaffRole};
use support::browser::*;
use support::{Backend, TestServer};

on_both_backends!(
    dormancy_empty_cards_and_effective_customers_change_exactly_at_the_boundaries,
    segments_follow_the_thresholds_and_the_rolling_average_of_month_ends,
    the_daily_run_marks_dormant_on_the_day_and_reminds_once_per_approach,
    closure_is_refused_with_money_and_closes_account_and_cards_at_zero,
    the_overview_and_the_account_page_show_each_status,
);

// ---------------------------------------------------------------------------------
// Constructed data.
// ---------------------------------------------------------------------------------

fn day(text: &str) -> Day {
    Day::parse(text).unwrap_or_else(|| panic!("bad day {text}"))
}

async fn one_i64(db: &Db, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).bind(id).fetch_one(db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn one_text(db: &Db, sql: &str, id: i64) -> Option<String> {
    sqlx::query_scalar::<_, Option<String>>(sql)
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A customer who joined long ago, at the first outlet.
async fn new_customer(db: &Db, no: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, created_at) \
         VALUES ($1, '测试客户', '123456', '13800001111', (SELECT MIN(id) FROM branches), 0) RETURNING id",
    )
    .bind(no)
    .fetch_one(db.pool())
    .await
    .expect("a customer")
}

/// An account of `kind` with no postings (balance 0), last used on `last_use`.
async fn new_account(db: &Db, customer: i64, no: &str, kind: &str, opened: &str, last_use: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO accounts (account_no, customer_id, kind, tier, opened_on, opened_at, last_activity_on) \
         VALUES ($1, $2, $3, CASE WHEN $3 = 'demand_deposit' THEN 1 ELSE NULL END, $4, 0, $5) RETURNING id",
    )
    .bind(no)
    .bind(customer)
    .bind(kind)
    .bind(opened)
    .bind(last_use)
    .fetch_one(db.pool())
    .await
    .expect("an account")
}

async fn new_card(db: &Db, customer: i64, account: i64, no: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO cards (customer_id, card_no, kind, account_id, created_at) VALUES ($1, $2, 'debit', $3, 0) \
         RETURNING id",
    )
    .bind(customer)
    .bind(no)
    .bind(account)
    .fetch_one(db.pool())
    .await
    .expect("a card")
}

/// Moves `amount` fen into (or out of) `account` on `value_date`, against the
/// bank's first internal account, as the ledger would.
async fn post(db: &Db, account: i64, amount: i64, value_date: &str) {
    let mut tx = db.begin_write().await.expect("tx");
    let journal: i64 = sqlx::query_scalar(
        "INSERT INTO journal_entries (kind, memo, value_date, created_at) VALUES ('cash', 'test', $1, 0) RETURNING id",
    )
    .bind(value_date)
    .fetch_one(&mut *tx)
    .await
    .expect("journal");
    let internal: i64 = sqlx::query_scalar("SELECT MIN(id) FROM accounts WHERE kind = 'internal'")
        .fetch_one(&mut *tx)
        .await
        .expect("internal");
    for (id, signed) in [(account, amount), (internal, -amount)] {
        let balance: i64 = sqlx::query_scalar("SELECT balance FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .expect("b");
        sqlx::query(
            "INSERT INTO postings (journal_id, account_id, amount, balance_after, value_date, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(journal)
        .bind(id)
        .bind(signed)
        .bind(balance + signed)
        .bind(value_date)
        .execute(&mut *tx)
        .await
        .expect("posting");
    }
    tx.commit().await.expect("commit");
}

/// Whether SQL `condition` (over account `a`) holds for account `id`.
async fn holds(db: &Db, condition: &str, id: i64) -> bool {
    let sql = format!("SELECT COUNT(*) FROM accounts a WHERE a.id = $1 AND {condition}");
    one_i64(db, &sql, id).await == 1
}

async fn is_live_holder(db: &Db, cut: &Cutoffs, customer: i64) -> bool {
    let sql = format!("SELECT COUNT(*) FROM ({}) h WHERE h.customer_id = $1", rules::live_holders_sql(cut));
    one_i64(db, &sql, customer).await > 0
}

// ---------------------------------------------------------------------------------
// Tests.
// ---------------------------------------------------------------------------------

async fn dormancy_empty_cards_and_effective_customers_change_exactly_at_the_boundaries(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let s = settings::load(db).await.expect("settings");
    assert_eq!(s, InsightSettings::default(), "the migration's settings");

    // One customer, one demand account last used five years before 2026-11-20 and
    // holding money: nothing else keeps them effective.
    let c = new_customer(db, "T00000001").await;
    let dd = new_account(db, c, "7100000000000000001", "demand_deposit", "2020-01-02", Some("2021-11-20")).await;
    post(db, dd, 500, "2020-01-02").await;
    let dormant_on = day("2026-11-20");
    assert_eq!(s.dormant_on(day("2021-11-20")), dormant_on);
    for (today, dormant) in [("2026-11-19", false), ("2026-11-20", true), ("2026-11-21", true)] {
        let today = day(today);
        let cut = Cutoffs::new(&s, today);
        let pure = matches!(s.dormancy(day("2021-11-20"), today), app::types::Dormancy::Dormant { .. });
        assert_eq!(pure, dormant, "rule on {today}");
        assert_eq!(holds(db, &rules::dormant_sql("a", &cut), dd).await, dormant, "SQL dormant on {today}");
        assert_eq!(holds(db, &rules::dormant_soon_sql("a", &cut), dd).await, !dormant, "SQL approaching on {today}");
        assert_eq!(is_live_holder(db, &cut, c).await, !dormant, "effective on {today}");
    }

    // Approaching begins six months before: 2026-05-20.
    for (today, approaching) in [("2026-05-19", false), ("2026-05-20", true), ("2026-05-21", true)] {
        let today = day(today);
        let pure = matches!(s.dormancy(day("2021-11-20"), today), app::types::Dormancy::Approaching { .. });
        assert_eq!(pure, approaching, "rule on {today}");
        let sql = holds(db, &rules::dormant_soon_sql("a", &Cutoffs::new(&s, today)), dd).await;
        assert_eq!(sql, approaching, "SQL approaching on {today}");
    }

    // An empty card: zero balance and unused for twelve months (from 2025-11-20).
    let e = new_customer(db, "T00000002").await;
    let ea = new_account(db, e, "7100000000000000002", "demand_deposit", "2025-11-20", None).await;
    new_card(db, e, ea, "6217000000000000021").await;
    for (today, empty) in [("2026-11-19", false), ("2026-11-20", true), ("2026-11-21", true)] {
        let today = day(today);
        let cut = Cutoffs::new(&s, today);
        assert_eq!(s.is_empty_card(0, day("2025-11-20"), today), empty, "rule on {today}");
        assert_eq!(holds(db, &rules::empty_card_sql("a", &cut), ea).await, empty, "SQL empty card on {today}");
        assert_eq!(is_live_holder(db, &cut, e).await, !empty, "effective on {today}");
    }
    // One cent makes it a live product again.
    post(db, ea, 1, "2025-11-20").await;
    assert!(is_live_holder(db, &Cutoffs::new(&s, day("2026-11-21")), e).await, "money in it: effective");
}

async fn segments_follow_the_thresholds_and_the_rolling_average_of_month_ends(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let s = settings::load(db).await.expect("settings");
    let a = s.affluent_from;
    // (customer number, month-end balances for 07, 08, 09, 10)
    let plans: [(&str, [i64; 4]); 5] = [
        ("T00000011", [0, a - 1, a - 1, a - 1]),
        ("T00000012", [0, a, a, a]),
        ("T00000013", [0, 0, 0, 3 * a]),
        ("T00000014", [0, 0, 0, 3 * a - 1]),
        // Only the last three month-ends count: July's fortune is forgotten.
        ("T00000015", [200 * a, 0, 0, 3 * a - 3]),
    ];
    let ends = ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31"];
    let mut ids = Vec::new();
    for (k, (no, balances)) in plans.iter().enumerate() {
        let c = new_customer(db, no).await;
        let acc = new_account(db, c, &format!("71000000000000001{k:02}"), "demand_deposit", "2026-07-01", None).await;
        let mut now = 0;
        for (end, want) in ends.iter().zip(balances) {
            if want - now != 0 {
                // Dated the month-end itself: counted at that month-end, not before.
                post(db, acc, want - now, end).await;
            }
            now = *want;
        }
        ids.push(c);
    }
    for end in ends {
        snapshot::take_month(db, day(end)).await.expect("snapshot");
    }
    let seg = |c: i64, month: &'static str| async move {
        sqlx::query_as::<_, (String, i64)>(
            "SELECT segment, aum FROM customer_months WHERE customer_id = $1 AND month = $2",
        )
        .bind(c)
        .bind(month)
        .fetch_one(db.pool())
        .await
        .expect("a snapshot row")
    };
    let expected = ["mass", "affluent", "affluent", "mass", "mass"];
    for (k, c) in ids.iter().enumerate() {
        let (segment, aum) = seg(*c, "2026-10").await;
        assert_eq!(aum, plans[k].1[3], "{}: the month-end balance", plans[k].0);
        let last3 = &plans[k].1[1..];
        let pure = s.segment_of(app::types::insight::rolling_average(last3)).as_str();
        assert_eq!(segment, expected[k], "{}: segment", plans[k].0);
        assert_eq!(segment, pure, "{}: SQL agrees with the pure rule", plans[k].0);
    }
    // The first month stands alone: 0 is mass, July's 200a is private.
    assert_eq!(seg(ids[4], "2026-07").await.0, "private");
    assert_eq!(seg(ids[0], "2026-08").await.0, "mass", "a - 1 over (0, a - 1)");

    // Idempotent: again, after a late posting, one row per customer with the new values.
    let rows = one_i64(db, "SELECT COUNT(*) FROM customer_months WHERE month = '2026-10' AND $1 = $1", 0).await;
    let acc = one_i64(db, "SELECT id FROM accounts WHERE customer_id = $1", ids[3]).await;
    post(db, acc, 1, "2026-10-31").await;
    snapshot::take_month(db, day("2026-10-31")).await.expect("again");
    assert_eq!(one_i64(db, "SELECT COUNT(*) FROM customer_months WHERE month = '2026-10' AND $1 = $1", 0).await, rows);
    assert_eq!(seg(ids[3], "2026-10").await, ("affluent".to_owned(), 3 * a));
    // The seed took the past six month-ends for the demo customers.
    let seeded = one_i64(db, "SELECT COUNT(DISTINCT month) FROM customer_months WHERE customer_id = $1", 1).await;
    assert_eq!(seeded, 6, "the seed's month-end snapshots");
}

async fn the_daily_run_marks_dormant_on_the_day_and_reminds_once_per_approach(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let now = srv.state.clock.now();
    let c = new_customer(db, "T00000021").await;
    let sleeping = new_account(db, c, "7100000000000000201", "demand_deposit", "2021-11-20", Some("2021-11-20")).await;
    let nearing = new_account(db, c, "7100000000000000202", "demand_deposit", "2022-02-10", Some("2022-02-10")).await;
    let status = |id: i64| async move { one_text(db, "SELECT status FROM accounts WHERE id = $1", id).await };
    let notices = |kind: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = $2")
            .bind(c)
            .bind(kind)
            .fetch_one(db.pool())
            .await
            .expect("notifications")
    };

    // The day before: still active (and approaching, so reminded once).
    app::backend::ledger::daily::run_daily(db, day("2026-11-19"), now).await.expect("run");
    assert_eq!(status(sleeping).await.as_deref(), Some("active"));
    assert_eq!(notices("account_dormant").await, 0);
    // On the day: dormant, told, recorded as the bank's own work.
    app::backend::ledger::daily::run_daily(db, day("2026-11-20"), now).await.expect("run");
    assert_eq!(status(sleeping).await.as_deref(), Some("dormant"));
    assert_eq!(notices("account_dormant").await, 1);
    let audited = one_i64(
        db,
        "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND event = 'account_marked_dormant' AND actor_kind = 'system'",
        c,
    )
    .await;
    assert_eq!(audited, 1);

    // The other account becomes dormant on 2027-02-10: reminded on its first
    // approaching day, once, with an SMS; not again the next days.
    assert_eq!(status(nearing).await.as_deref(), Some("active"));
    let reminded_on =
        || async move { one_text(db, "SELECT dormancy_reminded_on FROM accounts WHERE id = $1", nearing).await };
    assert_eq!(reminded_on().await.as_deref(), Some("2027-02-10"));
    let soon_before = notices("account_dormant_soon").await;
    let r = dormancy::run(db, day("2026-11-21"), now).await.expect("run");
    assert_eq!((r.marked_dormant, r.reminded), (0, 0), "nothing new the next day");
    assert_eq!(notices("account_dormant_soon").await, soon_before);
    let sms: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = '13800001111' AND body LIKE '%2027-02-10%'")
            .fetch_one(db.pool())
            .await
            .expect("outbox");
    assert_eq!(sms, 1, "one SMS for the approach");

    // The customer moves money: a new approach (from 2031-06-01) is reminded again.
    sqlx::query("UPDATE accounts SET last_activity_on = '2026-12-01' WHERE id = $1")
        .bind(nearing)
        .execute(db.pool())
        .await
        .expect("use");
    dormancy::run(db, day("2031-05-31"), now).await.expect("run");
    assert_eq!(reminded_on().await.as_deref(), Some("2027-02-10"), "not yet approaching");
    dormancy::run(db, day("2031-06-01"), now).await.expect("run");
    assert_eq!(reminded_on().await.as_deref(), Some("2031-12-01"), "the new approach is reminded");

    // The month's last day takes the month-end snapshot; other days do not.
    assert_eq!(dormancy::run(db, day("2026-11-29"), now).await.expect("run").snapshot_rows, None);
    let r = dormancy::run(db, day("2026-11-30"), now).await.expect("run");
    let rows =
        one_i64(db, "SELECT COUNT(*) FROM customer_months WHERE month = '2026-11' AND customer_id = $1", c).await;
    assert!(r.snapshot_rows.unwrap_or(0) > 0 && rows == 1, "the month-end snapshot");
}

/// Staff resolve a request (effects included); the error if the effect refuses.
async fn resolve(srv: &TestServer, reference: &str) -> Result<(), app::error::AppError> {
    let id: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = 'S00005'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("staff");
    let actor = StaffActor { staff_id: id, role: StaffRole::Agent };
    let reference = RequestRef::parse(reference).expect("a reference");
    let body = PlainText::new("已为您办理。", 2000, "body").expect("text");
    let status: String = sqlx::query_scalar("SELECT status FROM service_requests WHERE reference = $1")
        .bind(reference.as_str())
        .fetch_one(srv.state.db.pool())
        .await
        .expect("status");
    if status == "submitted" {
        sr_staff::start(&srv.state, &actor, &reference, "").await.expect("started");
    }
    sr_staff::resolve(&srv.state, &actor, &reference, &body, "").await
}

async fn demo1(srv: &TestServer) -> (Browser, i64) {
    let b = Browser::new(srv);
    ok(login(&b, "demo1", DEMO_PASSWORD).await).await;
    let id: i64 = sqlx::query_scalar("SELECT principal_id FROM credentials WHERE username = 'demo1'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("demo1");
    (b, id)
}

async fn closure_is_refused_with_money_and_closes_account_and_cards_at_zero(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let (b, me) = demo1(&srv).await;
    let submit = |account: i64| {
        let key = IdempotencyKey::generate().as_str().to_owned();
        let b = &b;
        async move {
            let account = account.to_string();
            b.call("request_submit", &[("kind", "account_close"), ("key", &key), ("account_id", &account)]).await
        }
    };
    // The Type I account holds money: refused at the field, nothing stored.
    let funded =
        one_i64(db, "SELECT MIN(id) FROM accounts WHERE customer_id = $1 AND kind = 'demand_deposit'", me).await;
    let before = one_i64(db, "SELECT COUNT(*) FROM service_requests WHERE customer_id = $1", me).await;
    let refused = submit(funded).await;
    assert!(!refused.status().is_success());
    let body = refused.text().await.unwrap_or_default();
    assert!(body.contains("wrong_state") && body.contains("account_id"), "{body}");
    assert_eq!(one_i64(db, "SELECT COUNT(*) FROM service_requests WHERE customer_id = $1", me).await, before);

    // Empty, but a time deposit pays out to it: refused too.
    let payout = new_account(db, me, "7100000000000000302", "demand_deposit", "2025-01-02", None).await;
    let td = new_account(db, me, "7100000000000000303", "time_deposit", "2025-01-02", None).await;
    sqlx::query("UPDATE accounts SET linked_account_id = $1 WHERE id = $2")
        .bind(payout)
        .bind(td)
        .execute(db.pool())
        .await
        .expect("linked");
    let refused = submit(payout).await;
    assert!(!refused.status().is_success(), "an account another pays out to stays open");

    // An empty card: the request is accepted.
    let empty = new_account(db, me, "7100000000000000301", "demand_deposit", "2025-01-02", None).await;
    let card = new_card(db, me, empty, "6217000000000000301").await;
    let reference = success_to(submit(empty).await).await.trim_start_matches("/requests/").to_owned();
    // Money arrives before staff act: resolving is refused and nothing changes.
    post(db, empty, 100, "2026-11-28").await;
    let err = resolve(&srv, &reference).await.expect_err("refused with money in it");
    assert_eq!(err.code, app::error::ErrorCode::WrongState);
    assert_eq!(one_text(db, "SELECT status FROM accounts WHERE id = $1", empty).await.as_deref(), Some("active"));
    assert_eq!(one_text(db, "SELECT status FROM cards WHERE id = $1", card).await.as_deref(), Some("active"));
    let status: String = sqlx::query_scalar("SELECT status FROM service_requests WHERE reference = $1")
        .bind(&reference)
        .fetch_one(db.pool())
        .await
        .expect("status");
    assert_eq!(status, "in_progress", "the request is not resolved");

    // Back to zero: resolved, the account and its card closed, the customer told.
    post(db, empty, -100, "2026-11-28").await;
    resolve(&srv, &reference).await.expect("resolved");
    assert_eq!(one_text(db, "SELECT status FROM accounts WHERE id = $1", empty).await.as_deref(), Some("closed"));
    assert_eq!(
        one_i64(db, "SELECT closed_at FROM accounts WHERE id = $1", empty).await,
        srv.state.clock.now().micros()
    );
    assert_eq!(one_text(db, "SELECT status FROM cards WHERE id = $1", card).await.as_deref(), Some("closed"));
    let told =
        one_i64(db, "SELECT COUNT(*) FROM notifications WHERE customer_id = $1 AND kind = 'account_closed'", me).await;
    assert_eq!(told, 1);
    let audited =
        one_i64(db, "SELECT COUNT(*) FROM audit_log WHERE customer_id = $1 AND event = 'account_closed'", me).await;
    assert_eq!(audited, 1);
}

async fn the_overview_and_the_account_page_show_each_status(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let db = &srv.state.db;
    let (b, me) = demo1(&srv).await;
    // Today is 2026-11-29 (the injected clock).
    let sleeping = new_account(db, me, "7100000000000000401", "demand_deposit", "2020-01-02", Some("2021-11-20")).await;
    sqlx::query("UPDATE accounts SET status = 'dormant' WHERE id = $1")
        .bind(sleeping)
        .execute(db.pool())
        .await
        .expect("d");
    let nearing = new_account(db, me, "7100000000000000402", "demand_deposit", "2022-02-10", Some("2022-02-10")).await;
    post(db, nearing, 100, "2022-02-10").await;
    let empty = new_account(db, me, "7100000000000000403", "demand_deposit", "2025-01-02", None).await;
    new_card(db, me, empty, "6217000000000000403").await;

    let get = |path: String| {
        let b = &b;
        async move {
            let response = b.http.get(format!("{}{path}", b.base)).send().await.expect("GET");
            assert_eq!(response.status(), 200, "GET {path}");
            response.text().await.expect("body")
        }
    };
    let overview = get("/accounts".into()).await;
    assert!(overview.contains(r#"data-notice="dormant""#) && overview.contains("2026-11-20"), "dormant since");
    assert!(overview.contains("/requests/new/reactivate"), "the reactivation link");
    assert!(overview.contains(r#"data-notice="dormant_soon""#) && overview.contains("2027-02-10"), "dormant on");
    assert!(overview.contains(r#"data-notice="empty_card""#) && overview.contains("/requests/new/account_close"));
    assert_eq!(overview.matches("data-notice=").count(), 3, "demo1's own products carry no notice");

    let page = get(format!("/accounts/{nearing}")).await;
    assert!(page.contains(r#"data-notice="dormant_soon""#) && page.contains("2027-02-10"));
    let page = get(format!("/accounts/{empty}")).await;
    assert!(page.contains(r#"data-notice="empty_card""#));
    // The closure form offers the empty card and not the funded accounts.
    assert!(overview.contains(&format!("/requests/new/account_close?account={empty}")), "the link names the card");
    let form = get(format!("/requests/new/account_close?account={empty}")).await;
    assert!(form.contains(&format!(r#"value="{empty}" selected"#)), "the empty card is offered, chosen");
    assert!(!form.contains(&format!(r#"value="{nearing}""#)), "an account with money is not");
}
