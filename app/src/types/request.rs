//! Service requests (服务申请): their kinds, priorities, states, the transitions
//! between states, and their readable references.
//!
//! The state machine lives here, in one pure function, so the server, the pages
//! (which offer only the buttons that can work) and the tests agree on it.
use crate::i18n::Key;
use serde::{Deserialize, Serialize};

text_enum! {
    /// What a request asks for. Each kind has its own form and effect.
    RequestKind {
        CardLost => "card_lost", RequestKindCardLost;
        CardFreeze => "card_freeze", RequestKindCardFreeze;
        CardUnfreeze => "card_unfreeze", RequestKindCardUnfreeze;
        ContactChange => "contact_change", RequestKindContactChange;
        Complaint => "complaint", RequestKindComplaint;
        Dispute => "dispute", RequestKindDispute;
        Certificate => "certificate", RequestKindCertificate;
        Statement => "statement", RequestKindStatement;
        Reactivate => "reactivate", RequestKindReactivate;
        AccountClose => "account_close", DormRequestKindAccountClose;
        General => "general", RequestKindGeneral;
    }
}

impl RequestKind {
    /// Kinds that act on a card at once or change contact details: never filed by
    /// staff on a customer's behalf.
    pub const fn controls_card_or_contact(self) -> bool {
        matches!(
            self,
            RequestKind::CardLost | RequestKind::CardFreeze | RequestKind::CardUnfreeze | RequestKind::ContactChange
        )
    }

    /// Done by the customer alone, at once: the request is a record of it and is
    /// closed as it is made (freezing and unfreezing a card).
    pub const fn is_self_service(self) -> bool {
        matches!(self, RequestKind::CardFreeze | RequestKind::CardUnfreeze)
    }
}

text_enum! {
    /// How soon staff should act; decides the queue's order among equal deadlines.
    Priority {
        Urgent => "urgent", PriorityUrgent;
        High => "high", PriorityHigh;
        Normal => "normal", PriorityNormal;
        Low => "low", PriorityLow;
    }
}

text_enum! {
    /// Where a request stands.
    RequestStatus {
        Submitted => "submitted", RequestStatusSubmitted;
        InProgress => "in_progress", RequestStatusInProgress;
        WaitingCustomer => "waiting_customer", RequestStatusWaitingCustomer;
        Resolved => "resolved", RequestStatusResolved;
        Closed => "closed", RequestStatusClosed;
        Withdrawn => "withdrawn", RequestStatusWithdrawn;
    }
}

text_enum! {
    /// Where a request stands against its service-level target.
    SlaFlag {
        OnTrack => "on_track", SlaFlagOnTrack;
        AtRisk => "at_risk", SlaFlagAtRisk;
        Breached => "breached", SlaFlagBreached;
        Paused => "paused", SlaFlagPaused;
        Done => "done", SlaFlagDone;
    }
}

/// Who asks for a change of state: the rules differ (only the customer withdraws or
/// reopens; only staff resolve or ask the customer something).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Customer,
    Staff,
    /// The bank's own jobs (closing resolved requests after the reopen window).
    System,
}

impl RequestStatus {
    /// Closed and withdrawn requests never change again.
    pub const fn is_final(self) -> bool {
        matches!(self, RequestStatus::Closed | RequestStatus::Withdrawn)
    }

    /// Still the bank's (or the customer's) to act on: counted in queues.
    pub const fn is_open(self) -> bool {
        matches!(self, RequestStatus::Submitted | RequestStatus::InProgress | RequestStatus::WaitingCustomer)
    }

    /// The service-level clock runs only while the bank has the next move.
    pub const fn clock_runs(self) -> bool {
        matches!(self, RequestStatus::Submitted | RequestStatus::InProgress)
    }

    /// Whether `party` may move a request from `self` to `to`.
    ///
    /// submitted → in progress ⇄ waiting for customer → resolved → closed; the
    /// customer may withdraw an open request, reopen a resolved one (the 7-day window
    /// is checked by the caller, which knows the time) or confirm it closed; closed
    /// and withdrawn are final.
    pub const fn allows(self, to: RequestStatus, party: Party) -> bool {
        use RequestStatus::*;
        match (party, self, to) {
            (Party::Staff, Submitted, InProgress)
            | (Party::Staff, InProgress, WaitingCustomer)
            | (Party::Staff, WaitingCustomer, InProgress)
            | (Party::Staff, Submitted, WaitingCustomer)
            | (Party::Staff, InProgress, Resolved)
            | (Party::Staff, WaitingCustomer, Resolved) => true,
            // The customer's answer hands the request back to the bank.
            (Party::Customer, WaitingCustomer, InProgress) => true,
            (Party::Customer, Submitted | InProgress | WaitingCustomer, Withdrawn) => true,
            (Party::Customer, Resolved, InProgress) => true,
            (Party::Customer, Resolved, Closed) => true,
            (Party::System, Resolved, Closed) => true,
            _ => false,
        }
    }

    /// The states `party` can move a request to from `self`, for the buttons a page shows.
    pub fn next_for(self, party: Party) -> Vec<RequestStatus> {
        RequestStatus::ALL.iter().copied().filter(|to| self.allows(*to, party)).collect()
    }
}

/// A request's readable, unique reference: "SR-2026-000123" (the year it was made
/// in the bank's zone and that year's running number).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RequestRef(String);

impl RequestRef {
    pub fn new(year: i32, number: i64) -> RequestRef {
        RequestRef(format!("SR-{year:04}-{number:06}"))
    }

    /// Accepts what a person types: surrounding spaces and lower case are forgiven.
    pub fn parse(text: &str) -> Option<RequestRef> {
        let upper = text.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("SR-")?;
        let (year, number) = rest.split_once('-')?;
        let digits = |s: &str, min: usize| s.len() >= min && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
        (year.len() == 4 && digits(year, 4) && digits(number, 6)).then_some(RequestRef(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    #[test]
    fn names_round_trip() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(*k));
        }
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(s.as_str()), Some(*s));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(*p));
        }
    }

    #[test]
    fn final_states_allow_nothing() {
        for from in [Closed, Withdrawn] {
            for to in RequestStatus::ALL {
                for party in [Party::Customer, Party::Staff, Party::System] {
                    assert!(!from.allows(*to, party), "{from:?} -> {to:?} by {party:?}");
                }
            }
        }
    }

    #[test]
    fn the_allowed_transitions_are_exactly_these() {
        let mut allowed = Vec::new();
        for from in RequestStatus::ALL {
            for to in RequestStatus::ALL {
                for party in [Party::Customer, Party::Staff, Party::System] {
                    if from.allows(*to, party) {
                        allowed.push((*from, *to, party));
                    }
                }
            }
        }
        let expected = vec![
            (Submitted, InProgress, Party::Staff),
            (Submitted, WaitingCustomer, Party::Staff),
            (Submitted, Withdrawn, Party::Customer),
            (InProgress, WaitingCustomer, Party::Staff),
            (InProgress, Resolved, Party::Staff),
            (InProgress, Withdrawn, Party::Customer),
            (WaitingCustomer, InProgress, Party::Customer),
            (WaitingCustomer, InProgress, Party::Staff),
            (WaitingCustomer, Resolved, Party::Staff),
            (WaitingCustomer, Withdrawn, Party::Customer),
            (Resolved, InProgress, Party::Customer),
            (Resolved, Closed, Party::Customer),
            (Resolved, Closed, Party::System),
        ];
        assert_eq!(allowed, expected);
    }

    #[test]
    fn references_are_readable_and_parsed_forgivingly() {
        let r = RequestRef::new(2026, 123);
        assert_eq!(r.as_str(), "SR-2026-000123");
        assert_eq!(RequestRef::parse(" sr-2026-000123 "), Some(r));
        assert_eq!(RequestRef::parse("SR-2026-1234567").map(|r| r.to_string()), Some("SR-2026-1234567".into()));
        for bad in ["", "SR-26-000001", "SR-2026-12", "BK-2026-000001", "SR-2026-00012x", "SR-2026-000123;--"] {
            assert_eq!(RequestRef::parse(bad), None, "{bad}");
        }
    }
}
