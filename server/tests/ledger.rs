//! The ledger's guarantees under load and under attack, on SQLite and PostgreSQL:
//! thousands of concurrent transfers (with replays) neither create nor lose money
//! and never overdraw; two withdrawals racing for one balance never both win;
//! opposite transfers never deadlock; the database refuses to rewrite history;
//! daily limits hold under concurrency; idempotency keys answer once.
//!
//! The fixtures are the tests' own: the server is started in production mode (no
//! demo data), and each test creates its branch, customers and accounts by SQL and
//! funds them with a journal entry from the bank's clearing account.
mod support;

use app::backend::audit;
use app::backend::auth::CustomerChange;
use app::backend::ledger::internal::Internal;
use app::backend::ledger::transfer::{self, Destination, StepUp, TransferRequest};
use app::backend::ledger::{self, verify, Entry, Line, PostError};
use app::backend::{AppState, Db};
use app::error::{AppError, ErrorCode};
use app::types::{Amount, Day, IdempotencyKey, Money, Receipt};
use server::config::Mode;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use support::{Backend, TestServer, TEST_NOW};
use tokio::sync::{Barrier, Semaphore};
use tokio::task::JoinSet;

on_both_backends!(
    concurrent_random_transfers_conserve_money_and_answer_once,
    two_withdrawals_racing_for_one_balance_never_both_win,
    opposite_transfers_at_the_same_time_do_not_deadlock,
    the_database_refuses_to_rewrite_the_ledger,
    post_refuses_unbalanced_and_overdrawing_entries_and_posts_a_reference_once,
    daily_limit_holds_under_concurrent_payments_and_own_moves_do_not_count,
    idempotency_keys_answer_once_refuse_other_content_and_survive_refusals,
);

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

/// A server over an empty ledger: production mode, so no demo data is seeded.
async fn start(backend: Backend) -> TestServer {
    TestServer::start_with(backend, |config| config.mode = Mode::Production).await
}

#[derive(Clone, Debug)]
struct Account {
    id: i64,
    no: String,
}

#[derive(Clone, Debug)]
struct Customer {
    id: i64,
    name: String,
    accounts: Vec<Account>,
}

impl Customer {
    fn who(&self) -> CustomerChange {
        CustomerChange { customer_id: self.id, credential_id: 0, on_behalf_of: None }
    }

    fn pay_to(&self, account: usize) -> Destination {
        Destination::Other { account_no: self.accounts[account].no.clone(), holder_name: self.name.clone() }
    }
}

/// Numbers customers and accounts uniquely within one test process.
static SERIAL: AtomicU64 = AtomicU64::new(1);

/// A branch of the tests' own (the demo branches are not seeded in production mode).
async fn branch(db: &Db) -> i64 {
    let code = format!("LT{:03}", SERIAL.fetch_add(1, Ordering::SeqCst));
    sqlx::query_scalar(
        "INSERT INTO branches (code, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en, created_at) \
         VALUES ($1, '测试支行', 'Test branch', '测试路1号', '1 Test Road', '010-00000000', '9:00-17:00', \
         '9:00-17:00', $2) RETURNING id",
    )
    .bind(code)
    .bind(TEST_NOW.micros())
    .fetch_one(db.pool())
    .await
    .unwrap()
}

/// A customer with one active demand deposit per entry of `tiers` (1, 2 or 3).
async fn customer(db: &Db, branch_id: i64, tiers: &[i64]) -> Customer {
    let n = SERIAL.fetch_add(1, Ordering::SeqCst);
    let name = format!("测试客户{n:04}");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, status, created_at) \
         VALUES ($1, $2, '000000', $3, $4, 'active', $5) RETURNING id",
    )
    .bind(format!("LT{n:07}"))
    .bind(&name)
    .bind(format!("139{n:08}"))
    .bind(branch_id)
    .bind(TEST_NOW.micros())
    .fetch_one(db.pool())
    .await
    .unwrap();
    let mut accounts = Vec::new();
    for &tier in tiers {
        let no = format!("88{:017}", SERIAL.fetch_add(1, Ordering::SeqCst));
        let account_id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (account_no, customer_id, kind, tier, status, opened_on, opened_at) \
             VALUES ($1, $2, 'demand_deposit', $3, 'active', '2026-01-05', $4) RETURNING id",
        )
        .bind(&no)
        .bind(id)
        .bind(tier)
        .bind(TEST_NOW.micros())
        .fetch_one(db.pool())
        .await
        .unwrap();
        accounts.push(Account { id: account_id, no });
    }
    Customer { id, name, accounts }
}

fn today() -> Day {
    Day::parse("2026-11-29").unwrap()
}

/// Pays `fen` in from the bank's clearing account (a cash deposit at the counter).
async fn fund(state: &AppState, account_id: i64, fen: i64) {
    let mut tx = state.db.begin_write().await.unwrap();
    let clearing = Internal::Clearing.id(&mut tx).await.unwrap();
    let entry = Entry {
        kind: "cash",
        reference: None,
        memo: "test funding".into(),
        value_date: today(),
        lines: vec![
            Line { account_id: clearing, amount: -fen, counterparty: "测试".into() },
            Line { account_id, amount: fen, counterparty: "现金存入".into() },
        ],
    };
    ledger::post(&mut tx, state.db.backend(), &entry, TEST_NOW).await.unwrap();
    tx.commit().await.unwrap();
}

async fn clearing_id(db: &Db) -> i64 {
    let mut tx = db.begin_write().await.unwrap();
    let id = Internal::Clearing.id(&mut tx).await.unwrap();
    tx.rollback().await.unwrap();
    id
}

async fn balance(db: &Db, account_id: i64) -> i64 {
    sqlx::query_scalar("SELECT balance FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::parse(text).unwrap()
}

fn request(from: i64, to: Destination, fen: i64, key_text: &str) -> TransferRequest {
    TransferRequest {
        from,
        to,
        amount: Amount::new(Money::yuan_fen(fen)).unwrap(),
        memo: String::new(),
        key: key(key_text),
        save_payee: false,
    }
}

async fn send(state: &AppState, who: &CustomerChange, request: &TransferRequest) -> Result<Receipt, AppError> {
    transfer::transfer(state, who, request, StepUp::Fresh, "192.0.2.0/24").await
}

fn code_of(result: &Result<Receipt, AppError>) -> Option<ErrorCode> {
    result.as_ref().err().map(|e| e.code)
}

/// The whole-database check every test ends with.
async fn assert_sound(db: &Db) {
    let report = verify::verify(db).await.unwrap();
    assert!(report.is_sound(), "ledger not sound: {report:?}");
}

/// PostgreSQL: how many deadlocks the server detected in this test's database, even
/// ones a retry hid. A backend reports its statistics as it exits, before it leaves
/// `pg_stat_activity`; so the test's connections are closed (and any the pool keeps
/// are ended), and once none is left the count is complete. Call it last.
async fn pg_deadlocks(srv: &TestServer) -> i64 {
    srv.state.db.close().await;
    let name = srv.database.url.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let admin = Db::connect(&support::postgres_admin_url().unwrap(), 1).await.unwrap();
    // Client connections only: autovacuum may be busy in the database after a load test.
    let clients = "FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'";
    sqlx::query(&format!("SELECT pg_terminate_backend(pid) {clients}"))
        .bind(&name)
        .execute(admin.pool())
        .await
        .unwrap();
    let mut live = -1;
    for _ in 0..600 {
        live = sqlx::query_scalar(&format!("SELECT COUNT(*) {clients}"))
            .bind(&name)
            .fetch_one(admin.pool())
            .await
            .unwrap();
        if live == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(live, 0, "connections to {name} still open after they were ended");
    let deadlocks: i64 = sqlx::query_scalar("SELECT deadlocks FROM pg_stat_database WHERE datname = $1")
        .bind(&name)
        .fetch_one(admin.pool())
        .await
        .unwrap();
    admin.close().await;
    deadlocks
}

/// A small deterministic generator (splitmix64): the same plan on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `low..=high`.
    fn range(&mut self, low: i64, high: i64) -> i64 {
        low + (self.next() % (high - low + 1) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

// ---------------------------------------------------------------------------
// 1. Stress
// ---------------------------------------------------------------------------

const STRESS_CUSTOMERS: usize = 20;
const STRESS_REQUESTS: usize = 3_000;
const STRESS_IN_FLIGHT: usize = 32;

/// One planned request: who sends it, and what. Replays are copies of an earlier plan entry.
#[derive(Clone, Debug)]
struct Planned {
    customer: usize,
    request: TransferRequest,
    /// Where the money would go (for the expected balances).
    to_account: i64,
}

async fn concurrent_random_transfers_conserve_money_and_answer_once(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    let mut customers = Vec::new();
    for _ in 0..STRESS_CUSTOMERS {
        customers.push(customer(db, branch_id, &[1, 1]).await);
    }
    let mut rng = Rng(0x1ed9_e720_2611_2900);
    let mut funded: BTreeMap<i64, i64> = BTreeMap::new();
    for c in &customers {
        for a in &c.accounts {
            let fen = rng.range(500_00, 5_000_00);
            fund(&state, a.id, fen).await;
            funded.insert(a.id, fen);
        }
    }
    let funded_total: i64 = funded.values().sum();
    let clearing = clearing_id(db).await;
    assert_eq!(balance(db, clearing).await, -funded_total);
    let postings_before = count(db, "SELECT COUNT(*) FROM postings").await;

    // The plan: own-account moves and payments to others, amounts often above the
    // balance; about one request in ten re-sends an earlier one with its key, some of
    // them right behind the original so that both are in flight together.
    let mut plan: Vec<Planned> = Vec::with_capacity(STRESS_REQUESTS);
    let mut fresh = 0usize;
    while plan.len() < STRESS_REQUESTS {
        if !plan.is_empty() && rng.chance(10) {
            let back = rng.range(0, (plan.len() as i64 - 1).min(40)) as usize;
            plan.push(plan[plan.len() - 1 - back].clone());
            continue;
        }
        let ci = rng.range(0, STRESS_CUSTOMERS as i64 - 1) as usize;
        let c = &customers[ci];
        let from_index = rng.range(0, 1) as usize;
        let from = c.accounts[from_index].id;
        let (to, to_account) = if rng.chance(30) {
            let other = &c.accounts[1 - from_index];
            (Destination::Own(other.id), other.id)
        } else {
            let mut pi = rng.range(0, STRESS_CUSTOMERS as i64 - 2) as usize;
            if pi >= ci {
                pi += 1;
            }
            let ai = rng.range(0, 1) as usize;
            (customers[pi].pay_to(ai), customers[pi].accounts[ai].id)
        };
        // Half small, half up to ¥4,000: the latter often exceed what is there.
        let fen = if rng.chance(50) { rng.range(1, 300_00) } else { rng.range(300_00, 4_000_00) };
        fresh += 1;
        let mut req = request(from, to, fen, &format!("stress-{fresh:06}-{:08x}", rng.next() as u32));
        req.memo = if rng.chance(50) { format!("房租 {fresh}") } else { String::new() };
        req.save_payee = !matches!(req.to, Destination::Own(_)) && rng.chance(15);
        plan.push(Planned { customer: ci, request: req, to_account });
        if rng.chance(3) {
            plan.push(plan[plan.len() - 1].clone());
        }
    }
    plan.truncate(STRESS_REQUESTS);

    let results = run_all(&state, &customers, &plan, STRESS_IN_FLIGHT).await;

    // Only refusals for want of funds; no conflict, deadlock or busy ever surfaces.
    let unexpected: Vec<_> = results
        .iter()
        .filter_map(|(i, r)| match r {
            Err(e) if e.code != ErrorCode::InsufficientFunds => Some((*i, e.clone())),
            _ => None,
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected answers ({}): {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(10)]
    );
    let ok = results.iter().filter(|(_, r)| r.is_ok()).count();
    let refused = results.len() - ok;
    eprintln!("{backend:?}: {ok} transfers answered, {refused} refused for insufficient funds");
    assert!(ok >= STRESS_REQUESTS / 5, "too few transfers succeeded to prove anything: {ok}");
    assert!(refused >= STRESS_REQUESTS / 20, "too few refusals to prove overdrafts are stopped: {refused}");

    // Every answer for one key is the same receipt; different keys, different receipts.
    let mut by_key: HashMap<String, Vec<&Receipt>> = HashMap::new();
    for (i, result) in &results {
        if let Ok(receipt) = result {
            by_key.entry(plan[*i].request.key.as_str().to_owned()).or_default().push(receipt);
        }
    }
    let mut replayed_ok = 0;
    for (k, receipts) in &by_key {
        assert!(receipts.windows(2).all(|w| w[0] == w[1]), "key {k} got different receipts: {receipts:?}");
        if receipts.len() > 1 {
            replayed_ok += 1;
        }
    }
    assert!(replayed_ok >= 20, "replays of successful requests were exercised only {replayed_ok} times");
    let receipt_nos: BTreeSet<String> = by_key.values().map(|r| r[0].receipt_no.clone()).collect();
    assert_eq!(receipt_nos.len(), by_key.len(), "two keys share a receipt number");

    // The transfers table: exactly one row per successful key, with that key's receipt and amount.
    let rows: Vec<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT receipt_no, from_account_id, to_account_id, amount FROM transfers")
            .fetch_all(db.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), by_key.len(), "transfers rows vs distinct successful keys");
    let row_nos: BTreeSet<String> = rows.iter().map(|r| r.0.clone()).collect();
    assert_eq!(row_nos, receipt_nos, "every receipt appears exactly once in transfers");
    let request_of: HashMap<&str, &Planned> = plan.iter().map(|p| (p.request.key.as_str(), p)).collect();
    let mut expected = funded.clone();
    for (k, receipts) in &by_key {
        let p = request_of[k.as_str()];
        let row = rows.iter().find(|r| r.0 == receipts[0].receipt_no).unwrap();
        assert_eq!(
            (row.1, row.2, row.3),
            (p.request.from, p.to_account, p.request.amount.minor()),
            "transfer {k} recorded as asked"
        );
        *expected.get_mut(&p.request.from).unwrap() -= p.request.amount.minor();
        *expected.get_mut(&p.to_account).unwrap() += p.request.amount.minor();
    }

    // Money: each account holds what it was funded with plus what the successful
    // transfers moved (once each); nothing is negative; the total is unchanged.
    let mut customer_total = 0;
    for (&account, &want) in &expected {
        let got = balance(db, account).await;
        assert!(got >= 0, "account {account} overdrawn: {got}");
        assert_eq!(got, want, "account {account}: balance vs funding plus transfers");
        customer_total += got;
    }
    assert_eq!(customer_total, funded_total, "money was created or lost");
    let internal: i64 =
        count(db, "SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM accounts WHERE kind = 'internal'").await;
    assert_eq!(customer_total + internal, 0, "customers plus the bank's own accounts sum to zero");
    assert_eq!(count(db, "SELECT COUNT(*) FROM postings").await, postings_before + 2 * rows.len() as i64);
    assert_sound(db).await;
    // Payees saved along the way went through the audit chain, concurrently.
    assert!(audit::verify_chain(db).await.is_ok(), "audit chain broken after the run");

    // Afterwards: the same keys with other amounts are refused (even all at once), the
    // same keys with the same content get the first receipt, and nothing moves.
    let sample: Vec<(String, Receipt)> = by_key.iter().take(24).map(|(k, r)| (k.clone(), r[0].clone())).collect();
    let mut set = JoinSet::new();
    for (k, receipt) in sample {
        let p = request_of[k.as_str()].clone();
        let who = customers[p.customer].who();
        let state = state.clone();
        set.spawn(async move {
            let mut other = p.request.clone();
            other.amount = Amount::new(Money::yuan_fen(p.request.amount.minor() + 1)).unwrap();
            let conflict = send(&state, &who, &other).await;
            let replay = send(&state, &who, &p.request).await;
            (k, receipt, conflict, replay)
        });
    }
    while let Some(joined) = set.join_next().await {
        let (k, receipt, conflict, replay) = joined.unwrap();
        assert_eq!(code_of(&conflict), Some(ErrorCode::IdempotencyConflict), "key {k} reused with another amount");
        assert_eq!(replay.as_ref().ok(), Some(&receipt), "key {k} replayed");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, rows.len() as i64);
    for (&account, &want) in &expected {
        assert_eq!(balance(db, account).await, want);
    }
    assert_sound(db).await;
    if backend == Backend::Postgres {
        assert_eq!(pg_deadlocks(&srv).await, 0, "PostgreSQL detected deadlocks");
    }
}

/// Runs `plan` with at most `in_flight` requests at once, in plan order.
async fn run_all(
    state: &AppState,
    customers: &[Customer],
    plan: &[Planned],
    in_flight: usize,
) -> Vec<(usize, Result<Receipt, AppError>)> {
    let permits = Arc::new(Semaphore::new(in_flight));
    let mut set = JoinSet::new();
    for (i, p) in plan.iter().enumerate() {
        let permit = permits.clone().acquire_owned().await.unwrap();
        let state = state.clone();
        let who = customers[p.customer].who();
        let request = p.request.clone();
        set.spawn(async move {
            let result = send(&state, &who, &request).await;
            drop(permit);
            (i, result)
        });
    }
    let mut results = Vec::with_capacity(plan.len());
    while let Some(joined) = set.join_next().await {
        results.push(joined.unwrap());
    }
    results.sort_by_key(|(i, _)| *i);
    results
}

// ---------------------------------------------------------------------------
// 2. Two withdrawals racing for one balance
// ---------------------------------------------------------------------------

async fn two_withdrawals_racing_for_one_balance_never_both_win(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    let payee_a = customer(db, branch_id, &[1]).await;
    let payee_b = customer(db, branch_id, &[1]).await;
    const ROUNDS: usize = 50;
    for round in 0..ROUNDS {
        let payer = customer(db, branch_id, &[1]).await;
        let from = payer.accounts[0].id;
        fund(&state, from, 100_00).await;
        let barrier = Arc::new(Barrier::new(2));
        let mut set = JoinSet::new();
        for (i, payee) in [&payee_a, &payee_b].into_iter().enumerate() {
            let (state, barrier, who) = (state.clone(), barrier.clone(), payer.who());
            let request = request(from, payee.pay_to(0), 60_00, &format!("race-{round:04}-{i}-withdrawal"));
            set.spawn(async move {
                barrier.wait().await;
                send(&state, &who, &request).await
            });
        }
        let mut codes = Vec::new();
        while let Some(joined) = set.join_next().await {
            codes.push(code_of(&joined.unwrap()));
        }
        codes.sort_by_key(|c| c.is_some());
        assert_eq!(codes, vec![None, Some(ErrorCode::InsufficientFunds)], "round {round}: exactly one withdrawal wins");
        assert_eq!(balance(db, from).await, 40_00, "round {round}: ¥100 − ¥60 is left");
    }
    let received = balance(db, payee_a.accounts[0].id).await + balance(db, payee_b.accounts[0].id).await;
    assert_eq!(received, ROUNDS as i64 * 60_00, "the payees got one ¥60 per round");
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, ROUNDS as i64);
    assert_sound(db).await;
}

// ---------------------------------------------------------------------------
// 3. Opposite directions at the same time
// ---------------------------------------------------------------------------

async fn opposite_transfers_at_the_same_time_do_not_deadlock(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    let a = customer(db, branch_id, &[1]).await;
    let b = customer(db, branch_id, &[1]).await;
    fund(&state, a.accounts[0].id, 10_000_00).await;
    fund(&state, b.accounts[0].id, 10_000_00).await;
    let mut rng = Rng(0x0dd0_c0de);
    let (mut bal_a, mut bal_b) = (10_000_00i64, 10_000_00i64);
    let pick = |rng: &mut Rng, bal: i64| rng.range(1, (bal / 4).clamp(1, 500_00));
    const ROUNDS: usize = 60;
    for round in 0..ROUNDS {
        // Two payments each way, each payer's two fitting in what it has at the start
        // of the round: all four must go through, whatever order they lock in.
        let amounts: Vec<(bool, i64)> = vec![
            (true, pick(&mut rng, bal_a)),
            (false, pick(&mut rng, bal_b)),
            (true, pick(&mut rng, bal_a)),
            (false, pick(&mut rng, bal_b)),
        ];
        let barrier = Arc::new(Barrier::new(amounts.len()));
        let mut set = JoinSet::new();
        for (i, &(a_pays, fen)) in amounts.iter().enumerate() {
            let (payer, payee) = if a_pays { (&a, &b) } else { (&b, &a) };
            let request = request(payer.accounts[0].id, payee.pay_to(0), fen, &format!("opposite-{round:04}-{i}-key"));
            let (state, barrier, who) = (state.clone(), barrier.clone(), payer.who());
            set.spawn(async move {
                barrier.wait().await;
                send(&state, &who, &request).await
            });
        }
        while let Some(joined) = set.join_next().await {
            let result = joined.unwrap();
            assert!(result.is_ok(), "round {round}: {:?}", result.err());
        }
        for (a_pays, fen) in amounts {
            let delta = if a_pays { fen } else { -fen };
            bal_a -= delta;
            bal_b += delta;
        }
        assert_eq!((balance(db, a.accounts[0].id).await, balance(db, b.accounts[0].id).await), (bal_a, bal_b));
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, 4 * ROUNDS as i64);
    assert_sound(db).await;
    // Not even a deadlock that a retry would have hidden: the rows are locked in one order.
    if backend == Backend::Postgres {
        assert_eq!(pg_deadlocks(&srv).await, 0, "PostgreSQL detected deadlocks");
    }
}

// ---------------------------------------------------------------------------
// 4. Append-only
// ---------------------------------------------------------------------------

/// Runs `sql` (binding `id`) in its own statement and says whether the database refused it.
async fn refused(db: &Db, sql: &str, id: i64) -> bool {
    match sqlx::query(sql).bind(id).execute(db.pool()).await {
        Err(sqlx::Error::Database(_)) => true,
        Err(other) => panic!("{sql}: unexpected error {other}"),
        Ok(_) => false,
    }
}

/// Everything a rewrite could touch, to compare before and after.
async fn ledger_snapshot(db: &Db) -> Vec<String> {
    let postings: Vec<(i64, i64, i64, i64, i64)> =
        sqlx::query_as("SELECT id, journal_id, account_id, amount, balance_after FROM postings ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let entries: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, kind, memo FROM journal_entries ORDER BY id").fetch_all(db.pool()).await.unwrap();
    let transfers: Vec<(i64, String, i64, i64)> =
        sqlx::query_as("SELECT id, receipt_no, amount, journal_id FROM transfers ORDER BY id")
            .fetch_all(db.pool())
            .await
            .unwrap();
    let balances: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, balance FROM accounts ORDER BY id").fetch_all(db.pool()).await.unwrap();
    vec![format!("{postings:?}"), format!("{entries:?}"), format!("{transfers:?}"), format!("{balances:?}")]
}

async fn the_database_refuses_to_rewrite_the_ledger(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    let payer = customer(db, branch_id, &[1]).await;
    let payee = customer(db, branch_id, &[1]).await;
    let from = payer.accounts[0].id;
    fund(&state, from, 500_00).await;
    let receipt =
        send(&state, &payer.who(), &request(from, payee.pay_to(0), 123_45, "append-only-transfer-1")).await.unwrap();
    // System work carries a reference (one entry per reference, whatever replaces it).
    let mut tx = db.begin_write().await.unwrap();
    let clearing = Internal::Clearing.id(&mut tx).await.unwrap();
    let interest = Entry {
        kind: "interest",
        reference: Some("interest:2026-11-29:append-only".into()),
        memo: String::new(),
        value_date: today(),
        lines: vec![
            Line { account_id: clearing, amount: -5, counterparty: String::new() },
            Line { account_id: from, amount: 5, counterparty: String::new() },
        ],
    };
    let interest_id = ledger::post(&mut tx, db.backend(), &interest, TEST_NOW).await.unwrap();
    tx.commit().await.unwrap();
    // The last posting now credits the payer with exactly ¥1: a balance update by the
    // same amount must still be told apart from the posting that made it.
    fund(&state, from, 1_00).await;
    let (transfer_id, journal_id): (i64, i64) =
        sqlx::query_as("SELECT id, journal_id FROM transfers WHERE receipt_no = $1")
            .bind(&receipt.receipt_no)
            .fetch_one(db.pool())
            .await
            .unwrap();
    let posting_id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM postings").fetch_one(db.pool()).await.unwrap();
    let before = ledger_snapshot(db).await;

    for (sql, id) in [
        ("UPDATE postings SET amount = amount + 100 WHERE id = $1", posting_id),
        ("UPDATE postings SET balance_after = 0 WHERE id = $1", posting_id),
        ("UPDATE postings SET counterparty = 'someone else' WHERE journal_id = $1", journal_id),
        ("DELETE FROM postings WHERE id = $1", posting_id),
        ("DELETE FROM postings WHERE journal_id = $1", journal_id),
        ("UPDATE journal_entries SET memo = 'rewritten' WHERE id = $1", journal_id),
        ("UPDATE journal_entries SET value_date = '2026-01-01' WHERE id = $1", journal_id),
        ("DELETE FROM journal_entries WHERE id = $1", journal_id),
        ("UPDATE transfers SET amount = 1 WHERE id = $1", transfer_id),
        ("UPDATE transfers SET payee_name = 'someone else' WHERE id = $1", transfer_id),
        ("DELETE FROM transfers WHERE id = $1", transfer_id),
        ("UPDATE accounts SET balance = balance + 100 WHERE id = $1", from),
        ("UPDATE accounts SET balance = balance + 1000000 WHERE id = $1", from),
        ("UPDATE accounts SET balance = 0 WHERE id = $1", from),
        ("UPDATE accounts SET balance = balance - 100 WHERE id = $1", payee.accounts[0].id),
    ] {
        assert!(refused(db, sql, id).await, "the database allowed: {sql}");
    }
    match db.backend() {
        app::backend::Backend::Sqlite => {
            // A replacing insert deletes the old row without firing the delete triggers.
            let replacing = [
                "INSERT OR REPLACE INTO postings (id, journal_id, account_id, amount, balance_after, counterparty, \
                 value_date, created_at) SELECT id, journal_id, account_id, amount, balance_after, 'x', value_date, \
                 created_at FROM postings WHERE id = $1",
                "REPLACE INTO postings (id, journal_id, account_id, amount, balance_after, counterparty, value_date, \
                 created_at) SELECT id, journal_id, account_id, amount, balance_after, 'x', value_date, created_at \
                 FROM postings WHERE id = $1",
            ];
            for sql in replacing {
                assert!(refused(db, sql, posting_id).await, "the database allowed: {sql}");
            }
            for sql in [
                "INSERT OR REPLACE INTO journal_entries (id, kind, ref, memo, value_date, created_at) \
                 SELECT id, kind, ref, 'rewritten', value_date, created_at FROM journal_entries WHERE id = $1",
                "INSERT OR REPLACE INTO transfers (id, receipt_no, customer_id, from_account_id, to_account_id, \
                 payee_name, amount, memo, counts_to_limit, local_date, journal_id, created_at) SELECT id, receipt_no, \
                 customer_id, from_account_id, to_account_id, payee_name, 1, memo, counts_to_limit, local_date, \
                 journal_id, created_at FROM transfers WHERE id = $1",
            ] {
                let id = if sql.contains("journal_entries") { journal_id } else { transfer_id };
                assert!(refused(db, sql, id).await, "the database allowed: {sql}");
            }
            // Replacing an entry by its reference (a new id) is skipped or refused: the
            // snapshot below shows the first entry is still there, unchanged.
            let _ = sqlx::query(
                "INSERT OR REPLACE INTO journal_entries (kind, ref, memo, value_date, created_at) \
                 SELECT kind, ref, 'rewritten', value_date, created_at FROM journal_entries WHERE id = $1",
            )
            .bind(interest_id)
            .execute(db.pool())
            .await;
        }
        app::backend::Backend::Postgres => {
            // An upsert that lands on an existing row is an UPDATE, and refused as one.
            let upsert = "INSERT INTO transfers (receipt_no, customer_id, from_account_id, to_account_id, payee_name, \
                 amount, memo, counts_to_limit, local_date, journal_id, created_at) SELECT receipt_no, customer_id, \
                 from_account_id, to_account_id, payee_name, amount, memo, counts_to_limit, local_date, journal_id, \
                 created_at FROM transfers WHERE id = $1 ON CONFLICT (receipt_no) DO UPDATE SET amount = 1";
            assert!(refused(db, upsert, transfer_id).await, "the database allowed: {upsert}");
            for table in ["postings", "journal_entries", "transfers"] {
                let sql = format!("TRUNCATE {table} CASCADE");
                assert!(sqlx::query(&sql).execute(db.pool()).await.is_err(), "the database allowed: {sql}");
            }
        }
    }

    // A posting must carry the balance it leaves: a wrong one is refused, and the
    // transaction that tried it leaves nothing behind.
    let mut tx = db.begin_write().await.unwrap();
    let journal: i64 = sqlx::query_scalar(
        "INSERT INTO journal_entries (kind, memo, value_date, created_at) VALUES ('cash', 'forged', '2026-11-29', $1) \
         RETURNING id",
    )
    .bind(TEST_NOW.micros())
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let current = balance(db, from).await;
    let wrong = sqlx::query(
        "INSERT INTO postings (journal_id, account_id, amount, balance_after, counterparty, value_date, created_at) \
         VALUES ($1, $2, 100, $3, '', '2026-11-29', $4)",
    )
    .bind(journal)
    .bind(from)
    .bind(current + 100 + 1)
    .bind(TEST_NOW.micros())
    .execute(&mut *tx)
    .await;
    assert!(matches!(wrong, Err(sqlx::Error::Database(_))), "a posting with a wrong balance_after was accepted");
    drop(tx);

    assert_eq!(ledger_snapshot(db).await, before, "a refused rewrite changed something");
    assert_sound(db).await;
}

async fn post_refuses_unbalanced_and_overdrawing_entries_and_posts_a_reference_once(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    let c = customer(db, branch_id, &[1, 1]).await;
    let (one, two) = (c.accounts[0].id, c.accounts[1].id);
    fund(&state, one, 100_00).await;
    let clearing = clearing_id(db).await;
    let before = ledger_snapshot(db).await;
    let line = |account_id: i64, amount: i64| Line { account_id, amount, counterparty: String::new() };
    let entry = |reference: Option<&str>, lines: Vec<Line>| Entry {
        kind: "cash",
        reference: reference.map(str::to_owned),
        memo: String::new(),
        value_date: today(),
        lines,
    };

    let unbalanced = [
        entry(None, vec![line(clearing, -100), line(one, 99)]),
        entry(None, vec![line(clearing, -100), line(one, 100), line(two, 1)]),
        entry(None, vec![line(one, 100)]),
        entry(None, vec![]),
        entry(None, vec![line(clearing, 0), line(one, 0)]),
        entry(None, vec![line(clearing, -100), line(one, 100), line(two, 0)]),
        entry(None, vec![line(clearing, i64::MIN), line(one, i64::MIN), line(two, 0)]),
    ];
    for e in &unbalanced {
        // Committed on purpose: whatever post() wrote before refusing would stay.
        let mut tx = db.begin_write().await.unwrap();
        let result = ledger::post(&mut tx, db.backend(), e, TEST_NOW).await;
        assert!(matches!(result, Err(PostError::Unbalanced)), "{:?} gave {result:?}", e.lines);
        tx.commit().await.unwrap();
    }
    assert_eq!(ledger_snapshot(db).await, before, "an unbalanced entry left something behind");

    // Taking more than the deposit holds is refused by the database, whichever line comes first.
    for lines in [vec![line(one, -100_01), line(two, 100_01)], vec![line(two, 100_01), line(one, -100_01)]] {
        let mut tx = db.begin_write().await.unwrap();
        let result = ledger::post(&mut tx, db.backend(), &entry(None, lines), TEST_NOW).await;
        assert!(matches!(result, Err(PostError::InsufficientFunds)), "overdraft gave {result:?}");
        drop(tx);
    }
    assert_eq!(ledger_snapshot(db).await, before, "a refused overdraft left something behind");
    assert_eq!(balance(db, one).await, 100_00);

    // System work names its entry: the second posting of one reference posts nothing.
    let interest =
        |fen: i64| entry(Some("interest:2026-11-29:ledger-test"), vec![line(clearing, -fen), line(one, fen)]);
    let mut tx = db.begin_write().await.unwrap();
    ledger::post(&mut tx, db.backend(), &interest(35), TEST_NOW).await.unwrap();
    tx.commit().await.unwrap();
    let after_first = ledger_snapshot(db).await;
    let mut tx = db.begin_write().await.unwrap();
    let again = ledger::post(&mut tx, db.backend(), &interest(35), TEST_NOW).await;
    assert!(matches!(again, Err(PostError::AlreadyPosted)), "second posting of a reference gave {again:?}");
    tx.commit().await.unwrap();
    assert_eq!(ledger_snapshot(db).await, after_first, "a reference was posted twice");
    assert_eq!(balance(db, one).await, 100_35);
    assert_sound(db).await;
}

// ---------------------------------------------------------------------------
// 5. Limits
// ---------------------------------------------------------------------------

async fn daily_limit_holds_under_concurrent_payments_and_own_moves_do_not_count(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    // A Type III account (¥2,000 a day to others) next to the customer's Type I account.
    let payer = customer(db, branch_id, &[3, 1]).await;
    let payee = customer(db, branch_id, &[1]).await;
    let (three, own) = (payer.accounts[0].id, payer.accounts[1].id);
    fund(&state, three, 10_000_00).await;

    let barrier = Arc::new(Barrier::new(10));
    let mut set = JoinSet::new();
    for i in 0..10 {
        let (state, barrier, who) = (state.clone(), barrier.clone(), payer.who());
        let request = request(three, payee.pay_to(0), 500_00, &format!("limit-payment-{i:02}-key"));
        set.spawn(async move {
            barrier.wait().await;
            send(&state, &who, &request).await
        });
    }
    let mut left = Vec::new();
    let mut codes = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined.unwrap() {
            Ok(receipt) => left.push(receipt.daily_limit_left.minor()),
            Err(e) => codes.push(e.code),
        }
    }
    left.sort_unstable();
    assert_eq!(left, vec![0, 500_00, 1_000_00, 1_500_00], "four ¥500 payments fit in ¥2,000, one after another");
    assert_eq!(codes, vec![ErrorCode::DailyLimitExceeded; 6]);
    assert_eq!(balance(db, three).await, 8_000_00);
    assert_eq!(balance(db, payee.accounts[0].id).await, 2_000_00);

    // Moving to one's own account is not a payment to others: no limit applies…
    let moved = send(&state, &payer.who(), &request(three, Destination::Own(own), 5_000_00, "limit-own-move-key-1"))
        .await
        .unwrap();
    assert_eq!(moved.amount.minor(), 5_000_00);
    assert_eq!(balance(db, own).await, 5_000_00);
    // …and paying oneself by account number counts as an own move too.
    let by_number = Destination::Other { account_no: payer.accounts[1].no.clone(), holder_name: payer.name.clone() };
    send(&state, &payer.who(), &request(three, by_number, 1_000_00, "limit-own-move-key-2")).await.unwrap();
    // …nor does it free any: ¥0.01 more to someone else is still refused.
    let more = send(&state, &payer.who(), &request(three, payee.pay_to(0), 1, "limit-payment-after-key")).await;
    assert_eq!(code_of(&more), Some(ErrorCode::DailyLimitExceeded));
    // The Type I account next to it has its own, untouched limit.
    send(&state, &payer.who(), &request(own, payee.pay_to(0), 3_000_00, "limit-type-one-key-1")).await.unwrap();

    let counted: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM transfers WHERE counts_to_limit = 1 \
         AND from_account_id = $1",
    )
    .bind(three)
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert_eq!(counted, 2_000_00);
    assert_sound(db).await;
}

// ---------------------------------------------------------------------------
// 6. Idempotency
// ---------------------------------------------------------------------------

async fn idempotency_keys_answer_once_refuse_other_content_and_survive_refusals(backend: Backend) {
    let srv = start(backend).await;
    let state = srv.state.clone();
    let db = &state.db;
    let branch_id = branch(db).await;
    let payer = customer(db, branch_id, &[1, 1]).await;
    let payee = customer(db, branch_id, &[1, 1]).await;
    let from = payer.accounts[0].id;
    fund(&state, from, 1_000_00).await;
    let who = payer.who();

    // The same request twice (and more), one after the other: one movement, one receipt.
    let first = request(from, payee.pay_to(0), 250_00, "idem-same-request-key");
    let receipt = send(&state, &who, &first).await.unwrap();
    for _ in 0..3 {
        assert_eq!(send(&state, &who, &first).await.unwrap(), receipt);
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, 1);
    assert_eq!(balance(db, from).await, 750_00);
    assert_eq!(balance(db, payee.accounts[0].id).await, 250_00);

    // The same key with anything different is refused, and moves nothing.
    let mut variants = Vec::new();
    let mut v = first.clone();
    v.amount = Amount::new(Money::yuan_fen(250_01)).unwrap();
    variants.push(v);
    let mut v = first.clone();
    v.memo = "different memo".into();
    variants.push(v);
    let mut v = first.clone();
    v.to = payee.pay_to(1);
    variants.push(v);
    let mut v = first.clone();
    v.to = Destination::Own(payer.accounts[1].id);
    variants.push(v);
    let mut v = first.clone();
    v.from = payer.accounts[1].id;
    variants.push(v);
    let mut v = first.clone();
    v.save_payee = true;
    variants.push(v);
    for v in &variants {
        assert_eq!(code_of(&send(&state, &who, v).await), Some(ErrorCode::IdempotencyConflict), "{v:?}");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, 1);
    assert_eq!(balance(db, from).await, 750_00);
    // The original still replays after the conflicts.
    assert_eq!(send(&state, &who, &first).await.unwrap(), receipt);

    // Keys belong to their customer: someone else's identical key is a new request.
    let theirs = request(payee.accounts[0].id, payer.pay_to(0), 10_00, "idem-same-request-key");
    let their_receipt = send(&state, &payee.who(), &theirs).await.unwrap();
    assert_ne!(their_receipt.receipt_no, receipt.receipt_no);
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, 2);

    // A refusal does not use the key up: after funding, the same key goes through once.
    let poor = payer.accounts[1].id;
    fund(&state, poor, 10_00).await;
    let big = request(poor, payee.pay_to(1), 50_00, "idem-refused-then-ok");
    for _ in 0..2 {
        assert_eq!(code_of(&send(&state, &who, &big).await), Some(ErrorCode::InsufficientFunds));
    }
    assert_eq!(balance(db, poor).await, 10_00);
    fund(&state, poor, 100_00).await;
    let later = send(&state, &who, &big).await.unwrap();
    assert_eq!(send(&state, &who, &big).await.unwrap(), later);
    assert_eq!(balance(db, poor).await, 60_00);
    assert_eq!(balance(db, payee.accounts[1].id).await, 50_00);
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, 3);

    // Concurrent copies of one new request: one movement, every copy the same receipt.
    let copies = request(from, payee.pay_to(1), 7_77, "idem-concurrent-copies");
    let barrier = Arc::new(Barrier::new(8));
    let mut set = JoinSet::new();
    for _ in 0..8 {
        let (state, barrier, copies) = (state.clone(), barrier.clone(), copies.clone());
        set.spawn(async move {
            barrier.wait().await;
            send(&state, &who, &copies).await
        });
    }
    let mut receipts = Vec::new();
    while let Some(joined) = set.join_next().await {
        receipts.push(joined.unwrap().unwrap());
    }
    assert!(receipts.windows(2).all(|w| w[0] == w[1]), "copies got different receipts: {receipts:?}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM transfers").await, 4);
    assert_eq!(balance(db, from).await, 750_00 + 10_00 - 7_77, "¥10 came back from the payee, ¥7.77 went once");
    assert_sound(db).await;
}
