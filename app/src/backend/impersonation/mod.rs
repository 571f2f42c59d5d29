//! "View as customer" (impersonation): a support staff member sees the portal as a
//! customer sees it, to help them, under safeguards enforced here and in
//! `auth::RequestContext`:
//!
//! - only agents, supervisors and admins start it ([`start`]), never on staff, on
//!   themselves, on a closed or locked customer, on a customer who turned it off,
//!   and never two at once;
//! - it is read-only (`RequestContext::customer_for_change` refuses it) unless a
//!   supervisor grants assist mode, which opens only the request and booking forms;
//! - every request while it runs is audited ([`record_request`]); start and end
//!   are audit rows of their own;
//! - it ends at stop, log-out, the staff session's end, its time limit (60 minutes,
//!   never past the staff session's own end) and at once when the staff member
//!   loses the role ([`check`] runs on every request and ends it then).
mod history;
mod start;

pub(crate) use history::access_of;
pub use history::history_for_customer;
pub use start::{csrf_matches, csrf_token, start, target, StartRequest};

use super::audit::{self, Actor, AuditEvent};
use super::auth::Impersonation;
use super::{AppState, Db};
use crate::types::{EndReason, ImpersonationMode, StaffRole, Timestamp};
use sqlx::Row;

/// The roles that may view as a customer.
pub const ALLOWED_ROLES: [StaffRole; 3] = [StaffRole::Agent, StaffRole::Supervisor, StaffRole::Admin];

/// Audit event names (stable).
pub mod events {
    pub const STARTED: &str = "impersonation_started";
    pub const REFUSED: &str = "impersonation_refused";
    pub const REQUEST: &str = "impersonation_request";
    pub const ENDED: &str = "impersonation_ended";
}

/// What [`check`] found for a staff session's viewing.
#[derive(Debug)]
pub enum Check {
    Running(Impersonation),
    /// It has ended (now or before): the session should forget it.
    Ended,
}

/// Whether the viewing `id` of `staff_id` still runs at `now`, ending it (with the
/// reason) when its time is up, the staff member lost the role or was disabled, or
/// the customer became unavailable. Runs on every request of a viewing session.
pub async fn check(
    state: &AppState,
    staff_id: i64,
    id: i64,
    now: Timestamp,
    origin: &str,
) -> Result<Check, sqlx::Error> {
    let row = sqlx::query(
        "SELECT i.customer_id, i.mode, i.reason, i.reference, i.expires_at, i.ended_at, \
                c.customer_no, c.full_name, c.status AS customer_status, c.allow_staff_view, \
                s.role, s.status AS staff_status, \
                (SELECT cr.id FROM credentials cr WHERE cr.principal_kind = 'customer' \
                   AND cr.principal_id = c.id) AS credential_id \
         FROM impersonations i JOIN customers c ON c.id = i.customer_id JOIN staff s ON s.id = i.staff_id \
         WHERE i.id = $1 AND i.staff_id = $2",
    )
    .bind(id)
    .bind(staff_id)
    .fetch_optional(state.db.pool())
    .await?;
    let Some(row) = row else { return Ok(Check::Ended) };
    if row.try_get::<Option<i64>, _>("ended_at")?.is_some() {
        return Ok(Check::Ended);
    }
    let expires_at = Timestamp::from_micros(row.try_get("expires_at")?);
    let role = StaffRole::parse(&row.try_get::<String, _>("role")?);
    let staff_active = row.try_get::<String, _>("staff_status")? == "active";
    let customer_active = row.try_get::<String, _>("customer_status")? == "active";
    let end = if now >= expires_at {
        Some(EndReason::TimeLimit)
    } else if !staff_active || !role.is_some_and(|r| ALLOWED_ROLES.contains(&r)) {
        Some(EndReason::RoleRemoved)
    } else if !customer_active {
        Some(EndReason::CustomerUnavailable)
    } else if row.try_get::<i64, _>("allow_staff_view")? == 0 {
        Some(EndReason::CustomerOptedOut)
    } else {
        None
    };
    if let Some(reason) = end {
        end_viewing(&state.db, id, reason, now, origin).await?;
        return Ok(Check::Ended);
    }
    let mode = ImpersonationMode::parse(&row.try_get::<String, _>("mode")?).unwrap_or(ImpersonationMode::ReadOnly);
    Ok(Check::Running(Impersonation {
        id,
        staff_id,
        customer_id: row.try_get("customer_id")?,
        customer_credential_id: row.try_get("credential_id")?,
        customer_no: row.try_get("customer_no")?,
        customer_name: row.try_get("full_name")?,
        mode,
        reason: row.try_get("reason")?,
        reference: row.try_get("reference")?,
        expires_at,
    }))
}

/// Ends viewing `id` (once: a second call finds it ended and does nothing). A
/// viewing that ran out ends at its limit, not when someone next noticed.
pub async fn end_viewing(
    db: &Db,
    id: i64,
    reason: EndReason,
    now: Timestamp,
    origin: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "SELECT staff_id, customer_id, expires_at, requests, refused FROM impersonations \
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(false) };
    let expires_at: i64 = row.try_get("expires_at")?;
    let ended_at = now.micros().min(expires_at);
    let changed =
        sqlx::query("UPDATE impersonations SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL")
            .bind(ended_at)
            .bind(reason.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    let event = AuditEvent {
        actor: Actor::Staff(row.try_get("staff_id")?),
        customer_id: Some(row.try_get("customer_id")?),
        event: events::ENDED,
        detail: serde_json::json!({
            "impersonation_id": id,
            "end_reason": reason.as_str(),
            "requests": row.try_get::<i64, _>("requests")?,
            "refused": row.try_get::<i64, _>("refused")?,
        }),
        origin,
    };
    audit::record(&mut tx, db.backend(), now, &event).await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends the open viewings (of one staff member, or all) that no longer run: past
/// their limit, or whose staff session is gone (ended elsewhere, expired, swept)
/// without a request to notice. Returns how many still run. Called before a start
/// and by the session sweep, so the customer's history never shows a viewing as
/// running when nobody can be using it.
pub async fn settle_open(db: &Db, staff_id: Option<i64>, now: Timestamp, origin: &str) -> Result<u64, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.id, i.expires_at, \
           (SELECT COUNT(*) FROM sessions s WHERE s.id = i.staff_session_id AND s.expires_at > $2) AS alive \
         FROM impersonations i WHERE i.ended_at IS NULL AND ($1 IS NULL OR i.staff_id = $1)",
    )
    .bind(staff_id)
    .bind(now.micros())
    .fetch_all(db.pool())
    .await?;
    let mut running = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        if now.micros() >= row.try_get::<i64, _>("expires_at")? {
            end_viewing(db, id, EndReason::TimeLimit, now, origin).await?;
        } else if row.try_get::<i64, _>("alive")? == 0 {
            end_viewing(db, id, EndReason::SessionEnded, now, origin).await?;
        } else {
            running += 1;
        }
    }
    Ok(running)
}

/// One request made while viewing: counted on the viewing and written to the
/// audit trail with the staff member, the customer, the reason, the reference, the
/// route and the result.
pub struct RequestRecord<'a> {
    pub method: &'a str,
    pub route: &'a str,
    pub status: u16,
    /// A write refused because of the viewing (whatever the status: a plain form
    /// is answered with a redirect back).
    pub refused: bool,
}

pub async fn record_request(
    db: &Db,
    viewing: &Impersonation,
    request: &RequestRecord<'_>,
    now: Timestamp,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let refused = request.refused || request.status == 403;
    let result = match request.status {
        _ if refused => "refused",
        s if s < 400 => "ok",
        _ => "error",
    };
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE impersonations SET requests = requests + 1, refused = refused + $1 WHERE id = $2")
        .bind(i64::from(refused))
        .bind(viewing.id)
        .execute(&mut *tx)
        .await?;
    let event = AuditEvent {
        actor: Actor::Staff(viewing.staff_id),
        customer_id: Some(viewing.customer_id),
        event: events::REQUEST,
        detail: serde_json::json!({
            "impersonation_id": viewing.id,
            "reason": viewing.reason,
            "reference": viewing.reference,
            "mode": viewing.mode.as_str(),
            "method": request.method,
            "route": request.route,
            "status": request.status,
            "result": result,
        }),
        origin,
    };
    audit::record(&mut tx, db.backend(), now, &event).await?;
    tx.commit().await
}
