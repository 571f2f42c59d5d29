//! The customers behind a dashboard count (`/staff/insight/customers`): the metric
//! names a source of `dash_sources` and its group, the list is that source's rows
//! (so it is exactly as long as the count), a page at a time, with the phone masked
//! and account numbers shortened. Every view is audited (who, what, filter, rows).
use super::dash_filter::{Month, Scope};
use super::dash_sources as src;
use crate::api::insight::{DrillList, DrillRow, HOLDING_KINDS, PAGE_SIZE};
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::outbox::mask_phone;
use crate::backend::AppState;
use crate::error::AppError;
use crate::types::account::mask_number;
use crate::types::{Localized, Segment};
use sqlx::AnyConnection;

/// Audit events (stable names).
pub const VIEWED: &str = "insight_customers_viewed";
pub const EXPORTED: &str = "insight_exported";

/// A checked metric: its source SQL, the group it keeps, and whether its items are
/// account numbers (shown masked).
pub struct Metric {
    pub name: String,
    pub source: String,
    pub grp: String,
    pub masked_items: bool,
}

/// Reads "dormant", "holding:loan", "segment:mass", "requests:complaint",
/// "month:2026-10", "moved:2026-10:mass:affluent"… Anything else is `metric`.
pub fn metric(s: &Scope, name: &str) -> Result<Metric, AppError> {
    let name = name.trim();
    let bad = || AppError::invalid("metric");
    let (head, rest) = name.split_once(':').unwrap_or((name, ""));
    let in_period = |m: &str| Month::parse(m).filter(|m| s.months.contains(m)).map(|m| m.to_string());
    let kind_word = |k: &str| k.len() <= 40 && !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let (source, grp, masked) = match (head, rest) {
        ("customers", "") => (src::customers(s), String::new(), false),
        ("effective", "") => (src::effective(s), String::new(), false),
        ("dormant", "") => (src::dormant(s), String::new(), true),
        ("dormant_soon", "") => (src::dormant_soon(s), String::new(), true),
        ("empty_card", "") => (src::empty_cards(s), String::new(), true),
        ("debit_card", "") => (src::debit_cards(s), String::new(), true),
        ("holding", kind) if HOLDING_KINDS.contains(&kind) => (src::holders(s), kind.to_owned(), false),
        ("segment", seg) if Segment::parse(seg).is_some() => (src::segments(s), seg.to_owned(), false),
        ("new", "") => (src::new_customers(s), String::new(), false),
        ("lost", "") => (src::lost_customers(s), String::new(), false),
        ("requests", kind) if kind_word(kind) => (src::requests(s), kind.to_owned(), false),
        ("resolved", kind) if kind_word(kind) => (src::resolved(s), kind.to_owned(), false),
        ("in_time", kind) if kind_word(kind) => (src::in_time(s), kind.to_owned(), false),
        ("rated", "") => (src::ratings(s), String::new(), false),
        ("held", "") => (src::consultations(s), "held".to_owned(), false),
        ("no_show", "") => (src::consultations(s), "no_show".to_owned(), false),
        ("month", m) => (src::month_rows(s, false), in_period(m).ok_or_else(bad)?, false),
        ("month_effective", m) => (src::month_rows(s, true), in_period(m).ok_or_else(bad)?, false),
        ("moved", rest) => {
            let mut parts = rest.split(':');
            let (m, from, to) = (parts.next(), parts.next(), parts.next());
            let month = m.and_then(in_period).ok_or_else(bad)?;
            let from = from.and_then(Segment::parse).ok_or_else(bad)?;
            let to = to.and_then(Segment::parse).ok_or_else(bad)?;
            if parts.next().is_some() || from == to {
                return Err(bad());
            }
            (src::movements(s), format!("{month}:{}:{}", from.as_str(), to.as_str()), false)
        }
        _ => return Err(bad()),
    };
    Ok(Metric { name: name.to_owned(), source, grp, masked_items: masked })
}

/// How many rows `m` has.
pub async fn count(db: &mut AnyConnection, m: &Metric) -> Result<i64, AppError> {
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM ({}) s WHERE s.grp = $1", m.source))
        .bind(&m.grp)
        .fetch_one(&mut *db)
        .await?;
    Ok(total)
}

type RawRow = (String, String, String, String, String, String, i64);

/// Rows `offset..offset + limit` of `m`, by customer number then item.
pub async fn rows(db: &mut AnyConnection, m: &Metric, offset: i64, limit: i64) -> Result<Vec<DrillRow>, AppError> {
    let found: Vec<RawRow> = sqlx::query_as(&format!(
        "SELECT c.customer_no, c.full_name, c.phone, b.name_zh, b.name_en, s.item, s.amount \
         FROM ({}) s JOIN customers c ON c.id = s.customer_id JOIN branches b ON b.id = c.branch_id \
         WHERE s.grp = $1 ORDER BY c.customer_no, s.item LIMIT $2 OFFSET $3",
        m.source
    ))
    .bind(&m.grp)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *db)
    .await?;
    Ok(found
        .into_iter()
        .map(|(customer_no, name, phone, zh, en, item, amount)| DrillRow {
            customer_no,
            name,
            phone_masked: mask_phone(&phone),
            branch: Localized { zh, en },
            item: if m.masked_items { mask_number(&item) } else { item },
            amount,
        })
        .collect())
}

/// Records that `actor` saw or exported customer data of the dashboard.
pub async fn audit_view(
    state: &AppState,
    actor: &StaffActor,
    event: &str,
    what: &str,
    s: &Scope,
    rows: i64,
    origin: &str,
) -> Result<(), AppError> {
    let detail = serde_json::json!({
        "what": what,
        "branch": s.filter.branch,
        "from": s.filter.from,
        "to": s.filter.to,
        "rows": rows,
    });
    let mut tx = state.db.begin_write().await?;
    let event = AuditEvent { actor: Actor::Staff(actor.staff_id), customer_id: None, event, detail, origin };
    audit::record(&mut tx, state.db.backend(), state.clock.now(), &event).await?;
    tx.commit().await?;
    Ok(())
}

/// Page `page` (from 1; past the end shows the last) of `metric`, audited.
pub async fn page(
    state: &AppState,
    actor: &StaffActor,
    s: Scope,
    metric_name: &str,
    page: i64,
    origin: &str,
) -> Result<DrillList, AppError> {
    let m = metric(&s, metric_name)?;
    let mut tx = super::indicators::read_tx(&state.db).await?;
    let total = count(&mut tx, &m).await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let rows = rows(&mut tx, &m, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    tx.commit().await?;
    audit_view(state, actor, VIEWED, &m.name, &s, total, origin).await?;
    Ok(DrillList { filter: s.filter, metric: m.name, total, page, pages, rows })
}
