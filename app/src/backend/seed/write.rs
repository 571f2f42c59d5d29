//! Writing planned customers in bulk: multi-row INSERTs inside the caller's
//! transaction, with every posting's running balance computed here (the postings
//! trigger checks `balance_after` against the account row it moves).
use super::plan::{Plan, Side, INTERNALS};
use crate::backend::Backend;
use crate::types::Day;
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// Rows per INSERT. PostgreSQL takes large statements well (65,535 parameters at
/// most); SQLite's binding looks every parameter's name up in a list (quadratic in
/// the parameters of one statement), so it gets statements of a few hundred.
struct Rows {
    accounts: usize,
    journals: usize,
    postings: usize,
}

fn rows_for(backend: Backend) -> Rows {
    match backend {
        Backend::Sqlite => Rows { accounts: 20, journals: 100, postings: 64 },
        Backend::Postgres => Rows { accounts: 200, journals: 1000, postings: 1000 },
    }
}
const ID_LIST: usize = 200;

/// "($1, $2, $3), ($4, $5, $6)" for `rows` rows of `columns` parameters.
fn values(rows: usize, columns: usize) -> String {
    let mut out = String::with_capacity(rows * columns * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..columns {
            if c > 0 {
                out.push_str(", ");
            }
            out.push('$');
            out.push_str(&(r * columns + c + 1).to_string());
        }
        out.push(')');
    }
    out
}

/// "$1, $2, … $n"
fn params(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The UTC microsecond at which each day starts in the bank's zone, computed once per day.
struct Days {
    zone: chrono_tz::Tz,
    cache: HashMap<Day, i64>,
}

impl Days {
    fn at(&mut self, day: Day, secs: u32) -> i64 {
        let zone = self.zone;
        let start = *self.cache.entry(day).or_insert_with(|| day.start_in(zone).micros());
        start + i64::from(secs) * 1_000_000
    }
}

/// Writes `plan` for customers whose database ids are in `customer_ids`. Returns the
/// number of postings written.
pub(super) async fn write(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    zone: chrono_tz::Tz,
    plan: &Plan,
    customer_ids: &HashMap<u32, i64>,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let size = rows_for(backend);
    let customer_id = |n: u32| customer_ids.get(&n).copied().ok_or(sqlx::Error::RowNotFound);
    let mut days = Days { zone, cache: HashMap::new() };

    // The bank's side: locked (PostgreSQL) so its running balances stay ours until commit.
    let lock = if backend == Backend::Postgres { " FOR UPDATE" } else { "" };
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT id, account_no, balance FROM accounts WHERE kind = 'internal' ORDER BY id{lock}"
    ))
    .fetch_all(&mut **tx)
    .await?;
    let mut bank = [(0i64, 0i64); INTERNALS.len()];
    for (slot, internal) in bank.iter_mut().zip(INTERNALS) {
        let (id, _, balance) =
            rows.iter().find(|(_, no, _)| no == internal.account_no()).ok_or(sqlx::Error::RowNotFound)?;
        *slot = (*id, *balance);
    }

    // Accounts: those linking to none first, so the links can name them.
    let mut ids = vec![0i64; plan.accounts.len()];
    for linked in [false, true] {
        let wanted: Vec<usize> =
            (0..plan.accounts.len()).filter(|&i| plan.accounts[i].linked.is_some() == linked).collect();
        for chunk in wanted.chunks(size.accounts) {
            let sql = format!(
                "INSERT INTO accounts (account_no, customer_id, product_code, kind, tier, status, credit_limit, rate_bp, \
                 term_months, maturity_date, at_maturity, linked_account_id, original_amount, monthly_amount, \
                 notice_days, statement_balance, minimum_payment, due_date, accrued_through, last_activity_on, \
                 opened_on, opened_at) VALUES {} RETURNING id, account_no",
                values(chunk.len(), 22)
            );
            let mut query = sqlx::query(&sql);
            for &i in chunk {
                let a = &plan.accounts[i];
                let day = |d: Option<Day>| d.map(|d| d.to_string());
                query = query
                    .bind(a.account_no.clone())
                    .bind(customer_id(a.customer)?)
                    .bind(a.product_code)
                    .bind(a.kind)
                    .bind(a.tier)
                    .bind(a.status)
                    .bind(a.credit_limit)
                    .bind(a.rate_bp)
                    .bind(a.term_months)
                    .bind(day(a.maturity_date))
                    .bind(a.at_maturity.map(str::to_owned))
                    .bind(a.linked.map(|l| ids[l]))
                    .bind(a.original_amount)
                    .bind(a.monthly_amount)
                    .bind(a.notice_days)
                    .bind(a.statement_balance)
                    .bind(a.minimum_payment)
                    .bind(day(a.due_date))
                    .bind(day(a.accrued_through))
                    .bind(day(a.last_activity_on))
                    .bind(a.opened_on.to_string())
                    .bind(days.at(a.opened_on, 9 * 3600));
            }
            let inserted: HashMap<String, i64> = query
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(|row| Ok((row.try_get::<String, _>(1)?, row.try_get::<i64, _>(0)?)))
                .collect::<Result<_, sqlx::Error>>()?;
            for &i in chunk {
                ids[i] = *inserted.get(&plan.accounts[i].account_no).ok_or(sqlx::Error::RowNotFound)?;
            }
        }
    }

    // Debit cards point at the customer's Type I account; credit cards get their row.
    let mut customers: Vec<i64> = plan.accounts.iter().map(|a| customer_id(a.customer)).collect::<Result<_, _>>()?;
    customers.sort_unstable();
    customers.dedup();
    for chunk in customers.chunks(ID_LIST) {
        sqlx::query(&format!(
            "UPDATE cards SET account_id = (SELECT MIN(a.id) FROM accounts a WHERE a.customer_id = cards.customer_id \
             AND a.kind = 'demand_deposit' AND a.tier = 1) \
             WHERE kind = 'debit' AND account_id IS NULL AND customer_id IN ({})",
            params(chunk.len())
        ))
        .bind_all(chunk)
        .execute(&mut **tx)
        .await?;
    }
    let credit: Vec<usize> = (0..plan.accounts.len()).filter(|&i| plan.accounts[i].card_no.is_some()).collect();
    for chunk in credit.chunks(size.accounts) {
        let sql = format!(
            "INSERT INTO cards (customer_id, card_no, kind, account_id, created_at) VALUES {} ON CONFLICT (card_no) DO NOTHING",
            values(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for &i in chunk {
            let a = &plan.accounts[i];
            query = query
                .bind(customer_id(a.customer)?)
                .bind(a.card_no.clone())
                .bind("credit")
                .bind(ids[i])
                .bind(days.at(a.opened_on, 10 * 3600));
        }
        query.execute(&mut **tx).await?;
    }

    // Journals, then their postings with running balances (new accounts start at zero).
    let mut own = vec![0i64; plan.accounts.len()];
    let mut postings: u64 = 0;
    let mut pending: Vec<PostingRow<'_>> = Vec::with_capacity(size.postings);
    for chunk in plan.journals.chunks(size.journals) {
        let sql = format!(
            "INSERT INTO journal_entries (kind, ref, memo, value_date, created_at) VALUES {} RETURNING id, ref",
            values(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for j in chunk {
            query = query
                .bind(j.kind)
                .bind(j.reference.clone())
                .bind(j.memo.clone())
                .bind(j.value_date.to_string())
                .bind(days.at(j.value_date, j.secs));
        }
        let journal_ids: HashMap<String, i64> = query
            .fetch_all(&mut **tx)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<String, _>(1)?, row.try_get::<i64, _>(0)?)))
            .collect::<Result<_, sqlx::Error>>()?;
        for j in chunk {
            let journal_id = *journal_ids.get(&j.reference).ok_or(sqlx::Error::RowNotFound)?;
            let at = days.at(j.value_date, j.secs);
            for line in &j.lines {
                let (account_id, balance) = match line.side {
                    Side::Own(i) => {
                        own[i] += line.amount;
                        (ids[i], own[i])
                    }
                    Side::Bank(b) => {
                        bank[b].1 += line.amount;
                        bank[b]
                    }
                };
                pending.push((
                    journal_id,
                    account_id,
                    line.amount,
                    balance,
                    &line.counterparty,
                    j.value_date.to_string(),
                    at,
                ));
                if pending.len() == size.postings {
                    postings += insert_postings(tx, &pending).await?;
                    pending.clear();
                }
            }
        }
    }
    postings += insert_postings(tx, &pending).await?;

    for chunk in plan.funds.chunks(size.accounts) {
        let sql = format!(
            "INSERT INTO fund_holdings (customer_id, product_code, units_milli, nav_e4, nav_date, cost, created_at) \
             VALUES {}",
            values(chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for f in chunk {
            query = query
                .bind(customer_id(f.customer)?)
                .bind("WM-STEADY")
                .bind(f.units_milli)
                .bind(f.nav_e4)
                .bind(f.nav_date.to_string())
                .bind(f.cost)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    for chunk in plan.policies.chunks(size.accounts) {
        let sql = format!(
            "INSERT INTO insurance_policies (customer_id, product_code, policy_no, insurer_zh, insurer_en, sum_insured, \
             annual_premium, cash_value, start_date, end_date, created_at) VALUES {} ON CONFLICT (policy_no) DO NOTHING",
            values(chunk.len(), 11)
        );
        let mut query = sqlx::query(&sql);
        for p in chunk {
            query = query
                .bind(customer_id(p.customer)?)
                .bind("INS-LIFE")
                .bind(p.policy_no.clone())
                .bind(p.insurer.0)
                .bind(p.insurer.1)
                .bind(p.sum_insured)
                .bind(p.annual_premium)
                .bind(p.cash_value)
                .bind(p.start_date.to_string())
                .bind(p.end_date.to_string())
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    let mut managers: Vec<&'static str> = plan.managers.iter().map(|(_, staff)| *staff).collect();
    managers.sort_unstable();
    managers.dedup();
    for staff_no in managers {
        let customers: Vec<i64> = plan
            .managers
            .iter()
            .filter(|(_, s)| *s == staff_no)
            .map(|(n, _)| customer_id(*n))
            .collect::<Result<_, _>>()?;
        for chunk in customers.chunks(ID_LIST) {
            sqlx::query(&format!(
                "UPDATE customers SET relationship_manager_id = (SELECT id FROM staff WHERE staff_no = $1) \
                 WHERE relationship_manager_id IS NULL AND id IN ({})",
                (2..chunk.len() + 2).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
            ))
            .bind(staff_no)
            .bind_all(chunk)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(postings)
}

type PostingRow<'a> = (i64, i64, i64, i64, &'a str, String, i64);

async fn insert_postings(tx: &mut Transaction<'static, Any>, rows: &[PostingRow<'_>]) -> Result<u64, sqlx::Error> {
    if rows.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "INSERT INTO postings (journal_id, account_id, amount, balance_after, counterparty, value_date, created_at) \
         VALUES {}",
        values(rows.len(), 7)
    );
    let mut query = sqlx::query(&sql);
    for (journal_id, account_id, amount, balance_after, counterparty, value_date, at) in rows {
        query = query
            .bind(*journal_id)
            .bind(*account_id)
            .bind(*amount)
            .bind(*balance_after)
            .bind(counterparty.to_string())
            .bind(value_date.clone())
            .bind(*at);
    }
    Ok(query.execute(&mut **tx).await?.rows_affected())
}

/// Binds every id of a list in turn.
trait BindAll<'q> {
    fn bind_all(self, ids: &[i64]) -> Self;
}

impl<'q> BindAll<'q> for sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    fn bind_all(mut self, ids: &[i64]) -> Self {
        for id in ids {
            self = self.bind(*id);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_across_rows() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::params(3), "$1, $2, $3");
    }
}
