//! Demo data: outlets, staff, the product catalogue and any number of customers,
//! each with products and six months of history in the ledger.
//!
//! Deterministic (customer n always gets the same name, phone, outlet, products and
//! history, relative to the clock's day) and idempotent (seeding again adds only what
//! is missing: a customer without accounts gets their products and history, one
//! with accounts is left alone), so `seed-demo --customers 20000` can grow a
//! database for a benchmark without disturbing what is there.
mod advisors;
mod history;
mod inquiries;
mod insight;
mod names;
mod plan;
mod products;
mod requests;
mod rng;
mod write;

pub use plan::{account_no, credit_card_no, is_dormant, is_empty_card};

use super::{Backend, Clock, Db};
use crate::types::Day;
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// The password of every demo log-in (development only; printed at start-up).
pub const DEMO_PASSWORD: &str = "village-post-demo-2026";

/// Demo customers that already have online banking: (customer number, username).
/// The others are left for trying out enrollment.
pub const DEMO_CUSTOMER_LOGINS: &[(u32, &str)] = &[(1, "demo1"), (2, "demo2")];

/// Customers seeded on the first start when no size is given.
pub const DEFAULT_CUSTOMERS: u32 = 40;

/// The benchmark's busy customer (`seed-demo --busy-postings N`), far above the
/// numbers of ordinary demo customers, and their log-in.
pub const BENCH_CUSTOMER: u32 = 90_000_001;
pub const BENCH_LOGIN: &str = "bench1";

/// Customers whose histories are written in one transaction. On PostgreSQL the
/// transaction holds the internal accounts' row locks, so it is kept short.
fn batch_customers(backend: super::Backend) -> usize {
    match backend {
        super::Backend::Sqlite => 100,
        super::Backend::Postgres => 25,
    }
}

/// Customer rows written per INSERT; well under SQLite's bound-parameter limit.
const CHUNK: usize = 200;

struct DemoBranch {
    code: &'static str,
    name: (&'static str, &'static str),
    address: (&'static str, &'static str),
    phone: &'static str,
}

const BRANCHES: &[DemoBranch] = &[
    DemoBranch {
        code: "B001",
        name: ("县城营业部", "County Town Office"),
        address: ("幸福路 18 号", "18 Xingfu Road"),
        phone: "0571-8800-1001",
    },
    DemoBranch {
        code: "B002",
        name: ("青石镇支行", "Qingshi Town Branch"),
        address: ("青石镇人民街 5 号", "5 Renmin Street, Qingshi Town"),
        phone: "0571-8800-1002",
    },
    DemoBranch {
        code: "B003",
        name: ("柳河乡网点", "Liuhe Township Outlet"),
        address: ("柳河乡政府东侧", "East of the township hall, Liuhe"),
        phone: "0571-8800-1003",
    },
    DemoBranch {
        code: "B004",
        name: ("东关支行", "Dongguan Branch"),
        address: ("东关大街 102 号", "102 Dongguan Avenue"),
        phone: "0571-8800-1004",
    },
    DemoBranch {
        code: "B005",
        name: ("桃园村助农服务点", "Taoyuan Village Service Point"),
        address: ("桃园村村委会一楼", "Ground floor, Taoyuan village committee"),
        phone: "0571-8800-1005",
    },
];

const HOURS: (&str, &str) = ("周一至周五 8:30–17:00，周六 9:00–15:00", "Mon–Fri 8:30–17:00, Sat 9:00–15:00");

/// Demo staff: (staff number, name, role, branch code).
pub const STAFF: &[(&str, &str, &str, &str)] = &[
    ("S00001", "周敏", "admin", "B001"),
    ("S00002", "陈刚", "supervisor", "B001"),
    ("S00003", "李静", "advisor", "B001"),
    ("S00004", "王磊", "advisor", "B002"),
    ("S00005", "张丽", "agent", "B001"),
    ("S00006", "刘洋", "agent", "B003"),
];

/// A product in the catalogue. Rates in basis points (1.35% = 135).
struct DemoProduct {
    code: &'static str,
    kind: &'static str,
    name: (&'static str, &'static str),
    rate_bp: Option<i64>,
    term_months: Option<i64>,
}

const fn product(
    code: &'static str,
    kind: &'static str,
    name: (&'static str, &'static str),
    rate_bp: Option<i64>,
    term_months: Option<i64>,
) -> DemoProduct {
    DemoProduct { code, kind, name, rate_bp, term_months }
}

const PRODUCTS: &[DemoProduct] = &[
    product("DD-CNY", "demand_deposit", ("活期储蓄", "Demand deposit"), Some(10), None),
    product("TD-3M", "time_deposit", ("整存整取 三个月", "Time deposit, 3 months"), Some(105), Some(3)),
    product("TD-1Y", "time_deposit", ("整存整取 一年", "Time deposit, 1 year"), Some(135), Some(12)),
    product("TD-3Y", "time_deposit", ("整存整取 三年", "Time deposit, 3 years"), Some(175), Some(36)),
    product("TD-5Y", "time_deposit", ("整存整取 五年", "Time deposit, 5 years"), Some(180), Some(60)),
    product("IS-1Y", "installment_savings", ("零存整取 一年", "Installment savings, 1 year"), Some(110), Some(12)),
    product("ND-7D", "notice_deposit", ("七天通知存款", "7-day notice deposit"), Some(45), None),
    product("CC-STD", "credit_card", ("标准信用卡", "Standard credit card"), None, None),
    product("LN-HOUSE", "loan", ("个人住房贷款", "Housing loan"), Some(310), Some(240)),
    product("LN-SME", "loan", ("小微企业贷款", "Small business loan"), Some(385), Some(36)),
    product("LN-AGRI", "loan", ("三农贷款", "Agricultural loan"), Some(360), Some(24)),
    product("WM-STEADY", "wealth_fund", ("稳健理财", "Steady wealth fund"), None, None),
    product("INS-LIFE", "insurance", ("代理寿险", "Agency life insurance"), None, None),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高",
];
const GIVEN: &[&str] = &[
    "芳", "伟", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀兰", "霞", "平", "刚", "桂英",
];

/// A demo customer, derived from its number alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoCustomer {
    pub customer_no: String,
    /// The debit card (16 digits, UnionPay-style 6217 prefix, valid Luhn check digit).
    pub card_no: String,
    pub full_name: String,
    /// The Type I demand deposit account (19 digits) the debit card draws on.
    pub account_no: String,
    pub id_number_tail: String,
    pub phone: String,
    pub branch_code: &'static str,
}

/// Customer `n` (1-based) of the demo data set.
pub fn demo_customer(n: u32) -> DemoCustomer {
    let i = n as usize;
    let mix = (n as u64).wrapping_mul(2_654_435_761) % 1_000_000;
    let id_tail = if n.is_multiple_of(11) { format!("{:05}X", mix % 100_000) } else { format!("{mix:06}") };
    DemoCustomer {
        customer_no: format!("C{n:08}"),
        card_no: crate::types::card::with_luhn_check_digit(&format!("621799{n:09}")),
        full_name: format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i / SURNAMES.len() + i) % GIVEN.len()]),
        account_no: account_no(plan::FAMILY_DEMAND_I, n, 1),
        id_number_tail: id_tail,
        phone: format!("13{}{:08}", n % 10, (n as u64 * 7_919) % 100_000_000),
        branch_code: BRANCHES[i % BRANCHES.len()].code,
    }
}

/// The outlet's Chinese name (it shows as the place of a cash deposit or withdrawal).
fn branch_name(code: &str) -> &'static str {
    BRANCHES.iter().find(|b| b.code == code).map_or("邮储网点", |b| b.name.0)
}

/// What to seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    /// How many demo customers the database should hold afterwards.
    pub customers: u32,
    /// When above zero, the benchmark's busy customer ([`BENCH_CUSTOMER`]) with a
    /// Type I account of this many postings.
    pub busy_postings: u32,
}

/// What a seeding run did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedReport {
    pub customers_added: u32,
    pub customers_total: u32,
    /// Customers who got their products and history in this run.
    pub histories_added: u32,
    pub postings_added: u64,
    pub postings_total: u64,
}

/// Is there no customer yet? Then the server seeds the demo data at first start.
pub async fn is_empty(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers").fetch_one(db.pool()).await?;
    Ok(n == 0)
}

/// Whether the benchmark's busy customer exists (its log-in is then worth printing).
pub async fn bench_customer_present(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE customer_no = $1")
        .bind(demo_customer(BENCH_CUSTOMER).customer_no)
        .fetch_one(db.pool())
        .await?;
    Ok(n > 0)
}

/// Makes sure the demo outlets, staff, products and at least `customers` customers
/// exist, with their products and history, dated in the default zone (Asia/Shanghai).
pub async fn seed_demo(db: &Db, clock: &dyn Clock, customers: u32) -> Result<SeedReport, sqlx::Error> {
    seed_demo_with(db, clock, chrono_tz::Asia::Shanghai, SeedOptions { customers, busy_postings: 0 }).await
}

/// [`seed_demo`] with the bank's zone (which decides the calendar days) and options.
pub async fn seed_demo_with(
    db: &Db,
    clock: &dyn Clock,
    zone: chrono_tz::Tz,
    options: SeedOptions,
) -> Result<SeedReport, sqlx::Error> {
    let now = clock.now();
    let today = Day::at(zone, now);
    let bench_no = demo_customer(BENCH_CUSTOMER).customer_no;
    let mut tx = db.begin_write().await?;
    seed_branches(&mut tx, now.micros()).await?;
    seed_staff(&mut tx, now.micros()).await?;
    seed_products(&mut tx).await?;
    advisors::seed_advisors(&mut tx).await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE customer_no <> $1")
        .bind(&bench_no)
        .fetch_one(&mut *tx)
        .await?;
    let existing = u32::try_from(existing).unwrap_or(u32::MAX);
    let mut wanted: Vec<u32> = (existing.saturating_add(1)..=options.customers).collect();
    let added = u32::try_from(wanted.len()).unwrap_or(u32::MAX);
    if options.busy_postings > 0 {
        let present: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE customer_no = $1")
            .bind(&bench_no)
            .fetch_one(&mut *tx)
            .await?;
        if present == 0 {
            wanted.push(BENCH_CUSTOMER);
        }
    }
    for chunk in wanted.chunks(CHUNK) {
        insert_customers(&mut tx, chunk, now.micros()).await?;
        insert_cards(&mut tx, chunk, now.micros()).await?;
    }
    inquiries::seed_inquiries(&mut tx, now.micros()).await?;
    tx.commit().await?;

    // Products and history for every customer who has no account yet.
    let waiting: Vec<(i64, String)> = sqlx::query_as(
        "SELECT c.id, c.customer_no FROM customers c \
         WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = c.id) ORDER BY c.customer_no",
    )
    .fetch_all(db.pool())
    .await?;
    let ids: HashMap<u32, i64> =
        waiting.iter().filter_map(|(id, no)| Some((no.strip_prefix('C')?.parse::<u32>().ok()?, *id))).collect();
    let mut numbers: Vec<u32> = ids.keys().copied().filter(|n| *n != BENCH_CUSTOMER).collect();
    numbers.sort_unstable();
    let mut postings_added = 0;
    let mut histories_added = 0;
    let mut batch = plan::Plan::default();
    let mut in_batch = 0;
    let mut i = 0;
    while i < numbers.len() {
        // Customers n (odd) and n + 1 are a pair who send each other money.
        let n = numbers[i];
        let unit: &[u32] =
            if n % 2 == 1 && numbers.get(i + 1) == Some(&(n + 1)) { &numbers[i..i + 2] } else { &numbers[i..i + 1] };
        i += unit.len();
        in_batch += unit.len();
        batch.append(plan::plan(unit, today));
        if in_batch >= batch_customers(db.backend()) || i == numbers.len() {
            postings_added += write_batch(db, zone, &batch, &ids, now.micros()).await?;
            histories_added += in_batch;
            batch = plan::Plan::default();
            in_batch = 0;
        }
    }
    if options.busy_postings > 0 && ids.contains_key(&BENCH_CUSTOMER) {
        let busy = plan::plan_busy(options.busy_postings, today);
        postings_added += write_batch(db, zone, &busy, &ids, now.micros()).await?;
        histories_added += 1;
    }
    requests::seed_requests(db, zone, now).await?;
    if postings_added > 0 && db.backend() == Backend::Postgres {
        // Fresh statistics after a bulk load: until autovacuum gets to it, the planner
        // guesses and scans every posting for one customer's recent debits (38 ms
        // instead of 0.4 ms on the benchmark's data).
        sqlx::query("ANALYZE").execute(db.pool()).await?;
    }
    // After the statistics: the snapshots read every customer's postings.
    insight::seed_insight(db, zone, now).await?;
    let postings_total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM postings").fetch_one(db.pool()).await?;
    Ok(SeedReport {
        customers_added: added,
        customers_total: existing.max(options.customers),
        histories_added: u32::try_from(histories_added).unwrap_or(u32::MAX),
        postings_added,
        postings_total: u64::try_from(postings_total).unwrap_or(0),
    })
}

async fn write_batch(
    db: &Db,
    zone: chrono_tz::Tz,
    plan: &plan::Plan,
    ids: &HashMap<u32, i64>,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let postings = write::write(&mut tx, db.backend(), zone, plan, ids, now).await?;
    tx.commit().await?;
    Ok(postings)
}

/// Gives the demo staff (username = staff number in lower case) and the first demo
/// customers a log-in with [`DEMO_PASSWORD`]. Staff set up their second factor at
/// the first log-in. Idempotent.
pub async fn seed_demo_logins(
    db: &Db,
    clock: &dyn Clock,
    hasher: &super::identity::password::PasswordHasher,
) -> Result<(), sqlx::Error> {
    let hash = hasher.hash(DEMO_PASSWORD).await.map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    let now = clock.now().micros();
    let mut tx = db.begin_write().await?;
    for (staff_no, _, _, _) in STAFF {
        sqlx::query(
            "INSERT INTO credentials (principal_kind, principal_id, username, password_hash, created_at, updated_at) \
             SELECT 'staff', id, $1, $2, $3, $3 FROM staff WHERE staff_no = $4 ON CONFLICT DO NOTHING",
        )
        .bind(staff_no.to_ascii_lowercase())
        .bind(&hash)
        .bind(now)
        .bind(*staff_no)
        .execute(&mut *tx)
        .await?;
    }
    let bench = [(BENCH_CUSTOMER, BENCH_LOGIN)];
    for (n, username) in DEMO_CUSTOMER_LOGINS.iter().chain(&bench) {
        sqlx::query(
            "INSERT INTO credentials (principal_kind, principal_id, username, password_hash, created_at, updated_at) \
             SELECT 'customer', id, $1, $2, $3, $3 FROM customers WHERE customer_no = $4 ON CONFLICT DO NOTHING",
        )
        .bind(*username)
        .bind(&hash)
        .bind(now)
        .bind(demo_customer(*n).customer_no)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

async fn seed_branches(tx: &mut Transaction<'static, Any>, now: i64) -> Result<(), sqlx::Error> {
    for b in BRANCHES {
        sqlx::query(
            "INSERT INTO branches (code, name_zh, name_en, address_zh, address_en, phone, hours_zh, hours_en, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (code) DO NOTHING",
        )
        .bind(b.code)
        .bind(b.name.0)
        .bind(b.name.1)
        .bind(b.address.0)
        .bind(b.address.1)
        .bind(b.phone)
        .bind(HOURS.0)
        .bind(HOURS.1)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn seed_staff(tx: &mut Transaction<'static, Any>, now: i64) -> Result<(), sqlx::Error> {
    for (staff_no, name, role, branch) in STAFF {
        sqlx::query(
            "INSERT INTO staff (staff_no, full_name, role, branch_id, created_at) \
             SELECT $1, $2, $3, id, $4 FROM branches WHERE code = $5 ON CONFLICT (staff_no) DO NOTHING",
        )
        .bind(*staff_no)
        .bind(*name)
        .bind(*role)
        .bind(now)
        .bind(*branch)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn seed_products(tx: &mut Transaction<'static, Any>) -> Result<(), sqlx::Error> {
    for p in PRODUCTS {
        sqlx::query(
            "INSERT INTO products (code, kind, name_zh, name_en, rate_bp, term_months) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
        )
        .bind(p.code)
        .bind(p.kind)
        .bind(p.name.0)
        .bind(p.name.1)
        .bind(p.rate_bp)
        .bind(p.term_months)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn insert_customers(tx: &mut Transaction<'static, Any>, numbers: &[u32], now: i64) -> Result<(), sqlx::Error> {
    let rows: Vec<String> = (0..numbers.len())
        .map(|i| {
            let p = i * 6;
            format!(
                "(${}, ${}, ${}, ${}, (SELECT id FROM branches WHERE code = ${}), ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO customers (customer_no, full_name, id_number_tail, phone, branch_id, created_at) VALUES {}",
        rows.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for n in numbers {
        let c = demo_customer(*n);
        query = query
            .bind(c.customer_no)
            .bind(c.full_name)
            .bind(c.id_number_tail)
            .bind(c.phone)
            .bind(c.branch_code)
            .bind(now);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

async fn insert_cards(tx: &mut Transaction<'static, Any>, numbers: &[u32], now: i64) -> Result<(), sqlx::Error> {
    let rows: Vec<String> = (0..numbers.len())
        .map(|i| {
            let p = i * 3;
            format!("((SELECT id FROM customers WHERE customer_no = ${}), ${}, 'debit', ${})", p + 1, p + 2, p + 3)
        })
        .collect();
    let sql = format!("INSERT INTO cards (customer_id, card_no, kind, created_at) VALUES {}", rows.join(", "));
    let mut query = sqlx::query(&sql);
    for n in numbers {
        let c = demo_customer(*n);
        query = query.bind(c.customer_no).bind(c.card_no).bind(now);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cards_pass_the_luhn_check() {
        for n in [1, 2, 77, 999] {
            let card = demo_customer(n).card_no;
            assert_eq!(card.len(), 16);
            assert!(card.starts_with("6217"));
            assert_eq!(crate::types::card::with_luhn_check_digit(&card[..15]), card);
        }
    }

    #[test]
    fn demo_customers_are_deterministic_and_valid() {
        assert_eq!(demo_customer(7), demo_customer(7));
        for n in 1..=500 {
            let c = demo_customer(n);
            assert_eq!(c.id_number_tail.chars().count(), 6, "{c:?}");
            assert_eq!(c.phone.len(), 11, "{c:?}");
            assert!(c.phone.starts_with('1'));
            assert_eq!(c.customer_no.len(), 9);
        }
        assert_ne!(demo_customer(1).full_name, demo_customer(2).full_name);
    }

    #[test]
    fn staff_roles_are_known() {
        for (_, _, role, branch) in STAFF {
            assert!(crate::types::StaffRole::parse(role).is_some());
            assert!(BRANCHES.iter().any(|b| b.code == *branch));
        }
    }
}
