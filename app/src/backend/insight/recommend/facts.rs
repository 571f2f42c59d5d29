//! The rules' facts for one customer or for all of a relationship manager's, with
//! one query per fact (never one per customer): an RM may have hundreds.
use super::rules::{CatalogueProduct, CustomerFacts, IDLE_MONTHS};
use crate::backend::Db;
use crate::types::{Day, InsightSettings, Localized};
use std::collections::BTreeMap;

/// Whose facts: the filter on `customers c`, with its one bound id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Customer(i64),
    /// The open customers whose relationship manager is this staff member.
    Manager(i64),
}

impl Scope {
    fn sql(self) -> &'static str {
        match self {
            Scope::Customer(_) => "c.id = $1",
            Scope::Manager(_) => "c.relationship_manager_id = $1 AND c.status <> 'closed'",
        }
    }

    fn id(self) -> i64 {
        match self {
            Scope::Customer(id) | Scope::Manager(id) => id,
        }
    }
}

/// The active products, by code.
pub async fn catalogue(db: &Db) -> Result<Vec<CatalogueProduct>, sqlx::Error> {
    type Row = (String, String, String, String, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT code, kind, name_zh, name_en, rate_bp, term_months, risk_level FROM products \
         WHERE active = 1 ORDER BY code",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(code, kind, zh, en, rate_bp, term_months, risk_level)| CatalogueProduct {
            code,
            kind,
            name: Localized { zh, en },
            rate_bp,
            term_months,
            risk_level,
        })
        .collect())
}

/// The facts of every customer in `scope`, by customer id.
pub async fn load(
    db: &Db,
    scope: Scope,
    s: &InsightSettings,
    today: Day,
) -> Result<BTreeMap<i64, CustomerFacts>, sqlx::Error> {
    let mut out = customers(db, scope).await?;
    idle_balances(db, scope, today, &mut out).await?;
    maturities(db, scope, today, &mut out).await?;
    salaries(db, scope, s, today, &mut out).await?;
    holdings(db, scope, &mut out).await?;
    dismissals(db, scope, &mut out).await?;
    Ok(out)
}

async fn customers(db: &Db, scope: Scope) -> Result<BTreeMap<i64, CustomerFacts>, sqlx::Error> {
    type Row = (i64, i64, String, String, Option<i64>, Option<String>);
    let sql = format!(
        "SELECT c.id, CAST(c.marketing_ok AS BIGINT), c.area, c.occupation, c.risk_level, c.risk_assessed_on \
         FROM customers c WHERE {}",
        scope.sql()
    );
    let rows: Vec<Row> = sqlx::query_as(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|(id, marketing, area, occupation, level, on)| {
            let risk = level.zip(on.as_deref().and_then(Day::parse));
            let facts = CustomerFacts {
                customer_id: id,
                marketing_ok: marketing == 1,
                rural_farmer: area == "rural" && occupation == "farmer",
                risk,
                ..CustomerFacts::default()
            };
            (id, facts)
        })
        .collect())
}

/// Per demand account: its balance now and the lowest before or after any movement
/// in the window; the customer's figure is the best account's lowest.
async fn idle_balances(
    db: &Db,
    scope: Scope,
    today: Day,
    out: &mut BTreeMap<i64, CustomerFacts>,
) -> Result<(), sqlx::Error> {
    let from = today.minus_months(IDLE_MONTHS);
    let sql = format!(
        "SELECT a.customer_id, a.balance, \
           (SELECT MIN(p.balance_after) FROM postings p WHERE p.account_id = a.id AND p.value_date >= '{from}'), \
           (SELECT MIN(p.balance_after - p.amount) FROM postings p WHERE p.account_id = a.id AND p.value_date >= '{from}') \
         FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE {} AND a.kind = 'demand_deposit' AND a.status <> 'closed'",
        scope.sql()
    );
    let rows: Vec<(i64, i64, Option<i64>, Option<i64>)> =
        sqlx::query_as(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    for (customer, balance, after, before) in rows {
        let lowest = [Some(balance), after, before].into_iter().flatten().min().unwrap_or(0);
        if let Some(f) = out.get_mut(&customer) {
            f.idle_balance = f.idle_balance.max(lowest);
        }
    }
    Ok(())
}

async fn maturities(
    db: &Db,
    scope: Scope,
    today: Day,
    out: &mut BTreeMap<i64, CustomerFacts>,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT a.customer_id, a.product_code, a.balance, a.maturity_date \
         FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE {} AND a.kind = 'time_deposit' AND a.status = 'active' AND a.product_code IS NOT NULL \
           AND a.maturity_date >= '{today}' ORDER BY a.maturity_date DESC, a.id DESC",
        scope.sql()
    );
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    // Latest first, so the earliest is written last.
    for (customer, code, balance, day) in rows {
        if let (Some(f), Some(day)) = (out.get_mut(&customer), Day::parse(&day)) {
            f.next_maturity = Some((code, balance, day));
        }
    }
    Ok(())
}

async fn salaries(
    db: &Db,
    scope: Scope,
    s: &InsightSettings,
    today: Day,
    out: &mut BTreeMap<i64, CustomerFacts>,
) -> Result<(), sqlx::Error> {
    let from = today.plus_days(-i64::from(s.salary_lookback_days));
    let sql = format!(
        "SELECT a.customer_id, COUNT(*) FROM postings p JOIN journal_entries j ON j.id = p.journal_id \
         JOIN accounts a ON a.id = p.account_id JOIN customers c ON c.id = a.customer_id \
         WHERE {} AND j.kind = 'salary' AND p.amount > 0 AND p.value_date > '{from}' AND p.value_date <= '{today}' \
         GROUP BY a.customer_id",
        scope.sql()
    );
    let rows: Vec<(i64, i64)> = sqlx::query_as(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    for (customer, n) in rows {
        if let Some(f) = out.get_mut(&customer) {
            f.salary_credits = n;
        }
    }
    let sql = format!(
        "SELECT DISTINCT a.customer_id FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE {} AND a.kind = 'installment_savings' AND a.status <> 'closed'",
        scope.sql()
    );
    let rows: Vec<i64> = sqlx::query_scalar(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    for customer in rows {
        if let Some(f) = out.get_mut(&customer) {
            f.has_installment = true;
        }
    }
    Ok(())
}

async fn holdings(db: &Db, scope: Scope, out: &mut BTreeMap<i64, CustomerFacts>) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT a.customer_id, a.product_code FROM accounts a JOIN customers c ON c.id = a.customer_id \
         WHERE {scope} AND a.kind = 'loan' AND a.status <> 'closed' AND a.product_code IS NOT NULL \
         UNION SELECT f.customer_id, f.product_code FROM fund_holdings f JOIN customers c ON c.id = f.customer_id \
         WHERE {scope} AND f.units_milli > 0",
        scope = scope.sql()
    );
    let rows: Vec<(i64, String)> = sqlx::query_as(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    for (customer, code) in rows {
        if let Some(f) = out.get_mut(&customer) {
            f.held.insert(code);
        }
    }
    Ok(())
}

async fn dismissals(db: &Db, scope: Scope, out: &mut BTreeMap<i64, CustomerFacts>) -> Result<(), sqlx::Error> {
    let sql = format!(
        "SELECT d.customer_id, d.rule, d.product_code FROM recommendation_dismissals d \
         JOIN customers c ON c.id = d.customer_id WHERE {}",
        scope.sql()
    );
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&sql).bind(scope.id()).fetch_all(db.pool()).await?;
    for (customer, rule, code) in rows {
        if let Some(f) = out.get_mut(&customer) {
            f.dismissed.insert((rule, code));
        }
    }
    Ok(())
}
