//! Who is signed in, as the UI needs to know it.
use super::{ImpersonationBanner, StaffRole, Timestamp};
use serde::{Deserialize, Serialize};

/// The signed-in principal, as stored in the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Principal {
    Customer { customer_id: i64 },
    Staff { staff_id: i64, role: StaffRole },
}

/// What the page header shows about the current session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub principal: Principal,
    pub display_name: String,
    /// When the session ends if nothing happens (the UI warns a minute before).
    pub idle_expires_at: Timestamp,
    /// Seconds from this answer until then: the browser's clock may be wrong, so
    /// the warning counts from when the answer arrived.
    pub seconds_left: i64,
    pub unread_notifications: i64,
    /// Set while a staff member views the portal as a customer: the banner.
    pub impersonating: Option<ImpersonationBanner>,
}
