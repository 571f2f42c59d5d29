//! The rows behind every count of the dashboard, as SQL: each source yields
//! `(customer_id, grp, item, amount)`, one row per thing counted. The dashboard
//! counts them (`COUNT(*)`, `SUM(amount)` grouped by `grp`) and the drill-down lists
//! the same rows, so a list is always exactly as long as the number that links to
//! it. The rules come from `rules.rs` (one definition of each).
use super::dash_filter::Scope;
use super::rules::{dormant_soon_sql, dormant_sql, empty_card_sql, live_holders_sql, DEPOSIT_KINDS};

/// Resolved "in time", as the service-level report counts it
/// (`backend/requests/report.rs`): no more business minutes used than the target,
/// never marked breached, and a complaint decided before its deadline.
pub const IN_TIME_SQL: &str = "(r.used_minutes <= r.target_minutes AND r.breached_at IS NULL \
     AND (r.kind <> 'complaint' OR r.decision_due_at IS NULL OR r.resolved_at < r.decision_due_at))";

const NO_GROUP: &str = "CAST('' AS TEXT)";

/// Customers not closed.
pub fn customers(s: &Scope) -> String {
    format!(
        "SELECT c.id AS customer_id, {NO_GROUP} AS grp, {NO_GROUP} AS item, CAST(0 AS BIGINT) AS amount \
         FROM customers c WHERE c.status <> 'closed' AND {}",
        s.branch_on("c.branch_id")
    )
}

/// Their deposits: the sum over those customers of `rules::deposits_sql` (positive
/// balances of open deposit accounts), written as one join because the correlated
/// form costs PostgreSQL a sub-plan per customer (a quarter second at 10,000).
pub fn deposits_total(s: &Scope) -> String {
    format!(
        "SELECT CAST(COALESCE(SUM(a.balance), 0) AS BIGINT) FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE c.status <> 'closed' AND {} AND a.kind IN {DEPOSIT_KINDS} AND a.status <> 'closed' AND a.balance > 0",
        s.branch_on("c.branch_id")
    )
}

/// Customers not closed holding at least one live product.
pub fn effective(s: &Scope) -> String {
    format!("{} AND c.id IN ({})", customers(s), live_holders_sql(&s.cutoffs))
}

/// Accounts of customers not closed that meet `rule` (an SQL condition on `a`).
fn accounts_where(s: &Scope, rule: &str) -> String {
    format!(
        "SELECT c.id AS customer_id, {NO_GROUP} AS grp, a.account_no AS item, CAST(a.balance AS BIGINT) AS amount \
         FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE c.status <> 'closed' AND {} AND {rule}",
        s.branch_on("c.branch_id")
    )
}

pub fn dormant(s: &Scope) -> String {
    accounts_where(s, &dormant_sql("a", &s.cutoffs))
}

pub fn dormant_soon(s: &Scope) -> String {
    accounts_where(s, &dormant_soon_sql("a", &s.cutoffs))
}

pub fn empty_cards(s: &Scope) -> String {
    accounts_where(s, &empty_card_sql("a", &s.cutoffs))
}

/// Open debit cards on an open account; `amount` is the account's positive balance
/// (what "deposits behind debit cards" adds up).
pub fn debit_cards(s: &Scope) -> String {
    format!(
        "SELECT c.id AS customer_id, {NO_GROUP} AS grp, a.account_no AS item, \
           CAST(CASE WHEN a.balance > 0 THEN a.balance ELSE 0 END AS BIGINT) AS amount \
         FROM cards k JOIN accounts a ON a.id = k.account_id JOIN customers c ON c.id = k.customer_id \
         WHERE k.kind = 'debit' AND k.status <> 'closed' AND a.status <> 'closed' AND c.status <> 'closed' AND {}",
        s.branch_on("c.branch_id")
    )
}

/// Every open product of customers not closed, `grp` its kind: accounts not
/// closed, fund holdings with units, insurance policies in force (as
/// `live_holders_sql` reads them).
pub fn products(s: &Scope) -> String {
    format!(
        "SELECT p.customer_id AS customer_id, p.grp AS grp, p.item AS item, CAST(0 AS BIGINT) AS amount FROM ( \
           SELECT a.customer_id AS customer_id, a.kind AS grp, a.account_no AS item FROM accounts a \
             WHERE a.customer_id IS NOT NULL AND a.status <> 'closed' \
           UNION ALL SELECT f.customer_id, CAST('wealth_fund' AS TEXT), f.product_code FROM fund_holdings f \
             WHERE f.units_milli > 0 \
           UNION ALL SELECT i.customer_id, CAST('insurance' AS TEXT), i.policy_no FROM insurance_policies i \
             WHERE i.end_date >= '{}' \
         ) p JOIN customers c ON c.id = p.customer_id WHERE c.status <> 'closed' AND {}",
        s.today,
        s.branch_on("c.branch_id")
    )
}

/// One row per customer and product kind they hold.
pub fn holders(s: &Scope) -> String {
    format!(
        "SELECT DISTINCT h.customer_id AS customer_id, h.grp AS grp, {NO_GROUP} AS item, CAST(0 AS BIGINT) AS amount \
         FROM ({}) h",
        products(s)
    )
}

/// Customers at the latest month-end taken, `grp` their segment, `amount` their AUM.
pub fn segments(s: &Scope) -> String {
    format!(
        "SELECT m.customer_id AS customer_id, m.segment AS grp, m.month AS item, CAST(m.aum AS BIGINT) AS amount \
         FROM customer_months m WHERE m.month = (SELECT MAX(x.month) FROM customer_months x) AND {}",
        s.branch_on("m.branch_id")
    )
}

/// Customers who joined in the period (whatever their status now).
pub fn new_customers(s: &Scope) -> String {
    format!(
        "SELECT c.id AS customer_id, {NO_GROUP} AS grp, {NO_GROUP} AS item, CAST(0 AS BIGINT) AS amount \
         FROM customers c WHERE {} AND {}",
        s.in_period("c.created_at"),
        s.branch_on("c.branch_id")
    )
}

/// Customers who left in the period.
pub fn lost_customers(s: &Scope) -> String {
    format!(
        "SELECT c.id AS customer_id, {NO_GROUP} AS grp, {NO_GROUP} AS item, CAST(0 AS BIGINT) AS amount \
         FROM customers c WHERE c.status = 'closed' AND {} AND {}",
        s.in_period("c.closed_at"),
        s.branch_on("c.branch_id")
    )
}

/// Requests made in the period (the branch is the customer's when they asked).
pub fn requests(s: &Scope) -> String {
    format!(
        "SELECT r.customer_id AS customer_id, r.kind AS grp, r.reference AS item, CAST(0 AS BIGINT) AS amount \
         FROM service_requests r WHERE {} AND {}",
        s.in_period("r.created_at"),
        s.branch_on("r.branch_id")
    )
}

/// Requests resolved in the period; `amount` 1 when in time.
pub fn resolved(s: &Scope) -> String {
    format!(
        "SELECT r.customer_id AS customer_id, r.kind AS grp, r.reference AS item, \
           CAST(CASE WHEN {IN_TIME_SQL} THEN 1 ELSE 0 END AS BIGINT) AS amount \
         FROM service_requests r WHERE r.status IN ('resolved', 'closed') AND {} AND {}",
        s.in_period("r.resolved_at"),
        s.branch_on("r.branch_id")
    )
}

/// Requests resolved in the period in time.
pub fn in_time(s: &Scope) -> String {
    format!("{} AND {IN_TIME_SQL}", resolved(s))
}

/// Ratings given in the period; `amount` the score.
pub fn ratings(s: &Scope) -> String {
    format!(
        "SELECT r.customer_id AS customer_id, {NO_GROUP} AS grp, r.reference AS item, CAST(t.score AS BIGINT) AS amount \
         FROM service_request_ratings t JOIN service_requests r ON r.id = t.request_id WHERE {} AND {}",
        s.in_period("t.created_at"),
        s.branch_on("r.branch_id")
    )
}

/// Consultations due in the period that were held or missed; `grp` the status.
pub fn consultations(s: &Scope) -> String {
    format!(
        "SELECT b.customer_id AS customer_id, b.status AS grp, b.reference AS item, CAST(0 AS BIGINT) AS amount \
         FROM bookings b JOIN customers c ON c.id = b.customer_id \
         WHERE b.status IN ('held', 'no_show') AND {} AND {}",
        s.in_period("b.starts_at"),
        s.branch_on("c.branch_id")
    )
}

/// Customers at each month-end of the period, `grp` the month, `amount` deposits.
pub fn month_rows(s: &Scope, only_effective: bool) -> String {
    format!(
        "SELECT m.customer_id AS customer_id, m.month AS grp, m.segment AS item, CAST(m.deposits AS BIGINT) AS amount \
         FROM customer_months m WHERE m.month IN {} AND {}{}",
        s.month_list(),
        s.branch_on("m.branch_id"),
        if only_effective { " AND m.effective = 1" } else { "" }
    )
}

/// Customers whose segment changed from one month-end of the period to the next:
/// `grp` is "later month:from:to", the branch the later month-end's.
pub fn movements(s: &Scope) -> String {
    let pairs: Vec<String> = s
        .months
        .windows(2)
        .map(|w| {
            format!(
                "SELECT n.customer_id AS customer_id, '{later}:' || p.segment || ':' || n.segment AS grp, \
                   CAST('{earlier}' AS TEXT) AS item, CAST(n.aum AS BIGINT) AS amount \
                 FROM customer_months p JOIN customer_months n ON n.customer_id = p.customer_id \
                 WHERE p.month = '{earlier}' AND n.month = '{later}' AND p.segment <> n.segment AND {}",
                s.branch_on("n.branch_id"),
                earlier = w[0],
                later = w[1]
            )
        })
        .collect();
    if pairs.is_empty() {
        // One month has no movement: an empty source of the same shape.
        format!(
            "SELECT c.id AS customer_id, {NO_GROUP} AS grp, {NO_GROUP} AS item, CAST(0 AS BIGINT) AS amount \
             FROM customers c WHERE 1 = 0"
        )
    } else {
        pairs.join(" UNION ALL ")
    }
}
