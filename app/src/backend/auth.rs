//! Authorization, decided in one place.
//!
//! Middleware resolves the session into a [`RequestContext`] before any handler
//! runs. Server functions get the principal only through its methods
//! (`customer_for_read`, `customer_for_change`, `staff_with_role`), so a write path
//! cannot reach a customer without the checks that writes need.
use crate::error::{AppError, ErrorCode};
use crate::types::{ImpersonationMode, Principal, StaffRole, Timestamp};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The session key under which [`SessionAuth`] is stored.
pub const SESSION_KEY: &str = "auth";

/// How long a session may idle and live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
    /// A step-up (fresh second factor) counts for this long.
    pub step_up_seconds: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle_seconds: 15 * 60, absolute_seconds: 12 * 3600, step_up_seconds: 5 * 60 }
    }
}

/// How far a log-in has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The password was right; the second factor is still owed.
    SecondFactorDue,
    /// Fully signed in.
    SignedIn,
}

/// What the session remembers about its principal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionAuth {
    pub credential_id: i64,
    pub principal: Principal,
    pub stage: Stage,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub step_up_at: Option<Timestamp>,
    /// The "view as customer" session this staff session runs, if any. Only the id:
    /// whether it still runs (and in which mode) is read from the database on every
    /// request, so a stop, a grant or a role change elsewhere applies at once.
    #[serde(default)]
    pub impersonation_id: Option<i64>,
}

impl SessionAuth {
    /// Whether the session has idled too long or lived too long at `now`.
    pub fn is_expired(&self, policy: &SessionPolicy, now: Timestamp) -> bool {
        now >= self.last_seen_at.plus_seconds(policy.idle_seconds)
            || now >= self.created_at.plus_seconds(policy.absolute_seconds)
    }

    /// When the session ends if nothing happens: idle limit or lifetime, whichever first.
    pub fn expires_at(&self, policy: &SessionPolicy) -> Timestamp {
        self.last_seen_at.plus_seconds(policy.idle_seconds).min(self.created_at.plus_seconds(policy.absolute_seconds))
    }
}

/// Everything a handler may know about the caller, resolved once per request.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub auth: Option<SessionAuth>,
    pub session_id: Option<String>,
    /// Approximate origin of the request (an IP prefix), for audit and session lists.
    pub origin: String,
    pub user_agent: String,
    pub now: Timestamp,
    pub policy: SessionPolicy,
    /// Set while a staff member views the portal as a customer, after the
    /// middleware has checked it against the database for this request.
    pub impersonation: Option<Impersonation>,
    /// Set when this request's write was refused because of the viewing: the
    /// middleware audits the request as refused whatever the status on the wire (a
    /// plain form's refusal is a redirect back to the page).
    pub viewing_refused: Arc<AtomicBool>,
}

/// A running "view as customer" session, as checked for this request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Impersonation {
    pub id: i64,
    pub staff_id: i64,
    pub customer_id: i64,
    /// The customer's online-banking credential (their sessions and second factor
    /// are shown from it); None when they never enrolled.
    pub customer_credential_id: Option<i64>,
    pub customer_no: String,
    pub customer_name: String,
    pub mode: ImpersonationMode,
    pub reason: String,
    pub reference: String,
    pub expires_at: Timestamp,
}

impl RequestContext {
    /// The context of the current request (server functions and SSR).
    pub fn current() -> Result<RequestContext, AppError> {
        leptos::prelude::use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestContext>().cloned())
            .ok_or_else(|| {
                tracing::error!("RequestContext missing: is the auth middleware installed?");
                AppError::new(ErrorCode::Internal)
            })
    }

    fn signed_in(&self) -> Result<&SessionAuth, AppError> {
        match &self.auth {
            Some(auth) if auth.stage == Stage::SignedIn => Ok(auth),
            _ => Err(AppError::new(ErrorCode::Unauthenticated)),
        }
    }

    /// The customer whose data may be read in this request: the signed-in customer,
    /// or the one a staff member is viewing as.
    pub fn customer_for_read(&self) -> Result<CustomerRead, AppError> {
        match (self.signed_in()?.principal, &self.impersonation) {
            (Principal::Customer { customer_id }, _) => Ok(CustomerRead { customer_id, staff_viewer: None }),
            (Principal::Staff { staff_id, .. }, Some(viewing)) if viewing.staff_id == staff_id => {
                Ok(CustomerRead { customer_id: viewing.customer_id, staff_viewer: Some(staff_id) })
            }
            (Principal::Staff { .. }, _) => Err(AppError::new(ErrorCode::Forbidden)),
        }
    }

    /// The customer whose data may be changed in this request. The only way to a
    /// [`CustomerChange`], so viewing as a customer is refused here, in one place:
    /// no write path can reach a customer without passing this check.
    pub fn customer_for_change(&self) -> Result<CustomerChange, AppError> {
        self.not_viewing()?;
        let read = self.customer_for_read()?;
        Ok(CustomerChange {
            customer_id: read.customer_id,
            credential_id: self.signed_in()?.credential_id,
            on_behalf_of: None,
        })
    }

    /// For the service-request and booking forms only: the customer themselves, or
    /// a staff member in assist mode (granted by a supervisor), whose writes are
    /// recorded as theirs on the customer's behalf (`on_behalf_of`).
    pub fn customer_for_assisted_change(&self) -> Result<CustomerChange, AppError> {
        match &self.impersonation {
            None => self.customer_for_change(),
            Some(viewing) if viewing.mode == ImpersonationMode::Assist => {
                let read = self.customer_for_read()?;
                Ok(CustomerChange {
                    customer_id: read.customer_id,
                    credential_id: self.signed_in()?.credential_id,
                    on_behalf_of: read.staff_viewer,
                })
            }
            Some(_) => Err(self.refuse_viewing()),
        }
    }

    /// The credential whose sessions and second factor a page shows: the caller's
    /// own, or the viewed customer's while viewing as them.
    pub fn credential_for_read(&self) -> Result<i64, AppError> {
        let auth = self.signed_in()?;
        match &self.impersonation {
            None => Ok(auth.credential_id),
            Some(viewing) => viewing.customer_credential_id.ok_or(AppError::new(ErrorCode::NotFound)),
        }
    }

    /// The caller's own credential, to change its sessions or second factor:
    /// refused while viewing as a customer (whose settings are never touched, and
    /// the page shows theirs, not the staff member's).
    pub fn credential_for_change(&self) -> Result<i64, AppError> {
        self.not_viewing()?;
        self.signed_in_credential()
    }

    /// Refuses while a staff member views as a customer: for the few writes that do
    /// not go through a customer proof (the second-factor set-up, which also runs
    /// half signed in).
    pub fn not_viewing(&self) -> Result<(), AppError> {
        match self.impersonation {
            Some(_) => Err(self.refuse_viewing()),
            None => Ok(()),
        }
    }

    /// The refusal of a write while viewing, noted for the request's audit row.
    pub fn refuse_viewing(&self) -> AppError {
        self.viewing_refused.store(true, Ordering::Relaxed);
        AppError::new(ErrorCode::ImpersonationReadOnly)
    }

    /// Like `customer_for_change`, and the second factor was confirmed within the
    /// step-up window (password, second factor and contact changes; new payees).
    pub fn customer_for_sensitive_change(&self) -> Result<CustomerChange, AppError> {
        let change = self.customer_for_change()?;
        let fresh =
            self.signed_in()?.step_up_at.is_some_and(|at| self.now < at.plus_seconds(self.policy.step_up_seconds));
        if fresh {
            Ok(change)
        } else {
            Err(AppError::new(ErrorCode::StepUpRequired))
        }
    }

    /// A signed-in staff member holding one of `roles`.
    pub fn staff_with_role(&self, roles: &[StaffRole]) -> Result<StaffActor, AppError> {
        match self.signed_in()?.principal {
            Principal::Staff { staff_id, role } if roles.contains(&role) => Ok(StaffActor { staff_id, role }),
            _ => Err(AppError::new(ErrorCode::Forbidden)),
        }
    }

    /// The credential of whoever is signed in, customer or staff.
    pub fn signed_in_credential(&self) -> Result<i64, AppError> {
        Ok(self.signed_in()?.credential_id)
    }
}

/// Proof that the caller may read this customer's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerRead {
    pub customer_id: i64,
    /// The staff member viewing as the customer, if it is not the customer: reads
    /// then leave no trace in the customer's data (nothing is marked read).
    pub staff_viewer: Option<i64>,
}

impl CustomerRead {
    /// The customer reading their own data (and the services that read for them).
    pub const fn own(customer_id: i64) -> CustomerRead {
        CustomerRead { customer_id, staff_viewer: None }
    }

    /// Whether the customer themselves is reading.
    pub const fn by_customer(&self) -> bool {
        self.staff_viewer.is_none()
    }
}

/// Proof that the caller may change this customer's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerChange {
    pub customer_id: i64,
    pub credential_id: i64,
    /// Set when a staff member in assist mode makes the change for the customer:
    /// it is recorded as theirs, on the customer's behalf, never as the customer's.
    pub on_behalf_of: Option<i64>,
}

impl CustomerChange {
    /// Who is recorded as having made the change.
    pub const fn actor(&self) -> crate::backend::audit::Actor {
        match self.on_behalf_of {
            Some(staff_id) => crate::backend::audit::Actor::Staff(staff_id),
            None => crate::backend::audit::Actor::Customer(self.customer_id),
        }
    }
}

/// Proof that the caller is staff with a given role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaffActor {
    pub staff_id: i64,
    pub role: StaffRole,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(auth: Option<SessionAuth>, now: Timestamp) -> RequestContext {
        RequestContext {
            auth,
            session_id: None,
            origin: String::new(),
            user_agent: String::new(),
            now,
            policy: SessionPolicy::default(),
            impersonation: None,
            viewing_refused: Arc::default(),
        }
    }

    fn customer(stage: Stage) -> SessionAuth {
        SessionAuth {
            credential_id: 7,
            principal: Principal::Customer { customer_id: 3 },
            stage,
            created_at: Timestamp::from_micros(0),
            last_seen_at: Timestamp::from_micros(0),
            step_up_at: None,
            impersonation_id: None,
        }
    }

    #[test]
    fn anonymous_and_half_signed_in_get_nothing() {
        let t = Timestamp::from_micros(0);
        assert_eq!(ctx(None, t).customer_for_read().unwrap_err().code, ErrorCode::Unauthenticated);
        let half = ctx(Some(customer(Stage::SecondFactorDue)), t);
        assert_eq!(half.customer_for_read().unwrap_err().code, ErrorCode::Unauthenticated);
    }

    #[test]
    fn customers_read_and_change_their_own() {
        let c = ctx(Some(customer(Stage::SignedIn)), Timestamp::from_micros(0));
        assert_eq!(c.customer_for_read().unwrap().customer_id, 3);
        assert_eq!(
            c.customer_for_change().unwrap(),
            CustomerChange { customer_id: 3, credential_id: 7, on_behalf_of: None }
        );
        assert_eq!(c.staff_with_role(&StaffRole::ALL).unwrap_err().code, ErrorCode::Forbidden);
    }

    #[test]
    fn sensitive_changes_need_a_fresh_step_up() {
        let mut auth = customer(Stage::SignedIn);
        let start = Timestamp::from_micros(0);
        assert_eq!(
            ctx(Some(auth.clone()), start).customer_for_sensitive_change().unwrap_err().code,
            ErrorCode::StepUpRequired
        );
        auth.step_up_at = Some(start);
        assert!(ctx(Some(auth.clone()), start.plus_seconds(299)).customer_for_sensitive_change().is_ok());
        assert!(ctx(Some(auth), start.plus_seconds(300)).customer_for_sensitive_change().is_err());
    }

    #[test]
    fn staff_roles_are_checked_and_staff_cannot_act_as_customers() {
        let mut auth = customer(Stage::SignedIn);
        auth.principal = Principal::Staff { staff_id: 1, role: StaffRole::Agent };
        let c = ctx(Some(auth), Timestamp::from_micros(0));
        assert!(c.staff_with_role(&[StaffRole::Agent, StaffRole::Supervisor]).is_ok());
        assert_eq!(c.staff_with_role(&[StaffRole::Admin]).unwrap_err().code, ErrorCode::Forbidden);
        assert_eq!(c.customer_for_read().unwrap_err().code, ErrorCode::Forbidden);
    }

    #[test]
    fn a_refused_write_is_noted_for_the_audit_row() {
        let c = viewing(ImpersonationMode::ReadOnly);
        assert!(c.customer_for_read().is_ok());
        assert!(!c.viewing_refused.load(Ordering::Relaxed), "reads are not refusals");
        assert!(c.customer_for_change().is_err());
        assert!(c.viewing_refused.load(Ordering::Relaxed));
    }

    fn viewing(mode: ImpersonationMode) -> RequestContext {
        let mut auth = customer(Stage::SignedIn);
        auth.principal = Principal::Staff { staff_id: 5, role: StaffRole::Agent };
        auth.impersonation_id = Some(9);
        let mut c = ctx(Some(auth), Timestamp::from_micros(0));
        c.impersonation = Some(Impersonation {
            id: 9,
            staff_id: 5,
            customer_id: 3,
            customer_credential_id: Some(11),
            customer_no: "C00000003".into(),
            customer_name: "Test".into(),
            mode,
            reason: "helping".into(),
            reference: "CALL-1".into(),
            expires_at: Timestamp::from_micros(3_600_000_000),
        });
        c
    }

    #[test]
    fn viewing_as_a_customer_reads_and_never_changes() {
        let c = viewing(ImpersonationMode::ReadOnly);
        let read = c.customer_for_read().unwrap();
        assert_eq!((read.customer_id, read.staff_viewer), (3, Some(5)));
        assert!(!read.by_customer(), "reads while viewing leave no marks");
        assert_eq!(c.customer_for_change().unwrap_err().code, ErrorCode::ImpersonationReadOnly);
        assert_eq!(c.customer_for_sensitive_change().unwrap_err().code, ErrorCode::ImpersonationReadOnly);
        assert_eq!(c.customer_for_assisted_change().unwrap_err().code, ErrorCode::ImpersonationReadOnly);
        assert_eq!(c.credential_for_change().unwrap_err().code, ErrorCode::ImpersonationReadOnly);
        assert_eq!(c.credential_for_read().unwrap(), 11, "the customer's sessions and second factor are shown");
        assert!(c.staff_with_role(&[StaffRole::Agent]).is_ok(), "still staff");
    }

    #[test]
    fn assist_mode_opens_only_the_assisted_path_on_the_customers_behalf() {
        let c = viewing(ImpersonationMode::Assist);
        let change = c.customer_for_assisted_change().unwrap();
        assert_eq!((change.customer_id, change.on_behalf_of), (3, Some(5)));
        assert_eq!(change.actor(), crate::backend::audit::Actor::Staff(5), "recorded as the staff member's");
        assert_eq!(c.customer_for_change().unwrap_err().code, ErrorCode::ImpersonationReadOnly);
        let own = ctx(Some(customer(Stage::SignedIn)), Timestamp::from_micros(0));
        let theirs = own.customer_for_assisted_change().unwrap();
        assert_eq!(theirs.on_behalf_of, None);
        assert_eq!(theirs.actor(), crate::backend::audit::Actor::Customer(3));
    }

    #[test]
    fn a_viewing_of_another_staff_member_opens_nothing() {
        let mut c = viewing(ImpersonationMode::ReadOnly);
        if let Some(v) = c.impersonation.as_mut() {
            v.staff_id = 6;
        }
        assert_eq!(c.customer_for_read().unwrap_err().code, ErrorCode::Forbidden);
    }

    #[test]
    fn idle_and_absolute_expiry() {
        let policy = SessionPolicy::default();
        let mut auth = customer(Stage::SignedIn);
        let t0 = Timestamp::from_micros(0);
        assert!(!auth.is_expired(&policy, t0.plus_seconds(899)));
        assert!(auth.is_expired(&policy, t0.plus_seconds(900)));
        auth.last_seen_at = t0.plus_seconds(12 * 3600 - 10);
        assert!(auth.is_expired(&policy, t0.plus_seconds(12 * 3600)), "lifetime ends even when active");
        assert_eq!(auth.expires_at(&policy), t0.plus_seconds(12 * 3600));
    }
}
