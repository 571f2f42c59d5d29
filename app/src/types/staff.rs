//! Staff roles, shared by the console screens and the server.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Works the request and inquiry queues.
    Agent,
    /// Holds consultations; may be a customer's relationship manager.
    Advisor,
    /// Approves extensions and assist mode; sees the dashboard.
    Supervisor,
    /// Manages staff and settings.
    Admin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [StaffRole::Agent, StaffRole::Advisor, StaffRole::Supervisor, StaffRole::Admin];

    /// The name stored in the database and typed on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            StaffRole::Agent => "agent",
            StaffRole::Advisor => "advisor",
            StaffRole::Supervisor => "supervisor",
            StaffRole::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in StaffRole::ALL {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }
}
