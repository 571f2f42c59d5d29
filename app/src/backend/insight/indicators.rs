//! The management dashboard's figures, all SQL aggregates (`COUNT`, `SUM`, `GROUP
//! BY`) over the sources in `dash_sources`, so no customer is loaded into memory
//! and every count equals the length of the list it links to.
use super::dash_filter::Scope;
use super::dash_sources as src;
use crate::api::insight::{
    BranchOption, Dashboard, Holding, KindLine, MonthLine, Movement, NowFigures, PeriodFigures, SegmentCount,
    HOLDING_KINDS,
};
use crate::backend::{AppState, Backend, Db};
use crate::error::AppError;
use crate::types::{Localized, Segment};
use sqlx::{Any, AnyConnection, Transaction};
use std::collections::BTreeMap;

/// Per group of a source: (rows, sum of amounts).
type Groups = BTreeMap<String, (i64, i64)>;

/// A read-only transaction for the dashboard's queries: every figure from one
/// snapshot. On PostgreSQL without JIT: the rules' `EXISTS` make the planner's
/// estimates large enough to compile the plans, which cost more (0.4 s) than
/// running them.
pub async fn read_tx(db: &Db) -> Result<Transaction<'static, Any>, AppError> {
    let mut tx = db.pool().begin().await?;
    if db.backend() == Backend::Postgres {
        sqlx::query("SET LOCAL jit = off").execute(&mut *tx).await?;
    }
    Ok(tx)
}

/// Counts a source's rows and adds their amounts, per group.
pub async fn groups(db: &mut AnyConnection, source: &str) -> Result<Groups, AppError> {
    let found: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT s.grp, COUNT(*), CAST(COALESCE(SUM(s.amount), 0) AS BIGINT) FROM ({source}) s GROUP BY s.grp"
    ))
    .fetch_all(&mut *db)
    .await?;
    Ok(found.into_iter().map(|(g, n, sum)| (g, (n, sum))).collect())
}

/// A source without groups: (rows, sum of amounts).
async fn total(db: &mut AnyConnection, source: &str) -> Result<(i64, i64), AppError> {
    Ok(groups(db, source).await?.remove("").unwrap_or((0, 0)))
}

/// The whole dashboard for a checked filter.
pub async fn dashboard(state: &AppState, s: Scope) -> Result<Dashboard, AppError> {
    let mut tx = read_tx(&state.db).await?;
    let db = &mut *tx;
    let branches = branch_options(db).await?;
    let now = now_figures(db, &s).await?;
    let months = month_lines(db, &s).await?;
    let movements = movements(db, &s).await?;
    let period = period_figures(db, &s, &months).await?;
    tx.commit().await?;
    Ok(Dashboard {
        filter: s.filter.clone(),
        branches,
        today: s.today.to_string(),
        first_day: s.first_day.to_string(),
        last_day: s.last_day.to_string(),
        now,
        months,
        movements,
        period,
    })
}

async fn branch_options(db: &mut AnyConnection) -> Result<Vec<BranchOption>, AppError> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT code, name_zh, name_en FROM branches ORDER BY code").fetch_all(&mut *db).await?;
    Ok(rows.into_iter().map(|(code, zh, en)| BranchOption { code, name: Localized { zh, en } }).collect())
}

/// Today's figures.
pub async fn now_figures(db: &mut AnyConnection, s: &Scope) -> Result<NowFigures, AppError> {
    let (customers, _) = total(db, &src::customers(s)).await?;
    let deposits: i64 = sqlx::query_scalar(&src::deposits_total(s)).fetch_one(&mut *db).await?;
    let (effective, _) = total(db, &src::effective(s)).await?;
    let (dormant, _) = total(db, &src::dormant(s)).await?;
    let (dormant_soon, _) = total(db, &src::dormant_soon(s)).await?;
    let (empty_cards, _) = total(db, &src::empty_cards(s)).await?;
    let (debit_cards, card_deposits) = total(db, &src::debit_cards(s)).await?;
    // Products and holders in one pass: per kind, the products and the distinct
    // customers among them (the rows of `holders`, which the drill-down lists).
    let per_kind: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
        "SELECT p.grp, COUNT(*), COUNT(DISTINCT p.customer_id) FROM ({}) p GROUP BY p.grp",
        src::products(s)
    ))
    .fetch_all(&mut *db)
    .await?;
    let products: i64 = per_kind.iter().map(|k| k.1).sum();
    let holdings = HOLDING_KINDS
        .iter()
        .map(|kind| Holding {
            kind: (*kind).to_owned(),
            holders: per_kind.iter().find(|k| k.0 == *kind).map_or(0, |k| k.2),
        })
        .collect();
    let segment_month: Option<String> =
        sqlx::query_scalar("SELECT MAX(month) FROM customer_months").fetch_one(&mut *db).await?;
    let by_segment = groups(db, &src::segments(s)).await?;
    let segments = Segment::ALL
        .iter()
        .map(|seg| {
            let (customers, aum) = by_segment.get(seg.as_str()).copied().unwrap_or((0, 0));
            SegmentCount { segment: *seg, customers, aum }
        })
        .collect();
    Ok(NowFigures {
        customers,
        effective,
        dormant,
        dormant_soon,
        empty_cards,
        deposits,
        debit_cards,
        card_deposits,
        per_card: if debit_cards > 0 { card_deposits / debit_cards } else { 0 },
        products,
        holdings,
        segment_month,
        segments,
    })
}

/// Each month-end of the period from `customer_months`.
pub async fn month_lines(db: &mut AnyConnection, s: &Scope) -> Result<Vec<MonthLine>, AppError> {
    let found: Vec<(String, String, i64, i64, i64, i64)> = sqlx::query_as(&format!(
        "SELECT m.month, m.segment, COUNT(*), CAST(SUM(m.aum) AS BIGINT), CAST(SUM(m.deposits) AS BIGINT), \
           CAST(SUM(m.effective) AS BIGINT) \
         FROM customer_months m WHERE m.month IN {} AND {} GROUP BY m.month, m.segment",
        s.month_list(),
        s.branch_on("m.branch_id")
    ))
    .fetch_all(&mut *db)
    .await?;
    let mut lines: Vec<MonthLine> = s
        .months
        .iter()
        .map(|m| MonthLine {
            month: m.to_string(),
            customers: 0,
            effective: 0,
            deposits: 0,
            growth: 0,
            aum: [0; 4],
            counts: [0; 4],
        })
        .collect();
    for (month, segment, count, aum, deposits, effective) in found {
        let Some(line) = lines.iter_mut().find(|l| l.month == month) else { continue };
        let slot = Segment::ALL.iter().position(|seg| seg.as_str() == segment).unwrap_or(0);
        line.customers += count;
        line.effective += effective;
        line.deposits += deposits;
        line.aum[slot] += aum;
        line.counts[slot] += count;
    }
    // A month-end without snapshot rows (not taken yet, or a branch with nobody) is
    // no figure at all: growth is measured between month-ends that have one.
    let mut before: Option<i64> = None;
    for line in lines.iter_mut().filter(|l| l.customers > 0) {
        line.growth = before.map_or(0, |b| line.deposits - b);
        before = Some(line.deposits);
    }
    Ok(lines)
}

/// Segment changes between consecutive month-ends, later month first then by segment.
pub async fn movements(db: &mut AnyConnection, s: &Scope) -> Result<Vec<Movement>, AppError> {
    let found = groups(db, &src::movements(s)).await?;
    let mut out: Vec<Movement> = found
        .into_iter()
        .filter_map(|(grp, (customers, _))| {
            let mut parts = grp.split(':');
            let month = parts.next()?.to_owned();
            let from = Segment::parse(parts.next()?)?;
            let to = Segment::parse(parts.next()?)?;
            Some(Movement { month, from, to, customers })
        })
        .collect();
    out.sort_by(|a, b| (&a.month, a.from, a.to).cmp(&(&b.month, b.from, b.to)));
    Ok(out)
}

/// The period's figures.
pub async fn period_figures(
    db: &mut AnyConnection,
    s: &Scope,
    months: &[MonthLine],
) -> Result<PeriodFigures, AppError> {
    let (new_customers, _) = total(db, &src::new_customers(s)).await?;
    let (lost_customers, _) = total(db, &src::lost_customers(s)).await?;
    let created = groups(db, &src::requests(s)).await?;
    let resolved = groups(db, &src::resolved(s)).await?;
    let mut kinds: Vec<&String> = created.keys().chain(resolved.keys()).collect();
    kinds.sort();
    kinds.dedup();
    let requests = kinds
        .into_iter()
        .map(|kind| {
            let (resolved, in_time) = resolved.get(kind).copied().unwrap_or((0, 0));
            KindLine { kind: kind.clone(), created: created.get(kind).map_or(0, |g| g.0), resolved, in_time }
        })
        .collect();
    let (ratings, rating_sum) = total(db, &src::ratings(s)).await?;
    let consultations = groups(db, &src::consultations(s)).await?;
    Ok(PeriodFigures {
        new_customers,
        lost_customers,
        deposits_first: months.iter().find(|m| m.customers > 0).map_or(0, |m| m.deposits),
        deposits_last: months.iter().rev().find(|m| m.customers > 0).map_or(0, |m| m.deposits),
        requests,
        ratings,
        rating_sum,
        held: consultations.get("held").map_or(0, |g| g.0),
        no_show: consultations.get("no_show").map_or(0, |g| g.0),
    })
}
