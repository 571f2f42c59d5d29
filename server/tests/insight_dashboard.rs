//! The management dashboard, on SQLite and PostgreSQL: on the demo data plus
//! constructed rows (dormant and soon-dormant accounts, joiners and leavers,
//! month-end snapshots with segment changes, requests, ratings, consultations),
//! every indicator equals a recount done here from the raw rows with the pure rules
//! of `types::insight` (not the dashboard's SQL), for all branches, one branch and
//! an explicit period; every count's customer list is as long as the count; each
//! CSV equals its table; only supervisors and admins get in; views and exports of
//! customer lists are audited.
mod support;

use app::api::insight::{DashFilter, Dashboard, HOLDING_KINDS, PAGE_SIZE};
use app::backend::insight::settings;
use app::i18n::Locale;
use app::pages::insight::tables::{table, TABLES};
use app::types::insight::is_effective;
use app::types::{Day, Dormancy, InsightSettings, ProductState, Segment};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::browser::*;
use support::staff::staff_browser;
use support::{Backend, TestServer, TEST_NOW};

on_both_backends!(
    indicators_equal_an_independent_recount,
    csv_equals_the_tables_and_lists_are_audited,
    only_supervisors_and_admins_get_in,
);

// ---------------------------------------------------------------------------------
// Constructed data.
// ---------------------------------------------------------------------------------

/// The constructed month-ends: three in 2025 (an explicit period) and the last
/// three of the default period.
const MONTHS: [&str; 6] = ["2025-01", "2025-02", "2025-03", "2026-08", "2026-09", "2026-10"];

fn micros_at(srv: &TestServer, day: &str, hours: i64) -> i64 {
    let day = Day::parse(day).expect("a day");
    day.start_in(srv.state.zone).micros() + hours * 3_600_000_000
}

async fn exec(srv: &TestServer, sql: &str) {
    sqlx::query(sql).execute(srv.state.db.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn customer_ids(srv: &TestServer) -> Vec<(i64, i64)> {
    sqlx::query_as("SELECT id, branch_id FROM customers ORDER BY id").fetch_all(srv.state.db.pool()).await.expect("ids")
}

/// Adds what the demo data lacks, so every indicator has something to count.
async fn construct(srv: &TestServer) {
    let customers = customer_ids(srv).await;
    assert!(customers.len() >= 20, "the demo data has customers");
    // Month-end snapshots whose segments move from month to month.
    for (k, month) in MONTHS.iter().enumerate() {
        for (id, branch) in &customers {
            let k = k as i64;
            let aum = ((id * 37 + k * 53) % 11) * 10_000_000;
            let segment = InsightSettings::default().segment_of(aum).as_str();
            sqlx::query(
                "INSERT INTO customer_months (month, customer_id, branch_id, aum, deposits, segment, effective, products) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(*month)
            .bind(*id)
            .bind(*branch)
            .bind(aum)
            .bind(aum / 2 + k)
            .bind(segment)
            .bind(i64::from((id + k) % 3 != 0))
            .bind(id % 4)
            .execute(srv.state.db.pool())
            .await
            .expect("snapshot row");
        }
    }
    let (c3, c4, c5, c6, c7) = (customers[2].0, customers[3].0, customers[4].0, customers[5].0, customers[6].0);
    // A dormant and an approaching-dormancy demand account (today is 2026-11-29).
    exec(
        srv,
        &format!(
            "UPDATE accounts SET last_activity_on = '2020-06-01' WHERE customer_id = {c3} AND kind = 'demand_deposit'"
        ),
    )
    .await;
    exec(
        srv,
        &format!(
            "UPDATE accounts SET last_activity_on = '2021-12-20' WHERE customer_id = {c4} AND kind = 'demand_deposit'"
        ),
    )
    .await;
    // A customer whose only products are demand accounts, all of them dormant: not effective.
    let quiet: i64 = sqlx::query_scalar(
        "SELECT c.id FROM customers c WHERE c.status <> 'closed' \
         AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.customer_id = c.id AND a.kind <> 'demand_deposit') \
         AND NOT EXISTS (SELECT 1 FROM fund_holdings f WHERE f.customer_id = c.id) \
         AND NOT EXISTS (SELECT 1 FROM insurance_policies i WHERE i.customer_id = c.id) \
         AND c.id NOT IN ($1, $2) ORDER BY c.id LIMIT 1",
    )
    .bind(c3)
    .bind(c4)
    .fetch_one(srv.state.db.pool())
    .await
    .expect("a customer with demand accounts only");
    exec(srv, &format!("UPDATE accounts SET last_activity_on = '2019-03-01' WHERE customer_id = {quiet}")).await;
    // Joiners in February 2025 and in the default period; a leaver in each.
    let feb = micros_at(srv, "2025-02-10", 10);
    let sep = micros_at(srv, "2026-09-15", 10);
    exec(srv, &format!("UPDATE customers SET created_at = {feb} WHERE id IN ({c5}, {c6})")).await;
    exec(srv, &format!("UPDATE customers SET created_at = {sep} WHERE id = {c7}")).await;
    let mar = micros_at(srv, "2025-03-05", 9);
    let last = customers.last().expect("a customer").0;
    let before_last = customers[customers.len() - 2].0;
    exec(srv, &format!("UPDATE customers SET status = 'closed', closed_at = {mar} WHERE id = {last}")).await;
    exec(srv, &format!("UPDATE customers SET status = 'closed', closed_at = {sep} WHERE id = {before_last}")).await;
    // Requests in February 2025: a complaint in time, a general one late, a card
    // loss still open; ratings of the first two.
    let requests = [
        ("SR-2025-900001", c5, "complaint", "resolved", 100, 960, Some(feb + 3_600_000_000)),
        ("SR-2025-900002", c6, "general", "closed", 2_000, 960, Some(feb + 7_200_000_000)),
        ("SR-2025-900003", c3, "card_lost", "submitted", 10, 60, None),
    ];
    for (reference, customer, kind, status, used, target, resolved) in requests {
        let branch = customers.iter().find(|c| c.0 == customer).expect("customer").1;
        sqlx::query(
            "INSERT INTO service_requests (reference, customer_id, kind, priority, status, subject, branch_id, \
             target_minutes, used_minutes, created_at, updated_at, resolved_at) \
             VALUES ($1, $2, $3, 'normal', $4, 'constructed', $5, $6, $7, $8, $8, $9)",
        )
        .bind(reference)
        .bind(customer)
        .bind(kind)
        .bind(status)
        .bind(branch)
        .bind(target)
        .bind(used)
        .bind(feb)
        .bind(resolved)
        .execute(srv.state.db.pool())
        .await
        .expect("request");
    }
    for (reference, score) in [("SR-2025-900001", 5), ("SR-2025-900002", 2)] {
        exec(
            srv,
            &format!(
                "INSERT INTO service_request_ratings (request_id, score, created_at) \
                 SELECT id, {score}, {} FROM service_requests WHERE reference = '{reference}'",
                feb + 86_400_000_000
            ),
        )
        .await;
    }
    // Consultations in February 2025: one held, one missed, one cancelled.
    for (i, (reference, customer, status)) in
        [("BK90000801", c5, "held"), ("BK90000802", c6, "no_show"), ("BK90000803", c3, "cancelled")]
            .into_iter()
            .enumerate()
    {
        let starts = feb + (i as i64 + 1) * 7_200_000_000;
        sqlx::query(
            "INSERT INTO bookings (reference, customer_id, advisor_id, branch_id, purpose, channel, starts_at, ends_at, \
             busy_until, status, created_at, updated_at) \
             SELECT $1, $2, s.id, s.branch_id, 'wealth_planning', 'branch', $3, $4, $5, $6, $7, $7 \
             FROM staff s WHERE s.staff_no = 'S00003'",
        )
        .bind(reference)
        .bind(customer)
        .bind(starts)
        .bind(starts + 2_700_000_000)
        .bind(starts + 3_600_000_000)
        .bind(status)
        .bind(feb)
        .execute(srv.state.db.pool())
        .await
        .expect("booking");
    }
}

// ---------------------------------------------------------------------------------
// The independent recount: raw rows, pure rules.
// ---------------------------------------------------------------------------------

/// id, customer number, branch id, status, created at, closed at.
type CustomerRow = (i64, String, i64, String, i64, Option<i64>);
/// id, customer id, kind, status, balance, last activity, opened on, account number.
type AccountRow = (i64, Option<i64>, String, String, i64, Option<String>, String, String);
/// customer id, kind, branch id, status, created, resolved, used and target minutes,
/// breached, decision due, reference.
type RequestRow = (i64, String, i64, String, i64, Option<i64>, i64, i64, Option<i64>, Option<i64>, String);

struct Raw {
    customers: Vec<CustomerRow>,
    accounts: Vec<AccountRow>,
    cards: Vec<(i64, Option<i64>, String, String)>,
    funds: Vec<(i64, i64)>,
    policies: Vec<(i64, String)>,
    months: Vec<(String, i64, i64, i64, i64, String, i64)>,
    requests: Vec<RequestRow>,
    ratings: Vec<(i64, i64, i64)>,
    bookings: Vec<(i64, String, i64)>,
    branches: BTreeMap<String, i64>,
}

async fn load(srv: &TestServer) -> Raw {
    let db = srv.state.db.pool();
    Raw {
        customers: sqlx::query_as("SELECT id, customer_no, branch_id, status, created_at, closed_at FROM customers")
            .fetch_all(db)
            .await
            .expect("customers"),
        accounts: sqlx::query_as(
            "SELECT id, customer_id, kind, status, balance, last_activity_on, opened_on, account_no FROM accounts",
        )
        .fetch_all(db)
        .await
        .expect("accounts"),
        cards: sqlx::query_as("SELECT customer_id, account_id, kind, status FROM cards")
            .fetch_all(db)
            .await
            .expect("cards"),
        funds: sqlx::query_as("SELECT customer_id, units_milli FROM fund_holdings").fetch_all(db).await.expect("funds"),
        policies: sqlx::query_as("SELECT customer_id, end_date FROM insurance_policies")
            .fetch_all(db)
            .await
            .expect("policies"),
        months: sqlx::query_as(
            "SELECT month, customer_id, branch_id, aum, deposits, segment, effective FROM customer_months",
        )
        .fetch_all(db)
        .await
        .expect("months"),
        requests: sqlx::query_as(
            "SELECT customer_id, kind, branch_id, status, created_at, resolved_at, used_minutes, target_minutes, \
             breached_at, decision_due_at, reference FROM service_requests",
        )
        .fetch_all(db)
        .await
        .expect("requests"),
        ratings: sqlx::query_as(
            "SELECT t.score, t.created_at, r.branch_id FROM service_request_ratings t \
             JOIN service_requests r ON r.id = t.request_id",
        )
        .fetch_all(db)
        .await
        .expect("ratings"),
        bookings: sqlx::query_as("SELECT customer_id, status, starts_at FROM bookings")
            .fetch_all(db)
            .await
            .expect("bookings"),
        branches: sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM branches")
            .fetch_all(db)
            .await
            .expect("branches")
            .into_iter()
            .collect(),
    }
}

/// What the dashboard should say, and the customer numbers behind some counts.
struct Recount {
    figures: Dashboard,
    dormant_customers: Vec<String>,
    effective_customers: Vec<String>,
}

fn month_end_before(today: Day) -> (u16, u8) {
    // The latest month-end already snapshotted: always the previous month's (a
    // month-end's snapshot is taken once that day is over).
    if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    }
}

fn months_between(from: &str, to: &str) -> Vec<String> {
    let parse = |m: &str| {
        let (y, mm) = m.split_once('-').expect("a month");
        y.parse::<i64>().expect("year") * 12 + mm.parse::<i64>().expect("month") - 1
    };
    (parse(from)..=parse(to)).map(|i| format!("{:04}-{:02}", i / 12, i % 12 + 1)).collect()
}

fn recount(srv: &TestServer, raw: &Raw, s: &InsightSettings, branch: &str, period: Option<(&str, &str)>) -> Recount {
    let today = Day::at(srv.state.zone, TEST_NOW);
    let branch_id = (!branch.is_empty()).then(|| raw.branches[branch]);
    let in_branch = |b: i64| branch_id.is_none_or(|id| id == b);
    let (from, to) = match period {
        Some((f, t)) => (f.to_owned(), t.to_owned()),
        None => {
            let (y, m) = month_end_before(today);
            let to = format!("{y:04}-{m:02}");
            let index = i64::from(y) * 12 + i64::from(m) - 1 - 5;
            (format!("{:04}-{:02}", index / 12, index % 12 + 1), to)
        }
    };
    let months = months_between(&from, &to);
    let first_day = Day::parse(&format!("{from}-01")).expect("first day");
    let last_day = Day::parse(&format!("{to}-01")).expect("last month").plus_months(1).plus_days(-1);
    let (start, end) =
        (first_day.start_in(srv.state.zone).micros(), last_day.plus_days(1).start_in(srv.state.zone).micros());
    let in_period = |at: i64| at >= start && at < end;

    let customer_of: BTreeMap<i64, &CustomerRow> = raw.customers.iter().map(|c| (c.0, c)).collect();
    let open_customer = |id: i64| customer_of.get(&id).is_some_and(|c| c.3 != "closed" && in_branch(c.2));
    let open_card_accounts: BTreeSet<i64> = raw.cards.iter().filter(|k| k.3 != "closed").filter_map(|k| k.1).collect();
    let day = |text: &str| Day::parse(text).expect("a stored day");
    let state_of = |a: &AccountRow| {
        let last_use = day(a.5.as_deref().unwrap_or(&a.6));
        let dormant = a.2 == "demand_deposit"
            && a.3 != "closed"
            && (a.3 == "dormant" || matches!(s.dormancy(last_use, today), Dormancy::Dormant { .. }));
        let soon = a.2 == "demand_deposit"
            && (a.3 == "active" || a.3 == "frozen")
            && matches!(s.dormancy(last_use, today), Dormancy::Approaching { .. });
        let empty = a.3 != "closed" && open_card_accounts.contains(&a.0) && s.is_empty_card(a.4, last_use, today);
        (dormant, soon, empty)
    };

    let mut f = Dashboard {
        filter: DashFilter { branch: branch.to_owned(), from: from.clone(), to: to.clone() },
        branches: Vec::new(),
        today: today.to_string(),
        first_day: first_day.to_string(),
        last_day: last_day.to_string(),
        now: Default::default(),
        months: Vec::new(),
        movements: Vec::new(),
        period: Default::default(),
    };
    let mut products: BTreeMap<i64, Vec<ProductState>> = BTreeMap::new();
    let mut holders: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    let mut dormant_customers = Vec::new();
    for a in &raw.accounts {
        let Some(owner) = a.1 else { continue };
        if !open_customer(owner) || a.3 == "closed" {
            continue;
        }
        let (dormant, soon, empty) = state_of(a);
        f.now.dormant += i64::from(dormant);
        f.now.dormant_soon += i64::from(soon);
        f.now.empty_cards += i64::from(empty);
        if dormant {
            dormant_customers.push(customer_of[&owner].1.clone());
        }
        let state = if dormant {
            ProductState::Dormant
        } else if empty {
            ProductState::EmptyCard
        } else {
            ProductState::Live
        };
        products.entry(owner).or_default().push(state);
        holders.entry(a.2.as_str()).or_default().insert(owner);
        if ["demand_deposit", "time_deposit", "installment_savings", "notice_deposit"].contains(&a.2.as_str())
            && a.4 > 0
        {
            f.now.deposits += a.4;
        }
    }
    for (owner, units) in &raw.funds {
        if *units > 0 && open_customer(*owner) {
            products.entry(*owner).or_default().push(ProductState::Live);
            holders.entry("wealth_fund").or_default().insert(*owner);
        }
    }
    for (owner, end) in &raw.policies {
        if day(end) >= today && open_customer(*owner) {
            products.entry(*owner).or_default().push(ProductState::Live);
            holders.entry("insurance").or_default().insert(*owner);
        }
    }
    let account_of: BTreeMap<i64, _> = raw.accounts.iter().map(|a| (a.0, a)).collect();
    for (owner, account, kind, status) in &raw.cards {
        let Some(a) = account.and_then(|id| account_of.get(&id)) else { continue };
        if kind == "debit" && status != "closed" && a.3 != "closed" && open_customer(*owner) {
            f.now.debit_cards += 1;
            f.now.card_deposits += a.4.max(0);
        }
    }
    f.now.per_card = if f.now.debit_cards > 0 { f.now.card_deposits / f.now.debit_cards } else { 0 };
    let mut effective_customers = Vec::new();
    for c in &raw.customers {
        if open_customer(c.0) {
            f.now.customers += 1;
            if is_effective(products.get(&c.0).map_or(&[][..], |p| p.as_slice())) {
                f.now.effective += 1;
                effective_customers.push(c.1.clone());
            }
        }
        if in_branch(c.2) && in_period(c.4) {
            f.period.new_customers += 1;
        }
        if in_branch(c.2) && c.3 == "closed" && c.5.is_some_and(in_period) {
            f.period.lost_customers += 1;
        }
    }
    f.now.products = products.values().map(|p| p.len() as i64).sum();
    f.now.holdings = HOLDING_KINDS
        .iter()
        .map(|k| app::api::insight::Holding {
            kind: (*k).to_owned(),
            holders: holders.get(k).map_or(0, |h| h.len() as i64),
        })
        .collect();
    // Segments at the latest month-end taken.
    let latest = raw.months.iter().map(|m| m.0.clone()).max();
    f.now.segment_month = latest.clone();
    f.now.segments = Segment::ALL
        .iter()
        .map(|seg| {
            let rows =
                raw.months.iter().filter(|m| Some(&m.0) == latest.as_ref() && in_branch(m.2) && m.5 == seg.as_str());
            let (n, aum) = rows.fold((0, 0), |(n, aum), m| (n + 1, aum + m.3));
            app::api::insight::SegmentCount { segment: *seg, customers: n, aum }
        })
        .collect();
    // The trend and the movements.
    let mut before: Option<i64> = None;
    for month in &months {
        let mut line = app::api::insight::MonthLine {
            month: month.clone(),
            customers: 0,
            effective: 0,
            deposits: 0,
            growth: 0,
            aum: [0; 4],
            counts: [0; 4],
        };
        for m in raw.months.iter().filter(|m| &m.0 == month && in_branch(m.2)) {
            let slot = Segment::ALL.iter().position(|s| s.as_str() == m.5).expect("a segment");
            line.customers += 1;
            line.effective += m.6;
            line.deposits += m.4;
            line.aum[slot] += m.3;
            line.counts[slot] += 1;
        }
        // Growth only between month-ends that have snapshot rows.
        if line.customers > 0 {
            line.growth = before.map_or(0, |b| line.deposits - b);
            before = Some(line.deposits);
        }
        f.months.push(line);
    }
    let segment_at: BTreeMap<(&str, i64), (&str, i64)> =
        raw.months.iter().map(|m| ((m.0.as_str(), m.1), (m.5.as_str(), m.2))).collect();
    let mut moved: BTreeMap<(String, Segment, Segment), i64> = BTreeMap::new();
    for pair in months.windows(2) {
        for ((_, customer), (later, branch)) in segment_at.iter().filter(|(k, _)| k.0 == pair[1]) {
            if let Some((earlier, _)) = segment_at.get(&(pair[0].as_str(), *customer)) {
                if earlier != later && in_branch(*branch) {
                    let key =
                        (pair[1].clone(), Segment::parse(earlier).expect("seg"), Segment::parse(later).expect("seg"));
                    *moved.entry(key).or_default() += 1;
                }
            }
        }
    }
    f.movements = moved
        .into_iter()
        .map(|((month, from, to), customers)| app::api::insight::Movement { month, from, to, customers })
        .collect();
    // The period's service.
    let taken: Vec<&app::api::insight::MonthLine> = f.months.iter().filter(|m| m.customers > 0).collect();
    f.period.deposits_first = taken.first().map_or(0, |m| m.deposits);
    f.period.deposits_last = taken.last().map_or(0, |m| m.deposits);
    let mut kinds: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for r in raw.requests.iter().filter(|r| in_branch(r.2)) {
        if in_period(r.4) {
            kinds.entry(r.1.clone()).or_default().0 += 1;
        }
        if (r.3 == "resolved" || r.3 == "closed") && r.5.is_some_and(in_period) {
            let resolved_at = r.5.unwrap_or_default();
            let in_time =
                r.6 <= r.7 && r.8.is_none() && (r.1 != "complaint" || r.9.is_none_or(|due| resolved_at < due));
            let entry = kinds.entry(r.1.clone()).or_default();
            entry.1 += 1;
            entry.2 += i64::from(in_time);
        }
    }
    f.period.requests = kinds
        .into_iter()
        .map(|(kind, (created, resolved, in_time))| app::api::insight::KindLine { kind, created, resolved, in_time })
        .collect();
    for (score, at, b) in &raw.ratings {
        if in_branch(*b) && in_period(*at) {
            f.period.ratings += 1;
            f.period.rating_sum += score;
        }
    }
    for (customer, status, starts) in &raw.bookings {
        let branch = customer_of[customer].2;
        if in_branch(branch) && in_period(*starts) {
            f.period.held += i64::from(status == "held");
            f.period.no_show += i64::from(status == "no_show");
        }
    }
    dormant_customers.sort();
    effective_customers.sort();
    Recount { figures: f, dormant_customers, effective_customers }
}

// ---------------------------------------------------------------------------------
// Helpers over HTTP.
// ---------------------------------------------------------------------------------

async fn dashboard(b: &Browser, branch: &str, period: Option<(&str, &str)>) -> Dashboard {
    let (from, to) = period.unwrap_or(("", ""));
    let json = b.json("insight_dashboard", &[("branch", branch), ("from", from), ("to", to)]).await;
    serde_json::from_value(json).expect("a dashboard")
}

fn query_of(href: &str) -> Vec<(String, String)> {
    let (_, query) = href.split_once('?').expect("a query");
    query.split('&').filter_map(|pair| pair.split_once('=')).map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// Every page of the list behind `href`: (total, customer numbers in order).
async fn drill_all(b: &Browser, href: &str) -> (i64, Vec<String>) {
    let mut form = query_of(href);
    let mut numbers = Vec::new();
    let mut total;
    let mut page = 1;
    loop {
        form.retain(|(k, _)| k != "page");
        form.push(("page".to_owned(), page.to_string()));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let list = b.json("insight_customers", &pairs).await;
        total = list["total"].as_i64().expect("total");
        let rows = list["rows"].as_array().expect("rows");
        assert!(rows.len() as i64 <= PAGE_SIZE);
        numbers.extend(rows.iter().map(|r| r["customer_no"].as_str().expect("no").to_owned()));
        for r in rows {
            let phone = r["phone_masked"].as_str().expect("phone");
            assert!(phone.contains("****"), "the phone is masked: {phone}");
        }
        if page >= list["pages"].as_i64().expect("pages") {
            break;
        }
        page += 1;
    }
    (total, numbers)
}

/// Checks each linked count of every table against its list.
async fn every_count_matches_its_list(b: &Browser, d: &Dashboard) -> usize {
    let mut checked = 0;
    for name in TABLES {
        let t = table(d, name, Locale::En).expect("a table");
        for cell in t.rows.iter().flatten() {
            if let Some(href) = &cell.href {
                let count: i64 = cell.text.parse().expect("a count");
                let (total, numbers) = drill_all(b, href).await;
                assert_eq!(total, count, "{href}");
                assert_eq!(numbers.len() as i64, count, "{href}");
                checked += 1;
            }
        }
    }
    checked
}

// ---------------------------------------------------------------------------------
// The tests.
// ---------------------------------------------------------------------------------

async fn indicators_equal_an_independent_recount(backend: Backend) {
    let srv = TestServer::start(backend).await;
    construct(&srv).await;
    let s = settings::load(&srv.state.db).await.expect("settings");
    let raw = load(&srv).await;
    let supervisor = staff_browser(&srv, "s00002").await;

    for (branch, period) in
        [("", None), ("B001", None), ("B002", Some(("2025-01", "2025-03"))), ("", Some(("2025-01", "2025-03")))]
    {
        let got = dashboard(&supervisor, branch, period).await;
        let want = recount(&srv, &raw, &s, branch, period);
        let w = &want.figures;
        assert_eq!(got.filter, w.filter, "the filter, normalised");
        assert_eq!((&got.today, &got.first_day, &got.last_day), (&w.today, &w.first_day, &w.last_day));
        assert_eq!(got.now, w.now, "today's figures for {branch:?} {period:?}");
        assert_eq!(got.months, w.months, "the trend for {branch:?} {period:?}");
        assert_eq!(got.movements, w.movements, "the movements for {branch:?} {period:?}");
        assert_eq!(got.period, w.period, "the period for {branch:?} {period:?}");
        assert_eq!(got.branches.len(), raw.branches.len());
    }

    // The constructed rows show up where they should: not a vacuous comparison.
    let all = dashboard(&supervisor, "", Some(("2025-01", "2025-03"))).await;
    assert!(all.now.dormant >= 1 && all.now.dormant_soon >= 1, "{:?}", all.now);
    assert!(all.now.effective > 0 && all.now.effective < all.now.customers, "{:?}", all.now);
    assert!(all.period.new_customers >= 2 && all.period.lost_customers >= 1, "{:?}", all.period);
    assert_eq!((all.period.held, all.period.no_show, all.period.ratings, all.period.rating_sum), (1, 1, 2, 7));
    let complaint = all.period.requests.iter().find(|k| k.kind == "complaint").expect("the complaint");
    assert_eq!((complaint.created, complaint.resolved, complaint.in_time), (1, 1, 1));
    let general = all.period.requests.iter().find(|k| k.kind == "general").expect("the general request");
    assert_eq!((general.resolved, general.in_time), (1, 0), "used more than the target: late");
    assert!(!all.movements.is_empty());
    let b002 = dashboard(&supervisor, "B002", Some(("2025-01", "2025-03"))).await;
    assert!(b002.now.customers < all.now.customers, "the branch filter narrows");

    // Each count is the length of its list, and the lists hold the right customers.
    let checked = every_count_matches_its_list(&supervisor, &all).await;
    assert!(checked > 20, "counts checked: {checked}");
    let want = recount(&srv, &raw, &s, "", Some(("2025-01", "2025-03")));
    let (_, mut dormant) = drill_all(&supervisor, &all.filter.drill_href("dormant")).await;
    dormant.sort();
    assert_eq!(dormant, want.dormant_customers);
    let (_, mut effective) = drill_all(&supervisor, &all.filter.drill_href("effective")).await;
    effective.sort();
    assert_eq!(effective, want.effective_customers);
    let b001 = dashboard(&supervisor, "B001", None).await;
    every_count_matches_its_list(&supervisor, &b001).await;

    // Bad filters are refused with the field named.
    for form in
        [[("branch", "B999"), ("from", ""), ("to", "")], [("branch", ""), ("from", "2026-10"), ("to", "2026-01")]]
    {
        let (status, code) = error_of(supervisor.call("insight_dashboard", &form).await).await;
        assert_eq!((status.as_u16(), code.as_str()), (400, "bad_request"));
    }
    let bad = supervisor.call("insight_customers", &[("metric", "everyone")]).await;
    assert_eq!(error_of(bad).await.0.as_u16(), 400);
}

/// A CSV body as rows of cells (RFC 4180, as the export writes it), without the BOM.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut rows = Vec::new();
    let (mut row, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

async fn get_text(b: &Browser, path: &str) -> (u16, String) {
    let response = b.http.get(format!("{}{path}", b.base)).header("accept-language", "en").send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

async fn audit_details(srv: &TestServer, event: &str, staff: &str) -> Vec<Value> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT a.detail FROM audit_log a JOIN staff s ON a.actor_kind = 'staff' AND s.id = a.actor_id \
         WHERE a.event = $1 AND s.staff_no = $2 ORDER BY a.id",
    )
    .bind(event)
    .bind(staff)
    .fetch_all(srv.state.db.pool())
    .await
    .expect("audit rows");
    rows.iter().map(|d| serde_json::from_str(d).expect("JSON detail")).collect()
}

async fn csv_equals_the_tables_and_lists_are_audited(backend: Backend) {
    let srv = TestServer::start(backend).await;
    construct(&srv).await;
    let admin = staff_browser(&srv, "s00001").await;
    let d = dashboard(&admin, "B001", Some(("2025-01", "2025-03"))).await;
    for name in TABLES {
        let t = table(&d, name, Locale::En).expect("a table");
        let (status, body) = get_text(&admin, &d.filter.export_href(name)).await;
        assert_eq!(status, 200, "{name}: {body}");
        let rows = parse_csv(&body);
        let heads: Vec<String> = t.headings.iter().map(|k| Locale::En.text(*k).to_owned()).collect();
        assert_eq!(rows[0], heads, "{name}: the header row");
        let cells: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| c.text.clone()).collect()).collect();
        // Formula-looking cells (a negative growth) are defused with an apostrophe.
        let read: Vec<Vec<String>> = rows[1..]
            .iter()
            .map(|r| r.iter().map(|c| c.strip_prefix("'-").map_or(c.clone(), |v| format!("-{v}"))).collect())
            .collect();
        assert_eq!(read, cells, "{name}: the CSV equals the table");
    }
    let now = parse_csv(&get_text(&admin, &d.filter.export_href("now")).await.1);
    assert_eq!(now[1][1], d.now.customers.to_string());

    // The list behind a count, as a page and as a CSV, each audited with its size.
    let (total, numbers) = drill_all(&admin, &d.filter.drill_href("customers")).await;
    assert_eq!(total, d.now.customers);
    let export = format!("/staff/insight/export.csv?table=customers&metric=customers&{}", d.filter.query());
    let (status, body) = get_text(&admin, &export).await;
    assert_eq!(status, 200);
    let rows = parse_csv(&body);
    assert_eq!(rows[0][0], "Customer number");
    let listed: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(listed, numbers, "the CSV lists the same customers as the pages");
    assert!(rows[1..].iter().all(|r| r[2].contains("****")), "phones are masked in the CSV");

    let viewed = audit_details(&srv, "insight_customers_viewed", "S00001").await;
    let last = viewed.last().expect("the view is audited");
    assert_eq!(last["what"], "customers");
    assert_eq!(
        (last["branch"].as_str(), last["from"].as_str(), last["to"].as_str()),
        (Some("B001"), Some("2025-01"), Some("2025-03"))
    );
    assert_eq!(last["rows"], total);
    let exported = audit_details(&srv, "insight_exported", "S00001").await;
    assert_eq!(exported.len(), TABLES.len() + 2, "every export is audited: {exported:?}");
    assert_eq!(exported[0]["what"], "now");
    let list = exported.last().expect("the list export");
    assert_eq!((list["what"].as_str(), list["rows"].as_i64()), (Some("customers:customers"), Some(total)));
    // A refused export changes nothing and writes no export row.
    let (status, _) = get_text(&admin, "/staff/insight/export.csv?table=nothing").await;
    assert_eq!(status, 400);
    assert_eq!(audit_details(&srv, "insight_exported", "S00001").await.len(), exported.len());
}

async fn only_supervisors_and_admins_get_in(backend: Backend) {
    let srv = TestServer::start(backend).await;
    let export = "/staff/insight/export.csv?table=now";
    let list = "/staff/insight/export.csv?table=customers&metric=customers";
    // Signed out: 401.
    let anonymous = Browser::new(&srv);
    assert_eq!(error_of(anonymous.call("insight_dashboard", &[]).await).await.0.as_u16(), 401);
    assert_eq!(error_of(anonymous.call("insight_customers", &[("metric", "customers")]).await).await.0.as_u16(), 401);
    assert_eq!(get_text(&anonymous, export).await.0, 401);
    // A customer, an agent and an advisor: 403, and no list is audited for them.
    let customer = Browser::new(&srv);
    ok(login(&customer, "demo1", app::backend::seed::DEMO_PASSWORD).await).await;
    let agent = staff_browser(&srv, "s00005").await;
    let advisor = staff_browser(&srv, "s00003").await;
    for b in [&customer, &agent, &advisor] {
        assert_eq!(error_of(b.call("insight_dashboard", &[]).await).await.0.as_u16(), 403);
        assert_eq!(error_of(b.call("insight_customers", &[("metric", "customers")]).await).await.0.as_u16(), 403);
        assert_eq!(get_text(b, export).await.0, 403);
        assert_eq!(get_text(b, list).await.0, 403);
        let (status, page) = get_text(b, "/staff/insight").await;
        assert_eq!(status, 200, "in-order streaming answers 200");
        assert!(!page.contains("dash-table-now"), "no figures for the refused");
    }
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE event LIKE 'insight_%'")
        .fetch_one(srv.state.db.pool())
        .await
        .expect("count");
    assert_eq!(audited, 0);
    // Supervisor and admin: the page with its figures, the export.
    for staff in ["s00002", "s00001"] {
        let b = staff_browser(&srv, staff).await;
        let (status, page) = get_text(&b, "/staff/insight").await;
        assert_eq!(status, 200);
        assert!(
            page.contains("dash-table-now") && page.contains("/staff/insight/customers?metric=customers"),
            "{staff}"
        );
        assert_eq!(get_text(&b, export).await.0, 200);
        let (status, page) = get_text(&b, "/staff/insight/customers?metric=dormant").await;
        assert_eq!(status, 200);
        assert!(page.contains("dash-customers"), "{staff}: the list");
    }
    let home = staff_browser(&srv, "s00002").await;
    assert!(get_text(&home, "/staff/home").await.1.contains("href=\"/staff/insight\""), "the console links it");
    let agent_home = get_text(&agent, "/staff/home").await.1;
    assert!(!agent_home.contains("href=\"/staff/insight\""), "not for agents");
}
