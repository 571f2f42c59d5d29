//! The staff console: the home with the staff member's queues, customer search, the
//! customer 360 and the support actions done as staff.
//!
//! Who may do what is decided here, in one place: everyone on staff searches;
//! agents, supervisors and admins open any customer's 360 and take the support
//! actions; advisors open only the customers they serve (the advisor summary's
//! rule, `advisor::customers::has_relationship`). Every search, every 360 view and
//! every support action is audited with the staff member as the actor and the
//! customer concerned, never as the customer.
pub mod customer;
pub mod home;
pub mod search;
pub mod support;

use crate::backend::audit::{self, Actor, AuditEvent};
use crate::backend::auth::StaffActor;
use crate::backend::AppState;
use crate::types::StaffRole;
use sqlx::{Any, Transaction};

/// Who searches customers.
pub const SEARCH_ROLES: &[StaffRole] = &[StaffRole::Agent, StaffRole::Supervisor, StaffRole::Admin, StaffRole::Advisor];

/// Who opens any customer and takes the support actions.
/// The same roles that may view as a customer: one list, so the two cannot drift.
pub const SUPPORT_ROLES: &[StaffRole] = &crate::backend::impersonation::ALLOWED_ROLES;

/// Whether `actor` works with any customer (not only those they serve).
pub fn serves_everyone(actor: &StaffActor) -> bool {
    SUPPORT_ROLES.contains(&actor.role)
}

/// Audit event names of the console: stable, never renamed.
pub mod events {
    pub const CUSTOMER_SEARCH: &str = "staff_customer_search";
    pub const VIEWED_CUSTOMER: &str = "staff_viewed_customer";
    pub const UNLOCKED_CREDENTIAL: &str = "staff_unlocked_credential";
    pub const RESENT_ENROLLMENT_CODE: &str = "staff_resent_enrollment_code";
    pub const RESET_SECOND_FACTOR: &str = "staff_reset_second_factor";
    /// An identity check for a second-factor reset that failed (wrong ID tail):
    /// nothing else changed, but a staff member fishing for a match shows up.
    pub const RESET_SECOND_FACTOR_REFUSED: &str = "staff_reset_second_factor_refused";
    pub const NOTED_CALL: &str = "staff_noted_call";
}

/// Notification kinds the console writes (the notifications page translates them).
pub mod notices {
    pub const SECOND_FACTOR_RESET_BY_STAFF: &str = "second_factor_reset_by_staff";
}

/// Records a staff action as the last statement of `tx`.
pub(crate) async fn audit_staff(
    tx: &mut Transaction<'static, Any>,
    state: &AppState,
    actor: &StaffActor,
    customer_id: Option<i64>,
    event: &str,
    detail: serde_json::Value,
    origin: &str,
) -> Result<(), sqlx::Error> {
    let event = AuditEvent { actor: Actor::Staff(actor.staff_id), customer_id, event, detail, origin };
    audit::record(tx, state.db.backend(), state.clock.now(), &event).await?;
    Ok(())
}
