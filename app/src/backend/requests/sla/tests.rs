//! The service-level flag at hand-checked instants (Shanghai, March 2026: an
//! ordinary working week), and the extension's customer-facing texts.
use super::*;
use chrono::TimeZone;
use std::collections::BTreeSet;

const SHANGHAI: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn at(d: u32, h: u32, mi: u32) -> Timestamp {
    let local = chrono::NaiveDate::from_ymd_opt(2026, 3, d).and_then(|d| d.and_hms_opt(h, mi, 0)).expect("a time");
    Timestamp::from_micros(SHANGHAI.from_local_datetime(&local).single().expect("one instant").timestamp_micros())
}

fn cal() -> WorkingCalendar {
    WorkingCalendar::new(SHANGHAI, BTreeSet::new(), BTreeSet::new())
}

/// A general request with 480 minutes, submitted Monday 2026-03-09 09:00.
fn running() -> RequestRow {
    let c = cal();
    let since = at(9, 9, 0);
    RequestRow {
        id: 1,
        reference: RequestRef::new(2026, 1),
        customer_id: 1,
        kind: RequestKind::General,
        priority: crate::types::Priority::Normal,
        status: RequestStatus::InProgress,
        subject: "s".into(),
        details: serde_json::Value::Null,
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        assigned_staff_id: None,
        target_minutes: 480,
        used_minutes: 0,
        running_since: Some(since),
        due_at: Some(c.add_minutes(since, 480)),
        decision_due_at: None,
        extension_level: 0,
        created_at: since,
        resolved_at: None,
    }
}

#[test]
fn on_track_at_risk_and_breached_by_business_minutes() {
    let c = cal();
    let row = running();
    assert_eq!(row.due_at, Some(at(9, 17, 0)));
    assert_eq!(flag(&c, &row, at(9, 10, 0)), SlaFlag::OnTrack);
    // 120 minutes left of 480 is exactly a quarter: at risk.
    assert_eq!(flag(&c, &row, at(9, 14, 59)), SlaFlag::OnTrack);
    assert_eq!(flag(&c, &row, at(9, 15, 0)), SlaFlag::AtRisk);
    assert_eq!(flag(&c, &row, at(9, 16, 59)), SlaFlag::AtRisk);
    assert_eq!(flag(&c, &row, at(9, 17, 0)), SlaFlag::Breached);
    assert_eq!(flag(&c, &row, at(10, 9, 0)), SlaFlag::Breached);
}

#[test]
fn minutes_used_before_a_pause_count_towards_the_risk() {
    let c = cal();
    let mut row = running();
    // 300 minutes used before a pause, running again since Tuesday 09:00: 180 left.
    row.used_minutes = 300;
    row.running_since = Some(at(10, 9, 0));
    row.due_at = Some(c.add_minutes(at(10, 9, 0), 180));
    assert_eq!(flag(&c, &row, at(10, 9, 0)), SlaFlag::OnTrack);
    assert_eq!(flag(&c, &row, at(10, 10, 0)), SlaFlag::AtRisk);
    assert_eq!(flag(&c, &row, at(10, 12, 0)), SlaFlag::Breached);
}

#[test]
fn paused_and_done_requests() {
    let c = cal();
    let mut row = running();
    row.status = RequestStatus::WaitingCustomer;
    row.running_since = None;
    row.due_at = None;
    row.used_minutes = 470;
    assert_eq!(flag(&c, &row, at(20, 9, 0)), SlaFlag::Paused);
    for status in [RequestStatus::Resolved, RequestStatus::Closed, RequestStatus::Withdrawn] {
        let mut done = running();
        done.status = status;
        assert_eq!(flag(&c, &done, at(20, 9, 0)), SlaFlag::Done, "{status:?}");
    }
}

#[test]
fn complaints_follow_their_decision_deadline() {
    let c = cal();
    let mut row = running();
    row.kind = RequestKind::Complaint;
    row.target_minutes = 2400;
    row.due_at = Some(c.add_minutes(at(9, 9, 0), 2400));
    row.decision_due_at = Some(complaint_decision_due(SHANGHAI, at(9, 9, 0), 0));
    assert_eq!(row.decision_due_at, Some(at(25, 0, 0)));
    assert_eq!(flag(&c, &row, at(9, 10, 0)), SlaFlag::OnTrack);
    // Once the business-hour target is met but the decision is still open, the
    // decision deadline decides: three days before it, at risk.
    row.due_at = Some(at(30, 9, 0));
    row.target_minutes = 100_000;
    assert_eq!(flag(&c, &row, at(21, 23, 59)), SlaFlag::OnTrack);
    assert_eq!(flag(&c, &row, at(22, 0, 1)), SlaFlag::AtRisk);
    assert_eq!(flag(&c, &row, at(25, 0, 0)), SlaFlag::Breached);
    // The regulatory deadline does not pause while waiting for the customer.
    row.status = RequestStatus::WaitingCustomer;
    row.running_since = None;
    assert_eq!(flag(&c, &row, at(24, 12, 0)), SlaFlag::Paused);
    assert_eq!(flag(&c, &row, at(25, 0, 0)), SlaFlag::Breached);
}

#[test]
fn the_customer_is_told_the_new_day_and_the_reason() {
    assert_eq!(extension_detail("2026-12-29", "需调取监控"), "2026-12-29 · 需调取监控");
    let sms = extension_sms("SR-2026-000001", "2026-12-29");
    assert!(sms.contains("SR-2026-000001") && sms.contains("2026-12-29"), "{sms}");
    assert!(sms.contains("延长") && sms.contains("now due by"), "{sms}");
}
