//! The audit trail of one customer, or of one staff member's actions, over a period
//! of days (the bank's zone), for the supervisors' CSV export
//! (`server/src/http/audit_export.rs`).
//!
//! [`begin`] checks the request, counts the rows and records the export itself
//! (`audit_exported`, with the filter and the row count) before a byte is sent. The
//! rows are then read in id order in keyset pages, never past the last id counted:
//! the audit log is append-only and ids grow in the order rows are chained, so the
//! file holds exactly the rows the audit row counted, however long the download.
use crate::api::impersonation_review::MAX_EXPORT_DAYS;
use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::impersonation_review::party_no;
use crate::backend::{AppState, Db};
use crate::error::{AppError, ErrorCode};
use crate::types::{Day, Timestamp};
use sqlx::Row;

/// The export's own audit event (stable).
pub const EXPORTED: &str = "audit_exported";

/// Whose trail is exported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Every row concerning the customer, whoever acted.
    Customer { id: i64, no: String },
    /// Every row the staff member acted in.
    Staff { id: i64, no: String },
}

impl Subject {
    pub fn no(&self) -> &str {
        match self {
            Subject::Customer { no, .. } | Subject::Staff { no, .. } => no,
        }
    }

    /// The SQL condition on `audit_log a`, with its value as `$1`.
    fn condition(&self) -> &'static str {
        match self {
            Subject::Customer { .. } => "a.customer_id = $1",
            Subject::Staff { .. } => "a.actor_kind = 'staff' AND a.actor_id = $1",
        }
    }

    fn id(&self) -> i64 {
        match self {
            Subject::Customer { id, .. } | Subject::Staff { id, .. } => *id,
        }
    }
}

/// A checked request: whose trail, and the days (both included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRequest {
    /// `true` for a customer number, `false` for a staff number.
    pub by_customer: bool,
    pub no: String,
    pub first: Day,
    pub last: Day,
}

/// Checks the query: exactly one of `customer` and `staff` (empty counts as
/// absent), two real days, in order, at most [`MAX_EXPORT_DAYS`] apart (both
/// included). Errors name the field: `subject` or `range`.
pub fn parse_request(customer: &str, staff: &str, from: &str, to: &str) -> Result<ExportRequest, AppError> {
    let customer = party_no(customer, "subject")?;
    let staff = party_no(staff, "subject")?;
    let (by_customer, no) = match (customer, staff) {
        (Some(no), None) => (true, no),
        (None, Some(no)) => (false, no),
        _ => return Err(AppError::invalid("subject")),
    };
    let day = |text: &str| Day::parse(text.trim()).ok_or_else(|| AppError::invalid("range"));
    let (first, last) = (day(from)?, day(to)?);
    if first > last || first.days_until(last) >= MAX_EXPORT_DAYS {
        return Err(AppError::invalid("range"));
    }
    Ok(ExportRequest { by_customer, no, first, last })
}

/// An export under way: what it covers and how far it may read.
#[derive(Clone, Debug)]
pub struct AuditExport {
    pub subject: Subject,
    pub request: ExportRequest,
    /// `[start, end)`: the first day's start to the day after the last's start.
    pub start: Timestamp,
    pub end: Timestamp,
    /// The last row counted (none when there is none).
    pub max_id: Option<i64>,
    pub rows: i64,
}

/// One row of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportRow {
    pub id: i64,
    pub at: Timestamp,
    pub actor_kind: String,
    /// The acting staff or customer number; empty for the system and the anonymous.
    pub actor: String,
    /// The customer concerned; empty when none.
    pub customer_no: String,
    pub event: String,
    pub origin: String,
    /// The stored JSON text (empty for no detail).
    pub detail: String,
}

/// A page of rows and where the next one starts.
pub struct ExportPage {
    pub rows: Vec<ExportRow>,
    pub next_cursor: Option<i64>,
}

/// Finds the subject, counts the rows and records the export (as `actor`'s, in one
/// transaction). Unknown numbers are `NotFound`.
pub async fn begin(
    state: &AppState,
    actor: &StaffActor,
    request: ExportRequest,
    origin: &str,
) -> Result<AuditExport, AppError> {
    let now = state.clock.now();
    let subject = if request.by_customer {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE customer_no = $1")
            .bind(&request.no)
            .fetch_optional(state.db.pool())
            .await?;
        Subject::Customer { id: id.ok_or(AppError::new(ErrorCode::NotFound))?, no: request.no.clone() }
    } else {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM staff WHERE staff_no = $1")
            .bind(&request.no)
            .fetch_optional(state.db.pool())
            .await?;
        Subject::Staff { id: id.ok_or(AppError::new(ErrorCode::NotFound))?, no: request.no.clone() }
    };
    let start = request.first.start_in(state.zone);
    let end = request.last.plus_days(1).start_in(state.zone);
    let mut tx = state.db.begin_write().await?;
    let (rows, max_id): (i64, Option<i64>) = sqlx::query_as(&format!(
        "SELECT COUNT(*), MAX(a.id) FROM audit_log a WHERE {} AND a.at >= $2 AND a.at < $3",
        subject.condition()
    ))
    .bind(subject.id())
    .bind(start.micros())
    .bind(end.micros())
    .fetch_one(&mut *tx)
    .await?;
    let (filter, customer_id) = match &subject {
        Subject::Customer { id, .. } => ("customer", Some(*id)),
        Subject::Staff { .. } => ("staff", None),
    };
    let event = AuditEvent {
        actor: Actor::Staff(actor.staff_id),
        customer_id,
        event: EXPORTED,
        detail: serde_json::json!({
            "filter": filter,
            "subject": subject.no(),
            "from": request.first.to_string(),
            "to": request.last.to_string(),
            "rows": rows,
        }),
        origin,
    };
    audit::record(&mut tx, state.db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(AuditExport { subject, request, start, end, max_id, rows })
}

impl AuditExport {
    /// Up to `limit` rows after id `after`, in id order, none past the last counted.
    pub async fn page(&self, db: &Db, after: Option<i64>, limit: u32) -> Result<ExportPage, AppError> {
        let Some(max_id) = self.max_id else {
            return Ok(ExportPage { rows: Vec::new(), next_cursor: None });
        };
        let found = sqlx::query(&format!(
            "SELECT a.id, a.at, a.actor_kind, a.event, a.origin, a.detail, \
               COALESCE(s.staff_no, ac.customer_no, '') AS actor_no, COALESCE(c.customer_no, '') AS customer_no \
             FROM audit_log a \
             LEFT JOIN staff s ON a.actor_kind = 'staff' AND s.id = a.actor_id \
             LEFT JOIN customers ac ON a.actor_kind = 'customer' AND ac.id = a.actor_id \
             LEFT JOIN customers c ON c.id = a.customer_id \
             WHERE {} AND a.at >= $2 AND a.at < $3 AND a.id > $4 AND a.id <= $5 ORDER BY a.id LIMIT $6",
            self.subject.condition()
        ))
        .bind(self.subject.id())
        .bind(self.start.micros())
        .bind(self.end.micros())
        .bind(after.unwrap_or(0))
        .bind(max_id)
        .bind(i64::from(limit) + 1)
        .fetch_all(db.pool())
        .await?;
        let more = found.len() > limit as usize;
        let mut rows = Vec::with_capacity(found.len());
        for row in found.iter().take(limit as usize) {
            rows.push(ExportRow {
                id: row.try_get("id")?,
                at: Timestamp::from_micros(row.try_get("at")?),
                actor_kind: row.try_get("actor_kind")?,
                actor: row.try_get("actor_no")?,
                customer_no: row.try_get("customer_no")?,
                event: row.try_get("event")?,
                origin: row.try_get("origin")?,
                detail: row.try_get("detail")?,
            });
        }
        let next_cursor = if more { rows.last().map(|r| r.id) } else { None };
        Ok(ExportPage { rows, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_subject_and_a_bounded_range() {
        let ok = parse_request("c00001", "", "2026-01-01", "2026-12-31").unwrap();
        assert!(ok.by_customer);
        assert_eq!(ok.no, "C00001");
        assert!(!parse_request("", "s00005", "2026-11-01", "2026-11-01").unwrap().by_customer);
        let bad = |c: &str, s: &str, f: &str, t: &str| parse_request(c, s, f, t).unwrap_err().field;
        assert_eq!(bad("C00001", "S00005", "2026-11-01", "2026-11-02").as_deref(), Some("subject"));
        assert_eq!(bad("", "", "2026-11-01", "2026-11-02").as_deref(), Some("subject"));
        assert_eq!(bad("C00001", "", "2026-11-02", "2026-11-01").as_deref(), Some("range"));
        assert_eq!(bad("C00001", "", "2025-01-01", "2026-01-02").as_deref(), Some("range"));
        assert_eq!(bad("C00001", "", "2026-02-30", "2026-03-01").as_deref(), Some("range"));
        assert_eq!(bad("C00001", "", "", "2026-03-01").as_deref(), Some("range"));
        // 366 days, both included (a leap year's whole).
        assert!(parse_request("C00001", "", "2028-01-01", "2028-12-31").is_ok());
    }
}
