//! Relationship managers: a supervisor or admin finds a customer by number and
//! assigns an advisor as their relationship manager (or removes the one they
//! have). Audited; the customer is told of a new manager.
use super::customers::customer_by_no;
use super::{audit_staff, events, notices};
use crate::api::advisor::{AdvisorChoice, ManagerLookup};
use crate::backend::auth::StaffActor;
use crate::backend::{notifications, AppState};
use crate::error::{AppError, ErrorCode};
use crate::types::{Localized, StaffRole};
use serde_json::json;

/// Who assigns relationship managers.
pub const ROLES: &[StaffRole] = &[StaffRole::Supervisor, StaffRole::Admin];

/// Active advisors: who may be a relationship manager.
async fn advisors(state: &AppState) -> Result<Vec<(i64, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, staff_no, full_name FROM staff WHERE role = 'advisor' AND status = 'active' ORDER BY staff_no",
    )
    .fetch_all(state.db.pool())
    .await?)
}

pub async fn lookup(state: &AppState, actor: &StaffActor, customer_no: &str) -> Result<ManagerLookup, AppError> {
    if !ROLES.contains(&actor.role) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let (_, customer_no, name, zh, en, manager_id) = customer_by_no(&state.db, customer_no).await?;
    let all = advisors(state).await?;
    let manager = match manager_id {
        Some(id) => sqlx::query_as::<_, (String, String)>("SELECT staff_no, full_name FROM staff WHERE id = $1")
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?
            .map(|(staff_no, name)| AdvisorChoice { staff_no, name }),
        None => None,
    };
    Ok(ManagerLookup {
        customer_no,
        name,
        branch: Localized { zh, en },
        manager,
        advisors: all.into_iter().map(|(_, staff_no, name)| AdvisorChoice { staff_no, name }).collect(),
    })
}

/// Sets (or, with an empty `advisor`, removes) the customer's relationship manager.
/// Returns the customer number.
pub async fn assign(
    state: &AppState,
    actor: &StaffActor,
    customer_no: &str,
    advisor: &str,
    origin: &str,
) -> Result<String, AppError> {
    if !ROLES.contains(&actor.role) {
        return Err(AppError::new(ErrorCode::Forbidden));
    }
    let (customer_id, customer_no, _, _, _, previous) = customer_by_no(&state.db, customer_no).await?;
    let wanted = advisor.trim().to_uppercase();
    let chosen = if wanted.is_empty() {
        None
    } else {
        let found = advisors(state).await?.into_iter().find(|(_, no, _)| *no == wanted);
        Some(found.ok_or_else(|| AppError::invalid("advisor"))?)
    };
    let now = state.clock.now();
    let mut tx = state.db.begin_write().await?;
    sqlx::query("UPDATE customers SET relationship_manager_id = $1 WHERE id = $2")
        .bind(chosen.as_ref().map(|(id, _, _)| *id))
        .bind(customer_id)
        .execute(&mut *tx)
        .await?;
    if let Some((id, staff_no, name)) = &chosen {
        if previous != Some(*id) {
            let detail = format!("{name} ({staff_no})");
            notifications::notify(&mut tx, customer_id, notices::RELATIONSHIP_MANAGER_ASSIGNED, &detail, now).await?;
        }
    }
    let detail = json!({
        "customer_no": customer_no,
        "manager": chosen.as_ref().map(|(_, no, _)| no.clone()),
        "previous_staff_id": previous,
    });
    audit_staff(&mut tx, state, actor, Some(customer_id), events::RELATIONSHIP_MANAGER_CHANGED, detail, origin).await?;
    tx.commit().await?;
    Ok(customer_no)
}
