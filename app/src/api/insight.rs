//! Server functions of the management dashboard (`/staff/insight`): the indicators
//! for a branch (or all) over a period of month-ends, and the customers behind any
//! count (`/staff/insight/customers`). Supervisors and admins only. The CSV export
//! of every table is a plain GET route (`server/src/http/insight_export.rs`).
use crate::error::AppError;
use crate::types::{Localized, Segment, StaffRole};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Who sees the dashboard and its lists.
pub const INSIGHT_ROLES: [StaffRole; 2] = [StaffRole::Supervisor, StaffRole::Admin];
/// The default period: this many month-ends, the last one on or before today.
pub const DEFAULT_MONTHS: u32 = 6;
/// The longest period, in month-ends.
pub const MAX_MONTHS: u32 = 24;
/// Customers per page of a drill-down list.
pub const PAGE_SIZE: i64 = 50;

/// The product kinds of the holding table, in display order.
pub const HOLDING_KINDS: [&str; 8] = [
    "demand_deposit",
    "time_deposit",
    "installment_savings",
    "notice_deposit",
    "credit_card",
    "loan",
    "wealth_fund",
    "insurance",
];

/// The dashboard's filter, normalised: a branch code (empty for all) and the
/// period's first and last month ('YYYY-MM').
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashFilter {
    pub branch: String,
    pub from: String,
    pub to: String,
}

impl DashFilter {
    /// The filter as a query string (codes and months need no escaping).
    pub fn query(&self) -> String {
        format!("branch={}&from={}&to={}", self.branch, self.from, self.to)
    }

    /// The drill-down list of `metric` under this filter.
    pub fn drill_href(&self, metric: &str) -> String {
        format!("/staff/insight/customers?metric={metric}&{}", self.query())
    }

    /// The CSV of dashboard table `table` under this filter.
    pub fn export_href(&self, table: &str) -> String {
        format!("/staff/insight/export.csv?table={table}&{}", self.query())
    }
}

/// A branch of the filter's choice list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchOption {
    pub code: String,
    pub name: Localized,
}

/// How many customers hold a product kind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub kind: String,
    pub holders: i64,
}

/// Customers of one segment at the latest month-end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentCount {
    pub segment: Segment,
    pub customers: i64,
    pub aum: i64,
}

/// The indicators today.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NowFigures {
    /// Customers not closed.
    pub customers: i64,
    /// Of those, holding at least one live product.
    pub effective: i64,
    pub dormant: i64,
    pub dormant_soon: i64,
    pub empty_cards: i64,
    /// Positive deposit balances of the customers, in fen.
    pub deposits: i64,
    /// Open debit cards on an open account, and the positive balances behind them.
    pub debit_cards: i64,
    pub card_deposits: i64,
    /// `card_deposits / debit_cards`, truncated to the fen (0 without cards).
    pub per_card: i64,
    /// Open products of the customers (accounts, fund holdings, policies in force).
    pub products: i64,
    pub holdings: Vec<Holding>,
    /// The month-end the segment mix is from (the latest taken), if any.
    pub segment_month: Option<String>,
    pub segments: Vec<SegmentCount>,
}

/// One month-end of the trend (customer_months).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthLine {
    pub month: String,
    pub customers: i64,
    pub effective: i64,
    pub deposits: i64,
    /// Deposits growth over the month-end before (0 for the first).
    pub growth: i64,
    /// AUM and customers per segment, in `Segment::ALL` order.
    pub aum: [i64; 4],
    pub counts: [i64; 4],
}

/// Customers who moved from one segment to another between two month-ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    /// The later month-end (the earlier is the one before it).
    pub month: String,
    pub from: Segment,
    pub to: Segment,
    pub customers: i64,
}

/// Service requests of one kind in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindLine {
    pub kind: String,
    /// Made in the period.
    pub created: i64,
    /// Resolved in the period, and of those resolved in time.
    pub resolved: i64,
    pub in_time: i64,
}

/// The indicators of the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodFigures {
    pub new_customers: i64,
    pub lost_customers: i64,
    /// Deposits at the period's first and last month-end (customer_months).
    pub deposits_first: i64,
    pub deposits_last: i64,
    pub requests: Vec<KindLine>,
    pub ratings: i64,
    pub rating_sum: i64,
    pub held: i64,
    pub no_show: i64,
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filter: DashFilter,
    pub branches: Vec<BranchOption>,
    /// Today, and the period's first and last day.
    pub today: String,
    pub first_day: String,
    pub last_day: String,
    pub now: NowFigures,
    pub months: Vec<MonthLine>,
    pub movements: Vec<Movement>,
    pub period: PeriodFigures,
}

/// One customer (or one of their accounts, requests, bookings) behind a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillRow {
    pub customer_no: String,
    pub name: String,
    pub phone_masked: String,
    pub branch: Localized,
    /// What the row is about besides the customer: a masked account number, a
    /// request or booking reference, a month; empty for a customer as such.
    pub item: String,
    /// An amount in fen where the count has one (deposits, AUM), else 0.
    pub amount: i64,
}

/// A page of the customers behind a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrillList {
    pub filter: DashFilter,
    pub metric: String,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub rows: Vec<DrillRow>,
}

/// The dashboard for a branch code (empty: all) and a period of months.
#[server(prefix = "/api", endpoint = "insight_dashboard")]
pub async fn insight_dashboard(
    branch: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<Dashboard, AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let _actor = ctx.staff_with_role(&INSIGHT_ROLES)?;
    let state = crate::backend::use_state()?;
    let filter = crate::backend::insight::dash_filter::parse(&state, &branch, &from, &to).await?;
    crate::backend::insight::indicators::dashboard(&state, filter).await
}

/// One page of the customers behind `metric` (audited: who, what, filter, rows).
#[server(prefix = "/api", endpoint = "insight_customers")]
pub async fn insight_customers(
    metric: String,
    branch: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<i64>,
) -> Result<DrillList, AppError> {
    let ctx = crate::backend::auth::RequestContext::current()?;
    let actor = ctx.staff_with_role(&INSIGHT_ROLES)?;
    let state = crate::backend::use_state()?;
    let filter = crate::backend::insight::dash_filter::parse(&state, &branch, &from, &to).await?;
    crate::backend::insight::drill::page(&state, &actor, filter, &metric, page.unwrap_or(1), &ctx.origin).await
}
