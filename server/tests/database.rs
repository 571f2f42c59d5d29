//! The database layer on SQLite and on PostgreSQL: migrations, the seed, the
//! integrity rules the schema enforces, and the write-transaction discipline.
mod support;

use app::backend::{seed, staff, Db, FixedClock};
use app::types::StaffRole;
use support::{Backend, TestDatabase, TEST_NOW};

on_both_backends!(
    migrations_are_idempotent,
    seed_grows_to_the_requested_size_and_only_adds_what_is_missing,
    foreign_keys_and_checks_are_enforced,
    staff_accounts_are_created_with_a_number,
    concurrent_write_transactions_do_not_lose_updates,
);

async fn open(backend: Backend) -> (TestDatabase, Db) {
    let database = TestDatabase::create(backend).await;
    let db = Db::connect(&database.url, 5).await.unwrap();
    db.migrate().await.unwrap();
    (database, db)
}

async fn count(db: &Db, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(db.pool()).await.unwrap()
}

async fn migrations_are_idempotent(backend: Backend) {
    let (_database, db) = open(backend).await;
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    assert_eq!(count(&db, "customers").await, 0);
    db.close().await;
}

async fn seed_grows_to_the_requested_size_and_only_adds_what_is_missing(backend: Backend) {
    let (_database, db) = open(backend).await;
    let clock = FixedClock::new(TEST_NOW);
    assert!(seed::is_empty(&db).await.unwrap());
    let first = seed::seed_demo(&db, &clock, 450).await.unwrap();
    assert_eq!((first.customers_added, first.customers_total), (450, 450));
    let again = seed::seed_demo(&db, &clock, 450).await.unwrap();
    assert_eq!(again.customers_added, 0);
    let more = seed::seed_demo(&db, &clock, 1000).await.unwrap();
    assert_eq!(more.customers_added, 550);
    assert_eq!(count(&db, "customers").await, 1000);
    assert_eq!(count(&db, "cards WHERE kind = 'debit'").await, 1000, "a debit card each");
    assert_eq!(count(&db, "branches").await, 5);
    assert_eq!(count(&db, "staff").await, seed::STAFF.len() as i64);
    assert!(count(&db, "products").await >= 10);
    let name: String = sqlx::query_scalar("SELECT full_name FROM customers WHERE customer_no = $1")
        .bind(seed::demo_customer(777).customer_no)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(name, seed::demo_customer(777).full_name, "Chinese text round-trips");
    // Customers are dated to the morning their first account opened (the insight
    // history needs them to exist at past month-ends): UTC microseconds from the
    // injected clock's day, never after it, 09:00 in the bank's zone.
    let (first, last): (i64, i64) =
        sqlx::query_as("SELECT MIN(created_at), MAX(created_at) FROM customers").fetch_one(db.pool()).await.unwrap();
    assert!(last <= TEST_NOW.micros(), "no customer dated after the clock");
    assert!(first < TEST_NOW.micros() && first > TEST_NOW.micros() - 20 * 365 * 86_400_000_000);
    assert_eq!((first - TEST_NOW.micros()).rem_euclid(86_400_000_000), 3_600_000_000, "09:00 in the bank's zone");
    db.close().await;
}

async fn foreign_keys_and_checks_are_enforced(backend: Backend) {
    let (_database, db) = open(backend).await;
    let orphan = sqlx::query(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, created_at) \
         VALUES ('C1', 'x', '123456', '13800000000', 999, 0)",
    )
    .execute(db.pool())
    .await;
    assert!(orphan.is_err(), "a customer needs an existing branch");
    seed::seed_demo(&db, &FixedClock::new(TEST_NOW), 1).await.unwrap();
    let bad_role = sqlx::query(
        "INSERT INTO staff (staff_no, full_name, role, branch_id, created_at) VALUES ('S9', 'x', 'root', 1, 0)",
    )
    .execute(db.pool())
    .await;
    assert!(bad_role.is_err(), "roles are a closed set");
    let bad_tail = sqlx::query(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, created_at) \
         SELECT 'C2', 'x', '12', '13800000000', id, 0 FROM branches WHERE code = 'B001'",
    )
    .execute(db.pool())
    .await;
    assert!(bad_tail.is_err(), "ID tails have six characters");
    db.close().await;
}

async fn staff_accounts_are_created_with_a_number(backend: Backend) {
    let (_database, db) = open(backend).await;
    let clock = FixedClock::new(TEST_NOW);
    seed::seed_demo(&db, &clock, 1).await.unwrap();
    let new = staff::NewStaff { full_name: "赵雷".into(), role: StaffRole::Advisor, branch_code: "B003".into() };
    let hasher = app::backend::identity::password::PasswordHasher::new(1, 4);
    let created = staff::create(&db, &clock, &hasher, &new).await.unwrap();
    let number = created.staff_no.clone();
    assert_eq!(number, format!("S{:05}", seed::STAFF.len() + 1));
    assert_eq!(created.initial_password.len(), 23, "20 characters in groups of five");
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM credentials WHERE username = $1")
        .bind(number.to_ascii_lowercase())
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        hasher.verify(&created.initial_password, Some(&hash)).await.unwrap().matches,
        "the initial password logs in"
    );
    let role: String = sqlx::query_scalar("SELECT role FROM staff WHERE staff_no = $1")
        .bind(&number)
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(role, "advisor");
    let unknown = staff::NewStaff { branch_code: "B999".into(), ..new.clone() };
    assert!(matches!(
        staff::create(&db, &clock, &hasher, &unknown).await,
        Err(staff::CreateStaffError::UnknownBranch(_))
    ));
    let blank = staff::NewStaff { full_name: "  ".into(), ..new };
    assert!(matches!(staff::create(&db, &clock, &hasher, &blank).await, Err(staff::CreateStaffError::BadName)));
    db.close().await;
}

/// Forty tasks each add one to a counter through read-modify-write in a write
/// transaction. With `BEGIN IMMEDIATE` (SQLite) and a row lock (PostgreSQL) every
/// increment survives; without them, updates are lost or transactions fail.
async fn concurrent_write_transactions_do_not_lose_updates(backend: Backend) {
    let (_database, db) = open(backend).await;
    sqlx::query("CREATE TABLE counter_probe (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO counter_probe (id, n) VALUES (1, 0)").execute(db.pool()).await.unwrap();
    let lock = match db.backend() {
        app::backend::Backend::Postgres => " FOR UPDATE",
        app::backend::Backend::Sqlite => "",
    };
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let db = db.clone();
            let select = format!("SELECT n FROM counter_probe WHERE id = 1{lock}");
            tokio::spawn(async move {
                let mut tx = db.begin_write().await.unwrap();
                let n: i64 = sqlx::query_scalar(&select).fetch_one(&mut *tx).await.unwrap();
                tokio::task::yield_now().await;
                sqlx::query("UPDATE counter_probe SET n = $1 WHERE id = 1")
                    .bind(n + 1)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let n: i64 = sqlx::query_scalar("SELECT n FROM counter_probe WHERE id = 1").fetch_one(db.pool()).await.unwrap();
    assert_eq!(n, 40);
    db.close().await;
}
