//! The demo data on SQLite and PostgreSQL: every customer gets a Type I account
//! behind their debit card and months of history in a sound ledger, demo1 holds
//! every product family, a second run adds nothing, and the benchmark's busy
//! account gets exactly the postings asked for.
mod support;

use app::backend::ledger::verify;
use app::backend::seed::{self, SeedOptions, BENCH_CUSTOMER};
use app::backend::{Db, FixedClock};
use app::types::Day;
use support::{Backend, TestDatabase, TEST_NOW};

on_both_backends!(
    seeded_ledger_is_sound_and_complete,
    seeding_again_adds_nothing_and_growing_keeps_it_sound,
    busy_account_gets_exactly_the_postings_asked_for,
);

async fn open(backend: Backend) -> (TestDatabase, Db) {
    let database = TestDatabase::create(backend).await;
    let db = Db::connect(&database.url, 5).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

async fn scalar(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

async fn kinds_of(db: &Db, customer: u32) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT DISTINCT a.kind FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE c.customer_no = $1 ORDER BY a.kind",
    )
    .bind(seed::demo_customer(customer).customer_no)
    .fetch_all(db.pool())
    .await
    .unwrap()
}

async fn seeded_ledger_is_sound_and_complete(backend: Backend) {
    let (_database, db) = open(backend).await;
    let clock = FixedClock::new(TEST_NOW);
    let report = seed::seed_demo(&db, &clock, 100).await.unwrap();
    assert_eq!((report.customers_added, report.histories_added), (100, 100));
    assert!(report.postings_added > 5_000, "months of history: {report:?}");

    let ledger = verify::verify(&db).await.unwrap();
    assert!(ledger.is_sound(), "{ledger:?}");
    assert_eq!(ledger.postings as u64, report.postings_added);

    // Every debit card draws on its holder's Type I demand account.
    let unlinked = scalar(
        &db,
        "SELECT COUNT(*) FROM cards k WHERE k.kind = 'debit' AND NOT EXISTS (SELECT 1 FROM accounts a \
         WHERE a.id = k.account_id AND a.customer_id = k.customer_id AND a.kind = 'demand_deposit' AND a.tier = 1)",
    )
    .await;
    assert_eq!(unlinked, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM cards WHERE kind = 'debit'").await, 100);
    let credit_unlinked = scalar(
        &db,
        "SELECT COUNT(*) FROM cards k WHERE k.kind = 'credit' AND NOT EXISTS (SELECT 1 FROM accounts a \
         WHERE a.id = k.account_id AND a.customer_id = k.customer_id AND a.kind = 'credit_card')",
    )
    .await;
    assert_eq!(credit_unlinked, 0);

    // demo1 holds one of every family and has a relationship manager.
    let demo1 = kinds_of(&db, 1).await;
    for kind in ["credit_card", "demand_deposit", "installment_savings", "loan", "notice_deposit", "time_deposit"] {
        assert!(demo1.iter().any(|k| k == kind), "demo1 lacks {kind}: {demo1:?}");
    }
    let c1 = seed::demo_customer(1).customer_no;
    let funds: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM fund_holdings f JOIN customers c ON c.id = f.customer_id WHERE c.customer_no = $1",
    )
    .bind(&c1)
    .fetch_one(db.pool())
    .await
    .unwrap();
    let policies: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM insurance_policies p JOIN customers c ON c.id = p.customer_id WHERE c.customer_no = $1",
    )
    .bind(&c1)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(funds >= 1 && policies >= 1, "funds {funds}, policies {policies}");
    let manager_role: String = sqlx::query_scalar(
        "SELECT s.role FROM customers c JOIN staff s ON s.id = c.relationship_manager_id WHERE c.customer_no = $1",
    )
    .bind(&c1)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(manager_role, "advisor");
    let today = Day::parse("2026-11-29").unwrap();
    let (soon, pay_out): (i64, i64) = sqlx::query_as(
        "SELECT SUM(CASE WHEN a.maturity_date <= $2 THEN 1 ELSE 0 END), \
         SUM(CASE WHEN a.at_maturity = 'pay_out' THEN 1 ELSE 0 END) FROM accounts a \
         JOIN customers c ON c.id = a.customer_id WHERE c.customer_no = $1 AND a.kind = 'time_deposit'",
    )
    .bind(&c1)
    .bind(today.plus_days(30).to_string())
    .fetch_one(db.pool())
    .await
    .map(|(a, b): (Option<i64>, Option<i64>)| (a.unwrap_or(0), b.unwrap_or(0)))
    .unwrap();
    assert!(soon >= 1 && pay_out >= 1, "maturing soon {soon}, paying out {pay_out}");
    let demo2 = kinds_of(&db, 2).await;
    for kind in ["credit_card", "demand_deposit", "time_deposit"] {
        assert!(demo2.iter().any(|k| k == kind), "demo2 lacks {kind}: {demo2:?}");
    }

    // demo1 and demo2 find each other by account number and full name, as a transfer does.
    for (payee, payer) in [(2, 1), (1, 2)] {
        let c = seed::demo_customer(payee);
        let (name, balance): (String, i64) = sqlx::query_as(
            "SELECT c.full_name, a.balance FROM accounts a JOIN customers c ON c.id = a.customer_id \
             WHERE a.account_no = $1 AND a.kind = 'demand_deposit' AND a.status = 'active'",
        )
        .bind(&c.account_no)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert_eq!(name, c.full_name);
        assert!(balance > 0);
        let counterparties: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM postings p JOIN accounts a ON a.id = p.account_id \
             WHERE a.account_no = $1 AND p.counterparty = $2",
        )
        .bind(&seed::demo_customer(payer).account_no)
        .bind(&c.full_name)
        .fetch_one(db.pool())
        .await
        .unwrap();
        assert!(counterparties > 0, "customer {payer} has paid or been paid by {payee}");
    }

    // History spans months, statements read in time order, the daily job starts clean.
    let (first, last): (String, String) = sqlx::query_as(
        "SELECT MIN(value_date), MAX(value_date) FROM postings p JOIN accounts a ON a.id = p.account_id \
                        WHERE a.account_no = $1",
    )
    .bind(&seed::demo_customer(1).account_no)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(first <= today.plus_days(-180).to_string() && last < today.to_string(), "{first}..{last}");
    let out_of_order = scalar(
        &db,
        "SELECT COUNT(*) FROM postings p JOIN postings q ON q.account_id = p.account_id AND q.id > p.id \
         JOIN accounts a ON a.id = p.account_id WHERE a.kind <> 'internal' AND q.value_date < p.value_date",
    )
    .await;
    assert_eq!(out_of_order, 0, "each account's postings are in date order");
    let yesterday = today.plus_days(-1).to_string();
    let unclean: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE kind <> 'internal' \
         AND (accrual_base <> 0 OR accrued_through IS NULL OR accrued_through <> $1 OR last_activity_on IS NULL)",
    )
    .bind(&yesterday)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(unclean, 0);
    let future = scalar(&db, "SELECT COUNT(*) FROM journal_entries WHERE created_at > 1795910400000000").await;
    assert_eq!(future, 0, "nothing happened after the clock's now");

    // Customer 97 has slept for over five years.
    let (status, last_activity): (String, String) = sqlx::query_as(
        "SELECT a.status, a.last_activity_on FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE c.customer_no = $1",
    )
    .bind(seed::demo_customer(97).customer_no)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(status, "dormant");
    assert!(last_activity < today.plus_days(-5 * 365).to_string(), "{last_activity}");
    db.close().await;
}

async fn seeding_again_adds_nothing_and_growing_keeps_it_sound(backend: Backend) {
    let (_database, db) = open(backend).await;
    let clock = FixedClock::new(TEST_NOW);
    // An odd size leaves customer 41 without the partner it later gets.
    let first = seed::seed_demo(&db, &clock, 41).await.unwrap();
    let again = seed::seed_demo(&db, &clock, 41).await.unwrap();
    assert_eq!((again.customers_added, again.histories_added, again.postings_added), (0, 0, 0));
    assert_eq!(again.postings_total, first.postings_total);
    let postings = scalar(&db, "SELECT COUNT(*) FROM postings").await;
    assert_eq!(postings as u64, first.postings_total);

    // A day later, growing adds only the new customers' histories.
    clock.advance_seconds(86_400);
    let grown = seed::seed_demo(&db, &clock, 60).await.unwrap();
    assert_eq!((grown.customers_added, grown.histories_added), (19, 19));
    assert_eq!(grown.postings_total, first.postings_total + grown.postings_added);
    let ledger = verify::verify(&db).await.unwrap();
    assert!(ledger.is_sound(), "{ledger:?}");
    let accounts_of_41 = kinds_of(&db, 41).await;
    assert!(accounts_of_41.iter().any(|k| k == "demand_deposit"));
    db.close().await;
}

async fn busy_account_gets_exactly_the_postings_asked_for(backend: Backend) {
    let (_database, db) = open(backend).await;
    let clock = FixedClock::new(TEST_NOW);
    let options = SeedOptions { customers: 4, busy_postings: 1_500 };
    let report = seed::seed_demo_with(&db, &clock, chrono_tz::Asia::Shanghai, options).await.unwrap();
    assert_eq!((report.customers_added, report.customers_total, report.histories_added), (4, 4, 5));
    assert!(seed::bench_customer_present(&db).await.unwrap());
    let bench = seed::demo_customer(BENCH_CUSTOMER);
    let on_account: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM postings p JOIN accounts a ON a.id = p.account_id WHERE a.account_no = $1",
    )
    .bind(&bench.account_no)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(on_account, 1_500);
    let again = seed::seed_demo_with(&db, &clock, chrono_tz::Asia::Shanghai, options).await.unwrap();
    assert_eq!((again.customers_added, again.postings_added), (0, 0));
    assert!(verify::verify(&db).await.unwrap().is_sound());
    db.close().await;
}
