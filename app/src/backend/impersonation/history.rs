//! Past and running viewings, as the customer (security page), the 360 page and
//! supervisors see them.
use crate::backend::Db;
use crate::types::{EndReason, ImpersonationMode, StaffAccess, Timestamp};
use sqlx::any::AnyRow;
use sqlx::Row;

/// The columns [`access_of`] reads; join `impersonations i`, `staff s`, `customers c`.
const ACCESS_COLUMNS: &str = "i.id, s.staff_no, s.full_name AS staff_name, c.customer_no, \
     c.full_name AS customer_name, i.reason, i.reference, i.mode, i.started_at, i.expires_at, i.ended_at, \
     i.end_reason, i.requests, i.refused";

/// The newest viewings of a customer's account, at most `limit`.
pub async fn history_for_customer(
    db: &Db,
    zone: chrono_tz::Tz,
    customer_id: i64,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<StaffAccess>, sqlx::Error> {
    let rows = sqlx::query(&format!(
        "SELECT {ACCESS_COLUMNS} FROM impersonations i JOIN staff s ON s.id = i.staff_id \
         JOIN customers c ON c.id = i.customer_id WHERE i.customer_id = $1 ORDER BY i.started_at DESC, i.id DESC LIMIT $2"
    ))
    .bind(customer_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|row| access_of(row, zone, now)).collect()
}

/// One row holding [`ACCESS_COLUMNS`] (the supervisors' list selects more) as a
/// [`StaffAccess`] at `now`: a viewing not seen to end runs until its limit, which
/// stands as its end.
pub(crate) fn access_of(row: &AnyRow, zone: chrono_tz::Tz, now: Timestamp) -> Result<StaffAccess, sqlx::Error> {
    let expires_at = Timestamp::from_micros(row.try_get("expires_at")?);
    let ended_at: Option<i64> = row.try_get("ended_at")?;
    let running = ended_at.is_none() && now < expires_at;
    let end_reason = match (ended_at, row.try_get::<Option<String>, _>("end_reason")?) {
        (Some(_), Some(reason)) => EndReason::parse(&reason),
        (None, _) if !running => Some(EndReason::TimeLimit),
        _ => None,
    };
    let started_at = Timestamp::from_micros(row.try_get("started_at")?);
    let ended_at = ended_at.map_or(expires_at, Timestamp::from_micros);
    Ok(StaffAccess {
        id: row.try_get("id")?,
        staff_no: row.try_get("staff_no")?,
        staff_name: row.try_get("staff_name")?,
        customer_no: row.try_get("customer_no")?,
        customer_name: row.try_get("customer_name")?,
        reason: row.try_get("reason")?,
        reference: row.try_get("reference")?,
        mode: ImpersonationMode::parse(&row.try_get::<String, _>("mode")?).unwrap_or(ImpersonationMode::ReadOnly),
        started_at,
        ended_at,
        started_local: crate::backend::local_time(zone, started_at),
        ended_local: crate::backend::local_time(zone, ended_at),
        end_reason,
        running,
        requests: row.try_get("requests")?,
        refused: row.try_get("refused")?,
    })
}
