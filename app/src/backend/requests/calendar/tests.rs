//! The working calendar against hand-checked dates: nights, weekends, holidays,
//! make-up working days, pauses of the service-level clock, a zone with daylight
//! saving time, and the complaint rules' 15/30/60 calendar days.
use super::*;
use crate::backend::requests::{clock_after, RequestRow};
use crate::types::{Priority, RequestKind, RequestRef, RequestStatus};

const SHANGHAI: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

/// The 2026 arrangement as seeded: holidays and the make-up working days.
fn calendar_2026(zone: chrono_tz::Tz) -> WorkingCalendar {
    let ranges = [
        (day(2026, 1, 1), 3),
        (day(2026, 2, 15), 9),
        (day(2026, 4, 4), 3),
        (day(2026, 5, 1), 5),
        (day(2026, 6, 19), 3),
        (day(2026, 9, 25), 3),
        (day(2026, 10, 1), 7),
    ];
    let holidays =
        ranges.iter().flat_map(|(first, n)| (0..*n).map(move |i| *first + chrono::Duration::days(i))).collect();
    let workdays =
        [day(2026, 1, 4), day(2026, 2, 14), day(2026, 2, 28), day(2026, 5, 9), day(2026, 9, 20), day(2026, 10, 10)]
            .into_iter()
            .collect();
    WorkingCalendar::new(zone, holidays, workdays)
}

fn at_in(zone: chrono_tz::Tz, y: i32, m: u32, d: u32, h: u32, mi: u32) -> Timestamp {
    let local = day(y, m, d).and_hms_opt(h, mi, 0).expect("a time");
    Timestamp::from_micros(zone.from_local_datetime(&local).single().expect("one instant").timestamp_micros())
}

fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> Timestamp {
    at_in(SHANGHAI, y, m, d, h, mi)
}

fn cal() -> WorkingCalendar {
    calendar_2026(SHANGHAI)
}

#[test]
fn minutes_within_one_day_and_across_a_night() {
    let c = cal();
    // Tuesday 2026-03-10.
    assert_eq!(c.minutes_between(at(2026, 3, 10, 10, 0), at(2026, 3, 10, 11, 30)), 90);
    assert_eq!(c.minutes_between(at(2026, 3, 10, 16, 0), at(2026, 3, 11, 10, 0)), 120);
    assert_eq!(c.add_minutes(at(2026, 3, 10, 16, 0), 120), at(2026, 3, 11, 10, 0));
    // Before opening and after closing count nothing.
    assert_eq!(c.minutes_between(at(2026, 3, 10, 6, 0), at(2026, 3, 10, 9, 0)), 0);
    assert_eq!(c.minutes_between(at(2026, 3, 10, 17, 0), at(2026, 3, 11, 9, 0)), 0);
    assert_eq!(c.minutes_between(at(2026, 3, 10, 12, 0), at(2026, 3, 10, 11, 0)), 0);
    // From the evening, counting starts at the next opening.
    assert_eq!(c.add_minutes(at(2026, 3, 10, 20, 0), 30), at(2026, 3, 11, 9, 30));
    assert_eq!(c.add_minutes(at(2026, 3, 11, 3, 0), 30), at(2026, 3, 11, 9, 30));
    // Running out exactly at closing time ends then, not at the next opening.
    assert_eq!(c.add_minutes(at(2026, 3, 10, 16, 0), 60), at(2026, 3, 10, 17, 0));
    // Zero minutes is the instant itself, even at night.
    assert_eq!(c.add_minutes(at(2026, 3, 10, 20, 0), 0), at(2026, 3, 10, 20, 0));
}

#[test]
fn friday_afternoon_plus_an_hour_is_monday_morning() {
    let c = cal();
    assert_eq!(c.add_minutes(at(2026, 3, 6, 16, 30), 60), at(2026, 3, 9, 9, 30));
    assert_eq!(c.minutes_between(at(2026, 3, 6, 16, 30), at(2026, 3, 9, 9, 30)), 60);
    assert_eq!(c.minutes_between(at(2026, 3, 6, 17, 0), at(2026, 3, 9, 9, 0)), 0);
    // Saturday counts from Monday's opening.
    assert_eq!(c.add_minutes(at(2026, 3, 7, 12, 0), 1), at(2026, 3, 9, 9, 1));
    // A whole ordinary week is 5 × 480 minutes.
    assert_eq!(c.minutes_between(at(2026, 3, 9, 0, 0), at(2026, 3, 16, 0, 0)), 2400);
}

#[test]
fn seconds_are_counted_exactly_and_floored_once() {
    let c = cal();
    let ten = at(2026, 3, 10, 10, 0);
    assert_eq!(c.minutes_between(ten, ten.plus_seconds(59)), 0);
    assert_eq!(c.minutes_between(ten.plus_seconds(30), ten.plus_seconds(90)), 1);
    assert_eq!(c.add_minutes(ten.plus_seconds(30), 1), ten.plus_seconds(90));
    // Thirty seconds before closing, one minute runs into the next morning.
    let late = at(2026, 3, 10, 16, 59).plus_seconds(30);
    assert_eq!(c.add_minutes(late, 1), at(2026, 3, 11, 9, 0).plus_seconds(30));
}

#[test]
fn labour_day_week_and_its_make_up_saturday() {
    let c = cal();
    // Thursday 2026-04-30 16:00: May 1–5 are holidays (Friday to Tuesday).
    assert_eq!(c.add_minutes(at(2026, 4, 30, 16, 0), 120), at(2026, 5, 6, 10, 0));
    assert_eq!(c.minutes_between(at(2026, 4, 30, 17, 0), at(2026, 5, 6, 9, 0)), 0);
    // Saturday May 9 is a working day (调休).
    assert!(c.is_working_day(day(2026, 5, 9)));
    assert_eq!(c.add_minutes(at(2026, 5, 8, 16, 0), 120), at(2026, 5, 9, 10, 0));
    assert!(!c.is_working_day(day(2026, 5, 10)));
}

#[test]
fn national_day_2026_with_the_make_up_days() {
    let c = cal();
    // Sunday September 20 is worked; Saturday September 19 is not.
    assert!(c.is_working_day(day(2026, 9, 20)));
    assert!(!c.is_working_day(day(2026, 9, 19)));
    assert_eq!(c.add_minutes(at(2026, 9, 19, 12, 0), 60), at(2026, 9, 20, 10, 0));
    // Mid-Autumn (Sep 25–27) and National Day (Oct 1–7) are closed.
    assert_eq!(c.add_minutes(at(2026, 9, 24, 16, 0), 120), at(2026, 9, 28, 10, 0));
    assert_eq!(c.add_minutes(at(2026, 9, 30, 16, 0), 120), at(2026, 10, 8, 10, 0));
    // Working days from Thursday Sep 24 to Sunday Oct 11: Sep 24, 28, 29, 30,
    // Oct 8, 9 and the make-up Saturday Oct 10 = 7 × 480.
    assert_eq!(c.minutes_between(at(2026, 9, 24, 0, 0), at(2026, 10, 12, 0, 0)), 7 * 480);
    assert_eq!(c.add_minutes(at(2026, 10, 9, 16, 0), 120), at(2026, 10, 10, 10, 0));
    assert_eq!(c.add_minutes(at(2026, 10, 10, 16, 0), 120), at(2026, 10, 12, 10, 0));
}

#[test]
fn adding_then_counting_gives_back_the_minutes_everywhere() {
    let c = cal();
    let mut from = at(2026, 9, 17, 0, 0);
    let end = at(2026, 10, 14, 0, 0);
    while from < end {
        for m in [0, 1, 59, 480, 2400, 5000] {
            let due = c.add_minutes(from, m);
            assert_eq!(c.minutes_between(from, due), m, "from {from:?} + {m}");
            if m > 0 {
                // The earliest such instant: a minute less is not enough.
                assert_eq!(c.minutes_between(from, due.plus_seconds(-60)), m - 1, "from {from:?} + {m}");
            }
        }
        from = from.plus_seconds(37 * 60);
    }
}

#[test]
fn a_long_target_over_sixty_days_is_counted_by_day() {
    let c = cal();
    // September 2026: 22 weekdays, less Sep 25, plus Sunday Sep 20 = 22 working days;
    // October: 22 weekdays, less Oct 1, 2, 5, 6, 7, plus Saturday Oct 10 = 18.
    let from = at(2026, 9, 1, 9, 0);
    assert_eq!(c.minutes_between(from, at(2026, 11, 1, 0, 0)), 40 * 480);
    assert_eq!(c.add_minutes(from, 40 * 480), at(2026, 10, 30, 17, 0));
    assert_eq!(c.add_minutes(from, 40 * 480 + 1), at(2026, 11, 2, 9, 1));
}

fn row(status: RequestStatus, target: i64, used: i64, since: Option<Timestamp>) -> RequestRow {
    RequestRow {
        id: 1,
        reference: RequestRef::new(2026, 1),
        customer_id: 1,
        kind: RequestKind::General,
        priority: Priority::Normal,
        status,
        subject: "s".into(),
        details: serde_json::Value::Null,
        card_id: None,
        account_id: None,
        posting_id: None,
        follow_up_of: None,
        assigned_staff_id: None,
        target_minutes: target,
        used_minutes: used,
        running_since: since,
        due_at: None,
        decision_due_at: None,
        extension_level: 0,
        created_at: at(2026, 3, 6, 16, 0),
        resolved_at: None,
    }
}

#[test]
fn the_clock_pauses_while_waiting_for_the_customer() {
    let c = cal();
    // Submitted Friday 16:00 with 240 minutes; the agent starts at 16:10 (the clock runs on).
    let submitted = row(RequestStatus::Submitted, 240, 0, Some(at(2026, 3, 6, 16, 0)));
    let started = clock_after(&c, &submitted, RequestStatus::InProgress, at(2026, 3, 6, 16, 10));
    assert_eq!(started.running_since, Some(at(2026, 3, 6, 16, 0)));
    assert_eq!(started.used_minutes, 0);
    assert_eq!(started.due_at, Some(at(2026, 3, 9, 12, 0)));
    // Asks the customer at 16:30: 30 minutes used, the clock stops.
    let running = row(RequestStatus::InProgress, 240, 0, Some(at(2026, 3, 6, 16, 0)));
    let asked = clock_after(&c, &running, RequestStatus::WaitingCustomer, at(2026, 3, 6, 16, 30));
    assert_eq!((asked.used_minutes, asked.running_since, asked.due_at), (30, None, None));
    // The customer answers Monday 11:00 (a whole weekend and morning later): 210 left.
    let waiting = row(RequestStatus::WaitingCustomer, 240, 30, None);
    let resumed = clock_after(&c, &waiting, RequestStatus::InProgress, at(2026, 3, 9, 11, 0));
    assert_eq!(resumed.used_minutes, 30);
    assert_eq!(resumed.running_since, Some(at(2026, 3, 9, 11, 0)));
    assert_eq!(resumed.due_at, Some(at(2026, 3, 9, 14, 30)));
    // Resolved Monday 12:00: 30 + 60 minutes used in all.
    let again = row(RequestStatus::InProgress, 240, 30, Some(at(2026, 3, 9, 11, 0)));
    let resolved = clock_after(&c, &again, RequestStatus::Resolved, at(2026, 3, 9, 12, 0));
    assert_eq!((resolved.used_minutes, resolved.running_since), (90, None));
    // A request resumed with its target used up is due at once.
    let over = row(RequestStatus::WaitingCustomer, 240, 300, None);
    let late = clock_after(&c, &over, RequestStatus::InProgress, at(2026, 3, 9, 20, 0));
    assert_eq!(late.due_at, Some(at(2026, 3, 9, 20, 0)));
}

#[test]
fn daylight_saving_changes_do_not_move_business_hours() {
    // New York switches to summer time on Sunday 2026-03-08.
    let ny = chrono_tz::America::New_York;
    let c = WorkingCalendar::new(ny, BTreeSet::new(), BTreeSet::new());
    assert_eq!(c.add_minutes(at_in(ny, 2026, 3, 6, 16, 0), 120), at_in(ny, 2026, 3, 9, 10, 0));
    assert_eq!(c.minutes_between(at_in(ny, 2026, 3, 6, 9, 0), at_in(ny, 2026, 3, 9, 17, 0)), 960);
    // And back on Sunday 2026-11-01.
    assert_eq!(c.add_minutes(at_in(ny, 2026, 10, 30, 16, 0), 120), at_in(ny, 2026, 11, 2, 10, 0));
}

#[test]
fn complaint_deadlines_are_the_end_of_the_15th_30th_60th_day() {
    let z = SHANGHAI;
    let received = at(2026, 1, 20, 16, 0);
    assert_eq!(complaint_decision_due(z, received, 0), at(2026, 2, 5, 0, 0));
    assert_eq!(complaint_decision_due(z, received, 1), at(2026, 2, 20, 0, 0));
    assert_eq!(complaint_decision_due(z, received, 2), at(2026, 3, 22, 0, 0));
    assert_eq!(last_day(z, complaint_decision_due(z, received, 0)), Some(day(2026, 2, 4)));
    // The day counts in the bank's zone: 23:59 and 00:30 local are different days.
    assert_eq!(complaint_decision_due(z, at(2026, 1, 31, 23, 59), 0), at(2026, 2, 16, 0, 0));
    assert_eq!(complaint_decision_due(z, at(2026, 2, 1, 0, 30), 0), at(2026, 2, 17, 0, 0));
    // Across a year end, and February of a leap year.
    assert_eq!(complaint_decision_due(z, at(2026, 12, 20, 10, 0), 0), at(2027, 1, 5, 0, 0));
    assert_eq!(complaint_decision_due(z, at(2026, 12, 20, 10, 0), 1), at(2027, 1, 20, 0, 0));
    assert_eq!(complaint_decision_due(z, at(2028, 2, 14, 10, 0), 0), at(2028, 3, 1, 0, 0));
    assert_eq!(complaint_decision_due(z, at(2026, 2, 14, 10, 0), 0), at(2026, 3, 2, 0, 0));
    // Calendar days: holidays and weekends count (National Day week).
    assert_eq!(complaint_decision_due(z, at(2026, 9, 30, 10, 0), 0), at(2026, 10, 16, 0, 0));
    assert_eq!(complaint_decision_due(z, at(2026, 9, 30, 10, 0), 2), at(2026, 11, 30, 0, 0));
}
