//! Authorization, decided in one place.
//!
//! Middleware resolves the session into a [`RequestContext`] before any handler
//! runs. Server functions get the principal only through its methods
//! (`customer_for_read`, `customer_for_change`, `staff_with_role`), so a write path
//! cannot reach a customer without the checks that writes need.
use crate::error::{AppError, ErrorCode};
use crate::types::{Principal, StaffRole, Timestamp};
use serde::{Deserialize, Serialize};

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

    /// The customer whose data may be read in this request.
    pub fn customer_for_read(&self) -> Result<CustomerRead, AppError> {
        match self.signed_in()?.principal {
            Principal::Customer { customer_id } => Ok(CustomerRead { customer_id }),
            Principal::Staff { .. } => Err(AppError::new(ErrorCode::Forbidden)),
        }
    }

    /// The customer whose data may be changed in this request. The only way to a
    /// [`CustomerChange`]: later, impersonation is refused here, in one place.
    pub fn customer_for_change(&self) -> Result<CustomerChange, AppError> {
        let read = self.customer_for_read()?;
        Ok(CustomerChange { customer_id: read.customer_id, credential_id: self.signed_in()?.credential_id })
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
}

/// Proof that the caller may change this customer's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerChange {
    pub customer_id: i64,
    pub credential_id: i64,
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
        assert_eq!(c.customer_for_change().unwrap(), CustomerChange { customer_id: 3, credential_id: 7 });
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
