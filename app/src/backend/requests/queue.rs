//! The staff queue: requests filtered by kind, status, priority, due time,
//! assignee and branch, earliest due first (paused ones after the running ones,
//! then by priority), 50 to a page.
//!
//! Filters are SQL conditions with bound values; the order uses the
//! `(status, due_at)` index. "At risk" is the service-level rules' judgement
//! (`sla::flag`), so that filter reads the running, not yet overdue requests in due
//! order and keeps the flagged ones.
use super::calendar::WorkingCalendar;
use super::{sla, RequestRow};
use crate::api::requests_staff::{
    AssigneeFilter, DueFilter, Queue, QueueFilter, QueueRow, StaffChoice, StatusFilter, PAGE_SIZE,
};
use crate::backend::auth::StaffActor;
use crate::backend::{local_time, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{Day, Priority, RequestKind, RequestRef, RequestStatus, SlaFlag, StaffRole, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

/// The most running requests read to find the at-risk ones among them.
const AT_RISK_SCAN: i64 = 2000;

/// The columns a queue row needs, from `service_requests r`, `customers c`,
/// `branches b` and the assignee `staff s`.
pub(super) const QUEUE_COLUMNS: &str = "r.id, r.reference, r.customer_id, r.kind, r.priority, r.status, r.subject, \
     r.details, r.card_id, r.account_id, r.posting_id, r.follow_up_of, r.assigned_staff_id, r.target_minutes, \
     r.used_minutes, r.running_since, r.due_at, r.decision_due_at, r.extension_level, r.created_at, r.resolved_at, \
     r.escalated_at, c.full_name AS customer_name, c.customer_no, b.code AS branch_code, \
     s.staff_no AS assignee_no, s.full_name AS assignee_name";

pub(super) const QUEUE_FROM: &str = "FROM service_requests r JOIN customers c ON c.id = r.customer_id \
     JOIN branches b ON b.id = r.branch_id LEFT JOIN staff s ON s.id = r.assigned_staff_id";

/// Earliest due first; paused and stopped ones (no due time) after; then priority.
const ORDER: &str = "ORDER BY CASE WHEN r.due_at IS NULL THEN 1 ELSE 0 END, r.due_at, \
     CASE r.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END, r.id";

enum Value {
    Int(i64),
    Text(String),
}

/// A page of the queue for `actor` (whose "me" it is).
pub async fn queue(state: &AppState, actor: &StaffActor, filter: QueueFilter) -> Result<Queue, AppError> {
    let now = state.clock.now();
    let calendar = WorkingCalendar::load(&state.db, state.zone).await?;
    let mut conditions: Vec<String> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let bind = |values: &mut Vec<Value>, value: Value| {
        values.push(value);
        format!("${}", values.len())
    };
    match filter.status {
        StatusFilter::Open => conditions.push(format!("r.status IN ({})", open_statuses())),
        StatusFilter::All => {}
        StatusFilter::Only(status) => {
            conditions.push(format!("r.status = {}", bind(&mut values, Value::Text(status.as_str().into()))))
        }
    }
    if let Some(kind) = filter.kind {
        conditions.push(format!("r.kind = {}", bind(&mut values, Value::Text(kind.as_str().into()))));
    }
    if let Some(priority) = filter.priority {
        conditions.push(format!("r.priority = {}", bind(&mut values, Value::Text(priority.as_str().into()))));
    }
    match filter.assignee {
        AssigneeFilter::Me => {
            conditions.push(format!("r.assigned_staff_id = {}", bind(&mut values, Value::Int(actor.staff_id))))
        }
        AssigneeFilter::Unassigned => conditions.push("r.assigned_staff_id IS NULL".into()),
        AssigneeFilter::Any => {}
    }
    if let Some(code) = &filter.branch {
        conditions.push(format!("b.code = {}", bind(&mut values, Value::Text(code.clone()))));
    }
    match filter.due {
        Some(DueFilter::Overdue) => {
            let at = bind(&mut values, Value::Int(now.micros()));
            conditions.push(format!("r.running_since IS NOT NULL AND r.due_at < {at}"));
        }
        Some(DueFilter::AtRisk) => {
            let at = bind(&mut values, Value::Int(now.micros()));
            conditions.push(format!("r.running_since IS NOT NULL AND r.due_at >= {at}"));
        }
        Some(DueFilter::Today) => {
            let today = Day::at(state.zone, now);
            let from = bind(&mut values, Value::Int(today.start_in(state.zone).micros()));
            let until = bind(&mut values, Value::Int(today.plus_days(1).start_in(state.zone).micros()));
            conditions.push(format!("r.due_at >= {from} AND r.due_at < {until}"));
        }
        Some(DueFilter::Escalated) => conditions.push("r.escalated_at IS NOT NULL".into()),
        None => {}
    }
    let at_risk = filter.due == Some(DueFilter::AtRisk);
    let offset = (filter.page - 1) * PAGE_SIZE;
    // One more than a page tells whether there is a next one.
    let (limit, skip) = if at_risk { (AT_RISK_SCAN, 0) } else { (PAGE_SIZE + 1, offset) };
    let limit = bind(&mut values, Value::Int(limit));
    let skip = bind(&mut values, Value::Int(skip));
    let condition = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    let sql = format!("SELECT {QUEUE_COLUMNS} {QUEUE_FROM} {condition} {ORDER} LIMIT {limit} OFFSET {skip}");
    let mut query = sqlx::query(&sql);
    for value in values {
        query = match value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
        };
    }
    let found = query.fetch_all(state.db.pool()).await?;
    let mut rows = Vec::with_capacity(found.len());
    for row in &found {
        let head = head_of(state, &calendar, row, now)?;
        if !at_risk || head.sla == SlaFlag::AtRisk {
            rows.push(head);
        }
    }
    if at_risk {
        rows = rows.into_iter().skip(usize::try_from(offset).unwrap_or(0)).collect();
    }
    let has_more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    Ok(Queue {
        filter,
        rows,
        has_more,
        can_assign: matches!(actor.role, StaffRole::Supervisor | StaffRole::Admin),
        staff: active_staff(state).await?,
        branches: sqlx::query_scalar("SELECT code FROM branches ORDER BY code").fetch_all(state.db.pool()).await?,
    })
}

fn open_statuses() -> String {
    RequestStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Active staff, the choices of an assignment.
pub(super) async fn active_staff(state: &AppState) -> Result<Vec<StaffChoice>, sqlx::Error> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT staff_no, full_name, role FROM staff WHERE status = 'active' ORDER BY staff_no")
            .fetch_all(state.db.pool())
            .await?;
    Ok(rows.into_iter().map(|(staff_no, name, role)| StaffChoice { staff_no, name, role }).collect())
}

/// A queue row from a row of `QUEUE_COLUMNS`, with its service-level flag at `now`.
pub(super) fn head_of(
    state: &AppState,
    calendar: &WorkingCalendar,
    row: &AnyRow,
    now: Timestamp,
) -> Result<QueueRow, AppError> {
    let request = request_of(row)?;
    Ok(QueueRow {
        reference: request.reference.to_string(),
        kind: request.kind,
        priority: request.priority,
        status: request.status,
        subject: request.subject.clone(),
        customer_name: row.try_get("customer_name")?,
        customer_no: row.try_get("customer_no")?,
        branch_code: row.try_get("branch_code")?,
        assignee_no: row.try_get("assignee_no")?,
        assignee_name: row.try_get("assignee_name")?,
        created_local: local_time(state.zone, request.created_at),
        due_local: request.due_at.filter(|_| request.running_since.is_some()).map(|at| local_time(state.zone, at)),
        sla: sla::flag(calendar, &request, now),
        escalated: row.try_get::<Option<i64>, _>("escalated_at")?.is_some(),
    })
}

/// The request itself from a row of `QUEUE_COLUMNS` (the schema's CHECKs keep the
/// names valid; one that is not is logged and answered as an internal error).
fn request_of(row: &AnyRow) -> Result<RequestRow, AppError> {
    fn stored<T>(what: &str, text: &str, parsed: Option<T>) -> Result<T, AppError> {
        parsed.ok_or_else(|| {
            tracing::error!(what, text, "unknown value in service_requests");
            AppError::new(ErrorCode::Internal)
        })
    }
    let text = |column: &str| -> Result<String, sqlx::Error> { row.try_get(column) };
    let at = |column: &str| -> Result<Option<Timestamp>, sqlx::Error> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp::from_micros))
    };
    let (reference, kind, priority, status) = (text("reference")?, text("kind")?, text("priority")?, text("status")?);
    let details = text("details")?;
    Ok(RequestRow {
        id: row.try_get("id")?,
        reference: stored("reference", &reference, RequestRef::parse(&reference))?,
        customer_id: row.try_get("customer_id")?,
        kind: stored("kind", &kind, RequestKind::parse(&kind))?,
        priority: stored("priority", &priority, Priority::parse(&priority))?,
        status: stored("status", &status, RequestStatus::parse(&status))?,
        subject: text("subject")?,
        details: stored("details", &details, serde_json::from_str(&details).ok())?,
        card_id: row.try_get("card_id")?,
        account_id: row.try_get("account_id")?,
        posting_id: row.try_get("posting_id")?,
        follow_up_of: row.try_get("follow_up_of")?,
        assigned_staff_id: row.try_get("assigned_staff_id")?,
        target_minutes: row.try_get("target_minutes")?,
        used_minutes: row.try_get("used_minutes")?,
        running_since: at("running_since")?,
        due_at: at("due_at")?,
        decision_due_at: at("decision_due_at")?,
        extension_level: row.try_get("extension_level")?,
        created_at: Timestamp::from_micros(row.try_get("created_at")?),
        resolved_at: at("resolved_at")?,
    })
}
